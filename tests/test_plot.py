"""brainformers.plot: axes in, axes out, labelled, no plt.show(), style only when asked.

Each figure is inspected through matplotlib's own objects (image data, bar patches, text
artists, rcParams) rather than by pixels, so the checks are exact.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from brainformers import plot  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    """Fail if anything calls plt.show(); close every figure afterwards."""

    def forbidden(*args, **kwargs):
        raise AssertionError("plt.show() must not be called by library plot functions")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


def weights(seed=0, shape=(3, 4)):
    w = np.random.default_rng(seed).random(shape)
    return w / w.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ attention_map


def test_attention_map_returns_the_given_axes():
    _, ax = plt.subplots()
    w = weights()
    assert plot.attention_map(w, ax=ax) is ax
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), w)
    assert image.get_clim() == (0, 1)


def test_attention_map_makes_axes_when_none():
    n_figures = len(plt.get_fignums())
    ax = plot.attention_map(weights())
    assert ax is not None
    assert len(plt.get_fignums()) == n_figures + 1


def test_attention_map_labels_the_axes():
    ax = plot.attention_map(
        weights(), query_labels=["a", "b", "c"], key_labels=["k1", "k2", "k3", "k4"], title="T"
    )
    assert ax.get_xlabel() and "key" in ax.get_xlabel()
    assert ax.get_ylabel() and "query" in ax.get_ylabel()
    assert ax.get_title() == "T"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["k1", "k2", "k3", "k4"]
    assert list(ax.get_xticks()) == [0, 1, 2, 3]


def test_attention_map_accepts_a_tensor_that_requires_grad():
    w = torch.tensor(weights(), requires_grad=True)
    ax = plot.attention_map(w)
    np.testing.assert_allclose(ax.get_images()[0].get_array(), weights(), atol=0)


def test_attention_map_rejects_3d():
    with pytest.raises(ValueError, match="shape"):
        plot.attention_map(weights(shape=(2, 3, 4)))


@pytest.mark.parametrize(
    "labels",
    [{"query_labels": ["a", "b"]}, {"key_labels": ["a", "b", "c", "d", "e"]}],
    ids=["queries", "keys"],
)
def test_attention_map_rejects_wrong_number_of_labels(labels):
    with pytest.raises(ValueError, match="labels"):
        plot.attention_map(weights(), **labels)


# ------------------------------------------------------------------ accuracy_bars

ACCURACIES = {"transformer": 0.987, "no positions": 0.2049, "chance-level": 1 / 16}


def test_accuracy_bars_one_bar_per_entry():
    _, ax = plt.subplots()
    assert plot.accuracy_bars(ACCURACIES, ax=ax) is ax
    bars = ax.patches
    assert len(bars) == len(ACCURACIES)
    np.testing.assert_allclose([b.get_height() for b in bars], list(ACCURACIES.values()))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(ACCURACIES)
    assert not ax.get_legend()  # no baselines, no legend
    # Distinct palette colours, in palette order.
    colours = [to_hex(b.get_facecolor()).lower() for b in bars]
    assert colours == [c.lower() for c in plot.PALETTE[: len(ACCURACIES)]]


def test_accuracy_bars_labels_have_two_decimals():
    ax = plot.accuracy_bars(ACCURACIES)
    assert [t.get_text() for t in ax.texts] == ["0.99", "0.20", "0.06"]


def test_accuracy_bars_limits_and_labels():
    ax = plot.accuracy_bars(ACCURACIES, title="Recall")
    assert ax.get_ylim() == pytest.approx((0, 1.08))
    assert ax.get_ylabel()
    assert ax.get_title() == "Recall"


def test_accuracy_bars_baseline_lines():
    ax = plot.accuracy_bars(ACCURACIES, baselines={"chance": 0.0625, "best guess": 0.29})
    horizontal = [line for line in ax.get_lines() if len(set(line.get_ydata())) == 1]
    assert [line.get_ydata()[0] for line in horizontal] == pytest.approx([0.0625, 0.29])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["chance 0.06", "best guess 0.29"]
    assert ax.get_ylim() == pytest.approx((0, 1.08))


def test_accuracy_bars_wraps_long_names():
    ax = plot.accuracy_bars({"positions + causal mask": 1.0, "bag of tokens": 0.3})
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "positions +\ncausal mask",
        "bag of tokens",
    ]


def test_accuracy_bars_colours_cycle_past_the_palette():
    many = {f"model {i}": i / 20 for i in range(len(plot.PALETTE) + 2)}
    ax = plot.accuracy_bars(many)
    assert len(ax.patches) == len(many)
    first, wrapped = ax.patches[0], ax.patches[len(plot.PALETTE)]
    assert to_hex(first.get_facecolor()) == to_hex(wrapped.get_facecolor())


# ---------------------------------------------------------------------- style


def test_use_style_sets_rcparams():
    with mpl.rc_context():
        plot.use_style()
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.spines.right"] is False
        colours = [to_hex(c).lower() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert colours == [c.lower() for c in plot.PALETTE]
        _, ax = plt.subplots()
        assert not ax.spines["top"].get_visible()
        assert not ax.spines["right"].get_visible()


def test_plots_leave_global_style_alone():
    with mpl.rc_context():
        before = dict(mpl.rcParams)
        plot.attention_map(weights())
        plot.accuracy_bars(ACCURACIES, baselines={"chance": 0.1})
        after = dict(mpl.rcParams)
    changed = {k for k in before if before[k] != after[k]}
    assert not changed


def test_palette_is_hex_colours():
    assert len(plot.PALETTE) == len(set(plot.PALETTE)) == 8
    for colour in plot.PALETTE:
        assert to_hex(colour).lower() == colour.lower()
