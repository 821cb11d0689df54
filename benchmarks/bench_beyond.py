"""Chapter 10's measurements: the seed network, then one improvement at a time, on full MNIST.

Run from the repository root, on a machine doing nothing else (it takes about 10 minutes on
2 cores):

    .venv/bin/python benchmarks/bench_beyond.py

The choices are made on a validation set and the test set is used once, at the end:

1. **Selection.** Each variant is a ``nnlib.mnist.Recipe`` trained for 20 epochs on the first
   50,000 training digits and evaluated on the other 10,000 training digits (the *validation*
   set) after every epoch. A variant's best epoch is the first one with its highest validation
   accuracy; the chosen variant is the one whose best epoch is best.
2. **Test.** The chosen recipe is trained again, for its best number of epochs only (the first
   epochs of a run do not depend on how many follow, so this is the very network that the
   validation chose: the script checks that its validation accuracy is the one recorded), and
   only this network is tested on the 10,000 test digits.

The script prints a table (variant, its best epoch, the training time, the validation accuracy)
and the test accuracy of the chosen network, and writes them to ``benchmarks/results/beyond.csv``
and, with the per-epoch curves and a description of the machine, to
``benchmarks/results/beyond.json``, which chapter 10 reads.

The training times are the wall-clock times of ``nnlib.mnist.train``, so they include the
validation after every epoch (a few percent), and the processor time (all threads) beside them.
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

from nnlib.losses import CrossEntropy
from nnlib.mnist import Recipe, load_prepared, train
from nnlib.training import evaluate

RESULTS = Path(__file__).resolve().parent / "results"
N_VALIDATION = 10_000
"""The last 10,000 training digits are the validation set; the first 50,000 are trained on."""

BEST = Recipe(
    epochs=20,
    n_hidden=(800, 800),
    activation="relu",
    optimizer="adam",
    learning_rate=1e-3,
    dropout=0.2,
    lr_decay=0.8,
    shift=2,
)
"""Chapter 10's biggest recipe: every improvement below at once, for at most 20 epochs."""

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
        "500 -> 800-800 hidden units",
        dataclasses.replace(BEST, dropout=0.0, lr_decay=1.0, shift=0),
    ),
    (
        "+ dropout, lr decay",
        "dropout 0.2, learning rate x 0.8 per epoch",
        dataclasses.replace(BEST, shift=0),
    ),
    ("+ shifted digits", "training digits moved up to 2 pixels", BEST),
]
"""(name, what changes from the row above, recipe): each row adds one idea to the one before.
Every variant trains for 20 epochs, the seed network's budget; its validation curve chooses how
many of them to keep."""


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


def split(X: np.ndarray, y: np.ndarray) -> tuple[tuple, tuple]:
    """The training digits as (trained on, validation): the first 50,000 and the last 10,000."""
    return (X[:-N_VALIDATION], y[:-N_VALIDATION]), (X[-N_VALIDATION:], y[-N_VALIDATION:])


def timed_train(recipe: Recipe, data) -> tuple:
    """``train`` on ``data`` = (training part, validation part), with its wall and CPU times."""
    start_cpu, start = time.process_time(), time.perf_counter()
    network, history, _ = train(recipe, data, progress=False)
    seconds = time.perf_counter() - start
    return network, history, round(seconds, 1), round(time.process_time() - start_cpu, 1)


def run(name: str, change: str, recipe: Recipe, data) -> dict:
    """Train one variant and return what the table and the chapter's figure need."""
    _, history, seconds, cpu_seconds = timed_train(recipe, data)
    best_epoch = int(np.argmax(history.val_accuracy)) + 1  # the first of equal maxima
    return {
        "variant": name,
        "change": change,
        "recipe": dataclasses.asdict(recipe),
        "epochs": len(history.loss),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "best_epoch": best_epoch,
        "val_accuracy": history.val_accuracy[best_epoch - 1],
        "val_accuracy_per_epoch": history.val_accuracy,
        "train_accuracy_per_epoch": history.accuracy,
        "train_loss_per_epoch": history.loss,
    }


def test_chosen(rows: list[dict], data, test) -> dict:
    """Train the variant with the best validation accuracy for its best epoch count, then test
    that network, the only one this script ever tests."""
    row = max(rows, key=lambda row: row["val_accuracy"])  # the first of equal maxima
    recipe = dataclasses.replace(Recipe(**row["recipe"]), epochs=row["best_epoch"])
    network, history, seconds, cpu_seconds = timed_train(recipe, data)
    _, test_accuracy = evaluate(network, *test, CrossEntropy())
    return {
        "variant": row["variant"],
        "recipe": dataclasses.asdict(recipe),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "val_accuracy": history.val_accuracy[-1],
        "same_network_as_chosen": history.val_accuracy[-1] == row["val_accuracy"],
        "test_accuracy": test_accuracy,
    }


def write(rows: list[dict], chosen: dict, before: dict, folder: Path) -> None:
    """``beyond.csv`` (the table) and ``beyond.json`` (the table, the curves, the machine)."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["variant", "change", "epochs", "seconds", "best_epoch", "val_accuracy"]
    with open(folder / "beyond.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*columns, "test_accuracy"])
        for row in rows:
            writer.writerow([row[column] for column in columns] + [""])
        writer.writerow(
            [f"chosen: {chosen['variant']}", "trained again for its best epoch count"]
            + [chosen["recipe"]["epochs"], chosen["seconds"], chosen["recipe"]["epochs"]]
            + [chosen["val_accuracy"], chosen["test_accuracy"]]
        )
    after = [round(x, 2) for x in os.getloadavg()]
    report = {
        "machine": {**before, "load_average_after": after},
        "split": {"trained_on": "training digits 0-49,999", "validation": "50,000-59,999"},
        "variants": rows,
        "chosen": chosen,
    }
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
    (X_fit, y_fit), validation = split(X_train, y_train)
    if args.slice:
        X_fit, y_fit = X_fit[: args.slice], y_fit[: args.slice]
    data = ((X_fit, y_fit), validation)
    before = machine()
    print(f"{before['cpu_count']} CPUs, numpy {before['numpy']}, load {before['load_average']}")
    print(f"training on {len(X_fit):,} digits, choosing on {len(validation[0]):,} others")
    print(f"{'':3}{'variant':22}{'epochs':>7}{'time':>9}{'best epoch':>12}{'validation':>12}")
    rows = []
    for number, (name, change, recipe) in enumerate(VARIANTS):
        if args.only is not None and number not in args.only:
            continue
        row = run(name, change, recipe, data)
        rows.append(row)
        print(
            f"{number:<3}{name:22}{row['epochs']:>7}{row['seconds']:>8.1f}s"
            f"{row['best_epoch']:>12}{row['val_accuracy']:>12.2%}",
            flush=True,
        )
    chosen = test_chosen(rows, data, test)
    print(
        f"chosen on validation: {chosen['variant']}, {chosen['recipe']['epochs']} epochs, "
        f"trained again in {chosen['seconds']:.1f} s (validation {chosen['val_accuracy']:.2%}, "
        f"the same network: {chosen['same_network_as_chosen']})\n"
        f"its test accuracy, the only one measured: {chosen['test_accuracy']:.2%}"
    )
    if folder is not None:
        write(rows, chosen, before, folder)
        print(f"wrote {folder / 'beyond.csv'} and {folder / 'beyond.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
