"""Model inputs of a downmixed note sequence and the note-accuracy report.

Automatic instrumentation (Dong, Donahue, Berg-Kirkpatrick and McAuley, ISMIR 2021, arXiv
2107.05916) sees a multitrack piece as one note sequence sorted by ``(time, pitch,
duration)`` and predicts each note's part. A piece is an ``int`` array ``notes`` of rows
``(time, pitch, duration, part)`` (or ``(time, pitch, duration)`` when the parts are unknown)
at 24 ticks per quarter, parts labelled ``0 .. K-1``.

:func:`features` computes the paper's per-note inputs:

- ``pitch = pitch + 1`` (0 is the padding token);
- ``beat = time // resolution`` and ``position = time % resolution``;
- ``duration = clip(duration, 0, max_duration)`` (the paper clips at 192 ticks, two bars of 4/4);
- ``entry_hints[i, k] = sign(i - f_k)``, ``f_k`` the first row of part ``k``: -1 before the
  part enters, 0 at its first note, +1 after (-1 everywhere for a part without notes);
- ``pitch_hints[k]``: the mean pitch of part ``k`` (a part without notes gets the mean pitch of
  the whole piece, so an absent part does not read as "very low").

The hints are what a user would give an interactive arranger ("the flute comes in here",
"the bassoon plays around here"); they need the part column. :func:`accuracy_report` scores
predicted parts the way the paper does: note accuracy over all notes, pooled over pieces.

numpy only: importing this module does not import torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["accuracy_report", "check_notes", "entry_rows", "features"]

RESOLUTION = 24
"""Ticks per quarter of the paper's inputs."""

MAX_DURATION = 192
"""Durations are clipped here (ticks): 8 quarters at 24 ticks per quarter."""


def check_notes(notes: Any, n_parts: int | None = None, *, need_parts: bool = False,
                what: str = "notes") -> np.ndarray:
    """Validate a piece and return it as an ``int64`` array of shape ``(N, 3)`` or ``(N, 4)``.

    Rules: two dimensions, 3 or 4 columns (4 required when ``need_parts``), whole numbers,
    ``time >= 0``, ``0 <= pitch <= 127``, ``duration >= 0`` and, with a part column and a
    given ``n_parts``, ``0 <= part < n_parts``. Float arrays are accepted when every value
    is a whole number (``np.zeros((0, 4))`` is a valid empty piece). Raises ``ValueError``.
    """
    array = np.asarray(notes)
    if array.ndim != 2 or array.shape[1] not in (3, 4):
        raise ValueError(f"{what} must have shape (N, 4) (time, pitch, duration, part) or "
                         f"(N, 3) (time, pitch, duration), got shape {array.shape}")
    if need_parts and array.shape[1] != 4:
        raise ValueError(f"{what} must have shape (N, 4): the part column is needed")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ValueError(f"{what} must hold whole numbers")
    elif array.dtype.kind not in "iub":
        raise ValueError(f"{what} must be an integer array, got dtype {array.dtype}")
    array = array.astype(np.int64, copy=False)
    if len(array):
        # Report the first bad row: it is what a user needs to find the problem.
        checks = (("time", array[:, 0] < 0, ">= 0"),
                  ("pitch", (array[:, 1] < 0) | (array[:, 1] > 127), "in 0-127"),
                  ("duration", array[:, 2] < 0, ">= 0"))
        for name, bad, rule in checks:
            if bad.any():
                row = int(np.argmax(bad))
                raise ValueError(f"{what}: row {row} has {name} {array[row].tolist()}; "
                                 f"{name} must be {rule}")
        if array.shape[1] == 4 and n_parts is not None:
            bad = (array[:, 3] < 0) | (array[:, 3] >= n_parts)
            if bad.any():
                row = int(np.argmax(bad))
                raise ValueError(f"{what}: row {row} has part {int(array[row, 3])}; parts "
                                 f"must be in 0..{n_parts - 1} (n_parts = {n_parts})")
    return array


def _check_n_parts(n_parts: Any) -> int:
    if isinstance(n_parts, bool) or not isinstance(n_parts, (int, np.integer)) or n_parts < 1:
        raise ValueError(f"n_parts must be a positive integer, got {n_parts!r}")
    return int(n_parts)


def entry_rows(parts: np.ndarray, n_parts: int) -> np.ndarray:
    """The first row of each part (``len(parts)`` for a part without notes), shape ``(K,)``."""
    first = np.full(n_parts, len(parts), dtype=np.int64)
    labels, index = np.unique(parts, return_index=True)
    first[labels] = index
    return first


def features(notes: Any, n_parts: int, *, resolution: int = RESOLUTION,
             max_duration: int = MAX_DURATION) -> dict[str, np.ndarray]:
    """The per-note model inputs of a piece (the paper's inputs; see the module docstring).

    ``notes``: ``(N, 4)`` rows ``(time, pitch, duration, part)`` sorted by time, pitch and
    duration, or ``(N, 3)`` without parts. Returns ``"pitch"``, ``"beat"``, ``"position"``,
    ``"duration"`` (``int64``, ``(N,)``) and, with a part column, ``"entry_hints"`` (``int8``,
    ``(N, K)``), ``"pitch_hints"`` (``float32``, ``(K,)``) and ``"labels"`` (``int64``, ``(N,)``).
    """
    n_parts = _check_n_parts(n_parts)
    if resolution < 1:
        raise ValueError(f"resolution must be >= 1, got {resolution}")
    if max_duration < 0:
        raise ValueError(f"max_duration must be >= 0, got {max_duration}")
    array = check_notes(notes, n_parts)
    time, pitch, duration = array[:, 0], array[:, 1], array[:, 2]
    out: dict[str, np.ndarray] = {
        "pitch": pitch + 1,
        "beat": time // resolution,
        "position": time % resolution,
        "duration": np.clip(duration, 0, max_duration),
    }
    if array.shape[1] == 4:
        parts = array[:, 3]
        first = entry_rows(parts, n_parts)
        rows = np.arange(len(array), dtype=np.int64)
        # sign(i - f_k): -1 before the entry, 0 at it, +1 after; an absent part has
        # f_k = N, so it reads -1 on every row ("not entered yet").
        out["entry_hints"] = np.sign(rows[:, None] - first[None, :]).astype(np.int8)
        counts = np.bincount(parts, minlength=n_parts)
        sums = np.bincount(parts, weights=pitch.astype(np.float64), minlength=n_parts)
        overall = float(pitch.mean()) if len(pitch) else 0.0
        means = np.full(n_parts, overall, dtype=np.float64)
        present = counts > 0
        means[present] = sums[present] / counts[present]
        out["pitch_hints"] = means.astype(np.float32)
        out["labels"] = parts.copy()
    return out


def _as_pieces(labels: Any, what: str) -> list[np.ndarray]:
    """One 1-D ``int64`` array per piece: a single 1-D array is one piece."""
    if isinstance(labels, np.ndarray) and labels.ndim == 1:
        labels = [labels]
    pieces = []
    for index, piece in enumerate(labels):
        array = np.asarray(piece)
        if array.ndim != 1:
            raise ValueError(f"{what}[{index}] must be a 1-D array of part labels, got shape "
                             f"{array.shape}")
        if len(array) and array.dtype.kind not in "iub":
            raise ValueError(f"{what}[{index}] must hold integer labels, got {array.dtype}")
        pieces.append(array.astype(np.int64, copy=False))
    return pieces


def accuracy_report(true: Any, predicted: Any, part_names: Sequence[str]) -> dict[str, Any]:
    """Note accuracy of predicted parts, pooled over pieces (the paper's metric).

    ``true`` and ``predicted``: one 1-D label array per piece (or a single array), labels in
    ``0 .. K-1`` with ``K = len(part_names)``. Returns ``{"notes", "correct", "accuracy",
    "per_part", "confusion", "pieces"}``: ``accuracy = correct / notes`` (NaN without notes);
    ``per_part[name] = {"notes": n, "accuracy": a}`` over the notes whose TRUE part is that
    part (NaN when there are none); ``confusion[t][p]`` counts notes of true part ``t``
    predicted as ``p``. Every value is JSON-able (NaN aside).
    """
    names = [str(name) for name in part_names]
    if not names:
        raise ValueError("part_names must name at least one part")
    if len(set(names)) != len(names):
        raise ValueError(f"part_names must be distinct, got {names}")
    k = len(names)
    truths, predictions = _as_pieces(true, "true"), _as_pieces(predicted, "predicted")
    if len(truths) != len(predictions):
        raise ValueError(f"true has {len(truths)} pieces but predicted has {len(predictions)}")
    for index, (t, p) in enumerate(zip(truths, predictions, strict=True)):
        if len(t) != len(p):
            raise ValueError(f"piece {index}: {len(t)} true labels but {len(p)} predicted")
    t = np.concatenate(truths) if truths else np.zeros(0, np.int64)
    p = np.concatenate(predictions) if predictions else np.zeros(0, np.int64)
    for what, labels in (("true", t), ("predicted", p)):
        if len(labels) and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"{what} labels must be in 0..{k - 1} ({k} part names), got "
                             f"{int(labels.min())}..{int(labels.max())}")
    confusion = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    per_true = confusion.sum(axis=1)
    hits = np.diag(confusion)
    n, correct = len(t), int(hits.sum())
    per_part = {name: {"notes": int(per_true[i]),
                       "accuracy": float(hits[i] / per_true[i]) if per_true[i] else float("nan")}
                for i, name in enumerate(names)}
    return {"notes": n, "correct": correct,
            "accuracy": correct / n if n else float("nan"),
            "per_part": per_part, "confusion": confusion.tolist(), "pieces": len(truths)}
