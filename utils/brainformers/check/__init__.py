"""Exercise checkers: run a student's function on seeded cases, say what is wrong.

Each checker takes the student's function and returns a function to use from then on:

>>> attention = check.attention(attention)   # doctest: +SKIP
✓ attention: all 6 checks passed.

On success it returns the student's function. When the function is unfinished
(``NotImplementedError``), raises, or gives a wrong answer, it prints one specific
message — wrong shape before wrong values, and a hint when the answer matches a known
mistake — and returns the reference implementation from :mod:`brainformers`, so the rest
of the notebook still runs. A crash names the case that was running and the student's own
line (``— in attention, line 4: `scores = q @ k` ``), not only the error.

A checker never passes the library's own code: given the reference it handed back (the
check cell run again after a ✗, or a definition cell that failed to run) or any other
:mod:`brainformers` function, it says "your definition did not run again: re-run the cell
that defines it" and records ``failed``.

Every checker also records a :class:`Verdict` (exercise, status, message) for a grader:
:func:`verdicts` returns those of this process, and when the environment variable
``BRAINFORMERS_VERDICTS`` names a file each is appended to it as one JSON line (what
:mod:`brainformers.grade` reads).
"""

from ._attention import (
    attention,
    causal_mask,
    multi_head_attention,
    padding_mask,
    sinusoidal_positions,
)
from ._core import CheckFailed, Verdict, verdicts
from ._encoding import (
    choose_alpha,
    grouped_folds,
    pearson_per_voxel,
    position_in_passage,
    ridge_predict,
    split_half_ceiling,
)
from ._grid import gridness_score, oja_step, rate_map
from ._hopfield import (
    attention_entropy,
    dense_update,
    energy,
    half_mask,
    hebbian_weights,
    hopfield_via_attention,
    modern_update,
    overlap,
    two_layer_step,
)
from ._sensory import evolve, fixed_query_attention, sensory_lstm, shuffled_observations
from ._tem import (
    grid_transitions,
    memory_lookup,
    position_step,
    random_walk,
    route_error,
    visited_mask,
)

__all__ = [
    "CheckFailed",
    "Verdict",
    "verdicts",
    "attention",
    "causal_mask",
    "multi_head_attention",
    "padding_mask",
    "sinusoidal_positions",
    # chapter 02
    "attention_entropy",
    "dense_update",
    "energy",
    "half_mask",
    "hebbian_weights",
    "hopfield_via_attention",
    "modern_update",
    "overlap",
    "two_layer_step",
    # chapter 03
    "memory_lookup",
    "position_step",
    "random_walk",
    "route_error",
    "grid_transitions",
    "visited_mask",
    # chapter 04
    "gridness_score",
    "oja_step",
    "rate_map",
    # chapter 05
    "choose_alpha",
    "grouped_folds",
    "pearson_per_voxel",
    "position_in_passage",
    "ridge_predict",
    "split_half_ceiling",
    # chapter 06
    "evolve",
    "fixed_query_attention",
    "sensory_lstm",
    "shuffled_observations",
]
