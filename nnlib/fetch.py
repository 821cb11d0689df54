"""Where the MNIST files are found, and how they are downloaded when they are nowhere.

Used by :func:`nnlib.data.load_mnist` (chapter 07), which a learner reads; this module is the
plumbing behind it, which nobody needs to read to follow the course. The course ships the four
files in ``data/mnist/``; a copy of the library without them (``pip install nnlib``) downloads them
once into a cache, from public mirrors, each file verified before it is (atomically) put in place.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.request
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from nnlib import __version__

MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Public mirrors of the original MNIST files, tried in order by :func:`load_mnist`."""

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "data" / "mnist"
ENV_VAR = "NNLIB_MNIST_DIR"
TIMEOUT = 30.0  # seconds a mirror may stay silent before it counts as failed

Verify = Callable[[Path, str, str], object]
"""``verify(path, name, fix)`` raises ValueError unless ``path`` is a good copy of ``name``."""


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nnlib" / "mnist"


def how_to_replace(path: Path) -> str:
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


def _missing(folder: Path, files: Sequence[str]) -> list[str]:
    return [name for name in files if not (folder / name).is_file()]


def find_mnist(
    directory: str | os.PathLike | None,
    files: Sequence[str],
    *,
    download: bool,
    progress: bool,
    verify: Verify,
) -> Path:
    """The folder to read the MNIST ``files`` from, downloading them into the cache if allowed.

    The search order is :func:`nnlib.data.load_mnist`'s; ``verify`` checks each download.
    """
    names = ", ".join(files)
    chosen = directory if directory is not None else os.environ.get(ENV_VAR) or None
    if chosen is not None:
        folder = Path(chosen).expanduser()
        missing = _missing(folder, files)
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
        if not _missing(folder, files):
            return folder
    if not download:
        raise FileNotFoundError(
            f"load_mnist: the MNIST files are in neither {BUNDLED_DIR} nor {cache}, and "
            f"download=False. Call load_mnist(download=True) to download them into {cache}, or "
            f"copy the four files ({names}) into a folder and pass it as load_mnist(directory) "
            f"or set {ENV_VAR}."
        )
    cache.mkdir(parents=True, exist_ok=True)
    for name in _missing(cache, files):
        _download(name, cache, progress, verify, names)
    return cache


def _download(name: str, folder: Path, progress: bool, verify: Verify, names: str) -> None:
    """Download ``name`` into ``folder`` from the first mirror that serves a good copy."""
    failures = []
    for mirror in MIRRORS:
        url = mirror + name
        try:
            _fetch(url, folder / name, progress, verify)
            return
        except (OSError, ValueError, http.client.HTTPException) as error:
            failures.append(f"  {url}: {error}")
            warnings.warn(
                f"load_mnist: could not download {name} from {url} ({error}); skipping it.",
                RuntimeWarning,
                stacklevel=4,
            )
    tried = "\n".join(failures) or "  (nnlib.fetch.MIRRORS is empty)"
    raise ConnectionError(
        f"load_mnist: could not download {name} from any mirror:\n{tried}\n"
        f"Get the files by hand: copy the four files ({names}) from the course "
        f"repository's data/mnist/, or download them from one of the mirrors above, into {folder} "
        f"(or into any folder and pass it as load_mnist(directory) or set {ENV_VAR})."
    )


def _fetch(url: str, target: Path, progress: bool, verify: Verify) -> None:
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
        verify(temporary, target.name, "The mirror serves a damaged copy.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
