"""The metrics used in reports, by name: ``METRICS[name](music) -> float``, and
:func:`evaluate`.

Every entry is a function of the piece alone, with MusPy's defaults (so reports stay
comparable with published MusPy figures; the corrected variants are the functions'
``corrected=True``). Where a MusPy metric needs a parameter, the registry takes it from the
piece:

- ``empty_measure_rate`` and ``groove_consistency``: ``measure_resolution`` = ticks per
  measure of the piece's *first* time signature, ``round(resolution * 4 * numerator /
  denominator)`` (4/4 when there is none); later meter changes are not followed.
- ``pitch_in_scale_rate``: ``root`` and ``mode`` of the first key signature; NaN when it
  lacks either or its mode is neither major nor minor.
- ``drum_in_pattern_rate``: ``"triple"`` when the first time signature's numerator is a
  multiple of 3, else ``"duple"``.
- ``polyphony_rate``: MusPy's ``threshold=2``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from orchestrion.core.model import Music
from orchestrion.metrics import drums, pitch, rhythm, statistics

Metric = Callable[[Music], float]


def _first_key(music: Music) -> float:
    if not music.key_signatures:
        return math.nan
    key = min(music.key_signatures, key=lambda k: k.time)
    if key.root is None or (key.mode or "").lower() not in ("major", "minor"):
        return math.nan
    return pitch.pitch_in_scale_rate(music, key.root, key.mode or "")


def _meter(music: Music) -> str:
    if not music.time_signatures:
        return "duple"
    first = min(music.time_signatures, key=lambda ts: ts.time)
    return "triple" if first.numerator % 3 == 0 else "duple"


METRICS: dict[str, Metric] = {
    # MusPy's metrics (Dong et al., ISMIR 2020), MusPy's values.
    "pitch_range": lambda m: float(pitch.pitch_range(m)),
    "n_pitches_used": lambda m: float(pitch.n_pitches_used(m)),
    "n_pitch_classes_used": lambda m: float(pitch.n_pitch_classes_used(m)),
    "polyphony": pitch.polyphony,
    "polyphony_rate": pitch.polyphony_rate,
    "pitch_in_scale_rate": _first_key,
    "scale_consistency": pitch.scale_consistency,
    "pitch_entropy": pitch.pitch_entropy,
    "pitch_class_entropy": pitch.pitch_class_entropy,
    "empty_beat_rate": rhythm.empty_beat_rate,
    "empty_measure_rate": lambda m: rhythm.empty_measure_rate(m, rhythm.measure_ticks(m)),
    "groove_consistency": lambda m: rhythm.groove_consistency(m, rhythm.measure_ticks(m)),
    "drum_in_pattern_rate": lambda m: drums.drum_in_pattern_rate(m, _meter(m)),
    "drum_pattern_consistency": drums.drum_pattern_consistency,
    # Descriptive measures (non-drum notes).
    "n_notes": lambda m: float(statistics.n_notes(m)),
    "notes_per_beat": statistics.notes_per_beat,
    "notes_per_second": statistics.notes_per_second,
    "pitch_mean": lambda m: statistics.pitch_statistics(m)["mean"],
    "pitch_std": lambda m: statistics.pitch_statistics(m)["std"],
    "duration_mean": lambda m: statistics.duration_statistics(m)["mean"],
    "duration_std": lambda m: statistics.duration_statistics(m)["std"],
    "ioi_mean": lambda m: statistics.ioi_statistics(m)["mean"],
    "ioi_std": lambda m: statistics.ioi_statistics(m)["std"],
    "mean_pitch_interval": statistics.mean_pitch_interval,
}


def evaluate(music: Music, names: Iterable[str] | None = None) -> dict[str, float]:
    """``{name: METRICS[name](music)}`` for ``names`` (all of :data:`METRICS` when None), in
    the order given; ``KeyError`` naming the known metrics for an unknown name."""
    chosen = list(METRICS) if names is None else list(names)
    unknown = [name for name in chosen if name not in METRICS]
    if unknown:
        raise KeyError(f"unknown metric(s) {', '.join(map(repr, unknown))}; "
                       f"known: {', '.join(METRICS)}")
    return {name: float(METRICS[name](music)) for name in chosen}
