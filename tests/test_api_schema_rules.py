"""Schema-level rules: what a reviewer checks by hand that the oasdiff corpus does not pin down."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import trustguard


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.0.3") -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    return doc


def post(schema: dict[str, Any]) -> dict[str, Any]:
    """One operation that sends and returns the same schema."""
    return {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
        }
    }


def get(schema: dict[str, Any], path_status: str = "200") -> dict[str, Any]:
    return {"get": {"responses": {path_status: {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}


def findings(base: dict[str, Any], rev: dict[str, Any], **options: Any) -> list[trustguard.Finding]:
    report = trustguard.check(base, rev, fail_on="none", **options)
    return list(report.findings)


def rules(base: dict[str, Any], rev: dict[str, Any], **options: Any) -> Counter[str]:
    return Counter(f.rule for f in findings(base, rev, **options))


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


# --- recursion and once-per-location ----------------------------------------------------

def _tree(extra: dict[str, Any]) -> dict[str, Any]:
    node = {"type": "object", "properties": {"name": {"type": "string", **extra},
                                             "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                                             "parent": {"$ref": "#/components/schemas/Node"}}}
    return spec({"/nodes": post({"$ref": "#/components/schemas/Node"})}, {"Node": node})


def test_a_change_inside_a_recursive_schema_is_reported_once_per_operation_and_side() -> None:
    found = findings(_tree({}), _tree({"maxLength": 10}))
    keys = [(f.rule, f.operation, f.location) for f in found]
    assert sorted(keys) == sorted(set(keys))
    assert Counter(f.rule for f in found) == Counter({"request-property-max-length-set": 1})
    (only,) = found
    assert only.operation == "POST /nodes"
    assert only.facts["property_path"] == "name"  # the shortest path, not children/items/name...


def test_mutually_recursive_schemas_terminate_and_report_each_side() -> None:
    def doc(fmt: str | None) -> dict[str, Any]:
        a = obj(b={"$ref": "#/components/schemas/B"}, id={"type": "integer", **({"format": fmt} if fmt else {})})
        b = obj(a={"$ref": "#/components/schemas/A"})
        return spec({"/a": get({"$ref": "#/components/schemas/A"})}, {"A": a, "B": b})

    found = findings(doc("int32"), doc("int64"))
    assert [(f.rule, f.facts["property_path"]) for f in found] == [("response-property-type-generalized", "id")]


def test_a_change_at_the_end_of_a_long_chain_of_refs_is_found_by_its_whole_path() -> None:
    """3,000 components each referring to the next: the walks cross the chain without
    recursion (no RecursionError) and name the change by the path through all of it."""
    def doc(kind: str) -> dict[str, Any]:
        schemas = {f"S{i}": obj(next={"$ref": f"#/components/schemas/S{i + 1}"}) for i in range(3000)}
        schemas["S3000"] = obj(x={"type": kind})
        return spec({"/a": get({"$ref": "#/components/schemas/S0"})}, schemas)

    (only,) = findings(doc("string"), doc("integer"))
    assert only.rule == "response-property-type-changed"
    assert only.facts["property_path"] == "next/" * 3000 + "x"


def test_identical_specs_give_no_schema_finding() -> None:
    doc = _tree({"maxLength": 10})
    assert findings(doc, copy.deepcopy(doc)) == []


# --- shared components -------------------------------------------------------------

def test_a_shared_component_change_is_attributed_to_every_operation_reaching_it() -> None:
    def doc(required: list[str]) -> dict[str, Any]:
        pet = {"type": "object", "required": required, "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
        ref = {"$ref": "#/components/schemas/Pet"}
        paths = {
            "/pets": get({"type": "array", "items": ref}),
            "/pets/{id}": get(ref),
            "/pets/{id}/twin": get(ref),
            "/owners": get(obj(pets={"type": "array", "items": ref})),
            "/unrelated": get({"type": "string"}),
        }
        return spec(paths, {"Pet": pet})

    found = [f for f in findings(doc(["id", "name"]), doc(["id"])) if f.rule == "response-property-became-optional"]
    # one finding listing the operations that reach it, each at its own property path
    [finding] = found
    assert finding.operations == ["GET /owners", "GET /pets", "GET /pets/{id}", "GET /pets/{id}/twin"]
    assert finding.property_paths == {"GET /owners": "pets/items/name", "GET /pets": "items/name",
                                      "GET /pets/{id}": "name", "GET /pets/{id}/twin": "name"}
    assert finding.facts["property_path"] == finding.subject == "pets/items/name"  # the first operation's
    # and once per operation when spelled out, each with its own fingerprint and path
    spelled = finding.per_operation()
    assert [(f.operation, f.facts["property_path"]) for f in spelled] == sorted(finding.property_paths.items())
    assert all(f.facts["property_path"] in f.message for f in spelled)
    assert len({f.fingerprint for f in spelled}) == 4


# --- nullability ---------------------------------------------------------------------

def test_the_three_spellings_of_nullable_mean_the_same() -> None:
    plain = {"type": "string"}
    spellings = {
        "nullable (3.0)": ({"type": "string", "nullable": True}, "3.0.3"),
        "type list (3.1)": ({"type": ["string", "null"]}, "3.1.0"),
        "oneOf null branch": ({"oneOf": [{"type": "string"}, {"type": "null"}]}, "3.1.0"),
    }
    for name, (nullable, version) in spellings.items():
        base = spec({"/x": post(obj(v=plain))}, version=version)
        rev = spec({"/x": post(obj(v=nullable))}, version=version)
        assert rules(base, rev) == Counter({"request-property-became-nullable": 1, "response-property-became-nullable": 1}), name
        assert rules(rev, base) == Counter({"request-property-became-not-nullable": 1, "response-property-became-not-nullable": 1}), name


def test_switching_between_nullable_spellings_is_no_change() -> None:
    base = spec({"/x": post(obj(v={"type": "string", "nullable": True}))}, version="3.1.0")
    rev = spec({"/x": post(obj(v={"type": ["string", "null"]}))}, version="3.1.0")
    assert findings(base, rev) == []


# --- 3.1 type arrays -----------------------------------------------------------------

def test_type_arrays_widen_and_narrow_with_opposite_severities() -> None:
    narrow = spec({"/x": post(obj(v={"type": ["string"]}))}, version="3.1.0")
    wide = spec({"/x": post(obj(v={"type": ["string", "integer"]}))}, version="3.1.0")
    widened = {f.rule: f.severity.value for f in findings(narrow, wide)}
    assert widened == {"request-property-list-of-types-widened": "info", "response-property-list-of-types-widened": "major"}
    narrowed = {f.rule: f.severity.value for f in findings(wide, narrow)}
    assert narrowed == {"request-property-list-of-types-narrowed": "major", "response-property-list-of-types-narrowed": "info"}


# --- readOnly / writeOnly --------------------------------------------------------------

def test_read_only_properties_are_not_judged_as_request_input() -> None:
    def doc(max_length: int) -> dict[str, Any]:
        return spec({"/x": post(obj(id={"type": "string", "readOnly": True, "maxLength": max_length}))})

    got = rules(doc(64), doc(32))
    assert got == Counter({"request-read-only-property-max-length-decreased": 1})
    assert {f.severity.value for f in findings(doc(64), doc(32))} == {"info"}


def test_write_only_properties_are_not_judged_as_response_output() -> None:
    def doc(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return spec({"/x": post({"type": "object", "required": required, "properties": props})})

    secret = {"type": "string", "writeOnly": True}
    got = rules(doc({"name": {"type": "string"}, "password": secret}, ["name", "password"]), doc({"name": {"type": "string"}}, ["name"]))
    assert got == Counter({"request-property-removed": 1, "response-required-write-only-property-removed": 1})
    assert "response-required-property-removed" not in got


def test_a_required_response_property_that_becomes_write_only_is_a_break() -> None:
    def doc(extra: dict[str, Any]) -> dict[str, Any]:
        return spec({"/x": get({"type": "object", "required": ["token"], "properties": {"token": {"type": "string", **extra}}})})

    (finding,) = findings(doc({}), doc({"writeOnly": True}))
    assert finding.rule == "response-required-property-became-write-only"
    assert finding.severity.value == "major"


# --- request vs response -------------------------------------------------------------

def test_request_and_response_severities_are_opposite() -> None:
    cases = [
        ({"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 20},
         "request-property-max-length-increased", "response-property-max-length-increased"),
        ({"type": "integer", "minimum": 5}, {"type": "integer", "minimum": 1},
         "request-property-min-decreased", "response-property-min-decreased"),
        ({"type": "integer"}, {"type": "number"},
         "request-property-type-generalized", "response-property-type-generalized"),
        ({"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]},
         "request-property-enum-value-added", "response-property-enum-value-added"),
    ]
    for before, after, req_rule, resp_rule in cases:
        got = {f.rule: f.severity.value for f in findings(spec({"/x": post(obj(v=before))}), spec({"/x": post(obj(v=after))}))}
        assert got[req_rule] == "info", req_rule
        assert got[resp_rule] in ("major", "minor"), resp_rule
        reverse = {f.rule: f.severity.value for f in findings(spec({"/x": post(obj(v=after))}), spec({"/x": post(obj(v=before))}))}
        assert any(sev in ("major", "minor") and rule.startswith("request-") for rule, sev in reverse.items()), reverse
        assert all(sev == "info" for rule, sev in reverse.items() if rule.startswith("response-")), reverse


def test_new_required_request_property_breaks_but_the_same_in_a_response_does_not() -> None:
    base = spec({"/x": post(obj(name={"type": "string"}))})
    rev = spec({"/x": post({"type": "object", "required": ["age"], "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}})})
    got = {f.rule: f.severity.value for f in findings(base, rev)}
    assert got == {"new-required-request-property": "major", "response-required-property-added": "info"}


def test_messages_name_the_property_and_the_values() -> None:
    base = spec({"/x": get(obj(name={"type": "string", "maxLength": 10}))})
    rev = spec({"/x": get(obj(name={"type": "string", "maxLength": 20}))})
    (finding,) = findings(base, rev)
    assert finding.message == "the maxLength of the response property 'name' for the '200' status was increased from 10 to 20"


def test_a_schema_wrapped_with_a_null_branch_is_still_compared_with_its_old_self() -> None:
    base = spec({"/x": get(obj(v={"type": "string", "maxLength": 10, "description": "v"}))}, version="3.1.0")
    rev = spec({"/x": get(obj(v={"description": "v", "anyOf": [{"type": "string", "maxLength": 20}, {"type": "null"}]}))},
               version="3.1.0")
    assert rules(base, rev) == Counter({"response-property-became-nullable": 1, "response-property-max-length-increased": 1})


# --- a scalar parameter that became an array -------------------------------------------

def _param(schema: dict[str, Any], where: str = "query", **serialization: Any) -> dict[str, Any]:
    param = {"in": where, "name": "token", "schema": schema, **serialization}
    return spec({"/groups": {"post": {"parameters": [param], "responses": {"200": {"description": "ok"}}}}},
                version="3.1.0")


SCALAR = {"type": ["string", "integer"]}


def test_a_query_parameter_that_became_an_array_of_any_text_is_generalized() -> None:
    # ?token=abc is still valid: an exploded form array of one item
    found = rules(_param(SCALAR), _param({"type": "array", "items": {"type": "string"}}))
    assert found["request-parameter-type-generalized"] == 1
    assert found["request-parameter-type-changed"] == 0


def test_an_array_that_does_not_take_every_old_value_is_still_a_type_change() -> None:
    narrower_items = {"type": "array", "items": {"type": "integer"}}  # ?token=abc is rejected now
    constrained = {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}}
    two_at_least = {"type": "array", "minItems": 2, "items": {"type": "string"}}
    for revision in (narrower_items, constrained, two_at_least):
        found = rules(_param(SCALAR), _param(revision))
        assert (found["request-parameter-type-changed"], found["request-parameter-type-generalized"]) == (1, 0)


def test_only_a_form_exploded_parameter_takes_one_value_as_an_array() -> None:
    array = {"type": "array", "items": {"type": "string"}}
    for where, serialization in (("query", {"explode": False}), ("query", {"style": "pipeDelimited"}),
                                 ("header", {})):
        found = rules(_param(SCALAR, where, **serialization), _param(array, where, **serialization))
        assert (found["request-parameter-type-changed"], found["request-parameter-type-generalized"]) == (1, 0)
