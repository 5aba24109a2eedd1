"""The honest controls: a shuffle null for one map, and a diversity check across units.

* :func:`shuffle_null`, :func:`null_threshold` — the spike train shifted in time along the
  path, and the percentile a real score must beat;
* :func:`map_similarity`, :func:`map_groups`, :func:`n_distinct_maps` — how many different
  maps a population of "grid cells" holds, or whether it is a few maps copied many times;
* :func:`dominant_wavenumber`, :func:`band_pass_fields` — a structured null: random smooth
  periodic fields at the maps' own spatial frequency, clipped at zero;
* :func:`lattice_fit`, :func:`phase_spread` — each map's spacing, orientation and spatial
  phase, and how evenly the phases of a population cover the unit rhombus.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

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
    "dominant_wavenumber",
    "band_pass_fields",
    "LatticeFit",
    "lattice_fit",
    "phase_spread",
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


def _bin_xy(n_bins: int, bin_size: float) -> np.ndarray:
    """(n_bins², 2) bin centres in cm, row-major over [y bin, x bin]: columns x, y."""
    centres = (np.arange(n_bins) + 0.5) * bin_size
    xx, yy = np.meshgrid(centres, centres)
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def _maps_2d(maps: object) -> np.ndarray:
    m = _validate.array("maps", maps, ndim=3, dims="(n_units, n_bins, n_bins)")
    if m.shape[1] != m.shape[2] or m.shape[1] < 4:
        raise ValueError(f"maps must be square, at least 4 × 4 bins, got shape {m.shape}")
    return m


def dominant_wavenumber(maps: np.ndarray, *, bin_size: float = 2.5, n_pad: int = 256) -> float:
    """The spatial frequency |k| (rad/cm) at which a population of maps has most power.

    Each map minus its mean is Fourier-transformed (zero-padded to ``n_pad`` × ``n_pad``
    bins); the power |F(k)|² summed over units and averaged over rings of equal |k| peaks
    at k* — for hexagonal grids of spacing λ, k* = 4π / (√3 λ).

    Parameters
    ----------
    maps : (n_units, n_bins, n_bins) maps, no NaN.
    bin_size : cm per bin.
    n_pad : FFT size (≥ n_bins); larger gives a finer frequency grid.
    """
    m = _maps_2d(maps)
    bin_size = _validate.positive_float("bin_size", bin_size)
    n_pad = max(_validate.positive_int("n_pad", n_pad), m.shape[1])
    centred = m - m.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(centred, s=(n_pad, n_pad))) ** 2).sum(axis=0)
    f = np.fft.fftfreq(n_pad, d=bin_size) * 2 * np.pi  # rad/cm
    radius = np.hypot(*np.meshgrid(f, f))
    step = 2 * np.pi / (n_pad * bin_size)
    ring = np.rint(radius / step).astype(int)
    profile = np.bincount(ring.ravel(), weights=power.ravel()) / np.maximum(
        np.bincount(ring.ravel()), 1
    )
    profile[0] = 0.0  # the mean, removed
    return float(np.argmax(profile) * step)


def band_pass_fields(
    n_fields: int,
    n_bins: int,
    wavenumber: float,
    rng: np.random.Generator,
    *,
    bin_size: float = 2.5,
    n_waves: int = 32,
) -> np.ndarray:
    """Random smooth periodic fields at one spatial frequency, clipped at zero: a null for gridness.

    Each field is a random sum of ``n_waves`` plane waves with the same wavenumber, random
    directions, phases and amplitudes, clipped at zero:

        f(x) = max(0, Σ_j a_j cos(k_j · x + φ_j)),   |k_j| = wavenumber,
        angle(k_j) ~ U[0, 2π), φ_j ~ U[0, 2π), a_j ~ N(0, 1),

    an isotropic band-pass random field (its power lies on the ring |k| = k*), non-negative
    like a firing rate. It has the spatial frequency, smoothness and sparseness of a grid
    map but no preferred angle between its waves: any sixfold symmetry is by chance. A
    score that such fields pass as often as a model's maps cannot tell the model's maps from
    smooth periodic fields (the "null that keeps the structure" of ``shared/REVIEW.md``;
    Schaeffer et al. 2022 on scores that smooth fields pass).

    Parameters
    ----------
    n_fields : number of fields.
    n_bins : the maps are n_bins × n_bins, indexed [y bin, x bin].
    wavenumber : |k| in rad/cm, e.g. :func:`dominant_wavenumber` of the maps under test.
    rng : NumPy random generator.
    bin_size : cm per bin.
    n_waves : plane waves per field.

    Returns
    -------
    (n_fields, n_bins, n_bins) float64 array, ≥ 0.
    """
    n_fields = _validate.positive_int("n_fields", n_fields)
    n_bins = _validate.positive_int("n_bins", n_bins)
    wavenumber = _validate.positive_float("wavenumber", wavenumber)
    _validate.numpy_generator("rng", rng)
    bin_size = _validate.positive_float("bin_size", bin_size)
    n_waves = _validate.positive_int("n_waves", n_waves)
    xy = _bin_xy(n_bins, bin_size)  # (n_bins², 2)
    angles = rng.uniform(0, 2 * np.pi, (n_fields, n_waves))
    k = wavenumber * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (n_fields, n_waves, 2)
    phases = rng.uniform(0, 2 * np.pi, (n_fields, n_waves, 1))
    amplitudes = rng.standard_normal((n_fields, n_waves, 1))
    waves = amplitudes * np.cos(k @ xy.T + phases)  # (n_fields, n_waves, n_bins²)
    fields = np.maximum(waves.sum(axis=1), 0.0)
    return fields.reshape(n_fields, n_bins, n_bins)


class LatticeFit(NamedTuple):
    """Spacing (cm), orientation (degrees in [0, 60)) and phase of hexagonal maps.

    Attributes: ``spacing`` (n_units,) cm; ``orientation`` (n_units,) degrees;
    ``phase`` (n_units, 2) lattice coordinates (u, v) in [0, 1)².
    """

    spacing: np.ndarray
    orientation: np.ndarray
    phase: np.ndarray


def lattice_fit(
    maps: np.ndarray,
    wavenumber: float,
    *,
    bin_size: float = 2.5,
    k_range: float = 0.25,
) -> LatticeFit:
    """Each map's hexagonal lattice: spacing, orientation and spatial phase.

    A hexagonal map is g(x) ≈ Σ_{i=1..3} cos(k_i · (x − x₀)) with |k_i| = k and the k_i 60°
    apart (Solstad et al. 2006). Its Fourier transform F(k) = Σ_x g(x) e^{−i k·x} over the
    bins peaks at the k_i, with arg F(k_i) = −k_i · x₀. So: the strongest wave vector is
    found (|k| within ± ``k_range`` of ``wavenumber``, every direction, 1° steps); of the
    lattice's three wave directions, k₁ is the one at an angle in [0°, 60°) and k₂ the one
    60° further on (each the largest |F| within ± 5°), the same labelling for every unit so
    that phases of units with one orientation are comparable; and the phase in lattice
    coordinates is

        (u, v) = (k₁ · x₀, k₂ · x₀) / 2π  mod 1,

    the offset x₀ = u a₁ + v a₂ in the basis a_j of the lattice (k_i · a_j = 2π δ_ij): a
    point of the unit rhombus, uniform on it when x₀ is uniform in space. Spacing is
    4π / (√3 |k₁|); orientation is the angle of a lattice axis (the line through neighbouring
    fields, 30° from k₁) modulo 60°, as in :func:`grid_field`.

    Parameters
    ----------
    maps : (n_units, n_bins, n_bins) maps, indexed [y bin, x bin], no NaN.
    wavenumber : |k| in rad/cm around which to search (:func:`dominant_wavenumber`).
    bin_size : cm per bin.
    k_range : relative half-width of the search in |k|.
    """
    m = _maps_2d(maps)
    wavenumber = _validate.positive_float("wavenumber", wavenumber)
    bin_size = _validate.positive_float("bin_size", bin_size)
    k_range = _validate.fraction("k_range", k_range)
    xy = _bin_xy(m.shape[1], bin_size)
    flat = m.reshape(m.shape[0], -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    magnitudes = wavenumber * np.linspace(1 - k_range, 1 + k_range, 21)
    angles = np.deg2rad(np.arange(360))
    kx = magnitudes[:, None] * np.cos(angles)  # (n_k, 360)
    ky = magnitudes[:, None] * np.sin(angles)
    basis = np.exp(-1j * (np.outer(xy[:, 0], kx.ravel()) + np.outer(xy[:, 1], ky.ravel())))
    f = (flat @ basis).reshape(m.shape[0], magnitudes.size, 360)  # (n_units, n_k, 360)
    power = np.abs(f)
    n = m.shape[0]
    spacing, orientation, phase = np.empty(n), np.empty(n), np.empty((n, 2))
    for unit in range(n):
        _, peak = np.unravel_index(np.argmax(power[unit, :, :180]), (magnitudes.size, 180))
        # One labelling for every unit: k₁ the wave direction in [0°, 60°), k₂ 60° on.
        base = int(peak) % 60
        i1, a1 = _peak_near(power[unit], base)
        i2, a2 = _peak_near(power[unit], base + 60)
        psi = -np.angle([f[unit, i1, a1], f[unit, i2, a2]])  # k_i · x₀
        phase[unit] = np.mod(psi / (2 * np.pi), 1.0)
        spacing[unit] = 4 * np.pi / (np.sqrt(3) * magnitudes[i1])
        orientation[unit] = float((a1 + 30) % 60)  # a field axis lies 30° from k₁
    return LatticeFit(spacing, orientation, phase)


def _peak_near(power: np.ndarray, angle: int, half_width: int = 5) -> tuple[int, int]:
    """(magnitude index, angle in degrees) of the largest |F| within ± half_width of angle."""
    window = (angle + np.arange(-half_width, half_width + 1)) % 360
    i, j = np.unravel_index(np.argmax(power[:, window]), (power.shape[0], window.size))
    return int(i), int(window[j])


def _torus_nn_distance(phase: np.ndarray) -> np.ndarray:
    """Each phase's distance to its nearest neighbour on the hexagonal torus, in spacings."""
    # The lattice basis dual to k₁, k₂ (60° apart): unit vectors 120° apart, in spacings.
    a = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2]])
    d = phase[:, None, :] - phase[None, :, :]
    d -= np.rint(d)  # to (-½, ½]
    shifts = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)], dtype=float)
    cart = (d[:, :, None, :] + shifts) @ a  # (n, n, 9, 2) cm / spacing
    dist = np.linalg.norm(cart, axis=-1).min(axis=-1)
    np.fill_diagonal(dist, np.inf)
    return dist.min(axis=1)


def phase_spread(phase: np.ndarray, rng: np.random.Generator, *, n_reference: int = 200) -> float:
    """How evenly spatial phases cover the unit rhombus: a Clark–Evans nearest-neighbour ratio.

    R = mean nearest-neighbour distance between the phases on the hexagonal torus (the unit
    rhombus with opposite sides identified, distances in grid spacings), divided by the
    same mean for the same number of phases drawn uniformly at random (averaged over
    ``n_reference`` draws) — the aggregation index of Clark & Evans (1954), with the exact
    random reference for a small n instead of its large-n formula. R ≈ 1: phases as spread
    as random ones; R → 0: phases clustered (copies of a few maps share a phase); R > 1:
    more even than random (up to about 2.15 for a perfect triangular tiling).

    Parameters
    ----------
    phase : (n_units, 2) lattice coordinates in [0, 1)², as from :func:`lattice_fit`;
        at least 2 units.
    rng : NumPy random generator for the random reference.
    n_reference : random draws in the reference.
    """
    p = _validate.array("phase", phase, ndim=2, dims="(n_units, 2)")
    if p.shape[1] != 2 or p.shape[0] < 2:
        raise ValueError(f"phase must have shape (n_units ≥ 2, 2), got {p.shape}")
    _validate.numpy_generator("rng", rng)
    n_reference = _validate.positive_int("n_reference", n_reference)
    observed = _torus_nn_distance(np.mod(p, 1.0)).mean()
    reference = np.mean(
        [_torus_nn_distance(rng.random(p.shape)).mean() for _ in range(n_reference)]
    )
    return float(observed / reference)
