"""A class's work, gathered for ``nnlib grade``, and its feedback, given back to each student.

Part of the course's tools; no chapter introduces it. ``deploy/README.md`` shows the round trip:
``nnlib collect`` -> ``nnlib grade`` -> ``nnlib return``.

On a hub, each student's exercise notebook lives in their home, e.g.
``/home/alice/neuron-to-mnist/exercises/ex01_single_neuron.ipynb`` (nbgitpuller put it there);
with nbgrader, students submit into its exchange folder instead. :func:`from_homes` and
:func:`from_exchange` copy one exercise of every student of the class into
``<out>/<student>/<exercise>.ipynb``, the sub-folder-per-learner layout that ``nnlib grade``
reads. A student without a notebook still gets a folder, an empty one, so that they still get a
gradebook row (scored 0, with the reason) rather than silently vanishing from it.
:func:`return_feedback` then copies ``graded/<student>/feedback.md`` to
``~<student>/feedback/<exercise>.md``.

The instructor runs these as root, but the homes and the exchange belong to the students, and a
student may plant a symbolic link where their notebook should be (pointing at the instructor's
solutions, or at another student's work), a named pipe that would hang the copy, or a link where
the feedback folder goes (so that root writes into ``/etc``). So every path below a home is
opened one component at a time, relative to the folder before it, never following a link
(``O_NOFOLLOW``); only regular files are read, up to a size cap; feedback is written to a fresh
file then renamed into place, and handed to the home's owner.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nnlib.course.hub import course_file

MAX_COPY_MB = 100.0  # larger files are left where they are (nnlib grade refuses even smaller ones)
STUDENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@-]*")
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format default
FEEDBACK_DIR = "feedback"


@dataclass(frozen=True)
class Collected:
    """What happened for one student: ``ok`` when a file was copied, ``what`` says the rest."""

    student: str
    ok: bool
    what: str


def exercise_name(text: str) -> str:
    """The exercise's notebook name, e.g. "ex01_single_neuron", from "01", "ex01" or that name."""
    match = re.fullmatch(r"(?:ex)?(\d{1,2})(_\w+?)?(?:\.ipynb)?", text.strip())
    if match is None:
        raise ValueError(f"exercise {text!r} is not an exercise such as 01, ex01 or ex01_name")
    name = Path(course_file("exercise", match[1])).stem
    if match[2] and name != f"ex{int(match[1]):02d}{match[2]}":
        raise ValueError(f"exercise {text!r} does not exist: exercise {match[1]} is {name}")
    return name


def class_list(spec: str | None) -> list[str] | None:
    """The students named by ``spec``: a file with one name a line, or names with commas.

    None means "not given": the commands then take every home folder or every submitter.
    """
    if spec is None:
        return None
    path = Path(spec)
    text = path.read_text(encoding="utf-8") if path.is_file() else spec.replace(",", "\n")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    bad = [name for name in names if not STUDENT.fullmatch(name)]
    if bad or not names:
        raise ValueError(
            f"students {spec!r}: {', '.join(map(repr, bad)) or 'no names'} "
            "(user names are letters, digits and . _ @ -, one a line or separated by commas)"
        )
    return sorted(set(names))


def _open_beneath(root: Path, parts: list[str], flags: int) -> int:
    """Open ``root/parts...`` without following any symbolic link on the way, and return the fd.

    Raises OSError (ELOOP or ENOTDIR for a link) when a component is a link or missing.
    """
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return os.open(parts[-1], flags | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


def _read_file(root: Path, relative: str) -> tuple[bytes, float] | str:
    """The bytes and modification time of ``root/relative``, or why it was not read."""
    shown = f"{root.name}/{relative}"
    try:
        fd = _open_beneath(root, relative.split("/"), os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return f"no notebook: {shown} does not exist"
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            return f"refused {shown}: a symbolic link on the way (links are never followed)"
        return f"could not read {shown}: {error.strerror} (run as root to read every home)"
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return f"refused {shown}: not a regular file"
        if info.st_size > MAX_COPY_MB * 2**20:
            return f"refused {shown}: {info.st_size / 2**20:.0f} MB, over {MAX_COPY_MB:.0f} MB"
        return file.read(int(MAX_COPY_MB * 2**20)), info.st_mtime


def _fresh_folder(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(
            f"out {out} is not an empty folder: collect into a new one, so that no notebook of "
            "an earlier collection is graded by mistake"
        )
    out.mkdir(parents=True, exist_ok=True)


def _store(out: Path, student: str, exercise: str, found: tuple[bytes, float] | str) -> Collected:
    folder = out / student
    folder.mkdir()
    if isinstance(found, str):
        return Collected(student, False, found)
    data, mtime = found
    target = folder / f"{exercise}.ipynb"
    target.write_bytes(data)
    os.utime(target, (mtime, mtime))  # the time the student last saved it, for deadlines
    saved = datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return Collected(student, True, f"collected ({len(data) / 1024:.0f} KiB, saved {saved})")


def _homes(homes: Path) -> list[str]:
    if not homes.is_dir():
        raise ValueError(f"homes {homes} is not a folder (the folder of the students' homes)")
    return sorted(
        entry.name
        for entry in homes.iterdir()
        if entry.is_dir()
        and not entry.is_symlink()
        and STUDENT.fullmatch(entry.name)
        and entry.name != "lost+found"
    )


def from_homes(
    homes: Path, folder: str, exercise: str, out: Path, students: list[str] | None = None
) -> list[Collected]:
    """Copy ``<homes>/<student>/<folder>/exercises/<exercise>.ipynb`` into ``<out>/<student>/``.

    Parameters
    ----------
    homes : Path
        The folder of the homes, ``/home`` on a one-machine hub.
    folder : str
        The course's folder in each home (nbgitpuller's ``targetpath``).
    exercise : str
        The exercise's notebook name, e.g. "ex01_single_neuron".
    out : Path
        A new or empty folder, given to ``nnlib grade`` next.
    students : list of str, optional
        The class; by default every folder in ``homes``. Name the class to get a row for a
        student who never logged in.
    """
    _fresh_folder(out)
    collected = []
    for student in students if students is not None else _homes(homes):
        relative = f"{folder.strip('/')}/exercises/{exercise}.ipynb"
        home = homes / student
        found = _read_file(home, relative) if home.is_dir() else f"no home folder {home}"
        collected.append(_store(out, student, exercise, found))
    return collected


def _submissions(inbound: Path, assignment: str) -> dict[str, tuple[datetime, str]]:
    """Each student's latest submission of ``assignment`` in nbgrader's ``inbound`` folder.

    nbgrader names a submission ``<student>+<assignment>+<timestamp>[+<random>]``.
    """
    latest: dict[str, tuple[datetime, str]] = {}
    for entry in inbound.iterdir():
        parts = entry.name.split("+")
        if len(parts) not in (3, 4) or parts[1] != assignment or not STUDENT.fullmatch(parts[0]):
            continue
        try:
            when = datetime.strptime(parts[2], NBGRADER_TIME)
        except ValueError:
            continue
        if parts[0] not in latest or when > latest[parts[0]][0]:
            latest[parts[0]] = (when, entry.name)
    return latest


def from_exchange(
    exchange: Path,
    course_id: str | None,
    assignment: str,
    exercise: str,
    out: Path,
    students: list[str] | None = None,
) -> list[Collected]:
    """Copy each student's latest nbgrader submission of ``exercise`` into ``<out>/<student>/``.

    Parameters
    ----------
    exchange : Path
        nbgrader's ``Exchange.root``, e.g. ``/srv/nbgrader/exchange``.
    course_id : str
        nbgrader's course id: submissions are in ``<exchange>/<course_id>/inbound``.
    assignment : str
        The nbgrader assignment the exercise's notebook was released in.
    exercise, out, students
        As for :func:`from_homes`; by default the class is everyone who submitted.
    """
    if not course_id:
        raise ValueError("course_id is missing: name nbgrader's course (--course-id)")
    inbound = exchange / course_id / "inbound"
    if not inbound.is_dir():
        raise ValueError(f"exchange {exchange}: {inbound} is not a folder (nbgrader's inbound)")
    _fresh_folder(out)
    latest = _submissions(inbound, assignment)
    collected = []
    for student in students if students is not None else sorted(latest):
        if student in latest:
            found = _read_file(inbound, f"{latest[student][1]}/{exercise}.ipynb")
        else:
            found = f"no submission of {assignment} in {inbound}"
        collected.append(_store(out, student, exercise, found))
    return collected


def _write_beneath(home: Path, exercise: str, text: str) -> None:
    """Write ``text`` to ``home/feedback/<exercise>.md`` as the home's owner, following no link."""
    home_fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        owner = os.fstat(home_fd)
        with contextlib.suppress(FileExistsError):
            os.mkdir(FEEDBACK_DIR, 0o700, dir_fd=home_fd)
        folder_fd = os.open(
            FEEDBACK_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=home_fd
        )
    finally:
        os.close(home_fd)
    name, temporary = f"{exercise}.md", f".{exercise}.md.{os.getpid()}"
    try:
        if os.geteuid() == 0:
            os.fchown(folder_fd, owner.st_uid, owner.st_gid)
        fd = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder_fd
        )
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            if os.geteuid() == 0:
                os.fchown(file.fileno(), owner.st_uid, owner.st_gid)
        os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    finally:
        os.close(folder_fd)


def return_feedback(graded: Path, homes: Path, exercise: str) -> list[Collected]:
    """Copy ``<graded>/<student>/feedback.md`` to ``<homes>/<student>/feedback/<exercise>.md``.

    ``graded`` is the folder ``nnlib grade`` wrote. A student's earlier feedback for the same
    exercise is replaced; nothing else in the home is touched.
    """
    if not (graded / "gradebook.csv").is_file():
        raise ValueError(f"graded {graded} holds no gradebook.csv: give the --out of nnlib grade")
    returned = []
    for folder in sorted(p for p in graded.iterdir() if (p / "feedback.md").is_file()):
        student, home = folder.name, homes / folder.name
        if not home.is_dir() or home.is_symlink():
            returned.append(Collected(student, False, f"not returned: no home folder {home}"))
            continue
        try:
            _write_beneath(home, exercise, (folder / "feedback.md").read_text(encoding="utf-8"))
        except OSError as error:
            where = f"{student}/{FEEDBACK_DIR}/{exercise}.md"
            returned.append(Collected(student, False, f"not returned to {where}: {error.strerror}"))
            continue
        where = home / FEEDBACK_DIR / f"{exercise}.md"
        returned.append(Collected(student, True, f"returned to {where}"))
    return returned


def summary(rows: list[Collected]) -> str:
    """One line per student, then the count, for the terminal."""
    width = max((len(row.student) for row in rows), default=0)
    lines = [f"{row.student:<{width}}  {row.what}" for row in rows]
    done = sum(row.ok for row in rows)
    lines.append(f"{done} of {len(rows)} students done" + ("" if rows else " (no students found)"))
    return "\n".join(lines)
