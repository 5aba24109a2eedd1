"""Chapter-01 checkers: accept the reference, reject plausible mistakes with the right hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from brainformers import attention as ref
from brainformers import check
from checking import assert_rejected, run

# ----------------------------------------------------------------- attention


def _attention(
    q,
    k,
    v,
    mask=None,
    scale=None,
    *,
    factor=None,
    axis=-1,
    invert=False,
    after=False,
    transpose_dims=(-2, -1),
    fill=float("-inf"),
    divide=False,
):
    """A configurable attention with one knob per classic mistake."""
    s = q @ k.transpose(*transpose_dims)
    if divide:  # a default of √d_k, then the scores divided by the scale
        s = s / (scale or q.shape[-1] ** 0.5)
    else:
        s = s * (factor(q.shape[-1]) if factor else (scale or q.shape[-1] ** -0.5))
    if mask is not None and not after:
        s = s.masked_fill(mask if invert else ~mask, fill)
    w = torch.softmax(s, dim=axis)
    if mask is not None and after:
        w = w * mask
    return w @ v, w


def test_attention_reference_passes(capsys):
    result, out = run(check.attention, ref.scaled_dot_product_attention, capsys)
    assert result is ref.scaled_dot_product_attention
    assert out.startswith("✓ attention: all 7 checks passed")


def test_attention_student_version_is_returned(capsys):
    def mine(q, k, v, mask=None, scale=None):
        return _attention(q, k, v, mask, scale)

    result, out = run(check.attention, mine, capsys)
    assert result is mine and out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda q, k, v, mask=None, scale=None: _attention(
                q, k, v, mask, scale, factor=lambda d: 1.0
            ),
            "not scaled",
        ),
        (
            lambda q, k, v, mask=None, scale=None: _attention(
                q, k, v, mask, scale, factor=lambda d: 1 / d
            ),
            "1/d_k",
        ),
        (lambda q, k, v, mask=None, scale=None: _attention(q, k, v, mask, None), "scale argument"),
        (
            lambda q, k, v, mask=None, scale=None: _attention(q, k, v, None, scale),
            "mask is ignored",
        ),
        (
            lambda q, k, v, mask=None, scale=None: _attention(q, k, v, mask, scale, after=True),
            "*before* the softmax",
        ),
        (
            lambda q, k, v, mask=None, scale=None: (_attention(q, k, v, mask, scale)[1], None),
            "should be a torch.Tensor",
        ),
        (lambda q, k, v, mask=None, scale=None: _attention(q, k, v, mask, scale)[0], "tuple"),
        (
            lambda q, k, v, mask=None, scale=None: (
                _attention(q, k, v, mask, scale)[0],
                _attention(q, k, v, mask, scale)[1].transpose(-2, -1),
            ),
            "K Qᵀ",
        ),
        (
            lambda q, k, v, mask=None, scale=None: _attention(
                q, k, v, mask, scale, transpose_dims=(1, 2)
            ),
            "raised",
        ),
    ],
    ids=[
        "no-scale",
        "1/d",
        "scale-ignored",
        "mask-ignored",
        "mask-after-softmax",
        "weights-for-output",
        "no-tuple",
        "transposed-weights",
        "fixed-transpose-dims",
    ],
)
def test_attention_rejects_mistakes(wrong, hint, capsys):
    assert_rejected(check.attention, wrong, ref.scaled_dot_product_attention, capsys, hint)


def test_attention_rejects_masked_scores_set_to_zero(capsys):
    def wrong(q, k, v, mask=None, scale=None):
        return _attention(q, k, v, mask, scale, fill=0.0)

    assert_rejected(
        check.attention, wrong, ref.scaled_dot_product_attention, capsys, "case 3", "e⁰ = 1"
    )


def test_attention_rejects_scores_divided_by_the_scale(capsys):
    # Right by default (it divides by √d_k), wrong as soon as a scale is given.
    def wrong(q, k, v, mask=None, scale=None):
        return _attention(q, k, v, mask, scale, divide=True)

    assert_rejected(
        check.attention, wrong, ref.scaled_dot_product_attention, capsys, "case 2", "divided"
    )


def test_attention_rejects_a_default_scale_of_root_d(capsys):
    assert_rejected(
        check.attention,
        lambda q, k, v, mask=None, scale=None: _attention(
            q, k, v, mask, scale, factor=lambda d: d**0.5
        ),
        ref.scaled_dot_product_attention,
        capsys,
        "case 1",
        "multiplied by √d_k",
    )


def test_attention_rejects_a_scale_ignored_when_a_mask_is_given(capsys):
    def wrong(q, k, v, mask=None, scale=None):
        return _attention(q, k, v, mask, None if mask is not None else scale)

    assert_rejected(check.attention, wrong, ref.scaled_dot_product_attention, capsys, "case 7")


def test_attention_rejects_wrong_softmax_axis(capsys):
    # On the square causal case, softmax over queries fails with the mask hint or axis hint;
    # on the first case it breaks row sums.
    def wrong(q, k, v, mask=None, scale=None):
        return _attention(q, k, v, mask, scale, axis=-2)

    assert_rejected(
        check.attention, wrong, ref.scaled_dot_product_attention, capsys, "case 1", "sum to 1"
    )


def test_attention_rejects_inverted_mask(capsys):
    def wrong(q, k, v, mask=None, scale=None):
        if mask is None:
            return _attention(q, k, v, None, scale)
        # keep rows valid: invert only where the inverted row still has a True entry
        return _attention(q, k, v, mask, scale, invert=True)

    result, out = run(check.attention, wrong, capsys)
    assert result is ref.scaled_dot_product_attention
    assert "✗" in out and ("inverted" in out or "NaN" in out)


def test_attention_not_implemented(capsys):
    def todo(q, k, v, mask=None, scale=None):
        raise NotImplementedError("write attention")

    result, out = run(check.attention, todo, capsys)
    assert result is ref.scaled_dot_product_attention
    assert out.startswith("○ attention: not implemented yet")


# ----------------------------------------------------------------- masks


def test_causal_mask_reference_passes(capsys):
    result, out = run(check.causal_mask, ref.causal_mask, capsys)
    assert result is ref.causal_mask and out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda n: torch.ones(n, n, dtype=torch.bool).triu(), "upper triangle"),
        (lambda n: torch.ones(n, n, dtype=torch.bool).tril(-1), "diagonal is missing"),
        (lambda n: ~torch.ones(n, n, dtype=torch.bool).tril(), "inverted"),
        (lambda n: torch.ones(n, n).tril(), "should be boolean"),
    ],
    ids=["upper", "no-diagonal", "inverted", "float"],
)
def test_causal_mask_rejects_mistakes(wrong, hint, capsys):
    assert_rejected(check.causal_mask, wrong, ref.causal_mask, capsys, hint)


def test_padding_mask_reference_passes(capsys):
    result, out = run(check.padding_mask, ref.padding_mask, capsys)
    assert result is ref.padding_mask and out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda lengths, n: (torch.arange(n)[None] <= lengths[:, None])[:, None], "off by one"),
        (lambda lengths, n: (torch.arange(n)[None] >= lengths[:, None])[:, None], "inverted"),
        (lambda lengths, n: torch.arange(n)[None] < lengths[:, None], "mask[:, None, :]"),
        (lambda lengths, n: (torch.arange(n)[None] < lengths[:, None])[:, :, None], "middle"),
    ],
    ids=["off-by-one", "inverted", "missing-axis", "axis-at-end"],
)
def test_padding_mask_rejects_mistakes(wrong, hint, capsys):
    assert_rejected(check.padding_mask, wrong, ref.padding_mask, capsys, hint)


# ----------------------------------------------------------------- multi-head attention


def _mha(
    x,
    w_q,
    w_k,
    w_v,
    w_o,
    n_heads,
    mask=None,
    *,
    scale_by_model=False,
    no_wo=False,
    reshape_only=False,
    average_heads=False,
    drop_mask=False,
    merge_by_reshape=False,
):
    batch, seq, d = x.shape
    dh = d // n_heads

    def split(t):
        if reshape_only:
            return t.reshape(batch, n_heads, seq, dh)
        return t.reshape(batch, seq, n_heads, dh).transpose(1, 2)

    q, k, v = split(x @ w_q), split(x @ w_k), split(x @ w_v)
    s = q @ k.transpose(-2, -1) / math.sqrt(d if scale_by_model else dh)
    if mask is not None and not drop_mask:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, -1)
    h = w @ v
    if reshape_only or merge_by_reshape:
        h = h.reshape(batch, seq, d)
    else:
        h = h.transpose(1, 2).reshape(batch, seq, d)
    out = h if no_wo else h @ w_o
    return out, (w.mean(1) if average_heads else w)


def test_mha_reference_and_correct_student_pass(capsys):
    result, out = run(check.multi_head_attention, ref.multi_head_attention, capsys)
    assert result is ref.multi_head_attention and out.startswith("✓")
    result, out = run(check.multi_head_attention, _mha, capsys)
    assert result is _mha and out.startswith("✓"), out


@pytest.mark.parametrize(
    ("knob", "hint"),
    [
        ("scale_by_model", "1/√d_model"),
        ("no_wo", "output projection is missing"),
        ("reshape_only", "reshape alone"),
        ("average_heads", "one attention map per head"),
        ("drop_mask", "mask is not passed on"),
        ("merge_by_reshape", "merged with a reshape alone"),
    ],
)
def test_mha_rejects_mistakes(knob, hint, capsys):
    def wrong(*args, **kwargs):
        return _mha(*args, **kwargs, **{knob: True})

    assert_rejected(check.multi_head_attention, wrong, ref.multi_head_attention, capsys, hint)


# ----------------------------------------------------------------- positions


def _positions(
    seq_len,
    d_model,
    *,
    swap=False,
    blocks=False,
    every=False,
    transpose=False,
    pair_index=False,
    base=10000,
    start=0,
):
    pos = torch.arange(start, start + seq_len, dtype=torch.float32)[:, None]
    if every:
        ang = pos / base ** (torch.arange(d_model) / d_model)
        pe = torch.where(torch.arange(d_model) % 2 == 0, torch.sin(ang), torch.cos(ang))
    else:
        exponent = torch.arange(d_model // 2) if pair_index else torch.arange(0, d_model, 2)
        ang = pos / base ** (exponent / d_model)
        a, b = (torch.cos(ang), torch.sin(ang)) if swap else (torch.sin(ang), torch.cos(ang))
        pe = torch.cat([a, b], -1) if blocks else torch.stack([a, b], -1).reshape(seq_len, d_model)
    return pe.T if transpose else pe


def test_positions_reference_and_correct_student_pass(capsys):
    result, out = run(check.sinusoidal_positions, ref.sinusoidal_positions, capsys)
    assert result is ref.sinusoidal_positions and out.startswith("✓")
    result, out = run(check.sinusoidal_positions, _positions, capsys)
    assert result is _positions and out.startswith("✓"), out


@pytest.mark.parametrize(
    ("knob", "hint"),
    [
        ("swap", "swapped"),
        ("blocks", "interleave"),
        ("every", "own frequency"),
        ("transpose", "transposed"),
        ("pair_index", "pair number i"),
        ("base", "wrong base"),
        ("start", "start at 1"),
    ],
)
def test_positions_rejects_mistakes(knob, hint, capsys):
    value = {"base": 1000, "start": 1}.get(knob, True)

    def wrong(seq_len, d_model):
        return _positions(seq_len, d_model, **{knob: value})

    assert_rejected(check.sinusoidal_positions, wrong, ref.sinusoidal_positions, capsys, hint)


def test_positions_rejects_numpy_but_accepts_float64(capsys):
    """The text asks for a float tensor: float64 is right, a NumPy array is not a tensor."""

    def as_numpy(seq_len, d_model):
        return _positions(seq_len, d_model).double().numpy()

    def as_float64(seq_len, d_model):
        return _positions(seq_len, d_model).double()

    def built_with_numpy(seq_len, d_model):  # float64 all the way, then one conversion
        pos = np.arange(seq_len)[:, None]
        angle = pos / 10000.0 ** (np.arange(0, d_model, 2) / d_model)
        pe = np.empty((seq_len, d_model))
        pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
        return torch.from_numpy(pe)

    assert_rejected(
        check.sinusoidal_positions, as_numpy, ref.sinusoidal_positions, capsys, "torch.Tensor"
    )
    for right in (as_float64, built_with_numpy):
        result, out = run(check.sinusoidal_positions, right, capsys)
        assert result is right and out.startswith("✓"), out


# ------------------------------------------------- fresh implementations (issue 23)
# Right-but-unusual answers must pass; wrong ones must be rejected, naming the mistake.


def attention_float64(q, k, v, mask=None, scale=None):
    out, w = _attention(q.double(), k.double(), v.double(), mask, scale)
    return out, w


def attention_large_negative_fill(q, k, v, mask=None, scale=None):
    return _attention(q, k, v, mask, scale, fill=-1e9)  # exp underflows to exactly 0


def attention_einsum_stable(q, k, v, mask=None, scale=None):
    s = torch.einsum("...qd,...kd->...qk", q, k) * (scale or q.shape[-1] ** -0.5)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    e = (s - s.amax(dim=-1, keepdim=True)).exp()  # a softmax by hand, without overflow
    w = e / e.sum(dim=-1, keepdim=True)
    return torch.einsum("...qk,...kd->...qd", w, v), w


@pytest.mark.parametrize(
    "right", [attention_float64, attention_large_negative_fill, attention_einsum_stable]
)
def test_attention_accepts_right_but_unusual(right, capsys):
    result, out = run(check.attention, right, capsys)
    assert result is right and out.startswith("✓"), out


def attention_in_place(q, k, v, mask=None, scale=None):
    q *= scale or q.shape[-1] ** -0.5  # scales the caller's query too
    return _attention(q, k, v, mask, scale=1.0)


def attention_swapped_return(q, k, v, mask=None, scale=None):
    out, w = _attention(q, k, v, mask, scale)
    return w, out


def attention_scale_after_softmax(q, k, v, mask=None, scale=None):
    s = q @ k.transpose(-2, -1)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, dim=-1) * (scale or q.shape[-1] ** -0.5)
    return w @ v, w


def attention_half_precision(q, k, v, mask=None, scale=None):
    out, w = _attention(q.half(), k.half(), v.half(), mask, scale)
    return out, w


def attention_keys_as_values(q, k, v, mask=None, scale=None):
    _, w = _attention(q, k, v, mask, scale)
    return w @ k, w


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (attention_in_place, "changed its input query in place"),
        (attention_swapped_return, "expected weights of shape"),
        (attention_scale_after_softmax, "each row of weights must sum to 1"),
        (attention_half_precision, "dtype"),
        (attention_keys_as_values, "expected output of shape"),
    ],
)
def test_attention_rejects_fresh_mistakes(wrong, hint, capsys):
    assert_rejected(check.attention, wrong, ref.scaled_dot_product_attention, capsys, hint)


def mha_float64(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _mha(x.double(), w_q.double(), w_k.double(), w_v.double(), w_o.double(), n_heads, mask)


def mha_loop_over_heads(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    dh = x.shape[-1] // n_heads
    outs, maps = [], []
    for h in range(n_heads):
        cols = slice(h * dh, (h + 1) * dh)
        o, w = ref.scaled_dot_product_attention(
            x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols], mask=mask
        )
        outs.append(o)
        maps.append(w)
    return torch.cat(outs, dim=-1) @ w_o, torch.stack(maps, dim=1)


def mha_torch_sdpa_for_output(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    b, t, d = x.shape
    q, k, v = (ref.split_heads(x @ w, n_heads) for w in (w_q, w_k, w_v))
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    _, weights = ref.scaled_dot_product_attention(q, k, v, mask=mask)
    return ref.merge_heads(out) @ w_o, weights


@pytest.mark.parametrize("right", [mha_float64, mha_loop_over_heads, mha_torch_sdpa_for_output])
def test_mha_accepts_right_but_unusual(right, capsys):
    result, out = run(check.multi_head_attention, right, capsys)
    assert result is right and out.startswith("✓"), out


def mha_linear_convention(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _mha(x, w_q.T, w_k.T, w_v.T, w_o.T, n_heads, mask)


def mha_output_transposed(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _mha(x, w_q, w_k, w_v, w_o.T, n_heads, mask)


def _interleaved_mha(x, w_q, w_k, w_v, w_o, n_heads, mask=None, *, merge_back=True):
    b, t, d = x.shape

    def split(y):  # head h gets columns h, h + n_heads, ...
        return y.reshape(b, t, d // n_heads, n_heads).permute(0, 3, 1, 2)

    out, w = ref.scaled_dot_product_attention(
        split(x @ w_q), split(x @ w_k), split(x @ w_v), mask=mask
    )
    merged = out.permute(0, 2, 3, 1).reshape(b, t, d) if merge_back else ref.merge_heads(out)
    return merged @ w_o, w


def mha_interleaved(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _interleaved_mha(x, w_q, w_k, w_v, w_o, n_heads, mask)


def mha_interleaved_split_only(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _interleaved_mha(x, w_q, w_k, w_v, w_o, n_heads, mask, merge_back=False)


def mha_shared_projection(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    return _mha(x, w_q, w_q, w_q, w_o, n_heads, mask)  # one matrix for Q, K and V


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (mha_linear_convention, "x @ W.T"),
        (mha_output_transposed, "merged @ w_o.T"),
        (mha_interleaved, "interleaved columns"),
        (mha_interleaved_split_only, "interleaved columns"),
        (mha_shared_projection, "weights differs from the reference"),
    ],
)
def test_mha_rejects_fresh_mistakes(wrong, hint, capsys):
    assert_rejected(check.multi_head_attention, wrong, ref.multi_head_attention, capsys, hint)
