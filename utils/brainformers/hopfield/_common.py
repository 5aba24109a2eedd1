"""Private helpers shared by the Hopfield modules: input checks, the sign rule, chunk sizes."""

from __future__ import annotations

import numpy as np
import torch

from .. import _validate

# Scores held at once by the chunked modern retrieval: batch_size · n_patterns ≤ this
# (2^22 scores = 16 MB in float32, 32 MB in float64 per (batch, n_patterns) matrix).
_MAX_SCORES_PER_CHUNK = 2**22


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
