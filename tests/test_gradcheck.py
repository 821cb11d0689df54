"""Tests for nnlib.gradcheck: known derivatives, in-place restoration, the error measure."""

import numpy as np
import pytest

from nnlib.gradcheck import check_gradient, numerical_gradient, relative_error


def test_numerical_gradient_of_a_cubic():
    x = np.array([[-1.5, 0.0], [0.5, 2.0]])
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_product_of_entries():
    # f = x0 * x1 + sin(x2): df/dx = (x1, x0, cos(x2)).
    x = np.array([2.0, -3.0, 0.7])
    grad = numerical_gradient(lambda v: v[0] * v[1] + np.sin(v[2]), x)
    np.testing.assert_allclose(grad, [-3.0, 2.0, np.cos(0.7)], rtol=1e-8)


def test_numerical_gradient_restores_x_bit_for_bit():
    x = np.random.default_rng(0).normal(size=(3, 4))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.tanh(v)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[0] != 1.0:
            raise RuntimeError("boom")
        return 0.0

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_sees_the_perturbation_through_a_closure():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    X = np.array([[1.0, -1.0]])
    # f(W) = sum(X @ W) so df/dW[i, j] = sum over samples of X[:, i].
    grad = numerical_gradient(lambda _: np.sum(X @ W), W)
    np.testing.assert_allclose(grad, [[1.0, 1.0], [-1.0, -1.0]], rtol=1e-8)


@pytest.mark.parametrize("x", [np.ones(3, dtype=np.float32), [1.0, 2.0], np.arange(3)])
def test_numerical_gradient_requires_a_float64_array(x):
    with pytest.raises(TypeError, match="numerical_gradient: x must be a float64"):
        numerical_gradient(np.sum, x)


def test_relative_error_hand_values():
    # max |a - b| = 0.5, max (|a| + |b|) = 2 + 2.5 = 4.5
    assert relative_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 4.5)
    assert relative_error([[1.0, -1.0]], [[-1.0, 1.0]]) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([3.0], [3.0]) == 0.0


def test_relative_error_does_not_depend_on_scale():
    a, b = np.array([1.0, 2.0]), np.array([1.1, 2.0])
    assert relative_error(1e-8 * a, 1e-8 * b) == pytest.approx(relative_error(a, b))


def test_relative_error_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(1, 2\)"):
        relative_error(np.zeros(2), np.zeros((1, 2)))


def test_check_gradient_accepts_a_right_gradient_silently(recwarn):
    x = np.array([0.3, -1.2, 2.0])
    assert check_gradient(lambda v: np.sum(np.exp(v)), x, np.exp(x)) < 1e-8
    assert len(recwarn) == 0


def test_check_gradient_catches_a_missing_factor_and_points_at_it():
    x = np.array([0.5, 1.0, -2.0])
    wrong = x.copy()  # the gradient of sum(x**2) is 2x; this forgot the 2
    with pytest.warns(UserWarning, match=r"index \(2,\), is -2 \(analytic\) vs -4"):
        error = check_gradient(lambda v: np.sum(v**2), x, wrong)
    assert error == pytest.approx(2.0 / 6.0, rel=1e-6)


def test_check_gradient_catches_a_transposed_gradient():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[0.5, -1.0], [2.0, 1.5]])
    # f(W) = sum(A * W) has gradient A; A.T is the classic mistake.
    with pytest.warns(UserWarning):
        assert check_gradient(lambda _: np.sum(A * W), W, A.T) > 0.1
    assert check_gradient(lambda _: np.sum(A * W), W, A) < 1e-8
