"""The Gradescope autograder bundle, and one submission graded as Gradescope runs it."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from grading import ordinary_user
from grading.attacks import EX01, hidden_source, right

from nnlib.__main__ import main
from nnlib.course import sandbox
from nnlib.course.gradescope import run_autograder
from nnlib.course.release import render
from nnlib.course.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(cell_timeout=8, total_timeout=40, memory_mb=1024)


def test_gradescope_bundle_and_autograder(tmp_path, capsys):
    source = hidden_source(tmp_path)
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", str(source), "--out", str(archive), "--cell-timeout", "4"]) == 0
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        run = zipped.read("run_autograder").decode()
        zipped_setup = zipped.read("setup.sh").decode()
        executable = {i.filename: i.external_attr >> 16 & 0o111 for i in zipped.infolist()}
    assert {"setup.sh", "run_autograder", EX01.name, "nnlib-package/pyproject.toml"} <= set(names)
    assert "nnlib-package/nnlib/course/grade.py" in names
    assert executable["setup.sh"] and executable["run_autograder"]
    assert f"/autograder/source/{EX01.name}" in run and "--cell-timeout=4" in run
    assert "bubblewrap" not in zipped_setup  # Gradescope's container is the sandbox
    assert "--isolation=container" in run and "chmod 700 /autograder/source" in run
    submission = tmp_path / "submission"
    (submission / "nested").mkdir(parents=True)
    (submission / "nested" / "mine.ipynb").write_text(render(right()), encoding="utf-8")
    results = run_autograder(source, submission, tmp_path / "results" / "results.json", LIMITS)
    assert results["score"] == 5
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 5
    (submission / "nested" / "mine.ipynb").unlink()
    empty = run_autograder(source, submission, tmp_path / "results.json", LIMITS)
    assert empty["score"] == 0 and "holds no notebook" in empty["output"]


def test_a_bundle_of_the_chinese_edition_grades_in_chinese(tmp_path):
    source = ROOT / "zh" / "exercises" / "source" / "ex01_single_neuron.ipynb"
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", str(source), "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as zipped:
        run = zipped.read("run_autograder").decode()
        names = zipped.namelist()
    assert "export NNLIB_LANG=zh_CN" in run  # its folder, zh/, is gone on Gradescope
    assert "nnlib-package/nnlib/locale/zh_CN/LC_MESSAGES/nnlib.mo" in names
    english = tmp_path / "en.zip"
    assert main(["gradescope", str(EX01), "--out", str(english)]) == 0
    with zipfile.ZipFile(english) as zipped:
        assert "NNLIB_LANG" not in zipped.read("run_autograder").decode()


HOSTILE = """import os

def _tried(path, mode):
    try:
        with open(path, mode) as file:
            file.write('{{"score": 100}}') if "w" in mode else file.read()
        return True
    except OSError:
        return False

def weighted_sum(x, w, b):
    written = _tried({results!r}, "w") or _tried({extra!r}, "w")
    return 999.0 if _tried({source!r}, "r") or written or os.getuid() == 0 else float(x @ w + b)
"""


def _autograder(base: Path) -> tuple[Path, Path, Path]:
    """Gradescope's layout: the source in a root-only folder, the results' folder root's."""
    folders = [base / "autograder" / name for name in ("source", "submission", "results")]
    for folder in folders:
        folder.mkdir(parents=True)
    source = hidden_source(folders[0])
    folders[0].chmod(0o700)
    return source, folders[1], folders[2] / "results.json"


def _run_in_container_mode(source, submission, results, keep) -> subprocess.CompletedProcess:
    force = [] if sandbox.in_container() else [sandbox.FORCE_CONTAINER]
    command = [sys.executable, "-m", "nnlib.course.gradescope", str(source), str(submission),
               str(results), "--isolation=container", *force, "--cell-timeout=8",
               "--timeout=40", "--memory=1024"]  # fmt: skip
    return subprocess.run(
        ordinary_user.as_root(command, keep), capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(bool(ordinary_user.available()), reason=ordinary_user.available() or "")
def test_in_container_mode_a_kernel_cannot_read_the_hidden_tests_or_write_the_results():
    """Gradescope's entry point as run_autograder runs it (root, --isolation=container): the
    honest learner gets full marks; the hostile one, whose function answers wrong if it runs as
    root or could read the source or write the results, gets full marks too, and its forged
    score never reaches results.json."""
    base = Path(tempfile.mkdtemp(prefix="nnlib-container-mode-"))
    try:
        base.chmod(0o755)
        source, submission, results = _autograder(base)
        extra = results.with_name("extra.json")
        hostile = HOSTILE.format(source=str(source), results=str(results), extra=str(extra))
        scores = {}
        for name, notebook in (("honest", right()), ("hostile", right(weighted_sum=hostile))):
            (submission / "mine.ipynb").write_text(render(notebook), encoding="utf-8")
            (base / name).mkdir()
            done = _run_in_container_mode(source, submission, results, base / name)
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith(f"sandbox: {sandbox.Mode.CONTAINER.value}"), done.stdout
            scores[name] = json.loads(results.read_text(encoding="utf-8"))["score"]
        assert scores == {"honest": 5, "hostile": 5}, done.stdout
        assert not extra.exists()
        assert "nnlib-grade-" not in " ".join(os.listdir(tempfile.gettempdir()))
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the container mode needs root")
def test_container_mode_is_refused_where_a_kernel_could_read_the_tests_or_outside_a_container(
    monkeypatch,
):
    base = Path(tempfile.mkdtemp(prefix="nnlib-container-mode-"))
    try:
        base.chmod(0o755)  # pytest's own folders are closed to others: this one is open
        source, submission, results = _autograder(base)
        (submission / "mine.ipynb").write_text(render(right()), encoding="utf-8")
        source.parent.chmod(0o755)
        exposed = run_autograder(source, submission, results, LIMITS, container=True, force=True)
        assert exposed["score"] == 0 and "could read the hidden tests" in exposed["output"]
        source.parent.chmod(0o700)
        results.parent.chmod(0o777)
        writable = run_autograder(source, submission, results, LIMITS, container=True, force=True)
        assert f"could write into {results.parent}" in writable["output"]
        results.parent.chmod(0o755)
        monkeypatch.setattr(sandbox, "in_container", lambda: False)
        sandbox.container_protections.cache_clear()
        outside = run_autograder(source, submission, results, LIMITS, container=True)
        assert outside["score"] == 0 and sandbox.FORCE_CONTAINER in outside["output"]
        assert json.loads(results.read_text(encoding="utf-8")) == outside
    finally:
        sandbox.container_protections.cache_clear()
        shutil.rmtree(base, ignore_errors=True)
