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


# ------------------------------------------------------------------ loss_curves


def test_loss_curves_one_thin_line_per_seed_and_a_running_mean():
    _, ax = plt.subplots()
    runs = {"a": [[3.0, 1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]], "b": [[2.0, 2.0, 2.0]]}
    assert plot.loss_curves(runs, baselines={"chance": 2.77}, smooth=2, ax=ax) is ax
    lines = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_xdata(), [2, 3, 4])
    np.testing.assert_allclose(lines[0].get_ydata(), [2.0, 1.5, 1.0])
    assert to_hex(lines[0].get_color()) == to_hex(lines[1].get_color()) == plot.PALETTE[0].lower()
    assert to_hex(lines[2].get_color()) == plot.PALETTE[1].lower()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a", "b", "chance 2.77"]
    assert "nats" in ax.get_ylabel() and "running mean over 2" in ax.get_ylabel()
    assert "step" in ax.get_xlabel()


def test_loss_curves_rejects_a_window_longer_than_a_curve():
    with pytest.raises(ValueError, match="smooth=5"):
        plot.loss_curves({"a": [[1.0, 2.0]]}, smooth=5)
    with pytest.raises(ValueError, match="smooth"):
        plot.loss_curves({"a": [[1.0, 2.0]]}, smooth=0)


# ------------------------------------------------------------------ soft_lookup


def lookup_inputs(seq=4, d=3, n_classes=5):
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=d), rng.normal(size=(seq, d))
    w = np.exp(k @ q / np.sqrt(d))
    v = rng.normal(size=(seq, n_classes))
    p = np.full(n_classes, 0.1)
    p[2] = 0.6
    return (
        q,
        k,
        w / w.sum(),
        v,
        p,
        [f"t{j}" for j in range(seq)],
        [f"c{c}" for c in range(n_classes)],
    )


def test_soft_lookup_draws_products_weights_values_and_answer():
    q, k, w, v, p, tokens, classes = lookup_inputs()
    axes = plot.soft_lookup(q, k, w, v, p, tokens, classes, title="T")
    assert len(axes) == 4
    products = axes[0].get_images()[0].get_array()[2:]  # two blank rows align the panels
    np.testing.assert_allclose(products.sum(axis=1), k @ q)
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[0].startswith("t0") and f"score {k[0] @ q / np.sqrt(3):.1f}" in labels[0]
    np.testing.assert_allclose([b.get_width() for b in axes[1].patches], w)
    np.testing.assert_array_equal(axes[2].get_images()[0].get_array()[2:], v)
    np.testing.assert_allclose([b.get_height() for b in axes[3].patches], p)
    assert to_hex(axes[3].patches[2].get_facecolor()) == plot.PALETTE[0].lower()
    assert axes[0].figure._suptitle.get_text() == "T"


def test_soft_lookup_rejects_mismatched_shapes_and_labels():
    q, k, w, v, p, tokens, classes = lookup_inputs()
    with pytest.raises(ValueError, match="keys"):
        plot.soft_lookup(q, k[:, :2], w, v, p, tokens, classes)
    with pytest.raises(ValueError, match="labels"):
        plot.soft_lookup(q, k, w, v, p, tokens[:-1], classes)
    with pytest.raises(ValueError, match="dimension"):
        plot.soft_lookup(q[None], k, w, v, p, tokens, classes)
