"""The checkpoints shipped in ``orchestrion/assets``: present, small, self-describing, and
they generate valid music from the command line's default name."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from orchestrion.models.checkpoint import (  # noqa: E402
    CONFIG_FILE,
    WEIGHTS_FILE,
    assets_folder,
    load_checkpoint,
    shipped,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_mmt_small_is_shipped_small_and_says_how_it_was_trained() -> None:
    assert "mmt-small" in shipped()
    folder = assets_folder() / "mmt-small"
    assert (folder / WEIGHTS_FILE).stat().st_size < 20 * 1024 * 1024
    meta = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    training = meta["training"]
    assert "orchestrion train mmt --dataset multipart" in training["command"]
    assert training["val_loss"] < 6.0
    for name in ("train.yaml", "metrics.csv", "samples.json", "MODEL.md"):
        assert (folder / name).is_file(), name


def test_mmt_small_generates_the_requested_instruments() -> None:
    from orchestrion.pipelines import MMTPipeline

    checkpoint = load_checkpoint("mmt-small")
    assert checkpoint.config.max_seq_len >= 512
    pipeline = MMTPipeline.from_pretrained("mmt-small")
    first = pipeline.generate(instruments="violin,viola,cello", seed=3, max_events=96)[0]
    again = pipeline.generate(instruments="violin,viola,cello", seed=3, max_events=96)[0]
    assert first == again
    assert first.n_notes > 20
    assert {track.program for track in first.tracks} <= {40, 41, 42}
