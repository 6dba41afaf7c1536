"""Clause-aware diff: formatting noise is not a change; real edits come with a redline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustguard.api import check, diff
from trustguard.diff.terms_align import is_trivial_edit, redline
from trustguard.diff.terms_numbers import amounts, durations
from trustguard.model import Severity

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "terms"
OLD = (EXAMPLES / "old.md").read_text(encoding="utf-8")


def _terms(text: str, name: str) -> dict[str, str]:
    return {"text": text, "name": name}


def _reflow(text: str) -> str:
    """Join every paragraph onto one line, then hard-wrap it at 50 columns."""
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        if block.lstrip().startswith("#"):
            out.append(block)
            continue
        words = block.split()
        lines, line = [], ""
        for word in words:
            if len(line) + len(word) > 50:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _renumber(text: str) -> str:
    text = re.sub(r"^## (\d+)\.", lambda m: f"## {int(m.group(1)) + 6}.", text, flags=re.M)
    return re.sub(r"\*\*(\d+)\.(\d+) ", lambda m: f"**{int(m.group(1)) + 6}.{m.group(2)} ", text)


def _reorder(text: str) -> str:
    head, *sections = re.split(r"(?m)^(?=## )", text)
    return head + "".join(reversed(sections))


def _reformat(text: str) -> str:
    text = text.replace("**", "__")
    text = re.sub(r"(?m)^## (.*)$", r"### [](#anchor-\g<0>)\1 {#sec}", text)
    return text.replace("Nimbus Notes", "*Nimbus Notes*").replace("\u0022", "\u201c")


def _typo(text: str) -> str:
    return text.replace("Keep your password safe.", "Keep your pasword safe.")


@pytest.mark.parametrize("transform", [lambda t: t, _reflow, _renumber, _reorder, _reformat, _typo],
                         ids=["same", "reflowed", "renumbered", "reordered", "reformatted", "typo"])
def test_noise_gives_no_finding_above_info(transform: object) -> None:
    assert callable(transform)
    revised = transform(OLD)
    assert revised != OLD or transform.__name__ == "<lambda>"  # type: ignore[attr-defined]
    report = check(_terms(OLD, "old.md"), _terms(revised, "new.md"), kind="terms", fail_on="info")
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    kinds = {c.kind for c in diff(_terms(OLD, "old.md"), _terms(revised, "new.md"), kind="terms")}
    assert kinds <= {"terms.clause.moved"}


def test_reordered_sections_are_reported_as_moves_only() -> None:
    changes = diff(_terms(OLD, "old.md"), _terms(_reorder(OLD), "new.md"), kind="terms")
    assert changes and {c.kind for c in changes} == {"terms.clause.moved"}
    assert all(c.facts["redline"][0][0] == "=" for c in changes)


def test_modified_clause_carries_old_new_text_and_word_redline() -> None:
    revised = OLD.replace("at least 30 days before any change", "at least 7 days before any change")
    changes = diff(_terms(OLD, "old.md"), _terms(revised, "new.md"), kind="terms")
    modified = [c for c in changes if c.kind == "terms.clause.modified"]
    assert len(modified) == 1
    facts = modified[0].facts
    assert facts["section"] == "4 Changes to these Terms"
    assert "30 days" in facts["old_text"] and "7 days" in facts["new_text"]
    assert ["-", "30 "] in facts["redline"] and ["+", "7 "] in facts["redline"]
    assert "".join(t for op, t in facts["redline"] if op != "-") == facts["new_text"]
    assert "".join(t for op, t in facts["redline"] if op != "+") == facts["old_text"]
    assert modified[0].source is not None and modified[0].source.line == 35
    measure = next(c for c in changes if c.kind == "terms.measure.changed")
    assert (measure.facts["measure"], measure.before, measure.after, measure.facts["direction"]) == (
        "change_notice_days", 30.0, 7.0, "decreased")


def test_example_pair_findings() -> None:
    report = check(EXAMPLES / "old.md", EXAMPLES / "new.md")
    by_rule = {f.rule: f for f in report.findings}
    expected = {
        "content-license-broadened": Severity.BLOCKER,
        "ai-training-grant-added": Severity.BLOCKER,
        "forced-arbitration-added": Severity.BLOCKER,
        "class-action-waiver-added": Severity.BLOCKER,
        "cancel-anytime-removed": Severity.BLOCKER,
        "account-termination-for-any-reason-added": Severity.MAJOR,
        "termination-notice-removed": Severity.MAJOR,
        "terms-change-notice-shortened": Severity.MAJOR,
        "data-export-window-shortened": Severity.MAJOR,
        "fee-amount-increased": Severity.MAJOR,
        "auto-renewal-added": Severity.MAJOR,
        "governing-law-changed": Severity.MINOR,
    }
    for rule, severity in expected.items():
        assert rule in by_rule, rule
        assert by_rule[rule].severity is severity
    licence = by_rule["content-license-broadened"]
    assert "perpetual" in licence.message and "sublicensable" in licence.message
    assert licence.source is not None and licence.source.line == 19
    assert licence.facts["redline"][0] == ["=", "2.2 Licence. You grant us a "]
    law = by_rule["governing-law-changed"]
    assert (law.before, law.after) == ("oregon", "delaware")
    # protective clauses that stayed are not reported
    assert "price-change-notice-removed" not in by_rule
    assert not report.passed


def test_split_paragraph_is_not_a_new_signal() -> None:
    old = "## Disputes\n\nAny dispute will be resolved by binding arbitration. You waive any right to a class action.\n"
    new = "## Disputes\n\nAny dispute will be resolved by binding arbitration.\n\nYou waive any right to a class action.\n"
    report = check(_terms(old, "a.md"), _terms(new, "b.md"), kind="terms", fail_on="info")
    assert [f.rule for f in report.findings if f.severity is not Severity.INFO] == []


def test_protection_added_is_info() -> None:
    old = "## Changes\n\nWe may change these terms.\n"
    new = old + "\nWe will notify you at least 30 days before any change to these terms takes effect.\n"
    report = check(_terms(old, "a.md"), _terms(new, "b.md"), kind="terms")
    assert [(f.rule, f.severity) for f in report.findings if f.rule == "terms-change-notice-added"] == [
        ("terms-change-notice-added", Severity.INFO)]
    assert report.passed


def test_configured_minimum_notice() -> None:
    revised = OLD.replace("at least 30 days before any change", "at least 7 days before any change")
    plain = check(_terms(OLD, "a.md"), _terms(revised, "b.md"), kind="terms")
    assert "terms-change-notice-below-minimum" not in {f.rule for f in plain.findings}
    from trustguard.config import Config

    strict = check(_terms(OLD, "a.md"), _terms(revised, "b.md"), kind="terms",
                   config=Config(terms={"min_change_notice_days": 15}))
    assert "terms-change-notice-below-minimum" in {f.rule for f in strict.findings}


def test_typo_detection_keeps_meaningful_words() -> None:
    assert is_trivial_edit("keep your pasword safe", "keep your password safe")
    assert not is_trivial_edit("we may share data", "we may not share data")
    assert not is_trivial_edit("notice of 30 days", "notice of 60 days")
    assert not is_trivial_edit("we shall refund", "we will refund")


def test_redline_merges_runs() -> None:
    assert redline("a b c d", "a x y d") == [["=", "a "], ["-", "b c "], ["+", "x y "], ["=", "d"]]


def test_numbers_in_legal_drafting() -> None:
    assert durations("thirty (30) days' notice and one (1) year and 24 hours and 45-day") == [30, 365, 1, 45]
    assert amounts("one hundred U.S. dollars ($100), US$1,000.50 and 10,000 USD") == [100, 1000.5, 10000]
