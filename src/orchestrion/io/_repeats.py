"""The order in which the measures of a score are played, from its repeat and jump marks.

The score readers (MusicXML first) describe each measure by a :class:`MeasureMarks` -- what
its barlines, volta brackets and directions say about the order of play -- and
:func:`playback_order` unfolds them into the list of measure indices as they sound. The rules
are the common-practice ones that MusicXML players (MuseScore, music21's ``expandRepeats``)
apply; where practice varies, the choice made here is stated.

Repeats
    A backward repeat (``repeat_end = N``, MusicXML's ``times``, default 2) at the end of a
    measure sends the music back to the start of its section until the section has been
    played ``N`` times in total; ``repeat_end = 1`` is a section end that is played once. The
    start of a section is the most recent forward repeat (``repeat_start``) reached by
    playing on; without one, it is the measure after the previous section (the one after the
    previous played backward repeat, or after the previous volta group), or measure 0.
    Passes are counted from 1; arriving at a forward repeat by playing on starts pass 1.
    A backward repeat that ends an ending another ending follows also sends the music back
    until it has done so ``N - 1`` times itself: endings 1 and 2 that both end in a repeat
    sign played twice (as MuseScore writes three endings) lead to a third pass for ending 3.

Volta endings
    A volta group is a run of consecutive measures in endings (non-empty ``endings``); a
    measure with a forward repeat, or an ending whose smallest number is not larger than the
    largest number of the ending before it, starts a new group. An ending is a run of
    consecutive measures with the same numbers. On pass ``k`` of its section a measure in an
    ending plays when ``k`` is one of its numbers. The last ending of a group also plays
    once the pass reaches the group's repeat count (the largest ``repeat_end`` in the
    group): so a last ending without a repeat sign -- ending 2 after a repeated ending 1, or
    ending 3 after a repeated "1, 2" -- is played on the final pass. A group with no
    backward repeat in it (nothing to choose between) is played as ordinary measures.
    Leaving a volta group ends its section: the next section starts after the group.

D.C. and D.S.
    ``dacapo`` jumps, at the end of the measure carrying it, to measure 0; ``dalsegno`` to
    the first ``segno`` measure at or before it (a D.S. with no such segno is ignored: the
    music plays on; when a measure says both, D.S. wins if it has a segno). Each D.C./D.S.
    mark is followed once only, the first time its measure is played -- after the backward
    repeat of that measure, if it has one, has been taken. After a jump (convention chosen
    here, music21's default ``repeatAfterJump = False`` and MuseScore's default): backward
    repeats are not taken again, and of each volta group only the last ending is played.

Fine and coda
    ``fine`` and ``tocoda`` count only after a D.C./D.S. jump; before one they are ignored.
    After a jump, the music stops at the end of a measure carrying ``fine``, and at the end of
    a measure carrying ``tocoda`` it jumps (once per mark) to the coda: the LAST ``coda``
    measure after the jump-from measure (files that mark the to-coda place with ``<coda/>``
    too still land on the real coda). A to-coda with no coda after it is ignored.

Malformed marks never raise and never loop: every jump is bounded (repeats by their counts,
D.C./D.S./to-coda once each), and the result is cut at ``max_length`` measures (default
``16 * len(measures) + 16``). Nested repeats are not standard: an inner forward repeat simply
starts a new section, which keeps the common cases right and the rest finite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MeasureMarks", "playback_order"]


@dataclass(frozen=True, slots=True)
class MeasureMarks:
    """What one measure says about the order of play (all default to 'nothing').

    Attributes:
        repeat_start: a forward repeat barline at the start of the measure.
        repeat_end: a backward repeat at its end, as the total number of plays of the section
            (MusicXML ``times``, default 2); 0 means no repeat sign.
        endings: the volta numbers the measure belongs to (``<ending number="1, 2">`` gives
            ``{1, 2}``); empty when the measure is in no volta (or none could be parsed).
        segno: a segno sign in the measure (``<segno/>``, ``<sound segno=...>``).
        coda: the coda sign where the coda starts (``<coda/>``, ``<sound coda=...>``).
        tocoda: jump to the coda from the end of this measure on the last pass
            (``<sound tocoda=...>``, "To Coda").
        fine: end here on the last pass (``<sound fine=...>``, "Fine").
        dacapo: D.C. at the end of this measure (``<sound dacapo="yes">``).
        dalsegno: D.S. at the end of this measure (``<sound dalsegno=...>``).
    """

    repeat_start: bool = False
    repeat_end: int = 0
    endings: frozenset[int] = frozenset()
    segno: bool = False
    coda: bool = False
    tocoda: bool = False
    fine: bool = False
    dacapo: bool = False
    dalsegno: bool = False


@dataclass(slots=True)
class _VoltaGroup:
    """A run of consecutive ending measures: its endings and its repeat count."""

    runs: list[tuple[int, int]]  # (first, last) measure index of each ending, in order
    times: int  # the largest repeat_end in the group (0 or 1: nothing repeats)


def _volta_groups(
    measures: Sequence[MeasureMarks],
) -> tuple[list[int], list[int], list[_VoltaGroup]]:
    """Find the volta groups: per measure its group (-1: none) and ending (run) index."""
    n = len(measures)
    group_of = [-1] * n
    run_of = [-1] * n
    groups: list[_VoltaGroup] = []
    prev_numbers: frozenset[int] = frozenset()
    for i, marks in enumerate(measures):
        numbers = marks.endings
        if not numbers:
            prev_numbers = frozenset()
            continue
        in_group = bool(prev_numbers) and not marks.repeat_start
        if in_group and numbers != prev_numbers and min(numbers) <= max(prev_numbers):
            in_group = False  # "2" followed by "1": a new group begins
        if not in_group:
            groups.append(_VoltaGroup(runs=[(i, i)], times=0))
        else:
            group = groups[-1]
            first, _ = group.runs[-1]
            if numbers == prev_numbers:
                group.runs[-1] = (first, i)
            else:
                group.runs.append((i, i))
        group = groups[-1]
        group.times = max(group.times, marks.repeat_end)
        group_of[i] = len(groups) - 1
        run_of[i] = len(group.runs) - 1
        prev_numbers = numbers
    return group_of, run_of, groups


def _default_max_length(n: int) -> int:
    return 16 * n + 16


class _Player:
    """The walk through the score: position, section, pass, and the jumps already taken."""

    def __init__(self, measures: Sequence[MeasureMarks]) -> None:
        self.measures = measures
        self.group_of, self.run_of, self.groups = _volta_groups(measures)
        self.section_start = 0
        self.pass_no = 1
        self.after_jump = False
        self.jumps_taken: set[int] = set()
        self.repeats_taken: dict[int, int] = {}  # backward repeat -> times it sent us back
        self.codas_taken: set[int] = set()

    def plays(self, i: int) -> bool:
        """Whether measure ``i`` sounds on the current pass (volta endings may be skipped)."""
        g = self.group_of[i]
        if g < 0:
            return True
        group = self.groups[g]
        if group.times <= 1:
            return True  # endings without a repeat: nothing to choose between
        last = self.run_of[i] == len(group.runs) - 1
        if self.after_jump:
            return last
        if self.pass_no in self.measures[i].endings:
            return True
        return last and self.pass_no >= group.times

    def ending_before_last(self, i: int) -> bool:
        """Whether measure ``i`` is in an ending that another ending of its group follows."""
        g = self.group_of[i]
        return g >= 0 and self.run_of[i] < len(self.groups[g].runs) - 1

    def start_section(self, i: int) -> None:
        self.section_start = i
        self.pass_no = 1

    def step_on(self, i: int, played: bool) -> int:
        """Move from measure ``i`` to ``i + 1`` by playing on; return ``i + 1``."""
        nxt = i + 1
        if self.after_jump:
            return nxt
        g = self.group_of[i]
        in_voltas = g >= 0 and self.groups[g].times > 1
        stays_in_voltas = in_voltas and nxt < len(self.measures) and self.group_of[nxt] == g
        ends_section = played and self.measures[i].repeat_end >= 1
        if not stays_in_voltas and (in_voltas or ends_section):
            self.start_section(nxt)
        if nxt < len(self.measures) and self.measures[nxt].repeat_start:
            self.start_section(nxt)
        return nxt

    def jump_target(self, i: int) -> int | None:
        """Where the D.C./D.S. of measure ``i`` goes, or None (no jump, or already taken)."""
        marks = self.measures[i]
        if not (marks.dacapo or marks.dalsegno) or i in self.jumps_taken:
            return None
        self.jumps_taken.add(i)
        if marks.dalsegno:
            segno = next((j for j in range(i + 1) if self.measures[j].segno), None)
            if segno is not None:
                return segno
        return 0 if marks.dacapo else None

    def coda_target(self, i: int) -> int | None:
        """Where the to-coda of measure ``i`` goes, or None (no coda after it, or taken)."""
        if i in self.codas_taken:
            return None
        self.codas_taken.add(i)
        return next(
            (j for j in range(len(self.measures) - 1, i, -1) if self.measures[j].coda), None
        )


def playback_order(measures: Sequence[MeasureMarks], *, max_length: int | None = None) -> list[int]:
    """Indices of measures in the order they are played.

    The rules (repeats, volta endings, D.C., D.S., fine, to-coda) are those stated in this
    module's docstring. Malformed marks never raise: the walk plays on where a mark makes no
    sense, and stops after ``max_length`` measures (default ``16 * len(measures) + 16``).

    Examples:
        >>> playback_order([MeasureMarks(), MeasureMarks(repeat_end=2), MeasureMarks()])
        [0, 1, 0, 1, 2]
        >>> playback_order([MeasureMarks(), MeasureMarks(fine=True), MeasureMarks(dacapo=True)])
        [0, 1, 2, 0, 1]
    """
    n = len(measures)
    limit = _default_max_length(n) if max_length is None else max(0, max_length)
    player = _Player(measures)
    order: list[int] = []
    i = 0
    if n and measures[0].repeat_start:
        player.start_section(0)
    while i < n and len(order) < limit:
        marks = measures[i]
        if not player.plays(i):
            i = player.step_on(i, played=False)
            continue
        order.append(i)
        if player.after_jump:
            if marks.fine:
                break
            if marks.tocoda:
                coda = player.coda_target(i)
                if coda is not None:
                    i = coda
                    continue
        elif marks.repeat_end > player.pass_no or (
                marks.repeat_end > 1 + player.repeats_taken.get(i, 0)
                and player.ending_before_last(i)):
            player.repeats_taken[i] = player.repeats_taken.get(i, 0) + 1
            player.pass_no += 1
            i = player.section_start
            continue
        target = player.jump_target(i)
        if target is not None:
            player.after_jump = True
            i = target
            continue
        i = player.step_on(i, played=True)
    return order
