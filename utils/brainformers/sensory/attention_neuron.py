"""The AttentionNeuron of Tang & Ha (2021): a policy whose input channels may come in any order.

Each of the N observation channels is one *sensory neuron*. A small LSTM, shared by all
neurons but with one state per neuron, reads the neuron's scalar :math:`o_i` and the
previous action and gives the neuron's key :math:`k_i`. A fixed table of M queries
(sines and cosines, projected by a learned matrix) attends over the N keys, and the values
are the raw observations:

.. math::  m = \\tanh\\big(\\tanh(Q K^\\top / \\sqrt{d_k})\\, o\\big) \\in \\mathbb{R}^M,

Tang & Ha (2021), "The sensory neuron as a transformer", Eq. 3–4 and their Appendix A.2
(CartPole); the :math:`\\sqrt{d_k}` is our choice, not their CartPole configuration's.
Permuting the channels, together with their LSTM states, permutes the rows of
K and the entries of o alike, so the latent m does not change; a small policy reads the
action from m.

Everything here is NumPy and works on any leading batch axes, so one call steps a whole
CMA-ES population over many episodes at once (:mod:`brainformers.sensory.evolution`). Parameters
travel as one flat vector per policy (what CMA-ES searches over); a policy's ``unflatten``
turns a ``(n_policies, n_params)`` matrix into named arrays with a leading policy axis.
The order-blind controls it is compared with live in :mod:`brainformers.sensory.order_blind`.

Dimension names: ``n`` channels (sensory neurons), ``m`` queries, ``d_k`` key size,
``hidden`` LSTM units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from .. import _validate

__all__ = [
    "PRETRAINED_PATH",
    "AttentionNeuronPolicy",
    "LinearPolicy",
    "MLPPolicy",
    "fixed_query_attention",
    "load_pretrained",
    "sensory_lstm",
    "sinusoidal_table",
]

PRETRAINED_PATH = Path(str(files("brainformers") / "resources" / "attention_neuron_cartpole.json"))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the same function, without overflow warnings


def sinusoidal_table(n_rows: int, d: int) -> np.ndarray:
    """The sine–cosine table of Vaswani et al. (2017, Sec. 3.5), as a NumPy array.

    Row p holds :math:`\\sin(p / 10000^{2i/d})` in column 2i and the cosine in column
    2i + 1. Tang & Ha (2021) use it, projected by a learned matrix, as the AttentionNeuron's
    fixed queries; chapter 01's ``attention.sinusoidal_positions`` is the same table in torch.

    Returns
    -------
    (n_rows, d) float64 array.
    """
    _validate.positive_int("n_rows", n_rows)
    _validate.positive_int("d", d)
    if d % 2:
        raise ValueError(f"d must be even (sine–cosine pairs), got {d}")
    angle = np.arange(n_rows)[:, None] / 10000.0 ** (np.arange(0, d, 2) / d)  # (n_rows, d/2)
    table = np.empty((n_rows, d))
    table[:, 0::2], table[:, 1::2] = np.sin(angle), np.cos(angle)
    return table


def sensory_lstm(
    obs: np.ndarray,
    prev_action: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    w_x: np.ndarray,
    w_h: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One step of the LSTM shared by all sensory neurons, one state per neuron.

    Neuron i reads :math:`x_i = (o_i, a_{t-1})`, its own channel and the previous action
    (the same for every neuron), and updates its own state with shared weights (Tang & Ha
    2021, Eq. 3; the LSTM of Hochreiter & Schmidhuber 1997, gates in PyTorch's order):

    .. math:: z = x_i W_x + h_i W_h + b = [z_i, z_f, z_g, z_o], \\quad
              c_i' = \\sigma(z_f) c_i + \\sigma(z_i) \\tanh(z_g), \\quad
              h_i' = \\sigma(z_o) \\tanh(c_i').

    Parameters
    ----------
    obs : (..., n) observation channels.
    prev_action : (...) previous action, broadcast to every neuron.
    h, c : (..., n, hidden) each neuron's hidden and cell state.
    w_x : (2, 4 hidden); w_h : (hidden, 4 hidden); b : (4 hidden,). Extra leading axes that
        broadcast against ``obs[..., None, None]`` give each policy its own weights.

    Returns
    -------
    (h', c'), each (..., n, hidden).
    """
    obs = _validate.array("obs", obs, ndim=range(1, 8), dims="(..., n)")
    h = _validate.array("h", h, ndim=range(2, 9), dims="(..., n, hidden)")
    c = _validate.array("c", c, ndim=range(2, 9), dims="(..., n, hidden)")
    if h.shape != c.shape or h.shape[-2] != obs.shape[-1]:
        raise ValueError(
            f"h and c must both have shape (..., n, hidden) with n = {obs.shape[-1]} channels "
            f"of obs {obs.shape}, got h {h.shape} and c {c.shape}"
        )
    hidden = h.shape[-1]
    if w_x.shape[-2:] != (2, 4 * hidden) or w_h.shape[-2:] != (hidden, 4 * hidden):
        raise ValueError(
            f"w_x must end in (2, {4 * hidden}) and w_h in ({hidden}, {4 * hidden}) for "
            f"hidden = {hidden}, got w_x {w_x.shape} and w_h {w_h.shape}"
        )
    return _sensory_lstm(obs, np.asarray(prev_action, dtype=float), h, c, w_x, w_h, b)


def _sensory_lstm(obs, prev_action, h, c, w_x, w_h, b):  # unchecked: the policy's inner loop
    action = np.broadcast_to(prev_action[..., None], obs.shape)
    x = np.stack([obs, action], axis=-1)  # (..., n, 2): each neuron's own input
    z = x @ w_x + h @ w_h + b  # (..., n, 4 hidden)
    hidden = h.shape[-1]
    z_i, z_f, z_g, z_o = (z[..., k * hidden : (k + 1) * hidden] for k in range(4))
    c_new = _sigmoid(z_f) * c + _sigmoid(z_i) * np.tanh(z_g)
    return _sigmoid(z_o) * np.tanh(c_new), c_new


def fixed_query_attention(
    queries: np.ndarray, keys: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The AttentionNeuron's attention: :math:`m = \\tanh(\\tanh(QK^\\top/\\sqrt{d_k})\\,o)`.

    Tang & Ha (2021), Eq. 2 with the softmax replaced by tanh (their Sec. 3.2: weights
    need not sum to one) and tanh on the output. The division by :math:`\\sqrt{d_k}` is
    this course's choice, kept from chapter 01: Tang & Ha's CartPole configuration does not
    scale the scores (``pi_layer_scale=False`` in their code). The queries do not depend on
    the input, so reordering the keys and the values together leaves the latent unchanged.

    Parameters
    ----------
    queries : (..., m, d_k); keys : (..., n, d_k); values : (..., n), one scalar per key.

    Returns
    -------
    latent : (..., m); weights : (..., m, n), the tanh attention weights in [-1, 1].
    """
    queries = _validate.array("queries", queries, ndim=range(2, 9), dims="(..., m, d_k)")
    keys = _validate.array("keys", keys, ndim=range(2, 9), dims="(..., n, d_k)")
    values = _validate.array("values", values, ndim=range(1, 8), dims="(..., n)")
    if queries.shape[-1] != keys.shape[-1] or keys.shape[-2] != values.shape[-1]:
        raise ValueError(
            "queries (..., m, d_k), keys (..., n, d_k) and values (..., n) must agree on d_k "
            f"and n, got {queries.shape}, {keys.shape} and {values.shape}"
        )
    return _fixed_query_attention(queries, keys, values)


def _fixed_query_attention(queries, keys, values):  # unchecked: the policy's inner loop
    weights = np.tanh(queries @ np.swapaxes(keys, -1, -2) / np.sqrt(keys.shape[-1]))  # (..., m, n)
    return np.tanh((weights @ values[..., None])[..., 0]), weights


def _check_params(params: np.ndarray, n_params: int) -> np.ndarray:
    params = _validate.array("params", params, ndim=(1, 2), dims="(n_policies, n_params)")
    if params.shape[-1] != n_params:
        raise ValueError(f"params must end in n_params = {n_params}, got shape {params.shape}")
    return np.atleast_2d(params)


def _split(params: np.ndarray, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape))
        out[name] = params[:, start : start + size].reshape(len(params), *shape)
        start += size
    return out


class _FlatParameters:
    """What CMA-ES needs of a policy: its parameter count, and a flat vector taken apart.

    Subclasses set ``shapes``, the named weight arrays in the order the vector holds them.
    """

    shapes: dict[str, tuple[int, ...]]

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes.values())

    def unflatten(self, params: np.ndarray) -> dict[str, np.ndarray]:
        """Named weights, each with a leading policy axis, from (n_params,) or (P, n_params)."""
        return _split(_check_params(params, self.n_params), self.shapes)


@dataclass(frozen=True)
class AttentionNeuronPolicy(_FlatParameters):
    """Tang & Ha's (2021) CartPole agent, shrunk: sensory LSTM → fixed-query attention → action.

    ``hidden`` LSTM units per neuron, ``n_queries`` fixed queries built from a
    ``(n_queries, d_query)`` sine–cosine table times a learned ``(d_query, d_key)`` matrix,
    keys ``h W_k`` of size ``d_key``, and a linear read-out of the latent:
    push right when :math:`m \\cdot w + b > 0`. The previous action enters the LSTM as
    ±1 (0 before the first step). The defaults have 193 parameters (the paper's CartPole
    agent, with hidden 8 and a larger table, about 900). With ``continuous=True`` the
    action is the force :math:`\\tanh(m \\cdot w + b) \\in (-1, 1)`, as in Tang & Ha's
    swing-up agent (:mod:`brainformers.sensory.swingup`), and that value is the previous action.
    """

    hidden: int = 4
    n_queries: int = 16
    d_query: int = 4
    d_key: int = 8
    continuous: bool = False
    shapes: dict[str, tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("hidden", "n_queries", "d_query", "d_key"):
            _validate.positive_int(name, getattr(self, name))
        if not isinstance(self.continuous, bool):
            raise TypeError(f"continuous must be True or False, got {self.continuous!r}")
        h = self.hidden
        shapes = {
            "w_x": (2, 4 * h),
            "w_h": (h, 4 * h),
            "b": (4 * h,),
            "w_k": (h, self.d_key),
            "w_q": (self.d_query, self.d_key),
            "w_out": (self.n_queries,),
            "b_out": (1,),
        }
        object.__setattr__(self, "shapes", shapes)

    def initial_state(self, n_policies: int, n_episodes: int, n_channels: int) -> dict:
        """Zero LSTM states (P, E, n, hidden) and a zero previous action (P, E)."""
        zeros = np.zeros((n_policies, n_episodes, n_channels, self.hidden))
        return {"h": zeros, "c": zeros.copy(), "prev_action": np.zeros((n_policies, n_episodes))}

    def queries(self, weights: dict[str, np.ndarray]) -> np.ndarray:
        """The fixed queries Q = table · W_q, shape (P, m, d_key): they never see the input."""
        return self.table @ weights["w_q"]

    @property
    def table(self) -> np.ndarray:
        """The (n_queries, d_query) sine–cosine table the queries are projected from."""
        return sinusoidal_table(self.n_queries, self.d_query)

    def step(
        self, weights: dict[str, np.ndarray], obs: np.ndarray, state: dict
    ) -> tuple[np.ndarray, dict, dict[str, np.ndarray]]:
        """One action for every policy and episode.

        Parameters
        ----------
        weights : from :meth:`unflatten` (P policies).
        obs : (P, E, n) observations, channels in any order.
        state : from :meth:`initial_state` or the previous step.

        Returns
        -------
        action : (P, E) int array of 0 (push left) or 1 (push right); with ``continuous``,
            a float array of forces in (−1, 1).
        state : the new state.
        extras : ``latent`` (P, E, m) and ``weights`` (P, E, m, n), for plots.
        """
        w = {k: v[:, None] for k, v in weights.items()}  # a policy axis that spans episodes
        h, c = _sensory_lstm(
            obs, state["prev_action"], state["h"], state["c"], w["w_x"], w["w_h"], w["b"][:, None]
        )
        keys = h @ w["w_k"]  # (P, E, n, d_key)
        latent, attention = _fixed_query_attention(self.queries(weights)[:, None], keys, obs)
        out = np.einsum("pem,pm->pe", latent, weights["w_out"]) + weights["b_out"]
        if self.continuous:
            action = np.tanh(out)
            new_state = {"h": h, "c": c, "prev_action": action}
        else:
            action = (out > 0).astype(int)
            new_state = {"h": h, "c": c, "prev_action": 2.0 * action - 1.0}
        return action, new_state, {"latent": latent, "weights": attention}


@dataclass(frozen=True)
class MLPPolicy(_FlatParameters):
    """A multilayer perceptron n-``hidden``-1 with tanh units: push right when its output > 0.

    Each input unit is wired to one observation channel, so the policy depends on their
    order: the control for the AttentionNeuron. 4-16-1 has 97 parameters.
    """

    n_inputs: int = 4
    hidden: int = 16
    shapes: dict[str, tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _validate.positive_int("n_inputs", self.n_inputs)
        _validate.positive_int("hidden", self.hidden)
        shapes = {
            "w1": (self.n_inputs, self.hidden),
            "b1": (self.hidden,),
            "w2": (self.hidden,),
            "b2": (1,),
        }
        object.__setattr__(self, "shapes", shapes)

    def initial_state(self, n_policies: int, n_episodes: int, n_channels: int) -> dict:
        """No state: an MLP reacts to the present observation only."""
        if n_channels != self.n_inputs:
            raise ValueError(f"this MLP reads {self.n_inputs} channels, got {n_channels}")
        return {}

    def step(
        self, weights: dict[str, np.ndarray], obs: np.ndarray, state: dict
    ) -> tuple[np.ndarray, dict, dict[str, np.ndarray]]:
        """Actions (P, E) from observations (P, E, n_inputs); see AttentionNeuronPolicy.step."""
        hidden = np.tanh(obs @ weights["w1"] + weights["b1"][:, None])  # (P, E, hidden)
        out = np.einsum("peh,ph->pe", hidden, weights["w2"]) + weights["b2"]
        return (out > 0).astype(int), state, {}


@dataclass(frozen=True)
class LinearPolicy(_FlatParameters):
    """Push right when :math:`w \\cdot o > 0`: a fixed linear controller (no learning)."""

    gains: tuple[float, ...]
    shapes: dict[str, tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shapes", {"w": (len(self.gains),)})

    @property
    def params(self) -> np.ndarray:
        """The controller's own gains as a parameter vector."""
        return np.asarray(self.gains, dtype=float)

    def initial_state(self, n_policies: int, n_episodes: int, n_channels: int) -> dict:
        """No state."""
        return {}

    def step(
        self, weights: dict[str, np.ndarray], obs: np.ndarray, state: dict
    ) -> tuple[np.ndarray, dict, dict[str, np.ndarray]]:
        """Actions (P, E) from observations (P, E, n)."""
        return (np.einsum("pen,pn->pe", obs, weights["w"]) > 0).astype(int), state, {}


def load_pretrained(
    path: Path | str | None = None,
) -> tuple[AttentionNeuronPolicy, np.ndarray, Any]:
    """The AttentionNeuron trained by ``utils/train_attention_neuron.py``, with its record.

    Returns
    -------
    policy : the architecture it was trained with.
    params : (n_params,) float64 parameter vector.
    record : dict with the training recipe and the script's own evaluation.
    """
    record = json.loads(Path(path or PRETRAINED_PATH).read_text(encoding="utf-8"))
    policy = AttentionNeuronPolicy(**record["architecture"])
    params = np.asarray(record["params"], dtype=float)
    if params.shape != (policy.n_params,):
        raise ValueError(f"{path}: expected {policy.n_params} parameters, got {params.shape}")
    return policy, params, record
