"""``orchestrion evaluate``: metrics per piece, a summary with 95% intervals, and the
distance of a set of pieces to a reference set.

Per piece: every metric of :data:`orchestrion.metrics.METRICS` (``evaluate(music)``).
Summary per metric over the pieces where it is defined (NaN values left out, their number
shown): the mean and its 95% confidence interval ``mean ± t(0.975, n-1) · s / sqrt(n)``
(Student's t; ``s`` the sample standard deviation), as papers report them. With
``--reference``: the same summary for the reference set, and Yang & Lerch's (2020)
overlapping area and KL divergence per feature (:func:`orchestrion.metrics.compare_sets`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrion.core.model import Music

#: Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)


def t_critical(df: int) -> float:
    """``t(0.975, df)``: a table up to 30 degrees of freedom, then the Cornish-Fisher
    expansion around the normal quantile (error below 1e-4 from 30 on)."""
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959963984540054
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def summarize(values: Iterable[float]) -> dict[str, float]:
    """``n`` (defined values), ``mean``, ``std`` (sample), ``low``/``high`` (95% interval of
    the mean; equal to the mean for one value) and ``undefined`` (NaN values left out)."""
    finite = [float(v) for v in values]
    undefined = sum(math.isnan(v) for v in finite)
    finite = [v for v in finite if not math.isnan(v)]
    n = len(finite)
    if n == 0:
        nan = float("nan")
        return {"n": 0, "mean": nan, "std": nan, "low": nan, "high": nan,
                "undefined": undefined}
    mean = math.fsum(finite) / n
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in finite) / (n - 1)) if n > 1 else 0.0
    half = t_critical(n - 1) * std / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "std": std, "low": mean - half, "high": mean + half,
            "undefined": undefined}


def collect(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and the readable files under each folder (sorted)."""
    from orchestrion.datasets.folder import readable_files
    from orchestrion.errors import FormatError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = readable_files(path)
            if not found:
                raise FormatError("no file orchestrion reads in this folder", path)
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise FormatError("no such file or folder", path)
    return files


def _read_all(files: list[Path], show: bool, desc: str
              ) -> tuple[list[tuple[Path, Music]], dict[str, str]]:
    import orchestrion
    from orchestrion.errors import OrchestrionError

    pieces, failures = [], {}
    iterable: Any = files
    if show:
        from tqdm.auto import tqdm
        iterable = tqdm(files, desc=desc, unit="file", file=sys.stderr)
    for path in iterable:
        try:
            pieces.append((path, orchestrion.read(path)))
        except (OrchestrionError, OSError) as error:
            failures[str(path)] = " ".join(str(error).split())
    return pieces, failures


def run(args: argparse.Namespace) -> int:
    from orchestrion.metrics import METRICS, compare_sets, evaluate

    names = list(METRICS) if args.metrics is None else _metric_names(args.metrics, METRICS)
    show = not args.quiet and sys.stderr.isatty()
    pieces, failures = _read_all(collect(args.paths), show, "evaluate")
    rows = [{"path": str(path), **evaluate(music, names)} for path, music in pieces]
    report: dict[str, Any] = {
        "metrics": names,
        "summary": {name: summarize(row[name] for row in rows) for name in names},
        "pieces": rows, "failures": failures,
    }
    if args.reference:
        reference, ref_failures = _read_all(collect(args.reference), show, "reference")
        report["reference_failures"] = ref_failures
        ref_rows = [evaluate(music, names) for _, music in reference]
        report["reference_pieces"] = len(ref_rows)
        report["reference"] = {name: summarize(row[name] for row in ref_rows)
                               for name in names}
        if pieces and reference:
            report["comparison"] = compare_sets([m for _, m in pieces],
                                                [m for _, m in reference])
    if args.csv is not None:
        _write_csv(args.csv, rows, names)
    if args.json:
        print(json.dumps(jsonable(report), indent=1, allow_nan=False))
    else:
        print(to_text(report))
    return 1 if failures or report.get("reference_failures") else 0


def jsonable(value: Any) -> Any:
    """NaN (a metric undefined for a piece) becomes ``null``: strict JSON has no NaN."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return value


def _metric_names(text: str, known: dict[str, Any]) -> list[str]:
    from orchestrion.errors import OrchestrionError

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise OrchestrionError(f"unknown metric(s) {', '.join(unknown) or '(none given)'}; "
                               f"the metrics are: {', '.join(known)}")
    return names


def _number(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 100):
        return f"{value:.0f}"
    return f"{value:.4g}"


def to_text(report: dict[str, Any]) -> str:
    """The report as aligned text: the summary table (with the reference's beside it when
    there is one), the comparison and the failures."""
    names = report["metrics"]
    width = max([len(n) for n in names] + [6])
    reference = report.get("reference")
    header = f"{'metric':<{width}}  {'n':>5}  {'mean':>9}  {'95% interval':>21}"
    if reference:
        header += f"  {'reference mean':>14}  {'95% interval':>21}"
    count = f"{len(report['pieces'])} pieces"
    if reference:
        count += f"; reference: {report['reference_pieces']} pieces"
    lines = [count, header]
    for name in names:
        row = report["summary"][name]
        line = (f"{name:<{width}}  {row['n']:>5}  {_number(row['mean']):>9}  "
                f"{'[' + _number(row['low']) + ', ' + _number(row['high']) + ']':>21}")
        if reference:
            ref = reference[name]
            line += (f"  {_number(ref['mean']):>14}  "
                     f"{'[' + _number(ref['low']) + ', ' + _number(ref['high']) + ']':>21}")
        lines.append(line)
    comparison = report.get("comparison")
    if comparison:
        width = max(len(feature) for feature in comparison)
        lines += ["", "distance to the reference (Yang & Lerch 2020: overlapping area, "
                  "higher is closer; KL divergence, lower is closer)",
                  f"{'feature':<{width}}  {'overlap':>8}  {'KL':>8}"]
        for feature, values in comparison.items():
            lines.append(f"{feature:<{width}}  {_number(values['overlap']):>8}  "
                         f"{_number(values['kl']):>8}")
    for key, title in (("failures", "failed"), ("reference_failures", "reference failed")):
        if report.get(key):
            lines += ["", f"{title} ({len(report[key])}):"]
            lines += [f"  {path}: {reason}" for path, reason in report[key].items()]
    return "\n".join(lines)


def _write_csv(path: Path, rows: list[dict[str, Any]], names: list[str]) -> None:
    """One row per piece (path, then each metric; NaN as empty), written atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["path", *names])
    for row in rows:
        writer.writerow([row["path"], *("" if math.isnan(row[n]) else repr(float(row[n]))
                                        for n in names)])
    from orchestrion.io.files import atomic_write_bytes
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))


EPILOG = """\
examples:
  orchestrion evaluate generated/                     every readable file under generated/
  orchestrion evaluate a.mid b.mid --json             per-piece values and the summary as JSON
  orchestrion evaluate samples/ --reference test/     beside a reference set, with distances
  orchestrion evaluate samples/ --csv values.csv      per-piece values as CSV too
  orchestrion evaluate samples/ --metrics pitch_class_entropy,scale_consistency

The summary gives, per metric, the pieces where it is defined (n), the mean and its 95%
confidence interval (Student's t). Files that cannot be read are listed; the exit status
is then 1. docs/metrics.md describes every metric.
"""


def add_parser(commands: Any) -> None:
    """Add ``evaluate`` to the main parser's subcommands."""
    evaluate = commands.add_parser(
        "evaluate", help="metrics of music files, summarised, optionally against a reference",
        description="Compute every metric for each piece in PATH (files or folders), then a "
                    "summary: mean and 95%% interval per metric; with --reference, the "
                    "reference set's summary and the distance between the two sets.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("paths", metavar="PATH", type=Path, nargs="+",
                          help="music files or folders of them")
    evaluate.add_argument("--reference", metavar="PATH", type=Path, nargs="+",
                          help="files or folders of the reference set")
    evaluate.add_argument("--metrics", metavar="NAMES",
                          help="comma-separated metric names (default: all)")
    evaluate.add_argument("--json", action="store_true", help="the report as one JSON object")
    evaluate.add_argument("--csv", metavar="FILE", type=Path,
                          help="also write the per-piece values as CSV")
    evaluate.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=run)
