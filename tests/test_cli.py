"""The ``orchestrion`` command line: ``info``, ``convert`` (files and folders), errors.

Most tests call :func:`orchestrion.cli.main.main` in-process; two run the installed command
and ``python -m orchestrion`` end to end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import orchestrion
from orchestrion import (
    KeySignature,
    Metadata,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.cli import info as info_module
from orchestrion.cli.main import main

GARBAGE = b"this is not a MIDI file\x00\x01\x02"


def make_piece() -> Music:
    """Two tracks, two exact tempos (120 and 60 qpm), a key and two meters.

    End: the last note ends at 2160 ticks; at 480 ticks per quarter that is 960 ticks at
    120 qpm (1 s) plus 1200 ticks at 60 qpm (2.5 s) = 3.5 s.
    """
    return Music(
        metadata=Metadata(title="Test piece"),
        resolution=480,
        tempos=[Tempo(0, 120.0), Tempo(960, 60.0)],
        key_signatures=[KeySignature(0, root=7, mode="major", fifths=1)],
        time_signatures=[TimeSignature(0, 4, 4), TimeSignature(1920, 3, 4)],
        tracks=[
            Track(program=40, name="Violin",
                  notes=[Note(0, 60, 480, 80), Note(480, 64, 480, 64), Note(960, 67, 960, 90)]),
            Track(program=0, is_drum=True, name="Kit",
                  notes=[Note(0, 36, 240, 100), Note(1920, 38, 240, 100)]),
        ],
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def without_filename(music: Music) -> Music:
    music.metadata.source_filename = None
    return music


def assert_one_line_error(err: str, message: str) -> None:
    assert err == f"orchestrion: error: {message}\n"
    assert "Traceback" not in err


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "song.mid"
    orchestrion.write(make_piece(), path)
    return path


# ----------------------------------------------------------------------------- top level


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, "orchestrion 0.1.0\n", "")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2
    assert out == ""
    assert "the following arguments are required: COMMAND" in err


@pytest.mark.parametrize("argv", [["--help"], ["info", "--help"], ["convert", "--help"]])
def test_help_has_examples(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "examples:" in out
    assert "orchestrion " in out


def test_convert_help_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "convert", "--help")
    # Names padded to the longest ('musescore'), read-only formats marked.
    assert "  midi      .mid, .midi, .smf, .kar\n" in out
    assert "  musescore .mscx, .mscz  (read only)\n" in out
    assert "  json      .json, .json.gz\n" in out
    assert "(midi, musicxml, abc, json, yaml)" in " ".join(out.split())
    assert "--skip-existing" in out


# ------------------------------------------------------------------------------------ info

EXPECTED_TEXT = """\
File:            {path}
Format:          midi
Title:           Test piece
Resolution:      480 ticks per quarter note
End time:        2160 ticks, 3.500 s
Notes:           5 in 2 tracks
Tempos:          120 qpm at 0, 60 qpm at 960
Key signatures:  G major at 0
Time signatures: 4/4 at 0, 3/4 at 1920

Track  Program  Instrument  Drum  Notes  Name
    0       40  Violin      no        3  Violin
    1        0  Drums       yes       2  Kit
"""


def test_info_text(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    assert run(capsys, "info", song) == (0, EXPECTED_TEXT.format(path=song), "")


def test_info_json(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    code, out, err = run(capsys, "info", song, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "path": str(song),
        "format": "midi",
        "title": "Test piece",
        "resolution": 480,
        "end_ticks": 2160,
        "end_seconds": 3.5,
        "n_tracks": 2,
        "n_notes": 5,
        "tracks": [
            {"index": 0, "name": "Violin", "program": 40, "instrument": "Violin",
             "is_drum": False, "n_notes": 3},
            {"index": 1, "name": "Kit", "program": 0, "instrument": "Drums",
             "is_drum": True, "n_notes": 2},
        ],
        "tempos": [{"time": 0, "qpm": 120.0}, {"time": 960, "qpm": 60.0}],
        "key_signatures": [{"time": 0, "root": 7, "mode": "major", "fifths": 1,
                            "name": "G major"}],
        "time_signatures": [{"time": 0, "numerator": 4, "denominator": 4},
                            {"time": 1920, "numerator": 3, "denominator": 4}],
    }
    assert list(json.loads(out)) == [
        "path", "format", "title", "resolution", "end_ticks", "end_seconds", "n_tracks",
        "n_notes", "tracks", "tempos", "key_signatures", "time_signatures"]


def test_info_text_of_a_bare_piece() -> None:
    facts = info_module.describe(Music(), "empty.json", "json")
    assert info_module.to_text(facts) == (
        "File:            empty.json\n"
        "Format:          json\n"
        "Title:           -\n"
        "Resolution:      24 ticks per quarter note\n"
        "End time:        0 ticks, 0.000 s\n"
        "Notes:           0 in 0 tracks\n"
        "Tempos:          none\n"
        "Key signatures:  none\n"
        "Time signatures: none"
    )


def test_info_text_cuts_long_lists() -> None:
    music = Music(tempos=[Tempo(24 * i, 100 + i / 3) for i in range(10)])
    text = info_module.to_text(info_module.describe(music, "x.mid", "midi"))
    assert ("Tempos:          100 qpm at 0, 100.333 qpm at 24, 100.667 qpm at 48, "
            "101 qpm at 72, 101.333 qpm at 96, 101.667 qpm at 120, 102 qpm at 144, "
            "102.333 qpm at 168, ... (2 more; --json lists all)") in text.splitlines()
    assert len(info_module.describe(music, "x.mid", "midi")["tempos"]) == 10


@pytest.mark.parametrize(
    ("key", "name"),
    [
        (KeySignature(0, root=3, mode="major", fifths=-3), "Eb major"),
        (KeySignature(0, root=10, mode="minor", fifths=-5), "Bb minor"),
        (KeySignature(0, root=6, mode="major", fifths=6), "F# major"),
        (KeySignature(0, root=6, mode="major", fifths=-6), "Gb major"),
        (KeySignature(0, root=11, mode="major", fifths=-7), "Cb major"),
        (KeySignature(0, root=9, mode="minor", fifths=0), "A minor"),
        (KeySignature(0, root=2, mode="dorian"), "D dorian"),
        (KeySignature(0, root=8), "Ab"),
        (KeySignature(0, fifths=2), "2 sharps"),
        (KeySignature(0, fifths=-1), "1 flat"),
        (KeySignature(0, fifths=0), "no sharps or flats"),
        (KeySignature(0, root=1, mode="major", root_str="Db"), "Db major"),
        (KeySignature(0), None),
    ],
)
def test_key_names(key: KeySignature, name: str | None) -> None:
    assert info_module.key_name(key) == name


def test_info_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "info", tmp_path / "missing.mid")
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{tmp_path / 'missing.mid'}: no such file")


def test_info_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(GARBAGE)
    code, out, err = run(capsys, "info", bad)
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{bad}: not a MIDI file (no 'MThd' header)")


def test_info_unknown_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "song.xyz"
    path.write_bytes(b"x")
    code, _, err = run(capsys, "info", path)
    assert code == 1
    assert err.startswith(f"orchestrion: error: {path}: unknown file extension (known: .mid,")
    assert err.count("\n") == 1


def test_os_errors_are_one_line(capsys: pytest.CaptureFixture[str], song: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object) -> Music:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(orchestrion, "read", refuse)
    code, out, err = run(capsys, "info", song)
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{song}: Permission denied")


def test_multi_line_messages_become_one_line(capsys: pytest.CaptureFixture[str], song: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: object) -> Music:
        raise orchestrion.FormatError("line one\n  line two", path)  # type: ignore[arg-type]

    monkeypatch.setattr(orchestrion, "read", fail)
    code, _, err = run(capsys, "info", song)
    assert code == 1
    assert_one_line_error(err, f"{song}: line one line two")


# ------------------------------------------------------------------------ convert one file


def test_convert_midi_round_trip(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    target = song.with_name("copy.midi")
    assert run(capsys, "convert", song, target) == (
        0, f"converted {song} -> {target}\n", "")
    again = orchestrion.read(target)
    assert without_filename(again) == without_filename(orchestrion.read(song))
    assert again.tracks == make_piece().tracks


def test_convert_quiet(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    assert run(capsys, "convert", "-q", song, song.with_name("b.mid")) == (0, "", "")


@pytest.mark.parametrize("extension", [".json", ".json.gz", ".yaml", ".yml"])
def test_convert_to_json_yaml_and_back(capsys: pytest.CaptureFixture[str], song: Path,
                                       extension: str) -> None:
    middle = song.with_name("song" + extension)
    back = song.with_name("back.mid")
    assert run(capsys, "convert", song, middle)[0] == 0
    assert run(capsys, "convert", middle, back)[0] == 0
    expected = {".json": "json", ".json.gz": "json", ".yaml": "yaml", ".yml": "yaml"}
    assert orchestrion.io.format_of(middle).name == expected[extension]
    original = orchestrion.read(song)
    assert without_filename(orchestrion.read(middle)) == without_filename(original.copy())
    assert without_filename(orchestrion.read(back)) == without_filename(original)


def test_convert_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    target = song.with_name("out.mid")
    target.write_bytes(b"keep me")
    code, out, err = run(capsys, "convert", song, target)
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{target}: already exists; use --force to overwrite it or "
                               "--skip-existing to keep it")
    assert target.read_bytes() == b"keep me"

    assert run(capsys, "convert", "--skip-existing", song, target) == (
        0, f"skipped {target} (already exists)\n", "")
    assert target.read_bytes() == b"keep me"

    assert run(capsys, "convert", "--force", song, target)[0] == 0
    assert target.read_bytes() == song.read_bytes()


def test_force_and_skip_existing_exclude_each_other(capsys: pytest.CaptureFixture[str],
                                                    song: Path) -> None:
    code, _, err = run(capsys, "convert", "--force", "--skip-existing", song, "x.mid")
    assert code == 2
    assert "not allowed with argument" in err


def test_convert_missing_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source, target = tmp_path / "missing.mid", tmp_path / "out.json"
    code, out, err = run(capsys, "convert", source, target)
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{source}: no such file or folder")
    assert not target.exists()


def test_convert_broken_input_leaves_no_output(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    bad, target = tmp_path / "bad.mid", tmp_path / "bad.json"
    bad.write_bytes(GARBAGE)
    code, out, err = run(capsys, "convert", bad, target)
    assert (code, out) == (1, "")
    assert_one_line_error(err, f"{bad}: not a MIDI file (no 'MThd' header)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mid"]


def test_convert_unknown_output_extension(capsys: pytest.CaptureFixture[str],
                                          song: Path) -> None:
    target = song.with_name("song.wav")
    code, out, err = run(capsys, "convert", song, target)
    assert (code, out) == (1, "")
    assert err.startswith(f"orchestrion: error: {target}: unknown file extension (known: ")
    assert err.count("\n") == 1
    assert not target.exists()


def test_convert_unknown_input_extension(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    code, _, err = run(capsys, "convert", source, tmp_path / "out.mid")
    assert code == 1
    assert err.startswith(f"orchestrion: error: {source}: unknown file extension")
    assert not (tmp_path / "out.mid").exists()


def test_convert_into_missing_folder(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    target = song.parent / "nowhere" / "out.mid"
    code, _, err = run(capsys, "convert", song, target)
    assert code == 1
    assert_one_line_error(err, f"{target}: parent folder does not exist")


def test_convert_file_onto_a_folder(capsys: pytest.CaptureFixture[str], song: Path) -> None:
    folder = song.parent / "folder.mid"
    folder.mkdir()
    code, _, err = run(capsys, "convert", song, folder)
    assert code == 1
    assert_one_line_error(err, f"{folder}: is a folder; give OUT a file name (or convert a "
                               "folder IN with --to FORMAT)")


def test_to_must_agree_with_the_extension_of_a_file(capsys: pytest.CaptureFixture[str],
                                                    song: Path) -> None:
    assert run(capsys, "convert", "-q", "--to", "json", song, song.with_name("a.json"))[0] == 0
    code, _, err = run(capsys, "convert", "--to", "yaml", song, song.with_name("b.json"))
    assert code == 2
    assert "--to yaml does not match the extension of" in err
    assert not song.with_name("b.json").exists()


# ---------------------------------------------------------------------- convert a folder


def make_tree(root: Path) -> Music:
    """root/a.mid, root/sub/deeper/b.midi, root/bad.mid (garbage), root/notes.txt."""
    piece = make_piece()
    (root / "sub" / "deeper").mkdir(parents=True)
    orchestrion.write(piece, root / "a.mid")
    orchestrion.write(piece, root / "sub" / "deeper" / "b.midi")
    (root / "bad.mid").write_bytes(GARBAGE)
    (root / "notes.txt").write_text("not music")
    return piece


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_convert_folder_with_a_broken_file(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    source, target = tmp_path / "in", tmp_path / "out"
    piece = make_tree(source)
    code, out, err = run(capsys, "convert", source, target, "--to", "json")
    assert code == 1
    assert err == ""  # no progress bar: stderr is not a terminal
    assert out == ("2 converted, 1 failed\n"
                   f"{source / 'bad.mid'}: not a MIDI file (no 'MThd' header)\n")
    assert files_under(target) == ["a.json", "sub/deeper/b.json"]
    for name in ("a.json", "sub/deeper/b.json"):
        assert orchestrion.read(target / name).tracks == piece.tracks


def test_convert_folder_all_good(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source, target = tmp_path / "in", tmp_path / "out"
    make_tree(source)
    (source / "bad.mid").unlink()
    assert run(capsys, "convert", "-q", source, target, "--to", "yaml") == (
        0, "2 converted, 0 failed\n", "")
    assert files_under(target) == ["a.yaml", "sub/deeper/b.yaml"]
    # back to MIDI: the folder's format names the extension (midi -> .mid)
    again = tmp_path / "again"
    assert run(capsys, "convert", target, again, "--to", "midi") == (
        0, "2 converted, 0 failed\n", "")
    assert files_under(again) == ["a.mid", "sub/deeper/b.mid"]
    assert (without_filename(orchestrion.read(again / "a.mid"))
            == without_filename(orchestrion.read(source / "a.mid")))


@pytest.mark.parametrize(("to", "extension"),
                         [("json.gz", ".json.gz"), ("yml", ".yml"), ("MID", ".mid"),
                          (".midi", ".midi"), ("JSON", ".json")])
def test_to_accepts_extensions(capsys: pytest.CaptureFixture[str], tmp_path: Path, to: str,
                               extension: str) -> None:
    source = tmp_path / "in"
    source.mkdir()
    orchestrion.write(make_piece(), source / "a.mid")
    assert run(capsys, "convert", source, tmp_path / "out", "--to", to)[0] == 0
    assert files_under(tmp_path / "out") == ["a" + extension]


def test_convert_folder_needs_to(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    make_tree(tmp_path / "in")
    code, out, err = run(capsys, "convert", tmp_path / "in", tmp_path / "out")
    assert (code, out) == (2, "")
    assert err.startswith("usage: orchestrion convert")
    assert err.endswith(f"orchestrion convert: error: {tmp_path / 'in'} is a folder: "
                        "--to FORMAT is required to convert a folder\n")
    assert not (tmp_path / "out").exists()


def test_convert_folder_unknown_format(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    make_tree(tmp_path / "in")
    code, out, err = run(capsys, "convert", tmp_path / "in", tmp_path / "out", "--to", "mp3")
    assert (code, out) == (1, "")
    assert_one_line_error(
        err, "unknown format 'mp3'; known: midi, musicxml, musescore, abc, kern, json, yaml")
    assert not (tmp_path / "out").exists()


def test_convert_folder_onto_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    song: Path) -> None:
    make_tree(tmp_path / "in")
    code, _, err = run(capsys, "convert", tmp_path / "in", song, "--to", "json")
    assert code == 1
    assert_one_line_error(err, f"{song}: exists and is not a folder")


def test_convert_folder_existing_outputs(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    source, target = tmp_path / "in", tmp_path / "out"
    make_tree(source)
    (source / "bad.mid").unlink()
    target.mkdir()
    (target / "a.json").write_text("old")
    code, out, _ = run(capsys, "convert", source, target, "--to", "json")
    assert code == 1
    assert out == ("1 converted, 1 failed\n"
                   f"{source / 'a.mid'}: {target / 'a.json'} already exists; use --force to "
                   "overwrite it or --skip-existing to keep it\n")
    assert (target / "a.json").read_text() == "old"

    code, out, _ = run(capsys, "convert", source, target, "--to", "json", "--skip-existing")
    assert (code, out) == (0, "0 converted, 0 failed, 2 skipped (already exist)\n")
    assert (target / "a.json").read_text() == "old"

    assert run(capsys, "convert", source, target, "--to", "json", "--force")[:2] == (
        0, "2 converted, 0 failed\n")
    assert orchestrion.read(target / "a.json").tracks == make_piece().tracks


def test_convert_folder_into_itself_does_not_reread_outputs(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "in"
    make_tree(source)
    (source / "bad.mid").unlink()
    code, out, _ = run(capsys, "convert", source, source / "as_midi", "--to", "mid")
    assert (code, out) == (0, "2 converted, 0 failed\n")
    code, out, _ = run(capsys, "convert", source, source / "as_midi", "--to", "mid",
                       "--skip-existing")
    assert (code, out) == (0, "0 converted, 0 failed, 2 skipped (already exist)\n")
    assert files_under(source / "as_midi") == ["a.mid", "sub/deeper/b.mid"]


def test_convert_folder_same_output_twice(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    orchestrion.write(make_piece(), source / "x.mid")
    orchestrion.write(make_piece(), source / "x.midi")
    code, out, _ = run(capsys, "convert", source, tmp_path / "out", "--to", "json")
    assert code == 1
    assert out == ("1 converted, 1 failed\n"
                   f"{source / 'x.midi'}: same output {tmp_path / 'out' / 'x.json'} as "
                   f"{source / 'x.mid'}\n")


def test_convert_folder_survives_unexpected_errors(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "in"
    make_tree(source)
    (source / "bad.mid").unlink()
    real_read = orchestrion.read

    def flaky(path: Path) -> Music:
        if Path(path).name == "a.mid":
            raise RuntimeError("boom")
        return real_read(path)

    monkeypatch.setattr(orchestrion, "read", flaky)
    code, out, _ = run(capsys, "convert", source, tmp_path / "out", "--to", "json")
    assert code == 1
    assert out == f"1 converted, 1 failed\n{source / 'a.mid'}: unexpected RuntimeError: boom\n"


def test_convert_empty_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    assert run(capsys, "convert", tmp_path / "in", tmp_path / "out", "--to", "json") == (
        0, "0 converted, 0 failed\n", "")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_on_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, quiet: bool) -> None:
    make_tree(tmp_path / "in")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    argv = ["convert", tmp_path / "in", tmp_path / "out", "--to", "json"]
    code, out, err = run(capsys, *argv, *(["--quiet"] if quiet else []))
    assert code == 1
    assert out.startswith("2 converted, 1 failed\n")
    if quiet:
        assert err == ""
    else:
        assert "converting" in err
        assert "0/3 [" in err  # the bar counts the 3 readable files


def test_convert_corpus_folder_to_json(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       corpus_midi: list[Path]) -> None:
    source = corpus_midi[0].parent
    code, out, _ = run(capsys, "convert", source, tmp_path / "json", "--to", "json")
    assert (code, out) == (0, f"{len(corpus_midi)} converted, 0 failed\n")
    for path in corpus_midi:
        assert orchestrion.read(tmp_path / "json" / (path.stem + ".json")) == orchestrion.read(
            path)


# ------------------------------------------------------------------------------ end to end


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    song = tmp_path / "song.mid"
    orchestrion.write(make_piece(), song)
    command = Path(sys.executable).parent / "orchestrion"
    if not command.exists():
        pytest.skip("the orchestrion script is not installed next to this Python")
    result = subprocess.run([str(command), "info", str(song), "--json"], capture_output=True,
                            text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["end_seconds"] == 3.5
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                             check=False)
    assert (version.returncode, version.stdout) == (0, "orchestrion 0.1.0\n")


def test_python_dash_m_errors_and_light_import(tmp_path: Path) -> None:
    missing = tmp_path / "missing.mid"
    result = subprocess.run([sys.executable, "-m", "orchestrion", "convert", str(missing),
                             str(tmp_path / "out.mid")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"orchestrion: error: {missing}: no such file or folder\n"
    assert not (tmp_path / "out.mid").exists()
    # Building the parser and running `info` import neither tqdm nor symusic's extras.
    check = ("import sys; from orchestrion.cli.main import main; "
             "assert main(['--version']) == 0; "
             "assert 'tqdm' not in sys.modules, 'tqdm imported'")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr

