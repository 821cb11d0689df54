"""Visible checks of exercise 04, "Layers and the forward pass".

Expected values are worked by hand (shown in the comments), never computed by a reference
implementation: the learner's own code is what gets checked. Weighted sums of ``0`` and ``ln 3``
keep the sigmoids exact: ``sigma(0) = 1/2``, ``sigma(ln 3) = 1 / (1 + 1/3) = 3/4``.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task

LN3 = np.log(3.0)
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TRUTH = np.array([0, 1, 1, 0])
XOR_SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}

# The layer of chapter 04, section 1: units (1, 0) + 0, (0.5, -1) + 1, (-1, 1) - 1 as columns.
W_CHAPTER = np.array([[1.0, 0.5, -1.0], [0.0, -1.0, 1.0]])
B_CHAPTER = np.array([0.0, 1.0, -1.0])


def _computes_xor(result) -> str | None:
    """Any 2-2-1 step network (W1, b1, W2, b2) whose outputs are XOR's truth table is right."""
    try:
        params = dict(zip(XOR_SHAPES, (np.asarray(p, dtype=float) for p in result), strict=True))
    except (TypeError, ValueError):
        return _("expected a tuple of four arrays (W1, b1, W2, b2), got {result!r}").format(
            result=result
        )
    for name, shape in XOR_SHAPES.items():
        if params[name].shape != shape:
            return _("{name} must have shape {shape} for a 2-2-1 network, got shape {got}").format(
                name=name, shape=shape, got=params[name].shape
            )
    hidden = (XOR_INPUTS @ params["W1"] + params["b1"] >= 0).astype(float)
    outputs = (hidden @ params["W2"] + params["b2"] >= 0).astype(int)[:, 0]
    if np.array_equal(outputs, XOR_TRUTH):
        return None
    return _(
        "on the inputs (0,0), (0,1), (1,0), (1,1) the hidden units output {hidden} and "
        "the network outputs {outputs}; XOR must output {truth}"
    ).format(hidden=hidden.tolist(), outputs=outputs, truth=XOR_TRUTH)


dense_forward = Task(
    "dense_forward",
    cases=[
        # one sample x = (1, 2): (1*1 + 0*2 + 0, 0.5*1 - 1*2 + 1, -1*1 + 1*2 - 1) = (1, -0.5, 0)
        Case(
            dict(X=np.array([[1.0, 2.0]]), W=W_CHAPTER, b=B_CHAPTER),
            expected=np.array([[1.0, -0.5, 0.0]]),
            hint=N_(
                "One sample x = (1, 2) and three units (the columns of W): "
                "(1*1 + 0*2 + 0, 0.5*1 - 1*2 + 1, -1*1 + 1*2 - 1) = (1, -0.5, 0), shape (1, 3)."
            ),
        ),
        # a row of zeros gives Z = b = (0, 1, -1);
        # (-1, 1): (-1 + 0 + 0, -0.5 - 1 + 1, 1 + 1 - 1) = (-1, -0.5, 1)
        Case(
            dict(X=np.array([[0.0, 0.0], [-1.0, 1.0]]), W=W_CHAPTER, b=B_CHAPTER),
            expected=np.array([[0.0, 1.0, -1.0], [-1.0, -0.5, 1.0]]),
            hint=N_(
                "Two samples, one row each: the zero sample gives Z = b = (0, 1, -1), the "
                "sample (-1, 1) gives (-1, -0.5, 1)."
            ),
        ),
        # 4 samples of 1 feature, 2 units: Z[i] = (2 x_i + 1, -x_i)
        Case(
            dict(
                X=np.array([[0.0], [1.0], [2.0], [-3.0]]),
                W=np.array([[2.0, -1.0]]),
                b=np.array([1.0, 0.0]),
            ),
            expected=np.array([[1.0, 0.0], [3.0, -1.0], [5.0, -2.0], [-5.0, 3.0]]),
            hint=N_(
                "Four samples of one feature x, two units: row i is (2 x + 1, -x), shape (4, 2)."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("W @ X instead of X @ W"),
            "def dense_forward(X, W, b):\n    return W @ X + b\n",
            "Samples are rows",
            hint=N_(
                "Samples are rows: Z = X @ W + b, with X of shape (n_samples, n_in) and W of "
                "shape (n_in, n_out)."
            ),
        ),
        Mistake(
            N_("forgot the bias"),
            "def dense_forward(X, W, b):\n    return X @ W\n",
            "add the bias to every row",
            hint=N_(
                "Z = X @ W + b: add the bias to every row (numpy broadcasts b, shape (n_out,), "
                "over the rows)."
            ),
        ),
    ],
)

two_layer_forward = Task(
    "two_layer_forward",
    cases=[
        # Z1 = (1 - 1, 1 - 1) = (0, 0) -> A1 = (1/2, 1/2); z2 = 2/2 + 2/2 - 2 = 0 -> 1/2
        Case(
            dict(
                X=np.array([[1.0, -1.0]]),
                W1=np.array([[1.0, 1.0], [1.0, 1.0]]),
                b1=np.array([0.0, 0.0]),
                W2=np.array([[2.0], [2.0]]),
                b2=np.array([-2.0]),
            ),
            expected=np.array([[0.5]]),
            hint=N_(
                "Z1 = (1 - 1, 1 - 1) = (0, 0), so A1 = (1/2, 1/2); then z2 = 2 * 1/2 + 2 * 1/2 "
                "- 2 = 0 and the output is sigmoid(0) = 1/2."
            ),
        ),
        # W1 = identity: row 1 Z1 = (ln 3, 0) -> A1 = (3/4, 1/2), z2 = 3 - 1 - 2 = 0 -> 1/2;
        # row 2 Z1 = (0, 0) -> A1 = (1/2, 1/2), z2 = 2 - 1 - 2 = -1 -> 1 / (1 + e)
        Case(
            dict(
                X=np.array([[LN3, 0.0], [0.0, 0.0]]),
                W1=np.eye(2),
                b1=np.array([0.0, 0.0]),
                W2=np.array([[4.0], [-2.0]]),
                b2=np.array([-2.0]),
            ),
            expected=np.array([[0.5], [1 / (1 + np.e)]]),
            hint=N_(
                "Two samples, one row each: row 1 has A1 = (3/4, 1/2) and z2 = 3 - 1 - 2 = 0; "
                "row 2 has A1 = (1/2, 1/2) and z2 = -1. Output shape (2, 1)."
            ),
        ),
        # W1 = 0, so A1 = sigmoid(b1) = (1/2, 3/4, 1/2, 1/2) for every sample;
        # z2 = 4/2 - 4 * 3/4 + 0 + 0 + 1 = 0 -> 1/2 for each of the 3 samples
        Case(
            dict(
                X=np.array([[1.0, 2.0], [3.0, 4.0], [-5.0, 6.0]]),
                W1=np.zeros((2, 4)),
                b1=np.array([0.0, LN3, 0.0, 0.0]),
                W2=np.array([[4.0], [-4.0], [7.0], [-7.0]]),
                b2=np.array([1.0]),
            ),
            expected=np.array([[0.5], [0.5], [0.5]]),
            hint=N_(
                "With W1 = 0 the hidden layer outputs sigmoid(b1) = (1/2, 3/4, 1/2, 1/2) for "
                "every sample, so z2 = 2 - 3 + 3.5 - 3.5 + 1 = 0 and each output is 1/2."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("no nonlinearity between the layers"),
            "import numpy as np\ndef two_layer_forward(X, W1, b1, W2, b2):\n"
            "    return 1 / (1 + np.exp(-((X @ W1 + b1) @ W2 + b2)))\n",
            "the sigmoid goes between the layers",
            hint=N_(
                "A1 = sigmoid(X @ W1 + b1), then output = sigmoid(A1 @ W2 + b2): the sigmoid "
                "goes between the layers as well as after the last one."
            ),
        ),
        Mistake(
            N_("forgot the hidden bias"),
            "import numpy as np\ndef two_layer_forward(X, W1, b1, W2, b2):\n"
            "    A1 = 1 / (1 + np.exp(-(X @ W1)))\n"
            "    return 1 / (1 + np.exp(-(A1 @ W2 + b2)))\n",
            "Both biases count",
            hint=N_(
                "Both biases count: b1 inside the first sigmoid, A1 = sigmoid(X @ W1 + b1), "
                "and b2 inside the second."
            ),
        ),
        Mistake(
            N_("no sigmoid on the output"),
            "import numpy as np\ndef two_layer_forward(X, W1, b1, W2, b2):\n"
            "    A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
            "    return A1 @ W2 + b2\n",
            "after the output layer too",
            hint=N_(
                "The output unit is a sigmoid neuron as well: apply the sigmoid after the "
                "output layer too, sigmoid(A1 @ W2 + b2)."
            ),
        ),
    ],
)

xor_weights = Task(
    "xor_weights",
    cases=[
        Case(
            dict(),
            verify=_computes_xor,
            hint=N_(
                "XOR outputs 0, 1, 1, 0 on (0,0), (0,1), (1,0), (1,1); a 2-2-1 step network "
                "has W1 (2, 2), b1 (2,), W2 (2, 1) and b2 (1,)."
            ),
        )
    ],
    mistakes=[
        Mistake(
            N_("output unit is OR, not AND"),
            "import numpy as np\ndef xor_weights():\n"
            "    return (np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-0.5, 1.5]),\n"
            "            np.array([[1.0], [1.0]]), np.array([-0.5]))\n",
            "XOR must output [0 1 1 0]",
            hint=N_(
                "The hidden units (OR, NAND) are right, but the output unit computes OR of "
                "them: XOR = AND(OR(x1, x2), NAND(x1, x2)), so the output unit must be AND, "
                "bias -1.5."
            ),
        ),
        Mistake(
            N_("W2 as a row"),
            "import numpy as np\ndef xor_weights():\n"
            "    return (np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-0.5, 1.5]),\n"
            "            np.array([[1.0, 1.0]]), np.array([-1.5]))\n",
            "W2 must have shape (2, 1)",
            hint=N_(
                "W2 maps the 2 hidden units to 1 output: one row per hidden unit, shape "
                "(2, 1), np.array([[1.0], [1.0]])."
            ),
        ),
    ],
)

count_parameters = Task(
    "count_parameters",
    cases=[
        # 2-3-2: (2*3 + 3) + (3*2 + 2) = 9 + 8 = 17
        Case(
            dict(layer_sizes=[2, 3, 2]),
            expected=17,
            hint=N_("A 2-3-2 network has two layers: (2*3 + 3) + (3*2 + 2) = 9 + 8 = 17."),
        ),
        # one layer, 2 inputs, 1 unit: 2 weights + 1 bias = 3
        Case(
            dict(layer_sizes=[2, 1]),
            expected=3,
            hint=N_("Two sizes mean one layer, 2 inputs to 1 unit: 2 weights + 1 bias = 3."),
        ),
        # the MNIST network: 784*500 + 500 + 500*10 + 10 = 392000 + 500 + 5000 + 10 = 397510
        Case(
            dict(layer_sizes=[784, 500, 10]),
            expected=397510,
            hint=N_("The MNIST network: 784*500 + 500 + 500*10 + 10 = 397510."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("forgot the biases"),
            "def count_parameters(layer_sizes):\n"
            "    return sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:]))\n",
            "every unit has a bias too",
            hint=N_(
                "A dense layer from n_in to n_out units has n_in * n_out weights and n_out "
                "biases: every unit has a bias too."
            ),
        ),
        Mistake(
            N_("gave the inputs biases too"),
            "def count_parameters(layer_sizes):\n"
            "    return sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:])) "
            "+ sum(layer_sizes)\n",
            "The inputs have no parameters",
            hint=N_(
                "The inputs have no parameters: only the units of each layer after the first "
                "size have biases, n_out per layer."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
