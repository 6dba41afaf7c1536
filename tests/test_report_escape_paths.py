"""printable() and one_line() skip their regexes for the values that need nothing shown
(report/escape.py): the text they give is the regexes' text, whatever the characters."""

from __future__ import annotations

import re
import sys

import pytest

from trustguard.report import escape
from trustguard.report.escape import one_line, printable

_WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
_SAMPLES = [chr(c) for c in range(0x100)] + ["\u061c", "\u200e", "\u202e", "\u2066", "\u2028", "é", "😀"]


@pytest.mark.parametrize("char", _SAMPLES, ids=lambda c: f"U+{ord(c):04X}")
def test_printable_gives_the_regexs_text(char: str) -> None:
    for text in (char, f"GET /a{char}b", f"{char}\n{char}\tx" * 3, "a long line, " * 500 + char):
        assert printable(text) == escape._HIDDEN.sub(escape._visible, text)


def test_printable_shows_controls_and_keeps_tabs_and_newlines() -> None:
    assert printable("a\x1b[31mred\x07\tb\nc\r") == "a\\x1b[31mred\\x07\tb\nc\r"
    assert printable("plain, ASCII: text\nover lines\t") == "plain, ASCII: text\nover lines\t"
    assert printable("\u202eevil") == "\\u202eevil"


@pytest.mark.parametrize("space", _WHITESPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_one_line_folds_the_whitespace_the_regex_folds(space: str) -> None:
    for text in (space, f" a{space}{space}b{space}", f"x{space}\ny"):
        assert one_line(text) == re.sub(r"\s+", " ", printable(text)).strip()


@pytest.mark.parametrize("char", _SAMPLES, ids=lambda c: f"U+{ord(c):04X}")
def test_html_text_is_what_the_standard_librarys_html_escape_gives(char: str) -> None:
    import html

    for text in (char, f"<b title=\"{char}\">Tom & 'Jerry'{char}</b>", f"a\n{char}&amp;"):
        assert escape.html_text(text) == html.escape(one_line(text), quote=True)
        assert escape.html_text(text, keep_newlines=True) == html.escape(printable(text), quote=True)
    assert escape.html_text("<script>alert('x') & \"y\"</script>") == (
        "&lt;script&gt;alert(&#x27;x&#x27;) &amp; &quot;y&quot;&lt;/script&gt;")
    assert escape.html_text("plain text") == "plain text"
