"""Tests for nnlib.training: mini-batches, fit (it learns, it repeats, it refuses bad input and
reports divergence) and evaluate."""

import numpy as np
import pytest

from nnlib.layers import Dense, Dropout, Flatten, Layer, ReLU, Sigmoid, Tanh
from nnlib.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Loss,
    MeanSquaredError,
    softmax_cross_entropy,
)
from nnlib.metrics import accuracy
from nnlib.network import Sequential
from nnlib.optim import SGD, Adam
from nnlib.training import evaluate, fit, minibatches

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y_XOR = np.array([0, 1, 1, 0])


def two_moons(n, noise, seed):
    """Two interleaved half circles: class 0 the upper one, class 1 the lower one, shifted."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    return np.column_stack([x, y]) + noise * rng.standard_normal((n, 2)), (~upper).astype(int)


def moons_network(seed=0):
    return Sequential(
        [
            Dense(2, 16, init="he_normal", seed=seed),
            ReLU(),
            Dropout(0.1, seed=seed),
            Dense(16, 16, init="he_normal", seed=seed + 1),
            ReLU(),
            Dense(16, 2, seed=seed + 2),
        ]
    )


# ----------------------------------------------------------------------------- minibatches


def test_minibatches_cover_every_sample_once_and_keep_the_last_partial_batch():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    batches = list(minibatches(X, y, 4, seed=0))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)  # rows stay with their labels
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(10))
    assert not np.array_equal(seen, np.arange(10))  # shuffled


def test_minibatches_order_follows_the_seed():
    X, y = np.zeros((50, 1)), np.arange(50)
    order = [np.concatenate([yb for _, yb in minibatches(X, y, 8, seed=s)]) for s in (1, 1, 2)]
    np.testing.assert_array_equal(order[0], order[1])
    assert not np.array_equal(order[0], order[2])


def test_minibatches_without_shuffling():
    X, y = np.arange(5.0).reshape(5, 1), np.arange(5)
    batches = list(minibatches(X, y, 2, shuffle=False))
    assert [list(yb) for _, yb in batches] == [[0, 1], [2, 3], [4]]
    assert np.shares_memory(batches[0][0], X)  # views, not copies


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((4, 2)), np.zeros(4), 0), r"minibatches: batch_size must be a positive integer"),
        (
            (np.zeros((4, 2)), np.zeros(3), 2),
            r"minibatches: X and y must have one entry per sample, "
            r"got 4 rows of X and 3 of y",
        ),
    ],
)
def test_minibatches_errors(args, match):
    with pytest.raises(ValueError, match=match):
        minibatches(*args)


# ----------------------------------------------------------------------------- fit learns


def test_fit_learns_xor():
    """A 2-4-1 network learns XOR: the four points all classified right, checkable by hand."""
    net = Sequential([Dense(2, 4, seed=0), Tanh(), Dense(4, 1, seed=1), Sigmoid()])
    history = fit(
        net,
        X_XOR,
        Y_XOR,
        BinaryCrossEntropy(),
        SGD(0.5, momentum=0.9),
        epochs=300,
        batch_size=4,
        seed=0,
        progress=False,
    )
    np.testing.assert_array_equal(net.predict(X_XOR), [0, 1, 1, 0])
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.01 < history.loss[0]


def test_fit_learns_two_moons():
    """Two moons with noise 0.15 are not linearly separable (a linear classifier gets about 88%);
    a small ReLU network reaches at least 97% on fresh points from the same distribution."""
    X, y = two_moons(400, 0.15, seed=0)
    X_val, y_val = two_moons(400, 0.15, seed=1)
    net = moons_network()
    history = fit(
        net,
        X,
        y,
        CrossEntropy(),
        Adam(0.01),
        epochs=60,
        batch_size=32,
        seed=0,
        validation_data=(X_val, y_val),
        progress=False,
    )
    assert history.val_accuracy[-1] >= 0.97
    assert accuracy(y_val, net.predict(X_val)) == history.val_accuracy[-1]
    assert len(history.loss) == len(history.accuracy) == len(history.val_loss) == 60


def test_same_seed_same_run_bit_for_bit():
    X, y = two_moons(100, 0.2, seed=3)

    def run():
        net = moons_network(seed=5)  # with dropout: its masks are seeded too
        history = fit(
            net,
            X,
            y,
            CrossEntropy(),
            SGD(0.1, momentum=0.9),
            epochs=5,
            batch_size=16,
            seed=7,
            progress=False,
        )
        return history, [param.copy() for param, _ in net.parameters()]

    (h1, p1), (h2, p2) = run(), run()
    assert h1.loss == h2.loss and h1.accuracy == h2.accuracy
    for a, b in zip(p1, p2, strict=True):
        np.testing.assert_array_equal(a, b)
    net = moons_network(seed=5)
    other = fit(
        net,
        X,
        y,
        CrossEntropy(),
        SGD(0.1, momentum=0.9),
        epochs=5,
        batch_size=16,
        seed=8,
        progress=False,
    )
    assert other.loss != h1.loss  # another shuffling seed, another run


def test_history_of_one_full_batch_epoch_is_the_starting_network():
    """With one batch per epoch, the epoch's loss and accuracy are those of the network before
    its only step."""
    X, y = two_moons(64, 0.2, seed=0)
    net = Sequential([Dense(2, 8, seed=0), Tanh(), Dense(8, 2, seed=1)])
    start_loss = softmax_cross_entropy(net.forward(X), y)
    start_accuracy = accuracy(y, net.predict(X))
    history = fit(net, X, y, CrossEntropy(), SGD(0.1), epochs=1, batch_size=64, progress=False)
    assert history.loss[0] == pytest.approx(start_loss, rel=1e-6)
    assert history.accuracy[0] == start_accuracy


def test_regression_targets_have_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    net = Sequential([Dense(3, 1, seed=0)])
    history = fit(
        net,
        X,
        y,
        MeanSquaredError(),
        SGD(0.1),
        epochs=30,
        batch_size=8,
        validation_data=(X, y),
        progress=False,
    )
    assert history.accuracy == [] and history.val_accuracy == []
    assert history.loss[-1] < 1e-3 * history.loss[0]
    np.testing.assert_allclose(net.layers[0].W[:, 0], [1.0, -2.0, 0.5], atol=0.01)


def test_a_loss_of_ones_own_needs_only_its_value_and_gradient():
    class MeanAbsoluteError(Loss):
        def __call__(self, output, target):
            return float(np.mean(np.abs(output - target)))

        def gradient(self, output, target):
            return np.sign(output - target) / output.size

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    net = Sequential([Dense(3, 1, seed=0)])
    history = fit(
        net, X, y, MeanAbsoluteError(), SGD(0.05), epochs=100, batch_size=8, seed=0, progress=False
    )
    assert history.loss[-1] < 0.05 * history.loss[0]
    np.testing.assert_allclose(net.layers[0].W[:, 0], [1.0, -2.0, 0.5], atol=0.05)


def test_mse_on_labels_counts_accuracy():
    """Nielsen's set-up: MSE against one-hot rows made from 1-D labels, accuracy counted."""
    net = Sequential([Dense(2, 4, seed=0), Tanh(), Dense(4, 2, seed=1), Sigmoid()])
    history = fit(
        net,
        X_XOR,
        Y_XOR,
        MeanSquaredError(),
        SGD(2.0, momentum=0.9),
        epochs=400,
        batch_size=4,
        seed=0,
        progress=False,
    )
    assert history.accuracy[-1] == 1.0


def test_callbacks_stop_and_change_the_learning_rate():
    X, y = two_moons(64, 0.2, seed=0)
    optimizer = SGD(0.1)
    seen = []

    def halve_then_stop(epoch, history):
        seen.append((epoch, len(history.loss)))
        optimizer.learning_rate /= 2
        return epoch == 3

    history = fit(
        moons_network(),
        X,
        y,
        CrossEntropy(),
        optimizer,
        epochs=10,
        batch_size=16,
        callbacks=[halve_then_stop],
        progress=False,
    )
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert len(history.loss) == 3
    assert optimizer.learning_rate == 0.1 / 8


def test_progress_bar(capsys):
    X, y = two_moons(32, 0.2, seed=0)
    fit(moons_network(), X, y, CrossEntropy(), SGD(0.1), epochs=2, batch_size=16, progress=False)
    assert capsys.readouterr().err == ""
    fit(moons_network(), X, y, CrossEntropy(), SGD(0.1), epochs=2, batch_size=16, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "4/4" in err and "loss=" in err


# ----------------------------------------------------------------------------- evaluate


def test_evaluate_matches_the_whole_batch():
    X, y = two_moons(300, 0.2, seed=4)
    net = moons_network()
    fit(net, X, y, CrossEntropy(), Adam(0.01), epochs=3, batch_size=32, progress=False)
    value, acc = evaluate(net, X, y, CrossEntropy(), batch_size=64)
    assert value == pytest.approx(softmax_cross_entropy(net.forward(X), y), rel=1e-5)
    assert acc == accuracy(y, net.predict(X))
    assert evaluate(net, X, y, CrossEntropy(), batch_size=7)[0] == pytest.approx(value, rel=1e-5)


def test_evaluate_regression_has_no_accuracy():
    X = np.ones((3, 2))
    net = Sequential([Dense(2, 1, init="zeros")])
    value, acc = evaluate(net, X, np.full((3, 1), 2.0), MeanSquaredError())
    assert acc is None
    assert value == pytest.approx(2.0)  # outputs 0, targets 2: (1 / 2n) * n * 2**2


# ----------------------------------------------------------------------------- bad input


def xor_net():
    return Sequential([Dense(2, 4, seed=0), Tanh(), Dense(4, 1, seed=1), Sigmoid()])


BCE, XOR_SGD = BinaryCrossEntropy(), SGD(0.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"X": np.ones((4, 3))},
            ValueError,
            r"fit: X must have 2 features \(columns\), got "
            r"shape \(4, 3\)",
        ),
        ({"X": np.ones(4)}, ValueError, r"fit: X must be 2-D .*reshape"),
        (
            {"X": [[0, 0], [0, np.nan], [1, 0], [1, 1]]},
            ValueError,
            r"fit: X contains 1 NaN or infinite value\(s\), the first at index \(1, 1\)",
        ),
        ({"X": np.ones((0, 2)), "y": np.ones(0)}, ValueError, r"fit: X has no samples"),
        ({"y": [0, 1, 1]}, ValueError, r"fit: X and y must have one entry per sample, got 4 rows"),
        (
            {"y": [0, 1, 2, 0]},
            ValueError,
            r"fit: y does not suit BinaryCrossEntropy: .*probabilities in \[0, 1\], got 2.0",
        ),
        (
            {"net": Sequential([Dense(2, 3)]), "loss": CrossEntropy(), "y": [0, 1, 3, 0]},
            ValueError,
            r"fit: y: labels must be class indices 0..2 .* e.g. 3",
        ),
        (
            {"net": Sequential([Dense(2, 3)]), "loss": CrossEntropy(), "y": [0, 1, -1, 0]},
            ValueError,
            r"fit: y: labels must be class indices 0..2",
        ),
        ({"epochs": 0}, ValueError, r"fit: epochs must be a positive integer, got 0"),
        ({"epochs": 2.5}, ValueError, r"fit: epochs must be a positive integer, got 2.5"),
        ({"batch_size": -1}, ValueError, r"fit: batch_size must be a positive integer, got -1"),
        ({"loss": softmax_cross_entropy}, TypeError, r"fit: loss must be a loss object"),
        ({"optimizer": 0.1}, TypeError, r"fit: optimizer must have a step method"),
        (
            {"validation_data": (np.ones((2, 5)), [0, 1])},
            ValueError,
            r"fit: validation: X must have 2 features",
        ),
    ],
)
def test_fit_refuses_bad_input(kwargs, error, match):
    args = {
        "net": xor_net(),
        "X": X_XOR,
        "y": Y_XOR,
        "loss": BCE,
        "optimizer": XOR_SGD,
        "epochs": 1,
        "batch_size": 2,
        "validation_data": None,
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit(
            args["net"],
            args["X"],
            args["y"],
            args["loss"],
            args["optimizer"],
            args["epochs"],
            batch_size=args["batch_size"],
            validation_data=args["validation_data"],
            progress=False,
        )


def test_non_positive_learning_rate():
    with pytest.raises(ValueError, match=r"SGD: learning_rate must be a positive number"):
        fit(xor_net(), X_XOR, Y_XOR, BCE, SGD(-0.1), epochs=1, progress=False)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize(
    ("last", "loss", "y"),
    [
        (Dense(16, 2, seed=3), CrossEntropy(), lambda y: y),
        (Dense(16, 1, seed=3), MeanSquaredError(), lambda y: y.reshape(-1, 1).astype(float)),
    ],
)
def test_divergence_stops_training(last, loss, y):
    """An absurd learning rate makes the loss overflow; fit stops at once and says where."""
    X, labels = two_moons(400, 0.15, seed=0)
    net = Sequential([Dense(2, 16, seed=1), ReLU(), last])
    with pytest.raises(
        FloatingPointError,
        match=r"fit: the loss became (nan|inf) at epoch 1, "
        r"step \d+ of 13: training diverged\. Try a smaller learning rate "
        r"\(it is 10000.0\)",
    ):
        fit(net, X, y(labels), loss, SGD(1e4), epochs=5, batch_size=32, seed=0, progress=False)


def test_divergence_in_the_last_step_of_an_epoch_is_named_before_validation(recwarn):
    """One step per epoch: x = 1e18 gives a finite loss (5e35 in float32) but a gradient of 1e36,
    so the update with learning rate 1e3 sends W to infinity. Validation must not then report
    the NaN as bad data: fit names the epoch and its last step, without overflow warnings."""
    X, y = np.array([[1e18]], dtype=np.float32), np.zeros((1, 1), dtype=np.float32)
    net = Sequential([Dense(1, 1, seed=0)])
    with pytest.raises(
        FloatingPointError,
        match=r"the parameters stopped being finite in the last step of epoch 1 \(step 1\)",
    ):
        fit(
            net,
            X,
            y,
            MeanSquaredError(),
            SGD(1e3),
            epochs=2,
            batch_size=1,
            validation_data=(X, y),
            progress=False,
        )
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ----------------------------------------------------------------------------- new layers


class Scale(Layer):
    """A learner's own layer, written to the protocol of nnlib.layers.Layer: one weight per
    feature, ``y = x * w``. Placed first, Sequential tells it ``need_input_grad=False``."""

    def __init__(self, n):
        self.w, self.dw, self.x = np.ones(n, dtype=np.float32), np.zeros(n, np.float32), None
        self.calls = []

    def forward(self, X, training=False):
        self.x = np.asarray(X)
        return self.x * self.w

    def backward(self, grad_out, need_input_grad=True):
        self.calls.append(need_input_grad)
        self.dw[...] = np.sum(grad_out * self.x, axis=0)
        return grad_out * self.w if need_input_grad else None

    def parameters(self):
        return [(self.w, self.dw)]


def test_a_learners_own_layer_placed_first_trains():
    X, y = two_moons(200, 0.1, seed=0)
    first = Scale(2)
    net = Sequential([first, Dense(2, 16, seed=0), Tanh(), Dense(16, 2, seed=1)])
    history = fit(net, X, y, CrossEntropy(), SGD(0.3), epochs=30, batch_size=20, seed=0,
                  progress=False)
    assert history.accuracy[-1] > 0.85
    assert set(first.calls) == {False}  # nothing below the first layer learns
    assert not np.array_equal(first.w, [1.0, 1.0])  # and it learned
    # its gradient is right: finite differences of the loss with respect to w
    output = net.forward(X[:8])
    net.backward(CrossEntropy().gradient(output, y[:8]))
    analytic = first.dw.astype(np.float64).copy()
    numeric = []
    for k in range(2):
        for sign in (1, -1):
            first.w[k] += sign * 1e-2
            numeric.append(CrossEntropy()(net.forward(X[:8]), y[:8]))
            first.w[k] -= sign * 1e-2
    numeric = [(numeric[0] - numeric[1]) / 2e-2, (numeric[2] - numeric[3]) / 2e-2]
    np.testing.assert_allclose(analytic, numeric, rtol=2e-2, atol=1e-4)


def test_images_of_any_shape_train_through_flatten():
    """(n, 4, 4) images: the bright left half is class 0, the right half class 1."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    images = rng.random((300, 4, 4)) * 0.2
    images[y == 0, :, :2] += 0.8
    images[y == 1, :, 2:] += 0.8
    net = Sequential([Flatten(), Dense(16, 8, seed=0), Sigmoid(), Dense(8, 2, seed=1)])
    history = fit(net, images, y, CrossEntropy(), SGD(0.5), epochs=10, batch_size=30, seed=0,
                  validation_data=(images[:50], y[:50]), progress=False)
    assert history.val_accuracy[-1] == 1.0
    assert net.predict(images[:5]).tolist() == y[:5].tolist()
    with pytest.raises(ValueError, match=r"fit: X contains 1 NaN"):
        bad = images.copy()
        bad[3, 2, 1] = np.nan
        fit(net, bad, y, CrossEntropy(), SGD(0.5), epochs=1, progress=False)
