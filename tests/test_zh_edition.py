"""The Chinese edition (``zh/``) is held to the English one: code cells, prose, terminology.

Each Chinese page has the English twin's code cells, one by one; it records which English prose
it translates, and that record must still match; and its prose follows ``docs/glossary.md``. The
checks themselves (``nnlib.course.edition``) are tested on small pages made here, against planted
differences, so that they are known to fail when they should.
"""

import json
import re
import shutil
import textwrap
from importlib import metadata

import pytest

from conftest import ROOT
from nnlib.course import edition, lab

PAGES = edition.chinese_pages(ROOT)
IDS = [page.relative_to(ROOT / "zh").as_posix() for page in PAGES]
TERMS = edition.read_glossary()


def test_the_chinese_edition_has_chapters_and_exercises():
    names = [page.relative_to(ROOT / "zh").parts[0] for page in PAGES]
    assert "chapters" in names and "exercises" in names


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_code_cells_equal_the_english_editions(page):
    problems = edition.code_differences(page, ROOT)
    assert not problems, "\n".join(problems) + "\nrun: python -m nnlib.course.edition sync"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_translation_is_of_the_english_prose_as_it_is_now(page):
    problems = edition.prose_changes(page, ROOT)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_the_notebook_carries_the_same_record_as_its_md(page):
    # `jupytext --sync` would copy a stale record from the .ipynb back into the .md.
    notebook = edition.jupytext.read(page.with_suffix(".ipynb"))
    assert notebook.metadata["nnlib"]["translation"] == edition.translation_record(page)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_prose_follows_the_glossary(page):
    problems = edition.page_terminology(page, ROOT)
    assert not problems, "\n".join(problems)


def test_every_english_page_of_a_translated_folder_keeps_its_name():
    for page in PAGES:
        assert edition.english_twin(page, ROOT).exists(), f"{page} has no English twin"


# The checks, on pages made here.

HEADER = """\
---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
ENGLISH = (
    HEADER
    + """

# A page

Some prose about a neuron.

```{code-cell} ipython3
x = 1
```

More prose.

```{code-cell} ipython3
:tags: [raises-exception]

y = x / 0
```
"""
)
CHINESE = (
    HEADER
    + """

# 一页

关于神经元（neuron）的一段文字。

```{code-cell} ipython3
x = 1
```

更多文字。

```{code-cell} ipython3
:tags: [raises-exception]

y = x / 0
```
"""
)


@pytest.fixture
def course(tmp_path):
    """A course of one English chapter and its translation, in a git repository of its own."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "zh" / "chapters").mkdir(parents=True)
    (tmp_path / "chapters" / "01_page.md").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "zh" / "chapters" / "01_page.md").write_text(CHINESE, encoding="utf-8")
    return tmp_path


def git(root, *args):
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_identical_code_cells_pass(course):
    assert edition.code_differences(course / "zh/chapters/01_page.md", course) == []


def test_a_changed_code_cell_is_named_by_page_and_number(course):
    english = course / "chapters" / "01_page.md"
    english.write_text(ENGLISH.replace("y = x / 0", "y = x / 2"), encoding="utf-8")
    [problem] = edition.code_differences(course / "zh/chapters/01_page.md", course)
    assert problem.startswith("zh/chapters/01_page.md: code cell 2 ('y = x / 0')")
    assert "'y = x / 2'" in problem


def test_a_changed_tag_and_a_missing_cell_are_found(course):
    chinese = course / "zh" / "chapters" / "01_page.md"
    chinese.write_text(CHINESE.replace(":tags: [raises-exception]\n\n", ""), encoding="utf-8")
    [problem] = edition.code_differences(chinese, course)
    assert "code cell 2" in problem and "raises-exception" in problem
    chinese.write_text(CHINESE.split("更多文字")[0], encoding="utf-8")
    assert (
        "1 code cells, but chapters/01_page.md has 2"
        in edition.code_differences(chinese, course)[0]
    )


def test_sync_copies_english_code_and_keeps_chinese_prose(course):
    english = course / "chapters" / "01_page.md"
    chinese = course / "zh" / "chapters" / "01_page.md"
    english.write_text(ENGLISH.replace("x = 1", "x = 2"), encoding="utf-8")
    assert edition.sync(chinese, course)
    assert edition.code_differences(chinese, course) == []
    text = chinese.read_text(encoding="utf-8")
    assert "关于神经元（neuron）的一段文字。" in text and "x = 2" in text
    assert chinese.with_suffix(".ipynb").exists()
    assert not edition.sync(chinese, course), "a second sync has nothing to do"


def test_sync_leaves_a_page_whose_structure_changed_for_a_person(course):
    english = course / "chapters" / "01_page.md"
    chinese = course / "zh" / "chapters" / "01_page.md"
    english.write_text(ENGLISH + "\n```{code-cell} ipython3\nz = 3\n```\n", encoding="utf-8")
    assert not edition.sync(chinese, course)
    assert chinese.read_text(encoding="utf-8") == CHINESE


def test_a_change_of_the_english_prose_is_reported_with_its_cell(course):
    git(course, "init", "-q")
    git(course, "add", ".")
    git(course, "commit", "-q", "-m", "first")
    chinese = course / "zh" / "chapters" / "01_page.md"
    assert "no record" in edition.prose_changes(chinese, course)[0]
    edition.mark(chinese, course)
    assert edition.prose_changes(chinese, course) == []
    record = edition.translation_record(chinese)
    assert edition.jupytext.read(chinese.with_suffix(".ipynb")).metadata["nnlib"] == {
        "translation": record
    }
    assert record["source"] == "chapters/01_page.md" and len(record["commit"]) == 40
    english = course / "chapters" / "01_page.md"
    english.write_text(ENGLISH.replace("More prose.", "Better prose."), encoding="utf-8")
    assert edition.code_differences(chinese, course) == [], "a prose change is not a code change"
    message, cells = edition.prose_changes(chinese, course)
    assert "chapters/01_page.md changed since its translation" in message
    assert "2 ('Better prose.')" in cells and "replaced" in cells
    edition.mark(chinese, course)
    assert edition.prose_changes(chinese, course) == []


def test_start_copies_an_english_page_with_its_record(course):
    shutil.rmtree(course / "zh")
    page = edition.start(course / "chapters" / "01_page.md", course)
    assert page == course / "zh" / "chapters" / "01_page.md"
    assert edition.translation_record(page)["source"] == "chapters/01_page.md"
    with pytest.raises(FileExistsError):
        edition.start(course / "chapters" / "01_page.md", course)


# The glossary and its check.


def test_the_glossary_gives_each_term_one_rendering_and_real_variants():
    chinese = [term.chinese for term in TERMS]
    assert len(chinese) == len(set(chinese)) >= 40
    for term in TERMS:
        assert term.english and term.chinese
        for variant in term.avoid:
            assert variant not in chinese, f"{variant} is a term and a variant to avoid"
    for required in [
        "神经元",
        "感知机",
        "激活函数",
        "损失函数",
        "交叉熵",
        "梯度下降",
        "反向传播",
        "小批量",
        "学习率",
        "过拟合",
        "正则化",
        "权重",
        "偏置",
        "前向传播",
        "独热编码",
        "随机梯度下降",
        "动量",
        "初始化",
        "验证集",
        "测试集",
        "训练集",
        "轮次",
        "批量大小",
    ]:
        assert required in chinese, required


def check(chinese, english="a neuron"):
    body = "\n".join(line for line in chinese.splitlines() if not line.startswith("#"))
    return edition.terminology_problems(chinese, english, body, TERMS, "page")


def test_the_terminology_check_accepts_good_prose():
    assert check("# 神经元\n\n一个神经元（neuron）有权重（weights）。这个神经元很简单。") == []


def test_the_terminology_check_finds_a_variant_a_missing_term_and_a_bare_first_use():
    [variant] = check("一个感知器。", "")
    assert variant.startswith("page: writes '感知器'") and "'感知机'" in variant
    assert "never writes the glossary's term '神经元'" in check("一个神经单元。", "neurons")[1]
    [bare] = check("神经元很简单。神经元（neuron）。")
    assert "first use of '神经元'" in bare and "神经元（neuron）" in bare


def test_a_term_inside_a_longer_term_is_not_its_first_use():
    prose = "随机梯度下降（stochastic gradient descent）是一种梯度下降（gradient descent）。"
    assert check(prose, "") == []
    assert "'梯度下降'" in check("随机梯度下降（SGD）。梯度下降。", "")[0]


def test_maths_and_code_are_not_prose():
    nb = edition.jupytext.reads(
        textwrap.dedent("""\
            # 标题
            文字 $\\text{感知器}$ 和 `感知器` 与 [链接](感知器.md)。
            """),
        fmt="md:myst",
    )
    assert "感知器" not in edition.prose_text(nb)
    assert "标题" not in edition.prose_text(nb, headings=False)


# The reader's way in: README.zh-CN.md.

README_ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
COMMAND = re.compile(r"```bash\n# \d\. [^\n]*\n([^\n]+)\n```")


def test_readme_links_the_chinese_readme_at_its_top():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:4]
    assert any("[简体中文](README.zh-CN.md)" in line for line in head)


def test_the_chinese_readme_gives_the_same_two_commands_for_its_edition():
    english = COMMAND.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    setup, tests = COMMAND.findall(README_ZH)
    assert tests == english[1], "the test command is the same in both READMEs"
    assert setup == english[0].replace('".[course]"', '".[course,zh]"') + " --lang zh"


def test_the_chinese_readme_links_every_chapter_to_its_translation_or_the_english():
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README_ZH)
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).exists(), f"README.zh-CN.md links to {link}, which is missing"
    for english in sorted((ROOT / "chapters").glob("*.md")):
        chinese = edition.chinese_twin(english, ROOT)
        row = next(
            line for line in README_ZH.splitlines() if line.startswith(f"| {english.name[:2]} |")
        )
        if chinese.exists():
            assert f"(zh/chapters/{english.name})" in row and "英文版" not in row
        else:
            assert f"(chapters/{english.name})（英文版" in row, row


# `nnlib lab --lang zh`: the Chinese edition, with JupyterLab's menus in Chinese.


def test_lab_configure_selects_jupyterlabs_chinese_locale_and_back(tmp_path):
    assert metadata.version("jupyterlab-language-pack-zh-CN"), "the zh extra (in dev) installs it"
    path = lab.configure(tmp_path, lang="zh")
    settings = json.loads(path.read_text(encoding="utf-8"))
    assert settings[lab.TRANSLATION] == {"locale": "zh_CN"}
    assert settings[lab.DOCMANAGER]["defaultViewers"] == lab.VIEWERS
    lab.configure(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))[lab.TRANSLATION] == {"locale": "en"}


def test_without_the_language_pack_jupyterlab_stays_in_english(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert lab.ui_locale("zh") == "en"


def test_the_chinese_edition_opens_on_its_folder_and_speaks_chinese():
    assert lab.edition_arguments("zh") == ["--LabApp.default_url=/lab/tree/zh"]
    assert lab.edition_environment("zh") == {"NNLIB_LANG": "zh"}
    assert lab.edition_arguments("en") == [] and lab.edition_environment("en") == {}
    assert (ROOT / "zh").is_dir()
