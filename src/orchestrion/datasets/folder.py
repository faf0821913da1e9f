"""Any folder of files orchestrion reads is a data set.

:class:`FolderDataset` lists every file under a folder (recursively, hidden files and folders
left out) whose extension a registered format reads (MIDI, MusicXML, MuseScore, ABC, Humdrum,
JSON, YAML), and reads each with :func:`orchestrion.read`; an ABC file is a tune book and
gives one piece per tune. Piece ids are paths relative to the folder, as everywhere.
"""

from __future__ import annotations

from pathlib import Path

from orchestrion.datasets.base import Dataset, Piece, read_tunes
from orchestrion.errors import DatasetError

__all__ = ["FolderDataset", "readable_files"]


def readable_files(folder: Path) -> list[Path]:
    """Files under ``folder`` that a registered format reads, sorted by relative POSIX
    path; hidden files and anything under a hidden folder are left out."""
    from orchestrion.errors import FormatError
    from orchestrion.io.registry import format_of

    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        try:
            format_of(path)
        except FormatError:
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


class FolderDataset(Dataset):
    """The readable files under ``folder`` (named after the folder)."""

    licence = "yours: the files you bring"

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise DatasetError(f"{folder}: no such folder")
        self.folder = folder.resolve()
        self.name = self.folder.name or str(self.folder)
        self.description = f"the files orchestrion reads under {self.folder}"

    def source_folder(self, root: str | Path | None = None) -> Path:
        return self.folder

    def files(self, root: str | Path | None = None) -> list[Path]:
        return readable_files(self.folder)

    def read_file(self, path: Path, file_id: str) -> list[Piece]:
        if path.suffix.lower() == ".abc":
            return read_tunes(path, file_id)
        from orchestrion.io.registry import read

        return [(file_id, read(path))]

    def __reduce__(self) -> tuple[type[FolderDataset], tuple[Path]]:
        return FolderDataset, (self.folder,)
