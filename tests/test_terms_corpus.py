"""Real terms versions (Open Terms Archive, ../shared/corpus/terms): every successive pair
runs, and the material changes the corpus README lists are found. The Vimeo pair copied
into tests/data/terms runs without the corpus."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import corpus
import pytest

from trustguard.api import check
from trustguard.model import Finding, Report, Severity
from trustguard.report import FORMATS, render

CORPUS = corpus.CORPUS / "terms"
SAMPLE = corpus.DATA / "terms"


def _pairs(root: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for folder in sorted(p for p in root.glob("*/*") if p.is_dir()):
        versions = sorted(folder.glob("*.md"))
        pairs.extend(pairwise(versions))
    return pairs


PAIRS = corpus.collect(lambda: _pairs(CORPUS))
SAMPLE_PAIRS = _pairs(SAMPLE)


def _pair_id(pair: tuple[Path, Path]) -> str:
    return f"{pair[0].parent.parent.name}:{pair[0].stem}->{pair[1].stem}"


@pytest.mark.corpus
def test_corpus_is_present() -> None:
    assert len(PAIRS) == 15


def test_the_sample_is_present() -> None:
    assert [_pair_id(p) for p in SAMPLE_PAIRS] == ["vimeo:2023-12-14->2024-07-08"]


@pytest.mark.parametrize("pair", [pytest.param(p, id=_pair_id(p), marks=pytest.mark.corpus) for p in PAIRS]
                         + [pytest.param(p, id=f"sample-{_pair_id(p)}") for p in SAMPLE_PAIRS])
def test_every_successive_pair_runs(pair: tuple[Path, Path]) -> None:
    base, revision = pair
    report = check(base, revision)
    assert report.kind.value == "terms"
    assert report.summary.changes > 0
    for finding in report.findings:
        assert finding.source is not None and finding.source.line is not None, finding.rule
        assert isinstance(finding.facts["redline"], list)
        assert "old_text" in finding.facts and "new_text" in finding.facts


def _run(service: str, old: str, new: str) -> Report:
    # the copy in tests/data when there is one (Vimeo), else the corpus
    root = SAMPLE if (SAMPLE / service).is_dir() else CORPUS
    folder = next(p for p in root.glob(f"{service}/*") if p.is_dir())
    return check(folder / f"{old}.md", folder / f"{new}.md")


def _find(findings: Iterable[Finding], rule_prefix: str, text: str = "") -> list[Finding]:
    return [f for f in findings if f.rule.startswith(rule_prefix)
            and text.lower() in (f.facts.get("new_text", "") + f.facts.get("section", "")).lower()]


@pytest.mark.corpus
def test_zoom_2023_perpetual_sublicensable_licence_and_ai_training() -> None:
    report = _run("zoom", "2023-02-01", "2023-04-01")
    licence = _find(report.findings, "content-license-broadened")
    assert licence and licence[0].severity is Severity.BLOCKER
    assert {"perpetual", "sublicensable", "transferable"} <= set(licence[0].facts["related_added"])
    assert "Customer License Grant" in licence[0].facts["new_text"]
    assert _find(report.findings, "ai-training-grant-added", "machine learning")


@pytest.mark.corpus
def test_zoom_2023_08_no_training_promise_is_a_protection() -> None:
    report = _run("zoom", "2023-07-28", "2023-08-07")
    promise = _find(report.findings, "ai-training-promise-added", "will not use audio, video or chat")
    assert promise and promise[0].severity is Severity.INFO
    assert report.passed


def test_vimeo_2024_arbitration_and_class_action_waiver() -> None:
    report = _run("vimeo", "2023-12-14", "2024-07-08")
    arbitration = _find(report.findings, "forced-arbitration-", "binding")
    waiver = _find(report.findings, "class-action-waiver-")
    assert arbitration and waiver
    assert all(f.severity.at_least(Severity.MAJOR) for f in arbitration + waiver)
    assert _find(report.findings, "informal-dispute-prerequisite-added", "45")
    assert _find(report.findings, "arbitration-cost-rules-added", "batch")


@pytest.mark.corpus
def test_twitter_2023_paid_auto_renewing_subscriptions() -> None:
    report = _run("twitter", "2023-03-25", "2023-03-30")
    renewal = _find(report.findings, "auto-renewal-added", "automatically renew")
    assert renewal and renewal[0].severity is Severity.MAJOR
    assert _find(report.findings, "recurring-fee-added", "recurring subscription fee")


@pytest.mark.corpus
def test_discord_2025_termination_for_any_reason_and_canada() -> None:
    report = _run("discord", "2023-02-25", "2025-09-01")
    termination = _find(report.findings, "account-termination-for-any-reason-added", "for any reason")
    assert termination and termination[0].severity is Severity.MAJOR
    assert _find(report.findings, "forced-arbitration-", "canada")


@pytest.mark.corpus
def test_microsoft_2023_ai_services_section() -> None:
    report = _run("microsoft", "2022-08-15", "2023-09-30")
    sections = [f for f in report.findings if f.rule == "terms-section-added" and f.subject == "AI Services"]
    assert sections
    assert _find(report.findings, "ai-usage-restriction-added", "train or improve")
    purpose = _find(report.findings, "data-purpose-added", "inputs")
    assert purpose and purpose[0].severity is Severity.MAJOR


@pytest.mark.corpus
def test_spotify_2023_change_offerings_without_notice() -> None:
    report = _run("spotify", "2023-03-01", "2023-03-24")
    offerings = _find(report.findings, "service-change-without-notice-added", "without notice or liability")
    assert offerings and offerings[0].severity is Severity.MAJOR
    assert _find(report.findings, "refund-made-prorated", "prorated")
    law = [f for f in report.findings if f.rule == "governing-law-changed"]
    assert law and (law[0].before, law[0].after) == ("california", "new york")


@pytest.mark.corpus
def test_spotify_2025_termination_notice_is_a_protection() -> None:
    report = _run("spotify", "2023-03-24", "2025-08-26")
    notice = _find(report.findings, "termination-notice-added", "14 days")
    assert notice and notice[0].severity is Severity.INFO


def test_output_is_deterministic_and_every_format_renders() -> None:
    folder = SAMPLE / "vimeo" / "terms-of-service"
    first = check(folder / "2023-12-14.md", folder / "2024-07-08.md")
    second = check(folder / "2023-12-14.md", folder / "2024-07-08.md")
    assert render(first, "json") == render(second, "json")
    for fmt in sorted(FORMATS):
        assert render(first, fmt).strip(), fmt
