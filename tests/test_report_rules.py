"""The report carries the effective rules of its run (a user's pack replacing a shipped
rule, severity overrides), and every renderer describes rules from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import trustguard
from trustguard.classify.rulepack import default_rules
from trustguard.cli import cli
from trustguard.report import render

RULE = "api-path-removed-without-deprecation"


def _spec(paths: dict[str, object]) -> dict[str, object]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


OK = {"responses": {"200": {"description": "OK"}}}
BASE = _spec({"/pets": {"get": OK}, "/owners": {"get": OK}})
REVISION = _spec({"/owners": {"get": {"responses": {"200": {"description": "OK"}}, "summary": "x"}}})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    shipped = next(r for r in default_rules() if r.id == RULE)
    pack = {
        "document": "openapi",
        "family": "ours",
        "rules": [{
            "id": RULE,
            "title": "Path dropped against our API policy",
            "severity": "blocker",
            "principle": "backward-compatibility",
            "message": "our policy: {operation} is gone",
            "rationale": "Our mobile apps pin every path for two years.",
            "remediation": "Ask the platform team before removing a path.",
            "references": ["https://wiki.example.org/api-policy"],
            "match": {"kind": shipped.kinds[0], "where": shipped.where},
            "example": shipped.example,
        }],
    }
    out = {}
    for name, data in (("base.yaml", BASE), ("rev.yaml", REVISION), ("pack.yaml", pack)):
        (tmp_path / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out[name] = str(tmp_path / name)
    return out


def test_the_report_carries_the_rules_of_its_run(files: dict[str, str]) -> None:
    report = trustguard.check(files["base.yaml"], files["rev.yaml"], rule_packs=[files["pack.yaml"]])
    assert [f.rule for f in report.findings] == [RULE]
    (rule,) = report.rules  # only the rules behind findings
    assert rule.title == "Path dropped against our API policy"
    assert rule.severity.value == "blocker" and rule.pack_severity.value == "blocker"
    assert rule.rationale == "Our mobile apps pin every path for two years."
    # without the user's pack: the shipped rule, as shipped
    plain = trustguard.check(files["base.yaml"], files["rev.yaml"])
    shipped = next(r for r in default_rules() if r.id == RULE)
    assert plain.rules[0].title == shipped.title and plain.rules[0].severity is shipped.severity


def test_sarif_markdown_and_html_describe_the_effective_rule(files: dict[str, str]) -> None:
    report = trustguard.check(
        files["base.yaml"], files["rev.yaml"], rule_packs=[files["pack.yaml"]], severity={RULE: "minor"},
    )
    shipped = next(r for r in default_rules() if r.id == RULE)
    log = json.loads(render(report, "sarif"))
    (descriptor,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == RULE
    assert descriptor["shortDescription"]["text"] == "Path dropped against our API policy"
    assert descriptor["fullDescription"]["text"] == "Our mobile apps pin every path for two years."
    assert "Ask the platform team before removing a path." in descriptor["help"]["text"]
    assert descriptor["helpUri"] == "https://wiki.example.org/api-policy"
    # the pack says blocker, the run's override says minor: the rule as the run applied it
    assert descriptor["defaultConfiguration"]["level"] == "warning"
    assert descriptor["properties"]["severity"] == "minor"
    assert descriptor["properties"]["packSeverity"] == "blocker"
    assert log["runs"][0]["results"][0]["level"] == "warning"
    for fmt in ("sarif", "markdown", "html"):
        out = render(report, fmt)
        assert shipped.title not in out, fmt
        assert shipped.rationale.strip()[:40] not in out, fmt
        assert "Our mobile apps pin every path for two years." in out, fmt
        assert "Ask the platform team before removing a path." in out, fmt
    assert "**Path dropped against our API policy.**" in render(report, "markdown")


def test_the_cli_applies_the_pack_and_the_override_to_the_descriptors(files: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, [
        "check", files["base.yaml"], files["rev.yaml"], "--rule-pack", files["pack.yaml"],
        "--severity", f"{RULE}=info", "-f", "sarif",
    ])
    assert result.exit_code == 0, result.output  # info never fails the default policy
    (descriptor,) = json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["shortDescription"]["text"] == "Path dropped against our API policy"
    assert descriptor["defaultConfiguration"]["level"] == "note"


def test_the_json_report_schema_lists_the_rules(files: dict[str, str]) -> None:
    report = trustguard.check(files["base.yaml"], files["rev.yaml"], rule_packs=[files["pack.yaml"]])
    data = json.loads(render(report, "json"))
    assert [r["id"] for r in data["rules"]] == [RULE]
    assert data["rules"][0]["title"] == "Path dropped against our API policy"
    from trustguard.report.json import report_schema

    schema = report_schema()
    assert "rules" in schema["properties"]
    assert set(schema["$defs"]["ReportRule"]["required"]) >= {"id", "title", "severity", "principle"}


def test_every_descriptor_equals_its_effective_rule_with_a_pattern_override() -> None:
    ex = Path(__file__).resolve().parents[1] / "examples" / "api"
    report = trustguard.check(str(ex / "v1.yaml"), str(ex / "v2.yaml"), severity={"api-path-*": "info"})
    by_id = {r.id: r for r in report.rules}
    assert by_id[RULE].severity.value == "info" and by_id[RULE].pack_severity.value == "major"
    assert set(by_id) == {f.rule for f in [*report.findings, *report.waived]}
    level = {"blocker": "error", "major": "error", "minor": "warning", "info": "note"}
    descriptors = json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert [d["id"] for d in descriptors] == sorted(by_id)
    for d in descriptors:
        rule = by_id[d["id"]]
        assert d["shortDescription"]["text"] == rule.title
        assert d["fullDescription"]["text"] == (rule.rationale or rule.title)
        assert d["defaultConfiguration"]["level"] == level[rule.severity.value]
        assert d["properties"]["principle"] == rule.principle.value


def test_a_finding_made_outside_the_engine_still_has_its_rule_in_the_report() -> None:
    from trustguard.api import effective_rules
    from trustguard.config import Config
    from trustguard.model import DocumentKind, Finding, Principle, Severity

    shipped = next(r for r in default_rules() if r.id == RULE)
    own = Finding(rule="policy-weakened", severity=Severity.MAJOR, principle=Principle.NO_SURPRISES,
                  kind="policy.rule.off", title="Policy weakened", message="m", remediation="Keep the base's policy.")
    shipped_finding = Finding(rule=RULE, severity=Severity.MINOR, principle=shipped.principle, kind="k",
                              title=shipped.title, message="m")
    rules = effective_rules([shipped], Config(severity={RULE: "minor"}), [own, shipped_finding], DocumentKind.OPENAPI)
    assert [r.id for r in rules] == ["api-path-removed-without-deprecation", "policy-weakened"]
    assert rules[0].severity is Severity.MINOR and rules[0].pack_severity is Severity.MAJOR
    assert (rules[1].title, rules[1].severity, rules[1].remediation) == ("Policy weakened", Severity.MAJOR,
                                                                         "Keep the base's policy.")


def test_a_policy_finding_is_described_by_its_policy_rule(files: dict[str, str]) -> None:
    from trustguard.config import Config

    policy_rule = next(r for r in default_rules() if r.id == "policy-weakened")
    report = trustguard.check(files["base.yaml"], files["rev.yaml"], config=Config(fail_on="none"),
                              trusted_config=Config(fail_on="major"))
    assert "policy-weakened" in {f.rule for f in report.findings}
    rule = report.rule("policy-weakened")
    assert rule is not None and rule.document == "policy"
    assert rule.rationale == policy_rule.rationale.strip() and rule.rationale
    descriptors = {d["id"]: d for d in json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]}
    assert descriptors["policy-weakened"]["fullDescription"]["text"] == rule.rationale
