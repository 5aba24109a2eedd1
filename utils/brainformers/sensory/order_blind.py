"""Order-blind controls with memory: what the AttentionNeuron must beat to tell channels apart.

A policy whose inputs may come in any order need not *identify* its channels: it can
act on what is the same in every order. The two controls here see exactly what the
AttentionNeuron sees (the observation channels, in any order, and its own previous
action), keep memory across steps, and are trained by the same CMA-ES
(:mod:`brainformers.sensory.evolution`):

* :class:`SumDifferencePolicy` — a four-weight rule on the *sum* of the inputs
  :math:`S_t = \\sum_i o_{t,i}`: push right when
  :math:`w \\cdot [S_t,\\; S_t - S_{t-1},\\; a_{t-1},\\; 1] > 0`. Its memory is one number
  (the last sum) and the last action. It cannot tell one channel from another at all.
* :class:`MeanPoolingPolicy` — the AttentionNeuron's own sensory LSTM, one state per
  channel, pooled with *equal* weights over channels instead of fixed-query attention, a
  deep-sets network (Zaheer et al. 2017): :math:`m = \\tanh(W_m^\\top
  \\sum_i [h_i, o_i] + b_m)`, push right when :math:`w \\cdot m + b > 0`. Every channel
  enters the pool with the same weight; only what its LSTM state has made of it differs.

Both are permutation invariant by construction, like the AttentionNeuron, and share the
policy interface of :mod:`brainformers.sensory.attention_neuron` (``n_params``,
``unflatten``, ``initial_state``, ``step`` on ``(P, E, n)`` observations), so the lockstep
rollouts and :func:`brainformers.sensory.senses.evaluate_on_gymnasium` run them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _validate
from .attention_neuron import _FlatParameters, _sensory_lstm

__all__ = ["MeanPoolingPolicy", "SumDifferencePolicy"]


@dataclass(frozen=True)
class SumDifferencePolicy(_FlatParameters):
    """Push right when :math:`w \\cdot [S_t, S_t - S_{t-1}, a_{t-1}, 1] > 0`; S = Σ inputs.

    :math:`a_{t-1} \\in \\{-1, +1\\}` is the previous push (0 before the first step), and
    :math:`S_{-1} = S_0`, so the first difference is 0. Four parameters
    ``w = (w_sum, w_difference, w_action, bias)``. The hand-set
    ``w = (0.3, 1, 0.14, 0)`` balances CartPole-v1 for 500 steps in any order of its inputs.
    """

    shapes: dict[str, tuple[int, ...]] = field(
        init=False, repr=False, default_factory=lambda: {"w": (4,)}
    )

    def initial_state(self, n_policies: int, n_episodes: int, n_channels: int) -> dict:
        """No last sum yet (NaN) and a zero previous action, each (P, E)."""
        shape = (n_policies, n_episodes)
        return {"prev_sum": np.full(shape, np.nan), "prev_action": np.zeros(shape)}

    def features(self, obs: np.ndarray, state: dict) -> np.ndarray:
        """(P, E, 4) features [S_t, S_t − S_{t−1}, a_{t−1}, 1] from (P, E, n) observations."""
        total = obs.sum(axis=-1)  # (P, E)
        previous = np.where(np.isnan(state["prev_sum"]), total, state["prev_sum"])
        ones = np.ones_like(total)
        return np.stack([total, total - previous, state["prev_action"], ones], axis=-1)

    def step(
        self, weights: dict[str, np.ndarray], obs: np.ndarray, state: dict
    ) -> tuple[np.ndarray, dict, dict[str, np.ndarray]]:
        """Actions (P, E) from observations (P, E, n) in any order; see the AttentionNeuron's."""
        features = self.features(obs, state)
        out = np.einsum("pef,pf->pe", features, weights["w"])
        action = (out > 0).astype(int)
        new_state = {"prev_sum": features[..., 0], "prev_action": 2.0 * action - 1.0}
        return action, new_state, {}


@dataclass(frozen=True)
class MeanPoolingPolicy(_FlatParameters):
    """The AttentionNeuron with mean pooling in place of attention: a deep-sets policy.

    The same sensory LSTM (``hidden`` units, one state per channel, reading
    :math:`(o_i, a_{t-1})`, :func:`.attention_neuron.sensory_lstm`) gives each channel
    :math:`h_i`; the pool gives every channel the same weight, :math:`\\sum_i [h_i, o_i]`
    (n times the mean: for a fixed number of channels the same family of functions, since
    :math:`W_m` absorbs the 1/n, but at CMA-ES's starting step size 0.5 the sum trained on
    4 of 4 seeds in 120 generations and the mean on 1 of 2; the sum is also what the
    AttentionNeuron's weights multiply, :math:`\\sum_i A_{ai} o_i`); a layer of ``n_latent``
    tanh units reads it, :math:`m = \\tanh(W_m^\\top x + b_m)`, and the policy pushes right
    when :math:`w \\cdot m + b > 0`. The defaults (hidden 4, 16 latent
    units, as the AttentionNeuron's 16 queries) have 225 parameters, the AttentionNeuron
    193. The previous action enters the LSTM as ±1 (0 before the first step).
    """

    hidden: int = 4
    n_latent: int = 16
    shapes: dict[str, tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _validate.positive_int("hidden", self.hidden)
        _validate.positive_int("n_latent", self.n_latent)
        h = self.hidden
        shapes = {
            "w_x": (2, 4 * h),
            "w_h": (h, 4 * h),
            "b": (4 * h,),
            "w_m": (h + 1, self.n_latent),
            "b_m": (self.n_latent,),
            "w_out": (self.n_latent,),
            "b_out": (1,),
        }
        object.__setattr__(self, "shapes", shapes)

    def initial_state(self, n_policies: int, n_episodes: int, n_channels: int) -> dict:
        """Zero LSTM states (P, E, n, hidden) and a zero previous action (P, E)."""
        zeros = np.zeros((n_policies, n_episodes, n_channels, self.hidden))
        return {"h": zeros, "c": zeros.copy(), "prev_action": np.zeros((n_policies, n_episodes))}

    def step(
        self, weights: dict[str, np.ndarray], obs: np.ndarray, state: dict
    ) -> tuple[np.ndarray, dict, dict[str, np.ndarray]]:
        """Actions (P, E) from observations (P, E, n) in any order; extras: ``latent`` (P, E, m)."""
        w = {k: v[:, None] for k, v in weights.items()}  # a policy axis that spans episodes
        h, c = _sensory_lstm(
            obs, state["prev_action"], state["h"], state["c"], w["w_x"], w["w_h"], w["b"][:, None]
        )
        pooled = np.concatenate([h, obs[..., None]], axis=-1).sum(axis=-2)  # (P, E, hidden + 1)
        latent = np.tanh(np.einsum("pek,pkm->pem", pooled, weights["w_m"]) + w["b_m"])  # (P, E, m)
        out = np.einsum("pem,pm->pe", latent, weights["w_out"]) + weights["b_out"]
        action = (out > 0).astype(int)
        return action, {"h": h, "c": c, "prev_action": 2.0 * action - 1.0}, {"latent": latent}
