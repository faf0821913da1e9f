"""MusicXML reading and writing speed: orchestrion against music21 and muspy on the same
files of music21's bundled corpus, in one run.

Run: ``python benchmarks/bench_musicxml.py [--every N] [--quick] [--only read|write]``.

Reading: ``orchestrion.io.musicxml.read_musicxml`` against ``music21.converter.parse`` and
``muspy.read_musicxml``. Writing: each library writes, to a ``.musicxml`` file, what it read
from the same corpus file (orchestrion its ``Music`` with ``write_musicxml``, music21 its
``Score`` with ``score.write("musicxml")``, muspy its ``Music`` with
``muspy.write_musicxml``, which goes through music21). Prints each file's time for each
library (best of 3 calls; one for music21 and muspy's writer, which take seconds on large
files) and the geometric mean of their time over orchestrion's (above 1: orchestrion is
faster), over the files every library handled. muspy fails on some files (its known bugs);
those count for the others only.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def compare(title: str, files: list[Path], runners: dict[str, Callable[[Path], object]],
            repeats: dict[str, int], prepare: Callable[[Path], None] | None = None) -> None:
    """Time every runner on every file (after ``prepare(file)``, untimed); print the table
    and the geometric-mean ratios."""
    ratios: dict[str, list[float]] = {name: [] for name in runners if name != "orchestrion"}
    print(f"\n{title}\n{'file':44} " + " ".join(f"{name + ' ms':>15}" for name in runners))
    for path in files:
        path.read_bytes()  # into the page cache, so the first reader timed pays no disk read
        if prepare is not None:
            prepare(path)
        times = {name: seconds(run, path, repeats[name]) for name, run in runners.items()}
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
        print(f"{title.split()[0]} {name}: {mean:.1f}x orchestrion's time (geometric mean over "
              f"{len(values)} of {len(files)} files)")


def writers(folder: Path) -> tuple[dict[str, Callable[[Path], object]], Callable[[Path], None]]:
    """Writers of what each library read from a corpus file, and a function that reads the
    file with each library first (outside the timing)."""
    import music21
    import muspy

    from orchestrion.io.musicxml import read_musicxml, write_musicxml

    loaded: dict[str, Any] = {}

    def load(path: Path) -> None:
        loaded.clear()
        for name, read in (("orchestrion", read_musicxml), ("muspy", muspy.read_musicxml),
                           ("music21", lambda p: music21.converter.parse(p, forceSource=True))):
            try:
                loaded[name] = read(path)
            except Exception:  # that library cannot read it: its write is not timed
                loaded[name] = None

    def run(name: str, write: Callable[[Any, Path], object]) -> Callable[[Path], object]:
        def timed(path: Path) -> object:
            if loaded[name] is None:
                raise ValueError(f"{name} could not read {path}")
            return write(loaded[name], folder / f"{name}.musicxml")
        return timed

    return {
        "orchestrion": run("orchestrion", write_musicxml),
        "music21": run("music21", lambda score, out: score.write("musicxml", fp=out)),
        "muspy": run("muspy", lambda music, out: muspy.write_musicxml(out, music)),
    }, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=20, help="every Nth corpus file")
    parser.add_argument("--quick", action="store_true", help="every 80th file")
    parser.add_argument("--only", choices=("read", "write"), help="time one direction only")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import music21
    import muspy

    from orchestrion.io.musicxml import read_musicxml

    files = corpus_files(80 if args.quick else args.every)
    if args.only != "write":
        readers: dict[str, Callable[[Path], object]] = {
            "orchestrion": read_musicxml,
            "music21": lambda p: music21.converter.parse(p, forceSource=True),
            "muspy": muspy.read_musicxml,
        }
        # music21 is slow to repeat
        compare("reading", files, readers, {"orchestrion": 3, "music21": 1, "muspy": 3})
    if args.only != "read":
        with tempfile.TemporaryDirectory() as folder:
            runners, load = writers(Path(folder))
            compare("writing", files, runners, {"orchestrion": 3, "music21": 1, "muspy": 1},
                    prepare=load)


if __name__ == "__main__":
    main()
