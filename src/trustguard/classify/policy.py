"""Policy over findings: path filters, waivers and the verdict."""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Callable, Collection, Iterable

from .._user_regex import user_search
from ..config import Config, did_you_mean
from ..config_source import dotted_key
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
    except ValueError:  # the config refuses such a date; a Waiver built by hand stops hiding
        return True


#: the start of the warnings about the policy itself (the CLI also prints them on stderr)
UNUSED_WAIVER = "unused waiver: "


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def check_rule_ids(config: Config, known: Collection[str]) -> None:
    """Every rule id the policy names, in a severity override or a waiver, is a rule in
    force (shipped or from a rule pack), and every pattern matches one: a misspelt id
    used to be ignored, silently. The rules of every document kind count, as one config
    serves the API, pricing and terms checks alike."""
    ids = sorted(known)
    for rule in config.severity:
        _known_rule(config, rule, ids, f"/severity/{rule}", "/severity")
    for index, waiver in enumerate(config.waivers):
        if waiver.rule:
            pointer = f"/waivers/{index}/rule"
            _known_rule(config, waiver.rule, ids, pointer, pointer)


def _known_rule(config: Config, rule: str, ids: list[str], pointer: str, container: str) -> None:
    where = config.origin_of(pointer) or dotted_key(container)
    if _is_pattern(rule):
        if not any(fnmatch.fnmatchcase(known, rule) for known in ids):
            raise config.error_at(pointer, f"the pattern {rule!r} in {where} matches no rule (see 'trustguard rules')")
    elif rule not in ids:
        raise config.error_at(pointer, f"unknown rule id {rule!r} in {where}{did_you_mean(rule, ids)}")


def _waiver_place(config: Config, index: int) -> str:
    pointer = f"/waivers/{index}"
    option = config.origin_of(pointer)
    if option is not None:
        return f"given with {option}"
    line = config.line_of(pointer)
    return f"{config.file}:{line}" if config.file and line else f"{config.file or 'the config'} at {pointer}"


def unused_waivers(config: Config, used: set[int], rules: Collection[str] | None) -> list[str]:
    """Warnings for the waivers that waived nothing. A waiver whose rule is none of
    ``rules`` (the rules of the document kind checked) belongs to another kind of check and
    is not counted."""
    notes = []
    for index, w in enumerate(config.waivers):
        if index in used:
            continue
        if rules is not None and w.rule and not any(fnmatch.fnmatchcase(r, w.rule) for r in rules):
            continue
        target = f"fingerprint {w.fingerprint}" if w.fingerprint else " ".join(
            x for x in (w.rule, w.operation, w.location) if x)
        notes.append(f"{UNUSED_WAIVER}the waiver for {target} ({_waiver_place(config, index)}) waived nothing: "
                     "no finding matches it (or an earlier waiver takes it); remove it, or correct what it names")
    return notes


def apply_waivers(
    findings: list[Finding], config: Config, rules: Collection[str] | None = None
) -> tuple[list[Finding], list[Finding], list[str]]:
    """Split findings into (active, waived); expired waivers stop hiding and say so, and
    waivers that match nothing are named (``rules``: the ids of the kind checked).

    Waivers hold per operation: a finding in a shared schema whose waiver names one
    operation stays active for the others."""
    if not config.waivers:
        return findings, [], []
    today = config.effective_today()
    expired = [_expired(w, today) for w in config.waivers]
    active: list[Finding] = []
    waived: list[Finding] = []
    expired_used: set[int] = set()
    used: set[int] = set()
    for finding in findings:
        # per operation: (index of the waiver that holds, index of an expired one that matched)
        outcome: dict[tuple[int | None, int | None], list[str]] = {}
        for op, print_ in _operation_prints(finding):
            held: int | None = None
            lapsed: int | None = None
            for index, waiver in enumerate(config.waivers):
                if _matches(waiver, finding, op, print_):
                    used.add(index)
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
    notes.extend(unused_waivers(config, used, rules))
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
