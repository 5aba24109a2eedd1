"""encoding.py against scikit-learn and closed forms; every input error named."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import encoding
from sklearn.linear_model import Ridge, RidgeCV


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


def test_grouped_folds_keep_groups_whole_and_partition():
    groups = np.repeat(np.arange(7), [3, 4, 5, 3, 4, 5, 2])
    folds = encoding.grouped_folds(groups, 3)
    tested = np.sort(np.concatenate([t for _, t in folds]))
    np.testing.assert_array_equal(tested, np.arange(groups.size))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert np.union1d(train, test).size == groups.size


def test_shuffled_folds_partition():
    folds = encoding.shuffled_folds(23, 4, np.random.default_rng(0))
    tested = np.sort(np.concatenate([t for _, t in folds]))
    np.testing.assert_array_equal(tested, np.arange(23))


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
