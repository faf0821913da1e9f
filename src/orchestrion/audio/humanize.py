"""Humanised performances of a score: timing, rubato, dynamics and articulation, with the
note-level alignment between score and performance (paired data for performance models such
as Deep Performer's alignment model).

:func:`humanize` returns a :class:`Performance`: the performed :class:`~orchestrion.core.Music`
and a structured ``alignment`` array. The score is never modified.

**The performed music's time grid is the clock.** It has one tempo, 60 qpm, and
``resolution`` ticks per quarter (default 1000), so one tick is exactly ``1 / resolution``
seconds (1 ms by default) and ``ticks / resolution`` *is* the performed time in seconds, like a
performance MIDI file (MAESTRO's are the same idea). Every event of the score (notes, chords,
key and time signatures, barlines, beats, lyrics, annotations, control changes, pitch bends)
is moved through the rubato time warp; the score's tempo changes are folded into it and
replaced by the single 60 qpm tempo. The alignment's performed times are the rounded ticks
divided by ``resolution``, so they agree with the performed music exactly.

**Model** (score times ``t`` in ticks, ``s(t)`` in seconds through the score's tempo map,
bars from the first time signature, phrases ``phrase_bars`` bars long):

* *Rubato*: a tempo factor ``r(t) = 1 + rubato * sum_k a_k sin(2 pi t / T_k + phi_k)`` with
  ``K = 4`` periods ``T_k`` uniform in ``rubato_bars`` bars, weights ``a_k >= 0`` summing to 1
  and random phases, so ``|r - 1| <= rubato``. Performed time is the warp
  ``P(t) = integral_0^t (ds/dt) / r dt`` (trapezoids on a grid of an eighth of a quarter
  plus the tempo-change ticks; exact for ``rubato = 0``).
* *Timing*: onset ``P(t) + timing * z``, ``z`` standard normal truncated at ±3. Notes of one
  track with the same score onset (a chord) share one ``z``; each of them then gets its own
  spread ``chord_spread * z'`` (so chords stay together, slightly rolled). Onsets are kept
  ``>= 0``, and repeated notes of the same pitch in a track keep their order.
* *Articulation*: per track and phrase a factor ``1 + articulation * u``, ``u ~ U(-1, 1)``
  (legato above 1, staccato below) scales the warped duration ``P(t_off) - P(t_on)``; the
  result is never below ``min(min_duration, warped duration)`` and never crosses the next
  onset of the same pitch in the track (unless the score's notes already overlapped).
* *Velocity*: a dynamics curve, piecewise linear between random levels
  ``velocity * U(-1, 1)`` at the phrase boundaries (crescendi and decrescendi across each
  phrase, shared by all tracks), plus per-note noise ``velocity_noise * z`` (truncated at ±3);
  rounded and clipped to 1..127.

All random draws come from ``numpy.random.default_rng(seed)`` in a fixed order and do not
depend on the magnitudes, so the same seed gives the identical performance, and changing one
magnitude scales its effect without reshuffling the others. With every magnitude 0 the
performance is the score's own timing (to the tick grid) and velocities (clipped to 1..127).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from orchestrion.core.model import Music, Tempo
from orchestrion.core.notes import NoteArray
from orchestrion.errors import FormatError, ValidationError

__all__ = ["ALIGNMENT_DTYPE", "Performance", "humanize"]

#: One row per score note, ordered by (track index, index in the track's ``note_array()``);
#: the performed track's note ``note`` is the score track's note ``note``.
ALIGNMENT_DTYPE = np.dtype([
    ("track", np.int32),
    ("note", np.int64),
    ("pitch", np.int16),
    ("score_onset_tick", np.int64),
    ("score_offset_tick", np.int64),
    ("score_onset", np.float64),
    ("score_offset", np.float64),
    ("performed_onset", np.float64),
    ("performed_offset", np.float64),
    ("score_velocity", np.int16),
    ("performed_velocity", np.int16),
])

_N_SINES = 4


@dataclass
class Performance:
    """A humanised performance: the performed ``music`` (one tick = ``1 / music.resolution``
    s), the note ``alignment`` (:data:`ALIGNMENT_DTYPE`), the ``seed`` and ``settings`` that
    made it, and the rubato curve (``tempo_ticks`` in score ticks, ``tempo_factor`` = ``r``)."""

    music: Music
    alignment: np.ndarray
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)
    tempo_ticks: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tempo_factor: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: seed, settings, alignment (a list per field), rubato curve
        and the performed music in orchestrion's JSON schema."""
        from orchestrion.io.jsonio import to_dict

        return {
            "seed": self.seed,
            "settings": dict(self.settings),
            "alignment": {name: self.alignment[name].tolist()
                          for name in ALIGNMENT_DTYPE.names or ()},
            "tempo_curve": {"ticks": self.tempo_ticks.tolist(),
                            "factor": self.tempo_factor.tolist()},
            "music": to_dict(self.music),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Performance:
        from orchestrion.io.jsonio import from_dict

        try:
            columns = data["alignment"]
            n = len(columns["track"])
            alignment = np.zeros(n, dtype=ALIGNMENT_DTYPE)
            for name in ALIGNMENT_DTYPE.names or ():
                alignment[name] = columns[name]
            curve = data.get("tempo_curve", {})
            return cls(from_dict(data["music"]), alignment, int(data["seed"]),
                       dict(data.get("settings", {})),
                       np.asarray(curve.get("ticks", []), dtype=np.int64),
                       np.asarray(curve.get("factor", []), dtype=np.float64))
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(f"not a performance: {error!r}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write to ``.json`` (:meth:`to_dict`) or ``.npz`` (the alignment as a structured
        array, the rubato curve as arrays, the rest as a JSON string ``meta``); atomically."""
        from orchestrion.io.files import atomic_open

        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".json":
            text = json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)
            with atomic_open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
        elif suffix == ".npz":
            meta = self.to_dict()
            del meta["alignment"], meta["tempo_curve"]
            with atomic_open(target, "wb") as handle:
                np.savez_compressed(handle, alignment=self.alignment,
                                    tempo_ticks=self.tempo_ticks,
                                    tempo_factor=self.tempo_factor,
                                    meta=np.array(json.dumps(meta, ensure_ascii=False)))
        else:
            raise FormatError(f"performances are saved as .json or .npz, not {suffix!r}",
                              target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Performance:
        """Read what :meth:`save` wrote."""
        from orchestrion.io.files import check_readable
        from orchestrion.io.jsonio import from_dict

        target = check_readable(path)
        try:
            if target.suffix.lower() == ".npz":
                with np.load(target, allow_pickle=False) as arrays:
                    meta = json.loads(str(arrays["meta"]))
                    return cls(from_dict(meta["music"]), arrays["alignment"].copy(),
                               int(meta["seed"]), dict(meta.get("settings", {})),
                               arrays["tempo_ticks"].copy(), arrays["tempo_factor"].copy())
            return cls.from_dict(json.loads(target.read_text(encoding="utf-8")))
        except (OSError, KeyError, ValueError) as error:
            raise FormatError(f"cannot read performance: {error}", target) from None


# ---------------------------------------------------------------------------------- helpers


def _bar_ticks(music: Music) -> int:
    """Ticks per bar of the first time signature (4/4 when there is none)."""
    if not music.time_signatures:
        return 4 * music.resolution
    first = min(music.time_signatures, key=lambda ts: ts.time)
    return max(1, round(first.numerator * 4 * music.resolution / first.denominator))


def _time_warp(music: Music, end: int, bar: int, rubato: float, periods: np.ndarray,
               weights: np.ndarray, phases: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid ticks, tempo factor r on the grid, and performed seconds P on the grid."""
    tempo_map = music.tempo_map()
    step = max(1, music.resolution // 8)
    grid = np.unique(np.concatenate([np.arange(0, end + step + 1, step),
                                     tempo_map.ticks[tempo_map.ticks <= end]]))
    angles = 2.0 * np.pi * grid[:, None] / (periods * bar) + phases
    factor = 1.0 + rubato * (np.sin(angles) @ weights)
    seconds = np.asarray(tempo_map.to_seconds(grid))
    inverse = 1.0 / factor
    increments = np.diff(seconds) * 0.5 * (inverse[1:] + inverse[:-1])
    performed = np.concatenate(([0.0], np.cumsum(increments)))
    return grid, factor, performed


def _group_first(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each element, the index of the first element with the same key; group sizes."""
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True,
                                          return_counts=True)
    return first[inverse], counts[inverse]


def _next_same_pitch(track: np.ndarray, pitch: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Order by (track, pitch, score onset) and, per note, the position of the next note of
    the same track and pitch in that order (-1 for the last)."""
    order = np.lexsort((np.arange(len(time)), time, pitch, track))
    same = (track[order][1:] == track[order][:-1]) & (pitch[order][1:] == pitch[order][:-1])
    following = np.full(len(time), -1, dtype=np.int64)
    following[order[:-1][same]] = order[1:][same]
    return following


def _keep_order(track: np.ndarray, pitch: np.ndarray, time: np.ndarray,
                onset: np.ndarray) -> np.ndarray:
    """``onset`` with same-track, same-pitch notes non-decreasing in score order (a running
    maximum per group, vectorised by offsetting each group above the previous one)."""
    order = np.lexsort((np.arange(len(time)), time, pitch, track))
    key = track[order].astype(np.int64) * 128 + pitch[order]
    group = np.concatenate(([0], np.cumsum(key[1:] != key[:-1])))
    span = float(onset.max() - onset.min()) + 1.0 if len(onset) else 1.0
    lifted = onset[order] - onset.min() + group * span
    out = np.empty_like(onset)
    out[order] = np.maximum.accumulate(lifted) - group * span + onset.min()
    return out


def _truncated_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(rng.standard_normal(n), -3.0, 3.0)


def _retime_events(performed: Music, warp: Any, resolution: int) -> None:
    """Move every non-note event through the warp (rounded to the performed tick grid)."""
    def ticks(values: list[int]) -> list[int]:
        return np.rint(warp(np.asarray(values, dtype=np.float64)) * resolution).astype(
            np.int64).tolist()

    lists = [performed.key_signatures, performed.time_signatures, performed.barlines,
             performed.beats, performed.lyrics, performed.annotations]
    for track in performed.tracks:
        lists.extend([track.lyrics, track.annotations, track.controls, track.pitch_bends])
    for events in lists:
        if events:
            for event, time in zip(events, ticks([e.time for e in events]), strict=True):
                event.time = time
    for track in performed.tracks:
        if track.chords:
            starts = ticks([c.time for c in track.chords])
            ends = ticks([c.time + c.duration for c in track.chords])
            for chord, start, end in zip(track.chords, starts, ends, strict=True):
                chord.time, chord.duration = start, max(0, end - start)


# ---------------------------------------------------------------------------------- humanize


def humanize(music: Music, seed: int, *, timing: float = 0.01, chord_spread: float = 0.002,
             rubato: float = 0.05, rubato_bars: tuple[float, float] = (2.0, 8.0),
             velocity: float = 10.0, velocity_noise: float = 4.0, articulation: float = 0.15,
             min_duration: float = 0.03, phrase_bars: int = 4,
             resolution: int = 1000) -> Performance:
    """A seeded humanised performance of ``music`` (see the module docstring for the model).

    ``timing``, ``chord_spread`` and ``min_duration`` are in seconds; ``rubato`` is the largest
    relative tempo deviation (0.05 = ±5%, at most 0.5); ``rubato_bars`` the range of the rubato
    periods in bars; ``velocity`` the largest phrase-level dynamics offset and
    ``velocity_noise`` the per-note standard deviation, in MIDI velocity steps;
    ``articulation`` the largest relative change of durations per phrase (below 1);
    ``resolution`` the performed music's ticks per second. Returns a :class:`Performance`.
    """
    checks = {"timing": timing, "chord_spread": chord_spread, "velocity": velocity,
              "velocity_noise": velocity_noise, "min_duration": min_duration}
    for name, value in checks.items():
        if not (np.isfinite(value) and value >= 0):
            raise ValidationError(f"humanize: {name} must be >= 0, got {value}")
    if not 0 <= rubato <= 0.5:
        raise ValidationError(f"humanize: rubato must be in 0..0.5, got {rubato}")
    if not 0 <= articulation < 1:
        raise ValidationError(f"humanize: articulation must be in [0, 1), got {articulation}")
    if not 0 < rubato_bars[0] <= rubato_bars[1]:
        raise ValidationError(f"humanize: rubato_bars must be 0 < low <= high, "
                              f"got {rubato_bars}")
    if phrase_bars < 1 or resolution < 1:
        raise ValidationError("humanize: phrase_bars and resolution must be >= 1")
    settings = {"timing": timing, "chord_spread": chord_spread, "rubato": rubato,
                "rubato_bars": list(rubato_bars), "velocity": velocity,
                "velocity_noise": velocity_noise, "articulation": articulation,
                "min_duration": min_duration, "phrase_bars": phrase_bars,
                "resolution": resolution}

    arrays = [track.note_array() for track in music.tracks]
    counts = [len(a) for a in arrays]
    n = sum(counts)
    track = np.repeat(np.arange(len(arrays), dtype=np.int64), counts)
    index = np.concatenate([np.arange(c) for c in counts]) if n else np.zeros(0, np.int64)
    notes = NoteArray.concatenate(arrays)
    time, pitch, duration = notes.time, notes.pitch, notes.duration
    offset_tick = time + duration

    end = max(music.get_end_time(), 1)
    bar = _bar_ticks(music)
    phrase = bar * phrase_bars
    n_phrases = end // phrase + 2

    # Every draw, in a fixed order, whatever the magnitudes.
    rng = np.random.default_rng(seed)
    periods = rng.uniform(rubato_bars[0], rubato_bars[1], _N_SINES)
    phases = rng.uniform(0.0, 2.0 * np.pi, _N_SINES)
    weights = rng.uniform(0.5, 1.0, _N_SINES)
    weights /= weights.sum()
    levels = rng.uniform(-1.0, 1.0, n_phrases)
    shapes = rng.uniform(-1.0, 1.0, (max(len(arrays), 1), n_phrases))
    z_onset, z_spread, z_velocity = (_truncated_normal(rng, n) for _ in range(3))

    grid, factor, performed_grid = _time_warp(music, end, bar, rubato, periods, weights,
                                              phases)

    def warp(ticks: np.ndarray) -> np.ndarray:
        return np.interp(ticks, grid, performed_grid)

    tempo_map = music.tempo_map()
    score_onset = np.asarray(tempo_map.to_seconds(time), dtype=np.float64)
    score_offset = np.asarray(tempo_map.to_seconds(offset_tick), dtype=np.float64)
    warped_onset, warped_offset = warp(time), warp(offset_tick)

    # Timing: one draw per chord (same track, same score onset), a spread within chords.
    first, size = _group_first(track * (int(time.max(initial=0)) + 1) + time)
    spread = np.where(size > 1, chord_spread, 0.0) * z_spread
    onset = warped_onset + timing * z_onset[first] + spread
    onset = np.maximum(onset, 0.0)
    if n:
        onset = _keep_order(track, pitch, time, onset)

    # Articulation per (track, phrase), bounded below and by the next same-pitch onset.
    phrase_of = np.minimum(time // phrase, n_phrases - 1)
    scale = 1.0 + articulation * shapes[track, phrase_of]
    warped = warped_offset - warped_onset
    length = np.maximum(warped * scale, np.minimum(min_duration, warped))

    on_tick = np.rint(onset * resolution).astype(np.int64)
    off_tick = np.rint((onset + length) * resolution).astype(np.int64)
    following = _next_same_pitch(track, pitch, time)
    has_next = following >= 0
    nxt = following[has_next]
    separate = offset_tick[has_next] <= time[nxt]  # the score's notes did not overlap
    capped = np.where(separate, np.minimum(off_tick[has_next], on_tick[nxt]),
                      off_tick[has_next])
    off_tick[has_next] = np.maximum(capped, on_tick[has_next])

    # Velocity: dynamics between phrase-boundary levels, plus per-note noise.
    dynamics = velocity * np.interp(time / phrase, np.arange(n_phrases), levels)
    new_velocity = np.clip(np.rint(notes.velocity + dynamics + velocity_noise * z_velocity),
                           1, 127).astype(np.int64)

    alignment = np.zeros(n, dtype=ALIGNMENT_DTYPE)
    alignment["track"], alignment["note"], alignment["pitch"] = track, index, pitch
    alignment["score_onset_tick"], alignment["score_offset_tick"] = time, offset_tick
    alignment["score_onset"], alignment["score_offset"] = score_onset, score_offset
    alignment["performed_onset"] = on_tick / resolution
    alignment["performed_offset"] = off_tick / resolution
    alignment["score_velocity"], alignment["performed_velocity"] = notes.velocity, new_velocity

    performed = music.copy()
    performed.resolution = resolution
    performed.tempos = [Tempo(0, 60.0)]
    _retime_events(performed, warp, resolution)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    for i, performed_track in enumerate(performed.tracks):
        part = slice(bounds[i], bounds[i + 1])
        performed_track.set_note_array(NoteArray(on_tick[part], pitch[part],
                                                 off_tick[part] - on_tick[part],
                                                 new_velocity[part]))
    return Performance(performed, alignment, int(seed), settings, grid, factor)
