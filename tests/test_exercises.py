"""The exercises' checks are tested: solutions pass, blanks and planted mistakes fail, clearly.

For every exercise source in ``exercises/source/``: the solution earns every visible check; the
committed student version is exactly what ``nnlib release`` makes of the source, leaks no
solution, and fails every check with "not done yet" (never a crash); each planted mistake fails,
and every failing case names it and shows its hint; a right task that calls a wrong earlier one
says "fix it first" instead of blaming itself; and the nbgrader metadata is consistent.
"""

import contextlib
import importlib
import io
import itertools
import re
from dataclasses import replace

import jupytext
import nbformat
import pytest

from conftest import ROOT
from nnlib.course.exercise import grade_id
from nnlib.course.notebook_check import exercise_tasks, notebook_results, run_task_cells
from nnlib.course.release import SOLUTION, render, student_notebook, student_path, task_names
from nnlib.course.selfcheck import NOT_DONE, format_results, run_task, with_dependencies

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


PAGES = [source.with_suffix(".md") for source in SOURCES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_each_task_cells_names_are_those_its_code_gives(page):
    for number, cell in enumerate(jupytext.read(page).cells, start=1):
        names = task_names(cell)
        if names is not None:
            written = (grade_id(cell.metadata), cell.metadata["nnlib"].get("task"))
            assert written == names, (
                f"{page.relative_to(ROOT)}, cell {number} ({cell.source.splitlines()[0]}): its "
                f"grade_id and nnlib.task are {written}, its code says {names}: run `python -m "
                f"nnlib release --tag --exercises {page.parent.parent.relative_to(ROOT)}`"
            )


def name_problems(nb, tasks):
    """Where the three names of each task disagree: its solution cell's ``def``, its check cell's
    ``check("...")`` and its ``Task("...")`` in the checks module, matched in order."""
    in_code = {"solution": [], "check": []}
    for cell in nb.cells:
        role = cell.metadata.get("nnlib", {}).get("role")
        if role in in_code:
            in_code[role].append(task_names(cell)[1])
    places = {
        "the def in its solution cell": in_code["solution"],
        "the check(...) in its check cell": in_code["check"],
        f"the Task(...) in nnlib/course/checks/{nb.metadata['nnlib']['exercise']}.py": [
            task.name for task in tasks
        ],
    }
    problems = []
    for number, names in enumerate(itertools.zip_longest(*places.values()), start=1):
        if len(set(names)) == 1:
            continue
        pairs = list(zip(places, names, strict=True))
        agreed = max(names, key=names.count)
        if agreed and names.count(agreed) == 2:
            wrong = next(place for place, name in pairs if name != agreed)
            advice = f"fix {wrong}: make it {agreed!r}"
        else:
            advice = "give the three one name"
        said = "; ".join(f"{place} says {name!r}" if name else f"{place} is missing"
                         for place, name in pairs)  # fmt: skip
        problems.append(f"task {number}: {said}: {advice}")
    return problems


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_each_task_has_one_name_in_its_def_its_check_and_its_task(source):
    nb = read(source)
    assert name_problems(nb, exercise_tasks(nb)) == []


def test_a_name_that_disagrees_is_found_and_the_place_to_fix_named():
    nb = read(SOURCES[0])
    tasks = exercise_tasks(nb)
    for cell in nb.cells:
        cell.source = cell.source.replace('check("predict_batch")', 'check("predict_btach")')
    assert name_problems(nb, tasks) == [
        "task 2: the def in its solution cell says 'predict_batch'; the check(...) in its check "
        "cell says 'predict_btach'; the Task(...) in nnlib/course/checks/ex01.py says "
        "'predict_batch': fix the check(...) in its check cell: make it 'predict_batch'"
    ]
    extra = replace(tasks[0], name="bias")
    assert name_problems(read(SOURCES[0]), [*tasks, extra]) == [
        "task 5: the def in its solution cell is missing; the check(...) in its check cell is "
        "missing; the Task(...) in nnlib/course/checks/ex01.py says 'bias': give the three one name"
    ]


MISTAKES = [
    pytest.param(task, mistake, id=f"{source.stem}-{task.name}-{mistake.description}")
    for source in ENGLISH_SOURCES
    for task in exercise_tasks(read(source))
    for mistake in task.mistakes
]


@pytest.mark.parametrize(("task", "mistake"), MISTAKES)
def test_planted_mistake_fails_and_every_failing_case_names_it(task, mistake):
    namespace = {}
    exec(mistake.code, namespace)  # as a learner's cell would define it
    results = run_task(task, namespace[task.name])
    report = format_results(task.name, results)
    failing = [r for r in results if not r.passed]
    assert failing, f"{mistake.description} was not caught"
    for result in failing:
        assert mistake.description in result.mistakes, (result.call, result.mistakes)
        assert mistake.description in result.hint
        assert not mistake.hint or mistake.hint in result.hint
    assert mistake.message in report


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_a_cases_hint_is_neutral_advice_about_one_mistake_stays_with_that_mistake(source):
    for task in exercise_tasks(read(source)):
        for mistake in filter(lambda m: m.hint, task.mistakes):
            for case in task.cases:
                assert mistake.hint not in case.hint and case.hint not in mistake.hint, (
                    f"{task.name}: the case hint {case.hint!r} repeats the hint of the mistake "
                    f"{mistake.description!r}, which only that mistake should show"
                )


def exercise(name):
    return importlib.import_module(f"nnlib.course.checks.{name}")


def diagnosis(name, task_name, code, case):
    """What the checks say on one case (numbered from 1) of a learner's ``code``."""
    task = exercise(name).check.tasks[task_name]
    namespace = {}
    exec(code, namespace)
    return run_task(task, namespace[task_name])[case - 1]


# A learner's own way of writing each mistake, not the planted code: the answer gives it away.
LEARNER_MISTAKES = [
    # the examples: each was shown a hint written for another mistake
    ("ex01", "weighted_sum", "import numpy as np\ndef weighted_sum(x, w, b):\n"
     "    return float(np.sum(x * w))\n", 2, "forgot the bias"),
    ("ex03", "gradients", "import numpy as np\ndef gradients(w, b, X, y):\n"
     "    p = 1 / (1 + np.exp(-X.dot(w) - b))\n    e = p - y\n"
     "    return X.T.dot(e), float(e.sum())\n", 3, "missing 1/m"),
    ("ex05", "softmax_cross_entropy_gradient", "import numpy as np\n"
     "def softmax_cross_entropy_gradient(Z, y):\n"
     "    S = Z - np.max(Z, axis=1)[:, None]\n    P = np.exp(S) / np.exp(S).sum(1)[:, None]\n"
     "    return P - np.eye(Z.shape[1])[y]\n", 3, "forgot the 1/n"),
    ("ex05", "sigmoid_backward", "import numpy as np\ndef sigmoid_backward(Z, grad_out):\n"
     "    A = 1 / (1 + np.exp(-Z))\n    return A - A**2\n", 3, "forgot grad_out"),
    # and a few more
    ("ex02", "sigmoid", "import numpy as np\ndef sigmoid(z):\n"
     "    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))\n", 2,
     "naive 1 / (1 + exp(-z)) overflows"),
    ("ex04", "dense_forward", "import numpy as np\ndef dense_forward(X, W, b):\n"
     "    return np.dot(X, W)\n", 2, "forgot the bias"),
    ("ex06", "momentum_step", "def momentum_step(w, v, grad, learning_rate, momentum):\n"
     "    new_v = momentum * v + learning_rate * grad\n    return w + new_v, new_v\n", 1,
     "momentum sign error"),
    ("ex08", "confusion_matrix", "import numpy as np\n"
     "def confusion_matrix(y_true, y_pred, n_classes):\n"
     "    M = np.zeros((n_classes, n_classes))\n    for t, p in zip(y_true, y_pred):\n"
     "        M[p, t] += 1\n    return M\n", 1, "transposed"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "task", "code", "case", "mistake"), LEARNER_MISTAKES)
def test_a_learners_own_version_of_a_mistake_gets_that_mistakes_hint(
    name, task, code, case, mistake
):
    result = diagnosis(name, task, code, case)
    assert not result.passed
    assert result.mistakes == (mistake,)
    planted = next(m for m in exercise(name).check.tasks[task].mistakes if m.description == mistake)
    assert planted.hint in result.hint


def test_an_unknown_mistake_gets_expected_versus_got_and_the_neutral_hint():
    code = "def weighted_sum(x, w, b):\n    return x @ w + 2 * b\n"
    result = diagnosis("ex01", "weighted_sum", code, 2)
    assert result.mistakes == ()
    assert result.reason == "expected 0, got 1"
    assert result.hint == exercise("ex01").weighted_sum.cases[1].hint
    assert "bias" not in result.hint  # no guess at a mistake it cannot see


def test_a_task_that_promises_no_overflow_fails_on_a_warning_with_its_own_hint():
    code = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
    saturated = diagnosis("ex02", "sigmoid", code, 2)
    assert not saturated.passed
    assert saturated.reason == (
        "the values are right, but numpy warned: RuntimeWarning: overflow encountered in exp"
    )
    assert "never overflows" in saturated.hint
    assert diagnosis("ex02", "sigmoid", code, 1).passed  # no warning, no failure


def solved(source):
    """The namespace of a notebook whose every task is solved (the source's solutions)."""
    namespace, errors = run_task_cells(read(source))
    assert not errors
    return namespace


DEPENDENT = [
    pytest.param(source, task, used, mistake, id=f"{source.stem}-{task.name}-{used}-{n}")
    for source in SOURCES
    for task in exercise_tasks(read(source))
    for used in task.uses
    for n, mistake in enumerate(
        next(t for t in exercise_tasks(read(source)) if t.name == used).mistakes
    )
]


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_a_task_declares_exactly_the_earlier_tasks_its_solution_calls(source):
    nb = read(source)
    tasks = exercise_tasks(nb)
    solutions = {
        cell.metadata["nnlib"]["task"]: cell.source
        for cell in nb.cells
        if cell.metadata.get("nnlib", {}).get("role") == "solution"
    }
    for position, task in enumerate(tasks):
        body = solutions[task.name].split(f"def {task.name}(", 1)[1]
        called = tuple(t.name for t in tasks[:position] if re.search(rf"\b{t.name}\(", body))
        assert task.uses == called, f"{task.name} calls {called} but declares uses={task.uses}"


def test_dependent_tasks_are_declared():
    declared = {(p.values[1].name, p.values[2]) for p in DEPENDENT}
    assert {("gradient_descent_step", "gradients"), ("train_step", "dense_backward"),
            ("train_step", "softmax_cross_entropy_gradient"),
            ("sigmoid_prime", "sigmoid")} <= declared  # fmt: skip


@pytest.mark.parametrize(("source", "task", "used", "mistake"), DEPENDENT)
def test_a_right_task_is_never_blamed_for_a_wrong_earlier_task(source, task, used, mistake):
    namespace = solved(source)
    exec(mistake.code, namespace)  # the earlier task is now wrong; the later one is right
    tasks = exercise_tasks(read(source))
    by_name = {t.name: t for t in tasks}
    results = {name: run_task(by_name[name], namespace[name]) for name in (task.name, used)}
    assert not all(r.passed for r in results[used])
    number = [t.name for t in tasks].index(used) + 1
    note = f"task {number}, `{used}`, does not pass yet: fix it first."
    for result in with_dependencies(tasks, results)[task.name]:
        assert result.passed or (note in result.hint and result.mistakes == ())
    # the notebook's own check cell says the same
    namespace["check"] = exercise(read(source).metadata["nnlib"]["exercise"]).check
    report = run_check_cell(namespace, task.name)
    assert "pass." in report.splitlines()[0]
    assert f"all {len(task.cases)} visible checks pass" in report or note in report


def run_check_cell(namespace, name):
    """What the notebook's check cell ``check("name")`` prints, run in ``namespace``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(f"check({name!r})", namespace)
    return out.getvalue()


def test_a_right_step_after_a_wrong_gradient_says_fix_task_3_first():
    source = next(s for s in SOURCES if s.stem.startswith("ex03"))
    namespace = solved(source)
    ex03 = exercise("ex03")
    exec(next(m for m in ex03.gradients.mistakes if m.description == "sign error: y - p").code,
         namespace)  # fmt: skip
    alone = run_task(ex03.gradient_descent_step, namespace["gradient_descent_step"])
    assert all(r.mistakes == ("steps uphill",) for r in alone)  # what it would wrongly blame
    namespace["check"] = ex03.check
    report = run_check_cell(namespace, "gradient_descent_step")
    assert "0 of 2 visible checks pass" in report
    assert report.count("hint: task 3, `gradients`, does not pass yet: fix it first.") == 2
    assert "steps uphill" not in report and "the gradient points uphill" not in report
    # once task 3 is right again, task 4 passes
    namespace.update(solved(source))
    assert "all 2 visible checks pass" in run_check_cell(namespace, "gradient_descent_step")


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
