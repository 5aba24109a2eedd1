"""The headline bars of chapter 06 (the sensory neuron): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar(
        "attention_neuron_return_unshuffled",
        ">=",
        475,
        "shipped AttentionNeuron, CartPole-v1 return (100 episodes)",
    ),
    Bar(
        "attention_neuron_return_shuffled_per_episode",
        ">=",
        475,
        "the same, a new input order every episode",
    ),
    Bar(
        "attention_neuron_return_reshuffled_every_100_steps",
        ">=",
        450,
        "the same, inputs reshuffled every 100 steps",
        why="below the unshuffled bar: after a mid-episode reshuffle the LSTM states "
        "describe the wrong channels for a few steps and an episode can be lost (one of "
        "100 for one seed in five here; more for some networks of the prototype)",
    ),
    Bar("mlp_return_unshuffled", ">=", 475, "MLP 4-16-1 control, trained unshuffled"),
    Bar(
        "mlp_return_reshuffled_every_100_steps",
        "<=",
        300,
        "MLP control, inputs reshuffled every 100 steps",
    ),
    Bar(
        "sum_rule_return",
        "<=",
        300,
        "channel-blind rule (push right if the inputs sum > 0), any order",
        why="the trivial order-proof rule that equal attention weights amount to: the "
        "AttentionNeuron's 500 must not be within its reach",
    ),
    Bar(
        "latent_permutation_max_abs_diff",
        "<=",
        1e-5,
        "AttentionNeuron layer's latent, inputs permuted",
    ),
)
