"""The automatic-instrumentation models (Dong et al., ISMIR 2021): configuration, shapes,
causality of the online kinds, padding invariance, the masked loss, the input switches, the
documented parameter counts, and a tiny model that learns a small set by heart."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from orchestrion.models.arranger import config as config_module  # noqa: E402
from orchestrion.models.arranger.config import KINDS, ArrangerConfig  # noqa: E402
from orchestrion.models.arranger.model import (  # noqa: E402
    ArrangerModel,
    ArrangerOutput,
    sinusoidal,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

K = 4
ALL_INPUTS = {"use_duration": True, "entry_hints": True, "pitch_hints": True}


def _piece(n: int, seed: int, k: int = K) -> dict[str, torch.Tensor]:
    """Random features of one ``n``-note piece (unbatched), shaped as ``features`` gives."""
    g = torch.Generator().manual_seed(seed)
    onsets = torch.cumsum(torch.randint(0, 30, (n,), generator=g), 0) + 5000
    entry = torch.randint(-1, 2, (n, k), generator=g).float()
    return {"pitch": torch.randint(1, 129, (n,), generator=g),
            "beat": onsets // 24, "position": onsets % 24,
            "duration": torch.randint(1, 250, (n,), generator=g),
            "entry_hints": entry,
            "pitch_hints": torch.rand(k, generator=g) * 127,
            "labels": torch.randint(0, k, (n,), generator=g)}


def _collate(pieces: list[dict[str, torch.Tensor]], junk: int | None = None
             ) -> dict[str, torch.Tensor]:
    """Pad on the right: zeros and label -100 (or, with ``junk`` a seed, random values and
    random valid labels, which the model must ignore just the same)."""
    lengths = [len(p["pitch"]) for p in pieces]
    length = max(lengths)
    g = torch.Generator().manual_seed(junk or 0)
    batch: dict[str, torch.Tensor] = {}
    for key in ("pitch", "beat", "position", "duration", "entry_hints", "labels"):
        rows = []
        for p in pieces:
            shape = (length - len(p[key]), *p[key].shape[1:])
            if junk is None:
                pad = torch.full(shape, -100 if key == "labels" else 0, dtype=p[key].dtype)
            else:
                high = {"entry_hints": 2, "labels": K, "position": 24}.get(key, 129)
                pad = torch.randint(-1 if key == "entry_hints" else 0, high, shape,
                                    generator=g).to(p[key].dtype)
            rows.append(torch.cat([p[key], pad]))
        batch[key] = torch.stack(rows)
    batch["pitch_hints"] = torch.stack([p["pitch_hints"] for p in pieces])
    batch["mask"] = torch.arange(length)[None, :] < torch.tensor(lengths)[:, None]
    return batch


def _model(kind: str, seed: int = 0, **overrides: object) -> ArrangerModel:
    torch.manual_seed(seed)
    return ArrangerModel(ArrangerConfig.debug(kind, K, **overrides)).eval()


# --- configuration ----------------------------------------------------------------------------
def test_config_round_trip_and_online() -> None:
    for kind in KINDS:
        config = ArrangerConfig.preset(kind, 5, entry_hints=True)
        data = json.loads(json.dumps(config.to_dict()))
        assert ArrangerConfig.from_dict(data) == config
        assert config.online == (kind in ("lstm", "transformer"))
    assert ArrangerConfig.preset("bilstm", 4).use_duration
    assert not ArrangerConfig.preset("lstm", 4).use_duration
    assert ArrangerConfig.preset("lstm", 4, use_duration=True).use_duration
    paper = ArrangerConfig.preset("transformer", 4)
    assert (paper.layers, paper.hidden, paper.heads, paper.ff, paper.dropout) == (
        3, 128, 8, 256, 0.2)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kind": "gru"}, "kind must be one of"),
    ({"n_parts": 1}, "n_parts"),
    ({"kind": "bilstm", "hidden": 15}, "hidden must be even"),
    ({"kind": "transformer", "hidden": 20, "heads": 3}, "heads"),
    ({"kind": "bitransformer", "hidden": 20, "heads": 3}, "heads"),
    ({"dropout": 1.0}, "dropout"),
    ({"layers": 0}, "layers"),
    ({"beat_dim": 2.5}, "beat_dim"),
    ({"entry_hints": 1}, "entry_hints"),
])
def test_config_validation(overrides: dict[str, object], message: str) -> None:
    values = {"kind": "lstm", "n_parts": K, **overrides}
    with pytest.raises(ValueError, match=message) as info:
        ArrangerConfig(**values)  # type: ignore[arg-type]
    if "kind" in message:
        assert "bitransformer" in str(info.value)  # the error lists the kinds


def test_config_from_dict_rejects_unknown_keys() -> None:
    data = ArrangerConfig.debug("lstm", K).to_dict()
    with pytest.raises(ValueError, match=r"unknown keys.*'width'"):
        ArrangerConfig.from_dict({**data, "width": 3})
    # hidden 15 is fine for a unidirectional LSTM (and heads do not matter to it).
    ArrangerConfig("lstm", K, hidden=15, heads=4)


def test_preset_parameter_counts_match_the_docstring() -> None:
    expected = {("preset", "lstm"): 418_884, ("preset", "bilstm"): 325_716,
                ("preset", "transformer"): 421_572, ("preset", "bitransformer"): 421_572,
                ("debug", "lstm"): 6_140, ("debug", "bilstm"): 5_116,
                ("debug", "transformer"): 6_332}
    doc = config_module.__doc__ or ""
    for (size, kind), count in expected.items():
        model = ArrangerModel(getattr(ArrangerConfig, size)(kind, K))
        assert model.num_parameters() == count, (size, kind)
        assert f"{count:,}" in doc
        # One more part: K + 1 output units of width hidden (+ bias).
        bigger = ArrangerModel(getattr(ArrangerConfig, size)(kind, K + 1))
        assert bigger.num_parameters() - count == model.config.hidden + 1
    hinted = ArrangerModel(ArrangerConfig.preset("lstm", K, entry_hints=True))
    assert hinted.num_parameters() - expected["preset", "lstm"] == K * 128


# --- shapes, causality, padding ---------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_shapes_loss_and_predict(kind: str) -> None:
    model = _model(kind, **ALL_INPUTS)
    batch = _collate([_piece(7, 1), _piece(4, 2), _piece(0, 3)])
    out = model(batch)
    assert isinstance(out, ArrangerOutput)
    assert out.logits.shape == (3, 7, K)
    assert torch.isfinite(out.logits).all()  # an empty piece never gives NaN
    assert out.loss is not None
    assert out.loss.ndim == 0
    assert torch.isfinite(out.loss)
    assert model(_without(batch, "labels")).loss is None
    # features() gives int8 entry hints: the model reads them as floats.
    as_int8 = {**batch, "entry_hints": batch["entry_hints"].to(torch.int8)}
    torch.testing.assert_close(model(as_int8).logits, out.logits, atol=0, rtol=0)
    model.train()
    predicted = model.predict(batch)
    assert model.training  # predict leaves the mode alone
    assert predicted.shape == (3, 7)
    assert predicted.dtype == torch.long
    assert not predicted.requires_grad
    assert (predicted[~batch["mask"]] == -1).all()
    real = predicted[batch["mask"]]
    assert ((real >= 0) & (real < K)).all()


def _without(batch: dict[str, torch.Tensor], *keys: str) -> dict[str, torch.Tensor]:
    return {key: value for key, value in batch.items() if key not in keys}


@pytest.mark.parametrize("kind", KINDS)
def test_online_kinds_are_causal_and_offline_kinds_are_not(kind: str) -> None:
    model = _model(kind, **ALL_INPUTS)
    first, other = _piece(12, 4), _piece(12, 5)
    changed = {key: value.clone() for key, value in first.items()}
    for key in ("pitch", "duration", "entry_hints", "position"):
        changed[key][6:] = other[key][6:]
    changed["beat"][6:] += 7  # later notes later still: the order stays sorted
    a = model(_collate([first])).logits[0]
    b = model(_collate([changed])).logits[0]
    assert not torch.allclose(a[6:], b[6:], atol=1e-4)  # the changes matter where they are
    if model.config.online:
        torch.testing.assert_close(a[:6], b[:6], atol=1e-6, rtol=0)
    else:
        assert (a[:6] - b[:6]).abs().max() > 1e-4


@pytest.mark.parametrize("kind", KINDS)
def test_padding_does_not_change_real_notes(kind: str) -> None:
    model = _model(kind, **ALL_INPUTS)
    pieces = [_piece(9, 6), _piece(5, 7), _piece(1, 8)]
    for junk in (None, 11):
        batched = model(_collate(pieces, junk=junk)).logits
        for i, piece in enumerate(pieces):
            alone = model(_collate([piece])).logits[0]
            n = len(piece["pitch"])
            torch.testing.assert_close(batched[i, :n], alone, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "bitransformer"])
def test_loss_ignores_padding_and_ignored_labels(kind: str) -> None:
    model = _model(kind, **ALL_INPUTS)
    pieces = [_piece(8, 9), _piece(3, 10)]
    batch = _collate(pieces)
    batch["labels"][0, 2] = -100  # a real note without a label
    loss = model(batch).loss
    junk = _collate(pieces, junk=12)  # other padding values, valid labels on padding
    junk["labels"][0, 2] = -100
    assert junk["labels"][1, 3:].ge(0).all()
    torch.testing.assert_close(model(junk).loss, loss, atol=1e-6, rtol=0)
    # The mean cross-entropy over the 8 + 3 - 1 labelled real notes.
    logits = model(batch).logits
    keep = batch["mask"] & (batch["labels"] != -100)
    manual = torch.nn.functional.cross_entropy(logits[keep], batch["labels"][keep])
    torch.testing.assert_close(loss, manual, atol=1e-6, rtol=1e-6)
    batch["labels"][:] = -100  # nothing to score: 0, not NaN
    assert model(batch).loss.item() == 0.0


def test_mask_must_be_a_prefix() -> None:
    model = _model("lstm")
    batch = _collate([_piece(6, 13)])
    batch["mask"][0, 2] = False
    with pytest.raises(ValueError, match="prefix"):
        model(batch)


# --- input switches ---------------------------------------------------------------------------
@pytest.mark.parametrize(("switch", "key", "width"), [
    ("entry_hints", "entry_hints", K), ("pitch_hints", "pitch_hints", K),
    ("use_duration", "duration", 8), ("use_beat", "beat", 8), ("use_position", "position", 8)])
def test_feature_switches(switch: str, key: str, width: int) -> None:
    defaults = {"use_beat": True, "use_position": True}
    on = _model("bilstm", **{**defaults, switch: True})
    off = _model("bilstm", **{**defaults, switch: False})
    assert on.config.input_dim - off.config.input_dim == width
    assert on.input_projection.in_features == on.config.input_dim
    assert key in on.required_keys()
    assert key not in off.required_keys()
    batch = _collate([_piece(10, 14)])
    other = _collate([_piece(10, 15)])
    varied = {**batch, key: other[key]}
    # The model that reads the input changes with it ...
    assert not torch.allclose(on(batch).logits, on(varied).logits, atol=1e-4)
    with pytest.raises(KeyError, match=key):
        on(_without(batch, key))
    # ... and the one that does not ignores it, or its absence.
    torch.testing.assert_close(off(batch).logits, off(varied).logits, atol=0, rtol=0)
    torch.testing.assert_close(off(_without(batch, key)).logits, off(batch).logits,
                               atol=0, rtol=0)


def test_shape_errors_name_the_input() -> None:
    model = _model("transformer", entry_hints=True, pitch_hints=True)
    batch = _collate([_piece(5, 16)])
    with pytest.raises(ValueError, match="entry_hints"):
        model({**batch, "entry_hints": batch["entry_hints"][..., :2]})
    with pytest.raises(ValueError, match="pitch_hints"):
        model({**batch, "pitch_hints": batch["pitch_hints"][:, None]})


def test_sinusoidal_beat_encoding() -> None:
    beats = torch.tensor([0, 1, 7, 4321])
    encoded = sinusoidal(beats, 6).numpy()
    rates = 1.0 / np.power(10000.0, 2 * (np.arange(6) // 2) / 6)
    angles = beats.numpy()[:, None] * rates
    expected = np.where(np.arange(6) % 2 == 0, np.sin(angles), np.cos(angles))
    np.testing.assert_allclose(encoded, expected, atol=1e-6)


# --- learning ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_tiny_model_learns_a_tiny_set_by_heart(kind: str) -> None:
    # Part = 2 * (high register) + (the melody rises): pitch and context both matter.
    g = torch.Generator().manual_seed(17)
    pieces = []
    for seed in range(3):
        piece = _piece(30, 20 + seed)
        pitch = torch.randint(40, 90, (30,), generator=g)
        rises = torch.cat([torch.zeros(1, dtype=torch.bool), pitch[1:] > pitch[:-1]])
        piece["pitch"] = pitch + 1
        piece["labels"] = 2 * (pitch >= 64).long() + rises.long()
        pieces.append(piece)
    batch = _collate(pieces)
    torch.manual_seed(0)
    model = ArrangerModel(ArrangerConfig.debug(kind, K, hidden=32, ff=64, pitch_dim=16))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        loss = model(batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (model.predict(batch)[batch["mask"]] == batch["labels"][batch["mask"]]).all():
            break
    predicted = model.eval().predict(batch)
    assert (predicted[batch["mask"]] == batch["labels"][batch["mask"]]).all()
