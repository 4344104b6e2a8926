"""The pass stepper's views: network diagram, bar panel, equations, the composed view.

Every drawn value is compared with an independent computation: a forward and
backward pass written out here with NumPy from the network's weights, not the
stepper's own state.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import Normalize
from PIL import Image

from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.stepper import PassStepper
from actviz_widgets.views.bars import BarPanel
from actviz_widgets.views.base import FigureView
from actviz_widgets.views.equations import equation_text
from actviz_widgets.views.text import PathText, fmt, fmt_short
from actviz_widgets.views.network_diagram import (
    BLANK_COLOR, NEGATIVE_COLOR, POSITIVE_COLOR, UNKNOWN_COLOR, NetworkDiagram, nice_limit)
from actviz_widgets.views.pass_stepper import PassStepperView

CMAP = colormaps["RdBu_r"]


# -- an independent reference pass (tanh hidden layers, sigmoid output, bce) ----------------

def reference_pass(net: MLP, X: np.ndarray, y: np.ndarray) -> dict:
    """z, a, f'(z), δ, ∂L/∂a per layer and dW, db, written out by hand."""
    W, b = net.weights, net.biases
    L = len(W)
    a, z, d = [X], [None], [None]
    for l in range(1, L + 1):
        z.append(a[-1] @ W[l - 1] + b[l - 1])
        if l < L:
            a.append(np.tanh(z[-1]))
            d.append(1 - a[-1] ** 2)
        else:
            a.append(1 / (1 + np.exp(-z[-1])))
            d.append(a[-1] * (1 - a[-1]))
    n = X.shape[0]
    delta = [None] * (L + 1)
    dL_da = [None] * (L + 1)
    delta[L] = (a[L] - y) / a[L].size  # bce with a sigmoid output
    dL_da[L] = delta[L] / d[L]
    dW, db = [None] * L, [None] * L
    for l in range(L, 0, -1):
        dW[l - 1] = a[l - 1].T @ delta[l]
        db[l - 1] = delta[l].sum(0)
        if l > 1:
            dL_da[l - 1] = delta[l] @ W[l - 1].T
            delta[l - 1] = dL_da[l - 1] * d[l - 1]
    loss = float(np.mean(-(y * np.log(a[L]) + (1 - y) * np.log(1 - a[L]))))
    return {"z": z, "a": a, "dadz": d, "delta": delta, "dL_da": dL_da, "dW": dW, "db": db,
            "loss": loss, "n": n}


def known_layers(k: int, L: int, quantity: str) -> set[int]:
    """Layers whose ``quantity`` is computed after step k (from the step table)."""
    if quantity in ("a",):
        return set(range(0, min(k, L) + 1))
    if quantity in ("z", "dadz"):
        return set(range(1, min(k, L) + 1))
    done = max(0, min(k - (L + 1), L))  # backward steps taken
    return set(range(L, L - done, -1))


def new_view(figsize=(7, 5)):
    view = FigureView(figsize)
    ax = view.figure.add_axes([0.05, 0.05, 0.8, 0.9])
    return view, ax


@pytest.fixture
def small():
    net = MLP([2, 3, 2, 1], activation="tanh", loss="bce", seed=0)
    X = np.array([[0.5, -1.0]])
    y = np.array([[1.0]])
    return net, X, y


@pytest.fixture
def batch():
    rng = np.random.default_rng(3)
    net = MLP([2, 4, 3, 1], activation="tanh", loss="bce", seed=1)
    X = rng.normal(size=(8, 2))
    y = rng.integers(0, 2, size=(8, 1)).astype(float)
    return net, X, y


# -- NetworkDiagram ----------------------------------------------------------------------

def test_diagram_positions_layers_left_to_right_and_capped():
    view, ax = new_view()
    d = NetworkDiagram(view, ax, [3, 12, 1], max_neurons=8)
    assert d.shown == [3, 8, 1]
    assert [p.shape for p in d.positions] == [(3, 2), (8, 2), (1, 2)]
    for l, p in enumerate(d.positions):
        assert np.all(p[:, 0] == l)
        assert np.allclose(p[:, 1].mean(), 0.0)  # centred
        assert np.all(np.diff(p[:, 1]) == -1.0)  # one unit apart, top to bottom
    assert "+4 not drawn" in d.layer_title(1)
    assert len(d.edge_weights) == 3 * 8 + 8 * 1


def test_diagram_edges_follow_weights_sign_and_magnitude(small):
    net, _, _ = small
    view, ax = new_view()
    d = NetworkDiagram(view, ax, net.sizes, activations=net.activation_names)
    d.set_weights(net.weights)
    expected = np.concatenate([W.ravel() for W in net.weights])  # row-major blocks
    assert np.array_equal(d.edge_weights, expected)
    drawn = d.edge_weights[d.edge_order]
    colors = d.edges.get_colors()
    widths = np.asarray(d.edges.get_linewidths())
    for w, c, lw in zip(drawn, colors, widths):
        want = POSITIVE_COLOR if w >= 0 else NEGATIVE_COLOR
        assert np.allclose(c[:3], want[:3])
        assert lw == pytest.approx(0.3 + 4.2 * abs(w) / np.abs(expected).max())
    # strongest drawn last (on top)
    assert np.all(np.diff(np.abs(drawn)) >= 0)
    # segments join the right neurons: edge (l=1, i=2, j=1) is element 2*2+1 of block 1
    seg = d.edges.get_segments()[list(d.edge_order).index(6 + 2 * 2 + 1)]
    assert np.allclose(seg, [d.positions[1][2], d.positions[2][1]])


def test_diagram_dense_edges_fade_the_weak_three_quarters():
    net = MLP([2, 8, 8, 1], activation="tanh", loss="bce", seed=4)
    view, ax = new_view()
    d = NetworkDiagram(view, ax, net.sizes)
    d.set_weights(net.weights)
    mag = np.abs(d.edge_weights[d.edge_order])
    widths = np.asarray(d.edges.get_linewidths())
    weak = mag < np.quantile(np.abs(d.edge_weights), 0.75)
    assert np.all(widths[weak] == 0.72)
    assert np.allclose(widths[~weak], 0.25 + 2.75 * mag[~weak] / mag.max())
    # the faded ones are paler than the strong ones of the same sign
    colors = d.edges.get_colors()
    for sign in (True, False):
        same = (d.edge_weights[d.edge_order] >= 0) == sign
        assert colors[weak & same, :3].sum(1).min() > colors[~weak & same, :3].sum(1).max()
    assert not np.any(d.edges.get_antialiased())


def test_diagram_node_values_colours_and_unknown_grey(small):
    net, X, _ = small
    ref = reference_pass(net, X, np.array([[1.0]]))
    view, ax = new_view()
    d = NetworkDiagram(view, ax, net.sizes)
    values = [ref["a"][0][0], ref["a"][1][0], None, None]
    d.set_node_values(values, "activation a")
    assert d.label == "activation a"
    assert d.colorbar.ax.get_ylabel() == "activation a"
    assert np.allclose(d.node_values[:5], np.concatenate([ref["a"][0][0], ref["a"][1][0]]))
    assert np.all(np.isnan(d.node_values[5:]))
    face = d.nodes.get_facecolors()
    vmax = d.norm.vmax
    assert d.norm.vmin == -vmax and vmax >= np.abs(d.node_values[:5]).max()
    want = CMAP(Normalize(-vmax, vmax)(d.node_values[:5]))
    assert np.allclose(face[:5], want)
    assert np.allclose(face[5:], UNKNOWN_COLOR)
    assert [t.get_text() for t in d.tick_texts] == [fmt(-vmax), fmt(-vmax / 2), "0",
                                                     fmt(vmax / 2), fmt(vmax)]
    dashed = [ls[1] is not None for ls in d.nodes.get_linestyle()]
    assert dashed == [False] * 5 + [True] * 3  # the unknown neurons have dashed outlines
    # a layer without such a quantity is blank (white), not "unknown"
    d.set_node_values([None, ref["z"][1][0], None, None], "z", blank=[True, False, False, False])
    face = d.nodes.get_facecolors()
    assert np.allclose(face[:2], BLANK_COLOR)
    assert [ls[1] is not None for ls in d.nodes.get_linestyle()][:2] == [False, False]


def test_diagram_highlight_selection_outline_and_structure():
    view, ax = new_view()
    d = NetworkDiagram(view, ax, [2, 3, 1])
    d.set_highlight(1)
    assert d.band.get_visible() and d.band.get_x() + d.band.get_width() / 2 == pytest.approx(1)
    d.set_highlight(None)
    assert not d.band.get_visible()
    d.set_selected(1, 2)
    assert np.allclose(d.ring.get_offsets(), [d.positions[1][2]])
    d.set_outlined([None, [False, True, False], None])
    assert np.array_equal(d.outlined, [False, False, False, True, False, False])
    assert list(d.nodes.get_linewidths()) == [0.8, 0.8, 0.8, 2.6, 0.8, 0.8]
    d.set_structure([4, 2, 2, 3], ["relu", "tanh", "sigmoid"])
    assert [len(p) for p in d.positions] == [4, 2, 2, 3]
    assert d.layer_title(2) == "hidden 2\n(tanh)" and d.layer_title(3) == "output\n(sigmoid)"
    assert np.all(np.isnan(d.node_values)) and len(d.node_values) == 11


def test_diagram_rejects_bad_input_without_changing():
    view, ax = new_view()
    d = NetworkDiagram(view, ax, [2, 3, 1])
    with pytest.raises(ValueError, match="weights\\[0\\] must have shape \\(2, 3\\)"):
        d.set_weights([np.zeros((3, 2)), np.zeros((3, 1))])
    with pytest.raises(ValueError, match="values_per_layer\\[1\\] must hold 3 values"):
        d.set_node_values([None, [1.0, 2.0], None], "a")
    with pytest.raises(ValueError, match="neuron must be an integer between 0 and 0"):
        d.set_selected(2, 1)
    with pytest.raises(ValueError, match="activations must name the 2 layers"):
        d.set_structure([2, 3, 1], ["tanh"])
    assert d.sizes == [2, 3, 1]


def test_number_formats():
    assert [fmt(v) for v in (0.12345, -2.0, 1234.5, float("inf"))] == ["0.123", "−2", "1.23e+03",
                                                                      "∞"]
    assert [fmt_short(v) for v in (0.0, -0.0123, 256000.0, -1.234e-4, 9999.0, 0.5)] == [
        "0", "−0.0123", "2.6e5", "−1.2e−4", "1e4", "0.5"]


def test_nice_limit():
    assert [nice_limit(v) for v in (0.3, 1.0, 1.01, 2.5, 7, 0.0123)] == [0.5, 1, 2, 5, 10, 0.02]


# -- BarPanel ----------------------------------------------------------------------------

def test_bars_heights_texts_and_hysteresis():
    view, ax = new_view()
    bars = BarPanel(view, ax, max_bars=8)
    bars.update([0.3, -0.2, 0.05])
    assert [b.get_height() for b in bars.bars[:3]] == [0.3, -0.2, 0.05]
    assert [b.get_visible() for b in bars.bars] == [True] * 3 + [False] * 5
    assert [t.get_text() for t in bars.value_texts[:3]] == ["0.3", "−0.2", "0.05"]
    assert bars.limit == 1.0  # the initial limit fits
    view.to_png()
    background = view._background
    bars.update([0.7, -0.1, 0.2])  # still fits (under limit/1.4): the limit stays
    assert bars.limit == 1.0
    bars.update([1.3, 0.0, 0.0])  # outgrows: a new limit with headroom
    assert bars.limit == 2.0
    assert [t.get_text() for t in bars.tick_texts] == ["−2", "−1", "0", "1", "2"]
    # drawn through the scale: the bar's top lands at 1.3/2 of the axes' half height
    top = bars.bars[0].get_window_extent().y1
    zero_px, one_px = ax.transData.transform([(0, 0), (0, 1)])[:, 1]
    assert (top - zero_px) / (one_px - zero_px) == pytest.approx(1.3 / 2.0)
    bars.update([0.3, 0.0, 0.0])  # a mild shrink (more than limit/8) keeps the limit
    assert bars.limit == 2.0
    bars.update([0.01, 0.0, 0.0])  # a big shrink rescales
    assert bars.limit == 0.02
    view.to_png()
    assert view._background is background  # the axes never changed: always blitted
    bars.update(None)
    assert bars.values is None and bars.placeholder.get_visible()
    assert not any(b.get_visible() for b in bars.bars)


# -- PathText ----------------------------------------------------------------------------

def test_path_text_alignment_and_lines():
    view, ax = new_view()
    left = PathText(ax, 0.5, 0.5, "δ = 0.25", fontsize=10)
    right = PathText(ax, 0.5, 0.5, "δ = 0.25", fontsize=10, ha="right")
    two = PathText(ax, 0.5, 0.5, "ab\nab", fontsize=10, va="top")
    lv, rv = left.get_path().vertices, right.get_path().vertices
    width = lv[:, 0].max() - lv[:, 0].min()
    assert 20 < width < 60  # points, for 8 characters at 10 pt
    assert rv[:, 0].max() <= 1.0 and lv[:, 0].min() >= -0.5  # right vs left of the anchor
    assert two.get_path().vertices[:, 1].max() <= 0.5  # hangs below the anchor
    assert two.get_text() == "ab\nab"
    half = len(two.get_path().vertices) // 2
    drop = two.get_path().vertices[:half, 1].mean() - two.get_path().vertices[half:, 1].mean()
    assert 10 < drop < 16  # one line pitch at 10 pt


# -- equations ---------------------------------------------------------------------------

def test_equation_forward_numbers_match_a_hand_computed_sum(small):
    net, X, y = small
    st = PassStepper(net, X, y, lr=0.1)
    st.go(2)  # forward, layer 2
    text = equation_text(st, 2, 1)
    W, b = net.weights[1], net.biases[1]
    a1 = np.tanh(X @ net.weights[0] + net.biases[0])[0]
    z = sum(W[i, 1] * a1[i] for i in range(3)) + b[1]
    for i in range(3):
        w_s, a_s = fmt(W[i, 1]), fmt(a1[i])
        w_s = f"({w_s})" if w_s.startswith("−") else w_s
        a_s = f"({a_s})" if a_s.startswith("−") else a_s
        assert f"{w_s}·{a_s}" in text
    assert f"   = {fmt(z)}\n" in text
    assert f"a = tanh(z) = tanh({fmt(z)}) = {fmt(np.tanh(z))}" in text
    assert f"f′(z) = {fmt(1 - np.tanh(z) ** 2)}" in text


def test_equation_backward_output_hidden_and_update(small):
    net, X, y = small
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y, lr=0.1)
    L = 3
    st.go(L + 2)  # backward, output layer
    text = equation_text(st, 3, 0)
    a_hat = ref["a"][3][0, 0]
    assert f"δ = (ŷ − y)/N = ({fmt(a_hat)} − 1)/1 = {fmt(ref['delta'][3][0, 0])}" in text
    assert "the ŷ(1 − ŷ) cancel" in text
    assert f"∂L/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))/N = {fmt(ref['dL_da'][3][0, 0])}" in text
    st.go(L + 3)  # backward, layer 2
    text = equation_text(st, 2, 0)
    assert f"∂L/∂a = {fmt(ref['dL_da'][2][0, 0])}" in text.replace("       = ", "∂L/∂a = ")
    assert f"= {fmt(ref['delta'][2][0, 0])}" in text
    assert "the activation function's derivative" in text
    for i in range(3):
        assert f"∂L/∂w{'₁₂₃'[i]} = " in text and fmt(ref["dW"][1][i, 0]) in text
    assert f"∂L/∂b = δ = {fmt(ref['db'][1][0])}" in text
    st.go(2 * L + 2)  # update
    text = equation_text(st, 2, 0)
    for i in range(3):
        new = net.weights[1][i, 0] - 0.1 * ref["dW"][1][i, 0]
        assert f"= {fmt(new, 4)}" in text
    assert f"b ← 0 − 0.1·{fmt(ref['db'][1][0])} = {fmt(-0.1 * ref['db'][1][0], 4)}" in text


def test_equation_loss_and_unknown_parts(small):
    net, X, y = small
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y)
    text = equation_text(st, 2, 0)
    assert "not computed yet (comes at step 2)" in text
    st.go(4)  # loss
    text = equation_text(st, 3, 0)
    assert f"= {fmt(ref['loss'])}" in text and "ln" in text
    assert "Backward" not in text


def test_equation_cross_entropy_output_says_p_minus_y():
    net = MLP([3, 4, 3], activation="relu", loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    labels = np.array([0, 1, 2, 1, 0])
    st = PassStepper(net, X, labels)
    st.go(4)  # backward, output
    text = equation_text(st, 2, 1, sample=2)
    z = np.maximum(X @ net.weights[0] + net.biases[0], 0) @ net.weights[1] + net.biases[1]
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    assert f"({fmt(p[2, 1])} − 0)/5 = {fmt(p[2, 1] / 5)}" in text
    assert "sample 2 of 5 (from 0)" in text and "∂L/∂a = δ" in text


# -- the composed view -------------------------------------------------------------------

@pytest.mark.parametrize("quantity", ["a", "z", "delta", "dL_da"])
def test_view_draws_known_values_per_step_as_batch_means(batch, quantity):
    net, X, y = batch
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y)
    view = PassStepperView(net.sizes, net.activation_names)
    L = net.n_layers
    starts = np.cumsum([0] + net.sizes)
    for k in range(st.n_steps):
        st.go(k)
        view.update(st, quantity)
        known = known_layers(k, L, quantity)
        face = view.diagram.nodes.get_facecolors()
        for l in range(L + 1):
            part = slice(starts[l], starts[l + 1])
            drawn = view.diagram.node_values[part]
            if l == 0 and quantity != "a":
                assert np.allclose(face[part], BLANK_COLOR)
            elif l in known:
                assert np.allclose(drawn, ref[quantity][l].mean(0)), (k, l)
                assert not np.allclose(face[part], UNKNOWN_COLOR)
            else:
                assert np.all(np.isnan(drawn)) and np.allclose(face[part], UNKNOWN_COLOR)
        assert "mean over 8 samples" in view.diagram.node_note.get_text()


def test_view_bars_curve_title_and_sample(batch):
    net, X, y = batch
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y, lr=0.1)
    view = PassStepperView(net.sizes, net.activation_names)
    L = net.n_layers
    for l in range(L, 0, -1):
        st.go(2 * L + 2 - l)  # backward, layer l
        view.update(st, "delta", selected=(l, 0))
        assert view.focus_layer == l
        heights = [bar.get_height() for bar in view.bars.bars[:net.sizes[l]]]
        assert np.allclose(heights, ref["delta"][l].mean(0))
        assert np.allclose(view.curve.z_points, ref["z"][l].mean(0))
        assert view.curve.tangent_z == pytest.approx(ref["z"][l].mean(0)[0])
        assert f"Step {2 * L + 2 - l}/{2 * L + 2}" in view.title.get_text()
        assert f"loss L = {fmt(ref['loss'])}" in view.title.get_text()
        assert "mean over 8 samples" in view.bars.title.get_text()
    view.update(st, "a", selected=(1, 2), sample=5)
    assert np.allclose(view.diagram.node_values[2:6], ref["a"][1][5])
    assert "sample 5 of 8, from 0" in view.diagram.node_note.get_text()
    assert "sample 5 of 8 (from 0)" in view.equations.text.get_text()
    st.go(L)  # forward: δ not known yet
    view.update(st, "a")
    assert view.bars.values is None and view.bars.placeholder.get_visible()
    assert "loss" not in view.title.get_text()


def test_view_update_step_shows_new_weights(small):
    net, X, y = small
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y, lr=0.5)
    view = PassStepperView(net.sizes, net.activation_names)
    st.go(st.n_steps - 1)
    view.update(st, "a", selected=(2, 1))
    new = np.concatenate([(W - 0.5 * dW).ravel() for W, dW in zip(net.weights, ref["dW"])])
    assert np.allclose(view.diagram.edge_weights, new)
    assert "updated weights" in view.diagram.edge_note.get_text()
    with pytest.raises(ValueError, match="unknown quantity 'delta_z'"):
        view.update(st, "delta_z")


def test_largest_net_renders():
    rng = np.random.default_rng(5)
    sizes = [2, 8, 8, 8, 8, 8, 8, 1]
    net = MLP(sizes, activation="tanh", loss="bce", seed=2)
    X = rng.normal(size=(8, 2))
    y = rng.integers(0, 2, size=(8, 1)).astype(float)
    ref = reference_pass(net, X, y)
    st = PassStepper(net, X, y)
    view = PassStepperView(net.sizes, net.activation_names)
    st.go(st.n_steps - 3)  # backward, layer 2
    view.update(st, "delta", selected=(3, 4))
    png = view.to_png()
    image = Image.open(io.BytesIO(png))
    assert image.size == (830, 760)  # fits the 833-px output area unscaled
    assert len(view.diagram.node_values) == sum(sizes)
    assert np.allclose(view.diagram.node_values[-9:], np.concatenate(
        [ref["delta"][6].mean(0), ref["delta"][7].mean(0)]))
    assert len(view.diagram.edge_weights) == 16 + 5 * 64 + 8
    # the selected ring sits on neuron 5 of layer 3
    assert np.allclose(view.diagram.ring.get_offsets(), [view.diagram.positions[3][4]])
    # the layer titles are all there, short for 8 layers side by side; not blank
    assert view.diagram.compact_titles
    assert view.diagram.layer_title(6) == "h6\n(tanh)"
    assert view.diagram.layer_title(0) == "in" and view.diagram.layer_title(7) == "out\n(sigmoid)"
    pixels = np.asarray(image.convert("L"))
    assert pixels.std() > 20


def test_view_reuses_backgrounds_only_when_they_equal_a_full_redraw(small):
    net, X, y = small
    st = PassStepper(net, X, y)
    view = PassStepperView(net.sizes, net.activation_names)
    sweep = list(range(st.n_steps)) + list(range(st.n_steps - 2, -1, -1))
    for k, quantity in zip(sweep, ["a", "delta", "z", "a"] * 5):
        st.go(k)
        view.update(st, quantity, selected=(2, 1))
        blitted = view.to_png()  # may blit over a background cached steps ago
        cache, view._backgrounds = view._backgrounds, {}
        view.invalidate()
        assert view.to_png() == blitted, (k, quantity)  # a full redraw looks the same
        view._backgrounds = cache
    assert 2 <= len(view._backgrounds) <= 6
