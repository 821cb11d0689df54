"""Show the library's real source code in a notebook, highlighted.

A chapter derives a function in the open, then shows the function as nnlib really has it and
imports it: the book and the library can never drift apart, because there is one copy.
"""

import inspect


def show_source(obj):
    """Display the source code of a function, class or module of nnlib, syntax-highlighted.

    Parameters
    ----------
    obj : function, class, method or module
        What to show, e.g. ``nnlib.neuron.Perceptron`` or ``nnlib.activations.step``.

    Returns
    -------
    IPython.display.Code
        Rendered with highlighting in JupyterLab; in a terminal its text is the plain source.
    """
    from IPython.display import Code

    try:
        source = inspect.getsource(obj)
    except TypeError as error:
        raise TypeError(
            f"show_source needs a function, class or module, got {obj!r} of type "
            f"{type(obj).__name__}."
        ) from error
    return Code(source, language="python")
