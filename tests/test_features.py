"""encoding.features: shapes, the untrained control, and the language-blind position feature."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers.encoding import features


def test_minilm_layers_trained_and_untrained_differ():
    sentences = ["Owls hunt at night.", "Bread is baked from dough and water."]
    trained = features.transformer_layer_features(sentences, batch_size=1)
    untrained = features.transformer_layer_features(sentences, trained=False, seed=0)
    assert trained.shape == untrained.shape == (7, 2, 384)
    np.testing.assert_allclose(trained[0], untrained[0] * 0 + trained[0])  # finite, same shape
    assert not np.allclose(trained[-1], untrained[-1])
    again = features.transformer_layer_features(sentences, trained=False, seed=0)
    np.testing.assert_allclose(untrained, again)  # seeded
    with pytest.raises(TypeError):
        features.transformer_layer_features("one string")


def test_untrained_model_leaves_the_global_torch_generator_alone():
    import torch

    features._load.cache_clear()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    features.transformer_layer_features(["Owls hunt at night."], trained=False, seed=7)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_contextual_features_read_the_passage_so_far():
    sentences = ["Owls hunt at night.", "They fly silently.", "Bread is baked."]
    passage = np.array([0, 0, 1])
    ctx = features.contextual_layer_features(sentences, passage, batch_size=2)
    assert ctx.shape == (7, 3, 384)
    # a passage's first sentence has no context: its last token equals the sentence alone
    alone = features.contextual_layer_features(sentences[:1], passage[:1])
    np.testing.assert_allclose(ctx[:, 0], alone[:, 0], atol=1e-5)
    np.testing.assert_allclose(
        ctx[:, 2], features.contextual_layer_features(sentences[2:], passage[2:])[:, 0], atol=1e-5
    )
    # the second sentence is read after the first: different from reading it alone
    second_alone = features.contextual_layer_features(sentences[1:2], passage[1:2])
    assert not np.allclose(ctx[-1, 1], second_alone[-1, 0], atol=1e-3)
    with pytest.raises(ValueError, match="passage must have shape"):
        features.contextual_layer_features(sentences, passage[:2])


def test_words_only_in_test_sentences_cannot_change_the_fit():
    # Why a vocabulary counted over all sentences cannot leak: a column that is zero on
    # every training row gets zero weight, so test-only words change no prediction.
    from brainformers import encoding

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((30, 5)), rng.standard_normal((30, 4))
    train, test = np.arange(20), np.arange(20, 30)
    extra = np.zeros((30, 2))
    extra[test] = rng.integers(0, 3, size=(10, 2))
    with_words = np.hstack([x, extra])
    for alpha in (0.1, 10.0):
        np.testing.assert_allclose(
            encoding.ridge_predict(with_words[train], y[train], with_words[test], alpha),
            encoding.ridge_predict(x[train], y[train], x[test], alpha),
            atol=1e-10,
        )


def test_bag_of_words_counts():
    bag = features.bag_of_words(["the cat", "the dog", "the cat sat"], min_count=2)
    np.testing.assert_array_equal(bag, [[1, 1], [0, 1], [1, 1]])  # columns: cat, the


def test_position_in_passage_is_block_diagonal():
    x = features.position_in_passage(np.array([0, 0, 0, 1, 1]))
    assert x.shape == (5, 5)
    assert x[0, 3] == 0 and x[2, 3] == 0  # nothing shared across passages
    assert x[0, 0] == 1 and 0 < x[0, 1] < 1


def test_passage_features_refuse_passages_that_are_not_consecutive():
    interleaved = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="consecutive"):
        features.position_in_passage(interleaved)
    with pytest.raises(ValueError, match="consecutive"):
        features.sentence_position(interleaved)
    with pytest.raises(ValueError, match="label 0 comes back at index 2"):
        features.contextual_layer_features(["A.", "B.", "C.", "D."], interleaved)
    # consecutive runs with any labels are fine
    assert features.position_in_passage(np.array([5, 5, 2, 2, 2])).shape == (5, 5)


def test_long_context_is_cut_at_its_start_so_the_last_token_is_the_sentence_end():
    tokenizer, _ = features._load(True, 0)
    long_text = " ".join(["The cat sat on the mat today."] * 120) + " Finally the owl hooted."
    batch = features._tokenize_keeping_the_end(tokenizer, [long_text, "Short one."])
    ids = batch["input_ids"]
    assert ids.shape[1] == tokenizer.model_max_length  # truncated
    last = int(batch["attention_mask"][0].sum()) - 2
    tokens = tokenizer.convert_ids_to_tokens(ids[0, last - 2 : last + 2].tolist())
    assert tokens == ["ho", "##oted", ".", "[SEP]"] or tokens[-2:] == [".", "[SEP]"]
    assert "owl" in tokenizer.convert_ids_to_tokens(ids[0, last - 6 : last + 1].tolist())
    assert tokenizer.truncation_side == "right"  # put back for the sentence-alone features
    short_last = int(batch["attention_mask"][1].sum()) - 2
    assert tokenizer.convert_ids_to_tokens(int(ids[1, short_last])) == "."


def test_sentence_length_and_position():
    length = features.sentence_length(["Owls hunt at night.", "It's late, isn't it?"])
    np.testing.assert_array_equal(length, [[4.0], [4.0]])
    pos = features.sentence_position(np.array([3, 3, 3, 1, 1]))
    np.testing.assert_array_equal(pos.argmax(1), [0, 1, 2, 0, 1])
    assert pos.shape == (5, 3) and (pos.sum(1) == 1).all()
    with pytest.raises(TypeError):
        features.sentence_length("one string")
