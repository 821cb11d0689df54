"""A class's submitted notebooks: found, read defensively, and rebuilt from the instructor's source.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

A submitted notebook is untrusted input. :func:`read_notebook` reads it with a size cap, as JSON,
as nbformat 4 (converting nbformat 3), and keeps whatever cells can be used. :func:`rebuild` then
takes from it only the learner's solution cells, by nbgrader ``grade_id``: every other cell that
will run comes from the instructor's source, so a check cell that was edited, deleted, duplicated
or turned into Markdown, or points that were changed, change nothing but the feedback.
"""

from __future__ import annotations

import json
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nnlib.course.harness import read_capped
from nnlib.course.release import strip_solutions

MAX_NOTEBOOK_MB = 20.0
GRADEBOOK = "gradebook.csv"


@dataclass(frozen=True)
class Submission:
    """One learner's notebook (``path`` None when none was found, and ``problem`` says why)."""

    name: str
    path: Path | None
    problem: str = ""


def learner_name(text: str) -> str:
    """A safe folder and CSV name from a file or folder name (no paths, no spreadsheet formulas)."""
    name = re.sub(r"[^\w.@+-]+", "_", text).strip("._")[:80] or "learner"
    name = "_" + name if name[0] in "=+-@" else name
    return "learner_" + name if name == GRADEBOOK else name


def find_submissions(paths: list[Path], source_name: str) -> list[Submission]:
    """The learners in ``paths``, with unique names.

    A notebook file is one learner, named by the file. A folder is a class: each notebook in it
    is a learner, and so is each sub-folder (named by the folder; its notebook is the one named
    ``source_name``, or its only notebook, found at any depth).
    """
    found: list[Submission] = []
    for path in paths:
        if not path.is_dir():
            problem = "" if path.exists() else f"{path} does not exist"
            found.append(Submission(path.stem, path if path.exists() else None, problem))
            continue
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                found.append(learner_folder(entry, source_name))
            elif entry.suffix == ".ipynb":
                found.append(Submission(entry.stem, entry))
    seen: dict[str, int] = {}
    unique = []
    for submission in found:
        name = learner_name(submission.name)
        seen[name] = seen.get(name, 0) + 1
        name = name if seen[name] == 1 else f"{name}-{seen[name]}"
        unique.append(Submission(name, submission.path, submission.problem))
    return unique


def learner_folder(folder: Path, source_name: str) -> Submission:
    """One learner's folder: its notebook is the one named ``source_name``, or its only one."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in notebooks if p.name == source_name]
    if named or len(notebooks) == 1:
        return Submission(folder.name, (named or notebooks)[0])
    if not notebooks:
        return Submission(folder.name, None, "the folder holds no notebook")
    listed = ", ".join(p.name for p in notebooks[:5])
    problem = f"the folder holds several notebooks ({listed}); name yours {source_name}"
    return Submission(folder.name, None, problem)


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
            return None, ["it is not a regular file"]
        if info.st_size == 0:
            return None, ["the file is empty (0 bytes)"]
        if info.st_size > max_mb * 2**20:
            size = info.st_size / 2**20
            return None, [f"the file is {size:.1f} MB, more than the limit of {max_mb:g} MB"]
        text = read_capped(path, int(max_mb * 2**20)).decode("utf-8")
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        return None, [f"the file could not be read as text ({error}): is it really a notebook?"]
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        return None, [f"the file is not valid JSON ({error}): it is damaged or cut short"]
    if not isinstance(raw, dict):
        return None, [f"the file is JSON, but a {type(raw).__name__}, not a notebook"]
    problems = []
    if raw.get("nbformat") == 3:
        try:
            raw = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as error:  # nbformat's converter fails in many ways on odd input
            return None, [
                f"the file is an nbformat 3 notebook that could not be converted ({error})"
            ]
        problems.append("the notebook was in the old nbformat 3 and was converted")
    elif raw.get("nbformat") != 4:
        return None, [f"the file is JSON, but not a notebook (nbformat {raw.get('nbformat')!r})"]
    if not isinstance(raw.get("cells"), list):
        return None, ["the file is JSON, but holds no list of cells"]
    problems += _validation_problems(raw)
    cells = [cell for cell in map(_plain_cell, raw["cells"]) if cell is not None]
    if len(cells) < len(raw["cells"]):
        problems.append(f"{len(raw['cells']) - len(cells)} damaged cell(s) were skipped")
    return cells, problems


def _validation_problems(raw: dict) -> list[str]:
    try:
        with warnings.catch_warnings():  # nbformat warns about what it will refuse one day
            warnings.simplefilter("ignore")
            nbformat.validate(json.loads(json.dumps(raw)))  # a copy: validate repairs in place
    except Exception as error:  # nbformat raises its own errors, and others on odd input
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return [f"the notebook is not valid nbformat 4 ({first}); what could be read was graded"]
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


def grade_id(metadata: dict) -> str:
    """The nbgrader ``grade_id`` in a cell's metadata, or ``""``."""
    nbgrader = metadata.get("nbgrader")
    value = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return value if isinstance(value, str) else ""


def task_of(cell) -> str:
    """The task a source cell belongs to (its ``nnlib.task`` metadata, else its grade_id)."""
    return cell.metadata.get("nnlib", {}).get("task") or grade_id(cell.metadata)


def is_check(cell) -> bool:
    """Whether a source cell is a task's check cell (``nnlib.role: check``)."""
    return cell.metadata.get("nnlib", {}).get("role") == "check"


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
            rebuilt.notes.append(f"the cell `{key}` had lost its nbgrader metadata: matched by id")
        if cell.metadata["nbgrader"].get("solution"):
            rebuilt.solutions[task_of(cell)] = _take_solution(task_of(cell), cell, matches, rebuilt)
        else:
            _note_changes(cell, matches, rebuilt)
    unknown = sorted(set(by_grade_id) - {grade_id(c.metadata) for c in source.cells})
    if unknown:
        rebuilt.notes.append(f"graded cells that are not in this exercise were ignored: {unknown}")
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
            f"{len(added)} code cell(s) that you added were not run: only each task's own cell "
            f"is graded, so keep any helper code inside it"
        )
    return rebuilt


def _take_solution(task: str, cell, matches: list[dict], rebuilt: Rebuilt) -> str:
    if not matches:
        rebuilt.notes.append(f"your notebook has no cell for task `{task}`: it is not done")
        return strip_solutions(cell.source)
    if len(matches) > 1:
        rebuilt.notes.append(f"{len(matches)} cells claim to be task `{task}`'s: the last counts")
        rebuilt.tampered = True
    if matches[-1]["cell_type"] != "code":
        kind = matches[-1]["cell_type"]
        rebuilt.notes.append(f"the cell of task `{task}` had been made {kind}: it was run as code")
        rebuilt.tampered = True
    return matches[-1]["source"]


def _note_changes(cell, matches: list[dict], rebuilt: Rebuilt) -> None:
    """Say what was done to a locked or check cell of the source (it runs as the source has it)."""
    key = grade_id(cell.metadata)
    what = f"the check cell of `{task_of(cell)}`" if is_check(cell) else f"the locked cell `{key}`"
    changes = []
    if not matches:
        changes.append(f"{what} was deleted; it was restored")
    if len(matches) > 1:
        changes.append(f"{what} was duplicated ({len(matches)} copies); it ran once")
    if any(_normal(m["source"]) != _normal(strip_solutions(cell.source)) for m in matches):
        changes.append(f"{what} was edited; the original was restored")
    kinds = sorted({m["cell_type"] for m in matches} - {cell.cell_type})
    if kinds:
        changes.append(f"{what} was made {' and '.join(kinds)}; the original was restored")
    points = cell.metadata["nbgrader"].get("points")
    theirs = [m["metadata"].get("nbgrader", {}) for m in matches]
    if any(
        isinstance(t, dict) and "points" in t and str(t["points"]) != str(points) for t in theirs
    ):
        changes.append(f"the points of {what} were changed; it is worth {points} as always")
    rebuilt.notes += changes
    rebuilt.tampered |= bool(changes)
