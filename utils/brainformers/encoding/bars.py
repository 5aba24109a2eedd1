"""The headline bars of chapter 05 (brain predictivity): what each number must meet, and why.

Gathered with every other chapter's in :data:`brainformers.results.BARS`, which the
chapter's Results cell, the seed sweep (``utils/robustness.py``) and the robustness table
read.
"""

from __future__ import annotations

from ..bar import Bar

BARS: tuple[Bar, ...] = (
    Bar("simulated_generating_model_rank", "<=", 1, "rank of the generating layer"),
    Bar(
        "random_feature_median_r",
        "<=",
        0.03,
        "null: Gaussian features of the same width, median r",
        "384 columns of noise cannot predict held-out passages; 0.03 is a few standard "
        "errors of a median over 400 voxels",
    ),
    Bar("simulated_ceiling_abs_error", "<=", 0.05, "split-half ceiling vs the true one"),
    Bar(
        "simulated_intersubject_ceiling",
        "<=",
        0.25,
        "inter-subject ceiling on the simulated subjects (signal in all 384 dimensions)",
        "predicting a subject from other subjects' noisy voxels falls far below the true "
        "ceiling (about 0.37): the two ceilings are on different scales; how far below "
        "depends on the signal's dimension (the calibrated simulation)",
    ),
    Bar(
        "calibrated_intersubject_gap_to_pereira",
        "<=",
        0.06,
        "|inter-subject ceiling of the calibrated simulation − 0.3585| (5-dimensional signal)",
        "Pereira2018's published inter-subject ceilings are 0.354 and 0.363 (mean 0.3585); the "
        "calibration claims to land within 0.06 of them",
    ),
    Bar(
        "position_feature_shuffled_score",
        ">=",
        0.5,
        "position feature, shuffled folds (drift fraction 0.3)",
        "the size of this number is set by the simulated drift: see the next bar",
    ),
    Bar(
        "position_feature_shuffled_score_without_drift",
        "<=",
        0.3,
        "position feature, shuffled folds, simulation without drift",
        "the claim is that the position feature's shuffled-fold score comes from slow drift "
        "within passages; without drift it must fall well below the generating layer's "
        "(about 0.5)",
    ),
    Bar(
        "position_feature_grouped_score",
        "<=",
        0.1,
        "position feature, grouped folds",
        "exactly 0 by convention: every grouped prediction is constant, r undefined",
    ),
    Bar(
        "hadidi_shuffled_position_r",
        ">=",
        0.42,
        "published (Hadidi 2025): position only, shuffled folds",
        "a check that the shipped table is intact (its mean is 0.451, above GPT-2 XL's 0.398 "
        "on the same folds), not a result of this notebook",
    ),
    Bar(
        "hadidi_shuffled_gpt2xl_r",
        "<=",
        0.42,
        "published (Hadidi 2025): GPT-2 XL, shuffled folds",
        "a check that the shipped table is intact (its mean is 0.398, below the "
        "position-only feature's 0.451), not a result of this notebook",
    ),
    Bar(
        "hadidi_contiguous_position_r",
        "<=",
        0.05,
        "published (Hadidi 2025): position only, whole passages held out",
        "a check that the shipped table is intact (published mean 0.000), not a result",
    ),
    Bar(
        "hadidi_contiguous_gpt2xl_r",
        ">=",
        0.1,
        "published (Hadidi 2025): GPT-2 XL, whole passages held out",
        "a check that the shipped table is intact (published mean 0.140), not a result",
    ),
    Bar(
        "published_trained_minus_untrained_median",
        ">=",
        0.1,
        "published: trained minus untrained, median of 43 pairs",
        "computed from fixed published numbers (0.29): a check that the table is intact "
        "and read right, not a result of this notebook",
    ),
    Bar(
        "published_nextword_r_log_perplexity",
        "<=",
        -0.6,
        "published: r(score, WikiText-2 test loss = ln perplexity), 42 models",
        "computed from fixed published numbers (−0.742): a check of the table and of which "
        "column is read, not a result",
    ),
    Bar(
        "published_nextword_r_perplexity",
        "<=",
        -0.4,
        "published: r(score, perplexity), the paper's statistic",
        "computed from fixed published numbers (−0.554): a check of the table, not a result",
    ),
    Bar(
        "untrained_length_decoding_r",
        ">=",
        0.8,
        "sentence length decoded from untrained MiniLM (passage-grouped r, worst of layers 0, 6)",
        "Feghhi et al. (2024)'s account of untrained scores needs sentence length to be "
        "linearly readable from a random network's mean-pooled states",
    ),
)
