"""Conversion between :class:`~orchestrion.Music` and other libraries' objects.

=================  ===================================  =====================================
library            to                                   from
=================  ===================================  =====================================
music21            :func:`to_music21` -> ``Score``      :func:`from_music21` (Score, Part,
                                                        Opus, Stream)
pretty_midi        :func:`to_pretty_midi`               :func:`from_pretty_midi`
symusic            :func:`to_symusic` (ticks)           :func:`from_symusic`
mido               :func:`to_mido` -> ``MidiFile``      :func:`from_mido`
pypianoroll        :func:`to_pypianoroll`               :func:`from_pypianoroll`
=================  ===================================  =====================================

Each library is imported inside the functions that use it, so ``import orchestrion`` (and
this module) stays light. Every function's docstring says what it keeps and what it loses;
``docs/interop.md`` gathers them with examples.
"""

from orchestrion.io.interop._midi_libraries import from_mido, from_symusic, to_mido, to_symusic
from orchestrion.io.interop._music21 import from_music21, to_music21
from orchestrion.io.interop._pretty_midi import from_pretty_midi, to_pretty_midi
from orchestrion.io.interop._pypianoroll import from_pypianoroll, to_pypianoroll

__all__ = [
    "from_mido",
    "from_music21",
    "from_pretty_midi",
    "from_pypianoroll",
    "from_symusic",
    "to_mido",
    "to_music21",
    "to_pretty_midi",
    "to_pypianoroll",
    "to_symusic",
]
