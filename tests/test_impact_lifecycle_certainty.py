"""A deprecation, a sunset or a stability level breaks no call today: its callers are
reached ("may be affected"), never reported for certain -- the fidelity rule: a customer
reported for certain is one the revision breaks. A removed operation, and a removed field
a declared integration reads, still are certain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from trustguard.cli import cli

ORDER = {"type": "object", "properties": {"id": {"type": "string"}, "note": {"type": "string"},
                                          "legacy": {"type": "string"}}}


def _spec(revision: bool) -> dict[str, Any]:
    order = json.loads(json.dumps(ORDER))
    if revision:
        order["properties"]["legacy"]["deprecated"] = True
        order["properties"]["legacy"]["x-sunset"] = "soon"  # not a date: major
        del order["properties"]["note"]
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": order}}}}
    listing: dict[str, Any] = {"operationId": "list", "responses": ok, "deprecated": True,
                               "x-sunset": "2999-01-01"}
    if revision:
        del listing["x-sunset"]  # the sunset date deleted: major
    paths: dict[str, Any] = {"/orders": {"get": listing},
                             "/orders/{id}": {"get": {"operationId": "get", "responses": ok,
                                                      "parameters": [{"name": "id", "in": "path", "required": True,
                                                                      "schema": {"type": "string"}}]}},
                             "/reports": {"get": {"operationId": "reports", "responses": ok}}}
    if revision:
        del paths["/reports"]
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "2" if revision else "1"}, "paths": paths}


def _company(tmp_path: Path) -> list[str]:
    for name, revision in (("v1.yaml", False), ("v2.yaml", True)):
        (tmp_path / name).write_text(yaml.safe_dump(_spec(revision)))
    (tmp_path / "customers.csv").write_text("id,monthly_revenue\nlists,10\nreports,20\nboth,30\nreader,40\n")
    calls = [("lists", "GET", "/orders"), ("reports", "GET", "/reports"), ("both", "GET", "/orders"),
             ("both", "GET", "/reports"), ("reader", "GET", "/orders/7")]
    (tmp_path / "usage.jsonl").write_text("".join(
        json.dumps({"customer": c, "method": m, "path": p, "count": 5}) + "\n" for c, m, p in calls))
    (tmp_path / "integrations.yaml").write_text(yaml.safe_dump({"integrations": [
        {"id": "erp", "kind": "app", "customers": ["reader"],
         "operations": [{"operation": "GET /orders/{id}", "response_fields": ["id", "note", "legacy"]}]}]}))
    return ["impact", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml"), "-f", "json",
            "--customers", str(tmp_path / "customers.csv"), "--usage", str(tmp_path / "usage.jsonl"),
            "--integrations", str(tmp_path / "integrations.yaml")]


def _impact(tmp_path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, _company(tmp_path))
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_lifecycle_findings_reach_their_callers_as_estimates_never_for_certain(tmp_path: Path) -> None:
    doc = _impact(tmp_path)
    findings = {(f["kind"], f["operation"]): f for f in doc["findings"]}
    sunset = findings[("api.operation.sunset.removed", "GET /orders")]
    assert sunset["severity"] == "major"  # the rule's: a lifecycle finding is not raised as may-break either
    assert sunset["impact"]["customer_ids"] == ["both", "lists"]
    assert sunset["impact"]["estimated"] and sunset["impact"]["details"]["exact_customers"] == 0
    assert "may-break" not in sunset["impact"]["flags"]
    customers = {c["id"]: c for c in doc["customers"]}
    # told, as an estimate: it calls the endpoint whose sunset is gone, and none of its calls breaks
    assert customers["lists"]["certainty"] == "estimated" and customers["lists"]["certain_findings"] == []
    # the field deprecated with a sunset that is no date: its declared reader is reached, not broken
    legacy = next(f for f in doc["findings"] if f["kind"] == "api.schema.deprecated" and "GET /orders/{id}" in (
        f["operations"] or [f["operation"]]))
    assert legacy["severity"] == "major" and legacy["impact"]["customer_ids"] == ["reader"]
    assert legacy["impact"]["details"]["estimated_ids"] == ["integration:erp", "reader"]
    assert "contract-broken" not in legacy["impact"]["flags"]


def test_breaking_findings_stay_certain_beside_lifecycle_ones(tmp_path: Path) -> None:
    doc = _impact(tmp_path)
    customers = {c["id"]: c for c in doc["customers"]}
    removed = next(i for i, f in enumerate(doc["findings"]) if f["kind"] == "api.operation.removed")
    assert doc["findings"][removed]["impact"]["customer_ids"] == ["both", "reports"]
    assert not doc["findings"][removed]["impact"]["estimated"]
    # a caller of the removed operation is broken for certain, whatever else reaches it
    for cid in ("reports", "both"):
        assert customers[cid]["certainty"] == "certain" and removed in customers[cid]["certain_findings"], cid
    # the removed field its integration declares it reads: certain, and a proven break
    note = next(i for i, f in enumerate(doc["findings"])
                if f["kind"] == "api.schema.property.removed" and f["operation"] == "GET /orders/{id}")
    assert customers["reader"]["certainty"] == "certain" and note in customers["reader"]["certain_findings"]
    assert "contract-broken" in doc["findings"][note]["impact"]["flags"]


def test_the_text_report_says_why_a_lifecycle_reach_is_an_estimate(tmp_path: Path) -> None:
    argv = _company(tmp_path)
    result = CliRunner().invoke(cli, [a if a != "json" else "text" for a in argv])
    assert result.exit_code == 0, result.output
    estimated = next(line for line in result.stdout.splitlines() if line.startswith("some of it is estimated"))
    assert "breaks none of their calls today (a deprecation, a sunset)" in estimated


def test_without_a_lifecycle_finding_the_estimate_gives_only_the_missing_fields_reason(tmp_path: Path) -> None:
    argv = _company(tmp_path)
    for name in ("v1.yaml", "v2.yaml"):  # the same lifecycle in both: only the removals are left
        spec = _spec(revision=name == "v2.yaml")
        spec["paths"]["/orders"]["get"].pop("x-sunset", None)
        spec["paths"]["/orders"]["get"].pop("deprecated", None)
        for op in ("/orders", "/orders/{id}"):
            props = spec["paths"][op]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            props["legacy"] = {"type": "string"}
        (tmp_path / name).write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(cli, [a if a != "json" else "text" for a in argv])
    assert result.exit_code == 0, result.output
    estimated = [line for line in result.stdout.splitlines() if line.startswith("some of it is estimated")]
    assert estimated == ["some of it is estimated: no contract or declared fields say what those callers use"]


def test_the_check_reports_impact_details_say_why_in_markdown(tmp_path: Path) -> None:
    argv = _company(tmp_path)
    argv = ["check", *argv[1:3], "--fail-on", "none", "-f", "markdown", "--verbose", *argv[5:]]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| Estimated reach |"))
    assert "or because the change breaks none of their calls today (a deprecation, a sunset)" in row
