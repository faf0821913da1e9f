"""Automatic-instrumentation models: an LSTM, BiLSTM or transformer labels each note's part.

Dong, Donahue, Berg-Kirkpatrick and McAuley, "Towards Automatic Instrumentation by Learning
to Separate Parts in Symbolic Multitrack Music", ISMIR 2021 (arXiv 2107.05916). Note ``t``
of a downmixed piece (sorted by time, pitch, duration) enters as the concatenation of its
features (those that :class:`ArrangerConfig` switches on)::

    x_t = [ E_p[pitch_t] ; S(beat_t) ; E_o[position_t] ; E_d[duration_t] ;
            entry_t (K values in {-1, 0, +1}) ; pitch_hints / 127 (K values, same for all t) ]
    S(b)_{2i} = sin(b / 10000^(2i/d)),  S(b)_{2i+1} = cos(b / 10000^(2i/d))   (fixed)
    h_t^0 = Dropout(LN(W_in x_t + b_in))                                  (width ``hidden``)
    h^L   = SequenceModel(h^0)                                   (ends with LN + Dropout)
    p(part_t = k | .) = softmax(W_out h_t^L + b_out)_k

``S`` is the sinusoidal encoding of Vaswani et al. (2017) applied to the beat number, as the
reference implementation (salu133445/arranger) does, so it needs no maximum beat. The loss
of a batch is the mean cross-entropy over the real notes with a label::

    L = sum_{b,t} v_{b,t} CE(logits_{b,t}, y_{b,t}) / sum_{b,t} v_{b,t},
    v_{b,t} = mask_{b,t} and y_{b,t} != -100

(an empty selection gives ``0``, not ``NaN``). Sequence models:

- ``lstm`` / ``bilstm``: ``layers`` LSTM layers, each followed by LayerNorm and dropout, as
  in the reference (a BiLSTM concatenates ``hidden // 2`` forward and backward units). The
  backward direction reads each item reversed within its own length, so it starts at the
  item's last real note: padding never changes a real note's output.
- ``transformer`` / ``bitransformer``: ``layers`` pre-LayerNorm blocks (Xiong et al., ICML
  2020; the reference's are post-LN, which needs learning-rate warm-up at depth)::

      h = h + Dropout(Attention(LN(h)));   h = h + Dropout(FF(LN(h)))

  then LN and dropout. Query ``i`` attends to key ``j`` when ``j`` is a real note (and
  ``j <= i`` for the online ``transformer``), and always to itself, so no row of the
  attention is empty (a padding row attends at least to itself: never ``NaN``) and real
  notes never see padding. The transformers' presets add a sinusoidal encoding of the note's
  index in the sequence (``use_index``, as the reference does; 0 at the first note of a
  training crop or of an inference chunk): without it the offline transformer reached 77%
  on the Bach validation notes after 500 steps where the online one, whose causal mask
  orders the notes, reached 87%.

Padding: batches are padded on the right (``mask`` is ``True`` on a prefix of each row).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from orchestrion.models.arranger.config import ArrangerConfig
from orchestrion.nn.transformer import FeedForward

__all__ = ["ArrangerModel", "ArrangerOutput", "sinusoidal"]


@dataclass
class ArrangerOutput:
    """What :meth:`ArrangerModel.forward` returns: ``logits`` ``(B, T, K)`` over the parts
    of every note (padding included, meaningless there) and the mean cross-entropy ``loss``
    (``None`` when the batch has no ``"labels"``)."""

    logits: torch.Tensor
    loss: torch.Tensor | None = None


def sinusoidal(values: torch.Tensor, dim: int) -> torch.Tensor:
    """The fixed encoding ``S(v)`` of ``values`` (any shape, integers) -> ``(..., dim)``
    float: ``S(v)_{2i} = sin(v w_i)``, ``S(v)_{2i+1} = cos(v w_i)``, ``w_i = 10000^(-2i/dim)``
    (channels interleaved as in the reference's ``positional_encoding``)."""
    index = torch.arange(dim, device=values.device)
    rates = torch.pow(10000.0, -(2 * (index // 2)).double() / dim)
    # float64 angles: beats run into the thousands, where float32 phases lose digits.
    angles = values.double()[..., None] * rates
    return torch.where(index % 2 == 0, torch.sin(angles), torch.cos(angles)).float()


# --- sequence models ------------------------------------------------------------------------
class _LSTMStack(nn.Module):
    """``layers`` (Bi)LSTM layers, each followed by LayerNorm and dropout (the reference's
    ``MultiLayerLSTM``).

    Padding trails every item, so the forward direction never reads it before a real note.
    The backward direction reads each item reversed *within its length* (note ``L-1`` first,
    padding last), so it never does either: outputs on real notes do not depend on padding,
    with plain (unpacked) LSTMs. ``pack_padded_sequence`` gives the same result but runs
    4x (equal lengths) to 50x (mixed lengths) slower on CPU.
    """

    def __init__(self, config: ArrangerConfig) -> None:
        super().__init__()
        self.bidirectional = config.kind == "bilstm"
        units = config.hidden // 2 if self.bidirectional else config.hidden
        self.lstms = nn.ModuleList(nn.LSTM(config.hidden, units, batch_first=True)
                                   for _ in range(config.layers))
        self.backward_lstms = nn.ModuleList(
            nn.LSTM(config.hidden, units, batch_first=True)
            for _ in range(config.layers if self.bidirectional else 0))
        self.norms = nn.ModuleList(nn.LayerNorm(config.hidden) for _ in range(config.layers))
        self.dropout = nn.Dropout(config.dropout)

    @staticmethod
    def _reversal(mask: torch.Tensor) -> torch.Tensor:
        """Index ``(B, T)`` that reverses each item's first ``L`` steps and keeps the rest."""
        length = mask.shape[1]
        steps = torch.arange(length, device=mask.device)[None, :]
        lengths = mask.sum(1, keepdim=True)
        return torch.where(steps < lengths, lengths - 1 - steps, steps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        index = None
        if self.bidirectional:
            index = self._reversal(mask)[:, :, None]
        for i, (lstm, norm) in enumerate(zip(self.lstms, self.norms, strict=True)):
            out, _ = lstm(x)
            if index is not None:
                flipped = torch.gather(x, 1, index.expand(-1, -1, x.shape[2]))
                back, _ = self.backward_lstms[i](flipped)
                back = torch.gather(back, 1, index.expand(-1, -1, back.shape[2]))
                out = torch.cat([out, back], dim=-1)
            x = self.dropout(norm(out))
        return x


class _SelfAttention(nn.Module):
    """Multi-head self-attention ``W_o Attention(W_q x, W_k x, W_v x)`` under a boolean
    ``allowed`` mask ``(B, 1, T, T)`` (``True``: query may attend to key)."""

    def __init__(self, d_model: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.dropout = float(dropout)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.n_heads, self.d_head) \
            .permute(2, 0, 3, 1, 4).unbind(0)  # each (B, H, T, d_head)
        dropout = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout)
        return self.out(y.transpose(1, 2).reshape(batch, length, width))


class _EncoderBlock(nn.Module):
    """A pre-LN block: ``h + Dropout(Attn(LN(h)))``, then ``h + Dropout(FF(LN(h)))``."""

    def __init__(self, config: ArrangerConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.hidden)
        self.attention = _SelfAttention(config.hidden, config.heads, config.dropout)
        self.norm2 = nn.LayerNorm(config.hidden)
        self.feed_forward = FeedForward(config.hidden, config.ff, config.dropout)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.norm1(x), allowed))
        return x + self.dropout(self.feed_forward(self.norm2(x)))


class _TransformerStack(nn.Module):
    """``layers`` pre-LN blocks, causal when ``causal``, then LayerNorm and dropout."""

    def __init__(self, config: ArrangerConfig, causal: bool) -> None:
        super().__init__()
        self.causal = causal
        self.blocks = nn.ModuleList(_EncoderBlock(config) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.hidden)
        self.dropout = nn.Dropout(config.dropout)

    def attention_mask(self, mask: torch.Tensor) -> torch.Tensor:
        """``(B, 1, T, T)`` bool: query ``i`` may see key ``j`` when ``j`` is real (and
        ``j <= i`` if causal), and always itself (no empty row, so no ``NaN``)."""
        length = mask.shape[1]
        index = torch.arange(length, device=mask.device)
        allowed = mask[:, None, :].expand(-1, length, -1)  # (B, T_query, T_key)
        if self.causal:
            allowed = allowed & (index[None, :] <= index[:, None])
        allowed = allowed | torch.eye(length, dtype=torch.bool, device=mask.device)
        return allowed[:, None]

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        allowed = self.attention_mask(mask)
        for block in self.blocks:
            x = block(x, allowed)
        return self.dropout(self.norm(x))


# --- the model ------------------------------------------------------------------------------
class ArrangerModel(nn.Module):
    """The part-labelling model of :class:`ArrangerConfig` ``config`` (module docstring for
    the maths).

    :meth:`forward` reads a batch dict of right-padded tensors (``B`` pieces, ``T`` notes,
    ``K`` parts), as the arranger's ``features`` gives them: ``"pitch"`` ``(B, T)`` long,
    pitch + 1 (0 = padding); ``"beat"`` ``(B, T)`` long, ``onset // resolution``
    (``use_beat``); ``"position"`` ``(B, T)`` long, ``onset % resolution``
    (``use_position``); ``"duration"`` ``(B, T)`` long, ticks (``use_duration``; clipped at
    ``max_duration`` here too); ``"entry_hints"`` ``(B, T, K)`` float (``entry_hints``);
    ``"pitch_hints"`` ``(B, K)`` float, MIDI pitches (``pitch_hints``); ``"mask"`` ``(B, T)``
    bool, ``True`` on real notes; optionally ``"labels"`` ``(B, T)`` long, ``0..K-1`` or -100
    (ignored). Keys the configuration does not use may be absent.
    """

    def __init__(self, config: ArrangerConfig) -> None:
        super().__init__()
        self.config = config
        self.pitch_embedding = nn.Embedding(129, config.pitch_dim)
        self.position_embedding = (nn.Embedding(config.resolution, config.position_dim)
                                   if config.use_position else None)
        self.duration_embedding = (nn.Embedding(config.max_duration + 1, config.duration_dim)
                                   if config.use_duration else None)
        self.input_projection = nn.Linear(config.input_dim, config.hidden)
        self.input_norm = nn.LayerNorm(config.hidden)
        self.dropout = nn.Dropout(config.dropout)
        self.sequence_model: nn.Module
        if config.kind in ("lstm", "bilstm"):
            self.sequence_model = _LSTMStack(config)
        else:
            self.sequence_model = _TransformerStack(config, causal=config.online)
        self.head = nn.Linear(config.hidden, config.n_parts)

    def num_parameters(self) -> int:
        """The number of trainable parameters (the fixed beat encoding has none)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    # --- inputs -----------------------------------------------------------------------------
    def required_keys(self) -> tuple[str, ...]:
        """The batch keys :meth:`forward` reads under this configuration."""
        c = self.config
        keys = ["pitch", "mask"]
        for key, used in (("beat", c.use_beat), ("position", c.use_position),
                          ("duration", c.use_duration), ("entry_hints", c.entry_hints),
                          ("pitch_hints", c.pitch_hints)):
            if used:
                keys.append(key)
        return tuple(keys)

    def _check(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Check keys and shapes; return the mask (bool)."""
        missing = [key for key in self.required_keys() if key not in batch]
        if missing:
            raise KeyError(f"ArrangerModel ({self.config.kind}): the batch lacks {missing} "
                           f"(has {sorted(batch)})")
        pitch, mask = batch["pitch"], batch["mask"].bool()
        if pitch.ndim != 2 or mask.shape != pitch.shape:
            raise ValueError(f"pitch and mask must both be (B, T), got {tuple(pitch.shape)} "
                             f"and {tuple(mask.shape)}")
        batch_size, length = pitch.shape
        k = self.config.n_parts
        for key in ("beat", "position", "duration", "labels"):
            if key in batch and batch[key].shape != pitch.shape:
                raise ValueError(f"{key} must be (B, T) = {tuple(pitch.shape)}, "
                                 f"got {tuple(batch[key].shape)}")
        if self.config.entry_hints and batch["entry_hints"].shape != (batch_size, length, k):
            raise ValueError(f"entry_hints must be (B, T, K) = {(batch_size, length, k)}, "
                             f"got {tuple(batch['entry_hints'].shape)}")
        if self.config.pitch_hints and batch["pitch_hints"].shape != (batch_size, k):
            raise ValueError(f"pitch_hints must be (B, K) = {(batch_size, k)}, "
                             f"got {tuple(batch['pitch_hints'].shape)}")
        # The LSTMs' backward direction reverses the first mask.sum(1) notes: padding must trail.
        prefix = torch.arange(length, device=mask.device)[None, :] < mask.sum(1, keepdim=True)
        if not torch.equal(mask, prefix):
            raise ValueError("mask must be True on a prefix of each row (pad on the right)")
        return mask

    def embed(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The concatenated note features ``x`` ``(B, T, config.input_dim)``."""
        c = self.config
        pitch = batch["pitch"].long()
        parts = [self.pitch_embedding(pitch)]
        if c.use_beat:
            parts.append(sinusoidal(batch["beat"], c.beat_dim))
        if c.use_index:
            # The note's place in the sequence (0 at the crop's or chunk's first note).
            index = torch.arange(pitch.shape[1], device=pitch.device).expand_as(pitch)
            parts.append(sinusoidal(index, c.index_dim))
        if self.position_embedding is not None:
            parts.append(self.position_embedding(batch["position"].long()))
        if self.duration_embedding is not None:
            parts.append(self.duration_embedding(
                batch["duration"].long().clamp(0, c.max_duration)))
        if c.entry_hints:
            parts.append(batch["entry_hints"].float())
        if c.pitch_hints:
            # Mean pitches (0..127) scaled to [0, 1], the same for every note of the piece.
            hints = batch["pitch_hints"].float() / 127.0
            parts.append(hints[:, None, :].expand(-1, pitch.shape[1], -1))
        return torch.cat(parts, dim=-1)

    # --- forward ----------------------------------------------------------------------------
    def forward(self, batch: dict[str, torch.Tensor]) -> ArrangerOutput:
        """Logits ``(B, T, K)`` of every note and, with ``batch["labels"]``, the mean
        cross-entropy over real notes whose label is not -100 (module docstring)."""
        mask = self._check(batch)
        h = self.dropout(self.input_norm(self.input_projection(self.embed(batch))))
        h = self.sequence_model(h, mask)
        logits = self.head(h)
        if "labels" not in batch:
            return ArrangerOutput(logits=logits)
        labels = batch["labels"].long()
        # Padding counts nowhere, whatever its label says.
        labels = labels.masked_fill(~mask, -100)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                             ignore_index=-100, reduction="sum")
        count = (labels != -100).sum().clamp(min=1)
        return ArrangerOutput(logits=logits, loss=ce / count)

    @torch.no_grad()
    def predict(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The most likely part ``(B, T)`` long of every note, -1 on padding. Gradients are
        off; train/eval mode is the caller's (``model.eval()`` for dropout-free output)."""
        inputs = {key: value for key, value in batch.items() if key != "labels"}
        logits = self.forward(inputs).logits
        mask = batch["mask"].bool()
        return logits.argmax(-1).masked_fill(~mask, -1)

