"""Noise ceilings: the score a perfect model could reach given measurement noise (chapter 05).

A split-half ceiling from repeated measurements (Spearman–Brown corrected), and the
inter-subject ceiling of Schrimpf et al. (2021): how well a pool of other subjects predicts
one held-out subject, extrapolated over the size of the pool.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

from .. import _validate
from .regression import DEFAULT_ALPHAS, _groups, encoding_score, pearson_per_voxel


def spearman_brown(r_half: np.ndarray | float, factor: float = 2.0) -> np.ndarray | float:
    """Reliability of a measurement ``factor`` times longer: ρ = k r / (1 + (k - 1) r).

    Spearman (1910), Brown (1910). With k = 2 it turns the correlation between two halves
    of the repetitions into the reliability of their average.
    """
    factor = _validate.positive_float("factor", factor)
    return factor * r_half / (1.0 + (factor - 1.0) * r_half)


def split_half_ceiling(repetitions: np.ndarray) -> np.ndarray:
    """Noise ceiling per voxel from repeated measurements, in units of Pearson r.

    Split the repetitions into halves (even- and odd-numbered), average each half, and
    correlate the two averages across stimuli: r_half per voxel. Spearman–Brown gives the
    reliability of the average of all repetitions, ρ = 2 r_half / (1 + r_half). A perfect
    model (the noise-free response) correlates with the measured average at most √ρ —
    the ceiling. Negative reliabilities (pure noise) are clipped to a ceiling of 0.

    Parameters
    ----------
    repetitions : (n_reps, n_stimuli, n_voxels), n_reps ≥ 2 and even.

    Returns
    -------
    (n_voxels,) ceilings in [0, 1].
    """
    reps = _validate.array("repetitions", repetitions, ndim=3, dims="(n_reps, n_stimuli, n_voxels)")
    if reps.shape[0] < 2 or reps.shape[0] % 2:
        raise ValueError(
            f"split halves need an even number (≥ 2) of repetitions, got {reps.shape[0]}"
        )
    r_half = pearson_per_voxel(reps[0::2].mean(axis=0), reps[1::2].mean(axis=0))
    reliability = spearman_brown(r_half)
    return np.sqrt(np.clip(reliability, 0.0, None))


def _saturating(x: np.ndarray, v0: float, tau: float) -> np.ndarray:
    return v0 * (1.0 - np.exp(-x / tau))


def extrapolate_ceiling(pool_sizes: np.ndarray, consistency: np.ndarray) -> np.ndarray:
    """Asymptote v0 of v(n) = v0 (1 − exp(−n / τ)) fitted to each voxel's consistency curve.

    Least squares per voxel with 0 ≤ v0 ≤ 1 and 10⁻³ ≤ τ ≤ 10³ (scipy's ``curve_fit``), as
    neural-nlp's ``ExtrapolationCeiling`` fits its ``v(x, v0, tau0)``.

    Parameters
    ----------
    pool_sizes : (n_sizes,) ≥ 2 sizes; consistency : (n_sizes, ...) r at each size.

    Returns
    -------
    array of the trailing shape of ``consistency``: the extrapolated ceilings.
    """
    sizes = np.asarray(pool_sizes, dtype=float)
    c = np.asarray(consistency, dtype=float)
    if sizes.ndim != 1 or sizes.size < 2 or c.shape[0] != sizes.size:
        raise ValueError(
            f"need ≥ 2 pool sizes and one consistency row per size, got sizes {sizes.shape} "
            f"and consistency {c.shape}"
        )
    curves = c.reshape(sizes.size, -1)
    ceiling = np.empty(curves.shape[1])
    for v in range(curves.shape[1]):
        curve = curves[:, v]
        start = (min(max(curve[-1], 1e-3), 1.0), 1.0)
        try:
            (v0, _), _ = curve_fit(
                _saturating, sizes, curve, p0=start, bounds=([0.0, 1e-3], [1.0, 1e3])
            )
        except RuntimeError:  # no convergence: keep the largest pool's value
            v0 = min(max(curve[-1], 0.0), 1.0)
        ceiling[v] = v0
    return ceiling.reshape(c.shape[1:])


@dataclass(frozen=True)
class IntersubjectCeiling:
    """The inter-subject ceiling of Schrimpf et al. (2021) and what it was made from.

    pool_sizes : (n_sizes,) numbers of predicting subjects, 1 … n_subjects − 1;
    consistency : (n_sizes, n_subjects, n_voxels) r of each subject's voxels predicted from
    pools of that many other subjects (mean over pools);
    ceiling : (n_subjects, n_voxels) the asymptote v0 of v(n) = v0 (1 − exp(−n / τ)) fitted
    to each voxel's consistency, i.e. extrapolated to infinitely many subjects.
    """

    pool_sizes: np.ndarray
    consistency: np.ndarray
    ceiling: np.ndarray


def intersubject_ceiling(
    responses: np.ndarray,
    groups: np.ndarray,
    n_folds: int = 5,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
) -> IntersubjectCeiling:
    """Predict each subject from pools of the others; extrapolate over pool size.

    For every target subject and every pool of k other subjects (all pools, k = 1 …
    n_subjects − 1), the pool's voxels serve as features and :func:`encoding_score` (the
    same cross-validated regression a model gets, folds grouped by ``groups``) gives r for
    each target voxel. The mean over pools of one size is the consistency at k; a fit of
    v(k) = v0 (1 − exp(−k / τ)) per voxel, with 0 ≤ v0 ≤ 1 and τ > 0, extrapolates it to
    infinitely many subjects — the ceiling of Schrimpf et al. (2021, Methods, following
    neural-nlp's ``ExtrapolationCeiling``). Unlike a split-half ceiling it already pays
    for learning a linear map from finite data.

    Parameters
    ----------
    responses : (n_subjects, n_stimuli, n_voxels), n_subjects ≥ 3 (two pool sizes to fit).
    groups : (n_stimuli,) passage labels for the grouped folds.

    Returns
    -------
    :class:`IntersubjectCeiling`.
    """
    y = _validate.array("responses", responses, ndim=3, dims="(n_subjects, n_stimuli, n_voxels)")
    n_subjects = y.shape[0]
    if n_subjects < 3:
        raise ValueError(
            f"the inter-subject ceiling needs at least 3 subjects (pools of 1 and 2 to "
            f"extrapolate from), got {n_subjects}"
        )
    groups = _groups(groups, y.shape[1])
    sizes = np.arange(1, n_subjects)
    consistency = np.zeros((sizes.size, n_subjects, y.shape[2]))
    for target in range(n_subjects):
        others = [s for s in range(n_subjects) if s != target]
        for i, k in enumerate(sizes):
            pools = list(itertools.combinations(others, int(k)))
            for pool in pools:
                x = np.concatenate([y[s] for s in pool], axis=1)
                consistency[i, target] += encoding_score(
                    x, y[target], groups=groups, n_folds=n_folds, alphas=alphas
                )
            consistency[i, target] /= len(pools)
    ceiling = extrapolate_ceiling(sizes, consistency)
    return IntersubjectCeiling(pool_sizes=sizes, consistency=consistency, ceiling=ceiling)


def normalised_score(r: np.ndarray, ceiling: np.ndarray | float) -> float:
    """Median r over voxels divided by the median noise ceiling (1 = as good as the data allow).

    Schrimpf et al. (2021) divide the median predictivity by an estimated ceiling; a value
    above 1 means the ceiling estimate is too low, not that the model beats the data.
    """
    r = _validate.array("r", np.asarray(r, dtype=float), ndim=1, dims="(n_voxels,)")
    c = float(np.median(np.asarray(ceiling, dtype=float)))
    if not c > 0:
        raise ValueError(f"the median ceiling must be positive, got {c}")
    return float(np.median(r)) / c
