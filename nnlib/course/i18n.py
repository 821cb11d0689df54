"""Messages in the learner's language: English, or Simplified Chinese from a gettext catalog.

Not part of any chapter: the course tools (``nnlib doctor`` first) speak through it. A message is
written in English in the code, wrapped as ``_("...")`` (or ``ngettext(singular, plural, n)``), and
looked up at the moment it is shown in the catalog ``nnlib/locale/<language>/LC_MESSAGES/nnlib.mo``,
compiled from the ``nnlib.po`` beside it (see ``babel.cfg``); English needs no catalog.

The language is, in this order: the one given to :func:`set_language` (``nnlib doctor --lang zh``);
``$NNLIB_LANG`` (``nnlib lab --lang zh`` sets it for JupyterLab and its kernels); the edition of
the current folder (a kernel runs in its notebook's folder, so a notebook of ``zh/`` speaks
Chinese); else the usual ``$LANGUAGE``, ``$LC_ALL``, ``$LC_MESSAGES``, ``$LANG``.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "nnlib"
LANGUAGES = ("en", "zh_CN")
ENV = "NNLIB_LANG"
EDITIONS = {"zh": "zh_CN"}  # a folder of the course holding an edition -> its language

_chosen: str | None = None


def normalize(lang: str) -> str:
    """The catalog's name for ``lang``: ``"zh"``, ``"zh-CN"``, ``"zh_CN.UTF-8"`` -> ``"zh_CN"``.

    Raises ``ValueError`` for a language the course does not speak, naming the ones it does.
    """
    code = lang.split(".")[0].replace("-", "_").lower()
    if code in ("c", "posix") or code == "en" or code.startswith("en_"):
        return "en"
    if code == "zh" or code in ("zh_cn", "zh_hans", "zh_sg"):
        return "zh_CN"
    raise ValueError(
        f"language={lang!r} is not one the course speaks: use one of {', '.join(LANGUAGES)} "
        f"(or zh for zh_CN)"
    )


def set_language(lang: str | None) -> None:
    """Speak ``lang`` from now on in this process; ``None`` goes back to choosing by itself."""
    global _chosen
    _chosen = None if lang is None else normalize(lang)


def edition_language(folder: Path) -> str | None:
    """The language of the edition ``folder`` lies in (``zh/chapters`` -> ``zh_CN``), if any."""
    for parent in (folder, *folder.parents):
        if parent.name in EDITIONS and any(
            (parent / part).is_dir() for part in ("chapters", "exercises")
        ):
            return EDITIONS[parent.name]
    return None


def language() -> str:
    """The language messages are shown in now (see the module's docstring for the order)."""
    if _chosen:
        return _chosen
    if os.environ.get(ENV):
        return normalize(os.environ[ENV])
    try:
        edition = edition_language(Path.cwd())
    except OSError:  # the current folder was deleted
        edition = None
    if edition:
        return edition
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").split(":")[0]
        if value:
            try:
                return normalize(value)
            except ValueError:
                return "en"
    return "en"


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English: messages as written)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def _(message: str) -> str:
    """``message`` in the current language."""
    return translation(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, for ``n``, in the current language."""
    return translation(language()).ngettext(singular, plural, n)
