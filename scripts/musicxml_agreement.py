"""How often orchestrion's MusicXML reader gives the same notes as ``music21.converter.parse``.

Usage: ``python scripts/musicxml_agreement.py [--every N] [--jobs J] [FILE ...]``. Without
files it reads every ``.mxl``, ``.xml`` and ``.musicxml`` file of music21's bundled corpus
(every Nth with ``--every``). For each file it compares the multiset of notes of the whole
score -- (MIDI pitch, onset in quarters, duration in quarters), written order (repeats not
expanded), sounding pitch -- and prints the files that differ with the first differences,
then the agreement rate.

The oracle: music21's notes, chord tones and grace notes (cue-size notes left out, since
orchestrion skips cue notes), merged across ties by the rule orchestrion documents: a note
whose tie starts or continues is held into the next note of its pitch in its voice that
begins where it ends (or, for a note marked as a tie's end, in any voice). music21's
own ``stripTies`` is not used: it misses some tie chains (e.g. across several whole-note
measures in the Beethoven quartets).
"""

from __future__ import annotations

import argparse
import collections
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

Notes = collections.Counter


def orchestrion_notes(path: str) -> Notes:
    from orchestrion.io.musicxml import read_musicxml

    music = read_musicxml(path, expand_repeats=False)
    notes: Notes = collections.Counter()
    for track in music.tracks:
        array = track.note_array()
        for pitch, time, duration in zip(array.pitch.tolist(), array.time.tolist(),
                                         array.duration.tolist(), strict=True):
            notes[(pitch, Fraction(time, music.resolution),
                   Fraction(duration, music.resolution))] += 1
    return notes


def music21_notes(path: str) -> Notes:
    import music21

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(path, forceSource=True).toSoundingPitch()
    notes: Notes = collections.Counter()
    for part in score.parts:
        events = []  # (onset, voice, pitch, duration, tie starts/continues, tie stops)
        for element in part.flatten().notes:
            if getattr(element.style, "noteSize", None) == "cue":
                continue
            onset = Fraction(element.getOffsetInHierarchy(part)).limit_denominator(1 << 20)
            duration = Fraction(element.quarterLength).limit_denominator(1 << 20)
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
            notes[(pitch, onset, duration)] += 1
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
        return ", ".join(f"({p}, {float(t):g}, {float(d):g})" for p, t, d in
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
