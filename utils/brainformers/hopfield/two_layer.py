"""The two-layer associative memory of Krotov & Hopfield (2021): pairwise synapses only."""

from __future__ import annotations

from typing import NamedTuple

import torch

from .. import _validate
from ._common import _patterns_and_states


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
    gradients are the two activation functions). With X the (n_patterns, d) matrix
    ``patterns`` (stored patterns as rows, the chapter's convention) and v, h as columns:

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
    >>> import numpy as np
    >>> from brainformers.hopfield import flip_torch, random_patterns
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
