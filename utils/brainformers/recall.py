"""Associative recall: the toy task of chapter 01, and a tiny transformer to solve it.

A sequence lists key–value pairs, then repeats one key (the query); the answer is the
value that followed that key: ``k1 v1 k2 v2 … k6 v6 q → v(q)``. Solving it needs two
steps: bind each value to the key just before it (which needs positions), then look the
query up among the bound keys (a content-addressed memory lookup, the bridge to the
Hopfield networks of chapter 02). The two-step circuit is the "induction head" of
Olsson et al. (2022); Elhage et al. (2021) analyse attention-only transformers like
:class:`TinyTransformer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from . import _validate
from .attention import causal_mask, multi_head_attention, sinusoidal_positions


class RecallBatch(NamedTuple):
    """A batch of recall problems.

    tokens : (batch, seq) token ids; keys are ``0 … n_keys-1``, values
        ``n_keys … n_keys+n_values-1``; the last token is the query key.
    targets : (batch,) the answer, a value index in ``0 … n_values-1``.
    key_position : (batch,) where the queried key stands in the sequence.
    """

    tokens: torch.Tensor
    targets: torch.Tensor
    key_position: torch.Tensor


@dataclass(frozen=True)
class RecallTask:
    """Associative recall with ``n_pairs`` distinct keys drawn from ``n_keys``.

    Values are drawn independently (they may repeat), so a guess among the values
    present in the sequence is right about 1 / (number of distinct values) of the time:
    what a model that cannot bind values to keys can reach.
    """

    n_keys: int = 16
    n_values: int = 16
    n_pairs: int = 6

    def __post_init__(self) -> None:
        for name in ("n_keys", "n_values", "n_pairs"):
            _validate.positive_int(name, getattr(self, name))
        if self.n_pairs > self.n_keys:
            raise ValueError(
                f"n_pairs={self.n_pairs} distinct keys cannot be drawn from n_keys={self.n_keys}"
            )

    @property
    def seq_len(self) -> int:
        """Length of a sequence: the pairs, then the query."""
        return 2 * self.n_pairs + 1

    @property
    def vocab_size(self) -> int:
        return self.n_keys + self.n_values

    @property
    def chance(self) -> float:
        """Accuracy of a uniform guess over all values."""
        return 1.0 / self.n_values

    def to_text(self, tokens: torch.Tensor) -> list[str]:
        """Readable labels of one sequence: keys ``k0…``, values ``v0…``, the query ``k?``."""
        _validate.tensor("tokens", tokens, ndim=1, dims="(seq,)")
        if tokens.shape[0] != self.seq_len:
            raise ValueError(f"expected a sequence of {self.seq_len} tokens, got {tokens.shape[0]}")
        labels = [f"k{t}" if t < self.n_keys else f"v{t - self.n_keys}" for t in tokens.tolist()]
        return labels[:-1] + [f"{labels[-1]}?"]

    def order_blind_ceiling(self, batch: RecallBatch) -> float:
        """Best accuracy possible without knowing which value follows which key.

        Knowing only the bag of tokens, the best guess is the value that occurs most
        often among the pairs; it is right with probability (its count) / n_pairs.
        """
        values = batch.tokens[:, 1 : 2 * self.n_pairs : 2] - self.n_keys  # (batch, n_pairs)
        counts = torch.nn.functional.one_hot(values, self.n_values).sum(dim=1)
        return (counts.max(dim=1).values.float() / self.n_pairs).mean().item()

    def sample(self, n: int, generator: torch.Generator | None = None) -> RecallBatch:
        """Draw ``n`` recall problems (seeded through ``generator``)."""
        _validate.positive_int("n", n)
        scores = torch.rand(n, self.n_keys, generator=generator)
        keys = scores.argsort(dim=1)[:, : self.n_pairs]  # distinct keys per sequence
        values = torch.randint(0, self.n_values, (n, self.n_pairs), generator=generator)
        which = torch.randint(0, self.n_pairs, (n,), generator=generator)
        rows = torch.arange(n)
        query = keys[rows, which]
        pairs = torch.stack([keys, values + self.n_keys], dim=-1).reshape(n, 2 * self.n_pairs)
        tokens = torch.cat([pairs, query[:, None]], dim=1)
        return RecallBatch(tokens, values[rows, which], 2 * which)


class TinyTransformer(nn.Module):
    """An attention-only transformer classifier that reads its answer at the last token.

    Token embedding (+ sinusoidal position code if ``use_positions``), then
    ``n_layers`` pre-norm residual blocks x ← x + MultiHead(LayerNorm(x)) built on
    :func:`brainformers.attention.multi_head_attention`, then a linear readout of the
    last position.

    ``causal=True`` lets each token see only itself and earlier tokens, as in a
    decoder (GPT-style) model; the mask is itself a source of order information.
    With ``use_positions=False, causal=False`` every token sees every other and nothing
    marks order, so the model is a function of the *bag* of tokens (permutation
    invariant): the order-blind control of chapter 01.
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
        self.weights = nn.ParameterList(
            nn.Parameter(torch.randn(4, d_model, d_model) * std) for _ in range(n_layers)
        )
        self.final_norm = nn.LayerNorm(d_model)
        self.readout = nn.Linear(d_model, n_classes)

    def forward_with_attention(
        self, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits (batch, n_classes) and each layer's attention (batch, heads, seq, seq)."""
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
        maps = []
        for norm, w in zip(self.norms, self.weights, strict=True):
            out, attn = multi_head_attention(
                norm(h), w[0], w[1], w[2], w[3], self.n_heads, mask=mask
            )
            h = h + out
            maps.append(attn)
        return self.readout(self.final_norm(h[:, -1])), maps

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_with_attention(tokens)[0]


def recall_accuracy(model: nn.Module, batch: RecallBatch) -> float:
    """Fraction of problems whose argmax prediction is the right value."""
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        predicted = model(batch.tokens.to(device)).argmax(dim=-1)
    return (predicted == batch.targets.to(device)).float().mean().item()


def train_recall(
    model: nn.Module,
    task: RecallTask,
    n_steps: int = 600,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` on fresh recall problems with Adam and cross-entropy.

    Every step draws a new batch, so the model never sees the same sequence twice and
    test accuracy measures generalisation. Trains on the device the model is on. Returns
    the loss at every step.
    """
    _validate.positive_int("n_steps", n_steps)
    _validate.positive_int("batch_size", batch_size)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=_validate.positive_float("lr", lr))
    device = next(model.parameters()).device
    model.train()
    losses = []
    for _ in range(n_steps):
        batch = task.sample(batch_size, generator)
        logits = model(batch.tokens.to(device))
        loss = nn.functional.cross_entropy(logits, batch.targets.to(device))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses
