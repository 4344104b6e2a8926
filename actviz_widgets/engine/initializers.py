"""Weight initialisers: Xavier/Glorot, He, and a plain normal, each times a scale.

Lessons multiply the initial weights by ``weight_scale`` to make gradients
vanish (small scale) or explode (large scale), and switch between Xavier
(suits tanh and sigmoid) and He (suits ReLU) to fix them.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import check_choice

__all__ = ["INIT_NAMES", "init_std", "init_weights"]

#: Valid initialiser names; ``"auto"`` picks He for rectifiers, Xavier otherwise.
INIT_NAMES: tuple[str, ...] = ("auto", "xavier", "he", "normal")


def init_std(method: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the normal distribution an initialiser draws from.

    Parameters
    ----------
    method : {"xavier", "he", "normal"}
        ``xavier``: sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio, 2010);
        ``he``: sqrt(2 / fan_in) (He et al., 2015); ``normal``: 1.
    fan_in, fan_out : int
        Neurons feeding the layer and neurons in it.
    """
    method = check_choice("init", method, INIT_NAMES[1:])
    if method == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if method == "he":
        return math.sqrt(2.0 / fan_in)
    return 1.0


def init_weights(rng: np.random.Generator, fan_in: int, fan_out: int, method: str,
                 scale: float = 1.0) -> np.ndarray:
    """Draw a ``(fan_in, fan_out)`` weight matrix from N(0, (scale · std)²).

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator; PCG64 gives the same numbers on every machine.
    fan_in, fan_out : int
        Matrix shape.
    method : {"xavier", "he", "normal"}
        See :func:`init_std`.
    scale : float, default 1.0
        Multiplies the standard deviation.
    """
    std = init_std(method, fan_in, fan_out) * scale
    return rng.standard_normal((fan_in, fan_out)) * std
