"""Safe JSON / YAML parsing that keeps source positions and bounds hostile input.

YAML is composed into a node tree by libyaml, then turned into plain Python values
here, so that alias bombs (billion laughs) and absurd nesting are caught before
anything walks the expanded data. Positions are looked up lazily: a JSON pointer is
turned into a line only when a finding needs one.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..errors import InputError

MAX_DEPTH = 256
MAX_EXPANDED_NODES = 5_000_000

try:  # the C loader is ~10x faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

_constructor = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
}


def decode_text(raw: bytes, name: str) -> str:
    """Bytes to text, refusing binary and non-UTF-8 input with a clear error."""
    if not raw.strip():
        raise InputError("the file is empty", file=name)
    if b"\x00" in raw[:8192]:
        raise InputError("the file is binary, not text (it contains NUL bytes)", file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"the file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x})",
            file=name,
            place=f"{line}",
        ) from None
    return text


def looks_like_json(text: str, name: str) -> bool:
    if name.lower().endswith(".json"):
        return True
    stripped = text.lstrip()
    return stripped[:1] in ("{", "[")


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=name, place=f"{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise InputError(
            "the JSON nests too deeply to be a real document", file=name
        ) from None


def compose_yaml(text: str, name: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", file=name, place=place) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=name) from None
    except RecursionError:
        raise InputError("the YAML nests too deeply to be a real document", file=name) from None


class _NodeConverter:
    """Turns a composed YAML node graph into Python values, bounded in size and depth."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}

    def expanded_size(self, root: yaml.Node) -> int:
        # Iterative post-order walk with memo: aliases share nodes, so this counts what a
        # naive walk would visit without ever doing that walk.
        stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
        on_path: set[int] = set()
        while stack:
            node, depth, done = stack.pop()
            key = id(node)
            if done:
                on_path.discard(key)
                total = 1
                for child in _children(node):
                    total += self.sizes.get(id(child), 1)
                    if total > MAX_EXPANDED_NODES:
                        break
                self.sizes[key] = total
                if total > MAX_EXPANDED_NODES:
                    raise InputError(
                        f"the YAML expands to more than {MAX_EXPANDED_NODES:,} values through "
                        "aliases (an alias bomb?)",
                        file=self.name,
                        place=f"{node.start_mark.line + 1}",
                    )
                continue
            if key in self.sizes:
                continue
            if depth > MAX_DEPTH:
                raise InputError(
                    f"the YAML nests deeper than {MAX_DEPTH} levels",
                    file=self.name,
                    place=f"{node.start_mark.line + 1}",
                )
            if key in on_path:
                raise InputError(
                    "the YAML refers to itself through an alias (a recursive structure)",
                    file=self.name,
                    place=f"{node.start_mark.line + 1}",
                )
            on_path.add(key)
            stack.append((node, depth, True))
            for child in _children(node):
                if id(child) not in self.sizes:
                    stack.append((child, depth + 1, False))
        return self.sizes.get(id(root), 1)

    def convert(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = []
            self.memo[key] = value
            value.extend(self.convert(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            value = {}
            self.memo[key] = value
            self._mapping(node, value)
        else:  # pragma: no cover - libyaml only yields these three
            raise InputError("unsupported YAML node", file=self.name)
        self.memo[key] = value
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        build = _SCALAR_TAGS.get(node.tag)
        if build is None:
            return node.value  # strings, timestamps and unknown tags stay text
        try:
            return build(node)
        except (ValueError, TypeError):
            return node.value

    def _mapping(self, node: yaml.MappingNode, out: dict[str, Any]) -> None:
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                source = self.convert(value_node)
                sources = source if isinstance(source, list) else [source]
                merged.extend(s for s in sources if isinstance(s, dict))
                continue
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None and not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    "a mapping key must be a plain value",
                    file=self.name,
                    place=f"{key_node.start_mark.line + 1}",
                )
            out[_key_text(key)] = self.convert(value_node)
        for source in merged:
            for k, v in source.items():
                out.setdefault(k, v)


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        out: list[yaml.Node] = []
        for k, v in node.value:
            out.append(k)
            out.append(v)
        return out
    return []


def parse_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    root = compose_yaml(text, name)
    if root is None:
        raise InputError("the file holds no YAML document", file=name)
    converter = _NodeConverter(name)
    converter.expanded_size(root)
    return converter.convert(root), root


def check_depth(value: Any, name: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON deeper than ``limit`` (the JSON parser itself allows ~1000)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise InputError(f"the document nests deeper than {limit} levels", file=name)
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))


# --- lazy positions -------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


def unescape_pointer(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(*tokens: str) -> str:
    return "".join("/" + escape_token(t) for t in tokens)


class Locator:
    """Turns a JSON pointer into a (line, column) of the source text, on demand."""

    def __init__(self, text: str, fmt: str, node: yaml.Node | None = None) -> None:
        self.text = text
        self.fmt = fmt
        self.node = node
        self._json_cache: dict[str, int] = {"": self._skip_ws(0)}
        self._line_starts: list[int] | None = None

    def position(self, pointer: str) -> tuple[int, int] | None:
        """The deepest existing position along ``pointer`` (a parent when it is gone)."""
        tokens = unescape_pointer(pointer)
        if self.fmt == "yaml":
            return self._yaml_position(tokens)
        if self.fmt == "json":
            offset = self._json_offset(tokens)
            return self._line_col(offset) if offset is not None else None
        return None

    def _yaml_position(self, tokens: list[str]) -> tuple[int, int] | None:
        node = self.node
        if node is None:
            return None
        mark = node.start_mark
        for token in tokens:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == token:
                        mark = key_node.start_mark
                        nxt = value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                if index < len(node.value):
                    nxt = node.value[index]
                    mark = nxt.start_mark
            if nxt is None:
                break
            node = nxt
        return (mark.line + 1, mark.column + 1)

    def _skip_ws(self, offset: int) -> int:
        match = _WS.match(self.text, offset)
        return match.end() if match else offset

    def _json_offset(self, tokens: list[str]) -> int | None:
        text = self.text
        path = ""
        offset = self._json_cache[""]
        best = offset
        for token in tokens:
            child = path + "/" + escape_token(token)
            cached = self._json_cache.get(child)
            if cached is not None:
                path, offset, best = child, cached, cached
                continue
            found = self._scan_container(path, offset, token)
            if found is None:
                return best
            path, offset = child, found
            best = offset
            if offset >= len(text):
                return best
        return best

    def _scan_container(self, path: str, offset: int, token: str) -> int | None:
        """Scan the object or array at ``offset``, caching every child's offset."""
        text = self.text
        if offset >= len(text):
            return None
        opener = text[offset]
        if opener not in "{[":
            return None
        marker = path + "/\x00scanned"
        if marker in self._json_cache:
            return self._json_cache.get(path + "/" + escape_token(token))
        self._json_cache[marker] = 1
        pos = self._skip_ws(offset + 1)
        index = 0
        try:
            while pos < len(text) and text[pos] not in "}]":
                if opener == "{":
                    key, pos = _decoder.raw_decode(text, pos)
                    pos = self._skip_ws(pos)
                    pos = self._skip_ws(pos + 1)  # the colon
                    name = str(key)
                else:
                    name = str(index)
                    index += 1
                value_start = pos
                self._json_cache.setdefault(path + "/" + escape_token(name), value_start)
                _, pos = _decoder.raw_decode(text, pos)
                pos = self._skip_ws(pos)
                if pos < len(text) and text[pos] == ",":
                    pos = self._skip_ws(pos + 1)
        except (ValueError, RecursionError):
            pass
        return self._json_cache.get(path + "/" + escape_token(token))

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        import bisect

        line = bisect.bisect_right(self._line_starts, offset) - 1
        return (line + 1, offset - self._line_starts[line] + 1)
