"""`nnlib doctor` finds what is wrong with a set-up and says how to fix it."""

import json

import pytest

from nnlib.__main__ import main
from nnlib.course import doctor, lab


def test_this_environment_has_what_the_course_needs():
    findings = {f.what: f for f in doctor.diagnose()}
    for name in ["Python", "numpy", "matplotlib", "jupyterlab", "jupytext", "MNIST data"]:
        assert findings[name].ok, findings[name]


def test_an_unknown_or_old_package_is_reported_with_a_fix(monkeypatch):
    monkeypatch.setattr(doctor.metadata, "requires", lambda _: ["numpy>=99", "nonexistent-pkg>=1"])
    old, missing = doctor.check_packages()
    assert not old.ok and "needs >=99" in old.detail and 'pip install -U "numpy>=99"' in old.fix
    assert not missing.ok and missing.detail == "not installed"


def test_the_viewer_check_follows_the_lab_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(lab, "overrides_path", lambda prefix=None: tmp_path / "overrides.json")
    assert not doctor.check_viewer().ok
    assert "nnlib lab --configure-only" in doctor.check_viewer().fix
    (tmp_path / "overrides.json").write_text(json.dumps({lab.DOCMANAGER: {}}))
    assert not doctor.check_viewer().ok
    lab.configure()
    assert doctor.check_viewer().ok


def test_missing_data_is_reported_with_the_loaders_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_MNIST_DIR", str(tmp_path))
    finding = doctor.check_data()
    assert not finding.ok
    assert "train-images-idx3-ubyte.gz" in finding.fix


@pytest.mark.parametrize("broken", [False, True])
def test_cli_exit_code_says_whether_all_is_well(broken, monkeypatch, capsys):
    if broken:
        monkeypatch.setattr(
            doctor, "check_python", lambda: doctor.Finding("Python", False, "2.7", "upgrade")
        )
    monkeypatch.setattr(doctor, "check_viewer", lambda: doctor.Finding("viewer", True, "ok"))
    assert main(["doctor"]) == int(broken)
    out = capsys.readouterr().out
    assert ("fix: upgrade" in out) == broken
    assert out.strip().endswith("1 problem to fix." if broken else "Everything looks right.")


def test_the_grading_sandbox_is_reported_for_instructors_and_never_a_learners_problem(
    monkeypatch, capsys
):
    from nnlib.course import sandbox

    finding = doctor.check_grading_sandbox()
    assert finding.detail.startswith(sandbox.describe() + "; ") and finding.advisory
    container = sandbox.container_protections().mode == sandbox.Mode.CONTAINER
    assert finding.detail.endswith("--isolation=container (Gradescope): available") == container
    assert finding.ok == (sandbox.protections().mode != sandbox.Mode.NONE)
    missing = doctor.Finding("grading sandbox (instructors)", False, "NO SANDBOX", "apt", True)
    monkeypatch.setattr(doctor, "check_grading_sandbox", lambda: missing)
    monkeypatch.setattr(doctor, "check_viewer", lambda: doctor.Finding("viewer", True, "ok"))
    assert main(["doctor"]) == 0
    assert "\u25cb grading sandbox (instructors): NO SANDBOX" in capsys.readouterr().out
