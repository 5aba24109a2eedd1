"""Figure style and the plots the chapters share.

Every function takes ``ax=None`` (a new figure is made when it is ``None``), returns the
axes, and never calls ``plt.show()``. The course style is applied only when asked, with
:func:`use_style`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from . import _validate

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
    _draw_baselines(ax, baselines)
    if baselines:
        ax.legend(loc="upper right", frameon=False, fontsize=9)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("test accuracy (fraction correct)")
    ax.set_title(title)
    return ax


def loss_curves(
    curves: dict[str, Sequence[Sequence[float]]],
    baselines: dict[str, float] | None = None,
    smooth: int = 1,
    title: str = "Training loss",
    ax: Axes | None = None,
) -> Axes:
    """Training loss against step for several models, one thin line per seed.

    curves : model name → one loss sequence per seed (nats, one value per step; the
        sequences may differ in length). Each model has one colour and one legend entry.
    baselines : name → loss of a reference that is not trained (chance, the best
        order-blind predictor), drawn as labelled horizontal lines.
    smooth : each line is the running mean over this many steps (1 draws the raw loss);
        the point of a window is drawn at its last step, so nothing looks ahead.
    """
    _validate.positive_int("smooth", smooth)
    ax = _axes(ax, (7.5, 4))
    for i, (name, runs) in enumerate(curves.items()):
        colour = PALETTE[i % len(PALETTE)]
        for j, run in enumerate(runs):
            loss = np.asarray(run, dtype=float)
            if loss.ndim != 1 or len(loss) < smooth:
                raise ValueError(
                    f"each curve must be a 1-D sequence of at least smooth={smooth} losses, "
                    f"got shape {loss.shape} for {name!r}"
                )
            mean = np.convolve(loss, np.ones(smooth) / smooth, mode="valid")
            steps = np.arange(smooth, len(loss) + 1)
            ax.plot(
                steps, mean, color=colour, linewidth=1.0, alpha=0.8, label=name if j == 0 else None
            )
    _draw_baselines(ax, baselines)
    ax.legend(loc="upper right", frameon=False, fontsize=9)
    ax.set_xlabel("training step (one batch each)")
    running = f", running mean over {smooth} steps" if smooth > 1 else ""
    ax.set_ylabel(f"training loss (cross-entropy, nats{running})")
    ax.set_title(title)
    return ax


def _numpy(name: str, x: torch.Tensor | np.ndarray, ndim: int) -> np.ndarray:
    a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=float)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {a.shape}")
    return a


def soft_lookup(
    query: torch.Tensor | np.ndarray,
    keys: torch.Tensor | np.ndarray,
    weights: torch.Tensor | np.ndarray,
    value_logits: torch.Tensor | np.ndarray,
    probabilities: torch.Tensor | np.ndarray,
    token_labels: Sequence[str],
    class_labels: Sequence[str],
    title: str = "Soft lookup",
) -> list[Axes]:
    """One attention lookup drawn step by step: query and keys, weights, values, answer.

    query : (d,) the query vector q; keys : (seq, d) one key vector k_j per token. The
        first panel shows the products q_i k_ji, one row per key, with the d columns in the
        order of q's entries: each row sums to the score q · k_j, so the key that matches
        the query is the row that is red nearly everywhere.
    weights : (seq,) the attention weights softmax_j(q · k_j / √d), drawn as bars.
    value_logits : (seq, n_classes) what each token's value says about the answer (e.g. the
        direct logit contributions of :meth:`brainformers.recall.TinyTransformer.lookup`).
    probabilities : (n_classes,) the model's answer, drawn under the value panel.
    token_labels : seq labels; class_labels : n_classes labels.

    Returns the four drawn axes (query and keys, weights, values, answer) of a new figure.
    """
    q, k = _numpy("query", query, 1), _numpy("keys", keys, 2)
    w, v = _numpy("weights", weights, 1), _numpy("value_logits", value_logits, 2)
    p = _numpy("probabilities", probabilities, 1)
    seq, n_classes = v.shape
    if k.shape != (seq, q.shape[0]) or w.shape != (seq,) or p.shape != (n_classes,):
        raise ValueError(
            f"expected keys (seq, d) = ({seq}, {q.shape[0]}), weights ({seq},) and "
            f"probabilities ({n_classes},) to match query {q.shape} and value_logits "
            f"{v.shape}; got keys {k.shape}, weights {w.shape}, probabilities {p.shape}"
        )
    if len(token_labels) != seq or len(class_labels) != n_classes:
        raise ValueError(
            f"expected {seq} token labels and {n_classes} class labels, got "
            f"{len(token_labels)} and {len(class_labels)}"
        )
    fig = plt.figure(figsize=(13, 5.8), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[1.6, 0.8, 1.5], height_ratios=[seq + 2, 4])
    ax_keys = fig.add_subplot(grid[0, 0])
    ax_weights = fig.add_subplot(grid[0, 1])
    ax_values = fig.add_subplot(grid[0, 2])
    ax_answer = fig.add_subplot(grid[1, 2])
    ax_note = fig.add_subplot(grid[1, :2])
    ax_note.axis("off")
    ax_note.text(
        0.0,
        0.5,
        "weights = softmax(scores);  output = Σ_j weight_j · value_j\n"
        "panel 3 reads each value out as the answer logits it adds (through W_O,\n"
        "the final LayerNorm and the readout); panel 4 is the model's answer.",
        va="center",
        fontsize=9,
    )

    order = np.argsort(-q)
    products = (q[None, :] * k)[:, order]  # (seq, d), each row sums to q · k_j
    rows = np.vstack([np.full((2, q.shape[0]), np.nan), products])  # align with panel 3
    limit = np.percentile(np.abs(products), 98)  # a few large products would wash out the rest
    image = ax_keys.imshow(rows, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.colorbar(image, ax=ax_keys, label="q_i · k_i (product per dimension)", location="left")
    scores = products.sum(axis=1) / np.sqrt(q.shape[0])
    ax_keys.set_yticks(
        range(2, seq + 2),
        [f"{t}  (score {s:.1f})" for t, s in zip(token_labels, scores, strict=True)],
    )
    ax_keys.set_xticks([])
    ax_keys.set_xlabel(f"the {q.shape[0]} dimensions of query and key")
    ax_keys.set_title("1 · query × each key (score = row sum / √d)")

    best = int(np.argmax(w))
    colours = [PALETTE[0] if j == best else "0.7" for j in range(seq)]
    positions = np.arange(seq) + 2  # align with the key rows of the first panel
    bars = ax_weights.barh(positions, w, color=colours)
    ax_weights.bar_label(bars, labels=[f"{x:.2f}" if j == best else "" for j, x in enumerate(w)])
    ax_weights.set_ylim(seq + 1.5, -0.5)
    ax_weights.set_yticks(positions, token_labels)
    ax_weights.set_xlim(0, 1.2)
    ax_weights.set_xticks([0, 0.5, 1])
    ax_weights.set_xlabel("attention weight (probability)")
    ax_weights.set_title("2 · softmax of the scores")

    limit = np.abs(v).max()
    image = ax_values.imshow(
        np.vstack([np.full((2, n_classes), np.nan), v]),
        aspect="auto",
        cmap="PuOr_r",
        vmin=-limit,
        vmax=limit,
    )
    fig.colorbar(image, ax=ax_values, label="logit contribution")
    ax_values.set_yticks(positions, token_labels)
    ax_values.set_xticks(range(n_classes), [])
    ax_values.set_title("3 · what each value says about the answer")

    answer = int(np.argmax(p))
    ax_answer.bar(
        range(n_classes),
        p,
        color=[PALETTE[0] if c == answer else "0.7" for c in range(n_classes)],
    )
    ax_answer.set_xlim(-0.5, n_classes - 0.5)
    ax_answer.set_ylim(0, 1)
    ax_answer.set_xticks(range(n_classes), class_labels, fontsize=8, rotation=90)
    ax_answer.set_xlabel("answer (value token)")
    ax_answer.set_ylabel("probability")
    ax_answer.set_title("4 · output: the weighted values, read out", fontsize=10)
    fig.suptitle(title)
    return [ax_keys, ax_weights, ax_values, ax_answer]


def _draw_baselines(ax: Axes, baselines: Mapping[str, float] | None) -> None:
    """One grey horizontal line per named baseline, each in its own dash style."""
    styles = ["--", ":", "-."]
    for i, (name, value) in enumerate((baselines or {}).items()):
        ax.axhline(
            value,
            color="0.25",
            linestyle=styles[i % len(styles)],
            linewidth=1.2,
            label=f"{name} {value:.2f}",
        )
