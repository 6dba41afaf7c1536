"""An operation written the same in both versions is not compared when nothing it refers to
differs (diff/openapi_reach.py); whatever it reaches that did change is still found, through
chains of refs, loops, YAML aliases, path-level parameters and sibling files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import trustguard


def _spec() -> dict[str, Any]:
    error = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "shop", "version": "1"},
        "paths": {
            "/orders": {"get": {"responses": {"200": {"$ref": "#/components/responses/Orders"}, "default": error}}},
            "/pets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}}}}},
        },
        "components": {
            "responses": {"Orders": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Order"}}}}},
            "schemas": {
                "Order": {"type": "object", "properties": {"id": {"type": "string"},
                                                           "lines": {"$ref": "#/components/schemas/Line"}}},
                "Line": {"type": "object", "properties": {"qty": {"type": "integer", "maximum": 10},
                                                          "next": {"$ref": "#/components/schemas/Line"}}},
                "Pet": {"type": "object", "properties": {"name": {"type": "string"},
                                                         "kind": {"type": "string", "enum": ["cat", "dog"]}}},
                "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
            },
        },
    }


def _write(folder: Path, spec: dict[str, Any], fmt: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"spec.{fmt}"
    path.write_text(json.dumps(spec, indent=2) if fmt == "json" else yaml.safe_dump(spec, sort_keys=False))
    return path


def _found(tmp_path: Path, base: dict[str, Any], rev: dict[str, Any], fmt: str) -> dict[str, set[str]]:
    """The operations reaching each kind of change found."""
    changes = trustguard.diff(_write(tmp_path / "a", base, fmt), _write(tmp_path / "b", rev, fmt))
    out: dict[str, set[str]] = {}
    for change in changes:
        out.setdefault(change.kind, set()).update(change.operations or ([change.operation] if change.operation else []))
    return out


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_change_behind_a_chain_of_refs_and_a_loop_reaches_the_unchanged_operation(tmp_path: Path, fmt: str) -> None:
    base = _spec()
    rev = copy.deepcopy(base)
    rev["components"]["schemas"]["Line"]["properties"]["qty"]["maximum"] = 5  # response -> Order -> Line (a loop)
    found = _found(tmp_path, base, rev, fmt)
    assert found == {"api.schema.max.decreased": {"GET /orders"}}


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_unchanged_operation_stays_quiet_when_only_what_it_does_not_reach_changed(tmp_path: Path, fmt: str) -> None:
    base = _spec()
    rev = copy.deepcopy(base)
    rev["components"]["schemas"]["Pet"]["properties"]["kind"]["enum"].append("bird")
    found = _found(tmp_path, base, rev, fmt)
    assert found == {"api.schema.enum.value-added": {"GET /pets"}}
    assert _found(tmp_path, base, copy.deepcopy(base), fmt) == {}


def test_a_loop_of_refs_with_nothing_changed_reports_nothing(tmp_path: Path) -> None:
    base = _spec()
    rev = copy.deepcopy(base)
    rev["info"]["description"] = "the same operations"
    assert _found(tmp_path, base, rev, "json") == {}


def test_a_schema_shared_through_a_yaml_alias_carries_its_changes_to_every_operation(tmp_path: Path) -> None:
    # the alias is checked once when loading: its refs are noted where it is met first
    text = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: &shared
                type: object
                properties:
                  owner: {$ref: '#/components/schemas/Owner'}
  /b:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: *shared
components:
  schemas:
    Owner:
      type: object
      properties:
        name: {type: string}
"""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "spec.yaml").write_text(text)
    (tmp_path / "b" / "spec.yaml").write_text(text.replace("name: {type: string}", "name: {type: integer}"))
    changes = trustguard.diff(tmp_path / "a" / "spec.yaml", tmp_path / "b" / "spec.yaml")
    assert {(c.kind, tuple(c.operations)) for c in changes} == {("api.schema.type.changed", ("GET /a", "GET /b"))}


def test_a_path_level_parameter_behind_a_ref_reaches_the_unchanged_operations(tmp_path: Path) -> None:
    base = _spec()
    base["paths"]["/pets"]["parameters"] = [{"$ref": "#/components/parameters/Limit"}]
    base["components"]["parameters"] = {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}
    rev = copy.deepcopy(base)
    rev["components"]["parameters"]["Limit"]["required"] = True
    assert _found(tmp_path, base, rev, "json") == {"api.parameter.became-required": {"GET /pets"}}


def test_a_changed_sibling_file_reaches_the_unchanged_operation(tmp_path: Path) -> None:
    base = _spec()
    base["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "pet.json#/Pet"}
    for folder, kinds in (("a", ["cat", "dog"]), ("b", ["cat"])):
        _write(tmp_path / folder, base, "json")
        (tmp_path / folder / "pet.json").write_text(json.dumps({"Pet": {"type": "string", "enum": kinds}}))
    changes = trustguard.diff(tmp_path / "a" / "spec.json", tmp_path / "b" / "spec.json")
    assert {(c.kind, tuple(c.operations)) for c in changes} == {("api.schema.enum.value-removed", ("GET /pets",))}


def test_an_invalid_stability_level_of_an_unchanged_operation_is_still_reported(tmp_path: Path) -> None:
    base = _spec()
    base["paths"]["/pets"]["get"]["x-stability-level"] = "shiny"
    changes = trustguard.diff(_write(tmp_path / "a", base, "json"), _write(tmp_path / "b", base, "json"))
    assert sorted((c.kind, c.operation, c.facts["side"]) for c in changes) == [
        ("api.stability.invalid", "GET /pets", "base"), ("api.stability.invalid", "GET /pets", "revision")]


def test_a_change_reached_through_a_loop_from_a_second_operation_is_found(tmp_path: Path) -> None:
    # /first reaches X -> A -> X (a loop) and X -> C (changed); /second reaches A only,
    # whose way to C runs through X: both reach the change
    def spec(max_length: int) -> dict[str, Any]:
        def op(name: str) -> dict[str, Any]:
            return {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name}"}}}}}}}
        return {
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/first": op("X"), "/second": op("A")},
            "components": {"schemas": {
                "X": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"},
                                                       "c": {"$ref": "#/components/schemas/C"}}},
                "A": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/X"}}},
                "C": {"type": "string", "maxLength": max_length},
            }},
        }

    for fmt in ("json", "yaml"):
        found = _found(tmp_path / fmt, spec(5), spec(3), fmt)
        assert found == {"api.schema.max-length.decreased": {"GET /first", "GET /second"}}
