"""Map concrete request paths (``GET /orders/42``) to spec operations (``GET /orders/{id}``).

Operations are identified by a canonical key, ``METHOD /path`` with every parameter
written ``{}``, so that ``/orders/{id}`` in the base and ``/orders/{orderId}`` in the
revision are one operation. Matching walks a segment trie and prefers, at each
segment, a literal over a partial template (``{id}.json``) over a whole parameter,
backtracking when a preferred branch dead-ends: ``/orders/export`` goes to
``GET /orders/export``, not to ``GET /orders/{id}``. A HEAD request of a path whose
template has no HEAD operation is a call of its GET (HTTP answers HEAD as GET).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{[^{}/]*\}")


def canonical_path(path: str) -> str:
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def operation_key(operation: str) -> str:
    """``get /orders/{orderId}/`` -> ``GET /orders/{}``; text without a method is kept."""
    method, sep, path = operation.strip().partition(" ")
    if not sep:
        return operation.strip()
    return f"{method.upper()} {canonical_path(path.strip())}"


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    partial: list[tuple[_SegmentTemplate, _Node]] = field(default_factory=list)
    param: _Node | None = None
    ops: dict[str, str] = field(default_factory=dict)  # method -> operation key


def _segments(path: str) -> list[str]:
    inner = path.strip("/")
    return inner.split("/") if inner else []


class PathRouter:
    """Path templates of one or more specs, ready to match concrete request paths."""

    def __init__(self) -> None:
        self._root = _Node()
        self.labels: dict[str, str] = {}  # operation key -> "METHOD /path" as written
        self.prefixes: list[str] = []
        self._static: dict[tuple[str, str], str] = {}  # templates without parameters
        self._shapes: dict[tuple[str, str], str | None] = {}
        self._digits_are_ids: bool | None = None
        #: operation key -> {parameter name: segment index} of its whole-segment path
        #: parameters, every spec's spelling (``{org}`` in one, ``{orgId}`` in the other)
        self.path_params: dict[str, dict[str, int]] = {}
        self._lengths: dict[str, int] = {}  # operation key -> its template's segments

    @classmethod
    def from_specs(cls, specs: Iterable[Any]) -> PathRouter:
        """Templates of every spec, the first spec's spelling winning for the label."""
        router = cls()
        for spec in specs:
            if not isinstance(spec, dict):
                continue
            paths = spec.get("paths")
            for template, item in (paths.items() if isinstance(paths, dict) else ()):
                if not isinstance(item, dict) or not str(template).startswith("/"):
                    continue
                for method in HTTP_METHODS:
                    if isinstance(item.get(method), dict):
                        router.add(method, str(template))
            router._add_servers(spec.get("servers"))
            if isinstance(spec.get("basePath"), str):
                router._add_prefix(spec["basePath"])
        router.prefixes.sort(key=lambda p: (-len(p), p))
        return router

    def add(self, method: str, template: str) -> str:
        self._shapes.clear()
        self._digits_are_ids = None
        key = f"{method.upper()} {canonical_path(template)}"
        self.labels.setdefault(key, f"{method.upper()} {template}")
        node = self._root
        segments = _segments(template)
        self._lengths.setdefault(key, len(segments))
        params = self.path_params.setdefault(key, {})
        for index, segment in enumerate(segments):
            if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1:
                params.setdefault(segment[1:-1], index)
                if node.param is None:
                    node.param = _Node()
                node = node.param
            elif "{" in segment:
                template_ = _SegmentTemplate(tuple(_PARAM.split(segment)))
                for pattern, child in node.partial:
                    if pattern == template_:
                        node = child
                        break
                else:
                    child = _Node()
                    node.partial.append((template_, child))
                    node = child
            else:
                node = node.literal.setdefault(segment, _Node())
        node.ops.setdefault(method.upper(), key)
        if "{" not in template:
            self._static.setdefault((method.upper(), "/" + "/".join(_segments(template))), key)
        return key

    def _add_servers(self, servers: Any) -> None:
        if not isinstance(servers, list):
            return
        for server in servers:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            variables = server.get("variables")
            for var, spec in (variables.items() if isinstance(variables, dict) else ()):
                default = spec.get("default") if isinstance(spec, dict) else None
                if default is not None:
                    url = url.replace("{" + str(var) + "}", str(default))
            self._add_prefix(urlsplit(url).path if "://" in url else url)

    def _add_prefix(self, prefix: str) -> None:
        self._shapes.clear()
        self._digits_are_ids = None
        prefix = prefix.rstrip("/")
        if prefix and prefix.startswith("/") and "{" not in prefix and prefix not in self.prefixes:
            self.prefixes.append(prefix)

    def _check_digits(self) -> bool:
        """Whether an all-digit path segment can only ever fill a parameter: true unless
        some template, partial template or server prefix spells digits literally."""
        stack = [self._root]
        while stack:
            node = stack.pop()
            if any(seg.isdigit() for seg in node.literal):
                return False
            if any(re.search(r"\d", "".join(pattern.pieces)) for pattern, _ in node.partial):
                return False
            stack.extend(node.literal.values())
            stack.extend(child for _, child in node.partial)
            if node.param is not None:
                stack.append(node.param)
        return not any(seg.isdigit() for prefix in self.prefixes for seg in _segments(prefix))

    def match(self, method: str, path: str) -> str | None:
        """The operation key a concrete request hits, or None.

        Real request paths carry ids, so almost every one is new; when all-digit
        segments can only be ids, paths are cached by their shape (ids as ``0``), so
        ``/orders/41`` and ``/orders/42`` are matched once."""
        if not method.isupper():
            method = method.upper()
        clean = clean_path(path) if ("?" in path or "#" in path or "://" in path) else path
        if self._digits_are_ids is None:
            self._digits_are_ids = self._check_digits()
        if not self._digits_are_ids:
            return self._match(method, clean)
        shape = (method, _DIGIT_SEGMENT.sub("0", clean))
        if shape in self._shapes:
            return self._shapes[shape]
        found = self._match(method, clean)
        if len(self._shapes) < _MAX_SHAPES:  # bounded: ids that are not digits make new shapes
            self._shapes[shape] = found
        return found

    def path_value(self, op: str, path: str, name: str) -> str | None:
        """The value a concrete request path gives the path parameter ``name`` of ``op``
        (the operation it routes to), or with a number N the path's N-th segment (from 1);
        None when there is none. A server prefix (``/v1``) is not the template's: the
        template's segments are the path's last ones."""
        segments = _segments(clean_path(path) if ("?" in path or "#" in path or "://" in path) else path)
        if name.isdigit():
            index = int(name) - 1
            return unquote(segments[index]) or None if 0 <= index < len(segments) else None
        at = self.path_params.get(op, {}).get(name)
        length = self._lengths.get(op)
        if at is None or length is None or len(segments) < length:
            return None
        return unquote(segments[len(segments) - length + at]) or None

    def _match(self, method: str, clean: str) -> str | None:
        static = self._static
        # A server prefix (/v1) is tried first: logs usually carry it, specs do not.
        for prefix in self.prefixes:
            if clean.startswith(prefix) and (len(clean) == len(prefix) or clean[len(prefix)] == "/"):
                rest = clean[len(prefix):] or "/"
                found = static.get((method, rest))
                if found is None:
                    found = _walk(self._root, _segments(rest), method)
                if found is not None:
                    return found
        found = static.get((method, clean))
        if found is None:
            found = _walk(self._root, _segments(clean), method)
        return found


_DIGIT_SEGMENT = re.compile(r"(?<=/)[0-9]+(?=/|$)")
_MAX_SHAPES = 200_000


_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def clean_path(path: str) -> str:
    """Drop scheme, host, query and fragment; keep the path."""
    if "://" in path:
        try:
            path = urlsplit(path).path
        except ValueError:  # a host urlsplit refuses ('[' unclosed): cut it as sql.CLEAN_PATH does
            path = _SCHEME_HOST.sub("", path, count=1)
    for mark in ("?", "#"):
        cut = path.find(mark)
        if cut != -1:
            path = path[:cut]
    return path or "/"


def _walk(root: _Node, segments: list[str], method: str) -> str | None:
    """Depth first, preferring at each segment a literal, then the partial templates in
    order, then a whole parameter. An explicit stack, not recursion: a template may have
    thousands of segments. Each node of the trie sits at one depth, so it is visited once
    at most: the walk is bounded by the trie's size, however it backtracks."""
    stack = [(root, 0)]
    while stack:
        node, index = stack.pop()
        if index == len(segments):
            found = node.ops.get(method)
            if found is None and method == "HEAD":
                # HTTP answers HEAD as GET without the body (RFC 9110 9.3.2), and servers
                # do so for a GET route the spec gives no HEAD of its own: such a request
                # is a call of the GET operation (an existence check breaks when it goes).
                # The path decides first, as a server's router does: HEAD /tasks/export
                # is GET /tasks/export's, not HEAD /tasks/{task}'s
                found = node.ops.get("GET")
            if found is not None:
                return found
            continue
        segment = segments[index]
        branches: list[_Node] = []
        child = node.literal.get(segment)
        if child is not None:
            branches.append(child)
        branches.extend(sub for pattern, sub in node.partial if pattern.fullmatch(segment))
        if node.param is not None and segment:
            branches.append(node.param)
        stack.extend((branch, index + 1) for branch in reversed(branches))
    return None


@dataclass(frozen=True)
class _SegmentTemplate:
    """A path segment mixing text and parameters (``{id}.json``, ``{a}-{b}``): the literal
    pieces between its parameters, each parameter standing for one or more characters.

    Matched without a regex: ``[^/]+?`` once per parameter backtracks through every way of
    splitting a segment between them (12 parameters against 40 characters: seconds, and
    exponential beyond). Placing each middle piece at its leftmost fit is enough, as any
    later fit leaves less room for what follows; the last piece is anchored at the end.
    That is one forward search per piece: linear in the segment."""

    pieces: tuple[str, ...]

    def fullmatch(self, segment: str) -> bool:
        pieces = self.pieces
        if len(pieces) == 1:
            return segment == pieces[0]
        first, last = pieces[0], pieces[-1]
        if not segment.startswith(first):
            return False
        end = len(segment) - len(last)  # where the last piece must start
        if end < len(first) or segment[end:] != last:
            return False
        at = len(first)
        for piece in pieces[1:-1]:
            found = segment.find(piece, at + 1, end - 1)  # a parameter either side: 1+ characters
            if found == -1:
                return False
            at = found + len(piece)
        return at < end  # the last parameter takes one character at least


@dataclass(frozen=True)
class Route:
    """One way a request path reaches an operation, as a regular expression for an SQL
    engine: the same trie the router walks, written out so an engine picks the same one.

    ``segments`` is how many non-empty path segments a matching path has (an index for the
    join); among the routes a path matches, the one with the smallest ``priority`` wins,
    which is the order the router tries them in: server prefixes longest first, then no
    prefix; at each segment a literal, then partial templates in the order added, then a
    whole parameter."""

    method: str
    operation: str
    pattern: str
    segments: int
    priority: str


#: a priority digit group per segment: literal < partial template (by its index) < parameter
_LITERAL, _PARAMETER = "0000", "2000"
_ANY = "[^/]+"


_META = frozenset(".^$*+?()[]{}|\\")


def _escape(text: str) -> str:
    # only the metacharacters escaped: the text then means the same in RE2 (DuckDB,
    # BigQuery), Java (Spark, Trino) and POSIX-like (Snowflake) syntax, and Python's re
    return "".join("\\" + c if c in _META else c for c in text)


def route_table(router: PathRouter) -> list[Route]:
    """Every (route, server prefix) of the router as a :class:`Route`, sorted."""
    leaves: list[tuple[str, str, list[str], list[str]]] = []  # method, op, regex pieces, priority
    stack: list[tuple[_Node, list[str], list[str]]] = [(router._root, [], [])]
    while stack:
        node, pieces, rank = stack.pop()
        for method, op in node.ops.items():
            leaves.append((method, op, pieces, rank))
        for segment, child in node.literal.items():
            stack.append((child, [*pieces, _escape(segment)], [*rank, _LITERAL]))
        for index, (template, child) in enumerate(node.partial):
            regex = _ANY.join(_escape(piece) for piece in template.pieces)
            stack.append((child, [*pieces, regex], [*rank, f"1{index:03d}"]))
        if node.param is not None:
            stack.append((node.param, [*pieces, _ANY], [*rank, _PARAMETER]))
    routes: list[Route] = []
    variants = [(p, f"{i:03d}") for i, p in enumerate(router.prefixes)] + [("", f"{len(router.prefixes):03d}")]
    for method, op, pieces, rank in leaves:
        for prefix, order in variants:
            body = "/".join(pieces)
            if prefix:
                rest = "/+" + body + "/*" if pieces else "/*"
                pattern = "^" + _escape(prefix) + rest + "$"
            else:
                pattern = "^/*" + body + ("/*$" if pieces else "$")
            segments = len(_segments(prefix)) + len(pieces)
            priority = order + "".join(rank)
            routes.append(Route(method, op, pattern, segments, priority + ("0" if method == "HEAD" else "")))
            if method == "GET":  # a HEAD of the same route falls back on it, after a HEAD of its own
                routes.append(Route("HEAD", op, pattern, segments, priority + "1"))
    routes.sort(key=lambda r: (r.method, r.segments, r.priority, r.operation))
    return routes

