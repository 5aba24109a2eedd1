"""A headline and the bar it must meet: the unit every chapter's ``bars`` module is made of.

Course machinery, apart from the science: each chapter package lists its bars in its own
``bars.py``; :mod:`brainformers.results` gathers them and prints them.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Bar"]

_OPS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Bar:
    """A headline and the bar it must meet: ``value <op> threshold``.

    ``what`` says in words what the number is, for the robustness table; ``why``, where
    the bar is not the obvious one, says why it sits where it does.
    """

    name: str
    op: str
    threshold: float
    what: str
    why: str = ""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"op must be one of {sorted(_OPS)}, got {self.op!r}")

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the bar (a NaN never does)."""
        value = _number(self.name, value)
        return not math.isnan(value) and _OPS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.name} {self.op} {self.threshold:g}"


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:  # NumPy and torch scalars
            return float(value.item())  # type: ignore[attr-defined]
        except (AttributeError, TypeError, ValueError):
            raise TypeError(
                f"{name} must be a real number, got {type(value).__name__} {value!r}"
            ) from None
    return float(value)
