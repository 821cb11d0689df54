"""Visible checks of exercise 10, "Beyond the seed".

Two kinds of truth, neither a reference implementation of a task: values worked by hand (the
arithmetic is in the comments), and for the L2 penalty, the learner's gradient compared with
central differences of the penalty value the learner returned.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare, describe

# ---- Task 1: relu_forward_backward ----

relu_forward_backward = Task(
    "relu_forward_backward",
    cases=[
        # z = (-2, -0.5, 0.5, 3): a = (0, 0, 0.5, 3);
        # slopes (0, 0, 1, 1) times grad_out (1, 2, 3, 4) = (0, 0, 3, 4)
        Case(
            dict(z=np.array([[-2.0, -0.5, 0.5, 3.0]]), grad_out=np.array([[1.0, 2.0, 3.0, 4.0]])),
            expected=(np.array([[0.0, 0.0, 0.5, 3.0]]), np.array([[0.0, 0.0, 3.0, 4.0]])),
            hint=N_(
                "a = max(z, 0); the gradient passes where z > 0 (times grad_out) and is 0 "
                "elsewhere: grad_out * (z > 0)."
            ),
        ),
        # large z: the slope is still 1, so grad_out passes unchanged (no saturation)
        Case(
            dict(
                z=np.array([[100.0, -100.0], [7.0, 0.25]]),
                grad_out=np.array([[0.5, 0.5], [-1.0, 2.0]]),
            ),
            expected=(np.array([[100.0, 0.0], [7.0, 0.25]]), np.array([[0.5, 0.0], [-1.0, 2.0]])),
            hint=N_(
                "The slope of ReLU is 1 for every z > 0, however large: multiply grad_out by the "
                "slope (0 or 1), not by the activation a."
            ),
        ),
        # z = 0 exactly: nnlib (like PyTorch and TensorFlow) takes the slope there as 0
        Case(
            dict(z=np.array([[0.0, 1.0]]), grad_out=np.array([[5.0, 5.0]])),
            expected=(np.array([[0.0, 1.0]]), np.array([[0.0, 5.0]])),
            hint=N_(
                "At z = 0 exactly take the slope 0, the usual convention: test z > 0, not z >= 0."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("multiplies by the activation"),
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    a = np.maximum(z, 0)\n"
            "    return a, grad_out * a\n",
            "Multiply grad_out by the slope (z > 0),",
            hint=N_(
                "Multiply grad_out by the slope (z > 0), which is 0 or 1, not by a = max(z, 0)."
            ),
        ),
        Mistake(
            N_("forgets grad_out"),
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    return np.maximum(z, 0), (z > 0).astype(float)\n",
            "The backward pass returns grad_out *",
            hint=N_(
                "The backward pass returns grad_out * relu'(z); the slope alone ignores the"
                " gradient from above."
            ),
        ),
        Mistake(
            N_("slope 1 at zero"),
            "import numpy as np\ndef relu_forward_backward(z, grad_out):\n"
            "    return np.maximum(z, 0), grad_out * (z >= 0)\n",
            "Use z > 0 for the slope: at z = 0 it is",
            hint=N_("Use z > 0 for the slope: at z = 0 it is taken as 0."),
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
            hint=N_("He: Var(W) = 2 / n_in, so the standard deviation is sqrt(2 / n_in)."),
        ),
        # sqrt(2 / 8) = sqrt(1/4) = 0.5
        Case(
            dict(n_in=8),
            expected=0.5,
            hint=N_("Return the standard deviation sqrt(2 / n_in), not the variance 2 / n_in."),
        ),
        # the first layer of an MNIST network: sqrt(2 / 784) = sqrt(1 / 392) = 0.0505076
        Case(
            dict(n_in=784),
            expected=np.sqrt(2 / 784),
            hint=N_(
                "The 2 makes up for the half of its inputs that a ReLU zeroes: sqrt(1 / n_in) "
                "is LeCun's, for units that do not halve the signal."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("the variance"),
            "def he_std(n_in):\n    return 2 / n_in\n",
            "Take the square root: the standard",
            hint=N_(
                "Take the square root: the standard deviation of N(0, 2/n_in) is sqrt(2 / n_in)."
            ),
        ),
        Mistake(
            N_("LeCun's, without the 2"),
            "import numpy as np\ndef he_std(n_in):\n    return np.sqrt(1 / n_in)\n",
            "He's variance is 2 / n_in, twice",
            hint=N_("He's variance is 2 / n_in, twice LeCun's 1 / n_in."),
        ),
    ],
)

# ---- Task 3: dropout_forward_backward ----

DROPOUT_NOTES = {
    "out": N_(
        "Zero the dropped entries, then divide the kept ones by 1 - rate, the probability of "
        "keeping: a * keep / (1 - rate)."
    ),
    "grad_in": N_(
        "The backward pass uses the forward pass's mask: grad_out * keep / (1 - rate). A "
        "dropped entry did not affect the loss, and a kept one was scaled by 1 / (1 - rate)."
    ),
}


def _dropout(out: np.ndarray, grad_in: np.ndarray):
    """A check of ``(out, grad_in)`` that names the wrong one."""

    def verify(result, **args) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _("expected a pair (out, grad_in), got {got}").format(got=describe(result))
        for name, got, want in [("out", result[0], out), ("grad_in", result[1], grad_in)]:
            reason = compare(got, want)
            if reason:
                return _("{name} is wrong: {reason}. {note}").format(
                    name=name, reason=reason, note=_(DROPOUT_NOTES[name])
                )
        return None

    return verify


dropout_forward_backward = Task(
    "dropout_forward_backward",
    cases=[
        # rate 0.5: kept entries divided by 0.5: out = (2, 0, 6, 8) / 0.5 = (4, 0, 12, 16);
        # grad_in = (1, 0, 1, 1) / 0.5 = (2, 0, 2, 2)
        Case(
            dict(
                a=np.array([[2.0, 4.0, 6.0, 8.0]]),
                keep=np.array([[True, False, True, True]]),
                rate=0.5,
                grad_out=np.array([[1.0, 1.0, 1.0, 1.0]]),
            ),
            verify=_dropout(np.array([[4.0, 0.0, 12.0, 16.0]]), np.array([[2.0, 0.0, 2.0, 2.0]])),
            hint=N_("Forward and backward multiply by the same mask, keep / (1 - rate)."),
        ),
        # rate 0.2: divide by 0.8, i.e. multiply by 1.25: out = (1.25, 0.5; 0, -5),
        # grad_in = (0.8, -1.6; 0, 2) * 1.25 with the dropped entry 0 = (1, -2; 0, 2.5)
        Case(
            dict(
                a=np.array([[1.0, 0.4], [2.0, -4.0]]),
                keep=np.array([[True, True], [False, True]]),
                rate=0.2,
                grad_out=np.array([[0.8, -1.6], [1.0, 2.0]]),
            ),
            verify=_dropout(
                np.array([[1.25, 0.5], [0.0, -5.0]]), np.array([[1.0, -2.0], [0.0, 2.5]])
            ),
            hint=N_(
                "Divide by 1 - rate (the probability of keeping), not by rate: with rate 0.2 "
                "each kept entry is multiplied by 1 / 0.8 = 1.25."
            ),
        ),
        # rate 0: nothing dropped, nothing rescaled, the gradient passes unchanged
        Case(
            dict(
                a=np.array([[3.0, -1.0]]),
                keep=np.array([[True, True]]),
                rate=0.0,
                grad_out=np.array([[2.0, 2.0]]),
            ),
            verify=_dropout(np.array([[3.0, -1.0]]), np.array([[2.0, 2.0]])),
            hint=N_("With rate 0 dropout changes nothing, forward or backward."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("not rescaled"),
            "def dropout_forward_backward(a, keep, rate, grad_out):\n"
            "    return a * keep, grad_out * keep\n",
            "Divide the kept entries, and the",
            hint=N_(
                "Divide the kept entries, and the gradient, by 1 - rate as well as masking them."
            ),
        ),
        Mistake(
            N_("divided by the rate"),
            "def dropout_forward_backward(a, keep, rate, grad_out):\n"
            "    return a * keep / rate, grad_out * keep / rate\n",
            "Divide by the probability of keeping, 1",
            hint=N_("Divide by the probability of keeping, 1 - rate, not by rate."),
        ),
        Mistake(
            N_("backward pass without the mask"),
            "def dropout_forward_backward(a, keep, rate, grad_out):\n"
            "    return a * keep / (1 - rate), grad_out\n",
            "Multiply grad_out by the same keep / (1",
            hint=N_("Multiply grad_out by the same keep / (1 - rate) as the forward pass."),
        ),
        Mistake(
            N_("backward pass not rescaled"),
            "def dropout_forward_backward(a, keep, rate, grad_out):\n"
            "    return a * keep / (1 - rate), grad_out * keep\n",
            "The gradient also needs the 1 / (1 -",
            hint=N_("The gradient also needs the 1 / (1 - rate) of the forward pass."),
        ),
    ],
)

# ---- Task 4: l2_penalty ----

L2_HINT = N_(
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
        return _("expected a pair (penalty, gradient), got {got}").format(got=describe(result))
    if grad.shape != W.shape:
        return _("the gradient must have the shape of W, {want}, got {got}").format(
            want=W.shape, got=grad.shape
        )
    c = value / np.sum(W**2)
    h = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        numeric[index] = c * (np.sum((W + step) ** 2) - np.sum((W - step) ** 2)) / (2 * h)
    if not np.allclose(grad, numeric, rtol=1e-6, atol=1e-9):
        return _(
            "your gradient {gradient} is not the derivative of your penalty "
            "{value:.6g}: central differences give {numeric}"
        ).format(gradient=describe(grad), value=value, numeric=describe(numeric))
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
            hint=N_(
                "Sum the squares of every entry of W, whatever its shape; the gradient has W's "
                "shape."
            ),
        ),
        # whatever the numbers, the gradient must be the derivative of the penalty
        Case(
            dict(W=np.array([[0.5, -1.5, 2.0]]), lam=0.3),
            verify=_gradient_of_its_own_penalty,
            hint=N_(
                "The gradient of lam / 2 * sum(W**2) is lam * W: the 2 of the square cancels "
                "the 1/2."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("gradient twice too large"),
            "import numpy as np\ndef l2_penalty(W, lam):\n"
            "    return lam / 2 * np.sum(W**2), 2 * lam * W\n",
            "With the 1/2 in the penalty the",
            hint=N_("With the 1/2 in the penalty the gradient is lam * W, not 2 * lam * W."),
        ),
        Mistake(
            N_("penalty without the half"),
            "import numpy as np\ndef l2_penalty(W, lam):\n    return lam * np.sum(W**2), lam * W\n",
            "The penalty is lam / 2 * sum(W**2):",
            hint=N_("The penalty is lam / 2 * sum(W**2): keep the 1/2."),
        ),
        Mistake(
            N_("penalty of the absolute values (L1)"),
            "import numpy as np\ndef l2_penalty(W, lam):\n"
            "    return lam / 2 * np.sum(np.abs(W)), lam * W\n",
            "Square the weights: L2 is sum(W**2),",
            hint=N_("Square the weights: L2 is sum(W**2), not sum(abs(W))."),
        ),
    ],
)

# ---- Task 5: train_with_decay ----

DECAY_HINT = N_(
    "Epoch e (counting from 1) steps with initial * factor**(e - 1): the first epoch trains with "
    "the initial rate, and after every epoch the rate is multiplied by factor, a power, not a "
    "product with the epoch. Each step is w <- w - rate * w (the gradient of w**2 / 2 is w)."
)

train_with_decay = Task(
    "train_with_decay",
    cases=[
        # rates 0.5, 0.25, 0.125: w = 8 (1 - 0.5) = 4, 4 (1 - 0.25) = 3, 3 (1 - 0.125) = 2.625
        Case(
            dict(w0=8.0, initial=0.5, factor=0.5, epochs=3),
            expected=np.array([4.0, 3.0, 2.625]),
            hint=DECAY_HINT,
        ),
        # factor 1 keeps the rate: w = 1 (1 - 0.5) = 0.5, then 0.25
        Case(
            dict(w0=1.0, initial=0.5, factor=1.0, epochs=2),
            expected=np.array([0.5, 0.25]),
            hint=N_("Return one value of w per epoch, after that epoch's step: shape (epochs,)."),
        ),
        # rates 0.5, 0.1, 0.02: w = -2 (0.5) = -1, -1 (0.9) = -0.9, -0.9 (0.98) = -0.882
        Case(
            dict(w0=-2.0, initial=0.5, factor=0.2, epochs=3),
            expected=np.array([-1.0, -0.9, -0.882]),
            hint=DECAY_HINT,
        ),
    ],
    mistakes=[
        Mistake(
            N_("decays before the first epoch"),
            "import numpy as np\ndef train_with_decay(w0, initial, factor, epochs):\n"
            "    w, path = w0, []\n"
            "    for epoch in range(1, epochs + 1):\n"
            "        w = w - initial * factor**epoch * w\n"
            "        path.append(w)\n"
            "    return np.array(path)\n",
            "Your first step already used initial *",
            hint=N_(
                "Your first step already used initial * factor: epoch e uses factor**(e - "
                "1), so epoch 1 uses initial."
            ),
        ),
        Mistake(
            N_("linear, not exponential"),
            "import numpy as np\ndef train_with_decay(w0, initial, factor, epochs):\n"
            "    w, path = w0, []\n"
            "    for epoch in range(1, epochs + 1):\n"
            "        w = w - initial * factor * epoch * w\n"
            "        path.append(w)\n"
            "    return np.array(path)\n",
            "Raise factor to the power e - 1 instead",
            hint=N_(
                "Raise factor to the power e - 1 instead of multiplying it by the epoch number."
            ),
        ),
        Mistake(
            N_("never decays"),
            "import numpy as np\ndef train_with_decay(w0, initial, factor, epochs):\n"
            "    return w0 * (1 - initial) ** np.arange(1, epochs + 1)\n",
            "Your rate stays at initial: multiply it",
            hint=N_("Your rate stays at initial: multiply it by factor once per epoch."),
        ),
        Mistake(
            N_("only the last value"),
            "def train_with_decay(w0, initial, factor, epochs):\n"
            "    w = w0\n"
            "    for epoch in range(1, epochs + 1):\n"
            "        w = w - initial * factor ** (epoch - 1) * w\n"
            "    return w\n",
            "Append w after every epoch and return",
            hint=N_("Append w after every epoch and return the array of all of them."),
        ),
    ],
)

# ---- Task 6: best_epoch ----

best_epoch = Task(
    "best_epoch",
    cases=[
        # validation accuracy peaks at epoch 2 (0.94) while the training accuracy keeps rising
        Case(
            dict(
                train_accuracy=np.array([0.90, 0.95, 0.97, 0.99]),
                val_accuracy=np.array([0.91, 0.94, 0.93, 0.92]),
            ),
            expected=2,
            hint=N_(
                "Choose on the validation accuracy, never the training accuracy, which keeps "
                "rising while the network memorises; epochs count from 1 (np.argmax counts from 0)."
            ),
        ),
        # a tie at 0.85 (epochs 2 and 3): the earlier one costs less training and memorises less
        Case(
            dict(
                train_accuracy=np.array([0.82, 0.88, 0.93, 0.96]),
                val_accuracy=np.array([0.80, 0.85, 0.85, 0.84]),
            ),
            expected=2,
            hint=N_("On a tie, take the earliest of the best epochs: fewer epochs, same accuracy."),
        ),
        # still improving at the last epoch: the answer is the last epoch, 3
        Case(
            dict(
                train_accuracy=np.array([0.6, 0.7, 0.8]),
                val_accuracy=np.array([0.5, 0.6, 0.7]),
            ),
            expected=3,
            hint=N_("The epoch with the highest validation accuracy, counted from 1."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("counted from 0"),
            "import numpy as np\ndef best_epoch(train_accuracy, val_accuracy):\n"
            "    return int(np.argmax(val_accuracy))\n",
            "Add 1 to np.argmax: the first epoch is",
            hint=N_("Add 1 to np.argmax: the first epoch is epoch 1."),
        ),
        Mistake(
            N_("chosen on the training accuracy"),
            "import numpy as np\ndef best_epoch(train_accuracy, val_accuracy):\n"
            "    return int(np.argmax(train_accuracy)) + 1\n",
            "Use val_accuracy, not train_accuracy,",
            hint=N_("Use val_accuracy, not train_accuracy, to choose."),
        ),
        Mistake(
            N_("the last of a tie"),
            "import numpy as np\ndef best_epoch(train_accuracy, val_accuracy):\n"
            "    return len(val_accuracy) - int(np.argmax(val_accuracy[::-1]))\n",
            "np.argmax on val_accuracy itself",
            hint=N_(
                "np.argmax on val_accuracy itself returns the first of equal maxima: the "
                "earliest epoch."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
