"""The headline bars of chapter 03 (TEM and TEM-t): what each number must meet, and why.

The former bar ``temt_minus_action_token_loop_closure >= 0.5`` is retired: trained as
well as TEM-t (the shipped sweep, :func:`brainformers.tem.load_sweep`), the action-token
transformer does close loops within its training length, so the chapter now reports the
measured comparison (learning curves, steps to 0.95, walks 4× longer than training)
instead of one difference at one budget.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("temt_visited_accuracy", ">=", 0.95, "TEM-t, steps at visited nodes"),
    Bar(
        "temt_loop_closure_accuracy",
        ">=",
        0.95,
        "TEM-t, arrival by a never-taken edge",
        why="holds for seeds 0-4 on the default numeric path (torch's two threads), the one "
        "this table is measured on; an open defect: on the single-thread path "
        "(OMP_NUM_THREADS=1) seed 2's 1,000 training steps stopped at 0.502 (0.457 on "
        "400-move walks), the other four seeds at 0.983-0.997",
    ),
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
        "temt_long_walk_loop_closure_accuracy",
        ">=",
        0.9,
        "TEM-t trained on 100-move walks, loop closures on 400-move walks",
        why="the claim is length generalisation: positions from actions, not time, hold "
        "on walks four times longer than any seen in training. Set from the claim before "
        "the notebook's run (the shipped GPU sweep, 2,400-4,400 steps, gave 0.970-0.999); "
        "the action-token transformer, trained 5,000 steps on the same walks, reaches "
        "0.60-0.63 there",
    ),
    Bar(
        "handset_wa_loop_closure_accuracy",
        ">=",
        0.95,
        "untrained TEM-t with W_a set by hand to the grid's rotations, loop closures",
        why="the positive control: with a faithful representation of the moves the task "
        "needs no learning, so the hand-set matrices must do what the trained ones do",
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
