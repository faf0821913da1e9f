"""Tempo map: conversion between ticks and seconds.

Between tempo changes the tempo is constant, so with the change ticks ``t_i``, tempos
``q_i`` (quarter notes per minute) and resolution ``r`` (ticks per quarter),

    seconds(t) = s_i + (t - t_i) * 60 / (q_i * r),   i = the last change with t_i <= t,

where ``s_i`` is the running sum of the earlier segments. Before the first change, and when a
piece has no tempo at all, MIDI's default of 120 qpm holds (Standard MIDI File 1.0, "Tempo").
Both directions are vectorised with ``np.searchsorted``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from orchestrion.core.model import Music

DEFAULT_QPM = 120.0


class TempoMap:
    """Piecewise-constant tempo, built once and queried with arrays or scalars."""

    __slots__ = ("qpm", "resolution", "seconds", "ticks")

    def __init__(self, ticks: np.ndarray, qpm: np.ndarray, resolution: int) -> None:
        order = np.argsort(ticks, kind="stable")
        ticks = np.asarray(ticks, dtype=np.int64)[order]
        qpm = np.asarray(qpm, dtype=np.float64)[order]
        if len(ticks) == 0 or ticks[0] > 0:
            ticks = np.concatenate(([0], ticks))
            qpm = np.concatenate(([DEFAULT_QPM], qpm))
        # Of several changes at one tick the last one wins, as a MIDI player would apply them.
        keep = np.append(ticks[1:] != ticks[:-1], True)
        self.ticks, self.qpm, self.resolution = ticks[keep], qpm[keep], resolution
        seconds_per_tick = 60.0 / (self.qpm * resolution)
        segment_seconds = np.diff(self.ticks) * seconds_per_tick[:-1]
        self.seconds = np.concatenate(([0.0], np.cumsum(segment_seconds)))

    @classmethod
    def from_music(cls, music: Music) -> TempoMap:
        ticks = np.array([t.time for t in music.tempos], dtype=np.int64)
        qpm = np.array([t.qpm for t in music.tempos], dtype=np.float64)
        return cls(ticks, qpm, music.resolution)

    def to_seconds(self, ticks: np.ndarray | int | float) -> np.ndarray | float:
        """Seconds at ``ticks`` (array in, array out; scalar in, float out)."""
        t = np.asarray(ticks, dtype=np.float64)
        i = np.searchsorted(self.ticks, t, side="right") - 1
        i = np.clip(i, 0, None)
        out = self.seconds[i] + (t - self.ticks[i]) * 60.0 / (self.qpm[i] * self.resolution)
        return float(out) if out.ndim == 0 else out

    def to_ticks(self, seconds: np.ndarray | float) -> np.ndarray | float:
        """Ticks (as floats; round as you need) at ``seconds``."""
        s = np.asarray(seconds, dtype=np.float64)
        i = np.clip(np.searchsorted(self.seconds, s, side="right") - 1, 0, None)
        out = self.ticks[i] + (s - self.seconds[i]) * self.qpm[i] * self.resolution / 60.0
        return float(out) if out.ndim == 0 else out
