"""Shared test set-up for everything pytest runs here (unit tests and notebooks alike).

No network, off-screen figures, shorter long trainings, and the course's root folder. It sits at
the repository's root so that it applies however the suite is started, even to one notebook
(``pytest chapters/08_the_full_mnist_network.ipynb``). Every process the suite starts (the
notebooks' kernels included) inherits ``PYTHONPATH`` with ``tests/offline``, whose
``sitecustomize`` blocks the network; this process blocks it too.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OFFLINE = ROOT / "tests" / "offline"

os.environ["NNLIB_QUICK"] = "1"  # long chapter trainings run shorter (nnlib.course.quick_run)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(OFFLINE))

import matplotlib  # noqa: E402
import pytest  # noqa: E402

import network_guard  # noqa: E402  (needs the path above)
from nnlib.course.selfcheck import STRICT_ENV  # noqa: E402

# Figures drawn by the tests themselves render off-screen. The notebooks' kernels are left to
# ipykernel's inline backend, so that nbval sees every figure come out as a PNG.
matplotlib.use("Agg")
network_guard.install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Run the student versions of the exercises (``exercises/exNN_*.ipynb``) as a learner does.

    Their checks fail ("not done yet"), and outside a learner's JupyterLab a failing check raises
    (``nnlib.course.selfcheck.strict_checks``); nbval's kernel, started in the set-up of a
    notebook's first cell, is told ``NNLIB_STRICT_CHECKS=0`` so that they only print.
    """
    student = item.path.suffix == ".ipynb" and item.path.parent == ROOT / "exercises"
    before = os.environ.get(STRICT_ENV)
    if student:
        os.environ[STRICT_ENV] = "0"
    try:
        yield
    finally:
        if student and before is None:
            del os.environ[STRICT_ENV]
        elif student:
            os.environ[STRICT_ENV] = before
