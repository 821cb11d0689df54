"""The sandbox a submission runs in: bubblewrap as it is on this machine, really run."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT
from nnlib.course import sandbox

PROBE = """
import json, os, socket, subprocess
import nnlib, numpy
seen = {p: os.path.exists(p) for p in PATHS}
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    network = True
except OSError:
    network = False
try:
    open(os.path.join(os.path.dirname(nnlib.__file__), "planted.py"), "w")
    writable = True
except OSError:
    writable = False
disks = {}
for folder in ["/tmp", "/var/tmp", "/dev/shm"]:
    with open(os.path.join(folder, "fill"), "wb") as file:
        try:
            for _ in range(64):
                file.write(b"x" * 2**20)
        except OSError:
            pass
    disks[folder] = os.path.getsize(os.path.join(folder, "fill"))
print(json.dumps({"uid": os.getuid(), "pid": os.getpid(), "seen": seen, "network": network,
                  "writable": writable, "disks": disks,
                  "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}))
"""

needs_sandbox = pytest.mark.skipif(
    sandbox.protections().mode == sandbox.Mode.NONE, reason=sandbox.protections().problem
)


def _probe(hidden: list[str]) -> dict:
    import json

    limits = sandbox.Limits(disk_mb=8)
    uid = sandbox.fresh_uid() if sandbox.protections().mode == sandbox.Mode.ROOT else None
    code = f"PATHS = {hidden!r}\n{PROBE}"
    command = sandbox.bwrap_command(limits, uid, [sys.executable, "-c", code])
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_sandbox
def test_a_sandbox_shows_only_python_numpy_and_nnlib_and_keeps_everything_in():
    hidden = [
        str(ROOT / ".git"),
        str(ROOT / "exercises"),
        str(ROOT / "README.md"),
        "/home",
        "/etc/passwd",
    ]
    found = _probe(hidden)
    assert found["uid"] != 0 and found["pid"] == 1 and found["processes"] == [1]
    assert found["seen"] == dict.fromkeys(hidden, False)
    assert not found["network"] and not found["writable"]
    assert all(0 < size <= 8 * 2**20 for size in found["disks"].values()), found["disks"]


@needs_sandbox
def test_a_course_kept_under_tmp_is_shown_and_every_private_disk_still_limited(monkeypatch):
    """A CI clone lives under /tmp: it is bound on top of the private /tmp, and /dev/shm, under
    the sandbox's own /dev, keeps its size limit."""
    shown = sandbox.readable_paths()
    with tempfile.TemporaryDirectory() as clone:
        os.chmod(clone, 0o755)
        Path(clone, "README.md").write_text("the course", encoding="utf-8")
        monkeypatch.setattr(sandbox, "readable_paths", lambda: sorted([*shown, clone]))
        found = _probe([f"{clone}/README.md"])
    assert found["seen"] == {f"{clone}/README.md": True}
    assert all(0 < size <= 8 * 2**20 for size in found["disks"].values()), found["disks"]


def test_readable_paths_hold_nnlib_but_not_the_course_around_it():
    paths = sandbox.readable_paths()
    assert any((ROOT / "nnlib").is_relative_to(path) for path in paths)
    assert str(ROOT) not in paths and str(ROOT / ".git") not in paths


def test_limits_are_checked_up_front():
    with pytest.raises(ValueError, match="memory_mb must be positive, not 0"):
        sandbox.Limits(memory_mb=0)


def test_the_one_line_says_what_is_not_enforced():
    found = sandbox.protections()
    line = sandbox.describe()
    assert line.startswith(found.mode.value if found.mode != sandbox.Mode.NONE else "NO SANDBOX")
    assert ("not enforced" in line) == bool(found.unenforced)


@pytest.mark.skipif(not sandbox.protections().cgroup, reason="no cgroup v1 as root here")
def test_a_cgroup_limits_the_memory_of_all_processes_together():
    group = sandbox.Cgroup(sandbox.Limits(memory_mb=200, processes=8))
    try:
        hold = "b = b'x' * (150 * 2**20); import time; time.sleep(2)"
        start = f"subprocess.Popen([sys.executable, '-c', {hold!r}])"
        script = f"import subprocess, sys; [p.wait() for p in [{start} for _ in range(2)]]"
        done = subprocess.run(group.wrap([sys.executable, "-c", script]), timeout=120)
        assert done.returncode == 0
        assert group.went_over_memory()
    finally:
        group.remove()
    assert not any(Path(folder).exists() for folder in group.folders)
