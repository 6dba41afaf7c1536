"""The rule engine: Changes in, Findings out. Rules decide; diff only reports facts."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..messages import render_message
from ..model import Change, Finding, Severity, fingerprint, new_finding, path_rank, value_detail
from .rulepack import Rule

_CHANGE_FIELDS = frozenset(("before", "after", "subject", "operation", "location"))
_ABSENT = object()
_PLAIN = frozenset((str, int, float, bool, type(None)))
_OPS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists", "contains", "not_contains")


def _lookup(change: Change, name: str, options: Mapping[str, Any] | None = None) -> tuple[bool, Any]:
    if name.startswith("$") and options is not None:
        # a condition on the policy itself, e.g. {"$deprecation_days_stable": {gt: 0}}
        return name[1:] in options, options.get(name[1:])
    if name in change.facts:
        return True, change.facts[name]
    if name in ("before", "after", "subject", "operation", "location"):
        value = getattr(change, name)
        return value is not None, value
    return False, None


def _resolve(value: Any, options: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return options.get(value[1:])
    return value


def _test(present: bool, actual: Any, cond: Any, options: Mapping[str, Any]) -> bool:
    if not isinstance(cond, dict) or not any(k in _OPS for k in cond):
        expected = _resolve(cond, options)
        if expected is None:
            return not present or actual is None
        if isinstance(expected, bool):
            return bool(actual) is expected if present else expected is False
        return present and actual == expected
    for op, raw in cond.items():
        expected = _resolve(raw, options)
        if op == "exists":
            ok = (present and actual is not None) is bool(expected)
        elif op == "eq":
            ok = present and actual == expected
        elif op == "ne":
            ok = not present or actual != expected
        elif op == "in":
            ok = present and actual in (expected or [])
        elif op == "not_in":
            ok = not present or actual not in (expected or [])
        elif op == "contains":
            ok = present and _contains(actual, expected)
        elif op == "not_contains":
            ok = not present or not _contains(actual, expected)
        else:
            if not present or actual is None or expected is None:
                return False
            try:
                if op == "gt":
                    ok = actual > expected
                elif op == "gte":
                    ok = actual >= expected
                elif op == "lt":
                    ok = actual < expected
                else:
                    ok = actual <= expected
            except TypeError:
                return False
        if not ok:
            return False
    return True


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual  # a word in a text
    return isinstance(actual, (list, tuple, set, frozenset)) and expected in list(actual)


def rule_matches(rule: Rule, change: Change, options: Mapping[str, Any]) -> bool:
    return _where_all(rule.where, change, options)


def _where_all(where: Mapping[str, Any], change: Change, options: Mapping[str, Any]) -> bool:
    """Every condition holds; ``any:`` holds when one of its alternatives does, ``all:``
    when each of them does, ``not:`` when its conditions do not all hold."""
    for name, cond in where.items():
        if name == "any":
            if not any(_where_all(alt, change, options) for alt in cond):
                return False
            continue
        if name == "all":
            if not all(_where_all(alt, change, options) for alt in cond):
                return False
            continue
        if name == "not":
            if _where_all(cond, change, options):
                return False
            continue
        present, actual = _lookup(change, name, options)
        if not _test(present, actual, cond, options):
            return False
    return True


class Engine:
    """Rules indexed by kind, with the user's severity overrides applied."""

    def __init__(
        self,
        rules: Iterable[Rule],
        overrides: Mapping[str, str] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.rules = list(rules)
        self.options = dict(options or {})
        self.overrides = dict(overrides or {})
        self._exact: dict[str, list[Rule]] = defaultdict(list)
        self._prefix: list[Rule] = []
        self._candidates: dict[tuple[str, Any], list[Rule]] = {}
        self._all_names: dict[int, tuple[str, ...]] = {}
        self._matches: dict[Any, list[tuple[Rule, Severity]]] = {}
        self._messages: dict[Any, str] = {}
        self._alive: list[Any] = []  # keeps ids in signatures unique while classifying
        for rule in self.rules:
            for pattern in rule.kinds:
                if pattern.endswith("*"):
                    self._prefix.append(rule)
                else:
                    self._exact[pattern].append(rule)

    def severity_of(self, rule: Rule) -> Severity | None:
        override = self.overrides.get(rule.id)
        if override is None:
            for pattern, value in self.overrides.items():
                if "*" in pattern and fnmatch.fnmatchcase(rule.id, pattern):
                    override = value
                    break
        if override is None:
            return rule.severity
        if override == "off":
            return None
        return Severity.parse(override)

    def candidates(self, kind: str, target: Any = None) -> list[Rule]:
        target = target if isinstance(target, str) else None
        cached = self._candidates.get((kind, target))
        if cached is not None:
            return cached
        found = list(self._exact.get(kind, ()))
        found.extend(r for r in self._prefix if r.matches_kind(kind) and r not in found)
        if isinstance(target, str):
            # variants fixed on another target (request-body, response-property...) cannot
            # match; dropping them up front keeps large specs fast
            found = [r for r in found if not isinstance(r.where.get("target"), str) or r.where["target"] == target]
        self._candidates[(kind, target)] = found
        return found

    def _matching(self, change: Change) -> list[tuple[Rule, Severity]]:
        """The rules a change triggers, cached by the values the candidate rules test:
        a large spec repeats the same change shape (kind, direction, status, flags) in
        thousands of places."""
        candidates = self.candidates(change.kind, change.facts.get("target"))
        if not candidates:
            return []
        names = self._tested_names(candidates)
        facts = change.facts
        signature: list[Any] = [change.kind, id(candidates)]
        for name in names:
            if name in facts:
                value = facts[name]
            elif name in _CHANGE_FIELDS:
                value = getattr(change, name)
            else:
                signature.append(_ABSENT)
                continue
            kind = type(value)
            # plain values by value; containers by identity (kept alive below)
            signature.append((kind, value) if kind in _PLAIN else (kind, id(value)))
        self._alive.append(change)
        key = tuple(signature)
        cached = self._matches.get(key)
        if cached is not None:
            return cached
        result: list[tuple[Rule, Severity]] = []
        for rule in candidates:
            if rule_matches(rule, change, self.options):
                severity = self.severity_of(rule)
                if severity is not None:
                    result.append((rule, severity))
        self._matches[key] = result
        return result

    def _message(self, rule: Rule, change: Change, detail: str) -> str:
        # one schema change stamped on many operations renders the same text each time
        if "{operation}" in rule.message:
            return render_message(rule.message, change)
        key = (rule.id, id(change.facts), change.subject, change.location, detail)
        text = self._messages.get(key)
        if text is None:
            text = render_message(rule.message, change)
            self._messages[key] = text
        return text

    def classify(self, changes: Iterable[Change]) -> list[Finding]:
        findings: list[Finding | None] = []
        # Operations already judged per rule, location and value: a shared schema reached
        # through several responses of one operation is one finding of it, named by the
        # shortest property path that reaches it. Per key: every operation judged, and
        # each finding's (operations, index).
        claimed: dict[tuple[str, str, str], tuple[set[str], list[_Taken]]] = {}
        dropped: dict[int, set[str]] = {}  # finding index -> operations a shorter path took
        for change in self._each(changes):
            matched = self._matching(change)
            if not matched:
                continue
            detail = value_detail(change.before, change.after)
            # no operations to share (a pricing): two plans inheriting one default share its
            # location, and each is its own finding
            place = change.location if change.operations or not change.subject else f"{change.location}\x1f{change.subject}"
            for rule, severity in matched:
                key = (rule.id, place, detail)
                ops = change.operations or [""]
                entry = claimed.get(key)
                if entry is None:  # the first judgment of this rule, location and value (the usual case)
                    judged, taken = claimed[key] = (set(ops), [])
                    fresh = ops
                else:
                    judged, taken = entry
                    if judged.isdisjoint(ops):
                        fresh = ops
                    else:
                        fresh = [op for op in ops if op not in judged or _claim(op, change, taken, findings, dropped)]
                        if not fresh:
                            continue
                    judged.update(fresh)
                if len(fresh) > 1 and "{operation}" in rule.message:
                    # a message naming the operation is rendered for each one
                    for op in fresh:
                        taken.append(_Taken([op], len(findings)))
                        findings.append(self._finding(rule, severity, change.only([op]), [op], detail))
                else:
                    taken.append(_Taken(fresh, len(findings)))
                    findings.append(self._finding(rule, severity, change, fresh if change.operations else [], detail))
        for index, gone in dropped.items():
            finding = findings[index]
            if finding is not None:
                kept = [op for op in finding.operations if op not in gone]
                findings[index] = finding.only(kept) if kept else None
        return sorted((f for f in findings if f is not None), key=Finding.sort_key)

    def _each(self, changes: Iterable[Change]) -> Iterator[Change]:
        """The changes, split per operation when a rule that could match tests what
        differs between them (the operation itself, or the property path and subject when
        operations reach a shared schema at different paths; a rule pack may test them):
        otherwise one judgment serves them all."""
        for change in changes:
            if len(change.operations) > 1 and self._per_operation(change):
                for op in change.operations:
                    yield change.only([op])
            else:
                yield change

    def _per_operation(self, change: Change) -> bool:
        tested = self._tested_names(self.candidates(change.kind, change.facts.get("target")))
        if "operation" in tested:
            return True
        return bool(change.property_paths) and ("property_path" in tested or "subject" in tested)

    def _tested_names(self, candidates: list[Rule]) -> tuple[str, ...]:
        """Every fact or field name the rules test (policy ``$options`` are fixed per run)."""
        names = self._all_names.get(id(candidates))
        if names is None:
            found = {n for rule in candidates for n in _referenced(rule.where)}
            names = tuple(sorted(n for n in found if not n.startswith("$")))
            self._all_names[id(candidates)] = names
        return names

    def _finding(self, rule: Rule, severity: Severity, change: Change, ops: list[str], detail: str) -> Finding:
        if ops is not change.operations and ops != change.operations:
            change = change.only(ops)
        return new_finding(
            template=rule.message,
            rule=rule.id,
            severity=severity,
            principle=rule.principle,
            title=rule.title,
            message=self._message(rule, change, detail),
            change=change,
            remediation=rule.remediation,
            references=list(rule.references),
            fingerprint=fingerprint(rule.id, change.operation, change.location, detail),
        )


class _Taken:
    """The operations one finding judges (by its index), made a set only when a later
    change judged for the same rule, location and value reaches some of them too."""

    __slots__ = ("_listed", "_set", "index")

    def __init__(self, listed: list[str], index: int) -> None:
        self._listed = listed
        self._set: set[str] | None = None
        self.index = index

    def ops(self) -> set[str]:
        if self._set is None:
            self._set = set(self._listed)
        return self._set


def _claim(
    op: str, change: Change, taken: list[_Taken],
    findings: list[Finding | None], dropped: dict[int, set[str]],
) -> bool:
    """Whether ``change`` judges ``op`` for a rule, location and value some findings
    already judge: yes when no finding has ``op`` yet, or when ``change`` reaches it at a
    shorter property path (the finding that had it then lets it go)."""
    for entry in taken:
        ops, index = entry.ops(), entry.index
        if op in ops:
            earlier = findings[index]
            if earlier is None or path_rank(change.path_at(op)) >= path_rank(earlier.path_at(op)):
                return False
            ops.discard(op)
            dropped.setdefault(index, set()).add(op)
            return True
    return True


def _referenced(where: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for name, cond in where.items():
        if name in ("any", "all") and isinstance(cond, list):
            for alt in cond:
                if isinstance(alt, Mapping):
                    names |= _referenced(alt)
        elif name == "not" and isinstance(cond, Mapping):
            names |= _referenced(cond)
        else:
            names.add(name)
    return names
