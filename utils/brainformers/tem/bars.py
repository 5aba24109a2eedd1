"""The headline bars of chapter 03 (TEM and TEM-t): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("temt_visited_accuracy", ">=", 0.95, "TEM-t, steps at visited nodes"),
    Bar("temt_loop_closure_accuracy", ">=", 0.95, "TEM-t, arrival by a never-taken edge"),
    Bar("temt_new_edge_accuracy", ">=", 0.95, "TEM-t, visited node, new edge"),
    Bar("temt_minus_oracle_overall", ">=", -0.03, "TEM-t minus the oracle, every step"),
    Bar("control_loop_closure_accuracy", "<=", 0.15, "time-position control, loop closures"),
    Bar(
        "temt_minus_guessing_oracle_overall",
        "<=",
        0.01,
        "TEM-t minus the oracle that guesses at new nodes, every step",
        why="the guessing oracle is the ceiling for a model that must answer at every "
        "step; TEM-t may meet it, not beat it by more than sampling noise",
    ),
    Bar(
        "control_minus_backtrack_overall",
        ">=",
        -0.02,
        "time-position control minus the 'two steps back' rule, every step",
        why="a control that a trivial rule beats is a straw man: trained, the time code "
        "must learn at least what looking back allows. Trained on 100-step walks it fell "
        "to -0.021 for seed 4 (its accuracy dropped after step 100); trained on walks as "
        "long as the held-out ones, it stays within 0.01 of the rule",
    ),
    Bar(
        "temt_minus_action_token_loop_closure",
        ">=",
        0.5,
        "TEM-t minus the action-token transformer, loop closures",
        why="the claim is that path integration solves loop closures where a standard "
        "transformer with the same data and steps does not; half the range, not a "
        "hair's breadth",
    ),
    Bar(
        "inverse_over_non_inverse_error",
        "<=",
        0.5,
        "W_a: (N·S, E·W) error over the (N·E) error",
    ),
    Bar(
        "commutator_over_non_inverse_error",
        "<=",
        0.5,
        "W_a: (N·E vs E·N) error over the (N·E) error",
    ),
)
