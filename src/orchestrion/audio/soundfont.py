"""Finding a General MIDI SoundFont to render with.

:func:`find_soundfont` looks, in order, at the path it is given (``--soundfont FILE``), the
environment variable ``ORCHESTRION_SOUNDFONT``, then the places where Debian/Ubuntu, Fedora,
Arch, Homebrew and MuseScore put GM SoundFonts. When none is there it raises
:class:`~orchestrion.errors.SoundFontError` saying how to get one.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestrion.errors import SoundFontError

ENV_VAR = "ORCHESTRION_SOUNDFONT"
SUFFIXES = (".sf2", ".sf3", ".sfo")

#: Files tried in this order (the first GM SoundFont that exists wins).
SYSTEM_FILES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",     # Debian/Ubuntu fluid-soundfont-gm
    "/usr/share/sounds/sf2/default-GM.sf2",      # Debian's alternatives link
    "/usr/share/sounds/sf2/TimGM6mb.sf2",        # Debian/Ubuntu timgm6mb-soundfont
    "/usr/share/sounds/sf3/default-GM.sf3",
    "/usr/share/soundfonts/FluidR3_GM.sf2",      # Fedora fluid-soundfont-gm, Arch soundfont-fluid
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/sounds/sf3/MuseScore_General.sf3",
    "/usr/local/share/soundfonts/default.sf2",
    "/opt/homebrew/share/soundfonts/default.sf2",  # Homebrew (Apple silicon)
    "/opt/homebrew/share/fluid-synth/sf2/VintageDreamsWaves-v2.sf2",
    "/usr/local/share/fluid-synth/sf2/VintageDreamsWaves-v2.sf2",  # Homebrew (Intel)
)

#: Folders searched for any SoundFont (sorted by name; GM names first) after SYSTEM_FILES.
SYSTEM_FOLDERS = (
    "/usr/share/soundfonts",
    "/usr/share/sounds/sf2",
    "/usr/share/sounds/sf3",
    "/usr/share/mscore-*/sound",        # MuseScore_General*.sf2/sf3 shipped with MuseScore
    "/usr/share/musescore*/sound",
    "/usr/local/share/soundfonts",
    "/opt/homebrew/share/soundfonts",
    "~/.local/share/soundfonts",
    "~/Library/Audio/Sounds/Banks",     # macOS
)

HOW_TO = ("install a General MIDI SoundFont (Debian/Ubuntu: sudo apt-get install "
          "fluid-soundfont-gm, or the smaller timgm6mb-soundfont; Fedora: sudo dnf install "
          "fluid-soundfont-gm; macOS: put a .sf2 in ~/Library/Audio/Sounds/Banks), or pass "
          f"--soundfont FILE (soundfont= in Python), or set {ENV_VAR}=FILE")


def _check(path: Path, origin: str) -> Path:
    path = path.expanduser()
    if not path.is_file():
        raise SoundFontError(f"{path}: no such SoundFont file ({origin}); {HOW_TO}")
    if path.suffix.lower() not in SUFFIXES:
        raise SoundFontError(f"{path}: not a SoundFont (.sf2, .sf3 or .sfo) ({origin})")
    return path.resolve()


def _rank(path: Path) -> tuple[int, str]:
    name = path.name.lower()
    gm = any(word in name for word in ("gm", "general", "fluidr3", "default"))
    return (0 if gm else 1, name)


def candidates() -> list[Path]:
    """Every SoundFont file in the standard places, in the order :func:`find_soundfont` tries
    them (duplicates removed)."""
    found: list[Path] = [Path(p) for p in SYSTEM_FILES]
    for pattern in SYSTEM_FOLDERS:
        expanded = Path(pattern).expanduser()
        anchor = Path(expanded.anchor)
        folders = sorted(anchor.glob(str(expanded.relative_to(anchor))))
        for folder in folders:
            if folder.is_dir():
                files = [p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES]
                found.extend(sorted(files, key=_rank))
    seen: set[Path] = set()
    unique = []
    for path in found:
        if path.is_file() and path not in seen:
            seen.add(path)
            unique.append(path)
    return unique


def find_soundfont(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The SoundFont to render with: ``explicit`` if given, else ``$ORCHESTRION_SOUNDFONT``,
    else the first of :func:`candidates`.

    Raises :class:`~orchestrion.errors.SoundFontError` when the explicit or environment file
    does not exist, or when no SoundFont is found anywhere (the message says how to get one).
    """
    if explicit is not None:
        return _check(Path(explicit), "given explicitly")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _check(Path(from_env), f"from ${ENV_VAR}")
    found = candidates()
    if found:
        return found[0].resolve()
    raise SoundFontError(f"no SoundFont found in the standard places; {HOW_TO}")
