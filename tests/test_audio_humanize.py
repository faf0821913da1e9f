"""Humanised performances: seeded, exactly aligned, bounded, the score left alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orchestrion.audio.humanize import ALIGNMENT_DTYPE, Performance, humanize
from orchestrion.core.model import (
    Barline,
    ControlChange,
    KeySignature,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.errors import OrchestrionError

ZERO = {"timing": 0.0, "chord_spread": 0.0, "rubato": 0.0, "velocity": 0.0,
        "velocity_noise": 0.0, "articulation": 0.0}


def _piece(seed: int = 0, n: int = 300) -> Music:
    """Two random tracks on a sixteenth grid (no same-pitch overlaps), a chord track, tempo
    changes, 3/4 time, a pedal and a barline."""
    rng = np.random.default_rng(seed)
    tracks = []
    for program in (0, 40):
        time = np.sort(rng.integers(0, 24 * 120, n)) // 6 * 6
        pitch = rng.integers(40, 80, n)
        tracks.append(Track.from_arrays(time, pitch, rng.integers(3, 30, n),
                                        rng.integers(30, 110, n), program=program))
    chords = Track(program=48, notes=[Note(t, p, 24, 80) for t in (0, 24, 48)
                                      for p in (60, 64, 67)],
                   controls=[ControlChange(0, 64, 127), ControlChange(72, 64, 0)])
    # overlapping score notes of one pitch: must stay as the score has them
    tracks.append(Track(program=1, notes=[Note(0, 50, 48, 0), Note(24, 50, 48, 127)]))
    tracks.append(chords)
    return Music(resolution=24, tempos=[Tempo(0, 100.0), Tempo(480, 140.0)],
                 time_signatures=[TimeSignature(0, 3, 4)],
                 key_signatures=[KeySignature(0, root=2, mode="major", fifths=2)],
                 barlines=[Barline(72)], tracks=tracks)


def _performed_seconds(performance: Performance) -> tuple[np.ndarray, np.ndarray]:
    tempo_map = performance.music.tempo_map()
    arrays = [track.note_array() for track in performance.music.tracks]
    onsets = np.concatenate([tempo_map.to_seconds(a.time) for a in arrays])
    offsets = np.concatenate([tempo_map.to_seconds(a.end) for a in arrays])
    return onsets, offsets


def test_same_seed_same_performance_other_seed_differs() -> None:
    music = _piece()
    first, again, other = humanize(music, 7), humanize(music, 7), humanize(music, 8)
    np.testing.assert_array_equal(first.alignment, again.alignment)
    assert first.music.tracks == again.music.tracks
    assert not np.array_equal(first.alignment["performed_onset"],
                              other.alignment["performed_onset"])
    assert not np.array_equal(first.alignment["performed_velocity"],
                              other.alignment["performed_velocity"])


def test_alignment_order_and_exactness() -> None:
    music = _piece()
    performance = humanize(music, 1)
    alignment = performance.alignment
    assert alignment.dtype == ALIGNMENT_DTYPE
    assert len(alignment) == music.n_notes
    expected_order = [(t, i) for t, track in enumerate(music.tracks) for i in range(track.n_notes)]
    assert list(zip(alignment["track"].tolist(), alignment["note"].tolist(),
                    strict=True)) == expected_order
    scores = [track.note_array() for track in music.tracks]
    np.testing.assert_array_equal(alignment["score_onset_tick"],
                                  np.concatenate([a.time for a in scores]))
    np.testing.assert_array_equal(alignment["pitch"], np.concatenate([a.pitch for a in scores]))
    tempo_map = music.tempo_map()
    np.testing.assert_allclose(alignment["score_offset"],
                               tempo_map.to_seconds(alignment["score_offset_tick"]))
    onsets, offsets = _performed_seconds(performance)
    np.testing.assert_allclose(onsets, alignment["performed_onset"], atol=1e-3)
    np.testing.assert_allclose(offsets, alignment["performed_offset"], atol=1e-3)
    np.testing.assert_allclose(onsets, alignment["performed_onset"], atol=1e-12)  # in fact
    performed_velocity = np.concatenate([t.note_array().velocity
                                         for t in performance.music.tracks])
    np.testing.assert_array_equal(performed_velocity, alignment["performed_velocity"])
    assert performance.music.resolution == 1000
    assert [t.qpm for t in performance.music.tempos] == [60.0]


def test_score_is_not_modified() -> None:
    music = _piece()
    before = music.copy()
    humanize(music, 3, timing=0.05, rubato=0.2, velocity=30, articulation=0.5)
    assert music == before


def test_zero_settings_give_the_scores_timing() -> None:
    music = _piece()
    performance = humanize(music, 5, **ZERO)
    alignment = performance.alignment
    half_tick = 0.5 / 1000
    np.testing.assert_allclose(alignment["performed_onset"], alignment["score_onset"],
                               atol=half_tick + 1e-12)
    np.testing.assert_allclose(alignment["performed_offset"], alignment["score_offset"],
                               atol=half_tick + 1e-12)
    np.testing.assert_array_equal(alignment["performed_velocity"],
                                  np.clip(alignment["score_velocity"], 1, 127))
    np.testing.assert_array_equal(performance.tempo_factor, 1.0)
    # the other events follow the same clock: the barline at tick 72 (3 quarters at 100 qpm)
    assert performance.music.barlines[0].time == 1800
    pedal = performance.music.tracks[3].controls
    assert [(c.time, c.value) for c in pedal] == [(0, 127), (1800, 0)]


@pytest.mark.parametrize("rubato", [0.03, 0.08, 0.2])
def test_rubato_stays_in_its_range(rubato: float) -> None:
    music = _piece()
    performance = humanize(music, 11, **{**ZERO, "rubato": rubato}, resolution=100_000)
    factor = performance.tempo_factor
    assert np.abs(factor - 1).max() <= rubato + 1e-12
    assert np.abs(factor - 1).max() > rubato / 4  # it does something
    # the local tempo ratio between successive distinct onsets stays inside the range
    alignment = performance.alignment
    onsets = np.unique(alignment["score_onset"])
    performed = np.unique(alignment["performed_onset"])
    assert len(onsets) == len(performed)  # no jitter: order and groups kept
    ratio = np.diff(onsets) / np.diff(performed)
    assert ratio.min() >= 1 - rubato - 1e-3
    assert ratio.max() <= 1 + rubato + 1e-3
    # smooth: |r'| <= rubato * 2 pi / (shortest period, 2 bars of 3/4 = 144 ticks)
    slope = np.diff(factor) / np.diff(performance.tempo_ticks)
    assert np.abs(slope).max() <= rubato * 2 * np.pi / 144 + 1e-12


def test_velocities_in_range_and_shaped() -> None:
    music = _piece()
    loud = humanize(music, 2, velocity=60, velocity_noise=20)
    velocity = loud.alignment["performed_velocity"]
    assert velocity.min() >= 1
    assert velocity.max() <= 127
    assert (velocity == 127).any()
    assert (velocity == 1).any()
    # the phrase-level part is smooth: without noise, neighbouring notes of a track differ
    # by the slope of the dynamics curve only
    smooth = humanize(music, 2, **{**ZERO, "velocity": 10})
    delta = (smooth.alignment["performed_velocity"].astype(int)
             - smooth.alignment["score_velocity"])
    assert np.abs(delta).max() <= 10
    assert np.unique(delta).size > 3


def test_durations_respect_minimum_and_repeated_notes() -> None:
    music = _piece()
    minimum = 0.05
    performance = humanize(music, 4, articulation=0.9, timing=0.02, min_duration=minimum)
    a = performance.alignment
    length = a["performed_offset"] - a["performed_onset"]
    score_length = a["score_offset"] - a["score_onset"]
    floor = np.minimum(minimum, score_length * 0.9) - 1e-3  # rubato, tick rounding
    assert (length >= floor).all()
    assert length.min() < score_length.min() * 2  # staccato phrases do shorten
    # no performed note runs into the next note of its pitch in its track, unless the score's
    # notes overlapped (track 2)
    for track in range(len(music.tracks)):
        rows = np.sort(a[a["track"] == track], order=("pitch", "score_onset_tick", "note"))
        same = rows["pitch"][1:] == rows["pitch"][:-1]
        separate = rows["score_offset_tick"][:-1] <= rows["score_onset_tick"][1:]
        check = same & separate
        assert (rows["performed_offset"][:-1][check]
                <= rows["performed_onset"][1:][check] + 1e-12).all()
        assert (rows["performed_onset"][1:][same] >= rows["performed_onset"][:-1][same]).all()
    overlapping = a[a["track"] == 2]
    assert overlapping["performed_offset"][0] > overlapping["performed_onset"][1]


def test_chords_stay_together() -> None:
    music = _piece()
    performance = humanize(music, 9, timing=0.03, chord_spread=0.002)
    chords = performance.alignment[performance.alignment["track"] == 3]
    onsets = chords["performed_onset"].reshape(3, 3)
    assert (onsets.max(axis=1) - onsets.min(axis=1)).max() <= 6 * 0.002 + 1e-3
    assert (onsets.max(axis=1) - onsets.min(axis=1)).max() > 0  # slightly rolled
    together = humanize(music, 9, timing=0.03, chord_spread=0.0)
    same = together.alignment[together.alignment["track"] == 3]["performed_onset"]
    assert (np.ptp(same.reshape(3, 3), axis=1) == 0).all()


def test_timing_jitter_has_the_asked_spread() -> None:
    music = Music(resolution=24, tracks=[Track.from_arrays(np.arange(2000) * 24,
                                                            np.full(2000, 60), np.full(2000, 12))])
    performance = humanize(music, 0, **{**ZERO, "timing": 0.02}, resolution=100_000)
    a = performance.alignment
    error = a["performed_onset"] - a["score_onset"]
    assert np.std(error[1:]) == pytest.approx(0.02, rel=0.1)
    assert np.abs(error).max() <= 3 * 0.02 + 1e-5


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_save_and_load(tmp_path: Path, suffix: str) -> None:
    performance = humanize(_piece(), 12)
    path = tmp_path / f"performance{suffix}"
    performance.save(path)
    back = Performance.load(path)
    np.testing.assert_array_equal(back.alignment, performance.alignment)
    assert back.music == performance.music
    assert (back.seed, back.settings) == (performance.seed, performance.settings)
    np.testing.assert_array_equal(back.tempo_factor, performance.tempo_factor)
    data = performance.to_dict()
    assert set(data["alignment"]) == set(ALIGNMENT_DTYPE.names)
    with pytest.raises(OrchestrionError, match=r"json or \.npz"):
        performance.save(tmp_path / "performance.txt")


def test_empty_music_and_bad_settings() -> None:
    empty = humanize(Music(tracks=[Track()]), 0)
    assert len(empty.alignment) == 0
    assert empty.music.tracks[0].n_notes == 0
    with pytest.raises(OrchestrionError, match="rubato"):
        humanize(_piece(), 0, rubato=0.9)
    with pytest.raises(OrchestrionError, match="timing"):
        humanize(_piece(), 0, timing=-1)
    with pytest.raises(OrchestrionError, match="articulation"):
        humanize(_piece(), 0, articulation=1.0)
