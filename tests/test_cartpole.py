"""CartPole-v1 in NumPy against gymnasium, step by step."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from brainformers.sensory import cartpole, senses
from brainformers.sensory.attention_neuron import (
    AttentionNeuronPolicy,
    LinearPolicy,
    MLPPolicy,
    load_pretrained,
)


def test_states_match_gymnasium_step_by_step():
    rng = np.random.default_rng(0)
    for episode in range(5):
        env = gymnasium.make("CartPole-v1")
        env.reset(seed=episode)
        state = np.array(env.unwrapped.state, dtype=float)
        ours = state.copy()
        for _ in range(300):
            action = int(rng.integers(2)) if rng.random() < 0.5 else int(ours[2] + ours[3] > 0)
            obs, _, terminated, truncated, _ = env.step(action)
            ours, done = cartpole.step(ours, np.array(action))
            np.testing.assert_allclose(ours, env.unwrapped.state, rtol=0, atol=1e-12)
            np.testing.assert_array_equal(ours.astype(np.float32), obs)
            assert bool(done) == terminated
            if terminated or truncated:
                break
        env.close()


def test_step_is_vectorised_and_checks_shapes():
    rng = np.random.default_rng(1)
    states = cartpole.initial_states((3, 2), rng)
    actions = rng.integers(2, size=(3, 2))
    new, done = cartpole.step(states, actions)
    for i in range(3):
        for j in range(2):
            one, d = cartpole.step(states[i, j], actions[i, j])
            np.testing.assert_array_equal(new[i, j], one)
            assert done[i, j] == d
    with pytest.raises(ValueError, match="action must have shape"):
        cartpole.step(states, actions[0])
    with pytest.raises(ValueError, match="end in 4 variables"):
        cartpole.step(states[..., :3], actions)


def test_rollout_returns_match_gymnasium_for_the_same_start_states():
    gains = cartpole.lqr_gains()
    weak = LinearPolicy((0.0, 0.0, 1.0, 0.0))  # only the angle: falls over after a while
    for policy in (LinearPolicy(tuple(gains)), weak):
        got = cartpole.rollout_returns(policy, policy.params[None], 6, np.random.default_rng(5))
        starts = cartpole.initial_states((1, 6), np.random.default_rng(5))[0]
        want = []
        for start in starts:
            env = gymnasium.make("CartPole-v1")
            env.reset(seed=0)
            env.unwrapped.state = start.copy()
            obs, total, done = start.astype(np.float32), 0.0, False
            while not done:
                action = int(np.dot(policy.params, obs.astype(float)) > 0)
                obs, reward, terminated, truncated, _ = env.step(action)
                total += reward
                done = terminated or truncated
            want.append(total)
        assert got[0] == pytest.approx(np.mean(want))


def test_lqr_controller_balances_and_reshuffling_needs_shuffle():
    gains = cartpole.lqr_gains()
    assert gains[2] > gains[0] > 0  # pushes towards the side the pole falls to
    policy = LinearPolicy(tuple(gains))
    returns, _ = senses.evaluate_on_gymnasium(policy, policy.params, 10, 0)
    assert returns.min() == cartpole.MAX_STEPS
    with pytest.raises(ValueError, match="needs shuffle=True"):
        cartpole.rollout_returns(
            policy, policy.params[None], 2, np.random.default_rng(0), reshuffle_every=5
        )


def test_simulated_reshuffles_leave_the_shipped_policy_balanced():
    policy, params, _ = load_pretrained()
    rng = np.random.default_rng(6)
    plain = cartpole.rollout_returns(policy, params[None], 4, rng)
    shuffled = cartpole.rollout_returns(
        policy, params[None], 4, rng, shuffle=True, reshuffle_every=100
    )
    assert plain[0] >= 450 and shuffled[0] >= 400


def test_noise_channels_widen_the_observation():
    seen = []

    class Spy(AttentionNeuronPolicy):
        def step(self, weights, obs, state):
            seen.append(obs.shape)
            return super().step(weights, obs, state)

    policy = Spy()
    params = np.zeros((2, policy.n_params))
    returns = cartpole.rollout_returns(policy, params, 3, np.random.default_rng(0), n_noise=5)
    assert returns.shape == (2,) and seen[0] == (2, 3, 9)
    with pytest.raises(ValueError, match="reads 4 channels"):
        cartpole.rollout_returns(
            MLPPolicy(), np.zeros((1, 97)), 2, np.random.default_rng(0), n_noise=1
        )


@pytest.mark.parametrize(("noise_std", "want"), [(None, 0.1), (0.5, 0.5)])
def test_noise_channels_have_the_standard_deviation_asked_for(noise_std, want):
    """Tang & Ha's noise channels: SD 0.1 by default, drawn anew each step."""
    seen = []

    class Spy(AttentionNeuronPolicy):
        def step(self, weights, obs, state):
            seen.append(obs[..., 4:].copy())
            return super().step(weights, obs, state)

    options = {} if noise_std is None else {"noise_std": noise_std}
    cartpole.rollout_returns(
        Spy(), np.zeros((1, 193)), 200, np.random.default_rng(1), n_noise=3, **options
    )
    noise = np.concatenate([s.ravel() for s in seen])
    assert noise.std() == pytest.approx(want, rel=0.05)
    assert not np.array_equal(seen[0], seen[1])  # new noise each step
