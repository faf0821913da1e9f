"""The Multitrack Music Transformer representation: one 6-field integer row per event.

Dong, Chen, Dubnov, McAuley and Berg-Kirkpatrick, *Multitrack Music Transformer*, ICASSP 2023
(arXiv 2207.06983). An encoded piece is an ``int64`` array of shape ``(n, 6)`` whose columns
are ``(type, beat, position, pitch, duration, instrument)``; code 0 means "undefined" in every
field but ``type``::

    type  beat      position    pitch      duration      instrument     event
    0     0         0           0          0             0              start of song (SOS)
    1     0         0           0          0             k + 1          instrument k
    2     0         0           0          0             0              start of notes (SON)
    3     b + 1     p + 1       pitch + 1  bin index + 1 k + 1          note
    4     0         0           0          0             0              end of song (EOS)

A note at tick ``t`` (``resolution`` ticks per quarter, default 12) has beat ``b = t //
resolution`` (every beat is a quarter note; meter is not represented) and position ``p = t %
resolution``. Vocabulary at the defaults: type 5, beat 257 (``max_beat`` + 1), position 13
(``resolution`` + 1), pitch 129, duration 33 (32 bins + 1), instrument 65 (64 instruments + 1).

Sequence: ``SOS``, one instrument event per instrument that plays (sorted by code), ``SON``,
the notes sorted by ``(beat, position, pitch, duration, instrument)`` with exact duplicates
removed (as the reference's ``sorted(set(notes))``), ``EOS``. So ``type`` and, among notes,
``beat`` never decrease.

Durations: the 32 bins of the reference, in ticks at 12 per quarter: 1-12, 15, 16, 18, 20, 21,
24, 30, 36, 40, 42, 48, 60, 72, 84, 96, 120, 144, 168, 192, 384. At another ``resolution`` the
default bins are scaled by ``resolution / 12`` and rounded half up (24 per quarter doubles
them); a resolution at which two bins collide (below 12) needs explicit ``duration_bins``. A
duration goes to the nearest bin (ties to the shorter; 0 to the first bin, longer than the last
to the last).

Instruments: the reference's merge of the 128 General MIDI programs into 64 instruments
(:data:`INSTRUMENT_NAMES`, codes in the reference's order). Programs 76-78, 96-103, 112-116 and
120-127 and drum tracks are dropped. ``instrument_map`` (128 entries, an instrument index or
``None``) replaces the merge. Decoding gives every instrument the *first* (lowest) program that
maps to it, so "strings" (44-45, 48-49) decodes as program 44; the reference used 49.

Loss of a round trip ``decode(encode(music))``: onsets and offsets rescaled to ``resolution``
(``adjust_resolution``), durations to the nearest bin, programs merged (one track per
instrument, ``name=None``), velocities set to 64, drum tracks, dropped programs and notes at
beat ``max_beat`` or later removed, exact duplicate notes merged, every other event (tempos,
meter, lyrics, ...) lost; decoded music has one tempo, config ``qpm`` (default 120; the
reference used 100).

Truncation (``max_events``, default 1024, ``None`` for none): a longer sequence keeps its
first ``max_events - 1`` rows and then ``EOS``, so a truncated sequence is still a complete,
grammatical song (the reference's training loader cuts without re-appending EOS; we keep it so
that decoding and the grammar check need no special case). The instrument events still name
every instrument of the whole piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from orchestrion.core.model import Music, Track
from orchestrion.core.notes import NoteArray
from orchestrion.errors import ValidationError
from orchestrion.representations.base import Representation, register

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_INSTRUMENT_MAP",
    "INSTRUMENT_NAMES",
    "MMT",
    "random_window",
]

SOS, INSTRUMENT, SON, NOTE, EOS = 0, 1, 2, 3, 4
FIELDS = ("type", "beat", "position", "pitch", "duration", "instrument")

#: The reference's 32 duration bins, in ticks at 12 ticks per quarter.
DEFAULT_DURATIONS: tuple[int, ...] = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 18, 20, 21, 24, 30, 36, 40, 42, 48, 60, 72,
    84, 96, 120, 144, 168, 192, 384,
)

#: The reference's 64 instruments, in code order (instrument index k has code k + 1).
INSTRUMENT_NAMES: tuple[str, ...] = (
    "piano", "electric-piano", "harpsichord", "clavinet", "celesta", "glockenspiel",
    "music-box", "vibraphone", "marimba", "xylophone", "tubular-bells", "dulcimer", "organ",
    "church-organ", "accordion", "harmonica", "bandoneon", "nylon-string-guitar",
    "steel-string-guitar", "electric-guitar", "bass", "electric-bass", "slap-bass",
    "synth-bass", "violin", "viola", "cello", "contrabass", "harp", "timpani", "strings",
    "synth-strings", "voices", "orchestra-hit", "trumpet", "trombone", "tuba", "horn",
    "brasses", "synth-brasses", "soprano-saxophone", "alto-saxophone", "tenor-saxophone",
    "baritone-saxophone", "oboe", "english-horn", "bassoon", "clarinet", "piccolo", "flute",
    "recorder", "pan-flute", "ocarina", "lead", "pad", "sitar", "banjo", "shamisen", "koto",
    "kalimba", "bag-pipe", "shehnai", "melodic-tom", "synth-drums",
)

_PROGRAM_NAMES: tuple[str | None, ...] = (
    *["piano"] * 4, *["electric-piano"] * 2, "harpsichord", "clavinet",  # 0-7
    "celesta", "glockenspiel", "music-box", "vibraphone", "marimba", "xylophone",
    "tubular-bells", "dulcimer",  # 8-15
    "organ", "organ", "organ", "church-organ", "organ", "accordion", "harmonica",
    "bandoneon",  # 16-23
    "nylon-string-guitar", "steel-string-guitar", *["electric-guitar"] * 6,  # 24-31
    "bass", *["electric-bass"] * 3, "slap-bass", "slap-bass", "synth-bass",
    "synth-bass",  # 32-39
    "violin", "viola", "cello", "contrabass", "strings", "strings", "harp", "timpani",  # 40-47
    "strings", "strings", "synth-strings", "synth-strings", *["voices"] * 3,
    "orchestra-hit",  # 48-55
    "trumpet", "trombone", "tuba", "trumpet", "horn", "brasses", "synth-brasses",
    "synth-brasses",  # 56-63
    "soprano-saxophone", "alto-saxophone", "tenor-saxophone", "baritone-saxophone", "oboe",
    "english-horn", "bassoon", "clarinet",  # 64-71
    "piccolo", "flute", "recorder", "pan-flute", None, None, None, "ocarina",  # 72-79
    *["lead"] * 8, *["pad"] * 8, *[None] * 8,  # 80-103
    "sitar", "banjo", "shamisen", "koto", "kalimba", "bag-pipe", "violin",
    "shehnai",  # 104-111
    *[None] * 5, "melodic-tom", "synth-drums", "synth-drums",  # 112-119
    *[None] * 8,  # 120-127
)

#: Program -> instrument index (or ``None``: dropped), the reference's merge.
DEFAULT_INSTRUMENT_MAP: tuple[int | None, ...] = tuple(
    None if name is None else INSTRUMENT_NAMES.index(name) for name in _PROGRAM_NAMES
)


def instrument_table(instrument_map: Sequence[int | None] | None) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """``(program -> index or -1, index -> first program)`` for a 128-entry map."""
    mapping = DEFAULT_INSTRUMENT_MAP if instrument_map is None else tuple(instrument_map)
    if len(mapping) != 128:
        raise ValueError(f"instrument_map needs 128 entries (one per program), got "
                         f"{len(mapping)}")
    index = np.array([-1 if k is None else int(k) for k in mapping], dtype=np.int64)
    if (index < -1).any():
        raise ValueError("instrument_map entries must be an index >= 0 or None")
    used = np.unique(index[index >= 0])
    if len(used) == 0 or not np.array_equal(used, np.arange(len(used))):
        raise ValueError("instrument_map must use every index from 0 to its largest")
    first = np.array([int(np.flatnonzero(index == k)[0]) for k in used], dtype=np.int64)
    return index, first


def duration_table(duration_bins: Sequence[int] | None, resolution: int) -> np.ndarray:
    """The duration bins in ticks at ``resolution`` (defaults scaled from 12 per quarter)."""
    if duration_bins is None:
        bins = np.floor(np.array(DEFAULT_DURATIONS) * resolution / 12 + 0.5).astype(np.int64)
    else:
        bins = np.asarray(list(duration_bins), dtype=np.int64)
    if len(bins) == 0 or bins[0] < 1 or (np.diff(bins) <= 0).any():
        raise ValueError(
            f"duration bins must be increasing whole ticks >= 1, got {bins.tolist()}; at "
            f"resolution {resolution} pass explicit duration_bins"
        )
    return bins


def duration_codes(duration: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Index (0-based) of the nearest bin of every duration; ties go to the shorter bin."""
    d = np.clip(duration, bins[0], bins[-1])
    upper = np.searchsorted(bins, d, side="left")  # bins[upper] >= d
    lower = np.maximum(upper - 1, 0)
    take_lower = (d - bins[lower]) <= (bins[upper] - d)
    return np.where(take_lower, lower, upper)


def collect_notes(music: Music, program_index: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(time, pitch, duration, velocity, instrument)`` of every kept note, concatenated
    (drum tracks and programs mapped to -1 skipped)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for track in music.tracks:
        if track.is_drum:
            continue
        instrument = int(program_index[track.program])
        notes = track.note_array()
        if instrument < 0 or not len(notes):
            continue
        parts.append((notes.time, notes.pitch, notes.duration, notes.velocity,
                      np.full(len(notes), instrument, dtype=np.int64)))
    if not parts:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def build_tracks(time: np.ndarray, pitch: np.ndarray, duration: np.ndarray,
                 velocity: np.ndarray, instrument: np.ndarray, instruments: np.ndarray,
                 first_program: np.ndarray) -> list[Track]:
    """One track per entry of ``instruments`` (sorted), notes kept in their given order."""
    order = np.argsort(instrument, kind="stable")
    cuts = np.searchsorted(instrument[order], instruments, side="left")
    ends = np.searchsorted(instrument[order], instruments, side="right")
    tracks = []
    for k, start, stop in zip(instruments.tolist(), cuts.tolist(), ends.tolist(), strict=True):
        rows = order[start:stop]
        track = Track(program=int(first_program[k]))
        track.set_note_array(NoteArray(time[rows], pitch[rows], duration[rows], velocity[rows]),
                             validate=False)
        tracks.append(track)
    return tracks


@register
class MMT(Representation):
    """Multitrack Music Transformer events ``(type, beat, position, pitch, duration,
    instrument)``; see the module docstring for the exact layout and the round-trip loss."""

    name = "mmt"

    def __init__(self, resolution: int = 12, max_beat: int = 256,
                 duration_bins: Sequence[int] | None = None,
                 instrument_map: Sequence[int | None] | None = None,
                 max_events: int | None = 1024, qpm: float = 120.0, **config: Any) -> None:
        if config:
            raise TypeError(f"MMT: unknown options {sorted(config)}")
        super().__init__(
            resolution, max_beat=int(max_beat),
            duration_bins=None if duration_bins is None else [int(b) for b in duration_bins],
            instrument_map=None if instrument_map is None else [
                None if k is None else int(k) for k in instrument_map],
            max_events=None if max_events is None else int(max_events), qpm=float(qpm))
        if max_beat < 1:
            raise ValueError(f"MMT: max_beat must be >= 1, got {max_beat}")
        if max_events is not None and max_events < 3:
            raise ValueError(f"MMT: max_events must be >= 3 (SOS, SON, EOS), got {max_events}")
        self.max_beat = int(max_beat)
        self.max_events = None if max_events is None else int(max_events)
        self.qpm = float(qpm)
        self.duration_bins = duration_table(duration_bins, self.resolution)
        self.program_index, self.first_program = instrument_table(instrument_map)

    @property
    def n_instruments(self) -> int:
        return len(self.first_program)

    @property
    def vocabulary(self) -> dict[str, int]:
        sizes = (5, self.max_beat + 1, self.resolution + 1, 129, len(self.duration_bins) + 1,
                 self.n_instruments + 1)
        return dict(zip(FIELDS, sizes, strict=True))

    # --- encoding ---------------------------------------------------------------------------
    def encode(self, music: Music) -> np.ndarray:
        """Encode ``music`` as an ``(n, 6)`` ``int64`` array (layout: module docstring)."""
        music = self._rescaled(music)
        time, pitch, duration, _, instrument = collect_notes(music, self.program_index)
        beat, position = np.divmod(time, self.resolution)
        keep = beat < self.max_beat
        notes = np.empty((int(keep.sum()), 6), dtype=np.int64)
        notes[:, 0] = NOTE
        notes[:, 1] = beat[keep] + 1
        notes[:, 2] = position[keep] + 1
        notes[:, 3] = pitch[keep] + 1
        notes[:, 4] = duration_codes(duration[keep], self.duration_bins) + 1
        notes[:, 5] = instrument[keep] + 1
        if len(notes) > 1:
            notes = notes[np.lexsort(notes[:, :0:-1].T)]
            distinct = np.ones(len(notes), dtype=bool)
            distinct[1:] = (notes[1:] != notes[:-1]).any(axis=1)
            notes = notes[distinct]
        codes = np.unique(notes[:, 5])
        header = np.zeros((len(codes) + 2, 6), dtype=np.int64)
        header[1:-1, 0] = INSTRUMENT
        header[1:-1, 5] = codes
        header[-1, 0] = SON
        eos = np.zeros((1, 6), dtype=np.int64)
        eos[0, 0] = EOS
        array = np.concatenate([header, notes, eos])
        if self.max_events is not None and len(array) > self.max_events:
            array = np.concatenate([array[: self.max_events - 1], eos])
        return array

    # --- decoding ---------------------------------------------------------------------------
    def decode(self, array: np.ndarray) -> Music:
        """Decode a grammatical array (see :meth:`check`) into ``Music`` at :attr:`resolution`:
        one track per instrument named in the header or by a note, ordered by code, program =
        the instrument's first program, velocity 64, tempo ``qpm``."""
        self.check(array)
        array = np.asarray(array, dtype=np.int64)
        notes = array[array[:, 0] == NOTE]
        time = (notes[:, 1] - 1) * self.resolution + notes[:, 2] - 1
        pitch = notes[:, 3] - 1
        duration = self.duration_bins[notes[:, 4] - 1]
        instrument = notes[:, 5] - 1
        declared = array[array[:, 0] == INSTRUMENT, 5] - 1
        instruments = np.union1d(declared, instrument)
        music = self._new_music(self.qpm)
        music.tracks = build_tracks(time, pitch, duration, np.full(len(notes), 64),
                                    instrument, instruments, self.first_program)
        return music

    # --- grammar ----------------------------------------------------------------------------
    def _check_grammar(self, array: np.ndarray) -> None:
        """SOS first and once; type never decreases; at most one SON and one EOS; a note needs
        a SON before it; beat never decreases among notes; fields a row type does not use
        are 0 and the ones it uses are not 0."""
        array = np.asarray(array, dtype=np.int64)
        if not len(array):
            return
        kind = array[:, 0]

        def fail(row: int, field: str, problem: str) -> None:
            raise ValidationError(f"MMT: row {row}, field {field!r}: {problem}")

        if kind[0] != SOS:
            fail(0, "type", f"sequence must start with start-of-song (0), got {kind[0]}")
        down = np.flatnonzero(np.diff(kind) < 0)
        if len(down):
            row = int(down[0]) + 1
            fail(row, "type", f"type {kind[row]} after type {kind[row - 1]} (must not decrease)")
        for code, label in ((SOS, "start-of-song"), (SON, "start-of-notes"),
                            (EOS, "end-of-song")):
            rows = np.flatnonzero(kind == code)
            if len(rows) > 1:
                fail(int(rows[1]), "type", f"second {label}")
        is_note = kind == NOTE
        if is_note.any() and not (kind == SON).any():
            fail(int(np.flatnonzero(is_note)[0]), "type", "note without a start-of-notes")
        # Which fields each row type uses: type 0/2/4 none, 1 instrument, 3 all.
        used = np.zeros((5, 6), dtype=bool)
        used[INSTRUMENT, 5] = True
        used[NOTE, 1:] = True
        must = used[kind]
        bad = (must & (array == 0)) | (~must & (array != 0))
        bad[:, 0] = False
        if bad.any():
            row, column = np.argwhere(bad)[0]
            state = "0 (undefined) where a code is needed" if must[row, column] else \
                f"{array[row, column]} where row type {kind[row]} needs 0"
            fail(int(row), FIELDS[column], state)
        beats = array[is_note, 1]
        down = np.flatnonzero(np.diff(beats) < 0)
        if len(down):
            row = int(np.flatnonzero(is_note)[down[0] + 1])
            fail(row, "beat", f"beat {array[row, 1]} after a note at beat code "
                              f"{beats[down[0]]} (must not decrease)")

    # --- transposition ----------------------------------------------------------------------
    def _pitch_cells(self, array: np.ndarray) -> tuple[np.ndarray, int]:
        """The pitch field (column 3, code = pitch + 1) of the note rows (type 3). Drum
        tracks are never encoded, so every note is pitched."""
        if array.ndim != 2 or array.shape[1] != len(FIELDS):
            raise ValidationError(f"MMT: expected shape (n, {len(FIELDS)}), got {array.shape}")
        mask = np.zeros(array.shape, dtype=bool)
        mask[:, 3] = array[:, 0] == NOTE
        return mask, 1

    # --- readable form ----------------------------------------------------------------------
    def describe(self, array: np.ndarray) -> list[str]:
        """One readable line per row (as the reference's ``dump``), default instrument names
        when the default map is used."""
        names = INSTRUMENT_NAMES if self._config["instrument_map"] is None else None
        lines = []
        for row in np.asarray(array, dtype=np.int64).tolist():
            kind, beat, position, pitch, duration, instrument = row
            label = (names[instrument - 1] if names and instrument else str(instrument - 1))
            if kind == NOTE:
                lines.append(f"note beat={beat - 1} position={position - 1} pitch={pitch - 1} "
                             f"duration={self.duration_bins[duration - 1]} "
                             f"instrument={label}")
            elif kind == INSTRUMENT:
                lines.append(f"instrument {label}")
            else:
                lines.append({SOS: "start-of-song", SON: "start-of-notes",
                              EOS: "end-of-song"}.get(kind, f"type {kind}"))
        return lines


def random_window(array: np.ndarray, n_beats: int,
                  rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A random ``n_beats``-beat window of an MMT array (training augmentation).

    Keeps every header row (SOS, instrument events, SON) and the EOS row if there is one, and
    the notes of beats ``start .. start + n_beats - 1`` with their beat codes rebased so that
    ``start`` becomes code 1. ``start`` is drawn uniformly from the first note's beat to the
    last beat at which a full window still fits (the first note's beat when none fits), so a
    non-empty piece always gives a non-empty window. The input is not changed.
    """
    if n_beats < 1:
        raise ValueError(f"n_beats must be >= 1, got {n_beats}")
    rng = np.random.default_rng(rng)
    array = np.asarray(array, dtype=np.int64)
    kind = array[:, 0]
    is_note = kind == NOTE
    beats = array[is_note, 1]
    if not len(beats):
        return array.copy()
    first, last = int(beats.min()), int(beats.max())
    start = int(rng.integers(first, max(first, last - n_beats + 1) + 1))
    inside = is_note & (array[:, 1] >= start) & (array[:, 1] < start + n_beats)
    out = array[~is_note | inside].copy()
    out_note = out[:, 0] == NOTE
    out[out_note, 1] -= start - 1
    return out
