"""JSON Schema keywords judged by what they do to a client: what narrows what a client may
send breaks requests; what widens what the server may return breaks clients that parse
responses. Each change is checked in both directions, on a body and on a property."""

from __future__ import annotations

from typing import Any

import pytest

import trustguard

_RANK = {None: 0, "info": 1, "minor": 2, "major": 3, "blocker": 4}


def _spec(schema: dict[str, Any], direction: str, version: str) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    if direction == "request":
        op = {"requestBody": {"content": content}, "responses": {"204": {"description": "none"}}}
    else:
        op = {"responses": {"200": {"description": "ok", "content": content}}}
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/things": {"post": op}}}


def verdict(before: dict[str, Any], after: dict[str, Any], direction: str, *, nested: bool = False,
            version: str = "3.1.0") -> str | None:
    """The worst severity trustguard gives the change (None: not judged at all)."""
    if nested:  # the same change on a property of the body
        before = {"type": "object", "properties": {"value": before}}
        after = {"type": "object", "properties": {"value": after}}
    report = trustguard.check(_spec(before, direction, version), _spec(after, direction, version), fail_on="none")
    worst = max((f.severity.value for f in report.findings), key=_RANK.__getitem__, default=None)
    return worst


OBJ = {"type": "object"}
ARR = {"type": "array", "items": {"type": "string"}}
NUM = {"type": "number"}

CASES = [
    # (name, before, after, request verdict, response verdict)
    ("minProperties raised", {**OBJ, "minProperties": 1}, {**OBJ, "minProperties": 2}, "major", None),
    ("minProperties set", OBJ, {**OBJ, "minProperties": 1}, "major", None),
    ("minProperties lowered", {**OBJ, "minProperties": 2}, {**OBJ, "minProperties": 1}, "info", "major"),
    ("minProperties removed", {**OBJ, "minProperties": 2}, OBJ, "info", "major"),
    ("maxProperties lowered", {**OBJ, "maxProperties": 5}, {**OBJ, "maxProperties": 3}, "major", None),
    ("maxProperties set", OBJ, {**OBJ, "maxProperties": 5}, "major", None),
    ("maxProperties raised", {**OBJ, "maxProperties": 3}, {**OBJ, "maxProperties": 5}, "info", "major"),
    ("maxProperties removed", {**OBJ, "maxProperties": 3}, OBJ, "info", "major"),
    ("maxItems set", ARR, {**ARR, "maxItems": 3}, "major", None),
    ("maxItems raised", {**ARR, "maxItems": 3}, {**ARR, "maxItems": 9}, "info", "major"),
    ("maxItems removed", {**ARR, "maxItems": 3}, ARR, "info", "major"),
    ("minItems set", ARR, {**ARR, "minItems": 1}, "major", None),
    ("minItems removed", {**ARR, "minItems": 1}, ARR, "info", "major"),
    ("maximum set", NUM, {**NUM, "maximum": 10}, "major", None),
    ("maximum removed", {**NUM, "maximum": 10}, NUM, "info", "major"),
    ("minimum set", NUM, {**NUM, "minimum": 0}, "major", None),
    ("minimum removed", {**NUM, "minimum": 0}, NUM, "info", "major"),
    ("exclusiveMaximum removed", {**NUM, "exclusiveMaximum": 10}, NUM, "info", "major"),
    ("exclusiveMinimum removed", {**NUM, "exclusiveMinimum": 0}, NUM, "info", "major"),
    ("maxLength set", {"type": "string"}, {"type": "string", "maxLength": 9}, "major", None),
    ("maxLength removed", {"type": "string", "maxLength": 9}, {"type": "string"}, "info", "major"),
    ("maxContains set", {**ARR, "contains": {"const": "a"}}, {**ARR, "contains": {"const": "a"}, "maxContains": 1},
     "major", None),
    ("maxContains removed", {**ARR, "contains": {"const": "a"}, "maxContains": 1}, {**ARR, "contains": {"const": "a"}},
     "info", "major"),
    ("minContains set", {**ARR, "contains": {"const": "a"}}, {**ARR, "contains": {"const": "a"}, "minContains": 2},
     "major", None),
    ("multipleOf coarser", {**NUM, "multipleOf": 0.01}, {**NUM, "multipleOf": 0.05}, "major", None),
    ("multipleOf finer", {**NUM, "multipleOf": 0.05}, {**NUM, "multipleOf": 0.01}, "info", "major"),
    ("multipleOf unrelated", {**NUM, "multipleOf": 2}, {**NUM, "multipleOf": 3}, "major", "major"),
    ("multipleOf set", NUM, {**NUM, "multipleOf": 5}, "major", None),
    ("multipleOf removed", {**NUM, "multipleOf": 5}, NUM, "info", "major"),
    ("uniqueItems set", ARR, {**ARR, "uniqueItems": True}, "major", None),
    ("uniqueItems removed", {**ARR, "uniqueItems": True}, ARR, "info", "major"),
    ("additionalProperties closed", OBJ, {**OBJ, "additionalProperties": False}, "major", None),
    ("additionalProperties true to false", {**OBJ, "additionalProperties": True},
     {**OBJ, "additionalProperties": False}, "major", None),
    ("additionalProperties constrained", OBJ, {**OBJ, "additionalProperties": {"type": "string"}}, "major", None),
    ("additionalProperties opened", {**OBJ, "additionalProperties": False}, OBJ, "info", "major"),
    ("additionalProperties false to a schema", {**OBJ, "additionalProperties": False},
     {**OBJ, "additionalProperties": {"type": "string"}}, "info", "major"),
    ("additionalProperties true added", OBJ, {**OBJ, "additionalProperties": True}, None, None),
    ("unevaluatedProperties closed", {**OBJ, "unevaluatedProperties": True}, {**OBJ, "unevaluatedProperties": False},
     "major", None),
    ("unevaluatedProperties opened", {**OBJ, "unevaluatedProperties": False}, {**OBJ, "unevaluatedProperties": True},
     "info", "major"),
    ("items closed", ARR, {"type": "array", "items": False}, "major", None),
    ("items opened", ARR, {"type": "array", "items": True}, "info", "major"),
    ("not added", {"type": "string"}, {"type": "string", "not": {"const": ""}}, "major", None),
    ("not removed", {"type": "string", "not": {"const": ""}}, {"type": "string"}, "info", "major"),
    ("propertyNames added", OBJ, {**OBJ, "propertyNames": {"maxLength": 3}}, "major", "info"),
    ("dependentRequired added", OBJ, {**OBJ, "dependentRequired": {"a": ["b"]}}, "major", "info"),
    ("dependentSchemas added", OBJ, {**OBJ, "dependentSchemas": {"a": {"required": ["b"]}}}, "major", "info"),
    ("if/then added", OBJ, {**OBJ, "if": {"required": ["a"]}, "then": {"required": ["b"]}}, "major", "info"),
    ("contains added", ARR, {**ARR, "contains": {"const": "a"}}, "major", "info"),
    ("enum removed", {"type": "string", "enum": ["a", "b"]}, {"type": "string"}, "info", "major"),
]


@pytest.mark.parametrize(("before", "after", "request_verdict", "response_verdict"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
@pytest.mark.parametrize("nested", [False, True], ids=["body", "property"])
def test_a_keyword_change_is_judged_by_what_it_does_to_requests_and_responses(
    before: dict[str, Any], after: dict[str, Any], request_verdict: str | None, response_verdict: str | None,
    nested: bool,
) -> None:
    assert verdict(before, after, "request", nested=nested) == request_verdict
    assert verdict(before, after, "response", nested=nested) == response_verdict


def test_a_bound_set_on_an_unbounded_request_value_is_as_severe_as_the_bound_lowered() -> None:
    for key, low, high in (("maxLength", 5, 10), ("maxItems", 5, 10), ("maximum", 5, 10), ("maxProperties", 5, 10)):
        base = {"type": "string" if key == "maxLength" else "array" if key == "maxItems" else
                "number" if key == "maximum" else "object"}
        lowered = verdict({**base, key: high}, {**base, key: low}, "request")
        newly_set = verdict(base, {**base, key: low}, "request")
        assert _RANK[newly_set] >= _RANK[lowered] == _RANK["major"], key


def test_a_read_only_request_property_that_gets_a_bound_does_not_break_requests() -> None:
    before = {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}}}
    after = {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True, "maximum": 9}}}
    assert verdict(before, after, "request") is None


def test_multiple_of_in_openapi_3_0_is_judged_the_same() -> None:
    assert verdict({**NUM, "multipleOf": 0.01}, {**NUM, "multipleOf": 0.05}, "request", version="3.0.3") == "major"
    assert verdict({**NUM, "multipleOf": 0.05}, {**NUM, "multipleOf": 0.01}, "response", version="3.0.3") == "major"
