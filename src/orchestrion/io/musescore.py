"""MuseScore files (``.mscx``, compressed ``.mscz``), MuseScore 3 and 4: a reader of our own.

Reading (:func:`read_musescore`): one track per ``<Part>``; the notes of all its staves (a
piano's two) go to that track. Files of MuseScore 1 and 2 (``version`` below 3) are refused
with a :class:`~orchestrion.errors.FormatError` (their layout differs: no ``<voice>``).

- Times: MuseScore counts in exact fractions of a whole note; ``resolution`` is
  ``<Division>`` (480), raised to the least multiple that keeps every onset and duration an
  exact tick (1440 with nine-note tuplets, 3360 with septuplets); above 120,960 the
  ``<Division>`` is kept and times round.
- Measures are laid out one after another, each as long as its ``len`` attribute (pickups,
  cadenzas) or else the time signature in force; ``music.barlines`` holds their starts.
  Voices (``<voice>``) start at the measure's start and move on by their chords' and rests'
  lengths (``<durationType>``, ``<dots>``, ``<Tuplet>`` … ``<endTuplet/>`` nested or not,
  and the older ``<Tuplet id>`` references) and by ``<location><fractions>`` steps.
- Repeats (``<startRepeat/>``, ``<endRepeat>n``), voltas (``<Spanner type="Volta">`` over the
  measures its ``<next>`` counts), D.C./D.S. (``<Jump><jumpTo>``), segno, coda, to-coda and
  fine (``<Marker>``) are expanded by default, by the rules of :mod:`orchestrion.io._repeats`
  (``expand_repeats=False`` keeps the written order). Measure-repeat signs replay the measure
  they repeat.
- Notes: ``<pitch>`` is the sounding (concert) pitch, also for transposing instruments;
  ottava lines (``<Spanner type="Ottava">``) shift it by their octaves. Ties
  (``<Spanner type="Tie">`` with ``<next>``/``<prev>``, or the older ``<Tie>``/``<endSpanner>``)
  merge into one note by the rule of the MusicXML reader. Grace chords (``<acciaccatura/>``,
  ``<appoggiatura/>``, ``<grace4/16/32/>``) are notes of duration 0 at their chord's onset,
  after-graces (``<grace8after/>`` …) at its end. Notes with ``<play>0</play>`` are skipped.
- Velocity: from ``<Dynamic>`` marks (their ``<velocity>``, else MuseScore's table: ppp 16,
  pp 33, p 49, mp 64, mf 80, f 96, ff 112, fff 126), which hold for the whole part from
  their onset on; accents (sf, sfz, fz, rf, rfz, sff …) only for the notes that start with
  them, compound marks (fp, sfp, sfpp, pf) their first level there and the second after.
  Before the first mark: 64. A note's own ``<velocity>`` is a user velocity in MuseScore 4
  and in MuseScore 3 with ``<veloType>user</veloType>``; otherwise, in MuseScore 3, it is a
  percentage added to the dynamics level (as MuseScore 3 plays it).
- Tempos from ``<Tempo><tempo>`` (quarter notes per second, so qpm = 60 × value); time
  signatures from ``<TimeSig>``; key signatures from ``<KeySig>``: ``<concertKey>``
  (MuseScore 4) or ``<accidental>`` (MuseScore 3, turned into the concert key for a
  transposing part unless the score was saved in concert pitch), ``<mode>`` (major, minor,
  church modes) when given. Keys and meters come from the first staff of the first part that
  has them; tempos from every staff.
- Lyrics (first verse; ``begin``/``middle`` syllables end in ``-``), ``<Harmony>`` chord
  symbols (track annotations of group ``"harmony"``: root, bass, text), part names
  (``<trackName>``, else the instrument's ``<longName>``), programs (the first
  ``<Channel><program value>``, 0-based), drums (``<useDrumset>1``, percussion staves) and
  the ``workTitle`` (else ``movementTitle``), ``composer``, ``lyricist``, ``arranger`` and
  ``copyright`` meta tags.

Untrusted input is handled by :mod:`orchestrion.io._xml` (no entities, no DTD fetching) and
:mod:`orchestrion.io._archive` (zip-bomb and path checks); problems raise ``FormatError``
naming the file.
"""

from __future__ import annotations

import math
import os
from bisect import bisect_right
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrion.core.model import Barline, Metadata, Music
from orchestrion.errors import FormatError, ValidationError
from orchestrion.io import _archive, _xml
from orchestrion.io._measures import gc_paused, global_events, lay_out, measure_starts
from orchestrion.io._musescore_parse import (
    VELOCITY_ABSOLUTE,
    VELOCITY_OFFSET,
    PartSpec,
    RawMeasure,
    StaffParser,
    Time,
    fifths_of_interval,
    measure_lengths,
    read_part,
)
from orchestrion.io._musicxml_parse import (
    DEFAULT_VELOCITY,
    MAX_RESOLUTION,
    MAX_TICKS,
    ParsedMeasure,
    PartInfo,
    _int,
)
from orchestrion.io._repeats import MeasureMarks, playback_order
from orchestrion.io.files import check_readable

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["from_bytes", "from_element", "read", "read_musescore"]

DEFAULT_DIVISION = 480


# ------------------------------------------------------------------------------ structure


def _version(root: Element) -> int | None:
    """The major format version (3 for "3.02", 4 for "4.20"); refuses MuseScore 1 and 2."""
    if root.tag != "museScore":
        raise FormatError(f"not a MuseScore file (root element <{root.tag}>)")
    text = (root.get("version") or "").strip()
    if not text:
        return None
    try:
        major = int(text.split(".")[0])
    except ValueError:
        raise FormatError(f"unreadable MuseScore version {text!r}") from None
    if major < 3:
        raise FormatError(f"MuseScore {major} files (version {text}) are not supported; "
                          "open the file in MuseScore 3 or 4 and save it again")
    return major


def _parts(score: Element, staves: list[Element]) -> list[PartSpec]:
    """The parts in score order; a staff no part claims (or every staff of a file without
    ``<Part>``) becomes a part of its own."""
    parts = []
    counter = 1
    for part in score.iterfind("Part"):
        spec = read_part(part, counter)
        counter += len(spec.staff_ids)
        parts.append(spec)
    claimed = {staff_id for spec in parts for staff_id in spec.staff_ids}
    for staff in staves:
        staff_id = staff.get("id", "")
        if staff_id not in claimed:
            parts.append(PartSpec(staff_ids=[staff_id]))
    return parts


def _metadata(score: Element, path: str | os.PathLike[str] | None) -> Metadata:
    tags = {tag.get("name"): " ".join((tag.text or "").split())
            for tag in score.iterfind("metaTag")}
    creators = [tags[name] for name in ("composer", "lyricist", "arranger") if tags.get(name)]
    return Metadata(title=tags.get("workTitle") or tags.get("movementTitle") or None,
                    creators=creators or None, copyright=tags.get("copyright") or None,
                    source_filename=Path(path).name if path is not None else None,
                    source_format="musescore")


def _resolution(division: int, denominators: set[int]) -> int:
    """The least multiple of ``division`` in which every time seen (ticks at ``division``,
    fractions with these denominators) is a whole number of ticks; ``division`` itself past
    the cap."""
    resolution = division * math.lcm(1, *denominators)
    return resolution if resolution <= MAX_RESOLUTION else division


# ------------------------------------------------------------------------------ assembly


class _Assembler:
    """Turns the staves' raw measures into one :class:`ParsedMeasure` list per part, in
    ticks, with velocities resolved from the part's dynamics (carried in written order)."""

    def __init__(self, factor: int, lengths: list[Time]) -> None:
        self.factor = factor  # final ticks per tick at <Division>
        self.lengths = lengths

    def ticks(self, value: Time) -> int:
        """Ticks at <Division> in final ticks (exact but for a resolution past the cap)."""
        if value.__class__ is int:
            result = value * self.factor
        else:
            numerator, denominator = value.numerator * self.factor, value.denominator
            result = (2 * numerator + denominator) // (2 * denominator)  # rounded
        if result > MAX_TICKS:  # only hostile numbers get here; times must fit in int64
            raise FormatError(f"a time of {result} ticks is beyond any score")
        return result  # type: ignore[no-any-return]

    def part(self, staves: list[tuple[StaffParser, list[RawMeasure]]], key_shift: int
             ) -> list[ParsedMeasure]:
        """One part's measures; ``key_shift`` fifths turn its written keys into concert."""
        parsed = []
        level = DEFAULT_VELOCITY
        for index, length in enumerate(self.lengths):
            measure = ParsedMeasure(length=self.ticks(length))
            raws = [(parser, measures[index]) for parser, measures in staves
                    if index < len(measures)]
            # The part's dynamics in time order: the level at each mark and after it.
            dynamics = sorted((d for _, raw in raws for d in raw.dynamics), key=lambda d: d[0])
            onsets = [onset for onset, _, _ in dynamics]
            at_mark = [at for _, at, _ in dynamics]
            carried = level
            after_mark = []
            for _, _, then in dynamics:
                level = then if then is not None else level
                after_mark.append(level)
            ticks = self.ticks
            for staff_number, (parser, raw) in enumerate(raws):
                for onset, pitch, duration, kind, value, voice, tie_start, tie_stop in raw.notes:
                    if not onsets:  # the common case: no mark in this measure
                        base = carried
                    else:
                        k = bisect_right(onsets, onset) - 1
                        base = carried if k < 0 else at_mark[k] if onsets[k] == onset \
                            else after_mark[k]
                    if kind == VELOCITY_ABSOLUTE:
                        velocity = value
                    elif kind == VELOCITY_OFFSET:  # MuseScore 3's integer arithmetic
                        velocity = min(max(base + int(base * value / 100), 1), 127)
                    else:
                        velocity = base
                    if parser.ottavas:
                        pitch += parser.ottava_shift(index, onset)
                    if 0 <= pitch <= 127:
                        measure.notes.append((ticks(onset), pitch, ticks(duration), velocity,
                                              voice, tie_start, tie_stop))
                if raw.lyrics:
                    measure.lyrics.extend((ticks(t), text) for t, text in raw.lyrics)
                if raw.harmony:
                    measure.harmony.extend((ticks(t), s) for t, s in raw.harmony)
                if raw.tempos:
                    measure.tempos.extend((ticks(t), qpm) for t, qpm in raw.tempos)
                if staff_number == 0:  # the part's signatures: from its first staff
                    measure.keys.extend(
                        (ticks(t), fifths if concert else _shifted(fifths, key_shift), mode)
                        for t, fifths, mode, concert in raw.keys)
                    measure.meters.extend((ticks(t), n, d) for t, n, d in raw.meters)
            parsed.append(measure)
        return parsed


def _shifted(fifths: int, shift: int) -> int:
    """A key moved by ``shift`` fifths, spelled with at most 7 sharps or flats."""
    fifths += shift
    # Closed forms of "subtract (add) 12 while above 7 (below -7)": a hostile file's
    # accidental count may be astronomically large.
    if fifths > 7:
        fifths -= 12 * -(-(fifths - 7) // 12)
    elif fifths < -7:
        fifths += 12 * -(-(-7 - fifths) // 12)
    return fifths


# ------------------------------------------------------------------------------ reading


def from_element(root: Element, path: str | os.PathLike[str] | None = None, *,
                 expand_repeats: bool = True) -> Music:
    """:class:`Music` from a parsed MuseScore document (root ``<museScore>``)."""
    major = _version(root)
    score = root.find("Score")
    if score is None:
        raise FormatError("no <Score> element in the MuseScore file")
    division = _int(score.findtext("Division"), DEFAULT_DIVISION)
    division = division if division > 0 else DEFAULT_DIVISION
    if division > MAX_RESOLUTION:
        raise FormatError(f"<Division> {division} is larger than the {MAX_RESOLUTION} allowed")
    whole = 4 * division  # ticks per whole note: MuseScore's fractions count whole notes
    staves = list(score.iterfind("Staff"))  # the top score's, not nested parts'
    for number, staff in enumerate(staves, 1):
        staff.set("id", staff.get("id") or str(number))
    by_id = {staff.get("id", ""): staff for staff in staves}
    parts = _parts(score, staves)
    measures_of = {staff_id: [m for m in staff.iterfind("Measure")
                              if m.find("multiMeasureRest") is None]
                   for staff_id, staff in by_id.items()}
    # Measure lengths are the first staff's; a staff with more measures (a damaged file)
    # lends the lengths of the rest.
    lengths: list[Time] = []
    for staff in staves:
        measures = measures_of[staff.get("id", "")]
        if len(measures) > len(lengths):
            lengths += measure_lengths(measures, whole)[len(lengths):]
    starts: list[Time] = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    marks: list[dict[str, Any]] = [{} for _ in lengths]
    denominators = {length.denominator for length in lengths}
    concert_pitch = (score.findtext("Style/concertPitch") or "").strip() == "1"

    staff_data: list[list[tuple[StaffParser, list[RawMeasure]]]] = []
    for spec in parts:
        part_staves = []
        for staff_id in spec.staff_ids:
            if staff_id in measures_of:
                parser = StaffParser(staff_id, whole, lengths, starts, marks, denominators,
                                     ms3=major == 3)
                part_staves.append((parser, parser.parse(measures_of[staff_id])))
        staff_data.append(part_staves)

    resolution = _resolution(division, denominators)
    assembler = _Assembler(resolution // division, lengths)
    parsed = []
    for spec, part_staves in zip(parts, staff_data, strict=True):
        shift = 0 if concert_pitch else fifths_of_interval(spec.transpose_diatonic,
                                                           spec.transpose_chromatic)
        parsed.append(assembler.part(part_staves, shift))

    measure_marks = [MeasureMarks(**mark) for mark in marks]
    order = playback_order(measure_marks) if expand_repeats else list(range(len(lengths)))
    placed = measure_starts(parsed[0], order) if parsed else []
    music = Music(metadata=_metadata(score, path), resolution=resolution,
                  barlines=[Barline(start) for start in placed])
    for spec, measures in zip(parts, parsed, strict=True):
        info = PartInfo(name=spec.name, program=spec.program, is_drum=spec.is_drum)
        music.tracks.append(lay_out(measures, order, placed, info))
    global_events(parsed, order, [placed] * len(parsed), music)
    return music


def from_bytes(data: bytes, path: str | os.PathLike[str] | None = None, *,
               expand_repeats: bool = True) -> Music:
    """:class:`Music` from the bytes of a MuseScore file, compressed (``.mscz``) or not."""
    with gc_paused():
        if data[:2] == b"PK":
            data = _archive.read_mscz(data, path)
        root = _xml.parse_xml(data, path)
        try:
            music = from_element(root, path, expand_repeats=expand_repeats)
        except FormatError as error:
            raise FormatError(error.reason, path) from None
        except (ValidationError, ValueError, OverflowError, ZeroDivisionError) as error:
            raise FormatError(f"invalid MuseScore file: {error}", path) from None
        # Free the element tree while the collector still sleeps: alive at its waking, its
        # hundreds of thousands of objects would all be scanned once more (15% of the time).
        del root
    return music


def read_musescore(path: str | os.PathLike[str], *, expand_repeats: bool = True) -> Music:
    """Read a MuseScore 3 or 4 file (``.mscx``, or compressed ``.mscz``)."""
    data = check_readable(path).read_bytes()
    return from_bytes(data, path, expand_repeats=expand_repeats)


read = read_musescore
