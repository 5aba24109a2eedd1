"""Where grids come from: non-negative PCA of place-cell covariances.

Dordek et al. (2016) asked what a single layer learns from place cells with the Hebbian
(Oja) rule, which finds the principal component of its inputs. Unconstrained, the answer
is a square-ish wave fitted to the box; with the weights (or rates) held non-negative, it
is a hexagonal grid. Sorscher et al. (2019, 2023) put this in one line: a non-negative
map g(x) that maximises gᵀ Σ g, where Σ(x, x') is the covariance of place-cell firing
between positions x and x'. When the place cells have a centre–surround
(difference-of-Gaussians) shape, Σ is a band-pass filter: it favours one spatial
frequency |k| = k*, in every direction. Any combination of plane waves on that ring gives
the same variance; the non-negativity rewards those whose peaks line up, and three waves
60° apart do that best — a hexagonal lattice. Pattern formation, as in Turing's stripes
and spots.

* :func:`spatial_covariance` — Σ from place-cell rates at a set of positions;
* :func:`nonnegative_pca` — the iterative update (Oja's rule, projected onto g ≥ 0), for
  many units at once, each from its own random start and on its own;
* :func:`decorrelated_nonnegative_pca` — the same with repulsion between units whose maps
  are near-copies, so that a population holds many distinct grids;
* :func:`principal_components` — the unconstrained control (ordinary PCA);
* :func:`oja_step` — one step of the update, the exercise of chapter 04.

Dimension names: ``n_positions`` (e.g. the bins of a 40 × 40 map, flattened row-major, so
a unit's map is ``g.reshape(40, 40)``), ``n_cells`` (place cells), ``n_units`` (maps
learned).
"""

from __future__ import annotations

import numpy as np

from .. import _validate

__all__ = [
    "spatial_covariance",
    "oja_step",
    "nonnegative_pca",
    "decorrelated_nonnegative_pca",
    "principal_components",
]


def _covariance(cov: object) -> np.ndarray:
    c = _validate.array("cov", cov, ndim=2, dims="(n_positions, n_positions)")
    if c.shape[0] != c.shape[1] or c.shape[0] < 2:
        raise ValueError(
            f"cov must be a square (n_positions, n_positions) matrix, got shape {c.shape}"
        )
    if not np.allclose(c, c.T, atol=1e-10 * max(1.0, float(np.abs(c).max()))):
        raise ValueError("cov must be symmetric (a covariance matrix), got an asymmetric matrix")
    return c


def spatial_covariance(rates: np.ndarray) -> np.ndarray:
    """Covariance of place-cell firing between every pair of positions.

        Σ(x, x') = (1 / n_cells) Σ_i r̃_i(x) r̃_i(x'),   r̃_i(x) = r_i(x) - mean_x r_i(x),

    each cell's rate centred over the positions (Sorscher et al. 2019, 2023; Dordek et al.
    2016 centre the inputs the same way, which is what makes the principal component
    oscillate rather than be a single bump).

    Parameters
    ----------
    rates : (n_positions, n_cells) place-cell rates at each position
        (:func:`brainformers.grid.arena.place_cell_rates`).

    Returns
    -------
    (n_positions, n_positions) symmetric positive semi-definite float64 matrix.
    """
    r = _validate.array("rates", rates, ndim=2, dims="(n_positions, n_cells)")
    if r.shape[0] < 2 or r.shape[1] < 1:
        raise ValueError(f"rates needs at least 2 positions and 1 cell, got shape {r.shape}")
    centred = r - r.mean(axis=0, keepdims=True)
    cov = centred @ centred.T / r.shape[1]
    return (cov + cov.T) / 2  # exactly symmetric despite rounding


def _maps(maps: object, n_positions: int) -> np.ndarray:
    g = _validate.array("maps", maps, ndim=2, dims="(n_units, n_positions)")
    if g.shape[1] != n_positions:
        raise ValueError(
            f"maps must have shape (n_units, n_positions = {n_positions}) like cov, got {g.shape}"
        )
    return g


def oja_step(
    maps: np.ndarray, cov: np.ndarray, lr: float, *, nonnegative: bool = True
) -> np.ndarray:
    """One step of Oja's rule for each unit, then clipped at zero and renormalised.

    Oja's rule (Oja 1982; Dordek et al. 2016), for each unit's map g (a row of ``maps``):

        g ← g + lr · (Σ g - (gᵀ Σ g) g),     then  g ← max(g, 0),  g ← g / |g|.

    The first line climbs the variance gᵀ Σ g while pulling |g| towards 1; the clip is the
    non-negativity constraint (a projected gradient step), and the renormalisation keeps
    each map on the unit sphere. Each unit is updated on its own (no competition between
    units), so units started at different random maps may settle at different phases.

    Parameters
    ----------
    maps : (n_units, n_positions) current maps.
    cov : (n_positions, n_positions) spatial covariance (:func:`spatial_covariance`).
    lr : step size (in units of 1 / the largest eigenvalue of Σ it is stable below ~1).
    nonnegative : clip at zero (True) or leave the step unconstrained (plain Oja).

    Returns
    -------
    (n_units, n_positions) updated maps, each of unit length (a map clipped to all zeros
    stays zero).
    """
    c = _covariance(cov)
    g = _maps(maps, c.shape[0])
    lr = _validate.positive_float("lr", lr)
    return _oja_step(g, c, lr, nonnegative)


def _oja_step(g: np.ndarray, c: np.ndarray, lr: float, nonnegative: bool) -> np.ndarray:
    gc = g @ c  # (n_units, n_positions): Σ g for each unit (Σ symmetric)
    g = g + lr * (gc - (gc * g).sum(axis=1, keepdims=True) * g)
    if nonnegative:
        g = np.maximum(g, 0.0)
    norm = np.linalg.norm(g, axis=1, keepdims=True)
    return g / np.where(norm > 0, norm, 1.0)


def _start_and_step(
    cov: object, n_units: object, rng: object, n_steps: object, lr: object
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Checked inputs, random non-negative unit-length starts and the step lr / λ_max(Σ)."""
    c = _covariance(cov)
    n_units = _validate.positive_int("n_units", n_units)
    _validate.numpy_generator("rng", rng)
    n_steps = _validate.positive_int("n_steps", n_steps)
    lr = _validate.positive_float("lr", lr)
    top = float(np.linalg.eigvalsh(c)[-1])
    if top <= 0:
        raise ValueError(
            "cov has no positive eigenvalue: the place cells do not vary across positions"
        )
    g = rng.random((n_units, c.shape[0]))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return c, g, n_steps, lr / top


def nonnegative_pca(
    cov: np.ndarray,
    n_units: int,
    rng: np.random.Generator,
    *,
    n_steps: int = 1000,
    lr: float = 1.0,
) -> np.ndarray:
    """Non-negative principal components of a spatial covariance, by Oja's rule, unit by unit.

    Sorscher et al. (2019, 2023): maximise gᵀ Σ g subject to |g| = 1 and g ≥ 0, here by
    :func:`oja_step` repeated ``n_steps`` times from a random non-negative start per unit
    (uniform in [0, 1), normalised). The step is ``lr`` / λ_max(Σ), so ``lr`` is free of the
    scale of the place-cell rates. The problem is not convex; each unit ends at a local
    maximum, and with a band-pass Σ these are hexagonal grids. The units do not interact,
    and in a box (not a torus) the walls pin the grids to a few phases, so many random
    starts end on the same few maps (:func:`brainformers.grid.n_distinct_maps`); see
    :func:`decorrelated_nonnegative_pca` for a population.

    Parameters
    ----------
    cov : (n_positions, n_positions) spatial covariance.
    n_units : number of maps, each learned independently.
    rng : seeds the random starts.
    n_steps : number of update steps.
    lr : step size relative to 1 / λ_max(Σ).

    Returns
    -------
    (n_units, n_positions) non-negative maps of unit length.
    """
    c, g, n_steps, step = _start_and_step(cov, n_units, rng, n_steps, lr)
    for _ in range(n_steps):
        g = _oja_step(g, c, step, True)
    return g


def decorrelated_nonnegative_pca(
    cov: np.ndarray,
    n_units: int,
    rng: np.random.Generator,
    *,
    n_steps: int = 1000,
    lr: float = 1.0,
    repulsion: float = 0.5,
    max_correlation: float = 0.5,
) -> np.ndarray:
    """Non-negative PCA for a population: Oja's rule plus repulsion between similar maps.

    Each unit climbs its own variance as in :func:`nonnegative_pca`, and units whose maps
    correlate by more than ``max_correlation`` push each other apart — a thresholded
    anti-Hebbian lateral interaction in the spirit of Földiák (1990). Projected gradient
    ascent, from random non-negative starts, on

        J(G) = Σ_i g_iᵀ Σ g_i - (β λ_max / 2) Σ_{i ≠ j} max(0, r_ij - r₀)²,
        subject to g_i ≥ 0, |g_i| = 1,

    with r_ij the Pearson correlation of maps i and j (over positions), r₀ =
    ``max_correlation`` and β = ``repulsion``. With h_i = (g_i - mean g_i) / |g_i - mean
    g_i| (so r_ij = h_i · h_j), one step for every unit at once is

        g_i ← g_i + η [Σ g_i - (g_iᵀ Σ g_i) g_i
                       - β λ_max Σ_j max(0, r_ij - r₀) (h_j - r_ij h_i) / |g_i - mean g_i|],
        then g_i ← max(g_i, 0), g_i ← g_i / |g_i|,

    η = ``lr`` / λ_max(Σ): Oja's step (:func:`oja_step`) plus the gradient of the penalty.
    Maps that correlate less than r₀ do not interact, so each unit is still free to sit on
    a hexagonal maximum; only near-copies are driven to other phases. Full decorrelation
    (Sanger's 1989 generalised Hebbian rule, as in Dordek et al. 2016) asks for orthogonal
    maps, which non-negative maps can only be with disjoint supports, and gives up the
    hexagons (measured here: median gridness 0.29 for 32 units, against ≈ 1.1 with this
    rule).

    Parameters
    ----------
    cov : (n_positions, n_positions) spatial covariance.
    n_units : number of maps (at least 2).
    rng : seeds the random starts.
    n_steps : number of update steps.
    lr : step size relative to 1 / λ_max(Σ).
    repulsion : β ≥ 0, the strength of the repulsion relative to λ_max(Σ); 0 gives
        :func:`nonnegative_pca`.
    max_correlation : r₀ in [0, 1), the map correlation above which units repel.

    Returns
    -------
    (n_units, n_positions) non-negative maps of unit length.
    """
    c, g, n_steps, step = _start_and_step(cov, n_units, rng, n_steps, lr)
    if g.shape[0] < 2:
        raise ValueError(f"n_units must be at least 2 for units to interact, got {g.shape[0]}")
    if (
        isinstance(repulsion, bool)
        or not isinstance(repulsion, (int, float, np.integer, np.floating))
        or not 0.0 <= float(repulsion) < np.inf
    ):
        raise ValueError(f"repulsion must be a finite number ≥ 0, got {repulsion!r}")
    max_correlation = _validate.fraction("max_correlation", max_correlation)
    if max_correlation >= 1.0:
        raise ValueError(f"max_correlation must lie in [0, 1), got {max_correlation!r}")
    top = step / lr  # 1 / λ_max
    for _ in range(n_steps):
        gc = g @ c
        ascent = gc - (gc * g).sum(axis=1, keepdims=True) * g
        ascent -= (repulsion / top) * _repulsion(g, max_correlation)
        g = np.maximum(g + step * ascent, 0.0)
        norm = np.linalg.norm(g, axis=1, keepdims=True)
        g = g / np.where(norm > 0, norm, 1.0)
    return g


def _repulsion(g: np.ndarray, max_correlation: float) -> np.ndarray:
    """½ ∂/∂g_i of ½ Σ_{i ≠ j} max(0, r_ij - r₀)²: Σ_j w_ij (h_j - r_ij h_i) / |g_i - mean g_i|.

    (n_units, n_positions) → (n_units, n_positions); a constant map (no correlation
    defined) neither pushes nor is pushed.
    """
    centred = g - g.mean(axis=1, keepdims=True)
    length = np.linalg.norm(centred, axis=1, keepdims=True)
    safe = np.where(length > 0, length, 1.0)
    h = np.where(length > 0, centred / safe, 0.0)
    r = h @ h.T  # (n_units, n_units) map correlations
    np.fill_diagonal(r, 0.0)
    w = np.maximum(r - max_correlation, 0.0)
    return (w @ h - (w * r).sum(axis=1, keepdims=True) * h) / safe


def principal_components(cov: np.ndarray, n_units: int) -> np.ndarray:
    """The leading eigenvectors of Σ: what Oja's rule finds without the constraint.

    The control for :func:`nonnegative_pca`. Without the constraint every unit following
    Oja's rule converges to the same top eigenvector (a collapse); the honest control is
    ordinary PCA, the top ``n_units`` eigenvectors (what Sanger's rule or subspace
    iteration would find), each one a mixture of the box's standing waves.

    Parameters
    ----------
    cov : (n_positions, n_positions) spatial covariance.
    n_units : number of components.

    Returns
    -------
    (n_units, n_positions) orthonormal rows, by decreasing eigenvalue, each signed so that
    its largest-magnitude entry is positive.
    """
    c = _covariance(cov)
    n_units = _validate.positive_int("n_units", n_units)
    if n_units > c.shape[0]:
        raise ValueError(f"n_units must be at most n_positions = {c.shape[0]}, got {n_units}")
    _, vectors = np.linalg.eigh(c)
    top = vectors[:, ::-1][:, :n_units].T  # (n_units, n_positions)
    signs = np.sign(top[np.arange(n_units), np.abs(top).argmax(axis=1)])
    return top * signs[:, None]
