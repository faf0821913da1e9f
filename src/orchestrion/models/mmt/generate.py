"""Decoding with the Multitrack Music Transformer, and the prompts of its three modes.

:func:`generate` extends prompts event by event (Dong et al., ICASSP 2023, section 3.3): at
each step the *type* is sampled first, then the other five fields, each from its own
distribution after masking what the ``mmt`` grammar forbids:

- type never decreases: ``SOS (0) -> instrument events (1) -> start-of-notes (2) -> notes
  (3) -> EOS (4)``; ``SOS`` and ``SON`` occur once, a note needs ``SON`` before it, and
  instrument events come in increasing code (as the codec writes them, so each instrument
  is declared once);
- beat never decreases among notes: a note's beat code is ``>=`` the previous note's;
- code 0 ("undefined") is masked in every field but type; the fields a row type does not use
  (:func:`~orchestrion.models.mmt.config.field_usage`: all but type for ``SOS``/``SON``/
  ``EOS``, all but type and instrument for instrument events) are set to 0, so instrument
  rows sample only their instrument;
- a sequence stops at ``EOS`` (later rows are padding, code 0 everywhere; :func:`trim` cuts
  them); a sequence that reaches ``max_events - 1`` rows gets ``EOS`` as its last row, as the
  codec truncates, so that it is a complete song.

Sampling per field ``f``: ``softmax(top_p(top_k(z_f / tau_f)))``; the paper uses top-k with
``k_f = ceil(0.1 V_f)`` (type thus greedy: ``k = 1``) and ``tau = 1``, our defaults.

With ``use_cache`` (default) each step feeds only the new event through the decoder, keeping
the keys and values of the earlier ones (:class:`orchestrion.nn.KVCache`); without, it re-runs
the whole prefix as the reference does. Both give the same events for the same seed.

Modes (section 4 of the paper): :func:`unconditioned` (``SOS``), :func:`instrument_prompt`
(``SOS``, instrument events, ``SON``) and :func:`continuation_prompt` (the events before beat
``N`` of a piece).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import torch

from orchestrion.core.model import Music
from orchestrion.models.mmt.config import FIELDS
from orchestrion.models.mmt.model import MultitrackMusicTransformer
from orchestrion.nn.sampling import sample
from orchestrion.representations.base import Representation
from orchestrion.representations.mmt import EOS, INSTRUMENT, INSTRUMENT_NAMES, NOTE, SON, SOS

__all__ = ["continuation_prompt", "generate", "instrument_prompt", "trim", "unconditioned"]

_T = TypeVar("_T")
PerField = Any  # a value, a {field name: value} mapping, or a 6-sequence


def _per_field(value: PerField, default: list[_T], name: str) -> list[_T]:
    """Six values from one value, a mapping by field name, or a sequence of six."""
    if value is None:
        return list(default)
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"{name}: unknown fields {unknown}; fields are {FIELDS}")
        return [value.get(f, d) for f, d in zip(FIELDS, default, strict=True)]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != len(FIELDS):
            raise ValueError(f"{name}: needs {len(FIELDS)} values, got {len(value)}")
        return list(value)
    return [value] * len(FIELDS)


class _State:
    """What the grammar needs to know of each sequence: last type, last note beat, last
    instrument-event code, declared instruments, and whether it has ended."""

    def __init__(self, prompt: torch.Tensor, n_instruments: int) -> None:
        batch = prompt.shape[0]
        kind = prompt[..., 0]
        self.last_type = kind[:, -1].clone()
        note = kind == NOTE
        self.last_beat = torch.where(note, prompt[..., 1], 0).amax(dim=1)
        instrument_row = kind == INSTRUMENT
        self.last_instrument = torch.where(instrument_row, prompt[..., 5], 0).amax(dim=1)
        self.declared = torch.zeros(batch, n_instruments, dtype=torch.bool,
                                    device=prompt.device)
        self.declared.scatter_(1, torch.where(instrument_row, prompt[..., 5], 0), True)
        self.declared[:, 0] = False
        self.done = (kind == EOS).any(dim=1)

    def update(self, row: torch.Tensor) -> None:
        kind = row[:, 0]
        live = ~self.done
        self.last_type = torch.where(live, kind, self.last_type)
        self.last_beat = torch.where(live & (kind == NOTE), row[:, 1], self.last_beat)
        is_instrument = live & (kind == INSTRUMENT)
        self.last_instrument = torch.where(is_instrument, row[:, 5], self.last_instrument)
        self.declared[is_instrument, row[is_instrument, 5]] = True
        self.done = self.done | (kind == EOS)


def _allowed_types(state: _State, n_types: int, n_instruments: int,
                   force_eos: bool) -> torch.Tensor:
    types = torch.arange(n_types, device=state.last_type.device)[None, :]
    prev = state.last_type[:, None]
    if force_eos:
        return (types == EOS).expand(prev.shape[0], -1)
    allowed = (types >= prev) & (types != SOS)
    allowed &= ~((types == SON) & (prev == SON))
    allowed &= ~((types == NOTE) & (prev < SON))
    allowed &= ~((types == INSTRUMENT) & (state.last_instrument[:, None] >= n_instruments - 1))
    return allowed


def _sample_event(model: MultitrackMusicTransformer, hidden: torch.Tensor, state: _State,
                  settings: list[tuple[float, int | None, float | None]],
                  generator: torch.Generator, force_eos: bool,
                  restrict_instruments: bool) -> torch.Tensor:
    """One event per sequence ``(B, 6)`` from the last hidden states ``(B, d_model)``."""
    vocabulary = model.config.vocabulary
    usage = model.field_usage
    chosen = torch.zeros(hidden.shape[0], len(FIELDS), dtype=torch.long, device=hidden.device)
    independent = None if model.config.nested else model.all_logits(hidden)
    for f in range(len(FIELDS)):
        logits = independent[f] if independent is not None else \
            model.field_logits(hidden, f, chosen)
        codes = torch.arange(vocabulary[f], device=hidden.device)[None, :]
        if f == 0:
            allowed = _allowed_types(state, vocabulary[0], vocabulary[5], force_eos)
        else:
            kind = chosen[:, :1]
            allowed = (codes > 0).expand(hidden.shape[0], -1)
            if FIELDS[f] == "beat":
                allowed = allowed & ((codes >= state.last_beat[:, None]) | (kind != NOTE))
            elif FIELDS[f] == "instrument":
                allowed = allowed & ((codes > state.last_instrument[:, None])
                                     | (kind != INSTRUMENT))
                if restrict_instruments:
                    some = state.declared.any(dim=1, keepdim=True)
                    allowed = allowed & (state.declared | ~some | (kind != NOTE))
        temperature, top_k, top_p = settings[f]
        value = sample(logits.float().masked_fill(~allowed, float("-inf")),
                       temperature=temperature, top_k=top_k, top_p=top_p, generator=generator)
        if f == 0:
            chosen[:, 0] = value
        else:
            chosen[:, f] = torch.where(usage[chosen[:, 0], f], value, 0)
    return chosen


@torch.no_grad()
def generate(model: MultitrackMusicTransformer, prompt: np.ndarray | torch.Tensor, *,
             max_events: int | None = None, temperature: PerField = 1.0, top_k: PerField = None,
             top_p: PerField = None, seed: int | None = None, use_cache: bool = True,
             restrict_instruments: bool = False) -> np.ndarray:
    """Extend ``prompt`` ``(T0, 6)`` or ``(B, T0, 6)`` (grammatical beginnings of songs, all
    of one length) to at most ``max_events`` rows (default: the model's ``max_seq_len``,
    1024 for ``small`` and ``paper``, as the paper); returns ``(B, T, 6)`` ``int64``.

    Rows after a sequence's ``EOS`` are padding (0); :func:`trim` gives each song alone. The
    rules and the sampling are in the module docstring. Per-field settings take one value,
    a ``{field: value}`` mapping (missing fields keep the default) or six values:

    - ``temperature``: ``tau_f`` (0 is greedy), default 1;
    - ``top_k``: ``k_f``, default ``ceil(0.1 V_f)`` as the paper; 0 turns top-k off;
    - ``top_p``: nucleus mass, default off.

    ``seed`` seeds a ``torch.Generator`` (same seed, same output; ``None``: fresh entropy).
    ``restrict_instruments``: notes only use instruments declared by instrument events (when
    there are any). The model is put in ``eval`` mode.
    """
    config = model.config
    device = next(model.parameters()).device
    tokens = torch.as_tensor(np.asarray(prompt) if not isinstance(prompt, torch.Tensor)
                             else prompt, dtype=torch.long).to(device)
    if tokens.ndim == 2:
        tokens = tokens[None]
    if tokens.ndim != 3 or tokens.shape[-1] != len(FIELDS) or tokens.shape[1] < 1:
        raise ValueError(f"prompt must be (T0, 6) or (B, T0, 6) with T0 >= 1, got "
                         f"{tuple(tokens.shape)}")
    if (tokens[:, 0, 0] != SOS).any():
        raise ValueError("every prompt must start with a start-of-song row (type 0)")
    max_events = config.max_seq_len if max_events is None else int(max_events)
    if max_events > config.max_seq_len:
        raise ValueError(f"max_events {max_events} exceeds the model's {config.max_seq_len} "
                         "positions")
    defaults_k = [math.ceil(0.1 * v) for v in config.vocabulary]
    temperatures = [float(t) for t in _per_field(temperature, [1.0] * 6, "temperature")]
    ks = _per_field(top_k, defaults_k, "top_k")
    ps = _per_field(top_p, [None] * 6, "top_p")
    if any(t < 0 for t in temperatures):
        raise ValueError(f"temperature must be >= 0, got {temperatures}")
    settings = list(zip(temperatures, ks, ps, strict=True))
    generator = torch.Generator(device=device)
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(int(seed))

    model.eval()
    state = _State(tokens, config.vocabulary[5])
    rows = [tokens]
    length = tokens.shape[1]
    cache = model.new_cache(max_events) if use_cache else None
    if length < max_events and not bool(state.done.all()):
        hidden = model.hidden_states(tokens, cache)[:, -1]
    while length < max_events and not bool(state.done.all()):
        row = _sample_event(model, hidden, state, settings, generator,
                            force_eos=length == max_events - 1,
                            restrict_instruments=restrict_instruments)
        row = torch.where(state.done[:, None], 0, row)
        state.update(row)
        rows.append(row[:, None])
        length += 1
        if length < max_events and not bool(state.done.all()):
            if cache is not None:
                hidden = model.hidden_states(row[:, None], cache)[:, -1]
            else:
                hidden = model.hidden_states(torch.cat(rows, dim=1))[:, -1]
    return torch.cat(rows, dim=1).cpu().numpy().astype(np.int64)


def trim(output: np.ndarray) -> list[np.ndarray]:
    """Each song of :func:`generate`'s ``(B, T, 6)`` output up to and including its first
    ``EOS`` (all of it when it has none)."""
    output = np.asarray(output)
    if output.ndim == 2:
        output = output[None]
    songs = []
    for song in output:
        ends = np.flatnonzero(song[:, 0] == EOS)
        songs.append(song[: ends[0] + 1].copy() if len(ends) else song.copy())
    return songs


def unconditioned(codec: Representation) -> np.ndarray:
    """The prompt of unconditioned generation: one start-of-song row ``(1, 6)``."""
    return np.zeros((1, len(codec.vocabulary)), dtype=np.int64)


def _instrument_code(codec: Representation, instrument: int | str) -> int:
    if isinstance(instrument, str):
        if codec.config().get("instrument_map") is not None:
            raise ValueError(f"instrument names need the default instrument map; give "
                             f"programs for {codec!r}")
        name = instrument.strip().lower().replace(" ", "-").replace("_", "-")
        if name not in INSTRUMENT_NAMES:
            raise ValueError(f"unknown instrument {instrument!r}; known: "
                             f"{', '.join(INSTRUMENT_NAMES)}")
        return INSTRUMENT_NAMES.index(name) + 1
    program = int(instrument)
    if not 0 <= program < 128:
        raise ValueError(f"program must be 0-127, got {program}")
    index = int(codec.program_index[program])  # type: ignore[attr-defined]
    if index < 0:
        raise ValueError(f"program {program} is dropped by the codec's instrument map")
    return index + 1


def instrument_prompt(codec: Representation, instruments: Iterable[int | str]) -> np.ndarray:
    """The prompt of instrument-informed generation: ``SOS``, one instrument event per
    distinct instrument (General MIDI programs 0-127 or the codec's instrument names, e.g.
    ``"violin"``), in code order, then ``SON``."""
    codes = sorted({_instrument_code(codec, k) for k in instruments})
    array = np.zeros((len(codes) + 2, len(codec.vocabulary)), dtype=np.int64)
    array[1:-1, 0] = INSTRUMENT
    array[1:-1, 5] = codes
    array[-1, 0] = SON
    return array


def continuation_prompt(codec: Representation, music: Music | np.ndarray,
                        n_beats: int) -> np.ndarray:
    """The prompt of ``n_beats``-beat continuation: the rows of ``music`` (encoded with
    ``codec`` when it is ``Music``) before beat ``n_beats`` (``SOS``, the instrument events,
    ``SON`` and the notes of beats ``0 .. n_beats - 1``; not ``EOS``)."""
    if n_beats < 0:
        raise ValueError(f"n_beats must be >= 0, got {n_beats}")
    array = codec.encode(music) if isinstance(music, Music) else np.asarray(music,
                                                                           dtype=np.int64)
    codec.check(array)
    kind = array[:, 0]
    keep = (kind < NOTE) | ((kind == NOTE) & (array[:, 1] <= n_beats))
    return array[keep].copy()
