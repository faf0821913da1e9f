"""The last step of ``make demo``: check that a converted file holds the same music.

Usage: ``python scripts/demo.py ORIGINAL CONVERTED``. Both files are read with
``orchestrion.read``; everything but the metadata (which names the source file) must be
equal. Prints one line; exits 1 when the two differ.
"""

from __future__ import annotations

import dataclasses
import sys

import orchestrion


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/demo.py ORIGINAL CONVERTED", file=sys.stderr)
        return 2
    original, converted = (orchestrion.read(path) for path in argv)
    same = dataclasses.replace(converted, metadata=original.metadata) == original
    verdict = "the same music as" if same else "DIFFERENT music from"
    print(f"{argv[1]}: {converted.n_notes} notes in {len(converted.tracks)} tracks, "
          f"{verdict} {argv[0]}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
