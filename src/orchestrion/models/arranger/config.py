"""Configuration of the automatic-instrumentation models: kind, input switches and sizes.

Dong, Donahue, Berg-Kirkpatrick and McAuley, "Towards Automatic Instrumentation by Learning
to Separate Parts in Symbolic Multitrack Music", ISMIR 2021 (arXiv 2107.05916). A piece is
downmixed into one note sequence sorted by (time, pitch, duration) and a sequence model
predicts each note's part among ``n_parts`` (``K``). Four kinds (:data:`KINDS`):

- ``lstm`` (online): a unidirectional LSTM; note ``t``'s output depends on notes ``<= t``
  (and on the hints, which are given up front);
- ``bilstm`` (offline): a bidirectional LSTM, ``hidden // 2`` units per direction;
- ``transformer`` (online): transformer blocks under a causal attention mask;
- ``bitransformer`` (offline): the same blocks without the causal mask.

:class:`ArrangerConfig` is a frozen dataclass, JSON-able through
:meth:`ArrangerConfig.to_dict` and :meth:`ArrangerConfig.from_dict`. The paper's sizes
(:meth:`ArrangerConfig.preset`) and a tiny test size (:meth:`ArrangerConfig.debug`), with
their parameter counts (``n_parts = 4``, no hints; measured with
:meth:`~orchestrion.models.arranger.model.ArrangerModel.num_parameters`):

==========================  ======  ======  =====  ====  ========  ==========  =======
``preset(kind, 4)``         layers  hidden  heads  ff    duration  parameters  +1 part
==========================  ======  ======  =====  ====  ========  ==========  =======
``lstm``                    3       128     -      -     no        418,884     +129
``bilstm``                  3       64+64   -      -     yes       325,716     +129
``transformer``             3       128     8      256   no        421,572     +129
``bitransformer``           3       128     8      256   no        421,572     +129
``debug("lstm", 4)``        2       16      -      -     no        6,140       +17
``debug("bilstm", 4)``      2       8+8     -      -     no        5,116       +17
``debug("transformer", 4)`` 2       16      2      32    no        6,332       +17
==========================  ======  ======  =====  ====  ========  ==========  =======

(The input layer reads ``pitch_dim + beat_dim + position_dim (+ duration_dim) (+ K) (+ K)
(+ index_dim)`` features: the index, on for the transformers, adds 2,048 weights at
``hidden = 128``; ``entry_hints`` and ``pitch_hints`` each add ``K * hidden`` weights, 512
at ``hidden = 128, K = 4``; ``use_duration`` adds a ``(max_duration + 1) x duration_dim``
table and ``duration_dim * hidden`` weights, 5,136 at the paper's sizes.)

The paper's BiLSTM sees note durations (an offline model knows when a note ends); the online
models do not by default (the paper's "LSTM + duration" row is ``preset("lstm", K,
use_duration=True)``). Importing this module does not import torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "ONLINE_KINDS", "ArrangerConfig"]

KINDS = ("lstm", "bilstm", "transformer", "bitransformer")
#: The causal kinds: a note's part depends on that note and the ones before it only.
ONLINE_KINDS = ("lstm", "transformer")
TRANSFORMER_KINDS = ("transformer", "bitransformer")

_POSITIVE = ("n_parts", "resolution", "max_duration", "layers", "hidden", "heads", "ff",
             "pitch_dim", "beat_dim", "position_dim", "duration_dim", "index_dim")
_FLAGS = ("use_beat", "use_position", "use_duration", "entry_hints", "pitch_hints",
          "use_index")


@dataclass(frozen=True)
class ArrangerConfig:
    """Kind, inputs and sizes of an :class:`~orchestrion.models.arranger.ArrangerModel`.

    ``kind``: one of :data:`KINDS`; ``n_parts``: the number of parts ``K`` (>= 2).
    Inputs per note (the model concatenates those switched on, module docstring of
    ``model.py``): a learned pitch embedding (``pitch_dim``, 129 codes: pitch + 1, 0 =
    padding, always on); a fixed sinusoidal embedding of the beat ``onset // resolution``
    (``use_beat``, ``beat_dim``); a learned embedding of the position in the beat ``onset %
    resolution`` (``use_position``, ``position_dim``, ``resolution`` codes); a learned
    embedding of the duration clipped at ``max_duration`` ticks (``use_duration``,
    ``duration_dim``, ``max_duration + 1`` codes); the ``K`` entry hints (``entry_hints``),
    the ``K`` part mean pitches / 127 (``pitch_hints``), and a fixed sinusoidal encoding of
    the note's index in the sequence (``use_index``, ``index_dim``; on for the transformers
    in :meth:`preset`, as in the reference, so that attention can find a note's neighbours;
    0 at the first note of a training crop or an inference chunk).

    Sizes: ``layers`` LSTM layers or transformer blocks of width ``hidden`` (a BiLSTM runs
    ``hidden // 2`` units per direction), ``heads`` attention heads and ``ff`` feed-forward
    units (transformers), ``dropout`` after the input layer and every layer.
    """

    kind: str
    n_parts: int
    resolution: int = 24
    max_duration: int = 192
    use_beat: bool = True
    use_position: bool = True
    use_duration: bool = False
    entry_hints: bool = False
    pitch_hints: bool = False
    use_index: bool = False
    layers: int = 3
    hidden: int = 128
    heads: int = 8
    ff: int = 256
    dropout: float = 0.2
    pitch_dim: int = 64
    beat_dim: int = 16
    position_dim: int = 16
    duration_dim: int = 16
    index_dim: int = 16

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"ArrangerConfig: kind must be one of {KINDS}, got {self.kind!r}")
        for name in _POSITIVE:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"ArrangerConfig: {name} must be an int, got {value!r}")
            if value < 1:
                raise ValueError(f"ArrangerConfig: {name} must be >= 1, got {value}")
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"ArrangerConfig: {name} must be a bool, "
                                 f"got {getattr(self, name)!r}")
        if self.n_parts < 2:
            raise ValueError(f"ArrangerConfig: n_parts must be >= 2 (one part needs no "
                             f"model), got {self.n_parts}")
        if self.kind == "bilstm" and self.hidden % 2:
            raise ValueError(f"ArrangerConfig: hidden must be even for a bilstm "
                             f"(hidden // 2 units per direction), got {self.hidden}")
        if self.kind in ("transformer", "bitransformer") and self.hidden % self.heads:
            raise ValueError(f"ArrangerConfig: hidden {self.hidden} is not a multiple of "
                             f"heads {self.heads}")
        if not isinstance(self.dropout, (int, float)) or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"ArrangerConfig: dropout must be in [0, 1), got {self.dropout!r}")

    # --- derived ----------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether the model is causal (``lstm``, ``transformer``): note ``t``'s output
        depends only on notes ``0..t`` (and the hints)."""
        return self.kind in ONLINE_KINDS

    @property
    def input_dim(self) -> int:
        """The width of the concatenated note features that the input layer reads."""
        return (self.pitch_dim + self.beat_dim * self.use_beat
                + self.position_dim * self.use_position
                + self.duration_dim * self.use_duration
                + self.n_parts * self.entry_hints + self.n_parts * self.pitch_hints
                + self.index_dim * self.use_index)

    # --- sizes ------------------------------------------------------------------------------
    @classmethod
    def preset(cls, kind: str, n_parts: int, **overrides: Any) -> ArrangerConfig:
        """The paper's model of ``kind`` for ``n_parts`` parts: 3 layers of width 128 (LSTM
        3x128; BiLSTM 3x(64+64), with durations; transformers 3 blocks, d 128, 8 heads, FF
        256), dropout 0.2; ``overrides`` replace any field (e.g. ``entry_hints=True``)."""
        values: dict[str, Any] = {"layers": 3, "hidden": 128, "heads": 8, "ff": 256,
                                  "dropout": 0.2, "use_duration": kind == "bilstm",
                                  "use_index": kind in TRANSFORMER_KINDS}
        return cls(**{"kind": kind, "n_parts": n_parts, **values, **overrides})

    @classmethod
    def debug(cls, kind: str, n_parts: int, **overrides: Any) -> ArrangerConfig:
        """A tiny model for tests: 2 layers of width 16, 2 heads, FF 32, 8-wide input
        embeddings, no dropout."""
        values: dict[str, Any] = {"layers": 2, "hidden": 16, "heads": 2, "ff": 32,
                                  "dropout": 0.0, "pitch_dim": 8, "beat_dim": 8,
                                  "position_dim": 8, "duration_dim": 8, "index_dim": 8,
                                  "use_index": kind in TRANSFORMER_KINDS}
        return cls(**{"kind": kind, "n_parts": n_parts, **values, **overrides})

    # --- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that :meth:`from_dict` turns back."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArrangerConfig:
        """Rebuild from :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"ArrangerConfig: unknown keys {unknown}")
        return cls(**data)
