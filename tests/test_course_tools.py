"""The course's tools: showing library source, opening JupyterLab, the command line."""

import json

import nbformat

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.activations import step
from nnlib.course import lab, show_source
from nnlib.course.release import render


def test_show_source_shows_the_real_code():
    code = show_source(step)
    assert code.data.startswith("def step(")
    assert code.data in (ROOT / "nnlib" / "activations.py").read_text()
    assert "<span" in code._repr_html_()  # highlighted for JupyterLab


def test_lab_configure_makes_markdown_open_as_notebook_and_keeps_other_settings(tmp_path):
    path = lab.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "dark"}}))
    assert lab.configure(tmp_path) == path
    lab.configure(tmp_path)
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "dark"}
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    assert "python" not in viewers  # nnlib/*.py still opens as code


def test_cli_check_passes_the_solution_and_not_the_blank(capsys):
    assert main(["check", str(ROOT / "exercises/source/ex01_single_neuron.ipynb")]) == 0
    assert "4 of 4 tasks pass" in capsys.readouterr().out
    assert main(["check", str(ROOT / "exercises/ex01_single_neuron.ipynb")]) == 1
    assert "not done yet" in capsys.readouterr().out
    assert main(["check", str(ROOT / "exercises/ex01_single_neuron.ipynb"), "--task", "x"]) == 1
    assert "there is no task 'x'" in capsys.readouterr().out


def test_cli_check_reports_unreadable_notebooks(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    assert main(["check", str(broken)]) == 1
    assert "Could not read" in capsys.readouterr().out
    plain = tmp_path / "plain.ipynb"
    plain.write_text(render(nbformat.v4.new_notebook()))
    assert main(["check", str(plain)]) == 1
    assert "no nnlib.exercise metadata" in capsys.readouterr().out


def test_cli_check_reports_a_broken_task_cell_and_checks_the_rest(tmp_path, capsys):
    nb = nbformat.read(ROOT / "exercises/source/ex01_single_neuron.ipynb", as_version=4)
    first_task = next(c for c in nb.cells if c.metadata.get("nnlib", {}).get("role") == "solution")
    first_task.source = "def weighted_sum(x, w, b) syntax error"
    path = tmp_path / "learner.ipynb"
    path.write_text(render(nb))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "the cell defining weighted_sum raised SyntaxError" in out
    assert "3 of 4 tasks pass" in out


def test_cli_release_writes_student_versions(tmp_path, capsys):
    (tmp_path / "source").mkdir()
    source = ROOT / "exercises/source/ex01_single_neuron.ipynb"
    (tmp_path / "source" / source.name).write_text(source.read_text())
    assert main(["release", "--exercises", str(tmp_path)]) == 0
    written = tmp_path / source.name
    assert written.read_text() == (ROOT / "exercises" / source.name).read_text()
    assert "wrote" in capsys.readouterr().out


def test_cli_release_tag_writes_the_task_names_the_code_gives(tmp_path, capsys):
    committed = {}
    (tmp_path / "source").mkdir()
    for name in ("ex01_single_neuron.md", "ex01_single_neuron.ipynb", "jupytext.toml"):
        committed[name] = (ROOT / "exercises/source" / name).read_text()
        (tmp_path / "source" / name).write_text(committed[name])
    page = tmp_path / "source/ex01_single_neuron.md"
    # a new task's cells as a maintainer writes them: names only in the code
    typed = committed["ex01_single_neuron.md"]
    for line in ("  grade_id: predict_batch\n", "  task: predict_batch\n"):
        typed = typed.replace(line, "", 2)
    page.write_text(typed.replace("grade_id: check_predict_batch", "grade_id: check_typo"))
    assert main(["release", "--exercises", str(tmp_path), "--tag"]) == 0
    assert f"filled in the task names of {page}" in capsys.readouterr().out
    for name, text in committed.items():
        assert (tmp_path / "source" / name).read_text() == text, name
    student = (ROOT / "exercises/ex01_single_neuron.ipynb").read_text()
    assert (tmp_path / "ex01_single_neuron.ipynb").read_text() == student
