"""How operations and parameters are matched between two specs: renamed path
parameters, header case, path-level parameters and $ref'd components."""

from __future__ import annotations

import copy
from typing import Any

import trustguard


def spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    doc.update(extra)
    return doc


def ok(description: str = "OK") -> dict[str, Any]:
    return {"200": {"description": description}}


def findings(base: dict[str, Any], rev: dict[str, Any], **options: Any) -> list[tuple[str, str | None]]:
    report = trustguard.check(base, rev, fail_on="none", **options)
    return sorted((f.rule, f.operation) for f in report.findings)


def test_renamed_path_parameter_is_the_same_endpoint() -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    base = spec({"/users/{id}": {"get": {"parameters": [param], "responses": ok()}}})
    renamed = {**param, "name": "userId"}
    rev = spec({"/users/{userId}": {"get": {"parameters": [renamed], "responses": ok()}}})
    assert findings(base, rev) == []
    assert trustguard.diff(base, rev) == []


def test_with_include_path_params_a_renamed_path_parameter_is_another_endpoint() -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    base = spec({"/users/{id}": {"get": {"parameters": [param], "responses": ok()}}})
    rev = spec({"/users/{userId}/": {"get": {"parameters": [{**param, "name": "userId"}], "responses": ok()}}})
    assert findings(base, rev, include_path_params=True) == [
        ("api-path-removed-without-deprecation", "GET /users/{id}"),
        ("endpoint-added", "GET /users/{userId}/"),
    ]
    assert findings(base, base, include_path_params=True) == []


def test_change_on_renamed_endpoint_is_reported_once_under_the_revision_path() -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    base = spec({"/users/{id}": {"get": {"parameters": [param], "responses": ok()}}})
    rev = spec({"/users/{userId}/": {"get": {"parameters": [{**param, "name": "userId"}], "responses": {}}}})
    assert findings(base, rev) == [("response-success-status-removed", "GET /users/{userId}/")]


def test_really_different_paths_are_removed_and_added() -> None:
    base = spec({"/users/{id}": {"get": {"responses": ok()}}})
    rev = spec({"/users/{id}/profile": {"get": {"responses": ok()}}})
    assert findings(base, rev) == [
        ("api-path-removed-without-deprecation", "GET /users/{id}"),
        ("endpoint-added", "GET /users/{id}/profile"),
    ]


def test_one_endpoint_written_as_two_paths_compares_every_operation() -> None:
    """GitHub's spec writes DELETE .../attestations/{attestation_id} and GET
    .../attestations/{subject_digest}: the same endpoint for matching. The second path item
    used to be dropped, hiding every change of its operations."""
    def param(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}

    def api(get_responses: dict[str, Any], delete: bool = True) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        if delete:
            paths["/orgs/{org}/attestations/{attestation_id}"] = {
                "parameters": [param("org"), param("attestation_id")], "delete": {"responses": ok()}}
        paths["/orgs/{org}/attestations/{subject_digest}"] = {
            "parameters": [param("org"), param("subject_digest")], "get": {"responses": get_responses}}
        return spec(paths)

    assert findings(api(ok()), api(ok())) == []
    assert findings(api(ok()), api({"201": {"description": "OK"}})) == [
        ("response-success-status-added", "GET /orgs/{org}/attestations/{subject_digest}"),
        ("response-success-status-removed", "GET /orgs/{org}/attestations/{subject_digest}")]
    assert findings(api(ok()), api(ok(), delete=False)) == [
        ("api-removed-without-deprecation", "DELETE /orgs/{org}/attestations/{attestation_id}")]
    # a path-level parameter change is told at the operations of its own path only
    changed = api(ok())
    changed["paths"]["/orgs/{org}/attestations/{subject_digest}"]["parameters"][1]["schema"] = {"type": "integer"}
    assert findings(api(ok()), changed) == [
        ("request-parameter-type-changed", "GET /orgs/{org}/attestations/{subject_digest}")]


def test_header_parameter_names_are_compared_without_case() -> None:
    header = {"name": "X-Request-ID", "in": "header", "schema": {"type": "string"}}
    base = spec({"/pets": {"get": {"parameters": [header], "responses": ok()}}})
    same = spec({"/pets": {"get": {"parameters": [{**header, "name": "x-request-id"}], "responses": ok()}}})
    assert findings(base, same) == []
    required = spec({"/pets": {"get": {"parameters": [{**header, "name": "x-request-id", "required": True}],
                                       "responses": ok()}}})
    assert findings(base, required) == [("request-parameter-became-required", "GET /pets")]


def test_query_parameter_names_are_case_sensitive() -> None:
    query = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    base = spec({"/pets": {"get": {"parameters": [query], "responses": ok()}}})
    rev = spec({"/pets": {"get": {"parameters": [{**query, "name": "Limit"}], "responses": ok()}}})
    assert findings(base, rev) == [
        ("new-optional-request-parameter", "GET /pets"),
        ("request-parameter-removed", "GET /pets"),
    ]


def test_parameter_moved_to_the_path_item_is_no_change() -> None:
    tenant = {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    base = spec({"/pets": {"get": {"parameters": [tenant], "responses": ok()},
                           "post": {"parameters": [tenant], "responses": ok()}}})
    rev = spec({"/pets": {"parameters": [tenant], "get": {"responses": ok()}, "post": {"responses": ok()}}})
    assert findings(base, rev) == []


def test_path_level_parameter_is_inherited_by_every_operation() -> None:
    base = spec({"/pets": {"get": {"responses": ok()}, "post": {"responses": ok()}}})
    required = {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
    rev = spec({"/pets": {"parameters": [required], "get": {"responses": ok()}, "post": {"responses": ok()}}})
    assert findings(base, rev) == [
        ("new-required-request-default-parameter-to-existing-path", "GET /pets"),
        ("new-required-request-default-parameter-to-existing-path", "POST /pets"),
    ]
    optional = {**required, "required": False}
    rev_optional = spec({"/pets": {"parameters": [optional], "get": {"responses": ok()}, "post": {"responses": ok()}}})
    assert findings(base, rev_optional) == [
        ("new-optional-request-default-parameter-to-existing-path", "GET /pets"),
        ("new-optional-request-default-parameter-to-existing-path", "POST /pets"),
    ]
    # and taking it away again removes it from both operations
    assert findings(rev, base) == [
        ("request-parameter-removed", "GET /pets"),
        ("request-parameter-removed", "POST /pets"),
    ]


def test_operation_parameter_overrides_the_path_level_one() -> None:
    path_level = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    base = spec({"/pets": {"parameters": [path_level], "get": {"responses": ok()}}})
    override = {**path_level, "required": True}
    rev = spec({"/pets": {"parameters": [path_level], "get": {"parameters": [override], "responses": ok()}}})
    assert findings(base, rev) == [("request-parameter-became-required", "GET /pets")]


def components_spec(*, param_required: bool, body_required: bool, header_required: bool) -> dict[str, Any]:
    return spec(
        {
            "/pets": {
                "get": {"parameters": [{"$ref": "#/components/parameters/Limit"}],
                        "responses": {"200": {"$ref": "#/components/responses/Pets"}}},
                "post": {"parameters": [{"$ref": "#/components/parameters/Limit"}],
                         "requestBody": {"$ref": "#/components/requestBodies/Pet"},
                         "responses": {"200": {"$ref": "#/components/responses/Pets"}}},
            }
        },
        components={
            "parameters": {"Limit": {"name": "limit", "in": "query", "required": param_required,
                                     "schema": {"type": "integer"}}},
            "requestBodies": {"Pet": {"required": body_required,
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            "responses": {"Pets": {"description": "OK",
                                   "headers": {"X-Rate-Limit": {"required": header_required,
                                                                "schema": {"type": "integer"}}}}},
        },
    )


def test_changes_in_referenced_components_are_reported_at_each_operation() -> None:
    base = components_spec(param_required=False, body_required=False, header_required=True)
    rev = components_spec(param_required=True, body_required=True, header_required=False)
    assert findings(base, rev) == [
        ("request-body-became-required", "POST /pets"),
        ("request-parameter-became-required", "GET /pets"),
        ("request-parameter-became-required", "POST /pets"),
        ("response-header-became-optional", "GET /pets"),
        ("response-header-became-optional", "POST /pets"),
    ]


def test_inlining_a_referenced_component_is_no_change() -> None:
    base = components_spec(param_required=False, body_required=True, header_required=True)
    inlined = copy.deepcopy(base)
    comps = inlined["components"]
    for op in inlined["paths"]["/pets"].values():
        op["parameters"] = [comps["parameters"]["Limit"]]
        op["responses"] = {"200": comps["responses"]["Pets"]}
    inlined["paths"]["/pets"]["post"]["requestBody"] = comps["requestBodies"]["Pet"]
    assert findings(base, inlined) == []


def test_referenced_response_header_removed_names_the_header() -> None:
    base = components_spec(param_required=False, body_required=False, header_required=True)
    rev = copy.deepcopy(base)
    del rev["components"]["responses"]["Pets"]["headers"]
    report = trustguard.check(base, rev, fail_on="none")
    messages = sorted(f.message for f in report.findings if f.rule == "required-response-header-removed")
    assert messages == [
        "removed the required response header 'X-Rate-Limit' from the response with the status '200' of GET /pets",
        "removed the required response header 'X-Rate-Limit' from the response with the status '200' of POST /pets",
    ]


def test_spelling_out_default_serialisation_is_no_change_but_changing_it_is() -> None:
    ids = {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
    base = spec({"/pets": {"get": {"parameters": [ids], "responses": ok()}}})
    explicit = spec({"/pets": {"get": {"parameters": [{**ids, "style": "form", "explode": True}], "responses": ok()}}})
    assert findings(base, explicit) == []
    piped = spec({"/pets": {"get": {"parameters": [{**ids, "style": "pipeDelimited"}], "responses": ok()}}})
    assert findings(base, piped) == [
        ("request-parameter-explode-changed", "GET /pets"),
        ("request-parameter-style-changed", "GET /pets"),
    ]


def test_response_media_type_renamed_to_a_related_one_is_paired() -> None:
    def with_media(name: str) -> dict[str, Any]:
        return spec({"/pets": {"get": {"responses": {"200": {"description": "OK", "content": {
            name: {"schema": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}}}}}}}})

    json_ = with_media("application/json")
    problem = with_media("application/problem+json")
    assert findings(json_, problem) == [("response-media-type-name-specialized", "GET /pets")]
    assert findings(problem, json_) == [("response-media-type-name-generalized", "GET /pets")]
    # an unrelated media type is a removal and an addition
    assert findings(json_, with_media("text/csv")) == [
        ("response-media-type-added", "GET /pets"),
        ("response-media-type-removed", "GET /pets"),
    ]
