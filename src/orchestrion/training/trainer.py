"""Training runs: data preparation, the Lightning ``Trainer``, and the final checkpoint.

:func:`train` does a whole run into a folder ``out``::

    out/data/                  the prepared data set (``--data-root``; incremental)
    out/logs/version_N/        metrics.csv (or TensorBoard events) and hparams.yaml
    out/lightning/             Lightning checkpoints: last.ckpt and best-step=N.ckpt
    out/model/                 the best weights as a self-describing checkpoint folder
                               (config.json + model.safetensors; ``load_checkpoint``)

Hardware (:func:`build_trainer`): ``accelerator`` ``auto`` picks a GPU when torch sees one;
precision ``auto`` is ``bf16-mixed`` on a GPU with bf16 (Ampere or later), else
``32-true``; more than one device (``devices`` x ``num_nodes``) uses the ``ddp`` strategy
(one process per device; on several nodes start the same command on every node with
Lightning's environment variables ``MASTER_ADDR``, ``MASTER_PORT``, ``NODE_RANK``, or
under SLURM). The batch size is per device.

Validation runs every ``val_every`` optimiser steps (across epoch boundaries) and once more
at the end when the last step was not a validation step, so the final weights are always
compared; early stopping watches ``val_loss``. The weights written to ``out/model`` are
those of the best validation; ``config.json``'s ``training`` entry records the command, the
data, the steps, the best validation losses, the time and the device.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.training.config import (
    RunConfigMethods,
    TrainConfig,
    TrainingError,
    resolve_config,
)

if TYPE_CHECKING:
    import lightning.pytorch as pl

__all__ = ["FAMILIES", "build_trainer", "config_class", "hardware", "train"]

#: Model families that can be trained.
FAMILIES = ("mmt", "arranger")
#: Lightning's warnings that say nothing to a user of ``orchestrion train``.
QUIET = (r".*does not have many workers.*", r".*smaller than the logging interval.*",
         r".*Checkpoint directory .* exists and is not empty.*",
         r".*Experiment logs directory .* exists and is not empty.*", r".*LeafSpec.*")


def hardware(config: TrainConfig) -> dict[str, Any]:
    """The resolved ``accelerator`` (``cpu`` or ``gpu``), ``precision`` and ``strategy`` of
    ``config`` (module docstring for the rules)."""
    import torch

    accelerator = config.accelerator
    if accelerator == "auto":
        accelerator = "gpu" if torch.cuda.is_available() else "cpu"
    elif accelerator == "cuda":
        accelerator = "gpu"
    if accelerator == "gpu" and not torch.cuda.is_available():
        raise TrainingError("accelerator gpu: torch sees no CUDA GPU here (use --accelerator "
                            "cpu or auto)")
    precision = config.precision
    if precision == "auto":
        precision = "bf16-mixed" if accelerator == "gpu" and torch.cuda.is_bf16_supported() \
            else "32-true"
    strategy = config.strategy
    if strategy == "auto" and config.devices * config.num_nodes > 1:
        strategy = "ddp"
    return {"accelerator": accelerator, "precision": precision, "strategy": strategy}


def build_trainer(config: TrainConfig, out: str | os.PathLike[str], *,
                  progress: bool | None = None) -> pl.Trainer:
    """The Lightning ``Trainer`` of ``config`` writing under ``out`` (module docstring):
    checkpointing (last and best by ``val_loss``), early stopping, a CSV or TensorBoard
    logger under ``out/logs``, validation every ``val_every`` steps."""
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    out = Path(out)
    hw = hardware(config)
    checkpoints = ModelCheckpoint(dirpath=out / "lightning", filename="best-{step}",
                                  monitor="val_loss", mode="min", save_top_k=1,
                                  save_last=True)
    callbacks: list[Any] = [checkpoints]
    if config.patience:
        callbacks.append(EarlyStopping(monitor="val_loss", mode="min",
                                       patience=config.patience))
    if config.logger == "tensorboard":
        try:
            from lightning.pytorch.loggers import TensorBoardLogger
            logger: Any = TensorBoardLogger(out / "logs", name="")
        except ModuleNotFoundError as error:
            raise TrainingError(f"logger tensorboard needs the tensorboard package ({error});"
                                f" pip install tensorboard, or use logger csv") from None
    else:
        from lightning.pytorch.loggers import CSVLogger
        logger = CSVLogger(out / "logs", name="")
    show = config.progress if progress is None else progress
    return pl.Trainer(
        accelerator=hw["accelerator"], devices=config.devices, num_nodes=config.num_nodes,
        strategy=hw["strategy"], precision=hw["precision"], max_steps=config.max_steps,
        max_epochs=-1, val_check_interval=config.val_every, check_val_every_n_epoch=None,
        limit_val_batches=config.val_batches if config.val_batches is not None else 1.0,
        gradient_clip_val=config.grad_clip or None, callbacks=callbacks, logger=logger,
        log_every_n_steps=config.log_every, enable_progress_bar=show,
        enable_model_summary=show, default_root_dir=str(out))


def _device(hw: dict[str, Any], config: TrainConfig) -> str:
    import torch

    if hw["accelerator"] == "gpu":
        name = torch.cuda.get_device_name(0)
        return f"{config.num_nodes * config.devices} x {name} ({hw['precision']})"
    cpu = platform.processor() or platform.machine()
    return (f"cpu {cpu} ({os.cpu_count()} cores, {torch.get_num_threads()} threads, "
            f"{hw['precision']})")


def train(family: str, dataset: str | os.PathLike[str], *,
          config: str | os.PathLike[str] | RunConfigMethods | None = None,
          out: str | os.PathLike[str] | None = None,
          data_root: str | os.PathLike[str] | None = None,
          resume: str | os.PathLike[str] | None = None, jobs: int = 1,
          command: str | None = None, echo: Callable[[str], None] | None = None,
          **overrides: Any) -> Path:
    """Train a model of ``family`` (``"mmt"`` or ``"arranger"``) on ``dataset`` and return
    the checkpoint folder ``out/model`` of the best weights.

    Args:
        family: The model family (:data:`FAMILIES`).
        dataset: A catalog name, a music21 collection name or a folder of music files
            (``orchestrion.datasets.get``).
        config: A preset name, a YAML/JSON config file or a config object: for ``mmt`` a
            :class:`TrainConfig` (presets ``debug``, ``small`` (default), ``paper``), for
            ``arranger`` an :class:`~orchestrion.training.arranger_config.ArrangerTrainConfig`
            (presets ``paper`` (default), ``debug``).
        out: The run's folder (module docstring for its layout; default ``runs/FAMILY``).
        data_root: Where the data set is prepared (default ``out/data``).
        resume: A Lightning checkpoint to continue from (``last``: ``out/lightning/
            last.ckpt``): weights, optimiser, schedule, step and early-stopping state.
        jobs: Worker processes for the data preparation.
        command: The command line recorded in the checkpoint (default ``sys.argv``).
        echo: Called with a line for each stage (data, model, result); None: silent.
        **overrides: config fields that replace the config's (``None`` ignored):
            ``max_steps``, ``batch_size``, ``devices``, ``accelerator``, ``kind``, ...
    """
    if family not in FAMILIES:
        raise TrainingError(f"no trainable model family {family!r}; the families are: "
                            f"{', '.join(FAMILIES)}")
    cfg = resolve_config(config, *config_class(family)).replace(**overrides)
    hw = hardware(cfg)  # fail before preparing the data
    say = echo or (lambda _line: None)
    out = Path(out if out is not None else f"runs/{family}").expanduser()
    root = Path(data_root).expanduser() if data_root is not None else out / "data"
    ckpt = _resume_path(resume, out)
    if command is None:
        command = shlex.join(["orchestrion", *sys.argv[1:]]) if sys.argv else ""

    from orchestrion.datasets import prepare

    storage = cfg.storage_codec() if family == "mmt" else cfg.codec(str(dataset))
    say(f"preparing {dataset} under {root} ...")
    prepared = prepare(dataset, root, representation=storage, splits=cfg.splits,
                       jobs=jobs, progress=cfg.progress and sys.stderr.isatty())
    splits = ", ".join(f"{k} {v}" for k, v in prepared.splits.items())
    say(f"data: {prepared.pieces} pieces ({splits}), {len(prepared.failures)} failed; "
        f"shards {prepared.shards}")

    import lightning.pytorch as pl
    import torch

    assert prepared.shards is not None
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    build = _build_mmt if family == "mmt" else _build_arranger
    module, data, model_config, codec = build(cfg, prepared.shards, storage)
    data.setup()
    assert data.train_set is not None
    assert data.val_set is not None
    unit, key = ("windows", "windows") if family == "mmt" else ("pieces used", "pieces_used")
    say(f"model: {family} {_describe(cfg, model_config)}, "
        f"{module.model.num_parameters() / 1e6:.2f} M parameters; {unit}: "
        f"{len(data.train_set)} train, {len(data.val_set)} valid "
        f"({data.train_set.skipped + data.val_set.skipped} pieces skipped as too short)")
    trainer = build_trainer(cfg, out)
    started = time.perf_counter()
    first_step = 0
    if ckpt is not None:
        first_step = int(torch.load(ckpt, map_location="cpu", weights_only=False)
                         .get("global_step", 0))
    with warnings.catch_warnings():
        for pattern in QUIET:
            warnings.filterwarnings("ignore", message=pattern)
        trainer.fit(module, datamodule=data, ckpt_path=None if ckpt is None else str(ckpt))
        seconds = time.perf_counter() - started
        if module.last_val is None or module.last_val["step"] != trainer.global_step:
            trainer.validate(module, datamodule=data, verbose=False)
    if not trainer.is_global_zero:
        return out / "model"
    best = module.best
    if best is None:
        raise TrainingError("training ended without a validation; nothing to save")
    _load_best(module, trainer, best)
    stopped = trainer.global_step < cfg.max_steps and not trainer.interrupted
    steps = trainer.global_step - first_step
    log_dir = getattr(trainer.logger, "log_dir", None)
    meta = {
        "command": command, "dataset": str(dataset), "dataset_name": prepared.dataset,
        "data_root": str(root), "pieces": dict(prepared.splits),
        key: {"train": len(data.train_set), "valid": len(data.val_set)},
        "config": cfg.to_dict(), "steps": int(trainer.global_step),
        "best_step": int(best["step"]), "val_loss": best["loss"],
        **({"val_losses": best["fields"]} if family == "mmt"
           else {"val_accuracy": best["accuracy"]}),
        "stopped_early": bool(stopped), "resumed_from": None if ckpt is None else str(ckpt),
        "seconds": round(seconds, 2),
        "steps_per_second": round(steps / seconds, 3) if seconds > 0 else None,
        "device": _device(hw, cfg), "precision": hw["precision"], "strategy": hw["strategy"],
        "lightning": pl.__version__, "log": None if log_dir is None else str(log_dir),
    }
    from orchestrion.models.checkpoint import save_checkpoint
    folder = save_checkpoint(out / "model", module.model, family=family, config=model_config,
                             codec=codec, training=meta)
    say(f"trained {steps} steps in {seconds:.0f} s ({meta['steps_per_second']} steps/s) on "
        f"{meta['device']}; best val_loss {best['loss']:.4f} at step {best['step']}"
        + (" (stopped early)" if stopped else ""))
    return folder


def config_class(family: str) -> tuple[type[Any], str]:
    """The config class of ``family`` and its default preset."""
    if family == "mmt":
        return TrainConfig, "small"
    from orchestrion.training.arranger_config import ArrangerTrainConfig
    return ArrangerTrainConfig, "paper"


def _describe(cfg: Any, model_config: Any) -> str:
    """``small`` (an MMT's size) or ``bilstm + duration`` (an arranger's kind and inputs)."""
    kind = getattr(model_config, "kind", None)
    if kind is not None:
        extras = [name for name, on in (("duration", model_config.use_duration),
                                        ("entry hints", model_config.entry_hints),
                                        ("pitch hints", model_config.pitch_hints)) if on]
        return kind + (f" + {', '.join(extras)}" if extras else "")
    return str(cfg.size)


def _build_mmt(cfg: Any, shards: Path, storage: Any) -> tuple[Any, Any, Any, Any]:
    """The MMT's module, data module, model config and codec."""
    from orchestrion.models.mmt import MMTConfig
    from orchestrion.training.data import MMTDataModule
    from orchestrion.training.mmt import MMTModule

    codec = cfg.codec()
    try:
        model_config = MMTConfig.from_codec(codec, cfg.size, max_seq_len=cfg.seq_len,
                                            **cfg.model)
    except (TypeError, ValueError) as error:
        raise TrainingError(f"training config: model: {error}") from None
    return (MMTModule(model_config.to_dict(), cfg.to_dict()), MMTDataModule(shards, cfg),
            model_config, codec)


def _build_arranger(cfg: Any, shards: Path, codec: Any) -> tuple[Any, Any, Any, Any]:
    """The arranger's module, data module, model config and codec (the ``parts`` codec)."""
    from orchestrion.models.arranger import ArrangerConfig
    from orchestrion.training.arranger import ArrangerDataModule, ArrangerModule

    make = ArrangerConfig.preset if cfg.size == "paper" else ArrangerConfig.debug
    try:
        model_config = make(cfg.kind, codec.n_parts, resolution=codec.resolution, **cfg.model)
    except (TypeError, ValueError) as error:
        raise TrainingError(f"training config: model: {error}") from None
    return (ArrangerModule(model_config.to_dict(), cfg.to_dict()),
            ArrangerDataModule(shards, cfg, max_duration=model_config.max_duration),
            model_config, codec)


def _resume_path(resume: str | os.PathLike[str] | None, out: Path) -> Path | None:
    if resume is None:
        return None
    path = out / "lightning" / "last.ckpt" if str(resume) == "last" else \
        Path(resume).expanduser()
    if not path.is_file():
        raise TrainingError(f"--resume {resume}: no such Lightning checkpoint ({path})")
    return path


def _load_best(module: Any, trainer: pl.Trainer, best: dict[str, Any]) -> None:
    """Put the weights of the best validation into ``module`` (they are the current ones
    when the best was the final validation, else those of the best Lightning checkpoint)."""
    import torch

    if best["step"] == trainer.global_step:
        return
    path = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
    if not path or not Path(path).is_file():
        raise TrainingError(f"the best checkpoint (step {best['step']}) is missing: {path!r}")
    state = torch.load(path, map_location="cpu", weights_only=False)["state_dict"]
    module.load_state_dict(state)
