"""The exercises' checks are tested: solutions pass, blanks and planted mistakes fail, clearly.

For every exercise source in ``exercises/source/``: the solution earns every visible check; the
committed student version is exactly what ``nnlib release`` makes of the source, leaks no
solution, and fails every check with "not done yet" (never a crash); each planted mistake fails
with feedback that points at it; and the nbgrader metadata is consistent.
"""

import nbformat
import pytest

from conftest import ROOT
from nnlib.course.notebook_check import exercise_tasks, notebook_results
from nnlib.course.release import SOLUTION, render, student_notebook, student_path
from nnlib.course.selfcheck import NOT_DONE, format_results, run_task

ENGLISH_SOURCES = sorted((ROOT / "exercises" / "source").glob("ex*.ipynb"))
# The Chinese edition's sources (zh/, same code cells: tests/test_zh_edition.py) are held to the
# same rules; the planted mistakes, which test the checks themselves, run once.
SOURCES = ENGLISH_SOURCES + sorted((ROOT / "zh" / "exercises" / "source").glob("ex*.ipynb"))
IDS = [("zh-" if "zh" in p.relative_to(ROOT).parts else "") + p.stem for p in SOURCES]


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_exercises():
    assert SOURCES


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_solution_earns_every_visible_check(source):
    results, errors = notebook_results(read(source))
    assert not errors
    for task, task_results in results.items():
        assert all(r.passed for r in task_results), format_results(task, task_results)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_version_fails_every_check_only_as_not_done(source):
    results, errors = notebook_results(read(student_path(source)))
    assert not errors
    for task_results in results.values():
        assert [r.reason for r in task_results] == [NOT_DONE] * len(task_results)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_student_version_is_current(source):
    committed = student_path(source).read_text(encoding="utf-8")
    assert render(student_notebook(read(source))) == committed, (
        f"{student_path(source).name} is stale: run `python -m nnlib release --exercises "
        f"{student_path(source).parent.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_no_solution_leaks_into_the_student_version(source):
    student = read(student_path(source))
    assert "SOLUTION" not in str(student) and "HIDDEN TESTS" not in str(student)
    for source_cell, student_cell in zip(read(source).cells, student.cells, strict=True):
        for region in SOLUTION.finditer(source_cell.source):
            for line in region[0].splitlines()[1:-1]:
                if sum(ch.isalnum() for ch in line) >= 3:  # skip lines like ")" or "]"
                    assert line.strip() not in student_cell.source, f"solution leaked: {line!r}"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_nbgrader_metadata_is_consistent(source):
    nb = read(source)
    tasks = [t.name for t in exercise_tasks(nb)]
    assert 3 <= len(tasks) <= 6
    graded = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    ids = [m["grade_id"] for m in graded]
    assert len(ids) == len(set(ids)), "grade_id must be unique"
    assert all(m["schema_version"] == 3 for m in graded)
    for task in tasks:
        solution = [m for m in graded if m["grade_id"] == task]
        check = [m for m in graded if m["grade_id"] == f"check_{task}"]
        assert len(solution) == 1 and solution[0]["solution"] and not solution[0]["grade"]
        assert len(check) == 1 and check[0]["grade"] and check[0]["locked"]
        assert check[0]["points"] > 0
    check_cells = [c for c in nb.cells if c.metadata.get("nnlib", {}).get("role") == "check"]
    assert [c.source for c in check_cells] == [f'check("{t}")' for t in tasks]


MISTAKES = [
    pytest.param(task, mistake, id=f"{source.stem}-{task.name}-{mistake.description}")
    for source in ENGLISH_SOURCES
    for task in exercise_tasks(read(source))
    for mistake in task.mistakes
]


@pytest.mark.parametrize(("task", "mistake"), MISTAKES)
def test_planted_mistake_fails_with_feedback_that_points_at_it(task, mistake):
    namespace = {}
    exec(mistake.code, namespace)
    results = run_task(task, namespace[task.name])
    report = format_results(task.name, results)
    assert not all(r.passed for r in results), f"{mistake.description} was not caught"
    assert mistake.message in report


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_every_task_plants_at_least_one_mistake(source):
    for task in exercise_tasks(read(source)):
        assert task.mistakes, f"{task.name} has no planted mistake to prove its checks"


def test_generated_student_cells_keep_ids_and_drop_outputs():
    source = read(SOURCES[0])
    code_cells = [c for c in source.cells if c.cell_type == "code"]
    code_cells[0].outputs = [nbformat.v4.new_output("stream", text="hi")]
    code_cells[0].execution_count = 1
    student = student_notebook(source)
    assert [c.get("id") for c in student.cells] == [c.get("id") for c in source.cells]
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")
    assert all(c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert code_cells[0].outputs, "the source notebook itself must be left untouched"
