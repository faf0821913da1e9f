"""orchestrion.io.interop: round trips that are exact for what each library holds, and
differential checks against each library's own path (music21's MIDI writer, pretty_midi's
MIDI reader)."""

from __future__ import annotations

import warnings
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import orchestrion
from orchestrion import (
    Annotation,
    Barline,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.io import interop

pytest.importorskip("music21")
pretty_midi = pytest.importorskip("pretty_midi")
pytest.importorskip("symusic")
pytest.importorskip("mido")
pypianoroll = pytest.importorskip("pypianoroll")


def rich() -> Music:
    """A piece using every field the libraries can hold between them."""
    return Music(
        metadata=Metadata(title="Study", creators=["A. Composer"], copyright="public domain"),
        resolution=24,
        tempos=[Tempo(0, 100.0), Tempo(48, 75.0)],  # whole microseconds: MIDI-exact
        key_signatures=[KeySignature(0, root=7, mode="major", fifths=1, root_str="G"),
                        KeySignature(72, root=9, mode="minor", fifths=0, root_str="A")],
        time_signatures=[TimeSignature(0, 3, 4), TimeSignature(72, 6, 8)],
        annotations=[Annotation(0, "dolce", "text"), Annotation(24, "A", "marker")],
        tracks=[
            Track(program=40, name="violin",
                  notes=[Note(0, 67, 24, 90), Note(24, 71, 8, 80), Note(32, 72, 16, 70),
                         Note(48, 74, 36, 100), Note(84, 76, 5, 64)],
                  lyrics=[Lyric(0, "la"), Lyric(24, "li")],
                  controls=[ControlChange(0, 64, 127), ControlChange(40, 64, 0)],
                  pitch_bends=[PitchBend(10, 512), PitchBend(20, -8192)]),
            Track(program=0, name="piano",
                  notes=[Note(0, 43, 72, 60), Note(0, 50, 72, 60), Note(72, 45, 17, 64)]),
            Track(program=0, is_drum=True, name="drums",
                  notes=[Note(0, 36, 6, 100), Note(24, 38, 6, 64), Note(48, 42, 3, 30)]),
        ],
    )


def changed(music: Music, **fields: Any) -> Music:
    """A copy of ``music`` with ``fields`` replaced (``metadata`` keyword for metadata)."""
    music = music.copy()
    for name, value in fields.items():
        setattr(music, name, value)
    return music


def strip_tracks(music: Music, **fields: Any) -> Music:
    for track in music.tracks:
        for name, value in fields.items():
            setattr(track, name, value() if callable(value) else value)
    return music


def global_lyrics(music: Music) -> Music:
    """Track lyrics moved to ``music.lyrics``, as MIDI-based libraries hold them."""
    music.lyrics = sorted([*music.lyrics, *(lyric for t in music.tracks for lyric in t.lyrics)],
                          key=lambda lyric: lyric.time)
    return strip_tracks(music, lyrics=list)


def quarters(music: Music) -> Counter[tuple[Fraction, int, Fraction]]:
    """Every note as (onset, pitch, duration) in quarter notes, as a multiset."""
    rows: Counter[tuple[Fraction, int, Fraction]] = Counter()
    for track in music.tracks:
        notes = track.note_array()
        for time, pitch, duration in zip(notes.time.tolist(), notes.pitch.tolist(),
                                         notes.duration.tolist(), strict=True):
            rows[Fraction(time, music.resolution), pitch,
                 Fraction(duration, music.resolution)] += 1
    return rows


def unique_events(music: Music) -> Music:
    """Repeated identical tempos and signatures at one tick kept once (music21 parts each
    carry their own copy, so a conversion through music21 cannot tell them apart)."""
    for name in ("tempos", "key_signatures", "time_signatures"):
        setattr(music, name, list({repr(e): e for e in getattr(music, name)}.values()))
    return music


@pytest.fixture(scope="module")
def corpus_music(corpus_midi: list[Path]) -> dict[str, Music]:
    return {path.stem: orchestrion.read(path) for path in corpus_midi}


# ---------------------------------------------------------------------------- music21


def test_music21_round_trip_rich_piece() -> None:
    music = rich()
    score = interop.to_music21(music)
    back = interop.from_music21(score, resolution=24)
    expected = strip_tracks(changed(music), controls=list, pitch_bends=list)
    expected.metadata.source_format = "music21"
    assert back == expected


def test_music21_least_resolution_and_rounding() -> None:
    music = rich()
    back = interop.from_music21(interop.to_music21(music))
    assert back.resolution == 24  # 5/24 of a quarter and thirds need 24
    halves = Music(resolution=480, tracks=[Track(notes=[Note(0, 60, 240), Note(720, 62, 960)])])
    back = interop.from_music21(interop.to_music21(halves))
    assert back.resolution == 2
    assert [(n.time, n.duration) for n in back.tracks[0].notes] == [(0, 1), (3, 4)]
    coarse = interop.from_music21(interop.to_music21(music), resolution=4)
    # onsets and ends round half up: 8/24 -> 4/3 -> 1; 32/24 -> 5.33 -> 5; 48 -> 8
    assert [(n.time, n.duration) for n in coarse.tracks[0].notes][:3] == [(0, 4), (4, 1),
                                                                          (5, 3)]


def test_music21_chords_lyrics_and_zero_length_notes() -> None:
    music = Music(resolution=4, lyrics=[Lyric(4, "global")], tracks=[Track(
        notes=[Note(0, 60, 4), Note(4, 62, 0), Note(8, 64, 4)],
        chords=[Chord(8, [48, 55], 8, velocity=99)], lyrics=[Lyric(8, "x"), Lyric(2, "lost")])])
    back = interop.from_music21(interop.to_music21(music), resolution=4)
    track = back.tracks[0]
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes] == [
        (0, 60, 4, 64), (4, 62, 0, 64), (8, 48, 8, 99), (8, 55, 8, 99), (8, 64, 4, 64)]
    assert track.chords == []
    assert back.lyrics == []
    assert track.lyrics == [Lyric(4, "global"), Lyric(8, "x")]  # no onset at tick 2


def test_music21_ties_grace_notes_dynamics_and_percussion() -> None:
    from music21 import chord, dynamics, instrument, note, stream, tie

    part = stream.Part()
    part.partName = "kit"
    part.insert(0, instrument.BassDrum())
    part.insert(0, dynamics.Dynamic("f"))
    first, second = note.Note("C4", quarterLength=1), note.Note("C4", quarterLength=0.5)
    first.tie, second.tie = tie.Tie("start"), tie.Tie("stop")
    part.insert(0, first)
    part.insert(1, second)
    grace = note.Note("D4").getGrace()
    part.insert(1.5, grace)
    tied_chord = chord.Chord(["E4", "G4"], quarterLength=1)
    tied_chord.notes[0].tie = tie.Tie("start")
    part.insert(1.5, tied_chord)
    part.insert(2.5, chord.Chord(["E4", "G4"], quarterLength=1))
    music = interop.from_music21(part)
    assert music.resolution == 2
    track = music.tracks[0]
    assert (track.is_drum, track.name) == (True, "kit")
    velocity = round(127 * dynamics.Dynamic("f").volumeScalar)
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes] == [
        (0, 60, 3, velocity), (3, 64, 4, velocity), (3, 67, 2, velocity),
        (5, 67, 2, velocity)]


def test_music21_opus_part_names_and_programs() -> None:
    from music21 import instrument, note, stream

    score = stream.Score()
    part = stream.Part()
    part.insert(0, instrument.Violin())
    part.append(note.Note("A4"))
    score.insert(0, part)
    opus = stream.Opus()
    opus.append(score)
    music = interop.from_music21(opus)
    # music21 names a part after its instrument when it has no name of its own
    assert [(t.program, t.is_drum, t.name) for t in music.tracks] == [(40, False, "Violin")]
    assert music.resolution == 1
    assert quarters(music) == Counter({(Fraction(0), 69, 1): 1})


def test_music21_piece_without_tracks() -> None:
    music = Music(resolution=4, tempos=[Tempo(0, 90.0)], time_signatures=[TimeSignature(2, 3, 4)],
                  annotations=[Annotation(1, "x", "marker")])
    back = interop.from_music21(interop.to_music21(music))
    assert back == changed(music, metadata=Metadata(source_format="music21"))


@pytest.mark.parametrize("piece", ["bach/bwv66.6", "bach/bwv7.7", "joplin/maple_leaf_rag"])
def test_music21_notes_equal_music21_midi_export(piece: str, tmp_path: Path) -> None:
    # Differential: music21's own MIDI writer (repeats expanded, ties merged), read by
    # orchestrion. Pieces with grace notes are left out: music21 writes a grace note's off
    # before its on, so a MIDI reader pairs it with a later note of the pitch.
    from music21 import corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = corpus.parse(piece)
        score.write("midi", fp=str(tmp_path / "piece.mid"))
    mine = interop.from_music21(score)
    theirs = orchestrion.read(tmp_path / "piece.mid")
    assert quarters(mine) == quarters(theirs)
    assert [t.name for t in mine.tracks] == [t.name for t in theirs.tracks]
    # (music21 writes a key signature without a mode as major)
    assert [k.fifths for k in mine.key_signatures] == [
        k.fifths for k in unique_events(theirs).key_signatures]


def test_music21_midi_export_of_to_music21(tmp_path: Path) -> None:
    # Differential the other way: music21 writes what to_music21 built as MIDI.
    music = rich()
    interop.to_music21(music).write("midi", fp=str(tmp_path / "out.mid"))
    theirs = orchestrion.read(tmp_path / "out.mid")
    assert quarters(theirs) == quarters(music)
    assert [(t.program, t.is_drum) for t in theirs.tracks] == [(40, False), (0, False),
                                                                (0, True)]
    assert [t.qpm for t in theirs.tempos][:2] == [100.0, 75.0]


def test_music21_round_trip_corpus(corpus_music: dict[str, Music]) -> None:
    for name, music in corpus_music.items():
        back = interop.from_music21(interop.to_music21(music), resolution=music.resolution)
        for key in back.key_signatures:
            key.root_str = None  # music21 spells every key; MIDI files do not
        expected = unique_events(strip_tracks(music.copy(), controls=list, pitch_bends=list))
        expected.metadata = Metadata(source_format="music21")
        back.metadata.title = None
        assert back == expected, name


# ---------------------------------------------------------------------------- pretty_midi


def test_pretty_midi_round_trip_rich_piece() -> None:
    music = rich()
    pm = interop.to_pretty_midi(music)
    assert pm.resolution == 24
    assert pm.instruments[0].notes[1].start == pytest.approx(24 * 60 / (100 * 24))
    assert pm.time_to_tick(pm.instruments[0].notes[3].start) == 48
    back = interop.from_pretty_midi(pm)
    expected = global_lyrics(changed(music, metadata=Metadata(source_format="pretty_midi")))
    expected.annotations = [Annotation(0, "dolce", "text"), Annotation(24, "A", "text")]
    for key in expected.key_signatures:
        key.root_str = None
    assert back == expected


def test_pretty_midi_tempo_defaults_and_keys() -> None:
    music = Music(resolution=96, tempos=[Tempo(96, 60.0)],
                  key_signatures=[KeySignature(0, root=6, mode="major", fifths=6),
                                  KeySignature(10, fifths=-3, mode="minor"),
                                  KeySignature(20, root=2, mode="dorian")],
                  tracks=[Track(notes=[Note(0, 60, 192)])])
    back = interop.from_pretty_midi(interop.to_pretty_midi(music))
    assert back.tempos == [Tempo(0, 120.0), Tempo(96, 60.0)]
    assert back.key_signatures == [KeySignature(0, root=6, mode="major", fifths=-6),
                                   KeySignature(10, root=0, mode="minor", fifths=-3)]
    assert back.get_real_end_time() == music.get_real_end_time() == 1.5  # 0.5 s + 1 s


def test_pretty_midi_tempos_come_back_exactly() -> None:
    qpms = [100.0, 80.5, 130.3, 60_000_000 / 461_538, 207.00005175001294, 33.3333]
    for resolution in (24, 220, 480, 10080):
        music = Music(resolution=resolution,
                      tempos=[Tempo(i * resolution, q) for i, q in enumerate(qpms)])
        assert interop.from_pretty_midi(interop.to_pretty_midi(music)).tempos == music.tempos


def test_pretty_midi_round_trip_corpus(corpus_music: dict[str, Music]) -> None:
    for name, music in corpus_music.items():
        back = interop.from_pretty_midi(interop.to_pretty_midi(music))
        expected = changed(music, metadata=Metadata(source_format="pretty_midi"))
        assert back == expected, name


@pytest.mark.parametrize("stem", ["bach_bwv66.6", "bach_bwv7.7", "joplin_maple_leaf_rag",
                                  "schumann_robert_opus41no1_movement2"])
def test_pretty_midi_reader_agrees_in_seconds(stem: str, corpus_midi: list[Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Differential: pretty_midi's own MIDI reader. music21 writes 10080 ticks per quarter, past
    # pretty_midi's "likely corrupt" limit of 10^7 ticks for long pieces: lift it. Pieces with
    # grace notes are left out (pretty_midi ends every open note of a pitch at a note-off).
    monkeypatch.setattr(pretty_midi.pretty_midi, "MAX_TICK", float("inf"))
    path = next(p for p in corpus_midi if p.stem == stem)
    mine = interop.from_pretty_midi(pretty_midi.PrettyMIDI(str(path)))
    theirs = orchestrion.read(path)

    def seconds(music: Music) -> list[np.ndarray]:
        tempo_map = music.tempo_map()
        return [np.stack([tempo_map.to_seconds(n.time), n.pitch, tempo_map.to_seconds(n.end),
                          n.velocity], axis=1)
                for n in (track.note_array() for track in music.tracks)]

    for a, b in zip(seconds(mine), seconds(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    assert [t.note_array() for t in mine.tracks] == [t.note_array() for t in theirs.tracks]


# ---------------------------------------------------------------------------- symusic, mido


def test_symusic_round_trip_rich_piece() -> None:
    music = rich()
    score = interop.to_symusic(music)
    assert score.ticks_per_quarter == 24
    back = interop.from_symusic(score)
    expected = global_lyrics(changed(
        music, metadata=Metadata(source_format="symusic"),
        annotations=[a for a in music.annotations if a.group == "marker"]))
    for key in expected.key_signatures:
        key.root_str = None
    assert back == expected
    assert interop.from_symusic(score.to("quarter")) == back


def test_mido_round_trip_rich_piece() -> None:
    music = rich()
    midi_file = interop.to_mido(music)
    assert midi_file.ticks_per_beat == 24
    assert len(midi_file.tracks) == 4
    back = interop.from_mido(midi_file)
    expected = global_lyrics(changed(music, metadata=Metadata(
        title="Study", copyright="public domain", source_format="midi")))
    for key in expected.key_signatures:
        key.root_str = None
    assert back == expected


def test_symusic_and_mido_round_trip_corpus(corpus_music: dict[str, Music],
                                            corpus_midi: list[Path]) -> None:
    import mido
    import symusic

    for path in corpus_midi:
        music = corpus_music[path.stem]
        from_file = interop.from_mido(mido.MidiFile(path))
        from_file.metadata.source_filename = path.name
        assert from_file == music
        assert interop.from_mido(interop.to_mido(music)) == changed(
            music, metadata=Metadata(title=music.metadata.title,
                                     copyright=music.metadata.copyright, source_format="midi"))
        expected = changed(music, metadata=Metadata(source_format="symusic"),
                           annotations=[a for a in music.annotations if a.group == "marker"])
        assert interop.from_symusic(symusic.Score(path)) == expected
        assert interop.from_symusic(interop.to_symusic(music)) == expected


# ---------------------------------------------------------------------------- pypianoroll


def test_pypianoroll_round_trip_of_non_touching_notes() -> None:
    music = Music(metadata=Metadata(title="roll"), resolution=12,
                  tempos=[Tempo(0, 90.0), Tempo(30, 150.0)],
                  barlines=[Barline(0), Barline(48)],
                  tracks=[Track(program=5, name="keys", notes=[
                              Note(0, 60, 12, 100), Note(0, 64, 6, 50), Note(13, 60, 5, 127),
                              Note(40, 127, 8, 1), Note(40, 0, 1, 7)]),
                          Track(is_drum=True, notes=[Note(3, 36, 1, 90)])])
    multitrack = interop.to_pypianoroll(music)
    multitrack.validate()
    assert multitrack.tracks[0].pianoroll.shape == (49, 128)
    assert multitrack.tracks[0].pianoroll[12, 60] == 0
    assert multitrack.tempo[30] == 150.0
    back = interop.from_pypianoroll(multitrack)
    expected = changed(music, metadata=Metadata(title="roll", source_format="pypianoroll"))
    expected.sort()
    assert back == expected


def test_pypianoroll_losses() -> None:
    music = Music(resolution=4, tracks=[Track(notes=[
        Note(0, 60, 4, 80), Note(4, 60, 4, 80),    # touching, same velocity: merge
        Note(8, 62, 4, 80), Note(12, 62, 4, 90),   # touching, new velocity: stay apart
        Note(16, 64, 8, 50), Note(20, 64, 8, 70),  # overlapping: the louder wins
        Note(30, 65, 0, 80), Note(30, 66, 2, 0),   # no length or no velocity: no cell
    ])])
    back = interop.from_pypianoroll(interop.to_pypianoroll(music))
    assert [(n.time, n.pitch, n.duration, n.velocity) for n in back.tracks[0].notes] == [
        (0, 60, 8, 80), (8, 62, 4, 80), (12, 62, 4, 90), (16, 64, 4, 50), (20, 64, 8, 70)]
    assert back.tempos == []
    assert back.barlines == []


def test_pypianoroll_resolution_and_binary_rolls() -> None:
    music = Music(resolution=24, tracks=[Track(notes=[Note(6, 60, 18, 90)])])
    multitrack = interop.to_pypianoroll(music, resolution=4)
    assert multitrack.resolution == 4
    assert np.flatnonzero(multitrack.tracks[0].pianoroll[:, 60]).tolist() == [1, 2, 3]
    multitrack.binarize()
    back = interop.from_pypianoroll(multitrack)
    assert [(n.time, n.duration, n.velocity) for n in back.tracks[0].notes] == [(1, 3, 64)]


def test_pypianoroll_corpus_rolls_are_stable(corpus_music: dict[str, Music]) -> None:
    # Lossy, but what comes back renders to the very same roll.
    for name, music in list(corpus_music.items())[:3]:
        small = music.copy().adjust_resolution(12)
        rolled = interop.to_pypianoroll(small)
        again = interop.to_pypianoroll(interop.from_pypianoroll(rolled))
        for a, b in zip(rolled.tracks, again.tracks, strict=True):
            assert np.array_equal(a.pianoroll, b.pianoroll), name
        np.testing.assert_array_equal(rolled.tempo, again.tempo)


# ---------------------------------------------------------------------------- light import


def test_interop_imports_no_library_until_used() -> None:
    import subprocess
    import sys

    code = ("import sys, orchestrion.io.interop; print(sorted(m for m in ('music21', "
            "'pretty_midi', 'mido', 'symusic', 'pypianoroll') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_every_example_in_the_interop_documentation_runs() -> None:
    import re

    doc = Path(__file__).parents[1] / "docs" / "interop.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 5
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in blocks:  # the blocks build on each other
            exec(compile(block, str(doc), "exec"), namespace)
