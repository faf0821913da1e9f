"""Shared fixtures: pieces of the music21 corpus written to MIDI by music21 (an independent
writer), built once per test session."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A small, varied set: chorale (4 voices, key and meter), string quartets (fast passages,
# dynamics), piano rag (two staves, dense chords), a Schumann movement with tempo changes.
CORPUS_PIECES = (
    "bach/bwv66.6",
    "bach/bwv7.7",
    "mozart/k80/movement1",
    "haydn/opus74no1/movement1",
    "joplin/maple_leaf_rag",
    "schumann_robert/opus41no1/movement2",
)


def write_corpus_midi(names: tuple[str, ...], folder: Path) -> list[Path]:
    """Parse each corpus piece (a corpus name or a file path) with music21 and write it to
    ``folder`` as MIDI."""
    from music21 import converter, corpus

    paths = []
    for name in names:
        is_file = Path(name).is_absolute()
        stem = Path(name).stem if is_file else name.replace("/", "_")
        target = folder / f"{stem}.mid"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = converter.parse(name) if is_file else corpus.parse(name)
            score.write("midi", fp=str(target))
        paths.append(target)
    return paths


@pytest.fixture(scope="session")
def muspy() -> Any:
    """The ``muspy`` package, an oracle where it still works (a dev dependency)."""
    return pytest.importorskip("muspy")


@pytest.fixture(scope="session")
def corpus_midi(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """MIDI files of :data:`CORPUS_PIECES`, written by music21."""
    return write_corpus_midi(CORPUS_PIECES, tmp_path_factory.mktemp("corpus_midi"))


@pytest.fixture(scope="session")
def corpus_midi_large(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every 25th ``.mxl`` file of the corpus (22 pieces, mostly chorales), for slow checks."""
    from music21 import corpus

    root = Path(corpus.__file__).parent
    names = tuple(str(p) for p in sorted(root.rglob("*.mxl"))[::25])
    return write_corpus_midi(names, tmp_path_factory.mktemp("corpus_midi_large"))


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """torch on one thread for the test (restored after): tiny models gain nothing from
    threads, and on a shared 2-core machine OpenMP threads that wait for each other make
    them many times slower. Modules use it with ``pytestmark``."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
