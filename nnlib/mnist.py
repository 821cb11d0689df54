"""The seed network for MNIST and its classic training recipe, in one place.

Introduced in chapter 08, "The full MNIST network"; used by chapters 09 and 10, by the command
``nnlib mnist`` and by ``benchmarks/bench_mnist.py``.

The seed network is the one the widely copied Keras listing trains: 784 inputs, 500 sigmoid
units, 10 outputs with softmax, categorical cross-entropy, plain SGD with learning rate 0.5,
batches of 128, 20 epochs, inputs scaled to [0, 1], Glorot-uniform weights and zero biases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlib.data import flatten_and_scale, load_mnist
from nnlib.layers import Dense, ReLU, Sigmoid, Tanh
from nnlib.losses import CrossEntropy
from nnlib.network import Sequential
from nnlib.optim import SGD, Adam
from nnlib.training import History, evaluate, fit
from nnlib.validation import check_positive

ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass(frozen=True)
class Recipe:
    """How to build and train an MNIST network; the defaults are the seed network's.

    ``init`` defaults to He initialisation for ReLU (which halves the signal it lets through)
    and Glorot otherwise.
    """

    epochs: int = 20
    learning_rate: float = 0.5
    batch_size: int = 128
    n_hidden: int = 500
    activation: str = "sigmoid"
    optimizer: str = "sgd"
    seed: int = 0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        check_positive(self.epochs, "epochs", "Recipe", integer=True)
        check_positive(self.learning_rate, "learning_rate", "Recipe")
        check_positive(self.batch_size, "batch_size", "Recipe", integer=True)
        check_positive(self.n_hidden, "n_hidden", "Recipe", integer=True)
        for name, value, choices in [
            ("activation", self.activation, tuple(ACTIVATIONS)),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("dtype", self.dtype, ("float32", "float64")),
        ]:
            if value not in choices:
                raise ValueError(
                    f"Recipe: {name} must be one of {', '.join(choices)}, got {value!r}."
                )

    def network(self) -> Sequential:
        """The untrained network: Dense(784, n_hidden), activation, Dense(n_hidden, 10)."""
        init = "he_normal" if self.activation == "relu" else "glorot_uniform"
        rng = np.random.default_rng(self.seed)
        return Sequential(
            [
                Dense(784, self.n_hidden, init=init, seed=rng, dtype=self.dtype),
                ACTIVATIONS[self.activation](),
                Dense(self.n_hidden, 10, init=init, seed=rng, dtype=self.dtype),
            ]
        )

    def optimizer_for(self) -> SGD | Adam:
        """The optimiser the recipe names, with its learning rate."""
        if self.optimizer == "adam":
            return Adam(self.learning_rate)
        return SGD(self.learning_rate, momentum=0.9 if self.optimizer == "momentum" else 0.0)


def load_prepared(directory=None, dtype="float32"):
    """MNIST as the classic listings prepare it: rows of 784 values in [0, 1], integer labels.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_train`` has shape ``(60000, 784)``, ``X_test`` ``(10000, 784)``; labels are uint8.
    """
    (X_train, y_train), (X_test, y_test) = load_mnist(directory)
    return (flatten_and_scale(X_train, dtype), y_train), (flatten_and_scale(X_test, dtype), y_test)


def train(
    recipe: Recipe,
    data=None,
    progress: bool = True,
    on_epoch: Callable[[int, History], None] | None = None,
) -> tuple[Sequential, History, float]:
    """Build the recipe's network, train it on MNIST's training set, and test it.

    Parameters
    ----------
    recipe : Recipe
    data : ((X_train, y_train), (X_test, y_test)), optional
        As :func:`load_prepared` returns; loaded if omitted.
    progress : bool
        Show a progress bar.
    on_epoch : callable, optional
        Called as ``on_epoch(epoch, history)`` after each epoch; the test set is the validation
        data, so ``history.val_accuracy`` holds the test accuracy after each epoch.

    Returns
    -------
    network, history, test_accuracy
    """
    (X_train, y_train), (X_test, y_test) = data or load_prepared(dtype=recipe.dtype)
    network = recipe.network()
    callbacks = [on_epoch] if on_epoch else []
    history = fit(
        network,
        X_train,
        y_train,
        CrossEntropy(),
        recipe.optimizer_for(),
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        seed=recipe.seed,
        validation_data=(X_test, y_test),
        progress=progress,
        callbacks=callbacks,
    )
    _, test_accuracy = evaluate(network, X_test, y_test, CrossEntropy())
    return network, history, test_accuracy
