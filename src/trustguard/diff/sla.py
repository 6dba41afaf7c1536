"""Service-level promises compared as numbers: uptime, service credits, rate limits,
support response times and retention periods.

The facts come from ``diff.sla_facts`` (an SLA text or OpenSLO objectives, the clauses of
a terms text, a pricing's plans); this module pairs the two versions' facts promise by
promise and reports each difference with its size:

- ``sla.uptime.decreased`` / ``.increased``: with the allowed downtime a month before and
  after (99.99 % -> 99.5 % is 4.3 -> 216 minutes, 50x more)
- ``sla.credit.removed`` / ``.added`` / ``.reduced`` / ``.increased``: the largest service
  credit; ``sla.credit.capped`` / ``.cap_raised``: the most credits may add up to
- ``sla.rate_limit.decreased`` / ``.increased``: compared per second, so 10/s and 600/min
  are the same limit; the percent cut and the new limit in its own window
- ``sla.support.lengthened`` / ``.shortened``: response times in wall-clock hours
- ``sla.retention.shortened`` / ``.lengthened``: in days
- ``sla.promise.removed`` / ``.added``: a promise one version states and the other does not

Pairing: facts of one promise (metric, scope such as a plan or an SLO, qualifier such as
"per API key" or "priority 1") pair first with one written in the same unit, then in the
order they appear; what is left pairs within its metric and scope, then within its metric
when one fact of it is left on each side. Diff reports facts; rules judge.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..model import Change, SourcePosition
from ..parsing import sla_quantities as q
from .sla_facts import SlaFact

_LABELS = {q.UPTIME: "uptime", "objective": "objective", q.RATE_LIMIT: "rate limit",
           q.SUPPORT: "support response time", q.RETENTION: "retention", q.CREDIT: "service credit",
           q.CREDIT_CAP: "service credit cap"}
_KINDS = {  # metric -> (kind when the number goes down, kind when it goes up)
    q.UPTIME: ("sla.uptime.decreased", "sla.uptime.increased"),
    "objective": ("sla.uptime.decreased", "sla.uptime.increased"),
    q.RATE_LIMIT: ("sla.rate_limit.decreased", "sla.rate_limit.increased"),
    q.SUPPORT: ("sla.support.shortened", "sla.support.lengthened"),
    q.RETENTION: ("sla.retention.shortened", "sla.retention.lengthened"),
}
_PAIRED = tuple(_KINDS)


def same(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def compare(base: list[SlaFact], revision: list[SlaFact], *, origin: str, base_file: str,
            revision_file: str) -> list[Change]:
    """Every difference between two versions' promises (``origin``: ``sla``, ``terms`` or
    ``pricing``, where the facts were read)."""
    old, new = _promote(_unique(base)), _promote(_unique(revision))
    changes: list[Change] = []
    for before, after in _pairs([f for f in old if f.metric in _PAIRED], [f for f in new if f.metric in _PAIRED]):
        change = _change(before, after, origin, base_file, revision_file)
        if change is not None:
            changes.append(change)
    changes.extend(_credits(old, new, origin, base_file, revision_file))
    return _grouped(changes) if origin == "pricing" else _deduplicated(changes)


def _unique(facts: list[SlaFact]) -> list[SlaFact]:
    """A promise stated twice with one value (the summary and the table) is one fact."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for fact in facts:
        mark = (*fact.key, round(fact.quantity.value, 9))
        if mark not in seen:
            seen.add(mark)
            out.append(fact)
    return out


def _promote(facts: list[SlaFact]) -> list[SlaFact]:
    """A text that states uptime only as the thresholds its credits are paid below ("less
    than 99.9 %: 10 % credit") promises the highest of them, per scope group."""
    groups: dict[str, list[SlaFact]] = defaultdict(list)
    for fact in facts:
        groups[_group(fact)].append(fact)
    out = [f for f in facts if f.metric != "credit_threshold"]
    for group, members in groups.items():
        if any(f.metric == q.UPTIME for f in members):
            continue
        thresholds = [f for f in members if f.metric == "credit_threshold"]
        if thresholds:
            top = max(thresholds, key=lambda f: f.quantity.value)
            quantity = q.Quantity(q.UPTIME, top.quantity.value, top.quantity.amount, "%", top.quantity.text)
            out.append(SlaFact(quantity, group, top.location, top.line, top.excerpt, top.section))
    return out


def _group(fact: SlaFact) -> str:
    # a pricing's facts are each plan's; a text's credit tiers are rows of one table
    return fact.scope if fact.location.startswith("/plans/") else ""


def _pairs(old: list[SlaFact], new: list[SlaFact]) -> list[tuple[SlaFact | None, SlaFact | None]]:
    out: list[tuple[SlaFact | None, SlaFact | None]] = []
    left_old, left_new = list(old), list(new)
    for key_of in (lambda f: f.key, lambda f: (f.metric, f.scope.lower()), lambda f: (f.metric,)):
        by_old: dict[Any, list[SlaFact]] = defaultdict(list)
        by_new: dict[Any, list[SlaFact]] = defaultdict(list)
        for fact in left_old:
            by_old[key_of(fact)].append(fact)
        for fact in left_new:
            by_new[key_of(fact)].append(fact)
        matched: set[int] = set()
        for key in by_old:
            olds, news = by_old[key], by_new.get(key, [])
            if not news or (len(key) == 1 and (len(olds) != 1 or len(news) != 1)):
                continue
            for a, b in _pair_within(olds, news):
                out.append((a, b))
                matched.update((id(a), id(b)))
        left_old = [f for f in left_old if id(f) not in matched]
        left_new = [f for f in left_new if id(f) not in matched]
    out.extend((f, None) for f in left_old)
    out.extend((None, f) for f in left_new)
    return out


def _pair_within(olds: list[SlaFact], news: list[SlaFact]) -> list[tuple[SlaFact, SlaFact]]:
    """Same unit first (the per-minute limit with the per-minute one), then in order."""
    pairs = []
    rest_new = list(news)
    rest_old = []
    for a in olds:
        twin = next((b for b in rest_new if b.quantity.unit == a.quantity.unit), None)
        if twin is None:
            rest_old.append(a)
        else:
            pairs.append((a, twin))
            rest_new.remove(twin)
    pairs.extend(zip(rest_old, rest_new, strict=False))
    return pairs


def _label(fact: SlaFact) -> str:
    parts = [_LABELS.get(fact.metric, fact.metric)]
    if fact.quantity.qualifier:
        qualifier = fact.quantity.qualifier
        parts.append(qualifier if qualifier.startswith("per ") else f"for {qualifier}")
    if fact.scope:
        parts.append(f"({fact.scope})")
    return " ".join(parts)


def _facts(fact: SlaFact, origin: str) -> dict[str, Any]:
    return {"metric": fact.metric, "origin": origin, "scope": fact.scope, "qualifier": fact.quantity.qualifier,
            "section": fact.section}


def _position(file: str, fact: SlaFact | None) -> SourcePosition | None:
    return None if fact is None else SourcePosition(file=file, line=fact.line)


def _change(before: SlaFact | None, after: SlaFact | None, origin: str, base_file: str,
            revision_file: str) -> Change | None:
    anchor = after or before
    assert anchor is not None
    facts = _facts(anchor, origin)
    facts["excerpt"] = after.excerpt if after else ""
    facts["old_excerpt"] = before.excerpt if before else ""
    if before is None or after is None:
        kind = "sla.promise.added" if before is None else "sla.promise.removed"
        facts["size"] = f"{_LABELS.get(anchor.metric, anchor.metric)} of {anchor.quantity.shown} " + (
            "now stated" if before is None else "no longer stated")
        return _made(kind, anchor, before, after, facts, base_file, revision_file)
    b, a = before.quantity, after.quantity
    if same(b.value, a.value):
        return None
    facts["before_value"], facts["after_value"] = _finite(b.value), _finite(a.value)
    down, up = _KINDS[anchor.metric]
    kind = down if a.value < b.value else up
    if anchor.metric in (q.UPTIME, "objective"):
        _uptime_size(facts, b, a, anchor.metric == q.UPTIME)
    elif anchor.metric == q.RATE_LIMIT:
        _rate_size(facts, b, a)
    elif anchor.metric == q.SUPPORT:
        _support_size(facts, b, a)
    else:
        _retention_size(facts, b, a)
    return _made(kind, anchor, before, after, facts, base_file, revision_file)


def _finite(value: float) -> float | str:
    return "unlimited" if math.isinf(value) else round(value, 6)


def _made(kind: str, anchor: SlaFact, before: SlaFact | None, after: SlaFact | None, facts: dict[str, Any],
          base_file: str, revision_file: str) -> Change:
    if anchor.location.startswith("/plans/"):
        facts["plans"] = [anchor.scope]
    return Change(kind=kind, location=anchor.location, subject=_label(anchor),
                  before=before.quantity.shown if before else None, after=after.quantity.shown if after else None,
                  facts=facts, source=_position(revision_file if after else base_file, after or before),
                  base_source=_position(base_file, before) if after else None)


def _uptime_size(facts: dict[str, Any], b: q.Quantity, a: q.Quantity, availability: bool) -> None:
    db, da = q.allowed_downtime_minutes(b.value), q.allowed_downtime_minutes(a.value)
    facts["downtime_before"], facts["downtime_after"] = round(db, 1), round(da, 1)
    more = da > db
    factor = (da / db if db else math.inf) if more else (db / da if da else math.inf)
    facts["factor"] = round(factor, 1) if not math.isinf(factor) else "unlimited"
    what = "allowed downtime" if availability else "error budget"
    times = "from none" if math.isinf(factor) else f"{_times(factor)} {'more' if more else 'less'}"
    facts["size"] = f"{what} a month {_minutes(db)} -> {_minutes(da)} ({times})"
    facts["availability"] = availability


def _times(factor: float) -> str:
    return f"{factor:.0f}×" if factor >= 10 else f"{factor:.1f}×".replace(".0×", "×")


def _minutes(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.1f} hours".replace(".0 hours", " hours")
    return f"{value:.1f} minutes".replace(".0 minutes", " minutes")


def _rate_size(facts: dict[str, Any], b: q.Quantity, a: q.Quantity) -> None:
    percent = (a.value - b.value) / b.value * 100 if b.value else math.inf
    facts["percent"] = round(percent, 1) if not math.isinf(percent) else "unlimited"
    facts["cut_percent"] = round(-percent, 1) if percent < 0 else 0.0
    facts["window"], facts["limit"] = a.window, _finite(a.amount)
    facts["window_before"], facts["limit_before"] = b.window, _finite(b.amount)
    said = f"{a.shown}"
    if a.window != b.window and b.window is not None and not math.isinf(a.value):
        said += f" = {q.number(round(a.value * q.WINDOW_SECONDS[b.window], 2))} {b.unit}"
    direction = "cut" if percent < 0 else "rise"
    facts["size"] = f"a {abs(percent):.0f}% {direction} ({b.shown} -> {said})"


def _support_size(facts: dict[str, Any], b: q.Quantity, a: q.Quantity) -> None:
    longer = a.value > b.value
    factor = (a.value / b.value if b.value else math.inf) if longer else (b.value / a.value if a.value else math.inf)
    facts["factor"] = round(factor, 1) if not math.isinf(factor) else "unlimited"
    facts["hours_before"], facts["hours_after"] = round(b.value, 1), round(a.value, 1)
    facts["size"] = f"{_times(factor)} {'longer' if longer else 'shorter'} " \
                    f"(about {q.number(round(b.value, 1))} -> {q.number(round(a.value, 1))} hours)"


def _retention_size(facts: dict[str, Any], b: q.Quantity, a: q.Quantity) -> None:
    if math.isinf(b.value) or math.isinf(a.value) or not b.value:
        facts["percent"] = "unlimited"
        facts["left_percent"] = 0.0 if math.isinf(b.value) else 100.0
    else:
        facts["percent"] = round((a.value - b.value) / b.value * 100, 1)
        facts["left_percent"] = round(a.value / b.value * 100, 1)
    facts["days_before"], facts["days_after"] = _finite(b.value), _finite(a.value)
    shorter = a.value < b.value
    how = "" if facts["percent"] == "unlimited" else f"{abs(facts['percent']):.0f}% "
    facts["size"] = f"{how}{'shorter' if shorter else 'longer'} ({b.shown} -> {a.shown})"


# -- credits ----------------------------------------------------------------------------------

def _credits(old: list[SlaFact], new: list[SlaFact], origin: str, base_file: str,
             revision_file: str) -> list[Change]:
    """The service credits of each scope group (a plan, or the whole text): the largest
    credit, and the cap on their total."""
    out: list[Change] = []
    groups = sorted({_group(f) for f in [*old, *new] if f.metric in (q.CREDIT, q.CREDIT_CAP)})
    for group in groups:
        b = [f for f in old if _group(f) == group and f.metric == q.CREDIT]
        a = [f for f in new if _group(f) == group and f.metric == q.CREDIT]
        bcap = [f for f in old if _group(f) == group and f.metric == q.CREDIT_CAP]
        acap = [f for f in new if _group(f) == group and f.metric == q.CREDIT_CAP]
        out.extend(_credit_changes(b, a, origin, base_file, revision_file))
        out.extend(_cap_changes(bcap, acap, bool(a), origin, base_file, revision_file))
    return out


def _top(facts: list[SlaFact]) -> SlaFact | None:
    return max(facts, key=lambda f: f.quantity.value) if facts else None


def _credit_changes(b: list[SlaFact], a: list[SlaFact], origin: str, base_file: str,
                    revision_file: str) -> list[Change]:
    before, after = _top(b), _top(a)
    if before is None and after is None:
        return []
    anchor = after or before
    assert anchor is not None
    facts = _facts(anchor, origin)
    facts.update(excerpt=after.excerpt if after else "", old_excerpt=before.excerpt if before else "",
                 scope="" if not anchor.location.startswith("/plans/") else anchor.scope,
                 tiers_before=len(b), tiers_after=len(a))
    if after is None:
        facts["size"] = f"credits of up to {before.quantity.shown} no longer offered"  # type: ignore[union-attr]
        return [_credit_made("sla.credit.removed", anchor, before, None, facts, base_file, revision_file)]
    if before is None:
        facts["size"] = f"credits of up to {after.quantity.shown} now offered"
        return [_credit_made("sla.credit.added", anchor, None, after, facts, base_file, revision_file)]
    if same(before.quantity.value, after.quantity.value):
        return []
    facts["before_value"], facts["after_value"] = before.quantity.value, after.quantity.value
    facts["percent"] = round((after.quantity.value - before.quantity.value) / before.quantity.value * 100, 1)
    down = after.quantity.value < before.quantity.value
    facts["size"] = f"largest credit {before.quantity.shown} -> {after.quantity.shown} ({abs(facts['percent']):.0f}% " \
                    f"{'less' if down else 'more'})"
    kind = "sla.credit.reduced" if down else "sla.credit.increased"
    return [_credit_made(kind, anchor, before, after, facts, base_file, revision_file)]


def _cap_changes(b: list[SlaFact], a: list[SlaFact], credits_left: bool, origin: str, base_file: str,
                 revision_file: str) -> list[Change]:
    before = min(b, key=lambda f: f.quantity.value) if b else None
    after = min(a, key=lambda f: f.quantity.value) if a else None
    if after is not None and (before is None or after.quantity.value < before.quantity.value):
        kind = "sla.credit.capped"
    elif before is not None and credits_left and (after is None or after.quantity.value > before.quantity.value):
        kind = "sla.credit.cap_raised"
    else:
        return []
    anchor = after or before
    assert anchor is not None
    facts = _facts(anchor, origin)
    facts.update(excerpt=after.excerpt if after else "", old_excerpt=before.excerpt if before else "",
                 scope="" if not anchor.location.startswith("/plans/") else anchor.scope,
                 cap_before=before.quantity.value if before else None, cap_after=after.quantity.value if after else None)
    facts["size"] = f"credits capped at {after.quantity.shown}" + (f" (was {before.quantity.shown})" if before else
                                                                     " (no cap before)") if after else \
        f"the cap of {before.quantity.shown} on credits lifted"  # type: ignore[union-attr]
    return [_credit_made(kind, anchor, before, after, facts, base_file, revision_file)]


def _credit_made(kind: str, anchor: SlaFact, before: SlaFact | None, after: SlaFact | None,
                 facts: dict[str, Any], base_file: str, revision_file: str) -> Change:
    subject = "service credits" + (f" ({anchor.scope})" if anchor.location.startswith("/plans/") else "")
    if anchor.location.startswith("/plans/"):
        facts["plans"] = [anchor.scope]
    return Change(kind=kind, location=anchor.location, subject=subject,
                  before=before.quantity.shown if before else None, after=after.quantity.shown if after else None,
                  facts=facts, source=_position(revision_file if after else base_file, after or before),
                  base_source=_position(base_file, before) if after else None)


# -- one change per issue ------------------------------------------------------------------------

def _deduplicated(changes: Iterable[Change]) -> list[Change]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for change in changes:
        mark = (change.kind, change.subject, change.before, change.after)
        if mark not in seen:
            seen.add(mark)
            out.append(change)
    return out


def _grouped(changes: list[Change]) -> list[Change]:
    """A pricing's change that shows in several plans (the uptime of a feature every paid
    plan has) is one change listing the plans."""
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for change in changes:
        mark = (change.kind, change.facts.get("metric"), change.facts.get("section"), change.facts.get("qualifier"),
                change.before, change.after)
        groups.setdefault(mark, []).append(change)
    out = []
    for members in groups.values():
        first = members[0]
        plans = sorted({p for c in members for p in c.facts.get("plans", [])})
        if len(plans) > 1:
            first.facts["plans"] = plans
            first.facts["scope"] = ", ".join(plans)
            label = _LABELS.get(str(first.facts.get("metric")), "service credits")
            qualifier = first.facts.get("qualifier")
            first.subject = f"{label}{' ' + qualifier if qualifier else ''} ({', '.join(plans)})"
        out.append(first)
    return out
