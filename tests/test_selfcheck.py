"""The self-check machinery: comparisons, verdicts, stubs, the never-crash promise in a learner's
session and the fail-safe raise everywhere else."""

import os

import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel

from nnlib.course.release import strip_solutions
from nnlib.course.selfcheck import (
    NBGRADER_ENV,
    NOT_DONE,
    SESSION_ENV,
    STRICT_ENV,
    Case,
    Checker,
    CheckFailedError,
    Task,
    compare,
    format_results,
    run_task,
    short,
    strict_checks,
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
        "  ❌ case 1: hidden test 1",
        "       wrong (its inputs and expected output are hidden)",
        "       hint: square each entry",
    ]
    assert shown == printed.splitlines() and str(raised.value) == printed.strip()
    monkeypatch.setenv(STRICT_ENV, "0")
    Checker([SQUARE])("square", lambda x: 1 / 0, cases=secret[:1] * 2)
    assert "raised ZeroDivisionError (its inputs" in capsys.readouterr().out
    Checker([SQUARE])("square", np.square, cases=secret[:1])
    passed = "square: all 1 hidden tests pass.\n  ✅ case 1: hidden test 1\n"
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
