"""The checkpoints shipped in ``orchestrion/assets``: present, small, self-describing, and
they generate valid music from the command line's default name."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from orchestrion.models.checkpoint import (  # noqa: E402
    CONFIG_FILE,
    WEIGHTS_FILE,
    assets_folder,
    load_checkpoint,
    shipped,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_mmt_small_is_shipped_small_and_says_how_it_was_trained() -> None:
    assert "mmt-small" in shipped()
    folder = assets_folder() / "mmt-small"
    assert (folder / WEIGHTS_FILE).stat().st_size < 20 * 1024 * 1024
    meta = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    training = meta["training"]
    assert "orchestrion train mmt --dataset multipart" in training["command"]
    assert training["val_loss"] < 6.0
    for name in ("train.yaml", "metrics.csv", "samples.json", "MODEL.md"):
        assert (folder / name).is_file(), name


def test_mmt_small_generates_the_requested_instruments() -> None:
    from orchestrion.pipelines import MMTPipeline

    checkpoint = load_checkpoint("mmt-small")
    assert checkpoint.config.max_seq_len >= 512
    pipeline = MMTPipeline.from_pretrained("mmt-small")
    first = pipeline.generate(instruments="violin,viola,cello", seed=3, max_events=96)[0]
    again = pipeline.generate(instruments="violin,viola,cello", seed=3, max_events=96)[0]
    assert first == again
    assert first.n_notes > 20
    assert {track.program for track in first.tracks} <= {40, 41, 42}


# ------------------------------------------------------------------------------ arrangers

#: Shipped arranger -> (kind, part names, GM programs) the issue asks for.
ARRANGERS = {
    "bach-bilstm": ("bilstm", ("Soprano", "Alto", "Tenor", "Bass"), (73, 68, 70, 71)),
    "bach-lstm": ("lstm", ("Soprano", "Alto", "Tenor", "Bass"), (73, 68, 70, 71)),
    "quartet-bilstm": ("bilstm", ("Violin I", "Violin II", "Viola", "Violoncello"),
                       (40, 40, 41, 42)),
}


@pytest.mark.parametrize("name", sorted(ARRANGERS))
def test_arrangers_are_shipped_small_and_arrange_a_chorale(name: str) -> None:
    from orchestrion.datasets.music21_corpus import collection
    from orchestrion.pipelines.arranger import Arranger

    assert name in shipped()
    folder = assets_folder() / name
    assert (folder / WEIGHTS_FILE).stat().st_size < 5 * 1024 * 1024
    assert (folder / "MODEL.md").is_file()
    kind, parts, programs = ARRANGERS[name]
    arranger = Arranger.load(name)
    assert arranger.config.kind == kind
    assert arranger.online == (kind == "lstm")
    assert arranger.parts == parts
    assert tuple(arranger.codec.programs) == programs
    training = arranger.meta["training"]
    assert training["command"].startswith("orchestrion train arranger --dataset ")
    assert training["val_accuracy"] > 0.6

    chorale = collection("bach-chorales").load(
        collection("bach-chorales").root / "bach" / "bwv66.6.mxl")
    merged = chorale.copy()
    merged.tracks = [merged.tracks[0].copy()]
    merged.tracks[0].notes = sorted((n for t in chorale.tracks for n in t.notes),
                                    key=lambda n: (n.time, n.pitch))
    arranged = arranger.arrange(merged)
    assert [t.program for t in arranged.tracks] == list(programs)
    assert sum(len(t.notes) for t in arranged.tracks) == chorale.n_notes
    if name.startswith("bach"):  # a chorale in its own style: most notes where Bach put them
        truth = {(n.time, n.pitch): i for i, t in enumerate(chorale.tracks) for n in t.notes}
        hits = sum(truth.get((n.time, n.pitch)) == i
                   for i, t in enumerate(arranged.tracks) for n in t.notes)
        assert hits / chorale.n_notes > 0.85


@pytest.mark.slow
def test_bach_bilstm_accuracy_on_the_test_split_stays_above_96_percent(tmp_path) -> None:
    from orchestrion.pipelines.arranger import evaluate

    report = evaluate("bach-bilstm", "bach-chorales", root=tmp_path / "bach", jobs=2)
    assert report["pieces"] == 41
    assert report["notes"] == 10_392
    assert report["accuracy"] > 0.96
