"""Visible checks of exercise 09, "From nnlib to TensorFlow and Keras".

Every expected value is worked by hand (the arithmetic is in the comments), never computed by a
reference implementation: the learner's own code is what gets checked. The line numbers are those
of the seed tutorial's TensorFlow listing, ``chapters/listings/tf1_mnist.py``.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare, describe

LN2, LN3, LN4 = np.log(2.0), np.log(3.0), np.log(4.0)


def _as_array(value) -> np.ndarray | None:
    """``value`` as an array, or None when numpy cannot make one of it."""
    try:
        return np.asarray(value)
    except Exception:  # a ragged list, or an object that refuses to become an array
        return None


# ---- Task 1: to_categorical ----

FLOAT_HINT = N_(
    "return a float array, as Keras' to_categorical does: np.eye(n_classes)[y] is float, and "
    "an integer array can be turned into one with .astype(float)"
)


def _float_one_hot(expected: np.ndarray):
    """A check that the one-hot rows are ``expected`` and that they are floats, not integers."""

    def verify(result, y, n_classes) -> str | None:
        array = _as_array(result)
        if array is not None and array.dtype.kind in "biu":
            return _("got an array of {dtype}, {got}: {hint}").format(
                dtype=array.dtype, got=describe(result), hint=_(FLOAT_HINT)
            )
        return compare(result, expected)

    return verify


SHAPE_HINT = N_(
    "One row per label and n_classes columns, shape (len(y), n_classes), even when the largest "
    "class is missing from y: np.eye(n_classes)[y], or zeros with a 1 put in each row."
)

to_categorical = Task(
    "to_categorical",
    cases=[
        # labels 0, 2, 1 of 3 classes: row i has its 1 in column y[i]
        Case(
            dict(y=np.array([0, 2, 1]), n_classes=3),
            verify=_float_one_hot(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])),
            hint=N_("Row i is all zeros except a 1.0 in column y[i]."),
        ),
        # two samples of class 1 among 4 classes: classes 2 and 3 never appear, still 4 columns
        Case(
            dict(y=np.array([1, 1]), n_classes=4),
            verify=_float_one_hot(np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])),
            hint=SHAPE_HINT,
        ),
        # the digit 9 of MNIST's 10 classes: the 1 in the last column
        Case(
            dict(y=np.array([9]), n_classes=10),
            verify=_float_one_hot(np.array([[0.0] * 9 + [1.0]])),
            hint=N_("Class 9 of 10 is the last column, index 9: the classes count from 0."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("transposed"),
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(n_classes)[y].T\n",
            "Your rows are the classes and your",
            hint=N_(
                "Your rows are the classes and your columns the samples: drop the .T; one "
                "row per label."
            ),
        ),
        Mistake(
            N_("width from the labels seen"),
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(y.max() + 1)[y]\n",
            "Use n_classes for the width, not",
            hint=N_(
                "Use n_classes for the width, not y.max() + 1: a batch may miss the last classes."
            ),
        ),
        Mistake(
            N_("classes counted from 1"),
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(n_classes)[y - 1]\n",
            "Class y goes in column y, counting from",
            hint=N_("Class y goes in column y, counting from 0: do not subtract 1."),
        ),
        Mistake(
            N_("integers, not floats"),
            "import numpy as np\ndef to_categorical(y, n_classes):\n"
            "    return np.eye(n_classes, dtype=int)[y]\n",
            "Your ones and zeros are integers: make",
            hint=N_(
                "Your ones and zeros are integers: make the array float, e.g. np.eye(n_classes)[y]."
            ),
        ),
    ],
)

# ---- Task 2: listing_step ----

STEP_ITEMS = ("loss", "W1", "b1", "W2", "b2")
STEP_NOTES = {
    "loss": N_(
        "Line 15 takes the mean over the batch of -sum(Y * log(p)) along each row, with "
        "p = softmax(h @ W2 + b2) and h = sigmoid(X @ W1 + b1), the loss before the update."
    ),
    "b2": N_(
        "dz = (p - Y) / n is the gradient of the mean loss at the logits; the new b2 is "
        "b2 - learning_rate * dz.sum(axis=0): a step against the gradient."
    ),
    "W2": N_("The new W2 is W2 - learning_rate * h.T @ dz, with h the hidden activations."),
    "b1": N_(
        "Backpropagate with the old W2 (update only after): dh = dz @ W2.T, then through the "
        "sigmoid's slope, da = dh * h * (1 - h); the new b1 is b1 - learning_rate * da.sum(axis=0)."
    ),
    "W1": N_("The new W1 is W1 - learning_rate * X.T @ da, da = (dz @ W2.T) * h * (1 - h)."),
}


def _step(expected: dict):
    """A check of ``(loss, W1, b1, W2, b2)`` that names the first wrong item, output side first
    (where the gradient starts), so that the note points at the line that went wrong."""

    def verify(result, **args) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != len(STEP_ITEMS):
            return _("expected a tuple (loss, W1, b1, W2, b2), got {got}").format(
                got=describe(result)
            )
        got = dict(zip(STEP_ITEMS, result, strict=True))
        for name in ("loss", "b2", "W2", "b1", "W1"):
            reason = compare(got[name], expected[name])
            if reason:
                return _("{name} is wrong: {reason}. {note}").format(
                    name=name, reason=reason, note=_(STEP_NOTES[name])
                )
        return None

    return verify


# One image x = (1, 2), one hidden unit with W1 = 0: h = sigmoid(0) = 1/2, slope h(1 - h) = 1/4.
# W2 = (2 ln 3, 0): z = (ln 3, 0), p = (3/4, 1/4); label 1: loss = -ln(1/4) = ln 4.
# dz = p - y = (3/4, -3/4); dW2 = h dz = (3/8, -3/8); db2 = (3/4, -3/4)
# dh = dz . W2 = (3/4)(2 ln 3) = 1.5 ln 3; da = dh / 4 = 0.375 ln 3 = 0.41198
# dW1 = x^T da = (0.375 ln 3, 0.75 ln 3); db1 = 0.375 ln 3; learning rate 1.
ONE_IMAGE = dict(
    W1=np.array([[0.0], [0.0]]),
    b1=np.array([0.0]),
    W2=np.array([[2 * LN3, 0.0]]),
    b2=np.array([0.0, 0.0]),
    X=np.array([[1.0, 2.0]]),
    Y=np.array([[0.0, 1.0]]),
    learning_rate=1.0,
)
ONE_IMAGE_AFTER = {
    "loss": LN4,
    "W1": np.array([[-0.375 * LN3], [-0.75 * LN3]]),
    "b1": np.array([-0.375 * LN3]),
    "W2": np.array([[2 * LN3 - 0.375, 0.375]]),
    "b2": np.array([-0.75, 0.75]),
}

listing_step = Task(
    "listing_step",
    cases=[
        Case(
            ONE_IMAGE,
            verify=_step(ONE_IMAGE_AFTER),
            hint=N_(
                "Forward (lines 9 and 13), loss (line 15), gradient and update (line 16), in "
                "that order, on new arrays."
            ),
        ),
        # the same image twice: the mean gradient is the one image's gradient, so the result is
        # exactly case 1's (a sum over the batch would double every step and the loss)
        Case(
            {**ONE_IMAGE, "X": np.array([[1.0, 2.0], [1.0, 2.0]]), "Y": np.array([[0.0, 1.0]] * 2)},
            verify=_step(ONE_IMAGE_AFTER),
            hint=N_(
                "Two equal images must give what one gives: the loss and its gradient are means "
                "over the batch (divide by n = len(X))."
            ),
        ),
        # x = (1, 0), W1 = (ln 3, 0): h = sigmoid(ln 3) = 3/4, slope 3/16.
        # W2 = (4/3 ln 3, 0): z = (ln 3, 0), p = (3/4, 1/4); label 0: loss = -ln(3/4) = ln 4 - ln 3
        # dz = (-1/4, 1/4); dW2 = h dz = (-3/16, 3/16); db2 = (-1/4, 1/4)
        # dh = dz . W2 = -(1/4)(4/3) ln 3 = -(1/3) ln 3; da = dh * 3/16 = -(1/16) ln 3
        # learning rate 1/2: W1 = (ln 3 + ln 3 / 32, 0), b1 = ln 3 / 32,
        # W2 = (4/3 ln 3 + 3/32, -3/32), b2 = (1/8, -1/8)
        Case(
            dict(
                W1=np.array([[LN3], [0.0]]),
                b1=np.array([0.0]),
                W2=np.array([[4 / 3 * LN3, 0.0]]),
                b2=np.array([0.0, 0.0]),
                X=np.array([[1.0, 0.0]]),
                Y=np.array([[1.0, 0.0]]),
                learning_rate=0.5,
            ),
            verify=_step(
                {
                    "loss": LN4 - LN3,
                    "W1": np.array([[LN3 + LN3 / 32], [0.0]]),
                    "b1": np.array([LN3 / 32]),
                    "W2": np.array([[4 / 3 * LN3 + 3 / 32, -3 / 32]]),
                    "b2": np.array([0.125, -0.125]),
                }
            ),
            hint=N_(
                "Here h = sigmoid(ln 3) = 3/4, so the sigmoid's slope is h (1 - h) = 3/16, and "
                "the learning rate is 1/2."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("summed over the batch"),
            "import numpy as np\n"
            "def listing_step(W1, b1, W2, b2, X, Y, lr):\n"
            "    h = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
            "    z = h @ W2 + b2\n"
            "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
            "    loss = -np.sum(Y * np.log(p))\n"
            "    dz = p - Y\n"
            "    da = dz @ W2.T * h * (1 - h)\n"
            "    return (loss, W1 - lr * X.T @ da, b1 - lr * da.sum(axis=0),\n"
            "            W2 - lr * h.T @ dz, b2 - lr * dz.sum(axis=0))\n",
            "You summed over the batch: line 15 uses",
            hint=N_(
                "You summed over the batch: line 15 uses reduce_mean, so divide the loss "
                "and dz = p - Y by n = len(X)."
            ),
        ),
        Mistake(
            N_("no sigmoid slope"),
            "import numpy as np\n"
            "def listing_step(W1, b1, W2, b2, X, Y, lr):\n"
            "    h = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
            "    z = h @ W2 + b2\n"
            "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
            "    loss = np.mean(-np.sum(Y * np.log(p), axis=1))\n"
            "    dz = (p - Y) / len(X)\n"
            "    da = dz @ W2.T\n"
            "    return (loss, W1 - lr * X.T @ da, b1 - lr * da.sum(axis=0),\n"
            "            W2 - lr * h.T @ dz, b2 - lr * dz.sum(axis=0))\n",
            "On the way back through line 9,",
            hint=N_(
                "On the way back through line 9, multiply dz @ W2.T by the sigmoid's "
                "derivative h * (1 - h)."
            ),
        ),
        Mistake(
            N_("W2 updated before backpropagating through it"),
            "import numpy as np\n"
            "def listing_step(W1, b1, W2, b2, X, Y, lr):\n"
            "    h = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
            "    z = h @ W2 + b2\n"
            "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
            "    loss = np.mean(-np.sum(Y * np.log(p), axis=1))\n"
            "    dz = (p - Y) / len(X)\n"
            "    W2 = W2 - lr * h.T @ dz\n"
            "    da = dz @ W2.T * h * (1 - h)\n"
            "    return (loss, W1 - lr * X.T @ da, b1 - lr * da.sum(axis=0),\n"
            "            W2, b2 - lr * dz.sum(axis=0))\n",
            "Compute every gradient first, with the",
            hint=N_(
                "Compute every gradient first, with the weights the forward pass used; "
                "update W2 only afterwards."
            ),
        ),
        Mistake(
            N_("a step up the gradient"),
            "import numpy as np\n"
            "def listing_step(W1, b1, W2, b2, X, Y, lr):\n"
            "    h = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
            "    z = h @ W2 + b2\n"
            "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
            "    loss = np.mean(-np.sum(Y * np.log(p), axis=1))\n"
            "    dz = (p - Y) / len(X)\n"
            "    da = dz @ W2.T * h * (1 - h)\n"
            "    return (loss, W1 + lr * X.T @ da, b1 + lr * da.sum(axis=0),\n"
            "            W2 + lr * h.T @ dz, b2 + lr * dz.sum(axis=0))\n",
            "Gradient descent subtracts: new = old -",
            hint=N_("Gradient descent subtracts: new = old - learning_rate * gradient."),
        ),
    ],
)

# ---- Task 3: bad_lines ----

NAN_NOTES = {
    13: N_(
        "Line 13's softmax is computed fine and never overflows (TensorFlow subtracts the "
        "largest logit first); the NaN appears where one of its outputs, 0, goes into a logarithm."
    ),
}
SLOW_NOTES = {
    9: N_(
        "Line 9 is the sigmoid itself, which is right as it is; what pushes its inputs beyond "
        "+-4.6 is the scale of the weights that another line draws."
    ),
    11: N_(
        "Line 11 draws the output layer's weights; the units that saturate are the 500 hidden "
        "ones, whose N(0, 1) weights are drawn a few lines earlier."
    ),
}
NAN_NOTE = N_(
    "Run your listing_step on the wide batch above and find the NaN: one line takes a "
    "logarithm, log(0) = -inf, and 0 * -inf = NaN."
)
SLOW_NOTE = N_(
    "Which line draws the weights of the 500 sigmoid units from N(0, 1)? With ||x|| about "
    "9, their inputs z spread to about +-9, where the sigmoid is flat."
)


def _bad_lines(result) -> str | None:
    """(15, 7): line 15 takes log(y_pred); line 7 draws w1 from N(0, 1)."""
    pair = result if isinstance(result, (tuple, list)) else ()
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        return _("expected a pair of line numbers (nan_line, slow_line), got {got}").format(
            got=describe(result)
        )
    nan_line, slow_line = pair
    if nan_line != 15:
        note = _(NAN_NOTES.get(nan_line, NAN_NOTE))
        return _("nan_line = {line} is not it. {note}").format(line=nan_line, note=note)
    if slow_line != 7:
        note = _(SLOW_NOTES.get(slow_line, SLOW_NOTE))
        return _("slow_line = {line} is not it. {note}").format(line=slow_line, note=note)
    return None


bad_lines = Task(
    "bad_lines",
    cases=[
        Case(
            {},
            verify=_bad_lines,
            hint=N_(
                "Give the line numbers as chapter 09 prints the listing (from 1), as two ints."
            ),
        )
    ],
    mistakes=[
        Mistake(
            N_("the softmax line"),
            "def bad_lines():\n    return 13, 7\n",
            "The softmax (line 13) gives a 0 without",
            hint=N_(
                "The softmax (line 13) gives a 0 without error; the NaN is made where that "
                "0 meets tf.log."
            ),
        ),
        Mistake(
            N_("the output layer's weights"),
            "def bad_lines():\n    return 15, 11\n",
            "Saturation is about the 500 hidden",
            hint=N_(
                "Saturation is about the 500 hidden sigmoid units: look for the line that draws w1."
            ),
        ),
        Mistake(
            N_("the sigmoid line"),
            "def bad_lines():\n    return 15, 9\n",
            "The sigmoid is not to blame; the N(0,",
            hint=N_(
                "The sigmoid is not to blame; the N(0, 1) weights that feed it are: look "
                "for the line that draws w1."
            ),
        ),
    ],
)

# ---- Task 4: log_softmax ----

ROW_MAX_HINT = N_(
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
            hint=N_(
                "log_softmax(z)_j = z_j - log(sum_k exp(z_k)), the sum over each row (axis=1)."
            ),
        ),
        # rows (0, ln 3) and (5, 5 + ln 3): exp sums to 1 + 3 = 4 (times e^5), so both rows give
        # (0 - ln 4, ln 3 - ln 4) = (-1.386294, -0.287682): adding 5 to a row changes nothing
        Case(
            dict(z=np.array([[0.0, LN3], [5.0, 5.0 + LN3]])),
            expected=np.array([[-LN4, LN3 - LN4], [-LN4, LN3 - LN4]]),
            hint=N_(
                "Each row is a separate sample: keep the row axis (keepdims=True) so that "
                "each row subtracts its own log-sum-exp."
            ),
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
            hint=N_(
                "Subtract each row's own maximum, m = z.max(axis=1, keepdims=True): then exp never "
                "overflows and the largest term of each row's sum is exp(0) = 1, so its log is "
                "never log(0). One maximum for the whole batch leaves a row of exp(-2000) = 0."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("log of a naive softmax"),
            "import numpy as np\ndef log_softmax(z):\n"
            "    e = np.exp(z)\n"
            "    return np.log(e / e.sum(axis=1, keepdims=True))\n",
            "exp(1000) overflows: subtract each",
            hint=N_(
                "exp(1000) overflows: subtract each row's maximum before exp, and never "
                "take log of the softmax itself."
            ),
        ),
        Mistake(
            N_("one maximum for the whole batch"),
            "import numpy as np\ndef log_softmax(z):\n"
            "    s = z - z.max()\n"
            "    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n",
            "Use z.max(axis=1, keepdims=True), one",
            hint=N_("Use z.max(axis=1, keepdims=True), one maximum per row, not z.max()."),
        ),
        Mistake(
            N_("sum over the wrong axis"),
            "import numpy as np\ndef log_softmax(z):\n"
            "    s = z - z.max(axis=1, keepdims=True)\n"
            "    return s - np.log(np.exp(s).sum(axis=0, keepdims=True))\n",
            "Sum the exponentials along each row,",
            hint=N_("Sum the exponentials along each row, axis=1, not down the columns."),
        ),
    ],
)

# ---- Task 5: accuracy ----

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
            hint=N_(
                "The fraction of rows whose argmax(P) equals argmax(Y), a number in [0, 1]: "
                "np.mean of the boolean comparison, not its sum."
            ),
        ),
        # 2 samples of 3 classes: argmax along each row (axis=1); predicted 2 and 0, true 2 and 1
        Case(
            dict(
                P=np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
                Y=np.array([[0, 0, 1], [0, 1, 0]], dtype=float),
            ),
            expected=0.5,
            hint=N_("Take the argmax along each row, axis=1: one predicted class per sample."),
        ),
        # the most probable class is the prediction even when it is below one half
        Case(
            dict(P=np.array([[0.4, 0.35, 0.25]]), Y=np.array([[1.0, 0.0, 0.0]])),
            expected=1.0,
            hint=N_(
                "The prediction is the class with the largest probability, argmax, even when "
                "that probability is below 0.5; do not round or threshold P."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("argmax down the columns"),
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.mean(np.argmax(P, axis=0) == np.argmax(Y, axis=0))\n",
            "Use np.argmax(..., axis=1): one",
            hint=N_("Use np.argmax(..., axis=1): one predicted class per row (sample)."),
        ),
        Mistake(
            N_("count instead of fraction"),
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.sum(np.argmax(P, axis=1) == np.argmax(Y, axis=1))\n",
            "Return np.mean of the comparison, a",
            hint=N_(
                "Return np.mean of the comparison, a fraction between 0 and 1, not the "
                "number of hits."
            ),
        ),
        Mistake(
            N_("rounded probabilities"),
            "import numpy as np\ndef accuracy(P, Y):\n"
            "    return np.mean(np.all(np.round(P) == Y, axis=1))\n",
            "Compare argmax(P) with argmax(Y);",
            hint=N_(
                "Compare argmax(P) with argmax(Y); rounding P misses the winner when its "
                "probability is below 0.5."
            ),
        ),
    ],
)


# ---- Task 6: keras_to_nnlib ----


def _dense(items: list[tuple]) -> list[tuple]:
    """The ``("Dense", n_in, n_out)`` items of a translation."""
    return [item for item in items if item[:1] == ("Dense",)]


def _translation_note(got: list[tuple], want: list[tuple]) -> str:
    """What the usual slip behind a wrong translation ``got`` is (``want`` is right)."""
    if any(item[:1] == ("Softmax",) for item in got):
        return _(
            "Leave the last softmax out: nnlib's CrossEntropy applies it to the logits itself, "
            "and a Softmax layer before it would apply it twice."
        )
    if any(None in item for item in _dense(got)):
        return _(
            "Only the first Keras layer names its inputs (input_dim); each later layer's inputs "
            "are the units of the layer before."
        )
    if {item[:0:-1] for item in _dense(got)} & {item[1:] for item in _dense(want)}:
        return _(
            "nnlib's Dense takes the number of inputs first, Dense(n_in, n_out), like the shape "
            "of its weights; Keras' units is the number of outputs."
        )
    if len(got) - len(_dense(got)) < len(want) - len(_dense(want)):
        return _(
            "Keras' activation='sigmoid' is a layer of its own in nnlib: Sigmoid() after the "
            "Dense (ReLU() for 'relu', Tanh() for 'tanh')."
        )
    return _("One Dense(n_in, n_out) per Keras layer, then its activation as a layer of its own.")


def _translation(expected: list[tuple]):
    """A check that the layers are ``expected``, with a note on the usual slip."""

    def verify(result, layers) -> str | None:
        items = result if isinstance(result, (list, tuple)) else None
        if items is None or not all(isinstance(item, (list, tuple)) for item in items):
            return _("expected a list of tuples such as ('Dense', 784, 500), got {got}").format(
                got=describe(result)
            )
        got = [tuple(item) for item in items]
        if got == expected:
            return None
        return _("expected {expected}, got {got}. {note}").format(
            expected=expected, got=got, note=_translation_note(got, expected)
        )

    return verify


keras_to_nnlib = Task(
    "keras_to_nnlib",
    cases=[
        # the Keras listing, lines 19-20: Dense(784, 500), Sigmoid(), Dense(500, 10), and the
        # softmax goes to the loss
        Case(
            dict(
                layers=[
                    {"units": 500, "input_dim": 784, "activation": "sigmoid"},
                    {"units": 10, "activation": "softmax"},
                ]
            ),
            verify=_translation([("Dense", 784, 500), ("Sigmoid",), ("Dense", 500, 10)]),
            hint=N_("One Dense per Keras layer, its activation as a layer of its own after it."),
        ),
        # three layers: the inputs of each later layer are the units of the one before
        Case(
            dict(
                layers=[
                    {"units": 256, "input_dim": 784, "activation": "relu"},
                    {"units": 128, "activation": "tanh"},
                    {"units": 10, "activation": "softmax"},
                ]
            ),
            verify=_translation(
                [("Dense", 784, 256), ("ReLU",), ("Dense", 256, 128), ("Tanh",), ("Dense", 128, 10)]
            ),
            hint=N_("Carry the width along: the second Dense has 256 inputs, the third 128."),
        ),
        # no activation given: Keras' default is 'linear', which is no layer at all
        Case(
            dict(layers=[{"units": 3, "input_dim": 2}, {"units": 2, "activation": "softmax"}]),
            verify=_translation([("Dense", 2, 3), ("Dense", 3, 2)]),
            hint=N_("A Keras layer without an activation is linear: no activation layer in nnlib."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("units first"),
            "def keras_to_nnlib(layers):\n"
            "    names = {'sigmoid': 'Sigmoid', 'relu': 'ReLU', 'tanh': 'Tanh'}\n"
            "    out, n_in = [], None\n"
            "    for layer in layers:\n"
            "        n_in = layer.get('input_dim', n_in)\n"
            "        out.append(('Dense', layer['units'], n_in))\n"
            "        if layer.get('activation') in names:\n"
            "            out.append((names[layer['activation']],))\n"
            "        n_in = layer['units']\n"
            "    return out\n",
            "Write Dense(n_in, n_out): the inputs",
            hint=N_("Write Dense(n_in, n_out): the inputs first, then Keras' units."),
        ),
        Mistake(
            N_("keeps the softmax"),
            "def keras_to_nnlib(layers):\n"
            "    names = {'sigmoid': 'Sigmoid', 'relu': 'ReLU', 'tanh': 'Tanh',\n"
            "             'softmax': 'Softmax'}\n"
            "    out, n_in = [], None\n"
            "    for layer in layers:\n"
            "        n_in = layer.get('input_dim', n_in)\n"
            "        out.append(('Dense', n_in, layer['units']))\n"
            "        if layer.get('activation') in names:\n"
            "            out.append((names[layer['activation']],))\n"
            "        n_in = layer['units']\n"
            "    return out\n",
            "Drop the softmax of the last layer:",
            hint=N_("Drop the softmax of the last layer: CrossEntropy applies it."),
        ),
        Mistake(
            N_("inputs only from input_dim"),
            "def keras_to_nnlib(layers):\n"
            "    names = {'sigmoid': 'Sigmoid', 'relu': 'ReLU', 'tanh': 'Tanh'}\n"
            "    out = []\n"
            "    for layer in layers:\n"
            "        out.append(('Dense', layer.get('input_dim'), layer['units']))\n"
            "        if layer.get('activation') in names:\n"
            "            out.append((names[layer['activation']],))\n"
            "    return out\n",
            "Carry n_in along: after each layer,",
            hint=N_("Carry n_in along: after each layer, n_in becomes that layer's units."),
        ),
        Mistake(
            N_("activations dropped"),
            "def keras_to_nnlib(layers):\n"
            "    out, n_in = [], None\n"
            "    for layer in layers:\n"
            "        n_in = layer.get('input_dim', n_in)\n"
            "        out.append(('Dense', n_in, layer['units']))\n"
            "        n_in = layer['units']\n"
            "    return out\n",
            "Add an activation layer, e.g.",
            hint=N_(
                "Add an activation layer, e.g. ('Sigmoid',), after each Dense whose Keras "
                "activation is sigmoid, relu or tanh."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
