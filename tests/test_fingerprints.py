"""A finding's fingerprint at each operation it reaches: what waivers and SARIF baselines
refer to, so it must stay what it was (model.fingerprint of rule, operation, location and
the before/after values) however it is computed for tens of thousands of operations."""

from __future__ import annotations

import hashlib

from trustguard.model import Change, Finding, Principle, Severity, fingerprint, value_detail

OPERATIONS = ["DELETE /pets/{id}", "GET /pets", "GET /pets/{id}", "POST /café"]


def _finding(operations: list[str], rule: str = "response-property-removed", after: object = None) -> Finding:
    change = Change(kind="api.response.property.removed", location="/components/schemas/Pet/properties/name",
                    operations=operations, subject="name", before={"type": "string"}, after=after)
    return Finding(rule=rule, severity=Severity.MAJOR, principle=Principle.BACKWARD_COMPATIBILITY,
                   title="Response property removed", message="name removed", change=change)


def _expected(rule: str, operation: str, before: object, after: object) -> str:
    # the documented recipe, spelt out: SHA-256 of the parts joined by U+001F, 16 hex digits
    raw = "\x1f".join((rule, operation, "/components/schemas/Pet/properties/name", value_detail(before, after)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def test_each_operation_has_the_fingerprint_the_recipe_gives() -> None:
    finding = _finding(OPERATIONS)
    expected = [_expected(finding.rule, op, {"type": "string"}, None) for op in OPERATIONS]
    assert finding.fingerprint_list() == expected
    assert finding.fingerprints() == dict(zip(OPERATIONS, expected, strict=True))
    assert [finding.fingerprint_at(op) for op in OPERATIONS] == expected
    assert expected == [fingerprint(finding.rule, op, finding.location, value_detail(finding.before, finding.after))
                        for op in OPERATIONS]
    # the per-operation form (JSON --per-operation, waivers) carries the same ones
    assert [one.fingerprint for one in finding.per_operation()] == expected


def test_fingerprints_tell_operations_rules_and_values_apart() -> None:
    prints = _finding(OPERATIONS).fingerprint_list()
    assert len(set(prints)) == len(OPERATIONS)
    other_rule = _finding(OPERATIONS, rule="response-property-became-optional").fingerprint_list()
    other_value = _finding(OPERATIONS, after={"type": "integer"}).fingerprint_list()
    assert not set(prints) & set(other_rule)
    assert not set(prints) & set(other_value)
    # a finding restricted to some operations keeps each one's fingerprint
    assert _finding(OPERATIONS[1:3]).fingerprint_list() == prints[1:3]


def test_a_finding_without_operations_has_no_per_operation_fingerprints() -> None:
    finding = _finding([])
    assert finding.fingerprint_list() == []
    assert finding.fingerprints() == {}
