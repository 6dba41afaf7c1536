"""Verdicts judged from what a change does to a real client, on small spec pairs written here.

Each case is a base spec, a revision and the band a client lands in:

- ``BREAKS``: some client that followed the base spec now fails (a generated SDK that no longer
  compiles or deserialises, a strict JSON reader, a request the server now rejects, a branch on
  an enum value or status code that meets a case it does not know). At least one finding of
  severity major or blocker.
- ``QUIET``: every client that followed the base spec keeps working. No finding above minor.

Most areas are probed in both directions (request and response; adding and removing;
tightening and loosening) and, where it changes how the schema is reached, through ``$ref``
and ``allOf``/``oneOf``. Where diff tools disagree the comment on the case says why the band
chosen is the client's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

import trustguard

BREAKS = "breaking"
QUIET = "not breaking"
_RANK = {None: 0, "info": 1, "minor": 2, "major": 3, "blocker": 4}
JSON = "application/json"
Spec = dict[str, Any]


# --- spec builders -------------------------------------------------------------------------

def doc(paths: dict[str, Any], version: str = "3.0.3", **top: Any) -> Spec:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, **top}


def body(schema: dict[str, Any], direction: str, *, version: str = "3.0.3",
         schemas: dict[str, Any] | None = None, media: str = JSON) -> Spec:
    """One POST /things whose request body (``direction="request"``) or 200 response body is
    ``schema``; ``schemas`` go to components."""
    content = {media: {"schema": schema}}
    if direction == "request":
        op = {"requestBody": {"required": True, "content": content},
              "responses": {"204": {"description": "none"}}}
    else:
        op = {"responses": {"200": {"description": "ok", "content": content}}}
    top = {"components": {"schemas": schemas}} if schemas else {}
    return doc({"/things": {"post": op}}, version=version, **top)


def obj(props: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        found["required"] = list(required)
    return found


def prop(direction: str, schema: dict[str, Any], *, required: bool = True, **kw: Any) -> Spec:
    """An object with the property ``value`` (``schema``) and an ``id`` beside it."""
    names = ("id", "value") if required else ("id",)
    return body(obj({"id": {"type": "string"}, "value": schema}, names), direction, **kw)


def query(*parameters: dict[str, Any], path: str = "/things", path_level: list[Any] | None = None) -> Spec:
    item: dict[str, Any] = {"get": {"parameters": list(parameters), "responses": {"200": {"description": "ok"}}}}
    if path_level:
        item["parameters"] = path_level
    return doc({path: item})


def param(name: str, where: str = "query", schema: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "schema": schema or {"type": "string"}, **kw}


def responses(codes: dict[str, Any]) -> Spec:
    return doc({"/things": {"get": {"responses": codes}}})


def ok(content: dict[str, Any] | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"description": "ok"}
    if content is not None:
        found["content"] = content
    if headers is not None:
        found["headers"] = headers
    return found


STRING = {"type": "string"}
THING = obj({"id": STRING}, ("id",))


def secured(requirements: list[dict[str, list[str]]] | None) -> Spec:
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if requirements is not None:
        op["security"] = requirements
    schemes = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
               "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                   "tokenUrl": "https://auth.example.com/token", "scopes": {"read": "r", "write": "w"}}}}}
    return doc({"/things": {"get": op}}, components={"securitySchemes": schemes})


def with_op(spec: Spec, **fields: Any) -> Spec:
    spec = copy.deepcopy(spec)
    spec["paths"]["/things"]["get"].update(fields)
    return spec


PLAIN_GET = doc({"/things": {"get": {"operationId": "listThings", "responses": {"200": ok({JSON: {"schema": THING}})}}}})

PETS = {"Cat": obj({"kind": STRING, "meows": {"type": "boolean"}}, ("kind",)),
        "Dog": obj({"kind": STRING, "barks": {"type": "boolean"}}, ("kind",)),
        "Bird": obj({"kind": STRING, "sings": {"type": "boolean"}}, ("kind",))}


def pets(*names: str, mapping: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]}
    if mapping:
        found["discriminator"] = {"propertyName": "kind",
                                  "mapping": {n.lower(): f"#/components/schemas/{n}" for n in names}}
    return found


def swagger(paths: dict[str, Any], **top: Any) -> Spec:
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "api.example.com",
            "basePath": "/v1", "paths": paths, **top}


def sw_body(schema: dict[str, Any], direction: str, **top: Any) -> Spec:
    """Swagger 2.0: POST /things with ``schema`` as its body parameter or its 200 response."""
    if direction == "request":
        op = {"parameters": [{"name": "body", "in": "body", "required": True, "schema": schema}],
              "responses": {"204": {"description": "none"}}}
    else:
        op = {"responses": {"200": {"description": "ok", "schema": schema}}}
    return swagger({"/things": {"post": op}}, **top)


def sw_query(*parameters: dict[str, Any], **top: Any) -> Spec:
    return swagger({"/things": {"get": {"parameters": list(parameters), "responses": {"200": {"description": "ok"}}}}},
                   **top)


def _pet_api() -> tuple[Spec, Spec, Spec]:
    """One small API written for OpenAPI 3.0, for 3.1 and for Swagger 2.0."""
    pet_id = {"type": "integer", "format": "int64"}
    props = {"id": {**pet_id, "readOnly": True}, "name": {"type": "string", "maxLength": 50},
             "tag": {"type": "string", "nullable": True}, "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
             "kind": {"type": "string", "enum": ["cat", "dog"]}}
    ref = {"$ref": "#/components/schemas/Pet"}
    v30 = doc({"/pets/{id}": {
        "get": {"operationId": "getPet", "parameters": [param("id", "path", schema=pet_id, required=True)],
                "responses": {"200": ok({JSON: {"schema": ref}}), "404": {"description": "nf"}}},
        "put": {"parameters": [param("id", "path", schema=pet_id, required=True)],
                "requestBody": {"required": True, "content": {JSON: {"schema": ref}}}, "responses": {"200": ok()}}}},
        components={"schemas": {"Pet": obj(props, ("name",))}})
    v31 = copy.deepcopy(v30)
    v31["openapi"] = "3.1.0"
    p31 = v31["components"]["schemas"]["Pet"]["properties"]
    p31["tag"], p31["age"] = {"type": ["string", "null"]}, {"type": "integer", "exclusiveMinimum": 0}
    sw_props = {**props, "tag": {"type": "string", "x-nullable": True}}
    path_id = {"name": "id", "in": "path", "required": True, **pet_id}
    sref = {"$ref": "#/definitions/Pet"}
    v20 = swagger({"/pets/{id}": {
        "get": {"operationId": "getPet", "produces": [JSON], "parameters": [path_id],
                "responses": {"200": {"description": "ok", "schema": sref}, "404": {"description": "nf"}}},
        "put": {"consumes": [JSON], "produces": [JSON],
                "parameters": [path_id, {"name": "body", "in": "body", "required": True, "schema": sref}],
                "responses": {"200": {"description": "ok"}}}}}, definitions={"Pet": obj(sw_props, ("name",))})
    return v30, v31, v20


PET_30, PET_31, PET_SWAGGER = _pet_api()


# --- the cases -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    base: Spec
    revision: Spec
    band: str
    rule: str | None = None  # a rule id the verdict must come from (a sign it is judged for the right reason)


def both(name: str, base_schema: dict[str, Any], rev_schema: dict[str, Any], request: str, response: str,
         *, rule_request: str | None = None, rule_response: str | None = None, **kw: Any) -> list[Case]:
    """The same property change in a request body and in a response body."""
    return [Case(f"{name}/request", prop("request", base_schema, **kw), prop("request", rev_schema, **kw),
                 request, rule_request),
            Case(f"{name}/response", prop("response", base_schema, **kw), prop("response", rev_schema, **kw),
                 response, rule_response)]


ENUM_AB = {"type": "string", "enum": ["a", "b"]}
ENUM_ABC = {"type": "string", "enum": ["a", "b", "c"]}

CASES: list[Case] = [
    # --- enum values ------------------------------------------------------------------
    # A request enum that loses a value rejects clients still sending it; one that gains a value
    # accepts every old request.
    *both("enum-value-removed", ENUM_ABC, ENUM_AB, BREAKS, QUIET, rule_request="request-property-enum-value-removed"),
    # A response enum that gains a value: a generated SDK's enum (Java, Kotlin, Swift, Go with
    # validation) fails to deserialise the unknown value and a switch has no case for it.
    # oasdiff only warns; openapi-diff (by default), Azure's openapi-diff (AddedEnumValue) and
    # compaREST call it breaking. The client's view: breaking.
    *both("enum-value-added", ENUM_AB, ENUM_ABC, QUIET, BREAKS, rule_response="response-property-enum-value-added"),
    Case("enum-value-added/response-body-root", body(ENUM_AB, "response"), body(ENUM_ABC, "response"), BREAKS),
    Case("enum-value-added/response-via-ref",
         body({"$ref": "#/components/schemas/S"}, "response", schemas={"S": obj({"state": ENUM_AB}, ("state",))}),
         body({"$ref": "#/components/schemas/S"}, "response", schemas={"S": obj({"state": ENUM_ABC}, ("state",))}),
         BREAKS),
    Case("enum-value-added/response-array-items",
         prop("response", {"type": "array", "items": ENUM_AB}), prop("response", {"type": "array", "items": ENUM_ABC}),
         BREAKS),
    # x-extensible-enum tells clients to expect values they do not know: a new one breaks nobody
    Case("extensible-enum-value-added/response",
         prop("response", {"type": "string", "x-extensible-enum": ["a", "b"]}),
         prop("response", {"type": "string", "x-extensible-enum": ["a", "b", "c"]}), QUIET),
    Case("enum-value-removed/request-via-ref",
         body({"$ref": "#/components/schemas/S"}, "request", schemas={"S": obj({"state": ENUM_ABC}, ("state",))}),
         body({"$ref": "#/components/schemas/S"}, "request", schemas={"S": obj({"state": ENUM_AB}, ("state",))}),
         BREAKS),
    Case("enum-value-removed/query-parameter",
         query(param("sort", schema=ENUM_ABC)), query(param("sort", schema=ENUM_AB)), BREAKS,
         "request-parameter-enum-value-removed"),
    Case("enum-value-added/query-parameter",
         query(param("sort", schema=ENUM_AB)), query(param("sort", schema=ENUM_ABC)), QUIET),
    Case("enum-values-reordered", prop("response", ENUM_ABC),
         prop("response", {"type": "string", "enum": ["c", "a", "b"]}), QUIET),
    *both("became-enum", STRING, ENUM_AB, BREAKS, QUIET, rule_request="request-property-became-enum"),

    # --- types ------------------------------------------------------------------------
    # integer -> number: requests still valid; a client reading into an int meets 1.5
    *both("integer-to-number", {"type": "integer"}, {"type": "number"}, QUIET, BREAKS),
    *both("number-to-integer", {"type": "number"}, {"type": "integer"}, BREAKS, QUIET),
    *both("string-to-integer", STRING, {"type": "integer"}, BREAKS, BREAKS),
    *both("string-to-object", STRING, obj({"x": STRING}), BREAKS, BREAKS),
    # OpenAPI 3.1 type lists: null joins the types
    *both("type-list-gains-null", STRING, {"type": ["string", "null"]}, QUIET, BREAKS, version="3.1.0"),
    *both("type-list-loses-null", {"type": ["string", "null"]}, STRING, BREAKS, QUIET, version="3.1.0"),
    # OpenAPI 3.0 nullable: a strict deserialiser into a non-optional field fails on null
    *both("became-nullable", STRING, {"type": "string", "nullable": True}, QUIET, BREAKS),
    *both("became-not-nullable", {"type": "string", "nullable": True}, STRING, BREAKS, QUIET),
    Case("array-items-type-changed/response", prop("response", {"type": "array", "items": STRING}),
         prop("response", {"type": "array", "items": {"type": "integer"}}), BREAKS),
    Case("array-items-type-widened/request", prop("request", {"type": "array", "items": {"type": "integer"}}),
         prop("request", {"type": "array", "items": {"type": "number"}}), QUIET),
    Case("scalar-became-array/response", prop("response", STRING),
         prop("response", {"type": "array", "items": STRING}), BREAKS),

    # --- formats ----------------------------------------------------------------------
    # int32 -> int64: every int32 is an int64, so requests still pass; a client decoding the
    # response into a 32-bit int overflows
    *both("int32-to-int64", {"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"},
          QUIET, BREAKS),
    *both("int64-to-int32", {"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"},
          BREAKS, QUIET),
    # date -> date-time: a client that sends "2024-01-31" is rejected; one that parses a date
    # fails on "2024-01-31T10:00:00Z". Neither set contains the other: both directions break.
    *both("date-to-date-time", {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"},
          BREAKS, BREAKS),
    *both("format-uuid-added", STRING, {"type": "string", "format": "uuid"}, BREAKS, QUIET),
    *both("format-uuid-removed", {"type": "string", "format": "uuid"}, STRING, QUIET, BREAKS),
    Case("float-to-double/request", prop("request", {"type": "number", "format": "float"}),
         prop("request", {"type": "number", "format": "double"}), QUIET),

    # --- bounds -----------------------------------------------------------------------
    # tightening rejects requests that passed; loosening lets responses exceed what a client
    # sized its buffers, columns and validators for (oasdiff ERR)
    *both("max-length-decreased", {"type": "string", "maxLength": 20}, {"type": "string", "maxLength": 10},
          BREAKS, QUIET),
    *both("max-length-increased", {"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 20},
          QUIET, BREAKS),
    *both("min-length-increased", {"type": "string", "minLength": 1}, {"type": "string", "minLength": 3},
          BREAKS, QUIET),
    *both("minimum-increased", {"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1},
          BREAKS, QUIET),
    *both("minimum-decreased", {"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 0},
          QUIET, BREAKS),
    *both("maximum-set", {"type": "integer"}, {"type": "integer", "maximum": 100}, BREAKS, QUIET),
    *both("pattern-added", STRING, {"type": "string", "pattern": "^[a-z]+$"}, BREAKS, QUIET),
    Case("pattern-removed/request", prop("request", {"type": "string", "pattern": "^[a-z]+$"}),
         prop("request", STRING), QUIET),
    Case("max-items-decreased/request", prop("request", {"type": "array", "items": STRING, "maxItems": 10}),
         prop("request", {"type": "array", "items": STRING, "maxItems": 5}), BREAKS),
    Case("max-items-increased/request", prop("request", {"type": "array", "items": STRING, "maxItems": 5}),
         prop("request", {"type": "array", "items": STRING, "maxItems": 10}), QUIET),
    Case("min-items-increased/request", prop("request", {"type": "array", "items": STRING}),
         prop("request", {"type": "array", "items": STRING, "minItems": 1}), BREAKS),
    Case("unique-items-set/request", prop("request", {"type": "array", "items": STRING}),
         prop("request", {"type": "array", "items": STRING, "uniqueItems": True}), BREAKS),
    Case("unique-items-unset/request", prop("request", {"type": "array", "items": STRING, "uniqueItems": True}),
         prop("request", {"type": "array", "items": STRING}), QUIET),
    Case("multiple-of-narrowed/request", prop("request", {"type": "integer", "multipleOf": 1}),
         prop("request", {"type": "integer", "multipleOf": 5}), BREAKS),
    Case("multiple-of-relaxed/request", prop("request", {"type": "integer", "multipleOf": 10}),
         prop("request", {"type": "integer", "multipleOf": 5}), QUIET),
    Case("max-length-decreased/query-parameter",
         query(param("q", schema={"type": "string", "maxLength": 50})),
         query(param("q", schema={"type": "string", "maxLength": 10})), BREAKS),
    Case("max-length-decreased/request-via-allof",
         body({"allOf": [{"$ref": "#/components/schemas/S"}]}, "request",
              schemas={"S": obj({"name": {"type": "string", "maxLength": 20}}, ("name",))}),
         body({"allOf": [{"$ref": "#/components/schemas/S"}]}, "request",
              schemas={"S": obj({"name": {"type": "string", "maxLength": 10}}, ("name",))}), BREAKS),

    # --- required properties ----------------------------------------------------------
    Case("property-became-required/request", prop("request", STRING, required=False), prop("request", STRING),
         BREAKS, "request-property-became-required"),
    Case("property-became-optional/request", prop("request", STRING), prop("request", STRING, required=False),
         QUIET),
    # a response property that may now be absent: a strict deserialiser into a non-optional field fails
    Case("property-became-optional/response", prop("response", STRING), prop("response", STRING, required=False),
         BREAKS, "response-property-became-optional"),
    Case("property-became-required/response", prop("response", STRING, required=False), prop("response", STRING),
         QUIET),
    Case("required-property-added/request", body(THING, "request"),
         body(obj({"id": STRING, "name": STRING}, ("id", "name")), "request"), BREAKS,
         "new-required-request-property"),
    Case("optional-property-added/request", body(THING, "request"),
         body(obj({"id": STRING, "name": STRING}, ("id",)), "request"), QUIET),
    Case("property-added/response", body(THING, "response"),
         body(obj({"id": STRING, "name": STRING}, ("id", "name")), "response"), QUIET),
    Case("required-property-removed/response", prop("response", STRING), body(THING, "response"), BREAKS,
         "response-required-property-removed"),
    Case("required-property-removed/response-via-ref",
         body({"$ref": "#/components/schemas/T"}, "response", schemas={"T": obj({"id": STRING, "n": STRING}, ("id", "n"))}),
         body({"$ref": "#/components/schemas/T"}, "response", schemas={"T": THING}), BREAKS),
    Case("required-property-removed/response-via-allof",
         body({"allOf": [{"$ref": "#/components/schemas/T"}, obj({"extra": STRING}, ("extra",))]}, "response",
              schemas={"T": THING}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}]}, "response", schemas={"T": THING}), BREAKS),
    # a request property the server no longer reads: clients that still send it are ignored,
    # unless the object is closed
    Case("property-removed/request", prop("request", STRING, required=False), body(THING, "request"), QUIET),
    Case("property-removed/request-closed-object",
         body(obj({"id": STRING, "value": STRING}, ("id",), additionalProperties=False), "request"),
         body(obj({"id": STRING}, ("id",), additionalProperties=False), "request"), BREAKS),
    Case("required-property-added/request-via-allof",
         body({"allOf": [{"$ref": "#/components/schemas/T"}]}, "request", schemas={"T": THING}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}, obj({"owner": STRING}, ("owner",))]}, "request",
              schemas={"T": THING}), BREAKS),
    Case("required-property-added/request-readonly", body(THING, "request"),
         body(obj({"id": STRING, "created": {"type": "string", "readOnly": True}}, ("id", "created")), "request"),
         QUIET),

    # --- additionalProperties ---------------------------------------------------------
    Case("additional-properties-closed/request", body(THING, "request"),
         body(obj({"id": STRING}, ("id",), additionalProperties=False), "request"), BREAKS),
    Case("additional-properties-opened/request",
         body(obj({"id": STRING}, ("id",), additionalProperties=False), "request"), body(THING, "request"), QUIET),
    Case("additional-properties-schema-narrowed/request",
         body(obj({}, additionalProperties={"type": "string"}), "request"),
         body(obj({}, additionalProperties={"type": "integer"}), "request"), BREAKS),
    Case("additional-properties-closed/response", body(THING, "response"),
         body(obj({"id": STRING}, ("id",), additionalProperties=False), "response"), QUIET),

    # --- readOnly / writeOnly ---------------------------------------------------------
    Case("required-property-became-write-only/response", prop("response", STRING),
         prop("response", {"type": "string", "writeOnly": True}), BREAKS),
    Case("property-became-read-only/response", prop("response", STRING),
         prop("response", {"type": "string", "readOnly": True}), QUIET),
    Case("required-property-lost-read-only/request", prop("request", {"type": "string", "readOnly": True}),
         prop("request", STRING), BREAKS),

    # --- defaults ---------------------------------------------------------------------
    # a client that leaves the parameter out gets other behaviour than it was written for
    Case("parameter-default-changed/query",
         query(param("limit", schema={"type": "integer", "default": 10})),
         query(param("limit", schema={"type": "integer", "default": 100})), BREAKS),
    Case("default-changed/response", prop("response", {"type": "integer", "default": 1}),
         prop("response", {"type": "integer", "default": 2}), QUIET),

    # --- parameters -------------------------------------------------------------------
    Case("required-query-parameter-added", query(), query(param("tenant", required=True)), BREAKS,
         "new-required-request-parameter"),
    Case("optional-query-parameter-added", query(), query(param("tenant")), QUIET),
    Case("required-header-parameter-added", query(), query(param("X-Tenant", "header", required=True)), BREAKS),
    Case("query-parameter-became-required", query(param("tenant")), query(param("tenant", required=True)),
         BREAKS, "request-parameter-became-required"),
    Case("query-parameter-became-optional", query(param("tenant", required=True)), query(param("tenant")), QUIET),
    # A client passing ?status=active is refused by a server that validates its parameters, or
    # gets every item back instead of the active ones; a regenerated SDK loses the argument.
    # oasdiff warns, OpenAPITools' openapi-diff calls it breaking.
    Case("optional-query-parameter-removed", query(param("status")), query(), BREAKS, "request-parameter-removed"),
    # the sanctioned way out: deprecated with a sunset date that has passed
    Case("deprecated-query-parameter-removed-after-sunset",
         query(param("status", deprecated=True, **{"x-sunset": "2020-01-01"})), query(), QUIET),
    Case("parameter-no-longer-allows-empty-value",
         query(param("flag", allowEmptyValue=True)), query(param("flag")), BREAKS),
    Case("parameter-now-allows-empty-value",
         query(param("flag")), query(param("flag", allowEmptyValue=True)), QUIET),
    Case("required-parameter-moved-query-to-header", query(param("tenant", required=True)),
         query(param("tenant", "header", required=True)), BREAKS),
    Case("required-query-parameter-renamed", query(param("tenant", required=True)),
         query(param("org", required=True)), BREAKS),
    Case("path-parameter-renamed",
         doc({"/things/{id}": {"get": {"parameters": [param("id", "path", required=True)],
                                       "responses": {"200": {"description": "ok"}}}}}),
         doc({"/things/{thingId}": {"get": {"parameters": [param("thingId", "path", required=True)],
                                            "responses": {"200": {"description": "ok"}}}}}), QUIET),
    Case("path-changed",
         doc({"/things/{id}": {"get": {"parameters": [param("id", "path", required=True)],
                                       "responses": {"200": {"description": "ok"}}}}}),
         doc({"/items/{id}": {"get": {"parameters": [param("id", "path", required=True)],
                                      "responses": {"200": {"description": "ok"}}}}}), BREAKS),
    Case("array-parameter-style-changed",
         query(param("ids", schema={"type": "array", "items": STRING}, style="form")),
         query(param("ids", schema={"type": "array", "items": STRING}, style="pipeDelimited")), BREAKS),
    Case("array-parameter-explode-changed",
         query(param("ids", schema={"type": "array", "items": STRING}, explode=True)),
         query(param("ids", schema={"type": "array", "items": STRING}, explode=False)), BREAKS),
    Case("path-level-parameter-moved-to-operation", query(path_level=[param("tenant")]), query(param("tenant")),
         QUIET),
    Case("parameter-type-widened/query", query(param("n", schema={"type": "integer"})),
         query(param("n", schema={"type": "number"})), QUIET),
    Case("parameter-type-changed/query", query(param("n", schema={"type": "integer"})),
         query(param("n", schema={"type": "boolean"})), BREAKS),
    Case("parameter-deprecated", query(param("tenant")), query(param("tenant", deprecated=True)), QUIET),

    # --- status codes -----------------------------------------------------------------
    Case("success-status-replaced", responses({"200": ok({JSON: {"schema": THING}})}),
         responses({"201": ok({JSON: {"schema": THING}})}), BREAKS, "response-success-status-removed"),
    Case("error-status-added", responses({"200": ok()}), responses({"200": ok(), "404": {"description": "nf"}}),
         QUIET),
    # see error-status-removed-conflict below
    Case("error-status-removed", responses({"200": ok(), "404": {"description": "nf"}}), responses({"200": ok()}),
         QUIET),
    Case("default-response-added", responses({"200": ok()}),
         responses({"200": ok(), "default": {"description": "error"}}), QUIET),
    Case("response-schema-of-error-changed",
         responses({"200": ok(), "400": {"description": "bad", "content": {JSON: {"schema": obj({"msg": STRING}, ("msg",))}}}}),
         responses({"200": ok(), "400": {"description": "bad", "content": {JSON: {"schema": obj({"message": STRING}, ("message",))}}}}),
         BREAKS),

    # --- response headers -------------------------------------------------------------
    Case("required-response-header-removed",
         responses({"200": ok(headers={"X-Rate": {"required": True, "schema": STRING}})}), responses({"200": ok()}),
         BREAKS, "required-response-header-removed"),
    Case("response-header-became-optional",
         responses({"200": ok(headers={"X-Rate": {"required": True, "schema": STRING}})}),
         responses({"200": ok(headers={"X-Rate": {"schema": STRING}})}), BREAKS),
    # the old spec let it be absent: judged as an optional response property removed
    Case("optional-response-header-removed",
         responses({"200": ok(headers={"X-Rate": {"schema": STRING}})}), responses({"200": ok()}), QUIET),
    Case("optional-response-header-deprecated",
         responses({"200": ok(headers={"X-Rate": {"schema": STRING}})}),
         responses({"200": ok(headers={"X-Rate": {"schema": STRING, "deprecated": True}})}), QUIET),
    Case("response-header-added", responses({"200": ok()}),
         responses({"200": ok(headers={"X-Rate": {"required": True, "schema": STRING}})}), QUIET),

    # --- media types ------------------------------------------------------------------
    Case("request-media-type-added", body(THING, "request"),
         doc({"/things": {"post": {"requestBody": {"required": True, "content": {
             JSON: {"schema": THING}, "application/xml": {"schema": THING}}},
             "responses": {"204": {"description": "none"}}}}}), QUIET),
    Case("request-media-type-replaced", body(THING, "request"), body(THING, "request", media="application/xml"),
         BREAKS, "request-body-media-type-removed"),
    Case("response-media-type-added", body(THING, "response"),
         doc({"/things": {"post": {"responses": {"200": ok({JSON: {"schema": THING},
                                                            "application/xml": {"schema": THING}})}}}}), QUIET),
    Case("response-media-type-replaced", body(THING, "response"), body(THING, "response", media="application/xml"),
         BREAKS, "response-media-type-removed"),
    Case("optional-request-body-added", query(),
         doc({"/things": {"get": {"parameters": [], "requestBody": {"content": {JSON: {"schema": THING}}},
                                  "responses": {"200": {"description": "ok"}}}}}), QUIET),

    # --- security ---------------------------------------------------------------------
    Case("security-added-to-public-operation", secured(None), secured([{"key": []}]), BREAKS),
    Case("security-removed", secured([{"key": []}]), secured(None), QUIET),
    Case("security-scope-added", secured([{"oauth": ["read"]}]), secured([{"oauth": ["read", "write"]}]), BREAKS),
    Case("security-scope-removed", secured([{"oauth": ["read", "write"]}]), secured([{"oauth": ["read"]}]), QUIET),
    Case("security-alternative-added", secured([{"key": []}]), secured([{"key": []}, {"oauth": ["read"]}]), QUIET),
    Case("security-scheme-replaced", secured([{"key": []}]), secured([{"oauth": ["read"]}]), BREAKS),

    # --- servers ----------------------------------------------------------------------
    Case("server-added-same-base-path",
         doc({"/things": {"get": {"responses": {"200": ok()}}}}, servers=[{"url": "https://api.example.com/v1"}]),
         doc({"/things": {"get": {"responses": {"200": ok()}}}},
             servers=[{"url": "https://api.example.com/v1"}, {"url": "https://eu.example.com/v1"}]), QUIET),
    Case("server-base-path-changed",
         doc({"/things": {"get": {"responses": {"200": ok()}}}}, servers=[{"url": "https://api.example.com/v1"}]),
         doc({"/things": {"get": {"responses": {"200": ok()}}}}, servers=[{"url": "https://api.example.com/v2"}]),
         BREAKS),

    # --- lifecycle and names ----------------------------------------------------------
    Case("operation-deprecated", PLAIN_GET, with_op(PLAIN_GET, deprecated=True), QUIET),
    # the wire does not change; generated method names do, which a regenerated SDK's callers
    # notice at compile time, not at run time: reported, not a gate
    Case("operation-id-changed", PLAIN_GET, with_op(PLAIN_GET, operationId="getThings"), QUIET),
    Case("operation-removed", doc({"/things": {"get": {"responses": {"200": ok()}},
                                               "post": {"responses": {"201": ok()}}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}}}), BREAKS),
    Case("operation-added", doc({"/things": {"get": {"responses": {"200": ok()}}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}, "post": {"responses": {"201": ok()}}}}), QUIET),
    Case("descriptions-and-examples-changed", PLAIN_GET,
         with_op(PLAIN_GET, summary="List", description="Lists things.",
                 responses={"200": {"description": "the things", "content": {
                     JSON: {"schema": THING, "example": {"id": "x"}}}}}), QUIET),

    # --- refactors that change nothing on the wire ------------------------------------
    Case("inline-schema-moved-to-ref", body(THING, "response"),
         body({"$ref": "#/components/schemas/Thing"}, "response", schemas={"Thing": THING}), QUIET),
    Case("ref-wrapped-in-single-allof/request",
         body({"$ref": "#/components/schemas/Thing"}, "request", schemas={"Thing": THING}),
         body({"allOf": [{"$ref": "#/components/schemas/Thing"}]}, "request", schemas={"Thing": THING}), QUIET),
    Case("component-renamed/response",
         body({"$ref": "#/components/schemas/Thing"}, "response", schemas={"Thing": THING}),
         body({"$ref": "#/components/schemas/Item"}, "response", schemas={"Item": THING}), QUIET),
    Case("required-list-reordered/request",
         body(obj({"a": STRING, "b": STRING}, ("a", "b")), "request"),
         body(obj({"a": STRING, "b": STRING}, ("b", "a")), "request"), QUIET),

    # --- oneOf / anyOf / discriminator ------------------------------------------------
    # a new branch in a response is a shape the client's generated union does not know; in a
    # request it is one more thing the server accepts
    Case("one-of-branch-added/response", body(pets("Cat", "Dog"), "response", schemas=PETS),
         body(pets("Cat", "Dog", "Bird"), "response", schemas=PETS), BREAKS),
    Case("one-of-branch-added/request", body(pets("Cat", "Dog"), "request", schemas=PETS),
         body(pets("Cat", "Dog", "Bird"), "request", schemas=PETS), QUIET),
    Case("one-of-branch-removed/request", body(pets("Cat", "Dog", "Bird"), "request", schemas=PETS),
         body(pets("Cat", "Dog"), "request", schemas=PETS), BREAKS),
    Case("one-of-branch-removed/response", body(pets("Cat", "Dog", "Bird"), "response", schemas=PETS),
         body(pets("Cat", "Dog"), "response", schemas=PETS), QUIET),
    Case("discriminator-mapping-added/request", body(pets("Cat", "Dog", mapping=True), "request", schemas=PETS),
         body(pets("Cat", "Dog", "Bird", mapping=True), "request", schemas=PETS), QUIET),
    Case("discriminator-mapping-added/response", body(pets("Cat", "Dog", mapping=True), "response", schemas=PETS),
         body(pets("Cat", "Dog", "Bird", mapping=True), "response", schemas=PETS), BREAKS),
    Case("discriminator-mapping-removed/request", body(pets("Cat", "Dog", "Bird", mapping=True), "request",
                                                       schemas=PETS),
         body(pets("Cat", "Dog", mapping=True), "request", schemas=PETS), BREAKS),
    Case("any-of-branch-removed/request",
         prop("request", {"anyOf": [STRING, {"type": "integer"}]}), prop("request", {"anyOf": [STRING]}), BREAKS),
    Case("any-of-branch-added/request",
         prop("request", {"anyOf": [STRING]}), prop("request", {"anyOf": [STRING, {"type": "integer"}]}), QUIET),

    # --- more positions: component parameters, responses and request bodies -----------
    Case("required-parameter-added-via-component-ref",
         doc({"/things": {"get": {"parameters": [], "responses": {"200": ok()}}}},
             components={"parameters": {"Tenant": param("tenant", required=True)}}),
         doc({"/things": {"get": {"parameters": [{"$ref": "#/components/parameters/Tenant"}],
                                  "responses": {"200": ok()}}}},
             components={"parameters": {"Tenant": param("tenant", required=True)}}), BREAKS),
    Case("parameter-component-enum-value-removed",
         doc({"/things": {"get": {"parameters": [{"$ref": "#/components/parameters/Sort"}], "responses": {"200": ok()}}}},
             components={"parameters": {"Sort": param("sort", schema=ENUM_ABC)}}),
         doc({"/things": {"get": {"parameters": [{"$ref": "#/components/parameters/Sort"}], "responses": {"200": ok()}}}},
             components={"parameters": {"Sort": param("sort", schema=ENUM_AB)}}), BREAKS),
    Case("required-property-removed-via-response-component",
         doc({"/things": {"get": {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
             components={"responses": {"Ok": ok({JSON: {"schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}})}}),
         doc({"/things": {"get": {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
             components={"responses": {"Ok": ok({JSON: {"schema": THING}})}}), BREAKS),
    Case("required-property-added-via-request-body-component",
         doc({"/things": {"post": {"requestBody": {"$ref": "#/components/requestBodies/New"},
                                   "responses": {"204": {"description": "none"}}}}},
             components={"requestBodies": {"New": {"required": True, "content": {JSON: {"schema": THING}}}}}),
         doc({"/things": {"post": {"requestBody": {"$ref": "#/components/requestBodies/New"},
                                   "responses": {"204": {"description": "none"}}}}},
             components={"requestBodies": {"New": {"required": True, "content": {JSON: {
                 "schema": obj({"id": STRING, "owner": STRING}, ("id", "owner"))}}}}}), BREAKS),
    Case("response-header-via-component-removed",
         doc({"/things": {"get": {"responses": {"200": ok(headers={"X-Rate": {"$ref": "#/components/headers/Rate"}})}}}},
             components={"headers": {"Rate": {"required": True, "schema": STRING}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}}},
             components={"headers": {"Rate": {"required": True, "schema": STRING}}}), BREAKS),

    # --- names: HTTP header names are case-insensitive, query names are not ------------
    Case("response-header-name-case-changed",
         responses({"200": ok(headers={"X-Rate": {"required": True, "schema": STRING}})}),
         responses({"200": ok(headers={"x-rate": {"required": True, "schema": STRING}})}), QUIET),
    Case("header-parameter-name-case-changed", query(param("X-Tenant", "header", required=True)),
         query(param("x-tenant", "header", required=True)), QUIET),
    Case("query-parameter-name-case-changed", query(param("pageSize", required=True)),
         query(param("pagesize", required=True)), BREAKS),

    # --- request bodies and whole response bodies ---------------------------------------
    Case("request-body-became-required",
         doc({"/things": {"post": {"requestBody": {"content": {JSON: {"schema": THING}}},
                                   "responses": {"204": {"description": "none"}}}}}),
         body(THING, "request"), BREAKS),
    Case("request-body-became-optional", body(THING, "request"),
         doc({"/things": {"post": {"requestBody": {"content": {JSON: {"schema": THING}}},
                                   "responses": {"204": {"description": "none"}}}}}), QUIET),
    Case("response-body-removed", body(THING, "response"),
         doc({"/things": {"post": {"responses": {"200": ok()}}}}), BREAKS),
    Case("response-body-added", doc({"/things": {"post": {"responses": {"200": ok()}}}}), body(THING, "response"),
         QUIET),
    Case("request-body-object-became-array", body(THING, "request"),
         body({"type": "array", "items": THING}, "request"), BREAKS),
    Case("request-media-type-gained-charset", body(THING, "request"),
         body(THING, "request", media="application/json; charset=utf-8"), QUIET),
    Case("request-media-type-lost-charset", body(THING, "request", media="application/json; charset=utf-8"),
         body(THING, "request"), QUIET),
    Case("request-media-type-version-changed", body(THING, "request", media="application/vnd.t+json; version=1"),
         body(THING, "request", media="application/vnd.t+json; version=2"), BREAKS),
    Case("request-media-type-widened-to-range", body(THING, "request"),
         body(THING, "request", media="application/*"), QUIET),
    Case("request-media-type-narrowed-from-range", body(THING, "request", media="application/*"),
         body(THING, "request"), BREAKS),
    # the schema behind a renamed media type is still compared
    Case("request-media-type-gained-charset-and-required-property", body(THING, "request"),
         body(obj({"id": STRING, "n": STRING}, ("id", "n")), "request", media="application/json; charset=utf-8"),
         BREAKS, "new-required-request-property"),
    Case("response-media-type-gained-charset", body(THING, "response"),
         body(THING, "response", media="application/json; charset=utf-8"), QUIET),

    # --- enum dropped altogether ----------------------------------------------------------
    # a response value that may now be anything: a generated enum cannot hold it
    *both("enum-dropped", ENUM_AB, STRING, QUIET, BREAKS),
    *both("const-changed", {"type": "string", "const": "v1"}, {"type": "string", "const": "v2"}, BREAKS, BREAKS,
          version="3.1.0"),

    # --- removed response properties ---------------------------------------------------
    # Optic and Azure's openapi-diff call any removed response property breaking, oasdiff and
    # OpenAPITools' openapi-diff only a required one. The old spec already let an optional
    # property be absent, so every client written to it reads the new responses: the finding
    # says it may break (minor), and impact evidence (a contract or traffic reading the field)
    # raises it to major where a consumer is shown to use it.
    Case("optional-property-removed/response", prop("response", STRING, required=False), body(THING, "response"),
         QUIET),
    Case("optional-property-removed/response-write-only",
         prop("response", {"type": "string", "writeOnly": True}, required=False), body(THING, "response"), QUIET),
    Case("required-property-removed/response-array-items",
         body({"type": "array", "items": obj({"id": STRING, "n": STRING}, ("id", "n"))}, "response"),
         body({"type": "array", "items": THING}, "response"), BREAKS),
    Case("nested-required-property-removed/response",
         body(obj({"owner": obj({"id": STRING, "email": STRING}, ("id", "email"))}, ("owner",)), "response"),
         body(obj({"owner": obj({"id": STRING}, ("id",))}, ("owner",)), "response"), BREAKS),
    Case("nested-required-property-added/request",
         body(obj({"owner": obj({"id": STRING}, ("id",))}, ("owner",)), "request"),
         body(obj({"owner": obj({"id": STRING, "email": STRING}, ("id", "email"))}, ("owner",)), "request"), BREAKS),

    # --- removed error statuses -------------------------------------------------------
    # Optic and both openapi-diff tools call any removed status breaking, oasdiff only a success
    # one. A client's handling for 409 stays valid; every response the server may still send
    # was allowed by the old spec (a status it no longer sends is one the client never meets).
    Case("error-status-removed-conflict",
         responses({"200": ok(), "409": {"description": "conflict"}}), responses({"200": ok()}), QUIET),

    # --- unions and nullability through oneOf/anyOf ----------------------------------------
    Case("one-of-type-branch-removed/request", prop("request", {"oneOf": [STRING, {"type": "integer"}]}),
         prop("request", {"oneOf": [STRING]}), BREAKS),
    Case("one-of-type-branch-removed/response", prop("response", {"oneOf": [STRING, {"type": "integer"}]}),
         prop("response", {"oneOf": [STRING]}), QUIET),
    Case("null-branch-added/response", prop("response", STRING, version="3.1.0"),
         prop("response", {"oneOf": [STRING, {"type": "null"}]}, version="3.1.0"), BREAKS),
    Case("null-branch-removed/request", prop("request", {"anyOf": [STRING, {"type": "null"}]}, version="3.1.0"),
         prop("request", STRING, version="3.1.0"), BREAKS),
    Case("property-type-changed-inside-one-of-branch/request",
         body(pets("Cat", "Dog"), "request", schemas=PETS),
         body(pets("Cat", "Dog"), "request",
              schemas={**PETS, "Cat": obj({"kind": STRING, "meows": {"type": "integer"}}, ("kind",))}), BREAKS),
    Case("properties-split-into-all-of/response",
         body(obj({"id": STRING, "name": STRING}, ("id", "name")), "response"),
         body({"allOf": [obj({"id": STRING}, ("id",)), obj({"name": STRING}, ("name",))]}, "response"), QUIET),

    # --- recursion -------------------------------------------------------------------------
    Case("recursive-schema-unchanged-but-described",
         body({"$ref": "#/components/schemas/Node"}, "response",
              schemas={"Node": obj({"id": STRING, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}, ("id",))}),
         body({"$ref": "#/components/schemas/Node"}, "response",
              schemas={"Node": obj({"id": {"type": "string", "description": "the id"},
                                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}, ("id",))}),
         QUIET),
    Case("recursive-schema-property-type-changed",
         body({"$ref": "#/components/schemas/Node"}, "response",
              schemas={"Node": obj({"id": STRING, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}, ("id",))}),
         body({"$ref": "#/components/schemas/Node"}, "response",
              schemas={"Node": obj({"id": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}, ("id",))}),
         BREAKS),

    # --- readOnly / writeOnly in the other positions -------------------------------------
    Case("required-write-only-property-added/request", body(THING, "request"),
         body(obj({"id": STRING, "secret": {"type": "string", "writeOnly": True}}, ("id", "secret")), "request"),
         BREAKS),
    Case("required-read-only-property-added/response", body(THING, "response"),
         body(obj({"id": STRING, "created": {"type": "string", "readOnly": True}}, ("id", "created")), "response"),
         QUIET),
    Case("optional-property-became-read-only/request", prop("request", STRING, required=False),
         prop("request", {"type": "string", "readOnly": True}, required=False), QUIET),

    # --- parameters in other places ---------------------------------------------------
    Case("path-parameter-enum-value-removed",
         doc({"/things/{kind}": {"get": {"parameters": [param("kind", "path", schema=ENUM_ABC, required=True)],
                                         "responses": {"200": ok()}}}}),
         doc({"/things/{kind}": {"get": {"parameters": [param("kind", "path", schema=ENUM_AB, required=True)],
                                         "responses": {"200": ok()}}}}), BREAKS),
    Case("path-parameter-type-widened",
         doc({"/things/{id}": {"get": {"parameters": [param("id", "path", schema={"type": "integer"}, required=True)],
                                       "responses": {"200": ok()}}}}),
         doc({"/things/{id}": {"get": {"parameters": [param("id", "path", schema=STRING, required=True)],
                                       "responses": {"200": ok()}}}}), QUIET),
    # parameters travel as text: ?limit=10 is a string too. In a JSON body 10 and "10" differ.
    Case("query-parameter-integer-to-string", query(param("limit", schema={"type": "integer"})),
         query(param("limit", schema=STRING)), QUIET),
    Case("header-parameter-boolean-to-string", query(param("X-Dry-Run", "header", schema={"type": "boolean"})),
         query(param("X-Dry-Run", "header", schema=STRING)), QUIET),
    Case("query-parameter-integer-to-date-string", query(param("since", schema={"type": "integer"})),
         query(param("since", schema={"type": "string", "format": "date"})), BREAKS),
    Case("request-property-integer-to-string", prop("request", {"type": "integer"}), prop("request", STRING), BREAKS),
    # OpenAPI: header parameters named Accept, Content-Type or Authorization SHALL be ignored;
    # clients send those headers as HTTP and the security schemes require
    Case("content-type-header-parameter-removed",
         query(param("Content-Type", "header", required=True)), query(), QUIET),
    Case("accept-header-parameter-added", query(), query(param("Accept", "header", required=True)), QUIET),
    Case("required-cookie-parameter-added", query(), query(param("session", "cookie", required=True)), BREAKS),
    Case("method-changed-put-to-patch",
         doc({"/things": {"put": {"responses": {"200": ok()}}}}), doc({"/things": {"patch": {"responses": {"200": ok()}}}}),
         BREAKS),
    Case("query-array-items-enum-value-removed",
         query(param("tags", schema={"type": "array", "items": ENUM_ABC})),
         query(param("tags", schema={"type": "array", "items": ENUM_AB})), BREAKS),
    Case("response-header-type-changed",
         responses({"200": ok(headers={"X-Count": {"schema": {"type": "integer"}}})}),
         responses({"200": ok(headers={"X-Count": {"schema": STRING}})}), BREAKS),

    # --- security in other shapes -------------------------------------------------------
    Case("global-security-added-but-operation-opts-out",
         with_op(secured(None), security=[]), dict(with_op(secured(None), security=[]), security=[{"key": []}]),
         QUIET),
    Case("global-security-added-one-operation-inherits",
         doc({"/things": {"get": {"security": [], "responses": {"200": ok()}}, "post": {"responses": {"201": ok()}}}},
             components=secured(None)["components"]),
         doc({"/things": {"get": {"security": [], "responses": {"200": ok()}}, "post": {"responses": {"201": ok()}}}},
             components=secured(None)["components"], security=[{"key": []}]), BREAKS, "api-global-security-added"),
    Case("global-scope-added-every-operation-overrides",
         dict(with_op(secured([{"key": []}]), security=[{"key": []}]), security=[{"oauth": ["read"]}]),
         dict(with_op(secured([{"key": []}]), security=[{"key": []}]), security=[{"oauth": ["read", "write"]}]),
         QUIET),
    Case("api-key-header-renamed",
         secured([{"key": []}]),
         {**secured([{"key": []}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"],
             "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}}}, BREAKS),
    Case("oauth-scope-declared", secured([{"oauth": ["read"]}]),
         {**secured([{"oauth": ["read"]}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"],
             "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                 "tokenUrl": "https://auth.example.com/token",
                 "scopes": {"read": "r", "write": "w", "admin": "a"}}}}}}}, QUIET),

    # --- documentation-only ------------------------------------------------------------
    Case("info-version-and-tags-changed", PLAIN_GET,
         {**with_op(PLAIN_GET, tags=["things"]), "info": {"title": "t", "version": "2"}, "tags": [{"name": "things"}]},
         QUIET),
    Case("property-deprecated/response", prop("response", STRING), prop("response", {"type": "string", "deprecated": True}),
         QUIET),

    # --- unions: what a request may send grows, what a response may hold grows -------------
    Case("property-became-one-of-wider/request", prop("request", STRING),
         prop("request", {"oneOf": [STRING, {"type": "integer"}]}), QUIET),
    Case("property-became-one-of-wider/response", prop("response", STRING),
         prop("response", {"oneOf": [STRING, {"type": "integer"}]}), BREAKS),
    Case("property-left-one-of-for-one-branch/request", prop("request", {"oneOf": [STRING, {"type": "integer"}]}),
         prop("request", {"type": "integer"}), BREAKS),
    Case("property-left-one-of-for-one-branch/response", prop("response", {"oneOf": [STRING, {"type": "integer"}]}),
         prop("response", {"type": "integer"}), QUIET),
    Case("body-wrapped-in-one-of/response", body(THING, "response"),
         body({"oneOf": [THING, obj({"error": STRING}, ("error",))]}, "response"), BREAKS),
    Case("body-wrapped-in-one-of/request", body(THING, "request"),
         body({"oneOf": [THING, obj({"batch": {"type": "array", "items": THING}}, ("batch",))]}, "request"), QUIET),
    Case("body-wrapped-in-one-of-via-ref/request", body({"$ref": "#/components/schemas/T"}, "request", schemas={"T": THING}),
         body({"oneOf": [{"$ref": "#/components/schemas/T"}, {"type": "array", "items": {"$ref": "#/components/schemas/T"}}]},
              "request", schemas={"T": THING}), QUIET),
    # an old value {id, name} matches both branches now, and oneOf wants exactly one
    Case("body-split-into-overlapping-one-of/request", body(obj({"id": STRING, "name": STRING}, ("id", "name")), "request"),
         body({"oneOf": [obj({"id": STRING, "name": STRING}, ("id",)), obj({"id": STRING, "name": STRING}, ("name",))]},
              "request"), BREAKS),
    # the other branch takes objects without a required property: old values match it too
    Case("body-wrapped-in-one-of-with-open-branch/request", body(THING, "request"),
         body({"oneOf": [THING, obj({"note": STRING})]}, "request"), BREAKS),

    # --- Swagger 2.0 -----------------------------------------------------------------
    Case("swagger/required-property-added/request", sw_body(THING, "request"),
         sw_body(obj({"id": STRING, "name": STRING}, ("id", "name")), "request"), BREAKS),
    Case("swagger/optional-property-added/request", sw_body(THING, "request"),
         sw_body(obj({"id": STRING, "name": STRING}, ("id",)), "request"), QUIET),
    Case("swagger/enum-value-added/response", sw_body(obj({"s": ENUM_AB}, ("s",)), "response"),
         sw_body(obj({"s": ENUM_ABC}, ("s",)), "response"), BREAKS),
    Case("swagger/enum-value-added/request", sw_body(obj({"s": ENUM_AB}, ("s",)), "request"),
         sw_body(obj({"s": ENUM_ABC}, ("s",)), "request"), QUIET),
    Case("swagger/required-query-parameter-added", sw_query(),
         sw_query({"name": "tenant", "in": "query", "type": "string", "required": True}), BREAKS),
    Case("swagger/optional-query-parameter-added", sw_query(),
         sw_query({"name": "tenant", "in": "query", "type": "string"}), QUIET),
    Case("swagger/collection-format-changed",
         sw_query({"name": "ids", "in": "query", "type": "array", "items": STRING, "collectionFormat": "csv"}),
         sw_query({"name": "ids", "in": "query", "type": "array", "items": STRING, "collectionFormat": "multi"}),
         BREAKS),
    Case("swagger/consumes-replaced", sw_body(THING, "request", consumes=[JSON]),
         sw_body(THING, "request", consumes=["application/xml"]), BREAKS),
    Case("swagger/produces-added", sw_body(THING, "response", produces=[JSON]),
         sw_body(THING, "response", produces=[JSON, "application/xml"]), QUIET),
    Case("swagger/definition-property-type-changed/response",
         sw_body({"$ref": "#/definitions/T"}, "response", definitions={"T": obj({"n": {"type": "integer"}}, ("n",))}),
         sw_body({"$ref": "#/definitions/T"}, "response", definitions={"T": obj({"n": STRING}, ("n",))}), BREAKS),
    Case("swagger/x-nullable-added/response", sw_body(obj({"n": STRING}, ("n",)), "response"),
         sw_body(obj({"n": {"type": "string", "x-nullable": True}}, ("n",)), "response"), BREAKS),
    Case("swagger/max-length-decreased/query",
         sw_query({"name": "q", "in": "query", "type": "string", "maxLength": 50}),
         sw_query({"name": "q", "in": "query", "type": "string", "maxLength": 5}), BREAKS),
    Case("swagger/readonly-property-added/response", sw_body(THING, "response"),
         sw_body(obj({"id": STRING, "etag": {"type": "string", "readOnly": True}}, ("id",)), "response"), QUIET),
    Case("swagger/base-path-changed", sw_query(), {**sw_query(), "basePath": "/v2"}, BREAKS),
    # The same host and base path are still served over https. Azure's openapi-diff calls a
    # dropped protocol breaking; trustguard judges servers by the path clients call (a server
    # removed while another serves the same base path is a changelog entry, api-server-removed):
    # a client pinned to http:// must move, but every operation is still there to call.
    Case("swagger/scheme-http-dropped", {**sw_query(), "schemes": ["http", "https"]},
         {**sw_query(), "schemes": ["https"]}, QUIET),
    Case("swagger/description-changed", sw_query(), {**sw_query(), "info": {"title": "t", "version": "2",
                                                                             "description": "new"}}, QUIET),
    Case("swagger/response-code-removed",
         swagger({"/things": {"get": {"responses": {"200": {"description": "ok"}, "404": {"description": "nf"}}}}}),
         swagger({"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}), QUIET),
    Case("swagger/success-code-replaced",
         swagger({"/things": {"get": {"responses": {"200": {"description": "ok", "schema": THING}}}}}),
         swagger({"/things": {"get": {"responses": {"202": {"description": "accepted"}}}}}), BREAKS),

    # --- webhooks: the server sends the request, the client receives it -----------------
    # a webhook's body reaches the subscriber as a response body reaches a caller, and the
    # subscriber's answer is what a caller sends (oasdiff judges webhooks like operations)
    Case("webhook-payload-required-property-removed",
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}}}, "responses": {"200": ok()}}}}),
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok()}}}}), BREAKS, "response-required-property-removed"),
    Case("webhook-payload-enum-value-added",
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": obj({"state": ENUM_AB}, ("state",))}}}, "responses": {"200": ok()}}}}),
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": obj({"state": ENUM_ABC}, ("state",))}}}, "responses": {"200": ok()}}}}), BREAKS),
    Case("webhook-payload-required-property-added",
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok()}}}}),
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}}}, "responses": {"200": ok()}}}}), QUIET),
    Case("webhook-answer-required-property-added",
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok({JSON: {"schema": obj({"ok": {"type": "boolean"}})}})}}}}),
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok({JSON: {"schema": obj({"ok": {"type": "boolean"},
                                                                               "ack": STRING}, ("ack",))}})}}}}),
         BREAKS, "new-required-request-property"),
    Case("webhook-removed",
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok()}}}}), doc({}, version="3.1.0", webhooks={}), BREAKS),
    Case("webhook-added", doc({}, version="3.1.0", webhooks={}),
         doc({}, version="3.1.0", webhooks={"thing": {"post": {"requestBody": {"content": {JSON: {
             "schema": THING}}}, "responses": {"200": ok()}}}}), QUIET),

    # --- paths -----------------------------------------------------------------------
    Case("path-case-changed", doc({"/Things": {"get": {"responses": {"200": ok()}}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}}}), BREAKS),
    Case("path-parameter-renamed-and-widened",
         doc({"/things/{id}": {"get": {"parameters": [param("id", "path", schema={"type": "integer"}, required=True)],
                                       "responses": {"200": ok()}}}}),
         doc({"/things/{thingId}": {"get": {"parameters": [param("thingId", "path", required=True)],
                                            "responses": {"200": ok()}}}}), QUIET),
    Case("required-path-level-parameter-added", query(), query(path_level=[param("X-Tenant", "header", required=True)]),
         BREAKS),
    Case("parameter-component-renamed",
         doc({"/things": {"get": {"parameters": [{"$ref": "#/components/parameters/A"}], "responses": {"200": ok()}}}},
             components={"parameters": {"A": param("tenant", required=True)}}),
         doc({"/things": {"get": {"parameters": [{"$ref": "#/components/parameters/B"}], "responses": {"200": ok()}}}},
             components={"parameters": {"B": param("tenant", required=True)}}), QUIET),
    Case("response-component-renamed",
         doc({"/things": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}},
             components={"responses": {"A": ok({JSON: {"schema": THING}})}}),
         doc({"/things": {"get": {"responses": {"200": {"$ref": "#/components/responses/B"}}}}},
             components={"responses": {"B": ok({JSON: {"schema": THING}})}}), QUIET),

    # --- more schema positions -------------------------------------------------------
    Case("component-property-type-changed-under-all-of/response",
         body({"allOf": [{"$ref": "#/components/schemas/T"}, obj({"extra": STRING})]}, "response",
              schemas={"T": obj({"id": STRING, "n": {"type": "integer"}}, ("id", "n"))}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}, obj({"extra": STRING})]}, "response",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id", "n"))}), BREAKS),
    Case("implicit-discriminator-subtype-added/response",
         body({"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
               "discriminator": {"propertyName": "kind"}}, "response", schemas=PETS),
         body({"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"},
                         {"$ref": "#/components/schemas/Bird"}], "discriminator": {"propertyName": "kind"}},
              "response", schemas=PETS), BREAKS),
    Case("const-added/request", prop("request", STRING, version="3.1.0"),
         prop("request", {"type": "string", "const": "v1"}, version="3.1.0"), BREAKS),
    Case("min-properties-added/request", prop("request", obj({"a": STRING, "b": STRING})),
         prop("request", obj({"a": STRING, "b": STRING}, minProperties=1)), BREAKS),
    Case("max-length-removed/request", prop("request", {"type": "string", "maxLength": 10}), prop("request", STRING),
         QUIET),
    Case("max-length-removed/response", prop("response", {"type": "string", "maxLength": 10}),
         prop("response", STRING), BREAKS),
    Case("min-items-decreased/response", prop("response", {"type": "array", "items": STRING, "minItems": 1}),
         prop("response", {"type": "array", "items": STRING}), BREAKS),
    Case("min-items-decreased/request", prop("request", {"type": "array", "items": STRING, "minItems": 1}),
         prop("request", {"type": "array", "items": STRING}), QUIET),
    Case("exclusive-minimum-set/request-3.1", prop("request", {"type": "number"}, version="3.1.0"),
         prop("request", {"type": "number", "exclusiveMinimum": 0}, version="3.1.0"), BREAKS),
    Case("exclusive-minimum-flag-set/request-3.0", prop("request", {"type": "number", "minimum": 0}),
         prop("request", {"type": "number", "minimum": 0, "exclusiveMinimum": True}), BREAKS),
    Case("type-list-narrowed/request-3.1", prop("request", {"type": ["string", "integer"]}, version="3.1.0"),
         prop("request", STRING, version="3.1.0"), BREAKS),
    Case("type-list-narrowed/response-3.1", prop("response", {"type": ["string", "integer"]}, version="3.1.0"),
         prop("response", STRING, version="3.1.0"), QUIET),
    Case("nested-array-item-became-nullable/response",
         prop("response", {"type": "array", "items": obj({"x": STRING}, ("x",))}),
         prop("response", {"type": "array", "items": {**obj({"x": STRING}, ("x",)), "nullable": True}}), BREAKS),
    Case("read-only-property-became-required/request", prop("request", {"type": "string", "readOnly": True},
                                                             required=False),
         prop("request", {"type": "string", "readOnly": True}), QUIET),
    Case("response-property-renamed", prop("response", STRING),
         body(obj({"id": STRING, "amount": STRING}, ("id", "amount")), "response"), BREAKS),
    Case("request-schema-dropped-from-media-type",
         body(THING, "request"),
         doc({"/things": {"post": {"requestBody": {"required": True, "content": {JSON: {}}},
                                   "responses": {"204": {"description": "none"}}}}}), QUIET),
    Case("response-media-type-range-narrowed", body(THING, "response", media="*/*"), body(THING, "response"), QUIET),
    Case("error-media-type-specialized-to-problem-json",
         responses({"200": ok(), "400": {"description": "bad", "content": {JSON: {"schema": obj({"title": STRING})}}}}),
         responses({"200": ok(), "400": {"description": "bad", "content": {"application/problem+json": {
             "schema": obj({"title": STRING})}}}}), QUIET),

    # --- security schemes ------------------------------------------------------------
    Case("api-key-moved-from-query-to-header",
         {**secured([{"key": []}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"], "key": {"type": "apiKey", "in": "query", "name": "key"}}}},
         {**secured([{"key": []}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"], "key": {"type": "apiKey", "in": "header", "name": "key"}}}},
         BREAKS),
    Case("http-bearer-became-basic",
         {**secured([{"key": []}]), "components": {"securitySchemes": {"key": {"type": "http", "scheme": "bearer"}}}},
         {**secured([{"key": []}]), "components": {"securitySchemes": {"key": {"type": "http", "scheme": "basic"}}}},
         BREAKS),
    Case("oauth-flow-replaced",
         secured([{"oauth": ["read"]}]),
         {**secured([{"oauth": ["read"]}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"],
             "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
                 "authorizationUrl": "https://auth.example.com/a", "tokenUrl": "https://auth.example.com/token",
                 "scopes": {"read": "r", "write": "w"}}}}}}}, BREAKS),
    Case("security-scheme-description-changed", secured([{"key": []}]),
         {**secured([{"key": []}]), "components": {"securitySchemes": {
             **secured(None)["components"]["securitySchemes"],
             "key": {"type": "apiKey", "in": "header", "name": "X-Key", "description": "your key"}}}}, QUIET),

    # --- parameters described by content rather than schema -------------------------------
    Case("content-parameter-enum-value-removed",
         query({"name": "filter", "in": "query", "content": {JSON: {"schema": obj({"state": ENUM_ABC})}}}),
         query({"name": "filter", "in": "query", "content": {JSON: {"schema": obj({"state": ENUM_AB})}}}), BREAKS),
    Case("content-parameter-property-added",
         query({"name": "filter", "in": "query", "content": {JSON: {"schema": obj({"state": STRING})}}}),
         query({"name": "filter", "in": "query", "content": {JSON: {"schema": obj({"state": STRING, "q": STRING})}}}),
         QUIET),

    # --- callbacks: the server calls the client back -----------------------------------------
    Case("callback-removed",
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": THING}}}, "responses": {"200": ok()}}}}}}}}),
         doc({"/subs": {"post": {"responses": {"201": ok()}}}}), BREAKS, "callback-removed"),
    Case("callback-payload-required-property-removed",
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}}},
                      "responses": {"200": ok()}}}}}}}}),
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": THING}}}, "responses": {"200": ok()}}}}}}}}),
         BREAKS, "response-required-property-removed"),
    Case("callback-payload-property-added",
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": THING}}}, "responses": {"200": ok()}}}}}}}}),
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}}},
                      "responses": {"200": ok()}}}}}}}}), QUIET),
    Case("callback-added",
         doc({"/subs": {"post": {"responses": {"201": ok()}}}}),
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"requestBody": {"content": {JSON: {"schema": THING}}}, "responses": {"200": ok()}}}}}}}}), QUIET),
    Case("callback-moved-to-component",
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {"{$request.body#/url}": {
             "post": {"responses": {"200": ok()}}}}}}}}),
         doc({"/subs": {"post": {"responses": {"201": ok()}, "callbacks": {"onEvent": {
             "$ref": "#/components/callbacks/Ev"}}}}},
             components={"callbacks": {"Ev": {"{$request.body#/url}": {"post": {"responses": {"200": ok()}}}}}}),
         QUIET),

    # --- things that change nothing a client sees --------------------------------------------
    Case("extension-changed", PLAIN_GET, with_op(PLAIN_GET, **{"x-internal-owner": "team-b"}), QUIET),
    Case("response-links-added", PLAIN_GET,
         with_op(PLAIN_GET, responses={"200": {**ok({JSON: {"schema": THING}}),
                                               "links": {"self": {"operationId": "listThings"}}}}), QUIET),
    Case("examples-changed/request", body(obj({"id": {"type": "string", "example": "a"}}, ("id",)), "request"),
         body(obj({"id": {"type": "string", "example": "b"}}, ("id",)), "request"), QUIET),
    Case("properties-reordered/response", body(obj({"a": STRING, "b": {"type": "integer"}}, ("a", "b")), "response"),
         body(obj({"b": {"type": "integer"}, "a": STRING}, ("a", "b")), "response"), QUIET),
    Case("nullable-false-written-out/response", prop("response", STRING),
         prop("response", {"type": "string", "nullable": False}), QUIET),
    Case("openapi-3.0-to-3.1-nullable-spelling", prop("response", {"type": "string", "nullable": True}),
         prop("response", {"type": ["string", "null"]}, version="3.1.0"), QUIET),
    Case("title-added-to-schema/response", body(THING, "response"), body({**THING, "title": "Thing"}, "response"),
         QUIET),
    Case("deprecated-operation-removed-after-sunset",
         doc({"/things": {"get": {"responses": {"200": ok()}},
                          "delete": {"deprecated": True, "x-sunset": "2020-01-01", "responses": {"204": ok()}}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}}}), QUIET),
    Case("operation-removed-without-deprecation",
         doc({"/things": {"get": {"responses": {"200": ok()}}, "delete": {"responses": {"204": ok()}}}}),
         doc({"/things": {"get": {"responses": {"200": ok()}}}}), BREAKS, "api-removed-without-deprecation"),

    # --- `required` beside allOf members, items described or left out -------------------------
    Case("required-beside-all-of-added/request",
         body({"allOf": [{"$ref": "#/components/schemas/T"}]}, "request",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}], "required": ["n"]}, "request",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}), BREAKS, "request-property-became-required"),
    Case("required-beside-all-of-removed/response",
         body({"allOf": [{"$ref": "#/components/schemas/T"}], "required": ["n"]}, "response",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}]}, "response",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}), BREAKS, "response-property-became-optional"),
    Case("required-beside-all-of-removed/request",
         body({"allOf": [{"$ref": "#/components/schemas/T"}], "required": ["n"]}, "request",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}),
         body({"allOf": [{"$ref": "#/components/schemas/T"}]}, "request",
              schemas={"T": obj({"id": STRING, "n": STRING}, ("id",))}), QUIET),
    Case("array-items-described/request", prop("request", {"type": "array"}),
         prop("request", {"type": "array", "items": STRING}), BREAKS),
    Case("array-items-described/response", prop("response", {"type": "array"}),
         prop("response", {"type": "array", "items": STRING}), QUIET),
    Case("array-items-left-out/response", prop("response", {"type": "array", "items": STRING}),
         prop("response", {"type": "array"}), BREAKS),
    Case("array-items-left-out/request", prop("request", {"type": "array", "items": STRING}),
         prop("request", {"type": "array"}), QUIET),

    # --- status ranges ------------------------------------------------------------------
    Case("success-status-narrowed-from-range", responses({"2XX": ok({JSON: {"schema": THING}})}),
         responses({"200": ok({JSON: {"schema": THING}})}), QUIET),
    Case("success-status-widened-to-range", responses({"200": ok({JSON: {"schema": THING}})}),
         responses({"2XX": ok({JSON: {"schema": THING}})}), QUIET),
    Case("success-status-widened-to-range-and-property-removed",
         responses({"200": ok({JSON: {"schema": obj({"id": STRING, "n": STRING}, ("id", "n"))}})}),
         responses({"2XX": ok({JSON: {"schema": THING}})}), BREAKS, "response-required-property-removed"),
    Case("error-range-split-into-statuses",
         responses({"200": ok(), "4XX": {"description": "client error"}}),
         responses({"200": ok(), "400": {"description": "bad"}, "404": {"description": "nf"}}), QUIET),

    # one allowed value written as enum: [x] or const: x is the same schema (OpenAPI 3.1)
    *both("single-value-enum-became-const", {"type": "string", "enum": ["v1"]}, {"type": "string", "const": "v1"},
          QUIET, QUIET, version="3.1.0"),
    *both("const-became-single-value-enum", {"type": "string", "const": "v1"}, {"type": "string", "enum": ["v1"]},
          QUIET, QUIET, version="3.1.0"),
    Case("const-became-other-single-value-enum/request", prop("request", {"type": "string", "const": "v1"},
                                                              version="3.1.0"),
         prop("request", {"type": "string", "enum": ["v2"]}, version="3.1.0"), BREAKS),

    # anyOf and oneOf over branches no value can match twice accept the same values
    *both("any-of-became-one-of-over-distinct-types", {"anyOf": [STRING, {"type": "integer"}]},
          {"oneOf": [STRING, {"type": "integer"}]}, QUIET, QUIET),
    Case("one-of-became-any-of-and-lost-a-branch/request", prop("request", {"oneOf": [STRING, {"type": "integer"}]}),
         prop("request", {"anyOf": [STRING]}), BREAKS),
    # overlapping branches: {a, b} matched both anyOf branches and matches both oneOf ones now
    Case("any-of-became-one-of-over-overlapping-objects/request",
         prop("request", {"anyOf": [obj({"a": STRING}, ("a",)), obj({"b": STRING}, ("b",))]}),
         prop("request", {"oneOf": [obj({"a": STRING}, ("a",)), obj({"b": STRING}, ("b",))]}), BREAKS),

    # --- response header values are read like response properties --------------------------
    Case("response-header-enum-value-added",
         responses({"200": ok(headers={"X-State": {"schema": ENUM_AB}})}),
         responses({"200": ok(headers={"X-State": {"schema": ENUM_ABC}})}), BREAKS, "response-header-enum-value-added"),
    Case("response-header-enum-value-removed",
         responses({"200": ok(headers={"X-State": {"schema": ENUM_ABC}})}),
         responses({"200": ok(headers={"X-State": {"schema": ENUM_AB}})}), QUIET),
    Case("response-header-max-length-increased",
         responses({"200": ok(headers={"X-Id": {"schema": {"type": "string", "maxLength": 8}}})}),
         responses({"200": ok(headers={"X-Id": {"schema": {"type": "string", "maxLength": 64}}})}), BREAKS),
    Case("response-header-enum-dropped",
         responses({"200": ok(headers={"X-State": {"schema": ENUM_AB}})}),
         responses({"200": ok(headers={"X-State": {"schema": STRING}})}), BREAKS),
    Case("response-header-maximum-decreased",
         responses({"200": ok(headers={"X-Left": {"schema": {"type": "integer", "maximum": 100}}})}),
         responses({"200": ok(headers={"X-Left": {"schema": {"type": "integer", "maximum": 10}}})}), QUIET),

    # --- refactors that change nothing on the wire (more) -----------------------------------
    Case("inline-enum-moved-to-component/request", prop("request", ENUM_AB),
         prop("request", {"$ref": "#/components/schemas/State"}, schemas={"State": ENUM_AB}), QUIET),
    Case("schema-split-into-base-and-extension/request",
         body(obj({"id": STRING, "name": STRING}, ("id", "name")), "request"),
         body({"allOf": [{"$ref": "#/components/schemas/Base"}, obj({"name": STRING}, ("name",))]}, "request",
              schemas={"Base": obj({"id": STRING}, ("id",))}), QUIET),
    Case("one-of-branches-reordered/response", body(pets("Cat", "Dog"), "response", schemas=PETS),
         body(pets("Dog", "Cat"), "response", schemas=PETS), QUIET),
    Case("external-docs-and-summary-added", PLAIN_GET,
         with_op(PLAIN_GET, externalDocs={"url": "https://docs.example.com"}, summary="List things"), QUIET),
    Case("swagger/body-parameter-renamed",
         swagger({"/t": {"post": {"parameters": [{"name": "body", "in": "body", "schema": THING}],
                                  "responses": {"200": {"description": "ok"}}}}}),
         swagger({"/t": {"post": {"parameters": [{"name": "thing", "in": "body", "schema": THING}],
                                  "responses": {"200": {"description": "ok"}}}}}), QUIET),
    Case("swagger/form-parameter-required-added",
         swagger({"/t": {"post": {"consumes": ["application/x-www-form-urlencoded"],
                                  "parameters": [{"name": "a", "in": "formData", "type": "string"}],
                                  "responses": {"200": {"description": "ok"}}}}}),
         swagger({"/t": {"post": {"consumes": ["application/x-www-form-urlencoded"],
                                  "parameters": [{"name": "a", "in": "formData", "type": "string"},
                                                 {"name": "b", "in": "formData", "type": "string", "required": True}],
                                  "responses": {"200": {"description": "ok"}}}}}), BREAKS),
    # becoming nullable through an allOf wrapper is still becoming nullable
    Case("ref-made-nullable-through-all-of/response",
         prop("response", {"$ref": "#/components/schemas/T"}, schemas={"T": THING}),
         prop("response", {"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": True}, schemas={"T": THING}),
         BREAKS),

    # --- the same API in another OpenAPI version ---------------------------------------------
    Case("same-api-rewritten-for-3.1", PET_30, PET_31, QUIET),
    Case("same-api-converted-from-swagger", PET_SWAGGER, {**PET_30, "servers": [{"url": "https://api.example.com/v1"}]},
         QUIET),
    Case("exclusive-minimum-respelled-3.0-to-3.1/request",
         prop("request", {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
         prop("request", {"type": "number", "exclusiveMinimum": 0}, version="3.1.0"), QUIET),
    Case("exclusive-minimum-raised-while-respelled/request",
         prop("request", {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
         prop("request", {"type": "number", "exclusiveMinimum": 5}, version="3.1.0"), BREAKS),
]


def verdict(base: Spec, revision: Spec) -> tuple[str | None, list[str]]:
    report = trustguard.check(base, revision, fail_on="none")
    severities = [f.severity.value for f in report.findings]
    worst = max(severities, key=_RANK.__getitem__, default=None)
    return worst, sorted(f.rule for f in report.findings if _RANK[f.severity.value] >= _RANK["major"])


def test_the_cases_have_unique_names_and_keep_both_bands_in_balance() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    quiet = sum(c.band == QUIET for c in CASES)
    assert len(CASES) >= 80 and 0.35 <= quiet / len(CASES) <= 0.65


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_client_suffers_what_the_verdict_says(case: Case) -> None:
    worst, breaking = verdict(case.base, case.revision)
    if case.band == BREAKS:
        assert _RANK[worst] >= _RANK["major"], f"{case.name}: a client breaks, trustguard says {worst}"
        if case.rule is not None:
            assert case.rule in breaking, f"{case.name}: expected {case.rule}, got {breaking}"
    else:
        assert _RANK[worst] <= _RANK["minor"], f"{case.name}: no client breaks, trustguard says {breaking}"
