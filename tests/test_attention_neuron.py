"""The AttentionNeuron (Tang & Ha 2021): LSTM vs torch, attention vs a loop, invariance."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from brainformers.attention import sinusoidal_positions
from brainformers.sensory import attention_neuron as an


def test_sinusoidal_table_is_chapter_01s_table():
    np.testing.assert_allclose(
        an.sinusoidal_table(16, 4), sinusoidal_positions(16, 4).numpy(), atol=1e-6
    )
    with pytest.raises(ValueError, match="must be even"):
        an.sinusoidal_table(4, 3)


def test_sensory_lstm_matches_torch_lstm_cell_per_neuron():
    rng = np.random.default_rng(0)
    n, hidden, batch = 5, 3, 2
    w_x, w_h, b = (
        rng.normal(size=(2, 4 * hidden)),
        rng.normal(size=(hidden, 4 * hidden)),
        rng.normal(size=4 * hidden),
    )
    obs, prev = rng.normal(size=(batch, n)), np.array([1.0, -1.0])
    h, c = rng.normal(size=(batch, n, hidden)), rng.normal(size=(batch, n, hidden))
    got_h, got_c = an.sensory_lstm(obs, prev, h, c, w_x, w_h, b)
    cell = torch.nn.LSTMCell(2, hidden).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(w_x.T))
        cell.weight_hh.copy_(torch.from_numpy(w_h.T))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
        for k in range(batch):
            for i in range(n):  # one neuron at a time, each with its own state
                x = torch.tensor([[obs[k, i], prev[k]]], dtype=torch.float64)
                state = (torch.from_numpy(h[k, i][None]), torch.from_numpy(c[k, i][None]))
                want_h, want_c = cell(x, state)
                np.testing.assert_allclose(got_h[k, i], want_h[0].numpy(), atol=1e-12)
                np.testing.assert_allclose(got_c[k, i], want_c[0].numpy(), atol=1e-12)


def test_sensory_lstm_rejects_mismatched_states():
    z = np.zeros
    with pytest.raises(ValueError, match="n = 4 channels"):
        an.sensory_lstm(z(4), z(()), z((3, 2)), z((3, 2)), z((2, 8)), z((2, 8)), z(8))
    with pytest.raises(ValueError, match="w_x must end in"):
        an.sensory_lstm(z(4), z(()), z((4, 2)), z((4, 2)), z((3, 8)), z((2, 8)), z(8))


def test_fixed_query_attention_matches_a_loop_and_is_invariant():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(6, 3)), rng.normal(size=(5, 3)), rng.normal(size=5)
    latent, weights = an.fixed_query_attention(q, k, v)
    for a in range(6):
        row = [np.tanh(q[a] @ k[j] / np.sqrt(3)) for j in range(5)]
        np.testing.assert_allclose(weights[a], row, atol=1e-12)
        assert latent[a] == pytest.approx(np.tanh(np.dot(row, v)), abs=1e-12)
    perm = rng.permutation(5)
    shuffled, _ = an.fixed_query_attention(q, k[perm], v[perm])
    np.testing.assert_allclose(shuffled, latent, atol=1e-12)
    with pytest.raises(ValueError, match="must agree on d_k"):
        an.fixed_query_attention(q, k[:, :2], v)


def test_default_policy_has_193_parameters_and_the_mlp_97():
    assert an.AttentionNeuronPolicy().n_params == 193
    assert an.MLPPolicy().n_params == 97


def test_policy_is_invariant_to_channel_order_over_an_episode():
    """Feed one observation sequence in two channel orders: latents and actions agree."""
    policy = an.AttentionNeuronPolicy()
    rng = np.random.default_rng(2)
    weights = policy.unflatten(rng.normal(scale=0.5, size=policy.n_params))
    obs = rng.normal(size=(30, 1, 1, 4))
    perm = np.array([2, 0, 3, 1])
    state_a = policy.initial_state(1, 1, 4)
    state_b = policy.initial_state(1, 1, 4)
    actions = []
    for t in range(30):
        act_a, state_a, extra_a = policy.step(weights, obs[t], state_a)
        act_b, state_b, extra_b = policy.step(weights, obs[t][..., perm], state_b)
        np.testing.assert_allclose(extra_b["latent"], extra_a["latent"], atol=1e-12)
        np.testing.assert_allclose(state_b["h"], state_a["h"][..., perm, :], atol=1e-12)
        assert act_a == act_b
        actions.append(int(act_a[0, 0]))
    assert 0 < sum(actions) < 30  # the test policy is not constant, so equality means something


def test_continuous_policy_acts_with_the_tanh_of_the_discrete_ones_output():
    """Same weights: the force is tanh(out), its sign the discrete push, and it is fed back."""
    discrete, continuous = an.AttentionNeuronPolicy(), an.AttentionNeuronPolicy(continuous=True)
    rng = np.random.default_rng(3)
    weights = discrete.unflatten(rng.normal(scale=0.5, size=(2, discrete.n_params)))
    obs = rng.normal(size=(2, 3, 5))
    state = discrete.initial_state(2, 3, 5)
    push, _, extra = discrete.step(weights, obs, state)
    force, new_state, _ = continuous.step(weights, obs, state)
    out = np.einsum("pem,pm->pe", extra["latent"], weights["w_out"]) + weights["b_out"]
    np.testing.assert_allclose(force, np.tanh(out), rtol=1e-12)
    np.testing.assert_array_equal(push, (force > 0).astype(int))
    np.testing.assert_array_equal(new_state["prev_action"], force)
    with pytest.raises(TypeError, match="continuous must be True or False"):
        an.AttentionNeuronPolicy(continuous=1)


def test_mlp_is_not_invariant():
    policy = an.MLPPolicy()
    weights = policy.unflatten(np.random.default_rng(3).normal(size=policy.n_params))
    obs = np.random.default_rng(4).normal(size=(1, 200, 4))
    act, _, _ = policy.step(weights, obs, {})
    act_perm, _, _ = policy.step(weights, obs[..., [3, 2, 1, 0]], {})
    assert (act != act_perm).any()


def test_unflatten_checks_the_length_and_batches():
    policy = an.AttentionNeuronPolicy()
    with pytest.raises(ValueError, match="n_params = 193"):
        policy.unflatten(np.zeros(192))
    params = np.arange(2 * 193, dtype=float).reshape(2, 193)
    weights = policy.unflatten(params)
    assert weights["w_x"].shape == (2, 2, 16) and weights["b_out"].shape == (2, 1)
    assert weights["b_out"][1, 0] == params[1, -1]


def test_linear_policy_pushes_with_the_sign_of_w_dot_o():
    policy = an.LinearPolicy((1.0, 0.0, -2.0, 0.0))
    obs = np.array([[[1.0, 5.0, 0.1, 0.0], [0.1, 0.0, 1.0, 3.0]]])
    act, _, _ = policy.step(policy.unflatten(policy.params), obs, {})
    assert act.tolist() == [[1, 0]]


def test_pretrained_vector_loads():
    policy, params, record = an.load_pretrained()
    assert params.shape == (policy.n_params,)
    assert {"architecture", "recipe", "evaluation"} <= set(record)
