"""Run a learner's notebook cells in a locked-down Jupyter kernel: time, memory, files, network.

Part of the course's tools (used by ``nnlib.course.grade``); no chapter introduces it.

Three processes take part. The grader writes a job folder (:func:`write_job`) and starts a
*worker* for it (:func:`run_job`); the worker starts the learner's *kernel*, sends it the cells one
by one, each with a time limit, and logs how each ended; the kernel is started by
``python -m nnlib.course.sandbox kernel``, which sets resource limits and drops privileges before
ipykernel runs a line of the learner's code.

What keeps a submission in its box, from strongest to weakest, as the platform allows:

- **namespaces** (root on Linux, where ``unshare`` works): the worker and its kernel get their own
  network (none), process-id, mount and IPC namespaces. Killing the worker ends every process the
  learner started; the instructor's source, the submissions and the output folder are hidden.
- **an unprivileged user** (whenever the grader runs as root): the kernel runs as ``nobody``, so it
  cannot write the grader's files or read those only the grader may read.
- **limits** (POSIX): address space (``RLIMIT_AS``), file size, CPU time and core dumps; wall-clock
  time per cell and per notebook, and a cap on printed output, enforced by the worker.
- **a Python-level network guard** where there is no network namespace: sockets for IPv4/IPv6 and
  name look-ups raise. Code that goes around Python (ctypes) is not stopped by it.

The kernel talks to the worker over Unix sockets (ZeroMQ ``ipc``), so it needs no network at all.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import json
import os
import queue
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from time import monotonic

JOB = "job.json"
WORK = "work"
LOG = "log.json"
WORKER_LOG = "worker.log"
NAMESPACES = [
    "unshare", "--net", "--pid", "--mount", "--ipc", "--uts", "--fork", "--kill-child",
    "--mount-proc", "--",
]  # fmt: skip
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PASSED_VARIABLES = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "NNLIB_MNIST_DIR")


@dataclass(frozen=True)
class Limits:
    """What one submission may use.

    Parameters
    ----------
    cell_timeout : float
        Seconds of wall-clock time per cell (the learner's cells and each task's tests).
    total_timeout : float
        Seconds for the whole notebook, kernel start-up excluded.
    memory_mb : int
        The kernel's address-space limit (``RLIMIT_AS``), in MiB.
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
    file_size_mb: int = 64
    output_mb: float = 10.0
    grace: float = 3.0
    start_timeout: float = 60.0


@cache
def isolation() -> str:
    """``"namespaces"`` where the worker can be put in its own namespaces, else ``"limits"``."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return "limits"
    probe = subprocess.run([*NAMESPACES, "true"], capture_output=True, timeout=30, check=False)
    return "namespaces" if probe.returncode == 0 else "limits"


def package_root() -> Path:
    """The folder that holds the ``nnlib`` package, which the kernel must be able to import."""
    return Path(__file__).resolve().parents[2]


def blocked_folders() -> dict[str, list[str]]:
    """Folders on the way to Python or nnlib that other users may not enter, with the way on.

    A Python installed under ``/root`` (mode 700) is one: ``{"/root": [".pyenv"]}``. An
    unprivileged kernel could not import anything more from there, unless the worker first makes
    the way through in its own mount namespace (:func:`_make_reachable`).
    """
    needed = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, package_root()}
    blocked: dict[str, set[str]] = {}
    for path in needed:
        parts = Path(path).resolve().parts
        for depth in range(1, len(parts)):
            folder = str(Path(*parts[:depth]))
            with contextlib.suppress(OSError):
                if not os.stat(folder).st_mode & stat.S_IXOTH:
                    blocked.setdefault(folder, set()).add(parts[depth])
    return {folder: sorted(children) for folder, children in sorted(blocked.items())}


def describe() -> str:
    """How submissions are kept apart on this machine, in one line (``nnlib grade`` prints it)."""
    user = "as nobody" if unprivileged_user() else "as the grader's own user"
    if isolation() == "namespaces":
        return f"own network, process and mount namespaces, kernels run {user}"
    return (
        f"resource limits and a Python network guard only, kernels run {user}; kernels graded "
        f"at the same time could see each other: use -j 1 for a class you do not trust"
    )


@cache
def unprivileged_user() -> tuple[int, int] | None:
    """The (uid, gid) the kernel runs as: ``nobody`` when the grader runs as root, else None.

    None too when ``nobody`` could not reach Python and nnlib (see :func:`blocked_folders`) and
    there is no mount namespace to open the way: then the kernel keeps the grader's user.
    """
    if os.name != "posix" or os.geteuid() != 0:
        return None
    if blocked_folders() and isolation() != "namespaces":
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def kernel_environment(workdir: Path) -> dict[str, str]:
    """A small, fixed environment for the kernel: nothing of the grader's leaks into it."""
    env = {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    env.update({name: "1" for name in THREAD_VARIABLES})
    env.update(
        HOME=str(workdir),
        TMPDIR=str(workdir),
        PYTHONPATH=str(package_root()),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(workdir / ".matplotlib"),
        IPYTHONDIR=str(workdir / ".ipython"),
        MALLOC_ARENA_MAX="2",
    )
    return env


def write_job(job_dir: Path, cells: list[dict], limits: Limits, hide: list[str]) -> Path:
    """Lay out a job folder for :func:`run_job` and return the kernel's working folder.

    ``cells`` are ``{"label": ..., "source": ...}`` in the order to run. The grader puts the
    kernel's input files (the test arguments) in the returned folder before running the job.
    ``hide`` lists paths to make unreadable to the kernel (where namespaces allow).
    """
    workdir, kernel_dir = job_dir / WORK, job_dir / "kernel"
    workdir.mkdir()
    kernel_dir.mkdir()
    user = unprivileged_user()
    job = {
        "cells": cells,
        "limits": asdict(limits),
        "hide": hide if isolation() == "namespaces" else [],
        "reach": blocked_folders() if isolation() == "namespaces" and user else {},
        "workdir": str(workdir),
        "env": kernel_environment(workdir),
        "user": list(user) if user else None,
        "block_network": isolation() != "namespaces",
    }
    (job_dir / JOB).write_text(json.dumps(job), encoding="utf-8")
    os.chmod(job_dir, 0o711)
    if user:
        for folder in (workdir, kernel_dir):
            os.chown(folder, *user)
    return workdir


_running: set[subprocess.Popen] = set()


def stop_all_jobs() -> None:
    """Kill every worker still running (when the grader itself is interrupted)."""
    for process in list(_running):
        _kill(process)


def _kill(process: subprocess.Popen) -> None:
    """Kill a worker and its process group: with namespaces, that ends everything it started;
    without, its kernel (in a session of its own) notices that its parent is gone and exits."""
    with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


def run_job(job_dir: Path, limits: Limits) -> dict:
    """Run the job in ``job_dir`` in a worker process; return its log, however it ended.

    The log is ``{"cells": [{"label", "status", "error"}...], "stopped": why it stopped early
    or "", ...}``; a cell's status is ``ok``, ``error``, ``timeout``, ``flood``, ``unresponsive``
    or ``died``. A worker that outlives its time is killed with everything it started.
    """
    command = [sys.executable, "-m", "nnlib.course.sandbox", "worker", str(job_dir)]
    if isolation() == "namespaces":
        command = [*NAMESPACES, *command]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(package_root()), os.environ.get("PYTHONPATH")])
        ),
    }
    budget = limits.total_timeout + limits.start_timeout + 2 * limits.grace + 15
    with open(job_dir / WORKER_LOG, "wb") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    _running.add(process)
    try:
        process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        pass
    finally:
        _kill(process)
        process.wait()
        _running.discard(process)
    log = read_log(job_dir)
    if not log.get("finished") and not log.get("stopped"):
        log["stopped"] = "the grading process was stopped: " + _tail(job_dir / WORKER_LOG)
    return log


def _tail(path: Path, size: int = 1000) -> str:
    try:
        with open(path, "rb") as file:
            file.seek(max(0, os.fstat(file.fileno()).st_size - size))
            text = file.read().decode("utf-8", "replace").strip()
    except OSError:
        return "no output"
    return text.splitlines()[-1] if text else "no output"


def read_log(job_dir: Path) -> dict:
    """The worker's log, or an empty one when it is missing or unreadable."""
    try:
        log = json.loads((job_dir / LOG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"cells": [], "stopped": ""}
    if not isinstance(log, dict) or not isinstance(log.get("cells"), list):
        return {"cells": [], "stopped": ""}
    return log


def _write_log(job_dir: Path, log: dict) -> None:
    temporary = job_dir / f".{LOG}.tmp"
    temporary.write_text(json.dumps(log), encoding="utf-8")
    os.replace(temporary, job_dir / LOG)


def _mount(*arguments: str) -> None:
    subprocess.run(["mount", *arguments], capture_output=True, check=False)


def _make_reachable(blocked: dict[str, list[str]], job_dir: Path) -> None:
    """Inside the worker's mount namespace: cover each blocked folder with an empty, enterable
    one that holds only the ways on, bound back from the originals (nothing else shows)."""
    for index, (folder, children) in enumerate(blocked.items()):
        kept = []
        for child in children:
            keep = job_dir / "reach" / f"{index}-{child}"
            keep.mkdir(parents=True)
            _mount("--bind", os.path.join(folder, child), str(keep))
            kept.append((child, keep))
        _mount("-t", "tmpfs", "-o", "mode=755", "reach", folder)
        for child, keep in kept:
            os.mkdir(os.path.join(folder, child))
            _mount("--bind", str(keep), os.path.join(folder, child))


def _hide(path: str) -> None:
    """Inside the worker's mount namespace: make ``path`` read as empty to the kernel."""
    if os.path.isdir(path):
        _mount("-t", "tmpfs", "-o", "ro,size=4k,mode=000", "hidden", path)
    else:
        _mount("--bind", "/dev/null", path)


def worker(job_dir: Path) -> None:
    """Start the kernel, run the job's cells in order, and log how each one ended."""
    from jupyter_client import KernelManager

    class SandboxKernelManager(KernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return [*launcher, "-f", os.path.realpath(self.connection_file)]

    job = json.loads((job_dir / JOB).read_text(encoding="utf-8"))
    limits = Limits(**job["limits"])
    log: dict = {"cells": [], "stopped": "", "finished": False}
    _make_reachable(job["reach"], job_dir)
    for path in job["hide"]:
        _hide(path)
    launcher = [sys.executable, "-m", "nnlib.course.sandbox", "kernel", json.dumps(_launch(job))]
    transport = "ipc" if os.name == "posix" else "tcp"
    ip = str(job_dir / "kernel" / "ipc") if transport == "ipc" else "127.0.0.1"
    manager = SandboxKernelManager(transport=transport, ip=ip)
    manager.connection_file = str(job_dir / "kernel" / "connection.json")
    try:
        manager.start_kernel(cwd=job["workdir"], env=job["env"])
        client = manager.blocking_client()
        client.start_channels()
        client.wait_for_ready(timeout=limits.start_timeout)
    except Exception as error:
        log["stopped"] = f"the kernel did not start: {error}"
        _write_log(job_dir, log)
        with contextlib.suppress(Exception):
            manager.shutdown_kernel(now=True)
        return
    deadline = monotonic() + limits.total_timeout
    for cell in job["cells"]:
        remaining = deadline - monotonic()
        if remaining <= 0:
            log["stopped"] = "time-limit"
            break
        outcome = run_cell(
            manager, client, cell["source"], min(limits.cell_timeout, remaining), limits
        )
        log["cells"].append({"label": cell["label"], **outcome})
        _write_log(job_dir, log)
        if outcome["status"] in ("died", "unresponsive"):
            log["stopped"] = outcome["status"]
            break
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    log["finished"] = True
    _write_log(job_dir, log)


def _launch(job: dict) -> dict:
    limits = Limits(**job["limits"])
    return {
        "memory": limits.memory_mb * 2**20,
        "file_size": limits.file_size_mb * 2**20,
        "cpu_seconds": int(limits.total_timeout + limits.start_timeout + 10),
        "user": job["user"],
        "block_network": job["block_network"],
    }


def run_cell(manager, client, source: str, timeout: float, limits: Limits) -> dict:
    """Execute one cell; return ``{"status": ..., "error": "Name: message"}``.

    The cell is over when the kernel's reply arrives on the shell channel (a reliable one: a
    flood of output can make the kernel drop messages on the IOPub channel, never replies).
    After ``timeout`` seconds, or once the cell has printed more than the output cap, the kernel
    is interrupted; if it has not replied ``limits.grace`` seconds later it is unresponsive.
    """
    message_id = client.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
    deadline = monotonic() + timeout
    status, printed = "ok", 0
    while True:
        flooding = printed > limits.output_mb * 2**20 and status == "ok"
        if monotonic() > deadline or flooding:
            if status != "ok":
                return {"status": "unresponsive", "error": ""}
            status = "flood" if flooding else "timeout"
            manager.interrupt_kernel()
            deadline = monotonic() + limits.grace
        printed += _drain_output(client, message_id)
        try:
            reply = client.get_shell_msg(timeout=0.1)
        except queue.Empty:
            if not manager.is_alive():
                return {"status": "died", "error": ""}
            continue
        content = reply["content"]
        if reply["parent_header"].get("msg_id") != message_id:
            continue
        if content.get("status") == "error" and status == "ok":
            name, message = content.get("ename", "Error"), content.get("evalue", "")
            return {"status": "error", "error": f"{name}: {message}" if message else name}
        return {"status": status, "error": ""}


def _drain_output(client, message_id: str) -> int:
    """Read what the kernel has printed so far (and drop it); return how many characters."""
    printed = 0
    while client.iopub_channel.msg_ready():
        message = client.get_iopub_msg(timeout=0)
        if message["parent_header"].get("msg_id") == message_id:
            content = message["content"]
            printed += len(str(content.get("text") or content.get("data") or ""))
    return printed


def launch_kernel(options: dict, ipykernel_args: list[str]) -> None:
    """Set the limits, drop privileges, block the network if asked, then become the kernel."""
    _set_limits(options)
    user = options.get("user")
    if user:
        uid, gid = user
        for argument, following in zip(ipykernel_args, ipykernel_args[1:], strict=False):
            if argument == "-f":
                os.chown(following, uid, gid)
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    _no_new_privileges()
    if options.get("block_network"):
        block_network()
    from ipykernel.kernelapp import launch_new_instance

    sys.argv = ["nnlib-sandbox-kernel", *ipykernel_args, "--HistoryManager.enabled=False"]
    launch_new_instance()


def _set_limits(options: dict) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the wall-clock limits apply
        return
    wanted = {
        "RLIMIT_AS": options["memory"],
        "RLIMIT_FSIZE": options["file_size"],
        "RLIMIT_CPU": options["cpu_seconds"],
        "RLIMIT_CORE": 0,
    }
    if options.get("user"):
        wanted["RLIMIT_NPROC"] = 512
    for name, value in wanted.items():
        with contextlib.suppress(AttributeError, ValueError, OSError):
            resource.setrlimit(getattr(resource, name), (value, value))


def _no_new_privileges() -> None:
    """Linux: no set-user-ID program may give the kernel back the privileges it dropped."""
    if sys.platform != "linux":
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS


def block_network() -> None:
    """Make IPv4/IPv6 sockets and name look-ups raise in this process (a best effort)."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "there is no network while grading")

    class NoInternetSocket(socket.socket):
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if fileno is None and family in (-1, socket.AF_INET, socket.AF_INET6):
                refuse()
            super().__init__(family, type, proto, fileno)

    socket.socket = NoInternetSocket
    socket.getaddrinfo = socket.gethostbyname = socket.gethostbyname_ex = refuse
    socket.create_connection = refuse


@cache
def _jobs_root() -> Path:
    """This run's folder of job folders: others may enter it but not list it, so a kernel knows
    the way to its own job folder (its working folder) and to no one else's."""
    root = Path(tempfile.mkdtemp(prefix="nnlib-grade-"))
    os.chmod(root, 0o711)
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def new_job_dir() -> Path:
    """A fresh job folder, with a random name, in the system's temporary folder."""
    return Path(tempfile.mkdtemp(prefix="job-", dir=_jobs_root()))


def main(argv: list[str]) -> None:
    if argv[:1] == ["worker"]:
        worker(Path(argv[1]))
    elif argv[:1] == ["kernel"]:
        launch_kernel(json.loads(argv[1]), argv[2:])
    else:
        raise SystemExit("usage: python -m nnlib.course.sandbox worker JOB | kernel OPTIONS ARGS")


if __name__ == "__main__":
    main(sys.argv[1:])
