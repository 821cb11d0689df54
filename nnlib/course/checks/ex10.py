"""Visible checks of exercise 10, "Beyond the seed".

Two kinds of truth, neither a reference implementation of a task: values worked by hand (the
arithmetic is in the comments), and for the L2 penalty, the learner's gradient compared with
central differences of the penalty value the learner returned.
"""

import numpy as np

from nnlib.course.selfcheck import Case, Checker, Mistake, Task, describe

# ---- Task 1: relu_forward_backward ----

relu_forward_backward = Task(
    "relu_forward_backward",
    cases=[
        # z = (-2, -0.5, 0.5, 3): a = (0, 0, 0.5, 3);
        # slopes (0, 0, 1, 1) times grad_out (1, 2, 3, 4) = (0, 0, 3, 4)
        Case(
            dict(z=np.array([[-2.0, -0.5, 0.5, 3.0]]), grad_out=np.array([[1.0, 2.0, 3.0, 4.0]])),
            expected=(np.array([[0.0, 0.0, 0.5, 3.0]]), np.array([[0.0, 0.0, 3.0, 4.0]])),
            hint="a = max(z, 0); the gradient passes where z > 0 (times grad_out) and is 0 "
            "elsewhere: grad_out * (z > 0).",
        ),
        # large z: the slope is still 1, so grad_out passes unchanged (no saturation)
        Case(
            dict(
                z=np.array([[100.0, -100.0], [7.0, 0.25]]),
                grad_out=np.array([[0.5, 0.5], [-1.0, 2.0]]),
            ),
            expected=(np.array([[100.0, 0.0], [7.0, 0.25]]), np.array([[0.5, 0.0], [-1.0, 2.0]])),
            hint="The slope of ReLU is 1 for every z > 0, however large: multiply grad_out by the "
            "slope (0 or 1), not by the activation a.",
        ),
        # z = 0 exactly: nnlib (like PyTorch and TensorFlow) takes the slope there as 0
        Case(
            dict(z=np.array([[0.0, 1.0]]), grad_out=np.array([[5.0, 5.0]])),
            expected=(np.array([[0.0, 1.0]]), np.array([[0.0, 5.0]])),
            hint="At z = 0 exactly take the slope 0, the usual convention: test z > 0, not z >= 0.",
        ),
    ],
    mistakes=[
        Mistake(
            "multiplies by the activation",
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    a = np.maximum(z, 0)\n"
            "    return a, grad_out * a\n",
            "not by the activation a",
        ),
        Mistake(
            "forgets grad_out",
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    return np.maximum(z, 0), (z > 0).astype(float)\n",
            "grad_out * (z > 0)",
        ),
        Mistake(
            "slope 1 at zero",
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    return np.maximum(z, 0), grad_out * (z >= 0)\n",
            "test z > 0, not z >= 0",
        ),
    ],
)

# ---- Task 2: he_std ----

he_std = Task(
    "he_std",
    cases=[
        # sqrt(2 / 2) = 1
        Case(
            dict(n_in=2),
            expected=1.0,
            hint="He: Var(W) = 2 / n_in, so the standard deviation is sqrt(2 / n_in).",
        ),
        # sqrt(2 / 8) = sqrt(1/4) = 0.5
        Case(
            dict(n_in=8),
            expected=0.5,
            hint="Return the standard deviation sqrt(2 / n_in), not the variance 2 / n_in.",
        ),
        # the first layer of an MNIST network: sqrt(2 / 784) = sqrt(1 / 392) = 0.0505076
        Case(
            dict(n_in=784),
            expected=np.sqrt(2 / 784),
            hint="The 2 makes up for the half of its inputs that a ReLU zeroes: sqrt(1 / n_in) "
            "is LeCun's, for units that do not halve the signal.",
        ),
    ],
    mistakes=[
        Mistake(
            "the variance",
            "def he_std(n_in):\n    return 2 / n_in\n",
            "not the variance",
        ),
        Mistake(
            "LeCun's, without the 2",
            "import numpy as np\ndef he_std(n_in):\n    return np.sqrt(1 / n_in)\n",
            "the half of its inputs that a ReLU zeroes",
        ),
    ],
)

# ---- Task 3: inverted_dropout ----

inverted_dropout = Task(
    "inverted_dropout",
    cases=[
        # rate 0.5: kept entries divided by 1 - 0.5: (2, 0, 6, 8) / 0.5 = (4, 0, 12, 16)
        Case(
            dict(
                a=np.array([[2.0, 4.0, 6.0, 8.0]]),
                keep=np.array([[True, False, True, True]]),
                rate=0.5,
            ),
            expected=np.array([[4.0, 0.0, 12.0, 16.0]]),
            hint="Zero the dropped entries, then divide the kept ones by 1 - rate, the "
            "probability of keeping: a * keep / (1 - rate).",
        ),
        # rate 0.2: divide by 0.8, so 1 -> 1.25 and 0.4 -> 0.5; two samples, two dropped entries
        Case(
            dict(
                a=np.array([[1.0, 0.4], [2.0, -4.0]]),
                keep=np.array([[True, True], [False, True]]),
                rate=0.2,
            ),
            expected=np.array([[1.25, 0.5], [0.0, -5.0]]),
            hint="Divide by 1 - rate (the probability of keeping), not by rate: with rate 0.2 "
            "each kept entry is multiplied by 1 / 0.8 = 1.25.",
        ),
        # rate 0: nothing dropped, nothing rescaled
        Case(
            dict(a=np.array([[3.0, -1.0]]), keep=np.array([[True, True]]), rate=0.0),
            expected=np.array([[3.0, -1.0]]),
            hint="With rate 0 dropout changes nothing: a * keep / (1 - 0) = a.",
        ),
    ],
    mistakes=[
        Mistake(
            "not rescaled",
            "def inverted_dropout(a, keep, rate):\n    return a * keep\n",
            "then divide the kept ones by 1 - rate",
        ),
        Mistake(
            "divided by the rate",
            "def inverted_dropout(a, keep, rate):\n    return a * keep / rate\n",
            "not by rate",
        ),
        Mistake(
            "multiplied by the keep probability (test-time scaling in training)",
            "def inverted_dropout(a, keep, rate):\n    return a * keep * (1 - rate)\n",
            "multiplied by 1 / 0.8 = 1.25",
        ),
    ],
)

# ---- Task 4: l2_penalty ----

L2_HINT = (
    "The penalty is lam / 2 * sum(W**2) (the 1/2 makes the gradient clean) and its gradient is "
    "lam * W, an array shaped like W."
)


def _gradient_of_its_own_penalty(result, W, lam) -> str | None:
    """Whatever constant the learner's penalty ``c * sum(W**2)`` uses, its gradient must be its
    derivative ``2 c W``: read ``c`` off the returned value, then compare with central differences
    of ``c * sum(W**2)`` (exact for a quadratic, up to rounding)."""
    try:
        value, grad = result
        value, grad = float(value), np.asarray(grad, dtype=float)
    except (TypeError, ValueError):
        return f"expected a pair (penalty, gradient), got {describe(result)}"
    if grad.shape != W.shape:
        return f"the gradient must have the shape of W, {W.shape}, got {grad.shape}"
    c = value / np.sum(W**2)
    h = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        numeric[index] = c * (np.sum((W + step) ** 2) - np.sum((W - step) ** 2)) / (2 * h)
    if not np.allclose(grad, numeric, rtol=1e-6, atol=1e-9):
        return (
            f"your gradient {describe(grad)} is not the derivative of your penalty "
            f"{value:.6g}: central differences give {describe(numeric)}"
        )
    return None


l2_penalty = Task(
    "l2_penalty",
    cases=[
        # lam = 0.1, W = (3, -1): penalty 0.05 * (9 + 1) = 0.5, gradient (0.3, -0.1)
        Case(
            dict(W=np.array([3.0, -1.0]), lam=0.1),
            expected=(0.5, np.array([0.3, -0.1])),
            hint=L2_HINT,
        ),
        # a matrix: sum of squares 1 + 4 + 9 + 0 = 14, penalty 0.01 / 2 * 14 = 0.07,
        # gradient 0.01 * W
        Case(
            dict(W=np.array([[1.0, -2.0], [3.0, 0.0]]), lam=0.01),
            expected=(0.07, np.array([[0.01, -0.02], [0.03, 0.0]])),
            hint="Sum the squares of every entry of W, whatever its shape; the gradient has W's "
            "shape.",
        ),
        # whatever the numbers, the gradient must be the derivative of the penalty
        Case(
            dict(W=np.array([[0.5, -1.5, 2.0]]), lam=0.3),
            verify=_gradient_of_its_own_penalty,
            hint="The gradient of lam / 2 * sum(W**2) is lam * W: the 2 of the square cancels "
            "the 1/2.",
        ),
    ],
    mistakes=[
        Mistake(
            "gradient twice too large",
            "import numpy as np\ndef l2_penalty(W, lam):\n"
            "    return lam / 2 * np.sum(W**2), 2 * lam * W\n",
            "the 2 of the square cancels the 1/2",
        ),
        Mistake(
            "penalty without the half",
            "import numpy as np\ndef l2_penalty(W, lam):\n    return lam * np.sum(W**2), lam * W\n",
            "is not the derivative of your penalty",
        ),
        Mistake(
            "penalty of the absolute values (L1)",
            "import numpy as np\ndef l2_penalty(W, lam):\n"
            "    return lam / 2 * np.sum(np.abs(W)), lam * W\n",
            "(the 1/2 makes the gradient clean)",
        ),
    ],
)

# ---- Task 5: decayed_learning_rate ----

decayed_learning_rate = Task(
    "decayed_learning_rate",
    cases=[
        # epoch 1 trains with the initial rate: 0.001 * 0.8**0 = 0.001
        Case(
            dict(initial=1e-3, factor=0.8, epoch=1),
            expected=1e-3,
            hint="Epochs count from 1, and the first epoch uses the initial rate: "
            "initial * factor**(epoch - 1).",
        ),
        # epoch 3: 0.001 * 0.8**2 = 0.001 * 0.64 = 0.00064
        Case(
            dict(initial=1e-3, factor=0.8, epoch=3),
            expected=6.4e-4,
            hint="Multiply by the factor once per epoch already done: 0.8 * 0.8 = 0.64 before "
            "epoch 3, a power, not a product with the epoch.",
        ),
        # epoch 4 with factor 0.5: 0.1 * 0.5**3 = 0.0125
        Case(
            dict(initial=0.1, factor=0.5, epoch=4),
            expected=0.0125,
            hint="initial * factor**(epoch - 1): three halvings before epoch 4.",
        ),
    ],
    mistakes=[
        Mistake(
            "off by one epoch",
            "def decayed_learning_rate(initial, factor, epoch):\n"
            "    return initial * factor**epoch\n",
            "Epochs count from 1",
        ),
        Mistake(
            "linear, not exponential",
            "def decayed_learning_rate(initial, factor, epoch):\n"
            "    return initial * factor * (epoch - 1) if epoch > 1 else initial\n",
            "a power, not a product with the epoch",
        ),
    ],
)

TASKS = [relu_forward_backward, he_std, inverted_dropout, l2_penalty, decayed_learning_rate]
check = Checker(TASKS)
