"""The instructor's source as the grader reads it: tasks, points, hidden tests, nbgrader."""

import hashlib
import re

import nbformat
import numpy as np
import pytest
from grading.attacks import EX01, HIDDEN, POINTS, TASKS, hidden_source

from conftest import ROOT
from nnlib.course.exercise import GradingError, grade_id, load_exercise
from nnlib.course.release import nbgrader_checksum, render, student_notebook
from nnlib.course.selfcheck import STRICT_ENV, Case, Checker


def test_hidden_tests_are_collected_from_the_source_and_stripped_from_the_student_version(tmp_path):
    exercise = load_exercise(hidden_source(tmp_path))
    assert {name: len(cases) for name, cases in exercise.hidden.items()} == {
        task: int(task in HIDDEN) for task in TASKS
    }
    assert exercise.points == dict(zip(TASKS, map(float, POINTS), strict=True))
    released = student_notebook(nbformat.read(tmp_path / EX01.name, as_version=4))
    checks = [
        c.source for c in released.cells if c.metadata.get("nnlib", {}).get("role") == "check"
    ]
    # as nbgrader's ClearHiddenTests: a region at the end takes the newline before it too
    assert checks == [f'check("{task}")' for task in TASKS]


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ('check("no_such_task", cases=[])', "check('no_such_task')"),
        ("1 / 0", "raised ZeroDivisionError"),
        ('check("weighted_sum", cases=[3])', "cases=[Case(...)"),
        (
            'check("weighted_sum", cases=[Case(dict(rng=np.random.default_rng(0)), 1.0)])',
            "not plain data",
        ),
    ],
)
def test_a_broken_hidden_test_stops_the_grading_with_a_clear_error(tmp_path, region, message):
    nb = nbformat.read(EX01, as_version=4)
    check = next(c for c in nb.cells if c.metadata.get("nnlib", {}).get("role") == "check")
    check.source += f"\n### BEGIN HIDDEN TESTS\n{region}\n### END HIDDEN TESTS"
    (tmp_path / "source.ipynb").write_text(render(nb), encoding="utf-8")
    with pytest.raises(GradingError, match=re.escape(message)):
        load_exercise(tmp_path / "source.ipynb")


def test_under_nbgrader_hidden_cases_run_in_the_check_cell(monkeypatch, capsys):
    from nnlib.course.checks import ex01

    monkeypatch.setenv(STRICT_ENV, "1")
    check = Checker(list(ex01.check.tasks.values()))  # made once the variable is set, as nbgrader
    extra = [Case(dict(x=np.array([2.0]), w=np.array([3.0]), b=1.0), expected=7.0)]
    check("weighted_sum", lambda x, w, b: float(x @ w + b), cases=extra)
    with pytest.raises(AssertionError, match="0 of 1"):
        check("weighted_sum", lambda x, w, b: float(x @ w), cases=extra)


def test_nbgrader_checksums_are_those_nbgrader_computes():
    released = student_notebook(nbformat.read(EX01, as_version=4))
    check = next(c for c in released.cells if grade_id(c.metadata) == "check_weighted_sum")
    # nbgrader's utils.compute_checksum: md5 of source, type, grade, solution, locked, id, points
    by_hand = (
        'check("weighted_sum")' + "code" + "True" + "False" + "True" + "check_weighted_sum" + "1.0"
    )
    assert check.metadata["nbgrader"]["checksum"] == hashlib.md5(by_hand.encode()).hexdigest()
    assert check.metadata["nbgrader"]["cell_type"] == "code"
    check.source = "pass"
    assert nbgrader_checksum(check) != hashlib.md5(by_hand.encode()).hexdigest()
    committed = nbformat.read(ROOT / "exercises" / EX01.name, as_version=4)
    graded_cells = [c for c in committed.cells if "nbgrader" in c.metadata]
    assert all(c.metadata["nbgrader"]["checksum"] == nbgrader_checksum(c) for c in graded_cells)
