"""Tests for PassStepper: one forward/backward/update pass, step by step."""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.stepper import PassStepper, Step, StepState

PER_LAYER = ("z", "a", "dadz", "dL_da", "delta", "dW", "db")


def bce_problem():
    """A 2-3-2-1 tanh/tanh/sigmoid net with the bce loss, 5 samples."""
    net = MLP([2, 3, 2, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 2))
    y = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    return net, X, y


def ce_problem():
    """A 2-4-3 relu net with the softmax cross-entropy loss, 6 samples."""
    net = MLP([2, 4, 3], activation="relu", loss="cross_entropy", seed=1)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 2))
    y = np.array([0, 2, 1, 1, 0, 2])
    return net, X, y


def keys(state: StepState) -> dict:
    known = {q: sorted(getattr(state, q)) for q in PER_LAYER}
    known.update(loss=state.loss is not None, prediction=state.prediction is not None,
                 update=state.new_weights is not None)
    return known


def row(z, a, dadz, back, loss, update):
    """Expected keys: forward layers, backward layers (dW/db are one below), flags."""
    return {"z": z, "a": a, "dadz": dadz, "dL_da": back, "delta": back,
            "dW": [l - 1 for l in back], "db": [l - 1 for l in back],
            "loss": loss, "prediction": loss, "update": update}


# Written out by hand for L = 3 (9 steps) and L = 2 (7 steps).
EXPECTED_L3 = [
    row([], [0], [], [], False, False),                                   # input
    row([1], [0, 1], [1], [], False, False),                              # forward 1
    row([1, 2], [0, 1, 2], [1, 2], [], False, False),                     # forward 2
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [], False, False),            # forward 3
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [], True, False),             # loss
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [3], True, False),            # backward 3
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [2, 3], True, False),         # backward 2
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [1, 2, 3], True, False),      # backward 1
    row([1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [1, 2, 3], True, True),       # update
]
EXPECTED_L2 = [
    row([], [0], [], [], False, False),
    row([1], [0, 1], [1], [], False, False),
    row([1, 2], [0, 1, 2], [1, 2], [], False, False),
    row([1, 2], [0, 1, 2], [1, 2], [], True, False),
    row([1, 2], [0, 1, 2], [1, 2], [2], True, False),
    row([1, 2], [0, 1, 2], [1, 2], [1, 2], True, False),
    row([1, 2], [0, 1, 2], [1, 2], [1, 2], True, True),
]


@pytest.mark.parametrize("problem, expected", [(bce_problem, EXPECTED_L3),
                                               (ce_problem, EXPECTED_L2)])
def test_each_step_knows_exactly_what_has_been_computed(problem, expected):
    s = PassStepper(*problem())
    assert s.n_steps == len(expected) == 2 * s.net.n_layers + 3
    for k, want in enumerate(expected):
        state = s.state_at(k)
        assert keys(state) == want, f"step {k} ({state.step.label})"
        assert (state.loss is None) == (not want["loss"])
        assert (state.new_biases is None) == (not want["update"])


def test_known_and_phase():
    s = PassStepper(*bce_problem())
    loss_state = s.state_at(4)
    assert loss_state.phase == "loss" and loss_state.current_layer is None
    assert loss_state.known("loss") and loss_state.known("prediction")
    assert loss_state.known("z", 3) and loss_state.known("a", 0)
    assert not loss_state.known("delta") and not loss_state.known("delta", 3)
    assert not loss_state.known("dW", 2) and not loss_state.known("new_weights")
    back2 = s.state_at(6)
    assert back2.phase == "backward" and back2.current_layer == 2
    assert back2.known("delta", 2) and back2.known("dW", 1) and not back2.known("delta", 1)
    assert not back2.known("dL_da", 0)  # the gradient w.r.t. the input is never computed
    assert s.state_at(1).phase == "forward" and s.state_at(1).current_layer == 1
    assert s.state_at(8).known("new_biases")


@pytest.mark.parametrize("call, error, message", [
    (lambda st: st.known("delta", 4), ValueError, r"layer must be an integer between 0 and 3"),
    (lambda st: st.known("dW", 3), ValueError, r"layer must be an integer between 0 and 2"),
    (lambda st: st.known("dw", 0), ValueError, r"quantity must be one of \['z', 'a'"),
    (lambda st: st.known("loss", 1), ValueError, r"layer must be None for 'loss'"),
    (lambda st: st.known(3), TypeError, r"quantity must be one of"),
    (lambda st: st.mean("dW", 0), ValueError, r"mean is for per-sample quantities"),
])
def test_known_rejects_bad_questions(call, error, message):
    state = PassStepper(*bce_problem()).state_at(8)
    with pytest.raises(error, match=message):
        call(state)


def test_steps_labels_and_descriptions():
    s = PassStepper(*bce_problem())
    assert [st.label for st in s.steps] == [
        "Input",
        "Forward: layer 1 (hidden, tanh)",
        "Forward: layer 2 (hidden, tanh)",
        "Forward: layer 3 (output, sigmoid)",
        "Loss (binary cross-entropy)",
        "Backward: layer 3 (output)",
        "Backward: layer 2",
        "Backward: layer 1",
        "Update weights (learning rate 0.1)",
    ]
    assert [(st.index, st.kind, st.layer) for st in s.steps] == [
        (0, "input", None), (1, "forward", 1), (2, "forward", 2), (3, "forward", 3),
        (4, "loss", None), (5, "backward", 3), (6, "backward", 2), (7, "backward", 1),
        (8, "update", None)]
    assert s.steps[1].description == "z¹ = a⁰ W¹ + b¹, a¹ = tanh(z¹) and f′(z¹)"
    assert s.steps[3].description == "z³ = a² W³ + b³, a³ = sigmoid(z³) and f′(z³)"
    assert s.steps[6].description.startswith("∂L/∂a² = δ³ (W³)ᵀ, δ² = ∂L/∂a² ⊙ f′(z²)")
    assert "∂L/∂W² = (a¹)ᵀ δ²" in s.steps[6].description
    assert "5 samples of 2 inputs" in s.steps[0].description
    assert "0.1" in s.steps[-1].description
    assert isinstance(s.steps[0], Step)
    with pytest.raises(AttributeError):
        s.steps[0].label = "changed"  # frozen
    ce = PassStepper(*ce_problem(), lr=0.25)
    assert ce.steps[3].label == "Loss (softmax cross-entropy)"
    assert ce.steps[2].label == "Forward: layer 2 (output, linear)"
    assert ce.steps[-1].label == "Update weights (learning rate 0.25)"


@pytest.mark.parametrize("problem", [bce_problem, ce_problem])
def test_values_equal_the_networks_own_pass(problem):
    net, X, y = problem()
    s = PassStepper(net, X, y, lr=0.1)
    tr = net.forward(X)
    g = net.backward(tr, y)
    L = net.n_layers
    final = s.state_at(s.n_steps - 1)
    for l in range(L + 1):
        np.testing.assert_array_equal(final.a[l], tr.a[l])
    for l in range(1, L + 1):
        np.testing.assert_array_equal(final.z[l], tr.z[l])
        np.testing.assert_array_equal(final.dadz[l], tr.dadz[l])
        np.testing.assert_array_equal(final.dL_da[l], g.dL_da[l])
        np.testing.assert_array_equal(final.delta[l], g.delta[l])
    for l in range(L):
        np.testing.assert_array_equal(final.dW[l], g.dW[l])
        np.testing.assert_array_equal(final.db[l], g.db[l])
    assert final.loss == g.loss
    # a separate reference for the first layer: z¹ = X W¹ + b¹ (net.weights[0])
    np.testing.assert_allclose(s.state_at(1).z[1], X @ net.weights[0] + net.biases[0],
                               rtol=1e-14)
    # earlier steps hand out the same values
    np.testing.assert_array_equal(s.state_at(1).a[1], tr.a[1])
    np.testing.assert_array_equal(s.state_at(L + 2).delta[L], g.delta[L])


def test_prediction_is_softmax_for_cross_entropy_and_output_for_bce():
    s = PassStepper(*ce_problem())
    z = s.trace.z[2]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(s.state_at(3).prediction, e / e.sum(axis=1, keepdims=True),
                               rtol=1e-14)
    b = PassStepper(*bce_problem())
    np.testing.assert_array_equal(b.state_at(4).prediction, b.trace.a[3])


@pytest.mark.parametrize("problem", [bce_problem, ce_problem])
def test_update_is_plain_gradient_descent(problem):
    net, X, y = problem()
    lr = 0.3
    s = PassStepper(net, X, y, lr=lr)
    g = net.backward(net.forward(X), y)
    update = s.state_at(s.n_steps - 1)
    for l in range(net.n_layers):
        np.testing.assert_array_equal(update.new_weights[l], net.weights[l] - lr * g.dW[l])
        np.testing.assert_array_equal(update.new_biases[l], net.biases[l] - lr * g.db[l])
        np.testing.assert_array_equal(s.new_weights[l], update.new_weights[l])
        np.testing.assert_array_equal(s.new_biases[l], update.new_biases[l])


def test_the_stepper_never_changes_the_net_by_itself():
    net, X, y = bce_problem()
    before = [p.copy() for p in net.weights + net.biases]
    s = PassStepper(net, X, y)
    for _ in range(s.n_steps + 2):
        s.next()
        _ = s.state
    s.recompute(lr=0.5)
    for p, q in zip(net.weights + net.biases, before):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("problem", [bce_problem, ce_problem])
def test_apply_update_changes_the_net_as_step_would(problem):
    net, X, y = problem()
    twin = net.copy()
    twin.step(twin.backward(twin.forward(X), y), lr=0.2)
    s = PassStepper(net, X, y, lr=0.2)
    s.go(s.n_steps - 1)
    s.apply_update()
    assert s.position == 0
    for p, q in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_array_equal(p, q)
    # the pass is recomputed on the new weights
    g = twin.backward(twin.forward(X), y)
    assert s.grads.loss == g.loss
    np.testing.assert_array_equal(s.state_at(s.n_steps - 1).dW[0], g.dW[0])
    np.testing.assert_array_equal(s.new_weights[0], twin.weights[0] - 0.2 * g.dW[0])


def test_apply_update_refuses_a_stale_pass():
    net, X, y = bce_problem()
    s = PassStepper(net, X, y)
    net.weights[1][0, 0] += 1.0
    changed = [p.copy() for p in net.weights + net.biases]
    s.go(5)
    with pytest.raises(ValueError, match=r"call recompute\(\) before apply_update"):
        s.apply_update()
    for p, q in zip(net.weights + net.biases, changed):
        np.testing.assert_array_equal(p, q)
    assert s.position == 5
    s.recompute()
    s.apply_update()  # fine once the pass is current
    assert s.position == 0


def test_recompute_after_changing_X_keeps_the_position():
    net, X, y = bce_problem()
    s = PassStepper(net, X, y)
    s.go(6)
    X2 = X[::-1] * 0.5
    s.recompute(X=X2, y=y[::-1])
    assert s.position == 6 and s.step.label == "Backward: layer 2"
    tr = net.forward(X2)
    g = net.backward(tr, y[::-1])
    np.testing.assert_array_equal(s.X, X2)
    np.testing.assert_array_equal(s.state.a[1], tr.a[1])
    np.testing.assert_array_equal(s.state.delta[2], g.delta[2])
    assert s.state.loss == g.loss
    # a new batch size is fine when X and y change together
    s.recompute(X=X[:2], y=y[:2])
    assert s.state.a[0].shape == (2, 2) and s.steps[0].description.startswith(
        "a⁰ = X, the batch: 2 samples")


def test_recompute_after_changing_weights_and_lr():
    net, X, y = bce_problem()
    s = PassStepper(net, X, y)
    s.go(3)
    net.weights[0] *= 2.0
    s.recompute(lr=0.05)
    assert s.position == 3 and s.lr == 0.05
    np.testing.assert_array_equal(s.state.z[1], X @ net.weights[0] + net.biases[0])
    assert s.steps[-1].label == "Update weights (learning rate 0.05)"


def test_recompute_with_fewer_layers_clamps_the_position():
    net, X, y = bce_problem()
    s = PassStepper(net, X, y)
    s.go(8)
    small = MLP([2, 1], loss="bce", seed=0)
    s.recompute(net=small)
    assert s.net is small and s.n_steps == 5 and s.position == 4 and s.at_end
    assert s.state.phase == "update"
    s.go(2)
    s.recompute(net=net)
    assert s.n_steps == 9 and s.position == 2


def snapshot(s: PassStepper):
    return (s.position, s.lr, s.X.copy(), s.y.copy(), s.n_steps, s.net,
            [st.label for st in s.steps], s.state.loss,
            [d.copy() for d in s.grads.dW], [w.copy() for w in s.new_weights])


def assert_unchanged(s: PassStepper, snap):
    position, lr, X, y, n_steps, net, labels, loss, dW, new_w = snap
    assert (s.position, s.lr, s.n_steps, s.net) == (position, lr, n_steps, net)
    np.testing.assert_array_equal(s.X, X)
    np.testing.assert_array_equal(s.y, y)
    assert [st.label for st in s.steps] == labels and s.state.loss == loss
    for a, b in zip(s.grads.dW, dW):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(s.new_weights, new_w):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(X=np.zeros((5, 3))), ValueError, r"X must have shape \(n_samples, 2\)"),
    (dict(X=np.zeros((4, 2))), ValueError, r"y must have shape \(4, 1\)"),
    (dict(y=np.full((5, 1), 2.0)), ValueError, r"values in \[0, 1\]"),
    (dict(X=np.full((5, 2), np.nan)), ValueError, "X must hold only finite values"),
    (dict(lr=0.0), ValueError, "lr must be a finite number > 0"),
    (dict(lr=-1.0), ValueError, "lr must be a finite number > 0"),
    (dict(lr="0.1"), TypeError, "lr must be a real number"),
    (dict(net="net"), TypeError, "net must be an MLP"),
    (dict(net=MLP([3, 1], loss="bce")), ValueError, r"X must have shape \(n_samples, 3\)"),
])
def test_bad_recompute_leaves_everything_as_it_was(kwargs, error, message):
    net, X, y = bce_problem()
    s = PassStepper(net, X, y)
    s.go(6)
    snap = snapshot(s)
    with pytest.raises(error, match=message):
        s.recompute(**kwargs)
    assert_unchanged(s, snap)


def test_bad_constructor_arguments():
    net, X, y = bce_problem()
    with pytest.raises(TypeError, match="net must be an MLP; got str"):
        PassStepper("net", X, y)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        PassStepper(net, np.zeros((5, 3)), y)
    with pytest.raises(ValueError, match=r"y must have shape \(5, 1\)"):
        PassStepper(net, X, y[:3])
    with pytest.raises(ValueError, match="lr must be a finite number > 0; got 0"):
        PassStepper(net, X, y, lr=0)
    net_ce, X_ce, _ = ce_problem()
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 2\]"):
        PassStepper(net_ce, X_ce, [0, 1, 2, 3, 0, 1])


def test_next_prev_clamp_at_the_ends():
    s = PassStepper(*ce_problem())  # 7 steps
    assert s.position == 0 and s.at_start and not s.at_end
    assert s.prev() == 0
    assert [s.next() for _ in range(8)] == [1, 2, 3, 4, 5, 6, 6, 6]
    assert s.at_end and s.step.kind == "update"
    assert s.prev() == 5 and s.step.label == "Backward: layer 1"
    s.reset()
    assert s.position == 0 and s.state.phase == "input"
    assert s.go(4) == 4 and s.state is s.state_at(4)


@pytest.mark.parametrize("bad, error, message", [
    (9, ValueError, r"position must be an integer between 0 and 8; got 9"),
    (-1, ValueError, r"position must be an integer between 0 and 8; got -1"),
    (2.0, TypeError, r"position must be an integer"),
])
def test_bad_position_names_the_valid_range_and_changes_nothing(bad, error, message):
    s = PassStepper(*bce_problem())
    s.go(3)
    with pytest.raises(error, match=message):
        s.position = bad
    with pytest.raises(error, match=message):
        s.go(bad)
    assert s.position == 3
    with pytest.raises(ValueError, match=r"k must be an integer between 0 and 8"):
        s.state_at(9)


def test_returned_arrays_cannot_corrupt_the_stepper():
    net, X, y = bce_problem()
    X_mine = X.copy()
    s = PassStepper(net, X_mine, y)
    final = s.state_at(8)
    z1 = final.z[1].copy()
    targets = [final.z[1], final.a[0], final.delta[2], final.dW[0], final.prediction,
               final.new_weights[0], s.trace.a[2], s.grads.dW[1], s.new_biases[0], s.X, s.y]
    for arr in targets:
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0
        with pytest.raises(ValueError):
            arr.flags.writeable = True
    with pytest.raises(TypeError):
        final.z[1] = np.zeros_like(z1)  # read-only mapping
    with pytest.raises(AttributeError):
        final.loss = 0.0  # frozen
    with pytest.raises(AttributeError):
        s.lr = 0.5  # change it with recompute(lr=...), which recomputes the update
    s.steps.clear()
    assert s.n_steps == len(s.steps) == 9
    # the user's X, and the net's weights, are not shared with the stepper either
    X_mine[0, 0] = 100.0
    net.weights[0][0, 0] = 100.0
    np.testing.assert_array_equal(s.state_at(8).z[1], z1)
    assert s.X[0, 0] == X[0, 0]


def test_mean_over_the_batch():
    s = PassStepper(*bce_problem())
    assert s.mean_over_batch
    state = s.state_at(2)
    np.testing.assert_allclose(state.mean("a", 2), state.a[2].sum(axis=0) / 5, rtol=1e-15)
    np.testing.assert_allclose(state.mean("z", 1), state.z[1].sum(axis=0) / 5, rtol=1e-15)
    assert state.mean("a", 2).shape == (2,)
    assert state.mean("delta", 2) is None and state.mean("z", 3) is None
    assert state.mean_over_batch and state.n_samples == 5
    back = s.state_at(7)
    np.testing.assert_allclose(back.mean("dL_da", 1), back.dL_da[1].sum(axis=0) / 5, rtol=1e-15)
    single = PassStepper(MLP([2, 1], loss="mse"), [0.5, -1.0], [0.25])
    assert not single.mean_over_batch and not single.state.mean_over_batch
    np.testing.assert_array_equal(single.state.mean("a", 0), [0.5, -1.0])


def test_repr_and_full_results():
    net, X, y = ce_problem()
    s = PassStepper(net, X, y)
    assert repr(s).startswith("PassStepper(step 0 of 6: 'Input', loss=")
    tr = net.forward(X)
    for l in range(1, 3):
        np.testing.assert_array_equal(s.trace.z[l], tr.z[l])
    assert s.trace.z[0] is None and s.grads.delta[0] is None and s.n_layers == 2


def test_empty_batches_and_non_real_inputs_are_refused():
    net = MLP([2, 3, 1], activation="tanh", loss="bce", seed=0)
    with pytest.raises(ValueError, match=r"X must hold at least one sample; got an empty batch"):
        PassStepper(net, np.zeros((0, 2)), np.zeros((0, 1)))
    stepper = PassStepper(net, [[0.5, -1.0]], [[1.0]])
    for X, match in [([[True, False]], "booleans"), ([["1", "2"]], "type str"),
                     (np.array([[1j, 0]]), "complex")]:
        with pytest.raises(TypeError, match=match):
            stepper.recompute(X=X)
    np.testing.assert_array_equal(stepper.X, [[0.5, -1.0]])  # left as it was


def test_apply_update_that_would_overflow_changes_nothing():
    net = MLP([1, 1], activation=[], loss="mse", seed=0)
    net.set_params([[[1e307]]], [[0.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        stepper = PassStepper(net, [[10.0]], [[0.0]], lr=1e10)
    with pytest.raises(FloatingPointError):
        stepper.apply_update()
    assert net.weights[0][0, 0] == 1e307 and stepper.position == 0
