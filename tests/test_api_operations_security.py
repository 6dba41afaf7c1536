"""Security requirements (honest severities where oasdiff says INFO), security
schemes and webhooks."""

from __future__ import annotations

import copy
from typing import Any

import trustguard

SCHEMES: dict[str, Any] = {
    "api_key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://auth.example/token", "scopes": {"read": "Read", "write": "Write"}}}},
}


def spec(security: list[dict[str, list[str]]] | None = None, *, global_security: Any = None,
         schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"200": {"description": "OK"}}}
    if security is not None:
        op["security"] = security
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/pets": {"get": op}},
                           "components": {"securitySchemes": copy.deepcopy(schemes if schemes is not None else SCHEMES)}}
    if global_security is not None:
        doc["security"] = global_security
    return doc


def found(base: dict[str, Any], rev: dict[str, Any]) -> list[tuple[str, str]]:
    report = trustguard.check(base, rev, fail_on="none")
    return sorted((f.rule, f.severity.value) for f in report.findings)


def test_authentication_on_a_public_operation_is_major() -> None:
    assert found(spec(), spec([{"api_key": []}])) == [("api-security-added", "major")]
    report = trustguard.check(spec(), spec([{"api_key": []}]))
    assert report.verdict.value == "fail"  # the default gate fails on major


def test_another_way_to_authenticate_is_info() -> None:
    assert found(spec([{"api_key": []}]), spec([{"api_key": []}, {"oauth": ["read"]}])) == [
        ("api-security-alternative-added", "info")]


def test_removing_one_alternative_locks_its_clients_out() -> None:
    assert found(spec([{"api_key": []}, {"oauth": ["read"]}]), spec([{"oauth": ["read"]}])) == [
        ("api-security-alternative-removed", "major")]


def test_operation_becoming_public_is_info() -> None:
    assert found(spec([{"api_key": []}]), spec([])) == [("api-security-removed", "info")]


def test_optional_authentication_keeps_the_operation_public() -> None:
    # {} among the requirements means "no credentials" is one of the alternatives
    assert found(spec(), spec([{}, {"api_key": []}])) == [
        ("api-security-alternative-added", "info"), ("api-security-alternative-added", "info")]


def test_new_required_scope_is_major_and_a_dropped_scope_is_info() -> None:
    assert found(spec([{"oauth": ["read"]}]), spec([{"oauth": ["read", "write"]}])) == [
        ("api-security-scope-added", "major")]
    assert found(spec([{"oauth": ["read", "write"]}]), spec([{"oauth": ["read"]}])) == [
        ("api-security-scope-removed", "info")]


def test_global_security_added_to_a_public_api_is_major() -> None:
    assert found(spec(), spec(global_security=[{"api_key": []}])) == [("api-global-security-added", "major")]
    assert found(spec(global_security=[{"api_key": []}]), spec()) == [("api-global-security-removed", "info")]
    assert found(spec(global_security=[{"oauth": ["read"]}]), spec(global_security=[{"oauth": ["read", "write"]}])) == [
        ("api-global-security-scope-added", "major")]


def test_operation_inheriting_global_security_is_not_reported_twice() -> None:
    base = spec(global_security=[{"api_key": []}])
    rev = spec(global_security=[{"api_key": []}, {"oauth": []}])
    assert found(base, rev) == [("api-global-security-alternative-added", "info")]


def test_operation_overriding_with_the_global_requirement_is_no_change() -> None:
    assert found(spec(global_security=[{"api_key": []}]), spec([{"api_key": []}], global_security=[{"api_key": []}])) == []


def test_security_scheme_changes() -> None:
    changed = copy.deepcopy(SCHEMES)
    changed["api_key"]["name"] = "X-Api-Key"
    changed["oauth"]["flows"]["clientCredentials"]["tokenUrl"] = "https://login.example/token"
    changed["oauth"]["flows"]["clientCredentials"]["scopes"]["admin"] = "Admin"
    changed["basic"] = {"type": "http", "scheme": "basic"}
    assert found(spec(), spec(schemes=changed)) == [
        ("api-security-component-added", "info"),
        ("api-security-component-field-changed", "major"),
        ("api-security-component-oauth-scope-added", "info"),
        ("api-security-component-oauth-token-url-changed", "minor"),
    ]
    retyped = copy.deepcopy(SCHEMES)
    retyped["api_key"] = {"type": "http", "scheme": "bearer"}
    assert found(spec(), spec(schemes=retyped)) == [("api-security-component-type-changed", "major")]


def test_rules_that_differ_from_oasdiff_say_why() -> None:
    by_id = {r.id: r for r in trustguard.rules_for(trustguard.DocumentKind.OPENAPI)}
    for rule_id in ("api-security-added", "api-security-scope-added", "api-global-security-added",
                    "api-security-component-type-changed"):
        rule = by_id[rule_id]
        assert rule.oasdiff == "INFO" and rule.severity.value == "major"
        assert rule.oasdiff_note and "INFO" in rule.oasdiff_note


# --- webhooks (OpenAPI 3.1) ------------------------------------------------------------


def hooks(webhooks: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "webhooks": webhooks}


def new_pet(required: bool) -> dict[str, Any]:
    return {"post": {"requestBody": {"required": required, "content": {"application/json": {
        "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}},
        "responses": {"200": {"description": "OK"}}}}


def test_webhooks_added_removed_and_compared_like_operations() -> None:
    report = trustguard.check(hooks({"newPet": new_pet(False)}), hooks({"lostPet": new_pet(False)}), fail_on="none")
    assert sorted((f.rule, f.subject) for f in report.findings) == [
        ("webhook-added", "lostPet"), ("webhook-removed", "newPet")]
    report = trustguard.check(hooks({"newPet": new_pet(False)}), hooks({"newPet": new_pet(True)}), fail_on="none")
    assert [(f.rule, f.operation, f.location) for f in report.findings] == [
        ("request-body-became-required", "POST webhook:newPet", "/webhooks/newPet/post/requestBody")]
    assert trustguard.diff(hooks({"newPet": new_pet(True)}), hooks({"newPet": new_pet(True)})) == []
