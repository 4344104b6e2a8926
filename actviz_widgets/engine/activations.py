"""Activation functions, their derivatives, and a registry by name.

Each :class:`Activation` knows its value f(z), its derivative f'(z), a display
name, a LaTeX formula and its output range.  Values and derivatives are
computed without overflow for any finite input (``sigmoid(±1000)``,
``softplus(1000)``, ``elu(-1000)`` give their limits with no warning).

The derivative takes both ``z`` and ``a = f(z)`` because for several
functions (sigmoid, tanh, elu) it is cheapest from the value already
computed on the forward pass.  Both functions accept ``out=`` so the network
can reuse buffers in its hot path; the network calls them through
``_value_and_deriv``, which computes both at once where they share work
(GELU, SiLU, softplus), with the same numbers bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .validation import check_choice

__all__ = ["Activation", "ACTIVATIONS", "ACTIVATION_NAMES", "get_activation"]

ValueFn = Callable[[np.ndarray, "np.ndarray | None"], np.ndarray]
DerivFn = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]

_LEAKY_SLOPE = 0.01
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715
# Beyond |z| = 50 the GELU's tanh is exactly ±1 in float64; clipping keeps z**3 finite.
_GELU_CLIP = 50.0


@dataclass(frozen=True)
class Activation:
    """An activation function f with its derivative and teaching metadata.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"tanh"``.
    display_name : str
        Human-readable name, e.g. ``"tanh"`` or ``"Leaky ReLU"``.
    latex : str
        The formula in LaTeX (without dollar signs).
    output_range : tuple of float
        ``(low, high)`` bounds of f; ``±inf`` when unbounded.
    range_text : str
        The range written for people, e.g. ``"(0, 1)"``.
    value_fn, deriv_fn : callable
        ``value_fn(z, out)`` and ``deriv_fn(z, a, out)``.

    Examples
    --------
    >>> f = get_activation("sigmoid")
    >>> float(f(0.0)), float(f.grad(0.0))
    (0.5, 0.25)
    """

    name: str
    display_name: str
    latex: str
    output_range: tuple[float, float]
    range_text: str
    value_fn: ValueFn = field(repr=False)
    deriv_fn: DerivFn = field(repr=False)

    def __call__(self, z, out: np.ndarray | None = None) -> np.ndarray:
        """Return f(z) as a float array (0-d for a scalar input)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim == 0:  # the in-place kernels need a real array to write into
            return self.value_fn(z.reshape(1), None).reshape(())
        return self.value_fn(z, out)

    def value(self, z, out: np.ndarray | None = None) -> np.ndarray:
        """Return f(z); same as calling the activation."""
        return self(z, out)

    def grad(self, z, a: np.ndarray | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """Return the derivative f'(z).

        Parameters
        ----------
        z : array_like
            Pre-activations.
        a : numpy.ndarray, optional
            ``f(z)`` if already known (saves recomputing it).
        out : numpy.ndarray, optional
            Buffer for the result.
        """
        z = np.asarray(z, dtype=np.float64)
        if z.ndim == 0:
            return self.grad(z.reshape(1), None if a is None else np.reshape(a, 1)).reshape(())
        if a is None:
            a = self.value_fn(z, None)
        return self.deriv_fn(z, a, out)

    def is_relu_like(self) -> bool:
        """True for the rectifier family (He initialisation suits these)."""
        return self.name in ("relu", "leaky_relu", "elu", "gelu", "silu", "softplus")


# --- value and derivative functions -------------------------------------------------------

def _linear(z, out):
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _linear_d(z, a, out):
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


def _sigmoid(z, out):
    # With e = e^-|z| (never overflows): σ(z) = 1/(1+e) for z >= 0 and e/(1+e) for z < 0.
    # Accurate to the last bit in both tails (the (1 + tanh(z/2))/2 form cancels for
    # z << 0), and exp is cheaper than tanh in NumPy.
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.add(e, 1.0, out=out)
    np.divide(np.where(z < 0.0, e, 1.0), out, out=out)
    return out


def _sigmoid_d(z, a, out):
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh(z, out):
    return np.tanh(z, out=out)


def _tanh_d(z, a, out):
    out = np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_d(z, a, out):
    # Strictly z > 0: the derivative at exactly 0 is taken as 0.
    return np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)


def _leaky(z, out):
    # max(z, 0.01 z) equals z for z > 0 and 0.01 z otherwise.
    out = np.multiply(z, _LEAKY_SLOPE, out=out)
    np.maximum(z, out, out=out)
    return out


def _leaky_d(z, a, out):
    # max([z > 0], 0.01) is 1 for z > 0 and 0.01 otherwise, without a boolean mask.
    out = np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)
    np.maximum(out, _LEAKY_SLOPE, out=out)
    return out


def _elu(z, out):
    # expm1 of min(z, 0) never overflows. Taking the max with z then selects z
    # where z > 0 (expm1(0) = 0 < z) and keeps expm1(z) where z <= 0 (since
    # e^z - 1 >= z): the same as a masked copy, much faster than one.
    out = np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    np.maximum(z, out, out=out)  # (z first: on ties NumPy keeps out, so elu(-0.0) = +0.0)
    return out


def _elu_d(z, a, out):
    # For z <= 0, d/dz (e^z - 1) = e^z = a + 1 <= 1; for z > 0, a + 1 = z + 1 > 1,
    # so min(a + 1, 1) is the derivative everywhere.
    out = np.add(a, 1.0, out=out)
    np.minimum(out, 1.0, out=out)
    return out


def _softplus(z, out):
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|)
    out = np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def _softplus_d(z, a, out):
    return _sigmoid(z, out)


# The GELU kernels compute in place, one operation at a time in the order the
# formulas are written, so value, derivative and the fused pair agree bit for bit.

def _gelu_tanh(zc, out):
    """t = tanh(c (zc + k zc^3)) for the clipped zc, into ``out`` (not ``zc``)."""
    out = np.multiply(zc, _GELU_K, out=out)
    out *= zc
    out *= zc
    out += zc
    out *= _GELU_C
    return np.tanh(out, out=out)


def _gelu_slope(zc, out):
    """c (1 + 3k zc^2), the derivative of the tanh's argument, into ``out``."""
    out = np.multiply(zc, 3.0 * _GELU_K, out=out)
    out *= zc
    out += 1.0
    out *= _GELU_C
    return out


def _gelu(z, out):
    t = _gelu_tanh(np.clip(z, -_GELU_CLIP, _GELU_CLIP), None)
    t += 1.0
    out = np.multiply(z, 0.5, out=out)
    out *= t
    return out


def _gelu_d(z, a, out):
    # d/dz [z/2 (1 + t)] = (1 + t)/2 + z/2 (1 - t^2) c (1 + 3k z^2);
    # (1 - t^2) is exactly 0 where |z| > 50, so the clipped z is exact there too.
    zc = np.clip(z, -_GELU_CLIP, _GELU_CLIP)
    t = _gelu_tanh(zc, None)
    inner = _gelu_slope(zc, None)
    sech2 = np.multiply(t, t)
    np.subtract(1.0, sech2, out=sech2)
    out = np.multiply(zc, 0.5, out=out)
    out *= sech2
    out *= inner
    t += 1.0
    t *= 0.5
    out += t
    return out


def _gelu_pair(z, a, d):
    # _gelu and _gelu_d sharing zc and t: one tanh instead of two.
    zc = np.clip(z, -_GELU_CLIP, _GELU_CLIP)
    t = _gelu_tanh(zc, a)
    _gelu_slope(zc, d)
    zc *= 0.5
    tmp = np.multiply(t, t)
    np.subtract(1.0, tmp, out=tmp)
    zc *= tmp
    np.multiply(zc, d, out=d)
    t += 1.0
    np.multiply(t, 0.5, out=tmp)
    d += tmp
    np.multiply(z, 0.5, out=tmp)
    a *= tmp
    return a, d


def _silu(z, out):
    s = _sigmoid(z, None)
    return np.multiply(z, s, out=out)


def _silu_d(z, a, out):
    # s + z s (1 - s) = s (1 + z (1 - s))
    s = _sigmoid(z, None)
    out = np.subtract(1.0, s, out=out)
    out *= z
    out += 1.0
    out *= s
    return out


def _silu_pair(z, a, d):
    # _silu and _silu_d sharing the sigmoid (kept in d until the end).
    s = _sigmoid(z, d)
    np.multiply(z, s, out=a)
    tmp = np.subtract(1.0, s)
    tmp *= z
    tmp += 1.0
    d *= tmp
    return a, d


def _softplus_pair(z, a, d):
    # _softplus using d as scratch for max(z, 0), then d = sigmoid(z).
    np.abs(z, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    np.log1p(a, out=a)
    a += np.maximum(z, 0.0, out=d)
    return a, _sigmoid(z, d)


_INF = math.inf
# Minima of GELU and SiLU, for their output ranges.
_GELU_MIN = -0.17005
_SILU_MIN = -0.27847

ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("linear", "linear (identity)", r"f(z) = z", (-_INF, _INF), "(-∞, ∞)",
                   _linear, _linear_d),
        Activation("sigmoid", "sigmoid", r"f(z) = \frac{1}{1 + e^{-z}}", (0.0, 1.0), "(0, 1)",
                   _sigmoid, _sigmoid_d),
        Activation("tanh", "tanh", r"f(z) = \tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
                   (-1.0, 1.0), "(-1, 1)", _tanh, _tanh_d),
        Activation("relu", "ReLU", r"f(z) = \max(0, z)", (0.0, _INF), "[0, ∞)", _relu, _relu_d),
        Activation("leaky_relu", "Leaky ReLU",
                   r"f(z) = \begin{cases} z & z > 0 \\ 0.01\,z & z \le 0 \end{cases}",
                   (-_INF, _INF), "(-∞, ∞)", _leaky, _leaky_d),
        Activation("elu", "ELU",
                   r"f(z) = \begin{cases} z & z > 0 \\ e^{z} - 1 & z \le 0 \end{cases}",
                   (-1.0, _INF), "(-1, ∞)", _elu, _elu_d),
        Activation("softplus", "softplus", r"f(z) = \ln(1 + e^{z})", (0.0, _INF), "(0, ∞)",
                   _softplus, _softplus_d),
        Activation("gelu", "GELU (tanh approx.)",
                   r"f(z) = \frac{z}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715\,z^{3})\right)\right)",
                   (_GELU_MIN, _INF), "[-0.17, ∞)", _gelu, _gelu_d),
        Activation("silu", "SiLU (swish)", r"f(z) = z\,\sigma(z) = \frac{z}{1 + e^{-z}}",
                   (_SILU_MIN, _INF), "[-0.28, ∞)", _silu, _silu_d),
    )
}

#: Names of every registered activation, in a teaching order.
ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)

# Kernels that compute f(z) and f'(z) together, sharing work or scratch memory,
# with results identical to value_fn then deriv_fn. Keyed by both functions so
# that an Activation built with other functions never picks one up.
_PAIR_FNS = {
    (_gelu, _gelu_d): _gelu_pair,
    (_silu, _silu_d): _silu_pair,
    (_softplus, _softplus_d): _softplus_pair,
}


def _value_and_deriv(act: Activation, z: np.ndarray, a_out: np.ndarray | None = None,
                     d_out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(f(z), f'(z))`` for a float array ``z``, into the buffers if given.

    The network's forward pass uses this: the same numbers as
    ``act.value_fn`` then ``act.deriv_fn``, faster where the two share work.
    """
    pair = _PAIR_FNS.get((act.value_fn, act.deriv_fn))
    if pair is None:
        a = act.value_fn(z, a_out)
        return a, act.deriv_fn(z, a, d_out)
    return pair(z, np.empty_like(z) if a_out is None else a_out,
                np.empty_like(z) if d_out is None else d_out)


def get_activation(name: str | Activation) -> Activation:
    """Look up an activation by name.

    Parameters
    ----------
    name : str or Activation
        One of :data:`ACTIVATION_NAMES` (case-insensitive), or an
        :class:`Activation`, which is returned unchanged.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.
    TypeError
        If ``name`` is not a string.
    """
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[check_choice("activation", name, ACTIVATIONS)]
