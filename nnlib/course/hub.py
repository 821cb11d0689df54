"""Links that bring the course to a class: into each student's home on a JupyterHub, or on Binder.

Part of the course's tools; no chapter introduces it. ``deploy/README.md`` says how to run a hub.

A hub gives every student a JupyterLab in their own home folder, but not the course. nbgitpuller
(installed with the course's ``hub`` extra) fills that gap: a student follows a link, and the hub
clones the course's repository into their home, or, when it is there already, pulls the new
commits and merges them *without touching what the student changed* (a file they edited keeps
their edit; one they deleted comes back). The link then opens the file it names, e.g. chapter 01,
as a notebook. So one link, posted once, works for the first lesson and for every later one.

The link is ``<hub>/hub/user-redirect/git-pull?repo=...&branch=...&targetpath=...&urlpath=...``:
``user-redirect`` sends each student to their own server (starting it if needed), ``targetpath``
is the folder the course lands in (relative to the home), and ``urlpath`` is what JupyterLab opens
after the pull, ``lab/tree/<targetpath>/<file>``. Binder links open the same file in a throwaway
server built from the repository (``binder/``), with ``urlpath`` alone.

The options of ``nnlib hub-link``, ``nnlib collect`` and ``nnlib return`` are here too
(:data:`COMMANDS`); this module imports only the standard library.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlsplit

COURSE_ROOT = Path(__file__).resolve().parents[2]
# The course's public repository and branch: the README's Binder link and the default of
# ``nnlib hub-link`` (tests/test_hub_links.py keeps the README in step with them).
COURSE_REPOSITORY = "https://github.com/neuron-to-mnist/neuron-to-mnist"
COURSE_BRANCH = "main"
COURSE_FOLDER = "neuron-to-mnist"  # where the course lands in each home (nbgitpuller's targetpath)
BINDER = "https://mybinder.org/v2/gh"


def course_file(kind: str, number: str, root: Path = COURSE_ROOT) -> str:
    """The course-relative path of chapter or exercise ``number`` (e.g. "01" or "1").

    Parameters
    ----------
    kind : {"chapter", "exercise"}
        A chapter opens as its ``.md`` (a notebook, in JupyterLab as the course configures it);
        an exercise as its student ``.ipynb``, the file that is collected and graded.
    number : str
        The chapter's number, as in the README's table.
    root : Path
        The course's folder, whose ``chapters/`` and ``exercises/`` are listed.
    """
    folder, pattern = {
        "chapter": ("chapters", "{:02d}_*.md"),
        "exercise": ("exercises", "ex{:02d}_*.ipynb"),
    }[kind]
    if not re.fullmatch(r"\d{1,2}", str(number)):
        raise ValueError(f"{kind} number {number!r} is not a number such as 01 or 8")
    found = sorted((root / folder).glob(pattern.format(int(number))))
    if len(found) != 1:
        numbers = sorted({p.name[: p.name.index("_")] for p in (root / folder).glob("*_*")})
        raise ValueError(
            f"there is no {kind} {number} in {root / folder}: choose one of {', '.join(numbers)}"
        )
    return f"{folder}/{found[0].name}"


def _check_relative(path: str, parameter: str) -> str:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts:
        raise ValueError(f"{parameter} {path!r} must be a path inside the course, such as a/b.md")
    return path


def pull_link(
    hub_url: str,
    repo: str = COURSE_REPOSITORY,
    branch: str = COURSE_BRANCH,
    path: str = "chapters/01_single_neuron.md",
    target: str = COURSE_FOLDER,
) -> str:
    """The nbgitpuller link that pulls ``repo`` into ``~/target`` on a hub and opens ``path``.

    Parameters
    ----------
    hub_url : str
        The hub's address as students type it, e.g. ``https://hub.example.org`` (with its path
        prefix, if the hub has one).
    repo : str
        Any address ``git clone`` accepts from the students' servers.
    branch : str
        The branch to pull. For a graded class, one without ``exercises/source``: see
        ``deploy/README.md``.
    path : str
        The file to open afterwards, relative to the course's folder.
    target : str
        The folder, in each home, that holds the course.
    """
    if urlsplit(hub_url).scheme not in ("http", "https") or not urlsplit(hub_url).netloc:
        raise ValueError(f"hub_url {hub_url!r} must be the hub's http(s) address")
    for name, value in (("repo", repo), ("branch", branch)):
        if not value or value != value.strip():
            raise ValueError(f"{name} {value!r} must be a non-empty name without spaces around it")
    query = {
        "repo": repo,
        "branch": branch,
        "targetpath": _check_relative(target, "target"),
        "urlpath": f"lab/tree/{target}/{_check_relative(path, 'path')}",
    }
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


def binder_link(
    repo: str = COURSE_REPOSITORY,
    branch: str = COURSE_BRANCH,
    path: str = "chapters/01_single_neuron.md",
) -> str:
    """The mybinder.org link that builds ``repo`` (a GitHub repository) and opens ``path``."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repo)
    if match is None:
        raise ValueError(f"repo {repo!r} must be a GitHub address, https://github.com/owner/name")
    urlpath = f"lab/tree/{_check_relative(path, 'path')}"
    return f"{BINDER}/{match[1]}/{match[2]}/{quote(branch, safe='')}?urlpath={quote(urlpath)}"


def _hub_link(args: argparse.Namespace) -> int:
    try:
        if args.exercise:
            path = course_file("exercise", args.exercise)
        else:
            path = args.open or course_file("chapter", args.chapter)
        print(pull_link(args.hub_url, args.repo, args.branch, path, args.target))
    except ValueError as error:
        print(f"nnlib hub-link: error: {error}", file=sys.stderr)
        return 2
    return 0


def _collect(args: argparse.Namespace) -> int:
    from nnlib.course import collect

    try:
        exercise = collect.exercise_name(args.exercise)
        if args.exchange:
            found = collect.from_exchange(
                Path(args.exchange),
                args.course_id,
                args.assignment or exercise,
                exercise,
                Path(args.out),
                collect.class_list(args.students),
            )
        else:
            found = collect.from_homes(
                Path(args.homes),
                args.folder,
                exercise,
                Path(args.out),
                collect.class_list(args.students),
            )
    except (ValueError, OSError) as error:
        print(f"nnlib collect: error: {error}", file=sys.stderr)
        return 2
    print(collect.summary(found))
    return 0


def _return(args: argparse.Namespace) -> int:
    from nnlib.course import collect

    try:
        returned = collect.return_feedback(
            Path(args.graded), Path(args.homes), collect.exercise_name(args.exercise)
        )
    except (ValueError, OSError) as error:
        print(f"nnlib return: error: {error}", file=sys.stderr)
        return 2
    print(collect.summary(returned))
    return 0


def _link_arguments(link: argparse.ArgumentParser) -> None:
    link.description = (
        "Print the nbgitpuller link for a JupyterHub: following it clones (or updates, keeping "
        "the student's edits) the course in ~/TARGET and opens a chapter."
    )
    link.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    link.add_argument("hub_url", help="the hub's address, e.g. https://hub.example.org")
    link.add_argument("--repo", default=COURSE_REPOSITORY, help="the course's git repository")
    link.add_argument("--branch", default=COURSE_BRANCH, help="the branch to pull")
    link.add_argument("--target", default=COURSE_FOLDER, help="the course's folder in each home")
    what = link.add_mutually_exclusive_group()
    what.add_argument("--chapter", default="01", help="the chapter to open")
    what.add_argument("--exercise", help="open this exercise's notebook instead, e.g. 01")
    what.add_argument("--open", metavar="PATH", help="open this file of the course instead")


def _collect_arguments(collect: argparse.ArgumentParser) -> None:
    collect.description = (
        "Copy each student's notebook of an exercise into OUT/<student>/, the layout nnlib "
        "grade reads. Every student gets a folder, an empty one if no notebook was found, so "
        "that the gradebook has a row for everyone."
    )
    collect.add_argument("exercise", help="the exercise: 01, ex01 or ex01_single_neuron")
    collect.add_argument("--out", required=True, help="the folder to collect into (new or empty)")
    collect.add_argument(
        "--students",
        help="the class: a file with one user name per line, or names separated "
        "by commas (default: every folder in --homes, or every student in the exchange)",
    )
    collect.add_argument("--homes", default="/home", help="the folder of the students' homes")
    collect.add_argument("--folder", default=COURSE_FOLDER, help="the course's folder in each home")
    collect.add_argument("--exchange", help="collect from nbgrader's exchange folder instead")
    collect.add_argument("--course-id", help="the nbgrader course id (with --exchange)")
    collect.add_argument(
        "--assignment", help="the nbgrader assignment (with --exchange; default: the exercise)"
    )


def _return_arguments(give_back: argparse.ArgumentParser) -> None:
    give_back.description = (
        "Copy GRADED/<student>/feedback.md to ~<student>/feedback/<exercise>.md, owned by the "
        "student."
    )
    give_back.add_argument("graded", help="the folder nnlib grade wrote (its --out)")
    give_back.add_argument("--exercise", required=True, help="the exercise: 01, ex01 or its name")
    give_back.add_argument("--homes", default="/home", help="the folder of the students' homes")


COMMANDS = {
    "hub-link": (_link_arguments, _hub_link),
    "collect": (_collect_arguments, _collect),
    "return": (_return_arguments, _return),
}
"""The ``nnlib`` subcommands defined here: what adds the options, and what runs."""
