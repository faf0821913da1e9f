"""Engraved scores: ``Music`` → MusicXML (orchestrion's writer) → verovio → SVG (→ PNG).

Verovio engraves with its own music fonts (no download, no system font); the SVG it writes
draws every musical symbol as a path. PNG pictures are rasterised from that SVG by cairosvg;
texts (title, part names, tempo words) are set in a serif font that cairo finds on the system
(any will do), and the SMuFL note glyphs of metronome marks, which only the font embedded in
the SVG has, are written as their Unicode equivalents (♩ = 76) first.

Size: the page is ``width`` pixels wide, its staves ``scale`` percent of verovio's normal
size; each page is as tall as its content (at most an A4 page's proportion of the width), or
exactly ``height`` pixels when given. A long piece gives several pages: :func:`render_score`
writes page 1 by default, any one page with ``page=N``, or every page with ``page="all"``,
as ``NAME-1.svg``, ``NAME-2.svg``, ... beside ``NAME.svg`` (numbered even when there is
only one page, so the names are known in advance).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from orchestrion.core.model import Music
from orchestrion.errors import FormatError
from orchestrion.viz._common import image_format, require, set_svg_size, svg_size, write_bytes

Page = int | Literal["all"]

#: A4's height over its width: the tallest a page is when no height is asked for.
A4_RATIO = 297 / 210
#: SMuFL metronome-mark glyphs (verovio sets them in its embedded Leipzig font) and the
#: Unicode characters any text font can show instead in a PNG.
SMUFL_TEXT = {
    # metronome marks (U+ECA0-ECB7): whole, half, quarter, eighth, sixteenth, dot
    "\ueca2": "\U0001d15d", "\ueca3": "\U0001d15e", "\ueca4": "\U0001d15e",
    "\ueca5": "\u2669", "\ueca6": "\u2669", "\ueca7": "\u266a", "\ueca8": "\u266a",
    "\ueca9": "\U0001d161", "\uecaa": "\U0001d161", "\uecb7": ".",
    # individual notes (U+E1D0-E1EF), which older verovio versions use
    "\ue1d2": "\U0001d15d", "\ue1d3": "\U0001d15e", "\ue1d5": "\u2669",
    "\ue1d7": "\u266a", "\ue1d9": "\U0001d161", "\ue1e7": ".",
}
_SMUFL_SPAN = re.compile(r'<tspan([^>]*)font-family="Leipzig"([^>]*)>([^<]*)</tspan>')


def musicxml_text(music: Music) -> str:
    """``music`` as an uncompressed MusicXML document (orchestrion's writer)."""
    from orchestrion.io.musicxml import to_bytes

    return to_bytes(music.copy().validate(), compressed=False).decode("utf-8")


def score_svgs(music: Music, *, page: Page = 1, width: int = 1200, height: int | None = None,
               scale: float = 45, path: str | os.PathLike[str] | None = None) -> list[bytes]:
    """The engraved score of ``music`` as SVG documents: ``[page N]`` or every page.

    ``width``, ``height``, ``scale``: see the module's description. ``path`` only names the
    file in error messages. A piece without tracks raises ``FormatError`` (there is nothing
    to engrave; a track without notes is engraved as bars of rests); so does a page that
    does not exist and a missing verovio (``pip install 'orchestrion[viz]'``).
    """
    verovio = require("verovio", "engraving a score", path)
    if not music.tracks:
        raise FormatError("nothing to engrave: the piece has no tracks", path)
    if width < 100 or (height is not None and height < 100) or not 1 <= scale <= 1000:
        raise ValueError(f"a score needs width and height >= 100 pixels and scale in "
                         f"1-1000, got width {width}, height {height}, scale {scale}")
    verovio.enableLog(verovio.LOG_OFF)
    toolkit = verovio.toolkit()
    page_height = height if height is not None else round(width * A4_RATIO)
    toolkit.setOptions({
        "scale": scale,
        "pageWidth": round(width * 100 / scale),
        "pageHeight": round(page_height * 100 / scale),
        "adjustPageHeight": height is None,
        "footer": "none",
        "breaks": "auto",
    })
    if not toolkit.loadData(musicxml_text(music)):
        raise FormatError("verovio could not engrave the MusicXML orchestrion wrote", path)
    count = toolkit.getPageCount()
    if page == "all":
        numbers = list(range(1, count + 1))
    elif isinstance(page, int) and not isinstance(page, bool) and 1 <= page <= count:
        numbers = [page]
    else:
        raise FormatError(f"no page {page!r}: the score has {count} "
                          f"page{'s' if count != 1 else ''}", path)
    pages = []
    for number in numbers:
        svg = toolkit.renderToSVG(number).encode("utf-8")
        drawn_width, drawn_height = svg_size(svg)
        out_height = height if height is not None else round(drawn_height * width / drawn_width)
        pages.append(set_svg_size(svg, width, out_height))
    return pages


def svg_to_png(svg: bytes, path: str | os.PathLike[str] | None = None) -> bytes:
    """Rasterise one of verovio's SVG pages (at its width and height) on white."""
    cairosvg = require("cairosvg", "writing a score as PNG", path)
    text = _SMUFL_SPAN.sub(_unicode_span, svg.decode("utf-8"))
    width, height = svg_size(svg)
    try:
        return cairosvg.svg2png(bytestring=text.encode("utf-8"), output_width=round(width),
                                output_height=round(height), background_color="white")
    except Exception as error:  # cairosvg raises many types on odd input
        raise FormatError(f"cannot rasterise the score: {error}", path) from None


def _unicode_span(match: re.Match[str]) -> str:
    glyphs = "".join(SMUFL_TEXT.get(c, c) for c in match.group(3))
    return (f'<tspan{match.group(1)}font-family="DejaVu Sans, Symbola, sans-serif"'
            f"{match.group(2)}>{glyphs}</tspan>")


def page_paths(path: str | os.PathLike[str], count: int) -> list[Path]:
    """Where ``page="all"`` writes pages 1..count of ``path``: ``NAME-1.ext``, ...."""
    target = Path(path)
    return [target.with_name(f"{target.stem}-{n}{target.suffix}") for n in range(1, count + 1)]


def render_score(music: Music, path: str | os.PathLike[str], *, page: Page = 1,
                 width: int = 1200, height: int | None = None, scale: float = 45
                 ) -> list[Path]:
    """Engrave ``music`` and write it to ``path`` (``.svg`` or ``.png``); return the paths
    written.

    ``page``: a page number (default 1) written to ``path``, or ``"all"``: every page, to
    ``NAME-1.ext``, ``NAME-2.ext``, ... beside ``path``. Every page is rendered before any
    file is written, and each file atomically, so an error leaves no picture behind.
    ``width``, ``height``, ``scale``: see :func:`score_svgs`. Needs verovio (and cairosvg
    for PNG): ``pip install 'orchestrion[viz]'``; without them ``FormatError``.
    """
    fmt = image_format(path)
    svgs = score_svgs(music, page=page, width=width, height=height, scale=scale, path=path)
    data = [svg_to_png(svg, path) for svg in svgs] if fmt == "png" else svgs
    targets = page_paths(path, len(data)) if page == "all" else [Path(path)]
    return [write_bytes(target, blob) for target, blob in zip(targets, data, strict=True)]
