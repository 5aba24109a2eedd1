"""Grid cells, measured honestly: the reference implementations of chapter 04.

From a trajectory and a spike train to a verdict "grid cell or not":

* rate maps — :func:`occupancy_map`, :func:`rate_map` (occupancy-normalised, Gaussian
  smoothing of spike and occupancy maps separately, unvisited bins NaN), :func:`bin_centres`;
* the spatial autocorrelogram (Hafting et al. 2005; Sargolini et al. 2006), computed for
  all lags at once with FFTs — :func:`autocorrelogram`;
* the gridness score (Sargolini et al. 2006; Banino et al. 2018): correlations of the
  autocorrelogram with its rotations by 30°, 60°, 90°, 120°, 150° inside a ring around the
  central peak — :func:`gridness`, with its parts :func:`ring_radii` and
  :func:`rotational_correlations`;
* the honest controls — a shuffle null (the spike train shifted in time along the path,
  :func:`shuffle_null`, :func:`null_threshold`) and a diversity check across units (a
  population of identical maps is a collapse, not a discovery: :func:`map_similarity`,
  :func:`median_similarity`, :func:`is_collapsed`);
* idealised cells for checks and controls — :func:`grid_field` (three plane waves,
  Solstad et al. 2006), :func:`band_field`, :func:`place_field`, and
  :func:`poisson_spikes`.

Conventions
-----------
Units: **positions, arena size, bin size, smoothing width, grid spacing and field widths in
cm**; times and sampling intervals in s; rates in Hz (spikes per second); angles (grid
orientation, rotation angles) in degrees; radii on an autocorrelogram in bins (lag bins;
multiply by ``bin_size`` for cm). RatInABox works in metres: pass ``positions * 100`` and
``arena_size = 100 * extent_in_m``.

The arena is the square [0, arena_size] × [0, arena_size]; ``positions[:, 0]`` is x and
``positions[:, 1]`` is y. Maps are indexed **rate_map[row, col] = rate_map[y bin, x bin]**,
row 0 at y = 0 — so ``plt.imshow(m, origin="lower", extent=(0, L, 0, L))`` draws them the
right way up. An autocorrelogram of an (H, W) map has shape (2H - 1, 2W - 1), its centre
(zero lag) at index (H - 1, W - 1), rows = y lag, columns = x lag.

Dimension names: ``n_samples`` (time steps of a trajectory), ``n_units`` (neurons),
``n_bins`` (bins per side of a square map), ``n_shuffles``. Missing values: a map bin the
animal never visited is NaN, never 0 — no rate is known there — and every function that
takes maps ignores NaN bins rather than dividing by zero. Random numbers come from an
explicit :class:`numpy.random.Generator`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import fft, ndimage

from . import _validate

__all__ = [
    "bin_centres",
    "occupancy_map",
    "rate_map",
    "autocorrelogram",
    "ring_radii",
    "rotational_correlations",
    "gridness",
    "ROTATION_ANGLES",
    "grid_field",
    "band_field",
    "place_field",
    "poisson_spikes",
    "shuffle_null",
    "null_threshold",
    "map_similarity",
    "median_similarity",
    "is_collapsed",
]

#: Rotation angles (degrees) of the gridness score, in the order
#: :func:`rotational_correlations` returns them: 60° and 120° are the hexagonal symmetries,
#: 30°, 90° and 150° the angles where a hexagonal pattern is least like itself.
ROTATION_ANGLES: tuple[float, ...] = (30.0, 60.0, 90.0, 120.0, 150.0)

# Positions this far outside [0, arena_size] (relative to arena_size) still count as inside:
# the rounding error of a metres → cm conversion, not a wrong unit.
_EDGE_TOLERANCE = 1e-9
# A rotated bin counts as valid when its interpolated validity mask is at least this (all
# four interpolation neighbours valid; 1 up to rounding).
_FULLY_VALID = 1.0 - 1e-9
# Fewest bins in the ring for one rotational correlation; fewer gives NaN.
_MIN_RING_BINS = 6


# ------------------------------------------------------------------ private checks


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


# ----------------------------------------------------------------------- rate maps


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


# -------------------------------------------------------------- autocorrelogram


def autocorrelogram(rate_map: np.ndarray, *, min_overlap: int = 20) -> np.ndarray:
    """Spatial autocorrelogram: Pearson correlation of a map with itself at every 2-D lag.

    Hafting et al. (2005, Methods; used by Sargolini et al. 2006): for a lag (τx, τy),
    over the n bins where both λ(x, y) and λ(x + τx, y + τy) are known,

        r(τx, τy) = [n Σ λ₁λ₂ - Σ λ₁ Σ λ₂]
                    / (√[n Σ λ₁² - (Σ λ₁)²] · √[n Σ λ₂² - (Σ λ₂)²]),

    λ₁ = λ(x, y), λ₂ = λ(x + τx, y + τy). NaN (unvisited) bins are masked out: with the
    validity mask M and X = λ · M, each of the six sums is a cross-correlation
    (n = M ⋆ M, Σ λ₁ = X ⋆ M, Σ λ₁λ₂ = X ⋆ X, Σ λ₁² = X² ⋆ M, …), and all of them, for all
    (2H - 1)(2W - 1) lags at once, come from zero-padded FFTs — O(HW log HW) instead of the
    O(H²W²) double loop. The map's mean is subtracted first (r does not change) to keep the
    sums of squares free of cancellation error.

    Parameters
    ----------
    rate_map : (H, W) map, rows = y bins, columns = x bins; NaN marks unvisited bins.
    min_overlap : lags where fewer than this many bins overlap are NaN (their correlation
        rests on too few bins to mean anything; 20 is a common choice).

    Returns
    -------
    (2H - 1, 2W - 1) float64 array in [-1, 1]; element [H - 1 + τy, W - 1 + τx] is r at lag
    (τx, τy), so the centre is r(0, 0) = 1. NaN where the overlap is below ``min_overlap``
    or either side is constant (zero variance). A map with no variance at all (a silent
    neuron) gives all NaN. Point-symmetric: r(τ) = r(-τ).
    """
    m = _validate.array(
        "rate_map", rate_map, ndim=2, dims="(H, W) = (y bins, x bins)", allow_nan=True
    )
    min_overlap = _validate.positive_int("min_overlap", min_overlap)
    h, w = m.shape
    if h == 0 or w == 0:
        raise ValueError(f"rate_map must have at least one bin per side, got shape {m.shape}")
    out_shape = (2 * h - 1, 2 * w - 1)
    valid = ~np.isnan(m)
    if valid.sum() < 2:
        return np.full(out_shape, np.nan)
    x = np.where(valid, m - m[valid].mean(), 0.0)  # (H, W), centred, 0 at NaN
    mask = valid.astype(np.float64)
    shape = tuple(fft.next_fast_len(k, real=True) for k in out_shape)  # no circular wrap
    f_x, f_m, f_xx = (fft.rfft2(a, shape) for a in (x, mask, x * x))

    def cross(f_a: np.ndarray, f_b: np.ndarray) -> np.ndarray:
        """Σ_p a(p) b(p + τ) for every lag τ, centred at [H - 1, W - 1]."""
        c = fft.irfft2(np.conj(f_a) * f_b, shape)
        return np.roll(c, (h - 1, w - 1), axis=(0, 1))[: out_shape[0], : out_shape[1]]

    n = np.rint(cross(f_m, f_m))  # overlapping valid bins
    s1, s2 = cross(f_x, f_m), cross(f_m, f_x)  # Σ λ₁, Σ λ₂
    s11, s22 = cross(f_xx, f_m), cross(f_m, f_xx)  # Σ λ₁², Σ λ₂²
    s12 = cross(f_x, f_x)  # Σ λ₁ λ₂
    var1 = n * s11 - s1 * s1
    var2 = n * s22 - s2 * s2
    # FFT rounding is ~1e-16 of the largest sum; variances below this are zero.
    zero = 1e-10 * float(np.max(n * s11))
    ok = (n >= min_overlap) & (var1 > zero) & (var2 > zero)
    r = np.full(out_shape, np.nan)
    r[ok] = (n[ok] * s12[ok] - s1[ok] * s2[ok]) / np.sqrt(var1[ok] * var2[ok])
    np.clip(r, -1.0, 1.0, out=r)
    return r


# ---------------------------------------------------------------------- gridness


def _autocorr(autocorr: object) -> np.ndarray:
    """An autocorrelogram: 2-D, odd sides (a centre bin), centre value 1 or NaN."""
    a = _validate.array("autocorr", autocorr, ndim=2, dims="(2H - 1, 2W - 1)", allow_nan=True)
    if a.shape[0] % 2 == 0 or a.shape[1] % 2 == 0:
        raise ValueError(
            f"autocorr must be a spatial autocorrelogram of shape (2H - 1, 2W - 1) with a "
            f"centre bin (odd sides), got shape {a.shape} — did you pass the rate map? "
            f"Use autocorrelogram(rate_map) first"
        )
    centre = a[a.shape[0] // 2, a.shape[1] // 2]
    if not np.isnan(centre) and abs(centre - 1.0) > 1e-6:
        raise ValueError(
            f"autocorr must be a normalised autocorrelogram with r = 1 at zero lag (its "
            f"centre), got {centre:g} at the centre — pass autocorrelogram(rate_map), not "
            f"the rate map or an unnormalised correlation"
        )
    return a


def _distance_from_centre(shape: tuple[int, int]) -> np.ndarray:
    """Distance (bins) of each element from the centre element of an odd-sided array."""
    rows, cols = np.indices(shape)
    return np.hypot(rows - shape[0] // 2, cols - shape[1] // 2)


def _max_radius(shape: tuple[int, int]) -> int:
    """Largest ring radius that fits inside the autocorrelogram."""
    return min(shape[0] // 2, shape[1] // 2)


def _central_radius(a: np.ndarray, distance: np.ndarray) -> int | None:
    """Radius (bins) of the central peak: where the radial mean first turns down for good.

    The first integer radius r ≥ 1 at which the mean autocorrelation over the ring
    round(distance) = r is negative, or is a local minimum of that radial profile.
    None when neither happens inside the autocorrelogram (one field filling the arena).
    """
    valid = ~np.isnan(a)
    rounded = np.rint(distance[valid]).astype(np.int64)
    length = int(rounded.max()) + 1
    counts = np.bincount(rounded, minlength=length)
    sums = np.bincount(rounded, weights=a[valid], minlength=length)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = np.where(counts > 0, sums / counts, np.nan)  # (length,)
    r_max = min(_max_radius(a.shape), length - 1)
    known = [r for r in range(r_max + 1) if not np.isnan(profile[r])]
    for k in range(1, len(known)):
        r, before = known[k], known[k - 1]
        after = known[k + 1] if k + 1 < len(known) else None
        if profile[r] < 0 or (
            after is not None and profile[r] < profile[before] and profile[r] <= profile[after]
        ):
            return r
    return None


def ring_radii(autocorr: np.ndarray) -> tuple[float, float]:
    """Inner and outer radius (bins) of the gridness annulus, found from the autocorrelogram.

    The ring of Sargolini et al. (2006): centred on the central peak but excluding it, and
    reaching out to the outer edge of the six peaks nearest the centre.

    * inner radius r_in — the edge of the central peak: the first radius at which the
      mean autocorrelation around the circle of that radius is negative or has a local
      minimum;
    * outer radius r_out = d₆ + r_in, where d₆ is the median distance from the centre of
      the six nearest local maxima outside the central peak (maxima of the
      autocorrelogram over a (2⌊r_in/2⌋ + 1)² neighbourhood, with r > 0) — the first ring
      of a hexagonal pattern — and r_in stands in for a peak's own radius. With fewer than
      six such maxima the median of those found is used; with none, the largest radius
      that fits. r_out is capped at that largest radius, min(H, W) - 1 for a (2H - 1,
      2W - 1) autocorrelogram.

    The alternative of Banino et al. (2018) — score several rings with a fixed inner and a
    range of outer radii and keep the highest score — is available by looping over
    ``outer_radius`` in :func:`gridness`; note that the maximum over rings lifts the scores
    of featureless maps (≈ +0.2 for smoothed noise), where this one ring leaves them
    centred on 0.

    Parameters
    ----------
    autocorr : (2H - 1, 2W - 1) autocorrelogram from :func:`autocorrelogram`.

    Returns
    -------
    (inner, outer) in bins (multiply by bin_size for cm); (nan, nan) when the autocorrelogram
    is all NaN or has no edge to its central peak (a single field filling the arena).
    """
    a = _autocorr(autocorr)
    return _ring_radii(a, _distance_from_centre(a.shape))


def _ring_radii(a: np.ndarray, distance: np.ndarray) -> tuple[float, float]:
    if np.isnan(a).all():
        return math.nan, math.nan
    r_in = _central_radius(a, distance)
    if r_in is None:
        return math.nan, math.nan
    r_max = _max_radius(a.shape)
    filled = np.where(np.isnan(a), -np.inf, a)
    size = 2 * max(1, r_in // 2) + 1
    local_max = filled == ndimage.maximum_filter(filled, size=size, mode="constant", cval=-np.inf)
    peaks = local_max & (filled > 0) & (distance > r_in)
    nearest = np.sort(distance[peaks])[:6]
    r_out = float(np.median(nearest)) + r_in if nearest.size else float(r_max)
    return float(r_in), min(r_out, float(r_max))


def _rotated(a: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(values, validity) of ``a`` rotated about its centre by each of ROTATION_ANGLES.

    scipy.ndimage.rotate with linear interpolation (order 1) and reshape=False; NaN bins are
    rotated as 0 alongside a validity mask, and a rotated bin is valid only when all the
    bins it interpolates were.
    """
    valid = ~np.isnan(a)
    stacked = np.stack([np.where(valid, a, 0.0), valid.astype(np.float64)])  # (2, H', W')
    out = []
    for angle in ROTATION_ANGLES:
        values, weight = ndimage.rotate(
            stacked, angle, axes=(2, 1), reshape=False, order=1, mode="constant", cval=0.0
        )
        out.append((values, valid & (weight >= _FULLY_VALID)))
    return out


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < _MIN_RING_BINS:
        return math.nan
    a = a - a.mean()
    b = b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else math.nan


def _rotational_correlations(
    a: np.ndarray, distance: np.ndarray, inner: float, outer: float
) -> np.ndarray:
    if not (math.isfinite(inner) and math.isfinite(outer)) or outer <= inner:
        return np.full(len(ROTATION_ANGLES), np.nan)
    # Only the square around the ring matters: crop it (with a margin for interpolation).
    half = min(int(math.ceil(outer)) + 2, a.shape[0] // 2, a.shape[1] // 2)
    ci, cj = a.shape[0] // 2, a.shape[1] // 2
    crop = (slice(ci - half, ci + half + 1), slice(cj - half, cj + half + 1))
    a, distance = a[crop], distance[crop]
    ring = (distance >= inner) & (distance <= outer)
    return np.array(
        [_pearson(a[ring & ok], rotated[ring & ok]) for rotated, ok in _rotated(a)],
    )


def rotational_correlations(
    autocorr: np.ndarray, inner_radius: float, outer_radius: float
) -> np.ndarray:
    """Correlations of the autocorrelogram with its rotations, inside a ring.

    Sargolini et al. (2006): c_θ = Pearson correlation, over the bins of the annulus
    inner_radius ≤ |τ| ≤ outer_radius (distance from the centre, in bins) that are valid
    both in the autocorrelogram A and in its rotation R_θ A, between A and R_θ A, for
    θ = 30°, 60°, 90°, 120°, 150° (:data:`ROTATION_ANGLES`). Rotation:
    ``scipy.ndimage.rotate(A, θ, reshape=False, order=1)`` about the centre bin.

    Parameters
    ----------
    autocorr : (2H - 1, 2W - 1) autocorrelogram from :func:`autocorrelogram`.
    inner_radius, outer_radius : radii of the ring, bins, 0 ≤ inner < outer. The ring is
        cut at the largest circle that fits, min(H, W) - 1 bins.

    Returns
    -------
    (5,) float64 array (c30, c60, c90, c120, c150); NaN for an angle with fewer than 6
    valid bins in the ring or no variance there.
    """
    a = _autocorr(autocorr)
    inner = _non_negative_float("inner_radius", inner_radius)
    outer = _validate.positive_float("outer_radius", outer_radius)
    if outer <= inner:
        raise ValueError(
            f"outer_radius must exceed inner_radius, got inner {inner:g}, outer {outer:g} bins"
        )
    return _rotational_correlations(a, _distance_from_centre(a.shape), inner, outer)


def gridness(
    autocorr: np.ndarray,
    *,
    inner_radius: float | None = None,
    outer_radius: float | None = None,
    convention: Literal["mean", "min_max"] = "mean",
) -> float:
    """Gridness score: how much more the autocorrelogram matches itself at 60° than at 30°.

    With c_θ from :func:`rotational_correlations` (rotations by 30°…150° inside a ring
    around the central peak, Sargolini et al. 2006):

    * ``convention="mean"`` (the course's default, COURSE.md §5):
      g = ½ (c60 + c120) - ⅓ (c30 + c90 + c150);
    * ``convention="min_max"`` (Sargolini et al. 2006; Banino et al. 2018):
      g = min(c60, c120) - max(c30, c90, c150).

    A hexagonal pattern returns onto itself at 60° and 120° and is least like itself at
    30°, 90° and 150°, so it scores high (≈ 1.3–1.4 for ideal grids here); a band pattern
    (twofold symmetric) and a single field (no ring of peaks) score low, and unstructured
    noise scores around 0. Which score counts as "grid" must come from a null distribution
    (:func:`shuffle_null`), not from a fixed cut-off.

    Parameters
    ----------
    autocorr : (2H - 1, 2W - 1) autocorrelogram from :func:`autocorrelogram`.
    inner_radius, outer_radius : the ring, in bins. By default both come from
        :func:`ring_radii` (edge of the central peak to the outer edge of the six nearest
        peaks); give one to override that one only.
    convention : ``"mean"`` or ``"min_max"``, as above.

    Returns
    -------
    The score, a float in [-2, 2]; NaN when it cannot be computed (a silent or constant
    map, no edge to the central peak, or too few valid bins in the ring).

    Example
    -------
    >>> c = bin_centres(100.0)
    >>> xy = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)   # rows = y, cols = x
    >>> m = grid_field(xy, spacing=40.0).reshape(40, 40)
    >>> bool(gridness(autocorrelogram(m)) > 1.0)
    True
    """
    a = _autocorr(autocorr)
    if convention not in ("mean", "min_max"):
        raise ValueError(f"convention must be 'mean' or 'min_max', got {convention!r}")
    distance = _distance_from_centre(a.shape)
    inner = None if inner_radius is None else _non_negative_float("inner_radius", inner_radius)
    outer = None if outer_radius is None else _validate.positive_float("outer_radius", outer_radius)
    if inner is None or outer is None:
        auto_inner, auto_outer = _ring_radii(a, distance)
        inner = auto_inner if inner is None else inner
        outer = auto_outer if outer is None else outer
    c30, c60, c90, c120, c150 = _rotational_correlations(a, distance, inner, outer)
    if convention == "mean":
        return float((c60 + c120) / 2 - (c30 + c90 + c150) / 3)
    return float(min(c60, c120) - max(c30, c90, c150))


# ------------------------------------------------------------- idealised cells


def _periodic_inputs(
    positions: object, spacing: object, orientation: object, phase: object, peak_rate: object
) -> tuple[np.ndarray, float, float, np.ndarray, float]:
    p = _positions(positions)
    spacing = _validate.positive_float("spacing", spacing)
    orientation = _finite_float("orientation", orientation)
    phase = _point("phase", phase)
    peak_rate = _validate.positive_float("peak_rate", peak_rate)
    return p, spacing, orientation, phase, peak_rate


def grid_field(
    positions: np.ndarray,
    spacing: float,
    orientation: float = 0.0,
    phase: Sequence[float] | np.ndarray = (0.0, 0.0),
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised grid cell: three plane waves 60° apart, rectified.

    The plane-wave model of Solstad, Moser & Einevoll (2006):

        rate(x) = peak_rate · max(0, Σ_{i=1}^{3} cos(k_i · (x - phase))) / 3,
        k_i = (4π / (√3 · spacing)) · (cos θ_i, sin θ_i),
        θ_i = orientation + (-30°, 30°, 90°).

    Solstad et al. pass the sum through an exponential gain; here it is rectified, which
    keeps the same hexagonal lattice of fields. The wave vectors are 60° apart, so the
    fields form a triangular lattice with distance ``spacing`` between neighbouring peaks,
    one lattice axis at ``orientation`` from the x axis, and a peak (rate = peak_rate) at
    ``phase``.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm (any positions, not only inside an arena).
    spacing : distance between neighbouring fields, cm.
    orientation : angle of a lattice axis from the x axis, degrees (60°-periodic).
    phase : (x, y) of one field's peak, cm.
    peak_rate : rate at the field peaks, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p, spacing, orientation, phase, peak_rate = _periodic_inputs(
        positions, spacing, orientation, phase, peak_rate
    )
    angles = np.deg2rad(orientation + np.array([-30.0, 30.0, 90.0]))  # (3,)
    k = 4 * np.pi / (np.sqrt(3) * spacing) * np.stack([np.cos(angles), np.sin(angles)], 1)
    waves = np.cos((p - phase) @ k.T)  # (n_samples, 3)
    return peak_rate * np.maximum(waves.sum(axis=1), 0.0) / 3.0


def band_field(
    positions: np.ndarray,
    spacing: float,
    orientation: float = 0.0,
    phase: Sequence[float] | np.ndarray = (0.0, 0.0),
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised band cell: one plane wave (Krupic et al. 2012).

        rate(x) = peak_rate · ½ (1 + cos(2π u · (x - phase) / spacing)),
        u = (cos orientation, sin orientation).

    Parallel bands ``spacing`` apart, perpendicular to u, a crest through ``phase``. A
    control for gridness: periodic, but twofold not sixfold symmetric, so it scores low.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm.
    spacing : distance between neighbouring bands, cm.
    orientation : direction u across the bands, degrees from the x axis.
    phase : (x, y) of a point on a crest, cm.
    peak_rate : rate on the crests, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p, spacing, orientation, phase, peak_rate = _periodic_inputs(
        positions, spacing, orientation, phase, peak_rate
    )
    theta = np.deg2rad(orientation)
    u = np.array([np.cos(theta), np.sin(theta)])
    return peak_rate * 0.5 * (1.0 + np.cos(2 * np.pi * ((p - phase) @ u) / spacing))


def place_field(
    positions: np.ndarray,
    centre: Sequence[float] | np.ndarray,
    width: float,
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised place cell: a Gaussian bump.

        rate(x) = peak_rate · exp(-|x - centre|² / (2 width²))

    (O'Keefe & Dostrovsky 1971; the Gaussian place cells of RatInABox, George et al. 2024).
    A control for gridness: one field, no ring of peaks, so it scores low.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm.
    centre : (x, y) of the field centre, cm.
    width : standard deviation of the bump, cm.
    peak_rate : rate at the centre, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p = _positions(positions)
    centre = _point("centre", centre)
    width = _validate.positive_float("width", width)
    peak_rate = _validate.positive_float("peak_rate", peak_rate)
    return peak_rate * np.exp(-((p - centre) ** 2).sum(axis=1) / (2 * width**2))


def poisson_spikes(rates: np.ndarray, dt: float, rng: np.random.Generator) -> np.ndarray:
    """Spike counts of an inhomogeneous Poisson process sampled every dt.

        spikes_t ~ Poisson(rates_t · dt), independently for each sample (and unit).

    Parameters
    ----------
    rates : (n_samples,) or (n_samples, n_units) non-negative rates, Hz.
    dt : sampling interval, s.
    rng : NumPy random generator, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    int64 array of counts, shaped like ``rates``.
    """
    r = _validate.array("rates", rates, ndim=(1, 2), dims="(n_samples,) or (n_samples, n_units)")
    dt = _validate.positive_float("dt", dt)
    _validate.numpy_generator("rng", rng)
    if r.size and r.min() < 0:
        raise ValueError(
            f"rates must be non-negative (Hz); {int((r < 0).sum())} are negative "
            f"(smallest {r.min():g})"
        )
    return rng.poisson(r * dt).astype(np.int64)


# ---------------------------------------------------------------- shuffle null


def shuffle_null(
    positions: np.ndarray,
    spikes: np.ndarray,
    arena_size: float,
    *,
    dt: float,
    rng: np.random.Generator,
    n_shuffles: int = 100,
    min_shift_s: float = 20.0,
    bin_size: float = 2.5,
    smoothing: float = 2.5,
    min_overlap: int = 20,
    convention: Literal["mean", "min_max"] = "mean",
) -> np.ndarray:
    """Gridness scores of the same spike train shifted in time along the same path.

    The standard null for spatial scores (e.g. Langston et al. 2010; Boccara et al. 2010):
    the spike train is shifted circularly by a random interval between ``min_shift_s`` and
    duration - ``min_shift_s`` (the end wrapped to the beginning),

        spikes'_t = spikes_{(t - k) mod n_samples},
        k ~ Uniform{⌈min_shift_s / dt⌉, …, n_samples - ⌈min_shift_s / dt⌉},

    and the rate map, autocorrelogram and gridness are recomputed. The shift keeps the
    path, the occupancy, the number of spikes and the spike train's own temporal structure,
    and breaks only the link between where the animal was and when the cell fired. A cell
    counts as a grid cell when its real score exceeds :func:`null_threshold` of these.

    Parameters
    ----------
    positions, spikes, arena_size, dt, bin_size, smoothing : as for :func:`rate_map` (cm, s).
    rng : NumPy random generator for the shifts.
    n_shuffles : number of shifted copies.
    min_shift_s : smallest shift, s; the recording must last at least 2 · min_shift_s.
    min_overlap : as for :func:`autocorrelogram`.
    convention : as for :func:`gridness` (each shuffle gets its own automatic ring, as the
        real score does).

    Returns
    -------
    (n_shuffles,) float64 array of gridness scores (NaN where a shuffled map had none).
    """
    p = _positions(positions)
    s = _spikes_for(spikes, p.shape[0])
    arena_size = _validate.positive_float("arena_size", arena_size)
    dt = _validate.positive_float("dt", dt)
    _validate.numpy_generator("rng", rng)
    n_shuffles = _validate.positive_int("n_shuffles", n_shuffles)
    min_shift_s = _validate.positive_float("min_shift_s", min_shift_s)
    bin_size = _validate.positive_float("bin_size", bin_size)
    smoothing = _non_negative_float("smoothing", smoothing)
    min_overlap = _validate.positive_int("min_overlap", min_overlap)
    if convention not in ("mean", "min_max"):
        raise ValueError(f"convention must be 'mean' or 'min_max', got {convention!r}")
    n = _n_bins(arena_size, bin_size)
    _inside_arena(p, arena_size)
    n_samples = p.shape[0]
    k_min = math.ceil(min_shift_s / dt - 1e-9)
    if n_samples - k_min < k_min:
        raise ValueError(
            f"the recording must last at least 2 · min_shift_s = {2 * min_shift_s:g} s for "
            f"shifts of ≥ {min_shift_s:g} s from both ends, got {n_samples} samples × "
            f"{dt:g} s = {n_samples * dt:g} s"
        )
    # The path is the same for every shuffle: bin it and smooth its occupancy once.
    index = _bin_index(p, arena_size, n)
    occupancy = (np.bincount(index, minlength=n * n) * dt).reshape(n, n)
    sigma = smoothing / (arena_size / n)
    smoothed_occupancy = _smooth(occupancy, sigma)
    shifts = rng.integers(k_min, n_samples - k_min, endpoint=True, size=n_shuffles)
    scores = np.empty(n_shuffles)
    for i, k in enumerate(shifts):
        counts = np.bincount(index, weights=np.roll(s, k), minlength=n * n).reshape(n, n)
        m = _rate_from_counts(counts, occupancy, smoothed_occupancy, sigma)
        scores[i] = gridness(autocorrelogram(m, min_overlap=min_overlap), convention=convention)
    return scores


def null_threshold(null_scores: np.ndarray, percentile: float = 95.0) -> float:
    """The score a real cell must beat: a percentile of its null distribution.

    Parameters
    ----------
    null_scores : (n_shuffles,) scores from :func:`shuffle_null`; NaN entries (shuffles
        whose map had no score) are left out.
    percentile : in [0, 100]; 95 gives a one-sided 5% false-positive rate per cell.

    Returns
    -------
    The ``percentile``-th percentile of the finite null scores (linear interpolation, as
    ``numpy.percentile``). With 100 shuffles the 95th percentile is itself uncertain by
    a few hundredths; report it beside the score.
    """
    scores = _validate.array(
        "null_scores", null_scores, ndim=1, dims="(n_shuffles,)", allow_nan=True
    )
    if isinstance(percentile, bool) or not isinstance(
        percentile, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"percentile must be a number in [0, 100], got {type(percentile).__name__}")
    if not 0.0 <= float(percentile) <= 100.0:
        raise ValueError(f"percentile must lie in [0, 100], got {percentile!r}")
    finite = scores[~np.isnan(scores)]
    if finite.size == 0:
        raise ValueError(
            f"null_scores must hold at least one finite score, got {scores.size} scores, all NaN"
        )
    return float(np.percentile(finite, float(percentile)))


# ----------------------------------------------------------- diversity check


def _maps_stack(rate_maps: object) -> np.ndarray:
    m = _validate.array(
        "rate_maps", rate_maps, ndim=3, dims="(n_units, n_bins, n_bins)", allow_nan=True
    )
    if m.shape[0] < 2:
        raise ValueError(
            f"rate_maps must hold at least 2 units to compare, got shape {m.shape} "
            f"(n_units, n_bins, n_bins)"
        )
    return m


def map_similarity(rate_maps: np.ndarray) -> np.ndarray:
    """Pairwise Pearson correlations between units' rate maps.

    r_ij = Pearson correlation of maps i and j over the bins known (not NaN) in both,
    computed for all pairs at once with matrix products (the same masked sums as in
    :func:`autocorrelogram`, at zero lag). Maps of one cell type at different phases
    correlate weakly; near-identical maps correlate near 1 — the signature of a collapsed
    population, where one good-looking map is copied across units (see
    :func:`is_collapsed`; Schaeffer et al. 2022 on why high scores alone prove little).

    Parameters
    ----------
    rate_maps : (n_units, n_bins, n_bins) maps (any common 2-D shape), NaN = unvisited.

    Returns
    -------
    (n_units, n_units) symmetric float64 array in [-1, 1], 1 on the diagonal; NaN for a
    pair with fewer than 3 common bins or with a map constant over them.
    """
    m = _maps_stack(rate_maps)
    flat = m.reshape(m.shape[0], -1)  # (n_units, n_bins²)
    valid = ~np.isnan(flat)
    counts = valid.sum(axis=1, keepdims=True)
    means = np.where(valid, flat, 0.0).sum(axis=1, keepdims=True) / np.maximum(counts, 1)
    x = np.where(valid, flat - means, 0.0)  # centred for accuracy; an all-NaN map stays 0
    v = valid.astype(np.float64)
    n = v @ v.T  # common bins
    s_i = x @ v.T  # Σ x_i over bins valid in j
    s_ii = (x * x) @ v.T  # Σ x_i² over bins valid in j
    s_ij = x @ x.T
    var_i = n * s_ii - s_i**2
    var_j = var_i.T
    zero = 1e-10 * float(np.max(n * s_ii)) if n.size else 0.0
    ok = (n >= 3) & (var_i > zero) & (var_j > zero)
    r = np.full(n.shape, np.nan)
    r[ok] = (n[ok] * s_ij[ok] - s_i[ok] * s_i.T[ok]) / np.sqrt(var_i[ok] * var_j[ok])
    np.clip(r, -1.0, 1.0, out=r)
    return r


def median_similarity(rate_maps: np.ndarray) -> float:
    """Median of the pairwise map correlations of :func:`map_similarity` over pairs i < j.

    Near 0 for a diverse population (cells at different phases, scales, orientations), near
    1 for a collapsed one. NaN pairs are left out; NaN if every pair is NaN.

    Parameters
    ----------
    rate_maps : (n_units, n_bins, n_bins) maps, NaN = unvisited.
    """
    r = map_similarity(rate_maps)
    pairs = r[np.triu_indices(r.shape[0], k=1)]
    pairs = pairs[~np.isnan(pairs)]
    return float(np.median(pairs)) if pairs.size else math.nan


def is_collapsed(rate_maps: np.ndarray, threshold: float = 0.9) -> bool:
    """True when the units' maps are near-copies: median pairwise correlation > threshold.

    A population of identical maps is a collapse, not a discovery: one unit's gridness
    repeated n_units times is one observation, not n_units grid cells.

    Parameters
    ----------
    rate_maps : (n_units, n_bins, n_bins) maps, NaN = unvisited.
    threshold : in [0, 1]; median pairwise correlations above it count as collapsed.
    """
    threshold = _validate.fraction("threshold", threshold)
    median = median_similarity(rate_maps)
    return bool(median > threshold)  # NaN (no comparable pair) is not a collapse
