"""Headline results of every chapter: the bar each must meet, and how a chapter reports them.

A chapter's Results section prints one ``name: value`` line per headline figure
(:func:`show`): what readers, teachers and the seed sweep read. What CI compares with
the stored output (nbval) is the *claim* (:func:`claims`): ``recall_accuracy >= 0.95:
True``. The exact digits of a training run move with the CPU's kernel path, the thread
count and the seed; a claim that holds for every seed of the sweep (``make robustness``,
``book/robustness.md``) does not. Each chapter's bars live once, with its code (the
``bars`` module of its package), and are gathered here, so that the notebooks, the sweep
and the robustness table cannot disagree about what a chapter claims.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from .bar import Bar, _number
from .encoding.bars import BARS as _ENCODING
from .grid.bars import BARS as _GRID
from .hopfield.bars import BARS as _HOPFIELD
from .recall.bars import BARS as _RECALL
from .sensory.bars import BARS as _SENSORY
from .tem.bars import BARS as _TEM

__all__ = ["BARS", "Bar", "claims", "show"]

#: Every chapter's bars, by chapter; each chapter package keeps its own in ``bars.py``.
BARS: dict[str, tuple[Bar, ...]] = {
    "01_self_attention": _RECALL,
    "02_hopfield": _HOPFIELD,
    "03_tem": _TEM,
    "04_grid_cells": _GRID,
    "05_brain_predictivity": _ENCODING,
    "06_sensory_neuron": _SENSORY,
}


def _format(value: float | int, digits: int) -> str:
    if isinstance(value, int):
        return str(value)
    if value != 0 and abs(value) < 0.5 * 10.0**-digits:
        return f"{value:.1e}"  # a tiny difference is a result, not a zero
    return f"{round(value, digits) + 0.0:.{digits}f}"  # + 0.0 turns -0.0 into 0.0


def show(values: Mapping[str, object], digits: int = 2) -> None:
    """Print one ``name: value`` line per headline (floats to ``digits`` decimals).

    Integers print as integers; a non-zero float too small for ``digits`` decimals
    prints in scientific notation, so that 3e-7 is not shown as 0.00.
    """
    if not isinstance(values, Mapping) or not values:
        raise TypeError(f"values must be a non-empty mapping name → number, got {values!r}")
    for name, value in values.items():
        number = _number(name, value)
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        print(f"{name}: {_format(int(number) if integral else number, digits)}")


def claims(chapter: str, values: Mapping[str, object]) -> None:
    """Print, for each bar of ``chapter``, whether the chapter's value meets it.

    One line per bar, e.g. ``recall_accuracy >= 0.95: True``: the output nbval checks.
    Pass the unrounded values, so that 0.946 does not pass a bar of 0.95 by rounding.
    """
    if chapter not in BARS:
        raise KeyError(f"no bars for chapter {chapter!r}; chapters: {sorted(BARS)}")
    missing = [bar.name for bar in BARS[chapter] if bar.name not in values]
    if missing:
        raise KeyError(f"{chapter}: the values lack {missing}; got {sorted(values)}")
    for bar in BARS[chapter]:
        print(f"{bar}: {bar.holds(values[bar.name])}")
