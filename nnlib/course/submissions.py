"""A class's submitted notebooks: found, read defensively, and rebuilt from the instructor's source.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

A submitted notebook is untrusted input. :func:`read_notebook` reads it with a size cap, as JSON,
as nbformat 4 (converting nbformat 3), and keeps whatever cells can be used. :func:`rebuild` then
takes from it only the learner's solution cells, by nbgrader ``grade_id``: every other cell that
will run comes from the instructor's source, so a check cell that was edited, deleted, duplicated
or turned into Markdown, or points that were changed, change nothing but the feedback.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import string
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat

from nnlib.course.exercise import grade_id, is_check, task_of
from nnlib.course.harness import read_capped
from nnlib.course.i18n import N_, _
from nnlib.course.release import strip_solutions
from nnlib.course.verdicts import Flag

MAX_NOTEBOOK_MB = 20.0
GRADEBOOK = "gradebook.csv"


NAME_KEEPS = frozenset(string.ascii_letters + string.digits + "_-")
MAX_NAME = 120
HASH_CHARS = 16
TRUNCATED = "%~"  # never made by the encoding itself: marks a shortened name
CLASH = "~"  # never made by the encoding itself: numbers the submissions that share a name
NOTEBOOK = ".ipynb"
CHECKPOINTS = ".ipynb_checkpoints"


@dataclass(frozen=True)
class Submission:
    """One learner's notebook as found: its name, its file (None if it cannot be graded, and
    ``problem`` says why), the file or folder it was found as, and what was noticed."""

    name: str
    path: Path | None
    entry: Path | None = None
    problem: str = ""
    flags: frozenset = frozenset()
    notes: tuple[str, ...] = ()


@dataclass
class Found:
    """The submissions in the paths given, and every entry that is not one (with why)."""

    submissions: list[Submission] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def learner_name(text: str) -> str:
    """The learner's name for a file or folder name: safe as a folder name and in a spreadsheet,
    and *injective* (two different names never give the same learner name).

    Letters, digits, ``_`` and ``-`` are kept (a leading ``-`` is not); every other character
    becomes ``%XX`` for each byte of its UTF-8 encoding (``%`` itself becomes ``%25``), so
    ``alice!`` is ``alice%21``, ``.hidden`` is ``%2Ehidden`` and ``=SUM(A1)`` cannot be a formula.
    A name longer than :data:`MAX_NAME` is cut and ends with ``%~`` and a hash of the whole.

    Examples
    --------
    >>> [learner_name(n) for n in ["alice", "alice!", "x-2", "José", "-x", "gradebook.csv"]]
    ['alice', 'alice%21', 'x-2', 'Jos%C3%A9', '%2Dx', 'gradebook%2Ecsv']
    """
    encoded = []
    for position, character in enumerate(text):
        if character in NAME_KEEPS and not (position == 0 and character == "-"):
            encoded.append(character)
        else:
            data = character.encode("utf-8", "surrogateescape")
            encoded.append("".join(f"%{byte:02X}" for byte in data))
    name = "".join(encoded) or "%"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:HASH_CHARS]
    return name[: MAX_NAME - len(TRUNCATED) - HASH_CHARS] + TRUNCATED + digest


def _entry_name(path: Path) -> str:
    return path.name[: -len(NOTEBOOK)] if path.name.endswith(NOTEBOOK) else path.name


LINK = N_("it is a symbolic link, which is not followed")


def _refused(path: Path, problem: str) -> Submission:
    return Submission(
        learner_name(_entry_name(path)), None, path, problem, frozenset({Flag.REFUSED})
    )


def find_submissions(paths: list[Path], source_name: str) -> Found:
    """The learners in ``paths``: exactly one :class:`Submission` for each, and what was ignored.

    A notebook file is one learner, named by the file (without ``.ipynb``). A folder is a class:
    each notebook in it is a learner, and so is each sub-folder (named by the folder; its
    notebook is the one named ``source_name``, or its only notebook). Symbolic links and
    hidden (dot) notebooks are refused, each with its own row; other files are listed as
    ignored. Submissions whose names are equal are all graded, as ``name~1``, ``name~2``...
    (``~`` appears in no other name), flagged ``name-clash``.
    """
    found = Found()
    for path in paths:
        if path.is_symlink():
            found.submissions.append(_refused(path, _(LINK)))
        elif not path.exists():
            found.submissions.append(_refused(path, _("{path} does not exist").format(path=path)))
        elif not path.is_dir():
            found.submissions.append(Submission(learner_name(_entry_name(path)), path, path))
        else:
            for entry in sorted(path.iterdir()):
                _add_entry(found, entry, source_name)
    return Found(_unclash(found.submissions), found.ignored)


def _add_entry(found: Found, entry: Path, source_name: str) -> None:
    hidden = entry.name.startswith(".")
    if entry.is_symlink():
        found.submissions.append(_refused(entry, _(LINK)))
    elif hidden and entry.name.endswith(NOTEBOOK) and entry.is_file():
        found.submissions.append(
            _refused(entry, _("it is a hidden file (its name starts with a dot); rename it"))
        )
    elif hidden or not (entry.is_dir() or entry.name.endswith(NOTEBOOK)):
        found.ignored.append(f"{entry} (not a notebook or a learner's folder)")
    elif entry.is_dir():
        found.submissions.append(learner_folder(entry, source_name, found.ignored))
    else:
        found.submissions.append(Submission(learner_name(_entry_name(entry)), entry, entry))


def _unclash(submissions: list[Submission]) -> list[Submission]:
    """Number the submissions that share a name; leave the others as they are."""
    by_name: dict[str, list[Submission]] = {}
    for submission in submissions:
        by_name.setdefault(submission.name, []).append(submission)
    unique = []
    for name, group in by_name.items():
        if len(group) == 1:
            unique += group
            continue
        entries = ", ".join(s.entry.name if s.entry else s.name for s in group)
        for number, submission in enumerate(group, start=1):
            note = _(
                "{entries} all map to the learner name {name}; this one is graded as "
                "{graded_as}: rename them and grade again"
            ).format(entries=entries, name=name, graded_as=f"{name}{CLASH}{number}")
            unique.append(
                replace(
                    submission,
                    name=f"{name}{CLASH}{number}",
                    flags=submission.flags | {Flag.NAME_CLASH},
                    notes=(*submission.notes, note),
                )
            )
    return unique


def learner_folder(folder: Path, source_name: str, ignored: list[str] | None = None) -> Submission:
    """One learner's folder: its notebook is the one named ``source_name``, or its only one.

    Symbolic links and hidden files or folders inside are not followed; they go to ``ignored``.
    """
    notebooks, skipped = [], []
    for root, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            path = Path(root) / name
            if path.is_symlink() or name.startswith("."):
                skipped.append(path)
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and not (Path(root) / f).is_symlink()
        )
        notebooks += [
            Path(root) / f
            for f in sorted(files)
            if f.endswith(NOTEBOOK) and not f.startswith(".") and not (Path(root) / f).is_symlink()
        ]
    if ignored is not None:
        ignored += [f"{path} (hidden, or a symbolic link)" for path in skipped]
    name = learner_name(folder.name)
    named = [p for p in notebooks if p.name == source_name]
    if named or len(notebooks) == 1:
        return Submission(name, (named or notebooks)[0], folder)
    if not notebooks:
        return replace(_refused(folder, _("the folder holds no notebook")), name=name)
    listed = ", ".join(p.name for p in notebooks[:5])
    problem = _("the folder holds several notebooks ({listed}); name yours {name}").format(
        listed=listed, name=source_name
    )
    return replace(_refused(folder, problem), name=name)


def read_notebook(
    path: Path, max_mb: float = MAX_NOTEBOOK_MB
) -> tuple[list[dict] | None, list[str]]:
    """The cells of the notebook at ``path`` and what was wrong with it; None if unreadable.

    Each cell is a plain dict ``{"cell_type", "source", "metadata", "id"}``; cells too broken to
    use are dropped (and said so).
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, [_("it is not a regular file")]
        if info.st_size == 0:
            return None, [_("the file is empty (0 bytes)")]
        if info.st_size > max_mb * 2**20:
            size = info.st_size / 2**20
            too_big = _("the file is {size:.1f} MB, more than the limit of {limit:g} MB")
            return None, [too_big.format(size=size, limit=max_mb)]
        text = read_capped(path, int(max_mb * 2**20)).decode("utf-8")
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        return None, [
            _("the file could not be read as text ({error}): is it really a notebook?").format(
                error=error
            )
        ]
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        return None, [
            _("the file is not valid JSON ({error}): it is damaged or cut short").format(
                error=error
            )
        ]
    if not isinstance(raw, dict):
        return None, [
            _("the file is JSON, but a {type}, not a notebook").format(type=type(raw).__name__)
        ]
    problems = []
    if raw.get("nbformat") == 3:
        try:
            raw = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as error:  # nbformat's converter fails in many ways on odd input
            return None, [
                _(
                    "the file is an nbformat 3 notebook that could not be converted ({error})"
                ).format(error=error)
            ]
        problems.append(_("the notebook was in the old nbformat 3 and was converted"))
    elif raw.get("nbformat") != 4:
        return None, [
            _("the file is JSON, but not a notebook (nbformat {version!r})").format(
                version=raw.get("nbformat")
            )
        ]
    if not isinstance(raw.get("cells"), list):
        return None, [_("the file is JSON, but holds no list of cells")]
    problems += _validation_problems(raw)
    cells = [cell for cell in map(_plain_cell, raw["cells"]) if cell is not None]
    if len(cells) < len(raw["cells"]):
        skipped = len(raw["cells"]) - len(cells)
        problems.append(_("{n} damaged cell(s) were skipped").format(n=skipped))
    return cells, problems


def _validation_problems(raw: dict) -> list[str]:
    try:
        with warnings.catch_warnings():  # nbformat warns about what it will refuse one day
            warnings.simplefilter("ignore")
            nbformat.validate(json.loads(json.dumps(raw)))  # a copy: validate repairs in place
    except Exception as error:  # nbformat raises its own errors, and others on odd input
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return [
            _(
                "the notebook is not valid nbformat 4 ({first}); what could be read was graded"
            ).format(first=first)
        ]
    return []


def _plain_cell(cell) -> dict | None:
    if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
        return None
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        return None
    metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    cell_id = cell.get("id") if isinstance(cell.get("id"), str) else ""
    return {"cell_type": cell["cell_type"], "source": source, "metadata": metadata, "id": cell_id}


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


@dataclass
class Rebuilt:
    """A submission rebuilt from the source: the learner's code per task, and what was noticed."""

    solutions: dict[str, str]
    notes: list[str]
    tampered: bool


def rebuild(source: nbformat.NotebookNode, cells: list[dict]) -> Rebuilt:
    """Take the learner's solution cells from ``cells``; note every change to the other ones.

    Cells are matched by nbgrader ``grade_id`` or, if a tool dropped the metadata, by cell id.
    """
    by_grade_id: dict[str, list[dict]] = {}
    by_id: dict[str, list[dict]] = {}
    for cell in cells:
        if grade_id(cell["metadata"]):
            by_grade_id.setdefault(grade_id(cell["metadata"]), []).append(cell)
        elif cell["id"]:
            by_id.setdefault(cell["id"], []).append(cell)
    rebuilt = Rebuilt({}, [], False)
    matched: list[dict] = []
    for cell in source.cells:
        key = grade_id(cell.metadata)
        if not key:
            continue
        matches = by_grade_id.get(key) or (by_id.get(cell.get("id"), []) if cell.get("id") else [])
        matched += matches
        if matches and key not in by_grade_id:
            lost = _("the cell `{key}` had lost its nbgrader metadata: matched by id")
            rebuilt.notes.append(lost.format(key=key))
        if cell.metadata["nbgrader"].get("solution"):
            rebuilt.solutions[task_of(cell)] = _take_solution(task_of(cell), cell, matches, rebuilt)
        else:
            _note_changes(cell, matches, rebuilt)
    unknown = sorted(set(by_grade_id) - {grade_id(c.metadata) for c in source.cells})
    if unknown:
        ignored = _("graded cells that are not in this exercise were ignored: {unknown}")
        rebuilt.notes.append(ignored.format(unknown=unknown))
        rebuilt.tampered = True
    added = [
        c
        for c in cells
        if c["cell_type"] == "code"
        and c["source"].strip()
        and not grade_id(c["metadata"])
        and all(c is not m for m in matched)
    ]
    if added:
        rebuilt.notes.append(
            _(
                "{n} code cell(s) that you added were not run: only each task's own cell "
                "is graded, so keep any helper code inside it"
            ).format(n=len(added))
        )
    return rebuilt


def _take_solution(task: str, cell, matches: list[dict], rebuilt: Rebuilt) -> str:
    if not matches:
        missing = _("your notebook has no cell for task `{task}`: it is not done")
        rebuilt.notes.append(missing.format(task=task))
        return strip_solutions(cell.source)
    if len(matches) > 1:
        claims = _("{n} cells claim to be task `{task}`'s: the last counts")
        rebuilt.notes.append(claims.format(n=len(matches), task=task))
        rebuilt.tampered = True
    if matches[-1]["cell_type"] != "code":
        kind = matches[-1]["cell_type"]
        made = _("the cell of task `{task}` had been made {kind}: it was run as code")
        rebuilt.notes.append(made.format(task=task, kind=kind))
        rebuilt.tampered = True
    return matches[-1]["source"]


def _note_changes(cell, matches: list[dict], rebuilt: Rebuilt) -> None:
    """Say what was done to a locked or check cell of the source (it runs as the source has it)."""
    key = grade_id(cell.metadata)
    if is_check(cell):
        what = _("the check cell of `{task}`").format(task=task_of(cell))
    else:
        what = _("the locked cell `{name}`").format(name=key)
    changes = []
    if not matches:
        changes.append(_("{what} was deleted; it was restored").format(what=what))
    if len(matches) > 1:
        duplicated = _("{what} was duplicated ({n} copies); it ran once")
        changes.append(duplicated.format(what=what, n=len(matches)))
    if any(_normal(m["source"]) != _normal(strip_solutions(cell.source)) for m in matches):
        changes.append(_("{what} was edited; the original was restored").format(what=what))
    kinds = sorted({m["cell_type"] for m in matches} - {cell.cell_type})
    if kinds:
        made = _("{what} was made {kinds}; the original was restored")
        changes.append(made.format(what=what, kinds=_(" and ").join(kinds)))
    points = cell.metadata["nbgrader"].get("points")
    theirs = [m["metadata"].get("nbgrader", {}) for m in matches]
    if any(
        isinstance(t, dict) and "points" in t and str(t["points"]) != str(points) for t in theirs
    ):
        changed = _("the points of {what} were changed; it is worth {points} as always")
        changes.append(changed.format(what=what, points=points))
    rebuilt.notes += changes
    rebuilt.tampered |= bool(changes)
