"""Tests for nnlib.fetch: where load_mnist looks for the MNIST files, in which order, what a
missing or damaged file says, and downloads from a local HTTP server (never the real network)."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tqdm import tqdm

from nnlib import data, fetch
from nnlib.data import load_mnist

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = data.MNIST_MD5


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
    monkeypatch.setattr(fetch, "BUNDLED_DIR", tmp_path / "bundled")
    monkeypatch.setattr(fetch, "MIRRORS", ())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(fetch.ENV_VAR, raising=False)
    return tmp_path / "xdg" / "nnlib" / "mnist"


def test_directory_argument_comes_first(fake, tmp_path, monkeypatch):
    monkeypatch.setenv(fetch.ENV_VAR, str(put(tmp_path / "env", GARBAGE)))
    put(fetch.BUNDLED_DIR, GARBAGE)
    assert_loaded_the_fakes(load_mnist(put(tmp_path / "mine", FAKE_FILES)))


def test_directory_argument_missing_files_is_an_error_not_a_fallback(fake, tmp_path):
    put(fetch.BUNDLED_DIR, FAKE_FILES)
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
    put(fetch.BUNDLED_DIR, GARBAGE)
    monkeypatch.setenv(fetch.ENV_VAR, str(put(tmp_path / "env", FAKE_FILES)))
    assert_loaded_the_fakes(load_mnist())


def test_environment_variable_missing_files_is_an_error(fake, tmp_path, monkeypatch):
    put(fetch.BUNDLED_DIR, FAKE_FILES)
    monkeypatch.setenv(fetch.ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=f"environment variable {fetch.ENV_VAR}") as info:
        load_mnist()
    assert f"unset {fetch.ENV_VAR}" in str(info.value)


def test_bundled_copy_comes_before_the_cache(fake):
    put(fake, GARBAGE)
    put(fetch.BUNDLED_DIR, FAKE_FILES)
    assert_loaded_the_fakes(load_mnist(download=False))


def test_cache_is_used_when_the_bundled_copy_is_incomplete(fake):
    put(fetch.BUNDLED_DIR, {TRAIN_IMAGES: GARBAGE[TRAIN_IMAGES]})
    put(fake, FAKE_FILES)
    assert_loaded_the_fakes(load_mnist(download=False))


def test_nowhere_and_no_download_says_how_to_get_the_files(fake):
    with pytest.raises(FileNotFoundError, match="download=False") as info:
        load_mnist(download=False)
    message = str(info.value)
    assert str(fake) in message
    assert "load_mnist(download=True)" in message
    assert fetch.ENV_VAR in message


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
    put(fetch.BUNDLED_DIR, {**FAKE_FILES, TEST_IMAGES: GARBAGE[TEST_IMAGES]})
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
    monkeypatch.setattr(fetch, "MIRRORS", mirrors)
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
    monkeypatch.setattr(fetch, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    assert_loaded_the_fakes(load_mnist(progress=False))
    assert server.requests == [f"/good/{TRAIN_LABELS}", f"/good/{TEST_IMAGES}"]


def test_download_shows_a_progress_bar(fake, server, monkeypatch, capsys):
    monkeypatch.setattr(fetch, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    load_mnist()
    assert TRAIN_IMAGES in capsys.readouterr().err


def test_all_mirrors_failing_lists_each_failure_and_the_manual_fix(fake, server, monkeypatch):
    bad = (refused_url(), f"{server.url}/missing/", serve(server, "corrupt", GARBAGE))
    monkeypatch.setattr(fetch, "MIRRORS", bad)
    with pytest.warns(RuntimeWarning), pytest.raises(ConnectionError) as info:
        load_mnist(progress=False)
    message = str(info.value)
    assert f"could not download {TRAIN_IMAGES} from any mirror" in message
    for mirror in bad:
        assert mirror + TRAIN_IMAGES in message
    assert "by hand" in message
    assert str(fake) in message
    assert fetch.ENV_VAR in message
    assert os.listdir(fake) == []  # nothing half-written that could pass for a file


def test_a_cut_off_transfer_leaves_no_file(fake, server, monkeypatch):
    cut = serve(server, "cut", {name: body[:-10] for name, body in FAKE_FILES.items()})
    for route, (body, _) in server.routes.items():
        server.routes[route] = (body, len(body) + 10)  # promise the full length, send less
    monkeypatch.setattr(fetch, "MIRRORS", (cut,))
    with pytest.warns(RuntimeWarning, match="closed after"), pytest.raises(ConnectionError):
        load_mnist(progress=False)
    assert os.listdir(fake) == []


def test_an_interrupted_download_leaves_no_file(fake, server, monkeypatch):
    class Interrupted(tqdm):
        def update(self, n=1):
            raise KeyboardInterrupt

    monkeypatch.setattr(fetch, "tqdm", Interrupted)
    monkeypatch.setattr(fetch, "MIRRORS", (serve(server, "good", FAKE_FILES),))
    with pytest.raises(KeyboardInterrupt):
        load_mnist(progress=False)
    assert os.listdir(fake) == []


def test_no_mirrors_configured_is_said_plainly(fake):
    with pytest.raises(ConnectionError, match="MIRRORS is empty"):
        load_mnist(progress=False)
