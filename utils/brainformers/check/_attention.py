"""Checkers for chapter 01 (self-attention): attention, masks, heads, positions."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .. import attention as ref
from ._core import CheckFailed, as_pair, compare, run_checks, seeded


def _as_reference_float(got: object, want: torch.Tensor) -> object:
    """A float64 answer to a float32 case is right (the text asks for a float tensor).

    Cast it to the reference's dtype so that only its values are compared; anything else
    (NumPy, integers, half precision) goes to :func:`compare` unchanged, to be named there.
    """
    floats = (torch.float32, torch.float64)
    if torch.is_tensor(got) and got.dtype in floats and want.dtype in floats:
        return got.to(want.dtype)
    return got


def _attention_mistakes(q, k, v, mask, scale):
    """Outputs and weights of plausible wrong attention implementations."""
    d_k = q.shape[-1]
    default = scale is None
    s = (d_k**-0.5) if default else scale
    raw = q @ k.transpose(-2, -1)
    wrong = []
    if default:
        wrong.append((1.0, "the scores are not scaled: multiply Q Kᵀ by 1/√d_k."))
        wrong.append((1.0 / d_k, "scaled by 1/d_k; the scale is 1/√d_k."))
        wrong.append((d_k**0.5, "multiplied by √d_k; the default scale is 1/√d_k."))
    else:
        wrong.append((d_k**-0.5, "the scale argument is ignored: use it instead of 1/√d_k."))
        wrong.append((1.0 / scale, "the scores were divided by scale; multiply them: s·Q Kᵀ."))
    out = []
    for factor, hint in wrong:
        scores = factor * raw
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        w = torch.softmax(scores, dim=-1)
        out.append((w @ v, w, hint))
    scores = s * raw
    w_axis = torch.softmax(scores, dim=-2) if raw.shape[-1] == raw.shape[-2] else None
    if w_axis is not None and mask is None:
        out.append(
            (w_axis @ v, w_axis, "softmax over the wrong axis: normalise over keys, dim=-1.")
        )
    if mask is not None:
        w = torch.softmax(scores, dim=-1)
        out.append((w @ v, w, "the mask is ignored: set masked scores to -inf before the softmax."))
        w = torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)
        out.append(
            (
                w @ v,
                w,
                "masked scores were set to 0, which still gets weight e⁰ = 1 in the "
                "softmax: fill them with float('-inf').",
            )
        )
        if (~mask).any(dim=-1).all():
            w = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
            out.append((w @ v, w, "the mask is inverted: True means the query MAY attend."))
        w = torch.softmax(scores, dim=-1) * mask
        out.append(
            (
                w @ v,
                w,
                "weights were zeroed after the softmax, so rows no longer sum "
                "to 1: set masked scores to -inf *before* the softmax.",
            )
        )
    return out


def _rows_sum_to_one(weights: torch.Tensor, case: str) -> None:
    """Each query's weights form a distribution over keys; say which axis went wrong."""
    if torch.isnan(weights).any() or torch.allclose(weights.sum(-1), torch.ones(()), atol=1e-4):
        return
    hint = ""
    if torch.allclose(weights.sum(-2), torch.ones(()), atol=1e-4):
        hint = " — the columns sum to 1: the softmax ran over queries (dim=-2), not keys (dim=-1)"
    raise CheckFailed(f"{case}: each row of weights must sum to 1{hint}.")


def _attention_cases(fn: Callable) -> int:
    g = seeded(0)
    q, k, v = (
        torch.randn(2, 5, 8, generator=g),
        torch.randn(2, 7, 8, generator=g),
        torch.randn(2, 7, 3, generator=g),
    )
    causal5 = ref.causal_mask(5)
    block = torch.rand(2, 5, 7, generator=g) > 0.4
    block[..., 0] = True  # every query keeps at least one key
    block[..., 1] = False  # ...and loses at least one, so the inverted mask is valid too
    q4, k4, v4 = (torch.randn(2, 3, 5, 4, generator=g) for _ in range(3))
    cases = [
        ("case 1 (batch=2, seq_q=5, seq_k=7, d_k=8, d_v=3)", (q, k, v), {}),
        ("case 2 (scale=0.5)", (q, k, v), {"scale": 0.5}),
        ("case 3 (causal mask, seq=5)", (q, k[:, :5], v[:, :5]), {"mask": causal5}),
        ("case 4 (random mask)", (q, k, v), {"mask": block}),
        ("case 5 (4-D input: batch, heads, seq, d)", (q4, k4, v4), {}),
        ("case 6 (unbatched 2-D input)", (q[0], k[0], v[0]), {}),
        ("case 7 (random mask and scale=0.5)", (q, k, v), {"mask": block, "scale": 0.5}),
    ]
    for case, args, kwargs in cases:
        want_out, want_w = ref.scaled_dot_product_attention(*args, **kwargs)
        copies = tuple(a.clone() for a in args)
        got_out, got_w = as_pair(fn(*copies, **kwargs), case)
        for name, before, after in zip(("query", "key", "value"), args, copies, strict=True):
            if not torch.equal(before, after):
                raise CheckFailed(
                    f"{case}: your function changed its input {name} in place (an in-place "
                    "operation such as *=, .mul_() or masked_fill_); the caller's tensors must "
                    "stay as they were: compute new tensors instead."
                )
        got_out, got_w = _as_reference_float(got_out, want_out), _as_reference_float(got_w, want_w)
        sq, sk, dv = args[0].shape[-2], args[1].shape[-2], args[2].shape[-1]
        lead = tuple(args[0].shape[:-2])
        mistakes = _attention_mistakes(*args, kwargs.get("mask"), kwargs.get("scale"))
        compare(
            "weights",
            got_w,
            want_w,
            case,
            "(..., seq_q, seq_k)",
            shape_hints={lead + (sk, sq): "did you compute K Qᵀ instead of Q Kᵀ?"},
            mistakes=[(w, hint) for _, w, hint in mistakes],
            explain=_rows_sum_to_one,
        )
        compare(
            "output",
            got_out,
            want_out,
            case,
            "(..., seq_q, d_v)",
            shape_hints={
                lead + (sq, sk): "return weights @ value, not the weights.",
                lead + (sk, dv): "multiply weights @ value (seq_q × seq_k times seq_k × d_v).",
            },
            mistakes=[(o, hint) for o, _, hint in mistakes],
        )
    return len(cases)


def attention(fn: Callable) -> Callable:
    """Check a student's ``attention(query, key, value, mask=None, scale=None)``.

    Reference: :func:`brainformers.attention.scaled_dot_product_attention`.
    """
    return run_checks("attention", fn, ref.scaled_dot_product_attention, _attention_cases)


def _causal_cases(fn: Callable) -> int:
    sizes = (4, 7, 1)
    for n in sizes:
        want = ref.causal_mask(n)
        compare(
            "mask",
            fn(n),
            want,
            f"seq_len={n}",
            "(seq_len, seq_len)",
            mistakes=[
                (~want, "inverted: True must mark what a query MAY attend to (its past)."),
                (
                    want.T,
                    "upper triangle: position i may attend to positions 0…i, "
                    "so keep the lower triangle (torch.tril).",
                ),
                (
                    want & ~torch.eye(n, dtype=torch.bool),
                    "the diagonal is missing: each position may attend to itself.",
                ),
            ],
        )
    return len(sizes)


def causal_mask(fn: Callable) -> Callable:
    """Check a student's ``causal_mask(seq_len)`` against :func:`.attention.causal_mask`."""
    return run_checks("causal_mask", fn, ref.causal_mask, _causal_cases)


def _padding_cases(fn: Callable) -> int:
    cases = [(torch.tensor([3, 5, 1]), 5), (torch.tensor([2, 2]), 4)]
    for lengths, n in cases:
        want = ref.padding_mask(lengths, n)
        positions = torch.arange(n)
        batch = len(lengths)
        compare(
            "mask",
            fn(lengths, n),
            want,
            f"lengths={lengths.tolist()}, seq_len={n}",
            "(batch, 1, seq_len)",
            shape_hints={
                (batch, n): "add a query axis so the mask broadcasts over queries: "
                "mask[:, None, :].",
                (batch, n, 1): "the singleton axis belongs in the "
                "middle: (batch, 1, seq_len) masks keys, not queries.",
            },
            mistakes=[
                (~want, "inverted: True must mark real tokens (positions < length)."),
                (
                    (positions[None, :] <= lengths[:, None])[:, None, :],
                    "off by one: position == length is already padding; use positions < length.",
                ),
            ],
        )
    return len(cases)


def padding_mask(fn: Callable) -> Callable:
    """Check a student's ``padding_mask(lengths, seq_len)`` against the reference."""
    return run_checks("padding_mask", fn, ref.padding_mask, _padding_cases)


def _mha_mistakes(x, w_q, w_k, w_v, w_o, n_heads, mask):
    """(output, weights, hint) of plausible wrong multi-head implementations."""
    batch, seq, d_model = x.shape
    d_head = d_model // n_heads

    def heads_attention(q, k, v, scale):
        scores = scale * q @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ v, weights

    q, k, v = (ref.split_heads(x @ w, n_heads) for w in (w_q, w_k, w_v))
    heads, w_scale = heads_attention(q, k, v, d_model**-0.5)
    out = [
        (
            ref.merge_heads(heads) @ w_o,
            w_scale,
            "scaled by 1/√d_model; each head has d_k = "
            "d_model / n_heads, so scale by 1/√(d_model / n_heads).",
        )
    ]
    no_proj, w_ref = ref.multi_head_attention(x, w_q, w_k, w_v, torch.eye(d_model), n_heads, mask)
    out.append(
        (no_proj, w_ref, "the output projection is missing: multiply the merged heads by w_o.")
    )
    if mask is not None:
        unmasked, w_unmasked = ref.multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads)
        out.append(
            (unmasked, w_unmasked, "the mask is not passed on: call attention with mask=mask.")
        )
    if n_heads > 1:
        heads, w_ok = heads_attention(q, k, v, d_head**-0.5)
        out.append(
            (
                heads.reshape(batch, seq, d_model) @ w_o,
                w_ok,
                "the heads were merged with a reshape alone: first transpose(1, 2) back to "
                "(batch, seq, heads, d_head), then reshape to (batch, seq, d_model).",
            )
        )
    # nn.Linear's convention, x @ W.T, where the exercise applies x @ W.
    transposed, w_transposed = ref.multi_head_attention(
        x, w_q.T, w_k.T, w_v.T, w_o.T, n_heads, mask
    )
    out.append(
        (
            transposed,
            w_transposed,
            "the projections were applied as x @ W.T (nn.Linear's convention); here the "
            "weights are (d_model, d_model) matrices applied as x @ W, and the output as "
            "merged @ w_o.",
        )
    )
    wo_transposed, w_right = ref.multi_head_attention(x, w_q, w_k, w_v, w_o.T, n_heads, mask)
    out.append(
        (
            wo_transposed,
            w_right,  # the weights are right; only the output differs
            "the output projection was applied as merged @ w_o.T; apply it as merged @ w_o.",
        )
    )
    if n_heads > 1:
        # Head h given every n_heads-th column (h, h + n_heads, …) instead of a block.
        def split_interleaved(t):
            return t.reshape(batch, seq, d_head, n_heads).permute(0, 3, 1, 2)

        qi, ki, vi = (split_interleaved(x @ w) for w in (w_q, w_k, w_v))
        heads_i, w_inter = heads_attention(qi, ki, vi, d_head**-0.5)
        hint = (
            "the heads took interleaved columns (head h got columns h, h + n_heads, …); "
            "head h is the block of d_head consecutive columns h·d_head … (h+1)·d_head − 1: "
            "reshape to (batch, seq, heads, d_head), then transpose(1, 2)."
        )
        out.append((heads_i.permute(0, 2, 3, 1).reshape(batch, seq, d_model) @ w_o, w_inter, hint))
        out.append((ref.merge_heads(heads_i) @ w_o, w_inter, hint))
    # Splitting with a reshape alone scrambles features across positions.
    q2, k2, v2 = ((x @ w).reshape(batch, n_heads, seq, d_head) for w in (w_q, w_k, w_v))
    heads, w_reshape = heads_attention(q2, k2, v2, d_head**-0.5)
    out.append(
        (
            heads.reshape(batch, seq, d_model) @ w_o,
            w_reshape,
            "heads were split with a "
            "reshape alone: reshape to (batch, seq, heads, d_head), then transpose(1, 2).",
        )
    )
    return out


def _mha_cases(fn: Callable) -> int:
    g = seeded(1)
    d_model = 8
    x = torch.randn(2, 5, d_model, generator=g)
    ws = [torch.randn(d_model, d_model, generator=g) / d_model**0.5 for _ in range(4)]
    cases = [
        ("case 1 (2 heads)", 2, None),
        ("case 2 (4 heads, causal mask)", 4, ref.causal_mask(5)),
        ("case 3 (1 head)", 1, None),
    ]
    for case, n_heads, mask in cases:
        want_out, want_w = ref.multi_head_attention(x, *ws, n_heads, mask=mask)
        got_out, got_w = as_pair(fn(x, *ws, n_heads, mask=mask), case)
        got_out, got_w = _as_reference_float(got_out, want_out), _as_reference_float(got_w, want_w)
        mistakes = _mha_mistakes(x, *ws, n_heads, mask)
        compare(
            "weights",
            got_w,
            want_w,
            case,
            "(batch, heads, seq, seq)",
            shape_hints={(2, 5, 5): "return one attention map per head: (batch, heads, seq, seq)."},
            mistakes=[(w, hint) for _, w, hint in mistakes],
        )
        compare(
            "output",
            got_out,
            want_out,
            case,
            "(batch, seq, d_model)",
            mistakes=[(o, hint) for o, _, hint in mistakes],
        )
    return len(cases)


def multi_head_attention(fn: Callable) -> Callable:
    """Check a student's ``multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, mask=None)``."""
    return run_checks("multi_head_attention", fn, ref.multi_head_attention, _mha_cases)


def _interleaved(theta: torch.Tensor) -> torch.Tensor:
    """(seq, d/2) angles → (seq, d) code: sin in even columns, cos in odd ones."""
    return torch.stack([torch.sin(theta), torch.cos(theta)], -1).reshape(theta.shape[0], -1)


def _positions_cases(fn: Callable) -> int:
    sizes = [(10, 16), (50, 8), (1, 2)]
    for seq_len, d_model in sizes:
        want = ref.sinusoidal_positions(seq_len, d_model)
        pos = torch.arange(seq_len, dtype=torch.float32)[:, None]
        half = torch.arange(0, d_model, 2, dtype=torch.float32)
        angle = pos / 10000.0 ** (half / d_model)
        every = pos / 10000.0 ** (torch.arange(d_model, dtype=torch.float32) / d_model)
        swapped = torch.stack([torch.cos(angle), torch.sin(angle)], -1).reshape(seq_len, d_model)
        blocks = torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)
        per_column = torch.where(torch.arange(d_model) % 2 == 0, torch.sin(every), torch.cos(every))
        pair_index = _interleaved(pos / 10000.0 ** (half / 2 / d_model))
        base_1000 = _interleaved(pos / 1000.0 ** (half / d_model))
        from_one = _interleaved((pos + 1) / 10000.0 ** (half / d_model))
        compare(
            "encoding",
            _as_reference_float(fn(seq_len, d_model), want),
            want,
            f"seq_len={seq_len}, d_model={d_model}",
            "(seq_len, d_model)",
            shape_hints={(d_model, seq_len): "transposed: rows are positions, columns features."},
            mistakes=[
                (swapped, "sin and cos are swapped: even columns take sin, odd columns cos."),
                (
                    blocks,
                    "sin and cos fill two halves; interleave them: even columns sin, "
                    "odd columns cos, sharing one frequency per pair.",
                ),
                (
                    per_column,
                    "each column got its own frequency; a sin/cos pair (2i, 2i+1) "
                    "shares the frequency 1 / 10000^(2i / d_model).",
                ),
                (
                    pair_index,
                    "the exponent used the pair number i; it is the even column index 2i: "
                    "1 / 10000^(2i / d_model).",
                ),
                (base_1000, "the wrong base: the frequencies are 1 / 10000^(2i / d_model)."),
                (
                    from_one,
                    "the positions start at 1; they start at p = 0, so the first row is "
                    "sin 0 = 0, cos 0 = 1.",
                ),
            ],
        )
    return len(sizes)


def sinusoidal_positions(fn: Callable) -> Callable:
    """Check a student's ``sinusoidal_positions(seq_len, d_model)``."""
    return run_checks("sinusoidal_positions", fn, ref.sinusoidal_positions, _positions_cases)
