"""Where a MusicXML writer puts things: the measures of a piece, and the chords and voices
of a track's notes (used by :mod:`orchestrion.io._musicxml_write`).

Kept apart from the XML emission because the rules are what makes a written score read back
exactly: measures must cover every event, and no two notes that the reader's tie merging
could confuse may share a voice or a chord.
"""

from __future__ import annotations

import heapq
import re
from fractions import Fraction
from typing import Any

import numpy as np

from orchestrion.core.model import KeySignature, Music
from orchestrion.io._measures import MODE_OFFSETS  # the reader's table, inverted below

DEFAULT_METER = (4, 4)
HARMONY_KEYS = frozenset({"root", "kind", "text", "bass"})
#: Characters XML 1.0 cannot hold at all, not even as character references.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ChordRow = tuple[int, int, list[int], list[int]]  # onset, duration, pitches, velocities


def key_fifths(key: KeySignature) -> int | None:
    """The ``<fifths>`` written for ``key``: its ``fifths``, else derived from ``root`` and
    ``mode`` (sharps up to 5, flats from 6 on), else ``None`` (the key is not written)."""
    if key.fifths is not None:
        return key.fifths
    offset = MODE_OFFSETS.get(key_mode(key))
    if key.root is None or offset is None:
        return None
    return (7 * (key.root - offset) + 6) % 12 - 6  # inverse of root = 7·fifths + offset


def key_mode(key: KeySignature) -> str:
    """The ``<mode>`` written: the mode as the reader gives it back (trimmed, lower case,
    ``major`` when absent)."""
    return NOT_XML.sub("", key.mode or "").strip().lower() or "major"


def is_chord_symbol(symbol: Any) -> bool:
    """Whether ``symbol`` is a chord symbol as the reader makes them: a dict of strings with
    keys among root, kind, text and bass."""
    return (isinstance(symbol, dict) and bool(symbol) and set(symbol) <= HARMONY_KEYS
            and all(isinstance(value, str) for value in symbol.values()))


def score_end(music: Music) -> int:
    """The first tick after everything that needs a measure (at least 1)."""
    ends = [1]
    for track in music.tracks:
        notes = track.note_array()
        if len(notes):
            ends += [int(notes.end.max()), int(notes.time.max()) + 1]
        ends += [event.time + 1 for event in (*track.lyrics, *track.annotations)]
    ends += [event.time + 1 for event in (*music.tempos, *music.time_signatures,
                                          *music.barlines)]
    ends += [key.time + 1 for key in music.key_signatures if key_fifths(key) is not None]
    return max(ends)


def measure_layout(music: Music) -> tuple[list[int], int]:
    """The measures written: their start ticks and the end of the last one.

    ``music.barlines``, where there are any, start measures (so a pickup or an irregular
    measure read from a file is written back as it was); past the last barline measures
    follow the time signature in force (4/4 without one). A time signature or key change
    always starts a measure. The last measure is full length, ending at or after the end
    of the last note or event.
    """
    resolution = music.resolution
    end = score_end(music)
    meters = sorted(music.time_signatures, key=lambda ts: ts.time)
    bars = [b.time for b in music.barlines]
    anchors = sorted({0, *bars, *(ts.time for ts in meters),
                      *(k.time for k in music.key_signatures if key_fifths(k) is not None)})
    last_bar = max(bars, default=0)
    starts: list[int] = []
    meter_index = 0
    numerator, denominator = DEFAULT_METER
    final = end
    for i, anchor in enumerate(anchors):
        following = anchors[i + 1] if i + 1 < len(anchors) else None
        while meter_index < len(meters) and meters[meter_index].time <= anchor:
            numerator = meters[meter_index].numerator
            denominator = meters[meter_index].denominator
            meter_index += 1
        if anchor < last_bar:  # between given barlines: one measure up to the next anchor
            starts.append(anchor)
            continue
        # Measure k starts at anchor + floor(k × length); a length that is not a whole
        # number of ticks (3/8 at one tick per quarter) still averages out right.
        length = Fraction(numerator * 4 * resolution, denominator)
        k = 0
        while True:
            start = anchor + int(k * length)
            k += 1
            if starts and start <= starts[-1]:
                continue  # a measure shorter than a tick merges with the next
            if following is not None and start >= following:
                break
            if following is None and start >= end:
                final = start
                break
            starts.append(start)
    return starts, final


def chords(time: np.ndarray, duration: np.ndarray, pitch: np.ndarray,
            velocity: np.ndarray) -> list[ChordRow]:
    """Notes sorted by (time, duration, pitch) grouped into chords of one onset and duration;
    a pitch repeated at one onset and duration goes into a further chord (two equal pitches
    in one chord could not be told apart by the reader's ties)."""
    chords: list[ChordRow] = []
    group: list[ChordRow] = []
    count: dict[int, int] = {}
    previous = None
    for t, d, p, v in zip(time.tolist(), duration.tolist(), pitch.tolist(),
                          velocity.tolist(), strict=True):
        if (t, d) != previous:
            previous, group, count = (t, d), [], {}
        k = count.get(p, 0)
        count[p] = k + 1
        if k == len(group):
            group.append((t, d, [], []))
            chords.append(group[-1])
        group[k][2].append(p)
        group[k][3].append(v)
    return chords


def voices(chords: list[ChordRow]) -> list[int]:
    """A voice (1, 2, ...) per chord, the lowest free one, so overlapping chords never share
    a voice; greedy in onset order, which uses as few voices as the densest overlap needs."""
    busy: list[tuple[int, int]] = []  # (end, voice)
    free: list[int] = []
    voices = []
    for onset, duration, _, _ in chords:
        while busy and busy[0][0] <= onset:
            heapq.heappush(free, heapq.heappop(busy)[1])
        voice = heapq.heappop(free) if free else len(busy) + 1
        heapq.heappush(busy, (onset + duration, voice))
        voices.append(voice)
    return voices
