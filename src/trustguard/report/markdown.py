"""Markdown for a pull-request comment (GitHub / GitLab flavour): the verdict and counts
first, then one table per severity and a collapsible explanation of each finding.

Everything that comes from user input (messages, names, clause text) is escaped, so a
pipe cannot break a table and a tag or an @mention cannot leak into the page.
"""

from __future__ import annotations

import html
import re

from ..model import AffectedEntity, Finding, Impact, Report
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
    report_details,
    rule_info,
    severity_counts,
    split_outer_space,
    subject_of,
    threshold_text,
    totals_rows,
    waiver_text,
)

_ICON = {"blocker": "\u26d4", "major": "\U0001f534", "minor": "\U0001f7e1", "info": "\U0001f535"}
_TITLE = {"blocker": "Blocker", "major": "Major", "minor": "Minor", "info": "Info"}
# A comment over 65,536 characters is refused by GitHub: past these limits the comment
# points to the full report instead (verbose lifts them).
_MAX_ROWS = 100
_MAX_DETAILS = 40
_TOP = 5

# Enough to keep user text inert inline: emphasis, code, links, tags, entities, table
# pipes, strikethrough and math. Line-start markers cannot occur (text is kept on one line
# and never starts a line).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~&$])")
_URL = re.compile(r"https?://[^\s<>\"`]+")


def md(text: str) -> str:
    """Inline Markdown text: special characters escaped, on one line, @mentions defused."""
    return _escape(" ".join(str(text).split()))


def _escape(text: str) -> str:
    # A zero-width space after @ keeps GitHub from notifying whoever the text names.
    return _MD_SPECIAL.sub(r"\\\1", text).replace("@", "@\u200b")


_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def md_rule(text: str) -> str:
    """Text written by a rule's author: its `code spans` stay code, the rest is escaped."""
    flat = " ".join(str(text).split())
    return "".join(
        code(part[1:-1]) if index % 2 else _escape(part) for index, part in enumerate(_CODE_SPAN.split(flat))
    )


def cell(text: str) -> str:
    return md(text) or " "


def code(text: str, *, in_table: bool = False) -> str:
    """A code span that survives any backticks (and pipes, in a table) in ``text``."""
    flat = " ".join(str(text).split())
    if not flat:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    body = flat.replace("|", "\\|") if in_table else flat
    return f"{fence}{pad}{body}{pad}{fence}"


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
            words = md(core)
            if op == "-":
                words = f"~~{words}~~"
            elif op == "+":
                words = f"**{words}**"
            lines[-1] += (" " if lead else "") + words + (" " if trail else "")
    return [f"> {re.sub(' {2,}', ' ', line).strip()}".rstrip() for line in lines]


def _reference(text: str) -> str:
    return f"<{text}>" if _URL.fullmatch(text) else md(text)


def _entity_table(kind: str, entities: list[AffectedEntity], verbose: bool) -> list[str]:
    shown = entities if verbose else entities[:_TOP]
    with_bill = any(e.bill_before is not None or e.bill_after is not None for e in shown)
    header = f"| {kind} | plan | revenue | traffic |" + (" bill before → after |" if with_bill else "")
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


def _impact_md(impact: Impact, verbose: bool) -> list[str]:
    out = [f"**Affects:** {md(impact_summary(impact))}", ""]
    for flag in impact.flags:
        out += [f"- \u26a0\ufe0f {md(flag)}"]
    if impact.flags:
        out.append("")
    if impact.top_customers:
        out += [*_entity_table("customer", impact.top_customers, verbose), ""]
    if impact.top_integrations:
        out += [*_entity_table("integration", impact.top_integrations, verbose), ""]
    return out


def _details(report: Report, finding: Finding, verbose: bool) -> list[str]:
    summary = f"<code>{html.escape(finding.rule)}</code> · {html.escape(subject_of(finding))}"
    out = ["<details>", f"<summary>{summary}</summary>", ""]
    out += [f"**{md_rule(finding.title)}.** {md(finding.message)}", ""]
    info = rule_info(finding, report.kind.value)
    if info.rationale:
        out += [f"**Why:** {md_rule(info.rationale)}", ""]
    if finding.remediation:
        out += [f"**Fix:** {md_rule(finding.remediation)}", ""]
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
        out += [md(operations_text([finding], 1000 if verbose else 10)), ""]
    out += [
        f"**Principle:** {finding.principle.value} · **kind:** {code(finding.kind)}"
        f" · **fingerprint:** {code(finding.fingerprint)}",
        "",
    ]
    if finding.waiver_expired is not None:
        out += [f"**Waiver expired** on {md(str(finding.waiver_expired.expires))}: {md(finding.waiver_expired.reason)}", ""]
    pairs = redline(finding)
    if pairs is not None:
        out += ["**Redline** (~~removed~~, **added**):", "", *_redline_md(pairs), ""]
    if finding.impact is not None:
        out += _impact_md(finding.impact, verbose)
    if finding.references:
        out += ["**References:** " + ", ".join(_reference(r) for r in finding.references), ""]
    out += ["</details>", ""]
    return out


def _table(report: Report, findings: list[Finding], with_impact: bool) -> list[str]:
    head = "| | rule | operation / subject | message |" + (" affected |" if with_impact else "")
    out = [head, "|:-:|---|---|---|" + ("---:|" if with_impact else "")]
    for f in findings:
        mark = "\u274c" if finding_fails(report, f) else ""
        subject = code(subject_of(f), in_table=True)
        detail = detail_of(f)
        if detail:
            subject += f" {code(detail, in_table=True)}"
        row = f"| {mark} | {code(f.rule, in_table=True)} | {subject} | {cell(f.message)} |"
        if with_impact:
            row += f" {f.impact.customers:,} |" if f.impact is not None else " - |"
        out.append(row)
    return out


def _header(report: Report) -> list[str]:
    verdict = "\u2705 PASS" if report.passed else "\u274c FAIL"
    out = [f"### trustguard: {verdict} · {report.kind.value}", ""]
    counts = " · ".join(f"{_ICON[sev]} {n} {sev}" for sev, n in severity_counts(report)) or "no findings"
    out.append(
        f"{code(report.base)} → {code(report.revision)} · {report.summary.changes:,} "
        f"change{'s' if report.summary.changes != 1 else ''} · {counts} · {counted(report.waived)} waived"
    )
    out.append("")
    failing = failing_count(report)
    if report.passed:
        out.append(f"No finding fails the policy ({md(threshold_text(report))}).")
    else:
        noun = "finding fails" if failing == 1 else "findings fail"
        out.append(f"**{failing} {noun} the policy** ({md(threshold_text(report))}).")
    out.append("")
    return out


def _totals(report: Report) -> list[str]:
    t = report.impact
    if t is None:
        return []
    out = ["#### Blast radius", "", "| | affected | total | share |", "|---|---:|---:|---:|"]
    for row in totals_rows(t):
        out.append(f"| {row.label} | {row.affected} | {row.total or ' '} | {row.share or ' '} |")
    out.append("")
    if t.flags:
        out += ["> [!CAUTION]", *[f"> **{md(flag)}**  " for flag in t.flags], ""]
    details = report_details(t)
    if details:
        out += ["<details>", "<summary>Impact details</summary>", "", "| | |", "|---|---:|"]
        out += [f"| {cell(key)} | {cell(value)} |" for key, value in details]
        out += ["", "</details>", ""]
    return out


def render_markdown(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    out = _header(report) + _totals(report)
    if report.warnings:
        out += ["> [!WARNING]", *[f"> {md(w)}  " for w in report.warnings], ""]
    details_left = None if verbose else _MAX_DETAILS
    omitted = 0
    with_impact = any(f.impact is not None for f in report.findings)
    for severity, group in by_severity(report.findings):
        out += [f"#### {_ICON[severity.value]} {_TITLE[severity.value]} ({counted(group)})", ""]
        shown = group if verbose else group[:_MAX_ROWS]
        out += [*_table(report, shown, with_impact), ""]
        if len(shown) < len(group):
            out += [f"_… and {len(group) - len(shown)} more {severity.value} finding(s)._", ""]
            omitted += len(group) - len(shown)
        for finding in shown:
            if details_left is not None and details_left <= 0:
                break
            out += _details(report, finding, verbose)
            if details_left is not None:
                details_left -= 1
    if report.waived:
        out += [f"#### Waived ({counted(report.waived)})", "", "| rule | operation / subject | reason | severity |", "|---|---|---|---|"]
        for f in report.waived:
            reason = waiver_text(f.waived) if f.waived is not None else ""
            out.append(f"| {code(f.rule, in_table=True)} | {code(subject_of(f), in_table=True)} | {cell(reason)} | {f.severity.value} |")
        out.append("")
    if omitted or (details_left is not None and details_left <= 0 and len(report.findings) > _MAX_DETAILS):
        out += ["_The comment is shortened; run `trustguard check -f html` (or `-v`) for every finding in full._", ""]
    out.append(f"<sub>trustguard {md(report.version)} · fail on {md(report.fail_on)}</sub>")
    return "\n".join(out) + "\n"

