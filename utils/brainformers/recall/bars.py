"""The headline bars of chapter 01 (self-attention): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("equivariance_max_abs_diff", "<=", 1e-5, "attention without positions permuted"),
    Bar(
        "with_positions_max_abs_diff",
        ">=",
        0.3,
        "the same with sinusoidal positions",
        why="the outputs are of order 1 (unit-variance tokens, codes in [-1, 1]); a "
        "change below 0.3 would be a perturbation, not an order-dependent output",
    ),
    Bar(
        "fixed_query_invariance_max_abs_diff",
        "<=",
        1e-5,
        "attention pooling with fixed queries, inputs permuted",
    ),
    Bar("recall_accuracy", ">=", 0.95, "tiny transformer, associative recall (test)"),
    Bar(
        "bag_of_tokens_gap_to_ceiling",
        "<=",
        0.03,
        "|bag-of-tokens control − best order-blind guess|, same test set",
        why="the control must sit at the order-blind ceiling computed on the test set: "
        "above it, order leaks in; far below it, the control is under-trained (the old "
        "bar, bag_of_tokens_accuracy ≤ 0.5, could not fail at a ceiling of 0.29)",
    ),
)
