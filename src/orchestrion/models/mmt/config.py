"""Configuration of the Multitrack Music Transformer: vocabulary, sizes and switches.

:class:`MMTConfig` is a frozen dataclass, JSON-able through :meth:`MMTConfig.to_dict` and
:meth:`MMTConfig.from_dict`. Three sizes:

================  ========  =======  =======  =====  ========  =======  =================
size              layers    d_model  heads    d_ff   dropout   max len  parameters
================  ========  =======  =======  =====  ========  =======  =================
``debug()``       2         32       2        64     0.0       128      0.05 M (tests)
``small()``       4         256      4        1024   0.1       1024     3.68 M (14.7 MB)
``paper()``       6         512      8        2048   0.2       1024     19.95 M
================  ========  =======  =======  =====  ========  =======  =================

``paper()`` is the model of Dong et al. (ICASSP 2023), whose reference reports 19.94 M
parameters (its attention projections have no bias; ours do: +9,216).

Switches (departures from the reference, each off reproduces it):

- ``mask_loss`` (default ``True``): the loss of a field counts only the target rows where
  that field is meaningful: real rows (not padding) and, per row type, the fields the codec's
  grammar requires to be non-zero (:func:`field_usage`): only ``type`` for start-of-song,
  start-of-notes and end-of-song, ``type`` and ``instrument`` for instrument events, all six
  for notes. The reference averages every field over every position, padding included, so
  most of its beat/position/pitch/duration loss teaches that "non-note rows have 0 here",
  which the decoder enforces anyway. ``False`` gives the reference's unmasked mean.
- ``nested`` (default ``False``): the paper predicts the six fields of an event
  independently from one hidden state ``h_t``, ``p(x_t | h_t) = prod_f p(x_t^f | h_t)``,
  which the paper names as why it trails REMI+ in listening tests. ``True`` decodes them one
  after another, ``p(x_t | h_t) = prod_f p(x_t^f | h_t, x_t^{<f})``, in the order type,
  beat, position, pitch, duration, instrument, as the Nested Music Transformer (Ryu, Dong,
  Oh, Nam, ISMIR 2024) does with a small inner decoder; ours is lighter: field ``f`` reads
  ``z_f = h_t + sum_{g<f} E'_g(x_t^g)`` through one pre-LN GELU residual MLP before its
  linear head (teacher-forced in training).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orchestrion.representations.base import Representation

__all__ = ["DEFAULT_FIELD_USAGE", "FIELDS", "MMTConfig", "field_usage"]

FIELDS = ("type", "beat", "position", "pitch", "duration", "instrument")

#: Row type (SOS, instrument, SON, note, EOS) -> which of the 6 fields it uses (non-zero).
DEFAULT_FIELD_USAGE: tuple[tuple[bool, ...], ...] = (
    (True, False, False, False, False, False),
    (True, False, False, False, False, True),
    (True, False, False, False, False, False),
    (True, True, True, True, True, True),
    (True, False, False, False, False, False),
)


def field_usage(codec: Representation) -> tuple[tuple[bool, ...], ...]:
    """Which fields each row type uses, read off ``codec``'s grammar (``codec.check``).

    A template song ``SOS, instrument, SON, note, EOS`` with every used field at code 1 is
    probed: field ``f`` of the row of type ``k`` is *used* when setting it to 0 breaks the
    grammar (and then setting it non-zero is what the grammar asks). ``type`` is always used.
    """
    template = np.array([[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 0],
                         [3, 1, 1, 1, 1, 1], [4, 0, 0, 0, 0, 0]], dtype=np.int64)
    if not codec.is_valid(template):
        raise ValueError(f"{codec!r} does not accept the MMT template song; is it an mmt codec?")
    usage = []
    for kind in range(len(template)):
        row = [True]
        for column in range(1, len(FIELDS)):
            probe = template.copy()
            probe[kind, column] = 0 if template[kind, column] else 1
            row.append(bool(template[kind, column]) and not codec.is_valid(probe))
        usage.append(tuple(row))
    return tuple(usage)


@dataclass(frozen=True)
class MMTConfig:
    """Sizes and switches of :class:`~orchestrion.models.mmt.MultitrackMusicTransformer`.

    ``vocabulary``: codes per field, in the order of :data:`FIELDS` (the ``mmt`` codec's
    ``vocabulary`` values; defaults 5/257/13/129/33/65). ``field_usage``: row type -> used
    fields (:func:`field_usage`). ``codec_config``: the codec's ``config()`` (so a checkpoint
    can rebuild it), or ``None``. See the module docstring for the switches.
    """

    vocabulary: tuple[int, ...] = (5, 257, 13, 129, 33, 65)
    max_seq_len: int = 1024
    d_model: int = 512
    n_layers: int = 6
    n_heads: int = 8
    d_ff: int = 2048
    dropout: float = 0.2
    mask_loss: bool = True
    nested: bool = False
    field_usage: tuple[tuple[bool, ...], ...] = DEFAULT_FIELD_USAGE
    codec_config: dict[str, Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", tuple(int(v) for v in self.vocabulary))
        object.__setattr__(self, "field_usage",
                           tuple(tuple(bool(u) for u in row) for row in self.field_usage))
        if len(self.vocabulary) != len(FIELDS) or min(self.vocabulary) < 2:
            raise ValueError(f"vocabulary needs {len(FIELDS)} sizes >= 2, got {self.vocabulary}")
        if len(self.field_usage) != self.vocabulary[0] or any(
                len(row) != len(FIELDS) for row in self.field_usage):
            raise ValueError("field_usage needs one row of 6 flags per row type")
        for name in ("max_seq_len", "d_model", "n_layers", "n_heads", "d_ff"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not a multiple of n_heads "
                             f"{self.n_heads}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    # --- sizes ------------------------------------------------------------------------------
    @classmethod
    def debug(cls, **overrides: Any) -> MMTConfig:
        """A tiny model for tests (2 layers, d_model 32, 128 positions, no dropout)."""
        return cls(**{"max_seq_len": 128, "d_model": 32, "n_layers": 2, "n_heads": 2,
                      "d_ff": 64, "dropout": 0.0, **overrides})

    @classmethod
    def small(cls, **overrides: Any) -> MMTConfig:
        """A model that trains on CPU: 4 layers, d_model 256, 4 heads, d_ff 1024 (3.7 M
        parameters, 14.7 MB of float32)."""
        return cls(**{"d_model": 256, "n_layers": 4, "n_heads": 4, "d_ff": 1024,
                      "dropout": 0.1, **overrides})

    @classmethod
    def paper(cls, **overrides: Any) -> MMTConfig:
        """The paper's model: 6 layers, d_model 512, 8 heads, d_ff 2048, dropout 0.2, 1024
        positions (19.95 M parameters)."""
        return cls(**overrides)

    @classmethod
    def from_codec(cls, codec: Representation, size: str = "small",
                   **overrides: Any) -> MMTConfig:
        """The ``size`` (``debug``, ``small`` or ``paper``) configuration for ``codec``: its
        vocabulary, field usage, config and (when it truncates, for ``small`` and
        ``paper``) ``max_events`` as ``max_seq_len``."""
        if list(codec.vocabulary) != list(FIELDS):
            raise ValueError(f"{codec!r} has fields {list(codec.vocabulary)}, not {FIELDS}")
        if size not in ("debug", "small", "paper"):
            raise ValueError(f"size must be debug, small or paper, got {size!r}")
        values: dict[str, Any] = {"vocabulary": tuple(codec.vocabulary.values()),
                                  "field_usage": field_usage(codec),
                                  "codec_config": codec.config()}
        max_events = getattr(codec, "max_events", None)
        if max_events is not None and size != "debug":
            values["max_seq_len"] = int(max_events)
        return getattr(cls, size)(**{**values, **overrides})

    # --- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (lists for tuples) that :meth:`from_dict` turns back."""
        data = dataclasses.asdict(self)
        data["vocabulary"] = list(self.vocabulary)
        data["field_usage"] = [list(row) for row in self.field_usage]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MMTConfig:
        """Rebuild from :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"MMTConfig: unknown keys {unknown}")
        return cls(**data)
