"""The dense associative memory of Krotov & Hopfield (2016): a polynomial energy."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _validate
from ._common import _MAX_DENSE_ELEMENTS, _order, _plus_minus_one, _sign, _states_for


def _dense_inputs(
    patterns: object, states: object, order: object, states_name: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated (patterns, states, order) of the dense associative memory."""
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, n)")
    _plus_minus_one("patterns", x)
    s = _states_for(states_name, states, x.shape[1], f"patterns {x.shape}")
    return x, s, _order(order)


def dense_update(patterns: np.ndarray, states: np.ndarray, order: int) -> np.ndarray:
    """One synchronous update of a dense associative memory (Krotov & Hopfield 2016).

    Energy E(s) = -Σ_μ F(ξ_μ · s) with F(x) = x^order. Each neuron i takes the value that
    gives the lower energy with all other neurons held fixed:

        s_i ← sign( Σ_μ [ F(ξ_μ · s⁽ⁱ⁺⁾) - F(ξ_μ · s⁽ⁱ⁻⁾) ] ),   sign(0) = +1,

    where s⁽ⁱ±⁾ is s with neuron i set to ±1 — the update rule of Krotov & Hopfield
    (2016), applied here to all neurons at once from the same old state. Vectorised with
    ξ_μ · s⁽ⁱ±⁾ = ξ_μ · s - ξ_μi s_i ± ξ_μi.

    ``order = 2`` is the classical network: (a + ξ)² - (a - ξ)² = 4 a ξ gives
    Σ_μ 4 ξ_μi Σ_{j≠i} ξ_μj s_j = 4 n (W s)_i with the zero-diagonal Hebbian W of
    :func:`hebbian_weights`, so the result equals :func:`update_synchronous` for every
    state: where a field is non-zero by sign, where it is exactly zero (possible unless n
    is even and n_patterns odd) because both give +1. With the diagonal kept
    (W_ii = n_patterns / n) they would differ: the dense rule has no self-coupling.
    Higher orders sharpen the energy around each pattern and raise capacity to
    ~ n^(order-1) patterns.

    Cost: O(batch · n_patterns · n) time and memory for the ξ_μ·s⁽ⁱ±⁾ terms — n times the
    O(batch · n_patterns) of one matrix product, the price of evaluating F at 2n
    neighbouring states. States are processed in chunks so that each of the half-dozen
    (chunk, n_patterns, n) temporaries holds at most 2^21 numbers (16 MB; ~100 MB at
    peak), unless a single state needs more. Arithmetic is on integers held in float64,
    exact while (n + 1)^order · n_patterns < 2^53 (e.g. n = 100, order ≤ 6 with up to
    8,000 patterns); beyond that rounding can only matter at near-ties.

    Parameters
    ----------
    patterns : (n_patterns, n) array of ±1.
    states : (n,) or (batch, n) array of ±1.
    order : integer ≥ 2, the power of F(x) = x^order.

    Returns
    -------
    float64 array of ±1, same shape as ``states``.
    """
    x, s, order = _dense_inputs(patterns, states, order, "states")
    if x.shape[0] == 0:
        raise ValueError("patterns must hold at least one pattern, got shape (0, n)")
    rows = np.atleast_2d(s)  # (batch, n)
    n_patterns, n = x.shape
    if order * math.log10(n + 1) > 300:
        raise ValueError(
            f"order={order} with n={n} overflows float64 ((n + 1)^order > 1e300); use a "
            "smaller order"
        )
    out = np.empty_like(rows)
    chunk = max(1, _MAX_DENSE_ELEMENTS // (n_patterns * n))
    for start in range(0, rows.shape[0], chunk):
        s_c = rows[start : start + chunk]  # (c, n)
        others = (s_c @ x.T)[:, :, None] - x[None] * s_c[:, None, :]  # (c, P, n) ξ_μ·s - ξ_μi s_i
        plus, minus = others + x[None], others - x[None]  # ξ_μ·s⁽ⁱ±⁾
        out[start : start + chunk] = _sign((plus**order - minus**order).sum(axis=1))
    return out.reshape(s.shape)


def retrieve_dense(
    patterns: np.ndarray, cues: np.ndarray, order: int, max_steps: int = 100
) -> np.ndarray:
    """Iterate :func:`dense_update` from each cue until a fixed point or a 2-cycle.

    Synchronous updates (vectorised, fast) can oscillate between two states; each cue
    stops at a fixed point (s_{t+1} = s_t) or a 2-cycle (s_{t+1} = s_{t-1}), whichever
    comes first, and the last state is returned. Cues still moving after ``max_steps``
    raise a ``RuntimeWarning``.

    Parameters
    ----------
    patterns : (n_patterns, n) array of ±1.
    cues : (n,) or (batch, n) array of ±1.
    order : integer ≥ 2 (see :func:`dense_update`).
    max_steps : maximum number of synchronous updates.

    Returns
    -------
    float64 array of ±1, same shape as ``cues``.
    """
    x, c, order = _dense_inputs(patterns, cues, order, "cues")
    _validate.positive_int("max_steps", max_steps)
    current = np.atleast_2d(c).copy()  # (batch, n)
    previous = np.full_like(current, np.nan)  # no state two steps back yet
    active = np.arange(current.shape[0])
    for _ in range(max_steps):
        if active.size == 0:
            break
        new = dense_update(x, current[active], order)
        stopped = (new == current[active]).all(axis=1) | (new == previous[active]).all(axis=1)
        previous[active] = current[active]
        current[active] = new
        active = active[~stopped]
    if active.size:
        warnings.warn(
            f"{active.size} of {current.shape[0]} cues were still changing after "
            f"max_steps={max_steps}",
            RuntimeWarning,
            stacklevel=2,
        )
    return current.reshape(c.shape)
