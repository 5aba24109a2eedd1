"""The headline bars of chapter 02 (Hopfield retrieval): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("classical_overlap_load_005", ">=", 0.98, "classical net, final overlap at α = 0.05"),
    Bar("classical_overlap_load_014", ">=", 0.9, "classical net, final overlap at α = 0.14"),
    Bar("classical_overlap_load_020", "<=", 0.7, "classical net, final overlap at α = 0.20"),
    Bar("classical_capacity_d64", "<=", 16, "classical net, patterns recalled at d = 64"),
    Bar("modern_retrieval_100000", ">=", 0.99, "modern Hopfield, 100,000 patterns, β = 1"),
    Bar(
        "modern_capacity_ratio_d24_d16",
        ">=",
        4,
        "modern capacity at d = 24 over d = 16 (linear growth: 1.5)",
    ),
    Bar(
        "dense_capacity_order3",
        ">=",
        100,
        "dense memory, order 3, patterns recalled at N = 100 (classical: about 10)",
    ),
    Bar(
        "dense_capacity_ratio_order4_order3",
        ">=",
        2,
        "dense memory, capacity of order 4 over order 3 at N = 100",
        why="the orders must be told apart: order 4 must hold at least twice what order "
        "3 holds (theory for stable patterns: about N / 5 = 20 times)",
    ),
    Bar("modern_retrieval_beta_01_1000", "<=", 0.5, "modern Hopfield, β = 0.1 (averaging)"),
    Bar("attention_vs_hopfield_max_abs_diff", "<=", 1e-5, "one update vs attention"),
    Bar("two_layer_vs_modern_max_abs_diff", "<=", 1e-3, "two-layer network vs modern"),
    Bar(
        "digits_modern_accuracy",
        ">=",
        0.8,
        "half-masked digits, modern net",
        why="first set at 0.9; with some draws of 50 digits, two stored digits share "
        "a visible half and no memory can tell them apart, so the control beside it is "
        "the share of cues that single out their digit",
    ),
    Bar("digits_classical_accuracy", "<=", 0.1, "half-masked digits, classical net"),
    Bar("classical_digits_5_accuracy", "<=", 0.2, "classical net, 5 digits (load 0.08)"),
    Bar("classical_random_5_accuracy", ">=", 0.9, "classical net, 5 random patterns"),
    Bar(
        "digits_modern_minus_unambiguous",
        ">=",
        -0.02,
        "modern net minus the share of cues that single out their digit",
    ),
)
