"""Helpers shared by the plots: optional imports with a clear error, output formats, atomic
writes of rendered bytes, and the size attributes of SVG files."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from types import ModuleType

from orchestrion.errors import FormatError
from orchestrion.io.files import atomic_write_bytes

#: Picture formats the plots write, by extension.
IMAGE_FORMATS = (".png", ".svg")
INSTALL_HINT = "pip install 'orchestrion[viz]'"


def require(module: str, what: str, path: str | os.PathLike[str] | None = None) -> ModuleType:
    """Import ``module`` or raise ``FormatError`` saying that ``what`` needs it and how to
    install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise FormatError(f"{what} needs {top}, which is not installed: {INSTALL_HINT}",
                          path) from None


def image_format(path: str | os.PathLike[str]) -> str:
    """``"png"`` or ``"svg"`` from the extension of ``path``; ``FormatError`` otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in IMAGE_FORMATS:
        raise FormatError(f"cannot write a picture as {suffix or 'a file without extension'!r}"
                          f"; use {' or '.join(IMAGE_FORMATS)}", path)
    return suffix[1:]


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (a temporary sibling renamed over it); an
    unwritable place raises ``FormatError`` naming the file."""
    try:
        atomic_write_bytes(path, data)
    except FormatError:
        raise
    except OSError as error:
        raise FormatError(f"cannot write: {error.strerror or error}", path) from None
    return Path(path)


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")
_ATTRIBUTE = r'\s{name}="[^"]*"'


def set_svg_size(svg: bytes, width: int, height: int) -> bytes:
    """``svg`` with the width and height of its root element set to ``width``×``height``
    pixels (its ``viewBox`` keeps the drawing scaled to fit)."""
    match = _SVG_ROOT.search(svg)
    if match is None:
        raise FormatError("the renderer wrote no <svg> element")
    root = match.group().decode()
    for name, value in (("width", width), ("height", height)):
        pattern = _ATTRIBUTE.format(name=name)
        if re.search(pattern, root):
            root = re.sub(pattern, f' {name}="{value}px"', root, count=1)
        else:
            root = root.replace("<svg", f'<svg {name}="{value}px"', 1)
    return svg[:match.start()] + root.encode() + svg[match.end():]


def svg_size(svg: bytes) -> tuple[float, float]:
    """The width and height of an SVG's root element, in its own units (px, pt, ...)."""
    match = _SVG_ROOT.search(svg)
    if match is None:
        raise FormatError("not an SVG picture")
    root = match.group().decode()
    sizes = []
    for name in ("width", "height"):
        found = re.search(rf'\s{name}="([0-9.]+)[a-z]*"', root)
        if found is None:
            raise FormatError(f"the SVG root has no {name}")
        sizes.append(float(found.group(1)))
    return sizes[0], sizes[1]
