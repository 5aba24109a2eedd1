"""Encoding models: from a network's features to a brain score (chapter 05).

The pipeline of Schrimpf et al. (2021, PNAS, "Materials and Methods: neural predictivity"):
for each stimulus (a sentence), take a layer's activations as features; fit a linear map
from features to every voxel on training sentences; predict the held-out sentences; score
each voxel by the Pearson correlation between predicted and measured responses across
held-out sentences; take the median over voxels; divide by the noise ceiling, the score a
perfect model could reach given the measurement noise.

Arrays follow one vocabulary: ``features`` are ``(n_stimuli, n_features)``, ``responses``
are ``(n_stimuli, n_voxels)``, ``repetitions`` are ``(n_reps, n_stimuli, n_voxels)``,
``groups`` are ``(n_stimuli,)`` labels (the passage each sentence belongs to). Folds are
lists of ``(train_index, test_index)`` pairs of integer arrays, the form scikit-learn's
``cv=`` argument accepts.

Schrimpf et al. fitted an ordinary linear regression (neural-nlp ``PereiraEncoding``: five
folds of shuffled sentences, an inter-subject ceiling extrapolated over the number of
subjects); here the default map is ridge regression with its penalty chosen by an inner
cross-validation on the training sentences only, the usual choice when features (hundreds of
units) outnumber stimuli (a few hundred sentences). :func:`least_squares_score` gives the
minimum-norm least-squares map for comparison, and :func:`intersubject_ceiling` the
ceiling of Schrimpf et al.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import KFold

from .. import _validate

Folds = list[tuple[np.ndarray, np.ndarray]]

#: Default ridge penalties: a log-spaced grid wide enough for features of any scale.
DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-2, 5, 15))


# ------------------------------------------------------------------ input checks


def _features_responses(features: object, responses: object) -> tuple[np.ndarray, np.ndarray]:
    x = _validate.array("features", features, ndim=2, dims="(n_stimuli, n_features)")
    if isinstance(responses, np.ndarray) and np.issubdtype(responses.dtype, np.floating):
        if np.isnan(responses).any():
            raise ValueError(
                "responses contain NaN: drop or impute missing voxels/stimuli first "
                "(e.g. keep only the voxels measured for every stimulus)"
            )
    y = _validate.array("responses", responses, ndim=2, dims="(n_stimuli, n_voxels)")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"features and responses must have one row per stimulus: features has "
            f"{x.shape[0]} rows, responses has {y.shape[0]} — are both in the same stimulus order?"
        )
    return x, y


def _groups(groups: object, n_stimuli: int) -> np.ndarray:
    g = np.asarray(groups)
    if g.ndim != 1 or g.shape[0] != n_stimuli:
        raise ValueError(f"groups must be a 1-D array of {n_stimuli} labels, got shape {g.shape}")
    return g


def consecutive_groups(labels: object, name: str = "passage") -> np.ndarray:
    """``labels`` as a 1-D array, checked so that each label's stimuli are consecutive.

    Features and noise that follow a passage (the position bump, the drift that restarts
    with each passage, the context read before a sentence) take neighbouring indices as
    neighbouring sentences. Labels such as [0, 1, 0, 1] break that silently (sentence 2
    would count as sentence 0's neighbour), so they are refused with the first offending
    index.
    """
    g = np.asarray(labels)
    if g.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sentence), got shape {g.shape}")
    if g.size:
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])  # where a new run begins
        run_labels = g[starts].tolist()
        seen: set = set()
        for start, label in zip(starts.tolist(), run_labels, strict=True):
            if label in seen:
                raise ValueError(
                    f"{name} must keep each passage's sentences consecutive, in presentation "
                    f"order: label {label!r} comes back at index {start} after other "
                    f"passages (labels {g[: min(g.size, 8)].tolist()}"
                    f"{' …' if g.size > 8 else ''}) — sort the sentences by passage first"
                )
            seen.add(label)
    return g


def _constant_columns(y: np.ndarray, name: str) -> None:
    spread = y.std(axis=0)
    constant = np.flatnonzero(spread <= 1e-12 * (1.0 + np.abs(y).max(initial=0.0)))
    if constant.size:
        shown = ", ".join(str(i) for i in constant[:5]) + (" …" if constant.size > 5 else "")
        raise ValueError(
            f"{name} has {constant.size} constant column(s) (index {shown}): a Pearson r is "
            "undefined for a voxel that does not vary across stimuli — drop those voxels"
        )


# ------------------------------------------------------------------ correlation


def pearson_per_voxel(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Pearson correlation between ``predicted`` and ``actual`` for each voxel, across stimuli.

    r_v = Σ_s (p_sv - p̄_v)(a_sv - ā_v) / sqrt(Σ_s (p_sv - p̄_v)² Σ_s (a_sv - ā_v)²)

    Parameters
    ----------
    predicted, actual : (n_stimuli, n_voxels) arrays.

    Returns
    -------
    (n_voxels,) array of correlations in [-1, 1].

    Raises ``ValueError`` when a column is constant (r undefined) instead of returning NaN,
    which would silently poison a median.
    """
    p = _validate.array("predicted", predicted, ndim=2, dims="(n_stimuli, n_voxels)")
    a = _validate.array("actual", actual, ndim=2, dims="(n_stimuli, n_voxels)")
    if p.shape != a.shape:
        raise ValueError(f"predicted {p.shape} and actual {a.shape} must have the same shape")
    if p.shape[0] < 3:
        raise ValueError(f"need at least 3 stimuli for a correlation, got {p.shape[0]}")
    _constant_columns(a, "actual")
    _constant_columns(p, "predicted")
    pc, ac = p - p.mean(axis=0), a - a.mean(axis=0)
    return (pc * ac).sum(axis=0) / np.sqrt((pc**2).sum(axis=0) * (ac**2).sum(axis=0))


# ------------------------------------------------------------------ ridge regression


def ridge_predict(
    train_features: np.ndarray,
    train_responses: np.ndarray,
    test_features: np.ndarray,
    alpha: float,
) -> np.ndarray:
    """Fit ridge regression with an intercept on the training set; predict the test set.

    W = (XᵀX + αI)⁻¹ XᵀY on centred X and Y (the intercept is not penalised, as in
    scikit-learn's ``Ridge(alpha, fit_intercept=True)``); prediction = (X_test - x̄) W + ȳ.

    Parameters
    ----------
    train_features : (n_train, n_features); train_responses : (n_train, n_voxels);
    test_features : (n_test, n_features); alpha : penalty α > 0.

    Returns
    -------
    (n_test, n_voxels) predicted responses.
    """
    x, y = _features_responses(train_features, train_responses)
    xt = _validate.array("test_features", test_features, ndim=2, dims="(n_test, n_features)")
    if xt.shape[1] != x.shape[1]:
        raise ValueError(
            f"test_features has {xt.shape[1]} features, train_features has {x.shape[1]}"
        )
    alpha = _validate.positive_float("alpha", alpha)
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    return _ridge_path(x - x_mean, y - y_mean, xt - x_mean, (alpha,))[0] + y_mean


def _ridge_path(
    xc: np.ndarray, yc: np.ndarray, xt: np.ndarray, alphas: Sequence[float]
) -> list[np.ndarray]:
    """Predictions of centred ridge for every alpha from one SVD of the training features.

    With X = U S Vᵀ, W(α) = V diag(s / (s² + α)) Uᵀ Y — one decomposition serves all α.
    """
    u, s, vt = np.linalg.svd(xc, full_matrices=False)
    uty = u.T @ yc  # (k, n_voxels)
    xtv = xt @ vt.T  # (n_test, k)
    return [xtv @ ((s / (s**2 + alpha))[:, None] * uty) for alpha in alphas]


def _validation_errors(
    x: np.ndarray, y: np.ndarray, folds: Folds, alphas: Sequence[float]
) -> np.ndarray:
    """(n_alphas, n_voxels) squared errors of held-out predictions, summed over folds."""
    errors = np.zeros((len(alphas), y.shape[1]))
    for train, test in _check_folds(folds, x.shape[0]):
        x_mean, y_mean = x[train].mean(axis=0), y[train].mean(axis=0)
        predictions = _ridge_path(x[train] - x_mean, y[train] - y_mean, x[test] - x_mean, alphas)
        for k, prediction in enumerate(predictions):
            errors[k] += ((prediction + y_mean - y[test]) ** 2).sum(axis=0)
    return errors


def choose_alpha(
    features: np.ndarray,
    responses: np.ndarray,
    folds: Folds,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    per_voxel: bool = False,
) -> float | np.ndarray:
    """The ridge penalty with the lowest cross-validated squared error.

    For each alpha, fit on each fold's training rows, predict its test rows, and sum the
    squared errors over folds and voxels; return the alpha with the smallest total (the
    first one on ties). Equals ``RidgeCV(alphas, cv=folds,
    scoring="neg_mean_squared_error").alpha_`` of scikit-learn when the test folds have
    equal sizes. With ``per_voxel=True`` the sum runs over folds only and each voxel gets
    its own penalty, as in himalaya's ``RidgeCV`` (Dupré la Tour et al. 2022).

    Parameters
    ----------
    features : (n_stimuli, n_features); responses : (n_stimuli, n_voxels);
    folds : list of (train_index, test_index); alphas : candidate penalties.

    Returns
    -------
    One alpha, or an (n_voxels,) array of alphas when ``per_voxel``.
    """
    x, y = _features_responses(features, responses)
    alphas = [_validate.positive_float("alphas[i]", a) for a in alphas]
    if not alphas:
        raise ValueError("alphas must hold at least one penalty")
    errors = _validation_errors(x, y, folds, alphas)
    if per_voxel:
        return np.asarray(alphas)[np.argmin(errors, axis=0)]
    return alphas[int(np.argmin(errors.sum(axis=1)))]


# ------------------------------------------------------------------ splits


def _check_folds(folds: object, n_stimuli: int) -> Folds:
    if not isinstance(folds, (list, tuple)) or not folds:
        raise ValueError("folds must be a non-empty list of (train_index, test_index) pairs")
    checked = []
    for k, fold in enumerate(folds):
        train, test = (np.asarray(part, dtype=int) for part in fold)
        if np.intersect1d(train, test).size:
            raise ValueError(f"fold {k}: train and test share stimuli (train/test leakage)")
        if train.size < 2 or test.size < 1:
            raise ValueError(f"fold {k}: needs at least 2 training and 1 test stimulus")
        if max(train.max(), test.max()) >= n_stimuli or min(train.min(), test.min()) < 0:
            raise ValueError(f"fold {k}: an index lies outside 0 … {n_stimuli - 1}")
        checked.append((train, test))
    return checked


def grouped_folds(groups: np.ndarray, n_folds: int) -> Folds:
    """K folds that keep every group (passage) whole: never in train and test at once.

    Groups are taken in order of first appearance and dealt to folds in turn (group j to
    fold j mod K), so each fold holds whole passages and the folds have near-equal sizes
    when passages do. The test folds partition the stimuli.

    Parameters
    ----------
    groups : (n_stimuli,) labels, e.g. the passage of each sentence.
    n_folds : K ≥ 2, at most the number of distinct groups.

    Returns
    -------
    list of K (train_index, test_index) pairs, indices sorted.
    """
    g = np.asarray(groups)
    if g.ndim != 1:
        raise ValueError(f"groups must be 1-D (one label per stimulus), got shape {g.shape}")
    n_folds = _validate.positive_int("n_folds", n_folds)
    _, first = np.unique(g, return_index=True)
    labels = g[np.sort(first)]  # distinct groups in order of first appearance
    if n_folds < 2:
        raise ValueError(f"n_folds must be at least 2, got {n_folds}")
    if n_folds > labels.size:
        raise ValueError(
            f"n_folds={n_folds} but there are only {labels.size} groups: with grouped "
            "splits every fold needs at least one whole group — use fewer folds"
        )
    fold_of_group = {label: j % n_folds for j, label in enumerate(labels.tolist())}
    fold = np.array([fold_of_group[label] for label in g.tolist()])
    index = np.arange(g.size)
    return [(index[fold != k], index[fold == k]) for k in range(n_folds)]


def shuffled_folds(n_stimuli: int, n_folds: int, rng: np.random.Generator) -> Folds:
    """K folds of randomly shuffled stimuli, ignoring which passage each belongs to.

    The split most encoding studies used; with temporally correlated responses it lets
    neighbouring sentences of one passage sit on both sides (Feghhi et al. 2024). The
    folds are scikit-learn's ``KFold(shuffle=True)``, seeded from ``rng``.
    """
    n_stimuli = _validate.positive_int("n_stimuli", n_stimuli)
    n_folds = _validate.positive_int("n_folds", n_folds)
    rng = _validate.numpy_generator("rng", rng)
    if not 2 <= n_folds <= n_stimuli:
        raise ValueError(f"n_folds must lie in 2 … {n_stimuli}, got {n_folds}")
    splitter = KFold(n_folds, shuffle=True, random_state=int(rng.integers(2**31)))
    return [(train, np.sort(test)) for train, test in splitter.split(np.zeros(n_stimuli))]


# ------------------------------------------------------------------ the cross-validated score


def cross_validated_predictions(
    features: np.ndarray,
    responses: np.ndarray,
    folds: Folds,
    groups: np.ndarray | None = None,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    n_inner_folds: int = 4,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Out-of-fold ridge predictions for every stimulus, alpha chosen inside each fold.

    For each outer fold, the penalty is chosen by an inner cross-validation on the
    training rows only (grouped by ``groups`` when given, else shuffled with ``rng``),
    so the test rows never influence any choice.

    Returns
    -------
    (n_stimuli, n_voxels) predictions; each row predicted by the fold that held it out.
    """
    x, y = _features_responses(features, responses)
    folds = _check_folds(folds, x.shape[0])
    tested = np.concatenate([test for _, test in folds])
    if np.sort(tested).tolist() != list(range(x.shape[0])):
        raise ValueError("the test folds must hold every stimulus exactly once")
    if groups is not None:
        groups = _groups(groups, x.shape[0])
    elif rng is None:
        rng = np.random.default_rng(0)
    predicted = np.empty_like(y)
    for train, test in folds:
        if groups is not None:
            n_groups = np.unique(groups[train]).size
            inner = grouped_folds(groups[train], min(n_inner_folds, n_groups))
        else:
            inner = shuffled_folds(train.size, n_inner_folds, rng)
        alpha = choose_alpha(x[train], y[train], inner, alphas)
        x_mean, y_mean = x[train].mean(axis=0), y[train].mean(axis=0)
        predicted[test] = (
            _ridge_path(x[train] - x_mean, y[train] - y_mean, x[test] - x_mean, [alpha])[0] + y_mean
        )
    return predicted


def held_out_r(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Pearson r per voxel on one test fold; r = 0 where the prediction is constant.

    A model that predicts the same value for every held-out stimulus (e.g. a feature that
    is zero outside the training passages) explains nothing; its r is undefined (0 / 0),
    and by convention we count it as 0 rather than letting NaN into the average. A score
    of exactly 0 from this function therefore means "no prediction varied", not "a
    measured correlation of 0".
    """
    flat = predicted.std(axis=0) <= 1e-9 * (actual.std(axis=0) + 1e-300)
    r = np.zeros(actual.shape[1])
    if (~flat).any():
        r[~flat] = pearson_per_voxel(predicted[:, ~flat], actual[:, ~flat])
    return r


def encoding_score(
    features: np.ndarray,
    responses: np.ndarray,
    groups: np.ndarray | None = None,
    n_folds: int = 5,
    rng: np.random.Generator | None = None,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
) -> np.ndarray:
    """Cross-validated Pearson r per voxel (Schrimpf et al. 2021's raw predictivity).

    With ``groups`` (passage labels) the outer and inner folds keep passages whole; without
    them the stimuli are shuffled into folds with ``rng`` (the leaky split — see
    :func:`shuffled_folds`). As in Brain-Score, r is computed on each test fold and averaged
    over folds; pooling all folds' predictions first would mix in the differences between
    the folds' training means, which correlate negatively with the test responses.

    Returns
    -------
    (n_voxels,) correlations; take the median for a single score.
    """
    x, y = _features_responses(features, responses)
    _constant_columns(y, "responses")
    if groups is not None:
        groups = _groups(groups, x.shape[0])
        folds = grouped_folds(groups, n_folds)
    else:
        rng = np.random.default_rng(0) if rng is None else rng
        folds = shuffled_folds(x.shape[0], n_folds, rng)
    predicted = cross_validated_predictions(x, y, folds, groups=groups, alphas=alphas, rng=rng)
    for k, (_, test) in enumerate(folds):
        if test.size < 3:
            raise ValueError(f"fold {k} tests only {test.size} stimuli: use fewer folds")
        _constant_columns(y[test], f"responses in test fold {k}")
    return np.mean([held_out_r(predicted[test], y[test]) for _, test in folds], axis=0)


def least_squares_score(
    features: np.ndarray, responses: np.ndarray, groups: np.ndarray, n_folds: int = 5
) -> np.ndarray:
    """Cross-validated r per voxel of minimum-norm ordinary least squares (no penalty).

    The linear regression of Schrimpf et al. (2021) without ridge's shrinkage: with more
    features than training stimuli the least-squares solutions fit the training rows
    exactly, and ``np.linalg.lstsq`` returns the one with the smallest weights (the
    pseudo-inverse, W = X⁺Y on centred X and Y). Folds keep ``groups`` whole, as in
    :func:`encoding_score`.

    Returns
    -------
    (n_voxels,) correlations, averaged over the test folds.
    """
    x, y = _features_responses(features, responses)
    folds = grouped_folds(_groups(groups, x.shape[0]), n_folds)
    r = []
    for train, test in folds:
        x_mean, y_mean = x[train].mean(axis=0), y[train].mean(axis=0)
        weights = np.linalg.lstsq(x[train] - x_mean, y[train] - y_mean, rcond=None)[0]
        r.append(held_out_r((x[test] - x_mean) @ weights + y_mean, y[test]))
    return np.mean(r, axis=0)


def subject_median(values: np.ndarray, subject: np.ndarray) -> float:
    """Median over subjects of each subject's median over its voxels.

    The aggregation of Schrimpf et al. (2021) (neural-nlp ``aggregate_neuroid_scores``):
    every subject counts once, however many voxels it has.

    Parameters
    ----------
    values : (n_voxels,) per-voxel numbers (r or ceilings); subject : (n_voxels,) labels.
    """
    v = _validate.array("values", np.asarray(values, dtype=float), ndim=1, dims="(n_voxels,)")
    s = np.asarray(subject)
    if s.shape != v.shape:
        raise ValueError(f"subject must have one label per voxel {v.shape}, got {s.shape}")
    return float(np.median([np.median(v[s == label]) for label in np.unique(s)]))
