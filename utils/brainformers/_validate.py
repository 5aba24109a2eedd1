"""One place for input checks, so every helper fails with the same kind of message.

Each check raises ``TypeError`` (wrong kind of object or dtype) or ``ValueError``
(wrong shape or range) naming the argument, what was expected and what came.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


def tensor(
    name: str,
    x: object,
    *,
    ndim: int | Sequence[int] | None = None,
    floating: bool = False,
    boolean: bool = False,
    dims: str | None = None,
) -> torch.Tensor:
    """Check that ``x`` is a tensor with the expected rank and dtype family.

    Parameters
    ----------
    name : the argument's name, used in the message.
    x : the value to check.
    ndim : allowed number(s) of dimensions; ``None`` for any.
    floating : require a floating-point dtype.
    boolean : require ``torch.bool``.
    dims : human-readable dimension names for the message, e.g. ``"(batch, seq, d_k)"``.
    """
    if not isinstance(x, torch.Tensor):
        hint = " — convert it with torch.as_tensor(x)" if hasattr(x, "shape") else ""
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}{hint}")
    rank(name, tuple(x.shape), ndim, dims)
    if floating and not x.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor, got dtype {x.dtype} — use {name}.float()"
        )
    if boolean and x.dtype != torch.bool:
        raise TypeError(f"{name} must be a boolean tensor (True = may attend), got dtype {x.dtype}")
    return x


def rank(name: str, shape: tuple[int, ...], ndim: int | Sequence[int] | None, dims: str) -> None:
    """Raise when an array's number of dimensions is not one of those allowed."""
    if ndim is None:
        return
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if len(shape) not in allowed:
        want = " or ".join(str(k) for k in allowed)
        shape_hint = f" {dims}" if dims else ""
        raise ValueError(f"{name} must have {want} dimensions{shape_hint}, got shape {shape}")


def positive_int(name: str, value: object) -> int:
    """Check that ``value`` is a positive Python integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def positive_float(name: str, value: object) -> float:
    """Check that ``value`` is a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return float(value)


def array(
    name: str,
    x: object,
    *,
    ndim: int | Sequence[int] | None = None,
    dims: str = "",
    allow_nan: bool = False,
) -> np.ndarray:
    """Check that ``x`` is a finite real NumPy array of the allowed rank; return it as float64.

    ``allow_nan`` admits NaN as a marker of missing entries (e.g. unvisited bins of a rate
    map); infinity is always rejected.
    """
    if not isinstance(x, np.ndarray):
        if isinstance(x, torch.Tensor):
            hint = f" — convert it with {name}.numpy()"
        elif isinstance(x, (list, tuple)):
            hint = f" — convert it with np.asarray({name})"
        else:
            hint = ""
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}{hint}")
    if x.dtype == np.bool_ or not (
        np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold real numbers (int or float), got dtype {x.dtype}")
    rank(name, x.shape, ndim, dims)
    x = x.astype(np.float64, copy=False)
    if allow_nan:
        if np.isinf(x).any():
            raise ValueError(f"{name} must not contain infinity (NaN marks a missing entry)")
    elif x.size and not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite, found NaN or infinity")
    return x


def fraction(name: str, value: object) -> float:
    """Check that ``value`` is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__}")
    if not 0.0 <= float(value) <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return float(value)


def numpy_generator(name: str, rng: object) -> np.random.Generator:
    """Check that ``rng`` is a NumPy random generator (seeded randomness is explicit)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng


def seed(value: object, name: str = "seed") -> int:
    """Check a random seed: an integer in [0, 2**32), the range NumPy's legacy
    ``np.random.seed`` accepts (torch and ``default_rng`` accept it too)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer in [0, 2**32), got {value!r}")
    if not 0 <= value < 2**32:
        raise ValueError(f"{name} must be an integer in [0, 2**32), got {value!r}")
    return int(value)
