"""The MMT (Dong et al., ICASSP 2023) and REMI+ codecs: exact layouts, round trips with the
documented loss, grammar checks, truncation, random windows, and sequence lengths on real
pieces."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import musics

from orchestrion import Music, Note, Tempo, Track
from orchestrion.errors import ValidationError
from orchestrion.representations import get, load
from orchestrion.representations.mmt import (
    DEFAULT_DURATIONS,
    DEFAULT_INSTRUMENT_MAP,
    INSTRUMENT_NAMES,
    MMT,
    random_window,
)
from orchestrion.representations.remi import REMI

FIRST_PROGRAM = {k: DEFAULT_INSTRUMENT_MAP.index(k) for k in range(64)}


def piece() -> Music:
    """Two instruments (piano, violin), four notes, at 12 ticks per quarter."""
    return Music(resolution=12, tracks=[
        Track(program=0, notes=[Note(0, 60, 12), Note(12, 64, 6)]),
        Track(program=40, notes=[Note(0, 67, 24), Note(30, 72, 13)]),
    ])


# --- by hand -------------------------------------------------------------------------------
def test_mmt_hand_computed_rows() -> None:
    expected = np.array([
        [0, 0, 0, 0, 0, 0],    # start of song
        [1, 0, 0, 0, 0, 1],    # instrument piano (index 0)
        [1, 0, 0, 0, 0, 25],   # instrument violin (index 24)
        [2, 0, 0, 0, 0, 0],    # start of notes
        [3, 1, 1, 61, 12, 1],  # beat 0, pos 0, C4, 12 ticks (bin 11), piano
        [3, 1, 1, 68, 18, 25],  # beat 0, pos 0, G4, 24 ticks (bin 17), violin
        [3, 2, 1, 65, 6, 1],   # beat 1, pos 0, E4, 6 ticks (bin 5), piano
        [3, 3, 7, 73, 12, 25],  # beat 2, pos 6, C5, 13 -> 12 ticks (bin 11), violin
        [4, 0, 0, 0, 0, 0],    # end of song
    ])
    codec = MMT()
    array = codec.encode(piece())
    assert array.dtype == np.int64
    np.testing.assert_array_equal(array, expected)
    # The same piece at 24 ticks per quarter encodes to the same rows.
    np.testing.assert_array_equal(codec.encode(piece().adjust_resolution(24)), expected)
    decoded = codec.decode(array)
    assert [t.program for t in decoded.tracks] == [0, 40]
    assert decoded.tempos == [Tempo(0, 120.0)]
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in decoded.tracks[1].notes] == [
        (0, 67, 24, 64), (30, 72, 12, 64)]
    assert codec.describe(array)[5] == "note beat=0 position=0 pitch=67 duration=24 " \
                                       "instrument=violin"


def test_mmt_vocabulary_and_tables() -> None:
    codec = get("mmt")
    assert codec.vocabulary == {"type": 5, "beat": 257, "position": 13, "pitch": 129,
                                "duration": 33, "instrument": 65}
    assert len(INSTRUMENT_NAMES) == 64
    assert len(DEFAULT_DURATIONS) == 32
    dropped = [p for p, k in enumerate(DEFAULT_INSTRUMENT_MAP) if k is None]
    assert dropped == [76, 77, 78, *range(96, 104), *range(112, 117), *range(120, 128)]
    assert FIRST_PROGRAM[INSTRUMENT_NAMES.index("strings")] == 44
    assert DEFAULT_INSTRUMENT_MAP[110] == INSTRUMENT_NAMES.index("violin")  # fiddle
    # Other resolutions scale the bins; too coarse ones need explicit bins.
    assert MMT(resolution=24).duration_bins.tolist() == [2 * d for d in DEFAULT_DURATIONS]
    assert MMT(resolution=24).vocabulary["position"] == 25
    with pytest.raises(ValueError, match="duration_bins"):
        MMT(resolution=4)
    assert MMT(resolution=4, duration_bins=[1, 2, 4]).vocabulary["duration"] == 4


def test_config_save_load(tmp_path) -> None:
    for codec in (MMT(max_beat=64, max_events=None), REMI(use_velocity=True, use_tempo=True)):
        codec.save(tmp_path / "codec.json")
        again = load(tmp_path / "codec.json")
        assert again == codec
        assert again.vocabulary == codec.vocabulary


def test_custom_instrument_map() -> None:
    mapping = [0] * 8 + [None] * 120  # pianos only, everything else dropped
    codec = MMT(instrument_map=mapping)
    assert codec.vocabulary["instrument"] == 2
    music = piece()
    decoded = codec.decode(codec.encode(music))
    assert [t.program for t in decoded.tracks] == [0]
    assert decoded.n_notes == 2
    with pytest.raises(ValueError, match="every index"):
        MMT(instrument_map=[2] * 128)


# --- round trips ---------------------------------------------------------------------------
def nearest(duration: int, bins: list[int]) -> int:
    return min(bins, key=lambda b: (abs(b - duration), b))


def expected_loss(music: Music, resolution: int = 12, max_beat: int | None = 256) -> Music:
    """The documented loss, computed note by note."""
    if music.resolution != resolution:
        music = music.copy().adjust_resolution(resolution)
    bins = [d * resolution // 12 for d in DEFAULT_DURATIONS]
    kept: dict[int, set[tuple[int, int, int]]] = {}
    for track in music.tracks:
        k = DEFAULT_INSTRUMENT_MAP[track.program]
        if track.is_drum or k is None:
            continue
        notes = track.note_array()
        for t, p, d in zip(notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist(),
                           strict=True):
            if max_beat is None or t // resolution < max_beat:
                kept.setdefault(k, set()).add((t, p, nearest(d, bins)))
    tracks = [Track(program=FIRST_PROGRAM[k], notes=[Note(*n) for n in sorted(kept[k])])
              for k in sorted(kept)]
    return Music(resolution=resolution, tempos=[Tempo(0, 120.0)], tracks=tracks)


@st.composite
def grid_musics(draw: st.DrawFn) -> Music:
    """Dense pieces near the grid: several tracks, beats across the max_beat limit."""
    resolution = draw(st.sampled_from([6, 12, 24, 48]))
    tracks = []
    for _ in range(draw(st.integers(0, 4))):
        notes = draw(st.lists(st.builds(Note, time=st.integers(0, 300 * resolution),
                                        pitch=st.integers(0, 127),
                                        duration=st.integers(0, 40 * resolution),
                                        velocity=st.integers(0, 127)), max_size=30))
        tracks.append(Track(program=draw(st.integers(0, 127)), is_drum=draw(st.booleans()),
                            notes=notes))
    return Music(resolution=resolution, tracks=tracks)


round_trip_settings = settings(max_examples=40, deadline=None,
                               suppress_health_check=[HealthCheck.too_slow])


@round_trip_settings
@given(st.one_of(musics(), grid_musics()))
def test_mmt_round_trip(music: Music) -> None:
    codec = MMT(max_events=None)
    array = codec.encode(music)
    codec.check(array)
    assert codec.decode(array) == expected_loss(music)
    # Encoding the decoded piece gives the same array back.
    np.testing.assert_array_equal(codec.encode(codec.decode(array)), array)


@round_trip_settings
@given(st.one_of(musics(), grid_musics()))
def test_remi_round_trip(music: Music) -> None:
    codec = REMI()
    tokens = codec.encode(music)
    codec.check(tokens)
    assert tokens.ndim == 1
    assert tokens.max(initial=0) < codec.vocabulary["token"]
    assert codec.decode(tokens) == expected_loss(music, max_beat=None)


def test_remi_layout_and_options() -> None:
    codec = REMI()
    assert codec.vocabulary == {"token": 4 + 48 + 64 + 128 + 32}
    names = [codec.token_names[t] for t in codec.encode(piece())]
    assert names == [
        "bos", "bar", "position_0", "instrument_piano", "pitch_60", "duration_12",
        "instrument_violin", "pitch_67", "duration_24", "position_12", "instrument_piano",
        "pitch_64", "duration_6", "position_30", "instrument_violin", "pitch_72",
        "duration_12", "eos"]
    # Velocity and tempo tokens, when asked for.
    rich = REMI(use_velocity=True, use_tempo=True)
    music = piece()
    music.tempos = [Tempo(0, 100.0), Tempo(30, 140.0)]
    music.tracks[0].notes[0].velocity = 100
    decoded = rich.decode(rich.encode(music))
    assert [t.time for t in decoded.tempos] == [0, 30]
    assert abs(decoded.tempos[1].qpm - 140) < 140 * 0.04
    assert abs(decoded.tracks[0].notes[0].velocity - 100) <= 2
    assert codec.encode(Music()).tolist() == [1, 2]


def test_remi_grammar_rejects() -> None:
    codec = REMI()
    good = codec.encode(piece())
    assert codec.is_valid(good)
    swapped = good.copy()
    swapped[[3, 4]] = swapped[[4, 3]]  # pitch before instrument
    position_back = good.copy()
    position_back[9] = codec.offsets[1 + 3]  # position_0 after position_0 in the same bar
    for bad, message in ((good[1:], "start with bos"), (swapped, "cannot follow"),
                         (good[:5], "ends inside"), (position_back, "previous position"),
                         (np.append(good, 10_000), "outside")):
        with pytest.raises(ValidationError, match=message):
            codec.check(bad)


# --- grammar -------------------------------------------------------------------------------
def test_mmt_grammar_rejects() -> None:
    codec = MMT()
    good = codec.encode(piece())
    assert codec.is_valid(good)
    assert codec.is_valid(good[:5])
    assert codec.is_valid(good[:0])
    cases = []
    beat_down = good.copy()
    beat_down[6, 1] = 1  # a note at beat 0 after ...
    beat_down[5, 1] = 2  # ... one at beat 1
    cases.append((beat_down, "row 6, field 'beat'"))
    note_first = good.copy()
    note_first[[3, 4]] = note_first[[4, 3]]  # note before start-of-notes
    cases.append((note_first, "row 4, field 'type'"))
    no_son = np.delete(good, 3, axis=0)
    cases.append((no_son, "without a start-of-notes"))
    out_of_range = good.copy()
    out_of_range[4, 3] = 129
    cases.append((out_of_range, "row 4, field 'pitch'.*outside"))
    dont_care = good.copy()
    dont_care[1, 3] = 5  # pitch on an instrument event
    cases.append((dont_care, "row 1, field 'pitch'"))
    undefined = good.copy()
    undefined[5, 4] = 0  # note without a duration
    cases.append((undefined, "row 5, field 'duration'"))
    cases.append((good[1:], "start-of-song"))
    cases.append((np.vstack([good, good[-1:]]), "second end-of-song"))
    cases.append((good[:, :5], "shape"))
    cases.append((good.astype(float), "integers"))
    for bad, message in cases:
        assert not codec.is_valid(bad)
        with pytest.raises(ValidationError, match=message):
            codec.decode(bad)


# --- truncation and windows ----------------------------------------------------------------
def long_piece(n: int = 3000, seed: int = 0) -> Music:
    rng = np.random.default_rng(seed)
    tracks = [Track.from_arrays(rng.integers(0, 200 * 12, n), rng.integers(21, 109, n),
                                rng.integers(1, 100, n), program=p) for p in (0, 40, 73)]
    return Music(resolution=12, tracks=tracks)


def test_mmt_truncation() -> None:
    music = long_piece()
    full = MMT(max_events=None).encode(music)
    cut = MMT().encode(music)
    assert len(full) > 1024
    assert len(cut) == 1024
    np.testing.assert_array_equal(cut[:1023], full[:1023])
    assert cut[-1].tolist() == [4, 0, 0, 0, 0, 0]
    MMT().check(cut)
    assert MMT(max_events=5).encode(music).tolist() == [
        [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 25], [1, 0, 0, 0, 0, 50],
        [4, 0, 0, 0, 0, 0]]
    # Notes at beat max_beat or later are dropped.
    late = Music(resolution=12, tracks=[Track(notes=[Note(255 * 12 + 11, 60, 1),
                                                     Note(256 * 12, 62, 1)])])
    assert MMT().encode(late)[:, 1].tolist() == [0, 0, 0, 256, 0]


def test_random_window() -> None:
    codec = MMT(max_events=None)
    array = codec.encode(long_piece(500))
    header = array[array[:, 0] != 3]
    notes = array[array[:, 0] == 3]
    for seed in range(20):
        window = random_window(array, 16, np.random.default_rng(seed))
        codec.check(window)
        np.testing.assert_array_equal(window[window[:, 0] != 3], header)
        inside = window[window[:, 0] == 3]
        assert len(inside) > 0
        assert inside[:, 1].min() >= 1
        assert inside[:, 1].max() <= 16
        # The window is a contiguous slice of the notes with beats shifted by one amount.
        shift = int(np.flatnonzero((notes[:, 2:] == inside[0, 2:]).all(axis=1)
                                   & (notes[:, 1] >= inside[0, 1]))[0])
        original = notes[shift:shift + len(inside)]
        np.testing.assert_array_equal(original[:, 2:], inside[:, 2:])
        assert len(set((original[:, 1] - inside[:, 1]).tolist())) == 1
    np.testing.assert_array_equal(random_window(array, 16, 3), random_window(array, 16, 3))
    assert len(random_window(array, 10_000, 0)) == len(array)
    empty = codec.encode(Music())
    np.testing.assert_array_equal(random_window(empty, 4, 0), empty)


# --- real pieces (speed: benchmarks/bench_representations.py) ---------------------------
@pytest.mark.parametrize("work", ["bach/bwv66.6", "bach/bwv4.8", "mozart/k155/movement1"])
def test_corpus_lengths(work: str) -> None:
    music21 = pytest.importorskip("music21")
    import orchestrion

    music = orchestrion.read(music21.corpus.getWork(work))
    mmt = MMT(max_beat=4096, max_events=None)
    remi = REMI()
    events = mmt.encode(music)
    tokens = remi.encode(music)
    n_notes = int((events[:, 0] == 3).sum())
    assert n_notes == sum(t.n_notes for t in remi.decode(tokens).tracks)
    print(f"\n{work}: {n_notes} notes, mmt {len(events) / n_notes:.2f} events/note, "
          f"remi {len(tokens) / n_notes:.2f} tokens/note")
    assert len(events) < len(tokens) / 2
    for a, b in zip(mmt.decode(events).tracks, remi.decode(tokens).tracks, strict=True):
        assert a == b
