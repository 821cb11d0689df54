"""nnlib.course.site: pages staged with working links, and nothing secret ever published.

The leak test builds a real (tiny) site with Sphinx from a course folder in which an instructor's
source was planted where the student versions go: the build must refuse it.
"""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from nnlib.course import site
from nnlib.course.site_extension import page_links

EN, ZH = site.EDITIONS


def test_links_point_at_published_pages_and_unpublished_files_lose_their_target(tmp_path):
    (tmp_path / "chapters").mkdir()
    chapter = tmp_path / "chapters" / "01_one.md"
    other = tmp_path / "chapters" / "02_two.md"
    pages = {
        chapter.resolve(): ("en", "chapters/01_one.md"),
        other.resolve(): ("en", "chapters/02_two.md"),
        (tmp_path / "README.zh-CN.md").resolve(): ("zh", "index.md"),
    }
    text = (
        "See [two](02_two.md#shapes), [the licence](../LICENSE), [numpy](https://numpy.org), "
        "[above](#top), [中文](../README.zh-CN.md) and ![a figure](figure.png)."
    )
    assert site.relink(text, chapter, ("en", "chapters/01_one.md"), pages) == (
        "See [two](02_two.md#shapes), the licence, [numpy](https://numpy.org), [above](#top), "
        '<a href="../../zh/index.html">中文</a> and ![a figure](figure.png).'
    )


def test_the_cache_is_renewed_when_the_library_or_the_data_change(tmp_path):
    for folder in ("nnlib", "data"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text("one")
    before = site.content_hash(tmp_path, quick=True)
    assert site.content_hash(tmp_path, quick=True) == before
    assert site.content_hash(tmp_path, quick=False) != before
    (tmp_path / "data" / "a.txt").write_text("two")
    after_data = site.content_hash(tmp_path, quick=True)
    (tmp_path / "nnlib" / "b.py").write_text("x = 1")
    assert len({before, after_data, site.content_hash(tmp_path, quick=True)}) == 3


SOURCE = """\
def weighted_sum(x, w, b):
    ### BEGIN SOLUTION
    return float(np.dot(x, w) + b)
    ### END SOLUTION
"""


def make_source(root: Path) -> Path:
    """An exercise source with a solution, paired as the course pairs them."""
    sources = root / "exercises" / "source"
    sources.mkdir(parents=True)
    (sources / "ex01_one.md").write_text(f"# Exercise\n\n```python\n{SOURCE}```\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    nbformat.write(notebook, sources / "ex01_one.ipynb")
    return sources / "ex01_one.ipynb"


def test_find_leaks_names_copies_markers_and_solution_text(tmp_path):
    root = tmp_path / "course"
    source = make_source(root)
    html = tmp_path / "html"
    (html / "en" / "exercises").mkdir(parents=True)
    (html / "en" / "notebooks").mkdir()
    (html / "en" / "index.html").write_text(
        "<p>Solutions go between <code>### BEGIN SOLUTION"
        "</code> and <code>### END SOLUTION</code>.</p>"
    )
    assert site.find_leaks(html, root) == []  # the README may name the markers

    shutil.copyfile(source, html / "en" / "notebooks" / "ex01_one.ipynb")
    (html / "en" / "exercises" / "ex01_one.html").write_text(
        "<pre><span>### BEGIN SOLUTION</span></pre>"
    )
    (html / "en" / "exercises" / "ex02_two.html").write_text(
        '<pre><span class="k">return</span> <span class="nb">float</span>(np.dot(x, w) '
        "&#43; b)</pre>"
    )
    leaks = site.find_leaks(html, root)
    (root / "nnlib").mkdir()
    (root / "nnlib" / "neuron.py").write_text(
        "def f(x, w, b):\n    return float(np.dot(x, w) + b)\n"
    )
    assert len(site.find_leaks(html, root)) == 2  # the library's own code is public
    assert leaks[0].startswith("en/exercises/ex01_one.html: a solution or hidden-test marker")
    assert leaks[1].startswith("en/exercises/ex02_two.html: the text of a solution")
    assert leaks[2].startswith("en/notebooks/ex01_one.ipynb: a byte-identical copy")
    assert len(leaks) == 3


TINY_CHAPTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Chapter 01 — One

The sum $z = w x + b$ of a neuron.

```{code-cell} ipython3
print(2 + 3)
```
"""


def test_a_build_that_would_publish_a_source_fails_and_keeps_nothing(tmp_path, monkeypatch):
    root = tmp_path / "course"
    source = make_source(root)
    for folder in ("nnlib", "data", "chapters"):
        (root / folder).mkdir()
    (root / "README.md").write_text("# Course\n\nRead [chapter 01](chapters/01_one.md).\n")
    (root / "chapters" / "01_one.md").write_text(TINY_CHAPTER)
    nbformat.write(nbformat.v4.new_notebook(), root / "chapters" / "01_one.ipynb")
    shutil.copyfile(source, root / "exercises" / "ex01_one.ipynb")  # the instructor's mistake

    with pytest.raises(site.LeakError, match="en/notebooks/ex01_one.ipynb: a byte-identical"):
        site.build(tmp_path / "out", root=root)
    assert not (tmp_path / "out" / "html").exists()

    (root / "exercises" / "ex01_one.ipynb").unlink()
    monkeypatch.chdir(tmp_path)
    html = site.build(Path("out"), root=root)  # relative, as `nnlib site` gives it
    chapter = (html / "en" / "chapters" / "01_one.html").read_text()
    assert "5" in chapter and "Chapter 01" in chapter  # executed, and rendered
    assert 'src="../_static/mathjax/tex-mml-chtml.js' in chapter
    assert (html / "en" / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert json.loads((tmp_path / "out" / "stage" / "pages.json").read_text()) == {
        "en": ["chapters/01_one", "index"]
    }
    assert 'href="chapters/01_one.html"' in (html / "en" / "index.html").read_text()


def test_a_rebuild_runs_the_chapters_again_when_the_library_or_the_data_change(tmp_path):
    root = tmp_path / "course"
    for folder in ("nnlib", "data", "chapters"):
        (root / folder).mkdir(parents=True)
    (root / "README.md").write_text("# Course\n")
    (root / "nnlib" / "layers.py").write_text("SIZE = 1\n")
    (root / "data" / "digits.csv").write_text("0,1\n")
    chapter = TINY_CHAPTER.replace("print(2 + 3)", "import time\nprint(time.time_ns())")
    (root / "chapters" / "01_one.md").write_text(chapter)
    nbformat.write(nbformat.v4.new_notebook(), root / "chapters" / "01_one.ipynb")

    def printed() -> str:
        """The time at which the chapter's cell ran, as the built page shows it."""
        html = site.build(tmp_path / "out", root=root)
        times = re.findall(r"\b\d{19}\b", (html / "en/chapters/01_one.html").read_text())
        assert len(times) == 1, times
        return times[0]

    first = printed()
    (root / "chapters" / "01_one.md").write_text(chapter.replace("of a neuron", "of one neuron"))
    assert printed() == first  # the prose changed, not the code: the cell was not run again
    (root / "nnlib" / "layers.py").write_text("SIZE = 2\n")
    after_library = printed()
    (root / "data" / "digits.csv").write_text("0,2\n")
    assert len({first, after_library, printed()}) == 3


def test_a_new_translation_is_published_with_no_list_to_edit(tmp_path):
    root = tmp_path / "course"
    for name in ("chapters/01_one.md", "chapters/05_five.md", "zh/chapters/01_one.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(TINY_CHAPTER)
    (root / "README.md").write_text("# Course\n")
    (root / "README.zh-CN.md").write_text("# 课程\n")

    def staged_chapters() -> list[str]:
        editions = site.available_editions(root)
        site.stage(root, ZH, tmp_path / "zh", site.page_map(root, editions))
        return sorted(path.name for path in (tmp_path / "zh" / "chapters").iterdir())

    assert staged_chapters() == ["01_one.md"]
    (root / "zh" / "chapters" / "05_five.md").write_text(TINY_CHAPTER)
    assert staged_chapters() == ["01_one.md", "05_five.md"]
    assert "\nchapters/05_five\n" in (tmp_path / "zh" / "index.md").read_text()  # the sidebar


def test_the_language_switch_leads_to_the_twin_or_says_there_is_none():
    pages = {
        "en": ["index", "chapters/01_one", "chapters/05_five"],
        "zh": ["index", "chapters/01_one", "glossary"],
    }
    assert 'href="../../zh/chapters/01_one.html">Read this page in 简体中文</a>' in page_links(
        "chapters/01_one", "en", pages, None
    )
    assert (
        'href="../../zh/index.html">The 简体中文 edition (this page is not translated yet)</a>'
        in page_links("chapters/05_five", "en", pages, None)
    )
    assert 'href="../en/index.html">English 版首页（本页尚未译出）</a>' in page_links(
        "glossary", "zh", pages, None
    )


def test_the_repository_stages_every_chapter_and_exercise_and_no_source(tmp_path):
    pages = site.page_map(ROOT, [EN])
    site.stage(ROOT, EN, tmp_path, pages)
    staged = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    chapters = {f"chapters/{p.name}" for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md")}
    exercises = {f"exercises/{p.name}" for p in (ROOT / "exercises").glob("ex*.ipynb")}
    assert len(chapters) == 10 and len(exercises) == 10
    assert chapters | exercises | {"index.md", "CONTRIBUTING.md", "data/README.md"} <= staged
    assert not any("source" in name for name in staged)
    index = (tmp_path / "index.md").read_text()
    assert ":caption: Chapters" in index and "\nchapters/01_single_neuron\n" in index
    assert "(chapters/01_single_neuron.md)" in index
