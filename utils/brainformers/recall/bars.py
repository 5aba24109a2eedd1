"""The headline bars of chapter 01 (self-attention): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("equivariance_max_abs_diff", "<=", 1e-5, "attention without positions permuted"),
    Bar("with_positions_max_abs_diff", ">=", 0.1, "the same with sinusoidal positions"),
    Bar(
        "fixed_query_invariance_max_abs_diff",
        "<=",
        1e-5,
        "attention pooling with fixed queries, inputs permuted",
    ),
    Bar("recall_accuracy", ">=", 0.95, "tiny transformer, associative recall (test)"),
    Bar("bag_of_tokens_accuracy", "<=", 0.5, "order-blind bag-of-tokens control"),
)
