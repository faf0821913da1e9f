"""``orchestrion render``: audio files from the shell, stems, exit codes, atomic output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.audio import engines
from orchestrion.audio.soundfont import ENV_VAR, find_soundfont
from orchestrion.cli.main import main
from orchestrion.errors import SoundFontError

soundfile = pytest.importorskip("soundfile")


def _have_synth() -> bool:
    try:
        find_soundfont()
    except SoundFontError:
        return False
    return bool(engines())


needs_synth = pytest.mark.skipif(
    not _have_synth(), reason="needs a GM SoundFont (sudo apt-get install fluid-soundfont-gm) "
                              "and a synthesizer (pip install --no-deps tinysoundfont)")


def _song(folder: Path, suffix: str = ".mid") -> Path:
    notes = [Note(12 * k, 60 + k % 5, 12, 80) for k in range(8)]
    drums = [Note(12 * k, 42, 3) for k in range(8)]
    path = folder / f"song{suffix}"
    orchestrion.write(Music(resolution=12, tracks=[
        Track(program=40, name="Fiddle/1", notes=notes),
        Track(is_drum=True, notes=drums)]), path)
    return path


@needs_synth
def test_render_writes_wav_and_stems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    song = _song(tmp_path)
    out, stems = tmp_path / "song.wav", tmp_path / "stems"
    assert main(["render", str(song), str(out), "--stems", str(stems)]) == 0
    audio, rate = soundfile.read(out, dtype="float32", always_2d=True)
    assert rate == 44100
    assert audio.shape == (round(5.0 * 44100), 2)
    assert np.abs(audio).max() > 0.01
    names = sorted(p.name for p in stems.iterdir())
    assert names == ["00-Fiddle_1.wav", "01-Drums.wav"]  # no '/' from the track's name
    parts = [soundfile.read(stems / name, dtype="float32", always_2d=True)[0] for name in names]
    np.testing.assert_allclose(parts[0] + parts[1], audio, atol=3 / 32768)  # 16-bit rounding
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed
    assert "2 stems" in printed


@needs_synth
def test_render_mono_flac_at_16k_from_json(tmp_path: Path) -> None:
    song = _song(tmp_path, ".json")
    out = tmp_path / "song.flac"
    assert main(["render", str(song), str(out), "--mono", "--sample-rate", "16000",
                 "--tail", "0", "-q"]) == 0
    audio, rate = soundfile.read(out, always_2d=True)
    assert rate == 16000
    assert audio.shape == (4 * 16000, 1)


@needs_synth
@needs_synth
def test_render_humanize_with_its_alignment(tmp_path: Path) -> None:
    from orchestrion.audio import Performance, read_audio

    song = _song(tmp_path)
    takes = {}
    for seed in (3, 4):
        out, alignment = tmp_path / f"take{seed}.wav", tmp_path / f"take{seed}.json"
        argv = ["render", str(song), str(out), "--humanize", str(seed), "--alignment",
                str(alignment), "--tail", "0.5", "-q"]
        assert main(argv) == 0
        performance = Performance.load(alignment)
        assert performance.seed == seed
        audio, rate = read_audio(out)
        # The audio lasts the performance: its last performed offset plus the tail.
        last = float(performance.alignment["performed_offset"].max())
        assert abs(len(audio) / rate - (last + 0.5)) < 0.05
        takes[seed] = performance.alignment["performed_onset"]
    assert not np.allclose(takes[3], takes[4])  # two seeds, two performances


def test_render_alignment_needs_humanize(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    song = _song(tmp_path)
    out = tmp_path / "out.wav"
    assert main(["render", str(song), str(out), "--alignment", str(tmp_path / "a.json")]) == 2
    assert "--alignment needs --humanize" in capsys.readouterr().err
    assert main(["render", str(song), str(out), "--humanize", "1", "--alignment",
                 str(tmp_path / "a.txt")]) == 2
    assert not out.exists()


@pytest.mark.parametrize("extra", [["out.mp3"], ["out.wav", "--sample-rate", "100"],
                                   ["out.wav", "--engine", "timidity"],
                                   ["out.wav", "--gain", "-1"]])
def test_render_usage_errors(tmp_path: Path, extra: list[str],
                             capsys: pytest.CaptureFixture[str]) -> None:
    song = _song(tmp_path)
    extra[0] = str(tmp_path / extra[0])
    assert main(["render", str(song), *extra]) == 2
    assert "usage:" in capsys.readouterr().err
    assert not Path(extra[0]).exists()


def test_render_missing_soundfont_is_one_line_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    song = _song(tmp_path)
    out = tmp_path / "song.wav"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere.sf2"))
    assert main(["render", str(song), str(out), "--stems", str(tmp_path / "stems")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("orchestrion: error: ")
    assert err.count("\n") == 1
    assert "nowhere.sf2" in err
    assert "fluid-soundfont-gm" in err
    assert not out.exists()
    assert not (tmp_path / "stems").exists()
    assert main(["render", str(tmp_path / "missing.mid"), str(out)]) == 1
    assert "missing.mid" in capsys.readouterr().err
    assert main(["render", str(song), str(out), "--soundfont", str(song)]) == 1
    assert "not a SoundFont" in capsys.readouterr().err
    assert not out.exists()


def test_render_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--soundfont", "--stems", "--sample-rate", "--mono", "--humanize"):
        assert option in text
