"""Capacity measurements: the classical overlap against load, exact capacity against d."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from .. import _validate
from .classical import hebbian_weights, retrieve_classical
from .lookup import nearest_neighbour_retrieve
from .modern import modern_retrieve
from .patterns import exact_retrieval_rate, flip, overlap, random_patterns


def capacity_curve(
    n: int,
    loads: Sequence[float],
    flip_fraction: float,
    rng: np.random.Generator,
    n_cues: int = 50,
    n_networks: int = 4,
    max_sweeps: int = 100,
) -> np.ndarray:
    """Retrieval overlap of each network as a function of the load α = P / n (Amit et al. 1985).

    For each load α: store P = round(α n) random patterns (:func:`random_patterns`) with
    :func:`hebbian_weights`, cue with copies that have ``flip_fraction`` of their bits
    flipped (:func:`flip`; cue b comes from pattern b mod P), retrieve with asynchronous
    dynamics to a fixed point (:func:`retrieve_classical`) and average the final
    :func:`overlap` with the cued pattern over the ``n_cues`` cues. Repeated for
    ``n_networks`` independent sets of patterns per load, and returned per network,
    because near capacity networks differ: the spread across them is part of the result.

    Theory (n → ∞): retrieval states exist up to α_c ≈ 0.138, with m ≈ 0.97 at α_c;
    beyond it the cues fall into spurious (spin-glass) states with a much lower overlap.
    At finite n the drop is smoothed, and single networks differ; the tests and the
    chapter measure by how much.

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
    (len(loads), n_networks) float64 array: the mean final overlap of each network's
    cues, per load; ``.mean(axis=1)`` is the curve, ``.std(axis=1)`` its spread.

    Example
    -------
    >>> m = capacity_curve(200, [0.05, 0.25], 0.1, np.random.default_rng(0)).mean(axis=1)
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
    means = np.empty((len(loads), n_networks))
    for k, alpha in enumerate(loads):
        n_patterns = round(alpha * n)
        for j in range(n_networks):
            patterns = random_patterns(n_patterns, n, rng)
            targets = patterns[np.arange(n_cues) % n_patterns]  # (n_cues, n)
            cues = flip(targets, flip_fraction, rng)
            final = retrieve_classical(hebbian_weights(patterns), cues, rng, max_sweeps)
            means[k, j] = overlap(final, targets).mean()
    return means


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
    2021), the fixed point of the ``"classical"`` one (Hebbian weights, asynchronous
    dynamics, Hopfield 1982) or the ``"lookup"`` control (the nearest stored pattern,
    ties broken at random: :func:`.lookup.nearest_neighbour_retrieve`; see
    :func:`lookup_capacity`) returns the stored pattern exactly for at least
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
    if model not in ("modern", "classical", "lookup"):
        raise ValueError(f'model must be "modern", "classical" or "lookup", got {model!r}')
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
            elif model == "lookup":
                retrieved = nearest_neighbour_retrieve(stored, cues, rng)
                rate = exact_retrieval_rate(retrieved, targets)
            else:
                retrieved = retrieve_classical(hebbian_weights(stored), cues, rng)
                rate = exact_retrieval_rate(retrieved, targets)
            hits, n = hits + rate * len(targets), n + len(targets)
        if hits / n < threshold:
            break
        passed, p = p, 2 * p
    return passed


def lookup_capacity(
    d: int,
    rng: np.random.Generator,
    *,
    flip_fraction: float = 0.125,
    n_cues: int = 500,
    threshold: float = 0.99,
    max_patterns: int = 2**16,
) -> int:
    """:func:`exact_capacity` of the lookup table: the capacity of the code itself.

    The same protocol as the modern network's (P doubling, fresh networks until
    ``n_cues`` cues, ``flip_fraction`` of the bits flipped, exact retrieval from at least
    ``threshold`` of the cues), with the nearest stored pattern as the answer and ties
    broken uniformly at random (:func:`.lookup.nearest_neighbour_retrieve`). On random
    ±1 patterns a nearest-neighbour decoder's capacity grows exponentially with d too:
    it is what the code allows, the yardstick for any memory that stores the patterns.
    """
    return exact_capacity(
        d,
        rng,
        model="lookup",
        flip_fraction=flip_fraction,
        n_cues=n_cues,
        threshold=threshold,
        max_patterns=max_patterns,
    )
