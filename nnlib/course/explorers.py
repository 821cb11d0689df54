"""Interactive explorers: move a slider, and the chapter's figure follows.

Part of the course's tools, one explorer per chapter: :func:`explore_neuron` (chapter 01),
:func:`explore_activation` (chapter 02) and :func:`explore_descent` (chapter 03). Each is one call
in a chapter cell; a learner uses it, and never needs to read this module.

An explorer is a row of ipywidgets controls above a figure. When a control changes, the figure is
drawn again from the new values and replaces the old one, as a PNG image in an ``Output`` widget.
Widgets need a live frontend (JupyterLab with a running kernel). Where there is none, under nbval,
in nbconvert or a plain notebook viewer, the same figure is there as a static image: an explorer
displays itself with both the widget and the PNG, and a frontend shows the richest one it can.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from nnlib.activations import (
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    step,
    step_prime,
    tanh,
    tanh_prime,
)
from nnlib.layers import Dense, Sigmoid
from nnlib.losses import BinaryCrossEntropy, binary_cross_entropy
from nnlib.network import Sequential
from nnlib.optim import SGD
from nnlib.validation import as_2d
from nnlib.viz import WRONG_COLOUR, plot_decision_regions


def figure_bundle(figure: Figure) -> dict[str, str]:
    """The figure as a display bundle: a PNG image, and its title as the text for a terminal.

    The figure is saved as laid out (the figures here call ``tight_layout``): a tight bounding
    box would draw it twice, and a redraw must be quick for a slider to feel alive.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    title = figure.get_suptitle() or "; ".join(titles)
    return {
        "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "text/plain": f"<Figure: {title}>",
    }


class Explorer:
    """Controls and the figure they draw: ``draw(**values)`` runs again whenever a value changes.

    Parameters
    ----------
    draw : callable
        Takes one keyword argument per control and returns a matplotlib ``Figure``.
    controls : dict of str to ipywidgets widget
        The controls by the name of the argument of ``draw`` they set.

    Attributes
    ----------
    figure : matplotlib Figure
        The figure of the current values (what the tests and a curious learner can inspect).
    output : ipywidgets.Output
        Where the widget shows the figure, as one PNG output replaced at each change.
    widget : ipywidgets.VBox
        The controls above the output.
    """

    def __init__(self, draw: Callable[..., Figure], controls: dict[str, widgets.ValueWidget]):
        self.draw = draw
        self.controls = controls
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.output])
        self.redraw()
        for control in controls.values():
            control.observe(self.redraw, names="value")

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self, change: dict | None = None) -> None:
        """Draw the figure of the current values and show it in place of the previous one.

        Setting the output's list replaces the image in one message, so the figure never flickers
        and the cell keeps exactly one image, however often the controls move.
        """
        self.figure = self.draw(**self.values)
        self.bundle = figure_bundle(self.figure)
        self.output.outputs = (
            {"output_type": "display_data", "data": self.bundle, "metadata": {}},
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        """The widget for a live frontend, the PNG and the title for everything else."""
        return {**self.widget._repr_mimebundle_(include=include, exclude=exclude), **self.bundle}


LABEL_STYLE = {"description_width": "initial"}  # "learning rate" in full, not "learning..."


def _slider(description: str, value: float, low: float, high: float, step: float = 0.05):
    """A slider that redraws when released (dragging would queue a redraw per pixel)."""
    return widgets.FloatSlider(
        value=float(np.clip(value, low, high)),
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        readout_format=".2f",
        style=LABEL_STYLE,
    )


def explore_neuron(X: ArrayLike, y: ArrayLike, w: ArrayLike = (1.0, 1.0), b: float = 0.0):
    """Sliders for the two weights and the bias of a step neuron, over its decision regions.

    Chapter 01. The boundary is the line ``w1 x1 + w2 x2 + b = 0``: a weight turns it, the bias
    shifts it. Points on the wrong side are ringed in red and counted in the title.

    Parameters
    ----------
    X : array_like, shape (n_samples, 2)
        The points.
    y : array_like, shape (n_samples,)
        Their classes, 0 or 1.
    w : array_like, shape (2,), default (1, 1)
        The starting weights (each slider runs from -5 to 5).
    b : float, default 0
        The starting bias (from -5 to 5).

    Returns
    -------
    Explorer
    """
    X = as_2d(X, "X", "explore_neuron", n_features=2, dtype=np.float64)
    y = np.asarray(y)
    w1, w2 = np.asarray(w, dtype=float)

    def draw(w1: float, w2: float, b: float) -> Figure:
        weights = np.array([w1, w2])
        wrong = step(X @ weights + b) != y
        figure = Figure(figsize=(5.5, 4.8))
        ax = figure.subplots()
        plot_decision_regions(
            lambda P: step(P @ weights + b),
            X,
            y,
            ax=ax,
            title=f"w = ({w1:.2f}, {w2:.2f}), b = {b:.2f}\n"
            f"{np.count_nonzero(wrong)} of {len(X)} points misclassified",
        )
        ax.scatter(*X[wrong].T, s=160, facecolors="none", edgecolors=WRONG_COLOUR, linewidths=2)
        figure.tight_layout()
        return figure

    controls = {
        "w1": _slider("w1", w1, -5, 5),
        "w2": _slider("w2", w2, -5, 5),
        "b": _slider("b", b, -5, 5),
    }
    return Explorer(draw, controls)


ACTIVATION_FUNCTIONS = {
    "step": (step, step_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "ReLU": (relu, relu_prime),
    "leaky ReLU": (leaky_relu, leaky_relu_prime),
}
"""The activations the chapter 02 explorer offers: name -> (function, derivative)."""


def explore_activation(name: str = "sigmoid", threshold: float = 0.05, z_max: float = 6.0):
    """Pick an activation: see it, its derivative, and where it saturates (``|f'(z)| < threshold``).

    Chapter 02. Where the slope is nearly zero, a unit barely reacts to its weights and learns
    slowly; the shaded bands show where that happens for each function.

    Parameters
    ----------
    name : str, default "sigmoid"
        One of ``ACTIVATION_FUNCTIONS``: step, sigmoid, tanh, ReLU, leaky ReLU (alpha = 0.01).
    threshold : float, default 0.05
        A slope below this counts as saturated (the slider runs from 0.01 to 0.5).
    z_max : float, default 6
        The figure shows ``z`` from ``-z_max`` to ``z_max``.

    Returns
    -------
    Explorer
    """
    if name not in ACTIVATION_FUNCTIONS:
        raise ValueError(
            f"explore_activation: unknown activation {name!r}; choose one of "
            f"{list(ACTIVATION_FUNCTIONS)}."
        )
    z = np.linspace(-z_max, z_max, 1201)

    def draw(name: str, threshold: float) -> Figure:
        f, f_prime = ACTIVATION_FUNCTIONS[name]
        saturated = np.abs(f_prime(z)) < threshold
        figure = Figure(figsize=(11, 3.8))
        ax_f, ax_d = figure.subplots(1, 2)
        ax_f.plot(z, f(z), lw=2, color="tab:blue")
        ax_f.set_title(f"{name}: $a = f(z)$")
        ax_f.set_ylabel("$f(z)$")
        ax_d.plot(z, f_prime(z), lw=2, color="tab:green")
        ax_d.axhline(threshold, color="grey", ls=":", lw=1, label=f"threshold {threshold:.2f}")
        ax_d.set_title(f"its derivative $f'(z)$: saturated on {saturated.mean():.0%} of the range")
        ax_d.set_ylabel("$f'(z)$")
        for ax in (ax_f, ax_d):
            ax.fill_between(
                z,
                0,
                1,
                where=saturated,
                transform=ax.get_xaxis_transform(),
                color="tab:red",
                alpha=0.15,
                label=f"saturated: $|f'(z)| < {threshold:.2f}$",
            )
            ax.set_xlabel("pre-activation $z$")
            ax.grid(alpha=0.3)
            ax.legend(loc="upper left", fontsize=8)
        figure.tight_layout()
        return figure

    controls = {
        "name": widgets.Dropdown(
            options=list(ACTIVATION_FUNCTIONS),
            value=name,
            description="activation",
            style=LABEL_STYLE,
        ),
        "threshold": _slider("threshold", threshold, 0.01, 0.5, step=0.01),
    }
    return Explorer(draw, controls)


def descent_path(
    X: np.ndarray, y: np.ndarray, start: ArrayLike, learning_rate: float, n_steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent of one sigmoid neuron (logistic regression) with nnlib's own parts.

    The neuron is ``Sequential([Dense(2, 1), Sigmoid()])`` with weights ``start`` and bias 0,
    trained on the whole batch with ``BinaryCrossEntropy`` and ``SGD``: the loop of chapter 03.

    Returns
    -------
    losses : ndarray, shape (n_steps,)
        The loss before each step.
    path : ndarray, shape (n_steps + 1, 2)
        The weights ``(w1, w2)`` at the start and after each step.
    """
    dense = Dense(2, 1, init="zeros", dtype=np.float64)
    dense.W[:, 0] = start
    neuron = Sequential([dense, Sigmoid()])
    loss, optimizer = BinaryCrossEntropy(), SGD(learning_rate)
    targets = y.reshape(-1, 1).astype(np.float64)
    losses, path = [], [dense.W[:, 0].copy()]
    for _ in range(n_steps):
        p = neuron.forward(X)
        losses.append(loss(p, targets))
        neuron.backward(loss.gradient(p, targets))
        optimizer.step(neuron.parameters())
        path.append(dense.W[:, 0].copy())
    return np.array(losses), np.array(path)


def explore_descent(
    X: ArrayLike,
    y: ArrayLike,
    start: ArrayLike = (-1.5, 5.0),
    learning_rate: float = 2.0,
    n_steps: int = 100,
    extent: tuple[float, float] = (-2.0, 6.0),
):
    """Learning rate and number of steps of gradient descent on one sigmoid neuron.

    Chapter 03. On the left the loss at each step, on the right the path of the weights over
    the loss surface (drawn with the bias at 0, as in the chapter; the descent trains the bias
    too). A small rate creeps, a good one heads down the valley, a large one bounces across it.

    Parameters
    ----------
    X : array_like, shape (n_samples, 2)
        The inputs.
    y : array_like, shape (n_samples,)
        Labels 0 or 1.
    start : array_like, shape (2,), default (-1.5, 5)
        The starting weights; the bias starts at 0.
    learning_rate : float, default 2
        The starting learning rate (the slider runs from 0.01 to 50, on a log scale).
    n_steps : int, default 100
        The starting number of steps (from 1 to 300).
    extent : (low, high), default (-2, 6)
        The range of ``w1`` and ``w2`` that the loss surface covers.

    Returns
    -------
    Explorer
    """
    X = as_2d(X, "X", "explore_descent", n_features=2, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    grid = np.linspace(*extent, 60)
    w1_grid, w2_grid = np.meshgrid(grid, grid)
    surface = np.array(
        [
            binary_cross_entropy(sigmoid(X @ np.array([w1, w2]))[:, None], y[:, None])
            for w1, w2 in zip(w1_grid.ravel(), w2_grid.ravel(), strict=True)
        ]
    ).reshape(w1_grid.shape)
    levels = np.geomspace(surface.min() * 1.02, surface.max(), 16)

    def draw(learning_rate: float, n_steps: int) -> Figure:
        losses, path = descent_path(X, y, start, learning_rate, n_steps)
        figure = Figure(figsize=(11, 4.5))
        ax_loss, ax_path = figure.subplots(1, 2)
        ax_loss.plot(np.arange(len(losses)), losses, lw=2)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("cross-entropy loss")
        ax_loss.set_title(
            f"$\\eta$ = {learning_rate:.3g}: loss {losses[0]:.3f} -> {losses[-1]:.3f}"
        )
        ax_loss.grid(alpha=0.3)
        ax_path.contour(w1_grid, w2_grid, surface, levels=levels, cmap="viridis")
        ax_path.plot(path[:, 0], path[:, 1], ".-", color="tab:red", lw=1, ms=4, label="descent")
        ax_path.plot(*path[0], "ko", label="start")
        ax_path.set_xlim(*extent)
        ax_path.set_ylim(*extent)
        ax_path.set_aspect("equal")
        ax_path.set_xlabel("$w_1$")
        ax_path.set_ylabel("$w_2$")
        ax_path.set_title(f"{n_steps} steps on the loss surface ($b$ = 0)")
        ax_path.legend(loc="lower right", fontsize=8)
        figure.tight_layout()
        return figure

    controls = {
        "learning_rate": widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-2,
            max=np.log10(50),
            step=0.05,
            description="learning rate",
            continuous_update=False,
            readout_format=".3g",
            style=LABEL_STYLE,
        ),
        "n_steps": widgets.IntSlider(
            value=n_steps,
            min=1,
            max=300,
            description="steps",
            continuous_update=False,
            style=LABEL_STYLE,
        ),
    }
    return Explorer(draw, controls)
