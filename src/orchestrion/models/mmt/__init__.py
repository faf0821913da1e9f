"""The Multitrack Music Transformer (Dong, Chen, Dubnov, McAuley and Berg-Kirkpatrick,
ICASSP 2023, arXiv 2207.06983) over the ``mmt`` codec
(:mod:`orchestrion.representations.mmt`).

- :class:`MMTConfig` (``config.py``): sizes ``debug()``, ``small()``, ``paper()`` and the
  switches ``mask_loss`` and ``nested``.
- :class:`MultitrackMusicTransformer` (``model.py``): ``forward`` gives logits and loss.
- :func:`generate` and the prompts of the three modes (``generate.py``).

Importing this package imports ``torch``.
"""

from __future__ import annotations

from orchestrion.models.mmt.config import FIELDS, MMTConfig, field_usage
from orchestrion.models.mmt.generate import (
    continuation_prompt,
    generate,
    instrument_prompt,
    trim,
    unconditioned,
)
from orchestrion.models.mmt.model import MMTOutput, MultitrackMusicTransformer

__all__ = [
    "FIELDS",
    "MMTConfig",
    "MMTOutput",
    "MultitrackMusicTransformer",
    "continuation_prompt",
    "field_usage",
    "generate",
    "instrument_prompt",
    "trim",
    "unconditioned",
]
