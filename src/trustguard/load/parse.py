"""Safe JSON / YAML parsing that keeps source positions and bounds hostile input.

YAML is built into plain Python values straight from libyaml's event stream, with an
explicit stack: nothing recurses, so 10,000-deep nesting is refused at the line where it
crosses the limit instead of overflowing the C stack, and an alias bomb (billion laughs)
is refused as soon as the values reached through aliases pass a bound, before anything
is expanded. The same pass records the line of every mapping key and sequence item.

JSON goes through the C decoder; its positions are found lazily, when a finding needs
the line of a JSON pointer.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from itertools import chain
from typing import Any

import yaml
from yaml import events as ev

from ..errors import InputError
from .json_members import WHITESPACE as _WS
from .json_members import Spans, decode_members

#: Deepest nesting accepted. Real specs stay under 30 levels (GitHub 17, Stripe 22); the
#: bound keeps every recursive walker downstream far from Python's recursion limit.
MAX_DEPTH = 128
#: Most values a document may reach through YAML aliases (each alias counts the whole
#: subtree it names). Real specs use a handful; a billion-laughs file needs billions.
MAX_ALIAS_EXPANSION = 1_000_000

try:  # the C parser is ~10x faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

_constructor = yaml.constructor.SafeConstructor()
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_TAG = "tag:yaml.org,2002:"
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class _Merge:
    """The ``<<`` merge key (a sentinel: it never reaches the data)."""


_MERGE = _Merge()
_NO_KEY = object()


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


# --- JSON -----------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_json_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN', re.S)


def parse_json(text: str, name: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; errors carry line:column. Nesting is bounded by ``max_depth``."""
    return parse_json_against(text, name, None, max_depth)[0]


def parse_json_against(
    text: str, name: str, like: Any, max_depth: int = MAX_DEPTH, like_locator: Locator | None = None,
) -> tuple[Any, dict[int, Any], Spans]:
    """:func:`parse_json`, for one version of a document whose other version ``like`` was
    parsed and checked already: also the members equal to ``like``'s (see
    :func:`equal_members`), whose depth needs no second look, and the text span of each
    member (see :mod:`~trustguard.load.json_members`). With ``like_locator``, the locator
    of ``like``'s text, members whose text is unchanged are not parsed again."""
    shared = like_locator is not None and like is not None and like_locator.node is like
    try:
        data, spans = decode_members(
            text, _json_decoder, like if shared else None,
            like_locator.text if shared else None,  # type: ignore[union-attr]
            like_locator.members if shared else None,  # type: ignore[union-attr]
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=name, place=f"{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise _json_depth_error(text, name, max_depth) from None
    except ValueError as exc:  # NaN / Infinity, or an integer beyond Python's digit limit
        if "digits" in str(exc):
            long_number = re.search(r"[0-9]{4000,}", text)
            place = _offset_place(text, long_number.start()) if long_number else None
            raise InputError("invalid JSON: a number has too many digits", file=name, place=place) from None
        raise InputError(f"invalid JSON: {exc}", file=name, place=_json_constant_place(text)) from None
    same = equal_members(data, like) if like is not None else {}
    if _depth_exceeds(data, max_depth, exact=True, skip=same):
        raise _json_depth_error(text, name, max_depth)
    refuse_lone_surrogates(text, data, name)
    return data, same, spans


def equal_members(data: Any, like: Any) -> dict[int, Any]:
    """The containers two or three levels down in ``data`` (a path item, a component,
    an operation) equal to the one at the same place in ``like``, the other version of
    the document, by id, with their twin in ``like``. Between two versions of a spec most
    of it is unchanged: what passed the checks in one version passes them in the other."""
    same: dict[int, Any] = {}
    if type(data) is not dict or type(like) is not dict:
        return same
    for key, section in data.items():
        other = like.get(key)
        if type(section) is not dict or type(other) is not dict:
            continue
        for name, member in section.items():
            twin: Any = other.get(name)
            if type(member) is not type(twin) or type(member) not in (dict, list):
                continue
            equal = member is twin or _equal(member, twin)
            if equal:
                same[id(member)] = twin
            if type(member) is dict:  # the members of an equal member are equal too
                for sub, value in member.items():
                    twin_value = twin.get(sub)
                    if (type(value) is type(twin_value) and type(value) in (dict, list)
                            and (equal or _equal(value, twin_value))):
                        same[id(value)] = twin_value
    return same


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a cyclic value, or one whose == is not a truth (handed in as a dict)
        return False


def _json_depth_error(text: str, name: str, limit: int) -> InputError:
    depth = 0
    place = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                place = _offset_place(text, match.start())
                break
        elif token in ("]", "}"):
            depth -= 1
    return InputError(f"the JSON nests deeper than {limit} levels", file=name, place=place)


def _json_constant_place(text: str) -> str | None:
    for match in _JSON_TOKEN.finditer(text):
        if match.group() in ("NaN", "Infinity", "-Infinity"):
            return _offset_place(text, match.start())
    return None


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


# --- YAML -----------------------------------------------------------------------------


class YamlIndex:
    """The mark of every mapping key and sequence item, by container identity.

    It keeps the root alive, so the identities stay valid as long as the index does.
    """

    def __init__(self, root: Any, root_mark: Any, marks: dict[int, Any]) -> None:
        self.root = root
        self.root_mark = root_mark
        self.marks = marks


def _plain_scalar(value: str) -> Any:
    """An unquoted scalar, typed as PyYAML's safe loader types it (YAML 1.1)."""
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return _typed(tag, value)
    return value


def _typed(tag: str, value: str) -> Any:
    kind = tag[len(_TAG):] if tag.startswith(_TAG) else ""
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLS.get(value.lower(), value)
    if kind == "merge":
        return _MERGE
    if kind in ("int", "float"):
        node = yaml.ScalarNode(tag, value)
        try:
            if kind == "int":
                return _constructor.construct_yaml_int(node)
            return _constructor.construct_yaml_float(node)
        except (ValueError, TypeError):  # e.g. an integer beyond Python's digit limit
            return value
    return value  # strings, timestamps (kept as text, as JSON would) and unknown tags


def _scalar(event: ev.ScalarEvent) -> Any:
    if event.tag is None or event.tag == "!":
        if event.implicit[0] and event.tag is None:
            return _plain_scalar(event.value) if event.value else None
        return event.value
    if event.tag in (_TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float"):
        return _typed(event.tag, event.value)
    return event.value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def parse_yaml(text: str, name: str) -> tuple[Any, YamlIndex]:
    """Parse one YAML document into plain values and a position index."""
    loader = _YamlLoader(text)
    try:
        built = _YamlBuilder(name).build(loader)
        refuse_lone_surrogates(text, built[0], name)
        return built
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:
            # libyaml (PyYAML >= 6.0.2) has a depth bound of its own, and its scanner can
            # reach it before the builder's bound sees the events: one message either way
            raise InputError(f"the YAML nests deeper than {MAX_DEPTH} levels", file=name, place=place) from None
        raise InputError(f"invalid YAML: {problem}", file=name, place=place) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=name) from None
    finally:
        loader.dispose()


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "marks", "merges", "size")

    def __init__(self, container: Any, anchor: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.key: Any = _NO_KEY
        self.size = 1
        self.anchor = anchor
        self.merges: list[Any] | None = None
        self.marks: Any = {} if self.is_map else []


class _YamlBuilder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.through_aliases = 0
        self.marks: dict[int, Any] = {}

    def error(self, message: str, mark: Any) -> InputError:
        place = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else None
        return InputError(message, file=self.name, place=place)

    def build(self, loader: Any) -> tuple[Any, YamlIndex]:
        get_event = loader.get_event
        frames: list[_Frame] = []
        root: Any = _NO_KEY
        root_mark: Any = None
        documents = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is ev.ScalarEvent:
                value = _scalar(event)
                size = 1
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise self.error(f"the YAML nests deeper than {MAX_DEPTH} levels", event.start_mark)
                container: Any = {} if kind is ev.MappingStartEvent else []
                frame = _Frame(container, event.anchor)
                self.marks[id(container)] = frame.marks
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                if frames:
                    self.attach(frames[-1], container, 0, event)
                else:
                    root, root_mark = container, event.start_mark
                frames.append(frame)
                continue
            elif kind is ev.AliasEvent:
                value, size = self.alias(event)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                done = frames.pop()
                if done.merges:
                    self.merge(done)
                if done.anchor:
                    self.anchors[done.anchor] = (done.container, done.size)
                    self.open_anchors.discard(done.anchor)
                if frames:
                    frames[-1].size += done.size
                continue
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.error("expected one YAML document, found several (---)", event.start_mark)
                continue
            elif kind is ev.StreamEndEvent:
                break
            else:
                continue
            if frames:
                self.attach(frames[-1], value, size, event)
            else:
                root, root_mark = value, event.start_mark
        if root is _NO_KEY:
            raise InputError("the file holds no YAML document", file=self.name, place="1")
        return root, YamlIndex(root, root_mark, self.marks)

    def attach(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        frame.size += size
        if not frame.is_map:
            frame.container.append(value)
            frame.marks.append(event.start_mark)
            return
        if frame.key is _NO_KEY:
            if value is _MERGE:
                frame.key = _MERGE
                return
            if isinstance(value, (dict, list)):
                raise self.error("a mapping key must be a plain value, not a mapping or a list",
                                 event.start_mark)
            key = _key_text(value)
            first = frame.marks.get(key)
            if first is not None:
                # YAML requires unique keys; taking the last one would silently drop
                # the first (a whole operation, when it is a method)
                raise self.error(f"duplicate key {key!r} in a mapping (first at line {first.line + 1})",
                                 event.start_mark)
            frame.key = key
            frame.marks[key] = event.start_mark
            return
        if frame.key is _MERGE:
            if frame.merges is None:
                frame.merges = []
            frame.merges.append((value, event.start_mark))
        else:
            frame.container[frame.key] = value
        frame.key = _NO_KEY

    def alias(self, event: Any) -> tuple[Any, int]:
        name = event.anchor
        if name in self.open_anchors:
            raise self.error(f"alias *{name} refers to a value that contains it (a recursive structure)",
                             event.start_mark)
        found = self.anchors.get(name)
        if found is None:
            raise self.error(f"alias *{name} names no anchor defined before it", event.start_mark)
        value, size = found
        self.through_aliases += size
        if self.through_aliases > MAX_ALIAS_EXPANSION:
            raise self.error(
                f"the YAML reaches more than {MAX_ALIAS_EXPANSION:,} values through aliases "
                "(an alias bomb?)",
                event.start_mark,
            )
        return value, size

    def merge(self, frame: _Frame) -> None:
        # YAML merge keys: explicit keys win, then earlier merged mappings win.
        out = frame.container
        for value, mark in frame.merges or []:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.error("a merge key (<<) takes a mapping or a list of mappings", mark)
                for key, item in source.items():
                    out.setdefault(key, item)


# --- pointers and lazy positions ------------------------------------------------------

_raw_decode = json.JSONDecoder().raw_decode


def unescape_pointer(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(*tokens: str) -> str:
    return "".join("/" + escape_token(t) for t in tokens)


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
