"""Figures that teach: decision regions of a classifier, and (chapter 08) curves and digits.

Introduced in chapter 01, "A single neuron"; grown in chapter 08.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np

CLASS_COLOURS = ("tab:blue", "tab:orange")


def plot_decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X,
    y,
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
