"""--flatten-allof: an allOf is compared as the one schema it means, when it merges plainly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

import trustguard
from trustguard.cli import cli as cli_main


def spec(schemas: dict[str, Any]) -> dict[str, Any]:
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok", "content": body}}},
                                "post": {"requestBody": {"content": body}, "responses": {"201": {"description": "ok"}}}}},
            "components": {"schemas": schemas}}


INLINE = spec({"Pet": {"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}})
COMPOSED = spec({
    "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"},
                      {"type": "object", "properties": {"name": {"type": "string"}}}]},
})


def rules(base: dict[str, Any], revision: dict[str, Any], **options: Any) -> list[tuple[str, str]]:
    report = trustguard.check(base, revision, fail_on="none", **options)
    return sorted((f.rule, f.location) for f in report.findings)


def test_moving_properties_into_a_shared_base_is_no_change_when_flattened() -> None:
    # a pure move is no change even without the option (issue 15): the merged schemas are equal
    assert rules(INLINE, COMPOSED) == [("api-schema-added", "/components/schemas/Base")]
    assert rules(INLINE, COMPOSED, flatten_allof=True) == [("api-schema-added", "/components/schemas/Base")]
    assert rules(COMPOSED, INLINE, flatten_allof=True) == [("api-schema-removed", "/components/schemas/Base")]


def test_a_change_in_a_branch_is_found_and_placed_in_the_branch(tmp_path: Path) -> None:
    changed = copy.deepcopy(COMPOSED)
    changed["components"]["schemas"]["Base"]["properties"]["id"]["type"] = "integer"
    changed["components"]["schemas"]["Pet"]["allOf"][1]["required"] = ["name"]
    base, revision = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    base.write_text(yaml.safe_dump(INLINE, sort_keys=False))
    revision.write_text(yaml.safe_dump(changed, sort_keys=False))
    report = trustguard.check(base, revision, fail_on="none", flatten_allof=True)
    found = {f.rule: f for f in report.findings}
    assert {"request-property-type-changed", "response-property-type-changed",
            "request-property-became-required", "response-property-became-required"} <= set(found)
    lines = revision.read_text().splitlines()
    typed = found["response-property-type-changed"]
    assert typed.location == "/components/schemas/Pet/properties/id"  # the schema it means
    assert typed.source is not None and typed.source.file == str(revision)
    assert lines[typed.source.line - 1].strip() == "id:"  # ... written in Base
    assert "Base" in "\n".join(lines[:typed.source.line])


def test_branches_that_do_not_merge_plainly_are_left_as_written() -> None:
    clash = copy.deepcopy(COMPOSED)  # one property, two schemas: a real intersection
    clash["components"]["schemas"]["Pet"]["allOf"][1]["properties"]["id"] = {"type": "string", "maxLength": 5}
    assert rules(INLINE, clash, flatten_allof=True) == rules(INLINE, clash)
    looping = spec({"Pet": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object"}]}})
    assert rules(looping, looping, flatten_allof=True) == []


def test_a_property_named_like_a_keyword_is_flattened_too() -> None:
    def api(default: dict[str, Any]) -> dict[str, Any]:
        return spec({"Base": {"type": "object", "properties": {"id": {"type": "string"}}},
                     "Pet": {"type": "object", "properties": {"default": default}}})

    inline = api({"type": "object", "properties": {"id": {"type": "string"}}})
    # an allOf member that repeats what the schema says: nothing moved, so only the option merges it
    composed = api({"type": "object", "properties": {"id": {"type": "string"}},
                    "allOf": [{"$ref": "#/components/schemas/Base"}]})
    assert rules(inline, composed, flatten_allof=True) == []
    assert rules(inline, composed) != []


def test_nested_allof_merges_and_the_documents_are_not_changed() -> None:
    nested = spec({
        "Named": {"properties": {"name": {"type": "string"}}},
        "Base": {"allOf": [{"$ref": "#/components/schemas/Named"},
                           {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}]},
        "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"}]},
    })
    before = copy.deepcopy(nested)
    base = trustguard.load(copy.deepcopy(INLINE))
    revision = trustguard.load(nested)
    assert sorted(c.kind for c in trustguard.diff(base, revision, flatten_allof=True)) == [
        "api.component.schema.added", "api.component.schema.added"]
    assert revision.data == before  # the diff worked on a copy


def test_flag_and_config_key(tmp_path: Path) -> None:
    base, revision = tmp_path / "v1.json", tmp_path / "v2.json"
    base.write_text(json.dumps(INLINE))
    # a member added that repeats part of the schema: nothing moved, so only the option merges it
    redundant = copy.deepcopy(INLINE)
    redundant["components"]["schemas"]["Base"] = {"type": "object", "properties": {"id": {"type": "string"}}}
    redundant["components"]["schemas"]["Pet"]["allOf"] = [{"$ref": "#/components/schemas/Base"}]
    revision.write_text(json.dumps(redundant))
    plain = CliRunner().invoke(cli_main, ["check", str(base), str(revision)])
    assert plain.exit_code == 1, plain.output
    flat = CliRunner().invoke(cli_main, ["check", str(base), str(revision), "--flatten-allof"])
    assert flat.exit_code == 0, flat.output
    (tmp_path / "trustguard.yaml").write_text("flatten_allof: true\n")
    configured = CliRunner().invoke(cli_main, ["check", str(base), str(revision), "-c", str(tmp_path / "trustguard.yaml")])
    assert configured.exit_code == 0, configured.output
