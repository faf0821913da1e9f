"""How often orchestrion's MusicXML reader gives the same notes as ``music21.converter.parse``.

Usage: ``python scripts/musicxml_agreement.py [--every N] [--jobs J] [FILE ...]``. Without
files it reads every ``.mxl``, ``.xml`` and ``.musicxml`` file of music21's bundled corpus
(every Nth with ``--every``). For each file it compares the multiset of notes of the whole
score -- (measure, onset in quarters from the measure's start, MIDI pitch, duration in
quarters), written order (repeats not expanded), sounding pitch -- and prints the files that
differ with their first differences, then the agreement rate.

The oracle: music21's notes, chord tones and grace notes (chord symbols left out, since
orchestrion keeps them as annotations), merged
across ties by the rule orchestrion documents: a note whose tie starts or continues is held
into the next note of its pitch in its voice that begins where it ends (or, for a note marked
as a tie's end, in any voice). music21's own ``stripTies`` is not used: it misses some tie
chains (e.g. across several whole-note measures in the Beethoven quartets). Onsets count from
the start of their measure because music21 lengthens a measure to reach a direction's
``<offset>`` (which the MusicXML specification keeps inside the measure), shifting every later
onset of that part; orchestrion does not.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

Notes = collections.Counter


def orchestrion_notes(path: str) -> Notes:
    import numpy as np

    from orchestrion.io import _archive, _musicxml_parse, _xml, musicxml

    music = musicxml.read_musicxml(path, expand_repeats=False)
    # Each part's own measure starts (parts are laid out independently).
    data = Path(path).read_bytes()
    root = _xml.parse_xml(_archive.read_mxl(data) if data[:2] == b"PK" else data)
    infos = _musicxml_parse.read_part_list(root)
    notes: Notes = collections.Counter()
    for (part_id, elements), track in zip(_musicxml_parse.partwise_parts(root), music.tracks,
                                          strict=True):
        parser = _musicxml_parse.PartParser(infos.get(part_id, _musicxml_parse.PartInfo()),
                                            music.resolution)
        measures = [parser.measure(element) for element in elements]
        bars = np.array(musicxml.measure_starts(measures, list(range(len(measures)))))
        array = track.note_array()
        indices = np.searchsorted(bars, array.time, side="right") - 1
        for pitch, time, duration, bar in zip(array.pitch.tolist(), array.time.tolist(),
                                              array.duration.tolist(), indices.tolist(),
                                              strict=True):
            notes[(bar, Fraction(time - int(bars[bar]), music.resolution), pitch,
                   Fraction(duration, music.resolution))] += 1
    return notes


def relaid(onset: Fraction, bars: list[Fraction], starts: list[Fraction]) -> Fraction:
    """``onset`` moved from the measures starting at ``bars`` to those starting at
    ``starts``, keeping its offset in its measure."""
    measure = bisect.bisect_right(bars, onset) - 1
    return onset if measure < 0 else starts[measure] + onset - bars[measure]


def music21_notes(path: str) -> Notes:
    import music21

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(path, forceSource=True).toSoundingPitch()
    notes: Notes = collections.Counter()

    def exact(value: float) -> Fraction:
        return Fraction(value).limit_denominator(1 << 20)

    for part in score.parts:
        measures = list(part.getElementsByClass("Measure"))
        bars = [exact(m.getOffsetInHierarchy(part)) for m in measures]
        # music21 may lengthen a measure past its time signature (see above), padding its
        # voices with hidden rests. Lay its measures out again as orchestrion does, each as
        # long as its time signature (or its pickup) or as far as its notes and visible rests
        # reach; otherwise the padding breaks tie chains and moves grace notes written last
        # in a measure.
        ends = [max(exact(min(m.duration.quarterLength, m.barDuration.quarterLength)),
                    max((exact(n.getOffsetInHierarchy(m) + n.quarterLength)
                         for n in m.recurse().notesAndRests
                         if not n.isRest or not n.style.hideObjectOnPrint),
                        default=Fraction(0)))
                for m in measures]
        starts = [sum(ends[:index], Fraction(0)) for index in range(len(ends))]

        events = []  # (onset, voice, pitch, duration, tie starts/continues, tie stops)
        for element in part.flatten().notes:
            # Chord symbols are music21 chords of length 0; orchestrion keeps them as
            # annotations, not notes. (Cue-size notes, <type size="cue">, are played and
            # kept by both; music21 ignores <cue/>, which orchestrion skips.)
            if isinstance(element, music21.harmony.Harmony):
                continue
            onset = relaid(exact(element.getOffsetInHierarchy(part)), bars, starts)
            duration = exact(element.quarterLength)
            voice = str(getattr(element.activeSite, "id", "")) \
                if isinstance(element.activeSite, music21.stream.Voice) else ""
            members = element.notes if element.isChord else [element]
            for member in members:
                kind = member.tie.type if member.tie is not None else None
                events.append((onset, voice, member.pitch.midi, duration,
                               kind in ("start", "continue"), kind in ("stop", "continue")))
        events.sort(key=lambda event: event[0])
        merged: list[list] = []
        open_ties: dict[tuple[str, int], int] = {}
        for onset, voice, pitch, duration, holds, stops in events:
            keys = [(voice, pitch)] + ([k for k in open_ties if k[1] == pitch] if stops else [])
            index = None
            for key in keys:
                held = open_ties.get(key)
                if held is not None and merged[held][0] + merged[held][2] == onset:
                    del open_ties[key]
                    merged[held][2] += duration
                    index = held
                    break
            if index is None:
                index = len(merged)
                merged.append([onset, pitch, duration])
            if holds:
                open_ties[(voice, pitch)] = index
        for onset, pitch, duration in merged:
            measure = bisect.bisect_right(starts, onset) - 1
            notes[(measure, onset - starts[measure], pitch, duration)] += 1
    return notes


def compare(path: str) -> tuple[str, str | None]:
    """``(path, None)`` when the notes agree, else ``(path, what differs)``."""
    try:
        ours = orchestrion_notes(path)
    except Exception as error:  # report every failure, keep going
        return path, f"orchestrion fails: {type(error).__name__}: {error}"
    try:
        theirs = music21_notes(path)
    except Exception as error:
        return path, f"music21 fails: {type(error).__name__}: {error}"
    if ours == theirs:
        return path, None

    def show(notes: Notes) -> str:
        return ", ".join(f"(bar {m}, {float(t):g}, {p}, {float(d):g})" for m, t, p, d in
                         sorted(notes.elements())[:4])

    return path, (f"{sum(ours.values())} vs {sum(theirs.values())} notes; only here: "
                  f"{show(ours - theirs)}; only in music21: {show(theirs - ours)}")


def corpus_files(every: int) -> list[str]:
    import music21

    root = Path(music21.corpus.__file__).parent
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".mxl", ".xml",
                                                                     ".musicxml"))
    return [str(p) for p in files[::every]]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="files to compare (default: the corpus)")
    parser.add_argument("--every", type=int, default=1, help="every Nth corpus file")
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    args = parser.parse_args(argv)
    files = args.files or corpus_files(args.every)
    differ = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for path, problem in pool.map(compare, files, chunksize=4):
            if problem is not None:
                differ += 1
                print(f"DIFFERS {path}: {problem}", flush=True)
    agree = len(files) - differ
    print(f"{agree} of {len(files)} files agree with music21 ({100 * agree / len(files):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
