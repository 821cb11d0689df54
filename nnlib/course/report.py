"""What the grader writes: ``feedback.md``, Gradescope's ``results.json`` and ``gradebook.csv``.

Part of the course's tools (used by ``nnlib.course.grade`` and ``nnlib.course.gradescope``); no
chapter introduces it.

Every file is written by :func:`write_atomically` (a reader sees the old file or the new, never
half of one). Text that may hold a kernel's words (notes, task reports) is quoted in fenced
``text`` blocks, line by line through :func:`~nnlib.course.untrusted.safe_text`, so nothing a
learner's code says can forge a heading, a score or a colour. The format of ``results.json``
follows https://gradescope-autograders.readthedocs.io/en/latest/specs/: a top-level ``score``,
and one test per task with ``score``, ``max_score``, ``status``, ``output`` and ``visibility``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from nnlib.course.exercise import Exercise
from nnlib.course.i18n import _
from nnlib.course.submissions import GRADEBOOK
from nnlib.course.untrusted import safe_text
from nnlib.course.verdicts import DECIMALS, Grade

LINE_CAP = 600
FENCE = "```"


def number(value: float) -> str:
    """A score as the outputs show it: ``2``, ``0.75``."""
    return f"{round(value, DECIMALS):g}"


def safe_block(text: str) -> str:
    """``text`` line by line through :func:`safe_text` (no fence, no control character)."""
    return "\n".join(safe_text(line, LINE_CAP) for line in text.splitlines()).replace(FENCE, "'''")


def _fenced(text: str) -> list[str]:
    return [f"{FENCE}text", safe_block(text), FENCE, ""]


def task_title(position: int, name: str) -> str:
    """A task as the feedback and Gradescope name it: ``Task 1: weighted_sum``."""
    return _("Task {position}: {name}").format(position=position, name=name)


def feedback(grade: Grade) -> str:
    """The learner's feedback in Markdown: the score, what was noticed, and every task's verdict.

    Its headings and sentences are in the current language (:mod:`nnlib.course.i18n`); the status
    stays as the gradebook has it (``ok``, ``tampered``), and whatever the kernel said is fenced.
    """
    score = f"{number(grade.total)} / {number(grade.max_score)}"
    if grade.needs_regrade:
        score = _("not graded (the grader failed; it will be re-graded) / {max_score}").format(
            max_score=number(grade.max_score)
        )
    title = _("{title}: feedback for {learner}").format(
        title=safe_text(grade.exercise.title), learner=grade.learner
    )
    lines = [
        f"# {title}",
        "",
        _("**Score: {score}** (status: {status})").format(score=score, status=grade.status),
        "",
    ]
    if grade.notes:
        notes = "\n".join(f"- {note}" for note in grade.notes)
        lines += [f"## {_('Notes')}", "", *_fenced(notes)]
    for position, task in enumerate(grade.tasks, start=1):
        points = f"{number(task.score)} / {number(task.points)}"
        lines += [f"## {task_title(position, task.name)} ({points})", "", *_fenced(task.report())]
    return "\n".join(lines)


def gradescope_results(grade: Grade) -> dict:
    """A learner's grade in Gradescope's ``results.json`` format: one test per task."""
    tests = [
        {
            "name": task_title(position, task.name),
            "number": str(position),
            "score": task.score,
            "max_score": task.points,
            "status": "passed" if task.score == task.points else "failed",
            "output": safe_block(task.report()),
            "visibility": "visible",
        }
        for position, task in enumerate(grade.tasks, start=1)
    ]
    notes = safe_block("\n".join(f"- {note}" for note in grade.notes))
    return {
        "score": grade.total,
        "output": notes or _("Graded by nnlib."),
        "tests": tests,
        "extra_data": {
            "learner": grade.learner,
            "exercise": grade.exercise.name,
            "status": grade.status,
        },
    }


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new, never half."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_learner(out_dir: Path, grade: Grade) -> None:
    """Write ``out_dir/<learner>/results.json`` and ``feedback.md``, each atomically."""
    folder = out_dir / grade.learner
    folder.mkdir(parents=True, exist_ok=True)
    results = json.dumps(gradescope_results(grade), indent=2, ensure_ascii=False)
    write_atomically(folder / "results.json", results + "\n")
    write_atomically(folder / "feedback.md", feedback(grade))


def gradebook_row(grade: Grade) -> list[str]:
    """A learner's row: name, a score per task, total, max, status (no scores if not graded)."""
    if grade.needs_regrade:
        return [
            grade.learner,
            *("" for _ in grade.tasks),
            "",
            number(grade.max_score),
            grade.status,
        ]
    scores = [number(t.score) for t in grade.tasks]
    return [grade.learner, *scores, number(grade.total), number(grade.max_score), grade.status]


def write_gradebook(out_dir: Path, exercise: Exercise, grades: dict[str, Grade]) -> None:
    """Write ``out_dir/gradebook.csv`` atomically: a row per learner, sorted by name.

    Rows of learners graded by an earlier run (with the same columns) and not by this one are
    kept, so grading a late submission alone adds its row to the others.
    """
    header = ["name", *(t.name for t in exercise.tasks), "total", "max", "status"]
    rows = {}
    path = out_dir / GRADEBOOK
    if path.exists():
        with open(path, newline="", encoding="utf-8", errors="replace") as file:
            reader = csv.reader(file)
            if next(reader, None) == header:
                rows = {row[0]: row for row in reader if len(row) == len(header)}
    for name, grade in grades.items():
        rows[name] = gradebook_row(grade)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows[name] for name in sorted(rows))
    write_atomically(path, text.getvalue())
