"""Training: mini-batches, the training loop ``fit``, and ``evaluate``.

Introduced in chapter 06. One *step* of mini-batch stochastic gradient descent takes a small
random batch of samples, runs it forward, measures the loss, backpropagates, and lets the
optimizer move the parameters. One *epoch* is a pass over every sample once, in a fresh random
order, so each batch is a different small sample of the data. Small batches give noisy but cheap
gradient estimates, and many cheap steps beat a few exact ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from tqdm.auto import tqdm

from nnlib.labels import as_class_indices, as_one_hot
from nnlib.losses import CrossEntropy, Loss
from nnlib.network import Sequential
from nnlib.optim import Optimizer
from nnlib.validation import Seed, as_2d, as_rng, check_positive


def minibatches(
    X: ArrayLike, y: ArrayLike, batch_size: int, seed: Seed = None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Split ``(X, y)`` into batches of ``batch_size`` samples, in a random order by default.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        The inputs; only sliced here (``fit`` checks their values).
    y : array_like, shape (n_samples, ...)
        The targets, kept aligned with ``X``.
    batch_size : int
        Samples per batch. The last batch holds the ``n_samples % batch_size`` left over, if
        any, so every sample is used once per epoch.
    seed : int, numpy.random.Generator or None
        For the order. ``fit`` passes one generator for all epochs: each epoch gets a new order,
        and the whole run repeats with the same seed.
    shuffle : bool, default True
        False keeps the original order (for evaluation); the batches are then views, not copies.

    Returns
    -------
    iterator of (X_batch, y_batch)
    """
    check_positive(batch_size, "batch_size", "minibatches", integer=True)
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(
            f"minibatches: X and y must have one entry per sample, got {len(X)} rows of X and "
            f"{len(y)} of y."
        )
    order = as_rng(seed).permutation(len(X)) if shuffle else None

    def batches():
        for start in range(0, len(X), batch_size):
            if order is None:
                rows = slice(start, start + batch_size)
            else:
                rows = order[start : start + batch_size]
            yield X[rows], y[rows]

    return batches()


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    ``loss`` and ``accuracy`` are averages over the epoch's batches, each measured as the batch
    was trained on (as Keras reports them): cheap, but a little behind the network at the end of
    the epoch. ``val_loss`` and ``val_accuracy`` come from ``evaluate`` on the validation data
    after each epoch. The accuracy lists stay empty when the targets are not class labels.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def _data(network: Sequential, X, y, loss: Loss, where: str):
    """Check ``X`` and ``y`` once, up front, and put them in the form training uses.

    Returns ``X`` in the network's dtype, the targets in the form ``loss`` takes, and whether the
    targets are class labels (so that accuracy means something).
    """
    X = network.check_input(X, where)
    if len(X) == 0:
        raise ValueError(f"{where}: X has no samples (shape {X.shape}); pass at least one row.")
    if len(np.asarray(y)) != len(X):
        raise ValueError(
            f"{where}: X and y must have one entry per sample, got {len(X)} rows of X and "
            f"{len(np.asarray(y))} labels."
        )
    n_outputs = network.forward(X[:1]).shape[1]  # one sample: fails early if X does not fit
    if isinstance(loss, CrossEntropy):
        return X, as_class_indices(y, f"{where}: y", n_classes=n_outputs), True
    y = np.asarray(y)
    if y.ndim == 1:  # one label per sample: a column for one output, one-hot rows for several
        y = y.reshape(-1, 1) if n_outputs == 1 else as_one_hot(y, n_outputs, f"{where}: y")
    targets = as_2d(y, "y", where, n_features=n_outputs, dtype=network.dtype)
    loss.check_target(targets, f"{where}: y does not suit {type(loss).__name__}")
    return X, targets, _holds_labels(targets)


def _holds_labels(targets: np.ndarray) -> bool:
    """True for 0/1 targets of one output, or one-hot rows of several."""
    labels = targets[:, 0] if targets.shape[1] == 1 else targets
    try:
        as_class_indices(labels, "fit", n_classes=max(2, targets.shape[1]))
    except ValueError:
        return False
    return True


def _n_correct(network: Sequential, output: np.ndarray, targets: np.ndarray) -> int:
    """How many of a batch's outputs are the right class (targets that ``_data`` found to be
    class labels: indices, a 0/1 column or one-hot rows)."""
    if targets.ndim == 2:
        targets = targets[:, 0] if targets.shape[1] == 1 else np.argmax(targets, axis=1)
    return int(np.count_nonzero(network.to_classes(output) == targets))


def _check_arguments(loss: Loss, optimizer: Optimizer, epochs: int, batch_size: int) -> None:
    """Refuse a loss, an optimizer or counts that ``fit`` cannot use, saying what to pass."""
    _check_loss(loss, "fit")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"fit: optimizer must have a step method, such as nnlib.optim.SGD(0.1), "
            f"got {optimizer!r}."
        )
    check_positive(epochs, "epochs", "fit", integer=True)
    check_positive(batch_size, "batch_size", "fit", integer=True)


def _check_loss(loss: Loss, where: str) -> None:
    if not isinstance(loss, Loss):
        raise TypeError(
            f"{where}: loss must be a loss object, such as nnlib.losses.CrossEntropy() (or your "
            f"own subclass of nnlib.losses.Loss), got {loss!r}."
        )


def fit(
    network: Sequential,
    X: ArrayLike,
    y: ArrayLike,
    loss: Loss,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int = 32,
    seed: Seed = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    progress: bool = True,
    callbacks: Sequence[Callable[[int, History], bool | None]] = (),
) -> History:
    """Train ``network`` on ``(X, y)`` by mini-batch gradient descent.

    Parameters
    ----------
    network : Sequential
        Trained in place.
    X : array_like, shape (n_samples, ...)
        The training inputs, ``(n_samples, n_in)`` for a network that starts with a ``Dense``
        layer; checked once here (shape, NaN, infinity) and converted to the network's dtype.
    y : array_like
        The targets. For ``CrossEntropy``, class indices ``(n_samples,)`` or one-hot rows. For
        the other losses, an array of the network's output shape; a 1-D array of labels becomes
        a column (one output) or one-hot rows (several).
    loss : Loss
        ``loss.value_and_gradient(output, y)`` gives the batch loss and its gradient, e.g.
        ``nnlib.losses.CrossEntropy()``; any subclass of ``nnlib.losses.Loss`` will do.
    optimizer : Optimizer
        Its ``step(network.parameters())`` updates the parameters, e.g. ``nnlib.optim.SGD(0.5)``.
    epochs : int
        Passes over the training data.
    batch_size : int, default 32
        Samples per step; the last batch of an epoch may be smaller.
    seed : int, numpy.random.Generator or None
        For the order of the samples. With the same seed (and a network built with the same
        seeds) a run repeats bit for bit.
    validation_data : (X_val, y_val), optional
        Evaluated after every epoch, to watch for overfitting.
    progress : bool, default True
        Show a progress bar over the steps, with the last epoch's numbers.
    callbacks : sequence of callables, optional
        Each is called as ``callback(epoch, history)`` after every epoch (``epoch`` counts from
        1); one that returns True stops training, e.g. for early stopping. A callback may also
        change ``optimizer.learning_rate``, e.g. for a schedule.

    Returns
    -------
    History
        The per-epoch loss and accuracy, and the validation loss and accuracy if asked.

    Raises
    ------
    FloatingPointError
        If the loss becomes NaN or infinite: training diverged, usually because the learning
        rate is too large. The message names the epoch and step.
    """
    _check_arguments(loss, optimizer, epochs, batch_size)
    X, targets, labelled = _data(network, X, y, loss, "fit")
    if validation_data is not None:
        X_val, y_val = _data(network, *validation_data, loss, "fit: validation")[:2]
    rng = as_rng(seed)
    steps = -(-len(X) // batch_size)  # ceil(n_samples / batch_size)
    history = History()
    with _progress_bar(epochs * steps, progress) as bar:
        for epoch in range(1, epochs + 1):
            total_loss, n_correct = 0.0, 0
            batches = minibatches(X, targets, batch_size, seed=rng)
            for step, (X_batch, y_batch) in enumerate(batches, start=1):
                output = network.forward(X_batch, training=True)
                value, grad = _value_and_gradient(loss, output, y_batch)
                if not np.isfinite(value):
                    _diverged(f"the loss became {value} at epoch {epoch}, step {step} of {steps}",
                              optimizer)
                network.backward(grad)
                optimizer.step(network.parameters())
                total_loss += value * len(X_batch)
                n_correct += _n_correct(network, output, y_batch) if labelled else 0
                bar.update()
            _check_parameters(
                network, optimizer, f"in the last step of epoch {epoch} (step {steps})"
            )
            history.loss.append(total_loss / len(X))
            if labelled:
                history.accuracy.append(n_correct / len(X))
            if validation_data is not None:
                val_loss, val_accuracy = evaluate(network, X_val, y_val, loss)
                history.val_loss.append(val_loss)
                if val_accuracy is not None:
                    history.val_accuracy.append(val_accuracy)
            bar.set_postfix(_summary(history))
            # A list, not a generator: every callback runs, even after one has said stop.
            if any([callback(epoch, history) for callback in callbacks]):
                break
    return history


@contextmanager
def _progress_bar(total: int, progress: bool) -> Iterator[tqdm]:
    """A progress bar over ``total`` steps; overflow warnings are silenced meanwhile, because
    they would only precede the clear error of a diverging run (see ``_diverged``)."""
    with (
        tqdm(total=total, desc="fit", unit="step", disable=not progress) as bar,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        yield bar


def _value_and_gradient(loss: Loss, output: np.ndarray, y_batch: np.ndarray):
    """The loss's value and gradient, or ``(nan, None)`` if the output has blown up: the
    parameters diverged, which ``fit`` reports rather than the loss's complaint about a NaN."""
    if not np.isfinite(output).all():
        return np.nan, None
    return loss.value_and_gradient(output, y_batch)


def _check_parameters(network: Sequential, optimizer: Optimizer, when: str) -> None:
    """Stop training if a parameter has become NaN or infinite."""
    if not all(np.isfinite(param).all() for param, _ in network.parameters()):
        _diverged(f"the parameters stopped being finite {when}", optimizer)


def _diverged(what: str, optimizer: Optimizer) -> None:
    """Stop training with a message that says where it diverged and what to try."""
    raise FloatingPointError(
        f"fit: {what}: training diverged. Try a smaller learning rate (it is "
        f"{getattr(optimizer, 'learning_rate', '?')})."
    )


def _summary(history: History) -> dict[str, str]:
    """The last epoch's numbers, for the progress bar."""
    return {name: f"{values[-1]:.4g}" for name, values in vars(history).items() if values}


def evaluate(
    network: Sequential, X: ArrayLike, y: ArrayLike, loss: Loss, batch_size: int = 1024
) -> tuple[float, float | None]:
    """The network's loss and accuracy on ``(X, y)``, without training.

    Parameters
    ----------
    network, X, y, loss
        As for ``fit``.
    batch_size : int, default 1024
        The data goes forward in batches of this size, to bound the memory used; it does not
        change the result.

    Returns
    -------
    loss : float
        The mean loss over the samples.
    accuracy : float or None
        The fraction classified right, or None if the targets are not class labels.
    """
    _check_loss(loss, "evaluate")
    check_positive(batch_size, "batch_size", "evaluate", integer=True)
    X, targets, labelled = _data(network, X, y, loss, "evaluate")
    total_loss, n_correct = 0.0, 0
    for X_batch, y_batch in minibatches(X, targets, batch_size, shuffle=False):
        output = network.forward(X_batch)
        total_loss += loss(output, y_batch) * len(X_batch)
        if labelled:
            n_correct += _n_correct(network, output, y_batch)
    return total_loss / len(X), n_correct / len(X) if labelled else None
