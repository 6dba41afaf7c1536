"""How a group of findings at one place lists the operations it reaches, with each
one's property path where they differ: read per finding with set operations, it says
what the per-operation reading says, also when findings overlap or disagree."""

from __future__ import annotations

from typing import Any

import pytest

from trustguard.model import Finding, Principle, Severity, new_change, new_finding
from trustguard.report.common import (
    _paths_by_operation,
    group_subject,
    operations_of,
    operations_text,
)


def _finding(operations: list[str], path: str | None, by_op: dict[str, str] | None = None) -> Finding:
    facts: dict[str, Any] = {} if path is None else {"property_path": path}
    change = new_change(kind="api.response.property.removed", location="/components/schemas/Pet/properties/x",
                        operations=operations, facts=facts, property_paths=by_op or {})
    return new_finding(rule="response-property-removed", severity=Severity.MAJOR,
                       principle=Principle.BACKWARD_COMPATIBILITY, title="t", message="m", change=change)


def _expected(group: list[Finding], listed: int) -> str:
    """The text as the per-operation reading gives it."""
    operations = sorted({op for f in group for op in f.operations})
    paths = _paths_by_operation(group)
    if len(set(paths.values())) > 1:
        shown = ", ".join(f"{op} at '{paths[op] or '(root)'}'" for op in operations[:listed])
    else:
        shown = ", ".join(operations[:listed])
    more = len(operations) - listed
    return f"Reached by {len(operations)} operations: {shown}" + (f" (+{more} more)." if more > 0 else ".")


GROUPS = {
    "one finding, one path": [_finding(["GET /a", "GET /b", "GET /c"], "x")],
    "one finding, paths per operation": [
        _finding(["GET /a", "GET /b", "GET /c"], "x", {"GET /b": "data/x", "GET /c": "items/x"})],
    "one finding, every operation named": [
        _finding(["GET /a", "GET /b"], "x", {"GET /a": "data/x", "GET /b": "x"})],
    "paths naming an operation the finding lacks": [
        _finding(["GET /a", "GET /b"], "x", {"GET /z": "data/x", "GET /b": "x"})],
    "two findings apart, one path": [_finding(["GET /a"], "x"), _finding(["GET /b", "GET /c"], "x")],
    "two findings apart, two paths": [_finding(["GET /a"], "x"), _finding(["GET /b", "GET /c"], "data/x")],
    "two findings apart, paths per operation": [
        _finding(["GET /a", "GET /d"], "x", {"GET /d": "list/x"}), _finding(["GET /b", "GET /c"], "data/x")],
    # the last finding names an operation both reach: the first one's path disappears
    "overlapping, the last one naming it": [
        _finding(["GET /a", "GET /b"], "data/x"), _finding(["GET /a", "GET /b"], "x")],
    "overlapping in part": [
        _finding(["GET /a", "GET /b"], "data/x", {"GET /b": "x"}), _finding(["GET /b", "GET /c"], "x")],
    "no property path at all": [_finding(["GET /a", "GET /b"], None), _finding(["GET /c"], None)],
}


@pytest.mark.parametrize("name", list(GROUPS))
@pytest.mark.parametrize("listed", [1, 2, 10])
def test_the_operations_and_their_paths_are_those_the_per_operation_reading_gives(name: str, listed: int) -> None:
    group = GROUPS[name]
    assert operations_text(group, listed) == _expected(group, listed)
    assert operations_text(group, listed, operations_of(group)) == _expected(group, listed)


def test_paths_are_shown_where_they_differ_and_not_where_they_agree() -> None:
    apart = operations_text(GROUPS["two findings apart, two paths"])
    assert apart == "Reached by 3 operations: GET /a at 'x', GET /b at 'data/x', GET /c at 'data/x'."
    # both findings reach GET /a and GET /b; the last one names them, at one path
    assert operations_text(GROUPS["overlapping, the last one naming it"]) == "Reached by 2 operations: GET /a, GET /b."


def test_a_groups_operations_are_sorted_once_without_repeats() -> None:
    group = [_finding(["GET /b", "GET /c"], "x"), _finding(["GET /a", "GET /b"], "x")]
    assert operations_of(group) == ["GET /a", "GET /b", "GET /c"]
    assert group_subject(group) == group_subject(group, operations_of(group)) == "GET /a (+2 operations)"
