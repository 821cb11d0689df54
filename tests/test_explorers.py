"""The chapters' explorers, headless: the static figure they draw, and a redraw on every change.

Expected values are worked by hand (noted beside each), never read back from the explorer.
"""

import base64
import math

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from nnlib.course.explorers import (
    Explorer,
    descent_path,
    explore_activation,
    explore_descent,
    explore_neuron,
    figure_bundle,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Four points on the diagonal: the neuron w = (1, 1) fires where x1 + x2 + b >= 0.
X_DIAGONAL = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [-1.0, -1.0]])
Y_DIAGONAL = np.array([0, 1, 1, 0])


def png_of(explorer: Explorer) -> bytes:
    """The image the explorer's output widget shows (it holds exactly one output)."""
    (output,) = explorer.output.outputs
    assert output["output_type"] == "display_data"
    return base64.b64decode(output["data"]["image/png"])


def title(explorer: Explorer, panel: int = 0) -> str:
    return explorer.figure.axes[panel].get_title()


def test_figure_bundle_is_a_png_and_the_titles():
    explorer = explore_neuron(X_DIAGONAL, Y_DIAGONAL, w=(1, 1), b=-1)
    bundle = figure_bundle(explorer.figure)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert bundle["text/plain"] == f"<Figure: {title(explorer)}>"


def test_neuron_static_figure_counts_and_rings_the_misclassified_points():
    # b = -1: z = (-1, 1, 3, -3) -> outputs (0, 1, 1, 0): all four right.
    explorer = explore_neuron(X_DIAGONAL, Y_DIAGONAL, w=(1, 1), b=-1)
    assert title(explorer) == "w = (1.00, 1.00), b = -1.00\n0 of 4 points misclassified"
    assert png_of(explorer).startswith(PNG_MAGIC)
    assert explorer.values == {"w1": 1.0, "w2": 1.0, "b": -1.0}


def test_neuron_redraws_with_the_new_bias():
    explorer = explore_neuron(X_DIAGONAL, Y_DIAGONAL, w=(1, 1), b=-1)
    before_figure, before_png = explorer.figure, png_of(explorer)
    # b = -3: z = (-3, -1, 1, -5) -> outputs (0, 0, 1, 0): the point (1, 1) is now wrong.
    explorer.controls["b"].value = -3.0
    assert explorer.figure is not before_figure
    assert png_of(explorer) != before_png
    assert title(explorer) == "w = (1.00, 1.00), b = -3.00\n1 of 4 points misclassified"
    rings = explorer.figure.axes[0].collections[-1]
    np.testing.assert_array_equal(rings.get_offsets(), [[1.0, 1.0]])


def test_neuron_with_zero_weights_draws_one_region():
    # w = 0, b = 0: z = 0 everywhere, every point is class 1: the two of class 0 are wrong.
    explorer = explore_neuron(X_DIAGONAL, Y_DIAGONAL, w=(0, 0), b=0)
    assert title(explorer).endswith("2 of 4 points misclassified")


def test_neuron_starting_values_outside_the_sliders_are_clipped():
    explorer = explore_neuron(X_DIAGONAL, Y_DIAGONAL, w=(9.0, -1.0), b=0)
    assert explorer.values["w1"] == 5.0


def test_neuron_refuses_points_that_are_not_2d():
    with pytest.raises(ValueError, match="explore_neuron"):
        explore_neuron(np.zeros((4, 3)), Y_DIAGONAL)


def test_activation_static_figure_shades_where_the_sigmoid_saturates():
    # sigma'(z) = s(1 - s) < 0.05  <=>  s < (1 - sqrt(0.8)) / 2 = 0.052786  <=>  |z| > 2.8873,
    # so on [-6, 6] the saturated part is 2 * (6 - 2.8873) / 12 = 51.9%.
    explorer = explore_activation("sigmoid", threshold=0.05)
    assert title(explorer, 1) == "its derivative $f'(z)$: saturated on 52% of the range"
    z, slope = explorer.figure.axes[1].lines[0].get_data()
    assert slope[np.argmin(np.abs(z))] == pytest.approx(0.25)  # sigma'(0) = 1/2 * 1/2


def test_activation_redraws_the_chosen_function():
    explorer = explore_activation("sigmoid")
    before = png_of(explorer)
    explorer.controls["name"].value = "tanh"
    assert png_of(explorer) != before
    assert title(explorer, 0) == "tanh: $a = f(z)$"
    z, a = explorer.figure.axes[0].lines[0].get_data()
    i = np.argmin(np.abs(z - 0.5))
    assert a[i] == pytest.approx(math.tanh(z[i]))


def test_activation_threshold_moves_the_saturated_part():
    # ReLU' is 0 for z <= 0 and 1 above: any threshold in (0, 1] shades the 601 of 1201 grid
    # points with z <= 0, i.e. 50%; leaky ReLU's slope 0.01 is below 0.05 but not below 0.01.
    explorer = explore_activation("ReLU", threshold=0.05)
    assert "saturated on 50% of the range" in title(explorer, 1)
    explorer.controls["name"].value = "leaky ReLU"
    assert "saturated on 50% of the range" in title(explorer, 1)
    explorer.controls["threshold"].value = 0.01
    assert "saturated on 0% of the range" in title(explorer, 1)


def test_activation_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="explore_activation: unknown activation 'softplus'"):
        explore_activation("softplus")


def test_descent_path_takes_the_hand_worked_step():
    # Chapter 03's example: X = [[1, 2], [-1, 0.5]], y = (1, 0), w = 0, b = 0, so p = (0.5, 0.5),
    # the loss is ln 2, dC/dw = X.T (p - y) / 2 = (-0.5, -0.375) and dC/db = 0. With eta = 1 the
    # weights become (0.5, 0.375).
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    losses, path = descent_path(X, np.array([1.0, 0.0]), (0.0, 0.0), learning_rate=1.0, n_steps=1)
    np.testing.assert_allclose(losses, [math.log(2)])
    np.testing.assert_allclose(path, [[0.0, 0.0], [0.5, 0.375]])


def test_descent_redraws_with_the_new_learning_rate_and_steps():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1, 1, size=(20, 2)), rng.normal(1, 1, size=(20, 2))])
    y = np.r_[np.zeros(20), np.ones(20)]
    explorer = explore_descent(X, y, learning_rate=2.0, n_steps=10)
    assert len(explorer.figure.axes[0].lines[0].get_xdata()) == 10
    before = png_of(explorer)
    explorer.controls["n_steps"].value = 30
    explorer.controls["learning_rate"].value = 0.1
    path_line = explorer.figure.axes[1].lines[0]
    assert len(path_line.get_xdata()) == 31  # the start and one point per step
    assert title(explorer, 0).startswith("$\\eta$ = 0.1:")
    assert title(explorer, 1) == "30 steps on the loss surface ($b$ = 0)"
    assert png_of(explorer) != before


def test_descent_with_a_huge_learning_rate_stays_finite():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(float)
    with np.errstate(all="raise"):
        losses, path = descent_path(X, y, (-1.5, 5.0), learning_rate=50.0, n_steps=300)
    assert np.isfinite(losses).all() and np.isfinite(path).all()


def test_display_offers_the_widget_and_the_static_figure():
    explorer = explore_activation()
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == png_of(explorer)
    assert bundle["text/plain"].startswith("<Figure: sigmoid")


def test_without_widget_state_a_notebook_viewer_shows_the_static_figure():
    """Run an explorer in a kernel, save no widget state (as a plain save does), render as
    nbconvert's HTML: the page shows the PNG, where a live frontend would show the widget."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from nnlib.course.explorers import explore_activation\nexplore_activation('tanh')"
        )
    ]
    NotebookClient(nb, timeout=60, store_widget_state=False).execute()
    (output,) = nb.cells[0].outputs
    assert {WIDGET_VIEW, "image/png"} <= set(output["data"])
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert f'src="data:image/png;base64,{output["data"]["image/png"]}' in html.replace("\n", "")
