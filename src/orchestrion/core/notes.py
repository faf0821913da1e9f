"""Struct-of-arrays storage of notes, the form vectorised code works on.

A :class:`NoteArray` holds four equally long ``int64`` arrays: ``time`` (onset in ticks),
``pitch`` (MIDI number 0-127), ``duration`` (ticks) and ``velocity`` (0-127). Tracks keep their
notes in this form until someone asks for :class:`~orchestrion.core.model.Note` objects, so
reading an 80,000-note MIDI file never builds 80,000 Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from orchestrion.errors import ValidationError

if TYPE_CHECKING:
    from orchestrion.core.model import Note

FIELDS = ("time", "pitch", "duration", "velocity")


def _integers(values: Sequence[int] | np.ndarray | int, name: str,
              scalar_ok: bool = False) -> np.ndarray:
    """``values`` as a 1-D ``int64`` array; fractional or multi-dimensional input is an error
    rather than being truncated or flattened without a word."""
    array = np.asarray(values)
    if array.ndim > 1 or (array.ndim == 0 and not scalar_ok):
        raise ValidationError(f"note {name} must be a 1-D sequence, got shape {array.shape}")
    if array.dtype.kind == "f" and not np.array_equal(array, np.round(array)):
        raise ValidationError(f"note {name} must hold whole numbers, got fractions")
    if array.dtype.kind not in "iubf" and array.size:
        raise ValidationError(f"note {name} must be integers, got {array.dtype}")
    return array.astype(np.int64, copy=False)


class NoteArray:
    """Notes as four parallel ``int64`` arrays (``time``, ``pitch``, ``duration``, ``velocity``)."""

    __slots__ = FIELDS

    time: np.ndarray
    pitch: np.ndarray
    duration: np.ndarray
    velocity: np.ndarray

    def __init__(
        self,
        time: Sequence[int] | np.ndarray = (),
        pitch: Sequence[int] | np.ndarray = (),
        duration: Sequence[int] | np.ndarray = (),
        velocity: Sequence[int] | np.ndarray | int = 64,
    ) -> None:
        self.time = _integers(time, "time")
        self.pitch = _integers(pitch, "pitch")
        self.duration = _integers(duration, "duration")
        velocity_array = _integers(velocity, "velocity", scalar_ok=True)
        if velocity_array.ndim == 0:
            velocity_array = np.full(len(self.time), int(velocity_array), dtype=np.int64)
        self.velocity = velocity_array
        lengths = {len(self.time), len(self.pitch), len(self.duration), len(self.velocity)}
        if len(lengths) != 1:
            raise ValidationError(
                "note arrays differ in length: "
                f"time {len(self.time)}, pitch {len(self.pitch)}, "
                f"duration {len(self.duration)}, velocity {len(self.velocity)}"
            )

    @classmethod
    def empty(cls) -> NoteArray:
        return cls()

    @classmethod
    def from_notes(cls, notes: Iterable[Note]) -> NoteArray:
        """Collect ``Note`` objects into arrays (one pass over the objects)."""
        rows = [(n.time, n.pitch, n.duration, n.velocity) for n in notes]
        if not rows:
            return cls()
        table = np.array(rows, dtype=np.int64)
        return cls(table[:, 0], table[:, 1], table[:, 2], table[:, 3])

    @classmethod
    def concatenate(cls, arrays: Iterable[NoteArray]) -> NoteArray:
        parts = list(arrays)
        if not parts:
            return cls()
        return cls(*(np.concatenate([getattr(a, f) for a in parts]) for f in FIELDS))

    def to_notes(self) -> list[Note]:
        """Build ``Note`` objects (values already validated, so construction skips the checks)."""
        from orchestrion.core.model import Note

        make = Note._trusted
        return [
            make(t, p, d, v)
            for t, p, d, v in zip(
                self.time.tolist(),
                self.pitch.tolist(),
                self.duration.tolist(),
                self.velocity.tolist(),
                strict=True,
            )
        ]

    def __len__(self) -> int:
        return len(self.time)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NoteArray):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"NoteArray(n={len(self)})"

    def copy(self) -> NoteArray:
        return NoteArray(*(getattr(self, f).copy() for f in FIELDS))

    def take(self, index: np.ndarray) -> NoteArray:
        """Return the notes at ``index`` (integer indices or a boolean mask), as a new array."""
        return NoteArray(*(getattr(self, f)[index] for f in FIELDS))

    @property
    def end(self) -> np.ndarray:
        """Offsets ``time + duration`` of every note."""
        return self.time + self.duration

    def sort_order(self) -> np.ndarray:
        """Indices that sort by (time, pitch, duration, velocity), MusPy's note order; stable.

        Sorts one combined key ``time * 128 + pitch`` with timsort (``kind="stable"``), which
        is near linear on the almost sorted notes that parsers produce, then orders the few
        runs of notes that share time and pitch by (duration, velocity).
        """
        if len(self) < 2:
            return np.arange(len(self))
        primary = self.time * 128 + self.pitch
        order = np.argsort(primary, kind="stable")
        ordered = primary[order]
        tie = ordered[1:] == ordered[:-1]
        if tie.any():
            in_run = np.zeros(len(order), dtype=bool)
            in_run[:-1] |= tie
            in_run[1:] |= tie
            positions = np.flatnonzero(in_run)
            members = order[positions]
            # Runs are contiguous and already ordered by primary; lexsort is stable.
            within = np.lexsort((self.velocity[members], self.duration[members],
                                 ordered[positions]))
            order[positions] = members[within]
        return order

    def sorted(self) -> NoteArray:
        """The notes in :meth:`sort_order` (``self`` itself when already in order)."""
        order = self.sort_order()
        if (order == np.arange(len(order))).all():
            return self
        return self.take(order)

    def validate(self, where: str = "track") -> None:
        """Raise :class:`ValidationError` naming the first bad note, if any."""
        checks = (
            (self.time < 0, "negative time"),
            (self.duration < 0, "negative duration"),
            ((self.pitch < 0) | (self.pitch > 127), "pitch outside 0-127"),
            ((self.velocity < 0) | (self.velocity > 127), "velocity outside 0-127"),
        )
        for bad, problem in checks:
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValidationError(
                    f"{where}: note {i} has {problem} (time={self.time[i]}, "
                    f"pitch={self.pitch[i]}, duration={self.duration[i]}, "
                    f"velocity={self.velocity[i]})"
                )
