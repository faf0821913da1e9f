"""Parsing of MuseScore staves, measure by measure, for :mod:`orchestrion.io.musescore` (which
assembles the measures into parts, lays them out and documents the rules).

Times here are exact: ticks at the file's ``<Division>`` (an ``int``), or a ``Fraction`` of
such ticks where a tuplet or an odd ``<Measure len>`` leaves the grid (MuseScore itself counts
in fractions of a whole note). They become ticks at the final resolution only once the whole
file has been seen and the resolution that keeps every one of them exact is known. Plain
``int`` arithmetic on the common path is what keeps long scores fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from orchestrion.io._musicxml_parse import _int

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ONE = Fraction(1)
FOUR_FOUR = Fraction(1)  # in whole notes

Time = int | Fraction  # ticks at <Division>; a Fraction only off that grid

# Written length of each <durationType>, in whole notes ("measure" is handled apart).
BASE_DURATIONS = {name: Fraction(2) ** (2 - i) for i, name in enumerate(
    ("long", "breve", "whole", "half", "quarter", "eighth", "16th", "32nd", "64th", "128th",
     "256th", "512th", "1024th"))}
GRACE_BEFORE = frozenset({"acciaccatura", "appoggiatura", "grace4", "grace16", "grace32"})
GRACE_AFTER = frozenset({"grace8after", "grace16after", "grace32after"})
GRACE_TAGS = GRACE_BEFORE | GRACE_AFTER

# MuseScore's velocities for the ordinary dynamics marks.
LEVELS = {"pppppp": 1, "ppppp": 5, "pppp": 10, "ppp": 16, "pp": 33, "p": 49, "mp": 64,
          "mf": 80, "f": 96, "ff": 112, "fff": 126, "ffff": 127, "fffff": 127, "ffffff": 127}
# Single-note accents: the level of the notes that start with the mark; the ones after it
# return to the level before (MuseScore 4's rule).
ACCENTS = {"sf": 96, "sfz": 96, "rf": 96, "rfz": 96, "fz": 96, "sff": 112, "sffz": 112,
           "sfff": 126, "sfffz": 126}
# Compound marks: (level of the notes at the mark, level from then on).
COMPOUNDS = {"fp": (96, 49), "pf": (49, 96), "sfp": (96, 49), "sfpp": (96, 33)}

# Ottava lines shift the sounding pitch; MuseScore 2 files number them in this order.
OTTAVA_SHIFTS = {"8va": 12, "8vb": -12, "15ma": 24, "15mb": -24, "22ma": 36, "22mb": -36,
                 "0": 12, "1": -12, "2": 24, "3": -24, "4": 36, "5": -36}

# <Marker> types (the <subtype>, else the <label>) and what they mean for the order of play.
# MuseScore calls the coda sign "codab" and the "To Coda" text "coda".
MARKERS = {"segno": "segno", "varsegno": "segno", "codab": "coda", "varcoda": "coda",
           "codetta": "coda", "fine": "fine", "coda": "tocoda", "tocoda": "tocoda",
           "tocodasym": "tocoda"}

# (onset, pitch, duration, velocity kind, velocity value, voice, tie starts, tie stops)
RawNote = tuple[Time, int, Time, int, int, str, bool, bool]
VELOCITY_NONE, VELOCITY_ABSOLUTE, VELOCITY_OFFSET = 0, 1, 2


def fraction(text: str | None) -> Fraction:
    """A fraction such as ``-1/4`` or ``3``; zero for anything unreadable."""
    if not text:
        return Fraction(0)
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def exact(value: Fraction) -> Time:
    """``value`` as an ``int`` when it is whole (ints add far faster than Fractions)."""
    return value.numerator if value.denominator == 1 else value


def number(text: str | None) -> float | None:
    """A finite float, or ``None``."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


@dataclass(slots=True)
class PartSpec:
    """What a ``<Part>`` says: name, program, drums, its staves and its transposition."""

    name: str | None = None
    program: int = 0
    is_drum: bool = False
    staff_ids: list[str] = field(default_factory=list)
    transpose_diatonic: int = 0
    transpose_chromatic: int = 0


@dataclass(slots=True)
class RawMeasure:
    """One measure of one staff, times in ticks at <Division> from the measure's start."""

    notes: list[RawNote] = field(default_factory=list)
    # (onset, level of the notes at the mark, level from then on or None: unchanged)
    dynamics: list[tuple[Time, int, int | None]] = field(default_factory=list)
    lyrics: list[tuple[Time, str]] = field(default_factory=list)
    tempos: list[tuple[Time, float]] = field(default_factory=list)
    # (onset, fifths, mode, concert): concert is False for MuseScore 3's written keys
    keys: list[tuple[Time, int, str | None, bool]] = field(default_factory=list)
    meters: list[tuple[Time, int, int]] = field(default_factory=list)
    harmony: list[tuple[Time, dict[str, Any]]] = field(default_factory=list)
    repeat_of: int = 0  # a measure-repeat sign: replay the measure this many before


def read_part(part: Element, next_staff: int) -> PartSpec:
    """A ``<Part>``; staves without an ``id`` (MuseScore 5) are numbered from ``next_staff``."""
    instrument = part.find("Instrument")
    spec = PartSpec()
    for offset, staff in enumerate(part.iterfind("Staff")):
        spec.staff_ids.append(staff.get("id") or str(next_staff + offset))
        staff_type = staff.find("StaffType")
        if staff_type is not None and staff_type.get("group") == "percussion":
            spec.is_drum = True
    name = (part.findtext("trackName") or "").strip()
    if instrument is not None:
        name = name or (instrument.findtext("longName") or instrument.findtext(
            "InstrumentLabel/longName") or instrument.findtext("trackName") or "").strip()
        spec.is_drum = spec.is_drum or _int(instrument.findtext("useDrumset")) == 1
        program = instrument.find("Channel/program")
        if program is not None:
            spec.program = min(max(_int(program.get("value")), 0), 127)
        spec.transpose_diatonic = _int(instrument.findtext("transposeDiatonic"))
        spec.transpose_chromatic = _int(instrument.findtext("transposeChromatic"))
    spec.name = " ".join(name.split()) or None
    return spec


def measure_lengths(measures: list[Element], whole: int) -> list[Time]:
    """The length of each measure in ticks (``whole`` per whole note): its ``len`` attribute
    (pickups, cadenzas), else the time signature in force (4/4 until one is given)."""
    lengths: list[Time] = []
    meter = FOUR_FOUR
    for measure in measures:
        for voice in measure.iterfind("voice"):
            sig = voice.find("TimeSig")
            if sig is not None:
                n, d = _int(sig.findtext("sigN")), _int(sig.findtext("sigD"))
                if n > 0 and d > 0:
                    meter = Fraction(n, d)
                break
        length = fraction(measure.get("len"))
        lengths.append(exact((length if length > 0 else meter) * whole))
    return lengths


def fifths_of_interval(diatonic: int, chromatic: int) -> int:
    """How many fifths an interval moves a key (major second up: +2; perfect fourth: -1)."""
    for fifths in sorted(range(-12, 13), key=abs):
        if (4 * fifths - diatonic) % 7 == 0 and (7 * fifths - chromatic) % 12 == 0:
            return fifths
    return 0


def tpc_name(tpc: int) -> str:
    """A MuseScore tonal pitch class (14 = C, 15 = G, 13 = F, 21 = C#) as a note name."""
    step = "FCGDAEB"[(tpc + 1) % 7]
    sharps = (tpc + 1) // 7 - 2
    return step + ("#" * sharps if sharps > 0 else "b" * -sharps)


class StaffParser:
    """Parses the measures of one staff in written order.

    ``marks`` (one dict of :class:`~orchestrion.io._repeats.MeasureMarks` fields per
    measure) is shared by all staves: repeat signs, voltas and jumps may sit on any of them.
    ``denominators`` collects the denominators of every length seen, for the resolution.
    """

    def __init__(self, key: str, whole: int, lengths: list[Time], starts: list[Time],
                 marks: list[dict[str, Any]], denominators: set[int], *, ms3: bool) -> None:
        self.key = key
        self.whole = whole  # ticks per whole note
        self.lengths = lengths
        self.starts = starts  # written start of each measure (and the end, last)
        self.marks = marks
        self.denominators = denominators
        self.ms3 = ms3
        self.durations: dict[tuple[str | None, int], Time] = {}
        # measure index -> ottava lines crossing it: (written start, written end, shift)
        self.ottavas: dict[int, list[tuple[Time, Time, int]]] = {}

    def parse(self, measures: list[Element]) -> list[RawMeasure]:
        """The staff's measures, in written order."""
        parsed: list[RawMeasure] = []
        for index, measure in enumerate(measures):
            raw = RawMeasure()
            self._measure(measure, index, raw)
            if raw.repeat_of and index >= raw.repeat_of:
                raw.notes = list(parsed[index - raw.repeat_of].notes)
            parsed.append(raw)
        return parsed

    def _measure(self, measure: Element, index: int, raw: RawMeasure) -> None:
        marks = self.marks[index] if index < len(self.marks) else {}
        voice_index = 0
        for child in measure:
            tag = child.tag
            if tag == "voice":
                self._voice(child, index, f"{self.key}/{voice_index}", raw, marks)
                voice_index += 1
            elif tag == "startRepeat":
                marks["repeat_start"] = True
            elif tag == "endRepeat":
                marks["repeat_end"] = max(marks.get("repeat_end", 0),
                                          max(_int(child.text, 2), 1))
            elif tag in ("Marker", "Jump"):
                _jump_or_marker(child, marks)
            elif tag == "measureRepeatCount":
                raw.repeat_of = max(_int(child.text), 0)

    def _voice(self, voice: Element, index: int, voice_key: str, raw: RawMeasure,
               marks: dict[str, Any]) -> None:
        position: Time = 0
        ratio = ONE  # product of the open tuplets' normal/actual
        stack: list[Fraction] = []
        legacy: dict[str, Fraction] = {}  # MuseScore 2 style <Tuplet id="n"> ratios
        graces: list[tuple[bool, list[Element]]] = []  # grace chords awaiting their chord
        for child in voice:
            tag = child.tag
            if tag == "Chord":
                position += self._chord(child, index, position, ratio, legacy, voice_key,
                                        raw, graces)
                if position.__class__ is not int:
                    position = exact(position)
            elif tag == "Rest":
                position += self._duration(child, None, 0, ratio, legacy, index)
                if position.__class__ is not int:
                    position = exact(position)
            elif tag == "location":
                position = max(exact(position + self._ticks(fraction(
                    child.findtext("fractions")))), 0)
            elif tag == "Tuplet":
                tuplet = _tuplet_ratio(child)
                if child.get("id") is not None:
                    legacy[child.get("id", "")] = tuplet
                else:
                    stack.append(ratio)
                    ratio *= tuplet
            elif tag == "endTuplet":
                if stack:
                    ratio = stack.pop()
            elif tag == "Dynamic":
                self._dynamic(child, position, raw)
            elif tag == "Tempo":
                per_second = number(child.findtext("tempo"))
                if per_second is not None and per_second > 0:
                    raw.tempos.append((position, 60.0 * per_second))
            elif tag == "TimeSig":
                n, d = _int(child.findtext("sigN")), _int(child.findtext("sigD"))
                if n > 0 and d > 0:
                    raw.meters.append((position, n, d))
            elif tag == "KeySig":
                _key(child, position, raw)
            elif tag == "Spanner":
                self._spanner(child, index, position)
            elif tag in ("Marker", "Jump"):
                _jump_or_marker(child, marks)
            elif tag == "Harmony":
                symbol = _harmony(child)
                if symbol:
                    raw.harmony.append((position, symbol))
            elif tag in ("MeasureRepeat", "RepeatMeasure"):
                raw.repeat_of = raw.repeat_of or 1
                position += self.lengths[index] if index < len(self.lengths) else 0

    def _ticks(self, value: Fraction) -> Time:
        """Whole notes in ticks at <Division>; a denominator left is kept for the resolution."""
        ticks = exact(value * self.whole)
        if ticks.__class__ is not int:
            self.denominators.add(ticks.denominator)
        return ticks

    def _duration(self, element: Element, kind: str | None, dots: int, ratio: Fraction,
                  legacy: dict[str, Fraction], index: int) -> Time:
        """The played length of a chord or rest (``kind``/``dots`` already read for chords)."""
        if kind is None:
            kind = element.findtext("durationType")
            dots = _int(element.findtext("dots"))
            reference = element.findtext("Tuplet")
            if reference is not None and legacy:
                ratio *= legacy.get(reference.strip(), ONE)
        if kind == "measure":  # a whole-measure rest: its <duration>, else the measure
            length = fraction(element.findtext("duration"))
            if length > 0:
                return self._ticks(length)
            return self.lengths[index] if index < len(self.lengths) else self.whole
        written = self.durations.get((kind, dots))
        if written is None:
            base = BASE_DURATIONS.get((kind or "").strip(), Fraction(0))
            written = self._ticks(base * (2 - Fraction(1, 2 ** max(min(dots, 8), 0))))
            self.durations[(kind, dots)] = written
        if ratio == 1:
            return written
        length = exact(written * ratio)
        if length.__class__ is not int:
            self.denominators.add(length.denominator)
        return length

    def _chord(self, chord: Element, index: int, position: Time, ratio: Fraction,
               legacy: dict[str, Fraction], voice_key: str, raw: RawMeasure,
               graces: list[tuple[bool, list[Element]]]) -> Time:
        """Record a chord's notes (and the grace chords waiting for it); return how far it
        moves the voice on (nothing, for a grace chord)."""
        kind: str | None = None
        dots = 0
        notes = []
        grace = None
        lyrics = None
        for child in chord:
            tag = child.tag
            if tag == "Note":
                notes.append(child)
            elif tag == "durationType":
                kind = child.text
            elif tag == "dots":
                dots = _int(child.text)
            elif tag in GRACE_TAGS:
                grace = tag
            elif tag == "Lyrics" and lyrics is None and _int(child.findtext("no")) == 0:
                lyrics = child
            elif tag == "Tuplet" and child.text and legacy:
                ratio *= legacy.get(child.text.strip(), ONE)
        if grace is not None:
            # MuseScore writes grace chords, after-graces too, before the chord they belong to.
            graces.append((grace in GRACE_AFTER, notes))
            return 0
        duration = self._duration(chord, kind or "quarter", dots, ratio, legacy, index)
        for note in notes:
            self._note(note, position, duration, voice_key, raw, ties=True)
        for after, grace_notes in graces:
            for note in grace_notes:
                self._note(note, position + duration if after else position, 0, voice_key,
                           raw, ties=False)
        graces.clear()
        if lyrics is not None:
            element = lyrics.find("text")  # (an Element without children is falsy)
            text = "".join(element.itertext()).strip() if element is not None else ""
            if text:
                if (lyrics.findtext("syllabic") or "").strip() in ("begin", "middle"):
                    text += "-"
                raw.lyrics.append((position, text))
        return duration

    def _note(self, note: Element, onset: Time, duration: Time, voice_key: str,
              raw: RawMeasure, *, ties: bool) -> None:
        pitch = -1
        velocity: int | None = None
        user = False
        tie_start = tie_stop = False
        for child in note:
            tag = child.tag
            if tag == "pitch":
                pitch = _int(child.text, -1)
            elif tag == "velocity":
                velocity = _int(child.text)
            elif tag == "veloType":
                user = (child.text or "").strip() == "user"
            elif tag == "play" and (child.text or "").strip() == "0":
                return  # a note set not to play
            elif tag == "Spanner" and child.get("type") == "Tie":
                tie_start = tie_start or child.find("next") is not None
                tie_stop = tie_stop or child.find("prev") is not None
            elif tag == "Tie":  # the older form: <Tie id="n"/> ... <endSpanner id="n"/>
                tie_start = True
            elif tag == "endSpanner":
                tie_stop = True
        if not 0 <= pitch <= 127:
            return
        kind, value = VELOCITY_NONE, 0
        if velocity is not None:
            if self.ms3 and not user:  # MuseScore 3: a percentage added to the dynamics
                kind, value = (VELOCITY_OFFSET, velocity) if velocity else (VELOCITY_NONE, 0)
            elif velocity > 0:  # MuseScore 4's user velocity, MuseScore 3's "user" type
                kind, value = VELOCITY_ABSOLUTE, min(velocity, 127)
        raw.notes.append((onset, pitch, duration, kind, value, voice_key,
                          tie_start and ties, tie_stop and ties))

    def _dynamic(self, element: Element, position: Time, raw: RawMeasure) -> None:
        mark = (element.findtext("subtype") or "").strip()
        given = element.findtext("velocity")
        velocity = min(max(_int(given), 0), 127) if given is not None else None
        if mark in ACCENTS:
            raw.dynamics.append((position, velocity or ACCENTS[mark], None))
        elif mark in COMPOUNDS:
            first, then = COMPOUNDS[mark]
            raw.dynamics.append((position, velocity or first, then))
        elif mark in LEVELS or velocity:
            level = velocity or LEVELS[mark]
            raw.dynamics.append((position, level, level))

    def _spanner(self, spanner: Element, index: int, position: Time) -> None:
        """Voltas (the measures they cover) and ottava lines (the span they shift)."""
        kind = spanner.get("type")
        if kind == "Volta":
            volta = spanner.find("Volta")
            if volta is None:
                return  # the end of a volta: its start said how far it goes
            numbers = frozenset(_ending_numbers(volta.findtext("endings")
                                                or volta.findtext("beginText") or ""))
            span = max(_int(spanner.findtext("next/location/measures"), 1), 1)
            for k in range(index, min(index + span, len(self.marks))):
                self.marks[k]["endings"] = numbers
        elif kind == "Ottava":
            ottava = spanner.find("Ottava")
            if ottava is None:
                return
            shift = OTTAVA_SHIFTS.get((ottava.findtext("subtype") or "8va").strip())
            if shift is None:
                return
            measures = _int(spanner.findtext("next/location/measures"))
            last = min(max(index + measures, index), len(self.lengths) - 1)
            # A spanner's end is a (measures, fractions) step from where it starts, and it
            # ends before the note found there.
            target = index + measures
            base = self.starts[target] if 0 <= target < len(self.starts) else self.starts[-1]
            end = base + position + self._ticks(fraction(
                spanner.findtext("next/location/fractions")))
            start = self.starts[index] + position
            for k in range(index, last + 1):
                self.ottavas.setdefault(k, []).append((start, end, shift))

    def ottava_shift(self, index: int, onset: Time) -> int:
        """Semitones the ottava lines over this point of measure ``index`` add."""
        lines = self.ottavas.get(index)
        if not lines:
            return 0
        at = self.starts[index] + onset
        return sum(shift for start, end, shift in lines if start <= at < end)


def _tuplet_ratio(tuplet: Element) -> Fraction:
    normal, actual = _int(tuplet.findtext("normalNotes")), _int(tuplet.findtext("actualNotes"))
    return Fraction(normal, actual) if normal > 0 and actual > 0 else ONE


def _key(element: Element, position: Time, raw: RawMeasure) -> None:
    """MuseScore 4 writes the concert key (``<concertKey>``), MuseScore 3 the key as shown
    (``<accidental>``, written for transposing parts unless the score was saved in concert
    pitch); custom and atonal signatures carry neither and are left out."""
    concert = element.findtext("concertKey")
    text = concert if concert is not None else element.findtext("accidental")
    if text is None or element.findtext("custom") == "1":
        return
    mode = (element.findtext("mode") or "").strip().lower()
    raw.keys.append((position, _int(text), None if mode in ("", "none", "unknown") else mode,
                     concert is not None))


def _jump_or_marker(element: Element, marks: dict[str, Any]) -> None:
    if element.tag == "Jump":
        target = (element.findtext("jumpTo") or "").strip()
        if target:
            marks["dacapo" if target == "start" else "dalsegno"] = True
        return
    kind = (element.findtext("subtype") or "").strip()
    meaning = MARKERS.get(kind) or MARKERS.get((element.findtext("label") or "").strip())
    if meaning is not None:
        marks[meaning] = True
    if marks.get("tocoda"):
        marks.pop("coda", None)  # as in MusicXML: a to-coda measure is not where it lands


def _ending_numbers(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").replace(".", " ").split()
            if part.isdigit()]


def _harmony(harmony: Element) -> dict[str, Any]:
    """A chord symbol: root and bass spelled from their tonal pitch classes, and its text."""
    symbol: dict[str, Any] = {}
    root = harmony.findtext("root")
    if root is not None and root.strip().lstrip("-").isdigit():
        symbol["root"] = tpc_name(int(root))
    name = (harmony.findtext("name") or "").strip()
    if name:
        symbol["text"] = name
    bass = harmony.findtext("base")
    if bass is not None and bass.strip().lstrip("-").isdigit():
        symbol["bass"] = tpc_name(int(bass))
    return symbol
