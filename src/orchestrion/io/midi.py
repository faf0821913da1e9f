"""Standard MIDI Files: reading through symusic (C++), writing with a vectorised encoder.

**Reading** (:func:`read_midi`): the header is checked here (so type-2 files, SMPTE time
division and non-MIDI data get a clear :class:`~orchestrion.errors.FormatError`), then
symusic parses the events. As in MusPy, there is one track per (MIDI track, channel, program),
channel 10 is drums, ``resolution`` is the file's ticks per quarter note, and overlapping
notes of one pitch are paired first-in-first-out. Notes come out sorted by (time, pitch,
duration, velocity) and stay in numpy arrays (no per-note Python objects). Kept besides notes:
tempos, time and key signatures (root, mode, fifths), lyrics (``Music.lyrics``), markers,
text and cue points (``Music.annotations`` with group ``"marker"``, ``"text"``, ``"cue"``),
the sequence name and copyright (``metadata.title``, ``metadata.copyright``), track names,
programs, control changes (sustain pedal = controller 64) and pitch bends. symusic drops
text, copyright and cue events, so the few track chunks whose bytes contain such an event
are walked once more by :mod:`orchestrion.io._smf` for them.

**Writing** (:func:`write_midi`): type 1; track chunk 0 is a conductor track (title,
copyright, tempos, signatures, markers, text, lyrics), then one chunk per track. Drums play on
channel 10; the other tracks take channels 1-9, 11-16 in turn. At one tick, note-offs come
before control changes, which come before note-ons, so touching notes of one pitch stay
apart and the pedal is down before the note it holds; a zero-length note's off follows its
own on. Velocity 0 is written as 1 (a note-on with velocity 0 means note-off in MIDI).
"""

from __future__ import annotations

import os
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
from orchestrion.errors import FormatError, ValidationError
from orchestrion.io import _smf
from orchestrion.io.files import atomic_write_bytes, check_readable

# Which annotation group each text-like meta event type maps to, and back.
TEXT_META_GROUPS = {_smf.META_TEXT: "text", _smf.META_MARKER: "marker", _smf.META_CUE: "cue"}
_GROUP_TO_META = {group: kind for kind, group in TEXT_META_GROUPS.items()}
MAJOR, MINOR = "major", "minor"


# ------------------------------------------------------------------------------- reading


def read_midi(path: str | os.PathLike[str]) -> Music:
    """Read a Standard MIDI File (type 0 or 1) into :class:`Music`.

    Raises ``FormatError`` naming the file for anything that is not a readable MIDI file.
    """
    p = check_readable(path)
    try:
        data = p.read_bytes()
    except OSError as error:
        raise FormatError(f"cannot read: {error.strerror or error}", p) from error
    music = from_bytes(data, path=p)
    music.metadata.source_filename = p.name
    return music


def from_bytes(data: bytes, path: str | os.PathLike[str] | None = None) -> Music:
    """Parse MIDI file contents; ``path`` only names the source in error messages."""
    import symusic  # C++ parser; imported here so `import orchestrion` stays light

    header = _smf.parse_header(data, path)
    try:
        score = symusic.Score.from_midi(data)
    except RuntimeError as error:  # symusic reports every malformation as RuntimeError
        reason = str(error).removeprefix("MiniMidi: ").split(": iostream")[0]
        raise FormatError(f"malformed MIDI data: {reason}", path) from error
    texts = _smf.scan_text_events(data, header, path)
    return from_symusic_score(score, texts=texts, path=path, source_format="midi")


def from_symusic_score(score: Any, *, texts: _smf.TextEvents | None = None,
                       path: str | os.PathLike[str] | None = None,
                       source_format: str | None = None) -> Music:
    """Convert a parsed ``symusic.Score`` (ticks) into :class:`Music`, as :func:`from_bytes`
    does after parsing: same tracks, events and checks. ``texts`` adds what symusic does not
    keep (title, copyright, text and cue events; scanned from the file bytes); ``path`` only
    names the source in errors.
    """
    _check_times(score, path)
    texts = texts if texts is not None else _smf.TextEvents()
    try:
        tracks, lyrics = _convert_tracks(score, path)
        return Music(
            metadata=Metadata(title=texts.title, copyright=texts.copyright,
                              source_format=source_format),
            resolution=int(score.ticks_per_quarter),
            tempos=[Tempo(t, 60_000_000 / m) for t, m in _rows(score.tempos, "mspq")],
            key_signatures=[_key_signature(t, k, m) for t, k, m in
                            _rows(score.key_signatures, "key", "tonality")],
            time_signatures=[TimeSignature(t, n, d) for t, n, d in
                             _rows(score.time_signatures, "numerator", "denominator")],
            lyrics=sorted(lyrics, key=lambda lyric: lyric.time),
            annotations=_annotations(score, texts),
            tracks=tracks,
        )
    except ValidationError as error:  # e.g. a time signature 3/0 or a key with 9 sharps
        raise FormatError(f"invalid MIDI content: {error}", path) from error


def _rows(events: Any, *fields: str) -> list[tuple[int, ...]]:
    """(time, *fields) rows of a symusic event list, through its numpy view."""
    if len(events) == 0:
        return []
    arrays = events.numpy()
    return list(zip(*(arrays[f].tolist() for f in ("time", *fields)), strict=True))


def _key_signature(time: int, fifths: int, tonality: int) -> KeySignature:
    minor = bool(tonality)
    # The major key with f sharps has its root 7f semitones above C (circle of fifths); its
    # relative minor lies 3 semitones below, i.e. 9 above.
    root = (7 * fifths + (9 if minor else 0)) % 12
    return KeySignature(time, root=root, mode=MINOR if minor else MAJOR, fifths=fifths)


def _convert_tracks(score: Any, path: Any) -> tuple[list[Track], list[Lyric]]:
    tracks: list[Track] = []
    lyrics: list[Lyric] = []
    for source in score.tracks:
        lyrics.extend(Lyric(int(event.time), event.text) for event in source.lyrics)
        if len(source.notes) == 0:
            # As in MusPy, a track is a (chunk, channel, program) with notes; symusic keeps
            # some note-less ones (lyrics only, say), others not, so drop them all.
            continue
        controls = [ControlChange(t, n, v) for t, n, v in
                    _rows(source.controls, "number", "value")]
        bends = [PitchBend(t, v) for t, v in _rows(source.pitch_bends, "value")]
        arrays = source.notes.numpy()
        notes = NoteArray(arrays["time"], arrays["pitch"], arrays["duration"],
                          arrays["velocity"])
        # symusic's times are 32-bit: a wrapped sum shows as a negative time or duration, or
        # as an end past 2^31 (the wrapped difference of two wrapped times).
        if notes.time.min() < 0 or notes.duration.min() < 0 or notes.end.max() > _INT32_MAX:
            raise FormatError(_OVERFLOW, path)
        notes = notes.sorted()
        track = Track(program=int(source.program), is_drum=bool(source.is_drum),
                      name=source.name or None, controls=controls, pitch_bends=bends)
        # MIDI data bytes cannot hold a pitch or velocity outside 0-127 and negative times
        # were ruled out above, so the arrays need no second validation.
        track.set_note_array(notes, validate=False)
        tracks.append(track)
    return tracks, lyrics


def _annotations(score: Any, texts: _smf.TextEvents) -> list[Annotation]:
    annotations = [Annotation(int(m.time), m.text, "marker") for m in score.markers]
    annotations.extend(Annotation(t, text, TEXT_META_GROUPS[kind])
                       for t, kind, text in texts.events)
    annotations.sort(key=lambda a: a.time)
    return annotations


_OVERFLOW = "absurd delta times: event times overflow 2^31 ticks"
_INT32_MAX = 2**31 - 1


def _check_times(score: Any, path: Any) -> None:
    """symusic sums delta times in 32 bits; a wrapped (negative) time means absurd deltas.

    Notes are checked as they are converted (``_convert_tracks``), the other events here.
    """
    arrays = [score.tempos, score.key_signatures, score.time_signatures]
    texts = [score.markers]  # symusic's text lists have no numpy view
    for track in score.tracks:
        arrays.extend((track.controls, track.pitch_bends))
        texts.append(track.lyrics)
    earliest = [0]
    for events in arrays:
        if len(events):
            earliest.append(int(events.numpy()["time"].min()))
    earliest.extend(int(event.time) for events in texts for event in events)
    if min(earliest) < 0:
        raise FormatError(_OVERFLOW, path)


# ------------------------------------------------------------------------------- writing

# Ordering of events at one tick (see the module docstring).
_KEY_NAME, _KEY_PROGRAM, _KEY_OFF, _KEY_CONTROL, _KEY_ON, _KEY_ZERO_OFF = range(6)
_MELODIC_CHANNELS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15)
DRUM_CHANNEL = 9


def write_midi(music: Music, path: str | os.PathLike[str]) -> None:
    """Write ``music`` as a type-1 Standard MIDI File (atomically)."""
    atomic_write_bytes(path, to_bytes(music, path=path))


def to_bytes(music: Music, path: str | os.PathLike[str] | None = None) -> bytes:
    """Encode ``music`` as MIDI file contents; ``path`` only names the target in errors."""
    if music.resolution > 0x7FFF:
        raise FormatError(f"resolution {music.resolution} exceeds MIDI's 32767 ticks per "
                          "quarter", path)
    chunks = [_conductor_chunk(music, path)]
    melodic = 0
    for track in music.tracks:
        if track.is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = _MELODIC_CHANNELS[melodic % len(_MELODIC_CHANNELS)]
            melodic += 1
        chunks.append(_track_chunk(track, channel, path))
    return _smf.file_bytes(chunks, music.resolution)


def _text_bytes(text: object) -> bytes:
    return str(text).encode("utf-8")


def _conductor_chunk(music: Music, path: Any) -> bytes:
    builder = _smf.ChunkBuilder()
    meta = _smf.meta_event
    if music.metadata.title:
        builder.add_meta(0, 0, meta(_smf.META_NAME, _text_bytes(music.metadata.title)))
    if music.metadata.copyright:
        builder.add_meta(0, 0, meta(_smf.META_COPYRIGHT,
                                    _text_bytes(music.metadata.copyright)))
    for signature in music.time_signatures:
        exponent = signature.denominator.bit_length() - 1
        if 1 << exponent != signature.denominator or signature.numerator > 255:
            raise FormatError(f"time signature {signature.numerator}/{signature.denominator} "
                              "cannot be stored in MIDI (denominator must be a power of 2)",
                              path)
        builder.add_meta(signature.time, 1, meta(_smf.META_TIME_SIGNATURE,
                                                 bytes((signature.numerator, exponent, 24, 8))))
    for key in music.key_signatures:
        fifths = _fifths_of(key)
        if fifths is not None:
            minor = 1 if key.mode == MINOR else 0
            builder.add_meta(key.time, 1, meta(_smf.META_KEY_SIGNATURE,
                                               bytes((fifths & 0xFF, minor))))
    for tempo in music.tempos:
        microseconds = round(60_000_000 / tempo.qpm)
        if not 1 <= microseconds <= 0xFFFFFF:
            raise FormatError(f"tempo {tempo.qpm} qpm is outside what MIDI can store "
                              "(3.58 to 60,000,000 qpm)", path)
        builder.add_meta(tempo.time, 1, meta(_smf.META_TEMPO, microseconds.to_bytes(3, "big")))
    for annotation in music.annotations:
        kind = _GROUP_TO_META.get(annotation.group or "text")
        if kind is not None and isinstance(annotation.annotation, str):
            builder.add_meta(annotation.time, 2, meta(kind, _text_bytes(annotation.annotation)))
    for lyric in music.lyrics:
        builder.add_meta(lyric.time, 2, meta(_smf.META_LYRIC, _text_bytes(lyric.lyric)))
    return builder.encode(path)


def _fifths_of(key: KeySignature) -> int | None:
    if key.fifths is not None:
        return key.fifths
    if key.root is None:
        return None
    major_root = (key.root + 3) % 12 if key.mode == MINOR else key.root
    # Inverse of root = 7 * fifths (mod 12), taking the spelling in -6..5.
    return (7 * major_root + 6) % 12 - 6


def _track_chunk(track: Track, channel: int, path: Any) -> bytes:
    builder = _smf.ChunkBuilder()
    if track.name:
        builder.add_meta(0, _KEY_NAME, _smf.meta_event(_smf.META_NAME, _text_bytes(track.name)))
    builder.add_channel(np.zeros(1, np.int64), _KEY_PROGRAM,
                        np.array([[0xC0 | channel, track.program, 0]]), 2)
    notes = track.note_array()
    if len(notes):
        on = np.stack([np.full(len(notes), 0x90 | channel), notes.pitch,
                       np.maximum(notes.velocity, 1)], axis=1)
        off = np.stack([np.full(len(notes), 0x80 | channel), notes.pitch,
                        np.full(len(notes), 64)], axis=1)
        zero = notes.duration == 0
        builder.add_channel(notes.time, _KEY_ON, on, 3)
        builder.add_channel(notes.end[~zero], _KEY_OFF, off[~zero], 3)
        builder.add_channel(notes.end[zero], _KEY_ZERO_OFF, off[zero], 3)
    if track.controls:
        table = np.array([(c.time, c.number, c.value) for c in track.controls], np.int64)
        data = np.stack([np.full(len(table), 0xB0 | channel), table[:, 1], table[:, 2]], 1)
        builder.add_channel(table[:, 0], _KEY_CONTROL, data, 3)
    if track.pitch_bends:
        table = np.array([(b.time, b.value + 8192) for b in track.pitch_bends], np.int64)
        data = np.stack([np.full(len(table), 0xE0 | channel), table[:, 1] & 0x7F,
                         table[:, 1] >> 7], axis=1)
        builder.add_channel(table[:, 0], _KEY_CONTROL, data, 3)
    for lyric in track.lyrics:
        builder.add_meta(lyric.time, _KEY_CONTROL,
                         _smf.meta_event(_smf.META_LYRIC, _text_bytes(lyric.lyric)))
    for annotation in track.annotations:
        kind = _GROUP_TO_META.get(annotation.group or "text")
        if kind is not None and isinstance(annotation.annotation, str):
            builder.add_meta(annotation.time, _KEY_CONTROL,
                             _smf.meta_event(kind, _text_bytes(annotation.annotation)))
    return builder.encode(path)


# The registry calls every format module's `read` and `write`.
read = read_midi
write = write_midi
