"""Every widget's picture is readable as a learner sees it.

In a 1280×720 JupyterLab 4.6 window with the file browser open, a notebook's
output area is 833 CSS px wide (measured in a browser), so every picture is at
most 830 px wide; a wider one would be scaled down. For every
widget, at its defaults and at extreme settings (the largest network, long
numbers, a selection in the last layer), every drawn text must be at least
11 px as displayed, inside the picture, clear of every other text, and no
edge, curve or marker may run across it (see
:mod:`actviz_widgets.views.readability`). The checker itself is shown to
catch each kind of fault on a figure made to have it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import numpy as np
import pytest
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

import actviz_widgets as av
from actviz_widgets.engine import EXPRESSION_NAMES
from actviz_widgets.views.base import FigureView
from actviz_widgets.views.palette import ACTIVATION_COLORS, activation_color
from actviz_widgets.views.readability import (
    MIN_TEXT_PX,
    OUTPUT_WIDTH,
    clipped_texts,
    display_scale,
    drawn_texts,
    lines_across_texts,
    mathtext_scale,
    overlapping_texts,
    readability_problems,
    small_texts,
    texts_spilling_from_markers,
)
from actviz_widgets.views.text import PathText, short_log_ticks

ALL_ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
                   "gelu", "silu")


def assert_readable(widget) -> None:
    view = widget.view
    assert view.css_size[0] <= OUTPUT_WIDTH  # shown at its own size: never scaled down
    problems = readability_problems(view)
    assert problems == [], "\n".join(problems)
    assert drawn_texts(view)  # (a picture with no text would pass trivially)


# -- the checker catches what it should -------------------------------------------------

class _Board(FigureView):
    """A bare view to put faults on."""

    def __init__(self, width_in: float = 8.3) -> None:
        super().__init__((width_in, 3.0))
        self.ax = self.figure.add_axes([0.1, 0.1, 0.8, 0.8])
        self.ax.set_xlim(0, 10)
        self.ax.set_ylim(0, 10)
        self.ax.set_axis_off()


def test_overlapping_texts_are_flagged_and_separate_ones_are_not():
    board = _Board()
    board.ax.text(2, 5, "overlap me", fontsize=10)
    board.ax.text(2.3, 5.1, "and me", fontsize=10)
    board.ax.text(7, 1, "alone", fontsize=10)
    pairs = overlapping_texts(drawn_texts(board))
    assert [(a.text, b.text) for a, b in pairs] == [("overlap me", "and me")]
    assert len(readability_problems(board)) == 1


def test_touching_words_count_as_overlapping():
    board = _Board()
    first = board.ax.text(1, 5, "left", fontsize=10)
    board.figure.canvas.draw()
    x1 = board.ax.transData.inverted().transform(
        first.get_window_extent(board.canvas.get_renderer()).corners()[-1])[0]
    board.ax.text(x1 + 0.01, 5, "right", fontsize=10)  # a fraction of a pixel apart
    assert len(overlapping_texts(drawn_texts(board))) == 1


def test_small_text_is_flagged_with_the_display_scale():
    board = _Board()
    board.ax.text(1, 5, "8 pt: 11.1 px", fontsize=8)
    assert small_texts(board) == []
    wide = _Board(width_in=10.0)  # 1000 px shown in 830: × 0.83
    wide.ax.text(1, 5, "8 pt: 9.2 px as shown", fontsize=8)
    assert display_scale(wide) == pytest.approx(0.83)
    assert [b.text for b in small_texts(wide)] == ["8 pt: 9.2 px as shown"]
    assert 8 * 100 / 72 * 0.83 < MIN_TEXT_PX
    # 880 px, the width pictures had before the output area was measured: × 0.943,
    # and the 8-pt floor falls to 10.5 px
    old = _Board(width_in=8.8)
    old.ax.text(1, 5, "8 pt: 10.5 px as shown", fontsize=8)
    assert display_scale(old) == pytest.approx(830 / 880)
    assert [b.text for b in small_texts(old)] == ["8 pt: 10.5 px as shown"]


def test_mathtext_scripts_count_at_the_size_mathtext_draws_them():
    # matplotlib's mathtext shrinks scripts and fractions' parts by 0.7 a level
    assert mathtext_scale("10^{-6} in plain text") == 1.0
    assert mathtext_scale(r"$\sqrt{2/\pi}\,\tanh z$") == 1.0
    assert mathtext_scale(r"$\mathdefault{10^{-6}}$") == pytest.approx(0.7)
    assert mathtext_scale(r"$w_1$ and $x$") == pytest.approx(0.7)
    assert mathtext_scale(r"$\frac{1}{1 + e^{-z}}$") == pytest.approx(0.49)
    assert mathtext_scale(r"$\frac{a}{b} + c^{2}$") == pytest.approx(0.7)
    assert mathtext_scale(r"costs \$5, not \$6") == 1.0  # escaped dollars are no math
    assert mathtext_scale(r"$a\$ + b^2$") == pytest.approx(0.7)  # an escaped dollar inside math
    with pytest.raises(TypeError, match="text must be a str; got int"):
        mathtext_scale(5)
    board = _Board()
    board.ax.text(1, 5, r"$10^{-6}$", fontsize=12)  # 16.7 px, its exponent 11.7
    board.ax.text(5, 5, r"$10^{-6}$", fontsize=10)  # 13.9 px, its exponent 9.7
    board.ax.text(5, 8, r"$10^{-6}$", fontsize=8, parse_math=False)  # drawn as typed: 11.1 px
    small = small_texts(board)
    assert [(b.text, round(b.size_px, 1)) for b in small] == [(r"$10^{-6}$", 9.7)]
    assert small[0].artist.get_fontsize() == 10


def test_log_ticks_read_at_full_size_on_axes_and_colour_bars():
    board = _Board()
    ax = board.figure.add_axes([0.1, 0.2, 0.5, 0.7])
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 10.0)
    ax.tick_params(labelsize=8)
    assert small_texts(board)  # matplotlib's 10^{k}: exponents at 7.8 px
    short_log_ticks(ax.yaxis)
    norm = LogNorm(1e-4, 1.0)
    image = ax.imshow(np.ones((2, 2)), norm=norm)
    bar = board.figure.colorbar(image, cax=board.figure.add_axes([0.8, 0.2, 0.03, 0.7]))
    bar.ax.tick_params(labelsize=8)
    short_log_ticks(bar)
    norm.vmin, norm.vmax = 1e-5, 0.1  # a colour bar resets its axis's formatter on a change
    assert small_texts(board) == []
    labels = {b.text for b in drawn_texts(board)}
    assert {"1e−6", "0.001", "1", "10"} <= labels  # the axis
    assert {"1e−5", "1e−4", "0.001", "0.01", "0.1"} <= labels  # the colour bar
    assert not any("$" in label for label in labels)


def test_hidpi_frames_count_css_pixels():
    board = FigureView((8.3, 3.0), pixel_ratio=2)
    assert board.canvas.get_width_height() == (1660, 600)
    assert board.css_size == (830, 300)
    ax = board.figure.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.text(0.1, 0.5, "7 pt", fontsize=7)
    ax.text(0.5, 0.5, "8 pt", fontsize=8)
    assert display_scale(board) == pytest.approx(0.5)
    assert [b.text for b in small_texts(board)] == ["7 pt"]


def test_text_past_the_edge_is_flagged():
    board = _Board()
    board.ax.text(9.5, 5, "this runs off the right edge of the picture", fontsize=10)
    assert [b.text for b in clipped_texts(board)] == [
        "this runs off the right edge of the picture"]


def test_a_line_across_a_label_is_flagged_unless_a_neuron_hides_it():
    board = _Board()
    board.ax.plot([0, 10], [5.2, 5.2], color="red", lw=2)  # through the label
    board.ax.text(4, 5, "w₁ = 0.5", fontsize=10, va="bottom")
    board.ax.text(4, 8, "clear", fontsize=10)
    hits = lines_across_texts(board)
    assert [(type(line), box.text) for line, box in hits] == [(Line2D, "w₁ = 0.5")]
    # an edge ends under a neuron with its value written on it: nothing is crossed
    hidden = _Board()
    hidden.ax.plot([0, 5], [5, 5], color="red", lw=2, zorder=1)
    hidden.ax.scatter([5], [5], s=40 ** 2, color="white", edgecolors="black", zorder=2)
    PathText(hidden.ax, 5, 5, "0.27", transform=hidden.ax.transData, fontsize=8,
             ha="center", va="center")
    assert lines_across_texts(hidden) == []
    assert texts_spilling_from_markers(hidden) == []


def test_a_value_wider_than_its_neuron_is_flagged():
    board = _Board()
    board.ax.scatter([5], [5], s=14 ** 2, color="white", edgecolors="black", zorder=2)
    PathText(board.ax, 5, 5, "−0.00905", transform=board.ax.transData, fontsize=8,
             ha="center", va="center")
    assert [b.text for b in texts_spilling_from_markers(board)] == ["−0.00905"]


def test_lines_of_a_pathtext_are_boxes_of_their_own():
    board = _Board()
    PathText(board.ax, 0.1, 0.9, "a long first line of equations\nshort", fontsize=8, va="top")
    PathText(board.ax, 0.4, 0.9, "\nright of the short line", fontsize=8, va="top")
    boxes = drawn_texts(board)
    assert [b.text for b in boxes] == ["a long first line of equations", "short",
                                       "right of the short line"]
    assert overlapping_texts(boxes) == []  # the block's rectangles would have overlapped


def test_chinese_text_boxes_have_the_real_font_widths():
    board = _Board()
    # Han characters are one em wide: 4 × 10 pt at 100 dpi ≈ 55.6 px (a PathText: its ink).
    label = board.ax.text(1, 5, "激活函数", fontsize=10)
    PathText(board.ax, 0.1, 0.2, "激活函数", fontsize=10)
    em = 10 * 100 / 72
    text_box, path_box = drawn_texts(board)
    assert text_box.bbox.width == pytest.approx(4 * em, abs=1)
    assert 4 * em - 3 <= path_box.bbox.width <= 4 * em
    # a label one em after the Chinese one is clear of it; half an em inside it is not
    board.figure.canvas.draw()
    x1 = label.get_window_extent(board.canvas.get_renderer()).x1
    to_data = board.ax.transData.inverted()
    clear = board.ax.text(to_data.transform((x1 + em, 0))[0], 5, "导数", fontsize=10)
    assert overlapping_texts(drawn_texts(board)) == []
    clear.set_x(to_data.transform((x1 - em / 2, 0))[0])
    assert [(a.text, b.text) for a, b in overlapping_texts(drawn_texts(board))] == [
        ("激活函数", "导数")]


def test_characters_no_font_draws_are_flagged():
    board = _Board()
    PathText(board.ax, 0.1, 0.5, "名字 \U00020000", fontsize=10)
    board.ax.text(1, 8, "梯度 ∂L/∂w", fontsize=10)
    assert readability_problems(board) == [
        f"text {drawn_texts(board)[-1]!r} has characters no font draws: \U00020000"]


def test_one_colour_per_activation_everywhere():
    assert len(set(ACTIVATION_COLORS.values())) == len(ACTIVATION_COLORS) == 9
    explorer = av.ActivationExplorer(activations=("relu", "tanh"), z=1.0, depth=3)
    other = av.ActivationExplorer(activations=("tanh", "relu"), z=1.0, depth=3)
    for w in (explorer, other):
        for i, name in enumerate(w.view.names):
            assert w.view.lines_f[i].get_color() == activation_color(name)
    neuron = av.SingleNeuron(activation="tanh")
    assert neuron.view.curve.line_f.get_color() == activation_color("tanh")


# -- every widget, defaults and extremes, in both languages -----------------------------------
# Each case builds a widget in the given language and yields it (again after each change) at
# the states to check. A widget is checked in Chinese once its class names its catalogue area
# (``i18n_area``); until then it is listed, with the reason, in NOT_IN_CHINESE_YET.

def _lang(language):
    """The language argument: none for English, the default (as every lesson builds them)."""
    return {} if language == "en" else {"language": language}


def _activation_explorer(language):
    yield av.ActivationExplorer(**_lang(language))
    yield av.ActivationExplorer(activations=ALL_ACTIVATIONS, z=-5.9, depth=20, **_lang(language))


def _single_neuron(language):
    w = av.SingleNeuron(**_lang(language))
    w.step()
    yield w
    for activation in ("tanh", "relu", "linear"):
        yield av.SingleNeuron(activation=activation, **_lang(language))
    # long numbers: large inputs and weights, a huge learning rate, steps taken
    w = av.SingleNeuron(x1=-5.0, x2=4.999, w1=-4.987, w2=4.95, b=-5.0, y=-2.0,
                        activation="linear", lr=10.0, **_lang(language))
    for _ in range(3):
        w.step()
    yield w
    yield av.SingleNeuron(x1=-0.000123456, x2=0.00456, w1=0.000123, b=0.0, loss="bce", y=1.0,
                          **_lang(language))


def _backprop_stepper(language):
    w = av.BackpropStepper(**_lang(language))
    for k in (0, 3, w.stepper.n_steps - 1):
        w.go(k)
        yield w
    sizes = (2, 8, 8, 8, 8, 8, 8, 1)
    w = av.BackpropStepper(sizes=sizes, **_lang(language))
    w.go(w.stepper.n_steps - 3)
    yield w
    # the output neuron selected, δ on the neurons (the longest equations)
    w.view.update(w.stepper, "delta", selected=(len(sizes) - 1, 0))
    yield w
    w.view.update(w.stepper, "z", selected=(6, 7))
    yield w


def _playground(language):
    for settings in ({},
                     {"dataset": "spiral", "hidden_layers": 6, "neurons": 8, "activation": "relu",
                      "show_gradients": True},
                     {"dataset": "sine", "hidden_layers": 1, "neurons": 2, "show_gradients": True}):
        w = av.Playground(**settings, **_lang(language))
        w.step(frames=2)
        yield w


def _gradient_health(language):
    for settings in ({}, {"depth": 1, "activation": "relu", "init": "he"},
                     {"depth": 9, "activation": "relu", "init": "he", "weight_scale": 3.0}):
        w = av.GradientHealth(**settings, **_lang(language))
        w.train(3)
        yield w


def _dead_neurons(language):
    for settings in ({}, {"depth": 4, "lr": 3.0}):
        w = av.DeadNeurons(**settings, **_lang(language))
        w.train(5)
        yield w


def _distributions(language):
    for settings in ({}, {"depth": 5, "activation": "relu", "weight_scale": 3.0}):
        w = av.Distributions(**settings, **_lang(language))
        w.train(10)
        yield w


def _gradient_check(language):
    yield av.GradientCheck(**_lang(language))
    yield av.GradientCheck(activation="relu", hidden=(8, 8, 8), eps=1e-12, **_lang(language))
    yield av.GradientCheck(eps=0.1, layer=2, i=2, j=0, **_lang(language))


def _digits(language):
    yield av.DigitsCaseStudy(**_lang(language))
    yield av.DigitsCaseStudy(activation="tanh", sample=358, neuron=31, **_lang(language))


def _computational_graph(language):
    for graph in ("neuron", EXPRESSION_NAMES[-1]):
        w = av.ComputationalGraph(graph=graph, **_lang(language))
        for k in (0, w.n_steps // 2, w.n_steps - 1):
            w.go(k)
            yield w


def _training_comparison(language):
    for settings, epochs in (({}, 0), ({}, 20), ({"compare": "schedule", "lr": 3.0}, 20)):
        w = av.TrainingComparison(**settings, **_lang(language))
        w.train(epochs)
        yield w


def _branch_comparison(language):
    from actviz_widgets.widgets.branch import BranchComparison

    playground = av.Playground(**_lang(language))
    playground.step(frames=3)
    for change in ({"lr": 0.03}, {"activation": "relu"}):
        w = BranchComparison.from_playground(playground, **_lang(language), **change)
        w.train(10)
        yield w


@lru_cache(maxsize=1)
def _mnist_run():
    from actviz_widgets.engine.mnist import load_mnist, train_mnist_classifier

    return train_mnist_classifier(load_mnist(), epochs=1, record=12)


def _mnist(language):
    w = av.MnistClassifier(_mnist_run(), **_lang(language))
    for picture in ("weights", "activity", "timeline", "mistakes"):
        w.apply(picture=picture)
        yield w


#: Widget class name -> the case that checks its picture.
CASES = {"ActivationExplorer": _activation_explorer, "SingleNeuron": _single_neuron,
         "BackpropStepper": _backprop_stepper, "Playground": _playground,
         "GradientHealth": _gradient_health, "DeadNeurons": _dead_neurons,
         "Distributions": _distributions, "GradientCheck": _gradient_check,
         "DigitsCaseStudy": _digits, "ComputationalGraph": _computational_graph,
         "TrainingComparison": _training_comparison, "BranchComparison": _branch_comparison,
         "MnistClassifier": _mnist}

#: Widgets not yet in Chinese (their class has no ``i18n_area``), and why. Empty when done.
NOT_IN_CHINESE_YET: dict[str, str] = {}


def _widget_classes() -> dict[str, type]:
    """Every public widget class of the package (a FigureWidget subclass in actviz_widgets.widgets)."""
    from actviz_widgets import widgets
    from actviz_widgets.widgets.base import FigureWidget

    found = set()
    for info in pkgutil.iter_modules(widgets.__path__):
        module = importlib.import_module(f"actviz_widgets.widgets.{info.name}")
        found.update(value for value in map(module.__dict__.get, getattr(module, "__all__", ()))
                     if isinstance(value, type) and issubclass(value, FigureWidget))
    # not the shared bases (FigureWidget, TrainingWidget): only what a lesson builds
    return {cls.__name__: cls for cls in found
            if not any(other is not cls and issubclass(other, cls) for other in found)}


def test_every_widget_has_a_readability_case():
    assert set(_widget_classes()) == set(CASES)


def test_the_not_yet_in_chinese_list_is_true():
    classes = _widget_classes()
    listed_but_done = [name for name in NOT_IN_CHINESE_YET if classes[name].i18n_area]
    assert listed_but_done == [], "these have an i18n_area now: remove them from NOT_IN_CHINESE_YET"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_widget_readable(name, language):
    if language == "zh" and not _widget_classes()[name].i18n_area:
        if name not in NOT_IN_CHINESE_YET:
            pytest.fail(f"{name} has no i18n_area: translate it, or list it in NOT_IN_CHINESE_YET")
        pytest.skip(f"{name} is not in Chinese yet: {NOT_IN_CHINESE_YET[name]}")
    checked = 0
    for widget in CASES[name](language):
        assert getattr(widget, "language", "en") == language
        assert_readable(widget)
        checked += 1
    assert checked


def test_sequential_scales_for_relu_activations_and_shares_diverging_for_tanh():
    relu = av.DigitsCaseStudy()
    assert relu.view.hidden.cmap_name == "viridis"
    assert relu.view.hidden.norm.vmin == 0.0
    tanh = av.DigitsCaseStudy(activation="tanh")
    assert tanh.view.hidden.cmap_name == "RdBu_r"
    assert tanh.view.hidden.norm.vmin == -tanh.view.hidden.norm.vmax
    dead = av.DeadNeurons()
    assert dead.view.diagram.scale_kind == "nonnegative"
    assert (dead.view.diagram.norm.vmin, dead.view.diagram.norm.vmax) == (0.0, 1.0)
    assert [t.get_text() for t in dead.view.diagram.tick_texts] == [
        "0", "0.25", "0.5", "0.75", "1"]
    assert np.allclose(dead.view.diagram.node_colors(np.array([0.0]))[0, :3], 1.0, atol=0.02)
    relu_play = av.Playground(activation="relu")
    relu_play.step(frames=2)
    v = relu_play.view
    assert v.tiles_nonnegative and v.tiles.cmap_name == "viridis"
    assert np.all(v.tiles.vmin == 0.0) and np.all(v.tiles.vmax == v.tile_scale)
    assert v.diagram.tick_texts[0].get_text() == "0"
    tanh_play = av.Playground(activation="tanh")
    assert not tanh_play.view.tiles_nonnegative and tanh_play.view.tiles.cmap_name == "RdBu_r"
