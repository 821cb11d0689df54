"""What runs inside a learner's kernel when it is graded, and how results come out of it as data.

Part of the course's tools (see ``nnlib.course.grade``); no chapter introduces it. This module is
the *in-kernel harness*: ``python -m nnlib.course.harness`` sets the kernel's own limits and
becomes the kernel (:func:`launch_kernel`), and :func:`call_task` runs in place of each check
cell. The grader uses only its data format (:func:`load_data`, :func:`decode_outcomes`).

The grader never judges inside the learner's kernel: a learner's code runs there and could patch
numpy, the checker or the builtins. Instead the kernel only *calls* each task's function on the
test arguments (:func:`call_task`) and writes what happened to a file of plain data: a ``.npz``
archive holding the arrays and one JSON manifest, loaded with ``allow_pickle=False``. Whatever a
hostile kernel writes there is numbers, strings and lists, never code or objects; the expected
values it is compared with stay in the grader's process.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlib.course.selfcheck import Outcome, call_case, missing_function
from nnlib.course.untrusted import TEXT_CAP, safe_text

VISIBLE, HIDDEN = "visible", "hidden"
RESULTS = {VISIBLE: "results", HIDDEN: "hidden-results"}
MAX_DEPTH = 32
MAX_CALLS_BYTES = 2**30
SCALARS = (bool, int, float, str, type(None))
OOM_SCORE_FIRST = 1000  # what the out-of-memory killer takes first: the kernel, not the worker
INT64 = 2**63


@dataclass(frozen=True)
class Opaque:
    """A value the kernel could not express as data (an object, a function, an object array).

    The grader sees only its description, which is enough to say why it is not an answer.
    """

    description: str

    def __repr__(self) -> str:
        return self.description


def _type_name(value) -> str:
    kind = type(value)
    return safe_text(
        kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    )


def encode(value, arrays: dict[str, np.ndarray], depth: int = 0) -> dict:
    """``value`` as a JSON-able node; arrays go into ``arrays`` and the node names their key."""
    if depth > MAX_DEPTH:
        return {"t": "opaque", "d": "<a value nested too deeply>"}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.kind not in "biufcUS":
            shape = tuple(array.shape)
            return {"t": "opaque", "d": f"<a numpy array of dtype {array.dtype}, shape {shape}>"}
        key = f"a{len(arrays)}"
        arrays[key] = np.array(array)  # a plain ndarray, whatever subclass it was
        return {"t": "scalar" if isinstance(value, np.generic) else "array", "key": key}
    if type(value) in (bytes, bytearray):
        key = f"a{len(arrays)}"
        arrays[key] = np.frombuffer(bytes(value), dtype=np.uint8)
        return {"t": type(value).__name__, "key": key}
    if type(value) in SCALARS:
        if type(value) is int and not -INT64 <= value < INT64:
            return {"t": "opaque", "d": "<an integer too large to be an answer>"}
        return {"t": "value", "v": safe_text(value, TEXT_CAP) if type(value) is str else value}
    if type(value) in (tuple, list):
        return {"t": type(value).__name__, "items": [encode(v, arrays, depth + 1) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        items = [[safe_text(k), encode(v, arrays, depth + 1)] for k, v in value.items()]
        return {"t": "dict", "items": items}
    return {"t": "opaque", "d": f"<an object of type {_type_name(value)}>"}


def decode(node, arrays, depth: int = 0):
    """The value that :func:`encode` described; raises ValueError on anything malformed.

    Strings are passed through :func:`~nnlib.course.untrusted.safe_text`: the grader decodes what
    a learner's kernel wrote, and the kernel may have replaced :func:`encode` itself.
    """
    if depth > MAX_DEPTH or not isinstance(node, dict):
        raise ValueError("malformed value")
    kind = node.get("t")
    if kind == "value" and type(node.get("v")) is str:
        return safe_text(node["v"])
    if kind == "value" and type(node.get("v")) in SCALARS:
        return node["v"]
    if kind in ("array", "scalar") and str(node.get("key")) in arrays:
        array = arrays[str(node.get("key"))]
        return array if kind == "array" else array[()]
    if kind in ("bytes", "bytearray") and str(node.get("key")) in arrays:
        data = arrays[str(node.get("key"))].tobytes()
        return data if kind == "bytes" else bytearray(data)
    if kind in ("tuple", "list") and isinstance(node.get("items"), list):
        items = [decode(item, arrays, depth + 1) for item in node["items"]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict" and isinstance(node.get("items"), list):
        return {safe_text(k): decode(v, arrays, depth + 1) for k, v in node["items"]}
    if kind == "opaque":
        return Opaque(safe_text(node.get("d")))
    raise ValueError("malformed value")


def holds_objects(value) -> bool:
    """Whether ``value`` holds anything that :func:`encode` cannot send as data."""
    return _has_opaque(encode(value, {}))


def _has_opaque(node: dict) -> bool:
    if node["t"] == "opaque":
        return True
    if node["t"] == "dict":
        return any(_has_opaque(child) for _, child in node["items"])
    return any(_has_opaque(child) for child in node.get("items", []))


def dump_data(manifest: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """``manifest`` (JSON) and ``arrays`` as the bytes of one ``.npz`` archive."""
    text = json.dumps(manifest).encode("utf-8")
    buffer = io.BytesIO()
    np.savez(buffer, manifest=np.frombuffer(text, dtype=np.uint8), **arrays)
    return buffer.getvalue()


def save_data(path: Path, manifest: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write :func:`dump_data` to the ``.npz`` at ``path``, atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(dump_data(manifest, arrays))
    os.replace(temporary, path)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, refusing links, FIFOs and files too large."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > max_bytes:
            raise ValueError(f"{info.st_size} bytes, more than the limit of {max_bytes}")
        data = file.read(info.st_size + 1)
    if len(data) > max_bytes:
        raise ValueError(f"more than the limit of {max_bytes} bytes")
    return data


def load_data(path: Path, max_bytes: int) -> tuple[dict, dict[str, np.ndarray]]:
    """Read what :func:`save_data` wrote, as untrusted data (see :func:`parse_data`)."""
    return parse_data(read_capped(path, max_bytes), max_bytes)


def parse_data(data: bytes, max_bytes: int) -> tuple[dict, dict[str, np.ndarray]]:
    """The manifest and arrays of :func:`dump_data`'s bytes, as untrusted data: no pickles, no
    zip bombs. Raises ValueError when ``data`` is too large or not such an archive."""
    if len(data) > max_bytes:
        raise ValueError(f"{len(data)} bytes, more than the limit of {max_bytes}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > max_bytes:
            raise ValueError(f"the archive unpacks to more than {max_bytes} bytes")
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    manifest = arrays.pop("manifest", None)
    if manifest is None or manifest.dtype != np.uint8 or manifest.ndim != 1:
        raise ValueError("no manifest")
    return json.loads(manifest.tobytes().decode("utf-8", "replace")), arrays


def results_path(folder: Path, phase: str, task: str) -> Path:
    """Where :func:`call_task` writes the outcomes of ``task``'s cases of ``phase``."""
    return Path(folder) / RESULTS[phase] / f"{task}.npz"


def encode_calls(cases: list[dict]) -> str:
    """The arguments of some cases as text (base64 of :func:`dump_data`), for :func:`call_task`."""
    arrays: dict[str, np.ndarray] = {}
    manifest = {"cases": encode(cases, arrays)}
    return base64.b64encode(dump_data(manifest, arrays)).decode("ascii")


def call_task(
    name: str,
    calls: str,
    namespace: dict | None = None,
    folder: str | Path = ".",
    phase: str = VISIBLE,
) -> None:
    """Call the function ``name`` on every case in ``calls`` (:func:`encode_calls`); write what
    it did to :func:`results_path`.

    Runs in the learner's kernel, in place of the task's check cell (``phase="visible"``), and
    once more for each task after the last cell (``phase="hidden"``). The cases come inside the
    cell's own code, so a hidden case's inputs are in the kernel only from that cell on.
    ``namespace`` defaults to the caller's globals (the notebook's).
    """
    folder = Path(folder)
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    manifest, arrays = parse_data(base64.b64decode(calls), MAX_CALLS_BYTES)
    cases = decode(manifest["cases"], arrays)
    function = namespace.get(name)
    reason = missing_function(name, function)
    out: dict[str, np.ndarray] = {}
    if reason:
        result = {"task": name, "missing": safe_text(reason), "cases": []}
    else:
        outcomes = [call_case(function, args) for args in cases]
        result = {"task": name, "missing": "", "cases": [_encode_outcome(o, out) for o in outcomes]}
    path = results_path(folder, phase, name)
    path.parent.mkdir(exist_ok=True)
    save_data(path, result, out)


def _encode_outcome(outcome: Outcome, arrays: dict[str, np.ndarray]) -> dict:
    return {
        "value": encode(outcome.value, arrays),
        "error": safe_text(outcome.error),
        "not_done": bool(outcome.not_done),
        "mutated": safe_text(outcome.mutated),
        "warning": safe_text(outcome.warning),
    }


def decode_outcomes(manifest: dict, arrays, n_cases: int) -> list[Outcome] | str:
    """The outcomes of ``n_cases`` cases from a results manifest, or why the task failed.

    The manifest comes from the learner's kernel: anything malformed raises ValueError.
    """
    if not isinstance(manifest, dict) or not isinstance(manifest.get("cases"), list):
        raise ValueError("malformed results")
    if manifest.get("missing"):
        return safe_text(manifest["missing"])
    cases = manifest["cases"]
    if len(cases) != n_cases:
        raise ValueError(f"results for {len(cases)} cases, not {n_cases}")
    outcomes = []
    for case in cases:
        if not isinstance(case, dict):
            raise ValueError("malformed results")
        outcomes.append(
            Outcome(
                value=decode(case.get("value"), arrays),
                error=safe_text(case.get("error") or ""),
                not_done=case.get("not_done") is True,
                mutated=safe_text(case.get("mutated") or ""),
                warning=safe_text(case.get("warning") or ""),
            )
        )
    return outcomes


# ---- the kernel's own start ----


def set_limits(options: dict) -> None:
    """Limits on this process and all it starts (they run before any of the learner's code).

    ``options`` holds bytes of address space (``memory``), the largest file (``file_size``),
    seconds of CPU (``cpu_seconds``) and ``processes``. In a sandbox with its own user (or user
    namespace) the process count is the sandbox's own, not shared with other submissions.
    """
    import resource

    wanted = {
        resource.RLIMIT_AS: options["memory"],
        resource.RLIMIT_FSIZE: options["file_size"],
        resource.RLIMIT_CPU: options["cpu_seconds"],
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: options["processes"],
    }
    for limit, value in wanted.items():
        if value is not None:  # no process limit without a sandbox: it would count all yours
            resource.setrlimit(limit, (value, value))
    with contextlib.suppress(OSError):  # not on every kernel: the limits above still hold
        Path("/proc/self/oom_score_adj").write_text(str(OOM_SCORE_FIRST))


def launch_kernel(options: dict, ipykernel_args: list[str]) -> None:
    """Set the limits of :func:`set_limits`, then become the Jupyter kernel."""
    set_limits(options)
    from ipykernel.kernelapp import launch_new_instance

    sys.argv = ["nnlib-graded-kernel", *ipykernel_args, "--HistoryManager.enabled=False"]
    launch_new_instance()


if __name__ == "__main__":
    launch_kernel(json.loads(sys.argv[1]), sys.argv[2:])
