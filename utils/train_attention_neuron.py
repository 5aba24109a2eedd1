"""Train the AttentionNeuron that ships with the library, and save it (brainformers/resources/).

The recipe is the one chapter 06 describes: ``AttentionNeuronPolicy()`` (193 parameters:
LSTM hidden 4, 16 fixed queries, keys of size 8), trained by CMA-ES from all-zero
parameters (population 32, step size 0.5, 120 generations) on simulated CartPole-v1, each
candidate scored by its mean return over 8 episodes with its senses in their natural order.
That is about 30,000 episodes, a minute or two on one CPU core.

Every training seed given is trained and evaluated on the real ``gymnasium`` CartPole-v1
(100 episodes under each shuffle condition of ``senses.CONDITIONS``); the
first seed's parameters are shipped, and the record keeps every seed's evaluation, so the
chapter can say how typical the shipped policy is.

Usage::

    python utils/train_attention_neuron.py               # seeds 0 1 2; ships seed 0
    python utils/train_attention_neuron.py --seeds 0     # one seed only
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

import numpy as np
from brainformers.sensory import attention_neuron, evolution, senses

RECIPE = {"popsize": 32, "n_rollouts": 8, "sigma0": 0.5, "n_generations": 120}
N_TEST_EPISODES = 100
TEST_SEED = 1000  # evaluation episodes differ from any the chapter's seeds 0-4 draw in training


def evaluate(policy: attention_neuron.AttentionNeuronPolicy, params: np.ndarray) -> dict:
    """Mean and standard deviation of the return under each shuffle condition."""
    scores = {}
    for name, condition in senses.CONDITIONS.items():
        returns, _ = senses.evaluate_on_gymnasium(
            policy,
            params,
            N_TEST_EPISODES,
            TEST_SEED,
            shuffle=condition.shuffle,
            every=condition.every,
        )
        scores[name] = {"mean": float(returns.mean()), "std": float(returns.std())}
    return scores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    policy = attention_neuron.AttentionNeuronPolicy()
    shipped, evaluations = None, {}
    for seed in args.seeds:
        started = time.perf_counter()
        params, best = evolution.train_on_cartpole(policy, seed=seed, **RECIPE)
        seconds = time.perf_counter() - started
        evaluations[str(seed)] = evaluate(policy, params)
        print(f"seed {seed}: trained in {seconds:.0f} s; last best {best[-1]:.0f};")
        for name, score in evaluations[str(seed)].items():
            print(f"  {name:28s} {score['mean']:6.1f} ± {score['std']:5.1f}")
        if shipped is None:
            shipped = (seed, params, best)
    seed, params, best = shipped
    record = {
        "description": "AttentionNeuron (Tang & Ha 2021) for CartPole-v1, trained by "
        "utils/train_attention_neuron.py",
        "architecture": {k: v for k, v in asdict(policy).items() if k != "shapes"},
        "recipe": {**RECIPE, "seed": seed, "shuffle": False},
        "best_return_per_generation": best.tolist(),
        "evaluation": {
            "episodes_per_condition": N_TEST_EPISODES,
            "seed": TEST_SEED,
            "by_training_seed": evaluations,
        },
        "params": params.tolist(),
    }
    path = attention_neuron.PRETRAINED_PATH
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"shipped seed {seed}: wrote {path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
