"""``orchestrion evaluate``: per-piece metrics, the summary with 95% intervals, CSV, JSON,
the comparison with a reference set, errors."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

import orchestrion
from orchestrion import Music, Note, Tempo, TimeSignature, Track
from orchestrion.cli.evaluate import summarize, t_critical
from orchestrion.cli.main import main


def test_t_critical_values() -> None:
    assert t_critical(1) == 12.7062
    assert t_critical(30) == 2.0423
    assert t_critical(40) == pytest.approx(2.021075, abs=1e-4)
    assert t_critical(120) == pytest.approx(1.979930, abs=1e-4)
    assert t_critical(10**6) == pytest.approx(1.959966, abs=1e-5)
    with pytest.raises(ValueError, match="degree of freedom"):
        t_critical(0)


def test_summary_mean_and_interval() -> None:
    # 1, 2, 3: mean 2, s = 1, half width 4.3027 * 1 / sqrt(3) = 2.48416
    row = summarize([1.0, 2.0, float("nan"), 3.0])
    assert (row["n"], row["mean"], row["std"], row["undefined"]) == (3, 2.0, 1.0, 1)
    assert row["low"] == pytest.approx(2 - 4.3027 / math.sqrt(3))
    assert row["high"] == pytest.approx(2 + 4.3027 / math.sqrt(3))
    one = summarize([5.0])
    assert (one["n"], one["mean"], one["low"], one["high"]) == (1, 5.0, 5.0, 5.0)
    none = summarize([float("nan")])
    assert none["n"] == 0
    assert math.isnan(none["mean"])
    assert none["undefined"] == 1


def _piece(seed: int, n: int = 32) -> Music:
    rng = np.random.default_rng(seed)
    notes = [Note(time=12 * i, pitch=int(p), duration=12, velocity=80)
             for i, p in enumerate(rng.integers(55, 80, n))]
    return Music(resolution=12, tempos=[Tempo(0, 120.0)],
                 time_signatures=[TimeSignature(0, 4, 4)],
                 tracks=[Track(program=0, notes=notes)])


@pytest.fixture
def sets(tmp_path: Path) -> tuple[Path, Path]:
    generated, reference = tmp_path / "generated", tmp_path / "reference"
    generated.mkdir()
    reference.mkdir()
    for i in range(4):
        orchestrion.write(_piece(i), generated / f"g{i}.mid")
        orchestrion.write(_piece(100 + i, 48), reference / f"r{i}.mid")
    return generated, reference


def test_evaluate_a_folder_as_json_and_csv(sets: tuple[Path, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from orchestrion.metrics import METRICS, evaluate

    generated, _ = sets
    table = tmp_path / "values.csv"
    assert main(["evaluate", str(generated), "--json", "--csv", str(table), "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"] == list(METRICS)
    assert [Path(r["path"]).name for r in report["pieces"]] == [f"g{i}.mid" for i in range(4)]
    first = evaluate(orchestrion.read(generated / "g0.mid"))
    for name, value in first.items():
        got = report["pieces"][0][name]
        assert (got is None and math.isnan(value)) or got == pytest.approx(value)
    for name in METRICS:
        values = [r[name] for r in report["pieces"] if r[name] is not None]
        summary = report["summary"][name]
        assert summary["n"] == len(values)
        if values:
            assert summary["mean"] == pytest.approx(float(np.mean(values)))
    with open(table, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["path", *METRICS]
    assert len(rows) == 5
    assert rows[1][0].endswith("g0.mid")


def test_evaluate_against_a_reference(sets: tuple[Path, Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    generated, reference = sets
    argv = ["evaluate", str(generated), "--reference", str(reference), "-q"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("4 pieces")
    assert "reference mean" in text
    assert "overlap" in text
    assert main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["reference"]) == set(report["summary"])
    for values in report["comparison"].values():
        assert {"overlap", "kl"} <= set(values)


def test_evaluate_some_metrics_and_failures(sets: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    generated, _ = sets
    (generated / "broken.mid").write_bytes(b"garbage")
    assert main(["evaluate", str(generated), "--metrics", "pitch_range,n_pitches_used",
                 "--json", "-q"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"] == ["pitch_range", "n_pitches_used"]
    assert set(report["pieces"][0]) == {"path", "pitch_range", "n_pitches_used"}
    assert list(report["failures"]) == [str(generated / "broken.mid")]
    assert main(["evaluate", str(generated), "--metrics", "nope"]) == 1
    err = capsys.readouterr().err
    assert "unknown metric(s) nope" in err
    assert "pitch_range" in err
    assert main(["evaluate", str(tmp_path / "missing.mid")]) == 1
    assert "no such file" in capsys.readouterr().err
