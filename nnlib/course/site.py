"""The course as a website: both editions, every chapter executed, built offline.

Course tooling (``nnlib site``), not a chapter's topic. The site is made from the very files the
notebooks are paired with, so it cannot drift from them:

1. **Stage.** For each edition, the pages it publishes are copied into a folder of their own: the
   README as the home page, the chapters' MyST files, the exercises' *student* versions, and a few
   notes. Nothing else of the repository is reachable from Sphinx, so an instructor's source, its
   solutions and hidden tests cannot be picked up by a glob.
2. **Build.** Sphinx with myst-nb executes the chapters through jupyter-cache. The cache folder is
   named after a hash of ``nnlib/`` and ``data/`` (and of the quick mode), so a change there runs
   the chapters again; the two editions share it, and since their code cells are identical, the
   second edition's chapters come from the cache.
3. **Check.** The output is scanned for anything from ``exercises/source/``: a byte-identical copy
   of a file, a solution or hidden-test marker in a page made from a notebook, or the body of any
   solution or hidden test. One finding fails the build (:class:`LeakError`).
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nnlib.course import QUICK_ENV

ROOT = Path(__file__).resolve().parents[2]
CONF_DIR = ROOT / "site"
DEFAULT_OUT = ROOT / "_build" / "site"
CACHE_ENV = "NNLIB_SITE_CACHE"
PAGES_ENV = "NNLIB_SITE_PAGES"  # a JSON file: each edition's page names, for the language switch
MATHJAX_ENV = "NNLIB_SITE_MATHJAX"  # the folder whose mathjax/ the site serves (site/conf.py)
MATHJAX_BUNDLE = "tex-mml-chtml.js"  # the one MathJax the pages load


MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SECRET_BLOCK = re.compile(
    r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(?P<body>.*?)### END \1", flags=re.DOTALL
)
MIN_SECRET_CHARS = 20  # shorter bodies (``return x``) are too common to call a leak
MARKDOWN_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)\)")
HTML_TAG = re.compile(r"<[^>]+>")
PAGE_TEMPLATE_SUFFIXES = (".html", ".txt", ".js", ".json", ".ipynb", ".md")


DOCS_MODULES = ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax", "jieba", "jupytext")


class LeakError(RuntimeError):
    """The built site contains something from the instructors' sources."""


@dataclass(frozen=True)
class Edition:
    """One language of the course and where its files are in the repository.

    Attributes
    ----------
    code : str
        The edition's folder in the site (``en``, ``zh``).
    language : str
        Sphinx's language (and search language) for it.
    home : str
        The page shown as the edition's home (a README).
    chapters, exercises : str
        The folders of the chapters' MyST files and of the exercises' student versions.
    notes : tuple of (str, str)
        Other pages: (repository path, path in the site).
    captions : tuple of str
        The sidebar's headings over the chapters, the exercises and the notes.
    """

    code: str
    language: str
    home: str
    chapters: str
    exercises: str
    notes: tuple[tuple[str, str], ...]
    captions: tuple[str, str, str]


EDITIONS = (
    Edition(
        "en",
        "en",
        "README.md",
        "chapters",
        "exercises",
        (("CONTRIBUTING.md", "CONTRIBUTING.md"), ("data/README.md", "data/README.md")),
        ("Chapters", "Exercises", "About the course"),
    ),
    Edition(
        "zh",
        "zh_CN",
        "README.zh-CN.md",
        "zh/chapters",
        "zh/exercises",
        (("docs/glossary.md", "glossary.md"),),
        ("章节", "练习", "说明"),
    ),
)
PROSE_PAGES = ("index", "CONTRIBUTING", "data/README", "glossary")  # may name the markers


def available_editions(root: Path = ROOT) -> list[Edition]:
    """The editions whose home page exists in ``root`` (a new edition appears once it has one)."""
    return [edition for edition in EDITIONS if (root / edition.home).is_file()]


def chapter_files(root: Path, edition: Edition) -> list[Path]:
    """The edition's chapters: ``NN_name.md`` files, in order."""
    return sorted((root / edition.chapters).glob("[0-9][0-9]_*.md"))


def exercise_files(root: Path, edition: Edition) -> list[Path]:
    """The edition's exercises as learners get them: ``exNN_name.ipynb``, never the sources."""
    return sorted((root / edition.exercises).glob("ex[0-9][0-9]_*.ipynb"))


def content_hash(root: Path, quick: bool) -> str:
    """A short hash of everything a chapter's outputs depend on beyond its code cells."""
    digest = hashlib.sha256(b"quick" if quick else b"full")
    for folder in ("nnlib", "data"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_map(root: Path, editions: list[Edition]) -> dict[Path, tuple[str, str]]:
    """Where each published file lands: ``{file: (edition, path in the staged folder)}``."""
    pages: dict[Path, tuple[str, str]] = {}
    for edition in editions:
        pages[(root / edition.home).resolve()] = (edition.code, "index.md")
        for source, target in edition.notes:
            pages[(root / source).resolve()] = (edition.code, target)
        for path in chapter_files(root, edition):
            pages[path.resolve()] = (edition.code, f"chapters/{path.name}")
        for path in exercise_files(root, edition):
            pages[path.resolve()] = (edition.code, f"exercises/{path.name}")
    return pages


def relink(
    text: str, source: Path, page: tuple[str, str], pages: dict[Path, tuple[str, str]]
) -> str:
    """Point the Markdown links of ``source`` (staged as ``page``) at their pages in the site.

    A link to a page of the same edition becomes a relative link to its staged file, which Sphinx
    resolves (and checks); a link to the other edition's page becomes an HTML link to its built
    page; a link to a file that is not published (a script, the licence) keeps its text and loses
    its target, so the site has no broken links. Web links and anchors stay as they are.
    """
    edition, staged = page
    here = posixpath.dirname(staged)

    def replace(match: re.Match) -> str:
        text, target = match["text"], match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):
            return match[0]
        path, _, anchor = target.partition("#")
        found = pages.get((source.parent / path).resolve())
        if found is None:
            return text
        other, file = found
        anchor = f"#{anchor}" if anchor else ""
        if other == edition:
            return f"[{text}]({posixpath.relpath(file, here or '.')}{anchor})"
        built = posixpath.splitext(f"{other}/{file}")[0] + ".html"
        href = posixpath.relpath(built, posixpath.join(edition, here))
        return f'<a href="{href}{anchor}">{text}</a>'

    return MARKDOWN_LINK.sub(replace, text)


def stage(root: Path, edition: Edition, folder: Path, pages: dict[Path, tuple[str, str]]) -> None:
    """Copy the pages of ``edition`` into ``folder``, links rewritten, with a contents tree."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    def put(source: Path, target: str) -> None:
        destination = folder / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".md":
            text = relink(source.read_text(encoding="utf-8"), source, (edition.code, target), pages)
            destination.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, destination)

    chapters = chapter_files(root, edition)
    exercises = exercise_files(root, edition)
    for path in chapters:
        put(path, f"chapters/{path.name}")
    listings = root / edition.chapters / "listings"
    if listings.is_dir():  # files a chapter reads and prints (chapter 09's listings)
        shutil.copytree(listings, folder / "chapters" / "listings")
    for path in exercises:
        put(path, f"exercises/{path.name}")
    notes = [
        (root / source, target) for source, target in edition.notes if (root / source).is_file()
    ]
    for source, target in notes:
        put(source, target)
    put(root / edition.home, "index.md")
    sections = [
        [f"chapters/{path.stem}" for path in chapters],
        [f"exercises/{path.stem}" for path in exercises],
        [posixpath.splitext(target)[0] for _, target in notes],
    ]
    tree = "".join(
        f"\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n:caption: {caption}\n\n"
        + "\n".join(names)
        + "\n```\n"
        for caption, names in zip(edition.captions, sections, strict=True)
        if names
    )
    with (folder / "index.md").open("a", encoding="utf-8") as index:
        index.write(tree)


def secrets_of(root: Path) -> tuple[set[str], list[str]]:
    """What must never be published: the sources' file digests, and their solution bodies.

    A body that is, word for word, code of the library itself is left out: ``nnlib`` is public,
    and a chapter that shows a function with ``show_source`` publishes it on purpose.
    """
    library = " ".join(
        " ".join(path.read_text(encoding="utf-8").split())
        for path in sorted((root / "nnlib").rglob("*.py"))
    )
    digests: set[str] = set()
    bodies: list[str] = []
    for edition in EDITIONS:
        sources = root / edition.exercises / "source"
        if not sources.is_dir():
            continue
        for path in sorted(sources.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            digests.add(hashlib.sha256(data).hexdigest())
            if path.suffix == ".md":
                for match in SECRET_BLOCK.finditer(data.decode("utf-8")):
                    body = " ".join(match["body"].split())
                    if len(body) >= MIN_SECRET_CHARS and body not in library:
                        bodies.append(body)
    return digests, bodies


def readable_text(path: Path) -> str:
    """A file's text as a reader would see it: tags removed, entities decoded, spaces collapsed."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = html.unescape(HTML_TAG.sub("", text))
    return " ".join(text.split())


def find_leaks(site: Path, root: Path = ROOT) -> list[str]:
    """Everything in the built ``site`` that comes from an instructor's source, one line each."""
    digests, bodies = secrets_of(root)
    prose = {f"{edition.code}/{page}.html" for edition in EDITIONS for page in PROSE_PAGES}
    leaks = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        if hashlib.sha256(path.read_bytes()).hexdigest() in digests:
            leaks.append(f"{name}: a byte-identical copy of a file in exercises/source/")
            continue
        if path.suffix not in PAGE_TEMPLATE_SUFFIXES or "/_static/" in f"/{name}":
            continue
        text = readable_text(path)
        if name not in prose and any(marker in text for marker in MARKERS):
            leaks.append(f"{name}: a solution or hidden-test marker")
        for body in bodies:
            if body in text:
                leaks.append(f"{name}: the text of a solution or hidden test: {body[:60]}...")
                break
    return leaks


def stage_mathjax(folder: Path) -> Path:
    """MathJax 3 as the site serves it, in ``folder/mathjax``: returns ``folder``.

    The package ships all of MathJax's repository (its TypeScript, its builds for Node, a dozen
    combined bundles: 43 MB); a page needs its browser build (``es5/``) and, of the bundles in it,
    only :data:`MATHJAX_BUNDLE`: the components that bundle loads later (fonts, TeX extensions,
    the accessibility tools of its menu) are in ``es5``'s folders, all kept.
    """
    import mathjax

    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = folder / "mathjax"
    if target.exists():
        shutil.rmtree(target)

    def other_bundles(directory: str, names: list[str]) -> list[str]:
        if Path(directory) != es5:
            return []
        return [name for name in names if name.endswith(".js") and name != MATHJAX_BUNDLE]

    shutil.copytree(es5, target, ignore=other_bundles)
    return folder


def redirect_page(edition: Edition) -> str:
    """The site's root page: it sends the reader to the English (first) edition's home."""
    target = f"{edition.code}/index.html"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>From a Neuron to MNIST</title>'
        f'<meta http-equiv="refresh" content="0; url={target}"></head>'
        f'<body><a href="{target}">From a Neuron to MNIST</a></body></html>\n'
    )


def build(
    out: Path = DEFAULT_OUT,
    *,
    quick: bool = False,
    root: Path = ROOT,
    cache: Path | None = None,
) -> Path:
    """Build every available edition of the site into ``out/html`` and check it for leaks.

    Parameters
    ----------
    out : Path
        The build folder: ``html/`` (the site to publish), ``stage/`` and ``cache/`` go there.
    quick : bool
        Run the chapters' long trainings short (as the test suite does), for a check of the site.
    root : Path
        The course repository to build from.
    cache : Path, optional
        jupyter-cache's parent folder (default ``out/cache``); rebuilds reuse what it holds.

    Returns
    -------
    Path
        The site's folder, ``out/html``.

    Raises
    ------
    LeakError
        When anything from ``exercises/source/`` reached the output (the output is removed).
    subprocess.CalledProcessError
        When Sphinx fails (a chapter raised, a page is malformed).
    """
    missing = [name for name in DOCS_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise ModuleNotFoundError(f"building the site needs {', '.join(missing)}", name=missing[0])
    out = out.resolve()  # Sphinx would read a relative path in the environment from site/
    editions = available_editions(root)
    if not editions:
        raise FileNotFoundError(f"{root} has no README.md: is it the course's repository?")
    html_dir = out / "html"
    if html_dir.exists():
        shutil.rmtree(html_dir)
    pages = page_map(root, editions)
    cache_dir = (cache or out / "cache") / content_hash(root, quick)
    names = {}
    for edition in editions:
        staged = out / "stage" / edition.code
        stage(root, edition, staged, pages)
        names[edition.code] = sorted(
            path.relative_to(staged).with_suffix("").as_posix()
            for path in staged.rglob("*")
            if path.suffix in (".md", ".ipynb") and "listings" not in path.parts
        )
    pages_file = out / "stage" / "pages.json"
    pages_file.write_text(json.dumps(names), encoding="utf-8")
    env = {
        **os.environ,
        CACHE_ENV: str(cache_dir),
        QUICK_ENV: "1" if quick else "0",
        PAGES_ENV: str(pages_file),
        MATHJAX_ENV: str(stage_mathjax(out / "stage" / "static")),
        "NNLIB_SITE_ROOT": str(root),
    }
    for edition in editions:
        staged = out / "stage" / edition.code
        command = [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-q",
            "-c",
            str(CONF_DIR),
            "-D",
            f"language={edition.language}",
            "-d",
            str(out / "doctrees" / edition.code),
            str(staged),
            str(html_dir / edition.code),
        ]
        subprocess.run(command, env={**env, "NNLIB_SITE_EDITION": edition.code}, check=True)
        notebooks = html_dir / edition.code / "notebooks"
        notebooks.mkdir()
        for path in chapter_files(root, edition):
            shutil.copyfile(path.with_suffix(".ipynb"), notebooks / f"{path.stem}.ipynb")
        for path in exercise_files(root, edition):
            shutil.copyfile(path, notebooks / path.name)
    (html_dir / "index.html").write_text(redirect_page(editions[0]), encoding="utf-8")
    leaks = find_leaks(html_dir, root)
    if leaks:
        shutil.rmtree(html_dir)
        raise LeakError(
            "the site would publish instructors' material, so it was removed:\n  "
            + "\n  ".join(leaks)
        )
    return html_dir
