"""Representations: encode/decode throughput and sequence lengths, in one run.

Run: ``python benchmarks/bench_representations.py [--quick]``.

1. Throughput: every codec of ``orchestrion.representations`` encodes and decodes the same
   synthetic multitrack piece (100,000 notes in 4 tracks, 20,000 with ``--quick``; the grid
   codecs -- pitch, pianoroll -- get a 10,000-note monophonic-ish piece, since their arrays
   grow with time, not notes); best of 3, in notes per second.
2. Sequence length per note on music21-corpus pieces: ``mmt`` (6-field events) against
   ``remi`` (orchestrion's REMI+ tokens) and MidiTok's REMI and MMM tokenizers (programs on,
   MMM over REMI, MidiTok's defaults otherwise), all on the same ``Music`` (MidiTok through
   ``to_symusic``). The MMT paper reports 2.6-3.5x more music per 1,024 events than REMI+/MMM.
   MidiTok is optional (``pip install miditok``); without it its columns say "n/a".
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

import orchestrion
from orchestrion import Music, Tempo, Track
from orchestrion.representations import get

CODECS = ("note", "event", "pitch", "pianoroll", "mmt", "remi")
GRID_CODECS = {"pitch", "pianoroll"}
PIECES = ("bach/bwv66.6", "bach/bwv4.8", "mozart/k155/movement1", "joplin/maple_leaf_rag",
          "haydn/opus74no1/movement3", "beethoven/opus59no1/movement1.mxl")


def synthetic_piece(n_notes: int, tracks: int = 4, seed: int = 0) -> Music:
    """Random notes at 24 ticks per quarter, about 4 notes a beat per track."""
    rng = np.random.default_rng(seed)
    per_track = n_notes // tracks
    span = max(per_track * 6, 1)
    return Music(resolution=24, tempos=[Tempo(0, 120.0)], tracks=[
        Track.from_arrays(np.sort(rng.integers(0, span, per_track)),
                          rng.integers(36, 96, per_track), rng.integers(1, 96, per_track),
                          rng.integers(1, 128, per_track), program=program)
        for program in (0, 24, 40, 73)[:tracks]])


def best_of(repeats: int, function: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def throughput(quick: bool) -> None:
    big = synthetic_piece(20_000 if quick else 100_000)
    small = synthetic_piece(10_000, tracks=1)
    print(f"{'codec':10} {'notes':>8} {'encode M notes/s':>17} {'decode M notes/s':>17} "
          f"{'array':>14}")
    for name in CODECS:
        music = small if name in GRID_CODECS else big
        codec = get(name) if name != "mmt" else get(name, max_events=None, max_beat=1 << 20)
        seconds, array = best_of(3, lambda codec=codec, music=music: codec.encode(music))
        decode_seconds, _ = best_of(3, lambda codec=codec, array=array: codec.decode(array))
        n = music.n_notes
        print(f"{name:10} {n:8d} {n / seconds / 1e6:17.2f} {n / decode_seconds / 1e6:17.2f} "
              f"{'x'.join(map(str, np.shape(array))):>14}")


def miditok_counts(music: Music) -> tuple[float | None, float | None]:
    """Tokens per note of MidiTok's REMI and MMM (programs on), or None without MidiTok."""
    try:
        import miditok
    except ImportError:
        return None, None
    from orchestrion.io.interop import to_symusic

    score = to_symusic(music)
    counts = []
    for tokenizer in (miditok.REMI(miditok.TokenizerConfig(use_programs=True)),
                      miditok.MMM(miditok.TokenizerConfig(
                          use_programs=True, base_tokenizer="REMI"))):
        tokens = tokenizer.encode(score)
        sequences = tokens if isinstance(tokens, list) else [tokens]
        counts.append(sum(len(sequence.ids) for sequence in sequences) / music.n_notes)
    return counts[0], counts[1]


def lengths() -> None:
    import music21

    mmt = get("mmt", max_events=None, max_beat=1 << 20)
    remi = get("remi")
    print(f"\n{'piece':36} {'notes':>6} {'mmt/note':>9} {'remi/note':>10} "
          f"{'MidiTok REMI':>13} {'MidiTok MMM':>12}")
    ratios = []
    for work in PIECES:
        path = music21.corpus.getWork(work)
        if isinstance(path, list):  # a work of several files: its first
            path = path[0]
        music = orchestrion.read(path)
        mmt_music = mmt.decode(mmt.encode(music))  # what every codec sees: mmt's instruments
        n = mmt_music.n_notes
        if n == 0:
            continue
        per_mmt = len(mmt.encode(mmt_music)) / n
        per_remi = len(remi.encode(mmt_music)) / n
        tok_remi, tok_mmm = miditok_counts(mmt_music)
        ratios.append((per_remi / per_mmt, tok_remi and tok_remi / per_mmt,
                       tok_mmm and tok_mmm / per_mmt))
        shown = [f"{v:.2f}" if v is not None else "n/a" for v in (tok_remi, tok_mmm)]
        print(f"{work:36} {n:6d} {per_mmt:9.2f} {per_remi:10.2f} {shown[0]:>13} "
              f"{shown[1]:>12}")

    def mean(index: int) -> str:
        values = [r[index] for r in ratios if r[index] is not None]
        return f"{np.exp(np.mean(np.log(values))):.2f}x" if values else "n/a"

    print(f"music per event, mmt over: remi {mean(0)}, MidiTok REMI {mean(1)}, "
          f"MidiTok MMM {mean(2)} (geometric mean over {len(ratios)} pieces)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 20,000-note piece")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    throughput(args.quick)
    lengths()


if __name__ == "__main__":
    main()
