"""Figures that teach: decision regions of a classifier, and (chapter 08) curves and digits.

Introduced in chapter 01, "A single neuron" (:func:`plot_decision_regions`); chapter 07 draws
digits with :func:`plot_digits`, and chapter 08 adds the figures of a trained MNIST network:
:func:`plot_learning_curves`, :func:`plot_confusion_matrix` and :func:`plot_weight_images`.
Each returns what it drew (a Figure or an Axes), so a chapter can add to it or a test can look.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import SymLogNorm
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from nnlib.training import History

CLASS_COLOURS = ("tab:blue", "tab:orange")
WRONG_COLOUR = "tab:red"


def plot_decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: ArrayLike,
    y: ArrayLike,
    ax: plt.Axes | None = None,
    title: str | None = None,
    resolution: int = 200,
    padding: float = 0.5,
) -> plt.Axes:
    """Shade the plane by the class a classifier predicts, and draw the labelled points on it.

    Parameters
    ----------
    predict : callable
        Maps points of shape ``(n, 2)`` to classes 0 or 1 of shape ``(n,)``: any model's
        ``predict``, or a ``lambda`` for hand-set weights.
    X : array_like, shape (n_samples, 2)
        The points to draw.
    y : array_like, shape (n_samples,)
        Their true classes, 0 or 1 (colour and marker).
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
    resolution : int
        Grid points per axis for the shading.
    padding : float
        Margin around the points, in data units.

    Returns
    -------
    matplotlib Axes
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_regions draws 2-D points: X must have shape (n, 2), got {X.shape}."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    x1 = np.linspace(X[:, 0].min() - padding, X[:, 0].max() + padding, resolution)
    x2 = np.linspace(X[:, 1].min() - padding, X[:, 1].max() + padding, resolution)
    grid1, grid2 = np.meshgrid(x1, x2)
    classes = np.asarray(predict(np.c_[grid1.ravel(), grid2.ravel()])).reshape(grid1.shape)
    ax.contourf(grid1, grid2, classes, levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS, alpha=0.2)
    for label, (colour, marker) in enumerate(zip(CLASS_COLOURS, "os", strict=True)):
        points = X[y == label]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            c=colour,
            marker=marker,
            edgecolors="k",
            label=f"class {label}",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(x1[0], x1[-1])
    ax.set_ylim(x2[0], x2[-1])
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def _square_images(images: ArrayLike, where: str) -> np.ndarray:
    """``images`` as an array of shape ``(n, side, side)``, from rows of ``side**2`` pixels too."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"{where}: rows of {images.shape[1]} pixels are not square images; pass images "
                f"of shape (n, height, width), or rows of side**2 pixels such as 784 = 28 x 28. "
                f"For a single image use images[None]."
            )
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"{where}: images must have shape (n, height, width) or (n, n_pixels) with n >= 1, "
            f"got shape {images.shape}. For a single image use images[None]."
        )
    return images


def _image_grid(
    n: int, n_cols: int, panel_size: float, title: str | None
) -> tuple[plt.Figure, list[plt.Axes]]:
    """A figure with ``n`` image panels (no ticks) in rows of ``n_cols``, and those panels."""
    n_cols = min(n_cols, n)
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(panel_size * n_cols, 1.25 * panel_size * n_rows), squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.remove()
    panels = list(axes.flat[:n])
    for ax in panels:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig, panels


def _per_image(values: ArrayLike | None, n: int, name: str, where: str) -> np.ndarray | None:
    """One value per image, or None if not given."""
    if values is None:
        return None
    values = np.asarray(values)
    if values.shape != (n,):
        raise ValueError(
            f"{where}: {name} must hold one value per image, shape ({n},), got shape "
            f"{values.shape}."
        )
    return values


def plot_digits(
    images: ArrayLike,
    labels: ArrayLike | None = None,
    predictions: ArrayLike | None = None,
    confidences: ArrayLike | None = None,
    n_cols: int = 10,
    title: str | None = None,
    panel_size: float = 1.2,
    cmap: str = "gray_r",
) -> plt.Figure:
    """Draw images in a grid, each titled with its label and, if given, what a model predicted.

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (n, n_pixels)
        Raw pixels or scaled ones (each panel has its own grey scale); rows of ``n_pixels`` are
        drawn as square images, e.g. 784 as 28 x 28.
    labels : array_like, shape (n,), optional
        The true classes, or any title per image (a mean image's digit).
    predictions : array_like, shape (n,), optional
        What a model predicted; a panel whose prediction differs from its label is titled in red.
    confidences : array_like of floats in [0, 1], shape (n,), optional
        The probability the model gave its prediction, shown as a percentage.
    n_cols : int, default 10
        Panels per row.
    title : str, optional
        The figure's title.
    panel_size : float, default 1.2
        Width of one panel, in inches.
    cmap : str, default "gray_r"
        Matplotlib colour map; ``gray_r`` draws ink dark on white, as on paper.

    Returns
    -------
    matplotlib Figure
        One Axes per image, in order, each titled as described.
    """
    where = "plot_digits"
    images = _square_images(images, where)
    n = len(images)
    labels = _per_image(labels, n, "labels", where)
    predictions = _per_image(predictions, n, "predictions", where)
    confidences = _per_image(confidences, n, "confidences", where)
    fig, panels = _image_grid(n, n_cols, panel_size, title)
    for i, ax in enumerate(panels):
        ax.imshow(images[i], cmap=cmap)
        lines, colour = [], "black"
        if predictions is None:
            if labels is not None:
                lines.append(f"{labels[i]}")
        elif labels is None:
            lines.append(f"pred {predictions[i]}")
        else:
            lines.append(f"true {labels[i]}, pred {predictions[i]}")
            colour = "black" if labels[i] == predictions[i] else WRONG_COLOUR
        if confidences is not None:
            lines.append(f"{confidences[i]:.1%} sure")
        if lines:
            ax.set_title("\n".join(lines), fontsize="small", color=colour)
    fig.tight_layout()
    return fig


def plot_learning_curves(
    history: History, val_label: str = "validation", title: str | None = None
) -> plt.Figure:
    """Plot the loss and, if measured, the accuracy of each epoch, on training and held-out data.

    Parameters
    ----------
    history : nnlib.training.History
        What ``fit`` returned (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).
    val_label : str, default "validation"
        The name of the held-out data in the legend ("test" when it is the test set).
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib Figure
        Two Axes (loss, accuracy), or one (loss) if the history holds no accuracy.
    """
    if not history.loss:
        raise ValueError("plot_learning_curves: the history is empty; train with fit first.")
    panels = [("loss", history.loss, history.val_loss)]
    if history.accuracy:
        panels.append(("accuracy", history.accuracy, history.val_accuracy))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, (name, train, held_out) in zip(axes.flat, panels, strict=True):
        ax.plot(range(1, len(train) + 1), train, "o-", ms=3, label="training")
        if held_out:
            ax.plot(range(1, len(held_out) + 1), held_out, "s-", ms=3, label=val_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(f"{name.capitalize()} per epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(
    matrix: ArrayLike, ax: plt.Axes | None = None, title: str | None = None, log_scale: bool = True
) -> plt.Axes:
    """Draw a confusion matrix as a heat map with the count written in every cell.

    Parameters
    ----------
    matrix : array_like of counts, shape (k, k)
        Entry ``[i, j]`` counts the samples of true class ``i`` predicted as class ``j``, as
        ``nnlib.metrics.confusion_matrix`` returns it: rows are true classes, columns predictions.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
    log_scale : bool, default True
        Colour by the logarithm of the count (linear below 1), so that a handful of mistakes
        shows beside a diagonal of a thousand right answers.

    Returns
    -------
    matplotlib Axes
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(
            f"plot_confusion_matrix: matrix must be square, shape (k, k), got shape "
            f"{matrix.shape}. Build it with nnlib.metrics.confusion_matrix(y_true, y_pred)."
        )
    if not np.issubdtype(matrix.dtype, np.number) or (matrix < 0).any():
        raise ValueError("plot_confusion_matrix: matrix must hold counts, numbers >= 0.")
    k = len(matrix)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * k + 2, 0.5 * k + 1.5))
    top = max(float(matrix.max()), 1.0)
    norm = SymLogNorm(linthresh=1, vmin=0, vmax=top) if log_scale else plt.Normalize(0, top)
    image = ax.imshow(matrix, cmap="Blues", norm=norm)
    for i in range(k):
        for j in range(k):
            shade = "white" if norm(matrix[i, j]) > 0.6 else "black"
            ax.text(
                j, i, f"{matrix[i, j]:g}", ha="center", va="center", color=shade, fontsize="small"
            )
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.figure.colorbar(image, ax=ax, label="count" + (" (log scale)" if log_scale else ""))
    ax.set_title(title or "Confusion matrix")
    return ax


def plot_weight_images(
    W: ArrayLike,
    units: Sequence[int] | None = None,
    n_cols: int = 8,
    title: str | None = None,
    panel_size: float = 1.1,
) -> plt.Figure:
    """Draw what each hidden unit looks for: its incoming weights, as an image.

    Column ``j`` of a first layer's ``W`` (shape ``(n_pixels, n_units)``) holds one weight per
    pixel for unit ``j``; reshaped to the image's shape, it shows where ink makes the unit fire
    (red, positive weights) and where ink holds it back (blue, negative ones). Each panel has its
    own symmetric colour scale, so that white is always a weight of zero.

    Parameters
    ----------
    W : array_like, shape (n_pixels, n_units)
        A first layer's weights, e.g. ``network.layers[0].W`` of shape ``(784, 500)``;
        ``n_pixels`` must be a square such as 784 = 28 x 28.
    units : sequence of int, optional
        Which columns to draw; by default the first 64 (or all, if fewer).
    n_cols : int, default 8
    title : str, optional
    panel_size : float, default 1.1
        Width of one panel, in inches.

    Returns
    -------
    matplotlib Figure
        One Axes per unit, titled ``unit j``.
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(
            f"plot_weight_images: W must be a layer's weights of shape (n_pixels, n_units), got "
            f"shape {W.shape}."
        )
    units = list(range(min(64, W.shape[1]))) if units is None else [int(j) for j in units]
    if not units or not all(0 <= j < W.shape[1] for j in units):
        raise ValueError(
            f"plot_weight_images: units must be column numbers 0..{W.shape[1] - 1} of W, got "
            f"{units}."
        )
    images = _square_images(W[:, units].T, "plot_weight_images")
    fig, panels = _image_grid(len(units), n_cols, panel_size, title)
    for ax, unit, image in zip(panels, units, images, strict=True):
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"unit {unit}", fontsize="small")
    fig.tight_layout()
    return fig
