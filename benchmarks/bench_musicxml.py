"""MusicXML reading speed: orchestrion against ``music21.converter.parse`` and
``muspy.read_musicxml`` on the same files of music21's bundled corpus, in one run.

Run: ``python benchmarks/bench_musicxml.py [--every N] [--quick]``. Prints each file's
time for each reader (best of 3 calls; one for music21, which takes seconds on large files)
and the geometric mean of their time over orchestrion's (above 1: orchestrion is faster),
over the files every reader read. muspy fails on some files (its known bugs); those count
for the others only.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path


def corpus_files(every: int) -> list[Path]:
    import music21

    root = Path(music21.corpus.__file__).parent
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".mxl", ".xml",
                                                                     ".musicxml"))
    return files[::every]


def seconds(function: Callable[[Path], object], path: Path, repeats: int) -> float | None:
    """The best time of ``repeats`` calls, or ``None`` when the reader fails on the file."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            function(path)
        except Exception:  # a peer's bug on this file: leave it out of that peer's mean
            return None
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=20, help="every Nth corpus file")
    parser.add_argument("--quick", action="store_true", help="every 80th file")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import music21
    import muspy

    from orchestrion.io.musicxml import read_musicxml

    readers: dict[str, Callable[[Path], object]] = {
        "orchestrion": read_musicxml,
        "music21": lambda p: music21.converter.parse(p, forceSource=True),
        "muspy": muspy.read_musicxml,
    }
    files = corpus_files(80 if args.quick else args.every)
    ratios: dict[str, list[float]] = {name: [] for name in readers if name != "orchestrion"}
    print(f"{'file':44} " + " ".join(f"{name + ' ms':>15}" for name in readers))
    repeats = {"orchestrion": 3, "music21": 1, "muspy": 3}  # music21 is slow to repeat
    for path in files:
        path.read_bytes()  # into the page cache, so the first reader timed pays no disk read
        times = {name: seconds(reader, path, repeats[name]) for name, reader in readers.items()}
        ours = times["orchestrion"]
        print(f"{path.name[:44]:44} " + " ".join(
            f"{1e3 * t:15.1f}" if t is not None else f"{'fails':>15}" for t in times.values()))
        if ours is None:
            continue
        for name in ratios:
            if times[name] is not None:
                ratios[name].append(times[name] / ours)
    for name, values in ratios.items():
        mean = math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")
        print(f"{name}: {mean:.1f}x orchestrion's time (geometric mean over {len(values)} "
              f"of {len(files)} files)")


if __name__ == "__main__":
    main()
