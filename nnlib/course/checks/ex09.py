"""Visible checks of exercise 09, "From nnlib to TensorFlow and Keras".

Every expected value is worked by hand (the arithmetic is in the comments), never computed by a
reference implementation: the learner's own code is what gets checked.
"""

import numpy as np

from nnlib.course.selfcheck import Case, Checker, Mistake, Task

LN2, LN3, LN4 = np.log(2.0), np.log(3.0), np.log(4.0)

# ---- Task 1: to_categorical ----

SHAPE_HINT = (
    "One row per label and n_classes columns, shape (len(y), n_classes), even when the largest "
    "class is missing from y: np.eye(n_classes)[y], or zeros with a 1 put in each row."
)

to_categorical = Task(
    "to_categorical",
    cases=[
        # labels 0, 2, 1 of 3 classes: row i has its 1 in column y[i]
        Case(
            dict(y=np.array([0, 2, 1]), n_classes=3),
            expected=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
            hint="Row i is all zeros except a 1 in column y[i].",
        ),
        # two samples of class 1 among 4 classes: classes 2 and 3 never appear, still 4 columns
        Case(
            dict(y=np.array([1, 1]), n_classes=4),
            expected=np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]),
            hint=SHAPE_HINT,
        ),
        # the digit 9 of MNIST's 10 classes: the 1 in the last column
        Case(
            dict(y=np.array([9]), n_classes=10),
            expected=np.array([[0.0] * 9 + [1.0]]),
            hint="Class 9 of 10 is the last column, index 9: the classes count from 0.",
        ),
    ],
    mistakes=[
        Mistake(
            "transposed",
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(n_classes)[y].T\n",
            "shape (len(y), n_classes)",
        ),
        Mistake(
            "width from the labels seen",
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(y.max() + 1)[y]\n",
            "even when the largest class is missing",
        ),
        Mistake(
            "classes counted from 1",
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(n_classes)[y - 1]\n",
            "a 1 in column y[i]",
        ),
    ],
)

# ---- Task 2: log_softmax ----

ROW_MAX_HINT = (
    "Subtract each row's own maximum, m = z.max(axis=1, keepdims=True): then exp never "
    "overflows and the largest term of each row's sum is exp(0) = 1, so its log is never log(0)."
)

log_softmax = Task(
    "log_softmax",
    cases=[
        # two equal scores: softmax = (1/2, 1/2), log = (-ln 2, -ln 2)
        Case(
            dict(z=np.array([[0.0, 0.0]])),
            expected=np.array([[-LN2, -LN2]]),
            hint="log_softmax(z)_j = z_j - log(sum_k exp(z_k)), the sum over each row (axis=1).",
        ),
        # rows (0, ln 3) and (5, 5 + ln 3): exp sums to 1 + 3 = 4 (times e^5), so both rows give
        # (0 - ln 4, ln 3 - ln 4) = (-1.386294, -0.287682): adding 5 to a row changes nothing
        Case(
            dict(z=np.array([[0.0, LN3], [5.0, 5.0 + LN3]])),
            expected=np.array([[-LN4, LN3 - LN4], [-LN4, LN3 - LN4]]),
            hint="Each row is a separate sample: keep the row axis (keepdims=True) so that "
            "each row subtracts its own log-sum-exp.",
        ),
        # (1000, 0): exp(1000) overflows; shifted, (0, -1000) and log(1 + e^-1000) = 0
        Case(
            dict(z=np.array([[1000.0, 0.0]])),
            expected=np.array([[0.0, -1000.0]]),
            hint=ROW_MAX_HINT,
        ),
        # rows on very different scales: (1000, 0) -> (0, -1000) and (-1000, -1000) -> -ln 2 each
        Case(
            dict(z=np.array([[1000.0, 0.0], [-1000.0, -1000.0]])),
            expected=np.array([[0.0, -1000.0], [-LN2, -LN2]]),
            hint=ROW_MAX_HINT + " One maximum for the whole batch leaves a row of exp(-2000) = 0.",
        ),
    ],
    mistakes=[
        Mistake(
            "log of a naive softmax",
            "import numpy as np\ndef log_softmax(z):\n"
            "    e = np.exp(z)\n"
            "    return np.log(e / e.sum(axis=1, keepdims=True))\n",
            "Subtract each row's own maximum",
        ),
        Mistake(
            "one maximum for the whole batch",
            "import numpy as np\ndef log_softmax(z):\n"
            "    s = z - z.max()\n"
            "    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n",
            "One maximum for the whole batch",
        ),
        Mistake(
            "sum over the wrong axis",
            "import numpy as np\ndef log_softmax(z):\n"
            "    s = z - z.max(axis=1, keepdims=True)\n"
            "    return s - np.log(np.exp(s).sum(axis=0, keepdims=True))\n",
            "the sum over each row (axis=1)",
        ),
    ],
)

# ---- Task 3: accuracy ----

accuracy = Task(
    "accuracy",
    cases=[
        # predicted classes (argmax of each row) 1, 0, 2, 1; true classes 1, 0, 1, 1:
        # right, right, wrong, right -> 3/4
        Case(
            dict(
                P=np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]),
                Y=np.array([[0, 1, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]], dtype=float),
            ),
            expected=0.75,
            hint="The fraction of rows whose argmax(P) equals argmax(Y), a number in [0, 1]: "
            "np.mean of the boolean comparison, not its sum.",
        ),
        # 2 samples of 3 classes: argmax along each row (axis=1); predicted 2 and 0, true 2 and 1
        Case(
            dict(
                P=np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
                Y=np.array([[0, 0, 1], [0, 1, 0]], dtype=float),
            ),
            expected=0.5,
            hint="Take the argmax along each row, axis=1: one predicted class per sample.",
        ),
        # the most probable class is the prediction even when it is below one half
        Case(
            dict(P=np.array([[0.4, 0.35, 0.25]]), Y=np.array([[1.0, 0.0, 0.0]])),
            expected=1.0,
            hint="The prediction is the class with the largest probability, argmax, even when "
            "that probability is below 0.5; do not round or threshold P.",
        ),
    ],
    mistakes=[
        Mistake(
            "argmax down the columns",
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.mean(np.argmax(P, axis=0) == np.argmax(Y, axis=0))\n",
            "axis=1",
        ),
        Mistake(
            "count instead of fraction",
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.sum(np.argmax(P, axis=1) == np.argmax(Y, axis=1))\n",
            "not its sum",
        ),
        Mistake(
            "rounded probabilities",
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.mean(np.all(np.round(P) == Y, axis=1))\n",
            "do not round or threshold P",
        ),
    ],
)

# ---- Task 4: glorot_limit ----

glorot_limit = Task(
    "glorot_limit",
    cases=[
        # sqrt(6 / (3 + 3)) = sqrt(1) = 1
        Case(
            dict(n_in=3, n_out=3),
            expected=1.0,
            hint="L = sqrt(6 / (n_in + n_out)): both sizes count, under the square root.",
        ),
        # sqrt(6 / (10 + 14)) = sqrt(1/4) = 0.5
        Case(
            dict(n_in=10, n_out=14),
            expected=0.5,
            hint="Take the square root: U(-L, L) has variance L**2 / 3, and Glorot wants the "
            "variance 2 / (n_in + n_out), so L**2 = 6 / (n_in + n_out).",
        ),
        # the seed network's first layer: sqrt(6 / 1284) = sqrt(0.0046729) = 0.0683586
        Case(
            dict(n_in=784, n_out=500),
            expected=np.sqrt(6 / 1284),
            hint="The limit, not the standard deviation sqrt(2 / (n_in + n_out)): a uniform law "
            "on [-L, L] has standard deviation L / sqrt(3).",
        ),
    ],
    mistakes=[
        Mistake(
            "He's limit, fan-in only",
            "import numpy as np\ndef glorot_limit(n_in, n_out):\n    return np.sqrt(6 / n_in)\n",
            "both sizes count",
        ),
        Mistake(
            "no square root",
            "def glorot_limit(n_in, n_out):\n    return 6 / (n_in + n_out)\n",
            "Take the square root",
        ),
        Mistake(
            "the standard deviation",
            "import numpy as np\ndef glorot_limit(n_in, n_out):\n"
            "    return np.sqrt(2 / (n_in + n_out))\n",
            "not the standard deviation",
        ),
    ],
)

# ---- Task 5: weighted_sum_std ----

weighted_sum_std = Task(
    "weighted_sum_std",
    cases=[
        # ||(3, 4)|| = 5, so sd(z) = 1 * 5 = 5
        Case(
            dict(x=np.array([3.0, 4.0]), std=1.0),
            expected=5.0,
            hint="Var(z) = sum_j Var(W_j) x_j**2 = std**2 * ||x||**2, so sd(z) = std * ||x||, "
            "with the Euclidean norm ||x|| = sqrt(sum x_j**2).",
        ),
        # ||(1, 1, 1, 1)|| = 2, so sd(z) = 2 * 2 = 4 (the variance would be 4 * 4 = 16)
        Case(
            dict(x=np.array([1.0, 1.0, 1.0, 1.0]), std=2.0),
            expected=4.0,
            hint="Return the standard deviation, std * ||x||, not the variance.",
        ),
        # a blank pixel adds nothing: ||(0, 0, 2)|| = 2, and with std 0.1 the spread is 0.2
        Case(
            dict(x=np.array([0.0, 0.0, 2.0]), std=0.1),
            expected=0.2,
            hint="Only the pixels with ink count: a pixel x_j = 0 adds W_j * 0 = 0 to z.",
        ),
    ],
    mistakes=[
        Mistake(
            "sum instead of norm",
            "import numpy as np\ndef weighted_sum_std(x, std):\n    return std * np.sum(x)\n",
            "the Euclidean norm",
        ),
        Mistake(
            "the variance",
            "import numpy as np\ndef weighted_sum_std(x, std):\n    return std**2 * np.sum(x**2)\n",
            "not the variance",
        ),
        Mistake(
            "counts inputs, not ink",
            "import numpy as np\ndef weighted_sum_std(x, std):\n    return std * np.sqrt(len(x))\n",
            "Only the pixels with ink count",
        ),
    ],
)

TASKS = [to_categorical, log_softmax, accuracy, glorot_limit, weighted_sum_std]
check = Checker(TASKS)
