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
# The suite plays the learner: failing self-checks print, as in JupyterLab, rather than raise as
# they do by default outside it (nnlib.course.selfcheck.strict_checks), in this process and in
# the kernels nbval starts for the student versions. Tests of the strict default say otherwise,
# and the browser tests' JupyterLab goes without it, to show that it is recognised on its own.
os.environ["NNLIB_STRICT_CHECKS"] = "0"
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(OFFLINE))

import matplotlib  # noqa: E402

import network_guard  # noqa: E402  (needs the path above)

# Figures drawn by the tests themselves render off-screen. The notebooks' kernels are left to
# ipykernel's inline backend, so that nbval sees every figure come out as a PNG.
matplotlib.use("Agg")
network_guard.install()

