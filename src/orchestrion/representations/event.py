"""Event-based (MIDI-like, performance) representation: note-on, note-off, time-shift and
velocity events.

Layout: ``int64`` array of shape ``(M,)``, one event per entry; with ``S = max_time_shift``
and ``B = velocity_bins`` the codes are (MusPy's layout)::

    0 .. 127                 note-on, pitch 0-127
    128 .. 255               note-off, pitch 0-127   (one code 128 with use_single_note_off_event)
    O .. O+S-1               time-shift of 1 .. S ticks; O = 256 (129 with single note-off)
    O+S .. O+S+B-1           velocity bin 0 .. B-1 (the velocity of the following note-ons)
    O+S+B                    end of sequence (only with use_end_of_sequence_event)

Vocabulary: ``{"event": O+S+B (+1 with the end-of-sequence event)}``; the velocity codes are
part of it even when ``encode_velocity`` is False, as in MusPy.

Encoding merges all tracks (drums included) and sorts the notes by (time, pitch, duration,
velocity). Each note gives (``velocity`` if ``encode_velocity`` and either
``force_velocity_event`` or its bin differs from the previous note's), ``note-on`` at its
onset and ``note-off`` at its end; events are ordered by time, ties kept in that order (so at
one tick the notes that end come before the notes that start). Gaps longer than ``S`` ticks
are split into shifts of ``S`` followed by the remainder. Velocity ``v`` goes to bin
``floor(v * B / 128)``.

Decoding: the time is the sum of the shifts so far; a note-off closes the earliest open note
of its pitch (``duplicate_note_mode="fifo"``; ``"lifo"`` closes the latest, ``"all"`` every
open one), or with single note-off every open note; note-offs with nothing open, notes never
closed and codes outside the vocabulary are skipped (``check`` reports them); decoding stops at
the end-of-sequence event. Velocity bin ``b`` decodes to the middle of the bin (see below);
before the first velocity event, and without velocity events, notes get ``default_velocity``.
One track (config ``program``, ``is_drum``), ``tempos=[Tempo(0, qpm)]``.

Grammar (``check``): codes in the vocabulary; the end-of-sequence event only last; every
note-off closes an open note of its pitch (with single note-off, extra note-offs are allowed:
the encoder writes one per note, as MusPy does); every note is closed by the end.

Lost: the pairing of overlapping notes of one pitch (FIFO), velocity within a bin, with single
note-off the ends of all but the last of overlapping notes.

Differences from MusPy: velocity bin ``b`` decodes to the middle velocity of the bin, so
encoding the decoded velocity gives ``b`` again for any ``B`` (MusPy decodes to
``int(b * 128 / B)``, which for ``B`` not dividing 128 falls in a lower bin: the bins do not
invert); the decoder keeps ``resolution`` and sets a tempo; an empty piece encodes to an empty
array (or the end-of-sequence event) rather than raising; 1-D output (MusPy's ``(M, 1)`` is
accepted, and returned by ``orchestrion.compat.muspy``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrion.core.model import Music
from orchestrion.errors import ValidationError
from orchestrion.representations._common import TrackCodec, merged_notes
from orchestrion.representations.base import register

MODES = ("fifo", "lifo", "all")


def bin_velocity(bin_index: np.ndarray, bins: int) -> np.ndarray:
    """The middle velocity of each bin: the inverse of ``floor(v * bins / 128)``."""
    low = (128 * bin_index + bins - 1) // bins
    high = (128 * (bin_index + 1) + bins - 1) // bins - 1
    return np.clip((low + high) // 2, 0, 127)


@register
class EventRepresentation(TrackCodec):
    """MIDI-like events; see the module docstring for the codes."""

    name = "event"
    version = 1

    def __init__(self, resolution: int = 24, *, use_single_note_off_event: bool = False,
                 use_end_of_sequence_event: bool = False, encode_velocity: bool = False,
                 force_velocity_event: bool = True, max_time_shift: int = 100,
                 velocity_bins: int = 32, duplicate_note_mode: str = "fifo",
                 **config: Any) -> None:
        if int(max_time_shift) < 1:
            raise ValueError(f"max_time_shift must be >= 1, got {max_time_shift}")
        if not 1 <= int(velocity_bins) <= 128:
            raise ValueError(f"velocity_bins must be 1-128, got {velocity_bins}")
        if duplicate_note_mode.lower() not in MODES:
            raise ValueError(f"duplicate_note_mode must be one of {MODES}, "
                             f"got {duplicate_note_mode!r}")
        super().__init__(resolution, use_single_note_off_event=bool(use_single_note_off_event),
                         use_end_of_sequence_event=bool(use_end_of_sequence_event),
                         encode_velocity=bool(encode_velocity),
                         force_velocity_event=bool(force_velocity_event),
                         max_time_shift=int(max_time_shift), velocity_bins=int(velocity_bins),
                         duplicate_note_mode=duplicate_note_mode.lower(), **config)
        self.use_single_note_off_event = bool(use_single_note_off_event)
        self.use_end_of_sequence_event = bool(use_end_of_sequence_event)
        self.encode_velocity = bool(encode_velocity)
        self.force_velocity_event = bool(force_velocity_event)
        self.max_time_shift = int(max_time_shift)
        self.velocity_bins = int(velocity_bins)
        self.duplicate_note_mode = duplicate_note_mode.lower()
        self.offset_note_off = 128
        self.offset_time_shift = 129 if self.use_single_note_off_event else 256
        self.offset_velocity = self.offset_time_shift + self.max_time_shift
        self.offset_eos = self.offset_velocity + self.velocity_bins

    @property
    def vocabulary(self) -> dict[str, int]:
        return {"event": self.offset_eos + int(self.use_end_of_sequence_event)}

    # --- encoding -------------------------------------------------------------------------
    def encode(self, music: Music) -> np.ndarray:
        notes = merged_notes(music, self.resolution)
        n = len(notes)
        index = np.arange(n)
        times = [notes.time, notes.end]
        off_code = self.offset_note_off + (0 * notes.pitch if self.use_single_note_off_event
                                           else notes.pitch)
        codes = [notes.pitch, off_code]
        keys = [3 * index + 1, 3 * index + 2]
        if self.encode_velocity:
            quantized = notes.velocity * self.velocity_bins // 128
            emit = np.ones(n, dtype=bool)
            if not self.force_velocity_event and n:
                emit[1:] = quantized[1:] != quantized[:-1]
            times.append(notes.time[emit])
            codes.append(self.offset_velocity + quantized[emit])
            keys.append(3 * index[emit])
        time, code, key = (np.concatenate(x) for x in (times, codes, keys))
        order = np.lexsort((key, time))
        time, code = time[order], code[order]
        delta = np.diff(time, prepend=0)
        full, rest = np.divmod(delta, self.max_time_shift)
        counts = full + (rest > 0) + 1
        code_at = np.cumsum(counts) - 1
        total = int(counts.sum()) if len(counts) else 0
        out = np.full(total + int(self.use_end_of_sequence_event),
                      self.offset_time_shift + self.max_time_shift - 1, dtype=np.int64)
        out[code_at] = code
        has_rest = rest > 0
        out[code_at[has_rest] - 1] = self.offset_time_shift + rest[has_rest] - 1
        if self.use_end_of_sequence_event:
            out[-1] = self.offset_eos
        return out

    # --- decoding -------------------------------------------------------------------------
    def _tokens(self, array: np.ndarray) -> np.ndarray:
        tokens = self._flat(array)
        if self.use_end_of_sequence_event:
            eos = np.flatnonzero(tokens == self.offset_eos)
            if len(eos):
                tokens = tokens[:eos[0]]
        return tokens

    def _pairs(self, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions of the note-ons, positions of their note-offs (-1: never closed),
        positions of note-offs that close nothing)."""
        on = np.flatnonzero((tokens >= 0) & (tokens < 128))
        off = np.flatnonzero((tokens >= 128) & (tokens < self.offset_time_shift))
        closer = np.full(len(on), -1, dtype=np.int64)
        if self.use_single_note_off_event:
            k = np.searchsorted(off, on)
            found = k < len(off)
            closer[found] = off[k[found]]
            previous_on = np.searchsorted(on, off)  # ons before each off
            previous_off = np.arange(len(off))
            stray = np.ones(len(off), dtype=bool)
            if len(off):
                last_on_before = np.where(previous_on > 0, on[np.maximum(previous_on - 1, 0)], -1)
                last_off_before = np.where(previous_off > 0, off[np.maximum(previous_off - 1, 0)],
                                           -1)
                stray = last_on_before <= last_off_before
            return on, closer, off[stray]
        pitch_on = tokens[on]
        pitch_off = tokens[off] - 128
        if self.duplicate_note_mode == "lifo":
            return self._pairs_lifo(on, off, pitch_on, pitch_off, closer)
        span = len(tokens) + 1
        # Events of each pitch in order: +1 for on, -1 for off; sorted by (pitch, position).
        pos = np.concatenate([on, off])
        pitch = np.concatenate([pitch_on, pitch_off])
        step = np.concatenate([np.ones(len(on), np.int64), -np.ones(len(off), np.int64)])
        order = np.lexsort((pos, pitch))
        pos, pitch, step = pos[order], pitch[order], step[order]
        if self.duplicate_note_mode == "all":
            off_key = pitch_off * span + off
            sorted_keys = np.sort(off_key)
            k = np.searchsorted(sorted_keys, pitch_on * span + on)
            found = k < len(sorted_keys)
            found[found] &= sorted_keys[k[found]] // span == pitch_on[found]
            closer[found] = sorted_keys[k[found]] % span
            # An off closes something when an on of its pitch lies after the previous off.
            used = np.unique(closer[found])
            return on, closer, np.setdiff1d(off, used)
        # Open notes per pitch, with offs on nothing skipped: a_k = S_k - min(0, min_j<=k S_j)
        # (the running sum reflected at zero), computed per pitch group without a loop.
        start = np.ones(len(pitch), dtype=bool)
        start[1:] = pitch[1:] != pitch[:-1]
        group = np.cumsum(start) - 1
        total = np.cumsum(step)
        base = (total - step)[start][group]
        running = total - base
        big = 2 * span
        low = np.minimum.accumulate(running - group * big) + group * big
        open_after = running - np.minimum(low, 0)
        open_before = np.where(start, 0, np.roll(open_after, 1))
        effective = (step < 0) & (open_before > 0)
        on_sorted = pos[step > 0]
        on_group = group[step > 0]
        eff_group = group[effective]
        first_on = np.searchsorted(on_group, eff_group)
        rank = np.arange(len(eff_group)) - np.searchsorted(eff_group, eff_group)
        matched_on = on_sorted[first_on + rank]
        closer[np.searchsorted(on, matched_on)] = pos[effective]
        return on, closer, pos[(step < 0) & ~effective]

    @staticmethod
    def _pairs_lifo(on: np.ndarray, off: np.ndarray, pitch_on: np.ndarray,
                    pitch_off: np.ndarray, closer: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stacks: dict[int, list[int]] = {}
        stray: list[int] = []
        events = sorted([(int(p), 1, i) for i, p in enumerate(on.tolist())]
                        + [(int(p), 0, i) for i, p in enumerate(off.tolist())])
        for _, is_on, i in events:
            if is_on:
                stacks.setdefault(int(pitch_on[i]), []).append(i)
            else:
                stack = stacks.get(int(pitch_off[i]))
                if stack:
                    closer[stack.pop()] = off[i]
                else:
                    stray.append(int(off[i]))
        return on, closer, np.array(sorted(stray), dtype=np.int64)

    def decode(self, array: np.ndarray) -> Music:
        tokens = self._tokens(array)
        shift = (tokens >= self.offset_time_shift) & (tokens < self.offset_velocity)
        amount = np.where(shift, tokens - self.offset_time_shift + 1, 0)
        time = np.cumsum(amount) - amount
        on, closer, _ = self._pairs(tokens)
        closed = closer >= 0
        on, closer = on[closed], closer[closed]
        velocity_at = np.flatnonzero((tokens >= self.offset_velocity)
                                     & (tokens < self.offset_eos))
        k = np.searchsorted(velocity_at, on) - 1
        bins = bin_velocity(tokens[velocity_at] - self.offset_velocity, self.velocity_bins)
        velocity = np.where(k >= 0, bins[np.maximum(k, 0)] if len(bins) else 0,
                            self.default_velocity)
        return self._music(time[on], tokens[on], time[closer] - time[on], velocity)

    # --- transposition ----------------------------------------------------------------------
    def _track_pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Note-ons (codes 0-127, pitch = code) and, without single note-off, note-offs
        (128-255, pitch = code - 128); shifting a pitch by ``k`` adds ``k`` to its code."""
        on = (array >= 0) & (array < 128)
        if self.use_single_note_off_event:
            return on, np.zeros(int(on.sum()), dtype=np.int64)
        mask = (array >= 0) & (array < 256)
        return mask, np.where(array[mask] >= 128, 128, 0)

    # --- grammar --------------------------------------------------------------------------
    def _check_grammar(self, array: np.ndarray) -> None:
        tokens = self._flat(array)
        if self.use_end_of_sequence_event:
            eos = np.flatnonzero(tokens == self.offset_eos)
            if len(eos) and eos[0] != len(tokens) - 1:
                raise ValidationError(f"EventRepresentation: row {int(eos[0])}, field 'event': "
                                      "end-of-sequence before the last event")
            tokens = self._tokens(tokens)
        on, closer, stray = self._pairs(tokens)
        if len(stray) and not self.use_single_note_off_event:
            raise ValidationError(f"EventRepresentation: row {int(stray[0])}, field 'event': "
                                  f"note-off {int(tokens[stray[0]])} closes no open note")
        unclosed = on[closer < 0]
        if len(unclosed):
            raise ValidationError(f"EventRepresentation: row {int(unclosed[0])}, field "
                                  f"'event': note-on {int(tokens[unclosed[0]])} never closed")
