"""Tests for nnlib.data: the IDX parser, the checked MNIST loader on the real data, and the
preprocessing (where the files are looked for and downloaded: test_fetch.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from nnlib import data
from nnlib.data import flatten_and_scale, load_mnist, read_idx

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = data.MNIST_MD5


def write(path: Path, raw: bytes, *, compress: bool = False) -> Path:
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


# ---------------------------------------------------------------- read_idx: hand-written files

# (type code, big-endian data bytes written by hand, the values they encode, the dtype)
TYPE_CASES = [
    (0x08, b"\x00\x7f\xff", [0, 127, 255], np.uint8),
    (0x09, b"\xff\x80\x7f", [-1, -128, 127], np.int8),
    (0x0B, b"\xff\xfe\x01\x2c", [-2, 300], np.int16),
    (0x0C, b"\xff\xff\xff\xff\x00\x01\x00\x00", [-1, 65536], np.int32),
    (0x0D, b"\x3f\x80\x00\x00\xc0\x20\x00\x00", [1.0, -2.5], np.float32),
    (0x0E, b"\x3f\xe0\x00\x00\x00\x00\x00\x00", [0.5], np.float64),
]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(("code", "payload", "values", "dtype"), TYPE_CASES)
def test_read_idx_every_type_code_1d(tmp_path, compress, code, payload, values, dtype):
    header = bytes([0, 0, code, 1]) + len(values).to_bytes(4, "big")
    array = read_idx(write(tmp_path / "v.idx", header + payload, compress=compress))
    assert array.dtype == np.dtype(dtype)
    assert array.dtype.isnative
    assert array.shape == (len(values),)
    assert array.tolist() == values


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_read_idx_3d_is_c_order(tmp_path, compress):
    header = b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02" + b"\x00\x00\x00\x02" + b"\x00\x00\x00\x03"
    array = read_idx(write(tmp_path / "cube.idx", header + bytes(range(12)), compress=compress))
    assert array.shape == (2, 2, 3)
    assert array[0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert array[1].tolist() == [[6, 7, 8], [9, 10, 11]]
    array[0, 0, 0] = 99  # a fresh array the caller may change, not a view of read-only bytes


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    raw = b"\x00\x00\x08\x01\x00\x00\x00\x02\x04\x05"
    assert read_idx(write(tmp_path / "unpacked.gz", raw)).tolist() == [4, 5]
    assert read_idx(write(tmp_path / "packed.idx", raw, compress=True)).tolist() == [4, 5]


def test_parse_idx_reads_bytes_as_read_idx_reads_a_file(tmp_path):
    raw = b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(range(6))
    np.testing.assert_array_equal(data.parse_idx(raw), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(read_idx(write(tmp_path / "m.idx", raw)), data.parse_idx(raw))


def test_read_idx_reads_bundled_mnist_labels():
    labels = read_idx(data.BUNDLED_DIR / TEST_LABELS)
    assert labels.shape == (10000,)
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


GOOD_HEADER = b"\x00\x00\x08\x01\x00\x00\x00\x03"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\x08\x03\x00\x00" + b"\x00" * 12, "not an IDX file"),
        (b"", "starts with nothing"),
        (b"\x00\x00\x0a\x01\x00\x00\x00\x03abc", "unknown IDX type code 0x0A"),
        (GOOD_HEADER + b"\x01\x02", "is truncated"),
        (GOOD_HEADER + b"\x01\x02\x03\x04", "is too long"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "declares 3 dimensions"),
        (b"\x00\x00\x0c\x01\x00\x00\x00\x02" + b"\x00" * 7, "int32 data of shape (2,)"),
    ],
    ids=["wrong-magic", "empty", "unknown-type", "truncated", "too-long", "short-header", "int32"],
)
def test_read_idx_rejects_a_bad_file_saying_which_what_and_how(tmp_path, raw, problem):
    path = write(tmp_path / "bad.idx", raw)
    with pytest.raises(ValueError, match="read_idx") as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert "fresh copy" in message


def test_read_idx_rejects_a_truncated_gzip_stream(tmp_path):
    packed = gzip.compress(GOOD_HEADER + b"\x01\x02\x03")
    path = write(tmp_path / "cut.gz", packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_a_corrupt_gzip_stream(tmp_path):
    packed = bytearray(gzip.compress(GOOD_HEADER + b"\x01\x02\x03"))
    packed[-5] ^= 0xFF  # damage the CRC: the data inflates but does not check out
    path = write(tmp_path / "damaged.gz", bytes(packed))
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


# ---------------------------------------------------------------- load_mnist on the real data


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(data.BUNDLED_DIR)


def test_load_mnist_matches_keras_shapes_and_dtypes(mnist):
    (X_train, y_train), (X_test, y_test) = mnist
    assert X_train.shape == (60000, 28, 28)
    assert y_train.shape == (60000,)
    assert X_test.shape == (10000, 28, 28)
    assert y_test.shape == (10000,)
    for array in (X_train, y_train, X_test, y_test):
        assert array.dtype == np.uint8


def test_load_mnist_holds_the_well_known_digits(mnist):
    (X_train, y_train), (X_test, y_test) = mnist
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    # the published number of examples of each digit
    train_counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    test_counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_train, minlength=10).tolist() == train_counts
    assert np.bincount(y_test, minlength=10).tolist() == test_counts
    assert sum(train_counts) == 60000
    assert sum(test_counts) == 10000
    assert X_train.min() == 0
    assert X_train.max() == 255
    assert X_train[0, 0].tolist() == [0] * 28  # the top row of a centred digit is background


def test_flatten_and_scale_on_mnist(mnist):
    (_, _), (X_test, _) = mnist
    X = flatten_and_scale(X_test)
    assert X.shape == (10000, 784)
    assert X.dtype == np.float32
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert X[3, 5 * 28 + 14] == np.float32(X_test[3, 5, 14]) / np.float32(255)


# ---------------------------------------------------------------- flatten_and_scale


def test_flatten_and_scale_hand_values():
    images = np.array([[[0, 255, 51], [102, 0, 0]], [[255, 255, 255], [0, 0, 17]]], np.uint8)
    X = flatten_and_scale(images)
    assert X.dtype == np.float32
    expected = [[0, 1, 0.2, 0.4, 0, 0], [1, 1, 1, 0, 0, 1 / 15]]
    np.testing.assert_array_equal(X, np.array(expected, np.float32))
    X64 = flatten_and_scale(images, dtype=np.float64)
    assert X64.dtype == np.float64
    np.testing.assert_allclose(X64, expected, rtol=1e-15)


def test_flatten_and_scale_keeps_flat_rows():
    X = flatten_and_scale(np.array([[0, 255], [51, 0]], np.int64))
    np.testing.assert_array_equal(X, np.array([[0, 1], [0.2, 0]], np.float32))


@pytest.mark.parametrize(
    ("images", "dtype", "error", "match"),
    [
        (np.zeros((2, 3), np.float32), np.float32, TypeError, "already scaled"),
        (np.zeros(784, np.uint8), np.float32, ValueError, r"images\[None\]"),
        (np.array([[0, 256]]), np.float32, ValueError, "from 0 to 256"),
        (np.array([[-1, 3]]), np.float32, ValueError, "from -1 to 3"),
        (np.zeros((2, 3), np.uint8), np.int32, TypeError, "floating"),
    ],
    ids=["float-images", "one-image", "too-bright", "negative", "int-dtype"],
)
def test_flatten_and_scale_rejects(images, dtype, error, match):
    with pytest.raises(error, match=match) as info:
        flatten_and_scale(images, dtype=dtype)
    assert "flatten_and_scale" in str(info.value)
