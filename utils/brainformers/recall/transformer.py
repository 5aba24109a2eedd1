"""A tiny transformer that solves chapter 01's associative recall task.

A sequence lists ``n_pairs`` key–value pairs, then repeats one of their keys (the query);
the answer is the value that followed that key: ``k v k v … k v q → v(q)``. Solving it
needs two steps: bind each value to the key just before it, which needs some order
information (position codes, or a causal mask: a token that sees only its past can tell
how far along it is), then look the query up among the bound keys (a content-addressed
memory lookup, the bridge to the Hopfield networks of chapter 02). The two-step circuit
is the "induction head" of Olsson et al. (2022); Elhage et al. (2021) analyse
attention-only transformers like :class:`TinyTransformer`, and :meth:`TinyTransformer.lookup`
takes its last lookup apart the way they do (direct logit attribution).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

from .. import _validate
from ..attention import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    sinusoidal_positions,
    split_heads,
)
from .task import RecallBatch, RecallTask


class SoftLookup(NamedTuple):
    """The last layer's lookup for the last token (the query), taken apart.

    Shapes use ``batch``, ``heads``, ``seq`` and ``d_head = d_model / heads``.

    query : (batch, heads, d_head) the query token's query vector q.
    keys : (batch, heads, seq, d_head) the key vector k_j of every token.
    values : (batch, heads, seq, d_head) the value vector v_j of every token.
    weights : (batch, heads, seq) softmax_j(q · k_j / √d_head), a distribution over tokens.
    output : (batch, heads, d_head) the head's answer Σ_j weights_j v_j (before W_O).
    value_logits : (batch, heads, seq, n_classes) what each value says about the answer: its
        direct contribution to the logits through W_O, the final LayerNorm (with the
        normalising scale it has for this input) and the readout, had it all the weight.
    other_logits : (batch, n_classes) the rest of the logits: the residual stream entering
        the last layer (token, position code, earlier layers) and the biases.
    logits : (batch, n_classes) the model's output, equal to
        ``other_logits + (weights[..., None] * value_logits).sum((1, 2))``.
    """

    query: torch.Tensor
    keys: torch.Tensor
    values: torch.Tensor
    weights: torch.Tensor
    output: torch.Tensor
    value_logits: torch.Tensor
    other_logits: torch.Tensor
    logits: torch.Tensor


class TinyTransformer(nn.Module):
    """An attention-only transformer classifier that reads its answer at the last token.

    Token embedding (+ the sinusoidal position code of Vaswani et al. 2017, §3.5, if
    ``use_positions``), then ``n_layers`` pre-norm residual blocks
    x ← x + MultiHead(LayerNorm(x)) built on
    :func:`brainformers.attention.multi_head_attention` (no MLPs, as in Elhage et al.
    2021), then a final LayerNorm and a linear readout of the last position:
    logits (batch, n_classes).

    ``causal=True`` lets each token see only itself and earlier tokens, as in a
    decoder (GPT-style) model; the mask is itself a source of order information.
    With ``use_positions=False, causal=False`` every token sees every other and nothing
    marks order: reordering the tokens before the last one leaves the logits unchanged,
    so the model is a function of the *bag* of tokens and of the last token (the
    query key), the order-blind control of chapter 01.

    The projection matrices live in ``projections``: one (4, d_model, d_model) parameter
    per layer holding W_Q, W_K, W_V and W_O (named so as not to be confused with the
    attention *weights*, the softmax distributions).
    """

    def __init__(
        self,
        vocab_size: int,
        n_classes: int,
        max_len: int,
        d_model: int = 64,
        n_heads: int = 1,
        n_layers: int = 2,
        use_positions: bool = True,
        causal: bool = True,
    ) -> None:
        super().__init__()
        for name in ("vocab_size", "n_classes", "max_len", "d_model", "n_heads", "n_layers"):
            _validate.positive_int(name, locals()[name])
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.n_heads = n_heads
        self.use_positions = use_positions
        self.causal = causal
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("positions", sinusoidal_positions(max_len, d_model))
        self.norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(n_layers))
        std = d_model**-0.5
        self.projections = nn.ParameterList(
            nn.Parameter(torch.randn(4, d_model, d_model) * std) for _ in range(n_layers)
        )
        self.final_norm = nn.LayerNorm(d_model)
        self.readout = nn.Linear(d_model, n_classes)

    def _embed(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The residual stream before the first layer (batch, seq, d_model), and the mask."""
        _validate.tensor("tokens", tokens, ndim=2, dims="(batch, seq)")
        if tokens.is_floating_point():
            raise TypeError(f"tokens must be integer ids, got dtype {tokens.dtype}")
        if tokens.shape[1] > self.positions.shape[0]:
            raise ValueError(
                f"sequence length {tokens.shape[1]} exceeds max_len {self.positions.shape[0]}"
            )
        h = self.embed(tokens)  # (batch, seq, d_model)
        if self.use_positions:
            h = h + self.positions[: tokens.shape[1]]
        mask = causal_mask(tokens.shape[1]).to(tokens.device) if self.causal else None
        return h, mask

    def _block(
        self, layer: int, h: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        w = self.projections[layer]
        out, attn = multi_head_attention(
            self.norms[layer](h), w[0], w[1], w[2], w[3], self.n_heads, mask=mask
        )
        return h + out, attn

    def forward_with_attention(
        self, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits (batch, n_classes) and each layer's attention (batch, heads, seq, seq)."""
        h, mask = self._embed(tokens)
        maps = []
        for layer in range(len(self.projections)):
            h, attn = self._block(layer, h, mask)
            maps.append(attn)
        return self.readout(self.final_norm(h[:, -1])), maps

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_with_attention(tokens)[0]

    def lookup(self, tokens: torch.Tensor) -> SoftLookup:
        """The last layer's soft lookup for the query token, with what each value says.

        Attention(q, K, V) for the last token in the last layer (Vaswani et al. 2017,
        Eq. 1), and each value's direct contribution to the answer logits (Elhage et al.
        2021, "direct logit attribution"): the final LayerNorm is linear once its
        normalising scale σ is fixed at the value it has for this input, so the logits
        split exactly into a sum over the values, weighted by attention, plus the rest.

        tokens : (batch, seq) token ids. Returns a :class:`SoftLookup`.
        """
        h, mask = self._embed(tokens)
        for layer in range(len(self.projections) - 1):
            h = self._block(layer, h, mask)[0]
        w = self.projections[-1]
        x = self.norms[-1](h)
        query, keys, values = (split_heads(x @ w[i], self.n_heads) for i in range(3))
        last_row = None if mask is None else mask[-1:]  # (1, seq): what the query may see
        out, weights = scaled_dot_product_attention(query[:, :, -1:], keys, values, last_row)
        final = h[:, -1] + (merge_heads(out) @ w[3])[:, 0]  # (batch, d_model)
        norm = self.final_norm
        sigma = (final.var(dim=-1, unbiased=False) + norm.eps).sqrt()  # (batch,)

        def direct_logits(z: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
            centred = z - z.mean(dim=-1, keepdim=True)  # LayerNorm without its 1/σ
            return (centred * norm.weight / scale[..., None]) @ self.readout.weight.T

        d_head = w.shape[-1] // self.n_heads
        w_o = w[3].reshape(self.n_heads, d_head, -1)  # W_O's row block for each head
        through_w_o = torch.einsum("bhsd,hde->bhse", values, w_o)  # (batch, heads, seq, d)
        value_logits = direct_logits(through_w_o, sigma[:, None, None])
        other_logits = (
            direct_logits(h[:, -1], sigma) + norm.bias @ self.readout.weight.T + self.readout.bias
        )
        return SoftLookup(
            query=query[:, :, -1],
            keys=keys,
            values=values,
            weights=weights[:, :, 0],
            output=out[:, :, 0],
            value_logits=value_logits,
            other_logits=other_logits,
            logits=self.readout(norm(final)),
        )


def recall_accuracy(model: nn.Module, batch: RecallBatch) -> float:
    """Fraction of problems whose argmax prediction is the right value."""
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        predicted = model(batch.tokens.to(device)).argmax(dim=-1)
    return (predicted == batch.targets.to(device)).float().mean().item()


class TrainingHistory(NamedTuple):
    """What :func:`train_recall` records.

    losses : the training loss (cross-entropy, nats) at every step, each on a fresh batch.
    steps : the steps after which the test accuracy was measured.
    test_accuracy : the accuracy on the test batch after each of those steps.
    """

    losses: list[float]
    steps: list[int]
    test_accuracy: list[float]


def train_recall(
    model: nn.Module,
    task: RecallTask,
    n_steps: int = 600,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    test: RecallBatch | None = None,
    evaluate_at: Sequence[int] = (),
) -> TrainingHistory:
    """Train ``model`` on fresh recall problems with Adam and cross-entropy.

    Every step draws a new batch (from a generator seeded with ``seed``), so the model
    never sees the same sequence twice and test accuracy measures generalisation. After
    each step listed in ``evaluate_at`` (1 … n_steps) the accuracy on ``test`` is
    measured; that changes nothing in the training, so a long run that is evaluated on
    the way equals a short run at the same step. Trains on the device the model is on.
    """
    _validate.positive_int("n_steps", n_steps)
    _validate.positive_int("batch_size", batch_size)
    checkpoints = sorted(set(evaluate_at))
    if checkpoints and test is None:
        raise ValueError("evaluate_at needs a test batch (test=...) to measure accuracy on")
    for step in checkpoints:
        if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= n_steps:
            raise ValueError(f"evaluate_at must hold steps in 1…{n_steps} (n_steps), got {step!r}")
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=_validate.positive_float("lr", lr))
    device = next(model.parameters()).device
    history = TrainingHistory([], [], [])
    for step in range(1, n_steps + 1):
        model.train()
        batch = task.sample(batch_size, generator)
        logits = model(batch.tokens.to(device))
        loss = nn.functional.cross_entropy(logits, batch.targets.to(device))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        history.losses.append(loss.item())
        if checkpoints and step == checkpoints[0]:
            checkpoints.pop(0)
            history.steps.append(step)
            history.test_accuracy.append(recall_accuracy(model, test))
    return history
