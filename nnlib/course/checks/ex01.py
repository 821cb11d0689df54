"""Visible checks of exercise 01, "A single neuron".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked.
"""

import numpy as np

from nnlib.course.i18n import N_, _
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
        return _(
            "expected a pair (w, b) with w of shape (2,) and a number b, got {result!r}"
        ).format(result=result)
    if w.shape != (2,):
        return _("w must have shape (2,), one weight per input, got shape {shape}").format(
            shape=w.shape
        )
    outputs = (TRUTH_INPUTS @ w + b >= 0).astype(int)
    if np.array_equal(outputs, NAND_TRUTH):
        return None
    return _(
        "with w={w} and b={b} the neuron outputs {outputs} on the inputs "
        "(0,0), (0,1), (1,0), (1,1); NAND must output {truth}"
    ).format(w=w, b=b, outputs=outputs, truth=NAND_TRUTH)


weighted_sum = Task(
    "weighted_sum",
    cases=[
        # 0.8*1 + (-0.4)*0.5 + (-0.1) = 0.5
        Case(
            dict(x=np.array([1.0, 0.5]), w=np.array([0.8, -0.4]), b=-0.1),
            expected=0.5,
            hint=N_("z = w1*x1 + w2*x2 + b, here 0.8*1 + (-0.4)*0.5 + (-0.1) = 0.5: one number."),
        ),
        # 1*2 + 2*0 + 3*(-1) + 1 = 0
        Case(
            dict(x=np.array([1.0, 2.0, 3.0]), w=np.array([2.0, 0.0, -1.0]), b=1.0),
            expected=0.0,
            hint=N_(
                "Three inputs: z = 1*2 + 2*0 + 3*(-1) + 1 = 0. The same code must work for "
                "any number of inputs."
            ),
        ),
        # 0 + 0 + 2.5 = 2.5: with zero weights only the bias is left
        Case(
            dict(x=np.array([4.0, -3.0]), w=np.array([0.0, 0.0]), b=2.5),
            expected=2.5,
            hint=N_("With all weights zero, z = 0*4 + 0*(-3) + 2.5 = 2.5: the bias alone."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("forgot the bias"),
            "def weighted_sum(x, w, b):\n    return x @ w\n",
            "add the bias b once",
            hint=N_("z = w @ x + b: after the weighted sum of the inputs, add the bias b once."),
        ),
        Mistake(
            N_("elementwise product, no sum"),
            "def weighted_sum(x, w, b):\n    return x * w + b\n",
            "expected shape ()",
            hint=N_(
                "x * w multiplies entry by entry, one number per input; z adds them up into "
                "one number: np.dot(w, x) or w @ x, plus b."
            ),
        ),
        Mistake(
            N_("bias added once per input"),
            "import numpy as np\ndef weighted_sum(x, w, b):\n    return np.sum(x * w + b)\n",
            "not once per input",
            hint=N_(
                "np.sum(x * w + b) adds b to every product, then sums: the bias counts once, "
                "not once per input. Sum x * w first, then add b."
            ),
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
            hint=N_(
                "One sample per row: z = X @ w + b = (-1.5, -0.5, -0.5, 0.5), and the output "
                "is 1 where z >= 0: (0, 0, 0, 1)."
            ),
        ),
        # z = (1-1, 2-3, 0+2) = (0, -1, 2) -> (1, 0, 1): z = 0 exactly fires
        Case(
            dict(X=np.array([[1.0, 1.0], [2.0, 3.0], [0.0, -2.0]]), w=np.array([1.0, -1.0]), b=0.0),
            expected=np.array([1.0, 0.0, 1.0]),
            hint=N_(
                "z = X @ w + b = (1 - 1, 2 - 3, 0 + 2) = (0, -1, 2), so the outputs are (1, 0, 1)."
            ),
        ),
        # a single sample is a batch of one: z = 1 - 1 - 2 = -2 -> 0, shape (1, 3) -> (1,)
        Case(
            dict(X=np.array([[0.5, -1.0, 2.0]]), w=np.array([2.0, 1.0, -1.0]), b=0.0),
            expected=np.array([0.0]),
            hint=N_(
                "A batch of one sample, shape (1, 3): z = 1 - 1 - 2 = -2, so one output 0, "
                "shape (1,)."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("strict inequality"),
            "import numpy as np\ndef predict_batch(X, w, b):\n"
            "    return (X @ w + b > 0).astype(float)\n",
            "z = 0 exactly gives 1",
            hint=N_(
                "The neuron fires when z >= 0, so z = 0 exactly gives 1, not 0: use >=, not >."
            ),
        ),
        Mistake(
            N_("weights and inputs swapped"),
            "def predict_batch(X, w, b):\n    return (w @ X + b >= 0).astype(float)\n",
            "raised ValueError",
            hint=N_(
                "Samples are the rows of X, of shape (n_samples, n_inputs): X @ w gives one z "
                "per row, while w @ X does not fit."
            ),
        ),
    ],
)

nand_weights = Task(
    "nand_weights",
    cases=[
        Case(
            dict(),
            verify=_computes_nand,
            hint=N_(
                "NAND outputs 1, 1, 1, 0 on (0,0), (0,1), (1,0), (1,1): the neuron must fire "
                "on the first three inputs and stay silent on (1, 1)."
            ),
        )
    ],
    mistakes=[
        Mistake(
            N_("AND instead of NAND"),
            "import numpy as np\ndef nand_weights():\n    return np.array([1.0, 1.0]), -1.5\n",
            "NAND is AND upside down",
            hint=N_(
                "These weights compute AND. NAND is AND upside down: negate AND's weights and bias."
            ),
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
            hint=N_(
                "y_hat = step(0*2 + 0*(-1) + 0) = 1 and y = 0, so error = y - y_hat = -1: "
                "w = (0, 0) - 1 * (2, -1) = (-2, 1) and b = 0 - 1 = -1."
            ),
        ),
        # z = 1*1 + 1*1 - 3 = -1 -> y_hat = 0, error = 1: w = (1,1) + 0.5*(1,1), b = -3 + 0.5
        Case(
            dict(w=np.array([1.0, 1.0]), b=-3.0, x=np.array([1.0, 1.0]), y=1, learning_rate=0.5),
            expected=(np.array([1.5, 1.5]), -2.5),
            hint=N_(
                "z = 1 + 1 - 3 = -1, so y_hat = 0 and error = 1: w = (1, 1) + 0.5 * 1 * (1, 1) "
                "= (1.5, 1.5) and b = -3 + 0.5 * 1 = -2.5."
            ),
        ),
        # z = 3*1 + 0 - 1 = 2 -> y_hat = 1 = y: right answer, nothing changes
        Case(
            dict(w=np.array([3.0, -2.0]), b=-1.0, x=np.array([1.0, 0.0]), y=1, learning_rate=1.0),
            expected=(np.array([3.0, -2.0]), -1.0),
            hint=N_(
                "z = 3 - 1 = 2, so y_hat = 1 = y: the error is 0 and w and b stay as they are."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("error sign flipped"),
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = float(w @ x + b >= 0) - y\n"
            "    return w + learning_rate * error * x, b + learning_rate * error\n",
            "error = y - y_hat",
            hint=N_(
                "error = y - y_hat, the label minus the prediction: with y_hat - y the update "
                "pushes away from the right answer."
            ),
        ),
        Mistake(
            N_("bias not updated"),
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = y - float(w @ x + b >= 0)\n"
            "    return w + learning_rate * error * x, b\n",
            "The bias is updated too",
            hint=N_("The bias is updated too, by learning_rate * error."),
        ),
        Mistake(
            N_("updates w in place"),
            "import numpy as np\ndef perceptron_update(w, b, x, y, learning_rate):\n"
            "    error = y - float(w @ x + b >= 0)\n"
            "    w += learning_rate * error * x\n"
            "    return w, b + learning_rate * error\n",
            "changed its argument `w` in place",
            hint=N_(
                "w += ... changes the caller's array: compute w + learning_rate * error * x "
                "as a new array and return it."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
