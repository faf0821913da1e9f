"""orchestrion.nn: sampling filters on hand-made logits, causal attention, the KV cache."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from orchestrion.nn import (  # noqa: E402
    CausalSelfAttention,
    KVCache,
    TransformerDecoder,
    filter_logits,
    sample,
    top_k_filter,
    top_p_filter,
)

INF = float("-inf")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_top_k_keeps_the_k_largest_and_ties() -> None:
    logits = torch.tensor([[1.0, 3.0, 2.0, 0.5], [0.0, 0.0, 1.0, INF]])
    assert top_k_filter(logits, 2).tolist() == [[INF, 3.0, 2.0, INF], [0.0, 0.0, 1.0, INF]]
    assert top_k_filter(logits, 1).tolist() == [[INF, 3.0, INF, INF], [INF, INF, 1.0, INF]]
    for k in (None, 0, 4, 9):
        assert torch.equal(top_k_filter(logits, k), logits)


def test_top_p_keeps_the_smallest_prefix_reaching_p() -> None:
    probs = torch.tensor([0.5, 0.05, 0.3, 0.15])
    logits = probs.log()[None]
    # Sorted: 0.5, 0.3, 0.15, 0.05; mass before each: 0, 0.5, 0.8, 0.95.
    kept = {0.4: [0], 0.5: [0], 0.6: [0, 2], 0.8: [0, 2], 0.85: [0, 2, 3], 0.99: [0, 1, 2, 3]}
    for p, indices in kept.items():
        out = top_p_filter(logits, p)[0]
        assert torch.isfinite(out).nonzero().flatten().tolist() == indices, p
        assert torch.equal(out[indices], logits[0, indices])
    assert torch.equal(top_p_filter(logits, 1.0), logits)
    with pytest.raises(ValueError, match="top_p"):
        top_p_filter(logits, 0.0)


def test_filter_logits_divides_by_the_temperature_first() -> None:
    logits = torch.tensor([2.0, 4.0, 0.0])
    assert filter_logits(logits, temperature=2.0).tolist() == [1.0, 2.0, 0.0]
    assert filter_logits(logits, temperature=0.5, top_k=1).tolist() == [INF, 8.0, INF]
    with pytest.raises(ValueError, match="temperature"):
        filter_logits(logits, temperature=0.0)


def test_sample_is_greedy_at_zero_temperature_and_seeded_otherwise() -> None:
    logits = torch.randn(64, 10, generator=torch.Generator().manual_seed(0))
    assert torch.equal(sample(logits, temperature=0), logits.argmax(-1))
    draws = [sample(logits, generator=torch.Generator().manual_seed(7)) for _ in range(2)]
    assert torch.equal(draws[0], draws[1])
    masked = logits.clone()
    masked[:, :5] = INF
    assert (sample(masked, generator=torch.Generator().manual_seed(1)) >= 5).all()
    only = sample(logits, top_k=1, generator=torch.Generator().manual_seed(3))
    assert torch.equal(only, logits.argmax(-1))


def test_sample_frequencies_follow_the_filtered_distribution() -> None:
    logits = torch.tensor([0.5, 0.3, 0.15, 0.05]).log().expand(20000, 4)
    draws = sample(logits, top_p=0.6, generator=torch.Generator().manual_seed(0))
    share = torch.bincount(draws, minlength=4).float() / len(draws)
    assert share[2] == 0
    assert share[3] == 0
    assert math.isclose(share[0].item(), 0.5 / 0.8, abs_tol=0.02)


def _decoder(dropout: float = 0.0) -> TransformerDecoder:
    torch.manual_seed(0)
    return TransformerDecoder(d_model=16, n_layers=2, n_heads=4, d_ff=32, max_len=24,
                              dropout=dropout).eval()


def test_no_gradient_flows_from_the_future() -> None:
    decoder = _decoder()
    x = torch.randn(2, 10, 16, requires_grad=True)
    y = decoder(x)
    weights = torch.randn(16)  # (a plain sum of a LayerNorm's output has no gradient)
    for t in (0, 4, 9):
        (grad,) = torch.autograd.grad((y[:, t] * weights).sum(), x, retain_graph=True)
        assert grad[:, t + 1:].abs().sum() == 0
        assert grad[:, : t + 1].abs().sum() > 0


def test_cached_steps_equal_the_full_forward() -> None:
    decoder = _decoder()
    x = torch.randn(3, 12, 16)
    full = decoder(x)
    cache = decoder.new_cache()
    parts = [decoder(x[:, :5], cache)]  # a prompt, then one chunk of 3, then single steps
    parts.append(decoder(x[:, 5:8], cache))
    parts += [decoder(x[:, t:t + 1], cache) for t in range(8, 12)]
    assert cache[0].length == 12
    torch.testing.assert_close(torch.cat(parts, dim=1), full, atol=1e-5, rtol=1e-5)


def test_cache_limits() -> None:
    decoder = _decoder()
    cache = decoder.new_cache(4)
    decoder(torch.randn(1, 3, 16), cache)
    with pytest.raises(ValueError, match="capacity"):
        decoder(torch.randn(1, 2, 16), cache)
    with pytest.raises(ValueError, match="maximum"):
        decoder(torch.randn(1, 25, 16))
    with pytest.raises(ValueError, match="capacity"):
        KVCache(0)
    with pytest.raises(ValueError, match="multiple"):
        CausalSelfAttention(10, 3)


def test_dropout_only_in_training() -> None:
    decoder = _decoder(dropout=0.5)
    x = torch.randn(1, 6, 16)
    assert torch.equal(decoder(x), decoder(x))
    decoder.train()
    assert not torch.equal(decoder(x), decoder(x))
