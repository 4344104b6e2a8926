"""Checkers for lesson 12, "Weights and activations over time": saturation, update sizes.

The networks are those of the distributions widget: 2 inputs, three hidden
layers of 8 neurons and a sigmoid output with the binary cross-entropy loss,
trained with full-batch gradient descent on the training half of
:func:`data`.  :data:`SATURATED` starts with weights so large that most tanh
pre-activations sit where the activation function's derivative is tiny;
:data:`HEALTHY` starts with Xavier's weights.  The right answers come from
the engine (:func:`~actviz_widgets.engine.diagnostics.saturated_fraction`,
the backward pass and the trainer's snapshots).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.datasets import Dataset, make_dataset
from ..engine.diagnostics import SATURATION_THRESHOLD, saturated_fraction
from ..engine.network import MLP
from ..engine.training import Trainer
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["WIDTH", "DEPTH", "SATURATED", "HEALTHY", "LR", "ADAM_LR", "STEPS", "THRESHOLD",
           "network", "data", "check_saturated_share", "check_update_ratio",
           "check_weight_spread",
           "compare_guess", "grading"]

#: Neurons per hidden layer, and hidden layers (as in the widget).
WIDTH = 8
DEPTH = 3
#: tanh with plain N(0, 1) weights times 3: saturated from the start.
SATURATED = {"activation": "tanh", "init": "normal", "weight_scale": 3.0}
#: tanh with Xavier's weights.
HEALTHY = {"activation": "tanh", "init": "xavier", "weight_scale": 1.0}
#: Learning rate of plain gradient descent, and the steps of exercise 3.
LR = 0.3
STEPS = 200
#: Adam's learning rate for comparing the two networks (plain gradient descent at
#: :data:`LR` makes the saturated network's loss jump around erratically).
ADAM_LR = 0.01
#: A pre-activation is saturated when |f′(z)| is below this.
THRESHOLD = SATURATION_THRESHOLD


def network(activation: str = "tanh", init: str = "xavier", weight_scale: float = 1.0) -> MLP:
    """The widget's network: [2, 8, 8, 8, 1], sigmoid output, bce loss, seed 0."""
    return MLP([2] + [WIDTH] * DEPTH + [1], activation=activation, loss="bce", init=init,
               weight_scale=weight_scale, seed=0)


def data() -> Dataset:
    """The widget's data: 200 points of the "circles" set, half for training (seed 0)."""
    return make_dataset("circles", n_samples=200, seed=0)


def check_saturated_share(answer: Any) -> bool:
    """Check the share of hidden layer 2's pre-activations (all training samples × neurons)
    with |f′(z)| < :data:`THRESHOLD`, for the :data:`SATURATED` network before training.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer, a fraction.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    trace = network(**SATURATED).forward(data().X_train)
    shares = saturated_fraction(trace, THRESHOLD)  # entry l - 1 for layer l
    share = float(shares[1])
    a2 = trace.a[2]
    mistakes = [
        Mistake(1 - share, "that is the share that is not saturated. Count the z where "
                           "|f′(z)| < 0.05."),
        Mistake(100 * share, "give a fraction between 0 and 1, not a percentage."),
        Mistake(float(np.mean(np.abs(a2) > 1 - THRESHOLD)),
                "you tested |a| > 0.95. The threshold is on the derivative: |f′(z)| = "
                "1 − a² < 0.05, that is |a| > 0.975."),
    ]
    for l, other in enumerate(shares, start=1):
        if l != 2 and abs(other - share) > 1e-9:
            where = "the output layer" if l == len(shares) else f"hidden layer {l}"
            mistakes.append(Mistake(float(other), f"that is {where}. Use trace.dadz[2], the "
                                                  "derivatives of hidden layer 2."))
    return check_number(
        answer, share,
        mistakes=mistakes,
        praise=f"{share:.0%} of the pre-activations pass back less than a twentieth of their "
               "gradient: with weights three times too large, most z land far out on the flat "
               "ends of tanh.",
        otherwise="take d = trace.dadz[2] (f′(z) of hidden layer 2 for every sample and "
                  "neuron) and give the share of entries with |d| < 0.05.")


def check_update_ratio(answer: Any) -> bool:
    """Check lr · ‖∂L/∂W‖ / ‖W‖ for the weights into hidden layer 1 (``weights[0]``) of the
    :data:`HEALTHY` network at step 0: the relative size of one gradient-descent step.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    ds = data()
    net = network(**HEALTHY)
    trace = net.forward(ds.X_train)
    grads = net.backward(trace, ds.y_train)
    ratios = [LR * np.linalg.norm(g) / np.linalg.norm(w) for g, w in zip(grads.dW, net.weights)]
    ratio = float(ratios[0])
    g_norm, w_norm = np.linalg.norm(grads.dW[0]), np.linalg.norm(net.weights[0])
    mistakes = [
        Mistake(ratio / LR, "you left out the learning rate. A step changes W by "
                            "lr · ∂L/∂W, so its size is lr · ‖∂L/∂W‖."),
        Mistake(w_norm / (LR * g_norm), "upside down: divide the step's size by the "
                                        "weights' size, lr · ‖∂L/∂W‖ / ‖W‖."),
        Mistake(LR * np.linalg.norm(grads.delta[1]) / w_norm,
                "you used ‖δ¹‖ = ‖∂L/∂z¹‖. The step of the weights uses ∂L/∂W (grads.dW[0])."),
    ]
    for l, other in enumerate(ratios[1:], start=1):
        mistakes.append(Mistake(float(other), f"that is weights[{l}]. The weights into hidden "
                                              "layer 1 are weights[0] (and their gradient "
                                              "grads.dW[0])."))
    return check_number(
        answer, ratio,
        mistakes=mistakes,
        praise=f"One step changes these weights by about {ratio:.1%} of their size: more "
               "than the usual rule of thumb (about 0.1%), and fine for a small network like "
               "this one. Far more and the weights jump around; far less and they hardly move.",
        otherwise="compute LR * np.linalg.norm(grads.dW[0]) / np.linalg.norm(net.weights[0]) "
                  "at the initial weights.")


@functools.lru_cache(maxsize=1)
def _healthy_run() -> tuple[list, list]:
    """The healthy network's weights at step 0 and after :data:`STEPS` steps (lr :data:`LR`)."""
    trainer = Trainer(network(**HEALTHY), data(), lr=LR, snapshot_every=STEPS,
                      record_every=STEPS)
    trainer.train(steps=STEPS)
    return trainer.history.snapshots[0].weights, trainer.history.snapshots[STEPS].weights


def check_weight_spread(answer: Any) -> bool:
    """Check std(W₂₀₀) / std(W₀) for the weights into hidden layer 3 (``weights[2]``) of the
    :data:`HEALTHY` network over :data:`STEPS` steps of gradient descent (lr :data:`LR`):
    the widget's healthy run.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    first, last = _healthy_run()
    spread = [float(np.std(b) / np.std(a)) for a, b in zip(first, last)]
    moved = [float(np.linalg.norm(b - a) / np.linalg.norm(a)) for a, b in zip(first, last)]
    factor = spread[2]
    mistakes = [
        Mistake(1 / factor, "upside down: divide the spread after training by the spread "
                            "before, std(W₂₀₀) / std(W₀)."),
        Mistake(factor - 1, "that is how much the spread grew. The question asks for the "
                            "factor, std(W₂₀₀) / std(W₀)."),
        Mistake(moved[2], "that is how far the weights moved, ‖W₂₀₀ − W₀‖ / ‖W₀‖. The "
                          "question asks how their spread changed: std(W₂₀₀) / std(W₀)."),
    ]
    for l, other in enumerate(spread):
        if l != 2:
            mistakes.append(Mistake(other, f"that is weights[{l}]. The weights into hidden "
                                           "layer 3 are weights[2]."))
    return check_number(
        answer, factor,
        mistakes=mistakes,
        praise=f"The spread grew {factor:.2f} times in 200 steps: the ridges of W widen step "
               "by step, steadily. That is healthy learning; weights that stay put, or jump, "
               "are not.",
        otherwise="train ex.network(**ex.HEALTHY) for 200 steps with av.Trainer(..., "
                  "lr=ex.LR), take weights[2] from history.snapshots[0] and "
                  "history.snapshots[200], and divide the second's np.std by the first's.")
