"""Checkers for chapter 02 (Hopfield retrieval): classical, dense, modern and two-layer nets.

Every case is seeded and small. Inputs are handed to the student's function as copies
(the reference never sees what the student's code may have changed), and each wrong
answer is matched against the outputs of the listed mistakes, computed on the same
inputs, so the message can name the mistake.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .. import attention as attention_module
from .. import hopfield as ref
from ..attention import scaled_dot_product_attention
from ..hopfield._common import _sign
from ._core import CheckFailed, compare, compare_number, intercepting, run_checks, seeded


def _patterns(n_patterns: int, n: int, seed: int) -> np.ndarray:
    return ref.random_patterns(n_patterns, n, np.random.default_rng(seed))


def _call(fn: Callable, case: str, single: bool, *args: Any) -> Any:
    """Call the student's function; on a single (unbatched) state say that it must work too."""
    if not single:
        return fn(*args)
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 — reported with a hint instead of raised
        raise CheckFailed(
            f"{case}: your function raised {type(error).__name__}: {error} — it must also "
            "accept one unbatched state (a 1-D array or tensor): use axis/dim=-1 for the "
            "neuron axis, or add a batch axis and remove it again."
        ) from None


def _pair(result: Any, case: str, names: str) -> tuple[Any, Any]:
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        got = type(result).__name__
        raise CheckFailed(f"{case}: expected a tuple {names}, got {got}.")
    return result[0], result[1]


# ------------------------------------------------------------------ Hebbian weights


def _hebbian_cases(fn: Callable) -> int:
    cases = [
        ("case 1 (3 patterns, n=8)", _patterns(3, 8, 0)),
        ("case 2 (5 patterns, n=12)", _patterns(5, 12, 1)),
        ("case 3 (1 pattern, n=6)", _patterns(1, 6, 2)),
    ]
    for case, x in cases:
        n_patterns, n = x.shape
        want = ref.hebbian_weights(x)
        outer = x.T @ x  # (n, n), Σ_μ ξ_μ ξ_μᵀ with the diagonal
        no_diag = outer - np.diag(np.diag(outer))
        first_only = np.outer(x[0], x[0]) / n
        np.fill_diagonal(first_only, 0.0)
        centred = x - x.mean(axis=0)
        covariance = centred.T @ centred / n
        np.fill_diagonal(covariance, 0.0)

        def explain(got: torch.Tensor, case: str) -> None:
            if got.diagonal().abs().max() > 1e-9:
                raise CheckFailed(
                    f"{case}: the diagonal of W must be zero (no neuron is connected to "
                    "itself): np.fill_diagonal(W, 0)."
                )

        compare(
            "W",
            fn(x.copy()),
            want,
            case,
            "(n, n)",
            shape_hints={
                (n_patterns, n_patterns): "you summed over neurons, not patterns: "
                "use patterns.T @ patterns.",
            },
            mistakes=[
                (
                    outer / n,
                    "the diagonal is not zero: no neuron is connected to itself, "
                    "so set W_ii = 0 (np.fill_diagonal(W, 0)).",
                ),
                (no_diag, "not divided by n: W = (1/n) Σ_μ ξ_μ ξ_μᵀ, n = patterns.shape[1]."),
                (
                    no_diag / n_patterns,
                    "divided by the number of patterns; divide by the number of neurons "
                    "n = patterns.shape[1].",
                ),
                (
                    first_only,
                    "only the first pattern is stored: is the return inside the loop over "
                    "patterns? W sums the outer products of all of them.",
                ),
                (
                    covariance,
                    "you subtracted each neuron's mean activity (the covariance rule); the "
                    "exercise's rule is the plain sum of outer products ξ_μ ξ_μᵀ.",
                ),
            ],
            explain=explain,
        )
    return len(cases)


def hebbian_weights(fn: Callable) -> Callable:
    """Check a student's ``hebbian_weights(patterns)`` against :func:`.hopfield.hebbian_weights`."""
    return run_checks("hebbian_weights", fn, ref.hebbian_weights, _hebbian_cases)


# ------------------------------------------------------------------ energy


def _energy_cases(fn: Callable) -> int:
    rng = np.random.default_rng(3)
    x = _patterns(3, 10, 4)
    w = ref.hebbian_weights(x)
    # Every W follows the exercise's rule (symmetric, zero diagonal), so the textbook
    # -½ Σ_{i≠j} W_ij s_i s_j is right too and must pass.
    a = rng.standard_normal((7, 7))
    w_random = (a + a.T) / 2
    np.fill_diagonal(w_random, 0.0)
    cases = [
        ("case 1 (Hebbian W, n=10, a cue with 2 flipped bits)", w, ref.flip(x[0], 0.2, rng)),
        ("case 2 (Hebbian W, a stored pattern)", w, x[1]),
        ("case 3 (random symmetric W, zero diagonal, n=7)", w_random, _patterns(1, 7, 5)[0]),
    ]
    for case, weights, state in cases:
        want = ref.energy(weights, state)
        quad = float(state @ weights @ state)
        compare_number(
            "the energy",
            fn(weights.copy(), state.copy()),
            want,
            case,
            mistakes=[
                (-quad, "the factor ½ is missing: E = -½ sᵀ W s."),
                (0.5 * quad, "the sign is flipped: E = -½ sᵀ W s (stored patterns sit low)."),
                (quad, "both the minus sign and the ½ are missing: E = -½ sᵀ W s."),
                (
                    -0.5 * quad / len(state),
                    "you averaged over neurons (np.mean); the energy is the sum, -½ sᵀ W s.",
                ),
                (
                    -0.5 * float((weights @ state).sum()),
                    "the state appears only once: E = -½ sᵀ (W s), the field W s dotted with "
                    "the state again.",
                ),
            ],
        )
    return len(cases)


def energy(fn: Callable) -> Callable:
    """Check a student's ``energy(weights, state)`` for one state (n,) against the reference."""
    return run_checks("energy", fn, ref.energy, _energy_cases)


# ------------------------------------------------------------------ overlap


_NOT_DIVIDED = "not divided by n: m = (1/n) Σ_i s_i ξ_i, the mean over neurons."
_ABSOLUTE = (
    "you took the absolute value; the overlap keeps its sign (m = -1 for the mirror image -ξ)."
)
_AGREEMENT = (
    "that is the fraction of agreeing neurons, (1 + m)/2; the overlap counts each "
    "disagreement as -1: m = (1/n) Σ_i s_i ξ_i."
)


def _overlap_cases(fn: Callable) -> int:
    rng = np.random.default_rng(6)
    x = _patterns(4, 10, 7)
    states = np.stack(
        [ref.flip(x[0], 0.1, rng), -ref.flip(x[1], 0.2, rng), _patterns(1, 10, 8)[0], x[3]]
    )  # overlaps 0.8, -0.6, (random), 1
    y = _patterns(2, 12, 9)
    cases = [
        ("case 1 (batch=4, n=10, some overlaps negative)", states, x),
        ("case 2 (single vectors of shape (n,), n=12)", -ref.flip(y[0], 0.25, rng), y[0]),
        ("case 3 (batch=1, n=12)", ref.flip(y[1:], 0.25, rng), y[1:]),
    ]
    for case, s, p in cases:
        want = ref.overlap(s, p)
        n = s.shape[-1]
        got = _call(fn, case, s.ndim == 1, s.copy(), p.copy())
        if s.ndim == 1:
            compare_number(
                "the overlap",
                got,
                want,
                case,
                mistakes=[
                    (want * n, _NOT_DIVIDED),
                    (abs(want), _ABSOLUTE),
                    ((1 + want) / 2, _AGREEMENT),
                ],
            )
            continue
        batch = s.shape[0]
        compare(
            "overlap",
            got,
            want,
            case,
            "(batch,)",
            shape_hints={
                (batch, batch): "the overlap pairs row i of states with row i of patterns: "
                "(states * patterns).mean(axis=-1), not states @ patterns.T.",
                (n,): "you averaged over the batch (axis 0); average over neurons, axis=-1.",
            },
            mistakes=[
                (want * n, _NOT_DIVIDED),
                (np.abs(want), _ABSOLUTE),
                ((1 + want) / 2, _AGREEMENT),
                (
                    want * n / batch,
                    "divided by the number of states; divide by the number of neurons n "
                    "(the last axis).",
                ),
            ],
        )
    return len(cases)


def overlap(fn: Callable) -> Callable:
    """Check a student's ``overlap(states, patterns)`` (row by row) against the reference."""
    return run_checks("overlap", fn, ref.overlap, _overlap_cases)


# ------------------------------------------------------------------ dense associative memory


def _dense_field(
    x: np.ndarray, s: np.ndarray, order: int, power: Callable | None = None
) -> np.ndarray:
    """Σ_μ [F(ξ_μ·s⁽ⁱ⁺⁾) - F(ξ_μ·s⁽ⁱ⁻⁾)] for (batch, n) states: the reference's field
    (with ``power`` in place of F, the field of a wrong F)."""
    f = power or (lambda y: y**order)
    others = (s @ x.T)[:, :, None] - x[None] * s[:, None, :]
    return (f(others + x[None]) - f(others - x[None])).sum(axis=1)


def _dense_in_place(x: np.ndarray, s: np.ndarray, order: int) -> np.ndarray:
    """The dense rule applied neuron by neuron in place (a sweep, not a synchronous step)."""
    out = s.copy()
    for row in out:
        for i in range(row.size):
            plus, minus = row.copy(), row.copy()
            plus[i], minus[i] = 1.0, -1.0
            row[i] = 1.0 if ((x @ plus) ** order - (x @ minus) ** order).sum() >= 0 else -1.0
    return out


def _dense_cases(fn: Callable) -> int:
    rng = np.random.default_rng(10)
    x = _patterns(6, 11, 11)  # n odd: order-2 fields can be exactly zero (ties)
    cues = np.concatenate([ref.flip(x[:3], 0.2, rng), _patterns(3, 11, 12)])  # (6, 11)
    cases = [
        ("case 1 (order=2, batch=6, n=11)", cues, 2),
        ("case 2 (order=3, batch=6)", cues, 3),
        ("case 3 (order=4, batch=6)", cues, 4),
        ("case 4 (order=3, one state of shape (n,))", cues[1], 3),
    ]
    for case, s, order in cases:
        want = ref.dense_update(x, s, order)
        rows = np.atleast_2d(s)
        field = _dense_field(x, rows, order)
        overlaps = rows @ x.T  # (batch, n_patterns)
        energy_hint = (
            "compare energies: s_i ← sign(Σ_μ [F(ξ_μ·s⁽ⁱ⁺⁾) - F(ξ_μ·s⁽ⁱ⁻⁾)]), with neuron i "
            "set to +1 and to -1 and the others held fixed."
        )
        mistakes = [
            (
                ref.dense_update(x, s, 2),
                f"you used order 2 whatever the order argument: F(x) = x**order (here {order}).",
            ),
            (
                _sign(overlaps**order @ x).reshape(s.shape),
                "you took sign(Σ_μ F(ξ_μ·s) ξ_μ), which ignores the difference of F; "
                + energy_hint,
            ),
            (
                _sign(order * overlaps ** (order - 1) @ x).reshape(s.shape),
                "you used the derivative sign(Σ_μ F'(ξ_μ·s) ξ_μ), which keeps each neuron's "
                "self-coupling; " + energy_hint,
            ),
            (-want, "the sign is flipped: +1 where F(ξ_μ·s⁽ⁱ⁺⁾) is the larger, i.e. lower energy."),
            (
                _sign(-field).reshape(s.shape),
                "the sign is flipped: +1 where F(ξ_μ·s⁽ⁱ⁺⁾) is the larger, i.e. lower energy.",
            ),
            (
                _dense_in_place(x, rows, order).reshape(s.shape),
                "you updated the neurons one after another, each seeing the new values of "
                "the ones before; update every neuron from the old state at once.",
            ),
            (
                _sign(
                    _dense_field(x, rows, order, power=lambda y, k=order: np.abs(y) ** k)
                ).reshape(s.shape),
                "you used |x|**order, which loses the sign of odd powers: F(x) = x**order.",
            ),
        ]

        def explain(got: torch.Tensor, case: str, field=field, shape=s.shape) -> None:
            values = got.double()
            if (values.abs() > 1).any():
                raise CheckFailed(
                    f"{case}: these look like the energy differences themselves; the update "
                    "returns their sign, ±1 per neuron (sign(0) = +1)."
                )
            if not ((values == 1) | (values == -1)).all():
                raise CheckFailed(
                    f"{case}: the new states must be ±1 only; sign(0) is +1 in this course "
                    "(np.where(field >= 0, 1.0, -1.0)), while np.sign(0) gives 0."
                )
            wrong = (values.numpy() != _sign(field).reshape(shape)).reshape(-1)
            if wrong.any() and (field.reshape(-1)[wrong] == 0).all():
                raise CheckFailed(
                    f"{case}: the ties are wrong: where the energy difference is exactly 0, "
                    "the neuron takes +1 (sign(0) = +1)."
                )

        compare(
            "output",
            _call(fn, case, s.ndim == 1, x.copy(), s.copy(), order),
            want,
            case,
            "(batch, n), like states",
            shape_hints={
                (rows.shape[0], x.shape[0]): "that is one number per stored pattern; the "
                "update gives one ±1 value per neuron."
            },
            mistakes=mistakes,
            explain=explain,
        )
    return len(cases)


def dense_update(fn: Callable) -> Callable:
    """Check a student's ``dense_update(patterns, states, order)`` (Krotov & Hopfield 2016)."""
    return run_checks("dense_update", fn, ref.dense_update, _dense_cases)


# ------------------------------------------------------------------ modern Hopfield network


def _modern_inputs() -> list[tuple[str, torch.Tensor, torch.Tensor, float]]:
    g = seeded(20)
    x1 = torch.randn(6, 8, generator=g)
    s1 = torch.randn(4, 8, generator=g)
    x2 = torch.from_numpy(_patterns(10, 16, 21)).float()
    s2 = ref.flip_torch(x2[[0, 3, 7]], 0.25, g)
    return [
        ("case 1 (batch=4, n_patterns=6, d=8, beta=2)", x1, s1, 2.0),
        ("case 2 (±1 patterns, batch=3, n_patterns=10, d=16, beta=0.5)", x2, s2, 0.5),
        ("case 3 (batch=1, n_patterns=6, d=8, beta=4)", x1, s1[:1], 4.0),
    ]


def _modern_mistakes(x: torch.Tensor, s: torch.Tensor, beta: float) -> list:
    scores = s @ x.T
    d = x.shape[-1]
    return [
        (
            torch.softmax(scores, dim=-1) @ x,
            "beta is ignored (as if β = 1): multiply the scores by beta before the softmax.",
        ),
        (
            torch.softmax(scores / math.sqrt(d), dim=-1) @ x,
            "you scaled by 1/√d as in attention; the Hopfield update scales by β (beta).",
        ),
        (
            torch.softmax(beta * scores, dim=0) @ x,
            "softmax over the wrong axis: normalise over stored patterns, dim=-1 "
            "(each state's weights sum to 1).",
        ),
        (
            beta * torch.softmax(scores, dim=-1) @ x,
            "β multiplies the scores inside the softmax, not the result: softmax(β · scores).",
        ),
        (
            torch.softmax(scores / beta, dim=-1) @ x,
            "you divided the scores by β; β is an inverse temperature and multiplies them.",
        ),
        (
            torch.sign(torch.softmax(beta * scores, dim=-1) @ x),
            "you returned the sign of the new state; the update returns the weighted average "
            "itself (continuous), the sign is taken only when retrieval is scored.",
        ),
        (
            torch.exp(beta * scores) @ x,
            "the weights are not normalised: divide exp(β scores) by its sum over patterns "
            "(that is the softmax).",
        ),
    ]


def _modern_cases(fn: Callable) -> int:
    cases = _modern_inputs()
    for case, x, s, beta in cases:
        want = ref.modern_update(x, s, beta)
        compare(
            "output",
            fn(x.clone(), s.clone(), beta),
            want,
            case,
            "(batch, d), like states",
            shape_hints={
                (s.shape[0], x.shape[0]): "those are the weights softmax(β states Xᵀ), one "
                "per stored pattern; multiply them by the patterns: weights @ patterns.",
            },
            mistakes=_modern_mistakes(x, s, beta),
        )
    return len(cases)


def modern_update(fn: Callable) -> Callable:
    """Check a student's ``modern_update(patterns, states, beta)`` (Ramsauer et al. 2021)."""
    return run_checks("modern_update", fn, ref.modern_update, _modern_cases)


# ------------------------------------------------------------------ attention entropy


def _entropy_cases(fn: Callable) -> int:
    g = seeded(30)
    x1 = torch.from_numpy(_patterns(6, 8, 31))
    s1 = ref.flip_torch(x1[[0, 1, 2, 4, 5]], 0.25, g)
    x2 = torch.randn(7, 5, generator=g, dtype=torch.float64)
    s2 = torch.randn(3, 5, generator=g, dtype=torch.float64)
    x3 = torch.from_numpy(_patterns(6, 16, 32)).float()
    cases = [
        ("case 1 (±1 patterns, batch=5, n_patterns=6, d=8, beta=0.5)", x1, s1, 0.5),
        ("case 2 (batch=3, n_patterns=7, d=5, beta=2)", x2, s2, 2.0),
        ("case 3 (float32, cues = stored patterns, beta=60: one pattern wins)", x3, x3[:3], 60.0),
    ]
    for case, x, s, beta in cases:
        want = ref.attention_entropy(x, s, beta)
        got = fn(x.clone(), s.clone(), beta)
        try:
            nan = math.isnan(float(got))
        except (TypeError, ValueError):
            nan = False  # compare_number says what kind of answer it expected
        if nan:
            zeros = bool((torch.softmax(beta * s @ x.T, dim=-1) == 0).any())
            hint = (
                "some weights are exactly 0 here, and 0 · ln 0 must count as 0: use "
                "torch.special.entr(p), or p * torch.log_softmax(...)."
                if zeros
                else "did you take the log of the raw scores (some are negative)? "
                "Take the logarithm of the softmax weights."
            )
            raise CheckFailed(f"{case}: the entropy is NaN — {hint}")
        scores = beta * s @ x.T
        p = torch.softmax(scores, dim=-1)
        per_state = torch.special.entr(p).sum(-1)
        unnormalised = (-(scores.exp() * scores).sum(-1)).mean().item()
        compare_number(
            "the entropy",
            got,
            want,
            case,
            mistakes=[
                (want / math.log(2), "that is in bits (log base 2); use the natural log: nats."),
                (
                    per_state.sum().item(),
                    "you summed over states; return the mean over states.",
                ),
                (
                    unnormalised,
                    "that is the entropy of the un-normalised exp(β states Xᵀ); take it of "
                    "the softmax weights p = softmax(β states Xᵀ, dim=-1).",
                ),
                (-want, "the minus sign is missing: H = -Σ_μ p_μ ln p_μ ≥ 0."),
                (
                    torch.special.entr(p.mean(dim=0)).sum().item(),
                    "you averaged the weights over states before taking the entropy; take "
                    "each state's entropy, then the mean.",
                ),
                (
                    torch.special.entr(torch.softmax(s @ x.T, dim=-1)).sum(-1).mean().item(),
                    "beta is ignored (as if β = 1): the weights are softmax(β states Xᵀ).",
                ),
                (
                    torch.special.entr(torch.softmax(scores, dim=0)).sum(-1).mean().item(),
                    "softmax over the wrong axis: normalise over stored patterns, dim=-1.",
                ),
            ],
            rtol=1e-5,
        )
    return len(cases)


def attention_entropy(fn: Callable) -> Callable:
    """Check a student's ``attention_entropy(patterns, states, beta)`` (mean, in nats)."""
    return run_checks("attention_entropy", fn, ref.attention_entropy, _entropy_cases)


# ------------------------------------------------------------------ Hopfield = attention


class _AttentionProbe:
    """The calls a function made to an attention function, and the tensors it got back."""

    def __init__(self) -> None:
        self.n_calls = 0
        self.returned: list[torch.Tensor] = []


@contextmanager
def _probing_attention(fn: Callable) -> Iterator[_AttentionProbe]:
    """Watch ``fn``'s calls to chapter 01's attention or to torch's own.

    Inside the block, :func:`brainformers.attention.scaled_dot_product_attention` and
    :func:`torch.nn.functional.scaled_dot_product_attention` are replaced — under every
    global name of ``fn`` bound to them and as module attributes — by wrappers that
    return the true result as fresh leaf tensors requiring gradients. Whether the
    student's answer depends on those leaves then says whether it *uses* what the
    attention returned, or calls it and discards the result.
    """
    probe = _AttentionProbe()

    def wrap(target: Callable) -> Callable:
        def probed(*args: Any, **kwargs: Any) -> Any:
            probe.n_calls += 1
            result = target(*args, **kwargs)
            parts = result if isinstance(result, tuple) else (result,)
            leaves = tuple(
                t.detach().clone().requires_grad_()
                if torch.is_tensor(t) and t.is_floating_point()
                else t
                for t in parts
            )
            probe.returned.extend(t for t in leaves if torch.is_tensor(t) and t.requires_grad)
            return leaves if isinstance(result, tuple) else leaves[0]

        return probed

    targets = (scaled_dot_product_attention, F.scaled_dot_product_attention)
    with (
        intercepting(fn, [(t, wrap(t)) for t in targets], (attention_module, F)),
        torch.enable_grad(),
    ):
        yield probe


def _uses(got: Any, returned: list[torch.Tensor]) -> bool:
    """Whether ``got`` was computed from any of the tensors an attention call returned."""
    if not (torch.is_tensor(got) and got.requires_grad and returned):
        return False
    grads = torch.autograd.grad(got.sum(), returned, allow_unused=True)
    return any(g is not None for g in grads)


def _via_attention_cases(fn: Callable) -> int:
    cases = _modern_inputs()
    n_calls = 0
    for case, x, s, beta in cases:
        want = ref.modern_update(x, s, beta)
        try:
            with _probing_attention(fn) as probe:
                got = fn(x.clone(), s.clone(), beta)
                used = _uses(got, probe.returned)
            n_calls += probe.n_calls
        except TypeError as error:
            if str(error).startswith("mask must be"):
                raise CheckFailed(
                    f"{case}: beta went in as the 4th positional argument, which is the mask: "
                    "pass it by name, as the attention's scale."
                ) from None
            raise
        if isinstance(got, tuple):
            raise CheckFailed(
                f"{case}: you returned the tuple (output, weights) of the attention function; "
                "return only the output, [0]."
            )
        if torch.is_tensor(got) and got.is_floating_point() and got.dtype != want.dtype:
            got = got.to(want.dtype)  # float32 and float64 are both right answers
        compare(
            "output",
            got,
            want,
            case,
            "(batch, d), like states",
            shape_hints={
                (x.shape[0], x.shape[1]): "the patterns went in as the query; the states are "
                "the queries and the patterns the keys and values.",
                (s.shape[0], x.shape[0]): "those are the attention weights, [1]; return the "
                "output, [0].",
            },
            mistakes=[
                (
                    scaled_dot_product_attention(s, x, x)[0],
                    "the default scale 1/√d was used; pass scale=beta.",
                ),
                (
                    scaled_dot_product_attention(s, x, x, scale=1 / beta)[0],
                    "scale=1/beta treats β as a temperature; β is the scale itself.",
                ),
                (
                    scaled_dot_product_attention(s, x, x, scale=beta / math.sqrt(x.shape[-1]))[0],
                    "the scale replaces 1/√d, it does not multiply it: scale=beta.",
                ),
            ],
        )
        if probe.n_calls and not used:
            raise CheckFailed(
                f"{case}: your function calls scaled_dot_product_attention but its answer does "
                "not come from what the call returns (discarded, recomputed with a softmax of "
                "your own, or detached): return the attention's output itself."
            )
    if n_calls == 0:
        raise CheckFailed(
            "hopfield_via_attention must call chapter 01's scaled_dot_product_attention; it "
            "computed its own softmax. The values are right — now get them from one call of "
            "it, with the states as queries, the patterns as keys and values, and β as scale."
        )
    return len(cases)


def hopfield_via_attention(fn: Callable) -> Callable:
    """Check ``hopfield_via_attention(patterns, states, beta)`` built on chapter 01's attention.

    Besides the values, the check verifies that the answer comes from a call of
    :func:`brainformers.attention.scaled_dot_product_attention` (the exercise's point) —
    or of torch's own :func:`torch.nn.functional.scaled_dot_product_attention`, the same
    function — and not from a softmax computed beside a discarded call.

    Reference: :func:`brainformers.hopfield.modern_update`.
    """
    return run_checks("hopfield_via_attention", fn, ref.modern_update, _via_attention_cases)


# ------------------------------------------------------------------ two-layer network


def _two_layer_mistakes(x, v, h, beta, dt, tau_f, tau_h):
    """(v_new, h_new, hint) of plausible wrong Euler steps."""
    f = torch.softmax(beta * h, dim=-1)
    drive_v, drive_h = f @ x, v @ x.T
    v_ok = v + (dt / tau_f) * (drive_v - v)
    h_ok = h + (dt / tau_h) * (drive_h - h)
    leak = "the leak terms are missing: τ_f dv/dt = Xᵀ f(h) - v and τ_h dh/dt = X v - h."
    order = "update both groups from the old (v, h): compute v_new and h_new before using either."
    return [
        (v + (dt / tau_f) * drive_v, h + (dt / tau_h) * drive_h, leak),
        (
            v + (dt / tau_f) * (h @ x - v),
            h_ok,
            "the feature neurons are driven by softmax(β h), the memory neurons' activity, "
            "not by h itself.",
        ),
        (
            v + (dt / tau_f) * (torch.softmax(h, dim=-1) @ x - v),
            h_ok,
            "β is missing from the memory neurons' activation softmax(β h).",
        ),
        (
            v + (dt / tau_h) * (drive_v - v),
            h + (dt / tau_f) * (drive_h - h),
            "the time constants are swapped: v moves with dt/τ_f, h with dt/τ_h.",
        ),
        (
            v + (drive_v - v) / tau_f,
            h + (drive_h - h) / tau_h,
            "the time step dt is missing: v moves by (dt/τ_f) · (drive - v).",
        ),
        (
            v + dt * tau_f * (drive_v - v),
            h + dt * tau_h * (drive_h - h),
            "multiply by dt/τ, not dt·τ: a larger time constant means slower change.",
        ),
        (
            v + (dt / tau_f) * (torch.softmax(beta * h, dim=0) @ x - v),
            h_ok,
            "softmax over the wrong axis: normalise over the memory neurons, dim=-1.",
        ),
        (v_ok, h + (dt / tau_h) * (v_ok @ x.T - h), order),
        (v + (dt / tau_f) * (torch.softmax(beta * h_ok, dim=-1) @ x - v), h_ok, order),
    ]


def _two_layer_cases(fn: Callable) -> int:
    g = seeded(40)
    x = torch.randn(5, 8, generator=g, dtype=torch.float64) / 2
    v = torch.randn(3, 8, generator=g, dtype=torch.float64)
    h = torch.randn(3, 5, generator=g, dtype=torch.float64)
    cases = [
        (
            "case 1 (batch=3, n_patterns=5, d=8, beta=1, dt=0.02, tau_f=1, tau_h=0.1)",
            v,
            h,
            1.0,
            (0.02, 1.0, 0.1),
        ),
        (
            "case 2 (one state: v (d,), h (n_patterns,), beta=2, dt=0.05, tau_f=0.5, tau_h=0.2)",
            v[0],
            h[0],
            2.0,
            (0.05, 0.5, 0.2),
        ),
        (
            "case 3 (h = X v, dt = tau_f = 1: v_new is the modern update, beta=3)",
            v,
            v @ x.T,
            3.0,
            (1.0, 1.0, 0.5),
        ),
    ]
    for case, v_in, h_in, beta, (dt, tau_f, tau_h) in cases:
        want_v, want_h = ref.two_layer_step(x, v_in, h_in, beta, dt, tau_f, tau_h)
        args = (x.clone(), v_in.clone(), h_in.clone(), beta, dt, tau_f, tau_h)
        result = _call(fn, case, v_in.ndim == 1, *args)
        got_v, got_h = _pair(result, case, "(v_new, h_new)")
        mistakes = _two_layer_mistakes(x, v_in, h_in, beta, dt, tau_f, tau_h)
        swapped = "did you return (h_new, v_new)? Return (v_new, h_new)."
        compare(
            "v_new",
            got_v,
            want_v,
            case,
            "(batch, d), like v",
            shape_hints={tuple(h_in.shape): swapped},
            mistakes=[(mv, hint) for mv, _, hint in mistakes],
        )
        compare(
            "h_new",
            got_h,
            want_h,
            case,
            "(batch, n_patterns), like h",
            shape_hints={tuple(v_in.shape): swapped},
            mistakes=[(mh, hint) for _, mh, hint in mistakes],
        )
    return len(cases)


def two_layer_step(fn: Callable) -> Callable:
    """Check ``two_layer_step(patterns, v, h, beta, dt, tau_f, tau_h)`` (Krotov & Hopfield 2021)."""
    return run_checks("two_layer_step", fn, ref.two_layer_step, _two_layer_cases)


# ------------------------------------------------------------------ masked image cues


def _half_mask_cases(fn: Callable) -> int:
    cases = [
        ("case 1 (3 images of 8 × 8 pixels, height=8)", _patterns(3, 64, 50), 8),
        ("case 2 (2 images of 4 × 6 pixels, height=4)", _patterns(2, 24, 51), 4),
    ]
    for case, images, height in cases:
        want = ref.half_mask(images, height)
        n_images, size = images.shape
        width = size // height
        half = (height // 2) * width
        top = images.copy()
        top[:, :half] = 0.0
        right = images.copy().reshape(n_images, height, width)
        right[:, :, width // 2 :] = 0.0
        minus = images.copy()
        minus[:, half:] = -1.0
        off_by_one = images.copy()
        off_by_one[:, half + width :] = 0.0
        by_height = images.copy()
        by_height[:, (height // 2) * height :] = 0.0
        given = images.copy()
        got = fn(given, height)
        if not np.array_equal(given, images):
            raise CheckFailed(
                f"{case}: your function changed the images it was given; work on a copy "
                "(masked = images.copy()) and return that."
            )
        compare(
            "masked copy",
            got,
            want,
            case,
            "(n_images, height * width), like images",
            shape_hints={
                (n_images, height, width): "return the images flattened again, "
                "(n_images, height * width): .reshape(len(images), -1).",
            },
            mistakes=[
                (top, "you masked the top half; hide the lower half (rows height/2 … height-1)."),
                (
                    right.reshape(n_images, size),
                    "you masked the right half (columns); hide the lower half (rows).",
                ),
                (minus, "the hidden pixels were set to -1; set them to 0 (unknown)."),
                (
                    off_by_one,
                    "one picture row too few is hidden: the lower half starts at row height // 2.",
                ),
                (
                    by_height,
                    "you used the height where the width belongs: image row r is the "
                    "pixels r·width … (r+1)·width - 1, width = pixels // height.",
                ),
            ],
        )
    return len(cases)


def half_mask(fn: Callable) -> Callable:
    """Check a student's ``half_mask(images, height)`` against :func:`.hopfield.half_mask`."""
    return run_checks("half_mask", fn, ref.half_mask, _half_mask_cases)
