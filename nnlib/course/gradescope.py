"""Gradescope: its ``results.json`` format, and an autograder bundle that runs the same grader.

Part of the course's tools (``nnlib gradescope``); no chapter introduces it. It uses the grader
(``nnlib.course.grade``), which does not use it.

``nnlib gradescope SOURCE --out autograder.zip`` writes the zip that Gradescope's "programming
assignment" autograder expects: ``setup.sh`` (run once, as root, to build the image: a virtual
environment with nnlib and the kernel it needs), ``run_autograder`` (run for each submission: it
grades ``/autograder/submission`` with ``python -m nnlib.course.gradescope`` and writes
``/autograder/results/results.json``), the instructor's source with its hidden tests, and nnlib
itself.

Gradescope grades each submission in a Docker container of its own, as root, where bubblewrap
cannot make its namespaces: ``run_autograder`` grades with ``--isolation=container``
(:func:`nnlib.course.sandbox.container_protections`). The container is the boundary; inside it
the learner's kernel runs as a fresh user id with no capability, the hidden tests stay in
``/autograder/source``, which ``run_autograder`` makes root-only (:func:`isolation` refuses to
grade while a kernel could read them or write the results' folder), and only the grader, as
root, writes ``results.json``.

The format follows https://gradescope-autograders.readthedocs.io/en/latest/specs/: a
top-level ``score``, and one test per task with ``score``, ``max_score``, ``status``, ``output``
and ``visibility``.
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
import zipfile
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from nnlib.course import sandbox, scoring
from nnlib.course.exercise import GradingError, load_exercise
from nnlib.course.grade import grade_submission
from nnlib.course.i18n import ENV, edition_language
from nnlib.course.report import feedback, gradescope_results, write_atomically
from nnlib.course.sandbox import Limits, Mode, Protections, package_root
from nnlib.course.submissions import learner_folder

PROJECT = "nnlib-package"
KERNEL_REQUIREMENTS = ("ipykernel", "nbformat")
SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get install -y python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source/{project}
cp -r /autograder/source/{project}/data/mnist /autograder/mnist
"""
RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root, in a container of its own: grade it into
# /autograder/results/results.json. The container is the sandbox: the learner's kernel runs as a
# fresh user id, which cannot open /autograder/source (the hidden tests) or write the results.
set -euo pipefail
chmod 700 /autograder/source
export NNLIB_MNIST_DIR=/autograder/mnist{language}
exec /autograder/venv/bin/python -I -m nnlib.course.gradescope /autograder/source/{source} \\
    /autograder/submission /autograder/results/results.json {isolation} {limits}
"""
PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "nnlib"
version = "{version}"
requires-python = ">=3.10"
dependencies = {dependencies}

[tool.setuptools.packages.find]
include = ["nnlib*"]
"""


def limit_arguments(limits: Limits) -> list[str]:
    """The command-line options that give ``limits`` (shared by ``nnlib grade`` and the bundle)."""
    return [
        f"--cell-timeout={limits.cell_timeout:g}",
        f"--timeout={limits.total_timeout:g}",
        f"--memory={limits.memory_mb}",
        f"--processes={limits.processes}",
        f"--disk={limits.disk_mb}",
    ]


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The options of :func:`limit_arguments`, with the defaults of :class:`Limits`."""
    defaults = Limits()
    parser.add_argument("--cell-timeout", type=float, default=defaults.cell_timeout,
                        help="seconds per cell (default %(default)s)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=defaults.total_timeout,
                        help="seconds per notebook (default %(default)s)")  # fmt: skip
    parser.add_argument("--memory", type=int, default=defaults.memory_mb,
                        help="MiB of memory per submission (default %(default)s)")  # fmt: skip
    parser.add_argument("--start-timeout", type=float, default=defaults.start_timeout,
                        help="seconds for a kernel to start (default %(default)s)")  # fmt: skip
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help="processes and threads per submission (default %(default)s)",
                        )  # fmt: skip
    parser.add_argument("--disk", type=int, default=defaults.disk_mb,
                        help="MiB of each private /tmp, /var/tmp and /dev/shm "
                        "(default %(default)s)")  # fmt: skip


def limits_from(args: argparse.Namespace) -> Limits:
    """The :class:`Limits` that the options of :func:`add_limit_options` ask for."""
    return Limits(
        cell_timeout=args.cell_timeout,
        total_timeout=args.timeout,
        memory_mb=args.memory,
        processes=args.processes,
        disk_mb=args.disk,
        start_timeout=args.start_timeout,
    )


def _requirements() -> list[str]:
    """nnlib's own dependencies and those of the kernel, from the installed package's metadata."""
    wanted = []
    for requirement in metadata.requires("nnlib") or []:
        spec, _, marker = requirement.partition(";")
        if not marker or spec.strip().startswith(KERNEL_REQUIREMENTS):
            wanted.append(spec.strip())
    return wanted


def bundle(source: Path, out: Path, limits: Limits, partial_credit: bool = False) -> Path:
    """Write the Gradescope autograder zip for ``source`` to ``out``; return ``out``."""
    from nnlib.data import BUNDLED_DIR

    load_exercise(source)  # refuse a broken source now, not on Gradescope
    # On Gradescope the source no longer lies in its edition's folder (zh/): say its language.
    language = edition_language(source.resolve().parent)
    limit_text = " ".join(limit_arguments(limits) + ["--partial-credit"] * partial_credit)
    pyproject = PYPROJECT.format(
        version=metadata.version("nnlib"), dependencies=json.dumps(_requirements())
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP.format(project=PROJECT))
        _add_script(
            archive,
            "run_autograder",
            RUN.format(
                source=source.name,
                language=f"\nexport {ENV}={language}" if language else "",
                isolation=sandbox.CONTAINER_ISOLATION,
                limits=limit_text,
            ),
        )
        archive.write(source, source.name)
        archive.writestr(f"{PROJECT}/pyproject.toml", pyproject)
        root = package_root()
        for pattern in ("*.py", "*.mo"):  # the code, and the catalogs of its messages
            for path in sorted((root / "nnlib").rglob(pattern)):
                archive.write(path, f"{PROJECT}/{path.relative_to(root).as_posix()}")
        for path in sorted(BUNDLED_DIR.glob("*.gz")):
            archive.write(path, f"{PROJECT}/data/mnist/{path.name}")
    return out


def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = 0o100755 << 16  # an executable file
    archive.writestr(info, text)


def isolation(source: Path, results: Path, container: bool, force: bool = False) -> Protections:
    """How the submission will be kept apart: bubblewrap, or with ``container`` (``force``: even
    where this does not look like a container) :data:`~nnlib.course.sandbox.CONTAINER_ISOLATION`.

    Raises :class:`GradingError` where neither can be had, or where, in a container, the kernel's
    user could read ``source`` (the hidden tests) or write into the folder of ``results``.
    """
    if not container:
        found = sandbox.protections()
        if found.mode == Mode.NONE:
            raise GradingError(
                f"{sandbox.refusal()}; in a container of its own per submission (Gradescope's), "
                f"pass {sandbox.CONTAINER_ISOLATION}"
            )
        return found
    found = sandbox.container_protections(force)
    if found.mode == Mode.NONE:
        raise GradingError(f"{sandbox.CONTAINER_ISOLATION} is refused: {found.problem}")
    if sandbox.others_may(source, stat.S_IROTH):
        raise GradingError(
            f"a learner's kernel could read the hidden tests in {source}: keep it in a folder "
            f"only root may open (chmod 700 {source.parent})"
        )
    if sandbox.others_may(results.parent, stat.S_IWOTH):
        raise GradingError(
            f"a learner's kernel could write into {results.parent}: chmod o-w {results.parent}"
        )
    return found


def run_autograder(
    source: Path,
    submission_dir: Path,
    results: Path,
    limits: Limits,
    partial_credit: bool = False,
    container: bool = False,
    force: bool = False,
) -> dict:
    """Grade the one notebook in ``submission_dir`` and write Gradescope's ``results.json``.

    ``partial_credit`` is the scoring policy (``nnlib.course.scoring``); ``container`` and
    ``force`` choose how the submission is kept apart (:func:`isolation`).

    Always writes a results file, even when the submission holds no notebook or the grader fails
    or refuses, so that the learner sees why on Gradescope.
    """
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        found = isolation(source, results, container, force)
        print(f"sandbox: {found.describe()}")
        exercise = replace(load_exercise(source), partial_credit=partial_credit)
        submission = learner_folder(submission_dir, source.name)
        grade = grade_submission(exercise, submission, limits, found=found)
        outcome = gradescope_results(grade)
        print(feedback(grade))
    except Exception as error:  # tell the learner and the instructor rather than crash
        outcome = {"score": 0.0, "output": f"The autograder failed: {error}", "tests": []}
        print(outcome["output"])
    write_atomically(results, json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nnlib.course.gradescope",
        description="Grade one Gradescope submission (run_autograder calls this).",
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("submission", type=Path, help="the folder of the learner's submission")
    parser.add_argument("results", type=Path, help="where to write results.json")
    parser.add_argument(
        "--isolation",
        choices=["sandbox", "container"],
        default="sandbox",
        help="sandbox: each submission in bubblewrap (default); container: this container, one "
        "per submission, is the sandbox, and the kernel runs as a fresh user id (Gradescope)",
    )
    parser.add_argument(
        sandbox.FORCE_CONTAINER,
        action="store_true",
        help="allow --isolation=container where this machine does not look like a container",
    )
    add_limit_options(parser)
    scoring.add_option(parser)
    args = parser.parse_args(argv)
    limits = limits_from(args)
    container = args.isolation == "container"
    run_autograder(args.source, args.submission, args.results, limits, args.partial_credit,
                   container, args.force_container)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
