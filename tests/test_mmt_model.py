"""The Multitrack Music Transformer: config, loss and its mask, causality, the KV cache,
grammatical sampling in the three modes, and a tiny model that learns two pieces by heart."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from orchestrion import Music, Note, Track  # noqa: E402
from orchestrion.models.mmt import (  # noqa: E402
    MMTConfig,
    MultitrackMusicTransformer,
    continuation_prompt,
    field_usage,
    generate,
    instrument_prompt,
    trim,
    unconditioned,
)
from orchestrion.models.mmt.config import DEFAULT_FIELD_USAGE  # noqa: E402
from orchestrion.representations import get  # noqa: E402

CODEC = get("mmt")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _pieces() -> list[np.ndarray]:
    scale = [0, 2, 4, 5, 7, 9, 11, 12]
    piano = Music(resolution=12, tracks=[Track(program=0, notes=[
        Note(12 * i, 60 + step, 12) for i, step in enumerate(scale)])])
    strings = Music(resolution=12, tracks=[
        Track(program=40, notes=[Note(6 * i, 76 - i, 6) for i in range(6)]),
        Track(program=42, notes=[Note(12 * i, 48 + i, 24) for i in range(3)])])
    return [CODEC.encode(piano), CODEC.encode(strings)]


def _batch(arrays: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(len(a) for a in arrays)
    tokens = torch.zeros(len(arrays), length, 6, dtype=torch.long)
    mask = torch.zeros(len(arrays), length, dtype=torch.bool)
    for i, a in enumerate(arrays):
        tokens[i, :len(a)] = torch.from_numpy(a)
        mask[i, :len(a)] = True
    return tokens, mask


def _model(nested: bool = False, seed: int = 0, **overrides: object
           ) -> MultitrackMusicTransformer:
    torch.manual_seed(seed)
    model = MultitrackMusicTransformer(MMTConfig.from_codec(CODEC, "debug", nested=nested,
                                                            **overrides))
    with torch.no_grad():  # an untrained model that writes notes rather than ending at once
        model.heads[0].bias.copy_(torch.tensor([0.0, 0.5, 1.0, 2.0, -2.0]))
    return model.eval()


# --- config ---------------------------------------------------------------------------------
def test_config_round_trips_through_json() -> None:
    for config in (MMTConfig.debug(), MMTConfig.small(nested=True),
                   MMTConfig.from_codec(CODEC, "paper", mask_loss=False)):
        again = MMTConfig.from_dict(json.loads(json.dumps(config.to_dict())))
        assert again == config
        assert again.codec_config == config.codec_config
    with pytest.raises(ValueError, match="unknown keys"):
        MMTConfig.from_dict({"layers": 3})
    with pytest.raises(ValueError, match="multiple"):
        MMTConfig(d_model=30, n_heads=4)


def test_config_from_codec_reads_vocabulary_and_grammar() -> None:
    config = MMTConfig.from_codec(CODEC, "small")
    assert config.vocabulary == (5, 257, 13, 129, 33, 65)
    assert config.max_seq_len == 1024
    assert field_usage(CODEC) == DEFAULT_FIELD_USAGE
    assert get("mmt", **config.codec_config) == CODEC
    other = MMTConfig.from_codec(get("mmt", max_beat=64, resolution=24, max_events=512))
    assert other.vocabulary[1:3] == (65, 25)
    assert other.max_seq_len == 512
    with pytest.raises(ValueError, match="fields"):
        MMTConfig.from_codec(get("remi"))


def test_parameter_counts() -> None:
    paper = MultitrackMusicTransformer(MMTConfig.paper()).num_parameters()
    assert abs(paper - 19.9e6) <= 0.1e6  # the paper's 19.94 M
    small = MultitrackMusicTransformer(MMTConfig.small()).num_parameters()
    assert small * 4 < 20e6  # float32 bytes


# --- forward and loss -----------------------------------------------------------------------
@pytest.mark.parametrize("nested", [False, True])
def test_forward_shapes_and_loss(nested: bool) -> None:
    model = _model(nested)
    tokens, mask = _batch(_pieces())
    out = model(tokens, mask)
    assert [tuple(x.shape) for x in out.logits] == [(2, tokens.shape[1] - 1, v)
                                                   for v in model.config.vocabulary]
    assert out.loss is not None
    assert torch.isfinite(out.loss)
    assert set(out.field_losses) == {"type", "beat", "position", "pitch", "duration",
                                     "instrument"}
    torch.testing.assert_close(out.loss, sum(out.field_losses.values()))
    out.loss.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_changing_the_future_leaves_earlier_logits_unchanged() -> None:
    model = _model()
    tokens, _ = _batch(_pieces())
    changed = tokens.clone()
    changed[:, 6:] = torch.randint(0, 5, changed[:, 6:].shape)
    before = model(tokens, targets=False).logits
    after = model(changed, targets=False).logits
    for a, b in zip(before, after, strict=True):
        torch.testing.assert_close(a[:, :6], b[:, :6], atol=0, rtol=0)
        assert not torch.equal(a[:, 6:], b[:, 6:])
    with pytest.raises(ValueError, match="nested"):
        _model(nested=True)(tokens, targets=False)


def test_loss_mask_ignores_padding_and_dont_care_fields() -> None:
    arrays = _pieces()
    tokens, mask = _batch(arrays)
    short = len(arrays[0])  # item 0 is padded after its EOS
    for mask_loss in (True, False):
        model = _model(mask_loss=mask_loss)
        loss = model(tokens, mask).loss
        changed = tokens.clone()
        changed[0, short:] = 7 % torch.tensor(model.config.vocabulary)  # the padding
        changed[1, -1, 1:] = 3  # the don't-care fields of the last EOS (a target only)
        changed_loss = model(changed, mask).loss
        if mask_loss:
            assert torch.equal(loss, changed_loss)
        else:
            assert not torch.isclose(loss, changed_loss)
    # Without notes to predict, the note fields have nothing to count.
    header = np.array([[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 3], [2, 0, 0, 0, 0, 0],
                       [4, 0, 0, 0, 0, 0]])
    out = _model()(torch.from_numpy(header)[None])
    assert out.field_losses["beat"] == 0
    assert out.field_losses["instrument"] > 0


def test_cached_steps_give_the_full_forward_logits() -> None:
    model = _model()
    tokens, _ = _batch(_pieces())
    full = model(tokens, targets=False).logits
    logits, cache = model.forward_step(tokens[:, :4])
    steps = [logits]
    for t in range(4, tokens.shape[1]):
        logits, cache = model.forward_step(tokens[:, t:t + 1], cache)
        steps.append(logits)
    for f, whole in enumerate(full):
        torch.testing.assert_close(torch.cat([s[f] for s in steps], dim=1), whole,
                                   atol=1e-5, rtol=1e-5)


# --- generation -----------------------------------------------------------------------------
@pytest.mark.parametrize("nested", [False, True])
def test_cached_generation_equals_uncached(nested: bool) -> None:
    model = _model(nested)
    prompt = np.stack([unconditioned(CODEC)] * 3)
    for seed in (0, 1):
        cached = generate(model, prompt, max_events=40, top_k=0, seed=seed)
        uncached = generate(model, prompt, max_events=40, top_k=0, seed=seed, use_cache=False)
        assert np.array_equal(cached, uncached)
        assert np.array_equal(cached, generate(model, prompt, max_events=40, top_k=0,
                                               seed=seed))


@pytest.mark.parametrize("nested", [False, True])
def test_samples_obey_the_grammar_and_decode(nested: bool) -> None:
    model = _model(nested)
    prompts = [np.stack([unconditioned(CODEC)] * 4),
               np.stack([instrument_prompt(CODEC, ["violin", "cello"])] * 4)]
    n_notes = 0
    for seed in range(6):
        for prompt in prompts:
            settings = {"top_k": 0} if seed % 2 else {"top_p": 0.9, "temperature": 1.5}
            out = generate(model, prompt, max_events=48, seed=seed, **settings)
            assert out.shape[0] == 4
            assert out.shape[1] <= 48
            for song in trim(out):
                CODEC.check(song)
                CODEC.decode(song)
                header = song[song[:, 0] == 1, 5]
                assert (np.diff(header) > 0).all()
                assert song[-1, 0] == 4  # every song ends, at max_events at the latest
                n_notes += int((song[:, 0] == 3).sum())
    assert n_notes > 100


def test_generation_options() -> None:
    model = _model()
    prompt = instrument_prompt(CODEC, [40, 42])
    out = generate(model, prompt, max_events=40, seed=3, restrict_instruments=True,
                   temperature={"type": 0, "pitch": 0.5})
    song = trim(out)[0]
    assert np.array_equal(song[:4], prompt)
    assert set(song[song[:, 0] == 3, 5].tolist()) <= {25, 27}
    assert np.array_equal(generate(model, prompt, max_events=4), prompt[None])
    assert generate(model, prompt, max_events=5, seed=0)[0, -1, 0] == 4
    with pytest.raises(ValueError, match="unknown fields"):
        generate(model, prompt, temperature={"tempo": 1.0})
    with pytest.raises(ValueError, match="exceeds"):
        generate(model, prompt, max_events=129)
    with pytest.raises(ValueError, match="start-of-song"):
        generate(model, prompt[1:])


def test_prompts_of_the_three_modes() -> None:
    assert unconditioned(CODEC).tolist() == [[0] * 6]
    prompt = instrument_prompt(CODEC, ["cello", 40, "violin", 0])
    assert prompt.tolist() == [[0] * 6, [1, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 25],
                               [1, 0, 0, 0, 0, 27], [2, 0, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match="dropped"):
        instrument_prompt(CODEC, [120])
    with pytest.raises(ValueError, match="unknown instrument"):
        instrument_prompt(CODEC, ["theremin"])
    piece = _pieces()[1]
    cut = continuation_prompt(CODEC, piece, 2)
    notes = cut[cut[:, 0] == 3]
    assert len(cut) == 4 + len(notes)
    assert notes[:, 1].max() == 2
    assert np.array_equal(cut, piece[:len(cut)])
    assert continuation_prompt(CODEC, CODEC.decode(piece), 2).tolist() == cut.tolist()
    model = _model()
    song = trim(generate(model, cut, max_events=40, seed=0))[0]
    assert np.array_equal(song[:len(cut)], cut)
    CODEC.check(song)


@pytest.mark.parametrize("nested", [False, True])
def test_a_tiny_model_learns_two_pieces_by_heart(nested: bool) -> None:
    arrays = _pieces()
    tokens, mask = _batch(arrays)
    torch.manual_seed(0)
    model = MultitrackMusicTransformer(MMTConfig.from_codec(CODEC, "debug", nested=nested))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(200):
        loss = model(tokens, mask).loss
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    assert loss.item() < 0.25  # measured: 0.077 (independent), 0.073 (nested)
    for array, programs in ((arrays[0], [0]), (arrays[1], [40, 42])):
        out = generate(model, instrument_prompt(CODEC, programs), max_events=64,
                       temperature=0, seed=0)
        assert np.array_equal(trim(out)[0], array)
