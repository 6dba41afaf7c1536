"""Credit tables, HTML SLAs, and a pricing's usage limits that are rates or retention periods."""

from __future__ import annotations

from pathlib import Path

import trustguard

TABLE = """# Acme Service Level Agreement

## Service credits

| Monthly Uptime Percentage | Service Credit Percentage |
|---|---|
| Less than 99.9% but at least 99.0% | 10% |
| Less than 99.0% but at least 95.0% | {middle} |
| Less than 95.0% | {top} |
"""


def _pair(tmp_path: Path, before: str, after: str, suffix: str = "md") -> tuple[Path, Path]:
    old, new = tmp_path / f"old.{suffix}", tmp_path / f"new.{suffix}"
    old.write_text(before, encoding="utf-8")
    new.write_text(after, encoding="utf-8")
    return old, new


def _sla(report: trustguard.Report) -> list[tuple[str, str]]:
    return [(f.rule, f.severity.value) for f in report.findings if f.kind.startswith("sla.")]


def test_a_credit_table_is_credits_and_its_thresholds_are_no_uptime_promises_of_their_own(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, TABLE.format(middle="25%", top="100%"), TABLE.format(middle="25%", top="50%"))
    report = trustguard.check(old, new)
    assert _sla(report) == [("sla-credits-cut", "major")]
    assert "largest credit 100% -> 50% (50% less)" in report.findings[0].message


def test_the_highest_threshold_is_the_uptime_a_table_alone_promises(tmp_path: Path) -> None:
    lowered = TABLE.replace("99.9%", "99.5%").format(middle="25%", top="100%")
    old, new = _pair(tmp_path, TABLE.format(middle="25%", top="100%"), lowered)
    assert _sla(trustguard.check(old, new)) == [("sla-uptime-cut", "major")]  # 43 minutes -> 3.6 hours


def test_a_credit_table_taken_out_is_credits_removed(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, TABLE.format(middle="25%", top="100%"),
                     "# Acme Service Level Agreement\n\nAcme will be available 99.9% of the time.\n")
    assert _sla(trustguard.check(old, new)) == [("sla-credits-removed", "major")]


def test_an_html_sla_is_read_as_text(tmp_path: Path) -> None:
    page = ("<html><head><title>SLA</title></head><body><h1>Acme Service Level Agreement</h1>"
            "<p>Acme will be available {u} of the time.</p><p>Support responds to tickets within {s}.</p></body></html>")
    old, new = _pair(tmp_path, page.format(u="99.99%", s="1 hour"), page.format(u="99.9%", s="1 hour"), "html")
    report = trustguard.check(old, new)  # recognised by its first heading
    assert report.kind.value == "sla"
    assert _sla(report) == [("sla-uptime-cut", "major")]


PRICING = """syntaxVersion: '2.1'
saasName: Acme
version: '2024'
currency: USD
features:
  api: {{description: REST API, valueType: BOOLEAN, defaultValue: true, type: INTEGRATION}}
  history: {{description: Version history, valueType: BOOLEAN, defaultValue: true, type: DOMAIN}}
usageLimits:
  apiRate:
    description: API requests per key
    valueType: NUMERIC
    defaultValue: {rate}
    unit: {unit}
    type: RENEWABLE
    linkedFeatures: [api]
  versionHistoryDays:
    description: Version history kept
    valueType: NUMERIC
    defaultValue: {days}
    unit: days
    type: NON_RENEWABLE
    linkedFeatures: [history]
plans:
  PRO: {{price: 20, unit: user/month, features: null, usageLimits: null}}
"""


def _pricing(tmp_path: Path, before: dict[str, object], after: dict[str, object]) -> trustguard.Report:
    base = {"rate": 10, "unit": "requests/second", "days": 90}
    old, new = _pair(tmp_path, PRICING.format(**{**base, **before}), PRICING.format(**{**base, **after}), "yaml")
    return trustguard.check(old, new, include_changes=True)


def test_a_rate_limit_whose_unit_changed_but_allows_the_same_is_no_change_at_all(tmp_path: Path) -> None:
    report = _pricing(tmp_path, {}, {"rate": 600, "unit": "requests/minute"})
    assert report.findings == [] or all(not f.kind.startswith(("sla.", "pricing.plan.limit", "pricing.limit.unit"))
                                        for f in report.findings), [f.rule for f in report.findings]
    assert report.changes is not None and not [c for c in report.changes if "limit" in c.kind]


def test_a_rate_limit_cut_in_another_unit_is_measured_per_second(tmp_path: Path) -> None:
    report = _pricing(tmp_path, {}, {"rate": 60, "unit": "requests/minute"})
    found = [f for f in report.findings if f.kind.startswith("sla.")]
    assert [f.rule for f in found] == ["sla-rate-limit-cut"]
    assert "a 90% cut (10 requests/second -> 60 requests/minute = 1 requests/second)" in found[0].message
    assert found[0].facts["plans"] == ["PRO"]
    assert not [f for f in report.findings if f.kind.startswith(("pricing.plan.limit", "pricing.limit.unit"))]


def test_a_limit_in_one_unit_stays_the_pricing_differs(tmp_path: Path) -> None:
    report = _pricing(tmp_path, {}, {"days": 30})
    rules = [f.rule for f in report.findings]
    assert "pricing-shrinkflation" in rules and not [r for r in rules if r.startswith("sla-")]
