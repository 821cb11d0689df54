"""The MNIST data: the IDX file format, a loader that checks what it reads, and preprocessing.

Introduced in chapter 07 ("The MNIST data"). MNIST comes as four IDX files: a tiny header that
says what the numbers are (their type and the array's shape), then the numbers themselves,
big-endian. :func:`read_idx` parses any IDX file; :func:`load_mnist` finds the four MNIST files
(bundled with the course, or downloaded once into a cache), verifies each one against its
published checksum and returns them exactly as ``keras.datasets.mnist.load_data()`` does, so that
the classic listings of chapter 09 read the same arrays. A network wants each image as one row of
784 numbers in [0, 1] and each label as a one-hot row: :func:`flatten_and_scale` does the first,
and :func:`~nnlib.labels.one_hot` (chapter 03) is re-exported here for the second, with
:func:`~nnlib.training.minibatches` (chapter 06) to cut the data into batches.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import tempfile
import urllib.request
import warnings
import zlib
from pathlib import Path

import numpy as np
from tqdm import tqdm

from nnlib import __version__
from nnlib.labels import one_hot
from nnlib.training import minibatches

__all__ = [
    "MIRRORS",
    "MNIST_MD5",
    "flatten_and_scale",
    "load_mnist",
    "minibatches",
    "one_hot",
    "read_idx",
]

MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Public mirrors of the original MNIST files, tried in order by :func:`load_mnist`."""

MNIST_MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
"""The four MNIST files, in the order :func:`load_mnist` returns them, and the published MD5 of
each one's *uncompressed* bytes. The uncompressed bytes are checked because the same data is
served gzipped in different ways (the bundled copies were recompressed)."""

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "data" / "mnist"
ENV_VAR = "NNLIB_MNIST_DIR"
TIMEOUT = 30.0  # seconds a mirror may stay silent before it counts as failed

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
    return _parse_idx(_read_bytes(path, _IDX_FIX), path, _IDX_FIX)


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


def _parse_idx(raw: bytes, path: Path, fix: str) -> np.ndarray:
    """Check the IDX header against the data's size, then view the data as an array."""
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
    downloaded into the cache from :data:`MIRRORS`, each verified before it is (atomically) put
    in place; a mirror that fails or serves a damaged file is skipped with a warning.

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
    folder = _find_mnist(directory, download=download, progress=progress)
    X_train, y_train, X_test, y_test = (_read_mnist_file(folder / name) for name in MNIST_MD5)
    return (X_train, y_train), (X_test, y_test)


def _read_mnist_file(path: Path) -> np.ndarray:
    fix = _mnist_fix(path)
    return _parse_idx(_verified_bytes(path, path.name, fix), path, fix)


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


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nnlib" / "mnist"


def _mnist_fix(path: Path) -> str:
    """How to replace a damaged MNIST file, which depends on where it lives."""
    if path.parent == BUNDLED_DIR:
        return (
            f"Restore it with `git checkout -- data/mnist/{path.name}` in the course repository, "
            f"or delete it and load_mnist() will download a fresh copy into {_cache_dir()}."
        )
    if path.parent == _cache_dir():
        return "Delete it and run load_mnist() again to download a fresh copy."
    return (
        "Replace it with a good copy: the course repository ships one in data/mnist/ "
        "(its README also lists mirrors to download it from)."
    )


def _missing(folder: Path) -> list[str]:
    return [name for name in MNIST_MD5 if not (folder / name).is_file()]


def _find_mnist(directory, *, download: bool, progress: bool) -> Path:
    """The folder to read the four files from, downloading them into the cache if allowed."""
    names = ", ".join(MNIST_MD5)
    chosen = directory if directory is not None else os.environ.get(ENV_VAR) or None
    if chosen is not None:
        folder = Path(chosen).expanduser()
        missing = _missing(folder)
        if missing:
            source = (
                "directory argument" if directory is not None else f"environment variable {ENV_VAR}"
            )
            other = (
                "call load_mnist() without a directory"
                if directory is not None
                else f"unset {ENV_VAR}"
            )
            state = "does not exist" if not folder.is_dir() else f"lacks {', '.join(missing)}"
            raise FileNotFoundError(
                f"load_mnist: {folder} (from the {source}) {state}. Copy the four MNIST files "
                f"({names}) there from the course repository's data/mnist/, or {other} to use "
                f"the bundled copy or download one into {_cache_dir()}."
            )
        return folder
    cache = _cache_dir()
    for folder in (BUNDLED_DIR, cache):
        if not _missing(folder):
            return folder
    if not download:
        raise FileNotFoundError(
            f"load_mnist: the MNIST files are in neither {BUNDLED_DIR} nor {cache}, and "
            f"download=False. Call load_mnist(download=True) to download them into {cache}, or "
            f"copy the four files ({names}) into a folder and pass it as load_mnist(directory) "
            f"or set {ENV_VAR}."
        )
    cache.mkdir(parents=True, exist_ok=True)
    for name in _missing(cache):
        _download(name, cache, progress)
    return cache


def _download(name: str, folder: Path, progress: bool) -> None:
    """Download ``name`` into ``folder`` from the first mirror that serves a good copy."""
    failures = []
    for mirror in MIRRORS:
        url = mirror + name
        try:
            _fetch(url, folder / name, progress)
            return
        except (OSError, ValueError, http.client.HTTPException) as error:
            failures.append(f"  {url}: {error}")
            warnings.warn(
                f"load_mnist: could not download {name} from {url} ({error}); skipping it.",
                RuntimeWarning,
                stacklevel=4,
            )
    tried = "\n".join(failures) or "  (nnlib.data.MIRRORS is empty)"
    raise ConnectionError(
        f"load_mnist: could not download {name} from any mirror:\n{tried}\n"
        f"Get the files by hand: copy the four files ({', '.join(MNIST_MD5)}) from the course "
        f"repository's data/mnist/, or download them from one of the mirrors above, into {folder} "
        f"(or into any folder and pass it as load_mnist(directory) or set {ENV_VAR})."
    )


def _fetch(url: str, target: Path, progress: bool) -> None:
    """Download ``url`` to ``target`` so that ``target`` only ever appears complete and verified.

    The bytes go to a temporary file next to ``target``, are flushed to disk and checked, and
    only then renamed onto ``target`` (``os.replace`` is atomic); whatever happens before that,
    the temporary file is removed.
    """
    request = urllib.request.Request(url, headers={"User-Agent": f"nnlib/{__version__}"})
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    temporary = Path(temporary)
    try:
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(request, timeout=TIMEOUT) as response,
        ):
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tqdm(
                total=total, unit="B", unit_scale=True, desc=target.name, disable=not progress
            ) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise ValueError(f"the connection closed after {received} of {total} bytes")
            out.flush()
            os.fsync(out.fileno())
        _verified_bytes(temporary, target.name, "The mirror serves a damaged copy.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def flatten_and_scale(images, dtype=np.float32) -> np.ndarray:
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
