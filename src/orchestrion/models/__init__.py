"""Generative models, one subpackage per family (``config.py`` + ``model.py``).

- :mod:`orchestrion.models.mmt`: the Multitrack Music Transformer (Dong et al., ICASSP 2023).

Nothing here is imported by ``import orchestrion``; the families import ``torch``.
"""

from __future__ import annotations

__all__: list[str] = []
