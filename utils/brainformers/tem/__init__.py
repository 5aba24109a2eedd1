"""The TEM-transformer (TEM-t): a transformer that knows where it is — chapter 03.

The task (Whittington et al. 2020, the Tolman-Eichenbaum Machine): every world is the
same structure — a square grid whose nodes are joined by the moves N, E, S, W — with a
fresh random sensory observation on every node. An agent walks at random and, at every
step, predicts what it will see. Knowing the *structure* lets it predict correctly on
arriving at a visited node by a route it never took (a loop closure); knowing only the
sequence of observations does not. TEM-t (Whittington, Warren & Behrens 2022, ICLR)
solves it with path integration (a position code updated by learned action matrices)
and a memory that is attention (positions as queries and keys, observations as values).

The package, one module per idea:

* :mod:`~brainformers.tem.worlds` — grid worlds, random observations, random walks;
* :mod:`~brainformers.tem.scoring` — chance, the node-agent oracle (:func:`visited_mask`),
  new-edge and loop-closure masks, :func:`score_predictions`;
* :mod:`~brainformers.tem.model` — :func:`position_step`, :func:`path_integrate`,
  :func:`memory_lookup`, :class:`TEMTransformer` and the hand-set W_a
  (:func:`grid_transitions`);
* :mod:`~brainformers.tem.training` — :func:`train_tem`, :func:`evaluate_tem`, the
  held-out worlds and the shipped checkpoint (:func:`load_pretrained`);
* :mod:`~brainformers.tem.controls` — the backtrack rule, hand-written dead reckoning and
  a standard transformer over action and observation tokens;
* :mod:`~brainformers.tem.sweep` — the shipped sweep that trains that transformer as well
  as TEM-t (:func:`load_sweep`);
* :mod:`~brainformers.tem.analysis` — how the learned W_a compose (:func:`route_error`),
  rate maps of the position units and how band-like they are.

Conventions
-----------
Nodes are numbered row-major, ``node = row · width + col``, row 0 the northern (top) row,
so a map indexed ``[row, col]`` plots the right way up with ``imshow``. Actions are
``N, E, S, W = 0, 1, 2, 3`` (:data:`ACTION_NAMES`). A walk of ``n_steps`` moves visits
``n_steps + 1`` nodes. At step t the model predicts the observation at ``nodes[:, t]``
from the memories of steps 0 … t − 1 only; step 0 has only the null memory. Worlds, walks
and masks are NumPy (int64 and bool arrays, randomness from an explicit
:class:`numpy.random.Generator`); the models are torch. Dimension names: ``n_walks``
(= ``batch``), ``n_steps``, ``seq = n_steps + 1``, ``n_nodes``, ``d_pos`` (position code
width), ``n_classes``.

Term map (the chapter's notation table): position code e_t = query (now) = key (in
memory); observation = value; β·log(1 + n) = inverse temperature = attention ``scale``;
position units ≈ grid cells (medial entorhinal cortex), memories ≈ place cells
(hippocampus).
"""

from .analysis import plane_wave_fit, rate_maps, route_error
from .controls import ActionTokenTransformer, backtrack_correct, dead_reckoning_correct
from .model import (
    MOVES,
    TEMOutput,
    TEMTransformer,
    grid_transitions,
    memory_lookup,
    path_integrate,
    position_step,
)
from .scoring import (
    chance_accuracy,
    loop_closure_mask,
    new_edge_mask,
    score_predictions,
    visited_mask,
)
from .sweep import SWEEP_PATH, SweepRun, load_sweep, sweep_runs
from .training import (
    PRETRAINED_PATH,
    evaluate_tem,
    held_out_batch,
    load_pretrained,
    prediction_correct,
    train_tem,
)
from .worlds import (
    ACTION_NAMES,
    GridWorld,
    TEMBatch,
    Walks,
    check_walk,
    observe,
    random_observations,
    random_walks,
    sample_batch,
)

__all__ = [
    "ACTION_NAMES",
    "GridWorld",
    "random_observations",
    "Walks",
    "random_walks",
    "check_walk",
    "observe",
    "TEMBatch",
    "sample_batch",
    "chance_accuracy",
    "visited_mask",
    "new_edge_mask",
    "loop_closure_mask",
    "score_predictions",
    "position_step",
    "path_integrate",
    "memory_lookup",
    "MOVES",
    "grid_transitions",
    "TEMOutput",
    "TEMTransformer",
    "train_tem",
    "prediction_correct",
    "evaluate_tem",
    "held_out_batch",
    "PRETRAINED_PATH",
    "load_pretrained",
    "backtrack_correct",
    "dead_reckoning_correct",
    "ActionTokenTransformer",
    "SWEEP_PATH",
    "SweepRun",
    "load_sweep",
    "sweep_runs",
    "route_error",
    "rate_maps",
    "plane_wave_fit",
]
