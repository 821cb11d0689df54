"""nbgrader courses, end to end with the real nbgrader (pinned by the ``nbgrader`` extra).

One course serves the whole module, because nbgrader is slow to start: ``nbgrader quickstart``;
every exercise written into ``source/`` by ``nnlib nbgrader-source``, ex01 with hidden tests added
to its copy, and each exercise once more with a hidden-test region in every check cell;
``nbgrader generate_assignment`` for all of them at once. Then seven learners hand in ex01 and
ex03 as ``nbgrader collect`` leaves them: correct, blank, partly right, wrong, blank with its check
cells replaced by ``pass`` (tampered), and the two cheats that defeat any check run in the
learner's kernel: an answer cell that sets ``NNLIB_STRICT_CHECKS=0``, and one that redefines
``check``. ``nbgrader autograde`` grades ex01 in the learners' kernels (to show what that can and
cannot catch); ``nnlib grade --nbgrader`` grades both outside them and writes the gradebook (ex01
all or nothing, ex03 with partial credit); ``nbgrader generate_feedback`` and ``nbgrader export``
finish the round. Every score is derived by hand below; no hidden input, expected value or
solution may appear in any released or feedback file; and ``nnlib release`` must write exactly
what ``nbgrader generate_assignment`` writes.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.course.checks import ex03
from nnlib.course.nbgrader_course import NbgraderError, gradebook_url, write_source_tree
from nnlib.course.notebook_check import exercise_tasks
from nnlib.course.release import SOLUTION, render, student_notebook
from nnlib.course.selfcheck import STRICT_ENV

BIN = Path(sys.executable).parent  # nbgrader calls `alembic` by name: the venv's bin on PATH
EX01, EX03 = "ex01_single_neuron", "ex03_loss_and_gradient_descent"
STAMP = "2026-01-15 10:00:00.000000 UTC"
ARTIFACTS = ROOT / "artifacts" / "nbgrader"

# ex01's hidden tests, with numbers found nowhere else, so that a leak cannot hide:
# 4321.125*1 + 87.625*1 + 0.0678 = 4408.8178
# z = 0.5*(-3.71) + 0.5*(-9.29) = -6.5 -> y_hat = 0, error = 1:
#   w = (0.5 - 0.0137*3.71, 0.5 - 0.0137*9.29) = (0.449173, 0.372727), b = 0 + 0.0137
HIDDEN = {
    "weighted_sum": "Case(dict(x=np.array([4321.125, 87.625]), w=np.array([1.0, 1.0]), "
    "b=0.0678), expected=4408.8178)",
    "perceptron_update": "Case(dict(w=np.array([0.5, 0.5]), b=0.0, x=np.array([-3.71, -9.29]), "
    "y=1, learning_rate=0.0137), expected=(np.array([0.449173, 0.372727]), 0.0137))",
}
SECRETS = ["4321.1", "87.625", "0.0678", "4408.8", "-3.71", "-9.29", "0.0137", "0.44917",
           "0.37272", "HIDDEN TESTS", "cases=["]  # fmt: skip

# What the learners write, task by task (tasks not named stay as released: not done).
ANSWERS = {
    EX01: {
        "partly": {
            "weighted_sum": "correct",
            "nand_weights": "correct",
            # the bias is never updated: visible case 2 wants b = -2.5, this gives -3.0
            "perceptron_update": "def perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = y - float(w @ x + b >= 0)\n    return w + learning_rate * error * x, b\n",
        },
        "wrong": {
            # no bias: visible case 1 gives 0.6, not 0.5
            "weighted_sum": "def weighted_sum(x, w, b):\n    return float(x @ w)\n",
            # z = 0 does not fire: visible case 2 gives 0, not 1, for its first row
            "predict_batch": "def predict_batch(X, w, b):\n    return (X @ w + b > 0) * 1.0\n",
            # AND, not NAND
            "nand_weights": "import numpy as np\ndef nand_weights():\n"
            "    return np.array([1.0, 1.0]), -1.5\n",
            # error sign flipped: visible case 1 moves w to (2, -1), not (-2, 1)
            "perceptron_update": "def perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = float(w @ x + b >= 0) - y\n"
            "    return w + learning_rate * error * x, b + learning_rate * error\n",
        },
    },
    EX03: {
        "partly": {
            # right, except that a batch of one sample raises
            "mse": "import numpy as np\ndef mse(y_pred, y_true):\n    if len(y_pred) == 1:\n"
            "        raise ValueError('one sample')\n"
            "    return float(np.sum((y_pred - y_true) ** 2) / (2 * len(y_pred)))\n",
            "binary_cross_entropy": "correct",
        },
        # -1 for everything: a loss is never negative, a gradient or step is a pair
        "wrong": {
            task: f"def {task}(*args):\n    return -1.0\n"
            for task in ("mse", "binary_cross_entropy", "gradients", "gradient_descent_step")
        },
    },
}
CHEATS = {
    "cheat_env": 'import os\nos.environ["NNLIB_STRICT_CHECKS"] = "0"\n',
    "cheat_check": "def check(*args, **kwargs):\n    pass\n",
}
LEARNERS = ["blank", "cheat_check", "cheat_env", "correct", "partly", "tampered", "wrong"]

# The scores, task by task, worked by hand. ex01 is all or nothing per task.
EX01_POINTS = {"weighted_sum": 1, "predict_batch": 1, "nand_weights": 1, "perceptron_update": 2}
# ex03 is graded with partial credit: mse of "partly" passes its cases of more than one sample.
MSE_CASES = [len(case.args["y_pred"]) > 1 for case in ex03.mse.cases]
EX03_POINTS = {"mse": 1, "binary_cross_entropy": 2, "gradients": 2, "gradient_descent_step": 1}
NOTHING = {EX01: dict.fromkeys(EX01_POINTS, 0), EX03: dict.fromkeys(EX03_POINTS, 0)}
EXPECTED = {
    EX01: {
        **{learner: NOTHING[EX01] for learner in LEARNERS},
        "correct": EX01_POINTS,
        "partly": {**NOTHING[EX01], "weighted_sum": 1, "nand_weights": 1},
    },
    EX03: {
        **{learner: NOTHING[EX03] for learner in LEARNERS},
        "correct": EX03_POINTS,
        "partly": {
            **NOTHING[EX03],
            "mse": round(sum(MSE_CASES) / len(MSE_CASES), 2),
            "binary_cross_entropy": 2,
        },
    },
}
# nbgrader's own autograder runs the checks in the learner's kernel: the checks fail safe (no
# NNLIB_STRICT_CHECKS needed, and setting it to 0 changes nothing), but a learner who redefines
# `check` passes them all. That is why the scores must come from `nnlib grade`. (Four learners
# only, the names matching "[bc]*", to keep the kernels few; the others are new to the gradebook
# when nnlib writes them, which is the other path through it.)
IN_KERNEL = "[bc]*"
IN_KERNEL_EX01 = {"blank": 0, "cheat_env": 0, "correct": 5, "cheat_check": 5}


def nbgrader(folder: Path, *args: str, env: dict | None = None) -> str:
    """Run the nbgrader command in ``folder``; return what it printed (it must succeed)."""
    environment = {**os.environ, **(env or {})}
    environment["PATH"] = f"{BIN}{os.pathsep}{environment.get('PATH', '')}"
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def with_hidden_tests(path: Path, hidden: dict[str, str]) -> None:
    """Add a hidden-test region to the end of the check cells of the tasks in ``hidden``."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        task = cell.metadata.get("nnlib", {}).get("task")
        if cell.metadata.get("nnlib", {}).get("role") == "check" and task in hidden:
            cell.source += (
                "\n### BEGIN HIDDEN TESTS\nfrom nnlib.course.selfcheck import Case\n"
                f'check("{task}", cases=[{hidden[task]}])\n### END HIDDEN TESTS'
            )
    path.write_text(render(nb), encoding="utf-8")


def solutions(path: Path) -> dict[str, str]:
    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nnlib"]["task"]: c.source for c in nb.cells
            if c.metadata.get("nnlib", {}).get("role") == "solution"}  # fmt: skip


def submission(course: Path, assignment: str, learner: str) -> nbformat.NotebookNode:
    """What ``learner`` hands in: nbgrader's release of ``assignment``, with their answers."""
    nb = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    right = solutions(course / "source" / assignment / f"{assignment}.ipynb")
    answers = ANSWERS[assignment].get(learner, right if learner == "correct" else {})
    first = True
    for cell in nb.cells:
        role, task = (cell.metadata.get("nnlib", {}).get(key) for key in ("role", "task"))
        if role == "solution" and task in answers:
            cell.source = right[task] if answers[task] == "correct" else answers[task]
        if role == "solution" and learner in CHEATS and first:
            cell.source = CHEATS[learner] + cell.source
            first = False
        if role == "check" and learner == "tampered":
            cell.source = "pass"
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("nbgrader")
    nbgrader(base, "quickstart", "course")
    course = base / "course"
    # As the README says: drop quickstart's example and the header it adds to every notebook.
    shutil.rmtree(course / "source" / "ps1")
    (course / "source" / "header.ipynb").unlink()
    config = course / "nbgrader_config.py"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    config.write_text("".join(x for x in lines if not x.startswith("c.IncludeHeaderFooter")))
    assert main(["nbgrader-source", str(course), "--exercises", str(ROOT / "exercises")]) == 0
    with_hidden_tests(course / "source" / EX01 / f"{EX01}.ipynb", HIDDEN)
    for folder in sorted((course / "source").glob("ex*")):
        twin = course / "source" / f"hidden_{folder.name}"
        shutil.copytree(folder, twin)
        notebook = twin / f"{folder.name}.ipynb"
        tasks = exercise_tasks(nbformat.read(notebook, as_version=4))
        with_hidden_tests(notebook, {task.name: "Case(dict(), expected=0)" for task in tasks})
    nbgrader(course, "generate_assignment", "*")

    for assignment in (EX01, EX03):
        for learner in LEARNERS:
            folder = course / "submitted" / learner / assignment
            folder.mkdir(parents=True)
            (folder / "timestamp.txt").write_text(STAMP)
            nb = submission(course, assignment, learner)
            (folder / f"{assignment}.ipynb").write_text(render(nb), encoding="utf-8")

    # In the learners' kernels, as an nbgrader course would grade without nnlib; an instructor
    # who sets NNLIB_STRICT_CHECKS=0 by mistake changes nothing.
    nbgrader(course, "autograde", EX01, f"--student={IN_KERNEL}", env={STRICT_ENV: "0"})
    in_kernel = gradebook_scores(course, EX01)
    kernel_outputs = {
        learner: (course / "autograded" / learner / EX01 / f"{EX01}.ipynb").read_text()
        for learner in IN_KERNEL_EX01
    }
    blank = course / "submitted" / "blank" / EX01 / f"{EX01}.ipynb"
    validated = nbgrader(course, "validate", str(blank))

    out = base / "graded"
    for assignment, policy in ((EX01, []), (EX03, ["--partial-credit"])):
        source = course / "source" / assignment / f"{assignment}.ipynb"
        code = main(["grade", str(source), str(course / "submitted"), "--out",
                     str(out / assignment), "-j", "2", *policy,
                     "--nbgrader", str(course), assignment])  # fmt: skip
        assert code == 0
    nbgrader(course, "generate_feedback", "ex0[13]*")
    nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as file:
        export = [row for row in csv.DictReader(file) if row["assignment"] in (EX01, EX03)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # for a reader: the export and two feedbacks
    shutil.copyfile(course / "grades.csv", ARTIFACTS / "grades.csv")
    (ARTIFACTS / "in_kernel_ex01.json").write_text(json.dumps(in_kernel, indent=1))
    for learner in ("partly", "cheat_check"):
        html = course / "feedback" / learner / EX01 / f"{EX01}.html"
        shutil.copyfile(html, ARTIFACTS / f"feedback_{learner}_{EX01}.html")
    return {
        "course": course,
        "out": out,
        "in_kernel": in_kernel,
        "kernel_outputs": kernel_outputs,
        "validated": validated,
        "export": export,
    }


def gradebook_scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(gradebook_url(course)) as gradebook:
        return {
            s.student.id: s.score for s in gradebook.find_assignment(assignment).submissions
        }


def test_export_holds_the_scores_of_nnlib_grade(course):
    table = {(row["assignment"], row["student_id"]): row for row in course["export"]}
    for assignment in (EX01, EX03):
        for learner in LEARNERS:
            row = table[assignment, learner]
            expected = sum(EXPECTED[assignment][learner].values())
            assert float(row["score"]) == pytest.approx(expected), (assignment, learner)
            assert float(row["max_score"]) == (6 if assignment == EX03 else 5)


def test_every_grader_gives_each_task_the_same_score(course):
    """The per-cell scores in nbgrader's gradebook, nnlib's gradebook.csv and the Gradescope
    results.json agree, task by task, under each exercise's policy."""
    from nbgrader.api import Gradebook

    with Gradebook(gradebook_url(course["course"])) as gradebook:
        for assignment in (EX01, EX03):
            with open(course["out"] / assignment / "gradebook.csv", newline="") as file:
                rows = {row["name"]: row for row in csv.DictReader(file)}
            for learner in LEARNERS:
                results = json.loads(
                    (course["out"] / assignment / learner / "results.json").read_text()
                )
                gradescope = {t["name"].split(": ")[1]: t["score"] for t in results["tests"]}
                for task, score in EXPECTED[assignment][learner].items():
                    cell = gradebook.find_grade(f"check_{task}", assignment, assignment, learner)
                    assert cell.score == pytest.approx(score), (assignment, learner, task)
                    assert float(rows[learner][task]) == pytest.approx(score)
                    assert gradescope[task] == pytest.approx(score)
                comment = gradebook.find_comment("weighted_sum", EX01, EX01, learner).comment
                assert comment.startswith("nnlib grade: ")


def test_checks_in_the_learners_kernel_fail_safe_but_cannot_stop_a_redefined_check(course):
    assert course["in_kernel"] == pytest.approx(IN_KERNEL_EX01)
    assert "VALIDATION FAILED" in course["validated"]
    assert "not done yet" in course["validated"]


def test_tampering_is_reported_to_the_learner(course):
    feedback = (course["out"] / EX01 / "tampered" / "feedback.md").read_text()
    assert "status: tampered" in feedback and "was edited; the original was restored" in feedback


def learners_files(course: Path) -> list[Path]:
    """Every file a learner may see: the release, nbgrader's feedback, nnlib's feedback."""
    folders = [course["course"] / "release", course["course"] / "feedback", course["out"]]
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


def test_no_hidden_test_reaches_any_file_a_learner_sees(course):
    source = (course["course"] / "source" / EX01 / f"{EX01}.ipynb").read_text()
    assert all(secret in source for secret in SECRETS)  # what is looked for is really there
    files = learners_files(course)
    assert len([p for p in files if p.suffix == ".html"]) == 2 * len(LEARNERS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{path} shows {leaked}"
    for learner, text in course["kernel_outputs"].items():
        nb = nbformat.reads(text, as_version=4)
        outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
        assert not [s for s in SECRETS[:-2] if s in outputs], f"{learner}'s kernel printed them"
    feedback = (course["out"] / EX01 / "partly" / "feedback.md").read_text()
    assert "hidden test 1" in feedback and "(its inputs and expected output are hidden)" in feedback


def test_no_solution_reaches_a_learner_who_did_not_write_it(course):
    for assignment in (EX01, EX03):
        source = (course["course"] / "source" / assignment / f"{assignment}.ipynb").read_text()
        nb = nbformat.reads(source, as_version=4)
        # what the checks ship to every learner anyway (hints spell out lines like "eps = 1e-12")
        public = Path(sys.modules[f"nnlib.course.checks.{nb.metadata.nnlib.exercise}"].__file__)
        lines = {
            line.strip()
            for cell in nb.cells
            for region in SOLUTION.finditer(cell.source)
            for line in region[0].splitlines()[1:-1]
            if sum(ch.isalnum() for ch in line) >= 3 and line.strip() not in public.read_text()
        }
        assert lines
        unanswered = ["blank", "tampered", "cheat_env", "cheat_check", "wrong"]
        seen = [course["course"] / "release" / assignment / f"{assignment}.ipynb"]
        for learner in unanswered:
            seen += [course["course"] / "feedback" / learner / assignment / f"{assignment}.html",
                     course["out"] / assignment / learner / "feedback.md",
                     course["out"] / assignment / learner / "results.json"]  # fmt: skip
        for path in seen:
            text = path.read_text(encoding="utf-8")
            assert not [line for line in lines if line in text], f"a solution is in {path}"


def test_nnlib_release_writes_what_nbgrader_generate_assignment_writes(course):
    """Byte for byte, for every exercise, with and without hidden tests."""
    released = sorted((course["course"] / "release").glob("*/*.ipynb"))
    assert len(released) == 2 * len(list((ROOT / "exercises" / "source").glob("ex*.ipynb")))
    for path in released:
        source = course["course"] / "source" / path.parent.name / path.name
        mine = render(student_notebook(nbformat.read(source, as_version=4)))
        assert mine == path.read_text(encoding="utf-8"), f"{path.parent.name} differs"
    committed = ROOT / "exercises" / f"{EX03}.ipynb"
    nbgrader_made = course["course"] / "release" / EX03 / committed.name
    assert committed.read_text(encoding="utf-8") == nbgrader_made.read_text(encoding="utf-8")


def test_the_source_tree_holds_notebooks_only(course, tmp_path):
    files = sorted(p.relative_to(course["course"] / "source").as_posix()
                   for p in (course["course"] / "source").rglob("*") if p.is_file())  # fmt: skip
    assert files and all(re.fullmatch(r"(hidden_)?(ex\d\d_\w+)/\2\.ipynb", f) for f in files)
    (tmp_path / "source" / EX01).mkdir(parents=True)
    (tmp_path / "source" / EX01 / f"{EX01}.md").write_text("### BEGIN SOLUTION")
    with pytest.raises(NbgraderError, match=f"{EX01}.md besides"):
        write_source_tree(ROOT / "exercises" / "source", tmp_path)
