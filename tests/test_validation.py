"""Tests for nnlib.validation: the checks at the library's boundary, and the messages they give."""

import numpy as np
import pytest

from nnlib.validation import (
    as_2d,
    as_batch,
    as_rng,
    check_finite,
    check_in_range,
    check_positive,
)


def test_as_batch_keeps_any_sample_shape_and_converts_the_dtype():
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    batch = as_batch(images, "X", "test", dtype=np.float32)
    assert (batch.shape, batch.dtype) == ((5, 28, 28), np.float32)
    assert as_batch([1, 2], "X", "test").dtype == np.float64  # ints become float64
    floats = np.ones((2, 3), dtype=np.float32)
    assert as_batch(floats, "X", "test") is floats  # nothing to convert: no copy


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.float64(3.0), ValueError, r"test: X must be a batch of shape \(n_samples, \.\.\.\), got"
         r" the single number 3\.0"),
        (np.array(["a", "b"]), TypeError, r"test: X must hold numbers, got an array of dtype <U1"),
        ([[0.0, np.inf]], ValueError, r"test: X contains 1 NaN or infinite value\(s\), the first "
         r"at index \(0, 1\)"),
    ],
)
def test_as_batch_refuses_with_what_was_wrong(X, error, match):
    with pytest.raises(error, match=match):
        as_batch(X, "X", "test")


def test_as_batch_can_leave_values_unchecked():
    assert np.isnan(as_batch([[np.nan]], "X", "test", finite=False)).all()


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.ones(3), r"test: X must be 2-D .* got shape \(3,\)\. For one sample use "
         r"X\.reshape\(1, -1\)"),
        (np.ones((2, 3, 4)), r"test: X must be 2-D .* got shape \(2, 3, 4\)\.$"),
        (np.ones((2, 3)), r"test: X must have 4 features \(columns\), got shape \(2, 3\)"),
    ],
)
def test_as_2d_refuses_other_shapes(X, match):
    with pytest.raises(ValueError, match=match):
        as_2d(X, "X", "test", n_features=4)


def test_checks_of_numbers():
    check_positive(3, "n", "test", integer=True)
    check_in_range(0.0, "rate", "test", 0.0, 1.0)
    with pytest.raises(ValueError, match=r"test: n must be a positive integer, got True"):
        check_positive(True, "n", "test", integer=True)
    with pytest.raises(ValueError, match=r"test: rate must be a number in \[0.0, 1.0\), got 1.0"):
        check_in_range(1.0, "rate", "test", 0.0, 1.0)
    with pytest.raises(ValueError, match=r"test: a contains 2 NaN"):
        check_finite(np.array([np.nan, 1.0, np.nan]), "a", "test")


def test_as_rng_repeats_a_seed_and_passes_a_generator_on():
    assert as_rng(7).random() == as_rng(7).random()
    generator = np.random.default_rng(0)
    assert as_rng(generator) is generator
    with pytest.raises(TypeError, match=r"seed must be an int, .* got 1.5 of type float"):
        as_rng(1.5)
