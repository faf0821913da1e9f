"""The ``orchestrion`` command: argument parsing, dispatch and the exit-status contract.

Exit status: 0 success; 1 an error (any :class:`~orchestrion.errors.OrchestrionError` or
``OSError``, printed as one line ``orchestrion: error: <message>`` on stderr, no traceback),
or a folder conversion in which some file failed; 2 a usage error (argparse's); 130
interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from orchestrion import __version__
from orchestrion.errors import FormatError, OrchestrionError
from orchestrion.io.registry import formats

PROG = "orchestrion"


def _format_list() -> str:
    width = max(len(fmt.name) for fmt in formats())
    return "\n".join(f"  {fmt.name:<{width}} {', '.join(fmt.extensions)}"
                     + ("" if fmt.can_write else "  (read only)") for fmt in formats())


MAIN_EPILOG = f"""\
examples:
  {PROG} info song.mid
  {PROG} info song.mid --json
  {PROG} convert song.mid song.json
  {PROG} convert midi_folder/ json_folder/ --to json
  {PROG} dataset list
  {PROG} dataset prepare bach-chorales --root data/bach --representation mmt
  {PROG} evaluate samples/ --reference data/bach/music
  {PROG} plot song.mid -o song.png
  {PROG} render song.mid song.wav --stems stems/
  {PROG} train mmt --dataset multipart --out runs/mmt
  {PROG} generate --model runs/mmt/model --instruments violin,viola,cello -o trio.mid
  {PROG} arrange chorale_piano.mid -o chorale_winds.mid --render winds.wav
  {PROG} arrange --model bach-bilstm --eval bach-chorales

Run '{PROG} COMMAND --help' for the options of a command (docs/cli.md has more).
"""

INFO_EPILOG = f"""\
examples:
  {PROG} info song.mid                 aligned text: resolution, length, tempos, tracks, ...
  {PROG} info song.mid --json          one JSON object (keys listed in docs/cli.md)
  {PROG} info song.mid --json | jq .end_seconds
"""


def _convert_epilog() -> str:
    return f"""\
formats (by extension):
{_format_list()}

examples:
  {PROG} convert song.mid song.json                 the extension of OUT picks the format
  {PROG} convert song.json song.mid --force         overwrite song.mid if it exists
  {PROG} convert midi/ yaml/ --to yaml              every readable file under midi/, kept in
                                                    the same subfolders, as .yaml under yaml/
  {PROG} convert midi/ json/ --to json.gz           gzipped JSON (.json.gz)
  {PROG} convert midi/ json/ --to json --skip-existing   resume an interrupted run

A folder conversion goes on past files that fail and ends with a summary on stdout
("N converted, M failed" and one "path: reason" line per failed file); its exit status is 1
when any file failed. Existing output files are an error unless --force or --skip-existing.
"""


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=79)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``orchestrion`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="orchestrion: symbolic music toolkit and generative models.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    info = commands.add_parser(
        "info",
        help="describe a music file (tracks, notes, length, tempos, signatures)",
        description=_wrap("Print what a music file holds: resolution, end time in ticks "
                          "and seconds, tempos, key and time signatures, the title, and "
                          "each track's program (number and General MIDI instrument), drum "
                          "flag, name and number of notes."),
        epilog=INFO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.add_argument("file", metavar="FILE", type=Path,
                      help="a music file in a format orchestrion reads (by its extension)")
    info.add_argument("--json", action="store_true",
                      help="print one JSON object instead of text (stable keys)")
    info.set_defaults(handler=_run_info)

    convert = commands.add_parser(
        "convert",
        help="convert a file, or a folder of files, to another format",
        description=_wrap("Convert IN to OUT. IN is a file (OUT's extension names the "
                          "output format) or a folder (every file under it that orchestrion "
                          "reads is converted to --to FORMAT, mirrored under the folder "
                          "OUT)."),
        epilog=_convert_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("source", metavar="IN", type=Path, help="input file or folder")
    convert.add_argument("target", metavar="OUT", type=Path, help="output file or folder")
    convert.add_argument("--to", metavar="FORMAT",
                         help="output format, required when IN is a folder: a format name "
                              f"({', '.join(f.name for f in formats() if f.can_write)}) "
                              "or one of its extensions (mid, mxl, json.gz, yml, ...); for "
                              "a single file it must agree with OUT's extension")
    existing = convert.add_mutually_exclusive_group()
    existing.add_argument("-f", "--force", action="store_true",
                          help="overwrite output files that already exist")
    existing.add_argument("--skip-existing", action="store_true",
                          help="leave output files that already exist and go on (counted "
                               "as skipped)")
    convert.add_argument("-q", "--quiet", action="store_true",
                         help="no progress bar and no 'converted' line (the summary of a "
                              "folder conversion is still printed)")
    convert.set_defaults(handler=_run_convert, subparser=convert)

    from orchestrion.cli import dataset, evaluate
    dataset.add_parser(commands)
    from orchestrion.cli import plot
    plot.add_parser(commands)
    evaluate.add_parser(commands)
    from orchestrion.cli import render
    render.add_parser(commands)
    from orchestrion.cli import train
    train.add_parser(commands)
    from orchestrion.cli import generate
    generate.add_parser(commands)
    from orchestrion.cli import arrange
    arrange.add_parser(commands)
    return parser


def _run_info(args: argparse.Namespace) -> int:
    import orchestrion
    from orchestrion.cli import info
    from orchestrion.io.registry import format_of

    music = orchestrion.read(args.file)
    facts = info.describe(music, args.file, format_of(args.file).name)
    print(info.to_json(facts) if args.json else info.to_text(facts))
    return 0


def _run_convert(args: argparse.Namespace) -> int:
    from orchestrion.cli import convert

    source: Path = args.source
    if not source.exists():
        raise FormatError("no such file or folder", source)
    options = {"force": args.force, "skip_existing": args.skip_existing, "quiet": args.quiet}
    if source.is_dir():
        if args.to is None:
            raise convert.UsageError(f"{source} is a folder: --to FORMAT is required to "
                                     "convert a folder")
        return convert.convert_folder(source, args.target, args.to, **options)
    return convert.convert_file(source, args.target, to=args.to, **options)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _os_message(error: OSError) -> str:
    if error.strerror and error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def _error(message: str) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    from orchestrion.cli.convert import UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        try:
            return int(args.handler(args))
        except UsageError as error:
            args.subparser.error(str(error))  # prints usage, raises SystemExit(2)
            raise  # pragma: no cover
    except SystemExit as exit_:  # --help, --version and usage errors
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except OrchestrionError as error:
        _error(str(error))
    except BrokenPipeError:  # e.g. `orchestrion info x.mid | head -1`
        # Python would complain again when flushing stdout at exit; point it at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError as error:
        _error(_os_message(error))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 1
