"""Playback order from repeat and jump marks (orchestrion.io._repeats).

Each case below is one feature with its order written out by hand; a property test throws
random (mostly malformed) marks at it; a few cases are cross-checked against music21's
``expandRepeats``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrion.io._repeats import MeasureMarks, playback_order

M = MeasureMarks


def volta(*numbers: int) -> frozenset[int]:
    """The endings of a volta measure."""
    return frozenset(numbers)


# (name, measures, expected order)
CASES: list[tuple[str, list[MeasureMarks], list[int]]] = [
    ("empty score", [], []),
    ("no marks", [M(), M(), M()], [0, 1, 2]),
    ("simple repeat", [M(), M(repeat_end=2), M()], [0, 1, 0, 1, 2]),
    ("repeat times=3", [M(), M(repeat_end=3), M()], [0, 1, 0, 1, 0, 1, 2]),
    ("repeat times=1 plays once", [M(), M(repeat_end=1), M()], [0, 1, 2]),
    (
        "forward repeat in the middle",
        [M(), M(repeat_start=True), M(repeat_end=2), M()],
        [0, 1, 2, 1, 2, 3],
    ),
    (
        "one-measure repeat",
        [M(), M(repeat_start=True, repeat_end=2), M()],
        [0, 1, 1, 2],
    ),
    (
        "two consecutive repeated sections",
        [M(repeat_start=True), M(repeat_end=2), M(repeat_start=True), M(repeat_end=2)],
        [0, 1, 0, 1, 2, 3, 2, 3],
    ),
    (
        "second section without forward repeat starts after the first's end",
        [M(), M(repeat_end=2), M(), M(repeat_end=2), M()],
        [0, 1, 0, 1, 2, 3, 2, 3, 4],
    ),
    (
        "first and second endings",
        [M(), M(), M(endings=volta(1), repeat_end=2), M(endings=volta(2)), M()],
        [0, 1, 2, 0, 1, 3, 4],
    ),
    (
        "endings two measures long",
        [
            M(),
            M(endings=volta(1)),
            M(endings=volta(1), repeat_end=2),
            M(endings=volta(2)),
            M(endings=volta(2)),
        ],
        [0, 1, 2, 0, 3, 4],
    ),
    (
        "endings '1, 2' and '3' with times=3",
        [M(repeat_start=True), M(), M(endings=volta(1, 2), repeat_end=3), M(endings=volta(3)), M()],
        [0, 1, 2, 0, 1, 2, 0, 1, 3, 4],
    ),
    (
        "endings 1, 2, 3 each repeated",
        [
            M(),
            M(endings=volta(1), repeat_end=3),
            M(endings=volta(2), repeat_end=3),
            M(endings=volta(3)),
        ],
        [0, 1, 0, 2, 0, 3],
    ),
    (
        "endings 1, 2, 3 each repeated with the default times=2 (as MuseScore writes them)",
        [
            M(),
            M(endings=volta(1), repeat_end=2),
            M(endings=volta(2), repeat_end=2),
            M(endings=volta(3)),
        ],
        [0, 1, 0, 2, 0, 3],
    ),
    (
        "last ending numbered past the passes is played on the final pass",
        [M(), M(endings=volta(1, 2), repeat_end=2), M(endings=volta(3)), M()],
        [0, 1, 0, 1, 2, 3],
    ),
    (
        "last ending numbered 3 after a repeated ending 1",
        [M(), M(endings=volta(1), repeat_end=2), M(endings=volta(3)), M()],
        [0, 1, 0, 2, 3],
    ),
    (
        "section after a volta group starts after the group",
        [M(), M(endings=volta(1), repeat_end=2), M(endings=volta(2)), M(), M(repeat_end=2)],
        [0, 1, 0, 2, 3, 4, 3, 4],
    ),
    (
        "endings without any repeat are ordinary measures",
        [M(), M(endings=volta(1)), M(endings=volta(2)), M()],
        [0, 1, 2, 3],
    ),
    (
        "two volta groups",
        [
            M(repeat_start=True),
            M(endings=volta(1), repeat_end=2),
            M(endings=volta(2)),
            M(repeat_start=True),
            M(endings=volta(1), repeat_end=2),
            M(endings=volta(2)),
        ],
        [0, 1, 0, 2, 3, 4, 3, 5],
    ),
    ("D.C.", [M(), M(dacapo=True)], [0, 1, 0, 1]),
    ("D.C. al Fine", [M(), M(fine=True), M(), M(dacapo=True)], [0, 1, 2, 3, 0, 1]),
    (
        "D.C. al Coda",
        [M(), M(tocoda=True), M(), M(dacapo=True), M(coda=True), M()],
        [0, 1, 2, 3, 0, 1, 4, 5],
    ),
    ("D.S.", [M(), M(segno=True), M(), M(dalsegno=True), M()], [0, 1, 2, 3, 1, 2, 3, 4]),
    ("D.S. al Fine", [M(), M(segno=True), M(fine=True), M(dalsegno=True)], [0, 1, 2, 3, 1, 2]),
    (
        "D.S. al Coda",
        [M(), M(segno=True), M(tocoda=True), M(), M(dalsegno=True), M(coda=True), M()],
        [0, 1, 2, 3, 4, 1, 2, 5, 6],
    ),
    (
        "D.S. al Coda with the coda sign also at the to-coda place",
        [M(), M(segno=True), M(tocoda=True, coda=True), M(dalsegno=True), M(coda=True), M()],
        [0, 1, 2, 3, 1, 2, 4, 5],
    ),
    (
        "D.S. al Coda with a coda sign in the measure after the to-coda",
        [M(), M(segno=True), M(tocoda=True), M(coda=True), M(dalsegno=True), M(coda=True)],
        [0, 1, 2, 3, 4, 1, 2, 5],
    ),
    (
        "D.S. goes to the first segno",
        [M(segno=True), M(segno=True), M(dalsegno=True)],
        [0, 1, 2, 0, 1, 2],
    ),
    (
        "D.C. with a repeat inside: repeat skipped after the jump",
        [M(), M(repeat_end=2), M(fine=True), M(dacapo=True)],
        [0, 1, 0, 1, 2, 3, 0, 1, 2],
    ),
    (
        "D.C. with endings inside: last ending taken after the jump",
        [M(), M(endings=volta(1), repeat_end=2), M(endings=volta(2)), M(), M(dacapo=True)],
        [0, 1, 0, 2, 3, 4, 0, 2, 3, 4],
    ),
    (
        "D.S. with '1, 2' and '3' endings inside",
        [
            M(segno=True),
            M(endings=volta(1, 2), repeat_end=3),
            M(endings=volta(3)),
            M(dalsegno=True),
        ],
        [0, 1, 0, 1, 0, 2, 3, 0, 2, 3],
    ),
    (
        "D.C. on a repeated measure: repeat first, then the jump",
        [M(), M(repeat_end=2, dacapo=True)],
        [0, 1, 0, 1, 0, 1],
    ),
    ("D.S. without a segno plays on", [M(), M(dalsegno=True), M()], [0, 1, 2]),
    (
        "D.S. with the segno only after it plays on",
        [M(), M(dalsegno=True), M(segno=True)],
        [0, 1, 2],
    ),
    (
        "fine and to-coda are ignored before a jump",
        [M(fine=True), M(tocoda=True), M(), M(coda=True)],
        [0, 1, 2, 3],
    ),
    (
        "to-coda without a coda plays on",
        [M(), M(tocoda=True), M(), M(dacapo=True)],
        [0, 1, 2, 3, 0, 1, 2, 3],
    ),
    ("empty endings are ordinary measures", [M(endings=volta()), M(repeat_end=2)], [0, 1, 0, 1]),
]


@pytest.mark.parametrize(
    ("measures", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_playback_order(measures: list[MeasureMarks], expected: list[int]) -> None:
    assert playback_order(measures) == expected


def test_max_length_cuts_the_order() -> None:
    measures = [M(), M(repeat_end=2), M()]
    assert playback_order(measures, max_length=3) == [0, 1, 0]
    assert playback_order(measures, max_length=0) == []
    assert playback_order(measures, max_length=-5) == []


def test_huge_repeat_count_stops_at_the_default_max_length() -> None:
    assert playback_order([M(repeat_end=10**9)]) == [0] * 32  # 16 * 1 + 16
    assert len(playback_order([M(), M(repeat_end=10**9)], max_length=7)) == 7


def test_measures_may_be_any_sequence() -> None:
    assert playback_order((M(), M(repeat_end=2))) == [0, 1, 0, 1]


# --- garbage in: always a finite list of valid indices -------------------------------------

marks_strategy = st.builds(
    MeasureMarks,
    repeat_start=st.booleans(),
    repeat_end=st.sampled_from([0, 0, 0, 1, 2, 2, 3, 5]),
    endings=st.frozensets(st.integers(min_value=1, max_value=4), max_size=3),
    segno=st.booleans(),
    coda=st.booleans(),
    tocoda=st.booleans(),
    fine=st.booleans(),
    dacapo=st.booleans(),
    dalsegno=st.booleans(),
)


@settings(max_examples=400, deadline=200)
@given(
    st.lists(marks_strategy, max_size=24),
    st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
)
def test_random_marks_give_valid_finite_orders(
    measures: list[MeasureMarks], max_length: int | None
) -> None:
    order = playback_order(measures, max_length=max_length)
    limit = 16 * len(measures) + 16 if max_length is None else max_length
    assert len(order) <= limit
    assert all(isinstance(i, int) and 0 <= i < len(measures) for i in order)
    assert playback_order(measures, max_length=max_length) == order  # deterministic


@given(st.integers(min_value=0, max_value=200))
def test_no_marks_play_straight_through(n: int) -> None:
    assert playback_order([M()] * n) == list(range(n))


@settings(max_examples=200, deadline=200)
@given(
    st.lists(
        st.builds(
            MeasureMarks,
            repeat_start=st.booleans(),
            repeat_end=st.sampled_from([0, 0, 1, 2, 3]),
            segno=st.booleans(),
            dacapo=st.booleans(),
            dalsegno=st.booleans(),
        ),
        max_size=16,
    )
)
def test_without_endings_fine_or_coda_every_measure_plays(measures: list[MeasureMarks]) -> None:
    order = playback_order(measures, max_length=10_000)
    assert set(order) == set(range(len(measures)))
    assert order[-1:] == [len(measures) - 1][: len(order)]  # ends on the last measure


# --- cross-check against music21's expandRepeats -------------------------------------------


def _music21_order(measures: list[MeasureMarks]) -> list[int]:
    """Build the marks as a music21 part (one whole note per measure, tagged by a lyric),
    expand its repeats and read back the measure indices."""
    from music21 import bar, note, repeat, spanner, stream

    part = stream.Part()
    built = []
    for i, marks in enumerate(measures):
        measure = stream.Measure(number=i + 1)
        whole = note.Note(quarterLength=4)
        whole.lyric = str(i)
        measure.append(whole)
        if marks.repeat_start:
            measure.leftBarline = bar.Repeat(direction="start")
        if marks.repeat_end:
            measure.rightBarline = bar.Repeat(direction="end", times=marks.repeat_end)
        # music21 marks the to-coda place and the coda itself both with a Coda
        for flag, cls in (
            (marks.segno, repeat.Segno),
            (marks.tocoda or marks.coda, repeat.Coda),
            (marks.fine, repeat.Fine),
        ):
            if flag:
                measure.insert(0, cls())
        if marks.dacapo or marks.dalsegno:
            has_fine = any(m.fine for m in measures)
            has_coda = any(m.tocoda for m in measures)
            if marks.dacapo:
                cls = (
                    repeat.DaCapoAlFine
                    if has_fine
                    else repeat.DaCapoAlCoda
                    if has_coda
                    else repeat.DaCapo
                )
            else:
                cls = (
                    repeat.DalSegnoAlFine
                    if has_fine
                    else repeat.DalSegnoAlCoda
                    if has_coda
                    else repeat.DalSegno
                )
            measure.insert(0, cls())
        part.append(measure)
        built.append(measure)
    i = 0
    while i < len(measures):  # one RepeatBracket per ending
        if measures[i].endings:
            j = i
            while j + 1 < len(measures) and measures[j + 1].endings == measures[i].endings:
                j += 1
            number = ", ".join(str(k) for k in sorted(measures[i].endings))
            part.insert(0, spanner.RepeatBracket(built[i : j + 1], number=number))
            i = j + 1
        else:
            i += 1
    expanded = part.expandRepeats()
    return [int(m.notes[0].lyric) for m in expanded.getElementsByClass(stream.Measure)]


# music21's expander handles one jump (D.C./D.S.) at a time and, with a jump in the piece,
# ignores volta brackets, so only cases within what it supports are compared.
MUSIC21_CASES = [
    "simple repeat",
    "repeat times=3",
    "forward repeat in the middle",
    "two consecutive repeated sections",
    "first and second endings",
    "endings two measures long",
    "endings '1, 2' and '3' with times=3",
    "two volta groups",
    "D.C.",
    "D.C. al Fine",
    "D.C. al Coda",
    "D.S.",
    "D.S. al Fine",
    "D.S. al Coda",
    "D.C. with a repeat inside: repeat skipped after the jump",
]


@pytest.mark.parametrize("name", MUSIC21_CASES)
def test_agrees_with_music21(name: str) -> None:
    pytest.importorskip("music21")
    measures, expected = next((c[1], c[2]) for c in CASES if c[0] == name)
    assert _music21_order(measures) == expected == playback_order(measures)


def test_docstring_examples() -> None:
    import doctest

    from orchestrion.io import _repeats

    assert doctest.testmod(_repeats).failed == 0
