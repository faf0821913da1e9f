"""Training with PyTorch Lightning: one LightningModule per model family, data modules over
the prepared shards of ``orchestrion.datasets``, and the Trainer built from a config (CPU,
one GPU, or several GPUs and nodes with DDP).

- :class:`TrainConfig`, its presets (``debug``, ``small``, ``paper``) and config files
  (``config.py``; no torch);
- :func:`train`: a whole run into a folder, ending in a self-describing checkpoint
  (``trainer.py``);
- :class:`~orchestrion.training.mmt.MMTModule` and
  :class:`~orchestrion.training.data.MMTDataModule` for the Multitrack Music Transformer
  (``mmt.py``, ``data.py``; they import torch and Lightning), and the arranger's
  (``arranger.py``, config in ``arranger_config.py``); both modules record their
  validations through :class:`~orchestrion.training.module.ValidationRecord`.

``import orchestrion.training`` imports neither torch nor Lightning; :func:`train` does.
"""

from __future__ import annotations

from orchestrion.training.config import (
    PRESETS,
    TrainConfig,
    TrainingError,
    load_config,
    lr_multiplier,
    resolve_config,
)
from orchestrion.training.trainer import build_trainer, train

__all__ = ["PRESETS", "TrainConfig", "TrainingError", "build_trainer", "load_config",
           "lr_multiplier", "resolve_config", "train"]
