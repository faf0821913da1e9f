"""Data sets: download, verify and extract the files of a corpus (more to come: the catalog,
offline music21 collections, splits and training shards).

Importing this package loads only the standard library; the progress bar (tqdm) is imported
when a download shows one. See ``docs/datasets.md``.
"""

from __future__ import annotations

from orchestrion.datasets._download import Source, download, verify
from orchestrion.datasets._extract import extract
from orchestrion.errors import DatasetError, DownloadError, ExtractError

__all__ = ["DatasetError", "DownloadError", "ExtractError", "Source", "download", "extract",
           "verify"]
