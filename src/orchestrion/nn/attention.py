"""Causal multi-head self-attention with a key/value cache.

Scaled dot-product attention (Vaswani et al., *Attention Is All You Need*, NeurIPS 2017)::

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_head) + M) V

with the causal mask ``M[i, j] = -inf`` for ``j > i`` (a position never sees a later one),
computed by :func:`torch.nn.functional.scaled_dot_product_attention` on ``n_heads`` heads of
``d_head = d_model / n_heads`` channels.

Key/value cache: in autoregressive decoding the keys and values of earlier positions do not
change, so :class:`KVCache` keeps them (one preallocated buffer per layer) and each new step
computes the projections of the new positions only: one step costs ``O(T d)`` instead of
re-running the whole prefix (``O(T^2 d)`` over ``T`` steps for the projections and
feed-forward layers, the bulk of the work).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

__all__ = ["CausalSelfAttention", "KVCache"]


class KVCache:
    """Keys and values of the positions seen so far, for one attention layer.

    Buffers of shape ``(batch, n_heads, capacity, d_head)`` are allocated on first use;
    :attr:`length` positions are filled. :meth:`append` writes new positions and returns
    views of everything filled so far.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"KVCache: capacity must be >= 1, got {capacity}")
        self.capacity = int(capacity)
        self.length = 0
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None

    def append(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor,
                                                                          torch.Tensor]:
        """Store ``keys``/``values`` ``(B, H, T_new, d_head)`` after the cached positions and
        return all cached keys and values ``(B, H, length, d_head)``."""
        batch, heads, new, width = keys.shape
        if self.keys is None or self.values is None:
            shape = (batch, heads, self.capacity, width)
            self.keys = keys.new_empty(shape)
            self.values = values.new_empty(shape)
        elif self.keys.shape[0] != batch:
            raise ValueError(f"KVCache: batch of {batch} after a batch of {self.keys.shape[0]}")
        end = self.length + new
        if end > self.capacity:
            raise ValueError(f"KVCache: {end} positions exceed the capacity {self.capacity}")
        self.keys[:, :, self.length:end] = keys
        self.values[:, :, self.length:end] = values
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention: ``y = W_o Attention(W_q x, W_k x, W_v x)``.

    ``forward(x, cache)``: ``x`` is ``(B, T, d_model)``. Without a cache (training) position
    ``i`` attends to positions ``0..i`` of ``x``. With a :class:`KVCache` holding ``P``
    earlier positions, ``x`` holds positions ``P..P+T-1``, and position ``P+i`` attends to
    the ``P`` cached ones and to ``0..i`` of ``x``; the cache then holds ``P+T`` positions.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0,
                 bias: bool = True) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} is not a multiple of n_heads {n_heads}")
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.dropout = float(dropout)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.out = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        batch, length, _ = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.n_heads, self.d_head) \
            .permute(2, 0, 3, 1, 4).unbind(0)  # each (B, H, T, d_head)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(k, v)
        dropout = self.dropout if self.training else 0.0
        if past == 0:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
        elif length == 1:  # one new position sees everything cached
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout)
        else:  # new position past + i sees keys 0 .. past + i
            rows = torch.arange(length, device=x.device)[:, None] + past
            allowed = torch.arange(past + length, device=x.device)[None, :] <= rows
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout)
        y = y.transpose(1, 2).reshape(batch, length, self.d_model)
        return self.out(y)
