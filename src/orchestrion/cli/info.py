"""``orchestrion info FILE``: what a music file holds, as aligned text or one JSON object.

The JSON object (``--json``) has these keys, always present, in this order:

- ``path`` (str, as given), ``format`` (registry name, e.g. ``"midi"``), ``title`` (str or
  null), ``resolution`` (ticks per quarter note)
- ``end_ticks`` (int, :func:`orchestrion.core.ops.get_end_time`), ``end_seconds`` (float,
  :func:`orchestrion.core.ops.get_real_end_time`)
- ``n_tracks``, ``n_notes`` (ints)
- ``tracks``: list of ``{"index", "name", "program", "instrument", "is_drum", "n_notes"}``;
  ``instrument`` is the General MIDI name of ``program`` or ``"Drums"``
- ``tempos``: list of ``{"time", "qpm"}``
- ``key_signatures``: list of ``{"time", "root", "mode", "fifths", "name"}``; ``name`` spells
  the key, e.g. ``"Eb major"`` (``null`` when neither root nor fifths is known)
- ``time_signatures``: list of ``{"time", "numerator", "denominator"}``

The text form shows the same facts; long tempo or signature lists are cut after
:data:`MAX_LISTED` entries there (``--json`` always lists all).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestrion.core import ops
from orchestrion.core.gm import program_name
from orchestrion.core.model import KeySignature, Music

MAX_LISTED = 8

# Tonic spelled by the number of sharps (negative: flats), -7..7, for major and minor keys.
_MAJOR_BY_FIFTHS = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B",
                    "F#", "C#")
_MINOR_BY_FIFTHS = ("Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#",
                    "D#", "A#")
# Without the number of sharps: the usual spelling of each pitch class as a key.
_PITCH_CLASSES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def key_name(key: KeySignature) -> str | None:
    """A readable key name: ``"G major"``, ``"Bb minor"``, ``"D dorian"``; ``None`` if the
    signature says neither its root nor its number of sharps."""
    mode = key.mode.lower() if key.mode else None
    if key.root_str:
        tonic = key.root_str
    elif key.fifths is not None and mode in ("major", "minor"):
        table = _MAJOR_BY_FIFTHS if mode == "major" else _MINOR_BY_FIFTHS
        tonic = table[key.fifths + 7]
    elif key.root is not None:
        tonic = _PITCH_CLASSES[key.root]
    elif key.fifths is not None:  # mode unknown: name the signature itself
        count = abs(key.fifths)
        kind = "sharp" if key.fifths > 0 else "flat"
        return "no sharps or flats" if count == 0 else f"{count} {kind}{'s' * (count > 1)}"
    else:
        return None
    return f"{tonic} {mode}" if mode else tonic


def describe(music: Music, path: str | Path, format_name: str) -> dict[str, Any]:
    """The facts ``info`` reports, as the JSON object documented in this module."""
    tracks = [
        {
            "index": index,
            "name": track.name,
            "program": track.program,
            "instrument": program_name(track.program, track.is_drum),
            "is_drum": track.is_drum,
            "n_notes": track.n_notes,
        }
        for index, track in enumerate(music.tracks)
    ]
    return {
        "path": str(path),
        "format": format_name,
        "title": music.metadata.title,
        "resolution": music.resolution,
        "end_ticks": ops.get_end_time(music),
        "end_seconds": ops.get_real_end_time(music),
        "n_tracks": len(music.tracks),
        "n_notes": music.n_notes,
        "tracks": tracks,
        "tempos": [{"time": t.time, "qpm": float(t.qpm)} for t in music.tempos],
        "key_signatures": [
            {"time": k.time, "root": k.root, "mode": k.mode, "fifths": k.fifths,
             "name": key_name(k)}
            for k in music.key_signatures
        ],
        "time_signatures": [
            {"time": t.time, "numerator": t.numerator, "denominator": t.denominator}
            for t in music.time_signatures
        ],
    }


def to_json(facts: dict[str, Any]) -> str:
    """The ``--json`` output: one object, two-space indented, non-ASCII kept."""
    return json.dumps(facts, indent=2, ensure_ascii=False)


def _number(value: float) -> str:
    """At most three decimals, trailing zeros dropped: 120, 89.5, 133.333."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _listing(items: list[str]) -> str:
    if not items:
        return "none"
    shown = ", ".join(items[:MAX_LISTED])
    hidden = len(items) - MAX_LISTED
    return f"{shown}, ... ({hidden} more; --json lists all)" if hidden > 0 else shown


def to_text(facts: dict[str, Any]) -> str:
    """The default output: ``label: value`` lines, then a table of the tracks."""
    n_tracks = facts["n_tracks"]
    rows = [
        ("File", facts["path"]),
        ("Format", facts["format"]),
        ("Title", facts["title"] if facts["title"] is not None else "-"),
        ("Resolution", f"{facts['resolution']} ticks per quarter note"),
        ("End time", f"{facts['end_ticks']} ticks, {facts['end_seconds']:.3f} s"),
        ("Notes", f"{facts['n_notes']} in {n_tracks} track{'s' * (n_tracks != 1)}"),
        ("Tempos", _listing([f"{_number(t['qpm'])} qpm at {t['time']}"
                             for t in facts["tempos"]])),
        ("Key signatures", _listing([f"{k['name'] or '?'} at {k['time']}"
                                     for k in facts["key_signatures"]])),
        ("Time signatures", _listing([f"{t['numerator']}/{t['denominator']} at {t['time']}"
                                      for t in facts["time_signatures"]])),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label + ':':<{width}}{value}" for label, value in rows]
    if facts["tracks"]:
        lines.append("")
        lines.extend(_track_table(facts["tracks"]))
    return "\n".join(lines)


def _track_table(tracks: list[dict[str, Any]]) -> list[str]:
    header = ("Track", "Program", "Instrument", "Drum", "Notes", "Name")
    cells = [(str(t["index"]), str(t["program"]), t["instrument"],
              "yes" if t["is_drum"] else "no", str(t["n_notes"]), t["name"] or "")
             for t in tracks]
    widths = [max(len(row[i]) for row in (header, *cells)) for i in range(len(header))]
    right = {0, 1, 4}  # numbers align right
    lines = []
    for row in (header, *cells):
        parts = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
    return lines
