"""Collecting a class's exercise from homes or nbgrader's exchange, and returning feedback.

The hub test (tests/hub) runs the whole round trip with ``nnlib grade`` on a real hub; these
tests pin what it cannot show cheaply: a student without a notebook, a student who plants a
symbolic link or a pipe, nbgrader's exchange with several submissions, feedback that must not
follow a link out of a home.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from nnlib.course.collect import (
    class_list,
    exercise_name,
    from_exchange,
    from_homes,
    return_feedback,
    summary,
)

EXERCISE = "ex01_single_neuron"
STUDENT_VERSION = ROOT / "exercises" / f"{EXERCISE}.ipynb"


def course_in(home, folder="neuron-to-mnist"):
    exercises = home / folder / "exercises"
    exercises.mkdir(parents=True)
    return exercises


@pytest.fixture
def homes(tmp_path):
    """alice has the notebook; bob pulled nothing; carol's is a link to a secret file;
    dave's is a named pipe."""
    root = tmp_path / "homes"
    shutil.copy(STUDENT_VERSION, course_in(root / "alice") / f"{EXERCISE}.ipynb")
    (root / "bob").mkdir(parents=True)
    secret = tmp_path / "solutions.ipynb"
    secret.write_text('{"the": "solutions"}', encoding="utf-8")
    (course_in(root / "carol") / f"{EXERCISE}.ipynb").symlink_to(secret)
    os.mkfifo(course_in(root / "dave") / f"{EXERCISE}.ipynb")
    return root


def test_every_student_gets_a_folder_and_only_regular_files_are_copied(homes, tmp_path):
    out = tmp_path / "submitted"
    rows = {row.student: row for row in from_homes(homes, "neuron-to-mnist", EXERCISE, out)}
    assert sorted(rows) == ["alice", "bob", "carol", "dave"]
    assert sorted(p.name for p in out.iterdir()) == sorted(rows)
    copied = out / "alice" / f"{EXERCISE}.ipynb"
    assert copied.read_bytes() == STUDENT_VERSION.read_bytes()
    assert (
        copied.stat().st_mtime
        == (homes / "alice/neuron-to-mnist/exercises" / copied.name).stat().st_mtime
    )
    assert rows["alice"].ok and rows["alice"].what.startswith("collected (")
    assert not rows["bob"].ok and "does not exist" in rows["bob"].what
    assert not rows["carol"].ok and "links are never followed" in rows["carol"].what
    assert not rows["dave"].ok and "not a regular file" in rows["dave"].what
    for student in ("bob", "carol", "dave"):
        assert list((out / student).iterdir()) == []
    assert summary(list(rows.values())).endswith("1 of 4 students done")


def test_a_linked_course_folder_is_refused_too(homes, tmp_path):
    elsewhere = course_in(tmp_path / "elsewhere").parent
    shutil.copy(STUDENT_VERSION, elsewhere / "exercises" / f"{EXERCISE}.ipynb")
    (homes / "erin").mkdir()
    (homes / "erin" / "neuron-to-mnist").symlink_to(elsewhere)
    rows = from_homes(homes, "neuron-to-mnist", EXERCISE, tmp_path / "out", ["erin"])
    assert not rows[0].ok and "symbolic link" in rows[0].what


def test_a_named_class_includes_students_without_a_home(homes, tmp_path):
    rows = from_homes(homes, "neuron-to-mnist", EXERCISE, tmp_path / "out", ["alice", "zoe"])
    assert [(r.student, r.ok) for r in rows] == [("alice", True), ("zoe", False)]
    assert "no home folder" in rows[1].what
    assert (tmp_path / "out" / "zoe").is_dir()


def test_collect_refuses_a_folder_that_holds_an_earlier_collection(homes, tmp_path):
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    with pytest.raises(ValueError, match="is not an empty folder"):
        from_homes(homes, "neuron-to-mnist", EXERCISE, out)


def test_the_class_and_the_exercise_are_read_and_checked(tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("bob\nalice\n\nbob\n", encoding="utf-8")
    assert class_list(str(names)) == ["alice", "bob"]
    assert class_list("carol, alice") == ["alice", "carol"]
    assert class_list(None) is None
    with pytest.raises(ValueError, match="'../root'"):
        class_list("alice,../root")
    assert exercise_name("1") == exercise_name("ex01") == exercise_name(f"{EXERCISE}.ipynb")
    with pytest.raises(ValueError, match="exercise 01 is ex01_single_neuron"):
        exercise_name("ex01_wrong_name")


def test_the_exchange_gives_each_students_latest_submission(tmp_path):
    inbound = tmp_path / "exchange" / "course101" / "inbound"
    submissions = {
        "alice+ps1+2026-12-01 09:00:00.000000 UTC": "first",
        "alice+ps1+2026-12-01 10:30:00.000000 UTC+Zm9vYmFy": "latest",
        "alice+ps2+2026-12-02 10:00:00.000000 UTC": "another assignment",
        "bob+ps1+2026-12-01 08:00:00.000000 UTC": "bob's",
    }
    for name, text in submissions.items():
        (inbound / name).mkdir(parents=True)
        (inbound / name / f"{EXERCISE}.ipynb").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    rows = from_exchange(
        tmp_path / "exchange", "course101", "ps1", EXERCISE, out, ["alice", "bob", "carol"]
    )
    assert [(r.student, r.ok) for r in rows] == [("alice", True), ("bob", True), ("carol", False)]
    assert (out / "alice" / f"{EXERCISE}.ipynb").read_text(encoding="utf-8") == "latest"
    assert (out / "bob" / f"{EXERCISE}.ipynb").read_text(encoding="utf-8") == "bob's"
    assert "no submission of ps1" in rows[2].what
    with pytest.raises(ValueError, match="course_id is missing"):
        from_exchange(tmp_path / "exchange", None, "ps1", EXERCISE, tmp_path / "o2")


def graded_folder(tmp_path, students):
    graded = tmp_path / "graded"
    graded.mkdir()
    (graded / "gradebook.csv").write_text("name,total\n", encoding="utf-8")
    for student in students:
        (graded / student).mkdir()
        (graded / student / "feedback.md").write_text(f"# Feedback for {student}\n", "utf-8")
    return graded


def test_feedback_goes_into_each_home_and_never_through_a_link(homes, tmp_path):
    graded = graded_folder(tmp_path, ["alice", "bob", "mallory", "zoe"])
    target = tmp_path / "etc"
    target.mkdir()
    (homes / "mallory").mkdir()
    (homes / "mallory" / "feedback").symlink_to(target)  # root must not write into "etc"
    (homes / "bob" / "feedback").mkdir()
    (homes / "bob" / "feedback" / f"{EXERCISE}.md").symlink_to(target / "passwd")
    rows = {row.student: row for row in return_feedback(graded, homes, EXERCISE)}
    assert (homes / "alice/feedback" / f"{EXERCISE}.md").read_text("utf-8") == (
        "# Feedback for alice\n"
    )
    returned = homes / "bob/feedback" / f"{EXERCISE}.md"  # the link is replaced, not followed
    assert not returned.is_symlink() and returned.read_text("utf-8") == "# Feedback for bob\n"
    assert not (target / "passwd").exists() and list(target.iterdir()) == []
    assert rows["alice"].ok and rows["bob"].ok
    assert not rows["mallory"].ok and "not returned" in rows["mallory"].what
    assert not rows["zoe"].ok and "no home folder" in rows["zoe"].what
    assert (homes / "alice/feedback").stat().st_mode & 0o077 == 0  # other students cannot read it
    with pytest.raises(ValueError, match="holds no gradebook.csv"):
        return_feedback(tmp_path, homes, EXERCISE)


def test_a_student_without_a_notebook_gets_a_gradebook_row(homes, tmp_path):
    """``nnlib grade`` on what ``nnlib collect`` wrote: a row for bob, who had nothing."""
    out, graded = tmp_path / "submitted", tmp_path / "graded"
    run = [sys.executable, "-m", "nnlib"]
    collect = subprocess.run(
        [*run, "collect", "01", "--homes", str(homes), "--students", "bob", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "0 of 1 students done" in collect.stdout
    source = ROOT / "exercises" / "source" / f"{EXERCISE}.ipynb"
    subprocess.run(
        [*run, "grade", str(source), str(out), "--out", str(graded)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = (graded / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[1].startswith("bob,")
    assert (graded / "bob" / "feedback.md").is_file()
