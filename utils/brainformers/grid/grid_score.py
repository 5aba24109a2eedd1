"""The gridness score: a spatial autocorrelogram and its rotational symmetry in a ring.

* :func:`autocorrelogram` — Pearson correlation of a map with itself at every 2-D lag
  (Hafting et al. 2005), all lags at once with FFTs;
* :func:`ring_radii` — the annulus around the central peak (Sargolini et al. 2006);
* :func:`rotational_correlations` — correlations with the rotations by 30°…150°;
* :func:`gridness` — the score in the mean or the min − max convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import fft, ndimage

from .. import _validate
from ._inputs import _non_negative_float

__all__ = [
    "ROTATION_ANGLES",
    "MIN_VALID_FRACTION",
    "autocorrelogram",
    "ring_radii",
    "rotational_correlations",
    "GridnessDetails",
    "gridness_details",
    "gridness",
]

#: Rotation angles (degrees) of the gridness score, in the order
#: :func:`rotational_correlations` returns them: 60° and 120° are the hexagonal symmetries,
#: 30°, 90° and 150° the angles where a hexagonal pattern is least like itself.
ROTATION_ANGLES: tuple[float, ...] = (30.0, 60.0, 90.0, 120.0, 150.0)

# A rotated bin counts as valid when its interpolated validity mask is at least this (all
# four interpolation neighbours valid; 1 up to rounding).
_FULLY_VALID = 1.0 - 1e-9
# Fewest valid bins in the ring for one rotational correlation, whatever the fraction: a
# Pearson r on fewer says nothing.
_MIN_RING_BINS = 20

#: Default smallest share of the ring's bins that must be valid — known both in the
#: autocorrelogram and in its rotation — for a rotational correlation to count (see
#: :func:`gridness_details`). A sparse map (one or two fields, silent elsewhere) has an
#: autocorrelogram that is NaN wherever one side of the overlap is constant, and a score
#: resting on the few bins left would be noise.
MIN_VALID_FRACTION = 0.5


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
    a = a - a.mean()
    b = b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else math.nan


def _ring_correlations(
    a: np.ndarray, distance: np.ndarray, inner: float, outer: float
) -> tuple[np.ndarray, np.ndarray]:
    """(c_θ, share of the ring's bins valid at θ) for each of ROTATION_ANGLES.

    c_θ is NaN where fewer than _MIN_RING_BINS bins are valid; the caller applies the
    fraction. The ring's bins are those of the annulus that lie inside the autocorrelogram.
    """
    nan = np.full(len(ROTATION_ANGLES), np.nan)
    if not (math.isfinite(inner) and math.isfinite(outer)) or outer <= inner:
        return nan, nan
    # Only the square around the ring matters: crop it (with a margin for interpolation).
    half = min(int(math.ceil(outer)) + 2, a.shape[0] // 2, a.shape[1] // 2)
    ci, cj = a.shape[0] // 2, a.shape[1] // 2
    crop = (slice(ci - half, ci + half + 1), slice(cj - half, cj + half + 1))
    a, distance = a[crop], distance[crop]
    ring = (distance >= inner) & (distance <= outer)
    n_ring = int(ring.sum())
    if n_ring == 0:
        return nan, np.zeros(len(ROTATION_ANGLES))
    correlations, fractions = [], []
    for rotated, ok in _rotated(a):
        both = ring & ok
        n = int(both.sum())
        fractions.append(n / n_ring)
        correlations.append(_pearson(a[both], rotated[both]) if n >= _MIN_RING_BINS else math.nan)
    return np.array(correlations), np.array(fractions)


def rotational_correlations(
    autocorr: np.ndarray,
    inner_radius: float,
    outer_radius: float,
    *,
    min_valid_fraction: float = MIN_VALID_FRACTION,
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
    min_valid_fraction : in [0, 1]; an angle whose valid bins are fewer than this share of
        the ring's bins gets NaN (:data:`MIN_VALID_FRACTION`).

    Returns
    -------
    (5,) float64 array (c30, c60, c90, c120, c150); NaN for an angle with too few valid
    bins in the ring (below ``min_valid_fraction`` of them, or fewer than 20) or no
    variance there. :func:`gridness_details` says which.
    """
    a = _autocorr(autocorr)
    inner = _non_negative_float("inner_radius", inner_radius)
    outer = _validate.positive_float("outer_radius", outer_radius)
    min_valid_fraction = _validate.fraction("min_valid_fraction", min_valid_fraction)
    if outer <= inner:
        raise ValueError(
            f"outer_radius must exceed inner_radius, got inner {inner:g}, outer {outer:g} bins"
        )
    c, fractions = _ring_correlations(a, _distance_from_centre(a.shape), inner, outer)
    return np.where(fractions >= min_valid_fraction, c, np.nan)


@dataclass(frozen=True)
class GridnessDetails:
    """A gridness score with what it rests on (:func:`gridness_details`).

    Attributes
    ----------
    score : the gridness score in the requested convention; NaN when it cannot be computed.
    correlations : (5,) c30, c60, c90, c120, c150 as used (NaN where an angle failed).
    inner_radius, outer_radius : the ring, bins (NaN when none was found).
    valid_fraction : the smallest share, over the five rotations, of the ring's bins that
        are valid in the autocorrelogram and in its rotation (NaN without a ring).
    reason : why the score is NaN, in words; ``""`` when it is finite.
    """

    score: float
    correlations: np.ndarray
    inner_radius: float
    outer_radius: float
    valid_fraction: float
    reason: str


def gridness_details(
    autocorr: np.ndarray,
    *,
    inner_radius: float | None = None,
    outer_radius: float | None = None,
    convention: Literal["mean", "min_max"] = "mean",
    min_valid_fraction: float = MIN_VALID_FRACTION,
) -> GridnessDetails:
    """The gridness score of :func:`gridness`, with its ring, coverage and a reason for NaN.

    Parameters and score as for :func:`gridness`. The score is NaN, and ``reason`` says
    why, when the autocorrelogram is all NaN (a silent or constant map), no edge to the
    central peak is found (one field filling the arena), or at some rotation fewer than
    ``min_valid_fraction`` of the ring's bins are valid. The last is what a sparse map
    gives: its autocorrelogram is NaN wherever one side of the overlap is constant (all
    zeros), and a correlation on the few bins left is noise.

    Returns
    -------
    A :class:`GridnessDetails`.
    """
    a = _autocorr(autocorr)
    if convention not in ("mean", "min_max"):
        raise ValueError(f"convention must be 'mean' or 'min_max', got {convention!r}")
    min_valid_fraction = _validate.fraction("min_valid_fraction", min_valid_fraction)
    distance = _distance_from_centre(a.shape)
    inner = None if inner_radius is None else _non_negative_float("inner_radius", inner_radius)
    outer = None if outer_radius is None else _validate.positive_float("outer_radius", outer_radius)
    if inner is None or outer is None:
        auto_inner, auto_outer = _ring_radii(a, distance)
        inner = auto_inner if inner is None else inner
        outer = auto_outer if outer is None else outer
    c, fractions = _ring_correlations(a, distance, inner, outer)
    valid_fraction = float(fractions.min())
    reason = ""
    if np.isnan(a).all():
        reason = "the autocorrelogram is all NaN (a silent or constant map)"
    elif not (math.isfinite(inner) and math.isfinite(outer)):
        reason = "no edge to the central peak (one field filling the arena?): no ring"
    elif outer <= inner:
        reason = f"the ring is empty (inner {inner:g} ≥ outer {outer:g} bins)"
    elif valid_fraction < min_valid_fraction:
        angle = ROTATION_ANGLES[int(fractions.argmin())]
        reason = (
            f"only {valid_fraction:.0%} of the ring's bins are valid at {angle:g}° (below "
            f"min_valid_fraction = {min_valid_fraction:g}): the autocorrelogram is cut off, "
            f"as for a sparse map"
        )
    elif np.isnan(c).any():
        reason = "no variance in the ring at some rotation (or fewer than 20 valid bins)"
    if reason:
        c = np.where(fractions >= min_valid_fraction, c, np.nan)
        return GridnessDetails(math.nan, c, float(inner), float(outer), valid_fraction, reason)
    c30, c60, c90, c120, c150 = c
    if convention == "mean":
        score = float((c60 + c120) / 2 - (c30 + c90 + c150) / 3)
    else:
        score = float(min(c60, c120) - max(c30, c90, c150))
    return GridnessDetails(score, c, float(inner), float(outer), valid_fraction, "")


def gridness(
    autocorr: np.ndarray,
    *,
    inner_radius: float | None = None,
    outer_radius: float | None = None,
    convention: Literal["mean", "min_max"] = "mean",
    min_valid_fraction: float = MIN_VALID_FRACTION,
) -> float:
    """Gridness score: how much more the autocorrelogram matches itself at 60° than at 30°.

    With c_θ from :func:`rotational_correlations` (rotations by 30°…150° inside a ring
    around the central peak):

    * ``convention="mean"`` (the course's default):
      g = ½ (c60 + c120) - ⅓ (c30 + c90 + c150) — the form of Banino et al. (2018) and
      DeepMind's ``scores.py``, which also take the best of several rings (see
      :func:`ring_radii`); here one ring;
    * ``convention="min_max"`` (the older form, Sargolini et al. 2006; Langston et al.
      2010): g = min(c60, c120) - max(c30, c90, c150), stricter: one weak 60° or one
      strong 30° correlation decides it.

    A hexagonal pattern returns onto itself at 60° and 120° and is least like itself at
    30°, 90° and 150°, so it scores high (≈ 1.3–1.4 for ideal grids here); a band pattern
    (twofold symmetric) and a single field (no ring of peaks) score low, and unstructured
    noise scores around 0. Which score counts as "grid" must come from a null distribution
    (:func:`brainformers.grid.shuffle_null`), not from a fixed cut-off.

    Parameters
    ----------
    autocorr : (2H - 1, 2W - 1) autocorrelogram from :func:`autocorrelogram`.
    inner_radius, outer_radius : the ring, in bins. By default both come from
        :func:`ring_radii` (edge of the central peak to the outer edge of the six nearest
        peaks); give one to override that one only.
    convention : ``"mean"`` or ``"min_max"``, as above.
    min_valid_fraction : in [0, 1]; the smallest share of the ring's bins that must be
        valid at every rotation (:data:`MIN_VALID_FRACTION`).

    Returns
    -------
    The score, a float in [-2, 2]; NaN when it cannot be computed (a silent or constant
    map, no edge to the central peak, or too few valid bins in the ring) —
    :func:`gridness_details` says which.

    Example
    -------
    >>> from brainformers.grid import bin_centres, grid_field
    >>> c = bin_centres(100.0)
    >>> xy = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)   # rows = y, cols = x
    >>> m = grid_field(xy, spacing=40.0).reshape(40, 40)
    >>> bool(gridness(autocorrelogram(m)) > 1.0)
    True
    """
    return gridness_details(
        autocorr,
        inner_radius=inner_radius,
        outer_radius=outer_radius,
        convention=convention,
        min_valid_fraction=min_valid_fraction,
    ).score
