"""The headline bars of chapter 04 (grid cells): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("nnpca_median_gridness", ">=", 0.3, "non-negative PCA, median gridness"),
    Bar(
        "nnpca_minus_structured_null_fraction",
        ">=",
        0.3,
        "non-negative PCA minus random band-pass fields, share above the pooled null",
        why="replaces a bar of 0.75 on the non-negative PCA's share alone (set after 0.8 "
        "failed a seed), which smooth periodic fields partly pass; set from the claim "
        "before the run: the maps are hexagons, not smooth fields at the same frequency, "
        "so their share must exceed that of the fields by three SDs of the difference "
        "(binomial, 32 units against 128 fields: about 0.1)",
    ),
    Bar("unconstrained_median_gridness", "<=", 0.3, "unconstrained PCA control"),
    Bar(
        "gaussian_place_cells_median_gridness",
        "<=",
        0.3,
        "the same PCA on Gaussian place cells (no surround)",
        why="a median over the scored units only: 27-29 of the 32 broad bumps get no score "
        "(their autocorrelogram's ring is cut off); the bar below counts every unit",
    ),
    Bar(
        "gaussian_place_cells_fraction_above_null",
        "<=",
        0.15,
        "Gaussian place cells: share of all 32 units above the pooled null (no score = below)",
        why="set before the run: without the surround no unit should be a grid, so the "
        "share may exceed the 5% a null lets through by chance only by about 2.5 binomial "
        "SDs (0.04 for 32 units)",
    ),
    Bar("rnn_decoding_error_cm", "<=", 10.0, "path-integrating RNN, decoding error (cm)"),
    Bar("start_position_baseline_error_cm", ">=", 15.0, "start position held (cm)"),
    Bar(
        "velocity_shuffled_minus_start_baseline_cm",
        ">=",
        0.0,
        "RNN given other windows' velocities, minus the start-position baseline (cm)",
        why="a network that did not use its velocity input would keep its error when "
        "the velocities are swapped; one that integrates them is led astray at least "
        "as far as holding the start",
    ),
)
