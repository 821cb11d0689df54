"""A class on a real JupyterHub, in a real browser: three students, one course, one gradebook.

The hub is ``deploy/one-machine/jupyterhub_config.py`` as it is, on 127.0.0.1, with the test's
authenticator, ports and local student processes on top (``hubdriver.Hub``). The course comes
from a git repository over ``file://``: a commit of chapter 01 and exercise 01. In headless
Chromium each student logs in, follows the link ``nnlib hub-link`` prints (nbgitpuller clones the
course into their home and opens chapter 01), sees the chapter as a notebook and runs it all.
One student then writes a solution into exercise 01 and saves it; the course gets a new commit;
the student follows the link again: the new commit arrives and the edit is still there. Then the
instructor's round trip, as commands: ``nnlib collect``, ``nnlib grade``, ``nnlib return``.

Needs ``configurable-http-proxy`` (``npm install -g configurable-http-proxy``; ``.ci/run`` installs
it), Chromium and Playwright, like tests/browser; without them it is skipped, except in CI.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    expect = sync_playwright = None

from hubdriver import ROOT, Hub, course_repository, find_chp, git
from labdriver import (
    CHROMIUM_ARGS,
    EXECUTED,
    NOTEBOOK,
    clear_and_run_all,
    code_cell,
    find_chromium,
    wait_for_kernel_idle,
)
from nnlib.course.hub import COURSE_FOLDER, pull_link

pytestmark = [pytest.mark.browser, pytest.mark.hub]

ARTIFACTS = ROOT / "artifacts" / "hub"
STUDENTS = ["alice", "bob", "carol"]
CHAPTER = "chapters/01_single_neuron.md"
EXERCISE = "ex01_single_neuron"
COURSE_FILES = [
    "chapters/jupytext.toml",
    "chapters/01_single_neuron.md",
    "chapters/01_single_neuron.ipynb",
    f"exercises/{EXERCISE}.ipynb",
]
SOLUTION = "return float(np.dot(w, x) + b)"


def unavailable(reason: str):
    """Skip with ``reason``; in CI, fail: there the hub test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"the hub test must run in CI, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return course_repository(tmp_path_factory.mktemp("upstream") / "course", COURSE_FILES)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    chp = find_chp()
    if chp is None:
        unavailable(
            "configurable-http-proxy was not found (npm install -g configurable-http-proxy, or "
            "set NNLIB_CHP to its path)"
        )
    server = Hub(tmp_path_factory.mktemp("hub"), STUDENTS, chp).start()
    yield server
    survivors = server.stop()
    print(f"\nlargest resident memory seen (MiB): {server.peak_mib}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "jupyterhub.log").write_text(server.log(), encoding="utf-8")
    assert not survivors, f"processes outlived the hub and were killed: {survivors}"


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        unavailable("no Chromium was found (apt-get install chromium, or set NNLIB_CHROMIUM)")
    if sync_playwright is None:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def log_in(browser, hub: Hub, student: str):
    """A fresh browser (no cookies) in which ``student`` has logged in to the hub."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.locator("input[name=username]").fill(student)
    page.locator("input[name=password]").fill(hub.password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(lambda url: "/hub/login" not in url, wait_until="commit")
    return page


def follow(page, link: str, opened: str) -> None:
    """Follow an nbgitpuller link; wait for JupyterLab to show ``opened`` in a notebook tab."""
    page.goto(link)
    # JupyterLab may first restore the student's last workspace (another file's tab).
    current = page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel")
    expect(current).to_have_text(opened, timeout=120_000)
    page.locator(NOTEBOOK).wait_for()
    assert page.locator(".jp-FileEditor:visible").count() == 0  # a notebook, not the text editor
    wait_for_kernel_idle(page, timeout=120)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def nnlib(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "nnlib", *args], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, f"nnlib {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def test_a_class_pulls_runs_keeps_its_edits_and_is_graded(hub, repo, browser, tmp_path):
    started = time.monotonic()
    culler = hub.api("GET", "hub/api/services/idle-culler")
    assert culler["pid"] > 0, "the configuration's idle culler is not running"
    hub.spawn_all()

    # Each student: log in, follow the link, get chapter 01 as a notebook, run all of it.
    chapter = jupytext.read(ROOT / CHAPTER)
    code = [cell for cell in chapter.cells if cell.cell_type == "code"]
    expected_errors = [
        i for i, cell in enumerate(code) if "raises-exception" in cell.metadata.get("tags", [])
    ]
    link = pull_link(hub.url, f"file://{repo}", "main", CHAPTER)
    for student in STUDENTS:
        page = log_in(browser, hub, student)
        if student == "alice":
            alice = page
        follow(page, link, Path(CHAPTER).name)
        print(f"{student} has chapter 01 open after {time.monotonic() - started:.0f} s")
        cells = clear_and_run_all(page, timeout=180)
        hub.note_processes()
        screenshot(page, f"{student}-chapter01")
        assert len(cells) == len(code)
        assert all(EXECUTED.fullmatch(cell["prompt"]) for cell in cells), f"{student}: not all ran"
        errors = {i: cell["errors"] for i, cell in enumerate(cells) if cell["errors"]}
        assert sorted(errors) == expected_errors, f"{student}: unexpected errors {errors}"
        assert any(cell["images"] for cell in cells), f"{student}: no figure showed"
        home_course = hub.homes / student / COURSE_FOLDER
        assert (home_course / f"exercises/{EXERCISE}.ipynb").is_file()
        if student != "alice":
            page.context.close()
    print(f"\nthree students ran chapter 01 on the hub after {time.monotonic() - started:.0f} s")

    # Alice writes a solution into exercise 01 and saves it.
    page = alice
    follow(
        page,
        pull_link(hub.url, f"file://{repo}", "main", f"exercises/{EXERCISE}.ipynb"),
        f"{EXERCISE}.ipynb",
    )
    student_version = nbformat.read(ROOT / "exercises" / f"{EXERCISE}.ipynb", as_version=4)
    task_index = next(
        i
        for i, cell in enumerate(c for c in student_version.cells if c.cell_type == "code")
        if "def weighted_sum(" in cell.source
    )
    task = code_cell(page, task_index)
    task.locator(".cm-line", has_text="raise NotImplementedError()").click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type(SOLUTION)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").wait_for()
    saved = hub.homes / "alice" / COURSE_FOLDER / "exercises" / f"{EXERCISE}.ipynb"
    assert SOLUTION in saved.read_text(encoding="utf-8")

    # The course moves on (a new commit); alice follows the link again: she gets the commit
    # and keeps her edit.
    (repo / "chapters" / "NEWS.md").write_text("# Chapter 02 is out\n", encoding="utf-8")
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "-m", "news", cwd=repo)
    follow(page, link, Path(CHAPTER).name)
    assert (hub.homes / "alice" / COURSE_FOLDER / "chapters" / "NEWS.md").is_file()
    assert SOLUTION in saved.read_text(encoding="utf-8")
    hub.note_processes()
    page.context.close()
    print(f"alice's edit survived a pull after {time.monotonic() - started:.0f} s")

    # The instructor: collect exercise 01 from every home, grade it, return the feedback.
    submitted, graded = tmp_path / "submitted", tmp_path / "graded"
    print(nnlib("collect", "01", "--homes", str(hub.homes), "--out", str(submitted), cwd=tmp_path))
    source = ROOT / "exercises" / "source" / f"{EXERCISE}.ipynb"
    print(nnlib("grade", str(source), str(submitted), "--out", str(graded), cwd=tmp_path))
    with open(graded / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = {row["name"]: row for row in csv.DictReader(file)}
    assert sorted(rows) == STUDENTS
    # Alice earns the points of the task she solved, and only those.
    assert float(rows["alice"]["total"]) == float(rows["alice"]["weighted_sum"]) > 0
    assert float(rows["bob"]["total"]) == float(rows["carol"]["total"]) == 0
    print(nnlib("return", str(graded), "--exercise", "01", "--homes", str(hub.homes), cwd=tmp_path))
    for student in STUDENTS:
        returned = hub.homes / student / "feedback" / f"{EXERCISE}.md"
        assert returned.read_text(encoding="utf-8") == (graded / student / "feedback.md").read_text(
            encoding="utf-8"
        )
    print(f"collected, graded and returned after {time.monotonic() - started:.0f} s")
