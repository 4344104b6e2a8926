"""Compare activation functions, their derivatives, and how gradients fade in deep chains."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..views.activation_explorer import ActivationExplorerView
from .base import FigureWidget
from .settings import Choices, Integer, Number

__all__ = ["ActivationExplorer", "ExplorerState"]

Z_RANGE = (-6.0, 6.0)
MAX_DEPTH = 20
MAX_THRESHOLD = 0.25
_OPTIONS = [(get_activation(n).display_name, n) for n in ACTIVATION_NAMES]


@dataclass(frozen=True)
class ExplorerState:
    """What the activation explorer draws."""

    activations: tuple[str, ...]
    z: float
    depth: int
    threshold: float
    values: dict[str, tuple[float, float]]
    chain_products: dict[str, np.ndarray]


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
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the controls and the picture.
        Default: :func:`actviz_widgets.get_language`.

    Attributes
    ----------
    activations, z, depth, threshold
        The settings (assign to change; the controls follow).
    select, z_slider, depth_slider, threshold_slider : ipywidgets controls
        Their controls.
    values : dict of str -> (float, float)
        name -> (f(z), f′(z)).
    chain_products : dict of str -> numpy.ndarray
        name -> f′(z)ᵏ for k = 1..depth (the gradient factor after k layers).
    view : ActivationExplorerView
        The picture (its artists are public attributes).

    Examples
    --------
    >>> explorer = ActivationExplorer(["sigmoid", "tanh"], z=2.0)  # doctest: +SKIP
    >>> explorer.z = 0.0                                           # doctest: +SKIP
    """

    i18n_area = "explorer"
    activations = Choices(("sigmoid", "tanh", "relu"), _OPTIONS, label="",
                          rows=len(ACTIVATION_NAMES), width="260px")
    z = Number(1.0, *Z_RANGE, step=0.01, label="", width="420px")
    depth = Integer(5, 1, MAX_DEPTH, label="", width="420px")
    threshold = Number(0.05, 0.0, MAX_THRESHOLD, step=0.005, fmt=".3f", label="",
                       width="420px")

    def __init__(self, activations: Sequence[str] = ("sigmoid", "tanh", "relu"), z: float = 1.0,
                 depth: int = 5, threshold: float = 0.05, language: str | None = None) -> None:
        self.values: dict[str, tuple[float, float]] = {}
        self.chain_products: dict[str, np.ndarray] = {}
        self.init_settings(dict(activations=activations, z=z, depth=depth,
                                threshold=threshold), language=language)
        self.select = self.control("activations")
        self.z_slider = self.control("z")
        self.depth_slider = self.control("depth")
        self.threshold_slider = self.control("threshold")
        hint = widgets.HTML(f"<small>{html.escape(self.tr('explorer.hint'))}</small>")
        controls = widgets.HBox([
            widgets.VBox([self.select, hint]),
            widgets.VBox([self.z_slider, self.depth_slider, self.threshold_slider])])
        super().__init__(ActivationExplorerView(z_range=Z_RANGE, max_depth=MAX_DEPTH,
                                                language=self.language), [controls])
        self.refresh()

    @property
    def state(self) -> ExplorerState:
        """A read-only snapshot of what is drawn."""
        return self._drawn

    def update(self) -> None:
        """Recompute f(z), f′(z) and f′(z)ᵏ with the engine and redraw."""
        names = list(self.activations)
        z, depth = self.z, self.depth
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
        self.view.set_threshold(self.threshold)
        self.view.update(z, values, chains, depth)
        self.values, self.chain_products = values, chains
        self._drawn = ExplorerState(
            activations=tuple(names), z=z, depth=depth, threshold=self.threshold,
            values=dict(values), chain_products={k: v.copy() for k, v in chains.items()})

    def __repr__(self) -> str:
        return (f"ActivationExplorer(activations={list(self.activations)}, z={self.z:g}, "
                f"depth={self.depth})")
