"""The modern Hopfield network (Ramsauer et al. 2021): one softmax step, which is attention.

Its control, a lookup table over the same patterns, is NumPy and lives in :mod:`.lookup`.
"""

from __future__ import annotations

import torch

from .. import _validate
from ..attention import scaled_dot_product_attention
from ._common import _batch_size, _patterns_and_states


def modern_update(patterns: torch.Tensor, states: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """One modern Hopfield update ξ_new = Xᵀ softmax(β X ξ) (Ramsauer et al. 2021, Eq. 3).

    X is the (n_patterns, d) matrix of stored patterns as rows, as in the chapter
    (Ramsauer et al. store them as columns and write X softmax(β Xᵀ ξ)). For a batch of
    row states: new_states = softmax(β · states Xᵀ) X. That is attention (Vaswani et al.
    2017, Eq. 1) with query = states, key = value = patterns and scale = β — and it is
    computed here by calling :func:`brainformers.attention.scaled_dot_product_attention`,
    chapter 01's function, unchanged: one Hopfield update *is* one attention lookup.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor, the stored patterns X (keys = values).
    states : (d,) or (batch, d) float tensor of the same dtype, the state patterns ξ
        (queries).
    beta : inverse temperature β > 0: large β → the update returns the single closest
        pattern; small β → an average of many (all of them: the global fixed point).

    Returns
    -------
    Tensor shaped like ``states``: each row a convex combination of stored patterns.

    Example
    -------
    >>> x = torch.tensor([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0]])
    >>> modern_update(x, torch.tensor([1.0, 1.0, 1.0, 1.0]), beta=8.0).round(decimals=3)
    tensor([ 1., -1.,  1.,  1.])
    """
    x, s = _patterns_and_states(patterns, states)
    beta = _validate.positive_float("beta", beta)
    query = s.unsqueeze(0) if s.ndim == 1 else s  # (batch, d)
    new, _ = scaled_dot_product_attention(query=query, key=x, value=x, scale=beta)
    return new.reshape(s.shape)


def modern_retrieve(
    patterns: torch.Tensor,
    cues: torch.Tensor,
    beta: float = 1.0,
    batch_size: int | None = None,
) -> torch.Tensor:
    """One modern Hopfield update (:func:`modern_update`) for many cues, in chunks.

    The (batch, n_patterns) attention matrix of all cues at once would be large
    (5,000 cues × 100,000 patterns = 2 GB in float32), so cues are processed in chunks
    of ``batch_size``. Runs under ``torch.no_grad()``: this is evaluation, not learning.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    cues : (batch, d) float tensor of the same dtype.
    beta : inverse temperature β > 0.
    batch_size : cues per chunk; default keeps batch_size · n_patterns ≤ 2^22 scores
        (16 MB per score matrix in float32), e.g. 41 cues per chunk at 100,000 patterns.

    Returns
    -------
    (batch, d) tensor of retrieved (continuous) states; ``torch.sign`` them or use
    :func:`exact_retrieval_rate` to compare with ±1 targets.
    """
    x, c = _patterns_and_states(patterns, cues, "cues")
    if c.ndim != 2:
        raise ValueError(f"cues must have 2 dimensions (batch, d), got shape {tuple(c.shape)}")
    beta = _validate.positive_float("beta", beta)
    size = _batch_size(batch_size, x.shape[0])
    retrieved = torch.empty_like(c)
    with torch.no_grad():
        for i in range(0, c.shape[0], size):
            retrieved[i : i + size] = modern_update(x, c[i : i + size], beta)
    return retrieved


def attention_entropy(
    patterns: torch.Tensor,
    states: torch.Tensor,
    beta: float,
    batch_size: int | None = None,
) -> float:
    """Mean entropy (nats) of the retrieval weights p = softmax(β states Xᵀ), one per state.

    H(p) = -Σ_μ p_μ ln p_μ measures how many stored patterns an update mixes: ≈ 0 when one
    pattern wins (large β, retrieval of a single memory), up to ln(n_patterns) when all are
    averaged equally (small β: the global fixed point of Ramsauer et al. 2021). e^H is
    the effective number of patterns mixed. The weights are those of
    :func:`brainformers.attention.scaled_dot_product_attention` with scale = β.

    Parameters
    ----------
    patterns : (n_patterns, d) float tensor.
    states : (d,) or (batch, d) float tensor of the same dtype.
    beta : inverse temperature β > 0.
    batch_size : states per chunk (see :func:`modern_retrieve`).

    Returns
    -------
    The mean entropy over states, a float in [0, ln(n_patterns)].
    """
    x, s = _patterns_and_states(patterns, states)
    beta = _validate.positive_float("beta", beta)
    s = s.reshape(-1, s.shape[-1])  # (batch, d)
    size = _batch_size(batch_size, x.shape[0])
    total = 0.0
    with torch.no_grad():
        for i in range(0, s.shape[0], size):
            _, p = scaled_dot_product_attention(s[i : i + size], x, x, scale=beta)
            total += torch.special.entr(p).sum().item()  # entr(p) = -p ln p, entr(0) = 0
    return total / s.shape[0]
