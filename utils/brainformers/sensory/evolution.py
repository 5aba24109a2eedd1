"""Training policies without gradients: CMA-ES on simulated CartPole and swing-up returns.

Tang & Ha (2021, Sec. 4) train their AttentionNeuron agents with CMA-ES (Hansen &
Ostermeier 2001; the ``cma`` package, Hansen et al. 2019): sample a population of parameter
vectors from a Gaussian, score each by its mean return over a few episodes, and move the
Gaussian's mean and covariance towards the better ones. No gradient passes through the
policy, so its hard action threshold and the environment need not be differentiable.
"""

from __future__ import annotations

from collections.abc import Callable

import cma
import numpy as np

from .. import _validate
from . import cartpole, swingup

__all__ = ["evolve", "train", "train_on_cartpole", "train_on_swingup"]


def evolve(
    fitness: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    sigma0: float,
    popsize: int,
    n_generations: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Maximise ``fitness`` with CMA-ES, using ``cma``'s ask-and-tell interface.

    Each generation asks for ``popsize`` candidates, scores them all with one call
    ``fitness(candidates)`` and tells CMA-ES the *negated* scores (it minimises).

    Parameters
    ----------
    fitness : maps a (popsize, dim) array of candidates to (popsize,) scores, higher better.
    x0 : (dim,) initial mean; sigma0 : initial step size.
    seed : seeds CMA-ES's sampling; ``cma`` reads 0 as "seed from the clock", so it is
        given ``seed + 1``.

    Returns
    -------
    params : (dim,) the final mean of the search distribution (with noisy scores more
        reliable than the single best candidate ever seen).
    best : (n_generations,) the best score in each generation.
    """
    x0 = _validate.array("x0", x0, ndim=1, dims="(dim,)")
    _validate.positive_float("sigma0", sigma0)
    _validate.positive_int("popsize", popsize)
    _validate.positive_int("n_generations", n_generations)
    seed = _validate.seed(seed)
    options = {"popsize": popsize, "seed": seed + 1, "verbose": -9}
    es = cma.CMAEvolutionStrategy(x0, sigma0, options)
    best = np.empty(n_generations)
    for generation in range(n_generations):
        candidates = np.asarray(es.ask())  # (popsize, dim)
        scores = np.asarray(fitness(candidates), dtype=float)
        if scores.shape != (popsize,):
            raise ValueError(f"fitness must return ({popsize},) scores, got {scores.shape}")
        es.tell(list(candidates), list(-scores))
        best[generation] = scores.max()
    return np.asarray(es.mean, dtype=float), best


def train(
    task: str,
    policy,
    *,
    n_generations: int,
    seed: int,
    popsize: int = 32,
    n_rollouts: int = 8,
    sigma0: float = 0.5,
    shuffle: bool = False,
    reshuffle_every: int | None = None,
    n_noise: int = 0,
    noise_std: float | None = None,
    evolve_fn: Callable = evolve,
) -> tuple[np.ndarray, np.ndarray]:
    """Train ``policy`` with CMA-ES on a simulated cart-pole task, ``"cartpole"`` or ``"swingup"``.

    ``"cartpole"`` is CartPole-v1 (:func:`.cartpole.rollout_returns`); ``"swingup"`` is
    Tang & Ha's (2021) harder swing-up (:func:`.swingup.rollout_returns`), which needs a
    policy with continuous actions (``AttentionNeuronPolicy(continuous=True)``).

    Every generation scores each candidate by its mean return over ``n_rollouts`` new
    episodes, the same episodes for every candidate of that generation, all drawn from
    ``numpy.random.default_rng(seed)``. The search starts from all-zero parameters.
    ``shuffle``, ``reshuffle_every``, ``n_noise`` and ``noise_std`` (``None``: the task's
    default, 0.1) are the rollout's training conditions;
    ``evolve_fn`` is :func:`evolve` or a student's version of it.

    Returns
    -------
    params : (n_params,); best : (n_generations,) best mean return per generation.
    """
    if task not in _ROLLOUTS:
        raise ValueError(f"task must be one of {sorted(_ROLLOUTS)}, got {task!r}")
    rollout = _ROLLOUTS[task]
    rng = np.random.default_rng(_validate.seed(seed))
    noise = {} if noise_std is None else {"noise_std": noise_std}

    def fitness(candidates: np.ndarray) -> np.ndarray:
        return rollout(
            policy,
            candidates,
            n_rollouts,
            rng,
            shuffle=shuffle,
            reshuffle_every=reshuffle_every,
            n_noise=n_noise,
            **noise,
        )

    x0 = np.zeros(policy.n_params)
    return evolve_fn(fitness, x0, sigma0, popsize, n_generations, seed)


def train_on_cartpole(policy, **options) -> tuple[np.ndarray, np.ndarray]:
    """:func:`train` on CartPole-v1; ``options`` are :func:`train`'s keyword arguments."""
    return train("cartpole", policy, **options)


def train_on_swingup(policy, **options) -> tuple[np.ndarray, np.ndarray]:
    """:func:`train` on the swing-up; ``options`` are :func:`train`'s keyword arguments."""
    return train("swingup", policy, **options)


_ROLLOUTS: dict[str, Callable[..., np.ndarray]] = {
    "cartpole": cartpole.rollout_returns,
    "swingup": swingup.rollout_returns,
}
