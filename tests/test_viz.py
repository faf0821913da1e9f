"""Pictures: piano rolls (matplotlib) and engraved scores (verovio), checked by what the Axes
hold and by the files written (format, pixel size)."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import orchestrion
from orchestrion import Metadata, Music, Note, TimeSignature, Track
from orchestrion.errors import FormatError
from orchestrion.viz import _grid

pytest.importorskip("matplotlib")
from orchestrion.viz import plot_pianoroll, render_score, save_pianoroll

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_size(path: Path) -> tuple[float, float]:
    root = ET.fromstring(path.read_bytes())  # parses: a whole, valid XML document
    assert root.tag.endswith("svg")
    return float(root.get("width", "").removesuffix("px")), float(
        root.get("height", "").removesuffix("px"))


def two_tracks() -> Music:
    """Two tracks in 3/4 from tick 0 and 2/4 from tick 72 (resolution 12), no barlines."""
    piano = Track(program=0, name="Right hand",
                  notes=[Note(12 * k, 60 + k, 12, 40 + 10 * k) for k in range(8)])
    bass = Track(program=32, notes=[Note(0, 36, 36), Note(36, 43, 36), Note(72, 41, 48)])
    return Music(resolution=12, tracks=[piano, bass],
                 time_signatures=[TimeSignature(0, 3, 4), TimeSignature(72, 2, 4)],
                 metadata=Metadata(title="Two tracks", creators=["A. Composer"]))


def by_gid(ax: Any, gid: str) -> list[Any]:
    return [artist for artist in ax.get_children() if artist.get_gid() == gid]


def line_xs(collection: Any) -> list[float]:
    return sorted(float(segment[0][0]) for segment in collection.get_segments())


@pytest.fixture(scope="module")
def chorale() -> Music:
    from orchestrion.datasets import collection
    try:
        bach = collection("bach-chorales")
        return bach.load(bach.paths()[0])
    except orchestrion.OrchestrionError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def quartet() -> Music:
    from orchestrion.datasets import collection
    try:
        quartets = collection("string-quartets")
        return quartets.load(next(p for p in quartets.paths() if "k155" in p.as_posix()))
    except (orchestrion.OrchestrionError, StopIteration) as error:
        pytest.skip(str(error))


# --- the grid -------------------------------------------------------------------------------

def test_bars_and_beats_follow_the_time_signatures() -> None:
    bars, beats = _grid.bars_and_beats(two_tracks(), 120)
    assert bars.tolist() == [0, 36, 72, 96, 120]  # 3/4 bars of 36 ticks, then 2/4 of 24
    assert beats.tolist() == list(range(0, 121, 12))


def test_barlines_of_the_piece_are_used_then_continued() -> None:
    music = Music(resolution=4, time_signatures=[TimeSignature(0, 4, 4)],
                  barlines=[orchestrion.Barline(0), orchestrion.Barline(4)])  # a pickup
    bars, _ = _grid.bars_and_beats(music, 40)
    assert bars.tolist() == [0, 4, 20, 36]


def test_compound_meter_beats_are_dotted() -> None:
    music = Music(resolution=2, time_signatures=[TimeSignature(0, 6, 8)])
    bars, beats = _grid.bars_and_beats(music, 6)
    assert bars.tolist() == [0, 6]
    assert beats.tolist() == [0, 3, 6]


def test_thinning_and_pitch_names() -> None:
    assert _grid.thinning(10, 1000, 25) == 1
    assert _grid.thinning(200, 1000, 25) == 8
    assert [_grid.pitch_name(p) for p in (60, 21, 127, 0)] == ["C4", "A0", "G9", "C-1"]


# --- the piano roll -------------------------------------------------------------------------

def test_piano_roll_of_two_tracks() -> None:
    ax = plot_pianoroll(two_tracks())
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "Right hand (Acoustic Grand Piano)", "Acoustic Bass"]
    (notes,) = by_gid(ax, "notes")
    assert len(notes.get_paths()) == 11
    colors = notes.get_facecolors()
    assert len({tuple(np.round(c[:3], 3)) for c in colors}) == 2  # one colour per track
    assert np.all(np.diff(colors[:8, 3]) > 0)  # louder, more opaque
    (bars,) = by_gid(ax, "bars")
    assert line_xs(bars) == [0.0, 3.0, 6.0, 8.0, 10.0]  # in quarter notes; 10 = the end
    (beats,) = by_gid(ax, "beats")
    assert line_xs(beats) == [1.0, 2.0, 4.0, 5.0, 7.0, 9.0]
    assert ax.get_xlim() == (0.0, 10.0)
    low, high = ax.get_ylim()
    assert low <= 36 - 2
    assert high >= 67 + 2
    assert high - low < 40
    assert [t.get_text() for t in ax.get_yticklabels()] == ["C2", "C3", "C4"]
    assert ax.get_title() == "Two tracks — A. Composer"


def test_piano_roll_in_seconds_and_selected_tracks() -> None:
    music = two_tracks()
    music.tempos = [orchestrion.Tempo(0, 60.0)]  # a quarter note a second
    ax = plot_pianoroll(music, time="seconds", tracks=[1], title="")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Acoustic Bass"]
    (notes,) = by_gid(ax, "notes")
    assert len(notes.get_paths()) == 3
    assert ax.get_xlim() == (0.0, 10.0)
    assert ax.get_title() == ""
    with pytest.raises(ValueError, match="beats"):
        plot_pianoroll(music, time="bars")  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        plot_pianoroll(music, tracks=[2])


def test_drums_are_markers_at_their_onsets() -> None:
    music = two_tracks()
    music.tracks.append(Track(is_drum=True, name="Kit",
                              notes=[Note(12 * k, 42, 3) for k in range(4)]))
    ax = plot_pianoroll(music)
    (drums,) = by_gid(ax, "drums")
    assert sorted(drums.get_offsets()[:, 0].tolist()) == [0.0, 1.0, 2.0, 3.0]
    assert len(by_gid(ax, "notes")[0].get_paths()) == 11  # no rectangle for a drum
    assert ax.get_legend().get_texts()[-1].get_text() == "Kit (Drums)"


def test_empty_music_says_no_notes() -> None:
    ax = plot_pianoroll(Music())
    assert [t.get_text() for t in by_gid(ax, "empty")] == ["no notes"]
    assert ax.get_legend() is None
    assert not by_gid(ax, "notes")


def test_long_piece_thins_the_grid_and_drops_outlines() -> None:
    rng = np.random.default_rng(0)
    count = 100_000
    track = Track.from_arrays(np.sort(rng.integers(0, 24 * 4 * 2000, count)),
                              rng.integers(30, 90, count), np.full(count, 12))
    ax = plot_pianoroll(Music(tracks=[track]))
    (bars,) = by_gid(ax, "bars")
    assert len(bars.get_segments()) <= ax.bbox.width / 25 + 1
    assert not by_gid(ax, "beats")
    assert "a bar line every" in ax.get_xlabel()
    assert by_gid(ax, "notes")[0].get_linewidths()[0] == 0


@pytest.mark.parametrize(("suffix", "width", "height", "dpi"),
                         [(".png", 640, 360, 100), (".png", 1001, 333, 96), (".svg", 800, 400, 72)])
def test_save_pianoroll_writes_the_requested_size(tmp_path: Path, chorale: Music, suffix: str,
                                                  width: int, height: int, dpi: int) -> None:
    path = save_pianoroll(chorale, tmp_path / f"roll{suffix}", width=width, height=height,
                          dpi=dpi)
    assert path.stat().st_size > 1000
    size = png_size(path) if suffix == ".png" else svg_size(path)
    assert size == (width, height)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_save_pianoroll_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"\.png or \.svg"):
        save_pianoroll(two_tracks(), tmp_path / "roll.jpg")
    assert not list(tmp_path.iterdir())


def test_png_pixels_show_the_notes(tmp_path: Path, quartet: Music) -> None:
    image = pytest.importorskip("matplotlib.image")
    path = save_pianoroll(quartet, tmp_path / "q.png", width=800, height=400)
    pixels = image.imread(path)
    assert pixels.shape[:2] == (400, 800)
    coloured = np.ptp(pixels[..., :3], axis=2) > 0.2  # not white, grey or black
    assert coloured.mean() > 0.02


# --- the engraved score ---------------------------------------------------------------------

def test_score_svg_and_png(tmp_path: Path, chorale: Music) -> None:
    pytest.importorskip("verovio")
    (svg,) = render_score(chorale, tmp_path / "chorale.svg", width=1000)
    width, height = svg_size(svg)
    assert width == 1000
    assert 300 < height < 1000 * 297 / 210 + 1
    assert b"<path" in svg.read_bytes()  # the music font drawn as paths
    pytest.importorskip("cairosvg")
    (png,) = render_score(chorale, tmp_path / "chorale.png", width=1000, height=1400)
    assert png_size(png) == (1000, 1400)


def test_score_pages(tmp_path: Path, quartet: Music) -> None:
    pytest.importorskip("verovio")
    written = render_score(quartet, tmp_path / "q.svg", page="all", width=800)
    assert len(written) >= 2
    assert [p.name for p in written] == [f"q-{n}.svg" for n in range(1, len(written) + 1)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    with pytest.raises(FormatError, match=f"has {len(written)} pages"):
        render_score(quartet, tmp_path / "x.svg", page=len(written) + 1, width=800)
    assert not (tmp_path / "x.svg").exists()


def test_score_of_nothing_is_an_error(tmp_path: Path) -> None:
    pytest.importorskip("verovio")
    with pytest.raises(FormatError, match="no tracks"):
        render_score(Music(), tmp_path / "empty.svg")
    (rests,) = render_score(Music(tracks=[Track(name="Silent")]), tmp_path / "rests.svg")
    assert rests.stat().st_size > 0


def test_missing_verovio_says_how_to_install(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "verovio", None)  # import verovio -> ImportError
    with pytest.raises(FormatError, match=r"pip install 'orchestrion\[viz\]'"):
        render_score(two_tracks(), tmp_path / "s.svg")
    assert not list(tmp_path.iterdir())


def test_import_viz_loads_no_plotting_library() -> None:
    code = ("import sys, orchestrion.viz; "
            "print([m for m in ('matplotlib', 'verovio', 'cairosvg') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_every_string_quartet_draws(tmp_path: Path) -> None:
    from orchestrion.datasets import collection

    for index, path in enumerate(collection("string-quartets").paths()):
        music = orchestrion.read(path)
        out = save_pianoroll(music, tmp_path / f"{index}.png", width=400, height=200)
        assert png_size(out) == (400, 200)
