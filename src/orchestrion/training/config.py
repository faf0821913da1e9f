"""Training configuration: :class:`TrainConfig`, its presets and config files.

A :class:`TrainConfig` says everything a training run needs besides the data set and the
output folder: the model size (and :class:`~orchestrion.models.mmt.MMTConfig` overrides),
the codec, the data pipeline, the optimiser and its schedule, validation and early stopping,
and the hardware. Three presets:

=====================  ==============  ================  ======================
field                  ``debug``       ``small`` (CPU)   ``paper`` (the paper)
=====================  ==============  ================  ======================
model size             debug           small             paper
batch_size             4               8                 8
max_seq_len (events)   128             512               1024
beat_window (beats)    32              256               256
lr                     1e-3            5e-4              5e-4
warmup (steps)         10              500               5,000
decay_steps            200             10,000            100,000
max_steps              200             15,000            200,000
val_every (steps)      20              250               1,000
patience (validations) 5               10                20
min_notes / min_beats  8 / 4           50 / 16           50 / 40
=====================  ==============  ================  ======================

Common to all: Adam, linear warm-up from ``lr / warmup`` to ``lr``, then linear decay to
``final_lr * lr`` at ``decay_steps``, constant after (the reference's schedule; see
:func:`lr_multiplier`); gradients clipped to norm 1.0; transposition by a uniform shift in
``-5 .. +6`` semitones clipped to what the window allows; the ``mmt`` codec at 12 ticks per
quarter with a beat vocabulary of 256 beats.

The ``small`` preset halves the sequence length of the paper (512 events; a 256-beat window
of a four-part chorale holds ~500 to 900 notes, so most windows are cut) and scales the
schedule down by 10x (warm-up 500, decay to 0.1x at 10k steps, at most 15k), since a CPU
runs it at ~0.2 to 1 step/s (measured 0.19 steps/s with 2 busy cores; docs/training.md).

A config file (YAML or JSON) is a mapping of fields; ``preset: NAME`` (default ``paper``)
names the preset it starts from::

    preset: small
    batch_size: 16
    model: {nested: true, dropout: 0.1}
    transpose: [-3, 3]

This module imports neither torch nor Lightning.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from orchestrion.errors import OrchestrionError

if TYPE_CHECKING:
    from orchestrion.representations.mmt import MMT

__all__ = ["PRESETS", "SIZES", "TrainConfig", "TrainingError", "load_config", "lr_multiplier",
           "resolve_config"]

SIZES = ("debug", "small", "paper")
ACCELERATORS = ("auto", "cpu", "gpu", "cuda", "mps")
LOGGERS = ("csv", "tensorboard")
#: Events per training sequence of each size when ``max_seq_len`` is not given.
DEFAULT_SEQ_LEN = {"debug": 128, "small": 512, "paper": 1024}


class TrainingError(OrchestrionError, ValueError):
    """A bad training configuration or option (the message names the field)."""


def lr_multiplier(step: int, warmup: int, decay_steps: int, final: float) -> float:
    """The learning-rate factor at optimiser step ``step`` (0-based), the reference's::

        (step + 1) / warmup                                  step < warmup
        1 - (1 - final) * (step - warmup) / (decay - warmup)  warmup <= step <= decay
        final                                                step > decay

    so the rate rises linearly to ``lr`` over ``warmup`` steps, falls linearly to ``final *
    lr`` at ``decay_steps`` and stays there.
    """
    if step < warmup:
        return (step + 1) / warmup
    if step > decay_steps or decay_steps <= warmup:
        return final
    return 1.0 - (1.0 - final) * (step - warmup) / (decay_steps - warmup)


@dataclass(frozen=True)
class RunConfigMethods:
    """What every training config shares: the hardware fields (``accelerator``,
    ``devices``, ``num_nodes``, ``strategy``, ``precision``, ``num_workers``, ``logger``,
    ``progress``; :func:`~orchestrion.training.trainer.build_trainer` reads them), validation
    of the common fields, presets, ``replace``, ``to_dict``/``from_dict``. A family's config
    is a frozen dataclass deriving from it with the fields ``model``, ``transpose``,
    ``splits``, ``lr``, ``grad_clip``, ``batch_size``, ``max_steps``, ``val_every``,
    ``val_batches``, ``patience``, ``seed``, ``log_every``; it lists its integer fields in
    ``_POSITIVE``, ``_NON_NEGATIVE`` and ``_OPTIONAL``, and its own rules go in
    ``_validate_family``."""

    accelerator: str = "auto"
    devices: int = 1
    num_nodes: int = 1
    strategy: str = "auto"
    precision: str = "auto"
    num_workers: int = 0
    logger: str = "csv"
    progress: bool = True

    _POSITIVE: ClassVar[tuple[str, ...]] = ()
    _NON_NEGATIVE: ClassVar[tuple[str, ...]] = ()
    _OPTIONAL: ClassVar[tuple[str, ...]] = ()
    _MODEL: ClassVar[str] = "model config"
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}

    def __post_init__(self) -> None:
        transpose = getattr(self, "transpose", None)
        if transpose is not None:
            try:
                low, high = (int(x) for x in transpose)
            except (TypeError, ValueError):
                raise TrainingError(f"transpose must be [low, high] or null, got "
                                    f"{transpose!r}") from None
            object.__setattr__(self, "transpose", (low, high))
        model = getattr(self, "model", {})
        object.__setattr__(self, "model", dict(model) if isinstance(model, dict) else model)
        self._validate()

    def _validate(self) -> None:
        def bad(name: str, why: str) -> TrainingError:
            return TrainingError(f"training config: {name} {why}, got {getattr(self, name)!r}")

        for name in self._POSITIVE:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise bad(name, "must be an integer >= 1")
        for name in self._NON_NEGATIVE:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad(name, "must be an integer >= 0")
        for name in self._OPTIONAL:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise bad(name, "must be an integer >= 1 or null")
        self._validate_family(bad)
        lr, clip = self.lr, self.grad_clip
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise bad("lr", "must be a number > 0")
        if not (isinstance(clip, (int, float)) and clip >= 0):
            raise bad("grad_clip", "must be a number >= 0")
        transpose = self.transpose
        if transpose is not None and transpose[0] > transpose[1]:
            raise bad("transpose", "needs low <= high")
        if self.accelerator not in ACCELERATORS:
            raise bad("accelerator", f"must be one of {', '.join(ACCELERATORS)}")
        if self.logger not in LOGGERS:
            raise bad("logger", f"must be one of {', '.join(LOGGERS)}")
        if not isinstance(self.model, dict):
            raise bad("model", f"must be a mapping of {self._MODEL} fields")
        from orchestrion.datasets.splits import parse_fractions
        try:
            names = parse_fractions(self.splits)
        except ValueError as error:
            raise bad("splits", f"is wrong ({error})") from None
        if not {"train", "valid"} <= set(names):
            raise bad("splits", "must have a train and a valid split (e.g. 0.8,0.1,0.1 or "
                                "train=0.9,valid=0.1)")

    def _validate_family(self, bad: Callable[[str, str], TrainingError]) -> None:
        """Rules of one family's fields (``bad(name, why)`` builds the error)."""

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def preset(cls: type[_C], name: str, **overrides: Any) -> _C:
        """The preset ``name`` (a key of ``PRESETS``) with ``overrides``."""
        if name not in cls.PRESETS:
            raise TrainingError(f"no training preset {name!r}; the presets are: "
                                f"{', '.join(cls.PRESETS)} (or a .yaml/.json file)")
        return cls.from_dict({**cls.PRESETS[name], **overrides})

    def replace(self: _C, **overrides: Any) -> _C:
        """A copy with ``overrides`` (``None`` values are ignored), validated."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        return type(self).from_dict({**self.to_dict(), **changes})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (lists for tuples) that :meth:`from_dict` turns back."""
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        for name, value in data.items():
            if isinstance(value, tuple):
                data[name] = list(value)
        return data

    @classmethod
    def from_dict(cls: type[_C], data: dict[str, Any]) -> _C:
        """Build from a mapping of fields; unknown fields are a :class:`TrainingError`."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise TrainingError(f"training config: unknown field(s) {', '.join(unknown)}; "
                                f"the fields are: {', '.join(sorted(names))}")
        data = dict(data)
        for name in ("lr", "final_lr", "grad_clip"):  # YAML reads 5e-4 as a string
            if isinstance(data.get(name), str):
                try:
                    data[name] = float(data[name])
                except ValueError:
                    raise TrainingError(f"training config: {name} must be a number, got "
                                        f"{data[name]!r}") from None
        try:
            return cls(**data)
        except TypeError as error:
            raise TrainingError(f"training config: {error}") from None


_C = TypeVar("_C", bound=RunConfigMethods)


@dataclass(frozen=True)
class TrainConfig(RunConfigMethods):
    """What a training run does (module docstring for the presets).

    Model: ``size`` (``debug``, ``small``, ``paper``) and ``model``, overrides of
    :class:`~orchestrion.models.mmt.MMTConfig` (``nested``, ``dropout``, ``mask_loss``, ...).

    Codec and data: ``resolution`` (ticks per quarter) and ``max_beat`` (the beat vocabulary)
    of the model's ``mmt`` codec; ``max_seq_len`` events per sequence (``None``: the size's,
    :data:`DEFAULT_SEQ_LEN`); ``beat_window`` beats per training window (<= ``max_beat``);
    ``max_piece_beats``: pieces are stored up to this beat (later notes are dropped);
    ``min_notes`` and ``min_beats``: a piece with fewer notes, or whose notes span fewer
    beats (last note's beat - first note's beat + 1), is skipped; ``transpose``: ``(low,
    high)`` semitones of the random shift, ``None`` for none; ``splits``: the fractions of
    train, valid, test.

    Optimisation: ``batch_size``, ``lr``, ``warmup``, ``decay_steps``, ``final_lr`` (the
    factor reached at ``decay_steps``, :func:`lr_multiplier`), ``max_steps``, ``grad_clip``
    (max gradient norm; 0 for none), ``seed``.

    Validation: every ``val_every`` steps on at most ``val_batches`` batches (``None``: all);
    early stopping after ``patience`` validations without improvement (0: never).

    Hardware: ``accelerator`` (``auto``, ``cpu``, ``gpu``), ``devices`` (per node),
    ``num_nodes``, ``strategy`` (``auto``: ``ddp`` when more than one device),
    ``precision`` (``auto``: ``bf16-mixed`` on a GPU that has bf16, else ``32-true``),
    ``num_workers`` (data loader processes). Logging: ``logger`` (``csv`` or
    ``tensorboard``), ``log_every`` steps, ``progress`` (a progress bar).
    """

    size: str = "paper"
    model: dict[str, Any] = field(default_factory=dict)
    resolution: int = 12
    max_beat: int = 256
    max_seq_len: int | None = None
    beat_window: int = 256
    max_piece_beats: int = 8192
    min_notes: int = 50
    min_beats: int = 40
    transpose: tuple[int, int] | None = (-5, 6)
    splits: str = "0.8,0.1,0.1"
    batch_size: int = 8
    lr: float = 5e-4
    warmup: int = 5000
    decay_steps: int = 100_000
    final_lr: float = 0.1
    max_steps: int = 200_000
    grad_clip: float = 1.0
    seed: int = 0
    val_every: int = 1000
    val_batches: int | None = None
    patience: int = 20
    log_every: int = 50

    #: Fields checked by :meth:`RunConfigMethods._validate` (integers >= 1, integers >= 0,
    #: integers >= 1 or None).
    _POSITIVE = ("resolution", "max_beat", "beat_window", "max_piece_beats", "batch_size",
                 "max_steps", "val_every", "devices", "num_nodes", "log_every")
    _NON_NEGATIVE = ("min_notes", "min_beats", "warmup", "decay_steps", "patience",
                     "num_workers", "seed")
    _OPTIONAL = ("max_seq_len", "val_batches")
    _MODEL = "MMTConfig"
    def _validate_family(self, bad: Callable[[str, str], TrainingError]) -> None:
        if self.size not in SIZES:
            raise bad("size", f"must be one of {', '.join(SIZES)}")
        if self.max_seq_len is not None and self.max_seq_len < 4:
            raise bad("max_seq_len", "must be >= 4 (SOS, an instrument, SON, EOS)")
        if self.beat_window > self.max_beat:
            raise bad("beat_window", f"must be <= max_beat ({self.max_beat})")
        if self.max_piece_beats < self.beat_window:
            raise bad("max_piece_beats", f"must be >= beat_window ({self.beat_window})")
        if not (isinstance(self.final_lr, (int, float)) and 0 <= self.final_lr <= 1):
            raise bad("final_lr", "must be a factor in [0, 1]")

    # --- derived ----------------------------------------------------------------------------
    @property
    def seq_len(self) -> int:
        """Events per training sequence: ``max_seq_len`` or the size's default."""
        return self.max_seq_len or DEFAULT_SEQ_LEN[self.size]

    def codec(self) -> MMT:
        """The model's codec: ``mmt`` at ``resolution`` with ``max_beat`` beats and
        ``seq_len`` events (what generation decodes with)."""
        from orchestrion.representations.mmt import MMT
        return MMT(resolution=self.resolution, max_beat=self.max_beat,
                   max_events=self.seq_len)

    def storage_codec(self) -> MMT:
        """The codec of the training shards: whole pieces (no event limit) up to
        ``max_piece_beats`` beats, from which the windows are cut."""
        from orchestrion.representations.mmt import MMT
        return MMT(resolution=self.resolution, max_beat=self.max_piece_beats, max_events=None)


#: The presets, as overrides of :class:`TrainConfig`'s defaults (the paper's).
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {},
    "small": {"size": "small", "max_seq_len": 512, "warmup": 500, "decay_steps": 10_000,
              "max_steps": 15_000, "val_every": 250, "patience": 10, "min_beats": 16},
    "debug": {"size": "debug", "batch_size": 4, "max_seq_len": 128, "beat_window": 32,
              "lr": 1e-3, "warmup": 10, "decay_steps": 200, "max_steps": 200, "val_every": 20,
              "patience": 5, "min_notes": 8, "min_beats": 4, "log_every": 5},
}
TrainConfig.PRESETS = PRESETS


def load_config(path: str | os.PathLike[str], cls: type[_C] = TrainConfig  # type: ignore[assignment]
                ) -> _C:
    """Read a config file (``.yaml``/``.yml`` or ``.json``): a mapping of fields of ``cls``
    (:class:`TrainConfig` by default), starting from the preset named by ``preset`` (default
    ``paper``)."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TrainingError(f"{path}: cannot read the config ({error.strerror})") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml
            data = yaml.safe_load(text)
    except Exception as error:  # json.JSONDecodeError, yaml.YAMLError
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise TrainingError(f"{path}: not valid {kind} ({' '.join(str(error).split())})"
                            ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TrainingError(f"{path}: a config file must be a mapping of fields")
    data = dict(data)
    preset = data.pop("preset", "paper")
    try:
        return cls.preset(str(preset), **data)
    except TrainingError as error:
        raise TrainingError(f"{path}: {error}") from None


def resolve_config(spec: str | os.PathLike[str] | RunConfigMethods | None,
                   cls: type[_C] = TrainConfig,  # type: ignore[assignment]
                   default: str = "small") -> _C:
    """A config of class ``cls`` (:class:`TrainConfig` by default) from a preset name, a
    config file, or a config (as is); ``None`` gives the preset ``default``."""
    if isinstance(spec, cls):
        return spec
    if isinstance(spec, RunConfigMethods):
        raise TrainingError(f"a {type(spec).__name__} where a {cls.__name__} is needed")
    if spec is None:
        return cls.preset(default)
    text = str(spec)
    if text in cls.PRESETS:
        return cls.preset(text)
    if Path(text).suffix.lower() in (".yaml", ".yml", ".json") or Path(text).exists():
        return load_config(text, cls)
    raise TrainingError(f"--config {text!r}: not a preset ({', '.join(cls.PRESETS)}) nor a "
                        f".yaml/.json file")
