"""The computational-graph engine: values, gradients, orders, accumulation and the trace.

Every number is checked against an independent computation: by hand, by
central finite differences, or by the engine's own network (MLP([2, 1])).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from actviz_widgets.engine import (ACTIVATION_NAMES, EXPRESSION_NAMES, MLP, Graph, Value,
                                   binary_cross_entropy, expression_graph, neuron_graph,
                                   squared_error, total)
from actviz_widgets.engine.graph_ops import OPS, fmt_num
from actviz_widgets.i18n import tr


def _all_graphs():
    for name in EXPRESSION_NAMES:
        yield name, expression_graph(name)
    for act in ACTIVATION_NAMES:
        yield f"neuron-{act}", neuron_graph(activation=act)
    yield "neuron-bce", neuron_graph(loss="bce")
    yield "neuron-no-loss", neuron_graph(loss=None)
    yield "neuron-input-grads", neuron_graph(input_grads=True)


ALL = list(_all_graphs())


# -- values and gradients by hand -----------------------------------------------------------------

def test_neuron_default_numbers_by_hand():
    g = neuron_graph()  # x = (1, 2), w = (0.5, -0.3), b = 0.1, sigmoid, (a - y)^2, y = 1
    g.backward()
    v = g.values()
    assert v["w1x1"] == 0.5 and v["w2x2"] == pytest.approx(-0.6)
    assert v["z"] == pytest.approx(0.0, abs=1e-15)
    assert v["a"] == pytest.approx(0.5) and v["L"] == pytest.approx(0.25)
    # dL/da = 2(a - y) = -1, da/dz = 1/4, dL/dz = -1/4, dL/dw = dL/dz * x
    assert g.gradients() == pytest.approx({"w1": -0.25, "w2": -0.5, "b": -0.25})
    assert g["a"].grad == pytest.approx(-1.0) and g["z"].grad == pytest.approx(-0.25)


@pytest.mark.parametrize("name, grads, output", [
    # L = (a b + c) f, a=2, b=-3, c=10, f=-2: e=-6, d=4, L=-8
    ("chain", {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}, -8.0),
    # f = (x + y) z, x=-2, y=5, z=-4
    ("sum_times", {"x": -4.0, "y": -4.0, "z": 3.0}, -12.0),
    # f = a b + a: df/da = b + 1, df/db = a
    ("reuse", {"a": -2.0, "b": 2.0}, -4.0),
    # f = x x: 2x
    ("square", {"x": 6.0}, 9.0),
    # q = a b, f = q c + q: df/dq = c + 1 = 4, df/da = 4 b, df/db = 4 a, df/dc = q
    ("shared", {"a": -4.0, "b": 8.0, "c": -2.0}, -8.0),
    # f = (a + b)/(a - b), a=3, b=1: df/da = -2b/(a-b)^2, df/db = 2a/(a-b)^2
    ("quotient", {"a": -0.5, "b": 1.5}, 2.0),
    # the tanh neuron worked by hand in the usual micrograd lecture
    ("tanh_neuron", {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}, math.sqrt(0.5)),
])
def test_expressions_by_hand(name, grads, output):
    g = expression_graph(name)
    g.backward()
    assert g.output.data == pytest.approx(output, rel=1e-9)
    assert g.gradients() == pytest.approx(grads, rel=1e-6, abs=1e-9)


def test_logsumexp_gradient_is_the_softmax():
    g = expression_graph("logsumexp", a=0.3, b=-1.2)
    g.backward()
    e = np.exp([0.3, -1.2])
    assert g.output.data == pytest.approx(math.log(e.sum()))
    assert [g["a"].grad, g["b"].grad] == pytest.approx(list(e / e.sum()), rel=1e-12)


# -- finite differences --------------------------------------------------------------------------

@pytest.mark.parametrize("name, g", ALL, ids=[n for n, _ in ALL])
def test_gradients_match_finite_differences(name, g):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for _trial in range(3):
        values = {k: float(rng.uniform(-2.0, 2.0)) for k in g.leaves}
        if "y" in values and "bce" in name:
            values["y"] = float(rng.uniform(0.0, 1.0))
        if name == "quotient":
            values["b"] = values["a"] - 1.5  # keep away from a = b
        if name.startswith("neuron-relu") or name.startswith("neuron-leaky"):
            values["b"] = 0.3 + abs(values["b"])  # keep z away from the kink at 0
            values["x1"] = values["x2"] = 0.5
            values["w1"] = values["w2"] = 0.5
        g.set(**values)
        g.zero_grad()
        g.backward()
        for leaf, grad in g.gradients().items():
            numeric = g.numeric_gradient(leaf, eps=1e-6)
            assert grad == pytest.approx(numeric, rel=1e-6, abs=1e-7), (name, leaf, values)


def _ops_expressions():
    x, y = Value(0.7, "x"), Value(-1.3, "y")
    p = Value(1.9, "p")
    yield "add", lambda: x + y + 2.0
    yield "sub", lambda: x - y - 0.5
    yield "rsub", lambda: 3.0 - x
    yield "mul", lambda: x * y * 1.5
    yield "div", lambda: x / y
    yield "rdiv", lambda: 2.0 / y
    yield "neg", lambda: -(x * y)
    yield "pow2", lambda: x ** 2
    yield "pow3", lambda: y ** 3
    yield "pow-half", lambda: p ** 0.5
    yield "pow-minus1", lambda: y ** -1
    yield "exp", lambda: (x * y).exp()
    yield "log", lambda: p.log()
    yield "tanh", lambda: (x + y).tanh()
    yield "sigmoid", lambda: (x * y).sigmoid()
    yield "relu", lambda: (x - y).relu() + (y - x).relu()
    yield "total", lambda: total(x, y, x * y)
    yield "mse", lambda: squared_error(x.sigmoid(), 0.2)
    yield "bce-logit", lambda: binary_cross_entropy((x * y).sigmoid(), 0.3)
    yield "bce-plain", lambda: binary_cross_entropy(p ** -1, 0.3)
    for name in ACTIVATION_NAMES:
        yield f"act-{name}", lambda name=name: (x * y - 0.2).activation(name)


@pytest.mark.parametrize("name, build", list(_ops_expressions()),
                         ids=[n for n, _ in _ops_expressions()])
def test_every_op_against_finite_differences(name, build):
    g = Graph(build())
    g.zero_grad()  # the leaves are shared by the cases, and leaf gradients accumulate
    g.backward()
    for leaf, grad in g.gradients().items():
        assert grad == pytest.approx(g.numeric_gradient(leaf, 1e-6), rel=1e-6, abs=1e-8)


# -- the same neuron as the network ------------------------------------------------------------

def _mlp_numbers(x, w, b, y, activation, loss):
    net = MLP([2, 1], activation=[], output_activation=activation, loss=loss)
    net.set_params([np.array([[w[0]], [w[1]]])], [np.array([b])])
    trace = net.forward(np.array([[x[0], x[1]]]))
    grads = net.backward(trace, np.array([[y]]))
    return (float(trace.z[1][0, 0]), float(trace.a[1][0, 0]), float(grads.loss),
            grads.dW[0][:, 0], float(grads.db[0][0]), float(grads.delta[1][0, 0]))


CASES = [(act, "mse") for act in ACTIVATION_NAMES] + [("sigmoid", "bce")]


@pytest.mark.parametrize("activation, loss", CASES)
def test_neuron_graph_equals_the_network(activation, loss):
    rng = np.random.default_rng(7)
    for _ in range(5):
        x = tuple(rng.uniform(-3, 3, 2))
        w = tuple(rng.uniform(-2, 2, 2))
        b = float(rng.uniform(-1, 1))
        y = float(rng.uniform(0, 1)) if loss == "bce" else float(rng.uniform(-1, 1))
        g = neuron_graph(x=x, w=w, b=b, activation=activation, loss=loss, target=y)
        g.backward()
        z, a, L, dW, db, delta = _mlp_numbers(x, w, b, y, activation, loss)
        assert g["z"].data == pytest.approx(z, rel=1e-12, abs=1e-15)
        assert g["a"].data == pytest.approx(a, rel=1e-12, abs=1e-15)
        assert g.output.data == pytest.approx(L, rel=1e-12, abs=1e-15)
        assert g["z"].grad == pytest.approx(delta, rel=1e-9, abs=1e-15)
        grads = g.gradients()
        assert [grads["w1"], grads["w2"]] == pytest.approx(list(dW), rel=1e-9, abs=1e-15)
        assert grads["b"] == pytest.approx(db, rel=1e-9, abs=1e-15)


def test_bce_neuron_stays_exact_when_the_sigmoid_saturates():
    # z = 5*5 + 5*5 + 5 = 55: a rounds to exactly 1.0, but L and dL/dz = a - y do not
    x, w, b, y = (5.0, 5.0), (5.0, 5.0), 5.0, 0.0
    g = neuron_graph(x=x, w=w, b=b, loss="bce", target=y)
    g.backward()
    z, a, L, dW, db, delta = _mlp_numbers(x, w, b, y, "sigmoid", "bce")
    assert a == 1.0 and math.isfinite(g.output.data)
    assert g.output.data == pytest.approx(L, rel=1e-12)
    assert g["z"].grad == pytest.approx(delta, rel=1e-9)
    assert g.gradients()["b"] == pytest.approx(db, rel=1e-9)


# -- accumulation ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, g", ALL, ids=[n for n, _ in ALL])
def test_backward_twice_without_reset_doubles_the_gradients(name, g):
    g.zero_grad()
    g.backward()
    once = g.gradients()
    g.backward()
    assert g.gradients() == pytest.approx({k: 2 * v for k, v in once.items()}, rel=1e-15)
    t = g.trace(accumulate=True)  # a third pass on top of the two: leaves hold 3x
    for k, v in once.items():
        assert t.gradients()[k] == pytest.approx(3 * v, rel=1e-12)
        assert t.correct[g.structure.index_of(k)] == pytest.approx(v, rel=1e-12)
    g.zero_grad()
    assert set(g.gradients().values()) == {0.0}
    g.backward()
    assert g.gradients() == pytest.approx(once, rel=1e-15)


def test_accumulating_trace_shows_the_old_and_the_new_part():
    g = neuron_graph()
    g.backward()
    t = g.trace(accumulate=True)
    w1 = g.structure.index_of("w1")
    assert t[0].leftover[w1] == pytest.approx(-0.25)
    assert t[0].grads[w1] == pytest.approx(-0.25) and t[0].warning
    assert t.final.grads[w1] == pytest.approx(-0.5)
    assert t.final.contributions[w1] == pytest.approx((-0.25,))
    wrong = t.wrong()
    assert sorted(wrong) == ["b", "w1", "w2"]
    assert wrong["w1"] == pytest.approx((-0.5, -0.25)) and wrong["w2"] == pytest.approx((-1, -0.5))
    step = next(s for s in t if s.edge is not None and s.node == w1)
    assert "old −0.250" in step.note and "= −0.500" in step.note and step.warning
    assert t.final.warning and "zero_grad" in t.final.note
    # a trace never changes the nodes
    assert g.gradients() == pytest.approx({"w1": -0.25, "w2": -0.5, "b": -0.25})


def test_value_backward_accumulates_like_a_leaf_in_pytorch():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    f = a * b + a
    f.backward()
    f.backward()
    assert (a.grad, b.grad) == (-4.0, 4.0)
    f.zero_grad()
    assert (a.grad, b.grad, f.grad) == (0.0, 0.0, 0.0)


# -- orders --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, g", ALL, ids=[n for n, _ in ALL])
def test_topological_and_backward_orders_are_valid(name, g):
    s = g.structure
    for node in s.nodes:
        assert all(p < node.index for p in node.parents)
        assert node.depth == (1 + max(s.nodes[p].depth for p in node.parents)
                              if node.parents else 0)
    assert s.output == len(s.nodes) - 1 and g.output is g.nodes[-1]
    order = [s.index_of(n) for n in g.backward_order()]
    assert order[0] == s.output
    seen = set()
    for i in order:
        users = {s.edges[e].child for e in s.out_edges(i)}
        assert users <= seen, f"{s.nodes[i].name} before one of its users"
        seen.add(i)
    t = g.trace()
    assert t.premature_steps == () and t.wrong() == {}


def test_shared_intermediate_in_the_wrong_order():
    g = expression_graph("shared")  # q = a b, f = q c + q
    order = g.wrong_order()
    assert order == ("f", "q", "u")
    t = g.trace(order=order)
    # q passes on 1 (from f only) instead of 4: a and b get 1*b and 1*a
    assert t.wrong() == {"a": (-1.0, -4.0), "b": (2.0, 8.0)}
    prem = [t[k] for k in t.premature_steps]
    assert [g.structure.nodes[s.node].name for s in prem] == ["a", "b"]
    assert all("Too early" in s.note and "the full gradient is 4" in s.note for s in prem)
    late = next(s for s in t if s.edge is not None and "Too late" in s.note)
    assert g.structure.nodes[late.node].name == "q" and late.grads[late.node] == 4.0
    assert t.final.warning and "Wrong order" in t.final.note


@pytest.mark.parametrize("name, g", [(n, g) for n, g in ALL if n != "square"],
                         ids=[n for n, _ in ALL if n != "square"])
def test_every_wrong_order_gives_wrong_gradients(name, g):
    t = g.trace(order=g.wrong_order())
    assert t.premature_steps and t.wrong()


def test_bad_orders_are_refused():
    g = expression_graph("shared")
    with pytest.raises(ValueError, match="exactly once"):
        g.trace(order=["f", "u"])
    with pytest.raises(ValueError, match="not in the graph"):
        g.trace(order=["f", "u", "zz"])
    with pytest.raises(TypeError, match="sequence of node names"):
        g.trace(order="fuq")
    with pytest.raises(ValueError, match="single op"):
        expression_graph("square").wrong_order()


# -- the trace -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, g", ALL, ids=[n for n, _ in ALL])
def test_trace_has_one_step_per_node_and_per_gradient_edge(name, g):
    s = g.structure
    t = g.trace()
    n_ops = sum(1 for n in s.nodes if n.op is not None)
    n_back = sum(1 for e in s.edges if e.carries_grad)
    assert len(t) == 1 + n_ops + 1 + n_back + 1
    assert [st.phase for st in t] == (["start"] + ["forward"] * n_ops + ["seed"]
                                      + ["backward"] * n_back + ["done"])
    assert all(st.index == k and st.n_steps == len(t) for k, st in enumerate(t))
    # forward steps compute the nodes in topological order
    assert [st.node for st in t if st.phase == "forward"] == [
        n.index for n in s.nodes if n.op is not None]
    # values appear when computed, gradients are NaN until something arrives
    for st in t:
        for n in s.nodes:
            computed = n.op is None or (st.phase != "start" and (
                st.phase != "forward" or n.index <= st.node))
            assert math.isnan(st.values[n.index]) != computed
    final = t.final
    assert final.values == pytest.approx(tuple(v.data for v in g.nodes))
    g.zero_grad()
    g.backward()
    for n in s.nodes:
        if n.requires_grad:
            assert final.grads[n.index] == pytest.approx(g.nodes[n.index].grad, rel=1e-12)
            assert sum(final.contributions[n.index]) + (n.index == s.output) == \
                pytest.approx(final.grads[n.index], rel=1e-12)
        else:
            assert math.isnan(final.grads[n.index])


def test_trace_formulas_carry_the_real_numbers():
    x, w, b, y = (1.5, -0.8), (0.4, 0.9), -0.2, 0.7
    g = neuron_graph(x=x, w=w, b=b, target=y)
    t = g.trace()
    z, a, L, dW, db, delta = _mlp_numbers(x, w, b, y, "sigmoid", "mse")
    s = g.structure
    w1, w1x1 = s.index_of("w1"), s.index_of("w1x1")
    step = next(st for st in t if st.phase == "backward" and st.node == w1)
    # ∂L/∂w₁ = ∂L/∂(w₁x₁) · ∂(w₁x₁)/∂w₁ = δ × x₁ = ∂L/∂w₁
    assert step.formula == (f"∂L/∂w₁ = ∂L/∂(w₁x₁) · ∂(w₁x₁)/∂w₁ = {fmt_num(delta)} × "
                            f"{fmt_num(x[0])} = {fmt_num(dW[0])}")
    assert step.flow[step.edge] == pytest.approx(dW[0], rel=1e-9)
    assert step.grads[w1] == pytest.approx(dW[0], rel=1e-9)
    assert "x₁" in step.detail and step.title.endswith("w₁x₁ → w₁")
    fwd = t[[st.node for st in t].index(s.index_of("z"))]
    assert fwd.formula == (f"z = w₁x₁ + w₂x₂ + b = {fmt_num(w[0] * x[0])} + "
                           f"({fmt_num(w[1] * x[1])}) + ({fmt_num(b)}) = {fmt_num(z)}")
    loss_step = next(st for st in t if st.phase == "forward" and st.node == s.output)
    assert loss_step.formula == (f"L = (a − y)² = ({fmt_num(a)} − {fmt_num(y)})² = "
                                 f"{fmt_num(L)}")
    seed = t[t.first("seed")]
    assert seed.formula == "∂L/∂L = 1" and seed.grads[s.output] == 1.0
    assert t.final.formula == (f"∂L/∂w₁ = {fmt_num(dW[0])}, ∂L/∂w₂ = {fmt_num(dW[1])}, "
                               f"∂L/∂b = {fmt_num(db)}")
    assert math.isnan(t[t.first("seed") - 1].grads[w1x1])


def test_value_used_twice_sums_both_paths():
    g = expression_graph("reuse", a=2.0, b=-3.0)  # f = a b + a
    t = g.trace()
    a = g.structure.index_of("a")
    parts = t.final.contributions[a]
    assert sorted(parts) == [-3.0, 1.0] and t.final.grads[a] == -2.0
    first, second = [st for st in t if st.phase == "backward" and st.node == a]
    assert "+=" not in first.formula and first.grads[a] == parts[0] and not first.note
    assert "+=" in second.formula and second.grads[a] == -2.0
    assert "is the sum over its paths" in second.note
    assert f"{fmt_num(parts[0])} + ({fmt_num(parts[1])}) = −2" in second.note
    assert not second.warning
    sq = expression_graph("square", x=3.0).trace()
    x = sq.graph.index_of("x")
    assert sq.final.contributions[x] == (3.0, 3.0) and sq.final.grads[x] == 6.0
    assert [st.detail.startswith("Local derivative (argument") for st in sq
            if st.phase == "backward"] == [True, True]


def test_step_texts_clean_rounding_noise_and_mark_unknowns():
    t = neuron_graph().trace()  # z = 0.5 - 0.6 + 0.1 is 2.8e-17 in floats
    z = t.graph.index_of("z")
    assert t.final.values[z] != 0.0 and t.final.value_text(z) == "0"
    assert t[0].value_text(z) == "?" and t[0].grad_text(z) == "?"
    assert t.final.grad_text(t.graph.index_of("x1")) == "—"
    assert "σ(0)" in t[t.first("forward") + 3].formula


def test_steps_are_immutable_and_tracing_changes_nothing():
    g = expression_graph("chain")
    t = g.trace()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t[0].formula = "x"
    assert all(v.grad == 0.0 for v in g.nodes)
    assert t.first("backward") == t.first("seed") + 1


# -- setting values, bad input --------------------------------------------------------------------

def test_set_recomputes_and_a_failed_set_changes_nothing():
    g = expression_graph("quotient")  # f = (a + b)/(a - b)
    assert g.set(a=5.0, b=3.0) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="division by zero"):
        g.set(b=5.0)
    assert g.values()["b"] == 3.0 and g.output.data == pytest.approx(4.0)
    with pytest.raises(ValueError, match="no leaf called 'q'"):
        g.set(q=1.0)
    with pytest.raises(TypeError, match="a must be a real number"):
        g.set(a="2")
    with pytest.raises(ValueError, match="a must be finite"):
        g.set(a=math.inf)
    before = g["a"].data
    assert g.numeric_gradient("a") == pytest.approx(-2 * 3.0 / 4.0, rel=1e-6)
    assert g["a"].data == before


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("1")
    with pytest.raises(TypeError, match="data must be a real number"):
        Value(True)
    with pytest.raises(ValueError, match="identifier"):
        Value(1.0, "w 1")
    with pytest.raises(ValueError, match="kind"):
        Value(1.0, kind="bias")
    with pytest.raises(ValueError, match="ln\\(x\\) needs x > 0"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="not a real number"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="constant number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="overflows"):
        Value(800.0).exp()
    with pytest.raises(ValueError, match="two different nodes are called 'a'"):
        Graph(Value(1.0, "a") + Value(2.0, "a"))
    with pytest.raises(TypeError, match="output must be a Value"):
        Graph(3.0)
    with pytest.raises(ValueError, match="needs the sigmoid"):
        neuron_graph(activation="tanh", loss="bce")
    with pytest.raises(ValueError, match="between 0 and 1"):
        neuron_graph(loss="bce", target=1.5)
    with pytest.raises(ValueError, match="pair of two numbers"):
        neuron_graph(x=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="unknown loss"):
        neuron_graph(loss="hinge")
    with pytest.raises(ValueError, match="unknown name"):
        expression_graph("sigmoid_neuron")
    with pytest.raises(ValueError, match="has no leaf 'z'"):
        expression_graph("reuse", z=1.0)
    with pytest.raises(ValueError, match="nothing to backpropagate"):
        Graph(Value(1.0, requires_grad=False) * 2.0).backward()


def test_constants_and_targets_get_no_gradient():
    g = neuron_graph()
    s = g.structure
    assert {n.name for n in s.nodes if not n.requires_grad} == {"x1", "x2", "y"}
    assert sum(1 for e in s.edges if not e.carries_grad) == 3
    f = Graph(Value(3.0, "x") * 2.0 + 1.0)
    assert [n.kind for n in f.structure.nodes if n.op is None] == ["input", "constant",
                                                                   "constant"]
    f.backward()
    assert f.gradients() == {"x": 2.0}


# -- the words of a step, in both languages ------------------------------------------------------
def test_each_steps_words_are_catalogue_texts_and_the_english_ones_are_the_attributes():
    g = expression_graph("shared")  # q = a·b used twice: wrong order gives notes on both sides
    for trace in (g.trace(), g.trace(order=g.wrong_order())):
        for step in trace:
            for part in ("title", "detail", "note"):
                assert step.text(part, "en") == getattr(step, part)
                message = getattr(step, f"{part}_message")
                assert (message is None) == (part == "note" and not step.note)
                if message is not None:
                    assert message.key.startswith("graphsteps.")
                    assert step.text(part, "zh") == message.text("zh") != message.text("en")
    # a step made by hand, without messages, gives its own text in every language
    made = dataclasses.replace(g.trace()[0], title="mine", title_message=None)
    assert made.text("title", "zh") == "mine"
    with pytest.raises(ValueError, match="part"):
        made.text("formula")
    with pytest.raises(ValueError, match="language"):
        made.text("title", "fr")


def test_each_ops_rule_is_its_catalogue_text():
    for name, op in OPS.items():
        assert op.rule == tr(f"graphsteps.rule.{name}", "en") == tr(op.rule_key, "en")
    assert OPS["mul"].rule == "a product sends each factor the other factor"
    assert tr(OPS["mul"].rule_key, "zh") == "乘积对每个因子的偏导数是另一个因子"
