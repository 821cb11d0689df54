"""Visible checks of exercise 01, "A single neuron".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked.
"""

import numpy as np

from nnlib.course.selfcheck import Case, Checker, Mistake, Task

TRUTH_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
NAND_TRUTH = np.array([1, 1, 1, 0])


def _computes_nand(result) -> str | None:
    """Any (w, b) whose step(X @ w + b) is NAND's truth table is right."""
    try:
        w, b = result
        w = np.asarray(w, dtype=float)
        b = float(b)
    except (TypeError, ValueError):
        return f"expected a pair (w, b) with w of shape (2,) and a number b, got {result!r}"
    if w.shape != (2,):
        return f"w must have shape (2,), one weight per input, got shape {w.shape}"
    outputs = (TRUTH_INPUTS @ w + b >= 0).astype(int)
    if np.array_equal(outputs, NAND_TRUTH):
        return None
    return (
        f"with w={w} and b={b} the neuron outputs {outputs} on the inputs "
        f"(0,0), (0,1), (1,0), (1,1); NAND must output {NAND_TRUTH}"
    )


weighted_sum = Task(
    "weighted_sum",
    cases=[
        # 0.8*1 + (-0.4)*0.5 + (-0.1) = 0.5
        Case(
            dict(x=np.array([1.0, 0.5]), w=np.array([0.8, -0.4]), b=-0.1),
            expected=0.5,
            hint="z = w1*x1 + w2*x2 + b: multiply, add up, then add the bias once.",
        ),
        # 1*2 + 2*0 + 3*(-1) + 1 = 0
        Case(
            dict(x=np.array([1.0, 2.0, 3.0]), w=np.array([2.0, 0.0, -1.0]), b=1.0),
            expected=0.0,
            hint="The sum runs over every input, however many there are.",
        ),
        # 0 + 0 + 2.5 = 2.5: with zero weights only the bias is left
        Case(
            dict(x=np.array([4.0, -3.0]), w=np.array([0.0, 0.0]), b=2.5),
            expected=2.5,
            hint="With all weights zero, z is the bias alone: did you add b?",
        ),
    ],
    mistakes=[
        Mistake(
            "forgot the bias", "def weighted_sum(x, w, b):\n    return x @ w\n", "did you add b?"
        ),
        Mistake(
            "elementwise product, no sum",
            "def weighted_sum(x, w, b):\n    return x * w + b\n",
            "expected shape ()",
        ),
    ],
)

predict_batch = Task(
    "predict_batch",
    cases=[
        # z = X @ (1, 1) - 1.5 = (-1.5, -0.5, -0.5, 0.5) -> AND: (0, 0, 0, 1)
        Case(
            dict(X=TRUTH_INPUTS, w=np.array([1.0, 1.0]), b=-1.5),
            expected=np.array([0.0, 0.0, 0.0, 1.0]),
            hint="One sample per row: z = X @ w + b, then 1 where z >= 0.",
        ),
        # z = (1-1, 2-3, 0+2) = (0, -1, 2) -> (1, 0, 1): z = 0 exactly fires
        Case(
            dict(X=np.array([[1.0, 1.0], [2.0, 3.0], [0.0, -2.0]]), w=np.array([1.0, -1.0]), b=0.0),
            expected=np.array([1.0, 0.0, 1.0]),
            hint="The neuron fires when z >= 0, so z = 0 exactly gives 1, not 0.",
        ),
        # a single sample is a batch of one: shape (1, 3) -> (1,)
        Case(
            dict(X=np.array([[0.5, -1.0, 2.0]]), w=np.array([2.0, 1.0, -1.0]), b=0.0),
            expected=np.array([0.0]),
            hint="Return one output per row of X, shape (n_samples,).",
        ),
    ],
    mistakes=[
        Mistake(
            "strict inequality",
            "import numpy as np\ndef predict_batch(X, w, b):\n"
            "    return (X @ w + b > 0).astype(float)\n",
            "z = 0 exactly gives 1",
        ),
        Mistake(
            "weights and inputs swapped",
            "def predict_batch(X, w, b):\n    return (w @ X + b >= 0).astype(float)\n",
            "raised ValueError",
        ),
    ],
)

nand_weights = Task(
    "nand_weights",
    cases=[
        Case(
            dict(),
            verify=_computes_nand,
            hint="NAND is AND upside down: negate AND's weights and bias.",
        )
    ],
    mistakes=[
        Mistake(
            "AND instead of NAND",
            "import numpy as np\ndef nand_weights():\n    return np.array([1.0, 1.0]), -1.5\n",
            "NAND must output [1 1 1 0]",
        ),
    ],
)

perceptron_update = Task(
    "perceptron_update",
    cases=[
        # y_hat = step(0) = 1, error = 0 - 1 = -1: w = (0,0) - (2,-1) = (-2, 1), b = 0 - 1 = -1
        Case(
            dict(w=np.array([0.0, 0.0]), b=0.0, x=np.array([2.0, -1.0]), y=0, learning_rate=1.0),
            expected=(np.array([-2.0, 1.0]), -1.0),
            hint="error = y - y_hat, with y_hat = step(w @ x + b); then w + lr*error*x, "
            "b + lr*error.",
        ),
        # z = 1*1 + 1*1 - 3 = -1 -> y_hat = 0, error = 1: w = (1,1) + 0.5*(1,1), b = -3 + 0.5
        Case(
            dict(w=np.array([1.0, 1.0]), b=-3.0, x=np.array([1.0, 1.0]), y=1, learning_rate=0.5),
            expected=(np.array([1.5, 1.5]), -2.5),
            hint="The bias is updated too, by learning_rate * error.",
        ),
        # z = 3*1 + 0 - 1 = 2 -> y_hat = 1 = y: right answer, nothing changes
        Case(
            dict(w=np.array([3.0, -2.0]), b=-1.0, x=np.array([1.0, 0.0]), y=1, learning_rate=1.0),
            expected=(np.array([3.0, -2.0]), -1.0),
            hint="A right answer (y_hat == y) must leave w and b unchanged.",
        ),
    ],
    mistakes=[
        Mistake(
            "error sign flipped",
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = float(w @ x + b >= 0) - y\n"
            "    return w + learning_rate * error * x, b + learning_rate * error\n",
            "error = y - y_hat",
        ),
        Mistake(
            "bias not updated",
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = y - float(w @ x + b >= 0)\n"
            "    return w + learning_rate * error * x, b\n",
            "The bias is updated too",
        ),
        Mistake(
            "updates w in place",
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = y - float(w @ x + b >= 0)\n"
            "    w += learning_rate * error * x\n"
            "    return w, b + learning_rate * error\n",
            "changed its argument `w` in place",
        ),
    ],
)

TASKS = [weighted_sum, predict_batch, nand_weights, perceptron_update]
check = Checker(TASKS)
