"""Loss functions: one number that says how wrong a batch of outputs is, and its gradient.

Introduced in chapter 03 (mean squared error, cross-entropy, gradient descent); the gradient of
softmax followed by cross-entropy, ``(p - y) / n``, is derived in chapter 05.

Every loss is a *mean over the samples* of a batch, so its size does not depend on the batch size
and neither does a good learning rate. Batches are rows: outputs have shape
``(n_samples, n_outputs)``. The functions (:func:`mse`, ...) compute the value, as the chapters
write the formulas; the classes (:class:`MeanSquaredError`, ...) are what training uses: calling one
gives the value, ``gradient`` gives ``dC/d output``, the first ``grad_out`` of backpropagation, and
``value_and_gradient`` gives both at once, as ``fit`` (chapter 06) asks for them at every step.

Logarithms are where losses go wrong numerically: ``log(0)`` is ``-inf``. Probabilities are clipped
to ``[eps, 1 - eps]``, with ``eps = np.finfo(dtype).eps`` (about 1.2e-7 in float32, 2.2e-16 in
float64), the smallest step away from 1 the dtype can represent; logits never see a logarithm
of a probability at all (see :func:`softmax_cross_entropy`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnlib.labels import as_class_indices
from nnlib.validation import as_2d


def _same_shape(output: ArrayLike, target: ArrayLike, names: tuple[str, str], where: str):
    """Return ``output`` and ``target`` as finite 2-D float arrays of one shape and dtype."""
    a = as_2d(output, names[0], where)
    y = as_2d(target, names[1], where, dtype=a.dtype)
    if a.shape != y.shape:
        raise ValueError(
            f"{where}: {names[0]} and {names[1]} must have the same shape, got {a.shape} and "
            f"{y.shape}. Compare each output with its own target: one row per sample, one column "
            f"per output unit."
        )
    return a, y


def _check_probabilities(p: np.ndarray, name: str, where: str, hint: str) -> None:
    """Raise unless every entry of ``p`` lies in [0, 1]."""
    outside = (p < 0) | (p > 1)
    if outside.any():
        raise ValueError(
            f"{where}: {name} must hold probabilities in [0, 1], got {p[outside][0].item()!r} "
            f"(shape {p.shape}). {hint}"
        )


def _probabilities_and_labels(p: ArrayLike, y: ArrayLike, where: str):
    """Return ``p`` and ``y`` as finite 2-D arrays of one shape, both of values in [0, 1]."""
    p, y = _same_shape(p, y, ("p", "y"), where)
    _check_probabilities(p, "p", where, "If these are scores (logits), apply sigmoid first.")
    _check_probabilities(y, "y", where, "Binary labels are 0 or 1.")
    return p, y


def _class_targets(scores: ArrayLike, y: ArrayLike, name: str, where: str):
    """Return ``scores`` as a finite 2-D float array and the labels ``y`` as class indices."""
    s = as_2d(scores, name, where)
    indices = as_class_indices(y, where, n_classes=s.shape[1])
    if len(indices) != len(s):
        raise ValueError(
            f"{where}: {name} and y must have one row per sample, got shapes {s.shape} and "
            f"{np.shape(y)}. Pass the labels of the same batch."
        )
    return s, indices


def _clip(p: np.ndarray) -> np.ndarray:
    """Clip probabilities to [eps, 1 - eps] so that their logarithms stay finite."""
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


def mse(y_pred: ArrayLike, y_true: ArrayLike) -> float:
    """Mean squared error, Nielsen's quadratic cost ``C = 1/(2n) sum_i ||a_i - y_i||^2``.

    The half makes the gradient clean: ``dC/da_i = (a_i - y_i) / n``.

    Parameters
    ----------
    y_pred : array_like, shape (n_samples, n_outputs)
        The outputs ``a``.
    y_true : array_like, shape (n_samples, n_outputs)
        The targets ``y``.

    Examples
    --------
    Two samples with errors (1, -1) and (2, 0): (1 + 1 + 4 + 0) / (2 * 2) = 1.5.

    >>> mse([[1.0, 0.0], [2.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]])
    1.5
    """
    a, y = _same_shape(y_pred, y_true, ("y_pred", "y_true"), "mse")
    error = a - y
    return float(np.sum(error * error) / (2 * len(a)))


def binary_cross_entropy(p: ArrayLike, y: ArrayLike) -> float:
    """Binary cross-entropy ``C = -1/n sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]``.

    It is the negative log-likelihood of the labels when ``p_i`` is the predicted probability that
    sample ``i`` is in class 1. Unlike the squared error, it punishes a confident wrong answer
    without bound, which is what keeps a saturated sigmoid learning (chapter 03).

    Parameters
    ----------
    p : array_like, shape (n_samples, 1)
        Predicted probabilities in [0, 1], e.g. the output of a 1-unit sigmoid layer. Exact 0 and 1
        are clipped to ``[eps, 1 - eps]`` (module docstring), so the loss stays finite.
    y : array_like, shape (n_samples, 1)
        Labels 0 or 1 (any value in [0, 1] is allowed).
    """
    p, y = _probabilities_and_labels(p, y, "binary_cross_entropy")
    q = _clip(p)
    return float(-np.sum(y * np.log(q) + (1 - y) * np.log(1 - q)) / len(q))


def cross_entropy(p: ArrayLike, y: ArrayLike) -> float:
    """Cross-entropy of predicted class probabilities, ``C = -1/n sum_i log p_i[y_i]``.

    Only the probability given to the right class counts: the loss is small when the network is
    confident and right, and grows without bound as that probability goes to 0.

    Parameters
    ----------
    p : array_like, shape (n_samples, n_classes)
        Probabilities, e.g. the output of a softmax. An exact 0 is clipped to ``eps`` (module
        docstring), so the loss stays finite.
    y : array_like, shape (n_samples,) or (n_samples, n_classes)
        Class indices or one-hot rows.
    """
    p, indices = _class_targets(p, y, "p", "cross_entropy")
    hint = "If these are scores (logits), use softmax_cross_entropy."
    _check_probabilities(p, "p", "cross_entropy", hint)
    return float(-np.mean(np.log(_clip(p[np.arange(len(p)), indices]))))


def softmax_cross_entropy(logits: ArrayLike, y: ArrayLike) -> float:
    """Cross-entropy of ``softmax(logits)``, computed from the logits without a logarithm of 0.

    ``log softmax(z)_j = z_j - log sum_k exp(z_k)``; subtracting ``m = max_k z_k`` first gives
    ``log sum_k exp(z_k) = m + log sum_k exp(z_k - m)`` (the log-sum-exp trick), whose terms are at
    most 1. So ``C = 1/n sum_i [log sum_k exp(z_ik - m_i) - (z_{i,y_i} - m_i)]`` is finite and
    exact even for logits of +-1e4, where ``log(softmax(z))`` would give ``log(0) = -inf``.

    Parameters
    ----------
    logits : array_like, shape (n_samples, n_classes)
        Unnormalised scores, the output of the last dense layer.
    y : array_like, shape (n_samples,) or (n_samples, n_classes)
        Class indices or one-hot rows.
    """
    z, indices = _class_targets(logits, y, "logits", "softmax_cross_entropy")
    shifted, _, sums = _shifted_exp(z)
    return _mean_log_loss(shifted, sums, indices)


def _shifted_exp(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stable pieces of softmax and log-softmax: ``shifted = z - m`` with ``m`` each row's
    maximum, ``exp(shifted)``, and the row sums of that, shape ``(n_samples, 1)``."""
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return shifted, exp, exp.sum(axis=1, keepdims=True)


def _mean_log_loss(shifted: np.ndarray, sums: np.ndarray, indices: np.ndarray) -> float:
    """``1/n sum_i [log sum_k exp(z_ik - m_i) - (z_{i,y_i} - m_i)]`` from the pieces above."""
    return float(np.mean(np.log(sums[:, 0]) - shifted[np.arange(len(shifted)), indices]))


class Loss:
    """What every loss class shares; subclass it for a loss of your own.

    A loss defines ``loss(output, target)``, the mean loss over the batch, and
    ``loss.gradient(output, target)``, ``dC/d output`` with the shape of ``output``. Training needs
    both at every step, so ``fit`` asks for them together with ``value_and_gradient``; a loss whose
    value and gradient share work (:class:`CrossEntropy`: one softmax) computes that work once.
    """

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        raise NotImplementedError

    def gradient(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        raise NotImplementedError

    def value_and_gradient(self, output: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
        """``(loss(output, target), loss.gradient(output, target))``."""
        return self(output, target), self.gradient(output, target)

    def check_target(self, target: np.ndarray, where: str) -> None:
        """Refuse targets this loss cannot take, before training starts (``fit`` calls it once
        with all the targets, shaped like the network's output). Any targets by default."""


class MeanSquaredError(Loss):
    """The quadratic cost of :func:`mse`, for training.

    ``loss(output, target)`` gives ``C = 1/(2n) sum ||a - y||^2`` and
    ``loss.gradient(output, target)`` gives ``dC/da = (a - y) / n``, shape and dtype of ``output``.
    """

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        return mse(*_same_shape(output, target, ("y_pred", "y_true"), "MeanSquaredError"))

    def gradient(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        a, y = _same_shape(output, target, ("y_pred", "y_true"), "MeanSquaredError.gradient")
        return (a - y) / len(a)


class BinaryCrossEntropy(Loss):
    """The cost of :func:`binary_cross_entropy`, for a network ending in one sigmoid unit.

    ``output`` holds probabilities of shape ``(n_samples, 1)`` (the sigmoid is a layer of its own)
    and ``target`` the labels 0 or 1 in the same shape. ``gradient`` returns

        dC/dp = (p - y) / (p (1 - p)) / n,

    with ``p`` clipped as for the value. Through the sigmoid's derivative ``p (1 - p)`` this
    becomes ``(p - y) / n`` with respect to the pre-activation: no saturation slow-down.
    """

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        return binary_cross_entropy(
            *_probabilities_and_labels(output, target, "BinaryCrossEntropy")
        )

    def gradient(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        p, y = _probabilities_and_labels(output, target, "BinaryCrossEntropy.gradient")
        q = _clip(p)
        return (q - y) / (q * (1 - q)) / len(q)

    def check_target(self, target: np.ndarray, where: str) -> None:
        """Refuse labels outside [0, 1]."""
        _check_probabilities(target, "y", where, "Binary labels are 0 or 1.")


class CrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits: the loss of a classifier.

    The network's last layer is a plain dense layer producing logits ``z``; this loss applies the
    softmax itself, exactly like PyTorch's ``CrossEntropyLoss``. Keras' ``Dense(10,
    activation="softmax")`` with ``categorical_crossentropy`` is the same mathematics split in two
    places. Fusing them has two benefits: the value is computed stably from the logits (see
    :func:`softmax_cross_entropy`), and the gradient with respect to the logits is simply

        dC/dz = (softmax(z) - onehot(y)) / n,

    the ``p - y`` of chapter 05, instead of a product with the full softmax Jacobian.

    ``target`` may be class indices, shape ``(n_samples,)``, or one-hot rows, shape
    ``(n_samples, n_classes)``. The gradient has the shape and dtype of the logits.
    """

    def __call__(self, logits: ArrayLike, target: ArrayLike) -> float:
        return softmax_cross_entropy(*_class_targets(logits, target, "logits", "CrossEntropy"))

    def gradient(self, logits: ArrayLike, target: ArrayLike) -> np.ndarray:
        return self.value_and_gradient(logits, target)[1]

    def value_and_gradient(self, logits: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
        """The loss and ``dC/dz = (softmax(z) - onehot(y)) / n`` from one set of exponentials.

        The value is computed as in :func:`softmax_cross_entropy`, and the same ``exp(z - m)``
        divided by its row sums is the softmax ``p`` of the gradient: training, which needs both
        at every step, computes the exponentials once.
        """
        z, indices = _class_targets(logits, target, "logits", "CrossEntropy")
        shifted, grad, sums = _shifted_exp(z)
        value = _mean_log_loss(shifted, sums, indices)
        grad /= sums  # p = softmax(z)
        grad[np.arange(len(z)), indices] -= 1  # p - y: y is 1 at the right class only
        grad /= len(z)
        return value, grad
