"""``orchestrion train mmt --dataset NAME``: train a generative model from the shell."""

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
configs:
  debug   a tiny model for tests (0.05 M parameters; 200 steps)
  small   a CPU-sized model (3.6 M parameters; 512 events; warm-up 500, decay to
          0.1x at 10k steps, at most 15k; validation every 250)
  paper   the paper's model and schedule (19.9 M parameters; 1024 events, Adam 5e-4,
          5k warm-up, decay to 0.1x at 100k steps, batch 8, early stop after 20)
  FILE    a .yaml or .json file of fields (preset: small, batch_size: 16, model: {{...}})

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
"""


def add_parser(commands: Any) -> None:
    """Add ``train`` to the main parser's subcommands."""
    train = commands.add_parser(
        "train", help="train a generative model (mmt) on a data set",
        description=textwrap.fill(
            "Train FAMILY on a data set with PyTorch Lightning: the data set is prepared "
            "(downloaded, converted, split, encoded) under --data-root, then trained with "
            "validation, early stopping and checkpoints; the best weights end in OUT/model, "
            "a checkpoint folder that 'orchestrion generate --model OUT/model' loads.",
            width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("family", metavar="FAMILY", choices=("mmt",),
                       help="the model family: mmt (the Multitrack Music Transformer)")
    train.add_argument("--dataset", metavar="NAME", required=True,
                       help="a catalog data set, a music21 collection or a folder of music "
                            "files ('orchestrion dataset list')")
    train.add_argument("--config", metavar="CONFIG", default="small",
                       help="debug, small (default), paper, or a .yaml/.json file")
    train.add_argument("--out", metavar="DIR", type=Path, default=Path("runs/mmt"),
                       help="the run's folder (default runs/mmt)")
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
    words = ["orchestrion", "train", args.family, "--dataset", str(args.dataset),
             "--config", str(args.config), "--out", str(args.out)]
    for option in ("data_root", "devices", "accelerator", "max_steps", "batch_size", "seed",
                   "num_workers", "resume", "jobs"):
        value = getattr(args, option)
        if value is not None:
            words += ["--" + option.replace("_", "-"), str(value)]
    if args.quiet:
        words.append("--quiet")
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    from orchestrion.training import TrainingError, resolve_config, train

    if args.num_workers is not None and args.num_workers < 0:
        raise TrainingError(f"--num-workers must be >= 0, got {args.num_workers}")
    config = resolve_config(args.config)
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
    out = args.out
    print(f"model: {folder} (best val_loss {meta['val_loss']:.4f} at step "
          f"{meta['best_step']} of {meta['steps']})")
    print(f"lightning checkpoints: {out / 'lightning'} (resume with --resume last)")
    if meta.get("log"):
        print(f"log: {meta['log']}")
    print(f"data: {meta['data_root']}")
    return 0
