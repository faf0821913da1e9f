"""Offline collections from the corpus bundled with music21: no download, no network.

Each :class:`Collection` lists its files in music21's corpus folder (``paths()``), prepares
one piece by the collection's rules (``load(path)``) and iterates over its pieces
(``pieces()`` / ``iter(collection)``) as ``(piece_id, Music)`` pairs. Piece ids are the
file's path relative to the corpus folder, without extension, plus ``#X`` (the ``X:``
number) for the tunes of an ABC file: ``"bach/bwv66.6"``, ``"essenFolksong/altdeu10#3"``.
They do not depend on the machine.

MusicXML goes through orchestrion's own reader (:func:`orchestrion.read`); ABC and Humdrum
go through music21 (imported only when such a file is read). Importing this module imports
neither music21 nor tqdm. See ``docs/datasets.md``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from orchestrion.core.model import Music, Track
from orchestrion.datasets.base import Dataset, Piece, Skip, read_tunes
from orchestrion.errors import DatasetError

__all__ = ["COLLECTIONS", "Collection", "collection", "corpus_root"]

LICENCE = ("public domain compositions; the encodings are distributed with music21 by "
           "permission of their encoders, free to use in the US to the best of music21's "
           "knowledge, some with restrictions on commercial use (music21/corpus/license.txt)")
MUSIC21_CITATION = ("Michael Scott Cuthbert and Christopher Ariza. music21: A Toolkit for "
                    "Computer-Aided Musicology and Symbolic Music Data. ISMIR 2010.")
ARRANGER_CITATION = ("Hao-Wen Dong, Chris Donahue, Taylor Berg-Kirkpatrick and Julian McAuley. "
                     "Towards Automatic Instrumentation by Learning to Separate Parts in "
                     "Symbolic Multitrack Music. ISMIR 2021.")

RESOLUTION = 24
"""Ticks per quarter of the prepared pieces of ``bach-chorales`` and ``string-quartets``."""

#: Extensions orchestrion reads from the corpus (``.abc`` files are tune books).
READABLE = (".mxl", ".xml", ".musicxml", ".krn", ".abc", ".mid", ".midi", ".mscx", ".mscz")

CHORALE_PARTS = (("Soprano", 73), ("Alto", 68), ("Tenor", 70), ("Bass", 71))
"""Kept parts of a chorale and their output programs (GM, 0-based): flute, oboe, bassoon,
clarinet, as in the automatic-instrumentation paper."""

#: Two chorales whose voice parts are named after the instruments doubling them.
CHORALE_HAND_MAPS: dict[str, dict[str, str]] = {
    "bwv171.6": {"Soprano\rOboe 1,2\rViolin1": "Soprano", "Alto\rViloin 2": "Alto",
                 "Tenor\rViola": "Tenor", "Bass\rContinuo": "Bass"},
    "bwv41.6": {"Soprano Oboe 1 Violin1": "Soprano", "Alto Oboe 2 Viloin 2": "Alto",
                "Tenor Viola": "Tenor", "Bass Continuo": "Bass"},
}

QUARTET_PARTS = (("Violin I", 40), ("Violin II", 40), ("Viola", 41), ("Violoncello", 42))
#: The string-quartet works of the corpus (folders or files, without extension).
QUARTET_WORKS = (
    "beethoven/opus18no1", "beethoven/opus18no3", "beethoven/opus18no4", "beethoven/opus18no5",
    "beethoven/opus59no1", "beethoven/opus59no2", "beethoven/opus59no3", "beethoven/opus74",
    "beethoven/opus132", "beethoven/opus133", "haydn/opus1no1", "haydn/opus74no1",
    "mozart/k80", "mozart/k155", "mozart/k156", "mozart/k458",
)


def corpus_root() -> Path:
    """The folder of music21's bundled corpus, found without importing music21.

    Raises ``DatasetError`` when music21 (or its corpus) is not installed.
    """
    spec = importlib.util.find_spec("music21")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        root = Path(location) / "corpus"
        if (root / "bach").is_dir():
            return root
    raise DatasetError("the music21 corpus is not installed: pip install music21 (its wheel "
                       "ships the corpus)")


def piece_id(path: Path, root: Path | None = None) -> str:
    """The id of a corpus file: its path relative to the corpus folder, without extension."""
    relative = Path(path).relative_to(root or corpus_root())
    return relative.with_suffix("").as_posix()


# ------------------------------------------------------------------------ preparation


def _prepare(music: Music) -> Music:
    """Resolution 24, zero-duration notes dropped, duplicate notes (and events) dropped."""
    music.adjust_resolution(RESOLUTION)
    for track in music.tracks:
        notes = track.note_array()
        track.set_note_array(notes.take(notes.duration > 0), validate=False)
    return music.remove_duplicate()


def _rebuild(music: Music, tracks: list[Track], name: str, path: Path) -> Music:
    music.tracks = tracks
    music.metadata.collection = name
    music.metadata.source_filename = path.name
    return music


def _read(path: Path) -> Music:
    from orchestrion.io import read
    return read(path)


def _read_written(path: Path) -> Music:
    """A MusicXML file as written: repeats not expanded (as the reference counts were made:
    409 chorales hold 96.6k notes so, 110.2k with repeats expanded; ~97.5k in the paper)."""
    from orchestrion.io.musicxml import read_musicxml
    return read_musicxml(path, expand_repeats=False)


def _load_chorale(path: Path) -> Music | None:
    """A chorale by the rules of the automatic-instrumentation paper, or ``None``."""
    music = _read_written(path)
    hand_map = CHORALE_HAND_MAPS.get(path.with_suffix("").name, {})
    by_name: dict[str, Track] = {}
    for track in music.tracks:
        part = hand_map.get(track.name or "") or (track.name or "").strip().title()
        if part in dict(CHORALE_PARTS) and part not in by_name:
            by_name[part] = track
    tracks = []
    for part, program in CHORALE_PARTS:
        if part in by_name:
            track = by_name[part]
            track.name, track.program, track.is_drum = part, program, False
            tracks.append(track)
    music = _prepare(_rebuild(music, tracks, "bach-chorales", path))
    if sum(track.n_notes > 10 for track in music.tracks) < 2:
        return None
    return music


def _load_quartet(path: Path) -> Music | None:
    """A quartet movement: its four parts by position, renamed and given string programs."""
    music = _read_written(path)
    if len(music.tracks) != len(QUARTET_PARTS):
        return None
    for track, (name, program) in zip(music.tracks, QUARTET_PARTS, strict=True):
        track.name, track.program, track.is_drum = name, program, False
    return _prepare(_rebuild(music, list(music.tracks), "string-quartets", path))


# ------------------------------------------------------------------------ collections


@dataclass(repr=False)
class Collection(Dataset):
    """One offline collection of the music21 corpus.

    ``select`` picks the collection's files from the corpus folder; ``prepare`` turns one
    file into a piece (``None`` when the collection's rules drop it, for the reason
    ``drop_rule``). After an iteration, ``skipped`` maps the ids of the files (or ABC tunes)
    that could not be read, and of corpus files of formats orchestrion does not read, to the
    reason; ``dropped`` maps the ids the rules dropped to ``drop_rule``.
    """

    name: str
    description: str
    select: Callable[[Path], list[Path]] = field(repr=False)
    prepare: Callable[[Path], Music | None] | None = field(default=None, repr=False)
    title: str = ""
    licence: str = LICENCE
    citation: str = MUSIC21_CITATION
    homepage: str = "https://www.music21.org/music21docs/about/referenceCorpus.html"
    drop_rule: str = "dropped by the collection's rules"
    skipped: dict[str, str] = field(default_factory=dict, repr=False)
    dropped: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        """music21's corpus folder."""
        return corpus_root()

    def source_folder(self, root: str | Path | None = None) -> Path:
        """music21's corpus folder (``root`` is not used: the files are where music21 is)."""
        return corpus_root()

    def files(self, root: str | Path | None = None) -> list[Path]:
        """The collection's files in the corpus, sorted by their path in the corpus."""
        return self.paths()

    def paths(self) -> list[Path]:
        """The collection's files in the corpus, sorted by their path in the corpus."""
        root = self.root
        return sorted(self.select(root), key=lambda p: p.relative_to(root).as_posix())

    def load(self, path: str | Path, *, number: int | None = None) -> Music | None:
        """One piece prepared by the collection's rules; ``None`` when the rules drop it.

        For an ABC file, the tune ``X: number`` (the first tune when ``number`` is None).
        """
        path = Path(path)
        if path.suffix.lower() == ".abc":
            from orchestrion.io.abc import read_abc
            return read_abc(path, number=number)
        return self.prepare(path) if self.prepare else _read(path)

    def read_file(self, path: Path, file_id: str) -> list[Piece]:
        """The pieces of one corpus file: the tunes of an ABC book, else one piece (or a
        :class:`Skip` with ``drop_rule`` when the rules drop it)."""
        path = Path(path)
        if path.suffix.lower() == ".abc":
            return read_tunes(path, file_id, self.name)
        music = self.load(path)
        return [(file_id, Skip(self.drop_rule, dropped=True) if music is None else music)]

    def pieces(self, root: str | Path | None = None, *, progress: bool = False,
               errors: str = "skip", skipped: dict[str, Skip] | None = None
               ) -> Iterator[tuple[str, Music]]:
        """Yield ``(piece_id, Music)`` for every piece the rules keep, in path order.

        ``progress=True`` shows a tqdm bar over the files. With ``errors="skip"`` a file or
        tune orchestrion cannot read is left out and recorded in :attr:`skipped`; with
        ``errors="raise"`` the error propagates.
        """
        found: dict[str, Skip] = {} if skipped is None else skipped
        self.skipped = self._unreadable(self.root)
        self.dropped = {}
        for piece_id, music in super().pieces(root, progress=progress, errors=errors,
                                              skipped=found):
            yield piece_id, music
        for piece_id, skip in found.items():
            (self.dropped if skip.dropped else self.skipped)[piece_id] = skip.reason

    def _unreadable(self, root: Path) -> dict[str, str]:
        if self.name != "music21-corpus":
            return {}
        return {p.relative_to(root).as_posix(): f"orchestrion does not read {p.suffix} files"
                for p in _corpus_files(root) if p.suffix.lower() not in READABLE}


def _corpus_files(root: Path) -> list[Path]:
    skip = {"_metadataCache", "__pycache__"}
    return [p for p in root.rglob("*") if p.is_file() and not skip & set(p.parts)
            and p.suffix not in (".py", ".pyc")]


def _glob(folder: str, *extensions: str) -> Callable[[Path], list[Path]]:
    def select(root: Path) -> list[Path]:
        return [p for p in (root / folder).rglob("*")
                if p.is_file() and p.suffix.lower() in extensions]
    return select


def _quartets(root: Path) -> list[Path]:
    paths = []
    for work in QUARTET_WORKS:
        file = (root / work).with_suffix(".mxl")
        paths += [file] if file.is_file() else sorted((root / work).glob("*.mxl"))
    return paths


def _multipart(root: Path) -> list[Path]:
    return (_glob("bach", ".mxl", ".xml")(root) + _quartets(root)
            + _glob("monteverdi", ".mxl", ".xml")(root) + _glob("palestrina", ".krn")(root))


#: GM program of the sung parts in ``multipart`` (Choir Aahs).
CHOIR = 52


def _load_multipart(path: Path) -> Music | None:
    """A chorale or a quartet movement by its collection's rules (the chorales' voices keep
    the instrumentation paper's four woodwinds, so that a multitrack codec, which merges
    parts of one instrument, keeps them apart); a madrigal or a mass movement as read, its
    voices sung (Choir Aahs), at resolution 24; kept with at least two parts of notes."""
    relative = path.relative_to(corpus_root()).with_suffix("").as_posix()
    if relative.startswith("bach/"):
        music = _load_chorale(path)
    elif any(relative == work or relative.startswith(work + "/") for work in QUARTET_WORKS):
        music = _load_quartet(path)
    else:
        music = _prepare(_read(path))
        music.tracks = [t for t in music.tracks if t.n_notes > 0]
        for track in music.tracks:
            track.program, track.is_drum = CHOIR, False
    if music is None or len(music.tracks) < 2:
        return None
    music.metadata.collection = "multipart"
    return music


def _everything(root: Path) -> list[Path]:
    return [p for p in _corpus_files(root) if p.suffix.lower() in READABLE]


_COLLECTIONS = {
    c.name: c for c in (
        Collection("bach-chorales",
                   "Bach chorales (the .mxl/.xml files of composer bach): soprano, alto, "
                   "tenor and bass kept by name as flute 73, oboe 68, bassoon 70 and clarinet "
                   "71; resolution 24; zero-duration and duplicate notes dropped; a piece is "
                   "kept when at least 2 parts have more than 10 notes (409 pieces); "
                   "repeats not expanded.",
                   _glob("bach", ".mxl", ".xml"), _load_chorale,
                   title="Bach's 409 four-part chorales, parts S/A/T/B (music21 corpus)",
                   drop_rule="fewer than 2 of the parts Soprano, Alto, Tenor and Bass hold "
                             "more than 10 notes",
                   citation=f"{ARRANGER_CITATION} {MUSIC21_CITATION}"),
        Collection("string-quartets",
                   "46 string-quartet movements (Beethoven op. 18, 59, 74, 132, 133; Haydn "
                   "op. 1 no. 1, op. 74 no. 1; Mozart K. 80, 155, 156, 458); the four parts "
                   "by position as Violin I, Violin II (40), Viola (41), Violoncello (42); "
                   "resolution 24; zero-duration and duplicate notes dropped; repeats not "
                   "expanded.",
                   _quartets, _load_quartet, drop_rule="not exactly four parts",
                   title="46 string-quartet movements, four parts (music21 corpus)"),
        Collection("palestrina", "Palestrina's masses and motets (Humdrum **kern), as read.",
                   _glob("palestrina", ".krn")),
        Collection("monteverdi", "Monteverdi's madrigals (MusicXML), as read.",
                   _glob("monteverdi", ".mxl", ".xml")),
        Collection("essen", "Essen folk-song collection (ABC tune books; each tune a piece).",
                   _glob("essenFolksong", ".abc")),
        Collection("ryans-mammoth",
                   "Ryan's Mammoth Collection of fiddle tunes (ABC; each tune a piece).",
                   _glob("ryansMammoth", ".abc")),
        Collection("multipart",
                   "The multi-part music of the corpus, for multitrack models: the Bach "
                   "chorales (flute, oboe, bassoon, clarinet) and the string quartets by "
                   "their collections' rules; Monteverdi's madrigals and Palestrina's "
                   "masses and motets as read, their voices sung (Choir Aahs, program 52); "
                   "resolution 24, zero-duration and duplicate notes dropped, parts "
                   "without notes removed, kept with at least two parts.",
                   _multipart, _load_multipart,
                   title="chorales, quartets, madrigals and masses (music21 corpus)",
                   drop_rule="fewer than two parts with notes (or the chorale/quartet "
                             "rules)"),
        Collection("music21-corpus",
                   "Every corpus file orchestrion reads (MusicXML, Humdrum, ABC tunes, MIDI, "
                   "MuseScore), as read; other files are listed in `skipped` with the reason.",
                   _everything, title="everything orchestrion reads in music21's corpus"),
    )
}

COLLECTIONS: tuple[str, ...] = tuple(_COLLECTIONS)
"""The names of the offline collections."""


def collection(name: str) -> Collection:
    """The offline collection called ``name``; ``DatasetError`` listing the names if none."""
    try:
        return _COLLECTIONS[name]
    except KeyError:
        raise DatasetError(f"no music21 collection named {name!r}; the collections are: "
                           f"{', '.join(COLLECTIONS)}") from None
