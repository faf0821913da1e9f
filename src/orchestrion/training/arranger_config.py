"""Training configuration of the automatic-instrumentation models: :class:`ArrangerTrainConfig`.

The recipe of Dong et al. (ISMIR 2021, arXiv 2107.05916; ``../shared/REFERENCES.md`` §3):
batches of 16 random crops of 500 consecutive notes, each transposed by a uniform shift in
``-5 .. +6`` semitones (clipped to what the piece allows), Adam at ``1e-3`` with a constant
rate, early stopping on the validation loss, validation on the first 2,000 notes of every
validation piece. Two presets:

=====================  ===================================  ==========================
field                  ``paper``                            ``debug``
=====================  ===================================  ==========================
model                  ``ArrangerConfig.preset(kind)``      ``ArrangerConfig.debug``
batch_size / crop      16 / 500 notes                       4 / 64 notes
lr                     1e-3 (constant)                      3e-3
max_steps              4,000                                60
val_every (steps)      40 (~2 epochs of the Bach chorales)  10
patience               10 validations                       0 (never stop early)
=====================  ===================================  ==========================

The paper waits 5 epochs without improvement; with validation every ~2 epochs, 10
validations is about twice that, a little more patient because a CPU run validates on the
val_loss of only 41 chorales, which is noisy.

Parts (the labels): ``parts``/``programs``/``assign`` configure the ``parts`` codec
(:mod:`orchestrion.representations.parts`); left ``None`` they come from the data set's
scheme (:func:`part_scheme`): the chorales' Soprano/Alto/Tenor/Bass as flute, oboe,
bassoon, clarinet; the quartets' Violin I/II, Viola, Violoncello; NES-MDB's pulse 1,
pulse 2, triangle, noise by track order; Lakh MIDI's piano, guitar, bass, strings and brass
by General MIDI family (the paper's five); any other data set: its first four tracks.

This module imports neither torch nor Lightning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestrion.models.arranger.config import KINDS, ONLINE_KINDS
from orchestrion.training.config import RunConfigMethods, TrainingError

__all__ = ["ARRANGER_PRESETS", "ArrangerTrainConfig", "part_scheme"]

SIZES = ("paper", "debug")

#: Data set name -> (part names, GM programs 0-127, assign rule). See the module docstring.
_SCHEMES: dict[str, tuple[tuple[str, ...], tuple[int, ...], str]] = {
    "bach-chorales": (("Soprano", "Alto", "Tenor", "Bass"), (73, 68, 70, 71), "name"),
    "string-quartets": (("Violin I", "Violin II", "Viola", "Violoncello"), (40, 40, 41, 42),
                        "name"),
    "nes": (("Pulse 1", "Pulse 2", "Triangle", "Noise"), (80, 80, 38, 127), "order"),
    "lmd": (("Piano", "Guitar", "Bass", "Strings", "Brass"), (0, 25, 33, 48, 61), "family"),
}
_DEFAULT_SCHEME = (("Part 1", "Part 2", "Part 3", "Part 4"), (0, 0, 0, 0), "order")


def part_scheme(dataset: str) -> dict[str, Any]:
    """``{"parts", "programs", "assign"}`` of the ``parts`` codec for ``dataset`` (a name or
    a folder): the chorales and quartets by part name, NES by track order, every Lakh MIDI
    variant (``lmd-*``) by GM family, anything else by the order of its first four tracks."""
    name = str(dataset)
    key = "lmd" if name.startswith("lmd") else name
    parts, programs, assign = _SCHEMES.get(key, _DEFAULT_SCHEME)
    return {"parts": list(parts), "programs": list(programs), "assign": assign}


@dataclass(frozen=True)
class ArrangerTrainConfig(RunConfigMethods):
    """What an arranger training run does (module docstring for the presets).

    Model: ``kind`` (``lstm`` online, ``bilstm`` offline, ``transformer`` online,
    ``bitransformer`` offline), ``size`` (``paper`` or ``debug``) and ``model``, overrides of
    :class:`~orchestrion.models.arranger.ArrangerConfig` (``use_duration``,
    ``entry_hints``, ``pitch_hints``, ``hidden``, ``dropout``, ...).

    Data: ``parts``, ``programs``, ``assign`` (the labels; ``None``: the data set's scheme,
    :func:`part_scheme`), ``resolution`` (ticks per quarter), ``crop`` notes per training
    sequence, ``val_notes`` (the first notes of each validation piece that are scored),
    ``min_notes`` (shorter pieces are skipped), ``transpose`` (``(low, high)`` semitones or
    ``None``), ``splits``.

    Optimisation and hardware: as :class:`~orchestrion.training.TrainConfig` (``batch_size``,
    ``lr``, ``max_steps``, ``grad_clip``, ``seed``, ``val_every``, ``val_batches``,
    ``patience``, ``accelerator``, ``devices``, ``num_nodes``, ``strategy``, ``precision``,
    ``num_workers``, ``logger``, ``log_every``, ``progress``); the learning rate is constant.
    """

    kind: str = "bilstm"
    size: str = "paper"
    model: dict[str, Any] = field(default_factory=dict)
    parts: tuple[str, ...] | None = None
    programs: tuple[int, ...] | None = None
    assign: str | None = None
    resolution: int = 24
    crop: int = 500
    val_notes: int = 2000
    min_notes: int = 2
    transpose: tuple[int, int] | None = (-5, 6)
    splits: str = "0.8,0.1,0.1"
    batch_size: int = 16
    lr: float = 1e-3
    max_steps: int = 4000
    grad_clip: float = 1.0
    seed: int = 0
    val_every: int = 40
    val_batches: int | None = None
    patience: int = 10
    log_every: int = 10

    _POSITIVE = ("resolution", "crop", "val_notes", "batch_size", "max_steps", "val_every",
                 "devices", "num_nodes", "log_every")
    _NON_NEGATIVE = ("min_notes", "patience", "num_workers", "seed")
    _OPTIONAL = ("val_batches",)
    _MODEL = "ArrangerConfig"

    def __post_init__(self) -> None:
        for name in ("parts", "programs"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, str) or not hasattr(value, "__iter__"):
                    raise TrainingError(f"training config: {name} must be a list or null, "
                                        f"got {value!r}")
                object.__setattr__(self, name, tuple(value))
        super().__post_init__()

    def _validate_family(self, bad: Callable[[str, str], TrainingError]) -> None:
        if self.kind not in KINDS:
            raise bad("kind", f"must be one of {', '.join(KINDS)}")
        if self.size not in SIZES:
            raise bad("size", f"must be one of {', '.join(SIZES)}")
        if self.assign is not None and self.assign not in ("name", "order", "family"):
            raise bad("assign", "must be name, order, family or null")
        if self.parts is not None and len(self.parts) < 2:
            raise bad("parts", "must name at least two parts")
        if self.programs is not None and (self.parts is None
                                          or len(self.programs) != len(self.parts)):
            raise bad("programs", "needs parts, and one program per part")

    @property
    def online(self) -> bool:
        """Whether the model sees only the notes before each note (``lstm``, ``transformer``)."""
        return self.kind in ONLINE_KINDS

    def scheme(self, dataset: str) -> dict[str, Any]:
        """The ``parts`` codec config for ``dataset``: the data set's scheme with this
        config's ``parts``/``programs``/``assign`` where given (programs default to 0)."""
        scheme = part_scheme(dataset)
        if self.parts is not None:
            scheme["parts"] = list(self.parts)
            scheme["programs"] = list(self.programs) if self.programs is not None \
                else [0] * len(self.parts)
        if self.assign is not None:
            scheme["assign"] = self.assign
        return scheme

    def codec(self, dataset: str) -> Any:
        """The ``parts`` codec of the labels of ``dataset`` at ``resolution``."""
        from orchestrion.representations.parts import PartsRepresentation
        return PartsRepresentation(self.resolution, **self.scheme(dataset))


#: The presets, as overrides of :class:`ArrangerTrainConfig`'s defaults.
ARRANGER_PRESETS: dict[str, dict[str, Any]] = {
    "paper": {},
    "debug": {"size": "debug", "batch_size": 4, "crop": 64, "val_notes": 256, "lr": 3e-3,
              "max_steps": 60, "val_every": 10, "patience": 0, "log_every": 5},
}
ArrangerTrainConfig.PRESETS = ARRANGER_PRESETS
