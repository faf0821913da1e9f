"""MuseScore reading speed: orchestrion against ``muspy.read_musescore`` on the fixtures of
``tests/data/musescore`` and on long scores made by repeating one fixture's measures.

Run: ``python benchmarks/bench_musescore.py [--quick]`` (``--quick``: one long score, not
three). Prints each fixture's time for each reader
(best of 5) and the geometric mean of muspy's time over orchestrion's (above 1: orchestrion
is faster) over the files both read; then, for the long scores, the time, notes per second
and time per measure, which stay flat when reading is linear in the file's size. MusPy 0.5
cannot read MuseScore 4 key signatures (``<concertKey>``): for it, those files are given
with ``<accidental>`` instead (the same number in these non-transposing fixtures).
"""

from __future__ import annotations

import argparse
import copy
import math
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "musescore"


def seconds(function: Callable[[Path], object], path: Path, repeats: int = 5) -> float | None:
    """The best time of ``repeats`` calls, or ``None`` when the reader fails on the file."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            function(path)
        except Exception:  # a peer's bug on this file
            return None
        best = min(best, time.perf_counter() - start)
    return best


def for_muspy(path: Path, folder: Path) -> Path:
    """``path`` itself, or for MuseScore 4 a copy with MuseScore 3's key signature tag."""
    text = path.read_text(encoding="utf-8")
    if "concertKey>" not in text:
        return path
    copy_path = folder / path.name
    copy_path.write_text(text.replace("concertKey>", "accidental>"), encoding="utf-8")
    return copy_path


def long_score(source: Path, repeats: int, folder: Path) -> Path:
    """``source`` with every staff's measures repeated ``repeats`` times."""
    tree = ET.parse(source)
    for staff in tree.getroot().iterfind("Score/Staff"):
        measures = staff.findall("Measure")
        for _ in range(repeats - 1):
            for measure in measures:
                staff.append(copy.deepcopy(measure))
    path = folder / f"{source.stem}_x{repeats}.mscx"
    tree.write(path, encoding="UTF-8", xml_declaration=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one long score, not three")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import muspy

    from orchestrion.io.musescore import read_musescore

    folder = Path(tempfile.mkdtemp())
    ratios = []
    print(f"{'file':28} {'orchestrion':>12} {'muspy':>10}")
    for path in sorted(DATA.glob("*.mscx")):
        ours = seconds(read_musescore, path)
        theirs = seconds(muspy.read_musescore, for_muspy(path, folder))
        assert ours is not None
        if theirs is not None:
            ratios.append(theirs / ours)
        shown = "fails" if theirs is None else f"{theirs * 1e3:.2f} ms"
        print(f"{path.name:28} {ours * 1e3:9.2f} ms {shown:>10}")
    mean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"muspy / orchestrion, geometric mean over {len(ratios)} files: {mean:.2f}x\n")

    print(f"{'long score':28} {'measures':>8} {'notes':>7} {'time':>10} {'notes/s':>10} "
          f"{'us/measure':>10} {'muspy':>10}")
    for repeats in (250,) if args.quick else (250, 1000, 4000):
        path = long_score(DATA / "piano_ms4.mscx", repeats, folder)
        music = read_musescore(path)
        ours = seconds(read_musescore, path, 3)
        theirs = seconds(muspy.read_musescore, for_muspy(path, folder), 3)
        assert ours is not None
        n_measures = len(music.barlines)
        shown = "fails" if theirs is None else f"{theirs:.3f} s"
        print(f"{path.name:28} {n_measures:8} {music.n_notes:7} {ours:8.3f} s "
              f"{music.n_notes / ours:10.0f} {ours / n_measures * 1e6:10.1f} {shown:>10}")


if __name__ == "__main__":
    main()
