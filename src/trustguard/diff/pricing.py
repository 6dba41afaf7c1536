"""Diff two pricings: plans, prices, features, limits, add-ons, billing and commercial terms.

Plans are compared on what a customer of that plan actually gets (the declared defaults
plus the plan's overrides), so a default that changes is seen on every plan that
inherits it, and re-ordering keys changes nothing. Plans are matched by name and,
when a name disappears, by content and price, so that a rename (Slack STANDARD->PRO)
is reported as one rename and the price change that came with it, not as a plan
retired plus a plan launched.

Diff reports facts (``pricing.plan.price.increased`` with ``percent``); rules judge.
Unlimited values are shown as the text ``"unlimited"`` so reports stay valid JSON.
"""

from __future__ import annotations

import math
from typing import Any

from ..load.document import Document
from ..load.parse import join_pointer
from ..load.pricing import AddOn, feature_enabled, price_unit, unit_key
from ..model import Change
from .pricing_context import PricingComparison, compare
from .pricing_features import as_level, norm_text
from .pricing_fees import MandatoryCharge, mandatory_charges
from .pricing_money import NO_PRICE, Conversion, money, percent_change, shown, unit_amount
from .pricing_plan_changes import PlanChanges
from .pricing_plans import RENAME_MIN_SIMILARITY, PlanMatch, match_plans, plan_similarity

__all__ = [
    "RENAME_MIN_SIMILARITY", "Conversion", "MandatoryCharge", "PlanMatch", "PricingComparison",
    "compare", "diff_pricing", "mandatory_charges", "match_plans", "money", "percent_change",
    "plan_similarity", "shown",
]


# From this many renamed features and limits in one revision, the renames are one
# catalogue-wide fact (pricing.catalogue.renamed), not one fact each.
CATALOGUE_RENAME_SUMMARY = 5
_LISTED = 12  # renames a summary message names before "(+N more)"; the facts hold all


class _PricingDiff(PlanChanges):
    def run(self) -> list[Change]:
        self.document_level()
        matched_b = {m.base for m in self.matches}
        matched_r = {m.revision for m in self.matches}
        for name in sorted(set(self.b.plans) - matched_b):
            self.plan_removed(self.b.plans[name])
        for name in sorted(set(self.r.plans) - matched_r):
            self.plan_added(self.r.plans[name])
        for match in self.matches:
            self.plan_pair(match)
        self.catalogue()
        self.addons()
        self.mandatory_charges()
        self.terms(self.b.terms, self.r.terms, "/commercialTerms", None, None, set(self.b.terms) | set(self.r.terms))
        return self.changes

    def document_level(self) -> None:
        b, r = self.b, self.r
        if b.currency and r.currency and b.currency != r.currency:
            self.emit(
                "pricing.currency.changed", "/currency", subject="currency",
                before=b.currency, after=r.currency, facts={"currency": r.currency},
                base_location="/currency",
            )
        for period in sorted(b.billing.keys() | r.billing.keys()):
            mb, mr = b.billing.get(period), r.billing.get(period)
            if mb is None and mr is not None:
                self.emit(
                    "pricing.billing.period.added", join_pointer("billing", r.billing_keys[period]),
                    subject=period, after=mr, facts={"period": period, "discount": money((1 - mr) * 100)},
                )
            elif mr is None and mb is not None:
                facts: dict[str, Any] = {
                    "period": period, "monthly": period == "monthly", "remaining": sorted(r.billing),
                }
                if r.billing and mb > 0:
                    # its customers move to the cheapest period left: their effective price rise
                    facts["percent"] = percent_change(mb, min(r.billing.values()))
                self.emit(
                    "pricing.billing.period.removed", join_pointer("billing", b.billing_keys[period]),
                    subject=period, before=mb, facts=facts, in_base=True,
                )
            elif mb is not None and mr is not None and abs(mb - mr) > 1e-9:
                kind = "pricing.billing.discount.reduced" if mr > mb else "pricing.billing.discount.increased"
                self.emit(
                    kind, join_pointer("billing", r.billing_keys[period]), subject=period,
                    before=mb, after=mr,
                    facts={
                        "period": period,
                        "discount_before": money((1 - mb) * 100),
                        "discount_after": money((1 - mr) * 100),
                        "percent": percent_change(mb, mr),
                    },
                    base_location=join_pointer("billing", b.billing_keys[period]),
                )
        free_before = sorted(p.name for p in b.plans.values() if p.is_free and not p.private)
        free_after = [p.name for p in r.plans.values() if p.is_free and not p.private]
        if free_before and not free_after:
            self.emit(
                "pricing.free_tier.removed", "/plans", subject="free tier",
                before=free_before, after=None, facts={"plans": free_before, "free": True},
            )

    # -- catalogue ------------------------------------------------------------------------

    def catalogue(self) -> None:
        mapped_f = set(self.feature_map.values())
        for name in sorted(set(self.b.features) - set(self.feature_map)):
            plans = self.plans_with(self.b, lambda p, n=name: feature_enabled(p.features.get(n)))
            if plans:
                self.emit(
                    "pricing.feature.removed", join_pointer("features", name), subject=name,
                    facts={"feature": name, "plans": plans}, in_base=True,
                )
        for name in sorted(set(self.r.features) - mapped_f):
            plans = self.plans_with(self.r, lambda p, n=name: feature_enabled(p.features.get(n)))
            if plans:
                self.emit(
                    "pricing.feature.added", join_pointer("features", name), subject=name,
                    facts={"feature": name, "plans": plans},
                )
        summary = self.catalogue_renames()
        for fb, fr in sorted(self.feature_map.items()):
            if fb != fr and not summary:
                self.emit(
                    "pricing.feature.renamed", join_pointer("features", fr), subject=fr, before=fb, after=fr,
                    facts={"feature": fr}, base_location=join_pointer("features", fb),
                )
        for name in sorted(set(self.b.limits) - set(self.limit_map)):
            plans = self.plans_with(self.b, lambda p, n=name: not math.isinf(as_level(p.limits.get(n))))
            if plans:
                self.emit(
                    "pricing.limit.removed", join_pointer("usageLimits", name), subject=name,
                    facts={"limit": name, "plans": plans}, in_base=True,
                )
        for lb, lr in sorted(self.limit_map.items()):
            sb, sr = self.b.limits[lb], self.r.limits[lr]
            if lb != lr and not summary:
                self.emit(
                    "pricing.limit.renamed", join_pointer("usageLimits", lr), subject=lr, before=lb, after=lr,
                    facts={"limit": lr}, base_location=join_pointer("usageLimits", lb),
                )
            cut, changed = self._limit_movement(lb, lr)
            common = {
                "limit": lr,
                "description_changed": norm_text(sb.description) != norm_text(sr.description),
                "value_changed": bool(changed),
                "cut": bool(cut),
                "plans_cut": cut,
                "plans_changed": changed,
            }
            # "devices" -> "device" is one unit; a unit stated for the first time on numbers
            # that did not move says what they always counted
            first_stated = sb.unit is None and not changed
            if unit_key(sb.unit) != unit_key(sr.unit) and not first_stated:
                self.emit(
                    "pricing.limit.unit.changed", join_pointer("usageLimits", lr, "unit"), subject=lr,
                    before=sb.unit, after=sr.unit, facts={**common, "unit_before": sb.unit, "unit_after": sr.unit},
                    base_location=join_pointer("usageLimits", lb, "unit"),
                )
            if norm_text(sb.type) != norm_text(sr.type) and sb.type and sr.type:
                self.emit(
                    "pricing.limit.type.changed", join_pointer("usageLimits", lr, "type"), subject=lr,
                    before=sb.type, after=sr.type, facts=common,
                    base_location=join_pointer("usageLimits", lb, "type"),
                )

    def catalogue_renames(self) -> bool:
        """A catalogue-wide rename (CATALOGUE_RENAME_SUMMARY or more features and limits under
        new names) is one fact listing every rename, not one per entry. Whether it was."""
        features = {b: r for b, r in sorted(self.feature_map.items()) if b != r}
        limits = {b: r for b, r in sorted(self.limit_map.items()) if b != r}
        count = len(features) + len(limits)
        if count < CATALOGUE_RENAME_SUMMARY:
            return False
        shown_pairs = [f"{b} -> {r}" for b, r in [*features.items(), *limits.items()]]
        self.emit(
            "pricing.catalogue.renamed", "/features", subject="catalogue",
            before=sorted(features) + sorted(limits), after=sorted(features.values()) + sorted(limits.values()),
            facts={"count": count, "renamed_features": features, "renamed_limits": limits,
                   "renames": ", ".join(shown_pairs[:_LISTED]) + (f" (+{count - _LISTED} more)" if count > _LISTED else "")},
        )
        return True

    def _limit_movement(self, lb: str, lr: str) -> tuple[list[str], list[str]]:
        cut: list[str] = []
        changed: list[str] = []
        for m in self.matches:
            before = as_level(self.b.plans[m.base].limits.get(lb))
            after = as_level(self.r.plans[m.revision].limits.get(lr))
            if before != after:
                changed.append(m.revision)
                if after < before:
                    cut.append(m.revision)
        return sorted(cut), sorted(changed)

    # -- add-ons ----------------------------------------------------------------------------

    def addons(self) -> None:
        b, r = self.b.addons, self.r.addons
        renamed_plans = {m.base: m.revision for m in self.matches}
        for name in sorted(set(b) - set(r)):
            a = b[name]
            # without customer data, the plans that could buy it stand for its subscribers
            offered = sorted(p for p in self.b.plans if a.available_to(p))
            self.emit(
                "pricing.addon.removed", join_pointer("addOns", name), subject=name,
                before=a.price if a.price is not None else a.price_text,
                facts={**_addon_facts(name, a), "offered_to": offered, "offered": bool(offered)}, in_base=True,
            )
        for name in sorted(set(r) - set(b)):
            a = r[name]
            self.emit(
                "pricing.addon.added", join_pointer("addOns", name), subject=name,
                after=a.price if a.price is not None else a.price_text,
                facts={**_addon_facts(name, a),
                       "features": sorted(f for f, v in a.features.items() if feature_enabled(v))},
            )
        for name in sorted(set(b) & set(r)):
            ab, ar = b[name], r[name]
            ptr = join_pointer("addOns", name)
            facts: dict[str, Any] = {"addon": name, "currency": self.r.currency, "unit": ar.unit}
            before = self.in_revision_currency(ab.price)
            if ab.price is not None and ar.price is not None and before is None:
                self.price_in_new_currency(
                    "pricing.addon.price.currency_changed", ptr + "/price", ptr + "/price", name,
                    ab.price, ar.price, facts)
            elif ab.price is not None and before is not None and ar.price is not None:
                self._addon_price(name, ptr, ab, ar, before, facts)
            elif ab.price is not None and ar.price is None:
                self.emit(
                    "pricing.addon.price.hidden", ptr + "/price", subject=name, before=ab.price,
                    after=ar.price_text or NO_PRICE, facts=facts, base_location=ptr + "/price",
                )
            if ab.available_for is not None or ar.available_for is not None:
                before_plans = {renamed_plans.get(p) for p in (ab.available_for or self.b.plans)}
                after_plans = set(ar.available_for or self.r.plans)
                lost = sorted(p for p in before_plans if p is not None and p not in after_plans and p in self.r.plans)
                if lost:
                    self.emit(
                        "pricing.addon.availability.reduced", ptr + "/availableFor", subject=name,
                        facts={**facts, "plans": lost}, base_location=ptr + "/availableFor",
                    )
            new_deps = sorted(set(ar.depends_on) - set(ab.depends_on))
            if new_deps:
                self.emit(
                    "pricing.addon.dependency.added", ptr + "/dependsOn", subject=name,
                    before=sorted(ab.depends_on), after=sorted(ar.depends_on),
                    facts={**facts, "depends_on": new_deps},
                )

    def _addon_price(self, name: str, ptr: str, ab: AddOn, ar: AddOn, before: float, facts: dict[str, Any]) -> None:
        """An add-on's price, per unit of what it buys when the bundle changed size
        (5 per "100 GB" -> 5 per "50 GB" is a 100 % rise)."""
        after = ar.price
        assert after is not None
        ub, ur = price_unit(ab.unit), price_unit(ar.unit)
        extra: dict[str, Any] = {}
        amount = money
        if ab.unit and ar.unit and ub.same_basis(ur) and ub.quantity != ur.quantity:
            extra = {"per_unit": True, "unit_before": ab.unit, "unit_after": ar.unit,
                     "headline_before": money(before), "headline_after": money(after),
                     "quantity_before": ub.quantity, "quantity_after": ur.quantity,
                     "unit": ur.thing + (f"/{ur.period}" if ur.period else "")}
            before, after = before / ub.quantity, after / ur.quantity
            amount = unit_amount
        if abs(before - after) <= 1e-9:
            return
        kind = "pricing.addon.price.increased" if after > before else "pricing.addon.price.decreased"
        currency = self.currency_facts(ab.price or 0.0)
        if extra:
            currency["fx_note"] = (f"; compared per {ur.thing}: {shown(extra['headline_before'])} per {ab.unit} -> "
                                   f"{shown(extra['headline_after'])} per {ar.unit}" + currency["fx_note"])
        self.emit(
            kind, ptr + "/price", subject=name, before=amount(before), after=amount(after),
            facts={**facts, "before": amount(before), "after": amount(after),
                   "delta": amount(after - before), "percent": percent_change(before, after),
                   "was_free": before == 0, **currency, **extra},
            base_location=ptr + "/price",
        )

    # -- drip fees in plain Pricing2Yaml ------------------------------------------------------

    def mandatory_charges(self) -> None:
        """A charge every plan must take that is not in the headline price: a fee-named or
        'mandatory' add-on offered to every paid plan, or a fee-named feature every paid plan has.
        Reported when it is new, or newly mandatory."""
        before, after = mandatory_charges(self.b), mandatory_charges(self.r)
        for key in sorted(after.keys() - before.keys()):
            charge = after[key]
            source, name = key
            if charge.amount is not None:
                cost = f"{self.r.currency} {shown(charge.amount)}".strip() + (f" per {charge.unit}" if charge.unit else "")
            else:
                cost = charge.price_text or NO_PRICE
            self.emit(
                "pricing.fee.mandatory.added",
                join_pointer("addOns" if source == "addon" else "features", name),
                subject=name, after=charge.amount if charge.amount is not None else charge.price_text,
                facts={"fee": name, "source": source, "amount": charge.amount, "charge": cost,
                       "currency": self.r.currency, "plans": list(charge.plans), "reason": charge.reason},
            )

    # -- commercial terms (trustguard extension) -----------------------------------------


def diff_pricing(base: Document, revision: Document, **options: Any) -> list[Change]:
    """Every difference between two pricings that a customer could feel, as Changes.

    ``config``'s ``pricing.fx`` (``{"USD/EUR": 0.92}``) converts base prices into the revision's
    currency; without a rate, prices in two currencies are reported with both amounts and no
    percentage (``*.price.currency_changed``)."""
    config = options.get("config")
    fx = (getattr(config, "pricing", None) or {}).get("fx") if config is not None else options.get("fx")
    from .sla_hooks import pricing_sla_changes  # uptime, rate limits, support... as numbers

    changes = _PricingDiff(base, revision, fx).run()
    changes = pricing_sla_changes(base, revision, changes)
    return sorted(changes, key=Change.sort_key)



def _addon_facts(name: str, addon: Any) -> dict[str, Any]:
    return {
        "addon": name, "price": addon.price, "price_text": addon.price_text,
        "plans": sorted(addon.available_for) if addon.available_for is not None else "all",
    }
