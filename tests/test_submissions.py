"""Finding a class's submissions (one row each, injective names) and reading them defensively."""

import json

import pytest
from grading.attacks import EX01, right, student

from nnlib.course.release import render
from nnlib.course.submissions import find_submissions, learner_name, read_notebook


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
    (tmp_path / "class" / "notes.txt").write_text("not a notebook")
    found = find_submissions(
        [tmp_path / "class", tmp_path / "class" / "bob.ipynb", tmp_path / "@SUM(A1).ipynb"],
        EX01.name,
    )
    assert [(s.name, s.path is not None) for s in found.submissions] == [
        ("alice", True), ("bob~1", True), ("bob~2", True), ("empty", False), ("two", False),
        ("%40SUM%28A1%29", True),
    ]  # fmt: skip
    assert "several notebooks" in found.submissions[4].problem
    assert all(s.flags == {"name-clash"} for s in found.submissions[1:3])
    assert found.ignored == [
        f"{tmp_path / 'class' / 'notes.txt'} (not a notebook or a learner's folder)"
    ]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["x", "x!", "x-2"], ["x", "x%21", "x-2"]),
        (["alice!", "alice"], ["alice%21", "alice"]),
        (["a b", "a_b", "a%20b"], ["a%20b", "a_b", "a%2520b"]),
        (["../../etc", "gradebook.csv", "=1+1", "-x", ".hidden"],
         ["%2E%2E%2F%2E%2E%2Fetc", "gradebook%2Ecsv", "%3D1%2B1", "%2Dx", "%2Ehidden"]),
    ],
)  # fmt: skip
def test_learner_names_are_injective_and_safe(names, expected):
    assert [learner_name(name) for name in names] == expected


def test_long_learner_names_stay_distinct():
    long = ["a" * 300 + "1", "a" * 300 + "2"]
    names = [learner_name(name) for name in long]
    assert names[0] != names[1] and all(len(name) <= 120 and "%~" in name for name in names)


def test_links_hidden_files_and_clashes_each_get_a_row(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "real.ipynb").write_text(render(right()))
    (tmp_path / "class" / "linked.ipynb").symlink_to(tmp_path / "real.ipynb")
    (tmp_path / "class" / "linked_folder").symlink_to(tmp_path)
    (tmp_path / "class" / ".sneaky.ipynb").write_text(render(right()))
    (tmp_path / "class" / "dup").mkdir()
    (tmp_path / "class" / "dup" / "dup.ipynb").write_text(render(right()))
    (tmp_path / "class" / "dup" / "inner.ipynb").symlink_to(tmp_path / "real.ipynb")
    (tmp_path / "class" / "dup.ipynb").write_text(render(right()))
    found = find_submissions([tmp_path / "class"], EX01.name)
    rows = {s.name: (sorted(s.flags), s.path is not None) for s in found.submissions}
    assert rows == {
        "%2Esneaky": (["refused"], False),
        "dup~1": (["name-clash"], True),
        "dup~2": (["name-clash"], True),
        "linked": (["refused"], False),
        "linked_folder": (["refused"], False),
    }
    assert any("inner.ipynb" in entry for entry in found.ignored)
    clash = next(s for s in found.submissions if s.name == "dup~1").notes
    assert clash == ("dup, dup.ipynb all map to the learner name dup; this one is graded as "
                     "dup~1: rename them and grade again",)  # fmt: skip


def test_reading_keeps_what_can_be_read(tmp_path):
    nb = json.loads(render(right()))
    nb["cells"].insert(0, {"cell_type": "code", "source": 7})
    nb["cells"].insert(0, "not a cell")
    (tmp_path / "odd.ipynb").write_text(json.dumps(nb))
    cells, problems = read_notebook(tmp_path / "odd.ipynb")
    assert len(cells) == len(nb["cells"]) - 2
    assert any("2 damaged cell(s) were skipped" in p for p in problems)
    assert any("not valid nbformat 4" in p for p in problems)
