"""Chapter-01 checkers: accept the reference, reject plausible mistakes with the right hint."""

from __future__ import annotations

import math

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


def test_positions_rejects_numpy_and_float64(capsys):
    def as_numpy(seq_len, d_model):
        return _positions(seq_len, d_model).double().numpy()

    def as_float64(seq_len, d_model):
        return _positions(seq_len, d_model).double()

    assert_rejected(
        check.sinusoidal_positions, as_numpy, ref.sinusoidal_positions, capsys, "torch.Tensor"
    )
    assert_rejected(
        check.sinusoidal_positions, as_float64, ref.sinusoidal_positions, capsys, "float32"
    )
