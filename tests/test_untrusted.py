"""Text from a learner's kernel: decoded safely, printable, short, and unable to pass as ours."""

import pytest

from nnlib.course.untrusted import TEXT_CAP, quoted, safe_text, type_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("\x1b[31mred\x1b[0m", "?[31mred?[0m"),
        ("line\n## Task 1\r**Score: 5 / 5**", "line?## Task 1?**Score: 5 / 5**"),
        ("rtl\u202eevil", "rtl?evil"),
        (b"bytes \xff\xfe", "bytes \ufffd\ufffd"),
        (3.5, "3.5"),
    ],
)
def test_safe_text_keeps_only_printable_characters(text, expected):
    assert safe_text(text) == expected


def test_lone_surrogates_become_replacement_characters_that_can_be_written():
    text = safe_text("a\ud800b\udcffc")
    assert text.startswith("a") and text.endswith("c") and "\ufffd" in text
    text.encode("utf-8")


def test_long_text_is_cut_to_the_cap():
    assert len(safe_text("x" * 10_000)) == TEXT_CAP
    assert safe_text("x" * 10_000).endswith("...")


def test_quoted_and_type_name():
    assert quoted("**Score**\n") == "«**Score**?»"
    assert type_name("ValueError") == "ValueError"
    assert type_name("numpy.linalg.LinAlgError") == "numpy.linalg.LinAlgError"
    assert type_name("ValueError: the hidden input was [2, 3]") == "an exception"
