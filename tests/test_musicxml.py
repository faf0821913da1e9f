"""MusicXML reading: one-feature fixtures built here, each with exact expected values."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import orchestrion
from orchestrion import FormatError, Music
from orchestrion.io.musicxml import from_bytes

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DOCTYPE = (b'<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
           b'"http://www.musicxml.org/dtds/partwise.dtd">\n')


def note(step: str = "C", octave: int = 4, duration: int = 1, *, alter: int = 0,
         extra: str = "", inside: str = "") -> str:
    alter_xml = f"<alter>{alter}</alter>" if alter else ""
    return (f"<note {extra}>{inside}<pitch><step>{step}</step>{alter_xml}<octave>{octave}"
            f"</octave></pitch><duration>{duration}</duration></note>")


def rest(duration: int = 1) -> str:
    return f"<note><rest/><duration>{duration}</duration></note>"


def score(*measures: str, divisions: int = 1, part_list: str = "", more_parts: str = "",
          attributes: str = "") -> bytes:
    """A one-part partwise score; ``measures`` are the inner XML of each measure."""
    part_list = part_list or '<score-part id="P1"><part-name>Flute</part-name></score-part>'
    body = "".join(
        f'<measure number="{i + 1}">'
        + (f"<attributes><divisions>{divisions}</divisions>{attributes}</attributes>"
           if i == 0 else "")
        + content + "</measure>"
        for i, content in enumerate(measures))
    xml = (f'<score-partwise version="4.0"><part-list>{part_list}</part-list>'
           f'<part id="P1">{body}</part>{more_parts}</score-partwise>')
    return HEAD + DOCTYPE + xml.encode()


def rows(music: Music, track: int = 0) -> list[tuple[int, int, int, int]]:
    notes = music.tracks[track].note_array()
    return list(zip(notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist(),
                    notes.velocity.tolist(), strict=True))


def test_pitches_durations_and_rests() -> None:
    music = from_bytes(score(note("C", 4, 2) + rest(1) + note("F", 5, 1, alter=1)))
    assert music.resolution == 1
    assert rows(music) == [(0, 60, 2, 64), (3, 78, 1, 64)]
    assert music.tracks[0].name == "Flute"


def test_resolution_is_the_lcm_of_all_divisions() -> None:
    data = score(note("C", 4, 2), note("D", 4, 3) + "<attributes><divisions>3</divisions>"
                 "</attributes>" + note("E", 4, 1), divisions=2)
    music = from_bytes(data)
    assert music.resolution == 6
    # measure 1: C = 2/2 quarter = 6 ticks; measure 2: D = 3/2 quarters = 9 ticks, then
    # divisions become 3: E = 1/3 quarter = 2 ticks.
    assert rows(music) == [(0, 60, 6, 64), (6, 62, 9, 64), (15, 64, 2, 64)]


def test_chords_take_the_first_notes_onset_and_duration() -> None:
    data = score(note("C", 4, 2) + note("E", 4, 1, inside="<chord/>")
                 + note("G", 4, 2, inside="<chord/>") + note("D", 5, 1))
    assert rows(from_bytes(data)) == [(0, 60, 2, 64), (0, 64, 2, 64), (0, 67, 2, 64),
                                      (2, 74, 1, 64)]


def test_backup_and_forward_place_voices() -> None:
    data = score(note("C", 5, 4) + "<backup><duration>4</duration></backup>"
                 + "<forward><duration>1</duration></forward>" + note("C", 3, 3), note("D", 5))
    # The measure lasts 4 quarters: the second measure starts at 4.
    assert rows(from_bytes(data)) == [(0, 72, 4, 64), (1, 48, 3, 64), (4, 74, 1, 64)]


def test_measure_length_is_what_the_notes_fill_so_pickups_stay_short() -> None:
    data = score(note("G", 4, 1), note("C", 5, 4), note("E", 5, 1))
    assert [t for t, *_ in rows(from_bytes(data))] == [0, 1, 5]


def test_ties_merge_across_barlines_and_chords() -> None:
    start = '<tie type="start"/>'
    stop = '<tie type="stop"/>'
    data = score(note("C", 4, 2) + note("A", 4, 2, inside=start),
                 note("A", 4, 1, inside=stop + start) + note("E", 4, 1, inside="<chord/>")
                 + note("B", 4, 1),
                 note("A", 4, 3, inside=stop))
    # The A is held from tick 2 through the next measure (2 + 1 ticks) but the third
    # measure's tied A starts at 6, after the B: a tie can only continue at the note's end.
    assert rows(from_bytes(data)) == [(0, 60, 2, 64), (2, 69, 3, 64), (4, 64, 1, 64),
                                      (5, 71, 1, 64), (6, 69, 3, 64)]


def test_transpose_gives_sounding_pitch() -> None:
    data = score(note("D", 4, 1), attributes="<transpose><diatonic>-1</diatonic>"
                 "<chromatic>-2</chromatic><octave-change>-1</octave-change></transpose>")
    assert rows(from_bytes(data)) == [(0, 62 - 2 - 12, 1, 64)]


def test_grace_notes_with_or_without_type_have_no_duration_and_cues_are_skipped() -> None:
    grace = ('<note><grace/><pitch><step>D</step><octave>4</octave></pitch>'
             '<type>eighth</type></note>')
    grace_untyped = ('<note><grace slash="yes"/><pitch><step>E</step><octave>4</octave>'
                     '</pitch></note>')
    cue = ('<note><cue/><pitch><step>G</step><octave>4</octave></pitch><duration>1</duration>'
           '</note>')
    data = score(grace + grace_untyped + note("C", 4, 1) + cue + note("F", 4, 1))
    assert rows(from_bytes(data)) == [(0, 60, 1, 64), (0, 62, 0, 64), (0, 64, 0, 64),
                                      (2, 65, 1, 64)]


def test_a_grace_note_tied_to_its_main_note_stays_and_cue_size_notes_play() -> None:
    # Seen in Haydn op. 74/1: a <tied> drawn from a grace note to the main note; and in
    # Beethoven op. 59/1: a played note drawn cue-size (<type size="cue">, not <cue/>).
    grace = ('<note><grace/><pitch><step>G</step><octave>4</octave></pitch>'
             '<notations><tied type="start"/></notations></note>')
    cue_size = ('<note><pitch><step>A</step><octave>4</octave></pitch><duration>1</duration>'
                '<type size="cue">quarter</type></note>')
    data = score(grace + note("G", 4, 1, inside="") + cue_size)
    assert rows(from_bytes(data)) == [(0, 67, 0, 64), (0, 67, 1, 64), (1, 69, 1, 64)]


def test_unpitched_notes_use_their_instrument_attribute_and_channel_10_is_drums() -> None:
    part_list = ('<score-part id="P1"><part-name>Drums</part-name>'
                 '<score-instrument id="P1-I36"><instrument-name>Kick</instrument-name>'
                 '</score-instrument><score-instrument id="P1-I39"><instrument-name>Snare'
                 '</instrument-name></score-instrument>'
                 '<midi-instrument id="P1-I36"><midi-channel>10</midi-channel>'
                 '<midi-program>1</midi-program><midi-unpitched>36</midi-unpitched>'
                 '</midi-instrument><midi-instrument id="P1-I39"><midi-channel>10'
                 '</midi-channel><midi-unpitched>39</midi-unpitched></midi-instrument>'
                 '</score-part>')

    def hit(instrument: str, step: str) -> str:
        return (f"<note><unpitched><display-step>{step}</display-step><display-octave>4"
                f"</display-octave></unpitched><duration>1</duration>"
                f'<instrument id="{instrument}"/></note>')

    plain = ("<note><unpitched><display-step>G</display-step><display-octave>5"
             "</display-octave></unpitched><duration>1</duration></note>")
    music = from_bytes(score(hit("P1-I36", "F") + hit("P1-I39", "C") + plain,
                             part_list=part_list))
    assert music.tracks[0].is_drum
    assert rows(music) == [(0, 35, 1, 64), (1, 38, 1, 64), (2, 79, 1, 64)]


def test_dynamics_set_velocity() -> None:
    data = score(note("C", 4, 1)
                 + '<direction><direction-type><dynamics><pp/></dynamics></direction-type>'
                   '</direction>' + note("D", 4, 1)
                 + '<direction><direction-type><dynamics><f/></dynamics></direction-type>'
                   '<sound dynamics="100"/></direction>' + note("E", 4, 1)
                 + note("F", 4, 1, extra='dynamics="50"'))
    assert [v for *_, v in rows(from_bytes(data))] == [64, 36, 90, 45]


def test_tempo_from_sound_and_metronome() -> None:
    metronome = ('<direction><direction-type><metronome><beat-unit>quarter</beat-unit>'
                 '<beat-unit-dot/><per-minute>60</per-minute></metronome></direction-type>'
                 '</direction>')
    both = ('<direction><direction-type><metronome><beat-unit>half</beat-unit>'
            '<per-minute>30</per-minute></metronome></direction-type><sound tempo="72"/>'
            '</direction>')
    music = from_bytes(score('<sound tempo="100"/>' + note("C", 4, 2) + metronome
                             + note("D", 4, 1) + both + note("E", 4, 1)))
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 100.0), (2, 90.0), (3, 72.0)]


def test_key_and_compound_time_signatures() -> None:
    attributes = ("<key><fifths>-3</fifths><mode>minor</mode></key>"
                  "<time><beats>3+2</beats><beat-type>8</beat-type></time>")
    change = ("<attributes><key><fifths>2</fifths><mode>dorian</mode></key><time><beats>3"
              "</beats><beat-type>8</beat-type><beats>2</beats><beat-type>4</beat-type>"
              "</time></attributes>")
    music = from_bytes(score(note("C", 4, 5), change + note("C", 4, 7), divisions=2,
                             attributes=attributes))
    assert [(k.time, k.root, k.mode, k.fifths) for k in music.key_signatures] == [
        (0, 0, "minor", -3), (5, 4, "dorian", 2)]  # C minor; E dorian
    assert [(t.time, t.numerator, t.denominator) for t in music.time_signatures] == [
        (0, 5, 8), (5, 7, 8)]


def test_lyrics_with_syllables_title_and_creators() -> None:
    def sung(text: str, syllabic: str) -> str:
        return note("C", 4, 1, inside="", extra="").replace(
            "</note>", f"<lyric number='1'><syllabic>{syllabic}</syllabic><text>{text}"
                       "</text></lyric><lyric number='2'><text>x</text></lyric></note>")

    data = score(sung("Hal", "begin") + sung("le", "middle") + sung("lu", "end")).replace(
        b"<part-list>", b"<work><work-title>Messiah</work-title></work><identification>"
                        b'<creator type="composer">Handel</creator></identification>'
                        b"<part-list>")
    music = from_bytes(data)
    assert [(x.time, x.lyric) for x in music.tracks[0].lyrics] == [(0, "Hal-"), (1, "le-"),
                                                                  (2, "lu")]
    assert (music.metadata.title, music.metadata.creators) == ("Messiah", ["Handel"])


def test_part_names_programs_and_harmony() -> None:
    part_list = ('<score-part id="P1"><part-name>Violin</part-name><midi-instrument id="I1">'
                 '<midi-channel>1</midi-channel><midi-program>41</midi-program>'
                 '</midi-instrument></score-part>')
    harmony = ('<harmony><root><root-step>F</root-step><root-alter>1</root-alter></root>'
               '<kind text="m7">minor-seventh</kind><bass><bass-step>E</bass-step></bass>'
               '</harmony>')
    music = from_bytes(score(note("C", 4, 1) + harmony + note("D", 4, 1), part_list=part_list))
    track = music.tracks[0]
    assert (track.name, track.program, track.is_drum) == ("Violin", 40, False)
    assert [(a.time, a.annotation, a.group) for a in track.annotations] == [
        (1, {"root": "F#", "kind": "minor-seventh", "text": "m7", "bass": "E"}, "harmony")]


def test_timewise_equals_partwise() -> None:
    partwise = (b'<score-partwise><part-list><score-part id="P1"/><score-part id="P2"/>'
                b'</part-list><part id="P1"><measure number="1"><attributes><divisions>1'
                b'</divisions></attributes>' + note("C", 4, 2).encode()
                + b'</measure><measure number="2">' + note("D", 4, 1).encode()
                + b'</measure></part><part id="P2"><measure number="1"><attributes>'
                b'<divisions>1</divisions></attributes>' + note("E", 3, 2).encode()
                + b'</measure><measure number="2">' + note("F", 3, 1).encode()
                + b'</measure></part></score-partwise>')
    timewise = (b'<score-timewise><part-list><score-part id="P1"/><score-part id="P2"/>'
                b'</part-list><measure number="1"><part id="P1"><attributes><divisions>1'
                b'</divisions></attributes>' + note("C", 4, 2).encode() + b'</part>'
                b'<part id="P2"><attributes><divisions>1</divisions></attributes>'
                + note("E", 3, 2).encode() + b'</part></measure><measure number="2">'
                b'<part id="P1">' + note("D", 4, 1).encode() + b'</part><part id="P2">'
                + note("F", 3, 1).encode() + b'</part></measure></score-timewise>')
    a, b = from_bytes(partwise), from_bytes(timewise)
    assert [rows(a, i) for i in range(2)] == [rows(b, i) for i in range(2)]
    assert rows(a, 1) == [(0, 52, 2, 64), (2, 53, 1, 64)]


def _barline(location: str, inner: str) -> str:
    return f'<barline location="{location}">{inner}</barline>'


def test_repeats_and_endings_expand_and_can_stay_written() -> None:
    forward = _barline("left", '<repeat direction="forward"/>')
    first = _barline("left", '<ending number="1" type="start"/>')
    first_end = _barline("right", '<ending number="1" type="stop"/>'
                         '<repeat direction="backward"/>')
    second = _barline("left", '<ending number="" type="start"/>')  # empty number: ending 2
    second_end = _barline("right", '<ending number="" type="discontinue"/>')
    data = score(note("C", 4), forward + note("D", 4), first + note("E", 4) + first_end,
                 second + note("F", 4) + second_end, note("G", 4))
    expanded = [p for _, p, _, _ in rows(from_bytes(data))]
    assert expanded == [60, 62, 64, 62, 65, 67]
    written = from_bytes(data, expand_repeats=False)
    assert [(t, p) for t, p, _, _ in rows(written)] == [(0, 60), (1, 62), (2, 64), (3, 65),
                                                        (4, 67)]


def test_da_capo_al_fine() -> None:
    data = score(note("C", 4), note("D", 4) + '<direction><direction-type><words>Fine'
                 '</words></direction-type><sound fine="yes"/></direction>',
                 note("E", 4) + '<sound dacapo="yes"/>')
    assert [p for _, p, _, _ in rows(from_bytes(data))] == [60, 62, 64, 60, 62]


def test_compressed_mxl_and_registry(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml",
                         '<container><rootfiles><rootfile full-path="score/piece.xml"/>'
                         '</rootfiles></container>')
        archive.writestr("score/piece.xml", score(note("A", 4, 1)))
    path = tmp_path / "piece.mxl"
    path.write_bytes(buffer.getvalue())
    music = orchestrion.read(path)
    assert rows(music) == [(0, 69, 1, 64)]
    assert (music.metadata.source_filename, music.metadata.source_format) == (
        "piece.mxl", "musicxml")
    (tmp_path / "piece.musicxml").write_bytes(score(note("A", 4, 1)))
    assert rows(orchestrion.read(tmp_path / "piece.musicxml")) == rows(music)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"\x00\x01garbage", "XML"),
    (b"<score-partwise><part-list>", "malformed XML"),
    (b"<html><body/></html>", "not a MusicXML score (root element <html>)"),
    (b"PK\x03\x04truncated zip", "zip"),
])
def test_bad_files_raise_format_error_naming_the_file(tmp_path: Path, data: bytes,
                                                      message: str) -> None:
    path = tmp_path / "bad.musicxml"
    path.write_bytes(data)
    with pytest.raises(FormatError) as caught:
        orchestrion.read(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message.lower() in str(caught.value).lower()


def test_parts_keep_their_own_measure_lengths_and_barlines_follow_the_first() -> None:
    # Part 1 in 2/4 (measures of 2 quarters), part 2 in 4/4 (4 quarters): polymetric.
    def part(part_id: str, *contents: str) -> str:
        return (f'<part id="{part_id}">' + "".join(
            f'<measure number="{i + 1}">'
            + ("<attributes><divisions>1</divisions></attributes>" if i == 0 else "")
            + content + "</measure>" for i, content in enumerate(contents)) + "</part>")

    data = (b'<score-partwise><part-list><score-part id="P1"/><score-part id="P2"/>'
            b'</part-list>' + part("P1", note("C", 5, 2), note("D", 5, 2)).encode()
            + part("P2", note("C", 3, 4), note("D", 3, 4)).encode() + b"</score-partwise>")
    music = from_bytes(data)
    assert [t for t, *_ in rows(music, 0)] == [0, 2]
    assert [t for t, *_ in rows(music, 1)] == [0, 4]
    assert [b.time for b in music.barlines] == [0, 2]


def test_ties_prefer_the_notes_own_voice_then_any_voice() -> None:
    start, stop = '<tie type="start"/>', '<tie type="stop"/>'
    voice = "<voice>{}</voice>"
    measure_1 = (note("E", 4, 2, inside=voice.format(1)) + "<backup><duration>2</duration>"
                 "</backup>" + note("E", 4, 2, inside=start + voice.format(2)))
    # Voice 1's E at the barline is a new note; voice 2's tied E continues the tie.
    measure_2 = (note("E", 4, 1, inside=voice.format(1)) + "<backup><duration>1</duration>"
                 "</backup>" + note("E", 4, 1, inside=stop + voice.format(2)))
    assert rows(from_bytes(score(measure_1, measure_2))) == [
        (0, 64, 2, 64), (0, 64, 3, 64), (2, 64, 1, 64)]
    # A tie whose voice is renumbered in the next measure (no stop, other voice) still holds.
    renumbered = note("E", 4, 1, inside=voice.format(3))
    assert rows(from_bytes(score(note("E", 4, 2, inside=start + voice.format(1)),
                                 renumbered))) == [(0, 64, 3, 64)]
    # Seen in Beethoven op. 59/3: the renumbered note ties on, in its new voice, to a note
    # written after another voice's notes; the chain runs on to the end.
    measure_2 = (note("C", 3, 3, inside=voice.format(1)) + "<backup><duration>3</duration>"
                 "</backup>" + note("B", 3, 1, alter=-1, inside=start + voice.format(2))
                 + note("B", 3, 1, alter=-1, inside=stop + voice.format(2))
                 + note("G", 3, 1, inside=voice.format(2)))
    measure_1 = note("C", 4, 2) + note("B", 3, 2, alter=-1, inside=start + voice.format(1))
    assert rows(from_bytes(score(measure_1, measure_2))) == [
        (0, 60, 2, 64), (2, 58, 4, 64), (4, 48, 3, 64), (6, 55, 1, 64)]


def test_external_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    hostile = (f'<?xml version="1.0"?><!DOCTYPE score-partwise [<!ENTITY x SYSTEM '
               f'"file://{secret}">]><score-partwise><work><work-title>&x;</work-title></work>'
               f"</score-partwise>").encode()
    path = tmp_path / "hostile.musicxml"
    path.write_bytes(hostile)
    with pytest.raises(FormatError, match="entity") as caught:
        orchestrion.read(path)
    assert "TOP SECRET" not in str(caught.value)
