"""Metrics: how often a classifier is right, and which classes it confuses.

Introduced in chapter 06; chapter 08 draws the confusion matrix of the MNIST network. The loss is
what training minimises, but it is hard to read ("0.08 nats"); accuracy is what a person asks
("how many digits does it get right?"), and the confusion matrix says which mistakes it makes.

Labels may be class indices, shape ``(n,)``, or one-hot rows, shape ``(n, n_classes)``;
``nnlib.labels`` checks and converts them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnlib.labels import as_class_indices


def _paired_indices(y_true, y_pred, where: str, n_classes: int | None = None):
    """Both label arrays as class indices of the same length."""
    y_true = as_class_indices(y_true, f"{where}: y_true", n_classes)
    y_pred = as_class_indices(y_pred, f"{where}: y_pred", n_classes)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"{where}: y_true and y_pred must label the same samples, got {len(y_true)} true "
            f"labels and {len(y_pred)} predictions."
        )
    return y_true, y_pred


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """The fraction of samples whose predicted class is the true class.

    Parameters
    ----------
    y_true : array_like, shape (n_samples,) or (n_samples, n_classes)
        The true classes, as indices or one-hot rows.
    y_pred : array_like, shape (n_samples,)
        The predicted classes, as ``Sequential.predict`` returns them.

    Returns
    -------
    float
        In [0, 1]; NaN for zero samples, where accuracy means nothing.
    """
    y_true, y_pred = _paired_indices(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None
) -> np.ndarray:
    """Count each (true class, predicted class) pair.

    Parameters
    ----------
    y_true : array_like, shape (n_samples,) or (n_samples, n_classes)
        The true classes, as indices or one-hot rows.
    y_pred : array_like, shape (n_samples,)
        The predicted classes.
    n_classes : int, optional
        The number of classes ``k``; by default one more than the largest label seen. Pass it
        when a class might be missing from both arrays, to keep the matrix ``k x k``.

    Returns
    -------
    ndarray of int64, shape (k, k)
        Entry ``[i, j]`` counts the samples of true class ``i`` predicted as class ``j``: the
        diagonal holds the correct answers, row ``i`` sums to the number of samples of class
        ``i``, and the whole matrix sums to ``n_samples``.
    """
    y_true, y_pred = _paired_indices(y_true, y_pred, "confusion_matrix", n_classes)
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    # Each pair (i, j) gets its own number i * k + j in [0, k * k); counting those numbers and
    # reshaping the counts to k x k puts count (i, j) in row i, column j.
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)
