"""The changes of one plan: a plan removed or added, and for each matched pair its price,
unit, features and usage limits (compared on what a customer of the plan gets)."""

from __future__ import annotations

import math
from typing import Any

from ..load.parse import join_pointer
from ..load.pricing import AddOn, Plan, feature_enabled, price_unit, unit_key
from .pricing_features import as_level, is_minimum, minimum_level, norm_text
from .pricing_money import (
    DISCOUNT_ECHO_TOLERANCE,
    NO_PRICE,
    money,
    percent_change,
    shown,
    unit_amount,
)
from .pricing_plans import PlanMatch
from .pricing_terms import TermsChanges


class PlanChanges(TermsChanges):
    def _plan_facts(self, bp: Plan | None, rp: Plan | None) -> dict[str, Any]:
        either = rp or bp
        facts: dict[str, Any] = {
            "plan": either.name if either else None,
            "base_plan": bp.name if bp else None,
            "free": bool(bp.is_free) if bp else bool(rp and rp.is_free),
            "currency": self.r.currency or self.b.currency,
            "unit": either.unit if either else None,
        }
        if bp and rp:
            before_price = self.in_revision_currency(bp.price)
            if bp.price is not None and rp.price is not None and before_price is None:
                facts["price_change"] = "unknown"  # two currencies and no rate: not comparable
            elif before_price is not None and rp.price is not None:
                delta = rp.price - before_price
                facts["price_change"] = "up" if delta > 1e-9 else "down" if delta < -1e-9 else "same"
            elif bp.price is None and rp.price is None:
                facts["price_change"] = "same" if norm_text(bp.price_text) == norm_text(rp.price_text) else "unknown"
            else:
                facts["price_change"] = "unknown"
        return facts

    def plan_removed(self, bp: Plan) -> None:
        facts = self._plan_facts(bp, None)
        facts.update(price=bp.price, price_text=bp.price_text, private=bp.private)
        self.emit(
            "pricing.plan.removed", join_pointer("plans", bp.name), subject=bp.name,
            before=bp.price if bp.price is not None else bp.price_text, facts=facts, in_base=True,
        )

    def plan_added(self, rp: Plan) -> None:
        facts = self._plan_facts(None, rp)
        facts.update(price=rp.price, price_text=rp.price_text, private=rp.private)
        self.emit(
            "pricing.plan.added", join_pointer("plans", rp.name), subject=rp.name,
            after=rp.price if rp.price is not None else rp.price_text, facts=facts,
        )

    def plan_pair(self, match: PlanMatch) -> None:
        bp, rp = self.b.plans[match.base], self.r.plans[match.revision]
        base_ptr, rev_ptr = join_pointer("plans", bp.name), join_pointer("plans", rp.name)
        facts = self._plan_facts(bp, rp)
        if match.renamed:
            self.emit(
                "pricing.plan.renamed", rev_ptr, subject=rp.name, before=bp.name, after=rp.name,
                facts={**facts, "similarity": match.similarity, "price_before": bp.price, "price_after": rp.price},
                base_location=base_ptr,
            )
        self.plan_price(bp, rp, facts)
        if bp.unit and rp.unit and not price_unit(bp.unit).same_as(price_unit(rp.unit)):
            # "host/month" -> "user/month" charges for the same thing: not a change of unit
            self.emit(
                "pricing.plan.unit.changed", rev_ptr + "/unit", subject=rp.name,
                before=bp.unit, after=rp.unit, facts=facts, base_location=base_ptr + "/unit",
            )
        self.plan_features(bp, rp, facts)
        self.plan_limits(bp, rp, facts)
        keys = set(bp.terms_overrides) | set(rp.terms_overrides)
        if keys:
            self.terms(bp.terms, rp.terms, rev_ptr + "/commercialTerms", bp, rp, keys)

    def plan_price(self, bp: Plan, rp: Plan, facts: dict[str, Any]) -> None:
        ptr = join_pointer("plans", rp.name, "price")
        base_ptr = join_pointer("plans", bp.name, "price")
        facts = dict(facts)
        notice = rp.terms.get("priceChangeNoticeDays")
        if notice is not None:
            facts["notice_days"] = notice
        if bp.price is not None and rp.price is not None and self.in_revision_currency(bp.price) is None:
            self.price_in_new_currency(
                "pricing.plan.price.currency_changed", ptr, base_ptr, rp.name, bp.price, rp.price, facts)
            return
        if bp.price is not None and rp.price is not None:
            base_price = self.in_revision_currency(bp.price)
            assert base_price is not None
            original = bp.price
            bp_price, rp_price = base_price, rp.price
            ub, ur = price_unit(bp.unit), price_unit(rp.unit)
            if bp.unit and rp.unit and ub.same_basis(ur) and ub.quantity != ur.quantity:
                # "10 per 1,000 contacts" -> "10 per 500 contacts": compared per contact, a
                # price that doubled whatever the headline number says
                facts.update(per_unit=True, unit_before=bp.unit, unit_after=rp.unit,
                             headline_before=money(bp_price), headline_after=money(rp_price),
                             quantity_before=ub.quantity, quantity_after=ur.quantity)
                bp_price, rp_price = bp_price / ub.quantity, rp_price / ur.quantity
            amount = money if not facts.get("per_unit") else unit_amount
            if abs(rp_price - bp_price) < 1e-9:
                return
            by_period: dict[str, dict[str, Any]] = {}
            for period in sorted(self.b.billing.keys() & self.r.billing.keys()):
                before = bp_price * self.b.billing[period]
                after = rp_price * self.r.billing[period]
                by_period[period] = {
                    "before": money(before), "after": money(after),
                    "delta": money(after - before), "percent": percent_change(before, after),
                }
            percents = [p["percent"] for p in by_period.values() if p["percent"] is not None]
            facts.update(
                before=amount(bp_price),
                after=amount(rp_price),
                delta=amount(rp_price - bp_price),
                percent=percent_change(bp_price, rp_price),
                by_period=by_period,
                was_free=bp_price == 0,
                **self.currency_facts(original),
            )
            if facts.get("per_unit"):
                facts["unit"] = ur.thing + (f"/{ur.period}" if ur.period else "")
                facts["fx_note"] = (
                    f"; compared per {ur.thing}: {shown(facts['headline_before'])} per {bp.unit} -> "
                    f"{shown(facts['headline_after'])} per {rp.unit}" + facts["fx_note"])
            if percents:
                facts["max_percent"] = max(percents)
            if rp_price > bp_price:
                kind = "pricing.plan.price.increased"
            else:
                kind = "pricing.plan.price.decreased"
                echo = self._discount_echo(bp_price, rp_price)
                if echo is not None:
                    facts["suspect_billing_basis"] = True
                    facts["suspect_period"] = echo
            self.emit(kind, ptr, subject=rp.name, before=amount(bp_price), after=amount(rp_price), facts=facts,
                      base_location=base_ptr)
        elif bp.price is not None and rp.price is None:
            # "Contact Sales", "custom" or no price at all: a number a customer could compare is gone
            facts.update(before=money(bp.price), price_text=rp.price_text or NO_PRICE)
            self.emit(
                "pricing.plan.price.hidden", ptr, subject=rp.name, before=bp.price,
                after=rp.price_text or NO_PRICE, facts=facts, base_location=base_ptr,
            )
        elif bp.price is None and rp.price is not None:
            facts.update(after=money(rp.price), price_text=bp.price_text)
            self.emit(
                "pricing.plan.price.published", ptr, subject=rp.name, before=bp.price_text, after=rp.price,
                facts=facts, base_location=base_ptr,
            )

    def _discount_echo(self, before: float, after: float) -> str | None:
        for period, mult in sorted(self.b.billing.items()):
            if mult < 1 and before * mult > 0:
                if abs(after - before * mult) / (before * mult) <= DISCOUNT_ECHO_TOLERANCE:
                    return period
        return None

    def _addon_providing(self, feature: str, plan: str) -> AddOn | None:
        for addon in sorted(self.r.addons.values(), key=lambda a: a.name):
            if addon.available_to(plan) and feature_enabled(addon.features.get(feature)):
                return addon
        return None

    def _value_pointer(self, plan: Plan, section: str, name: str, overrides: frozenset[str]) -> str:
        if name in overrides:
            return join_pointer("plans", plan.name, section, name, "value")
        return join_pointer(section, name, "defaultValue")

    def plan_features(self, bp: Plan, rp: Plan, facts: dict[str, Any]) -> None:
        for fb, fr in sorted(self.feature_map.items()):
            vb, vr = bp.features.get(fb), rp.features.get(fr)
            on_b, on_r = feature_enabled(vb), feature_enabled(vr)
            ptr = self._value_pointer(rp, "features", fr, rp.feature_overrides)
            base_ptr = self._value_pointer(bp, "features", fb, bp.feature_overrides)
            subject = f"{rp.name}.{fr}"
            extra = {**facts, "feature": fr}
            if on_b and not on_r:
                addon = self._addon_providing(fr, rp.name)
                if addon is not None:
                    extra.update(addon=addon.name, addon_price=addon.price, addon_price_text=addon.price_text)
                    kind = "pricing.plan.feature.moved_to_addon"
                else:
                    kind = "pricing.plan.feature.removed"
                self.emit(kind, ptr, subject=subject, before=vb, after=vr, facts=extra, base_location=base_ptr)
            elif on_r and not on_b:
                self.emit(
                    "pricing.plan.feature.added", ptr, subject=subject, before=vb, after=vr,
                    facts=extra, base_location=base_ptr,
                )
            elif on_b and on_r and vb != vr and not isinstance(vb, bool):
                self.emit(
                    "pricing.plan.feature.changed", ptr, subject=subject, before=vb, after=vr,
                    facts=extra, base_location=base_ptr,
                )

    def plan_limits(self, bp: Plan, rp: Plan, facts: dict[str, Any]) -> None:
        for lb, lr in sorted(self.limit_map.items()):
            self._limit_pair(bp, rp, lb, lr, facts, new_limit=False)
        mapped = set(self.limit_map.values())
        for lr in sorted(n for n in self.r.limits if n not in mapped):
            # a limit the base did not have: the plan was not limited in that way before
            self._limit_pair(bp, rp, None, lr, facts, new_limit=True)

    def _limit_pair(
        self, bp: Plan, rp: Plan, lb: str | None, lr: str, facts: dict[str, Any], *, new_limit: bool
    ) -> None:
        vb = bp.limits.get(lb) if lb is not None else None
        vr = rp.limits.get(lr)
        if is_minimum(lr, self.r.limits[lr].description):
            self._minimum_pair(bp, rp, lb, lr, vb, vr, facts)
            return
        scope = self._new_limit_scope(bp, rp, lr) if new_limit else "cut"
        if scope is None:
            return
        level_b, level_r = as_level(vb), as_level(vr)
        if level_b == level_r:
            return
        spec_r = self.r.limits[lr]
        spec_b = self.b.limits.get(lb) if lb is not None else None
        unit_b = spec_b.unit if spec_b else None
        extra: dict[str, Any] = {
            **facts,
            "limit": lr,
            "unit": spec_r.unit,
            "from_unlimited": math.isinf(level_b),
            "to_unlimited": math.isinf(level_r),
            "new_limit": new_limit,
            "new_feature": scope == "new-feature",
            "unit_changed": spec_b is not None and unit_key(unit_b) != unit_key(spec_r.unit),
        }
        if extra["unit_changed"]:
            extra.update(unit_before=unit_b, unit_after=spec_r.unit)
        if not math.isinf(level_b) and not math.isinf(level_r):
            extra["percent"] = percent_change(level_b, level_r)
            if level_b > 0:
                extra["left_percent"] = round(level_r / level_b * 100, 2)
        extenders = sorted(
            a.name for a in self.r.addons.values() if a.available_to(rp.name) and lr in a.extensions
        )
        if extenders:
            extra["extended_by"] = extenders
        ptr = self._value_pointer(rp, "usageLimits", lr, rp.limit_overrides)
        base_ptr = self._value_pointer(bp, "usageLimits", lb, bp.limit_overrides) if lb is not None else None
        kind = "pricing.plan.limit.decreased" if level_r < level_b else "pricing.plan.limit.increased"
        before = vb if vb is not None and not isinstance(vb, bool) else ("unlimited" if math.isinf(level_b) else vb)
        after = vr if vr is not None and not isinstance(vr, bool) else ("unlimited" if math.isinf(level_r) else vr)
        self.emit(kind, ptr, subject=f"{rp.name}.{lr}", before=before, after=after, facts=extra, base_location=base_ptr)

    def _minimum_pair(
        self, bp: Plan, rp: Plan, lb: str | None, lr: str, vb: Any, vr: Any, facts: dict[str, Any]
    ) -> None:
        """A minimum purchase ("minLicenses": at least 10 licenses) reads the other way round
        from a cap: a higher number is more the customer must buy; none declared is none."""
        before, after = minimum_level(vb), minimum_level(vr)
        if before == after:
            return
        unit = self.r.limits[lr].unit
        kind = "pricing.plan.minimum.raised" if after > before else "pricing.plan.minimum.lowered"
        ptr = self._value_pointer(rp, "usageLimits", lr, rp.limit_overrides)
        base_ptr = self._value_pointer(bp, "usageLimits", lb, bp.limit_overrides) if lb is not None else None
        self.emit(
            kind, ptr, subject=f"{rp.name}.{lr}", before=before, after=after, base_location=base_ptr,
            facts={**facts, "limit": lr, "unit": unit, "new_limit": lb is None,
                   "percent": percent_change(before, after) if before else None},
        )

    def _new_limit_scope(self, bp: Plan, rp: Plan, limit: str) -> str | None:
        """Whether a limit new to the catalogue takes something away from a plan:
        "cut" (it bounds a feature the plan had), "new-feature" (it bounds a feature that
        is new to the pricing, so it may be new or only newly listed) or None (no cut)."""
        linked = self.r.limits[limit].linked_features
        if not linked:
            return "cut"
        if not any(feature_enabled(rp.features.get(f)) for f in linked):
            return None  # the limit bounds nothing this plan has
        reverse = {r: b for b, r in self.feature_map.items()}
        known = [reverse[f] for f in linked if f in reverse]
        if not known:
            return "new-feature"
        if any(feature_enabled(bp.features.get(f)) for f in known):
            return "cut"
        return None  # the plan gains the feature together with its limit

    # -- catalogue ------------------------------------------------------------------------
