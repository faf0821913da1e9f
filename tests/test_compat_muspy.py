"""orchestrion.compat.muspy: MusPy's names and signatures, and the same results as MusPy."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import orchestrion.compat.muspy as compat
from orchestrion import FormatError

muspy = pytest.importorskip("muspy")

FUNCTIONS = ("read", "write", "load", "save", "read_midi", "write_midi", "load_json",
             "save_json", "load_yaml", "save_yaml", "read_musicxml", "write_musicxml",
             "read_musescore", "read_abc", "read_abc_string", "from_music21",
             "to_music21", "from_pretty_midi", "to_pretty_midi", "from_mido", "to_mido",
             "from_pypianoroll", "to_pypianoroll", "to_pitch_representation",
             "from_pitch_representation", "to_event_representation",
             "from_event_representation", "to_note_representation",
             "from_note_representation", "to_pianoroll_representation",
             "from_pianoroll_representation", "to_representation", "from_representation",
             # the metrics (orchestrion.metrics under MusPy's names and signatures)
             "pitch_range", "n_pitches_used", "n_pitch_classes_used", "polyphony",
             "polyphony_rate", "pitch_in_scale_rate", "scale_consistency", "pitch_entropy",
             "pitch_class_entropy", "empty_beat_rate", "empty_measure_rate",
             "groove_consistency", "drum_in_pattern_rate", "drum_pattern_consistency")
CLASSES = ("Music", "Track", "Note", "Chord", "Tempo", "KeySignature", "TimeSignature",
           "Beat", "Barline", "Lyric", "Annotation", "Metadata")


def test_every_name_is_musps() -> None:
    assert set(compat.__all__) == set(FUNCTIONS) | set(CLASSES)
    for name in compat.__all__:
        assert hasattr(muspy, name), name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_take_musps_parameters_in_musps_order(name: str) -> None:
    ours = list(inspect.signature(getattr(compat, name)).parameters)
    theirs = [p for p in inspect.signature(getattr(muspy, name)).parameters if p != "kwargs"]
    assert ours[:len(theirs)] == theirs


@pytest.mark.parametrize("name", CLASSES)
def test_classes_have_musps_fields(name: str) -> None:
    theirs = list(getattr(muspy, name)._attributes)
    ours = list(inspect.signature(getattr(compat, name)).parameters)
    # orchestrion's Track adds controls and pitch bends after MusPy's fields.
    assert ours[:len(theirs)] == theirs


def _notes(music: object) -> list[tuple]:
    return [(track.program, track.is_drum, track.name,
             [(n.time, n.pitch, n.duration, n.velocity) for n in track.notes])
            for track in music.tracks]  # type: ignore[attr-defined]


def test_read_midi_gives_musps_notes_tempos_and_meters(corpus_midi: list[Path]) -> None:
    # The pieces whose every note-on is released: MusPy also keeps notes never released,
    # ending them at the end of the track, which orchestrion (like pretty_midi) drops.
    for path in corpus_midi:
        if "mozart" in path.name or "haydn" in path.name:
            continue
        ours, theirs = compat.read_midi(path), muspy.read_midi(path)
        assert ours.resolution == theirs.resolution
        assert _notes(ours) == _notes(theirs), path.name
        assert [(t.time, t.qpm) for t in ours.tempos] == [(t.time, t.qpm) for t in theirs.tempos]
        assert [(t.time, t.numerator, t.denominator) for t in ours.time_signatures] == \
            [(t.time, t.numerator, t.denominator) for t in theirs.time_signatures]
        # MusPy leaves fifths empty; orchestrion keeps it as well as root and mode.
        assert [(k.time, k.root, k.mode) for k in ours.key_signatures] == \
            [(k.time, k.root, k.mode) for k in theirs.key_signatures]


def test_write_midi_then_muspy_reads_the_same(tmp_path: Path, corpus_midi: list[Path]) -> None:
    music = compat.read(corpus_midi[0])
    compat.write(tmp_path / "out.mid", music)
    assert _notes(muspy.read(tmp_path / "out.mid")) == _notes(music)
    compat.write_midi(tmp_path / "again.midi", music, backend="pretty_midi")
    again = compat.read(tmp_path / "again.midi")
    assert again.metadata.source_filename == "again.midi"
    again.metadata.source_filename = music.metadata.source_filename
    assert again == music


@pytest.mark.parametrize("name", ["piece.json", "piece.json.gz", "piece.yaml", "piece.yml.gz"])
def test_save_and_load_round_trip_and_muspy_agrees(tmp_path: Path, corpus_midi: list[Path],
                                                   name: str) -> None:
    music = compat.read_midi(corpus_midi[0])
    compat.save(tmp_path / name, music)
    assert compat.load(tmp_path / name) == music
    assert _notes(muspy.load(tmp_path / name)) == _notes(music)
    kind = "json" if "json" in name else "yaml"
    getattr(compat, f"save_{kind}")(tmp_path / f"direct.{kind}", music)
    assert getattr(compat, f"load_{kind}")(tmp_path / f"direct.{kind}") == music


def test_kind_overrides_the_extension(tmp_path: Path, corpus_midi: list[Path]) -> None:
    music = compat.read_midi(corpus_midi[0])
    compat.save(tmp_path / "piece.txt", music, kind="yaml")
    assert (tmp_path / "piece.txt").read_text("utf-8").startswith("metadata:")
    assert compat.load(tmp_path / "piece.txt", kind="yaml") == music
    assert compat.read(corpus_midi[0], kind="midi") == music


def test_wrong_function_for_the_format_is_a_clear_error(tmp_path: Path,
                                                         corpus_midi: list[Path]) -> None:
    with pytest.raises(FormatError, match=r"load\(\) does not handle midi files; use read/write"):
        compat.load(corpus_midi[0])
    with pytest.raises(FormatError, match=r"read\(\) does not handle json files; use load/save"):
        compat.read(tmp_path / "piece.json")
    with pytest.raises(FormatError, match="unknown file extension"):
        compat.save(tmp_path / "piece.abc123", compat.Music())
    with pytest.raises(ValueError, match="first-in-first-out"):
        compat.read_midi(corpus_midi[0], duplicate_note_mode="all")
    with pytest.raises(FormatError, match="skip_missing=True"):
        compat.save_json(tmp_path / "piece.json", compat.Music(), skip_missing=False)
    assert not (tmp_path / "piece.json").exists()


def test_read_musicxml_and_converters_agree_with_muspy_names(corpus_midi: list[Path]) -> None:
    import mido
    import pretty_midi

    music = compat.read_midi(corpus_midi[0])
    assert _notes(compat.from_mido(mido.MidiFile(corpus_midi[0]))) == _notes(music)
    assert _notes(compat.from_pretty_midi(compat.to_pretty_midi(music))) == _notes(music)
    assert _notes(compat.from_pretty_midi(pretty_midi.PrettyMIDI(str(corpus_midi[0])),
                                          resolution=music.resolution)) == _notes(music)
    assert compat.to_mido(music).ticks_per_beat == music.resolution
    roll = compat.to_pypianoroll(music)
    assert compat.from_pypianoroll(roll).resolution == music.resolution
    with pytest.raises(ValueError, match="first-in-first-out"):
        compat.from_mido(mido.MidiFile(corpus_midi[0]), duplicate_note_mode="lifo")


def test_read_musicxml_of_a_corpus_chorale_matches_muspy() -> None:
    music21 = pytest.importorskip("music21")
    path = Path(music21.corpus.getWork("bach/bwv66.6"))
    ours = compat.read_musicxml(path, resolution=24)
    theirs = muspy.read_musicxml(path, resolution=24)
    assert ours.resolution == theirs.resolution == 24
    assert sorted(n for t in _notes(ours) for n in t[3]) == sorted(
        n for t in _notes(theirs) for n in t[3])
    score = compat.to_music21(ours)
    assert len(score.parts) == len(ours.tracks)
    assert _notes(compat.from_music21(score)) == _notes(ours)


BOOK = """X: 1
T: First
M: 2/4
L: 1/8
K: G
GABc | d2 d2 |]

X: 2
T: Second
M: 3/4
L: 1/4
K: D
d e f | a3 |]
"""


def test_read_abc_keeps_the_first_tune_and_follows_musps_return_types(tmp_path: Path) -> None:
    path = tmp_path / "book.abc"
    path.write_text(BOOK)
    tunes = compat.read_abc(path)
    assert isinstance(tunes, list)
    assert [t.metadata.title for t in tunes] == ["First", "Second"]  # MusPy loses "First"
    assert all(t.resolution == 24 for t in tunes)
    first = tunes[0]
    assert [(n.time, n.pitch, n.duration) for n in first.tracks[0].notes][:4] == [
        (0, 67, 12), (12, 69, 12), (24, 71, 12), (36, 72, 12)]
    second = compat.read_abc(path, number=2, resolution=4)
    assert not isinstance(second, list)
    assert second.resolution == 4
    assert [n.pitch for n in second.tracks[0].notes] == [74, 76, 78, 81]
    one_tune = compat.read_abc_string(BOOK.split("\n\n")[0], resolution=12)
    assert not isinstance(one_tune, list)
    assert one_tune.metadata.title == "First"
    assert compat.read(path) == tunes


def test_write_musicxml_path_first_and_read_musescore(tmp_path: Path) -> None:
    music21 = pytest.importorskip("music21")
    music = compat.read_musicxml(Path(music21.corpus.getWork("bach/bwv66.6")))
    compat.write_musicxml(tmp_path / "chorale.mxl", music)
    assert (tmp_path / "chorale.mxl").read_bytes()[:2] == b"PK"  # compressed by extension
    for back in (compat.read_musicxml(tmp_path / "chorale.mxl"),
                 compat.write(tmp_path / "chorale.musicxml", music)
                 or compat.read(tmp_path / "chorale.musicxml")):
        back.metadata.source_filename = music.metadata.source_filename  # the new file's name
        assert back == music
    # The MuseScore fixtures of tests/data: MusPy's name reads them, rescaled on request.
    fixture = Path(__file__).parent / "data" / "musescore" / "chords_ms3.mscx"
    exact = compat.read_musescore(fixture)
    assert compat.read(fixture) == exact
    coarse = compat.read_musescore(fixture, resolution=exact.resolution * 2)
    assert [n.time for n in coarse.tracks[0].notes] == [
        2 * n.time for n in exact.tracks[0].notes]
