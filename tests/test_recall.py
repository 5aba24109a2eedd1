"""brainformers.recall: the associative-recall task, the tiny transformer and its training.

References: the task's definition checked token by token with explicit loops, the
permutation symmetry of attention without positions (exact up to float32 rounding,
tolerance 1e-5), and hand-computed accuracies. Every random draw uses a fixed seed.
"""

from __future__ import annotations

import math

import pytest
import torch
from brainformers.recall import (
    RecallBatch,
    RecallTask,
    SoftLookup,
    TinyTransformer,
    TrainingHistory,
    recall_accuracy,
    train_recall,
)
from torch import nn


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def tiny_model(task, seed=0, **kwargs):
    torch.manual_seed(seed)
    kwargs.setdefault("d_model", 16)
    return TinyTransformer(task.vocab_size, task.n_values, task.seq_len, **kwargs)


# --------------------------------------------------------------------- RecallTask

TASKS = [RecallTask(), RecallTask(n_keys=6, n_values=3, n_pairs=6), RecallTask(4, 9, 1)]


@pytest.mark.parametrize("task", TASKS, ids=["default", "all_keys", "one_pair"])
def test_sample_shapes_and_dtypes(task):
    batch = task.sample(50, gen(0))
    assert isinstance(batch, RecallBatch)
    assert batch.tokens.shape == (50, task.seq_len)
    assert batch.targets.shape == (50,)
    assert batch.key_position.shape == (50,)
    for t in batch:
        assert not t.is_floating_point()


@pytest.mark.parametrize("task", TASKS, ids=["default", "all_keys", "one_pair"])
def test_sample_follows_the_task_definition(task):
    """k1 v1 … kn vn q: distinct keys, values after keys, q among the keys, target = v(q)."""
    batch = task.sample(200, gen(1))
    n_keys, n_values, n_pairs = task.n_keys, task.n_values, task.n_pairs
    for tokens, target, position in zip(*batch, strict=True):
        tokens = tokens.tolist()
        keys, values, query = tokens[0:-1:2], tokens[1:-1:2], tokens[-1]
        assert len(keys) == len(values) == n_pairs
        assert all(0 <= k < n_keys for k in keys)
        assert all(n_keys <= v < n_keys + n_values for v in values)
        assert len(set(keys)) == n_pairs
        assert query in keys
        assert int(position) == 2 * keys.index(query)
        assert tokens[int(position)] == query
        assert int(target) == tokens[int(position) + 1] - n_keys
        assert 0 <= int(target) < n_values


def test_sample_uses_every_query_slot_and_value():
    """Over many draws the queried pair is any of the n_pairs and every value appears."""
    task = RecallTask()
    batch = task.sample(2000, gen(2))
    assert set(batch.key_position.tolist()) == set(range(0, 2 * task.n_pairs, 2))
    assert set(batch.targets.tolist()) == set(range(task.n_values))


def test_sample_is_reproducible_with_a_seeded_generator():
    task = RecallTask()
    a, b = task.sample(32, gen(7)), task.sample(32, gen(7))
    for x, y in zip(a, b, strict=True):
        assert torch.equal(x, y)
    c = task.sample(32, gen(8))
    assert not torch.equal(a.tokens, c.tokens)


def test_sample_bad_n():
    with pytest.raises(ValueError, match="n"):
        RecallTask().sample(0)


@pytest.mark.parametrize(
    "config",
    [
        {"n_keys": 4, "n_pairs": 5},
        {"n_keys": 0},
        {"n_values": 0},
        {"n_pairs": 0},
        {"n_pairs": -2},
        {"n_keys": 8.0},
    ],
    ids=["pairs>keys", "no_keys", "no_values", "no_pairs", "negative", "float"],
)
def test_invalid_task_config(config):
    with pytest.raises(ValueError):
        RecallTask(**config)


@pytest.mark.parametrize(
    ("task", "seq_len", "vocab", "chance"),
    [(RecallTask(), 13, 32, 1 / 16), (RecallTask(10, 5, 3), 7, 15, 0.2)],
)
def test_task_properties(task, seq_len, vocab, chance):
    assert task.seq_len == seq_len
    assert task.vocab_size == vocab
    assert task.chance == pytest.approx(chance)
    assert task.chance_loss == pytest.approx(-math.log(chance))
    assert task.sample(3, gen(0)).tokens.max() < task.vocab_size


def hand_batch(task, values, targets):
    """A batch with the given values (batch, n_pairs) and answers, keys 0 … n_pairs-1."""
    values = torch.tensor(values)
    keys = torch.arange(task.n_pairs).expand_as(values)
    pairs = torch.stack([keys, values + task.n_keys], dim=-1).reshape(len(values), -1)
    targets = torch.tensor(targets)
    rows = zip(values.tolist(), targets.tolist(), strict=True)
    which = torch.tensor([row.index(t) for row, t in rows])
    tokens = torch.cat([pairs, which[:, None]], dim=1)
    return RecallBatch(tokens, targets, 2 * which)


def test_order_blind_loss_hand_computed():
    """−ln(count of the answer / n_pairs): all distinct → ln 4; answer twice → ln 2."""
    task = RecallTask(n_keys=4, n_values=5, n_pairs=4)
    batch = hand_batch(task, [[0, 1, 2, 3], [2, 2, 4, 0], [1, 1, 1, 1]], [3, 2, 1])
    want = (math.log(4) + math.log(2) + 0.0) / 3
    assert task.order_blind_loss(batch) == pytest.approx(want, rel=1e-6)
    # The most frequent value is right 1/4, 2/4 and 4/4 of the time.
    assert task.order_blind_ceiling(batch) == pytest.approx((0.25 + 0.5 + 1.0) / 3)


def test_order_blind_loss_of_sampled_problems_matches_the_binomial():
    """The answer's count is 1 + Binomial(n_pairs − 1, 1/n_values): the exact mean loss."""
    task = RecallTask()
    n, p = task.n_pairs - 1, 1 / task.n_values
    exact = sum(
        math.comb(n, c) * p**c * (1 - p) ** (n - c) * -math.log((c + 1) / task.n_pairs)
        for c in range(n + 1)
    )
    assert task.order_blind_loss(task.sample(20000, gen(9))) == pytest.approx(exact, abs=0.01)
    assert task.order_blind_loss(task.sample(100, gen(9))) < task.chance_loss


# ---------------------------------------------------------------- TinyTransformer


def test_tiny_transformer_output_shape():
    task = RecallTask()
    model = tiny_model(task, n_heads=2, n_layers=3)
    logits = model(task.sample(5, gen(0)).tokens)
    assert logits.shape == (5, task.n_values)
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize("causal", [False, True], ids=["bidirectional", "causal"])
@pytest.mark.parametrize("n_heads", [1, 4])
def test_forward_with_attention_maps(causal, n_heads):
    task = RecallTask()
    model = tiny_model(task, n_heads=n_heads, n_layers=3, causal=causal)
    tokens = task.sample(4, gen(1)).tokens
    logits, maps = model.forward_with_attention(tokens)
    torch.testing.assert_close(logits, model(tokens), atol=0, rtol=0)
    assert len(maps) == 3
    for attn in maps:
        assert attn.shape == (4, n_heads, task.seq_len, task.seq_len)
        assert (attn >= 0).all()
        torch.testing.assert_close(
            attn.sum(-1), torch.ones(4, n_heads, task.seq_len), atol=1e-6, rtol=0
        )
        if causal:
            assert (attn.triu(diagonal=1) == 0).all()
        else:
            assert (attn.triu(diagonal=1) > 0).any()


def context_permutations(task, n=5, seed=3):
    """Random permutations of the 2·n_pairs context tokens; the query stays last."""
    g = gen(seed)
    last = torch.tensor([task.seq_len - 1])
    return [torch.cat([torch.randperm(2 * task.n_pairs, generator=g), last]) for _ in range(n)]


def test_order_blind_model_is_permutation_invariant():
    """No positions and no mask: the logits depend only on the bag of context tokens."""
    task = RecallTask()
    model = tiny_model(task, n_heads=2, use_positions=False, causal=False)
    tokens = task.sample(16, gen(4)).tokens
    with torch.no_grad():
        logits = model(tokens)
        for perm in context_permutations(task):
            diff = (model(tokens[:, perm]) - logits).abs().max()
            assert diff < 1e-5


@pytest.mark.parametrize(
    ("use_positions", "causal"),
    [(True, False), (True, True), (False, True)],
    ids=["positions", "positions+causal", "causal_only"],
)
def test_order_aware_models_see_the_permutation(use_positions, causal):
    """Positions, or a causal mask, make the logits depend on the order."""
    task = RecallTask()
    model = tiny_model(task, n_heads=2, use_positions=use_positions, causal=causal)
    tokens = task.sample(16, gen(4)).tokens
    with torch.no_grad():
        logits = model(tokens)
        for perm in context_permutations(task):
            assert (model(tokens[:, perm]) - logits).abs().max() > 1e-3


@pytest.mark.parametrize("causal", [False, True], ids=["bidirectional", "causal"])
@pytest.mark.parametrize(("n_heads", "n_layers"), [(1, 2), (4, 1), (2, 3)])
def test_lookup_takes_the_last_lookup_apart(causal, n_heads, n_layers):
    """Its weights are the attention map's last row, and the logits add up exactly."""
    task = RecallTask()
    model = tiny_model(task, n_heads=n_heads, n_layers=n_layers, causal=causal)
    tokens = task.sample(6, gen(2)).tokens
    with torch.no_grad():
        found = model.lookup(tokens)
        logits, maps = model.forward_with_attention(tokens)
    assert isinstance(found, SoftLookup)
    d_head, seq = 16 // n_heads, task.seq_len
    assert found.query.shape == (6, n_heads, d_head)
    assert found.keys.shape == found.values.shape == (6, n_heads, seq, d_head)
    assert found.weights.shape == (6, n_heads, seq)
    assert found.value_logits.shape == (6, n_heads, seq, task.n_values)
    torch.testing.assert_close(found.weights, maps[-1][:, :, -1], atol=1e-6, rtol=0)
    scores = torch.einsum("bhd,bhsd->bhs", found.query, found.keys) / d_head**0.5
    torch.testing.assert_close(found.weights, scores.softmax(-1), atol=1e-6, rtol=0)
    mixed = (found.weights[..., None] * found.values).sum(dim=2)
    torch.testing.assert_close(found.output, mixed, atol=1e-6, rtol=0)
    torch.testing.assert_close(found.logits, logits, atol=1e-5, rtol=0)
    split = found.other_logits + (found.weights[..., None] * found.value_logits).sum((1, 2))
    torch.testing.assert_close(split, logits, atol=1e-5, rtol=0)


def test_tiny_transformer_float_tokens_is_type_error():
    task = RecallTask()
    model = tiny_model(task)
    with pytest.raises(TypeError, match="tokens"):
        model(task.sample(2, gen(0)).tokens.float())


def test_tiny_transformer_sequence_longer_than_max_len():
    task = RecallTask()
    model = tiny_model(task)
    tokens = torch.zeros(2, task.seq_len + 1, dtype=torch.long)
    with pytest.raises(ValueError, match="max_len"):
        model(tokens)


def test_tiny_transformer_shorter_sequence_is_fine():
    task = RecallTask()
    model = tiny_model(task)
    assert model(torch.zeros(2, 3, dtype=torch.long)).shape == (2, task.n_values)


def test_tiny_transformer_heads_must_divide_d_model():
    with pytest.raises(ValueError, match="n_heads"):
        TinyTransformer(32, 16, 13, d_model=30, n_heads=4)


@pytest.mark.parametrize("name", ["vocab_size", "n_classes", "max_len", "d_model", "n_layers"])
def test_tiny_transformer_sizes_must_be_positive(name):
    kwargs = {"vocab_size": 32, "n_classes": 16, "max_len": 13, "d_model": 16, "n_layers": 2}
    kwargs[name] = 0
    with pytest.raises(ValueError, match=name):
        TinyTransformer(**kwargs)


# ------------------------------------------------------------ training and accuracy


def test_train_recall_lowers_the_loss():
    task = RecallTask()
    torch.manual_seed(0)
    model = TinyTransformer(task.vocab_size, task.n_values, task.seq_len)
    history = train_recall(model, task, n_steps=300, seed=0)
    assert isinstance(history, TrainingHistory)
    losses = history.losses
    assert len(losses) == 300 and history.steps == [] and history.test_accuracy == []
    assert all(isinstance(x, float) for x in losses)
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < first
    # Held-out problems (a different seed) are solved well above chance.
    assert recall_accuracy(model, task.sample(256, gen(123))) > 3 * task.chance


def test_train_recall_is_reproducible():
    task = RecallTask()
    runs = [train_recall(tiny_model(task), task, n_steps=5, batch_size=8, seed=1) for _ in "ab"]
    assert runs[0] == runs[1]


def test_evaluating_on_the_way_changes_nothing():
    """A long run measured after step 4 equals a 4-step run, loss for loss and in accuracy."""
    task = RecallTask()
    test = task.sample(64, gen(5))
    short_model = tiny_model(task)
    short = train_recall(short_model, task, n_steps=4, batch_size=8, seed=2)
    long = train_recall(
        tiny_model(task), task, n_steps=7, batch_size=8, seed=2, test=test, evaluate_at=(7, 4)
    )
    assert long.losses[:4] == short.losses
    assert long.steps == [4, 7]
    assert long.test_accuracy[0] == recall_accuracy(short_model, test)
    assert all(0.0 <= a <= 1.0 for a in long.test_accuracy)


@pytest.mark.parametrize(
    "kwargs", [{"n_steps": 0}, {"batch_size": 0}, {"lr": 0.0}], ids=["steps", "batch", "lr"]
)
def test_train_recall_bad_arguments(kwargs):
    task = RecallTask()
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        train_recall(tiny_model(task), task, **kwargs)


@pytest.mark.parametrize(
    ("evaluate_at", "with_test", "match"),
    [((3,), False, "test batch"), ((0,), True, "1…5"), ((6,), True, "1…5"), ((2.0,), True, "2.0")],
    ids=["no-test", "zero", "past-the-end", "float"],
)
def test_train_recall_bad_checkpoints(evaluate_at, with_test, match):
    task = RecallTask()
    test = task.sample(8, gen(0)) if with_test else None
    with pytest.raises(ValueError, match=match):
        train_recall(tiny_model(task), task, n_steps=5, test=test, evaluate_at=evaluate_at)


class FixedAnswers(nn.Module):
    """A 'model' that answers ``answers[i]`` for problem i, whatever the tokens."""

    def __init__(self, answers, n_classes):
        super().__init__()
        # A (frozen) parameter, like any real model: recall_accuracy reads its device.
        logits = nn.functional.one_hot(answers, n_classes).float()
        self.logits = nn.Parameter(logits, requires_grad=False)

    def forward(self, tokens):
        return self.logits[: tokens.shape[0]]


def test_recall_accuracy_hand_computed():
    task = RecallTask()
    batch = task.sample(8, gen(5))
    answers = batch.targets.clone()
    answers[[1, 4, 6]] = (answers[[1, 4, 6]] + 1) % task.n_values  # 3 wrong of 8
    accuracy = recall_accuracy(FixedAnswers(answers, task.n_values), batch)
    assert isinstance(accuracy, float)
    assert accuracy == 5 / 8


def test_recall_accuracy_of_a_real_model():
    task = RecallTask()
    model = tiny_model(task)
    batch = task.sample(64, gen(6))
    accuracy = recall_accuracy(model, batch)
    with torch.no_grad():
        hand = sum(
            int(model(tokens[None]).argmax().item() == target)
            for tokens, target in zip(batch.tokens, batch.targets.tolist(), strict=True)
        )
    assert isinstance(accuracy, float)
    assert 0.0 <= accuracy <= 1.0
    assert accuracy == pytest.approx(hand / 64, abs=1e-7)
