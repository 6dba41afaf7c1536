"""Report formats over hand-built reports: OpenAPI-, pricing- and terms-like findings, with
and without impact, waived, with an expired waiver, without a source line.

The builders here are imported by the other test_report_* modules.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from trustguard.model import (
    AffectedEntity,
    DocumentKind,
    Finding,
    Impact,
    ImpactTotals,
    Principle,
    Report,
    Severity,
    SourcePosition,
    Summary,
    Verdict,
    Waiver,
    fingerprint,
)
from trustguard.report import FORMATS, render

HOSTILE = "name | <script>alert(1)</script> **x** @team 100% a,b:c"


def make_finding(
    rule: str,
    severity: Severity,
    *,
    kind: str = "api.change",
    operation: str | None = None,
    subject: str | None = None,
    location: str = "",
    message: str | None = None,
    source: SourcePosition | None = None,
    principle: Principle = Principle.BACKWARD_COMPATIBILITY,
    facts: dict[str, Any] | None = None,
    impact: Impact | None = None,
    waived: Waiver | None = None,
    waiver_expired: Waiver | None = None,
    fails: bool | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        principle=principle,
        kind=kind,
        title=rule.replace("-", " ").capitalize(),
        message=message or f"{rule} at {operation or subject}",
        operation=operation,
        subject=subject,
        location=location,
        remediation=f"Undo the change that triggered {rule}.",
        references=["https://example.org/guide#versioning"],
        fingerprint=fingerprint(rule, operation, location, subject or ""),
        facts=facts or {},
        source=source,
        impact=impact,
        waived=waived,
        waiver_expired=waiver_expired,
        fails=fails,
    )


def _report(
    kind: DocumentKind,
    base: str,
    revision: str,
    findings: list[Finding],
    waived: list[Finding] | None = None,
    *,
    fail_on: str = "major",
    warnings: list[str] | None = None,
    impact: ImpactTotals | None = None,
) -> Report:
    failing = sum(1 for f in findings if f.fails)
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    return Report(
        version="0.1.0",
        kind=kind,
        base=base,
        revision=revision,
        verdict=Verdict.FAIL if failing else Verdict.PASS,
        fail_on=fail_on,
        summary=Summary(changes=len(findings) + 3, findings=len(findings), by_severity=dict(sorted(counts.items())), waived=len(waived or []), failing=failing),
        findings=findings,
        waived=waived or [],
        warnings=warnings or [],
        impact=impact,
    )


def openapi_report() -> Report:
    """A failing OpenAPI report: a removal (placed in the base only), a property removed in a
    $ref'd sibling file, a finding without any source, a waived one and an expired waiver."""
    base, rev = "specs/v1.yaml", "specs/v2.yaml"
    impact = Impact(
        customers=3,
        integrations=1,
        revenue=1500.0,
        revenue_share=0.3,
        traffic=420,
        traffic_share=0.12,
        customer_share=0.25,
        estimated=True,
        level="high",
        top_customers=[
            AffectedEntity(id="c1", name="Acme | Corp <b>", revenue=1000.0, traffic=400, plan="enterprise"),
            AffectedEntity(id="c2", name="Globex", revenue=400.0, traffic=15, plan="pro"),
            AffectedEntity(id="c3", revenue=100.0, traffic=5),
        ],
        top_integrations=[AffectedEntity(id="zapier", name="Zapier app", kind="integration", traffic=300)],
        customer_ids=["c1", "c2", "c3"],
        integration_ids=["zapier"],
        flags=["whale concentration: Acme | Corp <b> holds 66.7% of the affected revenue"],
        details={"with_data": True},
    )
    expired = Waiver(rule="request-parameter-became-required", reason="migration window", expires="2024-01-31")
    findings = [
        make_finding(
            "api-path-removed-without-deprecation", Severity.BLOCKER, kind="api.path.removed",
            operation="DELETE /pets/{petId}", location="/paths/~1pets~1{petId}/delete",
            message="api path removed without deprecation", source=SourcePosition(file=base, line=40, column=5),
            impact=impact, fails=True,
        ),
        make_finding(
            "response-property-removed", Severity.MAJOR, kind="api.response.property.removed",
            operation="GET /pets", subject="data/items/name", location="/components/schemas/Pet/properties/name",
            message=f"removed the response property '{HOSTILE}'", source=SourcePosition(file="schemas/pet.yaml", line=12, column=7),
            facts={"direction": "response", "property_path": "data/items/name", "status": "200"}, fails=True,
        ),
        make_finding(
            "request-parameter-became-required", Severity.MAJOR, kind="api.request.parameter.required",
            operation="GET /pets", subject="query parameter 'limit'", location="/paths/~1pets/get/parameters/0",
            message="the query parameter 'limit' became required", source=SourcePosition(file=rev, line=21, column=9),
            waiver_expired=expired, fails=True,
        ),
        make_finding(
            "request-parameter-enum-value-added", Severity.MINOR, kind="api.request.parameter.enum.added",
            operation="POST /pets", subject="query parameter 'sort'", location="/paths/~1pets/post/parameters/1",
            message="enum value 'newest' added", source=None, fails=False,
        ),
        make_finding(
            "endpoint-added", Severity.INFO, kind="api.operation.added", operation="PUT /pets/{petId}",
            location="/paths/~1pets~1{petId}/put", message="endpoint PUT /pets/{petId} added",
            source=SourcePosition(file=rev), fails=False,
        ),
    ]
    waived = [
        make_finding(
            "response-success-status-removed", Severity.MAJOR, kind="api.response.status.removed",
            operation="GET /owners", subject="201", location="/paths/~1owners/get/responses/201",
            message="success response status 201 removed", source=SourcePosition(file=rev, line=77),
            waived=Waiver(rule="response-success-status-removed", operation="GET /owners", reason="owners API is internal | not public", expires="2999-12-31"),
        )
    ]
    totals = ImpactTotals(
        customers_total=12, customers_affected=3, customer_share=0.25, revenue_total=5000.0,
        revenue_affected=1500.0, revenue_share=0.3, traffic_total=3500, traffic_affected=420,
        traffic_share=0.12, integrations_affected=1,
        flags=["whale concentration: 1 customer holds 20.0% of revenue"],
    )
    return _report(
        DocumentKind.OPENAPI, base, rev, findings, waived,
        warnings=["waiver for request-parameter-became-required expired on 2024-01-31; its findings are reported again"],
        impact=totals,
    )


def pricing_report() -> Report:
    """A pricing report with bill impact and a bill distribution in the totals."""
    customers = [
        AffectedEntity(id="cust-9", name="Initech", plan="PRO", revenue=99.0, bill_before=99.0, bill_after=129.0),
        AffectedEntity(id="cust-4", name="Hooli", plan="PRO", revenue=990.0, bill_before=990.0, bill_after=1290.0),
    ]
    rise = make_finding(
        "pricing-price-increased", Severity.MAJOR, kind="pricing.plan.price.increased", subject="PRO",
        location="/plans/PRO/price", message="the PRO plan's price rises from 99 to 129 (+30.3%)",
        source=SourcePosition(file="pricing/new.yml", line=8, column=12), principle=Principle.NO_SURPRISES,
        facts={"plan": "PRO", "percent": 30.3},
        impact=Impact(customers=2, revenue=1089.0, revenue_share=0.6, customer_share=0.5, top_customers=customers, details={"with_data": True}),
        fails=True,
    )
    shrink = make_finding(
        "pricing-limit-decreased-same-price", Severity.MAJOR, kind="pricing.plan.limit.decreased", subject="FREE",
        location="/plans/FREE/limits/projects", message="FREE keeps its price but projects fall from 10 to 3",
        source=None, principle=Principle.NO_DARK_PATTERNS, facts={"plan": "FREE", "percent": -70.0}, fails=True,
    )
    totals = ImpactTotals(
        customers_total=4, customers_affected=2, customer_share=0.5, revenue_total=1800.0,
        revenue_affected=1089.0, revenue_share=0.605,
        flags=["community shock: 2 customers pay more, none above 5% of revenue"],
        # the shape impact/billing.py gives (distribution() and customers_by_severity)
        details={
            "bills": {
                "currency": "EUR", "period": "month", "customers": 4, "priced": 4, "unpriced": 0, "pay_more": 2,
                "pay_less": 0, "pay_same": 2, "forced_moves": 0, "over_limit_after": 0,
                "increase": {"median": 165.0, "p90": 300.0, "max": 300.0, "median_percent": 30.3,
                             "p90_percent": 30.3, "max_percent": 30.3},
                "revenue_before": 1800.0, "revenue_after": 2130.0, "revenue_change": 330.0,
                "revenue_change_percent": 18.33,
            },
            "customers_by_severity": {"major": 2},
        },
    )
    return _report(DocumentKind.PRICING, "pricing/old.yml", "pricing/new.yml", [rise, shrink], impact=totals)


REDLINE = [["=", "We may change these terms "], ["-", "with 30 days' notice"], ["+", "at any time"], ["=", ". "], ["+", "*Continued* use | means <acceptance>."]]


def terms_report() -> Report:
    """A terms report with a redline and text that is full of Markdown and HTML."""
    change = make_finding(
        "terms-unilateral-change", Severity.BLOCKER, kind="terms.clause.modified", subject="§ 12 Changes",
        location="/sections/12", message="the notice period for changes was removed",
        source=SourcePosition(file="terms/new.md", line=57), principle=Principle.NO_SURPRISES,
        facts={"old_text": "We may change these terms with 30 days' notice.", "new_text": "We may change these terms at any time. *Continued* use | means <acceptance>.", "redline": REDLINE},
        fails=True,
    )
    added = make_finding(
        "terms-arbitration-added", Severity.MINOR, kind="terms.clause.added", subject="§ 14 Disputes",
        location="/sections/14", message="a forced arbitration clause was added",
        source=SourcePosition(file="terms/new.md", line=80), principle=Principle.NO_DARK_PATTERNS,
        facts={"redline": [["+", "Disputes go to binding arbitration."]]}, fails=False,
    )
    return _report(DocumentKind.TERMS, "main:terms/new.md", "terms/new.md", [change, added], fail_on="major")


def passing_report() -> Report:
    return _report(DocumentKind.OPENAPI, "api/v1.json", "api/v2.json", [])


ALL_REPORTS = {"openapi": openapi_report, "pricing": pricing_report, "terms": terms_report, "passing": passing_report}


# ---------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_two_renders_are_byte_identical(fmt: str, name: str) -> None:
    first = render(ALL_REPORTS[name](), fmt, verbose=True)
    second = render(ALL_REPORTS[name](), fmt, verbose=True)
    assert first == second
    assert first.endswith("\n")
    assert "\x1b[" not in first, "colour only when asked"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_names_every_active_finding(fmt: str) -> None:
    report = openapi_report()
    out = render(report, fmt)
    for finding in report.findings:
        assert finding.rule in out, (fmt, finding.rule)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "junit", "github", "sarif"])
def test_machine_paths_do_not_leak(fmt: str) -> None:
    out = render(openapi_report(), fmt, verbose=True)
    assert "/work/" not in out and "/home/" not in out


# ---------------------------------------------------------------- text


def test_text_reads_like_a_linter() -> None:
    out = render(openapi_report(), "text")
    lines = out.splitlines()
    assert lines[0] == "trustguard openapi: specs/v1.yaml -> specs/v2.yaml"
    # file:line:column, severity (upper case when it fails the policy), rule, operation
    assert "schemas/pet.yaml:12:7: MAJOR response-property-removed  GET /pets" in lines
    assert "specs/v2.yaml: info endpoint-added  PUT /pets/{petId}" in lines
    # a finding without a source falls back to its JSON pointer
    assert "/paths/~1pets/post/parameters/1: minor request-parameter-enum-value-added  POST /pets" in lines
    assert "  ! its waiver expired on 2024-01-31: migration window" in lines
    assert "    top customers: Acme | Corp <b> (c1), Globex (c2), c3" in lines
    assert lines[-1] == "FAIL: 3 findings fail the policy (the policy fails on major or worse)"
    assert "5 findings (1 blocker, 2 major, 1 minor, 1 info), 1 waived, 8 changes (-v lists the waived findings)" in lines


def test_text_verbose_explains_and_lists_waivers() -> None:
    out = render(openapi_report(), "text", verbose=True)
    assert "  fix: Undo the change that triggered response-property-removed." in out
    assert "fingerprint " + fingerprint("endpoint-added", "PUT /pets/{petId}", "/paths/~1pets~1{petId}/put") in out
    assert "Waived (1):" in out
    assert "major response-success-status-removed  GET /owners: owners API is internal | not public (until 2999-12-31)" in out


def test_text_redline_uses_word_diff_notation() -> None:
    out = render(terms_report(), "text", verbose=True)
    assert "redline: We may change these terms [-with 30 days' notice-]{+at any time+}. {+*Continued* use | means <acceptance>.+}" in out


def test_text_colour_only_when_asked() -> None:
    plain = render(openapi_report(), "text")
    coloured = render(openapi_report(), "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31mBLOCKER\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_strips_terminal_escapes_from_user_text() -> None:
    report = passing_report()
    report.findings.append(make_finding("x-rule", Severity.INFO, operation="GET /a", message="evil \x1b[2J clear\nnext", fails=False))
    out = render(report, "text")
    assert "\x1b" not in out
    assert "  evil \\x1b[2J clear next" in out  # shown, not sent to the terminal


def test_text_passing_report() -> None:
    out = render(passing_report(), "text")
    assert out.endswith("0 findings, 0 waived, 3 changes\nPASS: no finding fails the policy (the policy fails on major or worse)\n")


def test_text_pricing_shows_bills_and_distribution() -> None:
    out = render(pricing_report(), "text")
    assert "Initech (cust-9) [99.00 -> 129.00 (+30.3%)]" in out
    assert "  Median bill increase: EUR 165.00 a month (+30.3%)" in out
    assert "  Customers who pay more: 2" in out
    assert "  Customers whose worst finding is major: 2" in out
    assert "  Revenue change: +EUR 330.00 a month (+18.3%)" in out
    assert "bills." not in out and "customers_by_severity" not in out and "pay_more" not in out
    assert "  ! community shock: 2 customers pay more, none above 5% of revenue" in out
    assert "impact: customers 2 of 4 (50.0%), monthly revenue EUR 1,089.00 of EUR 1,800.00 (60.5%)\n" in out


# ---------------------------------------------------------------- json stays parseable


def test_json_carries_the_per_finding_verdict() -> None:
    data = json.loads(render(openapi_report(), "json"))
    assert [f["fails"] for f in data["findings"]] == [True, True, True, False, False]


def test_junit_and_html_are_well_formed_for_every_sample() -> None:
    for make in ALL_REPORTS.values():
        ET.fromstring(render(make(), "junit"))


def test_long_detail_lists_are_counted_not_listed() -> None:
    report = pricing_report()
    assert report.impact is not None
    report.impact.details["customer_ids"] = [f"c{i:04d}" for i in range(500)]
    report.impact.details["segments"] = ["smb", "enterprise"]
    report.impact.details["with_data"] = True
    for fmt in ("text", "markdown", "html"):
        out = render(report, fmt)
        assert "c0042" not in out and "customer_ids" not in out, fmt  # ids are for scripts (JSON)
        assert "Segments" in out and "smb, enterprise" in out, fmt  # a detail without words yet: its key, readable
        assert "with_data" not in out, fmt
