"""Bad inputs and bad files get a clear error, and nothing changes.

Two kinds of test:

* property tests (hypothesis) generate bad arrays, bad arguments and bad
  files (JSON and ``.npz``, with crafted ``.npy`` headers, deep nesting and
  wrong types) and assert that each raises ``TypeError`` or ``ValueError``
  naming the argument or the file, that the network (and the optimiser's
  state) is exactly as before, and that a crafted file never makes the
  loader allocate more than a few megabytes;
* regression tests reproduce, one by one, the engine and file cases that
  were found to fail.

Hypothesis runs derandomized (the examples depend only on the test), with a
modest number of examples, so the file is reproducible in CI and quick.
"""

from __future__ import annotations

import io
import json
import math
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.optimizers import SGD, Adam
from actviz_widgets.engine.serialization import load_network, save_network
from actviz_widgets.engine.stepper import PassStepper
from actviz_widgets.engine.training import Trainer
from actviz_widgets.engine.validation import (MAX_BATCH_VALUES, MAX_NOISE, MAX_PARAMETERS,
                                              MAX_SAMPLES, MAX_UNITS)

#: Shared by every property test: same examples on every run, no example database.
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=40,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

SIZES = [3, 4, 2]


def make_net(loss: str = "mse") -> MLP:
    net = MLP(SIZES, activation="tanh", loss=loss, seed=5)
    rng = np.random.default_rng(2)  # irregular values, so any change shows
    net.set_params([w + rng.normal(size=w.shape) for w in net.weights],
                   [rng.normal(size=b.shape) for b in net.biases])
    return net


def params(net: MLP) -> list[np.ndarray]:
    return [p.copy() for p in net.weights + net.biases]


def assert_unchanged(net: MLP, before: list[np.ndarray]) -> None:
    after = net.weights + net.biases
    assert len(after) == len(before)
    for p, q in zip(after, before):
        assert p.dtype == np.float64 and p.shape == q.shape
        np.testing.assert_array_equal(p, q)


# -- strategies: bad arrays ----------------------------------------------------------------

NOT_A_NUMBER = st.sampled_from([True, False, np.bool_(True), "0.5", "", None, 1 + 2j,
                                np.complex128(0.5), [1.0], {"a": 1}, b"1"])
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


@st.composite
def bad_arrays(draw, shape: tuple[int, ...]):
    """Something that is not a finite real array of ``shape``, and why.

    Returns ``(value, kind)`` with kind one of "dtype", "leaf", "shape",
    "finite".
    """
    kind = draw(st.sampled_from(["dtype", "leaf", "shape", "finite"]))
    good = np.round(draw(st.lists(st.floats(-3, 3), min_size=math.prod(shape),
                                  max_size=math.prod(shape))), 3)
    good = np.array(good, dtype=np.float64).reshape(shape)
    if kind == "dtype":  # a NumPy array of a dtype that is not a real number
        dtype = draw(st.sampled_from([bool, complex, "U3", object, "S2", "M8[s]"]))
        if dtype is object:
            value = good.astype(object)
            value.flat[draw(st.integers(0, value.size - 1))] = draw(NOT_A_NUMBER)
        elif dtype == "M8[s]":
            value = np.zeros(shape, dtype="M8[s]")
        else:
            value = good.astype(dtype)
        return value, kind
    if kind == "leaf":  # nested lists with one leaf that is not a real number
        value = good.tolist()
        index = draw(st.integers(0, good.size - 1))
        row = value
        for axis_index in np.unravel_index(index, shape)[:-1]:
            row = row[axis_index]
        row[np.unravel_index(index, shape)[-1]] = draw(NOT_A_NUMBER)
        return value, kind
    if kind == "shape":
        other = draw(st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple))
        if other == shape:
            other = shape + (1,)
        return np.zeros(other), kind
    value = good.copy()
    value.flat[draw(st.integers(0, value.size - 1))] = draw(NON_FINITE)
    return value, kind


def expect_clear_error(call, *names: str) -> Exception:
    """Run ``call``; it must raise TypeError/ValueError whose message names one of ``names``."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    message = str(info.value)
    assert any(name in message for name in names), message
    return info.value


# -- properties: the engine ----------------------------------------------------------------

@PROPERTY
@given(bad=bad_arrays((5, 3)))
def test_forward_refuses_bad_inputs(bad):
    value, kind = bad
    net = make_net()
    before = params(net)
    if kind == "shape" and np.shape(value)[-1:] == (3,) and np.ndim(value) in (1, 2) and (
            np.size(value) > 0):
        return  # (a valid batch after all)
    expect_clear_error(lambda: net.forward(value), "X ", "X")
    assert_unchanged(net, before)


@PROPERTY
@given(part=st.sampled_from(["X_train", "y_train", "X_test", "y_test"]), data=st.data(),
       use=st.sampled_from(["Trainer", "PassStepper"]))
def test_trainer_and_stepper_refuse_bad_data_naming_it(part, data, use):
    net = make_net()
    before = params(net)
    arrays = {"X_train": np.ones((6, 3)), "y_train": np.zeros((6, 2)),
              "X_test": np.ones((4, 3)), "y_test": np.zeros((4, 2))}
    value, kind = data.draw(bad_arrays(arrays[part].shape))
    if kind == "shape" and (np.ndim(value) == 1 and part.startswith("X") and np.size(value) == 3
                            or np.ndim(value) == 1 and part.startswith("y")):
        return  # (one sample as a vector, or 1-D targets: accepted forms)
    arrays[part] = value
    if use == "Trainer":
        expect_clear_error(lambda: Trainer(net, tuple(arrays.values())),
                           "training set" if part.endswith("train") else "test set")
    else:
        if part.endswith("test"):
            return
        expect_clear_error(lambda: PassStepper(net, arrays["X_train"], arrays["y_train"]),
                           "X" if part == "X_train" else "y")
    assert_unchanged(net, before)


@PROPERTY
@given(layer=st.integers(0, 1), which=st.sampled_from(["weights", "biases"]), data=st.data())
def test_set_params_refuses_bad_arrays_and_changes_nothing(layer, which, data):
    net = make_net()
    before = params(net)
    weights, biases = net.get_params()
    target = weights if which == "weights" else biases
    value, kind = data.draw(bad_arrays(target[layer].shape))
    target[layer] = value
    expect_clear_error(lambda: net.set_params(weights, biases), f"{which}[{layer}]")
    assert_unchanged(net, before)


@PROPERTY
@given(layer=st.integers(0, 1), which=st.sampled_from(["dW", "db"]), data=st.data(),
       use_optimizer=st.sampled_from([None, "sgd", "momentum", "adam"]))
def test_step_refuses_bad_gradients_and_changes_nothing(layer, which, data, use_optimizer):
    net = make_net()
    X = np.linspace(-1, 1, 12).reshape(4, 3)
    y = np.linspace(0, 1, 8).reshape(4, 2)
    g = net.backward(net.forward(X), y)
    opt = {None: None, "sgd": SGD(lr=0.1), "momentum": SGD(lr=0.1, momentum=0.9),
           "adam": Adam()}[use_optimizer]
    if opt is not None:
        opt.step(net, g)  # some optimiser state to keep
        g = net.backward(net.forward(X), y)
    arrays = getattr(g, which)
    value, kind = data.draw(bad_arrays(arrays[layer].shape))
    arrays[layer] = value
    before = params(net)
    state = [a.copy() for a in opt._state_arrays()] if opt is not None else []
    t = opt.t if opt is not None else None
    call = (lambda: net.step(g, lr=0.1)) if opt is None else (lambda: opt.step(net, g))
    with pytest.raises((TypeError, ValueError, FloatingPointError)) as info:
        call()
    if kind != "finite":  # non-finite gradients: "the gradients of layer l are not finite"
        assert f"grads.{which}[{layer}]" in str(info.value)
    assert_unchanged(net, before)
    if opt is not None:
        assert opt.t == t
        for a, b in zip(opt._state_arrays(), state):
            np.testing.assert_array_equal(a, b)


@PROPERTY
@given(lr=st.one_of(st.floats(max_value=0), NON_FINITE, st.booleans(), st.text(max_size=3),
                    st.none(), st.complex_numbers(min_magnitude=1)),
       weight_decay=st.one_of(st.just(0.0), st.floats(max_value=-1e-9), NON_FINITE))
def test_step_refuses_bad_learning_rates(lr, weight_decay):
    net = make_net()
    g = net.backward(net.forward(np.ones((2, 3))), np.zeros((2, 2)))
    before = params(net)
    expect_clear_error(lambda: net.step(g, lr=lr, weight_decay=weight_decay), "lr",
                       "weight_decay")
    assert_unchanged(net, before)


@PROPERTY
@given(scale=st.floats(1e150, 1e300), lr=st.floats(1e10, 1e308),
       optimizer=st.sampled_from([None, "sgd", "momentum", "adam"]))
def test_an_update_that_would_overflow_is_refused_before_anything_changes(scale, lr, optimizer):
    net = make_net()
    net.set_params([w * scale for w in net.weights], [b * scale for b in net.biases])
    X = np.linspace(-1, 1, 12).reshape(4, 3)
    with np.errstate(over="ignore", invalid="ignore"):
        g = net.backward(net.forward(X), np.zeros((4, 2)))
    # make every gradient large and finite (the backward pass itself may overflow)
    g.dW = [np.full(w.shape, 1e300) for w in net.weights]
    g.db = [np.full(b.shape, -1e300) for b in net.biases]
    before = params(net)
    if optimizer is None:
        call = lambda: net.step(g, lr=lr)  # noqa: E731
    else:
        opt = {"sgd": SGD(lr=lr), "momentum": SGD(lr=lr, momentum=0.5),
               "adam": Adam(lr=lr)}[optimizer]
        call = lambda: opt.step(net, g)  # noqa: E731
    try:
        call()
    except FloatingPointError as exc:
        assert "overflow" in str(exc) and "unchanged" in str(exc)
        assert_unchanged(net, before)
    else:  # it fitted in float64: then every parameter is finite
        assert all(np.isfinite(p).all() for p in net.weights + net.biases)


@PROPERTY
@given(n=st.one_of(st.integers(max_value=3), st.integers(MAX_SAMPLES + 1, 10**30),
                   st.floats(4, 100), st.booleans(), st.text(max_size=3)),
       noise=st.one_of(st.just(0.1), st.floats(MAX_NOISE * 1.000001, 1e308), NON_FINITE,
                       st.floats(max_value=-1e-9)))
def test_make_dataset_refuses_bad_sizes_and_noise(n, noise):
    error = expect_clear_error(lambda: make_dataset("xor", n_samples=n, noise=noise),
                               "n_samples", "noise")
    assert not isinstance(error, MemoryError)


@PROPERTY
@given(sizes=st.lists(st.integers(1, 10**7), min_size=2, max_size=6))
def test_mlp_refuses_sizes_beyond_the_limits_instead_of_running_out_of_memory(sizes):
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if max(sizes) <= MAX_UNITS and n_params <= MAX_PARAMETERS:
        return  # (within the limits)
    expect_clear_error(lambda: MLP(sizes), "sizes")


# -- properties: files ---------------------------------------------------------------------

def saved(tmp_path, ext: str, net: MLP | None = None):
    path = tmp_path / f"good{ext}"
    save_network(make_net() if net is None else net, path, extra={"lr": 0.1, "tags": ["a"]})
    return path


def expect_file_error(path, peak_bytes: int = 8 * 2**20) -> str:
    """Loading ``path`` raises a ValueError naming it, allocating at most ``peak_bytes``."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load_network(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.name in str(info.value)
    assert peak < peak_bytes, f"loading {path.name} allocated {peak:,} bytes"
    return str(info.value)


# JSON values that are never valid where a number, a size or the version must be
NOT_JSON_NUMBERS = st.one_of(
    st.booleans(), st.text(max_size=5), st.none(), st.just([]), st.just({}),
    st.just([[1.0]]))
HUGE_INTEGER = st.integers(19, 500).map(lambda d: "9" * d)


@st.composite
def bad_json_docs(draw, doc: dict) -> str:
    """The text of ``doc`` with one change that makes it an invalid network file."""
    doc = json.loads(json.dumps(doc))
    how = draw(st.sampled_from(["weight", "bias", "size", "version", "format", "scale",
                                "huge_int", "nesting", "truncate", "constant", "huge_size"]))
    if how in ("weight", "bias"):
        layer = draw(st.integers(0, 1))
        if how == "weight":
            row = doc["weights"][layer][draw(st.integers(0, len(doc["weights"][layer]) - 1))]
        else:
            row = doc["biases"][layer]
        row[draw(st.integers(0, len(row) - 1))] = draw(NOT_JSON_NUMBERS)
    elif how == "size":
        doc["config"]["sizes"][draw(st.integers(0, 2))] = draw(
            st.one_of(NOT_JSON_NUMBERS, st.integers(max_value=0), st.floats(1, 4)))
    elif how == "huge_size":  # a tiny file that claims a huge network
        doc["config"]["sizes"] = draw(st.lists(st.integers(MAX_UNITS + 1, 10**15), min_size=2,
                                               max_size=4))
    elif how == "version":
        doc["version"] = draw(st.one_of(NOT_JSON_NUMBERS, st.just(1.0), st.just(True),
                                        st.integers(2, 10**6), st.just(0)))
    elif how == "format":
        doc["format"] = draw(st.one_of(NOT_JSON_NUMBERS, st.text(max_size=10)))
    elif how == "scale":
        doc["config"]["weight_scale"] = draw(st.one_of(st.booleans(), st.text(max_size=3),
                                                       st.none(), st.floats(max_value=0)))
    text = json.dumps(doc)
    if how == "huge_int":  # a number of too many digits in place of a weight
        first = json.dumps(doc["weights"][0][0][0])
        text = text.replace(first, draw(HUGE_INTEGER), 1)
    elif how == "nesting":
        depth = draw(st.integers(33, 5000))
        where = draw(st.sampled_from(["extra", "whole", "weights"]))
        deep = "[" * depth + "]" * depth
        if where == "whole":
            text = deep
        else:
            text = text.replace('"extra": {', f'"extra": {{"deep": {deep}, ', 1) if (
                where == "extra") else text.replace('"weights": [', f'"weights": [{deep}, ', 1)
    elif how == "truncate":
        text = text[:draw(st.integers(0, len(text) - 1))]
    elif how == "constant":
        first = json.dumps(doc["weights"][1][0][0])
        text = text.replace(first, draw(st.sampled_from(["NaN", "Infinity", "-Infinity",
                                                          "1e400", "-1e999"])), 1)
    return text


@PROPERTY
@given(data=st.data())
def test_bad_json_files_are_refused_naming_the_file(tmp_path, data):
    good = saved(tmp_path, ".json")
    doc = json.loads(good.read_text())
    path = tmp_path / "bad.json"
    path.write_text(data.draw(bad_json_docs(doc)))
    expect_file_error(path)


def npy_bytes(header: dict, data: bytes = b"", version: int = 1) -> bytes:
    """An .npy member: a (possibly lying) header followed by ``data``."""
    buf = io.BytesIO()
    write = (np.lib.format.write_array_header_1_0 if version == 1
             else np.lib.format.write_array_header_2_0)
    write(buf, header)
    return buf.getvalue() + data


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write_zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@st.composite
def bad_npz_members(draw, members: dict[str, bytes]) -> dict[str, bytes]:
    """The members of a good .npz file with one crafted change."""
    members = dict(members)
    key = draw(st.sampled_from(sorted(members)))
    how = draw(st.sampled_from(["claim_shape", "claim_dtype", "short_data", "extra_member",
                                "drop_member", "not_npy", "garbage", "header_text"]))
    if how == "claim_shape":  # a header claiming a shape, with or without the data
        shape = tuple(draw(st.lists(st.integers(0, 2**40), min_size=0, max_size=3)))
        descr = "<U20" if key == "header.npy" else "<f8"
        members[key] = npy_bytes({"descr": descr, "fortran_order": draw(st.booleans()),
                                  "shape": shape}, version=draw(st.sampled_from([1, 2])))
    elif how == "claim_dtype":
        descr = draw(st.sampled_from(["|b1", "<c16", "|O", "<U1000000", "|S8", "<M8[s]",
                                      "<U4000000000", "<f8" if key == "header.npy" else "<U8"]))
        members[key] = npy_bytes({"descr": descr, "fortran_order": False, "shape": (2, 2)},
                                 b"\0" * 64)
    elif how == "short_data":
        data = members[key]
        members[key] = data[:draw(st.integers(0, len(data) - 1))]
    elif how == "extra_member":
        name = draw(st.sampled_from(["notes.txt", "weights_7.npy", "biases_2.npy", "x",
                                     "header"]))
        members[name] = draw(st.binary(max_size=40))
    elif how == "drop_member":
        del members[key]
    elif how == "not_npy":
        members[key] = draw(st.binary(max_size=64))
    elif how == "garbage":
        members = {key: members[key]} if key != "header.npy" else {}
    else:  # a header whose JSON text is bad
        text = draw(st.one_of(st.just("[" * 2000 + "]" * 2000), st.just("{}"),
                              st.just('{"format": "actviz_widgets.network", "version": true, '
                                      '"config": {}, "extra": {}}'), st.text(max_size=20)))
        members["header.npy"] = npy_bytes({"descr": f"<U{max(len(text), 1)}",
                                           "fortran_order": False, "shape": ()},
                                          np.array(text or " ").tobytes())
    return members


@PROPERTY
@given(data=st.data(), stored=st.booleans())
def test_crafted_npz_files_are_refused_without_large_allocations(tmp_path, data, stored):
    good = saved(tmp_path, ".npz")
    members = data.draw(bad_npz_members(members_of(good)))
    path = tmp_path / "bad.npz"
    write_zip(path, members, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    expect_file_error(path)


@PROPERTY
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), byte=st.integers(0, 255))
def test_damaged_npz_bytes_are_refused_or_read_exactly(tmp_path, cut, flip, byte):
    good = saved(tmp_path, ".npz")
    raw = bytearray(good.read_bytes())
    path = tmp_path / "bad.npz"
    if flip < len(raw) and raw[flip] != byte:  # one byte changed (CRCs catch the data)
        raw[flip] = byte
        path.write_bytes(bytes(raw))
        try:
            net = load_network(path)
        except ValueError as exc:
            assert "bad.npz" in str(exc)
        else:  # the change hit a byte that does not matter (e.g. a timestamp)
            assert_unchanged(net, params(make_net()))
    path.write_bytes(bytes(raw[:cut % len(raw)]))
    expect_file_error(path)


# -- regression: the cases found failing ---------------------------------------------------
# Engine

def test_forward_refuses_strings_booleans_complex_and_empty_batches():
    net = make_net()
    before = params(net)
    cases = [([["0.1", "0.2", "0.3"]], TypeError, "type str"),
             (np.array([[True, False, True]]), TypeError, "booleans are not numbers"),
             ([[True, 0.5, 0.5]], TypeError, "booleans are not numbers"),
             (np.array([[1 + 2j, 0, 0]]), TypeError, "complex"),
             (np.zeros((0, 3)), ValueError, r"at least one sample; got an empty batch of "
                                            r"shape \(0, 3\)"),
             (np.array([[1, 2, None]], dtype=object), TypeError, "NoneType")]
    for X, exc, match in cases:
        with pytest.raises(exc, match=match):
            net.forward(X)
    assert_unchanged(net, before)


def test_a_nan_weight_is_reported_on_the_next_forward_pass_naming_it():
    net = make_net()
    X = np.ones((2, 3))
    for _ in range(3):
        net.step(net.backward(net.forward(X), np.zeros((2, 2))), lr=0.01)
    net.weights[1][2, 0] = np.nan
    with pytest.raises(ValueError, match=r"net\.weights\[1\] is not finite: 1 of 8 entries "
                                         r"\(the first, nan, at \[2, 0\]\).*after update 3"):
        net.forward(X)
    net.biases[0][...] = np.inf  # replaced arrays are checked too
    net.weights[1] = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"net\.biases\[0\] is not finite: 4 of 4 entries"):
        net.predict(X)


def test_step_with_an_overflowing_learning_rate_changes_nothing():
    net = make_net()
    net.set_params([w * 1e300 for w in net.weights[:-1]] + [net.weights[-1]], net.biases)
    g = net.backward(net.forward(np.zeros((1, 3))), np.ones((1, 2)))  # finite: δ is small
    before = params(net)
    with pytest.raises(FloatingPointError, match="would overflow.*left unchanged"):
        net.step(g, lr=1e308)
    assert_unchanged(net, before)


def test_set_params_with_complex_arrays_changes_nothing():
    net = make_net()
    before = params(net)
    weights, biases = net.get_params()
    with pytest.raises(TypeError, match=r"weights\[0\] must be an array of real numbers; got "
                                        r"complex"):
        net.set_params([w.astype(complex) for w in weights], biases)
    assert_unchanged(net, before)


def test_step_with_a_wrong_shape_gradient_changes_no_part_of_the_network():
    net = make_net()
    g = net.backward(net.forward(np.ones((2, 3))), np.zeros((2, 2)))
    g.db[1] = np.zeros(5)  # the last array: every other one would be updated first
    before = params(net)
    with pytest.raises(ValueError, match=r"grads\.db\[1\] must have shape \(2,\); got \(5,\)"):
        net.step(g, lr=0.1)
    assert_unchanged(net, before)


def test_cross_entropy_with_one_output_unit_is_refused():
    with pytest.raises(ValueError, match="'cross_entropy' loss needs at least 2 output neurons"):
        MLP([2, 3, 1], loss="cross_entropy")


def test_trainer_with_no_samples_is_refused():
    net = make_net()
    with pytest.raises(ValueError, match=r"data \(training set\): X must hold at least one "
                                         "sample"):
        Trainer(net, (np.zeros((0, 3)), np.zeros((0, 2))))
    with pytest.raises(ValueError, match=r"data \(test set\): X must hold at least one sample"):
        Trainer(net, (np.ones((4, 3)), np.zeros((4, 2)), np.zeros((0, 3)), np.zeros((0, 2))))


def test_trainer_with_test_targets_but_no_test_inputs_is_refused():
    net = make_net()
    X, y = np.ones((4, 3)), np.zeros((4, 2))
    with pytest.raises(ValueError, match="y_test was given but X_test is None"):
        Trainer(net, (X, y, None, y))
    with pytest.raises(ValueError, match="X_test was given but y_test is None"):
        Trainer(net, (X, y, X, None))


def test_pass_stepper_with_no_samples_is_refused():
    with pytest.raises(ValueError, match="X must hold at least one sample"):
        PassStepper(make_net(), np.zeros((0, 3)), np.zeros((0, 2)))


def test_make_dataset_refuses_huge_noise_stating_the_maximum():
    with pytest.raises(ValueError, match=r"noise must be a number in \[0, 10\]; got 1e\+300"):
        make_dataset("xor", noise=1e300)


def test_memory_hungry_arguments_name_the_argument_and_the_limit():
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer between 1 and 10000"):
        MLP([2, 100_000, 100_000, 1])
    with pytest.raises(ValueError, match=r"sizes \[2, 5000, 5000, 1\] asks for 25,025,001 "
                                         r"weights and biases.*at most 2,000,000 "
                                         r"\(MAX_PARAMETERS"):
        MLP([2, 5000, 5000, 1])
    with pytest.raises(ValueError, match=r"n_samples must be an integer between 4 and 1000000; "
                                         r"got 1000000000"):
        make_dataset("xor", n_samples=10**9)
    net = MLP([2, 4000, 1])
    n = MAX_BATCH_VALUES // 4001 + 1
    X = np.broadcast_to(np.zeros(2), (n, 2))  # no memory of its own
    with pytest.raises(ValueError, match=r"MAX_BATCH_VALUES.*pass at most 4,193 samples"):
        net.forward(X)


# Files

def test_a_small_json_file_claiming_a_huge_network_is_refused(tmp_path):
    doc = json.loads(saved(tmp_path, ".json").read_text())
    doc["config"]["sizes"] = [2, 100000, 100000, 1]
    doc["weights"], doc["biases"] = [], []
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(doc))
    assert path.stat().st_size < 300
    message = expect_file_error(path)
    assert "sizes[1] must be an integer from 1 to 10000 (MAX_UNITS); got 100000" in message


def test_an_npz_member_whose_header_claims_terabytes_is_refused(tmp_path):
    members = members_of(saved(tmp_path, ".npz"))
    members["weights_0.npy"] = npy_bytes({"descr": "<f8", "fortran_order": False,
                                          "shape": (2**20, 2**20)})  # 8 TiB claimed
    assert len(members["weights_0.npy"]) <= 128
    path = tmp_path / "claims.npz"
    write_zip(path, members)
    message = expect_file_error(path)
    assert "'weights_0' has shape (1048576, 1048576); the network's config needs (3, 4)" in (
        message)
    # a claim that fits the config but not the member's size
    members["weights_0.npy"] = npy_bytes({"descr": "<f8", "fortran_order": False,
                                          "shape": (3, 4)})
    write_zip(path, members)
    assert "claims shape (3, 4) of <f8 (96 bytes of data) but the member holds 0 bytes" in (
        expect_file_error(path))


def test_deeply_nested_json_is_refused_without_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "nests arrays and objects more than 32 deep (MAX_JSON_DEPTH)" in (
        expect_file_error(path))
    doc = json.loads(saved(tmp_path, ".json").read_text())
    doc["extra"] = {"deep": json.loads("[" * 500 + "]" * 500)}
    path.write_text(json.dumps(doc))
    expect_file_error(path)


def test_an_npz_holding_a_non_array_member_is_refused(tmp_path):
    members = members_of(saved(tmp_path, ".npz"))
    members["notes.txt"] = b"not an array"
    path = tmp_path / "extra.npz"
    write_zip(path, members)
    assert "members that are not arrays (.npy): ['notes.txt']" in expect_file_error(path)


@pytest.mark.parametrize("value, what", [("0.1", 'string "0.1"'), (True, "boolean true"),
                                         (False, "boolean false"), (None, "null null")])
def test_weights_given_as_strings_or_booleans_are_refused(tmp_path, value, what):
    doc = json.loads(saved(tmp_path, ".json").read_text())
    doc["weights"][0][1][2] = value
    path = tmp_path / "types.json"
    path.write_text(json.dumps(doc))
    assert f"weights[0] must hold numbers only; got {what} in row 1" in expect_file_error(path)


def test_a_400_digit_integer_weight_is_refused(tmp_path):
    text = saved(tmp_path, ".json").read_text()
    doc = json.loads(text)
    path = tmp_path / "digits.json"
    path.write_text(text.replace(json.dumps(doc["weights"][0][0][0]), "7" * 400, 1))
    assert "an integer of 400 digits" in expect_file_error(path)


@pytest.mark.parametrize("version, shown", [(True, "true, a boolean"),
                                            (1.0, "1.0, a number with a decimal point"),
                                            ("1", '"1", a string'), (2, "2, a number")])
def test_the_version_must_be_the_integer_1(tmp_path, version, shown):
    for ext in (".json", ".npz"):
        path = saved(tmp_path, ext)
        if ext == ".json":
            doc = json.loads(path.read_text())
            doc["version"] = version
            path.write_text(json.dumps(doc))
        else:
            members = members_of(path)
            header = json.loads(str(np.load(io.BytesIO(members["header.npy"]))))
            header["version"] = version
            buf = io.BytesIO()
            np.save(buf, np.array(json.dumps(header)))
            members["header.npy"] = buf.getvalue()
            write_zip(path, members)
        assert f"unsupported version {shown}" in expect_file_error(path)


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from actviz_widgets.engine import serialization
    path = saved(tmp_path, ".json")
    monkeypatch.setattr(serialization, "MAX_FILE_BYTES", path.stat().st_size - 1)
    assert "network files are at most" in expect_file_error(path)


def test_save_refuses_what_load_would_refuse(tmp_path):
    net = make_net()
    deep: list = []
    for _ in range(40):
        deep = [deep]
    for extra, match in [({"deep": deep}, "more than 32 deep"),
                         ({"seed": 10**30}, "integer of 31 digits")]:
        with pytest.raises(ValueError, match=match):
            save_network(net, tmp_path / "x.json", extra=extra)
    assert list(tmp_path.iterdir()) == []


def test_a_grid_beyond_the_limit_is_refused():
    from actviz_widgets.engine.grid import grid_field, input_grid
    with pytest.raises(ValueError, match=r"n must be an integer between 2 and 1000"):
        input_grid((-1, 1, -1, 1), 100_000)  # 10^10 points
    with pytest.raises(TypeError, match="extent must be an array of real numbers"):
        grid_field(MLP([2, 1]), ("-1", "1", "-1", "1"), 10)
    assert input_grid((-1, 1), 1000).shape == (1000, 1)
