"""Markdown for a pull-request comment (GitHub / GitLab flavour): the verdict and counts
first, then one table per severity and a collapsible explanation of each finding.

GitHub refuses a comment over 65,536 characters. A report that does not fit its budget
(60,000 by default) is shortened by size: blocker and major findings come first, in full
as far as they fit, and the rest is summarised per rule, with a line saying what was
left out and where the full report is.

Every value from the input goes through :mod:`trustguard.report.escape`, so a pipe
cannot break a table, and a newline, a tag, a link or an @mention cannot leak into the page.

A shortened comment is composed about twenty times while it is fitted (a binary search
on the rows kept): each piece of it (a row, a finding's details, a subject's code span,
what a per-rule summary reads of a finding, the waived summary) is made once
(Stripe's 6-month comment: 34 -> 27 ms), and the summary of what each composition
leaves out is read from one pass over the findings (:class:`_LeftOut`), not made anew
from every finding each time (24-26 -> 20-21 ms of CPU rendered again in one process,
33 -> 30 ms the first time in a fresh one).
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left
from collections.abc import Callable
from itertools import accumulate

from ..model import AffectedEntity, Finding, Impact, Report, Severity
from . import MARKDOWN_BUDGET, escape, words
from .common import (
    by_severity,
    counted,
    detail_of,
    entity_bill,
    failing_count,
    finding_fails,
    impact_summary,
    operations_text,
    position,
    redline,
    rule_info,
    severity_counts,
    split_outer_space,
    subject_of,
    threshold_text,
    totals_rows,
    waiver_text,
)
from .markdown_notices import drafts_section, notices_head

GITHUB_LIMIT = 65_536  # characters GitHub accepts in one comment
DEFAULT_BUDGET = MARKDOWN_BUDGET

_ICON = {"blocker": "\u26d4", "major": "\U0001f534", "minor": "\U0001f7e1", "info": "\U0001f535"}
_TITLE = {"blocker": "Blocker", "major": "Major", "minor": "Minor", "info": "Info"}
_IN_FULL = (Severity.BLOCKER, Severity.MAJOR)  # what a shortened comment keeps first
_TOP = 5
_EXAMPLES = 3
_WARNINGS_SHORT = 20
_URL = re.compile(r"https?://[^\s<>\"`\\]+")

# the names this module used before the escaping moved to report/escape.py
md = escape.md_text
cell = escape.md_cell
code = escape.md_code

_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def md_rule(text: str) -> str:
    """Text written by a rule's author: its `code spans` stay code, the rest is escaped."""
    flat = escape.one_line(text)
    return "".join(
        code(part[1:-1]) if index % 2 else escape.md_fragment(part)
        for index, part in enumerate(_CODE_SPAN.split(flat))
    )


def size(text: str) -> int:
    """Length as GitHub counts it (UTF-16 code units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _redline_md(pairs: list[tuple[str, str]]) -> list[str]:
    """The redline as a quoted paragraph: deletions ~~struck~~, insertions **bold**.

    Markers hug the words (never the spaces around them) or Markdown ignores them.
    """
    lines = [""]
    for op, text in pairs:
        for index, chunk in enumerate(text.split("\n")):
            if index:
                lines.append("")
            lead, core, trail = split_outer_space(chunk)
            if not core:
                lines[-1] += " " if chunk else ""
                continue
            words_ = md(core)
            if op == "-":
                words_ = f"~~{words_}~~"
            elif op == "+":
                words_ = f"**{words_}**"
            lines[-1] += (" " if lead else "") + words_ + (" " if trail else "")
    # each line stays a line of the quote: no heading, list or underline from the clause text
    return [f"> {escape.md_line_start(re.sub(' {2,}', ' ', line).strip())}".rstrip() for line in lines]


def _reference(text: str) -> str:
    # an author's link stays a link; anything else is text
    return f"<{text}>" if _URL.fullmatch(text) else md(text)


def _entity_table(kind: str, entities: list[AffectedEntity], verbose: bool, currency: str | None) -> list[str]:
    shown = entities if verbose else entities[:_TOP]
    with_bill = any(e.bill_before is not None or e.bill_after is not None for e in shown)
    unit = f"{currency} a month" if currency else "a month"
    header = f"| {kind} | plan | revenue ({unit}) | requests |" + (" bill before → after |" if with_bill else "")
    rule = "|---|---|---:|---:|" + ("---:|" if with_bill else "")
    rows = [header, rule]
    for e in shown:
        name = cell(e.name or e.id) + (f" ({code(e.id, in_table=True)})" if e.name and e.name != e.id else "")
        row = f"| {name} | {cell(e.plan or '-')} | {e.revenue:,.2f} | {e.traffic:,} |"
        if with_bill:
            row += f" {cell(entity_bill(e) or '-')} |"
        rows.append(row)
    if len(entities) > len(shown):
        rows.append(f"| … and {len(entities) - len(shown)} more | | | |" + (" |" if with_bill else ""))
    return rows




def _impact_md(ctx: words.RenderContext, impact: Impact) -> list[str]:
    out = [f"**Affects:** {md(impact_summary(impact, ctx.currency))}", ""]
    for flag in impact.flags:
        out += [f"- \u26a0\ufe0f {md(ctx.flags(flag, impact.details))}"]
    if impact.flags:
        out.append("")
    if impact.top_customers:
        out += [*_entity_table("customer", impact.top_customers, ctx.verbose, ctx.currency), ""]
    if impact.top_integrations:
        out += [*_entity_table("integration", impact.top_integrations, ctx.verbose, ctx.currency), ""]
    return out


def _details(ctx: words.RenderContext, finding: Finding) -> list[str]:
    summary = f"<code>{escape.md_html(finding.rule)}</code> · {escape.md_html(subject_of(finding))}"
    out = ["<details>", f"<summary>{summary}</summary>", ""]
    info = rule_info(ctx.report, finding)
    out += [f"**{md_rule(info.title)}.** {md(finding.message)}", ""]
    if info.rationale:
        out += [f"**Why:** {md_rule(info.rationale)}", ""]
    if info.remediation:
        out += [f"**Fix:** {md_rule(info.remediation)}", ""]
    where = position(finding)
    place = [f"file {code(where)}"] if where else []
    if finding.location:
        place.append(f"pointer {code(finding.location)}")
    detail = detail_of(finding)
    if detail:
        place.append(f"subject {code(detail)}")
    if place:
        out += [f"**Where:** {' · '.join(place)}", ""]
    if len(finding.operations) > 1:
        out += [md(operations_text([finding], 1000 if ctx.verbose else 10)), ""]
    out += [
        f"**Principle:** {md(info.principle.value)} · **kind:** {code(finding.kind)}"
        f" · **fingerprint:** {code(finding.fingerprint)}",
        "",
    ]
    if ctx.report.release is not None:
        from .release import finding_rows

        out += [f"**{row.label.capitalize()}:** {md(row.value)}  " for row in finding_rows(ctx.report, finding)]
        out.append("")
    if finding.waiver_expired is not None:
        out += [f"**Waiver expired** on {md(str(finding.waiver_expired.expires))}: {md(finding.waiver_expired.reason)}", ""]
    pairs = redline(finding)
    if pairs is not None:
        out += ["**Redline** (~~removed~~, **added**):", "", *_redline_md(pairs), ""]
    if finding.impact is not None:
        out += _impact_md(ctx, finding.impact)
    if info.references:
        out += ["**References:** " + ", ".join(_reference(r) for r in info.references), ""]
    out += ["</details>", ""]
    return out


def _table_head(with_impact: bool) -> list[str]:
    head = "| | rule | operation / subject | message |" + (" customers |" if with_impact else "")
    return [head, "|:-:|---|---|---|" + ("---:|" if with_impact else "")]


def _row(report: Report, f: Finding, with_impact: bool) -> str:
    mark = "\u274c" if finding_fails(report, f) else ""
    subject = code(subject_of(f), in_table=True)
    detail = detail_of(f)
    if detail:
        subject += f" {code(detail, in_table=True)}"
    row = f"| {mark} | {code(f.rule, in_table=True)} | {subject} | {cell(f.message)} |"
    if with_impact:
        row += f" {f.impact.customers:,} |" if f.impact is not None else " - |"
    return row


def _header(report: Report) -> list[str]:
    verdict = "\u2705 PASS" if report.passed else "\u274c FAIL"
    out = [f"### trustguard: {verdict} · {report.kind.value}", ""]
    counts = " · ".join(f"{_ICON[sev]} {n} {sev}" for sev, n in severity_counts(report)) or "no findings"
    out.append(
        f"{code(report.base)} → {code(report.revision)} · {report.summary.changes:,} "
        f"change{'s' if report.summary.changes != 1 else ''} · {counts} · {counted(report.waived)} waived"
    )
    out.append("")
    if report.release is not None:  # a release: its dates, notice and announcement first
        from .release import summary_rows

        out[0] = f"### trustguard: {verdict} · release {md(report.release.name)}"
        out += ["| | |", "|---|---|", *[f"| {cell(r.label)} | {cell(r.value)} |" for r in summary_rows(report.release)],
                ""]
    failing = failing_count(report)
    if report.passed:
        out.append(f"No finding fails the policy ({md(threshold_text(report))}).")
    else:
        noun = "finding fails" if failing == 1 else "findings fail"
        out.append(f"**{failing} {noun} the policy** ({md(threshold_text(report))}).")
    out.append("")
    return out


def _totals(ctx: words.RenderContext) -> list[str]:
    t = ctx.report.impact
    if t is None:
        return []
    out = ["#### Blast radius", "", "| | affected | total | share |", "|---|---:|---:|---:|"]
    for row in totals_rows(t):
        out.append(f"| {row.label} | {row.affected} | {row.total or ' '} | {row.share or ' '} |")
    out.append("")
    if t.flags:
        out += ["> [!CAUTION]", *[f"> **{md(ctx.flags(flag, t.details))}**  " for flag in t.flags], ""]
    rows = [r for r in words.detail_rows(t, ctx.report.findings) if ctx.verbose or not r.verbose_only]
    if rows:
        out += ["<details>", "<summary>Impact details</summary>", "", "| | |", "|---|---:|"]
        out += [f"| {cell(r.label)} | {cell(r.value)} |" for r in rows]
        out += ["", "</details>", ""]
    return out


def _warnings(report: Report, limit: int | None) -> list[str]:
    if not report.warnings:
        return []
    shown = report.warnings if limit is None else report.warnings[:limit]
    out = ["> [!WARNING]", *[f"> {escape.md_line_start(md(w))}  " for w in shown]]
    if len(shown) < len(report.warnings):
        out.append(f"> … and {len(report.warnings) - len(shown):,} more warning(s), in the full report.")
    return [*out, ""]


def _footer(report: Report) -> list[str]:
    return [f"<sub>trustguard {md(report.version)} · fail on {md(report.fail_on)}</sub>"]


class _Comment:
    """The pieces of the comment, each rendered once, put together in full or shortened."""

    def __init__(self, report: Report, verbose: bool) -> None:
        self.report = report
        self.ctx = words.RenderContext.of(report, verbose)
        self.with_impact = any(f.impact is not None for f in report.findings)
        self.head = _header(report) + _totals(self.ctx) + notices_head(report)
        self.groups = by_severity(report.findings)
        self._rows: dict[int, str] = {}
        self._details: dict[int, list[str]] = {}
        self._subjects: dict[int, str] = {}
        # weights read once: a shortened comment is composed a dozen times over every finding
        self._weights = {id(f): f.weight for f in (*report.findings, *report.waived)}
        self._codes: dict[str, str] = {}  # code(text, in_table=True) of each text, made once
        self._waived_summary: list[str] | None = None  # the same in every shortened comment
        self._summary_facts: dict[int, _SummaryFacts] = {}
        self._left_out: _LeftOut | None = None  # made by the first shortened comment
        # the totals of the lists the comment keeps (alive as long as it: their ids are theirs)
        self._totals = {id(group): counted(group) for group in (report.findings, *(g for _, g in self.groups))}

    def count(self, findings: list[Finding]) -> int:
        """:func:`counted`, from the weights read once (a list the comment holds, once)."""
        total = self._totals.get(id(findings))
        if total is None:
            weights = self._weights
            total = sum(weights[id(f)] for f in findings)
        return total

    def summary_facts(self, finding: Finding) -> _SummaryFacts:
        """What a per-rule summary reads of ``finding``, read once (a shortened comment
        summarises the findings it leaves out a dozen times while it is fitted)."""
        key = id(finding)
        facts = self._summary_facts.get(key)
        if facts is None:
            facts = self._summary_facts[key] = ((-finding.severity.rank, finding.rule), finding.severity.value,
                                                self.subject(finding), self._weights[key])
        return facts

    def code(self, text: str) -> str:
        """``code(text, in_table=True)``, each text made once (a shortened comment is
        composed a dozen times, each summary naming the same subjects)."""
        made = self._codes.get(text)
        if made is None:
            made = self._codes[text] = code(text, in_table=True)
        return made

    def row(self, finding: Finding) -> str:
        key = id(finding)
        if key not in self._rows:
            self._rows[key] = _row(self.report, finding, self.with_impact)
        return self._rows[key]

    def subject(self, finding: Finding) -> str:
        key = id(finding)
        if key not in self._subjects:
            self._subjects[key] = subject_of(finding)
        return self._subjects[key]

    def details(self, finding: Finding) -> list[str]:
        # rendered in reading order the first time, so a flag is explained where it first appears
        key = id(finding)
        if key not in self._details:
            self._details[key] = _details(self.ctx, finding)
        return self._details[key]

    def full(self, budget: int | None) -> str | None:
        """The whole comment, or None as soon as it is over ``budget``."""
        out = self.head + _warnings(self.report, None)
        used = size("\n".join(out))

        def add(lines: list[str]) -> bool:
            nonlocal used
            out.extend(lines)
            used += sum(size(line) + 1 for line in lines)
            return budget is None or used <= budget

        for severity, group in self.groups:
            heading = [f"#### {_ICON[severity.value]} {_TITLE[severity.value]} ({counted(group)})", ""]
            if not add([*heading, *_table_head(self.with_impact), *(self.row(f) for f in group), ""]):
                return None
            for finding in group:
                if not add(self.details(finding)):
                    return None
        if not add(self.waived_table()):
            return None
        footer = _footer(self.report)
        # the drafts last, as many as the budget leaves room for: never at the findings' cost
        room = None if budget is None else budget - used - sum(size(line) + 1 for line in footer)
        text = "\n".join([*out, *drafts_section(self.report, room), *footer]) + "\n"
        if budget is not None and size(text) > budget:  # the drafts never cost the findings their place
            text = "\n".join(out + footer) + "\n"
        return text if budget is None or size(text) <= budget else None

    def waived_table(self) -> list[str]:
        if not self.report.waived:
            return []
        out = [f"#### Waived ({counted(self.report.waived)})", "",
               "| rule | operation / subject | reason | severity |", "|---|---|---|---|"]
        for f in self.report.waived:
            reason = waiver_text(f.waived) if f.waived is not None else ""
            out.append(f"| {code(f.rule, in_table=True)} | {code(subject_of(f), in_table=True)} | {cell(reason)} | {f.severity.value} |")
        return [*out, ""]

    def in_full(self) -> list[Finding]:
        """Blocker and major findings, worst first: what a shortened comment keeps first."""
        return [f for sev, group in self.groups if sev in _IN_FULL for f in group]

    def ordered(self) -> list[Finding]:
        """Every finding, worst first: the order in which rows are kept."""
        return [f for _, group in self.groups for f in group]

    def shortened(self, rows: int, explained: list[Finding]) -> str:
        """The first ``rows`` findings (worst first) as table rows, ``explained`` of them
        with their details; everything else summarised per rule."""
        kept = self.ordered()[:rows]
        kept_ids = {id(f) for f in kept}
        explained_ids = {id(f) for f in explained}
        out = self.head + _warnings(self.report, _WARNINGS_SHORT)
        for severity, group in self.groups:
            shown = [f for f in group if id(f) in kept_ids]
            if not shown and severity not in _IN_FULL:
                continue  # all of it is in the summary
            out += [f"#### {_ICON[severity.value]} {_TITLE[severity.value]} ({self.count(group)})", ""]
            if shown:
                out += [*_table_head(self.with_impact), *(self.row(f) for f in shown), ""]
            if len(shown) < len(group):
                out += [f"_… and {self.count(group) - self.count(shown):,} more {severity.value} finding(s), "
                        "summarised per rule below._", ""]
            for finding in shown:
                if id(finding) in explained_ids:
                    out += self.details(finding)
        out += self.left_out_summary(rows, kept_ids)
        if self.report.waived:
            if self._waived_summary is None:
                self._waived_summary = _summary(f"Waived ({counted(self.report.waived)}), per rule",
                                                self.report.waived, self.summary_facts, self.code)
            out += self._waived_summary
        out += [self.omission(kept, explained), ""]
        return "\n".join(out + _footer(self.report)) + "\n"

    def left_out_summary(self, rows: int, kept_ids: set[int]) -> list[str]:
        """The per-rule summary of the findings the first ``rows`` (worst first) leave out."""
        if self._left_out is None:
            self._left_out = _LeftOut(self.report.findings, self.ordered(), self.summary_facts, self.code)
        if self._left_out.worst_first:
            return self._left_out.summary(_LEFT_OUT_TITLE, rows)
        rest = [f for f in self.report.findings if id(f) not in kept_ids]
        return _summary(_LEFT_OUT_TITLE, rest, self.summary_facts, self.code)

    def omission(self, kept: list[Finding], explained: list[Finding]) -> str:
        listed, total, told = self.count(kept), self.count(self.report.findings), self.count(explained)
        if listed < total:
            what = (f"{listed:,} of {total:,} findings are listed and {told:,} explained, blocker and major "
                    f"first; the other {total - listed:,} are summarised per rule")
        else:
            what = f"all {total:,} findings are listed, {told:,} of them explained, blocker and major first"
        if self.report.waived:
            what += f"; the {counted(self.report.waived):,} waived are summarised per rule"
        return (
            f"_This comment is shortened to fit GitHub's limit of {GITHUB_LIMIT:,} characters: {what}. "
            "The full report: run `trustguard check -f html -o report.html` (every finding explained), "
            "see the SARIF upload in code scanning, or the report in the workflow's artifacts._"
        )


#: what a per-rule summary reads of a finding: (-severity rank, rule), severity, subject, weight
_SummaryFacts = tuple[tuple[int, str], str, str, int]
_LEFT_OUT_TITLE = "Summarised per rule"
_SUMMARY_HEAD = ["| severity | rule | findings | for example |", "|---|---|---:|---|"]


class _LeftOut:
    """:func:`_summary` of the findings a shortened comment leaves out, for any number of
    rows kept, read from one pass over them.

    A shortened comment is composed about twenty times while it is fitted, each time
    summarising what it leaves out: summarised anew, that is every finding read again
    each time (~9 ms of the ~35 Stripe's comment took). When the report lists its
    findings worst first (a check's report does), the rows kept are its first ones, so
    what is left out is the rest of the list from some finding on, and each rule's part
    of it is that rule's findings from some finding on: its count of findings and of
    subjects from each of them on are summed once, and a summary reads those per rule."""

    def __init__(self, findings: list[Finding], ordered: list[Finding], facts: Callable[[Finding], _SummaryFacts],
                 code_of: Callable[[str], str]) -> None:
        # whether the comment keeps the rows in the list's own order (what it leaves out
        # is then the rest of the list); if not, the caller summarises as _summary does
        self.worst_first = len(ordered) == len(findings) and all(map(operator.is_, ordered, findings))
        self.code_of = code_of
        self.rules: list[tuple[list[int], list[_SummaryFacts], list[int], list[int]]] = []
        if not self.worst_first:
            return
        groups: dict[tuple[int, str], list[tuple[int, _SummaryFacts]]] = {}
        for index, finding in enumerate(findings):
            one = facts(finding)
            groups.setdefault(one[0], []).append((index, one))
        # per rule, in the summary's order: where its findings are in the list, their
        # facts, and from each of them on, their weight and number of subjects
        for _, members in sorted(groups.items()):
            group = [one for _, one in members]
            weights = list(accumulate(one[3] for one in reversed(group)))[::-1]
            seen: set[str] = set()
            distinct = []
            for one in reversed(group):
                seen.add(one[2])
                distinct.append(len(seen))
            self.rules.append(([index for index, _ in members], group, weights, distinct[::-1]))

    def summary(self, title: str, rows: int) -> list[str]:
        """``_summary(title, findings[rows:], ...)``."""
        out = []
        for positions, facts, weights, distinct in self.rules:
            at = bisect_left(positions, rows)
            if at == len(positions):
                continue  # every finding of the rule is kept
            examples: list[str] = []
            for index in range(at, len(facts)):
                subject = facts[index][2]
                if subject not in examples:
                    examples.append(subject)
                    if len(examples) == _EXAMPLES:
                        break
            shown = ", ".join(self.code_of(x) for x in examples)
            more = distinct[at] - len(examples)
            if more > 0:
                shown += f" (+{more:,} more)"
            sev, rule_id = facts[at][1], facts[at][0][1]
            out.append(f"| {_ICON[sev]} {sev} | {self.code_of(rule_id)} | {weights[at]:,} | {shown or ' '} |")
        return [f"#### {title}", "", *_SUMMARY_HEAD, *out, ""] if out else []


def _summary(title: str, findings: list[Finding], facts: Callable[[Finding], _SummaryFacts],
             code_of: Callable[[str], str]) -> list[str]:
    """One row per severity and rule: how many, and a few examples of where."""
    if not findings:
        return []
    groups: dict[tuple[int, str], list[_SummaryFacts]] = {}
    for one in map(facts, findings):
        groups.setdefault(one[0], []).append(one)
    out = [f"#### {title}", "", "| severity | rule | findings | for example |", "|---|---|---:|---|"]
    for (_, rule_id), group in sorted(groups.items()):
        sev = group[0][1]
        subjects = list(dict.fromkeys([one[2] for one in group]))
        examples = subjects[:_EXAMPLES]
        shown = ", ".join(code_of(x) for x in examples)
        more = len(subjects) - len(examples)
        if more > 0:
            shown += f" (+{more:,} more)"
        out.append(f"| {_ICON[sev]} {sev} | {code_of(rule_id)} | {sum(one[3] for one in group):,} | {shown or ' '} |")
    return [*out, ""]


def render_markdown(
    report: Report, *, color: bool = False, verbose: bool = False, budget: int | None = DEFAULT_BUDGET
) -> str:
    """The comment; past ``budget`` characters (None: no bound) it is shortened by size."""
    comment = _Comment(report, verbose)
    full = comment.full(budget)
    if full is not None:
        return full
    assert budget is not None
    return _fit(comment, budget)


def _fit(comment: _Comment, budget: int) -> str:
    """Blocker and major findings first: as many of their rows as fit, then their details;
    only when all of those fit, the other findings' rows, then their details."""
    ordered = comment.ordered()
    first = len(comment.in_full())
    rows = _most_rows(comment, budget, 0, first, [])
    explained = _explain(comment, budget, rows, ordered[:rows])
    if rows == first and len(explained) == first and first < len(ordered):
        rows = _most_rows(comment, budget, first, len(ordered), explained)
        explained = _explain(comment, budget, rows, ordered[first:rows], explained)
    return comment.shortened(rows, explained)


def _most_rows(comment: _Comment, budget: int, low: int, high: int, explained: list[Finding]) -> int:
    """The most rows, between ``low`` and ``high``, that fit with these findings explained."""
    while low < high:
        mid = (low + high + 1) // 2
        if size(comment.shortened(mid, explained)) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def _explain(
    comment: _Comment, budget: int, rows: int, candidates: list[Finding], explained: list[Finding] | None = None
) -> list[Finding]:
    """``explained`` and as many of ``candidates`` (in order) as fit."""
    chosen = list(explained or [])
    used = size(comment.shortened(rows, chosen))
    for finding in candidates:
        cost = size("\n".join(comment.details(finding))) + 1
        if used + cost > budget:
            break
        used += cost
        chosen.append(finding)
    while chosen and size(comment.shortened(rows, chosen)) > budget:  # a figure in the omission line grew
        chosen.pop()
    return chosen
