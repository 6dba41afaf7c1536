"""Policy over findings: path filters, waivers and the verdict."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterable

from ..config import Config
from ..model import Finding, Severity, Verdict, Waiver


def _path_of(operation: str | None) -> str | None:
    if not operation or " " not in operation:
        return None
    return operation.split(" ", 1)[1]


def _path_matches(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("re:"):
            if re.search(pattern[3:], path):
                return True
        elif fnmatch.fnmatchcase(path, pattern) or path == pattern:
            return True
    return False


def filter_paths(findings: list[Finding], config: Config) -> list[Finding]:
    """Keep findings on included, not excluded paths (findings without a path are kept)."""
    if not config.include_paths and not config.exclude_paths:
        return findings
    kept = []
    for finding in findings:
        path = _path_of(finding.operation)
        if path is not None:
            if config.include_paths and not _path_matches(path, config.include_paths):
                continue
            if config.exclude_paths and _path_matches(path, config.exclude_paths):
                continue
        kept.append(finding)
    return kept


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.fingerprint:
        return waiver.fingerprint == finding.fingerprint
    if waiver.rule and not fnmatch.fnmatchcase(finding.rule, waiver.rule):
        return False
    if waiver.operation and (finding.operation or "").lower() != waiver.operation.lower():
        return False
    if waiver.location and finding.location != waiver.location:
        return False
    return bool(waiver.rule or waiver.operation or waiver.location)


def _expired(waiver: Waiver, today: _dt.date) -> bool:
    if not waiver.expires:
        return False
    try:
        return _dt.date.fromisoformat(str(waiver.expires)[:10]) < today
    except ValueError:
        return True


def apply_waivers(
    findings: list[Finding], config: Config
) -> tuple[list[Finding], list[Finding], list[str]]:
    """Split findings into (active, waived); expired waivers stop hiding and say so."""
    today = config.effective_today()
    active: list[Finding] = []
    waived: list[Finding] = []
    notes: list[str] = []
    expired_used: set[int] = set()
    for finding in findings:
        match = None
        for index, waiver in enumerate(config.waivers):
            if waiver_matches(waiver, finding):
                if _expired(waiver, today):
                    finding.waiver_expired = waiver
                    expired_used.add(index)
                    continue
                match = waiver
                break
        if match is not None:
            finding.waived = match
            waived.append(finding)
        else:
            active.append(finding)
    for index in sorted(expired_used):
        w = config.waivers[index]
        target = w.fingerprint or " ".join(x for x in (w.rule, w.operation, w.location) if x)
        notes.append(f"waiver for {target} expired on {w.expires}; its findings are reported again")
    return active, waived, notes


def finding_fails(finding: Finding, config: Config) -> bool:
    """Severity decides; impact data (when given) may relax the gate for findings that
    reach too few customers, or tighten it for findings carrying a configured flag."""
    threshold = config.threshold()
    impact = finding.impact
    with_data = impact is not None and bool(impact.details.get("with_data"))
    policy = config.impact
    if threshold is None or not finding.severity.at_least(threshold):
        flagged = with_data and impact is not None and bool(set(impact.flags) & set(policy.fail_flags))
        return flagged and threshold is not None and finding.severity.at_least(Severity.MINOR)
    if impact is None or not with_data:
        return True
    unused = impact.details.get("unused", impact.customers == 0 and impact.integrations == 0)
    if unused and not policy.fail_unused:
        return False
    if impact.customers < policy.min_customers:
        return False
    return not (policy.min_revenue_share and impact.revenue_share < policy.min_revenue_share)


def verdict(findings: list[Finding], config: Config) -> tuple[Verdict, int]:
    for finding in findings:
        finding.fails = finding_fails(finding, config)
    failing = sum(1 for f in findings if f.fails)
    return (Verdict.FAIL if failing else Verdict.PASS), failing
