"""The course's own tools: showing library source in a chapter, exercise self-checks and the
learner's progress, releasing student versions, grading a class safely (the grader: ``grade``,
``exercise``, ``submissions``, ``verdicts``, ``report``, ``untrusted``, ``gradescope``; the
sandbox launcher ``sandbox``; inside the sandbox, ``worker`` and the in-kernel ``harness``),
explorers and live training plots, ``doctor``, and opening the course in JupyterLab.

These are not part of the neural-network library; a learner never needs to read them.
"""

import os

from nnlib.course.source import show_source

QUICK_ENV = "NNLIB_QUICK"


def quick_run() -> bool:
    """Whether the test suite is running the notebooks (it sets ``NNLIB_QUICK=1``).

    A chapter whose full training takes minutes uses fewer epochs then, and says so in its text:
    the suite proves that every cell runs, and ``benchmarks/`` measures the full results.
    """
    return os.environ.get(QUICK_ENV) == "1"


__all__ = ["quick_run", "show_source"]
