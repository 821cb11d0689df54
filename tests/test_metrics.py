"""Tests for nnlib.metrics: accuracy and the confusion matrix, on hand-counted examples."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.metrics import accuracy, confusion_matrix

Y_TRUE = [0, 1, 2, 2, 1, 0]
Y_PRED = [0, 2, 2, 2, 1, 1]  # right at positions 0, 2, 3, 4: 4 of 6


def test_accuracy_by_hand():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert accuracy([1, 1], [1, 1]) == 1.0
    assert accuracy([1, 1], [0, 0]) == 0.0


def test_accuracy_accepts_one_hot_truth():
    one_hot = np.eye(3)[Y_TRUE]
    assert accuracy(one_hot, Y_PRED) == pytest.approx(4 / 6)


def test_accuracy_of_nothing_is_nan():
    assert np.isnan(accuracy(np.array([], dtype=int), np.array([], dtype=int)))


def test_confusion_matrix_by_hand():
    # true 0: predicted 0 once, 1 once; true 1: 2 once, 1 once; true 2: 2 twice
    expected = [
        [1, 1, 0],
        [0, 1, 1],
        [0, 0, 2],
    ]
    C = confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(C, expected)
    assert np.issubdtype(C.dtype, np.integer)


def test_confusion_matrix_keeps_missing_classes_when_told():
    C = confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert C.shape == (4, 4)
    np.testing.assert_array_equal(C[:2, :2], [[0, 1], [0, 1]])
    assert C.sum() == 2


@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), max_size=40),
        )
    )
)
def test_confusion_matrix_properties(case):
    """Rows count the true classes, columns the predictions, the diagonal the correct ones."""
    k, pairs = case
    y_true = np.array([t for t, _ in pairs], dtype=int)
    y_pred = np.array([p for _, p in pairs], dtype=int)
    C = confusion_matrix(y_true, y_pred, n_classes=k)
    assert C.shape == (k, k)
    np.testing.assert_array_equal(C.sum(axis=1), np.bincount(y_true, minlength=k))
    np.testing.assert_array_equal(C.sum(axis=0), np.bincount(y_pred, minlength=k))
    assert np.trace(C) == np.sum(y_true == y_pred)
    if pairs:
        assert accuracy(y_true, y_pred) == pytest.approx(np.trace(C) / len(pairs))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: accuracy([0, 1, 2], [0, 1]), r"accuracy: y_true and y_pred must label the same"),
        (lambda: accuracy([0, -1], [0, 1]), r"accuracy: y_true: labels must be class indices"),
        (lambda: accuracy([0, 1], [0.5, 1]), r"accuracy: y_pred: labels must be class indices"),
        (
            lambda: confusion_matrix([0, 3], [0, 1], n_classes=3),
            r"confusion_matrix: y_true: labels must be class indices 0..2",
        ),
    ],
)
def test_bad_labels(call, match):
    with pytest.raises(ValueError, match=match):
        call()
