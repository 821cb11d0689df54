"""The self-check machinery: comparisons, verdicts, stubs and the never-crash promise."""

import numpy as np
import pytest

from nnlib.course.release import strip_solutions
from nnlib.course.selfcheck import (
    NOT_DONE,
    STRICT_ENV,
    Case,
    Checker,
    Task,
    compare,
    format_results,
    run_task,
    short,
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


def test_checker_reports_each_outcome_and_never_raises(capsys):
    # As in a notebook: the learner's function and the check cell share one global namespace.
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
