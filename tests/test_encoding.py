"""encoding (regression, ceiling) against scikit-learn and closed forms; every input error named."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import encoding
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.model_selection import GroupKFold


def _data(seed=0, n=60, p=10, v=4, noise=1.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p)) + 2.0
    y = x @ rng.standard_normal((p, v)) + 3.0 + noise * rng.standard_normal((n, v))
    return x, y


def test_pearson_matches_numpy():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((20, 5))
    p = a + rng.standard_normal((20, 5))
    want = [np.corrcoef(p[:, j], a[:, j])[0, 1] for j in range(5)]
    np.testing.assert_allclose(encoding.pearson_per_voxel(p, a), want, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.1, 10.0, 1e4])
def test_ridge_matches_sklearn(alpha):
    x, y = _data(2, n=30, p=40)  # more features than stimuli
    want = Ridge(alpha=alpha).fit(x[:20], y[:20]).predict(x[20:])
    np.testing.assert_allclose(
        encoding.ridge_predict(x[:20], y[:20], x[20:], alpha), want, atol=1e-8
    )


def test_choose_alpha_matches_ridgecv():
    x, y = _data(3, n=60, p=30, noise=4.0)
    folds = encoding.grouped_folds(np.arange(60) // 3, 5)  # equal test sizes
    alphas = list(np.logspace(-2, 4, 13))
    sk = RidgeCV(alphas=alphas, cv=folds, scoring="neg_mean_squared_error").fit(x, y)
    assert encoding.choose_alpha(x, y, folds, alphas) == pytest.approx(sk.alpha_)


def test_per_voxel_alphas_match_himalaya():
    himalaya = pytest.importorskip("himalaya.ridge")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((60, 20)) + 1.0
    # voxels with very different signal-to-noise ratios want different penalties
    y = x @ rng.standard_normal((20, 6)) * np.array([3, 1, 0.3, 0.1, 0.03, 0.0]) + 2.0
    y += rng.standard_normal((60, 6))
    folds = encoding.grouped_folds(np.arange(60) // 3, 5)  # equal test sizes
    alphas = np.logspace(-2, 4, 13)
    model = himalaya.RidgeCV(alphas=alphas, fit_intercept=True, cv=folds).fit(x, y)
    ours = encoding.choose_alpha(x, y, folds, alphas, per_voxel=True)
    np.testing.assert_allclose(ours, np.asarray(model.best_alphas_), rtol=1e-6)
    assert np.unique(ours).size > 1  # the voxels really did get different penalties
    fixed = himalaya.Ridge(alpha=30.0, fit_intercept=True).fit(x[:40], y[:40]).predict(x[40:])
    np.testing.assert_allclose(
        encoding.ridge_predict(x[:40], y[:40], x[40:], 30.0), np.asarray(fixed), atol=1e-8
    )


def test_least_squares_is_min_norm_ols():
    x, y = _data(8, n=40, p=60)  # more features than stimuli: many exact fits
    groups = np.arange(40) // 4
    r = encoding.least_squares_score(x, y, groups, n_folds=5)
    want = []
    for train, test in encoding.grouped_folds(groups, 5):
        predicted = LinearRegression().fit(x[train], y[train]).predict(x[test])
        want.append(encoding.pearson_per_voxel(predicted, y[test]))
    np.testing.assert_allclose(r, np.mean(want, axis=0), atol=1e-8)


def test_subject_median():
    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0])
    subject = np.array(["a", "a", "a", "b", "b", "c", "c", "c", "c"])
    # subject medians 2, 15, 0 → 2; the pooled median would be 1
    assert encoding.subject_median(values, subject) == 2.0
    with pytest.raises(ValueError, match="one label per voxel"):
        encoding.subject_median(values, subject[:-1])


def test_intersubject_ceiling_rises_with_pool_size_and_extrapolates():
    rng = np.random.default_rng(9)
    n, groups = 120, np.arange(120) // 4
    shared = rng.standard_normal((n, 3))  # every subject's voxels read the same 3 signals
    subjects = []
    for _ in range(4):
        signal = shared @ rng.standard_normal((3, 12))
        subjects.append(signal + 1.5 * rng.standard_normal((n, 12)))
    result = encoding.intersubject_ceiling(np.stack(subjects), groups)
    assert result.pool_sizes.tolist() == [1, 2, 3]
    assert result.consistency.shape == (3, 4, 12) and result.ceiling.shape == (4, 12)
    medians = np.median(result.consistency, axis=(1, 2))
    assert medians[0] < medians[1] < medians[2]  # more subjects predict better
    assert np.all((result.ceiling >= 0) & (result.ceiling <= 1))
    assert np.median(result.ceiling) > medians[0]
    np.testing.assert_allclose(  # the ceiling is the extrapolation of these curves
        result.ceiling, encoding.extrapolate_ceiling(result.pool_sizes, result.consistency)
    )
    # one voxel by hand: subject 0's voxels from subject 1 alone, from 1 and 2, from all
    by_hand = encoding.encoding_score(subjects[1], subjects[0], groups=groups)
    pools = [encoding.encoding_score(s, subjects[0], groups=groups) for s in subjects[1:]]
    np.testing.assert_allclose(result.consistency[0, 0], np.mean(pools, axis=0), atol=1e-12)
    assert by_hand.shape == (12,)
    with pytest.raises(ValueError, match="at least 3 subjects"):
        encoding.intersubject_ceiling(np.stack(subjects[:2]), groups)


def test_extrapolation_recovers_a_saturating_curve():
    sizes = np.arange(1, 6)
    v0 = np.array([0.8, 0.3, 0.55])
    tau = np.array([1.5, 0.7, 3.0])
    curves = v0 * (1 - np.exp(-sizes[:, None] / tau))  # (5 sizes, 3 voxels)
    np.testing.assert_allclose(encoding.extrapolate_ceiling(sizes, curves), v0, atol=1e-4)
    with pytest.raises(ValueError, match="2 pool sizes"):
        encoding.extrapolate_ceiling(sizes[:1], curves[:1])


def test_grouped_folds_keep_groups_whole_and_partition():
    groups = np.repeat(np.arange(7), [3, 4, 5, 3, 4, 5, 2])
    folds = encoding.grouped_folds(groups, 3)
    tested = np.sort(np.concatenate([t for _, t in folds]))
    np.testing.assert_array_equal(tested, np.arange(groups.size))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert np.union1d(train, test).size == groups.size


def test_grouped_folds_agree_with_group_kfold_on_equal_passages():
    # With equal passages, dealing in turn and scikit-learn's GroupKFold give the same
    # partition of passages into folds (as sets of test folds).
    groups = np.repeat(np.arange(10), 4)
    ours = {tuple(test) for _, test in encoding.grouped_folds(groups, 5)}
    theirs = {tuple(np.sort(t)) for _, t in GroupKFold(5).split(groups, groups=groups)}
    assert {len(t) for t in ours} == {len(t) for t in theirs} == {8}
    assert all(len(set(groups[list(t)])) == 2 for t in ours | theirs)


def test_shuffled_folds_partition():
    folds = encoding.shuffled_folds(23, 4, np.random.default_rng(0))
    tested = np.sort(np.concatenate([t for _, t in folds]))
    np.testing.assert_array_equal(tested, np.arange(23))
    again = encoding.shuffled_folds(23, 4, np.random.default_rng(0))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))  # seeded


def test_spearman_brown_and_ceiling_recover_truth():
    rng = np.random.default_rng(4)
    signal = rng.standard_normal((400, 50))
    reps = 0.5 * signal + rng.standard_normal((4, 400, 50))
    # true ceiling: corr(signal, average of 4) = 0.5 / sqrt(0.25 + 1/4)
    true = 0.5 / np.sqrt(0.25 + 0.25)
    assert np.median(encoding.split_half_ceiling(reps)) == pytest.approx(true, abs=0.03)
    assert encoding.spearman_brown(0.5) == pytest.approx(2 / 3)


def test_encoding_score_finds_signal_and_not_noise():
    x, y = _data(5, n=80, p=5, noise=2.0)
    groups = np.arange(80) // 4
    assert np.median(encoding.encoding_score(x, y, groups=groups)) > 0.5
    noise = np.random.default_rng(6).standard_normal((80, 5))
    assert abs(np.median(encoding.encoding_score(noise, y, groups=groups))) < 0.2


def test_normalised_score():
    assert encoding.normalised_score(np.array([0.1, 0.2, 0.3]), np.array([0.4, 0.4])) == 0.5


# ------------------------------------------------------------------ errors


def test_rows_must_match():
    x, y = _data()
    with pytest.raises(ValueError, match="one row per stimulus"):
        encoding.encoding_score(x[:-1], y)


def test_nan_responses_rejected():
    x, y = _data()
    y[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        encoding.encoding_score(x, y)


def test_too_many_folds_for_groups():
    x, y = _data(n=12)
    with pytest.raises(ValueError, match="only 3 groups"):
        encoding.encoding_score(x, y, groups=np.arange(12) // 4, n_folds=5)


def test_constant_voxel_rejected():
    x, y = _data()
    y[:, 2] = 1.5
    with pytest.raises(ValueError, match="constant"):
        encoding.encoding_score(x, y, groups=np.arange(60) // 5)
    with pytest.raises(ValueError, match="undefined"):
        encoding.pearson_per_voxel(x[:, :4], y)


def test_other_input_errors():
    x, y = _data()
    with pytest.raises(ValueError, match="alpha must be positive"):
        encoding.ridge_predict(x, y, x, 0.0)
    with pytest.raises(ValueError, match="leakage"):
        encoding.choose_alpha(x, y, [(np.arange(40), np.arange(30, 60))])
    with pytest.raises(ValueError, match="even number"):
        encoding.split_half_ceiling(np.zeros((3, 10, 2)))
    with pytest.raises(ValueError, match="same shape"):
        encoding.pearson_per_voxel(x[:, :3], y)
    with pytest.raises(ValueError, match="at least 2"):
        encoding.grouped_folds(np.arange(10), 1)
