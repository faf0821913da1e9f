"""The architecture's rules that a reader would otherwise have to trust: import layers, a light
``import orchestrion``, small files, a README that opens with the two set-up commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("torch", "music21", "matplotlib", "pretty_midi", "mido", "muspy", "symusic",
                 "yaml", "tqdm", "lightning", "librosa", "soundfile")
MAX_LINES = 600


def test_import_orchestrion_loads_no_heavy_module() -> None:
    code = (f"import json, sys, orchestrion; "
            f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == []


def test_midi_and_json_load_only_what_they_need(tmp_path: Path) -> None:
    # The format registry imports a reader only when a file of its format is read, and
    # MIDI and JSON need nothing heavy but symusic.
    code = ("import json, sys, orchestrion as o; "
            "m = o.Music(tracks=[o.Track(notes=[o.Note(0, 60, 24)])]); "
            f"o.write(m, {str(tmp_path / 'a.mid')!r}); o.write(o.read({str(tmp_path / 'a.mid')!r}),"
            f" {str(tmp_path / 'a.json')!r}); o.read({str(tmp_path / 'a.json')!r}); "
            f"print(json.dumps([x for x in {HEAVY_MODULES!r} if x in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == ["symusic"]


def test_import_layers_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed beside this Python (pip install -e .[dev])")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_is_in_the_layers_contract() -> None:
    # A new subpackage outside the contracts would escape them: name it in the layers (and
    # among the modules that must not import orchestrion.compat) in pyproject.toml.
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    in_layers = {name.strip().strip("()") for layer in layers for name in re.split(r"[|:]", layer)}
    package = ROOT / "src" / "orchestrion"
    modules = {p.stem for p in package.glob("*.py")} | {p.parent.name
                                                        for p in package.glob("*/__init__.py")}
    layered = modules - {"__init__", "__main__", "errors", "compat"}
    assert layered - in_layers == set()
    no_compat = next(c for c in contracts
                     if "orchestrion.compat" in c.get("forbidden_modules", []))["source_modules"]
    assert {f"orchestrion.{name}" for name in layered} - set(no_compat) == set()


@pytest.mark.parametrize("folder", ["src", "tests", "benchmarks", "scripts"])
def test_python_files_stay_under_600_lines(folder: str) -> None:
    too_long = {str(path.relative_to(ROOT)): n
                for path in sorted((ROOT / folder).rglob("*.py"))
                if (n := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_LINES}
    assert too_long == {}


def test_readme_opens_with_make_demo_and_make_test() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    title, description = text.split("```")[0].strip().split("\n\n")  # exactly these two
    assert title.startswith("# orchestrion")
    assert description.strip()
    first_block = text.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:]]
    assert [c for c in commands if c] == ["make demo", "make test"]


def test_ci_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert script.rstrip().endswith("make test")
