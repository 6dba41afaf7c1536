"""The reports' JSON text: exactly what ``json.dumps(data, indent=2, sort_keys=True,
ensure_ascii=False)`` writes, made by orjson where that gives the same bytes.

The standard library writes indented JSON in pure Python (its C encoder serves only
``indent=None`` before Python 3.14): 0.1 s for the 9 MB JSON report of Stripe's 6-month
pair, as long as the rest of rendering it; orjson writes it in ~0.03 s. For the values a
report holds (str, int, bool, None, finite floats, lists and dicts with str keys) the
two write the same bytes: the same indentation and separators, keys in code point
order, the same escapes, and floats in their shortest repr, except that below 1e-4 in
magnitude Python writes an exponent (``1e-05``) where orjson writes ``0.00001`` or
``1e-5``. So the standard library writes the text instead when orjson refuses the data
(an integer beyond 64 bits, a key that is not a str, a lone surrogate, nesting beyond
254) or when orjson's text holds a number written so (``0.0000`` or a digit then
``e-``; a string holding such text only costs the slower path). A non-finite float would
be ``null`` from orjson and ``NaN`` (not JSON) from the standard library: the reports
get their values from pydantic's ``mode="json"`` dump, which already writes those as null.

Searching 9 MB of text for those two spellings is two passes over it (~13 ms here); a
caller that built the data itself and knows whether such a float went in
(report/json_data.py notes it) says so with ``small_float`` and saves them.

A report file ends with a newline: orjson writes it (``newline``) rather than the caller
adding it to the decoded text, a second 9 MB string made and copied (~3 ms of CPU of the
~50 ms Stripe's JSON report takes to render, in a fresh process).

A report written to a file needs its UTF-8 bytes, which orjson makes: :func:`dumps_sorted_file`
hands them on, where decoding them to a str and the writer encoding that str again
copied the 9.7 MB of Stripe's SARIF log twice (measured in one sitting, `trustguard check
-f sarif -o FILE` in 12 fresh processes each, interleaved, best/median: rendering
64.7/66.7 -> 62.4/65.8 ms, writing 13.2/14.3 -> 11.2/13.0 ms; the 9.1 MB JSON report in 10
runs: 35.4/37.4 -> 33.7/35.0 and 11.9/12.4 -> 10.4/10.8 ms; ``--per-operation``'s 95 MB
in 5: 331/340 -> 274/291 and 116/125 -> 72/77 ms, peak RSS 313 -> 221 MB).
"""

from __future__ import annotations

import json
from typing import Any


def dumps_sorted(data: Any, *, small_float: bool | None = None, newline: bool = False) -> str:
    """``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)``, fast.

    ``small_float``: whether ``data`` holds a float below 1e-4 in magnitude (other than
    0), when the caller knows (None: the text is searched for one). ``newline``: the
    text ends with one, as a file does (written with it, not a copy of 9 MB made to add it)."""
    raw = _orjson(data, small_float, newline)
    return raw.decode("utf-8") if raw is not None else _stdlib(data) + ("\n" if newline else "")


def dumps_sorted_file(data: Any, *, small_float: bool | None = None) -> bytes:
    """The bytes of a file holding ``dumps_sorted(data, small_float=small_float,
    newline=True)``, as trustguard writes one (UTF-8, a lone surrogate as its escape)."""
    raw = _orjson(data, small_float, True)
    return raw if raw is not None else (_stdlib(data) + "\n").encode("utf-8", "backslashreplace")


def _orjson(data: Any, small_float: bool | None, newline: bool) -> bytes | None:
    """orjson's UTF-8 text of ``data``, None where the standard library must write it."""
    if small_float:
        return None
    import orjson

    option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS \
        | orjson.OPT_PASSTHROUGH_DATETIME
    try:
        raw = orjson.dumps(data, option=option | orjson.OPT_APPEND_NEWLINE if newline else option)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    if small_float is None and (b"0.0000" in raw or _digit_then_exponent(raw)):
        return None
    return raw


def _stdlib(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def _digit_then_exponent(raw: bytes) -> bool:
    """Whether ``raw`` holds a digit followed by ``e-`` (a small float in exponent form)."""
    at = raw.find(b"e-")
    while at != -1:
        if at > 0 and 0x30 <= raw[at - 1] <= 0x39:
            return True
        at = raw.find(b"e-", at + 2)
    return False
