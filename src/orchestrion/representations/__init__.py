"""Codecs between ``Music`` and integer arrays for machine learning.

One module per codec; each is imported only when asked for::

    from orchestrion import representations
    codec = representations.get("note", resolution=12)
    array = codec.encode(music)
    music = codec.decode(array)

Names: ``pitch``, ``event``, ``note``, ``pianoroll`` (MusPy's four, with its bugs fixed),
``mmt`` (multitrack 6-field tuples), ``remi`` and ``parts`` (part-labelled notes for
automatic instrumentation). See ``docs/representations.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

from orchestrion.representations.base import REGISTRY, Representation, load, register

__all__ = ["NAMES", "Representation", "codec_class", "get", "load", "register"]

#: Registered name -> module that defines it (imported lazily by :func:`get`).
_MODULES = {
    "pitch": "orchestrion.representations.pitch",
    "event": "orchestrion.representations.event",
    "note": "orchestrion.representations.note",
    "pianoroll": "orchestrion.representations.pianoroll",
    "mmt": "orchestrion.representations.mmt",
    "remi": "orchestrion.representations.remi",
    "parts": "orchestrion.representations.parts",
}
NAMES = tuple(_MODULES)


def codec_class(name: str) -> type[Representation]:
    """The codec class registered as ``name`` (importing its module on first use)."""
    if name not in REGISTRY and name in _MODULES:
        importlib.import_module(_MODULES[name])
    if name not in REGISTRY:
        known = sorted(set(_MODULES) | set(REGISTRY))
        raise ValueError(f"unknown representation {name!r}; known: {', '.join(known)}")
    return REGISTRY[name]


def get(name: str, **config: Any) -> Representation:
    """A codec by registered name, built with ``config`` (e.g. ``resolution=12``)."""
    return codec_class(name)(**config)
