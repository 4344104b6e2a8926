"""Tests for the activation functions: derivatives, stability and output ranges."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from actviz_widgets.engine.activations import ACTIVATION_NAMES, get_activation

# Kinks (ReLU, leaky ReLU) and ELU's jump in f'' sit at 0: a central difference
# straddling 0 is not the derivative there, so the grid keeps |z| >= 1e-3 >> H.
GRID = np.linspace(-8.0, 8.0, 1601)
GRID = GRID[np.abs(GRID) >= 1e-3]
H = 1e-6
# Error of (f(z+h) - f(z-h)) / 2h: rounding eps_mach·|f|/h <= 2.2e-16·8/1e-6 ≈ 1.8e-9
# on this grid, truncation h²|f'''|/6 ≈ 1e-13.  Measured worst: 7.3e-10 (SiLU).
DERIV_ATOL = 1e-8

WIDE = np.concatenate([-np.logspace(-8, 300, 400), [0.0], np.logspace(-8, 300, 400),
                       np.linspace(-20.0, 20.0, 40001)])


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_matches_central_difference(name):
    f = get_activation(name)
    numeric = (f(GRID + H) - f(GRID - H)) / ((GRID + H) - (GRID - H))
    np.testing.assert_allclose(f.grad(GRID), numeric, rtol=0, atol=DERIV_ATOL)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_grad_from_given_value_equals_grad_from_z(name):
    f = get_activation(name)
    np.testing.assert_array_equal(f.grad(GRID, a=f(GRID)), f.grad(GRID))


def test_known_values():
    z = np.array([-2.0, 0.0, 3.0])
    e = np.exp(1.0)
    np.testing.assert_allclose(get_activation("sigmoid")(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(get_activation("relu")(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(get_activation("leaky_relu")(z), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(get_activation("elu")(z), [np.exp(-2.0) - 1, 0.0, 3.0],
                               rtol=1e-15)
    np.testing.assert_allclose(get_activation("softplus")([1.0]), [np.log(1 + e)], rtol=1e-15)
    np.testing.assert_allclose(get_activation("silu")(z), z / (1 + np.exp(-z)), rtol=1e-15)
    c = np.sqrt(2 / np.pi)
    np.testing.assert_allclose(get_activation("gelu")(z),
                               0.5 * z * (1 + np.tanh(c * (z + 0.044715 * z**3))), rtol=1e-15)


def at(f, z: float) -> float:
    """f(z) for one number, through a 1-element array (see test_scalar_input)."""
    return float(f(np.array([z]))[0])


def grad_at(f, z: float) -> float:
    return float(f.grad(np.array([z]))[0])


def test_stability_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sigmoid, softplus, elu = (get_activation(n) for n in ("sigmoid", "softplus", "elu"))
        assert at(sigmoid, 1000.0) == 1.0 and at(sigmoid, -1000.0) == 0.0
        assert at(softplus, 1000.0) == 1000.0
        assert at(softplus, -1000.0) == 0.0
        assert at(elu, -1000.0) == -1.0
        assert grad_at(sigmoid, 1000.0) == 0.0 and grad_at(sigmoid, -1000.0) == 0.0
        assert grad_at(get_activation("tanh"), -1000.0) == 0.0


def test_scalar_input():
    # The Activation docstring's own example: float(f(0.0)), float(f.grad(0.0)).
    for name in ACTIVATION_NAMES:
        f = get_activation(name)
        assert float(f(0.5)) == at(f, 0.5)
        assert float(f.grad(0.5)) == grad_at(f, 0.5)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_no_warning_and_finite_over_the_whole_float_range(name):
    f = get_activation(name)
    z = np.concatenate([WIDE, [-np.finfo(float).max, np.finfo(float).max]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = f(z), f.grad(z)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


def test_kinks_take_the_left_derivative():
    assert grad_at(get_activation("relu"), 0.0) == 0.0
    assert grad_at(get_activation("leaky_relu"), 0.0) == 0.01
    assert grad_at(get_activation("elu"), 0.0) == 1.0  # e^0: continuous there


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_output_range_holds_and_is_tight(name):
    f = get_activation(name)
    low, high = f.output_range
    values = f(WIDE)
    # The registry rounds the GELU and SiLU minima down to 5 decimals (-0.17005, -0.27847).
    assert values.min() >= low
    assert values.max() <= high
    # A finite bound is reached (or nearly) somewhere on the grid: the range is not loose.
    if np.isfinite(low):
        assert values.min() <= low + 1e-4
    if np.isfinite(high):
        assert values.max() >= high - 1e-4


def test_sigmoid_is_accurate_in_both_tails():
    f = get_activation("sigmoid")
    z = np.array([-700.0, -40.0, -12.0, -1e-8, 0.0, 1e-8, 12.0, 40.0])
    # σ(z) = e^z / (1 + e^z) for z < 0, computed in exact-enough form by hand
    expected = np.array([math.exp(v) / (1 + math.exp(v)) if v < 0 else 1 / (1 + math.exp(-v))
                         for v in z])
    np.testing.assert_allclose(f(z), expected, rtol=1e-15, atol=0)
