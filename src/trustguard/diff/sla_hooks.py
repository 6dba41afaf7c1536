"""Where service-level promises are compared: an SLA document of its own, and the two
other documents that state them (a terms text's clauses, a pricing's plans)."""

from __future__ import annotations

from typing import Any

from ..load.document import Document
from ..load.sla import SlaText
from ..model import Change
from . import sla_facts
from .sla import compare


def _sla(document: Document) -> SlaText:
    return document.model_as(SlaText)


def facts_of_sla(document: Document) -> list[sla_facts.SlaFact]:
    data = _sla(document)
    if data.form == "openslo":
        return sla_facts.from_openslo(data.openslo, data.objective_lines)
    return sla_facts.from_lines(data.lines)


def diff_sla(base: Document, revision: Document, **options: Any) -> list[Change]:
    """Every difference between two SLAs' promises (two texts, two OpenSLO files, or one of
    each). Options are accepted and ignored, as every differ's are."""
    del options
    changes = compare(facts_of_sla(base), facts_of_sla(revision), origin="sla",
                      base_file=base.name, revision_file=revision.name)
    return sorted(changes, key=Change.sort_key)


def terms_sla_changes(base: Document, revision: Document) -> list[Change]:
    """The service levels a terms text states ("10,000 API requests per day", "a 10 %
    service credit"), compared between its versions."""
    from .terms_align import redline

    changes = compare(sla_facts.from_terms(base.data), sla_facts.from_terms(revision.data), origin="terms",
                      base_file=base.name, revision_file=revision.name)
    for change in changes:  # as every terms change does: the texts and their redline
        old, new = change.facts.get("old_excerpt", ""), change.facts.get("excerpt", "")
        change.facts.update(old_text=old, new_text=new, redline=redline(old, new) if old and new
                            else [["+", new]] if new else [["-", old]])
    return changes


_PRICING_LIMIT_KINDS = frozenset(("pricing.plan.limit.decreased", "pricing.plan.limit.increased",
                                  "pricing.limit.unit.changed"))


def pricing_sla_changes(base_doc: Document, revision_doc: Document, changes: list[Change]) -> list[Change]:
    """The pricing's changes with its service levels compared. A feature whose value
    states a promise that changed is reported by its sla change alone. A usage limit the
    pricing differ compares as a bare number is judged here only when its unit changed:
    then ``10 requests/second`` and ``600 requests/minute`` are one limit (its limit changes
    are dropped), and a real change is an ``sla.rate_limit`` change with its size; a limit
    in one unit stays the pricing differ's (shrinkflation, free tier cut)."""
    from ..load.pricing import Pricing

    base, revision = base_doc.model_as(Pricing), revision_doc.model_as(Pricing)
    # a plan added or removed is the pricing differ's finding; its promises are not a second one
    old = [f for f in sla_facts.from_pricing(base) if f.scope in revision.plans]
    new = [f for f in sla_facts.from_pricing(revision) if f.scope in base.plans]
    old_limits = {f.location: f for f in old if "/usageLimits/" in f.location}
    new_limits = {f.location: f for f in new if "/usageLimits/" in f.location}
    renormalised: set[str] = set()  # limits whose unit changed: judged here
    for location in old_limits.keys() & new_limits.keys():
        name = location.rsplit("/", 1)[-1]
        if _unit(base, name) != _unit(revision, name):
            renormalised.add(location)
    kept_old = [f for f in old if "/usageLimits/" not in f.location or f.location in renormalised]
    kept_new = [f for f in new if "/usageLimits/" not in f.location or f.location in renormalised]
    sla = compare(kept_old, kept_new, origin="pricing", base_file=base_doc.name, revision_file=revision_doc.name)
    for change in sla:
        _place(change, revision_doc if change.after is not None else base_doc)
    if renormalised:
        changes = [c for c in changes if not (c.kind in _PRICING_LIMIT_KINDS and _limit_place(c) & renormalised)]
    # a feature's text value whose promise changed ("99.99% uptime" -> "99.5% uptime") is the
    # sla change, with its size, not a second "feature changed" fact
    measured = {(plan, c.facts.get("section")) for c in sla if "/features/" in c.location
                for plan in c.facts.get("plans", [])}
    changes = [c for c in changes if not (c.kind == "pricing.plan.feature.changed"
                                          and (c.facts.get("plan"), c.facts.get("feature")) in measured)]
    return [*changes, *sla]


def _limit_place(change: Change) -> set[str]:
    """The ``/plans/P/usageLimits/L`` places a pricing limit change is about."""
    limit = change.facts.get("limit")
    plans = change.facts.get("plans_changed") or change.facts.get("plans") or [change.facts.get("plan")]
    if not isinstance(plans, list):
        plans = [plans]
    return {f"/plans/{p}/usageLimits/{limit}" for p in plans if p}


def _place(change: Change, document: Document) -> None:
    """The line of a pricing's promise: the plan's own value, or the default it inherits."""
    location = change.location
    parts = location.split("/")  # /plans/P/features/F
    for pointer in (location, f"/{parts[3]}/{parts[4]}" if len(parts) > 4 else location):
        position = document.position(pointer)
        if position is not None and position.line is not None:
            change.source = position
            return


def _unit(pricing: Any, limit: str) -> str:
    spec = pricing.limits.get(limit)
    return " ".join(str(spec.unit or "").lower().split()) if spec is not None else ""
