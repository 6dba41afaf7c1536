"""SARIF 2.1.0: valid against the OASIS schema, and what GitHub code scanning needs
(a line for every result, rule metadata, fingerprints, suppressions for waivers)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_report_formats import ALL_REPORTS, make_finding, openapi_report, passing_report

from trustguard.model import Severity, SourcePosition
from trustguard.report import render

# the OASIS schema, copied from ../shared/schemas (see tests/data/README.md)
SCHEMA = Path(__file__).resolve().parent / "data" / "schemas" / "sarif-schema-2.1.0.json"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def assert_valid_sarif(text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    errors = sorted(_validator().iter_errors(log), key=lambda err: list(err.absolute_path))
    assert not errors, "; ".join(f"{list(err.absolute_path)}: {err.message}" for err in errors[:5])
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for result in run["results"]:
            region = result["locations"][0]["physicalLocation"]["region"]
            assert isinstance(region["startLine"], int) and region["startLine"] >= 1
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    return log


@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_every_sample_report_is_valid_sarif_with_a_line_per_result(name: str) -> None:
    assert_valid_sarif(render(ALL_REPORTS[name](), "sarif"))


def test_a_broken_log_is_caught_by_the_check() -> None:
    # the check itself must be able to fail: a result without a line is refused
    log = json.loads(render(openapi_report(), "sarif"))
    del log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    with pytest.raises((AssertionError, KeyError)):
        assert_valid_sarif(json.dumps(log))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        assert_valid_sarif(json.dumps(log))


def _results(report_text: str) -> dict[str, dict[str, Any]]:
    log = json.loads(report_text)
    return {r["ruleId"]: r for r in log["runs"][0]["results"]}


def test_driver_and_rules_describe_every_rule_that_produced_a_result() -> None:
    log = assert_valid_sarif(render(openapi_report(), "sarif"))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "trustguard" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids)
    assert set(ids) == {r["ruleId"] for r in log["runs"][0]["results"]}
    rule = driver["rules"][ids.index("response-property-removed")]
    assert rule["shortDescription"]["text"]
    assert rule["fullDescription"]["text"]
    assert "Undo the change" in rule["help"]["text"] and "**Fix:**" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert "backward-compatibility" in rule["properties"]["tags"]
    assert rule["properties"]["principle"] == "backward-compatibility"


def test_rule_metadata_comes_from_the_report_not_the_shipped_packs() -> None:
    from trustguard.classify.rulepack import default_rules
    from trustguard.model import Principle, ReportRule

    shipped = default_rules()[0]
    report = passing_report()
    report.findings.append(
        make_finding(shipped.id, Severity.BLOCKER, operation="GET /a", location="/paths/~1a/get", fails=True)
    )
    # the run's rule: another title, rationale and fix (a user's pack), severity overridden
    report.rules = [ReportRule(
        id=shipped.id, title="Our own title", severity=Severity.MINOR, pack_severity=Severity.BLOCKER,
        principle=Principle.NO_SURPRISES, document="openapi", rationale="Our reason.", remediation="Our fix.",
        references=["https://example.org/ours"],
    )]
    log = assert_valid_sarif(render(report, "sarif"))
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == shipped.id
    assert rule["shortDescription"]["text"] == "Our own title"
    assert rule["fullDescription"]["text"] == "Our reason."
    assert rule["help"]["text"] == "Our reason.\n\nFix: Our fix."
    assert rule["helpUri"] == "https://example.org/ours"
    assert shipped.rationale.strip() not in json.dumps(log)
    assert rule["defaultConfiguration"]["level"] == "warning"  # minor, as the run judged it
    assert rule["properties"]["packSeverity"] == "blocker"
    assert log["runs"][0]["results"][0]["level"] == "error"  # the finding's own severity


def test_a_report_without_rules_describes_them_from_its_findings() -> None:
    report = passing_report()
    report.findings.append(make_finding("user-rule", Severity.MAJOR, operation="GET /a", fails=True))
    rule = assert_valid_sarif(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == report.findings[0].title
    assert rule["defaultConfiguration"]["level"] == "error"


def test_levels_locations_and_fingerprints() -> None:
    report = openapi_report()
    results = _results(render(report, "sarif"))
    levels = {rule: r["level"] for rule, r in results.items()}
    assert levels == {
        "api-path-removed-without-deprecation": "error",
        "response-property-removed": "error",
        "request-parameter-became-required": "error",
        "request-parameter-enum-value-added": "warning",
        "endpoint-added": "note",
        "response-success-status-removed": "error",
    }

    def where(rule: str) -> tuple[str, int]:
        loc = results[rule]["locations"][0]["physicalLocation"]
        return loc["artifactLocation"]["uri"], loc["region"]["startLine"]

    # a line in the revision
    assert where("request-parameter-became-required") == ("specs/v2.yaml", 21)
    # a $ref'd file, named relative to the revision's folder
    assert where("response-property-removed") == ("specs/schemas/pet.yaml", 12)
    # no source, or no line: line 1 of the revision
    assert where("request-parameter-enum-value-added") == ("specs/v2.yaml", 1)
    assert where("endpoint-added") == ("specs/v2.yaml", 1)
    # removed: it exists only in the base, so line 1 of the revision, and the message says where it was
    assert where("api-path-removed-without-deprecation") == ("specs/v2.yaml", 1)
    assert "in the base at specs/v1.yaml:40:5" in results["api-path-removed-without-deprecation"]["message"]["text"]
    for finding in [*report.findings, *report.waived]:
        assert results[finding.rule]["partialFingerprints"] == {"trustguard/v1": finding.fingerprint}
    assert results["request-parameter-became-required"]["properties"]["waiverExpired"]["expires"] == "2024-01-31"
    assert results["api-path-removed-without-deprecation"]["properties"]["impact"]["customers"] == 3


def test_waived_findings_are_suppressed_not_dropped() -> None:
    results = _results(render(openapi_report(), "sarif"))
    suppressed = {rule for rule, r in results.items() if r.get("suppressions")}
    assert suppressed == {"response-success-status-removed"}
    (suppression,) = results["response-success-status-removed"]["suppressions"]
    assert suppression == {"kind": "external", "status": "accepted", "justification": "owners API is internal | not public (until 2999-12-31)"}


def test_uris_use_forward_slashes_and_are_escaped() -> None:
    report = passing_report()
    report.revision = "api\\v2 final.yaml"
    report.findings.append(
        make_finding("x-rule", Severity.MINOR, operation="GET /a", location="/paths/~1a/get",
                     source=SourcePosition(file="api\\v2 final.yaml", line=3), fails=False)
    )
    log = assert_valid_sarif(render(report, "sarif"))
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "api/v2%20final.yaml"
    assert loc["region"]["startLine"] == 3


def test_git_revision_names_point_at_the_file_path() -> None:
    report = passing_report()
    report.base, report.revision = "origin/main:api/openapi.yaml", "HEAD:api/openapi.yaml"
    report.findings.append(
        make_finding("x-rule", Severity.MAJOR, operation="GET /a", location="/paths/~1a/get",
                     source=SourcePosition(file="HEAD:api/openapi.yaml", line=9), fails=True)
    )
    log = assert_valid_sarif(render(report, "sarif"))
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == ("api/openapi.yaml", 9)


def test_a_clean_run_is_a_valid_log_with_no_results() -> None:
    log = assert_valid_sarif(render(passing_report(), "sarif"))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["properties"]["verdict"] == "pass"


def test_a_shared_schema_change_is_one_result_listing_its_operations() -> None:
    import trustguard

    data = Path(__file__).parent / "data" / "core"
    report = trustguard.check(data / "base.yaml", data / "revision.yaml", fail_on="none")
    per_operation = [f for f in report.per_operation() if f.rule == "response-property-became-optional"]
    assert sorted(f.operation for f in per_operation) == ["GET /pets", "GET /pets/{id}"]
    log = assert_valid_sarif(render(report, "sarif"))
    grouped = [r for r in log["runs"][0]["results"] if r["ruleId"] == "response-property-became-optional"]
    assert len(grouped) == 1
    result = grouped[0]
    assert result["properties"]["operations"] == ["GET /pets", "GET /pets/{id}"]
    assert sorted(result["properties"]["fingerprints"]) == sorted(f.fingerprint for f in per_operation)
    assert "Reached by 2 operations: GET /pets at 'items/name', GET /pets/{id} at 'name'." in result["message"]["text"]
    assert [loc["name"] for loc in result["locations"][0]["logicalLocations"]] == ["GET /pets", "GET /pets/{id}"]


def test_runs_stay_within_the_code_scanning_result_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustguard.report import sarif

    report = openapi_report()
    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    log = assert_valid_sarif(render(report, "sarif"))
    run = log["runs"][0]
    assert len(run["results"]) == 1
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("only the first 1 (the most severe)" in n for n in notes)


@pytest.mark.parametrize("where", ["finding", "run"])
def test_a_tiny_impact_share_is_written_as_the_standard_library_writes_it(where: str) -> None:
    # the SARIF text comes from orjson, which writes 3e-05 as 0.00003: a share this small
    # (one small customer of a large base) must still read as json.dumps writes it
    from trustguard.model import ImpactTotals

    report = openapi_report()
    if where == "finding":
        finding = next(f for f in report.findings if f.impact is not None)
        finding.impact = finding.impact.model_copy(update={"revenue_share": 3e-05})  # type: ignore[union-attr]
    else:
        report.impact = ImpactTotals(customers_total=40_000, customers_affected=1, customer_share=2.5e-05)
    text = render(report, "sarif")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert ("3e-05" if where == "finding" else "2.5e-05") in text
    assert "0.0000" not in text


def _pydantic_parts(report: Any) -> dict[str, Any]:
    """What pydantic's own dumps give for the models a SARIF log shows."""
    finding = next(f for f in report.findings if f.impact is not None)
    shown = {"customers", "integrations", "revenue", "revenue_share", "traffic", "traffic_share", "customer_share",
             "estimated", "level", "customer_ids", "integration_ids", "flags"}
    expired = next(f for f in report.findings if f.waiver_expired is not None)
    return {"summary": report.summary.model_dump(mode="json"),
            "run impact": report.impact.model_dump(mode="json") if report.impact is not None else None,
            finding.rule: finding.impact.model_dump(mode="json", include=shown),
            expired.rule: expired.waiver_expired.model_dump(mode="json", exclude_none=True)}


def _log_parts(report: Any, text: str) -> dict[str, Any]:
    run = json.loads(text)["runs"][0]
    results = {r["ruleId"]: r["properties"] for r in run["results"]}
    finding = next(f for f in report.findings if f.impact is not None)
    expired = next(f for f in report.findings if f.waiver_expired is not None)
    return {"summary": run["properties"]["summary"], "run impact": run["properties"].get("impact"),
            finding.rule: results[finding.rule]["impact"], expired.rule: results[expired.rule]["waiverExpired"]}


@pytest.mark.parametrize("details", [{"with_data": True}, {"with_data": True, "window": ("2024-01", "2024-02")}])
def test_the_logs_summary_impact_and_waiver_are_what_the_models_dump(details: dict[str, Any]) -> None:
    # the log's models are dumped without pydantic where it can (a tuple in `details` is
    # one value it leaves to pydantic): the same values either way
    from trustguard.model import ImpactTotals

    report = openapi_report()
    report.impact = ImpactTotals(customers_total=12, customers_affected=3, customer_share=0.25, revenue_total=9.5,
                                 details=details)
    text = render(report, "sarif")
    assert _log_parts(report, text) == json.loads(json.dumps(_pydantic_parts(report)))
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_a_sarif_files_bytes_are_the_rendered_text_encoded(name: str) -> None:
    from trustguard.report import render_file

    report = ALL_REPORTS[name]()
    assert render_file(report, "sarif") == render(report, "sarif").encode("utf-8")
    assert render_file(report, "text") == render(report, "text").encode("utf-8")
    for per_operation in (False, True):  # the JSON report's bytes come from orjson too
        assert render_file(report, "json", per_operation=per_operation) == render(
            report, "json", per_operation=per_operation).encode("utf-8")


def test_a_sarif_file_with_a_lone_surrogate_is_written_as_its_escape() -> None:
    # orjson refuses the lone surrogate: the standard library writes the text, and the file
    # holds the escape, as write_file encodes a str that holds one
    from trustguard.report import render_file

    report = openapi_report()
    report.findings[0].message = "renamed \ud800 field"
    text = render(report, "sarif")
    data = render_file(report, "sarif")
    assert data == text.encode("utf-8", "backslashreplace")
    assert b"renamed \\ud800 field" in data
    assert_valid_sarif(data.decode("utf-8"))


def test_the_command_writes_to_a_file_the_bytes_it_prints(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    data = Path(__file__).parent / "data" / "core"
    out = tmp_path / "report.sarif"
    command = [sys.executable, "-m", "trustguard", "check", str(data / "base.yaml"), str(data / "revision.yaml"),
               "--rule-pack", str(data / "rules.yaml"), "--fail-on", "none", "-f", "sarif"]
    printed = subprocess.run(command, capture_output=True, check=True,
                             env={**os.environ, "PYTHONIOENCODING": "utf-8"}).stdout
    subprocess.run([*command, "-o", str(out)], capture_output=True, check=True)
    assert out.read_bytes() == printed
    assert len(assert_valid_sarif(printed.decode("utf-8"))["runs"][0]["results"]) > 0
