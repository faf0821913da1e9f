"""``orchestrion generate -o OUT``: music from a Multitrack Music Transformer checkpoint."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

PROG = "orchestrion generate"

EPILOG = f"""\
examples:
  {PROG} -o song.mid                                     unconditioned, the shipped mmt-small
  {PROG} -o trio.mid --instruments piano,violin,cello --seed 1
  {PROG} -o more.musicxml --prompt bwv66.6.mxl --beats 16  continue the first 16 beats
  {PROG} -o take.mid --n 3 --seed 7                      take-1.mid, take-2.mid, take-3.mid
  {PROG} -o song.json --render song.wav --plot song.png  also audio and a piano roll
  {PROG} -o song.mid --model runs/mmt/best --top-k 0 --temperature 0.9

Modes: no --instruments and no --prompt is unconditioned generation (the model picks the
instruments); --instruments gives the instruments (General MIDI programs 0-127 or names:
the codec's 64 instrument names such as piano, violin, english-horn, or General MIDI names
such as "String Ensemble 1"); --prompt FILE --beats N continues the first N beats (quarter
notes) of FILE. Notes use only the declared instruments in every mode.

With --n N > 1 sample i (1-based) goes to OUT's name with -i before the extension, and
likewise for --render and --plot. Sample i has seed S + i - 1, so --seed S repeats them.
Without --seed a random one is used and printed. OUT's extension picks the format (.mid,
.musicxml, .json, ...: any format orchestrion writes). Every file is written whole or not
at all; with --render the SoundFont and synthesizer are checked before anything is
generated. docs/cli.md has more.
"""


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def add_parser(commands: Any) -> None:
    """Add ``generate`` to the main parser's subcommands."""
    from orchestrion.cli._args import non_negative, non_negative_int, positive
    from orchestrion.cli._outputs import add_output_options

    generate = commands.add_parser(
        "generate", help="generate multitrack music with a Multitrack Music Transformer",
        description=textwrap.fill(
            "Generate music with a Multitrack Music Transformer checkpoint: from nothing, "
            "for given instruments, or continuing the opening beats of a piece; write it to "
            "OUT and optionally render it to audio and draw its piano roll.", width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    generate.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                          help="the music file to write (.mid, .musicxml, .json, ...)")
    generate.add_argument("--model", metavar="NAME|DIR", default="mmt-small",
                          help="a shipped model's name or a checkpoint folder (default "
                               "mmt-small)")
    generate.add_argument("--instruments", metavar="LIST",
                          help="comma-separated instruments: programs or names "
                               "(piano,violin,cello)")
    generate.add_argument("--prompt", metavar="FILE", type=Path,
                          help="a music file to continue (needs --beats)")
    generate.add_argument("--beats", metavar="N", type=non_negative_int,
                          help="with --prompt: continue the prompt's first N beats")
    generate.add_argument("--seed", metavar="S", type=int, help="random seed (default random)")
    generate.add_argument("--n", metavar="N", type=positive, default=1,
                          help="number of pieces (default 1)")
    generate.add_argument("--temperature", metavar="T", type=non_negative, default=1.0,
                          help="sampling temperature for every field (default 1; 0 greedy)")
    generate.add_argument("--top-k", metavar="K", type=non_negative_int,
                          help="keep the K likeliest codes of every field (0: off; default "
                               "10%% of each field's codes, as the paper)")
    generate.add_argument("--top-p", metavar="P", type=_probability,
                          help="nucleus sampling mass for every field (default off)")
    generate.add_argument("--max-events", metavar="E", type=positive,
                          help="the most events per piece (default the model's, 1024)")
    add_output_options(generate, "each piece")
    generate.add_argument("--device", default="cpu",
                          help="torch device for the model (default cpu)")
    generate.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    generate.set_defaults(handler=run, subparser=generate)


def _check_options(args: argparse.Namespace) -> None:
    """Usage errors (exit 2) and unwritable outputs, before the model loads."""
    from orchestrion.cli._outputs import check_outputs
    from orchestrion.cli.convert import UsageError
    from orchestrion.errors import FormatError

    if args.prompt is not None and args.beats is None:
        raise UsageError("--prompt needs --beats N (how many beats of the prompt to continue)")
    if args.beats is not None and args.prompt is None:
        raise UsageError("--beats needs --prompt FILE")
    if args.prompt is not None and args.instruments is not None:
        raise UsageError("--instruments and --prompt exclude each other (a continuation "
                         "plays the prompt's instruments)")
    check_outputs(args.output, args.render, args.plot, args.soundfont)
    if args.prompt is not None and not args.prompt.is_file():
        raise FormatError("no such file", args.prompt)


def run(args: argparse.Namespace) -> int:
    """Generate ``--n`` pieces and write each (and its audio and piano roll)."""
    import orchestrion
    from orchestrion.cli._outputs import make_extras, renderer, write_extras
    from orchestrion.pipelines.mmt import MMTPipeline, output_paths

    _check_options(args)
    media = renderer(args.render, args.soundfont)  # fail before generating anything

    pipeline = MMTPipeline.from_pretrained(args.model, device=args.device)
    samples = pipeline.sample(
        instruments=args.instruments, prompt=args.prompt, beats=args.beats, n=args.n,
        seed=args.seed, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
        max_events=args.max_events)

    extras = [make_extras(s.music, args.render, args.plot, media) for s in samples]
    outputs = output_paths(args.output, args.n)
    audio_paths = output_paths(args.render, args.n) if args.render else [None] * args.n
    plot_paths = output_paths(args.plot, args.n) if args.plot else [None] * args.n
    for path in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
    for i, sample in enumerate(samples):
        orchestrion.write(sample.music, outputs[i])
        write_extras(extras[i], audio_paths[i], plot_paths[i])
        if not args.quiet:
            _report(sample, outputs[i], audio_paths[i], plot_paths[i])
    return 0


def _report(sample: Any, output: Path, audio: Path | None, plot: Path | None) -> None:
    music = sample.music
    beats = music.get_end_time() / music.resolution
    seconds = music.get_real_end_time()
    tracks = ", ".join(t.name or str(t.program) for t in music.tracks) or "none"
    print(f"wrote {output} ({sample.mode}, seed {sample.seed}): {music.n_notes} notes, "
          f"{len(music.tracks)} tracks ({tracks}), {beats:.1f} beats, {seconds:.1f} s; "
          f"{sample.n_events} events in {sample.seconds:.2f} s")
    for extra in (audio, plot):
        if extra is not None:
            print(f"wrote {extra}")
