"""brainformers — the helper library of the Brainformers course.

One package per chapter, named for its idea; the chapters share only the attention
foundation and the course machinery:

* :mod:`~brainformers.attention` — the shared foundation: scaled dot-product attention,
  masks, heads, sinusoidal positions (01, used again by 02, 03 and 06);
* 01 — :mod:`~brainformers.recall` (the associative-recall task and a tiny transformer);
* 02 — :mod:`~brainformers.hopfield` (classical, dense, modern and two-layer Hopfield networks);
* 03 — :mod:`~brainformers.tem` (grid worlds, walks, the oracle, the TEM-transformer);
* 04 — :mod:`~brainformers.grid` (rate maps, gridness, nulls; RatInABox paths and place
  cells, non-negative PCA, a path-integrating RNN);
* 05 — :mod:`~brainformers.encoding` (ridge, cross-validated r, noise ceilings; MiniLM
  features; stimuli, simulated subjects, published scores, Pereira 2018);
* 06 — :mod:`~brainformers.sensory` (the AttentionNeuron, shuffled senses, CartPole-v1 and
  the swing-up, CMA-ES);

Each chapter package keeps its headline bars in its ``bars`` module. Course machinery,
apart from the science: :mod:`~brainformers.check` (exercise checkers, one module per
chapter), :mod:`~brainformers.grade` (a class's notebooks on fresh kernels, one grade
sheet: ``python -m brainformers.grade NOTEBOOK... --csv grades.csv``),
:mod:`~brainformers.results` (every chapter's bars, and how a chapter reports them),
:mod:`~brainformers.bar`, :mod:`~brainformers.plot` (figure style) and input validation.
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
