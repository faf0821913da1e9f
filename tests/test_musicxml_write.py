"""MusicXML writing: exact round trips through our reader, the written layout, .mxl archives,
atomic writes, and music21 / MusPy reading what we write."""

from __future__ import annotations

import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import orchestrion
from orchestrion import (
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    FormatError,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.io import musicxml
from orchestrion.io._musicxml_layout import MODE_OFFSETS, key_fifths, key_mode, measure_layout
from strategies import score_musics

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ------------------------------------------------------------------------------ helpers


def rows(track: Track) -> list[tuple[int, int, int, int]]:
    notes = track.note_array()
    return list(zip(notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist(),
                    notes.velocity.tolist(), strict=True))


def round_trip(music: Music, path: Path) -> Music:
    orchestrion.write(music, path)
    return orchestrion.read(path)


def document(music: Music) -> ET.Element:
    return ET.fromstring(musicxml.to_bytes(music))


def _trimmed(text: str | None) -> str | None:
    return None if text is None else NOT_XML.sub("", text).strip() or None


def _dedupe(events: list, key: object) -> list:
    kept: list = []
    for event in events:
        if not kept or key(event) != key(kept[-1]):  # type: ignore[operator]
            kept.append(event)
    return kept


def expected(music: Music, filename: str | None) -> Music:
    """What reading the written file gives back: ``music`` less what MusicXML (or the
    reader) does not keep, as docs/musicxml.md lists it."""
    result = music.copy()
    result.metadata = Metadata(
        title=_trimmed(music.metadata.title), copyright=_trimmed(music.metadata.copyright),
        creators=[c for c in map(_trimmed, music.metadata.creators or ()) if c] or None,
        source_filename=filename, source_format="musicxml")
    result.beats, result.lyrics, result.annotations = [], [], []
    if not music.tracks:  # no part: nothing to hold divisions and the global events
        result.tempos, result.key_signatures, result.time_signatures = [], [], []
        result.barlines, result.resolution = [], 1
        return result
    result.barlines = [Barline(start) for start in measure_layout(music)[0]]
    tempos: dict[int, float] = {}
    for tempo in sorted(music.tempos, key=lambda t: t.time):
        tempos.setdefault(tempo.time, float(tempo.qpm))
    result.tempos = [Tempo(time, qpm) for time, qpm in tempos.items()]
    keys = []
    for key in sorted(music.key_signatures, key=lambda k: k.time):
        fifths, mode = key_fifths(key), key_mode(key)
        if fifths is not None:
            offset = MODE_OFFSETS.get(mode)
            keys.append(KeySignature(key.time, None if offset is None else
                                     (7 * fifths + offset) % 12, mode, fifths))
    result.key_signatures = _dedupe(keys, lambda k: (k.fifths, k.mode))
    result.time_signatures = _dedupe(sorted(music.time_signatures, key=lambda t: t.time),
                                     lambda t: (t.numerator, t.denominator))
    for track in result.tracks:
        track.name = _trimmed(track.name)
        track.set_note_array(track.note_array().sorted())
        track.chords, track.controls, track.pitch_bends = [], [], []
        track.lyrics = sorted((Lyric(x.time, NOT_XML.sub("", x.lyric)) for x in track.lyrics),
                              key=lambda x: (x.time, x.lyric))
        track.annotations = [
            Annotation(a.time, {k: v if k == "text" else v.strip()
                                for k, v in a.annotation.items()}, "harmony")
            for a in sorted(track.annotations, key=lambda a: a.time) if a.group == "harmony"]
    return result


def comparable(music: Music) -> Music:
    """Lyrics at one time come back in document order (voice by voice): sort them."""
    for track in music.tracks:
        track.lyrics.sort(key=lambda x: (x.time, x.lyric))
    return music


def full_piece() -> Music:
    """Every feature at once: three parts (one of drums), chords, a second voice, notes
    across barlines, a meter and key change, tempo changes inside measures, dynamics, lyrics,
    chord symbols and metadata."""
    r = 4
    piano = Track(program=0, name="Piano", notes=[
        Note(0, 60, 4, 80), Note(0, 64, 4, 80), Note(0, 67, 4, 70),  # chord, one softer tone
        Note(4, 72, 14, 90),                                           # tied over a barline
        Note(6, 48, 2, 90), Note(8, 50, 4, 90), Note(12, 52, 6),       # a second voice
        Note(18, 74, 0, 100), Note(18, 74, 6, 100),                    # grace note, then itself
        Note(30, 61, 3), Note(33, 63, 1), Note(34, 65, 2)],            # dotted and eighths
        lyrics=[Lyric(0, "Hal-"), Lyric(4, "le-"), Lyric(18, "lu")],
        annotations=[Annotation(0, {"root": "C", "kind": "major"}, "harmony"),
                     Annotation(6, {"root": "F#", "kind": "minor-seventh", "text": "m7",
                                    "bass": "E"}, "harmony")])
    violin = Track(program=40, name="Violin", notes=[Note(2, 76, 20, 64), Note(24, 79, 12, 30)])
    drums = Track(program=0, is_drum=True, name="Drums", notes=[
        Note(0, 36, 2, 100), Note(0, 42, 1, 70), Note(2, 38, 2, 100), Note(16, 49, 4, 120)])
    return Music(
        metadata=Metadata(title="Test piece", creators=["A. Composer", "B. Arranger"],
                          copyright="Public domain"),
        resolution=r,
        tempos=[Tempo(0, 96.5), Tempo(6, 120.0), Tempo(20, 60.25)],
        key_signatures=[KeySignature(0, 0, "major", 0), KeySignature(16, 9, "minor", -3)],
        time_signatures=[TimeSignature(0, 4, 4), TimeSignature(16, 6, 8)],
        tracks=[piano, violin, drums])


# --------------------------------------------------------------------- exact round trips


def test_full_piece_round_trips_exactly(tmp_path: Path) -> None:
    music = full_piece()
    back = round_trip(music, tmp_path / "piece.musicxml")
    assert comparable(back) == expected(music, "piece.musicxml")
    assert back.resolution == 4
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 96.5), (6, 120.0), (20, 60.25)]
    assert [(k.time, k.root, k.mode, k.fifths) for k in back.key_signatures] == [
        (0, 0, "major", 0), (16, 0, "minor", -3)]  # C minor: root follows fifths and mode
    assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [
        (0, 4, 4), (16, 6, 8)]
    assert [(t.name, t.program, t.is_drum) for t in back.tracks] == [
        ("Piano", 0, False), ("Violin", 40, False), ("Drums", 0, True)]
    assert rows(back.tracks[0])[3] == (4, 72, 14, 90)
    assert [(x.time, x.lyric) for x in back.tracks[0].lyrics] == [(0, "Hal-"), (4, "le-"),
                                                                  (18, "lu")]
    assert back.metadata.title == "Test piece"
    assert back.metadata.creators == ["A. Composer", "B. Arranger"]
    assert back.metadata.copyright == "Public domain"
    assert [b.time for b in back.barlines] == [0, 16, 28]  # a 4/4 bar, then 6/8 bars


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(music=score_musics())
def test_any_piece_round_trips_what_the_format_holds(music: Music) -> None:
    back = musicxml.from_bytes(musicxml.to_bytes(music))
    assert comparable(back) == expected(music, None)


def test_notes_across_barlines_are_split_and_tied() -> None:
    music = Music(resolution=2, tracks=[Track(notes=[Note(6, 62, 12)])])  # bars 1-3 of 4/4
    notes = document(music).findall("part/measure/note")
    pitched = [n for n in notes if n.find("pitch") is not None]
    assert [int(n.findtext("duration")) for n in pitched] == [2, 8, 2]
    assert [[t.get("type") for t in n.findall("tie")] for n in pitched] == [
        ["start"], ["stop", "start"], ["stop"]]
    assert [[t.get("type") for t in n.iter("tied")] for n in pitched] == [
        ["start"], ["stop", "start"], ["stop"]]
    assert rows(musicxml.from_bytes(musicxml.to_bytes(music)).tracks[0]) == [(6, 62, 12, 64)]


def test_chords_voices_and_repeated_pitches() -> None:
    music = Music(resolution=1, tracks=[Track(notes=[
        Note(0, 60, 2), Note(0, 64, 2), Note(0, 64, 2),  # a doubled E: the second in voice 2
        Note(1, 55, 3)])])                                # overlapping: voice 3
    measure = document(music).find("part/measure")
    assert measure is not None
    voices = [(n.findtext("voice"), n.find("chord") is not None, n.findtext("duration"))
              for n in measure.findall("note") if n.find("rest") is None]
    assert voices == [("1", False, "2"), ("1", True, "2"), ("2", False, "2"),
                      ("3", False, "3")]
    assert len(measure.findall("backup")) == 2
    assert rows(musicxml.from_bytes(musicxml.to_bytes(music)).tracks[0]) == [
        (0, 60, 2, 64), (0, 64, 2, 64), (0, 64, 2, 64), (1, 55, 3, 64)]


def test_measures_follow_meters_and_barlines() -> None:
    r = 2
    music = Music(resolution=r, time_signatures=[TimeSignature(0, 3, 4),
                                                 TimeSignature(7, 2, 4)],  # mid-measure
                  tracks=[Track(notes=[Note(0, 60, 12)])])
    assert measure_layout(music) == ([0, 6, 7, 11], 15)
    # Barlines (as read from a file with a pickup) are kept, then the meter takes over.
    pickup = Music(resolution=r, time_signatures=[TimeSignature(0, 4, 4)],
                   barlines=[Barline(0), Barline(2)], tracks=[Track(notes=[Note(0, 67, 20)])])
    assert measure_layout(pickup) == ([0, 2, 10, 18], 26)
    back = musicxml.from_bytes(musicxml.to_bytes(pickup))
    assert [b.time for b in back.barlines] == [0, 2, 10, 18]
    # No meter: 4/4. 3/8 at one tick per quarter: measures of 1 and 2 ticks alternately.
    assert measure_layout(Music(resolution=1, tracks=[Track(notes=[Note(0, 60, 9)])]))[0] \
        == [0, 4, 8]
    odd = Music(resolution=1, time_signatures=[TimeSignature(0, 3, 8)],
                tracks=[Track(notes=[Note(0, 60, 5)])])
    assert measure_layout(odd) == ([0, 1, 3, 4], 6)
    assert rows(musicxml.from_bytes(musicxml.to_bytes(odd)).tracks[0]) == [(0, 60, 5, 64)]


def test_types_dots_and_triplets_are_written_where_they_exist() -> None:
    music = Music(resolution=24, tracks=[Track(notes=[
        Note(0, 60, 24), Note(24, 60, 36), Note(60, 60, 8), Note(68, 60, 8), Note(76, 60, 8),
        Note(84, 60, 5)])])
    notes = [n for n in document(music).iter("note") if n.find("pitch") is not None]
    assert [(n.findtext("type"), len(n.findall("dot")),
             n.findtext("time-modification/actual-notes")) for n in notes] == [
        ("quarter", 0, None), ("quarter", 1, None), ("eighth", 0, "3"), ("eighth", 0, "3"),
        ("eighth", 0, "3"), (None, 0, None)]


def test_grace_notes_and_ties_do_not_mix() -> None:
    music = Music(resolution=2, tracks=[Track(notes=[
        Note(6, 64, 4),                 # tied over the barline at 8
        Note(8, 64, 0),                 # a grace of that pitch where the tie continues
        Note(9, 60, 0),                 # a grace inside the tied note's second piece
        Note(12, 62, 0), Note(12, 65, 0), Note(12, 62, 2)])])
    root = document(music)
    graces = [n for n in root.iter("note") if n.find("grace") is not None]
    assert len(graces) == 4
    assert all(n.find("duration") is None for n in graces)
    assert {n.findtext("voice") for n in graces} == {"1", "2"}  # two go to a voice of their own
    back = musicxml.from_bytes(musicxml.to_bytes(music))
    assert rows(back.tracks[0]) == sorted(rows(music.tracks[0]))


def test_velocities_round_trip_through_dynamics() -> None:
    music = Music(resolution=1, tracks=[Track(notes=[Note(i, 60, 1, i) for i in range(128)]),
                                        Track(notes=[Note(0, 60, 1, 64), Note(0, 67, 1, 20),
                                                     Note(1, 62, 1, 64)])])
    data = musicxml.to_bytes(music)
    back = musicxml.from_bytes(data)
    assert [v for *_, v in rows(back.tracks[0])] == list(range(128))
    assert rows(back.tracks[1]) == [(0, 60, 1, 64), (0, 67, 1, 20), (1, 62, 1, 64)]
    root = ET.fromstring(data)
    second = root.findall("part")[1]
    # Velocity 64 is the reader's default: nothing is written for it; the soft chord tone
    # carries its own dynamics attribute.
    assert second.find(".//sound") is None
    assert [n.get("dynamics") for n in second.iter("note") if n.find("pitch") is not None] \
        == [None, "22.22", None]
    assert len(root.findall("part")[0].findall(".//sound[@dynamics]")) == 128  # 64 -> 0 too


def test_drums_are_unpitched_on_channel_10_and_programs_are_one_based() -> None:
    music = full_piece()
    root = document(music)
    parts = root.findall("part-list/score-part")
    assert [p.findtext("midi-instrument/midi-channel") for p in parts] == ["1", "2", "10"]
    assert [p.findtext("midi-instrument/midi-program") for p in parts] == ["1", "41", "1"]
    assert [m.findtext("midi-unpitched") for m in parts[2].findall("midi-instrument")] == [
        "37", "39", "43", "50"]
    drum_notes = root.findall("part")[2].findall(".//note")
    assert {(n.find("unpitched") is not None, n.find("instrument").get("id"))  # type: ignore[union-attr]
            for n in drum_notes if n.find("rest") is None} == {
        (True, "P3-I37"), (True, "P3-I39"), (True, "P3-I43"), (True, "P3-I50")}
    many = Music(tracks=[Track(program=i % 128) for i in range(17)])
    channels = [p.findtext("midi-instrument/midi-channel")
                for p in document(many).findall("part-list/score-part")]
    assert channels == [str(c) for c in (*range(1, 10), *range(11, 17), 1, 2)]


def test_lyrics_syllables_and_a_lyric_inside_a_held_note() -> None:
    music = Music(resolution=1, tracks=[Track(
        notes=[Note(0, 60, 1), Note(1, 62, 6)],
        lyrics=[Lyric(0, "A-"), Lyric(1, "ve"), Lyric(3, "Ma-"), Lyric(5, "ri-a")])])
    root = document(music)
    syllables = [(x.findtext("syllabic"), x.findtext("text")) for x in root.iter("lyric")]
    assert syllables == [("begin", "A"), ("end", "ve"), ("begin", "Ma"), ("end", "ri-a")]
    back = musicxml.from_bytes(ET.tostring(root))
    # The held note is cut (and tied) where a lyric falls inside it; the reader merges it.
    assert rows(back.tracks[0]) == [(0, 60, 1, 64), (1, 62, 6, 64)]
    assert back.tracks[0].lyrics == music.tracks[0].lyrics


def test_harmony_symbols_and_texts_are_escaped() -> None:
    music = Music(metadata=Metadata(title=" <Tom & Jerry> \x07"), tracks=[Track(
        name='Voice "1"', notes=[Note(0, 60, 24)],
        lyrics=[Lyric(0, "a\r\nb\t<c>")],
        annotations=[Annotation(0, {"root": "Bb", "kind": "dominant", "text": "7\t"},
                                "harmony"),
                     Annotation(0, "not a chord symbol", "harmony"),
                     Annotation(0, "dropped", "text")])])
    back = musicxml.from_bytes(musicxml.to_bytes(music))
    assert back.metadata.title == "<Tom & Jerry>"
    assert back.tracks[0].name == 'Voice "1"'
    assert back.tracks[0].lyrics == [Lyric(0, "a\r\nb\t<c>")]
    assert back.tracks[0].annotations == [
        Annotation(0, {"root": "Bb", "kind": "dominant", "text": "7\t"}, "harmony")]


def test_what_the_format_cannot_hold_is_dropped() -> None:
    music = Music(lyrics=[Lyric(0, "global")], annotations=[Annotation(0, "marker", "marker")],
                  beats=[Beat(0)], tracks=[Track(
                      notes=[Note(0, 60, 24, 64)], chords=[Chord(0, [60, 64], 24)],
                      controls=[ControlChange(0, 64, 127)],
                      lyrics=[Lyric(24, "no note starts here")])])
    back = musicxml.from_bytes(musicxml.to_bytes(music))
    assert (back.lyrics, back.annotations, back.beats) == ([], [], [])
    track = back.tracks[0]
    assert (track.chords, track.controls, track.lyrics) == ([], [], [])
    assert rows(track) == [(0, 60, 24, 64)]
    # No track: no part to hold divisions or the tempo.
    assert musicxml.from_bytes(musicxml.to_bytes(Music(tempos=[Tempo(0, 90)]))) == Music(
        metadata=Metadata(source_format="musicxml"), resolution=1)


# ------------------------------------------------------------------------ files and .mxl


def test_compressed_mxl_layout_and_round_trip(tmp_path: Path) -> None:
    music = full_piece()
    path = tmp_path / "piece.mxl"
    musicxml.write_musicxml(music, path)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["mimetype", "META-INF/container.xml",
                                              "score.musicxml"]
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.recordare.musicxml"
        container = ET.fromstring(archive.read("META-INF/container.xml"))
        assert container.find("rootfiles/rootfile").get("full-path") == "score.musicxml"  # type: ignore[union-attr]
        assert archive.read("score.musicxml") == musicxml.to_bytes(music)
    assert comparable(orchestrion.read(path)) == expected(music, "piece.mxl")
    # compressed= overrides the extension either way; equal pieces give equal bytes.
    musicxml.write_musicxml(music, tmp_path / "plain.mxl", compressed=False)
    assert (tmp_path / "plain.mxl").read_bytes().startswith(b"<?xml")
    musicxml.write(music, tmp_path / "zipped.xml", compressed=True)
    assert (tmp_path / "zipped.xml").read_bytes() == path.read_bytes()


def test_written_file_is_utf8_musicxml_4(tmp_path: Path) -> None:
    path = tmp_path / "a.musicxml"
    orchestrion.write(Music(metadata=Metadata(title="Für Élise"),
                            tracks=[Track(notes=[Note(0, 60, 24)])]), path)
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    assert b"<!DOCTYPE score-partwise" in data
    assert "Für Élise".encode() in data
    assert ET.fromstring(data).get("version") == "4.0"


def test_write_errors_name_the_file_and_leave_nothing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    music = full_piece()
    missing = tmp_path / "no" / "such" / "folder" / "a.musicxml"
    with pytest.raises(FormatError, match="parent folder") as error:
        orchestrion.write(music, missing)
    assert str(missing) in str(error.value)
    target = tmp_path / "out.musicxml"
    target.write_bytes(b"old")
    bad = full_piece()
    bad.tracks[0].notes[0].pitch = 200  # invalid after construction
    with pytest.raises(FormatError, match="pitch") as error:
        orchestrion.write(bad, target)
    assert str(target) in str(error.value)
    with pytest.raises(FormatError):
        orchestrion.write(bad, tmp_path / "new.mxl")
    assert not (tmp_path / "new.mxl").exists()

    def failing_replace(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(FormatError, match="Permission denied"):
        orchestrion.write(music, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.musicxml"]  # no temporary left


# ------------------------------------------------------------------- other readers agree


def music21_rows(path: Path, starts: list[Fraction]) -> list[list[tuple[int, Fraction,
                                                                         Fraction]]]:
    """(pitch, onset, duration) in quarters of every part as music21 reads the file, tied
    notes merged here (music21's stripTies loses chains across voices): a tie goes on in
    its voice, else in any voice, into the next note of its pitch that starts where it ends.
    Notes are placed by their measure's number and offset in it, as music21 moves the
    measures after one longer than its time signature."""
    import music21

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(path, forceSource=True)
    parts = []
    for part in score.parts:
        events = []
        for measure in part.getElementsByClass("Measure"):
            for element in measure.recurse().notes:
                if isinstance(element, music21.harmony.ChordSymbol):
                    continue
                onset = starts[measure.number - 1] + Fraction(
                    element.getOffsetInHierarchy(measure)).limit_denominator(10_000)
                duration = Fraction(element.quarterLength).limit_denominator(10_000)
                site = element.activeSite
                voice = str(site.id) if isinstance(site, music21.stream.Voice) else ""
                for member in element.notes if element.isChord else [element]:
                    kind = member.tie.type if member.tie is not None else None
                    events.append((onset, voice, member.pitch.midi, duration,
                                   kind in ("start", "continue"), kind in ("stop", "continue")))
        events.sort(key=lambda event: event[0])
        merged: list[list] = []
        open_ties: dict[tuple[str, int], int] = {}
        for onset, voice, pitch, duration, holds, stops in events:
            keys = [(voice, pitch)] + [k for k in open_ties if k[1] == pitch and k[0] != voice]
            held = next((open_ties.pop(k) for k in keys if k in open_ties
                         and merged[open_ties[k]][1] + merged[open_ties[k]][2] == onset),
                        None) if stops else None
            if held is None:
                held = len(merged)
                merged.append([pitch, onset, duration])
            else:
                merged[held][2] += duration
            if holds:
                open_ties[(voice, pitch)] = held
        parts.append(sorted(map(tuple, merged)))
    return parts


def quarter_rows(music: Music) -> list[list[tuple[int, Fraction, Fraction]]]:
    r = music.resolution
    return [sorted((p, Fraction(t, r), Fraction(d, r)) for t, p, d, _ in rows(track))
            for track in music.tracks]


def without_drums(music: Music) -> Music:
    for track in music.tracks:
        track.is_drum = False  # music21 has no MIDI pitch for unpitched notes
    return music


def test_music21_reads_the_same_notes(tmp_path: Path) -> None:
    music = without_drums(full_piece())
    path = tmp_path / "piece.musicxml"
    musicxml.write_musicxml(music, path)
    starts = [Fraction(s, music.resolution) for s in measure_layout(music)[0]]
    assert music21_rows(path, starts) == quarter_rows(music)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(music=score_musics(max_tracks=2))
def test_music21_reads_the_same_notes_of_any_piece(music: Music) -> None:
    music = without_drums(music)
    data = musicxml.to_bytes(music)
    starts = [Fraction(s, music.resolution) for s in measure_layout(music)[0]]
    with tempfile.TemporaryDirectory() as folder:  # hypothesis reruns: no tmp_path fixture
        path = Path(folder) / "piece.musicxml"
        path.write_bytes(data)
        assert music21_rows(path, starts) == quarter_rows(music)


def test_muspy_reads_the_same_notes(tmp_path: Path, muspy: object) -> None:
    # MusPy takes <sound dynamics> as the velocity itself (not 0.9 times it) and counts a
    # grace note's <type> as its duration, so velocities and grace notes are left out.
    # MusPy ignores a direction's <offset>: keep the tempos where voice 1 has a note or rest.
    music = without_drums(full_piece())
    music.tempos = [Tempo(0, 96.5), Tempo(16, 72.0)]
    for track in music.tracks:
        track.notes = [note for note in track.notes if note.duration > 0]
    path = tmp_path / "piece.musicxml"
    musicxml.write_musicxml(music, path)
    theirs = muspy.read_musicxml(path)  # type: ignore[attr-defined]
    assert theirs.resolution == music.resolution
    assert [sorted((n.time, n.pitch, n.duration) for n in t.notes) for t in theirs.tracks] == [
        sorted(row[:3] for row in rows(track)) for track in music.tracks]
    assert [(t.time, t.qpm) for t in theirs.tempos] == [(t.time, t.qpm) for t in music.tempos]


def test_bach_chorale_from_the_music21_corpus_round_trips_and_others_agree(
        tmp_path: Path, muspy: object) -> None:
    from music21 import corpus

    source = Path(str(corpus.getWork("bach/bwv66.6")))
    music = musicxml.read_musicxml(source)
    path = tmp_path / "bwv66.6.mxl"
    musicxml.write_musicxml(music, path)
    back = musicxml.read_musicxml(path)
    assert back.metadata.source_filename == "bwv66.6.mxl"
    back.metadata.source_filename = music.metadata.source_filename
    assert back == music  # notes, lyrics, pickup measure, keys, meter, parts: all of it
    assert len(music.tracks) == 4
    assert music.barlines[1].time == music.resolution
    theirs = muspy.read_musicxml(path)  # type: ignore[attr-defined]
    assert [sorted((n.time, n.pitch, n.duration) for n in t.notes) for t in theirs.tracks] == [
        sorted(row[:3] for row in rows(track)) for track in music.tracks]
    starts = [Fraction(s, music.resolution) for s in measure_layout(music)[0]]
    assert music21_rows(path, starts) == quarter_rows(music)
