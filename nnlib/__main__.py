"""The ``nnlib`` command: ``lab``, ``check``, ``progress``, ``mnist``, and for instructors
``release``, ``grade``, ``gradescope``, ``nbgrader-source``, and for a class on a JupyterHub
``hub-link``, ``collect`` and ``return``.

Each subcommand is a thin layer over a function of the library or of ``nnlib.course``, so that
what a terminal does and what a notebook does are the same code. The subcommands are a table,
:data:`COMMANDS`: a name, a one-line help, a function that adds the command's options and one
that runs it. Both import what they need when called, so the library's own install (``pip
install nnlib``, no extras) runs ``nnlib mnist``, and a command whose extra is missing says
which one to install. Adding a command is adding a row.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


def _lab(args: argparse.Namespace) -> int:
    from nnlib.course import lab

    if args.configure_only:
        print(f"Markdown files now open as notebooks: {lab.configure(lang=args.lang)}")
        return 0
    return lab.launch(args.jupyter_args, lang=args.lang)


def _speak(args: argparse.Namespace) -> None:
    """Answer in the language of ``--lang``, when given (else nnlib.course.i18n chooses)."""
    from nnlib.course.i18n import set_language

    if args.lang:
        set_language(args.lang)


def _lab_arguments(lab: argparse.ArgumentParser) -> None:
    lab.add_argument(
        "--configure-only",
        action="store_true",
        help="only make .md files open as notebooks, do not start JupyterLab",
    )
    lab.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="the edition to open and JupyterLab's language (zh: the Chinese edition, zh/)",
    )
    lab.epilog = "Any other option goes to JupyterLab, e.g. nnlib lab --no-browser --port 8889."


def _doctor(args: argparse.Namespace) -> int:
    from nnlib.course.doctor import diagnose, report

    _speak(args)
    findings = diagnose()
    print(report(findings))
    return 0 if all(finding.ok or finding.advisory for finding in findings) else 1


def _release(args: argparse.Namespace) -> int:
    from nnlib.course.release import release, tag

    if args.tag:
        for page in sorted((Path(args.exercises) / "source").glob("ex*.md")):
            if tag(page):
                print(f"filled in the task names of {page}")
    for path in release(Path(args.exercises)):
        print(f"wrote {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from nnlib.course.notebook_check import check_notebook

    _speak(args)
    return 0 if check_notebook(Path(args.notebook), args.task) else 1


def _progress(args: argparse.Namespace) -> int:
    from nnlib.course.progress import progress

    _speak(args)
    print(progress(args.exercises))
    return 0


def _grade(args: argparse.Namespace) -> int:
    import time

    from nnlib.course import sandbox, scoring
    from nnlib.course.grade import GradingError, grade
    from nnlib.course.gradescope import limits_from
    from nnlib.course.i18n import reading

    _speak(args)
    print(f"sandbox: {sandbox.describe()}")
    print(f"scoring: {scoring.policy_text(args.partial_credit)}")
    start = time.monotonic()
    submissions = [Path(p) for p in args.submissions]
    try:
        with reading(args.source):  # the feedback speaks the source's edition, or --lang
            run = grade(
                Path(args.source),
                submissions,
                Path(args.out),
                limits_from(args),
                jobs=args.jobs,
                max_mb=args.max_notebook_mb,
                only=args.only,
                no_isolation=args.no_isolation,
                partial_credit=args.partial_credit,
            )
    except (GradingError, ValueError) as error:
        print(f"nnlib grade: error: {error}", file=sys.stderr)
        return 2
    seconds = time.monotonic() - start
    for entry in run.ignored:
        print(f"not graded: {entry}")
    print(
        f"graded {len(run.grades)} notebooks in {seconds:.1f} s: "
        f"see {Path(args.out) / 'gradebook.csv'}"
    )
    for problem in run.write_errors:
        print(f"nnlib grade: could not write {problem}", file=sys.stderr)
    if run.to_regrade:
        failed = f"{len(run.to_regrade)} learner(s), not graded: {', '.join(run.to_regrade)}"
        print(f"nnlib grade: the grader failed for {failed}. Re-grade only them with:",
              file=sys.stderr)  # fmt: skip
        print(
            "  " + run.regrade_command(Path(args.source), submissions, Path(args.out)),
            file=sys.stderr,
        )
    failed = 1 if run.to_regrade or run.write_errors else 0
    if not args.nbgrader:
        return failed
    with reading(args.source):  # nbgrader's comments speak the feedback's language too
        return max(failed, _to_nbgrader(args.nbgrader, run.grades))


def _to_nbgrader(course_and_assignment: list[str], grades) -> int:
    from nnlib.course.nbgrader_course import NbgraderError, write_gradebook

    course, assignment = Path(course_and_assignment[0]), course_and_assignment[1]
    try:
        written = write_gradebook(course, assignment, grades)
    except (NbgraderError, ImportError) as error:
        print(f"nnlib grade: error: nbgrader: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} grades of {assignment} into nbgrader's gradebook in {course}")
    return 0


def _nbgrader_source(args: argparse.Namespace) -> int:
    from nnlib.course.nbgrader_course import NbgraderError, write_source_tree

    try:
        for path in write_source_tree(Path(args.exercises) / "source", Path(args.course)):
            print(f"wrote {path}")
    except NbgraderError as error:
        print(f"nnlib nbgrader-source: error: {error}", file=sys.stderr)
        return 2
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from nnlib.course.grade import GradingError
    from nnlib.course.gradescope import bundle, limits_from

    try:
        limits = limits_from(args)
        print(f"wrote {bundle(Path(args.source), Path(args.out), limits, args.partial_credit)}")
    except GradingError as error:
        print(f"nnlib gradescope: error: {error}", file=sys.stderr)
        return 2
    return 0


def _site(args: argparse.Namespace) -> int:
    from nnlib.course import site

    try:
        html = site.build(Path(args.out), quick=args.quick)
    except site.LeakError as error:
        print(f"nnlib site: error: {error}", file=sys.stderr)
        return 1
    print(f"the site is in {html}: open {html / 'index.html'}, or publish the folder as it is")
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


VERDICT_LANG = "the verdicts' language (default: the notebooks' edition, else $NNLIB_LANG or $LANG)"


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "notebook", help="your exercise notebook, e.g. exercises/ex01_single_neuron.ipynb"
    )
    check.add_argument("--task", help="check only this task (default: all)")
    check.add_argument("--lang", choices=["en", "zh"], help=VERDICT_LANG)


def _doctor_arguments(doctor: argparse.ArgumentParser) -> None:
    doctor.add_argument("--lang", choices=["en", "zh"], help="the language to answer in")


def _mnist_arguments(mnist: argparse.ArgumentParser) -> None:
    mnist.formatter_class = argparse.ArgumentDefaultsHelpFormatter
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


def _release_arguments(release: argparse.ArgumentParser) -> None:
    release.add_argument("--exercises", default="exercises", help="the exercises folder")
    release.add_argument(
        "--tag",
        action="store_true",
        help="(maintainers) first write each task cell's grade_id and nnlib.task, read from its "
        "def or check(...), into the sources source/ex*.md, and pair their notebooks",
    )


def _progress_arguments(progress: argparse.ArgumentParser) -> None:
    progress.add_argument(
        "exercises", nargs="?", help="the folder of your exercise notebooks (default: exercises)"
    )
    progress.add_argument("--lang", choices=["en", "zh"], help=VERDICT_LANG)


def _grade_arguments(grade: argparse.ArgumentParser) -> None:
    from nnlib.course import scoring
    from nnlib.course.gradescope import add_limit_options
    from nnlib.course.submissions import MAX_NOTEBOOK_MB

    grade.description = (
        "Grade each submission in its own sandboxed kernel; write DIR/gradebook.csv, "
        "DIR/<name>/feedback.md and DIR/<name>/results.json (Gradescope's format)."
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
    grade.add_argument("--only", nargs="+", default=[], metavar="NAME",
                       help="grade only these learners (a re-grade)")  # fmt: skip
    grade.add_argument("--no-isolation", action="store_true",
                       help="grade without a sandbox where none can be made, giving up isolation: "
                       "only for work you trust; never as root")  # fmt: skip
    grade.add_argument(
        "--lang",
        choices=["en", "zh"],
        help="the feedback's language (default: the source's edition)",
    )
    add_limit_options(grade)
    scoring.add_option(grade)
    grade.add_argument(
        "--nbgrader",
        nargs=2,
        metavar=("COURSE_DIR", "ASSIGNMENT"),
        help="also write the scores and feedback into this nbgrader course's gradebook",
    )


def _nbgrader_source_arguments(nbgrader: argparse.ArgumentParser) -> None:
    nbgrader.description = (
        "Write COURSE_DIR/source/<exercise>/<exercise>.ipynb for every exercise source: the "
        "notebooks only, never their .md twins (which hold the solutions as text)."
    )
    nbgrader.add_argument("course", help="the nbgrader course folder (made by nbgrader quickstart)")
    nbgrader.add_argument("--exercises", default="exercises", help="the exercises folder")


def _site_arguments(site: argparse.ArgumentParser) -> None:
    site.add_argument("--out", default="_build/site", help="the build folder (site in OUT/html)")
    site.add_argument(
        "--quick", action="store_true", help="short trainings, as the test suite runs them"
    )


def _gradescope_arguments(gradescope: argparse.ArgumentParser) -> None:
    from nnlib.course import scoring
    from nnlib.course.gradescope import add_limit_options

    gradescope.add_argument("source", help="the instructor's source notebook (with solutions)")
    gradescope.add_argument("--out", default="autograder.zip", help="the zip to write")
    add_limit_options(gradescope)
    scoring.add_option(gradescope)


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, what adds its options, and what runs it."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    passes_on_options: bool = False  # unknown options go to the program it starts (lab)


def _hub_command(name: str, help: str) -> Command:
    """Command ``name`` of ``nnlib.course.hub`` (a class on a JupyterHub), imported when used."""

    def arguments(parser: argparse.ArgumentParser) -> None:
        from nnlib.course.hub import COMMANDS as HUB_COMMANDS

        HUB_COMMANDS[name][0](parser)

    def run(args: argparse.Namespace) -> int:
        from nnlib.course.hub import COMMANDS as HUB_COMMANDS

        return HUB_COMMANDS[name][1](args)

    return Command(help, arguments, run)


COMMANDS: dict[str, Command] = {
    "lab": Command("open the course in JupyterLab", _lab_arguments, _lab, passes_on_options=True),
    "check": Command("run the self-checks of an exercise notebook", _check_arguments, _check),
    "doctor": Command("check your set-up and say how to fix it", _doctor_arguments, _doctor),
    "mnist": Command(
        "train the seed MNIST network (784-500-10) from the terminal", _mnist_arguments, _mnist
    ),
    "release": Command(
        "(instructors) regenerate the student versions of the exercises",
        _release_arguments,
        _release,
    ),
    "progress": Command(
        "which exercise tasks pass their visible checks, as a table", _progress_arguments, _progress
    ),
    "grade": Command(
        "(instructors) grade submitted notebooks safely into a gradebook", _grade_arguments, _grade
    ),
    "gradescope": Command(
        "(instructors) write a Gradescope autograder zip for an exercise",
        _gradescope_arguments,
        _gradescope,
    ),
    "hub-link": _hub_command(
        "hub-link", "(instructors) print the link that pulls the course into each student's home"
    ),
    "collect": _hub_command(
        "collect", "(instructors) gather an exercise from every student for nnlib grade"
    ),
    "return": _hub_command(
        "return", "(instructors) put each student's feedback from nnlib grade into their home"
    ),
    "site": Command(
        "(maintainers) build the course's website, both editions, offline", _site_arguments, _site
    ),
    "nbgrader-source": Command(
        "(instructors) write the exercises into an nbgrader course's source/ folder",
        _nbgrader_source_arguments,
        _nbgrader_source,
    ),
}
"""The subcommands, in the order ``nnlib --help`` lists them."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand; only ``command``'s options are added (and imported)."""
    parser = argparse.ArgumentParser(
        prog="nnlib", description="From a Neuron to MNIST: the course's command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        subparser = commands.add_parser(name, help=spec.help, description=spec.help)
        if name == command:
            spec.arguments(subparser)
            subparser.set_defaults(run=spec.run)
    return parser


def _extra_providing(package: str) -> str | None:
    """The extra of nnlib that installs ``package`` (an import name), if any."""
    for requirement in metadata.requires("nnlib") or []:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)[0]
        extra = re.search(r"extra\s*==\s*[\"']([^\"']+)", requirement)
        if extra and name.lower().replace("-", "_") == package.lower():
            return extra[1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in argv if not word.startswith("-")), None)
    spec = COMMANDS.get(command)
    try:
        parser = build_parser(command)
        if spec is not None and spec.passes_on_options:
            args, passed_on = parser.parse_known_args(argv)
            args.jupyter_args = [word for word in passed_on if word != "--"]
        else:
            args = parser.parse_args(argv)
        return args.run(args)
    except ModuleNotFoundError as error:
        package = (error.name or "").split(".")[0]
        extra = _extra_providing(package)
        if extra is None:
            raise
        print(
            f"nnlib {command}: error: this command needs {package}, which nnlib's {extra!r} "
            f"extra installs: pip install 'nnlib[{extra}]' (from the course folder: "
            f"pip install -e '.[{extra}]').",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
