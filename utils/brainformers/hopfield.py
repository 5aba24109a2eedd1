"""Hopfield networks, classical to modern: the reference implementations of chapter 02.

Four memories, one idea — store patterns so that a corrupted cue falls back to the
pattern it came from:

* the classical Hopfield network (Hopfield 1982): ±1 neurons, Hebbian weights, an energy
  that asynchronous updates never increase, and a capacity of about 0.138 n patterns
  (Amit, Gutfreund & Sompolinsky 1985) — :func:`hebbian_weights`, :func:`energy`,
  :func:`update_synchronous`, :func:`update_asynchronous`, :func:`retrieve_classical`,
  :func:`capacity_curve`;
* the dense associative memory (Krotov & Hopfield 2016): a polynomial energy whose
  capacity grows like n^(order - 1) — :func:`dense_update`, :func:`retrieve_dense`;
* the modern Hopfield network (Ramsauer et al. 2021): continuous states, an exponential
  energy and the update ξ_new = X softmax(β Xᵀ ξ), which *is* attention with
  keys = values = the stored patterns — :func:`modern_update`, :func:`modern_retrieve`;
* the two-layer network of Krotov & Hopfield (2021): feature neurons and memory neurons
  joined by ordinary pairwise synapses, whose dynamics settle where the modern update
  does — :func:`two_layer_step`, :func:`two_layer_run`, :func:`two_layer_energy`.

Conventions
-----------
Classical and dense parts use NumPy (float64 arrays of +1/-1); dimension names
``n_patterns, n`` (n neurons), ``batch`` for many states at once, and random numbers from
an explicit :class:`numpy.random.Generator`. Modern and two-layer parts use torch, with
``n_patterns, d`` (d feature neurons). Row vectors throughout: a state is a row, patterns
are the rows of X, so the papers' ``X softmax(β Xᵀ ξ)`` is written
``softmax(β states Xᵀ) X`` here. The sign function is sign(0) = +1 everywhere; the
classical updates count a field within 1e-10 · max_i Σ_j |W_ij| of zero as zero (the
rounding noise of an exact tie, frequent with Hebbian weights), so that seeded runs give
the same result on every machine.

Term map (the chapter's notation table): stored pattern = key = value; state (cue) = query;
β = inverse temperature = attention ``scale``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from . import _validate
from .attention import scaled_dot_product_attention

__all__ = [
    "random_patterns",
    "flip",
    "flip_torch",
    "hebbian_weights",
    "energy",
    "update_synchronous",
    "update_asynchronous",
    "retrieve_classical",
    "overlap",
    "capacity_curve",
    "dense_update",
    "retrieve_dense",
    "modern_update",
    "modern_retrieve",
    "exact_retrieval_rate",
    "nearest_neighbour_retrieve",
    "exact_capacity",
    "attention_entropy",
    "two_layer_step",
    "two_layer_energy",
    "two_layer_run",
    "TwoLayerRun",
    "mask_lower_half",
]

# Scores held at once by the chunked modern retrieval: batch_size · n_patterns ≤ this
# (2^22 scores = 16 MB in float32, 32 MB in float64 per (batch, n_patterns) matrix).
_MAX_SCORES_PER_CHUNK = 2**22
# Each (chunk, n_patterns, n) temporary of the dense update holds at most this many numbers.
_MAX_DENSE_ELEMENTS = 2**21


# ------------------------------------------------------------------ private checks


def _plus_minus_one(name: str, x: np.ndarray | torch.Tensor) -> None:
    """Check that every entry is +1 or -1, listing (up to five of) the values that are not."""
    bad = x[(x != 1) & (x != -1)]
    if bad.numel() if isinstance(bad, torch.Tensor) else bad.size:
        values = sorted({float(v) for v in bad.reshape(-1)[:1000].tolist()})[:5]
        shown = ", ".join(format(v, "g") for v in values)
        raise ValueError(f"{name} must contain only +1 and -1; found values {{{shown}}}")


def _order(order: object) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise TypeError(f"order must be an integer ≥ 2, got {type(order).__name__} {order!r}")
    if order < 2:
        raise ValueError(f"order must be an integer ≥ 2 (2 = classical Hopfield), got {order}")
    return int(order)


def _square_weights(weights: object) -> np.ndarray:
    w = _validate.array("weights", weights, ndim=2, dims="(n, n)")
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"weights must be square (n, n), got shape {w.shape}")
    return w


def _states_for(
    name: str, states: object, n: int, other: str, allow_unknown: bool = False
) -> np.ndarray:
    """±1 states of shape (n,) or (batch, n) whose width matches ``n`` of ``other``.

    With ``allow_unknown``, 0 is accepted too: a neuron whose value the cue leaves open.
    """
    s = _validate.array(name, states, ndim=(1, 2), dims="(n,) or (batch, n)")
    if s.shape[-1] != n:
        raise ValueError(
            f"{name} must have n = {n} neurons in its last dimension to match {other}, "
            f"got shape {s.shape}"
        )
    if allow_unknown:
        bad = s[(s != 1) & (s != -1) & (s != 0)]
        if bad.size:
            shown = ", ".join(format(v, "g") for v in sorted(set(bad.tolist()))[:5])
            raise ValueError(f"{name} must contain only +1, -1 and 0 (unknown); found {shown}")
    else:
        _plus_minus_one(name, s)
    return s


def _sign(x: np.ndarray, zero: float = 0.0) -> np.ndarray:
    """sign with sign(0) = +1, as float64 ±1; values within ``zero`` of 0 count as 0."""
    return np.where(x >= -zero, 1.0, -1.0)


def _zero_field(w: np.ndarray) -> float:
    """Fields smaller than this are rounding noise around an exact zero.

    A field h_i = Σ_j W_ij s_j summed in floating point is off by at most about
    n · 1e-16 · Σ_j |W_ij|; 1e-10 · max_i Σ_j |W_ij| sits far above that and far below
    the smallest non-zero Hebbian field (1/n). Treating such fields as exactly zero makes
    ties resolve to +1 whatever the summation order (BLAS threads, machine), so seeded
    runs repeat exactly.
    """
    return 1e-10 * float(np.abs(w).sum(axis=1).max()) if w.size else 0.0


def _patterns_and_states(
    patterns: object, states: object, states_name: str = "states"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate torch (n_patterns, d) patterns and (d,) or (batch, d) states of one dtype."""
    x = _validate.tensor("patterns", patterns, ndim=2, floating=True, dims="(n_patterns, d)")
    s = _validate.tensor(states_name, states, ndim=(1, 2), floating=True, dims="(d,) or (batch, d)")
    if x.shape[0] == 0:
        raise ValueError("patterns must hold at least one pattern, got shape (0, d)")
    if s.shape[-1] != x.shape[-1]:
        raise ValueError(
            f"{states_name} and patterns must share the width d (last dimension), got "
            f"{states_name} {tuple(s.shape)} and patterns {tuple(x.shape)}"
        )
    if s.dtype != x.dtype:
        raise TypeError(
            f"{states_name} and patterns must have the same dtype, got {states_name} {s.dtype} "
            f"and patterns {x.dtype} — convert one with .to(other.dtype)"
        )
    return x, s


def _batch_size(batch_size: int | None, n_patterns: int) -> int:
    if batch_size is None:
        return max(1, _MAX_SCORES_PER_CHUNK // n_patterns)
    return _validate.positive_int("batch_size", batch_size)


# ----------------------------------------------------------------- patterns and cues


def random_patterns(n_patterns: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Independent random ±1 patterns, each entry +1 or -1 with probability ½.

    The unbiased random patterns of Hopfield (1982) and Amit, Gutfreund & Sompolinsky
    (1985), whose capacity analysis assumes them.

    Parameters
    ----------
    n_patterns : number of patterns.
    n : number of neurons (entries per pattern).
    rng : NumPy random generator, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    (n_patterns, n) float64 array of ±1. For the torch-based modern network convert it
    with ``torch.from_numpy(...)`` (float64) or ``.float()`` after that.

    Example
    -------
    >>> random_patterns(2, 5, np.random.default_rng(0)).shape
    (2, 5)
    """
    _validate.positive_int("n_patterns", n_patterns)
    _validate.positive_int("n", n)
    _validate.numpy_generator("rng", rng)
    return np.where(rng.random((n_patterns, n)) < 0.5, -1.0, 1.0)


def _n_flips(fraction: float, n: int) -> int:
    return round(fraction * n)


def flip(states: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Copy of ``states`` with exactly round(fraction · n) random entries per row flipped.

    The cue of a retrieval experiment: a stored pattern with a fraction of its neurons
    flipped (negated). Each row gets its own random set of positions, drawn without
    replacement, so the Hamming distance to the original is exactly
    k = round(fraction · n) (Python's ``round``: halves go to the even integer).
    NumPy version; :func:`flip_torch` is the torch twin.

    Parameters
    ----------
    states : (n,) or (batch, n) real array (usually ±1). Not modified.
    fraction : fraction of entries to flip, in [0, 1].
    rng : NumPy random generator.

    Returns
    -------
    float64 array of the same shape.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> x = random_patterns(3, 100, rng)
    >>> (flip(x, 0.1, rng) != x).sum(axis=1)
    array([10, 10, 10])
    """
    s = _validate.array("states", states, ndim=(1, 2), dims="(n,) or (batch, n)")
    fraction = _validate.fraction("fraction", fraction)
    _validate.numpy_generator("rng", rng)
    rows = np.atleast_2d(s).copy()  # (batch, n)
    k = _n_flips(fraction, rows.shape[1])
    where = rng.random(rows.shape).argsort(axis=1)[:, :k]  # (batch, k) distinct positions
    np.put_along_axis(rows, where, -np.take_along_axis(rows, where, axis=1), axis=1)
    return rows.reshape(s.shape)


def flip_torch(states: torch.Tensor, fraction: float, generator: torch.Generator) -> torch.Tensor:
    """Torch twin of :func:`flip`: exactly round(fraction · d) random entries per row negated.

    Parameters
    ----------
    states : (d,) or (batch, d) float tensor (usually ±1). Not modified.
    fraction : fraction of entries to flip, in [0, 1].
    generator : ``torch.Generator`` for the random positions (any device; the positions
        are moved to ``states.device``).

    Returns
    -------
    Tensor of the same shape, dtype and device.
    """
    s = _validate.tensor("states", states, ndim=(1, 2), floating=True, dims="(d,) or (batch, d)")
    fraction = _validate.fraction("fraction", fraction)
    if not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)), "
            f"got {type(generator).__name__}"
        )
    rows = s.reshape(-1, s.shape[-1]).clone()  # (batch, d)
    k = _n_flips(fraction, rows.shape[1])
    noise = torch.rand(rows.shape, generator=generator, device=generator.device)
    where = noise.argsort(dim=1)[:, :k].to(s.device)  # (batch, k) distinct positions
    rows.scatter_(1, where, -rows.gather(1, where))
    return rows.reshape(s.shape)


# ------------------------------------------------------------- classical Hopfield


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


def update_synchronous(weights: np.ndarray, states: np.ndarray) -> np.ndarray:
    """One synchronous update of every neuron: s ← sign(W s), sign(0) = +1 (Hopfield 1982).

    All neurons read the old state at once (Little's dynamics). Unlike the asynchronous
    update this can oscillate between two states (a 2-cycle), even with symmetric W.
    A field within 1e-10 · max_i Σ_j |W_ij| of zero counts as zero (→ +1): with Hebbian
    weights fields are multiples of 1/n, and exact ties should not depend on rounding.

    Parameters
    ----------
    weights : (n, n) real array; neuron i's field is h_i = Σ_j W_ij s_j.
    states : (n,) or (batch, n) array of ±1.

    Returns
    -------
    float64 array of ±1, same shape as ``states``.
    """
    w = _square_weights(weights)
    s = _states_for("states", states, w.shape[0], f"weights {w.shape}")
    return _sign(s @ w.T, _zero_field(w))  # row form of W s, batched


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
    Each cue stops as soon as a sweep leaves it unchanged; the result is then a fixed point
    of :func:`update_synchronous` too (every neuron agrees with the sign of its field).

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


def overlap(states: np.ndarray, patterns: np.ndarray) -> float | np.ndarray:
    """Overlap m = (1/n) Σ_i s_i ξ_i between each state and its pattern, row by row.

    m = 1 for perfect retrieval, m = -1 for the mirror image -ξ, m ≈ 0 (± 1/√n) for
    an unrelated pattern; m = 1 - 2 · (fraction of wrong bits) for ±1 states (Amit,
    Gutfreund & Sompolinsky 1985).

    Parameters
    ----------
    states : (n,) or (batch, n) real array.
    patterns : the same shape: row b of ``patterns`` is compared with row b of ``states``.

    Returns
    -------
    A float for 1-D inputs, a (batch,) float64 array for 2-D inputs.
    """
    s = _validate.array("states", states, ndim=(1, 2), dims="(n,) or (batch, n)")
    x = _validate.array("patterns", patterns, ndim=(1, 2), dims="(n,) or (batch, n)")
    if s.shape != x.shape:
        raise ValueError(
            f"states and patterns must have the same shape (row b of one is compared with "
            f"row b of the other), got states {s.shape} and patterns {x.shape}"
        )
    m = (s * x).mean(axis=-1)
    return float(m) if s.ndim == 1 else m


def capacity_curve(
    n: int,
    loads: Sequence[float],
    flip_fraction: float,
    rng: np.random.Generator,
    n_cues: int = 50,
    n_networks: int = 4,
    max_sweeps: int = 100,
) -> np.ndarray:
    """Mean retrieval overlap as a function of the load α = P / n (Amit et al. 1985).

    For each load α: store P = round(α n) random patterns (:func:`random_patterns`) with
    :func:`hebbian_weights`, cue with copies that have ``flip_fraction`` of their bits
    flipped (:func:`flip`; cue b comes from pattern b mod P), retrieve with asynchronous
    dynamics to a fixed point (:func:`retrieve_classical`) and average the final
    :func:`overlap` with the cued pattern. Repeated for ``n_networks`` independent sets of
    patterns per load, since near capacity one network's luck matters.

    Theory (n → ∞): retrieval states exist up to α_c ≈ 0.138 with m ≈ 0.97 at α_c;
    beyond it the cues fall to spurious (spin-glass) states, which at n of a few hundred
    keep an overlap of ≈ 0.3–0.5. At finite n the drop is smoothed, and single networks
    differ. Measured with this function (n = 500, 10 % flips,
    mean of 30 networks × 50 cues, network-to-network SD in brackets): 1.00 (0.00) at
    α = 0.05, 0.997 (0.002) at 0.10, 0.92 (0.02) at 0.14, 0.79 (0.05) at 0.16 and
    0.46 (0.04) at 0.20. The defaults (4 networks × 50 cues) take ~5 s for 8 loads at
    n = 500 on 2 CPU cores.

    Parameters
    ----------
    n : number of neurons.
    loads : sequence of loads α > 0 (each must give P = round(α n) ≥ 1).
    flip_fraction : fraction of bits flipped in each cue, in [0, 1].
    rng : NumPy random generator (patterns, flips and update orders).
    n_cues : cues per network.
    n_networks : independent networks (pattern sets) per load.
    max_sweeps : passed to :func:`retrieve_classical`.

    Returns
    -------
    (len(loads),) float64 array: the mean final overlap per load.

    Example
    -------
    >>> m = capacity_curve(200, [0.05, 0.25], 0.1, np.random.default_rng(0))
    >>> bool(m[0] > 0.99), bool(m[1] < 0.8)
    (True, True)
    """
    _validate.positive_int("n", n)
    flip_fraction = _validate.fraction("flip_fraction", flip_fraction)
    _validate.numpy_generator("rng", rng)
    _validate.positive_int("n_cues", n_cues)
    _validate.positive_int("n_networks", n_networks)
    if isinstance(loads, (str, bytes)) or not isinstance(loads, (Sequence, np.ndarray)):
        raise TypeError(f"loads must be a sequence of numbers, got {type(loads).__name__}")
    loads = [float(a) for a in loads]
    if not loads:
        raise ValueError("loads must hold at least one load α = P / n, got an empty sequence")
    for a in loads:
        if not (a > 0 and math.isfinite(a)) or round(a * n) < 1:
            raise ValueError(
                f"each load α must be positive with round(α · n) ≥ 1 stored pattern, got "
                f"α = {a} for n = {n}"
            )
    means = np.empty(len(loads))
    for k, alpha in enumerate(loads):
        n_patterns = round(alpha * n)
        m = []
        for _ in range(n_networks):
            patterns = random_patterns(n_patterns, n, rng)
            targets = patterns[np.arange(n_cues) % n_patterns]  # (n_cues, n)
            cues = flip(targets, flip_fraction, rng)
            final = retrieve_classical(hebbian_weights(patterns), cues, rng, max_sweeps)
            m.append(overlap(final, targets))
        means[k] = np.concatenate(m).mean()
    return means


# -------------------------------------------------------- dense associative memory


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


# ---------------------------------------------------------- modern Hopfield network


def modern_update(patterns: torch.Tensor, states: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """One modern Hopfield update ξ_new = X softmax(β Xᵀ ξ) (Ramsauer et al. 2021, Eq. 3).

    Written for row vectors: new_states = softmax(β · states Xᵀ) X, with the stored
    patterns as the rows of X. That is attention (Vaswani et al. 2017, Eq. 1) with
    query = states, key = value = patterns and scale = β — and it is computed here by
    calling :func:`brainformers.attention.scaled_dot_product_attention`, chapter 01's
    function, unchanged: one Hopfield update *is* one attention lookup.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor, the stored patterns X (keys = values).
    states : (d,) or (batch, d) float tensor of the same dtype, the state patterns ξ
        (queries).
    beta : inverse temperature β > 0: large β → the update returns the single closest
        pattern; small β → an average of many (all of them: the global fixed point).

    Returns
    -------
    Tensor shaped like ``states``: each row a convex combination of stored patterns.

    Example
    -------
    >>> x = torch.tensor([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0]])
    >>> modern_update(x, torch.tensor([1.0, 1.0, 1.0, 1.0]), beta=8.0).round(decimals=3)
    tensor([ 1., -1.,  1.,  1.])
    """
    x, s = _patterns_and_states(patterns, states)
    beta = _validate.positive_float("beta", beta)
    query = s.unsqueeze(0) if s.ndim == 1 else s  # (batch, d)
    new, _ = scaled_dot_product_attention(query=query, key=x, value=x, scale=beta)
    return new.reshape(s.shape)


def modern_retrieve(
    patterns: torch.Tensor,
    cues: torch.Tensor,
    beta: float = 1.0,
    batch_size: int | None = None,
) -> torch.Tensor:
    """One modern Hopfield update (:func:`modern_update`) for many cues, in chunks.

    The (batch, n_patterns) attention matrix of all cues at once would be large
    (5,000 cues × 100,000 patterns = 2 GB in float32), so cues are processed in chunks
    of ``batch_size``. Runs under ``torch.no_grad()``: this is evaluation, not learning.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    cues : (batch, d) float tensor of the same dtype.
    beta : inverse temperature β > 0.
    batch_size : cues per chunk; default keeps batch_size · n_patterns ≤ 2^22 scores
        (16 MB per score matrix in float32), e.g. 41 cues per chunk at 100,000 patterns.

    Returns
    -------
    (batch, d) tensor of retrieved (continuous) states; ``torch.sign`` them or use
    :func:`exact_retrieval_rate` to compare with ±1 targets.
    """
    x, c = _patterns_and_states(patterns, cues, "cues")
    if c.ndim != 2:
        raise ValueError(f"cues must have 2 dimensions (batch, d), got shape {tuple(c.shape)}")
    beta = _validate.positive_float("beta", beta)
    size = _batch_size(batch_size, x.shape[0])
    retrieved = torch.empty_like(c)
    with torch.no_grad():
        for i in range(0, c.shape[0], size):
            retrieved[i : i + size] = modern_update(x, c[i : i + size], beta)
    return retrieved


def exact_retrieval_rate(
    retrieved: np.ndarray | torch.Tensor, targets: np.ndarray | torch.Tensor
) -> float:
    """Fraction of rows whose sign(retrieved) equals the ±1 target in every entry.

    sign(0) = +1, as in the updates. Accepts two NumPy arrays or two torch tensors
    (so classical and modern results are scored by the same function).

    Parameters
    ----------
    retrieved : (batch, n) real array or tensor (continuous or ±1 states).
    targets : (batch, n) array or tensor of ±1.

    Returns
    -------
    A float in [0, 1].
    """
    if isinstance(retrieved, torch.Tensor) and isinstance(targets, torch.Tensor):
        r = _validate.tensor("retrieved", retrieved, ndim=2, floating=True, dims="(batch, n)")
        t = _validate.tensor("targets", targets, ndim=2, dims="(batch, n)")
    elif isinstance(retrieved, np.ndarray) and isinstance(targets, np.ndarray):
        r = _validate.array("retrieved", retrieved, ndim=2, dims="(batch, n)")
        t = _validate.array("targets", targets, ndim=2, dims="(batch, n)")
    else:
        raise TypeError(
            "retrieved and targets must both be numpy arrays or both torch tensors, got "
            f"{type(retrieved).__name__} and {type(targets).__name__}"
        )
    if tuple(r.shape) != tuple(t.shape):
        raise ValueError(
            f"retrieved and targets must have the same shape, got retrieved "
            f"{tuple(r.shape)} and targets {tuple(t.shape)}"
        )
    if r.shape[0] == 0:
        raise ValueError("retrieved must hold at least one row, got shape (0, n)")
    _plus_minus_one("targets", t)
    if isinstance(r, torch.Tensor):
        return (torch.where(r >= 0, 1.0, -1.0).to(t.dtype) == t).all(dim=1).double().mean().item()
    return float((_sign(r) == t).all(axis=1).mean())


def nearest_neighbour_retrieve(patterns: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """The stored pattern with the largest overlap with each cue: a lookup table.

    The control for one modern update at β = 1: for ±1 patterns the overlap x_μ·ξ is
    d − 2·Hamming(x_μ, ξ), so the best match is the nearest pattern in Hamming distance,
    and a large β turns the softmax into exactly this argmax (Ramsauer et al. 2021, the
    retrieval regime of their Theorem 4). Ties go to the first stored pattern. Cues are
    processed in chunks, so 1,000 cues against 100,000 patterns stay small in memory.

    Parameters
    ----------
    patterns : (n_patterns, d) ±1 array, the table.
    cues : (batch, d) real array.

    Returns
    -------
    (batch, d) float64 array: for each cue, a copy of its best-matching stored pattern.
    """
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, d)")
    c = _validate.array("cues", cues, ndim=2, dims="(batch, d)")
    if x.shape[1] != c.shape[1]:
        raise ValueError(
            f"patterns (n_patterns, d) and cues (batch, d) must share d, got "
            f"{tuple(x.shape)} and {tuple(c.shape)}"
        )
    size = _batch_size(None, x.shape[0])
    best = np.concatenate(
        [np.argmax(c[i : i + size] @ x.T, axis=1) for i in range(0, c.shape[0], size)]
    )
    return x[best].astype(np.float64)


def exact_capacity(
    d: int,
    rng: np.random.Generator,
    *,
    model: str = "modern",
    flip_fraction: float = 0.125,
    n_cues: int = 500,
    threshold: float = 0.99,
    beta: float = 1.0,
    max_patterns: int = 2**16,
) -> int:
    """Most random ±1 patterns of dimension d retrieved exactly from ≥ ``threshold`` of cues.

    P doubles (1, 2, 4, …) while one update of the ``"modern"`` network (β, Ramsauer et al.
    2021) or the fixed point of the ``"classical"`` one (Hebbian weights, asynchronous
    dynamics, Hopfield 1982) returns the stored pattern exactly for at least
    ``threshold`` of ``n_cues`` cues (stored patterns with round(flip_fraction · d)
    entries flipped, one cue per stored pattern, from as many freshly drawn networks as
    it takes to reach ``n_cues``). Returns the last
    P that passed, 0 if even one pattern fails, ``max_patterns`` if every P up to it
    passed. Keeping the flip *fraction* fixed across d (12.5 % is d/8, whole for
    d = 8, 16, 24, 32) is what makes capacities at different d comparable: the modern
    network's capacity grows exponentially with d (Demircigil et al. 2017; Ramsauer et al.
    2021, Theorem 3), the classical one's linearly (about 0.14 d for a small final error,
    less for exact recall; Amit, Gutfreund & Sompolinsky 1985).
    """
    d = _validate.positive_int("d", d)
    _validate.numpy_generator("rng", rng)
    if model not in ("modern", "classical"):
        raise ValueError(f'model must be "modern" or "classical", got {model!r}')
    flip_fraction = _validate.fraction("flip_fraction", flip_fraction)
    n_cues = _validate.positive_int("n_cues", n_cues)
    threshold = _validate.fraction("threshold", threshold)
    max_patterns = _validate.positive_int("max_patterns", max_patterns)
    passed, p = 0, 1
    while p <= max_patterns:
        hits, n = 0, 0
        while n < n_cues:  # fresh networks until n_cues cues: a rate, not one lucky draw
            stored = random_patterns(p, d, rng)
            targets = stored[: min(p, n_cues - n)]
            cues = flip(targets, flip_fraction, rng)
            if model == "modern":
                retrieved = modern_retrieve(torch.from_numpy(stored), torch.from_numpy(cues), beta)
                rate = exact_retrieval_rate(retrieved.numpy(), targets)
            else:
                retrieved = retrieve_classical(hebbian_weights(stored), cues, rng)
                rate = exact_retrieval_rate(retrieved, targets)
            hits, n = hits + rate * len(targets), n + len(targets)
        if hits / n < threshold:
            break
        passed, p = p, 2 * p
    return passed


def attention_entropy(
    patterns: torch.Tensor,
    states: torch.Tensor,
    beta: float,
    batch_size: int | None = None,
) -> float:
    """Mean entropy (nats) of the retrieval weights p = softmax(β states Xᵀ), one per state.

    H(p) = -Σ_μ p_μ ln p_μ measures how many stored patterns an update mixes: ≈ 0 when one
    pattern wins (large β, retrieval of a single memory), up to ln(n_patterns) when all are
    averaged equally (small β: the global fixed point of Ramsauer et al. 2021). e^H is
    the effective number of patterns mixed. The weights are those of
    :func:`brainformers.attention.scaled_dot_product_attention` with scale = β.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    states : (d,) or (batch, d) float tensor of the same dtype.
    beta : inverse temperature β > 0.
    batch_size : states per chunk (see :func:`modern_retrieve`).

    Returns
    -------
    The mean entropy over states, a float in [0, ln(n_patterns)].
    """
    x, s = _patterns_and_states(patterns, states)
    beta = _validate.positive_float("beta", beta)
    s = s.reshape(-1, s.shape[-1])  # (batch, d)
    size = _batch_size(batch_size, x.shape[0])
    total = 0.0
    with torch.no_grad():
        for i in range(0, s.shape[0], size):
            _, p = scaled_dot_product_attention(s[i : i + size], x, x, scale=beta)
            total += torch.special.entr(p).sum().item()  # entr(p) = -p ln p, entr(0) = 0
    return total / s.shape[0]


# ------------------------------------------------- two-layer network (Krotov & Hopfield 2021)


def _two_layer_inputs(
    patterns: object, v: object, h: object | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    x, v = _patterns_and_states(patterns, v, "v")
    if h is None:
        return x, v, None
    dims = "(n_patterns,) or (batch, n_patterns)"
    h = _validate.tensor("h", h, ndim=(1, 2), floating=True, dims=dims)
    want = (*v.shape[:-1], x.shape[0])
    if tuple(h.shape) != want:
        raise ValueError(
            f"h must have shape {want} (one memory neuron per stored pattern, batch as in v "
            f"{tuple(v.shape)}), got {tuple(h.shape)}"
        )
    if h.dtype != x.dtype:
        raise TypeError(f"h must have the dtype of patterns ({x.dtype}), got {h.dtype}")
    return x, v, h


def two_layer_step(
    patterns: torch.Tensor,
    v: torch.Tensor,
    h: torch.Tensor,
    beta: float,
    dt: float,
    tau_f: float,
    tau_h: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One Euler step of the two-layer associative memory of Krotov & Hopfield (2021).

    d feature neurons v (identity activation) and one memory neuron h_μ per stored pattern
    (softmax activation f(h) = softmax(β h)), joined only by pairwise synapses: ξ_μi from
    feature neuron i to memory neuron μ and back (their general dynamics with the
    Lagrangians of their "model B", L_v = ½ Σ v_i², L_h = (1/β) ln Σ_μ e^{β h_μ}, whose
    gradients are the two activation functions):

        τ_f dv/dt = Xᵀ f(h) - v        (features are driven by the active memories)
        τ_h dh/dt = X v - h            (memories are driven by their match with v)

    In row form: v ← v + (dt/τ_f)(softmax(β h) X - v), h ← h + (dt/τ_h)(v Xᵀ - h), both
    from the old (v, h). The leak terms alone are stable for dt < 2 min(τ_f, τ_h); use
    dt ≲ τ_h / 2 (the defaults of :func:`two_layer_run`: dt = 0.02, τ_h = 0.1).

    **Fast memory neurons give the modern update.** As τ_h → 0, h follows its input
    instantly, h = X v; one Euler step with dt = τ_f then gives
    v ← v + (Xᵀ softmax(β X v) - v) = Xᵀ softmax(β X v) — exactly :func:`modern_update`
    (Ramsauer et al. 2021, Eq. 3). Here that is ``two_layer_step(X, v, v @ X.T, β, dt=τ_f,
    tau_f=τ_f, tau_h=...)``: the new v does not depend on τ_h.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor, the synapses ξ.
    v : (d,) or (batch, d) float tensor, feature neurons.
    h : (n_patterns,) or (batch, n_patterns) float tensor, memory neurons.
    beta : inverse temperature β > 0 of the memory neurons' softmax.
    dt, tau_f, tau_h : time step and time constants (same units, e.g. ms), all > 0.

    Returns
    -------
    (v_new, h_new), shaped like (v, h).
    """
    x, v, h = _two_layer_inputs(patterns, v, h)
    if h is None:
        raise TypeError("h must be a tensor of memory-neuron states, got None")
    beta = _validate.positive_float("beta", beta)
    dt = _validate.positive_float("dt", dt)
    tau_f = _validate.positive_float("tau_f", tau_f)
    tau_h = _validate.positive_float("tau_h", tau_h)
    f = torch.softmax(beta * h, dim=-1)  # (..., n_patterns), memory neurons' activity
    v_new = v + (dt / tau_f) * (f @ x - v)  # Xᵀ f(h) in row form
    h_new = h + (dt / tau_h) * (v @ x.T - h)  # X v in row form
    return v_new, h_new


def two_layer_energy(
    patterns: torch.Tensor, v: torch.Tensor, h: torch.Tensor, beta: float
) -> float | torch.Tensor:
    """Lyapunov energy of the two-layer network (Krotov & Hopfield 2021, model B).

    E = [v·g - L_v] + [h·f - L_h] - fᵀ X g with g = v, f = softmax(β h),
    L_v = ½|v|², L_h = (1/β) ln Σ_μ e^{β h_μ}, i.e.

        E(v, h) = ½|v|² + f·h - (1/β) ln Σ_μ e^{β h_μ} - f·(X v).

    Along the continuous dynamics of :func:`two_layer_step`,
    dE/dt = -τ_f |dv/dt|² - τ_h (dh/dt)ᵀ H (dh/dt) ≤ 0, with H = β(diag f - f fᵀ) the
    (positive semi-definite) Hessian of L_h, so E never increases (for small Euler steps,
    up to O(dt²)). When h = X v (memories at equilibrium) E reduces to
    ½|v|² - (1/β) ln Σ_μ e^{β ξ_μ·v}, the modern Hopfield energy of Ramsauer et al.
    (2021, Eq. 2) up to constants.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    v : (d,) or (batch, d) float tensor.
    h : (n_patterns,) or (batch, n_patterns) float tensor.
    beta : β > 0.

    Returns
    -------
    A float for one state, a (batch,) tensor for a batch.
    """
    x, v, h = _two_layer_inputs(patterns, v, h)
    if h is None:
        raise TypeError("h must be a tensor of memory-neuron states, got None")
    beta = _validate.positive_float("beta", beta)
    f = torch.softmax(beta * h, dim=-1)
    e = (
        0.5 * (v * v).sum(-1)
        + (f * h).sum(-1)
        - torch.logsumexp(beta * h, dim=-1) / beta
        - (f * (v @ x.T)).sum(-1)
    )
    return float(e) if v.ndim == 1 else e


class TwoLayerRun(NamedTuple):
    """Result of :func:`two_layer_run`.

    v : final feature neurons, shaped like ``v0``.
    h : final memory neurons, (n_patterns,) or (batch, n_patterns).
    energy : (n_steps + 1,) or (n_steps + 1, batch), :func:`two_layer_energy` at the start
        and after every step.
    """

    v: torch.Tensor
    h: torch.Tensor
    energy: torch.Tensor


def two_layer_run(
    patterns: torch.Tensor,
    v0: torch.Tensor,
    beta: float,
    dt: float = 0.02,
    tau_f: float = 1.0,
    tau_h: float = 0.1,
    n_steps: int = 1000,
    h0: torch.Tensor | None = None,
) -> TwoLayerRun:
    """Integrate the two-layer network of Krotov & Hopfield (2021) from a cue v0.

    Repeats :func:`two_layer_step` ``n_steps`` times (time T = n_steps · dt; the default
    T = 20 τ_f). At a fixed point both derivatives vanish: h* = X v* and
    v* = Xᵀ f(h*), hence

        v* = Xᵀ softmax(β X v*)

    — a fixed point of the modern Hopfield update (:func:`modern_update`). The network
    therefore retrieves what the modern network retrieves (by iterating its update until
    it stops moving), using only pairwise synapses: the many-body interactions of the
    dense/modern energy come from integrating out the memory neurons.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    v0 : (d,) or (batch, d) float tensor, the cue placed on the feature neurons.
    beta : β > 0.
    dt, tau_f, tau_h : Euler step and time constants (> 0); keep dt ≲ τ_h / 2.
    n_steps : number of Euler steps.
    h0 : initial memory neurons; default X v0 (the memory neurons already driven by the
        cue).

    Returns
    -------
    :class:`TwoLayerRun` (v, h, energy); ``energy`` is non-increasing up to O(dt²)
    integration error.

    Example
    -------
    >>> x = torch.from_numpy(random_patterns(20, 64, np.random.default_rng(0)))
    >>> cue = flip_torch(x[3], 0.1, torch.Generator().manual_seed(0))
    >>> bool((two_layer_run(x, cue, beta=1.0).v.sign() == x[3]).all())
    True
    """
    x, v, h = _two_layer_inputs(patterns, v0, h0)
    beta = _validate.positive_float("beta", beta)
    for name, value in (("dt", dt), ("tau_f", tau_f), ("tau_h", tau_h)):
        _validate.positive_float(name, value)
    _validate.positive_int("n_steps", n_steps)
    if h is None:
        h = v @ x.T
    energies = [two_layer_energy(x, v, h, beta)]
    for _ in range(n_steps):
        v, h = two_layer_step(x, v, h, beta, dt, tau_f, tau_h)
        energies.append(two_layer_energy(x, v, h, beta))
    energy = torch.tensor(energies, dtype=x.dtype) if v.ndim == 1 else torch.stack(energies)
    return TwoLayerRun(v, h, energy)


# ------------------------------------------------------------------ image cues


def mask_lower_half(images: np.ndarray, height: int) -> np.ndarray:
    """Hide the lower half of flattened images: the partial cue of pattern completion.

    Parameters
    ----------
    images : (n_images, height · width) array, each row an image flattened row by row
        (NumPy's default order), with ±1 pixels.
    height : number of pixel rows per image; must be even.

    Returns
    -------
    A copy with the pixels of rows height/2 … height-1 set to 0: "unknown", a value that
    pulls a ±1 network neither way, so retrieval must fill them in from the top half.
    """
    x = _validate.array("images", images, ndim=2, dims="(n_images, height * width)")
    _validate.positive_int("height", height)
    if height % 2 or x.shape[1] % height:
        raise ValueError(
            f"height must be even and divide the pixels per image, got height={height} for "
            f"images of {x.shape[1]} pixels"
        )
    width = x.shape[1] // height
    masked = x.copy()
    masked[:, (height // 2) * width :] = 0.0
    return masked
