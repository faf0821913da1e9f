"""Part-labelled note sequence: one row per note with the part it belongs to.

The representation of automatic instrumentation (Dong, Donahue, Berg-Kirkpatrick and McAuley,
ISMIR 2021, arXiv 2107.05916): a multitrack piece is downmixed into one note sequence, each
note labelled with its part, and a model learns to predict the labels from the notes.

Layout: ``int64`` array of shape ``(N, 4)``, one row per note::

    column 0  time      onset in ticks (at ``resolution`` ticks per quarter; default 24)
    column 1  pitch     MIDI pitch 0-127
    column 2  duration  ticks
    column 3  part      index into the config's ``parts`` (0 .. K-1)

Rows are sorted by (time, pitch, duration, part), the paper's order (part last only to
make unisons of two parts deterministic).

Which track feeds which part (config ``assign``):

- ``"name"``: a track joins the part whose name equals the track's name (case and outer
  spaces ignored): ``Soprano``/``Alto``/``Tenor``/``Bass`` of the chorales, ``Violin I`` ...
  of the quartets. Tracks matching no part are left out, as are drum tracks.
- ``"order"``: the i-th non-drum track is part i (NES: pulse 1, pulse 2, triangle; tracks
  past the K-th are left out).
- ``"family"``: a track joins the part named after its General MIDI family
  (:func:`orchestrion.core.gm.program_family`: ``Piano``, ``Guitar``, ``Bass``, ``Strings``,
  ``Brass``, ...; drums are the family ``Drums``), as the paper groups Lakh MIDI's tracks.

Decoding gives one track per part (``programs`` from the config, names from ``parts``;
empty parts are kept so track i is always part i) with velocity ``default_velocity`` and
one tempo ``qpm``; :meth:`PartsRepresentation.assemble` splits notes that carry their own
velocities (the ``arrange`` pipeline keeps the input's). Velocity, tempo and everything else
are not encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from orchestrion.core.gm import program_family
from orchestrion.core.model import Music, Tempo, Track
from orchestrion.core.notes import NoteArray
from orchestrion.errors import ValidationError
from orchestrion.representations.base import DEFAULT_QPM, Representation, register

__all__ = ["ASSIGN_RULES", "PartsRepresentation", "sort_rows"]

ASSIGN_RULES = ("name", "order", "family")
MAX_TICK = 2**31 - 1


def sort_rows(array: np.ndarray) -> np.ndarray:
    """``array`` (rows of time, pitch, duration[, part]) sorted by its columns in order."""
    array = np.asarray(array)
    if len(array) < 2:
        return array
    order = np.lexsort(tuple(array[:, j] for j in range(array.shape[1] - 1, -1, -1)))
    return array[order]


@register
class PartsRepresentation(Representation):
    """Rows of ``(time, pitch, duration, part)``; see the module docstring."""

    name = "parts"
    version = 1

    def __init__(self, resolution: int = 24, *, parts: Sequence[str] = ("Soprano", "Alto",
                 "Tenor", "Bass"), programs: Sequence[int] | None = None,
                 assign: str = "name", default_velocity: int = 64, qpm: float = DEFAULT_QPM,
                 max_tick: int = MAX_TICK, **config: Any) -> None:
        parts = [str(p) for p in parts]
        if len(parts) < 1:
            raise ValueError("parts: at least one part is needed")
        keys = [p.strip().casefold() for p in parts]
        if len(set(keys)) != len(keys):
            raise ValueError(f"parts: names must differ (case ignored), got {parts}")
        programs = [0] * len(parts) if programs is None else [int(p) for p in programs]
        if len(programs) != len(parts):
            raise ValueError(f"programs: one per part ({len(parts)}), got {len(programs)}")
        if any(not 0 <= p <= 127 for p in programs):
            raise ValueError(f"programs must be 0-127, got {programs}")
        if assign not in ASSIGN_RULES:
            raise ValueError(f"assign must be one of {', '.join(ASSIGN_RULES)}, got {assign!r}")
        if not 0 <= int(default_velocity) <= 127:
            raise ValueError(f"default_velocity must be 0-127, got {default_velocity}")
        if not float(qpm) > 0:
            raise ValueError(f"qpm must be > 0, got {qpm}")
        super().__init__(resolution, parts=parts, programs=programs, assign=assign,
                         default_velocity=int(default_velocity), qpm=float(qpm),
                         max_tick=int(max_tick), **config)
        self.parts = tuple(parts)
        self.programs = tuple(programs)
        self.assign = assign
        self.default_velocity = int(default_velocity)
        self.qpm = float(qpm)
        self.max_tick = int(max_tick)
        self._keys = {key: i for i, key in enumerate(keys)}

    @property
    def n_parts(self) -> int:
        """K, the number of parts."""
        return len(self.parts)

    @property
    def vocabulary(self) -> dict[str, int]:
        return {"time": self.max_tick + 1, "pitch": 128, "duration": self.max_tick + 1,
                "part": self.n_parts}

    # --- encoding -------------------------------------------------------------------------
    def part_of(self, track: Track, index: int) -> int | None:
        """The part that ``track`` (the ``index``-th non-drum track) feeds, or ``None``."""
        if self.assign == "order":
            return None if track.is_drum or index >= self.n_parts else index
        if self.assign == "family":
            key = program_family(track.program, track.is_drum)
        else:
            if track.is_drum:
                return None
            key = track.name or ""
        return self._keys.get(key.strip().casefold())

    def encode(self, music: Music) -> np.ndarray:
        music = self._rescaled(music)
        blocks = []
        pitched = 0
        for track in music.tracks:
            part = self.part_of(track, pitched)
            pitched += not track.is_drum
            if part is None or not track.notes:
                continue
            notes = track.note_array()
            blocks.append(np.stack([notes.time, notes.pitch, notes.duration,
                                    np.full(len(notes), part, np.int64)], axis=1))
        if not blocks:
            return np.zeros((0, 4), np.int64)
        return sort_rows(np.concatenate(blocks).astype(np.int64, copy=False))

    # --- decoding -------------------------------------------------------------------------
    def decode(self, array: np.ndarray) -> Music:
        array = self._columns(array)
        notes = NoteArray(array[:, 0], array[:, 1], array[:, 2],
                          np.full(len(array), self.default_velocity, np.int64))
        return self.assemble(notes, array[:, 3])

    def assemble(self, notes: NoteArray, labels: np.ndarray, template: Music | None = None
                 ) -> Music:
        """A piece with one track per part (part i is track i, named and programmed from
        the config) holding ``notes[labels == i]``. With a ``template``, the piece is a copy
        of it without its tracks (tempos, key and time signatures, beats, lyrics,
        annotations, metadata and resolution kept), and ``notes`` are in its ticks; without,
        the piece is at :attr:`resolution` with one tempo ``qpm``."""
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (len(notes),):
            raise ValueError(f"labels: one per note ({len(notes)}), got shape {labels.shape}")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.n_parts):
            raise ValueError(f"labels must be parts 0..{self.n_parts - 1}")
        if template is None:
            music = Music(resolution=self.resolution, tempos=[Tempo(0, self.qpm)])
        else:
            music = template.copy()
            music.tracks = []
        for part, (name, program) in enumerate(zip(self.parts, self.programs, strict=True)):
            track = Track(program=program, is_drum=False, name=name)
            track.set_note_array(notes.take(np.flatnonzero(labels == part)).sorted())
            music.tracks.append(track)
        return music

    # --- grammar and transposition --------------------------------------------------------
    def _columns(self, array: np.ndarray) -> np.ndarray:
        array = np.asarray(array)
        if array.ndim != 2 or array.shape[1] != 4:
            raise ValidationError(f"PartsRepresentation: expected shape (N, 4), got "
                                  f"{array.shape}")
        return array.astype(np.int64, copy=False)

    def _pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int]:
        """Column 1 of every row holds a pitch (code = pitch)."""
        array = self._columns(array)
        mask = np.zeros(array.shape, dtype=bool)
        mask[:, 1] = True
        return mask, 0

    def _check_grammar(self, array: np.ndarray) -> None:
        array = self._columns(array)
        if len(array) < 2:
            return
        a, b = array[:-1], array[1:]
        # Row r+1 must not come before row r in (time, pitch, duration, part) order.
        later = np.zeros(len(a), dtype=bool)
        equal = np.ones(len(a), dtype=bool)
        for j in range(4):
            later |= equal & (b[:, j] > a[:, j])
            equal &= b[:, j] == a[:, j]
        bad = np.flatnonzero(~(later | equal))
        if len(bad):
            row = int(bad[0]) + 1
            raise ValidationError(f"PartsRepresentation: row {row} ({array[row].tolist()}) "
                                  f"comes before row {row - 1} ({array[row - 1].tolist()}) in "
                                  f"(time, pitch, duration, part) order")
