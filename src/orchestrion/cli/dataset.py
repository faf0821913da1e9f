"""``orchestrion dataset list | info | download | prepare``: the data sets from the shell."""

from __future__ import annotations

import argparse
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

from orchestrion.cli._args import positive

PROG = "orchestrion dataset"
#: Failures printed by ``prepare`` before pointing at the manifest for the rest.
SHOWN_FAILURES = 20


def default_jobs() -> int:
    """Worker processes for ``prepare`` when --jobs is not given: the CPUs, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def _in_music21(dataset: Any) -> bool:
    from orchestrion.datasets.music21_corpus import Collection
    return isinstance(dataset, Collection)


def _size(dataset: Any) -> str:
    sizes = [s.size for s in dataset.sources]
    if not sizes:
        return "offline" if _in_music21(dataset) else "bring"
    if any(s is None for s in sizes):
        return "unknown"
    return _human(sum(sizes))


def _human(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count} B"  # pragma: no cover


def _first_sentence(text: str) -> str:
    sentence = re.split(r"\.\s+(?=[A-Z])", " ".join(text.split()))[0].rstrip(".")
    return sentence if len(sentence) <= 70 else sentence[:67] + "..."


def run_list(args: argparse.Namespace) -> int:
    from orchestrion.datasets import get, names

    datasets = [get(name) for name in names()]
    if args.json:
        print(json.dumps([d.info() for d in datasets], indent=1))
        return 0
    width = max(len(d.name) for d in datasets)
    print(f"{'name':<{width}}  {'download':>9}  title")
    for data in datasets:
        title = data.title or _first_sentence(data.description)
        print(f"{data.name:<{width}}  {_size(data):>9}  {title}")
    print("\n'offline': in music21's corpus, no download; 'bring': put the files in "
          "ROOT/source yourself.\nAny folder of music files is a data set too: "
          "orchestrion dataset prepare FOLDER --root OUT")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from orchestrion.datasets import get

    data = get(args.name)
    facts = data.info()
    if args.json:
        print(json.dumps(facts, indent=1))
        return 0
    wrap = textwrap.TextWrapper(width=79, subsequent_indent="  ")
    print(data.name)
    for key in ("description", "licence", "citation", "homepage"):
        if facts.get(key):
            print(wrap.fill(f"{key}: {facts[key]}"))
    if not data.sources:
        print("download: none (" + ("in music21's corpus" if _in_music21(data)
                                    else "bring the files yourself") + ")")
    for source in data.sources:
        checksum = (f"sha256 {source.sha256}" if source.sha256 else
                    f"md5 {source.md5}" if source.md5 else
                    "checksum not published; recorded on first download")
        size = "size unknown" if source.size is None else f"{source.size:,} bytes"
        print(f"source: {source.url}\n  {source.filename}, {size}, {checksum}")
        for mirror in source.mirrors:
            print(f"  mirror: {mirror}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from orchestrion.datasets import get

    data = get(args.name)
    if _in_music21(data):
        folder = data.source_folder(args.root)
        print(f"{data.name}: nothing to download; its files are read from {folder}")
        return 0
    folder = data.download(args.root, progress=None if not args.quiet else False)
    print(f"{data.name}: {len(data.files(args.root))} files in {folder}")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    from orchestrion.datasets import prepare

    result = prepare(args.name, args.root, representation=args.representation,
                     splits=args.splits, seed=args.seed, jobs=args.jobs,
                     progress=False if args.quiet else None, force=args.force)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print(result.summary())
        if result.failures:
            print(f"failed ({len(result.failures)}; all listed in "
                  f"{Path(result.root) / 'manifest.json'}):")
            for piece_id, reason in list(result.failures.items())[:SHOWN_FAILURES]:
                print(f"  {piece_id}: {' '.join(reason.split())}")
            if len(result.failures) > SHOWN_FAILURES:
                print(f"  ... and {len(result.failures) - SHOWN_FAILURES} more")
    return 1 if args.strict and result.failures else 0


EPILOG = """\
examples:
  orchestrion dataset list
  orchestrion dataset info maestro-v3
  orchestrion dataset download maestro-v3 --root ~/data/maestro
  orchestrion dataset prepare bach-chorales --root ~/data/bach --representation mmt
  orchestrion dataset prepare maestro-v3 --root ~/data/maestro --splits 0.9,0.05,0.05
  orchestrion dataset prepare ~/my_midis --root ~/data/mine --jobs 4

NAME is a catalog data set (downloaded into ROOT), a collection of music21's corpus (no
download) or a folder of music files. `prepare` downloads when needed, converts every file
to ROOT/music/*.json (in --jobs processes, again only for files that changed), writes the
splits to ROOT/splits.json and, with --representation, training shards to
ROOT/shards/CODEC/. Files that fail are listed with the reason (all of them in
ROOT/manifest.json); the exit status is 0 unless --strict and something failed.
"""


def add_parser(commands: Any) -> None:
    """Add ``dataset`` and its subcommands to the main parser's subcommands."""
    dataset = commands.add_parser(
        "dataset", help="list, describe, download and prepare data sets",
        description="Data sets: the catalog of corpora, the offline collections of "
                    "music21's corpus and any folder of music files.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = dataset.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every data set, one line each")
    listing.add_argument("--json", action="store_true", help="every data set's metadata as JSON")
    listing.set_defaults(handler=run_list)

    info = actions.add_parser("info", help="description, licence, citation and sources")
    info.add_argument("name", metavar="NAME", help="a data set name (see `dataset list`)")
    info.add_argument("--json", action="store_true", help="one JSON object")
    info.set_defaults(handler=run_info)

    download = actions.add_parser(
        "download", help="download, verify and extract a catalog data set",
        description="Download NAME's archives into ROOT/downloads (verified, resumed after "
                    "an interruption, retried) and extract them into ROOT/source.")
    download.add_argument("name", metavar="NAME")
    download.add_argument("--root", metavar="DIR", type=Path, required=True,
                          help="the data set's folder")
    download.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    download.set_defaults(handler=run_download)

    prepare = actions.add_parser(
        "prepare", help="convert, split and shard a data set for training",
        description="Download NAME if needed, convert its files, split its pieces and "
                    "(with --representation) write training shards, all under ROOT.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    prepare.add_argument("name", metavar="NAME", help="data set name or folder")
    prepare.add_argument("--root", metavar="DIR", type=Path, required=True,
                         help="where the prepared data goes (the data set's folder)")
    prepare.add_argument("--representation", metavar="CODEC",
                         help="also encode the splits with this codec into shards "
                              "(note, pitch, event, pianoroll, mmt, remi)")
    prepare.add_argument("--splits", default="0.8,0.1,0.1", metavar="FRACTIONS",
                         help="split weights, as 0.8,0.1,0.1 (train, valid, test) or "
                              "train=0.9,test=0.1; divided by their sum (default: "
                              "%(default)s)")
    prepare.add_argument("--seed", type=int, default=0, help="seed of the splits (default 0)")
    prepare.add_argument("-j", "--jobs", type=positive, default=default_jobs(), metavar="N",
                         help="worker processes (default: the CPUs, at most 8: "
                              "%(default)s here)")
    prepare.add_argument("--force", action="store_true",
                         help="convert every file again, ignoring the manifest")
    prepare.add_argument("--strict", action="store_true",
                         help="exit with status 1 when any file or piece failed")
    prepare.add_argument("--json", action="store_true", help="the result as one JSON object")
    prepare.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    prepare.set_defaults(handler=run_prepare)
