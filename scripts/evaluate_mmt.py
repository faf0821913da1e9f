"""Objective metrics of an MMT's samples against its test split, as the MMT paper reports.

Run: ``python scripts/evaluate_mmt.py MODEL DATA_ROOT [--n 50] [--beats 64] [--seed 0]
[--json OUT.json]`` where MODEL is a checkpoint folder (or a shipped name) and DATA_ROOT the
prepared data set it was trained on (``orchestrion train --out OUT`` puts it in
``OUT/data``).

Dong et al. (ICASSP 2023), table 2: pitch-class entropy, scale consistency and groove
consistency of unconditioned 64-beat samples, beside the same measures of the ground truth
(test pieces cut to their first 64 beats). Both sets are cut to ``--beats`` beats here, the
metrics are ``orchestrion.metrics``' (MusPy's values), groove consistency with a 4/4 measure
(every MMT beat is a quarter note). Mean and standard deviation over the pieces are printed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

from orchestrion import Music
from orchestrion.metrics import groove_consistency, pitch_class_entropy, scale_consistency

METRICS = ("pitch_class_entropy", "scale_consistency", "groove_consistency")


def first_beats(music: Music, beats: int) -> Music:
    """``music`` with only the notes that start in its first ``beats`` beats."""
    cut = music.copy()
    limit = beats * cut.resolution
    for track in cut.tracks:
        notes = track.note_array()
        track.set_note_array(notes.take((notes.time < limit).nonzero()[0]), validate=False)
    cut.tracks = [t for t in cut.tracks if t.n_notes]
    return cut


def measure(music: Music) -> dict[str, float]:
    return {"pitch_class_entropy": pitch_class_entropy(music),
            "scale_consistency": scale_consistency(music),
            "groove_consistency": groove_consistency(music, 4 * music.resolution)}


def summary(rows: list[dict[str, float]]) -> dict[str, tuple[float, float, int]]:
    out = {}
    for name in METRICS:
        values = [r[name] for r in rows if not math.isnan(r[name])]
        out[name] = (statistics.fmean(values) if values else math.nan,
                     statistics.stdev(values) if len(values) > 1 else 0.0, len(values))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="checkpoint folder or shipped model name")
    parser.add_argument("data_root", type=Path, help="the prepared data set (OUT/data)")
    parser.add_argument("--n", type=int, default=50, help="samples (default 50)")
    parser.add_argument("--beats", type=int, default=64, help="beats per sample (default 64)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    import torch

    from orchestrion.datasets import Prepared
    from orchestrion.pipelines import MMTPipeline

    torch.set_num_threads(2)
    pipeline = MMTPipeline.from_pretrained(args.model)
    start = time.perf_counter()
    samples = pipeline.generate(n=args.n, seed=args.seed)
    seconds = time.perf_counter() - start
    generated = [measure(first_beats(m, args.beats)) for m in samples if m.n_notes]
    test = [measure(first_beats(m, args.beats))
            for _, m in Prepared(args.data_root).pieces("test")]
    result = {"model": str(args.model), "beats": args.beats, "seed": args.seed,
              "samples": len(samples), "samples_with_notes": len(generated),
              "generation_seconds": round(seconds, 1),
              "notes_per_sample": statistics.fmean(m.n_notes for m in samples),
              "generated": summary(generated), "test": summary(test),
              "test_pieces": len(test)}
    print(f"{len(samples)} samples in {seconds:.1f} s; {len(test)} test pieces; first "
          f"{args.beats} beats")
    print(f"{'metric':22} {'samples mean ± sd':>20} {'test mean ± sd':>20}")
    for name in METRICS:
        g, t = result["generated"][name], result["test"][name]
        print(f"{name:22} {g[0]:>11.3f} ± {g[1]:<6.3f} {t[0]:>11.3f} ± {t[1]:<6.3f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
