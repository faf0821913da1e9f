"""orchestrion.core.gm: the General MIDI level 1 program names and families."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from orchestrion.core import gm
from orchestrion.errors import ValidationError


def test_128_unique_names_and_16_families() -> None:
    assert len(gm.PROGRAM_NAMES) == 128
    assert len(set(gm.PROGRAM_NAMES)) == 128
    assert len(gm.FAMILY_NAMES) == 16
    assert all(name == name.strip() and name for name in gm.PROGRAM_NAMES)


@pytest.mark.parametrize(
    ("program", "name", "family"),
    [
        (0, "Acoustic Grand Piano", "Piano"),
        (7, "Clavi", "Piano"),
        (8, "Celesta", "Chromatic Percussion"),
        (24, "Acoustic Guitar (nylon)", "Guitar"),
        (40, "Violin", "Strings"),
        (48, "String Ensemble 1", "Ensemble"),
        (56, "Trumpet", "Brass"),
        (71, "Clarinet", "Reed"),
        (73, "Flute", "Pipe"),
        (80, "Lead 1 (square)", "Synth Lead"),
        (95, "Pad 8 (sweep)", "Synth Pad"),
        (103, "FX 8 (sci-fi)", "Synth Effects"),
        (104, "Sitar", "Ethnic"),
        (119, "Reverse Cymbal", "Percussive"),
        (127, "Gunshot", "Sound Effects"),
    ],
)
def test_names_and_families(program: int, name: str, family: str) -> None:
    assert gm.program_name(program) == name
    assert gm.program_family(program) == family


def test_drums() -> None:
    assert gm.program_name(0, is_drum=True) == "Drums"
    assert gm.program_name(25, True) == "Drums"
    assert gm.program_family(0, is_drum=True) == "Drums"


def test_numpy_integers_accepted() -> None:
    assert gm.program_name(np.int64(40)) == "Violin"
    assert gm.program_family(np.uint8(127)) == "Sound Effects"


@pytest.mark.parametrize("program", [-1, 128, 1000])
def test_out_of_range(program: int) -> None:
    with pytest.raises(ValidationError, match=f"MIDI program {program} outside 0-127"):
        gm.program_name(program)
    with pytest.raises(ValidationError):
        gm.program_name(program, is_drum=True)  # checked on drum tracks too


@pytest.mark.parametrize("program", [1.0, "1", None, True])
def test_not_an_integer(program: object) -> None:
    with pytest.raises(TypeError, match="must be an integer"):
        gm.program_name(program)  # type: ignore[arg-type]


def test_agrees_with_pretty_midi_apart_from_known_respellings() -> None:
    constants = pytest.importorskip("pretty_midi.constants")
    respelled = {
        7: ("Clavi", "Clavinet"),
        31: ("Guitar harmonics", "Guitar Harmonics"),
        50: ("SynthStrings 1", "Synth Strings 1"),
        51: ("SynthStrings 2", "Synth Strings 2"),
        54: ("Synth Voice", "Synth Choir"),
        62: ("SynthBrass 1", "Synth Brass 1"),
        63: ("SynthBrass 2", "Synth Brass 2"),
        76: ("Blown Bottle", "Blown bottle"),
        83: ("Lead 4 (chiff)", "Lead 4 chiff"),
        109: ("Bag pipe", "Bagpipe"),
    }
    for program, (ours, theirs) in enumerate(zip(gm.PROGRAM_NAMES, constants.INSTRUMENT_MAP,
                                                 strict=True)):
        if program in respelled:
            assert (ours, theirs) == respelled[program]
        else:
            assert ours == theirs, program
    assert list(gm.FAMILY_NAMES) == list(constants.INSTRUMENT_CLASSES)


def test_imports_only_stdlib_and_errors() -> None:
    tree = ast.parse(Path(gm.__file__).read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    outside = {m for m in modules
               if m.split(".")[0] not in sys.stdlib_module_names and m != "orchestrion.errors"}
    assert outside == set()
