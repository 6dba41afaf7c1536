"""Policy over findings: path filters, waivers and the verdict."""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Callable, Iterable

from .._user_regex import user_search
from ..config import Config
from ..model import Finding, Severity, Verdict, Waiver


def _path_of(operation: str | None) -> str | None:
    if not operation or " " not in operation:
        return None
    return operation.split(" ", 1)[1]


def _path_matches(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("re:"):
            if user_search(pattern[3:], path):  # RE2: the pattern may come from the PR
                return True
        elif fnmatch.fnmatchcase(path, pattern) or path == pattern:
            return True
    return False


def filter_paths(findings: list[Finding], config: Config) -> list[Finding]:
    """Keep findings on included, not excluded paths (findings without a path are kept);
    a finding in a shared schema keeps the operations whose path is kept."""
    if not config.include_paths and not config.exclude_paths:
        return findings
    return _keep_operations(findings, lambda op: _path_kept(_path_of(op), config))


def drop_operations(findings: list[Finding], dropped: set[str], identity: Callable[[str], str]) -> list[Finding]:
    """Findings without the ``dropped`` operations (compared by ``identity``)."""
    if not dropped:
        return findings
    return _keep_operations(findings, lambda op: identity(op) not in dropped)


def _keep_operations(findings: list[Finding], keep: Callable[[str], bool]) -> list[Finding]:
    """Each finding with the operations ``keep`` accepts: one left with none goes, one in a
    shared schema keeps the others, one without an operation stays."""
    kept = []
    for finding in findings:
        if not finding.operations:
            kept.append(finding)
            continue
        ops = [op for op in finding.operations if keep(op)]
        if ops:
            kept.append(finding.only(ops))
    return kept


def _path_kept(path: str | None, config: Config) -> bool:
    if path is None:
        return True
    if config.include_paths and not _path_matches(path, config.include_paths):
        return False
    return not (config.exclude_paths and _path_matches(path, config.exclude_paths))


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    """Whether ``waiver`` accepts ``finding`` (at its first operation, for a finding that
    lists several: :func:`apply_waivers` asks once per operation)."""
    return _matches(waiver, finding, finding.operation, finding.fingerprint)


def _matches(waiver: Waiver, finding: Finding, operation: str | None, print_: str) -> bool:
    if waiver.fingerprint:
        return waiver.fingerprint == print_
    if waiver.rule and not fnmatch.fnmatchcase(finding.rule, waiver.rule):
        return False
    if waiver.operation and (operation or "").lower() != waiver.operation.lower():
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
    """Split findings into (active, waived); expired waivers stop hiding and say so.

    Waivers hold per operation: a finding in a shared schema whose waiver names one
    operation stays active for the others."""
    if not config.waivers:
        return findings, [], []
    today = config.effective_today()
    expired = [_expired(w, today) for w in config.waivers]
    active: list[Finding] = []
    waived: list[Finding] = []
    expired_used: set[int] = set()
    for finding in findings:
        # per operation: (index of the waiver that holds, index of an expired one that matched)
        outcome: dict[tuple[int | None, int | None], list[str]] = {}
        for op, print_ in _operation_prints(finding):
            held: int | None = None
            lapsed: int | None = None
            for index, waiver in enumerate(config.waivers):
                if _matches(waiver, finding, op, print_):
                    if expired[index]:
                        lapsed = index if lapsed is None else lapsed
                        expired_used.add(index)
                        continue
                    held = index
                    break
            outcome.setdefault((held, lapsed), []).append(op or "")
        for (held, lapsed), ops in outcome.items():
            part = finding.only([op for op in ops if op]) if finding.operations else finding
            if lapsed is not None:
                part.waiver_expired = config.waivers[lapsed]
            if held is not None:
                part.waived = config.waivers[held]
                waived.append(part)
            else:
                active.append(part)
    notes = []
    for index in sorted(expired_used):
        w = config.waivers[index]
        target = w.fingerprint or " ".join(x for x in (w.rule, w.operation, w.location) if x)
        notes.append(f"waiver for {target} expired on {w.expires}; its findings are reported again")
    return active, waived, notes


def _operation_prints(finding: Finding) -> list[tuple[str | None, str]]:
    """(operation, fingerprint) for each operation of a finding (one pair if it has none)."""
    if len(finding.operations) <= 1:
        return [(finding.operation, finding.fingerprint)]
    return list(finding.fingerprints().items())


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
    failing = sum(f.weight for f in findings if f.fails)
    return (Verdict.FAIL if failing else Verdict.PASS), failing
