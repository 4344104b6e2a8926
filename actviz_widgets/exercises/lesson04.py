"""Checkers for lesson 4, "The forward pass": layers as matrix products.

The exercise network is a [2, 3, 2, 1] MLP (tanh hidden layers, a sigmoid
output, binary cross-entropy) with short, hand-picked weights and biases,
so a learner can follow every number.  :func:`network` builds it; lesson 5
uses it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import Mistake, check_array, check_number, compare_guess, grading

__all__ = ["SIZES", "WEIGHTS", "BIASES", "X", "Y", "X_BATCH", "Y_BATCH", "network",
           "check_z1", "check_batch_output", "check_n_params",
           "compare_guess", "grading"]

#: Neurons per layer, input first.
SIZES = (2, 3, 2, 1)
#: ``WEIGHTS[l]`` connects layer l to layer l + 1: shape (neurons in l, neurons in l + 1).
WEIGHTS = (
    ((0.5, -0.4, 0.9),
     (0.3, 0.8, -0.2)),
    ((0.7, -0.5),
     (-0.6, 0.4),
     (0.2, 0.9)),
    ((1.2,),
     (-0.8,)),
)
#: ``BIASES[l]``: one per neuron of layer l + 1.
BIASES = ((0.1, -0.1, 0.2), (0.05, -0.1), (0.3,))
#: One sample (a row) and its target.
X = ((1.0, -0.5),)
Y = ((1.0,),)
#: A batch of four samples, one per row, and their targets.
X_BATCH = ((1.0, -0.5), (0.0, 1.0), (-1.5, 0.5), (2.0, 2.0))
Y_BATCH = ((1.0,), (0.0,), (0.0,), (1.0,))


def network() -> MLP:
    """A fresh copy of the exercise network (tanh, tanh, sigmoid; bce loss)."""
    net = MLP(list(SIZES), activation="tanh", output_activation="sigmoid", loss="bce")
    net.set_params([np.array(w) for w in WEIGHTS], [np.array(b) for b in BIASES])
    return net


def check_z1(answer: Any) -> bool:
    """Check z¹ = x W¹ + b¹ for the one sample :data:`X` (shape (1, 3)).

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    x, W0, b0 = np.array(X), np.array(WEIGHTS[0]), np.array(BIASES[0])
    z1 = network().forward(x).z[1]
    return check_array(
        answer, z1,
        mistakes=[
            Mistake(z1 - b0, _t("lesson04.z1.hint_1")),
            Mistake(np.tanh(z1), _t("lesson04.z1.hint_2")),
            Mistake(W0.T @ x.T + b0, _t("lesson04.z1.hint_3")),
            Mistake(z1.T, _t("lesson04.z1.hint_4")),
        ],
        praise=_t("lesson04.z1.praise"),
        otherwise=_t("lesson04.z1.otherwise"),
        shape_hint=_t("lesson04.z1.shape_hint"))


def check_batch_output(answer: Any) -> bool:
    """Check the network's output ŷ = a³ for the batch :data:`X_BATCH` (shape (4, 1)).

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    net = network()
    tr = net.forward(np.array(X_BATCH))
    L = net.n_layers
    linear = MLP(list(SIZES), activation="linear", output_activation="sigmoid", loss="bce")
    linear.set_params(net.weights, net.biases)
    no_bias = network()
    no_bias.set_params(net.weights, [np.zeros_like(b) for b in net.biases])
    all_tanh = np.tanh(tr.z[L])
    return check_array(
        answer, tr.a[L],
        mistakes=[
            Mistake(tr.z[L], _t("lesson04.batch_output.hint_1")),
            Mistake(all_tanh, _t("lesson04.batch_output.hint_2")),
            Mistake(linear.forward(np.array(X_BATCH)).a[L],
                    _t("lesson04.batch_output.hint_3")),
            Mistake(no_bias.forward(np.array(X_BATCH)).a[L], _t("lesson04.batch_output.hint_4")),
            Mistake(tr.a[L][:1], _t("lesson04.batch_output.hint_5")),
        ],
        praise=_t("lesson04.batch_output.praise"),
        otherwise=_t("lesson04.batch_output.otherwise"),
        shape_hint=_t("lesson04.batch_output.shape_hint"))


def check_n_params(answer: Any) -> bool:
    """Check the number of weights and biases of a [2, 3, 2, 1] network.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    net = network()
    n_weights = sum(w.size for w in net.weights)
    return check_number(
        answer, net.n_params,
        mistakes=[
            Mistake(n_weights, _t("lesson04.n_params.hint_1")),
            Mistake(n_weights + sum(SIZES), _t("lesson04.n_params.hint_2")),
            Mistake(sum(SIZES), _t("lesson04.n_params.hint_3")),
        ],
        praise=_t("lesson04.n_params.praise"),
        otherwise=_t("lesson04.n_params.otherwise"),
        rtol=0.0, atol=0.0, kind="count")
