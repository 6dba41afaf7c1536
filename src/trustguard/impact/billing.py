"""What each customer pays before and after a pricing change, and who each finding reaches.

The customer list (bill_customers.py) is billed under both pricings (bills.py) through the
pricing differ's own plan matching; the bill changes are summed up in bill_distribution.py.
Here: which customers each finding reaches (its kind and facts: a plan's members, an
add-on's holders, those over a lowered limit), its figures, and the totals of the change.
Customers on a plan priced "Contact Sales" are counted as ``unpriced`` and left out of the
money figures rather than guessed.
"""

from __future__ import annotations

import heapq
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..config import Config, ImpactPolicy
from ..errors import InputError, InternalError
from ..model import AffectedEntity, Finding, Impact, ImpactTotals, Severity

# the bills' names were defined here once: tests and callers import them from billing too
from .bill_customers import BillCustomer as BillCustomer
from .bill_customers import load_bill_customers as load_bill_customers
from .bill_distribution import distribution
from .bills import BillCalculator as BillCalculator
from .bills import BillRow
from .bills import _cheapest_blocks as _cheapest_blocks
from .bills import compute_bills as compute_bills
from .blast import flags_for, worst_severity_counts

if TYPE_CHECKING:  # the models arrive with the diff's comparison: impact neither loads nor diffs
    from ..diff.pricing_context import PricingComparison
    from ..load.document import Document

class _Reach:
    """Which customers a finding touches, from its kind and facts."""

    def __init__(self, rows: list[BillRow], comparison: PricingComparison) -> None:
        self.rows = rows
        self.by_plan: dict[str, list[int]] = {}
        self.by_period: dict[str, list[int]] = {}
        self.by_addon: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            self.by_plan.setdefault(row.customer.plan, []).append(i)
            self.by_period.setdefault(row.customer.period, []).append(i)
            for addon in row.customer.addons:
                self.by_addon.setdefault(addon, []).append(i)
        self.to_base = {m.revision: m.base for m in comparison.plans}
        self.limit_base = {r: b for b, r in comparison.limits.items()}
        self.base_plans = set(comparison.base.plans)
        self.everyone = list(range(len(rows)))

    def _plans(self, names: Any, revision_names: bool) -> list[int]:
        if not isinstance(names, list):
            return []
        out: list[int] = []
        for name in names:
            base = self.to_base.get(name) if revision_names else name
            out.extend(self.by_plan.get(base or "", ()))
        return sorted(out)

    def of(self, finding: Finding) -> tuple[list[int], bool, str]:
        """(customer indexes, estimated, level). A finding standing for one issue in several
        plans or entries (classify.pricing_issues) reaches the customers of every part."""
        parts = finding.facts.get("parts")
        if not isinstance(parts, list):
            return self._one(finding.kind, finding.facts, finding.after)
        reached: set[int] = set()
        estimated, level = False, "none"
        for part in parts:
            idx, part_estimated, part_level = self._one(finding.kind, {**finding.facts, **part}, part.get("after"))
            reached.update(idx)
            estimated = estimated or part_estimated
            level = part_level if level == "none" else level
        return sorted(reached), estimated, level

    def _one(self, kind: str, facts: dict[str, Any], after: Any) -> tuple[list[int], bool, str]:
        if kind == "pricing.plan.added" or kind == "pricing.addon.added" or kind == "pricing.feature.added":
            return [], False, "none"
        if kind.startswith("pricing.addon."):
            name = facts.get("addon")
            if self.by_addon:
                return self.by_addon.get(str(name), []), False, "addon"
            plans = facts.get("plans")
            if plans == "all" or plans is None:
                return self.everyone, True, "addon"
            return self._plans(plans, kind != "pricing.addon.removed"), True, "addon"
        if kind.startswith("sla.") and isinstance(facts.get("plans"), list):  # a plan's service level
            return self._plans(facts["plans"], after is not None), False, "plan"
        if kind.startswith("pricing.billing."):
            return self.by_period.get(str(facts.get("period")), []), False, "billing"
        if kind in ("pricing.free_tier.removed", "pricing.feature.removed", "pricing.limit.removed"):
            return self._plans(facts.get("plans"), False), kind != "pricing.free_tier.removed", "plan"
        if kind in ("pricing.limit.unit.changed", "pricing.limit.type.changed"):
            return self._plans(facts.get("plans_changed"), True), True, "plan"
        base_plan = facts.get("base_plan")
        if base_plan is None and facts.get("plan") is not None:
            base_plan = self.to_base.get(str(facts["plan"]))
        if base_plan is not None:
            members = self.by_plan.get(str(base_plan), [])
            if kind == "pricing.plan.limit.decreased":
                return self._over_new_limit(members, str(facts.get("limit")), after)
            estimated = kind.startswith("pricing.plan.feature.")
            return members, estimated, "plan"
        if facts.get("scope") == "document" or kind.startswith(("pricing.terms.", "pricing.currency.")):
            return self.everyone, False, "all"
        return self.everyone, True, "all"

    def _over_new_limit(self, members: list[int], limit: str, after: Any) -> tuple[list[int], bool, str]:
        names = (limit, self.limit_base.get(limit, limit))  # usage may be recorded under the old name
        used = {i: next((u[n] for n in names if n in u), None) for i in members
                for u in (self.rows[i].customer.usage,)}
        with_usage = [i for i in members if used[i] is not None]
        if not with_usage:
            return members, True, "plan"
        cap = math.inf if after == "unlimited" or not isinstance(after, (int, float)) else float(after)
        return [i for i in with_usage if (used[i] or 0.0) > cap], False, "usage"


def _entity(row: BillRow) -> AffectedEntity:
    return AffectedEntity(
        id=row.customer.id,
        name=row.customer.name,
        plan=row.customer.plan,
        segment=row.customer.segment,
        revenue=row.before.amount or 0.0,
        bill_before=row.before.amount,
        # across currencies with no rate the two bills are not put side by side
        bill_after=row.after.amount if row.after is not None and row.comparable else None,
    )


def _share(part: float, whole: float) -> float:
    return round(part / whole, 6) if whole else 0.0


@dataclass(frozen=True)
class _Group:
    """What every finding reaching the same customers shares (computed once per group)."""

    revenue: float
    ids: list[str]
    top: list[AffectedEntity]
    flags: list[str]
    details: dict[str, Any]


def _group(rows: list[BillRow], idx: list[int], revenue_total: float, policy: ImpactPolicy) -> _Group:
    chosen = [rows[i] for i in idx]
    revenues = [r.before.amount or 0.0 for r in chosen]
    top = heapq.nsmallest(
        policy.top, chosen, key=lambda r: (-(r.delta or 0.0), -(r.before.amount or 0.0), r.customer.id)
    )
    flags, flag_details = flags_for(revenues, revenue_total, policy)
    deltas = [r.delta for r in chosen if r.delta is not None]
    return _Group(
        revenue=math.fsum(revenues),
        ids=[r.customer.id for r in chosen],  # rows are sorted by id, idx ascending
        top=[_entity(r) for r in top],
        flags=flags,
        details={
            "with_data": True,
            "pay_more": sum(1 for d in deltas if d > 0),
            "bill_change": round(math.fsum(deltas), 2),
            **flag_details,
        },
    )


def _impact(group: _Group, count: int, estimated: bool, level: str, revenue_total: float, total: int) -> Impact:
    # built from values already typed here: skipping validation of 100,000-id lists per
    # finding is most of the time a large customer file costs
    return Impact.model_construct(
        integrations=0,
        traffic=0,
        traffic_share=0.0,
        top_integrations=[],
        integration_ids=[],
        customers=count,
        revenue=round(group.revenue, 2),
        revenue_share=_share(group.revenue, revenue_total),
        customer_share=_share(count, total),
        estimated=estimated,
        level=level,
        top_customers=[e.model_copy() for e in group.top],
        customer_ids=list(group.ids),
        flags=list(group.flags),
        details=dict(group.details),
    )


def diffs_comparison(base_doc: Document, rev_doc: Document) -> PricingComparison:
    """The plan matching and currency conversion the pricing differ made of these two
    documents: customers follow the very matching the findings were made from."""
    kept = rev_doc.compared
    if kept is None or kept[0] is not base_doc:
        raise InternalError("the bill impact needs the pricing diff of these two documents first")
    return cast("PricingComparison", kept[1])


def apply_bill_impact(
    base_doc: Document, rev_doc: Document, findings: list[Finding], inputs: dict[str, Any], cfg: Config
) -> ImpactTotals:
    """Compute every customer's bill before and after, set ``finding.impact`` on each
    finding, and return the totals with the bill distribution in ``details``."""
    comparison = diffs_comparison(base_doc, rev_doc)
    base, revision = comparison.base, comparison.revision
    path = inputs.get("customers")
    if path is None:
        raise InputError("bill impact needs a customer list (--customers)")
    customers, warnings = load_bill_customers(path, base, revision)
    rows = compute_bills(comparison, customers)
    revenue_total = math.fsum(r.before.amount or 0.0 for r in rows)
    reach = _Reach(rows, comparison)
    affected: set[int] = set()
    by_severity: dict[str, set[int]] = {}
    groups: dict[tuple[int, ...], _Group] = {}
    for finding in findings:
        idx, estimated, level = reach.of(finding)
        key = tuple(idx)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _group(rows, idx, revenue_total, cfg.impact)
        finding.impact = _impact(group, len(idx), estimated, level, revenue_total, len(rows))
        if finding.severity is Severity.INFO:
            continue
        affected.update(idx)
        by_severity.setdefault(finding.severity.value, set()).update(idx)
    hit = [rows[i] for i in sorted(affected)]
    revenue = math.fsum(r.before.amount or 0.0 for r in hit)
    flags, flag_details = flags_for([r.before.amount or 0.0 for r in hit], revenue_total, cfg.impact)
    unpriced = sum(1 for r in rows if r.before.amount is None)
    if unpriced:
        warnings.append(
            f"{os.fspath(path)}: {unpriced} customer(s) on plans without a published price have no bill"
        )
    totals = ImpactTotals(
        customers_total=len(rows),
        customers_affected=len(hit),
        customer_share=_share(len(hit), len(rows)),
        revenue_total=round(revenue_total, 2),
        revenue_affected=round(revenue, 2),
        revenue_share=_share(revenue, revenue_total),
        flags=flags,
        warnings=warnings,
        details={
            "with_data": True,
            "bills": distribution(rows, revision.currency or base.currency, comparison.conversion),
            "customers_by_severity": worst_severity_counts(by_severity),
            "customer_ids": sorted(r.customer.id for r in hit),
            **flag_details,
        },
    )
    # every affected customer's own bill, for its notice draft (made only if one is asked for)
    totals._customers = lambda: {r.customer.id: {
        "id": r.customer.id, "name": r.customer.name, "plan": r.customer.plan, "segment": r.customer.segment,
        "revenue": r.before.amount or 0.0, "bill_before": r.before.amount,
        "bill_after": r.after.amount if r.after is not None else None,
        "plan_after": r.after.plan if r.after is not None else None, "moved": r.moved,
        "currency": revision.currency or base.currency,
    } for r in hit}
    return totals
