"""orchestrion: generative AI for music and audio, on a fast symbolic-music toolkit.

``import orchestrion`` loads only numpy and the object model; formats, models and plots load
when first used.
"""

from orchestrion.core import (
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
    NoteArray,
    PitchBend,
    Tempo,
    TempoMap,
    TimeSignature,
    Track,
)
from orchestrion.errors import (
    CheckpointError,
    DatasetError,
    FormatError,
    OrchestrionError,
    ValidationError,
)
from orchestrion.io import read, write

__version__ = "0.1.0"

__all__ = [
    "Annotation",
    "Barline",
    "Beat",
    "CheckpointError",
    "Chord",
    "ControlChange",
    "DatasetError",
    "FormatError",
    "KeySignature",
    "Lyric",
    "Metadata",
    "Music",
    "Note",
    "NoteArray",
    "OrchestrionError",
    "PitchBend",
    "Tempo",
    "TempoMap",
    "TimeSignature",
    "Track",
    "ValidationError",
    "__version__",
    "read",
    "write",
]
