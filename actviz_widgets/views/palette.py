"""The colours every view shares, so one thing has one colour in every picture.

* :data:`ACTIVATION_COLORS`: one colour per activation function, whatever
  was selected first (Okabe–Ito, colour-blind safe, then two of Paul Tol's).
* Colour maps follow one rule: a *signed* quantity (a weight, an
  activation of tanh, δ) gets the diverging :data:`SIGNED_CMAP`, centred at
  0 (red positive, blue negative, as the lessons describe); a
  *non-negative* quantity (a share, |δ|, a ReLU activation) gets a
  sequential map: matplotlib's perceptually uniform :data:`SEQUENTIAL_CMAP`
  in heatmaps, white-to-purple :data:`NEURON_SEQUENTIAL_CMAP` on neurons.
"""

from __future__ import annotations

from ..engine.activations import ACTIVATION_NAMES, get_activation

__all__ = ["ACTIVATION_COLORS", "activation_color", "SIGNED_CMAP", "SEQUENTIAL_CMAP",
           "NEURON_SEQUENTIAL_CMAP", "is_nonnegative"]

#: One colour per activation function, the same in every widget.
ACTIVATION_COLORS: dict[str, str] = dict(zip(ACTIVATION_NAMES, (
    "#555555",  # linear: grey
    "#0072B2",  # sigmoid: blue
    "#D55E00",  # tanh: vermillion
    "#009E73",  # relu: bluish green
    "#CC79A7",  # leaky_relu: reddish purple
    "#E69F00",  # elu: orange
    "#56B4E9",  # softplus: sky blue
    "#882255",  # gelu: wine
    "#999933",  # silu: olive
)))


def activation_color(name: str) -> str:
    """The colour of an activation function (any name or alias the registry accepts)."""
    return ACTIVATION_COLORS[get_activation(name).name]


#: The diverging map of signed quantities (weights, x, a of tanh, δ), always centred at 0:
#: red for positive, white at 0, blue for negative.
SIGNED_CMAP = "RdBu_r"
#: The perceptually uniform sequential map of non-negative quantities in heatmaps
#: (ReLU activations, |δ|).
SEQUENTIAL_CMAP = "viridis"
#: The sequential map of a non-negative quantity filling neurons (a share): white
#: for 0, so an empty (dead) neuron looks empty, darker for more.
NEURON_SEQUENTIAL_CMAP = "Purples"


def is_nonnegative(name: str) -> bool:
    """True if an activation function's outputs are never negative (ReLU, sigmoid, ...)."""
    act = get_activation(name)
    return float(act(-1e3)) >= 0.0 and float(act(-1.0)) >= 0.0
