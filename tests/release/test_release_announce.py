"""What the announcement forgot: each material change is disclosed by a sentence that names
it, or it is a finding. Both directions: paraphrases that name the thing count; a sentence
that only names the product covers nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import trustguard
from trustguard.model import DocumentKind, Finding, Principle, Severity
from trustguard.model_release import AnnouncementCheck
from trustguard.release.announce import match, sentences

Edit = Callable[[Path, str, str], None]
NOT_ANNOUNCED = ("release-change-not-announced", "release-minor-change-not-announced")


def _checks(release: Path) -> list[AnnouncementCheck]:
    report = trustguard.release(release)
    assert report.release is not None
    return report.release.announcements


def test_the_example_announcement_forgets_exactly_the_daily_reports_removal(example: Path) -> None:
    report = trustguard.release(example)
    assert report.release is not None
    missing = [a for a in report.release.announcements if not a.announced]
    assert [(a.document, a.rule) for a in missing] == [("api", "api-path-removed-without-deprecation")]
    [finding] = [f for f in report.findings if f.rule in NOT_ANNOUNCED]
    assert finding.operation == "GET /reports/daily" and finding.severity is Severity.MAJOR
    assert "not announced (api)" in finding.message
    # every other material change names the sentence and the words that matched
    for check in report.release.announcements:
        if check.announced:
            assert check.sentence and check.line and check.matched
    price = next(a for a in report.release.announcements if a.rule == "pricing-price-increase-large")
    assert price.sentence == "The Pro plan goes from $1,200 to $1,380 a month."
    assert "pro" in price.matched


def test_an_announcement_that_covers_every_change_gives_no_finding(example: Path) -> None:
    announcement = example.parent / "release" / "announcement.md"
    text = announcement.read_text(encoding="utf-8")
    announcement.write_text(text + "\n- The daily reports endpoint (GET /reports/daily) is retired; "
                                   "use the order events instead.\n", encoding="utf-8")
    report = trustguard.release(example)
    assert report.release is not None
    assert report.release.unannounced == 0
    assert not [f for f in report.findings if f.rule in NOT_ANNOUNCED]


def test_a_product_only_announcement_covers_nothing(example: Path) -> None:
    (example.parent / "release" / "announcement.md").write_text(
        "# Orderly v2\n\nOrderly API v2 is here, with improvements to orders, products, pricing, plans "
        "and our terms of service. Update your integration and check the new version.\n", encoding="utf-8")
    checks = _checks(example)
    assert checks and not any(c.announced for c in checks)
    report = trustguard.release(example)
    assert len([f for f in report.findings if f.rule in NOT_ANNOUNCED]) == len(checks)


def test_the_minor_change_left_out_is_a_minor_finding(example: Path, edit: Edit) -> None:
    edit(example.parent / "release" / "announcement.md",
         "- The `tracking_url` field is no longer returned on orders; use the new events endpoint instead.\n", "")
    # LabelMaker's Pact reads tracking_url: by default the removal is a proven break, raised to
    # major (contract-broken), and leaving it out of the announcement is a major finding
    report = trustguard.release(example)
    major = [f for f in report.findings if f.rule == "release-change-not-announced"
             and f.facts["finding_rule"] == "response-optional-property-removed"]
    assert len(major) == 1 and major[0].severity is Severity.MAJOR
    # with the rules' own severities, it is the minor change it is
    from trustguard.config import Config, ImpactPolicy

    report = trustguard.release(example, config=Config(impact=ImpactPolicy(contract_broken_min_severity="off",
                                                                         may_break_min_severity="off")))
    minor = [f for f in report.findings if f.rule == "release-minor-change-not-announced"]
    assert [f.facts["finding_rule"] for f in minor] == ["response-optional-property-removed"]
    assert minor[0].severity is Severity.MINOR


def _finding(rule: str, kind: str, **fields: object) -> Finding:
    return Finding(rule=rule, severity=Severity.MAJOR, principle=Principle.NO_SURPRISES, kind=kind,
                   title=str(fields.pop("title", rule)), message="m", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("sentence", "covered"), [
    ("Creating an order now requires a currency code.", True),
    ("POST /orders needs `currency` from March 16.", True),
    ("Creating an order is faster in v2.", False),
])
def test_a_field_is_disclosed_by_naming_it(sentence: str, covered: bool) -> None:
    finding = _finding("new-required-request-property", "api.request.property.added", operation="POST /orders",
                       subject="currency", facts={"property_path": "currency"})
    assert match(finding, "api", DocumentKind.OPENAPI, sentences(sentence)).announced is covered


@pytest.mark.parametrize(("sentence", "covered"), [
    ("The daily reports endpoint is retired.", True),
    ("GET /v1/reports/daily goes away.", True),
    ("Reports are better than ever.", False),
])
def test_an_operation_is_disclosed_by_its_path_words(sentence: str, covered: bool) -> None:
    finding = _finding("api-path-removed-without-deprecation", "api.path.removed", operation="GET /reports/daily")
    assert match(finding, "api", DocumentKind.OPENAPI, sentences(sentence)).announced is covered


@pytest.mark.parametrize(("sentence", "covered"), [
    ("Pro now costs $1,380 a month.", True),
    ("We are raising the price of the Team plan.", True),
    ("The Pro plan gets priority support.", False),
    ("Prices go up for everyone.", False),
])
def test_a_plan_price_is_disclosed_by_the_plan_and_the_price(sentence: str, covered: bool) -> None:
    finding = _finding("pricing-price-increase-large", "pricing.plan.price.increased", subject="PRO",
                       before=1200, after=1380, facts={"plan": "PRO", "base_plan": "TEAM"})
    assert match(finding, "pricing", DocumentKind.PRICING, sentences(sentence)).announced is covered


@pytest.mark.parametrize(("sentence", "covered"), [
    ("Disputes will be settled by binding arbitration.", True),
    ("We updated our terms of service.", False),
])
def test_a_terms_change_is_disclosed_by_its_topic(sentence: str, covered: bool) -> None:
    finding = _finding("forced-arbitration-added", "terms.signal.added", subject="5 Disputes",
                       facts={"signal_title": "binding arbitration", "section": "5 Disputes"})
    assert match(finding, "terms", DocumentKind.TERMS, sentences(sentence)).announced is covered


def test_sentences_keep_their_lines_and_drop_markup() -> None:
    found = sentences("# Title\n\nFirst sentence here. Second one\ncontinues here.\n\n- **Bold** item `code`\n")
    assert [(s.text, s.line) for s in found] == [
        ("Title", 1), ("First sentence here.", 3), ("Second one continues here.", 3), ("Bold item code", 6)]


@pytest.mark.parametrize(("sentence", "covered"), [
    ("Cancelling an order moves to the new events endpoint.", True),
    ("Order cancellation works differently in v2.", True),
    ("Orders are faster in v2.", False),
])
def test_verb_forms_of_a_path_word_count(sentence: str, covered: bool) -> None:
    finding = _finding("api-path-removed-without-deprecation", "api.path.removed",
                       operation="POST /orders/{orderId}/cancel")
    check = match(finding, "api", DocumentKind.OPENAPI, sentences(sentence))
    assert check.announced is covered
    if covered:  # the words as the announcement wrote them
        assert set(check.matched) & {"cancelling", "cancellation"}
