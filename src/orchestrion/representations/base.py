"""The base class of every codec: vocabulary, resolution, grammar check and saved config.

A :class:`Representation` turns a :class:`~orchestrion.core.model.Music` into one integer
``numpy`` array (:meth:`~Representation.encode`) and back (:meth:`~Representation.decode`).
Every codec also states its vocabulary (field name -> number of distinct codes, in column
order), checks that an array obeys its grammar (:meth:`~Representation.check`, which raises
:class:`~orchestrion.errors.ValidationError` naming the first bad row and field) and saves its
configuration as JSON so a model trained on its output can rebuild the very same codec
(:meth:`~Representation.save`, :func:`load`).

Time: a codec works at ``resolution`` ticks per quarter note. ``encode`` rescales the input
with ``adjust_resolution`` when it has another resolution, and ``decode`` returns ``Music`` at
``resolution`` (MusPy's decoders always returned resolution 24; MusPy issue 82).

Tempo: a codec that does not encode tempo gives decoded ``Music`` ``tempos=[Tempo(0, qpm)]``
where ``qpm`` is a config option (default 120).

Transposition: :meth:`~Representation.pitch_range` and :meth:`~Representation.transpose` work
on the encoded array directly (data augmentation without decoding). A codec supports them by
implementing :meth:`~Representation._pitch_cells` (which cells hold a pitch, and the code of
pitch 0 there) or by overriding both methods (the piano roll shifts columns).

Subclasses declare their configuration as keyword arguments of ``__init__`` (call
``super().__init__(resolution, **config)`` with the JSON-able values) and are made known to
:func:`orchestrion.representations.get` and :func:`load` with the :func:`register` decorator.
"""

from __future__ import annotations

import abc
import json
import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

from orchestrion.core.model import Music, Tempo
from orchestrion.errors import ValidationError

__all__ = ["REGISTRY", "Representation", "load", "register"]

DEFAULT_QPM = 120.0

#: Registered codec classes by name.
REGISTRY: dict[str, type[Representation]] = {}

_R = TypeVar("_R", bound="type[Representation]")


class Representation(abc.ABC):
    """A codec ``Music <-> np.ndarray`` with a vocabulary, a grammar and a saved config."""

    name: ClassVar[str]
    version: ClassVar[int] = 1

    def __init__(self, resolution: int = 24, **config: Any) -> None:
        resolution = int(resolution)
        if resolution < 1:
            raise ValueError(f"{type(self).__name__}: resolution must be >= 1, got {resolution}")
        self.resolution = resolution
        self._config: dict[str, Any] = {"resolution": resolution, **config}

    # --- the codec ------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def vocabulary(self) -> dict[str, int]:
        """Field (column) name -> number of distinct codes, in column order."""

    @abc.abstractmethod
    def encode(self, music: Music) -> np.ndarray:
        """Encode ``music`` (rescaled to :attr:`resolution`) as an integer array."""

    @abc.abstractmethod
    def decode(self, array: np.ndarray) -> Music:
        """Decode an array (see :meth:`check`) into ``Music`` at :attr:`resolution`."""

    # --- transposition --------------------------------------------------------------------
    def _pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int | np.ndarray]:
        """``(mask, offset)``: a bool mask of ``array``'s shape, ``True`` on every cell that
        holds the pitch of a pitched (non-drum) note, and the code of MIDI pitch 0 in those
        cells (an int, or one per masked cell in ``array[mask]`` order): a cell's pitch is
        ``code - offset``, and transposing by ``k`` adds ``k`` to its code. Codecs that
        support transposition this way implement it; the base raises
        ``NotImplementedError``."""
        raise NotImplementedError(f"{type(self).__name__} ({self.name!r}) does not support "
                                  "pitch_range/transpose")

    def _pitches(self, array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(mask, pitches)`` of the pitch cells (see :meth:`_pitch_cells`)."""
        mask, offset = self._pitch_cells(array)
        return mask, array[mask].astype(np.int64) - offset

    def pitch_range(self, array: np.ndarray) -> tuple[int, int] | None:
        """``(lowest, highest)`` MIDI pitch of the pitched, non-drum notes ``array`` holds, or
        ``None`` when it holds none. A shift ``k`` is valid for :meth:`transpose` exactly when
        ``-lowest <= k <= 127 - highest``."""
        _, pitches = self._pitches(np.asarray(array))
        if not pitches.size:
            return None
        return int(pitches.min()), int(pitches.max())

    def transpose(self, array: np.ndarray, semitones: int) -> np.ndarray:
        """A new array (same shape and dtype) with every pitched non-drum note moved by
        ``semitones``; drum notes and every other code unchanged.

        ``decode(transpose(a, k))`` equals ``decode(a)`` transposed with
        :func:`orchestrion.core.ops.transpose` (codecs that merge all tracks into one know
        no drums: they move every note, unless their config says ``is_drum=True``, when
        they move none). Raises ``ValueError`` (:class:`ValidationError`) when
        ``semitones`` is not a whole number or a pitch would leave 0-127: the valid shifts
        are ``-lo .. 127 - hi`` with ``(lo, hi) = pitch_range(array)``. The input is never
        changed.
        """
        k = _semitones(semitones)
        array = np.asarray(array)
        mask, pitches = self._pitches(array)
        out = array.copy()
        if k == 0 or not pitches.size:
            return out
        _check_shift(self, int(pitches.min()), int(pitches.max()), k)
        out[mask] = (array[mask].astype(np.int64) + k).astype(array.dtype)
        return out

    # --- helpers for subclasses -----------------------------------------------------------
    def _rescaled(self, music: Music) -> Music:
        """``music`` itself at :attr:`resolution`, or a rescaled copy (input never changed)."""
        if music.resolution == self.resolution:
            return music
        return music.copy().adjust_resolution(self.resolution)

    def _new_music(self, qpm: float | None = None) -> Music:
        """An empty ``Music`` at :attr:`resolution` with one tempo (config ``qpm``, or 120)."""
        if qpm is None:
            qpm = float(self._config.get("qpm", DEFAULT_QPM))
        return Music(resolution=self.resolution, tempos=[Tempo(0, qpm)])

    # --- grammar --------------------------------------------------------------------------
    def check(self, array: np.ndarray) -> None:
        """Raise :class:`ValidationError` naming the first problem (row and field), if any.

        The base checks: an integer (or bool) dtype; 1-D (one field only) or 2-D with one
        column per vocabulary field; every code in ``0 .. size-1`` of its field.
        Subclasses add rules in :meth:`_check_grammar`.
        """
        array = np.asarray(array)
        cls = type(self).__name__
        if array.dtype.kind not in "iub":
            raise ValidationError(f"{cls}: array must hold integers, got dtype {array.dtype}")
        vocabulary = self.vocabulary
        fields = list(vocabulary)
        if array.ndim == 1 and len(fields) == 1:
            columns = array[:, None]
        elif array.ndim == 2 and array.shape[1] == len(fields):
            columns = array
        else:
            raise ValidationError(
                f"{cls}: array of shape {array.shape} does not fit the {len(fields)} field(s) "
                f"{fields}"
            )
        for j, field in enumerate(fields):
            column = columns[:, j].astype(np.int64, copy=False)
            bad = (column < 0) | (column >= vocabulary[field])
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValidationError(
                    f"{cls}: row {row}, field {field!r}: code {int(column[row])} outside "
                    f"0..{vocabulary[field] - 1}"
                )
        self._check_grammar(array)

    def _check_grammar(self, array: np.ndarray) -> None:  # noqa: B027  (optional hook)
        """Codec-specific rules; called by :meth:`check` after the base checks passed."""

    def is_valid(self, array: np.ndarray) -> bool:
        """Whether :meth:`check` passes."""
        try:
            self.check(array)
        except ValidationError:
            return False
        return True

    # --- configuration --------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """The JSON-able constructor arguments that rebuild this codec."""
        return dict(self._config)

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> Representation:
        """Build a codec from :meth:`config` output (or a whole saved JSON object)."""
        if "config" in data and "class" in data:
            return _from_saved(data)
        return cls(**data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``{"class", "version", "config"}`` as JSON, atomically (temp file + rename)."""
        path = Path(path)
        text = json.dumps({"class": self.name, "version": self.version,
                           "config": self.config()}, indent=2, sort_keys=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Representation):
            return NotImplemented
        return type(self) is type(other) and self.config() == other.config()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def _semitones(semitones: int) -> int:
    """``semitones`` as an ``int``; ``ValidationError`` unless it is a whole number."""
    try:
        k = int(semitones)
    except (TypeError, ValueError):
        raise ValidationError(f"transpose needs a whole number of semitones, "
                              f"got {semitones!r}") from None
    if k != semitones:
        raise ValidationError(f"transpose needs a whole number of semitones, got {semitones!r}")
    return k


def _check_shift(codec: Representation, low: int, high: int, k: int) -> None:
    """``ValidationError`` when shifting pitches ``low .. high`` by ``k`` leaves 0-127."""
    if low + k < 0 or high + k > 127:
        raise ValidationError(
            f"{type(codec).__name__}: transpose by {k} pushes pitches {low}-{high} outside "
            f"0-127 (valid shifts: {-low} .. {127 - high})")


def register(cls: _R) -> _R:
    """Class decorator: make ``cls`` known by ``cls.name`` to ``get`` and ``load``."""
    name = cls.name
    if name in REGISTRY and REGISTRY[name] is not cls:
        raise ValueError(f"representation name {name!r} already registered by "
                         f"{REGISTRY[name].__name__}")
    REGISTRY[name] = cls
    return cls


def _from_saved(data: dict[str, Any]) -> Representation:
    from orchestrion.representations import codec_class

    name = data.get("class")
    if not isinstance(name, str):
        raise ValueError(f"saved representation has no class name: {data!r}")
    cls = codec_class(name)
    version = data.get("version", 1)
    if not isinstance(version, int) or version > cls.version:
        raise ValueError(
            f"saved representation {name!r} has version {version}, newer than this "
            f"orchestrion's {cls.version}: upgrade orchestrion to read it"
        )
    config = data.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"saved representation {name!r}: config must be an object")
    return cls(**config)


def load(path: str | os.PathLike[str]) -> Representation:
    """Rebuild a codec saved with :meth:`Representation.save`.

    Refuses an unknown class name or a version newer than the installed codec's.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not a saved representation (invalid JSON: {error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a saved representation (expected a JSON object)")
    try:
        return _from_saved(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
