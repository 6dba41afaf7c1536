"""Properties of the OpenAPI diff on generated specs (hypothesis): no change against itself,
the same answer twice, and the two directions mirror each other."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import trustguard

NAMES = st.sampled_from(["id", "name", "tags", "owner", "price", "status", "items"])
SCALARS = st.sampled_from(["string", "integer", "number", "boolean"])


def _schema(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    scalar = st.builds(
        lambda t, enum, nullable, max_length: {
            "type": t,
            **({"enum": enum} if enum and t == "string" else {}),
            **({"nullable": True} if nullable else {}),
            **({"maxLength": max_length} if max_length and t == "string" else {}),
        },
        SCALARS,
        st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3),
        st.booleans(),
        st.one_of(st.none(), st.integers(1, 50)),
    )
    if depth == 0:
        return scalar
    child = _schema(depth - 1)
    obj = st.builds(
        lambda props, required: {
            "type": "object",
            "properties": props,
            **({"required": sorted(set(required) & set(props))} if set(required) & set(props) else {}),
        },
        st.dictionaries(NAMES, child, max_size=4),
        st.lists(NAMES, max_size=3),
    )
    array = st.builds(lambda items: {"type": "array", "items": items}, child)
    return st.one_of(scalar, obj, array)


def _spec(schema: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "generated", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                },
                "put": {
                    "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                },
            }
        },
        "components": {"schemas": {"Thing": schema}},
    }


SPECS = st.builds(_spec, _schema(3), _schema(2))


def _keys(changes: list[trustguard.Change]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.operation or "", c.subject or "") for c in changes]


@settings(max_examples=150, deadline=None)
@given(SPECS)
def test_a_spec_against_itself_has_no_change(spec: dict[str, Any]) -> None:
    assert trustguard.diff(spec, spec) == []
    report = trustguard.check(spec, spec)
    assert report.findings == [] and report.exit_code == 0


@settings(max_examples=150, deadline=None)
@given(SPECS, SPECS)
def test_diff_is_deterministic_and_its_directions_mirror(a: dict[str, Any], b: dict[str, Any]) -> None:
    forward = trustguard.diff(a, b)
    assert _keys(forward) == _keys(trustguard.diff(a, b))
    backward = trustguard.diff(b, a)
    added = sorted((c.operation, c.subject) for c in forward if c.kind == "api.schema.property.added")
    removed = sorted((c.operation, c.subject) for c in backward if c.kind == "api.schema.property.removed")
    assert added == removed
    # every finding of a real change is located and fingerprinted, once per rule, operation, location and value
    report = trustguard.check(a, b, fail_on="none")
    keys = [(f.rule, f.operation, f.location, repr(f.before), repr(f.after)) for f in report.findings]
    assert len(keys) == len(set(keys))
    assert all(f.location.startswith("/") and len(f.fingerprint) == 16 for f in report.findings)
