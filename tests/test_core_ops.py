"""The timing and pitch operations of orchestrion.core.ops (end times, transpose,
adjust_resolution, quantize, clip, trim) with values worked out by hand, hypothesis
properties, and differential checks against MusPy 0.5 where MusPy is right."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

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
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
    ops,
)
from orchestrion.errors import ValidationError

# ------------------------------------------------------------------------------- end times


def test_get_end_time_counts_offsets_and_events_but_not_barlines_or_beats() -> None:
    music = Music(tracks=[track_of((0, 60, 10), (4, 62, 20)), track_of((30, 60, 0))])
    assert ops.get_end_time(music) == 30
    music.tracks[0].chords.append(Chord(20, [60], 15))
    assert music.get_end_time() == 35
    music.tempos.append(Tempo(36, 100))
    assert music.get_end_time() == 36
    music.key_signatures.append(KeySignature(37))
    music.time_signatures.append(TimeSignature(38))
    music.lyrics.append(Lyric(39, "la"))
    assert music.get_end_time() == 39
    music.annotations.append(Annotation(40, "x"))
    music.tracks[1].controls.append(ControlChange(41, 64, 0))
    assert music.get_end_time() == 41
    music.tracks[1].pitch_bends.append(PitchBend(42, 0))
    assert music.get_end_time() == 42
    # barlines and beats are a grid derived from the piece: they never extend it
    music.barlines.append(Barline(960))
    music.beats.append(Beat(999))
    assert music.get_end_time() == 42
    assert ops.get_end_time(Music()) == 0


def test_get_real_end_time_through_tempo_changes() -> None:
    # ends at tick 120: 48 ticks at 120 qpm (1 s) + 48 at 60 qpm (2 s) + 24 at 240 qpm (0.25 s)
    music = Music(resolution=24, tempos=[Tempo(0, 120.0), Tempo(48, 60.0), Tempo(96, 240.0)],
                  tracks=[track_of((0, 60, 120))])
    assert ops.get_real_end_time(music) == 3.25
    assert music.get_real_end_time() == 3.25
    music.tempos = [Tempo(48, 60.0)]  # 120 qpm holds before the first tempo
    assert music.get_real_end_time() == 1.0 + 3.0
    music.tempos = []
    assert music.get_real_end_time() == 2.5
    assert Music().get_real_end_time() == 0.0
    # tempos out of order are put in order (MusPy walks them in list order)
    music.tempos = [Tempo(96, 240.0), Tempo(0, 120.0), Tempo(48, 60.0)]
    assert music.get_real_end_time() == 3.25


@settings(max_examples=60, deadline=None)
@given(pieces())
def test_end_times_match_muspy(muspy: Any, music: Music) -> None:
    theirs = to_muspy(muspy, music)
    assert ops.get_end_time(music) == theirs.get_end_time()
    assert ops.get_real_end_time(music) == pytest.approx(theirs.get_real_end_time(),
                                                         rel=1e-12)


# ------------------------------------------------------------------------------- transpose


def test_transpose_moves_pitched_notes_and_chords_but_not_drums() -> None:
    piano = track_of((0, 60, 1), (1, 64, 1, 90), chords=[Chord(0, [48, 52, 55], 4)])
    drums = track_of((0, 36, 1), (0, 42, 1), is_drum=True, chords=[Chord(0, [36, 38], 1)])
    music = Music(tracks=[piano, drums])
    assert ops.transpose(music, 3) is music
    assert rows(piano) == [(0, 63, 1, 64), (1, 67, 1, 90)]
    assert piano.chords[0].pitches == [51, 55, 58]  # shifted, not appended (MusPy's bug)
    assert rows(drums) == [(0, 36, 1, 64), (0, 42, 1, 64)]
    assert drums.chords[0].pitches == [36, 38]
    music.transpose(-5)
    assert rows(piano) == [(0, 58, 1, 64), (1, 62, 1, 90)]
    assert piano.chords[0].pitches == [46, 50, 53]


def test_transpose_detaches_note_objects_and_clears_spellings() -> None:
    note = Note(0, 60, 1, pitch_str="C4")
    track = Track(notes=[note], chords=[Chord(0, [60], 1, pitches_str=["C4"])])
    Music(tracks=[track]).transpose(2)
    assert note.pitch == 60  # the old object is no longer the track's
    assert [(n.pitch, n.pitch_str) for n in track.notes] == [(62, None)]
    assert track.chords[0].pitches_str is None


@pytest.mark.parametrize(
    ("key", "semitones", "expected"),
    [
        ((0, "major", 0), 2, (2, "major", 2)),  # C -> D
        ((7, "major", 1), 5, (0, "major", 0)),  # G -> C
        ((9, "minor", 0), -2, (7, "minor", -2)),  # A minor -> G minor
        ((2, "major", 2), -4, (10, "major", -2)),  # D -> Bb
        ((4, "major", 4), 2, (6, "major", -6)),  # E -> F#, spelled Gb (6 flats)
        ((5, "major", -1), 6, (11, "major", 5)),  # F -> B (5 sharps)
        ((0, "major", 0), 1, (1, "major", -5)),  # C -> Db
        ((1, "major", 7), 12, (1, "major", 7)),  # octaves keep C# major as it is
        ((11, "major", -7), -24, (11, "major", -7)),  # ... and Cb major
        ((1, "major", 7), 0, (1, "major", 7)),
        ((None, None, None), 3, (None, None, None)),
        ((3, None, None), 10, (1, None, None)),
        ((None, None, 3), 1, (None, None, -2)),
    ],
)
def test_transpose_moves_key_signatures(key: tuple, semitones: int, expected: tuple) -> None:
    music = Music(key_signatures=[KeySignature(5, *key, root_str="X")])
    music.transpose(semitones)
    got = music.key_signatures[0]
    assert (got.time, got.root, got.mode, got.fifths) == (5, *expected)
    assert got.root_str == ("X" if semitones % 12 == 0 else None)


def test_transpose_out_of_range_raises_and_changes_nothing() -> None:
    low = track_of((0, 10, 1), name="low")
    high = track_of((0, 60, 1), (0, 120, 1), name="high")
    music = Music(key_signatures=[KeySignature(0, 0, "major", 0)], tracks=[low, high])
    before = music.copy()
    with pytest.raises(ValidationError, match=re.escape(
            "transpose by 8 pushes track 'high' outside pitch 0-127 (range 60-120)")):
        music.transpose(8)
    assert music == before
    with pytest.raises(ValidationError, match="track 'low' outside pitch 0-127"):
        music.transpose(-11)
    assert music == before
    chordal = Music(tracks=[Track(chords=[Chord(0, [3, 100], 1)], name="c")])
    with pytest.raises(ValidationError, match=re.escape("(range 3-100)")):
        chordal.transpose(-4)
    with pytest.raises(ValidationError, match=r"whole number of semitones, got 1\.5"):
        music.transpose(1.5)  # type: ignore[arg-type]
    assert music == before
    assert chordal.tracks[0].chords[0].pitches == [3, 100]
    # drums are not transposed, so they cannot be out of range
    drums = Music(tracks=[track_of((0, 127, 1), is_drum=True)])
    drums.transpose(5)
    assert rows(drums.tracks[0]) == [(0, 127, 1, 64)]
    edge = Music(tracks=[track_of((0, 0, 1), (0, 127, 1))])
    edge.transpose(0)
    assert rows(edge.tracks[0]) == [(0, 0, 1, 64), (0, 127, 1, 64)]


@settings(max_examples=60, deadline=None)
@given(pieces(pitches=(12, 115), key_fifths=(-6, 5)), st.integers(-12, 12))
def test_transpose_there_and_back_is_identity(music: Music, k: int) -> None:
    before = music.copy()
    music.transpose(k).transpose(-k)
    assert music == before


@settings(max_examples=60, deadline=None)
@given(pieces(pitches=(12, 115), chords=False), st.integers(-12, 12))
def test_transpose_matches_muspy(muspy: Any, music: Music, k: int) -> None:
    theirs = to_muspy(muspy, music).transpose(k)
    music.transpose(k)
    assert [rows(t) for t in music.tracks] == [muspy_rows(t) for t in theirs.tracks]


# ---------------------------------------------------------------------- adjust_resolution


def _retimable_piece() -> Music:
    return Music(
        resolution=24,
        tempos=[Tempo(3, 100)],
        key_signatures=[KeySignature(9)],
        time_signatures=[TimeSignature(48)],
        barlines=[Barline(96)],
        beats=[Beat(25)],
        lyrics=[Lyric(1, "a")],
        annotations=[Annotation(2, "b")],
        tracks=[track_of((5, 60, 6), (0, 62, 1), (7, 64, 2, 99),
                         chords=[Chord(5, [60], 6)], lyrics=[Lyric(3, "c")],
                         annotations=[Annotation(4, "d")], controls=[ControlChange(5, 64, 0)],
                         pitch_bends=[PitchBend(6, 0)])],
    )


@pytest.mark.parametrize(
    ("rounding", "notes", "events"),
    [
        # onsets 2.5, 0, 3.5 and offsets 5.5, 0.5, 4.5; round is half-up (MusPy: half-even)
        ("round", [(3, 60, 3, 64), (0, 62, 1, 64), (4, 64, 1, 99)],
         [2, 5, 24, 48, 13, 1, 1, 2, 2, 3, 3]),
        ("floor", [(2, 60, 3, 64), (0, 62, 0, 64), (3, 64, 1, 99)],
         [1, 4, 24, 48, 12, 0, 1, 1, 2, 2, 3]),
        ("ceil", [(3, 60, 3, 64), (0, 62, 1, 64), (4, 64, 1, 99)],
         [2, 5, 24, 48, 13, 1, 1, 2, 2, 3, 3]),
    ],
)
def test_adjust_resolution_halves_every_time(rounding: str, notes: list, events: list) -> None:
    music = _retimable_piece()
    assert ops.adjust_resolution(music, target=12, rounding=rounding) is music  # type: ignore[arg-type]
    assert music.resolution == 12
    track = music.tracks[0]
    assert rows(track) == notes
    chord = track.chords[0]
    assert (chord.time, chord.duration) == notes[0][::2][:2]
    assert [music.tempos[0].time, music.key_signatures[0].time,
            music.time_signatures[0].time, music.barlines[0].time, music.beats[0].time,
            music.lyrics[0].time, music.annotations[0].time, track.lyrics[0].time,
            track.annotations[0].time, track.controls[0].time,
            track.pitch_bends[0].time] == events
    assert music.tempos[0].qpm == 100  # tempo is per quarter: unchanged


def test_adjust_resolution_by_factor() -> None:
    music = Music(resolution=24, tempos=[Tempo(6, 90)],
                  tracks=[track_of((5, 60, 7), chords=[Chord(1, [60], 2)])])
    music.adjust_resolution(factor=2)
    assert music.resolution == 48
    assert rows(music.tracks[0]) == [(10, 60, 14, 64)]
    assert (music.tracks[0].chords[0].time, music.tracks[0].chords[0].duration) == (2, 4)
    assert music.tempos[0].time == 12
    music.adjust_resolution(factor=0.25)
    assert music.resolution == 12
    assert rows(music.tracks[0]) == [(3, 60, 3, 64)]  # 2.5 -> 3, end 6
    # A factor that does not divide the resolution rounds the target (MusPy raises):
    # 12 * 0.3 = 3.6 -> 4 ticks per quarter, times scaled by 4/12.
    music.adjust_resolution(factor=0.3)
    assert music.resolution == 4
    assert rows(music.tracks[0]) == [(1, 60, 1, 64)]
    music.adjust_resolution(factor=0.3, rounding="floor")  # 1.2 -> 1
    assert music.resolution == 1
    music.adjust_resolution(target=12.0)  # type: ignore[arg-type]
    assert music.resolution == 12
    assert type(music.resolution) is int
    with pytest.raises(ValidationError, match=r"whole number >= 1, got 12\.5"):
        music.adjust_resolution(target=12.5)  # type: ignore[arg-type]


def test_adjust_resolution_keeps_touching_notes_touching() -> None:
    # Durations come from rounded onsets and offsets, not rounded on their own.
    music = Music(resolution=10, tracks=[track_of((0, 60, 3), (3, 62, 3), (6, 64, 4))])
    music.adjust_resolution(target=4)
    assert rows(music.tracks[0]) == [(0, 60, 1, 64), (1, 62, 1, 64), (2, 64, 2, 64)]
    ends = [t + d for t, _, d, _ in rows(music.tracks[0])]
    starts = [t for t, *_ in rows(music.tracks[0])]
    assert ends[:-1] == starts[1:]


def test_adjust_resolution_rounds_exact_values_exactly() -> None:
    # 49 * (1/49) is 0.9999999999999999 in floating point, and 27 * (13/6) is 58.49999...
    music = Music(resolution=49, tracks=[track_of((49, 60, 98))])
    music.adjust_resolution(target=1, rounding="floor")
    assert rows(music.tracks[0]) == [(1, 60, 2, 64)]
    music = Music(resolution=6, tempos=[Tempo(27, 120)], tracks=[track_of((27, 60, 0))])
    music.adjust_resolution(target=13)
    assert rows(music.tracks[0]) == [(59, 60, 0, 64)]
    assert music.tempos[0].time == 59


def test_adjust_resolution_rejects_bad_arguments() -> None:
    music = Music(resolution=24, tracks=[track_of((0, 60, 1))])
    with pytest.raises(ValueError, match="give exactly one of target and factor"):
        music.adjust_resolution()
    with pytest.raises(ValueError, match="give exactly one of target and factor"):
        music.adjust_resolution(target=12, factor=0.5)
    with pytest.raises(ValidationError, match="must be a whole number >= 1, got 0"):
        music.adjust_resolution(target=0)
    with pytest.raises(ValidationError, match=re.escape("resolution 24 x 0.01 is below 1")):
        music.adjust_resolution(factor=0.01)
    with pytest.raises(ValidationError, match=re.escape("resolution 24 x -2 is below 1")):
        music.adjust_resolution(factor=-2)
    with pytest.raises(ValueError, match="rounding must be 'round', 'floor' or 'ceil'"):
        music.adjust_resolution(target=12, rounding="nearest")  # type: ignore[arg-type]
    assert music.resolution == 24


def _rounded(value: Fraction, rounding: str) -> int:
    if rounding == "floor":
        return math.floor(value)
    if rounding == "ceil":
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


@settings(max_examples=100, deadline=None)
@given(st.lists(note_tuples, max_size=10), st.lists(st.integers(0, 10_000), max_size=3),
       st.integers(1, 997), st.integers(1, 997), st.sampled_from(["round", "floor", "ceil"]))
def test_adjust_resolution_matches_an_exact_fraction_oracle(
        notes: list[tuple[int, int, int, int]], event_times: list[int], old: int, new: int,
        rounding: str) -> None:
    music = Music(resolution=old, lyrics=[Lyric(t, "x") for t in event_times],
                  tracks=[track_of(*notes)])
    music.adjust_resolution(target=new, rounding=rounding)  # type: ignore[arg-type]
    expected = []
    for t, p, d, v in notes:
        start = _rounded(Fraction(t * new, old), rounding)
        stop = _rounded(Fraction((t + d) * new, old), rounding)
        expected.append((start, p, stop - start, v))
    assert rows(music.tracks[0]) == expected
    assert timed(music.lyrics) == [_rounded(Fraction(t * new, old), rounding)
                                   for t in event_times]
    music.validate()


@settings(max_examples=60, deadline=None)
@given(pieces(), st.integers(1, 30), st.integers(0, 300))
def test_operations_leave_a_valid_piece(music: Music, grid: int, end: int) -> None:
    old = music.resolution
    music.quantize(grid).trim(end).adjust_resolution(factor=0.5, rounding="ceil")
    music.remove_duplicate().sort().infer_barlines_and_beats().merge_tracks()
    assert music.validate() is music
    assert music.resolution == max(1, old // 2)
    assert music.get_end_time() <= math.ceil(Fraction(end * music.resolution, old))


@settings(max_examples=60, deadline=None)
@given(pieces(), st.sampled_from([2, 3, 5]))
def test_adjust_resolution_up_and_back_is_identity(music: Music, factor: int) -> None:
    before = music.copy()
    music.adjust_resolution(factor=factor).adjust_resolution(target=before.resolution)
    assert music == before
    music.adjust_resolution(target=before.resolution * factor)
    music.adjust_resolution(factor=1 / factor, rounding="floor")
    assert music == before


@settings(max_examples=60, deadline=None)
@given(pieces(), st.sampled_from([(2.0, "round"), (4.0, "ceil"), (0.5, "floor"),
                                  (0.5, "ceil"), (0.25, "floor"), (2.0, "floor")]))
def test_adjust_resolution_matches_muspy(muspy: Any, music: Music,
                                         case: tuple[float, str]) -> None:
    # Factors that are powers of two (exact in floating point) and roundings without
    # half-way ties, where MusPy's half-even ``round`` and orchestrion's half-up agree.
    factor, rounding = case
    if music.resolution * factor < 1 or not float(music.resolution * factor).is_integer():
        return
    theirs = to_muspy(muspy, music).adjust_resolution(factor=factor, rounding=rounding)
    music.adjust_resolution(factor=factor, rounding=rounding)  # type: ignore[arg-type]
    assert music.resolution == theirs.resolution
    assert [rows(t) for t in music.tracks] == [muspy_rows(t) for t in theirs.tracks]
    assert [[(c.time, c.duration) for c in t.chords] for t in music.tracks] == \
        [[(c.time, c.duration) for c in t.chords] for t in theirs.tracks]
    for name in ("tempos", "key_signatures", "time_signatures", "lyrics", "annotations"):
        assert timed(getattr(music, name)) == timed(getattr(theirs, name)), name


# ---------------------------------------------------------------------------------- quantize


def test_quantize_snaps_onsets_and_offsets() -> None:
    music = Music(tracks=[track_of((2, 60, 7), (3, 61, 3), (4, 62, 0), (1, 63, 1),
                                   (13, 64, 10, 99),
                                   chords=[Chord(3, [60], 2), Chord(8, [61], 0)])],
                  tempos=[Tempo(5, 100)], lyrics=[Lyric(7, "x")])
    assert ops.quantize(music, 6) is music
    assert rows(music.tracks[0]) == [
        (0, 60, 12, 64),  # 2 -> 0, end 9 -> 12 (half-up)
        (6, 61, 6, 64),   # 3 -> 6, end 6 -> 6, kept one step long
        (6, 62, 0, 64),   # zero durations stay zero
        (0, 63, 6, 64),   # 1 -> 0, end 2 -> 0: stretched to one step, never vanishes
        (12, 64, 12, 99),  # 13 -> 12, end 23 -> 24
    ]
    assert [(c.time, c.duration) for c in music.tracks[0].chords] == [(6, 6), (6, 0)]
    assert (music.tempos[0].time, music.lyrics[0].time) == (5, 7)  # other events stay


def test_quantize_without_ends_keeps_durations() -> None:
    music = Music(tracks=[track_of((2, 60, 7), (3, 61, 3), (1, 63, 1),
                                   chords=[Chord(3, [60], 2)])])
    music.quantize(6, ends=False)
    assert rows(music.tracks[0]) == [(0, 60, 7, 64), (6, 61, 3, 64), (0, 63, 1, 64)]
    assert [(c.time, c.duration) for c in music.tracks[0].chords] == [(6, 2)]


def test_quantize_odd_grid_and_bad_grid() -> None:
    music = Music(tracks=[track_of((2, 60, 0), (3, 61, 0), (7, 62, 0), (8, 63, 0))])
    music.quantize(5)
    assert [r[0] for r in rows(music.tracks[0])] == [0, 5, 5, 10]
    music.quantize(1)
    assert [r[0] for r in rows(music.tracks[0])] == [0, 5, 5, 10]
    with pytest.raises(ValidationError, match="quantize grid must be >= 1 tick, got 0"):
        music.quantize(0)


@settings(max_examples=80, deadline=None)
@given(st.lists(note_tuples, max_size=30), st.integers(1, 30), st.booleans())
def test_quantize_properties(notes: list[tuple[int, int, int, int]], grid: int,
                             ends: bool) -> None:
    music = Music(tracks=[track_of(*notes)])
    music.quantize(grid, ends=ends)
    out = rows(music.tracks[0])
    assert len(out) == len(notes)
    for (t0, p0, d0, v0), (t, p, d, v) in zip(notes, out, strict=True):
        assert t % grid == 0
        assert -((grid - 1) // 2) <= t - t0 <= grid // 2  # nearest, ties up
        assert (p, v) == (p0, v0)
        if not ends:
            assert d == d0
        elif d0 == 0:
            assert d == 0
        else:
            assert d % grid == 0
            assert d >= grid
    again = music.copy().quantize(grid, ends=ends)
    assert again == music  # idempotent


# ------------------------------------------------------------------------------------- clip


def test_clip_velocities() -> None:
    music = Music(tracks=[track_of((0, 60, 1, 0), (0, 61, 1, 50), (0, 62, 1, 127),
                                   chords=[Chord(0, [60], 1, 5), Chord(0, [60], 1, 120)])])
    assert ops.clip(music, 10, 100) is music
    assert [r[3] for r in rows(music.tracks[0])] == [10, 50, 100]
    assert [c.velocity for c in music.tracks[0].chords] == [10, 100]
    music.clip()
    assert [r[3] for r in rows(music.tracks[0])] == [10, 50, 100]
    music.clip(60, 60)
    assert [r[3] for r in rows(music.tracks[0])] == [60, 60, 60]
    for lower, upper in ((-1, 10), (10, 128), (50, 40)):
        with pytest.raises(ValidationError, match=re.escape(
                f"clip bounds must satisfy 0 <= lower <= upper <= 127, got {lower}, {upper}")):
            music.clip(lower, upper)


def test_clip_matches_muspy(muspy: Any) -> None:
    music = Music(tracks=[track_of((0, 60, 1, 0), (3, 61, 1, 50), (5, 62, 1, 127))])
    theirs = to_muspy(muspy, music).clip(20, 90)
    music.clip(20, 90)
    assert rows(music.tracks[0]) == muspy_rows(theirs.tracks[0])


# ------------------------------------------------------------------------------------- trim


def _trimmable() -> Music:
    return Music(
        tempos=[Tempo(0, 120), Tempo(48, 90)],
        key_signatures=[KeySignature(47), KeySignature(48)],
        time_signatures=[TimeSignature(0), TimeSignature(60)],
        barlines=[Barline(0), Barline(48)],
        beats=[Beat(24), Beat(48)],
        lyrics=[Lyric(10, "a"), Lyric(50, "b")],
        annotations=[Annotation(48, "c")],
        tracks=[track_of((0, 60, 10), (40, 61, 20), (47, 62, 0), (48, 63, 5),
                         chords=[Chord(30, [60], 30), Chord(48, [60], 1)],
                         lyrics=[Lyric(47, "d"), Lyric(48, "e")],
                         annotations=[Annotation(60, "f")],
                         controls=[ControlChange(0, 64, 127), ControlChange(50, 64, 0)],
                         pitch_bends=[PitchBend(48, 0)])],
    )


def test_trim_cuts_at_end() -> None:
    music = _trimmable()
    assert ops.trim(music, 48) is music
    track = music.tracks[0]
    assert rows(track) == [(0, 60, 10, 64), (40, 61, 8, 64), (47, 62, 0, 64)]
    assert [(c.time, c.duration) for c in track.chords] == [(30, 18)]
    assert [timed(x) for x in (music.tempos, music.key_signatures, music.time_signatures,
                               music.barlines, music.beats, music.lyrics, music.annotations,
                               track.lyrics, track.annotations, track.controls,
                               track.pitch_bends)] == [
        [0], [47], [0], [0], [24], [10], [], [47], [], [0], []]
    assert music.get_end_time() == 48
    music.trim(0)
    assert music.n_notes == 0
    assert music.get_end_time() == 0
    with pytest.raises(ValidationError, match="trim end must be >= 0, got -1"):
        music.trim(-1)


def test_trim_matches_muspy(muspy: Any) -> None:
    ours = _trimmable()
    theirs = to_muspy(muspy, ours)
    ours.trim(48)
    theirs.trim(48)
    assert rows(ours.tracks[0]) == muspy_rows(theirs.tracks[0])
    assert [(c.time, c.duration) for c in ours.tracks[0].chords] == \
        [(c.time, c.duration) for c in theirs.tracks[0].chords]
    for name in ("tempos", "key_signatures", "time_signatures", "lyrics", "annotations"):
        assert timed(getattr(ours, name)) == timed(getattr(theirs, name)), name
