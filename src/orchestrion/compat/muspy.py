"""MusPy 0.5's names over orchestrion, so MusPy code runs after changing one import::

    import orchestrion.compat.muspy as muspy

    music = muspy.read_midi("song.mid")
    muspy.save("song.json", music)

This module covers MusPy's classes and its file functions for MIDI, JSON and YAML (``read``,
``write``, ``load``, ``save``, ``read_midi``, ``write_midi``, ``load_json``, ``save_json``,
``load_yaml``, ``save_yaml``), with MusPy's argument order (path first, then music).
Later modules add the representation, metric and dataset names.

Where the behaviour differs from MusPy's, on purpose:

- Reading MIDI always goes through symusic and pairs duplicate notes first-in-first-out
  (MusPy's default); ``backend`` is accepted and ignored, ``duplicate_note_mode`` other than
  ``"fifo"`` is refused (MusPy's ``"all"`` stretches notes to the end, a known bug).
- Markers, text events, copyright and title survive MIDI reading (MusPy drops them).
- Errors are :class:`~orchestrion.errors.FormatError` (a ``ValueError``, as MusPy raises)
  and name the file.
- Paths only: MusPy's ``load``/``save`` also take open text files; here, pass a path.
"""

from __future__ import annotations

import os
from typing import Any

from orchestrion.core.model import (
    Annotation,
    Barline,
    Beat,
    Chord,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.errors import FormatError
from orchestrion.io import jsonio, midi, registry

__all__ = [
    "Annotation",
    "Barline",
    "Beat",
    "Chord",
    "KeySignature",
    "Lyric",
    "Metadata",
    "Music",
    "Note",
    "Tempo",
    "TimeSignature",
    "Track",
    "load",
    "load_json",
    "load_yaml",
    "read",
    "read_midi",
    "save",
    "save_json",
    "save_yaml",
    "write",
    "write_midi",
]

PathLike = str | os.PathLike[str]
_SERIALISED = ("json", "yaml")  # what MusPy's load/save handle; read/write take the rest


def read_midi(path: PathLike, backend: str = "mido", duplicate_note_mode: str = "fifo") -> Music:
    """Read a MIDI file (MusPy: ``muspy.read_midi``). ``backend`` is ignored (symusic reads)."""
    del backend  # kept for MusPy's signature; orchestrion has one, faster, reader
    if duplicate_note_mode != "fifo":
        raise ValueError(f"duplicate_note_mode={duplicate_note_mode!r} is not supported: "
                         "orchestrion pairs duplicate notes first-in-first-out ('fifo')")
    return midi.read_midi(path)


def write_midi(path: PathLike, music: Music, backend: str = "mido", **kwargs: Any) -> None:
    """Write a MIDI file (MusPy: ``muspy.write_midi``). ``backend`` and MusPy's mido options
    (``use_note_off_message``) are ignored: orchestrion writes note-off messages."""
    del backend, kwargs
    midi.write_midi(music, path)


def load_json(path: PathLike, compressed: bool | None = None) -> Music:
    """Load a JSON file (gzipped or not: the bytes tell, so ``compressed`` is not needed)."""
    del compressed
    return jsonio.read_json(path)


def load_yaml(path: PathLike, compressed: bool | None = None) -> Music:
    """Load a YAML file (gzipped or not: the bytes tell, so ``compressed`` is not needed)."""
    del compressed
    return jsonio.read_yaml(path)


def save_json(path: PathLike, music: Music, skip_missing: bool = True, ensure_ascii: bool = False,
              compressed: bool | None = None, **kwargs: Any) -> None:
    """Save ``music`` as JSON (MusPy: ``muspy.save_json``); ``indent`` is honoured.

    Only ``skip_missing=True`` (MusPy's default layout) and ``ensure_ascii=False`` are
    supported: the files are UTF-8 without null fields.
    """
    _check_layout(skip_missing, ensure_ascii, path)
    jsonio.write_json(music, path, indent=kwargs.get("indent"), compressed=compressed)


def save_yaml(path: PathLike, music: Music, skip_missing: bool = True, allow_unicode: bool = True,
              compressed: bool | None = None, **kwargs: Any) -> None:
    """Save ``music`` as YAML (MusPy: ``muspy.save_yaml``)."""
    del kwargs
    _check_layout(skip_missing, not allow_unicode, path)
    jsonio.write_yaml(music, path, compressed=compressed)


def _check_layout(skip_missing: bool, escape_non_ascii: bool, path: PathLike) -> None:
    if not skip_missing or escape_non_ascii:
        raise FormatError("only MusPy's default layout is written (skip_missing=True, "
                          "non-ASCII text kept as UTF-8)", path)


def _format_of(path: PathLike, kind: str | None, caller: str) -> registry.Format:
    """The format of ``path`` (or ``kind``), refusing those the other pair of functions
    handles, as MusPy does: load/save take JSON and YAML, read/write the rest."""
    fmt = registry.get_format(kind) if kind else registry.format_of(path)
    serialised_caller = caller in ("load", "save")
    if (fmt.name in _SERIALISED) != serialised_caller:
        other = "read/write" if serialised_caller else "load/save"
        raise FormatError(f"{caller}() does not handle {fmt.name} files; use {other}()", path)
    return fmt


def load(path: PathLike, kind: str | None = None, **kwargs: Any) -> Music:
    """Load a JSON or YAML file (MusPy: ``muspy.load``); ``kind`` is 'json' or 'yaml'."""
    del kwargs  # MusPy's 'compressed': the bytes tell
    return _format_of(path, kind, "load").read(path)


def save(path: PathLike, music: Music, kind: str | None = None, **kwargs: Any) -> None:
    """Save ``music`` as JSON or YAML (MusPy: ``muspy.save``, path first)."""
    fmt = _format_of(path, kind, "save")
    (save_json if fmt.name == "json" else save_yaml)(path, music, **kwargs)


def read(path: PathLike, kind: str | None = None, **kwargs: Any) -> Music:
    """Read a MIDI (later also MusicXML, ABC, ...) file (MusPy: ``muspy.read``)."""
    fmt = _format_of(path, kind, "read")
    if fmt.name == "midi":
        return read_midi(path, **kwargs)
    return fmt.read(path, **kwargs)


def write(path: PathLike, music: Music, kind: str | None = None, **kwargs: Any) -> None:
    """Write ``music`` as MIDI (later also other formats) (MusPy: ``muspy.write``)."""
    fmt = _format_of(path, kind, "write")
    if fmt.name == "midi":
        write_midi(path, music, **kwargs)
    else:
        fmt.write(music, path, **kwargs)
