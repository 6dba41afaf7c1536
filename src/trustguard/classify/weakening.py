"""A policy made weaker: how a config (the pull request's) weakens a trusted one, and the
weak settings any config file makes visible.

Each weakening with a trusted policy becomes a ``policy.weakened`` change, judged by the
rules of ``rules/policy/`` like every other change. Settings an option (a CLI flag) gave
the trusted policy are the operator's and are not compared.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import STABILITY_LEVELS, Config
from ..config_source import dotted_key
from ..model import Change, Severity, Waiver, new_change
from .engine import Engine
from .rulepack import Rule

# fail_on from the strictest to the weakest
_GATE = {"info": 0, "minor": 1, "major": 2, "blocker": 3, "none": 4}
#: settings that change which places of the two versions are compared with which
_MATCHING = ("include_path_params", "flatten_allof", "strip_prefix_base", "strip_prefix_revision",
             "prefix_base", "prefix_revision")
# pricing and terms settings: +1 when a larger value is weaker, -1 when a smaller one is
_THRESHOLDS = {"pricing": {"price_increase_major_percent": 1, "price_increase_blocker_percent": 1,
                           "min_notice_days": -1},
               "terms": {"min_change_notice_days": -1}}


@dataclass(frozen=True)
class Weakening:
    """One way ``after`` (the candidate) is weaker than ``before`` (the trusted policy)."""

    pointer: str  # the key in the candidate config (JSON pointer)
    before: Any
    after: Any
    effect: str

    @property
    def setting(self) -> str:
        return dotted_key(self.pointer)


def _text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]" if value else "[]"
    return str(value)


def _many(ids: list[str], listed: int = 3) -> str:
    shown = ", ".join(ids[:listed])
    return f"{len(ids)} rule{'s' if len(ids) != 1 else ''}: {shown}{', ...' if len(ids) > listed else ''}"


def waiver_target(waiver: Waiver) -> str:
    if waiver.fingerprint:
        return f"fingerprint {waiver.fingerprint}"
    return " ".join(x for x in (waiver.rule, waiver.operation, waiver.location) if x) or "(nothing)"


def weakenings(trusted: Config, candidate: Config, rules: Iterable[Rule],
               candidate_rules: Iterable[Rule] | None = None) -> list[Weakening]:
    """Every way ``candidate`` is weaker than ``trusted``. ``rules`` are the trusted
    policy's rules, ``candidate_rules`` the candidate's (its rule packs may replace some)."""
    own = trusted.origin_of
    out: list[Weakening] = []
    if own("/fail_on") is None and _GATE[candidate.fail_on] > _GATE[trusted.fail_on]:
        out.append(Weakening("/fail_on", trusted.fail_on, candidate.fail_on,
                             "no finding fails the check" if candidate.fail_on == "none"
                             else "fewer findings fail the check"))
    rule_list = sorted(rules, key=lambda r: r.id)
    out += _severities(trusted, candidate, rule_list)
    out += _waivers(trusted, candidate)
    out += _paths(trusted, candidate)
    if own("/stability_level") is None and (STABILITY_LEVELS.index(candidate.stability_level)
                                            > STABILITY_LEVELS.index(trusted.stability_level)):
        out.append(Weakening("/stability_level", trusted.stability_level, candidate.stability_level,
                             "operations below it are no longer checked"))
    for key in ("deprecation_days_stable", "deprecation_days_beta"):
        before, after = getattr(trusted, key), getattr(candidate, key)
        if own(f"/{key}") is None and after < before:
            out.append(Weakening(f"/{key}", before, after, "a shorter sunset grace period is accepted"
                                 if after else "the sunset grace period is no longer enforced"))
    if own("/allow_external_refs") is None and candidate.allow_external_refs and not trusted.allow_external_refs:
        out.append(Weakening("/allow_external_refs", False, True,
                             "$ref may read files outside the spec's folder"))
    for key in _MATCHING:
        before, after = getattr(trusted, key), getattr(candidate, key)
        if own(f"/{key}") is None and after != before:
            out.append(Weakening(f"/{key}", before, after, "changes which parts of the two versions are compared"))
    if own("/today") is None and candidate.today is not None and candidate.today != trusted.today:
        out.append(Weakening("/today", trusted.today, candidate.today,
                             "pins the date that decides sunsets and waiver expiry"))
    out += _impact(trusted, candidate)
    out += _thresholds(trusted, candidate)
    if candidate_rules is not None:
        out += _replaced_rules(rule_list, candidate_rules, candidate)
    return out


def _severity_key(config: Config, rule_id: str) -> str | None:
    """The override that decides a rule's severity (the engine's order: its id, then the
    first pattern that matches it)."""
    if rule_id in config.severity:
        return rule_id
    return next((p for p in config.severity if "*" in p and fnmatch.fnmatchcase(rule_id, p)), None)


def _severities(trusted: Config, candidate: Config, rules: list[Rule]) -> list[Weakening]:
    before_engine, after_engine = Engine([], trusted.severity), Engine([], candidate.severity)
    by_key: dict[tuple[str, str, str], list[str]] = {}
    for rule in rules:
        was, now = before_engine.severity_of(rule), after_engine.severity_of(rule)
        if was is None or (now is not None and now.rank >= was.rank):
            continue
        key = _severity_key(candidate, rule.id)
        trusted_key = _severity_key(trusted, rule.id)
        if trusted_key is not None and trusted.origin_of(f"/severity/{trusted_key}") is not None:
            continue  # the operator's flag
        if key is None:  # the candidate dropped the trusted override that raised it
            assert trusted_key is not None
            entry = (f"/severity/{trusted_key}", trusted.severity[trusted_key], "(removed)")
        else:
            entry = (f"/severity/{key}", trusted.severity.get(key, "(rule default)"), candidate.severity[key])
        by_key.setdefault(entry, []).append(rule.id)
    out = []
    for (pointer, setting_was, setting_now), ids in by_key.items():
        verb = "turns off" if setting_now == "off" else "lowers the severity of"
        out.append(Weakening(pointer, setting_was, setting_now, f"{verb} {_many(ids)}"))
    return out


def _waivers(trusted: Config, candidate: Config) -> list[Weakening]:
    known = [w.model_dump() for w in trusted.waivers]
    out = []
    for index, waiver in enumerate(candidate.waivers):
        if waiver.model_dump() in known:
            continue
        expires = f", until {waiver.expires}" if waiver.expires else ""
        out.append(Weakening(f"/waivers/{index}", None, waiver_target(waiver),
                             f"a waiver added: its findings no longer fail the check{expires}"))
    return out


def _paths(trusted: Config, candidate: Config) -> list[Weakening]:
    out = []
    own = trusted.origin_of
    before, after = trusted.include_paths, candidate.include_paths
    # only the listed paths are checked: fewer (or other) patterns check less
    if own("/include_paths") is None and after and (not before or not set(before) <= set(after)):
        out.append(Weakening("/include_paths", before, after, "only the paths it lists are checked"))
    for key, effect in (("exclude_paths", "these paths are no longer checked"),
                        ("exclude_extensions", "operations marked with these extensions are no longer checked")):
        added = [p for p in getattr(candidate, key) if p not in getattr(trusted, key)]
        if own(f"/{key}") is None and added:
            out.append(Weakening(f"/{key}", getattr(trusted, key), getattr(candidate, key), f"{effect}: {_text(added)}"))
    return out


def _floor(severity: str) -> int:
    """The rank a proven break is raised to ('off': below every severity)."""
    return -1 if severity == "off" else Severity(severity).rank


def _impact(trusted: Config, candidate: Config) -> list[Weakening]:
    t, c = trusted.impact, candidate.impact
    out = []
    if c.min_customers > t.min_customers:
        out.append(Weakening("/impact/min_customers", t.min_customers, c.min_customers,
                             "findings that reach fewer customers no longer fail"))
    if t.fail_unused and not c.fail_unused:
        out.append(Weakening("/impact/fail_unused", True, False, "breaks on operations nobody calls no longer fail"))
    if c.min_revenue_share > t.min_revenue_share:
        out.append(Weakening("/impact/min_revenue_share", t.min_revenue_share, c.min_revenue_share,
                             "findings that reach less revenue no longer fail"))
    dropped = [f for f in t.fail_flags if f not in c.fail_flags]
    if dropped:
        out.append(Weakening("/impact/fail_flags", t.fail_flags, c.fail_flags,
                             f"these flags no longer fail the check: {_text(dropped)}"))
    if _floor(c.contract_broken_min_severity) < _floor(t.contract_broken_min_severity):
        out.append(Weakening("/impact/contract_broken_min_severity", t.contract_broken_min_severity,
                             c.contract_broken_min_severity,
                             "a break a consumer's contract proves is raised less, or not at all"))
    if _floor(c.may_break_min_severity) < _floor(t.may_break_min_severity):
        out.append(Weakening("/impact/may_break_min_severity", t.may_break_min_severity, c.may_break_min_severity,
                             "a finding that may break customers the data cannot clear is raised less, or not at all"))
    return out


def _thresholds(trusted: Config, candidate: Config) -> list[Weakening]:
    out = []
    for section, keys in _THRESHOLDS.items():
        before, after = getattr(trusted, section), getattr(candidate, section)
        for key in sorted(set(before) | set(after)):
            b, a = before.get(key), after.get(key)
            if a == b:
                continue
            direction = keys.get(key)
            if direction is None:  # a setting trustguard does not rank: shown for review
                out.append(Weakening(f"/{section}/{key}", b, a, "a rule setting changed"))
            elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and (a - b) * direction > 0:
                out.append(Weakening(f"/{section}/{key}", b, a, "fewer changes reach a rule's threshold"))
    return out


def _replaced_rules(rules: list[Rule], candidate_rules: Iterable[Rule], candidate: Config) -> list[Weakening]:
    theirs = {r.id: r for r in candidate_rules}
    out = []
    for rule in rules:
        other = theirs.get(rule.id)
        if other is None:
            out.append(Weakening("/rule_packs", rule.pack, None, f"the rule {rule.id} is no longer in force"))
        elif _content(other) != _content(rule):
            index = next((i for i, p in enumerate(candidate.rule_packs) if p == other.pack), None)
            pointer = f"/rule_packs/{index}" if index is not None else "/rule_packs"
            out.append(Weakening(pointer, rule.pack, other.pack, f"replaces the rule {rule.id}"))
    return out


def _content(rule: Rule) -> dict[str, Any]:
    data = rule.as_dict()
    data.pop("pack", None)
    return data


def _plain(value: Any) -> Any:
    # a finding's before/after are JSON values (``today`` is a date)
    return value.isoformat() if isinstance(value, _dt.date) else value


def weakening_changes(found: list[Weakening], candidate: Config) -> list[Change]:
    """The weakenings as changes for the ``rules/policy`` rules."""
    changes = []
    for weak in found:
        line = candidate.line_of(weak.pointer)
        where = f"{candidate.file}:{line}" if candidate.file and line else (candidate.file or "the config")
        changes.append(new_change(
            kind="policy.weakened", location=weak.pointer, subject=weak.setting,
            before=_plain(weak.before), after=_plain(weak.after),
            facts={"setting": weak.setting, "before_text": _text(weak.before), "after_text": _text(weak.after),
                   "effect": weak.effect, "where": where, "config": candidate.file, "line": line},
        ))
    return changes


def visible_weakenings(config: Config, rules: Iterable[Rule]) -> list[str]:
    """Warnings for the settings of a config file that disable the gate wholesale (used
    without a trusted policy: the file is then the user's own choice, but a wildcard
    that turns everything off should not go unseen)."""
    source = config._source
    if source is None:
        return []
    written = source.settings
    ids = sorted(r.id for r in rules)
    notes = []

    def at(pointer: str) -> str:
        line = config.line_of(pointer)
        return f"{config.file}:{line}" if line else f"{config.file} at {pointer}"

    if str(written.get("fail_on")).strip().lower() == "none" and config.fail_on == "none" \
            and config.origin_of("/fail_on") is None:
        notes.append(f"policy: fail_on: none ({at('/fail_on')}): no finding fails the check")
    for pattern, value in config.severity.items():
        hit = [i for i in ids if fnmatch.fnmatchcase(i, pattern)]
        if "*" in pattern and config.origin_of(f"/severity/{pattern}") is None and (
                value == "off" or Severity(value).rank < Severity.MAJOR.rank) and len(hit) > 1:
            verb = "turns off" if value == "off" else f"sets to {value}"
            notes.append(f"policy: severity {pattern!r}: {value} ({at(f'/severity/{pattern}')}) {verb} {_many(hit)}")
    for index, waiver in enumerate(config.waivers):
        pointer = f"/waivers/{index}"
        if (waiver.rule and "*" in waiver.rule and not waiver.operation and not waiver.location
                and config.origin_of(pointer) is None):
            hit = [i for i in ids if fnmatch.fnmatchcase(i, waiver.rule)]
            if len(hit) > 1:
                notes.append(f"policy: the waiver for rule {waiver.rule!r} ({at(pointer)}) waives every finding "
                             f"of {_many(hit)}")
    if config.allow_external_refs and written.get("allow_external_refs") is True \
            and config.origin_of("/allow_external_refs") is None:
        notes.append(f"policy: allow_external_refs is on ({at('/allow_external_refs')}): $ref may read files "
                     "outside the spec's folder")
    return notes
