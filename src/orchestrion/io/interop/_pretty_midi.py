"""Conversion between :class:`Music` and ``pretty_midi.PrettyMIDI`` (times in seconds)."""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import (
    Annotation,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.core.notes import NoteArray
from orchestrion.core.timing import TempoMap

MAJOR, MINOR = "major", "minor"


def to_pretty_midi(music: Music) -> Any:
    """Convert ``music`` into a ``pretty_midi.PrettyMIDI`` at the same resolution.

    Times become seconds through the piece's tempo map; the tempo changes themselves are set
    as pretty_midi's tick scales (so ``pm.time_to_tick`` and ``pm.write`` give back the same
    ticks). Kept: tempos (120 qpm is added at tick 0 when the first change comes later or
    there is none; of several changes at one tick the last is kept), time
    signatures, key signatures with a known root or fifths and a major/minor mode (no mode
    counts as major, as in MIDI), one ``Instrument`` per track with ``program``, ``is_drum``
    and ``name``, notes (with velocity), control changes, pitch bends, lyrics of the piece and
    of every track (all into ``pm.lyrics``) and string annotations of the piece and of every
    track (into ``pm.text_events``).

    Lost: chords, the spelling of keys (``fifths`` beyond what the root implies, ``root_str``)
    and modes other than major and minor (such keys are dropped), annotation groups, which
    track a lyric or annotation belonged to, barlines, beats and all metadata.
    """
    import pretty_midi

    resolution = music.resolution
    tempo_map = music.tempo_map()
    pm = pretty_midi.PrettyMIDI(resolution=resolution)
    # The tempo map keeps the last of several changes at one tick and MIDI's 120 qpm before
    # the first change; pretty_midi's tick scales (seconds per tick) hold the same steps.
    pm._tick_scales = [(int(t), 60.0 / (float(q) * resolution))
                       for t, q in zip(tempo_map.ticks, tempo_map.qpm, strict=True)]
    pm._update_tick_to_time(music.get_end_time() + 1)

    def seconds(ticks: Any) -> Any:
        return tempo_map.to_seconds(np.asarray(ticks, dtype=np.int64))

    def one_second(tick: int) -> float:
        return float(tempo_map.to_seconds(tick))

    pm.time_signature_changes = [
        pretty_midi.TimeSignature(s.numerator, s.denominator, one_second(s.time))
        for s in music.time_signatures]
    pm.key_signature_changes = [
        pretty_midi.KeySignature(number, one_second(k.time))
        for k in music.key_signatures if (number := _key_number(k)) is not None]
    lyrics = [*music.lyrics, *(lyric for track in music.tracks for lyric in track.lyrics)]
    pm.lyrics = [pretty_midi.Lyric(lyric.lyric, one_second(lyric.time))
                 for lyric in sorted(lyrics, key=lambda x: x.time)]
    texts = [*music.annotations, *(a for track in music.tracks for a in track.annotations)]
    pm.text_events = [pretty_midi.Text(a.annotation, one_second(a.time))
                      for a in sorted(texts, key=lambda x: x.time)
                      if isinstance(a.annotation, str)]
    for track in music.tracks:
        instrument = pretty_midi.Instrument(program=track.program, is_drum=track.is_drum,
                                            name=track.name or "")
        notes = track.note_array()
        starts, ends = seconds(notes.time).tolist(), seconds(notes.end).tolist()
        instrument.notes = [
            pretty_midi.Note(velocity=v, pitch=p, start=s, end=e)
            for v, p, s, e in zip(notes.velocity.tolist(), notes.pitch.tolist(), starts, ends,
                                  strict=True)]
        times = seconds([c.time for c in track.controls]).tolist()
        instrument.control_changes = [
            pretty_midi.ControlChange(c.number, c.value, t)
            for c, t in zip(track.controls, times, strict=True)]
        times = seconds([b.time for b in track.pitch_bends]).tolist()
        instrument.pitch_bends = [pretty_midi.PitchBend(b.value, t)
                                  for b, t in zip(track.pitch_bends, times, strict=True)]
        pm.instruments.append(instrument)
    return pm


def _key_number(key: KeySignature) -> int | None:
    """pretty_midi's key number: 0-11 major keys from C, 12-23 minor keys from C."""
    minor = key.mode == MINOR
    if key.mode not in (None, MAJOR, MINOR):
        return None
    root = key.root
    if root is None:
        if key.fifths is None:
            return None
        root = (7 * key.fifths + (9 if minor else 0)) % 12
    return root + (12 if minor else 0)


def _qpm(tick_scale: float, resolution: int) -> float:
    """The simplest tempo that gives pretty_midi's ``tick_scale`` (seconds per tick).

    ``60 / (tick_scale * resolution)`` is often one unit in the last place off the tempo the
    scale was made from; a MIDI tempo (60,000,000 / whole microseconds) or the shortest
    decimal that gives exactly the same scale is taken instead.
    """
    qpm = 60.0 / (tick_scale * resolution)
    candidates = [60_000_000 / round(60_000_000 / qpm)]
    candidates += [round(qpm, digits) for digits in range(13)]
    for candidate in candidates:
        if candidate > 0 and 60.0 / (candidate * resolution) == tick_scale:
            return candidate
    return qpm


def from_pretty_midi(pm: Any) -> Music:
    """Convert a ``pretty_midi.PrettyMIDI`` into :class:`Music` at its resolution.

    Seconds become ticks through pretty_midi's own tempo changes (its tick scales), rounded
    to the nearest tick, so a ``PrettyMIDI`` read from a file gives the file's ticks back.
    Kept: the resolution, tempos (pretty_midi always has one at tick 0; it drops a tempo
    change that repeats the previous one when it reads a file), time signatures, key
    signatures (``root`` and ``mode`` from the key number; ``fifths`` is the spelling with at
    most six flats or five sharps, since pretty_midi does not tell F# major from Gb major),
    one track per instrument (even without notes) with ``program``, ``is_drum`` and ``name``,
    notes sorted by (time, pitch, duration, velocity), control changes, pitch bends, lyrics
    (``music.lyrics``) and text events (``music.annotations`` with group ``"text"``).

    Lost: whatever pretty_midi did not keep when it read a file (markers, the title,
    copyright; overlapping notes of one pitch all end at the first note-off), and times
    finer than a tick.
    """
    resolution = int(pm.resolution)
    scales = pm._tick_scales  # pretty_midi's tempo map: (tick, seconds per tick)
    tempos = [Tempo(int(tick), _qpm(scale, resolution)) for tick, scale in scales]
    tempo_map = TempoMap(np.array([t.time for t in tempos], dtype=np.int64),
                         np.array([t.qpm for t in tempos]), resolution)

    def ticks(seconds: Any) -> np.ndarray:
        values = np.asarray(seconds, dtype=np.float64)
        return np.floor(np.asarray(tempo_map.to_ticks(values)) + 0.5).astype(np.int64)

    def one_tick(seconds: float) -> int:
        return int(ticks([seconds])[0])

    time_signatures = [TimeSignature(one_tick(s.time), s.numerator, s.denominator)
                       for s in pm.time_signature_changes]
    key_signatures = [_key_signature(one_tick(k.time), k.key_number)
                      for k in pm.key_signature_changes]
    lyrics = [Lyric(one_tick(lyric.time), lyric.text) for lyric in pm.lyrics]
    annotations = [Annotation(one_tick(text.time), text.text, "text")
                   for text in getattr(pm, "text_events", ())]
    tracks = []
    for instrument in pm.instruments:
        rows = np.array([(n.start, n.end, n.pitch, n.velocity) for n in instrument.notes],
                        dtype=np.float64).reshape(-1, 4)
        start, end = ticks(rows[:, 0]), ticks(rows[:, 1])
        notes = NoteArray(start, rows[:, 2], np.maximum(end - start, 0), rows[:, 3]).sorted()
        controls = instrument.control_changes
        bends = instrument.pitch_bends
        tracks.append(Track(
            program=int(instrument.program), is_drum=bool(instrument.is_drum),
            name=instrument.name or None, notes=notes,
            controls=[ControlChange(int(t), c.number, c.value) for c, t in
                      zip(controls, ticks([c.time for c in controls]), strict=True)],
            pitch_bends=[PitchBend(int(t), b.pitch) for b, t in
                         zip(bends, ticks([b.time for b in bends]), strict=True)]))
    return Music(metadata=Metadata(source_format="pretty_midi"), resolution=resolution,
                 tempos=tempos, key_signatures=key_signatures,
                 time_signatures=time_signatures, lyrics=lyrics, annotations=annotations,
                 tracks=tracks)


def _key_signature(time: int, key_number: int) -> KeySignature:
    root, minor = key_number % 12, key_number >= 12
    major_root = (root + 3) % 12 if minor else root
    # root = 7 * fifths (mod 12) for major keys; take the spelling in -6..5.
    fifths = (7 * major_root + 6) % 12 - 6
    return KeySignature(time, root=root, mode=MINOR if minor else MAJOR, fifths=fifths)
