"""The notebooks as committed: each .ipynb is what its .md generates, and carries no outputs.

The .md files are the reviewed source; the .ipynb files are what JupyterLab runs. If they drift
apart, a reviewer approves one thing and learners run another, so the suite refuses it.
"""

import json
import shutil
from pathlib import Path

import pytest
from jupytext.cli import jupytext as jupytext_cli

from conftest import ROOT

EDITIONS = [ROOT, ROOT / "zh"]  # English, Simplified Chinese
PAIRED_DIRS = [edition / part for edition in EDITIONS for part in ("chapters", "exercises/source")]
PAIRED = sorted(md for folder in PAIRED_DIRS for md in folder.glob("*.md"))
NOTEBOOKS = sorted(p for p in ROOT.glob("[cez]*/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_the_course_has_notebooks():
    assert any(p.parent.name == "chapters" for p in PAIRED)
    assert len(NOTEBOOKS) >= len(PAIRED)


def generated_notebook(md: Path, tmp_path: Path) -> str:
    """What `jupytext --to ipynb --update` makes of ``md`` (keeping the committed cell ids)."""
    for source in (md, md.with_suffix(".ipynb"), md.parent / "jupytext.toml"):
        if source.exists():
            shutil.copy(source, tmp_path / source.name)
    jupytext_cli(["--to", "ipynb", "--update", "--quiet", str(tmp_path / md.name)])
    return (tmp_path / md.with_suffix(".ipynb").name).read_text(encoding="utf-8")


@pytest.mark.parametrize("md", PAIRED, ids=lambda p: str(p.relative_to(ROOT)))
def test_ipynb_is_what_its_md_generates(md, tmp_path):
    notebook = md.with_suffix(".ipynb")
    assert notebook.exists(), f"{notebook} is missing: run `jupytext --sync {md}`"
    assert generated_notebook(md, tmp_path) == notebook.read_text(encoding="utf-8"), (
        f"{notebook.name} is not what {md.name} generates: run `jupytext --sync {md}`"
    )


@pytest.mark.parametrize("md", PAIRED, ids=lambda p: str(p.relative_to(ROOT)))
def test_md_header_has_no_jupytext_version_stamp(md):
    header = md.read_text(encoding="utf-8").split("---")[1]
    assert "jupytext_version" not in header, f"{md}: the version stamp should be filtered out"
    assert "name: python3" in header, f"{md}: the kernelspec must be python3"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebook_has_no_outputs(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{notebook.name} cell {i} has outputs: clear them"
            assert cell["execution_count"] is None, f"{notebook.name} cell {i} was executed"
