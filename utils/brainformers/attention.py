"""Scaled dot-product attention, masks, multi-head attention and position codes.

The reference implementations for chapter 01 (self-attention). The chapter's
exercises ask students to write the same functions; ``brainformers.check`` compares
theirs against these.

Dimension names used throughout: ``batch``, ``heads``, ``seq_q`` (queries),
``seq_k`` (keys = values), ``d_k`` (query/key width), ``d_v`` (value width),
``d_model`` (residual stream width). Boolean masks use ``True`` = *may attend*, the
convention of :func:`torch.nn.functional.scaled_dot_product_attention`.
"""

from __future__ import annotations

import math

import torch

from . import _validate


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention(Q, K, V) = softmax(scale · Q Kᵀ) V  (Vaswani et al. 2017, Eq. 1).

    Parameters
    ----------
    query : (..., seq_q, d_k) float tensor.
    key : (..., seq_k, d_k) float tensor.
    value : (..., seq_k, d_v) float tensor.
    mask : optional bool tensor broadcastable to (..., seq_q, seq_k); ``True`` where a
        query may attend to a key. Every query must be allowed at least one key.
    scale : multiplies the scores; default ``1 / sqrt(d_k)``. Chapter 02 sets it to the
        inverse temperature β of the modern Hopfield update (Ramsauer et al. 2021, Eq. 3).

    Returns
    -------
    output : (..., seq_q, d_v), each row a weighted average of the values.
    weights : (..., seq_q, seq_k), each row a probability distribution over keys.

    Example
    -------
    >>> out, w = scaled_dot_product_attention(torch.randn(2, 5, 8), torch.randn(2, 7, 8),
    ...                                       torch.randn(2, 7, 3))
    >>> out.shape, w.shape
    (torch.Size([2, 5, 3]), torch.Size([2, 5, 7]))
    """
    _validate.tensor("query", query, floating=True)
    _validate.tensor("key", key, floating=True)
    _validate.tensor("value", value, floating=True)
    for name, x, dims in (
        ("query", query, "(..., seq_q, d_k)"),
        ("key", key, "(..., seq_k, d_k)"),
        ("value", value, "(..., seq_k, d_v)"),
    ):
        if x.ndim < 2:
            raise ValueError(f"{name} must have at least 2 dimensions {dims}, got {tuple(x.shape)}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query and key must share their last dimension d_k, got query {tuple(query.shape)} "
            f"and key {tuple(key.shape)}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key and value must have the same number of positions seq_k (dimension -2), got "
            f"key {tuple(key.shape)} and value {tuple(value.shape)}"
        )
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    else:
        scale = _validate.positive_float("scale", scale)

    scores = scale * query @ key.transpose(-2, -1)  # (..., seq_q, seq_k)
    if mask is not None:
        _validate.tensor("mask", mask, boolean=True)
        if mask.ndim == 3 and scores.ndim == 4:
            # Broadcasting aligns axes from the right, so a (batch, 1, seq_k) padding mask
            # would line its batch axis up with the heads: no error, the wrong keys hidden.
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} has 3 dimensions but the attention scores "
                f"(batch, heads, seq_q, seq_k) = {tuple(scores.shape)} have 4: broadcasting "
                "would line the mask's first axis up with the heads, not the batch. Add the "
                "head axis: mask[:, None] (a padding mask becomes (batch, 1, 1, seq_k))"
            )
        try:
            fits = torch.broadcast_shapes(mask.shape, scores.shape) == scores.shape
        except RuntimeError:
            fits = False
        if not fits:  # a mask may not enlarge the output by adding axes of its own
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to the attention scores "
                f"(..., seq_q, seq_k) = {tuple(scores.shape)}"
            )
        if not mask.any(dim=-1).all():
            raise ValueError(
                "mask blocks every key for at least one query; each query needs at least one "
                "True entry in its row (True = may attend)"
            )
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ value, weights


def causal_mask(seq_len: int) -> torch.Tensor:
    """Mask that lets position i attend to positions 0…i only (Vaswani et al. 2017, §3.2.3).

    Returns a (seq_len, seq_len) bool tensor, lower-triangular, diagonal included.
    """
    _validate.positive_int("seq_len", seq_len)
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()


def padding_mask(lengths: torch.Tensor, seq_len: int) -> torch.Tensor:
    """Mask that hides padded key positions of sequences of different lengths.

    Parameters
    ----------
    lengths : (batch,) integer tensor, the true length of each sequence (1 … seq_len).
    seq_len : padded length.

    Returns
    -------
    (batch, 1, seq_len) bool tensor: ``True`` for real tokens (position < length), ready to
    broadcast over queries.
    """
    _validate.tensor("lengths", lengths, ndim=1, dims="(batch,)")
    _validate.positive_int("seq_len", seq_len)
    if lengths.is_floating_point() or lengths.dtype == torch.bool:
        raise TypeError(f"lengths must be an integer tensor, got dtype {lengths.dtype}")
    if (lengths < 1).any() or (lengths > seq_len).any():
        raise ValueError(f"lengths must lie in 1…{seq_len} (seq_len), got {lengths.tolist()}")
    positions = torch.arange(seq_len, device=lengths.device)
    return (positions[None, :] < lengths[:, None])[:, None, :]


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(batch, seq, d_model) → (batch, heads, seq, d_model / heads).

    Head h takes the h-th block of d_model / heads consecutive columns (Vaswani et al.
    2017, §3.2.2), not every heads-th column.
    """
    _validate.tensor("x", x, ndim=3, dims="(batch, seq, d_model)")
    _validate.positive_int("n_heads", n_heads)
    batch, seq, d_model = x.shape
    if d_model % n_heads:
        raise ValueError(f"n_heads={n_heads} must divide d_model={d_model} (x {tuple(x.shape)})")
    return x.reshape(batch, seq, n_heads, d_model // n_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(batch, heads, seq, d_head) → (batch, seq, heads · d_head); inverse of split_heads."""
    _validate.tensor("x", x, ndim=4, dims="(batch, heads, seq, d_head)")
    batch, heads, seq, d_head = x.shape
    return x.transpose(1, 2).reshape(batch, seq, heads * d_head)


def multi_head_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    w_o: torch.Tensor,
    n_heads: int,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head self-attention (Vaswani et al. 2017, §3.2.2).

    MultiHead(X) = Concat(head_1, …, head_h) W_O with
    head_i = Attention(X W_Q^i, X W_K^i, X W_V^i); the h heads are the h column blocks of
    W_Q, W_K and W_V, each of width d_model / h, so d_k = d_model / h.

    Parameters
    ----------
    x : (batch, seq, d_model) float tensor.
    w_q, w_k, w_v, w_o : (d_model, d_model) float tensors, applied as ``x @ w``.
    n_heads : number of heads; must divide d_model.
    mask : optional bool mask broadcastable to (batch, heads, seq, seq), e.g. a
        :func:`causal_mask` of shape (seq, seq) or a :func:`padding_mask` expanded with
        ``mask[:, None]`` to (batch, 1, 1, seq). A 3-D mask is refused: broadcasting would
        line a (batch, 1, seq) mask's batch axis up with the heads.

    Returns
    -------
    output : (batch, seq, d_model).
    weights : (batch, heads, seq, seq), one attention map per head.
    """
    _validate.tensor("x", x, ndim=3, floating=True, dims="(batch, seq, d_model)")
    _validate.positive_int("n_heads", n_heads)
    d_model = x.shape[-1]
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        _validate.tensor(name, w, ndim=2, floating=True, dims="(d_model, d_model)")
        if w.shape != (d_model, d_model):
            raise ValueError(
                f"{name} must have shape (d_model, d_model) = ({d_model}, {d_model}) to match x "
                f"{tuple(x.shape)}, got {tuple(w.shape)}"
            )
    if d_model % n_heads:
        raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
    q, k, v = (split_heads(x @ w, n_heads) for w in (w_q, w_k, w_v))
    heads, weights = scaled_dot_product_attention(q, k, v, mask=mask)
    return merge_heads(heads) @ w_o, weights


def attention_pooling(
    x: torch.Tensor, queries: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention with fixed queries over a set: Attention(Q₀, X W_K, X W_V).

    The queries Q₀ are parameters, not computed from the input, so reordering the rows of
    X reorders the keys and values together and leaves the output unchanged: the pooled
    output is permutation *invariant*, where self-attention (queries from X) is only
    equivariant. This is the latent code of Tang & Ha's (2021) "sensory neuron" agents,
    whose fixed queries attend over the observation channels (their Eq. 2 with Q fixed).

    Parameters
    ----------
    x : (batch, n, d_in) float tensor: a set of n items (tokens, sensory channels).
    queries : (m, d_k) float tensor: the m fixed queries.
    w_k : (d_in, d_k) float tensor; w_v : (d_in, d_v) float tensor, applied as ``x @ w``.

    Returns
    -------
    output : (batch, m, d_v), one pooled vector per query, whatever the order of x.
    weights : (batch, m, n), each row a distribution over the n items.
    """
    _validate.tensor("x", x, ndim=3, floating=True, dims="(batch, n, d_in)")
    _validate.tensor("queries", queries, ndim=2, floating=True, dims="(m, d_k)")
    _validate.tensor("w_k", w_k, ndim=2, floating=True, dims="(d_in, d_k)")
    _validate.tensor("w_v", w_v, ndim=2, floating=True, dims="(d_in, d_v)")
    if w_k.shape[0] != x.shape[-1] or w_v.shape[0] != x.shape[-1]:
        raise ValueError(
            f"w_k and w_v must have d_in = {x.shape[-1]} rows to match x {tuple(x.shape)}, "
            f"got w_k {tuple(w_k.shape)} and w_v {tuple(w_v.shape)}"
        )
    if queries.shape[-1] != w_k.shape[-1]:
        raise ValueError(
            f"queries (m, d_k) and w_k (d_in, d_k) must share d_k, got queries "
            f"{tuple(queries.shape)} and w_k {tuple(w_k.shape)}"
        )
    return scaled_dot_product_attention(queries, x @ w_k, x @ w_v)


def sinusoidal_positions(seq_len: int, d_model: int) -> torch.Tensor:
    """Sinusoidal position encodings (Vaswani et al. 2017, §3.5).

    PE[pos, 2i] = sin(pos / 10000^(2i / d_model)),
    PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model)).

    Each pair of columns is a rotation at its own frequency, so the code of position
    pos + k is a fixed linear map of the code of pos: "look k steps back" is a linear
    operation, which is why attention learns it easily.

    Returns a (seq_len, d_model) float32 tensor; d_model must be even.
    """
    _validate.positive_int("seq_len", seq_len)
    _validate.positive_int("d_model", d_model)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin/cos pairs), got {d_model}")
    position = torch.arange(seq_len, dtype=torch.float32)[:, None]  # (seq, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)  # (d_model / 2,)
    angle = position / 10000.0 ** (two_i / d_model)  # (seq, d_model / 2)
    pe = torch.empty(seq_len, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
