"""The computational-graph widget: numbers against the engine's MLP and finite differences,
the three backward modes, controls driven from the page in both orders, and the step link."""

from __future__ import annotations

import math
import re
import threading

import numpy as np
import pytest

from actviz_widgets.engine import EXPRESSION_NAMES, MLP, expression_graph, neuron_graph
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.widgets.graph import EXPRESSION_RANGE, ComputationalGraph
from actviz_widgets.widgets.single_neuron import SingleNeuron
from language_checks import CJK, control_texts, current_language, english_words, picture_texts

NEURON_VALUES = [dict(x1=1.0, x2=2.0, w1=0.5, w2=-0.3, b=0.1, y=1.0),
                 dict(x1=-1.37, x2=0.42, w1=1.25, w2=-2.5, b=0.3, y=-0.7),
                 dict(x1=3.1, x2=-4.2, w1=-0.05, w2=0.9, b=-1.6, y=0.25)]


def mlp_numbers(activation, loss, v):
    """z, a, L, ∂L/∂w1, ∂L/∂w2, ∂L/∂b from the engine's MLP([2, 1])."""
    net = MLP([2, 1], activation=[], output_activation=activation, loss=loss)
    net.set_params([np.array([[v["w1"]], [v["w2"]]])], [np.array([v["b"]])])
    trace = net.forward(np.array([[v["x1"], v["x2"]]]))
    grads = net.backward(trace, np.array([[v["y"]]]))
    return dict(z=trace.z[1][0, 0], a=trace.a[1][0, 0], L=grads.loss,
                w1=grads.dW[0][0, 0], w2=grads.dW[0][1, 0], b=grads.db[0][0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "gelu", "linear"])
@pytest.mark.parametrize("k", range(len(NEURON_VALUES)))
def test_neuron_numbers_are_the_mlps(activation, k):
    v = NEURON_VALUES[k]
    w = ComputationalGraph(activation=activation, **v)
    want = mlp_numbers(activation, "mse", v)
    got = w.values
    assert got["z"] == pytest.approx(want["z"], abs=1e-12)
    assert got["a"] == pytest.approx(want["a"], rel=1e-12, abs=1e-12)
    assert got["L"] == pytest.approx(want["L"], rel=1e-12)
    for key in ("w1", "w2", "b"):
        assert w.gradients[key] == pytest.approx(want[key], rel=1e-9, abs=1e-12)
    assert w.state is w.trace.final and w.state.phase == "done"


def test_bce_neuron_numbers_are_the_mlps():
    v = dict(x1=0.8, x2=-1.2, w1=1.1, w2=0.4, b=-0.2, y=0.0)
    w = ComputationalGraph(loss="bce", **v)
    want = mlp_numbers("sigmoid", "bce", v)
    assert w.values["L"] == pytest.approx(want["L"], rel=1e-12)
    for key in ("w1", "w2", "b"):
        assert w.gradients[key] == pytest.approx(want[key], rel=1e-9)


@pytest.mark.parametrize("k", range(len(NEURON_VALUES)))
def test_the_same_neuron_and_numbers_as_single_neuron(k):
    v = NEURON_VALUES[k]
    g = ComputationalGraph(activation="tanh", **v)
    n = SingleNeuron(activation="tanh", **v)
    assert g.values["z"] == pytest.approx(n.z, abs=1e-12)
    assert g.values["a"] == pytest.approx(n.a, abs=1e-12)
    assert g.values["L"] == pytest.approx(n.loss, rel=1e-12)
    assert [g.gradients["w1"], g.gradients["w2"]] == pytest.approx(list(n.dL_dw), rel=1e-9)
    assert g.gradients["b"] == pytest.approx(n.dL_db, rel=1e-9)
    # the leaves have the same settings, ranges and steps
    for key in ("x1", "x2", "w1", "w2", "b", "y"):
        a, b = g.sliders[key], n.sliders[key]
        assert (a.min, a.max, a.step, a.value) == (b.min, b.max, b.step, b.value)


@pytest.mark.parametrize("name", EXPRESSION_NAMES)
def test_expression_gradients_match_finite_differences(name):
    w = ComputationalGraph(graph=name)
    leaves = w.leaf_values()
    rng = np.random.default_rng(3)
    moved = {k: float(np.clip(v + rng.uniform(-0.4, 0.4), *EXPRESSION_RANGE))
             for k, v in leaves.items()}
    if name == "quotient":
        moved["b"] = moved["a"] - 1.7  # keep a − b away from 0
    w.set_leaves(**moved)
    assert w.error is None and w.leaf_values() == moved
    ref = expression_graph(name, **moved)  # an independent graph of the same expression
    for leaf in moved:
        fd = ref.numeric_gradient(leaf, eps=1e-6)
        assert w.gradients[leaf] == pytest.approx(fd, rel=1e-6, abs=1e-8), leaf


def test_value_used_twice_adds_both_paths_by_hand():
    w = ComputationalGraph(graph="reuse", a=2.0, b=-3.0)  # f = a·b + a
    a_index = w.trace.graph.index_of("a")
    # the direct path sends 1, the path through a·b sends b = −3
    assert w.trace.final.contributions[a_index] == (1.0, -3.0)
    assert w.gradients == pytest.approx({"a": -2.0, "b": 2.0})  # b + 1 and a
    w.graph = "square"  # f = x·x at x = 3: 3 + 3 = 6
    assert w.leaf_values() == {"x": 3.0} and w.gradients == {"x": 6.0}


def test_accumulate_mode_doubles_and_normal_mode_resets():
    w = ComputationalGraph(**NEURON_VALUES[1])
    once = dict(w.gradients)
    w.mode = "accumulate"
    assert w.gradients == pytest.approx({k: 2 * v for k, v in once.items()}, rel=1e-12)
    assert w.trace.wrong() and w.state.warning
    w.mode = "normal"
    assert w.gradients == pytest.approx(once, rel=1e-12) and not w.trace.wrong()
    # the engine's graph is left with no gradient: nothing leaks into the next pass
    assert all(v == 0.0 for v in w.model.gradients().values())


def test_wrong_order_mode_gives_the_engines_wrong_gradients():
    w = ComputationalGraph(graph="shared", mode="wrong_order")  # q used twice
    g = expression_graph("shared")
    ref = g.trace(order=g.wrong_order())
    assert w.trace.order == ref.order and w.trace.premature_steps == ref.premature_steps
    assert w.trace.wrong() == ref.wrong() and w.trace.wrong()
    assert set(w.gradients) == {"a", "b", "c"}
    assert w.gradients == pytest.approx({k: ref.gradients()[k] for k in "abc"})
    # a graph with a single op has no wrong order: said, and the widget keeps working
    w.graph = "square"
    assert "single op" in w.error
    w.mode = "normal"
    assert w.error is None and w.gradients == {"x": 6.0}


def test_steps_follow_the_engines_trace_and_the_buttons():
    w = ComputationalGraph(position=0)
    ref = neuron_graph()
    trace = ref.trace()
    assert w.n_steps == len(trace) == w.step_slider.max + 1 == w.play.max + 1
    assert w.state.phase == "start"
    for k in range(1, len(trace)):
        w.next_button.click()
        assert w.position == k and w.state.title == trace[k].title
        assert w.state.formula == trace[k].formula
    w.next_button.click()  # stays on the last step
    assert w.position == len(trace) - 1
    w.prev_button.click()
    assert w.position == len(trace) - 2
    w.go(-5)
    assert w.position == 0


def test_a_slider_redraws_the_numbers_at_the_current_step():
    w = ComputationalGraph()
    k = w.trace.first("backward") + 2
    w.go(k)
    before = w.image.value
    w.sliders["w1"].set_state({"value": 1.7})  # the learner drags w1
    v = {**NEURON_VALUES[0], "w1": 1.7}
    ref = neuron_graph(x=(v["x1"], v["x2"]), w=(v["w1"], v["w2"]), b=v["b"]).trace()
    assert w.position == k and w.state.formula == ref[k].formula
    assert w.state.grads == pytest.approx(ref[k].grads, nan_ok=True)
    assert w.image.value != before


def test_changing_the_graph_clamps_the_step_and_loads_the_worked_example():
    w = ComputationalGraph()
    assert w.position == 14
    w.graph = "square"  # start, 1 forward, seed, 2 backward (x twice), done
    assert w.n_steps == 6 and w.position == 5 == w.play.value == w.step_slider.value
    assert w.step_slider.max == w.play.max == 5
    w.apply(graph="chain", e_a=1.5)  # a value given with the choice stays
    assert w.leaf_values() == {"a": 1.5, "b": -3.0, "c": 10.0, "f": -2.0}
    assert w.activation_dropdown.layout.display == "none"
    shown = {k for k, s in w.expression_sliders.items() if s.layout.display != "none"}
    assert shown == {"a", "b", "c", "f"}


def test_reset_goes_back_to_the_start():
    w = ComputationalGraph(graph="reuse", a=1.5)
    w.apply(graph="chain", mode="accumulate")
    w.reset_button.click()
    assert w.graph == "reuse" and w.mode == "normal" and w.position == 0
    assert w.leaf_values() == {"a": 1.5, "b": -3.0}


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="graph must be one of"):
        ComputationalGraph(graph="nope")
    with pytest.raises(ValueError, match="'a' is not a leaf of the neuron"):
        ComputationalGraph(a=1.0)
    with pytest.raises(ValueError, match="w1 must be between -5 and 5"):
        ComputationalGraph(w1=7.0)
    w = ComputationalGraph()
    w.activation = "tanh"
    w.loss_name = "bce"
    assert "sigmoid" in w.error
    w.activation = "sigmoid"
    assert w.error is None
    w.y = -1.0
    assert "between 0 and 1" in w.error
    with pytest.raises(AttributeError):
        w.state = None  # read-only
    never = ComputationalGraph(loss="bce", y=1.5)  # built, but nothing computable yet
    assert "between 0 and 1" in never.error and never.state is None
    with pytest.raises(ValueError, match="nothing is computed yet"):
        never.values
    never.y = 0.5  # a = σ(0) = 0.5 = y: every gradient is 0
    assert never.error is None and never.gradients == {"w1": 0.0, "w2": 0.0, "b": 0.0}


@pytest.mark.parametrize("graph, mode", [("neuron", "normal"), ("neuron", "accumulate"),
                                         ("neuron", "wrong_order"), ("shared", "wrong_order"),
                                         ("quotient", "normal"), ("tanh_neuron", "normal")])
def test_the_pictures_are_readable_at_every_kind_of_step(graph, mode):
    w = ComputationalGraph(graph=graph, mode=mode)
    notes = [s.index for s in w.trace if s.note] or [w.n_steps - 1]
    for k in (0, w.trace.first("backward"), notes[0], w.n_steps - 1):
        w.go(k)
        assert w.error is None and readability_problems(w.view) == [], (graph, mode, k)


def test_state_is_read_only_and_frozen():
    w = ComputationalGraph()
    with pytest.raises(AttributeError):
        w.state = w.state
    with pytest.raises(Exception):
        w.state.index = 3  # a frozen dataclass


# -- the page's side, in both orders (as tests/test_page_side.py) ------------------------------
def _two(w, name):
    spec = w.setting_spec(name)
    cur = getattr(w, name)
    if spec.kind == "float":
        low, high = w.setting_ranges.get(name, (spec.low, spec.high))
        return [low + f * (high - low) for f in (0.3137, 0.6911)]
    if spec.kind == "int":
        low, high = w.setting_ranges[name]
        return [v for v in (low + 1, high - 1) if v != cur]
    options = [v for _, v in w.setting_options.get(name, spec.options)]
    others = [v for v in options if v != cur]
    return others[:2] if len(others) >= 2 else [others[0], cur]


def _send(control, value):
    if hasattr(control, "options") and hasattr(control, "index"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.set_state({"index": values.index(value)})
    else:
        control.set_state({"value": value})


def _graph_for(name):
    return {"graph": "chain"} if name.startswith("e_") and name[2:] in "abcf" else \
        {"graph": "tanh_neuron"} if name.startswith("e_") and name[2:] in ("x1", "x2", "w1",
                                                                             "w2") else \
        {"graph": "sum_times"} if name.startswith("e_") else {}


CASES = [n for n in ComputationalGraph.setting_names() if n != "graph"] + ["graph"]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("order", ["code-then-page", "page-then-code"])
def test_every_control_from_the_page_in_both_orders(name, order):
    kwargs = _graph_for(name)
    w = ComputationalGraph(position=3, **kwargs)
    control = w.controls[name]
    v1, v2 = _two(w, name)
    if order == "code-then-page":
        setattr(w, name, v1)
        setattr(w, name, v2)
        _send(control, v1)  # the learner's value stays and counts
        final = v1
    else:
        _send(control, v1)
        assert getattr(w, name) == v1
        setattr(w, name, v2)
        final = v2
    assert getattr(w, name) == final and control.value == final
    assert w.error is None
    ref = ComputationalGraph(position=3, **kwargs)
    setattr(ref, name, final)
    assert w.state == ref.state and w.position == ref.position
    assert w.image.value == ref.image.value  # the same settings draw the same pixels
    if name in ("w1", "x2", "b"):  # and the neuron's numbers are the MLP's at v
        v = {**NEURON_VALUES[0], name: final}
        want = mlp_numbers("sigmoid", "mse", v)
        assert w.trace.final.value("z") == pytest.approx(want["z"], abs=1e-12)
        assert w.trace.final.grad("w1") == pytest.approx(want["w1"], rel=1e-9)


def test_a_kernel_set_step_is_never_pulled_back_by_the_page(monkeypatch):
    threads = threading.active_count()
    w = ComputationalGraph()
    page: dict = {}  # what the page's models hold: the last value the kernel sent

    def page_model(name, control):
        page[name] = control.value

        def receive(data=None, buffers=None, **_kwargs):
            if "value" in data.get("state", {}):
                page[name] = data["state"]["value"]
        monkeypatch.setattr(control.comm, "send", receive)

    page_model("play", w.play)
    page_model("slider", w.step_slider)
    w.go(5)
    w.go(6)
    assert page == {"play": 6, "slider": 6} and w.position == 6
    assert w.state.index == 6
    for k in (7, 8):  # the learner plays: Play's steps arrive, the slider follows
        w.play.set_state({"value": k})
        assert w.position == w.step_slider.value == k and page == {"play": k, "slider": k}
        assert w.state.index == k
    w.go(2)
    assert page == {"play": 2, "slider": 2} and w.position == 2
    w.step_slider.set_state({"value": 4})  # the slider moved in the page moves Play too
    assert page == {"play": 4, "slider": 4} and w.play.value == 4 == w.state.index
    w.go(12)
    w.graph = "square"  # a shorter pass: the step and Play are clamped together
    assert page == {"play": 5, "slider": 5} and w.play.max == 5 and w.position == 5
    assert threading.active_count() == threads  # Play runs in the page: no thread here


def test_play_reaches_the_last_step():
    w = ComputationalGraph(graph="square", position=1)
    w.play.set_state({"value": 5})
    assert w.position == 5 == w.step_slider.value and w.state.phase == "done"
    assert math.isclose(w.values["f"], 9.0)


# -- both languages ----------------------------------------------------------------------------
def without_code(texts):
    """The texts without the engine's method name zero_grad (code, the same in every language)."""
    return [t.replace("zero_grad", "") for t in texts]


def test_in_chinese_the_controls_and_the_pictures_own_texts_speak_chinese():
    w = ComputationalGraph(language="zh")
    assert w.language == w.view.language == "zh"
    for name, (label, tooltip) in control_texts(w).items():
        assert CJK.search(label) or name.startswith("e_"), (name, label)  # leaves: a symbol
        assert not tooltip or CJK.search(tooltip), (name, tooltip)
        options = [o[0] for o in getattr(w.controls[name], "options", ())]
        assert english_words(without_code([label, tooltip, *options])) == [], (name, options)
    assert control_texts(w)["e_a"] == ("a", "表达式的叶子节点 a")
    assert [o[0] for o in w.mode_buttons.options] == ["正常", "反向传播两次，不调用 zero_grad",
                                                      "顺序错误"]
    assert [(b.description, b.tooltip) for b in (w.reset_button, w.prev_button, w.next_button)] \
        == [("重置", "所有设置恢复为初始值，并回到第 0 步"), ("上一步", "后退一步"),
            ("下一步", "前进一步")]
    assert (w.play.description, w.play.tooltip) == ("播放", "逐步播放整个计算过程")
    v = w.view
    texts = picture_texts(v)
    # the heading, the key, the counter and the sums are the picture's own, in Chinese
    assert v.title == "一个神经元及其损失：L = (σ(w₁x₁ + w₂x₂ + b) − y)²"
    for line in ("名称", "值", "∂L/∂节点",
                 "  梯度：红 > 0，蓝 < 0，? 尚未传到，— 不需要 · 连线上的数：局部导数"):
        assert line in texts, line
    assert v.counter_text.get_text() == f"第 {w.n_steps - 1} / {w.n_steps - 1} 步 · 完成"
    w.go(0)
    assert v.counter_text.get_text() == f"第 0 / {w.n_steps - 1} 步 · 开始"
    # the step panel writes the engine's explanation of the step in the widget's language
    assert v.title_text.get_text() == "开始：设定叶子节点的值" == w.trace[0].text("title", "zh")
    assert w.trace[0].title == "Start: the leaves are set"  # the engine's English text stays
    # the numbers are the engine's, whatever the language
    assert w.gradients == ComputationalGraph(language="en").gradients
    w = ComputationalGraph(graph="reuse", mode="accumulate", language="zh")
    a = w.model.structure.index_of("a")
    assert w.view.sum_texts[a].get_text() == "= 旧值 −2 + 1\n+ −3"
    assert w.gradients == {"a": -4.0, "b": 4.0}  # twice the true (−2, 2): two passes added
    assert ComputationalGraph(graph="shared", language="zh").view.title == \
        "f = q·c + q，其中 q = a·b"
    w = ComputationalGraph(loss="bce", y=2.0, language="zh")
    assert w.error == "ValueError: 二元交叉熵损失要求目标值 y 在 0 到 1 之间；当前 y = 2"
    v.to_png()  # drawn with the CJK font: no missing-glyph warning (warnings are errors)


def test_in_english_the_texts_are_the_english_ones():
    w = ComputationalGraph(language="en")
    texts = control_texts(w)
    assert {k: v for k, v in texts.items() if not k.startswith("e_")} == {
        "graph": ("graph", ""), "activation": ("activation f", ""), "loss_name": ("loss", ""),
        "mode": ("backward pass", ""),
        "position": ("step", "the step shown: start, forward steps, seed, backward steps, done"),
        "x1": ("x₁ (input)", ""), "x2": ("x₂ (input)", ""), "y": ("y (target)", ""),
        "w1": ("w₁ (weight)", ""), "w2": ("w₂ (weight)", ""), "b": ("b (bias)", "")}
    assert texts["e_x1"] == ("x₁", "the leaf x1 of the expression")
    assert [o[0] for o in w.graph_dropdown.options] == ["one neuron and its loss"] + [
        expression_graph(n).structure.title for n in EXPRESSION_NAMES]
    assert [o[0] for o in w.loss_dropdown.options] == ["mse: (a − y)²", "bce: cross-entropy"]
    assert [o[0] for o in w.mode_buttons.options] == ["normal", "backward twice, no zero_grad",
                                                      "wrong order"]
    assert (w.reset_button.description, w.prev_button.description, w.next_button.description,
            w.play.description) == ("Reset", "Prev", "Next", "play")
    v = w.view
    assert v.title == w.model.structure.title
    assert v.counter_text.get_text() == f"step {w.n_steps - 1} of {w.n_steps - 1} · done"
    for line in ("name", "value", "∂L/∂node", "  gradient: red > 0, blue < 0, ? not arrived yet, "
                 "— none needed · number on an edge: local derivative"):
        assert line in picture_texts(v), line
    w = ComputationalGraph(loss="bce", y=2.0, language="en")
    assert w.error == "ValueError: the bce loss needs a target y between 0 and 1; got y = 2"


def test_the_switch_gives_chinese_to_a_graph_built_without_a_language():
    with current_language("zh"):
        w = ComputationalGraph()
    assert w.language == w.view.language == "zh"
    assert w.graph_dropdown.description == "计算图"
    assert w.view.counter_text.get_text().endswith("· 完成")
    assert ComputationalGraph().language == "en"


# -- the step panel's explanations in both languages --------------------------------------------
def panel(view) -> tuple[str, str, str]:
    """The step panel's title, detail and note as drawn (wrapped lines joined again)."""
    return tuple(t.get_text() for t in (view.title_text, view.detail_text, view.note_text))


def squeezed(text: str) -> str:
    """``text`` without its spaces and line breaks."""
    return re.sub(r"\s", "", text)


def words_of_the_engine_kept(texts):
    """The texts without code and the names of the engine's functions (zero_grad, exp, relu,
    gelu): formulas read the same in every language."""
    return [re.sub(r"\b(exp|relu|gelu)\b", "", t) for t in without_code(texts)]


@pytest.mark.parametrize(("graph", "mode"), [  # x·x has a single op: no wrong order
    (graph, mode) for graph in ("neuron", *EXPRESSION_NAMES)
    for mode in ("normal", "accumulate", "wrong_order")
    if (graph, mode) != ("square", "wrong_order")])
def test_every_steps_explanation_is_in_the_widgets_language(graph, mode):
    zh = ComputationalGraph(graph=graph, mode=mode, activation="relu", language="zh")
    en = ComputationalGraph(graph=graph, mode=mode, activation="relu", language="en")
    assert zh.n_steps == en.n_steps == len(zh.trace)
    notes = 0
    for k, step in enumerate(zh.trace):
        zh.go(k)
        en.go(k)
        title, detail, note = panel(zh.view)
        # every sentence the engine writes is Chinese, with no English word left
        assert CJK.search(title) and CJK.search(detail), (k, title, detail)
        assert not note or CJK.search(note), (k, note)
        assert english_words(words_of_the_engine_kept([title, detail, note])) == [], \
            (k, title, detail, note)
        # and it is the catalogue's text of the step the engine recorded
        assert title == step.text("title", "zh")
        # (wrapped between words or characters: compare without the line breaks and spaces)
        assert squeezed(detail) == squeezed(step.text("detail", "zh"))
        assert squeezed(note) == squeezed(step.text("note", "zh"))
        # the formula has no words: the same in both languages
        assert zh.view.formula_text.get_text() == en.view.formula_text.get_text()
        # English: exactly the engine's English texts, as before
        assert panel(en.view)[0] == en.trace[k].title
        assert [t.replace("\n", " ") for t in panel(en.view)[1:]] == [en.trace[k].detail,
                                                                     en.trace[k].note]
        assert step.title == en.trace[k].title and step.note == en.trace[k].note
        notes += bool(note)
    # the modes that show a mistake explain it in a note (in Chinese)
    if mode != "normal" or graph in ("reuse", "square", "shared", "quotient"):
        assert notes >= 1
    assert readability_problems(zh.view) == []


def test_the_chinese_explanations_by_hand():
    w = ComputationalGraph(graph="reuse", mode="wrong_order", language="zh")  # f = a·b + a
    w.go(w.trace.first("backward"))
    assert panel(w.view)[0] == "反向传播 1/4：a·b → a"
    assert squeezed(panel(w.view)[1]) == squeezed(
        "局部导数：∂(a·b)/∂a = b = −3。乘积对每个因子的偏导数是另一个因子。")
    assert squeezed(panel(w.view)[2]) == squeezed(
        "太早了：∂f/∂(a·b) 还不完整，来自 f 的梯度尚未传到。此时只能按 0 传下去，而完整的梯度是 1。")
    w.go(w.n_steps - 1)  # the true gradients are ∂f/∂a = b + 1 = −2 and ∂f/∂b = a = 2
    assert squeezed(panel(w.view)[2]).startswith(
        squeezed("顺序错了，梯度也就错了：∂f/∂a = 1（应为 −2）；∂f/∂b = 0（应为 2）。"))
    v = dict(x1=1.0, x2=2.0, w1=0.5, w2=-0.3, b=-0.1, y=1.0)  # z = 0.5 − 0.6 − 0.1 = −0.2
    w = ComputationalGraph(activation="relu", language="zh", **v)
    w.go(w.trace.first("forward") + 3)  # a = relu(z), whose slope at z < 0 is 0
    assert panel(w.view)[1] == "保存下来供反向传播使用：∂a/∂z = 0（z > 0 时为 1，否则为 0）"
    assert ComputationalGraph(activation="relu", language="en", **v).trace[4].detail == \
        "Kept for the backward pass: ∂a/∂z = 1 if z > 0 else 0 = 0"
