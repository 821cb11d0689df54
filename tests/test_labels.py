"""Tests for nnlib.labels: encodings by hand, round trips, and the refusals with their messages."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.labels import as_class_indices, as_one_hot, one_hot


def test_one_hot_by_hand():
    expected = [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]]
    encoded = one_hot([2, 0, 2], n_classes=4)
    np.testing.assert_array_equal(encoded, expected)
    assert encoded.dtype == np.float32


def test_one_hot_infers_the_number_of_classes_and_takes_a_dtype():
    encoded = one_hot(np.array([1, 0], dtype=np.uint8), dtype=np.float64)
    np.testing.assert_array_equal(encoded, [[0, 1], [1, 0]])
    assert encoded.dtype == np.float64


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_indices_survive_a_round_trip_through_one_hot(y):
    encoded = as_one_hot(y, 10, "test")
    assert encoded.shape == (len(y), 10)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1)
    np.testing.assert_array_equal(as_class_indices(encoded, "test"), y)


def test_whole_floats_are_accepted_as_indices():
    y = as_class_indices(np.array([3.0, 0.0]), "test", n_classes=4)
    np.testing.assert_array_equal(y, [3, 0])
    assert np.issubdtype(y.dtype, np.integer)


def test_one_hot_rows_of_any_numeric_dtype_are_accepted():
    rows = np.array([[False, True], [True, False]])
    np.testing.assert_array_equal(as_class_indices(rows, "test"), [1, 0])
    np.testing.assert_array_equal(as_one_hot(rows.astype(int), 2, "test"), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    ("y", "shown"),
    [
        ([1, 2, 10], "e.g. 10"),
        ([0, -1], "e.g. -1"),
        ([0.5, 1.0], "e.g. 0.5"),
        ([np.nan], "e.g. nan"),
        ([[0, 1, 0, 0, 0, 0, 0, 0, 0, 1]], r"e.g. \[0, 1, 0, 0, 0, 0, 0, 0, 0, 1\]"),
        ([[0.5] * 10], r"e.g. \[0.5,"),
        ([[0] * 10], r"e.g. \[0, 0,"),
        ([[0, 1, 0]], r"shape \(1, 3\)"),
        (np.array(["a", "b"]), "dtype <U1"),
        (np.zeros((4, 1)), r"y.ravel\(\)"),
    ],
)
def test_bad_labels_are_refused_with_what_was_given_and_what_to_pass(y, shown):
    with pytest.raises(ValueError, match="CrossEntropy: labels must be class indices 0..9") as err:
        as_one_hot(y, 10, "CrossEntropy")
    assert "of shape (n,) or one-hot of shape (n, 10)" in str(err.value)
    assert err.match(shown)


def test_one_hot_refuses_what_is_already_one_hot():
    with pytest.raises(
        ValueError, match=r"one_hot: labels must be class indices .* of shape \(n,\);"
    ):
        one_hot(np.eye(3))


def test_one_hot_refuses_an_index_beyond_n_classes():
    with pytest.raises(ValueError, match="one_hot: labels must be class indices 0..2 .* e.g. 3"):
        one_hot([0, 3], n_classes=3)


@pytest.mark.parametrize("n_classes", [0, -2, 2.5])
def test_the_number_of_classes_must_be_a_positive_integer(n_classes):
    with pytest.raises(ValueError, match="test: n_classes must be a positive integer"):
        as_class_indices([0], "test", n_classes=n_classes)
