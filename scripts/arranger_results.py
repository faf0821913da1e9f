"""The automatic-instrumentation results table: every method on the test splits of the
Bach chorales and the string quartets, beside the paper's figures.

    python scripts/arranger_results.py                       # writes docs/arranger-results.md

Baselines are fitted on each data set's training split; models are the shipped checkpoints
(``bach-bilstm``, ``bach-lstm``, ``quartet-bilstm``) or, for the other rows, the runs of
``orchestrion train arranger`` found under ``--runs`` as ``PREFIX-KIND[-SUFFIX]/model``
(``runs/quartet-lstm/model``, ``runs/bach-lstm-entry/model``, ...); rows without a model are
shown as "not trained". The data sets are prepared under ``--root`` (``runs/data``).

The paper's figures: Dong et al., ISMIR 2021, table 2 (../shared/REFERENCES.md §3). Its
string quartets come from MusicNet; ours are music21's 46 quartet movements, so that column
is not comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from orchestrion.models.checkpoint import shipped
from orchestrion.pipelines.arranger import evaluate

DATASETS = {"bach": "bach-chorales", "quartet": "string-quartets"}
#: (row label, method: a baseline name or (kind, run suffix), paper Bach, paper quartets).
ROWS: list[tuple[str, str | tuple[str, str], float | None, float | None]] = [
    ("most common part", "most-common", None, None),
    ("zone-based", "zone", 73.14, 58.85),
    ("zone-based, best part order", "zone-permute", None, None),
    ("closest-pitch, hints", "closest-pitch", None, None),
    ("closest-pitch (mono), hints", "closest-pitch-mono", 89.76, 42.82),
    ("online LSTM", ("lstm", ""), 93.02, 67.43),
    ("online transformer", ("transformer", ""), 91.51, 57.03),
    ("offline BiLSTM (with durations)", ("bilstm", ""), 97.13, 74.38),
    ("offline transformer", ("bitransformer", ""), 96.81, 58.86),
    ("online LSTM, entry hints", ("lstm", "entry"), 92.70, 62.64),
    ("offline BiLSTM, entry hints", ("bilstm", "entry"), 97.39, 71.51),
    ("online LSTM + duration", ("lstm", "duration"), 96.17, 66.96),
]


def model_for(prefix: str, kind: str, suffix: str, runs: Path) -> str | None:
    """The shipped model or run folder of this row, or None."""
    name = "-".join(part for part in (prefix, kind, suffix) if part)
    if name in shipped():
        return name
    folder = runs / name / "model"
    return str(folder) if (folder / "config.json").is_file() else None


def run_name(method: str) -> str:
    """``runs/bach-lstm-entry/model`` -> ``bach-lstm-entry``; other names as they are."""
    return Path(method).parent.name if method.endswith("/model") else method


def trained_steps(method: str) -> int | str:
    """The optimiser steps recorded in a model's checkpoint."""
    from orchestrion.models.checkpoint import resolve

    meta = json.loads((resolve(method) / "config.json").read_text(encoding="utf-8"))
    return meta.get("training", {}).get("steps", "?")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("runs/data"),
                        help="where the data sets are prepared (one folder each)")
    parser.add_argument("--runs", type=Path, default=Path("runs"),
                        help="where the trained runs are (PREFIX-KIND[-SUFFIX]/model)")
    parser.add_argument("--out", type=Path, default=Path("docs/arranger-results.md"))
    parser.add_argument("--json", type=Path, help="also write every report as JSON")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    reports: dict[str, dict[str, dict | None]] = {}
    lines = []
    for label, method, paper_bach, paper_quartet in ROWS:
        cells: dict[str, dict | None] = {}
        for prefix, dataset in DATASETS.items():
            if isinstance(method, str):
                chosen: str | None = method
            else:
                chosen = model_for(prefix, method[0], method[1], args.runs)
            if chosen is None:
                cells[prefix] = None
                continue
            started = time.perf_counter()
            report = evaluate(chosen, dataset, root=args.root / dataset, jobs=args.jobs,
                              progress=False)
            cells[prefix] = report
            print(f"{label} on {dataset}: {report['accuracy'] * 100:.2f}% "
                  f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        reports[label] = cells

        def shown(cell: dict | None) -> str:
            return "not trained" if cell is None else f"**{cell['accuracy'] * 100:.2f}**"

        speed = cells["bach"]["notes_per_second"] if cells["bach"] else None
        names = list(dict.fromkeys(run_name(c["method"]) for c in cells.values() if c))
        steps = " / ".join(str(trained_steps(c["method"])) for c in cells.values() if c
                           and not isinstance(method, str))
        lines.append(f"| {label} | {' / '.join(f'`{n}`' for n in names)} | {steps or '–'} | "
                     f"{shown(cells['bach'])} | {percent(paper_bach)} | "
                     f"{shown(cells['quartet'])} | {percent(paper_quartet)} | "
                     f"{'–' if speed is None else f'{speed:,}'} |")

    bach = next(c["bach"] for c in reports.values() if c["bach"])
    quartet = next(c["quartet"] for c in reports.values() if c["quartet"])
    header = [
        "# Automatic instrumentation: results",
        "",
        "Note accuracy (%) over every note of the test split, written by "
        "`python scripts/arranger_results.py` (docs/arranger.md explains the methods). "
        f"Bach chorales: {bach['pieces']} test pieces, {bach['notes']:,} notes; string "
        f"quartets (music21's 46 movements, a stand-in for the paper's MusicNet quartets, "
        f"so the two quartet columns are not comparable): {quartet['pieces']} test pieces, "
        f"{quartet['notes']:,} notes. Splits: orchestrion's hash splits 8:1:1 with seed 0 "
        "(the paper drew its own at random). Steps: the training steps of the Bach / quartet "
        "model on 2 CPU cores (the LSTMs at most 1,200, stopped early on the quartets; the "
        "transformers 1,000 on the chorales only, at ~2.4 s a step). Speed: notes per second "
        "of prediction on the Bach test split, one process on a 2-core CPU.",
        "",
        "| method | model | steps | Bach | Bach (paper) | quartets | quartets (paper, "
        "MusicNet) | notes/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    text = "\n".join(header + lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
