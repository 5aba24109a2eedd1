"""The TEM-transformer (TEM-t): a transformer that knows where it is — chapter 03.

The task (Whittington et al. 2020, the Tolman-Eichenbaum Machine): every world is the
same structure — a square grid whose nodes are joined by the moves N, E, S, W — with a
fresh random sensory observation on every node. An agent walks at random and, at every
step, predicts what it will see. Knowing the *structure* lets it predict correctly on
arriving at a visited node by a route it never took (a loop closure); knowing only the
sequence of observations does not.

TEM-t (Whittington, Warren & Behrens 2022, ICLR) solves it with two pieces:

* path integration — a position code updated by action-dependent recurrent weights,
  e_{t+1} = normalize(e_t W_{a_t}) (their recurrent position encoding
  e_{t+1} = σ(e_t W_a), with the normalisation as σ): :func:`position_step`, :func:`path_integrate`;
* memory as attention — the query is the current position code, the keys the position
  codes of earlier steps and the values the observations seen there, plus a learned
  "null" memory for "nothing here yet": :func:`memory_lookup`, built on chapter 01's
  :func:`brainformers.attention.scaled_dot_product_attention` (Vaswani et al. 2017,
  Eq. 1), exactly the modern-Hopfield lookup of chapter 02 (Ramsauer et al. 2021, Eq. 3)
  with a cosine similarity and an inverse temperature β·log(1 + number of memories).

The rest of the module builds the worlds and walks (:class:`GridWorld`,
:func:`random_observations`, :func:`random_walks`, :func:`sample_batch`), the node-agent
oracle and chance (:func:`node_oracle_correct`, :func:`chance_accuracy`), the evaluation
masks (:func:`visited_mask`, :func:`new_edge_mask`, :func:`loop_closure_mask`), the model
(:class:`TEMTransformer`), its training and evaluation in one call each
(:func:`train_tem`, :func:`evaluate_tem`) and rate maps of the position units
(:func:`rate_maps`).

Conventions
-----------
Nodes are numbered row-major, ``node = row · width + col``, row 0 the northern (top) row,
so a map indexed ``[row, col]`` plots the right way up with ``imshow``. Actions are
``N, E, S, W = 0, 1, 2, 3`` (:data:`ACTION_NAMES`). A walk of ``n_steps`` moves visits
``n_steps + 1`` nodes: ``nodes[:, t + 1] = step(nodes[:, t], actions[:, t])``. At step t
the model predicts the observation at ``nodes[:, t]`` from the memories of steps
0 … t − 1 only; step 0 has only the null memory. Worlds, walks and masks are NumPy
(int64 and bool arrays, randomness from an explicit :class:`numpy.random.Generator`);
the model is torch. Dimension names: ``n_walks`` (= ``batch``), ``n_steps``,
``seq = n_steps + 1``, ``n_nodes``, ``d_pos`` (position code width), ``n_classes``.

Term map (the chapter's notation table): position code e_t = query (now) = key (in
memory); observation = value; β·log(1 + n) = inverse temperature = attention ``scale``;
position units ≈ grid cells (medial entorhinal cortex), memories ≈ place cells
(hippocampus).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _validate
from .attention import causal_mask, scaled_dot_product_attention

__all__ = [
    "ACTION_NAMES",
    "GridWorld",
    "random_observations",
    "Walks",
    "random_walks",
    "follow_actions",
    "check_walk",
    "observe",
    "TEMBatch",
    "sample_batch",
    "chance_accuracy",
    "node_oracle_correct",
    "visited_mask",
    "new_edge_mask",
    "loop_closure_mask",
    "position_step",
    "path_integrate",
    "memory_lookup",
    "TEMOutput",
    "TEMTransformer",
    "train_tem",
    "prediction_correct",
    "evaluate_tem",
    "held_out_batch",
    "score_predictions",
    "rate_maps",
    "PRETRAINED_PATH",
    "load_pretrained",
]

ACTION_NAMES: tuple[str, ...] = ("N", "E", "S", "W")
"""Names of the actions 0, 1, 2, 3."""

_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (d_row, d_col) of N, E, S, W; row 0 = north
_N_ACTIONS = len(ACTION_NAMES)
# The readout starts as logits = _READOUT_GAIN · retrieved value (see TEMTransformer).
_READOUT_GAIN = 5.0
# Evaluation runs the model on at most this many walks at once (memory: chunk · seq² floats).
_EVAL_CHUNK = 128


# ------------------------------------------------------------------ private checks


def _integer_array(name: str, x: object, *, ndim: int | Sequence[int], dims: str) -> np.ndarray:
    """Check that ``x`` is an integer NumPy array of the allowed rank; return it as int64."""
    if not isinstance(x, np.ndarray):
        hint = ""
        if isinstance(x, torch.Tensor):
            hint = f" — convert it with {name}.numpy()"
        elif isinstance(x, (list, tuple)):
            hint = f" — convert it with np.asarray({name})"
        raise TypeError(f"{name} must be a numpy.ndarray of integers, got {type(x).__name__}{hint}")
    if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must hold integers {dims}, got dtype {x.dtype}")
    _validate.rank(name, x.shape, ndim, dims)
    return x.astype(np.int64, copy=False)


def _integer_tensor(name: str, x: object, *, ndim: int, dims: str) -> torch.Tensor:
    """Check that ``x`` is an integer torch tensor of rank ``ndim``."""
    t = _validate.tensor(name, x, ndim=ndim, dims=dims)
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor {dims}, got dtype {t.dtype}")
    return t


def _ids_in_range(name: str, x: np.ndarray | torch.Tensor, high: int, what: str) -> None:
    """Raise unless every entry of ``x`` lies in 0 … high − 1."""
    if x.numel() if isinstance(x, torch.Tensor) else x.size:
        low_value, high_value = int(x.min()), int(x.max())
        if low_value < 0 or high_value >= high:
            raise ValueError(
                f"{name} must hold {what} ids in 0 … {high - 1}, got values from {low_value} "
                f"to {high_value}"
            )


def _widths(widths: object) -> tuple[int, ...]:
    if isinstance(widths, (int, np.integer)) and not isinstance(widths, bool):
        widths = (int(widths),)
    if not isinstance(widths, Sequence) or isinstance(widths, str) or not widths:
        raise TypeError(f"widths must be a non-empty sequence of integers, got {widths!r}")
    for w in widths:
        _validate.positive_int("each entry of widths", w)
        if w < 2:
            raise ValueError(f"every width must be at least 2 (a 2 × 2 loop), got {tuple(widths)}")
    return tuple(widths)


# ------------------------------------------------------------------------- worlds


@dataclass(frozen=True)
class GridWorld:
    """A ``height × width`` grid world: nodes joined by the moves N, E, S, W.

    The structure TEM and TEM-t learn (Whittington et al. 2020; Whittington,
    Warren & Behrens 2022): the same in every world, while the observations on its
    nodes change (:func:`random_observations`). Nodes are numbered row-major
    (``node = row · width + col``, row 0 the northern row); moves off the edge are illegal.

    Parameters
    ----------
    width, height : number of columns and rows, each at least 2 — a world needs a
        2 × 2 square for a walk to close a loop.

    Example
    -------
    >>> world = GridWorld(3, 2)
    >>> world.step(0, 1), world.legal_actions(0)   # E from the top-left corner; S and E legal
    (1, (1, 2))
    """

    width: int
    height: int

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = _validate.positive_int(name, getattr(self, name))
            if value < 2:
                raise ValueError(
                    f"{name} must be at least 2 (a world needs a 2 × 2 square for a walk to "
                    f"close a loop), got {value}"
                )

    @property
    def n_nodes(self) -> int:
        """Number of nodes, ``width · height``."""
        return self.width * self.height

    @cached_property
    def coordinates(self) -> np.ndarray:
        """(n_nodes, 2) int64 array: the (row, col) of every node; read-only."""
        nodes = np.arange(self.n_nodes)
        out = np.stack([nodes // self.width, nodes % self.width], axis=1)
        out.flags.writeable = False
        return out

    @cached_property
    def neighbours(self) -> np.ndarray:
        """(n_nodes, 4) int64 array: ``neighbours[node, action]`` is the node reached, or −1
        where the move would leave the grid; read-only."""
        rows, cols = self.coordinates[:, 0], self.coordinates[:, 1]
        out = np.full((self.n_nodes, _N_ACTIONS), -1, dtype=np.int64)
        for action, (d_row, d_col) in enumerate(_MOVES):
            r, c = rows + d_row, cols + d_col
            inside = (r >= 0) & (r < self.height) & (c >= 0) & (c < self.width)
            out[inside, action] = r[inside] * self.width + c[inside]
        out.flags.writeable = False
        return out

    def _check_node(self, node: object) -> int:
        if isinstance(node, bool) or not isinstance(node, (int, np.integer)):
            raise TypeError(f"node must be an integer, got {type(node).__name__}")
        if not 0 <= node < self.n_nodes:
            raise ValueError(
                f"node must lie in 0 … {self.n_nodes - 1} for a {self.height} × {self.width} "
                f"world, got {node}"
            )
        return int(node)

    def legal_actions(self, node: int) -> tuple[int, ...]:
        """The actions (0 = N, 1 = E, 2 = S, 3 = W) that keep ``node`` on the grid, in order."""
        node = self._check_node(node)
        return tuple(int(a) for a in np.flatnonzero(self.neighbours[node] >= 0))

    def step(self, node: int, action: int) -> int:
        """The node reached from ``node`` by ``action``; raises ``ValueError`` on an illegal
        move (one that would leave the grid)."""
        node = self._check_node(node)
        if isinstance(action, bool) or not isinstance(action, (int, np.integer)):
            raise TypeError(f"action must be an integer 0 … 3 (N, E, S, W), got {action!r}")
        if not 0 <= action < _N_ACTIONS:
            raise ValueError(f"action must be 0 … 3 (N, E, S, W), got {action}")
        target = int(self.neighbours[node, action])
        if target < 0:
            row, col = self.coordinates[node]
            raise ValueError(
                f"illegal move {ACTION_NAMES[action]} from node {node} (row {row}, col {col}): "
                f"it leaves the {self.height} × {self.width} grid; legal actions there are "
                f"{[ACTION_NAMES[a] for a in self.legal_actions(node)]}"
            )
        return target


def random_observations(
    world: GridWorld, n_worlds: int, n_classes: int = 20, *, generator: np.random.Generator
) -> np.ndarray:
    """A fresh sensory observation on every node of every world, uniform over the classes.

    The sensory side of the TEM task (Whittington et al. 2020; Whittington, Warren &
    Behrens 2022): each world shares the grid's structure but places new "objects"
    on its nodes, drawn independently — classes may repeat within a world, so only
    knowing *where* one is identifies what one will see.

    Parameters
    ----------
    world : the grid (its ``n_nodes`` matters).
    n_worlds : number of worlds.
    n_classes : number of observation classes (≥ 2); chance accuracy is 1 / n_classes.
    generator : NumPy random generator, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    (n_worlds, n_nodes) int64 array of class ids in 0 … n_classes − 1.
    """
    _check_world(world)
    _validate.positive_int("n_worlds", n_worlds)
    _n_classes(n_classes)
    _validate.numpy_generator("generator", generator)
    return generator.integers(0, n_classes, size=(n_worlds, world.n_nodes), dtype=np.int64)


def _check_world(world: object) -> GridWorld:
    if not isinstance(world, GridWorld):
        raise TypeError(f"world must be a GridWorld, got {type(world).__name__}")
    return world


def _n_classes(n_classes: object) -> int:
    _validate.positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    return n_classes


# -------------------------------------------------------------------------- walks


class Walks(NamedTuple):
    """Random walks: ``nodes`` (n_walks, n_steps + 1) and ``actions`` (n_walks, n_steps),
    with ``nodes[:, t + 1] = step(nodes[:, t], actions[:, t])``."""

    nodes: np.ndarray
    actions: np.ndarray


def random_walks(
    world: GridWorld,
    n_walks: int,
    n_steps: int,
    generator: np.random.Generator,
    *,
    start: int | None = None,
) -> Walks:
    """Random walks on the grid: a uniform start node, then a uniform choice among the
    legal actions at every step (Whittington et al. 2020; Whittington,
    Warren & Behrens 2022).

    Parameters
    ----------
    world : the grid.
    n_walks : number of independent walks.
    n_steps : moves per walk.
    generator : NumPy random generator.
    start : a node every walk starts from; ``None`` (default) draws a uniform start node
        for each walk.

    Returns
    -------
    :class:`Walks` ``(nodes, actions)``: (n_walks, n_steps + 1) and (n_walks, n_steps)
    int64 arrays; unpack as ``nodes, actions = random_walks(...)``.

    Example
    -------
    >>> nodes, actions = random_walks(GridWorld(4, 4), 2, 10, np.random.default_rng(0))
    >>> nodes.shape, actions.shape
    ((2, 11), (2, 10))
    """
    _check_world(world)
    _validate.positive_int("n_walks", n_walks)
    _validate.positive_int("n_steps", n_steps)
    _validate.numpy_generator("generator", generator)
    neighbours = world.neighbours
    legal = neighbours >= 0  # (n_nodes, 4)
    n_legal = legal.sum(axis=1)  # (n_nodes,)
    nodes = np.empty((n_walks, n_steps + 1), dtype=np.int64)
    actions = np.empty((n_walks, n_steps), dtype=np.int64)
    if start is None:
        nodes[:, 0] = generator.integers(0, world.n_nodes, size=n_walks)
    else:
        nodes[:, 0] = world._check_node(start)
    for t in range(n_steps):
        here = nodes[:, t]
        # pick the k-th legal action, k uniform in 0 … n_legal − 1
        k = np.floor(generator.random(n_walks) * n_legal[here]).astype(np.int64)
        rank = np.cumsum(legal[here], axis=1) - 1  # (n_walks, 4): rank of each legal action
        actions[:, t] = np.argmax(legal[here] & (rank == k[:, None]), axis=1)
        nodes[:, t + 1] = neighbours[here, actions[:, t]]
    return Walks(nodes, actions)


def follow_actions(world: GridWorld, start: int | np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The nodes visited by following ``actions`` from ``start``; raises on an illegal move.

    Parameters
    ----------
    world : the grid.
    start : a node id, or an (n_walks,) int array of start nodes.
    actions : (n_steps,) or (n_walks, n_steps) int array of actions 0 … 3 (N, E, S, W).

    Returns
    -------
    nodes : (n_steps + 1,) or (n_walks, n_steps + 1) int64 array, ``nodes[..., 0] = start``.

    Example
    -------
    >>> follow_actions(GridWorld(3, 3), 4, np.array([0, 2]))   # N then S from the centre
    array([4, 1, 4])
    """
    _check_world(world)
    acts = _integer_array("actions", actions, ndim=(1, 2), dims="(n_steps,) or (n_walks, n_steps)")
    single = acts.ndim == 1
    acts = acts[None] if single else acts
    starts = np.asarray(start)
    if starts.dtype == np.bool_ or not np.issubdtype(starts.dtype, np.integer):
        raise TypeError(f"start must be an integer node id or int array, got {start!r}")
    starts = (
        np.broadcast_to(starts.astype(np.int64), (acts.shape[0],)) if starts.ndim == 0 else starts
    )
    if starts.shape != (acts.shape[0],):
        raise ValueError(
            f"start must be one node or one node per walk ({acts.shape[0]},), got shape "
            f"{starts.shape}"
        )
    _ids_in_range("start", starts, world.n_nodes, "node")
    _ids_in_range("actions", acts, _N_ACTIONS, "action (0 = N, 1 = E, 2 = S, 3 = W)")
    nodes = np.empty((acts.shape[0], acts.shape[1] + 1), dtype=np.int64)
    nodes[:, 0] = starts
    for t in range(acts.shape[1]):
        nxt = world.neighbours[nodes[:, t], acts[:, t]]
        if (nxt < 0).any():
            w = int(np.flatnonzero(nxt < 0)[0])
            world.step(int(nodes[w, t]), int(acts[w, t]))  # raises with the details
        nodes[:, t + 1] = nxt
    return nodes[0] if single else nodes


def check_walk(world: GridWorld, nodes: np.ndarray, actions: np.ndarray | None = None) -> None:
    """Raise ``ValueError`` unless ``nodes`` (and ``actions``) form legal walks on ``world``.

    A walk is legal when every node lies on the grid, consecutive nodes are neighbours
    (one move N, E, S or W apart, without wrapping round an edge), and — when ``actions``
    are given — each action is 0 … 3 and moves ``nodes[:, t]`` to ``nodes[:, t + 1]``.

    Parameters
    ----------
    world : the grid.
    nodes : (n_walks, n_steps + 1) int array.
    actions : optional (n_walks, n_steps) int array.
    """
    _check_world(world)
    nodes = _integer_array("nodes", nodes, ndim=2, dims="(n_walks, n_steps + 1)")
    _ids_in_range("nodes", nodes, world.n_nodes, f"node ({world.height} × {world.width} grid)")
    here, there = nodes[:, :-1], nodes[:, 1:]
    adjacent = (world.neighbours[here] == there[..., None]).any(axis=-1)
    if not adjacent.all():
        w, t = (int(i) for i in np.argwhere(~adjacent)[0])
        raise ValueError(
            f"walk {w} leaves the grid between steps {t} and {t + 1}: node {here[w, t]} → "
            f"{there[w, t]} is not one move N, E, S or W on the {world.height} × {world.width} "
            f"grid"
        )
    if actions is None:
        return
    acts = _integer_array("actions", actions, ndim=2, dims="(n_walks, n_steps)")
    if acts.shape != (nodes.shape[0], nodes.shape[1] - 1):
        raise ValueError(
            f"actions must have shape (n_walks, n_steps) = ({nodes.shape[0]}, "
            f"{nodes.shape[1] - 1}) to match nodes {nodes.shape}, got {acts.shape}"
        )
    _ids_in_range("actions", acts, _N_ACTIONS, "action (0 = N, 1 = E, 2 = S, 3 = W)")
    reached = world.neighbours[here, acts]
    if not (reached == there).all():
        w, t = (int(i) for i in np.argwhere(reached != there)[0])
        a = int(acts[w, t])
        what = "an illegal move (it leaves the grid)" if reached[w, t] < 0 else "a move"
        raise ValueError(
            f"action {ACTION_NAMES[a]} at step {t} of walk {w} is {what} from node "
            f"{here[w, t]}, but the walk goes to node {there[w, t]}"
        )


def observe(observations: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """What each walk sees: ``observations[w, nodes[w, t]]``.

    Parameters
    ----------
    observations : (n_walks, n_nodes) int array, one world per walk
        (:func:`random_observations`).
    nodes : (n_walks, n_steps + 1) int array of node ids in 0 … n_nodes − 1.

    Returns
    -------
    (n_walks, n_steps + 1) int64 array of observation ids.
    """
    obs = _integer_array("observations", observations, ndim=2, dims="(n_walks, n_nodes)")
    nodes = _integer_array("nodes", nodes, ndim=2, dims="(n_walks, n_steps + 1)")
    if obs.shape[0] != nodes.shape[0]:
        raise ValueError(
            f"observations and nodes must have one row per walk, got observations {obs.shape} "
            f"and nodes {nodes.shape}"
        )
    _ids_in_range("nodes", nodes, obs.shape[1], "node")
    return np.take_along_axis(obs, nodes, axis=1)


class TEMBatch(NamedTuple):
    """Walks in fresh worlds, ready for the model.

    nodes : (n_walks, n_steps + 1) node ids (each walk in its own world).
    actions : (n_walks, n_steps) actions 0 … 3.
    observations : (n_walks, n_steps + 1) what each walk sees at each step.
    widths : (n_walks,) the width (= height) of each walk's world.
    """

    nodes: np.ndarray
    actions: np.ndarray
    observations: np.ndarray
    widths: np.ndarray


def sample_batch(
    n_walks: int,
    n_steps: int,
    generator: np.random.Generator,
    *,
    widths: Sequence[int] = (4, 5, 6),
    n_classes: int = 20,
) -> TEMBatch:
    """One random walk in each of ``n_walks`` fresh square worlds (the training and test
    data of Whittington, Warren & Behrens 2022).

    Each world's width is drawn uniformly from ``widths``; its observations are fresh
    (:func:`random_observations`), so no two walks share a world and a model can only
    succeed by learning the structure.

    Parameters
    ----------
    n_walks : number of worlds (one walk each).
    n_steps : moves per walk.
    generator : NumPy random generator.
    widths : the square worlds' possible widths, each ≥ 2.
    n_classes : number of observation classes.

    Returns
    -------
    :class:`TEMBatch` of int64 arrays.
    """
    _validate.positive_int("n_walks", n_walks)
    _validate.positive_int("n_steps", n_steps)
    _validate.numpy_generator("generator", generator)
    sizes = _widths(widths)
    _n_classes(n_classes)
    which = generator.integers(0, len(sizes), size=n_walks)
    nodes = np.empty((n_walks, n_steps + 1), dtype=np.int64)
    actions = np.empty((n_walks, n_steps), dtype=np.int64)
    observations = np.empty((n_walks, n_steps + 1), dtype=np.int64)
    for i, width in enumerate(sizes):
        rows = np.flatnonzero(which == i)
        if not rows.size:
            continue
        world = GridWorld(width, width)
        walks = random_walks(world, rows.size, n_steps, generator)
        obs = random_observations(world, rows.size, n_classes, generator=generator)
        nodes[rows], actions[rows] = walks.nodes, walks.actions
        observations[rows] = observe(obs, walks.nodes)
    return TEMBatch(nodes, actions, observations, np.asarray(sizes, dtype=np.int64)[which])


# ----------------------------------------------------------- oracle, chance, masks


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


def node_oracle_correct(nodes: np.ndarray) -> np.ndarray:
    """Where the node-agent oracle predicts correctly: exactly at visited nodes.

    The oracle knows which node it is on and remembers what it saw on every node, so it
    is right whenever the node was visited before and otherwise has nothing to go on
    (counted as wrong) — the ceiling of Whittington et al. (2020) and Whittington,
    Warren & Behrens (2022). Its mean over steps is the fraction of steps at
    visited nodes.

    Parameters
    ----------
    nodes : (n_walks, n_steps + 1) int array of node ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array, equal to :func:`visited_mask`.
    """
    return visited_mask(nodes)


# ------------------------------------------------------------------ the model parts


def position_step(
    position: torch.Tensor, actions: torch.Tensor, transitions: torch.Tensor
) -> torch.Tensor:
    """One step of path integration: e_{t+1} = normalize(e_t W_{a_t}).

    The recurrent position encoding e_{t+1} = σ(e_t W_a) of Whittington, Warren & Behrens
    (2022), with the nonlinearity σ a division by the Euclidean norm, which keeps every
    position code on the unit sphere — without it the codes grow or shrink geometrically
    with walk length. (:func:`memory_lookup` compares codes by cosine, so here σ changes
    only the codes' length: its job is to keep the numbers in range over long walks.)

    Parameters
    ----------
    position : (batch, d_pos) float tensor, e_t (row vectors).
    actions : (batch,) integer tensor, a_t in 0 … n_actions − 1.
    transitions : (n_actions, d_pos, d_pos) float tensor, one matrix W_a per action,
        applied as ``e @ W_a``.

    Returns
    -------
    (batch, d_pos) float tensor of unit norm.
    """
    _validate.tensor("position", position, ndim=2, floating=True, dims="(batch, d_pos)")
    _integer_tensor("actions", actions, ndim=1, dims="(batch,)")
    _check_transitions(transitions, position.shape[-1])
    if actions.shape[0] != position.shape[0]:
        raise ValueError(
            f"actions must have one entry per row of position, got actions "
            f"{tuple(actions.shape)} and position {tuple(position.shape)}"
        )
    _ids_in_range("actions", actions, transitions.shape[0], "action")
    return _position_step(position, actions, _side_by_side(transitions))


def _side_by_side(w: torch.Tensor) -> torch.Tensor:
    """(n_actions, d_pos, d_pos) → (d_pos, n_actions · d_pos): [W_0 | W_1 | …], so one matmul
    moves every walk by every action (twice as fast as gathering a matrix per walk)."""
    n_actions, d_pos, _ = w.shape
    return w.permute(1, 0, 2).reshape(d_pos, n_actions * d_pos)


def _position_step(e: torch.Tensor, actions: torch.Tensor, w_cat: torch.Tensor) -> torch.Tensor:
    batch, d_pos = e.shape
    moved = (e @ w_cat).view(batch, -1, d_pos)  # (batch, n_actions, d_pos): e W_a for every a
    index = actions.view(batch, 1, 1).expand(batch, 1, d_pos)
    return F.normalize(moved.gather(1, index)[:, 0], dim=-1)  # (batch, d_pos)


def _check_transitions(transitions: object, d_pos: int | None = None) -> torch.Tensor:
    w = _validate.tensor(
        "transitions", transitions, ndim=3, floating=True, dims="(n_actions, d_pos, d_pos)"
    )
    if w.shape[1] != w.shape[2] or (d_pos is not None and w.shape[1] != d_pos):
        want = f"d_pos = {d_pos}" if d_pos is not None else "square matrices"
        raise ValueError(
            f"transitions must have shape (n_actions, d_pos, d_pos) with {want}, got "
            f"{tuple(w.shape)}"
        )
    return w


def path_integrate(
    start: torch.Tensor, actions: torch.Tensor, transitions: torch.Tensor
) -> torch.Tensor:
    """Position codes along walks: e_0 = normalize(start), e_{t+1} = normalize(e_t W_{a_t}).

    :func:`position_step` applied along each walk (the recurrent position encoding of
    Whittington, Warren & Behrens 2022). The code of a node depends only on the actions
    taken, never on what was seen, so two routes to the same node give the same code
    exactly when the learned W_a compose like the moves they stand for (W_N W_E W_S W_W
    = I round a square). Codes are relative to the walk's start: e_0 is the code of
    wherever the walk begins.

    Parameters
    ----------
    start : (d_pos,) or (batch, d_pos) float tensor, e_0 before normalisation.
    actions : (batch, n_steps) integer tensor.
    transitions : (n_actions, d_pos, d_pos) float tensor.

    Returns
    -------
    (batch, n_steps + 1, d_pos) float tensor of unit-norm rows; row t is e_t.
    """
    _validate.tensor("start", start, ndim=(1, 2), floating=True, dims="(d_pos,) or (batch, d_pos)")
    _integer_tensor("actions", actions, ndim=2, dims="(batch, n_steps)")
    _check_transitions(transitions, start.shape[-1])
    if start.ndim == 2 and start.shape[0] != actions.shape[0]:
        raise ValueError(
            f"start must be (d_pos,) or have one row per walk ({actions.shape[0]}, d_pos), got "
            f"{tuple(start.shape)}"
        )
    _ids_in_range("actions", actions, transitions.shape[0], "action")
    return _path_integrate(start, actions, transitions)


def _path_integrate(start: torch.Tensor, actions: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, n_steps = actions.shape
    e = F.normalize(start.expand(batch, start.shape[-1]), dim=-1)
    w_cat = _side_by_side(w)
    codes = [e]
    for t in range(n_steps):
        e = _position_step(e, actions[:, t], w_cat)
        codes.append(e)
    return torch.stack(codes, dim=1)  # (batch, n_steps + 1, d_pos)


def memory_lookup(
    positions: torch.Tensor,
    values: torch.Tensor,
    null_key: torch.Tensor,
    null_value: torch.Tensor,
    beta: float | torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Recall what was seen here: causal attention from the current position to earlier ones.

    At step t the query is e_t, the keys e_0 … e_{t−1} and the values the observations
    v_0 … v_{t−1} seen there, plus one learned "null" memory (key k_∅, value v_∅) for
    "nothing here yet" (Whittington, Warren & Behrens 2022: attention with keys and
    queries from positions only, values from observations only, and the softmax scaled
    by log(n_memories))::

        out_t = Σ_j softmax_j(s_t · cos(e_t, key_j)) value_j,   s_t = β · log(1 + t),

    the sum running over the null memory and steps j < t. Cosine similarity keeps the
    scores bounded; the factor log(1 + t) (t = number of memories) keeps the softmax
    sharp as memories accumulate. The lookup is chapter 01's
    :func:`~brainformers.attention.scaled_dot_product_attention` (Vaswani et al. 2017,
    Eq. 1) with unit-norm queries and keys, the per-step scale folded into the query, and
    the mask ``causal_mask(seq + 1)[:-1]`` over the keys ``[null, e_0, …, e_{seq−1}]``,
    which lets query t see the null key and e_0 … e_{t−1} — never its own step or a later
    one. It is the modern Hopfield update of chapter 02 (Ramsauer et al. 2021, Eq. 3)
    with keys ≠ values.

    Parameters
    ----------
    positions : (batch, seq, d_pos) float tensor, e_0 … e_{seq−1} (queries and keys).
    values : (batch, seq, d_v) float tensor, what was seen at each step (e.g. one-hot).
    null_key : (d_pos,) float tensor.
    null_value : (d_v,) float tensor.
    beta : positive float or 0-dim tensor, the inverse-temperature factor β.

    Returns
    -------
    retrieved : (batch, seq, d_v), the recalled value at every step.
    weights : (batch, seq, seq + 1), attention of step t on [null, memory 0, …]; column 0
        is the null memory, column j + 1 the memory of step j (zero for j ≥ t).
    """
    _validate.tensor("positions", positions, ndim=3, floating=True, dims="(batch, seq, d_pos)")
    _validate.tensor("values", values, ndim=3, floating=True, dims="(batch, seq, d_v)")
    _validate.tensor("null_key", null_key, ndim=1, floating=True, dims="(d_pos,)")
    _validate.tensor("null_value", null_value, ndim=1, floating=True, dims="(d_v,)")
    if values.shape[:2] != positions.shape[:2]:
        raise ValueError(
            f"values must have the (batch, seq) of positions {tuple(positions.shape[:2])}, got "
            f"{tuple(values.shape)}"
        )
    if null_key.shape[0] != positions.shape[-1]:
        raise ValueError(
            f"null_key must have d_pos = {positions.shape[-1]} entries, got {null_key.shape[0]}"
        )
    if null_value.shape[0] != values.shape[-1]:
        raise ValueError(
            f"null_value must have d_v = {values.shape[-1]} entries, got {null_value.shape[0]}"
        )
    if isinstance(beta, torch.Tensor):
        if beta.numel() != 1 or not beta.is_floating_point() or not bool(beta > 0):
            raise ValueError(f"beta must be a positive float or one-element tensor, got {beta}")
    else:
        beta = _validate.positive_float("beta", beta)
    return _memory_lookup(positions, values, null_key, null_value, beta)


def _memory_lookup(
    positions: torch.Tensor,
    values: torch.Tensor,
    null_key: torch.Tensor,
    null_value: torch.Tensor,
    beta: float | torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    batch, seq, _ = positions.shape
    unit = F.normalize(positions, dim=-1)  # (batch, seq, d_pos)
    n_memories = torch.arange(seq, dtype=positions.dtype, device=positions.device)
    scale = beta * torch.log1p(n_memories)  # (seq,): s_t = β log(1 + t)
    query = unit * scale[:, None]  # cosine · s_t through the dot product
    null_k = F.normalize(null_key, dim=-1).expand(batch, 1, -1)
    keys = torch.cat([null_k, unit], dim=1)  # (batch, seq + 1, d_pos)
    vals = torch.cat([null_value.expand(batch, 1, -1), values], dim=1)  # (batch, seq + 1, d_v)
    mask = causal_mask(seq + 1).to(positions.device)[:-1]  # (seq, seq + 1): key j ≤ query t
    return scaled_dot_product_attention(query, keys, vals, mask=mask, scale=1.0)


class TEMOutput(NamedTuple):
    """What :meth:`TEMTransformer.forward_with_memory` returns.

    logits : (batch, seq, n_classes), the prediction of the observation at each step.
    positions : (batch, seq, d_pos), the position codes e_t.
    weights : (batch, seq, seq + 1), the attention on [null, memory 0, …, memory seq − 1].
    """

    logits: torch.Tensor
    positions: torch.Tensor
    weights: torch.Tensor


class TEMTransformer(nn.Module):
    """The TEM-transformer (Whittington, Warren & Behrens 2022, ICLR), in its smallest form.

    Position codes by path integration (:func:`path_integrate`), a memory lookup by
    attention (:func:`memory_lookup`) with one-hot observations as values, and a linear
    readout of the retrieved value to logits over the ``n_classes`` observations.
    Parameters: the start code e_0, the transition matrices, the null key and value, β
    (stored as log β) and the readout.

    The readout starts as a copy, logits = 5 · retrieved (weight 5·I, bias 0), so a
    sharper lookup pays off from the first step; with a random readout about half of
    the seeds tried stayed on the chance plateau (loss ≈ ln 20) for 600 steps. This
    builds in nothing about the structure, which lives only in the W_a.

    ``positions="action"`` (TEM-t) learns one (d_pos × d_pos) matrix per action,
    initialised at the identity plus small noise and *not* tied across inverse actions
    (tying W_S = W_Nᵀ would build the answer in). ``positions="time"`` is the control:
    the same model with a single matrix used at every step whatever the action, so its
    codes e_t = normalize(e_0 W^t) are learned *time*-position encodings, defined for
    walks of any length, and the model ignores the actions entirely. It is a keyword
    rather than a second class because the control differs in nothing else.

    Parameters
    ----------
    n_classes : number of observation classes.
    d_pos : width of the position code; d_pos = 64 gives 16,953 parameters with
        ``positions="action"`` and n_classes = 20.
    positions : ``"action"`` (TEM-t) or ``"time"`` (the action-blind control).
    beta : initial β of the memory lookup's inverse temperature β·log(1 + n).
    init_noise : size of the noise added to the identity in each W_a: entries are
        N(0, (init_noise / √d_pos)²), so at initialisation one step moves a unit code by
        about ``init_noise``. In the runs behind these defaults 0.4–0.8 trained
        reliably, while 0.08 (with a random readout) stayed on the chance plateau.
    """

    def __init__(
        self,
        n_classes: int = 20,
        d_pos: int = 64,
        positions: Literal["action", "time"] = "action",
        beta: float = 2.0,
        init_noise: float = 0.5,
    ) -> None:
        super().__init__()
        _n_classes(n_classes)
        _validate.positive_int("d_pos", d_pos)
        if positions not in ("action", "time"):
            raise ValueError(f'positions must be "action" or "time", got {positions!r}')
        _validate.positive_float("beta", beta)
        if isinstance(init_noise, bool) or not isinstance(init_noise, (int, float)):
            raise TypeError(f"init_noise must be a number, got {type(init_noise).__name__}")
        if not 0 <= init_noise < float("inf"):
            raise ValueError(f"init_noise must be non-negative and finite, got {init_noise!r}")
        self.n_classes = n_classes
        self.d_pos = d_pos
        self.positions = positions
        n_matrices = _N_ACTIONS if positions == "action" else 1
        self.start = nn.Parameter(F.normalize(torch.randn(d_pos), dim=0))
        eye = torch.eye(d_pos).expand(n_matrices, d_pos, d_pos)
        noise = init_noise / math.sqrt(d_pos) * torch.randn(n_matrices, d_pos, d_pos)
        self.transitions = nn.Parameter(eye + noise)
        self.null_key = nn.Parameter(F.normalize(torch.randn(d_pos), dim=0))
        self.null_value = nn.Parameter(torch.zeros(n_classes))
        self.log_beta = nn.Parameter(torch.tensor(math.log(beta)))
        self.readout = nn.Linear(n_classes, n_classes)
        with torch.no_grad():  # start as a copy of the retrieved value (see above)
            self.readout.weight.copy_(_READOUT_GAIN * torch.eye(n_classes))
            self.readout.bias.zero_()

    @property
    def beta(self) -> torch.Tensor:
        """β = exp(log β) > 0."""
        return self.log_beta.exp()

    def _check_inputs(self, actions: object, observations: object | None) -> None:
        _integer_tensor("actions", actions, ndim=2, dims="(batch, n_steps)")
        _ids_in_range("actions", actions, _N_ACTIONS, "action (0 = N, 1 = E, 2 = S, 3 = W)")
        if observations is None:
            return
        _integer_tensor("observations", observations, ndim=2, dims="(batch, n_steps + 1)")
        if observations.shape != (actions.shape[0], actions.shape[1] + 1):
            raise ValueError(
                f"observations must have shape (batch, n_steps + 1) = ({actions.shape[0]}, "
                f"{actions.shape[1] + 1}) to match actions {tuple(actions.shape)}, got "
                f"{tuple(observations.shape)}"
            )
        _ids_in_range("observations", observations, self.n_classes, "observation class")

    def position_codes(self, actions: torch.Tensor) -> torch.Tensor:
        """(batch, n_steps + 1, d_pos) position codes e_t for (batch, n_steps) actions."""
        self._check_inputs(actions, None)
        if self.positions == "time":
            actions = torch.zeros_like(actions)  # one matrix at every step: actions ignored
        return _path_integrate(self.start, actions, self.transitions)

    def forward_with_memory(self, actions: torch.Tensor, observations: torch.Tensor) -> TEMOutput:
        """Predictions, position codes and attention weights for a batch of walks.

        Parameters
        ----------
        actions : (batch, n_steps) integer tensor of actions 0 … 3.
        observations : (batch, n_steps + 1) integer tensor of class ids; observation t is
            stored in memory for steps after t and never used to predict itself.

        Returns
        -------
        :class:`TEMOutput` (logits (batch, seq, n_classes), positions, weights).
        """
        self._check_inputs(actions, observations)
        positions = self.position_codes(actions)
        values = F.one_hot(observations, self.n_classes).to(positions.dtype)
        retrieved, weights = _memory_lookup(
            positions, values, self.null_key, self.null_value, self.beta
        )
        return TEMOutput(self.readout(retrieved), positions, weights)

    def forward(self, actions: torch.Tensor, observations: torch.Tensor) -> torch.Tensor:
        """(batch, n_steps + 1, n_classes) logits: the prediction of each observation."""
        return self.forward_with_memory(actions, observations).logits


# ---------------------------------------------------------- training and evaluation


def _model_device(model: nn.Module) -> torch.device:
    if not isinstance(model, TEMTransformer):
        raise TypeError(f"model must be a TEMTransformer, got {type(model).__name__}")
    return next(model.parameters()).device


def train_tem(
    model: TEMTransformer,
    worlds_per_batch: int = 32,
    n_steps: int = 1000,
    walk_length: int = 100,
    lr: float = 3e-3,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
) -> list[float]:
    """Train a TEM-t (or its control) on walks in fresh worlds, with Adam and cross-entropy.

    Every optimisation step draws ``worlds_per_batch`` new worlds (:func:`sample_batch`)
    with one ``walk_length``-step walk each, and minimises the cross-entropy of the
    prediction of every observation on the walk — the training objective of Whittington,
    Warren & Behrens (2022) with a softmax readout. The model never meets the same
    world twice, so what it learns is the structure, not the objects. Trains on the
    device the model is on; the generator is seeded from ``(0, seed)``, a stream that
    :func:`evaluate_tem` (seeded from ``(1, seed)``) never draws from.

    The run is a fixed number of steps, never a wall-clock budget, so a slower machine
    trains the same model. The learning rate falls linearly from ``lr`` to ``lr / 10``
    over those steps. With a constant rate the final accuracy on 200-step walks wandered
    by a few per cent from run to run; the decay lets it settle (measured over four seeds).

    Parameters
    ----------
    model : the :class:`TEMTransformer` to train (in place).
    worlds_per_batch : walks (worlds) per optimisation step.
    n_steps : number of optimisation steps.
    walk_length : moves per training walk.
    lr : Adam's initial learning rate.
    seed : seeds the worlds and walks (seed the model's initialisation yourself, e.g.
        with :func:`brainformers.set_seed`, before building it).
    widths : the square worlds' possible widths.

    Returns
    -------
    The training loss (nats) at every step.
    """
    device = _model_device(model)
    _validate.positive_int("worlds_per_batch", worlds_per_batch)
    _validate.positive_int("n_steps", n_steps)
    _validate.positive_int("walk_length", walk_length)
    lr = _validate.positive_float("lr", lr)
    generator = np.random.default_rng((0, _validate.seed(seed)))
    sizes = _widths(widths)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses: list[float] = []
    for step in range(n_steps):
        for group in optimiser.param_groups:
            group["lr"] = lr * (1.0 - 0.9 * step / n_steps)
        batch = sample_batch(
            worlds_per_batch, walk_length, generator, widths=sizes, n_classes=model.n_classes
        )
        actions = torch.from_numpy(batch.actions).to(device)
        observations = torch.from_numpy(batch.observations).to(device)
        logits = model(actions, observations)
        loss = F.cross_entropy(logits.reshape(-1, model.n_classes), observations.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    model.eval()
    return losses


def prediction_correct(
    model: TEMTransformer, actions: np.ndarray, observations: np.ndarray
) -> np.ndarray:
    """Whether the model's most likely observation is the one seen, at every step.

    Parameters
    ----------
    model : a :class:`TEMTransformer`.
    actions : (n_walks, n_steps) int array.
    observations : (n_walks, n_steps + 1) int array of class ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array.
    """
    device = _model_device(model)
    acts = _integer_array("actions", actions, ndim=2, dims="(n_walks, n_steps)")
    obs = _integer_array("observations", observations, ndim=2, dims="(n_walks, n_steps + 1)")
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for lo in range(0, acts.shape[0], _EVAL_CHUNK):
            a = torch.from_numpy(acts[lo : lo + _EVAL_CHUNK]).to(device)
            o = torch.from_numpy(obs[lo : lo + _EVAL_CHUNK]).to(device)
            out.append((model(a, o).argmax(dim=-1) == o).cpu().numpy())
    model.train(was_training)
    return np.concatenate(out, axis=0)


def evaluate_tem(
    model: TEMTransformer,
    n_worlds: int = 512,
    walk_length: int = 200,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
) -> dict[str, float]:
    """Accuracy on held-out worlds, overall and where structure matters.

    Walks of ``walk_length`` steps (longer than training's, so the model must
    generalise in time too) in ``n_worlds`` fresh worlds drawn from a generator seeded
    from ``(1, seed)`` — a stream :func:`train_tem` never uses — scored as in Whittington,
    Warren & Behrens (2022): accuracy at visited nodes, on arrival by a
    never-taken directed edge, and on true loop closures, beside the node-agent oracle
    and chance.

    Returns
    -------
    dict of floats: ``visited``, ``new_edge``, ``loop_closure``, ``unvisited`` (accuracy
    on those steps), ``overall`` (all steps, step 0 included), ``oracle_overall``
    (the oracle's overall accuracy = fraction of steps at visited nodes) and ``chance``.
    """
    _model_device(model)
    batch = held_out_batch(n_worlds, walk_length, seed, widths=widths, n_classes=model.n_classes)
    correct = prediction_correct(model, batch.actions, batch.observations)
    return score_predictions(correct, batch.nodes, model.n_classes)


def held_out_batch(
    n_worlds: int = 512,
    walk_length: int = 200,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
    n_classes: int = 20,
) -> TEMBatch:
    """The held-out worlds :func:`evaluate_tem` scores on: :func:`sample_batch` drawn from
    a generator seeded from ``(1, seed)``, a stream :func:`train_tem` never uses."""
    _validate.positive_int("n_worlds", n_worlds)
    _validate.positive_int("walk_length", walk_length)
    generator = np.random.default_rng((1, _validate.seed(seed)))
    return sample_batch(n_worlds, walk_length, generator, widths=widths, n_classes=n_classes)


def score_predictions(
    correct: np.ndarray, nodes: np.ndarray, n_classes: int = 20
) -> dict[str, float]:
    """Accuracy overall and on the steps where structure matters, beside oracle and chance.

    The scores of Whittington, Warren & Behrens (2022): accuracy at visited nodes
    (:func:`visited_mask`), on arrival by a never-taken directed edge
    (:func:`new_edge_mask`), on true loop closures (:func:`loop_closure_mask`) and at
    unvisited nodes, overall (step 0 included), the node-agent oracle's overall accuracy
    and chance.

    Parameters
    ----------
    correct : (n_walks, n_steps + 1) bool array, e.g. from :func:`prediction_correct`.
    nodes : (n_walks, n_steps + 1) int array, the walks' node ids.
    n_classes : number of observation classes (for chance).

    Returns
    -------
    dict of floats: ``visited``, ``new_edge``, ``loop_closure``, ``unvisited``,
    ``overall``, ``oracle_overall`` and ``chance``; NaN where a mask selects no step.
    """
    nodes = _walk_nodes(nodes)
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
        "oracle_overall": float(node_oracle_correct(nodes).mean()),
        "chance": chance_accuracy(n_classes),
    }


def rate_maps(
    model: TEMTransformer,
    world: GridWorld,
    n_walks: int = 32,
    walk_length: int = 200,
    seed: int = 0,
    *,
    start: int | None = None,
) -> np.ndarray:
    """Rate maps of the position units: the mean of each unit of e_t at each node.

    The analysis of Whittington, Warren & Behrens (2022) and of TEM (Whittington
    et al. 2020): walk at random in ``world`` and average every position unit over
    the visits to each node. Periodic, band- or grid-like maps are the grid-cell-like
    code; chapter 04's gridness score applies to them. Position codes depend only on the
    actions, so no observations are needed. Values are the raw (signed) code entries.

    The codes are *relative*: e_0 is the code of wherever a walk starts, so every walk
    here starts at the same node (``start``); maps of walks from different starts would
    be shifted against one another and blur when averaged. A trained model's codes also
    drift slowly with time, so very long walks blur the maps too.

    Parameters
    ----------
    model : a :class:`TEMTransformer`.
    world : the grid to map.
    n_walks, walk_length : the walks averaged over.
    seed : seeds the walks (``np.random.default_rng((2, seed))``).
    start : the node every walk starts from; default the centre node
        ``(height // 2) · width + width // 2``.

    Returns
    -------
    (d_pos, height, width) float64 array; NaN at nodes no walk visited.
    """
    device = _model_device(model)
    _check_world(world)
    _validate.positive_int("n_walks", n_walks)
    _validate.positive_int("walk_length", walk_length)
    if start is None:
        start = (world.height // 2) * world.width + world.width // 2
    nodes, actions = random_walks(
        world, n_walks, walk_length, np.random.default_rng((2, _validate.seed(seed))), start=start
    )
    with torch.no_grad():
        codes = model.position_codes(torch.from_numpy(actions).to(device))
    codes = codes.double().cpu().numpy().reshape(-1, model.d_pos)  # (n_walks · seq, d_pos)
    flat = nodes.reshape(-1)
    counts = np.bincount(flat, minlength=world.n_nodes).astype(np.float64)
    sums = np.zeros((world.n_nodes, model.d_pos))
    np.add.at(sums, flat, codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts[:, None]  # NaN where never visited
    return means.T.reshape(model.d_pos, world.height, world.width)


#: The TEM-t shipped with the library: chapter 03's recipe (made by
#: ``utils/train_tem_checkpoint.py``), 16,953 parameters, about 70 KB.
PRETRAINED_PATH = Path(str(files("brainformers") / "resources" / "temt_d64.pt"))


def load_pretrained(device: torch.device | str = "cpu") -> TEMTransformer:
    """The TEM-t trained with chapter 03's recipe, ready to evaluate (in eval mode).

    ``TEMTransformer()`` (d_pos = 64, 20 classes, action-driven positions), seeded with 0
    and trained for 1,000 steps of 32 fresh 4-6 wide worlds with 100-step walks
    (:func:`train_tem`); ``utils/train_tem_checkpoint.py`` reproduces it. It lets a later
    chapter analyse a fully trained model without spending a minute training one.
    """
    model = TEMTransformer()
    state = torch.load(PRETRAINED_PATH, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.to(device).eval()
