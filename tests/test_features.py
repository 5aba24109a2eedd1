"""features.py: shapes, the untrained control, and the language-blind position feature."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import features


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


def test_bag_of_words_counts():
    bag = features.bag_of_words(["the cat", "the dog", "the cat sat"], min_count=2)
    np.testing.assert_array_equal(bag, [[1, 1], [0, 1], [1, 1]])  # columns: cat, the


def test_position_in_passage_is_block_diagonal():
    x = features.position_in_passage(np.array([0, 0, 0, 1, 1]))
    assert x.shape == (5, 5)
    assert x[0, 3] == 0 and x[2, 3] == 0  # nothing shared across passages
    assert x[0, 0] == 1 and 0 < x[0, 1] < 1
