"""Activation functions and their derivatives.

Introduced in chapter 02; the step function is first met in chapter 01.

Every function here is elementwise (softmax works along one axis) and accepts an array of any
shape. A floating input keeps its dtype, so a float32 batch stays float32; anything else (ints,
bools, Python numbers) is computed in float64, as numpy itself does for ``np.exp(1)``.

The derivatives take the *pre-activation* ``z``, like the formulas in the chapter:
``a = sigma(z)`` and ``da/dz = sigma_prime(z)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _as_float(z: ArrayLike) -> np.ndarray:
    """Return ``z`` as an array, floating dtype kept, anything else as float64."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def step(z: ArrayLike) -> np.ndarray:
    """The Heaviside step: 1.0 where ``z >= 0``, else 0.0 (same shape as ``z``).

    A perceptron fires when its weighted sum reaches the threshold; with the threshold folded into
    the bias, "reaches" means ``z >= 0``.
    """
    z = _as_float(z)
    return (z >= 0).astype(z.dtype)


def step_prime(z: ArrayLike) -> np.ndarray:
    """The derivative of the step: 0.0 everywhere (same shape as ``z``).

    Strictly, the step has no derivative at 0 and a zero derivative everywhere else; we return 0
    at 0 too. This is why a network of step units cannot learn by gradient descent: a small change
    of any weight changes no output at all, so the gradient says "nothing you do matters" and
    every update is zero. Smooth activations such as the sigmoid exist to fix exactly this.
    """
    return np.zeros_like(_as_float(z))


def sigmoid(z: ArrayLike) -> np.ndarray:
    """The logistic sigmoid ``1 / (1 + exp(-z))``, a smooth step from 0 to 1, for any ``z``.

    Written as it stands, the formula overflows: for ``z = -1000``, ``exp(1000)`` is beyond any
    float. So it is split in two, with ``e = exp(-|z|)``, which is never above 1::

        sigmoid(z) = 1 / (1 + e)    where z >= 0    (e = exp(-z), the formula itself)
        sigmoid(z) = e / (1 + e)    where z < 0     (e = exp(z): top and bottom times exp(z))

    The top is ``exp(min(z, 0))`` in both halves (1, or ``exp(z)``), so one expression covers
    them, and no exponential ever sees a positive number. (``np.where(z >= 0, 1, e)`` would say
    the same, but choosing entry by entry is slower on a CPU than a second exponential.) For very
    large ``|z|``, the exponentials underflow to 0 and the result is exactly 1 or 0.
    """
    z = _as_float(z)
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """The derivative of the sigmoid, ``sigmoid(z) * (1 - sigmoid(z))``.

    Its largest value is 1/4, at ``z = 0``, and it vanishes for large ``|z|``: a saturated sigmoid
    unit passes almost no gradient back, which is the vanishing-gradient problem of chapter 02.
    """
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: ArrayLike) -> np.ndarray:
    """The hyperbolic tangent, a sigmoid stretched to (-1, 1): ``tanh(z) = 2 sigmoid(2z) - 1``.

    Being centred on 0 it keeps the next layer's inputs centred too, which often speeds learning.
    """
    return np.tanh(_as_float(z))


def tanh_prime(z: ArrayLike) -> np.ndarray:
    """The derivative of tanh, ``1 - tanh(z)**2``; it is 1 at ``z = 0`` and vanishes far from 0."""
    t = tanh(z)
    return 1 - t * t


def relu(z: ArrayLike) -> np.ndarray:
    """The rectified linear unit ``max(z, 0)``.

    It does not saturate for positive ``z`` (its slope stays 1), so gradients pass through deep
    networks undiminished; the price is that a unit whose ``z`` is always negative never learns.
    """
    return np.maximum(_as_float(z), 0)


def relu_prime(z: ArrayLike) -> np.ndarray:
    """The derivative of ReLU: 1.0 where ``z > 0``, else 0.0.

    ReLU has no derivative at ``z = 0`` (the slope jumps from 0 to 1). We take 0 there, the same
    convention as PyTorch and TensorFlow; any value in [0, 1] is a valid subgradient, and exactly
    0 is rare in floating point, so the choice does not change training.
    """
    z = _as_float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: ``z`` where ``z > 0``, else ``alpha * z``.

    The small slope ``alpha`` for negative ``z`` keeps a gradient flowing, so a unit pushed into the
    negative region can still recover, unlike a "dead" ReLU.
    """
    z = _as_float(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """The derivative of leaky ReLU: 1.0 where ``z > 0``, else ``alpha`` (``alpha`` at ``z = 0``,
    the same convention as :func:`relu_prime`)."""
    z = _as_float(z)
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Turn scores into probabilities: ``exp(z_j) / sum_k exp(z_k)`` along ``axis``.

    Parameters
    ----------
    z : array_like, shape (n_samples, n_classes) or any shape
        Scores ("logits"); one row per sample with the default ``axis=-1``.
    axis : int
        The axis along which the probabilities sum to 1.

    Returns
    -------
    ndarray, same shape as ``z``
        Positive values that sum to 1 along ``axis``.

    Notes
    -----
    ``exp(1000)`` overflows to infinity and ``inf / inf`` is NaN. Softmax does not change when the
    same number is subtracted from every score (it cancels between top and bottom), so we subtract
    each row's maximum first: the largest exponent is then ``exp(0) = 1`` and nothing overflows.
    """
    z = _as_float(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(z: ArrayLike) -> np.ndarray:
    """The matrix of derivatives of softmax for one vector of scores.

    With ``s = softmax(z)``, ``ds_i / dz_j = s_i (delta_ij - s_j)``, i.e. ``diag(s) - s s^T``.
    Every output depends on every score, so the Jacobian is a full matrix, not a diagonal one as
    for the elementwise activations. Chapter 05 shows how, combined with cross-entropy, it
    collapses to the simple gradient ``p - y``.

    Parameters
    ----------
    z : array_like, shape (n_classes,)
        The scores of one sample.

    Returns
    -------
    ndarray, shape (n_classes, n_classes)
        Entry ``[i, j]`` is ``d softmax(z)_i / d z_j``.
    """
    z = _as_float(z)
    if z.ndim != 1:
        raise ValueError(
            f"softmax_jacobian: z must be one vector of scores, shape (n_classes,), got shape "
            f"{z.shape}. For a batch, call it on each row, e.g. softmax_jacobian(Z[0])."
        )
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)
