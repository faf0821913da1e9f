"""``orchestrion train mmt|arranger --dataset NAME``: train a model from the shell."""

from __future__ import annotations

import argparse
import shlex
import sys
import textwrap
from pathlib import Path
from typing import Any

from orchestrion.cli.dataset import default_jobs, positive

PROG = "orchestrion train"

EPILOG = f"""\
configs of mmt (--config):
  debug   a tiny model for tests (0.05 M parameters; 200 steps)
  small   a CPU-sized model (3.6 M parameters; 512 events; warm-up 500, decay to
          0.1x at 10k steps, at most 15k; validation every 250)
  paper   the paper's model and schedule (19.9 M parameters; 1024 events, Adam 5e-4,
          5k warm-up, decay to 0.1x at 100k steps, batch 8, early stop after 20)
  FILE    a .yaml or .json file of fields (preset: small, batch_size: 16, model: {{...}})

configs of arranger (--config; --model picks the kind):
  paper   the paper's recipe: batch 16 of 500-note crops, Adam 1e-3, transposition -5..+6,
          validation on the first 2,000 notes of each piece every 40 steps, early stop
          after 10 validations, at most 4,000 steps (the default)
  debug   a tiny model for tests (60 steps)
  kinds   lstm (online, 3x128), bilstm (offline, 3x(64+64), with durations), transformer
          (online, 3 blocks, d 128), bitransformer (offline)

output (under --out):
  data/          the prepared data set (--data-root; re-runs reuse it)
  logs/          metrics.csv per run (logs/version_N/), or TensorBoard events
  lightning/     Lightning checkpoints: last.ckpt and the best by val_loss
  model/         the best weights: config.json + model.safetensors

examples:
  {PROG} mmt --dataset bach-chorales --config small --out runs/bach
  {PROG} mmt --dataset my_midi_folder/ --config debug --max-steps 50
  {PROG} mmt --dataset bach-chorales --out runs/bach --resume last
  {PROG} mmt --dataset sod --config paper --devices 4 --accelerator gpu   (DDP, bf16)
  {PROG} arranger --dataset bach-chorales --model bilstm --out runs/bach-bilstm
  {PROG} arranger --dataset string-quartets --model lstm --hints entry --duration
"""


def add_parser(commands: Any) -> None:
    """Add ``train`` to the main parser's subcommands."""
    train = commands.add_parser(
        "train", help="train a model (mmt, arranger) on a data set",
        description=textwrap.fill(
            "Train FAMILY on a data set with PyTorch Lightning: the data set is prepared "
            "(downloaded, converted, split, encoded) under --data-root, then trained with "
            "validation, early stopping and checkpoints; the best weights end in OUT/model, "
            "a checkpoint folder that 'orchestrion generate --model OUT/model' (mmt) or "
            "'orchestrion arrange --model OUT/model' (arranger) loads.",
            width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("family", metavar="FAMILY", choices=("mmt", "arranger"),
                       help="the model family: mmt (the Multitrack Music Transformer) or "
                            "arranger (automatic instrumentation)")
    train.add_argument("--dataset", metavar="NAME", required=True,
                       help="a catalog data set, a music21 collection or a folder of music "
                            "files ('orchestrion dataset list')")
    train.add_argument("--config", metavar="CONFIG",
                       help="mmt: debug, small (default), paper; arranger: paper (default), "
                            "debug; or a .yaml/.json file")
    train.add_argument("--out", metavar="DIR", type=Path,
                       help="the run's folder (default runs/FAMILY)")
    from orchestrion.models.arranger.config import KINDS

    train.add_argument("--model", metavar="KIND", choices=KINDS,
                       help="arranger: the model kind (default bilstm)")
    train.add_argument("--hints", choices=("none", "entry", "pitch", "both"),
                       help="arranger: the hints the model reads (default none)")
    train.add_argument("--duration", action=argparse.BooleanOptionalAction, default=None,
                       help="arranger: read note durations (default: on for bilstm only)")
    train.add_argument("--data-root", metavar="DIR", type=Path,
                       help="where the data set is prepared (default OUT/data)")
    train.add_argument("--devices", metavar="N", type=positive,
                       help="devices per node (more than 1: DDP)")
    train.add_argument("--accelerator", choices=("auto", "cpu", "gpu"),
                       help="cpu, gpu, or auto (a GPU when there is one; the default)")
    train.add_argument("--max-steps", metavar="N", type=positive, help="optimiser steps")
    train.add_argument("--batch-size", metavar="B", type=positive,
                       help="sequences per step and device")
    train.add_argument("--seed", metavar="S", type=int, help="random seed")
    train.add_argument("--num-workers", metavar="W", type=int,
                       help="data loader processes (default 0: in the training process)")
    train.add_argument("--resume", metavar="CKPT",
                       help="continue from a Lightning checkpoint (.ckpt), or 'last' for "
                            "OUT/lightning/last.ckpt")
    train.add_argument("--jobs", metavar="N", type=positive, default=None,
                       help="processes for the data preparation (default: the CPUs, at "
                            "most 8)")
    train.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no stage lines (the summary is printed)")
    train.set_defaults(handler=run, subparser=train)


def _command(args: argparse.Namespace) -> str:
    """The command line as typed (``sys.argv``) when this process runs ``orchestrion train``,
    else (``main([...])`` from Python) the equivalent one rebuilt from ``args``."""
    argv = sys.argv[1:]
    if argv[:2] == ["train", args.family]:
        return shlex.join(["orchestrion", *argv])
    words = ["orchestrion", "train", args.family, "--dataset", str(args.dataset)]
    for option in ("config", "out", "model", "hints", "data_root", "devices", "accelerator",
                   "max_steps", "batch_size", "seed", "num_workers", "resume", "jobs"):
        value = getattr(args, option)
        if value is not None:
            words += ["--" + option.replace("_", "-"), str(value)]
    if args.duration is not None:
        words.append("--duration" if args.duration else "--no-duration")
    if args.quiet:
        words.append("--quiet")
    return shlex.join(words)


def _arranger_model(config: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The config's model overrides with --hints and --duration applied."""
    model = dict(config.model)
    if args.hints is not None:
        model["entry_hints"] = args.hints in ("entry", "both")
        model["pitch_hints"] = args.hints in ("pitch", "both")
    if args.duration is not None:
        model["use_duration"] = args.duration
    return model


def run(args: argparse.Namespace) -> int:
    from orchestrion.training import TrainingError, resolve_config, train
    from orchestrion.training.trainer import config_class

    if args.num_workers is not None and args.num_workers < 0:
        raise TrainingError(f"--num-workers must be >= 0, got {args.num_workers}")
    family_options = [f"--{name}" for name in ("model", "hints", "duration")
                      if getattr(args, name) is not None]
    if args.family != "arranger" and family_options:
        raise TrainingError(f"{', '.join(family_options)}: options of the arranger family")
    config = resolve_config(args.config, *config_class(args.family))
    if args.family == "arranger":
        config = config.replace(kind=args.model, model=_arranger_model(config, args))
    if args.quiet:
        import logging

        config = config.replace(progress=False)
        logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
    command = _command(args)

    def echo(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    folder = train(args.family, args.dataset, config=config, out=args.out,
                   data_root=args.data_root, resume=args.resume,
                   jobs=args.jobs or default_jobs(), command=command, echo=echo,
                   devices=args.devices, accelerator=args.accelerator,
                   max_steps=args.max_steps, batch_size=args.batch_size, seed=args.seed,
                   num_workers=args.num_workers)
    import json

    from lightning.pytorch.utilities import rank_zero_only

    if getattr(rank_zero_only, "rank", 0) != 0:  # another DDP process: rank 0 reports
        return 0
    meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))["training"]
    accuracy = f", val accuracy {meta['val_accuracy'] * 100:.2f}%" if "val_accuracy" in meta \
        else ""
    print(f"model: {folder} (best val_loss {meta['val_loss']:.4f}{accuracy} at step "
          f"{meta['best_step']} of {meta['steps']})")
    print(f"lightning checkpoints: {folder.parent / 'lightning'} (resume with --resume last)")
    if meta.get("log"):
        print(f"log: {meta['log']}")
    print(f"data: {meta['data_root']}")
    return 0
