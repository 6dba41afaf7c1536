"""Swagger 2.0 as real specs write it (issue 15.3): Azure's x-ms-paths are paths, and what the
conversion would settle silently (two bodies, two templates of one endpoint) is a warning."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

import trustguard


def swagger(paths: dict[str, Any], ms_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if ms_paths is not None:
        spec["x-ms-paths"] = ms_paths
    return spec


def listing(schema_type: str = "string") -> dict[str, Any]:
    return {"get": {"parameters": [{"name": "api-version", "in": "query", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "ok", "schema": {
                        "type": "object", "required": ["name"], "properties": {"name": {"type": schema_type}}}}}}}


def test_a_path_moved_to_x_ms_paths_is_not_removed() -> None:
    before = swagger({"/vms": listing()})
    after = swagger({}, {"/vms": listing()})
    report = trustguard.check(before, after, fail_on="none")
    assert report.findings == []


def test_a_change_in_an_x_ms_paths_operation_is_found_and_points_at_its_line(tmp_path: Path) -> None:
    key = "/vms?op=list"
    before, after = swagger({}, {key: listing()}), swagger({}, {key: listing("integer")})
    base, revision = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    base.write_text(yaml.safe_dump(before, sort_keys=False))
    revision.write_text(yaml.safe_dump(after, sort_keys=False))
    report = trustguard.check(base, revision, fail_on="none")
    [finding] = [f for f in report.findings if f.rule == "response-property-type-changed"]
    assert finding.operation == f"GET {key}"
    assert finding.source is not None and finding.source.line is not None
    lines = revision.read_text().splitlines()
    assert "x-ms-paths" in "\n".join(lines[:finding.source.line])
    # an operation removed from x-ms-paths is an operation removed
    gone = trustguard.check(before, swagger({}, {}), fail_on="none")
    assert any(f.kind == "api.operation.removed" and f.operation == f"GET {key}" for f in gone.findings)


def _body(name: str) -> dict[str, Any]:
    return {"name": name, "in": "body", "schema": {"type": "object"}}


def test_several_body_parameters_give_a_warning_naming_the_operation() -> None:
    op = {"post": {"parameters": [_body("a"), _body("b")], "responses": {"200": {"description": "ok"}}}}
    spec = swagger({"/things": op})
    warnings = trustguard.load(spec).warnings
    assert any("POST /things" in w and "2 'in: body' parameters" in w for w in warnings), warnings
    one = copy.deepcopy(spec)
    one["paths"]["/things"]["post"]["parameters"] = [_body("a")]
    assert not [w for w in trustguard.load(one).warnings if "in: body" in w]


def test_two_templates_of_one_endpoint_give_a_warning_naming_the_operation() -> None:
    ok = {"get": {"responses": {"200": {"description": "ok"}}}}
    spec = swagger({"/users/{id}": ok, "/users/{userId}": copy.deepcopy(ok)})
    warnings = trustguard.load(spec).warnings
    assert any("GET /users/{userId}" in w and "GET /users/{id}" in w and "parameter names" in w for w in warnings)
    # different methods under the two templates are no ambiguity
    other = swagger({"/users/{id}": ok, "/users/{userId}": {"delete": ok["get"]}})
    assert not [w for w in trustguard.load(other).warnings if "parameter names" in w]
    # the warning reaches the report
    report = trustguard.check(spec, spec, fail_on="none")
    assert any("parameter names" in w for w in report.warnings)
