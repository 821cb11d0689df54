"""How fast and how well nnlib trains the seed MNIST network, against the machine and PyTorch.

Run from the repository root (best on a quiet machine):

    .venv/bin/python benchmarks/bench_mnist.py            # speed and memory (about 1 minute)
    .venv/bin/python benchmarks/bench_mnist.py --seeds 3  # plus 20-epoch accuracy over 3 seeds

It prints, measured in turns in the same run (one epoch of each per round, the best kept):

* the BLAS lower bound of one epoch: the epoch's 95.9 GFLOP of matrix products (forward through
  both layers, dW of both, dX of the second only) timed as bare ``numpy.matmul`` calls at the
  network's exact shapes, with nothing else in between;
* nnlib's time per epoch (``fit``: shuffling, forward, loss, backward, SGD) and its ratio to that
  bound, for reference;
* the time of the same arithmetic as one bare numpy loop, what numpy itself allows, and nnlib's
  ratio to it, the library's own cost (target: within 1.15x, median of the rounds);
* PyTorch's time per epoch for the same network, float32, same threads, same batch size, if PyTorch
  is installed (``pip install torch==2.13.0``), and the ratio (target: nnlib at least 1.10x
  faster, median of the rounds);
* the peak memory of a full ``nnlib mnist`` training run (target: under 1 GB);
* with ``--seeds N``, the test accuracy of the 20-epoch seed network for seeds 0..N-1
  (target: at least 97.4%).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from nnlib.losses import CrossEntropy
from nnlib.mnist import Recipe, load_prepared
from nnlib.optim import SGD
from nnlib.training import fit

BATCH, N_IN, N_HIDDEN, N_OUT = 128, 784, 500, 10


def epoch_gflop(n_samples: int) -> float:
    """Multiply-adds of one epoch's matrix products, times two: forward X@W1, H@W2; backward
    dW2 = H^T delta2, dH = delta2 W2^T, dW1 = X^T delta1 (no dX for the first layer)."""
    macs = n_samples * (2 * N_IN * N_HIDDEN + 3 * N_HIDDEN * N_OUT)
    return 2 * macs / 1e9


def bare_matmul_epoch(X: np.ndarray) -> Callable[[], float]:
    """A function that times one epoch of the network's matrix products alone, in seconds."""
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((N_IN, N_HIDDEN), dtype=np.float32)
    W2 = rng.standard_normal((N_HIDDEN, N_OUT), dtype=np.float32)
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)

    def epoch() -> float:
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            X_batch = X[i : i + BATCH]
            H = X_batch @ W1
            delta2 = H @ W2
            np.matmul(H.T, delta2, out=dW2)
            delta1 = delta2 @ W2.T
            np.matmul(X_batch.T, delta1, out=dW1)
        return time.perf_counter() - start

    return epoch


def bare_numpy_epoch(X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """A function that times one epoch of ``fit``'s arithmetic as one bare numpy loop.

    The same steps as nnlib (forward, loss value, accuracy count, backward, SGD), with no layers,
    no checks and no book-keeping, every array computed in place where it can be: what numpy
    itself allows for this network, so the distance from it to nnlib is the library's own cost.
    """
    first, _, last = Recipe().network().layers
    W1, b1, W2, b2 = first.W, first.b, last.W, last.b
    grads = [np.empty_like(param) for param in (W1, b1, W2, b2)]
    steps = [np.empty_like(param) for param in (W1, b1, W2, b2)]
    dW1, db1, dW2, db2 = grads
    labels = y.astype(np.int64)
    rng = np.random.default_rng(0)

    def epoch() -> float:
        order = rng.permutation(len(X))
        total_loss, n_correct = 0.0, 0
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            rows = order[i : i + BATCH]
            X_batch, y_batch = X[rows], labels[rows]
            A = X_batch @ W1
            A += b1
            top = np.minimum(A, 0)  # sigmoid as nnlib's: exp(min(z, 0)) / (1 + exp(-|z|))
            np.exp(top, out=top)
            np.abs(A, out=A)
            np.negative(A, out=A)
            np.exp(A, out=A)
            A += 1
            np.divide(top, A, out=A)
            Z = A @ W2
            Z += b2
            n_correct += np.count_nonzero(Z.argmax(axis=1) == y_batch)
            Z -= Z.max(axis=1, keepdims=True)
            right = Z[np.arange(len(Z)), y_batch]
            np.exp(Z, out=Z)
            sums = Z.sum(axis=1, keepdims=True)
            total_loss += np.mean(np.log(sums[:, 0]) - right) * len(Z)
            Z /= sums  # softmax, then delta2 = (p - y) / n
            Z[np.arange(len(Z)), y_batch] -= 1
            Z /= len(Z)
            np.matmul(A.T, Z, out=dW2)
            np.sum(Z, axis=0, out=db2)
            delta1 = Z @ W2.T
            delta1 *= A
            np.subtract(1, A, out=A)
            delta1 *= A  # delta2 W2^T * a * (1 - a)
            np.matmul(X_batch.T, delta1, out=dW1)
            np.sum(delta1, axis=0, out=db1)
            for param, grad, step in zip((W1, b1, W2, b2), grads, steps, strict=True):
                np.multiply(grad, -0.5, out=step)
                param += step
        return time.perf_counter() - start

    return epoch


def torch_epoch(X: np.ndarray, y: np.ndarray) -> Callable[[], float] | None:
    """A function that times one epoch of the same network in PyTorch (None if not installed)."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(N_IN, N_HIDDEN), torch.nn.Sigmoid(), torch.nn.Linear(N_HIDDEN, N_OUT)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    rng = np.random.default_rng(0)

    def epoch() -> float:
        order = torch.from_numpy(rng.permutation(len(X)))
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            index = order[i : i + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X_t[index]), y_t[index]).backward()
            optimizer.step()
        return time.perf_counter() - start

    return epoch


def time_epochs(X: np.ndarray, y: np.ndarray, rounds: int) -> dict[str, list[float]]:
    """Seconds per epoch of the bare products, the bare numpy loop, nnlib and PyTorch, in turns.

    ``fit`` trains the seed network for ``rounds + 1`` epochs; after each one its callback times
    one epoch of each of the others. So all four are measured minutes apart at most, and a
    stretch of the machine being slower (another process, a busy neighbour on a shared host)
    slows all four rather than one of them. nnlib's first epoch, which includes ``fit``'s one-off
    check of the data, is left out.
    """
    bound, bare_numpy = bare_matmul_epoch(X), bare_numpy_epoch(X, y)
    torch_time = torch_epoch(X, y)
    times: dict[str, list[float]] = {"bound": [], "numpy": [], "nnlib": [], "torch": []}
    epoch_started = time.perf_counter()

    def between_epochs(epoch: int, history) -> None:
        nonlocal epoch_started
        if epoch > 1:
            times["nnlib"].append(time.perf_counter() - epoch_started)
            times["bound"].append(bound())
            times["numpy"].append(bare_numpy())
            if torch_time is not None:
                times["torch"].append(torch_time())
        epoch_started = time.perf_counter()

    fit(
        Recipe().network(),
        X,
        y,
        CrossEntropy(),
        SGD(0.5),
        epochs=rounds + 1,
        batch_size=BATCH,
        seed=0,
        progress=False,
        callbacks=[between_epochs],
    )
    return times


def train_full(seed: int) -> tuple[float, float, float]:
    """Run ``nnlib mnist`` for 20 epochs in a child process: (test accuracy, seconds, peak MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "nnlib", "mnist", "--quiet", "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    accuracy = float(re.search(r"^test accuracy: ([0-9.]+)$", out, re.MULTILINE)[1])
    return accuracy, seconds, max(peak_kb, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="epochs timed of each, best kept")
    parser.add_argument("--seeds", type=int, default=0, help="20-epoch runs for accuracy")
    args = parser.parse_args()

    (X, y), _ = load_prepared()
    gflop = epoch_gflop(len(X))
    times = time_epochs(X, y, args.rounds)
    bound, ours = min(times["bound"]), min(times["nnlib"])

    def typical(numerator: str, denominator: str) -> float:
        """The median over the rounds of one round's ratio: robust to a slow stretch."""
        return statistics.median(
            a / b for a, b in zip(times[numerator], times[denominator], strict=True)
        )

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"seed network 784-500-10, batch {BATCH}, float32, {os.cpu_count()} cores")
    print(f"load average (1, 5, 15 min) after the timed epochs: {load}")
    print(f"{args.rounds} rounds; each times one epoch of each, the best epoch is kept")
    print(f"matrix products per epoch:  {gflop:.1f} GFLOP")
    print(f"BLAS lower bound per epoch: {bound:.3f} s  ({gflop / bound:.1f} GFLOP/s)")
    if max(times["bound"]) > 1.15 * bound:
        print(
            f"  (the machine was not quiet: the same bound epoch took {bound:.3f} to "
            f"{max(times['bound']):.3f} s; the best epochs and the medians may disagree)"
        )
    print(
        f"nnlib time per epoch:       {ours:.3f} s  = {ours / bound:.2f}x the bound "
        f"(median of the rounds {typical('nnlib', 'bound'):.2f}x)"
    )
    print(
        f"bare numpy loop per epoch:  {min(times['numpy']):.3f} s  = "
        f"{min(times['numpy']) / bound:.2f}x the bound (nnlib's arithmetic with no library); "
        f"nnlib is {ours / min(times['numpy']):.2f}x it (target <= 1.15x; median of the rounds "
        f"{typical('nnlib', 'numpy'):.2f}x)"
    )
    if not times["torch"]:
        print("PyTorch: not installed (pip install torch==2.13.0 to compare)")
    else:
        torch_time = min(times["torch"])
        print(
            f"PyTorch time per epoch:     {torch_time:.3f} s  = nnlib is "
            f"{torch_time / ours:.2f}x faster (target >= 1.10x; median of the rounds "
            f"{typical('torch', 'nnlib'):.2f}x)"
        )

    accuracies, peak = [], 0.0
    for seed in range(max(args.seeds, 1)):
        accuracy, seconds, peak = train_full(seed)
        accuracies.append(accuracy)
        print(
            f"20 epochs, seed {seed}: test accuracy {accuracy:.4f} in {seconds:.1f} s "
            f"(peak memory {peak:.0f} MB, target < 1024 MB)"
        )
        if not args.seeds:
            break
    if len(accuracies) > 1:
        print(
            f"test accuracy over {len(accuracies)} seeds: mean {statistics.mean(accuracies):.4f}, "
            f"min {min(accuracies):.4f}, max {max(accuracies):.4f} (target >= 0.974)"
        )


if __name__ == "__main__":
    main()
