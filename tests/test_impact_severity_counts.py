"""``customers_by_severity`` has one meaning for every kind: affected customers, each
counted once, at the worst severity among the findings that reach it."""

from __future__ import annotations

from pathlib import Path

from test_impact import INPUTS, finding

from trustguard import api
from trustguard.config import Config
from trustguard.impact import apply_api_impact
from trustguard.impact.blast import worst_severity_counts
from trustguard.load import load_document
from trustguard.model import DocumentKind, Finding, Severity

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"


def _by_hand(findings: list[Finding]) -> dict[str, int]:
    """Each customer's worst severity over the findings that reach it (info does not count)."""
    worst: dict[str, Severity] = {}
    for f in findings:
        assert f.impact is not None
        if f.severity is Severity.INFO:
            continue
        for cid in f.impact.customer_ids:
            if cid not in worst or f.severity.rank > worst[cid].rank:
                worst[cid] = f.severity
    counts: dict[str, int] = {}
    for sev in worst.values():
        counts[sev.value] = counts.get(sev.value, 0) + 1
    return dict(sorted(counts.items()))


def test_worst_severity_counts_each_customer_once() -> None:
    reached = {"major": {"a", "b"}, "minor": {"b", "c"}, "blocker": {"c"}, "info": {"d"}}
    assert worst_severity_counts(reached) == {"blocker": 1, "info": 1, "major": 2}
    assert worst_severity_counts({}) == {}


def test_api_customers_reached_by_a_major_and_a_minor_count_once_as_major() -> None:
    base = load_document(str(EX / "api" / "v1.yaml"), DocumentKind.OPENAPI)
    rev = load_document(str(EX / "api" / "v2.yaml"), DocumentKind.OPENAPI)
    removed = finding("api.operation.removed", "GET /reports/daily")  # major: c001, c004
    same_callers = finding("api.operation.deprecated", "GET /reports/daily", severity=Severity.MINOR)
    others = finding("api.operation.deprecated", "GET /products", severity=Severity.MINOR)
    findings = [removed, same_callers, others]
    totals = apply_api_impact(base, rev, findings, INPUTS, Config())
    counts = totals.details["customers_by_severity"]
    assert counts == _by_hand(findings)
    assert counts["major"] == 2  # c001 and c004, not again as minor
    assert sum(counts.values()) == totals.customers_affected
    assert set(others.impact.customer_ids) - {"c001", "c004"}, "the example must reach other customers too"
    assert counts["minor"] == len(set(others.impact.customer_ids) - {"c001", "c004"})


def test_pricing_counts_customers_not_findings() -> None:
    report = api.check(str(EX / "pricing" / "old.yaml"), str(EX / "pricing" / "new.yaml"),
                       customers=str(EX / "pricing" / "customers.csv"))
    assert report.impact is not None
    counts = report.impact.details["customers_by_severity"]
    # several findings reach the same customers: summing findings would count them again
    assert sum(len(f.impact.customer_ids) for f in report.findings if f.impact and f.severity is not Severity.INFO) > 7
    assert counts == _by_hand(report.findings)
    assert sum(counts.values()) == report.impact.customers_affected == 7
