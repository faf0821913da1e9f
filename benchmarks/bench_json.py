"""JSON and YAML speed: orchestrion against the ``muspy`` package on the same pieces.

Run: ``python benchmarks/bench_json.py [--quick]``. Prints milliseconds per file for writing
and reading, and muspy's time divided by orchestrion's (above 1: orchestrion is faster).
The pieces are synthetic multitrack pieces (8 tracks) of 1,000 to 80,000 notes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import orchestrion
from orchestrion import Music, Tempo, Track


def synthetic_piece(n_notes: int, seed: int = 0) -> Music:
    rng = np.random.default_rng(seed)
    per_track = n_notes // 8
    tracks = [Track.from_arrays(np.sort(rng.integers(0, n_notes * 24, per_track)),
                                rng.integers(21, 109, per_track), rng.integers(1, 480, per_track),
                                rng.integers(1, 128, per_track), program=8 * i)
              for i in range(8)]
    return Music(resolution=480, tempos=[Tempo(0, 120.0)], tracks=tracks)


def best_of(repeats: int, function: Callable[..., object], *args: object) -> float:
    """The fastest of ``repeats`` calls, in milliseconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small pieces, one repeat")
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 80_000)
    try:
        import muspy
    except ImportError:  # pragma: no cover - muspy is a dev dependency
        muspy = None
    print(f"{'format':8} {'notes':>7} {'op':6} {'orchestrion ms':>15} {'muspy ms':>10} "
          f"{'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for extension in ("json", "json.gz", "yaml"):
            for n_notes in sizes:
                music = synthetic_piece(n_notes)
                path = Path(folder) / f"piece.{extension}"
                repeats = 1 if args.quick or (extension == "yaml" and n_notes > 10_000) else 3
                ours_write = best_of(repeats, orchestrion.write, music, path)
                ours_read = best_of(repeats, orchestrion.read, path)
                theirs_write = theirs_read = float("nan")
                if muspy is not None:
                    theirs_music = muspy.load(path)
                    other = Path(folder) / f"muspy.{extension}"
                    theirs_write = best_of(repeats, muspy.save, other, theirs_music)
                    theirs_read = best_of(repeats, muspy.load, other)
                for op, ours, theirs in (("write", ours_write, theirs_write),
                                         ("read", ours_read, theirs_read)):
                    print(f"{extension:8} {n_notes:7d} {op:6} {ours:15.1f} {theirs:10.1f} "
                          f"{theirs / ours:7.2f}")


if __name__ == "__main__":
    main()
