"""Layers: the building blocks of a network, each with a forward and a backward pass.

Introduced in chapter 04 (the forward pass); chapter 05 adds the backward passes, chapter 10
uses ``Dropout`` and ``RandomShift``.

Every layer follows one small protocol, the methods of :class:`Layer`, which is all
``Sequential`` relies on:

* ``forward(X, training=False)`` takes a batch ``X`` of shape ``(n_samples, ...)`` (``Dense``
  takes ``(n_samples, n_features)``), returns the layer's output and **saves what the backward
  pass will need** (its input, or its output). ``training`` matters only to ``Dropout`` and
  ``RandomShift``.
* ``backward(grad_out, need_input_grad=True)`` takes ``dC/d output`` (same shape as the output),
  returns ``dC/d input`` (same shape as the input) and stores the gradients of the layer's
  parameters. It is the chain rule: each layer multiplies the gradient coming from above by its
  own local derivative and passes the product down. ``Sequential`` passes
  ``need_input_grad=False`` to the first layer with parameters, which may then skip ``dC/d input``
  and return None (``Dense`` does: nothing below it learns); any other layer may ignore it.
* ``parameters()`` lists ``(param, grad)`` pairs of arrays for the optimizer.

A new layer subclasses :class:`Layer`; decorated with :func:`register` it can also be saved and
loaded by ``Sequential``.

Layers check the *shape* of what they are given but not its values: inside a network a layer's
input is the previous layer's output, and a NaN there means training diverged, which ``fit``
reports with the epoch and step. The data itself is checked for NaN where it enters the network
(``Sequential.forward``, ``fit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlib.activations import (
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    softmax,
    tanh,
)
from nnlib.init import INITIALIZERS
from nnlib.validation import Seed, as_2d, as_batch, as_rng, check_in_range, check_positive

Parameters = list[tuple[np.ndarray, np.ndarray]]
"""What ``parameters()`` returns and an optimizer's ``step`` takes: ``(param, grad)`` pairs."""


LAYERS: dict[str, type] = {}
"""The registered layer classes by name, so that ``Sequential.load`` can rebuild a saved network."""


def register(cls: type) -> type:
    """Register a layer class by its name for ``Sequential.save`` and ``load`` (a decorator).

    A layer defined in any module registers itself where it is defined, ``@register`` above
    ``class MyLayer(Layer):``, so no central list has to import every layer module. Its
    ``config()`` must return the constructor arguments that rebuild it.
    """
    taken = LAYERS.get(cls.__name__)
    where = (cls.__module__, cls.__qualname__)  # the same class again, e.g. a re-run cell, is fine
    if taken is not None and (taken.__module__, taken.__qualname__) != where:
        raise ValueError(
            f"register: a layer named {cls.__name__!r} is already registered ({taken!r}); "
            f"give the new layer another name."
        )
    LAYERS[cls.__name__] = cls
    return cls


class Layer:
    """The layer protocol, and what every layer shares: no parameters by default, a name, and
    the checks of its inputs.

    A layer of your own subclasses this class and writes ``forward`` and ``backward`` with these
    signatures (and ``parameters`` if it learns): ``Sequential`` calls nothing else.
    """

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        """Return the layer's output for the batch ``X`` and save what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Return ``dC/d input`` from ``grad_out = dC/d output`` and store the parameters'
        gradients.

        ``need_input_grad=False`` says that nothing below this layer needs ``dC/d input``: a layer
        may then skip computing it and return None, or ignore the flag.
        """
        raise NotImplementedError

    def parameters(self) -> Parameters:
        """The ``(param, grad)`` pairs the optimizer updates: none for this layer."""
        return []

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (what ``Sequential.save`` stores)."""
        return {}

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={value!r}" for name, value in self.config().items())
        return f"{type(self).__name__}({settings})"

    def _input(self, X: ArrayLike, n_features: int | None = None, dtype=None) -> np.ndarray:
        """``X`` as a float array of shape ``(n_samples, ...)``, or ``(n_samples, n_features)``
        if ``n_features`` is given; its values are not checked (see the module docstring)."""
        where = f"{self!r}.forward"
        if n_features is None:
            return as_batch(X, "X", where, dtype=dtype, finite=False)
        return as_2d(X, "X", where, n_features=n_features, dtype=dtype, finite=False)

    def _saved(self, value: np.ndarray | None) -> np.ndarray:
        """What ``forward`` saved for ``backward``; an error if ``forward`` has not run yet."""
        if value is None:
            raise RuntimeError(
                f"{self!r}.backward: call forward first. The backward pass reuses what the "
                f"forward pass computed on the same batch."
            )
        return value

    def _grad(self, grad_out: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
        """``grad_out`` as an array, checked to have the shape of the last output."""
        grad_out = np.asarray(grad_out)
        if grad_out.shape != shape:
            raise ValueError(
                f"{self!r}.backward: grad_out must have the shape of the layer's last output, "
                f"{shape}, got {grad_out.shape}. Pass dC/d output for the batch that went forward."
            )
        return grad_out


@register
class Dense(Layer):
    """A fully connected layer: every output is a weighted sum of every input, plus a bias.

    For a batch ``X`` of shape ``(n_samples, n_in)`` the layer computes ``Z = X @ W + b``: row
    ``i`` of ``Z`` is sample ``i``'s weighted sums, one per unit. One matrix product does the
    whole batch, which is why batches are fast.

    Parameters
    ----------
    n_in : int
        The number of inputs (features) per sample.
    n_out : int
        The number of units, i.e. outputs per sample.
    init : str or callable, default "glorot_uniform"
        The name of an initializer in ``nnlib.init`` or a function
        ``init(n_in, n_out, seed=..., dtype=...)`` returning the weights, shape ``(n_in, n_out)``.
        Biases start at zero.
    seed : int, numpy.random.Generator or None
        For the initial weights.
    dtype : numpy floating dtype, default float32
        float32 trains twice as fast; float64 is what gradient checks use.

    Attributes
    ----------
    W : ndarray, shape (n_in, n_out)
        The weights: ``W[j, k]`` connects input ``j`` to unit ``k``.
    b : ndarray, shape (n_out,)
        The biases.
    dW, db : ndarray, shapes of W and b
        ``dC/dW`` and ``dC/db`` from the last ``backward``, overwritten in place each time.
    X : ndarray, shape (n_samples, n_in), or None
        The input of the last ``forward``, which ``backward`` needs.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: str | Callable[..., np.ndarray] = "glorot_uniform",
        seed: Seed = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        check_positive(n_in, "n_in", "Dense", integer=True)
        check_positive(n_out, "n_out", "Dense", integer=True)
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"Dense: dtype must be np.float32 or np.float64, got {dtype}.")
        if isinstance(init, str):
            if init not in INITIALIZERS:
                raise ValueError(
                    f"Dense: unknown init {init!r}; choose one of {sorted(INITIALIZERS)} "
                    f"or pass a function init(n_in, n_out, seed, dtype)."
                )
            init = INITIALIZERS[init]
        W = np.asarray(init(n_in, n_out, seed=seed, dtype=dtype))
        if W.shape != (n_in, n_out):
            raise ValueError(
                f"Dense: init returned weights of shape {W.shape}, expected (n_in, n_out) = "
                f"{(n_in, n_out)}."
            )
        self.W = W.astype(dtype, copy=False)
        self.b = np.zeros(n_out, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.X: np.ndarray | None = None

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        """Return ``Z = X @ W + b``, shape ``(n_samples, n_out)``, in the layer's dtype."""
        X = self._input(X, n_features=self.n_in, dtype=self.W.dtype)
        self.X = X
        Z = X @ self.W
        Z += self.b  # in place: the sum needs no second (n_samples, n_out) array
        return Z

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Store ``dW``, ``db`` and return ``dC/dX``.

        With ``delta = grad_out = dC/dZ``, shape ``(n_samples, n_out)``, the chain rule through
        ``Z = X @ W + b`` gives::

            dC/dW = X.T @ delta          (n_in, n_out): each weight sums over the batch
            dC/db = delta.sum(axis=0)    (n_out,)
            dC/dX = delta @ W.T          (n_samples, n_in): what the layer below needs

        Parameters
        ----------
        grad_out : array_like, shape (n_samples, n_out)
            ``dC/dZ`` for the batch of the last ``forward``.
        need_input_grad : bool, default True
            ``False`` skips ``dC/dX`` and returns ``None``. The first layer of a network has
            only the data below it, which nobody trains, so ``Sequential.backward`` passes
            ``False`` there: for the 784-500-10 MNIST network that product is as costly as
            ``dW`` of the first layer, about a sixth of all the arithmetic of training.
        """
        X = self._saved(self.X)
        grad_out = self._grad(grad_out, (len(X), self.n_out))
        np.matmul(X.T, grad_out, out=self.dW)
        np.sum(grad_out, axis=0, out=self.db)
        return grad_out @ self.W.T if need_input_grad else None

    def parameters(self) -> Parameters:
        """``[(W, dW), (b, db)]``."""
        return [(self.W, self.dW), (self.b, self.db)]

    def config(self) -> dict[str, Any]:
        return {"n_in": self.n_in, "n_out": self.n_out, "dtype": self.W.dtype.name}

    def __repr__(self) -> str:
        dtype = "" if self.W.dtype == np.float32 else f", dtype={self.W.dtype.name}"
        return f"Dense({self.n_in}, {self.n_out}{dtype})"


@register
class Sigmoid(Layer):
    """The sigmoid applied to every entry: ``a = sigmoid(z)``.

    It saves its output ``a``, because the derivative is a function of it,
    ``sigmoid'(z) = a (1 - a)`` (chapter 02): the backward pass needs no second exponential.
    """

    def __init__(self) -> None:
        self.a: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        self.a = sigmoid(self._input(X))
        return self.a

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out * a (1 - a)``, the chain rule through ``a = sigmoid(z)``."""
        a = self._saved(self.a)
        return self._grad(grad_out, a.shape) * (a * (1 - a))


@register
class Tanh(Layer):
    """``tanh`` applied to every entry; like ``Sigmoid`` it saves its output ``a``, since
    ``tanh'(z) = 1 - a**2``."""

    def __init__(self) -> None:
        self.a: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        self.a = tanh(self._input(X))
        return self.a

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out * (1 - a**2)``."""
        a = self._saved(self.a)
        return self._grad(grad_out, a.shape) * (1 - a**2)


@register
class ReLU(Layer):
    """``max(z, 0)`` applied to every entry; it saves its input ``z`` for the derivative."""

    def __init__(self) -> None:
        self.z: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        self.z = self._input(X)
        return relu(self.z)

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out`` where ``z > 0`` and 0 elsewhere."""
        z = self._saved(self.z)
        return self._grad(grad_out, z.shape) * relu_prime(z)


@register
class LeakyReLU(Layer):
    """Leaky ReLU applied to every entry: ``z`` for ``z > 0``, ``alpha * z`` otherwise.

    Parameters
    ----------
    alpha : float, default 0.01
        The slope for negative inputs, in [0, 1).
    """

    def __init__(self, alpha: float = 0.01) -> None:
        check_in_range(alpha, "alpha", "LeakyReLU", 0.0, 1.0)
        self.alpha = alpha
        self.z: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        self.z = self._input(X)
        return leaky_relu(self.z, self.alpha)

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out`` where ``z > 0`` and ``alpha * grad_out`` elsewhere."""
        z = self._saved(self.z)
        return self._grad(grad_out, z.shape) * leaky_relu_prime(z, self.alpha)

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


@register
class Softmax(Layer):
    """Softmax over each row: turns a sample's scores into probabilities that sum to 1.

    For training a classifier, prefer a last ``Dense`` layer of logits with the
    ``CrossEntropy`` loss, which applies the softmax itself and whose gradient is simply
    ``(p - y) / n``. This layer is here to show the general case (chapter 05) and for networks
    whose output should be probabilities.
    """

    def __init__(self) -> None:
        self.s: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        self.s = softmax(self._input(X), axis=1)
        return self.s

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return the product of each row's softmax Jacobian with its gradient.

        The Jacobian of one row is ``J = diag(s) - s s^T`` (``nnlib.activations.softmax_jacobian``)
        and it is symmetric, so ``dC/dz = J @ g = s * g - s (s . g)``: the same numbers without
        building an ``(n_classes, n_classes)`` matrix per sample.
        """
        s = self._saved(self.s)
        g = self._grad(grad_out, s.shape)
        return s * (g - np.sum(g * s, axis=1, keepdims=True))


@register
class Dropout(Layer):
    """Dropout: during training, zero each input at random with probability ``rate``.

    A unit that may vanish at any step cannot rely on particular partners, so the network learns
    redundant features that generalise better (Srivastava et al., 2014). This is *inverted*
    dropout: the kept inputs are divided by ``1 - rate`` during training, so every input keeps its
    expected value and at test time (``training=False``) the layer simply passes its input on.

    Parameters
    ----------
    rate : float
        The probability of dropping each input, in [0, 1).
    seed : int, numpy.random.Generator or None
        For the random masks; one generator serves every batch, so a seeded run repeats exactly.

    Attributes
    ----------
    mask : ndarray, shape of the input, or None
        What the last ``forward`` multiplied its input by: ``0`` or ``1 / (1 - rate)`` per entry
        in training, all ones otherwise.
    """

    def __init__(self, rate: float, seed: Seed = None) -> None:
        check_in_range(rate, "rate", "Dropout", 0.0, 1.0)
        self.rate = rate
        self.rng = as_rng(seed)
        self.mask: np.ndarray | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        X = self._input(X)
        if training:
            keep = self.rng.random(X.shape) >= self.rate
            self.mask = keep.astype(X.dtype) / (1 - self.rate)
        else:
            self.mask = np.ones_like(X)
        return X * self.mask

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out * mask``: a dropped input did not affect the loss."""
        mask = self._saved(self.mask)
        return self._grad(grad_out, mask.shape) * mask

    def config(self) -> dict[str, Any]:
        return {"rate": self.rate}


@register
class RandomShift(Layer):
    """Data augmentation: during training, move each image a few pixels in a random direction.

    A digit moved by a pixel or two is still the same digit, but to a dense layer, whose every
    weight belongs to one pixel position, it is a new image. Put first in a network, this layer
    shows the network each training image at a new random position in every epoch, so the network
    must learn what the digits look like rather than where their ink happens to fall, and it
    cannot memorise the training set as easily (chapter 10). Like ``Dropout`` it acts only in
    training; at test time (``training=False``) it passes its input on. Keras' counterpart is
    ``keras.layers.RandomTranslation``.

    Parameters
    ----------
    max_shift : int
        Each image moves by ``dy`` rows and ``dx`` columns, two integers drawn uniformly from
        ``-max_shift .. max_shift``; pixels that move in from outside the image are 0 (background).
    image_shape : (int, int), default (28, 28)
        Height and width: each input row holds one image of ``height * width`` pixels, row by row.
    seed : int, numpy.random.Generator or None
        For the shifts.

    Attributes
    ----------
    offsets : ndarray of int, shape (n_samples, 2), or None
        The ``(dy, dx)`` of each image in the last ``forward`` (all zeros when not training).
    """

    def __init__(self, max_shift: int, image_shape=(28, 28), seed: Seed = None) -> None:
        check_positive(max_shift, "max_shift", "RandomShift", integer=True)
        if len(image_shape) != 2:
            raise ValueError(
                f"RandomShift: image_shape must be (height, width), got {image_shape!r}."
            )
        for size in image_shape:
            check_positive(size, "each of image_shape", "RandomShift", integer=True)
        self.max_shift = max_shift
        self.image_shape = (int(image_shape[0]), int(image_shape[1]))
        self.rng = as_rng(seed)
        self.offsets: np.ndarray | None = None

    @property
    def n_in(self) -> int:
        """The pixels of one image: a shift changes where the ink is, not how many pixels."""
        return self.image_shape[0] * self.image_shape[1]

    @property
    def n_out(self) -> int:
        return self.n_in

    def _window(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each output pixel comes from in the zero-padded images: indices for
        ``padded[i, r + k - dy, c + k - dx]``, so that output pixel ``(r, c)`` is input pixel
        ``(r - dy, c - dx)``."""
        height, width = self.image_shape
        k = self.max_shift
        dy, dx = self.offsets[:, 0], self.offsets[:, 1]
        rows = np.arange(height)[None, :, None] + (k - dy)[:, None, None]
        columns = np.arange(width)[None, None, :] + (k - dx)[:, None, None]
        return np.arange(len(self.offsets))[:, None, None], rows, columns

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        height, width = self.image_shape
        X = self._input(X, n_features=self.n_in)
        n, k = len(X), self.max_shift
        if not training:
            self.offsets = np.zeros((n, 2), dtype=np.int64)
            return X
        self.offsets = self.rng.integers(-k, k + 1, size=(n, 2))
        padded = np.pad(X.reshape(n, height, width), ((0, 0), (k, k), (k, k)))
        return padded[self._window()].reshape(n, height * width)

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Move each image's gradient back by ``(-dy, -dx)``: the transpose of the shift.

        Output pixel ``(r, c)`` is input pixel ``(r - dy, c - dx)``, so that input pixel receives
        the output pixel's gradient; input pixels shifted out of the image receive 0. (In a
        network this layer is first and ``Sequential.backward`` never needs to call this.)
        """
        offsets = self._saved(self.offsets)
        height, width = self.image_shape
        grad = self._grad(grad_out, (len(offsets), height * width))
        k = self.max_shift
        padded = np.zeros((len(offsets), height + 2 * k, width + 2 * k), dtype=grad.dtype)
        padded[self._window()] = grad.reshape(-1, height, width)
        return padded[:, k : k + height, k : k + width].reshape(len(offsets), height * width)

    def config(self) -> dict[str, Any]:
        return {"max_shift": self.max_shift, "image_shape": list(self.image_shape)}



@register
class Flatten(Layer):
    """Each sample becomes one row: ``(n_samples, 28, 28)`` images become ``(n_samples, 784)``.

    A ``Dense`` layer sees a sample as one vector of features, so images must be flattened
    first; put this layer first and the network takes the images as ``load_mnist`` gives them
    (scaled to [0, 1]). Nothing is learned: the backward pass only gives the gradient back its
    input's shape. Keras' counterpart is ``keras.layers.Flatten``.

    Attributes
    ----------
    input_shape : tuple of int, or None
        The shape of the last ``forward``'s input, which ``backward`` restores.
    """

    def __init__(self) -> None:
        self.input_shape: tuple[int, ...] | None = None

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        X = self._input(X)
        self.input_shape = X.shape
        return X.reshape(len(X), -1)

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray:
        """Return ``grad_out`` reshaped to the input's shape: each number goes back in place."""
        shape = self._saved(self.input_shape)
        rows = (shape[0], int(np.prod(shape[1:])))
        return self._grad(grad_out, rows).reshape(shape)
