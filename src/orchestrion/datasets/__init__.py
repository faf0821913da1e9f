"""Data sets: download, verify and extract the files of a corpus; the offline collections of
the music21 corpus (more to come: the catalog, splits and training shards).

Importing this package loads only the standard library (and orchestrion's core); the progress
bar (tqdm) is imported when a download or an iteration shows one, and music21 only when a
collection of the music21 corpus reads an ABC or Humdrum file (``music21_corpus``).
See ``docs/datasets.md``.
"""

from __future__ import annotations

from orchestrion.datasets._download import Source, download, verify
from orchestrion.datasets._extract import extract
from orchestrion.datasets.music21_corpus import COLLECTIONS, Collection, collection
from orchestrion.errors import DatasetError, DownloadError, ExtractError

__all__ = ["COLLECTIONS", "Collection", "DatasetError", "DownloadError", "ExtractError",
           "Source", "collection", "download", "extract", "verify"]
