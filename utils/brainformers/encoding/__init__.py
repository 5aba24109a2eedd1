"""Chapter 05, brain predictivity: encoding models that score networks against brain data.

* :mod:`~brainformers.encoding.regression` — ridge from features to voxels, its penalty
  chosen on the training sentences only, grouped and shuffled folds, the cross-validated
  Pearson r per voxel (Schrimpf et al. 2021);
* :mod:`~brainformers.encoding.ceiling` — split-half and inter-subject noise ceilings, and
  the normalised score;
* :mod:`~brainformers.encoding.features` — MiniLM layers (trained and untrained), bag of
  words, position in the passage, sentence length and rank in the passage;
* :mod:`~brainformers.encoding.data` — the stimuli, simulated subjects, published scores
  and the Pereira et al. (2018) loader (download with checksum and cache);
* :mod:`~brainformers.encoding.bars` — the chapter's headline bars.

The regression and ceiling functions are re-exported here (``encoding.encoding_score``);
``features`` and ``data`` are imported by name, since they load a model or files.
"""

from .ceiling import (
    IntersubjectCeiling,
    extrapolate_ceiling,
    intersubject_ceiling,
    normalised_score,
    spearman_brown,
    split_half_ceiling,
)
from .regression import (
    DEFAULT_ALPHAS,
    Folds,
    choose_alpha,
    cross_validated_predictions,
    encoding_score,
    grouped_folds,
    held_out_r,
    least_squares_score,
    pearson_per_voxel,
    ridge_predict,
    shuffled_folds,
    subject_median,
)

__all__ = [
    "DEFAULT_ALPHAS",
    "Folds",
    "IntersubjectCeiling",
    "choose_alpha",
    "cross_validated_predictions",
    "encoding_score",
    "extrapolate_ceiling",
    "grouped_folds",
    "held_out_r",
    "intersubject_ceiling",
    "least_squares_score",
    "normalised_score",
    "pearson_per_voxel",
    "ridge_predict",
    "shuffled_folds",
    "spearman_brown",
    "split_half_ceiling",
    "subject_median",
]
