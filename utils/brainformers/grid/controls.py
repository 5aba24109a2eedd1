"""The honest controls: a shuffle null for one map, and a diversity check across units.

* :func:`shuffle_null`, :func:`null_threshold` — the spike train shifted in time along the
  path, and the percentile a real score must beat;
* :func:`map_similarity`, :func:`map_groups`, :func:`n_distinct_maps` — how many different
  maps a population of "grid cells" holds, or whether it is a few maps copied many times.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy.sparse.csgraph import connected_components

from .. import _validate
from ._inputs import _inside_arena, _n_bins, _non_negative_float, _positions, _spikes_for
from .grid_score import MIN_VALID_FRACTION, autocorrelogram, gridness
from .rate_maps import _bin_index, _rate_from_counts, _smooth

__all__ = [
    "shuffle_null",
    "null_threshold",
    "map_similarity",
    "map_groups",
    "n_distinct_maps",
]


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
    min_valid_fraction: float = MIN_VALID_FRACTION,
) -> np.ndarray:
    """Gridness scores of the same spike train shifted in time along the same path.

    The standard null for spatial scores (Langston et al. 2010, with shifts of at least 20 s):
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
    convention, min_valid_fraction : as for :func:`gridness` (each shuffle gets its own
        automatic ring, as the real score does).

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
        scores[i] = gridness(
            autocorrelogram(m, min_overlap=min_overlap),
            convention=convention,
            min_valid_fraction=min_valid_fraction,
        )
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
    population, where one good-looking map is copied across units (see :func:`map_groups`;
    Schaeffer et al. 2022 on why high scores alone prove little).

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


def map_groups(rate_maps: np.ndarray, threshold: float = 0.9) -> np.ndarray:
    """Units grouped into distinct maps: linked when their maps correlate above ``threshold``.

    Two units are linked when r_ij > threshold (:func:`map_similarity`), and a group is a
    connected component of these links (single linkage): a chain of near-copies is one
    map. A population can be partly collapsed — a few maps, each copied several times —
    while its median pairwise correlation stays low; counting groups sees it.

    Parameters
    ----------
    rate_maps : (n_units, n_bins, n_bins) maps, NaN = unvisited.
    threshold : in [0, 1]; pairs correlating above it count as the same map. A NaN pair
        (a silent map, or too few common bins) is never linked.

    Returns
    -------
    (n_units,) int64 array of group labels 0 … n_groups - 1, numbered in the order of each
    group's first unit, so ``labels[0] == 0``.

    Example
    -------
    >>> m = np.random.default_rng(0).random((3, 8, 8))
    >>> map_groups(np.stack([m[0], m[1], m[0] + 0.01, m[2]])).tolist()
    [0, 1, 0, 2]
    """
    threshold = _validate.fraction("threshold", threshold)
    r = map_similarity(rate_maps)
    linked = np.nan_to_num(r, nan=-1.0) > threshold
    _, labels = connected_components(linked, directed=False)
    first = {}
    for label in labels:  # renumber by first appearance
        first.setdefault(int(label), len(first))
    return np.array([first[int(label)] for label in labels], dtype=np.int64)


def n_distinct_maps(rate_maps: np.ndarray, threshold: float = 0.9) -> int:
    """Number of distinct maps among the units: the number of groups of :func:`map_groups`.

    n_units for a population in which no two maps correlate above ``threshold``; 1 for a
    fully collapsed one, where every unit carries (nearly) the same map.

    Parameters
    ----------
    rate_maps : (n_units, n_bins, n_bins) maps, NaN = unvisited.
    threshold : in [0, 1], as for :func:`map_groups`.
    """
    return int(map_groups(rate_maps, threshold).max()) + 1
