"""The first process of a submission's sandbox: it starts the learner's kernel and drives it.

Part of the course's tools (started by ``nnlib.course.sandbox``); no chapter introduces it.

``python -m nnlib.course.worker`` reads its job (the cells to run, the limits, the test inputs)
from its standard input, starts the kernel (:mod:`nnlib.course.harness`), runs the cells one by
one with a time limit each, and reports how each ended as JSON lines, :class:`Event` by event,
on its standard output; the results files the kernel writes go back the same way. It never
judges anything: the grader does, in its own process.

**Why the kernel cannot lie about what happened.** In a sandbox the worker is process 1 of the
sandbox's process namespace (``bwrap --as-pid-1``): no process of the sandbox can kill it, not
even with ``kill(-1, SIGKILL)``. It makes itself non-dumpable, so the kernel (the same user) can
neither trace it nor open its files in ``/proc/1/fd``; the kernel's own output goes to
``/dev/null``, so only the worker writes to the grader. If the worker stops, everything in the
sandbox stops with it.

**Hidden tests** run after the notebook's last cell: only then does the worker write their
inputs into the kernel's folder. From that point on nothing the kernel says reaches a reader
except whether each hidden case passed and the type of what it raised.

**Memory** of the whole submission: the worker watches the memory of every process it can
measure, which are those of its sandbox, or of its user in a container (their proportional set
sizes; another user's cannot be read), every :data:`WATCH_SECONDS` and stops the largest while
the total is over :data:`WATCH_FRACTION` of the limit, as the kernel's out-of-memory killer
would, but before the system must evict pages to make room (which slows everything in the
sandbox to a crawl). Where the grader could make a cgroup, it is the hard stop at the limit.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import queue
import signal
import sys
import threading
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from time import monotonic

from nnlib.course import harness

KERNEL_FOLDER = "kernel"
WORK_FOLDER = "work"
WATCH_SECONDS = 0.05
WATCH_FRACTION = 0.9  # the watch acts first; a cgroup at the full limit is the hard stop
POLL_SECONDS = 0.1
PR_SET_DUMPABLE = 4
MIB = 2**20
KERNEL_ENVIRONMENT = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
    "MALLOC_ARENA_MAX": "2",
    "USER": "learner",
    "LOGNAME": "learner",
}


class CellStatus(str, Enum):
    """How one cell ended."""

    OK = "ok"
    ERROR = "error"  # it raised: a learner's bug
    TIMEOUT = "timeout"  # over its time, interrupted
    FLOOD = "flood"  # printed more than the cap, interrupted
    UNRESPONSIVE = "unresponsive"  # ignored the interrupt: the kernel was stopped
    DIED = "died"  # the kernel process ended
    MEMORY = "memory"  # the submission went over its memory limit: the kernel was stopped


STOPPING = (CellStatus.UNRESPONSIVE, CellStatus.DIED, CellStatus.MEMORY)


class Stop(str, Enum):
    """Why the worker stopped before the last cell."""

    KERNEL_START = "kernel-start"  # the kernel did not start (the machinery's fault)
    TIME_LIMIT = "time-limit"  # the notebook used up its total time
    KERNEL_ENDED = "kernel-ended"  # a cell ended the kernel (see the cell's status)


@dataclass(frozen=True)
class Event:
    """One line of the worker's report: a cell's end, a results file, a stop, or the end."""

    kind: str  # "cell", "results", "memory", "stop", "finished"
    label: str = ""
    status: str = ""
    error_type: str = ""
    error: str = ""
    phase: str = ""
    data: str = ""  # base64 of a results file


class Reporter:
    """Writes events, one JSON line each, to the grader (thread-safe: the watchdog reports too)."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self.lock:
            self.stream.write(json.dumps(asdict(event)) + "\n")
            self.stream.flush()


def _protect_self() -> None:
    """Non-dumpable: the kernel, though the same user, cannot trace this process or open its fds."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _reporter() -> Reporter:
    """The grader's channel is standard output; from now on fd 1 itself is /dev/null."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return Reporter(channel)


def main() -> None:
    _protect_self()
    report = _reporter()
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    run(job, report)


class Kernel:
    """One Jupyter kernel of the submission, started by :mod:`nnlib.course.harness`, and its client.

    Raises whatever ``jupyter_client`` raises when the kernel does not start.
    """

    def __init__(self, job: dict, base: Path, report: Reporter):
        from jupyter_client import KernelManager

        launcher = [sys.executable, "-m", "nnlib.course.harness", json.dumps(job["kernel_limits"])]

        class Manager(KernelManager):
            def format_kernel_cmd(self, extra_arguments=None):
                return [*launcher, "-f", str(self.connection_file)]

        work, home = base / WORK_FOLDER, base / "home"
        env = {**KERNEL_ENVIRONMENT, **job["env"], "HOME": str(home), "TMPDIR": str(work)}
        env.update(IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home))
        self.limits = job["limits"]
        self.manager = Manager(transport="ipc", ip=str(base / KERNEL_FOLDER / "ipc"))
        self.manager.connection_file = str(base / KERNEL_FOLDER / "connection.json")
        self.stopped, self.done = threading.Event(), threading.Event()
        self.client = None
        start_timeout = self.limits["start_timeout"]
        deadline = monotonic() + start_timeout
        try:
            self.manager.start_kernel(
                cwd=str(work), env=env, stdout=_null(), stderr=_null(), stdin=_null()
            )
            self.client = self.manager.blocking_client()
            self.client.start_channels()
            # jupyter_client waits a second for the first reply whatever the timeout: check it here
            self.client.wait_for_ready(timeout=max(deadline - monotonic(), 0))
            if monotonic() > deadline:
                raise TimeoutError(f"the kernel took more than {start_timeout:g} s to start")
        except Exception:
            self.stop()
            raise
        if job["watch_memory"]:
            pid = self.manager.provisioner.process.pid
            watched = int(self.limits["memory_mb"] * MIB * WATCH_FRACTION)
            watch = (watched, pid, self.stopped, self.done, report)
            threading.Thread(target=_watch_memory, args=watch, daemon=True).start()

    def run(self, source: str, timeout: float) -> tuple[CellStatus, str, str]:
        return run_cell(self.manager, self.client, source, timeout, self.limits, self.stopped)

    def stop(self) -> None:
        self.done.set()
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.stop_channels()
            self.manager.shutdown_kernel(now=True)


def run(job: dict, report: Reporter) -> None:
    """Run ``job`` (see :func:`nnlib.course.sandbox.job_for`) and report every step.

    The notebook's cells run first, each task's visible tests in place of its check cell. Then
    the hidden tests: in the same kernel, or, if a cell ended that kernel, in a fresh one that
    reruns the learner's cells before that cell (quietly) and tests only the tasks whose visible
    tests had run, as they would have been had the kernel lived.
    """
    base = Path(job["base"])
    work = base / WORK_FOLDER
    for folder in (work, base / KERNEL_FOLDER, base / "home"):
        folder.mkdir(parents=True, exist_ok=True)
    deadline = monotonic() + job["limits"]["total_timeout"]
    try:
        kernel = Kernel(job, base, report)
    except Exception as error:  # the machinery failed before any of the learner's code ran
        report(
            Event("stop", status=Stop.KERNEL_START.value, error=f"{type(error).__name__}: {error}")
        )
        report(Event("finished"))
        return
    cells, hidden = job["cells"], job["hidden_cells"]
    ended = _run_cells(kernel, cells, deadline, work, report)
    if ended is not None and ended < len(cells):
        kernel.stop()
        tested = {cell.get("task") for cell in cells[:ended] if cell.get("task")}
        hidden = [cell for cell in hidden if cell["task"] in tested]
        kernel = _fresh_kernel(job, base, report)
        if kernel is not None and hidden:
            again = [cell for cell in cells[:ended] if not cell.get("task")]
            if _run_cells(kernel, again, deadline, work, report, quiet=True) is not None:
                hidden = []
    if kernel is not None and hidden and (ended is None or ended < len(cells)):
        _run_cells(kernel, hidden, deadline, work, report)
    if kernel is not None:
        kernel.stop()
    report(Event("finished"))


def _fresh_kernel(job: dict, base: Path, report: Reporter) -> Kernel | None:
    try:
        return Kernel(job, base, report)
    except Exception:  # no hidden tests then: the grader says the kernel had ended
        return None


def _run_cells(
    kernel: Kernel, cells: list[dict], deadline: float, work: Path, report: Reporter, quiet=False
) -> int | None:
    """Run ``cells``; report each (unless ``quiet``). Return the index of the cell that ended the
    kernel, ``len(cells)`` if the time ran out, or None."""
    limits = kernel.limits
    for number, cell in enumerate(cells):
        remaining = deadline - monotonic()
        if remaining <= 0:
            if not quiet:
                report(Event("stop", status=Stop.TIME_LIMIT.value))
            return len(cells)
        source = cell.get("source") or _call_source(cell, work)
        status, error_type, error = kernel.run(source, min(limits["cell_timeout"], remaining))
        if status not in STOPPING and quiet:
            continue
        if not quiet:
            report(Event("cell", cell["label"], status.value, error_type, error))
        if cell.get("task") and status == CellStatus.OK:
            _send_results(report, work, cell["phase"], cell["task"], limits["file_size_mb"] * MIB)
        if status in STOPPING:
            if not quiet:
                report(Event("stop", status=Stop.KERNEL_ENDED.value))
            return number
    return None


def _call_source(cell: dict, work: Path) -> str:
    """The code that calls a task's function on its cases (see ``harness.call_task``)."""
    task, calls, phase = cell["task"], cell["calls"], cell["phase"]
    call = f"call_task({task!r}, {calls!r}, folder={str(work)!r}, phase={phase!r})"
    return f'__import__("nnlib.course.harness", fromlist=["call_task"]).{call}'


def _null():
    import subprocess

    return subprocess.DEVNULL


def _send_results(report: Reporter, work: Path, phase: str, task: str, max_bytes: int) -> None:
    """Send the results file of ``task`` (at most ``max_bytes``); a missing one sends nothing."""
    try:
        data = harness.read_capped(harness.results_path(work, phase, task), max_bytes)
    except (OSError, ValueError) as error:
        report(Event("results", task, phase=phase, error=f"{type(error).__name__}: {error}"))
        return
    report(Event("results", task, phase=phase, data=base64.b64encode(data).decode("ascii")))


def run_cell(manager, client, source: str, timeout: float, limits: dict, stopped) -> tuple:
    """Execute one cell; return ``(CellStatus, error type, error message)``.

    The cell is over when the kernel's reply arrives on the shell channel (a reliable one: a
    flood of output can make the kernel drop messages on the IOPub channel, never replies).
    After ``timeout`` seconds, or once the cell has printed more than the output cap, the kernel
    is interrupted; if it has not replied ``limits["grace"]`` seconds later it is unresponsive.
    """
    message_id = client.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
    deadline = monotonic() + timeout
    status, printed = CellStatus.OK, 0
    while True:
        flooding = printed > limits["output_mb"] * MIB and status == CellStatus.OK
        if monotonic() > deadline or flooding:
            if status != CellStatus.OK:
                return CellStatus.UNRESPONSIVE, "", ""
            status = CellStatus.FLOOD if flooding else CellStatus.TIMEOUT
            manager.interrupt_kernel()
            deadline = monotonic() + limits["grace"]
        printed += _drain_output(client, message_id)
        try:
            reply = client.get_shell_msg(timeout=POLL_SECONDS)
        except queue.Empty:
            if not manager.is_alive():
                return (CellStatus.MEMORY if stopped.is_set() else CellStatus.DIED), "", ""
            continue
        content = reply["content"]
        if reply["parent_header"].get("msg_id") != message_id:
            continue
        if content.get("status") == "error" and status == CellStatus.OK:
            return CellStatus.ERROR, str(content.get("ename", "")), str(content.get("evalue", ""))
        return status, "", ""


def _drain_output(client, message_id: str) -> int:
    """Read what the kernel has printed so far (and drop it); return how many characters."""
    printed = 0
    while client.iopub_channel.msg_ready():
        message = client.get_iopub_msg(timeout=0)
        if message["parent_header"].get("msg_id") == message_id:
            content = message["content"]
            printed += len(str(content.get("text") or content.get("data") or ""))
    return printed


def _memory_of(pid: str) -> int:
    """The proportional set size of process ``pid`` in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as file:
            for line in file:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _watch_memory(
    limit: int, kernel: int, stopped: threading.Event, done: threading.Event, report: Reporter
) -> None:
    """While the sandbox's processes use more than ``limit`` bytes together, kill the largest.

    Reports each kill; sets ``stopped`` when the largest was the kernel (pid ``kernel``), so that
    its cell reports ``memory``.
    """
    me = str(os.getpid())
    while not done.wait(WATCH_SECONDS):
        sizes = {pid: _memory_of(pid) for pid in os.listdir("/proc") if pid.isdigit() and pid != me}
        if sum(sizes.values()) > limit:
            largest = int(max(sizes, key=sizes.__getitem__))
            if largest == kernel:
                stopped.set()
            with contextlib.suppress(OSError):
                os.kill(largest, signal.SIGKILL)
                report(Event("memory"))


if __name__ == "__main__":
    main()
