"""Piano-roll pictures of a :class:`~orchestrion.core.model.Music` (matplotlib, Agg).

:func:`plot_pianoroll` draws on a matplotlib ``Axes``; :func:`save_pianoroll` writes a PNG or
SVG of a given pixel size. What the picture shows (docs/viz.md has the details):

- every note a rectangle from onset to offset, one colour per track (matplotlib's ``tab10``,
  ``tab20`` above ten tracks, by the track's index in ``music.tracks``, so a colour stays
  with its track whichever tracks are drawn); louder notes more opaque (``velocity=True``);
- drum tracks as diamond markers at their onsets (their "pitches" are drum sounds);
- a legend outside the plot, right of it: one entry per drawn track, its name and General
  MIDI instrument;
- beats as light lines, bars as darker ones; when they would be closer than a few pixels
  only every 2nd, 4th, ... bar line is drawn, and beats not at all;
- the pitch axis labelled at every C (``C4`` = MIDI 60), black keys shaded, fitted to the
  notes with two semitones of margin (at least an octave shown);
- the title from the metadata (title, creators), else the source file's name.

The artists carry ids (``Artist.get_gid()``) so code and tests can find them: ``"notes"``
(one ``PolyCollection`` of every note), ``"drums"`` (one ``PathCollection`` per drum track),
``"bars"`` and ``"beats"`` (``LineCollection``), ``"keys"`` (the black-key shading),
``"empty"`` (the text of a piece without notes).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from orchestrion.core.gm import program_name
from orchestrion.core.model import Music, Track
from orchestrion.viz._common import image_format, require, set_svg_size, write_bytes
from orchestrion.viz._grid import bars_and_beats, pitch_name, thinning

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TimeAxis = Literal["beats", "seconds"]

#: Half the height of a note's rectangle, in semitones.
NOTE_HALF_HEIGHT = 0.42
#: Fewest semitones the pitch axis shows, and the margin above and below the notes.
MIN_PITCH_SPAN, PITCH_MARGIN = 12, 2
#: Closest spacing, in pixels, of drawn bar lines and of beat lines.
MIN_BAR_SPACING, MIN_BEAT_SPACING = 25.0, 6.0
#: Above this many notes (per axes width in pixels) the rectangles lose their outline.
OUTLINE_NOTES_PER_PIXEL = 1.0
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})


def track_label(track: Track) -> str:
    """A legend entry: the track's name and General MIDI instrument (once if they agree)."""
    instrument = program_name(track.program, track.is_drum)
    name = (track.name or "").strip()
    if not name or name.casefold() == instrument.casefold():
        return instrument
    return f"{name} ({instrument})"


def track_colors(count: int) -> np.ndarray:
    """RGBA colours (``count`` × 4) of tracks 0, 1, ...: ``tab10``, or ``tab20`` above ten
    tracks, repeating beyond twenty."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    size = cmap.N
    return np.array([cmap(i % size) for i in range(count)], dtype=np.float64).reshape(-1, 4)


def default_title(music: Music) -> str:
    """The picture's title: metadata title (and creators), else the source file's name."""
    meta = music.metadata
    title = (meta.title or "").strip()
    creators = ", ".join(c for c in (meta.creators or []) if c)
    if title and creators:
        return f"{title} — {creators}"
    return title or creators or (meta.source_filename or "")


def _select(music: Music, tracks: Any) -> list[int]:
    if tracks is None:
        return list(range(len(music.tracks)))
    chosen = [int(i) for i in tracks]
    for index in chosen:
        if not -len(music.tracks) <= index < len(music.tracks):
            raise IndexError(f"track {index} out of range: the piece has "
                             f"{len(music.tracks)} tracks")
    return sorted({i % len(music.tracks) for i in chosen})


def _converter(music: Music, time: str) -> tuple[Any, str]:
    if time == "beats":
        resolution = music.resolution
        return (lambda ticks: np.asarray(ticks, dtype=np.float64) / resolution,
                "time (quarter notes)")
    if time == "seconds":
        tempo_map = music.tempo_map()
        return (lambda ticks: np.asarray(tempo_map.to_seconds(np.asarray(ticks, np.float64))),
                "time (seconds)")
    raise ValueError(f"time must be 'beats' or 'seconds', got {time!r}")


def plot_pianoroll(
    music: Music,
    *,
    ax: Axes | None = None,
    time: TimeAxis = "beats",
    tracks: list[int] | None = None,
    velocity: bool = True,
    grid: bool = True,
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw ``music`` as a piano roll on ``ax`` (a new figure's axes when None); return it.

    ``time``: the x axis in quarter notes (``"beats"``, ticks / resolution) or seconds
    (through the tempo map). ``tracks``: indices of the tracks to draw (default all).
    ``velocity``: louder notes more opaque. ``grid``: beat and bar lines. ``legend``: one
    entry per drawn track with notes. ``title``: default the metadata's (see
    :func:`default_title`); ``""`` for none. A piece without notes gives an empty roll that
    says "no notes". Needs matplotlib (``pip install 'orchestrion[viz]'``).
    """
    require("matplotlib", "drawing a piano roll")
    from matplotlib.figure import Figure

    to_x, xlabel = _converter(music, time)
    if ax is None:
        ax = Figure(figsize=(12, 6), layout="constrained").add_subplot()
    chosen = _select(music, tracks)
    colors = track_colors(len(music.tracks))
    drawn = [i for i in chosen if music.tracks[i].n_notes]
    ends = [int(music.tracks[i].note_array().end.max()) for i in drawn]
    end_tick = max(ends) if ends else max(music.get_end_time(), 4 * music.resolution)
    x_end = float(to_x(end_tick))

    pitches = _draw_notes(ax, music, drawn, colors, to_x, velocity, x_end)
    low, high = _pitch_range(pitches)
    ax.set_xlim(0.0, x_end if x_end > 0 else 1.0)
    ax.set_ylim(low - 0.5, high + 0.5)
    _pitch_axis(ax, low, high)
    if grid:
        step = _draw_grid(ax, music, to_x, end_tick)
        if step > 1:
            xlabel += f"; a bar line every {step} bars"

    if not drawn:
        ax.text(0.5, 0.5, "no notes", transform=ax.transAxes, ha="center", va="center",
                fontsize="x-large", color="0.45", gid="empty")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pitch")
    heading = default_title(music) if title is None else title
    if heading:
        ax.set_title(heading)
    if legend and drawn:
        _legend(ax, music, drawn, colors)
    return ax


def _draw_notes(ax: Axes, music: Music, drawn: list[int], colors: np.ndarray, to_x: Any,
                velocity: bool, x_end: float) -> np.ndarray:
    """Add the notes (one PolyCollection) and drum onsets; return every drawn pitch."""
    from matplotlib.collections import PolyCollection

    min_width = max(x_end, 1e-9) * 1e-3  # grace notes (duration 0) stay visible
    verts, faces, pitches = [], [], []
    for index in drawn:
        track = music.tracks[index]
        notes = track.note_array()
        alpha = (0.35 + 0.65 * notes.velocity / 127.0) if velocity else np.full(len(notes), 0.9)
        rgba = np.repeat(colors[index][None, :], len(notes), axis=0)
        rgba[:, 3] = alpha
        start = to_x(notes.time)
        pitches.append(notes.pitch)
        if track.is_drum:
            edge = colors[index].copy()
            edge[:3] *= 0.5
            ax.scatter(start, notes.pitch, s=24, marker="D", c=rgba, edgecolors=[edge],
                       linewidths=0.5, zorder=3, gid="drums")
            continue
        stop = np.maximum(to_x(notes.end), start + min_width)
        low, high = notes.pitch - NOTE_HALF_HEIGHT, notes.pitch + NOTE_HALF_HEIGHT
        box = np.empty((len(notes), 4, 2))
        box[:, 0, 0] = box[:, 1, 0] = start
        box[:, 2, 0] = box[:, 3, 0] = stop
        box[:, 0, 1] = box[:, 3, 1] = low
        box[:, 1, 1] = box[:, 2, 1] = high
        verts.append(box)
        faces.append(rgba)
    if verts:
        faces_all = np.concatenate(faces)
        count = len(faces_all)
        outline = count <= OUTLINE_NOTES_PER_PIXEL * ax.bbox.width
        edges = faces_all.copy()
        edges[:, :3] *= 0.6  # the outline a darker shade of the fill
        edges[:, 3] = 1.0
        ax.add_collection(PolyCollection(
            np.concatenate(verts), facecolors=faces_all,
            edgecolors=edges if outline else "none", linewidths=0.6 if outline else 0.0,
            zorder=2, gid="notes"), autolim=False)
    return np.concatenate(pitches) if pitches else np.empty(0, dtype=np.int64)


def _pitch_range(pitches: np.ndarray) -> tuple[int, int]:
    if len(pitches) == 0:
        return 48, 72  # C3-C5 for an empty piece
    low, high = int(pitches.min()) - PITCH_MARGIN, int(pitches.max()) + PITCH_MARGIN
    if high - low < MIN_PITCH_SPAN:
        grow = MIN_PITCH_SPAN - (high - low)
        low, high = low - grow // 2, high + grow - grow // 2
    return max(low, 0), min(high, 127)


def _pitch_axis(ax: Axes, low: int, high: int) -> None:
    """Ticks and names at the C's, a tick at every semitone, black keys shaded."""
    from matplotlib.collections import PolyCollection

    cs = [p for p in range(low, high + 1) if p % 12 == 0]
    if len(cs) < 2:  # a narrow range: name the E's and A's too
        cs = [p for p in range(low, high + 1) if p % 12 in (0, 4, 9)]
    ax.set_yticks(cs, [pitch_name(p) for p in cs])
    ax.set_yticks(range(low, high + 1), minor=True)
    ax.tick_params(axis="y", which="minor", length=2)
    black = [p for p in range(low, high + 1) if p % 12 in BLACK_KEYS]
    bands = [[(0, p - 0.5), (0, p + 0.5), (1, p + 0.5), (1, p - 0.5)] for p in black]
    ax.add_collection(PolyCollection(bands, facecolors="0.94", edgecolors="none", zorder=0,
                                     transform=ax.get_yaxis_transform(), gid="keys"),
                      autolim=False)
    for c in cs:
        if c % 12 == 0:
            ax.axhline(c - 0.5, color="0.75", linewidth=0.6, zorder=0.5)


def _draw_grid(ax: Axes, music: Music, to_x: Any, end_tick: int) -> int:
    """Beat lines (light) and bar lines (darker), thinned to stay apart on screen; return
    the thinning (a bar line every ``step`` bars)."""
    from matplotlib.collections import LineCollection

    bar_ticks, beat_ticks = bars_and_beats(music, float(end_tick))
    bars, beats = to_x(bar_ticks), to_x(beat_ticks)
    pixels = max(ax.bbox.width, 1.0)
    step = thinning(len(bars), pixels, MIN_BAR_SPACING)
    bars = bars[::step]
    transform = ax.get_xaxis_transform()  # x in data, y from 0 (bottom) to 1 (top)
    if step == 1 and len(beats) and pixels / len(beats) >= MIN_BEAT_SPACING:
        beats = np.setdiff1d(beats, bars)
        ax.add_collection(LineCollection(
            [[(x, 0), (x, 1)] for x in beats], colors="0.86", linewidths=0.5, zorder=1,
            transform=transform, gid="beats"), autolim=False)
    ax.add_collection(LineCollection(
        [[(x, 0), (x, 1)] for x in bars], colors="0.55", linewidths=0.8, zorder=1,
        transform=transform, gid="bars"), autolim=False)
    return step


def _legend(ax: Axes, music: Music, drawn: list[int], colors: np.ndarray) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for index in drawn:
        track = music.tracks[index]
        label = track_label(track)
        if track.is_drum:
            handles.append(Line2D([], [], marker="D", linestyle="none", markersize=6,
                                  color=colors[index], label=label))
        else:
            edge = colors[index].copy()
            edge[:3] *= 0.6
            handles.append(Patch(facecolor=colors[index], edgecolor=edge, label=label))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              fontsize="small", frameon=False, ncols=1 if len(handles) <= 24 else 2)


def figure(width: int, height: int, dpi: float) -> Figure:
    """A figure of ``width``×``height`` pixels at ``dpi`` (Agg canvas, not pyplot)."""
    require("matplotlib", "drawing a piano roll")
    from matplotlib.figure import Figure

    if width < 16 or height < 16 or dpi <= 0:
        raise ValueError(f"a picture needs width and height >= 16 pixels and dpi > 0, got "
                         f"{width}x{height} at {dpi} dpi")
    # A hair over the exact size so that Agg's int() of width × dpi cannot round down.
    return Figure(figsize=((width + 1e-6) / dpi, (height + 1e-6) / dpi), dpi=dpi,
                  layout="constrained")


def render_pianoroll(music: Music, fmt: str, *, width: int = 1600, height: int = 800,
                     dpi: float = 100, **options: Any) -> bytes:
    """The piano roll as ``"png"`` or ``"svg"`` bytes of ``width``×``height`` pixels;
    ``options`` go to :func:`plot_pianoroll`."""
    fig = figure(width, height, dpi)
    plot_pianoroll(music, ax=fig.add_subplot(), **options)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white")
    data = buffer.getvalue()
    return set_svg_size(data, width, height) if fmt == "svg" else data


def save_pianoroll(music: Music, path: str | os.PathLike[str], *, width: int = 1600,
                   height: int = 800, dpi: float = 100, **options: Any) -> Path:
    """Write the piano roll of ``music`` to ``path`` (``.png`` or ``.svg``); return the path.

    The picture is ``width``×``height`` pixels (an SVG says so in its root's width and
    height); ``dpi`` sets how large text and lines are against it (matplotlib's points:
    larger dpi, larger text). ``options`` go to :func:`plot_pianoroll` (``time``,
    ``tracks``, ``velocity``, ``grid``, ``legend``, ``title``). The file is written
    atomically: on any error no file (and no partial file) is left.
    """
    fmt = image_format(path)
    return write_bytes(path, render_pianoroll(music, fmt, width=width, height=height,
                                              dpi=dpi, **options))
