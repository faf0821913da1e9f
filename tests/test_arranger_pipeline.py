"""Automatic instrumentation end to end: the ``parts`` codec, training, the ``Arranger``
pipeline, ``orchestrion arrange`` (arranging and ``--eval``) and ``orchestrion train
arranger``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import orchestrion
from orchestrion import Music, Note, Track
from orchestrion.errors import ValidationError
from orchestrion.representations import get

pytest.importorskip("lightning")
torch = pytest.importorskip("torch")

from orchestrion.cli.main import main  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SATB = ("Soprano", "Alto", "Tenor", "Bass")


def chorale_like(k: int = 0, beats: int = 16) -> Music:
    """Four named voices in their registers, moving stepwise (a toy chorale)."""
    tracks = []
    for name, base in zip(SATB, (72, 65, 57, 45), strict=True):
        notes = [Note(time=b * 24, pitch=base + (0, 2, 4, 2)[(b + k) % 4], duration=24,
                      velocity=50 + b) for b in range(beats)]
        tracks.append(Track(name=name, program=0, notes=notes))
    return Music(resolution=24, tracks=tracks)


def write_folder(folder: Path, n: int = 10) -> Path:
    """``n`` three-track MIDI pieces: low, middle and high voices (parts by track order)."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        tracks = [Track(program=0, notes=[Note(b * 24, base + (b + k) % 5, 24, 64)
                                          for b in range(24)]) for base in (40, 60, 80)]
        orchestrion.write(Music(resolution=24, tracks=tracks), folder / f"p{k}.mid")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(tmp_path_factory.mktemp("arranger") / "pieces")


@pytest.fixture(scope="module")
def trained(folder: Path) -> Path:
    """A debug BiLSTM trained on the folder (parts by track order)."""
    from orchestrion.training import train

    return train("arranger", folder, config="debug", out=folder.parent / "run", jobs=1,
                 max_steps=120, progress=False)


# ------------------------------------------------------------------------------ codec


def test_parts_codec_encodes_by_name_and_round_trips() -> None:
    codec = get("parts", parts=SATB, programs=(73, 68, 70, 71))
    music = chorale_like()
    music.tracks.append(Track(name="Organ", program=19, notes=[Note(0, 30, 24)]))  # no part
    rows = codec.encode(music)
    codec.check(rows)
    assert rows.shape == (64, 4)
    assert rows[:4].tolist() == [[0, 45, 24, 3], [0, 57, 24, 2], [0, 65, 24, 1], [0, 72, 24, 0]]
    decoded = codec.decode(rows)
    assert [(t.name, t.program, len(t.notes)) for t in decoded.tracks] == [
        ("Soprano", 73, 16), ("Alto", 68, 16), ("Tenor", 70, 16), ("Bass", 71, 16)]
    assert np.array_equal(codec.encode(decoded), rows)
    assert np.array_equal(codec.decode(codec.transpose(rows, 3)).tracks[0].note_array().pitch,
                          music.tracks[0].note_array().pitch + 3)
    assert get("parts").name == "parts"


def test_parts_codec_assign_rules_and_grammar() -> None:
    music = chorale_like()
    music.tracks[0].program, music.tracks[3].program = 40, 33  # violin, bass
    music.tracks.insert(1, Track(is_drum=True, notes=[Note(0, 36, 6)]))
    by_order = get("parts", parts=("a", "b"), assign="order").encode(music)
    assert set(by_order[:, 3].tolist()) == {0, 1}
    assert len(by_order) == 32  # the first two pitched tracks; drums skipped
    by_family = get("parts", parts=("Strings", "Bass"), assign="family").encode(music)
    assert np.bincount(by_family[:, 3]).tolist() == [16, 16]
    codec = get("parts", parts=SATB)
    rows = codec.encode(chorale_like())
    with pytest.raises(ValidationError, match="row 1"):
        codec.check(rows[[1, 0]])
    with pytest.raises(ValueError, match="names must differ"):
        get("parts", parts=("x", "X"))


# ------------------------------------------------------------------------------ pipeline


def test_arrange_keeps_every_note_and_the_timing(trained: Path) -> None:
    from orchestrion.pipelines.arranger import Arranger

    arranger = Arranger.load(trained)
    assert arranger.parts == ("Part 1", "Part 2", "Part 3", "Part 4")
    assert not arranger.online
    music = chorale_like(beats=8)
    music.resolution = 480  # other ticks: times are rescaled only for the features
    for track in music.tracks:
        for note in track.notes:
            note.time, note.duration = note.time * 20, note.duration * 20
    music.tracks.append(Track(is_drum=True, name="Kit", notes=[Note(0, 42, 240)]))
    arranged = arranger.arrange(music)
    assert arranged.resolution == 480
    assert [t.name for t in arranged.tracks] == ["Part 1", "Part 2", "Part 3", "Part 4", "Kit"]

    def notes(m: Music) -> list[tuple[int, int, int, int]]:
        return sorted((n.time, n.pitch, n.duration, n.velocity)
                      for t in m.tracks if not t.is_drum for n in t.notes)

    assert notes(arranged) == notes(music)
    assert arranged.tracks[-1].notes == music.tracks[-1].notes


def test_more_simultaneous_notes_than_parts_still_get_parts(trained: Path) -> None:
    from orchestrion.pipelines.arranger import Arranger

    chord = Track(notes=[Note(0, pitch, 48) for pitch in range(48, 84, 4)])  # 9 notes at once
    arranged = Arranger.load(trained).arrange(Music(resolution=24, tracks=[chord]))
    assert sum(len(t.notes) for t in arranged.tracks) == 9
    empty = Arranger.load(trained).arrange(Music())
    assert [len(t.notes) for t in empty.tracks] == [0, 0, 0, 0]


def test_trained_model_learns_the_registers(trained: Path, folder: Path) -> None:
    from orchestrion.pipelines.arranger import evaluate

    report = evaluate(trained, folder, split="test", root=folder.parent / "run" / "data")
    assert report["pieces"] == 1
    assert report["notes"] == 72
    assert report["accuracy"] > 0.9
    assert sum(map(sum, report["confusion"])) == 72


def test_baselines_evaluate_on_a_folder(folder: Path, tmp_path: Path) -> None:
    from orchestrion.pipelines.arranger import evaluate

    zone = evaluate("zone", folder, split="valid", root=tmp_path / "data")
    assert zone["accuracy"] == 1.0  # the three voices never share a pitch
    assert zone["online"] is True
    assert zone["per_part"]["Part 4"]["notes"] == 0
    common = evaluate("most-common", folder, split="valid", root=tmp_path / "data")
    assert common["accuracy"] == pytest.approx(1 / 3)


def test_hints_come_from_the_input_tracks(folder: Path, tmp_path: Path) -> None:
    from orchestrion.pipelines.arranger import Arranger, ArrangerError

    codec = get("parts", parts=SATB, programs=(73, 68, 70, 71))
    arranger = Arranger.fit_baseline("closest-pitch-mono", codec,
                                     [codec.encode(chorale_like(k)) for k in range(3)])
    arranged = arranger.arrange(chorale_like(5))
    assert [len(t.notes) for t in arranged.tracks] == [16, 16, 16, 16]
    assert arranged.tracks[0].notes == chorale_like(5).tracks[0].notes
    music = chorale_like()
    music.tracks[1].name = "Piano"
    with pytest.raises(ArrangerError, match="track 1 \\(Piano\\) is not one of them"):
        arranger.arrange(music)


# ------------------------------------------------------------------------------ CLI


def test_cli_arrange_writes_music_and_a_plot(trained: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    source = tmp_path / "in.mid"
    merged = chorale_like()
    merged.tracks = [Track(program=0, notes=[n for t in merged.tracks for n in t.notes])]
    orchestrion.write(merged, source)
    out, plot = tmp_path / "out" / "arranged.mid", tmp_path / "arranged.png"
    assert main(["arrange", str(source), "-o", str(out), "--model", str(trained),
                 "--plot", str(plot)]) == 0
    printed = capsys.readouterr().out
    assert "64 notes over 4 parts" in printed
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = orchestrion.read(out)
    assert sum(len(t.notes) for t in result.tracks) == 64


def test_cli_arrange_eval_json(folder: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["arrange", "--model", "zone", "--eval", str(folder), "--split", "valid",
                 "--root", str(tmp_path / "data"), "--json", "--jobs", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["method"] == "zone"
    assert report["per_part"]["Part 4"] == {"notes": 0, "accuracy": None}  # strict JSON
    assert report["accuracy"] == 1.0
    assert set(report) >= {"per_part", "confusion", "notes", "notes_per_second"}
    assert main(["arrange", "--model", "zone", "--eval", str(folder), "--split", "valid",
                 "--root", str(tmp_path / "data"), "--jobs", "1"]) == 0
    assert "zone (online) on" in capsys.readouterr().out


def test_cli_arrange_errors(trained: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.mid"
    orchestrion.write(chorale_like(), source)
    out = tmp_path / "out.mid"
    assert main(["arrange", str(source), "-o", str(out), "--model", "zone"]) == 2
    assert "use it with --eval" in capsys.readouterr().err
    assert main(["arrange", str(source), "-o", str(out), "--model", str(trained),
                 "--online"]) == 1
    assert "offline model" in capsys.readouterr().err
    assert main(["arrange", str(tmp_path / "missing.mid"), "-o", str(out), "--model",
                 str(trained)]) == 1
    assert "missing.mid" in capsys.readouterr().err
    assert not out.exists()
    assert main(["arrange", str(source), "-o", str(out), "--model", "no-such-model"]) == 1
    assert "no checkpoint folder or shipped model" in capsys.readouterr().err
    # Outputs that cannot be written are refused before any work.
    assert main(["arrange", str(source), "-o", str(tmp_path / "out.krn"), "--model",
                 str(trained)]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert main(["arrange", str(source), "-o", str(out), "--model", str(trained), "--plot",
                 str(tmp_path / "roll.jpg")]) == 2
    assert "--plot must end in .png or .svg" in capsys.readouterr().err
    assert not out.exists()


def test_cli_train_arranger_with_hints(folder: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from orchestrion.models.checkpoint import load_checkpoint

    out = tmp_path / "run"
    assert main(["train", "arranger", "--dataset", str(folder), "--config", "debug",
                 "--model", "lstm", "--hints", "entry", "--duration", "--max-steps", "10",
                 "--out", str(out), "--jobs", "1", "-q"]) == 0
    assert "val accuracy" in capsys.readouterr().out
    checkpoint = load_checkpoint(out / "model")
    assert checkpoint.family == "arranger"
    config = checkpoint.config
    assert (config.kind, config.entry_hints, config.pitch_hints, config.use_duration) == (
        "lstm", True, False, True)
    meta = checkpoint.training
    assert "--hints entry" in meta["command"]
    assert "--duration" in meta["command"]
    assert 0 <= meta["val_accuracy"] <= 1
    assert set(meta["pieces"]) == {"train", "valid", "test"}  # the splits
    assert set(meta["pieces_used"]) == {"train", "valid"}  # long enough to train on
    assert main(["train", "mmt", "--dataset", str(folder), "--hints", "entry"]) == 1
    assert "options of the arranger family" in capsys.readouterr().err
