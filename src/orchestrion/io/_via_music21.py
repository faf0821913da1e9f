"""The last steps shared by the readers that parse through music21 (ABC, Humdrum kern): expand
repeats, convert with :func:`~orchestrion.io.interop.from_music21`, and keep the measure
starts of the first part as ``music.barlines``."""

from __future__ import annotations

import math
import os
import warnings
from fractions import Fraction
from typing import Any

from orchestrion.core.model import Barline, Music
from orchestrion.errors import FormatError


def has_repeat_marks(score: Any) -> bool:
    """Whether ``score`` has anything ``expandRepeats`` would act on (repeat barlines, volta
    brackets, D.C./D.S./segno/coda/fine). music21 copies the whole score to expand it, even
    when there is nothing to expand: checking first saves that copy."""
    from music21 import bar, repeat, spanner

    marks = (bar.Repeat, spanner.RepeatBracket, repeat.RepeatExpression,
             repeat.RepeatExpressionCommand)
    return score.recurse().getElementsByClass(marks).first() is not None


def to_music(score: Any, path: str | os.PathLike[str] | None, what: str,
             expand_repeats: bool) -> Music:
    """Convert a parsed music21 ``score``; ``what`` names it in messages ("tune X:3")."""
    from music21 import repeat, stream

    from orchestrion.core import ops
    from orchestrion.io.interop._music21 import MAX_RESOLUTION, _least_resolution, from_music21

    if expand_repeats and has_repeat_marks(score):
        try:
            score = score.expandRepeats()
        except (repeat.ExpanderException, stream.StreamException) as error:
            # Read what is written rather than fail: the notes are all there, once.
            warnings.warn(f"{path or 'data'}: {what}repeats not expanded ({error}); read as "
                          "written", UserWarning, stacklevel=4)
    parts = list(score.parts)
    bars = sorted({Fraction(m.offset) for m in parts[0].getElementsByClass(stream.Measure)}) \
        if parts else []
    try:
        music = from_music21(score, expand_repeats=False)
    except Exception as error:  # music21 objects in shapes from_music21 did not expect
        raise FormatError(f"{what}cannot convert it ({type(error).__name__}: {error})",
                          path) from error
    # Measures can start where no note does (a bar of tuplet rests): hold them exactly too.
    resolution = min(MAX_RESOLUTION, math.lcm(music.resolution, _least_resolution(bars)))
    if resolution != music.resolution:
        ops.adjust_resolution(music, resolution)
    music.barlines = [Barline(math.floor(b * resolution + Fraction(1, 2))) for b in bars]
    return music
