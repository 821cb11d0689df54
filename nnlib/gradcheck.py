"""Gradient checking: compare a gradient worked out by hand with one measured by finite differences.

Introduced in chapter 03 (the gradient of one sigmoid neuron) and used again in chapter 05 to
prove backpropagation right, layer by layer.

A derivative is a limit, ``f'(x) = lim (f(x + h) - f(x - h)) / (2h)``; with a small ``h`` the
*central difference* approximates it with an error of order ``h**2``. It costs two evaluations of
``f`` per entry of ``x``, far too slow to train with, but it needs no calculus, so it is an
independent check of the analytic gradient that training does use.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a number. It is called ``2 * x.size`` times, with ``x`` itself modified,
        so it must read ``x`` when it is called (a closure over a layer's ``W`` works).
    x : ndarray of float64, any shape
        The point. Each entry is moved to ``x + eps`` and ``x - eps`` *in place* and then restored
        exactly, so ``x`` may be a network's own weight array.
    eps : float
        The step ``h``. The error of the approximation is about ``h**2 * f'''``, while rounding
        contributes about ``machine_eps * |f| / h``; 1e-6 balances the two in float64.

    Returns
    -------
    ndarray of float64, same shape as ``x``
        Entry ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 array. In float32, numbers carry only about 7 significant digits:
        ``x + 1e-6`` may round back to ``x``, and the rounding error of ``f``, about ``1e-7 |f|``,
        divided by ``2 eps`` swamps the derivative. Check gradients in float64 (build the layer or
        data with ``dtype=np.float64``) and train in float32.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"numerical_gradient: x must be a float64 numpy array (it is perturbed in place), "
            f"got {got}. Finite differences are too inaccurate in float32; use float64, "
            f"e.g. x = np.asarray(x, dtype=np.float64)."
        )
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + eps
            f_plus = float(f(x))
            x[i] = original - eps
            f_minus = float(f(x))
        finally:
            x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """How far apart two gradients are, relative to their size.

    ``max_i |a_i - b_i| / max(max_i (|a_i| + |b_i|), tiny)``: the largest disagreement divided by
    the largest magnitude, so the answer does not depend on the scale of the loss, and a tiny
    entry with a tiny absolute error does not blow up the ratio as an entrywise ratio would.
    ``tiny`` (the smallest normal float64) only avoids 0 / 0 when both are zero.

    As a rule of thumb in float64: below 1e-7 the gradients agree, around 1e-4 something is off
    (or a kink such as ReLU at 0 was crossed), above 1e-2 the analytic gradient is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"relative_error: the two gradients must have the same shape, got {a.shape} and "
            f"{b.shape}. A gradient has the shape of the parameter it belongs to."
        )
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a) + np.abs(b))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b))) / scale


def check_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: ArrayLike,
    tol: float = 1e-6,
    eps: float = 1e-6,
) -> float:
    """Compare an analytic gradient of ``f`` at ``x`` with :func:`numerical_gradient`.

    Parameters
    ----------
    f : callable
        The scalar function, as for :func:`numerical_gradient` (for a layer: a closure that runs the
        forward pass and the loss, reading the parameter array ``x``).
    x : ndarray of float64
        The point, perturbed in place and restored.
    analytic : array_like, same shape as ``x``
        The gradient to check, e.g. a layer's ``dW`` after ``backward``.
    tol : float
        The relative error above which a warning shows the worst entry.
    eps : float
        The finite-difference step.

    Returns
    -------
    float
        :func:`relative_error` of the two gradients. It is returned rather than asserted so that a
        notebook can show how large the error of a wrong gradient is; a test asserts
        ``check_gradient(...) < 1e-6`` itself.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = numerical_gradient(f, x, eps)
    error = relative_error(analytic, numeric)
    if error > tol:
        worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), x.shape)
        warnings.warn(
            f"check_gradient: relative error {error:.3g} > tol {tol:g}; the worst entry, at index "
            f"{tuple(int(i) for i in worst)}, is {analytic[worst]:.6g} (analytic) vs "
            f"{numeric[worst]:.6g} (finite differences).",
            stacklevel=2,
        )
    return error
