"""The self-check machinery: comparisons, verdicts, stubs, the never-crash promise in a learner's
session and the fail-safe raise everywhere else."""

import importlib
import os
import sys

import nbformat
import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel

from conftest import ROOT
from nnlib.course.grade import grade as grade_class
from nnlib.course.release import strip_solutions
from nnlib.course.sandbox import Limits
from nnlib.course.selfcheck import (
    FAIL_MARK,
    NBGRADER_ENV,
    NOT_DONE,
    PASS_MARK,
    SESSION_ENV,
    STRICT_ENV,
    Case,
    Checker,
    CheckFailedError,
    Mistake,
    Outcome,
    Task,
    call_case,
    compare,
    diagnose,
    format_results,
    run_task,
    short,
    strict_checks,
    with_dependencies,
)


@pytest.mark.parametrize(
    ("got", "expected", "why"),
    [
        (np.array([1.0, 2.0]), np.array([1.0, 2.0]), None),
        (np.array([1.0, 2.0 + 1e-9]), np.array([1.0, 2.0]), None),
        (np.array([[1.0], [2.0]]), np.array([1.0, 2.0]), "expected shape (2,), got shape (2, 1)"),
        (np.array([np.nan]), np.array([np.nan]), "contains NaN"),
        (None, 1.0, "forget to `return`"),
        ("abc", 1.0, "not a number or array"),
        ((1.0,), (1.0, 2.0), "a tuple of 2 values"),
        ((1.0, 3.0), (1.0, 2.0), "item 1 of the tuple: expected 2, got 3"),
        (3, 3.0, None),
    ],
)
def test_compare(got, expected, why):
    reason = compare(got, expected)
    assert (reason is None) if why is None else (why in reason)


def test_always_true_eq_does_not_fool_compare():
    class Liar:
        def __eq__(self, other):
            return True

    assert compare(Liar(), 1.0) is not None


SQUARE = Task("square", [Case(dict(x=np.array([1.0, -2.0])), expected=np.array([1.0, 4.0]))])


def test_checker_reports_each_outcome_and_never_raises_when_told_not_to(monkeypatch, capsys):
    # As in a notebook: the learner's function and the check cell share one global namespace.
    monkeypatch.setenv(STRICT_ENV, "0")
    notebook = {"check": Checker([SQUARE])}
    attempts = [
        ("def square(x):\n    raise NotImplementedError()\n", "not done yet"),
        ("def square(x):\n    return x * 2\n", "0 of 1 visible checks pass"),
        ("def square(x):\n    return x ** 2\n", "all 1 visible checks pass"),
    ]
    for attempt, verdict in attempts:
        exec(attempt, notebook)
        assert exec('check("square")', notebook) is None
        assert verdict in capsys.readouterr().out
    exec('check("cube")', notebook)
    assert "no task called 'cube'" in capsys.readouterr().out


THROWAWAY_CHECKS = """
import numpy as np

from nnlib.course.selfcheck import Case, Checker, Task

double = Task("double", [Case(dict(x=np.array([1.0, -2.0])), expected=np.array([2.0, -4.0]))])
LIMIT = 3  # not a task
negate = Task("negate", [Case(dict(x=np.array([1.0, -2.0])), expected=np.array([-1.0, 2.0]))])
{more}
check = Checker.of_module(__name__)
"""


def import_checks(tmp_path, monkeypatch, name, more=""):
    """Import a throwaway checks module, written as ``nnlib/course/checks/exNN.py`` are."""
    (tmp_path / f"{name}.py").write_text(THROWAWAY_CHECKS.format(more=more))
    monkeypatch.syspath_prepend(tmp_path)
    try:
        return importlib.import_module(name)
    finally:
        sys.modules.pop(name, None)


def test_a_task_is_registered_by_being_defined_in_its_checks_module(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(STRICT_ENV, "0")
    module = import_checks(tmp_path, monkeypatch, "throwaway_checks")
    assert list(module.check.tasks) == ["double", "negate"]  # in the order they are defined
    module.check("negate", lambda x: -x)
    assert "all 1 visible checks pass" in capsys.readouterr().out
    module.check("double", lambda x: x + 2)
    assert "0 of 1 visible checks pass" in capsys.readouterr().out


def test_two_tasks_with_one_name_are_refused(tmp_path, monkeypatch):
    twin = 'twin = Task("double", [])'
    with pytest.raises(ValueError, match="two tasks are named 'double': each task of an"):
        import_checks(tmp_path, monkeypatch, "throwaway_twin_checks", more=twin)


def test_checker_reports_an_undefined_function():
    results = run_task(SQUARE, None)
    assert "not defined yet" in results[0].reason


def test_strict_mode_raises_for_nbgrader(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="0 of 1"):
        Checker([SQUARE])("square", lambda x: x)
    Checker([SQUARE])("square", lambda x: x * x)


@pytest.mark.parametrize(
    ("environment", "strict"),
    [
        ({}, True),  # a script, nbconvert, nbclient: no Jupyter server started this
        ({SESSION_ENV: "ex01.ipynb"}, True),  # a server's kernel, but no frontend sent this cell
        ({STRICT_ENV: "0"}, False),
        ({SESSION_ENV: "ex01.ipynb", STRICT_ENV: "1"}, True),
        ({NBGRADER_ENV: "autograde", STRICT_ENV: "0"}, True),  # nbgrader is always strict
        ({NBGRADER_ENV: "validate"}, True),
        ({STRICT_ENV: "yes"}, True),  # not 0 or 1: the safe default
    ],
)
def test_checks_are_strict_unless_in_a_learners_session(environment, strict):
    assert strict_checks(environment) is strict


def test_the_environment_is_read_before_any_answer_cell_runs(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)
    check = Checker([SQUARE])  # the exercise's locked setup cell
    os.environ[STRICT_ENV] = "0"  # a learner's answer cell
    with pytest.raises(CheckFailedError, match="0 of 1"):
        check("square", lambda x: x)


def run_in_kernel(client, code: str, allow_stdin: bool) -> list[dict]:
    """Run ``code`` in the kernel as a frontend would; return the outputs it sent."""
    outputs = []
    client.execute_interactive(
        code, allow_stdin=allow_stdin, output_hook=lambda m: outputs.append(m), timeout=60
    )
    return [m for m in outputs if m["msg_type"] in ("stream", "error")]


def test_a_real_kernel_raises_unless_a_frontend_like_jupyterlab_runs_the_cell(monkeypatch):
    """JupyterLab's server starts the kernel with JPY_SESSION_NAME and sends cells with
    allow_stdin; nbclient (nbgrader, nbconvert) and nbval send allow_stdin=False."""
    monkeypatch.delenv(STRICT_ENV, raising=False)
    monkeypatch.setenv(SESSION_ENV, "exercises/ex01_single_neuron.ipynb")
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        setup = "from nnlib.course.checks.ex01 import check\ndef weighted_sum(x, w, b):\n"
        run_in_kernel(client, setup + "    raise NotImplementedError()", allow_stdin=True)
        learner = run_in_kernel(client, 'check("weighted_sum")', allow_stdin=True)
        assert [m["msg_type"] for m in learner] == ["stream"]
        assert "not done yet" in learner[0]["content"]["text"]
        batch = run_in_kernel(client, 'check("weighted_sum")', allow_stdin=False)
        errors = [m["content"] for m in batch if m["msg_type"] == "error"]
        assert [e["ename"] for e in errors] == ["CheckFailedError"]
        assert errors[0]["traceback"] == ["weighted_sum: not done yet. Replace "
                                          "`raise NotImplementedError()` with your code."]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_hidden_cases_say_only_pass_or_fail(monkeypatch, capsys):
    secret = [Case(dict(x=np.array([1234.5, -0.0678])), expected=np.array([1523990.25, 0.00459684]),
                   hint="square each entry")]  # fmt: skip
    monkeypatch.setenv(STRICT_ENV, "0")
    Checker([SQUARE])("square", lambda x: x + 1, cases=secret)
    printed = capsys.readouterr().out
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(CheckFailedError) as raised:
        Checker([SQUARE])("square", lambda x: x + 1, cases=secret)
    shown = raised.value._render_traceback_()
    assert printed.splitlines() == [
        "square: 0 of 1 hidden tests pass.",
        f"  {FAIL_MARK} case 1: hidden test 1",
        "       wrong (its inputs and expected output are hidden)",
        "       hint: square each entry",
    ]
    assert shown == printed.splitlines() and str(raised.value) == printed.strip()
    monkeypatch.setenv(STRICT_ENV, "0")
    Checker([SQUARE])("square", lambda x: 1 / 0, cases=secret[:1] * 2)
    assert "raised ZeroDivisionError (its inputs" in capsys.readouterr().out
    Checker([SQUARE])("square", np.square, cases=secret[:1])
    passed = f"square: all 1 hidden tests pass.\n  {PASS_MARK} case 1: hidden test 1\n"
    assert capsys.readouterr().out == passed


def test_learner_exceptions_become_verdicts():
    results = run_task(SQUARE, lambda x: 1 / 0)
    assert results[0].reason == "raised ZeroDivisionError: division by zero"
    results = run_task(SQUARE, lambda: None)
    assert "raised TypeError" in results[0].reason
    assert run_task(SQUARE, lambda x: (_ for _ in ()).throw(NotImplementedError()))[0].reason == (
        NOT_DONE
    )


def test_a_warning_is_shown_beside_the_failing_case_only():
    def naive_exp_square(x):
        np.exp(np.float32(1000.0))  # overflows, with a RuntimeWarning
        return x * x

    def warns_and_is_wrong(x):
        return np.exp(np.float32(1000.0)) * x

    passing = run_task(SQUARE, naive_exp_square)[0]
    assert passing.passed and passing.warning == ""
    failing = run_task(SQUARE, warns_and_is_wrong)[0]
    assert not failing.passed
    assert failing.warning == "RuntimeWarning: overflow encountered in exp"
    report = format_results("square", [failing])
    assert "while it ran, Python warned: RuntimeWarning: overflow encountered in exp" in report


def test_bytes_read_as_hex_that_python_takes_back():
    raw = b"\x00\x00\x08\x01\x00\x00'\x10"
    text = short(raw)
    assert text == 'bytes.fromhex("00 00 08 01 00 00 27 10")'
    assert eval(text) == raw


def test_strip_solutions_keeps_indentation_and_drops_hidden_tests():
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION\n"
        "    return x + 1\n"
        "    ### END SOLUTION\n"
        "check('f')\n"
        "### BEGIN HIDDEN TESTS\n"
        "assert f(1) == 2\n"
        "### END HIDDEN TESTS\n"
    )
    assert strip_solutions(source) == (
        "def f(x):\n"
        '    """Doc."""\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()\n"
        "check('f')\n"
    )


# `halve` has three planted mistakes; the cases are chosen so that each gives its own answer.
HALVE = Task(
    "halve",
    [
        Case(dict(x=np.array([2.0, 4.0])), expected=np.array([1.0, 2.0]), hint="(2, 4) / 2"),
        Case(dict(x=np.array([0.0, 0.0])), expected=np.array([0.0, 0.0]), hint="(0, 0) / 2"),
    ],
    mistakes=[
        Mistake("doubles", "def halve(x):\n    return x * 2\n", "", hint="Divide, not multiply."),
        Mistake("zero over zero", "def halve(x):\n    return x / x\n", "", hint="x / x is NaN."),
        Mistake("in place", "def halve(x):\n    x /= 2\n    return x\n", "", hint="A copy."),
    ],
)


@pytest.mark.parametrize(
    ("learner", "case", "named"),
    [
        (lambda x: 2.0 * x, 0, ("doubles",)),  # the same answer, computed another way
        (lambda x: 2.0 * x, 1, ()),  # passes: nothing to diagnose
        (lambda x: np.ones(2), 0, ("zero over zero",)),  # x / x is (1, 1) on this case
        (lambda x: np.full(2, np.nan), 1, ("zero over zero",)),  # NaN matches NaN
        (lambda x: x.__itruediv__(2), 0, ("in place",)),  # the same argument changed in place
        (lambda x: x + 1, 0, ()),  # no known mistake gives (3, 5)
        (lambda x: 1 / 0, 0, ()),  # an error no mistake raises
    ],
)
def test_a_failing_case_names_only_the_mistakes_that_give_that_answer(learner, case, named):
    result = diagnose(HALVE, HALVE.cases[case], call_case(learner, HALVE.cases[case].args))
    assert result.mistakes == named
    if named:
        assert result.hint.startswith(f"your answer is exactly what this mistake gives: {named[0]}")
    elif not result.passed:
        assert result.hint == HALVE.cases[case].hint  # the neutral hint


def test_the_diagnosis_is_made_from_data_as_the_grader_receives_it():
    # In the grader only the outcome comes out of the kernel, as data; the mistakes run outside.
    outcome = Outcome(value=[4.0, 8.0])
    result = diagnose(HALVE, HALVE.cases[0], outcome)
    assert result.mistakes == ("doubles",) and "Divide, not multiply." in result.hint


def test_a_task_that_uses_a_failing_one_says_fix_it_first():
    first, second = Task("first", []), Task("second", [], uses=("first",))
    results = {
        "first": run_task(SQUARE, lambda x: x),
        "second": run_task(HALVE, lambda x: x * 2) + run_task(HALVE, lambda x: x / 2)[:1],
    }
    out = with_dependencies([first, second], results)
    note = "task 1, `first`, does not pass yet: fix it first."
    assert [r.hint.startswith(note) for r in out["second"]] == [True, False, False]
    assert out["second"][0].mistakes == ()  # its own mistakes are not blamed
    assert out["first"] == results["first"]
    results["first"] = run_task(SQUARE, lambda x: x * x)
    assert with_dependencies([first, second], results) == results
    assert (
        with_dependencies([first, second], {"second": results["second"]})["second"]
        == (results["second"])
    )


def test_a_right_task_calling_an_unfinished_one_is_told_so(capsys):
    checker = Checker([Task("first", SQUARE.cases), Task("second", SQUARE.cases, uses=("first",))])
    notebook = {"check": checker}
    exec("def first(x):\n    raise NotImplementedError()\n", notebook)
    exec("def second(x):\n    return first(x)\n", notebook)
    exec('check("second")', notebook)
    out = capsys.readouterr().out
    assert out.startswith("second: not done yet.")
    assert "task 1, `first`, does not pass yet: fix it first." in out


def test_verdict_marks_are_in_common_fonts_not_emoji():
    report = format_results("square", run_task(SQUARE, lambda x: x * x) + run_task(SQUARE, abs))
    assert (PASS_MARK, FAIL_MARK) == ("\u2713", "\u2717")  # CHECK MARK, BALLOT X: DejaVu has both
    assert f"  {PASS_MARK} case 1" in report and f"  {FAIL_MARK} case 2" in report
    assert not any(ord(ch) > 0x2BFF for ch in report)  # nothing from the emoji planes


def test_the_grader_diagnoses_in_its_own_process(tmp_path):
    """`nnlib grade`: outcomes leave the sandboxed kernel as data; mistakes are named outside."""
    source = ROOT / "exercises" / "source" / "ex03_loss_and_gradient_descent.ipynb"
    nb = nbformat.read(source, as_version=4)
    wrong = {
        "mse": "def mse(y_pred, y_true):\n    return float(((y_pred - y_true) ** 2).sum()) / 2\n",
        "gradients": "def gradients(w, b, X, y):\n    p = sigmoid(X @ w + b)\n"
        "    return X.T @ (y - p) / len(X), float(np.mean(y - p))\n",
    }
    for cell in nb.cells:
        task = cell.metadata.get("nnlib", {}).get("task")
        if cell.metadata.get("nnlib", {}).get("role") == "solution" and task in wrong:
            cell.source = wrong[task]
    (tmp_path / "learner").mkdir()
    nbformat.write(nb, tmp_path / "learner" / source.name)
    limits = Limits(cell_timeout=20, total_timeout=120, memory_mb=2048, output_mb=2, grace=2)
    (grade,) = grade_class(source, [tmp_path / "learner"], tmp_path / "out", limits,
                           report=lambda line: None, partial_credit=True).grades  # fmt: skip
    reports = {task.name: task.report() for task in grade.tasks}
    assert "this mistake gives: no 1/n: sums over the samples" in reports["mse"]
    assert "this mistake gives: sign error: y - p" in reports["gradients"]
    note = "task 3, `gradients`, does not pass yet: fix it first."
    assert note in reports["gradient_descent_step"]
    assert "steps uphill" not in reports["gradient_descent_step"]
    assert [task.score for task in grade.tasks] == [0.33, 2, 0, 0]  # mse passes case 3 only
    assert grade.status == "ok", grade.notes
