"""Shared pieces of the MusPy-style codecs: merging tracks and building the decoded piece."""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import Music, Tempo, Track
from orchestrion.core.notes import NoteArray
from orchestrion.representations.base import DEFAULT_QPM, Representation


def merged_notes(music: Music, resolution: int) -> NoteArray:
    """All notes of all tracks (drums included; chords ignored), at ``resolution`` ticks per
    quarter, sorted by (time, pitch, duration, velocity) as MusPy sorts them."""
    notes = NoteArray.concatenate(track.note_array() for track in music.tracks)
    if music.resolution != resolution and len(notes):
        from orchestrion.core import ops

        # Rescale only the merged notes (no copy of the whole piece), as adjust_resolution does.
        piece = Music(resolution=music.resolution, tracks=[Track(notes=notes.copy())])
        notes = ops.adjust_resolution(piece, resolution).tracks[0].note_array()
    return notes.sorted()


class TrackCodec(Representation):
    """A codec that decodes to one track: config ``program``, ``is_drum``,
    ``default_velocity`` (used when velocity is not encoded) and ``qpm`` (the one tempo)."""

    def __init__(self, resolution: int = 24, *, program: int = 0, is_drum: bool = False,
                 default_velocity: int = 64, qpm: float = DEFAULT_QPM, **config: Any) -> None:
        if not 0 <= int(program) <= 127:
            raise ValueError(f"program must be 0-127, got {program}")
        if not 0 <= int(default_velocity) <= 127:
            raise ValueError(f"default_velocity must be 0-127, got {default_velocity}")
        if not float(qpm) > 0:
            raise ValueError(f"qpm must be > 0, got {qpm}")
        super().__init__(resolution, program=int(program), is_drum=bool(is_drum),
                         default_velocity=int(default_velocity), qpm=float(qpm), **config)
        self.program = int(program)
        self.is_drum = bool(is_drum)
        self.default_velocity = int(default_velocity)
        self.qpm = float(qpm)

    def _music(self, time: np.ndarray, pitch: np.ndarray, duration: np.ndarray,
               velocity: np.ndarray | int) -> Music:
        """Decoded piece: one track of these notes (sorted), one tempo ``qpm``."""
        notes = NoteArray(time, pitch, duration, velocity).sorted()
        track = Track(program=self.program, is_drum=self.is_drum)
        track.set_note_array(notes)
        return Music(resolution=self.resolution, tempos=[Tempo(0, self.qpm)], tracks=[track])

    def _pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int | np.ndarray]:
        """The merged track knows no drums: every pitch cell is pitched, unless the config
        says ``is_drum`` (then the decoded track is a drum track and none is)."""
        mask, offset = self._track_pitch_cells(np.asarray(array))
        if self.is_drum:
            mask = np.zeros_like(mask)
            offset = offset if np.isscalar(offset) else np.zeros(0, dtype=np.int64)
        return mask, offset

    def _track_pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int | np.ndarray]:
        """The codec's pitch cells (see ``Representation._pitch_cells``), drums ignored."""
        raise NotImplementedError(f"{type(self).__name__} ({self.name!r}) does not support "
                                  "pitch_range/transpose")

    @staticmethod
    def _flat(array: np.ndarray) -> np.ndarray:
        """A (T,) or (T, 1) token array as 1-D int64."""
        array = np.asarray(array)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        return array.astype(np.int64, copy=False)
