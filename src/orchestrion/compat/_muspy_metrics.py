"""MusPy's 14 metric functions for :mod:`orchestrion.compat.muspy`, with MusPy's parameters
in MusPy's order: they are :mod:`orchestrion.metrics`' own functions, which give MusPy's
values unless called with ``corrected=True`` (a keyword MusPy does not have).

One difference, on purpose: a piece without tracks gives NaN (0 for ``pitch_range``) where
MusPy raises ``ValueError`` from ``max()`` of an empty sequence.
"""

from __future__ import annotations

from orchestrion.metrics import (
    drum_in_pattern_rate,
    drum_pattern_consistency,
    empty_beat_rate,
    empty_measure_rate,
    groove_consistency,
    n_pitch_classes_used,
    n_pitches_used,
    pitch_class_entropy,
    pitch_entropy,
    pitch_in_scale_rate,
    pitch_range,
    polyphony,
    polyphony_rate,
    scale_consistency,
)

__all__ = [
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
    "empty_beat_rate",
    "empty_measure_rate",
    "groove_consistency",
    "n_pitch_classes_used",
    "n_pitches_used",
    "pitch_class_entropy",
    "pitch_entropy",
    "pitch_in_scale_rate",
    "pitch_range",
    "polyphony",
    "polyphony_rate",
    "scale_consistency",
]

METRIC_NAMES = tuple(__all__)
