"""Filtering and sampling of logits: temperature, top-k and top-p (nucleus).

- Temperature ``tau``: ``p_i = softmax(z / tau)_i``; ``tau -> 0`` is greedy (argmax; taken
  exactly when ``tau == 0``), ``tau = 1`` the model's distribution.
- Top-k (Fan, Lewis and Dauphin, *Hierarchical Neural Story Generation*, ACL 2018): keep the
  logits ``z_i >= z_(k)``, the ``k``-th largest (ties at the boundary are all kept), set the
  others to ``-inf``.
- Top-p (Holtzman et al., *The Curious Case of Neural Text Degeneration*, ICLR 2020): sort
  the probabilities ``p_(1) >= p_(2) >= ...`` and keep the smallest prefix whose mass reaches
  ``p``, i.e. token ``(j)`` is kept when ``sum_{i<j} p_(i) < p`` (the most likely token is
  always kept).

Filters act on the last dimension and leave ``-inf`` (already forbidden) entries alone.
Sampling draws from an explicit ``torch.Generator`` so that seeds give identical output.
"""

from __future__ import annotations

import torch

__all__ = ["filter_logits", "sample", "top_k_filter", "top_p_filter"]


def top_k_filter(logits: torch.Tensor, k: int | None) -> torch.Tensor:
    """Logits with every entry below the ``k``-th largest set to ``-inf`` (``k`` of ``None``,
    ``0`` or at least the vocabulary size: unchanged)."""
    if k is None or k <= 0 or k >= logits.shape[-1]:
        return logits
    threshold = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < threshold, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float | None) -> torch.Tensor:
    """Logits outside the nucleus of mass ``p`` set to ``-inf`` (``p`` of ``None`` or ``>= 1``:
    unchanged)."""
    if p is None or p >= 1.0:
        return logits
    if p <= 0.0:
        raise ValueError(f"top_p must be in (0, 1], got {p}")
    ordered, order = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(ordered, dim=-1)
    before = torch.cumsum(probs, dim=-1) - probs  # mass of the more likely tokens
    drop_sorted = before >= p
    drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))


def filter_logits(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> torch.Tensor:
    """``top_p_filter(top_k_filter(logits / temperature, top_k), top_p)`` (``temperature``
    must be > 0 here; :func:`sample` treats 0 as greedy)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if temperature != 1.0:
        logits = logits / temperature
    return top_p_filter(top_k_filter(logits, top_k), top_p)


def sample(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None, generator: torch.Generator | None = None
           ) -> torch.Tensor:
    """One index per row of ``logits`` ``(..., V)`` -> ``(...)`` long: the argmax when
    ``temperature == 0``, else a draw from ``softmax(filter_logits(...))``. Every row needs at
    least one finite logit."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    filtered = filter_logits(logits.float(), temperature=temperature, top_k=top_k, top_p=top_p)
    probs = torch.softmax(filtered, dim=-1)
    flat = probs.reshape(-1, probs.shape[-1])
    draws = torch.multinomial(flat, 1, generator=generator)
    return draws.reshape(probs.shape[:-1])
