"""A change in a schema that several operations reach the same way is one finding that
lists them; policy (waivers, path filters), impact and reports hold per operation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import trustguard
from trustguard.model import Finding
from trustguard.report import render

OPS = ["DELETE /orders/{id}", "GET /orders", "POST /orders"]


def _spec(error_fields: list[str]) -> dict[str, Any]:
    error = {"type": "object", "required": error_fields,
             "properties": {name: {"type": "string"} for name in ("code", "message")}}
    default = {"default": {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}}

    def op() -> dict[str, Any]:
        return {"responses": {"200": {"description": "ok"}, **default}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "orders", "version": "1"},
        "paths": {"/orders": {"get": op(), "post": op()}, "/orders/{id}": {"delete": op()}},
        "components": {"schemas": {"Error": error}},
    }


def _write(tmp_path: Path, spec: Callable[[list[str]], dict[str, Any]] | None = None,
           required: tuple[str, str] = ("code", "message")) -> tuple[Path, Path]:
    """A base where both fields are required and a revision where the second became optional."""
    build = spec or _spec
    base, rev = tmp_path / "base.yaml", tmp_path / "rev.yaml"
    base.write_text(yaml.safe_dump(build(list(required))))
    rev.write_text(yaml.safe_dump(build(list(required[:1]))))
    return base, rev


def _optional(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "response-property-became-optional"]


def test_one_finding_lists_every_operation_and_counts_for_each(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    report = trustguard.check(base, rev, fail_on="none")
    [finding] = _optional(report.findings)
    assert finding.operations == OPS
    assert finding.operation == OPS[0]
    assert finding.location == "/components/schemas/Error/properties/message"
    assert report.summary.findings == sum(f.weight for f in report.findings) == len(report.per_operation())
    spelled = _optional(report.per_operation())
    assert [f.operation for f in spelled] == OPS
    assert len({f.fingerprint for f in spelled}) == 3
    assert spelled[0].fingerprint == finding.fingerprint  # the first operation keeps its own


def test_per_operation_json_spells_the_finding_out_per_operation(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    data = json.loads(render(trustguard.check(base, rev, fail_on="none"), "json", per_operation=True))
    rows = [f for f in data["findings"] if f["rule"] == "response-property-became-optional"]
    assert [(f["operation"], f["operations"]) for f in rows] == [(op, [op]) for op in OPS]
    assert data["summary"]["findings"] == len(data["findings"])


def _waive(base: Path, rev: Path, operation: str) -> tuple[Finding, Finding, trustguard.Report]:
    """(the active part, the waived part, the report) when one operation's part is waived."""
    waiver = {"rule": "response-property-became-optional", "operation": operation, "reason": "internal"}
    report = trustguard.check(base, rev, fail_on="none", waivers=[waiver])
    [active] = _optional(report.findings)
    [waived] = _optional(report.waived)
    return active, waived, report


def test_a_waiver_for_one_operation_leaves_the_others_active(tmp_path: Path) -> None:
    active, waived, report = _waive(*_write(tmp_path), "get /orders")
    assert active.operations == ["DELETE /orders/{id}", "POST /orders"]
    assert waived.operations == ["GET /orders"] and waived.waived is not None
    assert report.summary.waived == 1


def test_a_waiver_by_fingerprint_holds_for_that_operation_only(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    spelled = _optional(trustguard.check(base, rev, fail_on="none").per_operation())
    print_ = next(f.fingerprint for f in spelled if f.operation == "POST /orders")
    report = trustguard.check(base, rev, fail_on="none", waivers=[{"fingerprint": print_, "reason": "ok"}])
    assert [f.operations for f in _optional(report.waived)] == [["POST /orders"]]
    assert [f.operations for f in _optional(report.findings)] == [["DELETE /orders/{id}", "GET /orders"]]


def test_an_expired_waiver_reports_its_operation_again(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    waiver = {"rule": "response-property-became-optional", "operation": "POST /orders",
              "reason": "old", "expires": "2020-01-01"}
    report = trustguard.check(base, rev, fail_on="none", waivers=[waiver])
    parts = sorted((f.operations, f.waiver_expired is not None) for f in _optional(report.findings))
    assert parts == [(["DELETE /orders/{id}", "GET /orders"], False), (["POST /orders"], True)]
    assert any("expired" in w for w in report.warnings)


def test_path_filters_keep_the_operations_of_kept_paths(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    report = trustguard.check(base, rev, fail_on="none", exclude_paths=["/orders/{id}"])
    [finding] = _optional(report.findings)
    assert finding.operations == ["GET /orders", "POST /orders"]
    report = trustguard.check(base, rev, fail_on="none", include_paths=["/nowhere"])
    assert _optional(report.findings) == []


def test_text_and_sarif_show_one_entry_naming_the_operations(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    report = trustguard.check(base, rev, fail_on="none")
    text = render(report, "text")
    assert text.count("response-property-became-optional") == 1
    assert "Reached by 3 operations: DELETE /orders/{id}, GET /orders, POST /orders." in text
    assert "DELETE /orders/{id} (+2 operations)" in text
    sarif = json.loads(render(report, "sarif"))
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "response-property-became-optional"]
    assert result["properties"]["operations"] == OPS
    assert len(result["properties"]["fingerprints"]) == 3
    markdown = render(report, "markdown")
    assert "GET /orders" in markdown and "Reached by 3 operations" in markdown


def _usage(tmp_path: Path) -> dict[str, Path]:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,plan,segment,monthly_revenue\n"
                         "a,Alpha,pro,smb,100\nb,Beta,pro,smb,200\nc,Gamma,pro,smb,300\n")
    usage = tmp_path / "usage.jsonl"
    usage.write_text("\n".join(json.dumps(row) for row in (
        {"customer": "a", "method": "GET", "path": "/orders", "count": 10},
        {"customer": "b", "method": "DELETE", "path": "/orders/7", "count": 5},
        {"customer": "b", "method": "GET", "path": "/orders", "count": 1},
    )) + "\n")
    return {"customers": customers, "usage": usage}


def test_a_waived_operation_takes_its_callers_with_it(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    waiver = {"rule": "response-property-became-optional", "operation": "GET /orders", "reason": "internal"}
    report = trustguard.check(base, rev, fail_on="none", waivers=[waiver], **_usage(tmp_path))
    [active] = _optional(report.findings)
    [waived] = _optional(report.waived)
    assert active.operations == ["DELETE /orders/{id}", "POST /orders"]
    assert active.impact is not None and active.impact.customer_ids == ["b"]
    assert active.impact.traffic == 5
    assert waived.impact is not None and waived.impact.customer_ids == ["a", "b"]


def test_impact_gathers_the_callers_of_every_operation(tmp_path: Path) -> None:
    base, rev = _write(tmp_path)
    report = trustguard.check(base, rev, fail_on="none", **_usage(tmp_path))
    [finding] = _optional(report.findings)
    assert finding.impact is not None
    assert finding.impact.customer_ids == ["a", "b"]
    assert finding.impact.traffic == 16  # over the three operations
    assert finding.impact.revenue == 300.0


def test_swagger_definitions_shared_by_operations_are_one_finding(tmp_path: Path) -> None:
    def doc(required: list[str]) -> dict[str, Any]:
        ref = {"$ref": "#/definitions/Error"}
        op = {"responses": {"200": {"description": "ok"}, "default": {"description": "e", "schema": ref}}}
        return {
            "swagger": "2.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": op}, "/b": {"get": op, "delete": op}},
            "definitions": {"Error": {"type": "object", "required": required,
                                      "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
        }

    base, rev = tmp_path / "base.yaml", tmp_path / "rev.yaml"
    base.write_text(yaml.safe_dump(doc(["code", "message"])))
    rev.write_text(yaml.safe_dump(doc(["code"])))
    report = trustguard.check(base, rev, fail_on="none")
    [finding] = _optional(report.findings)
    assert finding.operations == ["DELETE /b", "GET /a", "GET /b"]
    assert finding.source is not None and finding.source.file == str(rev) and finding.source.line
    assert "definitions" in render(report, "sarif")  # located in the file's own structure


def test_a_schema_in_a_sibling_file_shared_by_operations_is_one_finding(tmp_path: Path) -> None:
    for side, required in (("base", ["code", "message"]), ("rev", ["code"])):
        folder = tmp_path / side
        folder.mkdir()
        spec = _spec(required)
        spec["components"]["schemas"]["Error"] = {"$ref": "error.yaml"}
        (folder / "api.yaml").write_text(yaml.safe_dump(spec))
        error = {"type": "object", "required": required,
                 "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
        (folder / "error.yaml").write_text(yaml.safe_dump(error))
    report = trustguard.check(tmp_path / "base" / "api.yaml", tmp_path / "rev" / "api.yaml", fail_on="none")
    [finding] = _optional(report.findings)
    assert finding.operations == OPS
    assert finding.source is not None and finding.source.file.endswith("error.yaml")


def _nested(required: list[str]) -> dict[str, Any]:
    """Order shared by a list (``data/items/...``) and a single-order response (``...``)."""
    order = {"type": "object", "required": required,
             "properties": {name: {"type": "string"} for name in ("id", "status")}}
    ref = {"$ref": "#/components/schemas/Order"}

    def get(schema: dict[str, Any]) -> dict[str, Any]:
        return {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}

    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref}}}
    return {
        "openapi": "3.0.3", "info": {"title": "orders", "version": "1"},
        "paths": {"/orders": get(listing), "/orders/{id}": get(ref)},
        "components": {"schemas": {"Order": order}},
    }


def _write_nested(tmp_path: Path) -> tuple[Path, Path]:
    return _write(tmp_path, _nested, ("id", "status"))


def test_operations_reaching_a_schema_at_different_paths_share_one_finding(tmp_path: Path) -> None:
    base, rev = _write_nested(tmp_path)
    report = trustguard.check(base, rev, fail_on="none")
    [finding] = _optional(report.findings)
    assert finding.operations == ["GET /orders", "GET /orders/{id}"]
    assert finding.property_paths == {"GET /orders": "data/items/status", "GET /orders/{id}": "status"}
    assert finding.subject == "data/items/status" and "'data/items/status'" in finding.message
    spelled = finding.per_operation()
    assert [(f.operation, f.subject, f.property_paths) for f in spelled] == [
        ("GET /orders", "data/items/status", {}), ("GET /orders/{id}", "status", {})]
    assert "'status' became optional" in spelled[1].message and "data/items" not in spelled[1].message
    text = render(report, "text")
    assert "Reached by 2 operations: GET /orders at 'data/items/status', GET /orders/{id} at 'status'." in text


def test_per_operation_json_names_each_operation_at_its_own_path(tmp_path: Path) -> None:
    base, rev = _write_nested(tmp_path)
    data = json.loads(render(trustguard.check(base, rev, fail_on="none"), "json", per_operation=True))
    rows = [f for f in data["findings"] if f["rule"] == "response-property-became-optional"]
    assert [(f["operation"], f["subject"], f["facts"]["property_path"], f["property_paths"]) for f in rows] == [
        ("GET /orders", "data/items/status", "data/items/status", {}), ("GET /orders/{id}", "status", "status", {})]
    assert ["'data/items/status'" in rows[0]["message"], "'status'" in rows[1]["message"]] == [True, True]


def test_a_waived_part_is_named_at_its_own_path(tmp_path: Path) -> None:
    active, waived, _ = _waive(*_write_nested(tmp_path), "GET /orders")
    assert (active.operations, active.subject, active.property_paths) == (["GET /orders/{id}"], "status", {})
    assert "'status' became optional" in active.message
    assert (waived.operations, waived.subject) == (["GET /orders"], "data/items/status")


def test_impact_looks_at_each_operations_own_path(tmp_path: Path) -> None:
    from trustguard.impact import selector_for

    base, rev = _write_nested(tmp_path)
    [finding] = _optional(trustguard.check(base, rev, fail_on="none").findings)
    assert selector_for(finding, "GET /orders").path == "data/items/status"
    assert selector_for(finding, "GET /orders/{id}").path == "status"


def test_a_rule_testing_the_property_path_judges_each_operation_at_its_own(tmp_path: Path) -> None:
    base, rev = _write_nested(tmp_path)
    pack = tmp_path / "pack.yaml"
    pack.write_text(yaml.safe_dump({"document": "openapi", "rules": [{
        "id": "top-level-status-optional", "principle": "backward-compatibility", "severity": "major",
        "title": "Top-level status became optional", "message": "'{property_path}' became optional",
        "rationale": "Clients read the top-level status.", "remediation": "Keep it required.", "example": {},
        "match": {"kind": "api.schema.property.became-optional", "where": {"property_path": "status"}},
    }]}))
    report = trustguard.check(base, rev, fail_on="none", rule_packs=[str(pack)])
    [finding] = [f for f in report.findings if f.rule == "top-level-status-optional"]
    assert (finding.operations, finding.message) == (["GET /orders/{id}"], "'status' became optional")


def test_one_place_changed_through_two_pairs_of_schemas_is_named_by_the_shortest_path(tmp_path: Path) -> None:
    # the base spells the enum twice (Cat1, Cat2), the revision once (Cat): both pairs add
    # 'b' at /components/schemas/Cat, which the operation reaches at two paths
    def doc(enums: dict[str, list[str]], refs: tuple[str, str]) -> dict[str, Any]:
        body = {"type": "object", "properties": {
            "a_deep": {"type": "object", "properties": {"other": {"$ref": f"#/components/schemas/{refs[0]}"}}},
            "category": {"$ref": f"#/components/schemas/{refs[1]}"}}}
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/items": {"get": {"responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": body}}}}}}},
                "components": {"schemas": {name: {"type": "string", "enum": values} for name, values in enums.items()}}}

    base, rev = tmp_path / "base.yaml", tmp_path / "rev.yaml"
    base.write_text(yaml.safe_dump(doc({"Cat1": ["a"], "Cat2": ["a"]}, ("Cat2", "Cat1"))))
    rev.write_text(yaml.safe_dump(doc({"Cat": ["a", "b"]}, ("Cat", "Cat"))))
    report = trustguard.check(base, rev, fail_on="none", include_changes=True)
    added = [f for f in report.findings if f.rule == "response-property-enum-value-added"]
    assert [(f.operations, f.subject) for f in added] == [(["GET /items"], "category")]
    assert report.changes is not None
    assert len([c for c in report.changes if c.kind == "api.schema.enum.value-added"]) == 1


def test_an_operation_reached_again_at_a_shorter_path_keeps_only_that_finding(tmp_path: Path) -> None:
    # Two changes of one place, judged by one rule with the same values (as when two
    # schema pairs change it the same way): an operation both reach is judged once, by
    # the change that reaches it at the shorter property path, whichever comes first.
    from trustguard.api import _config, classify
    from trustguard.model import DocumentKind

    base, rev = _write(tmp_path)
    [change] = [c for c in trustguard.diff(base, rev) if c.kind == "api.schema.property.became-optional"]

    def reached(operations: list[str], path: str) -> Any:
        return change.model_copy(update={"operations": operations, "operation": operations[0],
                                         "facts": {**change.facts, "property_path": path}})

    deep = reached(OPS, "data/error/message")
    near = reached(["GET /orders"], "message")
    for changes in ([deep, near], [near, deep]):
        found = _optional(classify(changes, DocumentKind.OPENAPI, _config(None, {})))
        paths = {op: f.path_at(op) for f in found for op in f.operations}
        assert paths == {"DELETE /orders/{id}": "data/error/message", "GET /orders": "message",
                         "POST /orders": "data/error/message"}
        assert sum(len(f.operations) for f in found) == len(OPS)  # each operation judged once
