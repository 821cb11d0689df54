"""Tests for nnlib.viz, drawn off-screen (Agg): each figure holds what it was asked to show.

A figure is checked by what it contains: the image data of each panel against arrays built by
hand, titles and colours against the labels given, plotted lines against the history, the count
written in each cell of a confusion matrix against the matrix's row and column.
"""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nnlib.training import History
from nnlib.viz import (
    WRONG_COLOUR,
    plot_confusion_matrix,
    plot_digits,
    plot_learning_curves,
    plot_weight_images,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def panel_images(fig):
    """The array drawn in each Axes of ``fig`` that shows one image, in order."""
    return [ax.images[0].get_array() for ax in fig.axes if ax.images]


# ---------------------------------------------------------------- plot_digits


def numbered_images(n, side=4):
    """Image i is filled with the value i, so each panel shows which image it holds."""
    return np.arange(n)[:, None, None] * np.ones((1, side, side), dtype=int)


def test_plot_digits_draws_each_image_once_in_order_and_removes_spare_panels():
    fig = plot_digits(numbered_images(13), n_cols=5)
    assert len(fig.axes) == 13  # 3 rows of 5 cells, the 2 spare ones removed
    for i, drawn in enumerate(panel_images(fig)):
        assert np.array_equal(drawn, np.full((4, 4), i))


def test_plot_digits_draws_rows_of_pixels_as_square_images():
    rows = np.arange(2 * 784).reshape(2, 784)
    drawn = panel_images(plot_digits(rows))
    assert [image.shape for image in drawn] == [(28, 28), (28, 28)]
    assert drawn[1][1, 0] == 784 + 28  # row 1 of the second image starts at its pixel 28


def test_plot_digits_titles_are_the_labels():
    fig = plot_digits(numbered_images(3), labels=[7, 0, 4])
    assert [ax.get_title() for ax in fig.axes] == ["7", "0", "4"]


def test_plot_digits_marks_wrong_predictions_in_red_with_the_confidence():
    fig = plot_digits(
        numbered_images(3), labels=[1, 2, 3], predictions=[1, 7, 3], confidences=[0.5, 0.987, 1]
    )
    titles = [ax.title for ax in fig.axes]
    assert [t.get_text() for t in titles] == [
        "true 1, pred 1\n50.0% sure",
        "true 2, pred 7\n98.7% sure",
        "true 3, pred 3\n100.0% sure",
    ]
    red = to_rgba(WRONG_COLOUR)
    assert [to_rgba(t.get_color()) == red for t in titles] == [False, True, False]


def test_plot_digits_predictions_alone():
    fig = plot_digits(numbered_images(2), predictions=[5, 6])
    assert [ax.get_title() for ax in fig.axes] == ["pred 5", "pred 6"]


@pytest.mark.parametrize(
    ("images", "kwargs", "message"),
    [
        (np.zeros((2, 10)), {}, "not square images"),
        (np.zeros((28, 28)), {}, "images[None]"),
        (np.zeros((0, 28, 28)), {}, "n >= 1"),
        (np.zeros((3, 28, 28)), {"labels": [1, 2]}, "labels must hold one value per image"),
    ],
)
def test_plot_digits_refuses_what_it_cannot_draw(images, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plot_digits(images, **kwargs)


# ---------------------------------------------------------------- plot_learning_curves


def test_plot_learning_curves_draws_each_list_of_the_history_against_epochs():
    history = History(
        loss=[0.9, 0.5, 0.3], accuracy=[0.7, 0.8, 0.9], val_loss=[0.8, 0.6, 0.5],
        val_accuracy=[0.75, 0.82, 0.85],
    )  # fmt: skip
    fig = plot_learning_curves(history, val_label="test")
    loss_ax, accuracy_ax = fig.axes
    for ax, train, held_out, name in [
        (loss_ax, history.loss, history.val_loss, "loss"),
        (accuracy_ax, history.accuracy, history.val_accuracy, "accuracy"),
    ]:
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == name and ax.get_title()
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"training", "test"}
        assert list(lines["training"].get_xdata()) == [1, 2, 3]
        assert list(lines["training"].get_ydata()) == train
        assert list(lines["test"].get_ydata()) == held_out
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "test"]


def test_plot_learning_curves_without_accuracy_or_validation_draws_only_the_training_loss():
    fig = plot_learning_curves(History(loss=[1.0, 0.5]))
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["training"]


def test_plot_learning_curves_refuses_an_empty_history():
    with pytest.raises(ValueError, match="train with fit first"):
        plot_learning_curves(History())


# ---------------------------------------------------------------- plot_confusion_matrix


def test_plot_confusion_matrix_writes_each_count_in_its_row_and_column():
    # Not symmetric, so a transposed drawing would put 5 where 0 is.
    matrix = np.array([[50, 5, 0], [1, 40, 2], [0, 3, 60]])
    ax = plot_confusion_matrix(matrix)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "Confusion matrix"
    counts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
              for t in ax.texts}  # fmt: skip
    assert len(ax.texts) == 9
    assert counts == {(i, j): str(matrix[i, j]) for i in range(3) for j in range(3)}
    assert np.array_equal(ax.images[0].get_array(), matrix)


def test_plot_confusion_matrix_on_given_axes_with_a_linear_scale():
    fig, ax = plt.subplots()
    assert plot_confusion_matrix(np.eye(2, dtype=int) * 7, ax=ax, log_scale=False) is ax
    # dark cells (the sevens) get white text, light ones (the zeros) black
    colours = {t.get_text(): to_rgba(t.get_color()) for t in ax.texts}
    assert colours == {"7": to_rgba("white"), "0": to_rgba("black")}


@pytest.mark.parametrize(
    ("matrix", "message"),
    [(np.ones((2, 3)), "must be square"), (np.array([[1, -1], [0, 2]]), "counts")],
)
def test_plot_confusion_matrix_refuses_what_is_not_a_confusion_matrix(matrix, message):
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(matrix)


# ---------------------------------------------------------------- plot_weight_images


def test_plot_weight_images_draws_each_column_of_the_weights_as_an_image():
    # Unit j's weight on pixel p is (j + 1) * p: its image is (j + 1) * arange(784) in 28 x 28.
    W = np.arange(784)[:, None] * (np.arange(100) + 1)[None, :]
    fig = plot_weight_images(W)
    assert len(fig.axes) == 64  # the first 64 units by default
    drawn = panel_images(fig)
    for j in (0, 1, 63):
        assert np.array_equal(drawn[j], (j + 1) * np.arange(784).reshape(28, 28))
    assert [ax.get_title() for ax in fig.axes[:2]] == ["unit 0", "unit 1"]


def test_plot_weight_images_chosen_units_on_a_symmetric_scale():
    W = np.zeros((4, 5))
    W[:, 3] = [-1.0, 0.5, 0.0, 2.0]
    fig = plot_weight_images(W, units=[3, 0])
    assert [ax.get_title() for ax in fig.axes] == ["unit 3", "unit 0"]
    assert np.array_equal(panel_images(fig)[0], [[-1.0, 0.5], [0.0, 2.0]])
    assert fig.axes[0].images[0].get_clim() == (-2.0, 2.0)  # white is exactly zero


@pytest.mark.parametrize(
    ("W", "units", "message"),
    [
        (np.zeros(784), None, "shape \\(n_pixels, n_units\\)"),
        (np.zeros((784, 10)), [10], "column numbers 0..9"),
        (np.zeros((10, 3)), None, "not square images"),
    ],
)
def test_plot_weight_images_refuses_what_it_cannot_draw(W, units, message):
    with pytest.raises(ValueError, match=message):
        plot_weight_images(W, units=units)
