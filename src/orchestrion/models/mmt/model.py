"""The Multitrack Music Transformer: a decoder-only transformer over 6-field events.

Dong, Chen, Dubnov, McAuley and Berg-Kirkpatrick, *Multitrack Music Transformer*, ICASSP
2023 (arXiv 2207.06983). An event ``x_t = (x_t^1 .. x_t^6)`` (type, beat, position, pitch,
duration, instrument; :mod:`orchestrion.representations.mmt`) enters as the sum of its field
embeddings plus a learned position embedding::

    e_t = sum_f E_f[x_t^f] + P[t]
    h_t = Decoder(e_0 .. e_t)                 pre-LN causal transformer (orchestrion.nn)
    p(x_{t+1}^f | x_{<=t}) = softmax(W_f h_t + b_f)          independent heads (the paper)

and the loss of a batch is the sum over fields of the mean cross-entropy of next-event
prediction (inputs rows ``0..T-2`` predict rows ``1..T-1``)::

    L = sum_f  sum_{b,t} m_{b,t}^f CE(W_f h_{b,t}, x_{b,t+1}^f) / sum_{b,t} m_{b,t}^f

where ``m^f`` is 1 on real target rows whose type uses field ``f`` (``mask_loss``, the
default) or 1 everywhere (``mask_loss=False``, the reference's loss, padding included).

Nested heads (``nested=True``; after the Nested Music Transformer, Ryu et al., ISMIR 2024):
field ``f`` is predicted from ``z_f = h_t + sum_{g<f} E'_g[x_{t+1}^g]``, the hidden state
plus embeddings of the fields of the next event chosen before it, through a pre-LN residual
GELU MLP: ``logits_f = W_f (z_f + MLP_f(LN(z_f))) + b_f`` (``f = 0``, type, reads ``h_t``
alone). Training feeds the true fields (teacher forcing); generation the sampled ones.

Padding: rows past an item's length must come last (as
:func:`orchestrion.datasets.loaders.collate` pads). The causal mask alone then keeps every
real row from seeing padding, so ``mask`` only weights the loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from orchestrion.models.mmt.config import FIELDS, MMTConfig
from orchestrion.nn.attention import KVCache
from orchestrion.nn.transformer import TransformerDecoder

__all__ = ["MMTOutput", "MultitrackMusicTransformer"]


@dataclass
class MMTOutput:
    """What :meth:`MultitrackMusicTransformer.forward` returns.

    ``logits``: one ``(B, T', V_f)`` tensor per field (``T' = T - 1`` with targets, else
    ``T``); ``loss``: the summed loss (``None`` without targets); ``field_losses``: field name
    -> its mean cross-entropy; ``hidden``: the decoder's output ``(B, T', d_model)``.
    """

    logits: tuple[torch.Tensor, ...]
    loss: torch.Tensor | None = None
    field_losses: dict[str, torch.Tensor] = field(default_factory=dict)
    hidden: torch.Tensor | None = None


class _NestedHead(nn.Module):
    """``W (z + MLP(LN(z))) + b`` for one field of the nested decoder."""

    def __init__(self, d_model: int, vocabulary: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_model), nn.GELU(),
                                 nn.Linear(d_model, d_model))
        self.out_norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocabulary)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.head(self.out_norm(z + self.mlp(self.norm(z))))


class MultitrackMusicTransformer(nn.Module):
    """The MMT decoder of :class:`MMTConfig` ``config`` (module docstring for the maths)."""

    def __init__(self, config: MMTConfig) -> None:
        super().__init__()
        self.config = config
        d = config.d_model
        self.embeddings = nn.ModuleList(nn.Embedding(v, d) for v in config.vocabulary)
        self.decoder = TransformerDecoder(d, config.n_layers, config.n_heads, config.d_ff,
                                          config.max_seq_len, config.dropout)
        if config.nested:
            self.heads = nn.ModuleList([nn.Linear(d, config.vocabulary[0])] + [
                _NestedHead(d, v) for v in config.vocabulary[1:]])
            # Embeddings of the already chosen fields of the next event (all but the last).
            self.inner_embeddings = nn.ModuleList(nn.Embedding(v, d)
                                                  for v in config.vocabulary[:-1])
        else:
            self.heads = nn.ModuleList(nn.Linear(d, v) for v in config.vocabulary)
            self.inner_embeddings = nn.ModuleList()
        usage = torch.tensor(config.field_usage, dtype=torch.bool)
        self.register_buffer("field_usage", usage, persistent=False)
        self.apply(_init_weights)

    # --- parts ------------------------------------------------------------------------------
    def num_parameters(self) -> int:
        """The number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """``sum_f E_f[tokens[..., f]]``: ``(B, T, 6)`` long -> ``(B, T, d_model)``."""
        if tokens.ndim != 3 or tokens.shape[-1] != len(FIELDS):
            raise ValueError(f"tokens must be (B, T, {len(FIELDS)}), got {tuple(tokens.shape)}")
        out = self.embeddings[0](tokens[..., 0])
        for f in range(1, len(FIELDS)):
            out = out + self.embeddings[f](tokens[..., f])
        return out

    def new_cache(self, capacity: int | None = None) -> list[KVCache]:
        """An empty key/value cache (one per layer) for :meth:`hidden_states`."""
        return self.decoder.new_cache(capacity)

    def hidden_states(self, tokens: torch.Tensor,
                      cache: list[KVCache] | None = None) -> torch.Tensor:
        """The decoder output ``(B, T, d_model)`` of ``tokens`` ``(B, T, 6)``; with ``cache``
        the rows follow the cached ones and are added to the cache."""
        return self.decoder(self.embed(tokens), cache)

    def field_logits(self, hidden: torch.Tensor, field: int,
                     chosen: torch.Tensor | None = None) -> torch.Tensor:
        """Logits ``(..., V_field)`` of field ``field`` of the next event from ``hidden``
        ``(..., d_model)``; nested heads also read ``chosen`` ``(..., >= field)`` long, the
        next event's fields chosen so far (ignored by independent heads)."""
        if not self.config.nested or field == 0:
            return self.heads[field](hidden)
        if chosen is None or chosen.shape[-1] < field:
            raise ValueError(f"nested field {field} needs the {field} field(s) chosen before")
        z = hidden
        for g in range(field):
            z = z + self.inner_embeddings[g](chosen[..., g])
        return self.heads[field](z)

    def all_logits(self, hidden: torch.Tensor,
                   chosen: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """The logits of all six fields (nested heads need ``chosen``: the next events)."""
        if not self.config.nested:
            return tuple(head(hidden) for head in self.heads)
        if chosen is None:
            raise ValueError("nested heads need the next events' fields (targets)")
        inner = [self.inner_embeddings[g](chosen[..., g]) for g in range(len(FIELDS) - 1)]
        logits = [self.heads[0](hidden)]
        z = hidden
        for f in range(1, len(FIELDS)):
            z = z + inner[f - 1]
            logits.append(self.heads[f](z))
        return tuple(logits)

    # --- training ---------------------------------------------------------------------------
    def loss_mask(self, targets: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """``(B, T, 6)`` bool: which target fields count in the loss (module docstring)."""
        if not self.config.mask_loss:
            return torch.ones(targets.shape, dtype=torch.bool, device=targets.device)
        kind = targets[..., 0].clamp(0, self.field_usage.shape[0] - 1)
        used = self.field_usage[kind]
        if mask is not None:
            used = used & mask[..., None]
        return used

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None, *,
                targets: bool = True) -> MMTOutput:
        """Logits and (with ``targets``) the next-event loss of ``tokens`` ``(B, T, 6)``
        long; ``mask`` ``(B, T)`` bool is ``True`` on real rows (padding last).

        With ``targets=True`` rows ``0..T-2`` predict rows ``1..T-1`` and the output holds
        the loss; with ``False`` the logits of all ``T`` positions (independent heads only:
        nested heads need the next events, see :meth:`field_logits`)."""
        if targets:
            if tokens.shape[1] < 2:
                raise ValueError("next-event prediction needs at least 2 rows")
            inputs, following = tokens[:, :-1], tokens[:, 1:]
        else:
            inputs, following = tokens, None
        hidden = self.hidden_states(inputs)
        logits = self.all_logits(hidden, following)
        if following is None:
            return MMTOutput(logits=logits, hidden=hidden)
        weights = self.loss_mask(following, None if mask is None else mask[:, 1:])
        field_losses: dict[str, torch.Tensor] = {}
        for f, name in enumerate(FIELDS):
            ce = F.cross_entropy(logits[f].transpose(1, 2).float(), following[..., f],
                                 reduction="none")
            w = weights[..., f].to(ce.dtype)
            field_losses[name] = (ce * w).sum() / w.sum().clamp(min=1.0)
        loss = torch.stack(list(field_losses.values())).sum()
        return MMTOutput(logits=logits, loss=loss, field_losses=field_losses, hidden=hidden)

    @torch.no_grad()
    def forward_step(self, tokens: torch.Tensor, cache: list[KVCache] | None = None
                     ) -> tuple[tuple[torch.Tensor, ...], list[KVCache]]:
        """Logits of the next event after ``tokens`` ``(B, T_new, 6)`` (all ``T_new``
        positions), with the earlier rows in ``cache`` (a new one when ``None``); returns the
        logits and the grown cache. Independent heads only (nested: :meth:`field_logits`)."""
        if self.config.nested:
            raise ValueError("forward_step gives all fields at once; nested heads choose "
                             "them one by one (hidden_states + field_logits)")
        if cache is None:
            cache = self.new_cache()
        hidden = self.hidden_states(tokens, cache)
        return self.all_logits(hidden), cache


def _init_weights(module: nn.Module) -> None:
    """GPT-2's initialisation: N(0, 0.02) weights, zero biases, unit LayerNorms."""
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)
