"""Chapter 10's measurements: the seed network, then one improvement at a time, on full MNIST.

Run from the repository root, on a machine doing nothing else (it takes about 6 minutes on
2 cores):

    .venv/bin/python benchmarks/bench_beyond.py

Each variant is a ``nnlib.mnist.Recipe`` trained on the 60,000 training digits and tested on the
10,000 test digits after every epoch. The script prints a table (variant, epochs, training time,
test accuracy) and writes it to ``benchmarks/results/beyond.csv`` and, with the per-epoch curves
and a description of the machine, to ``benchmarks/results/beyond.json``, which chapter 10 reads.

The training time is the wall-clock time of ``nnlib.mnist.train``, so it includes the test
evaluation after every epoch (a few percent): an upper bound of the time the training itself takes.
The machine's load average is recorded before and after, because other work on the machine slows
every variant down.

Options: ``--only 1 5`` runs some variants only (numbered as printed, 0 is the seed network);
``--slice N`` trains on the first N training digits, for a quick check of the script; neither
writes the results files unless ``--out`` names a folder.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nnlib.mnist import Recipe, load_prepared, train

RESULTS = Path(__file__).resolve().parent / "results"

BEST = Recipe(
    epochs=15,
    n_hidden=(800, 800),
    activation="relu",
    optimizer="adam",
    learning_rate=1e-3,
    dropout=0.2,
    lr_decay=0.8,
    shift=2,
)
"""Chapter 10's best MLP: every improvement below at once."""

VARIANTS: list[tuple[str, str, Recipe]] = [
    ("seed network", "784-500-10 sigmoid, Glorot, SGD 0.5", Recipe()),
    ("ReLU + He", "sigmoid -> ReLU, Glorot -> He", Recipe(activation="relu")),
    (
        "+ Adam",
        "SGD 0.5 -> Adam 0.001",
        Recipe(activation="relu", optimizer="adam", learning_rate=1e-3),
    ),
    (
        "+ 2 x 800 units",
        "500 -> 800-800 hidden units, 10 epochs",
        dataclasses.replace(BEST, epochs=10, dropout=0.0, lr_decay=1.0, shift=0),
    ),
    (
        "+ dropout, lr decay",
        "dropout 0.2, learning rate x 0.8 per epoch",
        dataclasses.replace(BEST, shift=0),
    ),
    ("+ shifted digits", "training digits moved up to 2 pixels", BEST),
]
"""(name, what changes from the row above, recipe): each row adds one idea to the one before."""


def machine() -> dict:
    """What the numbers depend on: processor count, library versions, the load right now."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run(name: str, change: str, recipe: Recipe, data) -> dict:
    """Train one variant and return what the table and the chapter's figure need."""
    start_cpu, start = time.process_time(), time.perf_counter()
    _, history, test_accuracy = train(recipe, data, progress=False)
    seconds = time.perf_counter() - start
    return {
        "variant": name,
        "change": change,
        "recipe": dataclasses.asdict(recipe),
        "epochs": len(history.loss),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time() - start_cpu, 1),
        "test_accuracy": test_accuracy,
        "test_accuracy_per_epoch": history.val_accuracy,
        "train_accuracy_per_epoch": history.accuracy,
        "train_loss_per_epoch": history.loss,
    }


def write(rows: list[dict], before: dict, folder: Path) -> None:
    """``beyond.csv`` (the table) and ``beyond.json`` (the table, the curves, the machine)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "beyond.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["variant", "change", "epochs", "seconds", "test_accuracy"])
        for row in rows:
            writer.writerow(
                [row["variant"], row["change"], row["epochs"], row["seconds"], row["test_accuracy"]]
            )
    after = [round(x, 2) for x in os.getloadavg()]
    report = {"machine": {**before, "load_average_after": after}, "variants": rows}
    (folder / "beyond.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="+", help="variant numbers to run")
    parser.add_argument("--slice", type=int, help="train on the first N training digits only")
    parser.add_argument("--out", type=Path, help=f"folder for the results (default {RESULTS})")
    args = parser.parse_args(argv)
    partial = args.only is not None or args.slice is not None
    folder = args.out or (None if partial else RESULTS)

    (X_train, y_train), test = load_prepared()
    if args.slice:
        X_train, y_train = X_train[: args.slice], y_train[: args.slice]
    data = ((X_train, y_train), test)
    before = machine()
    print(f"{before['cpu_count']} CPUs, numpy {before['numpy']}, load {before['load_average']}")
    print(f"{'':3}{'variant':22}{'epochs':>7}{'time':>9}{'test accuracy':>15}")
    rows = []
    for number, (name, change, recipe) in enumerate(VARIANTS):
        if args.only is not None and number not in args.only:
            continue
        row = run(name, change, recipe, data)
        rows.append(row)
        print(
            f"{number:<3}{name:22}{row['epochs']:>7}{row['seconds']:>8.1f}s"
            f"{row['test_accuracy']:>14.2%}",
            flush=True,
        )
    if folder is not None:
        write(rows, before, folder)
        print(f"wrote {folder / 'beyond.csv'} and {folder / 'beyond.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
