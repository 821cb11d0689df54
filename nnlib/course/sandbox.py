"""Start a submission's worker and kernel in a bubblewrap sandbox, with limits on all it starts.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

This is the *sandbox launcher*: it runs in the grader's process. For each submission it starts
``python -m nnlib.course.worker`` (:mod:`nnlib.course.worker`) inside `bubblewrap
<https://github.com/containers/bubblewrap>`_ (``bwrap``, the sandbox under Flatpak), sends it
the job on its standard input and reads its report from its standard output: no file of the
sandbox is shared with the grader, in either direction.

What the sandbox gives each submission (:func:`bwrap_command`):

- its own **process, network, IPC, UTS and mount namespaces**: no network at all (only a
  loopback of its own), no view of any other process, and when its first process (the worker)
  ends, every process it started ends too (``--as-pid-1``, ``--die-with-parent``);
- its **own user**: as an ordinary user, a user namespace (``--unshare-user``); as root, a fresh
  unprivileged user id chosen for this submission alone, set by ``setpriv`` with every
  capability dropped. A kernel never runs as root, and no process outside shares its user;
- a **read-only** view of only what the kernel needs: ``/usr`` (the system's libraries), the
  Python interpreter and its standard library, the environment holding numpy and ``nnlib``, and
  the ``nnlib`` package (not the course around it: no ``.git``, no exercise sources, no
  submissions, no results);
- private, size-limited ``/tmp``, ``/var/tmp`` and ``/dev/shm`` (its disk), gone when it ends;
- **limits on the whole submission** (:class:`Limits`): processes (``RLIMIT_NPROC``, counted per
  user, hence per sandbox), memory (a cgroup as root with cgroup v1, else the worker's watch over
  all the sandbox's processes), CPU time, file size, wall-clock time per cell and per notebook,
  printed output.

:func:`protections` probes what this machine allows; ``nnlib grade`` prints it in one line, and
``nnlib doctor`` lists it. Where no sandbox can be made, grading untrusted work is refused unless
the instructor asks for :data:`NO_ISOLATION` (then the worker runs as the grader's own user, with
only the limits), and never as root.

**A container of its own per submission** (Gradescope's) usually cannot make namespaces, even as
root. There :data:`CONTAINER_ISOLATION` (:func:`container_protections`) makes the container the
boundary: the worker and kernel run without bubblewrap, as a fresh user id with every capability
dropped (``setpriv``), so they cannot read what only root may read (the hidden tests, kept in a
root-only folder), write the grader's files or signal it; their memory, processes, CPU time and
file size are limited as in a sandbox, and when the worker ends every process of that user is
killed and its files in ``/tmp``, ``/var/tmp`` and ``/dev/shm`` removed. It gives up a network,
a view of files and a process namespace of the submission's own (:data:`CONTAINER_GIVES_UP`),
and is refused outside a container unless forced.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from time import monotonic, sleep

from nnlib.course.worker import CellStatus, Event, Stop

BWRAP = "bwrap"
SETPRIV = "setpriv"
NO_ISOLATION = "--no-isolation"
CONTAINER_ISOLATION = "--isolation=container"
FORCE_CONTAINER = "--force-container"
CONTAINER_MARKS = ("/.dockerenv", "/run/.containerenv")  # Docker's (Gradescope's) and Podman's
CONTAINER_CGROUPS = ("docker", "containerd", "kubepods", "lxc")
SANDBOX_HOME = "/tmp"
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
PRIVATE_TMPFS = ("/tmp", "/var/tmp", "/dev/shm")
FIRST_UID, LAST_UID = 1_000_000_000, 2_000_000_000  # fresh user ids for submissions, as root
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_CONTROLLERS = ("memory", "pids")
CGROUP_EMPTY_SECONDS = 2.0  # how long a dead sandbox's processes may take to leave its cgroup
PROBE_SECONDS = 30
MARGIN_SECONDS = 15  # the grader's allowance over the worker's own time limits
STDERR_TAIL = 2000
MIB = 2**20
PASSED_VARIABLES = ("LANG", "LC_ALL", "NNLIB_MNIST_DIR")
WATCHED_MEMORY = (
    "a hard memory limit for the whole submission (no cgroup: the worker watches the total every "
    "0.05 s and stops the largest process, so a brief peak can pass)"
)
CONTAINER_GIVES_UP = (
    "a network of its own (the container's is shared)",
    "a view of only Python and nnlib (it reads what any user may read in the container)",
    "private, size-limited /tmp and /dev/shm (the container's disk)",
    "a process namespace (a kernel that kills all its user's processes ends its grading: error)",
    WATCHED_MEMORY,
)


@dataclass(frozen=True)
class Limits:
    """What one submission may use, all its processes together.

    Parameters
    ----------
    cell_timeout : float
        Seconds of wall-clock time per cell (the learner's cells and each task's tests).
    total_timeout : float
        Seconds for the whole notebook, kernel start-up excluded.
    memory_mb : int
        MiB of memory for the whole submission (a cgroup, or the worker's watch), and of
        address space for each of its processes.
    processes : int
        Processes and threads the submission may run at once (the kernel needs about 10).
    disk_mb : int
        MiB of each private ``/tmp``, ``/var/tmp`` and ``/dev/shm``.
    file_size_mb : int
        The largest file the kernel may write, in MiB; also the largest result the grader reads.
    output_mb : float
        How much a cell may print before it is stopped as a flood, in MiB.
    grace : float
        Seconds a kernel has to stop after an interrupt before it is declared unresponsive.
    start_timeout : float
        Seconds the kernel may take to start.
    """

    cell_timeout: float = 10.0
    total_timeout: float = 60.0
    memory_mb: int = 2048
    processes: int = 64
    disk_mb: int = 256
    file_size_mb: int = 64
    output_mb: float = 10.0
    grace: float = 3.0
    start_timeout: float = 60.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not value > 0:
                raise ValueError(f"Limits: {name} must be positive, not {value!r}")

    @property
    def budget(self) -> float:
        """Seconds after which the grader stops a sandbox whatever it is doing (two kernel starts:
        a second kernel runs the hidden tests when a cell ended the first)."""
        return self.total_timeout + 2 * (self.start_timeout + self.grace) + MARGIN_SECONDS


class Mode(str, Enum):
    """How submissions are kept apart on this machine."""

    ROOT = "bubblewrap as root, a fresh user per submission"
    USER = "bubblewrap in a user namespace"
    CONTAINER = "the container is the sandbox: a fresh user per submission, no bubblewrap"
    NONE = "no sandbox"


@dataclass(frozen=True)
class Protections:
    """What this machine allows: the sandbox mode, a cgroup, and what cannot be enforced."""

    mode: Mode
    cgroup: bool
    problem: str = ""  # why there is no sandbox
    unenforced: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: the mode, and which limits this machine cannot enforce."""
        if self.mode == Mode.NONE:
            return f"NO SANDBOX ({self.problem})"
        line = self.mode.value
        if self.mode != Mode.CONTAINER:
            line += "; own network, processes, files and process count"
        if self.cgroup:
            line += "; a cgroup limits the memory of the whole submission"
        return line + (f"; not enforced: {', '.join(self.unenforced)}" if self.unenforced else "")


@cache
def protections() -> Protections:
    """Probe bubblewrap (and, as root, setpriv and cgroup v1) once: what can be enforced here."""
    root = running_as_root()
    if sys.platform != "linux" or shutil.which(BWRAP) is None:
        return Protections(Mode.NONE, False, "bubblewrap (bwrap) is not installed")
    if root and shutil.which(SETPRIV) is None:
        return Protections(Mode.NONE, False, "setpriv (util-linux) is not installed")
    probe = [BWRAP, *_namespaces(root), "--ro-bind", "/", "/", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, timeout=PROBE_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Protections(Mode.NONE, False, f"bwrap could not run: {error}")
    if result.returncode != 0:
        why = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
        return Protections(Mode.NONE, False, f"bwrap cannot make namespaces here: {why}")
    cgroup = root and _cgroup_usable()
    unenforced = [] if cgroup else [WATCHED_MEMORY]
    return Protections(Mode.ROOT if root else Mode.USER, cgroup, "", unenforced)


@cache
def container_protections(force: bool = False) -> Protections:
    """What :data:`CONTAINER_ISOLATION` gives here: refused but as root with ``setpriv``, and
    outside a container unless ``force``."""
    if not running_as_root():
        problem = "the container mode runs each kernel as a fresh user id: it needs root"
    elif shutil.which(SETPRIV) is None:
        problem = "setpriv (util-linux) is not installed"
    elif not (force or in_container()):
        problem = (
            f"this machine does not look like a container (no {' or '.join(CONTAINER_MARKS)}, "
            f"no container in /proc/1/cgroup): pass {FORCE_CONTAINER} if it is one"
        )
    else:
        return Protections(Mode.CONTAINER, False, "", list(CONTAINER_GIVES_UP))
    return Protections(Mode.NONE, False, problem)


def in_container() -> bool:
    """Whether this process looks like it runs in a container (Docker, Podman, Kubernetes)."""
    if any(os.path.exists(mark) for mark in CONTAINER_MARKS):
        return True
    try:
        groups = Path("/proc/1/cgroup").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(word in groups for word in CONTAINER_CGROUPS)


def others_may(path: Path, permission: int) -> bool:
    """Whether a user who owns nothing and is in no group (a fresh user id) has ``permission``
    (``stat.S_IROTH``, ``stat.S_IWOTH``) on ``path``: every folder above it lets others pass."""
    path = Path(os.path.realpath(path))
    folders_open = all(os.stat(folder).st_mode & stat.S_IXOTH for folder in path.parents)
    return folders_open and bool(os.stat(path).st_mode & permission)


def running_as_root() -> bool:
    return os.name == "posix" and os.geteuid() == 0


def describe() -> str:
    """How submissions are kept apart on this machine, in one line (``nnlib grade`` prints it)."""
    return protections().describe()


def describe_container() -> str:
    """Whether :data:`CONTAINER_ISOLATION` (Gradescope's) can be had here (``nnlib doctor``)."""
    found = container_protections()
    state = "available" if found.mode == Mode.CONTAINER else f"refused ({found.problem})"
    return f"{CONTAINER_ISOLATION} (Gradescope): {state}"


def refusal() -> str:
    """Why grading is refused without a sandbox, and what the instructor can do."""
    problem = protections().problem
    if running_as_root():
        return (
            f"no sandbox can be made on this machine ({problem}), and a learner's kernel never "
            f"runs as root: install bubblewrap (Debian: apt-get install bubblewrap)"
        )
    return (
        f"no sandbox can be made on this machine ({problem}): a submission could read and change "
        f"your files, reach the network and stop your processes. Install bubblewrap (Debian: "
        f"apt-get install bubblewrap), or pass {NO_ISOLATION} to grade only work you trust"
    )


def _namespaces(root: bool) -> list[str]:
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    common += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    return common if root else ["--unshare-user", "--disable-userns", *common]


def package_root() -> Path:
    """The folder that holds the ``nnlib`` package, which the kernel must be able to import."""
    return Path(__file__).resolve().parents[2]


def readable_paths() -> list[str]:
    """The folders (and files) the sandbox shows, read-only: the system's, Python's, nnlib's.

    Each path is given once: one inside another already shown is left out.
    """
    wanted = ["/usr", *SYSTEM_FILES, sys.base_prefix, sys.base_exec_prefix, sys.prefix]
    wanted += [sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    wanted += [str(package_root() / "nnlib"), os.environ.get("NNLIB_MNIST_DIR", "")]
    wanted += [str(Path(sys.executable).resolve().parent)]
    paths = sorted({os.path.realpath(p) for p in wanted if p and os.path.exists(p)}, key=len)
    kept: list[str] = []
    for path in paths:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return sorted(kept)


def bwrap_command(limits: Limits, uid: int | None, program: list[str] | None = None) -> list[str]:
    """The ``bwrap`` (and, as root, ``setpriv``) command that starts ``program`` (by default the
    worker) in a sandbox.

    ``uid`` is the fresh user id to run as (root), or None (a user namespace keeps the grader's).
    """
    command = [BWRAP, *_namespaces(uid is not None), "--as-pid-1", "--clearenv"]
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            command += ["--symlink", os.readlink(link), link]
    shown = readable_paths()
    # Mounts go from the outside in: /dev before /dev/shm (a new /dev would hide its private
    # tmpfs, leaving an unlimited one), the private /tmp before a course or venv kept under /tmp
    # (a CI clone), which is bound on top of it.
    command += ["--proc", "/proc", "--dev", "/dev"]
    for path in PRIVATE_TMPFS:
        command += ["--perms", "1777", "--size", str(limits.disk_mb * MIB), "--tmpfs", path]
    for folder in _ancestors(shown):  # bwrap would make them 0700: the submission's user must pass
        if folder not in PRIVATE_TMPFS:
            command += ["--perms", "0755", "--dir", folder]
    for path in shown:
        command += ["--ro-bind", path, path]
    command += ["--remount-ro", "/", "--hostname", "sandbox", "--chdir", SANDBOX_HOME]
    for name, value in {**_environment(), "HOME": SANDBOX_HOME}.items():
        command += ["--setenv", name, value]
    if uid is not None:
        command += ["--cap-add", "CAP_SETUID,CAP_SETGID,CAP_SETPCAP", "--", *as_user(uid)]
    return [*command, "--", *(program or _worker())]


def as_user(uid: int) -> list[str]:
    """The ``setpriv`` command that runs what follows it as ``uid`` (and group ``uid``), in no
    other group, with every capability dropped for good."""
    command = [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all"]
    return [*command, "--bounding-set=-all", "--no-new-privs"]


def _ancestors(paths: list[str]) -> list[str]:
    """The folders above ``paths`` that are not inside one of them, outermost first."""
    above = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    inside = [p for p in above if any(p.startswith(s.rstrip("/") + "/") or p == s for s in paths)]
    return sorted(above - set(inside), key=lambda p: (p.count("/"), p))


def _worker() -> list[str]:
    return [sys.executable, "-m", "nnlib.course.worker"]


def _environment() -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    return {**env, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(package_root())}


def fresh_uid() -> int:
    """A user id that no account and no other submission of this run has."""
    while True:
        uid = FIRST_UID + secrets.randbelow(LAST_UID - FIRST_UID)
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid


# ---- cgroups (v1, as root) ----


def _own_cgroup(controller: str) -> Path | None:
    """This process's cgroup folder for a v1 ``controller``, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


def _cgroup_usable() -> bool:
    try:
        group = Cgroup(Limits())
    except OSError:
        return False
    group.remove()
    return True


class Cgroup:
    """A cgroup (v1 ``memory`` and ``pids``) below the grader's own, for one submission."""

    def __init__(self, limits: Limits):
        self.folders: list[Path] = []
        name = f"nnlib-grade-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            for controller in CGROUP_CONTROLLERS:
                parent = _own_cgroup(controller)
                if parent is None:
                    raise OSError(f"no cgroup v1 {controller} controller")
                (parent / name).mkdir()
                self.folders.append(parent / name)
            memory, pids = self.folders
            (memory / "memory.limit_in_bytes").write_text(str(limits.memory_mb * MIB))
            (pids / "pids.max").write_text(str(limits.processes))
        except OSError:
            self.remove()
            raise

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started from inside this cgroup (so that nothing it forks escapes it)."""
        join = " && ".join(f"echo $$ > '{folder}/cgroup.procs'" for folder in self.folders)
        return ["/bin/sh", "-c", f'{join} && exec "$@"', "sh", *command]

    def went_over_memory(self) -> bool:
        """Whether the out-of-memory killer had to act in this cgroup."""
        try:
            control = (self.folders[0] / "memory.oom_control").read_text(encoding="ascii")
        except (OSError, IndexError):
            return False
        counts = dict(line.split() for line in control.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", "0")) > 0

    def remove(self) -> None:
        """Remove the cgroup once its (killed) processes have left it."""
        deadline = monotonic() + CGROUP_EMPTY_SECONDS
        for folder in self.folders:
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if monotonic() > deadline:
                        break
                    sleep(0.05)


# ---- one job ----


@dataclass
class CellLog:
    """How one cell ended, as the worker reported it (its text is the kernel's: untrusted)."""

    label: str
    status: CellStatus
    error_type: str = ""
    error: str = ""


@dataclass
class JobLog:
    """Everything the worker reported, and whether the machinery itself failed."""

    cells: list[CellLog] = field(default_factory=list)
    results: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (phase, task) -> file
    result_errors: dict[tuple[str, str], str] = field(default_factory=dict)
    stop: Stop | None = None
    finished: bool = False
    machinery: str = ""  # why the machinery failed (not the learner's fault); "" if it did not
    over_memory: bool = False

    def cell(self, label: str) -> CellLog | None:
        return next((cell for cell in self.cells if cell.label == label), None)


_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


def stop_all_jobs() -> None:
    """Kill every sandbox still running (when the grader itself is interrupted)."""
    with _running_lock:
        for process in list(_running):
            with contextlib.suppress(OSError):
                process.kill()


def run_job(job: dict, limits: Limits, found: Protections | None = None) -> JobLog:
    """Run ``job`` (from :func:`job_for`) in a fresh sandbox, as ``found`` (by default
    :func:`protections`) allows; return the worker's report.

    Never raises for a failure of the sandbox or the worker: :attr:`JobLog.machinery` says what
    went wrong, and the learner is not blamed for it.
    """
    found = found or protections()
    group = uid = base = env = None  # env: bwrap's --clearenv and --setenv make its own
    if found.mode in (Mode.NONE, Mode.CONTAINER):
        base = tempfile.mkdtemp(prefix="nnlib-grade-")
    if found.mode == Mode.NONE:
        command = _worker()
        env = {**os.environ, **_environment()}
        kernel_limits = {**job["kernel_limits"], "processes": None}  # counted per user: ours
        job = {**job, "kernel_limits": kernel_limits, "watch_memory": False}
    elif found.mode == Mode.CONTAINER:
        uid = fresh_uid()
        os.chown(base, uid, uid)
        command = [*as_user(uid), "--", *_worker()]
        env = {**_environment(), "HOME": base}
    else:
        uid = fresh_uid() if found.mode == Mode.ROOT else None
        command = bwrap_command(limits, uid)
        if found.cgroup:
            try:
                group = Cgroup(limits)
                command = group.wrap(command)
            except OSError as error:
                return JobLog(machinery=f"could not make the submission's cgroup: {error}")
    job = {**job, "base": base or SANDBOX_HOME}
    try:
        return _run(command, job, limits, group, env, base)
    finally:
        if found.mode == Mode.CONTAINER:
            _end_user(uid)
        if group is not None:
            group.remove()
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)


def _end_user(uid: int) -> None:
    """Kill every process of ``uid`` (a submission's own, in a container) and remove its files in
    ``/tmp``, ``/var/tmp`` and ``/dev/shm``: nothing of the submission outlives its grading."""
    kill_all = "import os, signal; os.kill(-1, signal.SIGKILL)"  # all of its user's but itself
    subprocess.run([*as_user(uid), "--", sys.executable, "-c", kill_all], capture_output=True)
    for folder in PRIVATE_TMPFS:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _run(command: list[str], job: dict, limits: Limits, group, env, cwd) -> JobLog:
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=env, cwd=cwd,
        )  # fmt: skip
    except OSError as error:
        return JobLog(machinery=f"the sandbox could not start: {error}")
    with _running_lock:
        _running.add(process)
    try:
        out, err = process.communicate(json.dumps(job).encode("utf-8"), timeout=limits.budget)
        timed_out = False
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        timed_out = True
    finally:
        with _running_lock:
            _running.discard(process)
    log = parse_report(out)
    log.over_memory |= group is not None and group.went_over_memory()
    if timed_out and not log.machinery:
        log.machinery = f"the sandbox did not finish within {limits.budget:g} s and was stopped"
    elif not log.finished and not log.machinery:
        tail = err[-STDERR_TAIL:].decode("utf-8", "replace").strip().splitlines()
        log.machinery = f"the worker stopped early (exit {process.returncode}): " + (
            tail[-1] if tail else "no message"
        )
    return log


def parse_report(out: bytes) -> JobLog:
    """The :class:`JobLog` from the worker's JSON lines (the worker is ours: any oddity is a
    machinery failure, though every text in it is still the kernel's, hence untrusted)."""
    log = JobLog()
    for line in out.splitlines():
        try:
            event = Event(**json.loads(line))
            if event.kind == "cell":
                log.cells.append(
                    CellLog(event.label, CellStatus(event.status), event.error_type, event.error)
                )
            elif event.kind == "results" and event.data:
                log.results[event.phase, event.label] = base64.b64decode(event.data)
            elif event.kind == "results":
                log.result_errors[event.phase, event.label] = event.error
            elif event.kind == "stop":
                log.stop = Stop(event.status)
                if log.stop == Stop.KERNEL_START:
                    log.machinery = f"the kernel did not start: {event.error}"
            elif event.kind == "memory":
                log.over_memory = True
            elif event.kind == "finished":
                log.finished = True
        except (ValueError, TypeError) as error:
            log.machinery = f"the worker's report could not be read: {error}"
            return log
    return log


def job_for(cells: list[dict], hidden_cells: list[dict], limits: Limits) -> dict:
    """The job a worker runs: cells ``{"label", "source"}`` or ``{"label", "task", "phase",
    "calls"}`` (a task's tests), in order; ``hidden_cells`` (the hidden tests) run after them."""
    kernel_limits = {
        "memory": limits.memory_mb * MIB,
        "file_size": limits.file_size_mb * MIB,
        "cpu_seconds": int(limits.budget),
        "processes": limits.processes,
    }
    return {
        "cells": cells,
        "hidden_cells": hidden_cells,
        "limits": asdict(limits),
        "kernel_limits": kernel_limits,
        "env": {},
        "watch_memory": True,  # every process the worker can measure is the submission's
    }
