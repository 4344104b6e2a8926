"""Export to PyTorch: outputs, loss and ∂L/∂W agree with the engine to 1e-12 in float64
for every activation and loss; the generated script rebuilds the same network; without
PyTorch the export says how to install it, and importing the package never imports it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from actviz_widgets.engine.activations import ACTIVATION_NAMES
from actviz_widgets.engine.export import SOFTPLUS_SOURCE, TORCH_MODULES, to_pytorch_code
from actviz_widgets.engine.losses import LOSS_NAMES
from actviz_widgets.engine.network import MLP

TOL = 1e-12
SIZES = ([2, 3, 1], [3, 5, 4, 2], [1, 6, 6, 6, 3])


def _targets(loss: str, n: int, k: int, rng) -> np.ndarray:
    if loss == "cross_entropy":
        return rng.integers(0, k, size=n)
    if loss == "bce":
        return rng.uniform(0.0, 1.0, size=(n, k))
    return rng.normal(size=(n, k))


def _net(sizes, activation, loss, seed=0):
    # a loss's own output activation (sigmoid for bce, linear logits for cross-entropy);
    # mse takes the hidden activation at the output too, so every one is tested there
    out = None if loss != "mse" else activation
    net = MLP(sizes, activation=activation, output_activation=out, loss=loss, seed=seed)
    rng = np.random.default_rng(seed + 100)
    # non-zero biases and weights large enough to reach the activations' tails
    net.set_params([w * 2.5 for w in net.weights], [rng.normal(size=b.shape) for b in net.biases])
    return net


def _inputs(net, n, seed=1):
    X = np.random.default_rng(seed).normal(scale=2.0, size=(n, net.sizes[0]))
    X[0] = 0.0  # exact zeros: z = b, and ReLU-like kinks are met at their edges
    return X


def test_every_engine_activation_has_a_torch_module():
    assert set(TORCH_MODULES) == set(ACTIVATION_NAMES)


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_outputs_loss_and_gradients_agree(activation, loss, sizes):
    torch = pytest.importorskip("torch")
    from actviz_widgets.engine.export import torch_loss

    if loss == "cross_entropy" and sizes[-1] < 2:
        sizes = [*sizes[:-1], 2]
    net = _net(sizes, activation, loss)
    X = _inputs(net, 17)
    y = _targets(loss, 17, sizes[-1], np.random.default_rng(2))
    trace = net.forward(X)
    g = net.backward(trace, y)

    model = net.to_torch()
    assert all(p.dtype == torch.float64 for p in model.parameters())
    Xt = torch.from_numpy(X)
    np.testing.assert_allclose(model(Xt).detach().numpy(), trace.output, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(model[:-1](Xt).detach().numpy(), trace.z[-1], rtol=TOL,
                               atol=TOL)
    L = torch_loss(net, model, X, y)
    assert L.item() == pytest.approx(g.loss, rel=TOL, abs=TOL)
    L.backward()
    for l, linear in enumerate(model[0::2]):
        np.testing.assert_allclose(linear.weight.grad.numpy().T, g.dW[l], rtol=TOL,
                                   atol=TOL, err_msg=f"dW[{l}]")
        np.testing.assert_allclose(linear.bias.grad.numpy(), g.db[l], rtol=TOL, atol=TOL,
                                   err_msg=f"db[{l}]")


def test_softplus_is_the_engines_in_the_tails_where_torchs_own_is_not():
    torch = pytest.importorskip("torch")
    net = MLP([1, 1], activation="softplus", output_activation="softplus", loss="mse")
    net.set_params([np.ones((1, 1))], [np.zeros(1)])
    z = np.array([[-800.0], [-30.0], [0.0], [20.5], [30.0], [800.0]])
    ours = net.to_torch()(torch.from_numpy(z)).detach().numpy()
    np.testing.assert_array_equal(ours, net.forward(z).output)
    theirs = torch.nn.Softplus()(torch.from_numpy(z)).numpy()
    assert abs(theirs[3, 0] - ours[3, 0]) > 1e-9  # why the export has its own module
    # and its derivative is σ(z): one half at z = 0
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    net.to_torch()[1](t).backward()
    assert t.grad.item() == 0.5


def test_one_hot_rows_and_integer_labels_give_the_engines_cross_entropy():
    pytest.importorskip("torch")
    from actviz_widgets.engine.export import torch_loss

    net = _net([2, 4, 3], "tanh", "cross_entropy")
    X = _inputs(net, 9)
    labels = np.arange(9) % 3
    onehot = np.eye(3)[labels]
    model = net.to_torch()
    for y in (labels, onehot):
        assert torch_loss(net, model, X, y).item() == pytest.approx(net.loss_value(X, y),
                                                                    rel=TOL)


def test_float32_export_on_request():
    torch = pytest.importorskip("torch")
    net = _net([2, 4, 1], "gelu", "bce")
    model = net.to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    X = _inputs(net, 5)
    out = model(torch.from_numpy(X).float()).detach().numpy()
    np.testing.assert_allclose(out, net.forward(X).output, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="dtype must be a floating-point torch dtype"):
        net.to_torch(dtype=torch.int64)
    with pytest.raises(TypeError, match="dtype must be"):
        net.to_torch(dtype="float64")


def test_the_export_is_a_copy():
    torch = pytest.importorskip("torch")
    net = _net([2, 3, 1], "tanh", "bce")
    model = net.to_torch()
    before = net.weights[0].copy()
    with torch.no_grad():
        model[0].weight.zero_()
    np.testing.assert_array_equal(net.weights[0], before)


@pytest.mark.parametrize("activation,loss,sizes", [
    ("tanh", "bce", [2, 4, 4, 1]), ("softplus", "mse", [1, 5, 1]),
    ("leaky_relu", "cross_entropy", [3, 4, 3]), ("gelu", "mse", [2, 2]),
    ("relu", "bce", [2, 8, 8, 8, 1])])
def test_generated_script_rebuilds_the_network(activation, loss, sizes):
    torch = pytest.importorskip("torch")
    net = _net(sizes, activation, loss, seed=3)
    code = net.to_pytorch_code()
    assert code == to_pytorch_code(net)
    space: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), space)
    model = space["model"]
    # every weight reads back bit for bit (repr round-trips a float64)
    for l, linear in enumerate(model[0::2]):
        np.testing.assert_array_equal(linear.weight.detach().numpy().T, net.weights[l])
        np.testing.assert_array_equal(linear.bias.detach().numpy(), net.biases[l])
    X = _inputs(net, 11)
    y = _targets(loss, 11, sizes[-1], np.random.default_rng(4))
    out = model(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, net.forward(X).output, rtol=TOL, atol=TOL)
    yt = torch.from_numpy(y if loss == "cross_entropy" else y.reshape(11, -1))
    assert space["loss_of"](torch.from_numpy(X), yt).item() == pytest.approx(
        net.loss_value(X, y), rel=TOL, abs=TOL)
    assert ("class Softplus" in code) == (activation == "softplus")
    assert max(map(len, code.splitlines())) <= 99  # long rows of weights wrap


def test_generated_script_runs_as_a_program(tmp_path):
    pytest.importorskip("torch")
    net = _net([2, 3, 1], "softplus", "bce")
    path = tmp_path / "exported.py"
    path.write_text(net.to_pytorch_code(), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, check=True)
    expected = net.forward(np.full((1, 2), 0.5)).output[0, 0]
    assert "Sequential" in done.stdout
    assert f"{expected:.4f}" in done.stdout


def test_script_needs_no_torch_to_be_written_and_is_short(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    net = MLP([2, 4, 4, 1], activation="softplus", loss="bce", seed=0)
    code = net.to_pytorch_code()
    compile(code, "exported.py", "exec")  # valid Python
    assert SOFTPLUS_SOURCE in code
    assert "nn.BCEWithLogitsLoss()" in code and "model[:-1](X)" in code
    # short: beside one line per row of weights, under 60 lines
    rows = [line for line in code.splitlines() if line.startswith("        [")]
    assert len(rows) == 4 + 4 + 1
    assert len(code.splitlines()) - len(rows) < 60


def test_missing_torch_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch were not installed
    net = MLP([2, 3, 1], loss="bce")
    with pytest.raises(ModuleNotFoundError, match=r"pip install torch") as info:
        net.to_torch()
    assert "PyTorch is not installed" in str(info.value)
    assert info.value.name == "torch"
    with pytest.raises(ModuleNotFoundError, match="PyTorch is not installed"):
        from actviz_widgets.engine.export import torch_loss_module
        torch_loss_module(net)


def test_bad_networks_are_refused():
    with pytest.raises(TypeError, match="net must be an MLP; got list"):
        to_pytorch_code([1, 2])
    net = MLP([2, 3, 1])
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"net.weights\[0\] is not finite"):
        net.to_pytorch_code()


def test_importing_the_package_does_not_import_torch():
    code = ("import sys, actviz_widgets, actviz_widgets.engine.export, "
            "actviz_widgets.engine.network; print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "False"


def test_the_trained_playground_network_exports():
    torch = pytest.importorskip("torch")
    from actviz_widgets.engine.export import torch_loss
    from actviz_widgets.widgets.playground import Playground

    pg = Playground(dataset="circles", activation="relu", n_samples=60, grid_n=12)
    pg.run_frames(4)
    model = pg.net.to_torch()
    X = pg.data.X_test  # read-only, as every Dataset's arrays
    loss = torch_loss(pg.net, model, X, pg.data.y_test)
    assert loss.item() == pytest.approx(pg.net.loss_value(X, pg.data.y_test), rel=TOL)
    out = model(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(out, pg.net.predict(X), rtol=TOL, atol=TOL)
    space: dict = {}
    exec(compile(pg.net.to_pytorch_code(), "playground.py", "exec"), space)
    np.testing.assert_allclose(space["model"](torch.tensor(X)).detach().numpy(),
                               pg.net.predict(X), rtol=TOL, atol=TOL)
    pg.close()


def test_torch_is_there_where_it_is_required():
    """CI sets ACTVIZ_REQUIRE_TORCH=1 (.ci/run installs torch): the tests above must never skip there."""
    if os.environ.get("ACTVIZ_REQUIRE_TORCH", "") in ("", "0"):
        pytest.skip("torch is optional here (set ACTVIZ_REQUIRE_TORCH=1 to require it)")
    assert importlib.util.find_spec("torch") is not None, (
        "ACTVIZ_REQUIRE_TORCH is set but torch is not installed: pip install torch==2.13.0")
