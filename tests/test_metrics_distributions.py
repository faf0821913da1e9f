"""Yang & Lerch's set comparison: distances, the numpy Gaussian KDE (against scipy's where
installed), overlapping area and KL divergence, ``compare_sets`` on chorales."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestrion import Music, Note, Track
from orchestrion.metrics import METRICS, compare_sets, distributions

KEYS = {"overlap", "kl", "reference_intra_mean", "reference_intra_std",
        "generated_intra_mean", "generated_intra_std", "inter_mean", "inter_std",
        "reference_mean", "reference_std", "generated_mean", "generated_std"}


def scale_piece(n: int) -> Music:
    """``n`` quarter notes up the C major scale (resolution 4)."""
    steps = [0, 2, 4, 5, 7, 9, 11]
    return Music(resolution=4, tracks=[Track(notes=[
        Note(4 * i, 60 + steps[i % 7] + 12 * (i // 7), 4) for i in range(n)])])


def test_distances_by_hand() -> None:
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    b = np.array([[0.0, 0.0]])
    assert distributions.pairwise_distances(a, b).tolist() == [[0.0], [5.0]]
    # values 0, 1, 3: pairs (0,1) 1, (0,3) 3, (1,3) 2
    assert distributions.intra_set_distances(np.array([[0.0], [1.0], [3.0]])).tolist() == \
        [1.0, 3.0, 2.0]
    nan_row = np.array([[0.0], [np.nan], [2.0]])
    assert distributions.intra_set_distances(nan_row).tolist() == [2.0]  # NaN pairs dropped


def test_compare_sets_means_by_hand() -> None:
    # pitch_count per piece: scale_piece(n) uses n distinct pitches (n <= 8 here)
    reference = [scale_piece(1), scale_piece(2), scale_piece(4)]
    generated = [scale_piece(8)]
    row = compare_sets(generated, reference, ["pitch_count"])["pitch_count"]
    assert set(row) == KEYS
    # reference values 1, 2, 4: intra distances 1, 3, 2; inter |8 - x|: 7, 6, 4
    assert row["reference_intra_mean"] == 2.0
    assert row["reference_intra_std"] == pytest.approx(math.sqrt(2 / 3))
    assert row["inter_mean"] == pytest.approx(17 / 3)
    assert (row["reference_mean"], row["generated_mean"]) == (7 / 3, 8.0)
    assert math.isnan(row["generated_intra_mean"])   # a single generated piece: no pairs
    assert 0 < row["overlap"] < 0.5
    assert row["kl"] > 0.3


def test_kde_matches_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    sample = np.random.default_rng(0).gamma(2.0, 1.5, 400)
    grid = np.linspace(sample.min() - 3, sample.max() + 3, distributions.GRID_POINTS)
    ours = distributions.kde_on_grid(sample, grid, distributions.scott_bandwidth(sample))
    theirs = stats.gaussian_kde(sample)(grid)
    assert np.abs(ours - theirs).max() < 2e-3 * theirs.max()
    # overlap and KL of two small samples against scipy's KDEs integrated on a fine grid
    a, b = np.array([1.0, 3.0, 2.0]), np.array([7.0, 6.0, 4.0])
    fine = np.linspace(-20, 30, 200_001)
    p, q = stats.gaussian_kde(a)(fine), stats.gaussian_kde(b)(fine)
    step = fine[1] - fine[0]
    overlap, kl = distributions.overlap_and_kl(a, b)
    assert overlap == pytest.approx(np.minimum(p, q).sum() * step, abs=2e-3)
    assert kl == pytest.approx((p * np.log(p / np.maximum(q, 1e-10))).sum() * step, rel=1e-2)


def test_overlap_and_kl_of_known_distributions() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1, 4000), rng.normal(0, 1, 4000)
    overlap, kl = distributions.overlap_and_kl(x, y)
    assert overlap > 0.95
    assert kl < 0.01
    # N(0, 1) against N(1, 1): OA = 2 * Phi(-1/2) = 0.617, KL = 1/2
    overlap, kl = distributions.overlap_and_kl(x, rng.normal(1, 1, 4000))
    assert overlap == pytest.approx(0.617, abs=0.03)
    assert kl == pytest.approx(0.5, abs=0.06)
    # disjoint: no overlap, a large (finite) divergence
    overlap, kl = distributions.overlap_and_kl(x, x + 100)
    assert overlap < 1e-6
    assert 10 < kl < math.inf
    # constant samples: spikes; equal constants overlap fully
    assert distributions.overlap_and_kl(np.ones(5), np.ones(3))[0] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in distributions.overlap_and_kl(np.ones(0), x))


@pytest.fixture(scope="module")
def chorales() -> list[Music]:
    from orchestrion.datasets import collection

    return [m for i, (_, m) in enumerate(collection("bach-chorales").pieces()) if i % 6 == 0]


def test_chorales_against_themselves_and_against_scales(chorales: list[Music]) -> None:
    half = len(chorales) // 2
    same = compare_sets(chorales[:half], chorales[half:])
    assert set(same) == set(distributions.FEATURES)
    scales = [scale_piece(n) for n in range(8, 40, 2)]
    other = compare_sets(scales, chorales[half:])
    for name in distributions.FEATURES:
        assert set(same[name]) == KEYS
        # chorales are closer to chorales than runs of scale notes are
        assert same[name]["overlap"] > other[name]["overlap"], name
        assert same[name]["overlap"] > 0.6, name
    assert math.isnan(same["pitch_class_histogram"]["reference_mean"])  # a vector feature


def test_features_by_name_or_callable(chorales: list[Music]) -> None:
    result = compare_sets(chorales[:4], chorales[4:10], ["polyphony", "pitch_count"])
    assert list(result) == ["polyphony", "pitch_count"]
    custom = compare_sets(chorales[:4], chorales[4:10], {"poly": METRICS["polyphony"]})
    assert custom["poly"] == result["polyphony"]
    with pytest.raises(KeyError):
        compare_sets(chorales[:2], chorales[2:4], ["nope"])
    with pytest.raises(ValueError, match="at least 2 reference"):
        compare_sets(chorales[:2], chorales[2:3])
