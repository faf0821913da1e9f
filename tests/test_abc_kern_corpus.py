"""The ABC and kern readers on music21's corpus (slow): the Humdrum files music21 can parse
read (every 4th file here, to keep the suite short; ``ORCHESTRION_FULL_CORPUS=1`` reads all
1,326), and the tunes of a sample of its ABC tune books all read, first tunes included.
docs/abc-kern.md reports the counts."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

from orchestrion.errors import FormatError
from orchestrion.io.abc import read_abc_book
from orchestrion.io.kern import read_kern

music21 = pytest.importorskip("music21")
CORPUS = Path(music21.corpus.__file__).parent
# Corpus files music21's own Humdrum parser rejects, with what it says (docs/abc-kern.md).
MUSIC21_CANNOT_PARSE: dict[str, str] = {}


@pytest.mark.slow
def test_every_corpus_kern_file_music21_parses_reads() -> None:
    files = sorted(CORPUS.rglob("*.krn"))
    assert len(files) == 1326
    if not os.environ.get("ORCHESTRION_FULL_CORPUS"):
        files = files[::4]
    read, rejected = 0, {}
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # repeats music21 cannot expand: read as written
            try:
                music = read_kern(path)
            except FormatError as error:
                rejected[name] = error.reason
                continue
        assert music.n_notes > 0, name
        read += 1
    print(f"\nkern corpus: {read} of {len(files)} files read")
    # Only music21's own parser may fail; converting what it parsed may not.
    assert all("music21 cannot parse it" in reason for reason in rejected.values()), rejected
    assert set(rejected) == set(MUSIC21_CANNOT_PARSE)
    assert read == len(files) - len(MUSIC21_CANNOT_PARSE)


@pytest.mark.slow
def test_every_tune_of_sampled_tune_books_reads() -> None:
    books = sorted(CORPUS.rglob("*.abc"))[::40]
    assert len(books) >= 25
    tunes = 0
    for path in books:
        text = path.read_text(encoding="utf-8", errors="replace")
        expected = len(re.findall(r"^[ \t]*X:", text, re.MULTILINE)) or 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = read_abc_book(path)
        assert len(book) == expected, path
        tunes += len(book)
    print(f"\nABC corpus sample: {tunes} tunes of {len(books)} files read")
