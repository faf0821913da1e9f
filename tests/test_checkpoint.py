"""Checkpoint folders: config.json + model.safetensors, round trips, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from orchestrion.errors import CheckpointError  # noqa: E402
from orchestrion.models.checkpoint import (  # noqa: E402
    CONFIG_FILE,
    WEIGHTS_FILE,
    load_checkpoint,
    resolve,
    save_checkpoint,
)
from orchestrion.models.mmt import MMTConfig, MultitrackMusicTransformer  # noqa: E402
from orchestrion.representations import get  # noqa: E402


def _model() -> tuple[MultitrackMusicTransformer, MMTConfig, object]:
    codec = get("mmt", max_beat=32)
    config = MMTConfig.from_codec(codec, "debug")
    torch.manual_seed(0)
    return MultitrackMusicTransformer(config), config, codec


def test_round_trip_gives_the_same_model(tmp_path: Path) -> None:
    model, config, codec = _model()
    folder = save_checkpoint(tmp_path / "ckpt", model, family="mmt", config=config,
                             codec=codec, training={"steps": 3})
    assert sorted(p.name for p in folder.iterdir()) == [CONFIG_FILE, WEIGHTS_FILE]
    meta = json.loads((folder / CONFIG_FILE).read_text())
    assert meta["family"] == "mmt"
    assert meta["codec"]["class"] == "mmt"
    assert meta["training"] == {"steps": 3}
    assert "torch" in meta["versions"]
    loaded = load_checkpoint(folder)
    assert loaded.config == config
    assert loaded.codec == codec
    assert not loaded.model.training
    # SOS, one instrument, start-of-notes, one note, EOS
    tokens = torch.tensor([[[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 0],
                            [3, 1, 1, 61, 5, 1], [4, 0, 0, 0, 0, 0]]])
    model.eval()
    with torch.no_grad():
        for a, b in zip(model(tokens).logits, loaded.model(tokens).logits, strict=True):
            torch.testing.assert_close(a, b)
    # Saving again replaces the folder whole.
    save_checkpoint(folder, loaded.model, family="mmt", config=config, codec=codec)
    assert json.loads((folder / CONFIG_FILE).read_text())["training"] == {}
    assert not list(tmp_path.glob(".ckpt*"))


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no checkpoint folder or shipped model"):
        resolve(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        load_checkpoint(tmp_path / "empty")
    model, config, codec = _model()
    folder = save_checkpoint(tmp_path / "c", model, family="mmt", config=config, codec=codec)
    meta = json.loads((folder / CONFIG_FILE).read_text())
    meta["config"]["d_model"] = 64
    (folder / CONFIG_FILE).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="do not fit"):
        load_checkpoint(folder)
    meta["format"] = 99
    (folder / CONFIG_FILE).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="newer"):
        load_checkpoint(folder)
    (folder / WEIGHTS_FILE).write_bytes(b"junk")
    meta["format"] = 1
    meta["config"]["d_model"] = 32
    (folder / CONFIG_FILE).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="unreadable"):
        load_checkpoint(folder)
    with pytest.raises(CheckpointError, match="unknown model family"):
        save_checkpoint(tmp_path / "x", model, family="nope", config=config, codec=codec)
