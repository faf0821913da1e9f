"""Training: the config and its files, the schedule, the MMT windows, the Trainer's set-up,
and a tiny model that learns (orchestrion.training)."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lightning")
torch = pytest.importorskip("torch")

import orchestrion  # noqa: E402
from orchestrion import Music, Note, Track  # noqa: E402
from orchestrion.training import (  # noqa: E402
    TrainConfig,
    TrainingError,
    load_config,
    lr_multiplier,
    resolve_config,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def write_pieces(folder: Path, n: int = 10, beats: int = 48) -> Path:
    """``n`` three-track MIDI pieces (piano, violin, viola) of ``beats`` quarter notes each:
    a repeated scale figure, transposed by piece, so that a tiny model can learn it."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        tracks = []
        for program, base in ((0, 60), (40, 72), (41, 48)):
            notes = [Note(time=beat * 24, pitch=base + (0, 2, 4, 5, 7, 5, 4, 2)[beat % 8]
                          + k % 3, duration=24, velocity=64) for beat in range(beats)]
            tracks.append(Track(program=program, notes=notes))
        orchestrion.write(Music(resolution=24, tracks=tracks), folder / f"piece{k}.mid")
    return folder


@pytest.fixture(scope="module")
def pieces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pieces(tmp_path_factory.mktemp("train") / "pieces")


@pytest.fixture(scope="module")
def shards(pieces: Path) -> Path:
    from orchestrion.datasets import prepare

    config = TrainConfig.preset("debug")
    result = prepare(pieces, pieces.parent / "data", representation=config.storage_codec(),
                     jobs=1, progress=False)
    assert result.shards is not None
    return result.shards


# ------------------------------------------------------------------------------ config


def test_presets_and_overrides() -> None:
    paper = TrainConfig.preset("paper")
    assert (paper.lr, paper.warmup, paper.decay_steps, paper.final_lr) == (5e-4, 5000,
                                                                          100_000, 0.1)
    assert (paper.batch_size, paper.grad_clip, paper.val_every, paper.patience) == (8, 1.0,
                                                                                     1000, 20)
    assert (paper.transpose, paper.beat_window, paper.seq_len) == ((-5, 6), 256, 1024)
    small = resolve_config("small")
    assert small.size == "small"
    assert small.seq_len == 512
    debug = resolve_config("debug").replace(max_steps=7, batch_size=None)
    assert (debug.max_steps, debug.batch_size) == (7, 4)
    assert TrainConfig.from_dict(debug.to_dict()) == debug


@pytest.mark.parametrize(("overrides", "message"), [
    ({"size": "huge"}, "size must be one of"),
    ({"beat_window": 512}, "beat_window must be <= max_beat"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1"),
    ({"transpose": (3, -3)}, "transpose needs low <= high"),
    ({"accelerator": "tpu"}, "accelerator must be one of"),
    ({"learning_rate": 1.0}, "unknown field"),
])
def test_bad_configs_name_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(TrainingError, match=message):
        TrainConfig.preset("debug", **overrides)


def test_yaml_and_json_config_files(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("preset: debug\nlr: 5e-4\nbatch_size: 2\ntranspose: [-3, 3]\n"
                    "model: {nested: true}\n", encoding="utf-8")
    config = load_config(path)
    assert (config.size, config.lr, config.batch_size) == ("debug", 5e-4, 2)
    assert config.transpose == (-3, 3)
    assert config.model == {"nested": True}
    assert resolve_config(str(path)) == config
    path = tmp_path / "run.json"
    path.write_text('{"max_steps": 9}', encoding="utf-8")
    assert load_config(path).max_steps == 9
    assert load_config(path).size == "paper"
    path.write_text('{"max_step": 9}', encoding="utf-8")
    with pytest.raises(TrainingError, match=r"run\.json.*unknown field.*max_step"):
        load_config(path)
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(TrainingError, match="not valid JSON"):
        load_config(path)
    with pytest.raises(TrainingError, match="not a preset"):
        resolve_config("tiny")


# ------------------------------------------------------------------------------ schedule


def test_lr_multiplier_is_the_reference_schedule() -> None:
    assert lr_multiplier(0, 5000, 100_000, 0.1) == pytest.approx(1 / 5000)
    assert lr_multiplier(4999, 5000, 100_000, 0.1) == pytest.approx(1.0)
    assert lr_multiplier(5000, 5000, 100_000, 0.1) == pytest.approx(1.0)
    assert lr_multiplier(52_500, 5000, 100_000, 0.1) == pytest.approx(0.55)
    assert lr_multiplier(100_000, 5000, 100_000, 0.1) == pytest.approx(0.1)
    assert lr_multiplier(150_000, 5000, 100_000, 0.1) == pytest.approx(0.1)


def test_the_optimiser_follows_the_schedule_step_by_step() -> None:
    from orchestrion.models.mmt import MMTConfig
    from orchestrion.training.mmt import MMTModule

    train = TrainConfig.preset("debug", lr=2e-3, warmup=4, decay_steps=12, final_lr=0.25)
    module = MMTModule(MMTConfig.debug().to_dict(), train.to_dict())
    setup = module.configure_optimizers()
    optimizer, scheduler = setup["optimizer"], setup["lr_scheduler"]["scheduler"]
    assert isinstance(optimizer, torch.optim.Adam)
    assert setup["lr_scheduler"]["interval"] == "step"
    seen = []
    for _ in range(16):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    expected = [2e-3 * lr_multiplier(s, 4, 12, 0.25) for s in range(16)]
    assert seen == pytest.approx(expected)
    assert seen[3] == pytest.approx(2e-3)
    assert seen[8] == pytest.approx(2e-3 * (1 - 0.75 * 4 / 8))
    assert seen[15] == pytest.approx(5e-4)


# ------------------------------------------------------------------------------ data


def test_training_windows_are_grammatical_songs_of_the_model_codec(shards: Path) -> None:
    from orchestrion.training.data import MMTWindows

    config = TrainConfig.preset("debug", beat_window=16, max_seq_len=40)
    codec = config.codec()
    data = MMTWindows(shards, "train", beat_window=16, max_len=40, train=True,
                      transpose=(-5, 6), seed=1)
    assert len(data) == 8
    assert data.skipped == 0
    starts = set()
    for _ in range(3):
        for j in range(len(data)):
            tokens = data[j]["tokens"].numpy()
            codec.check(tokens)  # the grammar, and every code inside the vocabulary
            assert len(tokens) <= 40
            assert tokens[-1, 0] == 4  # end-of-song kept after truncation
            assert list(tokens[:5, 0]) == [0, 1, 1, 1, 2]  # the header: 3 instruments
            notes = tokens[tokens[:, 0] == 3]
            assert notes[:, 1].min() == 1
            assert notes[:, 1].max() <= 16
            starts.add((int(data[j]["index"]), int(notes[0, 3])))
    assert len(starts) > len(data)  # random windows and shifts differ between draws


def test_transposition_stays_in_range_and_validation_is_fixed(shards: Path) -> None:
    from orchestrion.training.data import MMTWindows, start_window

    data = MMTWindows(shards, "train", beat_window=16, max_len=128, train=True,
                      transpose=(-5, 6), seed=3)
    window = start_window(np.asarray(data.shard[0]), 16)
    high = window.copy()
    high[high[:, 0] == 3, 3] += 125 - high[high[:, 0] == 3, 3].max()  # highest pitch 124
    rng = np.random.default_rng(0)
    shifts = {data.shift(high, rng) for _ in range(300)}
    assert shifts == set(range(-5, 4))  # clipped at 127 - 124 = 3
    low = window.copy()
    low[low[:, 0] == 3, 3] -= low[low[:, 0] == 3, 3].min() - 3  # lowest pitch 2
    assert {data.shift(low, rng) for _ in range(300)} == set(range(-2, 7))
    valid = MMTWindows(shards, "valid", beat_window=16, max_len=128, train=False,
                       transpose=(-5, 6), seed=3)
    first, again = valid[0]["tokens"], valid[0]["tokens"]
    assert torch.equal(first, again)
    piece = np.asarray(valid.shard[int(valid.pieces[0])])
    assert np.array_equal(first.numpy(), start_window(piece, 16))
    original = piece[piece[:, 0] == 3, 3]
    assert first.numpy()[first.numpy()[:, 0] == 3, 3].tolist() == original[:len(
        first.numpy()[first.numpy()[:, 0] == 3])].tolist()  # untransposed


def test_short_pieces_are_skipped_and_datasets_pickle(shards: Path) -> None:
    from orchestrion.training.data import MMTWindows

    data = MMTWindows(shards, "train", beat_window=16, max_len=64, train=True,
                      min_notes=145, min_beats=1)  # each piece has 3 x 48 = 144 notes
    assert (len(data), data.skipped) == (0, 8)
    data = MMTWindows(shards, "train", beat_window=16, max_len=64, train=True,
                      min_notes=144, min_beats=48, seed=0)
    assert len(data) == 8
    copy = pickle.loads(pickle.dumps(data))
    assert len(pickle.dumps(data)) < 10_000  # no data inside
    assert copy[0]["tokens"].shape[1] == 6


# ------------------------------------------------------------------------------ trainer


def test_trainer_configuration_cpu_and_ddp(tmp_path: Path) -> None:
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
    from lightning.pytorch.strategies import DDPStrategy

    from orchestrion.training import build_trainer
    from orchestrion.training.trainer import hardware

    config = TrainConfig.preset("debug", accelerator="cpu")
    assert hardware(config) == {"accelerator": "cpu", "precision": "32-true",
                                "strategy": "auto"}
    trainer = build_trainer(config, tmp_path, progress=False)
    assert trainer.max_steps == 200
    assert trainer.val_check_interval == 20
    assert trainer.check_val_every_n_epoch is None
    assert trainer.gradient_clip_val == 1.0
    assert any(isinstance(c, EarlyStopping) and c.patience == 5 for c in trainer.callbacks)
    checkpoint = trainer.checkpoint_callback
    assert isinstance(checkpoint, ModelCheckpoint)
    assert (checkpoint.monitor, checkpoint.save_last) == ("val_loss", True)
    assert Path(checkpoint.dirpath) == tmp_path / "lightning"
    ddp = config.replace(devices=2)
    assert hardware(ddp)["strategy"] == "ddp"
    trainer = build_trainer(ddp, tmp_path, progress=False)
    assert isinstance(trainer.strategy, DDPStrategy)
    assert trainer.num_devices == 2
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="no CUDA GPU"):
            hardware(config.replace(accelerator="gpu"))


def _val_losses(log_dir: Path) -> list[float]:
    with (log_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return [float(row["val_loss"]) for row in csv.DictReader(handle) if row["val_loss"]]


def test_a_tiny_model_learns_the_tiny_set(pieces: Path, tmp_path: Path) -> None:
    from orchestrion.models.checkpoint import load_checkpoint
    from orchestrion.training import train

    folder = train("mmt", pieces, config="debug", out=tmp_path / "run",
                   data_root=pieces.parent / "data", max_steps=80, val_every=20,
                   progress=False, transpose=None)
    checkpoint = load_checkpoint(folder)
    meta = checkpoint.training
    losses = _val_losses(Path(meta["log"]))
    assert len(losses) == 4
    assert losses[-1] < losses[0] - 3.0, losses  # ~18 -> ~7 in practice
    assert meta["val_loss"] == pytest.approx(min(losses))
    assert meta["steps"] == 80
    assert set(meta["val_losses"]) == {"type", "beat", "position", "pitch", "duration",
                                       "instrument"}
    assert checkpoint.config.max_seq_len == 128
    assert checkpoint.codec.max_beat == 256
