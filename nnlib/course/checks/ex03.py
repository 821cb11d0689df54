"""Visible checks of exercise 03, "Loss and gradient descent".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked. Pre-activations of ``+-ln 3`` make
the sigmoid exact, ``sigma(ln 3) = 3/4``; the gradients are also compared with central
differences of the loss, computed here from the formula.
"""

import numpy as np

from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare

LN3 = np.log(3.0)
H = 1e-6

# The batch of chapter 03, section 3: p = (1/2, 1/2) at w = 0, b = 0, so p - y = (-1/2, 1/2).
X_SMALL = np.array([[1.0, 2.0], [-1.0, 0.5]])
Y_SMALL = np.array([1.0, 0.0])

_rng = np.random.default_rng(3)
X_RANDOM = _rng.normal(size=(4, 2))
Y_RANDOM = np.array([1.0, 0.0, 0.0, 1.0])
W_RANDOM = _rng.normal(size=2)


def _cross_entropy(w, b, X, y) -> float:
    """The mean cross-entropy of p = sigma(X @ w + b), written out (no clipping needed here)."""
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _matches_central_differences(result, w, b, X, y) -> str | None:
    """(dw, db) must be the slopes of the loss measured by nudging each parameter by +-h."""
    dw = np.empty_like(w)
    for j in range(len(w)):
        nudge = np.zeros_like(w)
        nudge[j] = H
        dw[j] = (_cross_entropy(w + nudge, b, X, y) - _cross_entropy(w - nudge, b, X, y)) / (2 * H)
    db = (_cross_entropy(w, b + H, X, y) - _cross_entropy(w, b - H, X, y)) / (2 * H)
    reason = compare(result, (dw, db), rtol=1e-6, atol=1e-9)
    if reason is None:
        return None
    return f"not the slope of the loss measured by central differences: {reason}"


def _costs_a_lot_but_finitely(result, p, y) -> str | None:
    """A certain wrong answer (p = 0 for y = 1) must cost -log(eps): finite, and at least 10."""
    try:
        value = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected one number, got {result!r}"
    if value.shape != ():
        return f"expected one number (the mean over the samples), got shape {value.shape}"
    if not np.isfinite(value):
        return f"got {float(value)}: the logarithm of 0 is -inf"
    if value < 10:
        return (
            f"got {float(value):.4g}: a certain mistake should cost -log(eps), at least 10 "
            f"(27.6 for eps = 1e-12); is eps too large?"
        )
    return None


mse = Task(
    "mse",
    cases=[
        # errors -0.2 and 0.3: (0.04 + 0.09) / (2 * 2) = 0.0325
        Case(
            dict(y_pred=np.array([[0.8], [0.3]]), y_true=np.array([[1.0], [0.0]])),
            expected=0.0325,
            hint="C = (sum of the squared errors) / (2n): (0.04 + 0.09) / (2 * 2). Divide by 2n, "
            "with n the number of samples.",
        ),
        # errors (1, -1) and (2, 0): (1 + 1 + 4 + 0) / (2 * 2) = 1.5
        Case(
            dict(
                y_pred=np.array([[1.0, 0.0], [2.0, 1.0]]), y_true=np.array([[0.0, 1.0], [0.0, 1.0]])
            ),
            expected=1.5,
            hint="n is the number of samples (rows), not the number of entries: sum every "
            "squared error, then divide by 2 * len(y_pred).",
        ),
        # one sample with error 2: 2**2 / (2 * 1) = 2
        Case(
            dict(y_pred=np.array([[3.0]]), y_true=np.array([[1.0]])),
            expected=2.0,
            hint="Keep the 1/2 of the formula: one sample with error 2 costs 2**2 / 2 = 2.",
        ),
    ],
    mistakes=[
        Mistake(
            "no 1/n: sums over the samples",
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.sum((y_pred - y_true) ** 2) / 2\n",
            "Divide by 2n",
        ),
        Mistake(
            "mean over every entry instead of over the samples",
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.mean((y_pred - y_true) ** 2) / 2\n",
            "not the number of entries",
        ),
        Mistake(
            "forgot the 1/2",
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.sum((y_pred - y_true) ** 2) / len(y_pred)\n",
            "Keep the 1/2",
        ),
    ],
)

binary_cross_entropy = Task(
    "binary_cross_entropy",
    cases=[
        # -(1 * ln 0.8 + 1 * ln(1 - 0.3)) / 2 = (0.2231 + 0.3567) / 2 = 0.2899
        Case(
            dict(p=np.array([0.8, 0.3]), y=np.array([1.0, 0.0])),
            expected=-(np.log(0.8) + np.log(0.7)) / 2,
            hint="C = -mean(y * log(p) + (1 - y) * log(1 - p)): here -(log 0.8 + log 0.7) / 2. "
            "Mind the minus sign: a loss is never negative.",
        ),
        # each of the 4 samples costs -ln(1/2) = ln 2, so the mean is ln 2 = 0.6931
        Case(
            dict(p=np.array([0.5, 0.5, 0.5, 0.5]), y=np.array([1.0, 0.0, 1.0, 0.0])),
            expected=np.log(2.0),
            hint="Average over the samples: four samples that each cost ln 2 cost ln 2 on "
            "average, not 4 ln 2.",
        ),
        # perfect answers: -(ln 1 + ln 1) / 2 = 0, up to the clipping
        Case(
            dict(p=np.array([1.0, 0.0]), y=np.array([1.0, 0.0])),
            expected=0.0,
            atol=1e-6,
            hint="Perfect answers cost 0, but 0 * log(0) is NaN: clip p into [eps, 1 - eps] "
            "(e.g. eps = 1e-12) with np.clip before taking logarithms.",
        ),
        Case(
            dict(p=np.array([0.0]), y=np.array([1.0])),
            verify=_costs_a_lot_but_finitely,
            hint="A certain mistake: log(0) = -inf. Clip p into [eps, 1 - eps] first, so it costs "
            "a large but finite -log(eps).",
        ),
    ],
    mistakes=[
        Mistake(
            "log(0): no clipping",
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "clip p into [eps, 1 - eps]",
        ),
        Mistake(
            "minus sign forgotten",
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    p = np.clip(p, 1e-12, 1 - 1e-12)\n"
            "    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "Mind the minus sign",
        ),
        Mistake(
            "sum instead of mean",
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    p = np.clip(p, 1e-12, 1 - 1e-12)\n"
            "    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "not 4 ln 2",
        ),
    ],
)

gradients = Task(
    "gradients",
    cases=[
        # p = (1/2, 1/2), p - y = (-1/2, 1/2): X.T @ (p - y) = (-1/2 - 1/2, -1 + 1/4) = (-1, -3/4),
        # divided by m = 2: dw = (-0.5, -0.375); db = (-1/2 + 1/2) / 2 = 0
        Case(
            dict(w=np.zeros(2), b=0.0, X=X_SMALL, y=Y_SMALL),
            expected=(np.array([-0.5, -0.375]), 0.0),
            hint="p = sigmoid(X @ w + b); the error is p - y (prediction minus label); "
            "dw = X.T @ (p - y) / m has the shape of w, and db = mean(p - y).",
        ),
        # z = (ln 3, -ln 3, 0), p = (3/4, 1/4, 1/2), p - y = (-1/4, -3/4, 1/2);
        # X.T @ (p - y) = (-ln3/4 + 3 ln3/4 + 0, -1/4 - 3/2 - 1/2) = (ln3/2, -9/4), then / 3;
        # db = (-1/4 - 3/4 + 1/2) / 3 = -1/6
        Case(
            dict(
                w=np.array([1.0, 0.0]),
                b=0.0,
                X=np.array([[LN3, 1.0], [-LN3, 2.0], [0.0, -1.0]]),
                y=np.array([1.0, 1.0, 0.0]),
            ),
            expected=(np.array([LN3 / 6, -0.75]), -1 / 6),
            hint="Average over the m samples: divide both sums by m = len(X), here 3.",
        ),
        # w = 0: p = sigma(ln 3) = 3/4 for both, p - y = (-1/4, 3/4);
        # dw = (1 * -1/4 + 2 * 3/4) / 2 = 0.625, db = (-1/4 + 3/4) / 2 = 0.25
        Case(
            dict(w=np.zeros(1), b=LN3, X=np.array([[1.0], [2.0]]), y=np.array([1.0, 0.0])),
            expected=(np.array([0.625]), 0.25),
            hint="The bias is part of the neuron, z = X @ w + b: with w = 0, p = sigmoid(b) = 3/4.",
        ),
        Case(
            dict(w=W_RANDOM, b=0.3, X=X_RANDOM, y=Y_RANDOM),
            verify=_matches_central_differences,
            hint="The gradient must agree with the slope of the mean cross-entropy measured by "
            "nudging each weight, and the bias, by +-h.",
        ),
    ],
    mistakes=[
        Mistake(
            "missing 1/m",
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X.T @ (p - y), np.sum(p - y)\n",
            "divide both sums by m",
        ),
        Mistake(
            "transposed gradient",
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X @ (p - y) / len(X), np.mean(p - y)\n",
            "dw = X.T @ (p - y) / m has the shape of w",
        ),
        Mistake(
            "sign error: y - p",
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X.T @ (y - p) / len(X), np.mean(y - p)\n",
            "prediction minus label",
        ),
        Mistake(
            "forgot the bias in the forward pass",
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w)))\n"
            "    return X.T @ (p - y) / len(X), np.mean(p - y)\n",
            "The bias is part of the neuron",
        ),
    ],
)

gradient_descent_step = Task(
    "gradient_descent_step",
    cases=[
        # dw = (-0.5, -0.375), db = 0 (case 1 of `gradients`): w = 0 - 0.5 * dw = (0.25, 0.1875)
        Case(
            dict(w=np.zeros(2), b=0.0, X=X_SMALL, y=Y_SMALL, learning_rate=0.5),
            expected=(np.array([0.25, 0.1875]), 0.0),
            hint="Step against the gradient: new_w = w - learning_rate * dw (minus: the "
            "gradient points uphill).",
        ),
        # dw = 0.625, db = 0.25 (case 3 of `gradients`): w = 0 - 2 * 0.625, b = ln 3 - 2 * 0.25
        Case(
            dict(
                w=np.zeros(1),
                b=LN3,
                X=np.array([[1.0], [2.0]]),
                y=np.array([1.0, 0.0]),
                learning_rate=2.0,
            ),
            expected=(np.array([-1.25]), LN3 - 0.5),
            hint="Update the bias too: new_b = b - learning_rate * db.",
        ),
    ],
    mistakes=[
        Mistake(
            "steps uphill",
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    dw, db = X.T @ (p - y) / len(X), np.mean(p - y)\n"
            "    return w + learning_rate * dw, b + learning_rate * db\n",
            "the gradient points uphill",
        ),
        Mistake(
            "bias not updated",
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return w - learning_rate * X.T @ (p - y) / len(X), b\n",
            "Update the bias too",
        ),
        Mistake(
            "updates w in place",
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    w -= learning_rate * X.T @ (p - y) / len(X)\n"
            "    return w, b - learning_rate * np.mean(p - y)\n",
            "changed its argument `w` in place",
        ),
    ],
)

TASKS = [mse, binary_cross_entropy, gradients, gradient_descent_step]
check = Checker(TASKS)
