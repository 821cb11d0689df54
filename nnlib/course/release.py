"""Make the learner's version of each exercise notebook from the instructor's source.

The source (``exercises/source/exNN_name.ipynb``, paired with its ``.md``) holds the solutions
between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, and may hold hidden tests between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. The learner's version
(``exercises/exNN_name.ipynb``) replaces each solution with ``# YOUR CODE HERE`` and
``raise NotImplementedError()``, drops hidden tests and outputs, and keeps every cell id, so that
regenerating it changes nothing unless the source changed. The markers follow nbgrader's, so an
nbgrader course can use the same source, and the student version is what
``nbgrader generate_assignment`` makes of it (a test compares them): the same cell sources, the
checksum nbgrader uses to notice changes to each graded or locked cell, the cells made
undeletable (and the locked ones uneditable) as nbgrader makes them, the notebook's metadata kept.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import nbformat

SOLUTION = re.compile(
    r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*(\n|$)", re.DOTALL | re.MULTILINE
)
HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*(\n|$)",
    re.DOTALL | re.MULTILINE,
)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def strip_solutions(source: str) -> str:
    """Replace every solution region with a stub and delete every hidden-test region.

    The stub keeps the indentation of the ``### BEGIN SOLUTION`` line, so a solution inside a
    function body becomes a body that raises ``NotImplementedError``.
    """
    stubbed = SOLUTION.sub(
        lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError(){m[2]}", source
    )
    return drop_hidden_tests(stubbed)


def drop_hidden_tests(source: str) -> str:
    """Delete every hidden-test region, marker lines included, exactly as nbgrader does.

    nbgrader's ``ClearHiddenTests`` splits the source at newlines, drops each line holding a
    marker and the lines between, and joins the rest with newlines: a region at the end of a
    cell takes the newline before it away too, which the checksum sees.
    """
    kept, hidden = [], False
    for line in source.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            if hidden:
                raise ValueError("nested ### BEGIN HIDDEN TESTS: close the first region first")
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    if hidden:
        raise ValueError("### BEGIN HIDDEN TESTS without its ### END HIDDEN TESTS in the cell")
    return "\n".join(kept)


def nbgrader_checksum(cell: nbformat.NotebookNode) -> str:
    """The checksum nbgrader keeps for a solution, grade or locked cell.

    As nbgrader's ``utils.compute_checksum``: the MD5 of the source, the cell type, whether the
    cell is a grade, solution and locked cell, its grade_id and, for a grade cell, its points.
    """
    grading = cell.metadata["nbgrader"]
    grade, solution = grading.get("grade", False), grading.get("solution", False)
    locked = False if solution else (True if grade else grading.get("locked", False))
    parts = [cell.source, cell.cell_type, str(grade), str(solution), str(locked)]
    parts.append(grading["grade_id"])
    if grade:
        parts.append(str(float(grading["points"])))
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def lock(cell: nbformat.NotebookNode) -> None:
    """Make a graded cell undeletable, and a grade or locked one uneditable, as nbgrader does.

    As nbgrader's ``LockCells``: JupyterLab then refuses to delete a task's cell or its check,
    or to edit the check and the setup.
    """
    grading = cell.metadata.get("nbgrader", {})
    if grading.get("solution"):
        cell.metadata["deletable"] = False
    elif grading.get("grade") or grading.get("locked"):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def student_notebook(source_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's version of an exercise notebook (a new object; the source is untouched)."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        try:
            cell.source = strip_solutions(cell.source)
        except ValueError as error:
            raise ValueError(f"cell {cell.get('id')}: {error}") from error
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        grading = cell.metadata.get("nbgrader", {})
        if any(grading.get(kind) for kind in ("grade", "solution", "locked")):
            grading["checksum"] = nbgrader_checksum(cell)
            grading["cell_type"] = cell.cell_type
            lock(cell)
        leaked = [marker for marker in MARKERS if marker in cell.source]
        if leaked:
            raise ValueError(
                f"cell {cell.get('id')}: unbalanced marker(s) {leaked}; every ### BEGIN needs "
                f"its ### END in the same cell."
            )
    return nb


def student_path(source_path: Path) -> Path:
    """``exercises/source/ex01_x.ipynb`` -> ``exercises/ex01_x.ipynb``."""
    return source_path.parent.parent / source_path.name


def render(nb: nbformat.NotebookNode) -> str:
    """A notebook as the exact text that is committed (what ``nbformat.write`` produces)."""
    return nbformat.writes(nb) + "\n"


def release(exercises_dir: Path) -> list[Path]:
    """Write the learner's version of every ``source/ex*.ipynb`` under ``exercises_dir``.

    Returns the paths written. The paired ``.md`` must be synced first (``jupytext --sync``);
    the test suite checks both steps.
    """
    written = []
    for source_path in sorted((exercises_dir / "source").glob("ex*.ipynb")):
        nb = nbformat.read(source_path, as_version=4)
        target = student_path(source_path)
        target.write_text(render(student_notebook(nb)), encoding="utf-8")
        written.append(target)
    return written
