"""The deployment files: real options, one set of sizes, and an image description that holds.

``tests/hub`` runs the one-machine configuration on a real hub; these tests check what it cannot:
the settings of the parts a test machine replaces (systemd's spawner, PAM's authenticator), the
Zero to JupyterHub configuration, and ``binder/``.
"""

from __future__ import annotations

import re
import subprocess
from importlib import metadata

import pytest
import yaml
from jupyterhub.app import JupyterHub
from jupyterhub.auth import Authenticator, LocalAuthenticator
from jupyterhub.spawner import Spawner
from systemdspawner import SystemdSpawner
from traitlets.config import PyFileConfigLoader

from conftest import ROOT

ONE_MACHINE = ROOT / "deploy" / "one-machine" / "jupyterhub_config.py"
Z2JH = ROOT / "deploy" / "z2jh" / "config.yaml"
CLASSES = {
    cls.__name__: cls
    for cls in (JupyterHub, Spawner, SystemdSpawner, Authenticator, LocalAuthenticator)
}


@pytest.fixture(scope="module")
def hub_config():
    return PyFileConfigLoader(ONE_MACHINE.name, str(ONE_MACHINE.parent)).load_config()


@pytest.fixture(scope="module")
def z2jh():
    return yaml.safe_load(Z2JH.read_text(encoding="utf-8"))


def test_every_setting_of_the_one_machine_hub_is_an_option_of_its_class(hub_config):
    assert sorted(hub_config) == sorted(CLASSES)
    for section, settings in hub_config.items():
        options = CLASSES[section].class_traits(config=True)
        unknown = sorted(set(settings) - set(options))
        assert not unknown, f"{section} has no option {unknown}"
    module, name = hub_config.JupyterHub.spawner_class.rsplit(".", 1)
    assert f"{module}.{name}" == f"{SystemdSpawner.__module__.rsplit('.', 1)[0]}.{name}"


def test_the_idle_culler_of_the_one_machine_hub_starts_and_may_do_its_job(hub_config):
    (service,) = hub_config.JupyterHub.services
    help_text = subprocess.run(
        [*service["command"], "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in service["command"][3:]:
        assert f"--{option[2:].split('=')[0]}" in help_text
    (role,) = [r for r in hub_config.JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == [service["name"]]
    assert "delete:servers" in role["scopes"] and "read:users:activity" in role["scopes"]


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG])", size).groups()
    return int(number) * 1024 ** "KMG".index(unit) * 1024


def test_both_deployments_give_a_student_the_same_resources(hub_config, z2jh):
    spawner, single = hub_config.Spawner, z2jh["singleuser"]
    assert _bytes(single["memory"]["limit"]) == _bytes(spawner.mem_limit) == 2 * 1024**3
    assert _bytes(single["memory"]["guarantee"]) <= _bytes(single["memory"]["limit"])
    assert single["cpu"]["limit"] == spawner.cpu_limit
    assert single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    # BLAS threads: as many as the CPU limit, in both.
    threads = {name: int(value) for name, value in single["extraEnv"].items()}
    assert threads == {name: int(value) for name, value in spawner.environment.items()}
    assert set(threads.values()) == {int(spawner.cpu_limit)}
    culler = hub_config.JupyterHub.services[0]["command"]
    assert f"--timeout={z2jh['cull']['timeout']}" in culler
    assert z2jh["cull"]["enabled"] is True
    assert single["storage"]["type"] == "dynamic"  # a persistent volume per student
    assert single["storage"]["homeMountPath"] == z2jh["hub"]["config"]["KubeSpawner"]["working_dir"]


def test_the_memory_limit_holds_two_chapter_08_kernels_as_the_deploy_guide_measured():
    guide = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    measured = {
        what: int(mib)
        for what, mib in re.findall(r"^\| ([^|]+?) \| (\d+) MiB \|$", guide, re.MULTILINE)
    }
    chapter_08 = next(mib for what, mib in measured.items() if what.startswith("chapter 08"))
    server = next(mib for what, mib in measured.items() if "server" in what)
    assert 2 * chapter_08 + server < 2048 <= 2 * 2048  # limit 2 GiB, see the guide
    assert chapter_08 + server < 1024  # the guarantee, 1 GiB, covers one training kernel


def test_binder_installs_the_hub_extra_for_the_projects_python():
    requirements = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert "-e .[hub]" in requirements.splitlines()
    hub_extra = [r.split(";")[0] for r in metadata.requires("nnlib") if 'extra == "hub"' in r]
    assert {"nbgitpuller>=1.2", "jupyterhub>=5.3"} <= set(hub_extra)
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    version = tuple(int(n) for n in runtime.removeprefix("python-").split("."))
    requires = metadata.metadata("nnlib")["Requires-Python"]
    assert version >= tuple(int(n) for n in requires.removeprefix(">=").split("."))
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "repo2docker runs postBuild: it must be executable"
    commands = [
        line
        for line in post_build.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert commands == [
        "set -euo pipefail",
        "nnlib lab --configure-only",
        "rm -rf exercises/source",
        "nnlib doctor",
    ]
