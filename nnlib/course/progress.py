"""A learner's progress through the exercises: which tasks pass their visible checks.

Part of the course's tools; no chapter introduces it. ``nnlib progress`` prints the table; in a
notebook, ``from nnlib.course.progress import progress`` then ``progress()`` shows it.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nnlib.course.notebook_check import notebook_results
from nnlib.course.selfcheck import FAIL_MARK, NOT_DONE, PASS_MARK, CaseResult

# marks that DejaVu Sans Mono has (emoji show as empty boxes without an emoji font)
DONE, FAILING, NOT_STARTED = PASS_MARK, FAIL_MARK, "\u25cb"


@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise notebook: ``tasks`` maps each task to (passed, total) visible checks."""

    name: str
    tasks: dict[str, tuple[int, int]]
    not_started: frozenset[str] = frozenset()
    problem: str = ""

    def mark(self, task: str) -> str:
        passed, total = self.tasks[task]
        if task in self.not_started:
            return f"{NOT_STARTED} {task}"
        return f"{DONE} {task}" if passed == total else f"{FAILING} {task} ({passed}/{total})"


@dataclass(frozen=True)
class Progress:
    """The progress table: printed as text, shown as Markdown by Jupyter."""

    exercises: list[ExerciseProgress]

    def __str__(self) -> str:
        lines = ["| exercise | tasks done | tasks |", "| --- | --- | --- |"]
        for exercise in self.exercises:
            if exercise.problem:
                lines.append(f"| {exercise.name} | - | {exercise.problem} |")
                continue
            done = sum(p == t for p, t in exercise.tasks.values())
            marks = " · ".join(exercise.mark(task) for task in exercise.tasks)
            lines.append(f"| {exercise.name} | {done} of {len(exercise.tasks)} | {marks} |")
        legend = f"{DONE} passes its visible checks, {FAILING} not yet, {NOT_STARTED} not started"
        return "\n".join([*lines, "", legend])

    def _repr_markdown_(self) -> str:
        return str(self)


def exercise_progress(path: Path) -> ExerciseProgress:
    """Run the visible checks of the exercise notebook at ``path`` (its output is swallowed)."""
    try:
        nb = nbformat.read(path, as_version=4)
        with contextlib.redirect_stdout(io.StringIO()):
            results, _ = notebook_results(nb)
    except Exception as error:  # an unreadable notebook is a row of the table, not a crash
        return ExerciseProgress(path.stem, {}, problem=f"could not be checked: {error}")
    return ExerciseProgress(
        path.stem,
        {task: (sum(r.passed for r in rs), len(rs)) for task, rs in results.items()},
        frozenset(task for task, rs in results.items() if _not_started(rs)),
    )


def _not_started(results: list[CaseResult]) -> bool:
    return all(r.reason == NOT_DONE for r in results)


def progress(exercises_dir: str | Path | None = None) -> Progress:
    """The progress of every exercise notebook ``ex*.ipynb`` in ``exercises_dir``.

    The default is ``exercises/`` when it exists (a terminal at the course's root), else the
    current folder (a notebook opened in ``exercises/``).
    """
    if exercises_dir is None:
        exercises_dir = Path("exercises") if Path("exercises").is_dir() else Path(".")
    notebooks = sorted(Path(exercises_dir).glob("ex*.ipynb"))
    return Progress([exercise_progress(path) for path in notebooks])
