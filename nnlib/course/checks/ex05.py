"""Visible checks of exercise 05, "Backpropagation".

Every gradient is checked two ways, neither of which is a reference implementation of the task:
small cases worked by hand (the arithmetic is in the comments), and central finite differences of
the loss itself, measured inside the check from the forward formula (which needs no calculus).
Numbers such as ``ln 2`` and ``ln 3`` keep the hand arithmetic exact: ``softmax(ln 2, 0, 0) =
(2, 1, 1) / 4`` and ``sigma(ln 3) = 3/4``.
"""

from collections.abc import Callable

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare, describe
from nnlib.gradcheck import numerical_gradient

LN2, LN3 = np.log(2.0), np.log(3.0)
FD_TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}  # central differences in float64 are good to ~1e-9


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _mean_cross_entropy(Z, y):
    """Mean cross-entropy of softmax(Z) against class indices y, via the log-sum-exp trick."""
    m = Z.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(log_sum_exp - Z[np.arange(len(Z)), y]))


def _slope(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The central-difference gradient of ``f`` at a float64 copy of ``x``."""
    return numerical_gradient(f, np.array(x, dtype=np.float64))


def _named(result, expected: dict, notes: dict, tolerance: dict | None = None) -> str | None:
    """Compare a tuple of results with named expected arrays; say which one is wrong and why."""
    names = ", ".join(expected)
    if not isinstance(result, (tuple, list)) or len(result) != len(expected):
        return _("expected a tuple ({names}), got {got}").format(names=names, got=describe(result))
    for (name, want), got in zip(expected.items(), result, strict=True):
        reason = compare(got, want, **(tolerance or {}))
        if reason:
            return _("{name} is wrong: {reason}. {note}").format(
                name=name, reason=reason, note=_(notes[name])
            )
    return None


# ---- Task 1: dense_backward ----

DENSE_NOTES = {
    "dX": N_("dX = delta @ W.T has the shape of X, (n_samples, n_in)."),
    "dW": N_("dW = X.T @ delta has the shape of W, (n_in, n_out)."),
    "db": N_("db sums delta over the samples, delta.sum(axis=0): shape (n_out,), like b."),
}


def _dense_by_hand(result, X, W, delta) -> str | None:
    # X = [[1, 2], [0, 1]], W = [[1, -1], [0.5, 2]], delta = [[1, 0], [2, -1]] (chapter 05):
    # dX = delta W^T = [[1*1 + 0*(-1), 1*0.5 + 0*2], [2*1 + (-1)(-1), 2*0.5 + (-1)*2]]
    #    = [[1, 0.5], [3, -1]]
    # dW = X^T delta = [[1*1 + 0*2, 1*0 + 0*(-1)], [2*1 + 1*2, 2*0 + 1*(-1)]] = [[1, 0], [4, -1]]
    # db = (1 + 2, 0 - 1) = (3, -1)
    expected = {
        "dX": np.array([[1.0, 0.5], [3.0, -1.0]]),
        "dW": np.array([[1.0, 0.0], [4.0, -1.0]]),
        "db": np.array([3.0, -1.0]),
    }
    return _named(result, expected, DENSE_NOTES)


def _dense_by_differences(result, X, W, delta) -> str | None:
    """The loss C = sum(delta * (X @ W + b)) has dC/dZ = delta; measure its slopes."""
    b = np.zeros(W.shape[1])
    expected = {
        "dX": _slope(lambda X_: np.sum(delta * (X_ @ W + b)), X),
        "dW": _slope(lambda W_: np.sum(delta * (X @ W_ + b)), W),
        "db": _slope(lambda b_: np.sum(delta * (X @ W + b_)), b),
    }
    return _named(result, expected, DENSE_NOTES, FD_TOLERANCE)


dense_backward = Task(
    "dense_backward",
    cases=[
        Case(
            dict(
                X=np.array([[1.0, 2.0], [0.0, 1.0]]),
                W=np.array([[1.0, -1.0], [0.5, 2.0]]),
                delta=np.array([[1.0, 0.0], [2.0, -1.0]]),
            ),
            verify=_dense_by_hand,
            hint=N_(
                "Worked by hand: dX = delta @ W.T = [[1, 0.5], [3, -1]], dW = X.T @ delta = "
                "[[1, 0], [4, -1]], db = (3, -1), returned as (dX, dW, db)."
            ),
        ),
        Case(
            dict(
                X=np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 3.0]]),
                W=np.array([[1.0, 0.0, -2.0, 0.5], [0.25, -1.0, 1.0, 2.0]]),
                delta=np.array(
                    [[0.1, -0.2, 0.3, 0.0], [1.0, 0.5, -0.5, 2.0], [-1.0, 0.0, 0.25, 0.5]]
                ),
            ),
            verify=_dense_by_differences,
            hint=N_(
                "3 samples, 2 inputs, 4 units: each gradient has the shape of what it "
                "differentiates, dX (3, 2), dW (2, 4), db (4,), and equals the slopes of "
                "sum(delta * (X @ W + b)) measured by central differences."
            ),
        ),
        Case(
            dict(
                X=np.array([[1.0, -2.0, 0.5]]),
                W=np.array([[2.0, 1.0], [0.0, -1.0], [1.0, 1.0]]),
                delta=np.array([[3.0, -1.0]]),
            ),
            verify=_dense_by_differences,
            hint=N_(
                "A batch of one sample, 3 inputs, 2 units: dX (1, 3), dW (3, 2), db (2,), "
                "checked against central differences."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("transposed dW (X @ delta.T)"),
            "def dense_backward(X, W, delta):\n"
            "    return delta @ W.T, X @ delta.T, delta.sum(axis=0)\n",
            "dW = X.T @ delta has the shape of W",
            hint=N_(
                "dW = X.T @ delta has the shape of W, (n_in, n_out): X.T is (n_in, n_samples) "
                "and delta is (n_samples, n_out)."
            ),
        ),
        Mistake(
            N_("db not summed over the batch"),
            "def dense_backward(X, W, delta):\n    return delta @ W.T, X.T @ delta, delta\n",
            "db sums delta over the samples",
            hint=N_(
                "b is added to every sample, so db sums delta over the samples: "
                "delta.sum(axis=0), shape (n_out,) like b."
            ),
        ),
        Mistake(
            N_("dX without the transpose"),
            "def dense_backward(X, W, delta):\n"
            "    return delta @ W, X.T @ delta, delta.sum(axis=0)\n",
            "dX = delta @ W.T",
            hint=N_(
                "dX = delta @ W.T has the shape of X, (n_samples, n_in): delta @ W only fits "
                "when W happens to be square, and is then the wrong product."
            ),
        ),
    ],
)


# ---- Task 2: sigmoid_backward ----


def _sigmoid_by_differences(result, Z, grad_out) -> str | None:
    """The loss C = sum(grad_out * sigmoid(Z)) has dC/dA = grad_out; measure its slope."""
    slope = _slope(lambda Z_: np.sum(grad_out * _sigmoid(Z_)), Z)
    reason = compare(result, slope, **FD_TOLERANCE)
    if reason is None:
        return None
    return _("not the slope measured by central differences: {reason}").format(reason=reason)


sigmoid_backward = Task(
    "sigmoid_backward",
    cases=[
        # sigma(0) = 1/2 -> 1/2 * 1/2 = 1/4; sigma(+-ln 3) = 3/4 or 1/4 -> 3/4 * 1/4 = 3/16
        Case(
            dict(Z=np.array([[0.0, LN3, -LN3]]), grad_out=np.array([[1.0, 1.0, 1.0]])),
            expected=np.array([[0.25, 0.1875, 0.1875]]),
            hint=N_(
                "With grad_out = 1, the result is sigma'(Z): 1/2 * 1/2 = 1/4 at z = 0 and "
                "3/4 * 1/4 = 3/16 at z = +-ln 3."
            ),
        ),
        # (2, -4) * 1/4 = (0.5, -1); 16 * 3/16 = 3; 0 * 1/4 = 0
        Case(
            dict(
                Z=np.array([[0.0, 0.0], [LN3, 0.0]]), grad_out=np.array([[2.0, -4.0], [16.0, 0.0]])
            ),
            expected=np.array([[0.5, -1.0], [3.0, 0.0]]),
            hint=N_(
                "sigma'(0) = 1/4 and sigma'(ln 3) = 3/16, times grad_out entry by entry: "
                "(2, -4) * 1/4 = (0.5, -1) and (16 * 3/16, 0 * 1/4) = (3, 0)."
            ),
        ),
        Case(
            dict(
                Z=np.array([[-2.0, 0.5, 1.5, -0.25], [3.0, -1.0, 0.0, 2.0], [0.1, -3.0, 1.0, 0.7]]),
                grad_out=np.array(
                    [[1.0, -2.0, 0.5, 3.0], [0.0, 1.5, -1.0, 2.0], [-0.5, 1.0, 4.0, -2.0]]
                ),
            ),
            verify=_sigmoid_by_differences,
            hint=N_(
                "A (3, 4) batch: the result must equal the slopes of sum(grad_out * "
                "sigmoid(Z)) measured by central differences, one per entry of Z."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("forgot grad_out"),
            "import numpy as np\ndef sigmoid_backward(Z, grad_out):\n"
            "    s = 1 / (1 + np.exp(-Z))\n    return s * (1 - s)\n",
            "multiply grad_out, entry by entry",
            hint=N_(
                "The chain rule: multiply grad_out, entry by entry, by sigma'(Z); sigma'(Z) "
                "alone is the answer only when grad_out is all ones."
            ),
        ),
        Mistake(
            N_("z (1 - z) instead of sigma(z) (1 - sigma(z))"),
            "def sigmoid_backward(Z, grad_out):\n    return grad_out * Z * (1 - Z)\n",
            "with sigma(z) computed from Z first",
            hint=N_(
                "sigma'(z) = sigma(z) * (1 - sigma(z)), with sigma(z) computed from Z first: "
                "Z * (1 - Z) skips the sigmoid."
            ),
        ),
    ],
)


# ---- Task 3: softmax_cross_entropy_gradient ----


def _cross_entropy_by_differences(result, Z, y) -> str | None:
    slope = _slope(lambda Z_: _mean_cross_entropy(Z_, y), Z)
    reason = compare(result, slope, **FD_TOLERANCE)
    if reason is None:
        return None
    return _(
        "not the slope of the mean cross-entropy measured by central differences: {reason}"
    ).format(reason=reason)


softmax_cross_entropy_gradient = Task(
    "softmax_cross_entropy_gradient",
    cases=[
        # exp(ln 2, 0, 0) = (2, 1, 1) -> p = (1/2, 1/4, 1/4); true class 1: p - y = (1/2, -3/4, 1/4)
        Case(
            dict(Z=np.array([[LN2, 0.0, 0.0]]), y=np.array([1])),
            expected=np.array([[0.5, -0.75, 0.25]]),
            hint=N_(
                "exp(ln 2, 0, 0) = (2, 1, 1), so p = (1/2, 1/4, 1/4); the true class is 1, so "
                "p - y = (1/2, -3/4, 1/4), divided by n = 1."
            ),
        ),
        # row 1 as above; row 2 p = (1/3, 1/3, 1/3), class 0: (-2/3, 1/3, 1/3); then / n = 2
        Case(
            dict(Z=np.array([[LN2, 0.0, 0.0], [0.0, 0.0, 0.0]]), y=np.array([1, 0])),
            expected=np.array([[0.25, -0.375, 0.125], [-1 / 3, 1 / 6, 1 / 6]]),
            hint=N_(
                "Row 1 as in case 1; row 2 has p = (1/3, 1/3, 1/3) and class 0, so "
                "p - y = (-2/3, 1/3, 1/3). Both rows divided by n = 2."
            ),
        ),
        # row 1: p = (1, e^-1000, e^-1000) = (1, 0, 0) in float64, class 0 -> (0, 0, 0);
        # row 2: p = (1/2, 1/2, 0), class 2 -> (1/2, 1/2, -1); then / 2
        Case(
            dict(Z=np.array([[1000.0, 0.0, 0.0], [0.0, 0.0, -1000.0]]), y=np.array([0, 2])),
            expected=np.array([[0.0, 0.0, 0.0], [0.25, 0.25, -0.5]]),
            hint=N_(
                "Large logits: row 1 has p = (1, 0, 0) and class 0, so p - y = 0; row 2 has "
                "p = (1/2, 1/2, 0) and class 2, so p - y = (1/2, 1/2, -1). Both divided by n = 2."
            ),
        ),
        Case(
            dict(
                Z=np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 0.0], [-0.3, 0.2, 0.1], [3.0, -2.0, 0.0]]),
                y=np.array([2, 0, 1, 1]),
            ),
            verify=_cross_entropy_by_differences,
            hint=N_(
                "Four samples of three classes (y holds class indices): the result must equal "
                "the slopes of the mean cross-entropy measured by central differences."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("forgot the 1/n"),
            "import numpy as np\ndef softmax_cross_entropy_gradient(Z, y):\n"
            "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
            "    P = e / e.sum(axis=1, keepdims=True)\n"
            "    P[np.arange(len(Z)), y] -= 1\n    return P\n",
            "divide P - Y by n",
            hint=N_(
                "The loss is the mean over the n samples, so its gradient is too: "
                "divide P - Y by n = len(Z)."
            ),
        ),
        Mistake(
            N_("sign error, y - p"),
            "import numpy as np\ndef softmax_cross_entropy_gradient(Z, y):\n"
            "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
            "    P = e / e.sum(axis=1, keepdims=True)\n"
            "    Y = np.eye(Z.shape[1])[y]\n    return (Y - P) / len(Z)\n",
            "the gradient is p - y",
            hint=N_(
                "Per sample the gradient is p - y, the softmax minus the one-hot label: "
                "y - p points the other way."
            ),
        ),
        Mistake(
            N_("naive softmax overflows"),
            "import numpy as np\ndef softmax_cross_entropy_gradient(Z, y):\n"
            "    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
            "    P[np.arange(len(Z)), y] -= 1\n    return P / len(Z)\n",
            "subtract each row's maximum",
            hint=N_(
                "exp(1000) overflows to inf, and inf / inf is NaN: subtract each row's maximum "
                "before np.exp (chapter 02), which does not change the softmax."
            ),
        ),
    ],
    warning_hint=N_(
        "The task asks for a stable softmax, and numpy warned on the way (an "
        "overflow, or a division by zero), even if the values came out right: subtract each row's "
        "maximum before np.exp."
    ),
)


# ---- Task 4: train_step ----

STEP_NOTES = {
    "W1": "dW1 = X.T @ delta1, with delta1 = (delta2 @ W2.T) * A1 * (1 - A1).",
    "b1": "db1 = delta1.sum(axis=0), with delta1 = (delta2 @ W2.T) * A1 * (1 - A1).",
    "W2": "dW2 = A1.T @ delta2, with delta2 = (P - Y) / n.",
    "b2": "db2 = delta2.sum(axis=0), with delta2 = (P - Y) / n.",
}


def _network_loss(X, y, W1, b1, W2, b2) -> float:
    return _mean_cross_entropy(_sigmoid(X @ W1 + b1) @ W2 + b2, y)


def _step_verdict(result, params: dict, expected: dict, n: int, tolerance: dict) -> str | None:
    """Judge the new parameters; recognise a step uphill and a step n times too long."""
    reason = _named(result, expected, STEP_NOTES, tolerance)
    if reason is None:
        return None
    for name, got in zip(params, result, strict=True):
        got = np.asarray(got, dtype=float)
        step = params[name] - expected[name]  # learning_rate * gradient
        if got.shape != step.shape or not np.any(step):
            continue
        if np.allclose(got, params[name] + step, **tolerance):
            return _(
                "{name} moved uphill: the step went along the gradient. Subtract "
                "learning_rate * gradient to go down the loss."
            ).format(name=name)
        if n > 1 and np.allclose(got, params[name] - n * step, **tolerance):
            return _(
                "{name} moved {n} times too far: the loss is the mean over the n = {n} samples, "
                "so delta2 = (P - Y) / n."
            ).format(name=name, n=n)
    return reason


def _train_step_by_hand(expected: dict) -> Callable:
    def verify(result, X, y, W1, b1, W2, b2, learning_rate) -> str | None:
        params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
        return _step_verdict(result, params, expected, len(X), {})

    return verify


def _train_step_by_differences(result, X, y, W1, b1, W2, b2, learning_rate) -> str | None:
    """New parameter = parameter - learning_rate * (slope of the loss measured by differences)."""
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    expected = {}
    for name, value in params.items():

        def loss_of(v, name=name):
            return _network_loss(X, y, **{**params, name: v})

        expected[name] = value - learning_rate * _slope(loss_of, value)
    return _step_verdict(result, params, expected, len(X), FD_TOLERANCE)


# X = [[1, 0]], y = [0], all parameters 0, learning rate 1:
# A1 = sigma(0, 0) = (1/2, 1/2); Z2 = (0, 0), P = (1/2, 1/2); delta2 = P - Y = (-1/2, 1/2)
# dW2 = A1^T delta2 = [[-1/4, 1/4], [-1/4, 1/4]], db2 = (-1/2, 1/2); W2 = 0, so delta1 = 0
STEP_ZEROS = {
    "W1": np.zeros((2, 2)),
    "b1": np.zeros(2),
    "W2": np.array([[0.25, -0.25], [0.25, -0.25]]),
    "b2": np.array([0.5, -0.5]),
}
# X = [[1, 0]], y = [1], W1 = 0, b1 = 0, W2 = [[2 ln 3, 0], [0, 0]], b2 = 0, learning rate 1:
# A1 = (1/2, 1/2); Z2 = (ln 3, 0), P = (3/4, 1/4); delta2 = P - Y = (3/4, -3/4)
# dW2 = A1^T delta2 = [[3/8, -3/8], [3/8, -3/8]], db2 = (3/4, -3/4)
# dA1 = delta2 W2^T = (3/4 * 2 ln 3, 0) = (3/2 ln 3, 0); delta1 = dA1 * 1/2 * 1/2 = (3/8 ln 3, 0)
# dW1 = X^T delta1 = [[3/8 ln 3, 0], [0, 0]], db1 = (3/8 ln 3, 0)
STEP_HIDDEN = {
    "W1": np.array([[-0.375 * LN3, 0.0], [0.0, 0.0]]),
    "b1": np.array([-0.375 * LN3, 0.0]),
    "W2": np.array([[2 * LN3 - 0.375, 0.375], [-0.375, 0.375]]),
    "b2": np.array([-0.75, 0.75]),
}


def _one_sample_step(y: int, W2: np.ndarray, expected: dict, hint: str) -> Case:
    """A hand-worked step on the sample X = [[1, 0]] of class y, from W1 = 0, b1 = b2 = 0."""
    args = dict(
        X=np.array([[1.0, 0.0]]),
        y=np.array([y]),
        W1=np.zeros((2, 2)),
        b1=np.zeros(2),
        W2=W2,
        b2=np.zeros(2),
        learning_rate=1.0,
    )
    return Case(args, verify=_train_step_by_hand(expected), hint=hint)


STEP_CODE = """import numpy as np
def train_step(X, y, W1, b1, W2, b2, learning_rate):
    A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    d2 = e / e.sum(axis=1, keepdims=True)
    d2[np.arange(len(X)), y] -= 1
    d2 /= {n}
    d1 = {delta1}
    return (W1 {sign} learning_rate * X.T @ d1, b1 {sign} learning_rate * d1.sum(axis=0),
            W2 {sign} learning_rate * A1.T @ d2, b2 {sign} learning_rate * d2.sum(axis=0))
"""


def _step_code(n="len(X)", delta1="(d2 @ W2.T) * A1 * (1 - A1)", sign="-") -> str:
    """A planted wrong ``train_step``: the right one with one piece of it replaced."""
    return STEP_CODE.format(n=n, delta1=delta1, sign=sign)


train_step = Task(
    "train_step",
    cases=[
        _one_sample_step(
            y=0,
            W2=np.zeros((2, 2)),
            expected=STEP_ZEROS,
            hint=N_(
                "Worked by hand: A1 = (1/2, 1/2), P = (1/2, 1/2), delta2 = (-1/2, 1/2); "
                "W2' = -A1.T @ delta2 = [[1/4, -1/4], [1/4, -1/4]], b2' = (1/2, -1/2), and W1, b1 "
                "stay 0 (W2 = 0 sends no error back)."
            ),
        ),
        _one_sample_step(
            y=1,
            W2=np.array([[2 * LN3, 0.0], [0.0, 0.0]]),
            expected=STEP_HIDDEN,
            hint=N_(
                "Worked by hand: P = (3/4, 1/4), delta2 = (3/4, -3/4); the error sent back is "
                "delta2 @ W2.T = (3/2 ln 3, 0), times A1 * (1 - A1) = 1/4, so W1 and b1 move by "
                "-3/8 ln 3 in their first entry."
            ),
        ),
        Case(
            dict(
                X=np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [-1.5, 0.5, 0.0], [0.0, 1.0, 1.0]]),
                y=np.array([0, 2, 1, 2]),
                W1=np.array(
                    [
                        [0.2, -0.5, 0.1, 0.4, -0.3],
                        [0.7, 0.0, -0.2, 0.1, 0.5],
                        [-0.4, 0.3, 0.6, -0.1, 0.2],
                    ]
                ),
                b1=np.array([0.1, -0.2, 0.0, 0.3, -0.1]),
                W2=np.array(
                    [
                        [0.5, -0.4, 0.1],
                        [0.3, 0.2, -0.6],
                        [-0.2, 0.8, 0.0],
                        [0.1, -0.3, 0.4],
                        [0.6, 0.0, -0.5],
                    ]
                ),
                b2=np.array([0.05, -0.05, 0.1]),
                learning_rate=0.5,
            ),
            verify=_train_step_by_differences,
            hint=N_(
                "4 samples, 3 inputs, 5 hidden units, 3 classes: each new parameter must be "
                "parameter - learning_rate * (slope of the loss measured by central differences), "
                "returned as (W1, b1, W2, b2) in their shapes."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("sign error: moves up the gradient"),
            _step_code(sign="+"),
            "parameter - learning_rate * its gradient",
            hint=N_(
                "Each new parameter = parameter - learning_rate * its gradient: the gradient "
                "points uphill, and the step goes the other way."
            ),
        ),
        Mistake(
            N_("forgot the 1/n"),
            _step_code(n="1"),
            "moved 4 times too far",
            hint=N_("The loss is the mean over the n samples: delta2 = (P - Y) / n."),
        ),
        Mistake(
            N_("forgot the sigmoid's derivative"),
            _step_code(delta1="d2 @ W2.T"),
            "multiply by its derivative A1 * (1 - A1)",
            hint=N_(
                "On the way down through the hidden sigmoid, multiply by its derivative "
                "A1 * (1 - A1): delta1 = (delta2 @ W2.T) * A1 * (1 - A1)."
            ),
        ),
    ],
    uses=("dense_backward", "sigmoid_backward", "softmax_cross_entropy_gradient"),
)

check = Checker.of_module(__name__)
