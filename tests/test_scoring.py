"""One scoring policy for every grader: all or nothing per task, or partial credit."""

import json
import zipfile

import pytest
from grading.attacks import hidden_source, right
from hypothesis import given
from hypothesis import strategies as st

from nnlib.__main__ import main
from nnlib.course import sandbox
from nnlib.course.gradescope import run_autograder
from nnlib.course.release import render
from nnlib.course.scoring import task_score

LIMITS = sandbox.Limits(cell_timeout=4, total_timeout=40, memory_mb=1024, output_mb=2, grace=2)


@given(st.integers(0, 20), st.integers(1, 20), st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_all_or_nothing_gives_the_points_only_when_every_case_passes(passed, cases, points):
    passed = min(passed, cases)
    assert task_score(points, passed, cases) == (points if passed == cases else 0.0)


@given(st.integers(0, 20), st.integers(1, 20), st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_partial_credit_gives_the_fraction_of_cases_that_pass(passed, cases, points):
    passed = min(passed, cases)
    score = task_score(points, passed, cases, partial_credit=True)
    assert abs(score - points * passed / cases) <= 0.005 + 1e-12  # rounded to 0.01
    assert 0 <= score <= points


def test_hand_worked_scores_and_bad_input():
    assert task_score(2, 2, 3) == 0.0 and task_score(2, 3, 3) == 2.0
    assert task_score(2, 2, 3, partial_credit=True) == 1.33  # 2 * 2/3 = 1.333...
    assert task_score(1, 0, 0, partial_credit=True) == 0.0  # no case: nothing shown right
    with pytest.raises(ValueError, match="passed must lie between 0 and cases=3, got passed=4"):
        task_score(1, 4, 3)
    with pytest.raises(ValueError, match="points must be >= 0, got -1"):
        task_score(-1, 0, 3)


# predict_batch with `>` for `>=`: visible case 1 has no z = 0 (passes), case 2 has z = 0 in its
# first row (fails), case 3 has z = -2 (passes), the hidden case has z = (1, -3, -1) (passes):
# 3 of 4 cases, so 0.75 of its 1 point with partial credit, 0 without; the other tasks are right.
STRICT = "def predict_batch(X, w, b):\n    return (X @ w + b > 0).astype(float)\n"


@pytest.mark.parametrize(("partial", "scores"), [(False, [1, 0, 1, 2]), (True, [1, 0.75, 1, 2])])
def test_gradescope_grades_with_the_policy_its_bundle_was_made_with(tmp_path, partial, scores):
    source = hidden_source(tmp_path)
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", str(source), "--out", str(archive),
                 *(["--partial-credit"] if partial else [])]) == 0  # fmt: skip
    with zipfile.ZipFile(archive) as zipped:
        assert ("--partial-credit" in zipped.read("run_autograder").decode()) is partial
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "mine.ipynb").write_text(render(right(predict_batch=STRICT)))
    results = tmp_path / "results" / "results.json"
    run_autograder(source, tmp_path / "submission", results, LIMITS, partial_credit=partial)
    written = json.loads(results.read_text())
    assert [test["score"] for test in written["tests"]] == scores
    assert written["score"] == sum(scores)
