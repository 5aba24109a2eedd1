"""What a trained TEM-t learned: rate maps of its position units."""

from __future__ import annotations

import numpy as np
import torch

from .. import _validate
from .model import TEMTransformer
from .training import _model_device
from .worlds import GridWorld, _check_world, random_walks

__all__ = ["rate_maps"]


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
