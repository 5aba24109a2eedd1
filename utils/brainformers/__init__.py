"""brainformers — the helper library of the Brainformers course.

One module per idea, by chapter:

* 01 — :mod:`~brainformers.attention` (attention, masks, positions),
  :mod:`~brainformers.recall` (the associative-recall task and a tiny transformer);
* 02 — :mod:`~brainformers.hopfield` (classical, dense, modern and two-layer Hopfield networks);
* 03 — :mod:`~brainformers.tem` (grid worlds, walks, the oracle, the TEM-transformer);
* 04 — :mod:`~brainformers.grid` (rate maps, gridness, shuffle nulls),
  :mod:`~brainformers.arena` (RatInABox paths and place cells, in cm),
  :mod:`~brainformers.pattern_formation` (non-negative PCA),
  :mod:`~brainformers.path_integration` (a path-integrating RNN);
* 05 — :mod:`~brainformers.encoding` (ridge, cross-validated r, noise ceilings),
  :mod:`~brainformers.features` (MiniLM layers and controls),
  :mod:`~brainformers.data` (stimuli, simulated subjects, published scores, Pereira 2018);
* every chapter — :mod:`~brainformers.plot` (figure style), :mod:`~brainformers.check`
  (exercise checkers), :mod:`~brainformers.results` (headline bars and how a chapter
  reports them);
* teachers — :mod:`~brainformers.grade` (a class's notebooks on fresh kernels, one grade
  sheet: ``python -m brainformers.grade NOTEBOOK... --csv grades.csv``).
"""

from __future__ import annotations

import random

import numpy as np
import torch

from . import _validate

__version__ = "0.1.0"
__all__ = ["set_seed", "get_device", "__version__"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and CUDA) in one call."""
    _validate.seed(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 — seeds the legacy global state notebooks may use
    torch.manual_seed(seed)


def get_device() -> torch.device:
    """``cuda`` when a GPU is available (e.g. a Colab GPU runtime), else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
