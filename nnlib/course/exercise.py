"""An exercise as the grader sees it: the instructor's source, its tasks, points and hidden tests.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

**Hidden tests.** In the source's check cells, lines between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` may add cases to a task::

    check("weighted_sum")
    ### BEGIN HIDDEN TESTS
    from nnlib.course.selfcheck import Case
    check("weighted_sum", cases=[Case(dict(x=np.array([2.0]), w=np.array([3.0]), b=1.0), 7.0)])
    ### END HIDDEN TESTS

``nnlib release`` removes them from the student version. The grader runs that region in its own
process only, with ``check`` collecting the cases (``np`` and ``Case`` are at hand); under nbgrader
the same lines simply run the extra cases.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from nnlib.course import harness
from nnlib.course.notebook_check import exercise_tasks
from nnlib.course.release import HIDDEN_TESTS
from nnlib.course.selfcheck import Case, Task


class GradingError(Exception):
    """The instructor's source or command is wrong: nothing can be graded until it is fixed."""


@dataclass(frozen=True)
class Exercise:
    """What the instructor's source says: its cells, the tasks, their points and hidden cases."""

    name: str
    title: str
    source: nbformat.NotebookNode
    tasks: list[Task]
    points: dict[str, float]
    hidden: dict[str, list[Case]]

    def cases(self, task: Task) -> list[Case]:
        """Every case of ``task``: the visible ones, then the hidden ones."""
        return [*task.cases, *self.hidden[task.name]]


def grade_id(metadata: dict) -> str:
    """The nbgrader ``grade_id`` in a cell's metadata, or ``""``."""
    nbgrader = metadata.get("nbgrader")
    value = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return value if isinstance(value, str) else ""


def task_of(cell) -> str:
    """The task a source cell belongs to (its ``nnlib.task`` metadata, else its grade_id)."""
    return cell.metadata.get("nnlib", {}).get("task") or grade_id(cell.metadata)


def is_check(cell) -> bool:
    """Whether a source cell is a task's check cell (``nnlib.role: check``)."""
    return cell.metadata.get("nnlib", {}).get("role") == "check"


# ---- the instructor's source ----


def load_exercise(path: Path) -> Exercise:
    """Read the source (``.ipynb``, or its paired ``.md``): tasks, points and hidden cases."""
    try:
        if path.suffix == ".md":
            import jupytext

            nb = jupytext.read(path)
        else:
            nb = nbformat.read(path, as_version=4)
        tasks = exercise_tasks(nb)
    except (OSError, ValueError, ImportError) as error:
        raise GradingError(f"could not use the source notebook {path}: {error}") from error
    names = [task.name for task in tasks]
    points: dict[str, float] = {}
    hidden: dict[str, list[Case]] = {name: [] for name in names}
    for cell in filter(is_check, nb.cells):
        task, grading = task_of(cell), cell.metadata.get("nbgrader", {})
        if task not in hidden or not grading.get("grade"):
            raise GradingError(
                f"{path}: the check cell of {task!r} must be a grade cell of {names}"
            )
        points[task] = float(grading.get("points", 0))
        for region in HIDDEN_TESTS.finditer(cell.source):
            _collect_hidden(path, task, region[0], hidden)
    missing = [name for name in names if name not in points]
    if missing:
        raise GradingError(f"{path}: no check cell with points for the tasks {missing}")
    for task in tasks:
        if any(harness.holds_objects(case.args) for case in [*task.cases, *hidden[task.name]]):
            raise GradingError(
                f"{path}: a case of {task.name!r} has arguments that are not plain data (numbers, "
                f"strings, bytes, arrays, and tuples, lists or dicts of them): the kernel cannot "
                f"get them"
            )
    headings = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]
    title = headings[0].strip().splitlines()[0].lstrip("# ") if headings else path.stem
    return Exercise(nb.metadata["nnlib"]["exercise"], title, nb, tasks, points, hidden)


def _collect_hidden(path: Path, task: str, region: str, hidden: dict[str, list[Case]]) -> None:
    """Run one hidden-test region in this process, with ``check`` collecting its cases."""

    def check(name, function=None, cases=None):
        if name not in hidden or not all(isinstance(case, Case) for case in cases or []):
            raise GradingError(f"{path}: hidden tests of {task!r}: check({name!r}) needs a task "
                               f"of this exercise and cases=[Case(...), ...]")  # fmt: skip
        hidden[name].extend(cases or [])

    code = textwrap.dedent("\n".join(region.splitlines()[1:-1]))
    namespace = {"np": np, "Case": Case, "check": check}
    try:
        exec(compile(code, f"<hidden tests of {task}>", "exec"), namespace)
    except GradingError:
        raise
    except Exception as error:
        raise GradingError(f"{path}: the hidden tests of {task!r} raised {error!r}") from error
