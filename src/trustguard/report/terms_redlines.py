"""A clause's redline once per report: the first finding on a clause (worst first, in
report order) shows it; a later finding on the same clause points to that one
(``redline_shown_with``) instead of repeating the same words.

Terms findings carry the redline of every clause they rest on (``grouped_clauses`` for
a signal found in several clauses); arbitration and class-action waivers in one clause
would otherwise print the same redline twice, and a grouped finding ten times.
"""

from __future__ import annotations

from typing import Any

from ..model import Finding


def _joined(parts: list[dict[str, Any]]) -> list[list[str]]:
    lines: list[list[str]] = []
    for part in parts:
        if lines:
            lines.append(["=", "\n\n"])
        lines.extend(part["redline"])
    return lines


def show_redlines_once(findings: list[Finding]) -> None:
    """Drop, in place, each redline already shown by an earlier finding of ``findings``."""
    shown: dict[str, str] = {}  # clause location -> the rule whose finding shows its redline
    for finding in findings:
        parts = finding.facts.get("grouped_clauses")
        if isinstance(parts, list) and parts and all(isinstance(p, dict) and "location" in p for p in parts):
            keep = [p for p in parts if p["location"] not in shown]
            elsewhere = sorted({shown[p["location"]] for p in parts if p["location"] in shown})
            for part in keep:
                shown[part["location"]] = finding.rule
            if elsewhere:
                _set_facts(finding, {**finding.facts, "redline": _joined(keep), "redline_shown_with": elsewhere})
            continue
        redline = finding.facts.get("redline")
        if not isinstance(redline, list) or not redline or not finding.location:
            continue
        if finding.location in shown:
            _set_facts(finding, {**finding.facts, "redline": [], "redline_shown_with": [shown[finding.location]]})
            continue
        # a section added or removed: its redline is its clauses'; when every one of them
        # is already shown by a finding on it, the section's adds nothing
        inside = {loc: rule for loc, rule in shown.items() if loc.startswith(finding.location + "/")}
        count = finding.facts.get("clauses")
        if inside and isinstance(count, int) and len(inside) >= count:
            _set_facts(finding, {**finding.facts, "redline": [], "redline_shown_with": sorted(set(inside.values()))})
            continue
        shown[finding.location] = finding.rule


def _set_facts(finding: Finding, facts: dict[str, Any]) -> None:
    """Give ``finding`` its own copy of its change with ``facts`` (the change may be shared
    with the other findings of other rules on it, whose redline stays)."""
    finding.change = finding.change.model_copy(update={"facts": facts})
