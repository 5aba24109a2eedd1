"""The control of every modern-Hopfield headline: a lookup table with fair ties (NumPy)."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._common import _batch_size, _plus_minus_one


def nearest_neighbour_retrieve(
    patterns: np.ndarray, cues: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The stored pattern with the largest overlap with each cue: a lookup table.

    The control for one modern update at β = 1: for ±1 patterns the overlap x_μ·ξ is
    d − 2·Hamming(x_μ, ξ), so the best match is the nearest pattern in Hamming distance,
    and a large β turns the softmax into exactly this argmax (Ramsauer et al. 2021, the
    retrieval regime of their Theorem 4). On random ±1 codes any such decoder has a
    capacity exponential in d, so it is the yardstick the modern network is measured
    against, not a weaker rival.

    **Ties are fair**: where several stored patterns share the largest overlap, one of
    them is drawn uniformly at random with ``rng``. (Sending ties to the first stored
    pattern would favour experiments that cue ``stored[:k]``: the target is then often
    the first of the tied patterns.) Cues are processed in chunks, so 1,000 cues against
    100,000 patterns stay small in memory.

    Parameters
    ----------
    patterns : (n_patterns, d) array of ±1, the table.
    cues : (batch, d) real array (0 may mark an unknown entry, e.g. a masked pixel).
    rng : NumPy random generator, for the ties.

    Returns
    -------
    (batch, d) float64 array: for each cue, a copy of a best-matching stored pattern.

    Example
    -------
    >>> x = np.array([[1.0, 1.0], [1.0, -1.0]])
    >>> nearest_neighbour_retrieve(x, np.array([[1.0, 0.9]]), np.random.default_rng(0))
    array([[1., 1.]])
    """
    x = _validate.array("patterns", patterns, ndim=2, dims="(n_patterns, d)")
    c = _validate.array("cues", cues, ndim=2, dims="(batch, d)")
    _validate.numpy_generator("rng", rng)
    if x.shape[0] == 0:
        raise ValueError("patterns must hold at least one pattern, got shape (0, d)")
    _plus_minus_one("patterns", x)
    if x.shape[1] != c.shape[1]:
        raise ValueError(
            f"patterns (n_patterns, d) and cues (batch, d) must share d, got "
            f"{tuple(x.shape)} and {tuple(c.shape)}"
        )
    size = _batch_size(None, x.shape[0])
    best = []
    for i in range(0, c.shape[0], size):
        scores = c[i : i + size] @ x.T  # (chunk, n_patterns)
        tied = scores == scores.max(axis=1, keepdims=True)
        # A uniform random key for every tied pattern, -1 for the rest: the argmax is a
        # uniformly random member of the tie (the only member where there is no tie).
        best.append(np.argmax(np.where(tied, rng.random(tied.shape), -1.0), axis=1))
    return x[np.concatenate(best)].astype(np.float64)
