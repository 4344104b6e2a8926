"""The operations of a scalar computational graph: value, local derivatives, formulas.

Each :class:`Op` computes a node's value from its parents' values together
with the *local derivative* of the node with respect to each parent (the
factor the chain rule multiplies the upstream gradient by), and writes both
as formulas for people, with symbols or with the numbers plugged in.

The operations are those of a micrograd-style autodiff engine (``+``, ``−``,
``×``, ``÷``, a power by a constant, negation, ``exp``, ``ln``, ``tanh``,
``σ``, ``ReLU``), any activation of :mod:`~actviz_widgets.engine.activations`
(so a graph neuron computes exactly what the network computes), and the two
losses of one neuron, squared error and binary cross-entropy, each as one
node, as :class:`~actviz_widgets.engine.MLP` computes them for one sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..i18n import tr
from .activations import get_activation

__all__ = ["Op", "OPS", "get_op", "fmt_num", "subscript_digits", "wrap", "check_real"]

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")
_SUBSCRIPT_CHARS = set("₀₁₂₃₄₅₆₇₈₉")
# Badges are small: activations with a long display name get a short one.
_SHORT_NAMES = {"leaky_relu": "LReLU", "linear": "id", "gelu": "GELU", "silu": "SiLU"}
# Above e^709.78 a float64 overflows; the stable binary cross-entropy caps there too.
_EXP_MAX = 709.0


def check_real(name: str, value) -> float:
    """Return ``value`` as a float if it is one finite real number (not a bool), else raise.

    Raises
    ------
    TypeError
        For a non-number (or a bool); the message names ``name``.
    ValueError
        For NaN or infinity.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {value!r} of type "
                        f"{type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return number


def subscript_digits(name: str) -> str:
    """``name`` with its digits written as subscripts: ``"w1"`` → ``"w₁"``."""
    return name.translate(_SUBSCRIPT)


def fmt_num(value: float, digits: int = 3) -> str:
    """A number for a formula: ``digits`` significant digits, true minus sign.

    Whole numbers below 10⁴ are written without decimals (``1``, ``−2``,
    ``0``), so a local derivative of 1 reads ``1``, not ``1.00``.
    """
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    if value == 0.0:
        return "0"
    if value.is_integer() and abs(value) < 1e4:
        return str(int(value)).replace("-", "−")
    text = f"{value:#.{digits}g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return text.replace(".e", "e").rstrip(".").replace("-", "−")


def _is_atom(text: str) -> bool:
    """True if ``text`` reads as one symbol in a product: ``x``, ``w₁``, ``0.5``, ``L``."""
    if not text or text[0] == "−" or any(c in text for c in " +−·×/()"):
        return False
    base = [c for c in text if c not in _SUBSCRIPT_CHARS and c != "′"]
    return len(base) <= 1 or all(c.isdigit() or c in ".e∞" for c in base)


def wrap(text: str) -> str:
    """``text`` in parentheses unless it reads as one symbol (``(w₁x₁)``, ``(−0.5)``)."""
    return text if _is_atom(text) else f"({text})"


def _power_text(exponent: float) -> str:
    text = fmt_num(exponent, 4).replace("−", "-")
    return text.translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class Op:
    """An operation of the graph (one node computes one op of its parents).

    Parameters
    ----------
    name : str
        Registry key: ``"add"``, ``"mul"``, ``"act"``, ...
    symbol : str
        What the node's op badge shows: ``"+"``, ``"×"``, ``"σ"``, ...
    arity : int or None
        Number of parents; ``None`` for any number ≥ 1 (a sum).
    """

    name: str
    symbol: str
    arity: int | None

    @property
    def rule_key(self) -> str:
        """The catalogue key of :attr:`rule`: ``"graphsteps.rule.<name>"``."""
        return f"graphsteps.rule.{self.name}"

    @property
    def rule(self) -> str:
        """What the local derivative is, in words, in English (``tr(op.rule_key, "zh")``
        gives it in Chinese)."""
        return tr(self.rule_key, "en")

    # -- numbers ---------------------------------------------------------------------------
    def forward(self, args: tuple[float, ...], param=None,
                logit: float | None = None) -> tuple[float, tuple[float, ...]]:
        """The value and the local derivative with respect to each argument.

        Parameters
        ----------
        args : tuple of float
            The parents' values, in order.
        param : float or str, optional
            The exponent of ``pow``, the activation name of ``act``.
        logit : float, optional
            For ``bce``: the logit z when the prediction is σ(z), so the loss
            is computed from z, finite and exact however close a is to 0 or 1.

        Returns
        -------
        (float, tuple of float)

        Raises
        ------
        ValueError
            Where the operation is undefined or overflows (ln of a number ≤ 0,
            division by 0, exp above 709, ...); the message says which.
        """
        return _FORWARD[self.name](args, param, logit)

    # -- formulas --------------------------------------------------------------------------
    def symbol_for(self, param=None) -> str:
        """The badge text, with the parameter filled in (``x²``, ``softplus``)."""
        if self.name == "pow":
            return "x" + _power_text(param)
        if self.name == "act":
            return _SHORT_NAMES.get(param, get_activation(param).display_name)
        return self.symbol

    def expression(self, args: list[str], param=None) -> str:
        """The operation applied to ``args`` (labels or formatted numbers).

        >>> get_op("mul").expression(["w₁", "x₁"])
        'w₁ · x₁'
        >>> get_op("add").expression(["0.5", "−0.6"])
        '0.5 + (−0.6)'
        """
        n = self.name
        if n == "add":
            return " + ".join([args[0], *[wrap(a) if a.startswith("−") else a
                                          for a in args[1:]]])
        if n == "sub":
            second = wrap(args[1]) if args[1].startswith("−") or " " in args[1] else args[1]
            return f"{args[0]} − {second}"
        if n == "mul":
            return f"{wrap(args[0])} · {wrap(args[1])}"
        if n == "div":
            return f"{wrap(args[0])} / {wrap(args[1])}"
        if n == "neg":
            return f"−{wrap(args[0])}"
        if n == "pow":
            return f"{wrap(args[0])}{_power_text(param)}"
        if n == "exp":
            return f"exp({args[0]})"
        if n == "log":
            return f"ln({args[0]})"
        if n == "act":
            return f"{get_activation(param).name}({args[0]})"
        if n in ("tanh", "relu"):
            return f"{n}({args[0]})"
        if n == "sigmoid":
            return f"σ({args[0]})"
        if n == "mse":
            return f"({args[0]} − {wrap(args[1]) if args[1].startswith('−') else args[1]})²"
        if n == "bce":
            a, y = args
            return f"−[{y} ln {wrap(a)} + (1 − {y}) ln(1 − {a})]"
        raise AssertionError(n)

    def local_text(self, args: list[str], slot: int, value: str, param=None) -> str:
        """The local derivative ∂node/∂(argument ``slot``), written with symbols.

        Parameters
        ----------
        args : list of str
            The parents' labels.
        slot : int
            Which argument.
        value : str
            The node's own label (``exp`` and ``σ`` write their derivative with it).
        param : float or str, optional
            As for :meth:`forward`.
        """
        n = self.name
        if n == "add":
            return "1"
        if n == "sub":
            return "1" if slot == 0 else "−1"
        if n == "mul":
            return args[1 - slot]
        if n == "div":
            a, b = args
            return f"1/{wrap(b)}" if slot == 0 else f"−{wrap(a)}/{wrap(b)}²"
        if n == "neg":
            return "−1"
        if n == "pow":
            p = float(param)
            if p == 2.0:
                return f"2{wrap(args[0])}"
            return f"{fmt_num(p, 4)}·{wrap(args[0])}{_power_text(p - 1.0)}"
        if n == "exp":
            return f"exp({args[0]}) = {value}"
        if n == "log":
            return f"1/{wrap(args[0])}"
        if n == "tanh":
            return f"1 − {wrap(value)}²"
        if n == "sigmoid":
            return f"{wrap(value)}(1 − {value})"
        if n == "relu":
            return f"1 if {args[0]} > 0 else 0"
        if n == "act":
            return f"f′({args[0]})"
        if n == "mse":
            a, y = args
            return f"2({a} − {y})" if slot == 0 else f"−2({a} − {y})"
        if n == "bce":
            a, y = args
            return f"({a} − {y}) / ({a}(1 − {a}))" if slot == 0 else f"ln(1 − {a}) − ln {a}"
        raise AssertionError(n)


# -- forward kernels ---------------------------------------------------------------------------

def _add(args, param, logit):
    return math.fsum(args) if len(args) > 2 else sum(args, 0.0), (1.0,) * len(args)


def _sub(args, param, logit):
    a, b = args
    return a - b, (1.0, -1.0)


def _mul(args, param, logit):
    a, b = args
    return a * b, (b, a)


def _div(args, param, logit):
    a, b = args
    if b == 0.0:
        raise ValueError("division by zero: the denominator of a / b is 0")
    return a / b, (1.0 / b, -a / (b * b))


def _neg(args, param, logit):
    return -args[0], (-1.0,)


def _pow(args, param, logit):
    (a,), p = args, float(param)
    if a < 0.0 and not p.is_integer():
        raise ValueError(f"a negative number to the power {fmt_num(p, 4)} is not a real "
                         f"number; got base {a!r}")
    if a == 0.0 and p < 1.0:
        raise ValueError(f"the power {fmt_num(p, 4)} of 0 has no finite derivative; got base 0")
    try:
        value, local = a ** p, p * a ** (p - 1.0)
    except OverflowError:
        raise ValueError(f"{a!r} to the power {fmt_num(p, 4)} overflows a float") from None
    if not (math.isfinite(value) and math.isfinite(local)):
        raise ValueError(f"{a!r} to the power {fmt_num(p, 4)} overflows a float")
    return value, (local,)


def _exp(args, param, logit):
    (a,) = args
    if a > _EXP_MAX:
        raise ValueError(f"exp({a!r}) overflows a float (the largest is about e^709)")
    value = math.exp(a)
    return value, (value,)


def _log(args, param, logit):
    (a,) = args
    if not a > 0.0:
        raise ValueError(f"ln(x) needs x > 0; got x = {a!r}")
    return math.log(a), (1.0 / a,)


def _activation(name: str, z: float) -> tuple[float, float]:
    act = get_activation(name)
    value = float(act(z))
    return value, float(act.grad(z))


def _tanh(args, param, logit):
    value, local = _activation("tanh", args[0])
    return value, (local,)


def _sigmoid(args, param, logit):
    # σ′(z) = σ(z) σ(−z): exact in both tails, where a (1 − a) rounds to 0 although
    # the derivative is not 0 (a = σ(40) is exactly 1.0 in float64).
    act = get_activation("sigmoid")
    value = float(act(args[0]))
    return value, (value * float(act(-args[0])),)


def _relu(args, param, logit):
    value, local = _activation("relu", args[0])
    return value, (local,)


def _act(args, param, logit):
    if param == "sigmoid":
        return _sigmoid(args, param, logit)
    value, local = _activation(param, args[0])
    return value, (local,)


def _mse(args, param, logit):
    # (a − y)² and 2(a − y), operation for operation as MLP's mse for one output
    a, y = args
    d = a - y
    return d * d, (d * 2.0, -(d * 2.0))


def _bce(args, param, logit):
    a, y = args
    if logit is not None:
        # softplus(z) − y z and ∂L/∂a = (1 − y)(1 + e^z) − y(1 + e^−z), as the engine's
        # loss computes them (exact and finite when a rounds to 0 or 1); ∂L/∂y = −z
        z = logit
        zc = min(max(z, -_EXP_MAX), _EXP_MAX)
        value = float(np.logaddexp(0.0, z)) - y * z
        return value, ((1.0 - y) * (1.0 + math.exp(zc)) - y * (1.0 + math.exp(-zc)), -z)
    if not 0.0 < a < 1.0:
        raise ValueError(f"binary cross-entropy needs a prediction a strictly between 0 and 1; "
                         f"got a = {a!r}")
    value = -(y * math.log(a) + (1.0 - y) * math.log1p(-a))
    return value, ((a - y) / (a * (1.0 - a)), math.log1p(-a) - math.log(a))


_FORWARD = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "neg": _neg, "pow": _pow,
            "exp": _exp, "log": _log, "tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu,
            "act": _act, "mse": _mse, "bce": _bce}

#: Every operation by name (the rule of each, in words, is ``graphsteps.rule.<name>``).
OPS: dict[str, Op] = {op.name: op for op in (
    Op("add", "+", None), Op("sub", "−", 2), Op("mul", "×", 2), Op("div", "÷", 2),
    Op("neg", "−x", 1), Op("pow", "xⁿ", 1), Op("exp", "exp", 1), Op("log", "ln", 1),
    Op("tanh", "tanh", 1), Op("sigmoid", "σ", 1), Op("relu", "ReLU", 1), Op("act", "f", 1),
    Op("mse", "(a−y)²", 2), Op("bce", "bce", 2),
)}


def get_op(name: str) -> Op:
    """The operation called ``name`` (one of :data:`OPS`)."""
    try:
        return OPS[name]
    except KeyError:
        raise ValueError(f"unknown op {name!r}; expected one of {sorted(OPS)}") from None
