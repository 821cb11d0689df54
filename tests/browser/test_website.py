"""The course's website in a real browser: built offline (quick mode), served on 127.0.0.1.

Every page of every edition loads in headless Chromium with no failed request and no request to
any other host, its maths typeset by the MathJax served with the site, every image loaded. The
navigation (next, sidebar), the search (English and Chinese) and the language switch are used as a
reader uses them. Screenshots of a chapter in each edition go to ``artifacts/browser/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import posixpath
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT
from nnlib.course import site

pytestmark = pytest.mark.browser
pytest_plugins = ["labdriver"]  # its fixtures: chromium_path, playwright, browser

ARTIFACTS = ROOT / "artifacts" / "browser"
CACHE = ROOT / "_build" / "site-test-cache"  # kept between runs: a rebuild is quick
MATH_PAGE = "chapters/03_loss_and_gradient_descent"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site, built as ``nnlib site --quick`` builds it, and each edition's page names."""
    out = tmp_path_factory.mktemp("site")
    html = site.build(out, quick=True, cache=CACHE)
    pages = json.loads((out / "stage" / "pages.json").read_text(encoding="utf-8"))
    return html, pages


@pytest.fixture(scope="module")
def server(built):
    """An HTTP server on 127.0.0.1 serving the site; its base address."""
    html, _ = built
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def visit(page, url: str) -> dict[str, list[str]]:
    """Load ``url`` and wait for MathJax; what went wrong: foreign hosts, failures, bad maths."""
    problems: dict[str, list[str]] = {"foreign": [], "failed": [], "maths": [], "images": []}
    local = urlsplit(url).netloc

    def on_request(request):
        address = urlsplit(request.url)
        if address.scheme in ("http", "https") and address.netloc != local:
            problems["foreign"].append(request.url)

    def on_response(response):
        if response.status >= 400:
            problems["failed"].append(f"{response.status} {response.url}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda request: problems["failed"].append(request.url))
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    if page.locator("mjx-merror").count():
        problems["maths"].append("a MathJax error is shown")
    text = page.locator("article").first.inner_text() if page.locator("article").count() else ""
    if "$$" in text or "\\begin{" in text:
        problems["maths"].append("raw TeX is shown")
    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src.slice(0, 80))"
    )
    problems["images"].extend(broken)
    return {kind: found for kind, found in problems.items() if found}


def test_every_page_loads_from_the_site_alone_with_its_maths_and_images(page, built, server):
    _, pages = built
    assert set(pages) >= {"en"} and len(pages["en"]) >= 21  # home, 10 chapters, 10 exercises
    for edition, names in pages.items():
        for name in [*names, "search", "genindex"]:
            problems = visit(page, f"{server}/{edition}/{name}.html")
            assert not problems, f"{edition}/{name}.html: {problems}"
    page.goto(f"{server}/en/{MATH_PAGE}.html")
    page.evaluate("() => MathJax.startup.promise")
    assert page.locator("mjx-container").count() > 10  # typeset, not left as text


def test_next_and_the_sidebar_lead_through_the_chapters(page, server):
    page.goto(f"{server}/en/chapters/01_single_neuron.html")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-en-chapter-01.png"))
    page.locator("a.right-next").first.click()
    page.wait_for_url("**/chapters/02_activation_functions.html")
    page.locator("a.left-prev").first.click()
    page.wait_for_url("**/chapters/01_single_neuron.html")
    page.locator("nav.bd-links a", has_text="Backpropagation").first.click()
    page.wait_for_url("**/chapters/05_backpropagation.html")
    assert "Backpropagation" in page.title()


def search(page, url: str) -> set[str]:
    """The pages (``chapters/05_backpropagation``) the site's search lists for the query in ``url``.

    It waits until the search page says it has finished, or until a script on it fails.
    """
    page.add_init_script(
        "window.addEventListener('error', e => (window.scriptErrors ||= []).push(e.message))"
    )
    page.goto(url)
    page.wait_for_function(
        "() => window.scriptErrors?.length"
        " || document.querySelector('#search-results p.search-summary')?.innerText",
        timeout=30_000,
    )
    errors = page.evaluate("() => window.scriptErrors || []")
    assert not errors, f"the search page {url} failed: {errors}"
    paths = page.locator("#search-results ul.search li > a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    base = posixpath.dirname(urlsplit(url).path) + "/"
    return {path.removeprefix(base).removesuffix(".html") for path in paths}


def containing(staged: Path, names: list[str], word: str) -> set[str]:
    """The pages among ``names`` whose staged source (in folder ``staged``) contains ``word``."""
    found = set()
    for name in names:
        path = next(staged.glob(f"{name}.*"))
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        if word in text:
            found.add(name)
    return found


def test_search_finds_backpropagation_in_both_editions(page, built, server):
    html, pages = built
    found = search(page, f"{server}/en/search.html?q=backpropagation")
    assert "chapters/05_backpropagation" in found, found
    if "zh" not in pages:
        pytest.skip("the Chinese edition has no home page yet (README.zh-CN.md)")
    # Every Chinese page that writes 反向传播, and no other: the home page and the glossary now,
    # the backpropagation chapter (and any other) once it is translated.
    expected = containing(html.parent / "stage" / "zh", pages["zh"], "反向传播")
    assert {"index", "glossary"} <= expected
    assert search(page, f"{server}/zh/search.html?q=反向传播") == expected


def test_the_language_switch_lands_on_the_same_chapter(page, built, server):
    _, pages = built
    if "zh" not in pages:
        pytest.skip("the Chinese edition has no home page yet (README.zh-CN.md)")
    translated = sorted(set(pages["en"]) & set(pages["zh"]) - {"index"})
    assert translated, "no page exists in both editions"
    name = next(n for n in translated if n.startswith("chapters/"))
    page.goto(f"{server}/en/{name}.html")
    page.locator("a.nnlib-language").click()
    page.wait_for_url(f"**/zh/{name}.html")
    page.screenshot(path=str(ARTIFACTS / "site-zh-chapter.png"))
    page.locator("a.nnlib-language").click()
    page.wait_for_url(f"**/en/{name}.html")
    # A page not translated yet (a chapter, CONTRIBUTING): the switch says so and leads to the
    # Chinese home page, whose contents list the translated chapters.
    untranslated = sorted(set(pages["en"]) - set(pages["zh"]))
    page.goto(f"{server}/en/{untranslated[0]}.html")
    page.locator("a.nnlib-language", has_text="not translated yet").click()
    page.wait_for_url(f"{server}/zh/index.html")


def test_a_chapter_page_offers_its_notebook(page, server):
    page.goto(f"{server}/en/chapters/01_single_neuron.html")
    link = page.locator("a.nnlib-notebook")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "01_single_neuron.ipynb"
    notebook = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert notebook["cells"][0]["cell_type"] == "markdown"
