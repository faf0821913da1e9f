"""Automatic-instrumentation inputs and baselines (Dong et al., ISMIR 2021): exact feature
values, the accuracy report, the zone dynamic programme against a brute-force search, the
closest-pitch rules (entry hints, mono, joint chords), serialisation and the errors."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from orchestrion.models.arranger.baselines import (
    BASELINES,
    Baseline,
    ClosestPitch,
    MostCommon,
    ZoneBased,
    assign_parts,
    baseline,
    best_zones,
    pitch_histogram,
)
from orchestrion.models.arranger.features import accuracy_report, features


def piece(rows: list[tuple[int, int, int, int]]) -> np.ndarray:
    """An (N, 4) piece sorted by (time, pitch, duration), as the parts codec gives it."""
    array = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return array[np.lexsort((array[:, 2], array[:, 1], array[:, 0]))]


def random_piece(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    rows = np.stack([rng.integers(0, 200, n), rng.integers(30, 90, n),
                     rng.integers(1, 48, n), rng.integers(0, k, n)], axis=1)
    return piece([tuple(r) for r in rows.tolist()])


def accuracy(model: Baseline, notes: np.ndarray) -> float:
    return float(np.mean(model.predict(notes) == notes[:, 3]))


# ------------------------------------------------------------------------------ features


def test_features_exact_values() -> None:
    notes = piece([(0, 60, 24, 1), (0, 72, 300, 1), (30, 48, 12, 2), (50, 50, 0, 2)])
    out = features(notes, 4)
    assert out["pitch"].tolist() == [61, 73, 49, 51]
    assert out["beat"].tolist() == [0, 0, 1, 2]
    assert out["position"].tolist() == [0, 0, 6, 2]
    assert out["duration"].tolist() == [24, 192, 12, 0]
    assert out["labels"].tolist() == [1, 1, 2, 2]
    # Part 1 enters at row 0, part 2 at row 2; parts 0 and 3 never: -1 everywhere.
    assert out["entry_hints"].tolist() == [[-1, 0, -1, -1], [-1, 1, -1, -1],
                                           [-1, 1, 0, -1], [-1, 1, 1, -1]]
    assert out["entry_hints"].dtype == np.int8
    assert out["pitch_hints"].dtype == np.float32
    np.testing.assert_allclose(out["pitch_hints"], [57.5, 66.0, 49.0, 57.5])
    for key in ("pitch", "beat", "position", "duration", "labels"):
        assert out[key].dtype == np.int64


def test_features_options_and_three_columns() -> None:
    notes = piece([(0, 60, 24, 0), (37, 62, 100, 0)])
    out = features(notes[:, :3], 2, resolution=12, max_duration=48)
    assert set(out) == {"pitch", "beat", "position", "duration"}
    assert out["beat"].tolist() == [0, 3]
    assert out["position"].tolist() == [0, 1]
    assert out["duration"].tolist() == [24, 48]


def test_features_empty_piece() -> None:
    out = features(np.zeros((0, 4), dtype=np.int64), 3)
    assert out["entry_hints"].shape == (0, 3)
    assert out["pitch_hints"].tolist() == [0.0, 0.0, 0.0]
    assert out["pitch"].shape == out["labels"].shape == (0,)
    assert set(features(np.zeros((0, 3)), 3)) == {"pitch", "beat", "position", "duration"}


@pytest.mark.parametrize(("notes", "n_parts", "match"), [
    (np.zeros((2, 5), np.int64), 2, "shape"),
    (np.array([[0, 128, 1, 0]]), 2, "pitch"),
    (np.array([[-1, 60, 1, 0]]), 2, "time"),
    (np.array([[0, 60, -3, 0]]), 2, "duration"),
    (np.array([[0, 60, 1, 2]]), 2, "part"),
    (np.array([[0.5, 60, 1, 0]]), 2, "whole numbers"),
    (np.array([[0, 60, 1, 0]]), 0, "n_parts"),
])
def test_features_errors(notes: np.ndarray, n_parts: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        features(notes, n_parts)


# ------------------------------------------------------------------------ accuracy report


def test_accuracy_report_exact() -> None:
    true = [np.array([0, 0, 1, 1]), np.array([2, 0])]
    predicted = [np.array([0, 1, 1, 1]), np.array([0, 0])]
    report = accuracy_report(true, predicted, ["S", "A", "T"])
    assert report["notes"] == 6
    assert report["correct"] == 4
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["pieces"] == 2
    assert report["confusion"] == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert report["per_part"]["S"] == {"notes": 3, "accuracy": pytest.approx(2 / 3)}
    assert report["per_part"]["A"] == {"notes": 2, "accuracy": 1.0}
    assert report["per_part"]["T"] == {"notes": 1, "accuracy": 0.0}
    json.dumps(report)


def test_accuracy_report_single_array_and_empty() -> None:
    report = accuracy_report(np.array([1, 1]), np.array([1, 0]), ["a", "b"])
    assert report["pieces"] == 1
    assert report["per_part"]["a"]["notes"] == 0
    assert np.isnan(report["per_part"]["a"]["accuracy"])
    assert report["confusion"] == [[0, 0], [1, 1]]
    empty = accuracy_report([], [], ["a"])
    assert empty["notes"] == 0
    assert np.isnan(empty["accuracy"])
    with pytest.raises(ValueError, match="labels"):
        accuracy_report(np.array([2]), np.array([0]), ["a", "b"])
    with pytest.raises(ValueError, match="predicted"):
        accuracy_report([np.array([0, 1])], [np.array([0])], ["a", "b"])


# ---------------------------------------------------------------------------- most common


def test_most_common() -> None:
    train = [piece([(0, 60, 1, 1), (1, 60, 1, 1), (2, 60, 1, 0), (3, 60, 1, 0)])]
    model = MostCommon().fit(train, 3)
    assert model.part == 0  # a tie goes to the lowest label
    assert model.predict(np.array([[0, 10, 1], [5, 100, 2]])).tolist() == [0, 0]
    assert MostCommon().fit([*train, piece([(0, 1, 1, 2)] * 3)], 3).part == 2


# ---------------------------------------------------------------------------------- zones


def test_zone_separate_registers() -> None:
    notes = piece([(t, 72 + t % 5, 4, 0) for t in range(20)]
                  + [(t, 40 + t % 7, 4, 1) for t in range(20)])
    for name in ("zone", "zone-permute"):
        model = baseline(name).fit([notes], 2)
        assert accuracy(model, notes) == 1.0
        assert model.train_accuracy == 1.0
        # Low part 1 below, part 0 above; the cut sits in the middle of the untrained
        # pitches 47-71 (13 below, 12 above).
        assert model.zones == {0: (60, 127), 1: (0, 59)}
        assert model.table[0] == 1
        assert model.table[127] == 0


def test_zone_permutation_matters() -> None:
    # Part 0: ten notes at 100 and an outlier at 0 (mean ~91); part 1: ten notes at 95.
    # Stacked by mean, part 1 is on top and owns 100 too; swapped, 20 of 21 are right.
    notes = piece([(t, 100, 1, 0) for t in range(10)] + [(10, 0, 1, 0)]
                  + [(t, 95, 1, 1) for t in range(10)])
    plain = ZoneBased(permute=False).fit([notes], 2)
    permuted = ZoneBased(permute=True).fit([notes], 2)
    assert plain.order == [0, 1]
    assert plain.train_accuracy == pytest.approx(11 / 21)
    assert permuted.order == [1, 0]
    assert permuted.train_accuracy == pytest.approx(20 / 21)
    assert accuracy(permuted, notes) == pytest.approx(20 / 21)


def brute_force(hist: np.ndarray, order: tuple[int, ...]) -> int:
    """Most hits over every non-decreasing choice of the K-1 cuts."""
    used = np.flatnonzero(hist.sum(axis=1))
    # Cuts outside [lowest used, highest used + 1] act like cuts at those two ends.
    lo, hi = (int(used[0]), int(used[-1]) + 1) if len(used) else (0, 0)
    cum = np.concatenate([np.zeros((1, hist.shape[1]), np.int64), np.cumsum(hist, 0)])
    best = 0
    for cuts in itertools.combinations_with_replacement(range(lo, hi + 1), len(order) - 1):
        edges = (0, *cuts, 128)
        hits = sum(int(cum[edges[j + 1], part] - cum[edges[j], part])
                   for j, part in enumerate(order))
        best = max(best, hits)
    return best


def hits_of(hist: np.ndarray, order: list[int], boundaries: list[int]) -> int:
    edges = [0, *boundaries, 128]
    return sum(int(hist[edges[j]:edges[j + 1], part].sum()) for j, part in enumerate(order))


def test_zone_dynamic_programme_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    for case in range(40):
        k = 2 + case % 3
        hist = np.zeros((128, k), np.int64)
        start = int(rng.integers(0, 120))
        width = int(rng.integers(1, 8))
        hist[start:start + width] = rng.integers(0, 4, (width, k)) * (rng.random((width, k)) < .7)
        for order in itertools.permutations(range(k)):
            boundaries, hits = best_zones(hist, order)
            assert hits == brute_force(hist, order), (case, order)
            assert hits_of(hist, list(order), boundaries) == hits
            assert boundaries == sorted(boundaries)
        # zone-permute keeps the best ordering: the brute-force maximum over all of them.
        pieces = [np.array([(0, p, 1, part) for p in range(128) for part in range(k)
                            for _ in range(hist[p, part])], np.int64).reshape(-1, 4)]
        assert np.array_equal(pitch_histogram(pieces, k), hist)
        model = ZoneBased(permute=True).fit(pieces, k)
        best = max(brute_force(hist, order) for order in itertools.permutations(range(k)))
        assert hits_of(hist, model.order, model.boundaries) == best
        plain = ZoneBased(permute=False).fit(pieces, k)
        assert plain.train_accuracy <= model.train_accuracy


def test_zone_table_matches_zones() -> None:
    rng = np.random.default_rng(1)
    train = [random_piece(rng, 200, 4) for _ in range(3)]
    model = ZoneBased(permute=False).fit(train, 4)
    table = model.table
    for part, zone in model.zones.items():
        if zone is not None:
            assert set(table[zone[0]:zone[1] + 1].tolist()) == {part}
    notes = train[0]
    assert model.predict(notes).tolist() == table[notes[:, 1]].tolist()
    assert model.predict(notes[:, :3]).tolist() == table[notes[:, 1]].tolist()


# -------------------------------------------------------------------------- closest pitch


def test_closest_pitch_follows_stepwise_voices() -> None:
    upper = [72, 74, 76, 77, 76, 74]
    lower = [60, 59, 57, 55, 57, 59]
    chords = piece([(24 * i, u, 24, 0) for i, u in enumerate(upper)]
                   + [(24 * i, v, 24, 1) for i, v in enumerate(lower)])
    staggered = piece([(24 * i, u, 24, 0) for i, u in enumerate(upper)]
                      + [(24 * i + 12, v, 24, 1) for i, v in enumerate(lower)])
    for name in ("closest-pitch", "closest-pitch-mono"):
        for notes in (chords, staggered):
            assert baseline(name).predict(notes).tolist() == notes[:, 3].tolist()


def test_mono_skips_a_sounding_part() -> None:
    # Part 0 holds 60 for four beats; part 1 enters at 48. The note 62 at beat 1 is closest
    # to part 0, which is still sounding: mono gives it to part 1.
    notes = piece([(0, 60, 96, 0), (0, 48, 24, 1), (24, 62, 24, 1)])
    assert ClosestPitch().predict(notes).tolist() == [1, 0, 0]
    assert ClosestPitch(mono=True).predict(notes).tolist() == [1, 0, 1]
    # Every entered part sounding: fall back to the closest one.
    held = piece([(0, 60, 96, 0), (0, 48, 96, 1), (24, 62, 24, 0)])
    assert ClosestPitch(mono=True).predict(held).tolist() == [1, 0, 0]


def test_mono_assigns_a_chord_jointly() -> None:
    # After S 65, A 62, T 57, B 50 the chord 45 57 65 72: note by note, the alto's 65 would
    # take the soprano (distance 0) and leave 72 to the alto; jointly (squared distances,
    # distinct parts) S gets 72 and A 65.
    notes = piece([(0, 65, 24, 0), (0, 62, 24, 1), (0, 57, 24, 2), (0, 50, 24, 3),
                   (24, 72, 24, 0), (24, 65, 24, 1), (24, 57, 24, 2), (24, 45, 24, 3)])
    assert ClosestPitch(mono=True).predict(notes).tolist() == notes[:, 3].tolist()
    assert ClosestPitch().predict(notes).tolist()[4:] == [3, 2, 0, 0]


def test_mono_tie_gives_the_lower_note_the_higher_label() -> None:
    # Tenor and bass in unison on 53, then 48 and 55: both assignments cost 25 + 4.
    notes = piece([(0, 53, 24, 0), (0, 53, 24, 1), (24, 48, 24, 1), (24, 55, 24, 0)])
    assert ClosestPitch(mono=True).predict(notes).tolist() == [0, 1, 1, 0]


def brute_force_assignment(options: list[list[tuple[int, int]]], k: int) -> list[int] | None:
    """The lexicographically last minimum-cost assignment of distinct parts, by enumeration."""
    allowed = [dict((part, cost) for cost, part in row) for row in options]
    best, chosen = None, None
    for parts in itertools.permutations(range(k), len(options)):
        if all(part in allowed[r] for r, part in enumerate(parts)):
            cost = sum(allowed[r][part] for r, part in enumerate(parts))
            if best is None or cost <= best:  # permutations come in lexicographic order
                best, chosen = cost, list(parts)
    return chosen


def test_joint_assignment_matches_brute_force() -> None:
    rng = np.random.default_rng(5)
    costs = [0, 1, 4, 9, 1 << 40, (1 << 40) + 4]  # squared gaps, plus "still sounding"
    for _ in range(400):
        k = int(rng.integers(1, 6))
        m = int(rng.integers(1, k + 1))
        options = [[(costs[int(rng.integers(len(costs)))], part) for part in range(k)
                    if rng.random() < 0.7] for _ in range(m)]
        assert assign_parts(options, k) == brute_force_assignment(options, k), options
    assert assign_parts([[(0, 0)], [(0, 0)]], 2) is None
    assert assign_parts([[(0, 0)]] * 3, 2) is None


def test_entry_rows_keep_their_part_and_only_they_are_read() -> None:
    rng = np.random.default_rng(2)
    for seed in range(10):
        k = 2 + seed % 4
        notes = random_piece(rng, 150, k)
        first = np.unique(notes[:, 3], return_index=True)[1]
        # Relabel every other row with row 0's part (which entered at row 0): the entries,
        # the only labels the method reads, are unchanged.
        scrambled = notes.copy()
        others = np.setdiff1d(np.arange(len(notes)), first)
        scrambled[others, 3] = notes[0, 3]
        for mono in (False, True):
            model = ClosestPitch(mono=mono)
            predicted = model.predict(notes)
            assert predicted.dtype == np.int64
            assert np.array_equal(predicted[first], notes[first, 3])
            assert np.array_equal(model.predict(scrambled), predicted)
            assert predicted.min() >= 0
            assert predicted.max() < k


def test_closest_pitch_needs_hints() -> None:
    notes = piece([(0, 60, 24, 0), (24, 62, 24, 0)])
    with pytest.raises(ValueError, match="entry hints"):
        ClosestPitch().predict(notes[:, :3])
    assert ClosestPitch().fit([notes], 2) is not None
    assert ClosestPitch().predict(np.zeros((0, 4), np.int64)).shape == (0,)


def test_closest_pitch_is_fast() -> None:
    rng = np.random.default_rng(3)
    notes = random_piece(rng, 20_000, 4)
    for name in ("closest-pitch", "closest-pitch-mono"):
        assert baseline(name).predict(notes).shape == (20_000,)


# --------------------------------------------------------------------- registry and state


def test_registry_and_attributes() -> None:
    assert set(BASELINES) == {"most-common", "zone", "zone-permute", "closest-pitch",
                              "closest-pitch-mono"}
    for name in BASELINES:
        model = baseline(name)
        assert model.name == name
        assert model.uses_hints == name.startswith("closest")
    assert ClosestPitch().online
    with pytest.raises(ValueError, match="closest-pitch-mono"):
        baseline("nearest")


def test_round_trip() -> None:
    rng = np.random.default_rng(4)
    train = [random_piece(rng, 100, 3) for _ in range(2)]
    test = random_piece(rng, 80, 3)
    for name in BASELINES:
        model = baseline(name).fit(train, 3)
        data = json.loads(json.dumps(model.to_dict()))
        assert data["name"] == name
        rebuilt = Baseline.from_dict(data)
        assert type(rebuilt) is type(model)
        assert rebuilt.to_dict() == data
        assert np.array_equal(rebuilt.predict(test), model.predict(test))
        unfitted = Baseline.from_dict(json.loads(json.dumps(baseline(name).to_dict())))
        assert unfitted.n_parts is None
    zone = baseline("zone").fit(train, 3).to_dict()
    assert set(zone) >= {"order", "boundaries", "zones", "train_accuracy"}
    with pytest.raises(ValueError, match="zone"):
        Baseline.from_dict({**zone, "boundaries": [3]})


def test_errors() -> None:
    notes = piece([(0, 60, 24, 0)])
    for name in ("most-common", "zone", "zone-permute"):
        with pytest.raises(RuntimeError, match="fit"):
            baseline(name).predict(notes)
    with pytest.raises(ValueError, match="K > 8"):
        ZoneBased(permute=True).fit([notes], 9)
    with pytest.raises(ValueError, match="part"):
        MostCommon().fit([piece([(0, 60, 24, 3)])], 2)
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        MostCommon().fit([notes[:, :3]], 2)
