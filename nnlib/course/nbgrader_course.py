"""nbgrader courses: the exercises as nbgrader's ``source/`` tree, nnlib's grades in its gradebook.

Part of the course's tools (``nnlib nbgrader-source`` and ``nnlib grade --nbgrader``); no chapter
introduces it.

nbgrader keeps what it does well: releasing, collecting, feedback and export. The scores come
from ``nnlib grade``, which judges each learner's functions outside the learner's kernel, where no
answer cell can redefine a check, and :func:`write_gradebook` puts them into nbgrader's gradebook
through nbgrader's own API (:class:`nbgrader.api.Gradebook`): each check cell's ``auto_score``, and
the task's verdict as the automatic comment of the learner's answer cell. It also writes the
notebook that ``nbgrader generate_feedback`` renders, ``autograded/<student>/<assignment>/``: the
student version of the exercise with the learner's answers and, under each check cell, nnlib's
verdict; no solution, hidden test or expected value of a hidden test is in it.

nbgrader is an optional dependency (``pip install "nnlib[nbgrader]"``), imported only here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from nnlib.course.i18n import _
from nnlib.course.release import render, student_notebook
from nnlib.course.submissions import grade_id, is_check, read_notebook, rebuild, task_of

if TYPE_CHECKING:
    from nnlib.course.verdicts import Grade

SOURCE = "source"
SUBMITTED = "submitted"
AUTOGRADED = "autograded"
TIMESTAMP = "timestamp.txt"
GRADEBOOK_DB = "gradebook.db"


class NbgraderError(Exception):
    """The nbgrader course is not in a state that nnlib can write to; the message says why."""


def write_source_tree(exercises_source: Path, course_dir: Path) -> list[Path]:
    """Write ``course_dir/source/<exercise>/<exercise>.ipynb`` for every exercise source.

    Only the source notebooks go in, never their paired ``.md`` nor ``jupytext.toml``: nbgrader's
    ``generate_assignment`` copies every other file of an assignment's folder into the release,
    and those hold the solutions in plain text. A folder that already holds other files is
    refused, for the same reason. Returns the notebooks written.
    """
    sources = sorted(exercises_source.glob("ex*.ipynb"))
    if not sources:
        raise NbgraderError(f"no exercise notebooks (ex*.ipynb) in {exercises_source}")
    written = []
    for path in sources:
        folder = course_dir / SOURCE / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        others = sorted(p.name for p in folder.iterdir() if p.name != path.name)
        if others:
            raise NbgraderError(
                f"{folder} holds {', '.join(others)} besides {path.name}: nbgrader would release "
                f"them to the learners. Remove them and run this again."
            )
        nb = nbformat.read(path, as_version=4)
        if not nb.metadata.get("nnlib", {}).get("exercise"):
            raise NbgraderError(f"{path} has no nnlib.exercise metadata: not an exercise source")
        shutil.copyfile(path, folder / path.name)
        written.append(folder / path.name)
    return written


def gradebook_url(course_dir: Path) -> str:
    """The SQLAlchemy URL of the gradebook nbgrader keeps by default in ``course_dir``."""
    return f"sqlite:///{(course_dir / GRADEBOOK_DB).resolve()}"


def submitted_notebook(course_dir: Path, student: str, assignment: str, notebook: str) -> Path:
    """Where ``nbgrader collect`` puts a learner's notebook."""
    return course_dir / SUBMITTED / student / assignment / f"{notebook}.ipynb"


def write_gradebook(
    course_dir: Path, assignment: str, grades: Iterable[Grade], report=print
) -> list[str]:
    """Write ``grades`` (from ``nnlib grade``) into the nbgrader course at ``course_dir``.

    For each learner: the submission in the gradebook (created if ``nbgrader autograde`` has not
    made it), every check cell's ``auto_score`` and each answer cell's automatic comment, and the
    autograded notebook for ``nbgrader generate_feedback``. A manual score or comment that a
    grader gave in nbgrader's formgrader stays in force: nbgrader prefers it to the automatic one.
    The assignment must be in the gradebook (``nbgrader generate_assignment`` puts it there).
    Returns the students written.
    """
    from nbgrader.api import Gradebook, MissingEntry

    grades = list(grades)
    with Gradebook(gradebook_url(course_dir)) as gradebook:
        try:
            known = gradebook.find_assignment(assignment)
        except MissingEntry as error:
            raise NbgraderError(
                f"the assignment {assignment!r} is not in {course_dir / GRADEBOOK_DB}: run "
                f"`nbgrader generate_assignment {assignment}` in {course_dir} first"
            ) from error
        notebooks = [nb.name for nb in known.notebooks]
        written = []
        for grade in grades:
            if grade.needs_regrade:  # the machinery failed: no score, not a zero
                report(f"{grade.learner}: not graded, left out of nbgrader; re-grade it")
                continue
            notebook = _notebook_of(grade, notebooks, assignment)
            path = submitted_notebook(course_dir, grade.learner, assignment, notebook)
            if not path.parent.is_dir():
                report(f"{grade.learner}: not in {course_dir / SUBMITTED}, left out of nbgrader")
                continue
            _write_scores(gradebook, grade, assignment, notebook, path.parent / TIMESTAMP)
            _write_autograded(course_dir, grade, assignment, notebook, path)
            written.append(grade.learner)
    return written


def _notebook_of(grade: Grade, notebooks: list[str], assignment: str) -> str:
    """The assignment's notebook that ``grade`` belongs to (named like the exercise source)."""
    matching = [name for name in notebooks if name.split("_")[0] == grade.exercise.name]
    if len(matching) != 1:
        raise NbgraderError(
            f"the assignment {assignment!r} has the notebooks {notebooks}, not exactly one of "
            f"exercise {grade.exercise.name}: grade it with that exercise's source"
        )
    return matching[0]


def _write_scores(gradebook, grade: Grade, assignment: str, notebook: str, stamp: Path) -> None:
    """The grade cells' scores and the answer cells' comments of one learner, in the gradebook."""
    from nbgrader.api import MissingEntry

    gradebook.update_or_create_student(grade.learner)
    try:
        gradebook.find_submission(assignment, grade.learner)
    except MissingEntry:
        when = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
        gradebook.add_submission(assignment, grade.learner, timestamp=when)  # nbgrader parses it
    by_task = {task.name: task for task in grade.tasks}
    for cell in grade.exercise.source.cells:
        key = grade_id(cell.metadata)
        task = by_task.get(task_of(cell)) if key else None
        if task is None:
            continue
        if is_check(cell):
            row = gradebook.find_grade(key, notebook, assignment, grade.learner)
            row.auto_score = task.score
            row.needs_manual_grade = False
        elif cell.metadata["nbgrader"].get("solution"):
            row = gradebook.find_comment(key, notebook, assignment, grade.learner)
            row.auto_comment = f"nnlib grade: {task.score:g} / {task.points:g}\n{task.report()}"
    gradebook.db.commit()


def _write_autograded(
    course_dir: Path, grade: Grade, assignment: str, notebook: str, submitted: Path
) -> None:
    """The notebook ``nbgrader generate_feedback`` renders: answers and nnlib's verdicts.

    Built from the student version, so that nothing but the learner's own answers, what the
    grader noticed and the verdicts (whose hidden tests say only pass or fail) can be in it.
    """
    nb = student_notebook(grade.exercise.source)
    cells, _problems = read_notebook(submitted)
    answers = rebuild(grade.exercise.source, cells).solutions if cells is not None else {}
    reports = {task.name: task.report() for task in grade.tasks}
    for cell in nb.cells:
        role = cell.metadata.get("nnlib", {}).get("role")
        if role == "solution" and task_of(cell) in answers:
            cell.source = answers[task_of(cell)]
        elif role == "check" and task_of(cell) in reports:
            text = reports[task_of(cell)] + "\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    notes = "".join(f"\n{note}" for note in grade.notes).replace("```", "'''")
    summary = (
        _("**Graded by nnlib** (status: {status}).").format(status=grade.status)
        + "\n"
        + (f"\n```text{notes}\n```\n" if notes else "")
    )
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary, id="nnlib-grade"))
    folder = course_dir / AUTOGRADED / grade.learner / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.ipynb").write_text(render(nb), encoding="utf-8")
    stamp = submitted.parent / TIMESTAMP
    if stamp.is_file():
        shutil.copyfile(stamp, folder / TIMESTAMP)
