"""Positions found lazily: the (line, column) of a JSON pointer in the source text, when
a finding needs it (YAML from the index its parse recorded; JSON by searching the text)."""

from __future__ import annotations

import bisect
import functools
import json
import re
from typing import Any

from .json_members import WHITESPACE as _WS
from .json_members import Spans
from .pointers import escape_token, unescape_pointer

_raw_decode = json.JSONDecoder().raw_decode


@functools.lru_cache(maxsize=64)
def _member_pattern(indent: int) -> re.Pattern[str]:
    return re.compile("\n" + " " * indent + r'("(?:[^"\\\n]|\\.)*")\s*:\s*')


_DIRECT_SEARCH_MAX = 65536


_NO_NODE: Any = object()


_LINE_BLOCK = 4096


_SPACES = re.compile(" *")


_PLAIN_KEY = re.compile(r'[ !#-\[\]-~]*')  # printable ASCII but '"' and '\\': written as it is


def _quoted(token: str) -> str | None:
    """``token`` as a JSON string, when there is only one way to write it."""
    return '"' + token + '"' if _PLAIN_KEY.fullmatch(token) else None


class Locator:
    """Turns a JSON pointer into a (line, column) of the source text, on demand.

    For YAML ``node`` is the :class:`YamlIndex` of :func:`parse_yaml`. For JSON ``node``
    may be the parsed data (it guides searches in pretty-printed text); the text is
    searched or scanned one container at a time, only along the pointers asked for,
    and everything found is cached: thousands of lookups cost about one parse.
    """

    def __init__(self, text: str, fmt: str, node: Any = None, members: Spans | None = None) -> None:
        self.text = text
        self.fmt = fmt
        self.node = node
        self.members: Spans = members or {}  # JSON: the span of each member read apart
        # pointer -> (offset of the key or item, offset of its value)
        self._json: dict[str, tuple[int, int]] = {}
        self._scanned: set[str] = set()
        self._spans: dict[int, tuple[int, int, int] | None] = {}
        self._layouts: dict[int, tuple[int, int, int] | None] = {}
        # with the parsed JSON as ``node``: objects by pointer, and per
        # object its key order with the (index, offset) of the members found so far
        self._nodes: dict[str, Any] = {}
        self._orders: dict[str, tuple[dict[str, int], list[int], list[int]]] = {}
        self._block_lines: list[int] = [0]  # lines before each block of _LINE_BLOCK characters
        self._block_starts: list[int] = [0]  # and the offset where the line open at its start began

    def position(self, pointer: str) -> tuple[int, int] | None:
        """The line and column of ``pointer``, or of its deepest existing parent."""
        if self.fmt == "yaml":
            return self._yaml_position(unescape_pointer(pointer))
        if self.fmt == "json":
            if pointer[:1] != "/":
                pointer = "/" + pointer if pointer else ""
            return self._line_col(self._json_offset("" if pointer == "/" else pointer))
        return None

    def _yaml_position(self, tokens: list[str]) -> tuple[int, int] | None:
        # here: reading JSON needs no YAML parser (~9 ms to import)
        from .yaml_tree import YamlIndex

        index = self.node
        if not isinstance(index, YamlIndex):
            return None
        value = index.root
        mark = index.root_mark
        for token in tokens:
            marks = index.marks.get(id(value))
            if isinstance(value, dict):
                if token not in value:
                    break
                found = marks.get(token) if marks is not None else None
                value = value[token]
                if found is None:  # a key brought in by a merge (<<): stay on the parent
                    break
                mark = found
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
                mark = marks[int(token)] if marks is not None else mark
            else:
                break
        return (mark.line + 1, mark.column + 1)

    def _json_offset(self, pointer: str) -> int:
        known = self._json
        if not known:
            start = _WS.match(self.text, 0)
            first = start.end() if start else 0
            known[""] = (first, first)
        if self.members:
            self._place_member(pointer)
        # From the longest prefix of the pointer placed already: a report asks for hundreds
        # of pointers deep in a few objects, so most of each one is known.
        end = len(pointer)
        found = known.get(pointer)
        while found is None:
            end = pointer.rfind("/", 0, end)
            if end <= 0:
                end = 0
                found = known[""]
            else:
                found = known.get(pointer[:end])
        path = pointer[:end]
        best, value_at = found
        rest = pointer[end + 1:].split("/") if end < len(pointer) else []
        for raw in rest:
            token = raw.replace("~1", "/").replace("~0", "~")
            child = path + "/" + escape_token(token)
            found = self._json.get(child)
            if found is None and path not in self._scanned:
                found = self._ordered_member(path, value_at, token)
                if found is None:
                    found = self._indented_member(value_at, token)
                if found is not None:
                    self._json[child] = found
            if found is None and path not in self._scanned:
                if not self._indented_scan(path, value_at):
                    self._scan(path, value_at)
                found = self._json.get(child)
            if found is None:
                break
            path = child
            best, value_at = found
        return best

    def _place_member(self, pointer: str) -> None:
        """Place the member (path item, component...) that ``pointer`` goes through from its
        span noted by the reader, rather than searching the large object that holds it."""
        first = pointer.find("/", 1)
        if first == -1:
            return
        end = pointer.find("/", first + 1)
        if pointer[1:first] == "components" and end != -1:
            end = pointer.find("/", end + 1)
        prefix = pointer if end == -1 else pointer[:end]
        if prefix in self._json:
            return
        tokens = tuple(unescape_pointer(prefix))
        span = self.members.get(tokens)
        if span is None:
            return
        value_at = span[0]
        text = self.text
        # the key is the last string before the colon before the value
        colon = text.rfind(":", 0, value_at)
        close = text.rfind('"', 0, colon)
        open_ = text.rfind('"', 0, close)
        if colon == -1 or open_ == -1 or text[colon + 1:value_at].strip() or text[close + 1:colon].strip() \
                or text[open_:close + 1] != _quoted(tokens[-1]):
            return  # spelled with escapes, or laid out otherwise: the search decides
        node = self.node
        for token in tokens:
            node = node.get(token) if type(node) is dict else None
        self._json[prefix] = (open_, value_at)
        if type(node) is dict:
            self._nodes[prefix] = node

    def _ordered_member(self, path: str, offset: int, token: str) -> tuple[int, int] | None:
        """One member of a pretty-printed object of the parsed data (``node``), found by
        a plain text search for its key one indent deeper, starting from the nearest
        member before it already found: keys come in the text in the order of the
        parsed dict, so thousands of lookups in the object that holds every schema scan
        it about once. None when the data, the layout or the key's spelling does not
        agree with the text; the caller then scans."""
        if not isinstance(self.node, dict):
            return None
        obj = self._nodes.get(path, _NO_NODE) if path else self.node
        if not isinstance(obj, dict) or token not in obj:
            return None
        layout = self._layout(offset)
        if layout is None:
            return None
        first, _, child_indent = layout
        key = json.dumps(token)
        if "\\" in key:
            return None  # escapes may be spelled otherwise in the text
        order = self._orders.get(path)
        if order is None:
            order = self._orders[path] = (dict(zip(obj, range(len(obj)), strict=True)), [-1], [first - 1])
        index_of, indexes, offsets = order
        i = index_of[token]
        j = bisect.bisect_left(indexes, i) - 1
        needle = "\n" + " " * child_indent + key + ":"
        at = self.text.find(needle, offsets[j])
        if at == -1 or (j + 1 < len(offsets) and at > offsets[j + 1]):
            return None
        indexes.insert(j + 1, i)
        offsets.insert(j + 1, at)
        value = obj[token]
        if isinstance(value, dict):
            self._nodes[path + "/" + escape_token(token)] = value
        return self._member_at(at, needle, child_indent)

    def _member_at(self, at: int, needle: str, child_indent: int) -> tuple[int, int]:
        """(offset of the key, offset of the value) of a member whose line ``needle``
        (newline, indent, key, colon) was found at ``at``."""
        after = _WS.match(self.text, at + len(needle))
        return (at + 1 + child_indent, after.end() if after else at + len(needle))

    def _layout(self, offset: int) -> tuple[int, int, int] | None:
        """(end of its first line, its indent, its members' indent) of a pretty-printed
        object at ``offset``: it opens a line of its own, each member sits on its own line
        one indent deeper, and it closes at its own indent. None for any other layout.
        Cached: every lookup inside an object asks again."""
        if offset not in self._layouts:
            self._layouts[offset] = self._read_layout(offset)
        return self._layouts[offset]

    def _read_layout(self, offset: int) -> tuple[int, int, int] | None:
        text = self.text
        if offset >= len(text) or text[offset] != "{":
            return None
        # Bounded looks only: in minified JSON the whole spec is one line, and a search
        # to the line's start or end from each object would be quadratic.
        gap = _WS.match(text, offset + 1).end()  # type: ignore[union-attr]
        first = text.find("\n", offset + 1, gap)
        if first == -1:
            return None  # a member follows on the same line
        line_start = self._line_start(offset)
        indent = _SPACES.match(text, line_start).end() - line_start  # type: ignore[union-attr]
        sample = text[first + 1:first + 257]
        child_indent = len(sample) - len(sample.lstrip(" "))
        if child_indent <= indent or sample[child_indent:child_indent + 1] not in ('"', "}"):
            return None
        return first, indent, child_indent

    def _indented_member(self, offset: int, token: str) -> tuple[int, int] | None:
        """One member of a small object at ``offset`` in pretty-printed JSON, found with a
        plain text search for its key one indent deeper, without decoding its siblings.
        None when the object is big, or the layout or the key's spelling is not the
        expected one; the caller then scans."""
        if offset not in self._spans:
            self._spans[offset] = self._small_object(offset)
        span = self._spans[offset]
        if span is None:
            return None
        first, end, child_indent = span
        needle = "\n" + " " * child_indent + json.dumps(token, ensure_ascii=False) + ":"
        at = self.text.find(needle, first - 1, end)
        if at == -1:
            return None  # not there, or spelled with other escapes
        return self._member_at(at, needle, child_indent)

    def _small_object(self, offset: int) -> tuple[int, int, int] | None:
        """(end of its first line, offset of its closing line, members' indent) of a
        pretty-printed object under ``_DIRECT_SEARCH_MAX`` characters, else None."""
        layout = self._layout(offset)
        if layout is None:
            return None
        first, indent, child_indent = layout
        end = self.text.find("\n" + " " * indent + "}", first, first + _DIRECT_SEARCH_MAX)
        return None if end == -1 else (first, end, child_indent)

    def _indented_scan(self, path: str, offset: int) -> bool:
        """Record every member of the object at ``offset`` in pretty-printed JSON with one
        regex pass: a member sits on its own line, one indent deeper than the line that
        opens its object, and the object closes at that line's indent. Raw newlines
        cannot occur inside JSON strings, so the layout is unambiguous. False when the
        text is not laid out that way (the caller then scans value by value)."""
        layout = self._layout(offset)
        if layout is None:
            return False
        _, indent, child_indent = layout
        text = self.text
        end = text.find("\n" + " " * indent + "}", offset)
        if end == -1:
            return False
        pattern = _member_pattern(child_indent)
        for match in pattern.finditer(text, offset, end + 1):
            try:
                key = json.loads(match.group(1))
            except ValueError:
                return False
            self._json[path + "/" + escape_token(str(key))] = (match.start(1), match.end())
        self._scanned.add(path)
        return True

    def _scan(self, path: str, offset: int) -> None:
        """Record the offset of every member of the container at ``offset``."""
        self._scanned.add(path)
        text = self.text
        if offset >= len(text) or text[offset] not in "{[":
            return
        is_object = text[offset] == "{"
        pos = _WS.match(text, offset + 1).end()  # type: ignore[union-attr]
        index = 0
        try:
            while pos < len(text) and text[pos] not in "}]":
                item_at = pos
                if is_object:
                    key, pos = _raw_decode(text, pos)
                    pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]  # past the colon
                    name = str(key)
                else:
                    name = str(index)
                    index += 1
                self._json[path + "/" + escape_token(name)] = (item_at, pos)
                _, pos = _raw_decode(text, pos)
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                if pos < len(text) and text[pos] == ",":
                    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        except (ValueError, RecursionError):  # the text parsed before; stop quietly
            return

    def _line_col(self, offset: int) -> tuple[int, int]:
        # Lines are counted in C from the start of the offset's block, the blocks before
        # it once each: a report asks for hundreds of positions all over a 4 MB spec.
        block = self._block(offset)
        line = self._block_lines[block] + self.text.count("\n", block * _LINE_BLOCK, offset)
        return (line + 1, offset - self._line_start(offset) + 1)

    def _line_start(self, offset: int) -> int:
        """The offset where the line holding ``offset`` begins. The search back stops at
        the start of the offset's block (the line open there is noted per block): minified
        JSON is one line, and a search back to its start per position would be quadratic."""
        block = self._block(offset)
        newline = self.text.rfind("\n", block * _LINE_BLOCK, offset)
        return newline + 1 if newline != -1 else self._block_starts[block]

    def _block(self, offset: int) -> int:
        """The block of ``offset``, its line count and line start noted (once per block)."""
        text, blocks, starts = self.text, self._block_lines, self._block_starts
        block = offset // _LINE_BLOCK
        while len(blocks) <= block:
            start = (len(blocks) - 1) * _LINE_BLOCK
            blocks.append(blocks[-1] + text.count("\n", start, start + _LINE_BLOCK))
            newline = text.rfind("\n", start, start + _LINE_BLOCK)
            starts.append(newline + 1 if newline != -1 else starts[-1])
        return block
