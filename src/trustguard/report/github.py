"""GitHub Actions workflow commands: each finding becomes an annotation on its line of the
spec in the pull request (``::error``, ``::warning``, ``::notice``).

A finding that fails the policy is an error; other blocker/major/minor findings are
warnings; info findings are notices. Waived findings are not annotated.
"""

from __future__ import annotations

from ..model import Finding, Report
from .common import (
    counted,
    failing_count,
    finding_fails,
    group_by_place,
    group_subject,
    impact_summary,
    operations_text,
    reaches_many,
    revision_place,
    threshold_text,
)
from .escape import annotation_message, annotation_property, one_line

# the names this module used before the escaping moved to report/escape.py
escape_data = annotation_message
escape_property = annotation_property


def _command(kind: str, message: str, **props: str | int | None) -> str:
    fields = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items() if value is not None)
    return f"::{kind}{' ' + fields if fields else ''}::{escape_data(message)}"


def _level(report: Report, finding: Finding) -> str:
    if finding_fails(report, finding):
        return "error"
    return "notice" if finding.severity.value == "info" else "warning"


def _annotation(report: Report, group: list[Finding]) -> str:
    finding = group[0]
    place = revision_place(report, finding)
    # each value on one line: the annotation's own lines are the ones this function makes
    text = one_line(finding.message)
    message = f"{one_line(group_subject(group))}: {text}" if finding.operation else text
    if reaches_many(group):
        # one change in a shared schema: one annotation on its line, not one per operation
        message += f"\n{one_line(operations_text(group))}"
    if place.note:
        message += f" ({one_line(place.note)})"
    if finding.remediation:
        message += f"\nFix: {one_line(finding.remediation)}"
    if finding.impact is not None and (finding.impact.customers or finding.impact.integrations):
        message += f"\nAffects {impact_summary(finding.impact)}."
    if finding.waiver_expired is not None:
        message += f"\nIts waiver expired on {one_line(finding.waiver_expired.expires)}."
    message += f"\nfingerprint {finding.fingerprint}"
    level = "error" if any(finding_fails(report, f) for f in group) else _level(report, finding)
    return _command(
        level,
        message,
        file=place.path,
        line=place.line,
        col=place.column,
        title=one_line(f"{finding.severity.value} {finding.rule}: {finding.title}"),
    )


def render_github(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    lines = [_annotation(report, group) for group in group_by_place(report, report.findings)]
    for warning in report.warnings:
        lines.append(_command("warning", one_line(warning), title="trustguard"))
    verdict = "passed" if report.passed else "failed"
    lines.append(
        _command(
            "notice" if report.passed else "error",
            f"{report.kind.value} check {verdict}: {counted(report.findings)} finding(s), {failing_count(report)} failing, "
            f"{counted(report.waived)} waived; {threshold_text(report)}",
            title=f"trustguard: {report.revision}",
        )
    )
    return "\n".join(lines) + "\n"
