"""ABC notation (``.abc``): reading through music21's ABC parser, writing with our own writer.

**Reading** (:func:`read_abc`, :func:`read_abc_book`, :func:`read_abc_string`). The file is
split into tunes here, at every line that starts with ``X:``; the fields of the file header
(the lines before the first ``X:``) are put in front of every tune, as ABC 2.1 says, except a
header ``T:`` (the book's title, kept as ``metadata.collection``). Each tune is parsed on its
own by music21 (``ABCHandler`` and ``abcFormat.translate.abcToStreamScore``) and converted with
:func:`orchestrion.io.interop.from_music21`, so a bad tune names itself and reading one tune
of a book of 300 parses that tune only. :func:`read_abc` gives the first tune (or the one
numbered ``X: number``); :func:`read_abc_book` gives every tune, the first one included
(MusPy's ABC data sets drop it).

- Accidentals carry through the bar (to the same note name in every octave), as the ABC 2.1
  standard says, unless the file's first line declares an older version (``%abc-1.6``) or the
  tune says ``%%propagate-accidentals``. music21 on its own applies an accidental to its note
  only when the file does not start with ``%abc-2.x`` (so ``_B B`` gives B flat, B), which
  misreads most tune books; MusPy inherits that.
- Kept: notes (pitch, onset, duration at the least resolution that holds every onset,
  duration and bar line exactly, capped at 10080 ticks per quarter), chords (as notes), ties
  (merged; tied chords ``[CEG]-`` too, which music21 leaves untied), tuplets, repeats and
  first/second endings (expanded unless ``expand_repeats=False``; a tune whose repeats music21
  cannot expand is read as written, with a ``UserWarning``), tempo ``Q:``, meter ``M:``, key
  ``K:`` (with mode; ``K:none`` gives no key signature), changes of these on their own line
  or inline (``[K:D]``) in the body, the measure starts of the first voice
  (``music.barlines``), title ``T:`` (the first), composers ``C:`` (``creators``), the
  reference number ``X:`` (an annotation at time 0 of group ``"reference_number"``, an int),
  the file name and format.
- Voices: one track per ``V:`` voice whose id starts with a digit (music21 ignores the
  others), named from ``name=``/``nm=``, with the program of ``%%MIDI program`` and drums from
  ``%%MIDI channel 10``. A voice written in several pieces (``V:1 ... V:2 ... V:1 ...``, the
  usual layout of scores) is one track; voices grouped in parentheses by ``%%score`` or
  ``%%staves`` (``(1 2)``: one staff) are one track. Voices without notes or rests (a ``V:``
  line that only defines a voice) give no track.
- Dropped: lyrics ``w:`` (music21 ignores them), grace notes, decorations, dynamics (every
  velocity is 64), chord symbols, annotations, and voice overlays ``&``.

**Writing** (:func:`write_abc`, :func:`to_abc_string`): see :mod:`orchestrion.io._abc_write`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from orchestrion.core.model import Annotation, Music
from orchestrion.errors import FormatError
from orchestrion.io._abc_write import to_abc_string, write_abc
from orchestrion.io._via_music21 import to_music
from orchestrion.io.files import check_readable

__all__ = ["read_abc", "read_abc_book", "read_abc_book_string", "read_abc_string",
           "to_abc_string", "write_abc"]

NUMBER_GROUP = "reference_number"
# ABC 2.1 rules (accidentals carry through the bar) unless the file says otherwise.
DEFAULT_VERSION = (2, 1, 0)

_X_LINE = re.compile(r"^[ \t]*X:[ \t]*([^\n%]*)", re.MULTILINE)
_VERSION = re.compile(r"^%abc-(\d+)\.(\d+)(?:\.(\d+))?")
_FIELD = re.compile(r"^([A-Za-z+]):(.*)$")
_INLINE = re.compile(r"\[([KMQLV]):([^\]\n]*)\]")
_ATTRIBUTE = re.compile(r'\b(?:name|nm)\s*=\s*(?:"([^"]*)"|(\S+))')
_MIDI = re.compile(r"^%%MIDI\s+(program|channel)\s+([\d\s]+)")
_SCORE = re.compile(r"^%%(?:score|staves)\b(.*)")
_COMMENT = re.compile(r"(?<!\\)%.*$")


def _field_value(value: str) -> str:
    """A field's value without its comment; ``\\%`` is a literal percent sign (ABC 2.1)."""
    return _COMMENT.sub("", value).replace("\\%", "%").strip()


@dataclass
class _Tune:
    number: int | None
    text: str
    line: int  # 1-based line of the tune's X: in the file (for messages)

    def label(self) -> str:
        return f"tune X:{self.number} (line {self.line})" if self.number is not None \
            else f"tune at line {self.line}"


@dataclass
class _Book:
    header: str  # file-header field lines, put in front of every tune
    title: str | None  # a T: of the file header: the book's title
    version: tuple[int, int, int]
    tunes: list[_Tune] = field(default_factory=list)


# ------------------------------------------------------------------------------ public API


def read_abc(path: str | os.PathLike[str], *, number: int | None = None,
             expand_repeats: bool = True) -> Music:
    """Read the first tune of an ABC file, or the tune whose ``X:`` is ``number``.

    Raises ``FormatError`` naming the file for a missing, empty or unparsable file and for
    a ``number`` the file does not hold (the message lists the numbers it holds).
    """
    text = _read_text(path)
    book = _split(text, path)
    return _convert(book, _choose(book, number, path), path, expand_repeats)


def read_abc_book(path: str | os.PathLike[str], *,
                  expand_repeats: bool = True) -> list[Music]:
    """Read every tune of an ABC file (a tune book), in file order, the first one included.

    A tune music21 cannot parse raises ``FormatError`` naming the file and the tune.
    """
    book = _split(_read_text(path), path)
    return [_convert(book, tune, path, expand_repeats) for tune in book.tunes]


def read_abc_string(text: str, *, number: int | None = None,
                    expand_repeats: bool = True) -> Music:
    """Read the first tune (or tune ``number``) of ABC ``text``; as :func:`read_abc`."""
    book = _split(text, None)
    return _convert(book, _choose(book, number, None), None, expand_repeats)


def read_abc_book_string(text: str, *, expand_repeats: bool = True) -> list[Music]:
    """Read every tune of ABC ``text``, the first one included; as :func:`read_abc_book`."""
    book = _split(text, None)
    return [_convert(book, tune, None, expand_repeats) for tune in book.tunes]


# ------------------------------------------------------------------------- splitting


def _read_text(path: str | os.PathLike[str]) -> str:
    data = check_readable(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older tune books are Latin-1; every byte string decodes as Latin-1.
        return data.decode("latin-1")


def _split(text: str, path: str | os.PathLike[str] | None) -> _Book:
    """The file header and the tunes of ``text``; ``FormatError`` when it holds no tune."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _VERSION.match(text.lstrip())
    version = tuple(int(g or 0) for g in match.groups()) if match else DEFAULT_VERSION
    starts = list(_X_LINE.finditer(text))
    head = text[:starts[0].start()] if starts else ""
    # Only fields and directives of the file header apply to the tunes; free text there
    # would otherwise be read as notes.
    header, title = [], None
    for line in head.split("\n"):
        found = _FIELD.match(line)
        if found and found.group(1) == "T" and title is None:
            title = found.group(2).strip() or None
        elif found or line.startswith("%%"):
            header.append(line)
    book = _Book("".join(line + "\n" for line in header), title,
                 (*version, 0, 0, 0)[:3])  # type: ignore[arg-type]
    if not starts:
        # No X: at all: one tune when there is a K: field (music21 reads such fragments).
        if re.search(r"^[ \t]*K:", text, re.MULTILINE):
            book.tunes.append(_Tune(None, text, 1))
            book.header = ""
            return book
        raise FormatError("no ABC tune in the file (no X: or K: field)", path)
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        digits = re.match(r"\d+", start.group(1).strip())
        book.tunes.append(_Tune(int(digits.group()) if digits else None,
                                text[start.start():end], text.count("\n", 0, start.start()) + 1))
    return book


def _choose(book: _Book, number: int | None, path: str | os.PathLike[str] | None) -> _Tune:
    if number is None:
        return book.tunes[0]
    for tune in book.tunes:
        if tune.number == number:
            return tune
    held = [str(t.number) for t in book.tunes if t.number is not None]
    shown = ", ".join(held[:20]) + (f", ... ({len(held)} tunes)" if len(held) > 20 else "")
    raise FormatError(f"no tune X:{number} in the file; it holds X: {shown or 'none'}", path)


def _prepare(text: str) -> tuple[str, str | None]:
    """The tune's text as music21 can read it, and the value of its first ``K:`` field.

    Inline fields (``[K:D]``) go on lines of their own (music21 ignores them inline), and
    every ``K:``/``M:``/``Q:`` line of the body is doubled: music21 drops a field line that
    stands alone between a bar line and the next note (its measure splitter skips a
    one-token span), so a key change would be lost; the copy is harmless. A header without
    ``L:`` or ``M:`` gets ``L:1/8``, the standard's default.
    """
    lines: list[str] = []
    key: str | None = None
    unit = False  # an L: field, or an M: music21 derives the unit note length from
    for raw in text.split("\n"):
        if not raw.startswith("%") and _INLINE.search(raw) and not _FIELD.match(raw):
            raw = _INLINE.sub(lambda m: f"\n{m.group(1)}:{m.group(2)}\n", raw)
        for line in raw.split("\n"):
            found = _FIELD.match(line.strip())
            if found and found.group(1) in "KMQ" and key is not None:
                lines.append(line.strip())
            if found and found.group(1) == "K" and key is None:
                key = _field_value(found.group(2))
                if not unit:
                    # ABC 2.1: without L: or M: the unit is an eighth; music21 fails instead.
                    lines.append("L:1/8")
            if found and found.group(1) in "LM" and key is None:
                unit = True
            lines.append(line)
    return "\n".join(lines), key


# ------------------------------------------------------------------------- voices


@dataclass
class _Voice:
    id: str
    name: str | None = None
    program: int | None = None
    drum: bool = False


def _voices(text: str) -> tuple[list[_Voice], list[list[str]]]:
    """The ``V:`` lines music21 makes parts of (ids starting with a digit), in order, with
    their settings; and the voice groups of ``%%score``/``%%staves`` that share a staff."""
    occurrences: list[_Voice] = []
    default = _Voice("")
    groups: list[list[str]] = []
    for line in text.split("\n"):
        found = _FIELD.match(line.strip())
        if found and found.group(1) == "V":
            value = _COMMENT.sub("", found.group(2)).strip()
            if value[:1].isdigit():
                voice = _Voice(value.split()[0], program=default.program, drum=default.drum)
                attribute = _ATTRIBUTE.search(value)
                if attribute:
                    name = attribute.group(1) if attribute.group(1) is not None \
                        else attribute.group(2)
                    voice.name = name.replace("\\%", "%")
                occurrences.append(voice)
            continue
        target = occurrences[-1] if occurrences else default
        midi = _MIDI.match(line.strip())
        if midi:
            numbers = [int(n) for n in midi.group(2).split()]
            if midi.group(1) == "program" and numbers:
                target.program = min(127, numbers[-1])  # 'program [channel] n'
            elif midi.group(1) == "channel" and numbers:
                target.drum = numbers[0] == 10
        score = _SCORE.match(line.strip())
        if score:
            groups = [group.split() for group in re.findall(r"\(([^)]*)\)", score.group(1))]
    return occurrences, groups


def _merge_voices(score: Any, occurrences: list[_Voice]) -> tuple[Any, list[_Voice]]:
    """One music21 part per voice id: music21 makes a part of every ``V:`` line, each laid
    out from the start, so pieces of one voice are put one after the other here."""
    from music21 import instrument, note, stream

    parts = list(score.parts)
    if len(occurrences) < 2 or len(parts) != len(occurrences):
        occurrences = occurrences[:1] if len(parts) == 1 else []
        occurrences += [_Voice(str(i + 1)) for i in range(len(occurrences), len(parts))]
    merged: dict[str, tuple[_Voice, list[Any]]] = {}
    for voice, part in zip(occurrences, parts, strict=True):
        if voice.id in merged:
            first, pieces = merged[voice.id]
            first.name = first.name or voice.name
            first.program = first.program if first.program is not None else voice.program
            first.drum = first.drum or voice.drum
            pieces.append(part)
        else:
            merged[voice.id] = (_Voice(voice.id, voice.name, voice.program, voice.drum), [part])
    result = stream.Score()
    if score.metadata is not None:
        result.insert(0, score.metadata)
    voices = []
    for voice, pieces in merged.values():
        pieces = [p for p in pieces if p.recurse().getElementsByClass(note.GeneralNote).first()]
        if not pieces:
            continue  # a V: line that only defines the voice
        part = pieces[0]
        if len(pieces) > 1:
            part, shift = stream.Part(), Fraction(0)
            for piece in pieces:
                for element in list(piece):
                    part.coreInsert(shift + Fraction(piece.elementOffset(element)), element)
                shift += Fraction(piece.highestTime)
            part.coreElementsChanged()
        part.partName = voice.name
        if voice.program is not None or voice.drum:
            inst = instrument.Instrument()
            inst.midiProgram = voice.program or 0
            inst.midiChannel = 9 if voice.drum else None
            part.insert(0, inst)
        result.insert(0, part)
        voices.append(voice)
    return result, voices


def _tie_chords(handler: Any, score: Any) -> None:
    """Give the notes of tied chords (``[CEG]-``) their ties: music21's ABC translator ties
    single notes only. The chords of each part are matched in order with the chord tokens
    of the part's tokens (split by voice as music21 does); a part whose counts differ is
    left alone."""
    from music21 import abcFormat, chord, harmony, tie

    collections = handler.splitByVoice()
    token_lists = ([collections[0].tokens] if len(collections) == 1 else
                   [collections[0].tokens + c.tokens for c in collections[1:]])
    for part, tokens in zip(score.parts, token_lists, strict=False):
        chords = [t for t in tokens if isinstance(t, abcFormat.ABCChord) and t.subTokens
                  and not (t.chordSymbols and t.chordSymbols[0].strip('"( ').startswith(">"))]
        if not any(t.tie for t in chords):
            continue
        elements = [e for e in part.recurse().getElementsByClass(chord.Chord)
                    if not isinstance(e, harmony.Harmony)]
        if len(elements) != len(chords):
            continue
        for token, element in zip(chords, elements, strict=True):
            if token.tie is not None:
                for member in element.notes:
                    member.tie = tie.Tie(token.tie)


# ------------------------------------------------------------------------- conversion


def _convert(book: _Book, tune: _Tune, path: str | os.PathLike[str] | None,
             expand_repeats: bool) -> Music:
    from music21 import abcFormat
    from music21.abcFormat import translate

    text, key = _prepare(book.header + tune.text)
    occurrences, groups = _voices(text)
    try:
        handler = abcFormat.ABCHandler(abcVersion=book.version)
        handler.process(text)
        score = translate.abcToStreamScore(handler)
        _tie_chords(handler, score)
    except Exception as error:  # music21 raises many kinds (its own, IndexError, ...)
        raise FormatError(f"{tune.label()}: music21 cannot parse it "
                          f"({type(error).__name__}: {error})", path) from error
    score, voices = _merge_voices(score, occurrences)
    music = to_music(score, path, f"{tune.label()}: ", expand_repeats)
    if key is None or key.lower() in ("", "none") or key.lower().startswith(("none ", "clef")):
        music.key_signatures = [k for k in music.key_signatures if k.time > 0]
    _group_tracks(music, voices, groups)
    # Title and composers from the text: music21 cuts a field at an escaped '\%'.
    fields = [(m.group(1), _field_value(m.group(2))) for line in text.split("\n")
              if (m := _FIELD.match(line.strip())) and m.group(1) in "TC"]
    music.metadata.title = next((v for f, v in fields if f == "T"), music.metadata.title)
    music.metadata.creators = [v for f, v in fields if f == "C" and v] or None
    if tune.number is not None:
        music.annotations.insert(0, Annotation(0, tune.number, NUMBER_GROUP))
    music.metadata.collection = book.title or (
        Path(path).stem if path is not None and len(book.tunes) > 1 else None)
    music.metadata.source_filename = Path(path).name if path is not None else None
    music.metadata.source_format = "abc"
    return music


def _group_tracks(music: Music, voices: list[_Voice], groups: list[list[str]]) -> None:
    """Merge the tracks of voices that ``%%score`` puts on one staff into the first one."""
    from orchestrion.core.notes import NoteArray

    index = {voice.id: i for i, voice in enumerate(voices)}
    drop: set[int] = set()
    for group in groups:
        members = [index[v] for v in group if v in index]
        if len(members) < 2:
            continue
        first, rest = music.tracks[members[0]], [music.tracks[i] for i in members[1:]]
        notes = NoteArray.concatenate([first.note_array(), *(t.note_array() for t in rest)])
        first.set_note_array(notes.sorted(), validate=False)
        first.lyrics = sorted([*first.lyrics, *(x for t in rest for x in t.lyrics)],
                              key=lambda lyric: lyric.time)
        first.name = first.name or next((t.name for t in rest if t.name), None)
        drop.update(members[1:])
    music.tracks = [t for i, t in enumerate(music.tracks) if i not in drop]
