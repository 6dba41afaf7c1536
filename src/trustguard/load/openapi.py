"""Load an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into one internal (3.x) form.

``$ref`` is checked here, not inlined: the diff follows refs itself so that a shared
component is compared once. Local refs, and refs to sibling files under the spec's
folder, are allowed; remote refs and refs that escape the folder are refused.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ..errors import InputError
from ..model import DocumentKind
from .document import Document, parse_structured, resolve_pointer
from .parse import escape_token, join_pointer
from .sources import Source, read_source

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_REF_FILES = 200


def ref_file_key(current: str, target: str) -> str:
    """The key of the file a ``$ref`` names, relative to the main file's folder."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
    return joined


def load_openapi(
    source: str | Source | dict[str, Any],
    *,
    validate: bool = False,
    strict: bool = False,
    allow_external_refs: bool = False,
    name: str | None = None,
) -> Document:
    """Load and check an OpenAPI document. Raises :class:`InputError` on bad input."""
    if isinstance(source, dict):
        label = name or "<dict>"
        data: Any = source
        doc = Document(DocumentKind.OPENAPI, data, label, key="")
        reader = None
    else:
        src = source if isinstance(source, Source) else read_source(source, allow_outside=allow_external_refs)
        data, locator = parse_structured(src)
        label = src.name
        key = posixpath.basename(label.replace("\\", "/")) if label != "<stdin>" else ""
        if ":" in key:
            key = key.rsplit(":", 1)[-1]
        doc = Document(DocumentKind.OPENAPI, data, label, key=key, locator=locator)
        reader = src.reader
    version = _check_root(data, label)
    doc.meta["openapi_version"] = version
    _check_structure(data, label)
    _check_refs(doc, reader)
    if version.startswith("2"):
        doc.data = _swagger_to_openapi3(data)
        doc.pointer_map = _swagger_pointer
        doc.meta["converted_from"] = "swagger-2.0"
    if validate or strict:
        problems = _validate(data, label)
        if problems and strict:
            first = problems[0]
            raise InputError(
                f"the spec is not valid OpenAPI ({len(problems)} problem(s)); first: {first}",
                file=label,
            )
        doc.warnings.extend(f"{label}: {p}" for p in problems)
    return doc


def _check_root(data: Any, label: str) -> str:
    if not isinstance(data, dict):
        raise InputError(
            f"not an OpenAPI document: expected a mapping at the top, found {_type_name(data)}",
            file=label,
            place="/",
        )
    if "openapi" in data:
        version = str(data["openapi"])
        if not version.startswith(("3.0", "3.1")):
            raise InputError(
                f"unsupported OpenAPI version {version!r} (expected 3.0.x, 3.1.x or Swagger 2.0)",
                file=label,
                place="/openapi",
            )
        return version
    if "swagger" in data:
        version = str(data["swagger"])
        if version != "2.0":
            raise InputError(f"unsupported Swagger version {version!r} (expected 2.0)", file=label, place="/swagger")
        return version
    raise InputError(
        "not an OpenAPI document: expected a top-level 'openapi' (3.x) or 'swagger' (2.0) key",
        file=label,
        place="/",
    )


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def _expect(value: Any, kind: type, label: str, pointer: str, what: str) -> None:
    if not isinstance(value, kind):
        expected = "a mapping" if kind is dict else "a list"
        raise InputError(f"{what} must be {expected}, found {_type_name(value)}", file=label, place=pointer)


def _check_structure(data: dict[str, Any], label: str) -> None:
    """The shape the diff relies on; full validation is opt-in (--validate)."""
    paths = data.get("paths", {}) or {}
    _expect(paths, dict, label, "/paths", "'paths'")
    for path, item in paths.items():
        ptr = join_pointer("paths", path)
        if not str(path).startswith("/") and not str(path).startswith("x-"):
            raise InputError(f"a path must start with '/': {path!r}", file=label, place=ptr)
        if str(path).startswith("x-"):
            continue
        _expect(item, dict, label, ptr, "a path item")
        _check_parameters(item.get("parameters"), label, ptr + "/parameters")
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            optr = ptr + "/" + method
            _expect(op, dict, label, optr, "an operation")
            _check_parameters(op.get("parameters"), label, optr + "/parameters")
            if "responses" in op:
                _expect(op["responses"], dict, label, optr + "/responses", "'responses'")
            if "requestBody" in op:
                _expect(op["requestBody"], dict, label, optr + "/requestBody", "'requestBody'")
    for section in ("components", "webhooks", "definitions", "securityDefinitions"):
        if section in data and data[section] is not None:
            _expect(data[section], dict, label, "/" + section, f"'{section}'")
    for section in ("security", "servers", "tags"):
        if section in data and data[section] is not None:
            _expect(data[section], list, label, "/" + section, f"'{section}'")


def _check_parameters(params: Any, label: str, pointer: str) -> None:
    if params is None:
        return
    _expect(params, list, label, pointer, "'parameters'")
    for i, param in enumerate(params):
        _expect(param, dict, label, f"{pointer}/{i}", "a parameter")
        if "$ref" not in param and ("name" not in param or "in" not in param):
            raise InputError("a parameter needs 'name' and 'in'", file=label, place=f"{pointer}/{i}")


def _iter_refs(data: Any) -> list[tuple[str, str]]:
    """Every ``$ref`` string with the pointer of the object holding it."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((ref, ptr))
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, ptr + "/" + escape_token(str(k))))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, f"{ptr}/{i}"))
    return found


def _check_refs(doc: Document, reader: Any) -> None:
    pending: list[tuple[str, Any]] = [(doc.key, doc.data)]
    checked_files = {doc.key}
    while pending:
        file_key, data = pending.pop()
        label = doc.name if file_key == doc.key else file_key
        seen: set[str] = set()
        for ref, where in _iter_refs(data):
            if ref in seen:
                continue
            seen.add(ref)
            place = where + "/$ref"
            if "://" in ref or ref.startswith("//"):
                raise InputError(
                    f"remote $ref {ref!r} is refused: trustguard does not use the network",
                    file=label,
                    place=place,
                )
            target_file, _, pointer = ref.partition("#")
            if pointer and not pointer.startswith("/"):
                raise InputError(f"$ref {ref!r} has an invalid JSON pointer", file=label, place=place)
            root = data
            target_key = file_key
            if target_file:
                target_key = ref_file_key(file_key, target_file)
                if target_key not in doc.files and target_key != doc.key:
                    if reader is None:
                        raise InputError(
                            f"cannot resolve $ref {ref!r}: the input has no folder", file=label, place=place
                        )
                    if len(doc.files) >= MAX_REF_FILES:
                        raise InputError("too many files reached through $ref", file=label, place=place)
                    real_key, raw = reader.read(target_file, file_key, label, place)
                    sub = Source(target_key, raw, reader)
                    sub_data, sub_locator = parse_structured(sub, name=target_key)
                    doc.files[target_key] = sub_data
                    doc.locators[target_key] = sub_locator
                    del real_key
                root = doc.data if target_key == doc.key else doc.files[target_key]
                if target_key not in checked_files:
                    checked_files.add(target_key)
                    pending.append((target_key, root))
            try:
                resolve_pointer(root, pointer)
            except KeyError:
                raise InputError(
                    f"unresolvable $ref {ref!r}: nothing at {pointer or '/'}"
                    + (f" in {target_key}" if target_file else ""),
                    file=label,
                    place=place,
                ) from None


def _validate(data: dict[str, Any], label: str) -> list[str]:
    try:
        from openapi_spec_validator import validate as _v  # noqa: F401
        from openapi_spec_validator.validation.validators import (  # type: ignore[import-not-found]
            OpenAPIV2SpecValidator,
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )
    except ImportError:  # pragma: no cover - depends on the installed version
        return []
    version = str(data.get("openapi") or data.get("swagger"))
    cls = OpenAPIV2SpecValidator if version.startswith("2") else (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    problems: list[str] = []
    try:
        for error in cls(data).iter_errors():
            path = "/".join(escape_token(str(p)) for p in getattr(error, "path", []))
            problems.append(f"/{path}: {getattr(error, 'message', str(error))}")
            if len(problems) >= 200:
                break
    except Exception as exc:  # the validator raises many types on odd specs
        problems.append(f"validator stopped: {exc}")
    return sorted(problems)


# --- Swagger 2.0 -> OpenAPI 3 ---------------------------------------------------------

_REF_PREFIXES = {
    "#/definitions/": "#/components/schemas/",
    "#/parameters/": "#/components/parameters/",
    "#/responses/": "#/components/responses/",
}
_POINTER_BACK = {
    "/components/schemas/": "/definitions/",
    "/components/parameters/": "/parameters/",
    "/components/responses/": "/responses/",
    "/components/securitySchemes/": "/securityDefinitions/",
}
_SCHEMA_KEYS = (
    "type", "format", "items", "collectionFormat", "default", "maximum", "exclusiveMaximum",
    "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "enum", "multipleOf",
)


def _swagger_pointer(pointer: str) -> str:
    for new, old in _POINTER_BACK.items():
        if pointer.startswith(new):
            return old + pointer[len(new):]
    return pointer.replace("/requestBody/content", "/parameters").split("/responses/")[0] if "/requestBody" in pointer else pointer


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                for old, new in _REF_PREFIXES.items():
                    if v.startswith(old):
                        v = new + v[len(old):]
                        break
                out[k] = v
            else:
                out[k] = _rewrite_refs(v)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _param_v3(param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in param:
        return param
    out = {k: v for k, v in param.items() if k not in _SCHEMA_KEYS and k != "allowEmptyValue"}
    schema = {k: v for k, v in param.items() if k in _SCHEMA_KEYS and k != "collectionFormat"}
    fmt = param.get("collectionFormat")
    if fmt == "multi":
        out["explode"] = True
    elif fmt in ("csv", "ssv", "pipes", "tsv"):
        out["style"] = {"csv": "form", "ssv": "spaceDelimited", "pipes": "pipeDelimited"}.get(fmt, "form")
        out["explode"] = False
    out["schema"] = schema
    return out


def _body_from_params(
    params: list[dict[str, Any]], consumes: list[str], spec: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    rest: list[dict[str, Any]] = []
    body: dict[str, Any] | None = None
    form: dict[str, Any] = {"type": "object", "properties": {}}
    form_required: list[str] = []
    for param in params:
        real = param
        if "$ref" in param and isinstance(param["$ref"], str) and param["$ref"].startswith("#/parameters/"):
            real = spec.get("parameters", {}).get(param["$ref"].split("/")[-1], param)
        where = real.get("in")
        if where == "body":
            content = {mt: {"schema": real.get("schema", {})} for mt in (consumes or ["application/json"])}
            body = {"content": content, "required": bool(real.get("required", False))}
            if "description" in real:
                body["description"] = real["description"]
            if "x-codegen-request-body-name" in real:
                body["x-body-name"] = real["name"]
        elif where == "formData":
            prop = {k: v for k, v in real.items() if k in _SCHEMA_KEYS}
            if "description" in real:
                prop["description"] = real["description"]
            form["properties"][real["name"]] = prop
            if real.get("required"):
                form_required.append(real["name"])
        else:
            rest.append(_param_v3(param))
    if form["properties"]:
        if form_required:
            form["required"] = form_required
        types = [c for c in consumes if "form" in c] or ["application/x-www-form-urlencoded"]
        body = {"content": {mt: {"schema": form} for mt in types}, "required": bool(form_required)}
    return rest, body


def _swagger_to_openapi3(spec: dict[str, Any]) -> dict[str, Any]:
    spec = _rewrite_refs(spec)
    out: dict[str, Any] = {"openapi": "3.0.0"}
    for key in ("info", "tags", "externalDocs", "security"):
        if key in spec:
            out[key] = spec[key]
    out.update({k: v for k, v in spec.items() if k.startswith("x-")})
    if "host" in spec or "basePath" in spec:
        schemes = spec.get("schemes") or ["https"]
        out["servers"] = [{"url": f"{s}://{spec.get('host', '')}{spec.get('basePath', '')}"} for s in schemes]
    consumes_all = spec.get("consumes") or []
    produces_all = spec.get("produces") or []
    components: dict[str, Any] = {}
    if spec.get("definitions"):
        components["schemas"] = spec["definitions"]
    if spec.get("parameters"):
        components["parameters"] = {
            k: _param_v3(v) for k, v in spec["parameters"].items() if v.get("in") not in ("body", "formData")
        }
    if spec.get("responses"):
        components["responses"] = {
            k: _response_v3(v, produces_all) for k, v in spec["responses"].items()
        }
    if spec.get("securityDefinitions"):
        components["securitySchemes"] = {
            k: _security_v3(v) for k, v in spec["securityDefinitions"].items()
        }
    if components:
        out["components"] = components
    paths: dict[str, Any] = {}
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        new_item: dict[str, Any] = {}
        common = item.get("parameters") or []
        for key, value in item.items():
            if key in HTTP_METHODS and isinstance(value, dict):
                op = dict(value)
                consumes = op.pop("consumes", None) or consumes_all
                produces = op.pop("produces", None) or produces_all
                op.pop("schemes", None)
                params, body = _body_from_params(list(op.get("parameters") or []), consumes, spec)
                if not body and common:
                    _, body = _body_from_params(list(common), consumes, spec)
                if params:
                    op["parameters"] = params
                else:
                    op.pop("parameters", None)
                if body:
                    op["requestBody"] = body
                op["responses"] = {
                    str(code): _response_v3(resp, produces)
                    for code, resp in (op.get("responses") or {}).items()
                }
                new_item[key] = op
            elif key == "parameters":
                kept, _ = _body_from_params(list(value or []), [], spec)
                if kept:
                    new_item["parameters"] = kept
            else:
                new_item[key] = value
        paths[path] = new_item
    out["paths"] = paths
    return out


def _response_v3(resp: Any, produces: list[str]) -> Any:
    if not isinstance(resp, dict) or "$ref" in resp:
        return resp
    out = {k: v for k, v in resp.items() if k not in ("schema", "headers", "examples")}
    if "schema" in resp:
        out["content"] = {mt: {"schema": resp["schema"]} for mt in (produces or ["application/json"])}
    if "headers" in resp:
        out["headers"] = {
            name: {
                "schema": {k: v for k, v in h.items() if k in _SCHEMA_KEYS},
                **({"description": h["description"]} if "description" in h else {}),
            }
            for name, h in resp["headers"].items()
            if isinstance(h, dict)
        }
    return out


def _security_v3(scheme: dict[str, Any]) -> dict[str, Any]:
    kind = scheme.get("type")
    if kind == "basic":
        return {"type": "http", "scheme": "basic"}
    if kind == "oauth2":
        flow_name = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                     "accessCode": "authorizationCode"}.get(scheme.get("flow", ""), "implicit")
        flow = {"scopes": scheme.get("scopes", {})}
        for key in ("authorizationUrl", "tokenUrl"):
            if key in scheme:
                flow[key] = scheme[key]
        return {"type": "oauth2", "flows": {flow_name: flow}}
    return dict(scheme)
