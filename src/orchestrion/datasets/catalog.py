"""The catalog of downloadable corpora: one small declarative class per corpus.

A :class:`RemoteDataset` names the files it downloads (its :class:`Source` list), the
extensions of the files it reads and, optionally, the sub-folder that holds them. Its
archives are downloaded into ``ROOT/downloads`` and extracted into
``ROOT/source/<archive stem>`` by :meth:`Dataset.download`; :meth:`RemoteDataset.files` then
lists every file of those extensions below that folder (hidden files and folders, such as
the extraction marker, and ``__MACOSX`` left out), and piece ids are their paths relative to
it without extension: ``"lmd_full/0/0a1b...f"`` (relative to ``ROOT/source`` for a corpus of
several archives or none).

The URLs, sizes, checksums, descriptions, licences and citations are MusPy 0.5's (its
``muspy.datasets`` modules; see :mod:`orchestrion.datasets._corpora`), the file extensions
too. Two corpora are not plain downloads: ``hymnal`` has no archive (MusPy scrapes
hymnal.net page by page; here you bring the MIDI files and put them in ``ROOT/source/``),
and ``sod`` (the Symbolic Orchestral Database of the Multitrack Music Transformer paper) has
no published checksum or size: its source is ``unverified`` and its SHA-256 is recorded on
the first download (trust on first use, see :mod:`orchestrion.datasets._download`).

Files are read with :func:`orchestrion.io.read` (ABC books with :func:`read_tunes`, each
tune a piece); a corpus class overrides :meth:`RemoteDataset.read_music` where its files
need more (Haydn's ``.hrm`` Humdrum files, the JSB resolution, EMOPIA's labels). Importing
this module imports neither music21 nor tqdm.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.datasets import _corpora as text
from orchestrion.datasets._download import Source
from orchestrion.datasets.base import Dataset, Piece, archive_stem, read_tunes
from orchestrion.errors import DatasetError

if TYPE_CHECKING:
    from orchestrion.core.model import Music

__all__ = ["CATALOG", "RemoteDataset", "catalog_dataset"]

#: What ``info()`` and the docs say of a source without a published checksum.
UNVERIFIED_NOTE = "checksum not published; recorded on first download"

_SKIPPED_FOLDERS = {"__MACOSX"}


class RemoteDataset(Dataset):
    """A corpus downloaded from the web (or, without sources, a folder you bring).

    Class attributes, set by each corpus: ``name``, ``description``, ``licence``,
    ``citation``, ``homepage``, ``sources`` (see :class:`Dataset`), ``extensions`` (the
    lower-case suffixes of the files read, with the dot) and ``subfolder`` (a path inside
    ``ROOT/source`` that holds the files; ``""`` for all of it).
    """

    extensions: tuple[str, ...] = ()
    subfolder: str = ""

    # --- where the files are ---------------------------------------------------------------
    def source_folder(self, root: str | Path | None = None) -> Path:
        """Where piece ids are relative to: ``ROOT/source/<archive stem>`` for a corpus of
        one archive (ids then start inside it: ``lmd_full/0/<md5>``), else ``ROOT/source``."""
        if root is None:
            raise DatasetError(f"{self.name}: give the data set's folder (--root DIR)")
        base = Path(root).expanduser() / "source"
        if len(self.sources) == 1:
            return base / archive_stem(self.sources[0].filename)
        return base

    def _missing(self, root: str | Path, folder: Path) -> str:
        """How to get the files into ``folder``."""
        if self.sources:
            return (f"run `orchestrion dataset download {self.name} --root "
                    f"{Path(root).expanduser()}` first")
        return (f"{self.name} is not downloaded for you: put its files "
                f"({', '.join(self.extensions)}) in {folder} (sub-folders are fine)")

    def files(self, root: str | Path | None = None) -> list[Path]:
        """Every file below the source folder (``subfolder`` of it) whose lower-case suffix
        is one of ``extensions``, hidden files and folders and ``__MACOSX`` left out,
        sorted by the POSIX path relative to the source folder.

        Raises ``DatasetError`` saying how to get the files when there are none.
        """
        base = self.source_folder(root)
        folder = base / self.subfolder if self.subfolder else base
        if not folder.is_dir():
            raise DatasetError(f"{self.name}: {folder} does not exist: "
                               f"{self._missing(root, folder)}")
        found: list[Path] = []
        for current, folders, names in os.walk(folder):
            folders[:] = [f for f in folders
                          if not f.startswith(".") and f not in _SKIPPED_FOLDERS]
            for name in names:
                path = Path(current) / name
                if (not name.startswith(".") and path.suffix.lower() in self.extensions
                        and path.is_file()):
                    found.append(path)
        if not found:
            raise DatasetError(f"{self.name}: no {'/'.join(self.extensions)} files in "
                               f"{folder}: {self._missing(root, folder)}")
        return sorted(self.select(found, base), key=lambda p: p.relative_to(base).as_posix())

    def select(self, paths: list[Path], base: Path) -> list[Path]:
        """The files kept of those found (all of them; a corpus may drop duplicates)."""
        return paths

    # --- reading ---------------------------------------------------------------------------
    def read_file(self, path: Path, file_id: str) -> list[Piece]:
        """``[(file_id, Music)]``, or every tune of an ABC book as ``file_id#X``; each
        piece's ``metadata.collection`` is the data set's name."""
        path = Path(path)
        if path.suffix.lower() == ".abc":
            return read_tunes(path, file_id, self.name)
        music = self.read_music(path)
        music.metadata.collection = self.name
        return [(file_id, music)]

    def read_music(self, path: Path) -> Music:
        """One file as :class:`Music` (:func:`orchestrion.io.read`)."""
        from orchestrion.io import read
        return read(path)

    # --- download --------------------------------------------------------------------------
    def download(self, root: str | Path | None = None, *, progress: bool | None = None
                 ) -> Path:
        """Download and extract the sources (see :meth:`Dataset.download`). A data set
        without sources downloads nothing: its folder must already hold its files."""
        folder = self.source_folder(root)  # raises when root is None
        if not self.sources:
            self.files(root)  # raises, saying where the files go, when there are none
            return folder
        return super().download(root, progress=progress)

    def info(self) -> dict[str, Any]:
        """:meth:`Dataset.info` plus ``extensions``, ``subfolder`` and, per source, how it
        is checked (``checksum``)."""
        info = super().info()
        info["extensions"] = list(self.extensions)
        info["subfolder"] = self.subfolder
        for entry, source in zip(info["sources"], self.sources, strict=True):
            entry["unverified"] = source.unverified
            entry["checksum"] = (UNVERIFIED_NOTE if source.unverified
                                 else ", ".join(f"{kind} {value}" for kind, value
                                                in source.digests.items()))
        return info


# ------------------------------------------------------------------------------- corpora


def _lmd(subset: str, size: int, md5: str, sha256: str) -> tuple[Source, ...]:
    return (Source(url=f"http://hog.ee.columbia.edu/craffel/lmd/{subset}.tar.gz",
                   filename=f"{subset}.tar.gz", size=size, md5=md5, sha256=sha256),)


class _LakhMIDI(RemoteDataset):
    description = text.LMD_DESCRIPTION
    licence = text.LMD_LICENCE
    citation = text.LMD_CITATION
    homepage = text.LMD_HOMEPAGE
    extensions = (".mid",)


class LakhMIDIFull(_LakhMIDI):
    """Lakh MIDI, all 176,581 files (``lmd_full.tar.gz``: ``lmd_full/0/<md5>.mid``)."""

    title = "Lakh MIDI, all 176,581 files"
    name = "lmd-full"
    sources = _lmd("lmd_full", 1768163879, "2536ce3fd2cede53ddaa264f731859ab",
                   "6fcfe2ac49ca08f3f214cec86ab138d4fc4dabcd7f27f491a838dae6db45a12b")


class LakhMIDIMatched(_LakhMIDI):
    """Lakh MIDI, the files matched to the Million Song Dataset (``lmd_matched/A/A/A/TR.../
    <md5>.mid``)."""

    title = "Lakh MIDI, the 45,129 files matched to the Million Song Dataset"
    name = "lmd-matched"
    sources = _lmd("lmd_matched", 1407072670, "fb80d01c22020295bb3eeef31f1aa63a",
                   "621ff830aed771f469e5bfa13dc12a33c6ed69090adeda63d0b5c47783af0191")


class LakhMIDIAligned(_LakhMIDI):
    """Lakh MIDI, the matched files aligned to their audio (``lmd_aligned/...``)."""

    title = "Lakh MIDI, the matched files aligned to their audio"
    name = "lmd-aligned"
    sources = _lmd("lmd_aligned", 272169548, "d36ca9159966d81d97e1e37d10ed4584",
                   "2bf5400e82eba73204644946515489b68811e1e656b0cfd854efc14377f6e53b")


def _maestro(version: str, size: int, sha256: str) -> tuple[Source, ...]:
    return (Source(url=("https://storage.googleapis.com/magentadata/datasets/maestro/"
                        f"{version}/maestro-{version}-midi.zip"),
                   filename=f"maestro-{version}-midi.zip", size=size, sha256=sha256),)


class _Maestro(RemoteDataset):
    description = text.MAESTRO_DESCRIPTION
    licence = text.MAESTRO_LICENCE
    citation = text.MAESTRO_CITATION
    homepage = text.MAESTRO_HOMEPAGE
    extensions = (".midi", ".mid")


class MaestroV1(_Maestro):
    """MAESTRO v1.0.0, MIDI only (``maestro-v1.0.0/<year>/<name>.midi`` and a csv/json)."""

    title = "MAESTRO v1.0.0 piano performances (MIDI)"
    name = "maestro-v1"
    sources = _maestro("v1.0.0", 46579421,
                       "f620f9e1eceaab8beea10617599add2e9c83234199b550382a2f603098ae7135")


class MaestroV2(_Maestro):
    """MAESTRO v2.0.0, MIDI only."""

    title = "MAESTRO v2.0.0 piano performances (MIDI)"
    name = "maestro-v2"
    sources = _maestro("v2.0.0", 59243107,
                       "ec2cc9d94886c6b376db1eaa2b8ad1ce62ff9f0a28b3744782b13163295dadf3")


class MaestroV3(_Maestro):
    """MAESTRO v3.0.0, MIDI only."""

    title = "MAESTRO v3.0.0 piano performances (MIDI)"
    name = "maestro-v3"
    sources = _maestro("v3.0.0", 58416533,
                       "70470ee253295c8d2c71e6d9d4a815189e35c89624b76d22fce5a019d5dde12c")


class NESMusicDatabase(RemoteDataset):
    """NES-MDB in MIDI (``nesmdb_midi/{train,valid,test}/*.mid``)."""

    title = "NES Music Database: game soundtracks, four voices (MIDI)"
    name = "nes"
    description = text.NES_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.NES_CITATION
    homepage = text.NES_HOMEPAGE
    extensions = (".mid",)
    sources = (Source(url="http://deepyeti.ucsd.edu/cdonahue/nesmdb/nesmdb_midi.tar.gz",
                      filename="nesmdb_midi.tar.gz", size=12922275,
                      md5="3f3e8ab4f660dd1b19350e5a8a91f3e6",
                      sha256="37610e2ca5fe70359c85170cf1f4982596783bb304c59d9c439f68c24ff4ee93"),)


class JSBChorales(RemoteDataset):
    """The 382 JSB chorales (``JSB Chorales/{train,valid,test}/*.mid``).

    As MusPy does, a file whose resolution reads 100 ticks per quarter is given 120: "The
    resolution of MIDI file in this dataset should be 120, but is incorrectly set to 100"
    (``muspy/datasets/jsb.py``).
    """

    title = "JSB Chorales: 382 four-part Bach chorales (MIDI)"
    name = "jsb-chorales"
    description = text.JSB_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.JSB_CITATION
    homepage = text.JSB_HOMEPAGE
    extensions = (".mid",)
    sources = (Source(url="http://www-etud.iro.umontreal.ca/~boulanni/JSB%20Chorales.zip",
                      filename="JSB Chorales.zip", size=215242,
                      md5="2fb72faf2659e82e9de08b16f2cca1e9",
                      sha256="69924294546a71620c06374085cd6b0300665ea215e2f854f65a11929f1e723c"),)

    def read_music(self, path: Path) -> Music:
        music = super().read_music(path)
        if music.resolution == 100:
            music.resolution = 120
        return music


class Nottingham(RemoteDataset):
    """The Nottingham database: ABC tune books (``nottingham_database/*.abc``)."""

    title = "Nottingham database: British and American folk tunes (ABC)"
    name = "nottingham"
    description = text.NOTTINGHAM_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.NOTTINGHAM_CITATION
    homepage = text.NOTTINGHAM_HOMEPAGE
    extensions = (".abc",)
    sources = (Source(url="http://ifdo.ca/~seymour/nottingham/nottingham_database.zip",
                      filename="nottingham_database.zip", size=142934,
                      md5="f55c354aaf08bcb6e9b2b3b8d52e4df3",
                      sha256="f79a4bffe78b16d630d4d69f9c62775a7aa246d0973c4d8714ab6c5139ff5a3b"),)


class EssenFolkSongs(RemoteDataset):
    """The Essen folk-song database in ABC (``esac.zip``; each tune a piece). The offline
    music21 copy of part of it is the collection ``essen``."""

    title = "Essen folk-song database (ABC)"
    name = "essen-folk-songs"
    description = text.ESSEN_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.ESSEN_CITATION
    homepage = text.ESSEN_HOMEPAGE
    extensions = (".abc",)
    sources = (Source(url="https://ifdo.ca/~seymour/runabc/esac/esac.zip",
                      filename="esac.zip", size=1700981,
                      md5="4636bd27b8ba4c57d2ef7db00d9eedc1",
                      sha256="7957cf8f7a036dac9d807330548816967a13a4f598247e2a0f38aeccf04c7553"),)


class HaydnOp20(RemoteDataset):
    """Haydn's op. 20 quartets with harmonic analysis: Humdrum files ``.hrm`` (``**kern``
    spines plus ``**harm`` and ``**commentary``), read with
    :func:`orchestrion.io.kern.read_kern`: the ``**kern`` spines become the tracks; the
    ``**harm`` analysis is not kept (MusPy turns it into annotations)."""

    title = "Haydn's op. 20 string quartets with harmonic analysis (Humdrum)"
    name = "haydn-op20"
    description = text.HAYDN_DESCRIPTION
    licence = text.HAYDN_LICENCE
    citation = text.HAYDN_CITATION
    homepage = text.HAYDN_HOMEPAGE
    extensions = (".hrm",)
    sources = (Source(url=("https://github.com/napulen/haydn_op20_harm/releases/download/"
                           "v1.3/haydnop20v1.3_annotated.zip"),
                      filename="haydnop20v1.3_annotated.zip", size=130954,
                      md5="1c65c8da312e1c9dda681d0496bf527f",
                      sha256="96986cccebfd37a36cc97a2fc0ebcfbe22d5136e622b21e04ea125d589f5073b"),)

    def read_music(self, path: Path) -> Music:
        from orchestrion.io.kern import read_kern
        return read_kern(path)


class Wikifonia(RemoteDataset):
    """The Wikifonia lead sheets (``Wikifonia/*.mxl``)."""

    title = "Wikifonia lead sheets (MusicXML)"
    name = "wikifonia"
    description = text.WIKIFONIA_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.WIKIFONIA_CITATION
    homepage = text.WIKIFONIA_HOMEPAGE
    extensions = (".mxl",)
    sources = (Source(url="http://www.synthzone.com/files/Wikifonia/Wikifonia.zip",
                      filename="Wikifonia.zip", size=35727800,
                      md5="d26e22562e67eb7d37535e96cc5eebba",
                      sha256="e7bce509462a73cee175308b6a3cdafa9effd6e8958b3ce03b4edb293cc6b691"),)


class EMOPIA(RemoteDataset):
    """EMOPIA 2.2 (``EMOPIA_2.2/midis/Q<k>_<YouTube id>_<segment>.mid``). Each piece gets
    MusPy's annotation at time 0, parsed from the file name: ``{"emo_class", "YouTube_ID",
    "seg_id"}`` (group ``"emopia"``). MusPy gives only an MD5 and no size."""

    title = "EMOPIA: pop piano clips with emotion labels (MIDI)"
    name = "emopia"
    description = text.EMOPIA_DESCRIPTION
    licence = text.EMOPIA_LICENCE
    citation = text.EMOPIA_CITATION
    homepage = text.EMOPIA_HOMEPAGE
    extensions = (".mid",)
    sources = (Source(url="https://zenodo.org/record/5257995/files/EMOPIA_2.2.zip",
                      filename="EMOPIA_2.2.zip", md5="bad5171786a4898f37fc2678e99afd94"),)

    def read_music(self, path: Path) -> Music:
        from orchestrion.core.model import Annotation

        music = super().read_music(path)
        name = path.name
        music.annotations.append(Annotation(time=0, group="emopia", annotation={
            "emo_class": name[1:2], "YouTube_ID": name[3:14],
            "seg_id": path.stem.split("_")[-1]}))
        return music


class MusicNet(RemoteDataset):
    """MusicNet's MIDI files (``musicnet_midis.tar.gz``)."""

    title = "MusicNet: 330 classical pieces (MIDI)"
    name = "musicnet"
    description = text.MUSICNET_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.MUSICNET_CITATION
    homepage = text.MUSICNET_HOMEPAGE
    extensions = (".mid",)
    sources = (Source(url="https://zenodo.org/record/5120004/files/musicnet_midis.tar.gz",
                      filename="musicnet_midis.tar.gz", size=2601302,
                      md5="b5fa98a113bfc51c8a445def9f24dc7e",
                      sha256="943cc47731ec5f397bd6fbab4dff78342472890cd484bd30ffb2e16047eef908"),)


class Hymnal(RemoteDataset):
    """Hymns from hymnal.net as MIDI: a folder you bring (``ROOT/source/**/*.mid``).

    MusPy 0.5 downloads them by requesting hymnal.net's pages one by one; orchestrion does
    not crawl a web site, so nothing is downloaded: put the MIDI files in ``ROOT/source/``.
    """

    title = "Hymnal: hymns from hymnal.net (MIDI you bring)"
    name = "hymnal"
    description = text.HYMNAL_DESCRIPTION
    licence = text.HYMNAL_LICENCE
    citation = text.HYMNAL_CITATION
    homepage = text.HYMNAL_HOMEPAGE
    extensions = (".mid",)


class SymbolicOrchestralDatabase(RemoteDataset):
    """The Symbolic Orchestral Database (``SOD.zip``: ``SOD/<collection>/<n>/<name>.mid``
    and ``.xml``), the data of the Multitrack Music Transformer (MMT) paper. No checksum
    or size is published: the source is ``unverified`` (its SHA-256 is recorded on the first
    download).

    When a piece is there as both ``X.mid`` and ``X.xml``, only ``X.mid`` is kept: MMT reads
    only MIDI files of SOD (every name in its ``data/sod/original-names.txt`` ends in
    ``.mid``), and one piece must not be counted twice.
    """

    title = "Symbolic Orchestral Database: orchestral pieces, MMT's data"
    name = "sod"
    description = text.SOD_DESCRIPTION
    licence = text.NOT_STATED
    citation = text.SOD_CITATION
    homepage = text.SOD_HOMEPAGE
    extensions = (".mid", ".xml")
    sources = (Source(url="https://qsdfo.github.io/LOP/database/SOD.zip", filename="SOD.zip",
                      unverified=True),)

    def select(self, paths: list[Path], base: Path) -> list[Path]:
        midi = {p.with_suffix("") for p in paths if p.suffix.lower() == ".mid"}
        return [p for p in paths
                if p.suffix.lower() == ".mid" or p.with_suffix("") not in midi]


#: The corpora of the catalog by name, in catalog order.
CATALOG: dict[str, type[RemoteDataset]] = {
    cls.name: cls for cls in (
        LakhMIDIFull, LakhMIDIMatched, LakhMIDIAligned, MaestroV1, MaestroV2, MaestroV3,
        NESMusicDatabase, JSBChorales, Nottingham, EssenFolkSongs, HaydnOp20, Wikifonia,
        EMOPIA, MusicNet, Hymnal, SymbolicOrchestralDatabase)
}


def catalog_dataset(name: str) -> RemoteDataset:
    """The corpus of the catalog called ``name``; ``DatasetError`` listing the names if
    there is none."""
    try:
        return CATALOG[name]()
    except KeyError:
        raise DatasetError(f"no corpus named {name!r} in the catalog; the corpora are: "
                           f"{', '.join(CATALOG)}") from None
