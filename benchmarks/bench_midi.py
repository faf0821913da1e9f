"""MIDI reading speed: orchestrion against symusic, pretty_midi, mido and muspy, same files,
one run.

Inputs: pieces of the music21 corpus written to MIDI by music21, and synthetic multitrack
files of 1,000 to 80,000 notes. Each reader is timed best-of-N (N grows until ~0.3 s of
work); the table gives seconds, notes per second and each peer's time over orchestrion's.
Also: write speed, and the time of ``import orchestrion`` in a fresh interpreter.

    python benchmarks/bench_midi.py            # full run
    python benchmarks/bench_midi.py --quick    # fewer files and repeats (a smoke test)
"""

from __future__ import annotations

import argparse
import io
import math
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

import orchestrion as o
from orchestrion.io import midi

CORPUS = ("bach/bwv66.6", "bach/bwv7.7", "mozart/k80/movement1", "haydn/opus74no1/movement1",
          "beethoven/opus18no1/movement1", "joplin/maple_leaf_rag",
          "schumann_robert/opus41no1/movement2")
SYNTHETIC_SIZES = (1_000, 5_000, 20_000, 80_000)


def best_time(function: Callable[[], object], budget: float = 0.3, max_runs: int = 50) -> float:
    """Minimum wall time over repeated runs (at least 3, until ``budget`` seconds are spent)."""
    times: list[float] = []
    while len(times) < 3 or (sum(times) < budget and len(times) < max_runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def corpus_files(folder: Path, names: tuple[str, ...]) -> list[Path]:
    from music21 import corpus

    paths = []
    for name in names:
        path = folder / (name.replace("/", "_") + ".mid")
        if not path.exists():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                corpus.parse(name).write("midi", fp=str(path))
        paths.append(path)
    return paths


def synthetic_file(folder: Path, n_notes: int, n_tracks: int = 16) -> Path:
    """Random multitrack piece (seeded): ``n_tracks`` tracks, drums on one, 480 ticks/quarter."""
    rng = np.random.default_rng(n_notes)
    per_track = n_notes // n_tracks
    tracks = []
    for index in range(n_tracks):
        start = np.sort(rng.integers(0, per_track * 240, per_track))
        tracks.append(o.Track.from_arrays(start, rng.integers(24, 100, per_track),
                                          rng.integers(30, 960, per_track),
                                          rng.integers(20, 127, per_track),
                                          program=(index * 8) % 128, is_drum=index == 9))
    music = o.Music(resolution=480, tempos=[o.Tempo(0, 110)],
                    time_signatures=[o.TimeSignature(0, 4, 4)], tracks=tracks)
    path = folder / f"synthetic_{n_notes}.mid"
    o.write(music, path)
    return path


def readers() -> dict[str, Callable[[Path], object]]:
    import mido
    import symusic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pretty_midi
    found: dict[str, Callable[[Path], object]] = {
        "orchestrion": o.read,
        "symusic": lambda p: symusic.Score(str(p)),
        "pretty_midi": lambda p: pretty_midi.PrettyMIDI(str(p)),
        "mido": lambda p: mido.MidiFile(str(p)),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import muspy
        found["muspy"] = lambda p: muspy.read_midi(str(p))
    except Exception as error:  # muspy 0.5 breaks on some numpy/Python versions
        print(f"(muspy unavailable: {error})")
    return found


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def import_time(runs: int = 7) -> float:
    code = "import time; t = time.perf_counter(); import orchestrion; " \
           "print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], check=True,
                                    capture_output=True, text=True).stdout)
               for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer files, shorter timing")
    args = parser.parse_args()
    budget = 0.05 if args.quick else 0.3

    folder = Path(tempfile.mkdtemp(prefix="orchestrion-bench-"))
    files = corpus_files(folder, CORPUS[:2] if args.quick else CORPUS)
    files += [synthetic_file(folder, n) for n in
              (SYNTHETIC_SIZES[:2] if args.quick else SYNTHETIC_SIZES)]
    peers = readers()
    names = list(peers)
    print(f"MIDI reading, best of N runs, {len(files)} files (seconds; x = time / orchestrion)")
    print(f"{'file':<40}{'notes':>7}" + "".join(f"{n:>14}" for n in names))
    ratios: dict[str, list[float]] = {n: [] for n in names}
    largest: tuple[int, dict[str, float]] = (0, {})
    for path in files:
        notes = o.read(path).n_notes
        seconds = {}
        for name, read in peers.items():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    seconds[name] = best_time(lambda read=read, path=path: read(path), budget)
            except Exception as error:
                print(f"  {name} failed on {path.name}: {type(error).__name__}: {error}")
        base = seconds["orchestrion"]
        cells = []
        for name in names:
            if name in seconds:
                ratios[name].append(seconds[name] / base)
                cells.append(f"{seconds[name] * 1e3:8.2f}ms{seconds[name] / base:5.1f}x"
                             if name != "orchestrion" else f"{base * 1e3:12.2f}ms")
            else:
                cells.append(f"{'-':>14}")
        print(f"{path.name[:39]:<40}{notes:>7}" + "".join(f"{c:>14}" for c in cells))
        if notes > largest[0]:
            largest = (notes, seconds)
    print()
    print("orchestrion notes/s on the largest file: "
          f"{largest[0] / largest[1]['orchestrion']:,.0f}")
    for name in names[1:]:
        if ratios[name]:
            print(f"{name:>12}: {geometric_mean(ratios[name]):7.2f}x orchestrion's time "
                  f"(geometric mean over {len(ratios[name])} files)")
    symusic_ratio = largest[1]["orchestrion"] / largest[1]["symusic"]
    print(f"orchestrion / bare symusic on the largest file ({largest[0]} notes): "
          f"{symusic_ratio:.2f}x")

    music = o.read(files[-1])
    import symusic

    score = symusic.Score(str(files[-1]))
    write_ours = best_time(lambda: midi.to_bytes(music), budget)
    write_symusic = best_time(lambda: score.dumps_midi(), budget)
    import mido

    mido_file = mido.MidiFile(str(files[-1]))
    write_mido = best_time(lambda: mido_file.save(file=io.BytesIO()), budget)
    print(f"writing {music.n_notes} notes: orchestrion {write_ours * 1e3:.2f} ms, symusic "
          f"{write_symusic * 1e3:.2f} ms ({write_symusic / write_ours:.2f}x), mido "
          f"{write_mido * 1e3:.2f} ms ({write_mido / write_ours:.2f}x)")
    print(f"import orchestrion: {import_time() * 1e3:.0f} ms (best of 7 fresh interpreters)")


if __name__ == "__main__":
    main()
