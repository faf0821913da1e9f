"""Audio rendering: real-time factor of orchestrion.audio.render per engine, and the
``fluidsynth`` command line, on one string-quartet movement, pinned to one CPU core.

Run: ``python benchmarks/bench_audio.py [--quick]``.

The piece is Beethoven's string quartet op. 18 no. 1, second movement (4 tracks, 2,899 notes,
246 s at 44.1 kHz stereo) from ``collection("string-quartets")``, written once to MIDI for
the command line. Each installed engine renders the mix, then the mix with one stem per
track (best of 3, of 1 with ``--quick``); the SoundFont is loaded before the timing (a
loaded engine is reused between calls). ``fluidsynth -ni -F out.wav -r SR sf.sf2 in.mid``
renders the same MIDI to a WAV file; its time includes loading the SoundFont and writing
the file, so the load alone (the same command on a one-note MIDI) is shown too, and the
factor without it. The real-time factor is audio seconds per wall-clock second.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.audio import engines, find_soundfont, render
from orchestrion.datasets import collection

PIECE = ("opus18no1", "movement2")


def pin_to_one_core() -> str:
    """Run this process (and the commands it starts) on one CPU core, when the OS allows."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU core {core}"


def best_of(repeats: int, function: Callable[[], object]) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def quartet() -> Music:
    quartets = collection("string-quartets")
    path = next(p for p in quartets.paths() if (p.parent.name, p.stem) == PIECE)
    music = quartets.load(path)
    assert music is not None
    return music


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per measurement")
    parser.add_argument("--sample-rate", type=int, default=44100)
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    sample_rate = args.sample_rate
    pinned = pin_to_one_core()
    soundfont = find_soundfont()
    music = quartet()
    seconds = music.get_real_end_time() + 1.0  # render's default 1 s tail
    print(f"audio rendering: Beethoven op. 18 no. 1/ii, {len(music.tracks)} tracks, "
          f"{music.n_notes} notes, {seconds:.1f} s; {sample_rate} Hz stereo; "
          f"{soundfont.name}; {pinned}; best of {repeats}")
    print(f"{'renderer':<34} {'seconds':>8} {'x real time':>12}")

    def row(name: str, elapsed: float) -> None:
        print(f"{name:<34} {elapsed:8.3f} {seconds / elapsed:11.0f}x")

    installed = engines()
    if not installed:
        print("no engine installed (pip install --no-deps tinysoundfont; pip install "
              "pyfluidsynth)")
    for engine in installed:
        render(Music(tracks=[Track(notes=[Note(0, 60, 1)])]), engine=engine,
               sample_rate=sample_rate)  # load the SoundFont outside the timing
        for stems in (False, True):
            elapsed = best_of(repeats, lambda e=engine, s=stems: render(
                music, engine=e, stems=s, sample_rate=sample_rate))
            row(f"{engine} {'mix + 4 stems' if stems else 'mix'}", elapsed)

    command = shutil.which("fluidsynth")
    if command is None:
        print("fluidsynth command line: not installed (sudo apt-get install fluidsynth)")
        return
    with tempfile.TemporaryDirectory() as folder:
        midi, tiny = Path(folder, "piece.mid"), Path(folder, "tiny.mid")
        orchestrion.write(music, midi)
        orchestrion.write(Music(tracks=[Track(notes=[Note(0, 60, 1)])]), tiny)

        def cli(source: Path) -> None:
            subprocess.run([command, "-ni", "-q", "-F", str(Path(folder, "out.wav")), "-r",
                            str(sample_rate), str(soundfont), str(source)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        total = best_of(repeats, lambda: cli(midi))
        load = best_of(repeats, lambda: cli(tiny))
        row("fluidsynth command line", total)
        print(f"{'  of which loading (one-note MIDI)':<34} {load:8.3f}")
        row("  command line without loading", max(total - load, 1e-9))


if __name__ == "__main__":
    main()
