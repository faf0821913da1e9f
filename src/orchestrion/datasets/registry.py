"""One name space for data sets: the catalog, the music21 collections and folders.

:func:`get` turns what a user types (``"maestro-v3"``, ``"bach-chorales"``, ``"~/midi"``) into
a :class:`~orchestrion.datasets.base.Dataset`; :func:`spec_of` gives back the string that
rebuilds it (what worker processes of the conversion pipeline receive).
"""

from __future__ import annotations

from pathlib import Path

from orchestrion.datasets.base import Dataset
from orchestrion.errors import DatasetError

__all__ = ["get", "names", "spec_of"]


def names() -> list[str]:
    """Every data set name: the catalog's, then the music21 collections'."""
    from orchestrion.datasets.catalog import CATALOG
    from orchestrion.datasets.music21_corpus import COLLECTIONS

    return [*CATALOG, *COLLECTIONS]


def get(name: str | Path) -> Dataset:
    """The data set called ``name`` (catalog entry or music21 collection), or the folder at
    ``name`` as a :class:`~orchestrion.datasets.folder.FolderDataset`.

    Raises ``DatasetError`` listing the names when it is none of these.
    """
    from orchestrion.datasets.catalog import CATALOG, catalog_dataset
    from orchestrion.datasets.folder import FolderDataset
    from orchestrion.datasets.music21_corpus import COLLECTIONS, collection

    text = str(name)
    if text in CATALOG:
        return catalog_dataset(text)
    if text in COLLECTIONS:
        return collection(text)
    folder = Path(text).expanduser()
    if folder.is_dir():
        return FolderDataset(folder)
    raise DatasetError(f"no data set called {text!r} and no such folder; the data sets are: "
                       f"{', '.join(names())} (or give a folder of music files)")


def spec_of(dataset: Dataset) -> str:
    """The string :func:`get` turns back into ``dataset`` (a folder's absolute path)."""
    from orchestrion.datasets.folder import FolderDataset

    return str(dataset.folder) if isinstance(dataset, FolderDataset) else dataset.name
