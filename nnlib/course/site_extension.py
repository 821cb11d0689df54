"""A Sphinx extension for the course's website: the links at the top of every page.

Course tooling used by ``site/conf.py`` (see :mod:`nnlib.course.site`). Each page gets a language
switch that leads to the same page in the other edition (or, saying so, to that edition's home
page, whose contents list what is translated, where the page is not translated yet); each chapter
and exercise page also gets a link to download its notebook and, when the README gives the
course's Binder address, one that opens the notebook there in JupyterLab. It also makes the
Chinese search work (:class:`ChineseSearch`).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import jieba
from sphinx.search.zh import SearchChinese

from nnlib.course.edition import read_glossary
from nnlib.course.site import EDITIONS, PAGES_ENV

BINDER_LINK = re.compile(r"https://mybinder\.org/v2/[^?)\s\"'<>]+")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
WORDS = {
    "en": {
        "notebook": "Download the notebook",
        "binder": "Open it on Binder",
        "language": "Read this page in {name}",
        "home": "The {name} edition (this page is not translated yet)",
    },
    "zh": {
        "notebook": "下载笔记本",
        "binder": "在 Binder 上打开",
        "language": "阅读本页的 {name} 版",
        "home": "{name} 版首页（本页尚未译出）",
    },
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
            target, text = (pagename, "language") if pagename in names else ("index", "home")
            label = words[text].format(name=LANGUAGE_NAMES.get(other, other))
            links.append(
                f'<a class="nnlib-language" hreflang="{other}" '
                f'href="{to_root}{other}/{target}.html">{html.escape(label)}</a>'
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


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search, repaired, and splitting the glossary's terms as whole words.

    Sphinx 9.0.0 to 9.1.0 end the search's ``language_data.js`` with ``window.Stemmer =
    {language_name}Stemmer;``, but the Chinese search ships ``english-stemmer.js`` (Latin words in
    Chinese pages are stemmed as English ones), which defines ``EnglishStemmer``: the search page
    stops at "ChineseStemmer is not defined" and finds nothing (sphinx-doc/sphinx#14229, fixed
    after 9.1.0 by #14416, which names the class after the file). Naming the language "English"
    names the class that exists; Sphinx uses the name nowhere else but in a log line.

    The search splits a query only at spaces and punctuation, while the index splits Chinese
    text into the words of jieba's dictionary, where 反向传播 is 反向 + 传播: a search for the
    term would find nothing. Each Chinese term of ``docs/glossary.md`` is added to the
    dictionary, so the index holds it whole (and its parts, which jieba's search mode keeps).
    """

    language_name = "English"

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        glossary = Path(os.environ["NNLIB_SITE_ROOT"]) / "docs" / "glossary.md"
        if glossary.is_file():
            for term in read_glossary(glossary):
                jieba.add_word(term.chinese)


def setup(app):
    """Register the hook that adds the links to every page's body, and the Chinese search."""
    root = Path(os.environ["NNLIB_SITE_ROOT"])
    edition = os.environ["NNLIB_SITE_EDITION"]
    pages = json.loads(Path(os.environ[PAGES_ENV]).read_text(encoding="utf-8"))
    binder = binder_base(root)

    def add_links(app, pagename, templatename, context, doctree):
        if "body" in context and pagename in pages.get(edition, []):
            context["body"] = page_links(pagename, edition, pages, binder) + context["body"]

    app.connect("html-page-context", add_links)
    app.add_search_language(ChineseSearch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
