"""The MusicXML reader on the real scores of music21's corpus: every file reads, and a sample
gives music21's notes (the full comparison is ``scripts/musicxml_agreement.py``; its result
and the files that differ, with the reasons, are in docs/musicxml.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestrion import Music
from orchestrion.io.musicxml import read_musicxml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import musicxml_agreement  # the oracle lives with the script that reports it

music21 = pytest.importorskip("music21")
# Where orchestrion and music21 read differently on purpose (docs/musicxml.md says why).
KNOWN_DIFFERENT = {
    "bach/bwv248.23-2.mxl", "beethoven/opus59no1/movement1.mxl",
    "beethoven/opus59no1/movement2.mxl", "beethoven/opus59no3/movement1.mxl",
    "beethoven/opus59no3/movement2.mxl", "demos/drum_sample.xml",
    "haydn/opus74no1/movement2.mxl", "luca/gloria.xml", "schumann_clara/opus17/movement3.xml",
    "schumann_robert/dichterliebe_no2.xml", "schumann_robert/opus41no1/movement1.mxl",
    "schumann_robert/opus41no1/movement5.mxl", "schumann_robert/opus48no2.mxl",
    "trecento/Fava_Dicant_nunc_iudei.xml", "trecento/PMFC_13_04-Credo Cursor.xml",
}
CORPUS = Path(music21.corpus.__file__).parent


def test_a_chorale_gives_music21s_notes() -> None:
    path = music21.corpus.getWork("bach/bwv66.6")
    assert musicxml_agreement.compare(str(path)) == (str(path), None)


@pytest.mark.slow
def test_every_corpus_file_reads_with_and_without_repeats() -> None:
    files = musicxml_agreement.corpus_files(1)
    assert len(files) == 654
    for path in files:
        written = read_musicxml(path, expand_repeats=False)
        played = read_musicxml(path)
        assert isinstance(played, Music)
        # Expanding repeats only ever adds music.
        assert played.n_notes >= written.n_notes, path


@pytest.mark.slow
def test_a_sample_of_the_corpus_gives_music21s_notes() -> None:
    sample = [path for path in musicxml_agreement.corpus_files(1)[::45]
              if Path(path).relative_to(CORPUS).as_posix() not in KNOWN_DIFFERENT]
    assert len(sample) >= 12
    problems = [problem for _, problem in map(musicxml_agreement.compare, sample) if problem]
    assert problems == []
