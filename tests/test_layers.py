"""Tests for nnlib.layers: forward passes by hand, every backward pass against central finite
differences in float64, and the errors a learner will meet."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.activations import softmax_jacobian
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import (
    LAYERS,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    RandomShift,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    register,
)
from nnlib.network import Sequential

TOL = 1e-6
shapes = st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6))
seeds = st.integers(0, 2**32 - 1)


def random_batch(rng, shape):
    """Normal entries pushed at least 0.05 away from 0, so no finite difference crosses the kink
    of ReLU or leaky ReLU."""
    X = rng.standard_normal(shape)
    return X + 0.05 * np.sign(X)


def input_gradient_error(layer, X, G, **forward):
    """Relative error of ``layer.backward(G)`` against finite differences of ``sum(forward * G)``:
    with that scalar as the loss, ``dC/d output`` is exactly ``G``."""
    layer.forward(X, **forward)
    analytic = layer.backward(G)
    numeric = numerical_gradient(lambda x: np.sum(layer.forward(x, **forward) * G), X.copy())
    return relative_error(analytic, numeric)


# ----------------------------------------------------------------------------- Dense


def test_dense_forward_by_hand():
    layer = Dense(2, 3, dtype=np.float64)
    layer.W[...] = [[1, 0, -1], [2, 1, 0]]
    layer.b[...] = [0.5, 0, 1]
    # [1, 2] @ W = [1 + 4, 0 + 2, -1 + 0] = [5, 2, -1], plus b
    np.testing.assert_array_equal(layer.forward([[1.0, 2.0]]), [[5.5, 2.0, 0.0]])


def test_dense_backward_by_hand():
    layer = Dense(2, 1, dtype=np.float64)
    layer.W[...] = [[3.0], [-1.0]]
    layer.forward([[1.0, 2.0], [0.0, 4.0]])
    dX = layer.backward([[1.0], [0.5]])
    # dW = X^T delta = [1*1 + 0*0.5, 2*1 + 4*0.5] = [1, 4]; db = 1 + 0.5; dX = delta W^T
    np.testing.assert_array_equal(layer.dW, [[1.0], [4.0]])
    np.testing.assert_array_equal(layer.db, [1.5])
    np.testing.assert_array_equal(dX, [[3.0, -1.0], [1.5, -0.5]])


@settings(max_examples=25, deadline=None)
@given(shapes, seeds)
def test_dense_gradients(shape, seed):
    n_samples, n_in, n_out = shape
    rng = np.random.default_rng(seed)
    layer = Dense(n_in, n_out, seed=rng, dtype=np.float64)
    layer.b[...] = rng.standard_normal(n_out)
    X = rng.standard_normal((n_samples, n_in))
    G = rng.standard_normal((n_samples, n_out))

    def loss(_):
        return np.sum(layer.forward(X) * G)

    layer.forward(X)
    dX = layer.backward(G)
    dW, db = layer.dW.copy(), layer.db.copy()
    assert relative_error(dW, numerical_gradient(loss, layer.W)) < TOL
    assert relative_error(db, numerical_gradient(loss, layer.b)) < TOL
    assert input_gradient_error(layer, X, G) < TOL
    assert dX.shape == X.shape


def test_dense_can_skip_the_input_gradient():
    rng = np.random.default_rng(0)
    layer = Dense(4, 3, seed=0, dtype=np.float64)
    X, G = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    layer.forward(X)
    assert layer.backward(G, need_input_grad=False) is None
    np.testing.assert_allclose(layer.dW, X.T @ G)  # the parameter gradients are still there
    np.testing.assert_allclose(layer.db, G.sum(axis=0))


def test_dense_dtype():
    layer = Dense(3, 2, seed=0)
    assert layer.W.dtype == layer.b.dtype == layer.dW.dtype == np.float32
    assert layer.forward(np.ones((4, 3))).dtype == np.float32  # float64 data is converted
    assert Dense(3, 2, dtype=np.float64).forward(np.ones((4, 3))).dtype == np.float64


def test_dense_init_choices():
    assert not Dense(3, 2, init="zeros").W.any()
    np.testing.assert_array_equal(Dense(3, 2, seed=4).W, Dense(3, 2, seed=4).W)
    assert not np.array_equal(Dense(3, 2, seed=4).W, Dense(3, 2, seed=5).W)
    layer = Dense(3, 2, init=lambda n_in, n_out, seed, dtype: np.full((n_in, n_out), 0.5, dtype))
    np.testing.assert_array_equal(layer.W, 0.5)
    assert not layer.b.any()


def test_dense_repr():
    assert repr(Dense(784, 500)) == "Dense(784, 500)"
    assert repr(Dense(2, 1, dtype=np.float64)) == "Dense(2, 1, dtype=float64)"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: Dense(784, 500).forward(np.ones((128, 300))),
            ValueError,
            r"Dense\(784, 500\)\.forward: X must have 784 features \(columns\), got shape "
            r"\(128, 300\)",
        ),
        (
            lambda: Dense(3, 2).forward(np.ones(3)),
            ValueError,
            r"Dense\(3, 2\)\.forward: X must be 2-D .* got shape \(3,\).*reshape\(1, -1\)",
        ),
        (
            lambda: Dense(3, 2).backward(np.ones((1, 2))),
            RuntimeError,
            r"Dense\(3, 2\)\.backward: call forward first",
        ),
        (lambda: Dense(0, 2), ValueError, r"Dense: n_in must be a positive integer, got 0"),
        (lambda: Dense(3, 2, dtype=int), ValueError, r"Dense: dtype must be np.float32"),
        (lambda: Dense(3, 2, init="xavier"), ValueError, r"Dense: unknown init 'xavier'"),
        (
            lambda: Dense(3, 2, init=lambda n_in, n_out, seed, dtype: np.zeros((n_out, n_in))),
            ValueError,
            r"Dense: init returned weights of shape \(2, 3\), expected .* \(3, 2\)",
        ),
    ],
)
def test_dense_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_backward_checks_the_shape_of_grad_out():
    layer = Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(
        ValueError,
        match=r"Dense\(3, 2\)\.backward: grad_out must have .*"
        r"\(4, 2\), got \(4, 3\)",
    ):
        layer.backward(np.ones((4, 3)))


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = [Sigmoid, Tanh, ReLU, lambda: LeakyReLU(0.1), Softmax]


@pytest.mark.parametrize("make", ACTIVATIONS)
@settings(max_examples=15, deadline=None)
@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 6)), seed=seeds)
def test_activation_gradients(make, shape, seed):
    rng = np.random.default_rng(seed)
    X = random_batch(rng, shape)
    G = rng.standard_normal(shape)
    assert input_gradient_error(make(), X, G) < TOL


@pytest.mark.parametrize("make", ACTIVATIONS)
def test_activation_backward_before_forward(make):
    layer = make()
    with pytest.raises(RuntimeError, match=r"\.backward: call forward first"):
        layer.backward(np.ones((2, 3)))


def test_activations_by_hand():
    z = np.array([[0.0, np.log(3.0), -2.0]])
    np.testing.assert_allclose(Sigmoid().forward(z), [[0.5, 0.75, 1 / (1 + np.exp(2.0))]])
    np.testing.assert_allclose(Tanh().forward(z)[0, 0], 0.0)
    np.testing.assert_array_equal(ReLU().forward(z), [[0.0, np.log(3.0), 0.0]])
    np.testing.assert_allclose(LeakyReLU(0.1).forward(z), [[0.0, np.log(3.0), -0.2]])
    sigmoid = Sigmoid()
    sigmoid.forward(z)
    # sigmoid' = a (1 - a): 1/4 at 0 and 3/16 where a = 3/4
    np.testing.assert_allclose(sigmoid.backward(np.ones((1, 3)))[0, :2], [0.25, 0.1875])


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(1)
    Z, G = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    layer = Softmax()
    layer.forward(Z)
    expected = np.stack([softmax_jacobian(z).T @ g for z, g in zip(Z, G, strict=True)])
    np.testing.assert_allclose(layer.backward(G), expected, rtol=1e-12, atol=1e-15)


def test_leaky_relu_alpha_is_checked():
    with pytest.raises(ValueError, match=r"LeakyReLU: alpha must be a number in \[0.0, 1.0\)"):
        LeakyReLU(-0.1)
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"


# ----------------------------------------------------------------------------- Dropout


@settings(max_examples=15, deadline=None)
@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 6)), seed=seeds)
def test_dropout_gradient_with_a_fixed_mask(shape, seed):
    """A fresh Dropout with the same seed draws the same mask at every evaluation of the loss,
    so the finite differences see one fixed function."""
    rng = np.random.default_rng(seed)
    X, G = rng.standard_normal(shape), rng.standard_normal(shape)
    layer = Dropout(0.4, seed=seed)
    layer.forward(X, training=True)
    analytic = layer.backward(G)
    numeric = numerical_gradient(
        lambda x: np.sum(Dropout(0.4, seed=seed).forward(x, training=True) * G), X.copy()
    )
    assert relative_error(analytic, numeric) < TOL


def test_dropout_drops_and_rescales():
    X = np.ones((200, 500))
    out = Dropout(0.3, seed=0).forward(X, training=True)
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)  # 100,000 draws: sd 0.0015
    np.testing.assert_allclose(out[kept], 1 / 0.7)  # inverted dropout keeps the mean
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    assert out.dtype == np.float64
    assert Dropout(0.3).forward(X.astype(np.float32), training=True).dtype == np.float32


def test_dropout_is_the_identity_when_not_training():
    X = np.arange(6.0).reshape(2, 3)
    layer = Dropout(0.5, seed=0)
    np.testing.assert_array_equal(layer.forward(X), X)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), np.ones((2, 3)))


def test_dropout_seed():
    X = np.ones((10, 10))
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first = a.forward(X, training=True)
    np.testing.assert_array_equal(first, b.forward(X, training=True))
    assert not np.array_equal(first, a.forward(X, training=True))  # a new mask every batch


@pytest.mark.parametrize("rate", [1.0, -0.1, "0.5"])
def test_dropout_rate_is_checked(rate):
    with pytest.raises(ValueError, match=r"Dropout: rate must be a number in \[0.0, 1.0\)"):
        Dropout(rate)


# ----------------------------------------------------------------------------- RandomShift


def shifted_by_hand(image, dy, dx):
    """``image`` moved down by ``dy`` rows and right by ``dx`` columns, zeros moved in: one slice
    assignment, independent of the layer's gather."""
    out = np.zeros_like(image)
    height, width = image.shape
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = image[
        max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out


def test_random_shift_moves_one_ink_pixel_by_its_offset():
    # a 5 x 5 image inked at the centre (2, 2) only: after the shift the ink is at (2 + dy, 2 + dx)
    X = np.zeros((400, 25))
    X[:, 12] = 1.0
    layer = RandomShift(2, image_shape=(5, 5), seed=0)
    out = layer.forward(X, training=True).reshape(400, 5, 5)
    assert out.sum(axis=(1, 2)).tolist() == [1.0] * 400  # a shift of 2 keeps the centre inside
    rows, columns = np.nonzero(out)[1:]
    np.testing.assert_array_equal(rows, 2 + layer.offsets[:, 0])
    np.testing.assert_array_equal(columns, 2 + layer.offsets[:, 1])
    assert set(layer.offsets.ravel().tolist()) == {-2, -1, 0, 1, 2}


@settings(max_examples=15, deadline=None)
@given(max_shift=st.integers(1, 3), seed=seeds)
def test_random_shift_matches_slicing_and_its_backward_is_the_transpose(max_shift, seed):
    rng = np.random.default_rng(seed)
    X, G = rng.standard_normal((6, 20)), rng.standard_normal((6, 20))
    layer = RandomShift(max_shift, image_shape=(4, 5), seed=seed)
    out = layer.forward(X, training=True)
    for image, moved, (dy, dx) in zip(X, out, layer.offsets, strict=True):
        expected = shifted_by_hand(image.reshape(4, 5), int(dy), int(dx))
        np.testing.assert_array_equal(moved.reshape(4, 5), expected)
    # <S x, g> = <x, S^T g>: backward is the transpose of the linear map forward applied
    assert np.sum(out * G) == pytest.approx(np.sum(X * layer.backward(G)), rel=1e-12)


def test_random_shift_gradient_with_fixed_shifts():
    """As for Dropout: a fresh layer with the same seed draws the same shifts every time."""
    rng = np.random.default_rng(1)
    X, G = rng.standard_normal((3, 12)), rng.standard_normal((3, 12))
    numeric = numerical_gradient(
        lambda x: np.sum(RandomShift(1, (3, 4), seed=5).forward(x, training=True) * G), X.copy()
    )
    layer = RandomShift(1, (3, 4), seed=5)
    layer.forward(X, training=True)
    assert relative_error(layer.backward(G), numeric) < TOL


def test_random_shift_is_the_identity_when_not_training():
    X = np.arange(18.0).reshape(2, 9)
    layer = RandomShift(1, image_shape=(3, 3), seed=0)
    np.testing.assert_array_equal(layer.forward(X), X)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 9))), np.ones((2, 9)))
    assert layer.forward(X.astype(np.float32), training=True).dtype == np.float32


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: RandomShift(0), "RandomShift: max_shift must be a positive integer"),
        (lambda: RandomShift(1, image_shape=(28,)), r"image_shape must be \(height, width\)"),
        (lambda: RandomShift(2).forward(np.ones((3, 10))), "784"),
    ],
)
def test_random_shift_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ----------------------------------------------------------------------------- all layers


def test_layers_registry_and_config_rebuild_each_layer():
    for name, cls in LAYERS.items():
        assert cls.__name__ == name
    layers = [Dense(3, 2, dtype=np.float64), LeakyReLU(0.3), Dropout(0.25), RandomShift(2, (4, 5))]
    for layer in [*layers, Sigmoid()]:
        rebuilt = type(layer)(**layer.config())
        assert repr(rebuilt) == repr(layer)


def test_layers_without_parameters():
    for layer in [Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Softmax(), Dropout(0.5), RandomShift(1)]:
        assert layer.parameters() == []


@pytest.mark.parametrize("make", [Sigmoid, Tanh, ReLU, LeakyReLU, lambda: Dropout(0.5)])
def test_elementwise_layers_take_batches_of_any_shape(make):
    layer = make()
    X = np.random.default_rng(0).standard_normal((3, 4, 5))
    out = layer.forward(X)
    assert out.shape == X.shape
    assert layer.backward(np.ones_like(X)).shape == X.shape


# ----------------------------------------------------------------------------- flatten


def test_flatten_makes_rows_and_gives_the_gradient_its_shape_back():
    images = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4)
    layer = Flatten()
    rows = layer.forward(images)
    assert rows.shape == (2, 12)
    np.testing.assert_array_equal(rows[1], np.arange(12, 24))  # row-major, sample by sample
    G = np.random.default_rng(0).standard_normal((2, 12))
    assert input_gradient_error(Flatten(), images, G.reshape(2, 12)) < TOL
    np.testing.assert_array_equal(layer.backward(G), G.reshape(2, 3, 4))
    with pytest.raises(ValueError, match=r"Flatten\(\).backward: grad_out must have the shape .*"
                       r"\(2, 12\), got \(2, 3, 4\)"):
        layer.backward(G.reshape(2, 3, 4))


# ----------------------------------------------------------------------------- a new layer


def test_a_layer_without_need_input_grad_is_refused_with_the_protocol():
    class Old(Layer):
        def forward(self, X, training=False):
            return X

        def backward(self, grad_out):
            return grad_out

    with pytest.raises(TypeError, match=r"Sequential: layer 1 Old\(\) has backward\(grad_out\)"
                       r".*def backward\(self, grad_out, need_input_grad=True\)"):
        Sequential([Dense(2, 2), Old()])


def test_a_registered_layer_of_another_module_saves_and_loads(tmp_path, monkeypatch):
    monkeypatch.setattr("nnlib.layers.LAYERS", dict(LAYERS))  # leave the registry as it was

    @register
    class Negate(Layer):
        def forward(self, X, training=False):
            return -self._input(X)

        def backward(self, grad_out, need_input_grad=True):
            return -np.asarray(grad_out)

    import nnlib.layers
    import nnlib.network

    monkeypatch.setattr(nnlib.network, "LAYERS", nnlib.layers.LAYERS)
    assert nnlib.layers.LAYERS["Negate"] is Negate
    net = Sequential([Negate(), Dense(2, 1, seed=0)])
    loaded = Sequential.load(net.save(tmp_path / "net"))
    X = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    with pytest.raises(ValueError, match=r"register: a layer named 'Dense' is already registered"):
        register(type("Dense", (Layer,), {}))
