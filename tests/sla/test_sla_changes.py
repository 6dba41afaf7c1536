"""Each service level -- uptime, credits, rate limits, support and retention -- cut and
raised in an SLA text, a terms text and a pricing: a cut is a finding with its size, graded
by it; the same change the other way is good news (info); a reworded promise is nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sla_cases import BASE, write_pair

import trustguard

KINDS = ("sla", "terms", "pricing")

# metric -> (the revision's value, the rule a cut fires, words its message holds, the rule the raise fires)
CUTS = {
    "uptime": ("99.5%", "sla-uptime-cut", ["99.99% -> 99.5%", "4.3 minutes -> 3.6 hours (50× more)"],
               "sla-uptime-raised"),
    "credit": (None, "sla-credits-removed", ["credits of up to 25% no longer offered"], "sla-credits-improved"),
    "rate": ("100 requests per day", "sla-rate-limit-cut",
             ["a 99% cut (10,000 requests/day -> 100 requests/day)"], "sla-rate-limit-raised"),
    "support": ("2 business days", "sla-support-slower", ["4 hours -> 2 business days", "17× longer"],
                "sla-support-faster"),
    "retention": ("30 days", "sla-retention-cut", ["67% shorter (90 days -> 30 days)"], "sla-retention-longer"),
}


def _sla_findings(report: trustguard.Report) -> list[trustguard.Finding]:
    return [f for f in report.findings if f.kind.startswith("sla.")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", list(CUTS))
def test_a_cut_is_one_major_finding_with_its_size(tmp_path: Path, kind: str, metric: str) -> None:
    value, rule, words, _ = CUTS[metric]
    old, new = write_pair(tmp_path, kind, BASE, {**BASE, metric: value})
    report = trustguard.check(old, new)
    assert report.kind.value == kind
    found = _sla_findings(report)
    assert [f.rule for f in found] == [rule], [f.message for f in found]
    assert found[0].severity.value == "major"
    for said in words:
        assert said in found[0].message
    assert found[0].facts["origin"] == kind
    assert found[0].source is not None and found[0].source.line is not None
    assert not report.passed


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", list(CUTS))
def test_the_same_change_the_other_way_is_good_news(tmp_path: Path, kind: str, metric: str) -> None:
    value, _, _, rule = CUTS[metric]
    old, new = write_pair(tmp_path, kind, {**BASE, metric: value}, BASE)
    found = _sla_findings(trustguard.check(old, new))
    assert [(f.rule, f.severity.value) for f in found] == [(rule, "info")]


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_promises_in_other_units_and_words_are_no_change(tmp_path: Path, kind: str) -> None:
    same = {"uptime": "99.990%", "credit": "25 percent", "rate": "10000 requests a day", "support": "4 hours",
            "retention": "90 days"}
    old, new = write_pair(tmp_path, kind, BASE, same)
    assert _sla_findings(trustguard.check(old, new)) == []


def test_a_pricing_promise_is_its_plans_and_a_cut_in_every_plan_is_one_finding(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "pricing", BASE, {**BASE, "uptime": "99.9%"})
    report = trustguard.check(old, new)
    assert [f.facts["plans"] for f in _sla_findings(report)] == [["PRO"]]
    # the feature's text change is the sla finding, not a second "feature changed" one
    assert not [f for f in report.findings if f.rule == "pricing-feature-changed"]
    # the same promise as the default of every plan: one finding naming both
    for path in (old, new):
        text = path.read_text(encoding="utf-8")
        value = "99.99%" if path is old else "99.9%"
        text = text.replace("  uptimePromise:\n    description: Availability\n    valueType: TEXT\n    defaultValue: ''",
                            f"  uptimePromise:\n    description: Availability\n    valueType: TEXT\n    defaultValue: '{value} uptime'")
        path.write_text(text, encoding="utf-8")
    found = _sla_findings(trustguard.check(old, new))
    assert [(f.rule, f.facts["plans"]) for f in found] == [("sla-uptime-cut", ["FREE", "PRO"])]


def test_a_rate_limit_in_another_unit_that_allows_the_same_is_no_change(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "sla", {**BASE, "rate": "10 requests per second"},
                          {**BASE, "rate": "600 requests per minute"})
    assert _sla_findings(trustguard.check(old, new)) == []
    old, new = write_pair(tmp_path, "terms", {**BASE, "rate": "10 requests per second"},
                          {**BASE, "rate": "100 requests per minute"})
    found = _sla_findings(trustguard.check(old, new))
    assert [f.rule for f in found] == ["sla-rate-limit-cut"]
    assert "83% cut (10 requests/second -> 100 requests/minute = 1.67 requests/second)" in found[0].message
    assert found[0].facts["window"] == "minute" and found[0].facts["limit"] == 100


@pytest.mark.parametrize(("before", "after", "rule", "severity"), [
    ("99.9%", "99.85%", "sla-uptime-trimmed", "minor"),  # 1.5x the downtime
    ("99.95%", "99.9%", "sla-uptime-cut", "major"),  # 2x
])
def test_uptime_is_graded_by_the_downtime_it_allows(tmp_path: Path, before: str, after: str, rule: str,
                                                     severity: str) -> None:
    old, new = write_pair(tmp_path, "sla", {**BASE, "uptime": before}, {**BASE, "uptime": after})
    found = _sla_findings(trustguard.check(old, new))
    assert [(f.rule, f.severity.value) for f in found] == [(rule, severity)]


@pytest.mark.parametrize(("metric", "before", "after", "rule", "severity"), [
    ("rate", "1000 requests per minute", "800 requests per minute", "sla-rate-limit-trimmed", "minor"),
    ("support", "4 hours", "6 hours", "sla-support-slower-slightly", "minor"),
    ("retention", "90 days", "60 days", "sla-retention-trimmed", "minor"),
    ("credit", "25%", "20%", "sla-credits-trimmed", "minor"),
    ("credit", "25%", "10%", "sla-credits-cut", "major"),
])
def test_a_small_cut_is_minor_and_a_deep_one_major(tmp_path: Path, metric: str, before: str, after: str,
                                                    rule: str, severity: str) -> None:
    old, new = write_pair(tmp_path, "terms", {**BASE, metric: before}, {**BASE, metric: after})
    found = _sla_findings(trustguard.check(old, new))
    assert [(f.rule, f.severity.value) for f in found] == [(rule, severity)]


def test_a_promise_no_longer_stated_is_major_and_a_rate_limit_newly_stated_minor(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "sla", BASE, {**BASE, "support": None})
    assert [(f.rule, f.severity.value) for f in _sla_findings(trustguard.check(old, new))] == [
        ("sla-promise-dropped", "major")]
    old, new = write_pair(tmp_path, "sla", {**BASE, "rate": None}, BASE)
    assert [(f.rule, f.severity.value) for f in _sla_findings(trustguard.check(old, new))] == [
        ("sla-rate-limit-introduced", "minor")]


def test_credits_capped_where_they_were_not(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "sla", BASE, BASE)
    new.write_text(new.read_text(encoding="utf-8") + "\nCredits shall not exceed 30% of the monthly fee.\n",
                   encoding="utf-8")
    found = _sla_findings(trustguard.check(old, new))
    assert [(f.rule, f.severity.value) for f in found] == [("sla-credits-capped", "minor")]
    assert "credits capped at 30% (no cap before)" in found[0].message
    back = _sla_findings(trustguard.check(new, old))
    assert [(f.rule, f.severity.value) for f in back] == [("sla-credits-improved", "info")]


def test_each_plan_a_sentence_names_keeps_its_own_limit(tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    line = "# Acme API SLA\n\nFree plan: {free} requests per minute; Pro plan: {pro} requests per minute.\n"
    old.write_text(line.format(free=100, pro="1,000"), encoding="utf-8")
    new.write_text(line.format(free=100, pro=200), encoding="utf-8")
    [cut] = _sla_findings(trustguard.check(old, new))
    assert cut.subject == "rate limit (Pro)" and "a 80% cut (1,000 requests/minute -> 200 requests/minute)" in cut.message
    # the free plan's limit taken out, the Pro plan's kept: a limit no longer stated, for Free
    new.write_text("# Acme API SLA\n\nPro plan: 1,000 requests per minute.\n", encoding="utf-8")
    [gone] = _sla_findings(trustguard.check(old, new))
    assert (gone.rule, gone.subject) == ("sla-rate-limit-unstated", "rate limit (Free)")
