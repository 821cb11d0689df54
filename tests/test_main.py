"""Tests for nnlib.__main__, the ``nnlib`` command: its table of subcommands, options passed on to
JupyterLab, and a core install (no extras) that still trains MNIST."""

import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from nnlib.__main__ import COMMANDS, main
from nnlib.course import lab

# What a core install lacks: the packages of the "course" extra. A meta-path finder refuses them,
# as they would be refused in an environment where they were never installed.
WITHOUT_EXTRAS = textwrap.dedent(
    """
    import sys

    BLOCKED = {"nbformat", "nbclient", "jupyterlab", "jupytext", "ipykernel", "ipywidgets"}

    class Uninstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Uninstalled())
    from nnlib.__main__ import main
    code = main(sys.argv[1:])
    assert not BLOCKED & {name.split(".")[0] for name in sys.modules}, "an extra was imported"
    sys.exit(code)
    """
)


def run_without_extras(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_a_core_install_trains_mnist_from_the_terminal():
    result = run_without_extras("mnist", "--epochs", "1", "--hidden", "16", "--quiet")
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().splitlines()[-1].removeprefix("test accuracy: "))
    assert accuracy > 0.85  # one epoch of a 784-16-10 network; chance is 0.1


@pytest.mark.parametrize("command", ["grade", "release", "check"])
def test_a_command_whose_extra_is_missing_says_which_to_install(command):
    args = {"grade": ["x.ipynb", "y.ipynb", "--out", "o"], "check": ["x.ipynb"]}.get(command, [])
    result = run_without_extras(command, *args)
    assert result.returncode == 2
    assert f"nnlib {command}: error: this command needs nbformat" in result.stderr
    assert "pip install 'nnlib[course]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_every_command_without_importing_them(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


@pytest.mark.parametrize(
    ("argv", "passed_on"),
    [
        (["lab", "--no-browser"], ["--no-browser"]),
        (["lab", "--no-browser", "--port", "8889"], ["--no-browser", "--port", "8889"]),
        (["lab", "--", "--no-browser"], ["--no-browser"]),
        (["lab", "--allow-root", "--ServerApp.token=x"], ["--allow-root", "--ServerApp.token=x"]),
    ],
)
def test_lab_passes_other_options_on_to_jupyterlab(argv, passed_on, monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr(lab, "_is_root", lambda: False)
    monkeypatch.setattr(lab, "configure", lambda **settings: tmp_path)
    monkeypatch.setattr(lab.subprocess, "call", lambda command, **how: started.append(command) or 0)
    assert main(argv) == 0
    (command,) = started
    assert command == [sys.executable, "-m", "jupyterlab", *passed_on, *lab.edition_arguments("en")]


def test_lab_as_root_says_to_pass_allow_root(monkeypatch, capsys):
    monkeypatch.setattr(lab, "_is_root", lambda: True)
    monkeypatch.setattr(lab.subprocess, "call", lambda *a, **k: pytest.fail("JupyterLab ran"))
    assert main(["lab", "--no-browser"]) == 2
    assert "nnlib lab --allow-root" in capsys.readouterr().err
