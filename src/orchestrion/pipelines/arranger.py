"""Automatic instrumentation: spread the notes of one part over instruments, and score it.

>>> from orchestrion.pipelines import Arranger
>>> arranger = Arranger.load("bach-bilstm")                          # doctest: +SKIP
>>> music = arranger.arrange(orchestrion.read("chorale_on_piano.mid"))  # doctest: +SKIP
>>> report = evaluate("bach-bilstm", "bach-chorales")                 # doctest: +SKIP

A method is a trained model (a checkpoint folder or a shipped name: ``bach-bilstm``,
``bach-lstm``, ``quartet-bilstm``) or a baseline (``most-common``, ``zone``,
``zone-permute``, ``closest-pitch``, ``closest-pitch-mono``; fitted on a data set's
training split). Dong et al., ISMIR 2021 (arXiv 2107.05916).

:meth:`Arranger.arrange` takes any ``Music``: the notes of its pitched tracks are merged into
one sequence (drum tracks are kept as they are), ordered as the paper orders them (time, pitch,
duration, at 24 ticks per quarter), each note's part is predicted, and the result has one track
per part, named and programmed from the method's ``parts`` codec (the chorales: Soprano,
Alto, Tenor, Bass as flute, oboe, bassoon, clarinet), with the input's own ticks, velocities,
tempos, key and time signatures and metadata. A method that reads hints (entry or pitch
hints, closest-pitch) takes them from the input's tracks, which must then map to the parts.
A model predicts every note independently, so any number of simultaneous notes gets an
answer; two notes of a chord may go to the same part.

:func:`evaluate` prepares a data set with the method's codec (its splits are the data set's
hash splits, as in training), predicts every note of every piece of a split and returns
:func:`~orchestrion.models.arranger.accuracy_report`'s figures (note accuracy over all
notes, per-part accuracy, the confusion matrix) with the time taken.

Long pieces: LSTMs read a piece whole; the transformers read it in consecutive chunks of at
most ``chunk`` notes (default 2,000, the paper's validation length), since attention over
tens of thousands of notes does not fit in memory.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orchestrion.core.model import Music
from orchestrion.core.notes import NoteArray
from orchestrion.errors import CheckpointError, OrchestrionError

__all__ = ["Arranger", "ArrangerError", "arrange", "default_root", "evaluate"]

DEFAULT_CHUNK = 2000


class ArrangerError(OrchestrionError, ValueError):
    """A method that cannot be used as asked (the message says why)."""


def default_root(dataset: str) -> Path:
    """Where :func:`evaluate` prepares ``dataset`` when no root is given:
    ``$ORCHESTRION_DATA/NAME``, else ``~/.cache/orchestrion/data/NAME``."""
    base = os.environ.get("ORCHESTRION_DATA") or Path.home() / ".cache" / "orchestrion" / "data"
    name = Path(str(dataset)).name if Path(str(dataset)).is_dir() else str(dataset)
    return Path(base).expanduser() / name


@dataclass
class Arranger:
    """A part predictor and its ``parts`` codec: a trained ``model`` (with its ``config``)
    or a fitted ``baseline``; ``name`` says which (module docstring)."""

    name: str
    codec: Any
    model: Any = None
    config: Any = None
    baseline: Any = None
    path: Path | None = None
    meta: dict[str, Any] | None = None
    chunk: int = DEFAULT_CHUNK

    # --- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str], *, device: str = "cpu") -> Arranger:
        """A trained model: a checkpoint folder or a shipped name."""
        from orchestrion.models.checkpoint import load_checkpoint

        checkpoint = load_checkpoint(name_or_path, device=device)
        if checkpoint.family != "arranger":
            raise CheckpointError(f"{checkpoint.path}: a {checkpoint.family} checkpoint, not "
                                  f"an arranger")
        return cls(name=str(name_or_path), codec=checkpoint.codec, model=checkpoint.model,
                   config=checkpoint.config, path=checkpoint.path, meta=checkpoint.meta)

    @classmethod
    def fit_baseline(cls, name: str, codec: Any, pieces: Iterable[np.ndarray]) -> Arranger:
        """The baseline ``name`` fitted on ``pieces`` (rows of ``codec``)."""
        from orchestrion.models.arranger import baseline

        method = baseline(name).fit(list(pieces), codec.n_parts)
        return cls(name=name, codec=codec, baseline=method)

    # --- properties ---------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether each prediction reads only the notes before (and the hints)."""
        return bool(self.baseline.online if self.baseline is not None else self.config.online)

    @property
    def uses_hints(self) -> bool:
        """Whether the method reads the parts' entry notes or mean pitches."""
        if self.baseline is not None:
            return bool(self.baseline.uses_hints)
        return bool(self.config.entry_hints or self.config.pitch_hints)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.codec.parts)

    # --- prediction ---------------------------------------------------------------------
    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The part of every row (``(N, 4)`` rows of the codec, or ``(N, 3)`` without parts
        for a method without hints), sorted as the codec sorts them."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.uses_hints and (rows.ndim != 2 or rows.shape[1] != 4):
            raise ArrangerError(f"{self.name} reads hints (each part's first note or mean "
                                f"pitch), so the notes need their parts")
        if self.baseline is not None:
            return self.baseline.predict(rows).astype(np.int64)
        if not self.uses_hints and rows.ndim == 2 and rows.shape[1] == 4:
            rows = rows[:, :3]  # the model must not see the answers
        return self._predict_model(rows)

    def _predict_model(self, rows: np.ndarray) -> np.ndarray:
        import torch

        from orchestrion.models.arranger.batching import collate_notes, feature_tensors

        out = np.zeros(len(rows), dtype=np.int64)
        if not len(rows):
            return out
        kind = self.config.kind
        step = len(rows) if kind in ("lstm", "bilstm") else max(1, self.chunk)
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            for start in range(0, len(rows), step):
                part = rows[start:start + step]
                batch = collate_notes([feature_tensors(
                    part, self.codec.n_parts, resolution=self.codec.resolution,
                    max_duration=self.config.max_duration)])
                batch.pop("labels", None)
                batch = {k: v.to(device) for k, v in batch.items()}
                out[start:start + len(part)] = self.model.predict(batch)[0].cpu().numpy()
        return out

    def arrange(self, music: Music) -> Music:
        """``music``'s pitched notes spread over the method's parts (module docstring)."""
        notes, known = self._merge(music)
        scale = self.codec.resolution / music.resolution
        time = np.rint(notes.time * scale).astype(np.int64)
        duration = np.rint(notes.end * scale).astype(np.int64) - time
        order = np.lexsort((np.arange(len(notes)), duration, notes.pitch, time))
        columns = [time, notes.pitch, duration] + ([known] if known is not None else [])
        rows = np.stack(columns, axis=1)[order] if len(notes) else \
            np.zeros((0, len(columns)), np.int64)
        labels = np.empty(len(notes), dtype=np.int64)
        labels[order] = self.predict(rows)
        arranged = self.codec.assemble(notes, labels, template=music)
        arranged.tracks += [track.copy() for track in music.tracks if track.is_drum]
        return arranged

    def _merge(self, music: Music) -> tuple[NoteArray, np.ndarray | None]:
        """The notes of the pitched tracks, and (for a method with hints) their parts."""
        pitched = [track for track in music.tracks if not track.is_drum]
        notes = NoteArray.concatenate(track.note_array() for track in pitched)
        if not self.uses_hints:
            return notes, None
        known = []
        for index, track in enumerate(pitched):
            part = self.codec.part_of(track, index)
            if part is None and track.notes:
                rule = {"name": f"named {', '.join(self.parts)}",
                        "order": f"at most {len(self.parts)} pitched tracks",
                        "family": f"of the families {', '.join(self.parts)}"}[self.codec.assign]
                raise ArrangerError(
                    f"{self.name} reads hints from the input's parts, but track {index} "
                    f"({track.name or 'unnamed'}) is not one of them: give a piece with tracks "
                    f"{rule}, or use a method without hints")
            known.append(np.full(len(track.notes), part if part is not None else 0, np.int64))
        return notes, (np.concatenate(known) if known else np.zeros(0, np.int64))

    def evaluate(self, pieces: Iterable[np.ndarray], *, progress: bool = False
                 ) -> dict[str, Any]:
        """:func:`~orchestrion.models.arranger.accuracy_report` over ``pieces`` (rows of the
        codec, answers included) with ``seconds`` and ``notes_per_second`` of prediction."""
        from orchestrion.models.arranger import accuracy_report

        items: Iterable[np.ndarray] = list(pieces)
        if progress:
            from tqdm import tqdm
            items = tqdm(items, desc=self.name, unit="piece", leave=False)
        truth, predicted = [], []
        started = time.perf_counter()
        for rows in items:
            truth.append(np.asarray(rows)[:, 3])
            predicted.append(self.predict(rows))
        seconds = time.perf_counter() - started
        report = accuracy_report(truth, predicted, list(self.parts))
        report["seconds"] = round(seconds, 4)
        report["notes_per_second"] = round(report["notes"] / seconds) if seconds > 0 else None
        return report


def _splits(arranger: Arranger) -> str:
    """The split fractions the method was trained with (the default for baselines)."""
    config = ((arranger.meta or {}).get("training") or {}).get("config") or {}
    return str(config.get("splits", "0.8,0.1,0.1"))


def evaluate(method: str | os.PathLike[str], dataset: str | os.PathLike[str], *,
             split: str = "test", root: str | os.PathLike[str] | None = None, jobs: int = 1,
             progress: bool | None = None, device: str = "cpu") -> dict[str, Any]:
    """Score ``method`` (a baseline name, a shipped model or a checkpoint folder) on the
    pieces of ``split`` of ``dataset`` (prepared under ``root``, default
    :func:`default_root`). Baselines are fitted on the ``train`` split. ``progress``:
    progress bars on standard error (None: on a terminal). Returns the accuracy report plus
    ``method``, ``dataset``, ``split``, ``online`` and ``hints``."""
    from orchestrion.datasets import prepare
    from orchestrion.datasets.prepare import Prepared
    from orchestrion.models.arranger import BASELINES

    name = str(method)
    if name in BASELINES:
        from orchestrion.representations.parts import PartsRepresentation
        from orchestrion.training.arranger_config import part_scheme

        codec = PartsRepresentation(**part_scheme(str(dataset)))
        arranger: Arranger | None = None
    else:
        arranger = Arranger.load(name, device=device)
        codec = arranger.codec
    folder = Path(root).expanduser() if root is not None else default_root(str(dataset))
    splits = _splits(arranger) if arranger is not None else "0.8,0.1,0.1"
    result = prepare(dataset, folder, representation=codec, splits=splits, jobs=jobs,
                     progress=progress)
    prepared = Prepared(result.root)
    if split not in prepared.splits:
        raise ArrangerError(f"{dataset}: no split {split!r}; the splits are: "
                            f"{', '.join(prepared.splits)}")
    if arranger is None:
        arranger = Arranger.fit_baseline(name, codec, prepared.shard("parts", "train"))
    shard = prepared.shard("parts", split)
    show = sys.stderr.isatty() if progress is None else progress  # a bar on a terminal
    report = arranger.evaluate(shard, progress=show)
    return {"method": name, "dataset": str(dataset), "split": split,
            "online": arranger.online, "hints": arranger.uses_hints, **report}


def arrange(music: Music, method: str | os.PathLike[str] = "bach-bilstm") -> Music:
    """``music`` spread over the parts of ``method`` (a shipped model or a checkpoint
    folder); see :meth:`Arranger.arrange`."""
    return Arranger.load(method).arrange(music)
