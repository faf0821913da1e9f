"""MusicXML files (``.musicxml``, ``.xml``, compressed ``.mxl``): a reader and a writer of our
own.

Reading (:func:`read_musicxml`): partwise and timewise scores; one track per ``<part>``.

- ``resolution`` is the least common multiple of every ``<divisions>`` in the file, so every
  onset and duration is an exact tick (above 10080·12 ticks per quarter the largest
  ``<divisions>``, at most 10080·12, is used and times are rounded instead).
- Each part's measures are laid out one after another, each as long as the furthest point
  its notes, ``<backup>`` and ``<forward>`` reach (so pickups and cadenzas keep their real
  length; a direction's ``<offset>`` never lengthens a measure). Parts are laid out
  independently, as music21 and MusPy do, so the parts of polymetric scores stay whole;
  ``music.barlines`` holds the first part's measure starts.
- Repeats, voltas, D.C., D.S., segno, coda, to-coda and fine are expanded by default
  (``expand_repeats=False`` keeps the written order); the rules are in
  :mod:`orchestrion.io._repeats`.
- Notes: ``<chord/>`` shares the previous onset; ties are merged into one note; pitches
  sound as played (``<transpose>`` applied: written + chromatic + 12·octave-change); grace
  notes (with or without ``<type>``) are notes of duration 0, as in music21; cue notes are
  not played and are skipped; unpitched notes take the ``<midi-unpitched>`` of their
  ``<instrument id="...">`` (the attribute) or else their displayed pitch.
- Velocity follows ``<sound dynamics>`` and a note's ``dynamics`` attribute (percent of
  forte, so velocity = 0.9 × value, per the MusicXML spec), else the dynamics marks
  (ppp … fff), else 64.
- Tempos come from ``<sound tempo>`` or else ``<metronome>`` (dotted and non-quarter beat
  units converted to quarters per minute); key signatures (fifths, mode, root) and time
  signatures (compound ``3+2/8`` counts 5/8) from the first part that has them.
- Lyrics (first verse; ``begin``/``middle`` syllables end in ``-``), part names, MIDI
  programs (``<midi-program>`` is 1-based in the file) and channel 10 as drums are kept;
  chord symbols (``<harmony>``) become track annotations of group ``"harmony"``.

Writing (:func:`write_musicxml`, :func:`to_bytes`): ``score-partwise`` version 4.0 in UTF-8,
or with ``compressed`` (the default for ``.mxl``) a zip archive whose stored ``mimetype``
entry comes first and whose ``META-INF/container.xml`` names ``score.musicxml``.
``read_musicxml(write_musicxml(music))`` gives back exactly ``resolution``, every note
(time, pitch, duration, velocity), tempos, key and time signatures, program, is_drum and name
of each track, track lyrics and chord symbols, title, creators and copyright; the layout
(:mod:`orchestrion.io._musicxml_layout` places, :mod:`orchestrion.io._musicxml_write`
emits) is:

- ``<divisions>`` = ``resolution``. Measures start at ``music.barlines`` (so pickups read from
  a file come back) and past the last one follow the time signature in force (4/4 without
  one); a time signature or key change starts a measure. ``barlines`` read back are these
  measure starts.
- One ``<part>`` per track: ``<part-name>``, a ``<midi-instrument>`` with ``midi-program`` =
  program + 1 on channel 10 for drums, else channels 1-9, 11-16 in turn. Drum notes are
  ``<unpitched>`` with one instrument per sound, whose ``<midi-unpitched>`` is the pitch + 1.
- Notes crossing a barline are split and tied (``<tie>`` and ``<tied>``); notes of one onset
  and duration are a ``<chord/>`` (a repeated pitch goes to another voice); overlapping notes
  go into further voices after ``<backup>``; gaps in voice 1 are rests, in other voices
  ``<forward>``. ``<duration>`` is exact; ``<type>``/``<dot/>`` (and a triplet's
  ``<time-modification>``) are added where the duration has one. Notes of duration 0 are
  ``<grace/>`` notes.
- Velocity: a ``<sound dynamics="...">`` (percent of forte: velocity / 0.9, two decimals, which
  the reader's round(0.9 × value) turns back into the same integer) where the velocity
  changes, in document order; a chord tone of another velocity carries a ``dynamics``
  attribute.
- Tempos: a ``<direction>`` in the first part with ``<metronome>`` (quarter = qpm, rounded
  for display) and ``<sound tempo>`` (exact), placed at its time in voice 1 (a rest is cut
  there) or, inside a note, before it with ``<offset sound="yes">``; only the first of
  several tempos at one tick is written (the reader keeps that one). Grace notes and chord
  symbols are placed in voice 1 the same way.
- Key signatures: ``<fifths>`` (from root and mode when ``fifths`` is missing; a key with
  neither is dropped) and ``<mode>``; ``root`` comes back computed from them, ``root_str``
  is dropped.
- Lyrics: on the first note (in document order) that starts at their time, ``-`` at the end
  meaning a ``begin``/``middle`` syllable; a note sounding through a lyric's time is cut
  there and tied (as files sing on a tied note's later piece); a lyric with no note at its
  time is dropped. Track annotations of group ``"harmony"`` (the reader's chord-symbol dicts) are
  ``<harmony>``; other annotations are dropped.
- Dropped (MusicXML has no place the reader takes them from): ``Music.lyrics`` and
  ``Music.annotations`` (global, as MIDI files have them), beats, ``Track.chords``,
  controls, pitch bends, note ``pitch_str``, ``metadata.collection``; without any track
  nothing is written but the header (and ``resolution`` comes back as 1). Characters XML
  1.0 cannot hold (control characters) are left out of texts; the reader trims part names,
  titles and creators. docs/musicxml.md has the full table.

Untrusted input is handled by :mod:`orchestrion.io._xml` (no entities, no DTD fetching) and
:mod:`orchestrion.io._archive` (zip-bomb and path checks); problems raise ``FormatError``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrion.core.model import (
    Barline,
    Metadata,
    Music,
)
from orchestrion.errors import FormatError, ValidationError
from orchestrion.io import _archive, _xml
from orchestrion.io._measures import (
    gc_paused,
    global_events,
    lay_out,
    measure_starts,
)
from orchestrion.io._musicxml_parse import (
    PartInfo,
    PartParser,
    partwise_parts,
    read_part_list,
    resolution_of,
)
from orchestrion.io._musicxml_write import to_bytes as to_bytes  # re-exported
from orchestrion.io._repeats import playback_order
from orchestrion.io.files import atomic_write_bytes, check_readable

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

def _metadata(root: Element, path: str | os.PathLike[str] | None) -> Metadata:
    title = (root.findtext("work/work-title") or root.findtext("movement-title") or "").strip()
    creators = [c.text.strip() for c in root.iterfind("identification/creator")
                if c.text and c.text.strip()]
    rights = (root.findtext("identification/rights") or "").strip()
    return Metadata(title=title or None, creators=creators or None, copyright=rights or None,
                    source_filename=Path(path).name if path is not None else None,
                    source_format="musicxml")


def from_element(root: Element, path: str | os.PathLike[str] | None = None, *,
                 expand_repeats: bool = True) -> Music:
    """:class:`Music` from a parsed MusicXML document (``<score-partwise>`` or
    ``<score-timewise>``)."""
    infos = read_part_list(root)
    resolution = resolution_of(root)
    parts = partwise_parts(root)
    parsed = []
    for part_id, measures in parts:
        parser = PartParser(infos.get(part_id, PartInfo()), resolution)
        parsed.append([parser.measure(measure) for measure in measures])
    n_measures = max((len(p) for p in parsed), default=0)
    marks = parsed[0] if parsed else []
    order = playback_order([m.marks for m in marks]) if expand_repeats \
        else list(range(n_measures))
    if expand_repeats and len(marks) < n_measures:  # a longer later part plays on
        order += list(range(len(marks), n_measures))
    starts = [measure_starts(measures, order) for measures in parsed]
    music = Music(metadata=_metadata(root, path), resolution=resolution,
                  barlines=[Barline(start) for start in starts[0]] if starts else [])
    for (part_id, _), measures, part_starts in zip(parts, parsed, starts, strict=True):
        music.tracks.append(lay_out(measures, order, part_starts,
                                     infos.get(part_id, PartInfo())))
    global_events(parsed, order, starts, music)
    return music


def from_bytes(data: bytes, path: str | os.PathLike[str] | None = None, *,
               expand_repeats: bool = True) -> Music:
    """:class:`Music` from the bytes of a MusicXML file, compressed (``.mxl``) or not."""
    with gc_paused():
        if data[:2] == b"PK":
            data = _archive.read_mxl(data, path)
        root = _xml.parse_xml(data, path)
        music = _checked(root, path, expand_repeats)
        # Free the tree while the collector is off: re-enabled with the tree alive, its
        # first young-generation collection would scan every element once more.
        del root
        return music


def _checked(root: Element, path: str | os.PathLike[str] | None, expand_repeats: bool
             ) -> Music:
    try:
        return from_element(root, path, expand_repeats=expand_repeats)
    except FormatError as error:
        raise FormatError(error.reason, path) from None
    except (ValidationError, ValueError, OverflowError) as error:
        raise FormatError(f"invalid MusicXML: {error}", path) from None


def read_musicxml(path: str | os.PathLike[str], *, expand_repeats: bool = True) -> Music:
    """Read a MusicXML file (``.musicxml``, ``.xml`` or compressed ``.mxl``)."""
    data = check_readable(path).read_bytes()
    return from_bytes(data, path, expand_repeats=expand_repeats)


def write_musicxml(music: Music, path: str | os.PathLike[str], *,
                   compressed: bool | None = None) -> None:
    """Write ``music`` as MusicXML (atomically: the file appears whole or not at all).

    ``compressed`` writes a ``.mxl`` zip archive; by default it is chosen by the extension
    (``.mxl`` compressed, anything else plain). An invalid piece or an unwritable path raises
    ``FormatError`` naming the file.
    """
    if compressed is None:
        compressed = Path(path).suffix.lower() == ".mxl"
    try:
        music.validate()
        data = to_bytes(music, compressed=compressed)
        atomic_write_bytes(path, data)
    except FormatError as error:
        raise FormatError(error.reason, path) from None
    except ValidationError as error:
        raise FormatError(f"cannot write: {error}", path) from None
    except OSError as error:
        raise FormatError(f"cannot write: {error.strerror or error}", path) from None


read = read_musicxml
write = write_musicxml
