"""JSON read member by member at the top of a document, so that a second version can
take what it shares with the first one as it stands.

Two versions of a spec share most of their members, text for text (docs/performance.md
has the figures for the corpus). :func:`decode_members`
parses the top levels of a JSON object itself (the sections, and the kinds of
``components``) and hands each member below them (a path item, a webhook, a component)
to the C decoder, noting where its text starts and ends. Reading the other version, a
member whose text is the same as its twin's, at the same keys, is not parsed again: it
*is* its twin (a JSON value's text alone decides what it parses to). Only containers are
taken over, whose text ends where it closes; a number's text could go on.

Whatever this reader does not expect (an array at the top, a duplicate key, a syntax
error, nesting too deep) sends the whole text to the one-piece parse, which builds the same
values and words the error as before.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring as _scanstring  # type: ignore[attr-defined]
from typing import Any

#: the text span (start, end) of each member value, by its keys from the root
Spans = dict[tuple[str, ...], tuple[int, int]]

#: JSON's whitespace, as the decoder skips it
WHITESPACE = re.compile(r"[ \t\n\r]*")


class _Unusual(Exception):
    """Text this reader leaves to the one-piece parse."""


def decode_members(
    text: str, decoder: json.JSONDecoder, like: Any = None, like_text: str | None = None,
    like_spans: Spans | None = None,
) -> tuple[Any, Spans]:
    """``decoder.decode(text)`` and the span of each member two levels down (three in
    ``components``). With ``like``, the data parsed from ``like_text`` whose spans are
    ``like_spans``: members whose text is the same there are ``like``'s own objects."""
    spans: Spans = {}
    reader = _Reader(text, decoder, spans, like_text or "", like_spans if like_text is not None else None)
    try:
        start = WHITESPACE.match(text).end()  # type: ignore[union-attr]
        if text[start] != "{":
            raise _Unusual
        data, end = reader.object(start, (), like)
        if WHITESPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise _Unusual
    except Exception:  # the one-piece parse decides, and words any error
        return decoder.decode(text), {}
    return data, spans


class _Reader:
    def __init__(self, text: str, decoder: json.JSONDecoder, spans: Spans, like_text: str,
                 like_spans: Spans | None) -> None:
        self.text = text
        self.scan: Any = decoder.scan_once  # type: ignore[attr-defined]
        self.spans = spans
        self.like_text = like_text
        self.like_spans = like_spans or {}  # empty: nothing to take over

    def object(self, idx: int, path: tuple[str, ...], like: Any) -> tuple[dict[str, Any], int]:
        """The object at ``idx`` (its ``{``), its members split where they are sections."""
        text, ws = self.text, WHITESPACE.match
        out: dict[str, Any] = {}
        idx = ws(text, idx + 1).end()  # type: ignore[union-attr]
        if text[idx] == "}":
            return out, idx + 1
        like = like if type(like) is dict else {}
        level = len(path)
        while True:
            if text[idx] != '"':
                raise _Unusual
            key, idx = _scanstring(text, idx + 1)
            if key in out:
                raise _Unusual  # the last one would win: leave that to the one-piece parse
            idx = ws(text, idx).end()  # type: ignore[union-attr]
            if text[idx] != ":":
                raise _Unusual
            start = ws(text, idx + 1).end()  # type: ignore[union-attr]
            here = (*path, key)
            if text[start] == "{" and (level == 0 or (level == 1 and path[0] == "components")):
                value, idx = self.object(start, here, like.get(key))
            else:
                value, idx = self.member(start, here, like.get(key)) if level else self.scan(text, start)
            out[key] = value
            idx = ws(text, idx).end()  # type: ignore[union-attr]
            if text[idx] == ",":
                idx = ws(text, idx + 1).end()  # type: ignore[union-attr]
            elif text[idx] == "}":
                return out, idx + 1
            else:
                raise _Unusual

    def member(self, start: int, here: tuple[str, ...], twin: Any) -> tuple[Any, int]:
        text = self.text
        span = self.like_spans.get(here)
        if span is not None and (type(twin) is dict or type(twin) is list) \
                and text[start] == ("{" if type(twin) is dict else "["):
            twin_start, twin_end = span
            end = start + twin_end - twin_start
            if text.startswith(self.like_text[twin_start:twin_end], start):
                self.spans[here] = (start, end)
                return twin, end
        value, end = self.scan(text, start)
        self.spans[here] = (start, end)
        return value, end
