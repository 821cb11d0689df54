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

A task's name is written once, in its code: the solution cell's ``def NAME(...)`` and the check
cell's ``check("NAME")``. ``nnlib release --tag`` writes it into the cells' metadata, where
nbgrader and the grader read it (``grade_id``, ``nnlib.task``; see :func:`task_names`).
"""

from __future__ import annotations

import ast
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


def task_names(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    """The ``nbgrader.grade_id`` and ``nnlib.task`` a task's cell carries, read from its code.

    A solution cell (``nnlib.role: solution``) is named by the one function it defines, ``def
    NAME(...)``: ``(NAME, NAME)``; its check cell (``nnlib.role: check``) by the task its first
    ``check("NAME")`` runs: ``(check_NAME, NAME)``. Any other cell is no task's: ``None``.
    """
    role = cell.metadata.get("nnlib", {}).get("role")
    if role not in ("solution", "check"):
        return None
    statements = ast.parse(cell.source).body
    if role == "solution":
        names = [node.name for node in statements if isinstance(node, ast.FunctionDef)]
        if len(names) != 1:
            raise ValueError(
                f"cell {cell.get('id')}: a solution cell defines one function, the task's, at "
                f"the top level; this one defines {names}"
            )
        return names[0], names[0]
    for node in statements:
        match node:
            case ast.Expr(ast.Call(ast.Name("check"), [ast.Constant(str() as name), *_])):
                return f"check_{name}", name
    raise ValueError(f'cell {cell.get("id")}: a check cell starts with check("task_name")')


def tag(page: Path) -> bool:
    """Write each task cell's ``grade_id`` and ``nnlib.task`` (:func:`task_names`) into the
    exercise source ``page`` (``exNN_name.md``) and its paired notebook.

    ``jupytext --sync`` brings the pair together (the file edited last wins), the names go into
    the notebook, and ``jupytext --sync`` writes them into the page. Returns whether they changed.
    """
    from jupytext.cli import jupytext as jupytext_cli

    jupytext_cli(["--sync", "--quiet", str(page)])
    notebook = page.with_suffix(".ipynb")
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        names = task_names(cell)
        if names is not None:
            cell.metadata.setdefault("nbgrader", {})["grade_id"] = names[0]
            cell.metadata.setdefault("nnlib", {})["task"] = names[1]
    text = render(nb)
    changed = text != notebook.read_text(encoding="utf-8")
    if changed:
        notebook.write_text(text, encoding="utf-8")
        jupytext_cli(["--sync", "--quiet", str(page)])
    return changed


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
