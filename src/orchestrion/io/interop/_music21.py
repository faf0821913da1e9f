"""Conversion between :class:`Music` and music21 streams (``music21.stream.Score``)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from orchestrion.core.model import (
    DEFAULT_VELOCITY,
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
from orchestrion.errors import ValidationError
from orchestrion.io.midi import _MELODIC_CHANNELS, DRUM_CHANNEL

# music21 writes MIDI at 10080 ticks per quarter (= lcm(1..10) * 4): every common tuplet fits.
MAX_RESOLUTION = 10080
MARKER = "marker"


# ------------------------------------------------------------------------- Music -> music21


def to_music21(music: Music) -> Any:
    """Convert ``music`` into a ``music21.stream.Score``, one ``Part`` per track.

    Kept: notes (``note.Note`` at ``time / resolution`` quarters with their velocity in
    ``note.volume.velocity``; a zero-length note gets a zero-length, non-grace duration),
    chords (``chord.Chord``), tempos (``tempo.MetronomeMark`` in the first part), key signatures
    (``key.Key`` from root/mode, or ``key.KeySignature`` from fifths alone, in every part),
    time signatures (in every part), each track's program (its ``Instrument``'s
    ``midiProgram``; ``midiChannel`` as orchestrion's MIDI writer assigns it), name
    (``partName``) and drum flag (``UnpitchedPercussion`` on MIDI channel 10), lyrics
    (attached with ``addLyric`` to the first note or chord starting at their tick: track
    lyrics in their part, ``music.lyrics`` in the first part), string
    annotations of the piece and of tracks (``expressions.RehearsalMark`` for group
    ``"marker"``, ``expressions.TextExpression`` otherwise, in the track's part or the first
    part), title, creators (composers) and copyright.

    Lost: control changes, pitch bends, barlines and beats (music21 makes its own measures),
    ``pitch_str`` (music21 spells every pitch with sharps), lyrics at a tick where the part
    has no onset, non-string annotations, and events of a piece without tracks other than
    tempos, keys, time signatures and annotations (those go into the score itself).
    The parts are not split into measures; ``score.makeNotation()`` does that, and
    music21 does it itself when writing MusicXML.
    """
    from music21 import expressions, key, metadata, meter, stream, tempo

    resolution = music.resolution

    def quarters(ticks: int) -> Fraction | float:
        value = Fraction(ticks, resolution)
        return float(value) if value.denominator == 1 else value

    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = music.metadata.title
    for creator in music.metadata.creators or ():
        score.metadata.add("composer", creator)
    if music.metadata.copyright:
        score.metadata.copyright = music.metadata.copyright

    def global_events(with_tempos: bool) -> list[tuple[int, Any]]:
        events: list[tuple[int, Any]] = [
            (s.time, meter.TimeSignature(f"{s.numerator}/{s.denominator}"))
            for s in music.time_signatures]
        events.extend((k.time, ks) for k in music.key_signatures
                      if (ks := _m21_key(k, key)) is not None)
        if with_tempos:
            events.extend((t.time, tempo.MetronomeMark(number=t.qpm, referent=1.0))
                          for t in music.tempos)
            events.extend((a.time, _m21_text(a, expressions)) for a in music.annotations
                          if isinstance(a.annotation, str))
        return events

    if not music.tracks:
        for time, element in global_events(True):
            score.coreInsert(quarters(time), element)
        score.coreElementsChanged()
    melodic = 0
    for index, track in enumerate(music.tracks):
        part = stream.Part()
        part.partName = track.name
        # Channels as orchestrion's MIDI writer gives them (music21's own choice can put a
        # melodic part on the drum channel).
        channel = DRUM_CHANNEL if track.is_drum else _MELODIC_CHANNELS[melodic % 15]
        melodic += not track.is_drum
        part.coreInsert(0.0, _m21_instrument(track, channel))
        for time, element in global_events(index == 0):
            part.coreInsert(quarters(time), element)
        for annotation in track.annotations:
            if isinstance(annotation.annotation, str):
                part.coreInsert(quarters(annotation.time), _m21_text(annotation, expressions))
        onsets = _insert_notes(part, track, quarters)
        lyrics = [*track.lyrics, *(music.lyrics if index == 0 else ())]
        for lyric in sorted(lyrics, key=lambda x: x.time):
            if (element := onsets.get(lyric.time)) is not None:
                element.addLyric(lyric.lyric)
        part.coreElementsChanged()
        score.insert(0.0, part)
    return score


def _insert_notes(part: Any, track: Track, quarters: Any) -> dict[int, Any]:
    """Insert the track's notes and chords into ``part``; the first element at each tick."""
    from music21 import chord, duration, note

    def zero_or(ticks: int) -> Any:
        # A zero quarterLength would make a grace-like "zero" duration; keep it explicit.
        return duration.Duration(quarterLength=quarters(ticks)) if ticks else duration.Duration(0)

    onsets: dict[int, Any] = {}
    notes = track.note_array().sorted()
    for time, pitch, length, velocity in zip(notes.time.tolist(), notes.pitch.tolist(),
                                             notes.duration.tolist(),
                                             notes.velocity.tolist(), strict=True):
        element = note.Note(pitch, duration=zero_or(length))
        element.volume.velocity = velocity
        part.coreInsert(quarters(time), element)
        onsets.setdefault(time, element)
    for source in track.chords:
        element = chord.Chord(list(source.pitches), duration=zero_or(source.duration))
        element.volume.velocity = source.velocity
        part.coreInsert(quarters(source.time), element)
        onsets.setdefault(source.time, element)
    return onsets


def _m21_instrument(track: Track, channel: int) -> Any:
    from music21 import instrument

    if track.is_drum:
        inst = instrument.UnpitchedPercussion()
    else:
        try:
            inst = instrument.instrumentFromMidiProgram(track.program)
        except Exception:  # music21 raises its own exception for unmapped programs
            inst = instrument.Instrument()
    inst.midiProgram = track.program
    inst.midiChannel = channel
    return inst


def _m21_key(signature: KeySignature, key: Any) -> Any:
    mode = signature.mode
    if signature.fifths is not None and mode in (None, "major", "minor"):
        bare = key.KeySignature(signature.fifths)
        if mode is None:
            return bare
        if signature.root_str is None:
            return bare.asKey(mode)
    if signature.root_str is not None or signature.root is not None:
        tonic = signature.root_str
        if tonic is None:
            from music21 import pitch

            tonic = pitch.Pitch(signature.root).name
        return key.Key(tonic, mode or "major")
    return None


def _m21_text(annotation: Annotation, expressions: Any) -> Any:
    if annotation.group == MARKER:
        return expressions.RehearsalMark(annotation.annotation)
    return expressions.TextExpression(annotation.annotation)


# ------------------------------------------------------------------------- music21 -> Music


def from_music21(stream: Any, resolution: int | None = None, *,
                 expand_repeats: bool = True) -> Music:
    """Convert a music21 ``Score``, ``Part``, ``Opus`` (its first score) or any ``Stream``.

    Each part becomes a track (a stream without parts becomes one track). Repeats are
    expanded (``expandRepeats()`` on a copy, as music21 does before writing MIDI) unless
    ``expand_repeats`` is false; parts written at transposed pitch are converted to
    sounding pitch; ties are merged (as ``stripTies`` would).
    ``resolution`` defaults to the least common multiple of the denominators of every onset
    and duration in quarters, so every time is an exact tick; past
    :data:`MAX_RESOLUTION` (10080) it is capped there and times are rounded (half up) to the
    nearest tick, ends and onsets alike, so touching notes still touch.

    Kept: notes and each note of a chord (as notes; rests are skipped), velocities (the
    note's ``volume.velocity``, else the chord's, else the last ``dynamics.Dynamic`` before it
    in its part, ``round(127 * volumeScalar)``, else 64), tempos (``MetronomeMark``,
    ``getQuarterBPM()``), key signatures (``sharps`` -> ``fifths``; a ``key.Key`` also gives
    ``mode``, ``root`` and ``root_str``), time signatures, lyrics (``note.lyrics``, into the
    track's ``lyrics``), part names, MIDI programs (the part's first instrument that has one;
    percussion -> ``is_drum``), text expressions (``Music.annotations`` with group ``"text"``)
    and rehearsal marks (group ``"marker"``), title, composers (``creators``) and copyright.
    Events found in several parts (tempos, signatures, texts) are kept once.

    Lost: grace notes (they have no duration in the score), spelling (``pitch_str``),
    articulations, slurs, and every instrument change after a part's first instrument.
    """
    from music21 import stream as m21stream

    if isinstance(stream, m21stream.Opus):
        scores = list(stream.scores)
        if not scores:
            raise ValidationError("music21 Opus holds no score")
        stream = scores[0]
    if expand_repeats and stream.recurse().getElementsByClass(m21stream.Measure).first():
        stream = stream.expandRepeats()  # a copy; music21 does this before writing MIDI
    # A score's parts; a part, a plain stream or a score without parts is one track.
    parts = (list(stream.parts) if isinstance(stream, m21stream.Score) else []) or [stream]
    collected = [_collect_part(part) for part in parts]
    loose: dict[str, list[Any]] = {"tempos": [], "keys": [], "times": [], "texts": []}
    if isinstance(stream, m21stream.Score) and parts[0] is not stream:
        _collect_globals(stream.getElementsByClass(_GLOBAL_CLASSES()), loose)

    values = [offset for part in collected for offset in part["fractions"]]
    values += [_fraction(e[0]) for source in (*collected, loose)
               for name in ("tempos", "keys", "times", "texts") for e in source[name]]
    if resolution is None:
        resolution = _least_resolution(values)
    to_ticks = _ticker(resolution)

    tracks = [_track(part, to_ticks) for part in collected]
    if parts[0] is stream and isinstance(stream, m21stream.Score) and not collected[0]["rows"]:
        tracks = []  # a score without parts nor notes: global events only
    events: dict[str, list[Any]] = {name: [*loose[name]] for name in loose}
    for part in collected:
        for name in events:
            events[name].extend(part[name])

    def unique(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        ticked = [(to_ticks(row[0]), *row[1:]) for row in rows]
        return sorted(dict.fromkeys(ticked), key=lambda row: row[0])

    metadata = _metadata(stream)
    return Music(
        metadata=metadata,
        resolution=resolution,
        tempos=[Tempo(t, q) for t, q in unique(events["tempos"])],
        key_signatures=[KeySignature(t, root=r, mode=m, fifths=f, root_str=s)
                        for t, f, m, r, s in unique(events["keys"])],
        time_signatures=[TimeSignature(t, n, d) for t, n, d in unique(events["times"])],
        annotations=[Annotation(t, text, group) for t, text, group in unique(events["texts"])],
        tracks=tracks,
    )


def _GLOBAL_CLASSES() -> tuple[type, ...]:  # noqa: N802 - a constant built lazily
    from music21 import expressions, key, meter, tempo

    return (tempo.MetronomeMark, key.KeySignature, meter.TimeSignature,
            expressions.TextExpression, expressions.RehearsalMark)


def _collect_globals(elements: Any, into: dict[str, list[Any]]) -> None:
    """Tempo, key, meter and text rows of ``elements``, offsets in quarters."""
    from music21 import expressions, key, meter, tempo

    for element in elements:
        offset = element.offset
        if isinstance(element, tempo.MetronomeMark):
            qpm = _quarter_bpm(element)
            if qpm is not None and qpm > 0:
                into["tempos"].append((offset, float(qpm)))
        elif isinstance(element, key.KeySignature):
            if isinstance(element, key.Key):
                tonic = element.tonic
                into["keys"].append((offset, element.sharps, element.mode, tonic.pitchClass,
                                     tonic.name))
            else:
                into["keys"].append((offset, element.sharps, None, None, None))
        elif isinstance(element, meter.TimeSignature):
            into["times"].append((offset, element.numerator, element.denominator))
        elif isinstance(element, expressions.RehearsalMark):
            into["texts"].append((offset, str(element.content), MARKER))
        elif isinstance(element, expressions.TextExpression) and element.content:
            into["texts"].append((offset, str(element.content), "text"))


def _quarter_bpm(mark: Any) -> float | None:
    """Quarter notes per minute of a ``MetronomeMark``, computed exactly: music21's
    ``getQuarterBPM`` goes through ``60 / (60 / n)`` and misses by a bit (231 gives
    231.00000000000003)."""
    number = mark.numberSounding if mark.numberSounding is not None else mark.number
    if number is None:
        return mark.getQuarterBPM()
    return float(Fraction(number) * Fraction(mark.referent.quarterLength))


def _collect_part(part: Any) -> dict[str, Any]:
    """Everything of one part, times still in quarters (a per-element loop: music21 objects).

    Ties are merged here, as ``stripTies`` would but without copying the part: a note of
    the pitch of a tie started (or continued) right where it begins extends that note, even
    when the score forgot its closing tie. Ties belong to single notes: in a chord, only the
    tied notes are extended (music21's MIDI writer extends the whole chord).
    """
    from music21 import chord, dynamics, note

    sounding = _sounding(part)
    flat = sounding.flatten()
    rows: list[list[Any]] = []  # [onset, end, pitch, velocity], quarters as Fractions
    open_ties: dict[int, list[Any]] = {}
    lyrics: list[tuple[Fraction, str]] = []
    level = DEFAULT_VELOCITY
    for element in flat.getElementsByClass((note.NotRest, dynamics.Dynamic)):
        if isinstance(element, dynamics.Dynamic):
            scalar = element.volumeScalar
            level = DEFAULT_VELOCITY if scalar is None else round(127 * scalar)
            continue
        if element.duration.isGrace:
            continue
        onset = _fraction(element.offset)
        end = onset + _fraction(element.quarterLength)
        fallback = _velocity(element, level)
        members = element.notes if isinstance(element, chord.ChordBase) else (element,)
        for member in members:
            pitch = _midi_pitch(member)
            tie = member.tie.type if member.tie is not None else None
            row = open_ties.pop(pitch, None)
            if row is None or row[1] != onset:  # not the continuation of a tied note
                velocity = _velocity(member, fallback) if member is not element else fallback
                row = [onset, end, pitch, velocity]
                rows.append(row)
            else:
                row[1] = max(row[1], end)
            if tie in ("start", "continue"):
                open_ties[pitch] = row
        lyrics.extend((onset, lyric.text) for lyric in element.lyrics if lyric.text)
    collected: dict[str, Any] = {"tempos": [], "keys": [], "times": [], "texts": []}
    _collect_globals(flat.getElementsByClass(_GLOBAL_CLASSES()), collected)
    program, is_drum = _program(sounding)
    collected.update(rows=rows, lyrics=lyrics, program=program, is_drum=is_drum,
                     name=getattr(part, "partName", None) or None,
                     fractions=[v for row in rows for v in row[:2]]
                     + [offset for offset, _ in lyrics])
    return collected


def _sounding(part: Any) -> Any:
    """``part`` at sounding pitch (a copy) when it is written for a transposing instrument."""
    from music21 import instrument

    if part.atSoundingPitch is True:
        return part
    transposing = any(inst.transposition is not None for inst in
                      part.recurse().getElementsByClass(instrument.Instrument))
    return part.toSoundingPitch(inPlace=False) if transposing else part


def _velocity(element: Any, fallback: int) -> int:
    if element.hasVolumeInformation():
        velocity = element.volume.velocity
        if velocity is not None:
            return min(127, max(0, int(velocity)))
    return fallback


def _midi_pitch(element: Any) -> int:
    from music21 import note

    if isinstance(element, note.Unpitched):
        stored = getattr(element, "storedInstrument", None)
        mapped = getattr(stored, "percMapPitch", None)
        if mapped is not None:
            return int(mapped)
        return int(element.displayPitch().midi)
    return int(element.pitch.midi)


def _program(part: Any) -> tuple[int, bool]:
    from music21 import instrument

    found = list(part.recurse().getElementsByClass(instrument.Instrument))
    is_drum = any(isinstance(inst, instrument.UnpitchedPercussion)
                  or inst.midiChannel == DRUM_CHANNEL for inst in found)
    programs = [inst.midiProgram for inst in found if inst.midiProgram is not None]
    return (int(programs[0]) if programs else 0), is_drum


def _fraction(value: Any) -> Fraction:
    # music21 keeps offsets as floats (exact binary fractions) or Fractions (tuplets).
    return value if isinstance(value, Fraction) else Fraction(value)


def _least_resolution(values: list[Fraction]) -> int:
    resolution = 1
    for denominator in {value.denominator for value in values}:
        resolution = math.lcm(resolution, denominator)
        if resolution > MAX_RESOLUTION:
            return MAX_RESOLUTION
    return resolution


def _ticker(resolution: int) -> Any:
    def to_ticks(value: Any) -> int:
        fraction = _fraction(value) * resolution
        # Round half up: floor(x + 1/2).
        return math.floor(fraction + Fraction(1, 2))

    return to_ticks


def _track(part: dict[str, Any], to_ticks: Any) -> Track:
    rows = part["rows"]
    if rows:
        table = np.array([(to_ticks(onset), to_ticks(end), pitch, velocity)
                          for onset, end, pitch, velocity in rows], dtype=np.int64)
        notes = NoteArray(table[:, 0], table[:, 2], table[:, 1] - table[:, 0], table[:, 3])
    else:
        notes = NoteArray()
    return Track(program=part["program"], is_drum=part["is_drum"], name=part["name"],
                 notes=notes.sorted(),
                 lyrics=[Lyric(to_ticks(offset), text) for offset, text in part["lyrics"]])


def _metadata(stream: Any) -> Metadata:
    source = getattr(stream, "metadata", None)
    if source is None:
        return Metadata(source_format="music21")
    composers = [str(name) for name in source.composers] or None
    copyright_ = source.copyright
    return Metadata(title=source.title, creators=composers,
                    copyright=str(copyright_) if copyright_ is not None else None,
                    source_format="music21")
