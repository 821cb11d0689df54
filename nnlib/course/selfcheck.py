"""Exercise self-checks: run a learner's function on visible cases and say, case by case, why.

Every exercise task is a function the learner completes. Its checks are data, kept in
``nnlib/course/checks/exNN.py``: the inputs, the hand-computed expected output (or a property to
verify) and a hint that points at the usual mistake. A check cell in the notebook is one line,
``check("weighted_sum")``; in a learner's JupyterLab it prints a verdict per case and never
raises, so the notebook keeps running whatever state the task is in. Anywhere else (nbgrader's
autograder, ``nbgrader validate``, nbconvert, a script) a failing check raises, so that a grader
that scores a cell by whether it raises cannot give a blank notebook full marks: see
:func:`strict_checks`.

Checking a case has two halves. :func:`call_case` calls the learner's function and records what
happened (a value, an exception, an argument changed in place) as an :class:`Outcome`;
:func:`diagnose` turns an outcome into a verdict: :func:`judge` compares it with the expected value
(or the case's ``verify``), and a wrong answer is then matched against the task's planted
mistakes (:class:`Mistake`), run on the same case, so that the hint shown is the one for the
mistake the learner made, or a neutral one when no known mistake gives that answer. In a
notebook both halves run in the learner's kernel. The batch grader (``nnlib.course.grade``) runs
only :func:`call_case` in the kernel, brings the outcome out as data, and diagnoses it in its own
process, where the expected values and the mistakes are: a learner's code never sees them.

A task that calls an earlier one (``Task.uses``) cannot pass while the earlier one is wrong; its
failing cases then say so (:func:`with_dependencies`) instead of blaming the later task.

Verdicts speak the learner's language (:mod:`nnlib.course.i18n`): the wording here is wrapped in
``_()``, and the hints and mistake names of the checks, marked ``N_()`` where they are defined,
are translated when a verdict is made, so English stays the data and the catalog's key.
"""

from __future__ import annotations

import copy
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from nnlib.course.i18n import N_, _

STRICT_ENV = "NNLIB_STRICT_CHECKS"
NBGRADER_ENV = "NBGRADER_EXECUTION"  # nbgrader sets it while it autogrades or validates
SESSION_ENV = "JPY_SESSION_NAME"  # jupyter_server sets it in a kernel it starts for a notebook
# The reason of a case whose function still raises NotImplementedError: kept in English in a
# CaseResult (the grader and `nnlib progress` recognise it), translated when shown.
NOT_DONE = N_("not done yet: replace `raise NotImplementedError()` with your code")


@dataclass(frozen=True)
class Case:
    """One visible test of a task.

    Parameters
    ----------
    args : dict
        The arguments, by name, in the order of the task's signature. They are passed
        positionally, so a learner who renames a parameter is still checked.
    expected : object, optional
        The hand-computed result: a number, an array or a tuple of them.
    verify : callable, optional
        ``verify(result, **args) -> str | None``, for tasks with many right answers (any weights
        that compute NAND): returns why ``result`` is wrong, or None when it is right. It sees
        only the returned data and the arguments, never the learner's functions: the grader
        calls it in its own process on the result brought out of the learner's kernel.
    hint : str
        Shown when the case fails and no planted mistake gives the learner's answer: a neutral
        hint, true whatever went wrong (what the case checks, how its answer is worked out).
        Hints about one particular mistake belong to that :class:`Mistake`. Written
        ``N_("...")``, like every text of a check a learner is shown, so that the catalogs hold
        it (:mod:`nnlib.course.i18n`; ``tests/test_i18n.py`` checks).
    rtol, atol : float
        Tolerances of the comparison with ``expected``.
    """

    args: dict
    expected: object = None
    verify: Callable | None = None
    hint: str = ""
    rtol: float = 1e-5
    atol: float = 1e-8


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: the checks must catch it, and recognise it when a learner makes it.

    Parameters
    ----------
    description : str
        The mistake in a few words, shown to the learner (``N_("forgot the bias")``).
    code : str
        Self-contained Python defining the task's function with that mistake (it may import
        numpy, never call the learner's other functions). On a failing case the checks run it
        on the same arguments: when it gives the learner's answer, the verdict names the mistake
        and shows its ``hint``.
    message : str
        A piece of the English failing verdict (the test suite checks it is there; not shown).
    hint : str
        What is wrong and how to fix it, for a learner whose answer is this mistake's (without
        one, the case's hint is shown beside the mistake's name); ``N_("...")`` too.
    """

    description: str
    code: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Task:
    """A function the learner completes, with its visible cases and planted mistakes.

    ``uses`` names the earlier tasks of the exercise that this task's function calls (a
    gradient-descent step calls the task that computes the gradient). ``warning_hint``, when
    set, is the task's promise that numpy never warns (no overflow, no logarithm of 0): a case
    on which the function makes numpy warn fails, with this hint, even when its values are
    right.
    """

    name: str
    cases: list[Case]
    mistakes: list[Mistake] = field(default_factory=list)
    uses: tuple[str, ...] = ()
    warning_hint: str = ""


@dataclass(frozen=True)
class Outcome:
    """What calling the learner's function on one case did, as plain data.

    Exactly one of these describes it: ``not_done`` (it raised ``NotImplementedError``),
    ``error`` (``"TypeError: ..."``, it raised something else), ``mutated`` (the name of an
    argument it changed in place), or else it returned ``value``. ``warning`` is the first
    warning the call gave, if any (``"RuntimeWarning: overflow encountered in exp"``): next to a
    wrong result it is often the best clue to the mistake.
    """

    value: object = None
    error: str = ""
    not_done: bool = False
    mutated: str = ""
    warning: str = ""


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case: ``passed`` and, when it failed, the reason (and any warning the
    learner's function gave on the way, see :class:`Outcome`). ``mistakes`` names the planted
    mistakes that give the learner's answer, whose hints ``hint`` holds; ``error`` is the type of
    what the function raised, if it raised."""

    call: str
    passed: bool
    reason: str = ""
    hint: str = ""
    warning: str = ""
    mistakes: tuple[str, ...] = ()
    error: str = ""


def short(value) -> str:
    """A one-line rendering of a value: arrays as lists, floats to 6 significant digits, bytes in
    hex."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, threshold=20, separator=", ")
        return " ".join(text.split())
    if isinstance(value, (tuple, list)):
        inner = ", ".join(short(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    # bytes in hex, as chapter 07 reads an IDX header, in a form Python takes back
    text = f'bytes.fromhex("{value.hex(" ")}")' if isinstance(value, bytes) else repr(value)
    return text if len(text) < 200 else text[:200] + "..."


def describe(value) -> str:
    """Like :func:`short`, with the shape of arrays, for expected-versus-got feedback."""
    if isinstance(value, np.ndarray):
        return _("{value} (shape {shape})").format(value=short(value), shape=value.shape)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return short(value)


def _as_numbers(value) -> np.ndarray | None:
    """``value`` as a float64 array, or None when it does not hold real numbers.

    Strings, objects, complex numbers and arrays of dtype object are not numbers, even when numpy
    could convert them: ``"0.5"`` is not the answer 0.5.
    """
    if isinstance(value, (str, bytes)):
        return None
    try:
        array = np.asarray(value)
    except Exception:  # a ragged list, or an object that refuses to become an array
        return None
    if array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64)


def compare(got, expected, *, rtol: float = 1e-5, atol: float = 1e-8) -> str | None:
    """Say why ``got`` is not ``expected``, or return None when they agree.

    Numbers and arrays must hold real numbers (not strings or objects), have the expected shape
    (no broadcasting: a ``(3, 1)`` answer is not a ``(3,)`` answer), and agree within
    ``rtol``/``atol``; NaN is never equal to anything. Tuples are compared item by item.
    """
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return _("expected a tuple of {n} values, got {got}").format(
                n=len(expected), got=describe(got)
            )
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            reason = compare(g, e, rtol=rtol, atol=atol)
            if reason:
                return _("item {i} of the tuple: {reason}").format(i=i, reason=reason)
        return None
    if got is None:
        return _("got None: did you forget to `return` the result?")
    want = np.asarray(expected, dtype=np.float64)
    have = _as_numbers(got)
    if have is None:
        return _(
            "expected {expected}, got {got}, which is not a number or array of numbers"
        ).format(expected=describe(expected), got=describe(got))
    if have.shape != want.shape:
        return _("expected shape {want}, got shape {have}: expected {expected}, got {got}").format(
            want=want.shape, have=have.shape, expected=describe(expected), got=describe(got)
        )
    if np.isnan(have).any():
        return _("the result contains NaN: expected {expected}, got {got}").format(
            expected=describe(expected), got=describe(got)
        )
    if not np.allclose(have, want, rtol=rtol, atol=atol):
        return _("expected {expected}, got {got}").format(
            expected=describe(expected), got=describe(got)
        )
    return None


def call_text(name: str, args: dict) -> str:
    """How a case reads in a verdict: ``weighted_sum(x=[1, 0.5], w=[0.8, -0.4], b=-0.1)``."""
    inner = ", ".join(f"{key}={short(value)}" for key, value in args.items())
    return f"{name}({inner})"


def error_text(error: BaseException) -> str:
    """``"TypeError: message"`` for an exception, even one whose message itself fails."""
    try:
        message = str(error)
    except Exception:
        message = _("(its message could not be shown)")
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def call_case(function: Callable, args: dict) -> Outcome:
    """Call ``function`` on a copy of ``args`` (positionally) and record what it did.

    Any exception becomes data, ``sys.exit()`` included; only ``KeyboardInterrupt`` goes
    through, so that a kernel can still be interrupted. Warnings are recorded rather than
    printed, so the verdict can show them beside the case they belong to.
    """
    copies = copy.deepcopy(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*copies.values())
        except NotImplementedError:
            return Outcome(not_done=True)
        except (Exception, SystemExit) as error:  # a learner's bug is feedback, not a crash
            return Outcome(error=error_text(error), warning=_first_warning(caught))
    warning = _first_warning(caught)
    for key, original in args.items():
        if isinstance(original, np.ndarray) and not np.array_equal(copies[key], original):
            return Outcome(mutated=key, warning=warning)
    return Outcome(value=value, warning=warning)


def _first_warning(caught: list[warnings.WarningMessage]) -> str:
    """``"RuntimeWarning: overflow encountered in exp"`` for the first warning, or ``""``."""
    if not caught:
        return ""
    return error_text(caught[0].message)


def judge(name: str, case: Case, outcome: Outcome) -> CaseResult:
    """The verdict on one case of task ``name``, from what the learner's function did."""
    call = call_text(name, case.args)
    if outcome.not_done:
        return CaseResult(call, False, NOT_DONE)
    if outcome.error:
        reason = _("raised {error}").format(error=outcome.error)
    elif outcome.mutated:
        reason = _("changed its argument `{name}` in place; return a new value instead").format(
            name=outcome.mutated
        )
    else:
        try:
            if case.verify is not None:
                reason = case.verify(outcome.value, **case.args)
            else:
                reason = compare(outcome.value, case.expected, rtol=case.rtol, atol=case.atol)
        except Exception as error:  # an answer so odd that the check itself tripped over it
            reason = _("the result could not be checked ({error}): got {got}").format(
                error=error_text(error), got=describe(outcome.value)
            )
    if reason is None:
        return CaseResult(call, True)
    error = outcome.error.partition(":")[0] if outcome.error else ""
    return CaseResult(call, False, reason, _(case.hint), outcome.warning, error=error)


def _warned_reason(warning: str) -> str:
    """Why a case with right values fails a task that promises no warning."""
    return _("the values are right, but numpy warned: {warning}").format(warning=warning)


def _kept_promise(task: Task, case: Case, outcome: Outcome) -> CaseResult:
    """:func:`judge`, and a task that promises no warning fails a case on which numpy warned."""
    result = judge(task.name, case, outcome)
    if result.passed and task.warning_hint and outcome.warning:
        reason = _warned_reason(outcome.warning)
        return CaseResult(result.call, False, reason, _(task.warning_hint), outcome.warning)
    return result


def _same_value(got, want, rtol: float, atol: float) -> bool:
    """Whether two answers are the same: numbers within the tolerances (NaN matching NaN and
    inf matching inf, since a mistake's NaN is part of its answer), other data exactly."""
    if isinstance(want, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(want)
            and all(_same_value(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
        )
    if want is None or isinstance(want, (str, bytes, bytearray)):
        return type(got) is type(want) and got == want
    have, expected = _as_numbers(got), _as_numbers(want)
    if have is None or expected is None or have.shape != expected.shape:
        return False
    return bool(np.allclose(have, expected, rtol=rtol, atol=atol, equal_nan=True))


def _same_outcome(got: Outcome, want: Outcome, case: Case, warned: bool) -> bool:
    """Whether the learner's outcome is the mistake's: the same error, the same argument changed
    in place, or the same value (and, for a case failed by a warning, the same warning)."""
    if got.error or want.error or got.mutated or want.mutated:
        return (got.error, got.mutated) == (want.error, want.mutated)
    if warned and got.warning != want.warning:
        return False
    return _same_value(got.value, want.value, case.rtol, case.atol)


_MISTAKE_FUNCTIONS: dict[tuple[str, str], Callable] = {}


def _mistake_function(task: Task, mistake: Mistake) -> Callable:
    """The planted mistake's function, defined once from its code in a namespace of its own."""
    key = (task.name, mistake.code)
    if key not in _MISTAKE_FUNCTIONS:
        namespace: dict = {"__name__": f"mistake of {task.name}"}
        exec(compile(mistake.code, f"<mistake: {mistake.description}>", "exec"), namespace)
        _MISTAKE_FUNCTIONS[key] = namespace[task.name]
    return _MISTAKE_FUNCTIONS[key]


def diagnose(task: Task, case: Case, outcome: Outcome) -> CaseResult:
    """The verdict on one case of ``task``, naming the planted mistake that gives this answer.

    A wrong answer is compared with what each of the task's planted :class:`Mistake` gives on the
    same case (their code runs here, on a copy of the arguments: in the grader, in the grader's
    process). When some give the learner's answer, and fail the case too, the verdict names them
    and shows their hints; otherwise it keeps the case's neutral hint. Only a hint that fits what
    happened is shown.
    """
    result = _kept_promise(task, case, outcome)
    if result.passed or outcome.not_done:
        return result
    warned = result.reason == _warned_reason(outcome.warning)
    matches = []
    for mistake in task.mistakes:
        planted = call_case(_mistake_function(task, mistake), case.args)
        if not _kept_promise(task, case, planted).passed and _same_outcome(
            outcome, planted, case, warned
        ):
            matches.append(mistake)
    if not matches:
        return result
    names = _(" or ").join(_(m.description) for m in matches)
    hints = " ".join(dict.fromkeys(_(m.hint or case.hint) for m in matches))
    hint = _("your answer is exactly what this mistake gives: {names}. {hints}").format(
        names=names, hints=hints
    )
    hint = hint.strip()
    return replace(result, hint=hint, mistakes=tuple(m.description for m in matches))


def missing_function(name: str, function) -> str | None:
    """Why ``function`` cannot be checked as task ``name`` (None when it is callable)."""
    if function is None:
        return _("`{name}` is not defined yet: run the cell that defines it first").format(
            name=name
        )
    if not callable(function):
        return _("`{name}` should be a function, but it is {value}").format(
            name=name, value=describe(function)
        )
    return None


def run_task(task: Task, function) -> list[CaseResult]:
    """Diagnose every case of ``task``; ``function`` may be missing or not callable."""
    reason = missing_function(task.name, function)
    if reason:
        return [CaseResult(call_text(task.name, case.args), False, reason) for case in task.cases]
    return [diagnose(task, case, call_case(function, case.args)) for case in task.cases]


def with_dependencies(
    tasks: list[Task], results: dict[str, list[CaseResult]]
) -> dict[str, list[CaseResult]]:
    """``results`` (task name -> verdicts), where a task that calls a failing earlier task says so.

    A later task that calls an earlier, wrong one fails however right it is itself, and a
    hint about its own mistakes would mislead: its failing cases get, as their hint, "task 3,
    `gradients`, does not pass yet: fix it first". ``tasks`` are the exercise's, in order;
    a task that ``uses`` one missing from ``results`` is left as it is.
    """
    order = [task.name for task in tasks]
    out = dict(results)
    for task in tasks:
        failing = [
            name
            for name in task.uses
            if name in results and not all(r.passed for r in results[name])
        ]
        if task.name not in results or not failing:
            continue
        first = failing[0]
        note = _(
            "task {number}, `{first}`, does not pass yet: fix it first. "
            "`{name}` calls it, so a mistake there shows up here too."
        ).format(number=order.index(first) + 1, first=first, name=task.name)
        out[task.name] = [
            r if r.passed else replace(r, hint=note, mistakes=()) for r in results[task.name]
        ]
    return out


VISIBLE_NOTE = N_("(The graded tests may hold more cases than these visible checks.)")
# what format_results may call the cases (the grader's feedback calls them "tests")
WHAT = (N_("visible checks"), N_("tests"), N_("hidden tests"))
WRONG = N_("wrong")  # why a hidden test failed that neither raised nor changed its arguments
# Marks that common fonts have (DejaVu Sans Mono has both): emoji such as U+2705 show as empty
# boxes on a machine without an emoji font (tests/browser checks that these do not).
PASS_MARK, FAIL_MARK = "\u2713", "\u2717"


def format_results(
    name: str, results: list[CaseResult], what: str = "visible checks", note: str = VISIBLE_NOTE
) -> str:
    """The learner-facing report: a summary, then one line per case (``what`` names them), in
    the current language (``what`` and ``note`` too, when the catalog has them)."""
    hint_line = _("hint: {hint}")
    if results and all(r.reason == NOT_DONE for r in results):
        first = _("{name}: not done yet. Replace `raise NotImplementedError()` with your code.")
        hint = [f"  {hint_line.format(hint=results[0].hint)}"] if results[0].hint else []
        return "\n".join([first.format(name=name), *hint])
    lines = []
    for i, result in enumerate(results, start=1):
        case = _("case {i}: {call}").format(i=i, call=result.call)
        if result.passed:
            lines.append(f"  {PASS_MARK} {case}")
        else:
            reason = _(NOT_DONE) if result.reason == NOT_DONE else result.reason
            lines.append(f"  {FAIL_MARK} {case}\n       {reason}")
            if result.warning:
                warned = _("while it ran, Python warned: {warning}")
                lines.append(f"       {warned.format(warning=result.warning)}")
            if result.hint:
                lines.append(f"       {hint_line.format(hint=result.hint)}")
    passed = sum(r.passed for r in results)
    if passed == len(results):
        verdict = _("{name}: all {total} {what} pass.")
    else:
        verdict = _("{name}: {passed} of {total} {what} pass.")
    verdict = verdict.format(name=name, passed=passed, total=len(results), what=_(what))
    return "\n".join([verdict, *lines, *([_(note)] if note else [])])


def hidden_call(number: int) -> str:
    """How hidden test ``number`` reads in a verdict, in place of its call."""
    return _("hidden test {number}").format(number=number)


def hidden_failure(number: int, why: str, hint: str) -> CaseResult:
    """A failed hidden test's verdict: ``why`` it failed (already translated), and ``hint``."""
    hidden = _("{why} (its inputs and expected output are hidden)").format(why=why)
    return CaseResult(hidden_call(number), False, hidden, hint)


def hidden_verdict(number: int, verdict: CaseResult) -> CaseResult:
    """A hidden test's verdict that tells pass or fail and nothing of the test itself.

    Its inputs, expected value and the learner's wrong result stay out: only "not done",
    the type of an exception the function raised, or "wrong", and the verdict's hint (the
    diagnosed mistake's, else the instructor's for the case).
    """
    if verdict.passed:
        return CaseResult(hidden_call(number), True)
    if verdict.reason == NOT_DONE:
        return CaseResult(hidden_call(number), False, NOT_DONE)
    why = _("raised {error}").format(error=verdict.error) if verdict.error else _(WRONG)
    return hidden_failure(number, why, verdict.hint)


def strict_checks(environment: Mapping[str, str] | None = None) -> bool:
    """Whether a failing check must raise, rather than only print its verdict.

    A grader that runs the notebook's cells (nbgrader's autograder) scores a check cell by
    whether it raises, so a check that only prints would give every learner full marks. The safe
    default is therefore to raise, except in a learner's interactive session, recognised by two
    signs together: the kernel was started by a Jupyter server for a notebook (it sets
    ``JPY_SESSION_NAME``), and the cell being run was sent by a frontend that can ask the user for
    input (``allow_stdin``, which JupyterLab sends and nbconvert, nbclient, nbval and nbgrader
    never do). ``NBGRADER_EXECUTION`` (set by nbgrader while it autogrades or validates) always
    means strict, and ``NNLIB_STRICT_CHECKS=1`` or ``0`` in the environment that started the kernel
    decides everywhere else. ``environment`` defaults to ``os.environ``; a :class:`Checker` passes
    the one it saw when the exercise's setup cell created it, before any answer cell ran.

    This is a safety net, not a defence: code in the learner's kernel can redefine ``check``.
    Scores that learner code cannot reach come from ``nnlib grade``, which judges outside the
    kernel (and can write them into nbgrader's gradebook).
    """
    environment = os.environ if environment is None else environment
    if environment.get(NBGRADER_ENV):
        return True
    if environment.get(STRICT_ENV) in ("0", "1"):
        return environment[STRICT_ENV] == "1"
    return not (environment.get(SESSION_ENV) and _frontend_allows_stdin())


def _frontend_allows_stdin() -> bool:
    """Whether the cell now running came from a frontend that accepts ``input()``."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    return getattr(kernel, "_allow_stdin", False) is True


class CheckFailedError(AssertionError):
    """A check failed where checks must raise (see :func:`strict_checks`).

    IPython shows it as its verdict alone, without a traceback: the traceback would show the
    check cell's code, and with it a hidden test's inputs and expected value.
    """

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


class Checker:
    """The ``check`` of an exercise notebook: ``check("task_name")`` judges the learner's function.

    A checks module makes its own with :meth:`of_module`, so that defining a task registers it.

    Parameters
    ----------
    tasks : list of Task
        The exercise's tasks, in order; two with one name are refused.
    """

    def __init__(self, tasks: list[Task]):
        self.tasks: dict[str, Task] = {}
        for task in tasks:
            if task.name in self.tasks:
                raise ValueError(
                    f"two tasks are named {task.name!r}: each task of an exercise needs its own "
                    f"name, the name of the function the learner writes"
                )
            self.tasks[task.name] = task
        watched = (NBGRADER_ENV, STRICT_ENV, SESSION_ENV)
        self._environment = {key: os.environ[key] for key in watched if key in os.environ}

    @classmethod
    def of_module(cls, module_name: str) -> Checker:
        """The checker of every :class:`Task` that the module ``module_name`` defines, in the
        order it defines them: a checks module ends with ``check = Checker.of_module(__name__)``.
        """
        namespace = vars(sys.modules[module_name])
        return cls([value for value in namespace.values() if isinstance(value, Task)])

    def __call__(self, name: str, function=None, cases: list[Case] | None = None) -> None:
        """Check the task ``name`` and print the verdict, one line per case.

        ``function`` defaults to the variable of that name in the caller's namespace (the
        notebook), so the check cell stays one line. ``cases`` replaces the task's visible cases:
        an instructor's hidden tests are ``check("name", cases=[Case(...)])`` lines (see
        ``nnlib.course.grade``); their verdicts say only whether each passed. In a learner's
        session it never raises; anywhere else a failing check raises :class:`CheckFailedError`
        (see :func:`strict_checks`).
        """
        if name not in self.tasks:
            print(
                _("There is no task called {name!r}; the tasks are: {tasks}.").format(
                    name=name, tasks=", ".join(self.tasks)
                )
            )
            return
        namespace = inspect.currentframe().f_back.f_globals
        if function is None:
            function = namespace.get(name)
        task = self.tasks[name] if cases is None else replace(self.tasks[name], cases=list(cases))
        results = {name: run_task(task, function)}
        if not all(r.passed for r in results[name]):
            for used in task.uses:
                results[used] = run_task(self.tasks[used], namespace.get(used))
        results = with_dependencies(list(self.tasks.values()), results)[name]
        if cases is None:
            report = format_results(name, results)
        else:
            results = [hidden_verdict(k, r) for k, r in enumerate(results, start=1)]
            report = format_results(name, results, what="hidden tests", note="")
        print(report)
        if not all(r.passed for r in results) and strict_checks(self._environment):
            raise CheckFailedError(report)
