"""The ``nnlib`` command: ``lab``, ``check``, ``progress``, ``mnist``, and for instructors
``release``, ``grade``, ``gradescope``, and for a class on a JupyterHub ``hub-link``, ``collect``
and ``return``.

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


def _doctor(args: argparse.Namespace) -> int:
    from nnlib.course.doctor import diagnose, report

    findings = diagnose()
    print(report(findings))
    return 0 if all(finding.ok for finding in findings) else 1


def _release(args: argparse.Namespace) -> int:
    from nnlib.course.release import release

    for path in release(Path(args.exercises)):
        print(f"wrote {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from nnlib.course.notebook_check import check_notebook

    return 0 if check_notebook(Path(args.notebook), args.task) else 1


def _progress(args: argparse.Namespace) -> int:
    from nnlib.course.progress import progress

    print(progress(args.exercises))
    return 0


def _grade(args: argparse.Namespace) -> int:
    import time

    from nnlib.course import sandbox
    from nnlib.course.grade import GradingError, grade
    from nnlib.course.gradescope import limits_from

    print(f"sandbox: {sandbox.describe()}")
    start = time.monotonic()
    try:
        grades = grade(
            Path(args.source),
            [Path(p) for p in args.submissions],
            Path(args.out),
            limits_from(args),
            jobs=args.jobs,
            max_mb=args.max_notebook_mb,
        )
    except GradingError as error:
        print(f"nnlib grade: error: {error}", file=sys.stderr)
        return 2
    seconds = time.monotonic() - start
    print(
        f"graded {len(grades)} notebooks in {seconds:.1f} s: see {Path(args.out) / 'gradebook.csv'}"
    )
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from nnlib.course.grade import GradingError
    from nnlib.course.gradescope import bundle, limits_from

    try:
        print(f"wrote {bundle(Path(args.source), Path(args.out), limits_from(args))}")
    except GradingError as error:
        print(f"nnlib gradescope: error: {error}", file=sys.stderr)
        return 2
    return 0


def _mnist(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from nnlib.mnist import Recipe, load_prepared, train

    try:
        recipe = Recipe(
            epochs=args.epochs,
            learning_rate=args.learning_rate,
            batch_size=args.batch_size,
            n_hidden=args.hidden,
            activation=args.activation,
            optimizer=args.optimizer,
            seed=args.seed,
            dtype=args.dtype,
        )
        data = load_prepared(args.data_dir, dtype=recipe.dtype)
    except (ValueError, OSError) as error:
        print(f"nnlib mnist: error: {error}", file=sys.stderr)
        return 2

    def report(epoch, history):
        tqdm.write(
            f"epoch {epoch:3d}/{recipe.epochs}: loss {history.loss[-1]:.4f}, train accuracy "
            f"{history.accuracy[-1]:.4f}, test accuracy {history.val_accuracy[-1]:.4f}"
        )

    print(f"training {recipe}")
    try:
        network, _, test_accuracy = train(recipe, data, progress=not args.quiet, on_epoch=report)
    except FloatingPointError as error:
        print(f"nnlib mnist: {error}", file=sys.stderr)
        return 1
    if args.save:
        print(f"saved the trained network to {network.save(args.save)}")
    print(f"test accuracy: {test_accuracy:.4f}")
    return 0


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

    doctor = commands.add_parser("doctor", help="check your set-up and say how to fix it")
    doctor.set_defaults(run=_doctor)

    mnist = commands.add_parser(
        "mnist",
        help="train the seed MNIST network (784-500-10) from the terminal",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    mnist.add_argument("--epochs", type=int, default=20)
    mnist.add_argument("--learning-rate", "--lr", type=float, default=0.5)
    mnist.add_argument("--batch-size", type=int, default=128)
    mnist.add_argument("--hidden", type=int, default=500, help="hidden units")
    mnist.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], default="sigmoid")
    mnist.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd")
    mnist.add_argument("--seed", type=int, default=0)
    mnist.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    mnist.add_argument("--data-dir", help="folder with the four MNIST files (default: bundled)")
    mnist.add_argument("--save", metavar="PATH", help="save the trained network (.npz)")
    mnist.add_argument("--quiet", action="store_true", help="no progress bar")
    mnist.set_defaults(run=_mnist)

    release = commands.add_parser(
        "release", help="(instructors) regenerate the student versions of the exercises"
    )
    release.add_argument("--exercises", default="exercises", help="the exercises folder")
    release.set_defaults(run=_release)

    progress = commands.add_parser(
        "progress", help="which exercise tasks pass their visible checks, as a table"
    )
    progress.add_argument(
        "exercises", nargs="?", help="the folder of your exercise notebooks (default: exercises)"
    )
    progress.set_defaults(run=_progress)
    _add_grading_commands(commands)
    from nnlib.course.hub import add_commands as add_hub_commands

    add_hub_commands(commands)  # hub-link, collect, return: for a class on a JupyterHub
    return parser


def _add_grading_commands(commands) -> None:
    from nnlib.course.gradescope import add_limit_options
    from nnlib.course.submissions import MAX_NOTEBOOK_MB

    grade = commands.add_parser(
        "grade",
        help="(instructors) grade submitted notebooks safely into a gradebook",
        description="Grade each submission in its own sandboxed kernel; write DIR/gradebook.csv, "
        "DIR/<name>/feedback.md and DIR/<name>/results.json (Gradescope's format).",
    )
    grade.add_argument("source", help="the instructor's source notebook (with solutions)")
    grade.add_argument(
        "submissions", nargs="+", help="notebook files, or folders of them (one per learner)"
    )
    grade.add_argument("--out", required=True, help="the folder to write the results to")
    grade.add_argument("-j", "--jobs", type=int, default=1, help="notebooks graded at once")
    grade.add_argument(
        "--max-notebook-mb", type=float, default=MAX_NOTEBOOK_MB, help="larger files are refused"
    )
    add_limit_options(grade)
    grade.set_defaults(run=_grade)

    gradescope = commands.add_parser(
        "gradescope", help="(instructors) write a Gradescope autograder zip for an exercise"
    )
    gradescope.add_argument("source", help="the instructor's source notebook (with solutions)")
    gradescope.add_argument("--out", default="autograder.zip", help="the zip to write")
    add_limit_options(gradescope)
    gradescope.set_defaults(run=_gradescope)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
