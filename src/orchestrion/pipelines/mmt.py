"""Generation with a Multitrack Music Transformer checkpoint, in the paper's three modes.

>>> from orchestrion.pipelines import MMTPipeline
>>> pipe = MMTPipeline.from_pretrained("mmt-small")                    # doctest: +SKIP
>>> songs = pipe.generate(seed=1)                                     # unconditioned
>>> songs = pipe.generate(instruments="piano,violin,cello", n=2)      # instrument-informed
>>> songs = pipe.generate(prompt="bwv66.6.mxl", beats=16, seed=3)     # 16-beat continuation

Modes (Dong et al., ICASSP 2023, section 4; :mod:`orchestrion.models.mmt.generate`):

- **unconditioned** (no ``instruments``, no ``prompt``): the model starts from start-of-song
  and chooses the instruments itself;
- **instrument-informed** (``instruments``): start-of-song, one instrument event per distinct
  instrument, start-of-notes; the model writes the notes. Instruments are General MIDI
  programs (0-127) or names: the ``mmt`` codec's 64 instrument names (``"piano"``,
  ``"violin"``, ``"english-horn"``, ...; spaces, ``_`` and ``-`` alike, any case) or General
  MIDI program names (``"Acoustic Grand Piano"``, ``"String Ensemble 1"``). Programs the
  codec merges play as the merged instrument (program 41 and 48 are ``viola`` and
  ``strings``); programs it drops (sound effects, percussive, drums) are an error;
- **continuation** (``prompt`` and ``beats=N``): the prompt piece's rows before beat ``N``
  (its instrument events and every note starting in beats ``0 .. N-1``), which the model
  extends. The output's first rows *are* the prompt's rows, so every note of the prompt
  before beat ``N`` is in the output unchanged (after the codec's own loss: resolution 12
  per quarter, binned durations, merged programs, velocity 64). As in the paper, the model
  may still add notes to the prompt's last sounding beat (the grammar lets a note's beat
  equal the previous one); notes before that beat are exactly the prompt's.

``restrict_instruments`` (default ``True`` in every mode): notes use only instruments
declared by instrument events, as in every encoded piece (the codec declares exactly the
instruments that play). So instrument-informed music holds only the requested instruments,
a continuation only the prompt's, and an unconditioned song only those it declared.
``False`` is the reference's decoding, where an untrained or weak model may give notes to
undeclared instruments.

Seeds: sample ``i`` (0-based) of a call with ``seed=s`` is generated alone with seed
``s + i``, so the same seed gives identical music, ``n`` does not change the earlier
samples, and ``seed=s + 1, n=1`` repeats the second sample of ``seed=s, n=2``. Without a
seed a fresh one is drawn per call and reported in :attr:`Sample.seed`.

Output: ``Music`` decoded by the checkpoint's codec: resolution 12, one tempo (the codec's
``qpm``, default 120), one track per instrument named after it (``"Violin"``,
``"English Horn"``), velocity 64.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from orchestrion.core.gm import PROGRAM_NAMES
from orchestrion.core.model import Music
from orchestrion.errors import CheckpointError, OrchestrionError

__all__ = ["DEFAULT_MODEL", "GenerationError", "MMTPipeline", "Sample", "generate",
           "output_paths", "parse_instruments"]

#: The model ``from_pretrained`` loads by default (shipped in ``orchestrion/assets/``).
DEFAULT_MODEL = "mmt-small"

_SOS, _INSTRUMENT, _SON, _NOTE, _EOS = 0, 1, 2, 3, 4


class GenerationError(OrchestrionError, ValueError):
    """A generation request that cannot be met: an unknown instrument, a prompt that does not
    fit the model, contradictory options. The message says what is allowed."""


@dataclass
class Sample:
    """One generated piece: the music, its ``(T, 6)`` events (start-of-song to end-of-song),
    the seed that gives it again, the mode and the seconds the model took."""

    music: Music
    tokens: np.ndarray = field(repr=False)
    seed: int
    mode: str
    seconds: float

    @property
    def n_events(self) -> int:
        """Rows of :attr:`tokens`, start-of-song and end-of-song included."""
        return len(self.tokens)

    @property
    def n_notes(self) -> int:
        """Notes of :attr:`music`."""
        return self.music.n_notes


def _key(name: str) -> str:
    """A name folded for matching: lower case, runs of other characters as one ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


_GM_KEYS: dict[str, int] = {}
for _program, _name in enumerate(PROGRAM_NAMES):
    _GM_KEYS.setdefault(_key(_name), _program)
    _GM_KEYS.setdefault(_key(re.sub(r"\s*\(.*\)", "", _name)), _program)  # "Violin", "Lead 1"


def _mmt_names(codec: Any) -> tuple[str, ...] | None:
    """The codec's instrument names (index ``k`` has code ``k + 1``), or ``None`` when it
    uses its own instrument map."""
    from orchestrion.representations.mmt import INSTRUMENT_NAMES

    return INSTRUMENT_NAMES if codec.config().get("instrument_map") is None else None


def _suggestions(codec: Any) -> str:
    names = _mmt_names(codec)
    common = ["piano", "violin", "viola", "cello", "contrabass", "flute", "oboe", "clarinet",
              "bassoon", "horn", "trumpet", "organ", "harpsichord", "voices", "strings"]
    known = [n for n in common if names and n in names] or ["0 (piano)", "40 (violin)"]
    return (f"known instruments include {', '.join(known)}; any of the codec's "
            f"{len(names) if names else codec.n_instruments} instrument names, a General MIDI "
            "name (\"Acoustic Grand Piano\") or a program number 0-127")


def parse_instruments(codec: Any, instruments: str | Iterable[int | str]) -> list[int]:
    """The codec's instrument codes (1-based, sorted, distinct) of ``instruments``: a
    comma-separated string (``"piano,violin,cello"``, ``"0,40"``) or an iterable of General
    MIDI programs and names (see the module docstring). ``GenerationError`` names an
    unknown instrument and lists some valid ones."""
    items: list[int | str] = (
        [part for part in (p.strip() for p in instruments.split(",")) if part]
        if isinstance(instruments, str) else list(instruments))
    if not items:
        raise GenerationError("no instruments given; " + _suggestions(codec))
    names = _mmt_names(codec)
    codes: set[int] = set()
    for item in items:
        label = repr(item)
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item)
        if isinstance(item, str):
            key = _key(item)
            if names is not None and key in names:
                codes.add(names.index(key) + 1)
                continue
            if key not in _GM_KEYS:
                raise GenerationError(f"unknown instrument {label}; {_suggestions(codec)}")
            program = _GM_KEYS[key]
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            program = int(item)
            if not 0 <= program <= 127:
                raise GenerationError(f"instrument program {program} is outside 0-127")
        else:
            raise GenerationError(f"an instrument is a program number or a name, not {label}")
        index = int(codec.program_index[program])
        if index < 0:
            raise GenerationError(f"instrument {label} (program {program}, "
                                  f"{PROGRAM_NAMES[program]}) is one the model does not "
                                  f"play; {_suggestions(codec)}")
        codes.add(index + 1)
    return sorted(codes)


def output_paths(path: str | os.PathLike[str], n: int) -> list[Path]:
    """Where ``n`` samples go: ``path`` itself for one, else ``path``'s stem with ``-1``,
    ``-2``, ... before its extension (``song.mid`` -> ``song-1.mid``; a double extension
    such as ``.json.gz`` is kept whole when the format registry knows it)."""
    path = Path(path)
    if n == 1:
        return [path]
    from orchestrion.io.registry import formats

    name = path.name
    known = sorted((e for f in formats() for e in f.extensions), key=len, reverse=True)
    ext = next((e for e in known if name.lower().endswith(e) and len(name) > len(e)),
               path.suffix)
    stem = name[: len(name) - len(ext)] if ext else name
    return [path.with_name(f"{stem}-{i}{name[len(stem):]}") for i in range(1, n + 1)]


def _check_device(device: str) -> None:
    """``GenerationError`` for a device string torch does not know or cannot use here."""
    import torch

    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError) as error:
        raise GenerationError(f"unknown device {device!r} ({error})") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise GenerationError(f"device {device!r}: torch sees no CUDA device here")


class MMTPipeline:
    """A Multitrack Music Transformer with its codec, ready to generate ``Music``.

    Build it with :meth:`from_pretrained` (a shipped name or a checkpoint folder) or from a
    model and codec already in memory. See the module docstring for the modes, seeds and the
    music returned.
    """

    def __init__(self, model: Any, codec: Any, *, name: str | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.model = model.eval()
        self.codec = codec
        self.name = name
        self.meta = dict(meta or {})

    @classmethod
    def from_pretrained(cls, name_or_dir: str | os.PathLike[str] = DEFAULT_MODEL, *,
                        device: str = "cpu") -> MMTPipeline:
        """Load a shipped model by name (default ``"mmt-small"``) or a checkpoint folder
        (``config.json`` + ``model.safetensors``) onto ``device``. ``CheckpointError`` when
        neither exists (it lists the shipped names) or the folder is not an MMT."""
        from orchestrion.models.checkpoint import load_checkpoint, shipped

        _check_device(device)
        try:
            checkpoint = load_checkpoint(name_or_dir, device=device)
        except CheckpointError:
            text = str(name_or_dir)
            if text == DEFAULT_MODEL and DEFAULT_MODEL not in shipped():
                names = ", ".join(shipped()) or "none"
                raise CheckpointError(
                    f"the default model {DEFAULT_MODEL!r} is not shipped with this orchestrion"
                    f" (shipped: {names}); pass a checkpoint folder instead (one that "
                    "'orchestrion train mmt --out DIR' writes)") from None
            raise
        if checkpoint.family != "mmt":
            raise CheckpointError(f"{checkpoint.path}: a {checkpoint.family!r} checkpoint, "
                                  "not an MMT ('mmt')")
        return cls(checkpoint.model, checkpoint.codec, name=str(name_or_dir),
                   meta=checkpoint.meta)

    def __repr__(self) -> str:
        return (f"MMTPipeline({self.name or 'in memory'}, "
                f"{self.model.num_parameters() / 1e6:.2f} M parameters, {self.device})")

    @property
    def device(self) -> Any:
        """The model's ``torch.device``."""
        return next(self.model.parameters()).device

    @property
    def max_events(self) -> int:
        """The most events a sample can have (the model's positions)."""
        return int(self.model.config.max_seq_len)

    # --- prompts ----------------------------------------------------------------------------
    def prompt(self, *, instruments: str | Iterable[int | str] | None = None,
               prompt: Music | str | os.PathLike[str] | None = None,
               beats: int | None = None) -> tuple[str, np.ndarray]:
        """``(mode, events)``: the mode's name (``"unconditioned"``, ``"instruments"`` or
        ``"continuation"``) and its prompt rows ``(T0, 6)``."""
        from orchestrion.models.mmt import continuation_prompt, unconditioned

        if prompt is None:
            if beats is not None:
                raise GenerationError("beats needs a prompt: it is how many beats of the "
                                      "prompt the model continues")
            if instruments is None:
                return "unconditioned", unconditioned(self.codec)
            codes = parse_instruments(self.codec, instruments)
            events = np.zeros((len(codes) + 2, 6), dtype=np.int64)
            events[1:-1, 0] = _INSTRUMENT
            events[1:-1, 5] = codes
            events[-1, 0] = _SON
            return "instruments", events
        if instruments is not None:
            raise GenerationError("give instruments or a prompt, not both (a continuation "
                                  "plays the prompt's instruments)")
        if beats is None:
            raise GenerationError("a prompt needs beats: the number of its beats to continue")
        beats = int(beats)
        max_beat = int(self.codec.vocabulary["beat"]) - 1
        if not 0 <= beats <= max_beat:
            raise GenerationError(f"beats must be 0-{max_beat} (the codec's beats), got "
                                  f"{beats}")
        if not isinstance(prompt, Music):
            import orchestrion

            prompt = orchestrion.read(prompt)
        events = continuation_prompt(self.codec, prompt, beats)
        if len(events) >= self.max_events:
            raise GenerationError(f"the prompt's first {beats} beats are {len(events)} events;"
                                  f" the model reads at most {self.max_events}: give fewer "
                                  "beats")
        return "continuation", events

    # --- generation -------------------------------------------------------------------------
    def sample(self, *, instruments: str | Iterable[int | str] | None = None,
               prompt: Music | str | os.PathLike[str] | None = None, beats: int | None = None,
               n: int = 1, seed: int | None = None, temperature: Any = 1.0,
               top_k: Any = None, top_p: Any = None, max_events: int | None = None,
               restrict_instruments: bool = True) -> list[Sample]:
        """Like :meth:`generate`, with each piece's events, seed and generation time."""
        from orchestrion.models.mmt import generate as generate_events
        from orchestrion.models.mmt import trim

        if int(n) < 1:
            raise GenerationError(f"n must be >= 1, got {n}")
        if max_events is not None and not 1 <= int(max_events) <= self.max_events:
            raise GenerationError(f"max_events must be 1-{self.max_events} (the model's "
                                  f"positions), got {max_events}")
        mode, events = self.prompt(instruments=instruments, prompt=prompt, beats=beats)
        if max_events is not None and int(max_events) <= len(events):
            raise GenerationError(f"max_events {max_events} leaves no room after the "
                                  f"{len(events)}-event prompt")
        base = secrets.randbelow(2**31) if seed is None else int(seed)
        samples = []
        for i in range(int(n)):
            started = time.perf_counter()
            try:
                out = generate_events(self.model, events, max_events=max_events,
                                      temperature=temperature, top_k=top_k, top_p=top_p,
                                      seed=base + i, restrict_instruments=restrict_instruments)
            except ValueError as error:  # per-field settings the sampler refuses
                raise GenerationError(str(error)) from None
            seconds = time.perf_counter() - started
            tokens = trim(out)[0]
            samples.append(Sample(self.decode(tokens), tokens, base + i, mode, seconds))
        return samples

    def generate(self, *, instruments: str | Iterable[int | str] | None = None,
                 prompt: Music | str | os.PathLike[str] | None = None,
                 beats: int | None = None, n: int = 1, seed: int | None = None,
                 temperature: Any = 1.0, top_k: Any = None, top_p: Any = None,
                 max_events: int | None = None,
                 restrict_instruments: bool = True) -> list[Music]:
        """Generate ``n`` pieces; the mode follows the arguments (module docstring).

        ``instruments``: programs or names, a list or ``"piano,violin"``. ``prompt``:
        ``Music`` or a music file, with ``beats``: how many of its beats to continue.
        ``temperature``, ``top_k``, ``top_p``: one value for every field, a ``{field:
        value}`` mapping or six values (:func:`orchestrion.models.mmt.generate`; default
        top-k is the paper's 10 % of each field's vocabulary). ``max_events``: the most
        events per piece (default the model's positions, 1024 for ``small``).
        """
        return [s.music for s in self.sample(
            instruments=instruments, prompt=prompt, beats=beats, n=n, seed=seed,
            temperature=temperature, top_k=top_k, top_p=top_p, max_events=max_events,
            restrict_instruments=restrict_instruments)]

    def decode(self, tokens: np.ndarray) -> Music:
        """``Music`` of one song's events, its tracks named after their instruments."""
        music = self.codec.decode(tokens)
        names = _mmt_names(self.codec)
        for track in music.tracks:
            index = int(self.codec.program_index[track.program])
            if names is not None and index >= 0:
                track.name = " ".join(w.capitalize() for w in names[index].split("-"))
            else:
                track.name = PROGRAM_NAMES[track.program]
        return music


def generate(model: str | os.PathLike[str] = DEFAULT_MODEL, *, device: str = "cpu",
             instruments: str | Iterable[int | str] | None = None,
             prompt: Music | str | os.PathLike[str] | None = None, beats: int | None = None,
             n: int = 1, seed: int | None = None, temperature: Any = 1.0, top_k: Any = None,
             top_p: Any = None, max_events: int | None = None) -> list[Music]:
    """Load ``model`` (a shipped name or a checkpoint folder) and generate ``n`` pieces: the
    one-call form of ``MMTPipeline.from_pretrained(model).generate(...)``."""
    pipeline = MMTPipeline.from_pretrained(model, device=device)
    return pipeline.generate(instruments=instruments, prompt=prompt, beats=beats, n=n,
                             seed=seed, temperature=temperature, top_k=top_k, top_p=top_p,
                             max_events=max_events)
