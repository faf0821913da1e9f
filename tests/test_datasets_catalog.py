"""The catalog of downloadable corpora, against a local HTTP server on 127.0.0.1 serving small
archives built here in each corpus' real layout (MIDI and MusicXML written by orchestrion,
ABC and Humdrum as literal text)."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestrion.core.model import Music, Note, Track
from orchestrion.datasets import DownloadError, ExtractError, Source
from orchestrion.datasets.base import archive_stem
from orchestrion.datasets.catalog import (
    CATALOG,
    UNVERIFIED_NOTE,
    RemoteDataset,
    catalog_dataset,
)
from orchestrion.errors import DatasetError
from test_datasets_download import ServerState, make_tar, make_zip, server  # noqa: F401

dl = importlib.import_module("orchestrion.datasets._download")

Server = tuple[str, ServerState]


@pytest.fixture
def web(server: Server) -> Server:  # noqa: F811 - the HTTP server of test_datasets_download
    return server


@pytest.fixture(autouse=True)
def _no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dl, "RETRY_DELAY", 0.0)


# --- file contents -------------------------------------------------------------------------

_CACHE: dict[tuple[int, str, int], bytes] = {}


def score(n: int, suffix: str = ".mid", resolution: int = 24) -> bytes:
    """A one-track piece of ``n`` quarter notes, written by orchestrion as ``suffix``."""
    key = (n, suffix, resolution)
    if key not in _CACHE:
        import tempfile

        from orchestrion.io import write
        notes = [Note(time=i * resolution, pitch=60 + i % 12, duration=resolution)
                 for i in range(n)]
        music = Music(resolution=resolution, tracks=[Track(program=0, notes=notes)])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"piece{suffix}"
            write(music, path)
            _CACHE[key] = path.read_bytes()
    return _CACHE[key]


def abc_book(*tunes: tuple[int, str]) -> bytes:
    """An ABC book of tunes ``(X, body)`` in G major, 4/4, eighth notes."""
    return "\n".join(f"X: {x}\nT: Tune {x}\nM: 4/4\nL: 1/8\nK: G\n{body}\n"
                     for x, body in tunes).encode()


# The real layout of a Haydn op. 20 file: **harm and **commentary spines before the **kern
# spines (from op20n1-02.hrm), cut down to two bars: 3 notes in the cello, 4 in the violin.
HRM = (
    b"!!!COM: Haydn, Franz Joseph\n!!!OTL: String Quartet in E-flat Major\n"
    b"**harm\t**commentary\t**kern\t**kern\n"
    b"*k[b-e-a-]\t*k[b-e-a-]\t*k[b-e-a-]\t*k[b-e-a-]\n*E-:\t*E-:\t*E-:\t*E-:\n"
    b"*\t*\t*clefF4\t*clefG2\n*M3/4\t*M3/4\t*M3/4\t*M3/4\n=1\t=1\t=1\t=1\n"
    b"I\t.\t4E-\t4b-\n.\t.\t4r\t4b-\nV7\tcomment\t4f\t4dd\n=2\t=2\t=2\t=2\n"
    b"I\t.\t2.E-\t2.ee-\n==\t==\t==\t==\n*-\t*-\t*-\t*-\n")


# --- the corpora's layouts -----------------------------------------------------------------

@dataclass
class Layout:
    """An archive in a corpus' layout and what the catalog should make of it."""

    members: dict[str, bytes]
    pieces: dict[str, int]  # ROOT/source-relative path -> number of notes (ids drop the stem)
    tar: bool = False


def _layouts() -> dict[str, Callable[[], Layout]]:
    md5 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    lmd_full = Layout({f"lmd_full/0/{md5}.mid": score(3), "lmd_full/f/ffee.mid": score(2)},
                      {f"lmd_full/lmd_full/0/{md5}": 3, "lmd_full/lmd_full/f/ffee": 2}, True)

    def lmd(subset: str) -> Layout:
        track = "A/B/C/TRABCAA128F42A2B4C"
        return Layout({f"{subset}/{track}/{md5}.mid": score(4)},
                      {f"{subset}/{subset}/{track}/{md5}": 4}, True)

    def maestro(version: str) -> Layout:
        top = f"maestro-{version}"
        return Layout({f"{top}/2004/MIDI-Unprocessed_XP_01.midi": score(5),
                       f"{top}/2018/MIDI-Unprocessed_Recital1.midi": score(2),
                       f"{top}/{top}.csv": b"canonical_composer,midi_filename\n",
                       f"{top}/{top}.json": b"{}", f"{top}/LICENSE": b"CC BY-NC-SA 4.0"},
                      {f"{top}-midi/{top}/2004/MIDI-Unprocessed_XP_01": 5,
                       f"{top}-midi/{top}/2018/MIDI-Unprocessed_Recital1": 2})

    nottingham = abc_book((1, "GABc d2e2|"), (2, "dcBA G4|"))
    return {
        "lmd-full": lambda: lmd_full,
        "lmd-matched": lambda: lmd("lmd_matched"),
        "lmd-aligned": lambda: lmd("lmd_aligned"),
        "maestro-v1": lambda: maestro("v1.0.0"),
        "maestro-v2": lambda: maestro("v2.0.0"),
        "maestro-v3": lambda: maestro("v3.0.0"),
        "nes": lambda: Layout(
            {"nesmdb_midi/train/000_10_YardFight_00_01GameStart.mid": score(3),
             "nesmdb_midi/test/297_SkyKid_00_01Title.mid": score(4)},
            {"nesmdb_midi/nesmdb_midi/test/297_SkyKid_00_01Title": 4,
             "nesmdb_midi/nesmdb_midi/train/000_10_YardFight_00_01GameStart": 3}, True),
        "jsb-chorales": lambda: Layout(
            {"JSB Chorales/train/2.mid": score(4, resolution=100),
             "JSB Chorales/valid/17.mid": score(3), "JSB Chorales/test/9.mid": score(2),
             "__MACOSX/JSB Chorales/train/._2.mid": b"\x00\x05\x16\x07"},
            {"JSB Chorales/JSB Chorales/test/9": 2, "JSB Chorales/JSB Chorales/train/2": 4,
             "JSB Chorales/JSB Chorales/valid/17": 3}),
        "nottingham": lambda: Layout(
            {"nottingham_database/jigs.abc": nottingham,
             "nottingham_database/reels_a-c.abc": abc_book((7, "G2B2 d4|"))},
            {"nottingham_database/nottingham_database/jigs#1": 6,
             "nottingham_database/nottingham_database/jigs#2": 5,
             "nottingham_database/nottingham_database/reels_a-c#7": 3}),
        "essen-folk-songs": lambda: Layout(
            {"esac/ALTDEU1.abc": abc_book((1, "G2A2 B4|"), (3, "d2c2 B2A2|"))},
            {"esac/esac/ALTDEU1#1": 3, "esac/esac/ALTDEU1#3": 4}),
        "haydn-op20": lambda: Layout(
            {"op20/1/ii/op20n1-02.hrm": HRM, "op20/1/ii/op20n1-02.chrd": b"I\nV7\n",
             "README.md": b"Haydn op. 20"},
            {"haydnop20v1.3_annotated/op20/1/ii/op20n1-02": 7}),
        "wikifonia": lambda: Layout(
            {"Wikifonia/Anonymous - Greensleeves.mxl": score(4, ".mxl"),
             "Wikifonia/Cole Porter - Night And Day.mxl": score(3, ".mxl")},
            {"Wikifonia/Wikifonia/Anonymous - Greensleeves": 4,
             "Wikifonia/Wikifonia/Cole Porter - Night And Day": 3}),
        "emopia": lambda: Layout(
            {"EMOPIA_2.2/midis/Q1_0vLPYiPN7qY_1.mid": score(3),
             "EMOPIA_2.2/midis/Q4_r6A0-uvB-Lc_2.mid": score(2),
             "EMOPIA_2.2/label.csv": b"ID,4Q\n",
             "__MACOSX/EMOPIA_2.2/midis/._Q1_0vLPYiPN7qY_1.mid": b"\x00\x05",
             "EMOPIA_2.2/.hidden/Q2_x_1.mid": score(1)},
            {"EMOPIA_2.2/EMOPIA_2.2/midis/Q1_0vLPYiPN7qY_1": 3,
             "EMOPIA_2.2/EMOPIA_2.2/midis/Q4_r6A0-uvB-Lc_2": 2}),
        "musicnet": lambda: Layout(
            {"musicnet_midis/Bach/2186_vs6_1.mid": score(4),
             "musicnet_midis/Beethoven/2313_qt15_1.mid": score(2)},
            {"musicnet_midis/musicnet_midis/Bach/2186_vs6_1": 4,
             "musicnet_midis/musicnet_midis/Beethoven/2313_qt15_1": 2}, True),
        "sod": lambda: Layout(
            {"SOD/Kunstderfuge/687/messiah_10.mid": score(2),
             "SOD/Kunstderfuge/687/messiah_10_orch.mid": score(4),
             "SOD/Kunstderfuge/687/messiah_10_orch.xml": score(5, ".xml"),
             "SOD/Musicalion/26/The Imperfect Prolatio_orch.xml": score(3, ".xml"),
             "SOD/Musicalion/26/metadata.txt": b"instrumentation"},
            {"SOD/SOD/Kunstderfuge/687/messiah_10": 2,
             "SOD/SOD/Kunstderfuge/687/messiah_10_orch": 4,
             "SOD/SOD/Musicalion/26/The Imperfect Prolatio_orch": 3}),
    }


LAYOUTS = _layouts()


def serve(name: str, web: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          layout: Layout | None = None, **source: object) -> tuple[RemoteDataset, bytes]:
    """Build the corpus' archive, serve it and point the corpus' source at it."""
    base, state = web
    cls = CATALOG[name]
    filename = cls.sources[0].filename
    layout = layout or LAYOUTS[name]()
    folder = tmp_path / "built"
    folder.mkdir(parents=True, exist_ok=True)
    build = make_tar if layout.tar else make_zip
    data = build(folder / filename, layout.members).read_bytes()
    state.files["/" + filename.replace(" ", "%20")] = data
    url = f"{base}/{filename.replace(' ', '%20')}"
    if cls.sources[0].unverified:
        fields: dict[str, object] = {"unverified": True}
    else:
        fields = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    fields.update(source)
    monkeypatch.setattr(cls, "sources", (Source(url=url, filename=filename, **fields),))
    return cls(), data


# --- metadata ------------------------------------------------------------------------------

def test_every_entry_has_its_metadata_and_sources() -> None:
    assert list(CATALOG) == [
        "lmd-full", "lmd-matched", "lmd-aligned", "maestro-v1", "maestro-v2", "maestro-v3",
        "nes", "jsb-chorales", "nottingham", "essen-folk-songs", "haydn-op20", "wikifonia",
        "emopia", "musicnet", "hymnal", "sod"]
    for name, cls in CATALOG.items():
        dataset = catalog_dataset(name)
        assert dataset.name == name
        assert isinstance(dataset, cls)
        for field in ("description", "licence", "citation", "homepage"):
            assert getattr(dataset, field).strip(), (name, field)
        assert dataset.homepage.startswith(("http://", "https://"))
        assert dataset.extensions
        assert all(e.startswith(".") and e == e.lower() for e in dataset.extensions)
        if name == "hymnal":
            assert dataset.sources == ()
            assert dataset.offline
            continue
        assert len(dataset.sources) == 1
        assert not dataset.offline
        source = dataset.sources[0]
        assert source.url.startswith(("http://", "https://"))
        if name == "sod":
            assert source.unverified
            assert not source.digests
            assert source.size is None
            assert dataset.info()["sources"][0]["checksum"] == UNVERIFIED_NOTE
            continue
        assert not source.unverified, name
        assert source.digests, name
        if name != "emopia":  # MusPy 0.5 gives EMOPIA_2.2.zip an md5 and no size
            assert source.size, name
        assert dataset.info()["sources"][0]["checksum"].startswith(("sha256 ", "md5 "))
    assert CATALOG["lmd-full"].sources[0].sha256 == (
        "6fcfe2ac49ca08f3f214cec86ab138d4fc4dabcd7f27f491a838dae6db45a12b")
    assert CATALOG["maestro-v3"].extensions == (".midi", ".mid")


def test_unknown_name_lists_the_catalog() -> None:
    with pytest.raises(DatasetError, match="no corpus named 'nope'") as info:
        catalog_dataset("nope")
    for name in CATALOG:
        assert name in str(info.value)


def test_a_root_is_needed_and_files_need_a_download(tmp_path: Path) -> None:
    dataset = catalog_dataset("nes")
    with pytest.raises(DatasetError, match="--root"):
        dataset.files()
    with pytest.raises(DatasetError, match="--root"):
        dataset.download()
    with pytest.raises(DatasetError,
                       match=f"orchestrion dataset download nes --root {tmp_path}"):
        dataset.files(tmp_path)


# --- download, extract, read ---------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in CATALOG if n != "hymnal"])
def test_download_then_pieces(name: str, web: Server, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    dataset, data = serve(name, web, tmp_path, monkeypatch)
    layout = LAYOUTS[name]()
    root = tmp_path / "root"
    filename = dataset.sources[0].filename
    folder = root / "source" / archive_stem(filename)  # ids start inside the archive
    assert dataset.download(root, progress=False) == folder
    assert (root / "downloads" / filename).read_bytes() == data
    assert folder.is_dir()
    expected = {i.split("/", 1)[1]: n for i, n in layout.pieces.items()}
    files = {p.relative_to(folder).with_suffix("").as_posix() for p in dataset.files(root)}
    assert files == {i.split("#")[0] for i in expected}
    assert dataset.files(root) == sorted(dataset.files(root),
                                         key=lambda p: p.relative_to(folder).as_posix())
    skipped: dict[str, object] = {}
    pieces = dict(dataset.pieces(root, errors="raise", skipped=skipped))
    assert skipped == {}
    assert {i: sum(t.n_notes for t in m.tracks) for i, m in pieces.items()} == expected
    assert all(m.metadata.collection == name for m in pieces.values())
    requests = len(web[1].requests)
    dataset.download(root, progress=False)  # verified on disk, already extracted
    assert len(web[1].requests) == requests == 1


def test_corpus_specific_reading(web: Server, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("jsb-chorales", "emopia"):
        dataset, _ = serve(name, web, tmp_path / name, monkeypatch)
        dataset.download(tmp_path / name / "root", progress=False)
        pieces = dict(dataset.pieces(tmp_path / name / "root", errors="raise"))
        if name == "jsb-chorales":  # 100 ticks per quarter read as 120, as MusPy does
            assert pieces["JSB Chorales/train/2"].resolution == 120
            assert pieces["JSB Chorales/test/9"].resolution == 24
        else:
            music = pieces["EMOPIA_2.2/midis/Q1_0vLPYiPN7qY_1"]
            (label,) = [a for a in music.annotations if a.group == "emopia"]
            assert label.annotation == {"emo_class": "1", "YouTube_ID": "0vLPYiPN7qY",
                                        "seg_id": "1"}


def test_haydn_hrm_is_read_as_humdrum(tmp_path: Path) -> None:
    path = tmp_path / "op20n1-02.hrm"
    path.write_bytes(HRM)
    ((piece_id, music),) = catalog_dataset("haydn-op20").read_file(path, "op20n1-02")
    assert piece_id == "op20n1-02"
    assert not isinstance(music, str)
    assert sorted(t.n_notes for t in music.tracks) == [3, 4]  # **harm makes no notes
    assert music.metadata.title == "String Quartet in E-flat Major"


def test_wrong_checksum_says_download_it_yourself(web: Server, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    dataset, _ = serve("jsb-chorales", web, tmp_path, monkeypatch, sha256="ab" * 32)
    with pytest.raises(DownloadError) as info:
        dataset.download(tmp_path / "root", progress=False)
    message = str(info.value)
    assert dataset.sources[0].url in message
    assert "yourself" in message
    assert "sha256 mismatch" in message
    assert not (tmp_path / "root" / "source").exists()


def test_interrupted_download_is_resumed(web: Server, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _base, state = web
    dataset, data = serve("nes", web, tmp_path, monkeypatch)
    state.cut_first, state.cut_after = 1, len(data) // 2
    dataset.download(tmp_path / "root", progress=False)
    assert state.requests == [("/nesmdb_midi.tar.gz", None),
                              ("/nesmdb_midi.tar.gz", f"bytes={len(data) // 2}-")]
    assert len(dataset.files(tmp_path / "root")) == 2


@pytest.mark.parametrize("tar", [False, True])
def test_archive_escaping_its_folder_is_refused(tar: bool, web: Server, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    name = "musicnet" if tar else "wikifonia"
    evil = Layout({"ok/a.mid": score(1), "../evil.mid": score(1)}, {}, tar)
    dataset, _ = serve(name, web, tmp_path, monkeypatch, layout=evil)
    root = tmp_path / "root"
    with pytest.raises(ExtractError, match=r"evil\.mid"):
        dataset.download(root, progress=False)
    stem = archive_stem(dataset.sources[0].filename)
    assert not (root / "source" / stem).exists()
    assert [p.name for p in (root / "source").iterdir()] == []
    assert not (tmp_path / "evil.mid").exists()
    assert not (root / "evil.mid").exists()


# --- hymnal: a folder you bring ------------------------------------------------------------

def test_hymnal_reads_files_placed_by_hand(tmp_path: Path) -> None:
    hymnal = catalog_dataset("hymnal")
    with pytest.raises(DatasetError, match="not downloaded for you") as info:
        hymnal.files(tmp_path)
    assert str(tmp_path / "source") in str(info.value)
    with pytest.raises(DatasetError, match="put its files"):
        hymnal.download(tmp_path)
    (tmp_path / "source").mkdir()
    with pytest.raises(DatasetError, match=r"no \.mid files"):
        hymnal.files(tmp_path)
    (tmp_path / "source" / "Classic").mkdir()
    (tmp_path / "source" / "Classic" / "1.mid").write_bytes(score(3))
    (tmp_path / "source" / "New Tunes").mkdir()
    (tmp_path / "source" / "New Tunes" / "12.mid").write_bytes(score(2))
    (tmp_path / "source" / "notes.txt").write_text("from hymnal.net")
    assert hymnal.download(tmp_path) == tmp_path / "source"
    pieces = dict(hymnal.pieces(tmp_path, errors="raise"))
    assert {i: sum(t.n_notes for t in m.tracks) for i, m in pieces.items()} == {
        "Classic/1": 3, "New Tunes/12": 2}
    assert hymnal.info()["sources"] == []
    assert hymnal.info()["offline"]


def test_subfolder_limits_the_files(tmp_path: Path) -> None:
    class Only(RemoteDataset):
        name, description, extensions, subfolder = "only", "d", (".mid",), "a/keep"

    for rel in ("a/keep/x.mid", "a/keep/y/z.MID", "a/other.mid", "b/w.mid"):
        (tmp_path / "source" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "source" / rel).write_bytes(score(1))
    ids = Only().file_ids(tmp_path)
    assert list(ids.values()) == ["a/keep/x", "a/keep/y/z"]


# --- SOD: trust on first use ---------------------------------------------------------------

def test_sod_records_its_checksum_on_first_download(web: Server, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _base, state = web
    dataset, data = serve("sod", web, tmp_path, monkeypatch)
    root = tmp_path / "root"
    dataset.download(root, progress=False)
    archive = root / "downloads" / "SOD.zip"
    record = root / "downloads" / "SOD.zip.sha256"
    assert record.read_text() == f"{hashlib.sha256(data).hexdigest()}  SOD.zip\n"
    dataset.download(root, progress=False)
    assert len(state.requests) == 1  # checked against the record, no request
    archive.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the file changed on disk
    with pytest.raises(DownloadError, match=r"recorded in SOD\.zip\.sha256") as info:
        dataset.download(root, progress=False)
    assert "SOD.zip.sha256" in str(info.value)
    assert "yourself" in str(info.value)
    assert dataset.sources[0].url in str(info.value)
    assert len(state.requests) == 1
