"""Tests for nnlib.activations: hand-computed values, finite differences, stability, dtypes."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.activations import (
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_jacobian,
    step,
    step_prime,
    tanh,
    tanh_prime,
)

ELEMENTWISE = [step, sigmoid, tanh, relu, leaky_relu, step_prime, sigmoid_prime]
ELEMENTWISE += [tanh_prime, relu_prime, leaky_relu_prime]
SMOOTH_PAIRS = [(sigmoid, sigmoid_prime), (tanh, tanh_prime)]
KINKED_PAIRS = [(relu, relu_prime), (leaky_relu, leaky_relu_prime), (step, step_prime)]

finite_floats = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


def central_difference(f, z, h=1e-6):
    """Elementwise derivative of an elementwise function, computed independently of nnlib."""
    return (f(z + h) - f(z - h)) / (2 * h)


def test_step_fires_at_zero_and_above():
    np.testing.assert_array_equal(step([-2.0, -1e-9, 0.0, 3.0]), [0.0, 0.0, 1.0, 1.0])


def test_sigmoid_hand_values():
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4 and sigmoid(-ln 3) = 1/4.
    z = np.array([0.0, math.log(3), -math.log(3)])
    np.testing.assert_allclose(sigmoid(z), [0.5, 0.75, 0.25], rtol=1e-15)


def test_sigmoid_matches_the_definition_where_the_naive_formula_is_safe():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_tanh_hand_value():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    assert tanh(math.log(2)) == pytest.approx(0.6, rel=1e-15)


def test_relu_and_leaky_relu_hand_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu(z), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu(z, alpha=0.5), [-1.0, 0.0, 3.0])


@pytest.mark.parametrize(("f", "f_prime"), SMOOTH_PAIRS)
def test_smooth_derivatives_match_finite_differences(f, f_prime):
    z = np.random.default_rng(0).normal(0, 3, size=(4, 5))
    np.testing.assert_allclose(f_prime(z), central_difference(f, z), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize(("f", "f_prime"), KINKED_PAIRS)
def test_kinked_derivatives_match_finite_differences_away_from_zero(f, f_prime):
    z = np.array([-3.0, -0.5, -1e-3, 1e-3, 0.5, 3.0])
    np.testing.assert_allclose(f_prime(z), central_difference(f, z), rtol=1e-6, atol=1e-10)


def test_derivative_conventions_at_zero():
    assert relu_prime(0.0) == 0.0
    assert leaky_relu_prime(0.0, alpha=0.1) == pytest.approx(0.1)
    assert step_prime(0.0) == 0.0
    assert sigmoid_prime(0.0) == 0.25
    assert tanh_prime(0.0) == 1.0


def test_step_prime_is_zero_everywhere():
    assert not np.any(step_prime(np.linspace(-5, 5, 11)))


@given(arrays(np.float64, st.integers(1, 20), elements=finite_floats))
def test_sigmoid_symmetry_and_tanh_relation(z):
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(tanh(z), 2 * sigmoid(2 * z) - 1, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_exact_and_silent_at_huge_inputs(dtype):
    z = np.array([-1e4, -1000.0, 1000.0, 1e4], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = sigmoid(z)
        s_prime = sigmoid_prime(z)
    np.testing.assert_array_equal(s, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(s_prime, 0.0)


@pytest.mark.parametrize("f", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_functions_keep_shape_and_float_dtype(f, dtype):
    z = np.linspace(-2, 2, 24, dtype=dtype).reshape(2, 3, 4)
    out = f(z)
    assert out.shape == z.shape
    assert out.dtype == dtype


@pytest.mark.parametrize("f", [*ELEMENTWISE, softmax])
def test_integer_input_is_computed_in_float64(f):
    assert f(np.array([-1, 0, 2])).dtype == np.float64


def test_softmax_hand_value():
    # exp of (0, ln 2, ln 3) is (1, 2, 3), whose total is 6.
    z = np.log([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), [1 / 6, 2 / 6, 3 / 6], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_huge_logits(dtype):
    z = np.array([[1e4, 1e4], [1e4, -1e4], [-1e4, -1e4], [1000.0, 1000.0 + math.log(3)]], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
    assert p.dtype == dtype
    # float32 spacing near 1000 is 6e-5, which is how far 1000 + ln 3 can be rounded.
    rtol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(p, [[0.5, 0.5], [1.0, 0.0], [0.5, 0.5], [0.25, 0.75]], rtol=rtol)


@given(arrays(np.float64, (3, 4), elements=finite_floats), finite_floats)
def test_softmax_rows_sum_to_one_and_ignore_a_shift(z, shift):
    p = softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + shift), p, rtol=1e-9, atol=1e-300)


def test_softmax_along_axis_zero():
    z = np.random.default_rng(1).normal(size=(3, 5))
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T, rtol=1e-15)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)


def test_softmax_jacobian_matches_finite_differences():
    z = np.random.default_rng(2).normal(size=5)
    h = 1e-6
    numeric = np.empty((5, 5))
    for j in range(5):
        dz = np.zeros(5)
        dz[j] = h
        numeric[:, j] = (softmax(z + dz) - softmax(z - dz)) / (2 * h)
    np.testing.assert_allclose(softmax_jacobian(z), numeric, rtol=1e-6, atol=1e-10)


def test_softmax_jacobian_hand_value():
    # two equal scores: s = (1/2, 1/2), so diag(s) - s s^T = [[1/4, -1/4], [-1/4, 1/4]].
    np.testing.assert_allclose(softmax_jacobian([3.0, 3.0]), [[0.25, -0.25], [-0.25, 0.25]])


def test_softmax_jacobian_refuses_a_batch():
    with pytest.raises(ValueError, match=r"softmax_jacobian: z must be one vector.*\(2, 3\)"):
        softmax_jacobian(np.zeros((2, 3)))
