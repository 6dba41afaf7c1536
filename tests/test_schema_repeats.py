"""The same inline schema written at several places and changed the same way is compared
once (diff/schema_memo.py), and a walk through a wrapper reuses the walk of what it wraps
(SchemaDiffer._walk_from): each place still gets its own findings, at its own pointer and
line, and a place changed otherwise gets what changed there."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import trustguard
from trustguard.model import Change


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}}


def _options(*names: str) -> dict[str, Any]:
    """An inline schema of the kind a large API repeats in many bodies."""
    return {"type": "object", "properties": {
        "card": {"type": "object", "properties": {name: {"type": "string", "enum": ["a", "b"]} for name in names}},
        "limit": {"type": "integer", "maximum": 100},
    }}


def _spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas or {}}}


def _diff(tmp_path: Path, base: dict[str, Any], rev: dict[str, Any]) -> list[Change]:
    files = []
    for name, spec in (("base.json", base), ("rev.json", rev)):
        path = tmp_path / name
        path.write_text(json.dumps(spec, indent=2))
        files.append(path)
    return trustguard.diff(*files)


def _by_operation(changes: list[Change], kind: str) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for change in changes:
        if change.kind == kind:
            for op in change.operations or [change.operation]:
                out.setdefault(str(op), []).append(change)
    return out


def test_each_repeat_of_a_changed_inline_schema_is_found_at_its_own_place(tmp_path: Path) -> None:
    base = _spec({f"/{name}": {"post": _body(_options("brand", "country"))} for name in ("a", "b", "c")})
    rev = copy.deepcopy(base)
    for name in ("a", "b"):  # the same change in two bodies: a property removed, a maximum lowered
        schema = rev["paths"][f"/{name}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        del schema["properties"]["card"]["properties"]["country"]
        schema["properties"]["limit"]["maximum"] = 50
    # the third body changes otherwise: it must not be given the first two's findings
    rev["paths"]["/c"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["card"][
        "properties"]["brand"]["enum"] = ["a"]
    changes = _diff(tmp_path, base, rev)

    removed = _by_operation(changes, "api.schema.property.removed")
    assert sorted(removed) == ["POST /a", "POST /b"]
    lines = set()
    for name in ("a", "b"):
        (change,) = removed[f"POST /{name}"]
        assert change.location == (f"/paths/~1{name}/post/requestBody/content/application~1json/schema"
                                   "/properties/card/properties/country")
        assert change.facts["property_path"] == "card/country"
        assert change.source is not None and change.source.line is not None
        lines.add(change.source.line)
    assert len(lines) == 2  # each points at its own body in the base file
    lowered = _by_operation(changes, "api.schema.max.decreased")
    assert sorted(lowered) == ["POST /a", "POST /b"]
    assert {c.location for cs in lowered.values() for c in cs} == {
        f"/paths/~1{name}/post/requestBody/content/application~1json/schema/properties/limit" for name in ("a", "b")}

    narrowed = [c for c in changes if c.kind.startswith("api.schema.enum")]
    assert {op for c in narrowed for op in c.operations or []} == {"POST /c"}
    assert all(c.location.startswith("/paths/~1c/") for c in narrowed)


def test_a_repeated_schema_that_became_a_ref_is_each_places_own(tmp_path: Path) -> None:
    """Inline in the base, a $ref in the revision: what the base wrote at each place is
    compared with the component, and a removal points at that place of the base."""
    def param(items: dict[str, Any]) -> dict[str, Any]:
        return {"parameters": [{"in": "query", "name": "filter", "schema": {"type": "array", "items": items}}],
                "responses": {"200": {"description": "ok"}}}

    inline = {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}
    base = _spec({f"/{name}": {"get": param(copy.deepcopy(inline))} for name in ("a", "b")})
    rev = _spec({f"/{name}": {"get": param({"$ref": "#/components/schemas/Filter"})} for name in ("a", "b")},
                {"Filter": {"type": "object", "properties": {"x": {"type": "string"}}}})
    removed = _by_operation(_diff(tmp_path, base, rev), "api.schema.property.removed")
    assert sorted(removed) == ["GET /a", "GET /b"]
    for name in ("a", "b"):
        (change,) = removed[f"GET /{name}"]
        assert change.location == f"/paths/~1{name}/get/parameters/0/schema/items/properties/y"


def test_a_wrapper_walk_names_changes_below_the_wrapper(tmp_path: Path) -> None:
    """A list wrapper whose only ref is a changed component: the component's changes are
    reached at the wrapper's path, the component's own response at its root."""
    component = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                   "owner": {"$ref": "#/components/schemas/Owner"}}}
    owner = {"type": "object", "properties": {"email": {"type": "string"}, "phone": {"type": "string"}}}

    def ok(schema: dict[str, Any]) -> dict[str, Any]:
        return {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}

    paths = {
        "/items": {"get": ok({"type": "object", "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}})},
        "/items/{id}": {"get": ok({"$ref": "#/components/schemas/Item"})},
    }
    base = _spec(paths, {"Item": component, "Owner": owner})
    rev = copy.deepcopy(base)
    del rev["components"]["schemas"]["Owner"]["properties"]["phone"]
    del rev["components"]["schemas"]["Item"]["properties"]["name"]
    changes = _diff(tmp_path, base, rev)
    paths_of = {(c.kind, c.location): c.property_paths or {op: c.facts["property_path"] for op in c.operations or []}
                for c in changes if c.kind == "api.schema.property.removed"}
    assert paths_of == {
        ("api.schema.property.removed", "/components/schemas/Item/properties/name"):
            {"GET /items": "data/items/name", "GET /items/{id}": "name"},
        ("api.schema.property.removed", "/components/schemas/Owner/properties/phone"):
            {"GET /items": "data/items/owner/phone", "GET /items/{id}": "owner/phone"},
    }
