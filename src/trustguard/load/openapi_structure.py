"""The structure check of an OpenAPI document (:class:`Walker`): what the diff relies on
(paths, operations, parameters, bodies, responses, schemas' sub-schemas), each member
checked once, the first thing it cannot read an error at its place.

What it finds is kept (:class:`Checked`): the revision of a pair skips the members equal to
the base's, and the diff asks which refs an unchanged operation or component holds
(:meth:`Checked.refs_of`) rather than walking it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..errors import InputError
from ..parsing.pointers import unescape_pointer
from .document import Document
from .openapi_common import (
    HTTP_METHODS,
    MAX_PATH_LENGTH,
    PARAM_LOCATIONS_2,
    PARAM_LOCATIONS_3,
    At,
    Ref,
    fail_at,
    place_of,
    type_name,
)

# What each schema keyword holds: one sub-schema, a list or a map of them. (The diff also
# relies on the types of `type`, `required` and `enum`, checked beside.)
SCHEMA_ROLES: dict[str, str] = {
    **dict.fromkeys(("not", "additionalProperties", "items", "contains", "if", "then", "else", "propertyNames",
                     "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"), "one"),
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), "list"),
    **dict.fromkeys(("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"), "map"),
}


_SUBSCHEMA_KEYWORDS = frozenset(SCHEMA_ROLES)


MAX_SCHEMA_DEPTH = 100


_is_str = partial(type.__instancecheck__, str)  # for map(): no Python call per item


def version_class(version: str) -> str:
    """What the structure check depends on: Swagger 2.0, OpenAPI 3.0 or 3.1."""
    return "2" if version.startswith("2") else "3.1" if version.startswith("3.1") else "3.0"


@dataclass
class Checked:
    """What the structure check of one document (``data``, as read, before a Swagger
    conversion) found: its ``$ref``s in order, and for each path item, operation and
    component checked (by id) the slice of them it holds."""

    version: str
    data: Any
    refs: list[Ref]
    spans: dict[int, tuple[int, int]]
    #: the members whose slice lacks refs they hold: a schema shared through a YAML alias
    #: is checked, and its refs noted, where it is met first
    partial: set[int] = field(default_factory=set)

    def refs_of(self, node: Any) -> list[Ref] | None:
        """The refs a path item, an operation or a component of ``data`` holds (None for
        any other value, or a member whose slice lacks some)."""
        span = self.spans.get(id(node))
        if span is None or id(node) in self.partial:
            return None
        return self.refs[span[0]:span[1]]


class Walker:
    """Checks the OpenAPI structure the diff reads and collects every ``$ref``."""

    def __init__(self, doc: Document, file_key: str, *, swagger: bool, openapi31: bool) -> None:
        self.doc = doc
        self.file_key = file_key
        self.swagger = swagger
        self.openapi31 = openapi31
        self.refs: list[Ref] = []
        # id of each schema checked -> whether a $ref sits in it where the diff follows one
        self.ref_holders: dict[int, bool] = {}
        self.spans: dict[int, tuple[int, int]] = {}  # id of a member -> its slice of refs
        self.partial: set[int] = set()  # members whose slice lacks refs (see Checked)
        self._shared = 0  # schemas met again that hold refs (noted where met first)
        self._same: dict[int, Any] = {}
        self._like = Checked("", None, [], {})

    def like(self, same: dict[int, Any], checked: Checked) -> None:
        """Members equal to the other version's (by id, with their twin there), whose check
        passed: each one's refs are taken from that check, in place, not walked again."""
        self._same = same
        self._like = checked

    def members(self, check: Any) -> Any:
        return lambda item, pointer: self.member(check, item, pointer)

    def member(self, check: Any, item: Any, pointer: At) -> None:
        """``check`` a path item, an operation or a component, unless it is the same as in
        the other version of the pair."""
        twin = self._same.get(id(item)) if self._same else None
        span = self._like.spans.get(id(twin)) if twin is not None else None
        if span is not None:
            key = self.file_key
            self.refs.extend((ref, key, at, role) for ref, _, at, role in self._like.refs[span[0]:span[1]])
            if id(twin) in self._like.partial:
                self._shared += 1  # the members around it lack refs too
            return
        start, shared = len(self.refs), self._shared
        check(item, pointer)
        self.spans[id(item)] = (start, len(self.refs))
        if self._shared != shared:
            self.partial.add(id(item))

    def fail(self, pointer: At, message: str) -> InputError:
        return fail_at(self.doc, self.file_key, pointer, message)

    def expect(self, value: Any, kind: type, pointer: At, what: str) -> Any:
        if not isinstance(value, kind) or isinstance(value, bool):
            names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
            expected = names.get(kind, kind.__name__)
            raise self.fail(pointer, f"{what} must be {expected}, found {type_name(value)}")
        return value

    def at(self, file_key: str) -> Walker:
        """A walker of the same document for the objects of file ``file_key`` that a
        ``$ref`` reaches: it shares what was learnt of schemas, not the refs it records."""
        walker = Walker(self.doc, file_key, swagger=self.swagger, openapi31=self.openapi31)
        walker.ref_holders = self.ref_holders
        return walker

    def ref(self, node: dict[str, Any], pointer: At, role: str | None = None) -> bool:
        """Record ``node``'s ``$ref`` and what its target must be (``role``, one of
        :data:`ROLE_CHECKS`; None where the diff does not read it); True when ``node``
        is a reference object."""
        if "$ref" not in node:
            return False
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise self.fail((pointer, "$ref"), f"$ref must be a string, found {type_name(ref)}")
        self.refs.append((ref, self.file_key, (pointer, "$ref"), role))
        return True

    def mapping_of(self, value: Any, pointer: At, what: str, check: Any) -> None:
        if value is None:
            return
        self.expect(value, dict, pointer, what)
        for key, item in value.items():
            check(item, (pointer, str(key)))

    def list_of(self, value: Any, pointer: At, what: str, check: Any) -> None:
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

    def path_entry(self, item: Any, pointer: At) -> None:
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

    def path_item(self, item: Any, pointer: At) -> None:
        self.expect(item, dict, pointer, "a path item")
        self.ref(item, pointer, "a path item")
        self.list_of(item.get("parameters"), (pointer, "parameters"), "'parameters'", self.parameter)
        for method in HTTP_METHODS:
            if method in item:
                self.member(self.operation, item[method], (pointer, method))
        if not self.swagger:
            self.list_of(item.get("servers"), (pointer, "servers"), "'servers'", self.server)

    def operation(self, op: Any, pointer: At) -> None:
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

    def parameter(self, param: Any, pointer: At) -> None:
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

    def request_body(self, body: Any, pointer: At) -> None:
        self.expect(body, dict, pointer, "a request body")
        if self.ref(body, pointer, "a request body"):
            return
        self.content(body.get("content"), (pointer, "content"))

    def content(self, content: Any, pointer: At) -> None:
        self.mapping_of(content, pointer, "'content'", self.media_type)

    def media_type(self, media: Any, pointer: At) -> None:
        self.expect(media, dict, pointer, "a media type object")
        if "$ref" in media:  # OpenAPI has no reference here: the diff would read an empty one
            raise self.fail((pointer, "$ref"), "a media type object cannot be a $ref "
                            "(OpenAPI allows none here); put the $ref in its 'schema'")
        if "schema" in media:
            self.schema(media["schema"], (pointer, "schema"))
        self.mapping_of(media.get("examples"), (pointer, "examples"), "'examples'", self.example)
        self.mapping_of(media.get("encoding"), (pointer, "encoding"), "'encoding'", self.encoding)

    def encoding(self, encoding: Any, pointer: At) -> None:
        self.expect(encoding, dict, pointer, "an encoding object")
        self.mapping_of(encoding.get("headers"), (pointer, "headers"), "'headers'", self.header)

    def response(self, response: Any, pointer: At) -> None:
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

    def header(self, header: Any, pointer: At) -> None:
        self.expect(header, dict, pointer, "a header")
        if self.ref(header, pointer, "a header"):
            return
        if "schema" in header:
            self.schema(header["schema"], (pointer, "schema"))
        if self.swagger and "items" in header:
            self.schema(header["items"], (pointer, "items"))
        self.content(header.get("content"), (pointer, "content"))

    def security_scheme(self, scheme: Any, pointer: At) -> None:
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

    def requirement(self, requirement: Any, pointer: At) -> None:
        self.expect(requirement, dict, pointer, "a security requirement")
        for name, scopes in requirement.items():
            self.expect(scopes, list, (pointer, str(name)), "a requirement's scopes")

    def server(self, server: Any, pointer: At) -> None:
        self.expect(server, dict, pointer, "a server")
        if "url" in server:
            self.expect(server["url"], str, (pointer, "url"), "a server's 'url'")

    def callback(self, callback: Any, pointer: At) -> None:
        self.expect(callback, dict, pointer, "a callback")
        if self.ref(callback, pointer, "a callback"):
            return
        for expression, item in callback.items():
            if not str(expression).startswith("x-"):
                self.path_item(item, (pointer, str(expression)))

    def example(self, example: Any, pointer: At) -> None:
        # Only the reference matters: an example's value is data and may hold anything.
        if isinstance(example, dict):
            self.ref(example, pointer)

    def plain(self, value: Any, pointer: At) -> None:
        if isinstance(value, dict):
            self.ref(value, pointer)

    def string(self, value: Any, pointer: At) -> None:
        self.expect(value, str, pointer, "an entry")

    # --- schemas ------------------------------------------------------------------------

    def schema(self, schema: Any, pointer: At, depth: int = 0) -> bool:
        """Check a schema; True when a ``$ref`` sits in it (the diff walks an unchanged
        schema only if so)."""
        if isinstance(schema, bool) and self.openapi31:
            return False
        if not isinstance(schema, dict):
            raise self.fail(pointer, f"a schema must be a mapping, found {type_name(schema)}")
        key = id(schema)
        holders = self.ref_holders
        known = holders.get(key)
        if known is not None:  # shared through a YAML alias: checked once
            if known:
                self._shared += 1
            return known
        has_ref = holders[key] = "$ref" in schema and self.ref(schema, pointer, "a schema")
        if has_ref and not self.openapi31:
            return True  # in 3.0 and 2.0 a $ref's siblings are ignored
        if depth > MAX_SCHEMA_DEPTH:
            raise self.fail(pointer, f"schemas nest deeper than {MAX_SCHEMA_DEPTH} levels")
        kind, required, enum = schema.get("type"), schema.get("required"), schema.get("enum")
        if kind is not None and not isinstance(kind, (str, list)):
            raise self.fail((pointer, "type"), f"'type' must be a string or a list, found {type_name(kind)}")
        if required is not None and not isinstance(required, (list, bool)):
            raise self.fail((pointer, "required"),
                            f"'required' must be a list of property names, found {type_name(required)}")
        if type(required) is list and not all(map(_is_str, required)):
            index = next(i for i, name in enumerate(required) if not isinstance(name, str))
            raise self.fail(((pointer, "required"), index),
                            f"'required' lists property names, found {type_name(required[index])}")
        if enum is not None and not isinstance(enum, list):
            raise self.fail((pointer, "enum"), f"'enum' must be a list, found {type_name(enum)}")
        if _SUBSCHEMA_KEYWORDS.isdisjoint(schema):
            return has_ref  # a leaf (most schemas): no sub-schema to check
        for name, sub in schema.items():
            role = SCHEMA_ROLES.get(name)
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
