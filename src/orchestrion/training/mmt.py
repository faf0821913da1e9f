"""The Lightning module of the Multitrack Music Transformer.

:class:`MMTModule` wraps :class:`~orchestrion.models.mmt.MultitrackMusicTransformer`:

- ``training_step`` returns the model's loss (the sum of the six fields' cross-entropies) and
  logs ``train_loss``, ``train_loss_<field>`` and ``lr``;
- validation logs ``val_loss`` and ``val_loss_<field>``, averaged over the validation
  windows (each batch weighted by its size, summed over all processes under DDP), and keeps
  the best validation so far (:attr:`MMTModule.best`, saved in Lightning checkpoints);
- ``configure_optimizers``: Adam (``lr``) with the reference's schedule, stepped every
  optimiser step: linear warm-up over ``warmup`` steps, linear decay to ``final_lr * lr`` at
  ``decay_steps``, constant after (:func:`~orchestrion.training.config.lr_multiplier`).

The module's hyperparameters are plain dicts (the model's and the training's configs), so a
Lightning checkpoint rebuilds it with ``MMTModule.load_from_checkpoint(path)``.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from orchestrion.models.mmt import FIELDS, MMTConfig, MultitrackMusicTransformer
from orchestrion.training.config import TrainConfig, lr_multiplier
from orchestrion.training.module import ValidationRecord

__all__ = ["MMTModule"]


class MMTModule(ValidationRecord):
    """Training of an MMT of config ``model`` with the optimiser settings of ``train``
    (dicts from :meth:`MMTConfig.to_dict` and :meth:`TrainConfig.to_dict`)."""

    def __init__(self, model: dict[str, Any], train: dict[str, Any]) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.model_config = MMTConfig.from_dict(model)
        self.train_config = TrainConfig.from_dict(train)
        self.model = MultitrackMusicTransformer(self.model_config)
        # Validations are recorded as {"step", "loss", "fields": {name: loss}} (ValidationRecord).
        self._val_sums: torch.Tensor | None = None

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> Any:
        return self.model(tokens, mask)

    # --- training ---------------------------------------------------------------------------
    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        out = self.model(batch["tokens"], batch["mask"])
        size = int(batch["tokens"].shape[0])
        self.log("train_loss", out.loss, prog_bar=True, batch_size=size)
        self.log_dict({f"train_loss_{k}": v.detach() for k, v in out.field_losses.items()},
                      batch_size=size)
        self.log("lr", self.optimizers().param_groups[0]["lr"], prog_bar=False,
                 batch_size=size)
        return out.loss

    # --- validation -------------------------------------------------------------------------
    def on_validation_epoch_start(self) -> None:
        self._val_sums = torch.zeros(len(FIELDS) + 2, dtype=torch.float64, device=self.device)

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        out = self.model(batch["tokens"], batch["mask"])
        size = float(batch["tokens"].shape[0])
        values = [out.loss.detach().double() * size]
        values += [out.field_losses[name].detach().double() * size for name in FIELDS]
        values.append(torch.tensor(size, dtype=torch.float64, device=self.device))
        assert self._val_sums is not None
        self._val_sums += torch.stack([v.to(self.device) for v in values])

    def on_validation_epoch_end(self) -> None:
        sums = self._val_sums
        if sums is None:
            return
        sums = self.trainer.strategy.reduce(sums, reduce_op="sum")
        count = float(sums[-1].clamp(min=1.0))
        loss = float(sums[0]) / count
        fields = {name: float(sums[1 + f]) / count for f, name in enumerate(FIELDS)}
        # Already summed over processes: every rank holds the same value (sync_dist averages
        # equal values, and keeps Lightning from warning under DDP).
        self.log("val_loss", loss, prog_bar=True, sync_dist=True)
        self.log_dict({f"val_loss_{k}": v for k, v in fields.items()}, sync_dist=True)
        self.record_validation(loss=loss, fields=fields)

    # --- optimiser --------------------------------------------------------------------------
    def configure_optimizers(self) -> dict[str, Any]:
        c = self.train_config
        optimizer = torch.optim.Adam(self.model.parameters(), lr=c.lr)
        schedule = functools.partial(lr_multiplier, warmup=c.warmup,
                                     decay_steps=c.decay_steps, final=c.final_lr)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        return {"optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 1}}
