"""Chapter-06 checkers: right answers pass (plain and unusual), each plausible mistake is named."""

from __future__ import annotations

import cma
import gymnasium
import numpy as np
import pytest
import torch
from brainformers import check
from brainformers.check import _sensory
from brainformers.sensory import attention_neuron as ref
from brainformers.sensory import evolution, senses
from checking import assert_rejected, run

# ----------------------------------------------------------------- shuffled senses


class Wrapper(gymnasium.Wrapper):
    """A plain version with switchable mistakes."""

    def __init__(self, env, rng, every=None, mistake=None):
        super().__init__(env)
        self.rng, self.every, self.mistake = rng, every, mistake
        self.permutation = np.arange(env.observation_space.shape[0])
        self.order = self.permutation  # the order applied; the same array unless a mistake
        self.t = 0
        if mistake == "same-every-episode":
            self.order = self.permutation = self.rng.permutation(len(self.order))

    def _draw(self):
        if self.mistake == "global-rng":
            return np.random.permutation(len(self.order))  # noqa: NPY002 — the mistake tested
        return self.rng.permutation(len(self.order))

    def _set(self, order):
        self.order = order
        if self.mistake == "inverse-stored":
            self.permutation = np.argsort(order)  # applies π⁻¹ while storing π
        elif self.mistake != "never-stored":
            self.permutation = order

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        if self.mistake != "same-every-episode":
            self._set(self._draw())
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
            self._set(self._draw())
        return self._look(obs), reward, terminated, truncated, info

    def _look(self, obs):
        return obs if self.mistake == "actions" else obs[self.order]


def wrapper(mistake):
    def make(env, rng, every=None):
        return Wrapper(env, rng, every, mistake)

    return make


def test_shuffle_cases_hold_for_the_reference():
    assert _sensory._shuffle_behaviour(senses.ShuffledObservations) == 3


def test_shuffle_plain_version_passes(capsys):
    mine = wrapper(None)
    result, out = run(check.shuffled_observations, mine, capsys)
    assert result is mine and out == "✓ shuffled_observations: all 3 checks passed.\n"


class ByTakeAndCountdown(gymnasium.Wrapper):
    """Right but unusual: a countdown to the next draw, np.take, the order kept as a list."""

    def __init__(self, env, rng, every=None):
        super().__init__(env)
        self.rng, self.every = rng, every
        self.permutation, self.steps, self.left = list(range(5)), 0, None

    def _draw(self, n):
        self.permutation = list(self.rng.permutation(n))
        self.left = self.every

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.steps = 0
        self._draw(len(obs))
        return np.take(obs, self.permutation), info

    def step(self, action):
        obs, *rest = self.env.step(action)
        self.steps += 1
        if self.left is not None:
            self.left -= 1
            if self.left == 0:
                self._draw(len(obs))
        return (np.take(obs, self.permutation), *rest)


class ByIndexMatrix(gymnasium.Wrapper):
    """Right but unusual: the permutation applied as a 0/1 matrix, float32 observations."""

    def __init__(self, env, rng, every=None):
        super().__init__(env)
        self.rng, self.every, self.steps = rng, every, 0
        self.permutation = np.arange(5)

    def _look(self, obs):
        matrix = np.eye(len(obs), dtype=np.float32)[self.permutation]  # row j picks channel π(j)
        return matrix @ np.asarray(obs, dtype=np.float32)

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.steps, self.permutation = 0, self.rng.permutation(len(obs))
        return self._look(obs), info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        if self.every and not self.steps % self.every:
            self.permutation = self.rng.permutation(len(obs))
        return self._look(obs), reward, terminated, truncated, info


@pytest.mark.parametrize("cls", [ByTakeAndCountdown, ByIndexMatrix])
def test_shuffle_right_but_unusual_versions_pass(cls, capsys):
    result, out = run(check.shuffled_observations, cls, capsys)
    assert result is cls, out


class Subclass(senses.ShuffledObservations):
    """One-line delegation: the library's wrapper under the student's name."""


@pytest.mark.parametrize("cls", [senses.ShuffledObservations, Subclass])
def test_shuffle_delegation_to_the_library_is_rejected(cls, capsys):
    assert_rejected(
        check.shuffled_observations,
        cls,
        senses.ShuffledObservations,
        capsys,
        "the library's own senses.ShuffledObservations",
    )


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("once-per-episode", "never changed within an episode"),
        ("same-every-episode", "every episode has the same order"),
        ("actions", "pass the action through untouched"),
        ("off-by-one", "the order changed at step 3"),
        ("count-not-reset", "counted from the reset"),
        ("global-rng", "draw every permutation from the rng passed in"),
        ("never-stored", "but self.permutation is [0, 1, 2, 3, 4]"),
        ("inverse-stored", "the inverse of self.permutation"),
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


def test_attention_plain_version_passes(capsys):
    def mine(q, k, v):
        return attend(q, k, v)

    result, out = run(check.fixed_query_attention, mine, capsys)
    assert result is mine and out == "✓ fixed_query_attention: all 3 checks passed.\n"


def float32_torch(q, k, v):
    """Right but unusual: computed in torch float32, answered as float32 NumPy arrays."""
    q, k, v = (torch.from_numpy(a).float() for a in (q, k, v))
    weights = torch.tanh(q @ k.transpose(-1, -2) / k.shape[-1] ** 0.5)
    return torch.tanh((weights @ v[..., None])[..., 0]).numpy(), weights.numpy()


def einsum_loop(q, k, v):
    """Right but unusual: one query at a time, with einsum."""
    rows = [
        np.tanh(np.einsum("...d,...nd->...n", q[..., a, :], k) / np.sqrt(k.shape[-1]))
        for a in range(q.shape[-2])
    ]
    weights = np.stack(rows, axis=-2)
    return np.tanh(np.einsum("...mn,...n->...m", weights, v)), weights


@pytest.mark.parametrize("fn", [float32_torch, einsum_loop])
def test_attention_right_but_unusual_versions_pass(fn, capsys):
    result, out = run(check.fixed_query_attention, fn, capsys)
    assert result is fn, out


def calls_the_library(q, k, v):
    return ref.fixed_query_attention(q, k, v)


def dummy_call_then_mine(q, k, v):
    """The library's function called (its result unused), the answer written out."""
    ref.fixed_query_attention(q, k, v)
    return attend(q, k, v)


@pytest.mark.parametrize("fn", [ref.fixed_query_attention, calls_the_library, dummy_call_then_mine])
def test_attention_delegation_is_rejected(fn, capsys):
    assert_rejected(
        check.fixed_query_attention, fn, ref.fixed_query_attention, capsys, "the library's"
    )


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


def test_lstm_plain_version_passes(capsys):
    def mine(*args):
        return lstm(*args)

    result, out = run(check.sensory_lstm, mine, capsys)
    assert result is mine and out == "✓ sensory_lstm: all 3 checks passed.\n"


def lstm_stacked_weights(obs, prev, h, c, w_x, w_h, b):
    """Right but unusual: [x_i, h_i] times the stacked weights, gates by reshape, tanh sigmoid."""
    hidden = h.shape[-1]
    x = np.concatenate(
        [obs[..., None], np.broadcast_to(np.asarray(prev)[..., None, None], obs.shape + (1,)), h],
        axis=-1,
    )
    z = x @ np.vstack([w_x, w_h]) + b  # (..., n, 4 hidden)
    gates = z.reshape(*z.shape[:-1], 4, hidden)
    i, f, g, o = (gates[..., k, :] for k in range(4))
    sig = lambda v: 0.5 * (1 + np.tanh(v / 2))  # noqa: E731
    c_new = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c_new), c_new


def test_lstm_right_but_unusual_version_passes(capsys):
    result, out = run(check.sensory_lstm, lstm_stacked_weights, capsys)
    assert result is lstm_stacked_weights, out


def lstm_library_wrapped(obs, prev, h, c, w_x, w_h, b):
    return ref.sensory_lstm(obs, prev, h, c, w_x, w_h, b)


@pytest.mark.parametrize("fn", [ref.sensory_lstm, lstm_library_wrapped])
def test_lstm_delegation_is_rejected(fn, capsys):
    assert_rejected(check.sensory_lstm, fn, ref.sensory_lstm, capsys, "the library's")


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
    best, luckiest, last_best = [], [], None
    for _ in range(n_generations):
        xs = es.ask()
        if mistake == "one-at-a-time":
            scores = np.array([fitness(np.asarray(x)) for x in xs])
        else:
            scores = np.asarray(fitness(np.asarray(xs)))
        es.tell(xs, list(scores if mistake == "maximise-sign" else -scores))
        best.append(scores.min() if mistake == "worst" else scores.max())
        if not luckiest or scores.max() > luckiest[0]:
            luckiest[:] = [scores.max(), np.asarray(xs[int(np.argmax(scores))])]
        last_best = np.asarray(xs[int(np.argmax(scores))])
    if mistake == "x0":
        return np.asarray(x0), np.array(best)
    if mistake == "luckiest":
        return luckiest[1], np.array(best)
    if mistake == "last-best":
        return last_best, np.array(best)
    if mistake == "cma-best":
        return es.best.x, np.array(best)
    return es.mean, np.array(best)


def test_evolve_cases_hold_for_the_reference():
    result = evolution.evolve(_sensory._peak, np.zeros(4), 0.5, 10, 80, 0)
    assert np.abs(result[0] - 1.5).max() < 0.05


def test_evolve_plain_version_passes(capsys):
    def mine(*args):
        return my_evolve(*args)

    result, out = run(check.evolve, mine, capsys)
    assert result is mine and out == "✓ evolve: all 2 checks passed.\n"


def favourite_evolve(fitness, x0, sigma0, popsize, n_generations, seed):
    """Right but unusual: es.result.xfavorite (the mean), scores told as an array."""
    es = cma.CMAEvolutionStrategy(x0, sigma0, {"popsize": popsize, "seed": seed + 1, "verbose": -9})
    best = np.zeros(n_generations)
    for g in range(n_generations):
        xs = np.array(es.ask())
        scores = fitness(xs)
        es.tell(list(xs), -np.asarray(scores))
        best[g] = np.max(scores)
    return np.array(es.result.xfavorite), best


def hand_written_es(fitness, x0, sigma0, popsize, n_generations, seed):
    """Right but unusual, no cma: sample, rank, move the mean to the best half's weighted mean."""
    rng = np.random.default_rng(seed)
    mean, sigma, best = np.array(x0, dtype=float), sigma0, np.zeros(n_generations)
    mu = popsize // 2
    weights = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    weights /= weights.sum()
    for g in range(n_generations):
        xs = mean + sigma * rng.standard_normal((popsize, len(mean)))
        scores = fitness(xs)
        ranked = xs[np.argsort(-scores)[:mu]]
        step = weights @ ranked - mean
        mean = mean + step
        sigma *= 0.97
        best[g] = scores.max()
    return mean, best


@pytest.mark.parametrize("fn", [favourite_evolve, hand_written_es])
def test_evolve_right_but_unusual_versions_pass(fn, capsys):
    result, out = run(check.evolve, fn, capsys)
    assert result is fn, out


def evolve_by_library(fitness, x0, sigma0, popsize, n_generations, seed):
    return evolution.evolve(fitness, x0, sigma0, popsize, n_generations, seed)


@pytest.mark.parametrize("fn", [evolution.evolve, evolve_by_library])
def test_evolve_delegation_is_rejected(fn, capsys):
    assert_rejected(check.evolve, fn, evolution.evolve, capsys, "the library's")


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("maximise-sign", "tell it the negated scores"),
        ("seed-0", "seed from the clock"),
        ("no-popsize", "the 'popsize' option"),
        ("one-at-a-time", "once per generation with all candidates"),
        ("worst", "worst score of each generation"),
        ("x0", "still x0"),
        ("luckiest", "one of the candidates scored"),
        ("last-best", "one of the candidates scored"),
        ("cma-best", "one of the candidates scored"),
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
