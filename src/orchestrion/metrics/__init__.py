"""Objective metrics of symbolic music, vectorised over note arrays.

- MusPy's metrics (Dong et al., "MusPy: A Toolkit for Symbolic Music Generation", ISMIR
  2020) with MusPy's values by default and ``corrected=True`` where MusPy is wrong:
  :mod:`~orchestrion.metrics.pitch`, :mod:`~orchestrion.metrics.rhythm`,
  :mod:`~orchestrion.metrics.drums`;
- descriptive measures and Yang & Lerch's features: :mod:`~orchestrion.metrics.statistics`;
- Yang & Lerch's set-to-set comparison: :func:`compare_sets`
  (:mod:`~orchestrion.metrics.distributions`);
- the registry used by reports: :data:`METRICS` and :func:`evaluate`.

Imports only :mod:`orchestrion.core` and numpy; ``import orchestrion`` does not load it.
See docs/metrics.md.
"""

from orchestrion.metrics.distributions import FEATURES, compare_sets
from orchestrion.metrics.drums import drum_in_pattern_rate, drum_pattern_consistency
from orchestrion.metrics.pitch import (
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
from orchestrion.metrics.registry import METRICS, evaluate
from orchestrion.metrics.rhythm import (
    empty_beat_rate,
    empty_measure_rate,
    groove_consistency,
    measure_ticks,
)
from orchestrion.metrics.statistics import (
    NOTE_LENGTH_CLASSES,
    duration_statistics,
    inter_onset_intervals,
    ioi_histogram,
    ioi_statistics,
    mean_pitch_interval,
    n_notes,
    note_density,
    note_length_histogram,
    note_length_transition_matrix,
    notes_per_beat,
    notes_per_second,
    pitch_class_histogram,
    pitch_class_transition_matrix,
    pitch_statistics,
)

__all__ = [
    "FEATURES",
    "METRICS",
    "NOTE_LENGTH_CLASSES",
    "compare_sets",
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
    "duration_statistics",
    "empty_beat_rate",
    "empty_measure_rate",
    "evaluate",
    "groove_consistency",
    "inter_onset_intervals",
    "ioi_histogram",
    "ioi_statistics",
    "mean_pitch_interval",
    "measure_ticks",
    "n_notes",
    "n_pitch_classes_used",
    "n_pitches_used",
    "note_density",
    "note_length_histogram",
    "note_length_transition_matrix",
    "notes_per_beat",
    "notes_per_second",
    "pitch_class_entropy",
    "pitch_class_histogram",
    "pitch_class_transition_matrix",
    "pitch_entropy",
    "pitch_in_scale_rate",
    "pitch_range",
    "pitch_statistics",
    "polyphony",
    "polyphony_rate",
    "scale_consistency",
]
