"""``orchestrion dataset list | info | download | prepare``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.cli.main import main


def _write_folder(folder: Path, broken: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(6):
        notes = [Note(time=12 * k, pitch=60 + i + k, duration=12, velocity=80)
                 for k in range(5)]
        orchestrion.write(Music(resolution=12, tracks=[Track(program=i, notes=notes)]),
                          folder / f"piece{i}.mid")
    if broken:
        (folder / "broken.mid").write_bytes(b"garbage")
    return folder


def test_list_names_every_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("lmd-full", "maestro-v3", "sod", "hymnal", "bach-chorales", "music21-corpus"):
        assert f"\n{name} " in out
    assert "1.8 GB" in out  # lmd-full's archive
    assert main(["dataset", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in listed} >= {"nes", "jsb-chorales", "string-quartets"}
    assert all(d["description"] and d["licence"] for d in listed)


def test_info_shows_sources_and_citation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "info", "maestro-v3"]) == 0
    out = capsys.readouterr().out
    assert "maestro-v3.0.0-midi.zip" in out
    assert "sha256" in out
    assert "citation:" in out
    assert main(["dataset", "info", "bach-chorales", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["offline"] is True
    assert main(["dataset", "info", "sod"]) == 0
    assert "recorded on first download" in capsys.readouterr().out


def test_unknown_dataset_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "info", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("orchestrion: error: no data set called 'nope'")
    assert "bach-chorales" in err
    assert err.count("\n") == 1


def test_download_of_an_offline_collection_does_nothing(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    pytest.importorskip("music21")
    assert main(["dataset", "download", "bach-chorales", "--root", str(tmp_path)]) == 0
    assert "nothing to download" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_prepare_a_folder_with_shards(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    source = _write_folder(tmp_path / "midis", broken=True)
    root = tmp_path / "out"
    argv = ["dataset", "prepare", str(source), "--root", str(root), "--representation",
            "note", "--splits", "train=0.5,test=0.5", "--jobs", "1", "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "7 files (7 converted" in out
    assert "6 pieces, 1 failed" in out
    assert "splits: train 3, test 3" in out
    assert "broken: FormatError" in out
    assert "manifest.json" in out
    assert sorted(p.name for p in (root / "shards" / "note").glob("*.ids.json")) == \
        ["test.ids.json", "train.ids.json"]
    # --strict turns the failure into exit status 1; --json gives the result.
    assert main([*argv, "--strict"]) == 1
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["converted"], result["reused"], result["pieces"]) == (1, 6, 6)


@pytest.mark.parametrize(("extra", "message"), [
    (["--splits", "0.5,-0.5"], "splits"),
    (["--representation", "nope"], "nope"),
])
def test_prepare_refuses_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     extra: list[str], message: str) -> None:
    source = _write_folder(tmp_path / "midis")
    assert main(["dataset", "prepare", str(source), "--root", str(tmp_path / "o"),
                 *extra]) == 1
    err = capsys.readouterr().err
    assert err.startswith("orchestrion: error:")
    assert message in err


def test_prepare_needs_a_root_and_positive_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "prepare", "bach-chorales"]) == 2
    assert "--root" in capsys.readouterr().err
    assert main(["dataset", "prepare", "bach-chorales", "--root", "x", "--jobs", "0"]) == 2
    assert "must be >= 1" in capsys.readouterr().err


def test_download_of_a_folder_you_bring_checks_it(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "download", "hymnal", "--root", str(tmp_path)]) == 1
    assert f"put its files (.mid) in {tmp_path / 'source'}" in capsys.readouterr().err
    _write_folder(tmp_path / "source" / "Classic")
    assert main(["dataset", "download", "hymnal", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"hymnal: 6 files in {tmp_path / 'source'}\n"
