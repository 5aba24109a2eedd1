"""brainformers.attention against independent references.

References: ``torch.nn.functional.scaled_dot_product_attention`` and
``torch.nn.MultiheadAttention`` (PyTorch's own implementations), closed forms worked out by
hand, and explicit loops. Inputs come from fixed seeds. Tolerances: 1e-10 in float64,
1e-5 in float32 (a few float32 roundings of O(1) numbers), 1e-4 where float32 sines of
angles up to ~50 rad are involved.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from brainformers.attention import (
    attention_pooling,
    causal_mask,
    merge_heads,
    multi_head_attention,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positions,
    split_heads,
)

ATOL64 = 1e-10  # float64 comparisons
ATOL32 = 1e-5  # float32 comparisons


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def qkv(batch_shape=(2,), seq_q=5, seq_k=7, d_k=8, d_v=3, dtype=torch.float64, seed=0):
    g = gen(seed)
    q = torch.randn(*batch_shape, seq_q, d_k, generator=g, dtype=dtype)
    k = torch.randn(*batch_shape, seq_k, d_k, generator=g, dtype=dtype)
    v = torch.randn(*batch_shape, seq_k, d_v, generator=g, dtype=dtype)
    return q, k, v


def torch_weights(q, k, mask=None, scale=None):
    """Attention weights from PyTorch: attending to one-hot values returns the weights."""
    eye = torch.eye(k.shape[-2], dtype=k.dtype).expand(*k.shape[:-1], k.shape[-2])
    return F.scaled_dot_product_attention(q, k, eye, attn_mask=mask, scale=scale)


# ------------------------------------------------------- scaled_dot_product_attention

BATCH_SHAPES = [(), (2,), (2, 3)]  # 2-D, 3-D and 4-D inputs


@pytest.mark.parametrize("batch_shape", BATCH_SHAPES, ids=["2d", "3d", "4d"])
@pytest.mark.parametrize("scale", [None, 0.3, 2.0], ids=["default", "0.3", "2.0"])
def test_sdpa_matches_torch(batch_shape, scale):
    q, k, v = qkv(batch_shape)
    out, weights = scaled_dot_product_attention(q, k, v, scale=scale)
    expected = F.scaled_dot_product_attention(q, k, v, scale=scale)
    assert out.shape == (*batch_shape, 5, 3)
    assert weights.shape == (*batch_shape, 5, 7)
    torch.testing.assert_close(out, expected, atol=ATOL64, rtol=0)
    torch.testing.assert_close(weights, torch_weights(q, k, scale=scale), atol=ATOL64, rtol=0)


def test_sdpa_default_scale_is_inverse_sqrt_dk():
    q, k, v = qkv(d_k=16)
    out_default, _ = scaled_dot_product_attention(q, k, v)
    out_explicit, _ = scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(16))
    torch.testing.assert_close(out_default, out_explicit, atol=ATOL64, rtol=0)


def test_sdpa_float32_matches_torch():
    q, k, v = qkv(dtype=torch.float32)
    out, _ = scaled_dot_product_attention(q, k, v)
    expected = F.scaled_dot_product_attention(q, k, v)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, expected, atol=ATOL32, rtol=0)


def random_mask(shape, seed=1):
    """Random bool mask with at least one True per row (the diagonal-ish entry forced on)."""
    mask = torch.rand(shape, generator=gen(seed)) < 0.5
    mask[..., 0] = True
    return mask


@pytest.mark.parametrize("batch_shape", BATCH_SHAPES, ids=["2d", "3d", "4d"])
@pytest.mark.parametrize(
    "mask_kind", ["full", "broadcast_queries", "causal"], ids=["full", "bcast", "causal"]
)
def test_sdpa_with_mask_matches_torch(batch_shape, mask_kind):
    seq = 6
    q, k, v = qkv(batch_shape, seq_q=seq, seq_k=seq)
    if mask_kind == "full":
        mask = random_mask((*batch_shape, seq, seq))
    elif mask_kind == "broadcast_queries":
        mask = random_mask((*batch_shape, 1, seq))
    else:
        mask = causal_mask(seq)
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask, scale=0.7)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.7)
    torch.testing.assert_close(out, expected, atol=ATOL64, rtol=0)
    torch.testing.assert_close(weights, torch_weights(q, k, mask, 0.7), atol=ATOL64, rtol=0)
    # Blocked keys get exactly zero weight, not just a small one.
    blocked = ~mask.expand_as(weights)
    assert (weights[blocked] == 0).all()


@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_weights_are_distributions(masked):
    q, k, v = qkv((3,), seq_q=6, seq_k=6)
    mask = random_mask((3, 6, 6)) if masked else None
    _, weights = scaled_dot_product_attention(q, k, v, mask=mask)
    assert (weights >= 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 6, dtype=q.dtype), atol=1e-12, rtol=0)


def test_sdpa_output_is_weighted_average_of_values():
    q, k, v = qkv()
    out, weights = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, torch.einsum("bqk,bkd->bqd", weights, v), atol=ATOL64, rtol=0)


@pytest.mark.parametrize("a", [0.0, 1.0, 3.0])
def test_sdpa_one_hot_keys_closed_form(a):
    """Keys = the n unit vectors, query = a·e_j: scores are a at key j and 0 elsewhere, so
    w_j = e^a / (e^a + n - 1), every other weight 1 / (e^a + n - 1)."""
    n, j = 4, 2
    key = torch.eye(n, dtype=torch.float64)
    value = torch.arange(n * 2, dtype=torch.float64).reshape(n, 2)  # rows [0,1],[2,3],...
    query = a * key[j : j + 1]  # (1, n)
    out, weights = scaled_dot_product_attention(query, key, value, scale=1.0)
    z = math.exp(a) + n - 1
    expected_w = torch.full((1, n), 1 / z, dtype=torch.float64)
    expected_w[0, j] = math.exp(a) / z
    torch.testing.assert_close(weights, expected_w, atol=1e-12, rtol=0)
    torch.testing.assert_close(out, expected_w @ value, atol=1e-12, rtol=0)


def test_sdpa_sharp_one_hot_retrieves_the_value():
    """With a large scale (low temperature) the matching key's value comes back."""
    key = torch.eye(4, dtype=torch.float64)
    value = torch.tensor([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [-2.0, 3.0]], dtype=torch.float64)
    out, _ = scaled_dot_product_attention(key[3:4], key, value, scale=100.0)
    torch.testing.assert_close(out, value[3:4], atol=1e-12, rtol=0)


def test_sdpa_numpy_input_is_type_error_with_hint():
    q, k, v = qkv()
    with pytest.raises(TypeError, match=r"torch\.as_tensor"):
        scaled_dot_product_attention(q.numpy(), k, v)


def test_sdpa_numpy_mask_is_type_error_with_hint():
    """A NumPy mask is rejected too (the conversion hint is the same)."""
    q, k, v = qkv()
    with pytest.raises(TypeError, match=r"torch\.as_tensor"):
        scaled_dot_product_attention(q, k, v, mask=np.ones((5, 7), dtype=bool))


@pytest.mark.parametrize("which", ["query", "key", "value"])
def test_sdpa_integer_dtype_is_type_error(which):
    tensors = dict(zip(["query", "key", "value"], qkv(), strict=True))
    tensors[which] = tensors[which].long()
    with pytest.raises(TypeError, match=which):
        scaled_dot_product_attention(**tensors)


def test_sdpa_mismatched_dk_names_both_shapes():
    q, _, v = qkv()
    k = torch.randn(2, 7, 4, generator=gen(3), dtype=torch.float64)
    with pytest.raises(ValueError) as info:
        scaled_dot_product_attention(q, k, v)
    assert "(2, 5, 8)" in str(info.value)
    assert "(2, 7, 4)" in str(info.value)


def test_sdpa_key_value_length_mismatch():
    q, k, _ = qkv()
    v = torch.randn(2, 6, 3, generator=gen(3), dtype=torch.float64)
    with pytest.raises(ValueError, match=r"seq_k") as info:
        scaled_dot_product_attention(q, k, v)
    assert "(2, 7, 8)" in str(info.value)
    assert "(2, 6, 3)" in str(info.value)


def test_sdpa_one_dimensional_input_is_value_error():
    q, k, v = qkv()
    with pytest.raises(ValueError, match="query"):
        scaled_dot_product_attention(q[0, 0], k, v)


def test_sdpa_float_mask_is_type_error():
    q, k, v = qkv()
    with pytest.raises(TypeError, match="mask"):
        scaled_dot_product_attention(q, k, v, mask=torch.ones(5, 7))


def test_sdpa_non_broadcasting_mask_names_shapes():
    q, k, v = qkv()
    mask = torch.ones(5, 6, dtype=torch.bool)
    with pytest.raises(ValueError) as info:
        scaled_dot_product_attention(q, k, v, mask=mask)
    assert "(5, 6)" in str(info.value)
    assert "(2, 5, 7)" in str(info.value)


def test_sdpa_fully_masked_row_is_value_error():
    q, k, v = qkv()
    mask = torch.ones(5, 7, dtype=torch.bool)
    mask[3] = False
    with pytest.raises(ValueError, match="mask"):
        scaled_dot_product_attention(q, k, v, mask=mask)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_sdpa_non_positive_scale_is_value_error(scale):
    q, k, v = qkv()
    with pytest.raises(ValueError, match="scale"):
        scaled_dot_product_attention(q, k, v, scale=scale)


# ------------------------------------------------------------------- causal_mask


@pytest.mark.parametrize("n", [1, 2, 5, 17])
def test_causal_mask_is_lower_triangular(n):
    mask = causal_mask(n)
    assert mask.dtype == torch.bool
    assert torch.equal(mask, torch.ones(n, n).tril().bool())
    loop = torch.tensor([[j <= i for j in range(n)] for i in range(n)])
    assert torch.equal(mask, loop)


@pytest.mark.parametrize("seq_len", [0, -1, 2.5, True])
def test_causal_mask_bad_seq_len(seq_len):
    with pytest.raises(ValueError, match="seq_len"):
        causal_mask(seq_len)


# ------------------------------------------------------------------ padding_mask


def test_padding_mask_known_example():
    mask = padding_mask(torch.tensor([1, 3, 4]), seq_len=4)
    expected = torch.tensor(
        [
            [[True, False, False, False]],
            [[True, True, True, False]],
            [[True, True, True, True]],
        ]
    )
    assert mask.shape == (3, 1, 4)
    assert mask.dtype == torch.bool
    assert torch.equal(mask, expected)


def test_padding_mask_matches_loop():
    lengths = torch.randint(1, 10, (8,), generator=gen(4))
    mask = padding_mask(lengths, seq_len=9)
    loop = torch.tensor([[[p < n for p in range(9)]] for n in lengths.tolist()])
    assert torch.equal(mask, loop)


def test_padding_mask_zeroes_weights_on_padding():
    """Used as an attention mask, padded keys receive zero weight."""
    q, k, v = qkv((3,), seq_q=4, seq_k=4)
    mask = padding_mask(torch.tensor([1, 2, 4]), seq_len=4)
    _, weights = scaled_dot_product_attention(q, k, v, mask=mask)
    assert (weights[0, :, 1:] == 0).all()
    assert (weights[1, :, 2:] == 0).all()
    torch.testing.assert_close(weights[0, :, 0], torch.ones(4, dtype=q.dtype), atol=0, rtol=0)


@pytest.mark.parametrize("lengths", [torch.tensor([1.0, 2.0]), torch.tensor([True, True])])
def test_padding_mask_non_integer_lengths_is_type_error(lengths):
    with pytest.raises(TypeError, match="lengths"):
        padding_mask(lengths, seq_len=4)


@pytest.mark.parametrize("bad", [0, 5, -1])
def test_padding_mask_lengths_out_of_range(bad):
    with pytest.raises(ValueError, match="lengths"):
        padding_mask(torch.tensor([2, bad]), seq_len=4)


def test_padding_mask_two_dimensional_lengths():
    with pytest.raises(ValueError, match="lengths"):
        padding_mask(torch.tensor([[1, 2], [3, 4]]), seq_len=4)


# ------------------------------------------------------------ split / merge heads


@pytest.mark.parametrize("n_heads", [1, 2, 4, 8])
def test_split_and_merge_heads_are_inverses(n_heads):
    x = torch.randn(2, 5, 8, generator=gen(5))
    heads = split_heads(x, n_heads)
    assert heads.shape == (2, n_heads, 5, 8 // n_heads)
    assert torch.equal(merge_heads(heads), x)
    assert torch.equal(split_heads(merge_heads(heads), n_heads), heads)


def test_split_heads_takes_column_blocks():
    """Head h holds columns h·d_head … (h+1)·d_head - 1 of every position."""
    x = torch.randn(2, 5, 12, generator=gen(6))
    heads = split_heads(x, 3)
    for h in range(3):
        assert torch.equal(heads[:, h], x[..., 4 * h : 4 * (h + 1)])


# ----------------------------------------------------------- multi_head_attention


def torch_mha(d_model, n_heads, seed=0):
    """nn.MultiheadAttention without biases and our weights copied from it.

    PyTorch computes ``x @ W.T`` with W = in_proj_weight chunks, so ours are W.T.
    """
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(d_model, n_heads, bias=False, batch_first=True)
    mha.eval()
    w_q, w_k, w_v = (w.detach().T for w in mha.in_proj_weight.chunk(3, dim=0))
    w_o = mha.out_proj.weight.detach().T
    return mha, (w_q, w_k, w_v, w_o)


@pytest.mark.parametrize(("d_model", "n_heads"), [(8, 1), (8, 2), (12, 3), (16, 4)])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_multi_head_attention_matches_torch(d_model, n_heads, causal):
    mha, weights = torch_mha(d_model, n_heads)
    x = torch.randn(3, 6, d_model, generator=gen(7))
    mask = causal_mask(6) if causal else None
    out, attn = multi_head_attention(x, *weights, n_heads=n_heads, mask=mask)
    with torch.no_grad():
        expected, expected_attn = mha(
            x,
            x,
            x,
            attn_mask=None if mask is None else ~mask,  # torch: True = NOT allowed
            need_weights=True,
            average_attn_weights=False,
        )
    assert out.shape == (3, 6, d_model)
    assert attn.shape == (3, n_heads, 6, 6)
    torch.testing.assert_close(out, expected, atol=ATOL32, rtol=0)
    torch.testing.assert_close(attn, expected_attn, atol=ATOL32, rtol=0)
    if causal:
        assert (attn.triu(diagonal=1) == 0).all()


def test_multi_head_attention_with_padding_mask():
    mha, weights = torch_mha(8, 2)
    x = torch.randn(3, 5, 8, generator=gen(8))
    lengths = torch.tensor([2, 5, 3])
    mask = padding_mask(lengths, 5)  # (batch, 1, seq)
    out, attn = multi_head_attention(x, *weights, n_heads=2, mask=mask[:, None])
    with torch.no_grad():
        expected, expected_attn = mha(
            x, x, x, key_padding_mask=~mask[:, 0], average_attn_weights=False
        )
    torch.testing.assert_close(out, expected, atol=ATOL32, rtol=0)
    torch.testing.assert_close(attn, expected_attn, atol=ATOL32, rtol=0)


def test_three_dimensional_mask_against_heads_is_refused_with_the_fix():
    """A (batch, 1, seq) padding mask would broadcast against the heads: refuse it."""
    _, weights = torch_mha(8, 2)
    x = torch.randn(2, 5, 8, generator=gen(9))
    mask = padding_mask(torch.tensor([2, 5]), 5)  # (batch=2, 1, seq): batch == heads here
    with pytest.raises(ValueError, match=r"mask\[:, None\]"):
        multi_head_attention(x, *weights, n_heads=2, mask=mask)
    q = torch.randn(2, 2, 5, 4, generator=gen(10))
    with pytest.raises(ValueError, match="head axis"):
        scaled_dot_product_attention(q, q, q, mask=mask)
    _, attn = multi_head_attention(x, *weights, n_heads=2, mask=mask[:, None])
    assert (attn[0, :, :, 2:] == 0).all()  # sequence 0's padding gets no weight
    # 2-D and 4-D masks still broadcast as before
    scaled_dot_product_attention(q, q, q, mask=causal_mask(5))


def test_split_and_merge_heads_validate_their_input():
    with pytest.raises(ValueError, match="must divide"):
        split_heads(torch.randn(2, 5, 6), 4)
    with pytest.raises(ValueError, match="3 dimensions|dimensions"):
        split_heads(torch.randn(5, 6), 2)
    with pytest.raises(ValueError, match="dimensions"):
        merge_heads(torch.randn(2, 5, 6))
    with pytest.raises(TypeError, match="torch.Tensor"):
        split_heads(np.zeros((2, 5, 6)), 2)
    with pytest.raises(ValueError, match="n_heads"):
        split_heads(torch.randn(2, 5, 6), 0)


def test_multi_head_attention_heads_divide_d_model():
    _, weights = torch_mha(8, 2)
    x = torch.randn(2, 4, 8, generator=gen(9))
    with pytest.raises(ValueError, match="n_heads"):
        multi_head_attention(x, *weights, n_heads=3)


def test_multi_head_attention_wrong_weight_shape_names_expected_shape():
    _, (w_q, w_k, w_v, w_o) = torch_mha(8, 2)
    x = torch.randn(2, 4, 8, generator=gen(9))
    with pytest.raises(ValueError, match="w_k") as info:
        multi_head_attention(x, w_q, w_k[:, :6], w_v, w_o, n_heads=2)
    assert "(8, 8)" in str(info.value)
    assert "(8, 6)" in str(info.value)


@pytest.mark.parametrize("shape", [(4, 8), (1, 2, 4, 8)])
def test_multi_head_attention_x_must_be_3d(shape):
    _, weights = torch_mha(8, 2)
    with pytest.raises(ValueError, match="x"):
        multi_head_attention(torch.randn(shape, generator=gen(9)), *weights, n_heads=2)


# ------------------------------------------------------------ sinusoidal_positions


def test_sinusoidal_positions_hand_computed_entries():
    pe = sinusoidal_positions(50, 8)
    assert pe.shape == (50, 8)
    assert pe.dtype == torch.float32
    assert torch.equal(pe[0], torch.tensor([0.0, 1.0] * 4))
    # Column pair i has frequency 1 / 10000^(2i / 8): 1, 0.1, 0.01, 0.001.
    cases = {
        (1, 0): math.sin(1.0),
        (1, 1): math.cos(1.0),
        (3, 2): math.sin(0.3),
        (3, 3): math.cos(0.3),
        (10, 4): math.sin(0.1),
        (49, 6): math.sin(0.049),
        (49, 7): math.cos(0.049),
        (49, 0): math.sin(49.0),
    }
    for (pos, col), value in cases.items():
        assert pe[pos, col].item() == pytest.approx(value, abs=1e-5), (pos, col)


def test_sinusoidal_positions_match_formula_loop():
    d_model = 6
    pe = sinusoidal_positions(20, d_model)
    for pos in range(20):
        for i in range(d_model // 2):
            angle = pos / 10000 ** (2 * i / d_model)
            assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-5)
            assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-5)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_sinusoidal_positions_shift_is_a_fixed_rotation(k):
    """PE[pos + k] = PE[pos] @ R_k for every pos, R_k block-diagonal with 2×2 rotations.

    sin(w(p+k)) = sin(wp)cos(wk) + cos(wp)sin(wk),
    cos(w(p+k)) = cos(wp)cos(wk) - sin(wp)sin(wk).
    """
    seq_len, d_model = 64, 16
    pe = sinusoidal_positions(seq_len, d_model).double()
    freqs = 1 / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    rotation = torch.zeros(d_model, d_model, dtype=torch.float64)
    for i, w in enumerate(freqs.tolist()):
        c, s = math.cos(w * k), math.sin(w * k)
        # Row vector (sin, cos) @ [[c, -s], [s, c]] = (sin·c + cos·s, -sin·s + cos·c).
        rotation[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = torch.tensor([[c, -s], [s, c]])
    torch.testing.assert_close(pe[:-k] @ rotation, pe[k:], atol=1e-4, rtol=0)


@pytest.mark.parametrize("d_model", [1, 7])
def test_sinusoidal_positions_odd_d_model(d_model):
    with pytest.raises(ValueError, match="d_model"):
        sinusoidal_positions(10, d_model)


@pytest.mark.parametrize(("seq_len", "d_model"), [(0, 8), (8, 0), (2.0, 8)])
def test_sinusoidal_positions_bad_sizes(seq_len, d_model):
    with pytest.raises(ValueError):
        sinusoidal_positions(seq_len, d_model)


# ------------------------------------------------------- permutation equivariance


def self_attention(x, seed=10):
    g = gen(seed)
    d = x.shape[-1]
    w_q, w_k, w_v = (torch.randn(d, d, generator=g) / math.sqrt(d) for _ in range(3))
    out, _ = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    return out


def test_self_attention_without_positions_is_permutation_equivariant():
    x = torch.randn(2, 9, 16, generator=gen(11))
    perm = torch.randperm(9, generator=gen(12))
    diff = (self_attention(x[:, perm]) - self_attention(x)[:, perm]).abs().max()
    assert diff < 1e-5


def test_self_attention_with_positions_is_not_permutation_equivariant():
    x = torch.randn(2, 9, 16, generator=gen(11))
    perm = torch.randperm(9, generator=gen(12))
    assert not torch.equal(perm, torch.arange(9))
    pe = sinusoidal_positions(9, 16)
    diff = (self_attention(x[:, perm] + pe) - self_attention(x + pe)[:, perm]).abs().max()
    assert diff > 1e-2


def test_sdpa_mask_may_not_enlarge_the_scores():
    """The mask must broadcast *to* (..., seq_q, seq_k); output keeps the query's batch shape."""
    q, k, v = qkv(batch_shape=())  # 2-D: scores (5, 7)
    mask = torch.ones(4, 5, 7, dtype=torch.bool)
    with pytest.raises(RuntimeError):  # the reference refuses it
        F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    with pytest.raises(ValueError, match="mask"):
        scaled_dot_product_attention(q, k, v, mask=mask)


# ----------------------------------------------------------- attention_pooling
def test_attention_pooling_is_invariant_where_self_attention_is_equivariant():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 7, 5, generator=g)
    queries, w_k, w_v = (torch.randn(*s, generator=g) for s in ((2, 4), (5, 4), (5, 6)))
    out, weights = attention_pooling(x, queries, w_k, w_v)
    assert out.shape == (3, 2, 6) and weights.shape == (3, 2, 7)
    perm = torch.randperm(7, generator=g)
    shuffled, _ = attention_pooling(x[:, perm], queries, w_k, w_v)
    assert (shuffled - out).abs().max() < 1e-5
    assert torch.allclose(weights.sum(-1), torch.ones(3, 2))
    want = torch.softmax(queries @ (x @ w_k).transpose(-2, -1) / 2.0, dim=-1) @ (x @ w_v)
    assert torch.allclose(out, want, atol=1e-6)


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((2, 7), (2, 4), (5, 4), (5, 6)), "x must have 3 dimensions"),
        (((3, 7, 5), (2, 4), (6, 4), (5, 6)), "d_in = 5 rows"),
        (((3, 7, 5), (2, 3), (5, 4), (5, 6)), "must share d_k"),
    ],
)
def test_attention_pooling_names_wrong_shapes(shapes, message):
    x, queries, w_k, w_v = (torch.zeros(*s) for s in shapes)
    with pytest.raises(ValueError, match=message):
        attention_pooling(x, queries, w_k, w_v)
