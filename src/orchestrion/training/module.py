"""What every family's LightningModule shares: the record of its validations.

:class:`ValidationRecord` keeps the latest validation (:attr:`last_val`) and the best one by
loss (:attr:`best`), each a dict with at least ``"step"`` and ``"loss"``, and saves both in
Lightning checkpoints, so a resumed run knows its best step. ``orchestrion.training.train``
reads :attr:`best` to pick the weights it writes.
"""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl

__all__ = ["ValidationRecord"]


class ValidationRecord(pl.LightningModule):
    """A LightningModule that records its validations (module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        #: The best validation so far (lowest ``"loss"``), or None.
        self.best: dict[str, Any] | None = None
        #: The latest validation, or None.
        self.last_val: dict[str, Any] | None = None

    def record_validation(self, **values: Any) -> None:
        """Record a validation at the current step (not Lightning's sanity check): ``values``
        holds ``loss`` and whatever else the family reports."""
        if self.trainer.sanity_checking:
            return
        record = {"step": int(self.global_step), **values}
        self.last_val = record
        if self.best is None or record["loss"] < self.best["loss"]:
            self.best = record

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["orchestrion"] = {"best": self.best, "last_val": self.last_val}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        state = checkpoint.get("orchestrion", {})
        self.best = state.get("best")
        self.last_val = state.get("last_val")
