"""Grid cells, measured honestly: the reference implementations of chapter 04.

From a trajectory and a spike train to a verdict "grid cell or not", one module per step:

* :mod:`~brainformers.grid.rate_maps` — :func:`occupancy_map`, :func:`rate_map`
  (occupancy-normalised, Gaussian smoothing of spike and occupancy maps separately,
  unvisited bins NaN), :func:`bin_centres`;
* :mod:`~brainformers.grid.grid_score` — the spatial autocorrelogram (Hafting et al. 2005),
  computed for all lags at once with FFTs (:func:`autocorrelogram`), and the gridness
  score: correlations of the autocorrelogram with its rotations by 30°, 60°, 90°, 120°,
  150° inside a ring around the central peak — :func:`gridness`, :func:`gridness_details`
  (the score with its ring, the share of valid ring bins and why a score is NaN), with
  its parts :func:`ring_radii` and :func:`rotational_correlations`;
* :mod:`~brainformers.grid.controls` — a shuffle null (the spike train shifted in time
  along the path, :func:`shuffle_null`, :func:`null_threshold`) and the number of distinct
  maps in a population (a population of near-identical maps is a collapse, not a
  discovery: :func:`map_similarity`, :func:`map_groups`, :func:`n_distinct_maps`);
* :mod:`~brainformers.grid.synthetic_cells` — idealised cells for checks and controls:
  :func:`grid_field` (three plane waves, Solstad et al. 2006), :func:`band_field`,
  :func:`place_field`, and :func:`poisson_spikes`.

Where grid codes come from, imported by name (``from brainformers.grid import arena``):

* :mod:`~brainformers.grid.arena` — RatInABox paths (the Sargolini et al. 2006 rat) and
  place cells, in cm;
* :mod:`~brainformers.grid.pattern_formation` — non-negative PCA of place-cell covariance
  (Dordek et al. 2016; Sorscher et al. 2019);
* :mod:`~brainformers.grid.path_integration` — an RNN trained to path-integrate;
* :mod:`~brainformers.grid.bars` — the chapter's headline bars.

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

from .controls import (
    LatticeFit,
    band_pass_fields,
    dominant_wavenumber,
    lattice_fit,
    map_groups,
    map_similarity,
    n_distinct_maps,
    null_threshold,
    phase_spread,
    shuffle_null,
)
from .grid_score import (
    MIN_VALID_FRACTION,
    ROTATION_ANGLES,
    GridnessDetails,
    autocorrelogram,
    gridness,
    gridness_details,
    ring_radii,
    rotational_correlations,
)
from .rate_maps import bin_centres, occupancy_map, rate_map
from .synthetic_cells import band_field, grid_field, place_field, poisson_spikes

__all__ = [
    "bin_centres",
    "occupancy_map",
    "rate_map",
    "autocorrelogram",
    "ring_radii",
    "rotational_correlations",
    "gridness",
    "gridness_details",
    "GridnessDetails",
    "ROTATION_ANGLES",
    "MIN_VALID_FRACTION",
    "grid_field",
    "band_field",
    "place_field",
    "poisson_spikes",
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
