"""Splits, folders as data sets, the conversion pipeline (``prepare``) and ``Prepared``."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.datasets import Dataset, FolderDataset, Prepared, get, make_splits, prepare
from orchestrion.datasets.base import Piece
from orchestrion.datasets.splits import load_splits, parse_fractions
from orchestrion.errors import DatasetError, FormatError

ABC_BOOK = """X:1
T:One
M:4/4
L:1/4
K:C
CDEF|GABc|]

X:2
T:Two
M:3/4
L:1/4
K:G
GAB|d3|]
"""


# ------------------------------------------------------------------------------ splits


def test_fractions_are_weights_with_default_names() -> None:
    assert parse_fractions("0.8,0.1,0.1") == {"train": 0.8, "valid": 0.1, "test": 0.1}
    assert parse_fractions("train=0.9, test=0.1") == {"train": 0.9, "test": 0.1}
    assert parse_fractions([1, 1]) == {"train": 1.0, "test": 1.0}
    assert list(parse_fractions("1,1,1,1")) == ["split0", "split1", "split2", "split3"]
    ids = [f"piece{i}" for i in range(1000)]
    assert make_splits(ids, "0.8,0.1,0.1") == make_splits(ids, "8,1,1") \
        == make_splits(ids, [80, 10, 10])
    assert 0.7 + 0.2 + 0.1 != 1.0  # a sum MusPy refused
    assert make_splits(ids, "0.7,0.2,0.1") == make_splits(ids, "7,2,1")


@pytest.mark.parametrize("bad", ["0.8,-0.1,0.3", "0,0", "a,b", "1,nan", "train=1,0.5",
                                 "x=1,x=2", ""])
def test_bad_fractions_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="splits"):
        parse_fractions(bad)


@pytest.mark.parametrize(("n", "fractions", "sizes"), [
    (10, "0.8,0.1,0.1", [8, 1, 1]),
    (409, "0.8,0.1,0.1", [327, 41, 41]),   # 327.2, 40.9, 40.9: the remainders go to valid/test
    (3, "0.8,0.1,0.1", [3, 0, 0]),
    (5, "1,1", [3, 2]),                     # a tie goes to the earlier split
    (0, "0.8,0.1,0.1", [0, 0, 0]),
])
def test_split_sizes_follow_the_weights_exactly(n: int, fractions: str, sizes: list[int]
                                                ) -> None:
    splits = make_splits([f"id{i}" for i in range(n)], fractions)
    assert [len(ids) for ids in splits.values()] == sizes


@given(st.lists(st.text(min_size=1, max_size=8), max_size=60), st.randoms(),
       st.integers(0, 3))
def test_splits_do_not_depend_on_listing_order(ids: list[str], shuffler: random.Random,
                                               seed: int) -> None:
    shuffled = list(ids) + ids[:3]  # duplicates count once
    shuffler.shuffle(shuffled)
    first = make_splits(ids, "0.7,0.2,0.1", seed)
    assert make_splits(shuffled, "0.7,0.2,0.1", seed) == first
    assert sorted(i for part in first.values() for i in part) == sorted(set(ids))
    assert all(part == sorted(part) for part in first.values())


def test_the_seed_changes_the_assignment_and_ids_stay_put() -> None:
    ids = [f"bach/bwv{i}" for i in range(400)]
    assert make_splits(ids, seed=0) != make_splits(ids, seed=1)
    # Adding pieces moves few of the old ones (the order of the old ones is unchanged).
    before = make_splits(ids, seed=0)
    after = make_splits([*ids, *(f"new{i}" for i in range(4))], seed=0)
    moved = sum(len(set(before[k]) - set(after[k])) for k in before)
    assert moved <= 8


# ---------------------------------------------------------------------- folder data sets


def _piece(pitch: int, n: int = 4) -> Music:
    notes = [Note(time=24 * i, pitch=pitch + i, duration=24, velocity=64) for i in range(n)]
    return Music(resolution=24, tracks=[Track(program=0, notes=notes)])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three MIDI files (one in a subfolder), a broken one, an ABC book, a stray text file
    and a hidden file."""
    source = tmp_path / "mine"
    (source / "sub").mkdir(parents=True)
    orchestrion.write(_piece(60), source / "a.mid")
    orchestrion.write(_piece(62, 6), source / "b.mid")
    orchestrion.write(_piece(64, 8), source / "sub" / "c.mid")
    (source / "broken.mid").write_bytes(b"MThd not really")
    (source / "book.abc").write_text(ABC_BOOK, encoding="utf-8")
    (source / "notes.txt").write_text("not music", encoding="utf-8")
    orchestrion.write(_piece(50), source / ".hidden.mid")
    return source


def test_any_folder_of_readable_files_is_a_dataset(folder: Path) -> None:
    data = get(str(folder))
    assert isinstance(data, FolderDataset)
    assert data.name == "mine"
    assert [p.relative_to(folder).as_posix() for p in data.files()] == \
        ["a.mid", "b.mid", "book.abc", "broken.mid", "sub/c.mid"]
    assert list(data.file_ids().values()) == ["a", "b", "book", "broken", "sub/c"]
    skipped: dict[str, object] = {}
    pieces = dict(data.pieces(skipped=skipped))
    assert sorted(pieces) == ["a", "b", "book#1", "book#2", "sub/c"]
    assert pieces["sub/c"].n_notes == 8
    assert list(skipped) == ["broken"]
    with pytest.raises(FormatError, match=r"broken\.mid"):
        list(data.pieces(errors="raise"))
    with pytest.raises(DatasetError, match="no data set called"):
        get(str(folder / "missing"))


def test_prepare_a_folder_reports_failures_and_reruns_incrementally(folder: Path,
                                                                    tmp_path: Path) -> None:
    root = tmp_path / "prepared"
    first = prepare(folder, root, splits="1,1", jobs=1, progress=False)
    assert (first.files, first.converted, first.reused, first.pieces) == (5, 5, 0, 5)
    assert list(first.failures) == ["broken"]
    assert "broken" not in first.dropped
    assert "MIDI" in first.failures["broken"] or "MThd" in first.failures["broken"]
    assert sum(first.splits.values()) == 5
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["files"]["sub/c"]["path"] == "sub/c.mid"
    assert manifest["files"]["book"]["pieces"] == ["book#1", "book#2"]
    assert manifest["files"]["broken"]["failures"]
    assert orchestrion.read(root / "music" / "sub" / "c.json").n_notes == 8
    assert orchestrion.read(root / "music" / "book#2.json").n_notes == 4

    # Nothing changed: only the failed file is read again.
    again = prepare(folder, root, splits="1,1", jobs=1, progress=False)
    assert (again.converted, again.reused, again.removed) == (1, 4, 0)

    # One file changed, one removed: the changed one is converted, the gone one's piece goes.
    orchestrion.write(_piece(70, 3), folder / "a.mid")
    (folder / "b.mid").unlink()
    third = prepare(folder, root, splits="1,1", jobs=2, progress=False)
    assert (third.files, third.converted, third.reused, third.removed) == (4, 2, 2, 1)
    assert not (root / "music" / "b.json").exists()
    assert orchestrion.read(root / "music" / "a.json").tracks[0].notes[0].pitch == 70
    assert sorted(Prepared(root).ids()) == ["a", "book#1", "book#2", "sub/c"]

    # --force converts everything again.
    assert prepare(folder, root, splits="1,1", force=True, progress=False).converted == 4


class _Warns(Dataset):
    """A data set of one's own (not known to ``get``) whose reader warns."""

    name = "warns"
    description = "two files, one warning"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def source_folder(self, root: object = None) -> Path:
        return self.folder

    def files(self, root: object = None) -> list[Path]:
        return [self.folder / "a.mid", self.folder / "b.mid"]

    def read_file(self, path: Path, file_id: str) -> list[Piece]:
        if file_id == "a":
            warnings.warn("a.mid: read with care", stacklevel=1)
        return [(file_id, orchestrion.read(path))]


def test_a_dataset_of_ones_own_and_warnings_kept_in_the_manifest(folder: Path,
                                                                 tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes to the console
        result = prepare(_Warns(folder), tmp_path / "out", progress=False)
    assert result.pieces == 2
    assert result.warnings == {"a": ["a.mid: read with care"]}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["files"]["a"]["warnings"] == ["a.mid: read with care"]
    assert manifest["files"]["b"]["warnings"] == []
    assert "1 files with warnings" in result.summary()


def test_prepared_data_must_go_outside_the_folder(folder: Path) -> None:
    with pytest.raises(DatasetError, match="outside"):
        prepare(folder, folder / "prepared", progress=False)


def test_bad_arguments_are_clear(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="splits"):
        prepare(folder, tmp_path / "out", splits="0.5,-1")
    with pytest.raises(DatasetError):
        prepare(folder, tmp_path / "out", representation="nope")
    with pytest.raises(DatasetError, match="no data set called"):
        prepare("no-such-dataset", tmp_path / "out")
    with pytest.raises(DatasetError, match="not a prepared data set"):
        Prepared(tmp_path / "nothing")


def test_a_folder_prepared_twice_in_different_places_splits_the_same(folder: Path,
                                                                     tmp_path: Path) -> None:
    a = prepare(folder, tmp_path / "one", splits="0.5,0.25,0.25", seed=3, progress=False)
    b = prepare(folder, tmp_path / "two", splits="0.5,0.25,0.25", seed=3, progress=False)
    assert a.splits == b.splits
    assert load_splits(tmp_path / "one" / "splits.json") == \
        load_splits(tmp_path / "two" / "splits.json")


# ------------------------------------------------------------------- bach-chorales, shards


@pytest.fixture(scope="module")
def bach(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    pytest.importorskip("music21")
    root = tmp_path_factory.mktemp("bach")
    return root, prepare("bach-chorales", root, representation="mmt", jobs=2, progress=False)


def test_prepare_bach_chorales(bach: tuple[Path, object]) -> None:
    root, result = bach
    assert result.pieces == 409
    assert result.failures == {}
    assert list(result.dropped) == ["bach/bwv846"]
    assert result.splits == {"train": 327, "valid": 41, "test": 41}
    prepared = Prepared(root)
    assert len(prepared.ids()) == 409
    assert set(prepared.ids("test")).isdisjoint(prepared.ids("train"))
    _piece_id, music = next(prepared.pieces("valid"))
    assert [t.name for t in music.tracks][:1] == ["Soprano"]
    assert music.resolution == 24


def test_bach_shards_hold_each_split_encoded(bach: tuple[Path, object]) -> None:
    from orchestrion.representations import get as get_codec

    root, result = bach
    assert result.shards == root / "shards" / "mmt"
    prepared = Prepared(root)
    codec = get_codec("mmt")
    for split, count in result.splits.items():
        shard = prepared.shard("mmt", split)
        assert len(shard) == count
        assert shard.ids == prepared.ids(split)
    shard = prepared.shard("mmt", "test")
    for index in (0, len(shard) - 1):
        expected = codec.encode(prepared.music(shard.ids[index]))
        np.testing.assert_array_equal(shard[index], expected)


def test_an_unchanged_rerun_converts_and_encodes_nothing(bach: tuple[Path, object]) -> None:
    root, _ = bach
    stamp = (root / "shards" / "mmt" / "stamp.json").stat().st_mtime_ns
    again = prepare("bach-chorales", root, representation="mmt", jobs=1, progress=False)
    assert (again.converted, again.reused) == (0, 410)
    assert (root / "shards" / "mmt" / "stamp.json").stat().st_mtime_ns == stamp
    assert set(again.seconds) == {"download", "convert", "split", "shard", "total"}
    # Other splits: the shards are rebuilt.
    other = prepare("bach-chorales", root, representation="mmt", splits="0.5,0.5",
                    progress=False)
    assert other.splits == {"train": 205, "test": 204}
    assert len(Prepared(root).shard("mmt", "train")) == other.splits["train"]
