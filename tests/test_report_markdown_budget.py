"""The pull-request comment fits GitHub's limit (65,536 characters): a report over the
budget is shortened by size, blocker and major findings first, the rest summarised per
rule, with a line saying what was left out and where the full report is."""

from __future__ import annotations

import re

from test_report_formats import (
    make_finding,
    openapi_report,
    passing_report,
    pricing_report,
    terms_report,
)

from trustguard.model import Finding, Report, Severity, Waiver
from trustguard.report import render
from trustguard.report.markdown import GITHUB_LIMIT, size

_SEVERITIES = (Severity.BLOCKER, Severity.MAJOR, Severity.MINOR, Severity.INFO)


def _big_report(count: int = 20_000) -> Report:
    """``count`` findings over 40 rules, every severity, with long realistic messages."""
    report = passing_report()
    findings: list[Finding] = []
    for i in range(count):
        # 1 in 200 blocker, 1 in 20 major, then minor and info
        sev = Severity.BLOCKER if i % 200 == 0 else Severity.MAJOR if i % 20 == 1 else _SEVERITIES[2 + i % 2]
        findings.append(make_finding(
            f"rule-{sev.value}-{(i // 7) % 10}", sev, operation=f"GET /v1/resources/{i}/items",
            subject=f"data/items/properties/field_{i}", location=f"/paths/~1v1~1resources~1{i}~1items/get",
            message=f"removed the response property 'data/items/properties/field_{i}' for the '200' status "
                    "(a sentence long enough to be realistic)", fails=sev in (Severity.BLOCKER, Severity.MAJOR),
        ))
    findings.sort(key=Finding.sort_key)
    report.findings = findings
    report.waived = [make_finding("rule-waived", Severity.MAJOR, operation=f"GET /w/{i}", fails=False,
                                  waived=Waiver(rule="rule-waived", reason="accepted")) for i in range(300)]
    return report


def test_a_20000_finding_report_fits_githubs_limit() -> None:
    report = _big_report()
    out = render(report, "markdown")
    assert size(out) <= 60_000 < GITHUB_LIMIT
    # the verdict and counts come first, then blockers and majors, before anything else
    headings = re.findall(r"^#### (.+)$", out, flags=re.M)
    assert headings[:2] == ["\u26d4 Blocker (100)", "\U0001f534 Major (1000)"]
    assert headings[2:] == ["Summarised per rule", "Waived (300), per rule"]
    first_row = next(line for line in out.splitlines() if line.startswith("| \u274c |"))
    assert "rule-blocker-" in first_row
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    for f in blockers:  # every blocker listed in full (they fit), before any major
        assert f"`{f.subject}`" in out
    assert out.index("rule-blocker-") < out.index("rule-major-") < out.index("rule-minor-")
    # nothing minor or info is listed in a table or explained: it is summarised per rule
    assert "<summary><code>rule-minor" not in out and "<summary><code>rule-info" not in out
    summary = out[out.index("#### Summarised per rule"):]
    for n in range(10):
        assert re.search(rf"^\| \U0001f7e1 minor \| `rule-minor-{n}` \| [\d,]+ \| `GET /v1/resources/", summary, re.M)
        assert f"`rule-info-{n}`" in summary
    # the omission line says what was left out and where the full report is
    line = next(x for x in out.splitlines() if x.startswith("_This comment is shortened"))
    assert re.search(r"[\d,]+ of 20,000 findings are listed and [\d,]+ explained, blocker and major first; "
                     r"the other [\d,]+ are summarised per rule; the 300 waived are summarised per rule", line)
    assert "-f html" in line and "SARIF" in line and "artifact" in line
    assert out.rstrip().endswith("</sub>")


def test_the_budget_is_configurable_and_majors_that_do_not_fit_are_summarised() -> None:
    report = _big_report(4_000)
    out = render(report, "markdown", budget=20_000)
    assert size(out) <= 20_000
    major_rows = [x for x in out.splitlines() if x.startswith("| \u274c | `rule-major-")]
    assert 0 < len(major_rows) < 200  # some majors in full, the others ...
    assert "more major finding(s), summarised per rule below" in out
    assert re.search(r"^\| \U0001f534 major \| `rule-major-\d` \|", out, re.M)  # ... in the summary


def test_a_small_report_is_unchanged() -> None:
    for make in (openapi_report, pricing_report, terms_report, passing_report):
        report = make()
        out = render(report, "markdown")
        assert out == render(report, "markdown", budget=None)
        assert "shortened" not in out and "Summarised per rule" not in out
        assert out.count("<details>") - out.count("Impact details") == len(report.findings)


def test_the_budget_counts_as_github_does() -> None:
    # an emoji is two UTF-16 code units: GitHub counts them so, and so does the budget
    assert size("\U0001f534") == 2 and size("a") == 1
    report = _big_report(2_000)
    for budget in (8_000, 15_000, 30_000):
        assert size(render(report, "markdown", budget=budget)) <= budget


def _mixed_report(worst_first: bool) -> Report:
    """Findings of a few rules, with repeated subjects and several weights (findings
    reaching several operations), worst first or not."""
    report = passing_report()
    findings: list[Finding] = []
    for i in range(60):
        sev = _SEVERITIES[i % 4] if i % 5 else Severity.MAJOR
        ops = [f"GET /a/{i % 4}", f"GET /b/{i}"] if i % 3 == 0 else [f"GET /a/{i % 4}"]
        finding = make_finding(f"rule-{i % 3}", sev, operation=ops[0], subject=f"field_{i % 4}",
                               location=f"/components/schemas/S/properties/field_{i % 4}",
                               message=f"removed field_{i % 4}", fails=sev in (Severity.BLOCKER, Severity.MAJOR))
        if len(ops) > 1:
            finding.operations = ops
        findings.append(finding)
    if worst_first:
        findings.sort(key=Finding.sort_key)
    report.findings = findings
    return report


def test_what_a_shortened_comment_leaves_out_is_summarised_per_rule_for_any_rows_kept() -> None:
    # the summary read from one pass (markdown._LeftOut) is the one made anew from the
    # findings left out, whatever the rows kept; a report not worst first is summarised anew
    from trustguard.report import markdown

    for worst_first in (True, False):
        report = _mixed_report(worst_first)
        comment = markdown._Comment(report, verbose=False)
        ordered = comment.ordered()
        assert (ordered == report.findings) is worst_first
        for rows in range(len(ordered) + 2):
            kept = {id(f) for f in ordered[:rows]}
            rest = [f for f in report.findings if id(f) not in kept]
            expected = markdown._summary("Summarised per rule", rest, comment.summary_facts, comment.code)
            assert comment.left_out_summary(rows, kept) == expected, (worst_first, rows)
            assert bool(expected) is (rows < len(ordered))
    # and a shortened comment of it still fits and summarises what it leaves out
    out = render(_mixed_report(True), "markdown", budget=2_500)
    assert size(out) <= 2_500 and "#### Summarised per rule" in out
