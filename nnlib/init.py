"""Weight initializers: the random numbers a dense layer starts from.

Introduced in chapter 06. Why it matters: a sigmoid unit with 784 inputs whose weights are drawn
from N(0, 1) has a weighted sum with standard deviation about sqrt(784) = 28, so it starts deep in
the flat tails of the sigmoid, where its gradient is almost zero and it barely learns. Scaling the
spread of the weights with the number of inputs keeps the weighted sums of order one:

* Glorot (Xavier) keeps the variance of the signal about the same forwards and backwards,
  ``Var(W) = 2 / (n_in + n_out)``; the choice for sigmoid and tanh layers.
* He doubles it, ``Var(W) = 2 / n_in``, because a ReLU zeroes half of its inputs; the choice for
  ReLU layers.

Every initializer has the signature ``init(n_in, n_out, seed=None, dtype=np.float32)`` and returns
an array of shape ``(n_in, n_out)``, so a ``Dense`` layer accepts any of them (or your own).
The numbers are drawn in float64 and then rounded, so a float32 and a float64 layer built with the
same seed start from the same weights up to rounding.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import Seed, as_rng, check_positive


def _check_sizes(n_in: int, n_out: int, where: str) -> None:
    check_positive(n_in, "n_in", where, integer=True)
    check_positive(n_out, "n_out", where, integer=True)


def zeros(n_in: int, n_out: int, seed: Seed = None, dtype=np.float32) -> np.ndarray:
    """All zeros, shape ``(n_in, n_out)``: right for biases, wrong for weights.

    With equal weights every unit of a layer computes the same thing and receives the same
    gradient, so the units never become different: the symmetry must be broken by randomness.
    ``seed`` is accepted (and ignored) so that every initializer has the same signature.
    """
    _check_sizes(n_in, n_out, "zeros")
    return np.zeros((n_in, n_out), dtype=dtype)


def normal(
    n_in: int, n_out: int, std: float = 1.0, seed: Seed = None, dtype=np.float32
) -> np.ndarray:
    """Draws from N(0, std**2), shape ``(n_in, n_out)``.

    With the default ``std=1`` this is the naive choice that saturates wide sigmoid layers (see the
    module docstring); it is here so chapter 06 can show what goes wrong.
    """
    _check_sizes(n_in, n_out, "normal")
    check_positive(std, "std", "normal")
    return as_rng(seed).normal(0.0, std, size=(n_in, n_out)).astype(dtype)


def _uniform(n_in: int, n_out: int, limit: float, seed: Seed, dtype) -> np.ndarray:
    return as_rng(seed).uniform(-limit, limit, size=(n_in, n_out)).astype(dtype)


def glorot_uniform(n_in: int, n_out: int, seed: Seed = None, dtype=np.float32) -> np.ndarray:
    """Draws from U(-limit, limit) with ``limit = sqrt(6 / (n_in + n_out))``.

    A uniform law on ``[-L, L]`` has variance ``L**2 / 3``, so this limit gives the Glorot variance
    ``2 / (n_in + n_out)``. The default of ``Dense``.
    """
    _check_sizes(n_in, n_out, "glorot_uniform")
    return _uniform(n_in, n_out, np.sqrt(6.0 / (n_in + n_out)), seed, dtype)


def glorot_normal(n_in: int, n_out: int, seed: Seed = None, dtype=np.float32) -> np.ndarray:
    """Draws from N(0, 2 / (n_in + n_out)): Glorot's variance with a normal law."""
    _check_sizes(n_in, n_out, "glorot_normal")
    return normal(n_in, n_out, std=np.sqrt(2.0 / (n_in + n_out)), seed=seed, dtype=dtype)


def he_normal(n_in: int, n_out: int, seed: Seed = None, dtype=np.float32) -> np.ndarray:
    """Draws from N(0, 2 / n_in): He's variance for ReLU layers."""
    _check_sizes(n_in, n_out, "he_normal")
    return normal(n_in, n_out, std=np.sqrt(2.0 / n_in), seed=seed, dtype=dtype)


def he_uniform(n_in: int, n_out: int, seed: Seed = None, dtype=np.float32) -> np.ndarray:
    """Draws from U(-limit, limit) with ``limit = sqrt(6 / n_in)``: He's variance ``2 / n_in``."""
    _check_sizes(n_in, n_out, "he_uniform")
    return _uniform(n_in, n_out, np.sqrt(6.0 / n_in), seed, dtype)


INITIALIZERS = {
    f.__name__: f for f in (zeros, normal, glorot_uniform, glorot_normal, he_normal, he_uniform)
}
"""The initializers by name, so that ``Dense(784, 500, init="he_normal")`` can look one up."""
