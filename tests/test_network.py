"""Tests for nnlib.network: building, forward and backward through a whole network (against
finite differences, with each loss), predictions, and saving and loading."""

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import Dense, Dropout, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nnlib.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from nnlib.network import Sequential

TOL = 1e-6


def seed_network(dtype=np.float32):
    return Sequential(
        [Dense(784, 500, seed=0, dtype=dtype), Sigmoid(), Dense(500, 10, seed=1, dtype=dtype)]
    )


# ----------------------------------------------------------------------------- building


def test_n_params_and_widths():
    net = seed_network()
    assert net.n_params == 784 * 500 + 500 + 500 * 10 + 10  # 397,510
    assert (net.n_in, net.n_out, net.dtype) == (784, 10, np.float32)
    assert len(net.parameters()) == 4
    assert net.parameters()[0][0] is net.layers[0].W


def test_repr_shows_layers_shapes_and_counts():
    text = repr(seed_network())
    assert "(0) Dense(784, 500)" in text and "-> (n, 500)" in text and "392,500 parameters" in text
    assert "(1) Sigmoid()" in text
    assert "(2) Dense(500, 10)" in text and "-> (n, 10)" in text and "5,010 parameters" in text
    assert text.endswith("397,510 parameters in total")


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        ([], ValueError, r"Sequential: layers is empty"),
        ([Dense(2, 3), Sigmoid], TypeError, r"Sequential: layer 1 is .*Sigmoid.*not a layer"),
        (
            [Dense(784, 500), Sigmoid(), Dense(300, 10)],
            ValueError,
            r"Sequential: layer 2 Dense\(300, 10\) expects 300 features but the layers before "
            r"it give 500",
        ),
        (
            [Dense(2, 3), Dense(3, 1, dtype=np.float64)],
            ValueError,
            r"Sequential: all parameters must share one dtype",
        ),
    ],
)
def test_bad_architectures(layers, error, match):
    with pytest.raises(error, match=match):
        Sequential(layers)


# ----------------------------------------------------------------------------- forward


def test_xor_by_hand():
    """Chapter 04's hand-set 2-2-1 network: hidden unit 0 is OR, hidden unit 1 is AND, the output
    is "OR and not AND". Weights of 20 make every sigmoid within 5e-5 of 0 or 1."""
    hidden, output = Dense(2, 2, dtype=np.float64), Dense(2, 1, dtype=np.float64)
    hidden.W[...] = [[20, 20], [20, 20]]
    hidden.b[...] = [-10, -30]
    output.W[...] = [[20], [-20]]
    output.b[...] = [-10]
    net = Sequential([hidden, Sigmoid(), output, Sigmoid()])
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(net.predict(X), [0, 1, 1, 0])
    np.testing.assert_allclose(net.forward(X)[:, 0], [0, 1, 1, 0], atol=1e-4)


def test_predict_takes_the_largest_output():
    last = Dense(2, 3, dtype=np.float64)
    last.W[...] = [[1, 0, 0], [0, 0, 1]]
    net = Sequential([last])
    np.testing.assert_array_equal(net.predict([[2.0, 1.0], [0.0, 3.0], [-1, -2]]), [0, 2, 1])
    probabilities = net.predict_proba([[2.0, 1.0]])
    e = np.exp([2.0, 0.0, 1.0])
    np.testing.assert_allclose(probabilities, [e / e.sum()])  # softmax of the logits


def test_one_output_is_a_probability_threshold():
    """One output: class 1 when its probability is >= 0.5, i.e. a logit >= 0 (no final Sigmoid)
    or a sigmoid output >= 0.5 (a final Sigmoid)."""
    layer = Dense(1, 1, dtype=np.float64)
    layer.W[...] = 1.0
    X = [[-0.5], [0.0], [0.3]]
    logits = Sequential([layer])
    np.testing.assert_array_equal(logits.predict(X), [0, 1, 1])
    np.testing.assert_allclose(logits.predict_proba(X)[:, 0], 1 / (1 + np.exp([0.5, 0, -0.3])))
    np.testing.assert_array_equal(Sequential([layer, Sigmoid()]).predict(X), [0, 1, 1])


def test_softmax_output_is_kept_as_probabilities():
    net = Sequential([Dense(3, 4, seed=0, dtype=np.float64), Softmax()])
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(net.predict_proba(X), net.forward(X))
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0)


def test_forward_converts_to_the_network_dtype():
    assert seed_network().forward(np.ones((2, 784))).dtype == np.float32
    assert seed_network(np.float64).forward(np.ones((2, 784), np.float32)).dtype == np.float64


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (
            np.ones((128, 300)),
            r"Sequential.forward: X must have 784 features \(columns\), got shape \(128, 300\); "
            r"the first layer, Dense\(784, 500\), takes 784",
        ),
        (np.ones(784), r"Sequential.forward: X must be 2-D .* got shape \(784,\)"),
        (
            np.where(np.eye(3, 784) == 1, np.nan, 0.0),
            r"Sequential.forward: X contains 3 NaN or infinite value\(s\), the first at index "
            r"\(0, 0\)",
        ),
        (np.full((2, 784), np.inf), r"Sequential.forward: X contains 1568 NaN or infinite"),
    ],
)
def test_forward_errors(X, match):
    with pytest.raises(ValueError, match=match):
        seed_network().forward(X)


def test_forward_names_the_layer_that_refuses_its_input():
    net = seed_network()
    net.layers[2] = Dense(300, 10)  # changed behind the constructor's back
    with pytest.raises(
        ValueError,
        match=r"Dense\(300, 10\).forward: X must have 300 "
        r"features \(columns\), got shape \(128, 500\)",
    ):
        net.forward(np.zeros((128, 784)))


# ----------------------------------------------------------------------------- backward

rng = np.random.default_rng(2024)
CASES = {
    "MSE, tanh and sigmoid": (
        lambda: Sequential(
            [
                Dense(3, 4, seed=1, dtype=np.float64),
                Tanh(),
                Dense(4, 2, seed=2, dtype=np.float64),
                Sigmoid(),
            ]
        ),
        MeanSquaredError(),
        rng.random((5, 2)),
    ),
    "BCE, leaky ReLU and sigmoid": (
        lambda: Sequential(
            [
                Dense(3, 4, seed=3, dtype=np.float64),
                LeakyReLU(0.1),
                Dense(4, 1, seed=4, dtype=np.float64),
                Sigmoid(),
            ]
        ),
        BinaryCrossEntropy(),
        np.array([[0.0], [1.0], [1.0], [0.0], [1.0]]),
    ),
    "CE on logits, ReLU and dropout (off)": (
        lambda: Sequential(
            [
                Dense(3, 6, seed=5, dtype=np.float64),
                ReLU(),
                Dropout(0.5, seed=0),
                Dense(6, 4, seed=6, dtype=np.float64),
            ]
        ),
        CrossEntropy(),
        np.array([0, 3, 1, 1, 2]),
    ),
    "MSE through a softmax layer": (
        lambda: Sequential([Dense(3, 4, seed=7, dtype=np.float64), Softmax()]),
        MeanSquaredError(),
        np.eye(4)[[0, 1, 2, 3, 0]],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_network_gradients_with_each_loss(case):
    make, loss, y = CASES[case]
    net = make()
    for layer in net.layers:  # non-zero biases, so their gradients are tested too
        if isinstance(layer, Dense):
            layer.b[...] = np.random.default_rng(0).standard_normal(layer.b.shape)
    X = np.random.default_rng(1).standard_normal((5, 3))

    def cost(_):
        return loss(net.forward(X), y)

    output = net.forward(X)
    dX = net.backward(loss.gradient(output, y), need_input_grad=True)
    analytic = [grad.copy() for _, grad in net.parameters()]
    for (param, _), grad in zip(net.parameters(), analytic, strict=True):
        assert relative_error(grad, numerical_gradient(cost, param)) < TOL
    numeric_dX = numerical_gradient(lambda x: loss(net.forward(x), y), X.copy())
    assert relative_error(dX, numeric_dX) < TOL


def test_backward_skips_only_the_input_gradient():
    X = np.random.default_rng(0).standard_normal((4, 3))
    y = np.array([0, 1, 1, 0])
    gradients = []
    for need_input_grad in (False, True):
        net = CASES["CE on logits, ReLU and dropout (off)"][0]()
        output = net.forward(X)
        dX = net.backward(CrossEntropy().gradient(output, y), need_input_grad=need_input_grad)
        assert (dX is None) == (not need_input_grad)
        gradients.append([grad.copy() for _, grad in net.parameters()])
    for skipped, full in zip(*gradients, strict=True):
        np.testing.assert_array_equal(skipped, full)


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match=r"Dense\(500, 10\).backward: call forward first"):
        seed_network().backward(np.zeros((1, 10)))


# ----------------------------------------------------------------------------- save and load


def test_save_and_load_round_trip(tmp_path):
    net = Sequential(
        [
            Dense(4, 6, seed=0, dtype=np.float64),
            LeakyReLU(0.2),
            Dropout(0.3),
            Dense(6, 3, seed=1, dtype=np.float64),
        ]
    )
    net.layers[0].b[...] = [1, 2, 3, 4, 5, 6]
    path = net.save(tmp_path / "model")
    assert path == tmp_path / "model.npz" and path.is_file()
    with np.load(path, allow_pickle=False) as data:  # plain arrays only
        assert set(data.files) == {"architecture", "param_0", "param_1", "param_2", "param_3"}
    loaded = Sequential.load(path)
    assert repr(loaded) == repr(net)
    assert loaded.layers[1].alpha == 0.2 and loaded.layers[2].rate == 0.3
    X = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    for (a, _), (b, _) in zip(loaded.parameters(), net.parameters(), strict=True):
        assert a.dtype == b.dtype == np.float64
        np.testing.assert_array_equal(a, b)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Sequential.load: no file '.*nothing.npz'"):
        Sequential.load(tmp_path / "nothing.npz")


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a zip file",
        b"PK\x03\x04 a truncated zip",
    ],
)
def test_load_corrupt_file(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"Sequential.load: '.*broken.npz' is not a network"):
        Sequential.load(path)


def test_load_other_npz_files(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(ValueError, match=r"arrays.npz' is not a network .*KeyError"):
        Sequential.load(path)
    seed_network().save(path)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["param_2"] = np.zeros((10, 500), np.float32)  # transposed
    np.savez(path, **arrays)
    with pytest.raises(
        ValueError,
        match=r"param_2 has shape \(10, 500\) but the saved "
        r"architecture needs \(500, 10\)",
    ):
        Sequential.load(path)


def test_save_refuses_layers_it_cannot_rebuild(tmp_path):
    class Double(Sigmoid):
        def forward(self, X, training=False):
            return 2 * X

    with pytest.raises(
        ValueError,
        match=r"Sequential.save: layer 1 Double\(\) is not one of "
        r"nnlib's layers",
    ):
        Sequential([Dense(2, 2), Double()]).save(tmp_path / "model")
    assert not (tmp_path / "model.npz").exists()
