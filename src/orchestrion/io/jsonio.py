"""JSON and YAML files: lossless dumps of :class:`~orchestrion.core.model.Music`, in MusPy's
schema 0.2, optionally gzipped.

The layout is MusPy's ``Music.to_ordered_dict()`` (MusPy 0.5, ``muspy/base.py``): keys in
field order, ``None`` values and empty lists left out, so a file MusPy saved loads here and a
file written here loads in MusPy. orchestrion's two additions to the model, a track's
``controls`` (control changes, e.g. the sustain pedal) and ``pitch_bends``, are written only
when a track has some; MusPy ignores keys it does not know.

Reading checks every value and raises :class:`~orchestrion.errors.FormatError` naming the file
and the place, e.g. ``song.json: tracks[0].notes[12]: 'pitch' must be an integer, got '60'``.
Keys the schema does not know are ignored, as MusPy does. Files are gzip-compressed when the
name ends in ``.gz`` (reading looks at the bytes, so any name works); compressed output is
byte-for-byte reproducible (no timestamp in the gzip header).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from orchestrion.core.model import (
    DEFAULT_RESOLUTION,
    DEFAULT_VELOCITY,
    SCHEMA_VERSION,
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
from orchestrion.errors import FormatError, ValidationError
from orchestrion.io.files import atomic_write_bytes, check_readable

GZIP_MAGIC = b"\x1f\x8b"
# Times and pitches are stored as int64; refuse integers that would overflow sums of them.
_MAX_INT = 2**62

# Lists of events on Music and on Track, in MusPy's key order, with their classes.
MUSIC_EVENT_LISTS: tuple[tuple[str, type], ...] = (
    ("tempos", Tempo),
    ("key_signatures", KeySignature),
    ("time_signatures", TimeSignature),
    ("barlines", Barline),
    ("beats", Beat),
    ("lyrics", Lyric),
    ("annotations", Annotation),
)
TRACK_EVENT_LISTS: tuple[tuple[str, type], ...] = (
    ("chords", Chord),
    ("lyrics", Lyric),
    ("annotations", Annotation),
    ("controls", ControlChange),
    ("pitch_bends", PitchBend),
)

# What each value must be: "int", "number", "str", "bool", "any", or a list of "int"/"str".
# Fields not named here are required; optional ones default to the class's default.
_KINDS: dict[type, dict[str, str]] = {
    Note: {"time": "int", "pitch": "int", "duration": "int", "velocity": "int",
           "pitch_str": "str"},
    Chord: {"time": "int", "pitches": "list[int]", "duration": "int", "velocity": "int",
            "pitches_str": "list[str]"},
    Tempo: {"time": "int", "qpm": "number"},
    KeySignature: {"time": "int", "root": "int", "mode": "str", "fifths": "int",
                   "root_str": "str"},
    TimeSignature: {"time": "int", "numerator": "int", "denominator": "int"},
    Barline: {"time": "int"},
    Beat: {"time": "int"},
    Lyric: {"time": "int", "lyric": "str"},
    Annotation: {"time": "int", "annotation": "any", "group": "str"},
    ControlChange: {"time": "int", "number": "int", "value": "int"},
    PitchBend: {"time": "int", "value": "int"},
    Metadata: {"schema_version": "str", "title": "str", "creators": "list[str]",
               "copyright": "str", "collection": "str", "source_filename": "str",
               "source_format": "str"},
}
_OPTIONAL: dict[type, frozenset[str]] = {
    Note: frozenset({"velocity", "pitch_str"}),
    Chord: frozenset({"velocity", "pitches_str"}),
    KeySignature: frozenset({"root", "mode", "fifths", "root_str"}),
    Annotation: frozenset({"group"}),
    Metadata: frozenset(_KINDS[Metadata]),
}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {cls: tuple(f.name for f in fields(cls))
                                             for cls in _KINDS}


# ------------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    """A JSON-ready version of ``value`` (numpy scalars from vectorised edits become Python)."""
    return value.item() if isinstance(value, np.generic) else value


def _event_dict(event: Any) -> dict[str, Any]:
    out = {}
    for name in _FIELD_NAMES[type(event)]:
        value = getattr(event, name)
        if value is None or (name == "creators" and not value):
            continue  # MusPy's skip_missing: no None values, no empty list attributes
        out[name] = [_plain(v) for v in value] if isinstance(value, list) else _plain(value)
    if isinstance(event, Tempo):
        out["qpm"] = float(out["qpm"])  # MusPy stores qpm as a float
    return out


def _note_dicts(track: Track) -> list[dict[str, Any]]:
    # pitch_str lives only on Note objects; when the track keeps arrays there is none, and
    # reading the arrays directly avoids building an object per note.
    objects = track._note_list  # the model's own storage, read without copying
    if objects is not None and any(note.pitch_str is not None for note in objects):
        return [_event_dict(note) for note in objects]
    notes = track.note_array()
    return [
        {"time": t, "pitch": p, "duration": d, "velocity": v}
        for t, p, d, v in zip(notes.time.tolist(), notes.pitch.tolist(),
                              notes.duration.tolist(), notes.velocity.tolist(), strict=True)
    ]


def _track_dict(track: Track) -> dict[str, Any]:
    out: dict[str, Any] = {"program": track.program, "is_drum": track.is_drum}
    if track.name is not None:
        out["name"] = track.name
    if track.n_notes:
        out["notes"] = _note_dicts(track)
    for key, _cls in TRACK_EVENT_LISTS:
        events = getattr(track, key)
        if events:
            out[key] = [_event_dict(event) for event in events]
    return out


def to_dict(music: Music) -> dict[str, Any]:
    """``music`` as plain dicts and lists in MusPy's schema 0.2 (what the files hold)."""
    out: dict[str, Any] = {"metadata": _event_dict(music.metadata),
                           "resolution": music.resolution}
    for key, _cls in MUSIC_EVENT_LISTS:
        events = getattr(music, key)
        if events:
            out[key] = [_event_dict(event) for event in events]
    if music.tracks:
        out["tracks"] = [_track_dict(track) for track in music.tracks]
    return out


def _write_text(path: str | os.PathLike[str], text: str, compressed: bool | None) -> None:
    data = text.encode("utf-8")
    if compressed is None:
        compressed = str(path).lower().endswith(".gz")
    if compressed:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    atomic_write_bytes(path, data)


def write_json(music: Music, path: str | os.PathLike[str], *, indent: int | None = None,
               compressed: bool | None = None) -> None:
    """Write ``music`` as JSON (UTF-8; gzipped when ``compressed`` or the name ends '.gz')."""
    try:
        text = json.dumps(to_dict(music), ensure_ascii=False, indent=indent,
                          separators=None if indent else (",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:  # an annotation JSON cannot hold, a NaN
        raise FormatError(f"cannot write as JSON: {error}", path) from None
    _write_text(path, text, compressed)


def write_yaml(music: Music, path: str | os.PathLike[str], *,
               compressed: bool | None = None) -> None:
    """Write ``music`` as YAML (each event on one line; gzipped when the name ends '.gz')."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    try:
        # default_flow_style=None writes mappings of scalars (notes, tempos) inline.
        text = yaml.dump(to_dict(music), Dumper=dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=None, width=1 << 30)
    except yaml.YAMLError as error:
        raise FormatError(f"cannot write as YAML: {error}", path) from None
    _write_text(path, text, compressed)


# ------------------------------------------------------------------------------- reading


def _kind_name(value: Any) -> str:
    return "null" if value is None else repr(value) if isinstance(value, str) else \
        type(value).__name__


def _check(value: Any, kind: str, where: str, key: str) -> Any:
    """``value`` if it is of ``kind`` (integral floats pass as ints), else ``FormatError``."""
    if kind == "any":
        return value
    if kind.startswith("list["):
        if not isinstance(value, list):
            raise FormatError(f"{where}: {key!r} must be a list, got {_kind_name(value)}")
        return [_check(v, kind[5:-1], where, f"{key}[{i}]") for i, v in enumerate(value)]
    if kind == "str":
        if isinstance(value, str):
            return value
        raise FormatError(f"{where}: {key!r} must be a string, got {_kind_name(value)}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise FormatError(f"{where}: {key!r} must be true or false, got {_kind_name(value)}")
    if isinstance(value, float) and kind == "int" and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > _MAX_INT:
            raise FormatError(f"{where}: {key!r} is out of range ({value})")
        return value
    if kind == "number" and isinstance(value, float) and math.isfinite(value):
        return value
    expected = "an integer" if kind == "int" else "a finite number"
    raise FormatError(f"{where}: {key!r} must be {expected}, got {_kind_name(value)}")


def _object(cls: type, data: Any, where: str) -> Any:
    """An instance of ``cls`` from the mapping ``data``, every field checked."""
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a mapping, got {_kind_name(data)}")
    optional = _OPTIONAL.get(cls, frozenset())
    kwargs = {}
    for key, kind in _KINDS[cls].items():
        value = data.get(key)
        if value is None:
            if key not in optional:
                raise FormatError(f"{where}: missing {key!r}")
            continue
        kwargs[key] = _check(value, kind, where, key)
    try:
        return cls(**kwargs)
    except ValidationError as error:
        raise FormatError(f"{where}: {error}") from None


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(f"{where}{key}: expected a list, got {_kind_name(value)}")
    return value


def _objects(cls: type, data: dict[str, Any], key: str, where: str) -> list[Any]:
    return [_object(cls, item, f"{where}{key}[{i}]")
            for i, item in enumerate(_list(data, key, where))]


def _notes(items: list[Any], where: str) -> NoteArray | list[Note]:
    """Notes as arrays (fast path: one pass over the dicts, checks vectorised); any note that
    is unusual (a ``pitch_str``, a null, a wrong type) sends all through the checked path."""
    if not items:
        return NoteArray.empty()
    try:
        rows = [(n["time"], n["pitch"], n["duration"], n.get("velocity", DEFAULT_VELOCITY))
                for n in items]
        table = None if any("pitch_str" in n for n in items) else np.array(rows)
    except (TypeError, KeyError, AttributeError, OverflowError, ValueError):
        table = None
    if table is not None and table.dtype.kind == "f" and np.isfinite(table).all() \
            and (table == np.round(table)).all() and (np.abs(table) <= _MAX_INT).all():
        table = table.astype(np.int64)  # integral floats, as some writers give
    if table is None or table.dtype.kind not in "iu" or (np.abs(table) > _MAX_INT).any():
        return [_object(Note, item, f"{where}[{i}]") for i, item in enumerate(items)]
    notes = NoteArray(table[:, 0], table[:, 1], table[:, 2], table[:, 3])
    try:
        notes.validate(where)
    except ValidationError as error:
        raise FormatError(str(error)) from None
    return notes


def _track(data: Any, where: str) -> Track:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a mapping, got {_kind_name(data)}")
    # MusPy requires program and is_drum; a missing one reads as its default here.
    program = _check(data.get("program", 0), "int", where, "program")
    if not 0 <= program <= 127:
        raise FormatError(f"{where}: 'program' {program} outside 0-127")
    name = data.get("name")
    track = Track(program=program,
                  is_drum=_check(data.get("is_drum", False), "bool", where, "is_drum"),
                  name=None if name is None else _check(name, "str", where, "name"))
    notes = _notes(_list(data, "notes", f"{where}."), f"{where}.notes")
    if isinstance(notes, NoteArray):
        track.set_note_array(notes, validate=False)  # _notes validated them
    else:
        track.notes = notes
    for key, cls in TRACK_EVENT_LISTS:
        setattr(track, key, _objects(cls, data, key, f"{where}."))
    return track


def from_dict(data: Any) -> Music:
    """:class:`Music` from a MusPy-schema mapping (what :func:`to_dict` gives and JSON or YAML
    files hold). Bad values raise ``FormatError`` saying where they are."""
    if not isinstance(data, dict):
        raise FormatError(f"expected a mapping at the top level, got {_kind_name(data)}")
    metadata = data.get("metadata")
    resolution = data.get("resolution")
    resolution = DEFAULT_RESOLUTION if resolution is None else \
        _check(resolution, "int", "music", "resolution")
    if resolution < 1:
        raise FormatError(f"music: 'resolution' must be at least 1, got {resolution}")
    music = Music(
        metadata=Metadata() if metadata is None else _object(Metadata, metadata, "metadata"),
        resolution=resolution,
    )
    if music.metadata.schema_version is None:
        music.metadata.schema_version = SCHEMA_VERSION
    for key, cls in MUSIC_EVENT_LISTS:
        setattr(music, key, _objects(cls, data, key, ""))
    music.tracks = [_track(item, f"tracks[{i}]")
                    for i, item in enumerate(_list(data, "tracks", ""))]
    return music


def _read_text(path: str | os.PathLike[str]) -> str:
    data = Path(check_readable(path)).read_bytes()
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise FormatError(f"corrupt gzip data ({error})", path) from None
    if not data.strip():
        raise FormatError("empty file", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(f"not UTF-8 text (byte {data[error.start]:#04x} at offset "
                          f"{error.start})", path) from None


def _parsed(path: str | os.PathLike[str], data: Any) -> Music:
    try:
        return from_dict(data)
    except FormatError as error:
        raise FormatError(error.reason, path) from None
    except RecursionError:
        raise FormatError("nested too deeply", path) from None


def read_json(path: str | os.PathLike[str]) -> Music:
    """Read a JSON (or gzipped JSON) file in MusPy's schema into :class:`Music`."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"invalid JSON at line {error.lineno}, column {error.colno}: "
                          f"{error.msg}", path) from None
    except RecursionError:
        raise FormatError("nested too deeply", path) from None
    return _parsed(path, data)


def read_yaml(path: str | os.PathLike[str]) -> Music:
    """Read a YAML (or gzipped YAML) file in MusPy's schema into :class:`Music`."""
    import yaml

    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise FormatError(f"invalid YAML{place}: {problem}", path) from None
    except RecursionError:
        raise FormatError("nested too deeply", path) from None
    return _parsed(path, data)
