"""Rendering a :class:`~orchestrion.core.model.Music` to audio with a General MIDI SoundFont.

Every track plays its GM ``program``; drum tracks play the drum kit (bank 128) on MIDI
channel 10, as :mod:`orchestrion.io.midi` writes them. Note times go through the piece's
:class:`~orchestrion.core.timing.TempoMap`, so tempo changes are honoured; velocities, control
changes (sustain pedal CC 64, volume 7, expression 11, pan 10, ...) and pitch bends are played.

Events are built per track with numpy (ticks -> seconds -> sample index, sorted once) and fed
to the synthesizer in time order: the engine renders straight into the output array up to the
next event time, then takes every event of that sample. See ``docs/audio.md``.

Levels: each engine's output gain is set so that both play at a similar level, and ``gain``
multiplies it. A mix whose peak would exceed :data:`PEAK` is scaled down, with one factor for
the mix and every stem, so the stems still sum to the mix; :attr:`Rendering.gain` is the
factor applied.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestrion.audio import _engines
from orchestrion.audio.soundfont import find_soundfont
from orchestrion.core.gm import program_name
from orchestrion.core.model import Music, Track
from orchestrion.core.timing import TempoMap

#: The highest absolute sample value of a rendering; louder mixes are scaled down.
PEAK = 0.99
#: Fade-out (seconds) at the very end, so sounds cut by the end of the tail do not click.
FADE = 0.01
DRUM_CHANNEL = 9
MELODIC_CHANNELS = (*range(9), *range(10, 16))

# Event kinds, in the order events of one sample are applied: the program first, controls
# and bends before notes, note-offs before note-ons (a note struck again at its own end).
_PROGRAM, _CONTROL, _BEND, _OFF, _ON = range(5)


@dataclass(frozen=True)
class Rendering:
    """Rendered audio: ``audio`` float32 ``(samples, channels)`` at ``sample_rate``.

    ``stems`` (when asked for) maps ``"NN-label"`` (track index, then its name or GM
    instrument) to each track's own float32 ``(samples, channels)`` audio; they sum to
    ``audio`` within float rounding. ``gain`` is the linear factor applied to the engine's
    output (the ``gain=`` asked for, times the peak-safety reduction if there was one).
    """

    audio: np.ndarray
    sample_rate: int
    stems: dict[str, np.ndarray] | None = None
    gain: float = 1.0
    engine: str = ""
    soundfont: Path | None = None

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.audio) / self.sample_rate

    @property
    def channels(self) -> int:
        return int(self.audio.shape[1])


def track_label(track: Track, index: int) -> str:
    """``"NN-<name or GM instrument>"``: the key of a track's stem."""
    name = (track.name or "").strip() or program_name(track.program, track.is_drum)
    return f"{index:02d}-{name}"


def sounding_end(music: Music) -> int:
    """Tick of the last sound: the latest note or chord offset, control change or pitch bend
    (lyrics, annotations and global events do not sound)."""
    end = 0
    for track in music.tracks:
        notes = track.note_array()
        if len(notes):
            end = max(end, int(notes.end.max()))
        for events in (track.chords, track.controls, track.pitch_bends):
            if events:
                end = max(end, max(getattr(e, "end", e.time) for e in events))
    return end


# ------------------------------------------------------------------------------- events
@dataclass
class _Events:
    """One track's events as parallel arrays, sorted in the order they are played."""

    position: np.ndarray  # sample index
    kind: np.ndarray
    channel: np.ndarray
    a: np.ndarray  # key / controller / program / bend value
    b: np.ndarray  # velocity / control value / drum flag


def _note_arrays(track: Track) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    notes = track.note_array()
    time, pitch, end, velocity = notes.time, notes.pitch, notes.end, notes.velocity
    if track.chords:
        rows = np.array([(c.time, p, c.end, c.velocity) for c in track.chords
                         for p in c.pitches], dtype=np.int64).reshape(-1, 4)
        time, pitch, end, velocity = (np.concatenate((x, rows[:, i])) for i, x in
                                      enumerate((time, pitch, end, velocity)))
    audible = velocity > 0  # a velocity-0 note-on is a note-off in MIDI: nothing sounds
    return time[audible], pitch[audible], end[audible], velocity[audible]


def _hold_for_pedal(off: np.ndarray, pedal_time: np.ndarray, pedal_value: np.ndarray,
                    never: int) -> np.ndarray:
    """Note-off positions moved to the next pedal release when the sustain pedal is down
    (for engines that ignore CC 64). ``never`` stands for "not released before the end"."""
    if not len(pedal_time) or not len(off):
        return off
    order = np.argsort(pedal_time, kind="stable")
    times, down = pedal_time[order], pedal_value[order] >= 64
    n = len(times)
    up_index = np.where(~down, np.arange(n), n)
    next_up = np.minimum.accumulate(up_index[::-1])[::-1]  # first release at or after i
    release = np.append(times, never)[next_up]
    last = np.searchsorted(times, off, side="right") - 1  # the pedal's last move at the off
    held = (last >= 0) & down[np.clip(last, 0, None)]
    return np.where(held, release[np.clip(last, 0, None)], off)


def track_events(track: Track, tempo_map: TempoMap, sample_rate: int, channel: int, *,
                 native_sustain: bool = True) -> _Events:
    """The engine events of ``track`` on MIDI ``channel`` (0-based), vectorised."""

    def samples(ticks: np.ndarray) -> np.ndarray:
        seconds = np.asarray(tempo_map.to_seconds(np.asarray(ticks, dtype=np.int64)))
        return np.rint(seconds * sample_rate).astype(np.int64).reshape(-1)

    time, pitch, end, velocity = _note_arrays(track)
    on, off = samples(time), samples(end)
    off = np.maximum(off, on + 1)  # a zero-length note still starts before it stops
    controls = (np.array([(c.time, c.number, c.value) for c in track.controls], dtype=np.int64)
                .reshape(-1, 3))
    if not native_sustain:
        pedal = controls[:, 1] == 64
        off = _hold_for_pedal(off, samples(controls[pedal, 0]), controls[pedal, 2],
                              np.iinfo(np.int64).max)
        controls = controls[~pedal]
    bends = np.array([(b.time, b.value) for b in track.pitch_bends],
                     dtype=np.int64).reshape(-1, 2)
    n_notes, n_controls, n_bends = len(on), len(controls), len(bends)
    position = np.concatenate(([0], samples(controls[:, 0]), samples(bends[:, 0]), off, on))
    kind = np.concatenate(([_PROGRAM], np.full(n_controls, _CONTROL),
                           np.full(n_bends, _BEND), np.full(n_notes, _OFF),
                           np.full(n_notes, _ON)))
    a = np.concatenate(([track.program], controls[:, 1], bends[:, 1], pitch, pitch))
    b = np.concatenate(([int(track.is_drum)], controls[:, 2], np.zeros(n_bends, np.int64),
                        np.zeros(n_notes, np.int64), velocity))
    order = np.lexsort((kind, position))
    return _Events(position[order], kind[order].astype(np.int8),
                   np.full(len(order), channel, dtype=np.int8), a[order], b[order])


def _merge(parts: list[_Events]) -> _Events:
    if len(parts) == 1:
        return parts[0]
    merged = _Events(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("position", "kind", "channel", "a", "b")))
    order = np.lexsort((merged.kind, merged.position))
    return _Events(*(getattr(merged, f)[order] for f in ("position", "kind", "channel", "a",
                                                          "b")))


def _play(engine: _engines.Engine, events: _Events, out: np.ndarray) -> None:
    """Render ``events`` into ``out`` (float32 ``(n, 2)``), overwriting it."""
    n = len(out)
    engine.reset()
    note_on, note_off, control = engine.note_on, engine.note_off, engine.control
    render_into = engine.render_into
    cursor = 0
    positions = np.minimum(events.position, n).tolist()
    for position, kind, channel, a, b in zip(positions, events.kind.tolist(),
                                             events.channel.tolist(), events.a.tolist(),
                                             events.b.tolist(), strict=True):
        if position > cursor:
            while cursor < position:
                stop = min(position, cursor + _engines.BLOCK)
                render_into(out[cursor:stop])
                cursor = stop
        if kind == _ON:
            note_on(channel, a, b)
        elif kind == _OFF:
            note_off(channel, a)
        elif kind == _CONTROL:
            control(channel, a, b)
        elif kind == _BEND:
            engine.pitch_bend(channel, a)
        else:
            engine.program(channel, a, bool(b))
    while cursor < n:
        stop = min(n, cursor + _engines.BLOCK)
        render_into(out[cursor:stop])
        cursor = stop


def _passes(tracks: list[Track]) -> list[list[tuple[int, int]]]:
    """Tracks packed into engine passes of (track index, channel): at most 15 melodic tracks
    and one drum track share a pass, each on its own channel."""
    passes: list[list[tuple[int, int]]] = []
    melodic: list[int] = []
    drums: list[int] = []
    for index, track in enumerate(tracks):
        (drums if track.is_drum else melodic).append(index)
    per = len(MELODIC_CHANNELS)
    for k in range(max(-(-len(melodic) // per), len(drums), 1 if tracks else 0)):
        group = [(i, MELODIC_CHANNELS[j]) for j, i in enumerate(melodic[k * per:(k + 1) * per])]
        if k < len(drums):
            group.append((drums[k], DRUM_CHANNEL))
        passes.append(group)
    return passes


# ------------------------------------------------------------------------------- render
def render(music: Music, *, soundfont: str | os.PathLike[str] | None = None,
           sample_rate: int = 44100, channels: int = 2, stems: bool = False,
           gain: float | None = None, engine: str | None = None,
           tail: float = 1.0) -> Rendering:
    """Render ``music`` to audio with a General MIDI SoundFont.

    ``soundfont``: a .sf2/.sf3 file (default: :func:`find_soundfont`, which also reads
    ``$ORCHESTRION_SOUNDFONT``). ``channels``: 1 (mono, the mean of left and right) or 2.
    ``stems``: also return each track rendered alone (``Rendering.stems``); the mix is then
    their sum. ``gain``: linear factor on the engine's level (default 1); a mix that would
    peak above :data:`PEAK` is scaled down anyway, mix and stems alike. ``engine``:
    ``"tinysoundfont"`` (default when installed) or ``"fluidsynth"``. ``tail``: seconds
    rendered after the last sound ends (release and reverb); the audio lasts
    ``TempoMap.to_seconds(sounding_end(music)) + tail`` seconds.

    Raises :class:`~orchestrion.errors.SoundFontError` when no SoundFont or no engine is
    available (the message says how to install one).
    """
    if channels not in (1, 2):
        raise ValueError(f"channels must be 1 or 2, got {channels}")
    if not 1000 <= int(sample_rate) <= 192000:
        raise ValueError(f"sample_rate must be 1000-192000 Hz, got {sample_rate}")
    if tail < 0 or not np.isfinite(tail):
        raise ValueError(f"tail must be >= 0 seconds, got {tail}")
    if gain is not None and not (gain > 0 and np.isfinite(gain)):
        raise ValueError(f"gain must be positive, got {gain}")
    sample_rate = int(sample_rate)
    path = find_soundfont(soundfont)
    name = _engines.choose_engine(engine)
    if name == "fluidsynth" and not 8000 <= sample_rate <= 96000:
        raise ValueError(f"FluidSynth renders at 8000-96000 Hz, not {sample_rate}")
    synth = _engines.get_engine(name, path, sample_rate)

    tempo_map = music.tempo_map()
    end_seconds = float(tempo_map.to_seconds(sounding_end(music)))
    n = round((end_seconds + tail) * sample_rate)

    def events(index: int, channel: int) -> _Events:
        return track_events(music.tracks[index], tempo_map, sample_rate, channel,
                            native_sustain=synth.native_sustain)

    level = 1.0 if gain is None else float(gain)
    stem_audio: dict[str, np.ndarray] | None = None
    with synth.lock:
        if stems:
            stem_audio = {}
            for index, track in enumerate(music.tracks):
                out = np.empty((n, 2), dtype=np.float32)
                _play(synth, events(index, DRUM_CHANNEL if track.is_drum else 0), out)
                stem_audio[track_label(track, index)] = out
        else:
            mix = np.empty((n, 2), dtype=np.float32)
            buffer = None
            for k, group in enumerate(_passes(music.tracks) or [[]]):
                merged = _merge([events(i, c) for i, c in group]) if group else None
                target = mix if k == 0 else buffer
                if target is None:
                    target = buffer = np.empty((n, 2), dtype=np.float32)
                if merged is None:
                    target[:] = 0
                else:
                    _play(synth, merged, target)
                if k > 0:
                    mix += target
        synth.reset()

    finish = _finisher(n, sample_rate, channels)
    if stem_audio is not None:
        stem_audio = {key: finish(out) for key, out in stem_audio.items()}
        mix = _sum(list(stem_audio.values()), n, channels)
    else:
        mix = finish(mix)
    peak = max(float(mix.max()), -float(mix.min())) * level if mix.size else 0.0
    if peak > PEAK:
        level *= PEAK / peak
    if level != 1.0:
        # One factor for all: the scaled stems sum to the scaled mix up to float rounding.
        for out in (mix, *(stem_audio or {}).values()):
            out *= np.float32(level)
    return Rendering(mix, sample_rate, stem_audio, level, name, path)


def _sum(arrays: list[np.ndarray], n: int, channels: int) -> np.ndarray:
    total = np.zeros((n, channels), dtype=np.float32)
    for array in arrays:
        total += array
    return total


def _finisher(n: int, sample_rate: int, channels: int) -> Callable[[np.ndarray], np.ndarray]:
    """A function that fades the end of a stereo buffer and turns it mono if asked."""
    fade_length = min(n, max(1, round(FADE * sample_rate)))
    fade = np.linspace(1.0, 0.0, fade_length, dtype=np.float32)[:, None]

    def finish(out: np.ndarray) -> np.ndarray:
        if n:
            out[n - fade_length:] *= fade
        if channels == 1:
            return out.mean(axis=1, keepdims=True, dtype=np.float32)
        return out

    return finish
