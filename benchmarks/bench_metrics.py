"""Metrics: orchestrion.metrics against muspy's functions on the 409 Bach chorales, one run.

Run: ``python benchmarks/bench_metrics.py [--quick]``.

The chorales are loaded once (``collection("bach-chorales").pieces()``) and converted to
``muspy.Music`` once, outside the timing. Each MusPy metric then runs over all pieces with
both libraries (best of 3, of 1 with ``--quick``), with the registry's parameters
(``measure_resolution`` from the first time signature; duple drum meter; C major); the table
gives the seconds over the whole set and the ratio muspy / orchestrion. The values are
checked equal (NaN == NaN) on the way. Then orchestrion's other measures and one
``compare_sets`` (half the chorales against the other half) are timed alone. Last, the 14
metrics on one large synthetic piece (4 tracks plus drums, 100,000 notes; 20,000 with
``--quick``), where per-call overhead no longer hides the vectorisation.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from orchestrion import Music
from orchestrion import metrics as om
from orchestrion.datasets import collection

MUSPY_METRICS: tuple[tuple[str, Callable[[Music], tuple[Any, ...]]], ...] = (
    ("pitch_range", lambda m: ()),
    ("n_pitches_used", lambda m: ()),
    ("n_pitch_classes_used", lambda m: ()),
    ("polyphony", lambda m: ()),
    ("polyphony_rate", lambda m: ()),
    ("pitch_in_scale_rate", lambda m: (0, "major")),
    ("scale_consistency", lambda m: ()),
    ("pitch_entropy", lambda m: ()),
    ("pitch_class_entropy", lambda m: ()),
    ("empty_beat_rate", lambda m: ()),
    ("empty_measure_rate", lambda m: (om.measure_ticks(m),)),
    ("groove_consistency", lambda m: (om.measure_ticks(m),)),
    ("drum_in_pattern_rate", lambda m: ("duple",)),
    ("drum_pattern_consistency", lambda m: ()),
)


def to_muspy(muspy: Any, music: Music) -> Any:
    return muspy.Music(resolution=music.resolution, tracks=[
        muspy.Track(program=t.program, is_drum=t.is_drum, notes=[
            muspy.Note(time=n.time, pitch=n.pitch, duration=n.duration, velocity=n.velocity)
            for n in t.note_array().to_notes()])
        for t in music.tracks])


def best_of(repeats: int, function: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def over_set(function: Callable[..., Any], pieces: list[Any], args: list[tuple[Any, ...]]
             ) -> list[Any]:
    return [function(music, *a) for music, a in zip(pieces, args, strict=True)]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def synthetic_piece(n_notes: int, seed: int = 0) -> Music:
    """Random notes at 24 ticks per quarter in 4 pitched tracks and a drum track."""
    import numpy as np

    from orchestrion import TimeSignature, Track

    rng = np.random.default_rng(seed)
    per_track = n_notes // 5
    span = per_track * 6
    return Music(resolution=24, time_signatures=[TimeSignature(0, 4, 4)], tracks=[
        Track.from_arrays(np.sort(rng.integers(0, span, per_track)),
                          rng.integers(36, 96, per_track), rng.integers(1, 96, per_track),
                          program=program, is_drum=program == 0)
        for program in (0, 24, 40, 73, 1)])


def large_piece(muspy: Any, n_notes: int, repeats: int) -> None:
    music = synthetic_piece(n_notes)
    theirs_music = to_muspy(muspy, music)
    print(f"\none synthetic piece, {n_notes:,} notes\n"
          f"{'metric':26} {'orchestrion s':>14} {'muspy s':>10} {'muspy/orch':>11}")
    for name, params in MUSPY_METRICS:
        args = params(music)
        t_ours, ours = best_of(repeats, partial(getattr(om, name), music, *args))
        t_theirs, theirs = best_of(repeats, partial(getattr(muspy, name), theirs_music, *args))
        assert same(float(ours), float(theirs)), name  # type: ignore[arg-type]
        print(f"{name:26} {t_ours:14.5f} {t_theirs:10.4f} {t_theirs / t_ours:10.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="best of 1 instead of 3")
    repeats = 1 if parser.parse_args().quick else 3

    import muspy

    start = time.perf_counter()
    pieces = [music for _, music in collection("bach-chorales").pieces()]
    theirs_pieces = [to_muspy(muspy, music) for music in pieces]
    n_notes = sum(t.n_notes for m in pieces for t in m.tracks)
    print(f"{len(pieces)} chorales, {n_notes:,} notes (loaded and converted in "
          f"{time.perf_counter() - start:.1f} s)\n")
    print(f"{'metric':26} {'orchestrion s':>14} {'muspy s':>10} {'muspy/orch':>11}")
    total_ours = total_theirs = 0.0
    for name, params in MUSPY_METRICS:
        args = [params(m) for m in pieces]
        ours_fn, theirs_fn = getattr(om, name), getattr(muspy, name)
        t_ours, ours = best_of(repeats, partial(over_set, ours_fn, pieces, args))
        t_theirs, theirs = best_of(repeats, partial(over_set, theirs_fn, theirs_pieces, args))
        assert all(same(float(x), float(y)) for x, y in zip(ours, theirs, strict=True)), name
        total_ours, total_theirs = total_ours + t_ours, total_theirs + t_theirs
        print(f"{name:26} {t_ours:14.4f} {t_theirs:10.4f} {t_theirs / t_ours:10.1f}x")
    print(f"{'all 14':26} {total_ours:14.4f} {total_theirs:10.4f} "
          f"{total_theirs / total_ours:10.1f}x  (values equal on every piece)\n")

    print(f"{'orchestrion only':40} {'s over the set':>15}")
    for name in om.METRICS:
        if name in dict(MUSPY_METRICS):
            continue
        t, _ = best_of(repeats, partial(over_set, om.METRICS[name], pieces, [()] * len(pieces)))
        print(f"  METRICS[{name!r}]{'':{max(0, 26 - len(name))}} {t:15.4f}")
    t, _ = best_of(repeats, lambda: [om.evaluate(m) for m in pieces])
    print(f"  {'evaluate (all ' + str(len(om.METRICS)) + ' metrics)':38} {t:15.4f}")
    half = len(pieces) // 2
    t, _ = best_of(1, lambda: om.compare_sets(pieces[:half], pieces[half:]))
    print(f"  {'compare_sets, 9 features, ' + f'{half} vs {len(pieces) - half}':38} {t:15.4f}")
    large_piece(muspy, 20_000 if repeats == 1 else 100_000, repeats)


if __name__ == "__main__":
    main()
