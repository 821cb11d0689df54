"""A network as a sequence of layers: forward through them all, backward in reverse.

Introduced in chapter 04 (the forward pass and ``predict``); chapter 05 adds ``backward``,
chapter 08 ``save`` and ``load``.

The network's output is whatever its last layer gives. The course's classifiers end with a
``Dense`` layer of *logits* and train with the ``CrossEntropy`` loss, which applies the softmax
itself; a network may also end with a ``Sigmoid`` or ``Softmax`` layer, whose outputs are already
probabilities. ``predict_proba`` and ``predict`` handle both (see ``to_probabilities``).
"""

from __future__ import annotations

import inspect
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from nnlib.activations import sigmoid, softmax
from nnlib.layers import LAYERS, Dense, Layer, Parameters, Sigmoid, Softmax
from nnlib.validation import as_2d, as_batch

FORMAT = "nnlib.Sequential/1"  # written into every saved file; load refuses anything else


class Sequential:
    """Layers applied one after the other: ``output = layer_k(... layer_1(layer_0(X)))``.

    Parameters
    ----------
    layers : sequence of layers
        For example ``[Dense(784, 500), Sigmoid(), Dense(500, 10)]``. Consecutive ``Dense``
        layers must agree on widths (checked here, so a mistake shows before any data does).

    Attributes
    ----------
    layers : list
        The layers, in order; ``network.layers[0].W`` is the first weight matrix.

    Examples
    --------
    >>> from nnlib.layers import Dense, Sigmoid
    >>> net = Sequential([Dense(784, 500, seed=0), Sigmoid(), Dense(500, 10, seed=1)])
    >>> net.n_params
    397510
    """

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential: layers is empty; pass a list such as [Dense(2, 1)].")
        for i, layer in enumerate(self.layers):
            is_layer = callable(getattr(layer, "forward", None)) and hasattr(layer, "backward")
            if isinstance(layer, type) or not is_layer:
                raise TypeError(
                    f"Sequential: layer {i} is {layer!r}, not a layer; layers need forward and "
                    f"backward methods (did you pass the class, Sigmoid, instead of Sigmoid()?)."
                )
            signature = inspect.signature(layer.backward)
            if "need_input_grad" not in signature.parameters and not any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
            ):
                raise TypeError(
                    f"Sequential: layer {i} {layer!r} has backward{signature}, but Sequential "
                    f"calls backward(grad_out, need_input_grad=...). Write it as "
                    f"def backward(self, grad_out, need_input_grad=True), the protocol of "
                    f"nnlib.layers.Layer; a layer may ignore the flag."
                )
        self._widths()  # refuses layers whose widths do not chain
        dtypes = {param.dtype for param, _ in self.parameters()}
        if len(dtypes) > 1:
            raise ValueError(
                f"Sequential: all parameters must share one dtype, got {sorted(map(str, dtypes))}."
                f" Build every Dense layer with the same dtype."
            )

    def _widths(self) -> list[int | None]:
        """The number of columns each layer outputs (None while no layer has fixed it)."""
        widths, width = [], None
        for i, layer in enumerate(self.layers):
            n_in = getattr(layer, "n_in", None)
            if n_in is not None and width is not None and n_in != width:
                raise ValueError(
                    f"Sequential: layer {i} {layer!r} expects {n_in} features but the layers "
                    f"before it give {width}. Make each Dense layer's n_in the n_out of the "
                    f"Dense layer before it."
                )
            width = getattr(layer, "n_out", width)
            widths.append(width)
        return widths

    @property
    def n_in(self) -> int | None:
        """The number of input features, from the first layer that fixes it."""
        return next((layer.n_in for layer in self.layers if hasattr(layer, "n_in")), None)

    @property
    def n_out(self) -> int | None:
        """The number of outputs per sample, from the last layer that fixes it."""
        return self._widths()[-1]

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters (None for a network without any)."""
        parameters = self.parameters()
        return parameters[0][0].dtype if parameters else None

    @property
    def n_params(self) -> int:
        """The number of trainable numbers: 397,510 for the 784-500-10 network."""
        return sum(param.size for param, _ in self.parameters())

    def parameters(self) -> Parameters:
        """Every layer's ``(param, grad)`` pairs, in layer order, for the optimizer."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    def forward(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        """Run the batch through every layer and return the last layer's output.

        Parameters
        ----------
        X : array_like, shape (n_samples, ...)
            The input batch, ``(n_samples, n_in)`` for a network that starts with a ``Dense``
            layer. It is checked here, once, for shape and NaN or infinity, and converted to the
            network's dtype.
        training : bool, default False
            Passed to every layer; ``Dropout`` drops only when it is True. ``fit`` sets it.

        Returns
        -------
        ndarray, shape (n_samples, n_out)
        """
        X = self.check_input(X, "Sequential.forward")
        for layer in self.layers:
            X = layer.forward(X, training=training)
        return X

    def check_input(self, X: ArrayLike, where: str) -> np.ndarray:
        """``X`` as a finite float array of the network's dtype that the first layer accepts.

        The one check of the data, where it enters the network (``forward``, ``fit``,
        ``evaluate``): inside, each layer's input is the previous layer's output.
        """
        first = self.layers[0]
        if not hasattr(first, "n_in"):  # e.g. Flatten: samples of any shape
            return as_batch(X, "X", where, dtype=self.dtype)
        X = as_2d(X, "X", where, dtype=self.dtype)
        if X.shape[1] != first.n_in:
            raise ValueError(
                f"{where}: X must have {first.n_in} features (columns), got shape {X.shape}; "
                f"the first layer, {first!r}, takes {first.n_in}."
            )
        return X

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = False) -> np.ndarray | None:
        """Backpropagate ``grad_out = dC/d output`` through the layers in reverse order.

        Each layer stores its parameters' gradients (``Dense.dW``, ``Dense.db``) and hands
        ``dC/d its input`` to the layer below: the chain rule, one layer at a time.

        Parameters
        ----------
        grad_out : array_like, shape (n_samples, n_out)
            The gradient of the loss with respect to the output of the last ``forward``, e.g.
            ``loss.gradient(output, y)``.
        need_input_grad : bool, default False
            Also compute and return ``dC/dX`` for the network's input (a gradient check, or to
            see which pixels matter). By default the pass ends at the first layer with
            parameters (nothing below it learns) and that layer skips its input gradient: for
            the MNIST network that product alone is about a sixth of a training step's arithmetic.

        Returns
        -------
        ndarray, shape of the input, or None
            ``dC/dX`` if ``need_input_grad``, else None.
        """
        first = 0 if need_input_grad else self._first_trainable()
        grad = grad_out
        for layer in reversed(self.layers[first:]):
            below = need_input_grad or layer is not self.layers[first]
            grad = layer.backward(grad, need_input_grad=below)
        return grad if need_input_grad else None

    def _first_trainable(self) -> int:
        """The index of the first layer with parameters (the number of layers if there is none)."""
        return next(
            (i for i, layer in enumerate(self.layers) if layer.parameters()), len(self.layers)
        )

    def to_probabilities(self, output: np.ndarray) -> np.ndarray:
        """Turn the network's output into class probabilities.

        A last ``Sigmoid`` or ``Softmax`` layer already gives probabilities, returned as they
        are. Any other output is read as logits: ``softmax`` over the columns when there are
        several, ``sigmoid`` for a single column (the probability of class 1).
        """
        if isinstance(self.layers[-1], (Sigmoid, Softmax)):
            return output
        return sigmoid(output) if output.shape[1] == 1 else softmax(output, axis=1)

    def to_classes(self, output: np.ndarray) -> np.ndarray:
        """Turn the network's output into class indices, shape ``(n_samples,)``.

        With several outputs, the class with the largest output (softmax keeps the order, so
        logits and probabilities agree). With one output, class 1 where its probability (see
        ``to_probabilities``) is at least 0.5, else class 0.
        """
        if output.shape[1] > 1:
            return np.argmax(output, axis=1)
        return (self.to_probabilities(output)[:, 0] >= 0.5).astype(np.int64)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities for the batch ``X``, shape ``(n_samples, n_out)``."""
        return self.to_probabilities(self.forward(X))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted class indices for the batch ``X``, shape ``(n_samples,)``."""
        return self.to_classes(self.forward(X))

    def __repr__(self) -> str:
        rows = []
        for i, (layer, width) in enumerate(zip(self.layers, self._widths(), strict=True)):
            n = sum(param.size for param, _ in layer.parameters())
            count = f"{n:>12,} parameters" if n else ""
            rows.append(f"  ({i}) {layer!r:<24} -> (n, {width or '?'}){count}".rstrip())
        return "Sequential(\n" + "\n".join(rows) + f"\n)  {self.n_params:,} parameters in total"

    def save(self, path: str | Path) -> Path:
        """Save the architecture and the parameters to an ``.npz`` file.

        The file holds plain arrays only (it loads with ``allow_pickle=False``, so opening a file
        from someone else cannot run their code): ``architecture``, a JSON description of the
        layers, and ``param_0``, ``param_1``, ... in the order of ``parameters()``.
        ``Dropout`` keeps its rate but not its random generator.

        Returns
        -------
        Path
            The file written: ``path``, with ``.npz`` added if it has another suffix or none.
        """
        for i, layer in enumerate(self.layers):
            if LAYERS.get(type(layer).__name__) is not type(layer):
                raise ValueError(
                    f"Sequential.save: layer {i} {layer!r} is not one of nnlib's layers "
                    f"{sorted(LAYERS)}, so load could not rebuild it. Save its parameters "
                    f"yourself, e.g. with np.savez."
                )
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        architecture = {
            "format": FORMAT,
            "layers": [{"type": type(layer).__name__, **layer.config()} for layer in self.layers],
        }
        params = {f"param_{i}": param for i, (param, _) in enumerate(self.parameters())}
        np.savez(path, architecture=np.array(json.dumps(architecture)), **params)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Sequential:
        """Rebuild a network saved by ``save``: same layers, same parameters.

        Raises
        ------
        FileNotFoundError
            If there is no file at ``path``.
        ValueError
            If the file is not a network written by ``Sequential.save`` (another file, a
            truncated download, a newer format); the message names the file.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"Sequential.load: no file {str(path)!r}. Check the path (save adds .npz to a "
                f"name without it)."
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                architecture = json.loads(str(data["architecture"]))
                if architecture.get("format") != FORMAT:
                    raise ValueError(f"format {architecture.get('format')!r}, not {FORMAT!r}")
                network = cls([_layer(spec) for spec in architecture["layers"]])
                params = network.parameters()
                saved = [data[f"param_{i}"] for i in range(len(params))]
                if len(data.files) != len(params) + 1:
                    raise ValueError(f"{len(data.files) - 1} parameter arrays for {len(params)}")
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(
                f"Sequential.load: {str(path)!r} is not a network saved by Sequential.save "
                f"({type(error).__name__}: {error}). Save it again, or check that the file is "
                f"complete."
            ) from error
        for i, ((param, _), value) in enumerate(zip(params, saved, strict=True)):
            if value.shape != param.shape:
                raise ValueError(
                    f"Sequential.load: {str(path)!r}: param_{i} has shape {value.shape} but the "
                    f"saved architecture needs {param.shape}; the file is corrupt."
                )
            param[...] = value
        return network


def _layer(spec: dict) -> Layer:
    """Build one layer from its saved description ``{"type": "Dense", "n_in": 784, ...}``."""
    spec = dict(spec)
    kind = spec.pop("type")
    if kind not in LAYERS:
        raise ValueError(f"unknown layer type {kind!r}; nnlib knows {sorted(LAYERS)}")
    if LAYERS[kind] is Dense:
        spec["init"] = "zeros"  # the saved parameters overwrite them: no need to draw random ones
    return LAYERS[kind](**spec)
