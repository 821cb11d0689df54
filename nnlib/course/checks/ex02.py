"""Visible checks of exercise 02, "Activation functions".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked. Scores such as ``ln 3`` are chosen
because ``exp(ln 3) = 3`` makes the arithmetic exact: ``sigma(ln 3) = 1 / (1 + 1/3) = 3/4``.
"""

import numpy as np

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
    return f"not the slope of the sigmoid measured by central differences: {reason}"


sigmoid = Task(
    "sigmoid",
    cases=[
        # 1/(1 + e^0) = 1/2; 1/(1 + e^-ln3) = 1/(1 + 1/3) = 3/4; 1/(1 + e^ln3) = 1/(1 + 3) = 1/4
        Case(
            dict(z=np.array([0.0, LN3, -LN3])),
            expected=np.array([0.5, 0.75, 0.25]),
            hint="sigma(z) = 1 / (1 + exp(-z)): sigma(0) = 1/2, and "
            "sigma(ln 3) = 1/(1 + 1/3) = 3/4.",
        ),
        # saturated: sigma(+-1000) is 1 and 0; sigma(+-50) is 1 and 0 to within 2e-22
        Case(
            dict(z=np.array([[-1000.0, 1000.0], [-50.0, 50.0]])),
            expected=np.array([[0.0, 1.0], [0.0, 1.0]]),
            hint="For large |z|, exp(1000) overflows to inf and inf / inf is NaN. Use "
            "e = exp(-|z|), never above 1: sigma = 1 / (1 + e) where z >= 0, e / (1 + e) where "
            "z < 0. Keep the shape of z.",
        ),
        # a plain number works too: sigma(0) = 1/2
        Case(
            dict(z=0.0),
            expected=0.5,
            hint="Use numpy functions (np.exp, np.abs, np.where) so a plain number works as well.",
        ),
    ],
    mistakes=[
        Mistake(
            "naive exp(z) / (1 + exp(z)) overflows",
            "import numpy as np\ndef sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n",
            "exp(1000) overflows to inf",
        ),
        Mistake(
            "sign of the exponent flipped",
            "import numpy as np\ndef sigmoid(z):\n    e = np.exp(-np.abs(z))\n"
            "    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))\n",
            "sigma(ln 3) = 1/(1 + 1/3) = 3/4",
        ),
    ],
)

sigmoid_prime = Task(
    "sigmoid_prime",
    cases=[
        # sigma(0) = 1/2: 1/2 * 1/2 = 1/4; sigma(+-ln 3) = 3/4 or 1/4: 3/4 * 1/4 = 3/16 = 0.1875
        Case(
            dict(z=np.array([0.0, LN3, -LN3])),
            expected=np.array([0.25, 0.1875, 0.1875]),
            hint="sigma'(z) = sigma(z) * (1 - sigma(z)), with sigma(z) computed from the "
            "pre-activation z first: at z = 0 that is 0.5 * 0.5 = 0.25.",
        ),
        # saturated: sigma is 0 or 1, so sigma * (1 - sigma) = 0
        Case(
            dict(z=np.array([-1000.0, 1000.0])),
            expected=np.array([0.0, 0.0]),
            hint="Far from 0 the sigmoid is flat, so its slope is 0. A NaN here means your "
            "sigmoid overflowed: use your stable sigmoid from task 1.",
        ),
        Case(
            dict(z=np.linspace(-6.0, 6.0, 25)),
            verify=_matches_central_differences,
            hint="The derivative is the slope of the sigmoid: it must agree with "
            "(sigma(z + h) - sigma(z - h)) / 2h for a small h.",
        ),
    ],
    mistakes=[
        Mistake(
            "derivative written as s * (1 + s)",
            "import numpy as np\ndef sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n"
            "    return s * (1 + s)\n",
            "sigma(z) * (1 - sigma(z))",
        ),
        Mistake(
            "formula applied to z instead of sigma(z)",
            "def sigmoid_prime(z):\n    return z * (1 - z)\n",
            "computed from the pre-activation z first",
        ),
    ],
)

relu = Task(
    "relu",
    cases=[
        # max(-2, 0) = 0, max(-0.5, 0) = 0, max(0, 0) = 0, max(0.5, 0) = 0.5, max(3, 0) = 3
        Case(
            dict(z=np.array([-2.0, -0.5, 0.0, 0.5, 3.0])),
            expected=np.array([0.0, 0.0, 0.0, 0.5, 3.0]),
            hint="ReLU(z) = max(z, 0) entry by entry: np.maximum(z, 0) (elementwise), not np.max "
            "(which finds the largest entry).",
        ),
        Case(
            dict(z=np.array([[-1.0, 2.0], [3.0, -4.0]])),
            expected=np.array([[0.0, 2.0], [3.0, 0.0]]),
            hint="Keep the shape of z: a batch in, a batch of the same shape out.",
        ),
    ],
    mistakes=[
        Mistake(
            "np.max instead of np.maximum",
            "import numpy as np\ndef relu(z):\n    return np.max(z, 0)\n",
            "np.maximum(z, 0) (elementwise)",
        ),
        Mistake(
            "zeroes the negatives of z in place",
            "def relu(z):\n    z[z < 0] = 0\n    return z\n",
            "changed its argument `z` in place",
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
            hint="The slope is 1 where z > 0 and 0 where z < 0; at z = 0 take 0, as nnlib, "
            "PyTorch and TensorFlow do.",
        ),
        Case(
            dict(z=np.array([[0.5, -0.5], [10.0, -10.0]])),
            expected=np.array([[1.0, 0.0], [1.0, 0.0]]),
            hint="A derivative is a slope, 1 or 0, not the value of ReLU itself; keep the "
            "shape of z.",
        ),
    ],
    mistakes=[
        Mistake(
            "slope 1 at z = 0",
            "def relu_prime(z):\n    return (z >= 0).astype(float)\n",
            "at z = 0 take 0",
        ),
        Mistake(
            "returns ReLU instead of its slope",
            "import numpy as np\ndef relu_prime(z):\n    return np.maximum(z, 0)\n",
            "not the value of ReLU itself",
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
            hint="softmax(z)_j = exp(z_j) / sum_k exp(z_k), for each row of Z.",
        ),
        # row 1: exp(0, ln 3) = (1, 3), sum 4: (1/4, 3/4); row 2: (1, 1), sum 2: (1/2, 1/2)
        Case(
            dict(Z=np.array([[0.0, LN3], [0.0, 0.0]])),
            expected=np.array([[0.25, 0.75], [0.5, 0.5]]),
            hint="Each row is one sample: normalise along axis=1 so that every row sums to 1 "
            "(sum with keepdims=True), not down the columns.",
        ),
        # subtracting 1000 + ln 3 leaves (-ln 3, 0): exp gives (1/3, 1), sum 4/3: (1/4, 3/4)
        Case(
            dict(Z=np.array([[1000.0, 1000.0 + LN3]])),
            expected=np.array([[0.25, 0.75]]),
            hint="Large scores: exp(1000) overflows to inf and inf / inf is NaN. Subtract the "
            "row's maximum before np.exp; the probabilities do not change.",
        ),
        # each row shifted by its own maximum is (-ln 3, 0): (1/4, 3/4) twice
        Case(
            dict(Z=np.array([[1000.0, 1000.0 + LN3], [0.0, LN3]])),
            expected=np.array([[0.25, 0.75], [0.25, 0.75]]),
            hint="Subtract each row's own maximum, Z.max(axis=1, keepdims=True), not the "
            "maximum of the whole batch: a row far below it underflows to 0 / 0.",
        ),
    ],
    mistakes=[
        Mistake(
            "naive exp overflows for large scores",
            "import numpy as np\ndef softmax(Z):\n    E = np.exp(Z)\n"
            "    return E / E.sum(axis=1, keepdims=True)\n",
            "exp(1000) overflows to inf",
        ),
        Mistake(
            "normalised over the wrong axis",
            "import numpy as np\ndef softmax(Z):\n"
            "    E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
            "    return E / E.sum(axis=0, keepdims=True)\n",
            "normalise along axis=1",
        ),
        Mistake(
            "subtracts the batch's maximum, not each row's",
            "import numpy as np\ndef softmax(Z):\n    E = np.exp(Z - Z.max())\n"
            "    return E / E.sum(axis=1, keepdims=True)\n",
            "each row's own maximum",
        ),
    ],
)

TASKS = [sigmoid, sigmoid_prime, relu, relu_prime, softmax]
check = Checker(TASKS)
