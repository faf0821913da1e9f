"""Data sets: a catalog of corpora with verified downloads, offline collections of the
music21 corpus, any folder of music files, and the pipeline that turns one into pieces,
deterministic splits and memory-mapped training shards for PyTorch.

Importing this package loads only the standard library (and orchestrion's core); tqdm is
imported when a progress bar is shown, music21 when an ABC or Humdrum file is read, numpy's
codecs when shards are written, and torch only by ``orchestrion.datasets.loaders``.
See ``docs/datasets.md``.
"""

from __future__ import annotations

from typing import Any

from orchestrion.datasets._download import Source, download, verify
from orchestrion.datasets._extract import extract
from orchestrion.datasets.base import Dataset, Skip
from orchestrion.datasets.folder import FolderDataset
from orchestrion.datasets.music21_corpus import COLLECTIONS, Collection, collection
from orchestrion.datasets.prepare import Prepared, PrepareResult, prepare
from orchestrion.datasets.registry import get, names
from orchestrion.datasets.splits import make_splits
from orchestrion.errors import DatasetError, DownloadError, ExtractError

__all__ = ["CATALOG", "COLLECTIONS", "Collection", "Dataset", "DatasetError", "DownloadError",
           "ExtractError", "FolderDataset", "PrepareResult", "Prepared", "RemoteDataset",
           "Shard", "ShardDataset", "Skip", "Source", "catalog_dataset", "collate",
           "collection", "download", "extract", "get", "make_splits", "names", "prepare",
           "verify"]


def __getattr__(name: str) -> Any:
    # The catalog's declarations, the shards (numpy) and the loaders (torch) load on first
    # use only.
    if name in ("CATALOG", "RemoteDataset", "catalog_dataset"):
        from orchestrion.datasets import catalog
        return getattr(catalog, name)
    if name == "Shard":
        from orchestrion.datasets.shards import Shard
        return Shard
    if name in ("ShardDataset", "collate"):
        from orchestrion.datasets import loaders
        return getattr(loaders, name)
    raise AttributeError(f"module 'orchestrion.datasets' has no attribute {name!r}")
