"""Set-to-set comparison of Yang & Lerch, "On the evaluation of generative models in music"
(Neural Computing and Applications 32, 2020), in numpy only.

For each feature (a number, vector or matrix per piece):

1. the feature of every piece of both sets;
2. distances (Euclidean; ``|a - b|`` for numbers, matrices flattened): the *intra-set*
   distances of the reference set (every unordered pair ``i < j``; Yang & Lerch's
   leave-one-out lists each pair twice, the same distribution), of the generated set, and
   the *inter-set* distances (every generated piece against every reference piece); pairs
   whose distance is not finite (a NaN feature) are left out;
3. a Gaussian kernel density estimate of the reference intra-set and of the inter-set
   distances (Scott's bandwidth ``h = std(ddof=1) * n ** (-1/5)``, as
   ``scipy.stats.gaussian_kde``; ``h = 0`` for a constant or single distance), evaluated
   on a common grid of 2,048 points from ``min - 4h`` to ``max + 4h`` of both samples by
   linear binning and a Gaussian convolution (a density narrower than the grid step becomes
   a single-cell spike that still integrates to 1);
4. the overlapping area ``OA = integral of min(p_intra, p_inter)`` (1 = identical, 0 =
   disjoint) and the Kullback-Leibler divergence ``KL(p_intra || p_inter) = integral of
   p_intra log(p_intra / p_inter)`` in nats, with ``p_inter`` floored at 1e-10 so that
   disjoint supports give a large finite number rather than infinity.

A generated set that imitates the reference well has inter-set distances distributed like
the reference's own intra-set distances: OA near 1 and KL near 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from orchestrion.core.model import Music
from orchestrion.metrics import pitch, statistics

Feature = Callable[[Music], "float | np.ndarray"]

#: Yang & Lerch's nine features (their Table 1): pitch count, pitch-class histogram,
#: pitch-class transition matrix, pitch range, average pitch interval; note count, average
#: inter-onset interval, note-length histogram, note-length transition matrix.
FEATURES: dict[str, Feature] = {
    "pitch_count": pitch.n_pitches_used,
    "pitch_class_histogram": statistics.pitch_class_histogram,
    "pitch_class_transition_matrix": statistics.pitch_class_transition_matrix,
    "pitch_range": pitch.pitch_range,
    "mean_pitch_interval": statistics.mean_pitch_interval,
    "note_count": statistics.n_notes,
    "mean_ioi": lambda music: statistics.ioi_statistics(music)["mean"],
    "note_length_histogram": statistics.note_length_histogram,
    "note_length_transition_matrix": statistics.note_length_transition_matrix,
}

GRID_POINTS = 2048
KL_FLOOR = 1e-10


def _values(pieces: Sequence[Music], feature: Feature) -> np.ndarray:
    rows = [np.asarray(feature(music), dtype=np.float64).ravel() for music in pieces]
    return np.stack(rows) if rows else np.zeros((0, 1))


def pairwise_distances(a: np.ndarray, b: np.ndarray, chunk: int = 64) -> np.ndarray:
    """Euclidean distances between every row of ``a`` and every row of ``b`` (an
    ``(len(a), len(b))`` array), computed from differences in row chunks (exact zeros for
    equal rows, unlike the Gram-matrix shortcut)."""
    out = np.empty((len(a), len(b)))
    for i in range(0, len(a), chunk):
        diff = a[i:i + chunk, None, :] - b[None, :, :]
        out[i:i + chunk] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    return out


def intra_set_distances(values: np.ndarray) -> np.ndarray:
    """Distances between every unordered pair of rows (``i < j``), finite ones only."""
    d = pairwise_distances(values, values)[np.triu_indices(len(values), k=1)]
    return d[np.isfinite(d)]


def inter_set_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distances between every row of ``a`` and every row of ``b``, finite ones only."""
    d = pairwise_distances(a, b).ravel()
    return d[np.isfinite(d)]


def scott_bandwidth(sample: np.ndarray) -> float:
    """Scott's rule ``std(ddof=1) * n ** (-1/5)`` (0 for fewer than 2 points)."""
    if len(sample) < 2:
        return 0.0
    return float(sample.std(ddof=1) * len(sample) ** -0.2)


def kde_on_grid(sample: np.ndarray, grid: np.ndarray, bandwidth: float) -> np.ndarray:
    """Gaussian kernel density of ``sample`` on the evenly spaced ``grid``: linear binning of
    the points onto the grid, then convolution with the Gaussian kernel sampled at the grid
    step and normalised to unit mass; the result integrates to 1 (rectangle rule)."""
    step = grid[1] - grid[0]
    position = np.clip((sample - grid[0]) / step, 0, len(grid) - 1)
    low = np.minimum(np.floor(position).astype(np.int64), len(grid) - 2)
    upper_share = position - low
    mass = (np.bincount(low, weights=1 - upper_share, minlength=len(grid))
            + np.bincount(low + 1, weights=upper_share, minlength=len(grid)))
    mass /= mass.sum()
    reach = min(len(grid) - 1, math.ceil(5 * bandwidth / step))
    if reach < 1:
        return mass / step
    offsets = np.arange(-reach, reach + 1) * step
    kernel = np.exp(-0.5 * (offsets / bandwidth) ** 2)
    kernel /= kernel.sum()
    # Convolution by FFT: the grids are long and the kernel may be as long as the grid.
    size = len(grid) + len(kernel) - 1
    n_fft = 1 << (size - 1).bit_length()
    full = np.fft.irfft(np.fft.rfft(mass, n_fft) * np.fft.rfft(kernel, n_fft), n_fft)[:size]
    density = np.clip(full[reach:reach + len(grid)], 0, None)
    return density / (density.sum() * step)


def overlap_and_kl(intra: np.ndarray, inter: np.ndarray) -> tuple[float, float]:
    """Overlapping area and ``KL(intra || inter)`` of the two samples' Gaussian KDEs (see the
    module docstring); NaN, NaN when either sample is empty."""
    if not len(intra) or not len(inter):
        return math.nan, math.nan
    h_intra, h_inter = scott_bandwidth(intra), scott_bandwidth(inter)
    pad = 4 * max(h_intra, h_inter)
    low = min(intra.min(), inter.min()) - pad
    high = max(intra.max(), inter.max()) + pad
    if high - low <= 0:
        low, high = low - 0.5, high + 0.5
    grid = np.linspace(low, high, GRID_POINTS)
    step = grid[1] - grid[0]
    p = kde_on_grid(intra, grid, h_intra)
    q = kde_on_grid(inter, grid, h_inter)
    overlap = float(np.minimum(p, q).sum() * step)
    on = p > 0
    kl = float((p[on] * np.log(p[on] / np.maximum(q[on], KL_FLOOR))).sum() * step)
    return min(overlap, 1.0), max(kl, 0.0)


def _resolve(features: Sequence[str] | Mapping[str, Feature] | None) -> dict[str, Feature]:
    if features is None:
        return dict(FEATURES)
    if isinstance(features, Mapping):
        return dict(features)
    from orchestrion.metrics.registry import METRICS

    resolved: dict[str, Feature] = {}
    for name in features:
        if name in FEATURES:
            resolved[name] = FEATURES[name]
        elif name in METRICS:
            resolved[name] = METRICS[name]
        else:
            raise KeyError(f"unknown feature {name!r}; known: "
                           f"{', '.join(sorted(set(FEATURES) | set(METRICS)))}")
    return resolved


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return math.nan, math.nan
    return float(finite.mean()), float(finite.std())


def compare_sets(generated: Sequence[Music], reference: Sequence[Music],
                 features: Sequence[str] | Mapping[str, Feature] | None = None
                 ) -> dict[str, dict[str, float]]:
    """Yang & Lerch's comparison of a ``generated`` set with a ``reference`` set, per feature.

    ``features``: None for :data:`FEATURES` (Yang & Lerch's nine), names from
    :data:`FEATURES` or :data:`orchestrion.metrics.METRICS`, or a mapping of names to
    callables ``(music) -> number or array``. For each feature the result holds
    ``overlap`` and ``kl`` (reference intra-set against inter-set distance distributions,
    see the module docstring), ``reference_intra_mean``/``_std``,
    ``generated_intra_mean``/``_std`` and ``inter_mean``/``_std`` of the distances, and
    ``reference_mean``/``_std`` and ``generated_mean``/``_std`` of the feature itself
    (NaN for vector features; NaN values left out). The reference set needs at least two
    pieces and the generated set one.
    """
    if len(reference) < 2 or len(generated) < 1:
        raise ValueError("compare_sets needs at least 2 reference pieces and 1 generated "
                         f"piece, got {len(reference)} and {len(generated)}")
    results: dict[str, dict[str, float]] = {}
    for name, feature in _resolve(features).items():
        gen, ref = _values(generated, feature), _values(reference, feature)
        ref_intra = intra_set_distances(ref)
        gen_intra = intra_set_distances(gen)
        inter = inter_set_distances(gen, ref)
        overlap, kl = overlap_and_kl(ref_intra, inter)
        row = {"overlap": overlap, "kl": kl}
        for label, sample in (("reference_intra", ref_intra), ("generated_intra", gen_intra),
                              ("inter", inter)):
            row[f"{label}_mean"], row[f"{label}_std"] = _mean_std(sample)
        for label, values in (("reference", ref), ("generated", gen)):
            scalar = values.shape[1] == 1
            mean, std = _mean_std(values[:, 0]) if scalar else (math.nan, math.nan)
            row[f"{label}_mean"], row[f"{label}_std"] = mean, std
        results[name] = row
    return results
