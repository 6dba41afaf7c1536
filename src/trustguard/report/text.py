"""Plain text for a terminal, in the manner of ruff and oasdiff: one block per finding, worst
first, a summary and the verdict last (where the eye lands). Colour only when asked."""

from __future__ import annotations

from ..model import Change, Finding, Report, reach_label
from . import words
from .common import (
    by_severity,
    counted,
    detail_of,
    entity_bill,
    entity_label,
    failing_count,
    finding_fails,
    group_by_place,
    group_subject,
    has_impact,
    impact_summary,
    operations_of,
    operations_text,
    position,
    reaches_many,
    redline,
    severity_counts,
    split_outer_space,
    subject_of,
    threshold_text,
    totals_rows,
    waiver_text,
)
from .escape import guard_lines, terminal

_SEVERITY_STYLE = {"blocker": "1;31", "major": "31", "minor": "33", "info": "36"}
_TOP = 5


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def bold(self, text: str) -> str:
        return self("1", text)

    def dim(self, text: str) -> str:
        return self("2", text)

    def severity(self, severity: str, text: str) -> str:
        return self(_SEVERITY_STYLE[severity], text)


# User text on one line, its control characters shown (\x1b), never sent to the terminal.
_clean = terminal


def _redline_text(pairs: list[tuple[str, str]], style: _Style) -> str:
    """Git's word-diff notation: [-deleted-]{+inserted+}, coloured when asked."""
    out = ""
    for op, text in pairs:
        lead, core, trail = split_outer_space(text)
        core = _clean(core)
        if not core:
            out += " " if text else ""
            continue
        if op == "-":
            core = style("31", f"[-{core}-]")
        elif op == "+":
            core = style("32", f"{{+{core}+}}")
        out += (" " if lead else "") + core + (" " if trail else "")
    return " ".join(out.split())


def _group_block(
    report: Report, group: list[Finding], style: _Style, verbose: bool, flags: words.FlagWords
) -> list[str]:
    """One change at one place; a shared schema reached by several operations is one
    entry naming them, not one entry per operation (the JSON report keeps them all)."""
    if not reaches_many(group):
        return _finding_block(report, group[0], style, verbose, flags=flags)
    operations = operations_of(group)  # sorted once for both
    lines = _finding_block(report, group[0], style, verbose, with_impact=False,
                           subject=group_subject(group, operations))
    lines.insert(2, f"  {style.dim(_clean(operations_text(group, 1000 if verbose else 5, operations)))}")
    customers = {c for f in group if f.impact for c in f.impact.customer_ids}
    integrations = {i for f in group if f.impact for i in f.impact.integration_ids}
    if customers or integrations:
        lines.append(f"  {style.dim('affects')} {len(customers)} customer(s) and "
                     f"{len(integrations)} integration(s) through these operations")
    return lines


def _finding_block(
    report: Report, finding: Finding, style: _Style, verbose: bool, *, with_impact: bool = True,
    subject: str | None = None, flags: words.FlagWords | None = None,
) -> list[str]:
    flags = flags or words.FlagWords()
    currency = words.currency_of(report.impact)
    sev = finding.severity.value
    where = position(finding) or finding.location or "-"
    label = style.severity(sev, sev.upper() if finding_fails(report, finding) else sev)
    head = f"{style.bold(_clean(where))}: {label} {style.bold(_clean(finding.rule))}"
    subject = subject or subject_of(finding)
    lines = [f"{head}  {_clean(subject)}"]
    detail = detail_of(finding)
    message = _clean(finding.message)
    lines.append(f"  {message}" + (style.dim(f"  ({_clean(detail)})") if detail and detail not in message else ""))
    if finding.waiver_expired is not None:
        w = finding.waiver_expired
        lines.append(style("33", f"  ! its waiver expired on {_clean(str(w.expires))}: {_clean(w.reason)}"))
    pairs = redline(finding)
    if verbose:
        if finding.remediation:
            lines.append(f"  {style.dim('fix:')} {_clean(finding.remediation)}")
        if pairs is not None:
            lines.append(f"  {style.dim('redline:')} {_redline_text(pairs, style)}")
        lines.append(style.dim(f"  at {_clean(finding.location or '-')}  fingerprint {_clean(finding.fingerprint)}"))
    if report.release is not None:
        from .release import finding_rows

        lines.extend(f"  {style.dim(row.label + ':')} {_clean(row.value)}" for row in finding_rows(report, finding))
    if with_impact and has_impact(finding) and finding.impact is not None:
        imp = finding.impact
        lines.append(f"  {style.dim('affects')} {_clean(impact_summary(imp, currency))}")
        limit = None if verbose else _TOP
        for title, entities in (("customers", imp.top_customers), ("integrations", imp.top_integrations)):
            if not entities:
                continue
            shown = entities[:limit] if limit else entities
            names = []
            for entity in shown:
                bill = entity_bill(entity)
                names.append(_clean(entity_label(entity)) + (f" [{bill}]" if bill else ""))
            more = len(entities) - len(shown)
            lines.append(f"    top {title}: {', '.join(names)}" + (f" (+{more} more)" if more > 0 else ""))
        for flag in imp.flags:
            lines.append(style("33", f"    ! {_clean(flags(flag, imp.details))}"))
    return lines


def _short(value: object) -> str:
    text = _clean(str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _change_line(change: Change) -> str:
    """One change, unjudged: where, what kind, on what, from what to what."""
    where = f"{change.source.file}:{change.source.line}" if change.source and change.source.line else change.location
    parts = [_clean(where), _clean(change.kind)]
    if change.operations:
        parts.append(_clean(reach_label(change.operations)))
    if change.subject:
        parts.append(_clean(change.subject))
    text = "  ".join(parts)
    if change.before is not None or change.after is not None:
        text += f": {_short(change.before)} -> {_short(change.after)}"
    return text


def render_text(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    style = _Style(color)
    lines = [style.bold(f"trustguard {report.kind.value}: {_clean(report.base)} -> {_clean(report.revision)}"), ""]
    if report.release is not None:  # a release: its dates, notice and announcement first
        from .release import summary_rows

        lines[0] = style.bold(f"trustguard release: {_clean(report.release.name)}")
        lines[1:] = [f"  {row.label}: {_clean(row.value)}" for row in summary_rows(report.release)] + [""]
    flags = words.FlagWords()
    if report.impact is not None:
        # the blast radius comes first: it is what a release owner reads before any finding
        t = report.impact
        parts = []
        for row in totals_rows(t):
            if row.total:
                parts.append(f"{row.label} {row.affected} of {row.total} ({row.share})")
            else:
                parts.append(f"{row.affected} {row.label if row.affected != '1' else row.label[:-1]}")
        lines.append(style.bold("impact: ") + ", ".join(parts))
        for flag in t.flags:
            lines.append(style("33", f"  ! {_clean(flags(flag, t.details))}"))
        for detail in words.detail_rows(t, report.findings):
            if verbose or not detail.verbose_only:
                lines.append(f"  {_clean(detail.label)}: {_clean(detail.value)}")
        lines.append("")
    for _severity, findings in by_severity(report.findings):
        for group in group_by_place(report, findings):
            lines.extend(_group_block(report, group, style, verbose, flags))
            lines.append("")
    if report.waived:
        if verbose:
            lines.append(style.bold(f"Waived ({counted(report.waived)}):"))
            for finding in report.waived:
                reason = waiver_text(finding.waived) if finding.waived else ""
                lines.append(f"  {finding.severity.value} {_clean(finding.rule)}  {_clean(subject_of(finding))}: {_clean(reason)}")
            lines.append("")
    if report.changes is not None:
        lines.append(style.bold(f"Changes ({len(report.changes)}):"))
        for change in report.changes:
            lines.append("  " + _change_line(change))
        lines.append("")
    s = report.summary
    counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(report))
    total = counted(report.findings)
    noun = "finding" if total == 1 else "findings"
    summary = f"{total} {noun}" + (f" ({counts})" if counts else "")
    summary += f", {counted(report.waived)} waived, {s.changes} change{'s' if s.changes != 1 else ''}"
    if report.waived and not verbose:
        summary += " (-v lists the waived findings)"
    lines.append(summary)
    for warning in report.warnings:
        lines.append(style("33", "warning: ") + _clean(warning))
    failing = failing_count(report)
    if report.passed:
        verdict = style("1;32", "PASS")
        reason = "no finding fails the policy"
    else:
        verdict = style("1;31", "FAIL")
        reason = f"{failing} finding{'s' if failing != 1 else ''} fail{'s' if failing == 1 else ''} the policy"
    lines.append(f"{verdict}: {reason} ({threshold_text(report)})")
    # whatever value starts a line, the line cannot be a CI workflow command
    return guard_lines("\n".join(lines) + "\n")
