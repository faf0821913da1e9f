"""Parsing of MusicXML parts, measure by measure, for :mod:`orchestrion.io.musicxml` (which
lays the measures out and documents the rules)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from orchestrion.errors import FormatError
from orchestrion.io._repeats import MeasureMarks

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_RESOLUTION = 10080 * 12
# No real score comes near: a million quarter notes at the largest resolution is 1.2e11.
# Times must stay far inside 64-bit integers once added up.
MAX_TICKS = 2**53
DEFAULT_VELOCITY = 64
STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Quarter notes in one beat unit of a <metronome>.
BEAT_UNITS = {"maxima": 32.0, "long": 16.0, "breve": 8.0, "whole": 4.0, "half": 2.0,
              "quarter": 1.0, "eighth": 0.5, "16th": 0.25, "32nd": 0.125, "64th": 0.0625,
              "128th": 0.03125}
# Velocities for dynamics marks without a <sound dynamics> (the usual MIDI steps of 13).
DYNAMICS_MARKS = {"pppppp": 5, "ppppp": 8, "pppp": 10, "ppp": 23, "pp": 36, "p": 49,
                  "mp": 62, "mf": 75, "f": 88, "ff": 101, "fff": 114, "ffff": 127,
                  "fffff": 127, "ffffff": 127}


# ------------------------------------------------------------------------------ parsing


_NO_MARKS = MeasureMarks()


@lru_cache(maxsize=256)
def _measure_marks(items: frozenset[tuple[str, Any]]) -> MeasureMarks:
    """One shared (immutable) MeasureMarks per distinct set of marks: most measures have
    none, and building a frozen dataclass per measure cost a fifth of a chorale's reading."""
    return MeasureMarks(**dict(items))


@dataclass(slots=True)
class ParsedMeasure:
    """One measure of one part, times in ticks from the measure's start."""

    length: int = 0
    # (onset, pitch, duration, velocity, voice, tie starts or continues, tie stops)
    notes: list[tuple[int, int, int, int, str, bool, bool]] = field(default_factory=list)
    lyrics: list[tuple[int, str]] = field(default_factory=list)
    tempos: list[tuple[int, float]] = field(default_factory=list)
    keys: list[tuple[int, int, str | None]] = field(default_factory=list)  # fifths, mode
    meters: list[tuple[int, int, int]] = field(default_factory=list)
    harmony: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    marks: MeasureMarks = _NO_MARKS


@dataclass
class PartInfo:
    """What the ``<part-list>`` says about a part."""

    name: str | None = None
    program: int = 0
    is_drum: bool = False
    # instrument id -> MIDI pitch of its unpitched sound
    unpitched: dict[str, int] = field(default_factory=dict)


def _int(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    try:
        return int(text)  # int() allows surrounding whitespace
    except ValueError:
        value = _float(text)  # None for text that is no finite number ("1e400", "nan")
        return default if value is None else round(value)


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def read_part_list(root: Element) -> dict[str, PartInfo]:
    parts = {}
    for score_part in root.iterfind("part-list/score-part"):
        info = PartInfo(name=(score_part.findtext("part-name") or "").strip() or None)
        for index, midi in enumerate(score_part.iterfind("midi-instrument")):
            if index == 0:
                info.program = min(max(_int(midi.findtext("midi-program"), 1) - 1, 0), 127)
                info.is_drum = _int(midi.findtext("midi-channel"), 1) == 10
            unpitched = midi.findtext("midi-unpitched")
            if unpitched is not None:
                info.unpitched[midi.get("id", "")] = min(max(_int(unpitched) - 1, 0), 127)
        parts[score_part.get("id", "")] = info
    return parts


def partwise_parts(root: Element) -> list[tuple[str, list[Element]]]:
    """``(part id, its measures)`` in order; a timewise score is turned partwise."""
    if root.tag == "score-partwise":
        return [(part.get("id", ""), part.findall("measure")) for part in root.iterfind("part")]
    if root.tag == "score-timewise":
        parts: dict[str, list[Element]] = {}
        for measure in root.iterfind("measure"):
            for part in measure.iterfind("part"):
                # The measure's own attributes (number, implicit) go with the part's content.
                part.attrib = {**measure.attrib, **part.attrib}
                parts.setdefault(part.get("id", ""), []).append(part)
        return list(parts.items())
    raise FormatError(f"not a MusicXML score (root element <{root.tag}>)")


def resolution_of(root: Element) -> int:
    divisions = {d for d in (_int(e.text) for e in root.iter("divisions")) if d > 0}
    resolution = 1
    for value in divisions:
        resolution = math.lcm(resolution, value)
    if resolution > MAX_RESOLUTION:
        resolution = min(max(divisions), MAX_RESOLUTION)
    return resolution


# A score spells few distinct pitches; caching (step, alter, octave) -> MIDI pitch spares
# the number parsing for all but the first of each. Bounded, so hostile input cannot grow it.
_PITCH_CACHE: dict[tuple[str | None, str | None, str | None], int | None] = {}
_CACHE_LIMIT = 4096


def _pitch_of(pitch: Element) -> int | None:
    """MIDI pitch written by a ``<pitch>`` (before any transposition)."""
    find = pitch.findtext
    key = (find("step"), find("alter"), find("octave"))
    try:
        return _PITCH_CACHE[key]
    except KeyError:
        pass
    text, alter, octave = key
    step = STEPS.get((text or "").strip().upper())
    value = None if step is None else \
        (_int(octave, 4) + 1) * 12 + step + (0 if alter is None else round(_float(alter) or 0.0))
    if len(_PITCH_CACHE) < _CACHE_LIMIT:
        _PITCH_CACHE[key] = value
    return value


def _unpitched_pitch(note: Element, info: PartInfo) -> int | None:
    """MIDI pitch of an unpitched note: its instrument's ``<midi-unpitched>``, else the
    displayed step and octave."""
    unpitched = note.find("unpitched")
    if unpitched is None:
        return None
    instrument = note.find("instrument")
    if instrument is not None and instrument.get("id") in info.unpitched:
        return info.unpitched[instrument.get("id", "")]
    step = STEPS.get((unpitched.findtext("display-step") or "E").strip().upper(), 4)
    return (_int(unpitched.findtext("display-octave"), 4) + 1) * 12 + step


def _ties(note: Element) -> tuple[bool, bool]:
    """Whether a tie starts (or continues) and whether one stops (or continues) at the note.
    ``<tie>`` is the sound, ``<tied>`` the drawn slur; files carry one, the other or both."""
    marks = note.findall("tie")
    notations = note.find("notations")
    if notations is not None:
        marks += notations.findall("tied")
    kinds = {mark.get("type") for mark in marks}
    return ("start" in kinds or "continue" in kinds), ("stop" in kinds or "continue" in kinds)


class PartParser:
    """Parses the measures of one part in written order, carrying divisions, transposition
    and dynamics from measure to measure."""

    def __init__(self, info: PartInfo, resolution: int) -> None:
        self.info = info
        self.resolution = resolution
        self.scale = float(resolution)  # ticks per division (1 division per quarter at first)
        self._ticks: dict[str | None, int] = {}  # duration text -> ticks at this scale
        self.transpose = 0
        self.velocity = DEFAULT_VELOCITY
        self.ending: frozenset[int] = frozenset()
        self.last_ending = 0

    def ticks(self, text: str | None) -> int:
        """Divisions (a number in the file) in ticks; never negative."""
        try:
            return self._ticks[text]  # a part uses few distinct durations
        except KeyError:
            pass
        try:
            value = round(int(text) * self.scale)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = round((_float(text) or 0.0) * self.scale)
        value = max(value, 0)
        if value > MAX_TICKS:
            raise FormatError(f"duration {text!r} is too long ({value} ticks)")
        if len(self._ticks) < _CACHE_LIMIT:
            self._ticks[text] = value
        return value

    def measure(self, element: Element) -> ParsedMeasure:
        parsed = ParsedMeasure()
        marks: dict[str, Any] = {"endings": self.ending}
        position = furthest = chord_onset = chord_duration = 0
        for child in element:
            tag = child.tag
            if tag == "note":
                # The hot path. One dict of the note's children answers "has <chord/>?",
                # "<grace/>?", ... by hashing instead of one C scan of the children each.
                kids = {sub.tag: sub for sub in child}
                if "chord" in kids:
                    # A chord tone sounds with the chord's first note, for as long (some
                    # exporters give chord tones other <duration>s; <type> agrees with this).
                    onset, duration = chord_onset, chord_duration
                else:
                    onset = chord_onset = position
                    length = kids.get("duration")
                    duration = chord_duration = 0 if "grace" in kids or length is None \
                        else self.ticks(length.text)
                    position += duration
                if "rest" not in kids and "cue" not in kids:  # cue notes are silent
                    self._note(child, kids, onset, duration, parsed)
            elif tag == "backup":
                position = max(position - self.ticks(child.findtext("duration")), 0)
            elif tag == "forward":
                position += self.ticks(child.findtext("duration"))
            elif tag == "attributes":
                self._attributes(child, position, parsed)
            elif tag == "direction":
                self._direction(child, position, parsed, marks)
            elif tag == "sound":
                self._sound(child, position, parsed, marks)
            elif tag == "harmony":
                parsed.harmony.append((position + self.ticks(child.findtext("offset")),
                                       _harmony(child)))
            elif tag == "barline":
                self._barline(child, marks)
            if position > furthest:
                furthest = position
        parsed.length = furthest
        parsed.marks = _measure_marks(frozenset(marks.items()))
        return parsed

    def _note(self, note: Element, kids: dict[str, Element], onset: int, duration: int,
              parsed: ParsedMeasure) -> None:
        """Record a sounding note (one whose pitch cannot be read is left out); ``kids``
        maps the tags of the note's children to (the last of) those children."""
        pitch_element = kids.get("pitch")
        if pitch_element is not None:
            pitch = _pitch_of(pitch_element)
            if pitch is not None:
                pitch += self.transpose
        else:
            pitch = _unpitched_pitch(note, self.info)
        if pitch is None or not 0 <= pitch <= 127:
            return
        velocity = self.velocity
        if note.get("dynamics") is not None:
            velocity = _velocity(_float(note.get("dynamics")), velocity)
        # A tie drawn from a grace note to its main note would swallow the grace note;
        # grace notes keep no ties (as in music21), so both stay.
        notations = kids.get("notations")
        if duration and ("tie" in kids or (notations is not None
                                           and notations.find("tied") is not None)):
            tie_start, tie_stop = _ties(note)
        else:
            tie_start = tie_stop = False
        staff = kids.get("staff")
        voice = kids.get("voice")
        parsed.notes.append((onset, pitch, duration, velocity,
                             f"{'' if staff is None else staff.text or ''}/"
                             f"{'' if voice is None else voice.text or ''}",
                             tie_start, tie_stop))
        if "lyric" in kids:
            lyric = note.find("lyric")  # the first verse
            text = lyric.findtext("text")  # type: ignore[union-attr]
            if text is not None:
                if lyric.findtext("syllabic") in ("begin", "middle"):  # type: ignore[union-attr]
                    text += "-"
                parsed.lyrics.append((onset, text))

    def _attributes(self, element: Element, position: int, parsed: ParsedMeasure) -> None:
        divisions = _int(element.findtext("divisions"))
        if divisions > 0:
            self.scale = self.resolution / divisions
            self._ticks = {}
        transpose = element.find("transpose")
        if transpose is not None:
            self.transpose = (round(_float(transpose.findtext("chromatic")) or 0)
                              + 12 * _int(transpose.findtext("octave-change")))
        key = element.find("key")
        if key is not None and key.find("fifths") is not None:
            fifths = max(-7, min(7, _int(key.findtext("fifths"))))
            mode = (key.findtext("mode") or "").strip().lower() or None
            parsed.keys.append((position, fifths, mode))
        time = element.find("time")
        if time is not None and time.find("beats") is not None:
            meter = _meter(time)
            if meter is not None:
                parsed.meters.append((position, *meter))

    def _direction(self, element: Element, position: int, parsed: ParsedMeasure,
                   marks: dict[str, Any]) -> None:
        position += self.ticks(element.findtext("offset"))
        sound = element.find("sound")
        if sound is not None:
            self._sound(sound, position, parsed, marks)
        has_sound_tempo = sound is not None and sound.get("tempo") is not None
        has_sound_dynamics = sound is not None and sound.get("dynamics") is not None
        for kind in element.iterfind("direction-type"):
            for child in kind:
                if child.tag == "metronome" and not has_sound_tempo:
                    qpm = _metronome(child)
                    if qpm is not None:
                        parsed.tempos.append((position, qpm))
                elif child.tag == "dynamics" and not has_sound_dynamics:
                    for mark in child:
                        if mark.tag in DYNAMICS_MARKS:
                            self.velocity = DYNAMICS_MARKS[mark.tag]
                elif child.tag == "segno":
                    marks["segno"] = True
                elif child.tag == "coda" and not marks.get("tocoda"):
                    marks["coda"] = True

    def _sound(self, sound: Element, position: int, parsed: ParsedMeasure,
               marks: dict[str, Any]) -> None:
        tempo = _float(sound.get("tempo"))
        if tempo is not None and tempo > 0:
            parsed.tempos.append((position, tempo))
        if sound.get("dynamics") is not None:
            self.velocity = _velocity(_float(sound.get("dynamics")), self.velocity)
        for attribute, mark in (("segno", "segno"), ("coda", "coda"), ("tocoda", "tocoda"),
                                ("fine", "fine"), ("dacapo", "dacapo"),
                                ("dalsegno", "dalsegno")):
            value = sound.get(attribute)
            if value is not None and value.strip().lower() != "no":
                marks[mark] = True
        if marks.get("tocoda"):
            marks.pop("coda", None)  # the sign at a "to coda" is not where the coda starts

    def _barline(self, barline: Element, marks: dict[str, Any]) -> None:
        repeat = barline.find("repeat")
        if repeat is not None:
            if repeat.get("direction") == "forward":
                marks["repeat_start"] = True
                self.last_ending = 0  # a new section numbers its endings afresh
            elif repeat.get("direction") == "backward":
                marks["repeat_end"] = max(_int(repeat.get("times"), 2), 1)
        ending = barline.find("ending")
        if ending is None:
            return
        kind = ending.get("type")
        if kind == "start":
            numbers = frozenset(_ending_numbers(ending.get("number", "")))
            # An empty number (seen in the wild) means the next ending of the group.
            self.ending = numbers or frozenset({self.last_ending + 1})
            self.last_ending = max(self.ending)
            marks["endings"] = self.ending
        elif kind in ("stop", "discontinue"):
            marks["endings"] = self.ending
            self.ending = frozenset()


def _ending_numbers(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").replace(".", " ").split()
            if part.isdigit()]


def _velocity(percent: float | None, current: int) -> int:
    if percent is None or percent < 0:
        return current
    return max(0, min(127, round(percent * 0.9)))


def _metronome(metronome: Element) -> float | None:
    per_minute = _float(metronome.findtext("per-minute"))
    unit = BEAT_UNITS.get((metronome.findtext("beat-unit") or "").strip())
    if per_minute is None or per_minute <= 0 or unit is None:
        return None
    dots = len(metronome.findall("beat-unit-dot"))
    return per_minute * unit * (2 - 0.5**dots)


def _meter(time: Element) -> tuple[int, int] | None:
    """Numerator and denominator; ``3+2/8`` is 5/8 and ``3/8 + 2/4`` is 7/8."""
    pairs = []
    for beats, beat_type in zip(time.iterfind("beats"), time.iterfind("beat-type"),
                                strict=False):
        numerator = sum(_int(part) for part in (beats.text or "").split("+"))
        denominator = _int(beat_type.text)
        if numerator > 0 and denominator > 0:
            pairs.append((numerator, denominator))
    if not pairs:
        return None
    denominator = math.lcm(*(d for _, d in pairs))
    return sum(n * denominator // d for n, d in pairs), denominator


def _harmony(harmony: Element) -> dict[str, Any]:
    """A chord symbol as a dict: root (e.g. 'F#'), kind (MusicXML's name), text, bass."""
    def spelled(element: Element | None, step: str, alter: str) -> str | None:
        if element is None:
            return None
        name = (element.findtext(step) or "").strip()
        shift = round(_float(element.findtext(alter)) or 0)
        return name + ("#" * shift if shift > 0 else "b" * -shift)

    kind = harmony.find("kind")
    symbol = {"root": spelled(harmony.find("root"), "root-step", "root-alter"),
              "kind": (kind.text or "").strip() if kind is not None else None,
              "text": kind.get("text") if kind is not None else None,
              "bass": spelled(harmony.find("bass"), "bass-step", "bass-alter")}
    return {key: value for key, value in symbol.items() if value is not None}
