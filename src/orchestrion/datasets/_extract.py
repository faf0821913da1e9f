"""Safe, all-or-nothing extraction of a downloaded archive.

:func:`extract` unpacks a zip or tar archive (plain, gzip, bzip2 or xz; the kind is read from
the file's content, not its name) into a folder. Members are copied by this module, never by
:meth:`tarfile.TarFile.extractall` or :meth:`zipfile.ZipFile.extractall`, so only regular
files and folders are ever created (file modes, owners and times are not restored). Refused,
with :class:`~orchestrion.errors.ExtractError` naming the archive and the member:

- Member names that are empty, absolute (``/x``, ``C:x``, ``\\\\x``), contain a NUL or have a
  ``..`` component (backslashes count as separators); two members with the same name.
- Every symbolic link and hard link, wherever it points (no corpus of the catalog needs one,
  and a link inside the tree can still be used to write outside it); device files, FIFOs and
  any other special member; encrypted zip members.
- Archive bombs: more than ``max_members`` members; more than ``max_bytes`` bytes in all
  (zip: the declared sizes are summed before anything is inflated, tar: each member's size
  is checked against what is left before it is copied); a zip member whose declared
  compression ratio is above ``max_ratio`` (past :data:`RATIO_MIN_BYTES`). Since declared
  sizes can lie, the bytes that come out are counted while inflating, and extraction stops as
  soon as a zip member exceeds its declared size or ratio, the total exceeds ``max_bytes``,
  or (past :data:`RATIO_MIN_BYTES`) the total exceeds ``max_ratio`` times the archive's size.

All or nothing: members go to a temporary sibling folder ``.NAME.partial-XXXX``; a
completion marker (:data:`MARKER`, a small JSON file naming the archive and its size) is
written into it last, and the folder is then renamed to ``NAME``. On any error the temporary
folder is removed, so a folder under the final name is always a complete extraction. Running
:func:`extract` again once the marker is there does nothing. A folder already at the final
path without the marker, or with the marker of another archive, is an error (it is not
removed: it may be the user's). Leftover ``.NAME.partial-*`` folders from a killed run are
removed by the next run, so only one extraction into a folder may run at a time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from orchestrion.errors import ExtractError

__all__ = ["MARKER", "MAX_BYTES", "MAX_MEMBERS", "MAX_RATIO", "RATIO_MIN_BYTES", "extract",
           "is_archive"]

#: Name of the completion marker written inside a finished extraction.
MARKER = ".orchestrion-extracted.json"

#: Default cap on the bytes an archive may extract to in all (64 GiB: room for the audio
#: corpora of the catalog; raise it per call if one needs more).
MAX_BYTES: int = 64 * 1024**3

#: Default cap on the number of members (Lakh MIDI full holds about 180,000 files).
MAX_MEMBERS: int = 2_000_000

#: Default highest ratio of extracted to compressed bytes. Deflate reaches about 1030 on a run
#: of zeros; MIDI and MusicXML archives stay well under 50.
MAX_RATIO: int = 200

#: Sizes up to which the ratio checks are skipped (small, very compressible files are harmless).
RATIO_MIN_BYTES: int = 1024 * 1024

_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def _safe_name(archive: Path, name: str) -> str:
    """The member name with ``/`` separators and no empty or ``.`` parts; refuse unsafe ones."""
    cleaned = name.replace("\\", "/")
    if "\x00" in cleaned or cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise ExtractError(f"{archive}: member '{name}' has an absolute path")
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ExtractError(f"{archive}: member '{name}' leaves the folder with '..'")
    if not parts:
        raise ExtractError(f"{archive}: member '{name}' has an empty name")
    return "/".join(parts)


class _Budget:
    """Counts what comes out of an archive against the caps."""

    def __init__(self, archive: Path, max_bytes: int, max_ratio: float, max_members: int
                 ) -> None:
        self.archive = archive
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.max_members = max_members
        self.archive_size = max(archive.stat().st_size, 1)
        self.total = 0
        self.members = 0
        self.names: set[str] = set()

    def member(self, name: str, declared: int) -> None:
        """Count one more member of ``declared`` bytes, before anything is inflated."""
        self.members += 1
        if self.members > self.max_members:
            raise ExtractError(f"{self.archive}: more than {self.max_members} members "
                               "(archive bomb?)")
        if name in self.names:
            raise ExtractError(f"{self.archive}: member '{name}' appears more than once")
        self.names.add(name)
        if self.total + declared > self.max_bytes:
            raise ExtractError(f"{self.archive}: member '{name}' ({declared} bytes) takes the "
                               f"extracted size past the {self.max_bytes} bytes allowed "
                               "(archive bomb?)")

    def add(self, count: int) -> None:
        """Count ``count`` more bytes out; raise as soon as a cap is passed."""
        self.total += count
        if self.total > self.max_bytes:
            raise ExtractError(f"{self.archive}: extracts to more than {self.max_bytes} bytes "
                               "(archive bomb?)")
        if (self.total > RATIO_MIN_BYTES
                and self.total > self.max_ratio * self.archive_size):
            raise ExtractError(f"{self.archive}: extracts to more than {self.max_ratio} times "
                               f"its size of {self.archive_size} bytes (archive bomb?)")


def _copy_member(source: IO[bytes], target: Path, budget: _Budget, name: str,
                 declared: int | None = None, compressed: int | None = None) -> None:
    """Copy one member's bytes to ``target``, counting them against ``budget`` and, for a
    zip member, against its declared size and ratio."""
    written = 0
    with open(target, "xb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if declared is not None and written > declared:
                raise ExtractError(f"{budget.archive}: member '{name}' inflates past its "
                                   f"declared {declared} bytes (archive bomb?)")
            if (compressed is not None and written > RATIO_MIN_BYTES
                    and written > budget.max_ratio * max(compressed, 1)):
                raise ExtractError(f"{budget.archive}: member '{name}' inflates more than "
                                   f"{budget.max_ratio} times its compressed size "
                                   "(archive bomb?)")
            budget.add(len(chunk))
            out.write(chunk)


def _target(root: Path, name: str) -> Path:
    """The path of ``name`` under ``root``, its parent folders created."""
    path = root.joinpath(*name.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _extract_zip(archive: Path, root: Path, budget: _Budget) -> None:
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractError(f"{archive}: not a readable zip archive: {exc}") from None
    with handle:
        infos = handle.infolist()
        if len(infos) > budget.max_members:
            raise ExtractError(f"{archive}: more than {budget.max_members} members "
                               "(archive bomb?)")
        declared_total = sum(info.file_size for info in infos)
        if declared_total > budget.max_bytes:
            raise ExtractError(f"{archive}: declares {declared_total} bytes uncompressed, more "
                               f"than the {budget.max_bytes} allowed (archive bomb?)")
        plan: list[tuple[zipfile.ZipInfo, str]] = []
        for info in infos:  # check every member before writing anything
            name = _safe_name(archive, info.filename)
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)
            if kind == stat.S_IFLNK:
                raise ExtractError(f"{archive}: member '{info.filename}' is a symbolic link")
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise ExtractError(f"{archive}: member '{info.filename}' is a special file")
            if info.flag_bits & 0x1:
                raise ExtractError(f"{archive}: member '{info.filename}' is encrypted")
            if (info.file_size > RATIO_MIN_BYTES
                    and info.file_size > budget.max_ratio * max(info.compress_size, 1)):
                raise ExtractError(
                    f"{archive}: member '{info.filename}' declares a compression ratio above "
                    f"{budget.max_ratio} ({info.file_size} from {info.compress_size} bytes; "
                    "archive bomb?)")
            plan.append((info, name))
        for info, name in plan:
            budget.member(name, info.file_size)
            if info.is_dir():
                _target(root, name).mkdir(exist_ok=True)
                continue
            try:
                with handle.open(info) as stream:
                    _copy_member(stream, _target(root, name), budget, name,
                                 declared=info.file_size, compressed=info.compress_size)
            except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
                raise ExtractError(f"{archive}: member '{name}' is corrupt: {exc}") from None


def _extract_tar(archive: Path, root: Path, budget: _Budget) -> None:
    try:
        # Streaming mode: one pass, no seeking back; closed by the "with" below.
        handle = tarfile.open(archive, mode="r|*")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExtractError(f"{archive}: not a readable archive: {exc}") from None
    with handle:
        for member in _tar_members(archive, handle):
            name = _safe_name(archive, member.name)
            if member.issym() or member.islnk():
                raise ExtractError(f"{archive}: member '{member.name}' is a "
                                   f"{'symbolic' if member.issym() else 'hard'} link to "
                                   f"'{member.linkname}'")
            if not (member.isfile() or member.isdir()):
                raise ExtractError(f"{archive}: member '{member.name}' is a device, FIFO or "
                                   "other special file")
            budget.member(name, member.size if member.isfile() else 0)
            if member.isdir():
                _target(root, name).mkdir(exist_ok=True)
                continue
            stream = handle.extractfile(member)
            if stream is None:  # pragma: no cover - isfile() members always have data
                raise ExtractError(f"{archive}: member '{name}' has no data")
            try:
                _copy_member(stream, _target(root, name), budget, name)
            except (tarfile.TarError, OSError, EOFError) as exc:
                if isinstance(exc, FileExistsError):
                    raise
                raise ExtractError(f"{archive}: member '{name}' is corrupt: {exc}") from None


def _tar_members(archive: Path, handle: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The members of a streamed tar, with read errors as ``ExtractError``."""
    while True:
        try:
            member = handle.next()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ExtractError(f"{archive}: corrupt or truncated archive: {exc}") from None
        if member is None:
            return
        yield member


def _marker(archive: Path) -> dict[str, object]:
    return {"archive": archive.name, "size": archive.stat().st_size}


def is_archive(path: str | os.PathLike[str]) -> bool:
    """``True`` for a zip or tar file (plain or compressed), judged by its content."""
    return zipfile.is_zipfile(path) or tarfile.is_tarfile(path)


def extract(archive: str | os.PathLike[str], folder: str | os.PathLike[str], *,
            max_bytes: int = MAX_BYTES, max_ratio: float = MAX_RATIO,
            max_members: int = MAX_MEMBERS) -> Path:
    """Extract ``archive`` (zip or tar, optionally gzip/bzip2/xz) into ``folder``, all or
    nothing, refusing unsafe members (see the module docstring); return ``folder``.

    Args:
        archive: The archive file.
        folder: The folder that receives its members; it must not exist yet, or hold a
            complete extraction of this archive (then nothing is done).
        max_bytes: The most bytes the members may extract to in all.
        max_ratio: The highest ratio of extracted to compressed bytes.
        max_members: The most members the archive may hold.

    Raises:
        ExtractError: The archive is unreadable or unsafe, or ``folder`` holds something else.
    """
    archive = Path(archive)
    folder = Path(folder)
    if not archive.is_file():
        raise ExtractError(f"{archive}: no such archive")
    expected = _marker(archive)
    if folder.exists():
        marker = folder / MARKER
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ExtractError(f"{folder} already exists and is not a completed extraction of "
                               f"{archive}; remove it and run again") from None
        if found.get("archive") != expected["archive"] or found.get("size") != expected["size"]:
            raise ExtractError(f"{folder} holds the extraction of {found.get('archive')!r} "
                               f"({found.get('size')} bytes), not of {archive}; remove it "
                               "and run again")
        return folder
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{folder.name}.partial-"
    for stale in parent.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    temporary = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        budget = _Budget(archive, max_bytes, max_ratio, max_members)
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, temporary, budget)
        else:
            _extract_tar(archive, temporary, budget)
        (temporary / MARKER).write_text(json.dumps({**expected, "members": budget.members,
                                                    "bytes": budget.total}),
                                        encoding="utf-8")
        os.replace(temporary, folder)
    except (FileExistsError, NotADirectoryError) as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        raise ExtractError(f"{archive}: two members clash (a file and a folder of one name, "
                           f"or one file twice): {exc.filename}") from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return folder
