"""``orchestrion generate``: files from the shell in the three modes, several samples, audio
and piano rolls, and one-line errors. The model is the biased ``debug`` checkpoint of
``test_pipelines_mmt`` (the shipped ``mmt-small`` is not needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

import orchestrion  # noqa: E402
from orchestrion import Music, Note, Track  # noqa: E402
from orchestrion.audio import engines  # noqa: E402
from orchestrion.audio.soundfont import find_soundfont  # noqa: E402
from orchestrion.cli.main import main  # noqa: E402
from orchestrion.errors import SoundFontError  # noqa: E402
from orchestrion.models.checkpoint import save_checkpoint  # noqa: E402
from orchestrion.models.mmt import MMTConfig, MultitrackMusicTransformer  # noqa: E402
from orchestrion.representations import get  # noqa: E402


def _have_synth() -> bool:
    try:
        find_soundfont()
    except SoundFontError:
        return False
    return bool(engines())


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A ``debug`` checkpoint whose greedy type head writes notes and small beat steps."""
    codec = get("mmt")
    config = MMTConfig.from_codec(codec, "debug")
    torch.manual_seed(0)
    net = MultitrackMusicTransformer(config)
    with torch.no_grad():
        net.heads[0].weight.zero_()
        net.heads[0].bias.copy_(torch.tensor([0.0, 1.0, 1.5, 4.0, -4.0]))
        net.heads[1].weight.zero_()
        net.heads[1].bias.copy_(-1.0 * torch.arange(config.vocabulary[1]))
    folder = tmp_path_factory.mktemp("cli_mmt") / "debug"
    return str(save_checkpoint(folder, net, family="mmt", config=config, codec=codec))


def _notes(music: Music) -> list[tuple[int, ...]]:
    return sorted((t.program, n.time, n.pitch, n.duration) for t in music.tracks
                  for n in t.notes)


@pytest.mark.parametrize("suffix", [".mid", ".musicxml", ".json"])
def test_writes_each_format(model: str, tmp_path: Path, suffix: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / f"trio{suffix}"
    assert main(["generate", "--model", model, "--instruments", "piano,violin,cello",
                 "--seed", "1", "--max-events", "40", "-o", str(out)]) == 0
    music = orchestrion.read(out)
    assert music.n_notes > 0
    assert {t.program for t in music.tracks} <= {0, 40, 42}
    printed = capsys.readouterr().out
    assert re.search(rf"wrote {re.escape(str(out))} \(instruments, seed 1\): \d+ notes, "
                     r"3 tracks \(Piano, Violin, Cello\), [\d.]+ beats, [\d.]+ s; 40 events "
                     r"in [\d.]+ s", printed), printed


def test_several_samples_are_numbered_and_seeded(model: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "take.json"
    assert main(["generate", "--model", model, "--n", "2", "--seed", "7", "--top-k", "0",
                 "--max-events", "30", "-o", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take-1.json", "take-2.json"]
    printed = capsys.readouterr().out
    assert "(unconditioned, seed 7)" in printed
    assert "(unconditioned, seed 8)" in printed
    # The second sample is seed 8 alone; the same seed gives the same music.
    again = tmp_path / "again.json"
    assert main(["generate", "--model", model, "--seed", "8", "--top-k", "0",
                 "--max-events", "30", "-q", "-o", str(again)]) == 0
    assert capsys.readouterr().out == ""
    assert _notes(orchestrion.read(again)) == _notes(orchestrion.read(tmp_path / "take-2.json"))
    assert _notes(orchestrion.read(again)) != _notes(orchestrion.read(tmp_path / "take-1.json"))


def test_continuation_of_a_prompt_file(model: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    prompt = tmp_path / "prompt.mid"
    orchestrion.write(Music(resolution=12, tracks=[
        Track(program=0, notes=[Note(12 * k, 60 + k, 12, 80) for k in range(8)]),
        Track(program=73, notes=[Note(24 * k, 79, 24, 80) for k in range(4)])]), prompt)
    out = tmp_path / "more.mid"
    assert main(["generate", "--model", model, "--prompt", str(prompt), "--beats", "4",
                 "--seed", "2", "--max-events", "60", "-o", str(out)]) == 0
    assert "(continuation, seed 2)" in capsys.readouterr().out
    music = orchestrion.read(out)
    assert {t.program for t in music.tracks} == {0, 73}
    opening = [n for n in _notes(music) if n[1] < 2 * music.resolution]
    assert opening == [(0, 0, 60, 12), (0, 12, 61, 12), (73, 0, 79, 24)]


def test_plot_writes_a_png_per_sample(model: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    assert main(["generate", "--model", model, "--instruments", "piano", "--n", "2",
                 "--seed", "3", "--max-events", "30", "-o", str(tmp_path / "s.mid"),
                 "--plot", str(tmp_path / "s.png")]) == 0
    for i in (1, 2):
        assert (tmp_path / f"s-{i}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not _have_synth(), reason="needs a GM SoundFont and a synthesizer")
def test_render_writes_a_wav(model: str, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    soundfile = pytest.importorskip("soundfile")
    wav = tmp_path / "s.wav"
    assert main(["generate", "--model", model, "--instruments", "violin", "--seed", "4",
                 "--max-events", "12", "-o", str(tmp_path / "s.mid"), "--render",
                 str(wav)]) == 0
    assert f"wrote {wav}" in capsys.readouterr().out
    info = soundfile.info(str(wav))
    assert info.samplerate == 44100
    assert info.channels == 2
    assert info.frames > 0


def test_a_missing_soundfont_writes_nothing(model: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--model", model, "-o", str(out / "s.mid"), "--render",
                 str(out / "s.wav"), "--soundfont", str(tmp_path / "none.sf2")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("orchestrion: error: ")
    assert err.count("\n") == 1
    assert "none.sf2" in err
    assert not out.exists()


@pytest.mark.parametrize(("args", "status", "message"), [
    (["--instruments", "piano,kazoo"], 1, "unknown instrument 'kazoo'; known instruments "
                                          "include piano"),
    (["--instruments", "127"], 1, "does not play"),
    (["--prompt", "x.mid"], 2, "--prompt needs --beats N"),
    (["--beats", "4"], 2, "--beats needs --prompt"),
    (["--prompt", "x.mid", "--beats", "4", "--instruments", "piano"], 2, "exclude each other"),
    (["--soundfont", "a.sf2"], 2, "--soundfont needs --render"),
    (["--render", "a.mp3"], 2, "--render must end in"),
    (["--plot", "a.jpg"], 2, "--plot must end in .png or .svg"),
    (["--n", "0"], 2, "must be >= 1"),
    (["--max-events", "500"], 1, "max_events must be 1-128"),
    (["--prompt", "missing.mid", "--beats", "2"], 1, "missing.mid: no such file"),
])
def test_errors(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                args: list[str], status: int, message: str) -> None:
    assert main(["generate", "--model", model, "-o", str(tmp_path / "s.mid"), *args]) == status
    err = capsys.readouterr().err
    assert message in err
    if status == 1:
        assert err.startswith("orchestrion: error: ")
        assert err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_missing_model_says_what_is_shipped(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from orchestrion.models.checkpoint import shipped

    if "mmt-small" not in shipped():
        assert main(["generate", "-o", str(tmp_path / "s.mid")]) == 1
        err = capsys.readouterr().err
        assert "'mmt-small' is not shipped" in err
        assert "shipped:" in err
    assert main(["generate", "--model", str(tmp_path / "nope"), "-o",
                 str(tmp_path / "s.mid")]) == 1
    assert "no checkpoint folder or shipped model" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_unknown_output_format_is_refused_before_loading(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    assert main(["generate", "-o", str(tmp_path / "s.xyz")]) == 1
    assert "unknown file extension" in capsys.readouterr().err
