"""The conversion pipeline: files -> pieces (JSON) -> splits -> training shards.

:func:`prepare` makes a data set ready for training under its folder ``root``::

    root/downloads/        the verified archives (catalog data sets only)
    root/source/           what they extract to
    root/music/<id>.json   one orchestrion JSON file per piece (MusPy-compatible)
    root/manifest.json     per source file: its path, sha256, pieces, failures, drops and
                           the readers' warnings
    root/splits.json       {"seed", "fractions", "splits": {name: [piece ids]}}
    root/shards/<codec>/   with a representation: one memory-mapped array per split
                           (see ``orchestrion.datasets.shards``)

Incremental: a file whose sha256 and path match the manifest and whose pieces are all on
disk is not read again; files gone from the source lose their pieces; files that failed are
tried again on every run; a change of the data set's rules (``rules_version``) or ``force``
converts everything. The manifest is saved every few hundred files, so an interrupted run
keeps what it did. Shards are rebuilt only when the codec's configuration, the splits or a
piece changed (a ``stamp.json`` records what they were built from).

Conversion and encoding run in ``jobs`` worker processes (each rebuilds the data set from
its name or folder, so nothing unpicklable crosses). Every file or piece that fails is kept
in the manifest with its reason and returned in :attr:`PrepareResult.failures`: nothing is
dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.datasets.base import Dataset, Skip
from orchestrion.datasets.registry import get, spec_of
from orchestrion.datasets.splits import load_splits, make_splits, parse_fractions, save_splits
from orchestrion.errors import DatasetError

if TYPE_CHECKING:
    import numpy as np

    from orchestrion.core.model import Music
    from orchestrion.representations.base import Representation

__all__ = ["MANIFEST", "MANIFEST_VERSION", "PrepareResult", "Prepared", "prepare"]

MANIFEST = "manifest.json"
SPLITS = "splits.json"
MUSIC = "music"
SHARDS = "shards"
MANIFEST_VERSION = 1
#: The manifest is saved after this many converted files (an interrupted run keeps them).
SAVE_EVERY = 200


@dataclass
class PrepareResult:
    """What :func:`prepare` did. ``failures`` and ``dropped`` map piece (or file) ids to
    reasons; ``warnings`` maps file ids to the readers' warnings (what was read differently
    from the file: repeats not expanded, ...); ``seconds`` holds the time of each phase
    (download, convert, split, shard)."""

    dataset: str
    root: Path
    files: int = 0
    converted: int = 0
    reused: int = 0
    removed: int = 0
    pieces: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)
    shards: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for people: counts, splits, where things are, time."""
        lines = [f"{self.dataset}: {self.files} files ({self.converted} converted, "
                 f"{self.reused} unchanged, {self.removed} removed) -> {self.pieces} pieces, "
                 f"{len(self.failures)} failed, {len(self.dropped)} dropped by the rules"
                 + (f", {len(self.warnings)} files with warnings (in the manifest)"
                    if self.warnings else ""),
                 "splits: " + ", ".join(f"{k} {v}" for k, v in self.splits.items()),
                 f"music: {self.root / MUSIC}"]
        if self.shards is not None:
            lines.append(f"shards: {self.shards}")
        lines.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["root"] = str(self.root)
        data["shards"] = None if self.shards is None else str(self.shards)
        return data


# ------------------------------------------------------------------------ worker side

_CACHE: dict[str, Dataset] = {}


def _dataset(spec: str) -> Dataset:
    if spec not in _CACHE:
        _CACHE[spec] = get(spec)
    return _CACHE[spec]


def music_path(music_dir: Path, piece_id: str) -> Path:
    """Where a piece's JSON file goes: ``music/<piece id>.json``."""
    return music_dir / f"{piece_id}.json"


def _convert(task: tuple[str, str, str, str]) -> dict[str, Any]:
    """Read one file and write its pieces; never raises for a bad file (the reason is
    returned). ``task`` is (data set spec, file path, file id, music folder). Warnings of the
    readers are returned too (kept in the manifest rather than printed by every worker)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _convert_file(*task)
    messages = dict.fromkeys(" ".join(str(w.message).split()) for w in caught)
    result["warnings"] = list(messages)
    return result


def _convert_file(spec: str, path: str, file_id: str, music_dir: str) -> dict[str, Any]:
    from orchestrion.io.jsonio import write_json

    result: dict[str, Any] = {"pieces": [], "failures": {}, "dropped": {}}
    try:
        entries = _dataset(spec).read_file(Path(path), file_id)
    except Exception as error:  # a reader's bug must not stop a 100,000-file run
        result["failures"][file_id] = f"{type(error).__name__}: {error}"
        return result
    for piece_id, value in entries:
        if isinstance(value, Skip):
            result["dropped" if value.dropped else "failures"][piece_id] = value.reason
            continue
        target = music_path(Path(music_dir), piece_id)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_json(value, target)
        except Exception as error:
            result["failures"][piece_id] = f"{type(error).__name__}: {error}"
            continue
        result["pieces"].append(piece_id)
    return result


def _encode(task: tuple[str, Representation]) -> np.ndarray:
    from orchestrion.io.jsonio import read_json

    path, representation = task
    return representation.encode(read_json(path))


# ------------------------------------------------------------------------ the pipeline


def _map(pool: Executor | None, function: Callable[[Any], Any], tasks: list[Any]
         ) -> Iterator[Any]:
    if pool is None:
        return map(function, tasks)
    workers = getattr(pool, "_max_workers", 1)
    return pool.map(function, tasks, chunksize=max(1, min(32, len(tasks) // (8 * workers))))


def _bar(iterable: Iterable[Any], show: bool, **kw: Any) -> Iterable[Any]:
    if not show:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, file=sys.stderr, **kw)


def _rules(dataset: Dataset) -> str:
    return f"{type(dataset).__name__}:{dataset.name}:{dataset.rules_version}"


def _save_json(path: Path, data: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _load_manifest(root: Path, dataset: Dataset, force: bool) -> dict[str, Any]:
    fresh = {"version": MANIFEST_VERSION, "dataset": dataset.name, "rules": _rules(dataset),
             "files": {}}
    path = root / MANIFEST
    if force or not path.exists():
        return fresh
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: unreadable manifest ({error}); remove it or use "
                           "--force") from None
    if manifest.get("version") != MANIFEST_VERSION or manifest.get("rules") != _rules(dataset):
        return fresh  # another version of the rules: convert everything again
    return manifest


def _digest(path: Path) -> str:
    from orchestrion.datasets._download import file_digest
    return file_digest(path)["sha256"]


def prepare(dataset: str | Path | Dataset, root: str | Path, *,
            representation: str | Representation | None = None,
            splits: str | Iterable[float] | dict[str, float] = "0.8,0.1,0.1", seed: int = 0,
            jobs: int = 1, progress: bool | None = None, force: bool = False
            ) -> PrepareResult:
    """Download (catalog data sets), convert, split and (with ``representation``) shard.

    Args:
        dataset: A catalog name, a music21 collection name, a folder, or a ``Dataset``.
        root: The data set's folder (see the module docstring). For a folder data set it
            must lie outside that folder.
        representation: A codec name (``"mmt"``) or instance: also write training shards.
        splits: Split fractions (weights; see ``orchestrion.datasets.splits``).
        seed: The seed of the splits.
        jobs: Worker processes for conversion and encoding (1: this process).
        progress: Progress bars on standard error: always, never, or (None) on a terminal.
        force: Convert every file again, ignoring the manifest.
    """
    started = time.perf_counter()
    data = dataset if isinstance(dataset, Dataset) else get(dataset)
    spec = spec_of(data)
    root = Path(root).expanduser().resolve()
    fractions = _fractions(splits)
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    codec = _codec(representation)
    show = sys.stderr.isatty() if progress is None else progress
    result = PrepareResult(data.name, root)
    if data.offline and root.is_relative_to(data.source_folder(root).resolve()):
        raise DatasetError(f"{root}: the prepared data must go outside the data set's folder "
                           f"{data.source_folder(root)} (its files would be read as music)")
    root.mkdir(parents=True, exist_ok=True)
    data.download(root, progress=show)
    # This process and forked workers use the very object given (a Dataset of one's own
    # need not be known to ``get``); spawned workers rebuild it with ``get(spec)``.
    _CACHE[spec] = data
    result.seconds["download"] = time.perf_counter() - started

    pool: Executor | None = ProcessPoolExecutor(jobs) if jobs > 1 else None
    try:
        tick = time.perf_counter()
        manifest = _convert_all(data, spec, root, result, pool, show, force)
        result.seconds["convert"] = time.perf_counter() - tick
        tick = time.perf_counter()
        piece_ids = [p for entry in manifest["files"].values() for p in entry["pieces"]]
        chosen = make_splits(piece_ids, fractions, seed)
        save_splits(root / SPLITS, chosen, seed=seed, fractions=fractions)
        result.splits = {name: len(ids) for name, ids in chosen.items()}
        result.seconds["split"] = time.perf_counter() - tick
        if codec is not None:
            tick = time.perf_counter()
            result.shards = _shard_all(root, manifest, chosen, codec, pool, show)
            result.seconds["shard"] = time.perf_counter() - tick
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    result.seconds["total"] = time.perf_counter() - started
    return result


def _fractions(splits: str | Iterable[float] | dict[str, float]) -> dict[str, float]:
    try:
        return parse_fractions(splits if isinstance(splits, (str, dict)) else list(splits))
    except ValueError as error:
        raise DatasetError(str(error)) from None


def _codec(representation: str | Representation | None) -> Representation | None:
    if representation is None or not isinstance(representation, str):
        return representation
    from orchestrion.representations import get as get_codec
    try:
        return get_codec(representation)
    except (KeyError, ValueError) as error:
        raise DatasetError(str(error).strip("'\"")) from None


def _convert_all(data: Dataset, spec: str, root: Path, result: PrepareResult,
                 pool: Executor | None, show: bool, force: bool) -> dict[str, Any]:
    """Convert what changed; update ``result``; return the saved manifest."""
    music_dir = root / MUSIC
    music_dir.mkdir(exist_ok=True)
    manifest = _load_manifest(root, data, force)
    old: dict[str, Any] = manifest["files"]
    folder = data.source_folder(root)
    ids = data.file_ids(root)
    files: dict[str, Any] = {}
    todo: list[tuple[str, str, str, str]] = []
    digests: dict[str, str] = {}
    for path, file_id in _bar(ids.items(), show and len(ids) > 2000, desc="hashing",
                              unit="file", total=len(ids)):
        relative = path.relative_to(folder).as_posix()
        digest = digests[file_id] = _digest(path)
        entry = old.get(file_id)
        if (entry is not None and entry["sha256"] == digest and entry["path"] == relative
                and not entry["failures"]
                and all(music_path(music_dir, p).exists() for p in entry["pieces"])):
            files[file_id] = entry
        else:
            todo.append((spec, str(path), file_id, str(music_dir)))
    result.files, result.reused = len(ids), len(files)
    stale = {p for file_id, entry in old.items() if file_id not in files
             for p in entry["pieces"]}
    present = set(ids.values())
    result.removed = sum(file_id not in present for file_id in old)
    manifest["files"] = files
    outcomes = _map(pool, _convert, todo)
    for count, (task, outcome) in enumerate(
            zip(todo, _bar(outcomes, show, total=len(todo), desc=data.name, unit="file"),
                strict=True), start=1):
        _, path, file_id, _ = task
        files[file_id] = {"path": Path(path).relative_to(folder).as_posix(),
                          "sha256": digests[file_id], **outcome}
        stale.difference_update(outcome["pieces"])
        if count % SAVE_EVERY == 0:
            _save_json(root / MANIFEST, manifest)
    for piece_id in stale:  # pieces of files that are gone or no longer give them
        music_path(music_dir, piece_id).unlink(missing_ok=True)
    manifest["files"] = dict(sorted(files.items()))
    _save_json(root / MANIFEST, manifest)
    result.converted = len(todo)
    for file_id, entry in files.items():
        result.pieces += len(entry["pieces"])
        result.failures.update(entry["failures"])
        result.dropped.update(entry["dropped"])
        if entry.get("warnings"):
            result.warnings[file_id] = entry["warnings"]
    return manifest


def _shard_all(root: Path, manifest: dict[str, Any], chosen: dict[str, list[str]],
               codec: Representation, pool: Executor | None, show: bool) -> Path:
    """Encode every split into ``root/shards/<codec name>`` unless it is up to date."""
    from orchestrion.datasets.shards import write_shard

    target = root / SHARDS / codec.name
    stamp = {"representation": codec.config(), "splits": chosen,
             "pieces": {f: e["sha256"] for f, e in manifest["files"].items()}}
    stamp_digest = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()
    stamp_file = target / "stamp.json"
    if stamp_file.exists():
        try:
            if json.loads(stamp_file.read_text(encoding="utf-8")).get("sha256") == stamp_digest:
                return target
        except (OSError, ValueError):
            pass
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    music_dir = root / MUSIC
    for split, ids in chosen.items():
        tasks = [(str(music_path(music_dir, p)), codec) for p in ids]
        arrays = _bar(_map(pool, _encode, tasks), show, total=len(tasks),
                      desc=f"{codec.name} {split}", unit="piece")
        write_shard(partial, split, zip(ids, arrays, strict=True), codec)
    _save_json(partial / "stamp.json", {"sha256": stamp_digest})
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(partial, target)
    return target


# ------------------------------------------------------------------------ reading back


class Prepared:
    """A prepared data set on disk: its manifest, splits, pieces and shards.

    ``Prepared(root).pieces("train")`` yields ``(piece_id, Music)``;
    ``Prepared(root).shard("mmt", "train")`` is a memory-mapped
    :class:`~orchestrion.datasets.shards.Shard`.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        if not (self.root / MANIFEST).exists() or not (self.root / SPLITS).exists():
            raise DatasetError(f"{self.root}: not a prepared data set (no {MANIFEST} or "
                               f"{SPLITS}); run `orchestrion dataset prepare NAME --root "
                               f"{self.root}`")
        self.splits = load_splits(self.root / SPLITS)

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))

    def ids(self, split: str | None = None) -> list[str]:
        """The piece ids of ``split`` (all pieces, sorted, when None)."""
        if split is None:
            return sorted(p for ids in self.splits.values() for p in ids)
        if split not in self.splits:
            raise DatasetError(f"{self.root}: no split {split!r}; the splits are: "
                               f"{', '.join(self.splits)}")
        return self.splits[split]

    def music(self, piece_id: str) -> Music:
        from orchestrion.io.jsonio import read_json
        return read_json(music_path(self.root / MUSIC, piece_id))

    def pieces(self, split: str | None = None) -> Iterator[tuple[str, Music]]:
        for piece_id in self.ids(split):
            yield piece_id, self.music(piece_id)

    def shard(self, representation: str, split: str) -> Any:
        from orchestrion.datasets.shards import Shard
        return Shard(self.root / SHARDS / representation, split)
