"""MIDI reading and writing: one-feature fixtures built here with mido, the writer's layout,
and exact round trips. Differential checks and fuzzing live in test_midi_oracles.py."""

from __future__ import annotations

import struct
from pathlib import Path

import mido
import numpy as np
import pytest

import orchestrion as o
from orchestrion.io import midi


def save(path: Path, *tracks: list, ticks_per_beat: int = 96, file_type: int = 1) -> Path:
    """Write a MIDI file of the given mido message lists (delta times in ``time``)."""
    mf = mido.MidiFile(type=file_type, ticks_per_beat=ticks_per_beat)
    for messages in tracks:
        mf.tracks.append(mido.MidiTrack(messages))
    mf.save(path)
    return path


def note(pitch: int, start_delta: int, duration: int, velocity: int = 80, channel: int = 0):
    return [mido.Message("note_on", note=pitch, velocity=velocity, time=start_delta,
                         channel=channel),
            mido.Message("note_off", note=pitch, velocity=0, time=duration, channel=channel)]


def meta(kind: str, time: int = 0, **fields) -> mido.MetaMessage:
    return mido.MetaMessage(kind, time=time, **fields)


def notes_of(track: o.Track) -> list[tuple[int, int, int, int]]:
    a = track.note_array()
    return list(zip(a.time.tolist(), a.pitch.tolist(), a.duration.tolist(),
                    a.velocity.tolist(), strict=True))


# ------------------------------------------------------------------------ one feature each


def test_resolution_and_notes(tmp_path: Path) -> None:
    path = save(tmp_path / "a.mid", [*note(60, 0, 48, 100), *note(64, 0, 24, 90)],
                ticks_per_beat=480)
    music = o.read(path)
    assert music.resolution == 480
    assert [notes_of(t) for t in music.tracks] == [[(0, 60, 48, 100), (48, 64, 24, 90)]]
    assert music.metadata.source_format == "midi"
    assert music.metadata.source_filename == "a.mid"


def test_tempos_time_and_key_signatures(tmp_path: Path) -> None:
    conductor = [meta("set_tempo", tempo=500000), meta("time_signature", numerator=6,
                 denominator=8), meta("key_signature", key="Bbm"),
                 meta("set_tempo", 96, tempo=400000), meta("key_signature", 0, key="F#"),
                 meta("time_signature", 0, numerator=3, denominator=4)]
    music = o.read(save(tmp_path / "a.mid", conductor, note(60, 0, 10)))
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 120.0), (96, 150.0)]
    assert [(s.time, s.numerator, s.denominator) for s in music.time_signatures] == [
        (0, 6, 8), (96, 3, 4)]
    assert [(k.time, k.root, k.mode, k.fifths) for k in music.key_signatures] == [
        (0, 10, "minor", -5), (96, 6, "major", 6)]


def test_text_events_title_copyright_markers_lyrics(tmp_path: Path) -> None:
    conductor = [meta("track_name", name="Song title"), meta("copyright", text="(c) 2026"),
                 meta("text", 12, text="dolce"), meta("marker", 12, text="Verse"),
                 meta("cue_marker", 0, text="enter")]  # delta times: 12, 24, 24
    melody = [meta("track_name", name="Voice"), *note(60, 0, 10), meta("lyrics", 0, text="la"),
              *note(62, 0, 10)]
    music = o.read(save(tmp_path / "a.mid", conductor, melody))
    assert music.metadata.title == "Song title"
    assert music.metadata.copyright == "(c) 2026"
    assert sorted((a.time, a.group, a.annotation) for a in music.annotations) == [
        (12, "text", "dolce"), (24, "cue", "enter"), (24, "marker", "Verse")]
    assert [(lyric.time, lyric.lyric) for lyric in music.lyrics] == [(10, "la")]
    assert [t.name for t in music.tracks] == ["Voice"]


def test_type0_title_is_the_track_name(tmp_path: Path) -> None:
    path = save(tmp_path / "a.mid", [meta("track_name", name="Solo"), *note(60, 0, 10)],
                file_type=0)
    music = o.read(path)
    assert music.metadata.title == "Solo"
    assert [t.name for t in music.tracks] == ["Solo"]


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    body = b"\x00\xff\x01\x05caf\xe9!" + b"\x00\x90\x3c\x40\x10\x80\x3c\x00\x00\xff\x2f\x00"
    data = (b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(body))
            + body)
    music = midi.from_bytes(data)
    assert [a.annotation for a in music.annotations] == ["café!"]


def test_programs_channels_and_drums(tmp_path: Path) -> None:
    messages = [mido.Message("program_change", program=40, channel=0),
                *note(60, 0, 10, channel=0),
                mido.Message("program_change", program=73, channel=0),  # mid-track change
                *note(62, 0, 10, channel=0),
                *note(36, 0, 5, channel=9), *note(50, 0, 5, channel=3)]
    music = o.read(save(tmp_path / "a.mid", [meta("track_name", name="Mixed"), *messages]))
    summary = sorted((t.program, t.is_drum, [n[1] for n in notes_of(t)]) for t in music.tracks)
    assert summary == [(0, False, [50]), (0, True, [36]), (40, False, [60]), (73, False, [62])]
    assert {t.name for t in music.tracks} == {"Mixed"}


def test_overlapping_same_pitch_notes_pair_first_in_first_out(tmp_path: Path) -> None:
    messages = [mido.Message("note_on", note=60, velocity=100, time=0),
                mido.Message("note_on", note=60, velocity=90, time=10),
                mido.Message("note_off", note=60, time=10),
                mido.Message("note_on", note=60, velocity=0, time=30)]  # velocity 0 = off
    music = o.read(save(tmp_path / "a.mid", messages))
    assert notes_of(music.tracks[0]) == [(0, 60, 20, 100), (10, 60, 40, 90)]


def test_sustain_pedal_controls_and_pitch_bend(tmp_path: Path) -> None:
    messages = [mido.Message("control_change", control=64, value=127),
                *note(60, 0, 10), mido.Message("control_change", control=64, value=0),
                mido.Message("control_change", control=7, value=100, time=2),
                mido.Message("pitchwheel", pitch=-200, time=3)]
    music = o.read(save(tmp_path / "a.mid", messages))
    track = music.tracks[0]
    assert [(c.time, c.number, c.value) for c in track.controls] == [
        (0, 64, 127), (10, 64, 0), (12, 7, 100)]
    assert [(b.time, b.value) for b in track.pitch_bends] == [(15, -200)]


def test_notes_come_out_sorted(tmp_path: Path) -> None:
    messages = [mido.Message("note_on", note=72, velocity=80),
                mido.Message("note_on", note=48, velocity=80),
                mido.Message("note_off", note=48, time=5),
                mido.Message("note_off", note=72, time=5)]
    music = o.read(save(tmp_path / "a.mid", messages))
    assert notes_of(music.tracks[0]) == [(0, 48, 5, 80), (0, 72, 10, 80)]


# ------------------------------------------------------------------------------ writer


def rich_music() -> o.Music:
    return o.Music(
        metadata=o.Metadata(title="Étude", copyright="public domain"),
        resolution=96,
        tempos=[o.Tempo(0, 100.0), o.Tempo(192, 75.0)],
        key_signatures=[o.KeySignature(0, 9, "minor", 0), o.KeySignature(384, 2, "major", 2)],
        time_signatures=[o.TimeSignature(0, 3, 4), o.TimeSignature(288, 7, 8)],
        lyrics=[o.Lyric(0, "A"), o.Lyric(96, "ve")],
        annotations=[o.Annotation(0, "Allegro", "text"), o.Annotation(96, "B", "marker"),
                     o.Annotation(100, "solo", "cue")],
        tracks=[
            o.Track(program=0, name="Piano", notes=[o.Note(0, 60, 96, 90), o.Note(96, 60, 96, 70),
                                                    o.Note(96, 64, 0, 50)],
                    controls=[o.ControlChange(0, 64, 127), o.ControlChange(96, 64, 0)],
                    pitch_bends=[o.PitchBend(50, 8191), o.PitchBend(60, -8192)]),
            o.Track(program=118, is_drum=True, name="Kit", notes=[o.Note(0, 36, 10, 127)]),
            o.Track(program=40, name="Violin", notes=[o.Note(10, 76, 500, 1)]),
        ],
    )


def test_writer_layout_conductor_channels_and_order(tmp_path: Path) -> None:
    path = tmp_path / "out.mid"
    o.write(rich_music(), path)
    mf = mido.MidiFile(path)
    assert (mf.type, mf.ticks_per_beat, len(mf.tracks)) == (1, 96, 4)
    conductor = [m for m in mf.tracks[0] if m.type != "end_of_track"]
    # Text is written as UTF-8; mido decodes meta text as Latin-1.
    assert conductor[0].type == "track_name"
    assert conductor[0].name.encode("latin-1").decode("utf-8") == "Étude"
    assert {m.type for m in conductor} == {"track_name", "copyright", "time_signature",
                                           "key_signature", "set_tempo", "text", "marker",
                                           "cue_marker", "lyrics"}
    channels = [{m.channel for m in t if not m.is_meta} for t in mf.tracks[1:]]
    assert channels == [{0}, {9}, {1}]
    piano = [m for m in mf.tracks[1] if m.type in ("note_on", "note_off")]
    # At tick 96: the first C's off precedes the second C's on; the zero-length E's off
    # follows its own on.
    ticks, sequence = 0, []
    for m in mf.tracks[1]:
        ticks += m.time
        if m.type in ("note_on", "note_off"):
            sequence.append((ticks, m.type, m.note))
    assert sequence == [(0, "note_on", 60), (96, "note_off", 60), (96, "note_on", 60),
                        (96, "note_on", 64), (96, "note_off", 64), (192, "note_off", 60)]
    assert len(piano) == 6


def test_round_trip_music_midi_music_is_exact(tmp_path: Path) -> None:
    music = rich_music()
    path = tmp_path / "out.mid"
    o.write(music, path)
    back = o.read(path)
    back.metadata.source_filename = back.metadata.source_format = None
    # Reading files lyrics under Music.lyrics and orders events by time; qpm 100 and 75 are
    # exact in microseconds per quarter.
    assert back == music


def test_midi_music_midi_bytes_are_stable(tmp_path: Path, corpus_midi: list[Path]) -> None:
    for path in corpus_midi:
        first = o.read(path)
        data = midi.to_bytes(first)
        second = midi.from_bytes(data)
        second.metadata.source_filename = first.metadata.source_filename
        assert second == first, path.name
        assert midi.to_bytes(second) == data


def test_velocity_zero_is_written_as_one(tmp_path: Path) -> None:
    music = o.Music(tracks=[o.Track(notes=[o.Note(0, 60, 10, 0)])])
    back = midi.from_bytes(midi.to_bytes(music))
    assert notes_of(back.tracks[0]) == [(0, 60, 10, 1)]


def test_many_tracks_cycle_channels_skipping_drums() -> None:
    music = o.Music(tracks=[o.Track(program=i, notes=[o.Note(0, 60, 1)]) for i in range(17)])
    mf = mido.MidiFile(file=__import__("io").BytesIO(midi.to_bytes(music)))
    channels = [next(m.channel for m in t if not m.is_meta) for t in mf.tracks[1:]]
    assert channels == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 0, 1]


@pytest.mark.parametrize(("music", "problem"), [
    (o.Music(time_signatures=[o.TimeSignature(0, 3, 5)]), "power of 2"),
    (o.Music(tempos=[o.Tempo(0, 1.0)]), "tempo"),
    (o.Music(resolution=40000), "resolution"),
    (o.Music(tracks=[o.Track(notes=[o.Note(2**29, 60, 1)])]), "exceeds MIDI's limit"),
])
def test_unwritable_music_raises_and_leaves_no_file(tmp_path: Path, music: o.Music,
                                                    problem: str) -> None:
    target = tmp_path / "out.mid"
    with pytest.raises(o.FormatError, match=problem) as error:
        o.write(music, target)
    assert "out.mid" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.mid"
    target.write_bytes(b"old")
    with pytest.raises(o.FormatError):
        o.write(o.Music(tempos=[o.Tempo(0, 1.0)]), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mid"]


def test_large_file_round_trip_keeps_every_note() -> None:
    rng = np.random.default_rng(7)
    tracks = []
    for index in range(8):
        n = 4000
        # One note per (track, pitch) slot at a time: no nested same-pitch notes, which MIDI
        # cannot tell apart.
        pitch = rng.integers(0, 128, n)
        start = np.sort(rng.integers(0, 10**6, n))
        tracks.append(o.Track.from_arrays(start, pitch, rng.integers(0, 50, n),
                                          rng.integers(1, 128, n), program=index,
                                          is_drum=index == 5))
    music = o.Music(resolution=480, tracks=tracks).sort().remove_duplicate()
    for track in music.tracks:  # drop same-pitch overlaps so the round trip is defined
        a = track.note_array()
        order = np.lexsort((a.time, a.pitch))
        keep = np.ones(len(a), bool)
        same = a.pitch[order][1:] == a.pitch[order][:-1]
        overlaps = a.time[order][1:] < a.end[order][:-1]
        keep[order[1:][same & overlaps]] = False
        track.set_note_array(a.take(keep))
    back = midi.from_bytes(midi.to_bytes(music))
    back.metadata = music.metadata
    assert back == music
