"""The notices in the Markdown comment: a summary block that a shortened comment keeps,
and the drafts, collapsed, only as many as the budget leaves room for."""

from __future__ import annotations

from pathlib import Path

import trustguard
from trustguard.report import render
from trustguard.report.markdown import size

RELEASE = Path(__file__).resolve().parents[2] / "examples" / "release.yaml"


def test_the_comment_carries_the_drafts_and_who_to_call_first() -> None:
    report = trustguard.release(RELEASE)
    out = render(report, "markdown")
    assert "**Customer notices:** 12 draft(s), one per customer, for 12 customer(s)" in out
    assert "grandfathering 12 month(s) (not offered): USD 720.00 a month, USD 8,640.00 in all" in out
    first = report.make_whole.contact_first[0] if report.make_whole else None
    assert first is not None and f"**Contact first** (the notice is short): {first.name} ({first.id})" in out
    drafts = out.split("#### \u2709\ufe0f Notice drafts (12)")[1]
    assert drafts.count("<details><summary>") == len(report.notices) == 12
    assert out.index("#### \u2709\ufe0f Notice drafts (12)") > out.index("**Customer notices:**")
    for notice in report.notices:
        assert notice.body.splitlines()[0] in out


def test_a_small_budget_keeps_the_findings_and_the_summary_not_every_draft() -> None:
    report = trustguard.release(RELEASE)
    full = render(report, "markdown", budget=None)
    budget = size(full) - 6000
    out = render(report, "markdown", budget=budget)
    assert size(out) <= budget
    assert "**Customer notices:**" in out and "**Contact first**" in out
    assert "more draft(s): write them all with `--notices-out notices.md`" in out
    # the findings' details are all there: only drafts were left out
    for finding in report.findings:
        assert finding.rule in out
    tiny = render(report, "markdown", budget=9000)
    assert size(tiny) <= 9000 and "**Customer notices:**" in tiny
