"""Checkers for chapter 05 (brain predictivity): correlation, ridge, ceiling, splits, controls.

Every case is seeded and small. Inputs are handed to the student's function as copies, and
each wrong answer is compared with the outputs of known mistakes on the same inputs, so the
message can name the mistake.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .. import encoding as ref
from ..encoding import ceiling as ceiling_module
from ..encoding import features as feat
from ..encoding import regression as regression_module
from ._core import CheckFailed, compare, compare_number, counting_calls, run_checks

#: Where a notebook can reach the library's functions by attribute (``encoding.X``,
#: ``features.X``, ``regression.X``).
_LIBRARY_MODULES = (ref, regression_module, ceiling_module, feat)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@contextmanager
def _no_delegation(fn: Callable, target: Callable, shown: str) -> Iterator[None]:
    """Refuse an answer that calls the library's own ``target``: the reference it is checked on.

    Calls are counted wherever ``fn`` can reach ``target`` (:func:`counting_calls`, over
    the library's modules); if any call was made, :class:`CheckFailed` says so (``shown``
    is how the notebook names it).
    """
    with counting_calls(fn, target, *_LIBRARY_MODULES) as counter:
        yield
    if counter.n_calls:
        raise CheckFailed(
            f"your function calls the library's {shown}, the reference this exercise is "
            "checked against: write the computation yourself (the library's version is what "
            "you get back when a check fails)."
        )


def _as_float64(got: Any) -> tuple[Any, bool]:
    """A float32 answer is right too: compare its values as float64 (and say it was float32)."""
    if isinstance(got, np.ndarray) and got.dtype == np.float32:
        return got.astype(np.float64), True
    return got, False


def _pearson_flat(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """r per column without validation (for computing the mistakes)."""
    pc, ac = p - p.mean(0), a - a.mean(0)
    return (pc * ac).sum(0) / np.sqrt((pc**2).sum(0) * (ac**2).sum(0))


# ------------------------------------------------------------------ Pearson r per voxel


def _pearson_cases(fn: Callable) -> int:
    rng = _rng(0)
    cases = []
    for case, n_stimuli, n_voxels, offset in (
        ("case 1 (30 stimuli, 5 voxels)", 30, 5, 0.0),
        ("case 2 (12 stimuli, 40 voxels, responses far from zero)", 12, 40, 5.0),
        ("case 3 (50 stimuli, 1 voxel)", 50, 1, 2.0),
    ):
        actual = rng.standard_normal((n_stimuli, n_voxels)) + offset
        predicted = 0.6 * actual + rng.standard_normal((n_stimuli, n_voxels)) + 3.0
        cases.append((case, predicted, actual))
    for case, predicted, actual in cases:
        n_stimuli, n_voxels = actual.shape
        want = ref.pearson_per_voxel(predicted, actual)
        cosine = (predicted * actual).sum(0) / np.sqrt((predicted**2).sum(0) * (actual**2).sum(0))
        covariance = ((predicted - predicted.mean(0)) * (actual - actual.mean(0))).mean(0)
        with _no_delegation(fn, ref.pearson_per_voxel, "encoding.pearson_per_voxel"):
            got = fn(predicted.copy(), actual.copy())
        got, single = _as_float64(got)
        if np.ndim(got) == 0:
            raise CheckFailed(
                f"{case}: you returned one number; correlate each voxel's column separately "
                "and return one r per voxel."
            )
        compare(
            "r",
            got,
            want,
            case,
            "(n_voxels,)",
            shape_hints={
                (n_stimuli,): "you correlated across voxels, one r per stimulus; Pearson r of "
                "an encoding model is across stimuli, one r per voxel (axis=0).",
                (): "you returned one number: correlate each voxel's column separately.",
                (n_voxels, n_voxels): "you returned a correlation matrix; keep only each "
                "voxel's r with itself (the diagonal), or compute column by column.",
            },
            mistakes=[
                (
                    cosine,
                    "the responses are not centred: subtract each voxel's mean over "
                    "stimuli before multiplying (otherwise this is a cosine similarity).",
                ),
                (covariance, "this is the covariance: divide by both standard deviations."),
            ],
            atol=1e-5 if single else 1e-8,
        )
    return len(cases)


def pearson_per_voxel(fn: Callable) -> Callable:
    """Check ``pearson_per_voxel(predicted, actual)`` against the reference."""
    return run_checks("pearson_per_voxel", fn, ref.pearson_per_voxel, _pearson_cases)


# ------------------------------------------------------------------ ridge regression


def _ridge_case(seed: int, n_train: int, n_test: int, n_features: int, n_voxels: int):
    rng = _rng(seed)
    x = rng.standard_normal((n_train + n_test, n_features)) * 2.0 + 1.5  # far from centred
    w = rng.standard_normal((n_features, n_voxels))
    y = x @ w + 4.0 + rng.standard_normal((n_train + n_test, n_voxels))
    return x[:n_train], y[:n_train], x[n_train:]


def _ridge_no_intercept(x: np.ndarray, y: np.ndarray, xt: np.ndarray, alpha: float) -> np.ndarray:
    return xt @ np.linalg.solve(x.T @ x + alpha * np.eye(x.shape[1]), x.T @ y)


def _ridge_cases(fn: Callable) -> int:
    cases = [
        (
            "case 1 (40 train, 10 test, 5 features, 3 voxels, alpha=10)",
            _ridge_case(1, 40, 10, 5, 3),
            10.0,
        ),
        (
            "case 2 (more features than stimuli: 15 train, 30 features, alpha=3)",
            _ridge_case(2, 15, 6, 30, 4),
            3.0,
        ),
        ("case 3 (alpha=1000: strong shrinkage)", _ridge_case(3, 30, 8, 6, 2), 1000.0),
    ]
    for case, (x, y, xt), alpha in cases:
        want = ref.ridge_predict(x, y, xt, alpha)
        xm, ym = x.mean(0), y.mean(0)
        ols = _ridge_no_intercept(x - xm, y - ym, xt - xm, 1e-10) + ym
        with _no_delegation(fn, ref.ridge_predict, "encoding.ridge_predict"):
            got = fn(x.copy(), y.copy(), xt.copy(), alpha)
        got, single = _as_float64(got)
        compare(
            "predictions",
            got,
            want,
            case,
            "(n_test, n_voxels)",
            shape_hints={
                (
                    x.shape[0],
                    y.shape[1],
                ): "you predicted the training stimuli; predict test_features.",
                (x.shape[1], y.shape[1]): "you returned the weights; return test predictions.",
            },
            mistakes=[
                (
                    _ridge_no_intercept(x, y, xt, alpha),
                    "no intercept: centre the features and "
                    "responses on the training means, fit, then add the response mean back.",
                ),
                (
                    _ridge_no_intercept(x - xm, y - ym, xt, alpha) + ym,
                    "the test features must be centred with the *training* feature means too.",
                ),
                (ols, "alpha is not used: W = (XᵀX + αI)⁻¹ XᵀY."),
                (
                    _ridge_no_intercept(x - xm, y - ym, xt - xm, alpha * x.shape[0]) + ym,
                    "alpha was multiplied by the number of stimuli; scikit-learn's Ridge adds αI "
                    "to XᵀX as it is.",
                ),
            ],
            atol=1e-3 if single else 1e-6,
        )
    return len(cases)


def ridge_predict(fn: Callable) -> Callable:
    """Check ``ridge_predict(train_features, train_responses, test_features, alpha)``."""
    return run_checks("ridge_predict", fn, ref.ridge_predict, _ridge_cases)


# ------------------------------------------------------------------ choosing alpha


def _held_out_sums(x: np.ndarray, y: np.ndarray, folds: list, alphas: tuple) -> np.ndarray:
    """(n_alphas, n_voxels) held-out squared errors summed over folds."""
    return np.array(
        [
            sum(
                ((ref.ridge_predict(x[tr], y[tr], x[te], a) - y[te]) ** 2).sum(0)
                for tr, te in folds
            )
            for a in alphas
        ]
    )


def _correlation_alpha(x: np.ndarray, y: np.ndarray, folds: list, alphas: tuple) -> float:
    """The alpha with the largest held-out r (mean over folds and voxels): also valid."""
    mean_r = [
        np.mean(
            [
                _pearson_flat(ref.ridge_predict(x[tr], y[tr], x[te], a), y[te]).mean()
                for tr, te in folds
            ]
        )
        for a in alphas
    ]
    return alphas[int(np.argmax(mean_r))]


def _alpha_inputs() -> list[tuple[str, np.ndarray, np.ndarray, list]]:
    cases = []
    # (seed, stimuli, features, noise, folds, per-voxel signal scales); seeds 11 and 28 chosen
    # so that the first-fold and per-voxel-median mistakes differ from every valid answer,
    # seed 54 so that the last-fold one does too (tests/test_check_encoding.py)
    for seed, n, p, noise, n_folds, scales in (
        (4, 40, 30, 3.0, 4, (1.0, 1.0, 1.0)),
        (11, 48, 20, 2.0, 4, (4.0, 1.0, 0.05)),
        (28, 30, 60, 5.0, 3, (1.0, 1.0, 1.0)),
        (54, 36, 24, 3.0, 4, (2.0, 1.0, 0.3)),
    ):
        rng = _rng(seed)
        x = rng.standard_normal((n, p))
        w = 0.3 * rng.standard_normal((p, len(scales))) * np.array(scales)
        y = x @ w + noise * rng.standard_normal((n, len(scales)))
        folds = ref.grouped_folds(np.arange(n) // 2, n_folds)
        cases.append(
            (f"case {len(cases) + 1} ({n} stimuli, {p} features, {n_folds} folds)", x, y, folds)
        )
    return cases


def _alpha_mistakes(x: np.ndarray, y: np.ndarray, folds: list, alphas: tuple) -> dict[str, float]:
    """The alpha each known mistake picks on one case, keyed by its hint."""
    errors = _held_out_sums(x, y, folds, alphas)
    in_sample = [((ref.ridge_predict(x, y, x, a) - y) ** 2).sum() for a in alphas]
    absolute = [
        sum(np.abs(ref.ridge_predict(x[tr], y[tr], x[te], a) - y[te]).sum() for tr, te in folds)
        for a in alphas
    ]
    return {
        "it matches the alpha with the smallest *training* error: score each alpha "
        "on the held-out test rows of each fold": alphas[int(np.argmin(in_sample))],
        "this alpha has the *largest* held-out error: pick the smallest "
        "(np.argmin, not np.argmax)": alphas[int(np.argmax(errors.sum(1)))],
        "it matches the first fold alone: add up the errors of every fold before "
        "choosing": ref.choose_alpha(x, y, folds[:1], alphas),
        "it matches the last fold alone: the total is overwritten in each fold "
        "(total = … instead of total += …), so only the last fold counts": ref.choose_alpha(
            x, y, folds[-1:], alphas
        ),
        "it matches the smallest *absolute* error: the criterion is the sum of *squared* "
        "errors, (prediction − response)²": alphas[int(np.argmin(absolute))],
        "it matches the median of each voxel's own best alpha: one alpha for all "
        "voxels minimises the error summed over voxels, which is not the median of "
        "the voxels' minimisers": float(np.median(np.asarray(alphas)[np.argmin(errors, axis=0)])),
    }


def _same_alpha(got: Any, value: float) -> bool:
    try:
        return bool(np.isclose(float(got), value, rtol=1e-6))
    except (TypeError, ValueError):
        return False


def _alpha_cases(fn: Callable) -> int:
    alphas = (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    cases = _alpha_inputs()
    answers = []
    for _, x, y, folds in cases:
        with _no_delegation(fn, ref.choose_alpha, "encoding.choose_alpha"):
            answers.append(
                fn(x.copy(), y.copy(), [(tr.copy(), te.copy()) for tr, te in folds], alphas)
            )
    wants, valids, mistakes = [], [], []
    for _, x, y, folds in cases:
        want = ref.choose_alpha(x, y, folds, alphas)
        wants.append(want)
        # least squared error, or (equally valid) the largest held-out r
        valids.append((want, _correlation_alpha(x, y, folds, alphas)))
        mistakes.append(_alpha_mistakes(x, y, folds, alphas))
    wrong = [k for k, got in enumerate(answers) if not any(_same_alpha(got, a) for a in valids[k])]
    if not wrong:
        return len(cases)
    first = wrong[0]
    case = cases[first][0]
    # A mistake is named only when it explains the answer in *every* case: one case alone
    # can give two mistakes the same alpha (absolute error and the first fold, say).
    explained = [
        hint
        for hint in mistakes[first]
        if all(_same_alpha(answers[k], mistakes[k][hint]) for k in range(len(cases)))
    ]
    if explained:
        raise CheckFailed(f"{case}: alpha is wrong — {'; and '.join(explained)}.")
    compare_number("alpha", answers[first], wants[first], case)
    return len(cases)


def choose_alpha(fn: Callable) -> Callable:
    """Check ``choose_alpha(features, responses, folds, alphas)`` against the reference."""
    return run_checks("choose_alpha", fn, ref.choose_alpha, _alpha_cases)


# ------------------------------------------------------------------ noise ceiling


def _ceiling_variants(reps: np.ndarray, halves: str) -> dict[str, np.ndarray]:
    """The reference and its known mistakes for one way of splitting the repetitions."""
    n = reps.shape[0]
    if halves == "even/odd":
        a, b = reps[0::2].mean(0), reps[1::2].mean(0)
    else:
        a, b = reps[: n // 2].mean(0), reps[n // 2 :].mean(0)
    r_half = _pearson_flat(a, b)
    sb = 2 * r_half / (1 + r_half)
    k = n  # Spearman–Brown with the number of repetitions instead of the 2 halves
    sb_n = k * r_half / (1 + (k - 1) * r_half)
    return {
        "right": np.sqrt(np.clip(sb, 0, None)),
        "r_half": r_half,
        "sb": sb,
        "no Spearman–Brown": np.sqrt(np.clip(r_half, 0, None)),
        "no root": np.clip(sb, 0, None),
        "absolute": np.sqrt(np.abs(sb)),
        "factor n": np.sqrt(np.clip(sb_n, 0, None)),
    }


def _ceiling_cases(fn: Callable) -> int:
    cases = []
    for seed, n_reps, n_stimuli, n_voxels, gain, n_noise in (
        (7, 4, 60, 6, 0.5, 0),
        (8, 2, 40, 5, 1.0, 0),
        (9, 6, 80, 3, 0.3, 0),
        (12, 4, 50, 8, 0.6, 4),  # four pure-noise voxels: some split-half r are negative
    ):
        rng = _rng(seed)
        signal = rng.standard_normal((1, n_stimuli, n_voxels))
        signal[..., n_voxels - n_noise :] = 0.0
        reps = gain * signal + rng.standard_normal((n_reps, n_stimuli, n_voxels))
        extra = f", {n_noise} pure-noise voxels" if n_noise else ""
        cases.append(
            (
                f"case {len(cases) + 1} "
                f"({n_reps} repetitions, {n_stimuli} stimuli, {n_voxels} voxels{extra})",
                reps,
            )
        )
    for case, reps in cases:
        with _no_delegation(fn, ref.split_half_ceiling, "encoding.split_half_ceiling"):
            got = fn(reps.copy())
        got, single = _as_float64(got)
        variants = [_ceiling_variants(reps, halves) for halves in ("even/odd", "first/second")]
        want = variants[0]["right"]
        # even/odd or first/second halves, the mean over every split into halves, or the
        # mean pairwise r of single repetitions with Spearman–Brown at k = n_reps: all right
        for right in [v["right"] for v in variants] + _other_right_ceilings(reps):
            if _close(got, right, atol=1e-5 if single else 1e-8):
                want = right
        if (
            not _close(got, want, atol=1e-5 if single else 1e-8)
            and isinstance(got, np.ndarray)
            and got.dtype.kind == "f"
        ):
            if np.isnan(got).any():
                negative = any((v["sb"] < 0).any() for v in variants)
                raise CheckFailed(
                    f"{case}: the ceiling contains NaN"
                    + (
                        " where the split-half r is negative (pure-noise voxels): the square "
                        "root of a negative reliability is undefined; clip ρ at 0 first."
                        if negative
                        else "."
                    )
                )
        mistakes = []
        for v in variants:
            mistakes += [
                (
                    v["no Spearman–Brown"],
                    "no Spearman–Brown correction: the two halves each average only "
                    "half the repetitions; ρ = 2r / (1 + r).",
                ),
                (v["no root"], "this is the reliability ρ; the ceiling on r is √ρ."),
                (
                    v["r_half"],
                    "this is the split-half correlation itself: apply Spearman–Brown, "
                    "then take the square root.",
                ),
                (v["sb"], "this is the reliability ρ; the ceiling on r is √ρ (clipped at 0)."),
                (
                    v["absolute"],
                    "a negative reliability means no reliable signal: clip it to 0, do not "
                    "take its absolute value.",
                ),
                (
                    v["factor n"],
                    "Spearman–Brown was applied with the number of repetitions; the two "
                    "half-averages are combined into one, so the factor is 2.",
                ),
            ]
        compare(
            "ceiling",
            got,
            want,
            case,
            "(n_voxels,)",
            shape_hints={
                (
                    reps.shape[1],
                ): "one value per stimulus: correlate across stimuli, one per voxel.",
            },
            mistakes=[(m, hint) for m, hint in mistakes if not np.isnan(m).any()],
            atol=1e-5 if single else 1e-8,
        )
    return len(cases)


def _other_right_ceilings(reps: np.ndarray) -> list[np.ndarray]:
    """Ceilings from other correct estimators of the same reliability.

    The mean over every split of the repetitions into two halves (of r_half, of ρ or of the
    ceiling itself), and the mean correlation between single repetitions stepped up by
    Spearman–Brown with k = n_reps (the reliability of the average of all of them).
    """
    n = reps.shape[0]
    out = []
    if n >= 4:
        rs = []
        for half in itertools.combinations(range(1, n), n // 2 - 1):
            first = [0, *half]  # splits containing repetition 0: each split once
            second = [k for k in range(n) if k not in first]
            rs.append(_pearson_flat(reps[first].mean(0), reps[second].mean(0)))
        r_half = np.array(rs)  # (n_splits, n_voxels)
        sb = 2 * r_half / (1 + r_half)
        mean_r = r_half.mean(0)
        out += [
            np.sqrt(np.clip(2 * mean_r / (1 + mean_r), 0, None)),
            np.sqrt(np.clip(sb.mean(0), 0, None)),
            np.sqrt(np.clip(sb, 0, None)).mean(0),
        ]
    pairs = [_pearson_flat(reps[i], reps[j]) for i, j in itertools.combinations(range(n), 2)]
    r_single = np.mean(pairs, axis=0)
    out.append(np.sqrt(np.clip(n * r_single / (1 + (n - 1) * r_single), 0, None)))
    return out


def _close(got: Any, want: np.ndarray, atol: float = 1e-8) -> bool:
    """Whether ``got`` is a float array of ``want``'s shape with the same values."""
    if not (isinstance(got, np.ndarray) and got.shape == want.shape and got.dtype.kind == "f"):
        return False
    return not np.isnan(got).any() and np.allclose(got, want, atol=atol)


def split_half_ceiling(fn: Callable) -> Callable:
    """Check ``split_half_ceiling(repetitions)`` against :func:`.encoding.split_half_ceiling`."""
    return run_checks("split_half_ceiling", fn, ref.split_half_ceiling, _ceiling_cases)


# ------------------------------------------------------------------ grouped folds


def _folds_list(got: Any, case: str) -> list[tuple[np.ndarray, np.ndarray]]:
    if not isinstance(got, (list, tuple)):
        raise CheckFailed(
            f"{case}: expected a list of (train_index, test_index) pairs, got {type(got).__name__}."
        )
    out = []
    for k, fold in enumerate(got):
        if not (isinstance(fold, (list, tuple)) and len(fold) == 2):
            raise CheckFailed(f"{case}: fold {k} should be a pair (train_index, test_index).")
        out.append((np.asarray(fold[0]).ravel(), np.asarray(fold[1]).ravel()))
    return out


def _grouped_cases(fn: Callable) -> int:
    rng = _rng(10)
    unequal = np.repeat(np.arange(9), rng.integers(2, 6, size=9))
    cases = [
        ("case 1 (10 passages of 4 sentences, 5 folds)", np.repeat(np.arange(10), 4), 5),
        ("case 2 (9 passages of unequal length, 3 folds)", unequal, 3),
        ("case 3 (string labels, 6 passages, 2 folds)", np.repeat(np.array(list("abcdef")), 3), 2),
        ("case 4 (4 passages, 4 folds: one passage per fold)", np.repeat(np.arange(4), 5), 4),
    ]
    for case, groups, n_folds in cases:
        n = groups.size
        with _no_delegation(fn, ref.grouped_folds, "encoding.grouped_folds"):
            answer = fn(groups.copy(), n_folds)
        folds = _folds_list(answer, case)
        if len(folds) != n_folds:
            raise CheckFailed(f"{case}: expected {n_folds} folds, got {len(folds)}.")
        tested = np.concatenate([test for _, test in folds])
        for k, (train, test) in enumerate(folds):
            if test.size == 0:
                raise CheckFailed(
                    f"{case}: test fold {k} is empty — deal whole groups to "
                    "folds in turn so each fold gets at least one."
                )
            overlap = np.intersect1d(train, test)
            if overlap.size:
                raise CheckFailed(
                    f"{case}: fold {k} has stimuli {overlap[:5].tolist()} in "
                    "both train and test (leakage): train = all stimuli not in test."
                )
            shared = np.intersect1d(groups[train], groups[test])
            if shared.size:
                raise CheckFailed(
                    f"{case}: in fold {k} passage {shared[0]!r} has sentences in both train and "
                    "test — assign whole groups, not single stimuli, to folds."
                )
            if np.union1d(train, test).size != n:
                raise CheckFailed(
                    f"{case}: fold {k} leaves some stimuli out of both train "
                    "and test; train must be every stimulus not in test."
                )
        if tested.size != n or np.unique(tested).size != n:
            raise CheckFailed(
                f"{case}: the test folds must hold every stimulus exactly once "
                f"(they hold {tested.size} entries for {n} stimuli)."
            )
        sizes = [test.size for _, test in folds]
        if max(sizes) > 2 * n / n_folds:
            raise CheckFailed(
                f"{case}: the test folds hold {sizes} stimuli — one fold has more than twice "
                f"its share ({n} / {n_folds}), so the others train on much more data than it. "
                "Deal the groups to the folds in turn so that the folds have similar sizes."
            )
    case = "case 5 (3 passages but 5 folds requested)"
    try:
        fn(np.repeat(np.arange(3), 4), 5)
    except ValueError:
        pass
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 — reported, not raised
        raise CheckFailed(f"{case}: raise ValueError, not {type(error).__name__}.") from None
    else:
        raise CheckFailed(
            f"{case}: with more folds than passages some fold would be empty; "
            "raise ValueError with a clear message."
        )
    return len(cases) + 1


def grouped_folds(fn: Callable) -> Callable:
    """Check ``grouped_folds(groups, n_folds)``: any split that keeps groups whole passes."""
    return run_checks("grouped_folds", fn, ref.grouped_folds, _grouped_cases)


# ------------------------------------------------------------------ the position-in-passage control


def _bump(distance: np.ndarray, width: float) -> np.ndarray:
    return np.exp(-(distance**2) / (2 * width**2))


def _position_cases(fn: Callable) -> int:
    cases = [
        (
            "case 1 (3 passages of 4, 5 and 3 sentences, width 1)",
            np.repeat([0, 1, 2], [4, 5, 3]),
            1.0,
        ),
        (
            "case 2 (labels out of order, passages of 3, 2 and 4 sentences, width 3)",
            np.repeat([7, 2, 5], [3, 2, 4]),
            3.0,
        ),
        (
            "case 3 (string labels, 4 passages of 3 sentences, width 0.5)",
            np.repeat(list("wxyz"), 3),
            0.5,
        ),
        ("case 4 (one passage of 6 sentences, width 1.5)", np.zeros(6, dtype=int), 1.5),
    ]
    for case, passage, width in cases:
        n = passage.size
        want = feat.position_in_passage(passage, width)
        index = np.arange(n)
        distance = index[:, None] - index[None, :]
        same = passage[:, None] == passage[None, :]
        labels = list(dict.fromkeys(passage.tolist()))
        with _no_delegation(fn, feat.position_in_passage, "features.position_in_passage"):
            got = fn(passage.copy(), width)
        got, single = _as_float64(got)

        def explain(got_t: Any, case: str, same: np.ndarray = same) -> None:
            values = got_t.double().numpy()
            across = np.abs(values[~same]).max(initial=0.0)
            if across > 1e-9:
                raise CheckFailed(
                    f"{case}: the feature is non-zero between sentences of different passages "
                    f"(up to {across:.3g}); it must be zero there, so that rows of different "
                    "passages are orthogonal and nothing carries over from one passage to another."
                )
            if not np.allclose(np.diag(values), 1.0):
                raise CheckFailed(
                    f"{case}: a sentence's entry for itself should be exp(0) = 1, "
                    f"got {np.diag(values)[:4].round(3).tolist()}…"
                )

        mistakes = [
            (
                _bump(distance, width),
                "the bump runs across passage boundaries: keep only the sentences of the same "
                "passage (zero elsewhere), so that different passages are orthogonal.",
            ),
            (
                same.astype(float),
                "every sentence of a passage has the same row (passage identity only): within a "
                "passage the value must fall with distance, exp(−(j − i)² / 2w²).",
            ),
            (
                np.eye(n),
                "each row is a one-hot of the sentence itself: spread it over the sentences of "
                "its passage as a Gaussian bump of width w.",
            ),
            (
                np.where(same, np.exp(-(distance**2) / width**2), 0.0),
                "the exponent is missing the factor 2: −(j − i)² / (2w²).",
            ),
            (
                np.where(same, np.exp(-(distance**2) / (2 * width)), 0.0),
                "the width is not squared: the exponent is −(j − i)² / (2w²).",
            ),
        ]
        if width != 1.0:
            mistakes.append(
                (
                    np.where(same, _bump(distance, 1.0), 0.0),
                    f"the result does not change with width (it equals width 1; this case asks "
                    f"for width {width}): use w in the exponent.",
                )
            )
        compare(
            "the position feature",
            got,
            want,
            case,
            "(n_sentences, n_sentences)",
            shape_hints={
                (n, len(labels)): "one column per passage: the feature has one column per "
                "sentence, a bump over the sentences of the same passage.",
                (n,): "one number per sentence: return an (n_sentences, n_sentences) matrix, "
                "row i a bump centred on sentence i.",
            },
            mistakes=mistakes,
            explain=explain,
            atol=1e-6 if single else 1e-8,
        )
    return len(cases)


def position_in_passage(fn: Callable) -> Callable:
    """Check ``position_in_passage(passage, width)`` against the library's feature.

    The reference is :func:`brainformers.encoding.features.position_in_passage`.
    """
    return run_checks("position_in_passage", fn, feat.position_in_passage, _position_cases)
