"""Input checks shared by the TEM modules (private)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .. import _validate

N_ACTIONS = 4  # N, E, S, W


def _integer_array(name: str, x: object, *, ndim: int | Sequence[int], dims: str) -> np.ndarray:
    """Check that ``x`` is an integer NumPy array of the allowed rank; return it as int64."""
    if not isinstance(x, np.ndarray):
        hint = ""
        if isinstance(x, torch.Tensor):
            hint = f" — convert it with {name}.numpy()"
        elif isinstance(x, (list, tuple)):
            hint = f" — convert it with np.asarray({name})"
        raise TypeError(f"{name} must be a numpy.ndarray of integers, got {type(x).__name__}{hint}")
    if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must hold integers {dims}, got dtype {x.dtype}")
    _validate.rank(name, x.shape, ndim, dims)
    return x.astype(np.int64, copy=False)


def _integer_tensor(name: str, x: object, *, ndim: int, dims: str) -> torch.Tensor:
    """Check that ``x`` is an integer torch tensor of rank ``ndim``."""
    t = _validate.tensor(name, x, ndim=ndim, dims=dims)
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor {dims}, got dtype {t.dtype}")
    return t


def _ids_in_range(name: str, x: np.ndarray | torch.Tensor, high: int, what: str) -> None:
    """Raise unless every entry of ``x`` lies in 0 … high − 1."""
    if x.numel() if isinstance(x, torch.Tensor) else x.size:
        low_value, high_value = int(x.min()), int(x.max())
        if low_value < 0 or high_value >= high:
            raise ValueError(
                f"{name} must hold {what} ids in 0 … {high - 1}, got values from {low_value} "
                f"to {high_value}"
            )


def _widths(widths: object) -> tuple[int, ...]:
    if isinstance(widths, (int, np.integer)) and not isinstance(widths, bool):
        widths = (int(widths),)
    if not isinstance(widths, Sequence) or isinstance(widths, str) or not widths:
        raise TypeError(f"widths must be a non-empty sequence of integers, got {widths!r}")
    for w in widths:
        _validate.positive_int("each entry of widths", w)
        if w < 2:
            raise ValueError(f"every width must be at least 2 (a 2 × 2 loop), got {tuple(widths)}")
    return tuple(widths)


def _n_classes(n_classes: object) -> int:
    _validate.positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    return n_classes
