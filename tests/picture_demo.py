"""A tiny widget whose picture has regions: the test bed of the picture's hover/click protocol.

One neuron (a circle, selectable) and one edge (a segment, whose weight ``w``
can be edited in the picture).  The unit tests import it; the browser test
runs this file's source in a notebook cell.
"""

from __future__ import annotations

import math

from matplotlib.patches import Circle

from actviz_widgets.views.base import FigureView
from actviz_widgets.widgets.base import FigureWidget
from actviz_widgets.widgets.settings import Number


class DemoView(FigureView):
    """A neuron and the edge into it; the edge's colour and the label follow ``w``."""

    def __init__(self, language=None):
        super().__init__(figsize=(6.0, 2.4), language=language)
        ax = self.ax = self.figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 6)
        ax.set_ylim(0, 2.4)
        ax.set_axis_off()
        self.neuron = self.dynamic(ax.add_patch(Circle((4.5, 1.2), 0.35, color="C0")))
        self.edge = self.dynamic(ax.plot([0.8, 4.15], [1.2, 1.2], lw=4)[0])
        self.label = self.dynamic(ax.text(2.4, 1.6, "", ha="center", fontsize=14))

    def show(self, w, a):
        self.edge.set_color("C3" if w < 0 else "C1")
        self.edge.set_linewidth(1 + 2 * min(abs(w), 3))
        self.label.set_text(f"w = {w:.4f}")
        self.neuron.set_alpha(0.3 + 0.7 * a)


class Demo(FigureWidget):
    """A neuron a = sigmoid(w · 1.5): hover it or its edge, click it, edit w in the picture."""

    w = Number(0.5, -5.0, 5.0, step=0.01, label="w")

    def __init__(self, w=0.5, language=None):
        self.clicked = []
        self.init_settings({"w": w}, language=language)
        super().__init__(DemoView(language=self.language), [self.control("w")])
        self.refresh()

    @property
    def z(self):
        return 1.5 * self.w

    @property
    def a(self):
        return 1.0 / (1.0 + math.exp(-self.z))

    @property
    def state(self):
        return self.w

    def update(self):
        self.view.show(self.w, self.a)

    def frame_regions(self):
        v = self.view
        (x, y), (x1, _) = v.css_points([(4.5, 1.2), (4.85, 1.2)], v.ax.transData)
        (e0x, e0y), (e1x, e1y) = v.css_points([(0.8, 1.2), (4.15, 1.2)], v.ax.transData)
        return [
            {"id": "neuron", "shape": "circle", "x": x, "y": y, "r": x1 - x,
             "title": "the neuron", "rows": [["z", f"{self.z:.6f}"], ["a", f"{self.a:.6f}"]],
             "select": True,
             "zoom": {"x0": x - 40, "y0": y - 40, "x1": x + 40, "y1": y + 40}},
            {"id": "edge", "shape": "segment", "x0": e0x, "y0": e0y, "x1": e1x, "y1": e1y,
             "width": 12, "title": "weight w", "rows": [["w", f"{self.w:.4f}"]],
             "edit": {"label": "w", "value": self.w, "min": -5.0, "max": 5.0, "step": 0.01}},
        ]

    def region_clicked(self, region_id):
        self.clicked.append(region_id)

    def region_edited(self, region_id, value):
        self.w = value
