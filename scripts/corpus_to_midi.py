"""Write pieces of the music21 package's bundled corpus (public domain) to MIDI files.

Usage: ``python scripts/corpus_to_midi.py OUT_DIR NAME [NAME ...]`` with corpus names such
as ``bach/bwv66.6``; each becomes ``OUT_DIR/bach_bwv66.6.mid``. music21 writes the MIDI (an
independent writer, which is why the tests and the demo use it).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    from music21 import corpus

    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name in argv[1:]:
        target = folder / f"{name.replace('/', '_')}.mid"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # music21's notes on the corpus's old markup
            corpus.parse(name).write("midi", fp=str(target))
        print(f"exported {name} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
