"""Chapter-05 checkers: accept the reference and correct versions, name each plausible mistake."""

from __future__ import annotations

import itertools

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


def pearson_float32(predicted, actual):
    # right, in single precision
    return pearson(predicted.astype(np.float32), actual.astype(np.float32))


def pearson_zscores(predicted, actual):
    # right: the mean product of z-scores (population standard deviations)
    zp = (predicted - predicted.mean(0)) / predicted.std(0)
    za = (actual - actual.mean(0)) / actual.std(0)
    return (zp * za).mean(0)


def pearson_delegates(predicted, actual):
    return ref.pearson_per_voxel(predicted, actual)


def pearson_via_held_out_r(predicted, actual):
    return ref.held_out_r(predicted, actual)  # the library's r, one call away


def spearman(predicted, actual):
    rank = lambda a: a.argsort(0).argsort(0).astype(float)  # noqa: E731
    return pearson(rank(predicted), rank(actual))


def test_pearson_accepts_reference_and_alternative(capsys):
    assert run(check.pearson_per_voxel, ref.pearson_per_voxel, capsys)[0] is ref.pearson_per_voxel
    for fn in (pearson_loop, pearson_float32, pearson_zscores):
        result, out = run(check.pearson_per_voxel, fn, capsys)
        assert result is fn and out.startswith("✓"), out


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


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (pearson_delegates, "calls the library's encoding.pearson_per_voxel"),
        (pearson_via_held_out_r, "calls the library's encoding.pearson_per_voxel"),
        (spearman, "differs from the reference"),
    ],
)
def test_pearson_more_mistakes(capsys, wrong, fragment):
    assert_rejected(check.pearson_per_voxel, wrong, ref.pearson_per_voxel, capsys, fragment)
    assert check.verdicts()[-1].status == "failed"


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


def ridge_dual(x, y, xt, alpha):
    # right: the kernel form, W = Xᵀ (X Xᵀ + αI)⁻¹ Y on centred data
    xm, ym = x.mean(0), y.mean(0)
    xc = x - xm
    return (xt - xm) @ xc.T @ np.linalg.solve(xc @ xc.T + alpha * np.eye(len(x)), y - ym) + ym


def ridge_float32(x, y, xt, alpha):
    return ridge_plain(x, y, xt, alpha).astype(np.float32)


def ridge_delegates(x, y, xt, alpha):
    return ref.ridge_predict(x, y, xt, alpha)


def test_ridge_accepts_reference_and_sklearn(capsys):
    assert run(check.ridge_predict, ref.ridge_predict, capsys)[0] is ref.ridge_predict
    for fn in (ridge_sklearn, ridge_dual, ridge_float32):
        result, out = run(check.ridge_predict, fn, capsys)
        assert result is fn and out.startswith("✓"), out


def test_ridge_rejects_delegation(capsys):
    assert_rejected(
        check.ridge_predict, ridge_delegates, ref.ridge_predict, capsys, "encoding.ridge_predict"
    )


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
            residual = model.predict(x[test]) - y[test]
            error = np.abs(residual).sum() if mistake == "absolute" else (residual**2).sum()
            if mistake == "last-fold":
                total = error  # overwritten in every fold: only the last one counts
            else:
                total += error
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


def alpha_vectorised(x, y, folds, alphas):
    # right: an (n_alphas, n_voxels) table of errors, summed at the end; a NumPy scalar back
    table = np.zeros((len(alphas), y.shape[1]))
    for tr, te in folds:
        for k, a in enumerate(alphas):
            table[k] += ((ref.ridge_predict(x[tr], y[tr], x[te], a) - y[te]) ** 2).sum(0)
    return np.asarray(alphas)[table.sum(1).argmin()]


def alpha_delegates(x, y, folds, alphas):
    return ref.choose_alpha(x, y, folds, alphas)


def test_choose_alpha_accepts(capsys):
    assert run(check.choose_alpha, ref.choose_alpha, capsys)[0] is ref.choose_alpha
    for fn in (alpha_loop, alpha_by_correlation, alpha_vectorised):
        result, out = run(check.choose_alpha, fn, capsys)
        assert result is fn and out.startswith("✓"), out


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="leak"), "*training* error"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="argmax"), "*largest*"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="first-fold"), "first fold alone"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="last-fold"), "last fold alone"),
        (lambda x, y, f, a: alpha_loop(x, y, f, a, mistake="absolute"), "*absolute* error"),
        (alpha_per_voxel_median, "median of each voxel's own best alpha"),
        (lambda x, y, f, a: a[len(a) // 2], "the reference gives"),
        (alpha_delegates, "encoding.choose_alpha"),
    ],
)
def test_choose_alpha_mistakes(capsys, wrong, fragment):
    assert_rejected(check.choose_alpha, wrong, ref.choose_alpha, capsys, fragment)


@pytest.mark.parametrize("mistake", ["absolute", "last-fold"])
def test_choose_alpha_names_one_mistake(capsys, mistake):
    # each is diagnosed as itself, not as the first fold or as the other
    wrong = lambda x, y, f, a: alpha_loop(x, y, f, a, mistake=mistake)  # noqa: E731
    _, out = run(check.choose_alpha, wrong, capsys)
    assert "first fold alone" not in out, out
    other = "last fold alone" if mistake == "absolute" else "*absolute*"
    assert other not in out, out


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


def ceiling_all_splits(reps):
    # right: the mean split-half r over every split into two halves, then Spearman–Brown
    n = reps.shape[0]
    rs = []
    for first in itertools.combinations(range(n), n // 2):
        if 0 not in first:
            continue  # each split once
        second = [k for k in range(n) if k not in first]
        rs.append(pearson(reps[list(first)].mean(0), reps[second].mean(0)))
    r = np.mean(rs, axis=0)
    return np.sqrt(np.clip(2 * r / (1 + r), 0, None))


def ceiling_pairwise(reps):
    # right: mean r between single repetitions, Spearman–Brown with k = n_reps
    n = reps.shape[0]
    r = np.mean([pearson(reps[i], reps[j]) for i, j in itertools.combinations(range(n), 2)], 0)
    return np.sqrt(np.clip(n * r / (1 + (n - 1) * r), 0, None))


def ceiling_float32(reps):
    return ceiling(reps).astype(np.float32)


def ceiling_delegates(reps):
    return ref.split_half_ceiling(reps)


def test_ceiling_accepts(capsys):
    assert (
        run(check.split_half_ceiling, ref.split_half_ceiling, capsys)[0] is ref.split_half_ceiling
    )
    first_second = lambda reps: ceiling(reps, halves="first/second")  # noqa: E731
    for fn in (ceiling, first_second, ceiling_all_splits, ceiling_pairwise, ceiling_float32):
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


def test_ceiling_rejects_delegation(capsys):
    assert_rejected(
        check.split_half_ceiling,
        ceiling_delegates,
        ref.split_half_ceiling,
        capsys,
        "encoding.split_half_ceiling",
    )


# ----------------------------------------------------------------- grouped folds


def grouped_sklearn(groups, n_folds):
    _, codes = np.unique(groups, return_inverse=True)
    if n_folds > codes.max() + 1:
        raise ValueError("more folds than groups")
    return list(GroupKFold(n_splits=n_folds).split(np.zeros(len(groups)), groups=codes))


def shuffled(groups, n_folds):
    return list(KFold(n_folds, shuffle=True, random_state=0).split(np.zeros(len(groups))))


def deal(groups, n_folds):
    # a right answer written here (the checker refuses calls to the library's own)
    labels = list(dict.fromkeys(groups.tolist()))
    if n_folds > len(labels):
        raise ValueError("more folds than groups")
    fold = np.array([labels.index(g) % n_folds for g in groups.tolist()])
    idx = np.arange(len(groups))
    return [(idx[fold != k], idx[fold == k]) for k in range(n_folds)]


def leaky(groups, n_folds):
    return [(np.arange(len(groups)), test) for _, test in deal(groups, n_folds)]


def no_error(groups, n_folds):
    labels = list(dict.fromkeys(groups.tolist()))
    fold = np.array([labels.index(g) % n_folds for g in groups.tolist()])
    idx = np.arange(len(groups))
    return [(idx[fold != k], idx[fold == k]) for k in range(n_folds)]


def wrong_count(groups, n_folds):
    return deal(groups, 2) if n_folds != 2 else deal(groups, 2)[:1]


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
    folds = deal(groups, n_folds)
    train, test = folds[-1]
    extra = folds[0][1]
    return [*folds[:-1], (np.setdiff1d(train, extra), np.union1d(test, extra))]


def grouped_random_deal(groups, n_folds):
    # right: the groups in a random order, then dealt in turn; folds as tuples of lists
    labels = np.unique(groups)
    if n_folds > labels.size:
        raise ValueError("more folds than groups")
    order = np.random.default_rng(3).permutation(labels.size)
    fold_of = {labels[i]: j % n_folds for j, i in enumerate(order)}
    fold = np.array([fold_of[g] for g in groups])
    idx = np.arange(len(groups))
    return tuple((list(idx[fold != k]), list(idx[fold == k])) for k in range(n_folds))


def grouped_delegates(groups, n_folds):
    return ref.grouped_folds(groups, n_folds)


def test_grouped_accepts(capsys):
    assert run(check.grouped_folds, ref.grouped_folds, capsys)[0] is ref.grouped_folds
    for fn in (grouped_sklearn, grouped_random_deal):
        result, out = run(check.grouped_folds, fn, capsys)
        assert result is fn and out.startswith("✓"), out


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
        (grouped_delegates, "encoding.grouped_folds"),
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
    if mistake == "float32":  # right: single precision is fine
        return np.where(same, bump, 0.0).astype(np.float32)
    if mistake == "delegate":
        return features.position_in_passage(passage, width)
    if mistake == "leaky-neighbours":
        # zero across passages except the neighbour just over the boundary
        out = np.where(same, bump, 0.0)
        out[np.abs(d) == 1] = np.maximum(out[np.abs(d) == 1], 0.5)
        return out
    return np.where(same, bump, 0.0)


def test_position_accepts_reference_and_alternative(capsys):
    reference = features.position_in_passage
    assert run(check.position_in_passage, reference, capsys)[0] is reference
    float32 = lambda passage, width=1.0: position(passage, width, mistake="float32")  # noqa: E731
    for fn in (position, position_loop, float32):
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
        ("delegate", "features.position_in_passage"),
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
