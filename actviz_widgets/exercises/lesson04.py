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
            Mistake(z1 - b0, "you forgot the biases: z¹ = x W¹ + b¹."),
            Mistake(np.tanh(z1), "that is a¹ = tanh(z¹), after the activation. The question "
                                 "asks for z¹, before it."),
            Mistake(W0.T @ x.T + b0, "you wrote x as a column (W1.T @ x.T); then b1 is added "
                                     "to every column and you get a 3 × 3 table. Here a "
                                     "sample is a row: x @ W1 + b1."),
            Mistake(z1.T, "right numbers, but as a column. Keep one row per sample: x is a "
                          "row (1, 2), so x @ W1 is a row (1, 3)."),
        ],
        praise="Each entry is one neuron's weighted sum: column j of W¹ holds the weights "
               "into neuron j.",
        otherwise="compute x @ W1 + b1 (x as a row of shape (1, 2)).",
        shape_hint="z¹ has one row per sample and one column per neuron of layer 1.")


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
            Mistake(tr.z[L], "you stopped at z³. The output layer applies the sigmoid: "
                             "ŷ = σ(z³)."),
            Mistake(all_tanh, "the output layer uses the sigmoid, not tanh: ŷ = σ(z³), a "
                              "probability between 0 and 1."),
            Mistake(linear.forward(np.array(X_BATCH)).a[L],
                    "you left out tanh in the hidden layers: a¹ = tanh(z¹) and a² = tanh(z²)."),
            Mistake(no_bias.forward(np.array(X_BATCH)).a[L], "you forgot the biases; every "
                                                             "layer adds its b."),
            Mistake(tr.a[L][:1], "that is only the first sample. Put all of X_BATCH through: "
                                 "the same code works on all four rows at once."),
        ],
        praise="One matrix product per layer handles all four samples at once, one row each.",
        otherwise="repeat a = f(a @ W + b) for each layer, starting from a = X_BATCH; tanh in "
                  "the hidden layers, the sigmoid at the output.",
        shape_hint="ŷ has one row per sample and one column per output neuron.")


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
            Mistake(n_weights, "that counts the weights only. Each neuron after the input "
                               "layer also has a bias."),
            Mistake(n_weights + sum(SIZES), "the input layer has no biases: it only holds x."),
            Mistake(sum(SIZES), "that counts neurons. Count the weights (one per edge) and "
                                "the biases (one per neuron after the input)."),
        ],
        praise="2·3 + 3 + 3·2 + 2 + 2·1 + 1 = 20. Each weight matrix has "
               "(neurons in) × (neurons out) entries.",
        otherwise="add up, layer by layer: the entries of W (in × out) and of b (out).",
        rtol=0.0, atol=0.0, kind="count")
