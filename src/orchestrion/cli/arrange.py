"""``orchestrion arrange``: spread a one-part piece over instruments, or score a method."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

PROG = "orchestrion arrange"
DEFAULT_MODEL = "bach-bilstm"
DEFAULT_ONLINE_MODEL = "bach-lstm"

EPILOG = f"""\
methods (--model):
  bach-bilstm       shipped, offline BiLSTM with durations; S/A/T/B as flute, oboe,
                    bassoon, clarinet (the default)
  bach-lstm         shipped, online LSTM (reads only the notes before each note;
                    the default with --online)
  quartet-bilstm    shipped, offline BiLSTM; violin I, violin II, viola, cello
  DIR               a checkpoint folder from 'orchestrion train arranger'
  most-common, zone, zone-permute, closest-pitch, closest-pitch-mono
                    baselines, for --eval (fitted on the data set's training split)

examples:
  {PROG} chorale_piano.mid -o chorale_winds.mid
  {PROG} melody_and_chords.musicxml -o quartet.mid --model quartet-bilstm
  {PROG} piece.mid -o piece.mid --online --render piece.wav --plot piece.png
  {PROG} --model bach-bilstm --eval bach-chorales                note accuracy on the test split
  {PROG} --model zone --eval string-quartets --split valid --json

Arranging: the pitched tracks of IN are merged into one part (drums are kept as they are),
the model predicts each note's part, and OUT has one track per part with IN's timing,
velocities, tempos and signatures. Methods with hints read them from IN's own tracks.
Evaluating: the data set is prepared under --root (default $ORCHESTRION_DATA/NAME or
~/.cache/orchestrion/data/NAME) with the splits the model was trained with; the report gives
the note accuracy over all notes of the split, per-part accuracy and the confusion matrix.
"""


def add_parser(commands: Any) -> None:
    """Add ``arrange`` to the main parser's subcommands."""
    from orchestrion.cli._args import positive
    from orchestrion.cli._outputs import add_output_options

    arrange = commands.add_parser(
        "arrange", help="spread a one-part piece over instruments (automatic instrumentation)",
        description=textwrap.fill(
            "Automatic instrumentation: predict the part of every note of IN with a trained "
            "model and write the piece with one instrument per part; or, with --eval, score "
            "a model or a baseline on a data set's split.", width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    arrange.add_argument("input", metavar="IN", type=Path, nargs="?",
                         help="the music file to arrange (any format orchestrion reads)")
    arrange.add_argument("-o", "--output", metavar="OUT", type=Path,
                         help="the arranged music file (.mid, .musicxml, .json, ...)")
    arrange.add_argument("--model", metavar="M",
                         help=f"a shipped model, a checkpoint folder or (with --eval) a "
                              f"baseline (default {DEFAULT_MODEL}; {DEFAULT_ONLINE_MODEL} "
                              f"with --online)")
    arrange.add_argument("--online", action="store_true",
                         help="use an online model (each note's part from the notes before "
                              "it only)")
    add_output_options(arrange, "the arrangement")
    arrange.add_argument("--eval", metavar="NAME",
                         help="score the method on data set NAME instead of arranging")
    arrange.add_argument("--split", default="test", help="the split to score (default test)")
    arrange.add_argument("--root", metavar="DIR", type=Path,
                         help="where the data set is prepared for --eval")
    arrange.add_argument("--jobs", metavar="N", type=positive, default=None,
                         help="processes for preparing the data set (default: the CPUs, at "
                              "most 8)")
    arrange.add_argument("--json", action="store_true", help="print the --eval report as JSON")
    arrange.add_argument("--device", default="cpu", help="torch device (default cpu)")
    arrange.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    arrange.set_defaults(handler=run, subparser=arrange)


def _method(args: argparse.Namespace) -> str:
    from orchestrion.cli.convert import UsageError

    if args.model is None:
        return DEFAULT_ONLINE_MODEL if args.online else DEFAULT_MODEL
    from orchestrion.models.arranger import BASELINES

    if args.model in BASELINES and args.eval is None:
        raise UsageError(f"--model {args.model} is a baseline, fitted on a data set: use it "
                         f"with --eval NAME (arranging needs a trained model)")
    return str(args.model)


def run(args: argparse.Namespace) -> int:
    from orchestrion.cli.convert import UsageError

    method = _method(args)
    if args.eval is not None:
        if args.input is not None or args.output is not None:
            raise UsageError("--eval scores a method on a data set: give no IN or -o")
        return _evaluate(args, method)
    if args.input is None or args.output is None:
        raise UsageError("give IN and -o OUT (or --eval NAME)")
    return _arrange(args, method)


def _evaluate(args: argparse.Namespace, method: str) -> int:
    from orchestrion.cli.dataset import default_jobs
    from orchestrion.pipelines.arranger import ArrangerError, evaluate

    report = evaluate(method, args.eval, split=args.split, root=args.root,
                      jobs=args.jobs or default_jobs(), device=args.device,
                      progress=None if not args.quiet else False)
    if args.online and not report["online"]:
        raise ArrangerError(f"--online: {method} is an offline method")
    if args.json:
        from orchestrion.cli.evaluate import jsonable

        print(json.dumps(jsonable(report), indent=1, allow_nan=False))
        return 0
    if args.quiet:
        return 0
    kind = "online" if report["online"] else "offline"
    hints = ", hints" if report["hints"] else ""
    print(f"{method} ({kind}{hints}) on {report['dataset']} {report['split']}: "
          f"{report['accuracy'] * 100:.2f}% of {report['notes']:,} notes correct "
          f"({report['pieces']} pieces; {report['notes_per_second']:,} notes/s)")
    names = list(report["per_part"])
    width = max(len(name) for name in names)
    print(f"  {'part':<{width}}  {'notes':>7}  {'accuracy':>8}   confusion (predicted: "
          + " ".join(f"{i}" for i in range(len(names))) + ")")
    for i, name in enumerate(names):
        part = report["per_part"][name]
        row = " ".join(f"{n}" for n in report["confusion"][i])
        accuracy = f"{part['accuracy'] * 100:>7.2f}%" if part["notes"] else f"{'-':>8}"
        print(f"  {name:<{width}}  {part['notes']:>7,}  {accuracy}   {i}: {row}")
    return 0


def _arrange(args: argparse.Namespace, method: str) -> int:
    import orchestrion
    from orchestrion.cli._outputs import check_outputs, make_extras, renderer, write_extras
    from orchestrion.pipelines.arranger import Arranger, ArrangerError

    check_outputs(args.output, args.render, args.plot, args.soundfont)
    media = renderer(args.render, args.soundfont)  # fail before doing any work
    arranger = Arranger.load(method, device=args.device)
    if args.online and not arranger.online:
        raise ArrangerError(f"--online: {method} is an offline model "
                            f"({arranger.config.kind}); use an online one such as "
                            f"{DEFAULT_ONLINE_MODEL}")
    music = orchestrion.read(args.input)
    started = time.perf_counter()
    arranged = arranger.arrange(music)
    seconds = time.perf_counter() - started

    extras = make_extras(arranged, args.render, args.plot, media)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    orchestrion.write(arranged, args.output)
    write_extras(extras, args.render, args.plot)
    if not args.quiet:
        n_notes = sum(len(t.notes) for t in arranged.tracks if not t.is_drum)
        parts = ", ".join(f"{t.name} {len(t.notes)}" for t in arranged.tracks
                          if not t.is_drum)
        rate = f"{n_notes / seconds:,.0f} notes/s" if seconds > 0 else ""
        print(f"wrote {args.output}: {n_notes} notes over {len(arranger.parts)} parts "
              f"({parts}) with {method} in {seconds:.2f} s ({rate})", file=sys.stdout)
        for extra in (args.render, args.plot):
            if extra is not None:
                print(f"wrote {extra}")
    return 0
