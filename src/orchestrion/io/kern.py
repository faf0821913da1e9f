"""Humdrum ``**kern`` files (``.krn``): reading through music21's Humdrum parser.

:func:`read_kern` decodes the file (UTF-8, else Latin-1, as music21 itself opens Humdrum),
parses it with ``music21.humdrum.spineParser.HumdrumDataCollection`` and converts the score
with :func:`orchestrion.io.interop.from_music21`:

- one track per ``**kern`` spine, in music21's order (split spines ``*^`` are voices of their
  spine's track), named after the instrument music21 makes of the spine's ``*I`` code
  (``*Icant`` gives "Soprano"; ``*I"Name`` is not read by music21);
- notes with their pitch, onset and duration at the least resolution that holds every onset
  and duration exactly (tuplets included), ties merged, chords as notes; grace notes
  (``q``) and rests are dropped; every velocity is 64 (Humdrum dynamics live in other
  spines); lyrics of ``**text``/``**silbe`` spines are not kept (music21 does not attach them);
- tempos ``*MM``, key signatures ``*k[...]`` (with mode when music21 makes a key of the key
  designation), time signatures ``*M``, the measure starts of the
  first spine (``music.barlines``), title (``!!!OTL``), composers (``!!!COM``) and
  copyright (``!!!YEC``);
- repeats (``=:|!``-style bar lines) are expanded unless ``expand_repeats=False``; a file
  whose repeats music21 cannot expand (Humdrum expansion lists ``*>[A,A,B]`` are not
  understood by music21) is read as written, with a ``UserWarning``;
- a file holding several pieces (music21 makes an ``Opus`` of it) gives its first piece.

Problems raise ``FormatError`` naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestrion.core.model import Music
from orchestrion.errors import FormatError
from orchestrion.io._via_music21 import to_music
from orchestrion.io.files import check_readable

__all__ = ["read_kern", "read_kern_string"]


def read_kern(path: str | os.PathLike[str], *, expand_repeats: bool = True) -> Music:
    """Read a Humdrum ``**kern`` file into :class:`Music` (see the module docstring)."""
    data = check_readable(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # music21 opens Humdrum files as Latin-1
    music = _read(text, path, expand_repeats)
    music.metadata.source_filename = Path(path).name
    return music


def read_kern_string(text: str, *, expand_repeats: bool = True) -> Music:
    """Read Humdrum ``**kern`` data from a string; as :func:`read_kern`."""
    return _read(text, None, expand_repeats)


def _read(text: str, path: str | os.PathLike[str] | None, expand_repeats: bool) -> Music:
    from music21 import stream
    from music21.humdrum.spineParser import HumdrumDataCollection

    if "**kern" not in text:
        raise FormatError("not a Humdrum **kern file (no **kern spine)", path)
    try:
        collection = HumdrumDataCollection(text)
        score = collection.parse()
    except Exception as error:  # music21's Humdrum parser raises many kinds
        raise FormatError(f"music21 cannot parse it ({type(error).__name__}: {error})",
                          path) from error
    if isinstance(score, stream.Opus):
        scores = list(score.scores)
        if not scores:
            raise FormatError("the file holds no piece", path)
        score = scores[0]
    music = to_music(score, path, "", expand_repeats)
    music.metadata.source_format = "kern"
    return music
