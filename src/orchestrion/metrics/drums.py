"""Drum metrics of MusPy (Dong et al., ISMIR 2020, after MuseGAN, AAAI 2018): how many drum
onsets fall on a duple or triple grid within the beat. Only drum tracks count."""

from __future__ import annotations

import numpy as np

from orchestrion.core.model import Music
from orchestrion.metrics._common import NAN, notes_of


def drum_pattern(resolution: int, meter: str) -> np.ndarray:
    """Bool mask over the ``resolution`` tick positions of one beat (a quarter note): the
    downbeat, plus for ``"duple"`` the 8th- and 16th-note positions (where ``resolution``
    divides by 2 and 4), for ``"triple"`` the 8th-note-triplet positions (where it divides
    by 3). MusPy's pattern."""
    meter = meter.lower()
    if meter not in ("duple", "triple"):
        raise ValueError(f"meter must be 'duple' or 'triple', got {meter!r}")
    pattern = np.zeros(resolution, dtype=bool)
    pattern[0] = True
    for parts in ((4, 2) if meter == "duple" else (3,)):
        if resolution % parts == 0:
            pattern[:: resolution // parts] = True
    return pattern


def drum_in_pattern_rate(music: Music, meter: str) -> float:
    """Fraction of drum notes whose onset lies on the ``meter`` grid of :func:`drum_pattern`
    (``time mod resolution``): ``#(drum notes in pattern) / #(drum notes)``; NaN without
    drum notes (Dong et al. 2020)."""
    pattern = drum_pattern(music.resolution, meter)  # validates ``meter`` first
    time = notes_of(music, "drums").time
    if not len(time):
        return NAN
    return int(np.count_nonzero(pattern[time % music.resolution])) / len(time)


def drum_pattern_consistency(music: Music) -> float:
    """The larger of the duple and triple drum-in-pattern rates; NaN without drum notes
    (Dong et al. 2020)."""
    time = notes_of(music, "drums").time
    if not len(time):
        return NAN
    position = np.bincount(time % music.resolution, minlength=music.resolution)
    best = max(int(position[drum_pattern(music.resolution, meter)].sum())
               for meter in ("duple", "triple"))
    return best / len(time)
