"""Low-level Standard MIDI File bytes: header checks, a meta-event scanner, a chunk encoder.

References: *Standard MIDI Files 1.0* (MIDI Manufacturers Association, 1988/1996): a file is
an ``MThd`` chunk (format, number of tracks, division) followed by ``MTrk`` chunks of
events, each preceded by a variable-length delta time (7 bits a byte, high bit = "more").
Channel messages may omit a repeated status byte ("running status"); meta events are
``FF type length data``; system-exclusive events are ``F0/F7 length data``.
"""

from __future__ import annotations

import bisect
import os
import re
import struct
from dataclasses import dataclass, field

import numpy as np

from orchestrion.errors import FormatError

META_TEXT, META_COPYRIGHT, META_NAME, META_LYRIC, META_MARKER, META_CUE = 1, 2, 3, 5, 6, 7
META_END_OF_TRACK, META_TEMPO, META_TIME_SIGNATURE, META_KEY_SIGNATURE = 0x2F, 0x51, 0x58, 0x59
# Data bytes that follow each channel-message status (high nibble 0x8-0xE).
_DATA_LENGTH = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
MAX_DELTA = 0x0FFFFFFF  # four 7-bit bytes, the format's limit


@dataclass(frozen=True)
class Header:
    format: int
    n_tracks: int
    ticks_per_quarter: int
    chunks: tuple[tuple[int, int], ...]  # (start, end) byte offsets of each MTrk body


@dataclass
class TextEvents:
    """What symusic does not keep: the sequence name, copyright and text/cue events."""

    title: str | None = None
    copyright: str | None = None
    events: list[tuple[int, int, str]] = field(default_factory=list)  # (tick, meta type, text)


def decode_text(raw: bytes) -> str:
    """MIDI text has no declared encoding: UTF-8 when it decodes, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_header(data: bytes, path: str | os.PathLike[str] | None = None) -> Header:
    """Check the ``MThd`` chunk and locate the track chunks; ``FormatError`` if unusable."""
    if len(data) == 0:
        raise FormatError("empty file", path)
    if data[:4] != b"MThd":
        raise FormatError("not a MIDI file (no 'MThd' header)", path)
    if len(data) < 14:
        raise FormatError(f"truncated MIDI header ({len(data)} bytes)", path)
    length, fmt, n_tracks, division = struct.unpack(">IHHH", data[4:14])
    if length < 6:
        raise FormatError(f"MIDI header chunk too short ({length} bytes)", path)
    if fmt == 2:
        raise FormatError("type-2 MIDI files (independent sequences) are not supported", path)
    if fmt > 2:
        raise FormatError(f"unknown MIDI file type {fmt}", path)
    if division & 0x8000:
        raise FormatError("SMPTE time division is not supported (need ticks per quarter)",
                          path)
    if division == 0:
        raise FormatError("ticks per quarter note is 0", path)
    chunks = []
    position = 8 + length
    while position + 8 <= len(data):
        kind = data[position:position + 4]
        (size,) = struct.unpack(">I", data[position + 4:position + 8])
        start, end = position + 8, position + 8 + size
        if end > len(data):
            raise FormatError(f"truncated file: chunk at byte {position} claims {size} bytes, "
                              f"{len(data) - start} remain", path)
        if kind == b"MTrk":
            chunks.append((start, end))
        position = end  # unknown chunk types are skipped, as the standard says
    if not chunks:
        raise FormatError("no track chunk (MTrk) found", path)
    return Header(fmt, n_tracks, division, tuple(chunks))


def _read_varlen(data: bytes, position: int, end: int) -> tuple[int, int]:
    value = 0
    for _ in range(4):
        if position >= end:
            raise IndexError
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position
    raise IndexError  # longer than four bytes


def walk_meta(data: bytes, start: int, end: int, wanted: frozenset[int],
              stop_at_channel_event: bool = False) -> list[tuple[int, int, bytes]]:
    """(tick, type, payload) of the meta events of types ``wanted`` in one track chunk.

    A plain Python walk over every event (running status included), so it is only used on
    the few chunks that contain a wanted event; the file was already validated by symusic,
    and a malformed tail simply ends the walk.
    """
    found = []
    tick, position, running = 0, start, 0
    try:
        while position < end:
            delta, position = _read_varlen(data, position, end)
            tick += delta
            status = data[position]
            if status == 0xFF:
                kind = data[position + 1]
                length, position = _read_varlen(data, position + 2, end)
                if kind in wanted:
                    found.append((tick, kind, data[position:position + length]))
                if kind == META_END_OF_TRACK:
                    break
                position += length
            elif status in (0xF0, 0xF7):
                length, position = _read_varlen(data, position + 1, end)
                position += length
            else:
                if status >= 0x80:
                    running = status
                    position += 1
                elif running == 0:
                    break
                if stop_at_channel_event:
                    break
                position += _DATA_LENGTH.get(running >> 4, 0)
    except IndexError:
        pass
    return found


_TEXT_KINDS = frozenset({META_TEXT, META_COPYRIGHT, META_CUE})
_TEXT_PATTERN = re.compile(b"\\xff[" + bytes(sorted(_TEXT_KINDS)) + b"]")


def scan_text_events(data: bytes, header: Header,
                     path: str | os.PathLike[str] | None = None) -> TextEvents:
    """Sequence name (first chunk's leading name event), copyright, text and cue events.

    Only chunks whose bytes contain ``FF 01``, ``FF 02`` or ``FF 07`` are walked (found by
    one regex pass in C), so a file without such events costs almost nothing here.
    """
    result = TextEvents()
    first_start, first_end = header.chunks[0]
    for _, _, raw in walk_meta(data, first_start, first_end, frozenset({META_NAME}),
                               stop_at_channel_event=True)[:1]:
        result.title = decode_text(raw) or None
    # One regex pass over the file finds the chunks that may hold such events; a match may
    # be a false alarm (the bytes can occur inside other data), which the walk sorts out.
    starts = [start for start, _ in header.chunks]
    candidates = sorted({bisect.bisect_right(starts, match.start()) - 1
                         for match in _TEXT_PATTERN.finditer(data, starts[0])})
    for index in candidates:
        start, end = header.chunks[index]
        for tick, kind, raw in walk_meta(data, start, end, _TEXT_KINDS):
            text = decode_text(raw)
            if kind == META_COPYRIGHT:
                result.copyright = text if result.copyright is None else result.copyright
            else:
                result.events.append((tick, kind, text))
    return result


# ------------------------------------------------------------------------------ encoding


def meta_event(kind: int, payload: bytes) -> bytes:
    """``FF kind length payload`` (without the delta time)."""
    return bytes((0xFF, kind)) + encode_varlen(len(payload)) + payload


def encode_varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


class ChunkBuilder:
    """Collects the events of one track chunk and encodes them in one vectorised pass.

    Channel messages come in as arrays (``add_channel``): times, an ordering key for events
    at the same tick (0-15), and up to three bytes each. Meta events (few) come one by one.
    Events are ordered by (time, key, insertion order).
    """

    def __init__(self) -> None:
        self._times: list[np.ndarray] = []
        self._keys: list[np.ndarray] = []
        self._bytes: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._meta: list[tuple[int, int, bytes]] = []

    def add_channel(self, times: np.ndarray, key: int, data: np.ndarray, length: int) -> None:
        """``data`` is an (n, 3) array of status and data bytes; ``length`` of them are used."""
        n = len(times)
        if n == 0:
            return
        self._times.append(np.asarray(times, dtype=np.int64))
        self._keys.append(np.full(n, key, dtype=np.int64))
        self._bytes.append(np.asarray(data, dtype=np.uint8).reshape(n, 3))
        self._lengths.append(np.full(n, length, dtype=np.int64))

    def add_meta(self, time: int, key: int, event: bytes) -> None:
        self._meta.append((int(time), key, event))

    def encode(self, path: str | os.PathLike[str] | None = None) -> bytes:
        """The whole ``MTrk`` chunk, end-of-track included."""
        n_meta = len(self._meta)
        channel_times = np.concatenate(self._times) if self._times else np.zeros(0, np.int64)
        times = np.concatenate([channel_times,
                                np.array([m[0] for m in self._meta], dtype=np.int64)])
        keys = np.concatenate([*self._keys, np.array([m[1] for m in self._meta], np.int64)])
        n_channel = len(channel_times)
        # One combined key (keys are small) sorted stably: insertion order breaks ties, and
        # timsort is near linear on the few sorted runs (ons, offs, controls) it gets.
        order = np.argsort(times * 16 + keys, kind="stable")
        sorted_times = times[order]
        deltas = np.diff(sorted_times, prepend=0)
        if len(deltas) and deltas.max() > MAX_DELTA:
            raise FormatError(f"a gap of {int(deltas.max())} ticks exceeds MIDI's limit of "
                              f"{MAX_DELTA}", path)
        varlen = 1 + (deltas > 0x7F) + (deltas > 0x3FFF) + (deltas > 0x1FFFFF)
        channel_lengths = (np.concatenate(self._lengths) if self._lengths
                           else np.zeros(0, np.int64))
        event_lengths = np.concatenate([channel_lengths,
                                        np.array([len(m[2]) for m in self._meta], np.int64)])
        sizes = varlen + event_lengths[order]
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])) if len(sizes) else sizes
        out = np.zeros(int(sizes.sum()), dtype=np.uint8)
        for k in range(4):  # delta times, most significant 7-bit group first
            has = varlen > k
            shift = 7 * (varlen[has] - 1 - k)
            more = (k < varlen[has] - 1).astype(np.int64) << 7
            out[offsets[has] + k] = ((deltas[has] >> shift) & 0x7F) | more
        body = offsets + varlen
        is_channel = order < n_channel
        if n_channel:
            data = np.concatenate(self._bytes)[order[is_channel]]
            lengths = channel_lengths[order[is_channel]]
            starts = body[is_channel]
            for j in range(3):
                used = lengths > j
                out[starts[used] + j] = data[used, j]
        if n_meta:
            for position, index in zip(body[~is_channel].tolist(),
                                       (order[~is_channel] - n_channel).tolist(), strict=True):
                event = self._meta[index][2]
                out[position:position + len(event)] = np.frombuffer(event, dtype=np.uint8)
        payload = out.tobytes() + b"\x00" + meta_event(META_END_OF_TRACK, b"")
        return b"MTrk" + struct.pack(">I", len(payload)) + payload


def file_bytes(chunks: list[bytes], ticks_per_quarter: int) -> bytes:
    """A type-1 file of the given encoded chunks."""
    header = b"MThd" + struct.pack(">IHHH", 6, 1, len(chunks), ticks_per_quarter)
    return header + b"".join(chunks)
