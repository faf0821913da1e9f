"""MMT training data: beat windows of the prepared shards, and a Lightning data module.

The shards (:mod:`orchestrion.datasets.shards`) hold whole pieces encoded with
:meth:`TrainConfig.storage_codec` (the ``mmt`` codec without an event limit, beats up to
``max_piece_beats``). :class:`MMTWindows` turns piece ``i`` into one training sequence:

1. **Window.** Training: :func:`orchestrion.representations.mmt.random_window` of
   ``beat_window`` beats, the start drawn uniformly from the first note's beat to the last
   start at which a full window fits; validation: the window at the first note's beat
   (:func:`start_window`, deterministic). Both keep the header (start-of-song, the instrument
   events of the whole piece, start-of-notes) and the end-of-song, and rebase the beats so that
   the window starts at beat code 1; so every window is a grammatical song of the model's
   codec (its ``max_beat`` >= ``beat_window``).
2. **Truncation** (:func:`truncate`): a window of more than ``max_len`` events keeps its
   first ``max_len - 1`` rows and then end-of-song (as the codec's ``max_events``).
3. **Transposition** (training only): a shift ``k`` uniform over ``low .. high`` clipped to
   what the window's notes allow (``-lowest .. 127 - highest``, from the codec's
   ``pitch_range``), applied with the codec's ``transpose``; 0 when nothing is allowed.

**Which pieces** (:func:`usable_pieces`): a piece is used when it has at least ``min_notes``
notes and its notes span at least ``min_beats`` beats (last note's beat - first note's beat
+ 1); the others are skipped, and counted in :attr:`MMTWindows.skipped`.

Randomness: each item draws from ``numpy.random.default_rng((seed, i, calls, worker
seed))``, as :class:`orchestrion.datasets.loaders.ShardDataset` (its docstring), so runs with
the same seed draw the same windows. Datasets pickle without their data (for workers).
"""

from __future__ import annotations

import functools
import os
from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from orchestrion.datasets.loaders import collate, item_rng
from orchestrion.datasets.shards import Shard
from orchestrion.errors import DatasetError
from orchestrion.representations.mmt import EOS, NOTE, random_window
from orchestrion.training.config import TrainConfig

__all__ = ["MMTDataModule", "MMTWindows", "start_window", "truncate", "usable_pieces"]


def start_window(array: np.ndarray, n_beats: int) -> np.ndarray:
    """The ``n_beats``-beat window of an MMT array that starts at its first note's beat
    (header and end-of-song kept, beats rebased to start at code 1); the deterministic
    counterpart of :func:`~orchestrion.representations.mmt.random_window`."""
    if n_beats < 1:
        raise ValueError(f"n_beats must be >= 1, got {n_beats}")
    array = np.asarray(array, dtype=np.int64)
    is_note = array[:, 0] == NOTE
    if not is_note.any():
        return array.copy()
    start = int(array[is_note, 1].min())
    inside = is_note & (array[:, 1] < start + n_beats)
    out = array[~is_note | inside].copy()
    out[out[:, 0] == NOTE, 1] -= start - 1
    return out


def truncate(array: np.ndarray, max_len: int) -> np.ndarray:
    """``array`` when it has at most ``max_len`` rows, else its first ``max_len - 1`` rows
    and an end-of-song row."""
    if len(array) <= max_len:
        return array
    eos = np.zeros((1, array.shape[1]), dtype=array.dtype)
    eos[0, 0] = EOS
    return np.concatenate([array[: max_len - 1], eos])


def usable_pieces(shard: Shard, min_notes: int, min_beats: int) -> np.ndarray:
    """Indices of the pieces of ``shard`` with at least ``min_notes`` notes spanning at
    least ``min_beats`` beats (module docstring)."""
    keep = []
    for i in range(len(shard)):
        piece = shard[i]
        beats = piece[piece[:, 0] == NOTE, 1]
        if len(beats) >= max(min_notes, 1) and \
                int(beats.max()) - int(beats.min()) + 1 >= min_beats:
            keep.append(i)
    return np.array(keep, dtype=np.int64)


class MMTWindows(Dataset):
    """One MMT sequence per usable piece of ``folder``'s split ``split`` (module docstring).

    Item ``j`` is ``{"tokens": (T, 6) long tensor, "index": piece index}`` for the ``j``-th
    usable piece. ``train=True`` draws random windows and transpositions; ``False`` gives
    the deterministic start windows, untransposed.
    """

    def __init__(self, folder: str | os.PathLike[str], split: str, *, beat_window: int,
                 max_len: int, train: bool, transpose: tuple[int, int] | None = None,
                 min_notes: int = 0, min_beats: int = 0, seed: int | None = None) -> None:
        if max_len < 4:
            raise ValueError(f"max_len must be >= 4, got {max_len}")
        self.shard = Shard(folder, split)
        self.codec = self.shard.representation
        if self.codec.name != "mmt":
            raise DatasetError(f"{folder}: shards of {self.codec.name!r}, not mmt")
        self.beat_window = int(beat_window)
        self.max_len = int(max_len)
        self.train = bool(train)
        self.transpose = None if transpose is None or not train else \
            (int(transpose[0]), int(transpose[1]))
        self.seed = None if seed is None else int(seed)
        self.pieces = usable_pieces(self.shard, min_notes, min_beats)
        self.skipped = len(self.shard) - len(self.pieces)
        self._calls = 0

    def __len__(self) -> int:
        return len(self.pieces)

    def _rng(self, index: int) -> np.random.Generator:
        self._calls += 1
        return item_rng(self.seed, index, self._calls - 1)

    def shift(self, window: np.ndarray, rng: np.random.Generator) -> int:
        """A transposition for ``window``: uniform over ``transpose`` clipped to the shifts
        its notes allow; 0 when there is none."""
        if self.transpose is None:
            return 0
        span = self.codec.pitch_range(window)
        if span is None:
            return 0
        lower, upper = max(self.transpose[0], -span[0]), min(self.transpose[1], 127 - span[1])
        if lower > upper:
            return 0
        return int(rng.integers(lower, upper + 1))

    def window(self, j: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """The rows of item ``j`` as a numpy array (``rng``: the draws of a training item)."""
        index = int(self.pieces[j])
        piece = np.asarray(self.shard[index], dtype=np.int64)
        if self.train:
            rng = rng if rng is not None else self._rng(index)
            rows = random_window(piece, self.beat_window, rng)
            rows = truncate(rows, self.max_len)
            k = self.shift(rows, rng)
            if k:
                rows = self.codec.transpose(rows, k)
            return rows
        return truncate(start_window(piece, self.beat_window), self.max_len)

    def __getitem__(self, j: int) -> dict[str, Any]:
        j = int(j)
        if j < 0:
            j += len(self)
        rows = self.window(j)
        return {"tokens": torch.from_numpy(np.array(rows, dtype=np.int64)),
                "index": int(self.pieces[j])}

    def __repr__(self) -> str:
        return (f"MMTWindows({self.shard!r}, {len(self)} used, {self.skipped} skipped, "
                f"beat_window={self.beat_window}, max_len={self.max_len}, train={self.train})")


class MMTDataModule(pl.LightningDataModule):
    """Train and validation loaders of :class:`MMTWindows` over the shard folder
    ``shards`` (made by ``prepare(..., representation=config.storage_codec())``), batched by
    :func:`orchestrion.datasets.loaders.collate` (padding last, with a mask)."""

    def __init__(self, shards: str | os.PathLike[str], config: TrainConfig, *,
                 train_split: str = "train", val_split: str = "valid") -> None:
        super().__init__()
        self.shards = str(shards)
        self.config = config
        self.train_split = train_split
        self.val_split = val_split
        self.train_set: MMTWindows | None = None
        self.val_set: MMTWindows | None = None

    def _windows(self, split: str, train: bool) -> MMTWindows:
        c = self.config
        data = MMTWindows(self.shards, split, beat_window=c.beat_window, max_len=c.seq_len,
                          train=train, transpose=c.transpose, min_notes=c.min_notes,
                          min_beats=c.min_beats, seed=c.seed)
        if not len(data):
            raise DatasetError(
                f"{self.shards}: no usable piece in split {split!r} ({data.skipped} pieces "
                f"with fewer than {c.min_notes} notes or spanning fewer than {c.min_beats} "
                f"beats); use more data, or lower min_notes/min_beats")
        return data

    def setup(self, stage: str | None = None) -> None:
        """Open the shards (in every process)."""
        if self.train_set is None:
            self.train_set = self._windows(self.train_split, True)
            self.val_set = self._windows(self.val_split, False)

    def _loader(self, data: MMTWindows | None, shuffle: bool) -> DataLoader:
        if data is None:
            self.setup()
            data = self.train_set if shuffle else self.val_set
        workers = self.config.num_workers
        return DataLoader(data, batch_size=self.config.batch_size, shuffle=shuffle,
                          num_workers=workers, collate_fn=functools.partial(collate),
                          persistent_workers=workers > 0, pin_memory=torch.cuda.is_available())

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_set, False)
