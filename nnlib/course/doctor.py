"""``nnlib doctor``: tell a learner what is wrong with their set-up, and how to fix it.

Each check returns a verdict and, when it fails, the fix. The checks are the usual reasons a
course notebook will not run: an old Python, a missing or old package, a Jupyter kernel that runs
another Python than the course's, Markdown files that open as text, and missing or damaged data.
One more, for instructors only (it never counts as a problem for a learner), says which
protections ``nnlib grade`` can give submissions on this machine.
Its messages are in the learner's language (``nnlib.course.i18n``; ``nnlib doctor --lang zh``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from nnlib.course import lab
from nnlib.course.i18n import _, ngettext

INSTALL = '.venv/bin/pip install -e ".[course]"'
KERNEL_INSTALL = ".venv/bin/python -m ipykernel install --sys-prefix"


@dataclass(frozen=True)
class Finding:
    """One check's verdict: what was checked, whether it is fine, and what to do if not."""

    what: str
    ok: bool
    detail: str
    fix: str = ""
    advisory: bool = False  # for instructors only: not a problem of the learner's set-up


def check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 10)
    return Finding(
        "Python",
        ok,
        _("{version} at {executable}").format(version=version, executable=sys.executable),
        "" if ok else _("install Python 3.10 or newer and create the .venv again"),
    )


def check_packages(extras: tuple[str, ...] = ("course",)) -> list[Finding]:
    """Every requirement of nnlib (and of the given extras) installed at a version it accepts."""
    findings = []
    for text in metadata.requires("nnlib") or []:
        requirement = Requirement(text)
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras)
        ):
            continue
        if requirement.name == "nnlib":
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            findings.append(
                Finding(
                    requirement.name,
                    False,
                    _("not installed"),
                    _("run: {command}").format(command=INSTALL),
                )
            )
            continue
        ok = requirement.specifier.contains(version, prereleases=True)
        findings.append(
            Finding(
                requirement.name,
                ok,
                _("{version} (needs {specifier})").format(
                    version=version, specifier=requirement.specifier or _("any")
                ),
                ""
                if ok
                else _("run: {command}").format(
                    command=f'.venv/bin/pip install -U "{requirement}"'
                ),
            )
        )
    return findings


def check_kernel() -> Finding:
    """The ``python3`` kernel JupyterLab starts must run this environment's Python."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Finding(
            _("Jupyter kernel"),
            False,
            _("jupyter_client is not installed"),
            _("run: {command}").format(command=INSTALL),
        )
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Finding(
            _("Jupyter kernel"),
            False,
            _("no python3 kernel"),
            _("run: {command}").format(command=KERNEL_INSTALL),
        )
    executable = spec.argv[0]
    ok = executable in ("python", "python3", "{python}") or (
        Path(executable).resolve() == Path(sys.executable).resolve()
    )
    return Finding(
        _("Jupyter kernel"),
        ok,
        _("python3 runs {executable}").format(executable=executable),
        ""
        if ok
        else _(
            "the kernel runs another Python: start JupyterLab with `.venv/bin/nnlib "
            "lab`, or run `.venv/bin/python -m ipykernel install --sys-prefix`"
        ),
    )


def check_viewer() -> Finding:
    """Markdown must open as a notebook in this environment's JupyterLab."""
    path = lab.overrides_path()
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
        viewers = settings[lab.DOCMANAGER]["defaultViewers"]
        ok = all(viewers.get(kind) == viewer for kind, viewer in lab.VIEWERS.items())
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    return Finding(
        _("chapters open as notebooks"),
        ok,
        str(path),
        "" if ok else _("run: {command}").format(command=".venv/bin/nnlib lab --configure-only"),
    )


def check_data() -> Finding:
    """The MNIST files are where the loader looks, complete and with the right checksums."""
    from nnlib.data import load_mnist

    try:
        (X_train, _y_train), (X_test, _y_test) = load_mnist(download=False, progress=False)
    except (OSError, ValueError) as error:
        return Finding(_("MNIST data"), False, str(error).split(". ")[0], str(error))
    return Finding(
        _("MNIST data"),
        True,
        _("{train} + {test} images, checksums match").format(train=len(X_train), test=len(X_test)),
    )


def check_grading_sandbox() -> Finding:
    """Which protections ``nnlib grade`` gives each submission here (bubblewrap, cgroups), and
    whether Gradescope's container mode could be used."""
    from nnlib.course import sandbox

    found = sandbox.protections()
    ok = found.mode != sandbox.Mode.NONE
    fix = "" if ok else _("to grade a class: apt-get install bubblewrap (or your system's package)")
    detail = f"{found.describe()}; {sandbox.describe_container()}"
    return Finding(_("grading sandbox (instructors)"), ok, detail, fix, advisory=True)


def diagnose() -> list[Finding]:
    """Every check, in the order a learner should fix them (the instructors' one last)."""
    return [
        check_python(),
        *check_packages(),
        check_kernel(),
        check_viewer(),
        check_data(),
        check_grading_sandbox(),
    ]


def report(findings: list[Finding]) -> str:
    """The findings as the lines ``nnlib doctor`` prints."""
    lines = []
    for finding in findings:
        mark = "\u2713" if finding.ok else "\u25cb" if finding.advisory else "\u2717"  # fonts
        lines.append(
            f"{mark} " + _("{what}: {detail}").format(what=finding.what, detail=finding.detail)
        )
        if not finding.ok:
            lines.append("   " + _("fix: {fix}").format(fix=finding.fix))
    problems = sum(not f.ok and not f.advisory for f in findings)
    lines.append(
        _("Everything looks right.")
        if not problems
        else ngettext("{n} problem to fix.", "{n} problems to fix.", problems).format(n=problems)
    )
    return "\n".join(lines)
