"""Export a network to PyTorch: an equivalent ``torch.nn.Sequential``, or a script.

The exported model computes what the engine computes, to the last bits of
float64 (the tests hold outputs, loss and ∂L/∂W to 1e-12):

* layer ``l`` is ``nn.Linear(n_l, n_{l+1})`` holding ``weights[l].T`` (PyTorch
  stores a weight as (out, in); the engine as (in, out)) and ``biases[l]``,
  followed by the layer's activation, so ``model[-1]`` is always the output
  activation and ``model[:-1]`` gives the output layer's pre-activations z
  (the logits);
* each activation is the engine's own definition: PyTorch's modules where
  they agree (leaky ReLU's slope 0.01, ELU's α = 1, GELU's tanh form), and
  :data:`SOFTPLUS_SOURCE` for softplus (``nn.Softplus`` switches to the
  identity above z = 20, which is 2e-9 away from ln(1 + e^z));
* the loss is the engine's mean loss: ``nn.MSELoss()`` of the outputs (the
  mean over every element), ``nn.BCEWithLogitsLoss()`` of the logits (the
  engine also computes bce from the logits, never from the rounded sigmoid),
  ``nn.CrossEntropyLoss()`` of the logits (labels or probability rows).

PyTorch is optional: nothing here imports it until :func:`to_torch` or
:func:`torch_loss` is called, and then a missing PyTorch is a
``ModuleNotFoundError`` saying how to install it.  :func:`to_pytorch_code`
needs no PyTorch at all: it writes a script that does.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from .network import MLP

__all__ = ["to_torch", "to_pytorch_code", "torch_loss_module", "torch_loss", "TORCH_MODULES",
           "TORCH_LOSSES", "SOFTPLUS_SOURCE", "import_torch"]

#: The engine's softplus, ln(1 + e^z) = logaddexp(z, 0): exact for every z, and its
#: autograd derivative is σ(z) (0.5 at z = 0, as the engine's).
SOFTPLUS_SOURCE = '''\
class Softplus(nn.Module):
    """ln(1 + e^z) for every z (nn.Softplus returns z itself above z = 20)."""

    def forward(self, z):
        return torch.logaddexp(z, torch.zeros_like(z))
'''

#: Engine activation -> (PyTorch module class, keyword arguments). ``nn.X`` unless the
#: class is defined by :data:`SOFTPLUS_SOURCE`.
TORCH_MODULES: dict[str, tuple[str, dict[str, Any]]] = {
    "linear": ("nn.Identity", {}),
    "sigmoid": ("nn.Sigmoid", {}),
    "tanh": ("nn.Tanh", {}),
    "relu": ("nn.ReLU", {}),
    "leaky_relu": ("nn.LeakyReLU", {"negative_slope": 0.01}),
    "elu": ("nn.ELU", {"alpha": 1.0}),
    "softplus": ("Softplus", {}),
    "gelu": ("nn.GELU", {"approximate": "tanh"}),
    "silu": ("nn.SiLU", {}),
}

#: Engine loss -> (PyTorch loss class, whether it takes the logits rather than the outputs).
TORCH_LOSSES: dict[str, tuple[str, bool]] = {
    "mse": ("nn.MSELoss", False),
    "bce": ("nn.BCEWithLogitsLoss", True),
    "cross_entropy": ("nn.CrossEntropyLoss", True),
}

_INSTALL_HINT = ("PyTorch is not installed, and exporting to it needs it: install it with "
                 "'pip install torch' (the CPU-only build is enough). net.to_pytorch_code() "
                 "writes the script without PyTorch.")


def import_torch():
    """Import and return PyTorch, or raise a ``ModuleNotFoundError`` saying how to install it."""
    try:
        return importlib.import_module("torch")
    except ImportError as exc:
        raise ModuleNotFoundError(_INSTALL_HINT, name="torch") from exc


def _check_net(net) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    net.check_params()
    for act in net.activations:
        if act.name not in TORCH_MODULES:
            raise ValueError(f"the activation {act.name!r} has no PyTorch export; exportable: "
                             f"{', '.join(TORCH_MODULES)}")
    return net


def _namespace(torch) -> dict[str, Any]:
    """``torch``, ``nn`` and the classes of :data:`SOFTPLUS_SOURCE`, as the script has them.

    The class is made from the very text the script carries, so the script
    and :func:`to_torch` cannot drift apart.
    """
    space: dict[str, Any] = {"torch": torch, "nn": torch.nn}
    exec(compile(SOFTPLUS_SOURCE, "<actviz_widgets.engine.export>", "exec"), space)  # noqa: S102
    return space


def _resolve(space: dict[str, Any], dotted: str):
    obj = space[dotted.split(".")[0]]
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _check_dtype(torch, dtype):
    if dtype is None:
        return torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch dtype such as torch.float64 or "
                        f"torch.float32; got {dtype!r}")
    return dtype


def to_torch(net: MLP, dtype=None):
    """An equivalent ``torch.nn.Sequential`` holding copies of ``net``'s weights.

    Parameters
    ----------
    net : MLP
    dtype : torch.dtype, optional
        Of the parameters; default ``torch.float64``, the engine's precision.

    Returns
    -------
    torch.nn.Sequential
        ``Linear, activation`` for each layer (2 L modules): ``model(X)`` is
        the engine's ``forward(X).output`` and ``model[:-1](X)`` its output
        pre-activations. For ``cross_entropy`` the output is the logits (as
        the engine's ``a[L]``); ``net.predict`` is their softmax.

    Raises
    ------
    ModuleNotFoundError
        If PyTorch is not installed (the message says how to install it).
    TypeError
        If ``net`` is not an MLP or ``dtype`` not a floating-point torch dtype.
    """
    net = _check_net(net)
    torch = import_torch()
    dtype = _check_dtype(torch, dtype)
    space = _namespace(torch)
    layers = []
    for W, b, act in zip(net.weights, net.biases, net.activations):
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))
        cls, kwargs = TORCH_MODULES[act.name]
        layers += [linear, _resolve(space, cls)(**kwargs)]
    return torch.nn.Sequential(*layers)


def torch_loss_module(net: MLP):
    """The PyTorch loss module matching ``net.loss`` (see :data:`TORCH_LOSSES`)."""
    net = _check_net(net)
    torch = import_torch()
    return _resolve({"nn": torch.nn}, TORCH_LOSSES[net.loss.name][0])()


def torch_loss(net: MLP, model, X, y):
    """The engine's mean loss of ``(X, y)``, computed by PyTorch with ``model``.

    Parameters
    ----------
    net : MLP
        The network ``model`` was exported from (gives the loss).
    model : torch.nn.Sequential
        From :func:`to_torch`.
    X : array_like or torch.Tensor
        Inputs, ``(n_samples, n_inputs)``.
    y : array_like
        Targets as the engine takes them (checked by ``net.loss``).

    Returns
    -------
    torch.Tensor
        A scalar with a graph: ``.backward()`` gives ``∂L/∂W`` in the
        parameters' ``.grad`` (``layer.weight.grad`` is ``dW[l].T``).
    """
    loss_fn = torch_loss_module(net)
    torch = import_torch()
    dtype = next(model.parameters()).dtype
    # torch.tensor copies: the data may be read-only arrays (a Dataset's), which
    # torch.from_numpy would share with a warning
    X = X if isinstance(X, torch.Tensor) else torch.tensor(net.check_X(X), dtype=dtype)
    targets = net.loss.check_targets(y, X.shape[0], net.sizes[-1])
    if targets.dtype.kind in "iu":
        t = torch.tensor(targets, dtype=torch.int64)
    else:
        t = torch.tensor(targets, dtype=dtype)
    takes_logits = TORCH_LOSSES[net.loss.name][1]
    return loss_fn(model[:-1](X) if takes_logits else model(X), t)


# -- the script --------------------------------------------------------------------------------

_WIDTH = 99  # the script's longest line of numbers


def _nested(array: np.ndarray, indent: str) -> str:
    """An array as nested Python lists, each float written with ``repr`` (exact round trip).

    A row too long for one line continues on the next ones, aligned after its bracket.
    """
    if array.ndim == 1:
        numbers = [repr(float(v)) for v in array]
        lines, line = [], ""
        for number in numbers:
            if line and len(indent) + 4 + len(line) + len(number) > _WIDTH:
                lines.append(line + ",")
                line = ""
            line = f"{line}, {number}" if line else number
        lines.append(line)
        return "[" + ("\n" + indent + " ").join(lines) + "]"
    inner = indent + "    "
    rows = ",\n".join(inner + _nested(row, inner) for row in array)
    return "[\n" + rows + ",\n" + indent + "]"


def _call(cls: str, kwargs: dict[str, Any]) -> str:
    return f"{cls}(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def to_pytorch_code(net: MLP) -> str:
    """A short PyTorch script that rebuilds ``net`` with its weights, and its loss.

    The script needs only PyTorch. It defines ``model`` (as :func:`to_torch`
    makes it, in float64), ``loss_fn`` (the matching PyTorch loss) and
    ``loss_of(X, y)`` (the engine's mean loss of a batch); run as a program,
    it prints the model and its output for one input. Every weight is
    written with Python's ``repr``, which reads back as the same float64.

    Parameters
    ----------
    net : MLP

    Returns
    -------
    str
        The script's text.
    """
    net = _check_net(net)
    sizes = "-".join(map(str, net.sizes))
    acts = net.activation_names
    hidden = sorted(set(acts[:-1]), key=acts.index)
    loss_cls, takes_logits = TORCH_LOSSES[net.loss.name]
    lines = [
        f'"""A {sizes} network exported from actviz_widgets, with its trained weights.',
        "",
        (f"Hidden activations: {', '.join(hidden) or 'none'}; output: {acts[-1]}; "
         f"loss: {net.loss.display_name}."),
        "Everything is float64, as the engine computes. Needs only PyTorch.",
        '"""',
        "import torch",
        "from torch import nn",
        "",
    ]
    if "softplus" in acts:
        lines += ["", SOFTPLUS_SOURCE.rstrip(), "", ""]
    lines.append("model = nn.Sequential(")
    for l, act in enumerate(net.activations):
        n_in, n_out = net.sizes[l], net.sizes[l + 1]
        lines.append(f"    nn.Linear({n_in}, {n_out}),  # layer {l + 1}")
        lines.append(f"    {_call(*TORCH_MODULES[act.name])},")
    lines += [").double()", "",
              "# weights[l] has PyTorch's (out, in) layout: the engine's net.weights[l].T",
              "weights = ["]
    for W in net.weights:
        lines.append("    " + _nested(np.ascontiguousarray(W.T), "    ") + ",")
    lines += ["]", "biases = ["]
    for b in net.biases:
        lines.append("    " + _nested(b, "    ") + ",")
    lines += ["]",
              "with torch.no_grad():",
              "    for linear, W, b in zip(model[0::2], weights, biases):",
              "        linear.weight.copy_(torch.tensor(W, dtype=torch.float64))",
              "        linear.bias.copy_(torch.tensor(b, dtype=torch.float64))",
              ""]
    if takes_logits:
        what = (["the mean binary cross-entropy, from the logits (stable: no log",
                 "# of a rounded sigmoid)."] if net.loss.name == "bce" else
                ["softmax cross-entropy of the logits, the mean over samples;",
                 "# y holds class labels (torch.long) or probability rows."])
        lines += [f"# The loss: {what[0]}", what[1],
                  f"loss_fn = {loss_cls}()", "",
                  "",
                  "def loss_of(X, y):",
                  '    """The mean loss of a batch: model[:-1](X) are the output layer\'s logits."""',
                  "    return loss_fn(model[:-1](X), y)"]
    else:
        lines += ["# The loss: the mean over every output of (prediction - target)^2.",
                  f"loss_fn = {loss_cls}()", "",
                  "",
                  "def loss_of(X, y):",
                  '    """The mean loss of a batch."""',
                  "    return loss_fn(model(X), y)"]
    example = ", ".join(["0.5"] * net.sizes[0])
    lines += ["", "",
              'if __name__ == "__main__":',
              "    print(model)",
              f"    X = torch.tensor([[{example}]], dtype=torch.float64)",
              "    print(model(X))",
              ""]
    return "\n".join(lines)
