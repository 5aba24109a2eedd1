"""What a trained TEM-t learned: how its W_a compose, and rate maps of its position units.

Whittington, Warren & Behrens (2022) argue that TEM-t solves the task because the learned
transition matrices act like the moves they stand for: N then S returns a code to where
it was, N then E lands where E then N does. :func:`route_error` measures that on the
codes a model actually visits (chapter 03 reports it for inverse pairs, for the commutator
and for a non-inverse pair); :func:`rate_maps` and :func:`plane_wave_fit` describe what
single position units look like in space.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .. import _validate
from ._inputs import _ids_in_range
from .model import TEMTransformer, _check_transitions
from .training import _model_device
from .worlds import GridWorld, _check_world, random_walks

__all__ = ["route_error", "rate_maps", "plane_wave_fit"]


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


def _route(name: str, route: object, n_actions: int) -> list[int]:
    if isinstance(route, (str, bytes)) or not isinstance(route, Sequence):
        raise TypeError(f"{name} must be a sequence of action ids (e.g. [0, 2]), got {route!r}")
    actions = []
    for a in route:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{name} must hold integer action ids, got {route!r}")
        actions.append(int(a))
    _ids_in_range(name, np.asarray(actions, dtype=np.int64), n_actions, "action")
    return actions


def route_error(
    codes: torch.Tensor,
    transitions: torch.Tensor,
    route: Sequence[int],
    other: Sequence[int] = (),
) -> float:
    """How far two routes from the same codes end apart: mean of 1 − cos(e W_route, e W_other).

    For every code e (a row of ``codes``), follow ``route`` — e W_{r_1} W_{r_2} … in the
    order the moves are made, codes being row vectors — and ``other`` the same way (an
    empty route leaves e where it is), and compare the two end points by cosine:

        error = mean_e [ 1 − cos(e W_{r_1} ⋯ W_{r_m}, e W_{o_1} ⋯ W_{o_n}) ].

    The normalisation of :func:`position_step` after each move does not change a
    direction, so it does not change the error. 0 means the routes always reach the same
    code; 1 means unrelated (orthogonal) codes on average; 2 opposite codes. If the W_a
    compose like moves on a grid (Whittington, Warren & Behrens 2022), N then S returns
    (``route_error(e, W, [0, 2])`` ≈ 0) and N·E ≈ E·N, while N then E lands elsewhere.

    Parameters
    ----------
    codes : (n_codes, d_pos) float tensor, e.g. position codes from walks.
    transitions : (n_actions, d_pos, d_pos) float tensor, the W_a applied as ``e @ W_a``.
    route, other : sequences of action ids (0 = N, 1 = E, 2 = S, 3 = W).

    Returns
    -------
    The mean error, a float in [0, 2].
    """
    _validate.tensor("codes", codes, ndim=2, floating=True, dims="(n_codes, d_pos)")
    w = _check_transitions(transitions, codes.shape[-1])
    ends = []
    for name, r in (("route", route), ("other", other)):
        e = codes
        for a in _route(name, r, w.shape[0]):
            e = e @ w[a]
        ends.append(e)
    with torch.no_grad():
        return float((1 - F.cosine_similarity(ends[0], ends[1], dim=-1)).mean())


def plane_wave_fit(maps: np.ndarray, n_frequencies: int = 48) -> np.ndarray:
    """How band-like each map is: the share of its variance one plane wave explains.

    For a map f(r, c) on a grid, fit a + b cos(k·x) + c sin(k·x) (x = (row, col)) by least
    squares for every wave vector k on a grid of ``n_frequencies`` × (``n_frequencies`` // 2
    + 1) values covering |k_row|, |k_col| ≤ π (one wave per node at most; k and −k are the
    same wave), and return the best R². A band — a stripe pattern in one direction —
    scores near 1; a pattern with two directions of periodicity (a square or hexagonal
    grid) splits its variance between two or three waves and scores about ½ or ⅓.

    Parameters
    ----------
    maps : (n_units, height, width) float array; NaN (an unvisited node) is left out.
    n_frequencies : grid points per frequency axis.

    Returns
    -------
    (n_units,) float64 array of R² values in [0, 1]; NaN for a constant map.
    """
    x = _validate.array("maps", maps, ndim=3, dims="(n_units, height, width)", allow_nan=True)
    _validate.positive_int("n_frequencies", n_frequencies)
    n_units, height, width = x.shape
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    k_row = np.linspace(0, np.pi, n_frequencies // 2 + 1)
    k_col = np.linspace(-np.pi, np.pi, n_frequencies)
    best = np.full(n_units, np.nan)
    valid = np.isfinite(x).reshape(n_units, -1)
    # units that share a pattern of visited nodes share the least-squares solver
    for pattern in np.unique(valid, axis=0):
        units = np.flatnonzero((valid == pattern).all(axis=1))
        f = x.reshape(n_units, -1)[units][:, pattern]  # (n_units_here, n_valid)
        f = f - f.mean(axis=1, keepdims=True)
        total = (f**2).sum(axis=1)
        phase = (
            k_row[:, None, None] * rows.reshape(-1)[pattern]
            + k_col[None, :, None] * cols.reshape(-1)[pattern]
        ).reshape(-1, int(pattern.sum()))  # (n_waves, n_valid)
        basis = np.stack([np.cos(phase), np.sin(phase), np.ones_like(phase)], axis=-1)
        fitted = basis @ (np.linalg.pinv(basis) @ f.T)  # (n_waves, n_valid, n_units_here)
        residual = ((f.T[None] - fitted) ** 2).sum(axis=1).min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            best[units] = np.where(total > 0, 1 - residual / total, np.nan)
    return best
