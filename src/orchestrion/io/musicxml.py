"""MusicXML files (``.musicxml``, ``.xml``, compressed ``.mxl``): a reader of our own.

Reading (:func:`read_musicxml`): partwise and timewise scores; one track per ``<part>``.

- ``resolution`` is the least common multiple of every ``<divisions>`` in the file, so every
  onset and duration is an exact tick (above 10080·12 ticks per quarter the largest
  ``<divisions>`` is used and times are rounded instead).
- Measures are laid out one after another, each as long as the furthest point its notes,
  ``<backup>`` and ``<forward>`` reach (so pickups and cadenzas keep their real length).
- Repeats, voltas, D.C., D.S., segno, coda, to-coda and fine are expanded by default
  (``expand_repeats=False`` keeps the written order); the rules are in
  :mod:`orchestrion.io._repeats`.
- Notes: ``<chord/>`` shares the previous onset; ties are merged into one note; pitches
  sound as played (``<transpose>`` applied: written + chromatic + 12·octave-change); grace
  notes (with or without ``<type>``) are notes of duration 0, as in music21; cue notes are
  not played and are skipped; unpitched notes take the ``<midi-unpitched>`` of their
  ``<instrument id="...">`` (the attribute) or else their displayed pitch.
- Velocity follows ``<sound dynamics>`` and a note's ``dynamics`` attribute (percent of
  forte, so velocity = 0.9 × value, per the MusicXML spec), else the dynamics marks
  (ppp … fff), else 64.
- Tempos come from ``<sound tempo>`` or else ``<metronome>`` (dotted and non-quarter beat
  units converted to quarters per minute); key signatures (fifths, mode, root) and time
  signatures (compound ``3+2/8`` counts 5/8) from the first part that has them.
- Lyrics (first verse; ``begin``/``middle`` syllables end in ``-``), part names, MIDI
  programs (``<midi-program>`` is 1-based in the file) and channel 10 as drums are kept;
  chord symbols (``<harmony>``) become track annotations of group ``"harmony"``.

Untrusted input is handled by :mod:`orchestrion.io._xml` (no entities, no DTD fetching) and
:mod:`orchestrion.io._archive` (zip-bomb and path checks); problems raise ``FormatError``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.core.model import (
    Annotation,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.core.notes import NoteArray
from orchestrion.errors import FormatError, ValidationError
from orchestrion.io import _archive, _xml
from orchestrion.io._repeats import MeasureMarks, playback_order
from orchestrion.io.files import check_readable

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_RESOLUTION = 10080 * 12
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
# Semitones from the major tonic (fifths) to the tonic of each mode.
MODE_OFFSETS = {"major": 0, "ionian": 0, "minor": 9, "aeolian": 9, "dorian": 2,
                "phrygian": 4, "lydian": 5, "mixolydian": 7, "locrian": 11}


# ------------------------------------------------------------------------------ parsing


@dataclass
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
    marks: MeasureMarks = field(default_factory=MeasureMarks)


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
        return int(text.strip())
    except ValueError:
        try:
            return round(float(text))
        except ValueError:
            return default


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _part_list(root: Element) -> dict[str, PartInfo]:
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


def _parts(root: Element) -> list[tuple[str, list[Element]]]:
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


def _resolution(root: Element) -> int:
    divisions = {d for d in (_int(e.text) for e in root.iter("divisions")) if d > 0}
    resolution = 1
    for value in divisions:
        resolution = math.lcm(resolution, value)
    if resolution > MAX_RESOLUTION:
        resolution = max(divisions)
    return resolution


def _pitch(note: Element, info: PartInfo, transpose: int) -> int | None:
    pitch = note.find("pitch")
    if pitch is not None:
        step = STEPS.get((pitch.findtext("step") or "").strip().upper())
        if step is None:
            return None
        alter = round(_float(pitch.findtext("alter")) or 0)
        return (_int(pitch.findtext("octave"), 4) + 1) * 12 + step + alter + transpose
    unpitched = note.find("unpitched")
    if unpitched is not None:
        instrument = note.find("instrument")
        if instrument is not None and instrument.get("id") in info.unpitched:
            return info.unpitched[instrument.get("id", "")]
        step = STEPS.get((unpitched.findtext("display-step") or "E").strip().upper(), 4)
        return (_int(unpitched.findtext("display-octave"), 4) + 1) * 12 + step
    return None


class _PartParser:
    """Parses the measures of one part in written order, carrying divisions, transposition
    and dynamics from measure to measure."""

    def __init__(self, info: PartInfo, resolution: int) -> None:
        self.info = info
        self.resolution = resolution
        self.scale = float(resolution)  # ticks per division (1 division per quarter at first)
        self.transpose = 0
        self.velocity = DEFAULT_VELOCITY
        self.ending: frozenset[int] = frozenset()
        self.last_ending = 0

    def ticks(self, text: str | None) -> int:
        return max(round((_float(text) or 0.0) * self.scale), 0)

    def measure(self, element: Element) -> ParsedMeasure:
        parsed = ParsedMeasure()
        marks: dict[str, Any] = {"endings": self.ending}
        position = furthest = chord_onset = chord_duration = 0
        for child in element:
            tag = child.tag
            if tag == "note":
                if child.find("chord") is not None:
                    # A chord tone sounds with the chord's first note, for as long (some
                    # exporters give chord tones other <duration>s; <type> agrees with this).
                    self._note(child, chord_onset, parsed, chord_duration)
                else:
                    chord_onset = position
                    chord_duration = self._note(child, position, parsed)
                    position += chord_duration
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
            furthest = max(furthest, position)
        parsed.length = furthest
        parsed.marks = MeasureMarks(**marks)
        return parsed

    def _note(self, note: Element, onset: int, parsed: ParsedMeasure,
              duration: int | None = None) -> int:
        """Record a note (or skip a rest); return how far it moves the position."""
        grace = note.find("grace") is not None
        if duration is None:
            duration = 0 if grace else self.ticks(note.findtext("duration"))
        if note.find("rest") is not None or note.find("cue") is not None:
            return duration
        pitch = _pitch(note, self.info, self.transpose)
        if pitch is None or not 0 <= pitch <= 127:
            return duration
        velocity = self.velocity
        if note.get("dynamics") is not None:
            velocity = _velocity(_float(note.get("dynamics")), velocity)
        # <tie> is the sound, <tied> the drawn slur; files carry one, the other or both.
        ties = {tie.get("type") for tie in note.iterfind("tie")}
        ties.update(tied.get("type") for tied in note.iterfind("notations/tied"))
        voice = f"{note.findtext('staff') or ''}/{note.findtext('voice') or ''}"
        parsed.notes.append((onset, pitch, duration, velocity, voice,
                             "start" in ties or "continue" in ties,
                             "stop" in ties or "continue" in ties))
        lyric = note.find("lyric")
        if lyric is not None and lyric.findtext("text") is not None:
            text = lyric.findtext("text") or ""
            if lyric.findtext("syllabic") in ("begin", "middle"):
                text += "-"
            parsed.lyrics.append((onset, text))
        return duration

    def _attributes(self, element: Element, position: int, parsed: ParsedMeasure) -> None:
        divisions = _int(element.findtext("divisions"))
        if divisions > 0:
            self.scale = self.resolution / divisions
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


# ------------------------------------------------------------------------------- layout


def _lay_out(measures: list[ParsedMeasure], order: list[int], info: PartInfo,
             name: str | None) -> tuple[Track, list[int]]:
    """The part's track with measures placed in ``order``; also each placed measure's start
    (indexed like ``order``). Tied notes are merged on the way."""
    starts = []
    times: list[int] = []
    pitches: list[int] = []
    durations: list[int] = []
    velocities: list[int] = []
    open_ties: dict[tuple[str, int], int] = {}  # (voice, pitch) -> note a tie holds
    track = Track(program=info.program, is_drum=info.is_drum, name=name)
    offset = 0
    for index in order:
        if index >= len(measures):
            continue
        measure = measures[index]
        starts.append(offset)
        for onset, pitch, duration, velocity, voice, tie_start, tie_stop in measure.notes:
            time = offset + onset
            held = _tied_note(open_ties, voice, pitch, time, tie_stop, times, durations)
            if held is not None:
                durations[held] += duration
                current = held
            else:
                current = len(times)
                times.append(time)
                pitches.append(pitch)
                durations.append(duration)
                velocities.append(velocity)
            if tie_start:
                open_ties[(voice, pitch)] = current
        track.lyrics.extend(Lyric(offset + t, text) for t, text in measure.lyrics)
        track.annotations.extend(Annotation(offset + t, symbol, "harmony")
                                 for t, symbol in measure.harmony)
        offset += measure.length
    notes = NoteArray(times, pitches, durations, velocities)
    track.set_note_array(notes.sorted(), validate=False)  # values were checked on parsing
    return track, starts


def _tied_note(open_ties: dict[tuple[str, int], int], voice: str, pitch: int, time: int,
               tie_stop: bool, times: list[int], durations: list[int]) -> int | None:
    """The note a tie holds into this one, taken out of ``open_ties``; ``None`` if none.

    A tie start holds its note into the next note of the same pitch in the same voice that
    begins where it ends, whether or not that one says ``<tie type="stop"/>`` (some files
    omit it); a note that does say so may also continue a tie from another voice.
    """
    candidates = [(voice, pitch)]
    if tie_stop:
        candidates += [key for key in open_ties if key[1] == pitch and key[0] != voice]
    for key in candidates:
        held = open_ties.get(key)
        if held is not None and times[held] + durations[held] == time:
            del open_ties[key]
            return held
    return None


def _global_events(parsed: list[list[ParsedMeasure]], starts: list[list[int]],
                   orders: list[list[int]], music: Music) -> None:
    """Tempos from every part (first part first where two coincide); key and time
    signatures from the first part that has any."""
    tempos: dict[int, float] = {}
    for measures, part_starts, order in zip(parsed, starts, orders, strict=True):
        placed = [i for i in order if i < len(measures)]
        for index, start in zip(placed, part_starts, strict=True):
            for time, qpm in measures[index].tempos:
                tempos.setdefault(start + time, qpm)
    music.tempos = [Tempo(time, qpm) for time, qpm in sorted(tempos.items())]
    for measures, part_starts, order in zip(parsed, starts, orders, strict=True):
        placed = [i for i in order if i < len(measures)]
        keys = [(start + t, fifths, mode) for i, start in zip(placed, part_starts, strict=True)
                for t, fifths, mode in measures[i].keys]
        if keys and not music.key_signatures:
            music.key_signatures = [_key(*key) for key in _dedupe(keys)]
        meters = [(start + t, n, d) for i, start in zip(placed, part_starts, strict=True)
                  for t, n, d in measures[i].meters]
        if meters and not music.time_signatures:
            music.time_signatures = [TimeSignature(*meter) for meter in _dedupe(meters)]


def _dedupe(events: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Drop an event that only repeats the one before it (a signature restated after a
    repeat or at a system break)."""
    kept: list[tuple[Any, ...]] = []
    for event in events:
        if not kept or event[1:] != kept[-1][1:]:
            kept.append(event)
    return kept


def _key(time: int, fifths: int, mode: str | None) -> KeySignature:
    offset = MODE_OFFSETS.get(mode or "major")
    root = None if offset is None else (7 * fifths + offset) % 12
    return KeySignature(time, root=root, mode=mode or "major", fifths=fifths)


def _metadata(root: Element, path: str | os.PathLike[str] | None) -> Metadata:
    title = (root.findtext("work/work-title") or root.findtext("movement-title") or "").strip()
    creators = [c.text.strip() for c in root.iterfind("identification/creator")
                if c.text and c.text.strip()]
    rights = (root.findtext("identification/rights") or "").strip()
    return Metadata(title=title or None, creators=creators or None, copyright=rights or None,
                    source_filename=Path(path).name if path is not None else None,
                    source_format="musicxml")


def from_element(root: Element, path: str | os.PathLike[str] | None = None, *,
                 expand_repeats: bool = True) -> Music:
    """:class:`Music` from a parsed MusicXML document (``<score-partwise>`` or
    ``<score-timewise>``)."""
    infos = _part_list(root)
    resolution = _resolution(root)
    parts = _parts(root)
    parsed = []
    for part_id, measures in parts:
        parser = _PartParser(infos.get(part_id, PartInfo()), resolution)
        parsed.append([parser.measure(measure) for measure in measures])
    n_measures = max((len(p) for p in parsed), default=0)
    marks = parsed[0] if parsed else []
    order = playback_order([m.marks for m in marks]) if expand_repeats \
        else list(range(n_measures))
    if expand_repeats and len(marks) < n_measures:  # a longer later part plays on
        order += list(range(len(marks), n_measures))
    music = Music(metadata=_metadata(root, path), resolution=resolution)
    starts, orders = [], []
    for (part_id, _), measures in zip(parts, parsed, strict=True):
        info = infos.get(part_id, PartInfo())
        track, part_starts = _lay_out(measures, order, info, info.name)
        music.tracks.append(track)
        starts.append(part_starts)
        orders.append(order)
    _global_events(parsed, starts, orders, music)
    return music


def from_bytes(data: bytes, path: str | os.PathLike[str] | None = None, *,
               expand_repeats: bool = True) -> Music:
    """:class:`Music` from the bytes of a MusicXML file, compressed (``.mxl``) or not."""
    if data[:2] == b"PK":
        data = _archive.read_mxl(data, path)
    root = _xml.parse_xml(data, path)
    try:
        return from_element(root, path, expand_repeats=expand_repeats)
    except FormatError as error:
        raise FormatError(error.reason, path) from None
    except (ValidationError, ValueError, OverflowError) as error:
        raise FormatError(f"invalid MusicXML: {error}", path) from None


def read_musicxml(path: str | os.PathLike[str], *, expand_repeats: bool = True) -> Music:
    """Read a MusicXML file (``.musicxml``, ``.xml`` or compressed ``.mxl``)."""
    data = check_readable(path).read_bytes()
    return from_bytes(data, path, expand_repeats=expand_repeats)


read = read_musicxml
