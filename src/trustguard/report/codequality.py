"""GitLab Code Quality (a CodeClimate subset): the merge-request widget and diff markers.

GitLab does not read SARIF, so this is its way to see findings at a line of the spec.
Waived findings are left out; trustguard's severities are the same words GitLab uses.
"""

from __future__ import annotations

from typing import Any

from ..model import Report
from .common import revision_place, subject_of
from .escape import printable
from .json_dump import dumps_sorted


def render_codequality(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for finding in report.findings:
        place = revision_place(report, finding)
        # GitLab drops issues that share a fingerprint; ours are unique per finding, but a
        # hand-made report may repeat one.
        count = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = count + 1
        fp = finding.fingerprint if not count else f"{finding.fingerprint}-{count}"
        description = f"{subject_of(finding)}: {finding.message}" if finding.operation else finding.message
        if place.note:
            description += f" ({place.note})"
        issues.append(
            {
                "type": "issue",
                "check_name": finding.rule,
                "description": printable(description),
                "content": {"body": printable(finding.remediation or finding.title)},
                "categories": ["Compatibility" if finding.principle.value == "backward-compatibility" else "Clarity"],
                "severity": finding.severity.value,
                "fingerprint": fp,
                "location": {"path": place.path, "lines": {"begin": place.line}},
            }
        )
    return dumps_sorted(issues, newline=True)
