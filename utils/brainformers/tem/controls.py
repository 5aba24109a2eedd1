"""The controls a sceptic asks for: a rule that looks back, and the transformer a user would pick.

* :func:`backtrack_correct` — "predict what I saw two steps ago": right whenever the
  last move reversed the one before, with no model at all.
* :class:`ActionTokenTransformer` — a standard causal transformer (Vaswani et al. 2017)
  that reads the actions and observations as tokens, with ordinary sinusoidal time
  positions and no path integration; it sees everything TEM-t sees and keeps every
  step in its context, as TEM-t keeps every step in memory.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .. import _validate
from ..attention import causal_mask, multi_head_attention, sinusoidal_positions
from ._inputs import N_ACTIONS as _N_ACTIONS
from ._inputs import _ids_in_range, _integer_array, _integer_tensor, _n_classes

__all__ = ["backtrack_correct", "dead_reckoning_correct", "ActionTokenTransformer"]

# (row, col) displacement of each action N, E, S, W (as tem.MOVES).
_DISPLACEMENT = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)], dtype=np.int64)


def backtrack_correct(observations: np.ndarray, lag: int = 2) -> np.ndarray:
    """Where the rule "predict the observation of ``lag`` steps ago" is right.

    On a random walk the last move reverses the one before with probability 1 / (number
    of legal moves), and then the agent stands where it stood two steps earlier, so
    repeating what it saw there is right without any knowledge of place. Steps t < lag
    have nothing to repeat and count as wrong.

    Parameters
    ----------
    observations : (n_walks, n_steps + 1) int array of class ids.
    lag : how many steps back to look (≥ 1).

    Returns
    -------
    (n_walks, n_steps + 1) bool array: ``observations[:, t] == observations[:, t - lag]``.
    """
    obs = _integer_array("observations", observations, ndim=2, dims="(n_walks, n_steps + 1)")
    _validate.positive_int("lag", lag)
    out = np.zeros(obs.shape, dtype=bool)
    out[:, lag:] = obs[:, lag:] == obs[:, :-lag]
    return out


def dead_reckoning_correct(actions: np.ndarray, observations: np.ndarray) -> np.ndarray:
    """Where hand-written dead reckoning predicts the observation right.

    The positive control with no learning: keep a running sum of the moves (the place
    relative to the start, in nodes) and a dictionary from place to the observation last
    seen there; predict the stored observation at a place already in the dictionary, and
    nothing (wrong) at a new one. It needs to know the moves' displacements, which
    TEM-t must learn.

    Parameters
    ----------
    actions : (n_walks, n_steps) int array of actions 0 … 3 (N, E, S, W).
    observations : (n_walks, n_steps + 1) int array of class ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array: the prediction at step t was right.
    """
    acts = _integer_array("actions", actions, ndim=2, dims="(n_walks, n_steps)")
    obs = _integer_array("observations", observations, ndim=2, dims="(n_walks, n_steps + 1)")
    if obs.shape != (acts.shape[0], acts.shape[1] + 1):
        raise ValueError(
            f"observations must have shape (n_walks, n_steps + 1) = ({acts.shape[0]}, "
            f"{acts.shape[1] + 1}) to match actions {acts.shape}, got {obs.shape}"
        )
    _ids_in_range("actions", acts, _N_ACTIONS, "action (0 = N, 1 = E, 2 = S, 3 = W)")
    places = np.zeros((acts.shape[0], acts.shape[1] + 1, 2), dtype=np.int64)
    places[:, 1:] = np.cumsum(_DISPLACEMENT[acts], axis=1)  # running sum of the moves
    out = np.zeros(obs.shape, dtype=bool)
    for w in range(obs.shape[0]):
        seen: dict[tuple[int, int], int] = {}
        for t in range(obs.shape[1]):
            place = (int(places[w, t, 0]), int(places[w, t, 1]))
            out[w, t] = seen.get(place) == int(obs[w, t])
            seen[place] = int(obs[w, t])
    return out


class ActionTokenTransformer(nn.Module):
    """A small causal transformer over action and observation tokens, with time positions.

    Token t is ``embed_obs(v_{t−1}) + embed_action(a_{t−1}) + PE(t)``: what was seen at
    the previous step, the move that led here, and the sinusoidal position of the step
    (Vaswani et al. 2017, §3.5); token 0 holds a learned "start" observation and action.
    ``n_layers`` pre-norm blocks x ← x + MultiHead(LN(x)), x ← x + MLP(LN(x)) with causal
    attention (:func:`brainformers.attention.multi_head_attention`, learned W_Q, W_K, W_V,
    W_O), then a linear readout of token t predicts v_t. Nothing tells the model how the
    moves fit together: it could learn to path-integrate from the action tokens, but
    nothing in it is built for that — the control a user would pick for the task.

    Parameters
    ----------
    n_classes : number of observation classes.
    d_model : token width.
    n_heads : attention heads per layer (must divide ``d_model``).
    n_layers : number of blocks.
    max_len : longest walk (in steps + 1) the positions cover.
    """

    def __init__(
        self,
        n_classes: int = 20,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        max_len: int = 1024,
    ) -> None:
        super().__init__()
        _n_classes(n_classes)
        for name, value in (("d_model", d_model), ("n_heads", n_heads), ("n_layers", n_layers)):
            _validate.positive_int(name, value)
        _validate.positive_int("max_len", max_len)
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.n_classes = n_classes
        self.n_heads = n_heads
        self.embed_obs = nn.Embedding(n_classes + 1, d_model)  # id n_classes: the start token
        self.embed_action = nn.Embedding(_N_ACTIONS + 1, d_model)  # id 4: the start token
        self.register_buffer("positions", sinusoidal_positions(max_len, d_model))
        std = d_model**-0.5
        self.attention_norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(n_layers))
        self.attention_weights = nn.ParameterList(
            nn.Parameter(torch.randn(4, d_model, d_model) * std) for _ in range(n_layers)
        )
        self.mlp_norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(n_layers))
        self.mlps = nn.ModuleList(
            nn.Sequential(
                nn.Linear(d_model, 2 * d_model), nn.GELU(), nn.Linear(2 * d_model, d_model)
            )
            for _ in range(n_layers)
        )
        self.final_norm = nn.LayerNorm(d_model)
        self.readout = nn.Linear(d_model, n_classes)

    def forward(self, actions: torch.Tensor, observations: torch.Tensor) -> torch.Tensor:
        """(batch, n_steps + 1, n_classes) logits; logit t sees v_0 … v_{t−1}, a_0 … a_{t−1}.

        Parameters
        ----------
        actions : (batch, n_steps) integer tensor of actions 0 … 3.
        observations : (batch, n_steps + 1) integer tensor of class ids.
        """
        _integer_tensor("actions", actions, ndim=2, dims="(batch, n_steps)")
        _integer_tensor("observations", observations, ndim=2, dims="(batch, n_steps + 1)")
        batch, seq = observations.shape
        if actions.shape != (batch, seq - 1):
            raise ValueError(
                f"actions must have shape (batch, n_steps) = ({batch}, {seq - 1}) to match "
                f"observations {tuple(observations.shape)}, got {tuple(actions.shape)}"
            )
        if seq > self.positions.shape[0]:
            raise ValueError(f"walks of {seq} steps exceed max_len {self.positions.shape[0]}")
        _ids_in_range("actions", actions, _N_ACTIONS, "action (0 = N, 1 = E, 2 = S, 3 = W)")
        _ids_in_range("observations", observations, self.n_classes, "observation class")
        start_obs = torch.full((batch, 1), self.n_classes, dtype=observations.dtype)
        start_act = torch.full((batch, 1), _N_ACTIONS, dtype=actions.dtype)
        seen = torch.cat([start_obs.to(observations.device), observations[:, :-1]], dim=1)
        moved = torch.cat([start_act.to(actions.device), actions], dim=1)
        h = self.embed_obs(seen) + self.embed_action(moved) + self.positions[:seq]
        mask = causal_mask(seq).to(h.device)  # token t sees tokens 0 … t (all from before t)
        for norm, w, mlp_norm, mlp in zip(
            self.attention_norms, self.attention_weights, self.mlp_norms, self.mlps, strict=True
        ):
            out, _ = multi_head_attention(norm(h), w[0], w[1], w[2], w[3], self.n_heads, mask=mask)
            h = h + out
            h = h + mlp(mlp_norm(h))
        return self.readout(self.final_norm(h))
