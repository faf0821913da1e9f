"""``orchestrion train``: end to end with the debug model, resume, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("lightning")
torch = pytest.importorskip("torch")

from orchestrion.cli.main import main  # noqa: E402
from test_training import write_pieces  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def pieces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pieces(tmp_path_factory.mktemp("cli_train") / "pieces", n=8, beats=32)


def _training(out: Path) -> dict:
    return json.loads((out / "model" / "config.json").read_text(encoding="utf-8"))["training"]


def test_train_end_to_end_then_resume(pieces: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from orchestrion.models.checkpoint import load_checkpoint

    out = tmp_path / "run"
    args = ["train", "mmt", "--dataset", str(pieces), "--config", "debug", "--out", str(out),
            "--jobs", "1", "-q"]
    assert main([*args, "--max-steps", "20"]) == 0
    printed = capsys.readouterr().out
    assert f"model: {out / 'model'}" in printed
    assert "lightning checkpoints:" in printed
    checkpoint = load_checkpoint(out / "model")
    assert checkpoint.family == "mmt"
    meta = checkpoint.training
    assert meta["command"].startswith(f"orchestrion train mmt --dataset {pieces} --config "
                                      "debug")
    assert "--max-steps 20" in meta["command"]
    assert meta["steps"] == 20
    assert meta["best_step"] == 20
    assert 0 < meta["val_loss"] < 30
    assert meta["device"].startswith("cpu")
    assert meta["pieces"]["train"] >= 6
    assert (Path(meta["log"]) / "metrics.csv").is_file()
    assert (out / "lightning" / "last.ckpt").is_file()
    assert (out / "data" / "shards" / "mmt" / "train.npy").is_file()
    before = torch.load(out / "lightning" / "last.ckpt", weights_only=False)["global_step"]
    assert before == 20

    # 30 steps: a validation at step 20 (val_every) and one after the last step.
    assert main([*args, "--max-steps", "30", "--resume", "last"]) == 0
    after = torch.load(out / "lightning" / "last.ckpt", weights_only=False)["global_step"]
    assert after == 30 > before
    meta = _training(out)
    assert meta["steps"] == 30
    assert meta["resumed_from"] == str(out / "lightning" / "last.ckpt")
    assert meta["best_step"] in (20, 30)


@pytest.mark.parametrize(("extra", "message"), [
    (["--config", "huge"], "not a preset"),
    (["--resume", "nowhere.ckpt"], "no such Lightning checkpoint"),
    (["--accelerator", "gpu"], "no CUDA GPU"),
    (["--num-workers", "-1"], "--num-workers must be >= 0"),
])
def test_bad_options_are_one_line_errors(pieces: Path, tmp_path: Path, extra: list[str],
                                         message: str, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    if extra[0] == "--accelerator" and torch.cuda.is_available():
        pytest.skip("a GPU is present")
    code = main(["train", "mmt", "--dataset", str(pieces), "--out", str(tmp_path / "run"),
                 "-q", *extra])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("orchestrion: error:")
    assert message in err
    assert not (tmp_path / "run" / "data").exists()  # refused before preparing anything


def test_bad_config_files_and_data_sets_are_one_line_errors(
        pieces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("preset: debug\nbeat_window: 1000\n", encoding="utf-8")
    assert main(["train", "mmt", "--dataset", str(pieces), "--config", str(config),
                 "-q"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "bad.yaml" in err
    assert "beat_window must be <= max_beat" in err
    assert main(["train", "mmt", "--dataset", str(tmp_path / "missing"), "--config", "debug",
                 "--out", str(tmp_path / "run"), "-q"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "missing" in err
    assert main(["train", "gpt", "--dataset", str(pieces)]) == 2  # argparse's choices
