"""Operations on :class:`~orchestrion.core.model.Music`, vectorised over notes.

Each function changes the piece in place and returns it (MusPy's convention), and ``Music``
has a method of the same name that calls it. Note-level work runs on
:class:`~orchestrion.core.notes.NoteArray` (numpy), never a per-note Python loop; after an
operation the notes of a track are kept as arrays, so ``Note`` objects fetched earlier are no
longer part of the track (fetch ``track.notes`` again).

Where MusPy is wrong or silent, orchestrion does this instead:

- ``sort`` works with any number of tracks (MusPy issue: fails with two or more).
- ``remove_duplicate`` is O(n log n) (MusPy's is O(n^2)).
- ``transpose`` moves chords (MusPy appends to ``Chord.pitches``) and key signatures too, and
  refuses to push a pitch outside 0-127 instead of producing an invalid note.
- ``quantize`` exists (MusPy has none).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np

from orchestrion.core.model import Barline, Beat, Music, TimeSignature, Track
from orchestrion.core.notes import NoteArray
from orchestrion.core.timing import TempoMap
from orchestrion.errors import ValidationError

Rounding = Literal["round", "floor", "ceil"]

# ---------------------------------------------------------------------------------- timing


def _global_events(music: Music) -> list[Any]:
    return [*music.tempos, *music.key_signatures, *music.time_signatures, *music.lyrics,
            *music.annotations]


def get_end_time(music: Music) -> int:
    """End of the piece in ticks: the latest note or chord offset, or event time.

    Barlines and beats are a grid derived from the piece and do not count.
    """
    ends = [track.get_end_time() for track in music.tracks]
    ends.extend(event.time for event in _global_events(music))
    return max(ends, default=0)


def get_real_end_time(music: Music) -> float:
    """End of the piece in seconds: ``TempoMap.to_seconds(get_end_time(music))``."""
    return float(TempoMap.from_music(music).to_seconds(get_end_time(music)))


def ticks_to_seconds(music: Music, ticks: np.ndarray | int) -> np.ndarray | float:
    """Seconds at ``ticks`` through the piece's tempo map (120 qpm before the first tempo)."""
    return TempoMap.from_music(music).to_seconds(ticks)


def seconds_to_ticks(music: Music, seconds: np.ndarray | float) -> np.ndarray | float:
    """Ticks (floats) at ``seconds``; the inverse of :func:`ticks_to_seconds`."""
    return TempoMap.from_music(music).to_ticks(seconds)


# ------------------------------------------------------------------------------- helpers


def _round(values: np.ndarray, rounding: Rounding) -> np.ndarray:
    """Round to integers: 'round' is half-up (``floor(x + 0.5)``), unlike numpy's half-even."""
    if rounding == "round":
        out = np.floor(values + 0.5)
    elif rounding == "floor":
        out = np.floor(values)
    elif rounding == "ceil":
        out = np.ceil(values)
    else:
        raise ValueError(f"rounding must be 'round', 'floor' or 'ceil', got {rounding!r}")
    return out.astype(np.int64)


def _map_times(music: Music, retime: Callable[[int], int]) -> None:
    """Apply ``retime`` to the ``time`` of every non-note event of the piece."""
    events: list[Any] = [*_global_events(music), *music.barlines, *music.beats]
    for track in music.tracks:
        events.extend((*track.lyrics, *track.annotations, *track.controls,
                       *track.pitch_bends))
    for event in events:
        event.time = retime(event.time)


def _freeze(value: Any) -> Any:
    """A hashable stand-in for ``value`` that is equal exactly when the values are equal."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((_freeze(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(_freeze(v) for v in value))
    return value


def _event_key(event: Any) -> tuple[Any, ...]:
    # Annotations may hold any JSON value (dicts, nested lists): freeze them to hash them.
    return tuple(_freeze(getattr(event, f.name)) for f in dataclasses.fields(event))


def _event_lists(music: Music) -> list[list[Any]]:
    lists: list[list[Any]] = [music.tempos, music.key_signatures, music.time_signatures,
                              music.barlines, music.beats, music.lyrics, music.annotations]
    for track in music.tracks:
        lists.extend((track.chords, track.lyrics, track.annotations, track.controls,
                      track.pitch_bends))
    return lists


# --------------------------------------------------------------------------- operations


def transpose(music: Music, semitones: int) -> Music:
    """Shift every pitched note and chord by ``semitones``; drum tracks stay as they are.

    Key signatures move with the notes: root ``(r + k) mod 12`` and fifths
    ``((f + 7k + 6) mod 12) - 6`` (the enharmonic spelling with at most six flats or five
    sharps); a shift by whole octaves leaves key signatures alone (C# major stays C# major).
    A pitch pushed outside 0-127 raises ``ValidationError``; nothing is changed then.
    """
    k = int(semitones)
    if k != semitones:
        raise ValidationError(f"transpose needs a whole number of semitones, got {semitones}")
    pitched = [t for t in music.tracks if not t.is_drum]
    for track in pitched:
        notes = track.note_array()
        lows = [int(notes.pitch.min())] if len(notes) else []
        highs = [int(notes.pitch.max())] if len(notes) else []
        lows += [min(c.pitches) for c in track.chords if c.pitches]
        highs += [max(c.pitches) for c in track.chords if c.pitches]
        if lows and (min(lows) + k < 0 or max(highs) + k > 127):
            raise ValidationError(f"transpose by {k} pushes track {track.name!r} outside "
                                  f"pitch 0-127 (range {min(lows)}-{max(highs)})")
    for track in pitched:
        notes = track.note_array().copy()
        notes.pitch += k
        track.set_note_array(notes, validate=False)
        for chord in track.chords:
            chord.pitches = [p + k for p in chord.pitches]
            chord.pitches_str = None
    for key in music.key_signatures if k % 12 else ():  # octaves keep the key's spelling
        if key.root is not None:
            key.root = (key.root + k) % 12
        if key.fifths is not None:
            key.fifths = (key.fifths + 7 * k + 6) % 12 - 6
        key.root_str = None
    return music


def adjust_resolution(music: Music, target: int | None = None, factor: float | None = None,
                      rounding: Rounding = "round") -> Music:
    """Rescale all times to a new resolution (ticks per quarter).

    Give ``target`` (new resolution) or ``factor`` (new = old * factor). Onsets and offsets of
    notes and chords are scaled and rounded, and durations are their difference, so notes
    that touch keep touching. Tempos (qpm) do not change, so seconds stay (nearly) the same.
    """
    if (target is None) == (factor is None):
        raise ValueError("give exactly one of target and factor")
    if target is None:
        assert factor is not None
        target = int(_round(np.array(music.resolution * factor), rounding))
        if target < 1:
            raise ValidationError(f"resolution {music.resolution} x {factor} is below 1")
    if target < 1 or int(target) != target:
        raise ValidationError(f"target resolution must be a whole number >= 1, got {target}")
    target = int(target)
    old = music.resolution

    # Multiply before dividing: ``t * target / old`` is exact when it is an integer or a half,
    # where ``t * (target / old)`` can land just below it (49 * (1 / 49) < 1) and round wrong.
    def retime(t: int) -> int:
        return int(_round(np.array(t * target / old), rounding))

    for track in music.tracks:
        notes = track.note_array()
        time = _round(notes.time * target / old, rounding)
        end = _round(notes.end * target / old, rounding)
        track.set_note_array(NoteArray(time, notes.pitch, end - time, notes.velocity),
                             validate=False)
        for chord in track.chords:
            start, stop = retime(chord.time), retime(chord.end)
            chord.time, chord.duration = start, stop - start
    _map_times(music, retime)
    music.resolution = target
    return music


def quantize(music: Music, grid: int, *, ends: bool = True) -> Music:
    """Snap note and chord onsets to the nearest multiple of ``grid`` ticks (half-up).

    With ``ends`` offsets snap too, and a note of positive duration keeps at least one grid
    step, so nothing vanishes; without it durations are kept. Other events are not moved.
    """
    if grid < 1:
        raise ValidationError(f"quantize grid must be >= 1 tick, got {grid}")

    def snap(values: np.ndarray) -> np.ndarray:
        return (values + grid // 2) // grid * grid

    for track in music.tracks:
        notes = track.note_array()
        time = snap(notes.time)
        if ends:
            duration = snap(notes.end) - time
            duration = np.where(notes.duration > 0, np.maximum(duration, grid), 0)
        else:
            duration = notes.duration.copy()
        track.set_note_array(NoteArray(time, notes.pitch, duration, notes.velocity),
                             validate=False)
        for chord in track.chords:
            start = int(snap(np.array(chord.time)))
            if ends and chord.duration > 0:
                chord.duration = max(int(snap(np.array(chord.end))) - start, grid)
            chord.time = start
    return music


def clip(music: Music, lower: int = 0, upper: int = 127) -> Music:
    """Clip note and chord velocities into ``[lower, upper]``."""
    if not 0 <= lower <= upper <= 127:
        raise ValidationError(f"clip bounds must satisfy 0 <= lower <= upper <= 127, "
                              f"got {lower}, {upper}")
    for track in music.tracks:
        notes = track.note_array()
        track.set_note_array(NoteArray(notes.time, notes.pitch, notes.duration,
                                       np.clip(notes.velocity, lower, upper)), validate=False)
        for chord in track.chords:
            chord.velocity = min(max(chord.velocity, lower), upper)
    return music


def trim(music: Music, end: int) -> Music:
    """Cut the piece at tick ``end``: events at or after it go, longer notes are shortened."""
    if end < 0:
        raise ValidationError(f"trim end must be >= 0, got {end}")
    for track in music.tracks:
        notes = track.note_array()
        kept = notes.take(notes.time < end)
        kept.duration = np.minimum(kept.duration, end - kept.time)
        track.set_note_array(kept, validate=False)
        track.chords = [c for c in track.chords if c.time < end]
        for chord in track.chords:
            chord.duration = min(chord.duration, end - chord.time)
    for events in _event_lists(music):
        events[:] = [e for e in events if e.time < end]
    return music


def sort(music: Music) -> Music:
    """Sort every list by time (stable); notes by (time, pitch, duration, velocity)."""
    for track in music.tracks:
        track.set_note_array(track.note_array().sorted(), validate=False)
        track.chords.sort(key=lambda c: (c.time, c.pitches, c.duration, c.velocity))
    for events in _event_lists(music):
        events.sort(key=lambda e: e.time)
    return music


def remove_duplicate(music: Music) -> Music:
    """Drop exact duplicates: notes equal in all four fields (sorted, O(n log n)), and repeated
    events in every other list (first occurrence kept, order kept)."""
    for track in music.tracks:
        notes = track.note_array().sorted()
        if len(notes) > 1:
            same = np.ones(len(notes) - 1, dtype=bool)
            for values in (notes.time, notes.pitch, notes.duration, notes.velocity):
                same &= values[1:] == values[:-1]
            notes = notes.take(np.concatenate(([True], ~same)))
        track.set_note_array(notes, validate=False)
    for events in _event_lists(music):
        seen: set[tuple[Any, ...]] = set()
        unique = []
        for event in events:
            key = _event_key(event)
            if key not in seen:
                seen.add(key)
                unique.append(event)
        events[:] = unique
    return music


def beat_length(time_signature: TimeSignature, resolution: int) -> tuple[float, int]:
    """(ticks per beat, beats per bar) of a time signature.

    A beat is one ``1/denominator`` note, except in compound meters (numerator 6, 9, 12, ...
    over 8 or shorter), where it is a dotted note of three: 6/8 has two beats of 3 eighths.
    """
    unit = resolution * 4 / time_signature.denominator
    num = time_signature.numerator
    if num > 3 and num % 3 == 0 and time_signature.denominator >= 8:
        return unit * 3, num // 3
    return unit, num


def infer_barlines_and_beats(music: Music, overwrite: bool = True) -> Music:
    """Fill ``music.barlines`` and ``music.beats`` from the time signatures up to the end.

    With no time signature 4/4 is assumed. A time-signature change starts a new bar, even in
    the middle of one. Beats follow :func:`beat_length`; positions are rounded to ticks.
    With ``overwrite=False`` existing barlines and beats are kept and nothing is inferred.
    """
    if not overwrite and (music.barlines or music.beats):
        return music
    end = get_end_time(music)
    signatures = sorted(music.time_signatures, key=lambda ts: ts.time)
    if not signatures or signatures[0].time > 0:
        signatures.insert(0, TimeSignature(0, 4, 4))
    bars: list[np.ndarray] = []
    beats: list[np.ndarray] = []
    for i, signature in enumerate(signatures):
        start = signature.time
        stop = signatures[i + 1].time if i + 1 < len(signatures) else end
        if stop <= start:
            continue
        beat, per_bar = beat_length(signature, music.resolution)
        n_beats = int(np.ceil((stop - start) / beat - 1e-9))
        positions = _round(start + beat * np.arange(n_beats), "round")
        positions = positions[positions < stop]
        beats.append(positions)
        bars.append(positions[::per_bar])
    music.barlines = [Barline(int(t)) for t in np.unique(np.concatenate(bars or [[]]))]
    music.beats = [Beat(int(t)) for t in np.unique(np.concatenate(beats or [[]]))]
    return music


def merge_tracks(music: Music, indices: Iterable[int] | None = None, *,
                 program: int | None = None, is_drum: bool | None = None,
                 name: str | None = None) -> Music:
    """Merge the tracks at ``indices`` (default all) into one, at the first one's place.

    Program, drum flag and name default to the first merged track's. Notes come out sorted.
    """
    chosen = sorted(set(range(len(music.tracks)) if indices is None else indices))
    if not chosen:
        return music
    if chosen[0] < 0 or chosen[-1] >= len(music.tracks):
        raise IndexError(f"track indices {chosen} out of range for {len(music.tracks)} tracks")
    parts = [music.tracks[i] for i in chosen]
    first = parts[0]
    merged = Track(
        program=first.program if program is None else program,
        is_drum=first.is_drum if is_drum is None else is_drum,
        name=first.name if name is None else name,
        notes=NoteArray.concatenate(p.note_array() for p in parts).sorted(),
    )
    for attribute in ("chords", "lyrics", "annotations", "controls", "pitch_bends"):
        events = [e for p in parts for e in getattr(p, attribute)]
        events.sort(key=lambda e: e.time)
        setattr(merged, attribute, events)
    music.tracks = [t for i, t in enumerate(music.tracks) if i not in chosen[1:]]
    music.tracks[chosen[0]] = merged
    return music


__all__ = [
    "adjust_resolution",
    "beat_length",
    "clip",
    "get_end_time",
    "get_real_end_time",
    "infer_barlines_and_beats",
    "merge_tracks",
    "quantize",
    "remove_duplicate",
    "seconds_to_ticks",
    "sort",
    "ticks_to_seconds",
    "transpose",
    "trim",
]
