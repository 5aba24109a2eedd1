"""Chapter-05 checkers: accept the reference and correct versions, name each plausible mistake."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import check
from brainformers import encoding as ref
from brainformers.encoding import features
from checking import assert_rejected, run
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, KFold

# ----------------------------------------------------------------- Pearson r


def pearson(predicted, actual, *, centre=True, normalise=True, axis=0, flat=False):
    if flat:
        return float(np.corrcoef(predicted.ravel(), actual.ravel())[0, 1])
    p = predicted - predicted.mean(axis, keepdims=True) if centre else predicted
    a = actual - actual.mean(axis, keepdims=True) if centre else actual
    cov = (p * a).sum(axis)
    if not normalise:
        return cov / predicted.shape[axis]
    return cov / np.sqrt((p**2).sum(axis) * (a**2).sum(axis))


def pearson_loop(predicted, actual):
    return np.array(
        [np.corrcoef(predicted[:, j], actual[:, j])[0, 1] for j in range(actual.shape[1])]
    )


def test_pearson_accepts_reference_and_alternative(capsys):
    assert run(check.pearson_per_voxel, ref.pearson_per_voxel, capsys)[0] is ref.pearson_per_voxel
    result, out = run(check.pearson_per_voxel, pearson_loop, capsys)
    assert result is pearson_loop and out.startswith("✓"), out


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"centre": False}, "not centred"),
        ({"normalise": False}, "covariance"),
        ({"axis": 1}, "across voxels"),
        ({"flat": True}, "one number"),
    ],
)
def test_pearson_mistakes(capsys, kwargs, fragment):
    assert_rejected(
        check.pearson_per_voxel,
        lambda p, a: pearson(p, a, **kwargs),
        ref.pearson_per_voxel,
        capsys,
        fragment,
    )


# ----------------------------------------------------------------- ridge


def ridge_sklearn(x, y, xt, alpha):
    return Ridge(alpha=alpha).fit(x, y).predict(xt)


def ridge_plain(x, y, xt, alpha, *, mistake=None):
    xm, ym = x.mean(0), y.mean(0)
    if mistake == "no-centring":
        xm, ym = 0.0 * xm, 0.0 * ym
    a = {"no-alpha": 0.0, "times-n": alpha * x.shape[0]}.get(mistake, alpha)
    w = np.linalg.solve(
        (x - xm).T @ (x - xm) + a * np.eye(x.shape[1]) + 1e-12 * np.eye(x.shape[1]),
        (x - xm).T @ (y - ym),
    )
    if mistake == "weights":
        return w
    test = xt if mistake == "test-uncentred" else xt - xm
    return test @ w + ym


def test_ridge_accepts_reference_and_sklearn(capsys):
    assert run(check.ridge_predict, ref.ridge_predict, capsys)[0] is ref.ridge_predict
    result, out = run(check.ridge_predict, ridge_sklearn, capsys)
    assert result is ridge_sklearn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("no-centring", "no intercept"),
        ("test-uncentred", "*training* feature means"),
        ("no-alpha", "alpha is not used"),
        ("times-n", "multiplied by the number of stimuli"),
        ("weights", "returned the weights"),
    ],
)
def test_ridge_mistakes(capsys, mistake, fragment):
    assert_rejected(
        check.ridge_predict,
        lambda x, y, xt, a: ridge_plain(x, y, xt, a, mistake=mistake),
        ref.ridge_predict,
        capsys,
        fragment,
    )


# ----------------------------------------------------------------- choose alpha


def alpha_loop(x, y, folds, alphas, *, mistake=None):
    errors = []
    for a in alphas:
        total = 0.0
        for train, test in folds[:1] if mistake == "first-fold" else folds:
            if mistake == "leak":
                train, test = np.arange(len(x)), np.arange(len(x))
            model = Ridge(alpha=a).fit(x[train], y[train])
            total += ((model.predict(x[test]) - y[test]) ** 2).sum()
        errors.append(total)
    pick = np.argmax if mistake == "argmax" else np.argmin
    return alphas[int(pick(errors))]


def alpha_by_correlation(x, y, folds, alphas):
    # Another valid criterion: the alpha whose held-out predictions correlate best.
    mean_r = []
    for a in alphas:
        rs = [
            pearson(Ridge(alpha=a).fit(x[tr], y[tr]).predict(x[te]), y[te]).mean()
            for tr, te in folds
        ]
        mean_r.append(np.mean(rs))
    return alphas[int(np.argmax(mean_r))]


def alpha_per_voxel_median(x, y, folds, alphas):
    errors = np.zeros((len(alphas), y.shape[1]))
    for k, a in enumerate(alphas):
        for tr, te in folds:
            errors[k] += ((Ridge(alpha=a).fit(x[tr], y[tr]).predict(x[te]) - y[te]) ** 2).sum(0)
    return float(np.median(np.asarray(alphas)[errors.argmin(0)]))


def test_choose_alpha_accepts(capsys):
    assert run(check.choose_alpha, ref.choose_alpha, capsys)[0] is ref.choose_alpha
    for fn in (alpha_loop, alpha_by_correlation):
        result, out = run(check.choose_alpha, fn, capsys)
        assert result is fn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="leak"), "*training* error"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="argmax"), "*largest*"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="first-fold"), "first fold alone"),
        (alpha_per_voxel_median, "median of each voxel's own best alpha"),
        (lambda x, y, f, a: a[len(a) // 2], "the reference gives"),
    ],
)
def test_choose_alpha_mistakes(capsys, wrong, fragment):
    assert_rejected(check.choose_alpha, wrong, ref.choose_alpha, capsys, fragment)


# ----------------------------------------------------------------- noise ceiling


def ceiling(reps, *, brown=True, root=True, clip=True, axis=0, halves="even/odd", factor=2):
    n = reps.shape[0]
    if halves == "even/odd":
        a, b = reps[0::2].mean(0), reps[1::2].mean(0)
    else:
        a, b = reps[: n // 2].mean(0), reps[n // 2 :].mean(0)
    if axis == 1:
        a, b = a.T, b.T
    r = pearson(a, b)
    k = n if factor == "n_reps" else 2
    rho = k * r / (1 + (k - 1) * r) if brown else r
    if clip == "abs":
        rho = np.abs(rho)
    elif clip:
        rho = np.clip(rho, 0, None)
    with np.errstate(invalid="ignore"):
        return np.sqrt(rho) if root else rho


def test_ceiling_accepts(capsys):
    assert (
        run(check.split_half_ceiling, ref.split_half_ceiling, capsys)[0] is ref.split_half_ceiling
    )
    first_second = lambda reps: ceiling(reps, halves="first/second")  # noqa: E731
    for fn in (ceiling, first_second):
        result, out = run(check.split_half_ceiling, fn, capsys)
        assert result is fn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"brown": False}, "Spearman–Brown"),
        ({"root": False}, "√ρ"),
        ({"brown": False, "root": False, "clip": False}, "split-half correlation itself"),
        ({"axis": 1}, "one per voxel"),
        ({"clip": False}, "clip ρ at 0"),
        ({"clip": "abs"}, "absolute value"),
        ({"factor": "n_reps"}, "number of repetitions"),
        ({"brown": False, "halves": "first/second"}, "Spearman–Brown"),
    ],
)
def test_ceiling_mistakes(capsys, kwargs, fragment):
    assert_rejected(
        check.split_half_ceiling,
        lambda reps: ceiling(reps, **kwargs),
        ref.split_half_ceiling,
        capsys,
        fragment,
    )


# ----------------------------------------------------------------- grouped folds


def grouped_sklearn(groups, n_folds):
    _, codes = np.unique(groups, return_inverse=True)
    if n_folds > codes.max() + 1:
        raise ValueError("more folds than groups")
    return list(GroupKFold(n_splits=n_folds).split(np.zeros(len(groups)), groups=codes))


def shuffled(groups, n_folds):
    return list(KFold(n_folds, shuffle=True, random_state=0).split(np.zeros(len(groups))))


def leaky(groups, n_folds):
    return [(np.arange(len(groups)), test) for _, test in ref.grouped_folds(groups, n_folds)]


def no_error(groups, n_folds):
    labels = list(dict.fromkeys(groups.tolist()))
    fold = np.array([labels.index(g) % n_folds for g in groups.tolist()])
    idx = np.arange(len(groups))
    return [(idx[fold != k], idx[fold == k]) for k in range(n_folds)]


def wrong_count(groups, n_folds):
    return ref.grouped_folds(groups, 2) if n_folds != 2 else ref.grouped_folds(groups, 2)[:1]


def one_giant_fold(groups, n_folds):
    # K − 1 folds of a single passage each, and every other passage in the last fold
    labels = list(dict.fromkeys(groups.tolist()))
    if n_folds > len(labels):
        raise ValueError("more folds than groups")
    fold = np.array([min(labels.index(g), n_folds - 1) for g in groups.tolist()])
    idx = np.arange(len(groups))
    return [(idx[fold != k], idx[fold == k]) for k in range(n_folds)]


def contiguous_blocks(groups, n_folds):
    # blocks of consecutive sentences, blind to where a passage ends
    idx = np.arange(len(groups))
    return [(np.setdiff1d(idx, part), part) for part in np.array_split(idx, n_folds)]


def passage_in_two_folds(groups, n_folds):
    folds = ref.grouped_folds(groups, n_folds)
    train, test = folds[-1]
    extra = folds[0][1]
    return [*folds[:-1], (np.setdiff1d(train, extra), np.union1d(test, extra))]


def test_grouped_accepts(capsys):
    assert run(check.grouped_folds, ref.grouped_folds, capsys)[0] is ref.grouped_folds
    result, out = run(check.grouped_folds, grouped_sklearn, capsys)
    assert result is grouped_sklearn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (shuffled, "both train and test"),
        (leaky, "leakage"),
        (no_error, "raise ValueError"),
        (wrong_count, "folds, got"),
        (one_giant_fold, "twice its share"),
        (contiguous_blocks, "both train and test"),
        (passage_in_two_folds, "exactly once"),
    ],
)
def test_grouped_mistakes(capsys, wrong, fragment):
    assert_rejected(check.grouped_folds, wrong, ref.grouped_folds, capsys, fragment)


# ----------------------------------------------------------------- position in passage


def position_loop(passage, width=1.0):
    # Another correct reading: the bump over each sentence's position *within* its passage.
    n = len(passage)
    out = np.zeros((n, n))
    for label in dict.fromkeys(passage.tolist()):
        members = np.flatnonzero(passage == label)
        rank = np.arange(members.size)
        out[np.ix_(members, members)] = np.exp(
            -((rank[:, None] - rank[None, :]) ** 2) / (2 * width**2)
        )
    return out


def position(passage, width=1.0, *, mistake=None):
    passage = np.asarray(passage)
    n = passage.size
    d = np.arange(n)[:, None] - np.arange(n)[None, :]
    same = passage[:, None] == passage[None, :]
    w = 1.0 if mistake == "width-ignored" else width
    denominator = {"no-two": w**2, "not-squared": 2 * w}.get(mistake, 2 * w**2)
    bump = np.exp(-(d**2) / denominator)
    if mistake == "no-mask":
        return bump
    if mistake == "identity-only":
        return same.astype(float)
    if mistake == "one-hot-passages":
        labels = list(dict.fromkeys(passage.tolist()))
        return (passage[:, None] == np.array(labels)[None, :]).astype(float)
    if mistake == "float32":
        return np.where(same, bump, 0.0).astype(np.float32)
    if mistake == "leaky-neighbours":
        # zero across passages except the neighbour just over the boundary
        out = np.where(same, bump, 0.0)
        out[np.abs(d) == 1] = np.maximum(out[np.abs(d) == 1], 0.5)
        return out
    return np.where(same, bump, 0.0)


def test_position_accepts_reference_and_alternative(capsys):
    reference = features.position_in_passage
    assert run(check.position_in_passage, reference, capsys)[0] is reference
    for fn in (position, position_loop):
        result, out = run(check.position_in_passage, fn, capsys)
        assert result is fn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("no-mask", "across passage boundaries"),
        ("identity-only", "passage identity only"),
        ("no-two", "factor 2"),
        ("not-squared", "not squared"),
        ("width-ignored", "does not change with width"),
        ("one-hot-passages", "one column per passage"),
        ("float32", "dtype float64"),
        ("leaky-neighbours", "different passages"),
    ],
)
def test_position_mistakes(capsys, mistake, fragment):
    assert_rejected(
        check.position_in_passage,
        lambda passage, width=1.0: position(passage, width, mistake=mistake),
        features.position_in_passage,
        capsys,
        fragment,
    )


# ----------------------------------------------------------------- unfinished


@pytest.mark.parametrize(
    "checker",
    [
        "pearson_per_voxel",
        "ridge_predict",
        "choose_alpha",
        "split_half_ceiling",
        "grouped_folds",
        "position_in_passage",
    ],
)
def test_not_implemented(capsys, checker):
    def stub(*args):
        raise NotImplementedError

    result, out = run(getattr(check, checker), stub, capsys)
    assert result is getattr(features if checker == "position_in_passage" else ref, checker)
    assert out.startswith("○") and "not implemented yet" in out
