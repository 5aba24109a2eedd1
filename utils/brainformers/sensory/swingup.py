"""Cart-pole swing-up in NumPy: the harder task of Tang & Ha's (2021) CartPole agent.

The pole starts hanging down, and the agent must swing it up and keep it upright near the
middle of the track, pushing the cart with a continuous force. Tang & Ha (2021, Sec. 4.1
and their Appendix A.2) use the "CartPoleSwingUpHarder" version of the swing-up task of
Ha's earlier work: a uniform pole of length ``POLE_LENGTH`` on a cart, friction on the
cart, Euler steps of 0.01 s, 1,000 steps per episode, ended early if the cart leaves the
track (|x| > 2.4 m), and start states drawn widely (cart anywhere on the track, velocities
up to 10 m/s and 10 rad/s, the pole within 90° of hanging straight down). The agent sees
five channels, (x, ẋ, cos θ, sin θ, θ̇), with θ = 0 upright, and each step earns

.. math::  r = \\tfrac12 (1 + \\cos\\theta)\\, \\cos\\!\\big(\\tfrac{\\pi}{2}\\, x / 2.4\\big),

1 with the pole upright over the centre and 0 with it hanging, so the best return is
about 1,000. Their test with extra channels appends channels of Gaussian noise (standard
deviation 0.1), which the attention has to learn to ignore.

The equations of motion are those of a uniform rod on a cart (Lagrange's equations, with
the force and the cart's friction as generalised forces); ``tests/test_swingup.py``
checks them against a direct solution of the Lagrangian's 2 × 2 mass-matrix system and
against the small-oscillation frequency of the hanging pole.
"""

from __future__ import annotations

import math
from typing import Any

import gymnasium
import numpy as np

from .. import _validate
from ._rollouts import cart_pole_state, lockstep_returns, per_state

__all__ = [
    "MAX_STEPS",
    "N_OBSERVATIONS",
    "NOISE_STD",
    "CartPoleSwingUp",
    "accelerations",
    "initial_states",
    "observe",
    "reward",
    "rollout_returns",
    "step",
]

GRAVITY, MASS_CART, MASS_POLE, POLE_LENGTH = 9.82, 0.5, 0.5, 0.6  # m/s², kg, kg, m
FRICTION = 0.1  # N s/m, on the cart
FORCE, TAU = 10.0, 0.01  # N at action ±1, s per step
X_LIMIT = 2.4  # m
MAX_STEPS = 1000
N_OBSERVATIONS = 5  # x, ẋ, cos θ, sin θ, θ̇
NOISE_STD = 0.1  # the noise channels of Tang & Ha's test
_TOTAL_MASS = MASS_CART + MASS_POLE
# How widely the harder version draws the start: ± these around (0, 0, π, 0).
_START_SPREAD = np.array([X_LIMIT, 10.0, math.pi / 2, 10.0])


def initial_states(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Start states of the harder swing-up: x, ẋ, θ − π, θ̇ uniform within ± (2.4, 10, π/2, 10).

    Returns
    -------
    (*shape, 4) float64 array (x in m, ẋ in m/s, θ in rad with 0 upright, θ̇ in rad/s).
    """
    _validate.numpy_generator("rng", rng)
    state = rng.uniform(-1.0, 1.0, size=(*shape, 4)) * _START_SPREAD
    state[..., 2] += math.pi
    return state


def accelerations(
    state: np.ndarray, force: np.ndarray, friction: float = FRICTION
) -> tuple[np.ndarray, np.ndarray]:
    """Cart and pole accelerations (ẍ in m/s², θ̈ in rad/s²) of a uniform rod on a cart.

    With M the cart's mass, m and L the pole's mass and length, F the force, b the
    cart's friction, s = sin θ and c = cos θ, solving Lagrange's two equations for the
    accelerations gives

    ẍ = (4F − 4bẋ − 2mL s θ̇² + 3mg s c) / (4(M + m) − 3m c²),
    θ̈ = (6(M + m) g s + 6(F − bẋ) c − 3mL s c θ̇²) / (L (4(M + m) − 3m c²)).

    Parameters
    ----------
    state : (..., 4) float array (x, ẋ, θ, θ̇).
    force : (...) force in N.
    friction : b in N s/m.
    """
    state = cart_pole_state("state", state)
    force = per_state("force", force, state, dtype=float)
    if friction < 0:
        raise ValueError(f"friction must be ≥ 0, got {friction}")
    return _accelerations(state, force, friction)


def _accelerations(state, force, friction):  # unchecked: the rollout's inner loop
    _, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
    sin, cos = np.sin(theta), np.cos(theta)
    m, length = MASS_POLE, POLE_LENGTH
    denominator = 4 * _TOTAL_MASS - 3 * m * cos**2
    push = force - friction * x_dot
    x_acc = (4 * push - 2 * m * length * sin * theta_dot**2 + 3 * m * GRAVITY * sin * cos) / (
        denominator
    )
    theta_acc = (
        6 * _TOTAL_MASS * GRAVITY * sin + 6 * push * cos - 3 * m * length * sin * cos * theta_dot**2
    ) / (length * denominator)
    return x_acc, theta_acc


def step(state: np.ndarray, action: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Advance every cart-pole by one Euler step of 0.01 s.

    Positions move with the old velocities, then the velocities with the accelerations at
    the old state (the update of the reference task).

    Parameters
    ----------
    state : (..., 4) float array (x, ẋ, θ, θ̇).
    action : (...) float array; clipped to [−1, 1] and scaled to ±10 N.

    Returns
    -------
    new_state : (..., 4); terminated : (...) bool, True where the cart has left the track;
    reward : (...) the reward of the new state (:func:`reward`).
    """
    state = cart_pole_state("state", state)
    action = per_state("action", action, state, dtype=float)
    if not np.isfinite(action).all():
        raise ValueError("action must be finite")
    return _step(state, action)


def _step(state, action):
    x_acc, theta_acc = _accelerations(state, FORCE * np.clip(action, -1.0, 1.0), FRICTION)
    x, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
    new = np.stack(
        [
            x + TAU * x_dot,
            x_dot + TAU * x_acc,
            theta + TAU * theta_dot,
            theta_dot + TAU * theta_acc,
        ],
        axis=-1,
    )
    return new, np.abs(new[..., 0]) > X_LIMIT, _reward(new)


def reward(state: np.ndarray) -> np.ndarray:
    """½(1 + cos θ) · cos(π x / (2 · 2.4)) for every state (..., 4): 1 upright at the centre."""
    return _reward(cart_pole_state("state", state))


def _reward(state):
    return 0.5 * (1.0 + np.cos(state[..., 2])) * np.cos(0.5 * math.pi * state[..., 0] / X_LIMIT)


def observe(state: np.ndarray) -> np.ndarray:
    """What the agent sees of each state (..., 4): (..., 5) channels (x, ẋ, cos θ, sin θ, θ̇)."""
    return _observe(cart_pole_state("state", state))


def _observe(state):
    x, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
    return np.stack([x, x_dot, np.cos(theta), np.sin(theta), theta_dot], axis=-1)


def rollout_returns(
    policy,
    params: np.ndarray,
    n_episodes: int,
    rng: np.random.Generator,
    *,
    shuffle: bool = False,
    reshuffle_every: int | None = None,
    n_noise: int = 0,
    noise_std: float = NOISE_STD,
    max_steps: int = MAX_STEPS,
) -> np.ndarray:
    """Returns of every policy over ``n_episodes`` simulated swing-up episodes each.

    As :func:`brainformers.sensory.cartpole.rollout_returns` (lockstep episodes, common random
    numbers, shuffles and reshuffles), with the five channels of :func:`observe` followed
    by ``n_noise`` channels of Gaussian noise of standard deviation ``noise_std``, and the
    swing-up's reward summed over up to ``max_steps`` steps.

    Parameters
    ----------
    policy : a policy with continuous actions, e.g.
        ``AttentionNeuronPolicy(continuous=True)``.
    params : (P, n_params) one parameter vector per policy.

    Returns
    -------
    (P,) mean return per policy (at most about ``max_steps``).
    """
    if not getattr(policy, "continuous", False):
        raise ValueError(
            "the swing-up needs a force in [-1, 1], not push left / push right: use a policy "
            f"with continuous actions, e.g. AttentionNeuronPolicy(continuous=True), got {policy!r}"
        )
    return lockstep_returns(
        policy,
        params,
        n_episodes,
        rng,
        start=initial_states,
        observe=_observe,
        advance=_step,
        n_observations=N_OBSERVATIONS,
        max_steps=max_steps,
        shuffle=shuffle,
        reshuffle_every=reshuffle_every,
        n_noise=n_noise,
        noise_std=noise_std,
    )


class CartPoleSwingUp(gymnasium.Env):
    """The same swing-up as a ``gymnasium`` environment, for wrappers and single episodes.

    Observation: the five channels of :func:`observe` (float64); action: a (1,) force in
    [−1, 1]; reward as :func:`reward`; ``terminated`` when the cart leaves the track,
    ``truncated`` after ``MAX_STEPS`` steps. ``reset(seed=...)`` draws the start state with
    :func:`initial_states`.
    """

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        high = np.full(N_OBSERVATIONS, np.inf)
        self.observation_space = gymnasium.spaces.Box(-high, high, dtype=np.float64)
        self.action_space = gymnasium.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self.state: np.ndarray | None = None
        self._t = 0

    def reset(
        self, *, seed: int | None = None, options: dict | None = None
    ) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.state = initial_states((), self.np_random)
        self._t = 0
        return observe(self.state), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self.state is None:
            raise RuntimeError("call reset() before step()")
        force = np.asarray(action, dtype=float).reshape(-1)
        if force.shape != (1,):
            raise ValueError(f"action must be one force in [-1, 1], got shape {force.shape}")
        self.state, terminated, r = step(self.state, force[0])
        self._t += 1
        return observe(self.state), float(r), bool(terminated), self._t >= MAX_STEPS, {}
