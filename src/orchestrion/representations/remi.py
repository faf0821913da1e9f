"""REMI+: a 1-D sequence of one token per musical attribute, the baseline MMT is compared with.

REMI (Huang and Yang, *Pop Music Transformer*, ACM MM 2020) writes a piece as ``Bar``,
``Position``, ``Pitch``, ``Duration``, ... tokens; REMI+ (von Rütte et al., *FIGARO*, ICLR 2023)
adds an ``Instrument`` token before every note so that one sequence holds many tracks. The
Multitrack Music Transformer paper (Dong et al., ICASSP 2023, arXiv 2207.06983) compares with
REMI+ and finds its sequences about 2-3x longer; this codec measures that on the same notes.

An encoded piece is a 1-D ``int64`` array of token ids (one vocabulary field, ``"token"``)::

    BOS
    Bar                                   one per bar, empty bars included
      Position_p                          p = tick within the bar, 0 .. bars * resolution - 1
        [Tempo_k]                         if use_tempo and a tempo starts here
        Instrument_i Pitch_n [Velocity_v] Duration_d     one group per note
        Instrument_i Pitch_n [Velocity_v] Duration_d
      Position_p' ...                     p' > p
    Bar ...
    EOS

Token ids, in this order: ``pad`` 0, ``bos`` 1, ``eos`` 2, ``bar`` 3, then ``beats_per_bar *
resolution`` positions (48 at the defaults), one instrument per instrument index (64), 128
pitches, the duration bins (32), then ``velocity_bins`` velocities (if ``use_velocity``) and
``len(tempo_bins)`` tempos (if ``use_tempo``): 276 tokens at the defaults.
:attr:`REMI.token_names` names every id (``"position_12"``, ``"instrument_violin"``, ...).

Time, instruments and durations are those of :mod:`orchestrion.representations.mmt` (same
defaults: 12 ticks per quarter, the 64-instrument merge, the 32 duration bins), with bars of
``beats_per_bar`` quarter notes (meter is not represented). Notes are ordered by (time,
instrument, pitch, duration), exact duplicates merged. There is no ``max_beat`` and no
truncation. The round-trip loss is that of MMT without the ``max_beat`` limit; with
``use_velocity`` velocities go to the middle of their bin instead of 64; with ``use_tempo``
the tempos are kept (qpm to the nearest bin in log scale, onsets on the grid, the last of
several at one tick) and a piece without tempos decodes with config ``qpm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from orchestrion.core.model import Music, Tempo
from orchestrion.errors import ValidationError
from orchestrion.representations.base import Representation, register
from orchestrion.representations.mmt import (
    INSTRUMENT_NAMES,
    build_tracks,
    collect_notes,
    duration_codes,
    duration_table,
    instrument_table,
)

__all__ = ["REMI"]

PAD, BOS, EOS, BAR, POSITION, INSTRUMENT, PITCH, DURATION, VELOCITY, TEMPO = range(10)
_CLASS_NAMES = ("pad", "bos", "eos", "bar", "position", "instrument", "pitch", "duration",
                "velocity", "tempo")

#: Default tempo bins (qpm): 32 values evenly spaced in log scale from 30 to 300.
DEFAULT_TEMPOS: tuple[float, ...] = tuple(float(round(q, 2))
                                          for q in np.geomspace(30.0, 300.0, 32))


@register
class REMI(Representation):
    """REMI+ tokens (bar, position, instrument, pitch, [velocity], duration, [tempo]); see the
    module docstring for the exact layout."""

    name = "remi"

    def __init__(self, resolution: int = 12, beats_per_bar: int = 4,
                 duration_bins: Sequence[int] | None = None,
                 instrument_map: Sequence[int | None] | None = None,
                 use_velocity: bool = False, velocity_bins: int = 32,
                 use_tempo: bool = False, tempo_bins: Sequence[float] | None = None,
                 qpm: float = 120.0, **config: Any) -> None:
        if config:
            raise TypeError(f"REMI: unknown options {sorted(config)}")
        super().__init__(
            resolution, beats_per_bar=int(beats_per_bar),
            duration_bins=None if duration_bins is None else [int(b) for b in duration_bins],
            instrument_map=None if instrument_map is None else [
                None if k is None else int(k) for k in instrument_map],
            use_velocity=bool(use_velocity), velocity_bins=int(velocity_bins),
            use_tempo=bool(use_tempo),
            tempo_bins=None if tempo_bins is None else [float(q) for q in tempo_bins],
            qpm=float(qpm))
        if beats_per_bar < 1 or not 1 <= velocity_bins <= 128:
            raise ValueError("REMI: beats_per_bar must be >= 1 and velocity_bins 1..128")
        self.bar_length = int(beats_per_bar) * self.resolution
        self.use_velocity, self.use_tempo = bool(use_velocity), bool(use_tempo)
        self.n_velocity_bins = int(velocity_bins)
        self.qpm = float(qpm)
        self.tempo_bins = np.array(DEFAULT_TEMPOS if tempo_bins is None else tempo_bins,
                                   dtype=np.float64)
        if not len(self.tempo_bins) or (self.tempo_bins <= 0).any() or \
                (np.diff(self.tempo_bins) <= 0).any():
            raise ValueError("REMI: tempo_bins must be increasing positive qpm values")
        self.duration_bins = duration_table(duration_bins, self.resolution)
        self.program_index, self.first_program = instrument_table(instrument_map)
        self._named = instrument_map is None
        sizes = [1, 1, 1, 1, self.bar_length, len(self.first_program), 128,
                 len(self.duration_bins), self.n_velocity_bins if self.use_velocity else 0,
                 len(self.tempo_bins) if self.use_tempo else 0]
        #: First token id of every token class (pad, bos, eos, bar, position, ...).
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._classes = np.repeat(np.arange(10), sizes)

    @property
    def vocabulary(self) -> dict[str, int]:
        return {"token": int(self.offsets[-1])}

    @property
    def token_names(self) -> list[str]:
        """A readable name for every token id."""
        names = ["pad", "bos", "eos", "bar"]
        names += [f"position_{p}" for p in range(self.bar_length)]
        names += [f"instrument_{INSTRUMENT_NAMES[k] if self._named else k}"
                  for k in range(len(self.first_program))]
        names += [f"pitch_{n}" for n in range(128)]
        names += [f"duration_{d}" for d in self.duration_bins.tolist()]
        if self.use_velocity:
            names += [f"velocity_{v}" for v in self._velocity_values().tolist()]
        if self.use_tempo:
            names += [f"tempo_{q:g}" for q in self.tempo_bins.tolist()]
        return names

    def _velocity_values(self) -> np.ndarray:
        return np.floor((np.arange(self.n_velocity_bins) + 0.5) * 128
                        / self.n_velocity_bins).astype(np.int64)

    # --- encoding ---------------------------------------------------------------------------
    def encode(self, music: Music) -> np.ndarray:
        """Encode ``music`` as a 1-D ``int64`` token array (layout: module docstring)."""
        music = self._rescaled(music)
        off = self.offsets
        time, pitch, duration, velocity, instrument = collect_notes(music, self.program_index)
        fields = [instrument, pitch, duration_codes(duration, self.duration_bins)]
        if self.use_velocity:
            fields.append(velocity * self.n_velocity_bins // 128)
        table = np.stack([time, *fields], axis=1) if len(time) else \
            np.zeros((0, len(fields) + 1), dtype=np.int64)
        if len(table) > 1:
            table = np.unique(table, axis=0)  # sorted by (time, instrument, pitch, ...)
        n_notes = len(table)
        # Tempos (last one at a tick wins).
        tempo_time = np.zeros(0, dtype=np.int64)
        tempo_code = np.zeros(0, dtype=np.int64)
        if self.use_tempo and music.tempos:
            t = np.array([x.time for x in music.tempos], dtype=np.int64)
            q = np.array([x.qpm for x in music.tempos], dtype=np.float64)
            order = np.argsort(t, kind="stable")
            t, q = t[order], q[order]
            last = np.append(t[1:] != t[:-1], True)
            tempo_time = t[last]
            tempo_code = np.abs(np.log(q[last])[:, None]
                                - np.log(self.tempo_bins)[None, :]).argmin(axis=1)
        onsets = np.union1d(table[:, 0], tempo_time)
        if not len(onsets):
            return np.array([off[BOS] + 0, off[EOS] + 0], dtype=np.int64)
        n_bars = int(onsets[-1] // self.bar_length) + 1
        per_note = table.shape[1] - 1
        # Every token gets a sort key (time, rank, note, field): bar 0, position 1, tempo 2,
        # note 3.
        bar_time = np.arange(n_bars, dtype=np.int64) * self.bar_length
        note_tokens = np.empty((n_notes, per_note), dtype=np.int64)
        note_tokens[:, 0] = off[INSTRUMENT] + table[:, 1]
        note_tokens[:, 1] = off[PITCH] + table[:, 2]
        if self.use_velocity:
            note_tokens[:, 2] = off[VELOCITY] + table[:, 4]
        note_tokens[:, -1] = off[DURATION] + table[:, 3]
        key_time = np.concatenate([bar_time, onsets, tempo_time,
                                   np.repeat(table[:, 0], per_note)])
        key_rank = np.concatenate([np.zeros(n_bars), np.ones(len(onsets)),
                                   np.full(len(tempo_time), 2), np.full(n_notes * per_note, 3)])
        key_note = np.concatenate([np.zeros(n_bars + len(onsets) + len(tempo_time)),
                                   np.arange(n_notes * per_note)])
        tokens = np.concatenate([np.full(n_bars, off[BAR]),
                                 off[POSITION] + onsets % self.bar_length,
                                 off[TEMPO] + tempo_code, note_tokens.ravel()])
        order = np.lexsort((key_note, key_rank, key_time))
        return np.concatenate([[off[BOS]], tokens[order], [off[EOS]]]).astype(np.int64)

    # --- decoding ---------------------------------------------------------------------------
    def decode(self, array: np.ndarray) -> Music:
        """Decode a grammatical token array (see :meth:`check`) into ``Music``."""
        self.check(array)
        tokens = np.asarray(array, dtype=np.int64)
        off = self.offsets
        cls = self._classes[tokens]
        index = np.arange(len(tokens))
        bar = np.cumsum(cls == BAR) - 1
        last_position = np.maximum.accumulate(np.where(cls == POSITION, index, 0))
        time = bar * self.bar_length + tokens[last_position] - off[POSITION]
        at = np.flatnonzero(cls == PITCH)
        instrument = tokens[at - 1] - off[INSTRUMENT]
        duration = self.duration_bins[tokens[at + 1 + self.use_velocity] - off[DURATION]]
        if self.use_velocity:
            velocity = self._velocity_values()[tokens[at + 1] - off[VELOCITY]]
        else:
            velocity = np.full(len(at), 64, dtype=np.int64)
        music = self._new_music(self.qpm)
        if self.use_tempo:
            where = np.flatnonzero(cls == TEMPO)
            if len(where):
                music.tempos = [Tempo(int(t), float(self.tempo_bins[c - off[TEMPO]]))
                                for t, c in zip(time[where].tolist(), tokens[where].tolist(),
                                                strict=True)]
        music.tracks = build_tracks(time[at], tokens[at] - off[PITCH], duration, velocity,
                                    instrument, np.unique(instrument), self.first_program)
        return music

    # --- transposition ----------------------------------------------------------------------
    def _pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int]:
        """The pitch tokens (code = offset of the pitch class + pitch). Drum tracks are never
        encoded, so every note is pitched."""
        first = int(self.offsets[PITCH])
        return (array >= first) & (array < first + 128), first

    # --- grammar ----------------------------------------------------------------------------
    def _transitions(self) -> np.ndarray:
        allowed = np.zeros((10, 10), dtype=bool)
        follow = {
            BOS: (BAR, EOS), BAR: (BAR, POSITION, EOS), POSITION: (INSTRUMENT, TEMPO),
            TEMPO: (INSTRUMENT, POSITION, BAR, EOS), INSTRUMENT: (PITCH,),
            PITCH: (VELOCITY,) if self.use_velocity else (DURATION,), VELOCITY: (DURATION,),
            DURATION: (INSTRUMENT, POSITION, BAR, EOS), EOS: (PAD,), PAD: (PAD,),
        }
        for before, afters in follow.items():
            allowed[before, list(afters)] = True
        return allowed

    def _check_grammar(self, array: np.ndarray) -> None:
        """BOS first; every token may follow the one before it (module docstring layout; PAD
        only after EOS); the sequence ends after BOS, a bar, a tempo, a complete note, EOS or
        PAD; positions strictly increase within a bar."""
        tokens = np.asarray(array, dtype=np.int64).ravel()
        if not len(tokens):
            return
        cls = self._classes[tokens]
        names = self.token_names

        def fail(row: int, problem: str) -> None:
            raise ValidationError(f"REMI: row {row}, field 'token': {problem}")

        if cls[0] != BOS:
            fail(0, f"sequence must start with bos, got {names[tokens[0]]}")
        bad = ~self._transitions()[cls[:-1], cls[1:]]
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            fail(row, f"{names[tokens[row]]} cannot follow {names[tokens[row - 1]]}")
        if cls[-1] not in (BOS, BAR, TEMPO, DURATION, EOS, PAD):
            fail(len(tokens) - 1, f"sequence ends inside a note or position "
                                  f"({names[tokens[-1]]})")
        where = np.flatnonzero(cls == POSITION)
        key = (np.cumsum(cls == BAR) - 1)[where] * self.bar_length + tokens[where]
        down = np.flatnonzero(np.diff(key) <= 0)
        if len(down):
            row = int(where[down[0] + 1])
            fail(row, f"{names[tokens[row]]} does not come after the previous position of "
                      f"its bar")
