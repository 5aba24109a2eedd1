"""brainformers — the helper library of the Brainformers course.

One module per idea: :mod:`~brainformers.attention` (chapter 01),
:mod:`~brainformers.recall` (the associative-recall task and a tiny transformer),
:mod:`~brainformers.plot` (figure style), :mod:`~brainformers.check` (exercise checkers).
"""

from __future__ import annotations

import random

import numpy as np
import torch

__version__ = "0.1.0"
__all__ = ["set_seed", "get_device", "__version__"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and CUDA) in one call."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 — seeds the legacy global state notebooks may use
    torch.manual_seed(seed)


def get_device() -> torch.device:
    """``cuda`` when a GPU is available (e.g. a Colab GPU runtime), else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
