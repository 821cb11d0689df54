"""The seed network for MNIST and its classic training recipe, in one place.

Introduced in chapter 08, "The full MNIST network"; used by chapters 09 and 10, by the command
``nnlib mnist`` and by ``benchmarks/bench_mnist.py`` and ``benchmarks/bench_beyond.py``.

The seed network is the one the widely copied Keras listing trains: 784 inputs, 500 sigmoid
units, 10 outputs with softmax, categorical cross-entropy, plain SGD with learning rate 0.5,
batches of 128, 20 epochs, inputs scaled to [0, 1], Glorot-uniform weights and zero biases.
Chapter 10's improvements are options of the same recipe: more hidden layers, dropout, weight
decay, a decaying learning rate and randomly shifted training digits.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from nnlib.data import flatten_and_scale, load_mnist
from nnlib.layers import Dense, Dropout, RandomShift, ReLU, Sigmoid, Tanh
from nnlib.losses import CrossEntropy
from nnlib.network import Sequential
from nnlib.optim import SGD, Adam, exponential_decay
from nnlib.training import History, evaluate, fit
from nnlib.validation import check_in_range, check_positive

ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
"""The hidden activations a recipe may name, and their layers."""
OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass(frozen=True)
class Recipe:
    """How to build and train an MNIST network; the defaults are the seed network's.

    The weights start from He initialization for ReLU (which halves the signal it lets through)
    and from Glorot's otherwise.

    Chapter 10's options, all off by default: ``n_hidden`` may be a tuple of widths, one hidden
    layer each, e.g. ``(1024, 1024)``; ``dropout`` adds a ``Dropout`` of that rate after every
    hidden activation; ``weight_decay`` is the L2 coefficient of the optimizer; ``lr_decay``
    multiplies the learning rate by that factor after every epoch
    (``nnlib.optim.exponential_decay``); ``shift`` puts a ``RandomShift`` of up to that many
    pixels before the first layer.
    """

    epochs: int = 20
    learning_rate: float = 0.5
    batch_size: int = 128
    n_hidden: int | tuple[int, ...] = 500
    activation: str = "sigmoid"
    optimizer: str = "sgd"
    seed: int = 0
    dtype: str = "float32"
    dropout: float = 0.0
    weight_decay: float = 0.0
    lr_decay: float = 1.0
    shift: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.n_hidden, list):  # e.g. a recipe read back from JSON
            object.__setattr__(self, "n_hidden", tuple(self.n_hidden))
        check_positive(self.epochs, "epochs", "Recipe", integer=True)
        check_positive(self.learning_rate, "learning_rate", "Recipe")
        check_positive(self.batch_size, "batch_size", "Recipe", integer=True)
        if not self.hidden:
            raise ValueError("Recipe: n_hidden must name at least one hidden layer, got ().")
        for width in self.hidden:
            check_positive(width, "n_hidden", "Recipe", integer=True)
        check_in_range(self.dropout, "dropout", "Recipe", 0.0, 1.0)
        check_in_range(self.weight_decay, "weight_decay", "Recipe", 0.0, np.inf)
        check_positive(self.lr_decay, "lr_decay", "Recipe")
        if self.shift:  # 0 turns it off
            check_positive(self.shift, "shift", "Recipe", integer=True)
        for name, value, choices in [
            ("activation", self.activation, tuple(ACTIVATION_LAYERS)),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("dtype", self.dtype, ("float32", "float64")),
        ]:
            if value not in choices:
                raise ValueError(
                    f"Recipe: {name} must be one of {', '.join(choices)}, got {value!r}."
                )

    @property
    def hidden(self) -> tuple[int, ...]:
        """The widths of the hidden layers, ``(500,)`` for the seed network."""
        return self.n_hidden if isinstance(self.n_hidden, tuple) else (self.n_hidden,)

    def network(self) -> Sequential:
        """The untrained network: Dense(784, n_hidden), activation, Dense(n_hidden, 10) for the
        seed recipe; a ``RandomShift`` first, more hidden layers and ``Dropout`` layers if asked."""
        init = "he_normal" if self.activation == "relu" else "glorot_uniform"
        rng = np.random.default_rng(self.seed)
        layers = [RandomShift(self.shift, seed=rng)] if self.shift else []
        n_in = 784
        for width in self.hidden:
            layers += [
                Dense(n_in, width, init=init, seed=rng, dtype=self.dtype),
                ACTIVATION_LAYERS[self.activation](),
            ]
            if self.dropout:
                layers.append(Dropout(self.dropout, seed=rng))
            n_in = width
        layers.append(Dense(n_in, 10, init=init, seed=rng, dtype=self.dtype))
        return Sequential(layers)

    def optimizer_for(self) -> SGD | Adam:
        """The optimizer the recipe names, with its learning rate and weight decay."""
        if self.optimizer == "adam":
            return Adam(self.learning_rate, weight_decay=self.weight_decay)
        momentum = 0.9 if self.optimizer == "momentum" else 0.0
        return SGD(self.learning_rate, momentum=momentum, weight_decay=self.weight_decay)


def load_prepared(
    directory: str | os.PathLike | None = None, dtype: DTypeLike = "float32"
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
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
    network: Sequential | None = None,
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
    network : Sequential, optional
        The untrained ``recipe.network()``, built by the caller, e.g. to copy its parameters
        from ``on_epoch``; built here if omitted.

    Returns
    -------
    network, history, test_accuracy
    """
    (X_train, y_train), (X_test, y_test) = data or load_prepared(dtype=recipe.dtype)
    network = network or recipe.network()
    optimizer = recipe.optimizer_for()
    callbacks = [on_epoch] if on_epoch else []
    if recipe.lr_decay != 1:
        callbacks.append(exponential_decay(optimizer, recipe.lr_decay))
    history = fit(
        network,
        X_train,
        y_train,
        CrossEntropy(),
        optimizer,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        seed=recipe.seed,
        validation_data=(X_test, y_test),
        progress=progress,
        callbacks=callbacks,
    )
    _, test_accuracy = evaluate(network, X_test, y_test, CrossEntropy())
    return network, history, test_accuracy
