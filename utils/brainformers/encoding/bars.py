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
        "inter-subject ceiling on the simulated subjects",
        "predicting a subject from other subjects' noisy voxels falls far below the true "
        "ceiling (about 0.37): the two ceilings are on different scales",
    ),
    Bar("position_feature_shuffled_score", ">=", 0.5, "position feature, shuffled folds"),
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
        "above GPT-2 XL's 0.398 on the same folds",
    ),
    Bar(
        "hadidi_shuffled_gpt2xl_r",
        "<=",
        0.42,
        "published (Hadidi 2025): GPT-2 XL, shuffled folds",
        "below the position-only feature's 0.451",
    ),
    Bar(
        "hadidi_contiguous_position_r",
        "<=",
        0.05,
        "published (Hadidi 2025): position only, whole passages held out",
    ),
    Bar(
        "hadidi_contiguous_gpt2xl_r",
        ">=",
        0.1,
        "published (Hadidi 2025): GPT-2 XL, whole passages held out",
    ),
    Bar(
        "published_trained_minus_untrained_median",
        ">=",
        0.1,
        "published: trained minus untrained, median of 43 pairs",
    ),
    Bar(
        "published_nextword_r_log_perplexity",
        "<=",
        -0.6,
        "published: r(score, WikiText-2 test loss = ln perplexity), 42 models",
    ),
    Bar(
        "published_nextword_r_perplexity",
        "<=",
        -0.4,
        "published: r(score, perplexity), the paper's statistic",
    ),
)
