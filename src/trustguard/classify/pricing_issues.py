"""One finding per issue in a pricing: the same judged change in many plans is one finding
listing the plans (issue 19 point 3).

A feature dropped from every paid plan, or a limit capped on four plans, is one decision of
the vendor's and one thing for a reader to check; as one finding per plan it read as
"28 findings" for 2-4 real changes. Findings are merged only when the same rule judged
them, so a merged finding has the severity its parts had (never lower), and it keeps every
plan: ``facts["plans"]`` (revision names), ``facts["base_plans"]`` and ``facts["by_plan"]``
(each plan's before and after; ``facts["by_item"]`` when several entries merge), and
``facts["parts"]`` says whom each merged part reaches (the bill impact reads it). A change
found in one plan is left as it is.

Prices are not merged: each plan's price is its own number, graded by its own percentage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Finding, canonical, fingerprint, value_detail

# per-plan kinds merged across plans, by the entry they are about
_PER_PLAN = frozenset({
    "pricing.plan.feature.removed", "pricing.plan.feature.added", "pricing.plan.feature.changed",
    "pricing.plan.feature.moved_to_addon", "pricing.plan.limit.decreased", "pricing.plan.limit.increased",
    "pricing.plan.unit.changed", "pricing.plan.minimum.raised", "pricing.plan.minimum.lowered",
})
# catalogue kinds merged within one revision: the features a catalogue stops (or starts) listing
_CATALOGUE = frozenset({"pricing.feature.removed", "pricing.feature.added"})
_LISTED = 8  # plans or entries a merged message names before "+N more"


def _key(finding: Finding) -> tuple[Any, ...] | None:
    facts = finding.facts
    if finding.kind in _PER_PLAN and facts.get("plan") is not None:
        if finding.kind == "pricing.plan.unit.changed":
            return (finding.rule, finding.kind, canonical(finding.before), canonical(finding.after))
        entry = facts.get("feature") if "feature" in facts else facts.get("limit")
        return (finding.rule, finding.kind, entry, facts.get("addon"))
    if finding.kind in _CATALOGUE:
        return (finding.rule, finding.kind)
    return None


def _issue_key(finding: Finding) -> tuple[Any, ...] | None:
    """The second pass: one issue of several entries, under one rule.

    - prices quoted in a new currency: one currency change, however many prices;
    - add-ons withdrawn in one revision;
    - caps on features new to the pricing (each may be a cut or a new feature's quota).

    A free plan's cuts stay one finding per limit: each is judged by how much of it is left.
    """
    facts = finding.facts
    if finding.kind.endswith(".currency_changed"):
        return (finding.rule, "currency")
    if finding.kind == "pricing.addon.removed":
        return (finding.rule, "addons")
    if finding.kind == "pricing.plan.limit.decreased" and facts.get("new_feature") and not facts.get("free"):
        return (finding.rule, "new-feature")
    return None


def group_issues(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each issue found in several plans (or entries) as one finding, in
    the order of each issue's first finding."""
    return _group(_group(findings, _key, _first_pass), _issue_key, _entries)


def _first_pass(group: list[Finding]) -> Finding:
    return _catalogue(group) if group[0].kind in _CATALOGUE else _across_plans(group)


def _group(
    findings: list[Finding],
    key_of: Callable[[Finding], tuple[Any, ...] | None],
    merge: Callable[[list[Finding]], Finding],
) -> list[Finding]:
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    order: list[tuple[Any, ...] | Finding] = []
    for finding in findings:
        key = key_of(finding)
        if key is None:
            order.append(finding)
            continue
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(finding)
    out: list[Finding] = []
    for item in order:
        if isinstance(item, Finding):
            out.append(item)
            continue
        group = groups[item]
        out.append(group[0] if len(group) == 1 else merge(group))
    return out


def _entries(group: list[Finding]) -> Finding:
    """Several entries under one rule: the first's message, then each other's."""
    group = sorted(group, key=lambda f: (not f.kind.startswith("pricing.plan."), str(f.subject)))
    first = group[0]
    plans = sorted({str(p) for f in group for p in _plans_of(f)})
    base_plans = sorted({str(p) for f in group for p in (f.facts.get("base_plans") or [f.facts.get("base_plan")])
                         if p is not None})
    facts = {**first.facts, "plans": plans, "base_plans": base_plans, "count": len(group),
             "items": [f.subject for f in group]}
    addons = [str(f.facts["addon"]) for f in group if f.facts.get("addon") is not None]
    if addons:
        facts["addons"] = addons
    by_item: dict[str, Any] = {}  # each merged entry's before and after, by its subject
    for f in group:
        entry = f.facts.get("limit") or f.facts.get("feature")
        if isinstance(f.facts.get("by_plan"), dict) and entry:
            by_item.update({f"{p}.{entry}": v for p, v in f.facts["by_plan"].items()})
        else:
            by_item[str(f.subject)] = {"before": f.before, "after": f.after}
    facts["by_item"] = by_item
    facts.pop("by_plan", None)
    if first.kind.endswith(".currency_changed"):
        amounts = [f"{f.subject} {f.facts.get('currency_before')} {_value(f.before)} -> "
                   f"{f.facts.get('currency_after')} {_value(f.after)}" for f in group]
        message = (f"{len(group)} prices are now quoted in {first.facts.get('currency_after')} instead of "
                   f"{first.facts.get('currency_before')} and are not compared without an exchange rate "
                   f"(pricing.fx in the config, or --fx FILE): {_listed(amounts)}")
        return _merged(group, facts, message)
    rest = [f.message for f in group[1:]]
    more = len(rest) - _LISTED
    message = f"{first.message}; also: " + "; ".join(rest[:_LISTED]) + (f" (+{more} more)" if more > 0 else "")
    return _merged(group, facts, message)


def _plans_of(finding: Finding) -> list[Any]:
    plans = finding.facts.get("plans")
    if isinstance(plans, list):
        return plans
    plan = finding.facts.get("plan")
    return [plan] if plan is not None else []


def _listed(names: list[str]) -> str:
    more = len(names) - _LISTED
    return ", ".join(names[:_LISTED]) + (f" (+{more} more)" if more > 0 else "")


def parts_of(finding: Finding) -> list[dict[str, Any]]:
    """The single findings a merged one stands for, as the facts that say whom each reaches
    (the bill impact reads them); a finding that was not merged is its own one part."""
    parts = finding.facts.get("parts")
    if isinstance(parts, list):
        return parts
    facts = finding.facts
    return [{"plan": facts.get("plan"), "base_plan": facts.get("base_plan"), "limit": facts.get("limit"),
             "feature": facts.get("feature"), "addon": facts.get("addon"), "plans": facts.get("plans"),
             "after": finding.after}]


def _merged(group: list[Finding], facts: dict[str, Any], message: str, subject: str | None = None) -> Finding:
    first = group[0]
    facts = {**facts, "parts": [p for f in group for p in parts_of(f)]}
    worst = max(group, key=lambda f: f.severity.rank)  # one rule, so one severity; never lower it
    detail = value_detail(first.before, first.after) + "\x1f" + canonical(facts.get("plans"))
    # a Finding reads its facts and subject through its Change: the merged one gets its own
    change = first.change.model_copy(update={"facts": facts, "subject": first.subject if subject is None else subject})
    return first.model_copy(update={
        "severity": worst.severity,
        "change": change,
        "message": message,
        "fingerprint": fingerprint(first.rule, first.operation, first.location, detail),
    })


def _across_plans(group: list[Finding]) -> Finding:
    group = sorted(group, key=lambda f: str(f.facts.get("plan")))
    first = group[0]
    by_plan = {str(f.facts["plan"]): {"before": f.before, "after": f.after, "base_plan": f.facts.get("base_plan")}
               for f in group}
    plans = list(by_plan)
    facts = {
        **first.facts,
        "plans": plans,
        "base_plans": [str(f.facts.get("base_plan") or f.facts["plan"]) for f in group],
        "by_plan": by_plan,
        "plan_count": len(plans),
    }
    same = all(canonical(f.before) == canonical(first.before) and canonical(f.after) == canonical(first.after)
               for f in group)
    others = [p if same else f"{p} ({_value(by_plan[p]['before'])} -> {_value(by_plan[p]['after'])})" for p in plans[1:]]
    message = f"{first.message}; also in {_listed(others)}"
    return _merged(group, facts, message)


def _catalogue(group: list[Finding]) -> Finding:
    first = group[0]
    entries = [str(f.facts.get("feature") or f.subject) for f in group]
    plans = sorted({p for f in group for p in (f.facts.get("plans") or [])})
    facts = {**first.facts, "features": entries, "feature": _listed(entries), "plans": plans,
             "count": len(entries)}
    if first.kind == "pricing.feature.added":
        message = f"{len(entries)} new features listed: {_listed(entries)} (in {', '.join(plans)})"
    else:
        message = f"{len(entries)} features are gone from the pricing: {_listed(entries)} (they were in {', '.join(plans)})"
    return _merged(group, facts, message, f"{len(entries)} features")


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
