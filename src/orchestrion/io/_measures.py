"""Laying parsed measures out into tracks, shared by the MusicXML and MuseScore readers.

Each reader parses a part's measures into :class:`~orchestrion.io._musicxml_parse.ParsedMeasure`
lists (times in ticks from each measure's start); this module places them in playing order
(:func:`measure_starts`), merges ties (:func:`tied_note` states the rule) and collects the
score-wide tempos, keys and meters (:func:`global_events`). :func:`gc_paused` holds off the
cyclic garbage collector while a document's element tree is alive.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
from collections.abc import Iterator
from typing import Any

from orchestrion.core.model import (
    Annotation,
    KeySignature,
    Lyric,
    Music,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.core.notes import NoteArray
from orchestrion.io._musicxml_parse import ParsedMeasure, PartInfo

__all__ = ["MODE_OFFSETS", "gc_paused", "global_events", "key_signature", "lay_out",
           "measure_starts", "tied_note"]

# Semitones from the major tonic (fifths) to the tonic of each mode.
MODE_OFFSETS = {"major": 0, "ionian": 0, "minor": 9, "aeolian": 9, "dorian": 2,
                "phrygian": 4, "lydian": 5, "mixolydian": 7, "locrian": 11}


_ONSET = operator.itemgetter(0)
_TIE_STARTS = operator.itemgetter(5)


def lay_out(measures: list[ParsedMeasure], order: list[int], starts: list[int],
             info: PartInfo) -> Track:
    """The part's track with its measures placed in ``order`` at ``starts``; tied notes are
    merged on the way (see :func:`tied_note` for the rule)."""
    times: list[int] = []
    pitches: list[int] = []
    durations: list[int] = []
    velocities: list[int] = []
    open_ties: dict[tuple[str, int], int] = {}  # (voice, pitch) -> note a tie holds

    def place(time: int, pitch: int, duration: int, velocity: int, voice: str,
              tie_start: bool, held: int | None) -> None:
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

    track = Track(program=info.program, is_drum=info.is_drum, name=info.name)
    for index, offset in zip(order, starts, strict=True):
        if index >= len(measures):
            continue  # a part with fewer measures rests
        measure = measures[index]
        notes = measure.notes
        if not open_ties and not any(map(_TIE_STARTS, notes)):
            # The common case, inlined: nothing is tied over, into or within the measure.
            for onset, pitch, duration, velocity, _, _, _ in notes:  # (no *_: a list each)
                times.append(offset + onset)
                pitches.append(pitch)
                durations.append(duration)
                velocities.append(velocity)
        else:
            # A tie joins a note ending at t to one starting at t: resolve the notes onset by
            # onset (document order within one), so a note whose tie another voice may end
            # waits only for the notes of its own onset, not for the rest of the measure.
            for _, group in itertools.groupby(sorted(notes, key=_ONSET), key=_ONSET):
                deferred = []
                for onset, pitch, duration, velocity, voice, tie_start, tie_stop in group:
                    time = offset + onset
                    held = tied_note(open_ties, voice, pitch, time, tie_stop, times,
                                      durations)
                    if held is None and tied_note(open_ties, voice, pitch, time, True, times,
                                                   durations, take=False) is not None:
                        # Another voice's tie may end here: decide once this voice's notes
                        # at this onset have had the first claim on their own ties.
                        deferred.append((time, pitch, duration, velocity, voice, tie_start))
                        continue
                    place(time, pitch, duration, velocity, voice, tie_start, held)
                for time, pitch, duration, velocity, voice, tie_start in deferred:
                    held = tied_note(open_ties, voice, pitch, time, True, times, durations)
                    place(time, pitch, duration, velocity, voice, tie_start, held)
        if measure.lyrics:
            track.lyrics.extend(Lyric(offset + t, text) for t, text in measure.lyrics)
        if measure.harmony:
            track.annotations.extend(Annotation(offset + t, symbol, "harmony")
                                     for t, symbol in measure.harmony)
    notes = NoteArray(times, pitches, durations, velocities)
    track.set_note_array(notes.sorted(), validate=False)  # values were checked on parsing
    return track


def tied_note(open_ties: dict[tuple[str, int], int], voice: str, pitch: int, time: int,
               any_voice: bool, times: list[int], durations: list[int], *,
               take: bool = True) -> int | None:
    """The note a tie holds into this one (taken out of ``open_ties`` when ``take``), or
    ``None``.

    A tie start holds its note into the next note of the same pitch that begins where it
    ends: in the same voice, whether or not that note says ``<tie type="stop"/>`` (some files
    omit it); in another voice (``any_voice``) when the note says it ends a tie, or when no
    note of the tie's own voice took it up in that measure (voices are renumbered between
    measures in some files).
    """
    candidates = [(voice, pitch)]
    if any_voice:
        candidates += [key for key in open_ties if key[1] == pitch and key[0] != voice]
    for key in candidates:
        held = open_ties.get(key)
        if held is not None and times[held] + durations[held] == time:
            if take:
                del open_ties[key]
            return held
    return None


def global_events(parsed: list[list[ParsedMeasure]], order: list[int],
                   starts: list[list[int]], music: Music) -> None:
    """Tempos from every part (the first part's where two coincide); key and time signatures
    from the first part that has any."""
    tempos: dict[int, float] = {}
    placed_parts = [[(measures[i], start) for i, start in zip(order, part_starts, strict=True)
                     if i < len(measures)]
                    for measures, part_starts in zip(parsed, starts, strict=True)]
    for placed in placed_parts:
        for measure, start in placed:
            for time, qpm in measure.tempos:
                tempos.setdefault(start + time, qpm)
    music.tempos = [Tempo(time, qpm) for time, qpm in sorted(tempos.items())]
    for placed in placed_parts:
        keys = [(start + t, fifths, mode) for m, start in placed for t, fifths, mode in m.keys]
        if keys and not music.key_signatures:
            music.key_signatures = [key_signature(*key) for key in dedupe(keys)]
        meters = [(start + t, n, d) for m, start in placed for t, n, d in m.meters]
        if meters and not music.time_signatures:
            music.time_signatures = [TimeSignature(*meter) for meter in dedupe(meters)]


def dedupe(events: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Drop an event that only repeats the one before it (a signature restated after a
    repeat or at a system break)."""
    kept: list[tuple[Any, ...]] = []
    for event in events:
        if not kept or event[1:] != kept[-1][1:]:
            kept.append(event)
    return kept


def key_signature(time: int, fifths: int, mode: str | None) -> KeySignature:
    offset = MODE_OFFSETS.get(mode or "major")
    root = None if offset is None else (7 * fifths + offset) % 12
    return KeySignature(time, root=root, mode=mode or "major", fifths=fifths)


def measure_starts(measures: list[ParsedMeasure], order: list[int]) -> list[int]:
    """Where each measure of ``order`` starts in one part (``order`` may name measures the
    part lacks: they take no time). Parts are laid out independently, as music21 and MusPy do,
    so polymetric scores, whose parts' measures differ in length, keep every part whole."""
    starts = []
    offset = 0
    for index in order:
        starts.append(offset)
        if index < len(measures):
            offset += measures[index].length
    return starts


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a document is read: a score's element
    tree is hundreds of thousands of tracked objects, none of them in cycles, and
    collections triggered by their allocation would scan them again and again (half the
    reading time of a string quartet)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
