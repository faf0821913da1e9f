"""Pre-LayerNorm transformer decoder with learned absolute positions.

Each block (Xiong et al., *On Layer Normalization in the Transformer Architecture*, ICML
2020: the normalisation inside the residual branch trains without learning-rate warm-up
tricks)::

    x = x + Dropout(Attention(LN(x)))          causal, see orchestrion.nn.attention
    x = x + Dropout(W_2 Dropout(GELU(W_1 LN(x))))

The stack adds a learned position embedding ``P[t]`` to its input embeddings, applies
``Dropout``, the blocks, and a final ``LN`` (as GPT-2, Radford et al. 2019, and the
``x-transformers`` decoder the Multitrack Music Transformer used).
"""

from __future__ import annotations

import torch
from torch import nn

from orchestrion.nn.attention import CausalSelfAttention, KVCache

__all__ = ["DecoderBlock", "FeedForward", "TransformerDecoder"]


class FeedForward(nn.Module):
    """``W_2 Dropout(GELU(W_1 x + b_1)) + b_2`` with ``W_1: d_model -> d_ff``."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class DecoderBlock(nn.Module):
    """One pre-LayerNorm block: causal self-attention then a GELU feed-forward layer."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, n_heads, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.norm1(x), cache))
        return x + self.dropout(self.feed_forward(self.norm2(x)))


class TransformerDecoder(nn.Module):
    """A causal decoder over input embeddings ``(B, T, d_model)`` of at most ``max_len``
    positions: ``LN(blocks(Dropout(x + P[offset : offset + T])))``.

    ``forward(x, cache)``: with ``cache`` (from :meth:`new_cache`) the positions of ``x``
    follow the ``cache[0].length`` cached ones, and the caches grow by ``T``.
    """

    def __init__(self, d_model: int, n_layers: int, n_heads: int, d_ff: int, max_len: int,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.max_len = int(max_len)
        self.position = nn.Embedding(max_len, d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(DecoderBlock(d_model, n_heads, d_ff, dropout)
                                    for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)

    def new_cache(self, capacity: int | None = None) -> list[KVCache]:
        """One empty :class:`KVCache` per block, for up to ``capacity`` (default
        ``max_len``) positions."""
        capacity = self.max_len if capacity is None else min(int(capacity), self.max_len)
        return [KVCache(capacity) for _ in self.blocks]

    def forward(self, x: torch.Tensor, cache: list[KVCache] | None = None) -> torch.Tensor:
        offset = 0 if cache is None else cache[0].length
        length = x.shape[1]
        if offset + length > self.max_len:
            raise ValueError(f"{offset + length} positions exceed the decoder's maximum "
                             f"{self.max_len}")
        positions = torch.arange(offset, offset + length, device=x.device)
        x = self.dropout(x + self.position(positions))
        for i, block in enumerate(self.blocks):
            x = block(x, None if cache is None else cache[i])
        return self.norm(x)
