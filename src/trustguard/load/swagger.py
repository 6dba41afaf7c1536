"""Swagger 2.0 brought to the OpenAPI 3 form the diff reads.

Body and form parameters become a ``requestBody``, ``definitions`` become
``components/schemas`` (refs rewritten), ``produces``/``consumes`` become media types,
``securityDefinitions`` become ``securitySchemes`` (OAuth flows with their scopes), and
response headers get a ``schema``. Every converted place remembers where it came from,
so a finding on the converted form still points at the right line of the Swagger file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..parsing.pointers import escape_token
from .document import rebase_refs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_KEYS = frozenset({
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
})
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/responses/", "#/components/responses/"),
    ("#/parameters/", "#/components/parameters/"),
)
_OAUTH_FLOWS = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                "accessCode": "authorizationCode"}
_STYLES = {"csv": "form", "ssv": "spaceDelimited", "pipes": "pipeDelimited", "tsv": "form"}


def _ptr(*tokens: str) -> str:
    return "".join("/" + escape_token(str(t)) for t in tokens)


def _schema(node: Any, local: bool = True, moved: dict[str, str] | None = None) -> Any:
    """Rewrite refs and the few Swagger-only schema spellings, in a fresh copy. ``local``:
    the node is in the main file, whose ``#/definitions/`` move (not a sibling file's);
    ``moved``: other pointers of the main file whose objects were moved, to where."""
    if isinstance(node, list):
        return [_schema(v, local, moved) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and local:
            if moved and value.startswith("#") and unquote(value[1:]) in moved:
                value = "#" + moved[unquote(value[1:])]  # "/x-trustguard-moved/N": nothing to escape
            for old, new in _REF_PREFIXES:
                if value.startswith(old):
                    value = new + value[len(old):]
                    break
            out[key] = value
        elif key == "x-nullable" and isinstance(value, bool):
            out["nullable"] = value
        elif key == "discriminator" and isinstance(value, str):
            out[key] = {"propertyName": value}
        elif key == "type" and value == "file":
            out["type"] = "string"
            out.setdefault("format", "binary")
        elif key in ("example", "default", "enum", "x-example"):
            out[key] = value
        else:
            out[key] = _schema(value, local, moved)
    return out


def _discriminator_mappings(schemas: dict[str, Any]) -> None:
    """Swagger 2.0 names a subtype's discriminator value nowhere but in the subtype: it
    is the definition's name, or Azure's ``x-ms-discriminator-value``. The value is on
    the wire (a client sends ``kind: dog``, and reads it back), so each base with a
    discriminator gets the OpenAPI 3 ``mapping`` of every definition inheriting it
    (through ``allOf``, at any depth): a value renamed or dropped is then compared as
    a mapping is."""
    parents = {name: _allof_parents(schema) for name, schema in schemas.items()}
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        value = schema.get("x-ms-discriminator-value", name)
        if not isinstance(value, str):
            continue
        for base in _ancestors(name, parents):
            if base == name and "x-ms-discriminator-value" not in schema:
                continue  # a base is a value of its own only when it says so
            node = schemas.get(base)
            discriminator = node.get("discriminator") if isinstance(node, dict) else None
            if not isinstance(discriminator, dict) or not isinstance(discriminator.get("propertyName"), str):
                continue
            mapping = discriminator.setdefault("mapping", {})
            if not isinstance(mapping, dict) or value in mapping:
                continue  # a value two definitions claim keeps the first
            mapping[value] = "#/components/schemas/" + escape_token(name)


def _allof_parents(schema: Any) -> list[str]:
    """The definitions ``schema`` inherits directly: the local refs of its ``allOf``."""
    if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
        return []
    prefix = "#/components/schemas/"
    return [unquote(part["$ref"][len(prefix):]).replace("~1", "/").replace("~0", "~")
            for part in schema["allOf"]
            if isinstance(part, dict) and isinstance(part.get("$ref"), str) and part["$ref"].startswith(prefix)]


def _ancestors(name: str, parents: dict[str, list[str]]) -> list[str]:
    """``name`` and every definition it inherits, nearest first, each once (a loop of
    ``allOf`` refs stops where it closes)."""
    seen = [name]
    queue = list(parents.get(name, ()))
    while queue:
        base = queue.pop(0)
        if base not in seen:
            seen.append(base)
            queue.extend(parents.get(base, ()))
    return seen


# Where a chain of refs ends: (ref, file it is seen in) -> (file, pointer, value).
Follow = Callable[[str, str], tuple[str, str, Any]]


class _Converter:
    def __init__(
        self, spec: dict[str, Any], follow: Follow | None = None, main: str = "", moved: dict[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.moved = moved or {}
        self.follow = follow
        self.main = main
        self.file = main  # the file whose objects are converted (refs are relative to it)
        self.origin: dict[str, str] = {}
        self.body_params = {
            name for name, p in (spec.get("parameters") or {}).items()
            if isinstance(p, dict) and p.get("in") in ("body", "formData")
        }

    def came_from(self, new: str, old: str) -> None:
        self.origin[new] = old

    def back(self, pointer: str) -> str:
        """The Swagger pointer of a pointer into the converted document."""
        probe = pointer
        while True:
            old = self.origin.get(probe)
            if old is not None:
                return old + pointer[len(probe):]
            if not probe:
                return pointer
            probe = probe.rsplit("/", 1)[0]

    def run(self) -> dict[str, Any]:
        spec = self.spec
        out: dict[str, Any] = {"openapi": "3.0.3"}
        for key, value in spec.items():
            if key in ("info", "tags", "externalDocs", "security") or str(key).startswith("x-"):
                out[key] = value
        if "host" in spec or "basePath" in spec:
            host, base = spec.get("host") or "", spec.get("basePath") or ""
            if host:
                out["servers"] = [{"url": f"{s}://{host}{base}"} for s in (spec.get("schemes") or ["https"])]
            else:
                out["servers"] = [{"url": base or "/"}]
            self.came_from("/servers", "/host" if "host" in spec else "/basePath")
        consumes = spec.get("consumes") or []
        produces = spec.get("produces") or []
        components: dict[str, Any] = {}
        if spec.get("definitions"):
            components["schemas"] = self.schema(spec["definitions"])
            self.came_from("/components/schemas", "/definitions")
            if isinstance(components["schemas"], dict):
                _discriminator_mappings(components["schemas"])
        params, bodies = {}, {}
        for name, param in (spec.get("parameters") or {}).items():
            new, old = _ptr("components", "parameters", name), _ptr("parameters", name)
            if isinstance(param, dict) and param.get("in") == "body":
                body_ptr = _ptr("components", "requestBodies", name)
                bodies[name] = self.body([param], consumes, body_ptr, [old])
            elif isinstance(param, dict) and param.get("in") == "formData":
                continue  # inlined into each operation's form body
            else:
                params[name] = self.parameter(param, new, old)
        if params:
            components["parameters"] = params
        if bodies:
            components["requestBodies"] = bodies
        if spec.get("responses"):
            components["responses"] = {
                name: self.response(resp, produces, _ptr("components", "responses", name), _ptr("responses", name))
                for name, resp in spec["responses"].items()
            }
        if spec.get("securityDefinitions"):
            components["securitySchemes"] = {
                name: self.security(scheme, name) for name, scheme in spec["securityDefinitions"].items()
            }
        if components:
            out["components"] = components
        out["paths"] = {
            path: self.path_item(path, item, consumes, produces) if not str(path).startswith("x-") else item
            for path, item in (spec.get("paths") or {}).items()
        }
        self.ms_paths(out["paths"], consumes, produces)
        return out

    def ms_paths(self, paths: dict[str, Any], consumes: list[str], produces: list[str]) -> None:
        """Azure's ``x-ms-paths`` (paths that differ only in their query, ``/vms?api=x``) are
        paths like the others: a path moved there is not removed. Positions point at them."""
        extra = self.spec.get("x-ms-paths")
        if not isinstance(extra, dict):
            return
        for path, item in extra.items():
            if path in paths or not str(path).startswith("/"):
                continue
            new = _ptr("paths", path)
            known = set(self.origin)
            paths[path] = self.path_item(path, item, consumes, produces)
            old = _ptr("x-ms-paths", path)
            for key in set(self.origin) - known:
                value = self.origin[key]
                if value == new or value.startswith(new + "/"):
                    self.origin[key] = old + value[len(new):]
            self.came_from(new, old)

    def path_item(
        self, path: str, item: Any, consumes: list[str], produces: list[str], base: str | None = None,
    ) -> Any:
        if not isinstance(item, dict):
            return item
        base = _ptr("paths", path) if base is None else base
        out: dict[str, Any] = {}
        common = list(item.get("parameters") or [])
        for key, value in item.items():
            if key in HTTP_METHODS and isinstance(value, dict):
                out[key] = self.operation(value, base + "/" + key, common, consumes, produces)
            elif key == "parameters":
                kept = self.parameters(common, base, base, consumes)[0]
                if kept:
                    out["parameters"] = kept
            else:
                out[key] = self.schema(value) if key == "$ref" else value
        return out

    def operation(
        self, op: dict[str, Any], ptr: str, common: list[Any], consumes: list[str], produces: list[str]
    ) -> dict[str, Any]:
        out = {k: v for k, v in op.items() if k not in ("consumes", "produces", "schemes", "parameters", "responses")}
        op_consumes = op.get("consumes") or consumes
        op_produces = op.get("produces") or produces
        params, body = self.parameters(list(op.get("parameters") or []), ptr, ptr, op_consumes)
        if body is None and common:  # a body declared on the path item applies to each operation
            body = self.parameters(common, ptr.rsplit("/", 1)[0], ptr, op_consumes)[1]
        if params:
            out["parameters"] = params
        if body is not None:
            out["requestBody"] = body
        if "responses" in op:
            out["responses"] = {
                str(code): self.response(resp, op_produces, f"{ptr}/responses/{escape_token(str(code))}",
                                         f"{ptr}/responses/{escape_token(str(code))}")
                for code, resp in (op.get("responses") or {}).items()
            }
        return out

    def schema(self, node: Any) -> Any:
        return _schema(node, self.file == self.main, self.moved)

    def real(self, param: Any) -> tuple[Any, str | None]:
        """A parameter, following a ref to the global parameters: (param, its old pointer).
        A ref elsewhere (another file, an x- place) is followed to a body or form
        parameter, which the operation's request body takes in (old pointer None)."""
        if not (isinstance(param, dict) and isinstance(param.get("$ref"), str)):
            return param, None
        ref = param["$ref"]
        if ref.startswith("#/parameters/") and self.file == self.main:
            name = ref[len("#/parameters/"):].replace("~1", "/").replace("~0", "~")
            return (self.spec.get("parameters") or {}).get(name, param), _ptr("parameters", name)
        if self.follow is not None:
            file, _, value = self.follow(ref, self.file)
            if isinstance(value, dict) and value.get("in") in ("body", "formData"):
                return (value if file == self.file else rebase_refs(value, file)), None
        return param, None

    def parameters(
        self, params: list[Any], old_base: str, new_base: str, consumes: list[str]
    ) -> tuple[list[Any], dict[str, Any] | None]:
        kept: list[Any] = []
        body_params: list[Any] = []
        body_ptrs: list[str] = []
        body_ref: dict[str, Any] | None = None
        for index, param in enumerate(params):
            real, shared = self.real(param)
            old = f"{old_base}/parameters/{index}"
            where = real.get("in") if isinstance(real, dict) else None
            if where == "body" and real is not param and shared is not None:  # a shared body: keep it shared
                body_ref = {"$ref": "#/components/requestBodies/" + param["$ref"][len("#/parameters/"):]}
                self.came_from(new_base + "/requestBody", old)
            elif where in ("body", "formData"):
                body_params.append(real)
                body_ptrs.append(old)
            else:
                kept.append(self.parameter(param, f"{new_base}/parameters/{len(kept)}", old))
        if body_ref is not None:
            return kept, body_ref
        body = self.body(body_params, consumes, new_base + "/requestBody", body_ptrs) if body_params else None
        return kept, body

    def parameter(self, param: Any, new: str, old: str) -> Any:
        self.came_from(new, old)
        if not isinstance(param, dict) or "$ref" in param:
            return self.schema(param)
        out = {k: v for k, v in param.items() if k not in _SCHEMA_KEYS and k != "collectionFormat"}
        schema = self.schema({k: v for k, v in param.items() if k in _SCHEMA_KEYS})
        if schema.get("type") == "array":
            fmt = param.get("collectionFormat", "csv")
            if fmt == "multi":
                out["style"], out["explode"] = "form", True
            elif param.get("in") in ("path", "header"):
                out["style"], out["explode"] = "simple", False
            else:
                out["style"], out["explode"] = _STYLES.get(fmt, "form") if isinstance(fmt, str) else "form", False
        out["schema"] = schema
        self.came_from(new + "/schema", old)
        return out

    def body(self, params: list[Any], consumes: list[str], new: str, olds: list[str]) -> dict[str, Any]:
        self.came_from(new, olds[0])
        body_param = next((p for p in params if p.get("in") == "body"), None)
        if body_param is not None:
            old = olds[params.index(body_param)]
            types = consumes or ["application/json"]
            body: dict[str, Any] = {
                "content": {mt: {"schema": self.schema(body_param.get("schema", {}))} for mt in types},
                "required": bool(body_param.get("required", False)),
            }
            if "description" in body_param:
                body["description"] = body_param["description"]
            for mt in types:
                self.came_from(f"{new}/content/{escape_token(mt)}/schema", old + "/schema")
            return body
        form: dict[str, Any] = {"type": "object", "properties": {}}
        required = []
        for param in params:
            prop = self.schema({k: v for k, v in param.items() if k in _SCHEMA_KEYS})
            if "description" in param:
                prop["description"] = param["description"]
            form["properties"][param["name"]] = prop
            if param.get("required"):
                required.append(param["name"])
        if required:
            form["required"] = required
        has_file = any(p.get("type") == "file" for p in params)
        types = [c for c in consumes if "form" in c] or (
            ["multipart/form-data"] if has_file else ["application/x-www-form-urlencoded"]
        )
        for mt in types:
            for param, old in zip(params, olds, strict=True):
                self.came_from(f"{new}/content/{escape_token(mt)}/schema/properties/{escape_token(param['name'])}", old)
        return {"content": {mt: {"schema": form} for mt in types}, "required": bool(required)}

    def response(self, resp: Any, produces: list[str], new: str, old: str) -> Any:
        self.came_from(new, old)
        if not isinstance(resp, dict) or "$ref" in resp:
            return self.schema(resp)
        out = {k: v for k, v in resp.items() if k not in ("schema", "headers", "examples")}
        types = produces or ["application/json"]
        if "schema" in resp:
            out["content"] = {mt: {"schema": self.schema(resp["schema"])} for mt in types}
            for mt in types:
                self.came_from(f"{new}/content/{escape_token(mt)}/schema", old + "/schema")
        examples = resp.get("examples")
        if isinstance(examples, dict):
            content = out.setdefault("content", {})
            for mt, example in examples.items():
                content.setdefault(mt, {})["example"] = example
        if isinstance(resp.get("headers"), dict):
            out["headers"] = {}
            for name, header in resp["headers"].items():
                if not isinstance(header, dict):
                    continue
                converted: dict[str, Any] = {"schema": self.schema({k: v for k, v in header.items() if k in _SCHEMA_KEYS})}
                if "description" in header:
                    converted["description"] = header["description"]
                out["headers"][name] = converted
                self.came_from(f"{new}/headers/{escape_token(name)}/schema", f"{old}/headers/{escape_token(name)}")
        return out

    def security(self, scheme: Any, name: str) -> Any:
        new, old = _ptr("components", "securitySchemes", name), _ptr("securityDefinitions", name)
        self.came_from(new, old)
        if not isinstance(scheme, dict):
            return scheme
        extras = {k: v for k, v in scheme.items() if k == "description" or str(k).startswith("x-")}
        kind = scheme.get("type")
        if kind == "basic":
            return {"type": "http", "scheme": "basic", **extras}
        if kind == "oauth2":
            flow_name = _OAUTH_FLOWS.get(str(scheme.get("flow", "")), "implicit")
            flow: dict[str, Any] = {"scopes": scheme.get("scopes") or {}}
            for key in ("authorizationUrl", "tokenUrl"):
                if key in scheme:
                    flow[key] = scheme[key]
            self.came_from(f"{new}/flows/{flow_name}", old)
            self.came_from(f"{new}/flows/{flow_name}/scopes", old + "/scopes")
            return {"type": "oauth2", "flows": {flow_name: flow}, **extras}
        return dict(scheme)


def swagger_warnings(spec: dict[str, Any]) -> list[str]:
    """What a Swagger 2.0 spec leaves ambiguous, which the conversion otherwise settles
    silently: several ``in: body`` parameters on one operation (only the first is the body),
    and one method under two path templates that differ only in parameter names (one of
    them is compared)."""
    out: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for root in ("paths", "x-ms-paths"):
        items = spec.get(root)
        if not isinstance(items, dict):
            continue
        for path, item in items.items():
            if not isinstance(item, dict) or not str(path).startswith("/"):
                continue
            common = _body_count(spec, item.get("parameters"))
            endpoint = re.sub(r"\{[^}/]*\}", "{}", str(path))
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                name = f"{method.upper()} {path}"
                bodies = _body_count(spec, op.get("parameters")) or common
                if bodies > 1:
                    out.append(f"{_ptr(root, path, method)}: {name} declares {bodies} 'in: body' parameters; "
                               "Swagger 2.0 allows one, and only the first is compared")
                other = seen.setdefault((method, endpoint), str(path))
                if other != str(path):
                    out.append(f"{_ptr(root, path, method)}: {name} and {method.upper()} {other} differ only in "
                               "parameter names; one of them is compared")
    return out


def _body_count(spec: dict[str, Any], params: Any) -> int:
    count = 0
    for param in params if isinstance(params, list) else []:
        if isinstance(param, dict) and isinstance(param.get("$ref"), str) and param["$ref"].startswith("#/parameters/"):
            param = (spec.get("parameters") or {}).get(param["$ref"][len("#/parameters/"):], param)
        if isinstance(param, dict) and param.get("in") == "body":
            count += 1
    return count


def swagger_to_openapi3(
    spec: dict[str, Any], *, files: dict[str, Any] | None = None, main: str = "",
    reached: list[tuple[str, str, str]] | None = None, follow: Follow | None = None,
) -> tuple[dict[str, Any], dict[str, Any], Callable[[str], str]]:
    """The OpenAPI 3 form of a Swagger 2.0 spec, of its sibling ``files`` and a map of its
    pointers back to the original.

    ``reached``: the (file, pointer, role) of objects a ``$ref`` reaches outside the main
    file's definitions, parameters, responses and paths (another file, an ``x-`` place):
    they are converted too, or the diff would read a Swagger response (``schema``, no
    ``content``) as an OpenAPI 3 one and miss every change in it."""
    # Objects of the main file reached where the conversion moves things (an operation's
    # parameters are renumbered, a response's schema goes into its content) are put, as
    # converted, in a place of their own, and the refs to them rewritten.
    moved = {pointer: f"/{_MOVED}/{index}" for index, (file, pointer, _) in enumerate(reached or [])
             if file == main and not pointer.startswith(("/x-", "/definitions/"))}
    converter = _Converter(spec, follow, main, moved)
    out = converter.run()
    if moved:
        out[_MOVED] = {}
    converted = dict(files or {})
    roots = {main: out, **converted}
    produces = spec.get("produces") or []
    consumes = spec.get("consumes") or []
    # Deepest first: an object inside another is converted before its container takes it in.
    for file, pointer, role in sorted(reached or [], key=lambda t: (t[0], -t[1].count("/"), t[1])):
        if file == main and pointer.startswith("/definitions/"):
            continue  # converted in place already
        tokens = _tokens(pointer)
        value = _get(spec if pointer in moved else roots[file], tokens)
        if value is _MISSING or not isinstance(value, dict):
            continue
        if pointer in moved:  # converted from the Swagger original, into its own place
            old, pointer, tokens = pointer, moved[pointer], _tokens(moved[pointer])
        else:
            old = pointer
        converter.file = file
        if role == "a schema":
            new: Any = converter.schema(value)
        elif role == "a parameter":
            if value.get("in") in ("body", "formData"):
                continue  # taken into each operation's request body
            new = converter.parameter(value, pointer, old)
        elif role == "a response":
            new = converter.response(value, produces, pointer, old)
        elif role == "a path item":
            new = converter.path_item("", value, consumes, produces, base=pointer)
        else:
            continue
        roots[file] = _put(roots[file], tokens, new)
    converter.file = main
    out = roots.pop(main)
    return out, roots, converter.back


_MISSING = object()
_MOVED = "x-trustguard-moved"


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _get(node: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _put(node: Any, tokens: list[str], value: Any) -> Any:
    """``node`` with ``value`` at ``tokens``, the containers on the way copied (the parsed
    files stay as they were read)."""
    if not tokens:
        return value
    head, rest = tokens[0], tokens[1:]
    if isinstance(node, dict):
        copy = dict(node)
        copy[head] = _put(node[head], rest, value) if rest else value
        return copy
    items = list(node)
    items[int(head)] = _put(items[int(head)], rest, value)
    return items
