"""Automatic instrumentation: notes per second of ``arrange`` for every method, on CPU.

Run: ``python benchmarks/bench_arranger.py [--piece beethoven/opus18no1/movement1]
[--threads 1] [--repeat 3]``.

The input is one multi-part piece of the music21 corpus merged into one track (the first
movement of Beethoven's op. 18 no. 1 by default: 4 parts, 5,514 notes) and, separately,
the 41 test chorales one by one. Each method arranges it ``--repeat`` times; the best time
is kept. ``arrange`` here is the whole call: merging, sorting, features, prediction and
building the multitrack piece (:meth:`orchestrion.pipelines.Arranger.arrange`).

Methods: the shipped models (``bach-bilstm``, ``bach-lstm``, ``quartet-bilstm``), an
untrained online and offline transformer of the paper's size (speed does not depend on the
weights), and the baselines fitted on the chorales' training split (zone-based;
closest-pitch and its mono variant read their hints from the input's parts).

There is no peer to compare against on the same input: the paper's reference implementation
(TensorFlow 2, ``salu133445/arranger``) is not a package one can install. The figures go in
docs/arranger.md; the ratio column is against the slowest method.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import orchestrion
from orchestrion import Music, Track


def merged(music: Music) -> Music:
    """``music`` with its pitched tracks merged into one piano track (drums dropped)."""
    notes = [note for track in music.tracks if not track.is_drum for note in track.notes]
    out = music.copy()
    out.tracks = [Track(program=0, name="Piano", notes=sorted(notes, key=lambda n: n.time))]
    return out


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--piece", default="beethoven/opus18no1/movement1")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", default="runs/data/bach-chorales",
                        help="where the chorales are prepared (for the baselines' training "
                             "split and the test chorales)")
    args = parser.parse_args()

    import torch

    from orchestrion.datasets import prepare
    from orchestrion.datasets.music21_corpus import corpus_root
    from orchestrion.datasets.prepare import Prepared
    from orchestrion.models.arranger import ArrangerConfig, ArrangerModel
    from orchestrion.pipelines.arranger import Arranger
    from orchestrion.representations.parts import PartsRepresentation
    from orchestrion.training.arranger_config import part_scheme

    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    stem = corpus_root() / args.piece
    path = next(p for p in (stem.with_suffix(s) for s in (".mxl", ".xml", ".krn"))
                if p.is_file())
    quartet = orchestrion.read(path)
    piece = merged(quartet)
    codec = PartsRepresentation(**part_scheme("bach-chorales"))
    prepare("bach-chorales", args.root, representation=codec, progress=False)
    prepared = Prepared(args.root)
    train = list(prepared.shard("parts", "train"))
    chorales = [music for _, music in prepared.pieces("test")]
    chorale_notes = sum(m.n_notes for m in chorales)

    methods: dict[str, Arranger] = {}
    for name in ("bach-bilstm", "bach-lstm", "quartet-bilstm"):
        try:
            methods[name] = Arranger.load(name)
        except Exception as error:  # not shipped yet
            print(f"{name}: skipped ({error})")
    for kind in ("transformer", "bitransformer"):
        model = ArrangerModel(ArrangerConfig.preset(kind, 4)).eval()
        methods[f"{kind} (untrained)"] = Arranger(
            name=kind, codec=codec, model=model, config=model.config)
    for name in ("zone", "closest-pitch", "closest-pitch-mono"):
        methods[name] = Arranger.fit_baseline(name, codec, train)

    n_notes = piece.n_notes
    print(f"input: {path.name} merged, {n_notes:,} notes; {len(chorales)} test chorales, "
          f"{chorale_notes:,} notes; {args.threads} torch thread(s), best of {args.repeat}")
    rows = []
    for name, arranger in methods.items():
        # Baselines with hints read the parts: give them the piece with its tracks renamed.
        source = quartet if arranger.uses_hints else piece
        if arranger.uses_hints:
            source = source.copy()
            for track, part in zip(source.tracks, codec.parts, strict=False):
                track.name = part
        seconds = best_of(args.repeat, lambda a=arranger, s=source: a.arrange(s))
        chorale_seconds = best_of(args.repeat, lambda a=arranger: [
            a.arrange(m if a.uses_hints else merged(m)) for m in chorales])
        rows.append((name, n_notes / seconds, chorale_notes / chorale_seconds))
    slowest = min(rate for _, rate, _ in rows)
    print(f"{'method':<28} {'notes/s (quartet)':>18} {'x slowest':>10} "
          f"{'notes/s (chorales)':>19}")
    for name, rate, chorale_rate in rows:
        print(f"{name:<28} {rate:>18,.0f} {rate / slowest:>10.1f} {chorale_rate:>19,.0f}")


if __name__ == "__main__":
    main()
