"""Bad MIDI input: every problem is a FormatError naming the file, and the reader survives
fuzzing (mutated valid files) without any other exception and without hanging."""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orchestrion as o
from orchestrion.io import midi


def header(file_type: int = 1, n_tracks: int = 1, division: int = 96) -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, file_type, n_tracks, division)


def chunk(body: bytes) -> bytes:
    return b"MTrk" + struct.pack(">I", len(body)) + body


NOTE = b"\x00\x90\x3c\x40\x10\x80\x3c\x00"
END = b"\x00\xff\x2f\x00"
VALID = header() + chunk(NOTE + END)


def valid_file() -> bytes:
    """A small file with most event kinds, written by orchestrion itself."""
    music = o.Music(
        metadata=o.Metadata(title="t", copyright="c"), resolution=96,
        tempos=[o.Tempo(0, 120), o.Tempo(96, 90)], time_signatures=[o.TimeSignature(0, 3, 4)],
        key_signatures=[o.KeySignature(0, 2, "major", 2)], lyrics=[o.Lyric(5, "la")],
        annotations=[o.Annotation(0, "x", "text"), o.Annotation(3, "m", "marker")],
        tracks=[o.Track(program=5, name="a", notes=[o.Note(0, 60, 10), o.Note(5, 64, 20, 100)],
                        controls=[o.ControlChange(2, 64, 127)], pitch_bends=[o.PitchBend(4, 9)]),
                o.Track(is_drum=True, notes=[o.Note(1, 36, 3)])])
    return midi.to_bytes(music)


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "empty file"),
    (b"RIFF\x00\x00\x00\x00", "not a MIDI file"),
    (b"MThd\x00\x00", "truncated MIDI header"),
    (header(2) + chunk(END), "type-2"),
    (header(3) + chunk(END), "unknown MIDI file type 3"),
    (header(division=0xE728) + chunk(END), "SMPTE"),
    (header(division=0) + chunk(END), "ticks per quarter note is 0"),
    (header(), "no track chunk"),
    (header() + b"MTrk\x00\x00\x10\x00" + NOTE, "truncated file"),
    (header() + chunk(b"\x00\x3c\x40" + END), "malformed MIDI data"),  # data without status
    (header() + chunk(b"\x81\x81\x81\x81\x01\x90\x3c\x40" + END), "malformed"),  # 5-byte delta
    (header() + chunk((b"\xff\xff\xff\x7f\xff\x01\x00") * 9 + NOTE + END), "absurd delta"),
    (header() + chunk(b"\xff\xff\xff\x7f\x90\x3c\x40" * 9 + b"\x00\x80\x3c\x00" + END),
     "absurd delta"),
])
def test_bad_bytes_raise_format_error_naming_the_file(tmp_path: Path, data: bytes,
                                                      problem: str) -> None:
    path = tmp_path / "bad.mid"
    path.write_bytes(data)
    with pytest.raises(o.FormatError, match=problem) as error:
        o.read(path)
    assert str(error.value).startswith(str(path))
    assert error.value.path == str(path)


def test_every_truncation_of_a_valid_file_is_handled() -> None:
    data = valid_file()
    messages = []
    for cut in range(len(data)):
        try:
            music = midi.from_bytes(data[:cut], path="cut.mid")
        except o.FormatError as error:
            messages.append(str(error))
            continue
        music.validate()
    assert len(messages) > len(data) // 2
    assert all(message.startswith("cut.mid: ") for message in messages)


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(o.FormatError, match="no such file"):
        o.read(tmp_path / "missing.mid")
    folder = tmp_path / "folder.mid"
    folder.mkdir()
    with pytest.raises(o.FormatError, match="is a directory"):
        o.read(folder)


def test_unknown_extension_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "song.xyz"
    path.write_bytes(VALID)
    with pytest.raises(o.FormatError, match="unknown file extension"):
        o.read(path)
    with pytest.raises(o.FormatError, match="unknown file extension"):
        o.write(o.Music(), tmp_path / "out.xyz")
    assert o.read(path, format="midi").n_notes == 1  # an explicit format overrides


def test_valid_minimal_file_reads() -> None:
    music = midi.from_bytes(VALID)
    assert music.n_notes == 1
    assert music.resolution == 96


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, byte) edits: 0 replace, 1 insert, 2 delete, 3 truncate."""
    buffer = bytearray(data)
    for kind, position, value in edits:
        if not buffer:
            break
        position %= len(buffer)
        if kind == 0:
            buffer[position] = value
        elif kind == 1:
            buffer.insert(position, value)
        elif kind == 2:
            del buffer[position]
        else:
            del buffer[position:]
    return bytes(buffer)


EDITS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 255)),
                 min_size=1, max_size=8)


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_fuzzed_files_raise_only_format_error(edits: list[tuple[int, int, int]]) -> None:
    data = mutate(valid_file(), edits)
    try:
        music = midi.from_bytes(data, path="fuzz.mid")
    except o.FormatError:
        return
    music.validate()  # whatever parses must be a valid piece
    assert midi.from_bytes(midi.to_bytes(music)) == music  # and must write back exactly


@settings(max_examples=300, deadline=2000)
@given(body=st.binary(max_size=200))
def test_random_track_bodies_raise_only_format_error(body: bytes) -> None:
    with contextlib.suppress(o.FormatError):
        midi.from_bytes(header() + chunk(body), path="random.mid")


@pytest.mark.slow
@settings(max_examples=4000, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_fuzzed_files_long_run(edits: list[tuple[int, int, int]]) -> None:
    test_fuzzed_files_raise_only_format_error.hypothesis.inner_test(edits)
