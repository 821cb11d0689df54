"""How long ``nnlib grade`` takes for a class of 30 mixed submissions, hostile ones included.

Run from the repository root (best on a quiet machine):

    .venv/bin/python benchmarks/bench_grading.py          # 30 submissions, 2 at a time
    .venv/bin/python benchmarks/bench_grading.py -j 4

The class is built from ``tests/grading/attacks.py``: correct, blank and partly right notebooks,
tampered ones, and hostile ones (an endless loop, a kernel that ignores interrupts, a memory
bomb, exits and self-kills, an output flood, patched numpy and checker, lying return values,
network and file-system attacks). They are graded with the default limits of ``nnlib grade``
(10 s per cell, 60 s per notebook, 2 GiB), so the endless loop and the ignored interrupt cost
their full time-outs. It prints the wall-clock time (target: under 2 minutes on 2 cores) and
checks that every learner has a row with exactly the expected score.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from grading.attacks import ATTACKS, MAX_NOTEBOOK_MB, Context, hidden_source  # noqa: E402

from nnlib.course import sandbox  # noqa: E402
from nnlib.course.grade import grade  # noqa: E402

CHEAP = {"json_list", "empty_file", "huge_notebook"}  # need no kernel; left out: 30 remain
CLASS = [attack for attack in ATTACKS if attack.name not in CHEAP]


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
        print(f"sandbox: {sandbox.describe()}")
        print(f"grading {len(CLASS)} submissions, {args.jobs} at a time...")
        start = time.perf_counter()
        # the attacks' scores are partial credit
        grade(source, [base / "submissions"], base / "out", jobs=args.jobs,
              max_mb=MAX_NOTEBOOK_MB, report=lambda line: None, partial_credit=True)  # fmt: skip
        seconds = time.perf_counter() - start
        with open(base / "out" / "gradebook.csv", newline="", encoding="utf-8") as file:
            rows = {row["name"]: row for row in csv.DictReader(file)}
    wrong = [
        attack.name
        for attack in CLASS
        if attack.name not in rows or float(rows[attack.name]["total"]) != sum(attack.scores)
    ]
    print(f"{len(CLASS)} submissions graded in {seconds:.1f} s (target: under 120 s)")
    print(f"rows: {len(rows)} of {len(CLASS)}; wrong totals: {wrong or 'none'}")
    return 0 if seconds < 120 and not wrong and len(rows) == len(CLASS) else 1


if __name__ == "__main__":
    sys.exit(main())
