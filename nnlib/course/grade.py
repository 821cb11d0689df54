"""Grade a class's exercise notebooks, safely: ``nnlib grade SOURCE SUBMISSION... --out DIR``.

Part of the course's tools; no chapter introduces it.

For each submitted notebook the grader

1. **reads it defensively and rebuilds it from the instructor's source**
   (``nnlib.course.submissions``): only the learner's solution cells are taken; every setup,
   locked and check cell comes from the source, and tampering is undone and reported;
2. **runs it in a sandbox** (``nnlib.course.sandbox``): its own process and Jupyter kernel, time,
   memory and file limits, no network. In place of each check cell the kernel calls the task's
   function on the test arguments and writes what happened as plain data
   (``nnlib.course.harness``);
3. **judges the results in this process**, with the same
   :func:`~nnlib.course.selfcheck.diagnose` as the notebook's self-checks, against expected values
   and planted mistakes that never enter the kernel;
4. **writes** ``DIR/<name>/results.json`` (Gradescope's format), ``DIR/<name>/feedback.md`` and
   ``DIR/gradebook.csv``, each atomically, as soon as that learner is graded.

**Hidden tests.** In the source's check cells, lines between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` may add cases to a task::

    check("weighted_sum")
    ### BEGIN HIDDEN TESTS
    from nnlib.course.selfcheck import Case
    check("weighted_sum", cases=[Case(dict(x=np.array([2.0]), w=np.array([3.0]), b=1.0), 7.0)])
    ### END HIDDEN TESTS

``nnlib release`` removes them from the student version. The grader runs that region in its own
process only, with ``check`` collecting the cases (``np`` and ``Case`` are at hand); under nbgrader
the same lines simply run the extra cases. A hidden test's inputs reach the learner's kernel (its
function must be called on them); its expected value never does, and the feedback shows only
whether it passed.

**Scoring.** A task earns its points (from the source's grade cell) times the fraction of its
cases, visible and hidden, that pass, rounded to 0.01: partial credit.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import textwrap
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from nnlib.course import harness, sandbox
from nnlib.course.gradescope import gradescope_results
from nnlib.course.notebook_check import exercise_tasks
from nnlib.course.release import HIDDEN_TESTS, strip_solutions
from nnlib.course.sandbox import Limits
from nnlib.course.selfcheck import (
    NOT_DONE,
    Case,
    CaseResult,
    Task,
    call_text,
    diagnose,
    error_text,
    format_results,
    with_dependencies,
)
from nnlib.course.submissions import (
    GRADEBOOK,
    MAX_NOTEBOOK_MB,
    Submission,
    find_submissions,
    grade_id,
    is_check,
    read_notebook,
    rebuild,
    task_of,
)

FLAGS = ("unreadable", "tampered", "timeout", "flood", "unresponsive", "kernel-died",
         "time-limit", "error")  # fmt: skip


class GradingError(Exception):
    """The instructor's source or command is wrong: nothing can be graded until it is fixed."""


@dataclass(frozen=True)
class Exercise:
    """What the instructor's source says: its cells, the tasks, their points and hidden cases."""

    name: str
    title: str
    source: nbformat.NotebookNode
    tasks: list[Task]
    points: dict[str, float]
    hidden: dict[str, list[Case]]

    def cases(self, task: Task) -> list[Case]:
        """Every case of ``task``: the visible ones, then the hidden ones."""
        return [*task.cases, *self.hidden[task.name]]


@dataclass
class TaskGrade:
    """The verdict on one task: every case (visible, then hidden) and the score."""

    name: str
    points: float
    results: list[CaseResult]

    @property
    def score(self) -> float:
        if not self.results:
            return 0.0
        return round(self.points * sum(r.passed for r in self.results) / len(self.results), 2)

    def report(self) -> str:
        """The learner-facing verdict: visible cases in detail, hidden ones by number."""
        return format_results(self.name, self.results, what="tests", note="")


@dataclass
class Grade:
    """One learner's grade: a verdict per task, notes for the feedback, and status flags."""

    learner: str
    exercise: Exercise
    tasks: list[TaskGrade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def total(self) -> float:
        return round(sum(t.score for t in self.tasks), 2)

    @property
    def max_score(self) -> float:
        return round(sum(t.points for t in self.tasks), 2)

    @property
    def status(self) -> str:
        """``ok``, or the flags raised, e.g. ``tampered;timeout``."""
        return ";".join(flag for flag in FLAGS if flag in self.flags) or "ok"


# ---- the instructor's source ----


def load_exercise(path: Path) -> Exercise:
    """Read the source (``.ipynb``, or its paired ``.md``): tasks, points and hidden cases."""
    try:
        if path.suffix == ".md":
            import jupytext

            nb = jupytext.read(path)
        else:
            nb = nbformat.read(path, as_version=4)
        tasks = exercise_tasks(nb)
    except (OSError, ValueError, ImportError) as error:
        raise GradingError(f"could not use the source notebook {path}: {error}") from error
    names = [task.name for task in tasks]
    points: dict[str, float] = {}
    hidden: dict[str, list[Case]] = {name: [] for name in names}
    for cell in filter(is_check, nb.cells):
        task, grading = task_of(cell), cell.metadata.get("nbgrader", {})
        if task not in hidden or not grading.get("grade"):
            raise GradingError(
                f"{path}: the check cell of {task!r} must be a grade cell of {names}"
            )
        points[task] = float(grading.get("points", 0))
        for region in HIDDEN_TESTS.finditer(cell.source):
            _collect_hidden(path, task, region[0], hidden)
    missing = [name for name in names if name not in points]
    if missing:
        raise GradingError(f"{path}: no check cell with points for the tasks {missing}")
    for task in tasks:
        if any(harness.holds_objects(case.args) for case in [*task.cases, *hidden[task.name]]):
            raise GradingError(
                f"{path}: a case of {task.name!r} has arguments that are not plain data (numbers, "
                f"strings, bytes, arrays, and tuples, lists or dicts of them): the kernel cannot "
                f"get them"
            )
    headings = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]
    title = headings[0].strip().splitlines()[0].lstrip("# ") if headings else path.stem
    return Exercise(nb.metadata["nnlib"]["exercise"], title, nb, tasks, points, hidden)


def _collect_hidden(path: Path, task: str, region: str, hidden: dict[str, list[Case]]) -> None:
    """Run one hidden-test region in this process, with ``check`` collecting its cases."""

    def check(name, function=None, cases=None):
        if name not in hidden or not all(isinstance(case, Case) for case in cases or []):
            raise GradingError(f"{path}: hidden tests of {task!r}: check({name!r}) needs a task "
                               f"of this exercise and cases=[Case(...), ...]")  # fmt: skip
        hidden[name].extend(cases or [])

    code = textwrap.dedent("\n".join(region.splitlines()[1:-1]))
    namespace = {"np": np, "Case": Case, "check": check}
    try:
        exec(compile(code, f"<hidden tests of {task}>", "exec"), namespace)
    except GradingError:
        raise
    except Exception as error:
        raise GradingError(f"{path}: the hidden tests of {task!r} raised {error!r}") from error


# ---- one learner ----


def grade_submission(
    exercise: Exercise,
    submission: Submission,
    limits: Limits,
    hide: Sequence[str] = (),
    max_mb: float = MAX_NOTEBOOK_MB,
) -> Grade:
    """Grade one learner's notebook. Never raises: a failure of the grader is a graded failure."""
    grade = Grade(submission.name, exercise)
    try:
        _grade_into(grade, submission, limits, list(hide), max_mb)
    except Exception as error:  # a bug here must cost nobody their row
        grade.flags.add("error")
        grade.notes.append(f"the grader failed on this notebook ({error_text(error)})")
        grade.tasks = [
            _failed(exercise, t, "not graded: the grader failed") for t in exercise.tasks
        ]
    return grade


def _grade_into(grade: Grade, submission: Submission, limits: Limits, hide, max_mb) -> None:
    exercise = grade.exercise
    if submission.path is None:
        cells, problems = None, [submission.problem]
    else:
        cells, problems = read_notebook(submission.path, max_mb)
    grade.notes += problems
    if cells is None:
        grade.flags.add("unreadable")
        reason = f"not graded: the notebook could not be read ({problems[0]})"
        grade.tasks = [_failed(exercise, task, reason) for task in exercise.tasks]
        return
    rebuilt = rebuild(exercise.source, cells)
    grade.notes += rebuilt.notes
    if rebuilt.tampered:
        grade.flags.add("tampered")
    job_dir = sandbox.new_job_dir()
    try:
        workdir = job_dir / sandbox.WORK
        sandbox.write_job(job_dir, _plan(exercise, rebuilt.solutions, workdir), limits, hide)
        arrays: dict[str, np.ndarray] = {}
        calls = {t.name: [c.args for c in exercise.cases(t)] for t in exercise.tasks}
        calls = {name: harness.encode(args, arrays) for name, args in calls.items()}
        harness.save_data(workdir / harness.CALLS, {"tasks": calls}, arrays)
        log = sandbox.run_job(job_dir, limits)
        _note_cells(grade, log, limits)
        grade.tasks = [_judge_task(grade, task, log, workdir, limits) for task in exercise.tasks]
        verdicts = with_dependencies(exercise.tasks, {t.name: t.results for t in grade.tasks})
        for task in grade.tasks:
            task.results = verdicts[task.name]
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    grade.notes[:] = [note.replace(str(job_dir), "<job>") for note in grade.notes]


def _plan(exercise: Exercise, solutions: dict[str, str], workdir: Path) -> list[dict]:
    """The cells to run, in the source's order: setup, each task's cell, then its tests.

    The harness is imported first, before any of the learner's code could patch what it uses.
    """
    cells, tested = [{"label": "locked:harness", "source": "import nnlib.course.harness"}], set()
    for cell in exercise.source.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grade_id(cell.metadata):
            continue
        if nbgrader.get("solution"):
            cells.append({"label": f"solution:{task_of(cell)}", "source": solutions[task_of(cell)]})
        elif is_check(cell):
            cells.append(
                {"label": f"tests:{task_of(cell)}", "source": _harness(task_of(cell), workdir)}
            )
            tested.add(task_of(cell))
        elif nbgrader.get("locked"):
            label = f"locked:{grade_id(cell.metadata)}"
            cells.append({"label": label, "source": strip_solutions(cell.source)})
    untested = [t.name for t in exercise.tasks if t.name not in tested]
    return cells + [{"label": f"tests:{t}", "source": _harness(t, workdir)} for t in untested]


def _harness(task: str, workdir: Path) -> str:
    call = f"call_task({task!r}, folder={str(workdir)!r})"
    return f'__import__("nnlib.course.harness", fromlist=["call_task"]).{call}'


def _failed(exercise: Exercise, task: Task, reason: str) -> TaskGrade:
    calls = [call_text(task.name, case.args) for case in task.cases]
    calls += [f"hidden test {k}" for k in range(1, len(exercise.hidden[task.name]) + 1)]
    return TaskGrade(
        task.name, exercise.points[task.name], [CaseResult(c, False, reason) for c in calls]
    )


def _what(label: str) -> str:
    kind, _, name = label.partition(":")
    names = {"solution": f"the cell defining `{name}`", "tests": f"the tests of `{name}`"}
    return names.get(kind, f"the locked cell `{name}`")


def _judge_task(grade: Grade, task: Task, log: dict, workdir: Path, limits: Limits) -> TaskGrade:
    """Judge one task from the worker's log and the results its kernel wrote."""
    exercise = grade.exercise
    entries = {e.get("label"): e for e in log["cells"] if isinstance(e, dict)}
    entry = entries.get(f"tests:{task.name}")
    status = entry.get("status") if entry else None
    if status in ("timeout", "flood"):
        grade.flags.add(status)
        why = {
            "timeout": f"timed out after {limits.cell_timeout:g} s in the tests: an endless loop?",
            "flood": f"printed more than {limits.output_mb:g} MB while running the tests",
        }
        return _failed(exercise, task, why[status])
    if status == "error":
        error = str(entry.get("error", ""))[:300].replace(str(workdir), "<workdir>")
        return _failed(exercise, task, f"the tests could not call your function ({error})")
    if status != "ok":
        return _failed(exercise, task, f"not graded: {_stop_reason(grade, log, limits)}")
    cases = exercise.cases(task)
    try:
        results = workdir / harness.RESULTS / f"{task.name}.npz"
        manifest, arrays = harness.load_data(results, limits.file_size_mb * 2**20)
        outcomes = harness.decode_outcomes(manifest, arrays, len(cases))
    except Exception as error:  # whatever the kernel wrote is only data: unreadable means failed
        return _failed(exercise, task, f"its results could not be read ({error_text(error)})")
    if isinstance(outcomes, str):
        return _failed(exercise, task, outcomes)
    verdicts = [
        diagnose(task, case, outcome) for case, outcome in zip(cases, outcomes, strict=True)
    ]
    n_visible = len(task.cases)
    hidden = [_hidden(k, v) for k, v in enumerate(verdicts[n_visible:], 1)]
    return TaskGrade(task.name, exercise.points[task.name], verdicts[:n_visible] + hidden)


def _hidden(number: int, verdict: CaseResult) -> CaseResult:
    """A hidden test's verdict without its inputs or expected value: pass/fail, why, and the
    hint (the diagnosed mistake's, else the case's)."""
    call = f"hidden test {number}"
    if verdict.passed:
        return CaseResult(call, True)
    if verdict.reason == NOT_DONE:
        return CaseResult(call, False, NOT_DONE)
    reason = verdict.reason.split(":")[0] if verdict.reason.startswith("raised ") else "wrong"
    return CaseResult(
        call, False, f"{reason} (its inputs and expected output are hidden)", verdict.hint
    )


def _note_cells(grade: Grade, log: dict, limits: Limits) -> None:
    """Tell the learner which of the notebook's own cells failed, timed out or flooded."""
    for entry in log["cells"]:
        label = str(entry.get("label", "")) if isinstance(entry, dict) else "tests:"
        if not label.startswith("tests:") and entry.get("status") in ("error", "timeout", "flood"):
            _note_cell(grade, entry["status"], str(entry.get("error", ""))[:300], label, limits)


def _note_cell(grade: Grade, status: str, error: str, label: str, limits: Limits) -> None:
    if status == "error":
        memory = f" (the memory limit is {limits.memory_mb} MB)" if "MemoryError" in error else ""
        grade.notes.append(f"{_what(label)} raised {error}{memory}")
    elif status in ("timeout", "flood"):
        grade.flags.add(status)
        limit = {
            "timeout": f"ran over {limits.cell_timeout:g} s",
            "flood": f"printed over {limits.output_mb:g} MB",
        }
        grade.notes.append(f"{_what(label)} {limit[status]} and was interrupted")


def _stop_reason(grade: Grade, log: dict, limits: Limits) -> str:
    """Why the notebook stopped before a task's tests ran (and flag it)."""
    stopped = str(log.get("stopped", ""))
    labels = [e.get("label", "") for e in log["cells"] if isinstance(e, dict)]
    last = _what(labels[-1]) if labels else "the first cell"
    if stopped == "died":
        grade.flags.add("kernel-died")
        return (
            f"the kernel died while running {last}: did the code call os._exit(), kill its own "
            f"process or run out of memory ({limits.memory_mb} MB)?"
        )
    if stopped == "unresponsive":
        grade.flags.add("unresponsive")
        return f"the kernel ignored the interrupt when {last} ran out of time, and was stopped"
    if stopped == "time-limit":
        grade.flags.add("time-limit")
        return f"the notebook used up its total time limit of {limits.total_timeout:g} s"
    grade.flags.add("error")
    return stopped[:300] or "the grading process stopped early"


# ---- the outputs ----


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def feedback(grade: Grade) -> str:
    """The learner's feedback in Markdown: the score, what was noticed, and every task's verdict."""
    lines = [
        f"# {grade.exercise.title}: feedback for {grade.learner}",
        "",
        f"**Score: {_number(grade.total)} / {_number(grade.max_score)}** (status: {grade.status})",
        "",
    ]
    if grade.notes:
        lines += ["## Notes", "", *(f"- {note}" for note in grade.notes), ""]
    for number, task in enumerate(grade.tasks, start=1):
        lines += [
            f"## Task {number}: {task.name} ({_number(task.score)} / {_number(task.points)})",
            "",
            "```text",
            task.report().replace("```", "'''"),
            "```",
            "",
        ]
    return "\n".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new, never half."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_learner(out_dir: Path, grade: Grade) -> None:
    """Write ``out_dir/<learner>/results.json`` and ``feedback.md``, each atomically."""
    folder = out_dir / grade.learner
    folder.mkdir(parents=True, exist_ok=True)
    results = json.dumps(gradescope_results(grade), indent=2, ensure_ascii=False)
    write_atomically(folder / "results.json", results + "\n")
    write_atomically(folder / "feedback.md", feedback(grade))


def write_gradebook(out_dir: Path, exercise: Exercise, grades: dict[str, Grade]) -> None:
    """Write ``out_dir/gradebook.csv`` atomically: a row per learner, sorted by name.

    Rows of learners graded by an earlier run (with the same columns) and not by this one are
    kept, so grading a late submission alone adds its row to the others.
    """
    header = ["name", *(t.name for t in exercise.tasks), "total", "max", "status"]
    rows = {}
    path = out_dir / GRADEBOOK
    if path.exists():
        with open(path, newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            if next(reader, None) == header:
                rows = {row[0]: row for row in reader if len(row) == len(header)}
    for name, grade in grades.items():
        scores = [_number(t.score) for t in grade.tasks]
        rows[name] = [name, *scores, _number(grade.total), _number(grade.max_score), grade.status]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows[name] for name in sorted(rows))
    write_atomically(path, text.getvalue())


# ---- a class ----


def hidden_paths(source: Path, paths: list[Path], out_dir: Path) -> list[str]:
    """What the kernel must not see: the source and its twins, the submissions, the results.

    A folder is left visible if Python, nnlib or the temporary folder is inside it.
    """
    needed = [sandbox.package_root(), Path(sys.prefix), Path(sys.base_prefix)]
    needed = [path.resolve() for path in [*needed, Path(tempfile.gettempdir())]]
    twins = [source.with_suffix(suffix) for suffix in (".ipynb", ".md", ".py")]
    hide = set()
    for path in [*twins, *paths, out_dir]:
        path = path.resolve()
        if path.exists() and not any(n.is_relative_to(path) for n in needed):
            hide.add(str(path))
    return sorted(hide)


def grade(
    source: Path,
    submissions: list[Path],
    out_dir: Path,
    limits: Limits | None = None,
    jobs: int = 1,
    max_mb: float = MAX_NOTEBOOK_MB,
    report=print,
) -> list[Grade]:
    """Grade every submission into ``out_dir``; return the grades, sorted by learner.

    ``jobs`` notebooks are graded at once. Each learner's files and the gradebook are written as
    soon as that learner is graded, so an interrupted run keeps everything finished so far.
    """
    limits = limits or Limits()
    exercise = load_exercise(source)
    found = find_submissions(submissions, source.with_suffix(".ipynb").name)
    out_dir.mkdir(parents=True, exist_ok=True)
    hide = hidden_paths(source, submissions, out_dir)
    lock, stopping = threading.Lock(), threading.Event()
    graded: dict[str, Grade] = {}

    def grade_one(submission: Submission) -> None:
        result = grade_submission(exercise, submission, limits, hide, max_mb)
        with lock:
            if stopping.is_set():
                return
            write_learner(out_dir, result)
            graded[result.learner] = result
            write_gradebook(out_dir, exercise, graded)
            total = f"{_number(result.total)} / {_number(result.max_score)}"
            report(f"{result.learner}: {total} ({result.status})")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, submission) for submission in found]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:  # Ctrl-C: stop the workers, keep what is written
            stopping.set()
            for future in futures:
                future.cancel()
            sandbox.stop_all_jobs()
            raise
    return [graded[name] for name in sorted(graded)]
