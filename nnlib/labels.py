"""Label encodings: class indices and one-hot rows, and checked conversions between them.

Introduced in chapter 03 (the targets of a classification loss); chapter 07 one-hot encodes the
MNIST labels.

A label can be written two ways. As a *class index*, the digit 3 is just ``3``; as a *one-hot*
row among 10 classes it is ``[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]``, a probability distribution that puts
all its mass on the right class, which is what a softmax output is compared with. Losses and
metrics accept either and convert with :func:`as_class_indices` or :func:`as_one_hot`, which refuse
anything else with a message saying what they got and what to pass.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlib.validation import check_positive


def _label_error(y: np.ndarray, n_classes: int | None, where: str, one_hot_too: bool, bad=None):
    """The ValueError for labels ``y``: what is accepted, and ``bad``, the offending value or row
    (by default the first entry of ``y``)."""
    if bad is None:
        bad = y.tolist() if y.ndim == 0 else (y[0].tolist() if len(y) else [])
    top = "n_classes-1" if n_classes is None else n_classes - 1
    expected = f"class indices 0..{top} of shape (n,)"
    if one_hot_too:
        expected += f" or one-hot of shape (n, {n_classes or 'n_classes'})"
    hint = ""
    if y.ndim == 2 and y.shape[1] == 1:
        hint = " A column of indices, shape (n, 1), becomes shape (n,) with y.ravel()."
    return ValueError(
        f"{where}: labels must be {expected}; got shape {y.shape}, dtype {y.dtype}, e.g. {bad!r}."
        f"{hint}"
    )


def _check_indices(y: np.ndarray, n_classes: int | None, where: str, one_hot_too: bool):
    """Return the 1-D labels ``y`` as an int64 array after checking they are class indices."""
    if y.ndim != 1 or y.dtype.kind not in "iuf":  # ints or floats
        raise _label_error(y, n_classes, where, one_hot_too)
    upper = np.inf if n_classes is None else n_classes
    with np.errstate(invalid="ignore"):
        bad = ~((y >= 0) & (y < upper))
        if y.dtype.kind == "f":  # floats must hold whole numbers
            bad |= y != np.round(y)
    if bad.any():
        raise _label_error(y, n_classes, where, one_hot_too, bad=y[bad][0].item())
    return y.astype(np.int64)


def as_class_indices(y: ArrayLike, where: str, n_classes: int | None = None) -> np.ndarray:
    """Return labels given as class indices or one-hot rows as class indices.

    Parameters
    ----------
    y : array_like, shape (n_samples,) or (n_samples, n_classes)
        Class indices (ints, or floats holding whole numbers such as ``3.0``), or one-hot rows
        (each row exactly one 1 and zeros elsewhere).
    where : str
        Who is asking, used in error messages (``"CrossEntropy"``).
    n_classes : int, optional
        If given, indices must be below it and one-hot rows must have this many columns.

    Returns
    -------
    ndarray of int64, shape (n_samples,)

    Raises
    ------
    ValueError
        For anything else: negative, fractional or too-large indices, rows that are not one-hot,
        or arrays of another shape. The message shows what was given and what to pass.
    """
    if n_classes is not None:
        check_positive(n_classes, "n_classes", where, integer=True)
    y = np.asarray(y)
    if y.ndim != 2 or (y.shape[1] == 1 and n_classes != 1):
        return _check_indices(y, n_classes, where, one_hot_too=True)
    if n_classes is not None and y.shape[1] != n_classes:
        raise _label_error(y, n_classes, where, one_hot_too=True)
    rows_ok = np.all((y == 0) | (y == 1), axis=1) & (np.count_nonzero(y, axis=1) == 1)
    if not rows_ok.all():
        raise _label_error(y, n_classes, where, one_hot_too=True, bad=y[~rows_ok][0].tolist())
    return np.argmax(y, axis=1)


def one_hot(
    y: ArrayLike, n_classes: int | None = None, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Encode class indices as one-hot rows.

    Parameters
    ----------
    y : array_like of int, shape (n_samples,)
        Class indices in ``[0, n_classes)``.
    n_classes : int, optional
        The number of classes; by default ``max(y) + 1``. Pass it whenever you know it: a batch
        that happens to hold no 9 would otherwise get only 9 columns.
    dtype : numpy dtype
        The dtype of the result, float32 by default.

    Returns
    -------
    ndarray, shape (n_samples, n_classes)
        Row ``i`` is all zeros except a 1 in column ``y[i]``.

    Examples
    --------
    >>> one_hot([2, 0], n_classes=3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    if n_classes is not None:
        check_positive(n_classes, "n_classes", "one_hot", integer=True)
    y = _check_indices(np.asarray(y), n_classes, "one_hot", one_hot_too=False)
    if n_classes is None:
        n_classes = int(y.max()) + 1 if y.size else 0
    return np.eye(n_classes, dtype=dtype)[y]


def as_one_hot(
    y: ArrayLike, n_classes: int, where: str, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Return labels given as class indices or one-hot rows as one-hot rows of ``dtype``.

    Parameters
    ----------
    y : array_like, shape (n_samples,) or (n_samples, n_classes)
        Class indices or one-hot rows, checked as in :func:`as_class_indices`.
    n_classes : int
        The number of classes (columns of the result).
    where : str
        Who is asking, used in error messages.
    dtype : numpy dtype
        The dtype of the result, float32 by default.

    Returns
    -------
    ndarray, shape (n_samples, n_classes)
    """
    return np.eye(n_classes, dtype=dtype)[as_class_indices(y, where, n_classes)]
