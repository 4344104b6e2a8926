"""The computational graph of an expression, stepped forward then backward.

:class:`GraphView` draws a :class:`~actviz_widgets.engine.GraphStep`: the
graph left to right in columns by topological depth, each node a box with
its op, its name, its value and its gradient (``?`` until something has
arrived, ``—`` where none is needed), each edge with the local derivative
∂node/∂input written in a gap of the edge where it enters the node.  The
node or edge being processed is highlighted, and a panel under the graph
writes the step's chain rule with the real numbers.  A node used more than
once shows its gradient as the sum of what its paths sent back
(``−3 + 1 = −2``).

Layout (:func:`layout_graph`, in CSS pixels, y downwards) is computed once
per graph structure: a leaf sits one column left of its first use, an op
node at the mean height of its inputs, nodes in a column are pushed apart
to a fixed pitch, and an edge that skips columns reserves a lane in each
column it crosses, so no edge runs through a box.  Gradients are coloured
with the diverging map (red > 0, blue < 0) on a symmetric scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

from ..engine.graph import GraphStep, GraphStructure
from ..engine.graph_ops import fmt_num
from .base import FigureView
from .network_diagram import nice_limit
from .palette import SIGNED_CMAP
from .text import PathText, text_width, wrap_text

__all__ = ["GraphView", "GraphLayout", "layout_graph", "MAX_COLUMNS", "MAX_ROWS", "MAX_PORTS",
           "HIGHLIGHT_COLOR"]

#: Deepest graph drawn (columns of nodes) and most nodes stacked in one column.
MAX_COLUMNS = 6
MAX_ROWS = 7
#: Most edges into (or out of) one node: each needs a row for its label.
MAX_PORTS = 4
#: Outline of the node or edge being processed.
HIGHLIGHT_COLOR = "#E69F00"
_WARN_COLOR = "#B2182B"
_SUM_COLOR = "#5E3C99"
_TEXT = "#222222"
_MUTED = "#666666"
_EDGE = "#8C8C8C"
_EDGE_IDLE = "#C4C4C4"
_UNKNOWN_FACE = "#F4F4F4"
_KIND_FACE = {"input": "#E3ECF6", "weight": "#FCE9C8", "target": "#E6E6E6",
              "constant": "#FFFFFF", "operation": "#FFFFFF"}
_CMAP = colormaps[SIGNED_CMAP]

# Geometry, in CSS pixels at 100 per inch.
_CSS_DPI = 100.0
_MARGIN = 12.0
_ROW = 17.0           # one text row of a box
_BOX_H = 3 * _ROW     # op and name / value / gradient
_SUM_H = 30.0         # room under a box for a gradient's parts (two lines)
_CLEAR = 10.0         # least space between stacked things
# how far a stacked thing reaches above and below its centre line
_EXTENT = {"node": (_BOX_H / 2, _BOX_H / 2 + _SUM_H), "lane": (6.0, 6.0)}
_NODE_GAP = _BOX_H + _SUM_H + _CLEAR  # centre to centre of two stacked boxes
_MAX_PITCH_X = 230.0  # horizontal distance between columns, at most
_PORT = 16.0          # vertical spacing of the edges entering a box
_RUN_PAD = 4.0        # space between an edge label and the edge around it
_HEAD = 6.0           # arrowhead length
_HEADER_H = 62.0      # title and legend above the graph
_FORMULA_LINES, _DETAIL_LINES, _NOTE_LINES = 2, 2, 3  # at most, in the step panel
_BOX_PT = 8.5         # name, value, gradient
_LABEL_PT = 8.0       # local derivative on an edge, path sums under a box
_TITLE_PT = 10.0
_FORMULA_PT = 10.5
_DETAIL_PT = 8.5
_NOTE_PT = 9.0


def _text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in points at ``size``, as PathText lays it out (each glyph from
    the font that draws it: Chinese one em)."""
    return text_width(text, size, weight=weight)


def _px(points: float) -> float:
    """Points → CSS pixels (the layout's unit)."""
    return points * _CSS_DPI / 72.0


def _luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class GraphLayout:
    """Where every node and edge of a graph is drawn (CSS pixels, y downwards).

    Attributes
    ----------
    width, height : float
        Size of the whole picture.
    columns : tuple of int
        Column of each node (0 = leftmost).
    boxes : tuple of (float, float, float, float)
        ``(x0, y0, width, height)`` of each node's box.
    edge_paths : tuple of numpy.ndarray
        Per edge, the ``(k, 2)`` polyline from the parent's box to where the
        edge's straight run into the child begins.
    edge_runs : tuple of (float, float, float)
        Per edge, ``(x_start, x_end, y)`` of the straight run into the
        child's box, where the local derivative is written.
    out_ports, in_ports : tuple of float
        Per edge, the height where it leaves the parent and enters the child.
    graph_top, graph_bottom : float
        Vertical extent of the graph area.
    """

    width: float
    height: float
    columns: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]
    edge_paths: tuple[np.ndarray, ...]
    edge_runs: tuple[tuple[float, float, float], ...]
    out_ports: tuple[float, ...]
    in_ports: tuple[float, ...]
    graph_top: float
    graph_bottom: float


def _columns(s: GraphStructure) -> list[int]:
    col = [0] * len(s.nodes)
    for node in s.nodes:
        if node.op is not None:
            col[node.index] = node.depth
    for node in s.nodes:
        if node.op is None:
            users = [s.edges[e].child for e in s.out_edges(node.index)]
            col[node.index] = min(col[u] for u in users) - 1 if users else 0
    return col


def _dfs_rank(s: GraphStructure) -> list[int]:
    """First-visit order of a depth-first walk from the output through the inputs."""
    rank = [-1] * len(s.nodes)
    stack, k = [s.output], 0
    while stack:
        i = stack.pop()
        if rank[i] >= 0:
            continue
        rank[i], k = k, k + 1
        stack.extend(reversed(s.nodes[i].parents))
    return rank


def _port_pitch(n: int) -> float:
    """Vertical spacing of ``n`` edges on one side of a box: all inside the box."""
    return _PORT if n < 2 else min(_PORT, (_BOX_H - 8.0) / (n - 1))


def _bezier(p0, p1, n: int = 20) -> np.ndarray:
    """A cubic curve from p0 to p1 leaving and arriving horizontally."""
    (x0, y0), (x1, y1) = p0, p1
    t = np.linspace(0.0, 1.0, n)[:, None]
    dx = (x1 - x0) * 0.5
    c0, c1 = np.array([x0 + dx, y0]), np.array([x1 - dx, y1])
    a, b = np.array([x0, y0]), np.array([x1, y1])
    return ((1 - t) ** 3) * a + 3 * ((1 - t) ** 2) * t * c0 + 3 * (1 - t) * t ** 2 * c1 + t ** 3 * b


def _box_width(s: GraphStructure) -> float:
    widest = _px(_text_width("−1.23e−4", _BOX_PT))
    for node in s.nodes:
        head = _px(_text_width(node.label, _BOX_PT, "bold"))
        if node.op is not None:
            head += _px(_text_width(node.symbol, _BOX_PT)) + 14.0
        widest = max(widest, head)
    return math.ceil(widest + 14.0)


def layout_graph(structure: GraphStructure, width: float = 830.0) -> GraphLayout:
    """Lay a graph out left to right by topological depth (see the module docstring).

    Parameters
    ----------
    structure : GraphStructure
    width : float, default 830
        Width of the picture in CSS pixels.

    Raises
    ------
    ValueError
        If the graph has more than :data:`MAX_COLUMNS` columns,
        :data:`MAX_ROWS` nodes in a column or a node with more than
        :data:`MAX_PORTS` inputs or uses: too large to draw readably.
    """
    s = structure
    col = _columns(s)
    n_cols = max(col) + 1
    if n_cols > MAX_COLUMNS:
        raise ValueError(f"the graph is {n_cols} nodes deep; at most {MAX_COLUMNS} columns "
                         f"fit {width:g} pixels readably. Draw a smaller expression.")
    rank = _dfs_rank(s)
    box_w = _box_width(s)
    run = _px(_text_width("−1.23e−4", _LABEL_PT)) + 2 * _RUN_PAD + _HEAD
    # columns: the first box starts at the margin, the last ends at the margin
    span = width - 2 * _MARGIN - box_w
    pitch_x = min(span / (n_cols - 1), _MAX_PITCH_X) if n_cols > 1 else 0.0
    if n_cols > 1 and pitch_x - box_w < run + 24.0:
        raise ValueError(f"the graph's boxes are too wide for {n_cols} columns in "
                         f"{width:g} pixels; shorten the node names")
    left = (width - (n_cols - 1) * pitch_x - box_w) / 2  # a small graph sits in the middle
    x0 = [left + c * pitch_x for c in range(n_cols)]

    # lanes: an edge skipping columns passes each column in between at its own height
    lanes: dict[int, list[int]] = {}  # edge -> the columns it crosses
    for e in s.edges:
        skipped = list(range(col[e.parent] + 1, col[e.child]))
        if skipped:
            lanes[e.index] = skipped
    # heights, in pixels from the top of the graph area: an op node at the mean height of
    # what flows into it, a leaf just below the other inputs of its first use, then each
    # column pushed apart so boxes, the path sums under them and lanes never touch
    y = [math.nan] * len(s.nodes)
    lane_y: dict[tuple[int, int], float] = {}
    for c in range(n_cols):
        items = []  # [desired y, tie, rank, kind, key]
        for node in s.nodes:
            if col[node.index] == c and node.op is not None:
                ins = [lane_y.get((e, c - 1), y[s.edges[e].parent])
                       for e in s.in_edges(node.index)]
                items.append([float(np.mean(ins)), 0, rank[node.index], "node", node.index])
        placed = [it[0] for it in items]
        for node in s.nodes:
            if col[node.index] == c and node.op is None:
                users = sorted({s.edges[e].child for e in s.out_edges(node.index)})
                others = [y[p] for u in users[:1] for p in s.nodes[u].parents
                          if p != node.index and not math.isnan(y[p])] + placed
                desired = float(np.mean(others)) + _NODE_GAP / 2 if others else 0.0
                items.append([desired, 1, rank[node.index], "node", node.index])
        for e, cols in lanes.items():
            if c in cols:
                prev = lane_y.get((e, c - 1), y[s.edges[e].parent])
                items.append([prev, 2, rank[s.edges[e].child], "lane", e])
        if c == 0:  # leaves only: stacked in the order a walk from the output meets them
            items.sort(key=lambda it: it[2])
            for k, it in enumerate(items):
                it[0] = k * _NODE_GAP
        items.sort(key=lambda it: (it[0], it[1], it[2]))
        prev_y, prev_below = -math.inf, 0.0
        for it in items:
            above, below = _EXTENT[it[3]]
            it[0] = max(it[0], prev_y + prev_below + above + _CLEAR)
            prev_y, prev_below = it[0], below
        for it in items:
            if it[3] == "node":
                y[it[4]] = it[0]
            else:
                lane_y[(it[4], c)] = it[0]
        if sum(1 for it in items if it[3] == "node") > MAX_ROWS:
            raise ValueError(f"column {c} of the graph holds more than {MAX_ROWS} nodes; "
                             "too many to draw readably. Draw a smaller expression.")
    top = min([y[i] - _EXTENT["node"][0] for i in range(len(y))]
              + [v - _EXTENT["lane"][0] for v in lane_y.values()])
    graph_top = _HEADER_H
    to_px = lambda v: graph_top + (v - top)  # noqa: E731
    cy = [to_px(v) for v in y]
    bottom = max([cy[i] + _EXTENT["node"][1] for i in range(len(cy))]
                 + [to_px(v) + _EXTENT["lane"][1] for v in lane_y.values()])
    boxes = tuple((x0[col[i]], cy[i] - _BOX_H / 2, box_w, _BOX_H) for i in range(len(s.nodes)))

    # ports: spread the edges into a box (and out of one) in the order of the far ends
    in_port = [0.0] * len(s.edges)
    out_port = [0.0] * len(s.edges)
    for node in s.nodes:
        ins = list(s.in_edges(node.index))
        outs = list(s.out_edges(node.index))
        if max(len(ins), len(outs)) > MAX_PORTS:
            raise ValueError(f"node {node.name!r} has {max(len(ins), len(outs))} edges on one "
                             f"side; at most {MAX_PORTS} fit its box readably")
        far = {e: lane_y.get((e, col[node.index] - 1), y[s.edges[e].parent]) for e in ins}
        ins.sort(key=lambda e: (far[e], e))
        for k, e in enumerate(ins):
            in_port[e] = cy[node.index] + (k - (len(ins) - 1) / 2) * _port_pitch(len(ins))
        far = {e: lane_y.get((e, col[node.index] + 1), y[s.edges[e].child]) for e in outs}
        outs.sort(key=lambda e: (far[e], e))
        for k, e in enumerate(outs):
            out_port[e] = cy[node.index] + (k - (len(outs) - 1) / 2) * _port_pitch(len(outs))

    paths, runs = [], []
    for e in s.edges:
        p, c = e.parent, e.child
        start = (x0[col[p]] + box_w, out_port[e.index])
        run_x1 = x0[col[c]]
        run_x0 = run_x1 - run
        pieces = []
        point = start
        for lc in lanes.get(e.index, []):
            ly = to_px(lane_y[(e.index, lc)])
            pieces.append(_bezier(point, (x0[lc], ly)))
            pieces.append(np.array([[x0[lc], ly], [x0[lc] + box_w, ly]]))
            point = (x0[lc] + box_w, ly)
        pieces.append(_bezier(point, (run_x0, in_port[e.index])))
        paths.append(np.concatenate(pieces))
        runs.append((run_x0, run_x1, in_port[e.index]))
    panel = (8.0 + _line_px(_NOTE_PT, 1.2) + 4.0 + _FORMULA_LINES * _line_px(_FORMULA_PT, 1.15)
             + _DETAIL_LINES * _line_px(_DETAIL_PT, 1.1) + _NOTE_LINES * _line_px(_NOTE_PT, 1.1)
             + 3 * 5.0 + 10.0)
    return GraphLayout(width=width, height=math.ceil(bottom + 4.0 + panel), columns=tuple(col),
                       boxes=boxes,
                       edge_paths=tuple(paths), edge_runs=tuple(runs),
                       out_ports=tuple(out_port), in_ports=tuple(in_port),
                       graph_top=graph_top, graph_bottom=bottom)


class GraphView(FigureView):
    """A computational graph with values, gradients and local derivatives, step by step.

    Give it the steps of a :class:`~actviz_widgets.engine.GraphTrace` one at
    a time with :meth:`update`; a step of another graph lays the picture out
    anew (same graph, new numbers: only the numbers change).

    A widget drives it in three calls: set the leaves, trace, show step k.

    >>> graph = neuron_graph(activation="tanh")              # doctest: +SKIP
    >>> view = GraphView()                                   # doctest: +SKIP
    >>> graph.set(w1=0.8, x2=-1.0)        # a slider moved   # doctest: +SKIP
    >>> trace = graph.trace()             # forward, then backward   # doctest: +SKIP
    >>> view.update(trace[k])             # step k of len(trace)   # doctest: +SKIP

    ``graph.trace(order=graph.wrong_order())`` shows a backward pass in the
    wrong order; ``graph.backward(); graph.trace(accumulate=True)`` a second
    pass on gradients that were never reset.

    Parameters
    ----------
    width : float, default 830
        Width of the picture in CSS pixels (the height follows the graph). The
        layout is in CSS pixels at 100 per inch, so text keeps its size.
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2 for a sharp picture on a high-DPI screen).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of every text of the picture (the key,
        the step counter, the sums, and the step panel's explanation, which the
        engine keeps as catalogue keys). Default: the current language.

    Attributes
    ----------
    structure : GraphStructure or None
        The graph drawn.
    title : str or None
        Its heading.
    layout : GraphLayout or None
        Where everything is.
    step : GraphStep or None
        The step shown.
    boxes : list of FancyBboxPatch
        One per node; the outline shows the node being processed.
    grad_cells : list of Rectangle
        The gradient row of each box, coloured by the gradient's sign and size.
    name_texts, value_texts, grad_texts, sum_texts : list of PathText
        Per node: its name (with its op), value, gradient (``?`` unknown,
        ``—`` not needed) and, for a gradient with several parts, their sum.
    edge_lines, edge_tails : list of Line2D
        Per edge: the curve from the parent, and the bit after the label.
    edge_labels : list of PathText
        Per edge: the local derivative ∂child/∂parent (empty until known).
    back_heads : list of Polygon
        Per edge: the arrowhead shown while the gradient flows back along it.
    title_text, counter_text, formula_text, detail_text, note_text : PathText
        The step panel: what the step does, the chain rule with numbers, where
        the local derivative comes from, and what to notice.
    """

    def __init__(self, width: float = 830.0, pixel_ratio: float | None = None,
                 language: str | None = None) -> None:
        if isinstance(width, bool) or not isinstance(width, (int, float)) or \
                not 400.0 <= float(width) <= 2000.0:
            raise ValueError(f"width must be a number of pixels between 400 and 2000; "
                             f"got {width!r}")
        self.width = float(width)
        self._css_dpi = _CSS_DPI
        super().__init__((self.width / _CSS_DPI, 4.0), _CSS_DPI, pixel_ratio, language)
        self.structure: GraphStructure | None = None
        self.title: str | None = None
        self.layout: GraphLayout | None = None
        self.step: GraphStep | None = None
        self._mine: list = []
        self._norm = Normalize(-1.0, 1.0)

    # -- building ----------------------------------------------------------------------------
    def _dyn(self, artist):
        self._mine.append(artist)
        return self.dynamic(artist)

    def _build(self, s: GraphStructure) -> None:
        for artist in self._mine:
            self.forget(artist)
        self._mine = []
        self.figure.clear()
        layout = layout_graph(s, self.width)
        self.structure, self.layout = s, layout
        self.figure.set_size_inches(self.width / self._css_dpi, layout.height / self._css_dpi)
        ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0.0, self.width)
        ax.set_ylim(layout.height, 0.0)
        ax.set_axis_off()
        self.ax = ax
        data = ax.transData

        def text(x, y, value="", **kw):
            kw.setdefault("transform", data)
            return PathText(ax, x, y, value, **kw)

        # header: title and a key to the boxes
        text(_MARGIN, 10.0, self.title, fontsize=_TITLE_PT, weight="bold", va="top", color=_TEXT)
        self.counter_text = self._dyn(text(self.width - _MARGIN, 10.0, "", fontsize=_NOTE_PT,
                                           ha="right", va="top", color=_MUTED))
        self._draw_key(ax, text, s)

        self.boxes, self.grad_cells, self.name_texts = [], [], []
        self.value_texts, self.grad_texts, self.sum_texts = [], [], []
        for node in s.nodes:
            x, y, w, h = layout.boxes[node.index]
            face = _KIND_FACE[node.kind]
            header = Rectangle((x, y), w, _ROW, facecolor=face, edgecolor="none", zorder=2)
            ax.add_patch(header)
            cell = self._dyn(Rectangle((x, y + 2 * _ROW), w, _ROW, facecolor="white",
                                       edgecolor="none", zorder=2))
            ax.add_patch(cell)
            self.grad_cells.append(cell)
            box = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=3",
                                 facecolor="none", edgecolor=_TEXT, linewidth=1.0, zorder=4)
            ax.add_patch(box)
            self._dyn(box)
            ax.add_line(Line2D([x, x + w], [y + _ROW, y + _ROW], color="#BBBBBB", lw=0.6,
                               zorder=3))
            ax.add_line(Line2D([x, x + w], [y + 2 * _ROW, y + 2 * _ROW], color="#BBBBBB",
                               lw=0.6, zorder=3))
            cx = x + w / 2
            if node.op is not None:
                sym_w = _px(_text_width(node.symbol, _BOX_PT)) + 8.0
                ax.add_patch(FancyBboxPatch((x + 3, y + 2.5), sym_w, _ROW - 5,
                                            boxstyle="round,pad=0,rounding_size=5",
                                            facecolor="#444444", edgecolor="none", zorder=3))
                text(x + 3 + sym_w / 2, y + _ROW / 2, node.symbol, fontsize=_BOX_PT,
                     color="white", ha="center", va="center", zorder=6)
                name_x = (x + 3 + sym_w + x + w) / 2
            else:
                name_x = cx
            self.name_texts.append(text(name_x, y + _ROW / 2, node.label, fontsize=_BOX_PT,
                                        weight="bold", ha="center", va="center", color=_TEXT,
                                        zorder=6))
            self.value_texts.append(self._dyn(text(cx, y + 1.5 * _ROW, "", fontsize=_BOX_PT,
                                                   ha="center", va="center", zorder=6)))
            self.grad_texts.append(self._dyn(text(cx, y + 2.5 * _ROW, "", fontsize=_BOX_PT,
                                                  ha="center", va="center", zorder=6)))
            self.sum_texts.append(self._dyn(text(cx, y + h + 3.0, "", fontsize=_LABEL_PT,
                                                 ha="center", va="top", color=_SUM_COLOR,
                                                 linespacing=1.05, zorder=6)))
            self.boxes.append(box)

        # drawn around a gradient passed on before all of it has arrived
        self.warn_cell = self._dyn(Rectangle((0, 0), 1, 1, facecolor="none",
                                             edgecolor="black", linewidth=2.0,
                                             linestyle=(0, (2.5, 1.5)), zorder=5,
                                             visible=False))
        ax.add_patch(self.warn_cell)
        self.edge_lines, self.edge_tails, self.edge_labels = [], [], []
        self.back_heads, self._fwd_heads = [], []
        for e in s.edges:
            path = layout.edge_paths[e.index]
            # unsnapped: snapping a many-point curve to whole pixels makes it wobble
            line = Line2D(path[:, 0], path[:, 1], color=_EDGE, lw=1.2, zorder=1,
                          solid_capstyle="butt", snap=False)
            ax.add_line(line)
            tail = Line2D([], [], color=_EDGE, lw=1.2, zorder=1, solid_capstyle="butt",
                          snap=False)
            ax.add_line(tail)
            self.edge_lines.append(self._dyn(line))
            self.edge_tails.append(self._dyn(tail))
            x_start, x_end, yy = layout.edge_runs[e.index]
            self.edge_labels.append(self._dyn(text(
                (x_start + x_end - _HEAD) / 2, yy, "", fontsize=_LABEL_PT, ha="center",
                va="center", color=_TEXT, zorder=6)))
            head = Polygon([(x_end, yy), (x_end - _HEAD, yy - 3.2), (x_end - _HEAD, yy + 3.2)],
                           closed=True, facecolor=_EDGE, edgecolor="none", zorder=1)
            ax.add_patch(head)
            self._fwd_heads.append(self._dyn(head))
            px0, py0 = path[0]
            back = Polygon([(px0, py0), (px0 + 9, py0 - 5), (px0 + 9, py0 + 5)], closed=True,
                           facecolor=HIGHLIGHT_COLOR, edgecolor="none", zorder=7,
                           visible=False)
            ax.add_patch(back)
            self.back_heads.append(self._dyn(back))

        # the step panel
        top = layout.graph_bottom + 4.0
        ax.add_line(Line2D([_MARGIN, self.width - _MARGIN], [top, top], color="#DDDDDD",
                           lw=0.8, zorder=1))
        self._panel_top = top
        self.title_text = self._dyn(text(_MARGIN, top + 8, "", fontsize=_NOTE_PT,
                                         weight="bold", va="top", color=_TEXT))
        self.formula_text = self._dyn(text(_MARGIN, top + 28, "", fontsize=_FORMULA_PT,
                                           va="top", color="black", linespacing=1.15))
        self.detail_text = self._dyn(text(_MARGIN, top + 70, "", fontsize=_DETAIL_PT,
                                          va="top", color=_MUTED, linespacing=1.1))
        self.note_text = self._dyn(text(_MARGIN, top + 104, "", fontsize=_NOTE_PT, va="top",
                                        color=_SUM_COLOR, linespacing=1.1))
        self.invalidate()

    def _draw_key(self, ax, text, s: GraphStructure) -> None:
        """One sample box with its rows named, and what the edges and colours mean."""
        y = 30.0
        x = _MARGIN
        out = s.nodes[s.output].label
        parts = [(self.tr("graph.key.name"), _KIND_FACE["weight"]),
                 (self.tr("graph.key.value"), "white"),
                 (self.tr("graph.key.gradient", output=out), "white")]
        for word, face in parts:
            w = _px(_text_width(word, _LABEL_PT)) + 10
            ax.add_patch(Rectangle((x, y), w, 17, facecolor=face, edgecolor="#999999",
                                   lw=0.8, zorder=2))
            text(x + w / 2, y + 8.5, word, fontsize=_LABEL_PT, ha="center", va="center",
                 color=_TEXT)
            x += w
        words = "  " + self.tr("graph.key.words")
        text(x + 2, y + 8.5, words, fontsize=_LABEL_PT, va="center", color=_MUTED)

    # -- updating ----------------------------------------------------------------------------
    def update(self, step: GraphStep, title: str | None = None) -> None:
        """Show ``step`` (lays the picture out anew if it belongs to another graph).

        Parameters
        ----------
        step : GraphStep
        title : str, optional
            The picture's heading (e.g. in the widget's language); default the
            graph's own title.
        """
        if not isinstance(step, GraphStep):
            raise TypeError(f"step must be a GraphStep; got {type(step).__name__}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string or None; got {title!r}")
        title = step.graph.title if title is None else title
        if step.graph != self.structure or title != self.title:
            self.title = title
            self._build(step.graph)
        s, layout = step.graph, self.layout
        known = [g for g in step.grads if not math.isnan(g)]
        self._norm.vmax = nice_limit(max((abs(g) for g in known), default=1.0))
        self._norm.vmin = -self._norm.vmax

        highlight_nodes = set()
        highlight_edges = set()
        if step.phase == "forward":
            highlight_nodes.add(step.node)
            highlight_edges.update(e for e in s.in_edges(step.node) if True)
        elif step.phase == "seed":
            highlight_nodes.add(step.node)
        elif step.phase == "backward":
            highlight_nodes.add(step.node)
            highlight_edges.add(step.edge)

        for node in s.nodes:
            i = node.index
            value = step.value_text(i)
            self.value_texts[i].set_text(value)
            self.value_texts[i].set_color(_MUTED if value == "?" else _TEXT)
            grad = step.grad_text(i)
            self.grad_texts[i].set_text(grad)
            cell = self.grad_cells[i]
            if grad in ("?", "—"):
                cell.set_facecolor(_UNKNOWN_FACE if grad == "—" else "white")
                self.grad_texts[i].set_color(_MUTED)
            else:
                t = 0.5 + 0.42 * float(np.clip(self._norm(step.grads[i]) * 2 - 1, -1, 1))
                face = _CMAP(t)
                cell.set_facecolor(face)
                self.grad_texts[i].set_color("white" if _luminance(face) < 0.45 else "black")
            self.sum_texts[i].set_text(self._sum_line(step, i))
            box = self.boxes[i]
            if i in highlight_nodes:
                box.set_edgecolor(HIGHLIGHT_COLOR)
                box.set_linewidth(3.0)
                box.set_linestyle("-")
            else:
                box.set_edgecolor(_TEXT if value != "?" else "#AAAAAA")
                box.set_linewidth(1.0)
                box.set_linestyle("-" if value != "?" else (0, (3, 2)))

        for e in s.edges:
            k = e.index
            local = step.local[k]
            # an edge into a node that needs no gradient (an input, a target) is never
            # used backwards: no label, a thin line
            label = "" if math.isnan(local) or not e.carries_grad else fmt_num(local)
            self.edge_labels[k].set_text(label)
            hot = k in highlight_edges
            color = HIGHLIGHT_COLOR if hot else (_EDGE if e.carries_grad else _EDGE_IDLE)
            width = 3.0 if hot else (1.2 if e.carries_grad else 0.9)
            x_start, x_end, y = layout.edge_runs[k]
            path = layout.edge_paths[k]
            half = _px(_text_width(label, _LABEL_PT)) / 2 + _RUN_PAD if label else 0.0
            mid = (x_start + x_end - _HEAD) / 2
            line = self.edge_lines[k]
            line.set_data(np.r_[path[:, 0], mid - half], np.r_[path[:, 1], y])
            self.edge_tails[k].set_data([mid + half, x_end - _HEAD + 1], [y, y])
            for artist in (line, self.edge_tails[k]):
                artist.set_color(color)
                artist.set_linewidth(width)
            self._fwd_heads[k].set_facecolor(color)
            self.edge_labels[k].set_color(_TEXT if not hot else "black")
            self.back_heads[k].set_visible(hot and step.phase == "backward")
        if step.premature and step.edge is not None:
            x, y, w, _h = layout.boxes[s.edges[step.edge].child]
            self.warn_cell.set_bounds(x - 2, y + 2 * _ROW - 2, w + 4, _ROW + 4)
            self.warn_cell.set_visible(True)
        else:
            self.warn_cell.set_visible(False)
        self._write_panel(step)
        self.step = step

    def _sum_line(self, step: GraphStep, i: int) -> str:
        """``= 1 + 3`` under a gradient that has more than one part (paths, or a part
        left from an earlier pass), on one or two lines as wide as the box allows."""
        parts = list(step.contributions[i])
        old = step.leftover[i]
        if len(parts) + (0 if math.isnan(old) else 1) < 2:
            return ""
        room = self.layout.boxes[i][2] + 16.0
        for digits in (3, 2):
            terms = ([self.tr("graph.sum.old", value=fmt_num(old, digits))]
                     if not math.isnan(old) else []) + [
                fmt_num(p, digits) for p in parts]
            half = (len(terms) + 1) // 2
            for lines in (["= " + " + ".join(terms)],
                          ["= " + " + ".join(terms[:half]), "+ " + " + ".join(terms[half:])]):
                if all(_px(_text_width(line, _LABEL_PT)) <= room for line in lines):
                    return "\n".join(lines)
        return self.tr("graph.sum.parts", n=len(terms))

    def _write_panel(self, step: GraphStep) -> None:
        width = self.width - 2 * _MARGIN
        self.counter_text.set_text(self.tr("graph.counter", index=step.index,
                                           last=step.n_steps - 1,
                                           phase=self.tr(f"graph.phase.{step.phase}")))
        self.title_text.set_text(step.text("title", self.language))
        y = self._panel_top + 8.0 + _line_px(_NOTE_PT, 1.2) + 4.0
        for artist, value, size, n, spacing in (
                (self.formula_text, step.formula, _FORMULA_PT, _FORMULA_LINES, 1.15),
                (self.detail_text, step.text("detail", self.language), _DETAIL_PT,
                 _DETAIL_LINES, 1.1),
                (self.note_text, step.text("note", self.language), _NOTE_PT, _NOTE_LINES,
                 1.1)):
            lines = wrap_text(value, size, width * 72.0 / _CSS_DPI)
            if len(lines) > n:  # the engine's texts fit; a caller's might not
                lines = lines[:n - 1] + [lines[n - 1] + " …"]
            artist.set_position((_MARGIN, y))
            artist.set_text("\n".join(lines))
            if value:
                y += len(lines) * _line_px(size, spacing) + 5.0
        self.note_text.set_color(_WARN_COLOR if step.warning else _SUM_COLOR)


def _line_px(size: float, spacing: float) -> float:
    """Line pitch of DejaVu Sans at ``size`` points, in CSS pixels."""
    return _px(size * 1.164 * spacing)
