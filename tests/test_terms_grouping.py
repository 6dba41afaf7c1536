"""One finding per issue: a signal added across many clauses is one finding listing them,
distinct issues stay distinct, and a clause's redline is shown once in a report."""

from __future__ import annotations

from trustguard.api import check
from trustguard.model import Report, Severity
from trustguard.report import render

CLAUSES = [
    "Any dispute between you and us shall be resolved by binding arbitration{extra}.",
    "The arbitration shall be conducted by a single arbitrator under binding arbitration rules{extra}.",
    "Binding arbitration applies to claims about billing{extra}.",
    "Binding arbitration applies to claims about privacy{extra}.",
]

BASE = "# Terms\n\n## 1. Service\n\nWe provide a notes service.\n\n## 2. Disputes\n\n" + "\n\n".join(
    c.format(extra=" for residents of the United States") for c in CLAUSES) + "\n"
CANADA = BASE.replace("for residents of the United States", "for residents of the United States and Canada")


def _check(old: str, new: str) -> Report:
    return check({"text": old, "name": "old.md"}, {"text": new, "name": "new.md"}, kind="terms")


def test_arbitration_extended_across_clauses_is_one_finding_listing_them() -> None:
    report = _check(BASE, CANADA)
    extended = [f for f in report.findings if f.rule == "forced-arbitration-extended"]
    assert len(extended) == 1
    finding = extended[0]
    assert finding.severity is Severity.MAJOR
    assert finding.facts["clause_count"] == 4
    assert [c["sentence"] for c in finding.facts["grouped_clauses"]] == [
        c.format(extra=" for residents of the United States and Canada") for c in CLAUSES]
    assert "and 3 more clauses" in finding.message
    # every clause's words are in the one finding's redline
    added = "".join(text for op, text in finding.facts["redline"] if op == "+")
    assert added.count("Canada") == 4


def test_one_clause_is_one_finding_without_a_more_clauses_note() -> None:
    new = BASE.replace("claims about billing for residents of the United States",
                       "claims about billing for residents of the United States and Canada")
    extended = [f for f in _check(BASE, new).findings if f.rule == "forced-arbitration-extended"]
    assert len(extended) == 1 and extended[0].facts["clause_count"] == 1
    assert "more clause" not in extended[0].message


def test_distinct_issues_stay_distinct_findings() -> None:
    new = CANADA.replace("We provide a notes service.",
                         "We provide a notes service. We may terminate your account at any time for any reason.")
    rules = {f.rule for f in _check(BASE, new).findings if f.severity.at_least(Severity.MAJOR)}
    assert "forced-arbitration-extended" in rules
    assert {r for r in rules if r.startswith("account-termination")}


def test_a_clauses_redline_is_shown_once_in_a_report() -> None:
    # one new clause carrying two signals: arbitration and a class-action waiver
    clause = ("Any dispute shall be resolved by binding individual arbitration, and you waive any right to bring "
              "or take part in a class action.")
    old = "# Terms\n\n## 1. Service\n\nWe provide a notes service.\n"
    new = old + f"\n## 2. Disputes\n\n{clause}\n"
    report = _check(old, new)
    on_clause = [f for f in report.findings if f.facts.get("sentence") == clause]
    assert {f.rule for f in on_clause} >= {"forced-arbitration-added", "class-action-waiver-added"}
    with_redline = [f for f in on_clause if f.facts["redline"]]
    assert len(with_redline) == 1
    others = [f for f in on_clause if not f.facts["redline"]]
    assert others and all(f.facts["redline_shown_with"] == [with_redline[0].rule] for f in others)
    markdown = render(report, "markdown")
    assert markdown.count("**Redline**") == 1


def test_the_same_terms_reflowed_give_nothing_above_info() -> None:
    reflowed = CANADA.replace(". The arbitration", ".\nThe arbitration").replace("conducted by a single",
                                                                                 "conducted\nby a single")
    report = _check(CANADA, reflowed)
    assert not [f for f in report.findings if f.severity.at_least(Severity.MINOR)]
