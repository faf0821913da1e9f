"""Conversion between :class:`Music` and ``pypianoroll.Multitrack`` (piano rolls)."""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import DEFAULT_VELOCITY, Barline, Metadata, Music, Tempo, Track
from orchestrion.core.notes import NoteArray

N_PITCHES = 128


def to_pypianoroll(music: Music, resolution: int | None = None) -> Any:
    """Convert ``music`` into a ``pypianoroll.Multitrack``: one ``StandardTrack`` per track,
    a ``(time steps, 128)`` array of ``uint8`` velocities, one step per tick.

    ``resolution`` (time steps per quarter) defaults to the piece's; another value rescales a
    copy first (:func:`orchestrion.core.ops.adjust_resolution`). The roll is as long as the
    piece (``music.get_end_time()``, and past the last tempo change or barline).

    Kept: notes as velocity cells (where notes of one pitch overlap, the louder one wins),
    program, drum flag and name of every track, tempos (``tempo``: the qpm at every step,
    only when the piece has tempos; 120 qpm before the first change), barlines
    (``downbeat``, only when the piece has barlines) and the title (``name``).
    Lost: notes of length 0 or velocity 0 (they leave no cell), where one note ends and
    the next of the same pitch and velocity begins (see :func:`from_pypianoroll`), chords,
    key and time signatures, beats, lyrics, annotations, control changes, pitch bends and the
    other metadata.
    """
    import pypianoroll

    if resolution is not None and resolution != music.resolution:
        music = music.copy().adjust_resolution(resolution)
    times = [0, music.get_end_time()]
    times += [event.time + 1 for event in (*music.tempos, *music.barlines)]
    length = max(times)
    tempo = None
    if music.tempos:
        tempo_map = music.tempo_map()
        steps = np.searchsorted(tempo_map.ticks, np.arange(length), side="right") - 1
        tempo = tempo_map.qpm[steps].astype(np.float64)
    downbeat = None
    if music.barlines:
        downbeat = np.zeros(length, dtype=bool)
        downbeat[[barline.time for barline in music.barlines]] = True
    tracks = [pypianoroll.StandardTrack(name=track.name or "", program=track.program,
                                        is_drum=track.is_drum,
                                        pianoroll=_roll(track.note_array(), length))
              for track in music.tracks]
    return pypianoroll.Multitrack(name=music.metadata.title, resolution=music.resolution,
                                  tempo=tempo, downbeat=downbeat, tracks=tracks)


def _roll(notes: NoteArray, length: int) -> np.ndarray:
    """Velocity roll of ``notes``: every tick a note sounds, at its pitch (vectorised)."""
    roll = np.zeros((length, N_PITCHES), dtype=np.uint8)
    audible = (notes.duration > 0) & (notes.velocity > 0)
    if not audible.any():
        return roll
    notes = notes.take(audible)
    durations = notes.duration
    # Cell k of note i lies at time[i] + k: one row per sounding tick of every note.
    first = np.repeat(np.cumsum(durations) - durations, durations)
    steps = np.repeat(notes.time, durations) + (np.arange(len(first)) - first)
    pitches = np.repeat(notes.pitch, durations)
    np.maximum.at(roll, (steps, pitches), np.repeat(notes.velocity, durations).astype(np.uint8))
    return roll


def from_pypianoroll(multitrack: Any, default_velocity: int = DEFAULT_VELOCITY) -> Music:
    """Convert a ``pypianoroll.Multitrack`` into :class:`Music`, one tick per time step.

    A note is a run of equal, non-zero cells of one pitch: touching notes of the same pitch
    and velocity merge into one, and a change of velocity inside a run starts a new note.
    Boolean rolls give ``default_velocity`` (64); other rolls are rounded and clipped to 0-127.
    Kept: the resolution (24 when the multitrack has none), tempos (a ``Tempo`` at step 0
    and at every step where the ``tempo`` array changes), barlines (``downbeat``), the title
    (``name``), and each track's program, drum flag and name. Everything the piano roll
    cannot hold was lost on the way in (see :func:`to_pypianoroll`).
    """
    resolution = int(multitrack.resolution or 24)
    tempos: list[Tempo] = []
    if multitrack.tempo is not None and len(multitrack.tempo):
        qpm = np.asarray(multitrack.tempo, dtype=np.float64)
        changes = np.flatnonzero(np.concatenate(([True], qpm[1:] != qpm[:-1])))
        tempos = [Tempo(int(step), float(qpm[step])) for step in changes]
    barlines = []
    if multitrack.downbeat is not None:
        barlines = [Barline(int(step)) for step in np.flatnonzero(multitrack.downbeat)]
    tracks = [Track(program=int(track.program or 0), is_drum=bool(track.is_drum),
                    name=track.name or None,
                    notes=_notes(np.asarray(track.pianoroll), default_velocity))
              for track in multitrack.tracks]
    return Music(metadata=Metadata(title=multitrack.name or None,
                                   source_format="pypianoroll"),
                 resolution=resolution, tempos=tempos, barlines=barlines, tracks=tracks)


def _notes(roll: np.ndarray, default_velocity: int = DEFAULT_VELOCITY) -> NoteArray:
    """Runs of equal non-zero cells per pitch, found with one diff over the padded roll."""
    if roll.size == 0:
        return NoteArray()
    if roll.dtype == np.bool_:
        cells = roll.astype(np.int64) * default_velocity
    else:
        cells = np.clip(np.rint(roll), 0, 127).astype(np.int64)
    length = cells.shape[0]
    # One row per pitch, a silent step on both sides so that runs never join across pitches.
    padded = np.zeros((cells.shape[1], length + 2), dtype=np.int64)
    padded[:, 1:-1] = cells.T
    flat = padded.ravel()
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    starts = change[flat[change] != 0]
    ends = change[flat[change - 1] != 0]
    pitch, time = np.divmod(starts, length + 2)
    return NoteArray(time - 1, pitch, ends - starts, flat[starts]).sorted()
