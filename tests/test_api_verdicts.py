"""Verdicts by meaning (issue 15.3): readOnly/writeOnly, discriminators, security requirements,
servers, status codes and defaults, each on specs written here and in both directions where a
change can travel both ways."""

from __future__ import annotations

import copy
from typing import Any

import trustguard

_RANK = {None: 0, "info": 1, "minor": 2, "major": 3, "blocker": 4}


def doc(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **top}


def body_op(schema: dict[str, Any], direction: str) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    if direction == "request":
        return {"post": {"requestBody": {"content": content}, "responses": {"204": {"description": "none"}}}}
    return {"post": {"responses": {"200": {"description": "ok", "content": content}}}}


def worst(base: dict[str, Any], rev: dict[str, Any]) -> tuple[str | None, list[str]]:
    report = trustguard.check(base, rev, fail_on="none")
    found = [f.severity.value for f in report.findings]
    return max(found, key=_RANK.__getitem__, default=None), sorted(f.rule for f in report.findings)


def schema_verdict(before: dict[str, Any], after: dict[str, Any], direction: str,
                   components: dict[str, Any] | None = None,
                   rev_components: dict[str, Any] | None = None) -> tuple[str | None, list[str]]:
    extra = {"components": {"schemas": components}} if components else {}
    rev_extra = {"components": {"schemas": rev_components if rev_components is not None else components}} \
        if components else {}
    return worst(doc({"/things": body_op(before, direction)}, **extra),
                 doc({"/things": body_op(after, direction)}, **rev_extra))


def person(**flags: Any) -> dict[str, Any]:
    required = flags.pop("required", True)
    return {"type": "object", "required": ["id"] if required else [],
            "properties": {"id": {"type": "string", **flags}, "name": {"type": "string"}}}


# --- readOnly / writeOnly -----------------------------------------------------------------

def test_a_required_property_that_loses_read_only_must_now_be_sent() -> None:
    severity, rules = schema_verdict(person(readOnly=True), person(), "request")
    assert severity == "major" and "request-required-property-became-not-read-only" in rules
    # responses still carry it as before
    assert schema_verdict(person(readOnly=True), person(), "response")[0] in (None, "info")


def test_an_optional_property_that_loses_read_only_breaks_no_request() -> None:
    assert schema_verdict(person(readOnly=True, required=False), person(required=False), "request")[0] == "info"


def test_an_optional_response_property_that_becomes_write_only_is_judged_like_its_removal() -> None:
    became, rules = schema_verdict(person(required=False), person(writeOnly=True, required=False), "response")
    removed = {"type": "object", "properties": {"name": {"type": "string"}}}
    assert became == schema_verdict(person(required=False), removed, "response")[0] == "minor"
    assert "response-optional-property-became-write-only" in rules
    # clients still send a write-only property: requests are not affected
    assert schema_verdict(person(required=False), person(writeOnly=True, required=False), "request")[0] == "info"


# --- discriminator -------------------------------------------------------------------------

PETS = {"Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}}},
        "Dog": {"type": "object", "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}}}}


def pet(property_name: str = "kind", mapping: dict[str, str] | None = None) -> dict[str, Any]:
    refs = [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]
    found = {"propertyName": property_name}
    if mapping is not None:
        found["mapping"] = mapping  # type: ignore[assignment]
    return {"oneOf": refs, "discriminator": found}


MAPPING = {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}


def test_a_changed_discriminator_property_breaks_requests_and_responses() -> None:
    for direction in ("request", "response"):
        severity, rules = schema_verdict(pet("kind"), pet("type"), direction, PETS)
        assert severity == "major" and any(r.endswith("discriminator-property-name-changed") for r in rules)


def test_a_removed_or_repointed_discriminator_mapping_breaks_both_directions() -> None:
    removed = {"cat": MAPPING["cat"]}
    repointed = {"cat": MAPPING["dog"], "dog": MAPPING["dog"]}
    for direction in ("request", "response"):
        assert schema_verdict(pet(mapping=MAPPING), pet(mapping=removed), direction, PETS)[0] == "major"
        assert schema_verdict(pet(mapping=MAPPING), pet(mapping=repointed), direction, PETS)[0] == "major"


def test_a_mapping_repointed_says_whether_the_new_schema_has_the_same_content() -> None:
    """Generated clients map the value to the named class, so a repointed mapping is judged
    breaking either way; the fact lets a rule pack tell a pure rename apart."""
    base = doc({"/things": body_op(pet(mapping=MAPPING), "request")}, components={"schemas": PETS})
    rev = doc({"/things": body_op(pet(mapping={"cat": MAPPING["cat"], "dog": "#/components/schemas/Hound"}), "request")},
              components={"schemas": {**PETS, "Hound": PETS["Dog"]}})
    [change] = [c for c in trustguard.diff(base, rev) if c.kind == "api.schema.discriminator.mapping.changed"]
    assert change.facts["same_content"] is True
    rev["components"]["schemas"]["Hound"] = PETS["Cat"]
    [change] = [c for c in trustguard.diff(base, rev) if c.kind == "api.schema.discriminator.mapping.changed"]
    assert change.facts["same_content"] is False


# --- security ------------------------------------------------------------------------------

SCHEMES = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                               "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                                   "tokenUrl": "https://x/token", "scopes": {"read": "r"}}}}}}


def secured(requirements: list[dict[str, list[str]]], top: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {"get": {"responses": {"200": {"description": "ok"}}}}
    if not top:
        op["get"]["security"] = requirements
    extra: dict[str, Any] = {"components": copy.deepcopy(SCHEMES)}
    if top:
        extra["security"] = requirements
    return doc({"/things": op}, **extra)


def test_narrowing_an_and_requirement_relaxes_it() -> None:
    for top in (False, True):
        severity, rules = worst(secured([{"key": [], "oauth": ["read"]}], top), secured([{"oauth": ["read"]}], top))
        assert severity == "info" and rules == ["api-security-requirement-relaxed"], (top, rules)


def test_widening_an_and_requirement_tightens_it() -> None:
    for top in (False, True):
        severity, rules = worst(secured([{"oauth": ["read"]}], top), secured([{"key": [], "oauth": ["read"]}], top))
        assert severity == "major" and "api-security-requirement-tightened" in rules, (top, rules)


def test_removing_one_of_two_alternatives_is_still_breaking() -> None:
    severity, rules = worst(secured([{"key": []}, {"oauth": ["read"]}]), secured([{"oauth": ["read"]}]))
    assert severity == "major" and rules == ["api-security-alternative-removed"]


# --- servers -------------------------------------------------------------------------------

def served(*urls: str) -> dict[str, Any]:
    return doc({"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
               servers=[{"url": url} for url in urls])


def test_every_server_moving_to_another_base_path_breaks_clients() -> None:
    severity, rules = worst(served("https://api.example.com/v1"), served("https://api.example.com/v2"))
    assert severity == "major" and "api-server-base-path-changed" in rules
    severity, _ = worst(served("https://a.example.com/v1", "https://b.example.com/v1"),
                        served("https://a.example.com/v2", "https://b.example.com/v2"))
    assert severity == "major"


def test_a_server_change_that_keeps_the_old_base_path_or_url_is_not_breaking() -> None:
    assert worst(served("https://api.example.com/v1"), served("https://api.example.org/v1"))[0] == "info"
    assert worst(served("https://api.example.com/v1"),
                 served("https://api.example.com/v1", "https://api.example.com/v2"))[0] == "info"


def test_a_swagger_base_path_change_breaks_clients() -> None:
    def swagger(base: str) -> dict[str, Any]:
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "api.example.com",
                "basePath": base, "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    assert worst(swagger("/v1"), swagger("/v2"))[0] == "major"


# --- status codes and defaults -------------------------------------------------------------

def responses(*codes: str) -> dict[str, Any]:
    return doc({"/things": {"post": {"responses": {c: {"description": c} for c in codes}}}})


def test_a_new_success_or_redirect_status_is_at_least_minor() -> None:
    for code in ("202", "204", "301", "303"):
        severity, _ = worst(responses("200"), responses("200", code))
        assert _RANK[severity] >= _RANK["minor"], code


def test_a_new_error_status_stays_informational() -> None:
    assert worst(responses("200"), responses("200", "429"))[0] == "info"


def test_a_request_default_changed_is_at_least_minor() -> None:
    before = {"type": "object", "properties": {"limit": {"type": "integer", "default": 10}}}
    after = {"type": "object", "properties": {"limit": {"type": "integer", "default": 50}}}
    assert _RANK[schema_verdict(before, after, "request")[0]] >= _RANK["minor"]
    assert _RANK[schema_verdict(before["properties"]["limit"], after["properties"]["limit"], "request")[0]] \
        >= _RANK["minor"]
    # a response default is what the server fills in: documentation for readers
    assert schema_verdict(before, after, "response")[0] == "info"


# --- composition by meaning ------------------------------------------------------------------

BASE = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}


def _composed(schema: dict[str, Any], direction: str, components: dict[str, Any]) -> dict[str, Any]:
    return doc({"/things": body_op(schema, direction)}, components={"schemas": components})


def composed_verdict(before: dict[str, Any], after: dict[str, Any], direction: str,
                     base_components: dict[str, Any], rev_components: dict[str, Any]) -> tuple[str | None, list[str]]:
    return worst(_composed(before, direction, base_components), _composed(after, direction, rev_components))


def test_a_branch_whose_component_is_renamed_with_the_same_content_is_no_change() -> None:
    before = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
    after = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Hound"}]}
    renamed = {"Cat": PETS["Cat"], "Hound": PETS["Dog"]}
    for direction in ("request", "response"):
        severity, rules = composed_verdict(before, after, direction, PETS, renamed)
        assert not [r for r in rules if "one-of" in r], rules
        assert _RANK[severity] <= _RANK["info"], rules
    # a renamed component whose content changed is still compared, and judged
    changed = {"Cat": PETS["Cat"], "Hound": {**PETS["Dog"], "required": ["barks"]}}
    severity, _ = composed_verdict(before, after, "request", PETS, changed)
    assert severity == "major"


def test_moving_properties_into_an_all_of_member_is_no_change() -> None:
    inline = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    moved = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"name": {"type": "string"}}}]}
    for direction in ("request", "response"):
        for before, after in ((inline, moved), (moved, inline)):
            severity, rules = composed_verdict(before, after, direction, {"Base": BASE}, {"Base": BASE})
            assert severity is None, (direction, rules)


def test_an_all_of_member_adding_only_optional_properties_is_judged_like_adding_them_inline() -> None:
    before = {"allOf": [{"$ref": "#/components/schemas/Base"}]}
    after = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"nick": {"type": "string"}}}]}
    inline_before = BASE
    inline_after = {**BASE, "properties": {**BASE["properties"], "nick": {"type": "string"}}}
    for direction in ("request", "response"):
        severity, rules = composed_verdict(before, after, direction, {"Base": BASE}, {"Base": BASE})
        inline, _ = composed_verdict(inline_before, inline_after, direction, {"Base": BASE}, {"Base": BASE})
        assert severity == inline == "info", (direction, rules)
        assert any(r.endswith("all-of-added-optional-properties") for r in rules)
    # a member that adds a required property still breaks requests
    strict = {"allOf": [{"$ref": "#/components/schemas/Base"},
                        {"type": "object", "required": ["nick"], "properties": {"nick": {"type": "string"}}}]}
    assert composed_verdict(before, strict, "request", {"Base": BASE}, {"Base": BASE})[0] == "major"


def test_dropping_an_all_of_base_removes_its_properties() -> None:
    own = {"type": "object", "properties": {"name": {"type": "string"}}}
    before = {"allOf": [{"$ref": "#/components/schemas/Base"}, own]}
    after = {"allOf": [own]}
    severity, rules = composed_verdict(before, after, "response", {"Base": BASE}, {"Base": BASE})
    assert severity == "major" and "response-body-all-of-removed-required-properties" in rules
    optional_base = {"type": "object", "properties": {"id": {"type": "string"}}}
    severity, _ = composed_verdict(before, after, "response", {"Base": optional_base}, {"Base": optional_base})
    assert severity == "minor"
    # requests lose a constraint; clients still sending the properties are the usual concern (minor)
    assert composed_verdict(before, after, "request", {"Base": BASE}, {"Base": BASE})[0] == "minor"
