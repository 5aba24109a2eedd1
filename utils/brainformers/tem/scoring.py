"""Scoring predictions on walks: chance, the node-agent oracle, and the steps where structure
matters (visited nodes, new edges, loop closures), as in Whittington, Warren & Behrens (2022).
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._inputs import _integer_array, _n_classes

__all__ = [
    "chance_accuracy",
    "visited_mask",
    "new_edge_mask",
    "loop_closure_mask",
    "score_predictions",
]


def chance_accuracy(n_classes: int = 20) -> float:
    """Accuracy of a uniform guess among ``n_classes`` equally likely observations."""
    return 1.0 / _n_classes(n_classes)


def _walk_nodes(nodes: object) -> np.ndarray:
    x = _integer_array("nodes", nodes, ndim=2, dims="(n_walks, n_steps + 1)")
    if x.size and x.min() < 0:
        raise ValueError(f"nodes must be non-negative node ids, got minimum {x.min()}")
    return x


def visited_mask(nodes: np.ndarray) -> np.ndarray:
    """Whether the node at step t was visited at an earlier step (0 … t − 1).

    The steps where a memory of the node exists, so an agent that knows where it is can
    predict the observation (Whittington, Warren & Behrens 2022).

    Parameters
    ----------
    nodes : (n_walks, n_steps + 1) int array of node ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array; column 0 is all False.
    """
    nodes = _walk_nodes(nodes)
    n_walks, seq = nodes.shape
    out = np.zeros((n_walks, seq), dtype=bool)
    if not nodes.size:
        return out
    seen = np.zeros((n_walks, int(nodes.max()) + 1), dtype=bool)
    rows = np.arange(n_walks)
    for t in range(seq):
        out[:, t] = seen[rows, nodes[:, t]]
        seen[rows, nodes[:, t]] = True
    return out


def _edge_masks(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per step t ≥ 1: the directed edge (x_{t−1} → x_t) and the undirected edge
    {x_{t−1}, x_t} are new (never crossed at steps < t)."""
    n_walks, seq = nodes.shape
    new_directed = np.zeros((n_walks, seq), dtype=bool)
    new_undirected = np.zeros((n_walks, seq), dtype=bool)
    for w in range(n_walks):
        directed: set[tuple[int, int]] = set()
        for t in range(1, seq):
            edge = (int(nodes[w, t - 1]), int(nodes[w, t]))
            new_directed[w, t] = edge not in directed
            new_undirected[w, t] = edge not in directed and edge[::-1] not in directed
            directed.add(edge)
    return new_directed, new_undirected


def new_edge_mask(nodes: np.ndarray) -> np.ndarray:
    """Arrival at a visited node by a directed edge never taken before.

    True at step t when the node at t was visited before (:func:`visited_mask`) and the
    move x_{t−1} → x_t was never made at an earlier step — the "link inference" of
    Whittington et al. (2020), where a model must infer the observation from structure
    rather than replay a remembered transition. An edge crossed before in the opposite
    direction counts as new here (see :func:`loop_closure_mask` for the stricter test).

    Parameters
    ----------
    nodes : (n_walks, n_steps + 1) int array of node ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array; a subset of :func:`visited_mask`.
    """
    nodes = _walk_nodes(nodes)
    return visited_mask(nodes) & _edge_masks(nodes)[0]


def loop_closure_mask(nodes: np.ndarray) -> np.ndarray:
    """Arrival at a visited node by an edge never crossed in either direction: a loop
    closure.

    The hardest test of knowing the structure (Whittington, Warren & Behrens 2022):
    stepping back along an edge just crossed can be predicted by remembering the
    sequence ("I came from there"), but closing a loop — e.g. the fourth side of a square
    — needs path integration.

    Parameters
    ----------
    nodes : (n_walks, n_steps + 1) int array of node ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array; a subset of :func:`new_edge_mask`.
    """
    nodes = _walk_nodes(nodes)
    return visited_mask(nodes) & _edge_masks(nodes)[1]


def score_predictions(
    correct: np.ndarray, nodes: np.ndarray, n_classes: int = 20
) -> dict[str, float]:
    """Accuracy overall and on the steps where structure matters, beside oracle and chance.

    The scores of Whittington, Warren & Behrens (2022): accuracy at visited nodes
    (:func:`visited_mask`), on arrival by a never-taken directed edge
    (:func:`new_edge_mask`), on true loop closures (:func:`loop_closure_mask`) and at
    unvisited nodes, overall (step 0 included), the node-agent oracle's overall accuracy
    (the share of visited steps: it knows its node and is right exactly there), the
    same oracle allowed to guess at unvisited steps (its expected accuracy: right
    there one time in ``n_classes``, since the object on a new node is a fresh uniform
    draw — the ceiling for a model that must answer at every step) and chance.

    Parameters
    ----------
    correct : (n_walks, n_steps + 1) bool array, e.g. from :func:`prediction_correct`.
    nodes : (n_walks, n_steps + 1) int array, the walks' node ids.
    n_classes : number of observation classes (for chance).

    Returns
    -------
    dict of floats: ``visited``, ``new_edge``, ``loop_closure``, ``unvisited``,
    ``overall``, ``oracle_overall``, ``oracle_guessing_overall`` and ``chance``; NaN
    where a mask selects no step.
    """
    nodes = _walk_nodes(nodes)
    chance = chance_accuracy(n_classes)
    if not isinstance(correct, np.ndarray) or correct.dtype != np.bool_:
        got = correct.dtype if isinstance(correct, np.ndarray) else type(correct).__name__
        raise TypeError(f"correct must be a numpy bool array, got {got}")
    _validate.rank("correct", correct.shape, 2, "(n_walks, n_steps + 1)")
    if correct.shape != nodes.shape:
        raise ValueError(
            f"correct and nodes must have the same shape (n_walks, n_steps + 1), got "
            f"{correct.shape} and {nodes.shape}"
        )
    visited = visited_mask(nodes)
    # the masks of new_edge_mask and loop_closure_mask, without walking the edges twice
    new_directed, new_undirected = _edge_masks(nodes)

    def mean_where(mask: np.ndarray) -> float:
        return float(correct[mask].mean()) if mask.any() else float("nan")

    return {
        "visited": mean_where(visited),
        "new_edge": mean_where(visited & new_directed),
        "loop_closure": mean_where(visited & new_undirected),
        "unvisited": mean_where(~visited),
        "overall": float(correct.mean()),
        "oracle_overall": float(visited.mean()),
        "oracle_guessing_overall": float(visited.mean() + (~visited).mean() * chance),
        "chance": chance,
    }
