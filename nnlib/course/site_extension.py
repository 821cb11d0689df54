"""A Sphinx extension for the course's website: the links at the top of every page.

Course tooling used by ``site/conf.py`` (see :mod:`nnlib.course.site`). Each page gets a language
switch that leads to the same page in the other edition (or to that edition's home page, where the
page is not translated yet); each chapter and exercise page also gets a link to download its
notebook and, when the README gives the course's Binder address, one that opens the notebook there
in JupyterLab.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from nnlib.course.site import EDITIONS, PAGES_ENV

BINDER_LINK = re.compile(r"https://mybinder\.org/v2/[^?)\s\"'<>]+")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
WORDS = {
    "en": {
        "notebook": "Download the notebook",
        "binder": "Open it on Binder",
        "language": "Read this page in",
    },
    "zh": {"notebook": "下载笔记本", "binder": "在 Binder 上打开", "language": "阅读本页的"},
}


def binder_base(root: Path) -> str | None:
    """The Binder launch address that the README gives, without its ``?urlpath=...``, if any."""
    readme = root / "README.md"
    match = BINDER_LINK.search(readme.read_text(encoding="utf-8")) if readme.is_file() else None
    return match[0] if match else None


def page_links(pagename: str, edition: str, pages: dict[str, list[str]], binder: str | None) -> str:
    """The HTML of the links shown above the content of page ``pagename`` of ``edition``."""
    to_root = "../" * (pagename.count("/") + 1)
    words = WORDS.get(edition, WORDS["en"])
    links = []
    for other, names in pages.items():
        if other != edition:
            target = pagename if pagename in names else "index"
            links.append(
                f'<a class="nnlib-language" hreflang="{other}" '
                f'href="{to_root}{other}/{target}.html">'
                f"{html.escape(words['language'])} {LANGUAGE_NAMES.get(other, other)}</a>"
            )
    section, _, stem = pagename.rpartition("/")
    folders = {e.code: {"chapters": e.chapters, "exercises": e.exercises} for e in EDITIONS}
    if section in ("chapters", "exercises"):
        links.append(
            f'<a class="nnlib-notebook" download href="{to_root}{edition}/notebooks/{stem}.ipynb">'
            f"{html.escape(words['notebook'])} ({stem}.ipynb)</a>"
        )
        if binder:
            suffix = ".md" if section == "chapters" else ".ipynb"
            path = f"{folders[edition][section]}/{stem}{suffix}"
            links.append(
                f'<a class="nnlib-binder" href="{binder}?urlpath=lab/tree/{path}">'
                f"{html.escape(words['binder'])}</a>"
            )
    return '<p class="nnlib-page-links">' + " · ".join(links) + "</p>\n"


def setup(app):
    """Register the hook that adds the links to every page's body."""
    root = Path(os.environ["NNLIB_SITE_ROOT"])
    edition = os.environ["NNLIB_SITE_EDITION"]
    pages = json.loads(Path(os.environ[PAGES_ENV]).read_text(encoding="utf-8"))
    binder = binder_base(root)

    def add_links(app, pagename, templatename, context, doctree):
        if "body" in context and pagename in pages.get(edition, []):
            context["body"] = page_links(pagename, edition, pages, binder) + context["body"]

    app.connect("html-page-context", add_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
