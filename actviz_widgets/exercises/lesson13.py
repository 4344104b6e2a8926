"""Checkers for lesson 13, "Your own backpropagation": forward, loss, backward, training.

The learner writes a 2-H-1 network (tanh hidden layer, sigmoid output, mean
binary cross-entropy) as plain functions on a dictionary of parameters::

    params = {"W1": (2, H), "b1": (H,), "W2": (H, 1), "b2": (1,)}
    forward(params, X)        -> cache = {"X", "z1", "a1", "z2", "a2"}
    loss(a2, y)               -> the mean binary cross-entropy, a float
    backward(params, cache, y) -> grads = {"W1", "b1", "W2", "b2"}
    numerical_gradient(f, w)  -> central differences of f() over every entry of w
    train(params, X, y, lr, steps) -> the loss of every step; params updated in place

with the engine's conventions: ``params["W1"]`` is ``net.weights[0]`` of
shape (n₀, n₁) and z = a W + b, one row per sample.  Each checker calls one
function on its own data (:data:`CHECK_PARAMS`, :data:`CHECK_X`,
:data:`CHECK_Y`: N = 5 samples and H = 3 hidden neurons, so that no two of
N, H and the input width 2 are equal and every transposition shows) and
compares it with :class:`~actviz_widgets.engine.network.MLP` holding the same
weights.  :func:`check_backward` is given the engine's own cache, so a
mistake in ``forward`` cannot hide one in ``backward``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import (Mistake, _unanswered, check_array, check_number, compare_guess, grading,
                     not_answered, verdict)

__all__ = ["X_XOR", "Y_XOR", "HIDDEN", "LR", "STEPS", "SEEDS", "CHECK_PARAMS", "CHECK_X",
           "CHECK_Y", "network", "initial_params", "params_of", "accuracy_of", "reference_training",
           "steps_to_full_accuracy",
           "check_forward", "check_loss", "check_backward", "check_numerical_gradient",
           "check_train", "compare_guess", "grading"]

#: The four XOR points, one row each, and their labels (1 where exactly one input is 1).
X_XOR = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
Y_XOR = ((0.0,), (1.0,), (1.0,), (0.0,))
#: Hidden neurons of the XOR network.
HIDDEN = 4
#: Plain gradient descent on the four points: every seed in :data:`SEEDS` reaches
#: 100 % training accuracy within this many steps at this learning rate (seed 0,
#: the slowest of them, first at step 106).
LR = 1.0
STEPS = 500
SEEDS = tuple(range(10))

#: The checkers' network: 2 inputs, 3 tanh neurons, 1 sigmoid output; biases not zero,
#: so that a forgotten bias shows.
CHECK_PARAMS = {
    "W1": ((0.6, -0.9, 0.3),
           (-0.4, 0.5, 0.8)),
    "b1": (0.1, -0.2, 0.05),
    "W2": ((0.7,), (-1.1,), (0.9,)),
    "b2": (-0.15,),
}
#: Five samples (N = 5) and their labels.
CHECK_X = ((0.5, -1.0), (1.5, 0.2), (-0.7, 0.9), (0.0, 1.2), (-1.3, -0.4))
CHECK_Y = ((1.0,), (0.0,), (1.0,), (0.0,), (1.0,))

_PARAM_NAMES = ("W1", "b1", "W2", "b2")
_CACHE_NAMES = ("z1", "a1", "z2", "a2")
_GRAD_ORDER = ("W2", "b2", "W1", "b1")  # the order backward computes them


def network(seed: int = 0, hidden: int = HIDDEN) -> MLP:
    """The XOR network as the engine builds it: [2, hidden, 1], tanh, sigmoid, bce.

    Parameters
    ----------
    seed : int
        Seed of the initial weights (Xavier's; the biases start at 0).
    hidden : int
        Hidden neurons H.

    Returns
    -------
    MLP
    """
    return MLP([2, hidden, 1], activation="tanh", output_activation="sigmoid", loss="bce",
               seed=seed)


def params_of(net: MLP) -> dict[str, np.ndarray]:
    """A 2-H-1 network's parameters as the lesson's dictionary (copies).

    Parameters
    ----------
    net : MLP
        A network with one hidden layer.

    Returns
    -------
    dict
        ``{"W1": net.weights[0], "b1": net.biases[0], "W2": net.weights[1],
        "b2": net.biases[1]}``, each a new array.
    """
    if not isinstance(net, MLP) or net.n_layers != 2:
        raise ValueError(f"net must be an MLP with one hidden layer; got {net!r}")
    return {"W1": net.weights[0].copy(), "b1": net.biases[0].copy(),
            "W2": net.weights[1].copy(), "b2": net.biases[1].copy()}


def initial_params(seed: int = 0) -> dict[str, np.ndarray]:
    """The XOR network's initial parameters (:func:`network` with ``seed``), as a dictionary."""
    return params_of(network(seed))


def _net_with(params: dict) -> MLP:
    """An engine network holding ``params`` (shapes taken from them)."""
    W1 = np.array(params["W1"], dtype=float)
    net = network(hidden=W1.shape[1])
    net.set_params([W1, np.array(params["W2"], dtype=float)],
                   [np.array(params["b1"], dtype=float), np.array(params["b2"], dtype=float)])
    return net


def accuracy_of(params: dict, X: Any = X_XOR, y: Any = Y_XOR) -> float:
    """Share of samples the network with ``params`` classifies right (ŷ > 0.5 means 1)."""
    y_hat = _net_with(params).forward(np.array(X, dtype=float)).a[-1]
    return float(np.mean((y_hat > 0.5) == (np.array(y, dtype=float) > 0.5)))


def _check_data() -> tuple[dict, np.ndarray, np.ndarray]:
    """Fresh copies of the checkers' parameters and data (a learner's function may
    change what it is given)."""
    params = {k: np.array(v, dtype=float) for k, v in CHECK_PARAMS.items()}
    return params, np.array(CHECK_X, dtype=float), np.array(CHECK_Y, dtype=float)


def _call(fn: Any, what: str, args: tuple, start: str) -> tuple[bool, Any]:
    """Call the learner's function; ``(True, result)``, or ``(False, None)`` after a verdict."""
    if _unanswered(fn):
        return False, not_answered(start)
    if not callable(fn):
        return False, verdict(False, _t("lesson13.call.verdict_1",
                                           got=type(fn).__name__))
    try:
        with np.errstate(all="ignore"):
            result = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the learner's code may fail in any way
        if isinstance(exc, ValueError) and "matmul" in str(exc):
            key = "failed_shape"
        elif "ellipsis" in str(exc):
            key = "failed_placeholder"
        elif isinstance(exc, KeyError):
            key = "failed_key"
        else:
            key = "failed"
        return False, verdict(False, _t(f"lesson13.call.{key}", what=what,
                                        error=type(exc).__name__, exc=exc))
    if _unanswered(result):
        return False, not_answered(start)
    return True, result


def _dict_of(result: Any, names: tuple, what: str) -> dict | None:
    """``result`` if it is a dictionary holding ``names``, else a verdict and ``None``."""
    if not isinstance(result, dict):
        verdict(False, _t("lesson13.dict_of.verdict_1", what=what,
                          keys=", ".join(repr(n) for n in names), got=type(result).__name__))
        return None
    missing = [n for n in names if n not in result]
    if missing:
        verdict(False, _t("lesson13.dict_of.verdict_2", what=what,
                          missing=", ".join(repr(n) for n in missing),
                          keys=", ".join(repr(n) for n in names)))
        return None
    return result


def _matches(value: Any, expected: np.ndarray) -> bool:
    """Whether ``value`` is ``expected`` (shape and numbers, tight tolerance)."""
    if _unanswered(value):
        return False
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return arr.shape == expected.shape and bool(np.allclose(arr, expected, rtol=1e-6,
                                                             atol=1e-9))


def _sig(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _reference_cache(params: dict, X: np.ndarray) -> dict[str, np.ndarray]:
    """The engine's forward pass as the lesson's cache."""
    tr = _net_with(params).forward(X)
    return {"X": X.copy(), "z1": tr.z[1], "a1": tr.a[1], "z2": tr.z[2], "a2": tr.a[2]}


# --- exercise 1: forward -------------------------------------------------------------------

def check_forward(forward: Any) -> bool:
    """Check the learner's ``forward(params, X)`` on :data:`CHECK_X` against the engine.

    The cache must hold ``"z1"``, ``"a1"``, ``"z2"`` and ``"a2"`` (and ``"X"``,
    which :func:`check_backward` uses too): z¹ = X W¹ + b¹, a¹ = tanh(z¹),
    z² = a¹ W² + b², a² = ŷ = σ(z²).

    Parameters
    ----------
    forward : callable
        The learner's function.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    params, X, _ = _check_data()
    start = _t("lesson13.forward.start")
    called, cache = _call(forward, "forward", (params, X.copy()), start)
    if not called:
        return False
    cache = _dict_of(cache, ("X", *_CACHE_NAMES), "forward")
    if cache is None:
        return False
    ref = _reference_cache(params, X)
    W1, b1, W2, b2 = (params[k] for k in _PARAM_NAMES)
    z1, a1, z2 = ref["z1"], ref["a1"], ref["z2"]
    if not _matches(cache["X"], X):
        return verdict(False, _t("lesson13.forward.verdict_1"))
    mistakes = {
        "z1": [Mistake(X @ W1, _t("lesson13.forward.hint_1")),
               Mistake(np.tanh(X @ W1 + b1), _t("lesson13.forward.hint_2"))],
        "a1": [Mistake(z1, _t("lesson13.forward.hint_3")),
               Mistake(_sig(z1), _t("lesson13.forward.hint_4")),
               Mistake(np.maximum(z1, 0), _t("lesson13.forward.hint_5"))],
        "z2": [Mistake(z1 @ W2 + b2, _t("lesson13.forward.hint_6")),
               Mistake(a1 @ W2, _t("lesson13.forward.hint_7")),
               Mistake(_sig(z2), _t("lesson13.forward.hint_8"))],
        "a2": [Mistake(z2, _t("lesson13.forward.hint_9")),
               Mistake(np.tanh(z2), _t("lesson13.forward.hint_10")),
               Mistake(1 / (1 + np.exp(z2)), _t("lesson13.forward.hint_11"))],
    }
    hidden = _t("lesson13.forward.shape_hidden")
    output = _t("lesson13.forward.shape_output")
    shape_hints = {"z1": hidden, "a1": hidden, "z2": output, "a2": output}
    for name in _CACHE_NAMES:
        if not _matches(cache[name], ref[name]):
            return check_array(cache[name], ref[name], mistakes=mistakes[name],
                               otherwise=_t("lesson13.forward.otherwise", name=name),
                               shape_hint=shape_hints[name],
                               rtol=1e-6, atol=1e-9, start=start)
    return verdict(True, _t("lesson13.forward.verdict_2"))


# --- exercise 2: the loss ------------------------------------------------------------------

def check_loss(loss: Any) -> bool:
    """Check the learner's ``loss(a2, y)``: the mean binary cross-entropy over the samples.

    Parameters
    ----------
    loss : callable
        The learner's function.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    params, X, y = _check_data()
    a2 = _reference_cache(params, X)["a2"]
    start = _t("lesson13.loss.start")
    called, value = _call(loss, "loss", (a2.copy(), y.copy()), start)
    if not called:
        return False
    per_sample = -(y * np.log(a2) + (1 - y) * np.log(1 - a2))
    expected = _net_with(params).loss_value(X, y)
    n = X.shape[0]
    if isinstance(value, np.ndarray) and value.size > 1:
        if value.size == n and np.allclose(value.ravel(), per_sample.ravel(), rtol=1e-6):
            return verdict(False, _t("lesson13.loss.verdict_1"))
        return verdict(False, _t("lesson13.loss.verdict_2", shape=value.shape))
    return check_number(
        value, expected,
        mistakes=[
            Mistake(n * expected, _t("lesson13.loss.hint_1", n=n)),
            Mistake(-expected, _t("lesson13.loss.hint_2")),
            Mistake(float(np.mean(-y * np.log(a2))), _t("lesson13.loss.hint_3")),
            Mistake(float(np.mean((a2 - y) ** 2)), _t("lesson13.loss.hint_4")),
        ],
        praise=_t("lesson13.loss.praise"),
        otherwise=_t("lesson13.loss.otherwise"),
        rtol=1e-6, start=start)


# --- exercise 3: backward ------------------------------------------------------------------

def _wrong_gradients(params: dict, cache: dict, y: np.ndarray) -> dict[str, list[Mistake]]:
    """The classic mistakes in each gradient, computed from the engine's quantities."""
    net = _net_with(params)
    X = cache["X"]
    tr = net.forward(X)
    g = net.backward(tr, y)
    n = X.shape[0]
    W2 = params["W2"]
    a1, z1, a2, d1, d2 = tr.a[1], tr.z[1], tr.a[2], g.delta[1], g.delta[2]
    dl_da1 = g.dL_da[1]
    fprime_hint = _t("lesson13.wrong_gradients.fprime")
    no_fprime = dl_da1
    d2_extra = d2 * a2 * (1 - a2)  # σ′ applied again on top of ŷ − y
    not_summed = _t("lesson13.wrong_gradients.not_summed")
    # the bias mistakes first: alone, an averaged bias gradient is "N times too small"
    # for a reason of its own
    mistakes: dict[str, list[Mistake]] = {"W1": [], "W2": [], "b1": [
        Mistake(d1, _t("lesson13.wrong_gradients.hint_1", shape=d1.shape,
                                not_summed=not_summed)),
        Mistake(d1.sum(axis=1), _t("lesson13.wrong_gradients.hint_2", not_summed=not_summed)),
        Mistake(d1.mean(axis=0), _t("lesson13.wrong_gradients.hint_3", n=n)),
    ], "b2": [
        Mistake(d2, _t("lesson13.wrong_gradients.hint_4", shape=d2.shape,
                                not_summed=not_summed)),
        Mistake(d2.ravel(), _t("lesson13.wrong_gradients.hint_5", not_summed=not_summed)),
        Mistake(d2.mean(axis=0), _t("lesson13.wrong_gradients.hint_6", n=n)),
    ]}

    def add(delta1: np.ndarray, delta2: np.ndarray, hint: str, keys=_PARAM_NAMES) -> None:
        wrong = {"W2": a1.T @ delta2, "b2": delta2.sum(axis=0),
                 "W1": X.T @ delta1, "b1": delta1.sum(axis=0)}
        for k in keys:
            mistakes[k].append(Mistake(wrong[k], _t("lesson13.wrong_gradients.of", k=k,
                                                    hint=hint)))

    add(d1 * n, d2 * n, _t("lesson13.wrong_gradients.too_large", n=n))
    add(d1 / n, d2 / n, _t("lesson13.wrong_gradients.too_small", n=n))
    add(-d1, -d2, _t("lesson13.wrong_gradients.sign"))
    extra = (d2_extra @ W2.T) * (1 - a1 ** 2)
    add(extra, d2_extra, _t("lesson13.wrong_gradients.sigmoid_again"))
    add(no_fprime, d2, _t("lesson13.wrong_gradients.no_fprime", fprime=fprime_hint),
        keys=("W1", "b1"))
    add(dl_da1 * a1 * (1 - a1), d2, _t("lesson13.wrong_gradients.sigmoid_fprime",
                                       fprime=fprime_hint), keys=("W1", "b1"))
    add(dl_da1 * (1 - z1 ** 2), d2, _t("lesson13.wrong_gradients.fprime_of_z"),
        keys=("W1", "b1"))
    add(dl_da1 * a1, d2, _t("lesson13.wrong_gradients.times_a", fprime=fprime_hint),
        keys=("W1", "b1"))
    mistakes["W2"] += [
        Mistake(d2.T @ a1, _t("lesson13.wrong_gradients.hint_7")),
        Mistake(z1.T @ d2, _t("lesson13.wrong_gradients.hint_8")),
    ]
    mistakes["W1"] += [
        Mistake(d1.T @ X, _t("lesson13.wrong_gradients.hint_9")),
    ]
    return mistakes


def _constant_factor(value: Any, expected: np.ndarray) -> float | None:
    """k when ``value`` is k × ``expected`` (same shape, k ≠ 1, not 0), else ``None``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.shape != expected.shape or not np.all(np.isfinite(arr)):
        return None
    k = float(np.sum(arr * expected) / np.sum(expected * expected))
    if abs(k) < 1e-12 or np.isclose(k, 1.0) or not np.allclose(arr, k * expected, rtol=1e-6,
                                                               atol=1e-12):
        return None
    return k


def check_backward(backward: Any) -> bool:
    """Check the learner's ``backward(params, cache, y)`` against the engine's gradients.

    It is given the engine's cache for :data:`CHECK_X` (so it is checked on its
    own) and must return ``{"W1": ∂L/∂W¹, "b1": ∂L/∂b¹, "W2": ∂L/∂W², "b2":
    ∂L/∂b²}`` of the mean loss, each shaped like its parameter.  The gradients
    are checked in the order backpropagation computes them (W², b², W¹, b¹);
    the first wrong one gets the hint for the mistake it matches.

    Parameters
    ----------
    backward : callable
        The learner's function.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    params, X, y = _check_data()
    cache = _reference_cache(params, X)
    start = _t("lesson13.backward.start")
    given = {k: v.copy() for k, v in cache.items()}
    called, grads = _call(backward, "backward", ({k: v.copy() for k, v in params.items()},
                                                 given, y.copy()), start)
    if not called:
        return False
    grads = _dict_of(grads, _PARAM_NAMES, "backward")
    if grads is None:
        return False
    g = _net_with(params).backward(_net_with(params).forward(X), y)
    expected = {"W1": g.dW[0], "b1": g.db[0], "W2": g.dW[1], "b2": g.db[1]}
    shape_hints = {name: _t(f"lesson13.backward.shape_{name}") for name in _PARAM_NAMES}
    wrong = _wrong_gradients(params, cache, y)
    for name in _GRAD_ORDER:
        if not _matches(grads[name], expected[name]):
            factor = _constant_factor(grads[name], expected[name])
            known = any(_matches(grads[name], np.asarray(m.answer)) for m in wrong[name])
            if factor is not None and not known:
                return verdict(False, _t("lesson13.backward.verdict_1", name=name,
                                         factor=factor))
            return check_array(grads[name], expected[name], mistakes=wrong[name],
                               otherwise=_t("lesson13.backward.otherwise", name=name,
                                            letter=name[0],
                                            layer="¹" if name[1] == "1" else "²"),
                               shape_hint=shape_hints[name], rtol=1e-6, atol=1e-9,
                               start=start)
    return verdict(True, _t("lesson13.backward.verdict_2"))


# --- exercise 4: a numerical gradient ------------------------------------------------------

def check_numerical_gradient(numerical_gradient: Any) -> bool:
    """Check the learner's ``numerical_gradient(f, w, eps)``: central differences.

    It is called with the loss of the checkers' network as ``f`` and ``W1`` as
    ``w`` (eps = 1e-5), must return an array shaped like ``w`` and must leave
    ``w`` as it found it.

    Parameters
    ----------
    numerical_gradient : callable
        The learner's function.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    params, X, y = _check_data()
    net = _net_with(params)
    w = net.weights[0]  # the engine's own W1: changed in place by the learner's function
    before = w.copy()
    eps = 1e-5
    start = _t("lesson13.numerical_gradient.start")
    called, got = _call(numerical_gradient, "numerical_gradient",
                        (lambda: net.loss_value(X, y), w, eps), start)
    if not called:
        return False
    if not np.array_equal(w, before):
        return verdict(False, _t("lesson13.numerical_gradient.verdict_1"))
    exact = net.backward(net.forward(X), y).dW[0]
    forward_diff = np.zeros_like(w)
    loss0 = net.loss_value(X, y)
    for index in np.ndindex(w.shape):
        old = w[index]
        w[index] = old + eps
        forward_diff[index] = (net.loss_value(X, y) - loss0) / eps
        w[index] = old
    return check_array(
        got, exact,
        mistakes=[
            Mistake(2 * exact, _t("lesson13.numerical_gradient.hint_1")),
            Mistake(exact / 2, _t("lesson13.numerical_gradient.hint_2")),
            Mistake(-exact, _t("lesson13.numerical_gradient.hint_3")),
            Mistake(forward_diff, _t("lesson13.numerical_gradient.hint_4")),
        ],
        praise=_t("lesson13.numerical_gradient.praise"),
        otherwise=_t("lesson13.numerical_gradient.otherwise"),
        shape_hint=_t("lesson13.numerical_gradient.shape_hint"),
        rtol=1e-7, atol=1e-9, start=start)


# --- exercise 5: training ------------------------------------------------------------------

def reference_training(seed: int = 0, lr: float = LR, steps: int = STEPS
                       ) -> tuple[list[float], dict[str, np.ndarray]]:
    """Plain gradient descent on XOR with the engine: the loss of every step, final params.

    The loss of step t is the one its forward pass computes, before that step's
    update.
    """
    net = network(seed)
    X, y = np.array(X_XOR), np.array(Y_XOR)
    losses = []
    for _ in range(steps):
        trace = net.forward(X)
        grads = net.backward(trace, y)
        losses.append(grads.loss)
        net.step(grads, lr=lr)
    return losses, params_of(net)


def steps_to_full_accuracy(seed: int = 0, lr: float = LR, steps: int = STEPS) -> int | None:
    """The first step after which the engine's XOR network classifies all 4 points
    right (plain gradient descent from :func:`network` with ``seed``), or ``None``."""
    net = network(seed)
    X, y = np.array(X_XOR), np.array(Y_XOR)
    for t in range(1, steps + 1):
        net.step(net.backward(net.forward(X), y), lr=lr)
        if np.all((net.forward(X).a[-1] > 0.5) == (y > 0.5)):
            return t
    return None


def check_train(train: Any) -> bool:
    """Check the learner's ``train(params, X, y, lr, steps)`` on XOR.

    Called with :func:`initial_params` (seed 0), :data:`X_XOR`, :data:`Y_XOR`,
    ``lr`` = :data:`LR` and ``steps`` = :data:`STEPS`; it must update ``params``
    in place by plain gradient descent and return the loss of every step
    (computed before that step's update), as the engine does.

    Parameters
    ----------
    train : callable
        The learner's function (which calls their forward, loss and backward).

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    params = initial_params(0)
    X, y = np.array(X_XOR), np.array(Y_XOR)
    start = _t("lesson13.train.start")
    called, losses = _call(train, "train", (params, X, y, LR, STEPS), start)
    if not called:
        return False
    ref_losses, ref_params = reference_training(0)
    try:
        got = np.asarray(losses, dtype=float).ravel()
    except (TypeError, ValueError):
        return verdict(False, _t("lesson13.train.verdict_1", got=type(losses).__name__))
    if got.size != STEPS:
        return verdict(False, _t("lesson13.train.verdict_2", steps=STEPS, got=got.size))
    initial = initial_params(0)
    if all(np.array_equal(np.asarray(params[k]), initial[k]) for k in _PARAM_NAMES):
        return verdict(False, _t("lesson13.train.verdict_3"))
    if got[1] > got[0] > ref_losses[1]:  # (gradient descent lowers it at once, seed 0)
        return verdict(False, _t("lesson13.train.verdict_4"))
    if np.allclose(got[:-1], ref_losses[1:], rtol=1e-6):
        return verdict(False, _t("lesson13.train.verdict_5"))
    if not np.allclose(got, ref_losses, rtol=1e-6, atol=1e-12):
        return verdict(False, _t("lesson13.train.verdict_6"))
    if not all(_matches(params[k], ref_params[k]) for k in _PARAM_NAMES):
        return verdict(False, _t("lesson13.train.verdict_7"))
    return verdict(True, _t("lesson13.train.verdict_8", accuracy=accuracy_of(params),
                            steps=STEPS, first=steps_to_full_accuracy(0), start=got[0],
                            end=got[-1]))
