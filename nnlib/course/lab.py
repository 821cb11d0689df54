"""Open the course in JupyterLab, with chapters' ``.md`` files opening as notebooks.

JupyterLab opens a Markdown file in its text editor unless told otherwise. Jupytext registers a
"Jupytext Notebook" viewer; making it the default viewer for Markdown is a JupyterLab setting. We
write it as an *override* inside this environment (``<sys.prefix>/share/jupyter/lab/settings/
overrides.json``), so it applies to this course's virtual environment only and never touches the
learner's own JupyterLab settings. Python files keep opening in the code editor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[2]
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}


def overrides_path(prefix: str | Path = sys.prefix) -> Path:
    """Where JupyterLab reads setting overrides for the environment at ``prefix``."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def configure(prefix: str | Path = sys.prefix) -> Path:
    """Make Markdown open as a notebook in this environment's JupyterLab, keeping other overrides.

    Returns the path of the overrides file. Running it again changes nothing.
    """
    path = overrides_path(prefix)
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    settings.setdefault(DOCMANAGER, {}).setdefault("defaultViewers", {}).update(VIEWERS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return path


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch(extra_args: list[str]) -> int:
    """Configure the viewers, then run JupyterLab in the course's folder until it is stopped.

    JupyterLab refuses to start as root unless given ``--allow-root``; rather than leave a
    learner in a container or a classroom VM with JupyterLab's log, say so here.
    """
    if _is_root() and "--allow-root" not in extra_args:
        print(
            "nnlib lab: you are root, and JupyterLab refuses to run as root. Run it as a normal "
            "user, or, in a container or a VM of your own, pass the option on: "
            "nnlib lab --allow-root",
            file=sys.stderr,
        )
        return 2
    configure()
    command = [sys.executable, "-m", "jupyterlab", *extra_args]
    return subprocess.call(command, cwd=COURSE_ROOT)
