"""A real JupyterHub on 127.0.0.1 for the hub tests (``tests/hub``), and a course repository.

:class:`Hub` starts ``jupyterhub`` with the course's one-machine configuration
(``deploy/one-machine/jupyterhub_config.py``, loaded as it is), and on top of it only what a test
machine must change: ports on 127.0.0.1, the proxy from npm (``configurable-http-proxy``),
JupyterHub's test authenticator with one password, and local processes as students, each with
a home folder of their own under a temporary folder (instead of systemd and Unix accounts). The
idle culler of the configuration runs as the hub's service, as it would on a class's machine.

:func:`course_repository` makes the git repository the students pull from: a commit of the
course's files, cloned over ``file://`` (nbgitpuller runs ``git`` as for any address).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from nnlib.course.lab import configure

ROOT = Path(__file__).resolve().parents[2]
# The browser tests' helpers, for this module and test_hub.py (a conftest.py here would take the
# place of the root one as "conftest" for the test modules collected after it).
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from labdriver import TEST_OVERRIDES, free_port, wait_until_answering  # noqa: E402

DEPLOY_CONFIG = ROOT / "deploy" / "one-machine" / "jupyterhub_config.py"
CHP_ENV = "NNLIB_CHP"
# What a test machine changes in the class's configuration (ports, users, spawner); the rest,
# the idle culler included, is the configuration in deploy/ as it is.
TEST_CONFIG = """\
c = get_config()  # noqa: F821
load_subconfig({deploy!r})  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {workdir!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {workdir!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {workdir!r} + "/cookie_secret"

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({students!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.args = {args!r}

c.JupyterHub.services.append({{"name": "test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{"name": "test", "scopes": ["read:services", "servers"], "services": ["test"]}}
)
"""


def find_chp() -> str | None:
    """The path of ``configurable-http-proxy`` (``$NNLIB_CHP``, else on the PATH)."""
    for name in filter(None, [os.environ.get(CHP_ENV), "configurable-http-proxy"]):
        path = shutil.which(name)
        if path:
            return path
    return None


def _settings_dir(workdir: Path) -> Path:
    """The course's JupyterLab overrides (``nnlib lab --configure-only`` writes the same into
    the hub's environment on a class's machine), plus the test's own, in a folder of the test."""
    path = configure(workdir / "prefix")
    settings = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**TEST_OVERRIDES, **settings}, indent=2), encoding="utf-8")
    return path.parent


class Hub:
    """JupyterHub for ``students`` (all with ``password``), their homes under ``workdir/homes``."""

    def __init__(self, workdir: Path, students: list[str], chp: str) -> None:
        self.workdir, self.students = workdir, students
        self.homes = workdir / "homes"
        self.password = secrets.token_hex(8)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.log_path = workdir / "jupyterhub.log"
        self.config_path = workdir / "jupyterhub_config.py"
        args = [
            f"--LabApp.app_settings_dir={_settings_dir(workdir)}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
        ]
        if os.geteuid() == 0:  # CI runs as root; so do the students' servers then
            args.append("--ServerApp.allow_root=True")
        self.config_path.write_text(
            TEST_CONFIG.format(
                deploy=str(DEPLOY_CONFIG),
                port=self.port,
                hub_port=free_port(),
                proxy_api_port=free_port(),
                chp=chp,
                workdir=str(workdir),
                password=self.password,
                students=sorted(students),
                homes=str(self.homes),
                args=args,
                token=self.token,
            ),
            encoding="utf-8",
        )
        self.process: subprocess.Popen | None = None
        self.started: list[psutil.Process] = []
        self.peak_mib: dict[str, float] = {}  # the largest resident memory seen, by process kind

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Hub:
        self.homes.mkdir(exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(self.config_path)],
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_answering(
                self.process, lambda: self.api("GET", "hub/api/"), "JupyterHub", self.log
            )
        except (RuntimeError, TimeoutError):
            self.stop()  # a hub that never answered may still have started its proxy or services
            raise
        return self

    def api(self, method: str, path: str) -> dict:
        """Call the hub's REST API through the proxy, as the test's service."""
        request = urllib.request.Request(
            f"{self.url}/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def spawn_all(self) -> None:
        """Ask the hub to start every student's server at once, as a class arriving together
        does (each student's first page then finds it running or nearly)."""
        with ThreadPoolExecutor(len(self.students)) as pool:  # each call waits up to 10 s
            list(pool.map(lambda s: self.api("POST", f"hub/api/users/{s}/server"), self.students))

    def note_processes(self) -> None:
        """Remember every process the hub has started so far (proxy, services, students'
        servers, their kernels), so that :meth:`stop` can prove they all ended."""
        known = {p.pid for p in self.started}
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:  # the hub has exited; what it started was noted before
            return
        for child in children:
            if child.pid not in known:
                self.started.append(child)
            with contextlib.suppress(psutil.Error):
                kind = "kernel" if "ipykernel" in " ".join(child.cmdline()) else child.name()
                self.peak_mib[kind] = max(
                    self.peak_mib.get(kind, 0), child.memory_info().rss / 2**20
                )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> list[str]:
        """Stop the hub (it stops the students' servers, its services and the proxy), kill
        whatever outlived it, and return what had to be killed (nothing, normally)."""
        if self.process is None:
            return []
        self.note_processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _, alive = psutil.wait_procs(self.started, timeout=10)
        survivors = []
        for process in alive:
            try:
                survivors.append(" ".join(process.cmdline()))
                process.kill()
            except psutil.NoSuchProcess:
                continue
        return survivors


def git(*args: str, cwd: Path) -> str:
    """Run git as the course's maintainer would, with no global configuration of the machine's."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "course",
        "GIT_AUTHOR_EMAIL": "course@example.org",
        "GIT_COMMITTER_NAME": "course",
        "GIT_COMMITTER_EMAIL": "course@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def course_repository(folder: Path, files: list[str]) -> Path:
    """A git repository in ``folder`` (branch ``main``) with one commit of the course's
    ``files`` (paths relative to the course's root), as students would pull it."""
    folder.mkdir(parents=True)
    git("init", "--quiet", "--initial-branch=main", cwd=folder)
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    git("add", "--all", cwd=folder)
    git("commit", "--quiet", "-m", "the course", cwd=folder)
    return folder
