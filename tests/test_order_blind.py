"""The order-blind controls of chapter 06: invariance, parameter counts, the step against a loop."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers.sensory import attention_neuron as an
from brainformers.sensory import cartpole, senses
from brainformers.sensory.order_blind import MeanPoolingPolicy, SumDifferencePolicy

HAND_SET = np.array([0.3, 1.0, 0.14, 0.0])  # (w_sum, w_difference, w_action, bias)


def test_parameter_counts():
    assert SumDifferencePolicy().n_params == 4
    assert MeanPoolingPolicy().n_params == 225  # the AttentionNeuron has 193
    assert MeanPoolingPolicy(hidden=2, n_latent=3).n_params == 2 * 8 + 2 * 8 + 8 + 3 * 3 + 3 + 3 + 1


def _episode(policy, weights, obs, perms):
    """Actions and latents over obs (T, P, E, n), channels reordered by perms[t] at step t."""
    state = policy.initial_state(*obs.shape[1:])
    actions, latents = [], []
    for t in range(len(obs)):
        act, state, extras = policy.step(weights, obs[t][..., perms[t]], state)
        actions.append(act)
        latents.append(extras.get("latent", act))
    return np.array(actions), np.array(latents)


@pytest.mark.parametrize("policy", [SumDifferencePolicy(), MeanPoolingPolicy()])
def test_invariant_to_the_order_of_the_channels(policy):
    """Shuffled from the start, the whole episode's actions and latents are unchanged."""
    rng = np.random.default_rng(0)
    weights = policy.unflatten(rng.normal(size=(2, policy.n_params)))
    obs = rng.normal(size=(40, 2, 3, 5))
    natural = [np.arange(5)] * 40
    shuffled = [np.array([3, 0, 4, 1, 2])] * 40
    act_a, lat_a = _episode(policy, weights, obs, natural)
    act_b, lat_b = _episode(policy, weights, obs, shuffled)
    np.testing.assert_allclose(lat_b, lat_a, atol=1e-12)
    np.testing.assert_array_equal(act_b, act_a)
    assert 0 < act_a.mean() < 1  # the random policies are not constant


def test_sum_difference_rule_is_even_invariant_to_reshuffles_every_step():
    """It reads only the sum, so a new order at every step changes nothing either."""
    policy = SumDifferencePolicy()
    rng = np.random.default_rng(1)
    weights = policy.unflatten(rng.normal(size=(3, 4)))
    obs = rng.normal(size=(30, 3, 2, 4))
    act_a, _ = _episode(policy, weights, obs, [np.arange(4)] * 30)
    act_b, _ = _episode(policy, weights, obs, [rng.permutation(4) for _ in range(30)])
    np.testing.assert_array_equal(act_b, act_a)


def test_sum_difference_rule_against_a_loop():
    policy = SumDifferencePolicy()
    rng = np.random.default_rng(2)
    w = rng.normal(size=4)
    obs = rng.normal(size=(25, 4))
    state = policy.initial_state(1, 1, 4)
    prev_sum, prev_action = None, 0.0
    for o in obs:
        act, state, _ = policy.step(policy.unflatten(w), o[None, None], state)
        total = float(sum(o))
        difference = 0.0 if prev_sum is None else total - prev_sum
        want = int(w[0] * total + w[1] * difference + w[2] * prev_action + w[3] > 0)
        assert int(act[0, 0]) == want
        prev_sum, prev_action = total, 2.0 * want - 1.0


def test_mean_pooling_against_a_loop_over_neurons():
    """The latent is tanh(W_m^T Σ_i [h_i, o_i] + b_m), each h_i from the reference LSTM."""
    policy = MeanPoolingPolicy(hidden=3, n_latent=5)
    rng = np.random.default_rng(3)
    params = rng.normal(scale=0.7, size=policy.n_params)
    w = {k: v[0] for k, v in policy.unflatten(params).items()}
    obs = rng.normal(size=(12, 4))
    state = policy.initial_state(1, 1, 4)
    h = [np.zeros(3) for _ in range(4)]
    c = [np.zeros(3) for _ in range(4)]
    prev_action = 0.0
    for o in obs:
        act, state, extras = policy.step(policy.unflatten(params), o[None, None], state)
        for i in range(4):  # one neuron at a time, through the public, checked LSTM
            h_i, c_i = an.sensory_lstm(
                o[i : i + 1], prev_action, h[i][None], c[i][None], w["w_x"], w["w_h"], w["b"]
            )
            h[i], c[i] = h_i[0], c_i[0]
        pooled = sum(np.append(h[i], o[i]) for i in range(4))
        latent = np.tanh(pooled @ w["w_m"] + w["b_m"])
        np.testing.assert_allclose(extras["latent"][0, 0], latent, atol=1e-12)
        want = int(latent @ w["w_out"] + w["b_out"][0] > 0)
        assert int(act[0, 0]) == want
        prev_action = 2.0 * want - 1.0


def test_mean_pooling_reads_any_number_of_channels():
    policy = MeanPoolingPolicy()
    params = np.random.default_rng(4).normal(scale=0.3, size=(2, policy.n_params))
    returns = cartpole.rollout_returns(
        policy, params, 3, np.random.default_rng(0), shuffle=True, reshuffle_every=1, n_noise=5
    )
    assert returns.shape == (2,) and (returns >= 1).all()


def test_hand_set_sum_difference_rule_balances_reshuffled_every_step():
    """The issue's probe: w = (0.3, 1, 0.14, 0) keeps CartPole-v1 up in any order, and the
    same rule without the previous action does not."""
    policy = SumDifferencePolicy()
    rng = np.random.default_rng(5)
    returns = cartpole.rollout_returns(
        policy, HAND_SET[None], 20, rng, shuffle=True, reshuffle_every=1
    )
    assert returns[0] == 500
    no_action = HAND_SET * np.array([1, 1, 0, 1])
    returns = cartpole.rollout_returns(policy, no_action[None], 20, rng, shuffle=True)
    assert returns[0] < 200


def test_order_blind_policies_run_on_gymnasium_with_every_step_reshuffles():
    returns, _ = senses.evaluate_on_gymnasium(
        SumDifferencePolicy(), HAND_SET, 3, 0, shuffle=True, every=1
    )
    assert (returns == 500).all()
