"""Note-based representation: one row per note.

Layout: ``int64`` array of shape ``(N, 4)``, one row per note, in MusPy's note order (time,
pitch, duration, velocity)::

    column 0  time      onset in ticks (at ``resolution`` ticks per quarter)
    column 1  pitch     MIDI pitch 0-127
    column 2  duration  ticks (or ``end = time + duration`` with ``use_start_end=True``)
    column 3  velocity  0-127 (absent with ``encode_velocity=False``: shape ``(N, 3)``)

All tracks are merged (drums included, chords ignored), as MusPy does. Lossless for the notes
of one track at ``resolution`` (program, drum flag, track name, tempo and everything else are
not encoded; decoding uses the config's ``program``, ``is_drum`` and ``qpm``).

Vocabulary: ``time`` and ``duration`` (or ``end``) take ``max_tick + 1`` codes (default
``max_tick = 2**31 - 1``), ``pitch`` and ``velocity`` 128. Grammar: rows sorted by time,
``end >= time`` with ``use_start_end``.

Differences from MusPy: the decoder keeps ``resolution`` and sets a tempo (MusPy issue 82);
an empty piece encodes to shape ``(0, 4)`` rather than raising; encoding and decoding are
vectorised (millions of notes per second).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import Music
from orchestrion.errors import ValidationError
from orchestrion.representations._common import TrackCodec, merged_notes
from orchestrion.representations.base import register

MAX_TICK = 2**31 - 1


@register
class NoteRepresentation(TrackCodec):
    """Rows of ``(time, pitch, duration, velocity)``; see the module docstring."""

    name = "note"
    version = 1

    def __init__(self, resolution: int = 24, *, use_start_end: bool = False,
                 encode_velocity: bool = True, max_tick: int = MAX_TICK,
                 **config: Any) -> None:
        super().__init__(resolution, use_start_end=bool(use_start_end),
                         encode_velocity=bool(encode_velocity), max_tick=int(max_tick),
                         **config)
        self.use_start_end = bool(use_start_end)
        self.encode_velocity = bool(encode_velocity)
        self.max_tick = int(max_tick)

    @property
    def vocabulary(self) -> dict[str, int]:
        vocabulary = {"time": self.max_tick + 1, "pitch": 128,
                      "end" if self.use_start_end else "duration": self.max_tick + 1}
        if self.encode_velocity:
            vocabulary["velocity"] = 128
        return vocabulary

    def encode(self, music: Music) -> np.ndarray:
        notes = merged_notes(music, self.resolution)
        columns = [notes.time, notes.pitch, notes.end if self.use_start_end else notes.duration]
        if self.encode_velocity:
            columns.append(notes.velocity)
        return np.stack(columns, axis=1) if len(notes) else np.zeros((0, len(columns)),
                                                                      np.int64)

    def decode(self, array: np.ndarray) -> Music:
        array = np.asarray(array)
        width = 4 if self.encode_velocity else 3
        if array.ndim != 2 or array.shape[1] != width:
            raise ValidationError(f"NoteRepresentation: expected shape (N, {width}), "
                                  f"got {array.shape}")
        array = array.astype(np.int64, copy=False)
        time = array[:, 0]
        duration = array[:, 2] - time if self.use_start_end else array[:, 2]
        velocity = array[:, 3] if self.encode_velocity else self.default_velocity
        return self._music(time, array[:, 1], duration, velocity)

    def _track_pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int]:
        """Column 1 of every row holds a pitch (code = pitch)."""
        width = 4 if self.encode_velocity else 3
        if array.ndim != 2 or array.shape[1] != width:
            raise ValidationError(f"NoteRepresentation: expected shape (N, {width}), "
                                  f"got {array.shape}")
        mask = np.zeros(array.shape, dtype=bool)
        mask[:, 1] = True
        return mask, 0

    def _check_grammar(self, array: np.ndarray) -> None:
        time = array[:, 0].astype(np.int64)
        back = np.flatnonzero(time[1:] < time[:-1])
        if len(back):
            row = int(back[0]) + 1
            raise ValidationError(f"NoteRepresentation: row {row}, field 'time': {time[row]} "
                                  f"before the previous row's {time[row - 1]}")
        if self.use_start_end:
            bad = np.flatnonzero(array[:, 2].astype(np.int64) < time)
            if len(bad):
                row = int(bad[0])
                raise ValidationError(f"NoteRepresentation: row {row}, field 'end': "
                                      f"{int(array[row, 2])} before time {time[row]}")
