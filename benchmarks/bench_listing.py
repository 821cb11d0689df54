"""Chapter 09's measurements: the seed tutorial's TensorFlow listing re-run in nnlib, then each fix.

Run from the repository root, on a machine doing nothing else (about 10 minutes on 2 quiet
cores):

    .venv/bin/python benchmarks/bench_listing.py

The listing (``chapters/listings/tf1_mnist.py``) trains 784-500-10 with N(0, 1) weights, the mean
of ``-sum(y * log(softmax))``, gradient descent with learning rate 0.5, for 1,000 steps of 100
images drawn from the 55,000 training images of TensorFlow's ``input_data.read_data_sets``. Each
row below changes one thing from the row above, and each row of that schedule is run with several
seeds (``--seeds``, 3 by default; the first row, whose fate is a matter of chance, with
``--printed-seeds``, 10 by default):

1. the listing as printed, its loss computed as TensorFlow computes it
   (``nnlib.course.listings.ListingCrossEntropy``: a probability below float32's smallest normal
   number is 0, and then the loss and the gradient are NaN);
2. the loss computed from the logits (``CrossEntropy``, as ``softmax_cross_entropy_with_logits``);
3. Glorot-uniform weights (Keras' default) instead of N(0, 1);
4. the Keras listing's schedule: 20 epochs of batches of 128 on all 60,000 images, which is the
   Keras listing itself and the seed network of chapter 08 (one seed).

It prints a table and writes ``benchmarks/results/listing.json`` (the rows, the test accuracy
every 100 steps, the saturated fraction of the hidden units, the largest logit gaps, the machine),
which chapter 09 reads.

``--tensorflow`` instead runs the verbatim listing file itself under TensorFlow 2's
``tf.compat.v1`` (``pip install tensorflow-cpu``), with only its two undefined names supplied
(``mnist``, as ``read_data_sets`` made it, and the usual ``accuracy``), and adds what it printed to
the results file. ``--only 1 3`` runs some rows only and replaces them in the results file.
``--steps`` and ``--slice`` shorten a run to check the script; they write the results file only
to a folder named by ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from bench_beyond import machine

from nnlib.course.listings import (
    LISTINGS,
    UNDERFLOW_GAP,
    ListingCrossEntropy,
    listing_network,
    read_data_sets_split,
    saturated_fraction,
    train_like_listing,
)
from nnlib.labels import one_hot
from nnlib.losses import CrossEntropy
from nnlib.mnist import Recipe, load_prepared, train

RESULTS = Path(__file__).resolve().parent / "results"

ROWS = [
    (
        "as printed",
        "N(0, 1) weights, -sum(y * log(softmax)) as TensorFlow computes it",
        "normal",
        ListingCrossEntropy,
    ),
    (
        "+ loss from the logits",
        "the stable cross-entropy of the logits (no log(0))",
        "normal",
        CrossEntropy,
    ),
    (
        "+ Glorot weights",
        "Glorot-uniform weights, Keras' default, instead of N(0, 1)",
        "glorot_uniform",
        CrossEntropy,
    ),
]
"""(name, what changes, weights, loss) of the rows on the listing's schedule."""


def listing_row(name, change, init, loss, data, seeds, steps) -> dict:
    """Train one row of the listing's schedule with every seed; its figures per seed."""
    (X_train, y_train), (X_test, y_test) = data
    runs = []
    for seed in seeds:
        network = listing_network(init, seed=seed)
        start = time.perf_counter()
        saturated_before = saturated_fraction(network, X_test)
        record = train_like_listing(
            network,
            read_data_sets_split(X_train, y_train),
            (X_test, y_test),
            loss(),
            steps=steps,
            seed=seed,
        )
        diverged = record["nan_step"] is not None
        runs.append(
            {
                "seed": seed,
                **record,
                "final_test_accuracy": None if diverged else record["test_accuracy"][-1],
                "saturated_before": saturated_before,
                "saturated_after": None if diverged else saturated_fraction(network, X_test),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    return {
        "variant": name,
        "change": change,
        "schedule": f"{steps} steps of 100",
        "init": init,
        "loss": loss.__name__,
        "runs": runs,
    }


def keras_row(data, epochs) -> dict:
    """The Keras listing: the seed recipe, trained on all 60,000 training images."""
    start = time.perf_counter()
    recipe = Recipe(epochs=epochs)
    _, history, test_accuracy = train(recipe, data, progress=False)
    return {
        "variant": "+ Keras' schedule",
        "change": f"{epochs} epochs of 128 on 60,000 images "
        "(the Keras listing, chapter 08's seed network)",
        "schedule": f"{epochs} epochs of 128",
        "init": "glorot_uniform",
        "loss": "CrossEntropy",
        "runs": [
            {
                "seed": recipe.seed,
                "final_test_accuracy": test_accuracy,
                "test_accuracy_per_epoch": history.val_accuracy,
                "seconds": round(time.perf_counter() - start, 1),
            }
        ],
    }


def print_row(number: int, row: dict) -> None:
    """One line of the table: the accuracy of each seed, or the step where it turned NaN."""
    results = [
        f"NaN at step {run['nan_step']}"
        if run.get("nan_step")
        else f"{run['final_test_accuracy']:.2%}"
        for run in row["runs"]
    ]
    print(f"{number:<3}{row['variant']:24}{row['schedule']:>20}   {', '.join(results)}", flush=True)


class _ListingNames(dict):
    """The listing's namespace; ``accuracy``, which it uses but never defines, is made on first
    use from its own ``y_pred`` and ``y``, as the TensorFlow tutorials of its time defined it."""

    def __missing__(self, name):
        if name != "accuracy":
            raise KeyError(name)
        tf = self["tf"]
        correct = tf.equal(tf.argmax(self["y_pred"], 1), tf.argmax(self["y"], 1))
        self[name] = tf.reduce_mean(tf.cast(correct, tf.float32))
        return self[name]


class _DataSet:
    """``mnist.train`` or ``mnist.test`` of ``read_data_sets(..., one_hot=True)``; ``next_batch``
    reshuffles at every pass, and here also notes the first step at which ``w1`` held NaN."""

    def __init__(self, images, labels, seed, names=None):
        self.images, self.labels = images, one_hot(labels, 10)
        self.rng, self.names, self.order, self.position = np.random.default_rng(seed), names, [], 0
        self.steps, self.nan_step = 0, None

    def next_batch(self, batch_size):
        watching = self.names is not None and self.nan_step is None and self.steps
        if watching and np.isnan(self.names["sess"].run(self.names["w1"])).any():
            self.nan_step = self.steps
        self.steps += 1
        if self.position + batch_size > len(self.order):
            self.order, self.position = self.rng.permutation(len(self.images)), 0
        rows = self.order[self.position : self.position + batch_size]
        self.position += batch_size
        return self.images[rows], self.labels[rows]


def tensorflow_runs(data, seeds) -> dict:
    """Run ``tf1_mnist.py`` as printed under ``tf.compat.v1``, once per seed."""
    import contextlib
    import io

    import tensorflow as tf

    (X_train, y_train), (X_test, y_test) = data
    code = compile((LISTINGS / "tf1_mnist.py").read_text(encoding="utf-8"), "tf1_mnist.py", "exec")
    tf.compat.v1.disable_eager_execution()
    runs = []
    for seed in seeds:
        tf.compat.v1.reset_default_graph()
        tf.compat.v1.set_random_seed(seed)
        names = _ListingNames()
        train_set = _DataSet(*read_data_sets_split(X_train, y_train), seed, names)
        names["mnist"] = type(
            "mnist", (), {"train": train_set, "test": _DataSet(X_test, y_test, seed)}
        )
        printed = io.StringIO()
        sys.modules["tensorflow"] = tf.compat.v1  # the listing's `import tensorflow as tf`
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(printed):
                exec(code, {"__name__": "tf1_mnist"}, names)
        finally:
            sys.modules["tensorflow"] = tf
        runs.append(
            {
                "seed": seed,
                "machine": machine(),
                "printed": printed.getvalue().strip(),
                "nan_step": train_set.nan_step,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        print(
            f"seed {seed}: {runs[-1]['printed']}   (w1 NaN from step {train_set.nan_step})",
            flush=True,
        )
    return {"tensorflow": tf.__version__, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per row (default 3)")
    parser.add_argument("--printed-seeds", type=int, default=10, help="seeds of row 1 (10)")
    parser.add_argument("--only", type=int, nargs="+", help="row numbers to run (1 to 4)")
    parser.add_argument("--seed-list", type=int, nargs="+", help="these seeds, not range(--seeds)")
    parser.add_argument("--steps", type=int, default=1000, help="steps of the listing's loop")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of the Keras row")
    parser.add_argument("--slice", type=int, help="train on the first N training digits only")
    parser.add_argument("--tensorflow", action="store_true", help="run the listing in TensorFlow")
    parser.add_argument("--out", type=Path, help=f"folder for the results (default {RESULTS})")
    args = parser.parse_args(argv)
    partial = args.steps != 1000 or args.epochs != 20 or args.slice is not None
    folder = args.out or (None if partial else RESULTS)

    (X_train, y_train), test = load_prepared()
    if args.slice:
        X_train, y_train = X_train[: args.slice + 5000], y_train[: args.slice + 5000]
    data = ((X_train, y_train), test)
    seeds = args.seed_list or list(range(args.seeds))
    before = machine()
    print(f"{before['cpu_count']} CPUs, numpy {before['numpy']}, load {before['load_average']}")
    path = folder / "listing.json" if folder else None
    report = json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}
    if args.tensorflow:  # runs of other seeds already in the file are kept
        earlier = report.get("tensorflow", {}).get("runs", [])
        measured = tensorflow_runs(data, seeds)
        runs = [run for run in earlier if run["seed"] not in seeds] + measured["runs"]
        report["tensorflow"] = {**measured, "runs": sorted(runs, key=lambda run: run["seed"])}
    else:
        print(f"{'':3}{'variant':24}{'schedule':>20}   test accuracy per seed")
        rows = report.get("rows", [None] * (len(ROWS) + 1))
        for number in args.only or range(1, len(ROWS) + 2):
            if number <= len(ROWS):
                row_seeds = range(args.printed_seeds) if number == 1 else seeds
                rows[number - 1] = listing_row(*ROWS[number - 1], data, row_seeds, args.steps)
            else:
                rows[number - 1] = keras_row(data, args.epochs)
            after = machine()["load_average"]
            rows[number - 1]["machine"] = {**before, "load_average_after": after}
            print_row(number, rows[number - 1])
        report.update(machine=before, underflow_gap=UNDERFLOW_GAP, rows=rows)
    if path:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
