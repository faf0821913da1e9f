"""Writing ABC 2.1 notation: a writer of our own (music21 is not used).

What :func:`to_abc_string` writes (:func:`write_abc` writes the same to a file, atomically):

- ``%abc-2.1``, then the header: ``X:`` (the piece's annotation of group
  ``"reference_number"``, else ``number``, else 1), ``T:`` title, one ``C:`` per creator,
  ``M:`` (the time signature at tick 0, else ``M:none``), ``L:`` (the unit note length among
  1/1 ... 1/64 that writes the durations shortest), ``Q:`` (the tempo at tick 0, as
  ``1/4=120``; a fractional qpm with a longer or shorter beat unit when that makes it whole,
  ``Q:1/8=241``, else as a decimal), ``%%score`` when a track needs several voices, and ``K:``
  (the key at tick 0 from fifths and mode, ``K:Am``, ``K:Ddor``; ``K:none`` without one).
- One voice ``V:n name="..."`` per track, its program as ``%%MIDI program p`` and drums as
  ``%%MIDI channel 10``. Notes of a track that overlap without sharing onset and duration go
  to extra voices, grouped with the track's first by ``%%score (1 2)``; each voice is written
  whole before the next.
- Bars: ``|`` at every bar line (the piece's ``barlines`` when it has them, else bars laid out
  by the time signatures, 4/4 without one) and at every tempo, key or meter change, which is
  written on its own line (``K:D``) in every voice; ``|]`` ends each voice. Notes crossing a
  bar line are split and tied (``c2-|c2``); gaps are rests ``z``.
- Notes: pitch letters with octave marks (``C,`` ``C`` ``c`` ``c'``; middle C is ``C``),
  spelled as the key spells them (sharps in sharp keys, flats in flat keys); notes with the
  same onset and duration form chords ``[CEG]``; durations are ``n``, ``/d`` or ``n/d``
  times ``L:``, exactly. An accidental is written whenever the note differs from the key
  signature or from an accidental earlier in the bar, so the file reads the same whether
  accidentals carry through the bar (ABC 2.1) or not (older readers).

- Lyrics of a track (and the piece's, with the first track) under its first voice: one
  ``w:`` line per line of music, a syllable per note onset (``*`` for a note without one);
  a lyric ending in ``-`` joins the next syllable of its word. Lyrics at ticks where the
  voice starts no note are left out; music21, so :func:`~orchestrion.io.abc.read_abc`, does
  not read ``w:`` lines.

Not written: velocities, zero-length notes, annotations, copyright, control changes,
pitch bends, chords as such (their pitches become notes) and ``pitch_str``. Locrian keys and
lydian with seven flats are written as the major key of the same signature (music21 cannot
read them). Pitches 0-11 are written (``C,,,,,``) but music21 cannot read them back.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from orchestrion.core.model import KeySignature, Music, Track
from orchestrion.io.files import atomic_open

NUMBER_GROUP = "reference_number"
BARS_PER_LINE = 4
_LETTERS = "CDEFGAB"
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_ORDER = "FCGDAEB"
# Tonic names along the line of fifths; index 8 is C (no sharps or flats).
_LINE_OF_FIFTHS = ("Fb", "Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B",
                   "F#", "C#", "G#", "D#", "A#", "E#", "B#")
# Each mode's tonic, in fifths above the major tonic of its signature, and its ABC suffix.
# Locrian is missing: music21 reads 'K:Bloc' as B major.
_MODES = {"major": (0, ""), "ionian": (0, "ion"), "minor": (3, "m"), "aeolian": (3, "aeo"),
          "dorian": (2, "dor"), "phrygian": (4, "phr"), "lydian": (-1, "lyd"),
          "mixolydian": (1, "mix")}
# The tonics music21's ABC key parser knows.
_READABLE_TONICS = {"C", "G", "D", "A", "E", "B", "F#", "G#", "A#", "F", "Bb", "Eb", "D#", "Ab",
                    "E#", "Db", "C#", "Gb", "Cb"}
_ACCIDENTALS = {-1: "_", 0: "=", 1: "^"}


def write_abc(music: Music, path: str | os.PathLike[str], *, number: int | None = None) -> None:
    """Write ``music`` as one ABC tune (see the module docstring for what is written)."""
    text = to_abc_string(music, number=number)
    with atomic_open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def to_abc_string(music: Music, *, number: int | None = None) -> str:
    """``music`` as the text of one ABC 2.1 tune."""
    return _Writer(music).write(number)


# ------------------------------------------------------------------------------ pieces


@dataclass
class _Group:
    """Notes sounding together in one voice: onset and length in quarters, sorted pitches."""

    time: Fraction
    length: Fraction
    pitches: list[int]


@dataclass
class _Voice:
    groups: list[_Group]
    track: Track
    first: bool  # the track's first voice (carries its name and program)


def _track_groups(track: Track, resolution: int) -> list[_Group]:
    """The track's notes and chord pitches as groups of equal onset and length; a pitch
    repeated in one group starts a second group (music21 would merge it)."""
    counts: Counter[tuple[int, int, int]] = Counter()
    notes = track.note_array()
    for time, pitch, length in zip(notes.time.tolist(), notes.pitch.tolist(),
                                   notes.duration.tolist(), strict=True):
        counts[(time, length, pitch)] += 1
    for chord in track.chords:
        for pitch in chord.pitches:
            counts[(chord.time, chord.duration, pitch)] += 1
    groups: dict[tuple[int, int, int], list[int]] = {}
    for (time, length, pitch), count in counts.items():
        if length <= 0:
            continue  # ABC has no zero-length notes
        for copy in range(count):
            groups.setdefault((time, length, copy), []).append(pitch)
    return [_Group(Fraction(t, resolution), Fraction(d, resolution), sorted(p))
            for (t, d, _), p in sorted(groups.items())]


def _split_voices(groups: list[_Group]) -> list[list[_Group]]:
    """Greedy interval partitioning: each group goes to the first voice free at its onset
    (groups of one onset highest first, so the top line is voice 1)."""
    voices: list[list[_Group]] = []
    ends: list[Fraction] = []
    for group in sorted(groups, key=lambda g: (g.time, -g.pitches[-1], -g.length)):
        for i, end in enumerate(ends):
            if end <= group.time:
                voices[i].append(group)
                ends[i] = group.time + group.length
                break
        else:
            voices.append([group])
            ends.append(group.time + group.length)
    return voices


def _bar_length(music: Music, at: Fraction) -> Fraction:
    length = Fraction(4)
    for signature in sorted(music.time_signatures, key=lambda s: s.time):
        if Fraction(signature.time, music.resolution) <= at:
            length = Fraction(4 * signature.numerator, signature.denominator)
    return length


def _bar_lines(music: Music, end: Fraction) -> list[Fraction]:
    """Bar boundaries from 0 to the end of the last bar (at least one bar): the piece's
    barlines while there are any, then the time signatures' bars; every tempo, key or meter
    change starts a bar."""
    res = music.resolution
    explicit = sorted({Fraction(b.time, res) for b in music.barlines})
    changes = {Fraction(e.time, res)
               for e in (*music.tempos, *music.key_signatures, *music.time_signatures)}
    points = sorted({Fraction(0), *explicit, *changes})
    last_explicit = explicit[-1] if explicit else Fraction(-1)
    last_change = max(changes, default=Fraction(0))
    bars, cursor = [Fraction(0)], Fraction(0)
    while cursor < end or cursor <= last_change:
        following = next((p for p in points if p > cursor), None)
        if cursor < last_explicit and following is not None:
            cursor = following
        else:
            step = cursor + _bar_length(music, cursor)
            cursor = step if following is None else min(step, following)
        bars.append(cursor)
    return bars


# ------------------------------------------------------------------------------ spelling


def _key_alterations(fifths: int) -> dict[str, int]:
    alter = dict.fromkeys(_LETTERS, 0)
    order = _SHARP_ORDER if fifths >= 0 else _SHARP_ORDER[::-1]
    for letter in order[:abs(fifths)]:
        alter[letter] = 1 if fifths > 0 else -1
    return alter


def _key_field(key: KeySignature | None) -> tuple[str, int]:
    """The ``K:`` value of ``key`` and the fifths of the signature it writes."""
    if key is None:
        return "none", 0
    shift, suffix = _MODES.get(key.mode or "major", (0, ""))
    if key.mode is not None and key.mode not in _MODES:
        shift, suffix = 0, ""  # an unreadable mode: keep the signature, drop the mode
    fifths = key.fifths
    if fifths is None:
        if key.root is None:
            return "none", 0
        # The signature whose tonic (in this mode) has the key's root, fewest accidentals
        # first; the spelling of root_str decides between F# and Gb.
        flat = bool(key.root_str) and ("b" in key.root_str[1:] or "-" in key.root_str)
        candidates = [f for f in range(-7, 8) if (7 * (f + shift)) % 12 == key.root]
        if not candidates:
            return "none", 0
        fifths = min(candidates, key=lambda f: (abs(f), f > 0 if flat else f < 0))
    tonic = _LINE_OF_FIFTHS[fifths + shift + 8] if -8 <= fifths + shift <= 12 else ""
    if tonic not in _READABLE_TONICS:
        tonic, suffix = _LINE_OF_FIFTHS[fifths + 8], ""
    return tonic + suffix, fifths


def _spell(pitch: int, key: dict[str, int], sharps: bool) -> tuple[str, int, int]:
    """Letter, alteration and octave of ``pitch``: the key's own spelling when it has one,
    else the natural, else a sharp (sharp keys) or a flat (flat keys)."""
    pc = pitch % 12
    candidates = [(letter, alter) for letter in _LETTERS for alter in (-1, 0, 1)
                  if (_NATURAL[letter] + alter) % 12 == pc]
    if pitch >= 12:  # music21 cannot read octave -1: no B sharp for C0
        candidates = [c for c in candidates if (pitch - c[1]) // 12 >= 1]
    in_key = [c for c in candidates if key[c[0]] == c[1]]
    natural = [c for c in candidates if c[1] == 0]
    letter, alter = (in_key or natural or
                     sorted(candidates, key=lambda c: c[1] != (1 if sharps else -1)))[0]
    return letter, alter, (pitch - alter) // 12 - 1


def _pitch_name(letter: str, octave: int) -> str:
    if octave >= 5:
        return letter.lower() + "'" * (octave - 5)
    return letter + "," * (4 - octave)


def _length(quarters: Fraction, unit: Fraction) -> str:
    units = quarters / unit
    if units == 1:
        return ""
    if units.denominator == 1:
        return str(units.numerator)
    return (str(units.numerator) if units.numerator != 1 else "") + f"/{units.denominator}"


def _tempo_field(qpm: float) -> str:
    for denominator in (4, 8, 2, 16, 1, 32):
        beats = qpm * denominator / 4
        if beats == int(beats) and int(beats) * 4 / denominator == qpm:
            return f"1/{denominator}={int(beats)}"
    return f"1/4={qpm!r}"


def _unit(lengths: Counter[Fraction]) -> Fraction:
    """The unit note length (in quarters) writing ``lengths`` in the fewest characters,
    the usual 1/8 first among equals."""
    candidates = [Fraction(4, 2 ** k) for k in range(7)]
    return min(candidates, key=lambda u: (sum(len(_length(q, u)) * n for q, n in lengths.items()),
                                          abs(u - Fraction(1, 2))))


def _clean(text: str) -> str:
    """``text`` on one line; ``%`` (a comment in ABC) escaped as ``\\%``."""
    return " ".join(text.split()).replace("%", "\\%")


# ------------------------------------------------------------------------------ writer


class _Writer:
    def __init__(self, music: Music) -> None:
        self.music = music
        res = music.resolution
        self.voices: list[_Voice] = []
        for track in music.tracks:
            split = _split_voices(_track_groups(track, res)) or [[]]
            self.voices.extend(_Voice(groups, track, i == 0) for i, groups in enumerate(split))
        ends = [g.time + g.length for v in self.voices for g in v.groups]
        self.bars = _bar_lines(music, max(ends, default=Fraction(0)))
        self.keys = self._by_bar(music.key_signatures)
        self.tempos = self._by_bar(music.tempos)
        self.meters = self._by_bar(music.time_signatures)
        self.cells = [self._cells(voice) for voice in self.voices]
        first_track = music.tracks[0] if music.tracks else None
        self.lyrics = [self._voice_lyrics(v, 0 if v.track is first_track else 1)
                       for v in self.voices]
        lengths = Counter(length for cells in self.cells for bar in cells for _, length, _ in bar)
        self.unit = _unit(lengths)

    def _by_bar(self, events: Iterable[Any]) -> dict[int, Any]:
        """The last event at each bar start, by bar index (every change starts a bar)."""
        index = {bar: i for i, bar in enumerate(self.bars)}
        found: dict[int, Any] = {}
        for event in sorted(events, key=lambda e: e.time):
            found[index[Fraction(event.time, self.music.resolution)]] = event
        return found

    def _cells(self, voice: _Voice) -> list[list[tuple[list[int] | None, Fraction, bool]]]:
        """Per bar: (pitches or None for a rest, length, tied on) cells filling the bar."""
        bars: list[list[tuple[list[int] | None, Fraction, bool]]] = []
        groups = iter(voice.groups)
        group = next(groups, None)
        for start, stop in zip(self.bars, self.bars[1:], strict=False):
            cells: list[tuple[list[int] | None, Fraction, bool]] = []
            cursor = start
            while cursor < stop:
                while group is not None and group.time + group.length <= cursor:
                    group = next(groups, None)
                if group is None or group.time >= stop:
                    cells.append((None, stop - cursor, False))
                    break
                if group.time > cursor:
                    cells.append((None, group.time - cursor, False))
                    cursor = group.time
                    continue
                end = min(group.time + group.length, stop)
                cells.append((group.pitches, end - cursor, end < group.time + group.length))
                cursor = end
            bars.append(cells)
        return bars

    def write(self, number: int | None) -> str:
        music = self.music
        number_value = next((a.annotation for a in music.annotations
                             if a.group == NUMBER_GROUP and isinstance(a.annotation, int)),
                            number if number is not None else 1)
        lines = ["%abc-2.1", f"X:{number_value}"]
        if music.metadata.title is not None:
            lines.append(f"T:{_clean(music.metadata.title)}")
        lines.extend(f"C:{_clean(creator)}" for creator in music.metadata.creators or ())
        meter = self.meters.get(0)
        lines.append(f"M:{meter.numerator}/{meter.denominator}" if meter else "M:none")
        unit = self.unit / 4
        lines.append(f"L:{unit.numerator}/{unit.denominator}")  # music21 needs 'L:1/1')
        if 0 in self.tempos:
            lines.append(f"Q:{_tempo_field(self.tempos[0].qpm)}")
        groups: list[list[int]] = []
        for number_of, voice in enumerate(self.voices, 1):
            if voice.first:
                groups.append([number_of])
            else:
                groups[-1].append(number_of)
        if any(len(g) > 1 for g in groups):
            lines.append("%%score " + " ".join(
                f"({' '.join(map(str, g))})" if len(g) > 1 else str(g[0]) for g in groups))
        key_field, _ = _key_field(self.keys.get(0))
        lines.append(f"K:{key_field}")
        plain = (len(self.voices) == 1 and self.voices[0].track.name is None
                 and self.voices[0].track.program == 0 and not self.voices[0].track.is_drum)
        for index, voice in enumerate(self.voices):
            if not plain:
                lines.extend(self._voice_header(index + 1, voice))
            lines.extend(self._body(index, restate=index > 0))
        return "\n".join(lines) + "\n"

    def _voice_header(self, number: int, voice: _Voice) -> list[str]:
        track = voice.track
        line = f"V:{number}"
        if voice.first and track.name is not None:
            line += ' name="' + _clean(track.name).replace('"', "'") + '"'
        lines = [line]
        if track.program:
            lines.append(f"%%MIDI program {track.program}")
        if track.is_drum:
            lines.append("%%MIDI channel 10")
        return lines

    def _body(self, index: int, restate: bool) -> list[str]:
        """The lines of one voice: bars, with field lines wherever something changes, and a
        ``w:`` line of lyrics under each line of a track's first voice that has some."""
        lines: list[str] = []
        if restate and any(bar > 0 for bar in self.keys):
            # music21 spells the voices one after another, each starting in the key the
            # previous one ended in: state the opening key again.
            lines.append(f"K:{_key_field(self.keys.get(0))[0]}")
        fifths = _key_field(self.keys.get(0))[1]
        words = self.lyrics[index]
        current: list[str] = []
        onsets: list[Fraction] = []  # note onsets of the current line, for its lyrics
        held = False  # the previous cell is tied into the next
        cells = self.cells[index]

        def flush() -> None:
            if current:
                lines.append(" ".join(current))
            syllables = [words.get(onset, "*") for onset in onsets]
            while syllables and syllables[-1] == "*":
                syllables.pop()
            if syllables:
                lines.append("w:" + "".join(s if i == 0 or syllables[i - 1].endswith("-")
                                            else " " + s for i, s in enumerate(syllables)))
            current.clear()
            onsets.clear()

        for bar, content in enumerate(cells):
            fields = []
            if bar > 0 and bar in self.meters:
                meter = self.meters[bar]
                fields.append(f"M:{meter.numerator}/{meter.denominator}")
            if bar > 0 and bar in self.keys:
                key_field, fifths = _key_field(self.keys[bar])
                fields.append(f"K:{key_field}")
            if bar > 0 and bar in self.tempos:
                fields.append(f"Q:{_tempo_field(self.tempos[bar].qpm)}")
            if fields or len(current) == BARS_PER_LINE:
                flush()
                lines.extend(fields)
            closing = "|]" if bar == len(cells) - 1 else "|"
            current.append(self._bar(content, fifths) + " " + closing)
            cursor = self.bars[bar]
            for pitches, length, tied in content:
                if pitches is not None and not held:
                    onsets.append(cursor)
                held = pitches is not None and tied
                cursor += length
        flush()
        return lines

    def _voice_lyrics(self, voice: _Voice, track_index: int) -> dict[Fraction, str]:
        """The lyrics of ``voice`` by onset (the track's, and the piece's for the first
        track), written as ``w:`` syllables: spaces become ``~``, a hyphen inside a syllable
        is escaped, characters with a meaning in ``w:`` lines are left out."""
        if not voice.first:
            return {}
        events = [*voice.track.lyrics, *(self.music.lyrics if track_index == 0 else ())]
        words: dict[Fraction, str] = {}
        for lyric in sorted(events, key=lambda x: x.time):
            text = "".join(c for c in _clean(lyric.lyric) if c not in "_*|%\\")
            trailing = text.endswith("-")
            text = text.rstrip("-").replace("-", "\\-").replace(" ", "~")
            if text:
                words.setdefault(Fraction(lyric.time, self.music.resolution),
                                 text + ("-" if trailing else ""))
        return words

    def _bar(self, cells: list[tuple[list[int] | None, Fraction, bool]], fifths: int) -> str:
        key = _key_alterations(fifths)
        state = dict(key)  # accidentals so far in this bar
        tokens = []
        for pitches, length, tied in cells:
            duration = _length(length, self.unit)
            if pitches is None:
                tokens.append("z" + duration)
                continue
            names = []
            for pitch in pitches:
                letter, alter, octave = _spell(pitch, key, fifths >= 0)
                mark = ""
                if alter != state[letter] or alter != key[letter]:
                    mark = _ACCIDENTALS[alter]
                    state[letter] = alter
                names.append(mark + _pitch_name(letter, octave))
            body = names[0] if len(names) == 1 else "[" + "".join(names) + "]"
            tokens.append(body + duration + ("-" if tied else ""))
        return " ".join(tokens)
