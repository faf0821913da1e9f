"""Self-describing checkpoints: a folder with ``config.json`` and ``model.safetensors``.

``config.json`` holds everything needed to rebuild the model and its codec without the code
that trained it::

    {"format": 1,
     "family": "mmt",                      # a key of FAMILIES (mmt, arranger)
     "config": {...},                      # the family's config (to_dict)
     "codec": {"class", "version", "config"},   # Representation.save's content
     "versions": {"orchestrion": ..., "torch": ..., "safetensors": ...},
     "training": {...}}                    # free-form: command, data set, steps, losses

``model.safetensors`` holds the weights (float32 unless saved otherwise). A checkpoint is
written into a hidden sibling folder and renamed into place, so a folder under the final
name is always complete. Models shipped with orchestrion live in ``orchestrion/assets/<name>/``
and are found by name (:func:`resolve`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrion.errors import CheckpointError

__all__ = ["CONFIG_FILE", "FAMILIES", "FORMAT", "WEIGHTS_FILE", "Checkpoint", "assets_folder",
           "load_checkpoint", "resolve", "save_checkpoint", "shipped"]

FORMAT = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"

#: family -> (module, config class, model class).
FAMILIES: dict[str, tuple[str, str, str]] = {
    "mmt": ("orchestrion.models.mmt", "MMTConfig", "MultitrackMusicTransformer"),
    "arranger": ("orchestrion.models.arranger", "ArrangerConfig", "ArrangerModel"),
}


@dataclass
class Checkpoint:
    """A loaded checkpoint: the model (in eval mode), its config and codec, and metadata."""

    path: Path
    family: str
    model: Any
    config: Any
    codec: Any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def training(self) -> dict[str, Any]:
        """What ``config.json`` says of the training (command, data, losses)."""
        return dict(self.meta.get("training", {}))


def assets_folder() -> Path:
    """The folder of the checkpoints shipped with orchestrion."""
    return Path(__file__).resolve().parent.parent / "assets"


def shipped() -> list[str]:
    """Names of the shipped checkpoints (folders of ``assets/`` holding a config)."""
    folder = assets_folder()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / CONFIG_FILE).is_file())


def resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """A checkpoint folder: an existing folder as given, else a shipped name.

    Raises ``CheckpointError`` listing the shipped names when neither.
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / CONFIG_FILE).is_file():
            raise CheckpointError(f"{path}: not a checkpoint (no {CONFIG_FILE})")
        return path
    candidate = assets_folder() / str(name_or_path)
    if str(name_or_path) in shipped():
        return candidate
    names = ", ".join(shipped()) or "none"
    raise CheckpointError(f"no checkpoint folder or shipped model called {str(name_or_path)!r}"
                          f" (shipped: {names})")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("orchestrion", "torch", "safetensors"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found


def save_checkpoint(folder: str | os.PathLike[str], model: Any, *, family: str, config: Any,
                    codec: Any, training: dict[str, Any] | None = None) -> Path:
    """Write ``model`` (its ``state_dict``), ``config`` and ``codec`` as a checkpoint folder,
    replacing one already there as a whole; return the folder."""
    from safetensors.torch import save_file

    if family not in FAMILIES:
        raise CheckpointError(f"unknown model family {family!r}; known: {', '.join(FAMILIES)}")
    folder = Path(folder).expanduser()
    folder.parent.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "family": family, "config": config.to_dict(),
            "codec": {"class": codec.name, "version": codec.version, "config": codec.config()},
            "versions": _versions(), "training": training or {}}
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(partial / WEIGHTS_FILE), metadata={"family": family})
        (partial / CONFIG_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        for path in partial.iterdir():
            os.chmod(path, 0o644)
        os.chmod(partial, 0o755)
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def load_checkpoint(name_or_path: str | os.PathLike[str], *, device: str = "cpu"
                    ) -> Checkpoint:
    """Load a checkpoint folder (or a shipped model by name): the model in eval mode on
    ``device``, its config and its codec. Clear ``CheckpointError`` for a missing file, an
    unknown family, a newer format or weights that do not fit the config."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from orchestrion.representations.base import _from_saved

    path = resolve(name_or_path)
    try:
        meta = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{path / CONFIG_FILE}: unreadable ({error})") from None
    if not isinstance(meta, dict) or meta.get("format", 0) > FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {meta.get('format')!r} is newer than "
                              f"this orchestrion reads ({FORMAT}); upgrade orchestrion")
    family = meta.get("family")
    if family not in FAMILIES:
        raise CheckpointError(f"{path}: unknown model family {family!r}")
    module_name, config_name, model_name = FAMILIES[family]
    module = importlib.import_module(module_name)
    try:
        config = getattr(module, config_name).from_dict(meta["config"])
        codec = _from_saved(meta["codec"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path / CONFIG_FILE}: bad config ({error})") from None
    model = getattr(module, model_name)(config)
    try:
        state = load_file(str(path / WEIGHTS_FILE), device=device)
    except (OSError, SafetensorError) as error:
        raise CheckpointError(f"{path / WEIGHTS_FILE}: unreadable ({error})") from None
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        first = str(error).splitlines()[0]
        raise CheckpointError(f"{path}: the weights do not fit the config ({first})") from None
    model.to(device).eval()
    return Checkpoint(path=path, family=family, model=model, config=config, codec=codec,
                      meta=meta)
