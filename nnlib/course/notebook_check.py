"""Check a whole exercise notebook from outside Jupyter: ``nnlib check NOTEBOOK``.

The notebook's setup and task cells are run in a fresh namespace, then every task (or one) is
judged with the exercise's visible checks, exactly as the check cells in the notebook would. The
verdicts speak the language of the notebook's edition (``zh/exercises/...`` answers in Chinese)
unless one is chosen (``nnlib check --lang``, ``$NNLIB_LANG``; see :mod:`nnlib.course.i18n`).
"""

from __future__ import annotations

import contextlib
import importlib
import io
from pathlib import Path

import nbformat

from nnlib.course.i18n import _, reading
from nnlib.course.selfcheck import CaseResult, Task, format_results, run_task, with_dependencies


def exercise_tasks(nb: nbformat.NotebookNode) -> list[Task]:
    """The tasks of the exercise that ``nb`` belongs to (its ``nnlib.exercise`` metadata)."""
    exercise = nb.metadata.get("nnlib", {}).get("exercise")
    if not exercise:
        raise ValueError(
            _(
                "this notebook has no nnlib.exercise metadata: is it one of the course's "
                "exercise notebooks (exercises/exNN_*.ipynb)?"
            )
        )
    return list(importlib.import_module(f"nnlib.course.checks.{exercise}").check.tasks.values())


def run_task_cells(nb: nbformat.NotebookNode) -> tuple[dict, list[str]]:
    """Run the setup and task cells of ``nb`` (not the check cells) in a fresh namespace.

    Returns the namespace and one message per cell that raised: a broken cell is reported,
    and the other tasks are still checked.
    """
    namespace: dict = {"__name__": "__main__"}
    errors = []
    for cell in nb.cells:
        role = cell.metadata.get("nnlib", {}).get("role")
        if cell.cell_type != "code" or role == "check":
            continue
        if role != "solution" and not cell.metadata.get("nbgrader", {}).get("locked"):
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, f"<cell {cell.get('id')}>", "exec"), namespace)
        except Exception as error:  # the learner's cell is broken: say so, go on
            errors.append(
                _("the cell defining {task} raised {error}").format(
                    task=cell.metadata.get("nnlib", {}).get("task", "setup"),
                    error=f"{type(error).__name__}: {error}",
                )
            )
    return namespace, errors


def notebook_results(
    nb: nbformat.NotebookNode, task: str | None = None
) -> tuple[dict[str, list[CaseResult]], list[str]]:
    """Judge the learner's functions in ``nb``.

    Returns a dict (task name -> the verdict on each case) and the errors of broken cells. A
    task that calls a failing earlier one says so (see
    :func:`~nnlib.course.selfcheck.with_dependencies`).
    """
    tasks = exercise_tasks(nb)
    wanted = [t for t in tasks if task is None or t.name == task]
    if not wanted:
        names = ", ".join(t.name for t in tasks)
        raise ValueError(
            _("there is no task {task!r} in this exercise; the tasks are: {names}").format(
                task=task, names=names
            )
        )
    needed = {name for t in wanted for name in (t.name, *t.uses)}
    namespace, errors = run_task_cells(nb)
    results = {t.name: run_task(t, namespace.get(t.name)) for t in tasks if t.name in needed}
    results = with_dependencies(tasks, results)
    return {t.name: results[t.name] for t in wanted}, errors


def check_notebook(path: Path, task: str | None = None) -> bool:
    """Print the verdicts for the notebook at ``path``, in the language of its edition unless one
    is chosen; True when every visible check passes."""
    with reading(path):
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as error:
            print(_("Could not read {path}: {error}").format(path=path, error=error))
            return False
        try:
            results, errors = notebook_results(nb, task)
        except ValueError as error:
            print(f"{path}: {error}")
            return False
        for message in errors:
            print(_("warning: {message}").format(message=message))
        for name, task_results in results.items():
            print(format_results(name, task_results), end="\n\n")
        done = sum(all(r.passed for r in rs) for rs in results.values())
        summary = _("{notebook}: {done} of {total} tasks pass their visible checks.")
        print(summary.format(notebook=path.name, done=done, total=len(results)))
        return done == len(results)
