"""Pictures of music: piano rolls (matplotlib) and engraved scores (verovio).

Importing this package loads neither matplotlib nor verovio; each function imports what it
needs when called and, when it is missing, raises :class:`~orchestrion.errors.FormatError`
saying ``pip install 'orchestrion[viz]'``. docs/viz.md describes the pictures.
"""

from orchestrion.viz.pianoroll import plot_pianoroll, render_pianoroll, save_pianoroll
from orchestrion.viz.score import render_score, score_svgs

__all__ = ["plot_pianoroll", "render_pianoroll", "render_score", "save_pianoroll",
           "score_svgs"]
