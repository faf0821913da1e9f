"""The music object model: validation with clear messages, Track's two note stores,
equality, copies, ``Music.validate`` after in-place edits, and ``NoteArray``."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrion.core import (
    DEFAULT_RESOLUTION,
    DEFAULT_VELOCITY,
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    NoteArray,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.errors import OrchestrionError, ValidationError

# ------------------------------------------------------------------------ event validation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Note(0, 128, 1), "Note: pitch 128 outside 0-127"),
        (lambda: Note(0, -1, 1), "Note: pitch -1 outside 0-127"),
        (lambda: Note(-1, 60, 1), "Note: negative time -1"),
        (lambda: Note(0, 60, -5), "Note: negative duration -5"),
        (lambda: Note(0, 60, 1, 128), "Note: velocity 128 outside 0-127"),
        (lambda: Note(0, 60, 1, -1), "Note: velocity -1 outside 0-127"),
        (lambda: Chord(-3, [60], 1), "Chord: negative time -3"),
        (lambda: Chord(0, [60], -1), "Chord: negative duration -1"),
        (lambda: Chord(0, [60, 200], 1), "Chord: pitch 200 outside 0-127"),
        (lambda: Chord(0, [60], 1, 300), "Chord: velocity 300 outside 0-127"),
        (lambda: Tempo(0, 0), "Tempo: qpm must be positive and finite, got 0"),
        (lambda: Tempo(0, -120.0), "Tempo: qpm must be positive and finite, got -120.0"),
        (lambda: Tempo(0, float("nan")), "Tempo: qpm must be positive and finite, got nan"),
        (lambda: Tempo(0, float("inf")), "Tempo: qpm must be positive and finite, got inf"),
        (lambda: Tempo(-1, 120), "Tempo: negative time -1"),
        (lambda: KeySignature(0, root=12), "KeySignature: root 12 outside 0-11"),
        (lambda: KeySignature(0, root=-1), "KeySignature: root -1 outside 0-11"),
        (lambda: KeySignature(0, fifths=8), "KeySignature: fifths 8 outside -7-7"),
        (lambda: KeySignature(0, fifths=-8), "KeySignature: fifths -8 outside -7-7"),
        (lambda: KeySignature(-2), "KeySignature: negative time -2"),
        (lambda: TimeSignature(0, 4, 0), "TimeSignature: 4/0 must be positive"),
        (lambda: TimeSignature(0, 4, -4), "TimeSignature: 4/-4 must be positive"),
        (lambda: TimeSignature(0, 0, 4), "TimeSignature: 0/4 must be positive"),
        (lambda: TimeSignature(-1), "TimeSignature: negative time -1"),
        (lambda: Beat(-1), "Beat: negative time -1"),
        (lambda: Barline(-1), "Barline: negative time -1"),
        (lambda: Lyric(-1, "la"), "Lyric: negative time -1"),
        (lambda: Annotation(-1, "x"), "Annotation: negative time -1"),
        (lambda: ControlChange(0, 128, 0), "ControlChange: number 128 outside 0-127"),
        (lambda: ControlChange(0, 64, 128), "ControlChange: value 128 outside 0-127"),
        (lambda: ControlChange(-1, 64, 0), "ControlChange: negative time -1"),
        (lambda: PitchBend(0, 8192), "PitchBend: value 8192 outside -8192-8191"),
        (lambda: PitchBend(0, -8193), "PitchBend: value -8193 outside -8192-8191"),
        (lambda: Track(program=128), "Track: program 128 outside 0-127"),
        (lambda: Track(program=-1), "Track: program -1 outside 0-127"),
        (lambda: Music(resolution=0), "Music: resolution must be >= 1 tick per quarter, got 0"),
    ],
)
def test_invalid_values_raise_validation_error_naming_them(make, message: str) -> None:
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        make()


def test_validation_error_is_a_value_error_and_an_orchestrion_error() -> None:
    with pytest.raises(ValueError, match="pitch 300"):
        Note(0, 300, 1)
    with pytest.raises(OrchestrionError, match="pitch 300"):
        Note(0, 300, 1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Note(0, 0, 0, 0),
        lambda: Note(0, 127, 0, 127),
        lambda: Chord(0, [], 0),
        lambda: Chord(0, [0, 127], 5, 0),
        lambda: Tempo(0, 1e-3),
        lambda: KeySignature(0, root=0, mode="major", fifths=-7),
        lambda: KeySignature(0, root=11, mode="minor", fifths=7),
        lambda: KeySignature(0),
        lambda: TimeSignature(0, 1, 1),
        lambda: TimeSignature(0, 13, 16),
        lambda: ControlChange(0, 0, 127),
        lambda: PitchBend(0, -8192),
        lambda: PitchBend(0, 8191),
        lambda: Track(program=127),
        lambda: Music(resolution=1),
    ],
)
def test_boundary_values_are_accepted(make) -> None:
    make()


def test_defaults_are_musps() -> None:
    assert DEFAULT_RESOLUTION == 24
    assert DEFAULT_VELOCITY == 64
    note = Note(3, 60, 5)
    assert (note.velocity, note.pitch_str, note.end) == (64, None, 8)
    assert Chord(10, [60, 64], 6).end == 16
    assert (TimeSignature(0).numerator, TimeSignature(0).denominator) == (4, 4)
    music = Music()
    assert music.resolution == 24
    assert music.metadata == Metadata(schema_version="0.2")
    assert (music.tempos, music.tracks, music.n_notes) == ([], [], 0)
    track = Track()
    assert (track.program, track.is_drum, track.name, track.notes, track.n_notes) == (
        0, False, None, [], 0)


def test_slots_reject_unknown_attributes() -> None:
    with pytest.raises(AttributeError):
        Note(0, 60, 1).colour = "red"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        Track().colour = "red"  # type: ignore[attr-defined]


# ----------------------------------------------------------------------- Track note stores


def test_track_from_note_list_keeps_the_objects() -> None:
    notes = [Note(0, 60, 12, 80), Note(12, 62, 12)]
    track = Track(notes=notes)
    assert track.notes == notes
    assert track.notes[0] is notes[0]
    assert track.n_notes == 2
    array = track.note_array()
    assert array.time.tolist() == [0, 12]
    assert array.pitch.tolist() == [60, 62]
    assert array.duration.tolist() == [12, 12]
    assert array.velocity.tolist() == [80, 64]
    assert array.time.dtype == np.int64
    # A view built from objects is a fresh copy: writing to it does not touch the track.
    array.pitch[0] = 0
    assert track.notes[0].pitch == 60
    assert track.note_array() is not track.note_array()


def test_track_from_arrays_keeps_the_array() -> None:
    track = Track.from_arrays(np.array([0, 24]), np.array([60, 67]), np.array([24, 12]),
                              program=40, name="violin", is_drum=False)
    assert (track.program, track.name, track.n_notes) == (40, "violin", 2)
    stored = track.note_array()
    assert track.note_array() is stored  # no copy while arrays are the truth
    assert stored.velocity.tolist() == [64, 64]  # scalar velocity broadcast
    stored.velocity[1] = 100  # and writing to it does change the track
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes] == [
        (0, 60, 24, 64), (24, 67, 12, 100)]


def test_track_notes_become_the_truth_once_asked_for() -> None:
    track = Track.from_arrays([0, 10], [60, 61], [5, 5], [70, 71])
    notes = track.notes
    assert notes is track.notes  # built once, then kept
    notes[0].pitch = 72
    notes.append(Note(20, 50, 1))
    assert track.n_notes == 3
    assert track.note_array().pitch.tolist() == [72, 61, 50]
    # set_note_array replaces the notes; objects fetched before are detached.
    track.set_note_array(NoteArray([1], [40], [2], [3]))
    notes[1].pitch = 0
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes] == [(1, 40, 2, 3)]


def test_track_notes_setter_replaces_arrays() -> None:
    track = Track.from_arrays([0], [60], [1])
    track.notes = (Note(5, 70, 2),)  # any iterable; stored as a list
    assert isinstance(track.notes, list)
    assert track.note_array() == NoteArray([5], [70], [2])


def test_track_given_a_note_array_validates_it() -> None:
    message = ("track 'bad': note 1 has pitch outside 0-127 "
               "(time=4, pitch=130, duration=1, velocity=64)")
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        Track(name="bad", notes=NoteArray([0, 4], [60, 130], [1, 1]))
    with pytest.raises(ValidationError, match="note 0 has negative time"):
        Track.from_arrays([-1], [60], [1])
    with pytest.raises(ValidationError, match="note 0 has negative duration"):
        Track.from_arrays([0], [60], [-1])
    with pytest.raises(ValidationError, match="note 0 has velocity outside 0-127"):
        Track.from_arrays([0], [60], [1], 128)


def test_set_note_array_can_skip_validation_and_validate_finds_it() -> None:
    track = Track(name="t")
    with pytest.raises(ValidationError, match="track 't': note 0 has pitch outside 0-127"):
        track.set_note_array(NoteArray([0], [-3], [1]))
    assert track.n_notes == 0  # nothing was stored
    track.set_note_array(NoteArray([0], [-3], [1]), validate=False)
    assert track.n_notes == 1
    with pytest.raises(ValidationError, match="track 't': note 0 has pitch outside 0-127"):
        track.validate()


def test_from_arrays_rejects_arrays_of_different_lengths() -> None:
    with pytest.raises(ValidationError, match=re.escape(
            "note arrays differ in length: time 2, pitch 1, duration 2, velocity 2")):
        Track.from_arrays([0, 1], [60], [1, 1])


def test_n_notes_counts_both_stores() -> None:
    assert Track(notes=[Note(0, 60, 1)] * 3).n_notes == 3
    assert Track.from_arrays(np.zeros(5, int), np.full(5, 60), np.ones(5, int)).n_notes == 5
    music = Music(tracks=[Track(notes=[Note(0, 60, 1)]), Track.from_arrays([0, 1], [1, 2], [1, 1])])
    assert music.n_notes == 3


def test_track_get_end_time_counts_every_event() -> None:
    track = Track(notes=[Note(0, 60, 10), Note(5, 60, 3)])
    assert track.get_end_time() == 10
    track.chords.append(Chord(8, [60], 4))
    assert track.get_end_time() == 12
    track.lyrics.append(Lyric(13, "a"))
    assert track.get_end_time() == 13
    track.annotations.append(Annotation(14, "x"))
    track.controls.append(ControlChange(15, 64, 127))
    assert track.get_end_time() == 15
    track.pitch_bends.append(PitchBend(16, 0))
    assert track.get_end_time() == 16
    assert Track().get_end_time() == 0


# -------------------------------------------------------------------------------- equality


def test_tracks_equal_whichever_store_they_use() -> None:
    listed = Track(program=3, name="a", notes=[Note(0, 60, 4, 90), Note(4, 62, 4, 91)])
    arrayed = Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 91], program=3, name="a")
    assert listed == arrayed
    assert arrayed == listed
    assert listed != Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 92], program=3,
                                       name="a")
    assert listed != Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 91], program=4,
                                       name="a")
    assert listed != Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 91], program=3,
                                       name="b")
    assert listed != Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 91], program=3,
                                       name="a", is_drum=True)
    assert listed != Track.from_arrays([0, 4], [60, 62], [4, 4], [90, 91], program=3,
                                       name="a", chords=[Chord(0, [1], 1)])
    assert listed != "a track"
    # comparing does not turn either side's arrays into objects
    assert arrayed.note_array() is arrayed.note_array()
    with pytest.raises(TypeError):
        hash(listed)


def test_track_equality_sees_pitch_str_and_note_order() -> None:
    plain = Track(notes=[Note(0, 60, 1)])
    spelled = Track(notes=[Note(0, 60, 1, pitch_str="C4")])
    assert plain != spelled
    assert spelled == Track(notes=[Note(0, 60, 1, pitch_str="C4")])
    assert Track(notes=[Note(0, 60, 1), Note(0, 61, 1)]) != \
        Track(notes=[Note(0, 61, 1), Note(0, 60, 1)])


def test_music_equality_compares_every_field() -> None:
    def piece() -> Music:
        return Music(resolution=12, tempos=[Tempo(0, 100.0)],
                     tracks=[Track.from_arrays([0], [60], [12])])

    assert piece() == piece()
    other = piece()
    other.tempos[0].qpm = 101.0
    assert piece() != other
    other = piece()
    other.tracks[0].note_array().duration[0] = 11
    assert piece() != other
    assert piece() != Music(resolution=24, tempos=[Tempo(0, 100.0)],
                            tracks=[Track.from_arrays([0], [60], [12])])


# ---------------------------------------------------------------------------------- copies


@pytest.mark.parametrize("arrays", [True, False])
def test_copies_are_independent(arrays: bool) -> None:
    track = (Track.from_arrays([0, 6], [60, 64], [6, 6], name="x") if arrays
             else Track(notes=[Note(0, 60, 6), Note(6, 64, 6)], name="x"))
    track.chords.append(Chord(0, [48, 52], 12))
    track.lyrics.append(Lyric(0, "la"))
    music = Music(metadata=Metadata(title="t", creators=["a"]), tempos=[Tempo(0, 90)],
                  tracks=[track])
    for duplicate in (music.copy(), copy.deepcopy(music)):
        assert duplicate == music
        assert duplicate.tracks[0] is not track
        duplicate.tracks[0].note_array().pitch[0] = 1  # reaches the copy's store if arrays
        duplicate.tracks[0].notes[1].velocity = 1
        duplicate.tracks[0].chords[0].pitches.append(55)
        duplicate.tracks[0].lyrics[0].lyric = "lo"
        duplicate.tempos[0].qpm = 60
        duplicate.metadata.creators.append("b")  # type: ignore[union-attr]
        assert duplicate != music
    assert [(n.pitch, n.velocity) for n in track.notes] == [(60, 64), (64, 64)]
    assert track.chords[0].pitches == [48, 52]
    assert track.lyrics[0].lyric == "la"
    assert music.tempos[0].qpm == 90
    assert music.metadata.creators == ["a"]


def test_track_copy_is_deep() -> None:
    track = Track.from_arrays([0], [60], [1], controls=[ControlChange(0, 64, 127)])
    duplicate = track.copy()
    assert duplicate == track
    duplicate.controls[0].value = 0
    duplicate.note_array().time[0] = 9
    assert track.controls[0].value == 127
    assert track.note_array().time.tolist() == [0]


# ---------------------------------------------------------------- Music.validate after edits


def _valid_piece() -> Music:
    return Music(
        tempos=[Tempo(0, 120)],
        key_signatures=[KeySignature(0, 0, "major", 0)],
        time_signatures=[TimeSignature(0, 3, 4)],
        barlines=[Barline(0)],
        beats=[Beat(0)],
        lyrics=[Lyric(0, "a")],
        annotations=[Annotation(0, "b")],
        tracks=[Track(name="listed", notes=[Note(0, 60, 1)], chords=[Chord(0, [60], 1)],
                      controls=[ControlChange(0, 64, 0)], pitch_bends=[PitchBend(0, 0)]),
                Track.from_arrays([0], [60], [1], name="arrayed")],
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: setattr(m, "resolution", 0), "resolution must be >= 1"),
        (lambda m: setattr(m.tempos[0], "qpm", 0), "Tempo: qpm must be positive"),
        (lambda m: setattr(m.key_signatures[0], "root", 12), "KeySignature: root 12"),
        (lambda m: setattr(m.time_signatures[0], "denominator", 0), "TimeSignature: 3/0"),
        (lambda m: setattr(m.barlines[0], "time", -1), "Barline: negative time"),
        (lambda m: setattr(m.beats[0], "time", -1), "Beat: negative time"),
        (lambda m: setattr(m.lyrics[0], "time", -1), "Lyric: negative time"),
        (lambda m: setattr(m.annotations[0], "time", -1), "Annotation: negative time"),
        (lambda m: setattr(m.tracks[0], "program", 200), "track 'listed': program 200"),
        (lambda m: setattr(m.tracks[0].notes[0], "pitch", 128),
         "track 'listed': note 0 has pitch outside 0-127"),
        (lambda m: setattr(m.tracks[0].notes[0], "duration", -1),
         "track 'listed': note 0 has negative duration"),
        (lambda m: m.tracks[1].note_array().velocity.__setitem__(0, 255),
         "track 'arrayed': note 0 has velocity outside 0-127"),
        (lambda m: m.tracks[1].note_array().time.__setitem__(0, -7),
         "track 'arrayed': note 0 has negative time"),
        (lambda m: m.tracks[0].chords[0].pitches.append(-1), "Chord: pitch -1"),
        (lambda m: setattr(m.tracks[0].controls[0], "value", 300), "ControlChange: value 300"),
        (lambda m: setattr(m.tracks[0].pitch_bends[0], "value", 9000), "PitchBend: value 9000"),
    ],
)
def test_validate_finds_in_place_edits(edit, message: str) -> None:
    music = _valid_piece()
    assert music.validate() is music
    edit(music)
    with pytest.raises(ValidationError, match=re.escape(message)):
        music.validate()


# ------------------------------------------------------------------------------- NoteArray


def test_note_array_construction() -> None:
    empty = NoteArray()
    assert len(empty) == 0
    assert NoteArray.empty() == empty
    assert repr(NoteArray([0, 1], [2, 3], [4, 5])) == "NoteArray(n=2)"
    array = NoteArray([0.0, 1.0], (60, 61), np.array([1, 2], dtype=np.int8), 100)
    assert array.time.tolist() == [0, 1]  # whole floats are fine
    assert all(getattr(array, f).dtype == np.int64 for f in ("time", "pitch", "duration",
                                                             "velocity"))
    assert array.velocity.tolist() == [100, 100]
    assert array.end.tolist() == [1, 3]


@pytest.mark.parametrize(("args", "message"), [
    (([0.5], [60], [1]), "note time must hold whole numbers, got fractions"),
    (([[0, 1]], [60, 61], [1, 1]), r"note time must be a 1-D sequence, got shape \(1, 2\)"),
    (([0], ["C4"], [1]), "note pitch must be integers, got <U2"),
    (([0], [60], [1], [[64]]), r"note velocity must be a 1-D sequence"),
])
def test_note_array_refuses_what_it_would_truncate(args: tuple, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NoteArray(*args)


def test_note_array_from_and_to_notes() -> None:
    notes = [Note(5, 60, 2, 1), Note(0, 61, 3, 2)]
    array = NoteArray.from_notes(notes)
    assert array == NoteArray([5, 0], [60, 61], [2, 3], [1, 2])
    back = array.to_notes()
    assert back == notes
    assert all(type(n) is Note and n.pitch_str is None for n in back)
    assert all(type(n.time) is int for n in back)  # Python ints, not numpy scalars
    assert NoteArray.from_notes([]) == NoteArray()


def test_note_array_equality_and_copy() -> None:
    a = NoteArray([0, 1], [60, 61], [1, 1], [64, 65])
    b = a.copy()
    assert a == b
    assert a is not b
    b.velocity[0] = 1
    assert a.velocity[0] == 64
    assert a != b
    assert a != NoteArray([0], [60], [1], [64])  # other length
    assert a != [0, 1]
    with pytest.raises(TypeError):
        hash(a)


def test_note_array_take_with_indices_and_mask() -> None:
    a = NoteArray([0, 10, 20], [60, 61, 62], [1, 2, 3], [4, 5, 6])
    assert a.take(np.array([2, 0])) == NoteArray([20, 0], [62, 60], [3, 1], [6, 4])
    assert a.take(np.array([False, True, True])) == NoteArray([10, 20], [61, 62], [2, 3], [5, 6])
    taken = a.take(np.array([0]))
    taken.pitch[0] = 0
    assert a.pitch[0] == 60  # a new array, not a view


def test_note_array_concatenate() -> None:
    a = NoteArray([0], [60], [1], [2])
    b = NoteArray([5, 6], [70, 71], [1, 1], [3, 4])
    assert NoteArray.concatenate([a, b]) == NoteArray([0, 5, 6], [60, 70, 71], [1, 1, 1],
                                                      [2, 3, 4])
    assert NoteArray.concatenate([]) == NoteArray()
    assert NoteArray.concatenate(iter([b])) == b


def test_sort_order_is_time_pitch_duration_velocity_and_stable() -> None:
    a = NoteArray(
        time=[5, 0, 5, 5, 5, 0, 5],
        pitch=[60, 70, 60, 59, 60, 70, 60],
        duration=[3, 1, 2, 9, 3, 1, 3],
        velocity=[9, 1, 9, 9, 8, 1, 9],
    )
    # ties in all four fields (indices 1 and 5; 0 and 6) keep their input order
    assert a.sort_order().tolist() == [1, 5, 3, 2, 4, 0, 6]
    assert a.sorted() == a.take(np.array([1, 5, 3, 2, 4, 0, 6]))
    # pitch must not leak into time: (time 1, pitch 0) comes after (time 0, pitch 127)
    assert NoteArray([1, 0], [0, 127], [1, 1]).sort_order().tolist() == [1, 0]


def test_sorted_returns_self_when_already_in_order() -> None:
    a = NoteArray([0, 0, 1], [60, 60, 0], [1, 2, 0])
    assert a.sorted() is a
    assert NoteArray().sorted() == NoteArray()
    single = NoteArray([3], [4], [5])
    assert single.sort_order().tolist() == [0]
    assert single.sorted() is single


note_rows = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 127), st.integers(0, 5),
                               st.integers(0, 127)), max_size=40)


def _array(rows: list[tuple[int, int, int, int]]) -> NoteArray:
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return NoteArray(*columns)


@given(note_rows)
def test_sort_order_matches_a_stable_python_sort(rows: list[tuple[int, int, int, int]]) -> None:
    expected = sorted(range(len(rows)), key=lambda i: rows[i])
    assert _array(rows).sort_order().tolist() == expected


@given(note_rows)
def test_sorted_is_idempotent(rows: list[tuple[int, int, int, int]]) -> None:
    once = _array(rows).sorted()
    twice = once.sorted()
    assert twice is once


@settings(max_examples=25)
@given(st.integers(0, 2**32 - 1))
def test_sort_order_on_large_random_input(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 5_000
    a = NoteArray(rng.integers(0, 50, n), rng.integers(0, 128, n), rng.integers(0, 4, n),
                  rng.integers(0, 3, n))
    order = a.sort_order()
    expected = np.lexsort((np.arange(n), a.velocity, a.duration, a.pitch, a.time))
    assert order.tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [("time", -1, "negative time"), ("duration", -2, "negative duration"),
     ("pitch", 128, "pitch outside 0-127"), ("pitch", -1, "pitch outside 0-127"),
     ("velocity", 128, "velocity outside 0-127"), ("velocity", -1, "velocity outside 0-127")],
)
def test_note_array_validate_names_the_first_bad_note(field: str, value: int,
                                                      problem: str) -> None:
    a = NoteArray([0, 1, 2], [60, 61, 62], [1, 1, 1], [64, 64, 64])
    a.validate()
    getattr(a, field)[1] = value
    getattr(a, field)[2] = value
    values = {"time": 1, "pitch": 61, "duration": 1, "velocity": 64, field: value}
    message = (f"here: note 1 has {problem} (time={values['time']}, pitch={values['pitch']}, "
               f"duration={values['duration']}, velocity={values['velocity']})")
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        a.validate("here")


# ----------------------------------------------------------------------- docs/core.md runs

DOC = __import__("pathlib").Path(__file__).parents[1] / "docs" / "core.md"


def test_every_example_in_the_core_documentation_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 7
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
    assert capsys.readouterr().out == (
        "Note: pitch 128 outside 0-127\nTempo: qpm must be positive and finite, got 0\n")
