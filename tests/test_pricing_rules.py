"""The pricing rules on real changes: what blocks, what is good news, and the thresholds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import corpus
import pytest

from trustguard import api
from trustguard.model import DocumentKind, Report

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pricing"


def check(saas: str, old: str, new: str, **options: object) -> Report:
    # the copies in tests/data when there are (Slack, Mailchimp, GitHub), else the corpus
    base, revision = (corpus.find("pricing", f"{saas}/{year}.yml") for year in (old, new))
    return api.check(str(base), str(revision), **options)  # type: ignore[arg-type]


def rules_by_subject(report: Report) -> dict[tuple[str, str | None], str]:
    return {(f.rule, f.subject): f.severity.value for f in report.findings}


def test_mailchimp_2024_rises_are_graded_by_size() -> None:
    report = check("mailchimp", "2023", "2024")
    got = rules_by_subject(report)
    assert got[("pricing-price-increase-steep", "ESSENTIALS")] == "blocker"  # +30.13%
    assert got[("pricing-price-increase-steep", "STANDARD")] == "blocker"  # +33.42%
    assert got[("pricing-price-increase-large", "PREMIUM")] == "major"  # +17.06%
    assert not report.passed


def test_price_thresholds_come_from_the_config() -> None:
    report = check("mailchimp", "2023", "2024", pricing={"price_increase_blocker_percent": 50})
    got = rules_by_subject(report)
    assert got[("pricing-price-increase-large", "ESSENTIALS")] == "major"
    assert ("pricing-price-increase-steep", "ESSENTIALS") not in got
    slack = rules_by_subject(check("slack", "2020", "2023"))
    assert slack[("pricing-price-increase-small", "PRO")] == "minor"  # 8 -> 8.75 is 9.38%


@pytest.mark.corpus
def test_evernote_free_tier_cuts_are_shrinkflation() -> None:
    got = rules_by_subject(check("evernote", "2023", "2024"))
    assert got[("pricing-free-tier-cut", "FREE.notesLimit")] == "major"
    assert got[("pricing-free-tier-cut", "FREE.notebooksLimit")] == "major"
    later = rules_by_subject(check("evernote", "2024", "2025"))
    assert later[("pricing-free-tier-cut", "FREE.syncAccrossDevicesLimit")] == "major"


@pytest.mark.corpus
def test_slack_unit_change_is_flagged_and_renames_are_not_removals() -> None:
    report = check("slack", "2020", "2023")
    got = rules_by_subject(report)
    assert got[("pricing-limit-unit-changed-hides-cut", "useMessagesAccess")] == "major"
    assert got[("pricing-plan-renamed", "PRO")] == "info"
    assert got[("pricing-plan-renamed", "BUSINESS_PLUS")] == "info"
    assert not [f for f in report.findings if f.rule in ("pricing-plan-retired", "pricing-plan-added")]
    notion = check("notion", "2022", "2023")
    assert not [f for f in notion.findings if f.rule in ("pricing-plan-retired", "pricing-plan-added")]


@pytest.mark.corpus
def test_postman_2023_free_plan_removed_blocks() -> None:
    report = check("postman", "2022", "2023")
    blocker = next(f for f in report.findings if f.rule == "pricing-free-tier-removed")
    assert blocker.severity.value == "blocker" and blocker.fails
    assert blocker.location == "/plans"


def test_github_2020_team_cut_is_good_news_not_a_blocker() -> None:
    report = check("github", "2019", "2020")
    team = next(f for f in report.findings if f.subject == "TEAM" and f.kind == "pricing.plan.price.decreased")
    assert team.rule == "pricing-price-decrease"
    assert team.severity.value == "info" and team.fails is False
    # the same step also retires PRO, which is what fails the check
    assert {f.rule for f in report.findings if f.fails} == {"pricing-plan-retired"}


@pytest.mark.corpus
def test_zoom_2025_suspect_cut_is_not_reported_as_good_news() -> None:
    got = rules_by_subject(check("zoom", "2024", "2025"))
    assert got[("pricing-price-basis-suspect", "PRO")] == "minor"
    assert ("pricing-price-decrease", "PRO") not in got
    assert got[("pricing-price-decrease", "BUSINESS")] == "info"


def test_example_dark_patterns() -> None:
    report = api.check(str(EXAMPLE / "old.yaml"), str(EXAMPLE / "new.yaml"))
    got = {f.rule: f for f in report.findings}
    assert got["pricing-drip-fee-added"].severity.value == "blocker"
    assert got["pricing-cancellation-harder-more-effort"].severity.value == "major"
    assert got["pricing-trial-shortened"].message == "all plans: trial 30 -> 14 days"
    assert got["pricing-unbundled-to-addon"].message == (
        "BUSINESS: sso is no longer included; it now comes with add-on ssoPack"
    )
    assert got["pricing-billing-discount-reduced"].severity.value == "minor"


def test_every_pricing_rule_is_documented() -> None:
    rules = api.rules_for(DocumentKind.PRICING)
    assert len(rules) >= 30
    for rule in rules:
        assert rule.principle.value in ("no-surprises", "no-dark-patterns")
        assert len(rule.rationale) > 40 and rule.remediation and rule.example and rule.references
    good_news = [r for r in rules if r.id in ("pricing-price-decrease", "pricing-more-included", "pricing-terms-improved")]
    assert [r.severity.value for r in good_news] == ["info"] * 3


def test_every_report_format_renders_pricing() -> None:
    from trustguard.report import FORMATS

    for fmt in sorted(FORMATS):
        proc = subprocess.run(
            [sys.executable, "-m", "trustguard", "check", str(EXAMPLE / "old.yaml"), str(EXAMPLE / "new.yaml"),
             "--customers", str(EXAMPLE / "customers.csv"), "-f", fmt, "--no-color"],
            capture_output=True, text=True, check=False,
        )
        assert "Traceback" not in proc.stderr, (fmt, proc.stderr)
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert "pricing-drip-fee-added" in proc.stdout, fmt
    proc = subprocess.run(
        [sys.executable, "-m", "trustguard", "check", str(EXAMPLE / "old.yaml"), str(EXAMPLE / "new.yaml"), "-f", "json"],
        capture_output=True, text=True, check=False,
    )
    again = subprocess.run(
        [sys.executable, "-m", "trustguard", "check", str(EXAMPLE / "old.yaml"), str(EXAMPLE / "new.yaml"), "-f", "json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.stdout == again.stdout
    assert json.loads(proc.stdout)["kind"] == "pricing"
