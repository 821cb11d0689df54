"""Adversarial submissions to exercise 01, built by code from its student version.

Each :class:`Attack` writes one learner's submission into a folder and says exactly what it must
score, task by task, and which status flags the grader must raise. ``tests/test_grade.py`` grades
them all in one run; ``benchmarks/bench_grading.py`` times a class of them.

The exercise is graded with the hidden tests of :data:`HIDDEN` added to its source, so that every
task but ``nand_weights`` has one hidden case: a learner who copies the visible answers (which
ship with nnlib) still loses the hidden ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nnlib.course.exercise import grade_id
from nnlib.course.release import render, student_notebook
from nnlib.course.verdicts import Flag

ROOT = Path(__file__).resolve().parents[2]
EX01 = ROOT / "exercises" / "source" / "ex01_single_neuron.ipynb"
TASKS = ("weighted_sum", "predict_batch", "nand_weights", "perceptron_update")
POINTS = (1, 1, 1, 2)
SECRET_VARIABLE = "NNLIB_GRADER_SECRET"

# One hidden case per task (none for nand_weights), each worked by hand:
HIDDEN = {
    # 2*1 + (-1)*1 + 0.5*2 - 0.5 = 1.5
    "weighted_sum": "Case(dict(x=np.array([2.0, -1.0, 0.5]), w=np.array([1.0, 1.0, 2.0]), "
    "b=-0.5), expected=1.5)",
    # z = (2 - 0 - 1, 0 - 2 - 1, -1 + 1 - 1) = (1, -3, -1) -> (1, 0, 0)
    "predict_batch": "Case(dict(X=np.array([[2.0, 0.0], [0.0, 2.0], [-1.0, -1.0]]), "
    "w=np.array([1.0, -1.0]), b=-1.0), expected=np.array([1.0, 0.0, 0.0]))",
    # z = -0.5 - 0.5 = -1 -> y_hat = 0, error = 1: w + 0.1*(-1, -1) = (0.4, 0.4), b = 0.1
    "perceptron_update": "Case(dict(w=np.array([0.5, 0.5]), b=0.0, x=np.array([-1.0, -1.0]), "
    "y=1, learning_rate=0.1), expected=(np.array([0.4, 0.4]), 0.1))",
}


def hidden_source(folder: Path) -> Path:
    """Exercise 01's source with :data:`HIDDEN` in its check cells, written into ``folder``."""
    nb = nbformat.read(EX01, as_version=4)
    for cell in nb.cells:
        task = cell.metadata.get("nnlib", {}).get("task")
        if cell.metadata.get("nnlib", {}).get("role") == "check" and task in HIDDEN:
            cell.source += (
                "\n### BEGIN HIDDEN TESTS\nfrom nnlib.course.selfcheck import Case\n"
                f'check("{task}", cases=[{HIDDEN[task]}])\n### END HIDDEN TESTS'
            )
    path = folder / EX01.name
    path.write_text(render(nb), encoding="utf-8")
    return path


def solutions() -> dict[str, str]:
    """The source's own (correct) solution cell of every task."""
    nb = nbformat.read(EX01, as_version=4)
    return {
        c.metadata["nnlib"]["task"]: c.source
        for c in nb.cells
        if c.metadata.get("nnlib", {}).get("role") == "solution"
    }


def student() -> nbformat.NotebookNode:
    """A fresh copy of the student version (every task not done)."""
    return student_notebook(nbformat.read(EX01, as_version=4))


def filled(code: dict[str, str]) -> nbformat.NotebookNode:
    """The student version with the solution cells of the tasks in ``code`` replaced."""
    nb = student()
    for cell in nb.cells:
        if grade_id(cell.metadata) in code:
            cell.source = code[grade_id(cell.metadata)]
    return nb


def right(**wrong: str) -> nbformat.NotebookNode:
    """Every task right, except those given (task=code)."""
    return filled({**solutions(), **wrong})


@dataclass(frozen=True)
class Context:
    """What an attack may know: the instructor's files, and a port that must stay unreached."""

    source: Path
    out_dir: Path
    port: int


@dataclass(frozen=True)
class Attack:
    """A submission, the score it must get for each task, and the flags its status must hold.

    ``file`` is where it is written in the class folder (default ``<name>.ipynb``) and ``row``
    the gradebook row it must get (default ``name``). ``link`` makes it a symbolic link to what
    ``link(context)`` returns instead. ``isolation`` marks the attacks on the sandbox itself,
    graded a second time by an ordinary user.
    """

    name: str
    build: Callable[[Context], nbformat.NotebookNode | bytes]
    scores: tuple[float, ...]
    flags: frozenset[str] = field(default_factory=frozenset)
    file: str = ""
    row: str = ""
    link: Callable[[Context], Path] | None = None
    isolation: bool = False
    maybe: frozenset[str] = field(default_factory=frozenset)  # flags that may hold as well

    @property
    def learner(self) -> str:
        return self.row or self.name

    def write(self, folder: Path, context: Context) -> Path:
        path = folder / (self.file or f"{self.name}.ipynb")
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.link is not None:
            path.symlink_to(self.link(context))
            return path
        content = self.build(context)
        if isinstance(content, nbformat.NotebookNode):
            content = render(content).encode("utf-8")
        path.write_bytes(content)
        return path

    def statuses(self) -> set[str]:
        """Every status this submission may get: its flags, with or without each of ``maybe``."""
        options = {frozenset(self.flags)}
        for flag in self.maybe:
            options |= {option | {flag} for option in options}
        return {";".join(f.value for f in Flag if f in option) or "ok" for option in options}


def _cells(
    nb: nbformat.NotebookNode, change: Callable[[dict], list[dict]]
) -> nbformat.NotebookNode:
    """``nb`` with each check cell replaced by ``change(cell)`` (a list: [] deletes it)."""
    cells = []
    for cell in nb.cells:
        is_check = cell.metadata.get("nnlib", {}).get("role") == "check"
        cells += change(cell) if is_check else [cell]
    nb.cells = cells
    return nb


def _as_markdown(cell) -> list:
    return [nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.id)]


def _as_pass(cell) -> list:
    cell.source = "pass"
    return [cell]


def _duplicated(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The check of weighted_sum twice; predict_batch's cell twice (wrong, then right: the last
    counts); the check of perceptron_update worth 100 points."""
    cells = []
    for cell in nb.cells:
        key = grade_id(cell.metadata)
        if key == "check_weighted_sum":
            twin = nbformat.from_dict(json.loads(json.dumps(cell)))
            twin.id = "twin1"
            cells.append(twin)
        if key == "predict_batch":
            wrong = nbformat.from_dict(json.loads(json.dumps(cell)))
            wrong.id, wrong.source = "twin2", "def predict_batch(X, w, b):\n    return 0\n"
            cells.append(wrong)
        if key == "check_perceptron_update":
            cell.metadata["nbgrader"]["points"] = 100
        cells.append(cell)
    nb.cells = cells
    return nb


def _stripped_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def _with_helper_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    helper = nbformat.v4.new_code_cell("def _dot(a, b):\n    return float(sum(a * b))\n", id="mine")
    nb.cells.insert(2, helper)
    return nb


def _bad_setup(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    setup = next(c for c in nb.cells if grade_id(c.metadata) == "setup")
    setup.source = "import numpy as np\nnp.allclose = lambda *a, **k: True\ndef check(name): pass\n"
    return nb


def _nbformat3(context: Context) -> bytes:
    nb = right()
    return nbformat.writes(nbformat.convert(nb, 3), version=3).encode("utf-8")


def _huge(context: Context) -> nbformat.NotebookNode:
    nb = right()
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * (3 * 2**20), id="huge"))
    return nb


SOLUTION_PREDICT = (
    "import numpy as np\ndef predict_batch(X, w, b):\n    return (X @ w + b >= 0).astype(float)\n"
)

LOOKUP = '''import numpy as np
from nnlib.course.checks.ex01 import check

def _lookup(name, *args):
    """Copy the visible expected answers, which ship with nnlib."""
    for case in check.tasks[name].cases:
        values = list(case.args.values())
        if len(values) == len(args) and all(np.array_equal(a, v) for a, v in zip(args, values)):
            return case.expected
    return 0.0

def weighted_sum(x, w, b):
    return _lookup("weighted_sum", x, w, b)
'''

STEAL = '''import glob, os

def weighted_sum(x, w, b):
    """Read the instructor's source (hidden tests!), the course's sources and git history, the
    results folder, the grader's secrets."""
    stolen = ""
    paths = {paths!r} + glob.glob({root!r} + "/.git/objects/*/*")[:20]
    paths += glob.glob({root!r} + "/exercises/source/*") + glob.glob({root!r} + "/.git/HEAD")
    for path in paths:
        try:
            stolen += open(path, errors="replace").read()
        except OSError:
            pass
    for path in ["/proc/1/environ", "/proc/self/environ"]:
        try:
            if {secret!r} in open(path, errors="replace").read():
                stolen += "the grader's secret"
        except OSError:
            pass
    if stolen or os.environ.get({secret!r}):
        return 1.5  # the hidden test's answer: wrong for every visible case
    raise RuntimeError("nothing to steal")
'''

WRITE = """import os

for path, text in [({out!r} + "/gradebook.csv", "name,total\\nwrite_results,100\\n"),
                   ({out!r} + "/write_results/results.json", '{{"score": 100}}'),
                   ({out!r} + "/zz_intruder/results.json", '{{"score": 100}}')]:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as file:
            file.write(text)
    except OSError:
        pass

def weighted_sum(x, w, b):
    raise NotImplementedError()
"""

FORGE = """import os
from pathlib import Path
from nnlib.course import harness
from nnlib.course.checks.ex01 import check

os.makedirs("results", exist_ok=True)
# claim that every visible answer was right, then leave before the tests
for task in check.tasks.values():
    arrays = {}
    cases = [{"value": harness.encode(case.expected, arrays), "error": "", "not_done": False,
              "mutated": ""} for case in task.cases]
    manifest = {"task": task.name, "missing": "", "cases": cases}
    harness.save_data(Path("results") / f"{task.name}.npz", manifest, arrays)
os._exit(0)
"""

SPY = """import glob

def weighted_sum(x, w, b):
    # look for the other learners' notebooks, to read or overwrite them
    found = [path for folder in ["/tmp", "/var/tmp", "/dev/shm", "/home", "/srv", "/run"]
             for path in glob.glob(folder + "/**/*.ipynb", recursive=True)]
    found += glob.glob("/*/*.ipynb") + glob.glob("/*/*/*.ipynb")
    return 999.0 if found else float(x @ w + b)  # found them: wrong on purpose
"""

NETWORK = """import socket

def weighted_sum(x, w, b):
    for host, port in [("127.0.0.1", {port}), ("localhost", {port}), ("example.com", 80)]:
        try:
            socket.create_connection((host, port), timeout=2).close()
            return 999.0  # reached the network: wrong on purpose
        except OSError:
            pass
    return float(x @ w + b)
"""

IGNORE_INTERRUPT = """import signal

def predict_batch(X, w, b):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass
"""

PATCHES = """import builtins
import numpy as np
import nnlib.course.selfcheck as selfcheck

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isnan = lambda value: np.zeros(np.shape(value), dtype=bool)
selfcheck.compare = lambda *args, **kwargs: None
selfcheck.judge = lambda name, case, outcome: selfcheck.CaseResult("", True)
selfcheck.Checker.__call__ = lambda *args, **kwargs: None
builtins.print = lambda *args, **kwargs: None

def weighted_sum(x, w, b):
    return -1.0
"""

LIARS = {
    "weighted_sum": """class Liar:
    def __eq__(self, other):
        return True
    def __float__(self):
        return 0.5
    def __array__(self, dtype=None, copy=None):
        import numpy
        return numpy.array(0.5)

def weighted_sum(x, w, b):
    return Liar()
""",
    "predict_batch": """import numpy as np

class Yes(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

def predict_batch(X, w, b):
    return np.zeros(len(X)).view(Yes)
""",
    "nand_weights": """import numpy as np

def nand_weights():
    return np.array([np.nan, np.nan]), np.nan
""",
    "perceptron_update": """import numpy as np

def perceptron_update(w, b, x, y, learning_rate):
    error = y - float(w @ x + b >= 0)
    return np.array(list(w + learning_rate * error * x), dtype=object), b + learning_rate * error
""",
}

WRONG_SHAPES = {
    "weighted_sum": "def weighted_sum(x, w, b):\n    return float('nan')\n",
    "predict_batch": "def predict_batch(X, w, b):\n    return (X @ w + b >= 0).astype(float)"
    ".reshape(-1, 1)\n",
    "perceptron_update": "def perceptron_update(w, b, x, y, learning_rate):\n"
    "    error = y - float(w @ x + b >= 0)\n"
    "    return (w + learning_rate * error * x)[None, :], str(b + learning_rate * error)\n",
}


def _steal(context: Context) -> str:
    paths = [str(context.source), str(context.out_dir / "gradebook.csv"), str(EX01)]
    return STEAL.format(paths=paths, root=str(ROOT), secret=SECRET_VARIABLE)


MARKER = "nnlib-attack-leftover"

FORK_BOMB = """import os, signal, time

children = []
try:
    for _ in range(5000):  # hold every process the machine lets us have
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                time.sleep(60)
            finally:
                os._exit(0)
        children.append(pid)
except OSError:
    pass
time.sleep(0.5)  # while the learners beside us start their kernels
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
"""

OTHER_KERNELS = """import glob, json, os, socket

def _other_kernels():
    mine = os.path.realpath("/proc/self/cwd/../kernel/connection.json")
    found = [p for p in glob.glob("/tmp/**/connection.json", recursive=True) if p != mine]
    found += glob.glob("/tmp/nnlib-grade-*") + glob.glob("/run/user/*/jupyter/*")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
        except OSError:
            continue
        if b"-f" in args and int(pid) != os.getpid():
            found.append(pid)
    return found

def weighted_sum(x, w, b):
    return 999.0 if _other_kernels() else float(x @ w + b)
"""

SURROGATES = {
    "weighted_sum": "def weighted_sum(x, w, b):\n"
    "    raise ValueError('\\ud800 lone \\udcff surrogates')\n",
    "predict_batch": SOLUTION_PREDICT
    + "\nraise RuntimeError('a cell that fails \\ud800\\udfff')\n",
}

FILL_DISK = """import itertools, os

for folder in ["/tmp", "/var/tmp", "/dev/shm", os.getcwd(), "../../.."]:
    try:  # many files, each below the file-size limit, until the disk is full
        for number in itertools.count():
            with open(os.path.join(folder, f"filler{number}"), "wb") as file:
                for _ in range(8):
                    file.write(b"x" * 2**20)
    except OSError:
        pass
"""

LEFTOVERS = """import os, subprocess

for folder in ["/tmp", "/var/tmp", "/dev/shm"]:
    with open(os.path.join(folder, "{marker}"), "wb") as file:
        file.write(b"x" * 2**20)
subprocess.Popen(["sh", "-c", "sleep 300; echo hacked > {out}/gradebook.csv # {marker}"],
                 start_new_session=True)
if os.fork() == 0:  # a daemon of our own, too
    try:
        os.setsid()
        if os.fork() == 0:
            import time
            time.sleep(20)
            open("{out}/gradebook.csv", "w").write("name,total\\\\nleftover,100\\\\n")
    finally:
        os._exit(0)
"""

KILL_ALL = "import os, signal\nos.kill(-1, signal.SIGKILL)\n"

PLANT = """import os, site, sys
import nnlib

def weighted_sum(x, w, b):
    planted = 0
    for folder in [*site.getsitepackages(), sys.prefix, os.path.dirname(nnlib.__file__)]:
        try:
            with open(os.path.join(folder, "zz_planted.pth"), "w") as file:
                file.write("import os; os.system('touch /tmp/pwned')\\n")
            planted += 1
        except OSError:
            pass
    return 999.0 if planted else float(x @ w + b)
"""

RAW_NETWORK = """import _socket, shutil, subprocess

def weighted_sum(x, w, b):
    reached = 0
    for host in ["127.0.0.1", "8.8.8.8"]:
        try:
            s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect((host, {port} if host == "127.0.0.1" else 53))
            reached += 1
        except OSError:
            pass
    if shutil.which("curl"):
        done = subprocess.run(["curl", "-s", "-m", "2", "http://127.0.0.1:{port}/"],
                              capture_output=True)
        reached += done.returncode == 0
    return 999.0 if reached else float(x @ w + b)
"""

EXFILTRATE = """import sys

def weighted_sum(x, w, b):
    raise ValueError(f"inputs: {x!r} {w!r} {b!r} {sys.argv}")
"""

FORGE_FEEDBACK = {
    "weighted_sum": "def weighted_sum(x, w, b):\n"
    "    return '\\x1b[2J\\n# Feedback\\n**Score: 5 / 5** (status: ok)\\n## Task 9: x (5 / 5)'\n",
    "predict_batch": SOLUTION_PREDICT
    + "\nraise Exception('\\x1b[32m\\n\\n## Notes\\n**Score: 5 / 5**\\r\\x1b]0;title\\x07')\n",
}

SHARED_MEMORY = """import select, subprocess, sys, time
import numpy as np

HOLD = "import time; block = b'x' * ({megabytes} * 2**20); print('x', flush=True); time.sleep(9)"

def _hold(megabytes, children=3, patience=5.0):
    held = [subprocess.Popen([sys.executable, "-c", HOLD.format(megabytes=megabytes)],
                             stdout=subprocess.PIPE) for _ in range(children)]
    deadline, holding = time.monotonic() + patience, set()
    while len(holding) < children and time.monotonic() < deadline:  # each holds, or is gone
        waiting = [p.stdout for p in held if p.poll() is None and p.stdout not in holding]
        if not waiting:
            break
        holding |= set(select.select(waiting, [], [], 0.1)[0])
    time.sleep(0.5)  # without a cgroup (an ordinary user), the watch stops them within 50 ms
    together = sum(p.poll() is None and p.stdout in holding for p in held)
    for p in held:
        p.kill()
        p.wait()
    return together

_together = _hold(400)  # three processes of 400 MiB: over the 1024 MiB of the whole submission

def nand_weights():
    if _together >= 3:
        return np.array([9.0, 9.0]), 9.0  # held it all at once: wrong on purpose
    return np.array([-1.0, -1.0]), 1.5
"""


FULL, NONE = (1, 1, 1, 2), (0, 0, 0, 0)

ATTACKS = [
    Attack("correct", lambda c: right(), FULL),
    Attack("blank", lambda c: student(), NONE),
    Attack(
        "partly_right",
        lambda c: right(
            predict_batch="def predict_batch(X, w, b):\n    return (X @ w + b > 0).astype(float)\n",
            nand_weights="import numpy as np\ndef nand_weights():\n    return np.ones(2), -1.5\n",
        ),
        (1, 0.75, 0, 2),
    ),
    Attack(
        "copies_visible_answers",
        lambda c: filled(
            {
                "weighted_sum": LOOKUP,
                "predict_batch": "def predict_batch(X, w, b):\n"
                "    return _lookup('predict_batch', X, w, b)\n",
                "perceptron_update": "def perceptron_update(w, b, x, y, learning_rate):\n"
                "    return _lookup('perceptron_update', w, b, x, y, learning_rate)\n",
            }
        ),
        (0.75, 0.75, 0, 1.5),
    ),
    Attack(
        "steals_hidden_tests",
        lambda c: right(weighted_sum=_steal(c)),
        (0, 1, 1, 2),
        isolation=True,
    ),
    Attack(
        "writes_results",
        lambda c: filled({"weighted_sum": WRITE.format(out=str(c.out_dir))}),
        NONE,
        isolation=True,
    ),
    Attack(
        "forges_results_then_exits",
        lambda c: filled({"weighted_sum": FORGE}),
        NONE,
        frozenset({"kernel-died"}),
    ),
    Attack("spies_on_other_learners", lambda c: right(weighted_sum=SPY), FULL, isolation=True),
    Attack(
        "reaches_network",
        lambda c: right(weighted_sum=NETWORK.format(port=c.port)),
        FULL,
        isolation=True,
    ),
    Attack(
        "endless_loop",
        lambda c: right(weighted_sum="def weighted_sum(x, w, b):\n    while True:\n        pass\n"),
        (0, 1, 1, 2),
        frozenset({"timeout"}),
    ),
    Attack(
        "ignores_interrupt",
        lambda c: right(predict_batch=IGNORE_INTERRUPT),
        (1, 0, 0, 0),
        frozenset({"unresponsive"}),
    ),
    Attack(
        "memory_bomb",
        lambda c: right(
            weighted_sum="import numpy as np\ndef weighted_sum(x, w, b):\n    hog = []\n"
            "    while True:\n        hog.append(np.empty(2**26))\n",
            predict_batch="import numpy as np\ndef predict_batch(X, w, b):\n"
            "    return np.ones((10**6, 10**6))\n",
            nand_weights=solutions()["nand_weights"]
            + "\nhog = [bytearray(2**26) for _ in range(10**5)]\n",
        ),
        (0, 0, 1, 2),
    ),
    Attack(
        "sys_exit",
        lambda c: right(
            weighted_sum="import sys\ndef weighted_sum(x, w, b):\n    sys.exit()\n",
            predict_batch=solutions()["predict_batch"] + "\nimport sys\nsys.exit(3)\n",
        ),
        (0, 1, 1, 2),  # (IPython's exit() ends a kernel a cell or two late: os_exit covers it)
    ),
    Attack(
        "os_exit",
        lambda c: right(predict_batch="import os\ndef predict_batch(X, w, b):\n    os._exit(0)\n"),
        (1, 0, 0, 0),
        frozenset({"kernel-died"}),
    ),
    Attack(
        "kills_itself",
        lambda c: right(
            nand_weights="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        ),
        (1, 1, 0, 0),
        frozenset({"kernel-died"}),
    ),
    Attack(
        "output_flood",
        lambda c: right(
            weighted_sum=solutions()["weighted_sum"] + "\nwhile True:\n    print('flood ' * 100)\n"
        ),
        FULL,
        frozenset({"flood"}),
    ),
    Attack("patches_numpy_builtins_checker", lambda c: filled({"weighted_sum": PATCHES}), NONE),
    Attack("lying_values", lambda c: filled(LIARS), (0, 0.25, 0, 0)),
    Attack("nan_strings_wrong_shapes", lambda c: right(**WRONG_SHAPES), (0, 0, 1, 0)),
    Attack(
        "unreadable",
        lambda c: bytes(range(256)) * 40,
        NONE,
        frozenset({"unreadable"}),
    ),
    Attack(
        "truncated",
        lambda c: render(right()).encode()[:2000],
        NONE,
        frozenset({"unreadable"}),
    ),
    Attack("json_list", lambda c: b"[1, 2, 3]", NONE, frozenset({"unreadable"})),
    Attack(
        "json_wrong_shape",
        lambda c: json.dumps({"nbformat": 4, "cells": {"a": 1}}).encode(),
        NONE,
        frozenset({"unreadable"}),
    ),
    Attack("nbformat3", _nbformat3, FULL),
    Attack("empty_file", lambda c: b"", NONE, frozenset({"unreadable"})),
    Attack("huge_notebook", _huge, NONE, frozenset({"unreadable"})),
    Attack(
        "checks_deleted", lambda c: _cells(right(), lambda cell: []), FULL, frozenset({"tampered"})
    ),
    Attack("checks_made_pass", lambda c: _cells(right(), _as_pass), FULL, frozenset({"tampered"})),
    Attack(
        "checks_made_markdown",
        lambda c: _cells(right(), _as_markdown),
        FULL,
        frozenset({"tampered"}),
    ),
    Attack("duplicated_cells", lambda c: _duplicated(right()), FULL, frozenset({"tampered"})),
    Attack("setup_edited", lambda c: _bad_setup(right()), FULL, frozenset({"tampered"})),
    Attack("metadata_stripped", lambda c: _stripped_metadata(right()), FULL),
    Attack(
        "helper_in_own_cell",
        lambda c: _with_helper_cell(
            right(weighted_sum="def weighted_sum(x, w, b):\n    return _dot(x, w) + b\n")
        ),
        (0, 1, 1, 2),
    ),
]

ATTACKS += [
    Attack("reads_course_repository", lambda c: right(weighted_sum=_steal(c)), (0, 1, 1, 2),
           isolation=True),
    Attack("fork_bomb",
           lambda c: right(weighted_sum=solutions()["weighted_sum"] + "\n" + FORK_BOMB),
           FULL, isolation=True),
    Attack("connects_to_other_kernels", lambda c: right(weighted_sum=OTHER_KERNELS), FULL,
           isolation=True),
    Attack("surrogates_in_errors", lambda c: right(**SURROGATES), (0, 1, 1, 2)),
    Attack("fills_every_disk",
           lambda c: right(nand_weights=solutions()["nand_weights"] + "\n" + FILL_DISK),
           (0.75, 0.75, 0, 0), isolation=True),
    Attack("leaves_files_and_daemons",
           lambda c: right(weighted_sum=solutions()["weighted_sum"] + "\n"
                           + LEFTOVERS.format(marker=MARKER, out=str(c.out_dir))),
           FULL, isolation=True),
    Attack("kills_every_process",
           lambda c: right(weighted_sum=solutions()["weighted_sum"] + "\n" + KILL_ALL), FULL,
           isolation=True),
    Attack("plants_pth_in_venv", lambda c: right(weighted_sum=PLANT), FULL, isolation=True),
    Attack("network_by_raw_socket_and_curl",
           lambda c: right(weighted_sum=RAW_NETWORK.format(port=c.port)), FULL, isolation=True),
    Attack("exfiltrates_hidden_inputs", lambda c: right(weighted_sum=EXFILTRATE), (0, 1, 1, 2)),
    Attack("forges_feedback", lambda c: right(**FORGE_FEEDBACK), (0, 1, 1, 2)),
    Attack("memory_across_children", lambda c: right(nand_weights=SHARED_MEMORY), FULL,
           maybe=frozenset({"memory"}), isolation=True),
    Attack("x", lambda c: right(), FULL),
    Attack("x_bang", lambda c: right(), FULL, file="x!.ipynb", row="x%21"),
    Attack("x_2", lambda c: right(), FULL, file="x-2.ipynb", row="x-2"),
    Attack("alice_bang", lambda c: right(), FULL, file="alice!.ipynb", row="alice%21"),
    Attack("alice", lambda c: right(), FULL),
    Attack("clash_folder", lambda c: right(), FULL, frozenset({"name-clash"}),
           file=f"dup/{EX01.name}", row="dup~1"),
    Attack("clash_file", lambda c: right(), FULL, frozenset({"name-clash"}), file="dup.ipynb",
           row="dup~2"),
    Attack("symlinked_folder", lambda c: b"", NONE, frozenset({"refused"}),
           file="linked_folder", row="linked_folder", link=lambda c: EX01.parent),
    Attack("symlinked_file", lambda c: b"", NONE, frozenset({"refused"}),
           file="linked_file.ipynb", row="linked_file", link=lambda c: EX01),
    Attack("dot_file", lambda c: right(), NONE, frozenset({"refused"}), file=".sneaky.ipynb",
           row="%2Esneaky"),
]  # fmt: skip

MAX_NOTEBOOK_MB = 1.0  # huge_notebook is 3 MB
