"""Drive the learner's JupyterLab in headless Chromium: a private Lab server, and page helpers.

Used by the browser tests (``tests/browser``). Each run starts JupyterLab on 127.0.0.1 with a
token and a free port, in a temporary copy of the course, with its own Jupyter configuration,
settings and workspaces (so nothing of the machine's own JupyterLab, and no workspace restored from
an earlier run, can change what the page shows), and with the course's own setting overrides
(``nnlib.course.lab.configure``), so a chapter's ``.md`` opens as a notebook exactly as it does for
a learner. The browser is the machine's Chromium, driven by Playwright; Playwright's own browser
builds are never downloaded.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the fixtures below skip (or fail in CI) with the reason
    sync_playwright = None

from nnlib.course.lab import configure, edition_arguments, edition_environment

CHROMIUM_ENV = "NNLIB_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
# Without the background-networking flags, Chromium opens connections of its own (component
# updates, sync, field trials) that the sandboxed network refuses, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Settings for the test run only, on top of the course's overrides: no news, no update checks,
# and every cell laid out at once (the default lets the browser skip laying out cells out of view,
# so an element's position could still change after it is scrolled to: screenshots and drags
# would miss their target).
TEST_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
DISABLED_PLUGINS = {"@jupyterlab/apputils-extension:announcements": True}
START_TIMEOUT = 60  # seconds for the server to answer


def unavailable(reason: str):
    """Skip the browser tests with ``reason``; in CI, fail: there they must run."""
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable: ``$NNLIB_CHROMIUM``, else on the PATH."""
    for name in filter(None, [os.environ.get(CHROMIUM_ENV), *CHROMIUM_NAMES]):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(process: subprocess.Popen, ask, name: str, log) -> None:
    """Wait until ``ask()`` stops raising OSError (the server answers); raise, with the server's
    ``log()``, if ``process`` exits first or ``START_TIMEOUT`` passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start:\n{log()}")
        try:
            ask()
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{name} did not answer in {START_TIMEOUT} s:\n{log()}")


class LabServer:
    """JupyterLab serving ``root`` on 127.0.0.1, configured in ``home`` (a fresh folder).

    Parameters
    ----------
    root : Path
        The folder the file browser shows: a temporary copy of the course.
    home : Path
        Where the server's configuration, settings, workspaces and runtime files go.
    lang : str
        The edition, as ``nnlib lab --lang`` takes it: its folder, its JupyterLab language.
    """

    def __init__(self, root: Path, home: Path, lang: str = "en") -> None:
        self.root, self.home, self.lang = root, home, lang
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.log_path = home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str = "lab") -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{separator}token={self.token}"

    def _environment(self) -> dict[str, str]:
        dirs = {name: self.home / name for name in ("config", "data", "runtime", "ipython")}
        for folder in dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        labconfig = dirs["config"] / "labconfig"
        labconfig.mkdir(exist_ok=True)
        page_config = {"disabledExtensions": DISABLED_PLUGINS}
        (labconfig / "page_config.json").write_text(json.dumps(page_config), encoding="utf-8")
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # a non-inline backend would hide every figure from the page
        env.pop("NNLIB_STRICT_CHECKS", None)  # self-checks must recognise JupyterLab on their own
        env.update(
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            IPYTHONDIR=str(dirs["ipython"]),
            **edition_environment(self.lang),
        )
        return env

    def _settings_dir(self) -> Path:
        """The course's overrides (``nnlib lab`` writes the same into the environment), plus
        the test's own, in a settings folder of this server's."""
        prefix = self.home / "prefix"
        path = configure(prefix, lang=self.lang)
        settings = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**TEST_OVERRIDES, **settings}, indent=2), encoding="utf-8")
        return path.parent

    def start(self) -> LabServer:
        settings = self._settings_dir()
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.allow_root=True",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.app_settings_dir={settings}",
            f"--LabApp.user_settings_dir={self.home / 'user-settings'}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *edition_arguments(self.lang),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_answering(
            self.process, lambda: self.api("GET", "api/status"), "JupyterLab", self.log
        )
        return self

    def api(self, method: str, path: str) -> dict:
        """Call the server's REST API (direct, never through a proxy)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Shut the server down cleanly (its kernels too); kill it if it does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.api("POST", "api/shutdown")
            self.process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def shutdown_kernels(self) -> None:
        """End every notebook's session and kernel, so the next test starts from a quiet server."""
        for session in self.api("GET", "api/sessions"):
            self.api("DELETE", f"api/sessions/{session['id']}")


NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the current tab
KERNEL_IDLE = re.compile(r"\| Idle$")
# The code cells of the current notebook, as the page shows them: prompt, source, what came out.
CODE_CELLS_JS = """panel => [...panel.querySelectorAll('.jp-CodeCell')].map(cell => ({
    prompt: cell.querySelector('.jp-InputArea-prompt').textContent.trim(),
    source: [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')]
        .map(line => line.textContent).join('\\n'),
    errors: [...cell.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(output => output.textContent).filter(text => text.includes('Traceback')),
    stdout: [...cell.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]')]
        .map(output => output.textContent).join(''),
    images: [...cell.querySelectorAll('.jp-OutputArea-output img')]
        .map(img => img.src.slice(0, 22)),
    widgets: cell.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
}))"""
EXECUTED = re.compile(r"\[\d+\]:")
SETTLE = 3.0  # seconds of an idle kernel after which cells left unrun stay unrun


def open_lab(page, server: LabServer) -> None:
    """Load JupyterLab with a fresh workspace (``?reset``) and wait for its file browser."""
    page.goto(server.url("lab?reset"))
    page.locator(".jp-DirListing-item").first.wait_for(timeout=60_000)


def open_in_file_browser(page, path: str) -> None:
    """Open ``path`` (e.g. "chapters/01_single_neuron.md") by double-clicks in the file browser,
    from the course's root, as a learner does."""
    page.locator(".jp-BreadCrumbs-home").click()
    for name in path.split("/"):
        item = page.locator(".jp-DirListing-item", has=page.get_by_text(name, exact=True))
        item.dblclick()


def wait_for_kernel_idle(page, timeout: float = 60) -> None:
    """Wait until the current notebook's kernel is idle, by the kernel status in the status bar.

    If JupyterLab asks which kernel to start (the "Select Kernel" dialog), accept its proposal,
    the notebook's own kernel, as a learner would.
    """
    status = page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE)
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()
        elif status.count():
            return
        time.sleep(0.2)
    raise TimeoutError(f"the kernel was not idle after {timeout} s")


def menu(page, title: str, command: str) -> None:
    """Choose a command from the menu bar, e.g. ``menu(page, "Run", "runmenu:run-all")``."""
    page.locator(".lm-MenuBar-item", has_text=title).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def clear_and_run_all(page, timeout: float = 120) -> list[dict]:
    """Clear every output, run all cells from the menus, wait until the run is over.

    The run is over when every code cell shows an execution count, or when the kernel has been
    idle for ``SETTLE`` seconds with none running (an error outside a ``raises-exception`` cell
    stops Run All, and the cells after it stay blank). Returns the code cells as
    ``CODE_CELLS_JS`` describes them.
    """
    wait_for_kernel_idle(page)
    menu(page, "Edit", "editmenu:clear-all")
    menu(page, "Run", "runmenu:run-all")
    prompts = page.locator(f"{NOTEBOOK} .jp-CodeCell .jp-InputArea-prompt")
    idle = page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE)
    deadline, idle_since = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        shown = [prompt.strip() for prompt in prompts.all_text_contents()]
        if all(EXECUTED.fullmatch(prompt) for prompt in shown):
            break
        if "[*]:" in shown or not idle.count():
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > SETTLE:
            break
        time.sleep(0.2)
    else:
        raise TimeoutError(f"Run All did not finish in {timeout} s")
    wait_for_kernel_idle(page)
    return code_cells(page)


def code_cells(page) -> list[dict]:
    return page.locator(NOTEBOOK).evaluate(CODE_CELLS_JS)


def code_cell(page, index: int):
    """The locator of the current notebook's code cell number ``index`` (from 0)."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").nth(index)


def wait_for_new_image(page, cell, old_src: str, timeout: float = 30) -> str:
    """Wait until the image in ``cell`` is no longer ``old_src`` (the kernel redrew it)."""
    image = cell.locator(".jp-OutputArea-output img").first
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        src = image.get_attribute("src")
        if src and src != old_src:
            return src
        time.sleep(0.1)
    raise TimeoutError(f"the figure was not redrawn within {timeout} s")


# Draws each character in the element's own font (with Chromium's fallback fonts) on a canvas,
# next to two code points that no font has: those come out as the same box ("tofu") or blank.
GLYPHS_JS = """(element, chars) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    context.font = `40px ${getComputedStyle(element).fontFamily}`;
    const draw = (text) => {
        context.clearRect(0, 0, 64, 64);
        context.fillText(text, 8, 48);
        return Array.from(context.getImageData(0, 0, 64, 64).data).join(",");
    };
    const blank = draw(""), tofu = draw("\\u{10FFFD}");
    return {
        tofu_is_a_box: tofu !== blank && tofu === draw("\\u{10FFFC}"),
        missing: chars.filter((ch) => [blank, tofu].includes(draw(ch))),
    };
}"""


def glyphs_drawn_as_boxes(locator, chars: str) -> list[str]:
    """The characters of ``chars`` that the browser cannot draw in ``locator``'s font (no font on
    the machine has them): they would show as empty boxes."""
    found = locator.evaluate(GLYPHS_JS, list(chars))
    assert found["tofu_is_a_box"], "a character no font has should be drawn as a box"
    return found["missing"]


# Fixtures of every browser test module (imported there by name): the machine's Chromium, driven
# by Playwright, never one of Playwright's own builds.
@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        unavailable(
            "no Chromium was found (install Debian's package: apt-get install chromium, or set "
            "NNLIB_CHROMIUM to a Chromium or Chrome executable)"
        )
    return path


@pytest.fixture(scope="module")
def playwright():
    if sync_playwright is None:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
