"""Fuzzing the score readers: whatever the bytes, a reader returns a valid ``Music`` or raises
``FormatError``, never another exception, and does not hang.

Two kinds of input: real files with random bytes changed, cut or inserted (mostly malformed
XML or ABC, which must be refused cleanly), and documents built from the readers' own tag
names with hostile values (negative, huge, fractional, non-numeric, empty) in every number,
which parse as XML and so reach the music code.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrion import FormatError, Music
from orchestrion.io import musescore, musicxml

DATA = Path(__file__).parent / "data" / "musescore"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Half plain small numbers, so that documents get past their first bad value and reach
# deeper code; half hostile ones.
HOSTILE_NUMBERS = st.one_of(
    st.integers(0, 8).map(str),
    st.sampled_from(["0", "-1", "-480", "1e9", "1e400", "-1e400", "nan", "inf", "0.5", "1/3",
                     "", " ", "x", "99999999999999999999", "4.000", "+2", "٣"]))


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with up to 8 random edits: a byte replaced, a slice deleted or duplicated,
    bytes inserted, or the end cut off."""

    @st.composite
    def strategy(draw: st.DrawFn) -> bytes:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            if not out:
                break
            at = draw(st.integers(0, len(out) - 1))
            kind = draw(st.sampled_from(["replace", "delete", "duplicate", "insert", "cut"]))
            if kind == "replace":
                out[at] = draw(st.integers(0, 255))
            elif kind == "delete":
                del out[at:at + draw(st.integers(1, 64))]
            elif kind == "duplicate":
                out[at:at] = out[at:at + draw(st.integers(1, 256))]
            elif kind == "insert":
                out[at:at] = draw(st.binary(min_size=1, max_size=16))
            else:
                del out[at:]
        return bytes(out)

    return strategy()


def read_or_refuse(reader: object, data: bytes) -> None:
    """The property: a valid Music or a FormatError naming the given path."""
    refusal: FormatError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            music = reader(data, "fuzz.file")  # type: ignore[operator]
    except FormatError as error:
        refusal = error
    if refusal is not None:
        assert str(refusal).startswith("fuzz.file"), refusal
        return
    assert isinstance(music, Music)
    music.validate()


# -------------------------------------------------------------------------------- MusicXML

MUSICXML_NOTE = """<note>{grace}{chord}<pitch><step>{step}</step><alter>{alter}</alter>
<octave>{octave}</octave></pitch><duration>{duration}</duration>{tie}<voice>{voice}</voice>
<lyric><syllabic>begin</syllabic><text>la</text></lyric></note>"""


@st.composite
def musicxml_documents(draw: st.DrawFn) -> bytes:
    """A score-partwise document of the reader's own elements with hostile numbers."""
    number = HOSTILE_NUMBERS
    measures = []
    for index in range(draw(st.integers(1, 4))):
        body = (f"<attributes><divisions>{draw(number)}</divisions><key><fifths>"
                f"{draw(number)}</fifths><mode>{draw(st.sampled_from(['major', 'dorian', '']))}"
                f"</mode></key><time><beats>{draw(st.sampled_from(['3+2', '4', '0', '-3', 'x']))}"
                f"</beats><beat-type>{draw(number)}</beat-type></time><transpose><chromatic>"
                f"{draw(number)}</chromatic><octave-change>{draw(number)}</octave-change>"
                f"</transpose></attributes>")
        for _ in range(draw(st.integers(0, 5))):
            body += MUSICXML_NOTE.format(
                grace=draw(st.sampled_from(["", "<grace/>"])),
                chord=draw(st.sampled_from(["", "<chord/>"])),
                step=draw(st.sampled_from(["C", "b", "H", ""])), alter=draw(number),
                octave=draw(number), duration=draw(number),
                tie=draw(st.sampled_from(["", '<tie type="start"/>', '<tie type="stop"/>'])),
                voice=draw(number))
            body += draw(st.sampled_from([
                "", f"<backup><duration>{draw(number)}</duration></backup>",
                f"<forward><duration>{draw(number)}</duration></forward>",
                f'<direction><sound tempo="{draw(number)}" dynamics="{draw(number)}"/>'
                f"<offset>{draw(number)}</offset></direction>",
                f'<direction><direction-type><metronome><beat-unit>quarter</beat-unit>'
                f"<per-minute>{draw(number)}</per-minute></metronome></direction-type>"
                "</direction>",
                f'<barline><repeat direction="backward" times="{draw(number)}"/></barline>',
                f'<barline><ending number="{draw(number)}" type="start"/></barline>',
                '<sound dacapo="yes"/>', '<sound fine="yes"/>']))
        measures.append(f'<measure number="{index + 1}">{body}</measure>')
    program = draw(number)
    return (f'<score-partwise><part-list><score-part id="P1"><midi-instrument id="I1">'
            f"<midi-channel>{draw(number)}</midi-channel><midi-program>{program}</midi-program>"
            f'</midi-instrument></score-part></part-list><part id="P1">{"".join(measures)}'
            f"</part></score-partwise>").encode()


@pytest.fixture(scope="module")
def chorale_xml() -> bytes:
    music21 = pytest.importorskip("music21")
    from orchestrion.io import _archive

    data = Path(music21.corpus.getWork("bach/bwv66.6")).read_bytes()
    return _archive.read_mxl(data)


@FUZZ
@given(data=st.data())
def test_musicxml_mutated_file(chorale_xml: bytes, data: st.DataObject) -> None:
    read_or_refuse(musicxml.from_bytes, data.draw(mutated(chorale_xml)))


@FUZZ
@given(document=musicxml_documents())
def test_musicxml_hostile_values(document: bytes) -> None:
    read_or_refuse(musicxml.from_bytes, document)


# ------------------------------------------------------------------------------- MuseScore

@st.composite
def musescore_documents(draw: st.DrawFn) -> bytes:
    """A MuseScore 3 or 4 document of the reader's own elements with hostile numbers."""
    number = HOSTILE_NUMBERS
    version = draw(st.sampled_from(["3.02", "4.20", "2.06", "x", ""]))
    voice = ""
    for _ in range(draw(st.integers(0, 6))):
        voice += draw(st.sampled_from([
            f"<Chord><dots>{draw(number)}</dots><durationType>"
            f"{draw(st.sampled_from(['quarter', 'eighth', 'measure', 'bogus']))}</durationType>"
            f"<Note><pitch>{draw(number)}</pitch><tpc>{draw(number)}</tpc><velocity>"
            f"{draw(number)}</velocity></Note></Chord>",
            f"<Rest><durationType>quarter</durationType><duration>{draw(number)}/"
            f"{draw(number)}</duration></Rest>",
            f"<Tuplet><normalNotes>{draw(number)}</normalNotes><actualNotes>{draw(number)}"
            "</actualNotes></Tuplet>",
            f"<TimeSig><sigN>{draw(number)}</sigN><sigD>{draw(number)}</sigD></TimeSig>",
            f"<KeySig><accidental>{draw(number)}</accidental></KeySig>",
            f"<Tempo><tempo>{draw(number)}</tempo></Tempo>",
            f"<Dynamic><subtype>ff</subtype><velocity>{draw(number)}</velocity></Dynamic>",
            f"<location><fractions>{draw(number)}/{draw(number)}</fractions></location>",
            '<Spanner type="Tie"><Tie/><next><location><measures>1</measures></location>'
            "</next></Spanner>",
            f'<Jump><jumpTo>{draw(number)}</jumpTo></Jump>',
        ]))
    measure = f'<Measure len="{draw(number)}/{draw(number)}"><voice>{voice}</voice></Measure>'
    return (f'<museScore version="{version}"><Score><Division>{draw(number)}</Division>'
            f'<Part><Staff id="1"/><Instrument><Channel><program value="{draw(number)}"/>'
            f'</Channel></Instrument></Part><Staff id="1">{measure * draw(st.integers(1, 3))}'
            "</Staff></Score></museScore>").encode()


@FUZZ
@given(data=st.data())
def test_musescore_mutated_file(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in DATA.glob("*.mscx"))))
    read_or_refuse(musescore.from_bytes, data.draw(mutated((DATA / name).read_bytes())))


@FUZZ
@given(document=musescore_documents())
def test_musescore_hostile_values(document: bytes) -> None:
    read_or_refuse(musescore.from_bytes, document)


# ------------------------------------------------------------------------------- ABC, kern

ABC_TUNE = b"""X:1
T:Fuzz
M:6/8
L:1/8
Q:3/8=120
K:D
|: d2B AFA | (3def g2 [DFA]2 | ^c'2 _B,, z3 :|1 A6- | A6 :|2 D6 |]
"""
KERN_PIECE = b"""**kern\t**kern
*M3/4\t*M3/4
=1\t=1
4C\t4e
8.D\t4f
16E\t.
4r\t4g
=2\t=2
2.C\t2.c
*-\t*-
"""


def _abc(data: bytes, path: str) -> Music:
    from orchestrion.io import abc

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError("not UTF-8", path) from error
    try:
        return abc.read_abc_string(text)
    except FormatError as error:
        raise FormatError(error.reason, path) from None


def _kern(data: bytes, path: str) -> Music:
    from orchestrion.io import kern

    try:
        return kern.read_kern_string(data.decode("utf-8", errors="replace"))
    except FormatError as error:
        raise FormatError(error.reason, path) from None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_abc_mutated_tune(data: st.DataObject) -> None:
    pytest.importorskip("music21")
    read_or_refuse(_abc, data.draw(mutated(ABC_TUNE)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_kern_mutated_piece(data: st.DataObject) -> None:
    pytest.importorskip("music21")
    read_or_refuse(_kern, data.draw(mutated(KERN_PIECE)))


# ------------------------------------------------------- what the fuzzing found, kept as cases

def test_musescore_huge_key_signature_reads_at_once() -> None:
    # Was a loop subtracting 12 at a time from 10**20 (found by the fuzzing above).
    document = (b'<museScore version="3.02"><Score><Division>480</Division><Part>'
                b'<Staff id="1"/></Part><Staff id="1"><Measure><voice><KeySig><accidental>'
                b"99999999999999999999</accidental></KeySig><Chord><durationType>whole"
                b"</durationType><Note><pitch>60</pitch><tpc>14</tpc></Note></Chord></voice>"
                b"</Measure></Staff></Score></museScore>")
    music = musescore.from_bytes(document)
    assert [(n.time, n.pitch, n.duration) for n in music.tracks[0].notes] == [(0, 60, 1920)]
    assert -7 <= music.key_signatures[0].fifths <= 7


@pytest.mark.parametrize(("document", "match"), [
    (b"<score-partwise><part-list><score-part id='P1'/></part-list><part id='P1'><measure>"
     b"<attributes><divisions>1</divisions></attributes><note><pitch><step>C</step>"
     b"<octave>4</octave></pitch><duration>99999999999999999999</duration></note></measure>"
     b"</part></score-partwise>", "duration '99999999999999999999' is too long"),
    (b'<museScore version="4.20"><Score><Division>1000000000</Division></Score></museScore>',
     "<Division> 1000000000 is larger than the 120960 allowed"),
])
def test_times_beyond_any_score_are_refused(document: bytes, match: str) -> None:
    reader = musicxml.from_bytes if document.startswith(b"<score") else musescore.from_bytes
    with pytest.raises(FormatError, match=match):
        reader(document, "huge.file")


def test_infinite_numbers_read_as_missing() -> None:
    # "1e400" is no finite number: the key's fifths default to 0 instead of the whole file
    # failing with "cannot convert float infinity to integer".
    document = (b"<score-partwise><part-list><score-part id='P1'/></part-list><part id='P1'>"
                b"<measure><attributes><divisions>1</divisions><key><fifths>1e400</fifths>"
                b"</key></attributes><note><pitch><step>C</step><octave>4</octave></pitch>"
                b"<duration>1</duration></note></measure></part></score-partwise>")
    music = musicxml.from_bytes(document)
    assert [k.fifths for k in music.key_signatures] == [0]
    assert music.tracks[0].notes[0].pitch == 60
