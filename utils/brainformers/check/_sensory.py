"""Checkers for chapter 06 (the sensory neuron): shuffled senses, the AttentionNeuron, CMA-ES.

Every case is seeded and small. The wrapper is run on a counting environment whose
observations reveal the permutation in force at every step; the layers are compared with
the references of :mod:`brainformers.sensory.attention_neuron`, and wrong answers are matched
against the outputs of the listed mistakes, computed on the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np

from ..sensory import attention_neuron as ref
from ..sensory import evolution, senses
from ._core import CheckFailed, compare, counting_calls, run_checks

_OWN = "write your own"


def _not_the_library(answer: Any, reference: Callable, name: str) -> None:
    """Refuse the library's reference itself (imported, or handed back after a failed check)."""
    if answer is reference or (isinstance(answer, type) and issubclass(answer, reference)):
        raise CheckFailed(
            f"this is the library's own {name} (or a subclass of it), not your "
            f"implementation — perhaps handed back by an earlier failed check: {_OWN}."
        )


# ------------------------------------------------------------------ shuffled senses


class _Counter(gymnasium.Env):
    """Observation 10·t + (0, 1, 2, 3, 4) after t steps, so each reveals the order in force."""

    observation_space = gymnasium.spaces.Box(-np.inf, np.inf, shape=(5,), dtype=np.float64)
    action_space = gymnasium.spaces.Discrete(2)

    def __init__(self) -> None:
        self.t, self.actions = 0, []

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t = 0
        return np.arange(5.0), {}

    def step(self, action: Any):
        self.t += 1
        self.actions.append(action)
        return np.arange(5.0) + 10.0 * self.t, 1.0, False, False, {}


def _stored_orders(stored: list[Any], orders: np.ndarray, case: str) -> None:
    """``permutation`` must be the order in force at each step: obs = env_obs[permutation]."""
    for t, (kept, order) in enumerate(zip(stored, orders, strict=True)):
        kept = np.asarray(kept)
        if kept.shape == (5,) and np.array_equal(kept, order):
            continue
        if kept.shape == (5,) and np.array_equal(kept, np.argsort(order)):
            raise CheckFailed(
                f"{case}: at step {t} the agent sees the inverse of self.permutation "
                f"({kept.tolist()}): entry j of the observation must be channel "
                "permutation[j], obs[permutation], not the channels scattered to those places."
            )
        raise CheckFailed(
            f"{case}: at step {t} the observation comes in the order {order.tolist()}, but "
            f"self.permutation is {kept.tolist()}: keep the order in force in "
            "self.permutation (the plots undo the shuffle with it) and update it with every draw."
        )


def _orders(wrapped: Any, counter: _Counter, n_steps: int, case: str) -> np.ndarray:
    """Run one episode of n_steps observations; return the (n_steps, 5) orders seen."""
    orders, sent, stored = [], [], []
    obs, _ = wrapped.reset()
    for t in range(n_steps):
        obs = np.asarray(obs, dtype=float)
        if obs.shape != (5,):
            raise CheckFailed(f"{case}: expected observations of shape (5,), got {obs.shape}.")
        order = obs - 10.0 * t
        if not np.array_equal(np.sort(order), np.arange(5.0)):
            raise CheckFailed(
                f"{case}: the observation at step {t} is not a reordering of the "
                f"environment's {np.arange(5.0) + 10 * t} — got {obs}."
            )
        orders.append(order.astype(int))
        stored.append(np.array(getattr(wrapped, "permutation", None)))
        if t < n_steps - 1:
            action = t % 2
            sent.append(action)
            result = wrapped.step(action)
            if not (isinstance(result, tuple) and len(result) == 5):
                raise CheckFailed(
                    f"{case}: step must return (obs, reward, terminated, truncated, info), "
                    f"got {type(result).__name__}."
                )
            obs = result[0]
            if result[1] != 1.0:
                raise CheckFailed(f"{case}: step changed the reward; pass it through.")
    if counter.actions[-len(sent) :] != sent:
        raise CheckFailed(
            f"{case}: the environment received actions {counter.actions[-len(sent) :][:6]}… "
            f"for {sent[:6]}…: pass the action through untouched and permute the observation."
        )
    orders = np.array(orders)
    if (orders != np.arange(5)).any():  # an unshuffled wrapper is told so by the caller
        _stored_orders(stored, orders, case)
    return orders


def _shuffle_cases(cls: Callable) -> int:
    _not_the_library(cls, senses.ShuffledObservations, "senses.ShuffledObservations")
    return _shuffle_behaviour(cls)


def _shuffle_behaviour(cls: Callable) -> int:
    # case 1: one order per episode
    case = "case 1 (every=None, 8 episodes of 12 steps)"
    counter = _Counter()
    wrapped = cls(counter, np.random.default_rng(0), None)
    episodes = [_orders(wrapped, counter, 12, case) for _ in range(8)]
    if all((e == np.arange(5)).all() for e in episodes):
        raise CheckFailed(
            f"{case}: the observations come out in the environment's own order: permute the "
            "observation vector (obs[permutation]) in reset and in step."
        )
    for e in episodes:
        changed = np.flatnonzero((e != e[0]).any(axis=1))
        if changed.size:
            raise CheckFailed(
                f"{case}: with every=None the order must stay fixed for the whole episode, "
                f"but it changed at step {changed[0]}."
            )
    if len({tuple(e[0]) for e in episodes}) == 1:
        raise CheckFailed(
            f"{case}: every episode has the same order {episodes[0][0].tolist()}: draw a new "
            "permutation in reset (self.rng.permutation), not once in __init__."
        )
    # case 2: reshuffle every 4 steps, counted from each reset
    case = "case 2 (every=4, episodes of 11 and 17 steps)"
    counter = _Counter()
    wrapped = cls(counter, np.random.default_rng(1), 4)
    for n_steps in (11, 17):
        orders = _orders(wrapped, counter, n_steps, case)
        changes = [t for t in range(1, n_steps) if (orders[t] != orders[t - 1]).any()]
        wrong = [t for t in changes if t % 4]
        if wrong:
            raise CheckFailed(
                f"{case}: the order changed at step {wrong[0]} of an episode; with every=4 it "
                "may change only at steps 4, 8, 12, … counted from the reset (count the "
                "steps, reset the count in reset, and reshuffle when it is a multiple of 4)."
            )
        blocks = {tuple(orders[t]) for t in range(0, n_steps, 4)}
        if len(blocks) == 1:
            raise CheckFailed(
                f"{case}: the order never changed within an episode of {n_steps} steps: with "
                "every=K draw a new permutation after the K-th, 2K-th, … step."
            )
    # case 3: the draws come from the generator given
    case = "case 3 (two wrappers with equal generators)"
    runs = []
    for _ in range(2):
        counter = _Counter()
        wrapped = cls(counter, np.random.default_rng(2), 3)
        runs.append(np.concatenate([_orders(wrapped, counter, 10, case) for _ in range(3)]))
    if not np.array_equal(*runs):
        raise CheckFailed(
            f"{case}: two wrappers given equal generators shuffled differently: draw every "
            "permutation from the rng passed in (self.rng.permutation), so runs are reproducible."
        )
    return 3


def shuffled_observations(cls: Callable) -> Callable:
    """Check a student's wrapper class ``ShuffleSenses(env, rng, every=None)``."""
    return run_checks("shuffled_observations", cls, senses.ShuffledObservations, _shuffle_cases)


# ------------------------------------------------------------------ fixed-query attention


def _pair(result: Any, case: str) -> tuple[Any, Any]:
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(
            f"{case}: expected a tuple (latent, weights), got {type(result).__name__}."
        )
    return result


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _as_float64(answer: Any) -> Any:
    """A float32 (or float16) array as float64, so that its values are compared, not its dtype.

    The text does not ask for a dtype: an answer computed in float32 (through torch, say)
    is right if its values are, within the comparison's tolerance.
    """
    if isinstance(answer, np.ndarray) and answer.dtype in (np.float32, np.float16):
        return answer.astype(np.float64)
    return answer


def _delegates(fn: Callable, target: Callable, module: Any, call: Callable[[], Any]) -> Any:
    """Run ``call()``; fail if ``fn`` is the library's ``target`` or called it on the way."""
    _not_the_library(fn, target, f"{module.__name__.rsplit('.', 1)[-1]}.{target.__name__}")
    with counting_calls(fn, target, module) as counter:
        result = call()
    if counter.n_calls:
        raise CheckFailed(
            f"your function calls the library's {target.__name__}, which does the exercise for "
            f"you: {_OWN}, without it."
        )
    return result


def _attention_cases(fn: Callable) -> int:
    rng = np.random.default_rng(10)
    cases = [
        ("case 1 (m=6 queries, n=4 channels, d_k=3)", (6, 3), (4, 3), (4,)),
        ("case 2 (a batch of 2, m=5, n=7, d_k=8)", (2, 5, 8), (2, 7, 8), (2, 7)),
        ("case 3 (m=16, n=4, d_k=8, large scores)", (16, 8), (4, 8), (4,)),
    ]
    for case, q_shape, k_shape, v_shape in cases:
        scale = 3.0 if "large" in case else 1.0
        q, k = scale * rng.normal(size=q_shape), rng.normal(size=k_shape)
        v = rng.normal(size=v_shape)
        want_m, want_w = ref.fixed_query_attention(q, k, v)
        scores = q @ np.swapaxes(k, -1, -2)
        d_k = q.shape[-1]
        scaled = scores / np.sqrt(d_k)

        answer = _delegates(
            fn,
            ref.fixed_query_attention,
            ref,
            lambda q=q, k=k, v=v: fn(q.copy(), k.copy(), v.copy()),
        )
        got_m, got_w = (_as_float64(a) for a in _pair(answer, case))
        transposed = "(n, m): you computed K Qᵀ — the queries give the rows, Q Kᵀ."
        compare(
            "weights",
            got_w,
            want_w,
            case,
            "(..., m, n)",
            shape_hints={tuple(want_w.shape[:-2]) + want_w.shape[-2:][::-1]: transposed},
            mistakes=[
                (
                    _softmax(scaled, -1),
                    "a softmax over the channels; the AttentionNeuron uses "
                    "tanh, so weights need not sum to one and may be negative.",
                ),
                (np.tanh(scores), "not scaled: divide the scores by √d_k before the tanh."),
                (scaled, "the tanh is missing: weights = tanh(Q Kᵀ / √d_k)."),
                (_softmax(scaled, -2), "a softmax over the queries; use tanh."),
            ],
        )
        compare(
            "latent",
            got_m,
            want_m,
            case,
            "(..., m)",
            mistakes=[
                (
                    (want_w @ v[..., None])[..., 0],
                    "the outer tanh is missing: m = tanh(weights · o).",
                ),
            ],
        )
    return len(cases)


def fixed_query_attention(fn: Callable) -> Callable:
    """Check ``fixed_query_attention(queries, keys, values)`` against the reference."""
    return run_checks("fixed_query_attention", fn, ref.fixed_query_attention, _attention_cases)


# ------------------------------------------------------------------ the sensory LSTM


def _swap_blocks(w: np.ndarray, hidden: int, order: tuple[int, ...]) -> np.ndarray:
    blocks = [w[..., k * hidden : (k + 1) * hidden] for k in range(4)]
    return np.concatenate([blocks[k] for k in order], axis=-1)


def _lstm_cases(fn: Callable) -> int:
    rng = np.random.default_rng(20)
    cases = [
        ("case 1 (one step, n=4 neurons, hidden=3)", (), 4, 3),
        ("case 2 (a batch of 2 episodes, n=5, hidden=2)", (2,), 5, 2),
        ("case 3 (a batch of 3, n=4, hidden=4)", (3,), 4, 4),
    ]
    for case, batch, n, hidden in cases:
        obs = rng.normal(size=(*batch, n))
        prev = rng.choice([-1.0, 1.0], size=batch)
        h, c = rng.normal(size=(*batch, n, hidden)), rng.normal(size=(*batch, n, hidden))
        w_x, w_h = rng.normal(size=(2, 4 * hidden)), rng.normal(size=(hidden, 4 * hidden))
        b = rng.normal(size=4 * hidden)
        want_h, want_c = ref.sensory_lstm(obs, prev, h, c, w_x, w_h, b)

        args = {"obs": obs, "prev_action": prev, "h": h, "c": c, "w_x": w_x, "w_h": w_h, "b": b}

        def variant(args: dict = args, **changes: Any) -> tuple[np.ndarray, np.ndarray]:
            return ref.sensory_lstm(**{**args, **changes})

        shared = {
            "h": np.broadcast_to(h.mean(axis=-2, keepdims=True), h.shape),
            "c": np.broadcast_to(c.mean(axis=-2, keepdims=True), c.shape),
        }
        order_ifog = {
            k: _swap_blocks(w, hidden, (0, 1, 3, 2))
            for k, w in (("w_x", w_x), ("w_h", w_h), ("b", b))
        }
        mistakes_h = [
            (
                variant(prev_action=np.zeros(batch))[0],
                "the previous action is missing: each "
                "neuron reads x_i = (o_i, a_{t-1}), a 2-vector.",
            ),
            (
                variant(w_x=w_x[::-1])[0],
                "x_i is (a_{t-1}, o_i); put the observation first: x_i = (o_i, a_{t-1}).",
            ),
            (
                variant(**shared)[0],
                "the neurons share one state; each neuron keeps its own "
                "h_i and c_i (one row per neuron), only the weights are shared.",
            ),
            (
                variant(**order_ifog)[0],
                "gates in the order (i, f, o, g); split z into "
                "[input, forget, cell candidate g, output], PyTorch's order.",
            ),
        ]
        copies = (obs.copy(), prev.copy(), h.copy(), c.copy(), w_x.copy(), w_h.copy(), b.copy())
        result = _delegates(fn, ref.sensory_lstm, ref, lambda copies=copies: fn(*copies))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise CheckFailed(f"{case}: expected a tuple (h, c), got {type(result).__name__}.")
        got_h, got_c = result
        if (
            isinstance(got_h, np.ndarray)
            and got_h.shape == want_h.shape
            and np.allclose(got_h, want_c)
        ):
            raise CheckFailed(f"{case}: you returned (c, h); return (h, c).")
        shape_hints = {
            (*batch, hidden): "one state for all neurons; keep one row per neuron, "
            f"shape (..., n, hidden) = {want_h.shape}."
        }
        compare("h", got_h, want_h, case, "(..., n, hidden)", shape_hints, mistakes_h)
        compare("c", got_c, want_c, case, "(..., n, hidden)", shape_hints)
    return len(cases)


def sensory_lstm(fn: Callable) -> Callable:
    """Check ``sensory_lstm(obs, prev_action, h, c, w_x, w_h, b)`` against the reference."""
    return run_checks("sensory_lstm", fn, ref.sensory_lstm, _lstm_cases)


# ------------------------------------------------------------------ CMA-ES


def _peak(candidates: np.ndarray) -> np.ndarray:
    return -((np.asarray(candidates) - 1.5) ** 2).sum(axis=-1)


def _evolve_cases(fn: Callable) -> int:
    case = "case 1 (maximise -|x - 1.5|², dim 4, popsize 10, 80 generations)"
    calls: list[tuple[int, ...]] = []
    scores: list[np.ndarray] = []
    seen: list[np.ndarray] = []

    def fitness(candidates: np.ndarray) -> np.ndarray:
        calls.append(np.shape(candidates))
        seen.append(np.array(candidates, dtype=float, copy=True))
        scores.append(_peak(candidates))
        return scores[-1]

    result = _delegates(
        fn, evolution.evolve, evolution, lambda: fn(fitness, np.zeros(4), 0.5, 10, 80, 0)
    )
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{case}: expected a tuple (params, best), got {type(result).__name__}.")
    params, best = np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)
    if calls and all(len(s) == 1 for s in calls):
        raise CheckFailed(
            f"{case}: fitness was called with single candidates of shape {calls[0]}; call it "
            "once per generation with all candidates stacked, shape (popsize, dim)."
        )
    if len(calls) != 80 or any(s != (10, 4) for s in calls):
        shapes = sorted(set(calls))
        raise CheckFailed(
            f"{case}: fitness should be called 80 times, each with (10, 4) candidates; it was "
            f"called {len(calls)} times with shapes {shapes[:3]} — ask for popsize candidates "
            "(the 'popsize' option) in every one of n_generations generations."
        )
    if params.shape != (4,):
        raise CheckFailed(f"{case}: params should have shape (4,), got {params.shape}.")
    if np.allclose(params, 0.0):
        raise CheckFailed(f"{case}: params is still x0: return the final mean (es.mean).")
    for generation, candidates in enumerate(seen):
        if candidates.ndim == 2 and candidates.shape[-1] == 4:
            match = np.flatnonzero(np.abs(candidates - params).max(axis=-1) < 1e-12)
            if match.size:
                raise CheckFailed(
                    f"{case}: params is one of the candidates scored (number {match[0]} of "
                    f"generation {generation}) — with noisy scores the luckiest candidate is "
                    "chosen for its luck; return the mean of the search distribution (es.mean)."
                )
    if np.abs(params - 1.5).max() > 0.05:
        first, last = scores[0].max(), scores[-1].max()
        hint = (
            " The scores got worse: CMA-ES minimises, so tell it the negated scores."
            if last < first
            else ""
        )
        raise CheckFailed(
            f"{case}: params = {np.round(params, 3)} is far from the peak at 1.5.{hint}"
        )
    compare(
        "best",
        best,
        np.array([s.max() for s in scores]),
        case,
        "(n_generations,)",
        mistakes=[
            (
                np.array([s.min() for s in scores]),
                "that is the worst score of each generation; record the best (the largest).",
            )
        ],
    )
    case = "case 2 (the same seed twice, then another seed)"
    runs = [np.asarray(fn(_peak, np.zeros(3), 0.5, 6, 5, seed)[0]) for seed in (0, 0, 1)]
    if not np.array_equal(runs[0], runs[1]):
        raise CheckFailed(
            f"{case}: two runs with seed 0 differ. cma reads a seed of 0 as 'seed from the "
            "clock': pass {'seed': seed + 1} in the options."
        )
    if np.array_equal(runs[0], runs[2]):
        raise CheckFailed(f"{case}: seeds 0 and 1 give the same run: pass the seed to cma.")
    return 2


def evolve(fn: Callable) -> Callable:
    """Check ``evolve(fitness, x0, sigma0, popsize, n_generations, seed)``."""
    return run_checks("evolve", fn, evolution.evolve, _evolve_cases)
