"""MusicXML writing for :mod:`orchestrion.io.musicxml`, which documents the mapping.

The document is built as a list of strings in one pass per part (every note is an element,
so the work is linear in the number of notes plus measures). The layout is chosen so that
:mod:`orchestrion.io._musicxml_parse` reads back exactly the notes written: every measure of
voice 1 is filled to its end, tied pieces of a note stay in one voice, a chord never holds
one pitch twice, and grace notes never sit where a tie continues.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from bisect import bisect_right
from collections import deque
from fractions import Fraction
from itertools import zip_longest
from typing import Any

import numpy as np

from orchestrion.core.gm import program_name
from orchestrion.core.model import Music, Track
from orchestrion.io._archive import MUSICXML_MEDIA_TYPE
from orchestrion.io._musicxml_layout import (
    DEFAULT_METER,
    NOT_XML,
    ChordRow,
    is_chord_symbol,
    key_fifths,
    key_mode,
    measure_layout,
)
from orchestrion.io._musicxml_layout import chords as chords_of
from orchestrion.io._musicxml_layout import voices as voices_of

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
DOCTYPE = ('<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
           '"http://www.musicxml.org/dtds/partwise.dtd">')
#: The ``mimetype`` member of a compressed file (MusicXML 4.0, section "Zip compression").
MXL_MIMETYPE = "application/vnd.recordare.musicxml"
#: The name of the score inside a compressed file.
MXL_ROOTFILE = "score.musicxml"
DRUM_CHANNEL = 10
MELODIC_CHANNELS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16)
DEFAULT_VELOCITY = 64  # the reader's velocity before any dynamics
_TEMPO, _HARMONY, _GRACE = range(3)  # kinds of events placed in voice 1, in this order

_TYPE_NAMES = {Fraction(2) ** e: name for e, name in zip(range(-8, 6), (
    "1024th", "512th", "256th", "128th", "64th", "32nd", "16th", "eighth", "quarter", "half",
    "whole", "breve", "long", "maxima"), strict=True)}
_SHARPS = (("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0), ("F", 1), ("G", 0),
           ("G", 1), ("A", 0), ("A", 1), ("B", 0))
_FLATS = (("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0), ("G", -1), ("G", 0),
          ("A", -1), ("A", 0), ("B", -1), ("B", 0))
_ROOT = re.compile(r"(.*?)(#+|b+)?", re.DOTALL)
_TIES = {(False, False): ("", ""),
         (True, False): ('<tie type="start"/>', '<notations><tied type="start"/></notations>'),
         (False, True): ('<tie type="stop"/>', '<notations><tied type="stop"/></notations>'),
         (True, True): ('<tie type="stop"/><tie type="start"/>',
                        '<notations><tied type="stop"/><tied type="start"/></notations>')}


def _text(value: object) -> str:
    """Element text: escaped, and ``\\r`` as a reference so that XML's line-end
    normalisation does not turn it into ``\\n``; characters XML cannot hold are left out."""
    text = NOT_XML.sub("", str(value))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: object) -> str:
    """Attribute text: as :func:`_text`, and tabs and newlines as references (attribute
    normalisation would turn them into spaces)."""
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _percent(velocity: int) -> str:
    """``dynamics`` (percent of forte) the reader maps back to ``velocity``: it computes
    round(0.9 × value), and two decimals keep 0.9 × value within 0.01 of the integer."""
    return f"{velocity / 0.9:.2f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=8192)
def _type_xml(duration: int, resolution: int) -> str:
    """``<type>``, ``<dot/>`` s and, for triplets, ``<time-modification>`` of a duration in
    ticks; empty when no plain, dotted (up to 3 dots) or triplet value matches (readers
    use ``<duration>``, which is always written)."""
    quarters = Fraction(duration, resolution)
    for dots in range(4):
        name = _TYPE_NAMES.get(quarters / (2 - Fraction(1, 2**dots)))
        if name is not None:
            return f"<type>{name}</type>" + "<dot/>" * dots
    name = _TYPE_NAMES.get(quarters * Fraction(3, 2))
    if name is not None:
        return (f"<type>{name}</type><time-modification><actual-notes>3</actual-notes>"
                "<normal-notes>2</normal-notes></time-modification>")
    return ""


def _pitch_table(spelling: tuple[tuple[str, int], ...]) -> list[str]:
    # Octave -1 (pitches 0-11) is outside the schema's 0-9, but every reader takes it.
    return [f"<pitch><step>{step}</step>{f'<alter>{alter}</alter>' if alter else ''}"
            f"<octave>{pitch // 12 - 1}</octave></pitch>"
            for pitch, (step, alter) in ((p, spelling[p % 12]) for p in range(128))]


_PITCHES = {False: _pitch_table(_SHARPS), True: _pitch_table(_FLATS)}


def _step_xml(tag: str, name: str) -> str:
    """``<root>`` or ``<bass>`` of a spelled note name: 'F#' is step F, alter 1."""
    match = _ROOT.fullmatch(name)
    assert match is not None  # the pattern matches every string
    step, accidentals = match.group(1), match.group(2) or ""
    alter = len(accidentals) * (1 if accidentals[:1] == "#" else -1)
    return (f"<{tag}><{tag}-step>{_text(step)}</{tag}-step>"
            + (f"<{tag}-alter>{alter}</{tag}-alter>" if alter else "") + f"</{tag}>")


def harmony_xml(symbol: dict[str, str], offset: int) -> str:
    """A ``<harmony>`` for a chord symbol (see :func:`is_chord_symbol`); ``offset`` ticks
    after the current position."""
    parts = ["<harmony>"]
    if "root" in symbol:
        parts.append(_step_xml("root", symbol["root"]))
    if "kind" in symbol or "text" in symbol:
        text = f' text="{_attr(symbol["text"])}"' if "text" in symbol else ""
        parts.append(f"<kind{text}>{_text(symbol.get('kind', ''))}</kind>")
    if "bass" in symbol:
        parts.append(_step_xml("bass", symbol["bass"]))
    if offset:
        parts.append(f"<offset>{offset}</offset>")
    parts.append("</harmony>")
    return "".join(parts)


def tempo_xml(qpm: float, offset: int) -> str:
    """A tempo ``<direction>``: a metronome mark (rounded for display) and the exact
    ``<sound tempo>``; ``offset sound="yes"`` moves the change itself, not just the mark."""
    where = f'<offset sound="yes">{offset}</offset>' if offset else ""
    return ('<direction placement="above"><direction-type><metronome><beat-unit>quarter'
            f"</beat-unit><per-minute>{_number(qpm)}</per-minute></metronome></direction-type>"
            f'{where}<sound tempo="{float(qpm)!r}"/></direction>')  # repr: exact


# ----------------------------------------------------------------------------- writing


class _Score:
    """What every part shares: the measures, and the attributes and tempos of each."""

    def __init__(self, music: Music) -> None:
        self.resolution = music.resolution
        self.starts, final = measure_layout(music)
        self.ends = [*self.starts[1:], final]
        self.start_array = np.asarray(self.starts, dtype=np.int64)
        index = {start: i for i, start in enumerate(self.starts)}
        keys: dict[int, list[str]] = {}
        fifths_at: dict[int, int] = {}
        for key in sorted(music.key_signatures, key=lambda k: k.time):
            fifths = key_fifths(key)
            if fifths is not None:
                m = index[key.time]
                keys.setdefault(m, []).append(
                    f"<key><fifths>{fifths}</fifths><mode>{_text(key_mode(key))}</mode></key>")
                fifths_at[m] = fifths
        meters: dict[int, list[str]] = {}
        for ts in sorted(music.time_signatures, key=lambda t: t.time):
            meters.setdefault(index[ts.time], []).append(
                f"<time><beats>{ts.numerator}</beats><beat-type>{ts.denominator}</beat-type>"
                "</time>")
        # One <attributes> per key/time pair: the reader takes one of each per element.
        self.attributes = {m: [k + t for k, t in zip_longest(keys.get(m, []),
                                                             meters.get(m, []), fillvalue="")]
                           for m in {*keys, *meters}}
        flats, fifths = [], 0
        for m in range(len(self.starts)):  # sharps or flats as the key signature has them
            fifths = fifths_at.get(m, fifths)
            flats.append(fifths < 0)
        self.flats = flats
        # music21 gives a <rest measure="yes"/> the time signature's length, whatever its
        # <duration>: only a measure of exactly that length gets one.
        meters_sorted = sorted(music.time_signatures, key=lambda t: t.time)
        meter_times = [ts.time for ts in meters_sorted]
        self.full = []
        for start, end in zip(self.starts, self.ends, strict=True):
            i = bisect_right(meter_times, start) - 1
            n, d = (meters_sorted[i].numerator, meters_sorted[i].denominator) if i >= 0 \
                else DEFAULT_METER
            self.full.append(Fraction(n * 4 * self.resolution, d) == end - start)
        self.tempos: dict[int, list[tuple[int, int, Any]]] = {}  # events of the first part
        seen: set[int] = set()
        for tempo in sorted(music.tempos, key=lambda t: t.time):
            if tempo.time not in seen:  # the reader keeps the first tempo at a time
                seen.add(tempo.time)
                self.tempos.setdefault(self.measure_of(tempo.time), []).append(
                    (tempo.time, _TEMPO, tempo.qpm))

    def measure_of(self, time: int) -> int:
        return int(np.searchsorted(self.start_array, time, "right")) - 1


# A chord's piece in one measure: onset, duration, pitches, velocities, tie start, tie stop.
_Item = tuple[int, int, list[int], list[int], bool, bool]


class _Part:
    """Writes one track's ``<part>``."""

    def __init__(self, track: Track, number: int, score: _Score, out: list[str]) -> None:
        self.track, self.number, self.score, self.out = track, number, score, out
        self.part_id = f"P{number + 1}"
        self.velocity = DEFAULT_VELOCITY  # the reader's running velocity, in document order
        self.pitch_xml = _PITCHES[False]
        self.measure = 0  # the measure being written
        self.content: dict[int, dict[int, list[_Item]]] = {}
        # Per measure, what voice 1 places at its time: tempos, chord symbols, grace notes.
        self.events: dict[int, list[tuple[int, int, Any]]] = {
            m: list(events) for m, events in score.tempos.items()} if number == 0 else {}
        self.onsets: set[int] = set()  # where a note (not a grace note) piece starts
        self.cut: set[int] = set()  # lyric times already given a piece
        notes = track.note_array()
        order = np.lexsort((notes.pitch, notes.duration, notes.time))
        time, pitch = notes.time[order], notes.pitch[order]
        duration, velocity = notes.duration[order], notes.velocity[order]
        grace = duration == 0
        starts = score.start_array
        measure_of = (np.searchsorted(starts, time, "right") - 1).tolist()
        for annotation in sorted(track.annotations, key=lambda a: a.time):
            if annotation.group == "harmony" and is_chord_symbol(annotation.annotation):
                self.events.setdefault(score.measure_of(annotation.time), []).append(
                    (annotation.time, _HARMONY, annotation.annotation))
        for i in np.flatnonzero(grace).tolist():
            self.events.setdefault(measure_of[i], []).append(
                (int(time[i]), _GRACE, (int(time[i]), int(pitch[i]), int(velocity[i]))))
        for events in self.events.values():
            events.sort(key=lambda event: event[:2])  # stable: symbols keep their order
        keep = ~grace
        chords = chords_of(time[keep], duration[keep], pitch[keep], velocity[keep])
        onsets = np.fromiter((chord[0] for chord in chords), np.int64, len(chords))
        first_measures = (np.searchsorted(starts, onsets, "right") - 1).tolist()
        voices = voices_of(chords)
        self.n_voices = max(voices, default=0)
        self.lyrics = self._lyrics()
        # A lyric inside a note (sung on a tied note's later piece in the file read) gets a
        # piece of its own: the note is cut there and tied, which the reader merges back.
        starting = {*time.tolist()}
        cuts = np.array(sorted(t for t in self.lyrics if t not in starting), dtype=np.int64)
        for chord, voice, m in zip(chords, voices, first_measures, strict=True):
            inner: list[int] = []
            if len(cuts):
                lo, hi = np.searchsorted(cuts, [chord[0] + 1, chord[0] + chord[1]])
                inner = [t for t in cuts[lo:hi].tolist() if t not in self.cut]
                self.cut.update(inner)
            self._split(chord, voice, m, inner)
        self.instruments = sorted(set(notes.pitch.tolist())) if track.is_drum else []

    def _split(self, chord: ChordRow, voice: int, m: int,
               cuts: list[int]) -> None:
        """Cut a chord at barlines (and at ``cuts``) into tied pieces, filed by measure and
        voice."""
        onset, duration, pitches, velocities = chord
        end, ends = onset + duration, self.score.ends
        cuts = cuts[::-1]
        while True:
            piece_end = min(end, ends[m], cuts[-1] if cuts else end)
            self.onsets.add(onset)
            self.content.setdefault(m, {}).setdefault(voice, []).append(
                (onset, piece_end - onset, pitches, velocities, piece_end < end,
                 onset > chord[0]))
            if piece_end >= end:
                return
            if cuts and piece_end == cuts[-1]:
                cuts.pop()
            if piece_end == ends[m]:
                m += 1
            onset = piece_end

    def _lyrics(self) -> dict[int, deque[str]]:
        """Each lyric's ``<lyric>`` by time; a trailing ``-`` is a begin or middle syllable
        (the reader adds it back), what follows one is a middle or end syllable."""
        lyrics: dict[int, deque[str]] = {}
        hyphen = False
        for lyric in sorted(self.track.lyrics, key=lambda x: x.time):
            text = lyric.lyric
            ends_word = not text.endswith("-")
            syllabic = ("end" if hyphen else "single") if ends_word else \
                ("middle" if hyphen else "begin")
            hyphen = not ends_word
            body = text if ends_word else text[:-1]
            lyrics.setdefault(lyric.time, deque()).append(
                f'<lyric number="1"><syllabic>{syllabic}</syllabic><text>{_text(body)}</text>'
                "</lyric>")
        return lyrics

    # --- elements
    def _lyric(self, onset: int, grace: bool = False) -> str:
        waiting = self.lyrics.get(onset)
        # A lyric belongs to a real note; grace notes only take one where none starts.
        if not waiting or (grace and onset in self.onsets):
            return ""
        return waiting.popleft()

    def _pitch(self, pitch: int) -> str:
        if self.track.is_drum:
            step, _ = _SHARPS[pitch % 12]
            return (f"<unpitched><display-step>{step}</display-step><display-octave>"
                    f"{pitch // 12 - 1}</display-octave></unpitched>")
        return self.pitch_xml[pitch]

    def _instrument(self, pitch: int) -> str:
        return f'<instrument id="{self.part_id}-I{pitch + 1}"/>' if self.track.is_drum else ""

    def _item(self, item: _Item, voice: int) -> None:
        onset, duration, pitches, velocities, tie_start, tie_stop = item
        out = self.out
        # A continued piece is merged into its tied note, whose velocity counts.
        if not tie_stop and velocities[0] != self.velocity:
            self.velocity = velocities[0]
            out.append(f'<sound dynamics="{_percent(self.velocity)}"/>')
        tie, tied = _TIES[(tie_start, tie_stop)]
        kind = _type_xml(duration, self.score.resolution)
        for k, (pitch, velocity) in enumerate(zip(pitches, velocities, strict=True)):
            dynamics = "" if tie_stop or velocity == self.velocity else \
                f' dynamics="{_percent(velocity)}"'
            out.append(f"<note{dynamics}>{'<chord/>' if k else ''}{self._pitch(pitch)}"
                       f"<duration>{duration}</duration>{tie}{self._instrument(pitch)}"
                       f"<voice>{voice}</voice>{kind}{tied}{self._lyric(onset)}</note>")

    def _grace(self, grace: tuple[int, int, int], voice: int) -> None:
        onset, pitch, velocity = grace
        if velocity != self.velocity:
            self.velocity = velocity
            self.out.append(f'<sound dynamics="{_percent(velocity)}"/>')
        self.out.append(f"<note><grace/>{self._pitch(pitch)}{self._instrument(pitch)}"
                        f"<voice>{voice}</voice><type>eighth</type>"
                        f"{self._lyric(onset, grace=True)}</note>")

    def _rest(self, duration: int) -> None:
        self.out.append(f"<note><rest/><duration>{duration}</duration><voice>1</voice>"
                        f"{_type_xml(duration, self.score.resolution)}</note>")

    # --- measures
    def write(self) -> None:
        out, score = self.out, self.score
        out.append(f'<part id="{self.part_id}">')
        for m, (start, end) in enumerate(zip(score.starts, score.ends, strict=True)):
            self.pitch_xml = _PITCHES[score.flats[m]]
            self.measure = m
            out.append(f'<measure number="{m + 1}">')
            attributes = score.attributes.get(m, [])
            if m == 0:
                first = attributes[0] if attributes else ""
                attributes = [f"<divisions>{score.resolution}</divisions>{first}"
                              f"{self._clef()}", *attributes[1:]]
            out.extend(f"<attributes>{a}</attributes>" for a in attributes)
            voices = self.content.get(m, {})
            left = self._first_voice(voices.get(1, []), self.events.get(m, []), start, end)
            cursor = end
            for voice in sorted(voices):
                if voice == 1:
                    continue
                cursor = self._backup(cursor, start)
                for item in voices[voice]:
                    cursor = self._forward(cursor, item[0], voice)
                    self._item(item, voice)
                    cursor = item[0] + item[1]
                # Every voice reaches the barline: simple readers (MusPy) take where the
                # last voice stops for the measure's length.
                cursor = self._forward(cursor, end, voice)
            if left:  # graces that fell inside a note of voice 1: a voice of their own
                voice = self.n_voices + 1
                cursor = self._backup(cursor, start)
                for grace in left:
                    cursor = self._forward(cursor, grace[0], voice)
                    self._grace(grace, voice)
                self._forward(cursor, end, voice)
            out.append("</measure>")
        out.append("</part>")

    def _backup(self, cursor: int, start: int) -> int:
        if cursor > start:
            self.out.append(f"<backup><duration>{cursor - start}</duration></backup>")
        return start

    def _forward(self, cursor: int, to: int, voice: int) -> int:
        if to > cursor:
            self.out.append(f"<forward><duration>{to - cursor}</duration><voice>{voice}"
                            "</voice></forward>")
        return to

    def _first_voice(self, items: list[_Item], events: list[tuple[int, int, Any]],
                     start: int, end: int) -> list[tuple[int, int, int]]:
        """Voice 1, filled to the measure's end with rests (the reader measures a measure
        by how far it reaches). Tempos, chord symbols and grace notes go where their time
        is: before the note starting then, or into the rest (cut there), so that readers
        that ignore ``<offset>`` (MusPy) place them right too; a tempo or symbol inside a
        note goes before it with an ``<offset>``.
        Returns the grace notes that fall inside a note, for a voice of their own."""
        if not items and not events:
            if self.score.full[self.measure]:
                self.out.append(f'<note><rest measure="yes"/><duration>{end - start}'
                                "</duration><voice>1</voice></note>")
            else:
                self._rest(end - start)
            return []
        left: list[tuple[int, int, int]] = []
        cursor, e = start, 0
        for item in [*items, None]:
            onset, stop = (item[0], item[0] + item[1]) if item is not None else (end, end)
            while e < len(events) and events[e][0] < onset:  # in the rest before the note
                if events[e][0] > cursor:
                    self._rest(events[e][0] - cursor)
                    cursor = events[e][0]
                self._event(events[e], 0)
                e += 1
            if onset > cursor:
                self._rest(onset - cursor)
                cursor = onset
            if item is None:
                break
            while e < len(events) and events[e][0] < stop:
                time, kind, payload = events[e]
                # Before a tie's continuation of its own pitch the reader would take a grace
                # note for the continuation; inside a note it has no place in voice 1.
                if kind == _GRACE and (time > onset or (item[5] and payload[1] in item[2])):
                    left.append(payload)
                else:
                    self._event(events[e], time - onset)
                e += 1
            self._item(item, 1)
            cursor = stop
        return left

    def _event(self, event: tuple[int, int, Any], offset: int) -> None:
        _, kind, payload = event
        if kind == _GRACE:
            self._grace(payload, 1)
        elif kind == _TEMPO:
            self.out.append(tempo_xml(payload, offset))
        else:
            self.out.append(harmony_xml(payload, offset))

    def _clef(self) -> str:
        if self.track.is_drum:
            return "<clef><sign>percussion</sign></clef>"
        pitches = self.track.note_array().pitch
        if len(pitches) and np.median(pitches) < 55:
            return "<clef><sign>F</sign><line>4</line></clef>"
        return "<clef><sign>G</sign><line>2</line></clef>"

    def score_part(self, channel: int) -> str:
        """The part's ``<score-part>``: name, and one instrument (per drum sound on a drum
        track, each with its ``<midi-unpitched>``) with channel and 1-based program."""
        track, pid = self.track, self.part_id
        program = track.program + 1
        if track.is_drum:
            sounds = [(f"{pid}-I{p + 1}", f"Drum {p}", f"<midi-unpitched>{p + 1}"
                       "</midi-unpitched>") for p in self.instruments] or [
                (f"{pid}-I1", "Drums", "")]
        else:
            sounds = [(f"{pid}-I1", program_name(track.program), "")]
        parts = [f'<score-part id="{pid}"><part-name>{_text(track.name or "")}</part-name>']
        parts += [f'<score-instrument id="{i}"><instrument-name>{_text(name)}'
                  "</instrument-name></score-instrument>" for i, name, _ in sounds]
        parts += [f'<midi-instrument id="{i}"><midi-channel>{channel}</midi-channel>'
                  f"<midi-program>{program}</midi-program>{unpitched}</midi-instrument>"
                  for i, _, unpitched in sounds]
        parts.append("</score-part>")
        return "".join(parts)


def _header(music: Music) -> str:
    meta = music.metadata
    parts = []
    if meta.title is not None:
        parts.append(f"<work><work-title>{_text(meta.title)}</work-title></work>")
    parts.append("<identification>")
    parts += [f'<creator type="composer">{_text(c)}</creator>' for c in meta.creators or ()]
    if meta.copyright is not None:
        parts.append(f"<rights>{_text(meta.copyright)}</rights>")
    parts.append("<encoding><software>orchestrion</software></encoding></identification>")
    return "".join(parts)


def to_xml(music: Music) -> str:
    """The MusicXML document (score-partwise 4.0) of ``music`` as text."""
    score = _Score(music)
    out = [XML_DECLARATION, DOCTYPE, '<score-partwise version="4.0">', _header(music)]
    parts = [_Part(track, i, score, out) for i, track in enumerate(music.tracks)]
    out.append("<part-list>")
    melodic = 0
    for part in parts:
        if part.track.is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = MELODIC_CHANNELS[melodic % len(MELODIC_CHANNELS)]
            melodic += 1
        out.append(part.score_part(channel))
    out.append("</part-list>")
    for part in parts:
        part.write()
    out.append("</score-partwise>\n")
    # One element a line: readable and diffable, for a few percent more bytes.
    return "\n".join(out)


def to_bytes(music: Music, *, compressed: bool = False) -> bytes:
    """``music`` as MusicXML file contents: UTF-8 text, or with ``compressed`` a ``.mxl``
    zip archive (``mimetype`` first and stored, ``META-INF/container.xml`` naming
    :data:`MXL_ROOTFILE`, the score deflated)."""
    data = to_xml(music).encode("utf-8")
    return mxl_archive(data) if compressed else data


def mxl_archive(score: bytes) -> bytes:
    """A compressed MusicXML archive holding ``score``; fixed timestamps, so equal scores
    give equal bytes."""
    container = (f'<?xml version="1.0" encoding="UTF-8"?>\n<container><rootfiles>'
                 f'<rootfile full-path="{MXL_ROOTFILE}" media-type="{MUSICXML_MEDIA_TYPE}"/>'
                 "</rootfiles></container>\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in (("mimetype", MXL_MIMETYPE.encode(), zipfile.ZIP_STORED),
                                   ("META-INF/container.xml", container, zipfile.ZIP_DEFLATED),
                                   (MXL_ROOTFILE, score, zipfile.ZIP_DEFLATED)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()
