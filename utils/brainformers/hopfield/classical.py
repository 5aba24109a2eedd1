"""The classical Hopfield network (Hopfield 1982): Hebbian weights, energy, asynchronous recall."""

from __future__ import annotations

import warnings

import numpy as np

from .. import _validate
from ._common import _plus_minus_one, _sign, _square_weights, _states_for, _zero_field


def hebbian_weights(patterns: np.ndarray) -> np.ndarray:
    """Hebbian weights W = (1/n) Σ_μ ξ_μ ξ_μᵀ with zero diagonal (Hopfield 1982).

    W_ij = (1/n) Σ_μ ξ_μi ξ_μj for i ≠ j and W_ii = 0: neurons that are active together in
    a stored pattern excite each other ("fire together, wire together"). The zero
    diagonal removes self-coupling, which would otherwise add (n_patterns / n) s_i to
    every neuron's field and stabilise spurious states. The 1/n scaling follows Amit,
    Gutfreund & Sompolinsky (1985); it does not change the dynamics (only signs matter).

    Parameters
    ----------
    patterns : (n_patterns, n) array of ±1 (the stored patterns ξ_μ as rows).

    Returns
    -------
    (n, n) float64 array, symmetric, zero diagonal.

    Example
    -------
    >>> hebbian_weights(np.array([[1.0, -1.0, 1.0]]))
    array([[ 0.        , -0.33333333,  0.33333333],
           [-0.33333333,  0.        , -0.33333333],
           [ 0.33333333, -0.33333333,  0.        ]])
    """
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, n)")
    _plus_minus_one("patterns", x)
    n = x.shape[1]
    if n == 0:
        raise ValueError("patterns must have at least one neuron, got shape (n_patterns, 0)")
    w = x.T @ x / n  # (n, n)
    np.fill_diagonal(w, 0.0)
    return w


def projection_weights(patterns: np.ndarray) -> np.ndarray:
    """Projection (pseudo-inverse) weights W = Xᵀ (X Xᵀ)⁻¹ X with zero diagonal.

    The projection rule of Personnaz, Guyon & Dreyfus (1985) and Kanter & Sompolinsky
    (1987): W projects every state onto the span of the stored patterns, so each stored
    pattern satisfies W ξ = ξ exactly, however strongly the patterns are correlated —
    Hebb's rule W ∝ Xᵀ X is this with the overlap matrix X Xᵀ replaced by n·I, which
    is only right for nearly orthogonal patterns. The inverse undoes the crosstalk that
    correlated patterns (digits sharing their background) put into Hebbian weights; the
    rule stores up to n linearly independent patterns (load α = 1). The diagonal is set
    to zero, as for Hebb's rule (Kanter & Sompolinsky 1987): self-coupling would make
    every state near a pattern stable and shrink the basins of attraction. The rule is
    not local (each synapse depends on all patterns through the inverse).

    Parameters
    ----------
    patterns : (n_patterns, n) array of ±1, the stored patterns as rows; the
        pseudo-inverse (``np.linalg.pinv``) also serves linearly dependent ones.

    Returns
    -------
    (n, n) float64 array, symmetric, zero diagonal.

    Example
    -------
    >>> x = np.array([[1.0, 1.0, 1.0, -1.0], [1.0, 1.0, -1.0, 1.0]])  # overlap 0
    >>> bool(np.allclose(projection_weights(x), hebbian_weights(x)))  # orthogonal: Hebb
    True
    """
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, n)")
    _plus_minus_one("patterns", x)
    if x.shape[1] == 0:
        raise ValueError("patterns must have at least one neuron, got shape (n_patterns, 0)")
    w = np.linalg.pinv(x) @ x  # (n, n) = Xᵀ (X Xᵀ)⁻¹ X for independent rows
    w = 0.5 * (w + w.T)  # exactly symmetric despite rounding
    np.fill_diagonal(w, 0.0)
    return w


def energy(weights: np.ndarray, state: np.ndarray) -> float | np.ndarray:
    """Hopfield energy E = -½ sᵀ W s (Hopfield 1982).

    With symmetric weights and a non-negative diagonal, an asynchronous update never
    raises E, so retrieval is a descent to a local minimum (see
    :func:`update_asynchronous`).

    Parameters
    ----------
    weights : (n, n) real array.
    state : (n,) or (batch, n) real array (any real state; ±1 for the classical net).

    Returns
    -------
    A float for one state; a (batch,) float64 array, one energy per row, for a batch.
    """
    w = _square_weights(weights)
    s = _validate.array("state", state, ndim=(1, 2), dims="(n,) or (batch, n)")
    if s.shape[-1] != w.shape[0]:
        raise ValueError(
            f"state must have n = {w.shape[0]} neurons in its last dimension to match weights "
            f"{w.shape}, got shape {s.shape}"
        )
    e = -0.5 * np.einsum("...i,ij,...j->...", s, w, s)
    return float(e) if s.ndim == 1 else e


def update_asynchronous(
    weights: np.ndarray, state: np.ndarray, rng: np.random.Generator, n_sweeps: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Asynchronous updates: one neuron at a time, s_i ← sign(Σ_j W_ij s_j) (Hopfield 1982).

    Each sweep visits all n neurons once in a fresh random order. When neuron i changes by
    δ = s_i' - s_i, the energy E = -½ sᵀ W s changes by
    ΔE = -½ δ Σ_{j≠i} (W_ij + W_ji) s_j (the W_ii s_i² term is 1 · W_ii before and after).
    For symmetric W with W_ii ≥ 0 a flip only happens when s_i h_i ≤ 0, so
    ΔE = 2 s_i h_i - 2 W_ii ≤ 0: the energy never increases — Hopfield's convergence
    argument (up to rounding: a tie, |h_i| below the tolerance described in the module
    docstring, counts as h_i = 0). The returned energies let a test check exactly that.

    Parameters
    ----------
    weights : (n, n) real array.
    state : (n,) array of ±1, one state (see :func:`retrieve_classical` for a batch).
    rng : NumPy random generator for the update order.
    n_sweeps : number of sweeps through all neurons.

    Returns
    -------
    final_state : (n,) float64 array of ±1.
    energies : (n_sweeps · n + 1,) float64 array: the energy of the initial state, then
        after every single-neuron update (accumulated from the exact ΔE above).

    Example
    -------
    >>> from brainformers.hopfield import flip, overlap, random_patterns
    >>> rng = np.random.default_rng(0)
    >>> x = random_patterns(5, 100, rng)
    >>> s, e = update_asynchronous(hebbian_weights(x), flip(x[0], 0.1, rng), rng)
    >>> bool((np.diff(e) <= 0).all()), float(overlap(s, x[0]))
    (True, 1.0)
    """
    w = _square_weights(weights)
    s = _states_for("state", state, w.shape[0], f"weights {w.shape}").copy()
    if s.ndim != 1:
        raise ValueError(
            f"state must be a single state of shape (n,), got shape {s.shape} — "
            "use retrieve_classical for a batch"
        )
    _validate.numpy_generator("rng", rng)
    _validate.positive_int("n_sweeps", n_sweeps)
    n = s.shape[0]
    zero = _zero_field(w)
    energies = np.empty(n_sweeps * n + 1)
    energies[0] = -0.5 * s @ w @ s
    step = 0
    for _ in range(n_sweeps):
        for i in rng.permutation(n):
            new = 1.0 if w[i] @ s >= -zero else -1.0
            delta = new - s[i]
            d_energy = 0.0
            if delta:
                both_ways = w[i] @ s + w[:, i] @ s - 2.0 * w[i, i] * s[i]  # Σ_{j≠i}(W_ij+W_ji)s_j
                d_energy = -0.5 * delta * both_ways
                s[i] = new
            energies[step + 1] = energies[step] + d_energy
            step += 1
    return s, energies


def retrieve_classical(
    weights: np.ndarray,
    cues: np.ndarray,
    rng: np.random.Generator,
    max_sweeps: int = 100,
) -> np.ndarray:
    """Run asynchronous dynamics from each cue until it stops changing (a fixed point).

    The same dynamics as :func:`update_asynchronous` (Hopfield 1982), run for many cues at
    once, each with its own random update order per sweep, until a full sweep changes
    nothing. Asynchronous rather than synchronous because, with symmetric W and a
    non-negative diagonal, no flip raises the energy and a flip that leaves it unchanged
    (a tie, h_i = 0) can only turn -1 into +1, so no state can recur and the dynamics
    must stop at a fixed point; synchronous updates can instead 2-cycle forever.
    Each cue stops as soon as a sweep leaves it unchanged; every neuron then agrees with
    the sign of its field, so the result is a fixed point of a synchronous update too.

    Implementation: every cue keeps its local fields H = S Wᵀ; a flip of neuron i by δ
    adds δ W[:, i] to its fields, so a visit costs O(1) and a flip O(n) (fields are
    recomputed at the start of each sweep). Ties (zero fields, up to rounding) go to +1 as
    in the other updates.

    Parameters
    ----------
    weights : (n, n) real array (symmetric for guaranteed convergence).
    cues : (n,) or (batch, n) array of ±1, the starting states; 0 marks a neuron the cue
        leaves unknown (e.g. a masked pixel), which takes the sign of its field on its
        first visit.
    rng : NumPy random generator for the update orders.
    max_sweeps : stop after this many sweeps even if not converged (then a
        ``RuntimeWarning`` says how many cues were still changing). Random symmetric
        Hebbian nets at n = 500 need up to ~50 sweeps just above capacity, ~1–5 below.

    Returns
    -------
    float64 array of ±1, same shape as ``cues``: the retrieved states.
    """
    w = _square_weights(weights)
    c = _states_for("cues", cues, w.shape[0], f"weights {w.shape}", allow_unknown=True)
    _validate.numpy_generator("rng", rng)
    _validate.positive_int("max_sweeps", max_sweeps)
    states = np.atleast_2d(c).copy()  # (batch, n)
    n = states.shape[1]
    w_rows_of_columns = np.ascontiguousarray(w.T)  # row i = column i of W
    zero = _zero_field(w)
    active = np.arange(states.shape[0])  # cues that changed in their last sweep
    for _ in range(max_sweeps):
        if active.size == 0:
            break
        s = states[active]  # (n_active, n)
        fields = s @ w.T  # (n_active, n), h = W s per row
        order = rng.random(s.shape).argsort(axis=1)  # an independent random order per cue
        rows = np.arange(active.size)
        changed = np.zeros(active.size, dtype=bool)
        for t in range(n):
            i = order[:, t]
            new = _sign(fields[rows, i], zero)
            flips = np.flatnonzero(new != s[rows, i])
            if flips.size:
                j = i[flips]
                delta = new[flips] - s[flips, j]  # ±2 for a flip, ±1 for an unknown (0) neuron
                s[flips, j] = new[flips]
                fields[flips] += delta[:, None] * w_rows_of_columns[j]
                changed[flips] = True
        states[active] = s
        active = active[changed]
    if active.size:
        warnings.warn(
            f"{active.size} of {states.shape[0]} cues were still changing after "
            f"max_sweeps={max_sweeps}; are the weights symmetric?",
            RuntimeWarning,
            stacklevel=2,
        )
    return states.reshape(c.shape)
