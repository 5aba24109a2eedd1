"""Checkers for chapter 03 (TEM-t): walks, the visited mask, path integration, memory lookup,
and the route error of learned transitions.

The walk checker tests properties rather than one stored answer — a random walk has no
single right output — : shapes and dtypes, the start node, legality of every move
(:func:`brainformers.tem.check_walk`), reproducibility from the generator it is given,
and that each legal action is chosen about equally often, at the first step and at later
ones, whatever the move before. The other checkers compare
with the reference of :mod:`brainformers.tem` on seeded cases, matching known mistakes
first so the message can name them.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .. import attention as attention_module
from .. import tem as ref
from ..attention import causal_mask, scaled_dot_product_attention
from ._core import (
    CheckFailed,
    as_pair,
    compare,
    compare_number,
    intercepting,
    run_checks,
    seeded,
)

# ------------------------------------------------------------------ random walk

_WALK_CASES = (  # (width, height, n_steps, start)
    (4, 4, 30, 5),
    (3, 5, 12, 0),
    (2, 2, 1, 3),
)
_STAY_HINT = (
    "the walk stays on the same node for a step — a move into a wall is not taken: choose "
    "among world.legal_actions(node) only."
)


def _walk_output(fn: Callable, world: ref.GridWorld, n_steps: int, seed: int, start: int, case):
    result = fn(world, n_steps, np.random.default_rng(seed), start)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise CheckFailed(
            f"{case}: expected a tuple (nodes, actions), got {type(result).__name__}."
        )
    nodes, actions = result
    for name, x, length in (("nodes", nodes, n_steps + 1), ("actions", actions, n_steps)):
        if not isinstance(x, np.ndarray):
            raise CheckFailed(
                f"{case}: {name} should be a NumPy array, got {type(x).__name__} — "
                f"return np.array({name})."
            )
        if not np.issubdtype(x.dtype, np.integer):
            raise CheckFailed(f"{case}: {name} should hold integers, got dtype {x.dtype}.")
        if x.shape != (length,):
            off_by_one = {
                "nodes": "a walk of n_steps moves visits n_steps + 1 nodes, the start included.",
                "actions": "one action per move: n_steps actions.",
            }[name]
            raise CheckFailed(
                f"{case}: expected {name} of shape ({length},), got {x.shape} — {off_by_one}"
            )
    return nodes, actions


def _random_walk_cases(fn: Callable) -> int:
    n_checks = 0
    for k, (width, height, n_steps, start) in enumerate(_WALK_CASES):
        world = ref.GridWorld(width, height)
        case = f"case {k + 1} ({height} × {width} world, {n_steps} steps from node {start})"
        nodes, actions = _walk_output(fn, world, n_steps, 10 + k, start, case)
        if nodes[0] != start:
            raise CheckFailed(f"{case}: the walk must start at node {start}, got {nodes[0]}.")
        if n_steps and (nodes[1:] == nodes[:-1]).any():
            raise CheckFailed(f"{case}: {_STAY_HINT}")
        try:
            ref.check_walk(world, nodes[None], actions[None])
        except ValueError as error:
            raise CheckFailed(f"{case}: {error}.") from None
        again = _walk_output(fn, world, n_steps, 10 + k, start, case)
        if not (np.array_equal(again[0], nodes) and np.array_equal(again[1], actions)):
            raise CheckFailed(
                f"{case}: two calls with the same seed gave different walks — draw every "
                "random number from the generator `rng` you are given (rng.choice, "
                "rng.integers), not from np.random or random."
            )
        n_checks += 1
    n_checks += _uniformity_cases(fn)
    n_checks += _later_steps_cases(fn)
    return n_checks


def _uniformity_cases(fn: Callable) -> int:
    """From a corner, an edge and the middle of a 3 × 3 world, every legal first move must
    be about equally likely (400 one-step walks each; 5 standard deviations of slack)."""
    world = ref.GridWorld(3, 3)
    rng = np.random.default_rng(20)
    for start, where in ((0, "a corner"), (1, "an edge"), (4, "the middle")):
        legal = world.legal_actions(start)
        counts = dict.fromkeys(legal, 0)
        n_walks = 400
        for _ in range(n_walks):
            nodes, actions = _walk_output(
                fn, world, 1, int(rng.integers(2**31)), start, f"one-step walks from {where}"
            )
            action = int(actions[0])
            if action not in counts:
                raise CheckFailed(
                    f"one-step walks from {where} (node {start}): action {action} is not legal "
                    f"there; legal actions are {legal}."
                )
            counts[action] += 1
        p = 1 / len(legal)
        slack = 5 * math.sqrt(n_walks * p * (1 - p))
        if any(abs(c - n_walks * p) > slack for c in counts.values()):
            named = {ref.ACTION_NAMES[a]: c for a, c in counts.items()}
            raise CheckFailed(
                f"one-step walks from {where} (node {start}): the legal moves should be "
                f"equally likely (about {n_walks * p:.0f} each of {n_walks}), got {named} — "
                "pick uniformly among world.legal_actions(node)."
            )
    return 3


def _later_steps_cases(fn: Callable) -> int:
    """Later moves must be uniform too, and must not depend on the move before: over 300
    walks of 20 steps on a 3 × 3 world, every node's legal moves are about equally
    frequent, and the walk reverses its last move as often as a uniform choice does
    (1 / number of legal moves); 5 standard deviations of slack each."""
    world = ref.GridWorld(3, 3)
    rng = np.random.default_rng(21)
    n_walks, n_steps = 300, 20
    counts = np.zeros((world.n_nodes, 4))
    reversals = expected = variance = 0.0
    for _ in range(n_walks):
        start = int(rng.integers(world.n_nodes))
        nodes, actions = _walk_output(
            fn, world, n_steps, int(rng.integers(2**31)), start, "20-step walks"
        )
        try:
            ref.check_walk(world, nodes[None], actions[None])
        except ValueError as error:
            raise CheckFailed(f"20-step walks from node {start}: {error}.") from None
        np.add.at(counts, (nodes[1:-1], actions[1:]), 1)  # moves after the first
        for t in range(1, n_steps):
            p = 1 / len(world.legal_actions(int(nodes[t])))
            reversals += actions[t] == (actions[t - 1] + 2) % 4
            expected += p
            variance += p * (1 - p)
    for node in range(world.n_nodes):
        legal = world.legal_actions(node)
        n = counts[node].sum()
        p = 1 / len(legal)
        slack = 5 * math.sqrt(n * p * (1 - p))
        if any(abs(counts[node, a] - n * p) > slack for a in legal):
            named = {ref.ACTION_NAMES[a]: int(counts[node, a]) for a in legal}
            raise CheckFailed(
                f"20-step walks: after the first step, the moves from node {node} should be "
                f"equally likely (about {n * p:.0f} each of {n:.0f}), got {named} — every "
                "step, not only the first, picks uniformly among world.legal_actions(node)."
            )
    if abs(reversals - expected) > 5 * math.sqrt(variance):
        raise CheckFailed(
            f"20-step walks: the walk reversed its previous move {reversals:.0f} times where a "
            f"uniform choice reverses about {expected:.0f} times — each move must be drawn "
            "afresh from all legal moves, going back the way you came included, whatever "
            "the move before was."
        )
    return 1


def reference_random_walk(
    world: ref.GridWorld, n_steps: int, rng: np.random.Generator, start: int
) -> tuple[np.ndarray, np.ndarray]:
    """One walk from :func:`brainformers.tem.random_walks`, in the exercise's signature."""
    nodes, actions = ref.random_walks(world, 1, n_steps, rng, start=start)
    return nodes[0], actions[0]


def random_walk(fn: Callable) -> Callable:
    """Check ``random_walk(world, n_steps, rng, start) -> (nodes, actions)`` for one walk."""
    return run_checks("random_walk", fn, reference_random_walk, _random_walk_cases)


# ------------------------------------------------------------------ visited mask


def _visited_cases(fn: Callable) -> int:
    walks = ref.random_walks(ref.GridWorld(3, 3), 6, 25, np.random.default_rng(30)).nodes
    long_walks = ref.random_walks(ref.GridWorld(8, 8), 2, 300, np.random.default_rng(31)).nodes
    cases = [
        ("case 1 (one walk 4 → 1 → 4 → 5 → 4)", np.array([[4, 1, 4, 5, 4]])),
        ("case 2 (6 random walks of 25 steps on a 3 × 3 world)", walks),
        ("case 3 (one walk that never returns)", np.array([[0, 1, 2, 5, 8]])),
        (  # out along a corridor and back: the start is met again 60 steps later
            "case 4 (one walk of 60 steps out 30 nodes and back to its start)",
            np.array([list(range(31)) + list(range(29, -1, -1))]),
        ),
        ("case 5 (2 random walks of 300 steps on an 8 × 8 world)", long_walks),
    ]
    for case, nodes in cases:
        want = ref.visited_mask(nodes)
        inclusive = np.ones_like(want)  # the present step counted as a visit
        shifted = np.zeros_like(want)
        shifted[:, 1:] = want[:, :-1]
        compare(
            "visited",
            fn(nodes.copy()),
            want,
            case,
            "(n_walks, n_steps + 1)",
            mistakes=[
                (
                    inclusive,
                    "every step is marked visited — only visits at EARLIER steps count: "
                    "check whether the node was seen before you record the present visit.",
                ),
                (~want, "True and False are swapped: True means the node was visited before."),
                (shifted, "the mask is one step late: entry t is about nodes[:, t] itself."),
            ],
        )
    return len(cases)


def visited_mask(fn: Callable) -> Callable:
    """Check ``visited_mask(nodes)`` against :func:`brainformers.tem.visited_mask`."""
    return run_checks("visited_mask", fn, ref.visited_mask, _visited_cases)


# ------------------------------------------------------------------ path integration


def _position_cases(fn: Callable) -> int:
    cases = []
    for k, (batch, d_pos, n_actions) in enumerate(((5, 8, 4), (3, 6, 4), (1, 4, 2))):
        g = seeded(40 + k)
        e = F.normalize(torch.randn(batch, d_pos, generator=g), dim=-1)
        w = torch.eye(d_pos) + 0.5 * torch.randn(n_actions, d_pos, d_pos, generator=g)
        a = torch.randint(0, n_actions, (batch,), generator=g)
        a[0] = n_actions - 1  # the last action always appears
        cases.append((f"case {k + 1} (batch={batch}, d_pos={d_pos}, {n_actions} actions)", e, a, w))
    for case, e, a, w in cases:
        want = ref.position_step(e, a, w)
        moved = torch.einsum("bd,bde->be", e, w[a])
        transposed = torch.einsum("bd,bed->be", e, w[a])
        compare(
            "the new position code",
            fn(e.clone(), a.clone(), w.clone()),
            want,
            case,
            "(batch, d_pos)",
            mistakes=[
                (moved, "not normalised: divide each row by its norm, F.normalize(x, dim=-1)."),
                (
                    F.normalize(transposed, dim=-1),
                    "you applied W_a from the left (W_a e); codes are row vectors: e @ W_a.",
                ),
                (
                    F.normalize(moved, dim=0),
                    "normalised over the batch (dim=0); normalise each code: dim=-1.",
                ),
                (
                    F.normalize(e @ w[a[0]], dim=-1),
                    "every walk moved by the first walk's action; use W_{a_b} for walk b "
                    "(transitions[actions]).",
                ),
            ],
        )
    return len(cases)


def position_step(fn: Callable) -> Callable:
    """Check ``position_step(position, actions, transitions)`` against the reference."""
    return run_checks("position_step", fn, ref.position_step, _position_cases)


# ------------------------------------------------------------------ memory lookup


def _lookup_variant(
    positions: torch.Tensor,
    values: torch.Tensor,
    null_key: torch.Tensor,
    null_value: torch.Tensor,
    beta: float,
    *,
    cosine: bool = True,
    see_present: bool = False,
    log_scale: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference lookup, or one of the known mistakes, for the messages."""
    batch, seq, _ = positions.shape
    unit = F.normalize(positions, dim=-1) if cosine else positions
    null_k = F.normalize(null_key, dim=-1) if cosine else null_key
    n_memories = torch.arange(seq, dtype=positions.dtype)
    scale = beta * torch.log1p(n_memories) if log_scale else torch.full((seq,), beta)
    keys = torch.cat([null_k.expand(batch, 1, -1), unit], dim=1)
    vals = torch.cat([null_value.expand(batch, 1, -1), values], dim=1)
    mask = causal_mask(seq + 1)[1:] if see_present else causal_mask(seq + 1)[:-1]
    return scaled_dot_product_attention(unit * scale[:, None], keys, vals, mask=mask, scale=1.0)


def _lookup_cases(fn: Callable) -> int:
    cases = []
    for k, (batch, seq, d_pos, d_v, beta) in enumerate(((2, 7, 6, 5, 2.0), (3, 5, 4, 3, 0.7))):
        g = seeded(50 + k)
        positions = 2.0 * torch.randn(batch, seq, d_pos, generator=g)  # not unit norm on purpose
        values = F.one_hot(torch.randint(0, d_v, (batch, seq), generator=g), d_v).float()
        null_key = torch.randn(d_pos, generator=g)
        null_value = torch.randn(d_v, generator=g)
        case = f"case {k + 1} (batch={batch}, seq={seq}, d_pos={d_pos}, β={beta})"
        cases.append((case, positions, values, null_key, null_value, beta))
    n_calls = 0
    for case, positions, values, null_key, null_value, beta in cases:
        args = (positions, values, null_key, null_value, beta)
        want_out, want_w = ref.memory_lookup(*args)
        copies = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
        with _recording_attention(fn) as outputs:
            result = fn(*copies)
        n_calls += len(outputs)
        got_out, got_w = as_pair(result, case)
        batch, seq, _ = positions.shape
        if isinstance(got_w, torch.Tensor) and got_w.shape == (batch, seq, seq):
            raise CheckFailed(
                f"{case}: expected weights of shape {tuple(want_w.shape)} (batch, seq, seq + 1), "
                f"got {tuple(got_w.shape)} — the null memory is missing: put null_key / "
                "null_value in front of the keys and values, so step 0 has something to "
                "attend to."
            )
        mistakes = _lookup_mistakes(args)
        compare(
            "the attention weights",
            got_w,
            want_w,
            case,
            "(batch, seq, seq + 1)",
            mistakes=[(w, hint) for (_, w), hint in mistakes],
        )
        compare("the retrieved values", got_out, want_out, case, "(batch, seq, d_v)")
        if outputs and not any(
            isinstance(o, torch.Tensor) and o.shape == got_out.shape and torch.equal(o, got_out)
            for o in outputs
        ):
            raise CheckFailed(
                f"{case}: you called scaled_dot_product_attention, but the retrieved values "
                "you return are not what that call returned — the lookup was computed "
                "elsewhere. Return the output of the attention call itself, made with your "
                "queries, keys, values and mask."
            )
    if n_calls == 0:
        raise CheckFailed(
            "memory_lookup must call chapter 01's scaled_dot_product_attention (or torch's "
            "F.scaled_dot_product_attention); it computed its own softmax. The values are "
            "right — now get them from one call of it, with your queries, keys, values and "
            "mask, and its own 1/√d scaling switched off."
        )
    return len(cases)


@contextlib.contextmanager
def _recording_attention(fn: Callable) -> Iterator[list[torch.Tensor]]:
    """Record the output of every attention call ``fn`` makes: chapter 01's
    :func:`~brainformers.attention.scaled_dot_product_attention` (its first output) or
    torch's ``F.scaled_dot_product_attention``, wherever ``fn`` can reach them by name."""
    outputs: list[torch.Tensor] = []
    torch_sdpa = torch.nn.functional.scaled_dot_product_attention

    def ours(*args: Any, **kwargs: Any) -> Any:
        result = scaled_dot_product_attention(*args, **kwargs)
        outputs.append(result[0] if isinstance(result, tuple) else result)
        return result

    def theirs(*args: Any, **kwargs: Any) -> Any:
        result = torch_sdpa(*args, **kwargs)
        outputs.append(result)
        return result

    wrappers = [(scaled_dot_product_attention, ours), (torch_sdpa, theirs)]
    with intercepting(fn, wrappers, (attention_module, torch.nn.functional)):
        yield outputs


def _lookup_mistakes(args: tuple[Any, ...]) -> list[tuple[tuple[torch.Tensor, torch.Tensor], str]]:
    return [
        (
            _lookup_variant(*args, see_present=True),
            "step t attends to its own memory (and so sees the answer): the mask must let "
            "query t see the null key and e_0 … e_{t-1} only — causal_mask(seq + 1)[:-1].",
        ),
        (
            _lookup_variant(*args, cosine=False),
            "scores are raw dot products: normalise positions and the null key first "
            "(F.normalize(x, dim=-1)) so the score is a cosine similarity.",
        ),
        (
            _lookup_variant(*args, log_scale=False),
            "the scale is β at every step; it must grow with the number of memories: "
            "β · log(1 + t) at step t (torch.log1p).",
        ),
    ]


def memory_lookup(fn: Callable) -> Callable:
    """Check ``memory_lookup(positions, values, null_key, null_value, beta)`` against the
    reference :func:`brainformers.tem.memory_lookup`, and that it calls chapter 01's
    :func:`~brainformers.attention.scaled_dot_product_attention`."""
    return run_checks("memory_lookup", fn, ref.memory_lookup, _lookup_cases)


# ------------------------------------------------------------------ route error


def _route_variant(codes, transitions, route, other, *, mistake: str) -> float:
    """The reference route error, or one of the known mistakes, for the messages."""

    def follow(r):
        e = codes
        for a in reversed(r) if mistake == "reversed" else r:
            e = e @ (transitions[a].T if mistake == "left" else transitions[a])
        return e

    a, b = follow(route), follow([] if mistake == "start" else other)
    if mistake == "relative_norm":
        return float(((a - b).norm(dim=-1) / b.norm(dim=-1)).mean())
    cos = F.cosine_similarity(a, b, dim=-1)
    return float(cos.mean()) if mistake == "cosine" else float((1 - cos).mean())


def _route_cases(fn: Callable) -> int:
    g = seeded(60)
    d_pos = 6
    codes = 3.0 * torch.randn(40, d_pos, generator=g)  # not unit norm on purpose
    transitions = torch.eye(d_pos) + 0.6 * torch.randn(4, d_pos, d_pos, generator=g)
    cases = [  # routes chosen so that every mistake changes the answer
        ("case 1 (N then E, against the start)", [0, 1], []),
        ("case 2 (N then E, against E then N)", [0, 1], [1, 0]),
        ("case 3 (S, W, W, against N then E)", [2, 3, 3], [0, 1]),
        ("case 4 (N then S, against the start)", [0, 2], []),
    ]
    for case, route, other in cases:
        args = (codes, transitions, route, other)
        want = ref.route_error(*args)
        got = fn(codes.clone(), transitions.clone(), list(route), list(other))
        if isinstance(got, torch.Tensor) and got.numel() != 1:
            raise CheckFailed(
                f"{case}: expected one number (the mean over codes), got a tensor of shape "
                f"{tuple(got.shape)} — average the per-code errors."
            )
        compare_number(
            "the route error",
            got,
            want,
            case,
            mistakes=[
                (
                    _route_variant(*args, mistake="cosine"),
                    "that is the mean cosine similarity; the error is 1 − cosine "
                    "(0 when the two routes end on the same code).",
                ),
                (
                    _route_variant(*args, mistake="left"),
                    "you applied W_a from the left (W_a e); codes are row vectors: e @ W_a.",
                ),
                (
                    _route_variant(*args, mistake="reversed"),
                    "the moves are applied in reverse order; the first move of the route is "
                    "the first matrix to multiply: e W_{r1} W_{r2} ….",
                ),
                (
                    _route_variant(*args, mistake="start"),
                    "the route was compared with the start code; compare it with the end of "
                    "the second route `other` (which is the start only when it is empty).",
                ),
                (
                    _route_variant(*args, mistake="relative_norm"),
                    "that is a relative distance ‖a − b‖ / ‖b‖; compare directions by cosine "
                    "(F.cosine_similarity), since the code's length carries no position.",
                ),
            ],
            rtol=1e-4,  # float32 sums over 40 codes
        )
    return len(cases)


def route_error(fn: Callable) -> Callable:
    """Check ``route_error(codes, transitions, route, other)`` against
    :func:`brainformers.tem.route_error`."""
    return run_checks("route_error", fn, ref.route_error, _route_cases)


# ------------------------------------------------------------------ hand-set W_a

_GRID_CASES = ((64, 70), (32, 71))  # (d_pos, seed of the generator handed over)
_GRID_REACH = 5  # displacements up to 5 nodes each way: every pair of nodes of a 6 × 6 world
_SAME_PLACE = 0.9  # a cosine above this between two places' codes: the memory confuses them


def _projective_gap(m: torch.Tensor) -> tuple[float, float]:
    """(largest |m / c − I| entry, c) for c = trace(m) / d: m is c·I up to that gap."""
    c = float(torch.diagonal(m).mean())
    if c <= 0:
        return math.inf, c
    return float((m / c - torch.eye(m.shape[0], dtype=m.dtype)).abs().max()), c


def _grid_matrices(fn: Callable, d_pos: int, seed: int, case: str) -> torch.Tensor:
    w = fn(d_pos, np.random.default_rng(seed))
    if isinstance(w, np.ndarray):
        raise CheckFailed(
            f"{case}: expected a torch tensor, got a NumPy array — torch.from_numpy(w).float()."
        )
    if not isinstance(w, torch.Tensor):
        raise CheckFailed(f"{case}: expected a torch tensor, got {type(w).__name__}.")
    if w.shape != (4, d_pos, d_pos):
        hint = ""
        if w.shape == (4, d_pos // 2, 2, 2):
            hint = " — you returned the 2 × 2 blocks; place them on the diagonal of a d × d matrix."
        elif w.numel() == 4 * d_pos * d_pos:
            hint = " — one (d_pos, d_pos) matrix per action, the action first."
        raise CheckFailed(
            f"{case}: expected shape (4, {d_pos}, {d_pos}) (action, d_pos, d_pos), got "
            f"{tuple(w.shape)}{hint}"
        )
    if not w.is_floating_point():
        raise CheckFailed(f"{case}: expected a floating-point tensor, got {w.dtype}.")
    if not bool(torch.isfinite(w).all()):
        raise CheckFailed(f"{case}: the matrices contain NaN or infinity.")
    return w.detach().to(torch.float64)


def _grid_cases(fn: Callable) -> int:
    n_checks = 0
    for d_pos, seed in _GRID_CASES:
        case = f"case d_pos={d_pos} (generator seed {seed})"
        w = _grid_matrices(fn, d_pos, seed, case)
        again = _grid_matrices(fn, d_pos, seed, case)
        if not torch.allclose(w, again, atol=1e-6):
            raise CheckFailed(
                f"{case}: two calls with generators of the same seed gave different matrices — "
                "draw the wave vectors from the generator rng you are given, not from "
                "np.random or torch.randn."
            )
        n, e, s, west = w
        for first, second, names in ((n, s, "N then S"), (e, west, "E then W")):
            gap, _ = _projective_gap(first @ second)
            if gap > 1e-4:
                if (
                    _projective_gap(n @ e)[0] < 1e-4
                    or _projective_gap(e @ s)[0] < 1e-4
                    or _projective_gap(n @ west)[0] < 1e-4
                ):
                    hint = (
                        "the actions are in the wrong order: index 0, 1, 2, 3 = N, E, S, W, "
                        "so transitions[0] @ transitions[2] must be the identity."
                    )
                elif torch.allclose(first, second, atol=1e-6):
                    hint = (
                        "the two moves have the same matrix; the second moves by the opposite "
                        "displacement (δ_S = −δ_N), so it must turn every plane back."
                    )
                else:
                    hint = (
                        "the second move must undo the first: turn every plane by −k · δ (for "
                        "a rotation, the transpose)."
                    )
                raise CheckFailed(
                    f"{case}: {names} does not bring a code back to where it was "
                    f"(W W' differs from a multiple of I by up to {gap:.3g}) — {hint}"
                )
            n_checks += 1
        gap = float((n @ e - e @ n).abs().max()) / max(float((n @ e).abs().max()), 1e-12)
        if gap > 1e-4:
            raise CheckFailed(
                f"{case}: N then E does not land where E then N does (W_N W_E − W_E W_N up to "
                f"{gap:.3g} of its size) — on a grid the moves commute: use the same planes "
                "(the same basis) for every action and only change the angle, k_j · δ_a."
            )
        n_checks += 1
        n_checks += _grid_places(w, d_pos, seed, case)
    return n_checks


def _grid_places(w: torch.Tensor, d_pos: int, seed: int, case: str) -> int:
    """Codes of every displacement in a 6 × 6 world must differ from the start's."""
    g = torch.Generator().manual_seed(seed)
    start = F.normalize(torch.randn(d_pos, generator=g, dtype=torch.float64), dim=0)
    n, e, s, west = w
    worst, where = -1.0, (0, 0)
    step_cos = []
    for dr in range(-_GRID_REACH, _GRID_REACH + 1):
        for dc in range(-_GRID_REACH, _GRID_REACH + 1):
            if dr == dc == 0:
                continue
            code = start
            for m, count in ((s if dr > 0 else n, abs(dr)), (e if dc > 0 else west, abs(dc))):
                for _ in range(count):
                    code = F.normalize(code @ m, dim=0)
            cos = float(code @ start)
            if abs(dr) + abs(dc) == 1:
                step_cos.append(cos)
            if cos > worst:
                worst, where = cos, (dr, dc)
    if min(step_cos) > 0.99:
        raise CheckFailed(
            f"{case}: one move hardly changes the code (cosine {min(step_cos):.4f} between "
            "neighbouring nodes), so the memory cannot tell neighbours apart — the wave "
            "vectors are (nearly) zero or too short: draw lengths of order one radian per node."
        )
    if worst > _SAME_PLACE:
        raise CheckFailed(
            f"{case}: the code {where[0]} rows and {where[1]} columns away is almost the code at "
            f"the start (cosine {worst:.3f} > {_SAME_PLACE}), so two places share a memory — "
            "every plane needs its own wave vector, in a random direction (both axes), with "
            "a length below π so that one step cannot turn a plane by a whole period."
        )
    return 1


def grid_transitions(fn: Callable) -> Callable:
    """Check ``grid_transitions(d_pos, rng)``: the moves of a 2D grid as (4, d_pos, d_pos)
    matrices. There is no single right answer (the wave vectors are random), so the checker
    tests the properties the chapter needs: N·S and E·W return a code (up to its length),
    N·E = E·N, reproducible from ``rng``, and every place of a 6 × 6 world has a code
    clearly different from every other (cosine ≤ 0.9)."""
    return run_checks("grid_transitions", fn, ref.grid_transitions, _grid_cases)
