"""Checks on the arguments of nnlib's public functions, with messages that say what to do.

Introduced in chapter 01, used everywhere. A learner who passes a wrong shape, a NaN or a
negative learning rate should read, in one line, which function complained, about which
parameter, what it expected, what it got, and how to fix it.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

Seed = int | np.random.Generator | None


def as_rng(seed: Seed) -> np.random.Generator:
    """Turn a seed into a random generator, so that every random choice in nnlib is repeatable.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        An int gives a fresh generator seeded with it; a generator is used as it is (and advanced);
        ``None`` gives an unseeded generator (a different run every time).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed must be an int, a numpy.random.Generator or None, got {seed!r} "
        f"of type {type(seed).__name__}."
    )


def as_batch(X, name: str, where: str, *, dtype=None, finite: bool = True) -> np.ndarray:
    """Return ``X`` as a float array of shape ``(n_samples, ...)``: a batch of any shape.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        The batch to check: one entry per sample along the first axis, e.g. images of shape
        ``(n_samples, 28, 28)``.
    name : str
        The parameter's name, used in messages (``"X"``).
    where : str
        Who is asking, used in messages (``"Sigmoid().forward"``).
    dtype : numpy dtype, optional
        Convert to this floating dtype; by default keep a floating dtype and turn anything else
        into float64.
    finite : bool, default True
        Check that every value is finite. A layer inside a network passes ``False``: its input
        comes from the layer before, not from the user, and a NaN there means training diverged,
        which ``fit`` reports with the epoch and step where it happened.
    """
    array = np.asarray(X)
    if array.dtype.kind not in "biufc":  # bool, ints, floats, complex: numbers
        raise TypeError(f"{where}: {name} must hold numbers, got an array of dtype {array.dtype}.")
    if array.ndim == 0:
        raise ValueError(
            f"{where}: {name} must be a batch of shape (n_samples, ...), got the single number "
            f"{array.item()!r}. For one sample of one feature use np.array([[{name}]])."
        )
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif array.dtype.kind != "f":
        array = array.astype(np.float64)
    if finite:
        check_finite(array, name, where)
    return array


def as_2d(
    X, name: str, where: str, *, n_features: int | None = None, dtype=None, finite: bool = True
) -> np.ndarray:
    """Return ``X`` as a finite 2-D float array of shape ``(n_samples, n_features)``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        The batch to check. A 1-D array is refused rather than guessed at: one sample of
        ``d`` features is ``X.reshape(1, -1)``, ``n`` samples of one feature ``X.reshape(-1, 1)``.
    name, where, dtype, finite
        As for :func:`as_batch`.
    n_features : int, optional
        The number of columns required, if any.
    """
    array = np.asarray(X)
    if array.dtype.kind in "biufc" and array.ndim != 2:
        hint = (
            f" For one sample use {name}.reshape(1, -1); for one feature use {name}.reshape(-1, 1)."
            if array.ndim == 1
            else ""
        )
        raise ValueError(
            f"{where}: {name} must be 2-D with shape (n_samples, n_features), "
            f"got shape {array.shape}.{hint}"
        )
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"{where}: {name} must have {n_features} features (columns), got shape {array.shape}. "
            f"Check that the input matches the layer's or model's width."
        )
    return as_batch(array, name, where, dtype=dtype, finite=finite)


def check_finite(array: np.ndarray, name: str, where: str) -> None:
    """Raise if ``array`` holds NaN or infinity, saying how many and where the first one is."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = np.argwhere(~finite)
        raise ValueError(
            f"{where}: {name} contains {len(bad)} NaN or infinite value(s), the first at index "
            f"{tuple(int(i) for i in bad[0])}. Clean or rescale the data before passing it in."
        )


def check_positive(value, name: str, where: str, *, integer: bool = False) -> None:
    """Raise unless ``value`` is a positive finite number (a positive int if ``integer``)."""
    kind = "a positive integer" if integer else "a positive number"
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, Real)
    if isinstance(value, bool) or not ok_type or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be {kind}, got {value!r}.")


def check_in_range(value, name: str, where: str, low: float, high: float) -> None:
    """Raise unless ``value`` is a real number with ``low <= value < high``.

    For the knobs that live in an interval: a momentum or an Adam beta in [0, 1), a dropout rate
    in [0, 1), a weight decay in [0, inf).
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not low <= value < high:
        raise ValueError(f"{where}: {name} must be a number in [{low}, {high}), got {value!r}.")
