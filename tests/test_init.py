"""Tests for nnlib.init: each initializer's law (bounds, mean, variance), dtype and seeding."""

import numpy as np
import pytest

from nnlib import init

N_IN, N_OUT = 1000, 1000  # a million draws: sample moments within a fraction of a percent

# (initializer, the variance its law must have, the bound |w| <= limit if it is uniform)
LAWS = [
    (init.glorot_uniform, 2 / (N_IN + N_OUT), np.sqrt(6 / (N_IN + N_OUT))),
    (init.glorot_normal, 2 / (N_IN + N_OUT), None),
    (init.he_uniform, 2 / N_IN, np.sqrt(6 / N_IN)),
    (init.he_normal, 2 / N_IN, None),
]


@pytest.mark.parametrize(("initializer", "variance", "limit"), LAWS)
def test_moments_and_bounds(initializer, variance, limit):
    W = initializer(N_IN, N_OUT, seed=0, dtype=np.float64)
    std = np.sqrt(variance)
    assert W.shape == (N_IN, N_OUT)
    # The mean of 10**6 draws has standard error std / 1000: 5 standard errors is generous.
    assert abs(W.mean()) < 5 * std / 1000
    assert W.var() == pytest.approx(variance, rel=0.01)
    if limit is None:
        # A normal law puts 68.27% of its mass within one standard deviation.
        assert np.mean(np.abs(W) < std) == pytest.approx(0.6827, abs=0.003)
    else:
        assert np.abs(W).max() <= limit
        assert np.abs(W).max() > 0.999 * limit  # the whole interval is used


def test_normal_uses_the_given_std():
    W = init.normal(500, 400, std=0.1, seed=1, dtype=np.float64)
    assert W.std() == pytest.approx(0.1, rel=0.01)
    assert init.normal(500, 400, seed=1, dtype=np.float64).std() == pytest.approx(1.0, rel=0.01)


def test_zeros():
    W = init.zeros(3, 2)
    assert W.shape == (3, 2)
    assert W.dtype == np.float32
    assert not W.any()


@pytest.mark.parametrize("initializer", init.INITIALIZERS.values())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_and_dtype(initializer, dtype):
    W = initializer(4, 3, seed=0, dtype=dtype)
    assert W.shape == (4, 3)
    assert W.dtype == dtype


def test_float32_is_float64_rounded():
    """The same seed gives the same weights in both precisions, so a float64 gradient check
    inspects the very network that float32 training starts from."""
    W64 = init.glorot_uniform(30, 20, seed=7, dtype=np.float64)
    W32 = init.glorot_uniform(30, 20, seed=7, dtype=np.float32)
    np.testing.assert_array_equal(W32, W64.astype(np.float32))


@pytest.mark.parametrize(
    "initializer", [f for f in init.INITIALIZERS.values() if f is not init.zeros]
)
def test_seed_repeats_and_differs(initializer):
    np.testing.assert_array_equal(initializer(20, 10, seed=3), initializer(20, 10, seed=3))
    assert not np.array_equal(initializer(20, 10, seed=3), initializer(20, 10, seed=4))
    # A generator is used as it is and advanced: two draws from it differ, and a fresh generator
    # with the same seed repeats the pair.
    rng = np.random.default_rng(5)
    first, second = initializer(20, 10, seed=rng), initializer(20, 10, seed=rng)
    assert not np.array_equal(first, second)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(first, initializer(20, 10, seed=rng))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: init.glorot_uniform(0, 3),
            r"glorot_uniform: n_in must be a positive integer, got 0",
        ),
        (lambda: init.he_normal(3, 2.5), r"he_normal: n_out must be a positive integer, got 2.5"),
        (lambda: init.normal(3, 2, std=-1.0), r"normal: std must be a positive number, got -1.0"),
        (lambda: init.he_uniform(3, 2, seed="x"), r"seed must be an int"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
