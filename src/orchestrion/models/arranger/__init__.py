"""Automatic instrumentation: predict each note's part in a downmixed piece (Dong, Donahue,
Berg-Kirkpatrick and McAuley, "Towards Automatic Instrumentation by Learning to Separate
Parts in Symbolic Multitrack Music", ISMIR 2021, arXiv 2107.05916).

- ``features.py`` (numpy): the model inputs of a note sequence (pitch, beat, position,
  duration, entry hints, pitch hints) and :func:`accuracy_report`;
- ``baselines.py`` (numpy): most-common label, zone-based, closest-pitch (plain and mono);
- :class:`ArrangerConfig` (``config.py``) and :class:`ArrangerModel` (``model.py``, torch):
  online LSTM, offline BiLSTM, online and offline transformer.

A piece is an ``int`` array of rows ``(time, pitch, duration, part)`` sorted by time, pitch
and duration: the ``parts`` codec (:mod:`orchestrion.representations.parts`).

Importing this package does not import torch; :class:`ArrangerModel` does, on first use.
"""

from __future__ import annotations

from typing import Any

from orchestrion.models.arranger.baselines import (
    BASELINES,
    Baseline,
    ClosestPitch,
    MostCommon,
    ZoneBased,
    baseline,
)
from orchestrion.models.arranger.config import KINDS, ArrangerConfig
from orchestrion.models.arranger.features import accuracy_report, features

__all__ = ["BASELINES", "KINDS", "ArrangerConfig", "ArrangerModel", "ArrangerOutput",
           "Baseline", "ClosestPitch", "MostCommon", "ZoneBased", "accuracy_report",
           "baseline", "features"]


def __getattr__(name: str) -> Any:
    if name in ("ArrangerModel", "ArrangerOutput"):
        from orchestrion.models.arranger import model
        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
