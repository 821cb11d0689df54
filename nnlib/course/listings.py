"""The seed tutorial's two listings: shown from their files, and the TensorFlow one re-run in nnlib.

Introduced in chapter 09, "From nnlib to TensorFlow and Keras"; used by
``benchmarks/bench_listing.py``, which measures the full runs the chapter reports.

The course was made from a Chinese-language tutorial whose two listings, one for TensorFlow 1 and
one for Keras, train the seed network of chapter 08. They are kept verbatim in
``chapters/listings/`` (see the README there). The TensorFlow listing cannot run as printed (it
uses ``mnist`` and ``accuracy`` without defining them, and TensorFlow 2 removed its API), so
chapter 09 re-runs its schedule in nnlib: 784-500-10 with sigmoid units, weights drawn from
N(0, 1), the mean cross-entropy, plain gradient descent with learning rate 0.5, 1,000 steps of
batches of 100 from the 55,000 training images of TensorFlow's ``input_data.read_data_sets``.

Its loss is ``tf.reduce_mean(-tf.reduce_sum(y * tf.log(y_pred), ...))`` with ``y_pred`` a softmax.
:class:`ListingCrossEntropy` computes that loss and its gradient as TensorFlow's graph does, step
by step through the logarithm, so that it fails where TensorFlow fails: TensorFlow's CPU kernels
flush float32 results below the smallest normal number (about ``1.18e-38 = e**-87.34``) to zero,
so a probability ``exp(z_j - max z)`` is exactly 0 once a sample's logits lie more than 87.34
apart, and ``log(0)`` turns the loss and every gradient into NaN.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from nnlib.activations import softmax
from nnlib.labels import as_one_hot
from nnlib.layers import Dense, Sigmoid
from nnlib.losses import CrossEntropy, Loss
from nnlib.metrics import accuracy
from nnlib.network import Sequential
from nnlib.optim import SGD
from nnlib.training import minibatches
from nnlib.validation import Seed, as_rng

LISTINGS = Path(__file__).resolve().parents[2] / "chapters" / "listings"
"""The folder of the verbatim listings: ``tf1_mnist.py`` and ``keras_mnist.py``."""

SMALLEST_NORMAL = float(np.finfo(np.float32).tiny)
"""1.1755e-38: a float32 result below this is flushed to 0 by TensorFlow's CPU kernels."""

UNDERFLOW_GAP = float(-np.log(SMALLEST_NORMAL))
"""87.34: a softmax probability is exactly 0 in TensorFlow once ``max z - z_j`` exceeds this."""


def listing_lines(name: str) -> list[str]:
    """The lines of the listing ``name`` (``"tf1_mnist.py"`` or ``"keras_mnist.py"``)."""
    path = LISTINGS / name
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in LISTINGS.glob("*.py")))
        raise FileNotFoundError(
            f"listing_lines: there is no listing {name!r} in {LISTINGS}; the listings are "
            f"{available or 'missing: is this a copy of the course repository?'}."
        )
    return path.read_text(encoding="utf-8").splitlines()


def show_listing(name: str) -> None:
    """Print the listing ``name`` with its line numbers, as the chapter refers to them."""
    for number, line in enumerate(listing_lines(name), start=1):
        print(f"{number:3}  {line}")


class ListingCrossEntropy(Loss):
    """The TensorFlow listing's loss, computed the way its graph computes it.

    The network's output is the logits ``z``, shape ``(n_samples, 10)``; the listing's
    ``y_pred = tf.nn.softmax(z)`` is formed here, in float32, with results below
    :data:`SMALLEST_NORMAL` flushed to 0 as TensorFlow's CPU kernels do. Then

        C = mean_i ( -sum_j y_ij log p_ij )

    and the gradient follows TensorFlow's automatic differentiation node by node: the gradient of
    ``log`` is ``g * (1 / p)``, and that of the softmax ``(g - sum_j g_j p_j) p``. When no
    probability is 0 this is exactly ``(p - y) / n``, the gradient of :class:`CrossEntropy`. When
    one is 0, ``0 * log(0)`` and ``0 * (1 / 0)`` are NaN, and so is the whole row's gradient.
    """

    def probabilities(self, logits: ArrayLike) -> np.ndarray:
        """``y_pred``: the float32 softmax of ``logits`` with TensorFlow's flush to zero."""
        p = softmax(np.asarray(logits, dtype=np.float32), axis=1)
        p[p < SMALLEST_NORMAL] = 0.0
        return p

    def __call__(self, logits: ArrayLike, target: ArrayLike) -> float:
        p = self.probabilities(logits)
        y = as_one_hot(target, p.shape[1], "ListingCrossEntropy")
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.mean(-np.sum(y * np.log(p), axis=1)))

    def gradient(self, logits: ArrayLike, target: ArrayLike) -> np.ndarray:
        p = self.probabilities(logits)
        y = as_one_hot(target, p.shape[1], "ListingCrossEntropy.gradient")
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_p = (-y / len(p)) * (1 / p)  # through reduce_mean, the minus, y * log(p)
            return (grad_p - np.sum(grad_p * p, axis=1, keepdims=True)) * p  # through softmax


def read_data_sets_split(X_train: np.ndarray, y_train: np.ndarray):
    """The training images of ``input_data.read_data_sets``: it keeps the first 5,000 of MNIST's
    60,000 for validation and trains on the other 55,000."""
    return X_train[5000:], y_train[5000:]


def next_batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, seed: Seed = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches without end, in a new random order at every pass: ``mnist.train.next_batch``."""
    rng = as_rng(seed)
    while True:
        yield from minibatches(X, y, batch_size, seed=rng)


def listing_network(init: str = "normal", seed: Seed = 0) -> Sequential:
    """784-500-10 with sigmoid units, as the listing builds it: ``init="normal"`` draws the
    weights from N(0, 1) like ``tf.random_normal``; biases start at 0 like ``tf.zeros``."""
    rng = as_rng(seed)
    return Sequential(
        [Dense(784, 500, init=init, seed=rng), Sigmoid(), Dense(500, 10, init=init, seed=rng)]
    )


def saturated_fraction(network: Sequential, X: np.ndarray) -> float:
    """The fraction of (image, hidden unit) pairs where the sigmoid's slope ``a (1 - a)`` is below
    0.01, i.e. ``|z| > 4.6``: there the unit passes on less than 4% of its largest gradient."""
    a = network.layers[1].forward(network.layers[0].forward(X))
    return float(np.mean(a * (1 - a) < 0.01))


def train_like_listing(
    network: Sequential,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    loss: Loss | None = None,
    steps: int = 1000,
    batch_size: int = 100,
    learning_rate: float = 0.5,
    every: int = 100,
    seed: Seed = 0,
) -> dict:
    """Lines 18-23 of the TensorFlow listing: ``steps`` steps of gradient descent on batches.

    Returns the test accuracy every ``every`` steps and after the last, the largest logit gap
    ``max z - min z`` of each stretch of ``every`` steps (a gap above :data:`UNDERFLOW_GAP` is a 0
    probability in TensorFlow), and the first step whose gradient held NaN, if any: from then on
    every weight is NaN, and training stops.
    """
    loss = loss or CrossEntropy()
    optimizer = SGD(learning_rate)
    batches = next_batches(*train, batch_size, seed=seed)
    record = {"step": [], "test_accuracy": [], "largest_gap": [], "nan_step": None}
    largest_gap = 0.0
    for step in range(1, steps + 1):
        batch_x, batch_y = next(batches)
        logits = network.forward(batch_x, training=True)
        largest_gap = max(largest_gap, float(np.max(logits.max(axis=1) - logits.min(axis=1))))
        grad = loss.gradient(logits, batch_y)
        if np.isnan(grad).any():
            record["nan_step"] = step
            break
        network.backward(grad)
        optimizer.step(network.parameters())
        if step % every == 0 or step == steps:
            record["step"].append(step)
            record["test_accuracy"].append(accuracy(test[1], network.predict(test[0])))
            record["largest_gap"].append(largest_gap)
            largest_gap = 0.0
    return record
