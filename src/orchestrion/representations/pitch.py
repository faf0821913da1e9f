"""Pitch-based representation: one token per time step, for monophonic melodies.

Layout: ``int64`` array of shape ``(T,)``, ``T`` = end of the last note in ticks (one step
per tick at ``resolution``)::

    0-127  pitch sounding at this step (with ``use_hold_state``: a note starts here)
    128    rest
    129    hold: the note of the previous step goes on (only with ``use_hold_state``)

Vocabulary: ``{"pitch": 129}``, or ``{"pitch": 130}`` with ``use_hold_state``.
Grammar (hold state only): a hold never follows a rest or starts the sequence.

Encoding merges all tracks (drums included) and sorts the notes as MusPy does; where notes
overlap, the later one in that order overwrites the steps it covers (MusPy's behaviour), so
polyphonic input keeps one voice. Lost: velocity (decoded as ``default_velocity``), zero-length
notes, and without ``use_hold_state`` the boundary between repeated notes of one pitch that
touch (they decode as one long note). Decoding gives one track (config ``program``,
``is_drum``) and ``tempos=[Tempo(0, qpm)]``.

Differences from MusPy: rests are 128 also without ``use_hold_state`` (MusPy writes 0, the
pitch C-1, so its rests decode as notes; REFERENCES §1); with ``use_hold_state`` every pitch
token starts a new note (MusPy merges two equal pitch tokens in a row into one note); the
decoder works on numpy 2, keeps ``resolution`` and sets a tempo; an empty piece encodes to an
empty array rather than raising. The array is 1-D; MusPy's ``(T, 1)`` is accepted by
``decode`` and ``check`` (and returned by ``orchestrion.compat.muspy``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import Music
from orchestrion.errors import ValidationError
from orchestrion.representations._common import TrackCodec, merged_notes
from orchestrion.representations.base import register

REST = 128
HOLD = 129


@register
class PitchRepresentation(TrackCodec):
    """A pitch, rest or hold token per time step; see the module docstring."""

    name = "pitch"
    version = 1

    def __init__(self, resolution: int = 24, *, use_hold_state: bool = False,
                 **config: Any) -> None:
        super().__init__(resolution, use_hold_state=bool(use_hold_state), **config)
        self.use_hold_state = bool(use_hold_state)

    @property
    def vocabulary(self) -> dict[str, int]:
        return {"pitch": 130 if self.use_hold_state else 129}

    def encode(self, music: Music) -> np.ndarray:
        notes = merged_notes(music, self.resolution)
        keep = notes.duration > 0
        time, pitch, end = notes.time[keep], notes.pitch[keep], notes.end[keep]
        length = int(end.max()) if len(end) else 0
        array = np.full(length, REST, dtype=np.int64)
        if not len(time):
            return array
        onset_value = pitch
        fill_value = np.full(len(pitch), HOLD) if self.use_hold_state else pitch
        # Which note writes each step: the last (in sorted order) that covers it. Without
        # overlaps that is the only one, found in one vectorised pass.
        if (end[:-1] <= time[1:]).all():
            lengths = end - time
            steps = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths,
                                                              lengths)
            array[np.repeat(time, lengths) + steps] = np.repeat(fill_value, lengths)
            array[time] = onset_value
        else:  # polyphonic input: overwrite in order, as MusPy does
            for t, e, p, f in zip(time.tolist(), end.tolist(), onset_value.tolist(),
                                  fill_value.tolist(), strict=True):
                array[t] = p
                array[t + 1:e] = f
        return array

    def decode(self, array: np.ndarray) -> Music:
        tokens = self._flat(array)
        n = len(tokens)
        if self.use_hold_state:
            onset = np.flatnonzero(tokens < REST)
            # A note lasts over its holds: it ends at the next non-hold token.
            not_hold = np.flatnonzero(tokens != HOLD)
            nxt = np.searchsorted(not_hold, onset, side="right")
            bounds = np.append(not_hold, n)
            end = bounds[nxt]
        else:
            change = np.flatnonzero(np.diff(tokens, prepend=-1) != 0)
            bounds = np.append(change, n)
            onset = change[tokens[change] < REST]
            end = bounds[np.searchsorted(change, onset) + 1]
        return self._music(onset, tokens[onset], end - onset, self.default_velocity)

    def _track_pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int]:
        """Codes 0-127 are pitches (rest and hold are not)."""
        return (array >= 0) & (array < REST), 0

    def _check_grammar(self, array: np.ndarray) -> None:
        if not self.use_hold_state:
            return
        tokens = self._flat(array)
        previous = np.concatenate([[REST], tokens[:-1]])
        bad = np.flatnonzero((tokens == HOLD) & (previous == REST))
        if len(bad):
            raise ValidationError(f"PitchRepresentation: row {int(bad[0])}, field 'pitch': "
                                  "hold after a rest or at the start")
