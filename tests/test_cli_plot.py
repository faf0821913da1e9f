"""``orchestrion plot``: pictures from the shell, exit codes, atomic output."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.cli.main import main

pytest.importorskip("matplotlib")


def _song(folder: Path) -> Path:
    notes = [Note(12 * k, 60 + k % 5, 12, 80) for k in range(16)]
    drums = [Note(12 * k, 36, 3) for k in range(16)]
    path = folder / "song.mid"
    orchestrion.write(Music(resolution=12, tracks=[Track(program=40, name="Fiddle", notes=notes),
                                                   Track(is_drum=True, notes=drums)]), path)
    return path


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_plot_writes_a_piano_roll(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    song = _song(tmp_path)
    out = tmp_path / "song.png"
    assert main(["plot", str(song), "-o", str(out), "--width", "500", "--height", "300",
                 "--dpi", "80", "--seconds"]) == 0
    assert _png_size(out) == (500, 300)
    assert f"wrote {out}" in capsys.readouterr().out
    assert main(["plot", str(song), "-o", str(out), "--tracks", "1"]) == 0  # replaced
    assert _png_size(out) == (1600, 800)
    svg = tmp_path / "song.svg"
    assert main(["plot", str(song), "-o", str(svg)]) == 0
    assert svg.read_bytes().lstrip().startswith((b"<?xml", b"<svg"))


def test_plot_writes_a_score(tmp_path: Path) -> None:
    pytest.importorskip("verovio")
    song = _song(tmp_path)
    assert main(["plot", str(song), "-o", str(tmp_path / "s.svg"), "--kind", "score"]) == 0
    assert b"<svg" in (tmp_path / "s.svg").read_bytes()
    assert main(["plot", str(song), "-o", str(tmp_path / "p.svg"), "--kind", "score",
                 "--page", "all"]) == 0
    assert (tmp_path / "p-1.svg").exists()
    assert not (tmp_path / "p.svg").exists()


@pytest.mark.parametrize("extra", [["-o", "x.jpg"], ["-o", "x.png", "--page", "2"],
                                   ["-o", "x.png", "--kind", "score", "--dpi", "90"],
                                   ["-o", "x.png", "--tracks", "5"],
                                   ["-o", "x.png", "--width", "0"], ["-o", "x.png", "--width", "8"],
                                   []])
def test_usage_errors_exit_2(tmp_path: Path, extra: list[str],
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    song = _song(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["plot", str(song), *extra]) == 2
    assert "usage: orchestrion plot" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mid"]


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "bad.mid"
    garbage.write_bytes(b"not midi")
    for source in (garbage, tmp_path / "missing.mid"):
        assert main(["plot", str(source), "-o", str(tmp_path / "out.png")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("orchestrion: error: ")
        assert err.count("\n") == 1
        assert str(source) in err
    assert not (tmp_path / "out.png").exists()
    assert main(["plot", str(_song(tmp_path)), "-o", str(tmp_path / "no" / "out.png")]) == 1
    assert "parent folder does not exist" in capsys.readouterr().err


def test_failing_render_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from matplotlib.figure import Figure

    from orchestrion.errors import FormatError

    song = _song(tmp_path)
    out = tmp_path / "song.png"
    out.write_bytes(b"old picture")

    def broken(*args: object, **kwargs: object) -> None:
        raise FormatError("renderer broke")

    monkeypatch.setattr(Figure, "savefig", broken)
    assert main(["plot", str(song), "-o", str(out)]) == 1
    assert "renderer broke" in capsys.readouterr().err
    assert out.read_bytes() == b"old picture"  # untouched, no temporary file beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mid", "song.png"]


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "--kind score --page all" in out
