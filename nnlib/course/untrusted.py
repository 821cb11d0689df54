"""Text that comes from a learner's kernel, made safe to show: decoded, printable, short, quoted.

Part of the course's tools (used by ``nnlib.course.grade`` and ``nnlib.course.harness``); no
chapter introduces it.

A hostile kernel chooses every character of its error messages, of the strings its functions
return and of the names of its types. Before such text reaches ``feedback.md``, ``results.json``
or the gradebook it goes through :func:`safe_text`: bytes that are not UTF-8 and lone surrogates
(``"\\ud800"``) become ``\ufffd`` (so writing the file cannot fail), control characters (ANSI
escapes, carriage returns, bidirectional overrides, new lines) become ``?`` (so it cannot forge
a heading, a score or a colour), and it is cut to a fixed length.
:func:`quoted` then puts it between guillemets, on one line after the grader's own words.
"""

from __future__ import annotations

import re
import unicodedata

TEXT_CAP = 300
TYPE_CAP = 60
PLACEHOLDER = "?"
ELLIPSIS = "..."
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _printable(character: str) -> str:
    if character == " ":
        return character
    category = unicodedata.category(character)
    return PLACEHOLDER if category[0] in "CZ" else character  # controls, separators, surrogates


def safe_text(text: object, cap: int = TEXT_CAP) -> str:
    """``text`` (a str, bytes or anything else) as one line of at most ``cap`` printable characters.

    Examples
    --------
    >>> safe_text("\\x1b[31m**Score: 5 / 5**\\n## Task 1")
    '?[31m**Score: 5 / 5**?## Task 1'
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text[: 4 * (cap + 1)]).decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = str(text)
    text = text[: cap + 1].encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = "".join(map(_printable, text))
    return text if len(text) <= cap else text[: cap - len(ELLIPSIS)] + ELLIPSIS


def quoted(text: object, cap: int = TEXT_CAP) -> str:
    """:func:`safe_text` between guillemets, so a reader sees where the kernel's words are."""
    return f"«{safe_text(text, cap)}»"


def type_name(text: object) -> str:
    """An exception's type name as a kernel reported it, or ``"an exception"`` if it is not one.

    A hidden test's feedback shows only this, so it must not be able to carry a message.
    """
    name = safe_text(text, TYPE_CAP)
    return name if IDENTIFIER.fullmatch(name) else "an exception"
