"""Piano-roll representation: a time x pitch grid, with an optional onset channel.

Layout: ``uint8`` array of shape ``(T, 128)`` (``(T, 256)`` with ``use_onset_channel``), ``T``
= end of the last note in ticks, one row per tick at ``resolution``::

    [t, p]        velocity of pitch p sounding at tick t (0: silent); with
                  ``encode_velocity=False`` 1 for sounding
    [t, 128 + p]  1 where a note of pitch p starts at tick t (only with use_onset_channel)

Vocabulary: one field per column, ``"pitch_0" .. "pitch_127"`` of 128 codes (2 without
velocity) then ``"onset_0" .. "onset_127"`` of 2 codes. Grammar: an onset only where the pitch
sounds.

Encoding merges all tracks (drums included). Where notes of one pitch overlap, a tick takes
the largest velocity; a velocity-0 note is written as velocity 1 so it is not lost.

Decoding: a note of pitch p runs over consecutive sounding ticks; with the onset channel a new
note also starts at every onset, so touching notes of one pitch stay apart (without it they
merge into one note, as in MusPy). The velocity is the roll's value at the onset
(``default_velocity`` without velocity). One track (config ``program``, ``is_drum``),
``tempos=[Tempo(0, qpm)]``.

Lost: zero-length notes, velocity-0 (decoded as 1), the velocity changes of overlapping notes
of one pitch, and without the onset channel the boundary between touching notes of one pitch.

Differences from MusPy: ``T`` rows, not ``T + 1`` (MusPy's last row is always empty); the onset
channel (off by default in ``orchestrion.compat.muspy``, which returns MusPy's layout);
velocity-0 notes kept; overlapping notes take the largest velocity (MusPy: the later note's);
``encode_velocity=False`` gives 0/1 ``uint8`` (``compat`` returns MusPy's ``bool``); the
decoder keeps ``resolution`` and sets a tempo; an empty piece encodes to ``(0, 128)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import Music
from orchestrion.errors import ValidationError
from orchestrion.representations._common import TrackCodec, merged_notes
from orchestrion.representations.base import _check_shift, _semitones, register


@register
class PianorollRepresentation(TrackCodec):
    """A (ticks x 128) roll of velocities, optionally with 128 onset columns."""

    name = "pianoroll"
    version = 1

    def __init__(self, resolution: int = 24, *, encode_velocity: bool = True,
                 use_onset_channel: bool = True, **config: Any) -> None:
        super().__init__(resolution, encode_velocity=bool(encode_velocity),
                         use_onset_channel=bool(use_onset_channel), **config)
        self.encode_velocity = bool(encode_velocity)
        self.use_onset_channel = bool(use_onset_channel)

    @property
    def vocabulary(self) -> dict[str, int]:
        size = 128 if self.encode_velocity else 2
        vocabulary = {f"pitch_{p}": size for p in range(128)}
        if self.use_onset_channel:
            vocabulary.update({f"onset_{p}": 2 for p in range(128)})
        return vocabulary

    @property
    def width(self) -> int:
        return 256 if self.use_onset_channel else 128

    def encode(self, music: Music) -> np.ndarray:
        notes = merged_notes(music, self.resolution)
        keep = notes.duration > 0
        time, pitch, duration = notes.time[keep], notes.pitch[keep], notes.duration[keep]
        velocity = np.maximum(notes.velocity[keep], 1) if self.encode_velocity else \
            np.ones(len(time), np.int64)
        length = int((time + duration).max()) if len(time) else 0
        roll = np.zeros((length, self.width), dtype=np.uint8)
        if not len(time):
            return roll
        cells = int(duration.sum())
        within = np.arange(cells) - np.repeat(np.cumsum(duration) - duration, duration)
        rows = np.repeat(time, duration) + within
        columns = np.repeat(pitch, duration)
        values = np.repeat(velocity, duration).astype(np.uint8)
        flat = roll.reshape(-1)
        np.maximum.at(flat, rows * self.width + columns, values)
        if self.use_onset_channel:
            roll[time, 128 + pitch] = 1
        return roll

    def decode(self, array: np.ndarray) -> Music:
        array = np.asarray(array)
        if array.ndim != 2 or array.shape[1] != self.width:
            raise ValidationError(f"PianorollRepresentation: expected shape (T, {self.width}),"
                                  f" got {array.shape}")
        length = array.shape[0]
        # One row per pitch, padded with a silent tick so every run ends inside its row.
        roll = np.zeros((128, length + 1), dtype=np.int64)
        roll[:, :length] = array[:, :128].T
        active = roll > 0
        previous = np.zeros_like(active)
        previous[:, 1:] = active[:, :-1]
        start = active & ~previous
        if self.use_onset_channel:
            onset = np.zeros_like(active)
            onset[:, :length] = array[:, 128:].T > 0
            start |= active & onset
        boundary = (start | (~active & previous)).reshape(-1)
        edges = np.flatnonzero(boundary)
        starts = np.flatnonzero(start.reshape(-1))
        ends = edges[np.searchsorted(edges, starts) + 1]
        pitch, time = np.divmod(starts, length + 1)
        velocity = roll.reshape(-1)[starts] if self.encode_velocity else self.default_velocity
        return self._music(time, pitch, ends - starts, velocity)

    # --- transposition ----------------------------------------------------------------------
    def _sounding_columns(self, array: np.ndarray) -> np.ndarray:
        """The pitches with a non-zero cell (in the pitch or the onset block), sorted."""
        array = np.asarray(array)
        if array.ndim != 2 or array.shape[1] != self.width:
            raise ValidationError(f"PianorollRepresentation: expected shape (T, {self.width}),"
                                  f" got {array.shape}")
        used = (array != 0).any(axis=0)
        if self.use_onset_channel:
            used = used[:128] | used[128:]
        return np.flatnonzero(used)

    def pitch_range(self, array: np.ndarray) -> tuple[int, int] | None:
        """Lowest and highest pitch column with a non-zero cell (``None`` for an empty roll or
        with ``is_drum``, where every note is a drum)."""
        columns = self._sounding_columns(array)
        if self.is_drum or not len(columns):
            return None
        return int(columns[0]), int(columns[-1])

    def transpose(self, array: np.ndarray, semitones: int) -> np.ndarray:
        """Shift the pitch columns (and the onset columns) by ``semitones``: column ``p`` moves
        to ``p + semitones``. See :meth:`Representation.transpose`."""
        k = _semitones(semitones)
        array = np.asarray(array)
        span = self.pitch_range(array)
        out = array.copy()
        if k == 0 or span is None:
            return out
        _check_shift(self, span[0], span[1], k)
        out[:] = 0
        source = slice(max(-k, 0), 128 - max(k, 0))
        target = slice(max(k, 0), 128 + min(k, 0))
        for block in range(self.width // 128):  # pitch block, then the onset block
            base = 128 * block
            out[:, base + target.start:base + target.stop] = \
                array[:, base + source.start:base + source.stop]
        return out

    def _check_grammar(self, array: np.ndarray) -> None:
        if not self.use_onset_channel:
            return
        bad = np.argwhere((array[:, 128:] > 0) & (array[:, :128] == 0))
        if len(bad):
            row, pitch = (int(x) for x in bad[0])
            raise ValidationError(f"PianorollRepresentation: row {row}, field "
                                  f"'onset_{pitch}': onset where the pitch is silent")
