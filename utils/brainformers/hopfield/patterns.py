"""Random ±1 patterns, corrupted cues, and the scores of a retrieval (overlap, exact rate)."""

from __future__ import annotations

import numpy as np
import torch

from .. import _validate
from ._common import _plus_minus_one, _sign


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
