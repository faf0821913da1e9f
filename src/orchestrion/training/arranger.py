"""Training of the automatic-instrumentation models: data, Lightning module, recipe.

- :class:`NoteCrops`: the pieces of a ``parts`` shard split as model inputs. Training: a
  random crop of ``crop`` consecutive notes (the whole piece when shorter) transposed by a
  uniform shift in ``transpose`` clipped to what the piece allows
  (:class:`~orchestrion.datasets.loaders.ShardDataset` does both); validation: the first
  ``val_notes`` notes, untransposed. Features
  (:func:`~orchestrion.models.arranger.features`) are computed on the crop, so entry hints
  mark where each part first sounds *in the crop*.
- batches are padded by :func:`orchestrion.models.arranger.batching.collate_notes`.
- :class:`ArrangerModule`: training loss (cross-entropy over the notes), validation loss and
  note accuracy (summed over the batches and processes, so they are exact per note), the
  best validation (lowest loss) kept in Lightning checkpoints; Adam with a constant rate.
- :class:`ArrangerDataModule`: the loaders.

The run itself is :func:`orchestrion.training.train` with family ``"arranger"``.
"""

from __future__ import annotations

import os
from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from orchestrion.datasets.loaders import ShardDataset
from orchestrion.errors import DatasetError
from orchestrion.models.arranger import ArrangerConfig, ArrangerModel
from orchestrion.models.arranger.batching import collate_notes, feature_tensors
from orchestrion.training.arranger_config import ArrangerTrainConfig
from orchestrion.training.module import ValidationRecord

__all__ = ["ArrangerDataModule", "ArrangerModule", "NoteCrops"]

class NoteCrops(Dataset):
    """The pieces of split ``split`` of the ``parts`` shards in ``folder`` as model inputs
    (module docstring); pieces with fewer than ``min_notes`` notes are left out and counted
    in :attr:`skipped`."""

    def __init__(self, folder: str | os.PathLike[str], split: str, *, length: int,
                 train: bool, transpose: tuple[int, int] | None = None, min_notes: int = 0,
                 seed: int | None = None, max_duration: int = 192) -> None:
        self.source = ShardDataset(folder, split, max_length=length,
                                   window="random" if train else "start",
                                   transpose=transpose if train else None, seed=seed)
        self.codec = self.source.shard.representation
        if self.codec.name != "parts":
            raise DatasetError(f"{folder}: shards of {self.codec.name!r}, not parts")
        self.max_duration = int(max_duration)
        lengths = self.source.shard.lengths
        self.pieces = np.flatnonzero(lengths >= max(min_notes, 1))
        self.skipped = len(lengths) - len(self.pieces)

    def __len__(self) -> int:
        return len(self.pieces)

    def __getitem__(self, j: int) -> dict[str, torch.Tensor]:
        rows = self.source[int(self.pieces[j])]["tokens"].numpy()
        return feature_tensors(rows, self.codec.n_parts, resolution=self.codec.resolution,
                               max_duration=self.max_duration)


class ArrangerDataModule(pl.LightningDataModule):
    """Train and validation loaders of :class:`NoteCrops` over a ``parts`` shard folder."""

    def __init__(self, shards: str | os.PathLike[str], config: ArrangerTrainConfig,
                 max_duration: int = 192) -> None:
        super().__init__()
        self.shards = str(shards)
        self.config = config
        self.max_duration = max_duration
        self.train_set: NoteCrops | None = None
        self.val_set: NoteCrops | None = None

    def _crops(self, split: str, train: bool) -> NoteCrops:
        c = self.config
        data = NoteCrops(self.shards, split, length=c.crop if train else c.val_notes,
                         train=train, transpose=c.transpose, min_notes=c.min_notes,
                         seed=c.seed, max_duration=self.max_duration)
        if not len(data):
            raise DatasetError(f"{self.shards}: no piece with at least {c.min_notes} notes in "
                               f"split {split!r}")
        return data

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is None:
            self.train_set = self._crops("train", True)
            self.val_set = self._crops("valid", False)

    def _loader(self, data: NoteCrops | None, shuffle: bool) -> DataLoader:
        self.setup()
        workers = self.config.num_workers
        return DataLoader(data or (self.train_set if shuffle else self.val_set),
                          batch_size=self.config.batch_size, shuffle=shuffle,
                          num_workers=workers, collate_fn=collate_notes,
                          persistent_workers=workers > 0, pin_memory=torch.cuda.is_available())

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_set, False)


class ArrangerModule(ValidationRecord):
    """Training of an :class:`~orchestrion.models.arranger.ArrangerModel` of config ``model``
    with the settings of ``train`` (dicts of :class:`ArrangerConfig` and
    :class:`ArrangerTrainConfig`)."""

    def __init__(self, model: dict[str, Any], train: dict[str, Any]) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.model_config = ArrangerConfig.from_dict(model)
        self.train_config = ArrangerTrainConfig.from_dict(train)
        self.model = ArrangerModel(self.model_config)
        # Validations are recorded as {"step", "loss", "accuracy", "notes"} (ValidationRecord).
        self._sums: torch.Tensor | None = None

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        out = self.model(batch)
        assert out.loss is not None
        notes = int(batch["mask"].sum())
        correct = (out.logits.argmax(-1) == batch["labels"]) & batch["mask"]
        self.log("train_loss", out.loss, prog_bar=True, batch_size=notes)
        self.log("train_accuracy", correct.sum().float() / max(notes, 1), batch_size=notes)
        return out.loss

    def on_validation_epoch_start(self) -> None:
        self._sums = torch.zeros(3, dtype=torch.float64, device=self.device)

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        out = self.model(batch)
        assert out.loss is not None
        assert self._sums is not None
        mask = batch["mask"]
        notes = mask.sum()
        correct = ((out.logits.argmax(-1) == batch["labels"]) & mask).sum()
        self._sums += torch.stack([out.loss.detach().double() * notes, correct.double(),
                                   notes.double()])

    def on_validation_epoch_end(self) -> None:
        if self._sums is None:
            return
        sums = self.trainer.strategy.reduce(self._sums, reduce_op="sum")
        notes = float(sums[2].clamp(min=1.0))
        loss, accuracy = float(sums[0]) / notes, float(sums[1]) / notes
        self.log("val_loss", loss, prog_bar=True, sync_dist=True)
        self.log("val_accuracy", accuracy, prog_bar=True, sync_dist=True)
        self.record_validation(loss=loss, accuracy=accuracy, notes=int(sums[2]))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.model.parameters(), lr=self.train_config.lr)
