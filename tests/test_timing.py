"""TempoMap: ticks <-> seconds through piecewise-constant tempo, with exact values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrion.core import Music, Note, Tempo, TempoMap, Track, ops
from orchestrion.core.timing import DEFAULT_QPM


def _map(tempos: list[tuple[int, float]], resolution: int = 24) -> TempoMap:
    return TempoMap.from_music(Music(resolution=resolution,
                                     tempos=[Tempo(t, q) for t, q in tempos]))


def test_no_tempo_means_120_qpm() -> None:
    assert DEFAULT_QPM == 120.0
    tempo_map = _map([])
    # 120 quarters a minute: one quarter (24 ticks) is half a second.
    assert tempo_map.to_seconds(0) == 0.0
    assert tempo_map.to_seconds(24) == 0.5
    assert tempo_map.to_seconds(12) == 0.25
    assert tempo_map.to_seconds(240) == 5.0
    assert tempo_map.to_ticks(5.0) == 240.0
    assert tempo_map.ticks.tolist() == [0]
    assert tempo_map.qpm.tolist() == [120.0]


def test_resolution_scales_ticks() -> None:
    assert _map([], resolution=480).to_seconds(480) == 0.5
    assert _map([(0, 60.0)], resolution=1).to_seconds(3) == 3.0
    assert _map([(0, 60.0)], resolution=1).to_ticks(3.0) == 3.0


def test_several_tempo_changes() -> None:
    # 120 qpm for 2 quarters, 60 qpm for 2 quarters, then 240 qpm.
    tempo_map = _map([(0, 120.0), (48, 60.0), (96, 240.0)])
    assert tempo_map.seconds.tolist() == [0.0, 1.0, 3.0]
    expected = {0: 0.0, 24: 0.5, 48: 1.0, 60: 1.5, 72: 2.0, 96: 3.0, 108: 3.125, 120: 3.25,
                 192: 4.0}
    for tick, seconds in expected.items():
        assert tempo_map.to_seconds(tick) == seconds
        assert tempo_map.to_ticks(seconds) == tick


def test_first_tempo_after_zero_has_120_qpm_before_it() -> None:
    tempo_map = _map([(48, 60.0)])
    assert tempo_map.ticks.tolist() == [0, 48]
    assert tempo_map.qpm.tolist() == [120.0, 60.0]
    assert tempo_map.to_seconds(24) == 0.5
    assert tempo_map.to_seconds(48) == 1.0
    assert tempo_map.to_seconds(72) == 2.0


def test_tempos_are_sorted_by_time() -> None:
    unsorted = _map([(96, 240.0), (0, 120.0), (48, 60.0)])
    assert unsorted.ticks.tolist() == [0, 48, 96]
    assert unsorted.to_seconds(120) == 3.25


def test_changes_at_one_tick_last_wins() -> None:
    tempo_map = _map([(0, 30.0), (0, 60.0), (24, 90.0), (24, 240.0), (24, 120.0)])
    assert tempo_map.ticks.tolist() == [0, 24]
    assert tempo_map.qpm.tolist() == [60.0, 120.0]
    assert tempo_map.to_seconds(24) == 1.0
    assert tempo_map.to_seconds(48) == 1.5
    # "last" is the order of the list, also when the list is unsorted
    assert _map([(24, 90.0), (0, 60.0), (24, 30.0)]).qpm.tolist() == [60.0, 30.0]


def test_arrays_in_arrays_out_and_scalars_in_floats_out() -> None:
    tempo_map = _map([(0, 120.0), (48, 60.0), (96, 240.0)])
    ticks = np.array([0, 24, 48, 60, 96, 120])
    seconds = tempo_map.to_seconds(ticks)
    assert isinstance(seconds, np.ndarray)
    assert seconds.tolist() == [0.0, 0.5, 1.0, 1.5, 3.0, 3.25]
    assert [tempo_map.to_seconds(int(t)) for t in ticks] == seconds.tolist()
    assert type(tempo_map.to_seconds(24)) is float
    assert type(tempo_map.to_seconds(np.int64(24))) is float
    assert type(tempo_map.to_ticks(0.5)) is float
    back = tempo_map.to_ticks(seconds)
    assert isinstance(back, np.ndarray)
    assert back.tolist() == ticks.tolist()
    grid = tempo_map.to_seconds(np.array([[0, 24], [48, 96]]))
    assert grid.shape == (2, 2)
    assert grid.tolist() == [[0.0, 0.5], [1.0, 3.0]]


def test_fractional_ticks() -> None:
    tempo_map = _map([(0, 60.0)])
    assert tempo_map.to_seconds(12.0) == 0.5
    assert tempo_map.to_ticks(0.25) == 6.0


def test_music_tempo_map_and_ops_wrappers() -> None:
    music = Music(resolution=24, tempos=[Tempo(0, 120.0), Tempo(48, 60.0)],
                  tracks=[Track(notes=[Note(0, 60, 72)])])
    assert music.tempo_map().to_seconds(72) == 2.0
    assert ops.ticks_to_seconds(music, 72) == 2.0
    assert ops.ticks_to_seconds(music, np.array([24, 72])).tolist() == [0.5, 2.0]
    assert ops.seconds_to_ticks(music, 2.0) == 72.0
    assert ops.seconds_to_ticks(music, np.array([0.5, 2.0])).tolist() == [24.0, 72.0]


tempo_lists = st.lists(st.tuples(st.integers(0, 700),
                                 st.sampled_from([30.0, 60.0, 90.0, 100.0, 120.0, 144.5, 200.0])),
                       max_size=6)


def _oracle_seconds(tempos: list[tuple[int, float]], resolution: int, tick: int) -> float:
    """Walk tick by tick through the tempo in force (last change at or before the tick)."""
    total = 0.0
    for t in range(tick):
        qpm = 120.0
        for time, q in sorted(tempos, key=lambda x: x[0]):  # stable: last at a tick wins
            if time <= t:
                qpm = q
        total += 60.0 / (qpm * resolution)
    return total


@given(tempo_lists, st.integers(1, 96), st.integers(0, 600))
def test_to_seconds_matches_a_tick_by_tick_oracle(tempos: list[tuple[int, float]],
                                                  resolution: int, tick: int) -> None:
    got = _map(tempos, resolution).to_seconds(tick)
    assert got == pytest.approx(_oracle_seconds(tempos, resolution, tick), rel=1e-9, abs=1e-12)


@given(tempo_lists, st.integers(1, 960),
       st.lists(st.integers(0, 10_000), min_size=1, max_size=20))
def test_to_ticks_inverts_to_seconds(tempos: list[tuple[int, float]], resolution: int,
                                     ticks: list[int]) -> None:
    tempo_map = _map(tempos, resolution)
    array = np.array(ticks)
    seconds = tempo_map.to_seconds(array)
    assert np.all(np.diff(seconds[np.argsort(array, kind="stable")]) >= 0)  # monotone
    back = tempo_map.to_ticks(seconds)
    assert np.allclose(back, array, rtol=0, atol=1e-6)
    assert np.rint(back).astype(np.int64).tolist() == ticks
