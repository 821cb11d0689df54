"""Batch grading: a class of hostile submissions, each graded exactly, none stopping the run.

The heart of this file is one run (module-scoped, two at a time) over every submission of
``tests/grading/attacks.py``: correct, blank and partly right notebooks; unreadable, truncated,
oversized and wrong-shaped files; tampered check cells; endless loops, ignored interrupts, memory
bombs, exits, floods, fork bombs, memory spread over child processes, full disks; patched numpy,
builtins and checker; lying return values; attempts to read the course's sources and git
history, write the results or the virtual environment, reach the network or another kernel,
kill every process, leave daemons and files behind, exfiltrate hidden inputs or forge the
feedback; names that clash, symbolic links and hidden files. Each must get exactly its score and
its row, honest learners beside it full marks. The attacks on the sandbox itself are graded a
second time by an ordinary user (a throwaway account: CI runs as root), through ``nnlib grade``.
"""

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest
from grading import ordinary_user
from grading.attacks import (
    ATTACKS,
    EX01,
    MARKER,
    MAX_NOTEBOOK_MB,
    POINTS,
    SECRET_VARIABLE,
    TASKS,
    Context,
    hidden_source,
    right,
)

from nnlib.__main__ import main
from nnlib.course import sandbox
from nnlib.course.grade import grade
from nnlib.course.release import render

LIMITS = sandbox.Limits(
    cell_timeout=10, total_timeout=80, memory_mb=1024, output_mb=2, grace=3, disk_mb=16
)
LIMIT_OPTIONS = ["--cell-timeout=10", "--timeout=80", "--memory=1024", "--disk=16"]
USER_ATTACKS = [a for a in ATTACKS if a.isolation or a.name in ("correct", "partly_right")]
HIDDEN_INPUTS = ("2. , -1. ,  0.5", "2.0, -1.0, 0.5", "[1., 1., 2.]")


class Listener:
    """A TCP server on loopback that counts who reaches it (no submission may)."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.reached = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.reached += 1
            connection.close()


def _leftovers() -> list[str]:
    """Files and processes an attack left on this machine (none may outlive the run)."""
    files = [str(p) for d in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(d).glob(f"*{MARKER}*")]
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return files + [line for line in processes.splitlines() if MARKER in line]


def _class(base: Path, attacks, listener: Listener) -> Context:
    (base / "instructor").mkdir()
    context = Context(hidden_source(base / "instructor"), base / "out", listener.port)
    (base / "submissions").mkdir()
    for attack in attacks:
        attack.write(base / "submissions", context)
    return context


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as file:
        return {row["name"]: row for row in csv.DictReader(file)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every attack once, two at a time, as root would (this process's own user)."""
    base = tmp_path_factory.mktemp("class")
    listener = Listener()
    context = _class(base, ATTACKS, listener)
    os.environ[SECRET_VARIABLE] = "the grader's secret"
    lines = []
    try:
        run = grade(context.source, [base / "submissions"], context.out_dir, LIMITS, jobs=2,
                    max_mb=MAX_NOTEBOOK_MB, report=lines.append,
                    partial_credit=True)  # the attacks' scores are partial credit  # fmt: skip
    finally:
        del os.environ[SECRET_VARIABLE]
        listener.server.close()
    return {"run": run, "grades": {g.learner: g for g in run.grades}, "out": context.out_dir,
            "listener": listener, "lines": lines, "leftovers": _leftovers()}  # fmt: skip


@pytest.fixture(scope="module")
def graded_as_user():
    """Grade the attacks on the sandbox with ``nnlib grade``, run by an ordinary user."""
    if ordinary_user.available():
        pytest.skip(ordinary_user.available())
    uid, gid = ordinary_user.ensure_user()
    base = Path(tempfile.mkdtemp(prefix="nnlib-user-grading-"))
    try:
        os.chmod(base, 0o755)
        listener = Listener()
        context = _class(base, USER_ATTACKS, listener)
        context.out_dir.mkdir()
        os.chown(context.out_dir, uid, gid)
        command = [sys.executable, "-m", "nnlib", "grade", str(context.source),
                   str(base / "submissions"), "--out", str(context.out_dir), "-j", "2",
                   "--partial-credit", *LIMIT_OPTIONS]  # fmt: skip
        (base / "keep").mkdir()
        done = subprocess.run(
            ordinary_user.command(command, uid, gid, base / "keep"),
            capture_output=True, text=True, cwd=base, timeout=900,
            env={**os.environ, SECRET_VARIABLE: "the grader's secret"},
        )  # fmt: skip
        listener.server.close()
        feedback = {
            name: (context.out_dir / name / "feedback.md").read_text(encoding="utf-8")
            for name in _rows(context.out_dir)
        }
        yield {"done": done, "rows": _rows(context.out_dir), "feedback": feedback,
               "listener": listener, "leftovers": _leftovers()}  # fmt: skip
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_each_submission_gets_exactly_its_score(graded, attack):
    result = graded["grades"][attack.learner]
    assert [t.score for t in result.tasks] == [float(s) for s in attack.scores], result.notes
    assert result.max_score == sum(POINTS)
    assert result.status in attack.statuses(), result.notes


@pytest.mark.parametrize("attack", USER_ATTACKS, ids=[a.name for a in USER_ATTACKS])
def test_as_an_ordinary_user_each_attack_on_the_sandbox_gets_exactly_its_score(
    graded_as_user, attack
):
    assert graded_as_user["done"].returncode == 0, graded_as_user["done"].stderr[-3000:]
    assert "user namespace" in graded_as_user["done"].stdout.splitlines()[0]
    row = graded_as_user["rows"][attack.learner]
    assert [float(row[task]) for task in TASKS] == [float(s) for s in attack.scores]
    assert row["status"] in attack.statuses(), graded_as_user["feedback"][attack.learner]


def test_as_an_ordinary_user_no_row_is_lost_nothing_is_reached_or_left(graded_as_user):
    assert sorted(graded_as_user["rows"]) == sorted(a.learner for a in USER_ATTACKS)
    assert graded_as_user["listener"].reached == 0
    assert graded_as_user["leftovers"] == []


def test_no_row_is_lost_and_every_learner_gets_both_files(graded):
    out = graded["out"]
    rows = list(_rows(out).values())
    assert [row["name"] for row in rows] == sorted(a.learner for a in ATTACKS)
    assert list(rows[0]) == ["name", *TASKS, "total", "max", "status"]
    assert len(graded["lines"]) == len(ATTACKS)
    assert graded["run"].to_regrade == []
    for row in rows:
        results = json.loads((out / row["name"] / "results.json").read_text(encoding="utf-8"))
        assert results["score"] == pytest.approx(float(row["total"]))
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
        assert [t["max_score"] for t in results["tests"]] == list(POINTS)
        for test in results["tests"]:
            assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
            assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        feedback = (out / row["name"] / "feedback.md").read_text(encoding="utf-8")
        assert f"**Score: {row['total']} / 5**" in feedback


def test_no_submission_reaches_the_network_or_outlives_the_run(graded):
    assert graded["listener"].reached == 0
    assert graded["leftovers"] == []
    planted = [p for p in sandbox.readable_paths() if Path(p).is_dir()]
    assert not [p for folder in planted for p in Path(folder).glob("**/zz_planted.pth")]


def test_a_submission_cannot_write_the_results(graded):
    out = graded["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["gradebook.csv", *(a.learner for a in ATTACKS)]
    )
    assert "100" not in (out / "gradebook.csv").read_text(encoding="utf-8")


def test_feedback_says_what_happened(graded):
    notes = {name: " ".join(g.notes) for name, g in graded["grades"].items()}
    reports = {name: " ".join(t.report() for t in g.tasks) for name, g in graded["grades"].items()}
    assert (
        "the check cell of `weighted_sum` was edited; the original was restored"
        in notes["checks_made_pass"]
    )
    assert "the check cell of `nand_weights` was deleted" in notes["checks_deleted"]
    assert "was made markdown" in notes["checks_made_markdown"]
    assert "were changed; it is worth 2" in notes["duplicated_cells"]
    assert "the locked cell `setup` was edited" in notes["setup_edited"]
    assert "code cell(s) that you added were not run" in notes["helper_in_own_cell"]
    assert "nbformat 3" in notes["nbformat3"]
    assert "empty (0 bytes)" in notes["empty_file"]
    assert "more than the limit of 1 MB" in notes["huge_notebook"]
    assert "not valid JSON" in notes["truncated"]
    assert "the tests ran over 10 s and was interrupted" in reports["endless_loop"]
    assert "ignored the interrupt" in reports["ignores_interrupt"]
    assert "the tests of `predict_batch` ended the kernel" in reports["os_exit"]
    assert "printed over 2 MB and was interrupted" in notes["output_flood"]
    assert "MemoryError" in notes["memory_bomb"] and "1024 MB" in notes["memory_bomb"]
    assert "raised SystemExit" in reports["sys_exit"]
    assert "not a number or array of numbers" in reports["lying_values"]
    assert "symbolic link" in reports["linked_folder"]
    assert "hidden file" in reports["%2Esneaky"]
    assert "all map to the learner name dup" in notes["dup~1"]
    # no path of the grader's machine (the sandbox's own /tmp/kernel is not one)
    assert str(graded["out"].parent) not in " ".join([*notes.values(), *reports.values()])


def test_hidden_tests_show_only_whether_they_passed(graded):
    for name in ("copies_visible_answers", "exfiltrates_hidden_inputs"):
        report = " ".join(t.report() for t in graded["grades"][name].tasks)
        feedback = (graded["out"] / name / "feedback.md").read_text(encoding="utf-8")
        assert "hidden test 1" in report and "its inputs and expected output are hidden" in report
        assert "expected 1.5" not in report and "[0.4, 0.4]" not in report  # expected values
        assert not [text for text in HIDDEN_INPUTS if text in feedback], feedback
    assert "raised ValueError (its inputs" in (
        graded["out"] / "exfiltrates_hidden_inputs" / "feedback.md"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["forges_feedback", "surrogates_in_errors"])
def test_a_kernel_cannot_forge_the_feedback(graded, name):
    folder = graded["out"] / name
    feedback = (folder / "feedback.md").read_text(encoding="utf-8")
    results = (folder / "results.json").read_text(encoding="utf-8")
    assert "\x1b" not in feedback + results and "\r" not in feedback + results
    rendered = _rendered(feedback)
    assert [line for line in rendered if "Score:" in line] == [
        f"**Score: {graded['grades'][name].total:g} / 5** (status: ok)"
    ]
    headings = [line for line in rendered if line.startswith("#")]
    genuine = rf"# .*: feedback for {name}|## Notes|## Task \d: \w+ \([\d.]+ / \d\)"
    assert all(re.fullmatch(genuine, heading) for heading in headings), headings
    assert len([h for h in headings if h.startswith("## Task")]) == len(TASKS)


def _rendered(markdown: str) -> list[str]:
    """The lines a Markdown reader renders as Markdown: those outside fenced code blocks."""
    outside, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            outside.append(line)
    assert not fenced  # every fence opened is closed
    return outside


def _grade_small_class(tmp_path, names, limits=LIMITS, **options):
    source = hidden_source(tmp_path)
    folder = tmp_path / "submissions"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.ipynb").write_text(render(right()), encoding="utf-8")
    return grade(source, [folder], tmp_path / "out", limits, report=lambda line: None, **options)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rerun_gives_identical_results(tmp_path):
    _grade_small_class(tmp_path, ["ann", "bob"], jobs=2)
    first = _files(tmp_path / "out")
    _grade_small_class(tmp_path, ["ann", "bob"], jobs=2)
    assert _files(tmp_path / "out") == first
    assert len(first) == 1 + 2 * 2


def test_an_interrupted_run_keeps_what_it_wrote_and_leaves_no_process(tmp_path):
    def stop(line):
        raise KeyboardInterrupt

    source = hidden_source(tmp_path)
    (tmp_path / "c").mkdir()
    for name in ("ann", "bob", "cyd"):
        (tmp_path / "c" / f"{name}.ipynb").write_text(render(right()), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        grade(source, [tmp_path / "c"], tmp_path / "out", LIMITS, jobs=1, report=stop)
    rows = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1:] == ["ann,1,1,1,2,5,5,ok"]
    assert json.loads((tmp_path / "out" / "ann" / "results.json").read_text())["score"] == 5
    assert not (tmp_path / "out" / "bob").exists()
    workers = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"{sys.executable} -m nnlib.course.worker" not in workers  # ours, not another clone's


def test_a_failure_of_the_machinery_is_no_zero_and_one_command_regrades(tmp_path, capsys):
    """A kernel that cannot start in time, and a learner whose results cannot be written, are
    rows with status ``error`` and no score; ``nnlib grade`` says whom to re-grade, and how."""
    source = hidden_source(tmp_path)
    (tmp_path / "c").mkdir()
    for name in ("ann", "bob"):
        (tmp_path / "c" / f"{name}.ipynb").write_text(render(right()), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "bob").write_text("a file where bob's folder must go")
    assert main(["grade", str(source), str(tmp_path / "c"), "--out", str(out), *LIMIT_OPTIONS,
                 "--start-timeout=0.001"]) == 1  # fmt: skip
    captured = capsys.readouterr()
    assert _rows(out)["ann"]["status"] == "error" and _rows(out)["ann"]["total"] == ""
    assert "not graded: the kernel did not start" in (out / "ann" / "feedback.md").read_text()
    assert "bob" in captured.err and "ann" in captured.err
    command = captured.err.strip().splitlines()[-1].split()
    assert command[:2] == ["nnlib", "grade"] and command[-3:] == ["--only", "ann", "bob"]
    (out / "bob").unlink()
    assert main([*command[1:], *LIMIT_OPTIONS]) == 0
    assert {name: row["total"] for name, row in _rows(out).items()} == {"ann": "5", "bob": "5"}


def test_without_a_sandbox_grading_is_refused_unless_asked_and_never_as_root(tmp_path):
    source = hidden_source(tmp_path)
    (tmp_path / "ann.ipynb").write_text(render(right()), encoding="utf-8")
    command = [sys.executable, "-m", "nnlib", "grade", str(source), str(tmp_path / "ann.ipynb"),
               "--out", str(tmp_path / "out"), "--no-isolation"]  # fmt: skip
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on this PATH
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if os.geteuid() == 0:
        assert done.returncode == 2 and "never runs as root" in done.stderr
    else:
        assert done.returncode == 0 and "NO SANDBOX" in done.stdout
    done = subprocess.run(command[:-1], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2 and "bubblewrap" in done.stderr


def test_a_late_submission_adds_its_row_to_the_gradebook(tmp_path):
    _grade_small_class(tmp_path, ["correct", "blank"])
    source = tmp_path / EX01.name
    late = tmp_path / "late.ipynb"
    late.write_text(render(right()), encoding="utf-8")
    grade(source, [late], tmp_path / "out", LIMITS, report=lambda line: None)
    rows = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["blank", "correct", "late"]


def test_cli_grade_and_its_errors(tmp_path, capsys):
    source = hidden_source(tmp_path)
    (tmp_path / "ann.ipynb").write_text(render(right()), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a notebook")
    assert main(["grade", str(source), str(tmp_path / "ann.ipynb"), "--out", str(tmp_path / "o"),
                 "-j", "2", *LIMIT_OPTIONS]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "sandbox: bubblewrap" in out and "ann: 5 / 5 (ok)" in out and "graded 1 notebooks" in out
    plain = tmp_path / "plain.ipynb"
    plain.write_text(render(nbformat.v4.new_notebook()))
    assert main(["grade", str(plain), str(tmp_path / "ann.ipynb"), "--out", str(tmp_path)]) == 2
    assert "no nnlib.exercise metadata" in capsys.readouterr().err
