"""A live training view: the learning curves redrawn in place after every epoch of ``fit``.

Part of the course's tools; chapter 06 uses it. ``fit(..., callbacks=[LivePlot()])`` shows, in a
notebook, the loss and accuracy per epoch as one figure that is replaced after each epoch (one
display updated through its display id, never a new figure per epoch), so the saved notebook keeps
one compact figure of the whole run. In a terminal or a script it does nothing: ``fit``'s progress
bar is all there is.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython import get_ipython
from IPython.display import display

from nnlib.course.explorers import figure_bundle
from nnlib.training import History
from nnlib.viz import plot_learning_curves


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (a notebook), not a terminal or a script."""
    return getattr(get_ipython(), "kernel", None) is not None


class LivePlot:
    """A ``fit`` callback that shows the learning curves, updated in place after each epoch.

    Parameters
    ----------
    title : str, optional
        The figure's title.
    val_label : str, default "validation"
        The name of the held-out data in the legend (``nnlib.viz.plot_learning_curves``).

    Examples
    --------
    >>> history = fit(network, X, y, CrossEntropy(), SGD(0.5), epochs=5,  # doctest: +SKIP
    ...               validation_data=(X_val, y_val), callbacks=[LivePlot()])
    """

    def __init__(self, title: str | None = None, val_label: str = "validation") -> None:
        self.title = title
        self.val_label = val_label
        self.handle = None

    def __call__(self, epoch: int, history: History) -> None:
        """Draw ``history`` so far; the first epoch creates the display, later ones update it.

        Returns None, so training never stops because of the view.
        """
        if not in_notebook():
            return
        figure = plot_learning_curves(history, val_label=self.val_label, title=self.title)
        bundle = figure_bundle(figure)
        plt.close(figure)  # or the notebook would show it a second time when the cell ends
        if self.handle is None or epoch == 1:  # a callback used for a second run starts afresh
            self.handle = display(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)
