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
from ..i18n import tr as _t
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
        Mistake(1 - share, _t("lesson12.saturated_share.hint_1")),
        Mistake(100 * share, _t("lesson12.saturated_share.hint_2")),
        Mistake(float(np.mean(np.abs(a2) > 1 - THRESHOLD)),
                _t("lesson12.saturated_share.hint_3")),
    ]
    for l, other in enumerate(shares, start=1):
        if l != 2 and abs(other - share) > 1e-9:
            key = "output_layer" if l == len(shares) else "hidden_layer"
            mistakes.append(Mistake(float(other), _t(f"lesson12.saturated_share.{key}", l=l)))
    return check_number(
        answer, share,
        mistakes=mistakes,
        praise=_t("lesson12.saturated_share.praise", share=share),
        otherwise=_t("lesson12.saturated_share.otherwise"))


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
        Mistake(ratio / LR, _t("lesson12.update_ratio.hint_1")),
        Mistake(w_norm / (LR * g_norm), _t("lesson12.update_ratio.hint_2")),
        Mistake(LR * np.linalg.norm(grads.delta[1]) / w_norm,
                _t("lesson12.update_ratio.hint_3")),
    ]
    for l, other in enumerate(ratios[1:], start=1):
        mistakes.append(Mistake(float(other), _t("lesson12.update_ratio.hint_4", l=l)))
    return check_number(
        answer, ratio,
        mistakes=mistakes,
        praise=_t("lesson12.update_ratio.praise", ratio=ratio),
        otherwise=_t("lesson12.update_ratio.otherwise"))


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
        Mistake(1 / factor, _t("lesson12.weight_spread.hint_1")),
        Mistake(factor - 1, _t("lesson12.weight_spread.hint_2")),
        Mistake(moved[2], _t("lesson12.weight_spread.hint_3")),
    ]
    for l, other in enumerate(spread):
        if l != 2:
            mistakes.append(Mistake(other, _t("lesson12.weight_spread.hint_4", l=l)))
    return check_number(
        answer, factor,
        mistakes=mistakes,
        praise=_t("lesson12.weight_spread.praise", factor=factor),
        otherwise=_t("lesson12.weight_spread.otherwise"))
