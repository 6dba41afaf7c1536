"""Bytes to text, and the bounds every parser here enforces: the encoding (UTF-8, or a
UTF-16/32 byte-order mark), lone surrogates, and the nesting depth."""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

from ..errors import InputError

#: Deepest nesting accepted. Real specs stay under 30 levels (GitHub 17, Stripe 22); the
#: bound keeps every recursive walker downstream far from Python's recursion limit.
MAX_DEPTH = 128


def decode_text(raw: bytes, name: str) -> str:
    """Bytes to text, refusing empty, binary and non-UTF-8 input with a clear error."""
    if not raw or raw.isspace():  # (no stripped copy of a large file)
        raise InputError("the file is empty (expected a JSON or YAML document)", file=name, place="1")
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):  # UTF-16/32 are legal for JSON; decode them rather than call them binary
            try:
                return raw[len(bom):].decode(codec)
            except UnicodeDecodeError:
                break
    nul = raw.find(b"\x00", 0, 65536)
    if nul != -1:
        raise InputError(
            "the file is binary, not text (it contains NUL bytes)", file=name, place=_byte_place(raw, nul)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x})",
            file=name,
            place=_byte_place(raw, exc.start),
        ) from None


def _byte_place(raw: bytes, offset: int) -> str:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    return f"{line}:{offset - line_start + 1}"


def looks_like_json(text: str, name: str) -> bool:
    if name.lower().endswith(".json"):
        return True
    return text.lstrip()[:1] in ("{", "[")


#: a UTF-16 surrogate spelled as an escape (JSON's \\ud800, YAML's \\U0000d800 too)
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


_LOW_SURROGATE_ESCAPE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def refuse_lone_surrogates(text: str, data: Any, name: str) -> None:
    """Refuse a string that holds half of a UTF-16 surrogate pair (``"\\ud800"``).

    JSON and YAML can spell one, but it is no character: it cannot be written as UTF-8,
    so a report naming it would crash when it is printed. Only a text with such an escape
    is walked (a pair, ``\\ud83d\\ude00``, is one character and passes)."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and not _encodable(key):
                    raise _surrogate_error(text, name)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and not _encodable(node):
            raise _surrogate_error(text, name)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _surrogate_error(text: str, name: str) -> InputError:
    place = None
    for match in _SURROGATE_ESCAPE.finditer(text):
        escape = match.group()
        high = escape[-4].lower() in "89ab"
        pair = high and _LOW_SURROGATE_ESCAPE.match(text, match.end()) is not None
        after_high = not high and match.start() >= 6 and _SURROGATE_ESCAPE.fullmatch(text, match.start() - 6, match.start())
        if not pair and not after_high:
            place = _offset_place(text, match.start())
            break
    return InputError("a string holds a lone UTF-16 surrogate escape (such as \\ud800), which is not a "
                      "Unicode character: write the character itself, or both halves of its pair",
                      file=name, place=place)


def _offset_place(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - line_start + 1}"


def _depth_exceeds(value: Any, limit: int, exact: bool = False, skip: dict[int, Any] | None = None) -> bool:
    """Whether containers nest deeper than ``limit``. ``exact``: the value holds plain
    dicts and lists only (what ``json`` builds), so subclasses need no second test.
    ``skip``: containers three levels down at most, by id, known to be shallow enough
    (see :func:`equal_members`)."""
    if not exact:
        return _depth_exceeds_any(value, limit)
    # Level by level, dicts apart from lists, with C-level iteration: this touches every
    # value of a 4 MB spec, so the per-value Python work is one exact type test.
    dicts: list[Any] = [value] if type(value) is dict else []
    lists: list[Any] = [value] if type(value) is list else []
    depth = 0
    while dicts or lists:
        depth += 1
        if depth > limit:
            return True
        children = list(chain.from_iterable(map(dict.values, dicts)))
        children.extend(chain.from_iterable(lists))
        dicts = [child for child in children if type(child) is dict]
        lists = [child for child in children if type(child) is list]
        if skip and depth <= 3:
            dicts = [child for child in dicts if id(child) not in skip]
            lists = [child for child in lists if id(child) not in skip]
    return False


def _depth_exceeds_any(value: Any, limit: int) -> bool:
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        nxt: list[Any] = []
        push = nxt.append
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, (dict, list)):
                    push(child)
        level = nxt
    return False


def check_depth(value: Any, name: str, limit: int = MAX_DEPTH) -> None:
    """Refuse data nested deeper than ``limit`` (for values built by other means)."""
    if _depth_exceeds(value, limit):
        raise InputError(f"the document nests deeper than {limit} levels", file=name)
