"""Keep the Simplified Chinese edition (``zh/``) in step with the English one.

Not part of any chapter: a maintainer's tool, run as ``python -m nnlib.course.edition``. Every
page of the Chinese edition has an English twin of the same name: ``zh/chapters/NN_name.md`` is
the translation of ``chapters/NN_name.md``, ``zh/exercises/source/exNN_name.md`` that of
``exercises/source/exNN_name.md``. Its code cells must be the English ones, one by one (same
source, same metadata, same order), so that a learner can switch editions at any cell; only the
prose is translated. Each Chinese page records in its metadata (``nnlib.translation``) which
English text it was translated from: the last commit that changed the English page and a hash of
the English prose. When the English prose changes, the record no longer matches, and ``status``
says which cells to translate again.

The prose follows one glossary, ``docs/glossary.md``: a term is always written as its Chinese
rendering there, never as a variant it lists to avoid, and its first use on a page gives the
English in parentheses (:func:`terminology_problems`).

Commands (each takes Chinese pages, default: all of them)::

    python -m nnlib.course.edition status   # what is out of step; exit status 1 if anything is
    python -m nnlib.course.edition sync     # copy the English code cells in, then status
    python -m nnlib.course.edition mark P   # P's prose now matches the English: record it
    python -m nnlib.course.edition start E  # copy the English page E into zh/ to translate it
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import yaml

from nnlib.course.lab import COURSE_ROOT
from nnlib.course.release import release

EDITION = "zh"
FOLDERS = ("chapters", "exercises/source")
CODE_BLOCK = re.compile(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*$", re.DOTALL | re.MULTILINE)
HEADER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
GLOSSARY = COURSE_ROOT / "docs" / "glossary.md"
# What is not prose: fenced blocks, display and inline maths, inline code, link targets, HTML.
NOT_PROSE = re.compile(
    r"```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`|\]\([^)]*\)|<[^>\n]+>", re.DOTALL
)
PARENTHESIS = re.compile(r"[*_]*\s*[（(]([^）)]*)[）)]")


def chinese_pages(root: Path = COURSE_ROOT) -> list[Path]:
    """Every page of the Chinese edition (its ``.md`` sources), chapters first."""
    return [md for folder in FOLDERS for md in sorted((root / EDITION / folder).glob("*.md"))]


def english_twin(chinese_md: Path, root: Path = COURSE_ROOT) -> Path:
    """``zh/chapters/01_x.md`` -> ``chapters/01_x.md`` (the same path without ``zh/``)."""
    return root / chinese_md.resolve().relative_to((root / EDITION).resolve())


def chinese_twin(english_md: Path, root: Path = COURSE_ROOT) -> Path:
    """``chapters/01_x.md`` -> ``zh/chapters/01_x.md``."""
    return root / EDITION / english_md.resolve().relative_to(root.resolve())


def _name(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def read(md: Path) -> nbformat.NotebookNode:
    return jupytext.read(md, fmt="md:myst")


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _prose(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _first_line(source: str) -> str:
    line = next((line for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def code_differences(chinese_md: Path, root: Path = COURSE_ROOT) -> list[str]:
    """Where the code cells of a Chinese page differ from its English twin's (empty: none).

    Each message names the page and the code cell (counted from 1, with its first line), so a
    maintainer can find it; ``sync`` repairs every difference when the cell counts agree.
    """
    english_md = english_twin(chinese_md, root)
    name = _name(chinese_md, root)
    if not english_md.exists():
        return [f"{name}: its English twin {_name(english_md, root)} does not exist"]
    english, chinese = _code_cells(read(english_md)), _code_cells(read(chinese_md))
    problems = []
    if len(english) != len(chinese):
        problems.append(
            f"{name}: {len(chinese)} code cells, but {_name(english_md, root)} has "
            f"{len(english)}: a code cell was added or removed on one side only"
        )
    for number, (en, zh) in enumerate(zip(english, chinese, strict=False), start=1):
        if en.source != zh.source:
            problems.append(
                f"{name}: code cell {number} ({_first_line(zh.source)!r}) differs from the "
                f"English code cell {number} ({_first_line(en.source)!r})"
            )
        elif en.metadata != zh.metadata:
            problems.append(
                f"{name}: code cell {number} ({_first_line(zh.source)!r}) has metadata "
                f"{dict(zh.metadata)}, the English one {dict(en.metadata)}"
            )
    return problems


def prose_fingerprint(nb: nbformat.NotebookNode) -> str:
    """The SHA-256 of a page's Markdown cells: it changes exactly when its prose does."""
    return hashlib.sha256("\n\x00\n".join(_prose(nb)).encode("utf-8")).hexdigest()


def last_commit(path: Path, root: Path = COURSE_ROOT) -> str:
    """The last git commit that changed ``path`` ("" outside a git checkout)."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", _name(path, root)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return result.stdout.strip()


def translation_record(chinese_md: Path) -> dict:
    """What the page's metadata says it was translated from (empty if it says nothing)."""
    return dict(read(chinese_md).metadata.get("nnlib", {}).get("translation", {}))


def _english_prose_at(commit: str, english_md: Path, root: Path) -> list[str] | None:
    try:
        text = subprocess.run(
            ["git", "show", f"{commit}:{_name(english_md, root)}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return _prose(jupytext.reads(text, fmt="md:myst"))


def prose_changes(chinese_md: Path, root: Path = COURSE_ROOT) -> list[str]:
    """Whether the English prose changed since this page was translated, and where.

    Empty when the recorded hash matches the English page now. Otherwise one message, followed
    (when git still knows the recorded commit) by the English Markdown cells that changed.
    """
    english_md = english_twin(chinese_md, root)
    name = _name(chinese_md, root)
    if not english_md.exists():
        return []
    record = translation_record(chinese_md)
    english_prose = _prose(read(english_md))
    if not record:
        return [
            f"{name}: no record of the English text it translates: run `python -m "
            f"nnlib.course.edition mark {name}` once its prose matches the English"
        ]
    if record.get("prose_sha256") == prose_fingerprint(read(english_md)):
        return []
    messages = [
        f"{name}: the English prose of {_name(english_md, root)} changed since its translation "
        f"(from commit {record.get('commit') or 'unknown'}): translate the changes, then run "
        f"`python -m nnlib.course.edition mark {name}`"
    ]
    before = _english_prose_at(record.get("commit", ""), english_md, root)
    if before is None:
        return messages
    matcher = difflib.SequenceMatcher(a=before, b=english_prose, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        cells = (
            ", ".join(f"{j + 1} ({_first_line(english_prose[j])!r})" for j in range(j1, j2))
            or f"after English Markdown cell {j1}"
        )
        messages.append(f"  English Markdown cell(s) {tag}d: {cells}")
    return messages


@dataclass(frozen=True)
class Term:
    """A glossary entry: its English forms, its one Chinese rendering, the variants to avoid."""

    english: tuple[str, ...]
    chinese: str
    avoid: tuple[str, ...]

    def used_in_english(self, prose: str) -> bool:
        return any(
            re.search(rf"\b{re.escape(form)}(?:s|es)?\b", prose, re.IGNORECASE)
            for form in self.english
        )


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    """The terms of the glossary's table (``| English | 中文 | 避免 | 说明 |``)."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "---") or not line.startswith("|"):
            continue
        english = tuple(form.strip() for form in cells[0].split(" / "))
        avoid = tuple(filter(None, (variant.strip() for variant in cells[2].split("、"))))
        terms.append(Term(english, cells[1], avoid))
    return terms


def prose_text(nb: nbformat.NotebookNode, headings: bool = True) -> str:
    """The words of a page's Markdown cells: no maths, code, link targets (nor headings)."""
    text = "\n\n".join(_prose(nb))
    if not headings:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return NOT_PROSE.sub(" ", text)


def _standalone(term: Term, text: str, terms: list[Term]) -> list[int]:
    """Where ``term`` occurs in ``text`` other than as part of a longer glossary term."""
    covered = set()
    for longer in terms:
        if longer.chinese != term.chinese and term.chinese in longer.chinese:
            for match in re.finditer(re.escape(longer.chinese), text):
                covered.update(range(match.start(), match.end()))
    found = re.finditer(re.escape(term.chinese), text)
    return [match.start() for match in found if match.start() not in covered]


def terminology_problems(
    chinese: str, english: str, body: str, terms: list[Term], name: str
) -> list[str]:
    """How a Chinese page's prose breaks the glossary (empty: it follows it).

    ``chinese`` and ``english`` are the prose of the page and of its English twin (headings
    included), ``body`` the Chinese prose without headings, where first uses are looked for.
    """
    problems = []
    for term in terms:
        for variant in term.avoid:
            if variant in chinese:
                problems.append(
                    f"{name}: writes {variant!r} for {term.english[0]!r}: the glossary's term "
                    f"is {term.chinese!r}"
                )
        if term.used_in_english(english) and term.chinese not in chinese:
            problems.append(
                f"{name}: the English page speaks of {term.english[0]!r}, but this page never "
                f"writes the glossary's term {term.chinese!r} (a variant instead?)"
            )
        uses = _standalone(term, body, terms)
        if not uses:
            continue
        after = PARENTHESIS.match(body, uses[0] + len(term.chinese))
        if after is None or not any(f.lower() in after[1].lower() for f in term.english):
            line = body[: uses[0]].count("\n") + 1
            problems.append(
                f"{name}: the first use of {term.chinese!r} (prose line {line}: "
                f"{body[max(0, uses[0] - 15) : uses[0] + 15]!r}) must give the English in "
                f"parentheses: {term.chinese}（{term.english[0]}）"
            )
    return problems


def page_terminology(chinese_md: Path, root: Path = COURSE_ROOT) -> list[str]:
    """:func:`terminology_problems` of a Chinese page, against its English twin."""
    chinese_nb, english_nb = read(chinese_md), read(english_twin(chinese_md, root))
    return terminology_problems(
        prose_text(chinese_nb),
        prose_text(english_nb),
        prose_text(chinese_nb, headings=False),
        read_glossary(),
        _name(chinese_md, root),
    )


def _write_header(md: Path, update) -> None:
    text = md.read_text(encoding="utf-8")
    match = HEADER.match(text)
    if match is None:
        raise ValueError(f"{md}: no YAML header; is it a page written by jupytext?")
    header = yaml.safe_load(match[1])
    update(header)
    dumped = yaml.safe_dump(header, sort_keys=True, default_flow_style=False, allow_unicode=True)
    md.write_text(f"---\n{dumped}---\n{text[match.end() :]}", encoding="utf-8")


def mark(chinese_md: Path, root: Path = COURSE_ROOT) -> None:
    """Record that ``chinese_md`` translates its English twin as it is now."""
    english_md = english_twin(chinese_md, root)
    record = {
        "source": _name(english_md, root),
        "commit": last_commit(english_md, root),
        "prose_sha256": prose_fingerprint(read(english_md)),
    }
    _write_header(
        chinese_md, lambda header: header.setdefault("nnlib", {}).update(translation=record)
    )
    _pair(chinese_md)
    # jupytext keeps a paired notebook's own metadata (and `--sync` copies it back into the
    # .md), so the record goes into the .ipynb too.
    notebook = chinese_md.with_suffix(".ipynb")
    nb = jupytext.read(notebook)
    nb.metadata.setdefault("nnlib", {})["translation"] = record
    jupytext.write(nb, notebook)


def _pair(md: Path) -> None:
    """Regenerate the paired ``.ipynb`` from the ``.md`` (keeping its cell ids)."""
    from jupytext.cli import jupytext as jupytext_cli

    jupytext_cli(["--to", "ipynb", "--update", "--quiet", str(md)])


def sync(chinese_md: Path, root: Path = COURSE_ROOT) -> bool:
    """Copy the English code cells into ``chinese_md``, one by one, keeping its prose.

    Only when both pages have the same number of code cells (otherwise the structure changed
    and a person must decide where the new cell goes). Returns whether the page was changed.
    """
    english_text = english_twin(chinese_md, root).read_text(encoding="utf-8")
    chinese_text = chinese_md.read_text(encoding="utf-8")
    english_blocks = CODE_BLOCK.findall(english_text)
    if len(english_blocks) != len(CODE_BLOCK.findall(chinese_text)):
        return False
    blocks = iter(english_blocks)
    synced = CODE_BLOCK.sub(lambda _: next(blocks), chinese_text)
    if synced == chinese_text:
        return False
    chinese_md.write_text(synced, encoding="utf-8")
    _pair(chinese_md)
    return True


def start(english_md: Path, root: Path = COURSE_ROOT) -> Path:
    """Copy an English page into the Chinese edition, ready to translate, and record its source."""
    target = chinese_twin(english_md, root)
    if target.exists():
        raise FileExistsError(f"{target} exists: translate it, or delete it first")
    target.parent.mkdir(parents=True, exist_ok=True)
    toml = english_md.parent / "jupytext.toml"
    if toml.exists() and not (target.parent / "jupytext.toml").exists():
        shutil.copy(toml, target.parent / "jupytext.toml")
    shutil.copy(english_md, target)
    mark(target, root)
    return target


def status(pages: list[Path], root: Path = COURSE_ROOT) -> list[str]:
    """Every way in which ``pages`` are out of step with the English edition or the glossary."""
    return [
        message
        for page in pages
        for message in code_differences(page, root)
        + prose_changes(page, root)
        + page_terminology(page, root)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nnlib.course.edition",
        description="Keep the Chinese edition (zh/) in step with the English one.",
    )
    parser.add_argument("command", choices=["status", "sync", "mark", "start"])
    parser.add_argument("pages", nargs="*", type=Path, help="default: every Chinese page")
    args = parser.parse_args(argv)
    pages = [page.resolve() for page in args.pages] or chinese_pages()
    if args.command == "start":
        for page in pages:
            print(f"wrote {start(page)}: translate its Markdown cells, keep its code cells")
        return 0
    if args.command == "mark":
        for page in pages:
            mark(page)
            print(f"recorded the English text {_name(page, COURSE_ROOT)} translates")
        return 0
    if args.command == "sync":
        for page in pages:
            if sync(page):
                print(f"copied the English code cells into {_name(page, COURSE_ROOT)}")
        for path in release(COURSE_ROOT / EDITION / "exercises"):
            print(f"wrote {_name(path, COURSE_ROOT)}")
    problems = status(pages)
    print("\n".join(problems) if problems else "The Chinese edition is in step with the English.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
