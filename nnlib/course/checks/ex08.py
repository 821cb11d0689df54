"""Visible checks of exercise 08, "The full MNIST network".

Expected values are counted and divided by hand (the arithmetic is in the comments), on label
lists chosen so that the usual slips give different answers: a confusion matrix that is not
symmetric (so a transposed one is wrong), probabilities whose predicted and true classes disagree
in different orders (so sorting by the wrong one is wrong). Saving and loading is checked by the
identity it must satisfy: what comes back is what went in, array for array.
"""

import numpy as np

from nnlib.course.i18n import N_, _, ngettext
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, describe

# ---- Task 1: confusion_matrix ----

ROWS_HINT = N_(
    "Entry [i, j] counts the samples whose true class is i and predicted class is j: rows are "
    "true classes, columns predictions."
)

confusion_matrix = Task(
    "confusion_matrix",
    cases=[
        # pairs (true, predicted): (0,0) (1,1) (1,2) (2,2) (2,2) (2,0)
        # row 0: one (0,0); row 1: one (1,1), one (1,2); row 2: one (2,0), two (2,2)
        Case(
            dict(
                y_true=np.array([0, 1, 1, 2, 2, 2]),
                y_pred=np.array([0, 1, 2, 2, 2, 0]),
                n_classes=3,
            ),
            expected=np.array([[1, 0, 0], [0, 1, 1], [1, 0, 2]]),
            hint=N_(
                "The pairs (true, predicted) are (0,0) (1,1) (1,2) (2,2) (2,2) (2,0): row 0 "
                "counts one (0,0), row 1 one (1,1) and one (1,2), row 2 one (2,0) and two (2,2)."
            ),
        ),
        # three samples of class 1 all predicted 0, one of class 0 predicted 0
        Case(
            dict(y_true=np.array([1, 1, 1, 0]), y_pred=np.array([0, 0, 0, 0]), n_classes=2),
            expected=np.array([[1, 0], [3, 0]]),
            hint=N_(
                "Three samples of class 1 predicted 0 and one of class 0 predicted 0: "
                "M[1, 0] = 3 and M[0, 0] = 1."
            ),
        ),
        # classes 2 and 3 never occur, but the matrix is still 4 x 4
        Case(
            dict(y_true=np.array([0, 1]), y_pred=np.array([1, 1]), n_classes=4),
            expected=np.array([[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
            hint=N_(
                "Two samples, (0, 1) and (1, 1), of 4 classes: a 4 x 4 matrix with M[0, 1] = "
                "M[1, 1] = 1 and zeros elsewhere."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("transposed"),
            "import numpy as np\ndef confusion_matrix(y_true, y_pred, n_classes):\n"
            "    M = np.zeros((n_classes, n_classes), dtype=int)\n"
            "    np.add.at(M, (y_pred, y_true), 1)\n"
            "    return M\n",
            "rows are true classes",
            hint=ROWS_HINT,
        ),
        Mistake(
            N_("repeated pairs counted once"),
            "import numpy as np\ndef confusion_matrix(y_true, y_pred, n_classes):\n"
            "    M = np.zeros((n_classes, n_classes), dtype=int)\n"
            "    M[y_true, y_pred] += 1\n"
            "    return M\n",
            "counts it once",
            hint=N_(
                "A pair that occurs several times must be counted every time: "
                "M[y_true, y_pred] += 1 counts it once. Loop over the pairs, or use "
                "np.add.at(M, (y_true, y_pred), 1)."
            ),
        ),
        Mistake(
            N_("size taken from the labels"),
            "import numpy as np\ndef confusion_matrix(y_true, y_pred, n_classes):\n"
            "    k = max(y_true.max(), y_pred.max()) + 1\n"
            "    M = np.zeros((k, k), dtype=int)\n"
            "    np.add.at(M, (y_true, y_pred), 1)\n"
            "    return M\n",
            "even when some classes never appear",
            hint=N_("The matrix is n_classes x n_classes, even when some classes never appear."),
        ),
    ],
)

# ---- Task 2: per_class_accuracy ----

per_class_accuracy = Task(
    "per_class_accuracy",
    cases=[
        # row 0: 8 of 8 + 2 = 10 right -> 0.8; row 1: 9 of 1 + 9 = 10 -> 0.9
        Case(
            dict(matrix=np.array([[8, 2], [1, 9]])),
            expected=np.array([0.8, 0.9]),
            hint=N_(
                "Class 0 has 8 + 2 = 10 samples, 8 right: 0.8; class 1 has 1 + 9 = 10, 9 right: "
                "0.9."
            ),
        ),
        # rows sum to 1, 2 and 3: 1/1, 1/2, 2/3 (column sums would be 2, 1, 3)
        Case(
            dict(matrix=np.array([[1, 0, 0], [0, 1, 1], [1, 0, 2]])),
            expected=np.array([1.0, 0.5, 2 / 3]),
            hint=N_(
                "The rows (true classes) hold 1, 2 and 3 samples, of which 1, 1 and 2 are "
                "right: (1, 1/2, 2/3)."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("divided by the column sums"),
            "import numpy as np\ndef per_class_accuracy(matrix):\n"
            "    return np.diag(matrix) / matrix.sum(axis=0)\n",
            "the sum of its row",
            hint=N_(
                "Divide each diagonal entry by the sum of its row, the number of samples of "
                "that true class: np.diag(matrix) / matrix.sum(axis=1)."
            ),
        ),
        Mistake(
            N_("the overall accuracy"),
            "import numpy as np\ndef per_class_accuracy(matrix):\n"
            "    return np.trace(matrix) / matrix.sum()\n",
            "one number per class",
            hint=N_("Return one number per class, shape (n_classes,), not the overall accuracy."),
        ),
    ],
)

# ---- Task 3: most_confident_mistakes ----

# Six samples of 3 classes. Predicted class (argmax) and its probability, against the true class:
#   0: 0 (0.70), true 0: right        3: 0 (0.50), true 2: wrong, p(true) = 0.05
#   1: 1 (0.60), true 2: wrong, p(true) = 0.30
#   2: 2 (0.80), true 1: wrong, p(true) = 0.15
#   4: 1 (0.70), true 1: right        5: 0 (0.95), true 0: right
PROBABILITIES = np.array(
    [
        [0.70, 0.20, 0.10],
        [0.10, 0.60, 0.30],
        [0.05, 0.15, 0.80],
        [0.50, 0.45, 0.05],
        [0.20, 0.70, 0.10],
        [0.95, 0.05, 0.00],
    ]
)
TRUE_CLASSES = np.array([0, 2, 1, 2, 1, 0])

most_confident_mistakes = Task(
    "most_confident_mistakes",
    cases=[
        # the mistakes are samples 1, 2, 3 with confidences 0.6, 0.8, 0.5: most confident first,
        # 2 then 1 (sample 5, at 0.95, is right and does not count)
        Case(
            dict(probabilities=PROBABILITIES, y_true=TRUE_CLASSES, k=2),
            expected=np.array([2, 1]),
            hint=N_(
                "The mistakes are samples 1, 2 and 3, predicted with confidence 0.6, 0.8 and "
                "0.5: the two most confident are 2, then 1."
            ),
        ),
        # all three mistakes, in the order 0.8, 0.6, 0.5
        Case(
            dict(probabilities=PROBABILITIES, y_true=TRUE_CLASSES, k=3),
            expected=np.array([2, 1, 3]),
            hint=N_("All three mistakes, most confident first: 2 (0.8), 1 (0.6), 3 (0.5)."),
        ),
        # two classes, one mistake (sample 1: predicted 0 at 0.9, true 1); k = 3 gives just it
        Case(
            dict(
                probabilities=np.array([[0.2, 0.8], [0.9, 0.1], [0.6, 0.4]]),
                y_true=np.array([1, 1, 0]),
                k=3,
            ),
            expected=np.array([1]),
            hint=N_(
                "Only sample 1 is a mistake (predicted 0, true 1): with k = 3, the answer is "
                "just [1]."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("sorted by the probability of the true class"),
            "import numpy as np\ndef most_confident_mistakes(probabilities, y_true, k):\n"
            "    wrong = np.flatnonzero(probabilities.argmax(axis=1) != y_true)\n"
            "    p_true = probabilities[wrong, y_true[wrong]]\n"
            "    return wrong[np.argsort(p_true)][:k]\n",
            "not the probability of the true class",
            hint=N_(
                "A sample's confidence is the probability of the class the network predicted, "
                "probabilities.max(axis=1), not the probability of the true class."
            ),
        ),
        Mistake(
            N_("least confident first"),
            "import numpy as np\ndef most_confident_mistakes(probabilities, y_true, k):\n"
            "    wrong = np.flatnonzero(probabilities.argmax(axis=1) != y_true)\n"
            "    return wrong[np.argsort(probabilities[wrong].max(axis=1))][:k]\n",
            "sort the confidences in decreasing order",
            hint=N_(
                "Most confident first: sort the confidences in decreasing order, e.g. "
                "np.argsort(-confidence)."
            ),
        ),
        Mistake(
            N_("right answers included"),
            "import numpy as np\ndef most_confident_mistakes(probabilities, y_true, k):\n"
            "    return np.argsort(-probabilities.max(axis=1))[:k]\n",
            "the mistakes only",
            hint=N_(
                "Keep the mistakes only, predicted != y_true, before sorting: a confident "
                "right answer is not a mistake."
            ),
        ),
    ],
)

# ---- Task 4: weight_images ----

weight_images = Task(
    "weight_images",
    cases=[
        # W = [[0, 1], [2, 3], [4, 5], [6, 7]]: unit 0's weights are column 0 = (0, 2, 4, 6),
        # the 2 x 2 image [[0, 2], [4, 6]]; unit 1's are (1, 3, 5, 7)
        Case(
            dict(W=np.arange(8.0).reshape(4, 2), side=2),
            expected=np.array([[[0.0, 2.0], [4.0, 6.0]], [[1.0, 3.0], [5.0, 7.0]]]),
            hint=N_(
                "Unit 0's weights are column 0 of W, (0, 2, 4, 6), the image [[0, 2], [4, 6]]; "
                "unit 1's are (1, 3, 5, 7)."
            ),
        ),
        # W = arange(27).reshape(9, 3): unit j's pixel p is 3 p + j, and pixel p sits in row
        # p // 3, column p % 3, so image j is [[j, j+3, j+6], [j+9, j+12, j+15], [j+18, ...]]
        Case(
            dict(W=np.arange(27.0).reshape(9, 3), side=3),
            expected=np.array(
                [
                    [[0, 3, 6], [9, 12, 15], [18, 21, 24]],
                    [[1, 4, 7], [10, 13, 16], [19, 22, 25]],
                    [[2, 5, 8], [11, 14, 17], [20, 23, 26]],
                ]
            ),
            hint=N_(
                "Unit j's pixel p is W[p, j] = 3 p + j, and pixel p sits in row p // 3, column "
                "p % 3: image j is [[j, j+3, j+6], [j+9, j+12, j+15], [j+18, j+21, j+24]]."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("rows of W taken as units"),
            "def weight_images(W, side):\n    return W.reshape(-1, side, side)\n",
            "take the columns",
            hint=N_(
                "Column j of W holds unit j's weights, one per pixel: take the columns "
                "(transpose, W.T) before you reshape."
            ),
        ),
        Mistake(
            N_("each image transposed"),
            "def weight_images(W, side):\n"
            "    return W.T.reshape(-1, side, side).transpose(0, 2, 1)\n",
            "do not transpose the images themselves",
            hint=N_(
                "Pixel p of an image sits in row p // side and column p % side, as "
                "reshape(side, side) lays it out (C order): do not transpose the images themselves."
            ),
        ),
    ],
)

# ---- Task 5: save_and_load ----

ORDER_HINT = N_(
    "Keep the order: name the arrays param_0, param_1, ... and read them back by number, "
    "for i in range(len(params)); sorted names put param_10 before param_2."
)


def _round_trip(result, params) -> str | None:
    """What comes back must be what went in: same number, order, shapes, dtypes and values."""
    if not isinstance(result, (list, tuple)):
        expected = ngettext(
            "expected a list of {n} array, got {got}",
            "expected a list of {n} arrays, got {got}",
            len(params),
        )
        return expected.format(n=len(params), got=describe(result))
    if len(result) != len(params):
        saved = ngettext(
            "{n} array was saved but {back} came back",
            "{n} arrays were saved but {back} came back",
            len(params),
        )
        return saved.format(n=len(params), back=len(result))
    for i, (got, want) in enumerate(zip(result, params, strict=True)):
        if not isinstance(got, np.ndarray):
            return _("item {i} is not a numpy array: {got}").format(i=i, got=describe(got))
        if got.dtype != want.dtype:
            return _(
                "array {i} came back as {got}, but was saved as {want}: keep each "
                "array's dtype, as np.savez and np.load do"
            ).format(i=i, got=got.dtype, want=want.dtype)
        if got.shape != want.shape or not np.array_equal(got, want):
            return _("array {i} came back as {got}, but was saved as {want}").format(
                i=i, got=describe(got), want=describe(want)
            )
    return None


save_and_load = Task(
    "save_and_load",
    cases=[
        # a layer's W of shape (2, 3) and its b of shape (3,): ragged, so they cannot be stacked
        Case(
            dict(
                params=[
                    np.array([[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]], dtype=np.float32),
                    np.array([0.1, 0.2, 0.3], dtype=np.float32),
                ]
            ),
            verify=_round_trip,
            hint=N_(
                "A layer's W, shape (2, 3), and b, shape (3,), in float32: both must come back "
                "as they went in, in that order."
            ),
        ),
        # twelve arrays holding 0, 1, ..., 11: the order must survive the round trip
        Case(
            dict(params=[np.full(2, i, dtype=np.float32) for i in range(12)]),
            verify=_round_trip,
            hint=N_("Twelve arrays holding 0, 1, ..., 11: they must come back in that order."),
        ),
        # other dtypes come back unchanged: float64 and int64
        Case(
            dict(params=[np.array([[1.5, -2.0]]), np.array([7, 8, 9], dtype=np.int64)]),
            verify=_round_trip,
            hint=N_("A float64 and an int64 array: they must come back with their dtypes."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("all arrays passed as one"),
            "import os, tempfile\nimport numpy as np\ndef save_and_load(params):\n"
            "    with tempfile.TemporaryDirectory() as folder:\n"
            "        path = os.path.join(folder, 'params.npz')\n"
            "        np.savez(path, params)\n"
            "        with np.load(path, allow_pickle=False) as data:\n"
            "            return list(data['arr_0'])\n",
            "would try to make one array of them all",
            hint=N_(
                "Give np.savez each array as its own keyword, "
                "np.savez(path, **{f'param_{i}': p for i, p in enumerate(params)}): "
                "np.savez(path, params) would try to make one array of them all."
            ),
        ),
        Mistake(
            N_("names sorted"),
            "import os, tempfile\nimport numpy as np\ndef save_and_load(params):\n"
            "    with tempfile.TemporaryDirectory() as folder:\n"
            "        path = os.path.join(folder, 'params.npz')\n"
            "        np.savez(path, **{f'param_{i}': p for i, p in enumerate(params)})\n"
            "        with np.load(path, allow_pickle=False) as data:\n"
            "            return [data[name] for name in sorted(data.files)]\n",
            "sorted names put param_10 before param_2",
            hint=ORDER_HINT,
        ),
        Mistake(
            N_("converted to float32"),
            "import os, tempfile\nimport numpy as np\ndef save_and_load(params):\n"
            "    with tempfile.TemporaryDirectory() as folder:\n"
            "        path = os.path.join(folder, 'params.npz')\n"
            "        np.savez(path, *params)\n"
            "        with np.load(path, allow_pickle=False) as data:\n"
            "            return [data[name].astype(np.float32) for name in data.files]\n",
            "keep each array's dtype",
            hint=N_(
                "Return the arrays exactly as np.load gives them: keep each array's dtype, "
                "no conversion."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
