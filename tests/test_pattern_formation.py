"""brainformers.grid.pattern_formation against closed forms and the gridness of its result.

References: ``np.cov``-style centring by hand, ``np.linalg.eigh`` for the top eigenvector,
and Oja's fixed point (an eigenvector of unit length does not move). Seeds fixed.
"""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import grid
from brainformers.grid import arena
from brainformers.grid.pattern_formation import (
    _repulsion,
    decorrelated_nonnegative_pca,
    nonnegative_pca,
    oja_step,
    principal_components,
    spatial_covariance,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_spatial_covariance_centres_each_cell_over_positions():
    r = rng(0).random((30, 7))
    centred = r - r.mean(axis=0)
    np.testing.assert_allclose(spatial_covariance(r), centred @ centred.T / 7, atol=1e-12)
    cov = spatial_covariance(r)
    np.testing.assert_array_equal(cov, cov.T)
    assert np.linalg.eigvalsh(cov).min() > -1e-12


def test_unconstrained_oja_converges_to_the_top_eigenvector():
    a = rng(1).standard_normal((20, 20))
    cov = a @ a.T / 20
    g = rng(2).standard_normal((3, 20))
    top = np.linalg.eigh(cov)[1][:, -1]
    lam = np.linalg.eigvalsh(cov)[-1]
    for _ in range(3000):
        g = oja_step(g, cov, 0.5 / lam, nonnegative=False)
    np.testing.assert_allclose(np.abs(g @ top), 1.0, atol=1e-6)


def test_oja_step_keeps_an_eigenvector_fixed_and_clips():
    a = rng(3).standard_normal((10, 10))
    cov = a @ a.T
    v = np.linalg.eigh(cov)[1][:, -1]
    np.testing.assert_allclose(oja_step(v[None], cov, 1e-3, nonnegative=False)[0], v, atol=1e-12)
    g = oja_step(rng(4).standard_normal((4, 10)), cov, 1e-3)
    assert (g >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(g, axis=1), 1.0)


def test_principal_components_are_the_top_eigenvectors():
    a = rng(5).standard_normal((15, 15))
    cov = a @ a.T
    pcs = principal_components(cov, 4)
    vals, vecs = np.linalg.eigh(cov)
    np.testing.assert_allclose(np.abs(pcs @ vecs[:, -4:][:, ::-1]), np.eye(4), atol=1e-10)
    np.testing.assert_allclose(pcs @ pcs.T, np.eye(4), atol=1e-12)


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="symmetric"):
        oja_step(np.ones((1, 3)), np.arange(9.0).reshape(3, 3), 0.1)
    with pytest.raises(ValueError, match=r"n_positions = 3"):
        oja_step(np.ones((1, 4)), np.eye(3), 0.1)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        nonnegative_pca(np.eye(3), 2, 0)
    with pytest.raises(ValueError, match="at most n_positions"):
        principal_components(np.eye(3), 4)
    with pytest.raises(ValueError, match="square"):
        principal_components(np.ones((3, 4)), 1)


def test_repulsion_is_the_gradient_of_the_correlation_penalty():
    """Against central finite differences of P(G) = ½ Σ_{i≠j} max(0, r_ij - r₀)², with
    r_ij = np.corrcoef of the maps: the repulsion is ½ ∂P/∂g_i."""
    base = rng(6).random(12)
    g = np.abs(base + 0.3 * rng(7).standard_normal((4, 12)))  # correlated, non-negative

    def penalty(maps):
        r = np.corrcoef(maps)
        w = np.maximum(r - 0.3, 0.0)
        np.fill_diagonal(w, 0.0)
        return 0.5 * (w**2).sum()

    numeric = np.zeros_like(g)
    for idx in np.ndindex(g.shape):
        step = np.zeros_like(g)
        step[idx] = 1e-6
        numeric[idx] = (penalty(g + step) - penalty(g - step)) / 2e-6
    np.testing.assert_allclose(_repulsion(g, 0.3), numeric / 2, atol=1e-7)
    assert not np.any(_repulsion(g, 0.999))  # no pair above r₀: no interaction


def test_decorrelated_pca_inputs_are_checked():
    with pytest.raises(ValueError, match="at least 2"):
        decorrelated_nonnegative_pca(np.eye(3), 1, rng(0))
    with pytest.raises(ValueError, match=r"max_correlation must lie in \[0, 1\)"):
        decorrelated_nonnegative_pca(np.eye(3), 2, rng(0), max_correlation=1.0)
    with pytest.raises(ValueError, match="repulsion must be a finite number"):
        decorrelated_nonnegative_pca(np.eye(3), 2, rng(0), repulsion=-1.0)


@pytest.fixture(scope="module")
def box_covariance():
    """Σ of 1024 difference-of-Gaussians place cells (σ = 7.5 cm) over a 40 × 40 map."""
    c = grid.bin_centres(100.0)
    xy = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)
    centres = arena.place_cell_centres(1024, seed=0)
    return spatial_covariance(arena.place_cell_rates(xy, centres, 7.5))


def test_nonnegative_pca_of_place_cells_gives_grids_and_decorrelation_makes_them_distinct(
    box_covariance,
):
    """The chapter's headline at test size (16 units, 500 steps); measured with these seeds:
    independent units median gridness 1.11 but only 8 distinct maps (the walls pin a few
    phases); with the repulsion 16 distinct maps, median gridness 1.10; the top principal
    components score median ≈ -0.1."""
    independent = nonnegative_pca(box_covariance, 16, rng(0), n_steps=500).reshape(-1, 40, 40)
    assert (independent >= 0).all()
    assert grid.n_distinct_maps(independent) <= 12
    maps = decorrelated_nonnegative_pca(box_covariance, 16, rng(0), n_steps=500)
    maps = maps.reshape(-1, 40, 40)
    assert (maps >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(maps.reshape(16, -1), axis=1), 1.0)
    assert grid.n_distinct_maps(maps) == 16
    scores = np.array([grid.gridness(grid.autocorrelogram(m)) for m in maps])
    assert np.median(scores) > 0.8
    pcs = principal_components(box_covariance, 8).reshape(-1, 40, 40)
    pc_scores = np.array([grid.gridness(grid.autocorrelogram(m)) for m in pcs])
    assert np.nanmedian(pc_scores) < 0.4
