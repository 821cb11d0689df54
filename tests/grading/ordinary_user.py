"""Run a command as an ordinary user, for the tests that grade as an instructor without root.

CI runs as root. To cover the ordinary-user path, the tests create a throwaway account
(:data:`USER`, with ``useradd``) and run ``nnlib grade`` as it with ``setpriv`` (util-linux), every
capability dropped. An ordinary user must be able to reach this Python and the repository; when
one of their folders is closed to others (a Python under ``/root``, mode 700), the command runs
in a mount namespace of its own where that folder is replaced by an open one holding only the
way on (the user still cannot read anything else of it).
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

USER = "nnlib-grade-test"
ROOT = Path(__file__).resolve().parents[2]


def available() -> str:
    """Why the ordinary-user tests cannot run here, or ``""``."""
    if os.geteuid() != 0:
        return "needs root, to create the throwaway user"
    missing = [tool for tool in ("useradd", "setpriv", "unshare") if shutil.which(tool) is None]
    return f"missing {missing}" if missing else ""


def ensure_user() -> tuple[int, int]:
    """The (uid, gid) of :data:`USER`, created if it does not exist yet."""
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )
        entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def _blocked() -> dict[str, set[str]]:
    """Folders on the way to Python and the repository that others may not enter, with the way."""
    blocked: dict[str, set[str]] = {}
    for path in {sys.prefix, sys.base_prefix, str(ROOT)}:
        parts = Path(path).resolve().parts
        for depth in range(1, len(parts)):
            folder = str(Path(*parts[:depth]))
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                blocked.setdefault(folder, set()).add(parts[depth])
    return blocked


def command(argv: list[str], uid: int, gid: int, keep: Path) -> list[str]:
    """``argv`` run as ``uid``/``gid``; ``keep`` is an empty folder for the mount namespace."""
    drop = f"--reuid={uid} --regid={gid} --clear-groups --inh-caps=-all --bounding-set=-all"
    return _with_the_way_open(f'exec setpriv {drop} "$@"', argv, keep)


def as_root(argv: list[str], keep: Path) -> list[str]:
    """``argv`` run as root, where any user can reach this Python (for the user ids that the
    grader's container mode makes up); ``keep`` is an empty folder for the mount namespace."""
    return _with_the_way_open('exec "$@"', argv, keep)


def _with_the_way_open(run: str, argv: list[str], keep: Path) -> list[str]:
    lines = ["set -e", "mount --make-rprivate /"]
    for index, (folder, children) in enumerate(sorted(_blocked().items())):
        kept = []
        for child in sorted(children):
            saved = keep / f"{index}-{child}"
            saved.mkdir(parents=True)
            lines.append(f"mount --bind {shlex.quote(os.path.join(folder, child))} {saved}")
            kept.append((child, saved))
        lines.append(f"mount -t tmpfs -o mode=755 open {shlex.quote(folder)}")
        for child, saved in kept:
            target = shlex.quote(os.path.join(folder, child))
            lines += [f"mkdir {target}", f"mount --bind {saved} {target}"]
    lines.append(run)
    return ["unshare", "--mount", "sh", "-c", "\n".join(lines), "sh", *argv]
