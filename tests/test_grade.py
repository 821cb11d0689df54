"""Batch grading: a class of hostile submissions, each graded exactly, none stopping the run.

The heart of this file is one run (module-scoped, two at a time) over every submission of
``tests/grading/attacks.py``: correct, blank and partly right notebooks; unreadable, truncated,
oversized and wrong-shaped files; tampered check cells; endless loops, ignored interrupts, memory
bombs, exits, floods; patched numpy, builtins and checker; lying return values; attempts to read
the hidden tests, write the results or reach the network. Each must get exactly its score. The
rest tests the pieces: data out of the kernel, hidden tests, the outputs, Gradescope, progress.
"""

import csv
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile

import nbformat
import numpy as np
import pytest
from grading.attacks import (
    ATTACKS,
    EX01,
    HIDDEN,
    MAX_NOTEBOOK_MB,
    POINTS,
    SECRET_VARIABLE,
    TASKS,
    Context,
    hidden_source,
    right,
    student,
)

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.course import harness, sandbox
from nnlib.course.grade import GradingError, grade, load_exercise
from nnlib.course.gradescope import run_autograder
from nnlib.course.progress import progress
from nnlib.course.release import nbgrader_checksum, render, student_notebook
from nnlib.course.selfcheck import STRICT_ENV, Case, Checker, Outcome, call_case, compare, judge
from nnlib.course.submissions import find_submissions, grade_id, learner_name, read_notebook

LIMITS = sandbox.Limits(cell_timeout=4, total_timeout=40, memory_mb=1024, output_mb=2, grace=2)
PROTECTED = sandbox.isolation() == "namespaces" or sandbox.unprivileged_user() is not None


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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every attack once, two at a time, as ``nnlib grade`` would."""
    base = tmp_path_factory.mktemp("class")
    (base / "instructor").mkdir()
    source = hidden_source(base / "instructor")
    listener = Listener()
    context = Context(source, base / "out", listener.port)
    (base / "submissions").mkdir()
    for attack in ATTACKS:
        attack.write(base / "submissions", context)
    os.environ[SECRET_VARIABLE] = "the grader's secret"
    lines = []
    start = time.monotonic()
    try:
        grades = grade(source, [base / "submissions"], base / "out", LIMITS, jobs=2,
                       max_mb=MAX_NOTEBOOK_MB, report=lines.append)  # fmt: skip
    finally:
        del os.environ[SECRET_VARIABLE]
        listener.server.close()
    return {
        "grades": {g.learner: g for g in grades},
        "out": base / "out",
        "seconds": time.monotonic() - start,
        "listener": listener,
        "lines": lines,
    }


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_each_submission_gets_exactly_its_score(graded, attack):
    if attack.needs_isolation and not PROTECTED:
        pytest.skip("grading as an ordinary user: a kernel can read and write what the grader can")
    result = graded["grades"][attack.name]
    assert [t.score for t in result.tasks] == [float(s) for s in attack.scores], result.notes
    assert result.max_score == sum(POINTS)
    assert result.status == attack.status, result.notes


def test_no_row_is_lost_and_every_learner_gets_both_files(graded):
    out = graded["out"]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [row["name"] for row in rows] == sorted(a.name for a in ATTACKS)
    assert list(rows[0]) == ["name", *TASKS, "total", "max", "status"]
    assert len(graded["lines"]) == len(ATTACKS)
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


def test_thirty_submissions_are_graded_well_within_two_minutes(graded):
    assert len(ATTACKS) >= 30
    assert graded["seconds"] < 120


def test_no_submission_reaches_the_network(graded):
    assert graded["listener"].reached == 0


@pytest.mark.skipif(not PROTECTED, reason="an ordinary user's kernel can write the grader's files")
def test_a_submission_cannot_write_the_results(graded):
    out = graded["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["gradebook.csv", *(a.name for a in ATTACKS)]
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
    assert "timed out after 4 s in the tests: an endless loop?" in reports["endless_loop"]
    assert "ignored the interrupt when the tests of `predict_batch`" in reports["ignores_interrupt"]
    assert "the kernel died while running the tests of `predict_batch`" in reports["os_exit"]
    assert "printed over 2 MB and was interrupted" in notes["output_flood"]
    assert "MemoryError" in notes["memory_bomb"] and "1024 MB" in notes["memory_bomb"]
    assert "raised SystemExit" in reports["sys_exit"]
    assert "not a number or array of numbers" in reports["lying_values"]
    assert "/tmp/" not in " ".join([*notes.values(), *reports.values()])  # no temporary paths


def test_hidden_tests_show_only_whether_they_passed(graded):
    report = " ".join(t.report() for t in graded["grades"]["copies_visible_answers"].tasks)
    assert "hidden test 1" in report and "its inputs and expected output are hidden" in report
    assert "expected 1.5" not in report and "[0.4, 0.4]" not in report  # hidden expected values
    assert "[ 2. , -1. ,  0.5]" not in report  # a hidden input


def _grade_small_class(tmp_path, names, **options):
    source = hidden_source(tmp_path)
    folder = tmp_path / "submissions"
    folder.mkdir(exist_ok=True)
    context = Context(source, tmp_path / "out", 9)
    for attack in ATTACKS:
        if attack.name in names:
            attack.write(folder, context)
    return grade(source, [folder], tmp_path / "out", LIMITS, report=lambda line: None, **options)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rerun_gives_identical_results(tmp_path):
    names = ["correct", "partly_right", "checks_made_pass", "truncated"]
    _grade_small_class(tmp_path, names, jobs=2)
    first = _files(tmp_path / "out")
    _grade_small_class(tmp_path, names, jobs=2)
    assert _files(tmp_path / "out") == first
    assert len(first) == 1 + 2 * len(names)


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
    assert str(tmp_path) not in workers


def test_a_late_submission_adds_its_row_to_the_gradebook(tmp_path):
    _grade_small_class(tmp_path, ["correct", "blank"])
    source = tmp_path / EX01.name
    late = tmp_path / "late.ipynb"
    late.write_text(render(right()), encoding="utf-8")
    grade(source, [late], tmp_path / "out", LIMITS, report=lambda line: None)
    rows = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["blank", "correct", "late"]


# ---- the pieces ----


@pytest.mark.parametrize(
    "value",
    [
        0.5,
        3,
        True,
        None,
        "text",
        np.float32(1.5),
        np.arange(6, dtype=np.int16).reshape(2, 3),
        (np.array([1.0, np.nan]), 2.0),
        [1, [2.0, "x"]],
        {"W": np.eye(2), "b": np.zeros(2)},
        (b"\x00\x00\x08\x03", bytearray(b"IDX")),
    ],
)
def test_values_come_out_of_the_kernel_as_the_same_data(tmp_path, value):
    arrays = {}
    harness.save_data(tmp_path / "r.npz", {"v": harness.encode(value, arrays)}, arrays)
    manifest, loaded = harness.load_data(tmp_path / "r.npz", 2**20)
    back = harness.decode(manifest["v"], loaded)
    assert type(back) is type(value)
    np.testing.assert_equal(back, value)
    if isinstance(value, np.ndarray | np.generic):
        assert back.dtype == value.dtype


def test_objects_come_out_only_as_descriptions():
    class Yes(np.ndarray):
        def __eq__(self, other):
            return True

    arrays = {}
    assert harness.encode(object(), arrays) == {"t": "opaque", "d": "<an object of type object>"}
    assert harness.encode(np.array([1, "a"], dtype=object), arrays)["t"] == "opaque"
    node = harness.encode(np.zeros(2).view(Yes), arrays)
    assert type(arrays[node["key"]]) is np.ndarray
    assert harness.holds_objects({"rng": np.random.default_rng(0)})
    assert not harness.holds_objects({"x": np.zeros(2), "n": 3})


def test_a_warning_comes_out_of_the_kernel_with_the_value():
    outcome = call_case(lambda x: np.exp(np.float32(x)), {"x": 1000.0})
    arrays = {}
    manifest = {"missing": "", "cases": [harness._encode_outcome(outcome, arrays)]}
    (decoded,) = harness.decode_outcomes(manifest, arrays, 1)
    assert decoded.warning == "RuntimeWarning: overflow encountered in exp"
    assert decoded.value == np.inf


def test_loading_results_refuses_pickles_bombs_links_and_fifos(tmp_path):
    np.savez(tmp_path / "pickle.npz", manifest=np.frombuffer(b"{}", np.uint8), a=np.array([{}]))
    with pytest.raises(ValueError):
        harness.load_data(tmp_path / "pickle.npz", 2**20)
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.npy", b"\0" * 2**22)
    with pytest.raises(ValueError, match="unpacks to more than"):
        harness.load_data(tmp_path / "bomb.npz", 2**20)
    (tmp_path / "link.npz").symlink_to(tmp_path / "pickle.npz")
    with pytest.raises(OSError):
        harness.load_data(tmp_path / "link.npz", 2**20)
    os.mkfifo(tmp_path / "fifo.npz")
    with pytest.raises(ValueError, match="not a regular file"):
        harness.load_data(tmp_path / "fifo.npz", 2**20)
    with pytest.raises(ValueError):
        harness.decode_outcomes({"cases": [1, 2]}, {}, 2)
    with pytest.raises(ValueError):
        harness.decode_outcomes({"cases": [{"value": {"t": "array", "key": "a9"}}]}, {}, 1)


@pytest.mark.parametrize(
    ("got", "why"),
    [
        ("0.5", "not a number"),
        (np.array(0.5, dtype=object), "not a number"),
        (0.5 + 0j, "not a number"),
        ([0.5], "expected shape ()"),
        (float("nan"), "NaN"),
    ],
)
def test_compare_accepts_only_real_numbers_of_the_right_shape(got, why):
    assert why in compare(got, 0.5)


def test_call_case_turns_exits_into_data_and_judge_survives_odd_results():
    def leaves():
        sys.exit(3)

    assert call_case(leaves, {}) == Outcome(error="SystemExit: 3")
    case = Case({}, verify=lambda result: result.missing_attribute)
    verdict = judge("task", case, Outcome(value=1.0))
    assert not verdict.passed and "could not be checked (AttributeError" in verdict.reason


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
    assert checks == [
        f'check("{task}")\n' if task in HIDDEN else f'check("{task}")' for task in TASKS
    ]


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
    from nnlib.course.checks.ex01 import TASKS as EX01_TASKS

    monkeypatch.setenv(STRICT_ENV, "1")
    extra = [Case(dict(x=np.array([2.0]), w=np.array([3.0]), b=1.0), expected=7.0)]
    Checker(EX01_TASKS)("weighted_sum", lambda x, w, b: float(x @ w + b), cases=extra)
    with pytest.raises(AssertionError, match="0 of 1"):
        Checker(EX01_TASKS)("weighted_sum", lambda x, w, b: float(x @ w), cases=extra)


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


def test_learners_are_found_in_files_folders_and_nbgrader_layouts(tmp_path):
    notebook = render(student())
    (tmp_path / "class" / "alice" / "ex01").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "ex01" / EX01.name).write_text(notebook)
    (tmp_path / "class" / "bob.ipynb").write_text(notebook)
    (tmp_path / "class" / "empty").mkdir()
    (tmp_path / "class" / "two").mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        (tmp_path / "class" / "two" / name).write_text(notebook)
    (tmp_path / "@SUM(A1).ipynb").write_text(notebook)
    found = find_submissions(
        [tmp_path / "class", tmp_path / "class" / "bob.ipynb", tmp_path / "@SUM(A1).ipynb"],
        EX01.name,
    )
    assert [(s.name, s.path is not None) for s in found] == [
        ("alice", True), ("bob", True), ("empty", False), ("two", False), ("bob-2", True),
        ("_@SUM_A1", True),
    ]  # fmt: skip
    assert "several notebooks" in found[3].problem
    assert learner_name("../../etc") == "etc" and learner_name("gradebook.csv") != "gradebook.csv"


def test_reading_keeps_what_can_be_read(tmp_path):
    nb = json.loads(render(right()))
    nb["cells"].insert(0, {"cell_type": "code", "source": 7})
    nb["cells"].insert(0, "not a cell")
    (tmp_path / "odd.ipynb").write_text(json.dumps(nb))
    cells, problems = read_notebook(tmp_path / "odd.ipynb")
    assert len(cells) == len(nb["cells"]) - 2
    assert any("2 damaged cell(s) were skipped" in p for p in problems)
    assert any("not valid nbformat 4" in p for p in problems)


# ---- the commands ----


def test_cli_grade_and_its_errors(tmp_path, capsys):
    source = hidden_source(tmp_path)
    (tmp_path / "ann.ipynb").write_text(render(right()), encoding="utf-8")
    assert main(["grade", str(source), str(tmp_path / "ann.ipynb"), "--out", str(tmp_path / "o"),
                 "-j", "2", "--cell-timeout", "4", "--memory", "1024"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "sandbox:" in out and "ann: 5 / 5 (ok)" in out and "graded 1 notebooks" in out
    plain = tmp_path / "plain.ipynb"
    plain.write_text(render(nbformat.v4.new_notebook()))
    assert (
        main(["grade", str(plain), str(tmp_path / "ann.ipynb"), "--out", str(tmp_path / "o")]) == 2
    )
    assert "no nnlib.exercise metadata" in capsys.readouterr().err


def test_gradescope_bundle_and_autograder(tmp_path, capsys):
    source = hidden_source(tmp_path)
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", str(source), "--out", str(archive), "--cell-timeout", "4"]) == 0
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        run = zipped.read("run_autograder").decode()
        executable = {i.filename: i.external_attr >> 16 & 0o111 for i in zipped.infolist()}
    assert {"setup.sh", "run_autograder", EX01.name, "nnlib-package/pyproject.toml"} <= set(names)
    assert "nnlib-package/nnlib/course/grade.py" in names
    assert executable["setup.sh"] and executable["run_autograder"]
    assert f"/autograder/source/{EX01.name}" in run and "--cell-timeout=4" in run
    assert f"chmod 600 /autograder/source/{EX01.name}" in run  # the kernel runs as nobody
    submission = tmp_path / "submission"
    (submission / "nested").mkdir(parents=True)
    (submission / "nested" / "mine.ipynb").write_text(render(right()), encoding="utf-8")
    results = run_autograder(source, submission, tmp_path / "results" / "results.json", LIMITS)
    assert results["score"] == 5
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 5
    (submission / "nested" / "mine.ipynb").unlink()
    empty = run_autograder(source, submission, tmp_path / "results.json", LIMITS)
    assert empty["score"] == 0 and "holds no notebook" in empty["output"]


def test_progress_shows_which_tasks_pass(tmp_path, capsys):
    nb = right(
        predict_batch="def predict_batch(X, w, b):\n    return 0\n",
        nand_weights="def nand_weights():\n    raise NotImplementedError()\n",
    )
    (tmp_path / EX01.name).write_text(render(nb), encoding="utf-8")
    (tmp_path / "ex99_broken.ipynb").write_text("{")
    table = progress(tmp_path)
    assert "| ex01_single_neuron | 2 of 4 |" in str(table)
    assert (
        "✓ weighted_sum · ✗ predict_batch (0/3) · ○ nand_weights · ✓ perceptron_update"
        in str(table)
    )
    assert "| ex99_broken | - | could not be checked" in table._repr_markdown_()
    assert main(["progress", str(tmp_path)]) == 0
    assert "2 of 4" in capsys.readouterr().out
