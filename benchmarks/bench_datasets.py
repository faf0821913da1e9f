"""Preparing a data set: orchestrion's pipeline against MusPy's, on the same files, one run.

Run: ``python benchmarks/bench_datasets.py [--quick] [--jobs N]``.

Both convert the Bach files of music21's corpus (``bach/*.mxl``, ``*.xml``: 410 files) to
one JSON file per piece:

- orchestrion: ``prepare("bach-chorales", root, jobs=N)`` (its own MusicXML reader; the
  collection's rules; the manifest, splits and, in a second timing, ``mmt`` shards), then an
  unchanged re-run (the manifest makes it a hash check);
- MusPy 0.5: ``Music21Dataset("bach").save(root, n_jobs=N)`` on the same files (its own
  MusicXML reader, then its JSON writer). MusPy has no incremental re-run: a second
  ``convert`` reads everything again.

``--quick`` gives MusPy the first 40 files and reports per-file times (MusPy takes minutes
for all 410). Times are wall-clock seconds; the ratio is MusPy's time per file over
orchestrion's.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import tempfile
import time
import warnings
from pathlib import Path


def time_orchestrion(jobs: int, folder: Path) -> dict[str, float]:
    prepare = importlib.import_module("orchestrion.datasets.prepare").prepare
    root = folder / "orchestrion"
    times = {}
    start = time.perf_counter()
    result = prepare("bach-chorales", root, jobs=jobs, progress=False)
    times["convert"] = time.perf_counter() - start
    start = time.perf_counter()
    prepare("bach-chorales", root, jobs=jobs, progress=False)
    times["rerun"] = time.perf_counter() - start
    start = time.perf_counter()
    prepare("bach-chorales", root, representation="mmt", jobs=jobs, progress=False)
    times["shards"] = time.perf_counter() - start
    times["files"] = result.files
    return times


def time_muspy(jobs: int, folder: Path, limit: int | None) -> tuple[float, int] | None:
    try:
        from muspy.datasets import Music21Dataset
    except ImportError:
        return None
    from orchestrion.datasets import collection

    # Music21Dataset("bach") fails on music21 >= 9 (corpus.getComposer's signature changed),
    # so the object is made without __init__ and given the same files: MusPy's own save()
    # (muspy.read, then muspy.save as JSON, in joblib workers) then runs as it would.
    dataset = Music21Dataset.__new__(Music21Dataset)
    dataset.composer = "bach"
    dataset.filenames = collection("bach-chorales").paths()[:limit]
    root = folder / "muspy"
    root.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        dataset.save(root, n_jobs=jobs, ignore_exceptions=True, verbose=False)
        seconds = time.perf_counter() - start
    return seconds, len(dataset.filenames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="MusPy on 40 files only")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    try:
        ours = time_orchestrion(args.jobs, folder)
        theirs = time_muspy(args.jobs, folder, 40 if args.quick else None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    files = int(ours["files"])
    print(f"bach-chorales, {files} files, --jobs {args.jobs}")
    print(f"  orchestrion convert        {ours['convert']:7.2f} s  "
          f"({1000 * ours['convert'] / files:.1f} ms/file)")
    print(f"  orchestrion unchanged rerun {ours['rerun']:6.2f} s")
    print(f"  orchestrion + mmt shards   {ours['shards']:7.2f} s")
    if theirs is None:
        print("  muspy: not installed")
        return
    seconds, count = theirs
    ratio = (seconds / count) / (ours["convert"] / files)
    print(f"  muspy convert ({count} files) {seconds:6.2f} s  ({1000 * seconds / count:.1f} "
          f"ms/file): {ratio:.1f}x slower per file")


if __name__ == "__main__":
    main()
