"""Every bill is a monthly amount in the pricing's currency:

    plan price x billing multiplier x seats (when the plan is priced per seat)
    + add-ons the customer holds (same rule)
    + overage: usage above a plan limit, bought in the cheapest blocks of the add-ons
      whose ``usageLimitsExtensions`` extend that limit for the plan
    + mandatory fees (``commercialTerms.mandatoryFees``; yearly fees / 12, one-off excluded)

A customer whose plan is gone is moved to the cheapest revision plan that holds its usage
(a forced move). A plan priced "Contact Sales" has no bill (``amount`` None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .bill_customers import BillCustomer

if TYPE_CHECKING:  # the models arrive with the diff's comparison: impact neither loads nor diffs
    from ..diff.pricing_context import PricingComparison
    from ..load.pricing import Pricing


@dataclass(frozen=True, slots=True)
class Bill:
    """One customer's monthly bill under one pricing (``amount`` None: not priced)."""

    plan: str
    amount: float | None
    over_limits: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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
