"""Visible checks of exercise 07, "The MNIST data".

Every expected value is worked by hand in the comments: headers written byte by byte (so that
``0xea60`` is 234 * 256 + 96 = 60000), pixels that are multiples of 51 (so that dividing by 255
gives tenths), and points placed so that their distances to the class means can be added up in
one's head.
"""

import numpy as np

from nnlib.course.i18n import N_, _
from nnlib.course.selfcheck import Case, Checker, Mistake, Task, compare

# ---- Task 1: idx_header ----

BIG_ENDIAN_HINT = N_(
    "IDX numbers are big-endian, most significant byte first: int.from_bytes(raw[0:4], 'big'), "
    "or struct.unpack('>I', raw[0:4])[0]."
)

# MNIST's training images: magic 00 00 08 03, then 60000 (00 00 ea 60), 28 (1c) and 28, then pixels
TRAIN_IMAGES_HEADER = bytes.fromhex("00000803 0000ea60 0000001c 0000001c") + bytes(8)
# MNIST's test labels: magic 00 00 08 01, then 10000 (00 00 27 10), then the first labels 7, 2, 1
TEST_LABELS_HEADER = bytes.fromhex("00000801 00002710") + bytes([7, 2, 1])
# an int32 matrix (type 0C) of 2 dimensions: 256 (00 00 01 00) rows of 3 columns, no data yet
INT32_MATRIX_HEADER = bytes.fromhex("00000c02 00000100 00000003")

idx_header = Task(
    "idx_header",
    cases=[
        # magic = 0x08 * 256 + 0x03 = 2051; 0xea60 = 234 * 256 + 96 = 60000; 0x1c = 28
        Case(
            dict(raw=TRAIN_IMAGES_HEADER),
            expected=(2051, (60000, 28, 28)),
            hint=N_(
                "MNIST's training images: magic 00 00 08 03 = 8 * 256 + 3 = 2051, then three "
                "sizes, 00 00 ea 60 = 234 * 256 + 96 = 60000, 28 and 28."
            ),
        ),
        # magic = 8 * 256 + 1 = 2049, ndim = 1; 0x2710 = 39 * 256 + 16 = 10000; the label bytes
        # after the header are data, not sizes
        Case(
            dict(raw=TEST_LABELS_HEADER),
            expected=(2049, (10000,)),
            hint=N_(
                "MNIST's test labels: magic 00 00 08 01 = 2049, whose last byte says one size "
                "follows, 00 00 27 10 = 10000; the bytes after it are labels."
            ),
        ),
        # magic = 0x0c * 256 + 2 = 3074; 00 00 01 00 = 1 * 256 = 256 rows; 3 columns
        Case(
            dict(raw=INT32_MATRIX_HEADER),
            expected=(3074, (256, 3)),
            hint=N_(
                "An int32 matrix: magic 00 00 0c 02 = 12 * 256 + 2 = 3074, then two sizes, "
                "00 00 01 00 = 256 and 3."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("little-endian read"),
            "def idx_header(raw):\n"
            "    sizes = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], 'little')\n"
            "             for i in range(raw[3])]\n"
            "    return int.from_bytes(raw[0:4], 'little'), tuple(sizes)\n",
            "IDX numbers are big-endian",
            hint=BIG_ENDIAN_HINT,
        ),
        Mistake(
            N_("always three sizes"),
            "def idx_header(raw):\n"
            "    sizes = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], 'big') for i in range(3)]\n"
            "    return int.from_bytes(raw[0:4], 'big'), tuple(sizes)\n",
            "says how many sizes follow",
            hint=N_(
                "The fourth byte, raw[3], says how many sizes follow: a labels file has one, "
                "so its header is 8 bytes, not 16."
            ),
        ),
        Mistake(
            N_("only the last byte of each size"),
            "def idx_header(raw):\n"
            "    sizes = [raw[7 + 4 * i] for i in range(raw[3])]\n"
            "    return int.from_bytes(raw[0:4], 'big'), tuple(sizes)\n",
            "00 00 01 00 is 256, not 0",
            hint=N_(
                "Each size is four bytes b0 b1 b2 b3 worth b0 * 256**3 + b1 * 256**2 + "
                "b2 * 256 + b3: 00 00 01 00 is 256, not 0."
            ),
        ),
    ],
)

# ---- Task 2: flatten_and_scale ----

SCALE_HINT = N_(
    "Divide by 255 with true division, / (51 // 255 is 0), so that the pixels lie in [0, 1]."
)


def _float32_rows(expected: np.ndarray):
    """A verify: the result must be float32 and equal ``expected`` within float32 rounding."""

    def verify(result, images) -> str | None:
        reason = compare(result, expected, rtol=1e-6, atol=1e-7)
        if reason:
            return reason
        dtype = np.asarray(result).dtype
        if dtype != np.float32:
            return _(
                "the values are right but the dtype is {dtype}: convert with "
                ".astype(np.float32), which halves the memory of float64"
            ).format(dtype=dtype)
        return None

    return verify


flatten_and_scale = Task(
    "flatten_and_scale",
    cases=[
        # one 2 x 2 image: (0, 255, 51, 102) / 255 = (0, 1, 0.2, 0.4), as one row
        Case(
            dict(images=np.array([[[0, 255], [51, 102]]], dtype=np.uint8)),
            verify=_float32_rows(np.array([[0.0, 1.0, 0.2, 0.4]])),
            hint=N_(
                "One 2 x 2 image becomes one row of float32 pixels in [0, 1]: "
                "(0, 255, 51, 102) / 255 = (0, 1, 0.2, 0.4)."
            ),
        ),
        # two 2 x 3 images, each flattened row after row (pixel (r, c) to column 3 r + c):
        # (0, 51, 102, 153, 204, 255) / 255 = (0, 0.2, 0.4, 0.6, 0.8, 1); 17 / 255 = 1 / 15
        Case(
            dict(
                images=np.array(
                    [[[0, 51, 102], [153, 204, 255]], [[255, 0, 0], [0, 0, 17]]], dtype=np.uint8
                )
            ),
            verify=_float32_rows(
                np.array([[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [1.0, 0.0, 0.0, 0.0, 0.0, 1 / 15]])
            ),
            hint=N_(
                "Two 2 x 3 images become two rows of 6, each image's rows laid end to end: "
                "(0, 51, 102, 153, 204, 255) / 255 = (0, 0.2, 0.4, 0.6, 0.8, 1), and "
                "17 / 255 = 1/15."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("forgot to divide by 255"),
            "import numpy as np\ndef flatten_and_scale(images):\n"
            "    return images.reshape(len(images), -1).astype(np.float32)\n",
            "so that the pixels lie in [0, 1]",
            hint=SCALE_HINT,
        ),
        Mistake(
            N_("integer division"),
            "import numpy as np\ndef flatten_and_scale(images):\n"
            "    return (images.reshape(len(images), -1) // 255).astype(np.float32)\n",
            "51 // 255 is 0",
            hint=SCALE_HINT,
        ),
        Mistake(
            N_("left as float64"),
            "def flatten_and_scale(images):\n    return images.reshape(len(images), -1) / 255\n",
            ".astype(np.float32)",
            hint=N_(
                "The values are right, in float64: convert with .astype(np.float32), which "
                "halves the memory."
            ),
        ),
        Mistake(
            N_("flattened column after column"),
            "import numpy as np\ndef flatten_and_scale(images):\n"
            "    columns = images.transpose(0, 2, 1)\n"
            "    return columns.reshape(len(images), -1).astype(np.float32) / 255\n",
            "the image's rows laid end to end",
            hint=N_(
                "One row per image, the image's rows laid end to end: "
                "images.reshape(len(images), -1), without transposing."
            ),
        ),
    ],
)

# ---- Task 3: one_hot ----

one_hot = Task(
    "one_hot",
    cases=[
        # 5 -> a 1 in column 5, 0 -> column 0, 4 -> column 4, of 10
        Case(
            dict(y=np.array([5, 0, 4]), n_classes=10),
            expected=np.array(
                [
                    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
                    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                    [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
                ]
            ),
            hint=N_(
                "Labels 5, 0, 4 of 10 classes: three rows of 10, with a 1 in columns 5, 0 and 4."
            ),
        ),
        # no label 2 in y, but 3 classes: column 2 stays all zeros
        Case(
            dict(y=np.array([1, 0, 1]), n_classes=3),
            expected=np.array([[0, 1, 0], [1, 0, 0], [0, 1, 0]]),
            hint=N_(
                "Labels 1, 0, 1 of 3 classes: three rows of 3 columns (column 2 stays all "
                "zeros), with a 1 in columns 1, 0 and 1."
            ),
        ),
        # the first and the last class: 0 -> column 0, 9 -> column 9
        Case(
            dict(y=np.array([0, 9]), n_classes=10),
            expected=np.array([[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]),
            hint=N_("Labels 0 and 9 of 10 classes: a 1 in column 0, then in column 9."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("classes counted from the labels"),
            "import numpy as np\ndef one_hot(y, n_classes):\n    return np.eye(y.max() + 1)[y]\n",
            "even when the largest class is missing",
            hint=N_(
                "Make n_classes columns, even when the largest class is missing from y: "
                "np.eye(n_classes)[y]."
            ),
        ),
        Mistake(
            N_("classes shifted by one"),
            "import numpy as np\ndef one_hot(y, n_classes):\n    return np.eye(n_classes)[y - 1]\n",
            "no shift by one",
            hint=N_(
                "Digit 0 is column 0 and digit 9 column 9: no shift by one, np.eye(n_classes)[y]."
            ),
        ),
    ],
)

# ---- Task 4: class_means ----

class_means = Task(
    "class_means",
    cases=[
        # class 0: rows 0, 1, 3 -> ((1 + 3 + 5) / 3, (2 + 4 + 6) / 3) = (3, 4); class 1: row 2
        Case(
            dict(
                X=np.array([[1.0, 2.0], [3.0, 4.0], [10.0, 0.0], [5.0, 6.0]]),
                y=np.array([0, 0, 1, 0]),
                n_classes=2,
            ),
            expected=np.array([[3.0, 4.0], [10.0, 0.0]]),
            hint=N_(
                "Class 0 has the rows (1, 2), (3, 4), (5, 6), whose mean is (3, 4); class 1 "
                "has the row (10, 0) alone."
            ),
        ),
        # class 0: row 1 = (2, 2, 2); class 1: row 3 = (6, 6, 6);
        # class 2: rows 0 and 2 -> ((0 + 4) / 2, 0, (3 + 1) / 2) = (2, 0, 2)
        Case(
            dict(
                X=np.array([[0.0, 0.0, 3.0], [2.0, 2.0, 2.0], [4.0, 0.0, 1.0], [6.0, 6.0, 6.0]]),
                y=np.array([2, 0, 2, 1]),
                n_classes=3,
            ),
            expected=np.array([[2.0, 2.0, 2.0], [6.0, 6.0, 6.0], [2.0, 0.0, 2.0]]),
            hint=N_(
                "Class 0 is (2, 2, 2), class 1 is (6, 6, 6), class 2 the mean of (0, 0, 3) and "
                "(4, 0, 1), (2, 0, 2): one row per class, shape (3, 3)."
            ),
        ),
    ],
    mistakes=[
        Mistake(
            N_("sums instead of means"),
            "import numpy as np\ndef class_means(X, y, n_classes):\n"
            "    return np.array([X[y == d].sum(axis=0) for d in range(n_classes)])\n",
            "the mean (not the sum)",
            hint=N_(
                "Row d is the mean (not the sum) of the rows of X whose label is d: "
                "X[y == d].mean(axis=0)."
            ),
        ),
        Mistake(
            N_("averaged over the features"),
            "import numpy as np\ndef class_means(X, y, n_classes):\n"
            "    return np.array([X[y == d].mean() for d in range(n_classes)])\n",
            "not the features",
            hint=N_(
                "Average over the samples (axis 0), not the features: each class mean is a "
                "row of n_features numbers."
            ),
        ),
    ],
)

# ---- Task 5: nearest_mean ----

# three class means at the origin and 10 along each axis
CORNERS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])

nearest_mean = Task(
    "nearest_mean",
    cases=[
        # squared distances to (0, 0), (10, 0), (0, 10):
        # (1, 1): 2, 82, 82 -> 0;  (9, -1): 82, 2, 202 -> 1;  (2, 7): 53, 113, 13 -> 2;
        # (6, 5): 61, 41, 61 -> 1
        Case(
            dict(
                X=np.array([[1.0, 1.0], [9.0, -1.0], [2.0, 7.0], [6.0, 5.0]]),
                means=CORNERS,
            ),
            expected=np.array([0, 1, 2, 1]),
            hint=N_(
                "Squared distances from (1, 1), (9, -1), (2, 7), (6, 5) to the means (0, 0), "
                "(10, 0), (0, 10): the smallest are 2, 2, 13 and 41, for classes 0, 1, 2, 1."
            ),
        ),
        # (2, 2) is at squared distance 2 from (1, 1) and 18 from (5, 5), so class 0, although
        # its dot product with (5, 5) is larger (20 against 4); (4, 4): 18 and 2 -> class 1
        Case(
            dict(X=np.array([[2.0, 2.0], [4.0, 4.0]]), means=np.array([[1.0, 1.0], [5.0, 5.0]])),
            expected=np.array([0, 1]),
            hint=N_(
                "(2, 2) is at squared distance 2 from (1, 1) and 18 from (5, 5): class 0; "
                "(4, 4) is at 18 and 2: class 1."
            ),
        ),
        # one sample (0, 9): squared distances 81, 181, 1 -> class 2
        Case(
            dict(X=np.array([[0.0, 9.0]]), means=CORNERS),
            expected=np.array([2]),
            hint=N_("One sample (0, 9), at squared distances 81, 181 and 1: class 2, shape (1,)."),
        ),
    ],
    mistakes=[
        Mistake(
            N_("farthest mean"),
            "import numpy as np\ndef nearest_mean(X, means):\n"
            "    distances = ((X[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)\n"
            "    return np.argmax(distances, axis=1)\n",
            "argmin over axis 1",
            hint=N_("The nearest mean has the smallest distance: argmin over axis 1, not argmax."),
        ),
        Mistake(
            N_("largest dot product"),
            "import numpy as np\ndef nearest_mean(X, means):\n"
            "    return np.argmax(X @ means.T, axis=1)\n",
            "not largest dot product",
            hint=N_(
                "Closest means smallest distance, not largest dot product: a mean with more "
                "ink has a larger dot product with every image."
            ),
        ),
        Mistake(
            N_("argmin over the samples"),
            "import numpy as np\ndef nearest_mean(X, means):\n"
            "    distances = ((X[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)\n"
            "    return np.argmin(distances, axis=0)\n",
            "one class per row of X",
            hint=N_(
                "The distances have shape (n_samples, n_classes): take the argmin over axis 1, "
                "one class per row of X."
            ),
        ),
    ],
)

check = Checker.of_module(__name__)
