"""Load an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into one internal (3.x) form.

``$ref`` is checked here, not inlined: the diff follows refs itself so that a shared
component is compared once. Local refs, and refs to sibling files under the spec's
folder, are allowed; remote refs and refs that escape the folder are refused. What a
ref reaches must be what its place expects (a schema where a schema goes...), checked
as such wherever it is: a ref to a string or a list would hide the change behind it.
(Path items that are a ref are the exception to "not inlined": the diff reads paths as
parts of the main file, so they are put in place, their refs rebased.)

Without ``--validate`` the loader still checks the shape the diff relies on (paths,
operations, parameters, bodies, responses, schemas' sub-schemas), so that anything it
accepts can be compared without surprises, and stops at the first thing it cannot read.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeAlias
from urllib.parse import unquote

from ..errors import InputError
from ..model import DocumentKind
from ..parsing.locator import Locator
from ..parsing.pointers import escape_token, unescape_pointer
from ..parsing.text import check_depth
from .document import Document, parse_against, parse_structured, rebase_refs, resolve_pointer
from .sources import Source, read_source
from .swagger import swagger_to_openapi3, swagger_warnings

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_REF_FILES = 500
MAX_PROBLEMS = 200
#: Longest path template accepted. Every finding on an operation names its path, so a
#: 40 kB path with a few thousand findings made a report a thousand times the spec's size
#: (a 4,000-parameter path: 390 MB of JSON from 350 kB). Real paths stay under 300 characters.
MAX_PATH_LENGTH = 4096
_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")
PARAM_LOCATIONS_3 = ("query", "header", "path", "cookie")
PARAM_LOCATIONS_2 = ("query", "header", "path", "formData", "body")


# Where the structure check is: a JSON pointer, or (where, token) built as it goes down and
# spelled out only for a message (most of a document is never the subject of one).
_At: TypeAlias = "str | tuple[_At, str | int]"
# A $ref the structure check saw: (the ref, the file it is in, where, what its target
# must be -- a role of ROLE_CHECKS, or None where the diff does not read the target).
_Ref: TypeAlias = "tuple[str, str, _At, str | None]"


def pointer_of(at: _At) -> str:
    """The JSON pointer of a place the structure check passed."""
    tokens: list[str] = []
    while not isinstance(at, str):
        at, token = at
        tokens.append(str(token) if isinstance(token, int) else escape_token(token))
    return at + "".join("/" + token for token in reversed(tokens))


def ref_file_key(current: str, target: str) -> str:
    """The key of the file a ``$ref`` names, relative to the main file's folder."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(current), unquote(target)))


def split_ref(ref: str) -> tuple[str, str]:
    """(file part, JSON pointer) of a ``$ref``, the pointer percent-decoded."""
    target_file, _, fragment = ref.partition("#")
    return target_file, unquote(fragment)


def load_openapi(
    source: str | Source | dict[str, Any],
    *,
    validate: bool = False,
    strict: bool = False,
    allow_external_refs: bool = False,
    name: str | None = None,
    like: Document | None = None,
    **_options: Any,
) -> Document:
    """Load and check an OpenAPI document. Raises :class:`InputError` on bad input.

    ``like``: the other version of a pair, loaded already; what is unchanged from it is
    not checked twice."""
    reader: Any = None
    same: dict[int, Any] = {}
    checked = like.checked if like is not None and isinstance(like.checked, _Checked) else None
    if isinstance(source, dict):
        label = name or "<dict>"
        check_depth(source, label)
        doc = Document(DocumentKind.OPENAPI, source, label, key="")
    else:
        src = source if isinstance(source, Source) else read_source(source, allow_outside=allow_external_refs)
        data, locator, same = parse_against(src, checked.data if checked is not None else None,
                                            like_locator=like.locator if like is not None else None)
        label = src.name
        doc = Document(DocumentKind.OPENAPI, data, label, key=_main_key(label), locator=locator)
        reader = src.reader
    version = _check_root(doc)
    doc.meta["openapi_version"] = version
    swagger = version.startswith("2")
    walker = _Walker(doc, doc.key, swagger=swagger, openapi31=version.startswith("3.1"))
    if checked is not None and checked.version == _version_class(version):
        walker.like(same, checked)
    walker.root(doc.data)
    doc.checked = _Checked(_version_class(version), doc.data, walker.refs, walker.spans)
    reached = _check_refs(doc, reader, walker, allow_external_refs)
    if not swagger:  # a converted Swagger document holds other objects
        doc.ref_holders = walker.ref_holders
    _inline_path_items(doc)
    original, original_files = doc.data, doc.files
    if swagger:
        doc.data, doc.files, back = swagger_to_openapi3(
            original, files=doc.files, main=doc.key, reached=reached, follow=partial(_follow, doc))
        doc.pointer_map = back
        doc.meta["converted_from"] = "swagger-2.0"
        doc.clear_resolved()  # what refs reached in the Swagger form is not what the diff reads
        doc.warnings.extend(f"{label}: {warning}" for warning in swagger_warnings(original))
    if validate or strict:
        problems = validate_spec(original, doc, original_files)
        if problems and strict:
            pointer, message = problems[0]
            raise _fail(doc, doc.key, pointer,
                        f"the spec is not valid OpenAPI ({len(problems)} problem(s)); first: {message}")
        for pointer, message in problems:
            place = place_of(doc, doc.key, pointer)
            where = f"{label}:{place}" if place[:1].isdigit() else label
            doc.warnings.extend([f"{where}: {pointer or '/'}: {message}"])
    return doc


def _main_key(label: str) -> str:
    if label == "<stdin>":
        return ""
    key = label.replace("\\", "/")
    if ":" in key and not _WINDOWS_ABSOLUTE.match(key):  # REV:path
        key = key.split(":", 1)[1]
    return posixpath.basename(key)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})" if len(value) <= 40 else "a string"
    return f"a number ({value!r})" if isinstance(value, (int, float)) else type(value).__name__


def place_of(doc: Document, file_key: str, at: _At) -> str:
    """``line:column`` of ``pointer`` in one of the document's files, else the pointer."""
    pointer = pointer_of(at)
    locator: Locator | None = doc.locator if file_key == doc.key else doc.locators.get(file_key)
    if locator is not None:
        pos = locator.position(pointer)
        if pos is not None:
            return f"{pos[0]}:{pos[1]}"
    return pointer or "/"


def _fail(doc: Document, file_key: str, at: _At, message: str) -> InputError:
    label = doc.file_label(file_key)
    pointer = pointer_of(at)
    place = place_of(doc, file_key, pointer)
    if place[:1].isdigit():
        message += f" (at {pointer or '/'})"
    return InputError(message, file=label, place=place)


def _check_root(doc: Document) -> str:
    data = doc.data
    if not isinstance(data, dict):
        raise _fail(doc, doc.key, "",
                    f"not an OpenAPI document: expected a mapping at the top, found {_type_name(data)}")
    if "openapi" in data:
        version = str(data["openapi"])
        if not re.match(r"3\.[01](\.|$)", version):
            raise _fail(doc, doc.key, "/openapi",
                        f"unsupported OpenAPI version {version!r} (expected 3.0.x, 3.1.x or Swagger 2.0)")
        return version
    if "swagger" in data:
        version = str(data["swagger"])
        if version != "2.0":
            raise _fail(doc, doc.key, "/swagger", f"unsupported Swagger version {version!r} (expected 2.0)")
        return version
    raise _fail(doc, doc.key, "",
                "not an OpenAPI document: expected a top-level 'openapi' (3.x) or 'swagger' (2.0) key")


# What each schema keyword holds: one sub-schema, a list or a map of them. (The diff also
# relies on the types of `type`, `required` and `enum`, checked beside.)
_SCHEMA_ROLES: dict[str, str] = {
    **dict.fromkeys(("not", "additionalProperties", "items", "contains", "if", "then", "else", "propertyNames",
                     "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"), "one"),
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), "list"),
    **dict.fromkeys(("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"), "map"),
}
_SUBSCHEMA_KEYWORDS = frozenset(_SCHEMA_ROLES)
MAX_SCHEMA_DEPTH = 100
_is_str = partial(type.__instancecheck__, str)  # for map(): no Python call per item


def _version_class(version: str) -> str:
    """What the structure check depends on: Swagger 2.0, OpenAPI 3.0 or 3.1."""
    return "2" if version.startswith("2") else "3.1" if version.startswith("3.1") else "3.0"


@dataclass
class _Checked:
    """What the structure check of one document (``data``, as read, before a Swagger
    conversion) found: its ``$ref``s in order, and for each path item, operation and
    component checked (by id) the slice of them it holds."""

    version: str
    data: Any
    refs: list[_Ref]
    spans: dict[int, tuple[int, int]]


class _Walker:
    """Checks the OpenAPI structure the diff reads and collects every ``$ref``."""

    def __init__(self, doc: Document, file_key: str, *, swagger: bool, openapi31: bool) -> None:
        self.doc = doc
        self.file_key = file_key
        self.swagger = swagger
        self.openapi31 = openapi31
        self.refs: list[_Ref] = []
        # id of each schema checked -> whether a $ref sits in it where the diff follows one
        self.ref_holders: dict[int, bool] = {}
        self.spans: dict[int, tuple[int, int]] = {}  # id of a member -> its slice of refs
        self._same: dict[int, Any] = {}
        self._like = _Checked("", None, [], {})

    def like(self, same: dict[int, Any], checked: _Checked) -> None:
        """Members equal to the other version's (by id, with their twin there), whose check
        passed: each one's refs are taken from that check, in place, not walked again."""
        self._same = same
        self._like = checked

    def members(self, check: Any) -> Any:
        return lambda item, pointer: self.member(check, item, pointer)

    def member(self, check: Any, item: Any, pointer: _At) -> None:
        """``check`` a path item, an operation or a component, unless it is the same as in
        the other version of the pair."""
        twin = self._same.get(id(item)) if self._same else None
        span = self._like.spans.get(id(twin)) if twin is not None else None
        if span is not None:
            key = self.file_key
            self.refs.extend((ref, key, at, role) for ref, _, at, role in self._like.refs[span[0]:span[1]])
            return
        start = len(self.refs)
        check(item, pointer)
        self.spans[id(item)] = (start, len(self.refs))

    def fail(self, pointer: _At, message: str) -> InputError:
        return _fail(self.doc, self.file_key, pointer, message)

    def expect(self, value: Any, kind: type, pointer: _At, what: str) -> Any:
        if not isinstance(value, kind) or isinstance(value, bool):
            names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
            expected = names.get(kind, kind.__name__)
            raise self.fail(pointer, f"{what} must be {expected}, found {_type_name(value)}")
        return value

    def at(self, file_key: str) -> _Walker:
        """A walker of the same document for the objects of file ``file_key`` that a
        ``$ref`` reaches: it shares what was learnt of schemas, not the refs it records."""
        walker = _Walker(self.doc, file_key, swagger=self.swagger, openapi31=self.openapi31)
        walker.ref_holders = self.ref_holders
        return walker

    def ref(self, node: dict[str, Any], pointer: _At, role: str | None = None) -> bool:
        """Record ``node``'s ``$ref`` and what its target must be (``role``, one of
        :data:`ROLE_CHECKS`; None where the diff does not read it); True when ``node``
        is a reference object."""
        if "$ref" not in node:
            return False
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise self.fail((pointer, "$ref"), f"$ref must be a string, found {_type_name(ref)}")
        self.refs.append((ref, self.file_key, (pointer, "$ref"), role))
        return True

    def mapping_of(self, value: Any, pointer: _At, what: str, check: Any) -> None:
        if value is None:
            return
        self.expect(value, dict, pointer, what)
        for key, item in value.items():
            check(item, (pointer, str(key)))

    def list_of(self, value: Any, pointer: _At, what: str, check: Any) -> None:
        if value is None:
            return
        self.expect(value, list, pointer, what)
        for index, item in enumerate(value):
            check(item, (pointer, index))

    # --- the document ---------------------------------------------------------------

    def root(self, data: dict[str, Any]) -> None:
        self.mapping_of(data.get("paths"), "/paths", "'paths'", self.path_entry)
        if self.swagger:
            self.mapping_of(data.get("definitions"), "/definitions", "'definitions'", self.members(self.schema))
            self.mapping_of(data.get("parameters"), "/parameters", "'parameters'", self.members(self.parameter))
            self.mapping_of(data.get("responses"), "/responses", "'responses'", self.members(self.response))
            self.mapping_of(data.get("securityDefinitions"), "/securityDefinitions", "'securityDefinitions'",
                            self.security_scheme)
            for key in ("consumes", "produces", "schemes"):
                self.list_of(data.get(key), "/" + key, f"'{key}'", self.string)
        else:
            self.mapping_of(data.get("webhooks"), "/webhooks", "'webhooks'", self.members(self.path_item))
            components = data.get("components")
            if components is not None:
                self.expect(components, dict, "/components", "'components'")
                for section, check in (
                    ("schemas", self.schema), ("parameters", self.parameter), ("responses", self.response),
                    ("requestBodies", self.request_body), ("headers", self.header),
                    ("securitySchemes", self.security_scheme), ("examples", self.example),
                    ("links", self.plain), ("callbacks", self.callback), ("pathItems", self.path_item),
                ):
                    self.mapping_of(components.get(section), f"/components/{section}", f"'{section}'",
                                    self.members(check))
            self.list_of(data.get("servers"), "/servers", "'servers'", self.server)
        self.list_of(data.get("security"), "/security", "'security'", self.requirement)
        self.list_of(data.get("tags"), "/tags", "'tags'", self.plain)
        if data.get("info") is not None:
            self.expect(data["info"], dict, "/info", "'info'")

    def path_entry(self, item: Any, pointer: _At) -> None:
        path = str(pointer[1]) if isinstance(pointer, tuple) else unescape_pointer(pointer)[-1]
        if path.startswith("x-"):
            return
        if not path.startswith("/"):
            raise self.fail(pointer, f"a path must start with '/', found {path!r}")
        if len(path) > MAX_PATH_LENGTH:  # (its line, not its pointer: that would echo it whole)
            place = place_of(self.doc, self.file_key, pointer)
            raise InputError(f"a path may be {MAX_PATH_LENGTH:,} characters long at most, found one of "
                             f"{len(path):,} starting {path[:40]!r}", file=self.doc.file_label(self.file_key),
                             place=place if place[:1].isdigit() else "/paths")
        self.member(self.path_item, item, pointer)

    def path_item(self, item: Any, pointer: _At) -> None:
        self.expect(item, dict, pointer, "a path item")
        self.ref(item, pointer, "a path item")
        self.list_of(item.get("parameters"), (pointer, "parameters"), "'parameters'", self.parameter)
        for method in HTTP_METHODS:
            if method in item:
                self.member(self.operation, item[method], (pointer, method))
        if not self.swagger:
            self.list_of(item.get("servers"), (pointer, "servers"), "'servers'", self.server)

    def operation(self, op: Any, pointer: _At) -> None:
        self.expect(op, dict, pointer, "an operation")
        self.list_of(op.get("parameters"), (pointer, "parameters"), "'parameters'", self.parameter)
        self.list_of(op.get("security"), (pointer, "security"), "'security'", self.requirement)
        self.list_of(op.get("tags"), (pointer, "tags"), "'tags'", self.string)
        if "requestBody" in op:
            if self.swagger:
                raise self.fail((pointer, "requestBody"), "'requestBody' is OpenAPI 3, not Swagger 2.0 "
                                "(use a parameter 'in: body')")
            self.request_body(op["requestBody"], (pointer, "requestBody"))
        self.mapping_of(op.get("responses"), (pointer, "responses"), "'responses'", self.response)
        self.mapping_of(op.get("callbacks"), (pointer, "callbacks"), "'callbacks'", self.callback)
        if self.swagger:
            for key in ("consumes", "produces", "schemes"):
                self.list_of(op.get(key), (pointer, key), f"'{key}'", self.string)
        else:
            self.list_of(op.get("servers"), (pointer, "servers"), "'servers'", self.server)

    def parameter(self, param: Any, pointer: _At) -> None:
        self.expect(param, dict, pointer, "a parameter")
        if self.ref(param, pointer, "a parameter"):
            return
        for key in ("name", "in"):
            if key not in param:
                raise self.fail(pointer, f"a parameter needs '{key}'")
            self.expect(param[key], str, (pointer, key), f"a parameter's '{key}'")
        allowed = PARAM_LOCATIONS_2 if self.swagger else PARAM_LOCATIONS_3
        if param["in"] not in allowed:
            raise self.fail((pointer, "in"), f"a parameter's 'in' must be one of {', '.join(allowed)}, "
                            f"found {param['in']!r}")
        if "schema" in param:
            self.schema(param["schema"], (pointer, "schema"))
        if self.swagger and "items" in param:
            self.schema(param["items"], (pointer, "items"))
        self.content(param.get("content"), (pointer, "content"))
        self.mapping_of(param.get("examples"), (pointer, "examples"), "'examples'",
                        self.plain if self.swagger else self.example)

    def request_body(self, body: Any, pointer: _At) -> None:
        self.expect(body, dict, pointer, "a request body")
        if self.ref(body, pointer, "a request body"):
            return
        self.content(body.get("content"), (pointer, "content"))

    def content(self, content: Any, pointer: _At) -> None:
        self.mapping_of(content, pointer, "'content'", self.media_type)

    def media_type(self, media: Any, pointer: _At) -> None:
        self.expect(media, dict, pointer, "a media type object")
        if "$ref" in media:  # OpenAPI has no reference here: the diff would read an empty one
            raise self.fail((pointer, "$ref"), "a media type object cannot be a $ref "
                            "(OpenAPI allows none here); put the $ref in its 'schema'")
        if "schema" in media:
            self.schema(media["schema"], (pointer, "schema"))
        self.mapping_of(media.get("examples"), (pointer, "examples"), "'examples'", self.example)
        self.mapping_of(media.get("encoding"), (pointer, "encoding"), "'encoding'", self.encoding)

    def encoding(self, encoding: Any, pointer: _At) -> None:
        self.expect(encoding, dict, pointer, "an encoding object")
        self.mapping_of(encoding.get("headers"), (pointer, "headers"), "'headers'", self.header)

    def response(self, response: Any, pointer: _At) -> None:
        self.expect(response, dict, pointer, "a response")
        if self.ref(response, pointer, "a response"):
            return
        self.mapping_of(response.get("headers"), (pointer, "headers"), "'headers'", self.header)
        if self.swagger:
            if "schema" in response:
                self.schema(response["schema"], (pointer, "schema"))
        else:
            self.content(response.get("content"), (pointer, "content"))
            self.mapping_of(response.get("links"), (pointer, "links"), "'links'", self.plain)

    def header(self, header: Any, pointer: _At) -> None:
        self.expect(header, dict, pointer, "a header")
        if self.ref(header, pointer, "a header"):
            return
        if "schema" in header:
            self.schema(header["schema"], (pointer, "schema"))
        if self.swagger and "items" in header:
            self.schema(header["items"], (pointer, "items"))
        self.content(header.get("content"), (pointer, "content"))

    def security_scheme(self, scheme: Any, pointer: _At) -> None:
        self.expect(scheme, dict, pointer, "a security scheme")
        if self.ref(scheme, pointer, "a security scheme"):
            return
        if "type" not in scheme:
            raise self.fail(pointer, "a security scheme needs a 'type'")
        if self.swagger:
            if "scopes" in scheme:
                self.expect(scheme["scopes"], dict, (pointer, "scopes"), "'scopes'")
        elif "flows" in scheme:
            self.expect(scheme["flows"], dict, (pointer, "flows"), "'flows'")
            for flow, body in scheme["flows"].items():
                fptr = ((pointer, "flows"), str(flow))
                self.expect(body, dict, fptr, "an OAuth flow")
                if "scopes" in body:
                    self.expect(body["scopes"], dict, (fptr, "scopes"), "'scopes'")

    def requirement(self, requirement: Any, pointer: _At) -> None:
        self.expect(requirement, dict, pointer, "a security requirement")
        for name, scopes in requirement.items():
            self.expect(scopes, list, (pointer, str(name)), "a requirement's scopes")

    def server(self, server: Any, pointer: _At) -> None:
        self.expect(server, dict, pointer, "a server")
        if "url" in server:
            self.expect(server["url"], str, (pointer, "url"), "a server's 'url'")

    def callback(self, callback: Any, pointer: _At) -> None:
        self.expect(callback, dict, pointer, "a callback")
        if self.ref(callback, pointer, "a callback"):
            return
        for expression, item in callback.items():
            if not str(expression).startswith("x-"):
                self.path_item(item, (pointer, str(expression)))

    def example(self, example: Any, pointer: _At) -> None:
        # Only the reference matters: an example's value is data and may hold anything.
        if isinstance(example, dict):
            self.ref(example, pointer)

    def plain(self, value: Any, pointer: _At) -> None:
        if isinstance(value, dict):
            self.ref(value, pointer)

    def string(self, value: Any, pointer: _At) -> None:
        self.expect(value, str, pointer, "an entry")

    # --- schemas ------------------------------------------------------------------------

    def schema(self, schema: Any, pointer: _At, depth: int = 0) -> bool:
        """Check a schema; True when a ``$ref`` sits in it (the diff walks an unchanged
        schema only if so)."""
        if isinstance(schema, bool) and self.openapi31:
            return False
        if not isinstance(schema, dict):
            raise self.fail(pointer, f"a schema must be a mapping, found {_type_name(schema)}")
        key = id(schema)
        holders = self.ref_holders
        known = holders.get(key)
        if known is not None:  # shared through a YAML alias: checked once
            return known
        has_ref = holders[key] = "$ref" in schema and self.ref(schema, pointer, "a schema")
        if has_ref and not self.openapi31:
            return True  # in 3.0 and 2.0 a $ref's siblings are ignored
        if depth > MAX_SCHEMA_DEPTH:
            raise self.fail(pointer, f"schemas nest deeper than {MAX_SCHEMA_DEPTH} levels")
        kind, required, enum = schema.get("type"), schema.get("required"), schema.get("enum")
        if kind is not None and not isinstance(kind, (str, list)):
            raise self.fail((pointer, "type"), f"'type' must be a string or a list, found {_type_name(kind)}")
        if required is not None and not isinstance(required, (list, bool)):
            raise self.fail((pointer, "required"),
                            f"'required' must be a list of property names, found {_type_name(required)}")
        if type(required) is list and not all(map(_is_str, required)):
            index = next(i for i, name in enumerate(required) if not isinstance(name, str))
            raise self.fail(((pointer, "required"), index),
                            f"'required' lists property names, found {_type_name(required[index])}")
        if enum is not None and not isinstance(enum, list):
            raise self.fail((pointer, "enum"), f"'enum' must be a list, found {_type_name(enum)}")
        if _SUBSCHEMA_KEYWORDS.isdisjoint(schema):
            return has_ref  # a leaf (most schemas): no sub-schema to check
        for name, sub in schema.items():
            role = _SCHEMA_ROLES.get(name)
            if role is None or sub is None:
                continue
            at = (pointer, name)
            if role == "map":
                self.expect(sub, dict, at, f"'{name}'")
                for prop, value in sub.items():
                    has_ref = self.schema(value, (at, str(prop)), depth + 1) or has_ref
            elif role == "list" or (name == "items" and isinstance(sub, list)):  # items: tuple form
                self.expect(sub, list, at, f"'{name}'")
                for index, value in enumerate(sub):
                    has_ref = self.schema(value, (at, index), depth + 1) or has_ref
            elif role == "one" and not isinstance(sub, bool):
                has_ref = self.schema(sub, at, depth + 1) or has_ref
        holders[key] = has_ref
        return has_ref


def _generic_refs(data: Any, file_key: str) -> list[_Ref]:
    """Every ``$ref`` of a sibling file, whose role is not known, skipping example data."""
    found: list[_Ref] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    seen: set[int] = set()
    while stack:
        node, ptr = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((ref, file_key, ptr + "/$ref", None))
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key not in DATA_KEYS and not str(key).startswith("x-"):
                    stack.append((value, ptr + "/" + escape_token(str(key))))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{ptr}/{index}"))
    found.sort(key=lambda item: item[2])
    return found


# Keys whose values are data, not OpenAPI objects or schemas (an example may hold anything).
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})


# What the target of a $ref must be, by the place of the $ref: the walker's check of it.
ROLE_CHECKS: dict[str, str] = {
    "a schema": "schema", "a parameter": "parameter", "a request body": "request_body",
    "a response": "response", "a header": "header", "a security scheme": "security_scheme",
    "a callback": "callback", "a path item": "path_item",
}
# Where the walk of the main file checks objects of a role already (a $ref to one of them,
# the common case, needs no second check).
_HOMES_3: dict[str, tuple[str, ...]] = {
    "a schema": ("/components/schemas/",), "a parameter": ("/components/parameters/",),
    "a request body": ("/components/requestBodies/",), "a response": ("/components/responses/",),
    "a header": ("/components/headers/",), "a security scheme": ("/components/securitySchemes/",),
    "a callback": ("/components/callbacks/",),
    "a path item": ("/components/pathItems/", "/webhooks/", "/paths/~1"),
}
_HOMES_2: dict[str, tuple[str, ...]] = {
    "a schema": ("/definitions/",), "a parameter": ("/parameters/",), "a response": ("/responses/",),
    "a security scheme": ("/securityDefinitions/",), "a path item": ("/paths/~1",),
}


def _at_home(pointer: str, role: str, swagger: bool) -> bool:
    """Whether ``pointer`` (in the main file) names an object the walk checked as ``role``."""
    for prefix in (_HOMES_2 if swagger else _HOMES_3).get(role, ()):
        if pointer.startswith(prefix) and "/" not in pointer[len(prefix):] and len(pointer) > len(prefix):
            return True
    return False


def _check_refs(doc: Document, reader: Any, walker: _Walker, allow_outside: bool) -> list[tuple[str, str, str]]:
    """Every ``$ref`` resolves, stays in the spec's folder, reaches a value of the kind its
    place expects (a schema where a schema goes...) and no chain of refs loops.

    A target is checked as what its place expects, once per kind, wherever it is (in a
    sibling file, or in the main file outside the places the walk checks): a ``$ref`` to
    a string, a list or a mapping of another shape would hide what it stands for from
    the diff -- a breaking change behind it would pass the gate unseen.

    Returns the (file, pointer, role) of each target checked here, outside the places the
    walk of the main file checks: a Swagger 2.0 conversion converts them too."""
    pending: list[_Ref] = list(walker.refs)  # grows as targets and sibling files are read
    resolved: dict[tuple[str, str], tuple[str, str]] = {}  # (ref, file) -> (file, pointer)
    targets: dict[tuple[str, str], Any] = {}
    checked: set[tuple[str, str, str]] = set()
    for ref, file_key, where, role in pending:  # a list's iterator also yields what is appended
        target = resolved.get((ref, file_key))
        if target is None:
            target = _ref_target(doc, reader, ref, file_key, where, allow_outside, pending)
            root = doc.data if target[0] == doc.key else doc.files[target[0]]
            try:
                targets[target] = resolve_pointer(root, target[1])
            except KeyError:
                where_to = f" in {target[0]}" if target[0] != file_key else ""
                raise _fail(doc, file_key, where,
                            f"unresolvable $ref {ref!r}: nothing at {target[1] or '/'}{where_to}") from None
            resolved[(ref, file_key)] = target
        if role is None or (*target, role) in checked:
            continue
        checked.add((*target, role))
        pending.extend(_check_target(doc, walker, (ref, file_key, where, role), target, targets[target]))
    _check_ref_loops(doc, targets)
    return sorted(target for target in checked
                  if not (target[0] == doc.key and _at_home(target[1], target[2], walker.swagger)))


def _inline_path_items(doc: Document) -> None:
    """Put the path items that are a ``$ref`` (to another file, or elsewhere in this one)
    in their place in the data, refs rebased to the main file: the diff reads paths,
    operations and what they hold as parts of the main file."""
    data = doc.data
    copied = False
    for root in ("paths", "webhooks"):
        items = data.get(root)
        if not isinstance(items, dict):
            continue
        inlined = dict(items)
        for path, item in items.items():
            if isinstance(item, dict) and isinstance(item.get("$ref"), str) and not str(path).startswith("x-"):
                file_key, _, value = _follow(doc, item["$ref"], doc.key)
                inlined[path] = value if file_key == doc.key else rebase_refs(value, file_key)
        if inlined != items or any(a is not b for a, b in zip(inlined.values(), items.values(), strict=True)):
            if not copied:
                data, copied = dict(data), True
            data[root] = inlined
    if copied:
        doc.data = data
        doc.clear_resolved()


def _follow(doc: Document, ref: str, file_key: str) -> tuple[str, str, Any]:
    """Where a chain of refs from ``ref`` (seen in ``file_key``) ends: (file, pointer, value).
    The refs were checked: they resolve and do not loop."""
    target_key, pointer, value = doc.resolve(ref, file_key)
    value, target_key, pointer = doc.chain_end(value, target_key, pointer)
    return target_key, pointer, value


def _check_target(doc: Document, walker: _Walker, seen: _Ref, target: tuple[str, str], value: Any) -> list[_Ref]:
    """Check what a ``$ref`` reaches as what its place expects; the refs found in it."""
    ref, file_key, where, role = seen
    assert role is not None
    target_key, pointer = target
    if role == "a schema" and isinstance(value, bool) and walker.openapi31:
        return []  # JSON Schema 2020-12: true and false are schemas, as they are inline
    if not isinstance(value, dict):
        in_file = f" in {doc.file_label(target_key)}" if target_key != file_key else ""
        raise _fail(doc, file_key, where,
                    f"$ref {ref!r} must point at {role}, found {_type_name(value)} at {pointer or '/'}{in_file}")
    if target_key == doc.key and _at_home(pointer, role, walker.swagger):
        return []
    sub = walker.at(target_key)
    try:
        getattr(sub, ROLE_CHECKS[role])(value, pointer)
    except InputError as exc:
        place = place_of(doc, file_key, where)
        raise InputError(f"{exc.message} (in {role} reached by $ref {ref!r} at "
                         f"{doc.file_label(file_key)}:{place})", file=exc.file, place=exc.place) from None
    return sub.refs


def _ref_target(
    doc: Document, reader: Any, ref: str, file_key: str, where: _At, allow_outside: bool,
    pending: list[_Ref],
) -> tuple[str, str]:
    if "://" in ref or ref.startswith("//"):
        raise _fail(doc, file_key, where, f"remote $ref {ref!r} is refused: trustguard reads local files only")
    target_file, pointer = split_ref(ref)
    if pointer and not pointer.startswith("/"):
        raise _fail(doc, file_key, where,
                    f"$ref {ref!r}: only JSON pointer fragments (#/...) are supported, not named anchors")
    if not target_file:
        return file_key, pointer
    if (target_file.startswith(("/", "\\")) or _WINDOWS_ABSOLUTE.match(target_file)) and not allow_outside:
        raise _fail(doc, file_key, where, f"$ref {ref!r} is an absolute path, outside the spec's folder; "
                    "pass --allow-external-refs to allow it")
    target_key = ref_file_key(file_key, target_file)
    if (target_key == ".." or target_key.startswith("../")) and not allow_outside:
        raise _fail(doc, file_key, where, f"$ref {ref!r} points outside the spec's folder; "
                    "pass --allow-external-refs to allow it")
    if target_key == doc.key or target_key in doc.files:
        return target_key, pointer
    label = doc.file_label(file_key)
    place = place_of(doc, file_key, where)
    if reader is None:
        raise InputError(f"cannot resolve $ref {ref!r}: the input has no folder to read files from",
                         file=label, place=place)
    if len(doc.files) >= MAX_REF_FILES:
        raise InputError(f"more than {MAX_REF_FILES} files reached through $ref", file=label, place=place)
    raw = reader.read(unquote(target_file), file_key, label, place)
    data, locator = parse_structured(Source(target_key, raw, reader), name=doc.file_label(target_key))
    doc.files[target_key] = data
    doc.locators[target_key] = locator
    pending.extend(_generic_refs(data, target_key))
    return target_key, pointer


def _check_ref_loops(doc: Document, targets: dict[tuple[str, str], Any]) -> None:
    """A chain of bare refs that comes back to itself has no value to compare.

    Each target is followed once: a chain already followed to its end is not walked
    again from another of its links (a chain of 10,000 refs is 10,000 steps, not 50 M)."""
    ended: set[tuple[str, str]] = set()  # targets whose chain reaches a value
    for start in sorted(targets):
        chain: list[tuple[str, str]] = []
        on_chain: set[tuple[str, str]] = set()
        node: tuple[str, str] | None = start
        while node is not None and node not in ended:
            if node in on_chain:  # the last link's $ref closes the loop: name that one
                file_key, pointer = chain[-1]
                ref = targets[chain[-1]]["$ref"]
                raise _fail(doc, file_key, pointer + "/$ref",
                            f"$ref {ref!r} loops back to itself without ever reaching a value")
            on_chain.add(node)
            chain.append(node)
            value = targets.get(node)
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                break
            target_file, next_pointer = split_ref(value["$ref"])
            next_file = ref_file_key(node[0], target_file) if target_file else node[0]
            node = (next_file, next_pointer) if (next_file, next_pointer) in targets else None
        ended.update(chain)


# --- opt-in validation ------------------------------------------------------------------


def validate_spec(
    data: dict[str, Any], doc: Document, files: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """openapi-spec-validator's problems, as sorted (JSON pointer, message) pairs."""
    try:
        from openapi_spec_validator import (
            OpenAPIV2SpecValidator,
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )
    except ImportError:  # pragma: no cover - a dependency, but fail soft if it is broken
        return [("", "openapi-spec-validator is not installed: nothing was validated")]
    from .spec_patterns import safe_keyword_validators  # (imports jsonschema: only when validating)
    version = str(data.get("openapi") or data.get("swagger"))
    base = OpenAPIV2SpecValidator if version.startswith("2") else (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    files = {doc.key: data, **(doc.files if files is None else files)}

    def local_only(uri: str) -> Any:
        # Sibling files come from what the loader already read (and checked): the
        # validator never touches the disk or the network itself.
        key = uri.split("#", 1)[0].removeprefix(_BASE_URI)
        if key in files:
            return files[key]
        raise ValueError(f"not a file of this spec: {uri}")

    handlers = {"file": local_only, "http": local_only, "https": local_only, "<all_urls>": local_only}
    attributes: dict[str, Any] = {"resolver_handlers": handlers}
    keyword_validators = safe_keyword_validators(base)  # the spec's patterns run by RE2
    if keyword_validators is not None:
        attributes["keyword_validators"] = keyword_validators
    validator_cls = type("LocalValidator", (base,), attributes)
    problems: list[tuple[str, str]] = []
    try:
        validator = validator_cls(data, base_uri=_BASE_URI + (doc.key or "spec.json"))
        for error in validator.iter_errors():
            path = "".join("/" + escape_token(str(p)) for p in getattr(error, "path", []))
            message = str(getattr(error, "message", error)).splitlines()[0]
            problems.append((path, message[:300]))
            if len(problems) >= MAX_PROBLEMS:
                break
    except RecursionError:
        problems.append(("", "the validator gave up: the spec nests too deeply for it"))
    except Exception as exc:
        detail = (str(exc).splitlines() or [""])[0][:200]
        problems.append(("", f"the validator stopped: {type(exc).__name__}: {detail}"))
    finally:
        # iter_errors is cached per instance (functools.lru_cache on the method) and would
        # keep the whole spec alive; clear it.
        cached = getattr(base.iter_errors, "__wrapped__", None)
        clear = getattr(cached, "cache_clear", None)
        if callable(clear):
            clear()
    return sorted(set(problems))


_BASE_URI = "file:///trustguard-spec/"
