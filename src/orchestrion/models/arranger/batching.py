"""Model inputs as tensors: one piece's features, and padded batches of them.

:func:`feature_tensors` turns the rows of a piece (the ``parts`` codec's ``(time, pitch,
duration[, part])``) into the tensors :class:`~orchestrion.models.arranger.ArrangerModel`
reads (:func:`~orchestrion.models.arranger.features` in torch dtypes); :func:`collate_notes`
pads several on the right (``pitch`` 0, ``labels`` -100) and adds ``mask``. Training
(``orchestrion.training.arranger``) and inference (``orchestrion.pipelines.arranger``)
both batch through here. Imports torch.
"""

from __future__ import annotations

import numpy as np
import torch

from orchestrion.models.arranger.features import features

__all__ = ["PAD", "collate_notes", "feature_tensors"]

#: Padding value of each input (labels: ignored by the loss).
PAD = {"pitch": 0, "beat": 0, "position": 0, "duration": 0, "entry_hints": 0, "labels": -100}


def feature_tensors(rows: np.ndarray, n_parts: int, *, resolution: int = 24,
                    max_duration: int = 192) -> dict[str, torch.Tensor]:
    """The inputs of one piece (rows of the ``parts`` codec) as tensors, unbatched."""
    found = features(rows, n_parts, resolution=resolution, max_duration=max_duration)
    out: dict[str, torch.Tensor] = {}
    for key, value in found.items():
        dtype = torch.float32 if key in ("entry_hints", "pitch_hints") else torch.long
        out[key] = torch.as_tensor(np.ascontiguousarray(value)).to(dtype)
    return out


def collate_notes(items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """A batch of unbatched inputs, padded on the right to the longest piece, with ``mask``
    (``True`` on real notes); ``pitch_hints`` (one row per piece) are stacked."""
    lengths = [len(item["pitch"]) for item in items]
    longest = max(lengths, default=0)
    batch: dict[str, torch.Tensor] = {}
    for key in items[0]:
        if key == "pitch_hints":
            batch[key] = torch.stack([item[key] for item in items])
            continue
        first = items[0][key]
        out = torch.full((len(items), longest, *first.shape[1:]), PAD.get(key, 0),
                         dtype=first.dtype)
        for i, item in enumerate(items):
            out[i, : lengths[i]] = item[key]
        batch[key] = out
    mask = torch.zeros(len(items), longest, dtype=torch.bool)
    for i, length in enumerate(lengths):
        mask[i, :length] = True
    batch["mask"] = mask
    return batch
