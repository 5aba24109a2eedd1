"""Grid worlds with random objects, and random walks on them: the task of TEM and TEM-t.

Every world is the same structure — a square grid whose nodes are joined by the moves
N, E, S, W — with a fresh random observation on every node (Whittington et al. 2020;
Whittington, Warren & Behrens 2022). Nodes are numbered row-major,
``node = row · width + col``, row 0 the northern (top) row; actions are
``N, E, S, W = 0, 1, 2, 3`` (:data:`ACTION_NAMES`). A walk of ``n_steps`` moves visits
``n_steps + 1`` nodes: ``nodes[:, t + 1] = step(nodes[:, t], actions[:, t])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .. import _validate
from ._inputs import N_ACTIONS as _N_ACTIONS
from ._inputs import _ids_in_range, _integer_array, _n_classes, _widths

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
]

ACTION_NAMES: tuple[str, ...] = ("N", "E", "S", "W")
"""Names of the actions 0, 1, 2, 3."""

_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (d_row, d_col) of N, E, S, W; row 0 = north


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
