"""The example company's release, end to end: one report, one verdict, one blast radius."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from release_support import EXAMPLES, run_cli  # type: ignore[import-not-found]

import trustguard
from trustguard.model import Report

RELEASE = EXAMPLES / "release.yaml"


def test_the_example_release_prints_its_summary_and_fails() -> None:
    proc = run_cli("release", str(RELEASE), "--no-color")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert out.startswith("trustguard release: Orderly API v2, new prices and terms\n")
    assert "dates: announced 2026-03-02, effective 2026-03-16 (14 days' notice)" in out
    assert "notice: SHORT" in out and "announcement: 1 of 9 material change(s) not announced" in out
    # the terms promise 30 days; the release gives 14
    assert "2 terms change(s) get 14 days of notice, 30 are owed: the terms' change-notice clause" in out
    assert "MAJOR release-change-not-announced  GET /reports/daily" in out
    assert "not announced (would need: report + daily)" in out
    assert 'announced: "Creating an order (POST /orders) now requires a currency code."' in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL: ")


def test_the_release_in_every_format(tmp_path: Path) -> None:
    schema = json.loads(run_cli("schema", "report").stdout)
    for fmt in ("json", "markdown", "html", "sarif", "junit"):
        out = tmp_path / f"report.{fmt}"
        proc = run_cli("release", str(RELEASE), "-f", fmt, "-o", str(out))
        assert proc.returncode == 1, proc.stderr
        text = out.read_text(encoding="utf-8")
        if fmt == "json":
            data = json.loads(text)
            jsonschema.validate(data, schema)
            assert data["release"]["notice_status"] == "short" and data["release"]["unannounced"] == 1
            assert Report.model_validate(data).release == trustguard.release(RELEASE).release
        if fmt == "markdown":
            assert "release Orderly API v2" in text and "**Announced:** not announced" in text
        if fmt == "html":
            assert '<section id="release">' in text and "<script" not in text
    twice = run_cli("release", str(RELEASE), "-f", "json").stdout
    assert twice == (tmp_path / "report.json").read_text(encoding="utf-8")  # byte-identical


def test_one_verdict_under_one_policy() -> None:
    report = trustguard.release(RELEASE)
    assert not report.passed
    passing = trustguard.release(RELEASE, fail_on="none")
    assert passing.passed and passing.exit_code == 0
    # a rule turned off is off in every document, and for the release's own findings
    quiet = trustguard.release(RELEASE, severity={"release-*": "off"})
    assert not [f for f in quiet.findings if f.rule.startswith("release-")]
    assert {f.facts["release_document"] for f in report.findings} == {"api", "pricing", "terms"}


def test_a_customer_hit_twice_is_counted_once_with_both_reasons() -> None:
    report = trustguard.release(RELEASE)
    assert report.release is not None and report.impact is not None
    customers = {c.id: c for c in report.release.customers}
    assert len(customers) == len(report.release.customers) == report.impact.customers_affected
    # Soylent Snacks (pro) calls the API and pays the Pro price: one customer, both reasons
    soylent = customers["c009"]
    documents = {r.document for r in soylent.reasons}
    assert {"api", "pricing"} <= documents
    rules = {r.rule for r in soylent.reasons}
    assert "pricing-price-increase-large" in rules and "new-required-request-property" in rules
    assert (soylent.bill_before, soylent.bill_after) == (1200.0, 1380.0)
    breaking = next(r for r in soylent.reasons if r.rule == "new-required-request-property")
    assert breaking.operations == ["POST /orders"]
    # counted once in the totals: the union, not the sum of the documents' counts
    by_document = report.impact.details["by_document"]
    assert sum(d["customers_affected"] for d in by_document.values()) > report.impact.customers_affected
    assert report.impact.revenue_affected == round(sum(c.revenue for c in customers.values()), 2)


def test_a_customer_reached_by_one_document_only_has_only_that_reason() -> None:
    report = trustguard.release(RELEASE)
    assert report.release is not None
    hooli = next(c for c in report.release.customers if c.id == "c005")  # starter: no price change
    assert "pricing" not in {r.document for r in hooli.reasons}
    assert hooli.bill_before == hooli.bill_after == 290.0


def test_waivers_hold_across_the_release_and_only_unused_ones_are_named(tmp_path: Path) -> None:
    report = trustguard.release(RELEASE)
    gone = next(f for f in report.findings if f.rule == "api-path-removed-without-deprecation")
    config = tmp_path / "trustguard.yaml"
    config.write_text(
        f"waivers:\n  - fingerprint: {gone.fingerprint}\n    reason: the daily report moves to the dashboard\n"
        "  - rule: release-notice-too-short\n    reason: the partners agreed to 14 days\n"
        "  - rule: pricing-trial-shortened\n    reason: nothing of the kind here\n", encoding="utf-8")
    waived = trustguard.release(RELEASE, config=config)
    assert {f.rule for f in waived.waived} == {"api-path-removed-without-deprecation", "release-notice-too-short"}
    # a waived change is accepted: nobody asks the announcement to disclose it
    assert not [f for f in waived.findings if f.rule == "release-change-not-announced"]
    unused = [w for w in waived.warnings if "waived nothing" in w]
    assert len(unused) == 1 and "pricing-trial-shortened" in unused[0]


def test_the_release_findings_carry_only_catalogued_facts(tmp_path: Path) -> None:
    from trustguard.change_kinds import catalogue

    no_dates = tmp_path / "release.yaml"
    no_dates.write_text(RELEASE.read_text(encoding="utf-8").replace("effective: 2026-03-16", "")
                        .replace(": api/", f": {EXAMPLES}/api/").replace(": release/", f": {EXAMPLES}/release/")
                        .replace("usage: usage", f"usage: {EXAMPLES}/usage")
                        .replace("integrations: integrations", f"integrations: {EXAMPLES}/integrations")
                        .replace("contracts: pacts", f"contracts: {EXAMPLES}/pacts"), encoding="utf-8")
    kinds = catalogue()
    seen = set()
    for report in (trustguard.release(RELEASE), trustguard.release(no_dates)):
        for finding in report.findings:
            if finding.rule.startswith("release-"):
                seen.add(finding.kind)
                assert set(finding.facts) <= set(kinds[finding.kind].facts), finding.rule
    assert seen == {"release.notice.short", "release.notice.unknown", "release.change.unannounced"}


def test_one_effective_date_per_document(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    example.write_text(text.replace("effective: 2026-03-16 ", "effective: {api: 2026-09-01, pricing: 2026-04-15, "
                                                               "terms: 2026-04-15} "), encoding="utf-8")
    report = trustguard.release(example)
    assert report.release is not None
    given = {(n.document, n.days_given) for n in report.release.notice}
    assert given == {("api", 183), ("pricing", 44), ("terms", 44)}
    # 44 days meet the terms' 30 and the pricing's 30; 183 fall short of a year for the API
    short = {n.document for n in report.release.notice if n.status == "short"}
    assert short == {"api"}


def test_two_api_specs_are_two_documents_and_their_customers_count_once(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    example.write_text(text.replace("  pricing:\n", "  api-mirror:\n    base: api/v1.yaml\n    revision: api/v2.yaml\n"
                                                    "  pricing:\n"), encoding="utf-8")
    report = trustguard.release(example)
    single = trustguard.release(RELEASE)
    assert report.release is not None and single.release is not None
    assert [d.key for d in report.release.documents] == ["api", "api-mirror", "pricing", "terms"]
    # the same change in both specs: two findings, told apart by their document
    gone = [f for f in report.findings if f.rule == "api-path-removed-without-deprecation"]
    assert sorted(f.facts["release_document"] for f in gone) == ["api", "api-mirror"]
    assert len({(n.document, n.fingerprint) for n in report.release.notice}) == len(report.release.notice)
    assert report.impact is not None and single.impact is not None
    assert report.impact.customers_affected == single.impact.customers_affected
    globex = next(c for c in report.release.customers if c.id == "c001")
    assert {r.document for r in globex.reasons} >= {"api", "api-mirror"}
