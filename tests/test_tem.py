"""brainformers.tem: grid worlds, walks, the oracle and masks, and the TEM-transformer.

References: hand-built walks whose answers are worked out by hand (N then S; a square
N, E, S, W), brute-force definitions written as explicit loops over steps, and an
explicit per-step softmax for the memory lookup. Every random draw uses a fixed seed.
Tolerances: 1e-6 in float32 (a few roundings of O(1) numbers), 1e-12 in float64.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from brainformers import tem
from brainformers.tem import (
    ACTION_NAMES,
    ActionTokenTransformer,
    GridWorld,
    TEMBatch,
    TEMTransformer,
    Walks,
    backtrack_correct,
    chance_accuracy,
    check_walk,
    evaluate_tem,
    held_out_batch,
    load_pretrained,
    loop_closure_mask,
    memory_lookup,
    new_edge_mask,
    observe,
    path_integrate,
    plane_wave_fit,
    position_step,
    prediction_correct,
    random_observations,
    random_walks,
    rate_maps,
    route_error,
    sample_batch,
    score_predictions,
    train_tem,
    visited_mask,
)

N, E, S, W = 0, 1, 2, 3
ATOL32 = 1e-6


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def route(world: GridWorld, start: int, actions: list[int]) -> np.ndarray:
    """(1, len(actions) + 1) nodes of one hand-made walk (GridWorld.step raises off the grid)."""
    nodes = [start]
    for a in actions:
        nodes.append(world.step(nodes[-1], a))
    return np.array([nodes])


def small_model(positions="action", seed=0, **kwargs) -> TEMTransformer:
    torch.manual_seed(seed)
    kwargs.setdefault("d_pos", 16)
    return TEMTransformer(n_classes=5, positions=positions, **kwargs)


def batch_tensors(batch: TEMBatch) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(batch.actions), torch.from_numpy(batch.observations)


# ------------------------------------------------------------------------ worlds


def test_grid_geometry_row_major():
    world = GridWorld(width=3, height=2)
    assert world.n_nodes == 6
    assert world.coordinates.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    # node 0 = top-left: N and W leave the grid; E → 1, S → 3
    assert world.neighbours[0].tolist() == [-1, 1, 3, -1]
    # node 4 = bottom middle: N → 1, E → 5, S leaves, W → 3
    assert world.neighbours[4].tolist() == [1, 5, -1, 3]
    assert world.legal_actions(0) == (E, S)
    assert world.legal_actions(4) == (N, E, W)
    assert ACTION_NAMES == ("N", "E", "S", "W")


def test_neighbours_match_the_definition_and_moves_reverse():
    """Every move changes (row, col) by its unit step, stays inside, and the inverse move
    comes back; every node of a 4 × 5 grid has 2 (corner), 3 (edge) or 4 neighbours."""
    world = GridWorld(width=5, height=4)
    moves = {N: (-1, 0), E: (0, 1), S: (1, 0), W: (0, -1)}
    inverse = {N: S, S: N, E: W, W: E}
    for node in range(world.n_nodes):
        row, col = divmod(node, 5)
        for action, (dr, dc) in moves.items():
            r, c = row + dr, col + dc
            if 0 <= r < 4 and 0 <= c < 5:
                assert world.step(node, action) == r * 5 + c
                assert world.step(world.step(node, action), inverse[action]) == node
                assert action in world.legal_actions(node)
            else:
                assert world.neighbours[node, action] == -1
                assert action not in world.legal_actions(node)
    counts = sorted((world.neighbours >= 0).sum(axis=1).tolist())
    assert counts == [2] * 4 + [3] * 10 + [4] * 6


def test_world_is_frozen_and_tables_read_only():
    world = GridWorld(4, 4)
    with pytest.raises(AttributeError):
        world.width = 5
    with pytest.raises(ValueError):
        world.neighbours[0, 0] = 3


@pytest.mark.parametrize(
    ("width", "height", "error", "match"),
    [
        (1, 4, ValueError, "width must be at least 2"),
        (4, 1, ValueError, "height must be at least 2"),
        (0, 4, ValueError, "width must be a positive integer"),
        (4.0, 4, ValueError, "width must be a positive integer"),
    ],
)
def test_world_too_small_or_wrong_type(width, height, error, match):
    with pytest.raises(error, match=match):
        GridWorld(width, height)


def test_step_rejects_illegal_moves_and_bad_input():
    world = GridWorld(3, 3)
    with pytest.raises(ValueError, match=r"illegal move N from node 0 \(row 0, col 0\)"):
        world.step(0, N)
    with pytest.raises(ValueError, match="illegal move E from node 5"):
        world.step(5, E)
    with pytest.raises(ValueError, match=r"action must be 0 … 3"):
        world.step(4, 4)
    with pytest.raises(ValueError, match=r"node must lie in 0 … 8"):
        world.step(9, N)
    with pytest.raises(TypeError, match="action must be an integer"):
        world.step(4, "N")


def test_random_observations():
    world = GridWorld(5, 5)
    obs = random_observations(world, 200, 20, generator=rng(0))
    assert obs.shape == (200, 25) and obs.dtype == np.int64
    assert obs.min() == 0 and obs.max() == 19
    assert set(np.unique(obs)) == set(range(20))
    assert np.array_equal(obs, random_observations(world, 200, 20, generator=rng(0)))
    # fresh per world: two worlds almost never agree on every node
    assert not np.array_equal(obs[0], obs[1])
    # uniform: each class ≈ 1/20 of 5000 draws (binomial sd ≈ 15, tolerance 5 sd)
    assert np.abs(np.bincount(obs.ravel()) - 250).max() < 80
    with pytest.raises(ValueError, match="n_classes must be at least 2"):
        random_observations(world, 1, 1, generator=rng(0))
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        random_observations(world, 1, 20, generator=0)


# ------------------------------------------------------------------------- walks


def test_random_walks_are_legal_and_reproducible():
    world = GridWorld(4, 5)
    walks = random_walks(world, 50, 40, rng(1))
    assert isinstance(walks, Walks)
    nodes, actions = walks
    assert nodes.shape == (50, 41) and actions.shape == (50, 40)
    assert nodes.dtype == actions.dtype == np.int64
    check_walk(world, nodes, actions)  # raises if any move leaves the grid
    for w in range(5):  # and step by step against GridWorld.step
        for t in range(40):
            assert world.step(int(nodes[w, t]), int(actions[w, t])) == nodes[w, t + 1]
    again = random_walks(world, 50, 40, rng(1))
    assert np.array_equal(nodes, again.nodes) and np.array_equal(actions, again.actions)
    other = random_walks(world, 50, 40, rng(2))
    assert not np.array_equal(nodes, other.nodes)


def test_random_walks_from_a_common_start():
    world = GridWorld(4, 4)
    nodes, actions = random_walks(world, 10, 20, rng(6), start=5)
    assert (nodes[:, 0] == 5).all()
    check_walk(world, nodes, actions)
    with pytest.raises(ValueError, match=r"node must lie in 0 … 15"):
        random_walks(world, 10, 20, rng(6), start=16)


def test_random_walks_choose_uniformly_among_legal_actions():
    """From each kind of node, each legal action is taken ≈ 1 / (number legal) of the time."""
    world = GridWorld(4, 4)
    nodes, actions = random_walks(world, 400, 50, rng(3))
    here = nodes[:, :-1].ravel()
    taken = actions.ravel()
    assert np.bincount(nodes[:, 0], minlength=16).min() > 0  # every start node occurs
    for node in (0, 1, 5):  # corner, edge, interior
        legal = world.legal_actions(node)
        counts = np.bincount(taken[here == node], minlength=4)
        assert set(np.flatnonzero(counts)) == set(legal)
        share = counts[list(legal)] / counts.sum()
        assert np.abs(share - 1 / len(legal)).max() < 0.05, (node, share)


def test_check_walk_rejects_walks_that_leave_the_grid_and_illegal_actions():
    world = GridWorld(3, 3)
    check_walk(world, np.array([[4, 1, 4]]), np.array([[N, S]]))
    with pytest.raises(ValueError, match=r"nodes must hold node .* ids in 0 … 8"):
        check_walk(world, np.array([[7, 8, 9]]))
    # 2 → 3 is "+1" but wraps from the east edge to the next row: it leaves the grid
    with pytest.raises(ValueError, match="walk 0 leaves the grid between steps 1 and 2"):
        check_walk(world, np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match=r"action N at step 0 of walk 1 is an illegal move"):
        check_walk(world, np.array([[4, 1], [0, 1]]), np.array([[N], [N]]))
    with pytest.raises(ValueError, match=r"action E at step 0 of walk 0 is a move from node 4"):
        check_walk(world, np.array([[4, 1]]), np.array([[E]]))
    with pytest.raises(ValueError, match=r"actions must hold action .* ids in 0 … 3"):
        check_walk(world, np.array([[4, 1]]), np.array([[-1]]))
    with pytest.raises(ValueError, match="actions must have shape"):
        check_walk(world, np.array([[4, 1]]), np.array([[N, S]]))
    with pytest.raises(TypeError, match="convert it with np.asarray"):
        check_walk(world, [[4, 1]])


def test_observe_and_bad_ids():
    obs = np.array([[10, 11, 12], [20, 21, 22]])
    nodes = np.array([[0, 2, 0], [1, 1, 2]])
    assert observe(obs, nodes).tolist() == [[10, 12, 10], [21, 21, 22]]
    with pytest.raises(ValueError, match=r"nodes must hold node ids in 0 … 2"):
        observe(obs, np.array([[0, 3, 0], [0, 0, 0]]))
    with pytest.raises(ValueError, match="one row per walk"):
        observe(obs, nodes[:1])


def test_sample_batch():
    batch = sample_batch(60, 30, rng(4), widths=(3, 4), n_classes=7)
    assert batch.nodes.shape == (60, 31) and batch.actions.shape == (60, 30)
    assert batch.observations.shape == (60, 31)
    assert set(batch.widths.tolist()) == {3, 4}
    assert batch.observations.min() >= 0 and batch.observations.max() < 7
    for width in (3, 4):
        rows = batch.widths == width
        check_walk(GridWorld(width, width), batch.nodes[rows], batch.actions[rows])
    # the same node in the same walk always shows the same observation
    for w in range(60):
        seen = {}
        for node, o in zip(batch.nodes[w], batch.observations[w], strict=True):
            assert seen.setdefault(int(node), int(o)) == o
    again = sample_batch(60, 30, rng(4), widths=(3, 4), n_classes=7)
    assert all(np.array_equal(x, y) for x, y in zip(batch, again, strict=True))
    with pytest.raises(ValueError, match="every width must be at least 2"):
        sample_batch(4, 10, rng(0), widths=(1,))


# ------------------------------------------------------------ oracle, chance, masks


def masks(nodes):
    return visited_mask(nodes), new_edge_mask(nodes), loop_closure_mask(nodes)


def test_masks_north_then_south():
    """Back at the start via the edge just crossed: visited, a new *directed* edge, but
    not a loop closure."""
    nodes = route(GridWorld(3, 3), 4, [N, S])
    visited, new_edge, loop = masks(nodes)
    assert visited.tolist() == [[False, False, True]]
    assert new_edge.tolist() == [[False, False, True]]
    assert loop.tolist() == [[False, False, False]]


def test_masks_square_loop():
    """N, E, S, W round a square: the last step closes the loop by an edge never crossed."""
    nodes = route(GridWorld(3, 3), 4, [N, E, S, W])
    visited, new_edge, loop = masks(nodes)
    assert visited.tolist() == [[False, False, False, False, True]]
    assert new_edge.tolist() == [[False, False, False, False, True]]
    assert loop.tolist() == [[False, False, False, False, True]]


def test_masks_repeated_directed_edge():
    """N, S, N: the third arrival repeats the directed edge 4 → 1: visited only."""
    nodes = route(GridWorld(3, 3), 4, [N, S, N])
    visited, new_edge, loop = masks(nodes)
    assert visited.tolist() == [[False, False, True, True]]
    assert new_edge.tolist() == [[False, False, True, False]]
    assert loop.tolist() == [[False, False, False, False]]


def test_masks_against_brute_force_definitions():
    nodes, _ = random_walks(GridWorld(4, 4), 20, 60, rng(5))
    visited, new_edge, loop = masks(nodes)
    for w in range(20):
        for t in range(61):
            past = [int(x) for x in nodes[w, :t]]
            crossed = {(past[j], past[j + 1]) for j in range(len(past) - 1)}
            was_visited = int(nodes[w, t]) in past
            assert visited[w, t] == was_visited
            if t == 0:
                assert not new_edge[w, t] and not loop[w, t]
                continue
            edge = (int(nodes[w, t - 1]), int(nodes[w, t]))
            assert new_edge[w, t] == (was_visited and edge not in crossed)
            assert loop[w, t] == (was_visited and not {edge, edge[::-1]} & crossed)
    assert not (new_edge & ~visited).any() and not (loop & ~new_edge).any()
    assert loop.any() and (new_edge & ~loop).any()  # the walks exercise every case


def test_masks_reject_bad_nodes_and_chance():
    with pytest.raises(ValueError, match="nodes must be non-negative"):
        visited_mask(np.array([[0, -1]]))
    with pytest.raises(TypeError, match="nodes must hold integers"):
        loop_closure_mask(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="nodes must have 2 dimensions"):
        new_edge_mask(np.array([0, 1]))
    assert chance_accuracy(20) == pytest.approx(0.05)
    assert chance_accuracy(4) == pytest.approx(0.25)


# --------------------------------------------------------------- path integration


def test_position_step_keeps_unit_norm_and_matches_the_equation():
    g = torch.Generator().manual_seed(0)
    e = torch.randn(6, 8, generator=g)
    w = torch.randn(4, 8, 8, generator=g)
    actions = torch.tensor([0, 1, 2, 3, 2, 0])
    out = position_step(e, actions, w)
    assert out.shape == (6, 8)
    assert torch.allclose(out.norm(dim=-1), torch.ones(6), atol=ATOL32)
    for b in range(6):
        moved = e[b] @ w[actions[b]]
        assert torch.allclose(out[b], moved / moved.norm(), atol=ATOL32)


def test_position_step_with_identity_leaves_e_unchanged():
    e = torch.nn.functional.normalize(torch.randn(5, 8, generator=torch.Generator().manual_seed(1)))
    eye = torch.eye(8).expand(4, 8, 8)
    out = position_step(e, torch.tensor([0, 1, 2, 3, 0]), eye)
    assert torch.allclose(out, e, atol=ATOL32)
    codes = path_integrate(e[0], torch.tensor([[0, 1, 2, 3, 1]]), eye)
    assert torch.allclose(codes, e[0].expand(1, 6, 8), atol=ATOL32)


def test_path_integrate_is_position_step_along_the_walk():
    g = torch.Generator().manual_seed(2)
    start = torch.randn(8, generator=g, dtype=torch.float64)
    noise = torch.randn(4, 8, 8, generator=g, dtype=torch.float64)
    w = torch.eye(8, dtype=torch.float64) + 0.3 * noise
    actions = torch.randint(0, 4, (3, 7), generator=g)
    codes = path_integrate(start, actions, w)
    assert codes.shape == (3, 8, 8)
    e = (start / start.norm()).expand(3, 8)
    assert torch.allclose(codes[:, 0], e, atol=1e-12)
    for t in range(7):
        e = position_step(e, actions[:, t], w)
        assert torch.allclose(codes[:, t + 1], e, atol=1e-12)


def test_position_functions_reject_bad_input():
    e, w = torch.randn(2, 8), torch.randn(4, 8, 8)
    with pytest.raises(ValueError, match=r"actions must hold action ids in 0 … 3"):
        position_step(e, torch.tensor([0, 4]), w)
    with pytest.raises(TypeError, match="actions must be an integer tensor"):
        position_step(e, torch.tensor([0.0, 1.0]), w)
    with pytest.raises(ValueError, match="transitions must have shape"):
        position_step(e, torch.tensor([0, 1]), torch.randn(4, 8, 7))
    with pytest.raises(ValueError, match="one entry per row"):
        position_step(e, torch.tensor([0, 1, 2]), w)
    with pytest.raises(ValueError, match="start must be"):
        path_integrate(torch.randn(3, 8), torch.zeros(2, 4, dtype=torch.long), w)


# ---------------------------------------------------------------- memory lookup


def lookup_case(seed=0, batch=2, seq=6, d_pos=4, d_v=3):
    g = torch.Generator().manual_seed(seed)
    positions = torch.randn(batch, seq, d_pos, generator=g, dtype=torch.float64)
    values = torch.randn(batch, seq, d_v, generator=g, dtype=torch.float64)
    null_key = torch.randn(d_pos, generator=g, dtype=torch.float64)
    null_value = torch.randn(d_v, generator=g, dtype=torch.float64)
    return positions, values, null_key, null_value


def test_memory_lookup_matches_an_explicit_per_step_softmax():
    positions, values, null_key, null_value = lookup_case()
    beta = 1.7
    out, weights = memory_lookup(positions, values, null_key, null_value, beta)
    assert out.shape == (2, 6, 3) and weights.shape == (2, 6, 7)
    cos = torch.nn.functional.cosine_similarity
    for b in range(2):
        for t in range(6):
            keys = [null_key] + [positions[b, j] for j in range(t)]
            vals = [null_value] + [values[b, j] for j in range(t)]
            scores = torch.stack([cos(positions[b, t], k, dim=0) for k in keys])
            p = torch.softmax(beta * math.log(1 + t) * scores, dim=0)
            assert torch.allclose(weights[b, t, : t + 1], p, atol=1e-12)
            assert (weights[b, t, t + 1 :] == 0).all()  # steps ≥ t: exactly no weight
            assert torch.allclose(out[b, t], (p[:, None] * torch.stack(vals)).sum(0), atol=1e-12)


def test_memory_lookup_null_memory_takes_all_weight_at_the_first_step():
    positions, values, null_key, null_value = lookup_case(seed=1)
    out, weights = memory_lookup(positions, values, null_key, null_value, 3.0)
    assert torch.equal(weights[:, 0, 0], torch.ones(2, dtype=torch.float64))
    assert torch.allclose(out[:, 0], null_value.expand(2, 3), atol=1e-12)


def test_memory_lookup_never_sees_the_present_or_the_future():
    """Changing the value at step t (and positions after it) leaves steps ≤ t unchanged."""
    positions, values, null_key, null_value = lookup_case(seed=2)
    out, _ = memory_lookup(positions, values, null_key, null_value, 2.0)
    for t in range(6):
        v2, p2 = values.clone(), positions.clone()
        v2[:, t:] = torch.randn(2, 6 - t, 3, dtype=torch.float64)
        p2[:, t + 1 :] = torch.randn(2, 5 - t, 4, dtype=torch.float64)
        out2, _ = memory_lookup(p2, v2, null_key, null_value, 2.0)
        assert torch.equal(out2[:, : t + 1], out[:, : t + 1])
        if t + 1 < 6:
            assert not torch.allclose(out2[:, t + 1 :], out[:, t + 1 :])


def test_memory_lookup_rejects_bad_input():
    positions, values, null_key, null_value = lookup_case()
    with pytest.raises(ValueError, match="values must have the"):
        memory_lookup(positions, values[:, :4], null_key, null_value, 1.0)
    with pytest.raises(ValueError, match="null_key must have d_pos = 4"):
        memory_lookup(positions, values, null_key[:3], null_value, 1.0)
    with pytest.raises(ValueError, match="null_value must have d_v = 3"):
        memory_lookup(positions, values, null_key, null_value[:2], 1.0)
    with pytest.raises(ValueError, match="beta must be positive"):
        memory_lookup(positions, values, null_key, null_value, 0.0)


# -------------------------------------------------------------------------- model


def test_model_parameter_count_and_shapes():
    torch.manual_seed(0)
    model = TEMTransformer()
    assert sum(p.numel() for p in model.parameters()) == 16_953  # 4·64² + 64 + 64 + 20 + 1 + 420
    control = TEMTransformer(positions="time")
    assert sum(p.numel() for p in control.parameters()) == 16_953 - 3 * 64**2
    # identity-initialised, untied: W_S is not W_Nᵀ
    w = model.transitions.detach()
    assert (w - torch.eye(64)).abs().max() < 0.5
    assert not torch.allclose(w[S], w[N].T)
    batch = sample_batch(3, 10, rng(0))
    out = model.forward_with_memory(*batch_tensors(batch))
    assert out.logits.shape == (3, 11, 20)
    assert out.positions.shape == (3, 11, 64)
    assert out.weights.shape == (3, 11, 12)
    assert torch.allclose(out.positions.norm(dim=-1), torch.ones(3, 11), atol=ATOL32)


def test_model_null_memory_at_the_first_step():
    model = small_model()
    out = model.forward_with_memory(*batch_tensors(sample_batch(4, 8, rng(1), n_classes=5)))
    assert torch.equal(out.weights[:, 0, 0], torch.ones(4))
    assert torch.equal(out.weights[:, 0, 1:], torch.zeros(4, 9))


def test_model_predictions_never_use_the_present_or_future():
    """Change the observation at step t and every action after it: logits at ≤ t unchanged."""
    model = small_model()
    batch = sample_batch(4, 12, rng(2), n_classes=5)
    actions, observations = batch_tensors(batch)
    with torch.no_grad():
        logits = model(actions, observations)
        for t in (0, 3, 11):
            obs2, act2 = observations.clone(), actions.clone()
            obs2[:, t:] = (obs2[:, t:] + 1) % 5
            act2[:, t:] = (act2[:, t:] + 1) % 4  # action t moves to step t + 1
            logits2 = model(act2, obs2)
            assert torch.equal(logits2[:, : t + 1], logits[:, : t + 1])
            assert not torch.allclose(logits2[:, t + 1 :], logits[:, t + 1 :])


def test_control_model_ignores_actions():
    control = small_model(positions="time")
    batch = sample_batch(4, 15, rng(3), n_classes=5)
    actions, observations = batch_tensors(batch)
    other = torch.from_numpy(sample_batch(4, 15, rng(99)).actions)
    assert not torch.equal(actions, other)
    with torch.no_grad():
        assert torch.equal(control(actions, observations), control(other, observations))
        model = small_model(positions="action")
        assert not torch.allclose(model(actions, observations), model(other, observations))


def test_model_rejects_bad_input():
    model = small_model()
    actions = torch.zeros(2, 3, dtype=torch.long)
    observations = torch.zeros(2, 4, dtype=torch.long)
    with pytest.raises(ValueError, match=r"observations must hold observation class ids in 0 … 4"):
        model(actions, observations + 5)
    with pytest.raises(ValueError, match=r"actions must hold action .* ids in 0 … 3"):
        model(actions - 1, observations)
    with pytest.raises(ValueError, match="observations must have shape"):
        model(actions, observations[:, :3])
    with pytest.raises(TypeError, match="observations must be an integer tensor"):
        model(actions, observations.float())
    with pytest.raises(ValueError, match='positions must be "action" or "time"'):
        TEMTransformer(positions="space")


# ----------------------------------------------------------- training, evaluation


def test_training_reduces_the_loss():
    """A few hundred steps on 3 × 3 worlds: the loss falls well below ln(n_classes)."""
    model = small_model()
    losses = train_tem(model, worlds_per_batch=16, n_steps=200, walk_length=20, seed=0, widths=(3,))
    assert len(losses) == 200
    first, last = np.mean(losses[:10]), np.mean(losses[-20:])
    assert first == pytest.approx(math.log(5), abs=0.2)
    assert last < first - 0.3, (first, last)


def test_training_is_seeded_and_runs_exactly_its_steps():
    runs = []
    for _ in range(2):
        model = small_model(seed=3)
        runs.append(train_tem(model, worlds_per_batch=4, n_steps=5, walk_length=8, seed=7))
    assert runs[0] == runs[1]
    assert len(runs[0]) == 5
    with pytest.raises(TypeError):
        train_tem(small_model(), 4, n_steps=5, walk_length=8, time_budget_s=0.05)


def test_evaluate_tem_reports_accuracies_beside_oracle_and_chance():
    model = small_model()
    result = evaluate_tem(model, n_worlds=16, walk_length=30, seed=0, widths=(3,))
    assert set(result) == {
        "visited",
        "new_edge",
        "loop_closure",
        "unvisited",
        "overall",
        "oracle_overall",
        "oracle_guessing_overall",
        "chance",
    }
    assert all(0.0 <= v <= 1.0 for v in result.values())
    assert result["chance"] == pytest.approx(0.2)
    # the same held-out draw, rebuilt by hand
    batch = sample_batch(16, 30, np.random.default_rng((1, 0)), widths=(3,), n_classes=5)
    correct = prediction_correct(model, batch.actions, batch.observations)
    assert result["overall"] == pytest.approx(correct.mean())
    assert result["oracle_overall"] == pytest.approx(visited_mask(batch.nodes).mean())
    assert result["loop_closure"] == pytest.approx(correct[loop_closure_mask(batch.nodes)].mean())
    again = held_out_batch(16, 30, 0, widths=(3,), n_classes=5)
    assert np.array_equal(again.nodes, batch.nodes)


def test_score_predictions_on_a_hand_made_walk():
    # round a square on a 3 × 3 grid, 4 → 1 → 2 → 5 → 4, then back to 5
    nodes = np.array([[4, 1, 2, 5, 4, 5]])
    correct = np.array([[False, False, False, True, True, False]])
    result = score_predictions(correct, nodes, n_classes=4)
    # visited at steps 4 (node 4, by a new edge: a loop closure) and 5 (node 5, back along 5→4)
    assert result["visited"] == pytest.approx(0.5)
    assert result["loop_closure"] == pytest.approx(1.0)
    assert result["new_edge"] == pytest.approx(0.5)  # 4 → 5 was never taken in that direction
    assert result["unvisited"] == pytest.approx(0.25)
    assert result["overall"] == pytest.approx(2 / 6)
    assert result["oracle_overall"] == pytest.approx(2 / 6)
    assert result["chance"] == pytest.approx(0.25)


def test_score_predictions_rejects_bad_input():
    nodes = np.array([[0, 1, 0]])
    with pytest.raises(TypeError, match="bool"):
        score_predictions(np.array([[1, 0, 1]]), nodes)
    with pytest.raises(ValueError, match="same shape"):
        score_predictions(np.array([[True, False]]), nodes)


def test_rate_maps_average_each_unit_per_node():
    model = small_model()
    world = GridWorld(3, 4)
    maps = rate_maps(model, world, n_walks=3, walk_length=40, seed=0)
    assert maps.shape == (16, 4, 3)
    centre = 2 * 3 + 1  # (height // 2) · width + width // 2
    nodes, actions = random_walks(world, 3, 40, np.random.default_rng((2, 0)), start=centre)
    with torch.no_grad():
        codes = model.position_codes(torch.from_numpy(actions)).double().numpy()
    for node in range(world.n_nodes):
        row, col = divmod(node, 3)
        at = nodes == node
        if at.any():
            assert np.allclose(maps[:, row, col], codes[at].mean(axis=0), atol=1e-12)
        else:
            assert np.isnan(maps[:, row, col]).all()
    with pytest.raises(ValueError, match=r"node must lie in 0 … 11"):
        rate_maps(model, world, start=12)


def test_rate_maps_of_a_model_whose_moves_commute_are_a_function_of_place():
    """With W_a exact rotations that commute (W_S = W_N⁻¹, W_W = W_E⁻¹), the code of a
    node is the same by every route, so the map equals the code path-integrated along
    one route from the start (S·row, then E·col)."""

    def rotation(angle):
        c, s = math.cos(angle), math.sin(angle)
        return torch.tensor([[c, s], [-s, c]])

    w_n = torch.block_diag(rotation(0.7), torch.eye(2))  # N turns the first plane
    w_e = torch.block_diag(torch.eye(2), rotation(0.4))  # E turns the second
    model = small_model(d_pos=4)
    with torch.no_grad():
        model.transitions.copy_(torch.stack([w_n, w_e, w_n.T, w_e.T]))
    world = GridWorld(3, 3)
    maps = rate_maps(model, world, n_walks=4, walk_length=30, seed=1, start=0)
    assert not np.isnan(maps).any()  # 120 steps visit all 9 nodes
    for node in range(9):
        row, col = divmod(node, 3)
        route = torch.tensor([[S] * row + [E] * col], dtype=torch.long).reshape(1, -1)
        with torch.no_grad():
            code = model.position_codes(route)[0, -1].double().numpy()
        assert np.allclose(maps[:, row, col], code, atol=1e-5)


def test_the_shipped_checkpoint_is_a_trained_temt():
    model = load_pretrained()
    assert isinstance(model, TEMTransformer) and not model.training
    assert model.positions == "action" and model.d_pos == 64
    scores = evaluate_tem(model, n_worlds=32, walk_length=100, seed=5)
    # an untrained model sits near chance (0.05) at visited nodes; the shipped one recalls
    assert scores["visited"] > 0.97, scores
    assert scores["loop_closure"] > 0.9, scores


# ------------------------------------------------------------------ controls


def test_backtrack_correct_is_right_exactly_when_the_walk_reverses():
    world = GridWorld(3, 3)
    nodes = route(world, 4, [N, S, E, W, W])  # 4 1 4 5 4 3
    objects = np.arange(9)[None]  # a different object on every node
    correct = backtrack_correct(observe(objects, nodes))
    assert correct.tolist() == [[False, False, True, False, True, False]]
    with pytest.raises(TypeError, match="observations must hold integers"):
        backtrack_correct(np.zeros((1, 3)))


def test_action_token_transformer_never_sees_the_present_observation():
    torch.manual_seed(0)
    model = ActionTokenTransformer(n_classes=5, d_model=16, n_heads=2).eval()
    batch = sample_batch(3, 12, rng(8), widths=(3,), n_classes=5)
    actions, observations = batch_tensors(batch)
    with torch.no_grad():
        logits = model(actions, observations)
        changed = observations.clone()
        changed[:, 6] = (changed[:, 6] + 1) % 5  # the observation at step 6
        logits_changed = model(actions, changed)
        moved = actions.clone()
        moved[:, 8] = (moved[:, 8] + 1) % 4  # the move from step 8 to 9
        logits_moved = model(moved, observations)
    assert logits.shape == (3, 13, 5)
    assert torch.equal(logits[:, :7], logits_changed[:, :7])  # steps 0-6 cannot see it
    assert not torch.allclose(logits[:, 7:], logits_changed[:, 7:])
    assert torch.equal(logits[:, :9], logits_moved[:, :9])  # the move arrives at step 9
    assert not torch.allclose(logits[:, 9], logits_moved[:, 9])
    with pytest.raises(ValueError, match="actions must have shape"):
        model(actions[:, :-1], observations)
    with pytest.raises(ValueError, match="observation class"):
        model(actions, observations + 5)


def test_action_token_transformer_trains_with_train_tem():
    torch.manual_seed(0)
    model = ActionTokenTransformer(n_classes=5, d_model=16, n_heads=2)
    losses = train_tem(model, worlds_per_batch=8, n_steps=30, walk_length=20, widths=(3,))
    assert len(losses) == 30 and np.mean(losses[-5:]) < np.mean(losses[:5])
    scores = evaluate_tem(model, n_worlds=8, walk_length=20, widths=(3,))
    assert 0 <= scores["overall"] <= 1


def test_train_tem_on_step_sees_every_step_and_changes_nothing_unless_it_stops():
    def run(on_step=None):
        torch.manual_seed(0)
        model = ActionTokenTransformer(n_classes=5, d_model=16, n_heads=2)
        return train_tem(
            model, worlds_per_batch=4, n_steps=6, walk_length=10, widths=(3,), on_step=on_step
        )

    seen: list[tuple[int, float]] = []
    losses = run(lambda step, loss: seen.append((step, loss)))
    assert losses == run()  # a hook that returns nothing leaves training as it was
    assert seen == list(enumerate(losses, start=1))
    stopped = run(lambda step, loss: step == 3)
    assert stopped == losses[:3]


def test_score_predictions_guessing_oracle():
    nodes = route(GridWorld(3, 3), 4, [N, S, N])  # visited at steps 2 and 3 of 4
    scores = score_predictions(np.ones((1, 4), dtype=bool), nodes, n_classes=20)
    assert scores["oracle_overall"] == pytest.approx(0.5)
    assert scores["oracle_guessing_overall"] == pytest.approx(0.5 + 0.5 / 20)


# ------------------------------------------------------------------ analysis


def rotation(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, s], [-s, c]], dtype=torch.float64)


def torus_transitions(a: float = 0.7, b: float = 1.1) -> torch.Tensor:
    """W_a of an exact grid code: N/S rotate the first plane, E/W the second."""
    eye = torch.eye(2, dtype=torch.float64)
    w_n = torch.block_diag(rotation(a), eye)
    w_e = torch.block_diag(eye, rotation(b))
    return torch.stack([w_n, w_e, w_n.T, w_e.T])


def test_route_error_matches_an_explicit_loop():
    g = torch.Generator().manual_seed(3)
    codes = torch.randn(7, 4, generator=g, dtype=torch.float64)
    w = torch.randn(4, 4, 4, generator=g, dtype=torch.float64)
    want = np.mean(
        [
            1
            - float((e @ w[0] @ w[1]) @ (e @ w[2]) / ((e @ w[0] @ w[1]).norm() * (e @ w[2]).norm()))
            for e in codes
        ]
    )
    assert route_error(codes, w, [N, E], [S]) == pytest.approx(want, abs=1e-12)
    assert route_error(codes, w, [], []) == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match="route must hold action ids in 0 … 3"):
        route_error(codes, w, [4])
    with pytest.raises(TypeError, match="sequence of action ids"):
        route_error(codes, w, "NS")


def test_route_error_of_an_exact_grid_code_and_of_random_matrices():
    g = torch.Generator().manual_seed(4)
    codes = torch.randn(50, 4, generator=g, dtype=torch.float64)
    w = torus_transitions()
    assert route_error(codes, w, [N, S]) == pytest.approx(0, abs=1e-12)  # an inverse pair
    assert route_error(codes, w, [E, W]) == pytest.approx(0, abs=1e-12)
    assert route_error(codes, w, [N, E], [E, N]) == pytest.approx(0, abs=1e-12)  # commute
    assert route_error(codes, w, [N, E]) > 0.1
    random = torch.randn(4, 4, 4, generator=g, dtype=torch.float64)
    assert route_error(codes, random, [N, S]) > 0.2
    assert route_error(codes, random, [N, E], [E, N]) > 0.2


def test_plane_wave_fit_bands_grids_and_noise():
    r, c = np.meshgrid(np.arange(10), np.arange(10), indexing="ij")
    band = np.cos(0.9 * r + 0.4 * c + 1.0)
    square = np.cos(1.2 * r) + np.cos(1.2 * c)
    noise = rng(6).normal(size=(10, 10))
    holed = band.copy()
    holed[3, 4] = np.nan
    fit = plane_wave_fit(np.stack([band, square, noise, holed, np.ones((10, 10))]))
    assert fit[0] > 0.95 and fit[3] > 0.95  # the grid of wave vectors is finite
    assert 0.4 < fit[1] < 0.6  # two directions, half the variance each
    assert fit[2] < 0.3
    assert np.isnan(fit[4])
    with pytest.raises(ValueError, match="maps"):
        plane_wave_fit(band)


# ----------------------------------------------------------------- hand-set W_a, dead reckoning


def test_grid_transitions_are_commuting_inverse_rotations():
    w = tem.grid_transitions(16, np.random.default_rng(0)).double()
    eye = torch.eye(16, dtype=torch.float64)
    n, e, s, west = w
    for a in w:
        torch.testing.assert_close(a @ a.T, eye, atol=1e-6, rtol=0)  # orthogonal
    torch.testing.assert_close(n @ s, eye, atol=1e-6, rtol=0)
    torch.testing.assert_close(e @ west, eye, atol=1e-6, rtol=0)
    torch.testing.assert_close(n @ e, e @ n, atol=1e-6, rtol=0)
    # one plane turned by k · δ: a code moved N then E equals the plane-wave formula
    start = torch.nn.functional.normalize(torch.randn(16, dtype=torch.float64), dim=0)
    moved = start @ n @ e
    rng = np.random.default_rng(0)
    direction = rng.uniform(0, 2 * np.pi, 8)
    length = rng.uniform(0.5, 2.5, 8)
    k = length[:, None] * np.stack([np.cos(direction), np.sin(direction)], axis=1)
    theta = torch.from_numpy(k @ np.array([-1.0, 1.0]))  # displacement (row −1, col +1)
    u, v = start[0::2], start[1::2]
    want = torch.stack([u * theta.cos() - v * theta.sin(), u * theta.sin() + v * theta.cos()], 1)
    torch.testing.assert_close(moved, want.reshape(-1), atol=1e-5, rtol=0)


def test_grid_transitions_tell_places_apart_and_reject_bad_input():
    w = tem.grid_transitions(64, np.random.default_rng(1))
    start = torch.nn.functional.normalize(torch.randn(64), dim=0)
    worst = 0.0
    for dr in range(-5, 6):
        for dc in range(-5, 6):
            if dr == dc == 0:
                continue
            code = start.clone()
            for a, count in ((2 if dr > 0 else 0, abs(dr)), (1 if dc > 0 else 3, abs(dc))):
                for _ in range(count):
                    code = code @ w[a]
            worst = max(worst, float(torch.dot(code, start)))
    assert worst < 0.8
    with pytest.raises(ValueError, match="even"):
        tem.grid_transitions(7)
    with pytest.raises(ValueError, match="min_wave_number"):
        tem.grid_transitions(8, min_wave_number=3.0, max_wave_number=1.0)


def test_handset_wa_infers_loop_closures_without_training():
    batch = tem.held_out_batch(n_worlds=48, walk_length=120, seed=3)
    torch.manual_seed(0)
    model = tem.TEMTransformer()
    with torch.no_grad():
        model.transitions.copy_(tem.grid_transitions(64, np.random.default_rng(0)))
    scores = tem.score_predictions(
        tem.prediction_correct(model, batch.actions, batch.observations), batch.nodes
    )
    assert scores["loop_closure"] >= 0.99
    untrained = tem.TEMTransformer()
    base = tem.score_predictions(
        tem.prediction_correct(untrained, batch.actions, batch.observations), batch.nodes
    )
    assert base["loop_closure"] < 0.5  # the identity-plus-noise W_a do not


def test_dead_reckoning_equals_the_oracle_and_is_wrong_on_new_places():
    batch = tem.held_out_batch(n_worlds=16, walk_length=80, seed=2)
    correct = tem.dead_reckoning_correct(batch.actions, batch.observations)
    np.testing.assert_array_equal(correct, tem.visited_mask(batch.nodes))
    # a tiny walk by hand: E, W returns to the start, whose object was 7
    got = tem.dead_reckoning_correct(np.array([[1, 3, 3]]), np.array([[7, 2, 7, 5]]))
    np.testing.assert_array_equal(got, [[False, False, True, False]])
    # a wrong stored object is not counted right
    got = tem.dead_reckoning_correct(np.array([[0, 2]]), np.array([[7, 2, 3]]))
    np.testing.assert_array_equal(got, [[False, False, False]])
    with pytest.raises(ValueError, match="observations must have shape"):
        tem.dead_reckoning_correct(np.array([[0, 2]]), np.array([[7, 2]]))


# ----------------------------------------------------------------- the shipped sweep


def test_load_sweep_reads_every_run_and_its_curve():
    runs = tem.load_sweep()
    assert {r.config for r in runs} >= {"temt_w100b32", "att64_w100b32", "att128L4_w100b32"}
    for run in runs:
        assert run.steps[0] == 0 and np.all(np.diff(run.steps)[:-1] == 250)
        assert run.steps[-1] == run.steps_trained  # a truncated run is scored where it stopped
        assert run.steps.shape == run.loop_closure.shape
        assert set(run.final) == {200, 400}
        assert 0 <= run.final[400]["loop_closure"] <= 1
        assert run.steps_to_095 <= run.steps_trained
    temt = tem.sweep_runs(runs, "temt_w100b32")
    assert [r.seed for r in temt] == [0, 1, 2]
    assert all(r.reached_095 and r.steps_to_095 == 250 for r in temt)
    small = tem.sweep_runs(runs, "att64_w100b32")
    assert [r.steps_trained for r in small] == [5000] * 3
    assert not any(r.reached_095 for r in small)
    assert any(r.within_beyond is not None for r in runs if r.config == "att64_w100b32")


def test_sweep_runs_keeps_the_longest_run_per_seed(tmp_path):
    def raw(seed, steps, name="temt_w100b32"):
        return {
            "config": {"name": name, "model": "temt", "d_model": 64, "n_layers": 0,
                       "walk_length": 100, "batch": 32, "steps": 500},
            "seed": seed, "device": "cpu", "steps_trained": steps,
            "curve": [{"step": 0, "loop_closure": 0.05}, {"step": 250, "loop_closure": None}],
            "final": {"200": {"loop_closure": 0.9}, "400": {"loop_closure": 0.8}},
            "steps_to_095": steps, "reached_095": False,
        }  # fmt: skip

    path = tmp_path / "sweep.json"
    path.write_text(json.dumps({"runs": [raw(1, 300), raw(0, 500), raw(1, 400)]}))
    runs = tem.load_sweep(path)
    assert len(runs) == 3 and np.isnan(runs[0].loop_closure[1])
    chosen = tem.sweep_runs(runs, "temt_w100b32")
    assert [(r.seed, r.steps_trained) for r in chosen] == [(0, 500), (1, 400)]
    with pytest.raises(ValueError, match="no run of config"):
        tem.sweep_runs(runs, "att64_w100b32")
    path.write_text("[]")
    with pytest.raises(ValueError, match="not a sweep file"):
        tem.load_sweep(path)
