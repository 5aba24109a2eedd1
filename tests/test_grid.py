"""brainformers.grid against independent references and known answers.

References: explicit loops (binning, the Pearson autocorrelation at every lag, pairwise map
correlations with ``np.corrcoef``), exact 90° rotation with ``np.rot90``, and closed forms
(a constant-rate neuron has a constant map; the plane-wave fields are periodic with the
stated spacing). Every random draw comes from a fixed seed.

Tolerances: 1e-12 for float64 results computed two ways (1e-10 for FFT against loops).
Statistical thresholds sit well clear of the values the fixed seeds give, quoted beside each
(measured with these seeds): ideal grids score 1.29–1.41, band fields -0.34 … 0.20, place
fields -0.42 … -0.09, smoothed noise maps -0.09 ± 0.24.
"""

from __future__ import annotations

import numpy as np
import pytest
from brainformers.grid import (
    ROTATION_ANGLES,
    autocorrelogram,
    band_field,
    band_pass_fields,
    bin_centres,
    dominant_wavenumber,
    grid_field,
    gridness,
    gridness_details,
    lattice_fit,
    map_groups,
    map_similarity,
    n_distinct_maps,
    null_threshold,
    occupancy_map,
    phase_spread,
    place_field,
    poisson_spikes,
    rate_map,
    ring_radii,
    rotational_correlations,
    shuffle_null,
)
from scipy import ndimage

ARENA = 100.0  # cm
BIN = 2.5  # cm → 40 × 40 maps


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def random_walk(n_samples: int, dt: float, seed: int, speed: float = 20.0) -> np.ndarray:
    """A smooth random walk in the arena (cm), reflecting at the walls.

    The heading diffuses (2 rad/√s); the free path is folded back into [0, ARENA] in each
    coordinate, which is exactly reflection at the walls.
    """
    r = rng(seed)
    heading = r.uniform(0, 2 * np.pi) + np.cumsum(2.0 * np.sqrt(dt) * r.standard_normal(n_samples))
    steps = speed * dt * np.stack([np.cos(heading), np.sin(heading)], axis=1)
    free = r.uniform(0, ARENA, 2) + np.cumsum(steps, axis=0)
    folded = np.mod(free, 2 * ARENA)
    return np.where(folded > ARENA, 2 * ARENA - folded, folded)


def dense_map(field, n_per_bin: int = 4, **kwargs) -> np.ndarray:
    """Noise-free rate map of a field sampled on a dense lattice of positions."""
    c = (np.arange(40 * n_per_bin) + 0.5) * ARENA / (40 * n_per_bin)
    xy = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)
    dt = 0.02
    return rate_map(xy, field(xy) * dt, ARENA, dt=dt, **kwargs)


def score(m: np.ndarray, **kwargs) -> float:
    return gridness(autocorrelogram(m), **kwargs)


def noise_map(seed: int) -> np.ndarray:
    return ndimage.gaussian_filter(rng(seed).random((40, 40)), 1.0)


# ----------------------------------------------------------------------- rate maps


def test_bin_centres():
    np.testing.assert_allclose(bin_centres(10.0, 2.5), [1.25, 3.75, 6.25, 8.75])
    assert bin_centres(ARENA).shape == (40,)


def test_occupancy_counts_time_per_bin_against_a_loop():
    xy = rng(1).uniform(0, 10.0, (500, 2))
    occ = occupancy_map(xy, 10.0, dt=0.1, bin_size=2.5)
    loop = np.zeros((4, 4))
    for x, y in xy:
        loop[min(int(y // 2.5), 3), min(int(x // 2.5), 3)] += 0.1  # [row = y, col = x]
    np.testing.assert_allclose(occ, loop, atol=1e-12)
    assert occ.sum() == pytest.approx(50.0)


def test_unsmoothed_rate_map_is_spikes_over_time_per_bin():
    xy = rng(2).uniform(0, 10.0, (400, 2))
    xy[:5] = [[10.0, 10.0], [0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [5.0, 5.0]]  # edges included
    spikes = rng(3).poisson(0.5, 400)
    m = rate_map(xy, spikes, 10.0, dt=0.02, bin_size=2.5, smoothing=0.0)
    counts, time = np.zeros((4, 4)), np.zeros((4, 4))
    for (x, y), s in zip(xy, spikes, strict=True):
        i, j = min(int(y // 2.5), 3), min(int(x // 2.5), 3)
        counts[i, j] += s
        time[i, j] += 0.02
    np.testing.assert_allclose(m, counts / time, atol=1e-12)


def test_constant_rate_neuron_gives_constant_map_and_nan_where_never_visited():
    r = rng(4)
    xy = np.column_stack([r.uniform(0, 70.0, 40_000), r.uniform(0, ARENA, 40_000)])
    dt = 0.02
    exact = rate_map(xy, np.full(len(xy), 3.0 * dt), ARENA, dt=dt)  # expected counts
    assert exact.shape == (40, 40)
    assert np.isnan(exact[:, 28:]).all()  # x ≥ 70 cm: never visited
    assert not np.isnan(exact[:, :28]).any()
    np.testing.assert_allclose(exact[:, :28], 3.0, rtol=1e-12)
    spikes = poisson_spikes(np.full(len(xy), 3.0), dt, r)
    empirical = spikes.sum() / (len(xy) * dt)  # 2.86 Hz with this seed (2,286 spikes)
    visited = rate_map(xy, spikes, ARENA, dt=dt)[:, :28]
    assert visited.mean() == pytest.approx(empirical, rel=0.02)  # measured 0.1% apart
    # Poisson noise: ~25 spikes under a 1-bin Gaussian kernel (4π σ² ≈ 12.6 bins × 2 spikes)
    # → relative spread ≈ 1/√25 = 0.2; measured 0.20.
    assert visited.std() / empirical < 0.3


def test_rate_map_normalises_by_occupancy():
    """Firing only for x < 50 cm: ≈ 0 Hz on the right however long the animal stays there,
    and the same rate on the left however rarely it goes."""
    r = rng(5)
    left = np.column_stack([r.uniform(0, 50, 5_000), r.uniform(0, ARENA, 5_000)])
    right = np.column_stack([r.uniform(50, ARENA, 40_000), r.uniform(0, ARENA, 40_000)])
    xy = np.concatenate([left, right])
    dt = 0.02
    m = rate_map(xy, np.where(xy[:, 0] < 50, 8.0 * dt, 0.0), ARENA, dt=dt)
    # Kernel truncated at 4 σ = 10 cm = 4 bins from the boundary at column 20.
    assert np.abs(m[:, 24:]).max() < 1e-9
    np.testing.assert_allclose(m[:, :16], 8.0, rtol=1e-9)
    # Without occupancy normalisation the spike map alone would follow the occupancy.
    occ = occupancy_map(xy, ARENA, dt=dt)
    assert occ[:, 24:].mean() > 5 * occ[:, :16].mean()


def test_rate_map_accepts_integer_spikes_and_seeded_poisson():
    xy = random_walk(2_000, 0.05, seed=6)
    spikes = poisson_spikes(np.full(2_000, 5.0), 0.05, rng(7))
    assert spikes.dtype == np.int64
    np.testing.assert_array_equal(spikes, poisson_spikes(np.full(2_000, 5.0), 0.05, rng(7)))
    assert spikes.mean() == pytest.approx(0.25, abs=0.03)  # measured 0.25
    np.testing.assert_allclose(
        rate_map(xy, spikes, ARENA, dt=0.05), rate_map(xy, spikes.astype(float), ARENA, dt=0.05)
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "fragments"),
    [
        (
            {"positions": np.array([[10.0, 10.0], [101.0, 5.0], [-2.0, 50.0]])},
            ValueError,
            ["inside the arena [0, 100] cm", "2 of 3 samples lie outside", "x from -2 to 101"],
        ),
        ({"spikes": np.zeros(4)}, ValueError, ["n_samples = 3", "shape (4,)"]),
        (
            {"spikes": np.array([1.0, -1.0, -2.0])},
            ValueError,
            ["non-negative", "2 are negative", "smallest -2"],
        ),
        ({"positions": np.zeros((3, 3))}, ValueError, ["(n_samples, 2)", "(3, 3)"]),
        ({"positions": [[1.0, 2.0]] * 3}, TypeError, ["numpy.ndarray", "np.asarray"]),
        (
            {"positions": np.array([[1.0, np.nan], [2.0, 2.0], [3.0, 3.0]])},
            ValueError,
            ["finite"],
        ),
        ({"bin_size": 3.0}, ValueError, ["whole number of bins", "33.3333"]),
        ({"arena_size": 1.0}, ValueError, ["looks like metres"]),
        ({"dt": 0.0}, ValueError, ["dt must be positive"]),
        ({"smoothing": -1.0}, ValueError, ["smoothing must be zero or positive"]),
    ],
)
def test_rate_map_rejects_bad_input_clearly(kwargs, error, fragments):
    args = {
        "positions": np.array([[10.0, 10.0], [20.0, 50.0], [90.0, 99.0]]),
        "spikes": np.array([0.0, 1.0, 2.0]),
        "arena_size": ARENA,
        "dt": 0.02,
    } | kwargs
    positions, spikes, arena = args.pop("positions"), args.pop("spikes"), args.pop("arena_size")
    with pytest.raises(error) as info:
        rate_map(positions, spikes, arena, **args)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


# ----------------------------------------------------------------- autocorrelogram


def brute_force_autocorrelogram(m: np.ndarray, min_overlap: int) -> np.ndarray:
    """Pearson r over overlapping valid bins at each lag, by explicit loops."""
    h, w = m.shape
    out = np.full((2 * h - 1, 2 * w - 1), np.nan)
    for ty in range(-h + 1, h):
        for tx in range(-w + 1, w):
            a, b = [], []
            for i in range(h):
                for j in range(w):
                    if 0 <= i + ty < h and 0 <= j + tx < w:
                        if not (np.isnan(m[i, j]) or np.isnan(m[i + ty, j + tx])):
                            a.append(m[i, j])
                            b.append(m[i + ty, j + tx])
            if len(a) >= min_overlap and np.std(a) > 0 and np.std(b) > 0:
                out[ty + h - 1, tx + w - 1] = np.corrcoef(a, b)[0, 1]
    return out


def test_autocorrelogram_matches_brute_force_loop_with_nan_bins():
    m = rng(8).gamma(2.0, 3.0, (6, 7))
    m[1, 2] = m[4, 5] = m[0, 6] = np.nan
    fast = autocorrelogram(m, min_overlap=4)
    slow = brute_force_autocorrelogram(m, min_overlap=4)
    assert fast.shape == (11, 13)
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(slow))
    np.testing.assert_allclose(fast, slow, atol=1e-10, equal_nan=True)
    assert fast[5, 6] == pytest.approx(1.0, abs=1e-12)  # zero lag
    np.testing.assert_allclose(fast, fast[::-1, ::-1], atol=1e-12, equal_nan=True)  # r(τ) = r(-τ)


def test_autocorrelogram_lag_direction_rows_are_y():
    """A map varying only along x (columns) stays correlated along the y lag."""
    m = np.tile(np.sin(np.linspace(0, 6, 12)), (10, 1))  # (10 y bins, 12 x bins)
    ac = autocorrelogram(m, min_overlap=5)
    np.testing.assert_allclose(ac[:, 11], 1.0, atol=1e-12)  # x lag 0, any y lag
    assert ac[9, 15] < 0.5  # y lag 0, x lag 4


def test_autocorrelogram_min_overlap_and_degenerate_maps():
    m = noise_map(9)
    ac = autocorrelogram(m)  # 40 × 40, default min_overlap 20
    assert np.isnan(ac[0, 0]) and np.isnan(ac[78, 78])  # one overlapping bin
    assert not np.isnan(ac[39, 39])
    assert np.isnan(autocorrelogram(np.zeros((5, 5)))).all()  # silent neuron: no correlation
    assert np.isnan(autocorrelogram(np.full((5, 5), np.nan))).all()
    with pytest.raises(ValueError, match="2 dimensions"):
        autocorrelogram(np.zeros(5))
    with pytest.raises(ValueError, match="infinity"):
        autocorrelogram(np.array([[1.0, np.inf], [0.0, 1.0]]))


# ----------------------------------------------------------------------- gridness


@pytest.mark.parametrize("spacing", [30.0, 45.0, 60.0])
@pytest.mark.parametrize("orientation", [0.0, 10.0, 20.0])
def test_ideal_grid_scores_high_at_any_orientation(spacing, orientation):
    """Measured 1.29–1.41 (mean − mean), and within 0.005 of that with min − max."""
    m = dense_map(lambda xy: grid_field(xy, spacing, orientation, (13.0, 7.0)))
    assert score(m) > 1.0
    assert score(m, convention="min_max") > 1.0


def test_grid_ring_holds_the_six_nearest_peaks():
    m = dense_map(lambda xy: grid_field(xy, 40.0, 5.0, (50.0, 50.0)))
    inner, outer = ring_radii(autocorrelogram(m))
    assert 2 <= inner <= 8  # edge of the central peak, measured 6
    assert outer - inner == pytest.approx(40.0 / BIN, abs=1.0)  # six peaks at the spacing
    c = rotational_correlations(autocorrelogram(m), inner, outer)
    assert c.shape == (len(ROTATION_ANGLES),)
    assert c[1] > 0.9 and c[3] > 0.9  # 60°, 120°
    assert max(c[0], c[2], c[4]) < 0  # 30°, 90°, 150°


@pytest.mark.parametrize("spacing", [20.0, 35.0, 50.0])
@pytest.mark.parametrize("orientation", [0.0, 17.0, 45.0])
def test_band_field_scores_low(spacing, orientation):
    """Measured -0.34 … 0.20."""
    assert score(dense_map(lambda xy: band_field(xy, spacing, orientation, (3.0, 4.0)))) < 0.3


@pytest.mark.parametrize(("centre", "width"), [((50, 50), 8), ((30, 60), 10), ((20, 20), 15)])
def test_place_field_scores_low(centre, width):
    """Measured -0.19 and -0.09; the wide field in a corner has no ring of valid bins (its
    tails fall below the autocorrelogram's variance floor): NaN, which is not a grid either
    (-0.42 with no minimum share)."""
    s = score(dense_map(lambda xy: place_field(xy, centre, width)))
    assert not s >= 0.3
    assert score(dense_map(lambda xy: place_field(xy, centre, width)), min_valid_fraction=0) < 0.3


def test_noise_maps_score_near_zero_on_average():
    scores = np.array([score(noise_map(seed)) for seed in range(20)])
    assert not np.isnan(scores).any()
    assert abs(scores.mean()) < 0.15  # measured -0.09 (spread 0.24)
    assert np.abs(scores).max() < 0.8


def test_rotation_by_90_matches_exact_rot90():
    """Linear interpolation is exact at 90°: c90 equals the Pearson r with np.rot90 on the ring."""
    ac = autocorrelogram(noise_map(10))
    inner, outer = 3.0, 15.0
    rows, cols = np.indices(ac.shape)
    d = np.hypot(rows - 39, cols - 39)
    ring = (d >= inner) & (d <= outer)
    for rotated in (np.rot90(ac), np.rot90(ac, -1)):  # either direction: r(τ) = r(-τ)
        expected = np.corrcoef(ac[ring], rotated[ring])[0, 1]
        assert rotational_correlations(ac, inner, outer)[2] == pytest.approx(expected, abs=1e-9)


def test_mean_and_min_max_conventions_from_the_correlations():
    ac = autocorrelogram(dense_map(lambda xy: grid_field(xy, 35.0, 0.0, (0.0, 0.0))))
    inner, outer = ring_radii(ac)
    c30, c60, c90, c120, c150 = rotational_correlations(ac, inner, outer)
    assert gridness(ac) == pytest.approx((c60 + c120) / 2 - (c30 + c90 + c150) / 3, abs=1e-12)
    assert gridness(ac, convention="min_max") == pytest.approx(
        min(c60, c120) - max(c30, c90, c150), abs=1e-12
    )
    # An explicit ring overrides the automatic one.
    assert gridness(ac, inner_radius=inner, outer_radius=outer) == pytest.approx(gridness(ac))


def sparse_map(centres, width=6.0) -> np.ndarray:
    """Fields cut off below 1 Hz: the map is exactly 0 (silent) away from its fields."""
    return dense_map(
        lambda xy: np.maximum(sum(place_field(xy, c, width) for c in centres) - 1.0, 0.0)
    )


def test_gridness_details_report_the_ring_and_its_valid_share():
    ac = autocorrelogram(dense_map(lambda xy: grid_field(xy, 40.0, 7.0)))
    d = gridness_details(ac)
    assert d.reason == "" and d.valid_fraction == pytest.approx(1.0)
    assert d.score == pytest.approx(gridness(ac))
    assert (d.inner_radius, d.outer_radius) == pytest.approx(ring_radii(ac))
    np.testing.assert_allclose(d.correlations, rotational_correlations(ac, *ring_radii(ac)))


def test_a_sparse_map_gives_nan_with_a_reason_not_a_score_on_a_few_bins():
    """One field, silent elsewhere: the autocorrelogram is NaN wherever one side of the
    overlap is all zeros (83 % of it), and the automatic ring keeps 16 % of its bins."""
    ac = autocorrelogram(sparse_map([(30.0, 30.0)]))
    assert np.isnan(ac).mean() > 0.5
    d = gridness_details(ac)
    assert np.isnan(d.score) and np.isnan(gridness(ac))
    assert d.valid_fraction < 0.5
    assert "of the ring's bins are valid" in d.reason and "sparse map" in d.reason
    # The share is what decides: with no minimum, the same ring gives a number.
    assert np.isfinite(gridness(ac, min_valid_fraction=0.0))
    assert np.isnan(rotational_correlations(ac, d.inner_radius, d.outer_radius)).all()


def test_nan_bins_inside_the_ring_count_against_the_valid_share():
    ac = autocorrelogram(dense_map(lambda xy: grid_field(xy, 40.0, 7.0)))
    inner, outer = ring_radii(ac)
    rows, cols = np.indices(ac.shape)
    angle = np.arctan2(rows - 39, cols - 39)
    holed = ac.copy()
    holed[(angle > 0) & (angle < 0.5)] = np.nan  # a thin wedge: most of the ring stays
    d = gridness_details(holed, inner_radius=inner, outer_radius=outer)
    assert d.reason == "" and 0.5 < d.valid_fraction < 0.95
    assert abs(d.score - gridness(ac)) < 0.3
    holed[angle > -1.0] = np.nan  # most of the plane: too little left
    d = gridness_details(holed, inner_radius=inner, outer_radius=outer)
    assert np.isnan(d.score) and "valid" in d.reason


def test_reasons_for_other_nan_scores():
    assert "all NaN" in gridness_details(autocorrelogram(np.ones((10, 10)))).reason
    ac = autocorrelogram(noise_map(12))
    d = gridness_details(ac, inner_radius=6.0, outer_radius=4.0)
    assert np.isnan(d.score) and "ring is empty" in d.reason


def test_gridness_rejects_maps_that_are_not_autocorrelograms():
    m = noise_map(11)
    with pytest.raises(ValueError, match="did you pass the rate map"):
        gridness(m)  # (40, 40): no centre bin
    with pytest.raises(ValueError, match="r = 1 at zero lag"):
        gridness(3.0 * autocorrelogram(m))
    with pytest.raises(ValueError, match="'mean' or 'min_max'"):
        gridness(autocorrelogram(m), convention="max")
    with pytest.raises(ValueError, match="outer_radius must exceed inner_radius"):
        rotational_correlations(autocorrelogram(m), 5.0, 4.0)
    assert np.isnan(gridness(autocorrelogram(np.ones((10, 10)))))  # constant map: no score


# --------------------------------------------------------------- idealised fields


def test_grid_field_peaks_at_phase_and_repeats_on_the_lattice():
    spacing, orientation, phase = 40.0, 20.0, np.array([30.0, 40.0])
    theta = np.deg2rad(orientation + np.array([0.0, 60.0, 120.0]))
    lattice = spacing * np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (3, 2)
    points = np.vstack([phase, phase + lattice, phase - lattice, phase + lattice[0] + lattice[1]])
    np.testing.assert_allclose(grid_field(points, spacing, orientation, phase), 10.0, rtol=1e-12)
    xy = rng(12).uniform(-50, 150, (1_000, 2))
    rates = grid_field(xy, spacing, orientation, phase, peak_rate=7.0)
    assert rates.min() >= 0 and rates.max() <= 7.0
    np.testing.assert_allclose(
        grid_field(xy + lattice[1], spacing, orientation, phase, peak_rate=7.0), rates, atol=1e-9
    )


def test_band_and_place_fields():
    xy = rng(13).uniform(0, 100, (500, 2))
    u = np.array([np.cos(np.deg2rad(30.0)), np.sin(np.deg2rad(30.0))])

    def band(points):
        return band_field(points, 25.0, 30.0, (10.0, 10.0), peak_rate=4.0)

    np.testing.assert_allclose(band(xy + 25.0 * u), band(xy))  # periodic across the bands
    along = np.array([-u[1], u[0]])
    np.testing.assert_allclose(band(xy + 7.0 * along), band(xy))  # constant along them
    assert band(xy).min() >= 0 and band(xy).max() <= 4.0
    assert band_field(np.array([[10.0, 10.0]]), 25.0, 30.0, (10.0, 10.0))[0] == pytest.approx(10.0)
    place = place_field(np.array([[40.0, 60.0], [48.0, 60.0]]), (40.0, 60.0), 8.0, peak_rate=5.0)
    np.testing.assert_allclose(place, [5.0, 5.0 * np.exp(-0.5)])


def test_field_inputs_are_checked():
    xy = np.zeros((3, 2))
    with pytest.raises(ValueError, match="spacing must be positive"):
        grid_field(xy, 0.0)
    with pytest.raises(ValueError, match=r"phase must be a point \(x, y\)"):
        grid_field(xy, 40.0, 0.0, (1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="width must be positive"):
        place_field(xy, (0.0, 0.0), -1.0)
    with pytest.raises(ValueError, match="rates must be non-negative"):
        poisson_spikes(np.array([1.0, -0.5]), 0.1, rng(0))
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        poisson_spikes(np.array([1.0]), 0.1, 0)


# ------------------------------------------------------------------ shuffle null


@pytest.fixture(scope="module")
def walk():
    """15 minutes at 20 Hz of a random walk at 20 cm/s (18,000 samples)."""
    dt = 0.05
    return random_walk(18_000, dt, seed=14), dt


def test_shuffle_null_of_a_grid_cell_lies_far_below_its_score(walk):
    positions, dt = walk
    spikes = poisson_spikes(grid_field(positions, 40.0, 10.0, (20.0, 30.0)), dt, rng(15))
    real = score(rate_map(positions, spikes, ARENA, dt=dt))
    null = shuffle_null(positions, spikes, ARENA, dt=dt, rng=rng(16), n_shuffles=40)
    assert null.shape == (40,)
    p95 = null_threshold(null)
    assert real > 1.0  # measured 1.33
    assert real > p95 + 0.5  # p95 measured 0.44
    assert abs(np.nanmean(null)) < 0.25  # measured 0.02
    np.testing.assert_array_equal(  # seeded
        null, shuffle_null(positions, spikes, ARENA, dt=dt, rng=rng(16), n_shuffles=40)
    )


def test_place_cells_rarely_pass_the_shuffle_null(walk):
    """Six place cells, each against its own null: a grid-cell false positive would be a
    score above the 95th percentile; measured 0 of 6 (scores -0.42 … -0.07, p95 0.07 … 0.50)."""
    positions, dt = walk
    passed = 0
    for seed in range(6):
        r = rng(100 + seed)
        rates = place_field(positions, r.uniform(20, 80, 2), 8.0)
        spikes = poisson_spikes(rates, dt, r)
        real = score(rate_map(positions, spikes, ARENA, dt=dt))
        null = shuffle_null(positions, spikes, ARENA, dt=dt, rng=r, n_shuffles=20)
        passed += bool(real > null_threshold(null))  # NaN (no score) does not pass
    assert passed <= 1


def test_shuffle_null_needs_room_for_the_minimum_shift():
    xy = rng(17).uniform(0, ARENA, (799, 2))  # 799 × 0.05 s = 39.95 s < 2 × 20 s
    with pytest.raises(ValueError, match="at least 2 · min_shift_s = 40 s"):
        shuffle_null(xy, np.ones(799), ARENA, dt=0.05, rng=rng(0), n_shuffles=2)
    xy = rng(17).uniform(0, ARENA, (800, 2))  # exactly 40 s: the only shift is 20 s
    assert shuffle_null(xy, np.ones(800), ARENA, dt=0.05, rng=rng(0), n_shuffles=2).shape == (2,)


def test_null_threshold():
    null = rng(18).normal(size=200)
    assert null_threshold(null) == pytest.approx(np.percentile(null, 95))
    with_nan = np.concatenate([null, [np.nan, np.nan]])
    assert null_threshold(with_nan, 50) == pytest.approx(np.median(null))
    with pytest.raises(ValueError, match="all NaN"):
        null_threshold(np.full(3, np.nan))
    with pytest.raises(ValueError, match=r"percentile must lie in \[0, 100\]"):
        null_threshold(null, 0.95 * 200)


# ------------------------------------------------------------------- diversity


def test_map_similarity_against_corrcoef_on_common_bins():
    maps = np.stack([noise_map(s) for s in range(4)])
    maps[0, :5] = np.nan
    maps[2, :, -3:] = np.nan
    r = map_similarity(maps)
    for i in range(4):
        for j in range(4):
            both = ~np.isnan(maps[i]) & ~np.isnan(maps[j])
            expected = np.corrcoef(maps[i][both], maps[j][both])[0, 1]
            assert r[i, j] == pytest.approx(expected, abs=1e-10)


def test_identical_maps_form_one_group_and_independent_maps_do_not():
    one = dense_map(lambda xy: grid_field(xy, 40.0, 0.0, (10.0, 10.0)))
    copies = np.stack([one] * 5)
    np.testing.assert_allclose(map_similarity(copies), 1.0, atol=1e-12)
    assert n_distinct_maps(copies) == 1
    noise = np.stack([noise_map(s) for s in range(20, 30)])
    r = map_similarity(noise)
    off_diagonal = r[~np.eye(10, dtype=bool)]
    # Smoothed noise has ≈ 1600 / (4π σ²) ≈ 130 independent bins: r spreads by ≈ 0.09;
    # measured max |r| 0.18 over 45 pairs.
    assert np.abs(off_diagonal).max() < 0.35
    assert n_distinct_maps(noise) == 10
    # Same grid, different phases: all distinct.
    phases = rng(19).uniform(0, 40, (6, 2))
    shifted = np.stack([dense_map(lambda xy, p=p: grid_field(xy, 40.0, 0.0, p)) for p in phases])
    assert n_distinct_maps(shifted) == 6


def test_map_groups_see_a_partial_collapse_that_the_median_correlation_misses():
    """Three maps copied 4, 3 and 1 times, and 8 independent maps: the median pairwise r
    stays near 0 (most pairs are unrelated) while the groups count 3 + 8 = 11 maps."""
    base = [noise_map(s) for s in range(40, 43)]
    r = rng(20)
    copies = [base[k] + 0.002 * r.standard_normal((40, 40)) for k in (0, 0, 0, 0, 1, 1, 1, 2)]
    maps = np.stack(copies + [noise_map(s) for s in range(50, 58)])
    labels = map_groups(maps)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert n_distinct_maps(maps) == 11
    pairs = map_similarity(maps)[np.triu_indices(16, 1)]
    assert abs(np.median(pairs)) < 0.1  # measured 0.01: the median cannot see the copies


def test_map_groups_link_chains_and_never_link_nan_pairs():
    """Single linkage: a chain of near-copies is one map even where its ends differ more."""
    a, b = noise_map(60), noise_map(61)
    chain = np.stack([a + t * (b - a) for t in np.linspace(0, 1, 12)])
    r = map_similarity(chain)
    assert r[0, -1] < 0.9 and np.all(np.diag(r, 1) > 0.9)  # ends differ, neighbours do not
    assert n_distinct_maps(chain) == 1
    silent = np.stack([a, np.zeros((40, 40)), np.zeros((40, 40))])  # constant maps: r NaN
    assert map_groups(silent).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        map_groups(chain, 1.5)


def test_map_similarity_needs_two_units():
    with pytest.raises(ValueError, match="at least 2 units"):
        map_similarity(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="3 dimensions"):
        map_similarity(np.zeros((4, 4)))


# ---------------------------------------------------------------- structured null and phases


def _grid_maps(spacing, orientation, phases, n_bins=40, bin_size=2.5):
    centres = bin_centres(n_bins * bin_size, bin_size)
    xy = np.stack(np.meshgrid(centres, centres), -1).reshape(-1, 2)  # (n_bins², 2): x, y
    return np.stack(
        [grid_field(xy, spacing, orientation, p).reshape(n_bins, n_bins) for p in phases]
    )


def test_dominant_wavenumber_of_ideal_grids():
    maps = _grid_maps(40.0, 7.0, [(0.0, 0.0), (13.0, 5.0)])
    k = dominant_wavenumber(maps)
    assert k == pytest.approx(4 * np.pi / (np.sqrt(3) * 40.0), rel=0.05)


def test_band_pass_fields_are_non_negative_at_their_frequency_and_seeded():
    k = 0.15
    fields = band_pass_fields(16, 40, k, np.random.default_rng(0))
    assert fields.shape == (16, 40, 40) and fields.min() == 0.0
    assert 0.2 < np.mean(fields > 0) < 0.8  # clipped near half the bins, not all or none
    assert dominant_wavenumber(fields) == pytest.approx(k, rel=0.1)
    again = band_pass_fields(16, 40, k, np.random.default_rng(0))
    np.testing.assert_array_equal(fields, again)
    with pytest.raises(ValueError, match="wavenumber"):
        band_pass_fields(4, 40, -1.0, np.random.default_rng(0))


def test_band_pass_fields_score_far_below_ideal_grids():
    # Measured with these seeds: median gridness 0.09 for the fields, 1.29 or more for grids.
    k = 4 * np.pi / (np.sqrt(3) * 40.0)
    fields = band_pass_fields(32, 40, k, np.random.default_rng(1))
    scores = np.array([gridness(autocorrelogram(f)) for f in fields])
    assert np.nanmedian(scores) < 0.5
    grids = _grid_maps(40.0, 7.0, [(3.0, 4.0)])
    assert gridness(autocorrelogram(grids[0])) > 1.0


def test_lattice_fit_recovers_spacing_orientation_and_phase_shifts():
    spacing, orientation = 40.0, 7.0
    axis = spacing * np.array([np.cos(np.deg2rad(orientation)), np.sin(np.deg2rad(orientation))])
    p0 = np.array([11.0, 17.0])
    maps = _grid_maps(spacing, orientation, [p0, p0 + axis, p0 + axis / 2])
    fit = lattice_fit(maps, 4 * np.pi / (np.sqrt(3) * spacing))
    np.testing.assert_allclose(fit.spacing, spacing, rtol=0.03)
    np.testing.assert_allclose(fit.orientation, orientation, atol=1.5)
    d = fit.phase[:, None] - fit.phase[None]
    d -= np.rint(d)
    # shifted by a whole lattice vector: the same phase; by half of one: half a spacing away
    a = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2]])
    shifts = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)])
    dist = np.linalg.norm((d[:, :, None, :] + shifts) @ a, axis=-1).min(-1)
    assert dist[0, 1] < 0.05
    assert dist[0, 2] == pytest.approx(0.5, abs=0.05)


def test_phase_spread_separates_random_clustered_and_tiled_phases():
    rng = np.random.default_rng(2)
    random_values = [phase_spread(rng.random((32, 2)), rng, n_reference=50) for _ in range(20)]
    assert 0.85 < np.mean(random_values) < 1.15  # ≈ 1 by construction
    clustered = 0.5 + 0.01 * rng.standard_normal((32, 2))
    assert phase_spread(clustered, rng, n_reference=50) < 0.2
    copies = np.repeat(rng.random((4, 2)), 8, axis=0)  # four maps, eight copies each
    assert phase_spread(copies, rng, n_reference=50) == pytest.approx(0.0, abs=1e-12)
    u, v = np.meshgrid(np.arange(6) / 6, np.arange(6) / 6)
    tiled = np.stack([u.ravel(), v.ravel()], axis=1)  # an even 6 × 6 tiling of the rhombus
    assert phase_spread(tiled, rng, n_reference=50) > 1.5
    with pytest.raises(ValueError, match="phase"):
        phase_spread(np.zeros((1, 2)), rng)


def test_lattice_fit_of_random_phase_grids_spreads_like_random_phases():
    rng = np.random.default_rng(3)
    spacing = 40.0
    maps = _grid_maps(spacing, 7.0, rng.uniform(0, 100, (24, 2)))
    fit = lattice_fit(maps, 4 * np.pi / (np.sqrt(3) * spacing))
    assert 0.7 < phase_spread(fit.phase, rng, n_reference=100) < 1.4
