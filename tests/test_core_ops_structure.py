"""The structural operations of orchestrion.core.ops (sort, remove_duplicate, barlines and
beats, merge_tracks, chaining) with values worked out by hand, hypothesis properties, and
differential checks against MusPy 0.5 where MusPy is right."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_ops_helpers import muspy_rows, note_tuples, pieces, rows, timed, to_muspy, track_of
from orchestrion.core import (
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Music,
    NoteArray,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
    ops,
)

# ------------------------------------------------------------------------------------- sort


def test_sort_with_several_tracks() -> None:
    # MusPy's Music.sort() raises TypeError with two or more tracks (it sorts the track list).
    a = track_of((5, 60, 1), (0, 62, 2), (0, 60, 3, 9), (0, 60, 3, 1), name="a",
                 chords=[Chord(4, [62], 1), Chord(4, [60, 64], 1), Chord(0, [70], 1)],
                 lyrics=[Lyric(9, "x"), Lyric(2, "y")],
                 controls=[ControlChange(7, 64, 0), ControlChange(3, 64, 127)])
    b = track_of((9, 40, 1), (1, 41, 1), name="b",
                 annotations=[Annotation(5, "late"), Annotation(1, "early")])
    c = Track(name="c")
    music = Music(tempos=[Tempo(30, 100), Tempo(0, 120), Tempo(30, 90)],
                  key_signatures=[KeySignature(10), KeySignature(0)],
                  barlines=[Barline(96), Barline(0)], beats=[Beat(24), Beat(0)],
                  tracks=[a, b, c])
    assert ops.sort(music) is music
    assert [t.name for t in music.tracks] == ["a", "b", "c"]  # track order is kept
    assert rows(a) == [(0, 60, 3, 1), (0, 60, 3, 9), (0, 62, 2, 64), (5, 60, 1, 64)]
    assert [(c.time, c.pitches) for c in a.chords] == [(0, [70]), (4, [60, 64]), (4, [62])]
    assert [x.lyric for x in a.lyrics] == ["y", "x"]
    assert timed(a.controls) == [3, 7]
    assert rows(b) == [(1, 41, 1, 64), (9, 40, 1, 64)]
    assert [x.annotation for x in b.annotations] == ["early", "late"]
    # stable: of the two tempos at tick 30, 100 qpm stays before 90 (so 90 still wins)
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 120), (30, 100), (30, 90)]
    assert timed(music.key_signatures) == [0, 10]
    assert timed(music.barlines) == [0, 96]
    assert timed(music.beats) == [0, 24]


@settings(max_examples=60, deadline=None)
@given(pieces())
def test_sort_is_idempotent_and_orders_notes_like_python(music: Music) -> None:
    expected = [sorted(rows(t)) for t in music.tracks]
    music.sort()
    assert [rows(t) for t in music.tracks] == expected
    once = music.copy()
    assert music.sort() == once


# -------------------------------------------------------------------------- remove_duplicate


def test_remove_duplicate_notes_and_events() -> None:
    track = track_of((5, 60, 1, 64), (0, 60, 1, 64), (5, 60, 1, 64), (5, 60, 1, 65),
                     (5, 60, 2, 64), (5, 61, 1, 64), (6, 60, 1, 64), (5, 60, 1, 64),
                     chords=[Chord(0, [60, 64], 1), Chord(0, [60, 64], 1),
                             Chord(0, [64, 60], 1)],
                     controls=[ControlChange(1, 64, 0), ControlChange(1, 64, 0)])
    music = Music(tempos=[Tempo(10, 90), Tempo(0, 120), Tempo(10, 90), Tempo(10, 91)],
                  lyrics=[Lyric(0, "a"), Lyric(0, "b"), Lyric(0, "a")],
                  annotations=[Annotation(0, {"k": [1, 2]}), Annotation(0, {"k": [1, 2]}),
                               Annotation(0, {"k": [2, 1]}), Annotation(0, [[1], [2]]),
                               Annotation(0, [[1], [2]]), Annotation(0, "text", "marker"),
                               Annotation(0, "text", "cue")],
                  tracks=[track])
    assert ops.remove_duplicate(music) is music
    # notes: exact duplicates go; the rest come out sorted
    assert rows(track) == [(0, 60, 1, 64), (5, 60, 1, 64), (5, 60, 1, 65), (5, 60, 2, 64),
                           (5, 61, 1, 64), (6, 60, 1, 64)]
    # events: first occurrence kept, order kept
    assert [c.pitches for c in track.chords] == [[60, 64], [64, 60]]
    assert len(track.controls) == 1
    assert [(t.time, t.qpm) for t in music.tempos] == [(10, 90), (0, 120), (10, 91)]
    assert [x.lyric for x in music.lyrics] == ["a", "b"]
    assert [(x.annotation, x.group) for x in music.annotations] == [
        ({"k": [1, 2]}, None), ({"k": [2, 1]}, None), ([[1], [2]], None),
        ("text", "marker"), ("text", "cue")]
    # equal tracks are two parts (say, doubled violins): both stay (MusPy drops the second)
    doubled = Music(tracks=[track_of((0, 60, 1)), track_of((0, 60, 1))]).remove_duplicate()
    assert [rows(t) for t in doubled.tracks] == [[(0, 60, 1, 64)]] * 2


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([(0, 60, 1, 64), (0, 60, 1, 65), (0, 61, 1, 64),
                                 (1, 60, 1, 64), (1, 60, 0, 64)]) | note_tuples,
                max_size=40))
def test_remove_duplicate_matches_a_set_oracle(notes: list[tuple[int, int, int, int]]) -> None:
    music = Music(tracks=[track_of(*notes), track_of(*notes, is_drum=True)])
    music.remove_duplicate()
    assert [rows(t) for t in music.tracks] == [sorted(set(notes))] * 2
    once = music.copy()
    assert music.remove_duplicate() == once  # idempotent


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_remove_duplicate_on_large_random_input(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 100_000
    # Few distinct values per field, so about half the notes are duplicates.
    columns = (rng.integers(0, 400, n), rng.integers(60, 72, n), rng.integers(1, 4, n),
               rng.integers(63, 66, n))
    music = Music(tracks=[Track(notes=NoteArray(*columns))])
    music.remove_duplicate()
    expected = sorted(set(zip(*(c.tolist() for c in columns), strict=True)))
    assert rows(music.tracks[0]) == expected
    assert len(expected) < n


@settings(max_examples=40, deadline=None)
@given(pieces())
def test_remove_duplicate_matches_muspy(muspy: Any, music: Music) -> None:
    # MusPy keeps notes in first-seen order (O(n^2)); orchestrion sorts them (O(n log n)).
    # MusPy also drops a track equal to an earlier one; orchestrion keeps every track, so
    # the tracks here differ by name.
    for i, track in enumerate(music.tracks):  # make duplicates
        track.name = f"track {i}"
        track.notes = track.notes + track.notes[: len(track.notes) // 2]
    music.tempos = music.tempos + music.tempos
    theirs = to_muspy(muspy, music).remove_duplicate()
    music.remove_duplicate()
    assert [rows(t) for t in music.tracks] == [sorted(muspy_rows(t)) for t in theirs.tracks]
    assert [(t.time, t.qpm) for t in music.tempos] == [(t.time, t.qpm) for t in theirs.tempos]
    assert [(c.time, c.pitches) for t in music.tracks for c in t.chords] == \
        [(c.time, c.pitches) for t in theirs.tracks for c in t.chords]


# ------------------------------------------------------------------ barlines and beats


@pytest.mark.parametrize(
    ("numerator", "denominator", "resolution", "expected"),
    [(4, 4, 24, (24.0, 4)), (3, 4, 24, (24.0, 3)), (2, 2, 24, (48.0, 2)),
     (6, 8, 24, (36.0, 2)), (9, 8, 24, (36.0, 3)), (12, 8, 24, (36.0, 4)),
     (6, 16, 24, (18.0, 2)), (3, 8, 24, (12.0, 3)), (6, 4, 24, (24.0, 6)),
     (5, 8, 24, (12.0, 5)), (6, 8, 5, (7.5, 2))],
)
def test_beat_length(numerator: int, denominator: int, resolution: int,
                     expected: tuple[float, int]) -> None:
    assert ops.beat_length(TimeSignature(0, numerator, denominator), resolution) == expected


def _grid(music: Music) -> tuple[list[int], list[int]]:
    return timed(music.barlines), timed(music.beats)


def test_infer_four_four() -> None:
    music = Music(time_signatures=[TimeSignature(0, 4, 4)], tracks=[track_of((0, 60, 200))])
    assert ops.infer_barlines_and_beats(music) is music
    assert _grid(music) == ([0, 96, 192], [0, 24, 48, 72, 96, 120, 144, 168, 192])
    # no time signature: 4/4; an end on a bar line opens no new bar
    music = Music(tracks=[track_of((0, 60, 192))])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 96], [0, 24, 48, 72, 96, 120, 144, 168])


def test_infer_three_four() -> None:
    music = Music(time_signatures=[TimeSignature(0, 3, 4)], tracks=[track_of((0, 60, 150))])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 72, 144], [0, 24, 48, 72, 96, 120, 144])


def test_infer_compound_six_eight() -> None:
    # two dotted-quarter beats per bar (MusPy counts six eighth-note beats)
    music = Music(time_signatures=[TimeSignature(0, 6, 8)], tracks=[track_of((0, 60, 144))])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 72], [0, 36, 72, 108])
    music = Music(resolution=5, time_signatures=[TimeSignature(0, 6, 8)],
                  tracks=[track_of((0, 60, 30))])
    music.infer_barlines_and_beats()  # beats of 7.5 ticks, rounded half-up
    assert _grid(music) == ([0, 15], [0, 8, 15, 23])


def test_infer_time_signature_change_mid_bar() -> None:
    # 4/4 for a bar and a quarter (a change in mid-bar starts a new bar), then 3/4
    music = Music(time_signatures=[TimeSignature(120, 3, 4), TimeSignature(0, 4, 4)],
                  tracks=[track_of((0, 60, 264))])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 96, 120, 192],
                            [0, 24, 48, 72, 96, 120, 144, 168, 192, 216, 240])


def test_infer_first_time_signature_after_zero_and_duplicates() -> None:
    # 4/4 until the first signature; of two signatures at one tick the last wins
    music = Music(time_signatures=[TimeSignature(48, 2, 4), TimeSignature(48, 3, 8)],
                  tracks=[track_of((0, 60, 96))])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 48, 84], [0, 24, 48, 60, 72, 84])


def test_infer_overwrite_and_idempotence() -> None:
    music = Music(time_signatures=[TimeSignature(0, 3, 4)], tracks=[track_of((0, 60, 100))],
                  barlines=[Barline(5)], beats=[Beat(1000)])
    music.infer_barlines_and_beats(overwrite=False)
    assert _grid(music) == ([5], [1000])
    music.infer_barlines_and_beats()
    assert _grid(music) == ([0, 72], [0, 24, 48, 72, 96])
    music.infer_barlines_and_beats()  # inferred grid does not extend the piece
    assert _grid(music) == ([0, 72], [0, 24, 48, 72, 96])
    fresh = Music(tracks=[track_of((0, 60, 30))])
    fresh.infer_barlines_and_beats(overwrite=False)
    assert _grid(fresh) == ([0], [0, 24])
    empty = Music()
    empty.infer_barlines_and_beats()
    assert _grid(empty) == ([], [])


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([(4, 4), (3, 4), (2, 4), (2, 2), (5, 4)]), st.integers(1, 2_000),
       st.sampled_from([4, 12, 24, 480]))
def test_infer_simple_meters_match_muspy(muspy: Any, meter: tuple[int, int], end: int,
                                         resolution: int) -> None:
    ours = Music(resolution=resolution, time_signatures=[TimeSignature(0, *meter)],
                 tracks=[track_of((0, 60, end))])
    theirs = to_muspy(muspy, ours).infer_barlines_and_beats()
    ours.infer_barlines_and_beats()
    assert _grid(ours) == (timed(theirs.barlines), timed(theirs.beats))


# ------------------------------------------------------------------------------ merge_tracks


def test_merge_tracks_some() -> None:
    a = track_of((10, 60, 1), name="a", program=40, lyrics=[Lyric(5, "a")],
                 controls=[ControlChange(9, 64, 0)])
    b = track_of((0, 30, 1), name="b", program=33)
    c = track_of((0, 72, 1), (10, 50, 1), name="c", program=0, is_drum=True,
                 lyrics=[Lyric(1, "c"), Lyric(5, "c2")], chords=[Chord(2, [60], 1)],
                 pitch_bends=[PitchBend(3, 100)])
    music = Music(tracks=[a, b, c])
    assert ops.merge_tracks(music, [2, 0, 2]) is music
    assert [t.name for t in music.tracks] == ["a", "b"]
    merged = music.tracks[0]
    assert (merged.program, merged.is_drum) == (40, False)
    assert rows(merged) == [(0, 72, 1, 64), (10, 50, 1, 64), (10, 60, 1, 64)]
    assert [x.lyric for x in merged.lyrics] == ["c", "a", "c2"]  # by time, stable
    assert timed(merged.chords) == [2]
    assert timed(merged.controls) == [9]
    assert timed(merged.pitch_bends) == [3]
    assert music.tracks[1] is b


def test_merge_tracks_all_and_overrides() -> None:
    music = Music(tracks=[track_of((5, 60, 1), name="x", program=1),
                          track_of((0, 61, 1), name="y", program=2)])
    music.merge_tracks(program=73, is_drum=True, name="all")
    assert len(music.tracks) == 1
    merged = music.tracks[0]
    assert (merged.program, merged.is_drum, merged.name) == (73, True, "all")
    assert rows(merged) == [(0, 61, 1, 64), (5, 60, 1, 64)]
    same = music.copy()
    assert music.merge_tracks([]) == same
    with pytest.raises(IndexError, match=re.escape("track indices [0, 3] out of range")):
        music.merge_tracks([0, 3])
    with pytest.raises(IndexError, match="out of range for 1 tracks"):
        music.merge_tracks([-1])
    assert Music().merge_tracks() == Music()


@settings(max_examples=40, deadline=None)
@given(pieces())
def test_merge_tracks_keeps_every_note(music: Music) -> None:
    expected = sorted(r for t in music.tracks for r in rows(t))
    n_tracks = len(music.tracks)
    music.merge_tracks()
    assert len(music.tracks) == min(n_tracks, 1)
    assert [r for t in music.tracks for r in rows(t)] == expected


# ---------------------------------------------------------------------------- chaining


def test_methods_chain_in_place() -> None:
    music = Music(resolution=24, tracks=[track_of((1, 60, 5, 120), (1, 60, 5, 120))])
    out = (music.transpose(2).adjust_resolution(target=12).quantize(3).clip(0, 100)
           .remove_duplicate().sort().trim(6))
    assert out is music
    assert rows(music.tracks[0]) == [(0, 62, 3, 100)]
