"""Input checks shared by the grid-cell modules: numbers, points, paths, spike trains.

Every message says what was expected and what came; units are cm and s (see
:mod:`brainformers.grid`).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate

# Positions this far outside [0, arena_size] (relative to arena_size) still count as inside:
# the rounding error of a metres → cm conversion, not a wrong unit.
_EDGE_TOLERANCE = 1e-9


def _non_negative_float(name: str, value: object) -> float:
    """A finite number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0.0 <= float(value) < math.inf:  # also rejects NaN
        raise ValueError(f"{name} must be zero or positive and finite, got {value!r}")
    return float(value)


def _finite_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _point(name: str, value: object) -> np.ndarray:
    """A point (x, y) in cm given as a length-2 sequence or array."""
    if isinstance(value, (list, tuple)):
        value = np.asarray(value, dtype=float)
    p = _validate.array(name, value, ndim=1, dims="(2,) = (x, y) in cm")
    if p.shape != (2,):
        raise ValueError(f"{name} must be a point (x, y) in cm of shape (2,), got shape {p.shape}")
    return p


def _positions(positions: object) -> np.ndarray:
    p = _validate.array("positions", positions, ndim=2, dims="(n_samples, 2)")
    if p.shape[1] != 2:
        raise ValueError(
            f"positions must have shape (n_samples, 2) with columns (x, y) in cm, "
            f"got shape {p.shape}"
        )
    if p.shape[0] == 0:
        raise ValueError("positions must hold at least one sample, got shape (0, 2)")
    return p


def _inside_arena(p: np.ndarray, arena_size: float) -> None:
    """Raise when any position lies outside [0, arena_size]², saying how many and where."""
    tol = _EDGE_TOLERANCE * arena_size
    outside = ((p < -tol) | (p > arena_size + tol)).any(axis=1)
    n_out = int(outside.sum())
    if n_out:
        (x_lo, y_lo), (x_hi, y_hi) = p.min(axis=0), p.max(axis=0)
        raise ValueError(
            f"positions must lie inside the arena [0, {arena_size:g}] cm in x and y; "
            f"{n_out} of {len(p)} samples lie outside (x from {x_lo:g} to {x_hi:g}, "
            f"y from {y_lo:g} to {y_hi:g}) — positions and arena_size must both be in cm "
            f"(RatInABox gives metres: multiply by 100)"
        )


def _n_bins(arena_size: float, bin_size: float) -> int:
    """Number of bins per side; arena_size must hold a whole number of bins."""
    ratio = arena_size / bin_size
    n = round(ratio)
    if n < 1 or abs(ratio - n) > 1e-6 * max(1.0, ratio):
        hint = (
            f" (arena_size = {arena_size:g} cm looks like metres: pass 100 × the size in m)"
            if arena_size < 10
            else f" — e.g. bin_size = {arena_size / max(1, n):g} cm gives {max(1, n)} bins"
        )
        raise ValueError(
            f"arena_size / bin_size must be a whole number of bins, got "
            f"{arena_size:g} cm / {bin_size:g} cm = {ratio:g}{hint}"
        )
    return n


def _spikes_for(spikes: object, n_samples: int) -> np.ndarray:
    s = _validate.array("spikes", spikes, ndim=1, dims="(n_samples,)")
    if s.shape[0] != n_samples:
        raise ValueError(
            f"spikes must have one count per position sample: positions has n_samples = "
            f"{n_samples}, spikes has shape {s.shape}"
        )
    n_negative = int((s < 0).sum())
    if n_negative:
        raise ValueError(
            f"spikes must be non-negative counts per sample; {n_negative} are negative "
            f"(smallest {s.min():g})"
        )
    return s
