"""Rate maps: time spent and spikes fired per spatial bin, smoothed and divided.

:func:`bin_centres`, :func:`occupancy_map`, :func:`rate_map` (occupancy-normalised, Gaussian
smoothing of spike and occupancy maps separately, unvisited bins NaN; Hafting et al. 2005,
Sargolini et al. 2006). Units and map layout as in :mod:`brainformers.grid`.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .. import _validate
from ._inputs import _inside_arena, _n_bins, _non_negative_float, _positions, _spikes_for

__all__ = ["bin_centres", "occupancy_map", "rate_map"]


def _bin_index(p: np.ndarray, arena_size: float, n_bins: int) -> np.ndarray:
    """Flat bin index row · n_bins + col (row = y bin, col = x bin) of each sample."""
    ij = np.floor(p * (n_bins / arena_size)).astype(np.int64)  # (n_samples, 2) = (x bin, y bin)
    np.clip(ij, 0, n_bins - 1, out=ij)  # x = arena_size falls in the last bin
    return ij[:, 1] * n_bins + ij[:, 0]


def _smooth(m: np.ndarray, sigma_bins: float) -> np.ndarray:
    if sigma_bins == 0:
        return m
    return ndimage.gaussian_filter(m, sigma_bins, mode="constant", cval=0.0)


def _rate_from_counts(
    spike_counts: np.ndarray, occupancy: np.ndarray, smoothed_occupancy: np.ndarray, sigma: float
) -> np.ndarray:
    """Smoothed spikes / smoothed occupancy; NaN where the animal never went."""
    rate = np.full(occupancy.shape, np.nan)
    visited = occupancy > 0
    rate[visited] = _smooth(spike_counts, sigma)[visited] / smoothed_occupancy[visited]
    return rate


def bin_centres(arena_size: float, bin_size: float = 2.5) -> np.ndarray:
    """Centres (cm) of the bins along one side of the arena, as used by :func:`rate_map`.

    Parameters
    ----------
    arena_size : side of the square arena, cm; a whole number of ``bin_size``.
    bin_size : side of a square bin, cm.

    Returns
    -------
    (n_bins,) float64 array, (k + ½) · bin_size for k = 0 … n_bins - 1: the x coordinates of
    a map's columns and the y coordinates of its rows.

    Example
    -------
    >>> bin_centres(10.0, 2.5)
    array([1.25, 3.75, 6.25, 8.75])
    """
    arena_size = _validate.positive_float("arena_size", arena_size)
    bin_size = _validate.positive_float("bin_size", bin_size)
    n = _n_bins(arena_size, bin_size)
    return (np.arange(n) + 0.5) * (arena_size / n)


def occupancy_map(
    positions: np.ndarray, arena_size: float, *, dt: float, bin_size: float = 2.5
) -> np.ndarray:
    """Time spent in each spatial bin (s), unsmoothed: the denominator of a rate map.

    T(bin) = dt · #{t : position_t in bin}.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y) in cm, inside [0, arena_size]².
    arena_size : side of the square arena, cm.
    dt : sampling interval of ``positions``, s.
    bin_size : side of a square bin, cm; ``arena_size`` must hold a whole number of them.

    Returns
    -------
    (n_bins, n_bins) float64 array of seconds, indexed [y bin, x bin]; 0 where never visited.
    """
    p = _positions(positions)
    arena_size = _validate.positive_float("arena_size", arena_size)
    dt = _validate.positive_float("dt", dt)
    bin_size = _validate.positive_float("bin_size", bin_size)
    n = _n_bins(arena_size, bin_size)
    _inside_arena(p, arena_size)
    counts = np.bincount(_bin_index(p, arena_size, n), minlength=n * n)
    return (counts * dt).reshape(n, n)


def rate_map(
    positions: np.ndarray,
    spikes: np.ndarray,
    arena_size: float,
    *,
    dt: float,
    bin_size: float = 2.5,
    smoothing: float = 2.5,
) -> np.ndarray:
    """Occupancy-normalised firing-rate map (Hz) of one neuron.

    The kernel estimate used throughout the grid-cell literature (e.g. Hafting et al. 2005,
    Sargolini et al. 2006, with a Gaussian kernel): the spike-count map S and the occupancy
    map T are smoothed by the same Gaussian G (standard deviation ``smoothing``) and divided,

        λ(bin) = (G * S)(bin) / (G * T)(bin),
        S(bin) = Σ_{t: x_t in bin} spikes_t,   T(bin) = dt · #{t : x_t in bin}.

    Smoothing the two maps separately (rather than the raw ratio S / T) weighs each bin by
    the time spent there, so a bin crossed once for 20 ms does not dominate its neighbours;
    a neuron firing at a constant rate gives a constant map. Zero padding outside the arena
    enters both numerator and denominator, so the walls do not bias the rate.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y) in **cm**, inside [0, arena_size]²
        (RatInABox's metres × 100).
    spikes : (n_samples,) non-negative spike counts, the spikes fired during each sample.
        Need not be integers: expected counts rate · dt give a noise-free map.
    arena_size : side of the square arena [0, arena_size]², cm.
    dt : sampling interval of ``positions`` and ``spikes``, s (keyword-only and without a
        default on purpose: RatInABox's default is 0.01 s, the Sargolini recording 0.02 s,
        and a wrong dt scales every rate).
    bin_size : side of a square bin, cm; ``arena_size`` must hold a whole number of bins
        (the default gives a 40 × 40 map of a 1 m box).
    smoothing : standard deviation of the Gaussian kernel, cm (default one 2.5 cm bin); 0 for
        none. More smoothing steadies sparse maps but widens the null (:func:`shuffle_null`).

    Returns
    -------
    (n_bins, n_bins) float64 array of rates in Hz, indexed [y bin, x bin]; NaN in bins the
    animal never visited (no division by zero, no invented zeros).

    Example
    -------
    >>> xy = np.random.default_rng(0).uniform(0, 100, (5000, 2))
    >>> m = rate_map(xy, np.full(5000, 0.02), 100.0, dt=0.01)   # 2 Hz everywhere
    >>> m.shape, bool(np.allclose(m[~np.isnan(m)], 2.0))
    ((40, 40), True)
    """
    p = _positions(positions)
    s = _spikes_for(spikes, p.shape[0])
    arena_size = _validate.positive_float("arena_size", arena_size)
    dt = _validate.positive_float("dt", dt)
    bin_size = _validate.positive_float("bin_size", bin_size)
    smoothing = _non_negative_float("smoothing", smoothing)
    n = _n_bins(arena_size, bin_size)
    _inside_arena(p, arena_size)
    index = _bin_index(p, arena_size, n)
    occupancy = (np.bincount(index, minlength=n * n) * dt).reshape(n, n)  # s
    counts = np.bincount(index, weights=s, minlength=n * n).reshape(n, n)  # spikes
    sigma = smoothing / (arena_size / n)  # bins
    return _rate_from_counts(counts, occupancy, _smooth(occupancy, sigma), sigma)
