"""How fast and how well nnlib trains the seed MNIST network, against the machine and PyTorch.

Run from the repository root (best on a quiet machine):

    .venv/bin/python benchmarks/bench_mnist.py            # speed and memory (about 1 minute)
    .venv/bin/python benchmarks/bench_mnist.py --seeds 3  # plus 20-epoch accuracy over 3 seeds

It prints, all measured in the same run:

* the BLAS lower bound of one epoch: the epoch's 95.9 GFLOP of matrix products (forward through
  both layers, dW of both, dX of the second only) timed as bare ``numpy.matmul`` calls at the
  network's exact shapes, with nothing else in between;
* nnlib's time per epoch (``fit``: shuffling, forward, loss, backward, SGD) and its ratio to that
  bound (target: within 1.3x);
* PyTorch's time per epoch for the same network, float32, same threads, same batches, if PyTorch
  is installed (``pip install torch==2.13.0``), and the ratio (target: nnlib at least 1.2x faster);
* the peak memory of a full ``nnlib mnist`` training run (target: under 1.5 GB);
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


def time_bare_matmuls(X: np.ndarray, repeats: int) -> float:
    """The best time of one epoch of the network's matrix products alone, in seconds."""
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((N_IN, N_HIDDEN), dtype=np.float32)
    W2 = rng.standard_normal((N_HIDDEN, N_OUT), dtype=np.float32)
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            X_batch = X[i : i + BATCH]
            H = X_batch @ W1
            delta2 = H @ W2
            np.matmul(H.T, delta2, out=dW2)
            delta1 = delta2 @ W2.T
            np.matmul(X_batch.T, delta1, out=dW1)
        best = min(best, time.perf_counter() - start)
    return best


def time_nnlib_epochs(X, y, repeats: int) -> float:
    """The best time of one epoch of ``fit`` on the seed network, in seconds."""
    network = Recipe().network()
    optimizer, loss = SGD(0.5), CrossEntropy()
    best = np.inf
    for epoch in range(repeats):
        start = time.perf_counter()
        fit(network, X, y, loss, optimizer, epochs=1, batch_size=BATCH, seed=epoch, progress=False)
        best = min(best, time.perf_counter() - start)
    return best


def time_torch_epochs(X, y, repeats: int) -> float | None:
    """The best time of one epoch of the same network in PyTorch (None if not installed)."""
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
    best = np.inf
    for _ in range(repeats):
        order = torch.from_numpy(rng.permutation(len(X)))
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            index = order[i : i + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X_t[index]), y_t[index]).backward()
            optimizer.step()
        best = min(best, time.perf_counter() - start)
    return best


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
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed, best kept")
    parser.add_argument("--seeds", type=int, default=0, help="20-epoch runs for accuracy")
    args = parser.parse_args()

    (X, y), _ = load_prepared()
    gflop = epoch_gflop(len(X))
    bound = time_bare_matmuls(X, args.repeats)
    ours = time_nnlib_epochs(X, y, args.repeats)
    torch_time = time_torch_epochs(X, y, args.repeats)

    print(f"seed network 784-500-10, batch {BATCH}, float32, {os.cpu_count()} cores")
    print(f"matrix products per epoch:  {gflop:.1f} GFLOP")
    print(f"BLAS lower bound per epoch: {bound:.3f} s  ({gflop / bound:.1f} GFLOP/s)")
    print(
        f"nnlib time per epoch:       {ours:.3f} s  = {ours / bound:.2f}x the bound "
        f"(target <= 1.30x)"
    )
    if torch_time is None:
        print("PyTorch: not installed (pip install torch==2.13.0 to compare)")
    else:
        print(
            f"PyTorch time per epoch:     {torch_time:.3f} s  = nnlib is "
            f"{torch_time / ours:.2f}x faster (target >= 1.20x)"
        )

    accuracies, peak = [], 0.0
    for seed in range(max(args.seeds, 1)):
        accuracy, seconds, peak = train_full(seed)
        accuracies.append(accuracy)
        print(
            f"20 epochs, seed {seed}: test accuracy {accuracy:.4f} in {seconds:.1f} s "
            f"(peak memory {peak:.0f} MB, target < 1536 MB)"
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
