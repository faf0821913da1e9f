"""ABC (reading through music21, our own writer) and Humdrum **kern (reading through music21).

Oracles: hand-computed ABC text for small pieces; an independent decoder of the writer's ABC
(tests/abc_oracle.py); music21's own ABC and Humdrum readings for the notes."""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abc_oracle import decode
from orchestrion import (
    Chord,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.errors import FormatError
from orchestrion.io import registry
from orchestrion.io.abc import (
    NUMBER_GROUP,
    read_abc,
    read_abc_book,
    read_abc_string,
    to_abc_string,
    write_abc,
)
from orchestrion.io.kern import read_kern, read_kern_string

music21 = pytest.importorskip("music21")
CORPUS = Path(music21.corpus.__file__).parent

BOOK = """%abc-2.1
T:Three Tunes
% a comment in the file header
L:1/8

X:1
T:First
M:2/4
K:G
GA Bc | d2 d2 |]

X:2
T:Second
M:3/4
K:D
F2 A2 d2 | f6 |]

X:7
T:Third
M:6/8
K:Am
A3 c3 | e6 |]
"""


def quarters(music: Music, ticks: int) -> Fraction:
    return Fraction(ticks, music.resolution)


def notes_of(music: Music, track: int = 0) -> list[tuple[Fraction, int, Fraction]]:
    notes = music.tracks[track].note_array().sorted()
    return [(quarters(music, t), p, quarters(music, d)) for t, p, d in
            zip(notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist(), strict=True)]


def pitches(music: Music, track: int = 0) -> list[int]:
    return [p for _, p, _ in notes_of(music, track)]


# ------------------------------------------------------------------------- reading ABC


def test_a_tune_book_gives_every_tune_the_first_included(tmp_path: Path) -> None:
    path = tmp_path / "book.abc"
    path.write_text(BOOK)
    tunes = read_abc_book(path)
    assert [m.metadata.title for m in tunes] == ["First", "Second", "Third"]
    assert [(a.time, a.annotation, a.group) for m in tunes for a in m.annotations] == [
        (0, 1, NUMBER_GROUP), (0, 2, NUMBER_GROUP), (0, 7, NUMBER_GROUP)]
    assert {m.metadata.collection for m in tunes} == {"Three Tunes"}
    assert {m.metadata.source_filename for m in tunes} == {"book.abc"}
    assert {m.metadata.source_format for m in tunes} == {"abc"}
    assert pitches(tunes[0]) == [67, 69, 71, 72, 74, 74]  # L:1/8 of the file header applies
    assert notes_of(tunes[1])[0] == (0, 66, 1)  # F sharp in D major, a quarter
    assert [(s.numerator, s.denominator) for s in tunes[2].time_signatures] == [(6, 8)]
    assert tunes[2].key_signatures[0].mode == "minor"


def test_read_abc_gives_the_first_tune_or_the_numbered_one(tmp_path: Path) -> None:
    path = tmp_path / "book.abc"
    path.write_text(BOOK)
    assert read_abc(path).metadata.title == "First"
    assert read_abc(path, number=7).metadata.title == "Third"
    with pytest.raises(FormatError, match=r"no tune X:3 .*1, 2, 7") as info:
        read_abc(path, number=3)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"% only a comment\n",
                                     b"hello world\nthis is not music\n",
                                     bytes(range(256)) * 4])
def test_files_without_a_tune_raise_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.abc"
    path.write_bytes(content)
    with pytest.raises(FormatError, match="no ABC tune") as info:
        read_abc(path)
    assert str(path) in str(info.value)


def test_a_missing_file_or_a_tune_music21_rejects_raises_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        read_abc(tmp_path / "missing.abc")
    path = tmp_path / "broken.abc"
    path.write_text("X:4\nT:Broken\nM:4/4\nL:1/4\nK:C\n^C,,,,, D|\n")  # music21 fails on C#-1
    with pytest.raises(FormatError, match=r"tune X:4 \(line 1\): music21 cannot parse") as info:
        read_abc(path)
    assert str(path) in str(info.value)


def test_accidentals_carry_through_the_bar_in_every_octave() -> None:
    music = read_abc_string("X:1\nL:1/4\nK:C\n_B B =B B | B b ^c c' | c4 |]\n")
    assert pitches(music) == [70, 70, 71, 71, 71, 83, 73, 85, 72]
    # A file that declares ABC 1.6 gets the old rule: an accidental holds for its note only.
    older = read_abc_string("%abc-1.6\nX:1\nL:1/4\nK:C\n_B B =B B | B4 |]\n")
    assert pitches(older) == [70, 71, 71, 71, 71]


def test_interleaved_voices_are_one_track_each_with_names_and_programs() -> None:
    text = ('X:1\nM:3/4\nL:1/4\nK:C\nV:1 name="Flute"\n%%MIDI program 73\nc d e | f g a |\n'
            'V:2 nm="Bass"\nC, D, E, | F, G, A, |\n'
            "V:1\nb3 | c'3 | d'3 |]\nV:2\nB,3 | C3 | D3 |]\n")
    music = read_abc_string(text)
    assert [(t.name, t.program) for t in music.tracks] == [("Flute", 73), ("Bass", 0)]
    assert pitches(music, 0) == [72, 74, 76, 77, 79, 81, 83, 84, 86]
    assert [t for t, _, _ in notes_of(music, 1)] == [0, 1, 2, 3, 4, 5, 6, 9, 12]
    assert [b.time for b in music.barlines] == [0, 3, 6, 9, 12]


def test_score_groups_voices_of_one_staff_into_one_track() -> None:
    text = ("X:1\nM:2/4\nL:1/4\n%%score (1 2) 3\nK:C\nV:1 name=\"Piano\"\nc2 |]\nV:2\nE G |]\n"
            "V:3\n%%MIDI channel 10\nC, C, |]\n")
    music = read_abc_string(text)
    assert [(t.name, t.is_drum) for t in music.tracks] == [("Piano", False), (None, True)]
    assert notes_of(music, 0) == [(0, 64, 1), (0, 72, 2), (1, 67, 1)]


def test_tied_chords_and_notes_are_joined() -> None:
    music = read_abc_string("X:1\nM:2/4\nL:1/4\nK:C\n[CE]2- | [CE] G- | G2 |]\n")
    assert notes_of(music) == [(0, 60, 3), (0, 64, 3), (3, 67, 3)]


def test_key_meter_and_tempo_changes_inline_or_on_their_own_line() -> None:
    text = "X:1\nM:4/4\nL:1/4\nQ:1/4=100\nK:C\nF4 |\nK:D\nF4 | [K:Bb][M:2/4][Q:3/8=60] B2 |]\n"
    music = read_abc_string(text)
    assert pitches(music) == [65, 66, 70]
    assert [(k.time, k.fifths) for k in music.key_signatures] == [(0, 0), (4, 2), (8, -2)]
    assert [(s.time, s.numerator) for s in music.time_signatures] == [(0, 4), (8, 2)]
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 100.0), (8, 90.0)]


def test_repeats_are_expanded_unless_asked_not_to() -> None:
    text = "X:1\nM:2/4\nL:1/4\nK:C\n|: C D | [1 E F :| [2 G A |]\n"
    assert pitches(read_abc_string(text)) == [60, 62, 64, 65, 60, 62, 67, 69]
    assert pitches(read_abc_string(text, expand_repeats=False)) == [60, 62, 64, 65, 67, 69]


def test_k_none_gives_no_key_and_a_pickup_keeps_its_bar() -> None:
    music = read_abc_string("X:1\nM:3/4\nL:1/4\nK:none\nG | c2 B | c3 |]\n")
    assert music.key_signatures == []
    assert [b.time for b in music.barlines] == [0, 1, 4]
    assert notes_of(music)[:2] == [(0, 67, 1), (1, 72, 2)]


def test_an_eighth_is_the_unit_without_l_or_m_and_escaped_percent_signs_stay() -> None:
    music = read_abc_string("X:1\nT:50\\% off % a comment\nC:Anon\nK:C\nC D2 |]\n")
    assert notes_of(music) == [(0, 60, Fraction(1, 2)), (Fraction(1, 2), 62, 1)]
    assert music.metadata.title == "50% off"
    assert music.metadata.creators == ["Anon"]


# ------------------------------------------------------------------------- writing ABC


def test_writer_exact_text_of_a_small_melody() -> None:
    music = Music(
        metadata=Metadata(title="Scale", creators=["Anon"]), resolution=4,
        tempos=[Tempo(0, 96.0)], key_signatures=[KeySignature(0, fifths=1, mode="major")],
        time_signatures=[TimeSignature(0, 3, 4)],
        tracks=[Track(notes=[Note(0, 67, 4), Note(4, 66, 2), Note(6, 65, 2), Note(8, 65, 8),
                             Note(16, 72, 2), Note(20, 59, 4)])])
    assert to_abc_string(music) == (
        "%abc-2.1\nX:1\nT:Scale\nC:Anon\nM:3/4\nL:1/8\nQ:1/4=96\nK:G\n"
        "G2 F =F =F2- | =F2 c z B,2 |]\n")


def test_writer_exact_text_of_chords_voices_and_drums() -> None:
    music = Music(
        resolution=2, key_signatures=[KeySignature(0, root=9, mode="minor", fifths=0)],
        time_signatures=[TimeSignature(0, 2, 4)],
        tracks=[Track(name="Keys", program=1,
                      notes=[Note(0, 57, 4), Note(0, 60, 4), Note(0, 64, 2), Note(2, 68, 2)],
                      chords=[Chord(4, [57, 61], 2)]),
                Track(name="Kit", is_drum=True, notes=[Note(1, 42, 1)])])
    assert to_abc_string(music) == (
        "%abc-2.1\nX:1\nM:2/4\nL:1/4\n%%score (1 2) 3\nK:Am\n"
        'V:1 name="Keys"\n%%MIDI program 1\nE ^G | [A,^C] z |]\n'
        "V:2\n%%MIDI program 1\n[A,C]2 | z2 |]\n"
        'V:3 name="Kit"\n%%MIDI channel 10\nz/2 ^F,,/2 z | z2 |]\n')


def test_writer_spells_in_the_key_and_restates_accidentals_each_bar() -> None:
    music = Music(resolution=1, key_signatures=[KeySignature(0, fifths=-3, mode="minor")],
                  time_signatures=[TimeSignature(0, 2, 4)],
                  tracks=[Track(notes=[Note(0, 63, 1), Note(1, 64, 1), Note(2, 64, 1),
                                       Note(3, 63, 1), Note(4, 68, 1), Note(5, 66, 1)])])
    # C minor: E flat and A flat are in the key; E natural is marked in each bar it occurs
    # and E flat after it again; F sharp is spelled as the flat key spells it (G flat).
    assert to_abc_string(music).splitlines()[-1] == "E =E | =E _E | A _G |]"


def test_writer_puts_lyrics_under_the_notes_they_belong_to() -> None:
    music = Music(resolution=2, time_signatures=[TimeSignature(0, 2, 4)],
                  tracks=[Track(name="Voice",
                                notes=[Note(0, 60, 2), Note(2, 62, 2), Note(4, 64, 6),
                                       Note(10, 65, 2), Note(12, 67, 2)],
                                lyrics=[Lyric(0, "Hal-"), Lyric(2, "le-"), Lyric(4, "lu jah"),
                                        Lyric(12, "a-b")])])
    # The tied E takes one syllable; F has none (*); a hyphen inside a syllable is escaped.
    assert to_abc_string(music).splitlines()[-2:] == ["C D | E2- | E F | G z |]",
                                                      "w:Hal-le-lu~jah * a\\-b"]
    assert pitches(read_abc_string(to_abc_string(music))) == [60, 62, 64, 65, 67]


def test_round_trip_of_a_hand_built_piece(tmp_path: Path) -> None:
    music = Music(
        metadata=Metadata(title="Study", creators=["A. Composer"]), resolution=12,
        tempos=[Tempo(0, 120.0), Tempo(48, 80.5)],
        key_signatures=[KeySignature(0, root=2, mode="dorian", fifths=0),
                        KeySignature(48, root=6, mode="minor", fifths=3)],
        time_signatures=[TimeSignature(0, 4, 4), TimeSignature(48, 6, 8)],
        tracks=[Track(program=40, name="violin",
                      notes=[Note(0, 74, 18, 90), Note(18, 73, 6), Note(24, 72, 4), Note(28, 71, 4),
                             Note(32, 70, 4), Note(36, 69, 30), Note(66, 78, 12), Note(66, 81, 12),
                             Note(78, 61, 3)]),
                Track(program=42, name="cello", notes=[Note(0, 38, 96), Note(0, 45, 24),
                                                       Note(24, 45, 24), Note(48, 42, 36)])])
    path = tmp_path / "study.abc"
    write_abc(music, path)
    back = read_abc(path)
    assert abc_view(back) == abc_view(music)
    assert [b.time for b in back.barlines] == [0, 48, 84]
    assert decode(path.read_text()) == [[(Fraction(t, 12), p, Fraction(d, 12)) for t, p, d in
                                         sorted((n.time, n.pitch, n.duration) for n in tr.notes)]
                                        for tr in music.tracks]


def test_music21s_own_abc_reader_gives_the_written_notes(tmp_path: Path) -> None:
    from orchestrion.io.interop import from_music21

    music = Music(resolution=6, key_signatures=[KeySignature(0, fifths=-2, mode="major")],
                  time_signatures=[TimeSignature(0, 3, 4)],
                  tracks=[Track(notes=[Note(0, 70, 6), Note(6, 63, 2), Note(8, 64, 2),
                                       Note(10, 63, 2), Note(12, 71, 9), Note(21, 58, 3),
                                       Note(24, 58, 18)])])
    path = tmp_path / "m21.abc"
    write_abc(music, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = music21.converter.parse(path, format="abc", forceSource=True)
    assert notes_of(from_music21(parsed)) == notes_of(music)


def test_a_picked_up_tune_keeps_its_bars_through_a_round_trip(tmp_path: Path) -> None:
    music = read_abc_string("X:1\nT:Up\nM:3/4\nL:1/4\nK:F\nC | F2 A | c3 |]\n")
    path = tmp_path / "up.abc"
    write_abc(music, path)
    assert path.read_text().splitlines()[-1] == "C | F2 A | c3 |]"
    back = read_abc(path)
    music.metadata.source_filename = "up.abc"
    assert back == music  # everything, barlines and the reference number included


# ------------------------------------------------------------------------- properties


def abc_view(music: Music) -> dict[str, Any]:
    """What ABC holds of ``music``, times in quarters: notes (chords as notes, without
    velocities or zero lengths), names, programs, drums, the last tempo, key and meter at
    each tick, title and creators."""
    def last_at(events: list[Any], row: Any) -> list[Any]:
        rows = {quarters(music, e.time): row(e) for e in sorted(events, key=lambda e: e.time)}
        return sorted(rows.items())

    tracks = []
    for track in music.tracks:
        notes = [(quarters(music, n.time), n.pitch, quarters(music, n.duration))
                 for n in track.notes if n.duration > 0]
        notes += [(quarters(music, c.time), p, quarters(music, c.duration))
                  for c in track.chords if c.duration > 0 for p in c.pitches]
        name = " ".join(track.name.split()) if track.name else None
        tracks.append((name or None, track.program, track.is_drum, sorted(notes)))
    return {
        "tracks": tracks,
        "tempos": last_at(music.tempos, lambda t: t.qpm),
        "keys": last_at(music.key_signatures, lambda k: (k.fifths, k.mode or "major")),
        "meters": last_at(music.time_signatures, lambda s: (s.numerator, s.denominator)),
        "title": music.metadata.title,
        "creators": music.metadata.creators,
    }


names = st.text(alphabet="abcXYZ 12%", min_size=1, max_size=8).filter(lambda s: s.strip())


@st.composite
def abc_pieces(draw: st.DrawFn) -> Music:
    resolution = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 24]))
    span = 8 * resolution
    tracks = []
    for _ in range(draw(st.integers(1, 3))):
        notes = draw(st.lists(st.builds(Note, time=st.integers(0, span),
                                        pitch=st.integers(12, 127),
                                        duration=st.integers(0, 5 * resolution),
                                        velocity=st.integers(0, 127)), max_size=8))
        chords = draw(st.lists(st.builds(Chord, time=st.integers(0, span),
                                         pitches=st.lists(st.integers(12, 127), max_size=3),
                                         duration=st.integers(1, 3 * resolution)), max_size=2))
        # Lyrics are written as w: lines, which the reader (music21) ignores.
        lyrics = draw(st.lists(st.builds(Lyric, time=st.integers(0, span), lyric=st.text()),
                               max_size=3))
        tracks.append(Track(program=draw(st.integers(0, 127)), is_drum=draw(st.booleans()),
                            name=draw(st.none() | names), notes=notes, chords=chords,
                            lyrics=lyrics))
    times = st.integers(0, span)
    keys = st.builds(KeySignature, time=times, fifths=st.integers(-7, 7),
                     mode=st.sampled_from([None, "major", "minor", "dorian", "mixolydian",
                                           "phrygian"]))
    return Music(
        metadata=Metadata(title=draw(st.none() | names),
                          creators=draw(st.none() | st.lists(names, min_size=1, max_size=2))),
        resolution=resolution,
        # music21 rounds a tempo within 1e-6 of a whole number to it: three decimals.
        tempos=draw(st.lists(st.builds(Tempo, time=times,
                                       qpm=st.floats(20, 300).map(lambda q: round(q, 3))),
                             max_size=2, unique_by=lambda t: t.time)),
        key_signatures=draw(st.lists(keys, max_size=2, unique_by=lambda k: k.time)),
        time_signatures=draw(st.lists(st.builds(TimeSignature, time=times,
                                                numerator=st.integers(1, 9),
                                                denominator=st.sampled_from([2, 4, 8, 16])),
                                      max_size=2, unique_by=lambda s: s.time)),
        tracks=tracks)


def expected_view(music: Music) -> dict[str, Any]:
    view = abc_view(music)
    # Creators and titles are written on one line each, whitespace collapsed.
    view["title"] = " ".join(music.metadata.title.split()) if music.metadata.title else None
    view["creators"] = [" ".join(c.split()) for c in music.metadata.creators or ()] or None
    return view


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(abc_pieces())
def test_round_trip_keeps_what_abc_holds(music: Music) -> None:
    text = to_abc_string(music)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing should need a fallback
        back = read_abc_string(text)
    assert abc_view(back) == expected_view(music), text
    # The independent decoder reads the same notes from the text.
    assert decode(text) == [notes for *_, notes in expected_view(music)["tracks"]], text
    assert back.annotations == [type(back.annotations[0])(0, 1, NUMBER_GROUP)]


# ------------------------------------------------------------------------- kern


def m21_kern_notes(path: Path) -> list[list[tuple[Fraction, int, Fraction]]]:
    """music21's own reading: per part, (onset, MIDI pitch, duration) in quarters, ties
    joined by ``stripTies``, grace notes left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(path, format="humdrum", forceSource=True)
    result = []
    for part in score.parts:
        flat = part.stripTies().flatten()
        rows = []
        for element in flat.notes:
            if element.duration.isGrace:
                continue
            for pitch in element.pitches:
                rows.append((Fraction(element.offset), pitch.midi,
                             Fraction(element.quarterLength)))
        result.append(sorted(rows))
    return result


@pytest.mark.parametrize("name", ["palestrina/Agnus_I_81.krn", "palestrina/Gloria_69_c.krn",
                                  "bach/bwv366.krn"])
def test_kern_notes_equal_music21s(name: str) -> None:
    path = CORPUS / name
    music = read_kern(path, expand_repeats=False)
    assert [notes_of(music, i) for i in range(len(music.tracks))] == m21_kern_notes(path)
    assert music.metadata.source_format == "kern"
    assert music.metadata.title
    assert music.barlines[0].time == 0


def test_kern_reads_names_meter_key_and_tempo() -> None:
    text = ("!!!OTL: Tiny\n**kern\t**kern\n*Ibass\t*Icant\n*M3/4\t*M3/4\n*k[b-]\t*k[b-]\n"
            "*MM90\t*MM90\n=1\t=1\n2.F\t4a\n.\t4b\n.\t4cc\n=2\t=2\n2.F\t2.ff\n*-\t*-\n")
    music = read_kern_string(text)
    assert music.metadata.title == "Tiny"
    assert sorted(t.name for t in music.tracks) == ["Bass", "Soprano"]
    soprano = next(i for i, t in enumerate(music.tracks) if t.name == "Soprano")
    assert pitches(music, soprano) == [69, 71, 72, 77]  # kern pitches ignore *k[b-]
    assert [(s.numerator, s.denominator) for s in music.time_signatures] == [(3, 4)]
    assert [k.fifths for k in music.key_signatures] == [-1]
    assert [t.qpm for t in music.tempos] == [90.0]
    assert [b.time for b in music.barlines] == [0, 3]


@pytest.mark.parametrize("content", [b"", b"hello\n", b"**kern\n4c\n4d\n4e\n"])
def test_bad_kern_files_raise_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.krn"
    path.write_bytes(content)
    if content.startswith(b"**kern"):  # a spine without its terminator: music21 reads it
        assert read_kern(path).n_notes == 3
    else:
        with pytest.raises(FormatError, match="no \\*\\*kern spine") as info:
            read_kern(path)
        assert str(path) in str(info.value)
    with pytest.raises(FormatError, match="no such file"):
        read_kern(tmp_path / "missing.krn")


# ------------------------------------------------------------------------- registry


def test_registry_reads_and_writes_abc_and_reads_kern(tmp_path: Path) -> None:
    music = Music(resolution=2, tracks=[Track(name="Solo", notes=[Note(0, 60, 2),
                                                                   Note(2, 62, 2)])])
    path = tmp_path / "solo.abc"
    registry.write(music, path)
    back = registry.read(path)
    assert back.tracks[0].name == "Solo"
    assert pitches(back) == [60, 62]
    kern = registry.read(CORPUS / "palestrina" / "Gloria_69_c.krn")
    assert kern.metadata.source_format == "kern"
    assert kern.n_notes > 0
    with pytest.raises(FormatError, match="cannot write kern"):
        registry.write(music, tmp_path / "out.krn")
