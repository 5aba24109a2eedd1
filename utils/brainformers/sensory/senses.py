"""Shuffled senses: observations whose channels arrive in a new order, and tests under it.

Tang & Ha (2021) ask whether an agent keeps working when its sensory channels are
permuted, at the start of an episode or in the middle of one. :class:`ShuffledObservations`
is that manipulation as a ``gymnasium`` wrapper; :func:`evaluate_on_gymnasium` runs a
policy from :mod:`brainformers.sensory.attention_neuron` on the real ``gymnasium`` CartPole-v1,
many episodes in lockstep, with or without it.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import gymnasium
import numpy as np

from .. import _validate
from .attention_neuron import LinearPolicy

__all__ = [
    "CONDITIONS",
    "Condition",
    "ShuffledObservations",
    "evaluate_on_gymnasium",
    "linear_returns_over_orderings",
]


class ShuffledObservations(gymnasium.Wrapper):
    """Permute the observation vector: a new order at every reset and, optionally, every K steps.

    The observation the agent sees is ``obs[permutation]``: entry j is channel
    ``permutation[j]`` of the environment. ``reset`` draws a new permutation; with
    ``every = K`` the observation returned by the K-th, 2K-th, … ``step`` since the reset
    comes in yet another new order. Actions pass through untouched. All draws come from
    ``rng``.

    Parameters
    ----------
    env : an environment with a 1-D ``Box`` observation space.
    rng : numpy.random.Generator for the permutations.
    every : reshuffle every ``every`` steps; ``None`` keeps one order per episode.
    """

    def __init__(self, env: gymnasium.Env, rng: np.random.Generator, every: int | None = None):
        super().__init__(env)
        self.rng = _validate.numpy_generator("rng", rng)
        if every is not None:
            _validate.positive_int("every", every)
        shape = env.observation_space.shape
        if shape is None or len(shape) != 1:
            raise ValueError(f"env must have a 1-D observation space, got shape {shape}")
        self.every = every
        self.permutation = np.arange(shape[0])
        self.steps = 0

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict]:
        obs, info = self.env.reset(**kwargs)
        self.permutation = self.rng.permutation(len(obs))
        self.steps = 0
        return obs[self.permutation], info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        if self.every is not None and self.steps % self.every == 0:
            self.permutation = self.rng.permutation(len(obs))
        return obs[self.permutation], reward, terminated, truncated, info


class Condition(NamedTuple):
    """How the senses are shuffled during a test: ``shuffle`` at all, and reshuffle ``every``."""

    label: str
    shuffle: bool
    every: int | None


CONDITIONS = {
    "unshuffled": Condition("no shuffle", False, None),
    "shuffled_per_episode": Condition("new order each episode", True, None),
    "reshuffled_every_100_steps": Condition("reshuffled every 100 steps", True, 100),
    "reshuffled_every_25_steps": Condition("reshuffled every 25 steps", True, 25),
    "reshuffled_every_step": Condition("reshuffled every step", True, 1),
}


def evaluate_on_gymnasium(
    policy,
    params: np.ndarray,
    n_episodes: int,
    seed: int,
    *,
    shuffle: bool = False,
    every: int | None = None,
    wrapper: type = ShuffledObservations,
    record: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Returns of one policy over ``n_episodes`` episodes of the real CartPole-v1.

    Episode i starts from ``env.reset(seed=...)`` with a seed derived from (``seed``, i);
    with ``shuffle`` each episode's environment is wrapped in ``wrapper(env, rng, every)``
    with its own generator, derived the same way. The policy acts on all live episodes at
    once.

    Parameters
    ----------
    policy, params : a policy from :mod:`brainformers.sensory.attention_neuron` and its (n_params,)
        parameter vector.
    record : also return, for episode 0, every step's observation ``obs`` (T, n), the
        ``permutation`` (T, n) in force, the ``action`` (T,) and the policy's extras
        (``latent`` (T, m) and attention ``weights`` (T, m, n) for an AttentionNeuron).

    Returns
    -------
    returns : (n_episodes,) float array, each at most 500.
    trace : the record of episode 0, or None.
    """
    _validate.positive_int("n_episodes", n_episodes)
    seed = _validate.seed(seed)
    if every is not None and not shuffle:
        raise ValueError("every needs shuffle=True")
    params = _validate.array("params", params, ndim=1, dims="(n_params,)")
    weights = policy.unflatten(params)
    seeds = np.random.SeedSequence(seed).spawn(n_episodes)
    envs, obs = [], []
    for sequence in seeds:
        env = gymnasium.make("CartPole-v1")
        reset_seed, wrapper_seed = (int(s) for s in sequence.generate_state(2))
        if shuffle:
            env = wrapper(env, np.random.default_rng(wrapper_seed), every)
        obs.append(env.reset(seed=reset_seed)[0])
        envs.append(env)
    obs = np.asarray(obs, dtype=np.float64)[None]  # (1, E, n)
    memory = policy.initial_state(1, n_episodes, obs.shape[-1])
    alive = np.ones(n_episodes, dtype=bool)
    returns = np.zeros(n_episodes)
    trace: dict[str, list] = {"obs": [], "permutation": [], "action": []}
    while alive.any():
        action, memory, extras = policy.step(weights, obs, memory)
        if record and alive[0]:
            trace["obs"].append(obs[0, 0].copy())
            trace["permutation"].append(
                np.array(getattr(envs[0], "permutation", range(obs.shape[-1])))
            )
            trace["action"].append(int(action[0, 0]))
            for name, value in extras.items():
                trace.setdefault(name, []).append(value[0, 0].copy())
        for i in np.flatnonzero(alive):
            new_obs, reward, terminated, truncated, _ = envs[i].step(int(action[0, i]))
            obs[0, i] = new_obs
            returns[i] += reward
            alive[i] = not (terminated or truncated)
    for env in envs:
        env.close()
    return returns, ({k: np.asarray(v) for k, v in trace.items()} if record else None)


def linear_returns_over_orderings(
    gains: np.ndarray, n_episodes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Returns of a fixed linear controller when its inputs come in each possible order.

    For every permutation π of the n channels the controller reads ``obs[π]`` where it
    expects ``obs``: it pushes right when Σ_j w_j o_{π(j)} > 0, which is the controller with
    gains w moved to the positions π. Each ordering is run for ``n_episodes`` episodes of
    the real CartPole-v1 (the same start states for every ordering).

    Returns
    -------
    orderings : (n!, n) the permutations, in ``itertools.permutations`` order.
    returns : (n!, n_episodes).
    """
    gains = _validate.array("gains", gains, ndim=1, dims="(n,)")
    orderings = np.array(list(itertools.permutations(range(len(gains)))))
    policy = LinearPolicy(tuple(gains))
    returns = []
    for ordering in orderings:
        moved = np.empty_like(gains)
        moved[ordering] = gains
        returns.append(evaluate_on_gymnasium(policy, moved, n_episodes, seed)[0])
    return orderings, np.asarray(returns)
