"""The ``nnlib`` command: ``nnlib lab``, ``nnlib check``, ``nnlib release``.

Each subcommand is a thin layer over a function of the library or of ``nnlib.course``, so that
what a terminal does and what a notebook does are the same code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _lab(args: argparse.Namespace) -> int:
    from nnlib.course import lab

    if args.configure_only:
        print(f"Markdown files now open as notebooks: {lab.configure()}")
        return 0
    return lab.launch(args.jupyter_args)


def _release(args: argparse.Namespace) -> int:
    from nnlib.course.release import release

    for path in release(Path(args.exercises)):
        print(f"wrote {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from nnlib.course.notebook_check import check_notebook

    return 0 if check_notebook(Path(args.notebook), args.task) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlib", description="From a Neuron to MNIST: the course's command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = commands.add_parser("lab", help="open the course in JupyterLab")
    lab.add_argument(
        "--configure-only",
        action="store_true",
        help="only make .md files open as notebooks, do not start JupyterLab",
    )
    lab.add_argument(
        "jupyter_args", nargs=argparse.REMAINDER, help="passed on to JupyterLab (e.g. --no-browser)"
    )
    lab.set_defaults(run=_lab)

    check = commands.add_parser("check", help="run the self-checks of an exercise notebook")
    check.add_argument(
        "notebook", help="your exercise notebook, e.g. exercises/ex01_single_neuron.ipynb"
    )
    check.add_argument("--task", help="check only this task (default: all)")
    check.set_defaults(run=_check)

    release = commands.add_parser(
        "release", help="(instructors) regenerate the student versions of the exercises"
    )
    release.add_argument("--exercises", default="exercises", help="the exercises folder")
    release.set_defaults(run=_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
