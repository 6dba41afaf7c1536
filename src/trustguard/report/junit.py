"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure): one test suite for the
document, one test case per finding. A finding that fails the policy is a failure, a
waived one is skipped, the rest pass; a clean run is one passing test case.

Text that printable() leaves ASCII skips the XML-invalid-character pass (printable()
already shows every ASCII control): the bodies list up to 1,000 operations each."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..model import Finding, Report
from .common import (
    all_findings,
    detail_of,
    finding_fails,
    impact_summary,
    operations_text,
    position,
    redline,
    revision_place,
    subject_of,
    threshold_text,
    waiver_text,
)
from .escape import printable

# XML 1.0 cannot carry most control characters, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: object) -> str:
    # control and bidi characters shown as \x1b / \u202e (the rest XML cannot carry as U+FFFD);
    # printable() shows every ASCII control, so ASCII text needs no second regex pass
    shown = printable(text)
    return shown if shown.isascii() else _INVALID_XML.sub("\ufffd", shown)


def _body(finding: Finding) -> str:
    lines = [f"{finding.title}: {finding.message}"]
    detail = detail_of(finding)
    if detail:
        lines.append(f"subject: {detail}")
    if len(finding.operations) > 1:
        lines.append(operations_text([finding], 1000))
    where = position(finding)
    lines.append(f"at: {where + ' ' if where else ''}{finding.location}".rstrip())
    lines.append(f"severity: {finding.severity.value}, principle: {finding.principle.value}, kind: {finding.kind}")
    if finding.remediation:
        lines.append(f"fix: {finding.remediation}")
    pairs = redline(finding)
    if pairs is not None:
        lines.append("redline: " + "".join(text if op == "=" else f"[{op}{text}{op}]" for op, text in pairs))
    if finding.impact is not None:
        lines.append(f"affects: {impact_summary(finding.impact)}")
        names = [c.name or c.id for c in finding.impact.top_customers]
        if names:
            lines.append(f"top customers: {', '.join(names)}")
        names = [i.name or i.id for i in finding.impact.top_integrations]
        if names:
            lines.append(f"top integrations: {', '.join(names)}")
    if finding.waiver_expired is not None:
        lines.append(f"waiver expired on {finding.waiver_expired.expires}: {finding.waiver_expired.reason}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(lines)


def _testcase(report: Report, suite: ET.Element, finding: Finding) -> str:
    """Adds the case; returns its outcome: failure, skipped or passed."""
    place = revision_place(report, finding)
    name = subject_of(finding)
    detail = detail_of(finding)
    if detail:
        name += f" {detail}"
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": _x(f"trustguard.{report.kind.value}.{finding.rule}"),
            "name": _x(f"{finding.rule}: {name}"),
            "file": _x(place.path),
            "line": str(place.line),
        },
    )
    if finding.waived is not None:
        ET.SubElement(case, "skipped", {"message": _x(f"waived: {waiver_text(finding.waived)}")})
        outcome = "skipped"
    elif finding_fails(report, finding):
        failure = ET.SubElement(case, "failure", {"type": finding.severity.value, "message": _x(finding.message)})
        failure.text = _x(_body(finding))
        outcome = "failure"
    else:
        outcome = "passed"
    if outcome != "failure":
        out = ET.SubElement(case, "system-out")
        out.text = _x(_body(finding))
    return outcome


def render_junit(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    root = ET.Element("testsuites", {"name": "trustguard"})
    suite = ET.SubElement(root, "testsuite", {"name": _x(f"trustguard {report.kind.value}: {report.revision}")})
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("base", report.base),
        ("revision", report.revision),
        ("kind", report.kind.value),
        ("verdict", report.verdict.value),
        ("fail_on", report.fail_on),
        ("version", report.version),
    ):
        ET.SubElement(props, "property", {"name": key, "value": _x(value)})
    outcomes = [_testcase(report, suite, finding) for finding in all_findings(report)]
    if not outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"trustguard.{report.kind.value}", "name": _x(f"no findings: {report.base} -> {report.revision}")},
        )
        out = ET.SubElement(case, "system-out")
        out.text = _x(f"{report.summary.changes} change(s), no finding; {threshold_text(report)}")
        outcomes.append("passed")
    if report.warnings:
        err = ET.SubElement(suite, "system-err")
        err.text = _x("\n".join(f"warning: {w}" for w in report.warnings))
    counts = {
        "tests": str(len(outcomes)),
        "failures": str(outcomes.count("failure")),
        "errors": "0",
        "skipped": str(outcomes.count("skipped")),
    }
    for element in (root, suite):
        for key, value in counts.items():
            element.set(key, value)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
