"""What every data set is: files in a folder, read into pieces with stable ids.

A :class:`Dataset` lists its files (:meth:`~Dataset.files`, sorted by their path relative to
:meth:`~Dataset.source_folder`) and reads one file into its pieces
(:meth:`~Dataset.read_file`): a list of ``(piece_id, Music | Skip)`` pairs, where a
:class:`Skip` says why a piece is not there (it failed to read, or the data set's rules drop
it). A file is the unit of work of the conversion pipeline (``orchestrion.datasets.prepare``):
one file may hold several pieces (the tunes of an ABC book). Nothing is dropped silently.

``root`` is the data set's own folder on disk: downloads go to ``root/downloads``, extracted
archives to ``root/source/<archive stem>``, prepared data beside them (see ``prepare``). The
offline collections of the music21 corpus and folders you bring read their files where they
are and ignore ``root`` when listing files.

Piece ids are the file's path relative to the source folder, in POSIX form, without its
extension (with it when two files differ only in their extension), plus ``#X`` for the tune
``X:`` of an ABC book. They do not depend on the machine, so splits made from them are the
same everywhere.
"""

from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.errors import DatasetError, OrchestrionError

if TYPE_CHECKING:
    from orchestrion.core.model import Music
    from orchestrion.datasets._download import Source

__all__ = ["Dataset", "Piece", "Skip", "archive_stem", "file_ids", "read_tunes"]


@dataclass(frozen=True)
class Skip:
    """Why a piece (or a whole file) is not in the data set.

    Attributes:
        reason: One line: the error (``"FormatError: ..."``) or the rule that drops it.
        dropped: ``True`` when the data set's rules leave the piece out on purpose (a chorale
            without voice parts); ``False`` when it could not be read (a failure).
    """

    reason: str
    dropped: bool = False


#: One entry of :meth:`Dataset.read_file`: a piece id and its music, or why it is missing.
Piece = tuple[str, "Music | Skip"]


class Dataset(abc.ABC):
    """A corpus: metadata, where its files come from, and how a file becomes pieces.

    Subclasses set the metadata as class attributes (or dataclass fields) and implement
    :meth:`source_folder`, :meth:`files` and :meth:`read_file`. ``rules_version`` is bumped
    when the way files become pieces changes, so prepared data is converted again.
    """

    name: str
    description: str
    #: A few words for listings (``dataset list``); empty: the description's first sentence.
    title: str = ""
    licence: str = "unknown: see the home page"
    citation: str = ""
    homepage: str = ""
    sources: tuple[Source, ...] = ()
    rules_version: int = 1

    # --- where the files are ---------------------------------------------------------------
    @abc.abstractmethod
    def source_folder(self, root: str | Path | None = None) -> Path:
        """The folder piece ids are relative to."""

    @abc.abstractmethod
    def files(self, root: str | Path | None = None) -> list[Path]:
        """The data set's files, sorted by their POSIX path relative to the source folder."""

    @abc.abstractmethod
    def read_file(self, path: Path, file_id: str) -> list[Piece]:
        """The pieces of one file as ``(piece_id, Music | Skip)``; ``[]`` for none.

        ``file_id`` is the file's id from :meth:`file_ids` (the id of its only piece, or the
        base of its pieces' ids). Raises ``OrchestrionError`` when the whole file cannot be
        read.
        """

    # --- derived ---------------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        """``True`` when nothing has to be downloaded."""
        return not self.sources

    def file_ids(self, root: str | Path | None = None) -> dict[Path, str]:
        """Every file (in :meth:`files` order) and its id (see :func:`file_ids`)."""
        return file_ids(self.files(root), self.source_folder(root))

    def download(self, root: str | Path | None = None, *, progress: bool | None = None
                 ) -> Path:
        """Fetch and unpack what the data set needs (nothing when offline); return the
        source folder. Downloads are verified and resumed; see ``_download``/``_extract``."""
        if self.offline:
            return self.source_folder(root)
        if root is None:
            raise DatasetError(f"{self.name}: give the folder to download into (root)")
        from orchestrion.datasets._download import download
        from orchestrion.datasets._extract import extract, is_archive

        root = Path(root).expanduser()
        for source in self.sources:
            file = download(source, root / "downloads", progress=progress)
            if is_archive(file):  # other files are read where they were downloaded
                extract(file, root / "source" / archive_stem(file.name))
        return self.source_folder(root)

    def pieces(self, root: str | Path | None = None, *, progress: bool = False,
               errors: str = "skip", skipped: dict[str, Skip] | None = None
               ) -> Iterator[tuple[str, Music]]:
        """Yield ``(piece_id, Music)`` for every piece, in file order, in this process.

        With ``errors="skip"`` a file or piece that fails is left out and recorded in
        ``skipped`` (when given, with the pieces the rules drop); ``errors="raise"`` raises
        the first failure. For many files use ``prepare`` (parallel, incremental).
        """
        if errors not in ("skip", "raise"):
            raise ValueError(f"errors must be 'skip' or 'raise', got {errors!r}")
        ids = self.file_ids(root)
        iterable: Any = ids.items()
        if progress:
            from tqdm.auto import tqdm
            iterable = tqdm(iterable, total=len(ids), desc=self.name, unit="file")
        for path, file_id in iterable:
            try:
                entries = self.read_file(path, file_id)
            except OrchestrionError as error:
                if errors == "raise":
                    raise
                entries = [(file_id, Skip(f"{type(error).__name__}: {error}"))]
            for piece_id, value in entries:
                if isinstance(value, Skip):
                    if errors == "raise" and not value.dropped:
                        raise DatasetError(f"{self.name}: {piece_id}: {value.reason}")
                    if skipped is not None:
                        skipped[piece_id] = value
                else:
                    yield piece_id, value

    def __iter__(self) -> Iterator[tuple[str, Music]]:
        return self.pieces()

    def info(self) -> dict[str, Any]:
        """Metadata as plain JSON-able values (the CLI's ``dataset info``)."""
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "licence": self.licence,
            "citation": self.citation, "homepage": self.homepage, "offline": self.offline,
            "sources": [{"url": s.url, "filename": s.filename, "size": s.size,
                         "sha256": s.sha256, "md5": s.md5, "mirrors": list(s.mirrors)}
                        for s in self.sources],
        }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


# ------------------------------------------------------------------------------ helpers


def file_ids(paths: list[Path], folder: Path) -> dict[Path, str]:
    """Ids of files: the POSIX path relative to ``folder`` without extension; files that
    would share an id (``x.krn`` and ``x.mxl``) keep their extensions."""
    relative = {p: Path(p).relative_to(folder) for p in paths}
    stems = Counter(r.with_suffix("").as_posix() for r in relative.values())
    return {p: r.with_suffix("").as_posix() if stems[r.with_suffix("").as_posix()] == 1
            else r.as_posix() for p, r in relative.items()}


def read_tunes(path: Path, base: str, collection: str | None = None) -> list[Piece]:
    """Every tune of an ABC book as ``(base#X, Music | Skip)``.

    The book is read at once; when one tune fails, the tunes are read one by one so the
    others are kept and the bad one is reported. Ids: ``base#X`` for ``X: X``, ``#X~2`` for a
    repeated number, ``#@position`` for a tune without a number.
    """
    from orchestrion.io.abc import NUMBER_GROUP, read_abc, read_abc_book

    entries: list[Piece] = []
    seen: Counter[str] = Counter()
    try:
        tunes: list[Music | Skip] = list(read_abc_book(path))
    except OrchestrionError:
        tunes = []
        for number in _tune_numbers(path):
            try:
                tunes.append(read_abc(path, number=number))
            except OrchestrionError as error:
                tunes.append(Skip(f"{type(error).__name__}: {error}"))
    numbers = _tune_numbers(path)
    for position, tune in enumerate(tunes):
        if isinstance(tune, Skip):
            number = numbers[position] if position < len(numbers) else None
            found = [str(number)] if number is not None else []
        else:
            found = [a.annotation for a in tune.annotations if a.group == NUMBER_GROUP]
            if collection is not None:
                tune.metadata.collection = collection
        key = f"{base}#{found[0]}" if found else f"{base}#@{position + 1}"
        seen[key] += 1
        if seen[key] > 1:  # a book that repeats an X: number
            key = f"{key}~{seen[key]}"
        entries.append((key, tune))
    return entries


def _tune_numbers(path: Path) -> list[int | None]:
    """The ``X:`` numbers of an ABC file, in order (None for one that is not a number)."""
    import re
    text = path.read_text(encoding="utf-8", errors="replace")
    numbers: list[int | None] = []
    for match in re.finditer(r"^[ \t]*X:[ \t]*([^\n%]*)", text, re.MULTILINE):
        value = match.group(1).strip()
        numbers.append(int(value) if value.isdigit() else None)
    return numbers


def archive_stem(filename: str) -> str:
    """``lmd_full.tar.gz`` -> ``lmd_full``; ``JSB Chorales.zip`` -> ``JSB Chorales``."""
    for suffix in (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz", ".tar", ".zip"):
        if filename.lower().endswith(suffix):
            return filename[: -len(suffix)]
    return filename
