"""CartPole-v1 physics in NumPy, for thousands of episodes at once.

The equations, constants and termination rule of ``gymnasium``'s CartPole-v1 (Barto,
Sutton & Anderson 1983; gymnasium's code cites Florian's 2005 note for the equations),
written over arrays so that one call advances a whole CMA-ES population's rollouts by one
time step. The state is (cart position x in m, cart velocity in m/s, pole angle θ in rad,
pole angular velocity in rad/s); an episode ends when |x| > 2.4 m or |θ| > 12°, or after
500 steps; every step, the last one included, earns a reward of 1.
``tests/test_cartpole.py`` checks the states against ``gymnasium`` step by step.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate
from ._rollouts import cart_pole_state, lockstep_returns, per_state

__all__ = ["MAX_STEPS", "NOISE_STD", "initial_states", "lqr_gains", "rollout_returns", "step"]

GRAVITY, MASS_CART, MASS_POLE, HALF_LENGTH = 9.8, 1.0, 0.1, 0.5  # m/s², kg, kg, m
FORCE, TAU = 10.0, 0.02  # N, s per step
X_LIMIT, THETA_LIMIT = 2.4, 12 * 2 * math.pi / 360  # m, rad
MAX_STEPS = 500  # CartPole-v1's time limit: the largest return
NOISE_STD = 0.1  # noise channels, as in Tang & Ha's (2021) tests with extra channels
_TOTAL_MASS = MASS_CART + MASS_POLE
_POLEMASS_LENGTH = MASS_POLE * HALF_LENGTH


def initial_states(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Start states as ``reset`` draws them: each variable uniform in [-0.05, 0.05].

    Returns
    -------
    (*shape, 4) float64 array.
    """
    _validate.numpy_generator("rng", rng)
    return rng.uniform(-0.05, 0.05, size=(*shape, 4))


def step(state: np.ndarray, action: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Advance every cart-pole by one Euler step of 0.02 s.

    Parameters
    ----------
    state : (..., 4) float array (x, ẋ, θ, θ̇).
    action : (...) array of 0 (push left, −10 N) or 1 (push right, +10 N).

    Returns
    -------
    new_state : (..., 4); terminated : (...) bool, True where the new state is out of bounds.
    """
    state = cart_pole_state("state", state)
    return _step(state, per_state("action", action, state))


def _step(state: np.ndarray, action: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
    force = np.where(action == 1, FORCE, -FORCE)
    cos, sin = np.cos(theta), np.sin(theta)
    # The operations in gymnasium's order, so that the states agree to the last bit or two.
    temp = (force + _POLEMASS_LENGTH * np.square(theta_dot) * sin) / _TOTAL_MASS
    theta_acc = (GRAVITY * sin - cos * temp) / (
        HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(cos) / _TOTAL_MASS)
    )
    x_acc = temp - _POLEMASS_LENGTH * theta_acc * cos / _TOTAL_MASS
    new = np.stack(
        [
            x + TAU * x_dot,
            x_dot + TAU * x_acc,
            theta + TAU * theta_dot,
            theta_dot + TAU * theta_acc,
        ],
        axis=-1,
    )
    terminated = (np.abs(new[..., 0]) > X_LIMIT) | (np.abs(new[..., 2]) > THETA_LIMIT)
    return new, terminated


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
    """Returns of every policy over ``n_episodes`` simulated CartPole-v1 episodes each.

    All P × E episodes run in lockstep; a finished episode stops counting. The policy
    sees float32-rounded observations, as from ``gymnasium``, optionally followed by
    ``n_noise`` channels of Gaussian noise of standard deviation ``noise_std``, drawn anew
    every step. With ``shuffle`` the channels come in a
    new random order in every episode and, with ``reshuffle_every = K``, in yet another
    order every K steps (from step K on, as :class:`.senses.ShuffledObservations`). All
    draws come from ``rng``; every policy faces the same start states, orders and noise
    (common random numbers, so that CMA-ES compares candidates on equal terms).

    Parameters
    ----------
    policy : an :mod:`brainformers.sensory.attention_neuron` policy (``unflatten``,
        ``initial_state``, ``step``).
    params : (P, n_params) one parameter vector per policy.
    n_episodes : episodes per policy.

    Returns
    -------
    (P,) mean return per policy.
    """

    def advance(state: np.ndarray, action: np.ndarray):
        new, terminated = _step(state, action)
        return new, terminated, 1.0

    return lockstep_returns(
        policy,
        params,
        n_episodes,
        rng,
        start=initial_states,
        observe=lambda state: state.astype(np.float32).astype(np.float64),
        advance=advance,
        n_observations=4,
        max_steps=max_steps,
        shuffle=shuffle,
        reshuffle_every=reshuffle_every,
        n_noise=n_noise,
        noise_std=noise_std,
    )


def lqr_gains(state_cost: float = 1.0, force_cost: float = 1.0) -> np.ndarray:
    """Gains w of the linear-quadratic regulator of the upright cart-pole: push right when w·s > 0.

    The continuous-time dynamics are linearised at the upright rest state (finite
    differences of :func:`step`'s accelerations), and the Riccati equation of the cost
    ∫ (``state_cost`` |s|² + ``force_cost`` F²) dt is solved with SciPy; the optimal force
    is F = w·s. CartPole-v1 only allows ±10 N, so the controller applies the sign of that
    force: a fixed, hand-derived policy with no learning, the chapter's linear control.

    Returns
    -------
    (4,) gains for (x, ẋ, θ, θ̇).
    """
    from scipy.linalg import solve_continuous_are

    _validate.positive_float("state_cost", state_cost)
    _validate.positive_float("force_cost", force_cost)

    def derivative(s: np.ndarray, force: float) -> np.ndarray:
        x_dot, theta, theta_dot = s[1], s[2], s[3]
        cos, sin = np.cos(theta), np.sin(theta)
        temp = (force + _POLEMASS_LENGTH * theta_dot**2 * sin) / _TOTAL_MASS
        theta_acc = (GRAVITY * sin - cos * temp) / (
            HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * cos**2 / _TOTAL_MASS)
        )
        x_acc = temp - _POLEMASS_LENGTH * theta_acc * cos / _TOTAL_MASS
        return np.array([x_dot, x_acc, theta_dot, theta_acc])

    eps, rest = 1e-6, np.zeros(4)
    a = np.column_stack(
        [
            (derivative(rest + eps * e, 0.0) - derivative(rest - eps * e, 0.0)) / (2 * eps)
            for e in np.eye(4)
        ]
    )
    b = ((derivative(rest, eps) - derivative(rest, -eps)) / (2 * eps))[:, None]
    riccati = solve_continuous_are(a, b, state_cost * np.eye(4), force_cost * np.eye(1))
    return -(b.T @ riccati / force_cost)[0]  # F = -R⁻¹ Bᵀ P s
