"""The dense associative memory of Krotov & Hopfield (2016): a polynomial energy."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _validate
from ._common import _order, _plus_minus_one, _sign, _states_for


def _dense_inputs(
    patterns: object, states: object, order: object, states_name: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated (patterns, states, order) of the dense associative memory."""
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, n)")
    _plus_minus_one("patterns", x)
    s = _states_for(states_name, states, x.shape[1], f"patterns {x.shape}")
    return x, s, _order(order)


def _power(x: np.ndarray, order: int) -> np.ndarray:
    """x**order by repeated multiplication: for small whole exponents about ten times
    faster than np.power, and exact on whole numbers held in float64 as long as it fits."""
    out = x.copy()
    for _ in range(order - 1):
        out *= x
    return out


def dense_update(patterns: np.ndarray, states: np.ndarray, order: int) -> np.ndarray:
    """One synchronous update of a dense associative memory (Krotov & Hopfield 2016).

    Energy E(s) = -Σ_μ F(ξ_μ · s) with F(x) = x^order. Each neuron i takes the value that
    gives the lower energy with all other neurons held fixed:

        s_i ← sign( Σ_μ [ F(ξ_μ · s⁽ⁱ⁺⁾) - F(ξ_μ · s⁽ⁱ⁻⁾) ] ),   sign(0) = +1,

    where s⁽ⁱ±⁾ is s with neuron i set to ±1 — the update rule of Krotov & Hopfield
    (2016), applied here to all neurons at once from the same old state.

    Computed without forming the 2n neighbouring states. With a_μ = ξ_μ · s, setting
    neuron i to its current value leaves a_μ unchanged and setting it to the other value
    gives a_μ - 2 ξ_μi s_i; with ξ_μi = ±1 the field is then

        Σ_μ ξ_μi [F(a_μ + 2) - F(a_μ - 2)] / 2  +  s_i Σ_μ [F(a_μ) - (F(a_μ + 2) + F(a_μ - 2)) / 2],

    one (batch, n_patterns) @ (n_patterns, n) matrix product plus one number per state,
    in O(batch · n_patterns) memory. Both halves are whole numbers (a_μ ± 2 have the same
    parity), so the arithmetic is on integers held in float64 and exact, whatever the
    summation order, while n_patterns · (n + 2)^order < 2^53 (n = 100, order 4: up to
    about 8 · 10^7 patterns).

    ``order = 2`` is the classical network: (a + ξ)² - (a - ξ)² = 4 a ξ gives
    Σ_μ 4 ξ_μi Σ_{j≠i} ξ_μj s_j = 4 n (W s)_i with the zero-diagonal Hebbian W of
    :func:`~brainformers.hopfield.hebbian_weights`: the result is sign(W s) for every
    state, ties (an exactly zero field) included, since both give +1. With the diagonal
    kept (W_ii = n_patterns / n) they would differ: the dense rule has no self-coupling.
    Higher orders sharpen the energy around each pattern and raise capacity to
    ~ n^(order-1) patterns.

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
    n = x.shape[1]
    if order * math.log10(n + 2) > 300:
        raise ValueError(
            f"order={order} with n={n} overflows float64 ((n + 2)^order > 1e300); use a "
            "smaller order"
        )
    a = rows @ x.T  # (batch, n_patterns) overlaps ξ_μ · s
    up, down, here = _power(a + 2.0, order), _power(a - 2.0, order), _power(a, order)
    own = (here - (up + down) / 2.0).sum(axis=1, keepdims=True)  # (batch, 1)
    out = _sign(((up - down) / 2.0) @ x + rows * own)
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
