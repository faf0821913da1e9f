"""MusPy 0.5's names over orchestrion, so MusPy code runs after changing one import::

    import orchestrion.compat.muspy as muspy

    music = muspy.read_midi("song.mid")
    muspy.save("song.json", music)

This module covers MusPy's classes, its file functions for MIDI, MusicXML, MuseScore, ABC,
JSON and YAML (``read``, ``write``, ``load``, ``save``, ``read_midi``, ``write_midi``,
``read_musicxml``, ``write_musicxml``, ``read_musescore``, ``read_abc``, ``read_abc_string``,
``load_json``, ``save_json``, ``load_yaml``, ``save_yaml``) with MusPy's argument order
(path first, then music), and its converters to and from music21, pretty_midi, mido and
pypianoroll, and its representations (``to_pitch_representation`` ... ``from_representation``,
over :mod:`orchestrion.representations`), and MusPy's 14 metrics (over
:mod:`orchestrion.metrics`, MusPy's values). Later modules add the dataset names.

Where the behaviour differs from MusPy's, on purpose:

- Reading MIDI always goes through symusic and pairs duplicate notes first-in-first-out
  (MusPy's default); ``backend`` is accepted and ignored, ``duplicate_note_mode`` other than
  ``"fifo"`` is refused (MusPy's ``"all"`` stretches notes to the end, a known bug).
- Markers, text events, copyright and title survive MIDI reading (MusPy drops them).
- Errors are :class:`~orchestrion.errors.FormatError` (a ``ValueError``, as MusPy raises)
  and name the file.
- Paths only: MusPy's ``load``/``save`` also take open text files; here, pass a path.
- ``read_abc`` keeps the first tune of a tune book (MusPy 0.5 loses it, and on music21 10
  cannot read ABC at all); MuseScore files are read by orchestrion's own reader (MusPy's
  ignores tuplets, dots on rests, grace notes and concert keys, see docs/musescore.md).
- Representations return MusPy's shapes ((T, 1), (M, 1), (N, 4), a 128-column roll) with its
  bugs fixed: pitch rests are 128 also without holds, pitch decoding works on numpy 2, event
  velocity bins decode to their middle velocity, the piano-roll has ``T`` rows (not ``T+1``)
  and keeps velocity-0 notes, decoders set ``tempos=[Tempo(0, 120)]``, an empty piece encodes
  to an empty array instead of raising ``RuntimeError``. See docs/representations.md.
"""

from __future__ import annotations

import os
from typing import Any

from orchestrion.compat._muspy_metrics import (
    drum_in_pattern_rate,
    drum_pattern_consistency,
    empty_beat_rate,
    empty_measure_rate,
    groove_consistency,
    n_pitch_classes_used,
    n_pitches_used,
    pitch_class_entropy,
    pitch_entropy,
    pitch_in_scale_rate,
    pitch_range,
    polyphony,
    polyphony_rate,
    scale_consistency,
)
from orchestrion.core.model import (
    Annotation,
    Barline,
    Beat,
    Chord,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    Tempo,
    TimeSignature,
    Track,
)
from orchestrion.errors import FormatError
from orchestrion.io import interop, jsonio, midi, musescore, musicxml, registry

__all__ = [
    "Annotation",
    "Barline",
    "Beat",
    "Chord",
    "KeySignature",
    "Lyric",
    "Metadata",
    "Music",
    "Note",
    "Tempo",
    "TimeSignature",
    "Track",
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
    "empty_beat_rate",
    "empty_measure_rate",
    "from_event_representation",
    "from_mido",
    "from_music21",
    "from_note_representation",
    "from_pianoroll_representation",
    "from_pitch_representation",
    "from_pretty_midi",
    "from_pypianoroll",
    "from_representation",
    "groove_consistency",
    "load",
    "load_json",
    "load_yaml",
    "n_pitch_classes_used",
    "n_pitches_used",
    "pitch_class_entropy",
    "pitch_entropy",
    "pitch_in_scale_rate",
    "pitch_range",
    "polyphony",
    "polyphony_rate",
    "read",
    "read_abc",
    "read_abc_string",
    "read_midi",
    "read_musescore",
    "read_musicxml",
    "save",
    "save_json",
    "save_yaml",
    "scale_consistency",
    "to_event_representation",
    "to_mido",
    "to_music21",
    "to_note_representation",
    "to_pianoroll_representation",
    "to_pitch_representation",
    "to_pretty_midi",
    "to_pypianoroll",
    "to_representation",
    "write",
    "write_midi",
    "write_musicxml",
]

PathLike = str | os.PathLike[str]
_SERIALISED = ("json", "yaml")  # what MusPy's load/save handle; read/write take the rest


def read_midi(path: PathLike, backend: str = "mido", duplicate_note_mode: str = "fifo") -> Music:
    """Read a MIDI file (MusPy: ``muspy.read_midi``). ``backend`` is ignored (symusic reads)."""
    del backend  # kept for MusPy's signature; orchestrion has one, faster, reader
    _check_fifo(duplicate_note_mode)
    return midi.read_midi(path)


def _check_fifo(duplicate_note_mode: str) -> None:
    if duplicate_note_mode != "fifo":
        raise ValueError(f"duplicate_note_mode={duplicate_note_mode!r} is not supported: "
                         "orchestrion pairs duplicate notes first-in-first-out ('fifo')")


def write_midi(path: PathLike, music: Music, backend: str = "mido", **kwargs: Any) -> None:
    """Write a MIDI file (MusPy: ``muspy.write_midi``). ``backend`` and MusPy's mido options
    (``use_note_off_message``) are ignored: orchestrion writes note-off messages."""
    del backend, kwargs
    midi.write_midi(music, path)


def read_musicxml(path: PathLike, resolution: int | None = None,
                  compressed: bool | None = None) -> Music:
    """Read a MusicXML file (MusPy: ``muspy.read_musicxml``); the bytes tell whether it is
    compressed. ``resolution``, if given, rescales the times (default: exact, the least
    common multiple of the file's divisions). Repeats are expanded, as in MusPy."""
    del compressed
    music = musicxml.read_musicxml(path)
    return music if resolution is None else music.adjust_resolution(resolution)


def write_musicxml(path: PathLike, music: Music, compressed: bool | None = None) -> None:
    """Write a MusicXML file (MusPy: ``muspy.write_musicxml``, path first); compressed
    (``.mxl``) when ``compressed`` is true, or by default when the path ends in ``.mxl``."""
    musicxml.write_musicxml(music, path, compressed=compressed)


def read_musescore(path: PathLike, resolution: int | None = None,
                   compressed: bool | None = None, timeout: int | None = None) -> Music:
    """Read a MuseScore file (MusPy: ``muspy.read_musescore``); ``.mscz`` or ``.mscx`` is
    told by the bytes, ``timeout`` (MusPy's, for a music21 fallback) is not needed.
    ``resolution``, if given, rescales the times (default: exact)."""
    del compressed, timeout
    music = musescore.read_musescore(path)
    return music if resolution is None else music.adjust_resolution(resolution)


def read_abc(path: PathLike, number: int | None = None,
             resolution: int = 24) -> Music | list[Music]:
    """Read an ABC file (MusPy: ``muspy.read_abc``): tune ``number`` (its ``X:``), else
    every tune -- a list when the file holds several, the first one included -- at
    ``resolution`` ticks per quarter (MusPy's default 24)."""
    from orchestrion.io import abc

    if number is not None:
        return abc.read_abc(path, number=number).adjust_resolution(resolution)
    tunes = [tune.adjust_resolution(resolution) for tune in abc.read_abc_book(path)]
    return tunes[0] if len(tunes) == 1 else tunes


def read_abc_string(data_str: str, number: int | None = None,
                    resolution: int = 24) -> Music | list[Music]:
    """ABC text as :class:`Music` (MusPy: ``muspy.read_abc_string``); as :func:`read_abc`."""
    from orchestrion.io import abc

    if number is not None:
        return abc.read_abc_string(data_str, number=number).adjust_resolution(resolution)
    tunes = [tune.adjust_resolution(resolution) for tune in abc.read_abc_book_string(data_str)]
    return tunes[0] if len(tunes) == 1 else tunes


def from_music21(stream: Any, resolution: int = 24) -> Music:
    """A music21 stream as :class:`Music` at ``resolution`` ticks per quarter (MusPy's
    default 24; orchestrion's own ``from_music21`` picks an exact one by default)."""
    return interop.from_music21(stream, resolution)


def to_music21(music: Music) -> Any:
    """``music`` as a ``music21.stream.Score``."""
    return interop.to_music21(music)


def from_pretty_midi(midi: Any, resolution: int | None = None) -> Music:
    """A ``pretty_midi.PrettyMIDI`` as :class:`Music` (its own resolution unless given)."""
    music = interop.from_pretty_midi(midi)
    return music if resolution is None else music.adjust_resolution(resolution)


def to_pretty_midi(music: Music) -> Any:
    """``music`` as a ``pretty_midi.PrettyMIDI``."""
    return interop.to_pretty_midi(music)


def from_mido(midi: Any, duplicate_note_mode: str = "fifo") -> Music:
    """A ``mido.MidiFile`` as :class:`Music` (duplicate notes paired first-in-first-out)."""
    _check_fifo(duplicate_note_mode)
    return interop.from_mido(midi)


def to_mido(music: Music, use_note_off_message: bool = False) -> Any:
    """``music`` as a ``mido.MidiFile`` (note-offs are note-off messages either way)."""
    del use_note_off_message
    return interop.to_mido(music)


def from_pypianoroll(multitrack: Any, default_velocity: int = 64) -> Music:
    """A ``pypianoroll.Multitrack`` as :class:`Music`; boolean rolls get
    ``default_velocity``."""
    return interop.from_pypianoroll(multitrack, default_velocity)


def to_pypianoroll(music: Music) -> Any:
    """``music`` as a ``pypianoroll.Multitrack``."""
    return interop.to_pypianoroll(music)


def load_json(path: PathLike, compressed: bool | None = None) -> Music:
    """Load a JSON file (gzipped or not: the bytes tell, so ``compressed`` is not needed)."""
    del compressed
    return jsonio.read_json(path)


def load_yaml(path: PathLike, compressed: bool | None = None) -> Music:
    """Load a YAML file (gzipped or not: the bytes tell, so ``compressed`` is not needed)."""
    del compressed
    return jsonio.read_yaml(path)


def save_json(path: PathLike, music: Music, skip_missing: bool = True, ensure_ascii: bool = False,
              compressed: bool | None = None, **kwargs: Any) -> None:
    """Save ``music`` as JSON (MusPy: ``muspy.save_json``); ``indent`` is honoured.

    Only ``skip_missing=True`` (MusPy's default layout) and ``ensure_ascii=False`` are
    supported: the files are UTF-8 without null fields.
    """
    _check_layout(skip_missing, ensure_ascii, path)
    jsonio.write_json(music, path, indent=kwargs.get("indent"), compressed=compressed)


def save_yaml(path: PathLike, music: Music, skip_missing: bool = True, allow_unicode: bool = True,
              compressed: bool | None = None, **kwargs: Any) -> None:
    """Save ``music`` as YAML (MusPy: ``muspy.save_yaml``)."""
    del kwargs
    _check_layout(skip_missing, not allow_unicode, path)
    jsonio.write_yaml(music, path, compressed=compressed)


def _check_layout(skip_missing: bool, escape_non_ascii: bool, path: PathLike) -> None:
    if not skip_missing or escape_non_ascii:
        raise FormatError("only MusPy's default layout is written (skip_missing=True, "
                          "non-ASCII text kept as UTF-8)", path)


def _format_of(path: PathLike, kind: str | None, caller: str) -> registry.Format:
    """The format of ``path`` (or ``kind``), refusing those the other pair of functions
    handles, as MusPy does: load/save take JSON and YAML, read/write the rest."""
    fmt = registry.get_format(kind) if kind else registry.format_of(path)
    serialised_caller = caller in ("load", "save")
    if (fmt.name in _SERIALISED) != serialised_caller:
        other = "read/write" if serialised_caller else "load/save"
        raise FormatError(f"{caller}() does not handle {fmt.name} files; use {other}()", path)
    return fmt


def load(path: PathLike, kind: str | None = None, **kwargs: Any) -> Music:
    """Load a JSON or YAML file (MusPy: ``muspy.load``); ``kind`` is 'json' or 'yaml'."""
    del kwargs  # MusPy's 'compressed': the bytes tell
    return _format_of(path, kind, "load").read(path)


def save(path: PathLike, music: Music, kind: str | None = None, **kwargs: Any) -> None:
    """Save ``music`` as JSON or YAML (MusPy: ``muspy.save``, path first)."""
    fmt = _format_of(path, kind, "save")
    (save_json if fmt.name == "json" else save_yaml)(path, music, **kwargs)


def read(path: PathLike, kind: str | None = None, **kwargs: Any) -> Music:
    """Read a MIDI, MusicXML, MuseScore, ABC or Humdrum file (MusPy: ``muspy.read``)."""
    fmt = _format_of(path, kind, "read")
    if fmt.name == "midi":
        return read_midi(path, **kwargs)
    if fmt.name == "musicxml":
        return read_musicxml(path, **kwargs)
    if fmt.name == "musescore":
        return read_musescore(path, **kwargs)
    if fmt.name == "abc":
        return read_abc(path, **kwargs)  # type: ignore[return-value]
    return fmt.read(path, **kwargs)


def write(path: PathLike, music: Music, kind: str | None = None, **kwargs: Any) -> None:
    """Write ``music`` as MIDI, MusicXML or ABC (MusPy: ``muspy.write``, path first)."""
    fmt = _format_of(path, kind, "write")
    if fmt.name == "midi":
        write_midi(path, music, **kwargs)
    elif fmt.name == "musicxml":
        write_musicxml(path, music, **kwargs)
    else:
        fmt.write(music, path, **kwargs)


# --- representations (orchestrion.representations, MusPy's signatures) ------------------------
def _codec(name: str, **config: Any) -> Any:
    from orchestrion import representations

    return representations.get(name, **config)


def to_pitch_representation(music: Music, use_hold_state: bool = False,
                            dtype: Any = int) -> Any:
    """Music -> (T, 1) pitch tokens (0-127 pitch, 128 rest, 129 hold)."""
    codec = _codec("pitch", resolution=music.resolution, use_hold_state=use_hold_state)
    return codec.encode(music).reshape(-1, 1).astype(dtype)


def from_pitch_representation(array: Any, resolution: int = 24, program: int = 0,
                              is_drum: bool = False, use_hold_state: bool = False,
                              default_velocity: int = 64) -> Music:
    """(T, 1) pitch tokens -> Music."""
    return _codec("pitch", resolution=resolution, program=program, is_drum=is_drum,
                  use_hold_state=use_hold_state, default_velocity=default_velocity
                  ).decode(array)


def to_event_representation(music: Music, use_single_note_off_event: bool = False,
                            use_end_of_sequence_event: bool = False,
                            encode_velocity: bool = False, force_velocity_event: bool = True,
                            max_time_shift: int = 100, velocity_bins: int = 32,
                            dtype: Any = int) -> Any:
    """Music -> (M, 1) MIDI-like events."""
    codec = _codec("event", resolution=music.resolution,
                   use_single_note_off_event=use_single_note_off_event,
                   use_end_of_sequence_event=use_end_of_sequence_event,
                   encode_velocity=encode_velocity, force_velocity_event=force_velocity_event,
                   max_time_shift=max_time_shift, velocity_bins=velocity_bins)
    return codec.encode(music).reshape(-1, 1).astype(dtype)


def from_event_representation(array: Any, resolution: int = 24, program: int = 0,
                              is_drum: bool = False, use_single_note_off_event: bool = False,
                              use_end_of_sequence_event: bool = False,
                              max_time_shift: int = 100, velocity_bins: int = 32,
                              default_velocity: int = 64,
                              duplicate_note_mode: str = "fifo") -> Music:
    """(M, 1) MIDI-like events -> Music."""
    return _codec("event", resolution=resolution, program=program, is_drum=is_drum,
                  use_single_note_off_event=use_single_note_off_event,
                  use_end_of_sequence_event=use_end_of_sequence_event,
                  max_time_shift=max_time_shift, velocity_bins=velocity_bins,
                  default_velocity=default_velocity,
                  duplicate_note_mode=duplicate_note_mode).decode(array)


def to_note_representation(music: Music, use_start_end: bool = False,
                           encode_velocity: bool = True, dtype: Any = int) -> Any:
    """Music -> (N, 4) rows (time, pitch, duration or end, velocity)."""
    codec = _codec("note", resolution=music.resolution, use_start_end=use_start_end,
                   encode_velocity=encode_velocity)
    return codec.encode(music).astype(dtype)


def from_note_representation(array: Any, resolution: int = 24, program: int = 0,
                             is_drum: bool = False, use_start_end: bool = False,
                             encode_velocity: bool = True, default_velocity: int = 64) -> Music:
    """(N, 4) note rows -> Music."""
    return _codec("note", resolution=resolution, program=program, is_drum=is_drum,
                  use_start_end=use_start_end, encode_velocity=encode_velocity,
                  default_velocity=default_velocity).decode(array)


def to_pianoroll_representation(music: Music, encode_velocity: bool = True,
                                dtype: Any = None) -> Any:
    """Music -> (T, 128) roll: ``uint8`` velocities, or ``bool`` without velocity."""
    codec = _codec("pianoroll", resolution=music.resolution, encode_velocity=encode_velocity,
                   use_onset_channel=False)
    if dtype is None:
        dtype = "uint8" if encode_velocity else bool
    return codec.encode(music).astype(dtype)


def from_pianoroll_representation(array: Any, resolution: int = 24, program: int = 0,
                                  is_drum: bool = False, encode_velocity: bool = True,
                                  default_velocity: int = 64) -> Music:
    """(T, 128) roll -> Music (touching notes of one pitch merge, as in MusPy)."""
    return _codec("pianoroll", resolution=resolution, program=program, is_drum=is_drum,
                  encode_velocity=encode_velocity, use_onset_channel=False,
                  default_velocity=default_velocity).decode(array)


_KINDS = {"pitch": "pitch", "pitch-based": "pitch", "piano-roll": "pianoroll",
          "pianoroll": "pianoroll", "piano roll": "pianoroll", "event": "event",
          "event-based": "event", "note": "note", "note-based": "note"}


def _kind(kind: str) -> str:
    try:
        return _KINDS[kind.lower()]
    except KeyError:
        raise ValueError(f"kind must be 'pitch', 'pianoroll', 'event' or 'note', got {kind!r}"
                         ) from None


def to_representation(music: Music, kind: str, **kwargs: Any) -> Any:
    """Music -> array of the representation ``kind`` (MusPy's dispatcher)."""
    return globals()[f"to_{_kind(kind)}_representation"](music, **kwargs)


def from_representation(array: Any, kind: str, **kwargs: Any) -> Music:
    """Array of the representation ``kind`` -> Music (MusPy's dispatcher)."""
    return globals()[f"from_{_kind(kind)}_representation"](array, **kwargs)
