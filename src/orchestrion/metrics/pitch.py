"""Pitch metrics of MusPy (Dong et al., "MusPy: A Toolkit for Symbolic Music Generation",
ISMIR 2020), with MusPy's values by default: pitch range, pitches and pitch classes used,
scale agreement, entropies, polyphony.

Drum tracks are ignored throughout (their "pitches" are instruments). Where MusPy is wrong,
``corrected=True`` gives the fixed value; each docstring says exactly what changes.
"""

from __future__ import annotations

import numpy as np

from orchestrion.core.model import Music
from orchestrion.metrics._common import (
    NAN,
    entropy_bits,
    merge_intervals,
    muspy_length,
    notes_of,
)

_MAJOR = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], dtype=bool)
_MINOR = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], dtype=bool)
# Row k < 12: major scale on root k; row 12 + k: natural minor on root k.
SCALES = np.stack([np.roll(_MAJOR, k) for k in range(12)]
                  + [np.roll(_MINOR, k) for k in range(12)])


def scale_mask(root: int, mode: str) -> np.ndarray:
    """The 12 pitch classes of the major or natural minor scale on ``root`` (a bool mask)."""
    mode = mode.lower()
    if mode not in ("major", "minor"):
        raise ValueError(f"mode must be 'major' or 'minor', got {mode!r}")
    return SCALES[(12 if mode == "minor" else 0) + int(root) % 12]


def pitch_class_counts(music: Music) -> np.ndarray:
    """Number of non-drum notes of each pitch class 0-11."""
    return np.bincount(notes_of(music).pitch % 12, minlength=12)


def pitch_range(music: Music, *, corrected: bool = False) -> int:
    """Highest minus lowest pitch of the non-drum notes; 0 without notes.

    ``max(pitch) - min(pitch)``. MusPy (Dong et al. 2020) returns 0 only when no track at all
    has notes; when only drum tracks have notes it returns ``0 - 127 = -127`` (its running
    maximum and minimum start at 0 and 127). ``corrected=True`` returns 0 then too.
    """
    pitch = notes_of(music).pitch
    if len(pitch):
        return int(pitch.max() - pitch.min())
    if corrected or not any(track.n_notes for track in music.tracks):
        return 0
    return -127


def n_pitches_used(music: Music) -> int:
    """Number of distinct MIDI pitches among the non-drum notes (Dong et al. 2020)."""
    return int(np.count_nonzero(np.bincount(notes_of(music).pitch, minlength=128)))


def n_pitch_classes_used(music: Music) -> int:
    """Number of distinct pitch classes (pitch mod 12) among the non-drum notes."""
    return int(np.count_nonzero(pitch_class_counts(music)))


def pitch_in_scale_rate(music: Music, root: int, mode: str) -> float:
    """Fraction of non-drum notes whose pitch class is in the ``root`` ``mode`` scale.

    ``#(notes in scale) / #(notes)``, ``mode`` 'major' or 'minor' (natural minor), NaN
    without notes (Dong et al. 2020, after MuseGAN).
    """
    counts = pitch_class_counts(music)
    total = int(counts.sum())
    if total < 1:
        return NAN
    return int(counts[scale_mask(root, mode)].sum()) / total


def scale_consistency(music: Music) -> float:
    """Largest pitch-in-scale rate over the 24 major and natural-minor scales; NaN without
    notes (Dong et al. 2020, after Mogren's C-RNN-GAN, 2016).

    ``max over root, mode of pitch_in_scale_rate(root, mode)``, computed as one
    (24 x 12) @ (12,) product of scale masks and the pitch-class histogram.
    """
    counts = pitch_class_counts(music)
    total = int(counts.sum())
    if total < 1:
        return NAN
    return int((SCALES @ counts).max()) / total


def pitch_entropy(music: Music) -> float:
    """Shannon entropy (bits) of the normalised 128-bin pitch histogram of the non-drum notes:
    ``-sum_i P(pitch = i) log2 P(pitch = i)``; NaN without notes (Dong et al. 2020)."""
    return entropy_bits(np.bincount(notes_of(music).pitch, minlength=128))


def pitch_class_entropy(music: Music) -> float:
    """Shannon entropy (bits) of the normalised 12-bin pitch-class histogram of the non-drum
    notes; NaN without notes (Dong et al. 2020; Wu & Yang, "The Jazz Transformer on the Front
    Line", ISMIR 2020)."""
    return entropy_bits(pitch_class_counts(music))


def _pitch_intervals(music: Music) -> tuple[np.ndarray, np.ndarray]:
    """Per pitch, the union of the non-drum notes' sounding spans ``[time, end)``: the cells
    that MusPy's binary piano roll switches on, as merged intervals (no roll is built)."""
    notes = notes_of(music)
    start, end = merge_intervals(notes.time, notes.end, group=notes.pitch)
    return start, end


def polyphony(music: Music) -> float:
    """Mean number of pitches sounding, over the time steps (ticks) where at least one does.

    ``#(on cells of the binary non-drum piano roll) / #(ticks with at least one pitch on)``;
    a pitch held by two tracks counts once; NaN when no note has a positive duration
    (Dong et al. 2020).
    """
    start, end = _pitch_intervals(music)
    if not len(start):
        return NAN
    any_start, any_end = merge_intervals(start, end)
    return int((end - start).sum()) / int((any_end - any_start).sum())


def polyphony_rate(music: Music, threshold: int = 2, *, corrected: bool = False) -> float:
    """Fraction of all time steps (ticks of the piece) with more than ``threshold`` distinct
    non-drum pitches sounding; NaN for a piece of length 0 (Dong et al. 2020; MuseGAN's
    "polyphonicity", Dong et al., AAAI 2018).

    ``#(ticks with > threshold pitches on) / length`` with ``length`` the end of the last
    note, chord, lyric or annotation of any track (drums included). With the default
    threshold 2 this counts only steps with three or more pitches, as MuseGAN's code does,
    while MusPy's docstring promises "time steps where multiple pitches are on" and calls
    ``threshold`` the number of pitches "to count into the numerator": a piece made only of
    two-note chords gets 0. ``corrected=True`` counts steps with *at least* ``threshold``
    pitches, so the default gives the documented "multiple pitches" rate.
    """
    length = muspy_length(music)
    if length < 1:
        return NAN
    least = threshold if corrected else threshold + 1  # fewest pitches a step needs
    if least <= 0:
        return 1.0  # every step qualifies, silent ones included
    start, end = _pitch_intervals(music)
    if not len(start):
        return 0.0
    times = np.concatenate((start, end))
    order = np.argsort(times, kind="stable")
    deltas = np.concatenate((np.ones(len(start), np.int64), -np.ones(len(end), np.int64)))
    active = np.cumsum(deltas[order])
    times = times[order]
    # ``active[k]`` pitches sound on [times[k], times[k + 1]); several events at one tick
    # leave zero-length segments between them, which add nothing.
    busy = active[:-1] >= least
    return int(np.diff(times)[busy].sum()) / length
