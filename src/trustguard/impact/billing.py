"""What each customer pays before and after a pricing change, and who each finding reaches.

Customers come from a CSV, JSON or YAML file with, per customer: ``id``, ``plan`` (a base
plan name), ``seats`` (default 1), ``billing`` (``monthly`` / ``annual``, default monthly),
``addons`` (names, ``;``-separated in CSV) and the monthly usage of any limit, as a column
``usage.<limitName>`` (or a bare column named like the limit; in JSON/YAML a ``usage``
mapping). Every bill is a monthly amount in the pricing's currency:

    plan price x billing multiplier x seats (when the plan is priced per seat)
    + add-ons the customer holds (same rule)
    + overage: usage above a plan limit, bought in the cheapest blocks of the add-ons
      whose ``usageLimitsExtensions`` extend that limit for the plan
    + mandatory fees (``commercialTerms.mandatoryFees``; yearly fees / 12, one-off excluded)

A customer whose plan is gone is moved to the cheapest revision plan that holds its usage
(a forced move). A plan priced "Contact Sales" has no bill: such customers are counted
as ``unpriced`` and left out of the money figures rather than guessed.
"""

from __future__ import annotations

import heapq
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..config import Config, ImpactPolicy
from ..errors import InputError, InternalError
from ..model import AffectedEntity, Finding, Impact, ImpactTotals, Severity
from .blast import flags_for, worst_severity_counts
from .files import RowProblems, csv_rows, normalise_key, read_text, structured_records

if TYPE_CHECKING:  # the models arrive with the diff's comparison: impact neither loads nor diffs
    from ..diff.pricing_context import PricingComparison
    from ..diff.pricing_money import Conversion
    from ..load.document import Document
    from ..load.pricing import Pricing

#: the key under which the pricing differ leaves its comparison on the revision document
#: (diff.pricing_context.COMPARISON_KEY)
_COMPARISON_KEY = "pricing_comparison"

_ID_KEYS = ("id", "customer_id", "customer")
_SEAT_KEYS = ("seats", "users", "quantity", "licenses")
_PERIOD_KEYS = ("billing", "billing_period", "period")
_ADDON_KEYS = ("addons", "add_ons")
_USAGE_PREFIXES = ("usage.", "usage_", "usage:")
_RESERVED = frozenset({*_ID_KEYS, *_SEAT_KEYS, *_PERIOD_KEYS, *_ADDON_KEYS, "plan", "name", "segment"})


@dataclass(frozen=True, slots=True)
class BillCustomer:
    id: str
    plan: str
    seats: int = 1
    period: str = "monthly"
    usage: dict[str, float] = field(default_factory=dict)
    addons: tuple[str, ...] = ()
    name: str | None = None
    segment: str | None = None


@dataclass(frozen=True, slots=True)
class Bill:
    """One customer's monthly bill under one pricing (``amount`` None: not priced)."""

    plan: str
    amount: float | None
    over_limits: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# --- reading customers ---------------------------------------------------------------------


def load_bill_customers(
    path: str | os.PathLike[str], base: Pricing, revision: Pricing
) -> tuple[list[BillCustomer], list[str]]:
    """Read the customers; rows naming an unknown plan or with bad numbers become warnings."""
    name = os.fspath(path)
    limit_names = {n.lower(): n for n in (*revision.limits, *base.limits)}
    plan_names = {n.lower(): n for n in base.plans}
    problems = RowProblems(name)
    out: list[BillCustomer] = []
    seen: set[str] = set()
    if Path(name).suffix.lower() == ".csv":
        header, rows = csv_rows(read_text(path), name)
        if not any(k in header for k in _ID_KEYS) or "plan" not in header:
            raise InputError(
                "the customer CSV needs 'id' and 'plan' columns (header: " + ", ".join(header) + ")",
                file=name, place="1",
            )
        usage_cols = _usage_columns(header, limit_names)
        for line, cells in rows:
            if len(cells) != len(header):
                problems.add(line, f"expected {len(header)} cells, found {len(cells)}")
                continue
            row = dict(zip(header, cells, strict=False))
            usage: dict[str, Any] = {limit: row[col] for col, limit in usage_cols.items() if row.get(col, "").strip() != ""}
            addons = tuple(a.strip() for a in str(_first(row, _ADDON_KEYS) or "").split(";") if a.strip())
            _add(out, seen, row, usage, addons, plan_names, problems, line, base)
    else:
        name, records = structured_records(path, problems, "customers", "customer")
        for number, record in records:
            row = {normalise_key(str(k)): v for k, v in record.items()}
            given = record.get("usage")
            raw_usage: dict[str, Any] = given if isinstance(given, dict) else {}
            usage = {}
            for key, value in raw_usage.items():
                limit = limit_names.get(str(key).lower())
                if limit is None:
                    problems.add(number, f"usage of an unknown limit {key!r} (ignored)")
                    continue
                usage[limit] = value
            raw_addons = _first(row, _ADDON_KEYS) or []
            addons = tuple(str(a) for a in raw_addons) if isinstance(raw_addons, list) else tuple(
                a.strip() for a in str(raw_addons).split(";") if a.strip()
            )
            _add(out, seen, row, usage, addons, plan_names, problems, number, base)
    warnings = [s for s in [problems.summary("row" if name.lower().endswith(".csv") else "entry")] if s]
    if not out:
        raise InputError("no usable customer in the file (each needs an id and a plan of the base pricing)", file=name)
    return out, warnings


def _usage_columns(header: list[str], limits: dict[str, str]) -> dict[str, str]:
    """Column -> limit name; headers arrive lower-cased, limit names are matched likewise."""
    cols: dict[str, str] = {}
    for norm in header:
        if norm in _RESERVED:
            continue
        key = norm
        for prefix in _USAGE_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
        limit = limits.get(key.lower())
        if limit is not None:
            cols[norm] = limit
    return cols


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in row and row[key] not in (None, ""):
            return row[key]
    return None


#: bounds no real customer reaches; beyond them a bill's sums overflow a float
MAX_SEATS = 1e9
MAX_USAGE = 1e15


def _bounded(number: float, bound: float, what: str, name: str, line: int) -> float:
    if number > bound:
        raise InputError(f"{what} is {number:g}, more than {bound:g}: not a real customer's figure",
                         file=name, place=str(line))
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            return None
    return number if number >= 0 and math.isfinite(number) else None


def _add(
    out: list[BillCustomer], seen: set[str], row: dict[str, Any], usage_raw: dict[str, Any],
    addons: tuple[str, ...], plans: dict[str, str], problems: RowProblems, line: int, base: Pricing,
) -> None:
    cid = _first(row, _ID_KEYS)
    if cid is None:
        problems.add(line, "no customer id")
        return
    cid = str(cid).strip()
    if cid in seen:
        problems.add(line, "duplicate customer id (the first entry is kept)")
        return
    plan = plans.get(str(row.get("plan") or "").strip().lower())
    if plan is None:
        problems.add(line, "plan not in the base pricing")
        return
    seats_raw = _first(row, _SEAT_KEYS)
    seats = _number(seats_raw) if seats_raw is not None else 1.0
    if seats is None or seats < 1 or not float(seats).is_integer():
        problems.add(line, "seats is not a whole number >= 1")
        return
    _bounded(seats, MAX_SEATS, "seats", problems.name, line)
    usage: dict[str, float] = {}
    for limit, value in usage_raw.items():
        number = _number(value)
        if number is None:
            problems.add(line, f"usage of {limit} is not a number >= 0")
            return
        usage[limit] = _bounded(number, MAX_USAGE, f"usage of {limit}", problems.name, line)
    period = base.period_of(str(_first(row, _PERIOD_KEYS) or "monthly"))
    seen.add(cid)
    name, segment = row.get("name"), row.get("segment")
    out.append(BillCustomer(
        id=cid, plan=plan, seats=int(seats), period=period, usage=usage, addons=addons,
        name=str(name) if name not in (None, "") else None,
        segment=str(segment) if segment not in (None, "") else None,
    ))


# --- bills -----------------------------------------------------------------------------------


def _units(seats: int, seats_per_unit: float) -> float:
    """How many priced units a customer with ``seats`` buys: every seat at "user/month",
    whole bundles at "5 users/month" (7 seats: 2), one at a flat price."""
    if not seats_per_unit:
        return 1
    return seats if seats_per_unit == 1 else math.ceil(seats / seats_per_unit - 1e-9)


def _cheapest_blocks(excess: float, options: list[tuple[float, float]]) -> float:
    """The least it costs to buy ``excess`` units in blocks of (size, price)."""
    best = math.inf
    for size, price in options:
        best = min(best, math.ceil(excess / size - 1e-9) * price)
    # a mix of one big block size and one small one beats either alone (Postman: 50,000
    # calls for 20 or 1,000 for 0.75)
    for big_size, big_price in options:
        whole = math.floor(excess / big_size)
        rest = excess - whole * big_size
        for size, price in options:
            best = min(best, whole * big_price + math.ceil(rest / size - 1e-9) * price)
    return best


class BillCalculator:
    """Bills under one pricing; per-plan facts are worked out once, not per customer."""

    def __init__(self, pricing: Pricing, rate: float = 1.0) -> None:
        self.pricing = pricing
        self.rate = rate  # into the currency bills are compared in (the revision's)
        self._overage: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for plan in pricing.plans.values():
            for addon in pricing.addons.values():
                if addon.price is None or not addon.available_to(plan.name):
                    continue
                for limit, size in addon.extensions.items():
                    if size > 0:
                        self._overage.setdefault((plan.name, limit), []).append((size, addon.price))
        self._addon_seat = {a.name: a.seats_per_unit for a in pricing.addons.values()}
        self._fees: dict[str, tuple[float, float]] = {}
        for plan in pricing.plans.values():
            flat = per_seat = 0.0
            for fee in (plan.terms.get("mandatoryFees") or {}).values():
                period = fee.get("period", "month")
                if period == "one-off":
                    continue
                amount = float(fee["price"]) / (12 if period == "year" else 1)
                if pricing.seats_per_unit(str(fee["unit"]) if fee.get("unit") else None):
                    per_seat += amount
                else:
                    flat += amount
            self._fees[plan.name] = (flat, per_seat)
        # per plan: price, seats per priced unit (0: flat), finite numeric limits, fees (flat, per seat)
        self._plan_facts: dict[str, tuple[float | None, float, dict[str, float], float, float]] = {
            plan.name: (
                plan.price,
                plan.seats_per_unit,
                {k: v for k, v in plan.limits.items() if type(v) is float and not math.isinf(v)},
                *self._fees[plan.name],
            )
            for plan in pricing.plans.values()
        }

    def bill(self, customer: BillCustomer, plan_name: str) -> Bill:
        price, per_seat, caps, fee_flat, fee_seat = self._plan_facts[plan_name]
        if price is None:
            return Bill(plan_name, None, notes=("unpriced",))
        notes: tuple[str, ...] = ()
        mult = self.pricing.billing.get(customer.period)
        if mult is None:
            mult = self.pricing.billing.get("monthly", 1.0)
            notes = (f"billing period {customer.period} not offered",)
        seats = customer.seats
        total = price * mult * _units(seats, per_seat) + fee_flat + fee_seat * seats
        over: list[str] | None = None
        for limit, used in customer.usage.items():
            included = caps.get(limit)
            if included is None or used <= included:
                continue
            options = self._overage.get((plan_name, limit))
            if options:
                total += _cheapest_blocks(used - included, options)
            elif over is None:
                over = [limit]
            else:
                over.append(limit)
        for name in customer.addons:
            addon = self.pricing.addons.get(name)
            if addon is None:
                notes = (*notes, f"add-on {name} not offered")
            elif addon.price is None:
                notes = (*notes, f"add-on {name} unpriced")
            else:
                total += addon.price * mult * _units(seats, self._addon_seat[name])
        return Bill(plan_name, round(total * self.rate, 2), tuple(sorted(over)) if over else (), notes)

    def best_plan(self, customer: BillCustomer) -> Bill | None:
        """The cheapest public, priced plan that holds the customer's usage."""
        best: Bill | None = None
        for name in sorted(self.pricing.plans):
            plan = self.pricing.plans[name]
            if plan.private or plan.price is None:
                continue
            bill = self.bill(customer, name)
            if bill.amount is None:
                continue
            key = (bool(bill.over_limits), bill.amount)
            if best is None or key < (bool(best.over_limits), best.amount or 0.0):
                best = bill
        return best


class BillRow:
    """One customer's bills; the differences are worked out once (findings reuse them)."""

    __slots__ = ("after", "before", "comparable", "customer", "delta", "moved", "percent")

    def __init__(
        self, customer: BillCustomer, before: Bill, after: Bill | None, moved: bool, comparable: bool = True
    ) -> None:
        self.customer, self.before, self.after, self.moved = customer, before, after, moved
        self.comparable = comparable
        self.delta: float | None = None
        self.percent: float | None = None
        # comparable False: the bills are in two currencies and no rate was given
        if comparable and before.amount is not None and after is not None and after.amount is not None:
            self.delta = round(after.amount - before.amount, 2)
            if before.amount:
                self.percent = round(self.delta / before.amount * 100, 2)


def compute_bills(comparison: PricingComparison, customers: list[BillCustomer]) -> list[BillRow]:
    """Every customer's bill before and after; renamed plans follow their new name (the
    diff's own plan matching). Across a currency change the base bills are converted at the
    user's rate; without one, before and after are kept in their currencies, not compared."""
    fx = comparison.conversion
    comparable = fx is None or fx.rate is not None
    rate = fx.rate if fx is not None and fx.rate is not None else 1.0
    plan_map = comparison.plan_map()
    # a renamed usage limit is the same limit: usage recorded under either name counts on both sides
    to_revision = {b: r for b, r in comparison.limits.items() if b != r}
    to_base = {r: b for b, r in to_revision.items()}
    before_calc, after_calc = BillCalculator(comparison.base, rate), BillCalculator(comparison.revision)
    rows: list[BillRow] = []
    for customer in sorted(customers, key=lambda c: c.id):
        before = before_calc.bill(_usage_named(customer, to_base), customer.plan)
        later = _usage_named(customer, to_revision)
        target = plan_map.get(customer.plan)
        if target is not None:
            rows.append(BillRow(customer, before, after_calc.bill(later, target), False, comparable))
        else:
            rows.append(BillRow(customer, before, after_calc.best_plan(later), True, comparable))
    return rows


def _usage_named(customer: BillCustomer, names: dict[str, str]) -> BillCustomer:
    """``customer`` with its usage under the names one side's limits have."""
    if not names or not any(k in names for k in customer.usage):
        return customer
    return replace(customer, usage={names.get(k, k): v for k, v in customer.usage.items()})


# --- the distribution ------------------------------------------------------------------------


def _quantile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank quantile: a value some customer really has."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def distribution(rows: list[BillRow], currency: str, fx: Conversion | None = None) -> dict[str, Any]:
    if fx is not None and fx.rate is None:
        return _across_currencies(rows, fx)
    priced = [r for r in rows if r.delta is not None]
    rises = sorted((r for r in priced if (r.delta or 0) > 0), key=lambda r: (r.delta or 0.0))
    amounts = [r.delta or 0.0 for r in rises]
    percents = sorted(r.percent for r in rises if r.percent is not None)
    before = math.fsum(r.before.amount or 0.0 for r in priced)
    after = math.fsum((r.after.amount if r.after else 0.0) or 0.0 for r in priced)
    return {
        "currency": currency,
        "period": "month",
        "customers": len(rows),
        "priced": len(priced),
        "unpriced": len(rows) - len(priced),
        "pay_more": len(rises),
        "pay_less": sum(1 for r in priced if (r.delta or 0) < 0),
        "pay_same": sum(1 for r in priced if r.delta == 0),
        "forced_moves": sum(1 for r in rows if r.moved),
        "over_limit_after": sum(1 for r in rows if r.after is not None and r.after.over_limits),
        "increase": {
            "median": round(_quantile(amounts, 0.5), 2),
            "p90": round(_quantile(amounts, 0.9), 2),
            "max": round(amounts[-1], 2) if amounts else 0.0,
            "median_percent": round(_quantile(percents, 0.5), 2),
            "p90_percent": round(_quantile(percents, 0.9), 2),
            "max_percent": round(percents[-1], 2) if percents else 0.0,
        },
        "revenue_before": round(before, 2),
        "revenue_after": round(after, 2),
        "revenue_change": round(after - before, 2),
        "revenue_change_percent": round((after - before) / before * 100, 2) if before else None,
        **({"exchange_rate": f"1 {fx.currency_before} = {round(fx.rate, 6):g} {fx.currency_after}"
            f" (bills before converted into {fx.currency_after})"} if fx is not None and fx.rate else {}),
    }


def _across_currencies(rows: list[BillRow], fx: Conversion) -> dict[str, Any]:
    """Bills in two currencies and no rate: who moved and who is over a limit, but no
    amounts compared and no percentage (USD 24 -> EUR 24 is not "the same")."""
    priced = [r for r in rows if r.before.amount is not None and r.after is not None and r.after.amount is not None]
    return {
        "currency": fx.currency_before,  # the revenue figures are today's bills
        "currency_after": fx.currency_after,
        "period": "month",
        "customers": len(rows),
        "priced": len(priced),
        "unpriced": len(rows) - len(priced),
        "forced_moves": sum(1 for r in rows if r.moved),
        "over_limit_after": sum(1 for r in rows if r.after is not None and r.after.over_limits),
        "revenue_before": round(math.fsum(r.before.amount or 0.0 for r in priced), 2),
        "currency_changed": (
            f"bills before are in {fx.currency_before}, after in {fx.currency_after}: not compared "
            "without an exchange rate (pricing.fx in the config, or --fx FILE)"
        ),
    }


# --- findings ---------------------------------------------------------------------------------


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
    kept = rev_doc.meta.get(_COMPARISON_KEY)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == id(base_doc)):
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
