"""Chapter-06 checkers: the references pass, each plausible mistake is named."""

from __future__ import annotations

import cma
import gymnasium
import numpy as np
import pytest
from brainformers import check
from brainformers.sensory import attention_neuron as ref
from brainformers.sensory import evolution, senses
from checking import assert_rejected, run

# ----------------------------------------------------------------- shuffled senses


class Wrapper(gymnasium.Wrapper):
    """A plain version with switchable mistakes."""

    def __init__(self, env, rng, every=None, mistake=None):
        super().__init__(env)
        self.rng, self.every, self.mistake = rng, every, mistake
        self.order = np.arange(env.observation_space.shape[0])
        self.t = 0
        if mistake == "same-every-episode":
            self.order = self.rng.permutation(len(self.order))

    def _draw(self):
        if self.mistake == "global-rng":
            return np.random.permutation(len(self.order))  # noqa: NPY002 — the mistake tested
        return self.rng.permutation(len(self.order))

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        if self.mistake != "same-every-episode":
            self.order = self._draw()
        if self.mistake != "count-not-reset":
            self.t = 0
        return self._look(obs), info

    def step(self, action):
        if self.mistake == "actions":
            action = int(self.order[action])
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.t += 1
        k = self.t + (1 if self.mistake == "off-by-one" else 0)
        if self.every and k % self.every == 0 and self.mistake != "once-per-episode":
            self.order = self._draw()
        return self._look(obs), reward, terminated, truncated, info

    def _look(self, obs):
        return obs if self.mistake == "actions" else obs[self.order]


def wrapper(mistake):
    def make(env, rng, every=None):
        return Wrapper(env, rng, every, mistake)

    return make


def test_shuffle_reference_and_plain_version_pass(capsys):
    result, out = run(check.shuffled_observations, senses.ShuffledObservations, capsys)
    assert result is senses.ShuffledObservations
    assert out == "✓ shuffled_observations: all 3 checks passed.\n"
    mine = wrapper(None)
    assert run(check.shuffled_observations, mine, capsys)[0] is mine


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("once-per-episode", "never changed within an episode"),
        ("same-every-episode", "every episode has the same order"),
        ("actions", "pass the action through untouched"),
        ("off-by-one", "the order changed at step 3"),
        ("count-not-reset", "counted from the reset"),
        ("global-rng", "draw every permutation from the rng passed in"),
    ],
)
def test_shuffle_mistakes_are_named(mistake, fragment, capsys):
    assert_rejected(
        check.shuffled_observations, wrapper(mistake), senses.ShuffledObservations, capsys, fragment
    )


# ----------------------------------------------------------------- fixed-query attention


def attend(q, k, v, *, mistake=None):
    scores = q @ np.swapaxes(k, -1, -2)
    if mistake != "no-scale":
        scores = scores / np.sqrt(q.shape[-1])
    if mistake == "softmax":
        e = np.exp(scores - scores.max(-1, keepdims=True))
        w = e / e.sum(-1, keepdims=True)
    elif mistake == "swapped":
        w = np.tanh(np.swapaxes(scores, -1, -2))
        return np.tanh(np.einsum("...nm,...n->...m", w, v)), w
    else:
        w = np.tanh(scores)
    m = np.einsum("...mn,...n->...m", w, v)
    return (m if mistake == "no-outer-tanh" else np.tanh(m)), w


def test_attention_reference_and_plain_version_pass(capsys):
    result, out = run(check.fixed_query_attention, ref.fixed_query_attention, capsys)
    assert out == "✓ fixed_query_attention: all 3 checks passed.\n"

    def mine(q, k, v):
        return attend(q, k, v)

    assert run(check.fixed_query_attention, mine, capsys)[0] is mine


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("softmax", "uses tanh"),
        ("no-scale", "divide the scores by √d_k"),
        ("swapped", "you computed K Qᵀ"),
        ("no-outer-tanh", "the outer tanh is missing"),
    ],
)
def test_attention_mistakes_are_named(mistake, fragment, capsys):
    def wrong(q, k, v):
        return attend(q, k, v, mistake=mistake)

    assert_rejected(check.fixed_query_attention, wrong, ref.fixed_query_attention, capsys, fragment)


def test_attention_that_returns_only_the_latent_is_rejected(capsys):
    assert_rejected(
        check.fixed_query_attention,
        lambda q, k, v: attend(q, k, v)[0],
        ref.fixed_query_attention,
        capsys,
        "expected a tuple (latent, weights)",
    )


# ----------------------------------------------------------------- the sensory LSTM


def lstm(obs, prev, h, c, w_x, w_h, b, *, mistake=None):
    """Written neuron by neuron with explicit loops."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hidden = h.shape[-1]
    if mistake == "one-state":
        h = h.mean(axis=-2)
        c = c.mean(axis=-2)
    h_new, c_new = np.zeros(obs.shape + (hidden,)), np.zeros(obs.shape + (hidden,))
    for index in np.ndindex(obs.shape):
        action = 0.0 if mistake == "no-action" else np.asarray(prev)[index[:-1]]
        x = np.array([obs[index], action])
        if mistake == "swapped-inputs":
            x = x[::-1]
        hi = h[index[:-1]] if mistake == "one-state" else h[index]
        ci = c[index[:-1]] if mistake == "one-state" else c[index]
        z = x @ w_x + hi @ w_h + b
        i, f, g, o = (z[k * hidden : (k + 1) * hidden] for k in range(4))
        if mistake == "ifog":
            g, o = o, g
        cn = (ci if mistake == "no-forget" else sig(f) * ci) + sig(i) * np.tanh(g)
        h_new[index], c_new[index] = sig(o) * np.tanh(cn), cn
    if mistake == "one-state-shape":
        return h_new.mean(-2), c_new.mean(-2)
    if mistake == "returned-swapped":
        return c_new, h_new
    return h_new, c_new


def test_lstm_reference_and_plain_version_pass(capsys):
    result, out = run(check.sensory_lstm, ref.sensory_lstm, capsys)
    assert out == "✓ sensory_lstm: all 3 checks passed.\n"

    def mine(*args):
        return lstm(*args)

    assert run(check.sensory_lstm, mine, capsys)[0] is mine


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("no-action", "the previous action is missing"),
        ("swapped-inputs", "put the observation first"),
        ("one-state", "the neurons share one state"),
        ("one-state-shape", "one state for all neurons"),
        ("ifog", "gates in the order (i, f, o, g)"),
        ("returned-swapped", "you returned (c, h)"),
        ("no-forget", "h differs from the reference"),
    ],
)
def test_lstm_mistakes_are_named(mistake, fragment, capsys):
    def wrong(*args):
        return lstm(*args, mistake=mistake)

    assert_rejected(check.sensory_lstm, wrong, ref.sensory_lstm, capsys, fragment)


# ----------------------------------------------------------------- CMA-ES


def my_evolve(fitness, x0, sigma0, popsize, n_generations, seed, *, mistake=None):
    options = {"popsize": popsize, "seed": seed if mistake == "seed-0" else seed + 1, "verbose": -9}
    if mistake == "no-popsize":
        del options["popsize"]
    es = cma.CMAEvolutionStrategy(x0, sigma0, options)
    best = []
    for _ in range(n_generations):
        xs = es.ask()
        if mistake == "one-at-a-time":
            scores = np.array([fitness(np.asarray(x)) for x in xs])
        else:
            scores = np.asarray(fitness(np.asarray(xs)))
        es.tell(xs, list(scores if mistake == "maximise-sign" else -scores))
        best.append(scores.min() if mistake == "worst" else scores.max())
    if mistake == "x0":
        return np.asarray(x0), np.array(best)
    return es.mean, np.array(best)


def test_evolve_reference_and_plain_version_pass(capsys):
    result, out = run(check.evolve, evolution.evolve, capsys)
    assert out == "✓ evolve: all 2 checks passed.\n"

    def mine(*args):
        return my_evolve(*args)

    assert run(check.evolve, mine, capsys)[0] is mine


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("maximise-sign", "tell it the negated scores"),
        ("seed-0", "seed from the clock"),
        ("no-popsize", "the 'popsize' option"),
        ("one-at-a-time", "once per generation with all candidates"),
        ("worst", "worst score of each generation"),
        ("x0", "still x0"),
    ],
)
def test_evolve_mistakes_are_named(mistake, fragment, capsys):
    def wrong(*args):
        return my_evolve(*args, mistake=mistake)

    assert_rejected(check.evolve, wrong, evolution.evolve, capsys, fragment)


@pytest.mark.parametrize(
    "checker",
    [check.shuffled_observations, check.fixed_query_attention, check.sensory_lstm, check.evolve],
)
def test_unfinished_stub_falls_back(checker, capsys):
    def todo(*args, **kwargs):
        raise NotImplementedError("write it")

    result, out = run(checker, todo, capsys)
    assert out.startswith("○"), out
