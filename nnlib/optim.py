"""Optimizers: how a gradient becomes a step of the parameters.

Introduced in chapter 06. An optimizer's ``step(parameters)`` takes the ``(param, grad)`` pairs
that ``Sequential.parameters()`` lists and updates every ``param`` **in place**, so the layers,
which hold the very same arrays, see the new values at once.

Momentum and Adam remember something about each parameter between steps (a velocity, running
averages of the gradient). That state is kept **by position** in the list of parameters: the i-th
buffer belongs to the i-th parameter. The list must therefore come in the same order, with the
same shapes, at every step (``Sequential.parameters()`` guarantees it); an optimizer used on a
different network complains instead of silently mixing up its memories. One optimizer per network.

Both optimizers take a ``weight_decay`` ``lambda``: the gradient of the L2 penalty
``lambda / 2 * ||param||**2`` is added to each gradient, ``grad + lambda * param``, which pulls
every weight a little towards zero at every step (chapter 10 uses it against overfitting). Biases
are decayed too: simpler, and it makes no measurable difference.

A learning rate that shrinks as training goes on, :func:`exponential_decay`, takes big steps while
the network is far from a minimum and small ones to settle into it (chapter 10).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.layers import Parameters
from nnlib.validation import check_in_range, check_positive


class Optimizer:
    """What every optimizer shares: a learning rate, a weight decay and per-parameter state.

    Parameters
    ----------
    learning_rate : float
        The step size ``eta``, a positive number. It is a plain attribute, so a learning-rate
        schedule may change it between epochs.
    weight_decay : float
        The L2 coefficient ``lambda >= 0`` (0 turns it off).
    """

    def __init__(self, learning_rate: float, weight_decay: float) -> None:
        where = type(self).__name__
        check_positive(learning_rate, "learning_rate", where)
        check_in_range(weight_decay, "weight_decay", where, 0.0, np.inf)
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self._state: list[list[np.ndarray]] | None = None
        self._shapes: list[tuple[int, ...]] = []

    def step(self, parameters: Parameters) -> None:
        """Update every ``param`` in place from its ``grad``."""
        raise NotImplementedError

    def _gradient(self, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The gradient with the weight-decay term added: ``grad + lambda * param``."""
        return grad + self.weight_decay * param if self.weight_decay else grad

    def _buffers(self, parameters: Parameters, n_buffers: int) -> list[list[np.ndarray]]:
        """``n_buffers`` arrays per parameter, zeros at the first step, the same ones afterwards."""
        shapes = [param.shape for param, _ in parameters]
        if self._state is None:
            self._shapes = shapes
            self._state = [
                [np.zeros_like(param) for _ in range(n_buffers)] for param, _ in parameters
            ]
        elif shapes != self._shapes:
            where = type(self).__name__
            raise ValueError(
                f"{where}.step: got parameters of shapes {shapes}, but this optimizer was first "
                f"used with parameters of shapes {self._shapes} and its state belongs to those. "
                f"Make a new {where} for each network."
            )
        return self._state

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{name}={value!r}" for name, value in vars(self).items() if not name.startswith("_")
        )
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum.

    Plain SGD moves each parameter against its gradient: ``param -= eta * grad``. With momentum
    ``mu`` it keeps a velocity ``v`` (zero at first), a running sum of past steps, so that steps in
    a consistent direction build up speed while steps that flip sign cancel out::

        v     <- mu * v - eta * grad
        param <- param + v

    (the form of Sutskever et al. 2013; with ``mu = 0`` it is plain SGD).

    Parameters
    ----------
    learning_rate : float
        The step size ``eta > 0``; the seed network uses 0.5.
    momentum : float, default 0.0
        ``mu`` in [0, 1); 0.9 is the usual choice.
    weight_decay : float, default 0.0
        The L2 coefficient ``lambda >= 0``, see the module docstring.
    """

    def __init__(
        self, learning_rate: float, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(learning_rate, weight_decay)
        check_in_range(momentum, "momentum", "SGD", 0.0, 1.0)
        self.momentum = momentum

    def step(self, parameters: Parameters) -> None:
        """Update every ``param`` in place by its step ``v``: ``param += v``.

        With momentum ``v <- mu * v - eta * grad``; plain SGD is the same with ``mu = 0``,
        ``v = -eta * grad``, written straight into ``v``. Keeping ``v`` between steps also spares
        plain SGD a new temporary array, as large as the parameter, at every step.
        """
        velocities = self._buffers(parameters, n_buffers=1)
        for (param, grad), (v,) in zip(parameters, velocities, strict=True):
            grad = self._gradient(param, grad)
            if self.momentum:
                v *= self.momentum
                v -= self.learning_rate * grad
            else:
                np.multiply(grad, -self.learning_rate, out=v)
            param += v


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): a step per parameter scaled by the gradient's recent size.

    Adam keeps two running averages per parameter, of the gradient ``m`` (a momentum) and of its
    square ``v`` (how large the gradient usually is), and divides one by the square root of the
    other, so every parameter moves by about ``eta`` per step whatever the scale of its gradient.
    At step ``t`` (counting from 1)::

        m     <- beta1 * m + (1 - beta1) * grad
        v     <- beta2 * v + (1 - beta2) * grad**2
        m_hat =  m / (1 - beta1**t)          # both averages start at 0: these undo
        v_hat =  v / (1 - beta2**t)          # the pull towards 0 of the first steps
        param <- param - eta * m_hat / (sqrt(v_hat) + eps)

    Parameters
    ----------
    learning_rate : float, default 1e-3
        The step size ``eta > 0``.
    beta1, beta2 : float, default 0.9 and 0.999
        How much of the running averages is kept at each step, in [0, 1).
    eps : float, default 1e-8
        Keeps the division finite when ``v_hat`` is 0.
    weight_decay : float, default 0.0
        The L2 coefficient ``lambda >= 0``, added to the gradient before the averages (classic
        Adam with L2, not AdamW).

    Attributes
    ----------
    t : int
        The number of steps taken so far.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, weight_decay)
        check_in_range(beta1, "beta1", "Adam", 0.0, 1.0)
        check_in_range(beta2, "beta2", "Adam", 0.0, 1.0)
        check_positive(eps, "eps", "Adam")
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0

    def step(self, parameters: Parameters) -> None:
        """Update every ``param`` in place by one Adam step: the formulas of the class docstring."""
        averages = self._buffers(parameters, n_buffers=2)
        self.t += 1
        for (param, grad), (m, v) in zip(parameters, averages, strict=True):
            grad = self._gradient(param, grad)
            m[...] = self.beta1 * m + (1 - self.beta1) * grad
            v[...] = self.beta2 * v + (1 - self.beta2) * grad**2
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)


def exponential_decay(optimizer: Optimizer, factor: float) -> Callable[[int, object], None]:
    """A callback for ``fit`` that multiplies the learning rate by ``factor`` after every epoch.

    With ``eta_0`` the optimizer's learning rate when the callback is made, epoch ``e`` (counting
    from 1) trains with ``eta_0 * factor**(e - 1)``: with ``factor=0.8`` the tenth epoch steps with
    ``0.8**9 = 13%`` of the first epoch's rate. Early on, long steps make fast progress; later,
    the noise of the batch gradients keeps a constant rate bouncing around the minimum, and
    shorter steps let it settle.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer given to ``fit``; its ``learning_rate`` is set after each epoch.
    factor : float
        The factor per epoch, a positive number (below 1 to decay).

    Returns
    -------
    callable
        ``schedule(epoch, history)``, to pass in ``fit(..., callbacks=[schedule])``. It sets the
        rate from ``eta_0`` and ``epoch`` (it does not multiply the current rate), so a schedule
        can never drift, and it never stops training.

    Examples
    --------
    >>> optimizer = Adam(1e-3)
    >>> schedule = exponential_decay(optimizer, 0.5)
    >>> schedule(2, None)  # after epoch 2, the third epoch runs at 1e-3 * 0.5**2
    >>> optimizer.learning_rate
    0.00025
    """
    check_positive(factor, "factor", "exponential_decay")
    initial = optimizer.learning_rate

    def schedule(epoch: int, history: object) -> None:
        optimizer.learning_rate = initial * factor**epoch

    return schedule
