"""Chapter 10's measurements: the seed network, then one improvement at a time, on full MNIST.

Run from the repository root, on a machine doing nothing else (about 20 minutes on 2 cores):

    .venv/bin/python benchmarks/bench_beyond.py

The choices are made on a validation set, and the test set is used once, at the end:

1. **Selection.** Each variant is a ``nnlib.mnist.Recipe`` trained for 20 epochs on the first
   50,000 training digits and evaluated on the other 10,000 training digits (the *validation*
   set) after every epoch. Its network is kept as it was after its best epoch, the first one with
   its highest validation accuracy (early stopping). The chosen variant is the one whose best
   epoch is best.
2. **Test.** Only the chosen network is tested, once, on the 10,000 test digits.

The script prints a table (variant, time, best epoch, validation accuracy) and the test accuracy
of the chosen network, and writes them to ``benchmarks/results/beyond.csv`` and, with the
per-epoch curves and a description of the machine, to ``benchmarks/results/beyond.json``, which
chapter 10 reads. The chosen row's times are those of its epochs up to the best one.

The times are the wall-clock and processor (CPU, all threads) times of ``nnlib.mnist.train``, so
they include the validation after every epoch (a few percent). The processor time is the one to
compare on a busy machine, best with one BLAS thread (``OPENBLAS_NUM_THREADS=1``, recorded). The
load average is recorded before and after, because other work on the machine slows every variant
down.

Options: ``--only 1 5`` runs some variants only (numbered as printed, 0 is the seed network);
``--slice N`` trains on the first N training digits, for a quick check of the script; neither
writes the results files unless ``--out`` names a folder. ``--jobs N`` trains N variants at once,
in separate processes (their wall-clock times then say little; their CPU times still do).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import multiprocessing
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nnlib.losses import CrossEntropy
from nnlib.mnist import Recipe, load_prepared, train
from nnlib.network import Sequential
from nnlib.training import evaluate

RESULTS = Path(__file__).resolve().parent / "results"
DATA: tuple = ()
"""((X, y) trained on, (X, y) validation), set by ``main`` before the variants are trained."""
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
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
    }


def split(X: np.ndarray, y: np.ndarray) -> tuple[tuple, tuple]:
    """The training digits as (trained on, validation): the first 50,000 and the last 10,000."""
    return (X[:-N_VALIDATION], y[:-N_VALIDATION]), (X[-N_VALIDATION:], y[-N_VALIDATION:])


def run(variant: tuple[str, str, Recipe]) -> tuple[dict, Sequential]:
    """Train one variant on ``DATA``; return what the table and the chapter's figure need, and
    the network as it was after its best epoch (the first of equal best validation accuracies)."""
    name, change, recipe = variant
    network = recipe.network()
    best: dict = {"accuracy": -1.0}

    def keep_best(epoch: int, history) -> None:
        if history.val_accuracy[-1] > best["accuracy"]:
            best.update(
                accuracy=history.val_accuracy[-1],
                epoch=epoch,
                parameters=[param.copy() for param, _ in network.parameters()],
            )

    start_cpu, start = time.process_time(), time.perf_counter()
    _, history, _ = train(recipe, DATA, progress=False, on_epoch=keep_best, network=network)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - start_cpu
    for (param, _), kept in zip(network.parameters(), best["parameters"], strict=True):
        param[...] = kept
    row = {
        "variant": name,
        "change": change,
        "recipe": dataclasses.asdict(recipe),
        "epochs": len(history.loss),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "best_epoch": best["epoch"],
        "val_accuracy": best["accuracy"],
        "val_accuracy_per_epoch": history.val_accuracy,
        "train_accuracy_per_epoch": history.accuracy,
        "train_loss_per_epoch": history.loss,
    }
    return row, network


def test_chosen(rows: list[dict], networks: list[Sequential], test) -> dict:
    """Test the variant with the best validation accuracy, with its parameters as they were after
    its best epoch. It is the only network this script ever tests."""
    number = max(range(len(rows)), key=lambda i: rows[i]["val_accuracy"])  # first of equals
    row = rows[number]
    _, test_accuracy = evaluate(networks[number], *test, CrossEntropy())
    share = row["best_epoch"] / row["epochs"]
    return {
        "variant": row["variant"],
        "recipe": dataclasses.asdict(
            dataclasses.replace(Recipe(**row["recipe"]), epochs=row["best_epoch"])
        ),
        "seconds": round(row["seconds"] * share, 1),
        "cpu_seconds": round(row["cpu_seconds"] * share, 1),
        "val_accuracy": row["val_accuracy"],
        "test_accuracy": test_accuracy,
    }


def write(rows: list[dict], chosen: dict, before: dict, folder: Path) -> None:
    """``beyond.csv`` (the table) and ``beyond.json`` (the table, the curves, the machine)."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["variant", "change", "epochs", "seconds", "cpu_seconds", "best_epoch"]
    with open(folder / "beyond.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*columns, "val_accuracy", "test_accuracy"])
        for row in rows:
            writer.writerow([row[column] for column in columns] + [row["val_accuracy"], ""])
        recipe = chosen["recipe"]
        writer.writerow(
            [f"chosen: {chosen['variant']}", f"after epoch {recipe['epochs']}"]
            + [recipe["epochs"], chosen["seconds"], chosen["cpu_seconds"], recipe["epochs"]]
            + [chosen["val_accuracy"], chosen["test_accuracy"]]
        )
    after = [round(x, 2) for x in os.getloadavg()]
    report = {
        "machine": {**before, "load_average_after": after},
        "split": {"trained_on": len(DATA[0][0]), "validation": len(DATA[1][0])},
        "variants": rows,
        "chosen": chosen,
    }
    (folder / "beyond.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="+", help="variant numbers to run")
    parser.add_argument("--slice", type=int, help="train on the first N training digits only")
    parser.add_argument("--jobs", type=int, default=1, help="variants trained at once (default 1)")
    parser.add_argument("--out", type=Path, help=f"folder for the results (default {RESULTS})")
    args = parser.parse_args(argv)
    partial = args.only is not None or args.slice is not None
    folder = args.out or (None if partial else RESULTS)

    (X_train, y_train), test = load_prepared()
    (X_fit, y_fit), validation = split(X_train, y_train)
    if args.slice:
        X_fit, y_fit = X_fit[: args.slice], y_fit[: args.slice]
    DATA = ((X_fit, y_fit), validation)
    before = {**machine(), "jobs": args.jobs}
    print(
        f"{before['cpu_count']} CPUs, numpy {before['numpy']}, load {before['load_average']}, "
        f"BLAS threads {before['blas_threads']}, {args.jobs} variant(s) at once"
    )
    print(f"training on {len(X_fit):,} digits, choosing on {len(validation[0]):,} others")
    print(
        f"{'':3}{'variant':22}{'epochs':>7}{'time':>9}{'CPU time':>10}{'best epoch':>12}"
        f"{'validation':>12}"
    )
    numbers = [i for i in range(len(VARIANTS)) if args.only is None or i in args.only]
    # fork: the workers share DATA with this process instead of receiving a copy
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.imap(run, [VARIANTS[number] for number in numbers])
        rows, networks = [], []
        for number, (row, network) in zip(numbers, results, strict=True):
            rows.append(row)
            networks.append(network)
            print(
                f"{number:<3}{row['variant']:22}{row['epochs']:>7}{row['seconds']:>8.1f}s"
                f"{row['cpu_seconds']:>9.1f}s{row['best_epoch']:>12}{row['val_accuracy']:>12.2%}",
                flush=True,
            )
    chosen = test_chosen(rows, networks, test)
    print(
        f"chosen on validation: {chosen['variant']} after {chosen['recipe']['epochs']} epochs "
        f"(about {chosen['seconds']:.0f} s, {chosen['cpu_seconds']:.0f} s of CPU time; "
        f"validation {chosen['val_accuracy']:.2%})\n"
        f"its test accuracy, the only one measured: {chosen['test_accuracy']:.2%}"
    )
    if folder is not None:
        write(rows, chosen, before, folder)
        print(f"wrote {folder / 'beyond.csv'} and {folder / 'beyond.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
