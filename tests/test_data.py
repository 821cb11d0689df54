"""Tests for nnlib.data: the IDX parser, the MNIST loader (search order, checksums, downloads from
a local HTTP server, never the real network) and the preprocessing."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from tqdm import tqdm

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


# ---------------------------------------------------------------- load_mnist on fake files

# Small stand-ins for the four files, so the search order and the downloads can be tested fast.
FAKE_RAW = {
    TRAIN_IMAGES: b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02" * 3 + bytes(range(8)),
    TRAIN_LABELS: b"\x00\x00\x08\x01\x00\x00\x00\x02\x05\x00",
    TEST_IMAGES: b"\x00\x00\x08\x03\x00\x00\x00\x01" + b"\x00\x00\x00\x02" * 2 + b"\x09" * 4,
    TEST_LABELS: b"\x00\x00\x08\x01\x00\x00\x00\x01\x07",
}
FAKE_FILES = {name: gzip.compress(raw) for name, raw in FAKE_RAW.items()}


def assert_loaded_the_fakes(loaded):
    (X_train, y_train), (X_test, y_test) = loaded
    assert X_train.tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    assert y_train.tolist() == [5, 0]
    assert X_test.tolist() == [[[9, 9], [9, 9]]]
    assert y_test.tolist() == [7]


def put(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


GARBAGE = {name: gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x63") for name in FAKE_FILES}


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Checksums of the fake files, an empty bundled folder, a private cache and no mirrors."""
    for name, raw in FAKE_RAW.items():
        monkeypatch.setitem(data.MNIST_MD5, name, hashlib.md5(raw).hexdigest())
    monkeypatch.setattr(data, "BUNDLED_DIR", tmp_path / "bundled")
    monkeypatch.setattr(data, "MIRRORS", ())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    return tmp_path / "xdg" / "nnlib" / "mnist"


def test_directory_argument_comes_first(fake, tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(put(tmp_path / "env", GARBAGE)))
    put(data.BUNDLED_DIR, GARBAGE)
    assert_loaded_the_fakes(load_mnist(put(tmp_path / "mine", FAKE_FILES)))


def test_directory_argument_missing_files_is_an_error_not_a_fallback(fake, tmp_path):
    put(data.BUNDLED_DIR, FAKE_FILES)
    mine = put(tmp_path / "mine", {TRAIN_IMAGES: FAKE_FILES[TRAIN_IMAGES]})
    with pytest.raises(FileNotFoundError, match="directory argument") as info:
        load_mnist(mine)
    message = str(info.value)
    assert str(mine) in message
    assert f"lacks {TRAIN_LABELS}, {TEST_IMAGES}, {TEST_LABELS}" in message
    assert "data/mnist/" in message
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")


def test_environment_variable_comes_before_the_bundled_copy(fake, tmp_path, monkeypatch):
    put(data.BUNDLED_DIR, GARBAGE)
    monkeypatch.setenv(data.ENV_VAR, str(put(tmp_path / "env", FAKE_FILES)))
    assert_loaded_the_fakes(load_mnist())


def test_environment_variable_missing_files_is_an_error(fake, tmp_path, monkeypatch):
    put(data.BUNDLED_DIR, FAKE_FILES)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=f"environment variable {data.ENV_VAR}") as info:
        load_mnist()
    assert f"unset {data.ENV_VAR}" in str(info.value)


def test_bundled_copy_comes_before_the_cache(fake):
    put(fake, GARBAGE)
    put(data.BUNDLED_DIR, FAKE_FILES)
    assert_loaded_the_fakes(load_mnist(download=False))


def test_cache_is_used_when_the_bundled_copy_is_incomplete(fake):
    put(data.BUNDLED_DIR, {TRAIN_IMAGES: GARBAGE[TRAIN_IMAGES]})
    put(fake, FAKE_FILES)
    assert_loaded_the_fakes(load_mnist(download=False))


def test_nowhere_and_no_download_says_how_to_get_the_files(fake):
    with pytest.raises(FileNotFoundError, match="download=False") as info:
        load_mnist(download=False)
    message = str(info.value)
    assert str(fake) in message
    assert "load_mnist(download=True)" in message
    assert data.ENV_VAR in message


def test_checksum_mismatch_names_the_file_and_both_checksums(fake, tmp_path):
    mine = put(tmp_path / "mine", {**FAKE_FILES, TEST_LABELS: GARBAGE[TEST_LABELS]})
    with pytest.raises(ValueError, match="MD5") as info:
        load_mnist(mine)
    message = str(info.value)
    assert str(mine / TEST_LABELS) in message
    assert data.MNIST_MD5[TEST_LABELS] in message
    actual = hashlib.md5(b"\x00\x00\x08\x01\x00\x00\x00\x01\x63").hexdigest()
    assert actual in message
    assert "Replace it with a good copy" in message


def test_a_damaged_file_in_the_cache_says_delete_and_rerun(fake):
    put(fake, {**FAKE_FILES, TRAIN_LABELS: FAKE_FILES[TRAIN_LABELS][:-6]})
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as info:
        load_mnist()
    assert str(fake / TRAIN_LABELS) in str(info.value)
    assert "Delete it and run load_mnist() again" in str(info.value)


def test_a_damaged_bundled_file_says_how_to_restore_it(fake):
    put(data.BUNDLED_DIR, {**FAKE_FILES, TEST_IMAGES: GARBAGE[TEST_IMAGES]})
    with pytest.raises(ValueError, match="MD5") as info:
        load_mnist()
    assert f"git checkout -- data/mnist/{TEST_IMAGES}" in str(info.value)


# ---------------------------------------------------------------- downloads from 127.0.0.1


class Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = (body, declared Content-Length)``; anything else is 404."""

    def do_GET(self):  # noqa: N802 (the name http.server requires)
        self.server.requests.append(self.path)
        if self.path not in self.server.routes:
            self.send_error(404)
            return
        body, declared = self.server.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.requests = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def serve(httpd, prefix: str, files: dict[str, bytes], *, declared_extra: int = 0) -> str:
    for name, body in files.items():
        httpd.routes[f"/{prefix}/{name}"] = (body, len(body) + declared_extra)
    return f"{httpd.url}/{prefix}/"


def refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_skips_failing_and_corrupt_mirrors(fake, server, monkeypatch):
    mirrors = (
        refused_url(),
        f"{server.url}/missing/",
        serve(server, "corrupt", GARBAGE),
        serve(server, "good", FAKE_FILES),
    )
    monkeypatch.setattr(data, "MIRRORS", mirrors)
    with pytest.warns(RuntimeWarning) as record:
        loaded = load_mnist(progress=False)
    assert_loaded_the_fakes(loaded)
    assert sorted(os.listdir(fake)) == sorted(FAKE_FILES)
    assert all((fake / name).read_bytes() == FAKE_FILES[name] for name in FAKE_FILES)
    messages = [str(w.message) for w in record]
    assert len(messages) == 3 * len(FAKE_FILES)
    assert sum("Connection refused" in m for m in messages) == len(FAKE_FILES)
    assert sum("404" in m for m in messages) == len(FAKE_FILES)
    assert sum("MD5" in m and "damaged copy" in m for m in messages) == len(FAKE_FILES)


def test_download_fetches_only_the_missing_files(fake, server, monkeypatch):
    put(fake, {TRAIN_IMAGES: FAKE_FILES[TRAIN_IMAGES], TEST_LABELS: FAKE_FILES[TEST_LABELS]})
    monkeypatch.setattr(data, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    assert_loaded_the_fakes(load_mnist(progress=False))
    assert server.requests == [f"/good/{TRAIN_LABELS}", f"/good/{TEST_IMAGES}"]


def test_download_shows_a_progress_bar(fake, server, monkeypatch, capsys):
    monkeypatch.setattr(data, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    load_mnist()
    assert TRAIN_IMAGES in capsys.readouterr().err


def test_all_mirrors_failing_lists_each_failure_and_the_manual_fix(fake, server, monkeypatch):
    bad = (refused_url(), f"{server.url}/missing/", serve(server, "corrupt", GARBAGE))
    monkeypatch.setattr(data, "MIRRORS", bad)
    with pytest.warns(RuntimeWarning), pytest.raises(ConnectionError) as info:
        load_mnist(progress=False)
    message = str(info.value)
    assert f"could not download {TRAIN_IMAGES} from any mirror" in message
    for mirror in bad:
        assert mirror + TRAIN_IMAGES in message
    assert "by hand" in message
    assert str(fake) in message
    assert data.ENV_VAR in message
    assert os.listdir(fake) == []  # nothing half-written that could pass for a file


def test_a_cut_off_transfer_leaves_no_file(fake, server, monkeypatch):
    cut = serve(server, "cut", {name: body[:-10] for name, body in FAKE_FILES.items()})
    for route, (body, _) in server.routes.items():
        server.routes[route] = (body, len(body) + 10)  # promise the full length, send less
    monkeypatch.setattr(data, "MIRRORS", (cut,))
    with pytest.warns(RuntimeWarning, match="closed after"), pytest.raises(ConnectionError):
        load_mnist(progress=False)
    assert os.listdir(fake) == []


def test_an_interrupted_download_leaves_no_file(fake, server, monkeypatch):
    class Interrupted(tqdm):
        def update(self, n=1):
            raise KeyboardInterrupt

    monkeypatch.setattr(data, "tqdm", Interrupted)
    monkeypatch.setattr(data, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    with pytest.raises(KeyboardInterrupt):
        load_mnist(progress=False)
    assert os.listdir(fake) == []


def test_no_mirrors_configured_is_said_plainly(fake):
    with pytest.raises(ConnectionError, match="MIRRORS is empty"):
        load_mnist(progress=False)


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


def test_one_hot_and_minibatches_are_re_exported(mnist):
    import nnlib.labels
    import nnlib.training

    assert data.one_hot is nnlib.labels.one_hot
    assert data.minibatches is nnlib.training.minibatches
    (_, y_train), _ = mnist
    np.testing.assert_array_equal(
        data.one_hot(y_train[:2], n_classes=10)[:, [0, 5]], [[0, 1], [1, 0]]
    )
