"""PyTorch adapters for training shards (:mod:`orchestrion.datasets.shards`).

This module imports ``torch``; nothing else in orchestrion imports it eagerly.

- :class:`ShardDataset` serves the pieces of one split as ``{"tokens": LongTensor, "index":
  i}``, optionally cut to a window of ``max_length`` rows and transposed at random (data
  augmentation on the encoded arrays, :meth:`Representation.transpose`).
- :func:`collate` pads a list of items into a batch with a mask.
- :func:`make_loader` builds a ``DataLoader`` of both.

Randomness. Every item draws from its own ``numpy.random.Generator``. With ``seed=None`` it
is seeded from fresh OS entropy (different every call). With an integer ``seed`` it is seeded
from ``(seed, i, calls, worker seed)``: ``i`` the item's index, ``calls`` how many items this
copy of the dataset has served before, and, inside a DataLoader worker, that worker's
``torch.utils.data.get_worker_info().seed``. So in one process the same sequence of accesses
gives the same draws, and a second epoch gives new ones (``calls`` has grown). In DataLoader
workers every worker holds its own copy (its own ``calls`` from 0) and a worker seed that
PyTorch derives from its base seed (from ``torch``'s global generator, or the loader's
``generator``) plus the worker id, drawn anew for every epoch: the draws are reproducible when
``torch.manual_seed`` (or the loader's generator) is fixed and the sampler order and
``num_workers`` are the same, and they differ between epochs even without persistent workers.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from orchestrion.datasets.shards import Shard

__all__ = ["ShardDataset", "collate", "item_rng", "make_loader"]

WINDOWS = ("random", "start")


def item_rng(seed: int | None, index: int, calls: int) -> np.random.Generator:
    """The generator of one item draw (see the module docstring): fresh OS entropy when
    ``seed`` is None, else seeded from ``(seed, index, calls)`` and, inside a DataLoader
    worker, that worker's seed."""
    if seed is None:
        return np.random.default_rng()
    entropy = [seed, index, calls]
    info = torch.utils.data.get_worker_info()
    if info is not None:
        entropy.append(int(info.seed) % 2**64)
    return np.random.default_rng(entropy)


class ShardDataset(Dataset):
    """The pieces of ``folder``'s split ``split`` as torch items.

    Item ``i`` is ``{"tokens": torch.long tensor of shape (T, F) or (T,), "index": i}``, the
    rows of piece ``i`` (see :class:`~orchestrion.datasets.shards.Shard`), after:

    1. ``max_length``: a piece of ``T > max_length`` rows is cut to rows ``s : s +
       max_length``, with ``s`` uniform in ``0 .. T - max_length`` (``window="random"``) or
       ``s = 0`` (``window="start"``). The cut is by rows, not grammar-aware (an MMT window
       loses its header; see ``representations.mmt.random_window`` for beat windows).
    2. ``transpose=(low, high)``: a shift ``k`` uniform over the shifts of ``low .. high``
       (both inclusive) that the whole piece allows, ``-lo .. 127 - hi`` with ``(lo, hi) =
       representation.pitch_range(piece)``; ``k = 0`` when none is allowed (and for pieces
       without pitched notes). The window is then transposed by ``k``.

    ``seed``: see the module docstring. The dataset pickles without the data (for workers).
    """

    def __init__(self, folder: str | os.PathLike[str], split: str, *,
                 max_length: int | None = None, window: str = "random",
                 transpose: tuple[int, int] | None = None, seed: int | None = None) -> None:
        if max_length is not None and int(max_length) < 1:
            raise ValueError(f"max_length must be >= 1, got {max_length}")
        if window not in WINDOWS:
            raise ValueError(f"window must be one of {WINDOWS}, got {window!r}")
        if transpose is not None:
            low, high = (int(x) for x in transpose)
            if low > high:
                raise ValueError(f"transpose=(low, high) needs low <= high, got {transpose}")
            transpose = (low, high)
        self.shard = Shard(folder, split)
        self.max_length = None if max_length is None else int(max_length)
        self.window = window
        self.transpose = transpose
        self.seed = None if seed is None else int(seed)
        self._calls = 0
        self._ranges: dict[int, tuple[int, int] | None] = {}

    def __len__(self) -> int:
        return len(self.shard)

    def _rng(self, index: int) -> np.random.Generator:
        self._calls += 1
        return item_rng(self.seed, index, self._calls - 1)

    def _allowed(self, index: int, piece: np.ndarray) -> tuple[int, int] | None:
        """The shifts the whole piece allows (cached): ``(-lo, 127 - hi)``, or None."""
        if index not in self._ranges:
            span = self.shard.representation.pitch_range(piece)
            self._ranges[index] = None if span is None else (-span[0], 127 - span[1])
        return self._ranges[index]

    def shift(self, index: int, piece: np.ndarray, rng: np.random.Generator) -> int:
        """The transposition of this draw for piece ``index`` (see the class docstring)."""
        if self.transpose is None:
            return 0
        low, high = self.transpose
        allowed = self._allowed(index, piece)
        if allowed is None:
            return 0
        lower, upper = max(low, allowed[0]), min(high, allowed[1])
        if lower > upper:
            return 0
        return int(rng.integers(lower, upper + 1))

    def __getitem__(self, i: int) -> dict[str, Any]:
        index = int(i)
        if index < 0:
            index += len(self)
        piece = self.shard[index]
        rng = self._rng(index)
        rows = piece
        if self.max_length is not None and len(piece) > self.max_length:
            start = 0 if self.window == "start" else \
                int(rng.integers(0, len(piece) - self.max_length + 1))
            rows = piece[start:start + self.max_length]
        k = self.shift(index, piece, rng)
        if k:
            rows = self.shard.representation.transpose(rows, k)
        tokens = torch.from_numpy(np.array(rows, dtype=np.int64))  # a writable copy
        return {"tokens": tokens, "index": index}

    def __repr__(self) -> str:
        return (f"ShardDataset({self.shard!r}, max_length={self.max_length}, "
                f"window={self.window!r}, transpose={self.transpose}, seed={self.seed})")


def collate(batch: Sequence[dict[str, Any]], *, pad_value: int = 0) -> dict[str, torch.Tensor]:
    """Stack items of :class:`ShardDataset` into a batch padded to the longest.

    Returns ``tokens`` ``(B, T_max, *trailing)`` long, rows past an item's length set to
    ``pad_value``; ``mask`` ``(B, T_max)`` bool, ``True`` on real rows; ``lengths`` ``(B,)``
    long; ``index`` ``(B,)`` long.
    """
    if not len(batch):
        raise ValueError("collate: empty batch")
    tokens = [torch.as_tensor(item["tokens"], dtype=torch.long) for item in batch]
    trailing = {tuple(t.shape[1:]) for t in tokens}
    if len(trailing) != 1:
        raise ValueError(f"collate: items of different row shapes {sorted(trailing)}")
    lengths = torch.tensor([len(t) for t in tokens], dtype=torch.long)
    longest = int(lengths.max())
    out = torch.full((len(tokens), longest, *trailing.pop()), pad_value, dtype=torch.long)
    for row, t in enumerate(tokens):  # one copy per item
        out[row, :len(t)] = t
    mask = torch.arange(longest)[None, :] < lengths[:, None]
    index = torch.tensor([int(item["index"]) for item in batch], dtype=torch.long)
    return {"tokens": out, "mask": mask, "lengths": lengths, "index": index}


def make_loader(folder: str | os.PathLike[str], split: str, batch_size: int, *,
                shuffle: bool = True, num_workers: int = 0, pad_value: int = 0,
                max_length: int | None = None, window: str = "random",
                transpose: tuple[int, int] | None = None, seed: int | None = None,
                **loader_options: Any) -> DataLoader:
    """A ``DataLoader`` over :class:`ShardDataset` ``(folder, split, max_length, window,
    transpose, seed)`` batched by :func:`collate` with ``pad_value``; ``loader_options``
    (``drop_last``, ``generator``, ``multiprocessing_context``, ...) go to ``DataLoader``."""
    dataset = ShardDataset(folder, split, max_length=max_length, window=window,
                           transpose=transpose, seed=seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                      num_workers=num_workers,
                      collate_fn=functools.partial(collate, pad_value=pad_value),
                      **loader_options)
