"""The learner's JupyterLab, tested in a real browser: headless Chromium driven by Playwright.

A learner double-clicks a chapter's ``.md`` file and gets a notebook, runs every cell, sees the
figures and plays with the explorers; opens an exercise, sees "not done yet", writes a function
and sees it pass, then asks for their progress. These tests do exactly that, in a private
JupyterLab (``labdriver.LabServer``) serving a temporary copy of the course, and save screenshots
in ``artifacts/browser/``.

They need the ``playwright`` package (in the ``dev`` extra) and a Chromium on the machine
(``apt-get install chromium``; ``.ci/run`` installs it). Without either they are skipped, with the
reason, except in CI (``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import jupytext
import nbformat
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture (conftest.py) skips, or fails in CI, with the reason
    expect = None

from conftest import ROOT
from labdriver import (
    EXECUTED,
    NOTEBOOK,
    LabServer,
    clear_and_run_all,
    code_cell,
    glyphs_drawn_as_boxes,
    menu,
    open_in_file_browser,
    open_lab,
    wait_for_kernel_idle,
    wait_for_new_image,
)

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "browser"
CHAPTERS = ["01_single_neuron", "02_activation_functions", "03_loss_and_gradient_descent"]
EXERCISE = "ex01_single_neuron"
PNG_SRC = "data:image/png;base64,"
# A small network trained for 6 epochs with LivePlot, slowed down so the page can be watched.
LIVE_TRAINING = """\
import time

import numpy as np

from nnlib.course.live import LivePlot
from nnlib.layers import Dense, Sigmoid
from nnlib.losses import CrossEntropy
from nnlib.network import Sequential
from nnlib.optim import SGD
from nnlib.training import fit

X = np.random.default_rng(0).normal(size=(200, 2))
y = (X[:, 0] + X[:, 1] > 0).astype(int)
network = Sequential([Dense(2, 16, seed=0), Sigmoid(), Dense(16, 2, seed=1)])
history = fit(network, X, y, CrossEntropy(), SGD(0.5), epochs=6, seed=0,
              validation_data=(X, y), callbacks=[LivePlot(), lambda epoch, h: time.sleep(0.7)])
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the chapters and the exercise under test, as a learner's checkout has them."""
    root = tmp_path_factory.mktemp("course")
    (root / "chapters").mkdir()
    (root / "exercises").mkdir()
    shutil.copy(ROOT / "chapters" / "jupytext.toml", root / "chapters")
    for name in CHAPTERS:
        for suffix in (".md", ".ipynb"):
            shutil.copy(ROOT / "chapters" / f"{name}{suffix}", root / "chapters")
    shutil.copy(ROOT / "exercises" / f"{EXERCISE}.ipynb", root / "exercises")
    live = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LIVE_TRAINING)])
    live.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(live, root / "live_training.ipynb")
    return root


@pytest.fixture(scope="module")
def lab(course, tmp_path_factory):
    server = LabServer(course, tmp_path_factory.mktemp("jupyter")).start()
    yield server
    server.stop()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log_path, ARTIFACTS / "jupyterlab.log")


@pytest.fixture
def page(browser, lab, request):
    """A fresh browser tab on JupyterLab; afterwards a screenshot, and every kernel shut down."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    open_lab(page, lab)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png")
    context.close()
    lab.shutdown_kernels()


def screenshot(locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=ARTIFACTS / f"{name}.png")


def code_cell_index(notebook: nbformat.NotebookNode, contains: str) -> int:
    """The position among the code cells of the first one whose source holds ``contains``."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return next(i for i, cell in enumerate(code) if contains in cell.source)


def slider(explorer, label: str):
    """The slider labelled ``label`` in an explorer's cell."""
    name = explorer.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    return explorer.locator(".widget-slider").filter(has=name)


def readout(slider) -> float:
    """The value a slider shows (ipywidgets writes negative numbers with a Unicode minus)."""
    return float(slider.locator(".widget-readout").text_content().replace("\u2212", "-"))


def drag(page, handle, dx: float) -> None:
    """Drag a slider's handle ``dx`` pixels to the right with the mouse, and let go."""
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def explore_neuron(page, cell) -> None:
    """Chapter 01: drag a weight with the mouse, nudge the bias with the keyboard."""
    image = cell.locator(".jp-OutputArea-output img").first.get_attribute("src")
    w1 = slider(cell, "w1")
    before = readout(w1)
    drag(page, w1.locator(".noUi-handle"), -60)
    image = wait_for_new_image(page, cell, image)
    assert readout(w1) < before
    screenshot(cell, "chapter01-explorer-dragged")

    b = slider(cell, "b")
    assert readout(b) == -1.0  # the perceptron's bias
    b.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    wait_for_new_image(page, cell, image)
    assert readout(b) == pytest.approx(-0.95)  # one step of 0.05


def explore_activation(page, cell) -> None:
    """Chapter 02: pick ReLU in the dropdown, then lower the threshold with the keyboard."""
    image = cell.locator(".jp-OutputArea-output img").first.get_attribute("src")
    cell.locator(".widget-dropdown select").select_option("ReLU")
    image = wait_for_new_image(page, cell, image)
    screenshot(cell, "chapter02-explorer-relu")
    threshold = slider(cell, "threshold")
    threshold.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_new_image(page, cell, image)
    assert readout(threshold) == pytest.approx(0.04)


def explore_descent(page, cell) -> None:
    """Chapter 03: drag the learning rate up with the mouse (towards too large)."""
    image = cell.locator(".jp-OutputArea-output img").first.get_attribute("src")
    rate = slider(cell, "learning rate")
    assert readout(rate) == 2
    drag(page, rate.locator(".noUi-handle"), 80)
    wait_for_new_image(page, cell, image)
    assert readout(rate) > 2
    screenshot(cell, "chapter03-explorer-large-rate")


EXPLORERS = {
    "01_single_neuron": ("explore_neuron(", explore_neuron),
    "02_activation_functions": ("explore_activation(", explore_activation),
    "03_loss_and_gradient_descent": ("explore_descent(", explore_descent),
}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapter_opens_as_a_notebook_and_runs(page, course, chapter):
    source = jupytext.read(course / "chapters" / f"{chapter}.md")
    code = [cell for cell in source.cells if cell.cell_type == "code"]
    open_in_file_browser(page, f"chapters/{chapter}.md")

    # A notebook, not the text editor: the tab is a notebook panel holding the chapter's cells.
    panel = page.locator(NOTEBOOK)
    panel.wait_for()
    assert page.locator(".lm-TabBar-tab.jp-mod-current").inner_text().strip() == f"{chapter}.md"
    assert page.locator(".jp-FileEditor:visible").count() == 0
    expect(panel.locator(".jp-Cell")).to_have_count(len(source.cells))
    wait_for_kernel_idle(page)
    screenshot(page, f"chapter{chapter[:2]}-opened")

    cells = clear_and_run_all(page)
    assert len(cells) == len(code)
    not_run = [i for i, cell in enumerate(cells) if not EXECUTED.fullmatch(cell["prompt"])]
    assert not not_run, f"code cells {not_run} did not run (an error before them stops Run All)"

    expected_errors = [
        i for i, cell in enumerate(code) if "raises-exception" in cell.metadata.get("tags", [])
    ]
    errors = {i: cell["errors"] for i, cell in enumerate(cells) if cell["errors"]}
    assert sorted(errors) == expected_errors, f"unexpected errors: {errors}"

    for i, cell in enumerate(code):
        if "plt.show()" in cell.source:
            assert cells[i]["images"], (
                f"code cell {i} draws a figure, but no image shows:\n{cell.source}"
            )
    images = [src for cell in cells for src in cell["images"]]
    assert images and all(src == PNG_SRC for src in images)

    marker, explore = EXPLORERS[chapter]
    index = code_cell_index(source, marker)
    assert cells[index]["widgets"], "the explorer shows no widgets"
    assert cells[index]["images"] == [PNG_SRC], "the explorer shows no figure"
    explorer = code_cell(page, index)
    screenshot(explorer, f"chapter{chapter[:2]}-explorer")
    explore(page, explorer)


def test_an_exercise_says_not_done_then_passes_and_progress_shows_it(page, course):
    notebook = nbformat.read(course / "exercises" / f"{EXERCISE}.ipynb", as_version=4)
    checks = [
        cell.metadata["nnlib"]["task"]
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nnlib", {}).get("role") == "check"
    ]
    open_in_file_browser(page, f"exercises/{EXERCISE}.ipynb")
    page.locator(NOTEBOOK).wait_for()

    # The blank student version: every self-check runs, and says "not done yet", calmly.
    cells = clear_and_run_all(page)
    assert not [cell["errors"] for cell in cells if cell["errors"]]
    verdicts = [cell["stdout"] for cell in cells if "not done yet" in cell["stdout"]]
    assert len(verdicts) == len(checks) == 4
    for task, verdict in zip(checks, verdicts, strict=True):
        assert verdict.startswith(f"{task}: not done yet.")
    screenshot(page.locator(NOTEBOOK), "ex01-not-done")

    # Task 1: type the solution into the task cell in place of `raise NotImplementedError()`.
    task = code_cell(page, code_cell_index(notebook, "def weighted_sum("))
    task.locator(".cm-line", has_text="raise NotImplementedError()").click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type("return float(np.dot(w, x) + b)")
    assert "    return float(np.dot(w, x) + b)" in task.locator(".cm-content").inner_text()
    page.keyboard.press("Shift+Enter")  # run the task cell; the check cell below is next
    page.keyboard.press("Shift+Enter")  # run the check
    check = code_cell(page, code_cell_index(notebook, 'check("weighted_sum")'))
    verdict = check.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'
    )
    verdict.filter(has_text="all 3 visible checks pass").wait_for()
    assert verdict.inner_text().startswith("weighted_sum: all 3 visible checks pass.")
    screenshot(check, "ex01-task1-passes")

    # Save, then ask for the progress table in a new cell at the end, as the README says.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").wait_for()
    page.locator(f"{NOTEBOOK} .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("from nnlib.course.progress import progress\nprogress()")
    page.keyboard.press("Shift+Enter")
    table = page.locator(f"{NOTEBOOK} .jp-RenderedMarkdown table").last
    table.wait_for()
    row = table.locator("tr", has_text=EXERCISE).inner_text()
    assert "1 of 4" in row and "✓ weighted_sum" in row and "○ predict_batch" in row
    screenshot(table, "ex01-progress")
    wait_for_kernel_idle(page)

    # A wrong answer: the verdict marks a passing and a failing case, and names the mistake.
    wrong = 'check("predict_batch", lambda X, w, b: (X @ w + b > 0).astype(float))'
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # edit the empty cell that running the last one added
    page.keyboard.type(wrong)
    page.keyboard.press("Shift+Enter")
    verdict = page.locator(f"{NOTEBOOK} .jp-CodeCell", has_text=wrong).locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'
    )
    verdict.filter(has_text="2 of 3 visible checks pass").wait_for()
    text = verdict.inner_text()
    assert "✓ case 1" in text and "✗ case 2" in text and "strict inequality" in text
    screenshot(verdict, "ex01-verdict-marks")
    # Every mark is drawn by a font the machine has, never as an empty box (as emoji are
    # without an emoji font).
    assert glyphs_drawn_as_boxes(verdict, "✓✗") == []
    assert glyphs_drawn_as_boxes(table, "✓✗○") == []
    wait_for_kernel_idle(page)


def test_live_training_redraws_one_figure_in_place(page):
    open_in_file_browser(page, "live_training.ipynb")
    page.locator(NOTEBOOK).wait_for()
    wait_for_kernel_idle(page)
    outputs = code_cell(page, 0).locator(".jp-OutputArea-output")
    images = outputs.locator("img")
    menu(page, "Run", "runmenu:run-all")
    seen, most = set(), 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        most = max(most, images.count())
        if images.count():
            seen.add(images.first.get_attribute("src"))
        if code_cell(page, 0).locator(".jp-InputArea-prompt").text_content().strip() == "[1]:":
            break
        time.sleep(0.1)
    wait_for_kernel_idle(page)
    assert images.count() == 1 and most == 1, "one figure, updated in place, never one per epoch"
    assert len(seen) >= 3, f"the figure was redrawn {len(seen)} times, expected once per epoch"
    progress_bar = outputs.locator(".jupyter-widgets", has_text="fit:")
    assert progress_bar.count() >= 1, "fit's progress bar (a widget in a notebook) is missing"
    assert "42/42" in progress_bar.first.inner_text()  # 6 epochs of ceil(200 / 32) = 7 steps
    screenshot(code_cell(page, 0), "live-training")


@pytest.fixture(scope="module")
def lab_zh(tmp_path_factory):
    """JupyterLab as ``nnlib lab --lang zh`` starts it, over a copy of Chinese chapter 01."""
    root = tmp_path_factory.mktemp("course-zh")
    (root / "zh" / "chapters").mkdir(parents=True)
    for name in ("jupytext.toml", f"{CHAPTERS[0]}.md", f"{CHAPTERS[0]}.ipynb"):
        shutil.copy(ROOT / "zh" / "chapters" / name, root / "zh" / "chapters")
    server = LabServer(root, tmp_path_factory.mktemp("jupyter-zh"), lang="zh").start()
    yield server
    server.stop()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log_path, ARTIFACTS / "jupyterlab-zh.log")


def test_the_chinese_edition_opens_in_a_chinese_jupyterlab(browser, lab_zh):
    fc_list = shutil.which("fc-list")
    fonts = fc_list and subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout
    if not (fonts or "").strip():
        unavailable("Chromium has no font for Chinese (Debian: apt-get install fonts-wqy-microhei)")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        # The server's front page, as `nnlib lab --lang zh` opens it: the zh/ folder.
        page.goto(lab_zh.url("?reset"))
        page.locator(".jp-DirListing-item").first.wait_for(timeout=60_000)
        expect(page.locator(".jp-BreadCrumbs")).to_contain_text("zh")
        # JupyterLab's own menus are in Chinese (the language pack of the `zh` extra).
        menus = page.locator(".lm-MenuBar-item").all_inner_texts()
        assert menus[:3] == ["文件", "编辑", "查看"], menus
        page.locator(".jp-DirListing-item", has=page.get_by_text("chapters", exact=True)).dblclick()
        name = f"{CHAPTERS[0]}.md"
        page.locator(".jp-DirListing-item", has=page.get_by_text(name, exact=True)).dblclick()
        panel = page.locator(NOTEBOOK)
        expect(panel.locator("h1").first).to_have_text(
            re.compile("^第 01 章 单个神经元"), timeout=60_000
        )
        assert page.locator(".jp-FileEditor:visible").count() == 0
        screenshot(page, "zh-chapter01-opened")
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "zh-last.png")
        context.close()
        lab_zh.shutdown_kernels()
