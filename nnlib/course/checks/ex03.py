"""Visible checks of exercise 03, "Loss and gradient descent".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked. Pre-activations of ``+-ln 3`` make
the sigmoid exact, ``sigma(ln 3) = 3/4``; the gradients are also compared with central
differences of the loss, computed here from the formula.
"""

import numpy as np

from nnlib.course.i18n import N_, _
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
    return _("not the slope of the loss measured by central differences: {reason}").format(
        reason=reason
    )


def _costs_a_lot_but_finitely(result, p, y) -> str | None:
    """A certain wrong answer (p = 0 for y = 1) must cost -log(eps): finite, and at least 10."""
    try:
        value = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return _("expected one number, got {result!r}").format(result=result)
    if value.shape != ():
        return _("expected one number (the mean over the samples), got shape {shape}").format(
            shape=value.shape
        )
    if not np.isfinite(value):
        return _("got {value}: the logarithm of 0 is -inf").format(value=float(value))
    if value < 10:
        return _(
            "got {value:.4g}: a certain mistake should cost -log(eps), at least 10 "
            "(27.6 for eps = 1e-12); is eps too large?"
        ).format(value=float(value))
    return None


mse = Task(
    "mse",
    cases=[
        # errors -0.2 and 0.3: (0.04 + 0.09) / (2 * 2) = 0.0325
        Case(
            dict(y_pred=np.array([[0.8], [0.3]]), y_true=np.array([[1.0], [0.0]])),
            expected=0.0325,
            hint=N_(
                "Errors -0.2 and 0.3, squared 0.04 and 0.09: C = (0.04 + 0.09) / (2 * 2) = "
                "0.0325, with n = 2 samples."
            ),
        ),
        # errors (1, -1) and (2, 0): (1 + 1 + 4 + 0) / (2 * 2) = 1.5
        Case(
            dict(
                y_pred=np.array([[1.0, 0.0], [2.0, 1.0]]), y_true=np.array([[0.0, 1.0], [0.0, 1.0]])
            ),
            expected=1.5,
            hint=N_(
                "Two samples of two outputs: the squared errors (1, 1) and (4, 0) add up to 6, "
                "and C = 6 / (2 * 2) = 1.5."
            ),
        ),
        # one sample with error 2: 2**2 / (2 * 1) = 2
        Case(
            dict(y_pred=np.array([[3.0]]), y_true=np.array([[1.0]])),
            expected=2.0,
            hint=N_("One sample with error 2: C = 2**2 / (2 * 1) = 2."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("no 1/n: sums over the samples"),
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.sum((y_pred - y_true) ** 2) / 2\n",
            "Divide by 2n",
            hint=N_(
                "The cost is a mean over the samples: Divide by 2n, with n = len(y_pred) the "
                "number of samples, not by 2 alone."
            ),
        ),
        Mistake(
            N_("mean over every entry instead of over the samples"),
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.mean((y_pred - y_true) ** 2) / 2\n",
            "not the number of entries",
            hint=N_(
                "n is the number of samples (rows), not the number of entries: np.mean over "
                "the whole array also divides by the number of outputs. Sum every squared error, "
                "then divide by 2 * len(y_pred)."
            ),
        ),
        Mistake(
            N_("forgot the 1/2"),
            "import numpy as np\ndef mse(y_pred, y_true):\n"
            "    return np.sum((y_pred - y_true) ** 2) / len(y_pred)\n",
            "Keep the 1/2",
            hint=N_("Keep the 1/2 of the formula, C = sum / (2n): it makes the gradient a - y."),
        ),
    ],
)

NO_LOG_OF_ZERO = N_(
    "The task promises a loss that never meets log(0), and numpy warned (a division by zero "
    "in log, or an invalid value): np.log(0) was computed somewhere, even if the result came "
    "out right. Clip p into [eps, 1 - eps] with np.clip before taking any logarithm."
)

binary_cross_entropy = Task(
    "binary_cross_entropy",
    cases=[
        # -(1 * ln 0.8 + 1 * ln(1 - 0.3)) / 2 = (0.2231 + 0.3567) / 2 = 0.2899
        Case(
            dict(p=np.array([0.8, 0.3]), y=np.array([1.0, 0.0])),
            expected=-(np.log(0.8) + np.log(0.7)) / 2,
            hint=N_(
                "Sample 1 (y = 1) costs -ln 0.8 = 0.2231, sample 2 (y = 0) costs "
                "-ln(1 - 0.3) = 0.3567: their mean is 0.2899."
            ),
        ),
        # each of the 4 samples costs -ln(1/2) = ln 2, so the mean is ln 2 = 0.6931
        Case(
            dict(p=np.array([0.5, 0.5, 0.5, 0.5]), y=np.array([1.0, 0.0, 1.0, 0.0])),
            expected=np.log(2.0),
            hint=N_(
                "Each of the four samples costs -ln(1/2) = ln 2, so the mean is ln 2 = 0.6931."
            ),
        ),
        # perfect answers: -(ln 1 + ln 1) / 2 = 0, up to the clipping
        Case(
            dict(p=np.array([1.0, 0.0]), y=np.array([1.0, 0.0])),
            expected=0.0,
            atol=1e-6,
            hint=N_(
                "Perfect answers, p = y: the loss is -(ln 1 + ln 1) / 2 = 0 (up to the "
                "clipping), a finite number."
            ),
        ),
        Case(
            dict(p=np.array([0.0]), y=np.array([1.0])),
            verify=_costs_a_lot_but_finitely,
            hint=N_(
                "A certain mistake, p = 0 for y = 1: it must cost a lot, -log(eps), yet stay "
                "finite."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("log(0): no clipping"),
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "clip p into [eps, 1 - eps]",
            hint=N_(
                "log(0) is -inf, and 0 * log(0) is NaN: clip p into [eps, 1 - eps] (e.g. "
                "eps = 1e-12) with np.clip before taking logarithms."
            ),
        ),
        Mistake(
            N_("minus sign forgotten"),
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    p = np.clip(p, 1e-12, 1 - 1e-12)\n"
            "    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "Mind the minus sign",
            hint=N_(
                "Mind the minus sign in front of the mean: logarithms of probabilities are "
                "negative, and a loss is never negative."
            ),
        ),
        Mistake(
            N_("sum instead of mean"),
            "import numpy as np\ndef binary_cross_entropy(p, y):\n"
            "    p = np.clip(p, 1e-12, 1 - 1e-12)\n"
            "    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))\n",
            "not their sum",
            hint=N_("The loss is the mean over the samples, not their sum: use np.mean."),
        ),
    ],
    warning_hint=NO_LOG_OF_ZERO,
)

gradients = Task(
    "gradients",
    cases=[
        # p = (1/2, 1/2), p - y = (-1/2, 1/2): X.T @ (p - y) = (-1/2 - 1/2, -1 + 1/4) = (-1, -3/4),
        # divided by m = 2: dw = (-0.5, -0.375); db = (-1/2 + 1/2) / 2 = 0
        Case(
            dict(w=np.zeros(2), b=0.0, X=X_SMALL, y=Y_SMALL),
            expected=(np.array([-0.5, -0.375]), 0.0),
            hint=N_(
                "At w = 0, b = 0 every p is 1/2, so p - y = (-1/2, 1/2); X.T @ (p - y) = "
                "(-1, -3/4), divided by m = 2: dw = (-0.5, -0.375), and db = (-1/2 + 1/2) / 2 = 0."
            ),
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
            hint=N_(
                "z = (ln 3, -ln 3, 0), so p = (3/4, 1/4, 1/2) and p - y = (-1/4, -3/4, 1/2); "
                "X.T @ (p - y) = (ln 3 / 2, -9/4) and the sum of p - y is -1/2, both divided by "
                "m = 3."
            ),
        ),
        # w = 0: p = sigma(ln 3) = 3/4 for both, p - y = (-1/4, 3/4);
        # dw = (1 * -1/4 + 2 * 3/4) / 2 = 0.625, db = (-1/4 + 3/4) / 2 = 0.25
        Case(
            dict(w=np.zeros(1), b=LN3, X=np.array([[1.0], [2.0]]), y=np.array([1.0, 0.0])),
            expected=(np.array([0.625]), 0.25),
            hint=N_(
                "Here w = 0 and b = ln 3, so both p = sigma(ln 3) = 3/4 and p - y = "
                "(-1/4, 3/4): dw = (1 * -1/4 + 2 * 3/4) / 2 = 0.625, db = (-1/4 + 3/4) / 2 = 0.25."
            ),
        ),
        Case(
            dict(w=W_RANDOM, b=0.3, X=X_RANDOM, y=Y_RANDOM),
            verify=_matches_central_differences,
            hint=N_(
                "The gradient must agree with the slope of the mean cross-entropy measured by "
                "nudging each weight, and the bias, by +-h."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("missing 1/m"),
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X.T @ (p - y), np.sum(p - y)\n",
            "divide both sums by m",
            hint=N_(
                "The loss is a mean over the m samples, so its gradient is too: divide both "
                "sums by m = len(X)."
            ),
        ),
        Mistake(
            N_("transposed gradient"),
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X @ (p - y) / len(X), np.mean(p - y)\n",
            "dw = X.T @ (p - y) / m has the shape of w",
            hint=N_(
                "dw = X.T @ (p - y) / m has the shape of w, (n_features,): X.T is "
                "(n_features, m) and p - y is (m,)."
            ),
        ),
        Mistake(
            N_("sign error: y - p"),
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return X.T @ (y - p) / len(X), np.mean(y - p)\n",
            "prediction minus label",
            hint=N_(
                "The error is p - y, prediction minus label: with y - p every gradient points "
                "the wrong way."
            ),
        ),
        Mistake(
            N_("forgot the bias in the forward pass"),
            "import numpy as np\ndef gradients(w, b, X, y):\n"
            "    p = 1 / (1 + np.exp(-(X @ w)))\n"
            "    return X.T @ (p - y) / len(X), np.mean(p - y)\n",
            "The bias is part of the neuron",
            hint=N_("The bias is part of the neuron: p = sigmoid(X @ w + b), not sigmoid(X @ w)."),
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
            hint=N_(
                "The gradient here is case 1 of `gradients`, dw = (-0.5, -0.375) and db = 0: "
                "w' = 0 - 0.5 * dw = (0.25, 0.1875) and b' = 0 - 0.5 * 0 = 0."
            ),
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
            hint=N_(
                "The gradient here is case 3 of `gradients`, dw = 0.625 and db = 0.25: "
                "w' = 0 - 2 * 0.625 = -1.25 and b' = ln 3 - 2 * 0.25."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("steps uphill"),
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    dw, db = X.T @ (p - y) / len(X), np.mean(p - y)\n"
            "    return w + learning_rate * dw, b + learning_rate * db\n",
            "the gradient points uphill",
            hint=N_(
                "Step against the gradient: new_w = w - learning_rate * dw (minus: the "
                "gradient points uphill)."
            ),
        ),
        Mistake(
            N_("bias not updated"),
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    return w - learning_rate * X.T @ (p - y) / len(X), b\n",
            "Update the bias too",
            hint=N_("Update the bias too: new_b = b - learning_rate * db."),
        ),
        Mistake(
            N_("updates w in place"),
            "import numpy as np\ndef gradient_descent_step(w, b, X, y, learning_rate):\n"
            "    p = 1 / (1 + np.exp(-(X @ w + b)))\n"
            "    w -= learning_rate * X.T @ (p - y) / len(X)\n"
            "    return w, b - learning_rate * np.mean(p - y)\n",
            "changed its argument `w` in place",
            hint=N_(
                "w -= ... changes the caller's array: return w - learning_rate * dw, a new array."
            ),
        ),
    ],
    uses=("gradients",),
)

check = Checker.of_module(__name__)
