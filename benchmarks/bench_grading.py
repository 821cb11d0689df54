"""How long ``nnlib grade`` takes for a class of 30 submissions, 22 of them hostile.

Run from the repository root (best on a quiet machine):

    .venv/bin/python benchmarks/bench_grading.py          # 30 submissions, 2 at a time
    .venv/bin/python benchmarks/bench_grading.py -j 4

The class is built from ``tests/grading/attacks.py``: 8 honest notebooks (correct, blank, partly
right, tampered, copying the visible answers) and 22 hostile ones: an endless loop, a kernel that
ignores interrupts, memory bombs (one spread over three processes), exits and self-kills, an
output flood, a fork bomb, a full disk, ``kill(-1)``, daemons and files left behind, a planted
``.pth``, raw sockets and curl, reads of the course's sources and git history, attempts on other
kernels, forged results and feedback, exfiltrated hidden inputs. Each is graded in its own
bubblewrap sandbox with the default limits of ``nnlib grade`` (10 s per cell, 60 s per notebook)
but 1024 MiB of memory (the memory attack needs more than that to win), so the endless loop and
the ignored interrupt cost their full time-outs. It prints the wall-clock time (target: under
2 minutes on 2 cores), the CPU time of the grader and every sandbox, the time per submission,
and checks that every learner has a row with exactly the expected total. It writes them, with the
machine and its load before and after, to ``benchmarks/results/grading.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_beyond import machine  # noqa: E402
from grading.attacks import ATTACKS, MAX_NOTEBOOK_MB, Context, hidden_source  # noqa: E402

from nnlib.course import sandbox  # noqa: E402
from nnlib.course.grade import grade  # noqa: E402

HONEST = ["correct", "blank", "partly_right", "copies_visible_answers", "checks_made_pass",
          "duplicated_cells", "x", "alice"]  # fmt: skip
HOSTILE = [
    "endless_loop", "ignores_interrupt", "memory_bomb", "sys_exit", "os_exit", "kills_itself",
    "output_flood", "patches_numpy_builtins_checker", "steals_hidden_tests", "writes_results",
    "forges_results_then_exits", "reads_course_repository", "fork_bomb",
    "connects_to_other_kernels", "fills_every_disk", "leaves_files_and_daemons",
    "kills_every_process", "plants_pth_in_venv", "network_by_raw_socket_and_curl",
    "exfiltrates_hidden_inputs", "forges_feedback", "memory_across_children",
]  # fmt: skip
CLASS = [attack for attack in ATTACKS if attack.name in {*HONEST, *HOSTILE}]
LIMITS = sandbox.Limits(memory_mb=1024)
RESULTS = Path(__file__).resolve().parent / "results" / "grading.json"


def cpu_seconds() -> float:
    """CPU time so far of this process and of every process it has waited for (the sandboxes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="notebooks graded at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "instructor").mkdir()
        (base / "submissions").mkdir()
        source = hidden_source(base / "instructor")
        context = Context(source, base / "out", port=9)
        for attack in CLASS:
            attack.write(base / "submissions", context)
        before = machine()
        print(f"sandbox: {sandbox.describe()}")
        print(f"{before['cpu_count']} CPUs, load {before['load_average']}")
        print(
            f"grading {len(CLASS)} submissions ({len(HOSTILE)} hostile), {args.jobs} at a time..."
        )
        start, cpu = time.perf_counter(), cpu_seconds()
        grade(source, [base / "submissions"], base / "out", LIMITS, jobs=args.jobs,
              max_mb=MAX_NOTEBOOK_MB, report=lambda line: None,
              partial_credit=True)  # the attacks' scores are partial credit  # fmt: skip
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        with open(base / "out" / "gradebook.csv", newline="", encoding="utf-8") as file:
            rows = {row["name"]: row for row in csv.DictReader(file)}
    wrong = [
        attack.name
        for attack in CLASS
        if attack.learner not in rows or float(rows[attack.learner]["total"]) != sum(attack.scores)
    ]
    after = machine()["load_average"]
    per_slot = seconds / len(CLASS) * args.jobs
    print(f"{len(CLASS)} submissions graded in {seconds:.1f} s (target: under 120 s), "
          f"{per_slot:.2f} s each per slot, {cpu:.1f} s of CPU")  # fmt: skip
    print(f"rows: {len(rows)} of {len(CLASS)}; wrong totals: {wrong or 'none'}; load after {after}")
    report = {
        "machine": {**before, "load_average_after": after},
        "sandbox": sandbox.describe(),
        "submissions": len(CLASS),
        "hostile": len(HOSTILE),
        "jobs": args.jobs,
        "wall_seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "rows": len(rows),
        "wrong_totals": wrong,
    }
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0 if seconds < 120 and not wrong and len(rows) == len(CLASS) else 1


if __name__ == "__main__":
    sys.exit(main())
