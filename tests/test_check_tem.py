"""Chapter-03 checkers: accept the reference and correct versions, name each plausible mistake."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from brainformers import check
from brainformers import tem as ref
from brainformers.attention import causal_mask, scaled_dot_product_attention
from brainformers.check._tem import reference_random_walk
from checking import assert_rejected, run

# ----------------------------------------------------------------- random walk


def walk(world, n_steps, rng, start, *, mistake=None):
    """A plain loop; ``mistake`` names a known error to make."""
    nodes, actions = [start], []
    for _ in range(n_steps):
        here = nodes[-1]
        if mistake in ("stay", "clip"):
            a = int(rng.integers(4))
            there = world.neighbours[here, a]
            nodes.append(here if there < 0 else int(there))
            actions.append(a)
            continue
        legal = world.legal_actions(here)
        if mistake == "first":
            a = legal[0]
        elif mistake == "global":
            a = legal[np.random.randint(len(legal))]  # noqa: NPY002 — the mistake under test
        elif mistake == "biased":
            a = legal[-1] if rng.random() < 0.7 else legal[int(rng.integers(len(legal)))]
        elif mistake == "biased_later" and len(nodes) > 1:
            # uniform first move, then a pull towards the last legal action
            a = legal[-1] if rng.random() < 0.3 else legal[int(rng.integers(len(legal)))]
        elif mistake == "no_reverse" and len(nodes) > 1:
            back = (actions[-1] + 2) % 4  # never undo the last move (unless cornered)
            options = [x for x in legal if x != back] or list(legal)
            a = options[int(rng.integers(len(options)))]
        elif mistake == "repeat" and len(nodes) > 1 and actions[-1] in legal:
            a = actions[-1] if rng.random() < 0.5 else legal[int(rng.integers(len(legal)))]
        else:
            a = legal[int(rng.integers(len(legal)))]
        nodes.append(world.step(here, a))
        actions.append(a)
    if mistake == "short":
        nodes = nodes[1:]
    if mistake == "list":
        return nodes, actions
    return np.array(nodes), np.array(actions)


def test_random_walk_accepts_correct_versions(capsys):
    for fn in (reference_random_walk, walk):
        result, out = run(check.random_walk, fn, capsys)
        assert result is fn, out
        assert out.startswith("✓ random_walk"), out


def test_random_walk_not_implemented(capsys):
    def todo(world, n_steps, rng, start):
        raise NotImplementedError

    result, out = run(check.random_walk, todo, capsys)
    assert out.startswith("○ random_walk: not implemented")
    nodes, actions = result(ref.GridWorld(3, 3), 5, np.random.default_rng(0), 4)
    ref.check_walk(ref.GridWorld(3, 3), nodes[None], actions[None])


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("stay", "stays on the same node"),
        ("short", "n_steps + 1 nodes"),
        ("list", "should be a NumPy array"),
        ("global", "same seed gave different walks"),
        ("first", "equally likely"),
        ("biased", "equally likely"),
        ("biased_later", "after the first step"),
        ("no_reverse", "reversed its previous move"),
        ("repeat", "after the first step"),
    ],
)
def test_random_walk_rejects_mistakes(mistake, fragment, capsys):
    def wrong(world, n_steps, rng, start):
        return walk(world, n_steps, rng, start, mistake=mistake)

    assert_rejected(check.random_walk, wrong, reference_random_walk, capsys, fragment)


def test_random_walk_rejects_a_walk_whose_actions_do_not_match(capsys):
    def wrong(world, n_steps, rng, start):
        nodes, actions = walk(world, n_steps, rng, start)
        return nodes, (actions + 1) % 4  # actions recorded off by one name

    assert_rejected(
        check.random_walk, wrong, reference_random_walk, capsys, "but the walk goes to node"
    )


# ----------------------------------------------------------------- visited mask


def visited_loop(nodes, *, inclusive=False, late=False):
    out = np.zeros(nodes.shape, dtype=bool)
    for w in range(nodes.shape[0]):
        seen = set()
        for t in range(nodes.shape[1]):
            if inclusive:
                seen.add(int(nodes[w, t]))
            out[w, t] = int(nodes[w, t]) in seen
            seen.add(int(nodes[w, t]))
    if late:
        out[:, 1:] = out[:, :-1].copy()
        out[:, 0] = False
    return out


def test_visited_mask_accepts_correct_versions(capsys):
    for fn in (ref.visited_mask, visited_loop):
        result, out = run(check.visited_mask, fn, capsys)
        assert result is fn, out
        assert out.startswith("✓ visited_mask"), out


@pytest.mark.parametrize(
    ("fn", "fragment"),
    [
        (lambda nodes: visited_loop(nodes, inclusive=True), "EARLIER steps"),
        (lambda nodes: ~visited_loop(nodes), "swapped"),
        (lambda nodes: visited_loop(nodes, late=True), "one step late"),
        (lambda nodes: visited_loop(nodes).astype(int), "boolean"),
        (lambda nodes: visited_loop(nodes)[:, 1:], "shape"),
    ],
)
def test_visited_mask_rejects_mistakes(fn, fragment, capsys):
    assert_rejected(check.visited_mask, fn, ref.visited_mask, capsys, fragment)


# ----------------------------------------------------------------- path integration


def step_plain(position, actions, transitions, *, normalise=True, left=False, dim=-1, same=False):
    w = transitions[actions[0]].expand(len(actions), -1, -1) if same else transitions[actions]
    moved = torch.stack(
        [(w[b] @ position[b]) if left else (position[b] @ w[b]) for b in range(len(actions))]
    )
    return F.normalize(moved, dim=dim) if normalise else moved


def test_position_step_accepts_correct_versions(capsys):
    for fn in (ref.position_step, step_plain):
        result, out = run(check.position_step, fn, capsys)
        assert result is fn, out


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"normalise": False}, "not normalised"),
        ({"left": True}, "from the left"),
        ({"dim": 0}, "over the batch"),
        ({"same": True}, "first walk's action"),
    ],
)
def test_position_step_rejects_mistakes(kwargs, fragment, capsys):
    def wrong(position, actions, transitions):
        return step_plain(position, actions, transitions, **kwargs)

    assert_rejected(check.position_step, wrong, ref.position_step, capsys, fragment)


def test_position_step_not_implemented(capsys):
    def todo(position, actions, transitions):
        raise NotImplementedError

    result, out = run(check.position_step, todo, capsys)
    assert result is ref.position_step
    assert out.startswith("○ position_step")


# ----------------------------------------------------------------- memory lookup


def lookup_loop(positions, values, null_key, null_value, beta, *, mistake=None):
    """A per-step softmax over [null, e_0, …, e_{t-1}], written out."""
    batch, seq, _ = positions.shape
    unit = positions if mistake == "dot" else F.normalize(positions, dim=-1)
    k0 = null_key if mistake == "dot" else F.normalize(null_key, dim=0)
    out = torch.zeros(batch, seq, values.shape[-1])
    weights = torch.zeros(batch, seq, seq + 1)
    for b in range(batch):
        for t in range(seq):
            n_seen = t + 1 if mistake == "present" else t
            keys = torch.cat([k0[None], unit[b, :n_seen]])
            vals = torch.cat([null_value[None], values[b, :n_seen]])
            scale = beta if mistake == "flat" else beta * np.log1p(t)
            p = torch.softmax(scale * keys @ unit[b, t], dim=0)
            weights[b, t, : n_seen + 1] = p
            out[b, t] = p @ vals
    if mistake == "tuple":
        return out
    return out, weights


def lookup_without_null(positions, values, null_key, null_value, beta):
    batch, seq, _ = positions.shape
    unit = F.normalize(positions, dim=-1)
    scale = beta * torch.log1p(torch.arange(seq, dtype=positions.dtype))
    mask = causal_mask(seq) & ~torch.eye(seq, dtype=torch.bool)
    mask[0, 0] = True  # something to attend to at step 0
    return scaled_dot_product_attention(unit * scale[:, None], unit, values, mask=mask, scale=1.0)


def lookup_solution(positions, values, null_key, null_value, beta):
    """The book's solution: one call of chapter 01's attention."""
    batch, seq, _ = positions.shape
    unit = F.normalize(positions, dim=-1)
    scale = beta * torch.log1p(torch.arange(seq, dtype=positions.dtype))
    keys = torch.cat([F.normalize(null_key, dim=-1).expand(batch, 1, -1), unit], dim=1)
    vals = torch.cat([null_value.expand(batch, 1, -1), values], dim=1)
    mask = causal_mask(seq + 1)[:-1]
    return scaled_dot_product_attention(unit * scale[:, None], keys, vals, mask=mask, scale=1.0)


def test_memory_lookup_accepts_correct_versions(capsys):
    for fn in (ref.memory_lookup, lookup_solution):
        result, out = run(check.memory_lookup, fn, capsys)
        assert result is fn, out
        assert out.startswith("✓ memory_lookup"), out


def test_memory_lookup_must_use_chapter_01_attention(capsys):
    """Right values from a softmax of its own: rejected, since the exercise is the reuse."""
    assert_rejected(
        check.memory_lookup,
        lookup_loop,
        ref.memory_lookup,
        capsys,
        "memory_lookup must call chapter 01's scaled_dot_product_attention",
        "it computed its own softmax",
    )


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("present", "its own memory"),
        ("dot", "raw dot products"),
        ("flat", "log(1 + t)"),
        ("tuple", "expected a tuple"),
    ],
)
def test_memory_lookup_rejects_mistakes(mistake, fragment, capsys):
    def wrong(*args):
        return lookup_loop(*args, mistake=mistake)

    assert_rejected(check.memory_lookup, wrong, ref.memory_lookup, capsys, fragment)


def test_memory_lookup_rejects_a_lookup_without_the_null_memory(capsys):
    assert_rejected(
        check.memory_lookup, lookup_without_null, ref.memory_lookup, capsys, "null memory"
    )


# ----------------------------------------------------------------- route error


def route_loop(codes, transitions, route, other, *, mistake=None):
    """Per code, follow both routes with explicit matrix products; ``mistake`` names an error."""
    errors = []
    for e in codes:
        ends = []
        for r in (route, [] if mistake == "start" else other):
            x = e
            for a in reversed(r) if mistake == "reversed" else r:
                x = transitions[a] @ x if mistake == "left" else x @ transitions[a]
            ends.append(x)
        a, b = ends
        if mistake == "distance":
            errors.append(((a - b).norm() / b.norm()).item())
            continue
        cos = (a @ b / (a.norm() * b.norm())).item()
        errors.append(cos if mistake == "cosine" else 1 - cos)
    if mistake == "per_code":
        return torch.tensor(errors)
    return float(np.mean(errors))


def test_route_error_accepts_correct_versions(capsys):
    for fn in (ref.route_error, route_loop):
        result, out = run(check.route_error, fn, capsys)
        assert result is fn, out
        assert out.startswith("✓ route_error"), out


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        ("cosine", "1 − cosine"),
        ("left", "from the left"),
        ("reversed", "reverse order"),
        ("start", "compared with the start code"),
        ("distance", "relative distance"),
        ("per_code", "one number"),
    ],
)
def test_route_error_rejects_mistakes(mistake, fragment, capsys):
    def wrong(codes, transitions, route, other):
        return route_loop(codes, transitions, route, other, mistake=mistake)

    assert_rejected(check.route_error, wrong, ref.route_error, capsys, fragment)


def test_route_error_not_implemented(capsys):
    def todo(codes, transitions, route, other):
        raise NotImplementedError

    result, out = run(check.route_error, todo, capsys)
    assert result is ref.route_error
    assert out.startswith("○ route_error: not implemented")


# ----------------------------------------------------------------- checker gaps found in review


def lookup_dummy_call(positions, values, null_key, null_value, beta):
    """Right numbers from a softmax of its own, plus one call of attention for show."""
    scaled_dot_product_attention(positions, positions, values)  # the dummy call
    return lookup_loop(positions, values, null_key, null_value, beta)


def lookup_torch(positions, values, null_key, null_value, beta):
    """torch's own F.scaled_dot_product_attention for the values; weights by hand."""
    batch, seq, _ = positions.shape
    unit = F.normalize(positions, dim=-1)
    scale = beta * torch.log1p(torch.arange(seq, dtype=positions.dtype))
    keys = torch.cat([F.normalize(null_key, dim=-1).expand(batch, 1, -1), unit], dim=1)
    vals = torch.cat([null_value.expand(batch, 1, -1), values], dim=1)
    mask = causal_mask(seq + 1)[:-1]
    query = unit * scale[:, None]
    out = F.scaled_dot_product_attention(query, keys, vals, attn_mask=mask, scale=1.0)
    scores = (query @ keys.transpose(-1, -2)).masked_fill(~mask, float("-inf"))
    return out, scores.softmax(dim=-1)


def test_memory_lookup_rejects_a_dummy_call_of_attention(capsys):
    assert_rejected(
        check.memory_lookup,
        lookup_dummy_call,
        ref.memory_lookup,
        capsys,
        "not what that call returned",
    )


def test_memory_lookup_accepts_torch_attention(capsys):
    result, out = run(check.memory_lookup, lookup_torch, capsys)
    assert result is lookup_torch, out
    assert out.startswith("✓ memory_lookup"), out


def visited_window(nodes, window=20):
    """Remembers only the last ``window`` steps: right on every short walk."""
    out = np.zeros(nodes.shape, dtype=bool)
    for t in range(nodes.shape[1]):
        recent = nodes[:, max(0, t - window) : t]
        out[:, t] = (recent == nodes[:, t : t + 1]).any(axis=1)
    return out


def test_visited_mask_rejects_a_short_memory(capsys):
    assert visited_window(np.array([[4, 1, 4, 5, 4]])).tolist() == [
        ref.visited_mask(np.array([[4, 1, 4, 5, 4]])).tolist()[0]
    ]  # the mistake passes the short cases
    assert_rejected(check.visited_mask, visited_window, ref.visited_mask, capsys, "case 4")


def test_visited_mask_accepts_a_set_per_walk_in_numpy(capsys):
    def sorted_search(nodes):  # right but unusual: first occurrence of each node, by sorting
        out = np.zeros(nodes.shape, dtype=bool)
        for w, row in enumerate(nodes):
            _, first = np.unique(row, return_index=True)
            out[w] = True
            out[w, first] = False
        return out

    result, out = run(check.visited_mask, sorted_search, capsys)
    assert result is sorted_search, out


# ----------------------------------------------------------------- hand-set W_a


def planes(d_pos, rng, *, k=None, order=(0, 1, 2, 3), gain=1.0, basis=None, sign=1.0):
    """Block rotations by k_j · δ_a, written differently from the library's."""
    n_planes = d_pos // 2
    if k is None:
        angle = rng.uniform(0, 2 * np.pi, n_planes)
        k = rng.uniform(0.5, 2.5, n_planes)[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    moves = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)])[list(order)]
    mats = []
    for a, delta in enumerate(moves):
        theta = sign * (k @ delta)
        blocks = [np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]) for t in theta]
        m = np.zeros((d_pos, d_pos))
        for j, b in enumerate(blocks):
            m[2 * j : 2 * j + 2, 2 * j : 2 * j + 2] = b
        if gain != 1.0:  # scale the forward moves up, the backward ones down
            m = m * (gain if a in (0, 1) else 1 / gain)
        if basis is not None:
            m = basis @ m @ basis.T
        mats.append(m)
    return torch.tensor(np.stack(mats))


def test_grid_transitions_accepts_correct_versions(capsys):
    q, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(64, 64)))

    def rotated_basis(d_pos, rng):  # the same rotations in a random orthonormal basis
        basis = q[:d_pos, :d_pos] if d_pos == 64 else np.linalg.qr(rng.normal(size=(d_pos,) * 2))[0]
        return planes(d_pos, rng, basis=basis)

    right = [
        ref.grid_transitions,
        lambda d, rng: planes(d, rng).float(),  # float32
        lambda d, rng: planes(d, rng),  # float64
        lambda d, rng: planes(d, rng, gain=2.0),  # scaled: W_S = W_Nᵀ / 4, still an inverse
        lambda d, rng: planes(d, rng, sign=-1.0),  # clockwise
        rotated_basis,
    ]
    for fn in right:
        result, out = run(check.grid_transitions, fn, capsys)
        assert result is fn, out
        assert out.startswith("✓ grid_transitions"), out


def _random_rotation(rng, d):
    return np.linalg.qr(rng.normal(size=(d, d)))[0]


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (lambda d, rng: torch.eye(d).expand(4, d, d).clone(), "hardly changes"),
        (lambda d, rng: planes(d, rng, k=np.full((d // 2, 2), 0.01)), "hardly changes"),
        (  # N, S, E, W instead of N, E, S, W
            lambda d, rng: planes(d, rng, order=(0, 2, 1, 3)),
            "wrong order",
        ),
        (  # S given N's matrix
            lambda d, rng: planes(d, rng)[[0, 1, 0, 3]],
            "same matrix",
        ),
        (  # every action its own random rotation (inverses right, no commuting)
            lambda d, rng: (lambda a, b: torch.tensor(np.stack([a, b, a.T, b.T])))(
                _random_rotation(rng, d), _random_rotation(rng, d)
            ),
            "commute",
        ),
        (  # waves only along the rows: E and W do nothing
            lambda d, rng: planes(
                d, rng, k=np.stack([rng.uniform(0.5, 2.5, d // 2), np.zeros(d // 2)], 1)
            ),
            "share a memory",
        ),
        (  # wave lengths of a whole period: one step turns every plane by 2π
            lambda d, rng: planes(d, rng, k=np.tile([[2 * np.pi, 0.0]], (d // 2, 1))),
            "hardly changes",
        ),
        (lambda d, rng: planes(d, rng).numpy(), "NumPy array"),
        (lambda d, rng: planes(d, rng).reshape(4, d // 2, 2, d)[:, :, :, :2], "2 × 2 blocks"),
        (  # wave vectors from torch's global generator, not rng
            lambda d, rng: planes(d, np.random.default_rng(int(torch.randint(0, 10**6, ())))),
            "generators of the same seed",
        ),
    ],
)
def test_grid_transitions_rejects_mistakes(wrong, fragment, capsys):
    assert_rejected(check.grid_transitions, wrong, ref.grid_transitions, capsys, fragment)


def test_grid_transitions_not_implemented(capsys):
    def todo(d_pos, rng):
        raise NotImplementedError

    result, out = run(check.grid_transitions, todo, capsys)
    assert result is ref.grid_transitions
    assert out.startswith("○ grid_transitions")
