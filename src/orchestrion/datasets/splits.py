"""Deterministic train/validation/test splits from piece ids and a seed.

The order of the pieces never matters: each id gets the key
``sha256(f"{seed}:{piece_id}")``; ids sorted by key are cut into consecutive runs whose sizes
follow the fractions. So the same ids and seed give the same splits on every machine and for
every file listing order (MusPy shuffles the listing it was given, so its splits change with
the file system's order; the automatic-instrumentation paper split 8:1:1 "at random, seed 0").

Fractions are weights: they are divided by their sum, so ``0.7, 0.2, 0.1`` (which sums to
0.9999999999999999 in floating point, a sum MusPy refused), ``7, 2, 1`` and ``70, 20, 10``
give the same splits. Split sizes are ``n * weight / sum`` rounded by largest remainder (ties
go to the earlier split), so they add up to ``n`` exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestrion.errors import DatasetError

__all__ = ["DEFAULT_NAMES", "load_splits", "make_splits", "parse_fractions", "save_splits"]

#: Split names used when fractions are given without names, by how many there are.
DEFAULT_NAMES: dict[int, tuple[str, ...]] = {
    1: ("train",), 2: ("train", "test"), 3: ("train", "valid", "test"),
}


def parse_fractions(text: str | Sequence[float] | Mapping[str, float]) -> dict[str, float]:
    """Split names -> weights, from ``"0.8,0.1,0.1"``, ``"train=0.9,test=0.1"``, a sequence
    of numbers or a mapping. Unnamed weights get :data:`DEFAULT_NAMES` (``split0``,
    ``split1``, ... past three). Raises ``ValueError`` for a negative, non-finite or
    all-zero weight, a repeated name or text that is not numbers."""
    if isinstance(text, Mapping):
        pairs = [(str(name), value) for name, value in text.items()]
    else:
        items: list[Any] = [p.strip() for p in text.split(",")] if isinstance(text, str) \
            else list(text)
        named = [isinstance(item, str) and "=" in item for item in items]
        if any(named) and not all(named):
            raise ValueError(f"splits: name all the fractions or none: {text!r}")
        if all(named) and items:
            pairs = [(item.split("=", 1)[0].strip(), item.split("=", 1)[1]) for item in items]
        else:
            names = DEFAULT_NAMES.get(len(items)) or tuple(f"split{i}" for i in range(len(items)))
            pairs = list(zip(names, items, strict=True))
    fractions: dict[str, float] = {}
    for name, value in pairs:
        try:
            weight = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"splits: {value!r} is not a number") from None
        if not name:
            raise ValueError("splits: empty split name")
        if name in fractions:
            raise ValueError(f"splits: {name!r} given twice")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"splits: the fraction of {name!r} must be finite and >= 0, "
                             f"got {value!r}")
        fractions[name] = weight
    if not fractions or sum(fractions.values()) <= 0:
        raise ValueError(f"splits: give at least one positive fraction, got {text!r}")
    return fractions


def _key(seed: int, piece_id: str) -> bytes:
    return hashlib.sha256(f"{seed}:{piece_id}".encode()).digest()


def make_splits(ids: Iterable[str], fractions: str | Sequence[float] | Mapping[str, float]
                = "0.8,0.1,0.1", seed: int = 0) -> dict[str, list[str]]:
    """Assign every id to one split (see the module docstring); each split's ids sorted.

    Duplicate ids count once. The result maps every split name (in the order given) to its
    ids, possibly none.
    """
    weights = parse_fractions(fractions)
    unique = sorted(set(ids), key=lambda piece_id: _key(seed, piece_id))
    total = sum(weights.values())
    exact = [len(unique) * w / total for w in weights.values()]
    sizes = [math.floor(x) for x in exact]
    left = len(unique) - sum(sizes)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in by_remainder[:left]:
        sizes[i] += 1
    splits: dict[str, list[str]] = {}
    start = 0
    for name, size in zip(weights, sizes, strict=True):
        splits[name] = sorted(unique[start:start + size])
        start += size
    return splits


def save_splits(path: str | os.PathLike[str], splits: Mapping[str, Sequence[str]], *,
                seed: int, fractions: Mapping[str, float]) -> None:
    """Write ``{"seed", "fractions", "splits"}`` as JSON, atomically."""
    path = Path(path)
    data = {"seed": seed, "fractions": dict(fractions),
            "splits": {name: list(ids) for name, ids in splits.items()}}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, path)


def load_splits(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """The splits saved by :func:`save_splits` (split name -> ids)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(name): [str(i) for i in ids] for name, ids in data["splits"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise DatasetError(f"{path}: not a splits file ({error})") from None
