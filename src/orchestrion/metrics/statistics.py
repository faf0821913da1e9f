"""Descriptive measures beyond MusPy's: note density, pitch and duration statistics,
inter-onset intervals, pitch-class and note-length histograms and transition matrices (the
features of Yang & Lerch, "On the evaluation of generative models in music", Neural
Computing and Applications 32, 2020).

Non-drum notes only. Times are in beats (quarter notes: ``ticks / resolution``) unless said;
seconds go through the piece's tempo map (:class:`~orchestrion.core.timing.TempoMap`, 120
qpm before the first tempo). Scalars are NaN where undefined (no notes); histograms and
matrices of a piece without notes are all zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from orchestrion.core.model import Music
from orchestrion.core.timing import TempoMap
from orchestrion.metrics._common import NAN, notes_of, track_notes

Normalize = Literal["all", "row", "none"]

# Yang & Lerch's 12 note-length classes, in beats (quarter notes), in their order: whole,
# half, quarter, 8th, 16th; dotted half, quarter, 8th, 16th; half-, quarter-, 8th-note
# triplet. A length falls into the nearest class (the first of equally near ones).
NOTE_LENGTH_CLASSES = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 3.0, 1.5, 0.75, 0.375,
                                4 / 3, 2 / 3, 1 / 3])
NOTE_LENGTH_NAMES = ("whole", "half", "quarter", "8th", "16th", "dotted half",
                     "dotted quarter", "dotted 8th", "dotted 16th", "half triplet",
                     "quarter triplet", "8th triplet")


def note_density(music: Music, unit: Literal["beat", "second"] = "beat") -> float:
    """Non-drum notes per beat or per second: ``#(notes) / span``, the span running from
    tick 0 to the end of the last non-drum note (in beats, or in seconds by the tempo map).
    NaN when that span is 0."""
    notes = notes_of(music)
    end = int(notes.end.max()) if len(notes) else 0
    if end < 1:
        return NAN
    if unit == "beat":
        span = end / music.resolution
    elif unit == "second":
        span = float(TempoMap.from_music(music).to_seconds(end))
    else:
        raise ValueError(f"unit must be 'beat' or 'second', got {unit!r}")
    return len(notes) / span


def notes_per_beat(music: Music) -> float:
    """:func:`note_density` per beat."""
    return note_density(music, "beat")


def notes_per_second(music: Music) -> float:
    """:func:`note_density` per second (tempo map; 120 qpm where no tempo is given)."""
    return note_density(music, "second")


def _summary(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {"mean": NAN, "std": NAN, "min": NAN, "max": NAN}
    return {"mean": float(values.mean()), "std": float(values.std()),
            "min": float(values.min()), "max": float(values.max())}


def pitch_statistics(music: Music) -> dict[str, float]:
    """Mean, population standard deviation, minimum and maximum MIDI pitch of the non-drum
    notes (``{"mean", "std", "min", "max"}``; NaN each without notes)."""
    return _summary(notes_of(music).pitch.astype(np.float64))


def duration_statistics(music: Music) -> dict[str, float]:
    """Mean, population standard deviation, minimum and maximum note duration in beats
    (``duration / resolution``) of the non-drum notes; NaN each without notes."""
    return _summary(notes_of(music).duration / music.resolution)


def inter_onset_intervals(music: Music) -> np.ndarray:
    """Intervals in beats between successive *distinct* onsets of the non-drum notes (all
    tracks merged): ``diff(unique(time)) / resolution``. Notes struck together form one
    onset (Yang & Lerch's IOI through pretty_midi's ``get_onsets`` keeps them, adding
    zeros)."""
    return np.diff(np.unique(notes_of(music).time)) / music.resolution


def ioi_statistics(music: Music) -> dict[str, float]:
    """:func:`inter_onset_intervals` summarised (mean, std, min, max; NaN if fewer than two
    distinct onsets). The mean is Yang & Lerch's "average inter-onset interval"."""
    return _summary(inter_onset_intervals(music))


def length_classes(beats: np.ndarray) -> np.ndarray:
    """Index 0-11 of the nearest of :data:`NOTE_LENGTH_CLASSES` for each length in beats."""
    return np.abs(beats[:, None] - NOTE_LENGTH_CLASSES[None, :]).argmin(axis=1)


def _normalised(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total > 0 else np.zeros(counts.shape)


def ioi_histogram(music: Music, bins: Sequence[float] | np.ndarray | None = None
                  ) -> np.ndarray:
    """Normalised histogram of :func:`inter_onset_intervals`: by default over the 12
    note-length classes (nearest class), else over the bin ``edges`` in beats given
    (``numpy.histogram``; intervals outside the edges are left out)."""
    ioi = inter_onset_intervals(music)
    if bins is None:
        counts = np.bincount(length_classes(ioi), minlength=12).astype(np.float64)
    else:
        counts = np.histogram(ioi, bins=np.asarray(bins, dtype=np.float64))[0]
    return _normalised(counts.astype(np.float64))


def pitch_class_histogram(music: Music, weighted: bool = False) -> np.ndarray:
    """12-bin pitch-class histogram of the non-drum notes, normalised to sum 1; each note
    counts 1, or its duration with ``weighted=True`` (Yang & Lerch's PCH)."""
    notes = notes_of(music)
    weights = notes.duration.astype(np.float64) if weighted else None
    return _normalised(np.bincount(notes.pitch % 12, weights=weights, minlength=12)
                       .astype(np.float64))


def _transitions(classes: list[np.ndarray], n: int, normalize: Normalize) -> np.ndarray:
    # Pairs of consecutive notes within each track, notes ordered by (time, pitch).
    pairs = [c[:-1] * n + c[1:] for c in classes if len(c) > 1]
    flat = np.concatenate(pairs) if pairs else np.zeros(0, np.int64)
    counts = np.bincount(flat, minlength=n * n).reshape(n, n).astype(np.float64)
    if normalize == "all":
        return _normalised(counts)
    if normalize == "row":
        rows = counts.sum(axis=1, keepdims=True)
        return np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    if normalize == "none":
        return counts
    raise ValueError(f"normalize must be 'all', 'row' or 'none', got {normalize!r}")


def pitch_class_transition_matrix(music: Music, normalize: Normalize = "all") -> np.ndarray:
    """12 x 12 counts of pitch class ``i`` followed by ``j`` in consecutive notes of each
    non-drum track (notes ordered by time, then pitch; Yang & Lerch's PCTM). ``normalize``:
    ``"all"`` (sum 1), ``"row"`` (each non-empty row sums to 1) or ``"none"`` (counts)."""
    classes = [notes.pitch % 12 for notes in track_notes(music)]
    return _transitions(classes, 12, normalize)


def note_length_histogram(music: Music) -> np.ndarray:
    """Normalised 12-bin histogram of the non-drum notes' durations over
    :data:`NOTE_LENGTH_CLASSES` (nearest class; Yang & Lerch's NLH)."""
    beats = notes_of(music).duration / music.resolution
    return _normalised(np.bincount(length_classes(beats), minlength=12).astype(np.float64))


def note_length_transition_matrix(music: Music, normalize: Normalize = "all") -> np.ndarray:
    """12 x 12 transitions between the length classes of consecutive notes of each non-drum
    track (Yang & Lerch's NLTM); ``normalize`` as in
    :func:`pitch_class_transition_matrix`."""
    classes = [length_classes(notes.duration / music.resolution)
               for notes in track_notes(music)]
    return _transitions(classes, 12, normalize)


def mean_pitch_interval(music: Music) -> float:
    """Mean absolute interval in semitones between consecutive notes of each non-drum track
    (notes ordered by time, then pitch; Yang & Lerch's "average pitch interval"); NaN
    without any such pair."""
    steps = [np.abs(np.diff(notes.pitch)) for notes in track_notes(music) if len(notes) > 1]
    if not steps:
        return NAN
    return float(np.concatenate(steps).mean())


def n_notes(music: Music) -> int:
    """Number of non-drum notes (Yang & Lerch's "note count")."""
    return len(notes_of(music))
