"""Checkers for chapter 04 (grid cells): the rate map, the gridness score, Oja's step.

Every case is seeded and small. Inputs are handed to the student's function as copies, and
a wrong answer is matched against the outputs of known mistakes computed on the same
inputs, so the message can name the mistake. Rate maps hold NaN (bins never visited), so
their NaN pattern is checked first and the values after.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage

from .. import grid as ref
from ..grid import pattern_formation as pf
from ._core import CheckFailed, compare, compare_number, run_checks

# ------------------------------------------------------------------ rate map

_ARENA = 100.0


def _walk(n: int, seed: int, x_max: float = _ARENA) -> np.ndarray:
    """Positions (cm) of a smooth random walk in [0, x_max] × [0, 100], reflecting at the walls."""
    g = np.random.default_rng(seed)
    heading = g.uniform(0, 2 * np.pi) + np.cumsum(0.3 * g.standard_normal(n))
    steps = 1.5 * np.stack([np.cos(heading), np.sin(heading)], axis=1)
    free = g.uniform(0, 1, 2) * [x_max, _ARENA] + np.cumsum(steps, axis=0)
    size = np.array([x_max, _ARENA])
    folded = np.mod(free, 2 * size)
    return np.where(folded > size, 2 * size - folded, folded)


def _plain_rate_map(
    positions: np.ndarray,
    spikes: np.ndarray,
    dt: float,
    bin_size: float,
    smoothing: float,
    *,
    mistake: str = "",
) -> np.ndarray:
    """The rate map written plainly, with one known mistake switched on."""
    n = round(_ARENA / bin_size)
    if mistake == "data-range":  # np.histogram2d without range: edges from min to max
        low, high = positions.min(axis=0), positions.max(axis=0)
        ij = np.clip(np.floor((positions - low) / (high - low) * n).astype(int), 0, n - 1)
    else:
        ij = np.clip(np.floor(positions / bin_size).astype(int), 0, n - 1)
    rows, cols = (ij[:, 0], ij[:, 1]) if mistake == "transposed" else (ij[:, 1], ij[:, 0])
    occupancy = np.zeros((n, n))
    counts = np.zeros((n, n))
    np.add.at(occupancy, (rows, cols), 1.0 if mistake == "no-dt" else dt)
    np.add.at(counts, (rows, cols), spikes)
    sigma = smoothing / bin_size
    truncate = 4.0  # scipy's default; any cut at ≥ 3σ is accepted (_RIGHT_TRUNCATIONS)
    if mistake == "sigma-in-cm":
        sigma = smoothing
    elif mistake == "variance":
        sigma = sigma**2
    elif mistake == "fwhm":
        sigma = sigma / (2 * math.sqrt(2 * math.log(2)))
    elif mistake == "truncated-1":
        truncate = 1.0
    elif mistake.startswith("truncate="):  # a right variant, not a mistake
        truncate = float(mistake.split("=")[1])
    mode = {"reflect": "reflect", "nearest": "nearest"}.get(mistake, "constant")

    def smooth(m: np.ndarray) -> np.ndarray:
        if sigma <= 0:
            return m
        return ndimage.gaussian_filter(m, sigma, mode=mode, truncate=truncate)

    visited = occupancy > 0
    out = np.full((n, n), np.nan)
    if mistake == "no-occupancy":
        out[visited] = smooth(counts)[visited]
    elif mistake == "ratio-then-smooth":
        ratio = np.zeros((n, n))
        ratio[visited] = counts[visited] / occupancy[visited]
        out[visited] = smooth(ratio)[visited]
    else:
        out[visited] = smooth(counts)[visited] / smooth(occupancy)[visited]
    if mistake == "zeros":
        out = np.nan_to_num(out, nan=0.0)
    return out


def _max_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.nan_to_num(a, nan=0.0) - np.nan_to_num(b, nan=0.0))))


def _within(got: object, want: np.ndarray, tolerance: float) -> bool:
    """Same shape and NaN bins as the reference, every rate within ``tolerance`` Hz."""
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        return False
    g = got.astype(np.float64)
    return bool(
        np.array_equal(np.isnan(g), np.isnan(want)) and _max_difference(g, want) <= tolerance
    )


def _rate_map_cases(fn: Callable) -> int:
    g = np.random.default_rng(40)
    walk = _walk(6000, 41)
    half = _walk(4000, 42, x_max=60.0)  # never goes right of x = 60 cm
    grid_rates = ref.grid_field(walk, 40.0, 10.0, (20.0, 30.0))
    cases = [
        (
            "case 1 (grid cell, 6000 samples, dt = 0.02 s, 2.5 cm bins)",
            walk,
            ref.poisson_spikes(grid_rates, 0.02, g),
            0.02,
            2.5,
            2.5,
        ),
        (
            "case 2 (place cell; the rat never visits x > 60 cm)",
            half,
            ref.poisson_spikes(ref.place_field(half, (30.0, 50.0), 10.0), 0.05, g),
            0.05,
            5.0,
            5.0,
        ),
        (
            "case 3 (no smoothing, 10 cm bins)",
            walk,
            ref.poisson_spikes(grid_rates, 0.02, g).astype(float),
            0.02,
            10.0,
            0.0,
        ),
        (
            "case 4 (grid cell, smoothing 5 cm = 2 bins of 2.5 cm)",
            walk,
            ref.poisson_spikes(grid_rates, 0.02, g),
            0.02,
            2.5,
            5.0,
        ),
    ]
    hints = {
        "no-occupancy": "this is the smoothed spike count, not a rate: divide by the smoothed "
        "occupancy (time spent in each bin, s).",
        "ratio-then-smooth": "you divided first and smoothed the ratio; smooth the spike map "
        "and the occupancy map separately, then divide (so briefly visited bins weigh less).",
        "transposed": "x and y are swapped: rows must be y bins and columns x bins "
        "(rate_map[row = y, col = x]).",
        "no-dt": "the occupancy counts samples, not seconds: multiply it by dt so the rate is "
        "in Hz.",
        "reflect": "ndimage.gaussian_filter's default mode 'reflect' invents data beyond the "
        "walls; use mode='constant' (zeros outside the arena) for both maps.",
        "data-range": "the bins span the range of the data, not the arena: the edges must run "
        "from 0 to arena_size (np.linspace(0, arena_size, n_bins + 1)), wherever the rat went.",
        "nearest": "mode 'nearest' repeats the edge bins beyond the walls; use mode='constant' "
        "(zeros outside the arena) for both maps.",
        "sigma-in-cm": "the Gaussian is too wide: smoothing is in cm, and the filter works in "
        "bins — its standard deviation is smoothing / bin_size.",
        "variance": "the Gaussian's width is its standard deviation σ = smoothing / bin_size "
        "bins, not σ² (gaussian_filter's sigma is a standard deviation).",
        "fwhm": "the Gaussian is too narrow: smoothing is its standard deviation, not its full "
        "width at half maximum.",
        "truncated-1": "the Gaussian kernel is cut off too close to its centre (about 1σ): "
        "keep it out to at least 3σ on each side.",
    }
    for case, positions, spikes, dt, bin_size, smoothing in cases:
        kwargs = {"dt": dt, "bin_size": bin_size, "smoothing": smoothing}
        want = ref.rate_map(positions, spikes, _ARENA, **kwargs)
        got = fn(positions.copy(), spikes.copy(), _ARENA, **kwargs)
        mistakes = [
            (_plain_rate_map(positions, spikes, dt, bin_size, smoothing, mistake=m), hint)
            for m, hint in hints.items()
        ]
        # A kernel cut at 3σ (or anywhere beyond) is as right as scipy's default cut at 4σ:
        # accept any map no further from the reference than the 3σ cut is (with a margin).
        cut = _plain_rate_map(positions, spikes, dt, bin_size, smoothing, mistake="truncate=3")
        if _within(got, want, 1.5 * _max_difference(cut, want) + 1e-9):
            continue
        _compare_map(got, want, case, mistakes)
    return len(cases)


def _compare_map(
    got: object, want: np.ndarray, case: str, mistakes: Sequence[tuple[np.ndarray, str]]
) -> None:
    """Compare a map with NaN bins: type, shape, where the NaN are, then the values."""
    if not isinstance(got, np.ndarray):
        kind = type(got).__name__
        raise CheckFailed(f"{case}: the rate map should be a NumPy array, got {kind}.")
    if got.shape != want.shape:
        n = want.shape[0]
        raise CheckFailed(
            f"{case}: expected a rate map of shape {want.shape} (n_bins, n_bins) with "
            f"n_bins = arena_size / bin_size = {n}, got {got.shape}."
        )
    got = got.astype(np.float64)
    want_nan, got_nan = np.isnan(want), np.isnan(got)
    if not np.array_equal(want_nan, got_nan):
        if not got_nan.any():
            zeros = np.nan_to_num(want, nan=0.0)
            if np.allclose(got, zeros, atol=1e-6, rtol=1e-4):
                raise CheckFailed(
                    f"{case}: bins the animal never visited must be NaN (no rate is known "
                    "there), not 0."
                )
        for wrong, hint in mistakes:
            if np.array_equal(np.isnan(wrong), got_nan) and np.allclose(
                np.nan_to_num(got, nan=-1.0), np.nan_to_num(wrong, nan=-1.0), atol=1e-6, rtol=1e-4
            ):
                raise CheckFailed(f"{case}: the rate map is wrong — {hint}")
        raise CheckFailed(
            f"{case}: NaN in {int(got_nan.sum())} bins, expected NaN exactly in the "
            f"{int(want_nan.sum())} bins the animal never visited (occupancy 0)."
        )
    compare(
        "the rate map",
        np.nan_to_num(got, nan=-1.0),
        np.nan_to_num(want, nan=-1.0),
        case,
        "(n_bins, n_bins)",
        mistakes=[(np.nan_to_num(w, nan=-1.0), hint) for w, hint in mistakes],
    )


def rate_map(fn: Callable) -> Callable:
    """Check ``rate_map(positions, spikes, arena_size, *, dt, bin_size, smoothing)``."""
    return run_checks("rate_map", fn, ref.rate_map, _rate_map_cases)


# ------------------------------------------------------------------ gridness


def _plain_gridness(
    ac: np.ndarray,
    inner: float,
    outer: float,
    *,
    angles: Sequence[float] = ref.ROTATION_ANGLES,
    ring: str = "annulus",
    correlation: str = "pearson",
    combine: str = "mean",
    centre: str = "centre bin",
    nan: str = "leave out",
    order: int = 1,
) -> float:
    """Gridness written plainly, with one known mistake switched on."""
    c = ac.shape[0] / 2 if centre == "shape / 2" else ac.shape[0] // 2
    rows, cols = np.indices(ac.shape)
    distance = np.hypot(rows - c, cols - c)
    if ring == "annulus":
        region = (distance >= inner) & (distance <= outer)
    elif ring == "disc":
        region = distance <= outer
    else:
        region = np.ones(ac.shape, dtype=bool)
    source = np.nan_to_num(ac, nan=0.0) if nan == "zero" else ac
    corr = []
    for angle in angles:
        rotated = ndimage.rotate(
            source, angle, reshape=False, order=order, mode="constant", cval=np.nan
        )
        ok = region & ~np.isnan(source) & ~np.isnan(rotated)
        a, b = source[ok], rotated[ok]
        if correlation == "pearson":
            corr.append(np.corrcoef(a, b)[0, 1])
        elif correlation == "dot":
            corr.append(float(a @ b) / a.size)
        else:  # covariance
            corr.append(float(np.mean((a - a.mean()) * (b - b.mean()))))
    c30, c60, c90, c120, c150 = corr
    if combine == "mean":
        return (c60 + c120) / 2 - (c30 + c90 + c150) / 3
    if combine == "min_max":
        return min(c60, c120) - max(c30, c90, c150)
    return (c30 + c90 + c150) / 3 - (c60 + c120) / 2  # swapped


def _dense_map(rates: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    c = ref.bin_centres(_ARENA)
    xy = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)
    return rates(xy).reshape(40, 40)


def _gridness_inputs() -> list[tuple[str, np.ndarray]]:
    noise = ndimage.gaussian_filter(np.random.default_rng(43).random((40, 40)), 1.5)
    maps = [
        (
            "case 1 (an ideal grid, spacing 40 cm)",
            _dense_map(lambda p: ref.grid_field(p, 40.0, 7.0)),
        ),
        (
            "case 2 (a grid with unvisited bins, spacing 30 cm)",
            _dense_map(lambda p: ref.grid_field(p, 30.0, 20.0, (11.0, 5.0))),
        ),
        ("case 3 (a band cell)", _dense_map(lambda p: ref.band_field(p, 30.0, 25.0))),
        ("case 4 (smoothed noise)", noise),
        (
            "case 5 (a grid whose autocorrelogram has NaN bins inside the ring)",
            _dense_map(lambda p: ref.grid_field(p, 35.0, 12.0, (20.0, 8.0))),
        ),
        (
            "case 6 (a fine grid, spacing 18 cm: a small ring)",
            _dense_map(lambda p: ref.grid_field(p, 18.0, 12.0, (3.0, 7.0))),
        ),
    ]
    maps[1][1][:3, :5] = np.nan
    inputs = [(case, ref.autocorrelogram(m)) for case, m in maps]
    # Two patches of lags with no valid overlap, point-symmetric as in a real
    # autocorrelogram, inside the ring but away from the centre.
    holed = inputs[4][1]
    holed[44:50, 50:58] = np.nan
    holed[28:34, 20:28] = np.nan
    return inputs


def _gridness_mistakes() -> list[tuple[dict, str]]:
    return [
        (
            {"combine": "swapped"},
            "the two groups are swapped: 60° and 120° are the hexagonal symmetries "
            "(added), 30°, 90° and 150° the anti-symmetries (subtracted).",
        ),
        (
            {"angles": (45.0, 60.0, 90.0, 120.0, 135.0)},
            "wrong rotation angles: use 30°, 60°, 90°, 120°, 150°.",
        ),
        (
            {"combine": "min_max"},
            "that is the min − max convention; this course uses "
            "mean(c60, c120) − mean(c30, c90, c150).",
        ),
        (
            {"centre": "shape / 2"},
            "the ring is centred half a bin off: the centre of an n × n autocorrelogram "
            "(n odd) is bin (n // 2, n // 2), the zero lag where r = 1, not n / 2.",
        ),
        (
            {"nan": "zero"},
            "NaN bins were set to 0 and entered the correlation: leave out the ring bins "
            "that are NaN in the autocorrelogram or in its rotation (rotate with cval=np.nan "
            "and keep the bins finite in both).",
        ),
        (
            {"ring": "none"},
            "no ring mask: correlate only the bins with inner_radius ≤ distance from "
            "the centre ≤ outer_radius.",
        ),
        (
            {"ring": "disc"},
            "the central peak is included: leave out the bins closer to the centre than "
            "inner_radius (the peak correlates with itself at every angle).",
        ),
        (
            {"correlation": "dot"},
            "unnormalised correlation (a mean product): use the Pearson correlation "
            "(np.corrcoef) of the ring bins.",
        ),
        (
            {"order": 0},
            "a nearest-neighbour rotation (order=0) snaps each rotated bin to a grid bin; "
            "rotate with linear interpolation (order=1).",
        ),
        (
            {"order": 3},
            "a cubic rotation (ndimage.rotate's default order=3) gives other values between "
            "the bins, and NaN spreads through it: rotate with linear interpolation (order=1).",
        ),
        (
            {"correlation": "cov"},
            "that is a covariance: divide by both standard deviations (Pearson r, np.corrcoef).",
        ),
    ]


def _as_float(got: object) -> float:
    try:
        return float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan  # compare_number reports the wrong type


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 0.005


# A score within this of the reference passes: rotating the other way, or handling the
# NaN bins' interpolation neighbours differently, moves it by a few thousandths.
_GRIDNESS_TOLERANCE = 0.01


def _gridness_cases(fn: Callable) -> int:
    """All cases are run first; a mistake is named only if it matches the student's score
    in every case, so that one coincidence cannot produce a misleading hint."""
    runs = []
    for case, ac in _gridness_inputs():
        inner, outer = ref.ring_radii(ac)
        want = ref.gridness(ac, inner_radius=inner, outer_radius=outer)
        got = fn(ac.copy(), inner, outer)
        if got is None:
            raise CheckFailed(f"{case}: your function returned None — return the score.")
        runs.append((case, ac, inner, outer, want, got))
    for case, _, _, _, want, got in runs:
        value = _as_float(got)
        if math.isnan(value) and not math.isnan(want):
            if all(
                _same(_as_float(g), _plain_gridness(a, i, o, order=3)) for _, a, i, o, _, g in runs
            ):
                raise CheckFailed(
                    f"{case}: your score is NaN — a cubic rotation (ndimage.rotate's default "
                    "order=3) spreads every NaN bin over the whole rotated map, so no ring "
                    "bin is left to correlate; rotate with linear interpolation (order=1)."
                )
            raise CheckFailed(
                f"{case}: your score is NaN — leave out bins that are NaN in the "
                "autocorrelogram or in its rotation before correlating."
            )
        if abs(value - want) <= _GRIDNESS_TOLERANCE:
            continue
        for kwargs, hint in _gridness_mistakes():
            if all(
                _same(_as_float(g), _plain_gridness(a, i, o, **kwargs)) for _, a, i, o, _, g in runs
            ):
                raise CheckFailed(f"{case}: the gridness score is wrong — {hint}")
        compare_number("the gridness score", got, want, case, rtol=0.0)
    return len(runs)


def gridness_score(fn: Callable) -> Callable:
    """Check ``gridness_score(autocorr, inner_radius, outer_radius)`` against grid.gridness."""

    def reference(autocorr: np.ndarray, inner_radius: float, outer_radius: float) -> float:
        return ref.gridness(autocorr, inner_radius=inner_radius, outer_radius=outer_radius)

    reference.__name__ = "gridness_score"
    return run_checks("gridness_score", fn, reference, _gridness_cases)


# ------------------------------------------------------------------ Oja's step


def _plain_oja(g: np.ndarray, cov: np.ndarray, lr: float, mistake: str = "") -> np.ndarray:
    gc = g @ cov
    if mistake == "no-decay":
        g = g + lr * gc
    elif mistake == "sign":
        g = g - lr * (gc - (gc * g).sum(1, keepdims=True) * g)
    else:
        g = g + lr * (gc - (gc * g).sum(1, keepdims=True) * g)
    if mistake == "normalise-first":
        g = g / np.linalg.norm(g, axis=1, keepdims=True)
        return np.maximum(g, 0.0)
    if mistake != "no-clip":
        g = np.maximum(g, 0.0)
    if mistake == "no-norm":
        return g
    if mistake == "global-norm":
        return g / np.linalg.norm(g)
    norm = np.linalg.norm(g, axis=1, keepdims=True)
    return g / np.where(norm > 0, norm, 1.0)


def _oja_cases(fn: Callable) -> int:
    g = np.random.default_rng(44)
    a = g.standard_normal((12, 12))
    cov = a @ a.T / 12
    lr = 0.5 / float(np.linalg.eigvalsh(cov)[-1])
    start = np.abs(g.standard_normal((3, 12)))
    start /= np.linalg.norm(start, axis=1, keepdims=True)
    b = g.standard_normal((30, 8))
    cov2 = b @ b.T / 8
    cases = [
        ("case 1 (3 units, 12 positions)", start, cov, lr),
        ("case 2 (one unit, mixed-sign start)", g.standard_normal((1, 30)), cov2, 0.05),
        ("case 3 (a large step)", start, cov, 5 * lr),
    ]
    hints = {
        "no-clip": "the non-negativity constraint is missing: clip with np.maximum(maps, 0) "
        "after the Hebbian step.",
        "no-norm": "the maps must be renormalised to unit length after clipping "
        "(divide each row by its norm).",
        "normalise-first": "clip first, then normalise (clipping after normalising leaves "
        "rows shorter than 1).",
        "no-decay": "the Oja decay term is missing: Δg = lr (Σ g − (gᵀ Σ g) g).",
        "sign": "the step goes downhill: Δg = + lr (Σ g − (gᵀ Σ g) g) climbs the variance.",
        "global-norm": "one norm for all units: each unit's map (each row) has its own norm "
        "(np.linalg.norm along the positions axis).",
    }
    for case, maps, c, step in cases:
        want = pf.oja_step(maps, c, step)
        given = maps.copy()
        got = fn(given, c.copy(), step)
        if not np.array_equal(given, maps):
            raise CheckFailed(
                f"{case}: your function changed the maps passed in (an in-place update such "
                "as maps += …): the caller's maps must stay as they were; work on a copy."
            )
        compare(
            "the updated maps",
            got,
            want,
            case,
            "(n_units, n_positions)",
            shape_hints={
                (maps.shape[1], maps.shape[0]): "transposed: keep one row per unit.",
            },
            mistakes=[(_plain_oja(maps, c, step, m), hint) for m, hint in hints.items()],
            atol=1e-8,
        )
    return len(cases)


def oja_step(fn: Callable) -> Callable:
    """Check ``oja_step(maps, cov, lr)`` (non-negative Oja step) against the reference."""
    return run_checks("oja_step", fn, pf.oja_step, _oja_cases)
