"""Plain text for a terminal: one line per finding, grouped by severity; colour only on a tty."""

from __future__ import annotations

from ..model import Finding, Report

_COLORS = {"blocker": "\x1b[1;31m", "major": "\x1b[31m", "minor": "\x1b[33m", "info": "\x1b[36m"}
_RESET = "\x1b[0m"


def _where(finding: Finding) -> str:
    if finding.source is not None and finding.source.line is not None:
        return f"{finding.source.file}:{finding.source.line}"
    return finding.location or "-"


def finding_line(finding: Finding, *, color: bool = False) -> str:
    sev = finding.severity.value
    label = f"{sev.upper():7}"
    if color:
        label = f"{_COLORS[sev]}{label}{_RESET}"
    op = f" {finding.operation}" if finding.operation else ""
    return f"{label} [{finding.rule}]{op}: {finding.message}"


def render_text(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    lines: list[str] = []
    s = report.summary
    lines.append(f"trustguard {report.kind.value}: {report.base} -> {report.revision}")
    counts = ", ".join(f"{n} {sev}" for sev, n in sorted(s.by_severity.items(), key=lambda kv: kv[0]))
    lines.append(f"{s.changes} change(s), {s.findings} finding(s){' (' + counts + ')' if counts else ''}, {s.waived} waived")
    if report.impact is not None:
        t = report.impact
        lines.append(
            f"impact: {t.customers_affected}/{t.customers_total} customers ({t.customer_share:.1%}), "
            f"revenue {t.revenue_affected:,.2f}/{t.revenue_total:,.2f} ({t.revenue_share:.1%}), "
            f"traffic {t.traffic_affected:,}/{t.traffic_total:,} ({t.traffic_share:.1%}), "
            f"{t.integrations_affected} integration(s)"
        )
        for flag in t.flags:
            lines.append(f"  ! {flag}")
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    lines.append("")
    for finding in report.findings:
        lines.append(finding_line(finding, color=color))
        if verbose:
            lines.append(f"        at {_where(finding)}  ({finding.location})")
            if finding.remediation:
                lines.append(f"        fix: {finding.remediation}")
            lines.append(f"        fingerprint: {finding.fingerprint}")
        if finding.impact is not None and (finding.impact.customers or finding.impact.integrations):
            imp = finding.impact
            who = ", ".join(c.name or c.id for c in imp.top_customers)
            est = " (estimated)" if imp.estimated else ""
            lines.append(f"        affects {imp.customers} customer(s){est}: {who}")
    if report.findings:
        lines.append("")
    verdict = report.verdict.value.upper()
    if color:
        verdict = ("\x1b[1;32m" if report.passed else "\x1b[1;31m") + verdict + _RESET
    threshold = "never fails" if report.fail_on == "none" else f"fails on {report.fail_on} or worse"
    lines.append(f"verdict: {verdict} ({s.failing} finding(s) at the policy's threshold; policy {threshold})")
    return "\n".join(lines) + "\n"
