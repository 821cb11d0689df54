"""Tests for nnlib.losses: values worked on paper, gradients against finite differences,
stability at extreme inputs, dtypes, and the validation messages."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.activations import softmax, softmax_jacobian
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    MeanSquaredError,
    binary_cross_entropy,
    cross_entropy,
    mse,
    softmax_cross_entropy,
)

LN2, LN3 = math.log(2), math.log(3)


# ---- values worked on paper ---------------------------------------------------------------------


def test_mse_two_samples_by_hand():
    # errors (1, -1) and (2, 0): (1 + 1 + 4 + 0) / (2 * 2 samples) = 1.5
    output, target = [[1.0, 0.0], [2.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]
    assert mse(output, target) == pytest.approx(1.5)
    assert MeanSquaredError()(output, target) == pytest.approx(1.5)
    np.testing.assert_allclose(
        MeanSquaredError().gradient(output, target), [[0.5, -0.5], [1.0, 0.0]]
    )


def test_binary_cross_entropy_two_samples_by_hand():
    # -(log 0.8 + log(1 - 0.25)) / 2
    p, y = [[0.8], [0.25]], [[1.0], [0.0]]
    expected = -(math.log(0.8) + math.log(0.75)) / 2
    assert binary_cross_entropy(p, y) == pytest.approx(expected, rel=1e-12)
    assert BinaryCrossEntropy()(p, y) == pytest.approx(expected, rel=1e-12)
    # dC/dp = (p - y) / (p (1 - p)) / n = (-0.2 / 0.16, 0.25 / 0.1875) / 2
    np.testing.assert_allclose(BinaryCrossEntropy().gradient(p, y), [[-0.625], [2 / 3]])


def test_cross_entropy_two_samples_by_hand_with_indices_and_one_hot():
    p = [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]
    expected = -(math.log(0.5) + math.log(0.8)) / 2
    assert cross_entropy(p, [0, 1]) == pytest.approx(expected, rel=1e-12)
    assert cross_entropy(p, [[1, 0, 0], [0, 1, 0]]) == pytest.approx(expected, rel=1e-12)


def test_softmax_cross_entropy_two_samples_by_hand():
    # softmax(0, ln 2, ln 3) = (1, 2, 3) / 6 and softmax(0, 0, 0) = (1, 1, 1) / 3
    logits = [[0.0, LN2, LN3], [0.0, 0.0, 0.0]]
    expected = (-math.log(3 / 6) - math.log(1 / 3)) / 2
    assert softmax_cross_entropy(logits, [2, 1]) == pytest.approx(expected, rel=1e-12)
    assert CrossEntropy()(logits, [[0, 0, 1], [0, 1, 0]]) == pytest.approx(expected, rel=1e-12)
    # (p - onehot) / n
    by_hand = [[1 / 12, 2 / 12, -3 / 12], [1 / 6, -1 / 3, 1 / 6]]
    np.testing.assert_allclose(CrossEntropy().gradient(logits, [2, 1]), by_hand, rtol=1e-12)
    value, gradient = CrossEntropy().value_and_gradient(logits, [2, 1])
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(gradient, by_hand, rtol=1e-12)


# ---- gradients against central finite differences in float64 ------------------------------------

SHAPES = [(1, 1), (3, 2), (5, 4), (8, 10)]


def assert_gradient_matches(loss, output, target):
    numeric = numerical_gradient(lambda a: loss(a, target), output)
    assert relative_error(loss.gradient(output, target), numeric) < 1e-6


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_mean_squared_error_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    assert_gradient_matches(MeanSquaredError(), rng.normal(size=shape), rng.normal(size=shape))


@pytest.mark.parametrize("shape", [(1, 1), (6, 1), (4, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_binary_cross_entropy_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, size=shape)
    y = rng.integers(0, 2, size=shape).astype(np.float64)
    assert_gradient_matches(BinaryCrossEntropy(), p, y)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("one_hot_target", [False, True])
def test_cross_entropy_gradient(shape, one_hot_target):
    rng = np.random.default_rng(shape[0])
    logits = rng.normal(0, 3, size=shape)
    y = rng.integers(0, shape[1], size=shape[0])
    target = np.eye(shape[1])[y] if one_hot_target else y
    assert_gradient_matches(CrossEntropy(), logits, target)


def test_cross_entropy_gradient_is_the_chain_rule_through_the_softmax_jacobian():
    # Chapter 05: dC/dz = J^T dC/dp, with dC/dp = -1 / p_y at the true class (one sample).
    z, y = np.array([[0.3, -1.0, 2.0, 0.5]]), 2
    p = softmax(z[0])
    dC_dp = np.zeros(4)
    dC_dp[y] = -1 / p[y]
    np.testing.assert_allclose(
        CrossEntropy().gradient(z, [y])[0], softmax_jacobian(z[0]).T @ dC_dp, rtol=1e-12
    )


@given(
    arrays(np.float64, (4, 3), elements=st.floats(-10, 10)),
    st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
def test_softmax_cross_entropy_is_cross_entropy_of_the_softmax(logits, y):
    # The Keras way (softmax layer, then cross-entropy) is the same mathematics where it is stable:
    # logits within +-10 keep every probability above e^-20 / 3, far from the clipping at eps.
    assert softmax_cross_entropy(logits, y) == pytest.approx(
        cross_entropy(softmax(logits), y), rel=1e-9, abs=1e-12
    )


# ---- extreme inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_on_huge_logits_is_finite_and_exact(dtype):
    logits = np.array([[1e4, -1e4], [1e4, -1e4], [1e4, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = CrossEntropy()(logits, [0, 1, 0])
        grad = CrossEntropy().gradient(logits, [0, 1, 0])
    # per sample: 0 (right and sure), 2e4 (wrong by 2e4), ln 2 (a tie)
    assert value == pytest.approx((0 + 2e4 + LN2) / 3, rel=1e-6)
    np.testing.assert_allclose(grad, [[0, 0], [1 / 3, -1 / 3], [-1 / 6, 1 / 6]], atol=1e-7)
    assert grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probabilities_of_exactly_zero_and_one_give_finite_losses(dtype):
    eps = np.finfo(dtype).eps
    wrong = np.array([[0.0, 1.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # clipping to eps: -log(eps) (52 ln 2 in float64, 23 ln 2 in float32)
        assert cross_entropy(wrong, [0]) == pytest.approx(-math.log(eps), rel=1e-6)
        assert binary_cross_entropy(np.array([[0.0], [1.0]], dtype), [[1], [0]]) == pytest.approx(
            -math.log(eps), rel=1e-6
        )
        assert binary_cross_entropy(np.array([[0.0], [1.0]], dtype), [[0], [1]]) < 1e-6
        grad = BinaryCrossEntropy().gradient(np.array([[0.0], [1.0]], dtype), [[1], [0]])
    assert np.all(np.isfinite(grad))
    assert grad[0, 0] < 0 < grad[1, 0]  # pushes 0 up towards 1 and 1 down towards 0


# ---- dtypes and shapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        (MeanSquaredError(), np.zeros((128, 10))),
        (BinaryCrossEntropy(), np.ones((128, 10))),
        (CrossEntropy(), np.arange(128) % 10),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_keep_the_shape_and_dtype_of_the_output(loss, target, dtype):
    output = np.random.default_rng(0).uniform(0.1, 0.9, size=(128, 10)).astype(dtype)
    grad = loss.gradient(output, target)
    assert grad.shape == (128, 10)
    assert grad.dtype == dtype
    assert isinstance(loss(output, target), float)


def test_cross_entropy_gradient_rows_sum_to_zero():
    logits = np.random.default_rng(3).normal(size=(6, 5)).astype(np.float32)
    grad = CrossEntropy().gradient(logits, [0, 1, 2, 3, 4, 0])
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-7)


# ---- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: MeanSquaredError()(np.ones((3, 2)), np.ones((2, 3))),
            r"MeanSquaredError: .*same shape, got \(3, 2\) and \(2, 3\)",
        ),
        (
            lambda: MeanSquaredError().gradient(np.ones((3, 1)), np.ones(3)),
            r"MeanSquaredError.gradient: y_true must be 2-D.*reshape\(-1, 1\)",
        ),
        (
            lambda: BinaryCrossEntropy().gradient(np.ones((2, 1)), np.ones((3, 1))),
            r"BinaryCrossEntropy.gradient: .*got \(2, 1\) and \(3, 1\)",
        ),
        (
            lambda: CrossEntropy()(np.ones((3, 2)), [0, 1]),
            r"CrossEntropy: .*got shapes \(3, 2\) and \(2,\)",
        ),
        (
            lambda: CrossEntropy().gradient(np.ones((3, 2)), [0, 1, 2]),
            r"CrossEntropy: labels must be class indices 0..1 .* e.g. 2",
        ),
        (
            lambda: CrossEntropy().value_and_gradient(np.ones((3, 2)), [0, 1, 2]),
            r"CrossEntropy: labels must be class indices 0..1 .* e.g. 2",
        ),
        (
            lambda: CrossEntropy()(np.ones((2, 3)), np.eye(4)[:2]),
            r"CrossEntropy: labels must .* one-hot of shape \(n, 3\)",
        ),
        (
            lambda: binary_cross_entropy([[1.5]], [[1.0]]),
            r"binary_cross_entropy: p must hold probabilities .* 1.5.*apply sigmoid",
        ),
        (
            lambda: BinaryCrossEntropy()([[0.5]], [[3.0]]),
            r"BinaryCrossEntropy: y must hold probabilities .* 3.0",
        ),
        (
            lambda: cross_entropy([[2.0, -1.0]], [0]),
            r"cross_entropy: p must hold probabilities.*softmax_cross_entropy",
        ),
    ],
)
def test_bad_arguments_are_refused_with_both_shapes_or_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("loss", "name", "target"),
    [
        (MeanSquaredError(), "MeanSquaredError", np.zeros((2, 2))),
        (BinaryCrossEntropy(), "BinaryCrossEntropy", np.zeros((2, 2))),
        (CrossEntropy(), "CrossEntropy", [0, 1]),
    ],
)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_the_output_names_the_loss(loss, name, target, bad):
    output = np.array([[0.5, 0.5], [0.5, bad]])
    with pytest.raises(ValueError, match=rf"^{name}: .* NaN or infinite .* index \(1, 1\)"):
        loss(output, target)
    with pytest.raises(ValueError, match=rf"^{name}(\.gradient)?: .* NaN or infinite"):
        loss.gradient(output, target)
