"""``orchestrion render IN OUT.wav``: a music file rendered to audio with a GM SoundFont."""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path
from typing import Any

from orchestrion.cli._args import non_negative

PROG = "orchestrion render"
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")

EPILOG = f"""\
examples:
  {PROG} song.mid song.wav                      stereo, 44.1 kHz, 16-bit WAV
  {PROG} song.mid song.flac --sample-rate 22050 --mono
  {PROG} quartet.mxl mix.wav --stems stems/     also stems/00-Violin I.wav, 01-..., ...
  {PROG} song.mid song.wav --soundfont ~/sf/MuseScore_General.sf3
  {PROG} song.mid song.wav --humanize 7         a humanised performance (seed 7)
  {PROG} song.mid take7.wav --humanize 7 --alignment take7.json
                                                ... and its note alignment (paired data)

IN is any file orchestrion reads (by its extension); OUT's extension (.wav, .flac or .ogg)
picks the audio format. The SoundFont is --soundfont, else $ORCHESTRION_SOUNDFONT, else a
General MIDI SoundFont in the system's usual places (Debian/Ubuntu: sudo apt-get install
fluid-soundfont-gm). A mix that would clip is turned down, stems by the same factor, so the
stems add up to the mix. Files are written whole or not at all. Needs the audio extra and
a synthesizer: pip install 'orchestrion[audio]' and pip install --no-deps tinysoundfont.
docs/audio.md has more.
"""


def sample_rate(text: str) -> int:
    """An argparse type: a sample rate in Hz, 8000-192000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 8000 <= value <= 192000:
        raise argparse.ArgumentTypeError(f"must be 8000-192000 Hz, got {value}")
    return value


def add_parser(commands: Any) -> None:
    """Add ``render`` to the main parser's subcommands."""
    render = commands.add_parser(
        "render", help="render a music file to audio (WAV, FLAC, Ogg) with a SoundFont",
        description=textwrap.fill("Render IN to audio with a General MIDI SoundFont: every "
                                  "track with its instrument, drums on the drum kit, tempo "
                                  "changes, velocities and the sustain pedal; write OUT and, "
                                  "with --stems, one file per track.", width=79),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    render.add_argument("source", metavar="IN", type=Path, help="a music file")
    render.add_argument("target", metavar="OUT", type=Path,
                        help="the audio file to write: .wav, .flac or .ogg")
    render.add_argument("--soundfont", metavar="SF", type=Path,
                        help="the SoundFont (.sf2/.sf3) to render with")
    render.add_argument("--stems", metavar="DIR", type=Path,
                        help="also write each track alone to DIR/NN-<name>.EXT (OUT's "
                             "extension)")
    render.add_argument("--sample-rate", metavar="SR", type=sample_rate, default=44100,
                        help="sample rate in Hz (default 44100)")
    render.add_argument("--mono", action="store_true", help="one channel instead of two")
    render.add_argument("--humanize", metavar="SEED", type=int,
                        help="render a humanised performance (timing and dynamics varied "
                             "with this random seed)")
    render.add_argument("--alignment", metavar="FILE", type=Path,
                        help="with --humanize: also write the performance's note alignment "
                             "(score and performed times of every note) as .json or .npz")
    render.add_argument("--engine", choices=("tinysoundfont", "fluidsynth"),
                        help="the synthesizer (default: tinysoundfont when installed, else "
                             "fluidsynth)")
    render.add_argument("--gain", metavar="G", type=non_negative,
                        help="linear gain on the engine's level (default 1; a mix that "
                             "would clip is turned down anyway)")
    render.add_argument("--tail", metavar="SECONDS", type=non_negative, default=1.0,
                        help="seconds rendered after the last note ends (default 1)")
    render.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    render.set_defaults(handler=run, subparser=render)


def stem_filename(label: str, extension: str) -> str:
    """A file name for a stem labelled ``NN-name``: path separators and control characters
    replaced, so a track name cannot point outside the folder."""
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", "_", label).strip(" .") or "track"
    return f"{name}{extension}"


def run(args: argparse.Namespace) -> int:
    """Read IN, render it and write OUT (and the stems), each file atomically."""
    import orchestrion
    from orchestrion.audio import render
    from orchestrion.cli.convert import UsageError
    from orchestrion.errors import FormatError

    extension = args.target.suffix.lower()
    if extension not in AUDIO_EXTENSIONS:
        raise UsageError(f"{args.target}: OUT must end in {', '.join(AUDIO_EXTENSIONS)}")
    if args.target.is_dir():
        raise FormatError("is a folder; give OUT a file name", args.target)
    if args.stems is not None and args.stems.exists() and not args.stems.is_dir():
        raise FormatError("--stems must be a folder", args.stems)
    if args.gain == 0:
        raise UsageError("--gain must be positive")
    if args.alignment is not None and args.humanize is None:
        raise UsageError("--alignment needs --humanize SEED (a score is its own alignment)")
    if args.alignment is not None and args.alignment.suffix.lower() not in (".json", ".npz"):
        raise UsageError(f"{args.alignment}: --alignment must end in .json or .npz")
    music = orchestrion.read(args.source)
    performance = None
    if args.humanize is not None:
        from orchestrion.audio.humanize import humanize
        performance = humanize(music, seed=args.humanize)
        music = performance.music
    rendering = render(music, soundfont=args.soundfont, sample_rate=args.sample_rate,
                       channels=1 if args.mono else 2, stems=args.stems is not None,
                       gain=args.gain, engine=args.engine, tail=args.tail)
    from orchestrion.audio.audiofile import write_audio

    write_audio(args.target, rendering.audio, rendering.sample_rate)
    written = [args.target]
    if rendering.stems is not None:
        args.stems.mkdir(parents=True, exist_ok=True)
        for label, audio in rendering.stems.items():
            path = args.stems / stem_filename(label, extension)
            write_audio(path, audio, rendering.sample_rate)
            written.append(path)
    if performance is not None and args.alignment is not None:
        performance.save(args.alignment)
    if not args.quiet:
        shape = f"{rendering.duration:.1f} s, {rendering.sample_rate} Hz, " \
                f"{'mono' if rendering.channels == 1 else 'stereo'}"
        print(f"wrote {args.target} ({shape}; {rendering.engine}, "
              f"{rendering.soundfont.name if rendering.soundfont else '?'})")
        if len(written) > 1:
            print(f"wrote {len(written) - 1} stems to {args.stems}")
        if performance is not None and args.alignment is not None:
            print(f"wrote {args.alignment} (the note alignment of the performance, "
                  f"seed {args.humanize})")
    return 0
