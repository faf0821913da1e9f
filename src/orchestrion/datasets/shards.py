"""Training shards: the encoded pieces of one split in one memory-mappable ``.npy`` file.

A folder of shards holds, for every split ``<split>`` (``train``, ``valid``, ``test``, ...)::

    <split>.npy          all pieces' arrays concatenated along axis 0: shape (N, *trailing)
    <split>.offsets.npy  int64, n + 1 entries: piece i is rows offsets[i] : offsets[i + 1]
    <split>.ids.json     the n piece ids, in order (a JSON list of strings)

and once for the folder ``representation.json`` (:meth:`Representation.save`; every split of a
folder is encoded with the same codec). ``offsets[0] = 0``, ``offsets[n] = N`` and the length
of piece ``i`` is ``offsets[i + 1] - offsets[i]``. ``trailing`` is the shape of one row, taken
from what the codec returns for an empty piece: ``()`` for the 1-D codecs (pitch, event,
remi), ``(4,)`` for note, ``(6,)`` for mmt, ``(128,)``/``(256,)`` for pianoroll. The dtype is
the smallest of ``int16``, ``int32`` and ``int64`` that holds every code of the vocabulary
(``max(vocabulary.values()) - 1``); a reader casts to ``int64`` (``torch.long``) when it
needs to.

Writing (:func:`write_shard`) streams: each array is appended to a temporary raw file as it
comes, then the ``.npy`` is built from it in chunks; only the ids and lengths are held in
memory. Every file is written to a temporary name (``.<split>.shard-*.tmp``) and renamed, and
the ids file comes last: a split is present (:func:`splits_in`, :class:`Shard`) only when its
ids file is, so a killed run never leaves a half shard that looks complete (the hidden
temporary files it may leave are removed by the next write of that split).

Reading (:class:`Shard`) checks that the three files agree, maps the data lazily on first
access and returns read-only views; pickling a ``Shard`` (to DataLoader workers) never
pickles the data.

Example::

    from orchestrion import representations
    from orchestrion.datasets.shards import Shard, write_shard

    codec = representations.get("mmt")
    write_shard("prepared/mmt", "train", ((pid, codec.encode(m)) for pid, m in pieces), codec)
    shard = Shard("prepared/mmt", "train")
    array = shard[0]                      # rows of piece 0, a read-only view
    music = shard.decode(shard.index("bach/bwv66.6"))
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from orchestrion.errors import DatasetError
from orchestrion.io.files import new_file_mode

if TYPE_CHECKING:
    from orchestrion.core.model import Music
    from orchestrion.representations.base import Representation

__all__ = ["Shard", "shard_dtype", "shard_files", "splits_in", "trailing_shape", "write_shard"]

REPRESENTATION_FILE = "representation.json"
#: Elements copied at a time from the raw file into the ``.npy`` (8 MiB of int64).
CHUNK_ELEMENTS = 1 << 20


def shard_files(folder: str | os.PathLike[str], split: str) -> dict[str, Path]:
    """The paths of a split's files: ``{"data", "offsets", "ids"}``."""
    _check_split(split)
    folder = Path(folder)
    return {"data": folder / f"{split}.npy", "offsets": folder / f"{split}.offsets.npy",
            "ids": folder / f"{split}.ids.json"}


def shard_dtype(representation: Representation) -> np.dtype:
    """The smallest of int16, int32, int64 that holds every code of the vocabulary."""
    largest = max(representation.vocabulary.values(), default=1) - 1
    for dtype in (np.int16, np.int32):
        if largest <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def trailing_shape(representation: Representation) -> tuple[int, ...]:
    """The shape of one row: ``encode(empty Music).shape[1:]``."""
    from orchestrion.core.model import Music

    return tuple(representation.encode(Music(resolution=representation.resolution)).shape[1:])


def splits_in(folder: str | os.PathLike[str]) -> list[str]:
    """The splits present in ``folder`` (those with an ids file), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    suffix = ".ids.json"
    return sorted(p.name[: -len(suffix)] for p in folder.iterdir()
                  if p.name.endswith(suffix) and not p.name.startswith(".") and p.is_file())


# --- writing -------------------------------------------------------------------------------
def write_shard(folder: str | os.PathLike[str], split: str,
                items: Iterable[tuple[str, np.ndarray]], representation: Representation,
                *, progress: bool = False) -> Path:
    """Write the pieces ``items`` (``(piece_id, array)`` pairs, arrays as ``representation``
    encodes them) as the split ``split`` of ``folder``; return the data file's path.

    ``folder/representation.json`` is written when missing; when present it must hold this
    very codec (same class and config), else ``ValueError`` and nothing is written. An
    existing split of that name is replaced (it stops being present as soon as the write
    starts). Zero pieces give an empty split. ``ValueError`` names the piece whose array does
    not fit (non-integer, another row shape, a code outside ``0 .. max code``) or an id given
    twice; then, as on any exception, the split is left absent and no temporary file remains.
    """
    from orchestrion.representations.base import load

    paths = shard_files(folder, split)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / REPRESENTATION_FILE
    if saved.exists():
        try:
            existing = load(saved)
        except (ValueError, TypeError) as error:
            raise DatasetError(f"{saved}: unreadable: {error}") from None
        if existing != representation:
            raise ValueError(f"{saved} holds {existing!r}, not {representation!r}: shards of "
                             f"one folder share one representation")
    else:
        representation.save(saved)
    dtype = shard_dtype(representation)
    trailing = trailing_shape(representation)
    largest = max(representation.vocabulary.values(), default=1) - 1
    paths["ids"].unlink(missing_ok=True)  # the split is absent from now until it is complete
    for stale in folder.glob(f".{split}.shard-*.tmp"):
        stale.unlink(missing_ok=True)
    temps: list[Path] = []

    def temp(kind: str) -> Path:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{split}.shard-{kind}-", suffix=".tmp")
        os.close(fd)
        new_file_mode(name)
        temps.append(Path(name))
        return temps[-1]

    try:
        raw = temp("raw")
        ids: list[str] = []
        lengths: list[int] = []
        seen: set[str] = set()
        with raw.open("wb") as handle:
            for piece_id, array in _progress(items, progress, split):
                piece_id = str(piece_id)
                if piece_id in seen:
                    raise ValueError(f"write_shard: piece id {piece_id!r} given twice")
                seen.add(piece_id)
                array = _fitted(piece_id, array, trailing, largest)
                handle.write(np.ascontiguousarray(array, dtype=dtype).tobytes())
                ids.append(piece_id)
                lengths.append(len(array))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(np.asarray(lengths, dtype=np.int64), out=offsets[1:])
        data = temp("data")
        _raw_to_npy(raw, data, dtype, (int(offsets[-1]), *trailing))
        raw.unlink()
        offsets_temp = temp("offsets")
        with offsets_temp.open("wb") as handle:
            np.save(handle, offsets)
        ids_temp = temp("ids")
        ids_temp.write_text(json.dumps(ids, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(data, paths["data"])
        os.replace(offsets_temp, paths["offsets"])
        os.replace(ids_temp, paths["ids"])  # last: now the split is present
    finally:
        for path in temps:
            path.unlink(missing_ok=True)
    return paths["data"]


def _fitted(piece_id: str, array: Any, trailing: tuple[int, ...], largest: int) -> np.ndarray:
    """``array`` checked to be integer rows of shape ``trailing`` with codes ``0..largest``."""
    array = np.asarray(array)
    if array.dtype.kind not in "iub":
        raise ValueError(f"write_shard: piece {piece_id!r}: array must hold integers, got "
                         f"dtype {array.dtype}")
    if array.ndim != 1 + len(trailing) or tuple(array.shape[1:]) != trailing:
        raise ValueError(f"write_shard: piece {piece_id!r}: array of shape {array.shape}, "
                         f"expected (n, {', '.join(map(str, trailing))})".replace(", )", ")"))
    if array.size and (int(array.min()) < 0 or int(array.max()) > largest):
        raise ValueError(f"write_shard: piece {piece_id!r}: codes {int(array.min())}.."
                         f"{int(array.max())} outside the vocabulary's 0..{largest}")
    return array


def _raw_to_npy(raw: Path, target: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    """Build the ``.npy`` ``target`` of ``shape`` from the C-order bytes in ``raw``, copying
    ``CHUNK_ELEMENTS`` elements at a time."""
    total = int(np.prod(shape, dtype=np.int64))
    if total == 0:
        with target.open("wb") as handle:
            np.save(handle, np.zeros(shape, dtype=dtype))
        return
    out = np.lib.format.open_memmap(target, mode="w+", dtype=dtype, shape=shape)
    flat = out.reshape(-1)
    with raw.open("rb") as handle:
        for start in range(0, total, CHUNK_ELEMENTS):
            count = min(CHUNK_ELEMENTS, total - start)
            chunk = np.fromfile(handle, dtype=dtype, count=count)
            if len(chunk) != count:
                raise DatasetError(f"{raw}: temporary file ended early ({start + len(chunk)} "
                                   f"of {total} values)")
            flat[start:start + count] = chunk
    out.flush()
    del flat, out


def _progress(items: Iterable[tuple[str, np.ndarray]], progress: bool, split: str
              ) -> Iterable[tuple[str, np.ndarray]]:
    if not progress:
        return items
    from tqdm.auto import tqdm

    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    return tqdm(items, total=total, desc=f"writing {split}", unit="piece")


def _check_split(split: str) -> None:
    if not isinstance(split, str) or not split or split.startswith(".") or \
            any(c in split for c in "/\\\0") or split in (".", ".."):
        raise ValueError(f"invalid split name {split!r}: a non-empty file name without "
                         "slashes that does not start with a dot")


# --- reading -------------------------------------------------------------------------------
class Shard:
    """One split of a shard folder: ``len(shard)`` pieces, ``shard[i]`` the rows of piece
    ``i`` (a read-only view of the memory-mapped data, mapped on first access).

    Attributes:
        folder, split: Where it is.
        ids: The piece ids, in order.
        offsets: ``int64`` array of ``n + 1`` row offsets.
        lengths: ``offsets[1:] - offsets[:-1]``, the rows of every piece.
        representation: The codec of ``representation.json``.
        shape: The data file's shape ``(N, *trailing)``; ``dtype`` its dtype.

    Raises :class:`DatasetError` naming the file when the split is absent (no ids file), a
    file is missing or unreadable, or the files disagree (``len(offsets) != len(ids) + 1``,
    offsets not rising from 0 to the data's row count, rows of another shape than the codec's).
    Pickling keeps the paths, ids and offsets, never the mapped data.
    """

    def __init__(self, folder: str | os.PathLike[str], split: str) -> None:
        from orchestrion.representations.base import load

        self.folder = Path(folder)
        self.split = split
        self.paths = shard_files(self.folder, split)
        ids_path, offsets_path, data_path = (self.paths[k] for k in ("ids", "offsets", "data"))
        if not ids_path.is_file():
            raise DatasetError(f"{ids_path}: missing: split {split!r} is not in "
                               f"{self.folder} (present: {splits_in(self.folder) or 'none'})")
        try:
            ids = json.loads(ids_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DatasetError(f"{ids_path}: unreadable: {error}") from None
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise DatasetError(f"{ids_path}: expected a JSON list of piece ids")
        self.ids: list[str] = ids
        offsets = _read_npy(offsets_path)
        if offsets.ndim != 1 or offsets.dtype.kind not in "iu":
            raise DatasetError(f"{offsets_path}: expected a 1-D integer array, got "
                               f"{offsets.dtype} of shape {offsets.shape}")
        if len(offsets) != len(ids) + 1:
            raise DatasetError(f"{offsets_path}: {len(offsets)} offsets for {len(ids)} piece "
                               f"ids in {ids_path.name} (expected {len(ids) + 1})")
        self.offsets = offsets.astype(np.int64)
        if self.offsets[0] != 0 or (np.diff(self.offsets) < 0).any():
            raise DatasetError(f"{offsets_path}: offsets must rise from 0")
        self.shape, self.dtype = _npy_header(data_path)
        if self.shape[0] != self.offsets[-1]:
            raise DatasetError(f"{data_path}: {self.shape[0]} rows, but {offsets_path.name} "
                               f"ends at {int(self.offsets[-1])}")
        if self.dtype.kind not in "iu":
            raise DatasetError(f"{data_path}: expected integer codes, got {self.dtype}")
        saved = self.folder / REPRESENTATION_FILE
        if not saved.is_file():
            raise DatasetError(f"{saved}: missing (the codec of the shards in {self.folder})")
        try:
            self.representation: Representation = load(saved)
        except (OSError, ValueError, TypeError) as error:
            raise DatasetError(f"{saved}: {error}") from None
        trailing = trailing_shape(self.representation)
        if tuple(self.shape[1:]) != trailing:
            raise DatasetError(f"{data_path}: rows of shape {tuple(self.shape[1:])}, but "
                               f"{self.representation.name} rows have shape {trailing}")
        self._data: np.ndarray | None = None
        self._index: dict[str, int] | None = None

    # --- pickling: never the data ------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_data"] = None
        state["_index"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # --- access --------------------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """All rows, memory-mapped read-only (mapped on first use)."""
        if self._data is None:
            path = self.paths["data"]
            if self.shape[0] and int(np.prod(self.shape)):
                data = np.load(path, mmap_mode="r")
            else:  # an empty array cannot be mapped
                data = np.load(path)
                data.setflags(write=False)
            if data.shape != self.shape:
                raise DatasetError(f"{path}: changed since it was opened")
            self._data = data
        return self._data

    @property
    def lengths(self) -> np.ndarray:
        """Rows of every piece: ``offsets[1:] - offsets[:-1]``."""
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> np.ndarray:
        n = len(self.ids)
        index = int(i)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"piece {i} out of range for {n} pieces of split {self.split!r}")
        start, stop = int(self.offsets[index]), int(self.offsets[index + 1])
        return np.asarray(self.data[start:stop])

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))

    def index(self, piece_id: str) -> int:
        """The position of ``piece_id``; ``KeyError`` if the split does not hold it."""
        if self._index is None:
            self._index = {pid: i for i, pid in enumerate(self.ids)}
        try:
            return self._index[piece_id]
        except KeyError:
            raise KeyError(f"piece {piece_id!r} is not in split {self.split!r} of "
                           f"{self.folder}") from None

    def decode(self, i: int) -> Music:
        """Piece ``i`` decoded by the shard's representation."""
        return self.representation.decode(self[i])

    def __repr__(self) -> str:
        return (f"Shard({str(self.folder)!r}, {self.split!r}: {len(self)} pieces, "
                f"{self.shape[0]} rows, {self.representation.name})")


def _read_npy(path: Path) -> np.ndarray:
    if not path.is_file():
        raise DatasetError(f"{path}: missing")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: unreadable: {error}") from None


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of a C-order ``.npy`` file, read from its header only."""
    if not path.is_file():
        raise DatasetError(f"{path}: missing")
    fmt = np.lib.format
    try:
        with path.open("rb") as handle:
            version = fmt.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(handle)
            elif version == (2, 0):
                shape, fortran, dtype = fmt.read_array_header_2_0(handle)
            else:  # a newer format: let numpy read the header
                header = np.load(path, mmap_mode="r")
                shape, fortran, dtype = header.shape, False, header.dtype
                handle.seek(header.offset)
            header_end = handle.tell()
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: unreadable: {error}") from None
    if fortran and len(shape) > 1:
        raise DatasetError(f"{path}: expected C order")
    expected = header_end + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if path.stat().st_size < expected:
        raise DatasetError(f"{path}: truncated ({path.stat().st_size} bytes, expected "
                           f"{expected})")
    return tuple(int(x) for x in shape), np.dtype(dtype)
