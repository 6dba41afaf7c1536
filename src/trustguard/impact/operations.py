"""The operations of one spec by canonical key, and the schemas a message of each has.

Contract evidence asks whether a field a Pact reads exists in the operation's schema;
replay validates recorded requests and responses against them. Both read the spec's
own data, ``$ref`` left in place and followed on demand (local refs only: a ref into
another file is "not known", never "absent").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .routes import HTTP_METHODS, operation_key

_MAX_REF_HOPS = 64
_MAX_DEPTH = 64
UNKNOWN = object()  # a schema that cannot be followed (external or broken $ref)


@dataclass
class SpecOperation:
    key: str
    method: str
    template: str
    operation: dict[str, Any]
    path_item: dict[str, Any]


class SpecOperations:
    """Operations of one (OpenAPI 3.x) spec, by canonical key."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec if isinstance(spec, dict) else {}
        self.by_key: dict[str, SpecOperation] = {}
        paths = self.spec.get("paths")
        for template, item in (paths.items() if isinstance(paths, dict) else ()):
            item = self.resolve(item)
            if not isinstance(item, dict) or not str(template).startswith("/"):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    key = operation_key(f"{method} {template}")
                    self.by_key.setdefault(key, SpecOperation(key, method.upper(), str(template), op, item))

    @property
    def openapi_31(self) -> bool:
        return str(self.spec.get("openapi", "")).startswith("3.1")

    def resolve(self, node: Any) -> Any:
        """``node`` with its chain of local ``$ref`` followed; UNKNOWN when one cannot be."""
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return node
            ref: str = node["$ref"]
            if not ref.startswith("#"):
                return UNKNOWN
            node = self.pointer(ref[1:])
            if node is UNKNOWN:
                return UNKNOWN
        return UNKNOWN

    def pointer(self, pointer: str) -> Any:
        node: Any = self.spec
        for raw in pointer.split("/")[1:] if pointer else []:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return UNKNOWN
        return node

    def response(self, op: SpecOperation, status: str | None) -> Any:
        """The response object documented for ``status`` (exact, then ``2XX``, then
        ``default``), or None when the status is not documented."""
        responses = self.resolve(op.operation.get("responses"))
        if not isinstance(responses, dict):
            return None
        if status is None:
            for code in sorted(str(c) for c in responses):
                if code.startswith("2"):
                    return self.resolve(responses[code] if code in responses else responses[int(code)])
            return None
        for code in (status, status[:1] + "XX", status[:1] + "xx", "default"):
            if code in responses:
                return self.resolve(responses[code])
            if code.isdigit() and int(code) in responses:
                return self.resolve(responses[int(code)])
        return None

    def statuses(self, op: SpecOperation) -> list[str]:
        responses = self.resolve(op.operation.get("responses"))
        return sorted(str(c) for c in responses) if isinstance(responses, dict) else []

    def body_schema(self, message: Any) -> Any:
        """The JSON schema of a request body or response object: None when it has no JSON
        content, UNKNOWN when it cannot be followed."""
        message = self.resolve(message)
        if message is UNKNOWN:
            return UNKNOWN
        if not isinstance(message, dict):
            return None
        content = message.get("content")
        if not isinstance(content, dict):
            return None
        for media, spec in sorted(content.items(), key=lambda kv: (not _is_json(str(kv[0])), str(kv[0]))):
            if _is_json(str(media)) and isinstance(spec, dict) and "schema" in spec:
                return self.resolve(spec["schema"])
        return None

    def parameters(self, op: SpecOperation) -> list[dict[str, Any]]:
        """The operation's parameters, the path item's included (the operation's win)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for source in (op.path_item.get("parameters"), op.operation.get("parameters")):
            for raw in source if isinstance(source, list) else ():
                param = self.resolve(raw)
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    where = str(param.get("in", ""))
                    name = param["name"].lower() if where in ("header", "cookie") else param["name"]
                    found[(where, name)] = param
        return [found[k] for k in sorted(found)]

    def has_path(self, schema: Any, tokens: list[str]) -> bool:
        """Whether a field path (``data/items/id``) is documented under ``schema``.

        Where the schema does not say (a free-form object, a map, an external ref) the
        path is taken as documented: only a path the schema rules out is absent."""
        return self._has(schema, tokens, 0)

    def anchor(self, schema: Any, tokens: list[str]) -> str | None:
        """The documented path an undocumented one most likely means, or None: the one
        documented path it is the tail of (a list body written without its ``data``
        envelope: ``items/id`` for ``data/items/id``), else the path with each unknown
        name replaced by its one close spelling among the properties there."""
        tails = [p for p in self.paths(schema) if len(p) > len(tokens) and p[-len(tokens):] == tokens]
        if len(tails) == 1:
            return "/".join(tails[0])
        fixed = self._respell(schema, tokens, 0)
        return "/".join(fixed) if fixed is not None and fixed != tokens else None

    def _respell(self, schema: Any, tokens: list[str], depth: int) -> list[str] | None:
        if not tokens:
            return []
        node = self._object(schema, depth)
        if node is None:
            return None
        head, rest = tokens[0], tokens[1:]
        if head == "items" and isinstance(node, dict) and "items" in node:
            tail = self._respell(node["items"], rest, depth + 1)
            return None if tail is None else ["items", *tail]
        props = self.resolve(node.get("properties")) if isinstance(node, dict) else None
        if not isinstance(props, dict):
            return None
        name = head if head in props else next(iter(difflib.get_close_matches(head, [str(k) for k in props], 1, 0.8)), None)
        if name is None:
            return None
        tail = self._respell(props[name], rest, depth + 1)
        return None if tail is None else [name, *tail]

    def _object(self, schema: Any, depth: int) -> dict[str, Any] | None:
        """The schema with its ``allOf`` branches' properties laid together."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        branches = schema.get("allOf")
        if not isinstance(branches, list):
            return schema
        props: dict[str, Any] = dict(self.resolve(schema.get("properties")) or {})
        for branch in branches:
            inner = self._object(branch, depth + 1)
            if inner is not None:
                props.update(self.resolve(inner.get("properties")) or {})
        return {**schema, "properties": props}

    def paths(self, schema: Any, limit: int = 5000) -> list[list[str]]:
        """Every documented field path under ``schema`` (depth- and count-bounded)."""
        out: list[list[str]] = []
        stack: list[tuple[Any, list[str], int]] = [(schema, [], 0)]
        while stack and len(out) < limit:
            node, path, depth = stack.pop()
            node = self.resolve(node)
            if not isinstance(node, dict) or depth > 12:
                continue
            if path:
                out.append(path)
            for key in ("allOf", "oneOf", "anyOf"):
                for branch in node.get(key) or [] if isinstance(node.get(key), list) else []:
                    stack.append((branch, path, depth + 1))
            props = self.resolve(node.get("properties"))
            for name, sub in sorted(props.items(), reverse=True) if isinstance(props, dict) else ():
                stack.append((sub, [*path, str(name)], depth + 1))
            if "items" in node:
                stack.append((node["items"], [*path, "items"], depth + 1))
        return out

    def _has(self, schema: Any, tokens: list[str], depth: int) -> bool:
        schema = self.resolve(schema)
        if schema is UNKNOWN or schema is True or depth > _MAX_DEPTH:
            return True
        if not isinstance(schema, dict):
            return schema is not False and not tokens
        if not tokens:
            return True
        branches = [b for key in ("allOf", "oneOf", "anyOf") for b in (schema.get(key) or []) if isinstance(schema.get(key), list)]
        if any(self._has(b, tokens, depth + 1) for b in branches):
            return True
        head, rest = tokens[0], tokens[1:]
        props = self.resolve(schema.get("properties"))
        if isinstance(props, dict) and head in props:
            return self._has(props[head], rest, depth + 1)
        if head == "items" and ("items" in schema or _types(schema) & {"array"}):
            return self._has(schema.get("items", True), rest, depth + 1)
        if "patternProperties" in schema:
            return True
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return self._has(extra, rest, depth + 1)  # a map: any key
        structured = isinstance(props, dict) or bool(branches) or "items" in schema or bool(
            _types(schema) - {"object"})
        # an object that lists no properties at all says nothing about its fields
        return not structured


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    return {str(k) for k in kind} if isinstance(kind, list) else set()


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*" or base == "application/*"
