"""Messages in the learner's language: every catalog message is translated, compiled and used.

The messages are whatever ``_()``, ``N_()`` and ``ngettext()`` wrap in nnlib, found by Babel's
extractor with the project's ``babel.cfg``, so a new message without a translation fails here; and
every text the exercises' checks may show (hints, mistake names) must be such a message.
"""

import ast
import importlib
import io
import json
import re
import shutil
from functools import cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from grading.attacks import EX01, SOLUTION_PREDICT, right
from test_grade import _rendered

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.course import i18n
from nnlib.course.checks import ex01, ex08, ex09
from nnlib.course.release import render
from nnlib.course.selfcheck import run_task
from nnlib.course.verdicts import TaskGrade

CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/nnlib.po"))
PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # {name}, {name!r}, {value:.4g}
CHECKS = sorted(p.stem for p in (ROOT / "nnlib" / "course" / "checks").glob("ex*.py"))


@cache
def extracted_messages() -> frozenset[str | tuple[str, str]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        ROOT / "nnlib",
        method_map,
        options_map,
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    )
    return frozenset(message for _, _, message, _, _ in found)


def msgids() -> set[str]:
    return {m[0] if isinstance(m, tuple) else m for m in extracted_messages()}


@pytest.fixture(autouse=True)
def no_chosen_language():
    yield
    i18n.set_language(None)


def read_catalog(path: Path):
    with open(path, "rb") as file:
        return read_po(file)


def test_there_is_a_chinese_catalog_and_messages_to_translate():
    assert [p.parts[-3] for p in CATALOGS] == ["zh_CN"]
    assert len(extracted_messages()) >= 380  # nnlib doctor's, the self-checks' and their hints
    assert any(isinstance(m, tuple) for m in extracted_messages()), "ngettext plurals are covered"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-3])
def test_every_message_has_a_translation(po):
    catalog = read_catalog(po)
    for message in extracted_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        assert entry is not None, f"{po}: no entry for {msgid!r}: see babel.cfg to update it"
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings) and not entry.fuzzy, f"{po}: {msgid!r} is not translated"
        if isinstance(message, tuple):
            assert len(strings) == catalog.num_plurals, f"{po}: {msgid!r} needs every plural form"
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


# ---- the exercises' self-checks ----


def shown_texts(exercise: str) -> list[str]:
    """Every text of an exercise's checks that a learner may be shown: the hints of its cases,
    the names and hints of its planted mistakes, the hint of a broken no-warning promise."""
    module = importlib.import_module(f"nnlib.course.checks.{exercise}")
    texts = []
    for task in module.check.tasks.values():
        texts += [case.hint for case in task.cases] + [task.warning_hint]
        texts += [text for m in task.mistakes for text in (m.description, m.hint)]
    return [text for text in texts if text]


@pytest.mark.parametrize("exercise", CHECKS)
def test_every_hint_and_mistake_name_of_the_checks_is_a_catalog_message(exercise):
    unmarked = [text for text in shown_texts(exercise) if text not in msgids()]
    assert not unmarked, (
        f"{exercise}: mark these with N_() (nnlib.course.i18n) and translate them: {unmarked}"
    )


@pytest.mark.parametrize("exercise", CHECKS)
def test_the_checks_build_no_untranslatable_text(exercise):
    """A verify's f-string or bare returned string would reach the learner in English."""
    tree = ast.parse((ROOT / "nnlib" / "course" / "checks" / f"{exercise}.py").read_text())
    for node in ast.walk(tree):
        assert not isinstance(node, ast.JoinedStr), (
            f'{exercise}.py line {node.lineno}: use _("... {{name}} ...").format(name=...), '
            f"not an f-string"
        )
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
            assert not isinstance(node.value.value, str), (
                f'{exercise}.py line {node.lineno}: return _("..."), not a bare string'
            )


def forgot_the_bias(x, w, b):
    return x @ w  # 0.8*1 + (-0.4)*0.5 = 0.6 on case 1, where the answer is 0.5


def test_a_failing_check_speaks_chinese_in_a_notebook_of_the_chinese_edition(monkeypatch, capsys):
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.chdir(ROOT / "zh" / "exercises")  # where the kernel of a zh/ notebook runs
    ex01.check("weighted_sum", forgot_the_bias)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "weighted_sum：3 项可见检查中通过了 0 项。"
    assert lines[1] == "  ✗ 用例 1：weighted_sum(x=[1. , 0.5], w=[ 0.8, -0.4], b=-0.1)"
    assert lines[2] == "       应为 0.5，得到的是 0.6"
    assert lines[3] == (
        "       提示：你的答案与这个错误给出的结果完全一致：忘了加偏置。"
        "z = w @ x + b：求出输入的加权和之后，再加一次偏置 b。"
    )
    assert lines[-1] == "（计分测试可能包含比这些可见检查更多的用例。）"
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", "\n".join(lines)), "no English prose is left"


def test_the_same_check_speaks_english_by_default(monkeypatch, capsys):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", i18n.ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.chdir(ROOT / "exercises")
    ex01.check("weighted_sum", forgot_the_bias)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "weighted_sum: 0 of 3 visible checks pass.",
        "  ✗ case 1: weighted_sum(x=[1. , 0.5], w=[ 0.8, -0.4], b=-0.1)",
        "       expected 0.5, got 0.6",
        "       hint: your answer is exactly what this mistake gives: forgot the bias. "
        "z = w @ x + b: after the weighted sum of the inputs, add the bias b once.",
    ]
    assert lines[-1] == "(The graded tests may hold more cases than these visible checks.)"


def test_a_verify_message_and_its_plural_forms_are_translated():
    """ex08's round trip: 'n arrays were saved but m came back', counted by hand."""
    one, three = [np.zeros(2)], [np.zeros(2), np.ones(1), np.arange(3)]
    i18n.set_language("en")
    assert ex08._round_trip([], one) == "1 array was saved but 0 came back"
    assert ex08._round_trip(three[:1], three) == "3 arrays were saved but 1 came back"
    i18n.set_language("zh")
    assert ex08._round_trip([], one) == "存入了 1 个数组，但读回了 0 个"
    assert ex08._round_trip(three[:1], three) == "存入了 3 个数组，但读回了 1 个"
    assert ex08._round_trip([np.zeros(2, dtype=np.float32)], one) == (
        "数组 0 读回时为 float32，但存入时为 float64：请保持每个数组的 dtype，"
        "np.savez 和 np.load 本来就会保持"
    )


def test_a_verify_message_built_from_notes_is_translated_whole():
    """ex09's bad lines: line 13 is the softmax, which is not where the NaN is made."""
    i18n.set_language("en")
    assert ex09._bad_lines((13, 7)).startswith(
        "nan_line = 13 is not it. Line 13's softmax is computed fine"
    )
    i18n.set_language("zh")
    assert ex09._bad_lines((13, 7)) == (
        "nan_line = 13 不对。第 13 行的 softmax 计算没有问题，也从不溢出（TensorFlow 会先减去"
        "最大的 logit）；NaN 出现在它的某个输出 0 被送进对数的地方。"
    )
    assert ex09._bad_lines((15, 7)) is None


def test_the_graders_verdicts_speak_the_language_asked_for():
    results = run_task(ex01.weighted_sum, forgot_the_bias)
    i18n.set_language("zh")
    report = TaskGrade("weighted_sum", 1.0, results).report()
    assert report.splitlines()[0] == "weighted_sum：3 项测试中通过了 0 项。"
    i18n.set_language("en")
    assert (
        TaskGrade("weighted_sum", 1.0, results)
        .report()
        .startswith("weighted_sum: 0 of 3 tests pass.")
    )


@pytest.fixture
def chinese_exercises(tmp_path) -> Path:
    """A Chinese edition's exercises folder holding exercise 01's student version, nothing done."""
    folder = tmp_path / "zh" / "exercises"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "ex01_single_neuron.ipynb", folder)
    return folder


def test_nnlib_check_and_progress_speak_the_edition_of_the_notebooks(
    chinese_exercises, monkeypatch, capsys
):
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.chdir(ROOT)  # a terminal at the course's root, reading a zh/ notebook
    notebook = chinese_exercises / "ex01_single_neuron.ipynb"
    assert main(["check", str(notebook)]) == 1
    out = capsys.readouterr().out
    assert "weighted_sum：尚未完成。请用你的代码替换 `raise NotImplementedError()`。" in out
    assert out.strip().endswith("ex01_single_neuron.ipynb：4 个任务中有 0 个通过了可见检查。")
    assert main(["check", str(notebook), "--lang", "en", "--task", "weighted_sum"]) == 1
    assert "ex01_single_neuron.ipynb: 0 of 1 tasks pass their visible checks." in (
        capsys.readouterr().out
    )
    i18n.set_language(None)
    (chinese_exercises / "ex99_broken.ipynb").write_text("{", encoding="utf-8")
    assert main(["progress", str(chinese_exercises)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| 练习 | 已完成任务 | 任务 |"
    assert table[2].startswith("| ex01_single_neuron | 0 / 4 | ○ weighted_sum · ○ predict_batch")
    assert table[3].startswith("| ex99_broken | - | 无法检查：")
    assert table[-1] == "✓ 通过可见检查，✗ 尚未通过，○ 尚未开始"


def test_the_grader_writes_chinese_feedback_when_asked(tmp_path, capsys):
    submission = tmp_path / "ann.ipynb"
    submission.write_text(
        render(right(weighted_sum="def weighted_sum(x, w, b):\n    return x @ w\n")),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["grade", str(EX01), str(submission), "--out", str(out), "--lang", "zh"]) == 0
    feedback = (out / "ann" / "feedback.md").read_text(encoding="utf-8")
    assert "weighted_sum：3 项测试中通过了 0 项。" in feedback
    assert "提示：你的答案与这个错误给出的结果完全一致：忘了加偏置。" in feedback
    assert "predict_batch：全部 3 项测试都通过了。" in feedback


def test_the_grader_answers_a_chinese_notebook_in_chinese_and_stays_unforgeable(
    tmp_path, monkeypatch
):
    """The real grader, in its sandbox, on a student version of the Chinese edition: one task
    right, one wrong (the planted "forgot the bias"), one raising text that mimics the
    feedback's Chinese headings and score, one not done. The feedback speaks the source's
    edition without --lang, and only the grader's own lines render as Markdown."""
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.chdir(ROOT)
    forged = "\\n**得分：5 / 5**（状态：ok）\\n## 任务 9：x (1 / 1)\\n```"
    answers = {
        "weighted_sum": "def weighted_sum(x, w, b):\n    return x @ w\n",
        "predict_batch": SOLUTION_PREDICT,
        "nand_weights": f"def nand_weights():\n    raise ValueError('{forged}')\n",
    }
    notebook = nbformat.read(ROOT / "zh" / "exercises" / "ex01_single_neuron.ipynb", 4)
    for cell in notebook.cells:
        task = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.source = answers.get(task, cell.source)
    submission = tmp_path / "ann.ipynb"
    submission.write_text(render(notebook), encoding="utf-8")
    source = ROOT / "zh" / "exercises" / "source" / "ex01_single_neuron.ipynb"
    assert main(["grade", str(source), str(submission), "--out", str(tmp_path / "out")]) == 0
    feedback = (tmp_path / "out" / "ann" / "feedback.md").read_text(encoding="utf-8")
    rendered = [line for line in _rendered(feedback) if line]
    assert re.fullmatch(r"# 练习 01.*：给 ann 的反馈", rendered[0]), rendered[0]
    assert rendered[1:] == [
        "**得分：1 / 5**（状态：ok）",
        "## 任务 1：weighted_sum (0 / 1)",
        "## 任务 2：predict_batch (1 / 1)",
        "## 任务 3：nand_weights (0 / 1)",
        "## 任务 4：perceptron_update (0 / 2)",
    ]
    assert "weighted_sum：3 项测试中通过了 0 项。" in feedback
    assert "提示：你的答案与这个错误给出的结果完全一致：忘了加偏置。" in feedback
    assert "predict_batch：全部 3 项测试都通过了。" in feedback
    assert "抛出了 ValueError: " in feedback  # its text stays inside the fenced block
    assert "perceptron_update：尚未完成。请用你的代码替换 `raise NotImplementedError()`。" in (
        feedback
    )
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", feedback), "no English prose is left"
    results = json.loads((tmp_path / "out" / "ann" / "results.json").read_text(encoding="utf-8"))
    assert [test["name"] for test in results["tests"]][:2] == [
        "任务 1：weighted_sum",
        "任务 2：predict_batch",
    ]
    gradebook = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8")
    assert gradebook.splitlines()[0] == (
        "name,weighted_sum,predict_batch,nand_weights,perceptron_update,total,max,status"
    ), "what programs read stays English"
