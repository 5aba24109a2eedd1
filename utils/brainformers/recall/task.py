"""Associative recall: the toy task of chapter 01.

A sequence lists ``n_pairs`` key–value pairs, then repeats one of their keys (the query);
the answer is the value that followed that key: ``k v k v … k v q → v(q)``. Solving it
needs two steps: bind each value to the key just before it, which needs some order
information (position codes, or a causal mask: a token that sees only its past can tell
how far along it is), then look the query up among the bound keys (a content-addressed
memory lookup, the bridge to the Hopfield networks of chapter 02).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch

from .. import _validate


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

    :meth:`sample` builds each sequence as follows: ``n_pairs`` distinct keys, drawn
    uniformly without replacement from ``0 … n_keys-1``; one value for each, drawn
    uniformly and independently from ``n_values`` (values may repeat, keys may not); the
    tokens ``k₁ v₁ … k_n v_n`` followed by one of those keys, chosen uniformly, as the
    query. The answer is the query's value. Keys are tokens ``0 … n_keys-1`` and values
    ``n_keys … n_keys+n_values-1``, so ``vocab_size = n_keys + n_values``; the model
    answers with a value index ``0 … n_values-1``, and chance is ``1 / n_values``.

    A model that cannot tell which value follows which key still sees which values are
    present; its best guess is the most frequent one (:meth:`order_blind_ceiling`,
    :meth:`order_blind_loss`).
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

    @property
    def chance_loss(self) -> float:
        """Cross-entropy (nats) of a uniform guess over all values: ln(n_values)."""
        return math.log(self.n_values)

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

    def order_blind_loss(self, batch: RecallBatch) -> float:
        """Lowest mean cross-entropy (nats) possible without knowing which value follows which key.

        Knowing only the bag of tokens, the answer is each value present with probability
        (its count) / n_pairs, since the queried pair is any of the pairs with equal
        chance. That predictive distribution is the best an order-blind model can give;
        its loss on ``batch`` is the mean of −ln(count of the answer / n_pairs).
        """
        values = batch.tokens[:, 1 : 2 * self.n_pairs : 2] - self.n_keys  # (batch, n_pairs)
        count = (values == batch.targets[:, None]).sum(dim=1).float()  # (batch,), ≥ 1
        return -(count / self.n_pairs).log().mean().item()

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
