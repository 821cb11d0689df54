"""Shared test set-up: no network, off-screen figures, and the course's root folder.

Every process the suite starts (the notebooks' kernels included) inherits ``PYTHONPATH`` with
``tests/offline``, whose ``sitecustomize`` blocks the network; this process blocks it too.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = Path(__file__).resolve().parent / "offline"

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["NNLIB_QUICK"] = "1"  # long chapter trainings run shorter (nnlib.course.quick_run)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(OFFLINE))

import network_guard  # noqa: E402  (needs the path above)

network_guard.install()
