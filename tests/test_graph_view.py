"""The computational-graph view: numbers read back from the artists, layout, readability."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.transforms import Bbox
from PIL import Image

from actviz_widgets.engine import (EXPRESSION_NAMES, Graph, Value, expression_graph,
                                   neuron_graph, total)
from actviz_widgets.engine.graph_ops import fmt_num
from actviz_widgets.views.graph import (HIGHLIGHT_COLOR, MAX_COLUMNS, MAX_PORTS, GraphView,
                                        layout_graph)
from actviz_widgets.views.text import PathText

MIN_PX = 11.0


@pytest.fixture(scope="module")
def view():
    return GraphView()


def _graphs():
    for name in EXPRESSION_NAMES:
        yield name, expression_graph(name)
    for act in ("sigmoid", "tanh", "relu", "softplus", "leaky_relu", "gelu", "silu", "linear"):
        yield f"neuron-{act}", neuron_graph(activation=act)
    yield "neuron-bce", neuron_graph(loss="bce", target=0.0)
    yield "neuron-input-grads", neuron_graph(input_grads=True)
    x = Value(1.5, "x")
    yield "four-uses", Graph(total(x, x, x, x))  # the most edges one box takes
    yield "neuron-odd-numbers", neuron_graph(x=(-4.37, 3.21), w=(-0.00123, 4.99), b=-3.456,
                                             activation="tanh", target=-1.5)


GRAPHS = list(_graphs())


def _texts(view):
    """Every visible, non-empty text of the view: (string, bbox in canvas pixels)."""
    out = []
    for artist in view.figure.findobj(PathText):
        if artist.get_visible() and artist.get_text().strip():
            # the glyph outlines' control points: a box at least as big as the ink
            xy = artist.get_transform().transform(artist.get_path().vertices)
            out.append((artist.get_text(), Bbox([xy.min(axis=0), xy.max(axis=0)])))
    return out


def _overlaps(a, b, tol=1.0):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def _dense(points):
    """The polyline (canvas pixels) sampled about every half pixel."""
    out = [points[:1]]
    for a, b in zip(points[:-1], points[1:]):
        n = max(2, int(2 * math.hypot(*(b - a))))
        t = np.linspace(0.0, 1.0, n)[1:, None]
        out.append(a + (b - a) * t)
    return np.concatenate(out)


def _crosses(dense, box, shrink=1.5):
    """True if the densely sampled line has a point inside the box."""
    return bool(np.any((dense[:, 0] > box.x0 + shrink) & (dense[:, 0] < box.x1 - shrink)
                       & (dense[:, 1] > box.y0 + shrink) & (dense[:, 1] < box.y1 - shrink)))


# -- numbers read back from the picture -----------------------------------------------------------

def test_boxes_and_edges_show_the_steps_numbers(view):
    g = neuron_graph(x=(1.5, -0.8), w=(0.4, 0.9), b=-0.2, target=0.7)
    t = g.trace()
    s = g.structure
    for step in t:
        view.update(step)
        for n in s.nodes:
            i = n.index
            value = view.value_texts[i].get_text()
            if math.isnan(step.values[i]):
                assert value == "?"
            else:
                assert value == step.value_text(i)
                assert float(value.replace("−", "-")) == pytest.approx(
                    step.values[i], rel=5e-3, abs=1e-12 + 5e-3 * abs(step.values[i]))
            grad = view.grad_texts[i].get_text()
            if not n.requires_grad:
                assert grad == "—"
            elif math.isnan(step.grads[i]):
                assert grad == "?"
            else:
                assert float(grad.replace("−", "-")) == pytest.approx(step.grads[i], rel=5e-3)
        for e in s.edges:
            label = view.edge_labels[e.index].get_text()
            known = not math.isnan(step.local[e.index])
            assert label == (fmt_num(step.local[e.index]) if known and e.carries_grad else "")
        panel = view.formula_text.get_text().replace("\n", " ")
        assert panel == step.formula
        assert view.title_text.get_text() == step.title
        assert view.counter_text.get_text().startswith(f"step {step.index} of {len(t) - 1}")
    # the last frame: every gradient is the network's own number
    w1 = s.index_of("w1")
    g.backward()
    assert view.grad_texts[w1].get_text() == fmt_num(g["w1"].grad)


def test_the_processed_node_and_edge_are_highlighted(view):
    g = expression_graph("chain")
    t = g.trace()
    s = g.structure
    hot = to_rgba(HIGHLIGHT_COLOR)
    for step in t:
        view.update(step)
        for n in s.nodes:
            outlined = to_rgba(view.boxes[n.index].get_edgecolor()) == hot
            assert outlined == (step.phase in ("forward", "seed", "backward")
                                and n.index == step.node)
        for e in s.edges:
            lit = to_rgba(view.edge_lines[e.index].get_color()) == hot
            expected = (step.phase == "backward" and e.index == step.edge) or (
                step.phase == "forward" and e.child == step.node)
            assert lit == expected
            assert view.back_heads[e.index].get_visible() == (step.phase == "backward"
                                                              and e.index == step.edge)


def test_two_paths_add_up_under_the_node(view):
    g = expression_graph("reuse", a=2.0, b=-3.0)  # f = a b + a: df/da = 1 + (-3)
    t = g.trace()
    a = g.structure.index_of("a")
    view.update(t.final)
    parts = t.final.contributions[a]
    assert view.sum_texts[a].get_text() == f"= {fmt_num(parts[0])} + {fmt_num(parts[1])}"
    assert sorted(parts) == [-3.0, 1.0]
    assert view.grad_texts[a].get_text() == "−2"
    # one path only: no sum
    assert view.sum_texts[g.structure.index_of("b")].get_text() == ""
    # before the second path arrives, no sum either
    first = next(st for st in t if st.phase == "backward" and st.node == a)
    view.update(first)
    assert view.sum_texts[a].get_text() == ""


def test_stale_gradients_are_shown_as_old_plus_new(view):
    g = neuron_graph()
    g.backward()
    t = g.trace(accumulate=True)
    w1 = g.structure.index_of("w1")
    view.update(t[0])
    assert view.grad_texts[w1].get_text() == "−0.250"  # left over, before this pass
    view.update(t.final)
    assert view.grad_texts[w1].get_text() == "−0.500"
    assert view.sum_texts[w1].get_text().replace("\n", " ") == "= old −0.250 + −0.250"
    assert "zero_grad" in view.note_text.get_text().replace("\n", " ")


def test_a_gradient_used_too_early_is_marked(view):
    g = expression_graph("shared")
    t = g.trace(order=g.wrong_order())
    for step in t:
        view.update(step)
        assert view.warn_cell.get_visible() == step.premature
        if step.premature:
            q = g.structure.index_of("q")
            x, y, w, h = view.layout.boxes[q]
            bx, by, bw, bh = view.warn_cell.get_bbox().bounds
            assert bx < x and bx + bw > x + w  # around q's gradient row
            assert "Too early" in view.note_text.get_text()
            assert view.note_text.get_facecolor() != to_rgba("#5E3C99")


def test_gradient_colours_follow_the_sign(view):
    g = expression_graph("chain")  # dL/da = 6 > 0, dL/db = -4 < 0
    view.update(g.trace().final)
    s = g.structure
    r, _g, b, _a = view.grad_cells[s.index_of("a")].get_facecolor()
    assert r > b
    r, _g, b, _a = view.grad_cells[s.index_of("b")].get_facecolor()
    assert b > r


# -- layout and readability -----------------------------------------------------------------------

@pytest.mark.parametrize("name, g", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_layout_runs_left_to_right_without_collisions(name, g):
    s = g.structure
    lay = layout_graph(s)
    for e in s.edges:
        assert lay.columns[e.parent] < lay.columns[e.child]
    boxes = lay.boxes
    for i, (x, y, w, h) in enumerate(boxes):
        assert 0 <= x and x + w <= lay.width
        for j in range(i + 1, len(boxes)):
            X, Y, W, H = boxes[j]
            assert min(x + w, X + W) <= max(x, X) or min(y + h, Y + H) <= max(y, Y), (i, j)
    # an edge never runs through a box other than its own two ends
    for e in s.edges:
        path = lay.edge_paths[e.index]
        for i, (x, y, w, h) in enumerate(boxes):
            if i in (e.parent, e.child):
                continue
            inside = ((path[:, 0] > x) & (path[:, 0] < x + w)
                      & (path[:, 1] > y) & (path[:, 1] < y + h))
            assert not inside.any(), (s.nodes[e.parent].name, s.nodes[e.child].name, i)


@pytest.mark.parametrize("name, g", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_every_frame_is_readable(view, name, g):
    traces = [g.trace()]
    if sum(1 for n in g.structure.nodes if n.op is not None) > 1:
        traces.append(g.trace(order=g.wrong_order()))
    g.backward()
    traces.append(g.trace(accumulate=True))
    # every frame of a few graphs; every third frame and the last of the others
    stride = 1 if name in ("neuron-sigmoid", "neuron-odd-numbers", "shared", "reuse") else 3
    for t in traces:
        for step in [*t[:-1:stride], t.final]:
            view.update(step)
            view.draw()
            width, height = view.css_size
            assert width <= 830
            texts = _texts(view)
            fig = view.figure.bbox
            for text, box in texts:
                assert box.x0 >= fig.x0 - 1 and box.x1 <= fig.x1 + 1, text
                assert box.y0 >= fig.y0 - 1 and box.y1 <= fig.y1 + 1, text
            for k, (ta, a) in enumerate(texts):
                for tb, b in texts[k + 1:]:
                    assert not _overlaps(a, b), (step.index, ta, tb)
            # no edge line through a text
            for line in view.edge_lines + view.edge_tails:
                points = line.get_transform().transform(line.get_xydata())
                if len(points) < 2:
                    continue
                dense = _dense(points)
                for text, box in texts:
                    assert not _crosses(dense, box), (step.index, text)


def test_text_is_at_least_11_px_as_displayed(view):
    view.update(neuron_graph().trace()[7])
    dpi_css = view.figure.dpi / view.pixel_ratio
    sizes = [a.fontsize * dpi_css / 72.0 for a in view.figure.findobj(PathText)
             if a.get_text().strip()]
    assert sizes and min(sizes) >= MIN_PX - 1e-9
    assert not [t for t in view.figure.findobj(lambda a: type(a).__name__ == "Text")
                if t.get_text().strip()]  # every text is a PathText, measured above


# -- rebuilding, output, bad input ----------------------------------------------------------------

def test_same_graph_new_numbers_updates_in_place_another_graph_rebuilds():
    view = GraphView()
    g = neuron_graph()
    view.update(g.trace()[3])
    boxes = list(view.boxes)
    g.set(w1=1.7, x2=-0.4)
    t = g.trace()
    view.update(t[3])
    assert view.boxes == boxes  # same artists
    z = g.structure.index_of("z")
    assert view.value_texts[z].get_text() == t[3].value_text(z)
    other = expression_graph("square").trace()
    view.update(other[0])
    assert len(view.boxes) == 2 and view.structure == other.graph
    view.update(t[-1])
    assert len(view.boxes) == len(g.structure.nodes)


def test_png_is_830_css_pixels_wide():
    view = GraphView()
    view.update(neuron_graph().trace()[-1])
    image = Image.open(io.BytesIO(view.to_png()))
    assert image.size == (830, round(view.css_size[1]))
    sharp = GraphView(pixel_ratio=2)
    sharp.update(neuron_graph().trace()[-1])
    assert Image.open(io.BytesIO(sharp.to_png())).size[0] == 1660
    assert sharp.css_size == pytest.approx(view.css_size)


def test_bad_input():
    view = GraphView()
    with pytest.raises(TypeError, match="GraphStep"):
        view.update(neuron_graph())
    with pytest.raises(ValueError, match="width"):
        GraphView(width=100)
    x = Value(0.5, "x")
    deep = x
    for _ in range(MAX_COLUMNS):
        deep = deep.tanh()
    with pytest.raises(ValueError, match="columns"):
        view.update(Graph(deep).trace()[0])
    with pytest.raises(ValueError, match=f"at most {MAX_PORTS}"):
        view.update(Graph(total([x] * (MAX_PORTS + 1))).trace()[0])
