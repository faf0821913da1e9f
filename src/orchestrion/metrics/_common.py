"""Shared helpers: the notes of a piece as flat arrays, MusPy's piece length, interval unions.

Every metric works on the concatenated :class:`~orchestrion.core.notes.NoteArray` of the
tracks it looks at (``Track.note_array()``; no ``Note`` objects are built), never on Python
loops over notes.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import numpy as np

from orchestrion.core.model import Music
from orchestrion.core.notes import NoteArray

Which = Literal["pitched", "drums", "all"]
NAN = math.nan


class Notes(NamedTuple):
    """Onsets, pitches and durations (ticks) of some tracks' notes, concatenated."""

    time: np.ndarray
    pitch: np.ndarray
    duration: np.ndarray

    @property
    def end(self) -> np.ndarray:
        return self.time + self.duration

    def __len__(self) -> int:  # the number of notes, not of fields
        return len(self.time)


_EMPTY = np.zeros(0, dtype=np.int64)


def notes_of(music: Music, which: Which = "pitched") -> Notes:
    """The notes of the non-drum tracks (``"pitched"``), the drum tracks or all tracks, as
    flat arrays (one ``np.concatenate`` per field; no validation, no objects)."""
    arrays = [track.note_array() for track in music.tracks
              if which == "all" or track.is_drum == (which == "drums")]
    if not arrays:
        return Notes(_EMPTY, _EMPTY, _EMPTY)
    if len(arrays) == 1:
        return Notes(arrays[0].time, arrays[0].pitch, arrays[0].duration)
    return Notes(np.concatenate([a.time for a in arrays]),
                 np.concatenate([a.pitch for a in arrays]),
                 np.concatenate([a.duration for a in arrays]))


def track_notes(music: Music, which: Which = "pitched") -> list[NoteArray]:
    """Each selected track's notes, sorted by (time, pitch), MusPy's note order."""
    return [track.note_array().sorted() for track in music.tracks
            if which == "all" or track.is_drum == (which == "drums")]


def muspy_length(music: Music) -> int:
    """MusPy's length of a piece for its metrics: the latest of every track's note and chord
    ends and lyric and annotation times (``max(track.get_end_time())``); controls and pitch
    bends (not in MusPy's model) and the piece-level events do not count. 0 without tracks."""
    end = 0
    for track in music.tracks:
        notes = track.note_array()
        if len(notes):
            end = max(end, int(notes.end.max()))
        for chord in track.chords:
            end = max(end, chord.end)
        for event in (*track.lyrics, *track.annotations):
            end = max(end, event.time)
    return end


def merge_intervals(start: np.ndarray, end: np.ndarray,
                    group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Union of half-open intervals ``[start, end)`` (empty ones dropped), within each
    ``group`` value separately when given; returns the merged starts and ends, sorted by
    (group, start). Overlapping and touching intervals merge. Vectorised: sort, then a
    running maximum of the ends decides where a new merged interval begins."""
    keep = end > start
    start, end = start[keep], end[keep]
    if not len(start):
        return start, end
    if group is not None:
        # Shift each group into its own range of the time axis, so one running maximum
        # serves all groups.
        span = int(end.max()) + 1
        offset = group[keep].astype(np.int64) * span
        start, end = start + offset, end + offset
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    new = np.ones(len(start), dtype=bool)
    new[1:] = start[1:] > reach[:-1]
    first = np.flatnonzero(new)
    merged_start = start[first]
    merged_end = np.maximum.reduceat(end, first)
    if group is not None:
        offset = (merged_start // span) * span
        merged_start, merged_end = merged_start - offset, merged_end - offset
    return merged_start, merged_end


def covered_units(first: np.ndarray, last: np.ndarray, n_units: int) -> np.ndarray:
    """Boolean mask of the ``n_units`` units (beats, measures) that some inclusive range
    ``first[i]..last[i]`` touches; a difference array, so no loop over ranges."""
    valid = last >= first
    marks = (np.bincount(first[valid], minlength=n_units + 1)
             - np.bincount(last[valid] + 1, minlength=n_units + 1))
    return np.cumsum(marks[:n_units]) > 0


def entropy_bits(counts: np.ndarray) -> float:
    """Shannon entropy in bits of a histogram of counts; NaN when the counts sum to 0."""
    total = counts.sum()
    if total < 1:
        return NAN
    p = counts / total
    # Zero bins contribute 0; summing the full-length array keeps numpy's pairwise order,
    # so the value is bit-identical to MusPy's ``-nansum(p * log2(p))``.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return float(-terms.sum())
