"""How a task's passed cases become its score: all or nothing, or partial credit.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

One policy, chosen by the instructor, holds for every grader of the course: ``nnlib grade``'s
gradebook, the Gradescope results and the nbgrader gradebook it writes all take a task's score
from :func:`task_score`. **All or nothing** (the default) gives a task its points only when every
case passes, visible and hidden, which is also what nbgrader's own autograder can give (a grade
cell earns its points by not raising). **Partial credit** (``--partial-credit``) gives the points
times the fraction of cases that pass, rounded to 0.01.
"""

from __future__ import annotations

import argparse


def task_score(points: float, passed: int, cases: int, partial_credit: bool = False) -> float:
    """The score of a task worth ``points`` of whose ``cases`` cases ``passed`` pass.

    A task without cases scores 0: nothing was shown to be right.

    Examples
    --------
    >>> task_score(2, 2, 3), task_score(2, 2, 3, partial_credit=True), task_score(2, 3, 3)
    (0.0, 1.33, 2.0)
    """
    if points < 0:
        raise ValueError(f"task_score: points must be >= 0, got {points}")
    if not 0 <= passed <= cases:
        raise ValueError(
            f"task_score: passed must lie between 0 and cases={cases}, got passed={passed}"
        )
    if cases == 0:
        return 0.0
    if partial_credit:
        return round(points * passed / cases, 2)
    return float(points) if passed == cases else 0.0


def policy_text(partial_credit: bool) -> str:
    """How the policy reads in feedback: ``"all or nothing per task"`` or partial credit."""
    return "partial credit per case" if partial_credit else "all or nothing per task"


def add_option(parser: argparse.ArgumentParser) -> None:
    """The ``--partial-credit`` option, the same for ``nnlib grade`` and the Gradescope bundle."""
    parser.add_argument(
        "--partial-credit",
        action="store_true",
        help="a task earns its points times the fraction of its cases that pass "
        "(default: all or nothing per task, as nbgrader's autograder scores)",
    )
