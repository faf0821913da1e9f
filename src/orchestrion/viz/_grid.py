"""Where bars and beats fall, and pitch names: the numbers behind a plot's grid (numpy only).

Bars start at ``music.barlines`` when the piece has them (read from a score, they keep
pickups), and from the last of them on (or from 0 without any) every ``numerator × 4 /
denominator`` quarter notes of the time signature in force; a piece without a time signature
is in 4/4, MIDI's default. A beat is a ``1/denominator`` note, or a dotted one in compound
meters (6/8, 9/8, 12/8, ...: numerator a multiple of 3 above 3).
"""

from __future__ import annotations

import numpy as np

from orchestrion.core.model import Music, TimeSignature

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI number: 60 is ``C4``, 21 ``A0``."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def _signatures(music: Music) -> list[TimeSignature]:
    by_time: dict[int, TimeSignature] = {}
    for signature in sorted(music.time_signatures, key=lambda s: s.time):
        by_time[signature.time] = signature  # of several at one tick the last one holds
    if 0 not in by_time:
        by_time[0] = TimeSignature(0, 4, 4)
    return [by_time[t] for t in sorted(by_time)]


def bar_length(signature: TimeSignature, resolution: int) -> float:
    """Ticks in one bar of ``signature``."""
    return signature.numerator * 4 * resolution / signature.denominator


def beat_length(signature: TimeSignature, resolution: int) -> float:
    """Ticks in one beat of ``signature`` (a dotted beat in compound meters)."""
    unit = 4 * resolution / signature.denominator
    compound = signature.numerator % 3 == 0 and signature.numerator > 3
    return 3 * unit if compound and signature.denominator >= 8 else unit


def bars_and_beats(music: Music, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Ticks (floats) of the bar starts and of the beats in ``[0, end]``; the beats include
    the bar starts."""
    signatures = _signatures(music)
    starts = np.array([s.time for s in signatures], dtype=np.float64)
    limits = np.append(starts[1:], np.inf)
    written = np.unique([b.time for b in music.barlines if b.time <= end])
    resume = float(written[-1]) if len(written) else 0.0
    bars: list[np.ndarray] = [written.astype(np.float64)]
    for signature, start, limit in zip(signatures, starts, limits, strict=True):
        first = max(start, resume)
        stop = min(limit, end)
        if first > stop or first == limit:  # over before the last written barline
            continue
        length = bar_length(signature, music.resolution)
        bars.append(first + length * np.arange(int(np.floor((stop - first) / length)) + 1))
    bar_ticks = np.unique(np.concatenate(bars))
    bar_ticks = bar_ticks[bar_ticks <= end]
    beats = [bar_ticks]
    ends = np.append(bar_ticks[1:], end)
    which = np.searchsorted(starts, bar_ticks, side="right") - 1
    for bar, bar_end, index in zip(bar_ticks, ends, which, strict=True):
        step = beat_length(signatures[int(index)], music.resolution)
        beats.append(bar + step * np.arange(1, int(np.ceil((bar_end - bar) / step))))
    beat_ticks = np.unique(np.concatenate(beats))
    return bar_ticks, beat_ticks[beat_ticks <= end]


def thinning(count: int, pixels: float, min_spacing: float) -> int:
    """The power of two ``k`` so that every ``k``-th of ``count`` lines spread over
    ``pixels`` lies at least ``min_spacing`` pixels from the next (1 when they all fit)."""
    step = 1
    while count > 1 and pixels / (count / step) < min_spacing:
        step *= 2
    return step
