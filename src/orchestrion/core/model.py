"""The music object model: MusPy's classes, names and fields, with validation.

Times are integer ticks; ``Music.resolution`` ticks make one quarter note (MusPy's default 24).
Every class validates its values on construction and raises
:class:`~orchestrion.errors.ValidationError` with the offending field; ``Music.validate()``
re-checks a whole piece after in-place edits. Notes live in a :class:`NoteArray` until
``track.notes`` is asked for (see :class:`Track`).
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from orchestrion.core.notes import NoteArray
from orchestrion.errors import ValidationError

if TYPE_CHECKING:
    from orchestrion.core.timing import TempoMap

DEFAULT_RESOLUTION = 24
DEFAULT_VELOCITY = 64
SCHEMA_VERSION = "0.2"


def _check_time(obj: object, time: int) -> None:
    if time < 0:
        raise ValidationError(f"{type(obj).__name__}: negative time {time}")


def _check_range(obj: object, name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValidationError(f"{type(obj).__name__}: {name} {value} outside {low}-{high}")


@dataclass(slots=True)
class Note:
    """A note: onset ``time`` and ``duration`` in ticks, MIDI ``pitch``, ``velocity``."""

    time: int
    pitch: int
    duration: int
    velocity: int = DEFAULT_VELOCITY
    pitch_str: str | None = None

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        _check_range(self, "pitch", self.pitch, 0, 127)
        _check_range(self, "velocity", self.velocity, 0, 127)
        if self.duration < 0:
            raise ValidationError(f"Note: negative duration {self.duration}")

    @classmethod
    def _trusted(cls, time: int, pitch: int, duration: int, velocity: int) -> Note:
        # Values that came out of a validated NoteArray: skip the checks (hot path).
        note = object.__new__(cls)
        note.time, note.pitch, note.duration, note.velocity = time, pitch, duration, velocity
        note.pitch_str = None
        return note

    @property
    def end(self) -> int:
        return self.time + self.duration


@dataclass(slots=True)
class Chord:
    """Several pitches sounding together with one onset, duration and velocity."""

    time: int
    pitches: list[int]
    duration: int
    velocity: int = DEFAULT_VELOCITY
    pitches_str: list[str] | None = None

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        if self.duration < 0:
            raise ValidationError(f"Chord: negative duration {self.duration}")
        _check_range(self, "velocity", self.velocity, 0, 127)
        for pitch in self.pitches:
            _check_range(self, "pitch", pitch, 0, 127)

    @property
    def end(self) -> int:
        return self.time + self.duration


@dataclass(slots=True)
class Tempo:
    """Tempo change at ``time``, in quarter notes per minute (``qpm > 0``)."""

    time: int
    qpm: float

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        if not self.qpm > 0 or not np.isfinite(self.qpm):
            raise ValidationError(f"Tempo: qpm must be positive and finite, got {self.qpm}")


@dataclass(slots=True)
class KeySignature:
    """Key signature: ``root`` pitch class 0-11, ``mode`` ('major', 'minor', ...), ``fifths``
    (number of sharps, negative for flats, -7..7)."""

    time: int
    root: int | None = None
    mode: str | None = None
    fifths: int | None = None
    root_str: str | None = None

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        _check_range(self, "root", self.root, 0, 11)
        _check_range(self, "fifths", self.fifths, -7, 7)


@dataclass(slots=True)
class TimeSignature:
    """Time signature ``numerator/denominator`` from ``time`` on."""

    time: int
    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        if self.numerator < 1 or self.denominator < 1:
            raise ValidationError(
                f"TimeSignature: {self.numerator}/{self.denominator} must be positive"
            )


@dataclass(slots=True)
class Beat:
    time: int

    def __post_init__(self) -> None:
        _check_time(self, self.time)


@dataclass(slots=True)
class Barline:
    time: int

    def __post_init__(self) -> None:
        _check_time(self, self.time)


@dataclass(slots=True)
class Lyric:
    time: int
    lyric: str

    def __post_init__(self) -> None:
        _check_time(self, self.time)


@dataclass(slots=True)
class Annotation:
    """Free annotation; ``group`` says what kind (MIDI 'text', 'marker', 'cue', ...)."""

    time: int
    annotation: Any
    group: str | None = None

    def __post_init__(self) -> None:
        _check_time(self, self.time)


@dataclass(slots=True)
class ControlChange:
    """MIDI control change ``number`` (64 = sustain pedal) set to ``value`` 0-127.

    Not part of MusPy's model; orchestrion keeps it so MIDI round trips keep pedalling.
    """

    time: int
    number: int
    value: int

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        _check_range(self, "number", self.number, 0, 127)
        _check_range(self, "value", self.value, 0, 127)


@dataclass(slots=True)
class PitchBend:
    """MIDI pitch bend, ``value`` in -8192..8191 (0 = no bend). Not in MusPy's model."""

    time: int
    value: int

    def __post_init__(self) -> None:
        _check_time(self, self.time)
        _check_range(self, "value", self.value, -8192, 8191)


@dataclass(slots=True)
class Metadata:
    """Information about a piece; MusPy schema 0.2 fields."""

    schema_version: str = SCHEMA_VERSION
    title: str | None = None
    creators: list[str] | None = None
    copyright: str | None = None
    collection: str | None = None
    source_filename: str | None = None
    source_format: str | None = None


class Track:
    """One instrument part: ``program`` (General MIDI 0-127), ``is_drum``, ``name`` and events.

    Notes are stored either as ``Note`` objects or as a :class:`NoteArray`, whichever was
    given or last used; exactly one is the truth at a time. ``track.notes`` turns arrays into
    a list of objects (which then become the truth, so edits to them stick);
    ``track.note_array()`` reads either form without changing which is kept;
    ``track.set_note_array(...)`` replaces the notes (objects obtained earlier are detached).
    """

    __slots__ = (
        "_note_array",
        "_note_list",
        "annotations",
        "chords",
        "controls",
        "is_drum",
        "lyrics",
        "name",
        "pitch_bends",
        "program",
    )

    def __init__(
        self,
        program: int = 0,
        is_drum: bool = False,
        name: str | None = None,
        notes: Iterable[Note] | NoteArray | None = None,
        chords: list[Chord] | None = None,
        lyrics: list[Lyric] | None = None,
        annotations: list[Annotation] | None = None,
        controls: list[ControlChange] | None = None,
        pitch_bends: list[PitchBend] | None = None,
    ) -> None:
        if not 0 <= program <= 127:
            raise ValidationError(f"Track: program {program} outside 0-127")
        self.program = int(program)
        self.is_drum = bool(is_drum)
        self.name = name
        self._note_list: list[Note] | None = None
        self._note_array: NoteArray | None = None
        if isinstance(notes, NoteArray):
            self.set_note_array(notes)
        else:
            self._note_list = list(notes) if notes is not None else []
        self.chords = chords if chords is not None else []
        self.lyrics = lyrics if lyrics is not None else []
        self.annotations = annotations if annotations is not None else []
        self.controls = controls if controls is not None else []
        self.pitch_bends = pitch_bends if pitch_bends is not None else []

    @classmethod
    def from_arrays(
        cls,
        time: np.ndarray,
        pitch: np.ndarray,
        duration: np.ndarray,
        velocity: np.ndarray | int = DEFAULT_VELOCITY,
        **fields: Any,
    ) -> Track:
        """Build a track from note arrays (validated vectorised) and any other ``Track`` field."""
        return cls(notes=NoteArray(time, pitch, duration, velocity), **fields)

    @property
    def notes(self) -> list[Note]:
        if self._note_list is None:
            assert self._note_array is not None
            self._note_list = self._note_array.to_notes()
            self._note_array = None
        return self._note_list

    @notes.setter
    def notes(self, notes: Iterable[Note]) -> None:
        self._note_list = list(notes)
        self._note_array = None

    def note_array(self) -> NoteArray:
        """The notes as arrays. When arrays are kept this is the stored object itself."""
        if self._note_array is not None:
            return self._note_array
        return NoteArray.from_notes(self._note_list or ())

    def set_note_array(self, notes: NoteArray, *, validate: bool = True) -> None:
        if validate:
            notes.validate(f"track {self.name!r}")
        self._note_array = notes
        self._note_list = None

    @property
    def n_notes(self) -> int:
        if self._note_array is not None:
            return len(self._note_array)
        return len(self._note_list or ())

    def validate(self) -> None:
        """Re-check every event (after in-place edits); raise ``ValidationError`` if any is bad."""
        if not 0 <= self.program <= 127:
            raise ValidationError(f"track {self.name!r}: program {self.program} outside 0-127")
        self.note_array().validate(f"track {self.name!r}")
        for event in (*self.chords, *self.lyrics, *self.annotations, *self.controls,
                      *self.pitch_bends):
            event.__post_init__()

    def get_end_time(self) -> int:
        """Tick at which the last note, chord or event of this track ends (0 when empty)."""
        ends = [0]
        notes = self.note_array()
        if len(notes):
            ends.append(int(notes.end.max()))
        ends.extend(chord.end for chord in self.chords)
        ends.extend(e.time for e in (*self.lyrics, *self.annotations, *self.controls,
                                     *self.pitch_bends))
        return max(ends)

    def copy(self) -> Track:
        return _copy.deepcopy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Track:
        new = Track.__new__(Track)
        for name in Track.__slots__:
            setattr(new, name, _copy.deepcopy(getattr(self, name), memo))
        return new

    def _fields(self) -> tuple[Any, ...]:
        return (self.program, self.is_drum, self.name, self.chords, self.lyrics,
                self.annotations, self.controls, self.pitch_bends)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Track):
            return NotImplemented
        if self._fields() != other._fields() or self.note_array() != other.note_array():
            return False
        # pitch_str only lives on Note objects (arrays have none); comparing must not turn
        # either side's arrays into objects.
        return self._pitch_strs() == other._pitch_strs()

    def _pitch_strs(self) -> list[str | None]:
        if self._note_list is not None:
            return [note.pitch_str for note in self._note_list]
        return [None] * self.n_notes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Track(program={self.program}, is_drum={self.is_drum}, name={self.name!r}, "
                f"notes={self.n_notes}, chords={len(self.chords)})")


@dataclass(slots=True)
class Music:
    """A piece: global events (tempo, key, meter, ...) and a list of :class:`Track`.

    The methods are thin wrappers over :mod:`orchestrion.core.ops`; like MusPy's they change
    the piece in place and return it, so calls chain.
    """

    metadata: Metadata = field(default_factory=Metadata)
    resolution: int = DEFAULT_RESOLUTION
    tempos: list[Tempo] = field(default_factory=list)
    key_signatures: list[KeySignature] = field(default_factory=list)
    time_signatures: list[TimeSignature] = field(default_factory=list)
    barlines: list[Barline] = field(default_factory=list)
    beats: list[Beat] = field(default_factory=list)
    lyrics: list[Lyric] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.resolution < 1:
            raise ValidationError(f"Music: resolution must be >= 1 tick per quarter, "
                                  f"got {self.resolution}")

    def validate(self) -> Music:
        """Re-check the whole piece; raise ``ValidationError`` naming the first bad value."""
        self.__post_init__()
        for event in (*self.tempos, *self.key_signatures, *self.time_signatures,
                      *self.barlines, *self.beats, *self.lyrics, *self.annotations):
            event.__post_init__()  # type: ignore[attr-defined]
        for track in self.tracks:
            track.validate()
        return self

    def copy(self) -> Music:
        return _copy.deepcopy(self)

    @property
    def n_notes(self) -> int:
        return sum(track.n_notes for track in self.tracks)

    # --- thin wrappers over core.ops (imported lazily to keep the import graph one-way) ---
    def get_end_time(self) -> int:
        """End of the piece in ticks: the latest note/chord offset or event time."""
        from orchestrion.core import ops

        return ops.get_end_time(self)

    def get_real_end_time(self) -> float:
        """End of the piece in seconds, through the tempo map."""
        from orchestrion.core import ops

        return ops.get_real_end_time(self)

    def tempo_map(self) -> TempoMap:
        from orchestrion.core.timing import TempoMap

        return TempoMap.from_music(self)

    def transpose(self, semitones: int) -> Music:
        from orchestrion.core import ops

        return ops.transpose(self, semitones)

    def adjust_resolution(self, target: int | None = None, factor: float | None = None,
                          rounding: str = "round") -> Music:
        from orchestrion.core import ops

        return ops.adjust_resolution(self, target, factor, rounding)

    def quantize(self, grid: int, *, ends: bool = True) -> Music:
        from orchestrion.core import ops

        return ops.quantize(self, grid, ends=ends)

    def clip(self, lower: int = 0, upper: int = 127) -> Music:
        from orchestrion.core import ops

        return ops.clip(self, lower, upper)

    def trim(self, end: int) -> Music:
        from orchestrion.core import ops

        return ops.trim(self, end)

    def sort(self) -> Music:
        from orchestrion.core import ops

        return ops.sort(self)

    def remove_duplicate(self) -> Music:
        from orchestrion.core import ops

        return ops.remove_duplicate(self)

    def infer_barlines_and_beats(self, overwrite: bool = True) -> Music:
        from orchestrion.core import ops

        return ops.infer_barlines_and_beats(self, overwrite=overwrite)

    def merge_tracks(self, indices: Iterable[int] | None = None, **track_fields: Any) -> Music:
        from orchestrion.core import ops

        return ops.merge_tracks(self, indices, **track_fields)
