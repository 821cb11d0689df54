"""Visible checks of exercise 06, "Training a network".

Two kinds of truth, neither a reference implementation of a task: update rules checked against
steps worked by hand (the arithmetic is in the comments, with numbers chosen to keep it short), and
random outputs (a shuffled epoch, random weights) checked by the properties that define them.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, describe

# ---- Task 1: minibatches ----

BATCH_HINT = N_(
    "Draw one permutation of the row numbers, order = np.random.default_rng(seed)"
    ".permutation(len(X)), and slice it into pieces of batch_size; the last batch holds the "
    "len(X) % batch_size samples left over."
)


def _numbered(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples that carry their own row number: X[i] = (i, -i) and y[i] = 10 * i + 5."""
    i = np.arange(n, dtype=float)
    return np.c_[i, -i], 10 * np.arange(n) + 5


def _one_epoch(result, X, y, batch_size, seed) -> str | None:
    """A shuffled epoch: every sample once, labels with their samples, the right batch sizes."""
    try:
        batches = [(np.asarray(Xb), np.asarray(yb)) for Xb, yb in result]
    except (TypeError, ValueError):
        return _("expected a list of (X_batch, y_batch) pairs, got {got}").format(
            got=describe(result)
        )
    n = len(X)
    sizes = [len(Xb) for Xb, yb in batches]
    want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != want:
        return _(
            "{n} samples in batches of {batch_size} should give batches of sizes {want}, "
            "got sizes {sizes}"
        ).format(n=n, batch_size=batch_size, want=want, sizes=sizes)
    for Xb, yb in batches:
        if Xb.shape != (len(Xb), X.shape[1]) or yb.shape != (len(Xb),):
            return _(
                "each X_batch must have shape (batch, {columns}) and each y_batch shape "
                "(batch,), got {X_shape} and {y_shape}"
            ).format(columns=X.shape[1], X_shape=Xb.shape, y_shape=yb.shape)
    rows = np.concatenate([Xb[:, 0] for Xb, yb in batches]).astype(int)
    if sorted(rows.tolist()) != list(range(n)):
        return _(
            "an epoch must use every sample exactly once, but the rows used were "
            "{rows}; take a permutation, not random draws"
        ).format(rows=rows.tolist())
    labels = np.concatenate([yb for Xb, yb in batches])
    if not np.array_equal(labels, y[rows]):
        return _(
            "the labels no longer match their samples: shuffle X and y with the same "
            "permutation, X[order] and y[order]"
        )
    if n > 1 and np.array_equal(rows, np.arange(n)):
        return _("the batches come in the original order: the samples were not shuffled")
    return None


minibatches = Task(
    "minibatches",
    cases=[
        # 10 samples, batches of 4: sizes 4, 4 and the 2 left over
        Case(
            dict(zip(("X", "y"), _numbered(10), strict=True), batch_size=4, seed=0),
            verify=_one_epoch,
            hint=N_(
                "One epoch: every sample exactly once, in a shuffled order, each label beside its "
                "sample, in batches of batch_size: 10 samples in batches of 4 give batches of 4, "
                "4 and the 2 left over."
            ),
        ),
        # 12 samples, batches of 4: exactly 3 full batches and no empty fourth one
        Case(
            dict(zip(("X", "y"), _numbered(12), strict=True), batch_size=4, seed=1),
            verify=_one_epoch,
            hint=N_(
                "One epoch: every sample exactly once, in a shuffled order, each label beside its "
                "sample, in batches of batch_size: 12 samples in batches of 4 give exactly 3 full "
                "batches."
            ),
        ),
        # 7 samples, batches of 10: a single batch of all 7
        Case(
            dict(zip(("X", "y"), _numbered(7), strict=True), batch_size=10, seed=2),
            verify=_one_epoch,
            hint=N_(
                "One epoch: every sample exactly once, in a shuffled order, each label beside its "
                "sample, in batches of batch_size: 7 samples in batches of 10 give one batch of "
                "all 7."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("y not shuffled with X"),
            "import numpy as np\ndef minibatches(X, y, batch_size, seed):\n"
            "    order = np.random.default_rng(seed).permutation(len(X))\n"
            "    return [(X[order][i:i + batch_size], y[i:i + batch_size])\n"
            "            for i in range(0, len(X), batch_size)]\n",
            "the labels no longer match their samples",
            hint=N_(
                "Shuffle X and y with the same permutation, X[order] and y[order], so that each "
                "label stays with its sample."
            ),
        ),
        Mistake(
            N_("last partial batch dropped"),
            "import numpy as np\ndef minibatches(X, y, batch_size, seed):\n"
            "    order = np.random.default_rng(seed).permutation(len(X))\n"
            "    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])\n"
            "            for i in range(0, len(X) - batch_size + 1, batch_size)]\n",
            "the last batch holds the len(X) % batch_size samples left over",
            hint=BATCH_HINT,
        ),
        Mistake(
            N_("not shuffled"),
            "def minibatches(X, y, batch_size, seed):\n"
            "    return [(X[i:i + batch_size], y[i:i + batch_size])\n"
            "            for i in range(0, len(X), batch_size)]\n",
            "the samples were not shuffled",
            hint=N_(
                "An epoch visits the samples in a new random order: the samples were not "
                "shuffled. Draw one permutation of the row numbers, order = "
                "np.random.default_rng(seed).permutation(len(X)), and slice it into pieces of "
                "batch_size; the last batch holds the len(X) % batch_size samples left over."
            ),
        ),
    ],
)

# ---- Task 2: momentum_step ----

momentum_step = Task(
    "momentum_step",
    cases=[
        # step 1 from rest: v = 0.9 * 0 - 0.1 * (0.5, -1) = (-0.05, 0.1); w = (1 - 0.05, -2 + 0.1)
        Case(
            dict(
                w=np.array([1.0, -2.0]),
                v=np.zeros(2),
                grad=np.array([0.5, -1.0]),
                learning_rate=0.1,
                momentum=0.9,
            ),
            expected=(np.array([0.95, -1.9]), np.array([-0.05, 0.1])),
            hint=N_(
                "From rest: v = 0.9 * 0 - 0.1 * (0.5, -1) = (-0.05, 0.1), then "
                "w = (1, -2) + v = (0.95, -1.9); return (w, v)."
            ),
        ),
        # step 2, the second gradient's sign flipped:
        # v = 0.9 * (-0.05) - 0.1 * 0.5 = -0.095 and 0.9 * 0.1 - 0.1 * 1 = -0.01
        # w = (0.95 - 0.095, -1.9 - 0.01) = (0.855, -1.91)
        Case(
            dict(
                w=np.array([0.95, -1.9]),
                v=np.array([-0.05, 0.1]),
                grad=np.array([0.5, 1.0]),
                learning_rate=0.1,
                momentum=0.9,
            ),
            expected=(np.array([0.855, -1.91]), np.array([-0.095, -0.01])),
            hint=N_(
                "Step 2: v = 0.9 * (-0.05, 0.1) - 0.1 * (0.5, 1) = (-0.095, -0.01), then "
                "w = (0.95, -1.9) + v = (0.855, -1.91)."
            ),
        ),
        # momentum 0 is plain SGD, on a matrix: v = -0.5 * grad, w + v
        Case(
            dict(
                w=np.array([[1.0, 2.0], [3.0, 4.0]]),
                v=np.zeros((2, 2)),
                grad=np.array([[1.0, 0.0], [0.0, -1.0]]),
                learning_rate=0.5,
                momentum=0.0,
            ),
            expected=(np.array([[0.5, 2.0], [3.0, 4.5]]), np.array([[-0.5, 0.0], [0.0, 0.5]])),
            hint=N_(
                "Momentum 0 on a (2, 2) array: v = -0.5 * grad and w + v, plain SGD, in the "
                "shape of w."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("momentum sign error"),
            "def momentum_step(w, v, grad, learning_rate, momentum):\n"
            "    v = momentum * v + learning_rate * grad\n"
            "    return w + v, v\n",
            "the step goes against the gradient",
            hint=N_("v = momentum * v - learning_rate * grad: the step goes against the gradient."),
        ),
        Mistake(
            N_("old velocity not decayed"),
            "def momentum_step(w, v, grad, learning_rate, momentum):\n"
            "    v = v - learning_rate * grad\n"
            "    return w + v, v\n",
            "The old velocity is multiplied by momentum",
            hint=N_(
                "The old velocity is multiplied by momentum before the new gradient is "
                "subtracted: v = momentum * v - learning_rate * grad."
            ),
        ),
        Mistake(
            N_("w moved by the old velocity"),
            "def momentum_step(w, v, grad, learning_rate, momentum):\n"
            "    return w + v, momentum * v - learning_rate * grad\n",
            "w moves by the new velocity",
            hint=N_("Update v first, then w moves by the new velocity: w + new_v, not w + v."),
        ),
    ],
)

# ---- Task 3: adam_step ----

ADAM_BIAS_HINT = N_(
    "Correct the bias of both averages: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t). "
    "At t = 1 they are exactly grad and grad**2, so the first step is learning_rate * sign(grad)."
)

adam_step = Task(
    "adam_step",
    cases=[
        # t = 1 from m = v = 0, grad = (4, -0.001):
        # m = 0.1 * grad = (0.4, -0.0001), v = 0.001 * grad**2 = (0.016, 1e-9)
        # m_hat = m / 0.1 = (4, -0.001), v_hat = v / 0.001 = (16, 1e-6), sqrt(v_hat) = (4, 0.001)
        # w = w - 0.01 * (4 / 4, -0.001 / 0.001) = (1 - 0.01, 1 + 0.01); eps moves the 7th digit
        Case(
            dict(
                w=np.array([1.0, 1.0]),
                m=np.zeros(2),
                v=np.zeros(2),
                grad=np.array([4.0, -0.001]),
                t=1,
                learning_rate=0.01,
                beta1=0.9,
                beta2=0.999,
                eps=1e-8,
            ),
            expected=(np.array([0.99, 1.01]), np.array([0.4, -0.0001]), np.array([0.016, 1e-9])),
            hint=N_(
                "t = 1: m = 0.1 * grad = (0.4, -0.0001), v = 0.001 * grad**2 = (0.016, 1e-9); "
                "m_hat = (4, -0.001), v_hat = (16, 1e-6), so w moves by "
                "-0.01 * (4/4, -0.001/0.001) to (0.99, 1.01). Return (w, m, v)."
            ),
        ),
        # t = 2, continuing with grad = (4, +0.001):
        # m = 0.9 * (0.4, -0.0001) + 0.1 * (4, 0.001) = (0.76, 0.00001)
        # v = 0.999 * (0.016, 1e-9) + 0.001 * (16, 1e-6) = (0.031984, 1.999e-9)
        # m_hat = m / (1 - 0.81) = (4, 0.00001 / 0.19), v_hat = v / (1 - 0.998001) = (16, 1e-6)
        # w = (0.99 - 0.01 * 4 / 4, 1.01 - 0.01 * (0.00001 / 0.19) / 0.001) = (0.98, 1.01 - 0.01/19)
        Case(
            dict(
                w=np.array([0.99, 1.01]),
                m=np.array([0.4, -0.0001]),
                v=np.array([0.016, 1e-9]),
                grad=np.array([4.0, 0.001]),
                t=2,
                learning_rate=0.01,
                beta1=0.9,
                beta2=0.999,
                eps=1e-8,
            ),
            expected=(
                np.array([0.98, 1.01 - 0.01 / 19]),
                np.array([0.76, 0.00001]),
                np.array([0.031984, 1.999e-9]),
            ),
            hint=N_(
                "t = 2: m = (0.76, 0.00001), v = (0.031984, 1.999e-9); m_hat = m / 0.19, "
                "v_hat = v / 0.001999 = (16, 1e-6), so w = (0.99 - 0.01, 1.01 - 0.01 / 19)."
            ),
        ),
        # other betas, t = 1: m = (1 - 0.8) * (-2) = -0.4, v = (1 - 0.75) * 4 = 1
        # m_hat = -0.4 / 0.2 = -2, v_hat = 1 / 0.25 = 4, w = 0 - 0.1 * (-2) / 2 = 0.1
        Case(
            dict(
                w=np.array([0.0]),
                m=np.zeros(1),
                v=np.zeros(1),
                grad=np.array([-2.0]),
                t=1,
                learning_rate=0.1,
                beta1=0.8,
                beta2=0.75,
                eps=1e-8,
            ),
            expected=(np.array([0.1]), np.array([-0.4]), np.array([1.0])),
            hint=N_(
                "beta1 = 0.8, beta2 = 0.75, t = 1: m = 0.2 * (-2) = -0.4, v = 0.25 * 4 = 1; "
                "m_hat = -2, v_hat = 4, w = 0 - 0.1 * (-2) / 2 = 0.1."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("no bias correction"),
            "import numpy as np\n"
            "def adam_step(w, m, v, grad, t, learning_rate, beta1, beta2, eps):\n"
            "    m = beta1 * m + (1 - beta1) * grad\n"
            "    v = beta2 * v + (1 - beta2) * grad**2\n"
            "    return w - learning_rate * m / (np.sqrt(v) + eps), m, v\n",
            "Correct the bias of both averages",
            hint=ADAM_BIAS_HINT,
        ),
        Mistake(
            N_("no square root"),
            "def adam_step(w, m, v, grad, t, learning_rate, beta1, beta2, eps):\n"
            "    m = beta1 * m + (1 - beta1) * grad\n"
            "    v = beta2 * v + (1 - beta2) * grad**2\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return w - learning_rate * m_hat / (v_hat + eps), m, v\n",
            "square root of v_hat",
            hint=N_(
                "Divide m_hat by the square root of v_hat, plus eps: "
                "w - learning_rate * m_hat / (np.sqrt(v_hat) + eps)."
            ),
        ),
        Mistake(
            N_("betas weigh the wrong terms"),
            "import numpy as np\n"
            "def adam_step(w, m, v, grad, t, learning_rate, beta1, beta2, eps):\n"
            "    m = (1 - beta1) * m + beta1 * grad\n"
            "    v = (1 - beta2) * v + beta2 * grad**2\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return w - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v\n",
            "m keeps beta1 of its old value",
            hint=N_(
                "m keeps beta1 of its old value and takes (1 - beta1) of the gradient; v the "
                "same with beta2 and grad**2."
            ),
        ),
    ],
)

# ---- Task 4: glorot_uniform ----


def _glorot_uniform_law(result, n_in, n_out, seed) -> str | None:
    """Uniform on [-L, L] with L = sqrt(6 / (n_in + n_out)): bounds, spread and variance L**2/3."""
    limit = np.sqrt(6 / (n_in + n_out))
    try:
        W = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return _("expected an array of shape ({n_in}, {n_out}), got {got}").format(
            n_in=n_in, n_out=n_out, got=describe(result)
        )
    if W.shape != (n_in, n_out):
        return _("W must have shape (n_in, n_out) = ({n_in}, {n_out}), got shape {shape}").format(
            n_in=n_in, n_out=n_out, shape=W.shape
        )
    if not np.isfinite(W).all():
        return _("W contains NaN or infinite values")
    largest = np.abs(W).max()
    if largest > limit * (1 + 1e-6):
        return _(
            "|W| reaches {largest:.4g}, beyond the limit sqrt(6 / (n_in + n_out)) = "
            "{limit:.4g}: a uniform draw on [-limit, limit] never leaves it"
        ).format(largest=largest, limit=limit)
    n = W.size
    if n < 1000:  # too few numbers to judge their spread; the bounds above still hold
        return None
    # The variance of n uniform draws is L**2/3 up to a relative error of about sqrt(0.8 / n)
    # (the fourth moment of a uniform law is 9/5 of the squared variance); allow six of those.
    variance, want = W.var(), limit**2 / 3
    if abs(variance / want - 1) > 6 * np.sqrt(0.8 / n):
        return _(
            "the variance of W is {variance:.4g}, but a uniform law on [-L, L] with "
            "L = sqrt(6 / (n_in + n_out)) = {limit:.4g} has variance L**2 / 3 = {want:.4g}"
        ).format(variance=variance, limit=limit, want=want)
    if largest < 0.99 * limit:
        return _(
            "|W| stays below {largest:.4g}: draw from the whole range [-{limit:.4g}, {limit:.4g}]"
        ).format(largest=largest, limit=limit)
    return None


glorot_uniform = Task(
    "glorot_uniform",
    cases=[
        # L = sqrt(6 / 1284) = 0.06836, variance L**2 / 3 = 2 / 1284 = 0.001558
        Case(
            dict(n_in=784, n_out=500, seed=0),
            verify=_glorot_uniform_law,
            hint=N_(
                "784 inputs, 500 units: shape (784, 500), uniform on [-L, L] with "
                "L = sqrt(6 / 1284) = 0.06836, so the variance is L**2 / 3 = 0.001558."
            ),
        ),
        # L = sqrt(6 / 150) = sqrt(0.04) = 0.2
        Case(
            dict(n_in=100, n_out=50, seed=1),
            verify=_glorot_uniform_law,
            hint=N_(
                "100 inputs, 50 units: shape (100, 50), uniform on [-0.2, 0.2], since "
                "sqrt(6 / 150) = 0.2."
            ),
        ),
        # L = sqrt(6 / (2 + 4)) = 1: every weight in [-1, 1]
        Case(
            dict(n_in=2, n_out=4, seed=2),
            verify=_glorot_uniform_law,
            hint=N_(
                "2 inputs, 4 units: shape (2, 4), every weight in [-1, 1], since "
                "sqrt(6 / (2 + 4)) = 1."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("He's limit, sqrt(6 / n_in)"),
            "import numpy as np\ndef glorot_uniform(n_in, n_out, seed):\n"
            "    limit = np.sqrt(6 / n_in)\n"
            "    return np.random.default_rng(seed).uniform(-limit, limit, (n_in, n_out))\n",
            "beyond the limit",
            hint=N_(
                "That is He's limit, sqrt(6 / n_in): Glorot's uses both sizes, "
                "sqrt(6 / (n_in + n_out))."
            ),
        ),
        Mistake(
            N_("the standard deviation used as the limit"),
            "import numpy as np\ndef glorot_uniform(n_in, n_out, seed):\n"
            "    limit = np.sqrt(2 / (n_in + n_out))\n"
            "    return np.random.default_rng(seed).uniform(-limit, limit, (n_in, n_out))\n",
            "has variance L**2 / 3",
            hint=N_(
                "sqrt(2 / (n_in + n_out)) is the standard deviation Glorot wants; a uniform "
                "law on [-L, L] has variance L**2 / 3, so its limit is "
                "L = sqrt(6 / (n_in + n_out))."
            ),
        ),
        Mistake(
            N_("transposed shape"),
            "import numpy as np\ndef glorot_uniform(n_in, n_out, seed):\n"
            "    limit = np.sqrt(6 / (n_in + n_out))\n"
            "    return np.random.default_rng(seed).uniform(-limit, limit, (n_out, n_in))\n",
            "W must have shape (n_in, n_out)",
            hint=N_(
                "One row per input, one column per unit: W must have shape (n_in, n_out), so "
                "that X @ W works."
            ),
        ),
    ],
)

# ---- Task 5: accuracy_from_logits ----

accuracy_from_logits = Task(
    "accuracy_from_logits",
    cases=[
        # predicted classes (argmax of each row): (1, 0, 0, 1); true (1, 0, 1, 1): 3 of 4 right
        Case(
            dict(
                logits=np.array([[0.1, 2.0], [3.0, -1.0], [0.5, 0.4], [-2.0, -1.0]]),
                y=np.array([1, 0, 1, 1]),
            ),
            expected=0.75,
            hint=N_(
                "The largest logit of each row is in columns (1, 0, 0, 1); the true classes "
                "are (1, 0, 1, 1): 3 of 4 right, 0.75."
            ),
        ),
        # rows' argmax (0, 0, 1, 2, 2) against (0, 2, 1, 2, 0): right, wrong, right, right,
        # wrong: 3 / 5
        Case(
            dict(
                logits=np.array(
                    [
                        [5.0, 1.0, 0.0],
                        [4.0, 0.0, 1.0],
                        [0.0, 2.0, 1.0],
                        [1.0, 1.0, 3.0],
                        [2.0, 0.0, 3.0],
                    ]
                ),
                y=np.array([0, 2, 1, 2, 0]),
            ),
            expected=0.6,
            hint=N_(
                "The rows' largest logits are in columns (0, 0, 1, 2, 2) against the true "
                "(0, 2, 1, 2, 0): 3 of 5 right, 0.6."
            ),
        ),
        # one sample, negative logits: the largest is -0.5, class 1, which is right
        Case(
            dict(logits=np.array([[-1.0, -0.5, -3.0]]), y=np.array([1])),
            expected=1.0,
            hint=N_(
                "One sample with negative logits: the largest is -0.5, class 1, which is "
                "right: 1.0."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("argmax over the wrong axis"),
            "import numpy as np\ndef accuracy_from_logits(logits, y):\n"
            "    return float(np.mean(np.argmax(logits, axis=0) == y))\n",
            "np.argmax(logits, axis=1), one per row",
            hint=N_(
                "The predicted class of a sample is the column of its largest logit: "
                "np.argmax(logits, axis=1), one per row."
            ),
        ),
        Mistake(
            N_("a count, not a fraction"),
            "import numpy as np\ndef accuracy_from_logits(logits, y):\n"
            "    return int(np.sum(np.argmax(logits, axis=1) == y))\n",
            "not their count",
            hint=N_(
                "Return the fraction of samples that are right, a number between 0 and 1, "
                "not their count."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
