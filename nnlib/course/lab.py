"""Open the course in JupyterLab, with chapters' ``.md`` files opening as notebooks.

JupyterLab opens a Markdown file in its text editor unless told otherwise. Jupytext registers a
"Jupytext Notebook" viewer; making it the default viewer for Markdown is a JupyterLab setting. We
write it as an *override* inside this environment (``<sys.prefix>/share/jupyter/lab/settings/
overrides.json``), so it applies to this course's virtual environment only and never touches the
learner's own JupyterLab settings. Python files keep opening in the code editor.

``nnlib lab --lang zh`` opens the Chinese edition (``zh/``), with the course's messages in Chinese
(``$NNLIB_LANG``, see ``nnlib.course.i18n``) and, when the ``zh`` extra installed JupyterLab's
language pack, JupyterLab's own menus in Chinese (the same overrides file sets its locale).
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
TRANSLATION = "@jupyterlab/translation-extension:plugin"
# For each edition: its folder, JupyterLab's locale, and the language pack that provides it.
EDITIONS = {
    "en": ("", "en", None),
    "zh": ("zh", "zh_CN", "jupyterlab-language-pack-zh-CN"),
}


def ui_locale(lang: str) -> str:
    """JupyterLab's locale for the edition ``lang``: its own if the language pack is installed."""
    from importlib import metadata

    _, locale, pack = EDITIONS[lang]
    if pack is None:
        return locale
    try:
        metadata.version(pack)
    except metadata.PackageNotFoundError:
        return "en"
    return locale


def overrides_path(prefix: str | Path = sys.prefix) -> Path:
    """Where JupyterLab reads setting overrides for the environment at ``prefix``."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def configure(prefix: str | Path = sys.prefix, lang: str = "en") -> Path:
    """Make Markdown open as a notebook in this environment's JupyterLab, keeping other overrides,
    and set JupyterLab's language to the edition ``lang``'s (``"en"`` or ``"zh"``).

    Returns the path of the overrides file. Running it again changes nothing.
    """
    path = overrides_path(prefix)
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    settings.setdefault(DOCMANAGER, {}).setdefault("defaultViewers", {}).update(VIEWERS)
    settings.setdefault(TRANSLATION, {})["locale"] = ui_locale(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return path


def edition_arguments(lang: str) -> list[str]:
    """JupyterLab's arguments that make it open on the edition ``lang``'s folder."""
    folder = EDITIONS[lang][0]
    return [f"--LabApp.default_url=/lab/tree/{folder}"] if folder else []


def edition_environment(lang: str) -> dict[str, str]:
    """The environment variables JupyterLab and its kernels get for the edition ``lang``.

    Only an explicitly chosen edition speaks for every notebook (``$NNLIB_LANG``); otherwise
    each notebook speaks its own folder's language (``nnlib.course.i18n``).
    """
    return {"NNLIB_LANG": lang} if EDITIONS[lang][0] else {}


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch(extra_args: list[str], lang: str = "en") -> int:
    """Configure the viewers and language, then run JupyterLab in the course's folder, showing
    the edition ``lang``, until it is stopped.

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
    configure(lang=lang)
    _, locale, pack = EDITIONS[lang]
    if pack and ui_locale(lang) != locale:
        print(
            f"JupyterLab stays in English: for its menus in Chinese, run: .venv/bin/pip install "
            f'-e ".[{lang}]"'
        )
    command = [sys.executable, "-m", "jupyterlab", *extra_args, *edition_arguments(lang)]
    env = {**os.environ, **edition_environment(lang)}
    return subprocess.call(command, cwd=COURSE_ROOT, env=env)
