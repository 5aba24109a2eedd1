"""Figure style and the plots the chapters share.

Every function takes ``ax=None`` (a new figure is made when it is ``None``), returns the
axes, and never calls ``plt.show()``. The course style is applied only when asked, with
:func:`use_style`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

#: Okabe & Ito's colour-blind-safe palette; the first colour is the headline model,
#: controls follow in a fixed order so a colour means the same thing in every chapter.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def use_style() -> None:
    """Apply the course style: readable sizes, no top/right spines, the palette."""
    mpl.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "image.cmap": "viridis",
        }
    )


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def attention_map(
    weights: torch.Tensor | np.ndarray,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
    title: str = "Attention weights",
    ax: Axes | None = None,
) -> Axes:
    """Heat map of one attention matrix, queries as rows and keys as columns.

    weights : (seq_q, seq_k) array of attention probabilities (rows sum to 1).
    """
    w = weights.detach().cpu().numpy() if isinstance(weights, torch.Tensor) else np.asarray(weights)
    if w.ndim != 2:
        raise ValueError(f"weights must be a (seq_q, seq_k) matrix, got shape {w.shape}")
    ax = _axes(ax, (4.5, 4))
    image = ax.imshow(w, cmap="viridis", vmin=0, vmax=1)
    ax.figure.colorbar(image, ax=ax, label="attention weight (probability)")
    for labels, setter, n in (
        (query_labels, ax.set_yticks, w.shape[0]),
        (key_labels, ax.set_xticks, w.shape[1]),
    ):
        if labels is not None:
            if len(labels) != n:
                raise ValueError(f"expected {n} labels, got {len(labels)}")
            setter(range(n), labels)
    ax.set_xlabel("key (token attended to)")
    ax.set_ylabel("query (token attending)")
    ax.set_title(title)
    return ax


def accuracy_bars(
    accuracies: dict[str, float],
    baselines: dict[str, float] | None = None,
    title: str = "Accuracy",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of test accuracies (0–1), headline model first, with baseline lines.

    accuracies : model name → accuracy; each bar carries its value, so the figure can be
        read without the printout.
    baselines : name → accuracy of a reference that is not a trained model (chance, the
        best order-blind guess, an oracle), drawn as labelled horizontal lines.
    """
    ax = _axes(ax, (6.5, 3.6))
    names = list(accuracies)
    values = [accuracies[n] for n in names]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    bars = ax.bar([textwrap.fill(n, 14) for n in names], values, color=colours)
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=2)
    styles = ["--", ":", "-."]
    for i, (name, value) in enumerate((baselines or {}).items()):
        ax.axhline(
            value,
            color="0.25",
            linestyle=styles[i % len(styles)],
            linewidth=1.2,
            label=f"{name} {value:.2f}",
        )
    if baselines:
        ax.legend(loc="upper right", frameon=False, fontsize=9)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("test accuracy (fraction correct)")
    ax.set_title(title)
    return ax
