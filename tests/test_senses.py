"""The shuffled-senses wrapper and evaluation on the real gymnasium CartPole-v1."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from brainformers.sensory import cartpole, senses
from brainformers.sensory.attention_neuron import LinearPolicy, MLPPolicy, load_pretrained


class Counter(gymnasium.Env):
    """Observation t·10 + (0, 1, 2, 3, 4): the permutation can be read off each one."""

    observation_space = gymnasium.spaces.Box(-np.inf, np.inf, shape=(5,))
    action_space = gymnasium.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        self.t, self.actions = 0, []
        return np.arange(5.0), {}

    def step(self, action):
        self.t += 1
        self.actions.append(action)
        return np.arange(5.0) + 10 * self.t, 1.0, False, False, {}


def _orders(env, n_steps):
    obs, _ = env.reset()
    orders = [obs.astype(int)]
    for t in range(1, n_steps):
        obs, *_ = env.step(t % 2)
        orders.append((obs - 10 * t).astype(int))
    return np.array(orders)


def test_one_order_per_episode():
    env = senses.ShuffledObservations(Counter(), np.random.default_rng(0))
    episodes = [_orders(env, 12) for _ in range(6)]
    for orders in episodes:
        assert (orders == orders[0]).all()
        assert sorted(orders[0]) == list(range(5))
    assert len({tuple(o[0]) for o in episodes}) > 1
    assert env.env.actions == list(np.arange(1, 12) % 2)  # actions pass through


def test_reshuffle_every_k_steps_from_step_k():
    env = senses.ShuffledObservations(Counter(), np.random.default_rng(1), every=4)
    orders = _orders(env, 20)
    blocks = orders.reshape(5, 4, 5)
    assert (blocks == blocks[:, :1]).all()  # constant within steps 0-3, 4-7, ...
    assert len({tuple(b[0]) for b in blocks}) > 2
    np.testing.assert_array_equal(orders[-1], env.permutation)


def test_wrapper_checks_its_arguments():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        senses.ShuffledObservations(Counter(), 0)
    with pytest.raises(ValueError, match="every must be a positive integer"):
        senses.ShuffledObservations(Counter(), np.random.default_rng(0), every=0)


def test_per_episode_shuffle_cannot_change_an_invariant_policy():
    policy, params, _ = load_pretrained()
    plain, _ = senses.evaluate_on_gymnasium(policy, params, 3, 7)
    shuffled, trace = senses.evaluate_on_gymnasium(policy, params, 3, 7, shuffle=True, record=True)
    np.testing.assert_array_equal(plain, shuffled)
    assert trace["latent"].shape == (plain[0], 16) and trace["weights"].shape == (plain[0], 16, 4)
    assert (trace["permutation"] == trace["permutation"][0]).all()


def test_evaluation_reproduces_a_hand_written_gymnasium_loop():
    policy = LinearPolicy((0.0, 0.0, 1.0, 0.2))
    returns, _ = senses.evaluate_on_gymnasium(policy, policy.params, 4, 3)
    seeds = np.random.SeedSequence(3).spawn(4)
    for got, sequence in zip(returns, seeds, strict=True):
        env = gymnasium.make("CartPole-v1")
        obs, _ = env.reset(seed=int(sequence.generate_state(2)[0]))
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(int(policy.params @ obs > 0))
            total, done = total + reward, terminated or truncated
        assert got == total


def test_mid_episode_reshuffles_are_recorded():
    policy = MLPPolicy()
    params = np.random.default_rng(8).normal(size=policy.n_params)
    _, trace = senses.evaluate_on_gymnasium(
        policy, params, 2, 1, shuffle=True, every=3, record=True
    )
    perms = trace["permutation"]
    assert all((perms[k] == perms[k - k % 3]).all() for k in range(len(perms)))


def test_linear_controller_over_orderings():
    orderings, returns = senses.linear_returns_over_orderings(cartpole.lqr_gains(), 2, 4)
    assert orderings.shape == (24, 4) and returns.shape == (24, 2)
    assert returns[0].min() == 500  # the identity ordering is the controller itself
    assert returns.min() < 50  # and some orderings push the wrong way


def test_every_step_condition_draws_a_new_order_at_every_step():
    condition = senses.CONDITIONS["reshuffled_every_step"]
    assert (condition.shuffle, condition.every) == (True, 1)
    policy = LinearPolicy((1.0, 1.0, 1.0, 1.0))
    _, trace = senses.evaluate_on_gymnasium(
        policy, policy.params, 1, 3, shuffle=True, every=condition.every, record=True
    )
    orders = trace["permutation"]
    changed = (orders[1:] != orders[:-1]).any(axis=1)
    assert len(orders) > 20 and changed.mean() > 0.9  # 1/24 of new draws repeat the order
