"""Inference facades: load a checkpoint by name or folder, take ``Music`` in, give ``Music`` out.

- :class:`MMTPipeline` (``mmt.py``): the Multitrack Music Transformer's three generation modes
  (unconditioned, instrument-informed, N-beat continuation) from a checkpoint;
  :func:`generate` is the one-call form.
- :class:`Arranger` (``arranger.py``): automatic instrumentation with a trained model or a
  baseline; :func:`arrange` is the one-call form, :func:`evaluate` scores a method on a
  data set's split.

Pipelines are not ``nn.Module`` s; they hold a model, its codec and the decoding settings.
Importing this package is light; the pipeline classes import ``torch`` when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrion.pipelines.arranger import Arranger, arrange, evaluate
    from orchestrion.pipelines.mmt import MMTPipeline, Sample, generate

__all__ = ["Arranger", "MMTPipeline", "Sample", "arrange", "evaluate", "generate"]
_ARRANGER = ("Arranger", "arrange", "evaluate")


def __getattr__(name: str) -> Any:
    if name in _ARRANGER:
        from orchestrion.pipelines import arranger

        return getattr(arranger, name)
    if name in __all__:
        from orchestrion.pipelines import mmt

        return getattr(mmt, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
