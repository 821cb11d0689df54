"""The MNIST data: the IDX file format, a loader that checks what it reads, and preprocessing.

Introduced in chapter 07 ("The MNIST data"). MNIST comes as four IDX files: a tiny header that
says what the numbers are (their type and the array's shape), then the numbers themselves,
big-endian. :func:`parse_idx` turns those bytes into an array and :func:`read_idx` reads any IDX
file; :func:`load_mnist` reads the four MNIST files, verifies each one against its published
checksum and returns them exactly as ``keras.datasets.mnist.load_data()`` does, so that the
classic listings of chapter 09 read the same arrays. (Where the files are looked for, and their
download when they are nowhere, is ``nnlib.fetch``'s business.) A network wants each image as one
row of 784 numbers in [0, 1]: :func:`flatten_and_scale` does that; the labels' one-hot rows are
:func:`nnlib.labels.one_hot`'s (chapter 03).
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlib.fetch import BUNDLED_DIR, find_mnist, how_to_replace

__all__ = ["BUNDLED_DIR", "MNIST_MD5", "flatten_and_scale", "load_mnist", "parse_idx", "read_idx"]

MNIST_MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
"""The four MNIST files, in the order :func:`load_mnist` returns them, and the published MD5 of
each one's *uncompressed* bytes. The uncompressed bytes are checked because the same data is
served gzipped in different ways (the bundled copies were recompressed)."""

_GZIP_MAGIC = b"\x1f\x8b"
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_KNOWN_TYPES = ", ".join(f"0x{code:02X} {dtype.name}" for code, dtype in _IDX_DTYPES.items())
_IDX_FIX = "Check that it is an IDX file, and if it was damaged, get a fresh copy."


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzipped or not, into a numpy array of the type and shape it declares.

    An IDX file is a header and then the data. The header is four bytes, ``0 0 type ndim``
    (the *magic number*), then ``ndim`` big-endian 32-bit sizes; the data follows, big-endian,
    in C order. The type codes are 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32
    and 0x0E float64. A gzipped file is recognised by its first two bytes (``1f 8b``), not by
    its name, so a file unpacked by hand still reads under its ``.gz`` name.

    Parameters
    ----------
    path : str or path-like
        The IDX file.

    Returns
    -------
    ndarray, shape given by the header
        A fresh, writable array in the machine's byte order, e.g. ``uint8`` of shape
        ``(60000, 28, 28)`` for MNIST's training images.

    Raises
    ------
    ValueError
        If the gzip stream is corrupt, the magic number is wrong, the type code is unknown, or
        the data is shorter or longer than the header promises.
    """
    path = Path(path)
    return parse_idx(_read_bytes(path, _IDX_FIX), path, _IDX_FIX)


def _read_bytes(path: Path, fix: str) -> bytes:
    """The file's bytes, decompressed if they start with gzip's magic bytes."""
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(
            f"read_idx: {path} is a corrupt or truncated gzip file ({error}). {fix}"
        ) from error


def parse_idx(raw: bytes, path: str | os.PathLike = "<bytes>", fix: str = _IDX_FIX) -> np.ndarray:
    """The array that the bytes of an IDX file hold, after checking the header against the size.

    Parameters
    ----------
    raw : bytes
        The file's bytes, uncompressed: the magic number ``0 0 type ndim``, ``ndim`` big-endian
        32-bit sizes, then the data (see :func:`read_idx`).
    path : str or path-like
        Where the bytes come from, for error messages.
    fix : str
        What to do about a bad file, for error messages.
    """
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(
            f"read_idx: {path} is not an IDX file: it must start with two zero bytes, a type code "
            f"and the number of dimensions, but starts with {raw[:4].hex(' ') or 'nothing'}. {fix}"
        )
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_DTYPES:
        raise ValueError(
            f"read_idx: {path} has the unknown IDX type code 0x{type_code:02X} "
            f"(known: {_KNOWN_TYPES}). {fix}"
        )
    dtype = _IDX_DTYPES[type_code]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path} is truncated: its header declares {ndim} dimensions, which take "
            f"{header} bytes, but the file holds only {len(raw)}. {fix}"
        )
    shape = tuple(int(size) for size in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "too long"
        raise ValueError(
            f"read_idx: {path} is {problem}: its header declares {dtype.name} data of shape "
            f"{shape}, {expected} bytes in all, but it holds {len(raw)} bytes. {fix}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(
    directory: str | os.PathLike | None = None, *, download: bool = True, progress: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``((X_train, y_train), (X_test, y_test))``, each file checked by its MD5.

    The arrays are exactly those of ``keras.datasets.mnist.load_data()``, raw and unscaled, so
    that nothing is hidden: chapter 07 looks at them before :func:`flatten_and_scale` turns them
    into what a network eats.

    Where the files are looked for, in this order:

    1. ``directory``, if given. An explicit choice is taken at its word: if a file is missing
       there, this raises rather than quietly reading some other copy (and never downloads).
    2. The folder in the environment variable ``NNLIB_MNIST_DIR``, if set; taken at its word too.
    3. ``data/mnist/`` of the course repository, where the files ship.
    4. The user cache, ``$XDG_CACHE_HOME/nnlib/mnist`` (by default ``~/.cache/nnlib/mnist``).

    If neither 3 nor 4 holds all four files and ``download`` is true, the missing ones are
    downloaded into the cache from :data:`nnlib.fetch.MIRRORS`, each verified before it is
    (atomically) put in place; a mirror that fails or serves a damaged file is skipped with a
    warning.

    Parameters
    ----------
    directory : str or path-like, optional
        A folder holding the four files under their usual names (see :data:`MNIST_MD5`).
    download : bool, default True
        Download the files into the cache when they are found nowhere.
    progress : bool, default True
        Show a progress bar while downloading.

    Returns
    -------
    (X_train, y_train) : ndarray, shape (60000, 28, 28), uint8 and ndarray, shape (60000,), uint8
        Training images (pixels 0 = background to 255 = ink) and their digits 0-9.
    (X_test, y_test) : ndarray, shape (10000, 28, 28), uint8 and ndarray, shape (10000,), uint8
        Test images and their digits.

    Raises
    ------
    FileNotFoundError
        If the files are not where they were looked for (and could not be downloaded).
    ValueError
        If a file is truncated, corrupt, or not the MNIST file it is named after.
    ConnectionError
        If a download was needed and every mirror failed.
    """
    folder = find_mnist(
        directory, list(MNIST_MD5), download=download, progress=progress, verify=_verified_bytes
    )
    X_train, y_train, X_test, y_test = (_read_mnist_file(folder / name) for name in MNIST_MD5)
    return (X_train, y_train), (X_test, y_test)


def _read_mnist_file(path: Path) -> np.ndarray:
    fix = how_to_replace(path)
    return parse_idx(_verified_bytes(path, path.name, fix), path, fix)


def _verified_bytes(path: Path, name: str, fix: str) -> bytes:
    """The uncompressed bytes of ``path``, checked against the published MD5 of MNIST's ``name``."""
    raw = _read_bytes(path, fix)
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 != MNIST_MD5[name]:
        raise ValueError(
            f"load_mnist: {path} is not a good copy of {name}: the MD5 of its uncompressed bytes "
            f"is {md5}, expected {MNIST_MD5[name]}. {fix}"
        )
    return raw


def flatten_and_scale(images: ArrayLike, dtype: DTypeLike = np.float32) -> np.ndarray:
    """Turn raw images into rows of pixel intensities in [0, 1]: what a dense network eats.

    A dense layer sees each image as one vector, so each 28 x 28 image becomes a row of 784
    numbers. Dividing by 255 (as the classic Keras and TensorFlow listings do) keeps the weighted
    sums of the first layer small, so sigmoid units start out of saturation and one learning rate
    suits every pixel.

    Parameters
    ----------
    images : array_like of integers 0-255, shape (n_images, height, width) or (n_images, n_pixels)
        Raw pixels, e.g. ``X_train`` from :func:`load_mnist`. A single image is ``images[None]``.
        Floats are refused, because images already scaled would silently be scaled twice.
    dtype : numpy floating dtype, default float32

    Returns
    -------
    ndarray, shape (n_images, height * width)
        ``images / 255`` as ``dtype``, one image per row.
    """
    where = "flatten_and_scale"
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.integer):
        raise TypeError(
            f"{where}: images must be raw integer pixels 0-255 (as load_mnist returns them), got "
            f"dtype {images.dtype}. If they are already scaled, use "
            f"images.reshape(len(images), -1) instead."
        )
    if images.ndim < 2:
        raise ValueError(
            f"{where}: images must have shape (n_images, height, width) or (n_images, n_pixels), "
            f"got shape {images.shape}. For a single image use images[None]."
        )
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"{where}: dtype must be a floating type such as np.float32, got {dtype}.")
    if images.size and (images.min() < 0 or images.max() > 255):
        raise ValueError(
            f"{where}: pixels must lie in 0-255, got values from {images.min()} to "
            f"{images.max()}. Pass the raw images that load_mnist returns."
        )
    X = images.reshape(len(images), -1).astype(dtype)
    X /= 255
    return X
