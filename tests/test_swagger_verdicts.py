"""Swagger 2.0 as real specs write it (issue 15.3): Azure's x-ms-paths are paths, and what the
conversion would settle silently (two bodies, two templates of one endpoint) is a warning."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
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


# --- polymorphism: a subtype's discriminator value is on the wire ------------------------


def pets(direction: str, dog: str = "Dog", dog_value: str | None = None, cat: bool = True,
         bark: str = "boolean") -> dict[str, Any]:
    """A Swagger 2.0 API whose body is a Pet, told apart by ``kind``: Dog and (optionally)
    Cat inherit it; Dog's value is its name unless ``dog_value`` says otherwise (Azure's
    x-ms-discriminator-value), Cat's is ``cat``."""
    defs: dict[str, Any] = {
        "Pet": {"type": "object", "discriminator": "kind", "required": ["kind"],
                "properties": {"kind": {"type": "string"}}},
        dog: {"allOf": [{"$ref": "#/definitions/Pet"}, {"properties": {"bark": {"type": bark}}}]},
    }
    if dog_value is not None:
        defs[dog]["x-ms-discriminator-value"] = dog_value
    if cat:
        defs["Cat"] = {"allOf": [{"$ref": "#/definitions/Pet"}], "x-ms-discriminator-value": "cat"}
    pet = {"$ref": "#/definitions/Pet"}
    if direction == "request":
        op = {"post": {"parameters": [{"name": "pet", "in": "body", "required": True, "schema": pet}],
                       "responses": {"204": {"description": "stored"}}}}
    else:
        op = {"get": {"responses": {"200": {"description": "a pet", "schema": pet}}}}
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets": op}, "definitions": defs}


def rules_by_severity(base: dict[str, Any], revision: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in trustguard.check(base, revision, fail_on="none").findings:
        out.setdefault(f.severity.value, set()).add(f.rule)
    return out


@pytest.mark.parametrize("direction", ["request", "response"])
def test_a_changed_x_ms_discriminator_value_breaks_what_clients_send_and_read(direction: str) -> None:
    # a client sends {"kind": "dog"} (and reads it back): under "canine" it selects nothing
    found = rules_by_severity(pets(direction, dog_value="dog"), pets(direction, dog_value="canine"))
    assert f"{direction}-body-discriminator-mapping-deleted" in found["major"]


@pytest.mark.parametrize("direction", ["request", "response"])
def test_a_subtype_value_moved_from_its_name_to_an_explicit_one_is_a_change_on_the_wire(direction: str) -> None:
    # before, Dog's value was its definition's name, "Dog"; "dog" is another value
    found = rules_by_severity(pets(direction), pets(direction, dog_value="dog"))
    assert f"{direction}-body-discriminator-mapping-deleted" in found["major"]


def test_a_subtype_renamed_whose_shape_changed_too_is_still_a_changed_mapping() -> None:
    found = rules_by_severity(pets("request", dog_value="dog"),
                              pets("request", dog="Hound", dog_value="dog", bark="string"))
    assert "request-body-discriminator-mapping-changed" in found["major"]


def test_unchanged_polymorphism_and_a_new_subtype_stay_quiet() -> None:
    assert rules_by_severity(pets("response"), pets("response")) == {}
    found = rules_by_severity(pets("request", cat=False), pets("request"))
    assert set(found) <= {"info"}
    assert "request-body-discriminator-mapping-added" in found["info"]


def test_the_converted_mapping_names_every_subtype_at_any_depth() -> None:
    spec = pets("response", dog_value="dog")
    spec["definitions"]["Puppy"] = {"allOf": [{"$ref": "#/definitions/Dog"}]}
    doc = trustguard.load(spec)
    mapping = doc.data["components"]["schemas"]["Pet"]["discriminator"]["mapping"]
    assert mapping == {"dog": "#/components/schemas/Dog", "cat": "#/components/schemas/Cat",
                       "Puppy": "#/components/schemas/Puppy"}
    # Dog has no discriminator of its own: nothing is added to it
    assert "discriminator" not in doc.data["components"]["schemas"]["Dog"]
