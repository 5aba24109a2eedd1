"""The cart-pole swing-up: its physics against Lagrange's equations, its reward and rollouts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from brainformers.sensory import evolution, swingup
from brainformers.sensory.attention_neuron import AttentionNeuronPolicy, MLPPolicy
from gymnasium.utils.env_checker import check_env

M, m, L, g = swingup.MASS_CART, swingup.MASS_POLE, swingup.POLE_LENGTH, swingup.GRAVITY


def _lagrange_accelerations(state, force, friction):
    """Solve the uniform rod on a cart's equations of motion as a 2 × 2 linear system.

    Pole centre at (x − (L/2) sin θ, (L/2) cos θ), moment of inertia mL²/12 about it:
    T = ½(M+m)ẋ² − ½mL cos θ ẋθ̇ + ⅙mL²θ̇², V = ½mgL cos θ, generalised forces
    (F − bẋ, 0). Written from the Lagrangian, independently of the library's closed form.
    """
    _, x_dot, theta, theta_dot = state
    mass = np.array([[M + m, -0.5 * m * L * math.cos(theta)], [-math.cos(theta), 2 * L / 3]])
    rhs = np.array(
        [
            force - friction * x_dot - 0.5 * m * L * math.sin(theta) * theta_dot**2,
            g * math.sin(theta),
        ]
    )
    return np.linalg.solve(mass, rhs)


def test_accelerations_solve_lagranges_equations():
    rng = np.random.default_rng(0)
    states = rng.uniform(-1, 1, size=(50, 4)) * [2.4, 10, 2 * math.pi, 10]
    forces = rng.uniform(-10, 10, size=50)
    for friction in (0.0, swingup.FRICTION):
        x_acc, theta_acc = swingup.accelerations(states, forces, friction)
        for i in range(50):
            want = _lagrange_accelerations(states[i], forces[i], friction)
            np.testing.assert_allclose([x_acc[i], theta_acc[i]], want, rtol=1e-10, atol=1e-10)


def test_the_hanging_pole_oscillates_at_the_rigid_rods_frequency():
    # Linearised about θ = π with the cart free and no friction, a uniform rod of length L
    # on a cart of mass M swings with ω² = 6g(M + m) / (L(4M + m)); upright, the same
    # number is the growth rate squared.
    want = 6 * g * (M + m) / (L * (4 * M + m))
    eps = 1e-6
    for rest, sign in ((math.pi, -1.0), (0.0, 1.0)):
        up = swingup.accelerations(np.array([0, 0, rest + eps, 0.0]), np.array(0.0), 0.0)[1]
        down = swingup.accelerations(np.array([0, 0, rest - eps, 0.0]), np.array(0.0), 0.0)[1]
        assert (up - down) / (2 * eps) == pytest.approx(sign * want, rel=1e-6)


def test_without_friction_or_force_the_horizontal_momentum_is_kept():
    # p = (M + m)ẋ − ½ mL cos θ θ̇ changes only by F − bẋ; Euler steps keep it to O(dt²).
    rng = np.random.default_rng(1)
    state = swingup.initial_states((20,), rng)
    momentum = (M + m) * state[:, 1] - 0.5 * m * L * np.cos(state[:, 2]) * state[:, 3]
    x_acc, theta_acc = swingup.accelerations(state, np.zeros(20), 0.0)
    rate = (M + m) * x_acc - 0.5 * m * L * (
        np.cos(state[:, 2]) * theta_acc - np.sin(state[:, 2]) * state[:, 3] ** 2
    )
    np.testing.assert_allclose(rate, 0.0, atol=1e-9 * (1 + np.abs(momentum).max()))


def test_step_is_an_euler_step_with_the_reward_of_the_new_state():
    rng = np.random.default_rng(2)
    state = swingup.initial_states((3, 4), rng)
    action = rng.uniform(-2, 2, size=(3, 4))  # beyond ±1: clipped
    new, done, r = swingup.step(state, action)
    x_acc, theta_acc = swingup.accelerations(state, 10 * np.clip(action, -1, 1))
    np.testing.assert_allclose(new[..., 0], state[..., 0] + 0.01 * state[..., 1])
    np.testing.assert_allclose(new[..., 1], state[..., 1] + 0.01 * x_acc)
    np.testing.assert_allclose(new[..., 2], state[..., 2] + 0.01 * state[..., 3])
    np.testing.assert_allclose(new[..., 3], state[..., 3] + 0.01 * theta_acc)
    np.testing.assert_array_equal(done, np.abs(new[..., 0]) > 2.4)
    np.testing.assert_allclose(r, swingup.reward(new))
    with pytest.raises(ValueError, match="action must have shape"):
        swingup.step(state, action[0])
    with pytest.raises(ValueError, match="end in 4 variables"):
        swingup.step(state[..., :3], action)
    with pytest.raises(ValueError, match="finite"):
        swingup.step(state[0, 0], np.array(np.nan))


def test_reward_is_one_upright_at_the_centre_and_zero_hanging():
    states = np.array([[0, 0, 0, 0], [0, 5, 2 * math.pi, -3], [0, 0, math.pi, 0], [2.4, 0, 0, 0]])
    np.testing.assert_allclose(swingup.reward(states), [1, 1, 0, 0], atol=1e-12)
    assert swingup.reward(np.array([1.2, 0, 0, 0])) == pytest.approx(math.cos(math.pi / 4))


def test_start_states_hang_within_ninety_degrees_and_cover_the_track():
    state = swingup.initial_states((4000,), np.random.default_rng(3))
    low, high = state.min(axis=0), state.max(axis=0)
    np.testing.assert_allclose(low, [-2.4, -10, math.pi / 2, -10], atol=0.05)
    np.testing.assert_allclose(high, [2.4, 10, 3 * math.pi / 2, 10], atol=0.05)
    obs = swingup.observe(state)
    assert obs.shape == (4000, 5) and (obs[:, 2] <= 1e-12).all()  # cos θ ≤ 0: hanging


def test_rollouts_score_a_do_nothing_policy_low_and_need_continuous_actions():
    policy = AttentionNeuronPolicy(continuous=True)
    zero = swingup.rollout_returns(
        policy, np.zeros((1, policy.n_params)), 50, np.random.default_rng(4)
    )
    assert 0 <= zero[0] < 150  # a hanging pole earns nothing; start swings fade with friction
    with pytest.raises(ValueError, match="continuous actions"):
        swingup.rollout_returns(
            AttentionNeuronPolicy(), np.zeros((1, 193)), 2, np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="continuous actions"):
        swingup.rollout_returns(
            MLPPolicy(n_inputs=5), np.zeros((1, 113)), 2, np.random.default_rng(0)
        )


def test_rollouts_are_invariant_for_the_attention_neuron_and_take_noise_channels():
    policy = AttentionNeuronPolicy(continuous=True)
    params = np.random.default_rng(5).normal(0, 0.5, size=(3, policy.n_params))
    plain = swingup.rollout_returns(policy, params, 6, np.random.default_rng(6))
    shuffled = swingup.rollout_returns(policy, params, 6, np.random.default_rng(6), shuffle=True)
    np.testing.assert_allclose(shuffled, plain, rtol=1e-9)  # invariant by construction
    seen = []

    class Spy(AttentionNeuronPolicy):
        def step(self, weights, obs, state):
            seen.append(obs[..., 5:])
            return super().step(weights, obs, state)

    swingup.rollout_returns(
        Spy(continuous=True), params, 6, np.random.default_rng(7), n_noise=5, max_steps=200
    )
    noise = np.concatenate(seen, axis=1)
    assert noise.shape[-1] == 5 and noise.std() == pytest.approx(swingup.NOISE_STD, rel=0.05)


@pytest.mark.filterwarnings("ignore:.*Box observation space m:UserWarning")
def test_the_gymnasium_environment_follows_the_simulator():
    env = swingup.CartPoleSwingUp()
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=8)
    state = env.state.copy()
    rng = np.random.default_rng(9)
    for _ in range(50):
        action = rng.uniform(-1, 1, size=1).astype(np.float32)
        obs, r, terminated, truncated, _ = env.step(action)
        state, done, want = swingup.step(state, np.asarray(action[0], dtype=float))
        np.testing.assert_array_equal(obs, swingup.observe(state))
        assert r == pytest.approx(float(want)) and terminated == bool(done) and not truncated
        if terminated:
            break
    with pytest.raises(ValueError, match="one force"):
        env.step(np.zeros(2))


def test_evolution_searches_the_swingup_with_the_conditions_given():
    seen = []

    class Spy(AttentionNeuronPolicy):
        def step(self, weights, obs, state):
            seen.append(obs.shape)
            return super().step(weights, obs, state)

    policy = Spy(continuous=True)
    params, best = evolution.train_on_swingup(
        policy, n_generations=10, seed=0, popsize=16, n_rollouts=4, shuffle=True, n_noise=2
    )
    zero = swingup.rollout_returns(
        policy, np.zeros((1, policy.n_params)), 4, np.random.default_rng(0), n_noise=2
    )
    assert params.shape == (policy.n_params,) and best.shape == (10,)
    assert seen[0] == (16, 4, 7)  # 16 candidates × 4 episodes × (5 + 2 noise) channels
    assert best.max() > zero[0] + 20  # some candidates swing the pole, doing nothing cannot
