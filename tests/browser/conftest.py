"""Fixtures of the browser tests: the machine's Chromium, driven by Playwright.

The tests need the ``playwright`` package (in the ``dev`` extra) and a Chromium on the machine
(``apt-get install chromium``; ``.ci/run`` installs it). Without either they are skipped, with the
reason, except in CI (``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the fixtures below skip (or fail in CI) with the reason
    sync_playwright = None

from labdriver import CHROMIUM_ARGS, find_chromium


def unavailable(reason: str):
    """Skip the browser tests with ``reason``; in CI, fail: there they must run."""
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(reason)


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
