"""The music object model (MusPy's classes and fields), tempo maps and operations.

Only numpy is imported here: no I/O, no torch, no third-party music library.
"""

from orchestrion.core import ops
from orchestrion.core.model import (
    DEFAULT_RESOLUTION,
    DEFAULT_VELOCITY,
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.core.notes import NoteArray
from orchestrion.core.timing import TempoMap

__all__ = [
    "DEFAULT_RESOLUTION",
    "DEFAULT_VELOCITY",
    "Annotation",
    "Barline",
    "Beat",
    "Chord",
    "ControlChange",
    "KeySignature",
    "Lyric",
    "Metadata",
    "Music",
    "Note",
    "NoteArray",
    "PitchBend",
    "Tempo",
    "TempoMap",
    "TimeSignature",
    "Track",
    "ops",
]
