"""The perceptron against hand-worked updates, logic gates, and the convergence theorem."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.neuron import Perceptron

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def test_first_epoch_matches_hand_computed_updates():
    # Two points visited in the order the seed gives; replay the rule by hand in that order.
    X = np.array([[2.0, -1.0], [-1.0, 1.0]])
    y = np.array([0, 1])
    model = Perceptron(learning_rate=0.5, n_epochs=1, seed=3).fit(X, y)
    order = np.random.default_rng(3).permutation(2)
    w, b = np.zeros(2), 0.0
    for i in order:
        y_hat = 1.0 if X[i] @ w + b >= 0 else 0.0
        w, b = w + 0.5 * (y[i] - y_hat) * X[i], b + 0.5 * (y[i] - y_hat)
    np.testing.assert_array_equal(model.w, w)
    assert model.b == b


def test_single_update_by_hand():
    # w = 0, b = 0, x = (2, -1), y = 0: z = 0 -> y_hat = 1, error -1: w = (-2, 1), b = -1.
    model = Perceptron(n_epochs=1, seed=0).fit(np.array([[2.0, -1.0]]), np.array([0]))
    np.testing.assert_array_equal(model.w, [-2.0, 1.0])
    assert model.b == -1.0
    assert model.mistakes == [1]


@pytest.mark.parametrize(
    "truth",
    [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0]],
    ids=["AND", "OR", "NAND", "NOR"],
)
def test_learns_every_linearly_separable_gate(truth):
    model = Perceptron(n_epochs=100, seed=0).fit(GATE_INPUTS, truth)
    assert model.converged
    np.testing.assert_array_equal(model.predict(GATE_INPUTS), truth)


def test_xor_never_converges():
    model = Perceptron(n_epochs=200, seed=0).fit(GATE_INPUTS, [0, 1, 1, 0])
    assert not model.converged
    assert min(model.mistakes) > 0
    assert (model.predict(GATE_INPUTS) != [0, 1, 1, 0]).any()


@settings(max_examples=60, deadline=None)
@given(
    angle=st.floats(0, 2 * np.pi),
    offset=st.floats(-0.5, 0.5),
    data_seed=st.integers(0, 2**32 - 1),
    order_seed=st.integers(0, 100),
)
def test_separates_any_linearly_separable_set(angle, offset, data_seed, order_seed):
    # Points on both sides of a random line, at least 0.05 from it. With the bias folded into
    # the weights (x -> (x, 1)), R <= sqrt(3) and the margin >= 0.05 / sqrt(1.25), so Novikoff's
    # bound allows at most 3 * 1.25 / 0.05**2 = 1500 mistakes: 1500 epochs always suffice.
    normal = np.array([np.cos(angle), np.sin(angle)])
    points = np.random.default_rng(data_seed).uniform(-1, 1, size=(40, 2))
    distance = points @ normal + offset
    points, distance = points[np.abs(distance) > 0.05], distance[np.abs(distance) > 0.05]
    labels = (distance > 0).astype(int)
    model = Perceptron(n_epochs=1500, seed=order_seed).fit(points, labels)
    assert model.converged
    np.testing.assert_array_equal(model.predict(points), labels)


def test_learning_rate_only_rescales_the_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X @ [1.0, -2.0] > 0.1).astype(int)
    small = Perceptron(learning_rate=0.1, seed=1).fit(X, y)
    large = Perceptron(learning_rate=1.0, seed=1).fit(X, y)
    np.testing.assert_allclose(large.w, 10 * small.w)
    assert small.mistakes == large.mistakes


def test_same_seed_same_run_and_history_replays_epochs():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(25, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    first, second = (Perceptron(seed=7).fit(X, y) for _ in range(2))
    np.testing.assert_array_equal(first.w, second.w)
    assert first.mistakes == second.mistakes
    assert len(first.history) == len(first.mistakes)
    np.testing.assert_array_equal(first.history[-1][0], first.w)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0}, "learning_rate must be a positive number, got 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a positive number"),
        ({"n_epochs": 2.5}, "n_epochs must be a positive integer, got 2.5"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(**kwargs)


def test_bad_input_says_what_to_do():
    model = Perceptron().fit(GATE_INPUTS, [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"must be 2-D .* got shape \(2,\).*reshape\(1, -1\)"):
        model.predict(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"must have 2 features .* got shape \(1, 3\)"):
        model.predict(np.ones((1, 3)))
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        Perceptron().fit(GATE_INPUTS, [0, 2, 0, 1])
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        Perceptron().fit(GATE_INPUTS, [0, 1])
    with pytest.raises(ValueError, match="NaN or infinite"):
        Perceptron().fit(np.array([[0.0, np.nan]]), [1])
    with pytest.raises(RuntimeError, match="call fit"):
        Perceptron().predict(GATE_INPUTS)
