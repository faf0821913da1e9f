"""JSON and YAML: exact layout, exact round trips, MusPy compatibility both ways, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orchestrion
from orchestrion import (
    Annotation,
    Chord,
    ControlChange,
    FormatError,
    KeySignature,
    Metadata,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.io.jsonio import from_dict, read_json, read_yaml, to_dict, write_json
from strategies import musics

EXTENSIONS = ("json", "json.gz", "yaml", "yml", "yaml.gz", "yml.gz")


def small_piece() -> Music:
    return Music(
        metadata=Metadata(title="Für Elise", creators=["L. v. Beethoven"]),
        resolution=12,
        tempos=[Tempo(0, 100)],
        key_signatures=[KeySignature(0, root=9, mode="minor", fifths=0)],
        time_signatures=[TimeSignature(0, 3, 8)],
        annotations=[Annotation(6, {"dynamics": ["pp", 1]}, "text")],
        tracks=[
            Track(program=0, name="Piano", notes=[Note(0, 76, 3, 80), Note(3, 75, 3)],
                  chords=[Chord(6, [57, 64], 6)], controls=[ControlChange(0, 64, 127)],
                  pitch_bends=[PitchBend(2, -100)]),
            Track.from_arrays([0, 6], [36, 42], [1, 1], 100, is_drum=True),
        ],
    )


EXPECTED_DICT = {
    "metadata": {"schema_version": "0.2", "title": "Für Elise",
                 "creators": ["L. v. Beethoven"]},
    "resolution": 12,
    "tempos": [{"time": 0, "qpm": 100.0}],
    "key_signatures": [{"time": 0, "root": 9, "mode": "minor", "fifths": 0}],
    "time_signatures": [{"time": 0, "numerator": 3, "denominator": 8}],
    "annotations": [{"time": 6, "annotation": {"dynamics": ["pp", 1]}, "group": "text"}],
    "tracks": [
        {"program": 0, "is_drum": False, "name": "Piano",
         "notes": [{"time": 0, "pitch": 76, "duration": 3, "velocity": 80},
                   {"time": 3, "pitch": 75, "duration": 3, "velocity": 64}],
         "chords": [{"time": 6, "pitches": [57, 64], "duration": 6, "velocity": 64}],
         "controls": [{"time": 0, "number": 64, "value": 127}],
         "pitch_bends": [{"time": 2, "value": -100}]},
        {"program": 0, "is_drum": True,
         "notes": [{"time": 0, "pitch": 36, "duration": 1, "velocity": 100},
                   {"time": 6, "pitch": 42, "duration": 1, "velocity": 100}]},
    ],
}


def test_to_dict_is_musps_layout_with_keys_in_field_order() -> None:
    data = to_dict(small_piece())
    assert data == EXPECTED_DICT
    assert list(data) == list(EXPECTED_DICT)  # order too, as MusPy writes it
    assert list(data["tracks"][0]) == list(EXPECTED_DICT["tracks"][0])


def test_from_dict_inverts_to_dict() -> None:
    assert from_dict(EXPECTED_DICT) == small_piece()


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_round_trip_is_exact(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"piece.{extension}"
    orchestrion.write(small_piece(), path)
    assert orchestrion.read(path) == small_piece()
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == extension.endswith(".gz")


def test_json_file_text_is_utf8_and_compact(tmp_path: Path) -> None:
    path = tmp_path / "piece.json"
    orchestrion.write(small_piece(), path)
    text = path.read_text(encoding="utf-8")
    assert '"title":"Für Elise"' in text  # not \u00fc-escaped
    assert json.loads(text) == EXPECTED_DICT
    write_json(small_piece(), path, indent=2)
    assert path.read_text(encoding="utf-8").startswith('{\n  "metadata": {')


def test_yaml_writes_one_line_per_note(tmp_path: Path) -> None:
    path = tmp_path / "piece.yaml"
    orchestrion.write(small_piece(), path)
    assert "- {time: 0, pitch: 76, duration: 3, velocity: 80}\n" in path.read_text("utf-8")


def test_gzip_output_is_reproducible_and_sniffed_on_read(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    orchestrion.write(small_piece(), first)
    orchestrion.write(small_piece(), second)
    assert first.read_bytes() == second.read_bytes()  # no timestamp in the header
    renamed = tmp_path / "plain-name.json"
    renamed.write_bytes(first.read_bytes())
    assert read_json(renamed) == small_piece()


def test_pitch_str_and_integral_floats_and_default_velocity() -> None:
    data = {"tracks": [{"program": 1, "is_drum": False, "notes": [
        {"time": 0.0, "pitch": 60, "duration": 2, "pitch_str": "C4"},
        {"time": 2, "pitch": 62.0, "duration": 2.0, "velocity": 90},
    ]}]}
    music = from_dict(data)
    assert music.resolution == 24
    assert music.metadata.schema_version == "0.2"
    notes = music.tracks[0].notes
    assert [(n.time, n.pitch, n.duration, n.velocity, n.pitch_str) for n in notes] == [
        (0, 60, 2, 64, "C4"), (2, 62, 2, 90, None)]
    assert to_dict(music)["tracks"][0]["notes"][0] == {
        "time": 0, "pitch": 60, "duration": 2, "velocity": 64, "pitch_str": "C4"}
    # Without pitch_str the notes stay arrays, floats included.
    del data["tracks"][0]["notes"][0]["pitch_str"]
    track = from_dict(data).tracks[0]
    assert track.note_array().pitch.tolist() == [60, 62]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=musics(), extension=st.sampled_from(EXTENSIONS))
def test_any_piece_round_trips_exactly(tmp_path_factory: pytest.TempPathFactory,
                                       music: Music, extension: str) -> None:
    path = tmp_path_factory.mktemp("hyp") / f"piece.{extension}"
    orchestrion.write(music, path)
    assert orchestrion.read(path) == music


# ------------------------------------------------------------------ MusPy compatibility


def _without_orchestrion_extras(data: dict) -> dict:
    """``data`` as MusPy's model holds it: no control changes or pitch bends."""
    data = json.loads(json.dumps(data))
    for track in data.get("tracks", []):
        track.pop("controls", None)
        track.pop("pitch_bends", None)
    return data


@pytest.mark.parametrize("extension", ["json", "json.gz", "yaml", "yaml.gz"])
def test_muspy_loads_what_orchestrion_writes(tmp_path: Path, extension: str) -> None:
    muspy = pytest.importorskip("muspy")
    path = tmp_path / f"piece.{extension}"
    orchestrion.write(small_piece(), path)
    loaded = muspy.load(path)
    assert dict(json.loads(json.dumps(loaded.to_ordered_dict()))) == \
        _without_orchestrion_extras(EXPECTED_DICT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=musics())
def test_muspy_reads_and_rewrites_any_piece(tmp_path_factory: pytest.TempPathFactory,
                                            music: Music) -> None:
    muspy = pytest.importorskip("muspy")
    folder = tmp_path_factory.mktemp("muspy")
    orchestrion.write(music, folder / "ours.json")
    muspy.save(folder / "theirs.json", muspy.load(folder / "ours.json"))
    assert to_dict(orchestrion.read(folder / "theirs.json")) == \
        _without_orchestrion_extras(to_dict(music))


@pytest.mark.parametrize("extension", ["json", "yaml.gz"])
def test_orchestrion_reads_what_muspy_saves_from_midi(tmp_path: Path, corpus_midi: list[Path],
                                                      extension: str) -> None:
    """MusPy's own reading of a corpus piece, saved by MusPy, comes back here field for field:
    the oracle is MusPy's dict of its object."""
    muspy = pytest.importorskip("muspy")
    for midi in corpus_midi[:2] if extension.startswith("yaml") else corpus_midi:
        theirs = muspy.read_midi(midi)
        path = tmp_path / f"{midi.stem}.{extension}"
        muspy.save(path, theirs)
        expected = json.loads(json.dumps(theirs.to_ordered_dict()))
        assert to_dict(orchestrion.read(path)) == expected, midi.name


# ------------------------------------------------------------------------ bad input

BAD_JSON = [
    (b"", "empty file"),
    (b"  \n", "empty file"),
    (b'{"resolution": 24', "invalid JSON at line 1, column 18"),
    (b"\xff\xfe{}", "not UTF-8 text (byte 0xff at offset 0)"),
    (b"[1, 2]", "expected a mapping at the top level, got list"),
    (b"\x1f\x8b\x08\x00garbage", "corrupt gzip data"),
    (b'{"resolution": 0}', "music: 'resolution' must be at least 1, got 0"),
    (b'{"resolution": "24"}', "music: 'resolution' must be an integer, got '24'"),
    (b'{"tempos": [{"time": 0, "qpm": 0}]}', "tempos[0]: Tempo: qpm must be positive"),
    (b'{"tempos": [{"time": 0, "qpm": "fast"}]}',
     "tempos[0]: 'qpm' must be a finite number, got 'fast'"),
    (b'{"tempos": {"time": 0}}', "tempos: expected a list, got dict"),
    (b'{"time_signatures": [{"time": 0, "numerator": 3}]}',
     "time_signatures[0]: missing 'denominator'"),
    (b'{"tracks": [{"program": 300}]}', "tracks[0]: 'program' 300 outside 0-127"),
    (b'{"tracks": [{"is_drum": "yes"}]}', "tracks[0]: 'is_drum' must be true or false"),
    (b'{"tracks": [7]}', "tracks[0]: expected a mapping, got int"),
    (b'{"tracks": [{"notes": [{"time": 0, "pitch": 200, "duration": 1}]}]}',
     "tracks[0].notes: note 0 has pitch outside 0-127"),
    (b'{"tracks": [{"notes": [{"time": 0, "duration": 1}]}]}',
     "tracks[0].notes[0]: missing 'pitch'"),
    (b'{"tracks": [{"notes": [{"time": 0, "pitch": "60", "duration": 1}]}]}',
     "tracks[0].notes[0]: 'pitch' must be an integer, got '60'"),
    (b'{"tracks": [{"notes": [{"time": 0.5, "pitch": 60, "duration": 1}]}]}',
     "tracks[0].notes[0]: 'time' must be an integer, got float"),
    (b'{"tracks": [{"notes": [{"time": 1e300, "pitch": 60, "duration": 1}]}]}',
     "tracks[0].notes[0]: 'time' is out of range"),
    (b'{"tracks": [{"notes": [{"time": NaN, "pitch": 60, "duration": 1}]}]}',
     "tracks[0].notes[0]: 'time' must be an integer, got float"),
    (b'{"tracks": [{"notes": [{"time": -1, "pitch": 60, "duration": 1}]}]}',
     "tracks[0].notes: note 0 has negative time"),
    (b'{"metadata": {"creators": "me"}}', "metadata: 'creators' must be a list, got 'me'"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
]


@pytest.mark.parametrize(("content", "message"), BAD_JSON,
                         ids=[message[:30] for _, message in BAD_JSON])
def test_bad_json_names_file_and_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(FormatError) as caught:
        orchestrion.read(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(("content", "message"), [
    (b"tracks: [", "invalid YAML at line 2, column 1"),
    (b"a: b: c", "invalid YAML at line 1, column 5"),
    (b"- 1\n- 2\n", "expected a mapping at the top level, got list"),
    (b"tracks:\n- notes:\n  - {time: 0, pitch: C4, duration: 1}\n",
     "tracks[0].notes[0]: 'pitch' must be an integer, got 'C4'"),
    (b"resolution: !!python/object:os.system {}", "invalid YAML"),  # safe loading only
])
def test_bad_yaml_names_file_and_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=r"bad\.yaml: ") as caught:
        read_yaml(path)
    assert message in str(caught.value)


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        orchestrion.read(tmp_path / "missing.json")
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(FormatError, match="is a directory"):
        orchestrion.read(tmp_path / "folder.yaml")


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    unserialisable = small_piece()
    unserialisable.annotations.append(Annotation(0, object()))
    for name in ("new.json", "new.yaml.gz"):
        with pytest.raises(FormatError, match=f"{name}: cannot write"):
            orchestrion.write(unserialisable, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "kept.json"
    orchestrion.write(small_piece(), existing)
    before = existing.read_bytes()
    with pytest.raises(FormatError):
        orchestrion.write(unserialisable, existing)
    assert existing.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutated_files_give_music_or_format_error(tmp_path_factory: pytest.TempPathFactory,
                                                  data: st.DataObject) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    extension = data.draw(st.sampled_from(["json", "yaml", "json.gz"]))
    clean = folder / f"clean.{extension}"
    orchestrion.write(small_piece(), clean)
    content = bytearray(gzip.decompress(clean.read_bytes()) if extension.endswith("gz")
                        else clean.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(content) - 1))
        content[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(content)))
    mutated = folder / f"mutated.{extension}"
    payload = bytes(content[:cut])
    mutated.write_bytes(gzip.compress(payload) if extension.endswith("gz") else payload)
    try:
        music = orchestrion.read(mutated)
    except FormatError as error:
        message = str(error)
    else:
        music.validate()
        return
    assert message.startswith(f"{mutated}: ")


def test_written_files_get_the_mode_open_gives(tmp_path: Path) -> None:
    """Atomic writes go through ``tempfile.mkstemp`` (mode 0o600); the file must end with
    the mode a plain ``open()`` gives under the process's umask (found by viz's tests)."""
    import os
    import stat

    from orchestrion.io.files import UMASK

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    written = tmp_path / "piece.json"
    orchestrion.write(orchestrion.Music(), written)
    assert stat.S_IMODE(os.stat(written).st_mode) == stat.S_IMODE(os.stat(plain).st_mode) \
        == 0o666 & ~UMASK
