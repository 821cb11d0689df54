"""The Gradescope autograder bundle, and one submission graded as Gradescope runs it."""

import json
import zipfile

from grading.attacks import EX01, hidden_source, right

from nnlib.__main__ import main
from nnlib.course.gradescope import run_autograder
from nnlib.course.release import render
from nnlib.course.sandbox import Limits

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
    assert "bubblewrap" in zipped_setup  # every submission is graded in a sandbox
    submission = tmp_path / "submission"
    (submission / "nested").mkdir(parents=True)
    (submission / "nested" / "mine.ipynb").write_text(render(right()), encoding="utf-8")
    results = run_autograder(source, submission, tmp_path / "results" / "results.json", LIMITS)
    assert results["score"] == 5
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 5
    (submission / "nested" / "mine.ipynb").unlink()
    empty = run_autograder(source, submission, tmp_path / "results.json", LIMITS)
    assert empty["score"] == 0 and "holds no notebook" in empty["output"]
