"""Compare activation functions, their derivatives, and how gradients fade in deep chains."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.validation import check_choice, check_int, check_nonnegative
from ..views.activation_explorer import ActivationExplorerView
from .base import FigureWidget

__all__ = ["ActivationExplorer"]

Z_RANGE = (-6.0, 6.0)
MAX_DEPTH = 20
MAX_THRESHOLD = 0.25


def _check_z(z: float) -> float:
    # A slider silently clamps out-of-range values; a user passing one should know.
    if isinstance(z, bool) or not isinstance(z, (int, float, np.integer, np.floating)):
        raise TypeError(f"z must be a real number; got {z!r} of type {type(z).__name__}")
    value = float(z)
    if not Z_RANGE[0] <= value <= Z_RANGE[1]:
        raise ValueError(f"z must be between {Z_RANGE[0]:g} and {Z_RANGE[1]:g}; got {z!r}")
    return value


class ActivationExplorer(FigureWidget):
    """Pick activations and a pre-activation z; see f(z), f′(z) and f′(z)ⁿ.

    Left: f(z) for each selected activation, with the current point and the
    tangent of f at z. Middle: the activation function's derivative f′(z)
    (the tangent's slope), with the regions where the first activation is
    saturated (|f′(z)| below the threshold) shaded. Right: the gradient
    factor f′(z)ᵏ after k layers whose pre-activations all equal z, on a log
    scale: below 1 it vanishes exponentially with depth. A table prints each
    activation's formula, output range and the numbers.

    Parameters
    ----------
    activations : sequence of str, default ("sigmoid", "tanh", "relu")
        Names from :data:`~actviz_widgets.engine.ACTIVATION_NAMES`.
    z : float, default 1.0
        Pre-activation, in [-6, 6].
    depth : int, default 5
        Chain depth n, 1..20.
    threshold : float, default 0.05
        Saturation threshold on |f′(z)|, in [0, 0.25].

    Attributes
    ----------
    select : ipywidgets.SelectMultiple
        The activations (values are registry names).
    z_slider, depth_slider, threshold_slider : ipywidgets slider
        z, the depth n and the saturation threshold.
    activations : list of str
        Selected names (registry order) at the last successful update.
    z : float
    depth : int
    threshold : float
    values : dict of str -> (float, float)
        name -> (f(z), f′(z)).
    chain_products : dict of str -> numpy.ndarray
        name -> f′(z)ᵏ for k = 1..depth (the gradient factor after k layers).
    view : ActivationExplorerView
        The picture (its artists are public attributes).

    Examples
    --------
    >>> explorer = ActivationExplorer(["sigmoid", "tanh"], z=2.0)  # doctest: +SKIP
    >>> explorer.z_slider.value = 0.0                              # doctest: +SKIP
    """

    def __init__(self, activations: Sequence[str] = ("sigmoid", "tanh", "relu"), z: float = 1.0,
                 depth: int = 5, threshold: float = 0.05) -> None:
        if isinstance(activations, str):
            activations = [activations]
        chosen = {check_choice("activations", n, ACTIVATION_NAMES) for n in activations}
        z = _check_z(z)
        depth = check_int("depth", depth, minimum=1, maximum=MAX_DEPTH)
        threshold = check_nonnegative("threshold", threshold)
        if threshold > MAX_THRESHOLD:
            raise ValueError(f"threshold must be between 0 and {MAX_THRESHOLD}; got {threshold}")

        self.activations: list[str] = []
        self.z = z
        self.depth = depth
        self.threshold = threshold
        self.values: dict[str, tuple[float, float]] = {}
        self.chain_products: dict[str, np.ndarray] = {}

        style = {"description_width": "initial"}
        self.select = widgets.SelectMultiple(
            options=[(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
            value=tuple(n for n in ACTIVATION_NAMES if n in chosen),
            rows=len(ACTIVATION_NAMES), description="activations",
            layout=widgets.Layout(width="260px"))
        self.z_slider = widgets.FloatSlider(value=z, min=Z_RANGE[0], max=Z_RANGE[1], step=0.01,
                                            description="z (pre-activation)", style=style,
                                            continuous_update=True, readout_format=".2f",
                                            layout=widgets.Layout(width="420px"))
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH,
                                              description="depth n (layers)", style=style,
                                              layout=widgets.Layout(width="420px"))
        self.threshold_slider = widgets.FloatSlider(
            value=threshold, min=0.0, max=MAX_THRESHOLD, step=0.005, readout_format=".3f",
            description="saturated if |f′(z)| <", style=style,
            layout=widgets.Layout(width="420px"))
        hint = widgets.HTML("<small>Ctrl/⌘-click to compare several activations.</small>")
        controls = widgets.HBox([
            widgets.VBox([self.select, hint]),
            widgets.VBox([self.z_slider, self.depth_slider, self.threshold_slider])])
        super().__init__(ActivationExplorerView(z_range=Z_RANGE, max_depth=MAX_DEPTH),
                         [controls])
        for control in (self.select, self.z_slider, self.depth_slider, self.threshold_slider):
            self.watch(control)
        self.refresh()

    def update(self) -> None:
        """Recompute f(z), f′(z) and f′(z)ᵏ with the engine and redraw."""
        names = [n for n in ACTIVATION_NAMES if n in self.select.value]
        if not names:
            raise ValueError("select at least one activation (Ctrl/⌘-click to select several)")
        z = float(self.z_slider.value)
        depth = int(self.depth_slider.value)
        threshold = float(self.threshold_slider.value)
        at = np.array([z])
        values, chains = {}, {}
        powers = np.arange(1, depth + 1)
        for name in names:
            act = get_activation(name)
            a = act(at)
            d = float(act.grad(at, a)[0])
            values[name] = (float(a[0]), d)
            # k layers whose pre-activations all equal z multiply the gradient by f′(z) each
            chains[name] = d ** powers
        self.view.set_activations(names)
        self.view.set_threshold(threshold)
        self.view.update(z, values, chains, depth)
        self.activations, self.z, self.depth, self.threshold = names, z, depth, threshold
        self.values, self.chain_products = values, chains

    def __repr__(self) -> str:
        return (f"ActivationExplorer(activations={self.activations}, z={self.z:g}, "
                f"depth={self.depth})")
