"""Grade a class's exercise notebooks, safely: ``nnlib grade SOURCE SUBMISSION... --out DIR``.

Part of the course's tools; no chapter introduces it. This is the *grader*: the process the
instructor starts. Three kinds of process take part, one module each:

- the grader (this module, with :mod:`~nnlib.course.exercise`, :mod:`~nnlib.course.submissions`,
  :mod:`~nnlib.course.verdicts` and :mod:`~nnlib.course.report`) reads the source and the
  submissions, judges, and writes the outputs;
- the sandbox launcher (:mod:`~nnlib.course.sandbox`, in the grader's process) starts each
  submission's worker (:mod:`~nnlib.course.worker`) in its own bubblewrap sandbox;
- the in-kernel harness (:mod:`~nnlib.course.harness`) calls the learner's functions.

For each submitted notebook the grader

1. **reads it defensively and rebuilds it from the instructor's source**: only the learner's
   solution cells are taken; every setup, locked and check cell comes from the source, and
   tampering is undone and reported;
2. **runs it in a sandbox**: in place of each check cell the kernel calls the task's function on
   the visible test arguments and writes what happened as plain data; after the last cell, it
   does the same on the hidden tests' arguments, which enter the sandbox only then;
3. **judges the results in this process**, with the same
   :func:`~nnlib.course.selfcheck.diagnose` as the notebook's self-checks, against expected values
   and planted mistakes that never enter the kernel. A hidden test's verdict says only whether it
   passed, the type of what it raised, and the hint of the mistake it matches;
4. **writes** ``DIR/<name>/results.json`` (Gradescope's format), ``DIR/<name>/feedback.md`` and
   ``DIR/gradebook.csv``, each atomically, as soon as that learner is graded.

**When the machinery fails** (the sandbox or the kernel does not start, a disk is full, the
grader runs out of memory) the learner is not given a zero: the row's status is ``error`` with
the reason in the feedback, the others are graded, and ``nnlib grade`` exits with status 1 and
prints the one command that re-grades only those learners (``--only NAME...``).
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from nnlib.course import harness, i18n, sandbox
from nnlib.course.exercise import Exercise, GradingError, load_exercise
from nnlib.course.i18n import N_, _
from nnlib.course.release import strip_solutions
from nnlib.course.report import number, write_gradebook, write_learner
from nnlib.course.sandbox import CellLog, JobLog, Limits, Mode, Protections
from nnlib.course.selfcheck import (
    NOT_DONE,
    WRONG,
    Case,
    CaseResult,
    Outcome,
    Task,
    call_text,
    diagnose,
    hidden_call,
    hidden_failure,
    with_dependencies,
)
from nnlib.course.submissions import (
    MAX_NOTEBOOK_MB,
    Submission,
    find_submissions,
    grade_id,
    is_check,
    read_notebook,
    rebuild,
    task_of,
)
from nnlib.course.untrusted import quoted, safe_text, type_name
from nnlib.course.verdicts import Flag, Grade, TaskGrade
from nnlib.course.worker import STOPPING, CellStatus, Stop

__all__ = ["GradingError", "Run", "grade", "grade_submission", "load_exercise"]

HARNESS_IMPORT = {"label": "locked:harness", "source": "import nnlib.course.harness"}
CELL_FLAGS = {
    CellStatus.TIMEOUT: Flag.TIMEOUT,
    CellStatus.FLOOD: Flag.FLOOD,
    CellStatus.UNRESPONSIVE: Flag.UNRESPONSIVE,
    CellStatus.DIED: Flag.KERNEL_DIED,
    CellStatus.MEMORY: Flag.MEMORY,
}


# ---- one learner ----


def grade_submission(
    exercise: Exercise,
    submission: Submission,
    limits: Limits,
    max_mb: float = MAX_NOTEBOOK_MB,
    found: Protections | None = None,
) -> Grade:
    """Grade one learner's notebook, isolated as ``found`` allows (by default
    :func:`~nnlib.course.sandbox.protections`). Never raises: a failure of the grader is flagged
    ``error``."""
    grade = Grade(submission.name, exercise, submission.entry)
    grade.flags |= submission.flags
    grade.notes += submission.notes
    try:
        _grade_into(grade, submission, limits, max_mb, found)
    except Exception as error:  # MemoryError included: a bug here must cost nobody their row
        reason = _("the grader failed on this notebook ({error})")
        machinery_failed(grade, reason.format(error=type(error).__name__))
    return grade


def machinery_failed(grade: Grade, reason: str) -> None:
    """Mark ``grade`` as not graded because of the machinery, not the learner."""
    grade.flags.add(Flag.ERROR)
    grade.notes.append(_("not graded: {reason}; it will be re-graded").format(reason=reason))
    failed = _("not graded: the grader failed")
    grade.tasks = [_failed(grade.exercise, t, failed) for t in grade.exercise.tasks]


def _grade_into(
    grade: Grade, submission: Submission, limits: Limits, max_mb: float, found: Protections | None
) -> None:
    exercise = grade.exercise
    if submission.path is None:
        reason = _("not graded: {problem}").format(problem=submission.problem)
        grade.notes.append(reason)
        grade.tasks = [_failed(exercise, t, reason) for t in exercise.tasks]
        return
    cells, problems = read_notebook(submission.path, max_mb)
    grade.notes += problems
    if cells is None:
        grade.flags.add(Flag.UNREADABLE)
        reason = _("not graded: the notebook could not be read ({problem})").format(
            problem=problems[0]
        )
        grade.tasks = [_failed(exercise, task, reason) for task in exercise.tasks]
        return
    rebuilt = rebuild(exercise.source, cells)
    grade.notes += rebuilt.notes
    if rebuilt.tampered:
        grade.flags.add(Flag.TAMPERED)
    log = sandbox.run_job(_job(exercise, rebuilt.solutions, limits), limits, found)
    if log.machinery:
        machinery_failed(grade, safe_text(log.machinery))
        return
    _note_cells(grade, log, limits)
    grade.tasks = [_judge_task(grade, task, log, limits) for task in exercise.tasks]
    verdicts = with_dependencies(exercise.tasks, {t.name: t.results for t in grade.tasks})
    for task in grade.tasks:
        task.results = verdicts[task.name]


def _job(exercise: Exercise, solutions: dict[str, str], limits: Limits) -> dict:
    hidden_cells = [
        _tests(t.name, harness.HIDDEN, exercise.hidden[t.name])
        for t in exercise.tasks
        if exercise.hidden[t.name]
    ]
    job = sandbox.job_for(_plan(exercise, solutions), hidden_cells, limits)
    job["env"][i18n.ENV] = i18n.language()  # what the kernel says (a function missing) too
    return job


def _plan(exercise: Exercise, solutions: dict[str, str]) -> list[dict]:
    """The cells to run, in the source's order: setup, each task's cell, then its tests.

    The harness is imported first, before any of the learner's code could patch what it uses.
    """
    cells, tested = [HARNESS_IMPORT], set()
    for cell in exercise.source.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grade_id(cell.metadata):
            continue
        if nbgrader.get("solution"):
            cells.append({"label": f"solution:{task_of(cell)}", "source": solutions[task_of(cell)]})
        elif is_check(cell):
            cells.append(_tests(task_of(cell), harness.VISIBLE, _visible(exercise, task_of(cell))))
            tested.add(task_of(cell))
        elif nbgrader.get("locked"):
            label = f"locked:{grade_id(cell.metadata)}"
            cells.append({"label": label, "source": strip_solutions(cell.source)})
    untested = [t.name for t in exercise.tasks if t.name not in tested]
    return cells + [_tests(name, harness.VISIBLE, _visible(exercise, name)) for name in untested]


def _visible(exercise: Exercise, task: str) -> list[Case]:
    return next(t for t in exercise.tasks if t.name == task).cases


def _tests(task: str, phase: str, cases: list[Case]) -> dict:
    """A task's tests cell: the worker has the kernel call the task's function on ``cases``."""
    label = f"{'tests' if phase == harness.VISIBLE else 'hidden'}:{task}"
    calls = harness.encode_calls([case.args for case in cases])
    return {"label": label, "task": task, "phase": phase, "calls": calls}


def _failed(exercise: Exercise, task: Task, reason: str) -> TaskGrade:
    calls = [CaseResult(call_text(task.name, case.args), False, reason) for case in task.cases]
    calls += [
        CaseResult(hidden_call(k), False, reason)
        for k in range(1, len(exercise.hidden[task.name]) + 1)
    ]
    return TaskGrade(task.name, exercise.points[task.name], calls, exercise.partial_credit)


def _what(label: str) -> str:
    kind, _colon, name = label.partition(":")
    names = {
        "solution": N_("the cell defining `{name}`"),
        "tests": N_("the tests of `{name}`"),
        "hidden": N_("the hidden tests of `{name}`"),
    }
    return _(names.get(kind, N_("the locked cell `{name}`"))).format(name=name)


def _limit_text(status: CellStatus, limits: Limits) -> str:
    return _(
        {
            CellStatus.TIMEOUT: N_("ran over {seconds:g} s and was interrupted"),
            CellStatus.FLOOD: N_("printed over {megabytes:g} MB and was interrupted"),
            CellStatus.UNRESPONSIVE: N_(
                "ignored the interrupt after running out of time, and was stopped"
            ),
            CellStatus.DIED: N_(
                "ended the kernel: did the code call os._exit() or kill its own process?"
            ),
            CellStatus.MEMORY: N_(
                "went over the memory limit of {memory} MB for the whole submission, and the "
                "kernel was stopped"
            ),
        }[status]
    ).format(seconds=limits.cell_timeout, megabytes=limits.output_mb, memory=limits.memory_mb)


def _note_cells(grade: Grade, log: JobLog, limits: Limits) -> None:
    """Flag what every cell did; tell the learner which of the notebook's own cells failed."""
    for cell in log.cells:
        status = _status(cell, log)
        if status in CELL_FLAGS:
            grade.flags.add(CELL_FLAGS[status])
        if cell.label.startswith(("tests:", "hidden:")):
            continue
        if status == CellStatus.ERROR:
            memory = (
                _(" (the memory limit is {memory} MB)").format(memory=limits.memory_mb)
                if cell.error_type == "MemoryError"
                else ""
            )
            raised = _("{what} raised {error}: {message}").format(
                what=_what(cell.label), error=type_name(cell.error_type), message=quoted(cell.error)
            )
            grade.notes.append(raised + memory)
        elif status != CellStatus.OK:
            grade.notes.append(_ended(cell.label, status, limits))
    if log.over_memory:
        grade.flags.add(Flag.MEMORY)
        grade.notes.append(
            _(
                "the submission's processes together reached the memory limit of "
                "{memory} MB: the largest was stopped"
            ).format(memory=limits.memory_mb)
        )
    if log.stop == Stop.TIME_LIMIT:
        grade.flags.add(Flag.TIME_LIMIT)
        grade.notes.append(_time_limit(limits))


def _ended(label: str, status: CellStatus, limits: Limits) -> str:
    """What the cell ``label`` did that stopped it: "the tests of `x` ran over 10 s and ..."."""
    what = _("{what} {ended}")
    return what.format(what=_what(label), ended=_limit_text(status, limits))


def _time_limit(limits: Limits) -> str:
    return _("the notebook used up its total time limit of {seconds:g} s").format(
        seconds=limits.total_timeout
    )


def _not_run(log: JobLog, limits: Limits) -> str:
    """Why a task's tests did not run: the first cell that ended the kernel, or the time limit."""
    ender = next((cell for cell in log.cells if cell.status in STOPPING), None)
    if ender is not None:
        ended = _ended(ender.label, _status(ender, log), limits)
        return _("not graded: {problem}").format(problem=ended)
    if log.stop == Stop.TIME_LIMIT:
        return _("not graded: {problem}").format(problem=_time_limit(limits))
    return _("not graded: the kernel ended before these tests")


def _status(cell: CellLog, log: JobLog) -> CellStatus:
    """A cell's status, ``memory`` when the kernel died while the cgroup was over its limit."""
    return CellStatus.MEMORY if cell.status == CellStatus.DIED and log.over_memory else cell.status


def _judge_task(grade: Grade, task: Task, log: JobLog, limits: Limits) -> TaskGrade:
    """Judge one task: its visible cases from its tests cell, its hidden ones after the notebook."""
    hidden_cases = grade.exercise.hidden[task.name]
    visible = _judge_phase(task, task.cases, log, harness.VISIBLE, limits)
    if isinstance(visible, str):
        visible = [CaseResult(call_text(task.name, c.args), False, visible) for c in task.cases]
    hidden: list[CaseResult] = []
    if hidden_cases:
        outcomes = _judge_phase(task, hidden_cases, log, harness.HIDDEN, limits)
        numbered = list(enumerate(hidden_cases, start=1))
        if isinstance(outcomes, str):
            hidden = [CaseResult(hidden_call(k), False, outcomes) for k, _case in numbered]
        else:
            hidden = [_hidden(k, task, c, o) for (k, c), o in zip(numbered, outcomes, strict=True)]
    exercise = grade.exercise
    results = [*visible, *hidden]
    return TaskGrade(task.name, exercise.points[task.name], results, exercise.partial_credit)


def _judge_phase(task: Task, cases: list[Case], log: JobLog, phase: str, limits: Limits):
    """The verdicts (visible) or outcomes (hidden) of ``cases``, or why there are none.

    For the hidden phase the reason never holds the kernel's words.
    """
    label = f"{'tests' if phase == harness.VISIBLE else 'hidden'}:{task.name}"
    cell = log.cell(label)
    if cell is None:
        return _not_run(log, limits)
    if cell.status == CellStatus.ERROR:
        words = "" if phase == harness.HIDDEN else f": {quoted(cell.error)}"
        raised = f"{type_name(cell.error_type)}{words}"
        return _("the tests could not call your function (they raised {error})").format(
            error=raised
        )
    if cell.status != CellStatus.OK:
        return _("the tests {ended}").format(ended=_limit_text(cell.status, limits))
    try:
        data = log.results[phase, task.name]
        manifest, arrays = harness.parse_data(data, limits.file_size_mb * sandbox.MIB)
        outcomes = harness.decode_outcomes(manifest, arrays, len(cases))
    except Exception as error:  # whatever the kernel wrote is only data: unreadable means failed
        return _("its results could not be read ({error})").format(error=type(error).__name__)
    if isinstance(outcomes, str):
        return outcomes if phase == harness.VISIBLE else _("your function is missing")
    if phase == harness.HIDDEN:
        return outcomes
    return [diagnose(task, case, outcome) for case, outcome in zip(cases, outcomes, strict=True)]


def _hidden(number_: int, task: Task, case: Case, outcome: Outcome) -> CaseResult:
    """A hidden test's verdict without its inputs, expected value or any of the kernel's words:
    pass or fail, the type of what it raised, and the hint (the diagnosed mistake's, written by
    the course, else the case's)."""
    verdict = diagnose(task, case, outcome)
    if verdict.passed:
        return CaseResult(hidden_call(number_), True)
    if outcome.not_done:
        return CaseResult(hidden_call(number_), False, NOT_DONE)
    if outcome.error:
        why = _("raised {error}").format(error=type_name(outcome.error.partition(":")[0]))
    elif outcome.mutated:
        why = _("changed an argument in place")
    else:
        why = _(WRONG)
    return hidden_failure(number_, why, verdict.hint)


# ---- a class ----


@dataclass
class Run:
    """What a grading run did: the grades, and what it could not do."""

    grades: list[Grade]
    ignored: list[str] = field(default_factory=list)  # entries that are not submissions
    write_errors: list[str] = field(default_factory=list)

    @property
    def to_regrade(self) -> list[str]:
        return [g.learner for g in self.grades if g.needs_regrade]

    def regrade_command(self, source: Path, submissions: Sequence[Path], out_dir: Path) -> str:
        """The one command that re-grades only the learners the machinery failed."""
        paths = [
            str(source),
            *map(str, submissions),
            "--out",
            str(out_dir),
            "--only",
            *self.to_regrade,
        ]
        return shlex.join(["nnlib", "grade", *paths])


def grade(
    source: Path,
    submissions: list[Path],
    out_dir: Path,
    limits: Limits | None = None,
    jobs: int = 1,
    max_mb: float = MAX_NOTEBOOK_MB,
    report: Callable[[str], object] = print,
    only: Iterable[str] = (),
    no_isolation: bool = False,
    partial_credit: bool = False,
) -> Run:
    """Grade every submission into ``out_dir``; return the :class:`Run`, grades sorted by learner.

    ``jobs`` notebooks are graded at once. Each learner's files and the gradebook are written as
    soon as that learner is graded, so an interrupted run keeps everything finished so far.
    ``only`` restricts the run to those learner names (a re-grade). Without a sandbox on this
    machine grading is refused unless ``no_isolation`` is given, and never done as root.
    ``partial_credit`` is the scoring policy (``nnlib.course.scoring``).
    """
    limits = limits or Limits()
    found = sandbox.protections()
    if found.mode == Mode.NONE and not (no_isolation and not sandbox.running_as_root()):
        raise GradingError(sandbox.refusal())
    exercise = replace(load_exercise(source), partial_credit=partial_credit)
    entries = find_submissions(submissions, source.with_suffix(".ipynb").name)
    wanted = set(only)
    learners = [s for s in entries.submissions if not wanted or s.name in wanted]
    unknown = sorted(wanted - {s.name for s in entries.submissions})
    if unknown:
        raise GradingError(f"--only: no submission is named {unknown}")
    out_dir.mkdir(parents=True, exist_ok=True)
    run = Run([], [] if wanted else entries.ignored)
    lock, stopping = threading.Lock(), threading.Event()
    graded: dict[str, Grade] = {}

    def grade_one(submission: Submission) -> None:
        result = grade_submission(exercise, submission, limits, max_mb, found)
        with lock:
            if stopping.is_set():
                return
            try:
                write_learner(out_dir, result)
            except OSError as error:
                reason = _("its feedback could not be written ({error})")
                machinery_failed(result, reason.format(error=error.strerror))
            graded[result.learner] = result
            try:
                write_gradebook(out_dir, exercise, graded)
            except OSError as error:
                run.write_errors.append(f"gradebook.csv after {result.learner}: {error.strerror}")
            total = (
                "not graded"
                if result.needs_regrade
                else f"{number(result.total)} / {number(result.max_score)}"
            )
            report(f"{result.learner}: {total} ({result.status})")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, submission) for submission in learners]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:  # Ctrl-C: stop the workers, keep what is written
            stopping.set()
            for future in futures:
                future.cancel()
            sandbox.stop_all_jobs()
            raise
    run.grades = [graded[name] for name in sorted(graded)]
    return run
