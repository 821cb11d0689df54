"""Visible checks of exercise 02, "Activation functions".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked. Scores such as ``ln 3`` are chosen
because ``exp(ln 3) = 3`` makes the arithmetic exact: ``sigma(ln 3) = 1 / (1 + 1/3) = 3/4``.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare

LN3 = np.log(3.0)
H = 1e-5


def _matches_central_differences(result, z) -> str | None:
    """sigma'(z) must be the slope (sigma(z + h) - sigma(z - h)) / 2h of the sigmoid itself."""

    def sigma(t):
        return 1 / (1 + np.exp(-t))

    slope = (sigma(z + H) - sigma(z - H)) / (2 * H)
    reason = compare(result, slope, rtol=1e-6, atol=1e-9)
    if reason is None:
        return None
    return _("not the slope of the sigmoid measured by central differences: {reason}").format(
        reason=reason
    )


NO_OVERFLOW = N_(
    "The task promises a sigmoid that never overflows, and numpy warning about an overflow "
    "means it did, even when the values happen to come out right. Compute e = exp(-|z|), never "
    "above 1: sigma = 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0."
)

sigmoid = Task(
    "sigmoid",
    cases=[
        # 1/(1 + e^0) = 1/2; 1/(1 + e^-ln3) = 1/(1 + 1/3) = 3/4; 1/(1 + e^ln3) = 1/(1 + 3) = 1/4
        Case(
            dict(z=np.array([0.0, LN3, -LN3])),
            expected=np.array([0.5, 0.75, 0.25]),
            hint=N_(
                "sigma(z) = 1 / (1 + exp(-z)): sigma(0) = 1/2, sigma(ln 3) = 1/(1 + 1/3) = 3/4 "
                "and sigma(-ln 3) = 1/(1 + 3) = 1/4, entry by entry."
            ),
        ),
        # saturated: sigma(+-1000) is 1 and 0; sigma(+-50) is 1 and 0 to within 2e-22
        Case(
            dict(z=np.array([[-1000.0, 1000.0], [-50.0, 50.0]])),
            expected=np.array([[0.0, 1.0], [0.0, 1.0]]),
            hint=N_(
                "Far from 0 the sigmoid saturates: 0 for large negative z, 1 for large positive "
                "z, without overflowing on the way. The result keeps the shape of z, here (2, 2)."
            ),
        ),
        # a plain number works too: sigma(0) = 1/2
        Case(
            dict(z=0.0),
            expected=0.5,
            hint=N_("A plain number in, a number out: sigma(0) = 1/2."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("naive exp(z) / (1 + exp(z)) overflows"),
            "import numpy as np\ndef sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n",
            "exp(1000) overflows to inf",
            hint=N_(
                "exp(1000) overflows to inf and inf / inf is NaN. Compute e = exp(-|z|), never "
                "above 1: sigma = 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0."
            ),
        ),
        Mistake(
            N_("naive 1 / (1 + exp(-z)) overflows"),
            "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
            "numpy warned: RuntimeWarning: overflow",
            hint=NO_OVERFLOW,
        ),
        Mistake(
            N_("sign of the exponent flipped"),
            "import numpy as np\ndef sigmoid(z):\n    e = np.exp(-np.abs(z))\n"
            "    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))\n",
            "1 / (1 + e) where z >= 0",
            hint=N_(
                "The two branches are swapped: with e = exp(-|z|), sigma = 1 / (1 + e) where "
                "z >= 0 (close to 1) and e / (1 + e) where z < 0 (close to 0)."
            ),
        ),
        Mistake(
            N_("Python's math.exp on arrays"),
            "import math\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))\n",
            "use np.exp",
            hint=N_(
                "math.exp takes one number, not an array: use np.exp (and np.abs, np.where), "
                "which work entry by entry on arrays and on plain numbers."
            ),
        ),
    ],
    warning_hint=NO_OVERFLOW,
)

sigmoid_prime = Task(
    "sigmoid_prime",
    cases=[
        # sigma(0) = 1/2: 1/2 * 1/2 = 1/4; sigma(+-ln 3) = 3/4 or 1/4: 3/4 * 1/4 = 3/16 = 0.1875
        Case(
            dict(z=np.array([0.0, LN3, -LN3])),
            expected=np.array([0.25, 0.1875, 0.1875]),
            hint=N_(
                "sigma'(z) = sigma(z) * (1 - sigma(z)): 1/2 * 1/2 = 1/4 at z = 0, and "
                "3/4 * 1/4 = 3/16 at z = +-ln 3."
            ),
        ),
        # saturated: sigma is 0 or 1, so sigma * (1 - sigma) = 0
        Case(
            dict(z=np.array([-1000.0, 1000.0])),
            expected=np.array([0.0, 0.0]),
            hint=N_("Far from 0 the sigmoid is flat (0 or 1), so its slope is 0 * 1 = 0."),
        ),
        Case(
            dict(z=np.linspace(-6.0, 6.0, 25)),
            verify=_matches_central_differences,
            hint=N_(
                "The derivative is the slope of the sigmoid: it must agree with "
                "(sigma(z + h) - sigma(z - h)) / 2h for a small h, at 25 points from -6 to 6."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("derivative written as s * (1 + s)"),
            "import numpy as np\ndef sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n"
            "    return s * (1 + s)\n",
            "sigma(z) * (1 - sigma(z))",
            hint=N_("The derivative is sigma(z) * (1 - sigma(z)): one minus, not one plus."),
        ),
        Mistake(
            N_("formula applied to z instead of sigma(z)"),
            "def sigmoid_prime(z):\n    return z * (1 - z)\n",
            "computed from the pre-activation z first",
            hint=N_(
                "s * (1 - s) takes s = sigma(z), computed from the pre-activation z first; "
                "z * (1 - z) skips the sigmoid."
            ),
        ),
    ],
    uses=("sigmoid",),
)

relu = Task(
    "relu",
    cases=[
        # max(-2, 0) = 0, max(-0.5, 0) = 0, max(0, 0) = 0, max(0.5, 0) = 0.5, max(3, 0) = 3
        Case(
            dict(z=np.array([-2.0, -0.5, 0.0, 0.5, 3.0])),
            expected=np.array([0.0, 0.0, 0.0, 0.5, 3.0]),
            hint=N_("ReLU(z) = max(z, 0) entry by entry: negatives become 0, the rest stay."),
        ),
        Case(
            dict(z=np.array([[-1.0, 2.0], [3.0, -4.0]])),
            expected=np.array([[0.0, 2.0], [3.0, 0.0]]),
            hint=N_("A batch in, a batch of the same shape out: (2, 2), negatives set to 0."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("np.max instead of np.maximum"),
            "import numpy as np\ndef relu(z):\n    return np.max(z, 0)\n",
            "np.maximum(z, 0) (elementwise)",
            hint=N_(
                "np.max(z, 0) finds the largest entry along axis 0; ReLU compares every entry "
                "with 0: np.maximum(z, 0) (elementwise)."
            ),
        ),
        Mistake(
            N_("zeroes the negatives of z in place"),
            "def relu(z):\n    z[z < 0] = 0\n    return z\n",
            "changed its argument `z` in place",
            hint=N_("z[z < 0] = 0 changes the caller's array: return a new one, np.maximum(z, 0)."),
        ),
    ],
)

relu_prime = Task(
    "relu_prime",
    cases=[
        # slope 0 on the left, 1 on the right; at the corner z = 0 the convention is 0
        Case(
            dict(z=np.array([-2.0, 0.0, 3.0])),
            expected=np.array([0.0, 0.0, 1.0]),
            hint=N_(
                "The slope of ReLU is 0 where z < 0 and 1 where z > 0; at the corner z = 0 "
                "the convention (nnlib, PyTorch, TensorFlow) is 0."
            ),
        ),
        Case(
            dict(z=np.array([[0.5, -0.5], [10.0, -10.0]])),
            expected=np.array([[1.0, 0.0], [1.0, 0.0]]),
            hint=N_("Slopes of 1 and 0 entry by entry, in the shape of z, whatever the size of z."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("slope 1 at z = 0"),
            "def relu_prime(z):\n    return (z >= 0).astype(float)\n",
            "At z = 0 take 0",
            hint=N_("At z = 0 take 0, as nnlib, PyTorch and TensorFlow do: use z > 0, not z >= 0."),
        ),
        Mistake(
            N_("returns ReLU instead of its slope"),
            "import numpy as np\ndef relu_prime(z):\n    return np.maximum(z, 0)\n",
            "not the value of ReLU itself",
            hint=N_(
                "The derivative is a slope, 1 or 0, not the value of ReLU itself: "
                "(z > 0).astype(float)."
            ),
        ),
    ],
)

softmax = Task(
    "softmax",
    cases=[
        # exp(0, ln 2, ln 5) = (1, 2, 5), sum 8: (1/8, 2/8, 5/8)
        Case(
            dict(Z=np.array([[0.0, np.log(2.0), np.log(5.0)]])),
            expected=np.array([[0.125, 0.25, 0.625]]),
            hint=N_(
                "exp of the row (0, ln 2, ln 5) is (1, 2, 5), which sum to 8: (1/8, 2/8, 5/8)."
            ),
        ),
        # row 1: exp(0, ln 3) = (1, 3), sum 4: (1/4, 3/4); row 2: (1, 1), sum 2: (1/2, 1/2)
        Case(
            dict(Z=np.array([[0.0, LN3], [0.0, 0.0]])),
            expected=np.array([[0.25, 0.75], [0.5, 0.5]]),
            hint=N_(
                "Each row is one sample: row 1 gives (1, 3) / 4, row 2 gives (1, 1) / 2, and "
                "every row sums to 1."
            ),
        ),
        # subtracting 1000 + ln 3 leaves (-ln 3, 0): exp gives (1/3, 1), sum 4/3: (1/4, 3/4)
        Case(
            dict(Z=np.array([[1000.0, 1000.0 + LN3]])),
            expected=np.array([[0.25, 0.75]]),
            hint=N_(
                "Large scores: the row (1000, 1000 + ln 3) has the softmax of (0, ln 3), "
                "(1/4, 3/4), since adding a constant to a row does not change its softmax."
            ),
        ),
        # each row shifted by its own maximum is (-ln 3, 0): (1/4, 3/4) twice
        Case(
            dict(Z=np.array([[1000.0, 1000.0 + LN3], [0.0, LN3]])),
            expected=np.array([[0.25, 0.75], [0.25, 0.75]]),
            hint=N_(
                "Rows of very different sizes: both rows are (0, ln 3) plus a constant, so "
                "both give (1/4, 3/4)."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("naive exp overflows for large scores"),
            "import numpy as np\ndef softmax(Z):\n    E = np.exp(Z)\n"
            "    return E / E.sum(axis=1, keepdims=True)\n",
            "exp(1000) overflows to inf",
            hint=N_(
                "exp(1000) overflows to inf and inf / inf is NaN. Subtract the row's maximum "
                "before np.exp; the probabilities do not change."
            ),
        ),
        Mistake(
            N_("normalised over the wrong axis"),
            "import numpy as np\ndef softmax(Z):\n"
            "    E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
            "    return E / E.sum(axis=0, keepdims=True)\n",
            "normalise along axis=1",
            hint=N_(
                "Each row is one sample: normalise along axis=1 so that every row sums to 1 "
                "(max and sum with axis=1, keepdims=True), not down the columns."
            ),
        ),
        Mistake(
            N_("subtracts the batch's maximum, not each row's"),
            "import numpy as np\ndef softmax(Z):\n    E = np.exp(Z - Z.max())\n"
            "    return E / E.sum(axis=1, keepdims=True)\n",
            "each row's own maximum",
            hint=N_(
                "Subtract each row's own maximum, Z.max(axis=1, keepdims=True), not the "
                "maximum of the whole batch: a row far below it underflows to 0 / 0."
            ),
        ),
    ],
    warning_hint=N_(
        "The task promises a stable softmax, and numpy warned on the way (an overflow "
        "or a division by zero), even if the values came out right: subtract each row's maximum "
        "before np.exp."
    ),
)

check = Checker.of_module(__name__)
