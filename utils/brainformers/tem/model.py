"""The TEM-transformer (Whittington, Warren & Behrens 2022): path integration and memory as
attention.

* path integration — a position code updated by action-dependent recurrent weights,
  e_{t+1} = normalize(e_t W_{a_t}) (their e_{t+1} = σ(e_t W_a), with the normalisation
  as σ): :func:`position_step`, :func:`path_integrate`;
* memory as attention — the query is the current position code, the keys the codes of
  earlier steps and the values the observations seen there, plus a learned "null"
  memory: :func:`memory_lookup`, built on chapter 01's
  :func:`brainformers.attention.scaled_dot_product_attention` (Vaswani et al. 2017,
  Eq. 1), the modern-Hopfield lookup of chapter 02 (Ramsauer et al. 2021, Eq. 3).
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _validate
from ..attention import causal_mask, scaled_dot_product_attention
from ._inputs import N_ACTIONS as _N_ACTIONS
from ._inputs import _ids_in_range, _integer_tensor, _n_classes

__all__ = [
    "position_step",
    "path_integrate",
    "memory_lookup",
    "grid_transitions",
    "MOVES",
    "TEMOutput",
    "TEMTransformer",
]

# The readout starts as logits = _READOUT_GAIN · retrieved value (see TEMTransformer).
_READOUT_GAIN = 5.0


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


# (row, col) displacement of each action N, E, S, W; row 0 is the northern row.
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


def grid_transitions(
    d_pos: int = 64,
    generator: np.random.Generator | None = None,
    *,
    max_wave_number: float = 2.5,
    min_wave_number: float = 0.5,
) -> torch.Tensor:
    """W_a set by hand: the moves of a 2D grid as block rotations, no training.

    The code is split into d_pos / 2 planes. Plane j has a random wave vector k_j
    (direction uniform, length uniform in [``min_wave_number``, ``max_wave_number``]
    radians per node) and action a, which moves the agent by δ_a (:data:`MOVES`), turns
    plane j by the angle k_j · δ_a. The codes are then e(x)_j = R(k_j · x) e_0,j: a sum of
    plane waves over the node x, so that moves commute (angles add), N and S undo each
    other (angles cancel, W_S = W_Nᵀ) and, with many random k_j, the cosine between the
    codes of two different nodes, the mean of cos(k_j · (x − y)), is far below 1 (a
    representation of the group ℤ² of grid moves; Whittington, Warren & Behrens 2022
    show learned W_a approaching such rotations). Codes are row vectors: e W_a; on the
    plane (u, v) a turn by θ is [u, v] ↦ [u cos θ − v sin θ, u sin θ + v cos θ].

    Parameters
    ----------
    d_pos : width of the code, even.
    generator : NumPy generator for the wave vectors (a fresh default one if ``None``).
    max_wave_number, min_wave_number : range of |k_j|, in radians per node. Below π a
        single step cannot alias (turn a plane by a whole period).

    Returns
    -------
    (4, d_pos, d_pos) float32 tensor, orthogonal, block-diagonal with 2 × 2 rotations.
    """
    _validate.positive_int("d_pos", d_pos)
    if d_pos % 2:
        raise ValueError(f"d_pos must be even (planes of two units), got {d_pos}")
    if not 0 < min_wave_number <= max_wave_number < float("inf"):
        raise ValueError(
            "need 0 < min_wave_number <= max_wave_number < inf, got "
            f"{min_wave_number} and {max_wave_number}"
        )
    rng = np.random.default_rng() if generator is None else generator
    n_planes = d_pos // 2
    direction = rng.uniform(0, 2 * np.pi, n_planes)
    length = rng.uniform(min_wave_number, max_wave_number, n_planes)
    k = length[:, None] * np.stack([np.cos(direction), np.sin(direction)], axis=1)  # (planes, 2)
    angles = np.asarray(MOVES, dtype=float) @ k.T  # (4, planes): k_j · δ_a
    c, s = torch.from_numpy(np.cos(angles)).float(), torch.from_numpy(np.sin(angles)).float()
    w = torch.zeros(_N_ACTIONS, d_pos, d_pos)
    w[:, 0::2, 0::2] = torch.diag_embed(c)
    w[:, 1::2, 1::2] = torch.diag_embed(c)
    w[:, 0::2, 1::2] = torch.diag_embed(s)
    w[:, 1::2, 0::2] = torch.diag_embed(-s)
    return w


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
    walks of any length, and the model ignores the actions entirely. Its matrix is
    kept a rotation that flips the code at every step, W = −exp(G − Gᵀ) with G learned
    (and initialised as the W_a's noise), for two reasons found by training it: a
    general W applied t times turns every code towards W's leading eigenvector, so late
    in a walk all codes coincide (cosine 1.000 between steps 145 … 150 at
    initialisation) and attention cannot tell one past step from another, whatever the
    normalisation does to the length; and the best a time code can do — "look two steps
    back", right whenever the walk reverses its last move — needs an eigenvalue near −1,
    which gradient descent did not reach from +I or from a random rotation in 1,000
    steps (0.15 and 0.21 overall on chapter 03's held-out walks with seed 0, against
    0.35 for the rule). Started near −I it favours the memory two steps back from the
    first step (even distances flip the sign back, the small rotations fade far memories).

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
        self.start = nn.Parameter(F.normalize(torch.randn(d_pos), dim=0))
        if positions == "action":
            eye = torch.eye(d_pos).expand(_N_ACTIONS, d_pos, d_pos)
            noise = init_noise / math.sqrt(d_pos) * torch.randn(_N_ACTIONS, d_pos, d_pos)
            self.transitions = nn.Parameter(eye + noise)
        else:  # W = −exp(G − Gᵀ): a rotation that flips the code at every step (see above)
            self.generator = nn.Parameter(
                init_noise / math.sqrt(d_pos) * torch.randn(1, d_pos, d_pos)
            )
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
        if self.positions == "action":
            return _path_integrate(self.start, actions, self.transitions)
        g = self.generator
        w = -torch.linalg.matrix_exp(g - g.transpose(-1, -2))  # (1, d_pos, d_pos) rotation
        return _path_integrate(self.start, torch.zeros_like(actions), w)  # actions ignored

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
