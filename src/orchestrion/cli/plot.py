"""``orchestrion plot IN -o OUT``: a piano roll or an engraved score of a music file."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

from orchestrion.cli._args import positive

PROG = "orchestrion plot"

EPILOG = f"""\
examples:
  {PROG} song.mid -o song.png                       piano roll, 1600x800 pixels
  {PROG} song.mid -o song.svg --seconds             piano roll over time in seconds
  {PROG} song.mid -o roll.png --width 3000 --height 1000 --dpi 150
  {PROG} song.mid -o roll.png --tracks 0,2          only tracks 0 and 2
  {PROG} chorale.mxl -o chorale.svg --kind score    engraved score, page 1 (verovio)
  {PROG} chorale.mxl -o chorale.png --kind score --page all
                                                    every page: chorale-1.png, chorale-2.png, ...

IN is any file orchestrion reads (by its extension); OUT's extension (.png or .svg) picks
the picture format. OUT is written whole or not at all (a temporary file in its folder,
renamed when done); an existing OUT is replaced. Needs the viz extra:
pip install 'orchestrion[viz]'. docs/viz.md describes the pictures.
"""


def page_number(text: str) -> int | str:
    """An argparse type: a page number >= 1 or ``all``."""
    return "all" if text.strip().lower() == "all" else positive(text)


def track_list(text: str) -> list[int]:
    """An argparse type: comma-separated track indices (``0,2``)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of track numbers: {text!r}") from None


def add_parser(commands: Any) -> None:
    """Add ``plot`` to the main parser's subcommands."""
    plot = commands.add_parser(
        "plot", help="draw a piano roll or an engraved score as PNG or SVG",
        description=textwrap.fill("Draw IN as a piano roll (matplotlib; the default) or an "
                                  "engraved score (MusicXML engraved by verovio) and write "
                                  "the picture to OUT.", width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    plot.add_argument("source", metavar="IN", type=Path, help="a music file")
    plot.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                      help="the picture to write: .png or .svg")
    plot.add_argument("--kind", choices=("pianoroll", "score"), default="pianoroll",
                      help="piano roll (default) or engraved score")
    plot.add_argument("--width", metavar="W", type=positive,
                      help="picture width in pixels (default 1600; a score 1200)")
    plot.add_argument("--height", metavar="H", type=positive,
                      help="picture height in pixels (default 800; a score's page fits "
                           "its content)")
    plot.add_argument("--dpi", metavar="D", type=positive,
                      help="piano roll only: dots per inch, the size of text and lines "
                           "against the picture (default 100)")
    plot.add_argument("--seconds", action="store_true",
                      help="piano roll only: time axis in seconds (default quarter notes)")
    plot.add_argument("--tracks", metavar="LIST", type=track_list,
                      help="piano roll only: the tracks to draw, as indices (0,2)")
    plot.add_argument("--page", metavar="N", type=page_number, default=1,
                      help="score only: the page to write (default 1), or 'all': every "
                           "page, as OUT-1.png, OUT-2.png, ...")
    plot.set_defaults(handler=run, subparser=plot)


def _check_options(args: argparse.Namespace) -> None:
    from orchestrion.cli.convert import UsageError

    if args.output.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"{args.output}: OUT must end in .png or .svg")
    if args.kind == "score":
        misplaced = [flag for flag, value in (("--dpi", args.dpi), ("--seconds", args.seconds),
                                              ("--tracks", args.tracks)) if value]
        if misplaced:
            raise UsageError(f"{', '.join(misplaced)}: piano roll options, not for --kind "
                             "score")
    elif args.page != 1:
        raise UsageError("--page: a score option, not for --kind pianoroll")


def run(args: argparse.Namespace) -> int:
    """Read IN, draw it and write OUT (atomically)."""
    import orchestrion
    from orchestrion.cli.convert import UsageError
    from orchestrion.errors import OrchestrionError
    from orchestrion.viz import render_score, save_pianoroll

    _check_options(args)
    music = orchestrion.read(args.source)
    try:
        if args.kind == "score":
            options: dict[str, Any] = {"page": args.page}
            if args.width:
                options["width"] = args.width
            if args.height:
                options["height"] = args.height
            written = render_score(music, args.output, **options)
        else:
            written = [save_pianoroll(
                music, args.output, width=args.width or 1600, height=args.height or 800,
                dpi=args.dpi or 100, time="seconds" if args.seconds else "beats",
                tracks=args.tracks)]
    except OrchestrionError:
        raise
    except (IndexError, ValueError) as error:  # a size or track the picture cannot have
        raise UsageError(str(error)) from None
    for path in written:
        print(f"wrote {path}")
    return 0
