"""What CartPole-v1 and the swing-up share: their state checks and the lockstep rollout loop.

Both keep a cart-pole state (x, ẋ, θ, θ̇) in the last axis and one action per state. In
the loop, P policies × E episodes advance together, one array operation per time step; a
finished episode stops earning. What differs between the tasks (start states, what the
agent sees, the physics and the reward) comes in as functions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _validate


def cart_pole_state(name: str, state: object) -> np.ndarray:
    """``state`` as a float array (..., 4) of (x, ẋ, θ, θ̇), or a ValueError that says why not."""
    state = _validate.array(name, state, ndim=range(1, 8), dims="(..., 4)")
    if state.shape[-1] != 4:
        raise ValueError(f"{name} must end in 4 variables (x, ẋ, θ, θ̇), got shape {state.shape}")
    return state


def per_state(
    name: str, values: object, state: np.ndarray, dtype: type | None = None
) -> np.ndarray:
    """``values`` (an action or a force) as an array with one entry per state of ``state``."""
    values = np.asarray(values, dtype=dtype)
    if values.shape != state.shape[:-1]:
        raise ValueError(f"{name} must have shape {state.shape[:-1]}, got {values.shape}")
    return values


def lockstep_returns(
    policy,
    params: np.ndarray,
    n_episodes: int,
    rng: np.random.Generator,
    *,
    start: Callable[[tuple[int, ...], np.random.Generator], np.ndarray],
    observe: Callable[[np.ndarray], np.ndarray],
    advance: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    n_observations: int,
    max_steps: int,
    shuffle: bool,
    reshuffle_every: int | None,
    n_noise: int,
    noise_std: float,
) -> np.ndarray:
    """(P,) mean return per policy; see :func:`brainformers.sensory.cartpole.rollout_returns`.

    ``start(shape, rng)`` draws (*shape, d) states, ``observe(state)`` gives the
    (..., n_observations) channels the agent reads, and ``advance(state, action)`` returns
    the new state, where it terminated and the reward of the step.
    """
    _validate.positive_int("n_episodes", n_episodes)
    _validate.positive_int("max_steps", max_steps)
    _validate.numpy_generator("rng", rng)
    if n_noise < 0 or int(n_noise) != n_noise:
        raise ValueError(f"n_noise must be a whole number ≥ 0, got {n_noise!r}")
    _validate.positive_float("noise_std", noise_std)
    if reshuffle_every is not None:
        _validate.positive_int("reshuffle_every", reshuffle_every)
        if not shuffle:
            raise ValueError("reshuffle_every needs shuffle=True")
    weights = policy.unflatten(params)
    n_policies = len(next(iter(weights.values())))
    n_channels = n_observations + n_noise
    shape = (n_policies, n_episodes)
    first = start((1, n_episodes), rng)
    state = np.broadcast_to(first, (*shape, first.shape[-1]))

    def order() -> np.ndarray:
        return rng.permuted(
            np.broadcast_to(np.arange(n_channels), (n_episodes, n_channels)), axis=1
        )

    permutation = order()
    memory = policy.initial_state(n_policies, n_episodes, n_channels)
    alive = np.ones(shape, dtype=bool)
    returns = np.zeros(shape)
    for t in range(max_steps):
        if reshuffle_every and t > 0 and t % reshuffle_every == 0:
            permutation = order()
        obs = observe(state)
        if n_noise:
            noise = noise_std * rng.standard_normal((1, n_episodes, n_noise))
            obs = np.concatenate([obs, np.broadcast_to(noise, (*shape, n_noise))], axis=-1)
        if shuffle:
            obs = np.take_along_axis(obs, permutation[None], axis=-1)
        action, memory, _ = policy.step(weights, obs, memory)
        state, terminated, reward = advance(state, action)
        returns += np.where(alive, reward, 0.0)
        alive &= ~terminated
        if not alive.any():
            break
    return returns.mean(axis=1)
