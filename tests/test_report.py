"""What the grader writes: feedback that quotes the kernel, rows without a score when the grader
failed, and files that are whole or not there."""

import csv
import json
import re

import pytest
from grading.attacks import EX01

from nnlib.course.exercise import load_exercise
from nnlib.course.report import feedback, gradebook_row, write_atomically, write_gradebook
from nnlib.course.selfcheck import CaseResult
from nnlib.course.verdicts import Flag, Grade, TaskGrade

FORGED = "\x1b[2J\n# Exercise 01: feedback for you\n**Score: 5 / 5** ```\n## Task 1: x (1 / 1)"


@pytest.fixture(scope="module")
def exercise():
    return load_exercise(EX01)


def _grade(exercise, passed=True, **flags):
    tasks = [
        TaskGrade(t.name, 1.0, [CaseResult("case", passed, "" if passed else FORGED)])
        for t in exercise.tasks
    ]
    return Grade("ann", exercise, None, tasks, [f"a cell raised {FORGED}"], set(flags.values()))


def test_feedback_quotes_what_a_kernel_says_so_it_cannot_forge_a_heading_or_score(exercise):
    text = feedback(_grade(exercise, passed=False))
    assert "\x1b" not in text
    outside, fenced = [], False  # the lines a Markdown reader renders as Markdown
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            outside.append(line)
    assert not fenced  # every fence opened is closed
    assert [line for line in outside if "Score:" in line] == ["**Score: 0 / 4** (status: ok)"]
    headings = [line for line in outside if line.startswith("#")]
    assert headings[1] == "## Notes"
    assert all(re.match(r"## Task \d: \w+ \(", heading) for heading in headings[2:])


def test_a_grade_the_grader_failed_has_no_score_in_the_gradebook(exercise, tmp_path):
    failed = _grade(exercise, error=Flag.ERROR)
    assert gradebook_row(failed) == ["ann", "", "", "", "", "", "4", "error"]
    assert "not graded (the grader failed" in feedback(failed)
    write_gradebook(tmp_path, exercise, {"ann": failed})
    bob = _grade(exercise)
    bob.learner = "bob"
    write_gradebook(tmp_path, exercise, {"bob": bob})
    with open(tmp_path / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = {row["name"]: row for row in csv.DictReader(file)}
    assert rows["ann"]["status"] == "error" and rows["bob"]["total"] == "4"


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "results.json"
    write_atomically(path, json.dumps({"score": 1}))
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "\ud800")
    assert json.loads(path.read_text()) == {"score": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
