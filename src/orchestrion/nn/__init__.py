"""Torch building blocks that know nothing of music.

- :mod:`~orchestrion.nn.attention`: causal multi-head self-attention with a key/value cache.
- :mod:`~orchestrion.nn.transformer`: pre-LayerNorm decoder blocks and a decoder stack with
  learned absolute positions.
- :mod:`~orchestrion.nn.sampling`: temperature, top-k and top-p (nucleus) filtering of logits
  and sampling with an explicit ``torch.Generator``.

Importing this package imports ``torch``; nothing in orchestrion imports it eagerly.
"""

from __future__ import annotations

from orchestrion.nn.attention import CausalSelfAttention, KVCache
from orchestrion.nn.sampling import filter_logits, sample, top_k_filter, top_p_filter
from orchestrion.nn.transformer import DecoderBlock, FeedForward, TransformerDecoder

__all__ = [
    "CausalSelfAttention",
    "DecoderBlock",
    "FeedForward",
    "KVCache",
    "TransformerDecoder",
    "filter_logits",
    "sample",
    "top_k_filter",
    "top_p_filter",
]
