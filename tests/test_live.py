"""The live training view: one display updated in place in a notebook, nothing in a terminal."""

import base64

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from nnlib.course import live
from nnlib.course.live import LivePlot, in_notebook
from nnlib.layers import Dense, Sigmoid
from nnlib.losses import CrossEntropy
from nnlib.network import Sequential
from nnlib.optim import SGD
from nnlib.training import fit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class FakeHandle:
    """Stands in for IPython's DisplayHandle: records each update."""

    def __init__(self, bundle):
        self.bundles = [bundle]

    def update(self, bundle, raw=False):
        assert raw
        self.bundles.append(bundle)


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a kernel; return the list of display handles created."""
    handles = []

    def display(bundle, raw=False, display_id=False):
        assert raw and display_id is True
        handles.append(FakeHandle(bundle))
        return handles[-1]

    monkeypatch.setattr(live, "in_notebook", lambda: True)
    monkeypatch.setattr(live, "display", display)
    return handles


def train(epochs: int, callback, validation: bool = True):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    network = Sequential([Dense(2, 4, seed=0), Sigmoid(), Dense(4, 2, seed=1)])
    return fit(
        network,
        X,
        y,
        CrossEntropy(),
        SGD(0.5),
        epochs=epochs,
        batch_size=16,
        seed=0,
        validation_data=(X, y) if validation else None,
        progress=False,
        callbacks=[callback],
    )


def test_tests_do_not_run_in_a_notebook():
    assert not in_notebook()


def test_in_a_terminal_it_draws_nothing(monkeypatch):
    monkeypatch.setattr(live, "display", lambda *a, **k: pytest.fail("displayed in a terminal"))
    history = train(2, LivePlot())
    assert len(history.loss) == 2
    assert plt.get_fignums() == []


def test_in_a_notebook_one_display_is_updated_each_epoch(notebook, monkeypatch):
    drawn = []  # the number of epochs each drawing covered
    real = live.plot_learning_curves

    def spy(history, **kwargs):
        drawn.append((len(history.loss), len(history.val_accuracy)))
        return real(history, **kwargs)

    monkeypatch.setattr(live, "plot_learning_curves", spy)
    history = train(3, LivePlot())
    (handle,) = notebook  # one display, created at the first epoch
    assert len(handle.bundles) == 3  # then updated after the second and the third
    assert drawn == [(1, 1), (2, 2), (3, 3)]
    assert len(history.loss) == 3
    for bundle in handle.bundles:
        assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert plt.get_fignums() == []  # no figure left for the notebook to show again


def test_the_title_and_the_label_reach_the_figure(notebook, monkeypatch):
    seen = []
    real = live.plot_learning_curves

    def spy(history, **kwargs):
        figure = real(history, **kwargs)
        seen.append((figure.get_suptitle(), figure.axes[0].get_legend_handles_labels()[1]))
        return figure

    monkeypatch.setattr(live, "plot_learning_curves", spy)
    train(1, LivePlot(title="spirals", val_label="test"))
    assert seen == [("spirals", ["training", "test"])]
    assert notebook[0].bundles[0]["text/plain"] == "<Figure: spirals>"


def test_a_second_run_starts_its_own_display(notebook):
    callback = LivePlot()
    train(2, callback, validation=False)
    train(2, callback, validation=False)
    assert [len(handle.bundles) for handle in notebook] == [2, 2]


def test_a_real_kernel_keeps_one_figure_in_the_saved_output():
    """Run fit with LivePlot in a kernel: the saved cell holds the progress bar and one image."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\n"
            "from nnlib.course.live import LivePlot\n"
            "from nnlib.layers import Dense, Sigmoid\n"
            "from nnlib.losses import CrossEntropy\n"
            "from nnlib.network import Sequential\n"
            "from nnlib.optim import SGD\n"
            "from nnlib.training import fit\n"
            "X = np.random.default_rng(0).normal(size=(64, 2))\n"
            "y = (X[:, 0] > 0).astype(int)\n"
            "network = Sequential([Dense(2, 4, seed=0), Sigmoid(), Dense(4, 2, seed=1)])\n"
            "history = fit(network, X, y, CrossEntropy(), SGD(0.5), epochs=4, seed=0,\n"
            "              validation_data=(X, y), callbacks=[LivePlot()])\n"
            "len(history.loss)"
        )
    ]
    NotebookClient(nb, timeout=60).execute()
    outputs = nb.cells[0].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert base64.b64decode(images[0]["data"]["image/png"]).startswith(PNG_MAGIC)
    assert outputs[-1]["data"]["text/plain"] == "4"
    assert not [o for o in outputs if o["output_type"] == "error"]
