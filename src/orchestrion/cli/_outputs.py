"""The ``--render`` / ``--soundfont`` / ``--plot`` outputs that ``generate`` and ``arrange``
share: their options, the checks made before any work, and making and writing them.

Audio and pictures are made in memory before any file is written, so an error there leaves
nothing behind; each file is then written atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from orchestrion.core.model import Music

__all__ = ["Extras", "add_output_options", "check_outputs", "make_extras", "renderer",
           "write_extras"]

PLOT_EXTENSIONS = (".png", ".svg")


def add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--render WAV``, ``--soundfont SF`` and ``--plot PNG`` for ``what`` ("each piece")."""
    parser.add_argument("--render", metavar="WAV", type=Path,
                        help=f"also render {what} to audio (.wav, .flac or .ogg)")
    parser.add_argument("--soundfont", metavar="SF", type=Path,
                        help="with --render: the SoundFont (.sf2/.sf3) to use")
    parser.add_argument("--plot", metavar="PNG", type=Path,
                        help=f"also draw {what}'s piano roll (.png or .svg)")


def check_outputs(output: Path, render: Path | None, plot: Path | None,
                  soundfont: Path | None) -> None:
    """Usage errors (exit 2) and outputs that cannot be written, before any work."""
    from orchestrion.cli.convert import UsageError
    from orchestrion.cli.render import AUDIO_EXTENSIONS
    from orchestrion.errors import FormatError
    from orchestrion.io.registry import format_of

    if soundfont is not None and render is None:
        raise UsageError("--soundfont needs --render")
    fmt = format_of(output)
    if not fmt.can_write:
        raise FormatError(f"orchestrion cannot write {fmt.name} files", output)
    if render is not None and render.suffix.lower() not in AUDIO_EXTENSIONS:
        raise UsageError(f"{render}: --render must end in {', '.join(AUDIO_EXTENSIONS)}")
    if plot is not None and plot.suffix.lower() not in PLOT_EXTENSIONS:
        raise UsageError(f"{plot}: --plot must end in .png or .svg")
    for path in (output, render, plot):
        if path is not None and path.is_dir():
            raise FormatError("is a folder; give a file name", path)


def renderer(render: Path | None, soundfont: Path | None) -> tuple[Any, Any]:
    """``(engine, soundfont)`` for ``--render`` (found now, so a missing SoundFont fails
    before any work), or ``(None, None)`` without it."""
    if render is None:
        return None, None
    from orchestrion.audio._engines import choose_engine
    from orchestrion.audio.soundfont import find_soundfont

    return choose_engine(None), find_soundfont(soundfont)


class Extras:
    """The audio (a ``Rendering``) and piano roll (PNG/SVG bytes) of one piece, or None."""

    def __init__(self, audio: Any = None, picture: bytes | None = None) -> None:
        self.audio = audio
        self.picture = picture


def make_extras(music: Music, render: Path | None, plot: Path | None,
                engine_and_soundfont: tuple[Any, Any]) -> Extras:
    """Render and draw ``music`` in memory as asked."""
    extras = Extras()
    engine, soundfont = engine_and_soundfont
    if render is not None:
        from orchestrion.audio import render as render_audio

        extras.audio = render_audio(music, soundfont=soundfont, engine=engine)
    if plot is not None:
        from orchestrion.viz import render_pianoroll

        extras.picture = render_pianoroll(music, plot.suffix.lower().lstrip("."))
    return extras


def write_extras(extras: Extras, render: Path | None, plot: Path | None) -> None:
    """Write what :func:`make_extras` made, each file atomically."""
    if extras.audio is not None and render is not None:
        from orchestrion.audio.audiofile import write_audio

        render.parent.mkdir(parents=True, exist_ok=True)
        write_audio(render, extras.audio.audio, extras.audio.sample_rate)
    if extras.picture is not None and plot is not None:
        from orchestrion.io.files import atomic_write_bytes

        plot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(plot, extras.picture)
