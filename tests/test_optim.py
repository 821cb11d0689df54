"""Tests for nnlib.optim: SGD, momentum and Adam step by step against updates worked by hand."""

import numpy as np
import pytest

from nnlib.layers import Dense
from nnlib.losses import CrossEntropy
from nnlib.network import Sequential
from nnlib.optim import SGD, Adam, exponential_decay
from nnlib.training import fit


def run(optimizer, start, gradients):
    """Step ``optimizer`` on one float64 parameter through ``gradients``; return every value."""
    param = np.array(start, dtype=np.float64)
    grad = np.zeros_like(param)
    values = []
    for g in gradients:
        grad[...] = g
        optimizer.step([(param, grad)])
        values.append(param.copy())
    return values


def test_sgd_by_hand():
    # param <- param - 0.1 * grad
    values = run(SGD(0.1), [1.0, -2.0], [[0.5, 0.25], [-1.0, 2.0]])
    np.testing.assert_allclose(values[0], [0.95, -2.025], rtol=1e-15)
    np.testing.assert_allclose(values[1], [1.05, -2.225], rtol=1e-15)


def test_sgd_momentum_by_hand():
    # v <- 0.9 v - 0.1 g, param <- param + v, from param = 1, v = 0:
    # g = 1:    v = -0.1                       param = 0.9
    # g = 0.5:  v = -0.09 - 0.05 = -0.14       param = 0.76
    # g = -1:   v = -0.126 + 0.1 = -0.026      param = 0.734
    values = run(SGD(0.1, momentum=0.9), [1.0], [[1.0], [0.5], [-1.0]])
    np.testing.assert_allclose(np.concatenate(values), [0.9, 0.76, 0.734], rtol=1e-14)


def test_sgd_weight_decay_by_hand():
    # the gradient becomes g + 0.5 * param = 1 + 0.5 * 2 = 2, so param = 2 - 0.1 * 2 = 1.8;
    # then 1 + 0.5 * 1.8 = 1.9, so param = 1.8 - 0.19 = 1.61
    values = run(SGD(0.1, weight_decay=0.5), [2.0], [[1.0], [1.0]])
    np.testing.assert_allclose(np.concatenate(values), [1.8, 1.61], rtol=1e-15)


def test_adam_by_hand():
    # lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8, from param = 1, m = v = 0.
    # t=1, g=2:   m = 0.2,   v = 0.004;    m_hat = 0.2/0.1 = 2, v_hat = 0.004/0.001 = 4
    #             param = 1 - 0.1 * 2 / (2 + 1e-8)
    # t=2, g=-1:  m = 0.18 - 0.1 = 0.08,   v = 0.003996 + 0.001 = 0.004996
    #             m_hat = 0.08 / 0.19,     v_hat = 0.004996 / 0.001999
    # t=3, g=0.5: m = 0.072 + 0.05 = 0.122, v = 0.004991004 + 0.00025 = 0.005241004
    #             m_hat = 0.122 / 0.271,   v_hat = 0.005241004 / 0.002997001
    p1 = 1 - 0.1 * 2 / (2 + 1e-8)
    p2 = p1 - 0.1 * (0.08 / 0.19) / (np.sqrt(0.004996 / 0.001999) + 1e-8)
    p3 = p2 - 0.1 * (0.122 / 0.271) / (np.sqrt(0.005241004 / 0.002997001) + 1e-8)
    optimizer = Adam(0.1)
    values = run(optimizer, [1.0], [[2.0], [-1.0], [0.5]])
    np.testing.assert_allclose(np.concatenate(values), [p1, p2, p3], rtol=1e-12)
    assert optimizer.t == 3


def test_adam_weight_decay_adds_to_the_gradient():
    # g + 0.5 * param = 1 + 0.5 * 2 = 2: the same first step as a plain gradient of 2,
    # m_hat = 2, v_hat = 4, param = 2 - 0.1 * 2 / (2 + 1e-8)
    (value,) = run(Adam(0.1, weight_decay=0.5), [2.0], [[1.0]])
    np.testing.assert_allclose(value, [2 - 0.1 * 2 / (2 + 1e-8)], rtol=1e-15)


def test_adam_first_step_ignores_the_gradient_scale():
    """m_hat / sqrt(v_hat) = g / |g| at t = 1: every parameter moves by about the learning rate."""
    (value,) = run(Adam(0.01), [0.0, 0.0, 0.0], [[1e-4, -3.0, 1e4]])
    np.testing.assert_allclose(value, [-0.01, 0.01, -0.01], rtol=1e-4)


@pytest.mark.parametrize(
    "optimizer", [SGD(0.1), SGD(0.1, momentum=0.9, weight_decay=0.01), Adam(0.01)]
)
def test_updates_in_place_and_keeps_dtype(optimizer):
    W = np.ones((3, 2), dtype=np.float32)
    dW = np.full((3, 2), 0.5, dtype=np.float32)
    b = np.zeros(2, dtype=np.float32)
    db = np.ones(2, dtype=np.float32)
    optimizer.step([(W, dW), (b, db)])
    assert W.dtype == b.dtype == np.float32
    assert (W < 1).all() and (b < 0).all()
    np.testing.assert_array_equal(dW, 0.5)  # the gradients are left alone


def test_state_is_kept_per_parameter_by_position():
    """Two parameters with different gradient histories keep separate velocities."""
    a, b = np.zeros(1), np.zeros(1)
    ga, gb = np.ones(1), np.zeros(1)
    optimizer = SGD(1.0, momentum=0.5)
    optimizer.step([(a, ga), (b, gb)])  # a: v = -1, a = -1;  b: v = 0
    optimizer.step([(a, gb), (b, gb)])  # a: v = -0.5, a = -1.5;  b unchanged
    np.testing.assert_array_equal(a, [-1.5])
    np.testing.assert_array_equal(b, [0.0])


def test_other_parameters_are_refused():
    optimizer = Adam()
    optimizer.step([(np.zeros((2, 3)), np.zeros((2, 3)))])
    with pytest.raises(
        ValueError,
        match=r"Adam.step: got parameters of shapes \[\(3, 2\)\].*"
        r"Make a new Adam for each network",
    ):
        optimizer.step([(np.zeros((3, 2)), np.zeros((3, 2)))])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SGD(0.0), r"SGD: learning_rate must be a positive number, got 0.0"),
        (lambda: SGD(-0.5), r"SGD: learning_rate must be a positive number, got -0.5"),
        (lambda: Adam(float("nan")), r"Adam: learning_rate must be a positive number, got nan"),
        (lambda: SGD("0.1"), r"SGD: learning_rate must be a positive number, got '0.1'"),
        (lambda: SGD(0.1, momentum=1.0), r"SGD: momentum must be a number in \[0.0, 1.0\)"),
        (lambda: SGD(0.1, weight_decay=-1), r"SGD: weight_decay must be a number in \[0.0, inf\)"),
        (lambda: Adam(beta2=1.5), r"Adam: beta2 must be a number in \[0.0, 1.0\), got 1.5"),
        (lambda: Adam(eps=0), r"Adam: eps must be a positive number, got 0"),
    ],
)
def test_bad_settings(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_repr_shows_the_settings():
    assert repr(SGD(0.5)) == "SGD(learning_rate=0.5, weight_decay=0.0, momentum=0.0)"


def test_exponential_decay_sets_each_epochs_rate_from_the_first():
    # rates used in epochs 1..4 with factor 0.5: 0.8, 0.4, 0.2, 0.1 (halving is exact in floats)
    optimizer = SGD(0.8)
    used = []
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    network = Sequential([Dense(2, 2, seed=0)])
    fit(
        network,
        X,
        np.array([0, 1, 1]),
        CrossEntropy(),
        optimizer,
        epochs=4,
        progress=False,
        callbacks=[
            lambda epoch, history: used.append(optimizer.learning_rate),
            exponential_decay(optimizer, 0.5),
        ],
    )
    assert used == [0.8, 0.4, 0.2, 0.1]
    assert optimizer.learning_rate == 0.05  # what a fifth epoch would use


def test_exponential_decay_does_not_compound_when_called_again():
    optimizer = Adam(1e-3)
    schedule = exponential_decay(optimizer, 0.1)
    schedule(1, None)
    schedule(1, None)
    assert optimizer.learning_rate == pytest.approx(1e-4, rel=1e-12)


@pytest.mark.parametrize("factor", [0, -0.5, float("nan"), "0.5"])
def test_exponential_decay_refuses_a_bad_factor(factor):
    with pytest.raises(ValueError, match="exponential_decay: factor must be a positive number"):
        exponential_decay(SGD(0.1), factor)
