"""Messages in the learner's language: every catalog message is translated, compiled and used.

The messages are whatever ``_()`` and ``ngettext()`` wrap in nnlib, found by Babel's extractor
with the project's ``babel.cfg``, so a new message without a translation fails here.
"""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.course import i18n

CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/nnlib.po"))
PLACEHOLDER = re.compile(r"\{\w*\}")


def extracted_messages() -> set[str | tuple[str, str]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        ROOT / "nnlib",
        method_map,
        options_map,
        keywords={"_": None, "ngettext": (1, 2)},
    )
    return {message for _, _, message, _, _ in found}


@pytest.fixture(autouse=True)
def no_chosen_language():
    yield
    i18n.set_language(None)


def read_catalog(path: Path):
    with open(path, "rb") as file:
        return read_po(file)


def test_there_is_a_chinese_catalog_and_messages_to_translate():
    assert [p.parts[-3] for p in CATALOGS] == ["zh_CN"]
    assert len(extracted_messages()) >= 15


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-3])
def test_every_message_has_a_translation(po):
    catalog = read_catalog(po)
    for message in extracted_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        assert entry is not None, f"{po}: no entry for {msgid!r}: see babel.cfg to update it"
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings) and not entry.fuzzy, f"{po}: {msgid!r} is not translated"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(msgid)), (
                f"{po}: the translation of {msgid!r} must keep its placeholders"
            )


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-3])
def test_the_compiled_catalog_is_current(po):
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(po))
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == compiled.getvalue(), (
        f"{mo} is stale: run .venv/bin/pybabel compile -d nnlib/locale -D nnlib"
    )


def test_the_doctor_speaks_chinese_when_asked(capsys):
    main(["doctor", "--lang", "zh"])
    out = capsys.readouterr().out
    assert "\u2713 MNIST 数据：60000 + 10000 张图像，校验和一致" in out
    assert "Jupyter 内核" in out and "MNIST data" not in out
    assert out.strip().endswith(("一切正常。", "个问题需要解决。"))
    i18n.set_language("en")
    assert i18n._("MNIST data") == "MNIST data"


def test_the_language_follows_setting_environment_and_edition(monkeypatch):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", i18n.ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.chdir(ROOT / "chapters")
    assert i18n.language() == "en"
    monkeypatch.chdir(ROOT / "zh" / "chapters")
    assert i18n.language() == "zh_CN", "a notebook of zh/ runs in zh/chapters or zh/exercises"
    assert i18n._("Everything looks right.") == "一切正常。"
    monkeypatch.setenv(i18n.ENV, "en")
    assert i18n.language() == "en"
    i18n.set_language("zh-CN")
    assert i18n.language() == "zh_CN"
    assert (
        i18n.ngettext("{n} problem to fix.", "{n} problems to fix.", 3) == "有 {n} 个问题需要解决。"
    )


def test_the_shell_language_is_used_outside_an_edition(monkeypatch, tmp_path):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", i18n.ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.language() == "zh_CN"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.language() == "en", "a language without a catalog falls back to English"


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(
        ValueError, match=r"language='fr' is not one the course speaks: use one of en, zh_CN"
    ):
        i18n.set_language("fr")
