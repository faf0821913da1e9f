"""An independent decoder of the ABC that orchestrion's writer produces, for tests.

It knows only the subset the writer uses (``L:``, ``K:``, ``V:``, ``%%score``, notes with
``^ _ =`` and octave marks, chords ``[...]``, rests ``z``, lengths ``n``, ``/d``, ``n/d``,
ties ``-`` and bar lines) and applies ABC 2.1's rule that an accidental holds to the end of
the bar, in every octave. It shares no code with orchestrion or music21, so agreeing with it
checks the writer's pitches and durations on their own.
"""

from __future__ import annotations

import re
from fractions import Fraction

_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_FIFTHS_OF_MAJOR = {"Cb": -7, "Gb": -6, "Db": -5, "Ab": -4, "Eb": -3, "Bb": -2, "F": -1,
                    "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7,
                    "G#": 8, "D#": 9, "A#": 10, "E#": 11, "B#": 12, "Fb": -8}
_MODE_SHIFT = {"": 0, "ion": 0, "m": 3, "aeo": 3, "dor": 2, "phr": 4, "lyd": -1, "mix": 1}
_TOKEN = re.compile(r"(\[[^\]]*\]|[_^=]?[A-Ga-gz][,']*)(\d*(?:/\d+)?)(-?)|(\|\]?)")
_NOTE = re.compile(r"([_^=]?)([A-Ga-g])([,']*)")


def key_alterations(value: str) -> dict[str, int]:
    """Alteration of each letter under the ``K:`` value the writer writes."""
    alter = dict.fromkeys(_NATURAL, 0)
    if value == "none":
        return alter
    match = re.fullmatch(r"([A-G][b#]?)(m|[a-z]{3})?", value)
    assert match, value
    fifths = _FIFTHS_OF_MAJOR[match.group(1)] - _MODE_SHIFT[match.group(2) or ""]
    order = "FCGDAEB" if fifths >= 0 else "BEADGCF"
    for letter in order[:abs(fifths)]:
        alter[letter] = 1 if fifths > 0 else -1
    return alter


def _length(text: str, unit: Fraction) -> Fraction:
    if not text:
        return unit
    numerator, _, denominator = text.partition("/")
    return unit * Fraction(int(numerator or 1), int(denominator) if _ else 1)


def decode(text: str) -> list[list[tuple[Fraction, int, Fraction]]]:
    """Per track (voices merged as ``%%score`` groups them): sorted ``(onset, pitch,
    duration)`` in quarters, tied notes joined."""
    unit = Fraction(1)
    key = dict.fromkeys(_NATURAL, 0)
    groups: list[list[str]] = []
    voices: dict[str, list[tuple[Fraction, int, Fraction]]] = {}
    order: list[str] = []
    current = "1"
    time = Fraction(0)
    state = dict(key)
    open_ties: dict[int, int] = {}
    for line in text.splitlines():
        if line.startswith("%%score"):
            groups = [g.split() for g in re.findall(r"\(([^)]*)\)", line)]
            continue
        if line.startswith("%"):
            continue
        field = re.match(r"^([A-Za-z]):(.*)$", line)
        if field:
            name, value = field.groups()
            if name == "L":
                unit = Fraction(value) * 4
            elif name == "K":
                key = key_alterations(value.strip())
                state = dict(key)
            elif name == "V":
                current = value.split()[0]
                if current not in voices:
                    voices[current], time, open_ties = [], Fraction(0), {}
                    order.append(current)
            continue
        voices.setdefault(current, [])
        if current not in order:
            order.append(current)
        for match in _TOKEN.finditer(line):
            body, length_text, tie, bar = match.groups()
            if bar:
                state = dict(key)
                continue
            length = _length(length_text, unit)
            if body != "z":
                closing: dict[int, int] = {}
                for accidental, letter, marks in _NOTE.findall(body):
                    upper = letter.upper()
                    if accidental:
                        state[upper] = {"^": 1, "_": -1, "=": 0}[accidental]
                    octave = (5 if letter.islower() else 4) + marks.count("'") - marks.count(",")
                    pitch = 12 * (octave + 1) + _NATURAL[upper] + state[upper]
                    notes = voices[current]
                    held = open_ties.pop(pitch, None)
                    if held is not None and notes[held][0] + notes[held][2] == time:
                        onset, _, duration = notes[held]
                        notes[held] = (onset, pitch, duration + length)
                        index = held
                    else:
                        notes.append((time, pitch, length))
                        index = len(notes) - 1
                    if tie:
                        closing[pitch] = index
                open_ties.update(closing)
            time += length
    tracks: list[list[str]] = []
    grouped = {v for g in groups for v in g}
    for voice in order:
        group = next((g for g in groups if voice in g), None)
        if group is None or voice not in grouped:
            tracks.append([voice])
        elif group[0] == voice:
            tracks.append(group)
    return [sorted(n for v in members for n in voices.get(v, [])) for members in tracks]
