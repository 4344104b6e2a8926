"""A layered picture of a network: neurons coloured by a value, edges by weight.

:class:`NetworkDiagram` is a reusable panel (pass stepper, training
playground, gradient health, dead neurons).  Layers run left to right; all
neurons are ONE scatter coloured by a chosen quantity through a diverging
colormap centred at 0 (with a labelled colour bar), and all edges are ONE
``LineCollection`` whose hue is the weight's sign and whose width is
proportional to ``|w|`` (normalised per frame).  Values not computed yet are
drawn as empty grey circles with a dashed outline, never as a misleading
colour.

Layers wider than ``max_neurons`` show their first ``max_neurons`` neurons;
their title says how many are not drawn.

Drawing order of the flat arrays (read back by tests):

* ``node_values``: layer 0's shown neurons, then layer 1's, ... (NaN = unknown).
* ``edge_weights``: for each weight index ``l = 0..L-1``, the shown block
  ``weights[l][:m_l, :m_{l+1}]`` in row-major order, i.e. edge
  ``(l, i, j)`` from neuron ``i`` of layer ``l`` to neuron ``j`` of layer
  ``l + 1``, ``j`` varying fastest.

The ``edges`` collection draws the edges sorted by ``|w|`` (strongest on
top): its element ``k`` is edge ``edge_order[k]`` of ``edge_weights``.  Edge
widths are ``0.3 + 4.2·|w|/max|w|`` points.  Above ``DENSE_EDGES`` drawn
edges, the weakest three quarters are drawn as pale 1-pixel lines and the
others ``0.25 + 2.75·|w|/max|w|`` points wide, so the strong weights stand out
of the tangle; those edges are not anti-aliased, which keeps frames small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from ..engine.validation import check_int
from .base import FigureView
from .palette import NEURON_SEQUENTIAL_CMAP, SIGNED_CMAP
from .text import PathText, fmt_short, fmt_tiny

__all__ = ["NetworkDiagram", "POSITIVE_COLOR", "NEGATIVE_COLOR", "UNKNOWN_COLOR", "BLANK_COLOR",
           "DENSE_EDGES", "EDGE_HIT_PX", "nice_limit", "parse_region_id"]

_CMAP = colormaps[SIGNED_CMAP]
#: Edge hue of a positive / negative weight (the two ends of the diverging map).
POSITIVE_COLOR = _CMAP(0.88)
NEGATIVE_COLOR = _CMAP(0.12)
#: Face of a neuron whose value is not computed yet.
UNKNOWN_COLOR = to_rgba("#eeeeee")
#: Face of a neuron that has no value of the quantity shown (e.g. δ of an input).
BLANK_COLOR = to_rgba("#ffffff")
_EDGE_KNOWN = to_rgba("#333333")
_EDGE_UNKNOWN = to_rgba("#a0a0a0")
_EDGE_OUTLINED = to_rgba("#000000")
#: Above this many drawn edges, weak edges are drawn thin and pale (see ``_draw_edges``).
DENSE_EDGES = 40
# Colour-bar ticks, as fractions of the scale's vmax.
_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: An edge can be pointed at within this many CSS px of its middle line (or its
#: drawn half-width, if wider): a 1-px line is too thin to hit with a mouse.
EDGE_HIT_PX = 8.0
# How many integers each kind of region id carries after its kind.
_ID_FIELDS = {"neuron": 2, "edge": 3, "bias": 2}


def parse_region_id(region_id: object) -> tuple[str, tuple[int, ...]]:
    """Split a region id such as ``"edge:1:0:2"`` into ``("edge", (1, 0, 2))``.

    The ids of the pictures of a network: ``"neuron:<layer>:<j>"`` (neuron
    ``j`` of layer ``layer``, 0 = the inputs), ``"edge:<layer>:<i>:<j>"`` (the
    weight from neuron ``i`` of layer ``layer`` to neuron ``j`` of layer
    ``layer + 1``, i.e. ``weights[layer][i, j]``) and ``"bias:<layer>:<j>"``
    (the bias of neuron ``j`` of layer ``layer``, i.e. ``biases[layer - 1][j]``).

    Raises
    ------
    TypeError
        If ``region_id`` is not a string.
    ValueError
        If it is not of one of these forms (the message shows them).
    """
    if not isinstance(region_id, str):
        raise TypeError(f"region_id must be a string such as 'neuron:1:0'; "
                        f"got {type(region_id).__name__} {region_id!r}")
    kind, *fields = region_id.split(":")
    if (kind not in _ID_FIELDS or len(fields) != _ID_FIELDS[kind]
            or not all(f.isdigit() and f.isascii() for f in fields)):
        raise ValueError(f"region_id must look like 'neuron:<layer>:<j>', "
                         f"'edge:<layer>:<i>:<j>' or 'bias:<layer>:<j>'; got {region_id!r}")
    return kind, tuple(int(f) for f in fields)


def nice_limit(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= ``value`` (> 0), for axis limits."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    exp = math.floor(math.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        limit = m * 10.0 ** exp
        if limit >= value * (1 - 1e-12):
            return limit
    return 10.0 ** (exp + 1)


class NetworkDiagram:
    """Neurons (coloured by a value) and weighted edges of an MLP, left to right.

    Parameters
    ----------
    view : FigureView
        The figure this panel draws in (dynamic artists are registered on it).
    ax : matplotlib.axes.Axes
        The axes to draw on; its frame and ticks are hidden.
    sizes : sequence of int
        Neurons per layer, input first (as ``MLP.sizes``).
    max_neurons : int, default 8
        At most this many neurons are drawn per layer.
    activations : sequence of str, optional
        Activation names of layers 1..L, shown in the layer titles.
    show_values : bool, optional
        Print each neuron's value inside its circle. Default: only when no
        drawn layer has more than 4 neurons (larger nets get crowded).
    cax : matplotlib.axes.Axes, optional
        Axes for the colour bar (default: a thin inset right of ``ax``).

    Attributes
    ----------
    sizes : list of int
    shown : list of int
        Neurons drawn per layer, ``min(n_l, max_neurons)``.
    positions : list of numpy.ndarray
        ``positions[l]`` is the ``(shown[l], 2)`` array of data coordinates.
    node_values : numpy.ndarray
        Flat values drawn on the neurons (module docstring order); NaN = unknown.
    edge_weights : numpy.ndarray
        Flat weights drawn on the edges (module docstring order).
    nodes : matplotlib.collections.PathCollection
        The neurons; ``nodes.get_facecolors()`` are the drawn colours.
    edges : matplotlib.collections.LineCollection
        The edges; colours and line widths follow ``edge_weights[edge_order]``.
    edge_order : numpy.ndarray
        Drawing order of the edges (indices into ``edge_weights``).
    band : matplotlib.patches.Rectangle
        The highlight band around the current layer.
    ring : matplotlib.collections.PathCollection
        The ring around the selected neuron.
    value_texts : list of PathText
        Values printed in the neurons (when ``show_values``).
    node_note : PathText
        Line above the diagram about the neurons (what they show, for which samples).
    edge_note : PathText
        Legend line for the edges (hue = sign, width ∝ |w|).
    colorbar : matplotlib.colorbar.Colorbar
        Drawn for the internal range [-1, 1]; ``tick_texts`` give its real scale.
    tick_texts : list of PathText
        The numbers at the colour bar's ticks: −vmax, −vmax/2, 0, vmax/2, vmax.
    norm : matplotlib.colors.Normalize
        The symmetric colour scale ``(-vmax, vmax)`` of the neurons.
    label : str
        What the node colours show (the colour bar's label).
    """

    def __init__(self, view: FigureView, ax: Axes, sizes: Sequence[int], max_neurons: int = 8,
                 activations: Sequence[str] | None = None, show_values: bool | None = None,
                 cax: Axes | None = None) -> None:
        self.view = view
        self.ax = ax
        self.max_neurons = check_int("max_neurons", max_neurons, minimum=1)
        self._show_values_arg = show_values
        ax.set_axis_off()

        # The colour bar always spans [-1, 1] internally with fixed ticks; only the
        # numbers written at its ticks (dynamic) follow the scale ±vmax, so a new
        # scale never invalidates the background.
        self.norm = Normalize(-1.0, 1.0)
        self.cmap = _CMAP
        self.scale_kind, self.fixed_vmax = "signed", None
        self.label = ""
        if cax is None:
            cax = ax.inset_axes([1.0, 0.16, 0.018, 0.68])
        self.colorbar = view.figure.colorbar(ScalarMappable(Normalize(-1.0, 1.0), _CMAP), cax=cax)
        self.colorbar.set_ticks(list(_TICKS), labels=[""] * len(_TICKS))
        beside = blended_transform_factory(cax.transAxes, cax.transData)
        self.tick_texts = [view.dynamic(PathText(cax, 1.0, t, transform=beside, va="center",
                                                 fontsize=8, offset=(5.0, 0.0)))
                           for t in _TICKS]
        self._write_ticks()

        # registered (so drawn) back to front: band, edges, neurons, ring, texts
        self.band = view.dynamic(Rectangle((0, 0), 0, 0, facecolor="#f4b400", alpha=0.18,
                                           edgecolor="#c58a00", linewidth=1.0, zorder=0))
        ax.add_patch(self.band)
        self.edges = view.dynamic(LineCollection([], zorder=1, capstyle="round"))
        ax.add_collection(self.edges)
        self.nodes = view.dynamic(ax.scatter([], [], s=100, zorder=2))
        self.ring = view.dynamic(ax.scatter([], [], s=300, facecolors="none",
                                            edgecolors="#000000", linewidths=2.2, zorder=4))
        self.edge_note = view.dynamic(PathText(ax, 0.0, 1.0, "", fontsize=8, color="#444444",
                                               va="top"))
        self.node_note = view.dynamic(PathText(ax, 0.0, 1.0, "", fontsize=8, color="#444444",
                                               va="top", offset=(0.0, 11.0)))
        self.value_texts: list = []
        self._static_texts: list = []
        self._highlight: int | None = None
        self._selected: tuple[int, int] | None = None
        self._outlined: np.ndarray | None = None
        self._weights: list[np.ndarray] | None = None
        self._edge_prefix = view.tr("diagram.edges_weights")
        self._edge_legend = ""
        self._edges_stale = True
        self.set_structure(sizes, activations)

    # -- structure -------------------------------------------------------------------------
    def set_structure(self, sizes: Sequence[int], activations: Sequence[str] | None = None) -> None:
        """Lay out a (new) architecture: positions, titles, empty values.

        Parameters
        ----------
        sizes : sequence of int
            Neurons per layer, input first; at least 2 layers.
        activations : sequence of str, optional
            Activation names of layers 1..L (``len(sizes) - 1`` names).

        Raises
        ------
        ValueError, TypeError
            Bad sizes or a wrong number of activation names (nothing changed).
        """
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
            raise TypeError(f"sizes must be a list of layer sizes such as [2, 3, 1]; got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError("sizes must list at least an input and an output layer; "
                             f"got {list(sizes)}")
        sizes = [check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]
        if activations is not None:
            activations = [str(a) for a in activations]
            if len(activations) != len(sizes) - 1:
                raise ValueError(f"activations must name the {len(sizes) - 1} layers after the "
                                 f"input; got {len(activations)}: {activations}")
        self.sizes = sizes
        self.activations = activations
        self.shown = [min(n, self.max_neurons) for n in sizes]
        L = len(sizes) - 1
        tallest = max(self.shown)
        fig_w = self.view.figure.get_size_inches()[0]
        # "hidden 1", "(sigmoid)", "+4 not drawn" need ~52 pt side by side; in less
        # room per layer the titles shorten to "h1", "(sigmoid)", "+4"
        self.compact_titles = self.ax.get_position().width * fig_w * 72 / (L + 1.2) < 52.0
        self.positions = [np.column_stack([np.full(m, float(l)),
                                           (m - 1) / 2.0 - np.arange(m, dtype=float)])
                          for l, m in enumerate(self.shown)]
        self._xy = np.concatenate(self.positions)
        self._starts = np.cumsum([0] + self.shown)
        # Fixed room in points for the edge legend (top) and the layer titles
        # (bottom); the neurons share the rest, one data unit per neuron.
        fig_w, fig_h = self.view.figure.get_size_inches()
        box = self.ax.get_position()
        lines = max(self.layer_title(l).count("\n") + 1 for l in range(L + 1))
        note_pts, title_pts = 16.0, 11.0 * lines + 6.0
        height_pts, width_pts = box.height * fig_h * 72, box.width * fig_w * 72
        per_y = max(height_pts - note_pts - title_pts, 20.0) / tallest
        per_x = width_pts / (L + 1.2)
        half = (tallest - 1) / 2.0
        top, bottom = half + 0.5 + note_pts / per_y, -half - 0.5 - title_pts / per_y
        self.ax.set_xlim(-0.6, L + 0.6)
        self.ax.set_ylim(bottom, top)
        self._band_y = (bottom + 2.0 / per_y, top - bottom - (note_pts + 2.0) / per_y)
        self._title_y = -half - 0.42
        # Marker diameter: at most ~60% of the neuron spacing and ~45% of the layer spacing
        # (room for a value such as "−0.068" inside).
        self.diameter = min(0.62 * per_y, 0.45 * per_x, 34.0)
        self.show_values = (self._show_values_arg if self._show_values_arg is not None
                            else tallest <= 4 and self.diameter >= 22)
        s = self.diameter ** 2
        self.nodes.set_offsets(self._xy)
        self.nodes.set_sizes([s])
        self.ring.set_sizes([(self.diameter + 9) ** 2])

        # edge segments, in the documented order
        segs = []
        for l in range(L):
            p, q = self.positions[l], self.positions[l + 1]
            segs.append(np.stack([np.repeat(p, len(q), axis=0), np.tile(q, (len(p), 1))], axis=1))
        self._segments = np.concatenate(segs)
        self.edges.set_segments(self._segments)

        for text in self._static_texts:
            text.remove()
        self._titles = [self.ax.text(l, self._title_y, self.layer_title(l), ha="center", va="top",
                                     fontsize=8, color="#222222") for l in range(L + 1)]
        self._static_texts = list(self._titles)
        dx = 0.1 + self.diameter / 2 / max(per_x, 1e-9)
        for i, (x, y) in enumerate(self.positions[0]):
            self._static_texts.append(self.ax.text(x - dx, y, f"x{_sub(i + 1)}", ha="right",
                                                   va="center", fontsize=8))
        out = "ŷ" if sizes[-1] == 1 else None
        for j, (x, y) in enumerate(self.positions[-1]):
            # one output per class, and classes count from 0
            self._static_texts.append(self.ax.text(x + dx, y, out or f"ŷ{_sub(j)}",
                                                   ha="left", va="center", fontsize=8))

        n = len(self._xy)
        while len(self.value_texts) < n:
            self.value_texts.append(self.view.dynamic(PathText(
                self.ax, 0, 0, "", transform=self.ax.transData, ha="center", va="center",
                fontsize=8)))
        for i, text in enumerate(self.value_texts):
            if i < n:
                text.set_position(self._xy[i])
            text.set_visible(False)

        self._highlight = None
        self._selected = None
        self._outlined = np.zeros(n, dtype=bool)
        self._weights = None
        self.node_values = np.full(n, np.nan)
        self._blank = np.zeros(n, dtype=bool)
        self.edge_weights = np.zeros(len(self._segments))
        self._edges_stale = True
        self.band.set_visible(False)
        self.ring.set_visible(False)
        self._draw_nodes()
        self._draw_edges()
        self.view.invalidate()

    def layer_title(self, l: int) -> str:
        """The title under layer ``l``, e.g. ``"input"``, ``"hidden 1\\n(tanh)"``.

        Short (``"in"``, ``"h1\\n(tanh)"``, ``"out"``) when the layers stand too
        close for the long titles (:attr:`compact_titles`).
        """
        L = len(self.sizes) - 1
        tr = self.view.tr
        compact = getattr(self, "compact_titles", False)
        kind = "input" if l == 0 else "output" if l == L else "hidden"
        name = tr(f"diagram.layer.{kind}{'_short' if compact else ''}", l=l)
        if l > 0 and self.activations is not None:
            name += f"\n({self.activations[l - 1]})"
        hidden = self.sizes[l] - self.shown[l]
        if hidden:
            name += f"\n+{hidden}" if compact else "\n" + tr("diagram.not_drawn", n=hidden)
        return name

    def set_activations(self, activations: Sequence[str]) -> None:
        """Change the activation names in the layer titles (keeps the values)."""
        activations = [str(a) for a in activations]
        if len(activations) != len(self.sizes) - 1:
            raise ValueError(f"activations must name the {len(self.sizes) - 1} layers after the "
                             f"input; got {len(activations)}: {activations}")
        if activations != self.activations:
            self.activations = activations
            for l, text in enumerate(self._titles):
                text.set_text(self.layer_title(l))
            self.view.invalidate()

    # -- data ------------------------------------------------------------------------------
    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Draw edges for ``weights`` (``weights[l]`` of shape ``(n_l, n_{l+1})``).

        Hue = sign (red positive, blue negative); width ∝ ``|w|`` with the largest
        drawn weight at the maximum width.
        """
        if len(weights) != len(self.sizes) - 1:
            raise ValueError(f"weights must be a list of {len(self.sizes) - 1} arrays; "
                             f"got {len(weights)}")
        blocks = []
        for l, W in enumerate(weights):
            W = np.asarray(W, dtype=float)
            if W.shape != (self.sizes[l], self.sizes[l + 1]):
                raise ValueError(f"weights[{l}] must have shape "
                                 f"{(self.sizes[l], self.sizes[l + 1])}; got {W.shape}")
            blocks.append(W[:self.shown[l], :self.shown[l + 1]].ravel())
        edge_weights = np.concatenate(blocks)
        self._weights = list(weights)
        # Most frames keep the weights; rebuilding ~400 edge paths costs milliseconds.
        if not np.array_equal(edge_weights, self.edge_weights) or self._edges_stale:
            self.edge_weights = edge_weights
            self._draw_edges()

    def set_edge_note(self, text: str) -> None:
        """Replace the start of the legend line about the edges (e.g. "updated weights")."""
        if text != self._edge_prefix:
            self._edge_prefix = text
            self._write_edge_note()

    def set_node_values(self, values_per_layer: Sequence[np.ndarray | None], label: str,
                        blank: Sequence[bool] | None = None, note: str | None = None) -> None:
        """Colour the neurons.

        Parameters
        ----------
        values_per_layer : list of (array_like or None)
            One entry per layer, input first: ``n_l`` values (only the first
            ``shown[l]`` are drawn), or ``None`` when not known yet (drawn as
            an empty grey circle with a dashed outline).
        label : str
            What the values are, for the colour bar (e.g. ``"activation a"``).
        blank : list of bool, optional
            Layers that have no such quantity at all (e.g. the input has no
            δ): drawn white with a solid outline, whatever ``values_per_layer`` says.
        note : str, optional
            A line above the diagram saying what the neurons show; unlike the
            colour-bar label (static) it may change every frame (e.g. "mean
            over 8 samples" / "sample 3"). Default: ``label`` and the key to
            the grey dashed circles.
        """
        if blank is not None and len(blank) != len(self.sizes):
            raise ValueError(f"blank must have one entry per layer ({len(self.sizes)}); "
                             f"got {len(blank)}")
        if len(values_per_layer) != len(self.sizes):
            raise ValueError(f"values_per_layer must have one entry per layer "
                             f"({len(self.sizes)}); got {len(values_per_layer)}")
        values = np.full(len(self._xy), np.nan)
        for l, v in enumerate(values_per_layer):
            if v is None:
                continue
            v = np.asarray(v, dtype=float).ravel()
            if v.shape != (self.sizes[l],):
                raise ValueError(f"values_per_layer[{l}] must hold {self.sizes[l]} values; "
                                 f"got shape {v.shape}")
            values[self._starts[l]:self._starts[l + 1]] = v[:self.shown[l]]
        self.node_values = values
        self._blank = np.zeros(len(values), dtype=bool)
        for l, flag in enumerate(blank or []):
            if flag:
                values[self._starts[l]:self._starts[l + 1]] = np.nan
                self._blank[self._starts[l]:self._starts[l + 1]] = True
        self.node_note.set_text(note if note is not None else
                                self.view.tr("diagram.node_note", label=label))
        relabel = label != self.label
        if relabel:
            self.label = label
            self.colorbar.set_label(label, fontsize=8, labelpad=26)  # past the tick numbers
            self.view.invalidate()
        self._rescale(relabel)
        self._draw_nodes()

    def set_color_scale(self, kind: str = "signed", vmax: float | None = None,
                        cmap: str | None = None) -> None:
        """Colour the neurons by a signed or a non-negative quantity.

        Parameters
        ----------
        kind : {"signed", "nonnegative"}
            ``"signed"``: the diverging :data:`~actviz_widgets.views.palette.SIGNED_CMAP`
            over ±vmax, white at 0. ``"nonnegative"``: the sequential
            :data:`~actviz_widgets.views.palette.NEURON_SEQUENTIAL_CMAP` over
            [0, vmax], white at 0.
        vmax : float, optional
            A fixed top of the scale (e.g. 1 for a share); default: follow the values.
        cmap : str, optional
            Another map for the kind (e.g. the one of tiles drawn over the neurons).
        """
        if kind not in ("signed", "nonnegative"):
            raise ValueError(f"kind must be 'signed' or 'nonnegative'; got {kind!r}")
        self.scale_kind, self.fixed_vmax = kind, vmax
        self.cmap = colormaps[cmap or (SIGNED_CMAP if kind == "signed"
                                       else NEURON_SEQUENTIAL_CMAP)]
        self.colorbar.mappable.set_cmap(self.cmap)  # (the colour bar resets its ticks)
        self.colorbar.set_ticks(list(_TICKS), labels=[""] * len(_TICKS))
        top = float(vmax) if vmax is not None else abs(self.norm.vmax)
        self.norm.vmin, self.norm.vmax = (-top if kind == "signed" else 0.0), top
        self._write_ticks()
        self._draw_nodes()
        self.view.invalidate()

    def _rescale(self, force: bool) -> None:
        """Adapt the colour scale's top, with hysteresis so colours do not jump every frame."""
        finite = self.node_values[np.isfinite(self.node_values)]
        if not finite.size or self.fixed_vmax is not None:
            return
        peak = float(np.abs(finite).max())
        vmax = self.norm.vmax
        if force or peak > vmax or peak < vmax / 8:
            new = nice_limit(peak) if peak > 0 else 1.0
            if new != vmax:
                self.norm.vmin = -new if self.scale_kind == "signed" else 0.0
                self.norm.vmax = new
                self._write_ticks()

    def _write_ticks(self) -> None:
        # the colour bar's own range is [-1, 1]: tick t stands for this value
        lo, hi = self.norm.vmin, self.norm.vmax
        for t, text in zip(_TICKS, self.tick_texts):
            text.set_text(fmt_short(lo + (t + 1.0) / 2.0 * (hi - lo)))

    def set_highlight(self, layer: int | None) -> None:
        """Put a translucent band behind ``layer`` (``None`` removes it)."""
        if layer is not None:
            layer = check_int("layer", layer, minimum=0, maximum=len(self.sizes) - 1)
            y0, h = self._band_y
            self.band.set_bounds(layer - 0.36, y0, 0.72, h)
        self.band.set_visible(layer is not None)
        self._highlight = layer

    def set_selected(self, layer: int | None, neuron: int | None = None) -> None:
        """Draw a ring around neuron ``neuron`` of ``layer`` (``None`` removes it).

        A neuron beyond the drawn ones (``>= max_neurons``) gets no ring.
        """
        if layer is None:
            self.ring.set_visible(False)
            self._selected = None
            return
        layer = check_int("layer", layer, minimum=0, maximum=len(self.sizes) - 1)
        neuron = check_int("neuron", neuron, minimum=0, maximum=self.sizes[layer] - 1)
        self._selected = (layer, neuron)
        if neuron < self.shown[layer]:
            self.ring.set_offsets(self.positions[layer][neuron:neuron + 1])
            self.ring.set_visible(True)
        else:
            self.ring.set_visible(False)

    def set_outlined(self, mask_per_layer: Sequence[np.ndarray | None] | None) -> None:
        """Give chosen neurons a thick black outline (e.g. dead units).

        Parameters
        ----------
        mask_per_layer : list of (array_like of bool or None), or None
            One boolean mask per layer (``None`` = nothing outlined there);
            ``None`` clears all outlines.
        """
        mask = np.zeros(len(self._xy), dtype=bool)
        if mask_per_layer is not None:
            if len(mask_per_layer) != len(self.sizes):
                raise ValueError(f"mask_per_layer must have one entry per layer "
                                 f"({len(self.sizes)}); got {len(mask_per_layer)}")
            for l, m in enumerate(mask_per_layer):
                if m is not None:
                    m = np.asarray(m, dtype=bool).ravel()
                    if m.shape != (self.sizes[l],):
                        raise ValueError(f"mask_per_layer[{l}] must hold {self.sizes[l]} "
                                         f"booleans; got shape {m.shape}")
                    mask[self._starts[l]:self._starts[l + 1]] = m[:self.shown[l]]
        self._outlined = mask
        self._draw_nodes()

    @property
    def outlined(self) -> np.ndarray:
        """Flat boolean mask of the outlined neurons (``node_values`` order)."""
        return self._outlined.copy()

    # -- where things are, for the page ---------------------------------------------------
    def neuron_radius_css(self) -> float:
        """The drawn neurons' radius in CSS px."""
        return self.view.css_length(self.diameter) / 2.0

    def regions(self) -> list[dict]:
        """Where each drawn neuron and edge lies in the shown picture, in CSS px.

        Returns
        -------
        list of dict
            Edges first, then neurons (a neuron drawn over an edge's end wins
            where both could be meant).  A neuron: ``{"id": "neuron:<l>:<j>",
            "shape": "circle", "x", "y", "r"}``.  An edge: ``{"id":
            "edge:<l>:<i>:<j>", "shape": "segment", "x0", "y0", "x1", "y1",
            "width"}``, from the rim of one circle to the rim of the other (the
            part that is visible) and ``width`` its hit tolerance in px (at
            least :data:`EDGE_HIT_PX`, or the drawn width).  See
            :func:`parse_region_id`; neurons not drawn (beyond ``max_neurons``)
            have none.  Valid for the picture as last drawn.
        """
        centres = self.view.css_points(self._xy, self.ax.transData)
        r = self.neuron_radius_css()
        drawn = np.empty(len(self._segments))
        drawn[self.edge_order] = self.edges.get_linewidths()
        hit = np.maximum(EDGE_HIT_PX, drawn * self.view.css_length(1.0))
        regions: list[dict] = []
        k = 0
        for l in range(len(self.sizes) - 1):
            m, n = self.shown[l], self.shown[l + 1]
            p = np.repeat(centres[self._starts[l]:self._starts[l + 1]], n, axis=0)
            q = np.tile(centres[self._starts[l + 1]:self._starts[l + 2]], (m, 1))
            length = np.hypot(*(q - p).T)[:, None]
            # from rim to rim: the part of the edge that is visible
            cut = np.where(length > 2 * r, (q - p) / np.maximum(length, 1e-12) * r, 0.0)
            ends = np.hstack([p + cut, q - cut]).tolist()
            widths = hit[k:k + m * n].tolist()
            for e, ((x0, y0, x1, y1), width) in enumerate(zip(ends, widths)):
                regions.append({"id": f"edge:{l}:{e // n}:{e % n}", "shape": "segment",
                                "x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": width})
            k += m * n
        for l, m in enumerate(self.shown):
            for j in range(m):
                x, y = centres[self._starts[l] + j]
                regions.append({"id": f"neuron:{l}:{j}", "shape": "circle",
                                "x": float(x), "y": float(y), "r": r})
        return regions

    # -- drawing ---------------------------------------------------------------------------
    def node_colors(self, values: np.ndarray) -> np.ndarray:
        """RGBA face colours for flat ``values`` under the current scale (NaN → grey)."""
        rgba = self.cmap(self.norm(np.nan_to_num(values, nan=0.0, posinf=self.norm.vmax,
                                                 neginf=self.norm.vmin)))
        rgba[np.isnan(values)] = UNKNOWN_COLOR
        return rgba

    def _draw_nodes(self) -> None:
        values = self.node_values
        unknown = np.isnan(values) & ~self._blank
        face = self.node_colors(values)
        face[self._blank] = BLANK_COLOR
        self.nodes.set_facecolor(face)
        edge = np.where(unknown[:, None], _EDGE_UNKNOWN, _EDGE_KNOWN)
        edge[self._outlined] = _EDGE_OUTLINED
        self.nodes.set_edgecolor(edge)
        self.nodes.set_linewidths(np.where(self._outlined, 2.6, 0.8))
        self.nodes.set_linestyle([(0, (3.0, 2.0)) if u else "solid" for u in unknown])
        if not self.show_values:
            return
        # white on dark faces, black on light ones (relative luminance)
        dark = (face[:, :3] @ np.array([0.2126, 0.7152, 0.0722])) < 0.45
        for i, v in enumerate(values):
            text = self.value_texts[i]
            text.set_visible(not np.isnan(v))
            if not np.isnan(v):
                text.set_text(fmt_tiny(v))
                text.set_color("white" if dark[i] else "black")

    def _draw_edges(self) -> None:
        w = self.edge_weights
        finite = np.isfinite(w)
        mag = np.where(finite, np.abs(w), 0.0)
        peak = float(mag.max()) if mag.size else 0.0
        rel = mag / peak if peak > 0 else mag
        # Draw the strongest edges last, so they are on top.
        order = np.argsort(mag, kind="stable")
        self.edge_order = order
        colors = np.where((w >= 0)[:, None], np.array(POSITIVE_COLOR), np.array(NEGATIVE_COLOR))
        note = ""
        if len(w) > DENSE_EDGES:
            # Hundreds of crossing lines are unreadable: the weaker three quarters
            # become pale 1-px lines and the rest stand out.  Anti-aliasing them
            # would double the PNG (each edge's blended rim barely compresses).
            weak = mag < np.quantile(mag, 0.75) if peak > 0 else np.ones(len(w), dtype=bool)
            colors[weak, :3] = 1.0 - 0.35 * (1.0 - colors[weak, :3])
            widths = np.where(weak, 0.72, 0.25 + 2.75 * rel)
            self.edges.set_antialiased(False)
            note = self.view.tr("diagram.weakest_pale")
        else:
            colors[:, 3] = 0.75
            widths = 0.3 + 4.2 * rel
            self.edges.set_antialiased(True)
        colors[~finite] = to_rgba("#999999")
        self.edges.set_segments(self._segments[order])
        self.edges.set_color(colors[order])
        self.edges.set_linewidths(widths[order])
        self._edges_stale = False
        self._edge_legend = self.view.tr("diagram.thickest", peak=fmt_short(peak), note=note)
        self._write_edge_note()

    def _write_edge_note(self) -> None:
        if self._weights is None:
            self.edge_note.set_text("")
            return
        key = self.view.tr("diagram.edge_key")
        text = f"{self._edge_prefix} · {key} {self._edge_legend}"
        self.edge_note.set_text(text)
        # wider than the diagram and its colour bar: the legend goes on a line of its own
        right = max(self.ax.bbox.x1, self.colorbar.ax.bbox.x1)
        if any(box.x1 > right for _, box in self.edge_note.line_extents()):
            self.edge_note.set_text(f"{self._edge_prefix} · {key}\n{self._edge_legend}")


def _sub(n: int) -> str:
    return str(n).translate(_SUBSCRIPT)
