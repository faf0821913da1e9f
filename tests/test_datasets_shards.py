"""Training shards (``orchestrion.datasets.shards``) and their torch adapters
(``orchestrion.datasets.loaders``)."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from orchestrion import Music, Note, Track
from orchestrion.core import ops
from orchestrion.datasets.shards import (
    Shard,
    shard_dtype,
    shard_files,
    splits_in,
    trailing_shape,
    write_shard,
)
from orchestrion.errors import DatasetError
from orchestrion.representations import Representation, get, load


def pieces(n: int = 5, seed: int = 0) -> list[tuple[str, Music]]:
    """``n`` small pieces of varied length (piece 0 is empty), two pitched tracks and drums."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        tracks = []
        for program, is_drum in ((0, False), (40, False), (0, True)):
            count = 0 if i == 0 else int(rng.integers(1, 12 * i + 2))
            notes = [Note(int(t), int(p), int(d), 64) for t, p, d in zip(
                rng.integers(0, 48 * (i + 1), count), rng.integers(36, 90, count),
                rng.integers(1, 24, count), strict=True)]
            tracks.append(Track(program=program, is_drum=is_drum, notes=notes))
        out.append((f"set/piece-{i}", Music(resolution=12, tracks=tracks)))
    return out


def encoded(codec: Representation, n: int = 5) -> list[tuple[str, np.ndarray]]:
    return [(pid, codec.encode(music)) for pid, music in pieces(n)]


@pytest.fixture(params=[("note", {}), ("mmt", {})], ids=["note", "mmt"])
def codec(request: pytest.FixtureRequest) -> Representation:
    name, config = request.param
    return get(name, resolution=12, **config)


def test_round_trip(codec: Representation, tmp_path: Path) -> None:
    items = encoded(codec)
    path = write_shard(tmp_path, "train", iter(items), codec)
    assert path == tmp_path / "train.npy"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "representation.json", "train.ids.json", "train.npy", "train.offsets.npy"]
    assert load(tmp_path / "representation.json") == codec
    shard = Shard(tmp_path, "train")
    assert len(shard) == len(items)
    assert shard.ids == [pid for pid, _ in items]
    assert json.loads((tmp_path / "train.ids.json").read_text()) == shard.ids
    np.testing.assert_array_equal(shard.lengths, [len(a) for _, a in items])
    offsets = np.load(tmp_path / "train.offsets.npy")
    assert offsets.dtype == np.int64
    np.testing.assert_array_equal(offsets, np.concatenate([[0], np.cumsum(shard.lengths)]))
    data = np.load(tmp_path / "train.npy")
    # note: time codes up to 2**31 - 1 need int32; mmt's codes fit int16.
    expected = np.int32 if codec.name == "note" else np.int16
    assert data.dtype == expected == shard_dtype(codec)
    assert data.shape == (offsets[-1], *trailing_shape(codec))
    for i, (pid, array) in enumerate(items):
        row = shard[i]
        np.testing.assert_array_equal(row, array)
        assert not row.flags.writeable
        assert shard.index(pid) == i
        assert shard.decode(i) == codec.decode(array)
    np.testing.assert_array_equal(shard[-1], items[-1][1])
    assert shard.representation == codec
    with pytest.raises(IndexError):
        shard[len(items)]
    with pytest.raises(KeyError, match="nope"):
        shard.index("nope")
    assert splits_in(tmp_path) == ["train"]


def test_dtype_choice() -> None:
    assert shard_dtype(get("remi")) == np.int16
    assert shard_dtype(get("pianoroll")) == np.int16
    assert shard_dtype(get("note")) == np.int32
    assert shard_dtype(get("note", max_tick=2**40)) == np.int64
    assert shard_dtype(get("note", max_tick=32767)) == np.int16
    assert shard_dtype(get("note", max_tick=32768)) == np.int32


def test_zero_pieces_and_several_splits(codec: Representation, tmp_path: Path) -> None:
    write_shard(tmp_path, "test", [], codec)
    write_shard(tmp_path, "train", encoded(codec, 3), codec)
    assert splits_in(tmp_path) == ["test", "train"]
    empty = Shard(tmp_path, "test")
    assert len(empty) == 0
    assert empty.ids == []
    assert empty.data.shape == (0, *trailing_shape(codec))
    assert empty.lengths.shape == (0,)
    assert list(empty) == []
    assert splits_in(tmp_path / "nothing-here") == []


def test_one_dimensional_codec(tmp_path: Path) -> None:
    codec = get("remi")
    items = encoded(codec, 3)
    write_shard(tmp_path, "train", items, codec, progress=True)
    shard = Shard(tmp_path, "train")
    assert shard.shape == (sum(len(a) for _, a in items),)
    for i, (_, array) in enumerate(items):
        np.testing.assert_array_equal(shard[i], array)


def test_representation_must_match(tmp_path: Path) -> None:
    write_shard(tmp_path, "train", encoded(get("mmt"), 2), get("mmt"))
    other = get("mmt", max_beat=128)
    with pytest.raises(ValueError, match=r"representation\.json"):
        write_shard(tmp_path, "valid", encoded(other, 2), other)
    assert splits_in(tmp_path) == ["train"]


def test_bad_items_are_refused(tmp_path: Path) -> None:
    codec = get("mmt")
    items = encoded(codec, 3)
    for bad, problem in (
        ([*items, ("x", items[1][1][:, :5])], "shape"),
        ([*items, ("x", items[1][1].astype(float))], "integers"),
        ([*items, ("x", items[1][1] + 300)], "outside"),
        ([*items, items[0]], "given twice"),
    ):
        with pytest.raises(ValueError, match=problem):
            write_shard(tmp_path, "train", bad, codec)
        assert splits_in(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["representation.json"]


def test_killed_write_leaves_no_split(tmp_path: Path) -> None:
    codec = get("note")
    items = encoded(codec, 4)
    write_shard(tmp_path, "train", items[:2], codec)

    def dying() -> Iterator[tuple[str, np.ndarray]]:
        yield items[0]
        yield items[1]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_shard(tmp_path, "train", dying(), codec)
    assert splits_in(tmp_path) == []  # the old split stopped being present
    with pytest.raises(DatasetError, match=r"train\.ids\.json"):
        Shard(tmp_path, "train")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # A stale temporary file of a process that was killed outright goes on the next write.
    (tmp_path / ".train.shard-raw-abc.tmp").write_bytes(b"123")
    write_shard(tmp_path, "train", items, codec)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(Shard(tmp_path, "train")) == 4


def test_missing_and_inconsistent_files(tmp_path: Path) -> None:
    codec = get("note")
    items = encoded(codec, 4)
    files = shard_files(tmp_path, "train")

    def fresh() -> None:
        write_shard(tmp_path, "train", items, codec)

    fresh()
    files["offsets"].unlink()
    with pytest.raises(DatasetError, match=r"train\.offsets\.npy: missing"):
        Shard(tmp_path, "train")
    fresh()
    files["data"].unlink()
    with pytest.raises(DatasetError, match=r"train\.npy: missing"):
        Shard(tmp_path, "train")
    fresh()
    offsets = np.load(files["offsets"])
    np.save(files["offsets"], offsets[:-1])
    with pytest.raises(DatasetError, match=r"train\.offsets\.npy: 4 offsets for 4 piece ids"):
        Shard(tmp_path, "train")
    np.save(files["offsets"], np.concatenate([offsets[:-1], [offsets[-1] + 1]]))
    with pytest.raises(DatasetError, match=r"train\.npy: \d+ rows, but train\.offsets\.npy"):
        Shard(tmp_path, "train")
    fresh()
    files["ids"].write_text(json.dumps(["a", "b"]))
    with pytest.raises(DatasetError, match=r"train\.offsets\.npy: 5 offsets for 2 piece ids"):
        Shard(tmp_path, "train")
    files["ids"].write_text("{not json")
    with pytest.raises(DatasetError, match=r"train\.ids\.json: unreadable"):
        Shard(tmp_path, "train")
    fresh()
    (tmp_path / "representation.json").unlink()
    with pytest.raises(DatasetError, match=r"representation\.json: missing"):
        Shard(tmp_path, "train")
    get("mmt").save(tmp_path / "representation.json")
    with pytest.raises(DatasetError, match=r"train\.npy: rows of shape \(4,\)"):
        Shard(tmp_path, "train")
    with pytest.raises(ValueError, match="invalid split"):
        Shard(tmp_path, "../train")


def test_pickled_shard_holds_no_data(tmp_path: Path) -> None:
    codec = get("note")
    big = [(f"p{i}", np.tile(a, (200, 1)) if len(a) else a)
           for i, (_, a) in enumerate(encoded(codec, 5))]
    write_shard(tmp_path, "train", big, codec)
    shard = Shard(tmp_path, "train")
    assert shard[3].shape[0] > 0  # the data are mapped now
    blob = pickle.dumps(shard)
    assert len(blob) < 4000 < (tmp_path / "train.npy").stat().st_size
    again = pickle.loads(blob)
    assert again._data is None
    np.testing.assert_array_equal(again[4], shard[4])


# --- torch ---------------------------------------------------------------------------------
@pytest.fixture
def mmt_folder(tmp_path: Path) -> Path:
    codec = get("mmt")
    write_shard(tmp_path, "train", encoded(codec, 6), codec)
    return tmp_path


def test_loader_matches_direct_indexing(mmt_folder: Path) -> None:
    torch = pytest.importorskip("torch")
    from orchestrion.datasets.loaders import ShardDataset, make_loader

    shard = Shard(mmt_folder, "train")
    dataset = ShardDataset(mmt_folder, "train", window="start")
    assert len(dataset) == 6
    item = dataset[2]
    assert item["index"] == 2
    assert item["tokens"].dtype == torch.long
    np.testing.assert_array_equal(item["tokens"].numpy(), shard[2])
    pickle.loads(pickle.dumps(dataset))
    for context in ("fork", "spawn"):
        loader = make_loader(mmt_folder, "train", batch_size=4, shuffle=False, num_workers=2,
                             window="start", multiprocessing_context=context)
        seen = []
        for batch in loader:
            for row, index in enumerate(batch["index"].tolist()):
                length = int(batch["lengths"][row])
                np.testing.assert_array_equal(batch["tokens"][row, :length].numpy(),
                                              shard[index])
                assert not batch["tokens"][row, length:].any()
                seen.append(index)
        assert seen == list(range(6))


def test_random_windows(mmt_folder: Path) -> None:
    pytest.importorskip("torch")
    from orchestrion.datasets.loaders import ShardDataset

    shard = Shard(mmt_folder, "train")
    longest = int(np.argmax(shard.lengths))
    piece = shard[longest]
    max_length = 8
    assert len(piece) > max_length + 10
    dataset = ShardDataset(mmt_folder, "train", max_length=max_length, seed=3)
    starts = set()
    for _ in range(40):
        tokens = dataset[longest]["tokens"].numpy()
        assert len(tokens) == max_length
        hits = [s for s in range(len(piece) - max_length + 1)
                if np.array_equal(piece[s:s + max_length], tokens)]
        assert hits
        starts.add(hits[0])
    assert len(starts) > 5  # varied draws
    short = int(np.argmin(shard.lengths))
    np.testing.assert_array_equal(dataset[short]["tokens"].numpy(), shard[short])
    start = ShardDataset(mmt_folder, "train", max_length=max_length, window="start")
    np.testing.assert_array_equal(start[longest]["tokens"].numpy(), piece[:max_length])
    # A fixed seed reproduces the draws of a fresh copy; seed=None varies.
    again = ShardDataset(mmt_folder, "train", max_length=max_length, seed=3)
    first = [again[longest]["tokens"].numpy() for _ in range(5)]
    other = ShardDataset(mmt_folder, "train", max_length=max_length, seed=3)
    for tokens in first:
        np.testing.assert_array_equal(other[longest]["tokens"].numpy(), tokens)
    free = ShardDataset(mmt_folder, "train", max_length=max_length)
    assert len({free[longest]["tokens"].numpy().tobytes() for _ in range(20)}) > 1
    with pytest.raises(ValueError, match="window"):
        ShardDataset(mmt_folder, "train", window="middle")


def test_random_transposition(mmt_folder: Path) -> None:
    pytest.importorskip("torch")
    from orchestrion.datasets.loaders import ShardDataset

    shard = Shard(mmt_folder, "train")
    codec = shard.representation
    dataset = ShardDataset(mmt_folder, "train", transpose=(-6, 6), seed=0)
    shifts = set()
    for i in range(1, len(shard)):
        original = shard.decode(i)
        lo, hi = codec.pitch_range(shard[i])
        for _ in range(6):
            tokens = dataset[i]["tokens"].numpy()
            codec.check(tokens)
            k = codec.pitch_range(tokens)[0] - lo
            assert -6 <= k <= 6
            assert lo + k >= 0
            assert hi + k <= 127
            assert codec.decode(tokens) == ops.transpose(original.copy(), k)
            shifts.add(k)
    assert len(shifts) > 4
    # A range the piece cannot take is clipped; one that excludes every allowed shift gives 0.
    lo, hi = codec.pitch_range(shard[3])
    up = ShardDataset(mmt_folder, "train", transpose=(127 - hi, 200))
    assert codec.pitch_range(up[3]["tokens"].numpy()) == (lo + 127 - hi, 127)
    beyond = ShardDataset(mmt_folder, "train", transpose=(128 - hi, 200))
    np.testing.assert_array_equal(beyond[3]["tokens"].numpy(), shard[3])
    empty = ShardDataset(mmt_folder, "train", transpose=(-5, 5))  # piece 0 has no notes
    np.testing.assert_array_equal(empty[0]["tokens"].numpy(), shard[0])


def test_collate() -> None:
    torch = pytest.importorskip("torch")
    from orchestrion.datasets.loaders import collate

    items = [{"tokens": torch.arange(6).reshape(3, 2) + 1, "index": 7},
             {"tokens": torch.ones(1, 2, dtype=torch.long), "index": 2},
             {"tokens": torch.zeros(0, 2, dtype=torch.long), "index": 0}]
    batch = collate(items, pad_value=-1)
    assert batch["tokens"].shape == (3, 3, 2)
    assert batch["tokens"].dtype == torch.long
    assert batch["tokens"][0].tolist() == [[1, 2], [3, 4], [5, 6]]
    assert batch["tokens"][1].tolist() == [[1, 1], [-1, -1], [-1, -1]]
    assert batch["tokens"][2].tolist() == [[-1, -1]] * 3
    assert batch["mask"].tolist() == [[True] * 3, [True, False, False], [False] * 3]
    assert batch["mask"].dtype == torch.bool
    assert batch["lengths"].tolist() == [3, 1, 0]
    assert batch["lengths"].dtype == torch.long
    assert batch["index"].tolist() == [7, 2, 0]
    assert batch["index"].dtype == torch.long
    flat = collate([{"tokens": torch.tensor([4, 5]), "index": 1},
                    {"tokens": torch.tensor([9]), "index": 0}])
    assert flat["tokens"].tolist() == [[4, 5], [9, 0]]
    assert flat["mask"].tolist() == [[True, True], [True, False]]
    with pytest.raises(ValueError, match="row shapes"):
        collate([items[0], {"tokens": torch.tensor([1]), "index": 0}])
    with pytest.raises(ValueError, match="empty"):
        collate([])
