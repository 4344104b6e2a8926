"""Tests of the activation curve panel and the activation explorer widget (headless, Agg).

Reference values are computed independently: sigmoid, tanh and ReLU by hand
with :mod:`math`, every derivative also by a central finite difference of the
function, and the chain products as plain Python powers.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser
from PIL import Image

from actviz_widgets.engine import ACTIVATION_NAMES, get_activation
from actviz_widgets.views.activation_explorer import (
    CHAIN_YLIM,
    ActivationExplorerView,
    inline_fractions,
    inline_powers,
    table_formula,
)
from actviz_widgets.views.activation_plot import (ActivationCurvePanel, formula_text,
                                                  saturated_intervals)
from actviz_widgets.views.base import FigureView
from actviz_widgets.views.readability import mathtext_scale
from actviz_widgets.views.text import fmt, fmt_short
from actviz_widgets.widgets.activation_explorer import ActivationExplorer
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)

# -- independent references ----------------------------------------------------------------

def number(value: float, digits: int = 3) -> str:
    """How the explorer's table writes a number: ``digits`` significant digits, or
    below 0.001 the compact exponent form (2.9e−4), which keeps a row inside the picture."""
    return fmt(value, digits) if value == 0 or abs(value) >= 1e-3 else fmt_short(value)


BY_HAND = {
    "sigmoid": (lambda z: 1.0 / (1.0 + math.exp(-z)),
                lambda z: math.exp(-z) / (1.0 + math.exp(-z)) ** 2),
    "tanh": (math.tanh, lambda z: 1.0 - math.tanh(z) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "linear": (lambda z: z, lambda z: 1.0),
    "leaky_relu": (lambda z: z if z > 0 else 0.01 * z, lambda z: 1.0 if z > 0 else 0.01),
    "elu": (lambda z: z if z > 0 else math.exp(z) - 1.0, lambda z: 1.0 if z > 0 else math.exp(z)),
    "softplus": (lambda z: math.log1p(math.exp(z)), lambda z: 1.0 / (1.0 + math.exp(-z))),
}


def f_ref(name: str, z: float) -> float:
    """f(z): by hand where written above, else the engine's value."""
    if name in BY_HAND:
        return BY_HAND[name][0](z)
    return float(get_activation(name)(np.array([z]))[0])


def df_ref(name: str, z: float) -> float:
    """f′(z): by hand, or a central finite difference of f (away from kinks)."""
    if name in BY_HAND:
        return BY_HAND[name][1](z)
    h = 1e-6
    return (f_ref(name, z + h) - f_ref(name, z - h)) / (2 * h)


def png_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def explorer() -> ActivationExplorer:
    return ActivationExplorer()


@pytest.fixture
def panel():
    view = FigureView((5, 3.5))
    ax = view.figure.add_subplot(111)
    return view, ActivationCurvePanel(view, ax)


def check_explorer(ex: ActivationExplorer, names, z, depth, threshold, tol=1e-6):
    """Every model number and drawn artist of ``ex`` against the references."""
    assert ex.error is None
    assert list(ex.activations) == list(names)
    assert (ex.z, ex.depth, ex.threshold) == (z, depth, threshold)
    view = ex.view
    assert view.names == list(names)
    k = np.arange(1, depth + 1)
    offsets_f = view.points_f.get_offsets()
    offsets_df = view.points_df.get_offsets()
    assert offsets_f.shape == (len(names), 2)
    for i, name in enumerate(names):
        f, d = f_ref(name, z), df_ref(name, z)
        assert ex.values[name] == pytest.approx((f, d), rel=tol, abs=tol)
        # the chain product is f′(z)^k, the gradient factor after k layers
        assert ex.chain_products[name] == pytest.approx([d ** int(j) for j in k], rel=tol,
                                                        abs=1e-300)
        # drawn: curve, current point, tangent, chain line, table row
        grid = view.z_grid
        curve = np.array([f_ref(name, float(t)) for t in grid])
        np.testing.assert_allclose(view.lines_f[i].get_ydata(), curve, rtol=1e-9, atol=1e-12)
        assert tuple(offsets_f[i]) == pytest.approx((z, f), rel=tol, abs=tol)
        assert tuple(offsets_df[i]) == pytest.approx((z, d), rel=tol, abs=tol)
        tx, ty = view.tangents[i].get_data()
        np.testing.assert_allclose(ty, f + d * (np.asarray(tx) - z), rtol=1e-6, atol=1e-6)
        cx, cy = view.chain_lines[i].get_data()
        np.testing.assert_array_equal(cx, k)
        np.testing.assert_allclose(cy, np.clip(np.abs(d) ** k, *CHAIN_YLIM), rtol=1e-6)
        text = view.value_texts[i].get_text()
        f_e, d_e = ex.values[name]
        assert number(f_e, 4) in text and number(d_e, 4) in text
        assert f"^{depth} = {number(ex.chain_products[name][-1])}" in text
        assert ("saturated" in text) == (abs(d_e) < threshold)
        assert view.name_texts[i].get_text() == get_activation(name).display_name
        assert view.lines_f[i].get_visible() and view.value_texts[i].get_visible()
    for i in range(len(names), len(ACTIVATION_NAMES)):
        assert not view.lines_f[i].get_visible()
        assert not view.value_texts[i].get_visible()
    assert view.depth_line.get_xdata()[0] == depth
    assert view.z_lines[0].get_xdata()[0] == z


# -- helpers: formula text and saturation ------------------------------------------------

@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_every_formula_renders_with_mathtext(name):
    text, is_math = formula_text(get_activation(name).latex)
    assert is_math and text.startswith("$") and text.endswith("$")
    MathTextParser("path").parse(text)  # raises if mathtext cannot draw it


def test_piecewise_formula_is_rewritten():
    text, is_math = formula_text(get_activation("elu").latex)
    assert is_math
    assert r"\mathrm{if}" in text and r"\leq" in text and "cases" not in text


def test_unrenderable_formula_falls_back_to_plain_text():
    text, is_math = formula_text(r"f(z) = \notacommand{z}")
    assert not is_math
    assert text == "f(z) = notacommandz"


def test_saturated_intervals_by_hand():
    z = np.linspace(-5, 5, 11)  # step 1
    df = np.array([0, 0, 0.5, 0.5, 0, 1, 1, 1, 0.01, 0.01, 0.01])
    assert saturated_intervals(z, df, 0.05) == [(-5.0, -3.5), (-1.5, -0.5), (2.5, 5.0)]
    assert saturated_intervals(z, np.ones(11), 0.05) == []
    # |f′| counts: a negative slope near zero is saturated too
    assert saturated_intervals(z, -np.full(11, 0.01), 0.05) == [(-5.0, 5.0)]


# -- the reusable panel --------------------------------------------------------------------

def test_panel_draws_f_and_derivative(panel):
    view, p = panel
    grid = p.z_grid
    np.testing.assert_allclose(p.line_f.get_ydata(), [f_ref("sigmoid", t) for t in grid],
                               rtol=1e-12)
    np.testing.assert_allclose(p.line_df.get_ydata(), [df_ref("sigmoid", t) for t in grid],
                               rtol=1e-9)
    assert [t.get_text() for t in p.legend.get_texts()] == [
        "f(z)", "f′(z) — the activation's derivative", "saturated: |f′| < 0.05",
        "tangent of f at z (slope f′(z))"]
    lo, hi = p.ax.get_ylim()
    assert lo < 0 < 1 < hi and hi - lo < 1.3  # the curve over z_range, with a margin
    # sigmoid: s(1 − s) < t  ⇔  |z| > ln(s/(1 − s)) with s = (1 + √(1 − 4t))/2
    s = (1 + math.sqrt(1 - 4 * 0.05)) / 2
    edge = math.log(s / (1 - s))
    step = grid[1] - grid[0]
    (a0, a1), (b0, b1) = p.saturated
    assert (a0, b1) == (-5, 5)
    assert a1 == pytest.approx(-edge, abs=step) and b0 == pytest.approx(edge, abs=step)


def test_panel_points_tangent_and_clipping(panel):
    view, p = panel
    p.set_points([-1.0, 0.5, 7.0], labels=["a", "b", "c"])
    offsets = p.scatter_f.get_offsets()
    assert tuple(offsets[0]) == pytest.approx((-1.0, f_ref("sigmoid", -1.0)))
    assert tuple(offsets[1]) == pytest.approx((0.5, f_ref("sigmoid", 0.5)))
    # outside z_range: drawn at the edge with the true value, as ▶, and noted
    assert tuple(offsets[2]) == pytest.approx((5.0, f_ref("sigmoid", 7.0)))
    assert tuple(p.scatter_df.get_offsets()[2]) == pytest.approx((5.0, df_ref("sigmoid", 7.0)))
    paths = p.scatter_f.get_paths()
    assert paths[0] is paths[1] and paths[2] is not paths[0]
    assert "z = 7" in p.clip_note.get_text()
    assert [t.get_text() for t in p.point_labels] == ["a", "b", "c"]
    np.testing.assert_allclose(p.f_points, [f_ref("sigmoid", v) for v in (-1, 0.5, 7)])
    p.set_tangent(0.5)
    tx, ty = p.tangent.get_data()
    f0, d0 = f_ref("sigmoid", 0.5), df_ref("sigmoid", 0.5)
    np.testing.assert_allclose(ty, f0 + d0 * (np.asarray(tx) - 0.5), rtol=1e-12)
    assert p.tangent.get_visible()
    p.set_points([2.0], greyed=True)
    assert len(p.scatter_f.get_offsets()) == 1
    assert not p.point_labels[0].get_visible() and p.clip_note.get_text() == ""
    p.set_tangent(None)
    assert not p.tangent.get_visible()
    assert png_size(view.to_png()) == (500, 350)


def test_panel_set_activation_and_threshold(panel):
    view, p = panel
    p.set_points([-2.0, 3.0])
    p.set_tangent(3.0)
    view.draw()
    p.set_activation("relu")
    assert view._background is None  # limits and title changed: full redraw next
    assert p.activation.name == "relu"
    np.testing.assert_allclose(p.line_f.get_ydata(), np.maximum(p.z_grid, 0.0))
    assert p.ax.get_ylim()[1] > 5.0
    assert tuple(p.scatter_f.get_offsets()[1]) == (3.0, 3.0)
    assert p.tangent.get_ydata() == pytest.approx(p.tangent.get_xdata())  # slope 1 through 0
    assert p.saturated == [(-5.0, pytest.approx(0.0125))]  # f′ = 0 for z <= 0 (grid step 0.025)
    p.set_threshold(0.0)
    assert p.saturated == []
    assert p.legend.get_texts()[2].get_text() == "saturated: |f′| < 0 (nowhere here)"


@pytest.mark.parametrize("kwargs, error", [
    ({"z_range": (1, 1)}, ValueError), ({"n_points": 1}, ValueError),
    ({"saturation_threshold": -1}, ValueError), ({"activation": "nope"}, ValueError),
    ({"activation": 3}, TypeError)])
def test_panel_rejects_bad_arguments(kwargs, error):
    view = FigureView((3, 2))
    with pytest.raises(error):
        ActivationCurvePanel(view, view.figure.add_subplot(111), **kwargs)


def test_panel_rejects_bad_points_without_changing(panel):
    _, p = panel
    p.set_points([1.0, 2.0])
    before = p.scatter_f.get_offsets().copy()
    with pytest.raises(ValueError, match="labels"):
        p.set_points([1.0], labels=["a", "b"])
    with pytest.raises(ValueError, match="z"):
        p.set_points([np.nan])
    np.testing.assert_array_equal(p.scatter_f.get_offsets(), before)


# -- the explorer widget -------------------------------------------------------------------

def test_default_explorer(explorer):
    check_explorer(explorer, ["sigmoid", "tanh", "relu"], 1.0, 5, 0.05)
    # the vanishing gradient by hand: sigmoid′(1)^5
    d = math.exp(-1) / (1 + math.exp(-1)) ** 2
    assert explorer.chain_products["sigmoid"][-1] == pytest.approx(d ** 5)
    assert "0.197^5 = 2.9e−4" in explorer.view.value_texts[0].get_text()
    assert repr(explorer) == ("ActivationExplorer(activations=['sigmoid', 'tanh', 'relu'], z=1, "
                              "depth=5)")
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_control_moves_the_model_and_the_picture(explorer):
    explorer.z_slider.value = -2.5
    check_explorer(explorer, ["sigmoid", "tanh", "relu"], -2.5, 5, 0.05)
    explorer.depth_slider.value = 12
    check_explorer(explorer, ["sigmoid", "tanh", "relu"], -2.5, 12, 0.05)
    explorer.threshold_slider.value = 0.1
    check_explorer(explorer, ["sigmoid", "tanh", "relu"], -2.5, 12, 0.1)
    explorer.select.value = ("tanh", "softplus", "gelu")
    check_explorer(explorer, ["tanh", "softplus", "gelu"], -2.5, 12, 0.1)
    # shading follows the first selected activation (tanh): |1 − tanh²| < 0.1 ⇔ |z| > atanh(√0.9)
    edge = math.atanh(math.sqrt(0.9))
    (a0, a1), (b0, b1) = explorer.view.saturated
    step = explorer.view.z_grid[1] - explorer.view.z_grid[0]
    assert a1 == pytest.approx(-edge, abs=step) and b0 == pytest.approx(edge, abs=step)
    assert "tanh saturated" in explorer.view.legend.get_texts()[0].get_text()


def test_threshold_and_z_changes_blit(explorer):
    explorer.view.draw()
    background = explorer.view._background
    explorer.z_slider.value = 3.0
    explorer.threshold_slider.value = 0.2
    explorer.depth_slider.value = 2
    assert explorer.view._background is background  # no full redraw needed
    explorer.select.value = ("relu",)
    assert explorer.view._background is not background


def test_all_activations_draw_and_png_is_small(explorer):
    explorer.select.value = ACTIVATION_NAMES
    explorer.depth_slider.value = 20
    explorer.z_slider.value = -3.0
    check_explorer(explorer, list(ACTIVATION_NAMES), -3.0, 20, 0.05)
    for i, name in enumerate(ACTIVATION_NAMES):
        # the right-hand side (the column's header says "formula f(z)"), fractions on one line
        assert explorer.view.formula_texts[i].get_text() == table_formula(
            get_activation(name).latex)
        assert explorer.view.range_texts[i].get_text() == get_activation(name).range_text
    png = explorer.view.to_png()  # draws every mathtext formula
    assert len(png) <= 200_000
    assert png_size(png) == explorer.view.canvas.get_width_height()
    # values far below 1e-12 are clipped, not lost: relu′(−3)^20 = 0
    i = ACTIVATION_NAMES.index("relu")
    assert explorer.chain_products["relu"][-1] == 0.0
    assert explorer.view.chain_lines[i].get_ydata()[-1] == CHAIN_YLIM[0]
    assert len(explorer.view.chain_clipped.get_offsets()) > 0


def test_negative_derivative_chain(explorer):
    explorer.select.value = ("gelu",)
    explorer.z_slider.value = -1.0
    d = explorer.values["gelu"][1]
    assert d < 0 and d == pytest.approx(df_ref("gelu", -1.0), rel=1e-6)
    assert explorer.chain_products["gelu"][:2] == pytest.approx([d, d * d])
    assert f"({number(d)})^5" in explorer.view.value_texts[0].get_text()
    # the log axis shows the size |f′|^k
    assert explorer.view.chain_lines[0].get_ydata()[0] == pytest.approx(-d)


def test_errors_become_messages_and_the_widget_recovers(explorer, monkeypatch):
    explorer.select.value = ()
    assert "activations: select at least one" in explorer.error
    assert "actviz-error" in explorer.message.value
    # refused at the setting: the setting, the control and the picture keep the last selection
    assert explorer.activations == ("sigmoid", "tanh", "relu")
    assert explorer.select.value == ("sigmoid", "tanh", "relu")
    assert explorer.state.activations == ("sigmoid", "tanh", "relu")
    explorer.select.value = ("elu",)
    assert explorer.error is None and explorer.message.value == ""
    check_explorer(explorer, ["elu"], 1.0, 5, 0.05)

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("forced failure")
    monkeypatch.setattr(explorer.view, "update", broken)
    explorer.z_slider.value = 0.5
    assert calls and explorer.error == "RuntimeError: forced failure"
    # the learner's value stays; the picture and its state keep the last good frame
    assert explorer.z == 0.5 and explorer.state.z == 1.0
    monkeypatch.undo()
    explorer.z_slider.value = 0.25
    check_explorer(explorer, ["elu"], 0.25, 5, 0.05)


@pytest.mark.slow
def test_rapid_random_changes_end_in_the_last_state(explorer):
    rng = np.random.default_rng(1234)
    for _ in range(500):
        control = rng.choice(4, p=[0.35, 0.3, 0.25, 0.1])  # a new selection redraws all: rarer
        if control == 0:
            explorer.z_slider.value = round(float(rng.uniform(-6, 6)), 2)
        elif control == 1:
            explorer.depth_slider.value = int(rng.integers(1, 21))
        elif control == 2:
            explorer.threshold_slider.value = round(float(rng.uniform(0, 0.25)), 3)
        else:
            k = int(rng.integers(1, 4))
            explorer.select.value = tuple(rng.choice(ACTIVATION_NAMES, size=k, replace=False))
    names = [n for n in ACTIVATION_NAMES if n in explorer.select.value]
    fresh = ActivationExplorer(names, z=explorer.z_slider.value, depth=explorer.depth_slider.value,
                               threshold=explorer.threshold_slider.value)
    check_explorer(explorer, names, fresh.z, fresh.depth, fresh.threshold)
    assert explorer.values == fresh.values
    for name in names:
        np.testing.assert_array_equal(explorer.chain_products[name], fresh.chain_products[name])
    for a, b in zip(explorer.view.value_texts, fresh.view.value_texts):
        assert a.get_text() == b.get_text()
    np.testing.assert_array_equal(explorer.view.points_f.get_offsets(),
                                  fresh.view.points_f.get_offsets())
    assert explorer.view.saturated == fresh.view.saturated


@pytest.mark.parametrize("kwargs, error", [
    ({"activations": ["sigmoid", "bogus"]}, ValueError), ({"z": 7.0}, ValueError),
    ({"z": "1"}, TypeError), ({"depth": 0}, ValueError), ({"depth": 2.5}, TypeError),
    ({"threshold": 0.5}, ValueError)])
def test_bad_arguments_raise(kwargs, error):
    with pytest.raises(error):
        ActivationExplorer(**kwargs)


def test_view_rejects_bad_selection():
    view = ActivationExplorerView()
    with pytest.raises(ValueError, match="at least one"):
        view.set_activations([])
    with pytest.raises(ValueError, match="repeat"):
        view.set_activations(["tanh", "tanh"])
    with pytest.raises(ValueError, match="unknown activation"):
        view.set_activations(["nope"])
    assert view.names == []


# -- both languages ----------------------------------------------------------------------------
ALL = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu")


def test_in_chinese_the_controls_and_picture_speak_chinese():
    w = ActivationExplorer(activations=ALL, z=-5.5, depth=20, language="zh")
    assert w.language == w.view.language == "zh"
    assert_speaks_chinese(w)
    assert control_texts(w) == {"activations": ("激活函数", ""), "z": ("z（净输入）", ""),
                                "depth": ("深度 n（层数）", ""), "threshold": ("视为饱和：|f′(z)| <", "")}
    assert [label for label, _ in w.select.options][0] == "线性（恒等）"
    v = w.view
    assert (v.ax_f.get_title(), v.ax_df.get_title(), v.ax_chain.get_title()) == (
        "f(z)：激活函数", "f′(z)：它的导数", "|f′(z)|ᵏ：经过 k 层的梯度因子")
    assert v.ax_chain.get_xlabel() == "深度 k（层数，每层都取这个 z）"
    assert v.legend.get_texts()[0].get_text() == "线性（恒等） 的饱和区"
    assert [t.get_text() for t in v.name_texts[:2]] == ["线性（恒等）", "sigmoid"]
    # the numbers are the engine's, the word after them Chinese: sigmoid at z = −5.5 saturates
    f, d = w.values["sigmoid"]
    s = 1.0 / (1.0 + math.exp(5.5))
    assert (f, d) == (pytest.approx(s, rel=1e-12), pytest.approx(s * (1 - s), rel=1e-12))
    assert v.value_texts[1].get_text() == (f"{fmt(f, 4):>7}  {fmt(d, 4):>7}  "
                                           f"{fmt(d)}^20 = {fmt_short(d ** 20)}  饱和")
    assert "饱和" not in v.value_texts[0].get_text()  # linear: f′ = 1, never saturated
    w.activations = ["relu"]
    assert v.legend.get_texts()[0].get_text() == "ReLU 的饱和区"
    w.view.to_png()  # drawn with the CJK font: no missing-glyph warning (warnings are errors)


def test_in_english_the_texts_are_the_english_ones():
    w = ActivationExplorer(activations=ALL, z=-5.5, depth=20, language="en")
    assert control_texts(w) == {"activations": ("activations", ""),
                                "z": ("z (pre-activation)", ""),
                                "depth": ("depth n (layers)", ""),
                                "threshold": ("saturated if |f′(z)| <", "")}
    assert [label for label, _ in w.select.options] == [get_activation(n).display_name
                                                         for n in ACTIVATION_NAMES]
    texts = picture_texts(w.view)
    for line in ("f(z): the activation", "f′(z): its derivative",
                 "|f′(z)|ᵏ: gradient factor, k layers", "depth k (layers, all at this z)",
                 "z (pre-activation)", "linear (identity) saturated", "± threshold on |f′|",
                 "tangent at z", "current z", "|f′(z)|ᵏ < 10⁻¹² (clipped)", "activation",
                 "formula f(z)", "range", f"{'f(z)':>7}  {'f′(z)':>7}  f′(z)ⁿ after n layers",
                 "GELU (tanh approx.)", "SiLU (swish)"):
        assert line in texts, line
    assert w.view.value_texts[1].get_text().endswith("  saturated")
    assert not any(CJK.search(t) for t in texts)


def test_the_switch_gives_chinese_to_an_explorer_built_without_a_language():
    with current_language("zh"):
        w = ActivationExplorer()
    assert w.language == w.view.language == "zh"
    assert w.depth_slider.description == "深度 n（层数）"
    assert w.view.ax_f.get_xlabel() == "z（净输入）"
    assert ActivationExplorer().language == "en"


def test_the_curve_panel_speaks_its_views_language():
    view = FigureView((4, 3), language="zh")
    panel = ActivationCurvePanel(view, view.figure.add_subplot(111), activation="silu")
    panel.set_points([9.0], ["z₁"])
    assert panel.ax.get_title() == "SiLU（Swish）：输出范围 [-0.28, ∞)"
    assert [t.get_text() for t in panel.legend.get_texts()] == [
        "f(z)", "f′(z)：激活函数的导数", "饱和区：|f′| < 0.05", "f 在 z 处的切线（斜率 f′(z)）"]
    assert panel.clip_note.get_text() == "超出所画的 z 范围\n（边缘处的 ◀/▶）：z = 9"
    view.to_png()


def test_table_formulas_write_fractions_and_powers_on_one_line():
    from actviz_widgets.engine.activations import ACTIVATION_NAMES, get_activation
    # mathtext draws a \frac's parts at 70 % (its exponents at 49 %): too small in a table row
    assert inline_fractions(r"\frac{1}{1 + e^{-z}}") == "1/(1 + e^{-z})"
    assert inline_fractions(r"\frac{z}{2}\left(1 + z\right)") == r"(z/2)\left(1 + z\right)"
    assert inline_fractions(r"\frac{\frac{a}{b}}{c} + 1") == "(a/b)/c + 1"
    assert inline_fractions(r"\max(0, z)") == r"\max(0, z)"
    # and an exponent at 70 %: powers of e become exp(...), a cube a product
    assert inline_powers(r"1 + e^{-z} + e^z") == r"1 + \exp(-z) + \exp(z)"
    assert inline_powers(r"0.04\,z^{3} + x^2") == r"0.04\,z\cdot z\cdot z + x\cdot x"
    assert inline_powers(r"\sec^{2} z + z^{n}") == r"\sec^{2} z + z^{n}"  # left as they are
    assert table_formula(get_activation("sigmoid").latex) == r"$1/(1 + \exp(-z))$"
    assert table_formula(get_activation("silu").latex) == r"$z\,\sigma(z) = z/(1 + \exp(-z))$"
    # "tanh z =" is left to the name column: the row has no room for it
    assert table_formula(get_activation("tanh").latex) == \
        r"$(\exp(z) - \exp(-z))/(\exp(z) + \exp(-z))$"
    for name in ACTIVATION_NAMES:
        formula = table_formula(get_activation(name).latex)
        assert r"\frac" not in formula and mathtext_scale(formula) == 1.0, (name, formula)
    with pytest.raises(ValueError, match="unclosed"):
        inline_fractions(r"\frac{1}{2")
    with pytest.raises(ValueError, match=r"two \{\.\.\.\} groups"):
        inline_fractions(r"\frac12")
