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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..load.document import Document
from ..load.parse import join_pointer
from ..load.pricing import (
    CANCELLATION_EFFORT,
    AddOn,
    Plan,
    Pricing,
    exchange_rates,
    feature_enabled,
    pricing_of,
)
from ..model import Change

# Weights of the evidence that two differently named plans are the same offer. Content
# counts most: names are what marketing changes.
_W_FEATURES, _W_LIMITS, _W_PRICE, _W_RANK, _W_NAME = 0.35, 0.15, 0.2, 0.15, 0.15
RENAME_MIN_SIMILARITY = 0.55
_EXACT_MATCH_MAX = 12  # unmatched plans on one side; beyond this a greedy pairing is used
# A new price this close to the old price times a billing discount is probably the same
# price quoted per month on a yearly bill (the dataset's Zoom 2025 file), not a cut.
_DISCOUNT_ECHO_TOLERANCE = 0.01
_NO_PRICE = "no published price"  # what a report says when a price is null or missing
# Words that make a catalogue entry a charge rather than an option: a "platformFee" add-on
# every plan can take, or a "serviceFee" feature every plan has, is a fee in plain Pricing2Yaml.
_FEE_TOKENS = frozenset({"fee", "fees", "surcharge", "surcharges", "levy", "levies"})
_REQUIRED_TEXT = re.compile(
    r"\b(?:mandatory|compulsory|obligatory)\b|\brequired (?:for|on|with|by) (?:all|every|each)\b", re.IGNORECASE
)


def money(value: float) -> float:
    return round(value + 0.0, 2)


def shown(value: Any) -> Any:
    """A value as reports show it: unlimited as text, whole floats as ints."""
    if isinstance(value, float):
        if math.isinf(value):
            return "unlimited"
        if value.is_integer():
            return int(value)
        return round(value, 6)
    if isinstance(value, tuple):
        return list(value)
    return value


def percent_change(before: float, after: float) -> float | None:
    if before == 0:
        return None
    return round((after - before) / before * 100, 2)


@dataclass(frozen=True)
class PlanMatch:
    base: str
    revision: str
    renamed: bool
    similarity: float


def _tokens(name: str) -> set[str]:
    return {t for t in name.lower().replace("-", "_").split("_") if t}


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _price_ranks(pricing: Pricing) -> dict[str, float]:
    """Each plan's position from cheapest (0) to dearest (1); quote-only plans are dearest."""
    order = sorted(
        pricing.plans.values(),
        key=lambda p: (p.price is None, p.price if p.price is not None else 0.0, p.name),
    )
    if len(order) == 1:
        return {order[0].name: 0.0}
    return {p.name: i / (len(order) - 1) for i, p in enumerate(order)}


def plan_similarity(
    base: Pricing, revision: Pricing, bp: Plan, rp: Plan, ranks: tuple[dict[str, float], dict[str, float]]
) -> float | None:
    """How likely ``rp`` is ``bp`` under a new name (0..1); None when it cannot be."""
    if bp.is_free != rp.is_free:
        return None  # a free plan never becomes a paid one by renaming
    shared_f = base.features.keys() & revision.features.keys()
    feat = _jaccard(
        {f for f in shared_f if feature_enabled(bp.features[f])},
        {f for f in shared_f if feature_enabled(rp.features[f])},
    )
    shared_l = sorted(base.limits.keys() & revision.limits.keys())
    if shared_l:
        lim = sum(1 for name in shared_l if bp.limits[name] == rp.limits[name]) / len(shared_l)
    else:
        lim = 0.5
    if bp.price is not None and rp.price is not None:
        top = max(bp.price, rp.price)
        price = 1.0 if top == 0 else 1 - abs(bp.price - rp.price) / top
    elif bp.price is None and rp.price is None:
        price = 1.0
    else:
        price = 0.3
    rank = 1 - abs(ranks[0][bp.name] - ranks[1][rp.name])
    bt, rt = _tokens(bp.name), _tokens(rp.name)
    name = max(_jaccard(bt, rt), 0.8 if (bt <= rt or rt <= bt) and bt & rt else 0.0)
    score = _W_FEATURES * feat + _W_LIMITS * lim + _W_PRICE * price + _W_RANK * rank + _W_NAME * name
    return round(score, 4)


def match_plans(base: Pricing, revision: Pricing, min_similarity: float = RENAME_MIN_SIMILARITY) -> list[PlanMatch]:
    """Pair base plans with revision plans: same name first, then the most similar."""
    matches = [PlanMatch(n, n, False, 1.0) for n in sorted(base.plans) if n in revision.plans]
    left = sorted(n for n in base.plans if n not in revision.plans)
    right = sorted(n for n in revision.plans if n not in base.plans)
    ranks = (_price_ranks(base), _price_ranks(revision))
    scored: list[tuple[float, str, str]] = []
    for b in left:
        for r in right:
            score = plan_similarity(base, revision, base.plans[b], revision.plans[r], ranks)
            if score is not None and score >= min_similarity:
                scored.append((score, b, r))
    for b, r, score in _best_assignment(left, right, scored):
        matches.append(PlanMatch(b, r, True, score))
    return sorted(matches, key=lambda m: m.base)


def _best_assignment(
    left: list[str], right: list[str], scored: list[tuple[float, str, str]]
) -> list[tuple[str, str, float]]:
    """The pairing with the highest total similarity (a greedy pick can steal the right
    partner of another plan: Notion TEAM looks like PLUS, but PERSONAL_PRO is PLUS)."""
    weight = {(b, r): s for s, b, r in scored}
    if len(right) > _EXACT_MATCH_MAX:
        taken_b: set[str] = set()
        taken_r: set[str] = set()
        out = []
        for s, b, r in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
            if b not in taken_b and r not in taken_r:
                taken_b.add(b)
                taken_r.add(r)
                out.append((b, r, s))
        return out

    @cache
    def best(i: int, used: int) -> tuple[float, tuple[tuple[str, str, float], ...]]:
        if i == len(left):
            return 0.0, ()
        result = best(i + 1, used)
        for j, r in enumerate(right):
            s = weight.get((left[i], r))
            if s is None or used & (1 << j):
                continue
            total, pairs = best(i + 1, used | (1 << j))
            if total + s > result[0] + 1e-9:
                result = (total + s, ((left[i], r, s), *pairs))
        return result

    return list(best(0, 0)[1])


def _norm_text(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _match_catalogue(
    base: dict[str, Any], revision: dict[str, Any], key: Any
) -> dict[str, str]:
    """Base name -> revision name for catalogue entries (features or limits), renames included.

    A renamed entry is recognised by a case-insensitive name or an identical description.
    """
    out = {n: n for n in base if n in revision}
    gone = sorted(n for n in base if n not in revision)
    new = sorted(n for n in revision if n not in base)
    by_sig: dict[tuple[Any, ...], list[str]] = {}
    for n in new:
        by_sig.setdefault(("name", n.lower()), []).append(n)
        sig = key(revision[n])
        if sig is not None:
            by_sig.setdefault(sig, []).append(n)
    taken: set[str] = set()
    for n in gone:
        for sig in (("name", n.lower()), key(base[n])):
            if sig is None:
                continue
            candidates = [c for c in by_sig.get(sig, []) if c not in taken]
            if len(candidates) == 1:
                out[n] = candidates[0]
                taken.add(candidates[0])
                break
    return out


def _feature_sig(spec: Any) -> tuple[Any, ...] | None:
    text = _norm_text(spec.description)
    return ("desc", spec.value_type, text) if len(text) >= 12 else None


def _limit_sig(spec: Any) -> tuple[Any, ...] | None:
    text = _norm_text(spec.description)
    return ("desc", spec.value_type, _norm_text(spec.unit), text) if len(text) >= 12 else None


def _as_level(value: Any) -> float:
    """A limit value on one scale, so a cut is a decrease whatever its type."""
    if value is None:
        return math.inf  # no limit declared: not limited
    if isinstance(value, bool):
        return math.inf if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return math.inf


_TERM_NUMBERS = {
    # key: (kind when the number goes up, kind when it goes down)
    "trialDays": ("pricing.terms.trial.lengthened", "pricing.terms.trial.shortened"),
    "renewalReminderDays": ("pricing.terms.renewal_reminder.extended", "pricing.terms.renewal_reminder.reduced"),
    "cancellationNoticeDays": ("pricing.terms.cancellation_notice.lengthened", "pricing.terms.cancellation_notice.shortened"),
    "minimumCommitmentMonths": ("pricing.terms.commitment.increased", "pricing.terms.commitment.decreased"),
    "priceChangeNoticeDays": ("pricing.terms.price_notice.lengthened", "pricing.terms.price_notice.shortened"),
}


@dataclass(frozen=True)
class Conversion:
    """How base prices are brought into the revision's currency: ``rate`` None means the
    currencies differ and no rate was given, so amounts cannot be compared."""

    currency_before: str
    currency_after: str
    rate: float | None

    def note(self, original: float) -> str:
        if self.rate is None:
            return ""
        return (f"; {self.currency_before} {shown(money(original))} converted at "
                f"1 {self.currency_before} = {shown(round(self.rate, 6))} {self.currency_after}")


def _conversion(b: Pricing, r: Pricing, fx: Any) -> Conversion | None:
    """None when both prices are in one currency (or a file does not say which)."""
    if not b.currency or not r.currency or b.currency == r.currency:
        return None
    rates = exchange_rates(fx) if fx else {}
    return Conversion(b.currency, r.currency, rates.get((b.currency, r.currency)))


class _PricingDiff:
    def __init__(self, base: Document, revision: Document, fx: Any = None) -> None:
        self.base_doc, self.rev_doc = base, revision
        self.b, self.r = pricing_of(base), pricing_of(revision)
        self.fx = _conversion(self.b, self.r, fx)
        self.changes: list[Change] = []
        self.feature_map = _match_catalogue(self.b.features, self.r.features, _feature_sig)
        self.limit_map = _match_catalogue(self.b.limits, self.r.limits, _limit_sig)
        self.matches = match_plans(self.b, self.r)

    # -- emitting ---------------------------------------------------------------------

    def emit(
        self,
        kind: str,
        location: str,
        *,
        subject: str | None,
        before: Any = None,
        after: Any = None,
        facts: dict[str, Any] | None = None,
        base_location: str | None = None,
        in_base: bool = False,
    ) -> None:
        source = self.base_doc.position(location) if in_base else self.rev_doc.position(location)
        base_source = self.base_doc.position(base_location) if base_location is not None else None
        self.changes.append(
            Change(
                kind=kind,
                location=location,
                subject=subject,
                before=shown(before),
                after=shown(after),
                facts={k: shown(v) for k, v in sorted((facts or {}).items())},
                source=source,
                base_source=base_source,
            )
        )

    # -- the whole diff ------------------------------------------------------------------

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

    # -- plans -----------------------------------------------------------------------------

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
                facts["price_change"] = "same" if _norm_text(bp.price_text) == _norm_text(rp.price_text) else "unknown"
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
        if _norm_text(bp.unit).replace(" ", "") != _norm_text(rp.unit).replace(" ", "") and bp.unit and rp.unit:
            self.emit(
                "pricing.plan.unit.changed", rev_ptr + "/unit", subject=rp.name,
                before=bp.unit, after=rp.unit, facts=facts, base_location=base_ptr + "/unit",
            )
        self.plan_features(bp, rp, facts)
        self.plan_limits(bp, rp, facts)
        keys = set(bp.terms_overrides) | set(rp.terms_overrides)
        if keys:
            self.terms(bp.terms, rp.terms, rev_ptr + "/commercialTerms", bp, rp, keys)

    def in_revision_currency(self, price: float | None) -> float | None:
        """A base price in the revision's currency; None when it cannot be (no rate)."""
        if price is None or self.fx is None or price == 0:
            return price  # nothing is free in one currency and paid in another
        return None if self.fx.rate is None else price * self.fx.rate

    def _currency_facts(self, original: float) -> dict[str, Any]:
        """The facts that say whether (and at which rate) a base price was converted."""
        if self.fx is None or self.fx.rate is None:
            return {"fx_note": ""}
        return {"currency_before": self.fx.currency_before, "fx_note": self.fx.note(original),
                "fx_rate": round(self.fx.rate, 6), "before_original": money(original)}

    def _price_in_new_currency(
        self, kind: str, ptr: str, base_ptr: str, subject: str, before: float, after: float, facts: dict[str, Any]
    ) -> None:
        """Amounts in two currencies with no rate: a fact with both amounts and no percentage."""
        assert self.fx is not None
        self.emit(
            kind, ptr, subject=subject, before=before, after=after, base_location=base_ptr,
            facts={**facts, "before": money(before), "after": money(after),
                   "currency_before": self.fx.currency_before, "currency_after": self.fx.currency_after},
        )

    def plan_price(self, bp: Plan, rp: Plan, facts: dict[str, Any]) -> None:
        ptr = join_pointer("plans", rp.name, "price")
        base_ptr = join_pointer("plans", bp.name, "price")
        facts = dict(facts)
        notice = rp.terms.get("priceChangeNoticeDays")
        if notice is not None:
            facts["notice_days"] = notice
        if bp.price is not None and rp.price is not None and self.in_revision_currency(bp.price) is None:
            self._price_in_new_currency(
                "pricing.plan.price.currency_changed", ptr, base_ptr, rp.name, bp.price, rp.price, facts)
            return
        if bp.price is not None and rp.price is not None:
            base_price = self.in_revision_currency(bp.price)
            assert base_price is not None
            original = bp.price
            bp_price = base_price
            if abs(rp.price - bp_price) < 1e-9:
                return
            by_period: dict[str, dict[str, Any]] = {}
            for period in sorted(self.b.billing.keys() & self.r.billing.keys()):
                before = bp_price * self.b.billing[period]
                after = rp.price * self.r.billing[period]
                by_period[period] = {
                    "before": money(before), "after": money(after),
                    "delta": money(after - before), "percent": percent_change(before, after),
                }
            percents = [p["percent"] for p in by_period.values() if p["percent"] is not None]
            facts.update(
                before=money(bp_price),
                after=money(rp.price),
                delta=money(rp.price - bp_price),
                percent=percent_change(bp_price, rp.price),
                by_period=by_period,
                was_free=bp_price == 0,
                **self._currency_facts(original),
            )
            if percents:
                facts["max_percent"] = max(percents)
            if rp.price > bp_price:
                kind = "pricing.plan.price.increased"
            else:
                kind = "pricing.plan.price.decreased"
                echo = self._discount_echo(bp_price, rp.price)
                if echo is not None:
                    facts["suspect_billing_basis"] = True
                    facts["suspect_period"] = echo
            self.emit(kind, ptr, subject=rp.name, before=money(bp_price), after=rp.price, facts=facts,
                      base_location=base_ptr)
        elif bp.price is not None and rp.price is None:
            # "Contact Sales", "custom" or no price at all: a number a customer could compare is gone
            facts.update(before=money(bp.price), price_text=rp.price_text or _NO_PRICE)
            self.emit(
                "pricing.plan.price.hidden", ptr, subject=rp.name, before=bp.price,
                after=rp.price_text or _NO_PRICE, facts=facts, base_location=base_ptr,
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
                if abs(after - before * mult) / (before * mult) <= _DISCOUNT_ECHO_TOLERANCE:
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
        scope = self._new_limit_scope(bp, rp, lr) if new_limit else "cut"
        if scope is None:
            return
        level_b, level_r = _as_level(vb), _as_level(vr)
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
            "unit_changed": spec_b is not None and _norm_text(unit_b) != _norm_text(spec_r.unit),
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

    def _plans_with(self, pricing: Pricing, test: Any) -> list[str]:
        return sorted(p.name for p in pricing.plans.values() if test(p))

    def catalogue(self) -> None:
        mapped_f = set(self.feature_map.values())
        for name in sorted(set(self.b.features) - set(self.feature_map)):
            plans = self._plans_with(self.b, lambda p, n=name: feature_enabled(p.features.get(n)))
            if plans:
                self.emit(
                    "pricing.feature.removed", join_pointer("features", name), subject=name,
                    facts={"feature": name, "plans": plans}, in_base=True,
                )
        for name in sorted(set(self.r.features) - mapped_f):
            plans = self._plans_with(self.r, lambda p, n=name: feature_enabled(p.features.get(n)))
            if plans:
                self.emit(
                    "pricing.feature.added", join_pointer("features", name), subject=name,
                    facts={"feature": name, "plans": plans},
                )
        for fb, fr in sorted(self.feature_map.items()):
            if fb != fr:
                self.emit(
                    "pricing.feature.renamed", join_pointer("features", fr), subject=fr, before=fb, after=fr,
                    facts={"feature": fr}, base_location=join_pointer("features", fb),
                )
        for name in sorted(set(self.b.limits) - set(self.limit_map)):
            plans = self._plans_with(self.b, lambda p, n=name: not math.isinf(_as_level(p.limits.get(n))))
            if plans:
                self.emit(
                    "pricing.limit.removed", join_pointer("usageLimits", name), subject=name,
                    facts={"limit": name, "plans": plans}, in_base=True,
                )
        for lb, lr in sorted(self.limit_map.items()):
            sb, sr = self.b.limits[lb], self.r.limits[lr]
            if lb != lr:
                self.emit(
                    "pricing.limit.renamed", join_pointer("usageLimits", lr), subject=lr, before=lb, after=lr,
                    facts={"limit": lr}, base_location=join_pointer("usageLimits", lb),
                )
            cut, changed = self._limit_movement(lb, lr)
            common = {
                "limit": lr,
                "description_changed": _norm_text(sb.description) != _norm_text(sr.description),
                "value_changed": bool(changed),
                "cut": bool(cut),
                "plans_cut": cut,
                "plans_changed": changed,
            }
            if _norm_text(sb.unit) != _norm_text(sr.unit):
                self.emit(
                    "pricing.limit.unit.changed", join_pointer("usageLimits", lr, "unit"), subject=lr,
                    before=sb.unit, after=sr.unit, facts={**common, "unit_before": sb.unit, "unit_after": sr.unit},
                    base_location=join_pointer("usageLimits", lb, "unit"),
                )
            if _norm_text(sb.type) != _norm_text(sr.type) and sb.type and sr.type:
                self.emit(
                    "pricing.limit.type.changed", join_pointer("usageLimits", lr, "type"), subject=lr,
                    before=sb.type, after=sr.type, facts=common,
                    base_location=join_pointer("usageLimits", lb, "type"),
                )

    def _limit_movement(self, lb: str, lr: str) -> tuple[list[str], list[str]]:
        cut: list[str] = []
        changed: list[str] = []
        for m in self.matches:
            before = _as_level(self.b.plans[m.base].limits.get(lb))
            after = _as_level(self.r.plans[m.revision].limits.get(lr))
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
                self._price_in_new_currency(
                    "pricing.addon.price.currency_changed", ptr + "/price", ptr + "/price", name,
                    ab.price, ar.price, facts)
            elif ab.price is not None and before is not None and ar.price is not None and abs(before - ar.price) > 1e-9:
                kind = "pricing.addon.price.increased" if ar.price > before else "pricing.addon.price.decreased"
                self.emit(
                    kind, ptr + "/price", subject=name, before=money(before), after=ar.price,
                    facts={**facts, "before": money(before), "after": money(ar.price),
                           "delta": money(ar.price - before), "percent": percent_change(before, ar.price),
                           "was_free": before == 0, **self._currency_facts(ab.price)},
                    base_location=ptr + "/price",
                )
            elif ab.price is not None and ar.price is None:
                self.emit(
                    "pricing.addon.price.hidden", ptr + "/price", subject=name, before=ab.price,
                    after=ar.price_text or _NO_PRICE, facts=facts, base_location=ptr + "/price",
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
                cost = charge.price_text or _NO_PRICE
            self.emit(
                "pricing.fee.mandatory.added",
                join_pointer("addOns" if source == "addon" else "features", name),
                subject=name, after=charge.amount if charge.amount is not None else charge.price_text,
                facts={"fee": name, "source": source, "amount": charge.amount, "charge": cost,
                       "currency": self.r.currency, "plans": list(charge.plans), "reason": charge.reason},
            )

    # -- commercial terms (trustguard extension) -----------------------------------------

    def terms(
        self,
        tb: dict[str, Any],
        tr: dict[str, Any],
        prefix: str,
        bp: Plan | None,
        rp: Plan | None,
        keys: Iterable[str],
    ) -> None:
        keys = set(keys)
        scope = rp.name if rp else "all plans"
        base_prefix = join_pointer("plans", bp.name, "commercialTerms") if bp else "/commercialTerms"
        facts: dict[str, Any] = {"plan": rp.name if rp else None, "scope": "plan" if rp else "document"}
        if rp is not None:
            facts["auto_renewal"] = bool(tr.get("autoRenewal"))
        else:
            facts["auto_renewal"] = bool(tr.get("autoRenewal"))

        def put(kind: str, key: str, before: Any, after: Any, **more: Any) -> None:
            self.emit(
                kind, f"{prefix}/{key}", subject=scope, before=before, after=after,
                facts={**facts, **more}, base_location=f"{base_prefix}/{key}",
            )

        for key, (up, down) in sorted(_TERM_NUMBERS.items()):
            if key not in keys:
                continue
            vb, vr = tb.get(key), tr.get(key)
            if vb == vr:
                continue
            if key == "trialDays":
                vb, vr = vb or 0, vr or 0
                if vb == vr:
                    continue
            elif vb is None or vr is None:
                if key in ("priceChangeNoticeDays", "renewalReminderDays") and vb is not None:
                    put(down, key, vb, None, removed=True)
                continue
            put(up if vr > vb else down, key, vb, vr, removed=vr == 0, delta=vr - vb)
        if "trialRequiresPaymentMethod" in keys:
            vb, vr = bool(tb.get("trialRequiresPaymentMethod")), bool(tr.get("trialRequiresPaymentMethod"))
            if vr and not vb:
                put("pricing.terms.trial.payment_method_required", "trialRequiresPaymentMethod", vb, vr,
                    trial_days=tr.get("trialDays"))
        if "autoRenewal" in keys:
            vb, vr = bool(tb.get("autoRenewal")), bool(tr.get("autoRenewal"))
            if vr != vb:
                kind = "pricing.terms.auto_renewal.introduced" if vr else "pricing.terms.auto_renewal.removed"
                put(kind, "autoRenewal", vb, vr, reminder_days=tr.get("renewalReminderDays"))
        if "cancellationMethod" in keys:
            vb, vr = tb.get("cancellationMethod"), tr.get("cancellationMethod")
            if vb is not None and vr is not None and vb != vr:
                eb, er = CANCELLATION_EFFORT[vb], CANCELLATION_EFFORT[vr]
                if er != eb:
                    kind = "pricing.terms.cancellation.harder" if er > eb else "pricing.terms.cancellation.easier"
                    put(kind, "cancellationMethod", vb, vr, effort_before=eb, effort_after=er)
        if "mandatoryFees" in keys:
            self._fees(tb.get("mandatoryFees") or {}, tr.get("mandatoryFees") or {}, prefix, base_prefix, scope, facts)

    def _fees(
        self, fb: dict[str, Any], fr: dict[str, Any], prefix: str, base_prefix: str, scope: str,
        facts: dict[str, Any],
    ) -> None:
        for name in sorted(fb.keys() | fr.keys()):
            a, b = fb.get(name), fr.get(name)
            ptr = f"{prefix}/mandatoryFees/{join_pointer(name)[1:]}"
            base_ptr = f"{base_prefix}/mandatoryFees/{join_pointer(name)[1:]}"
            common = {**facts, "fee": name, "currency": self.r.currency}
            if a is None and b is not None:
                self.emit(
                    "pricing.terms.fee.added", ptr, subject=scope, after=b["price"],
                    facts={**common, "amount": b["price"], "fee_unit": b.get("unit"), "period": b.get("period", "month")},
                )
            elif b is None and a is not None:
                self.emit(
                    "pricing.terms.fee.removed", base_ptr, subject=scope, before=a["price"],
                    facts={**common, "amount": a["price"]}, in_base=True,
                )
            elif a is not None and b is not None and a["price"] != b["price"]:
                kind = "pricing.terms.fee.increased" if b["price"] > a["price"] else "pricing.terms.fee.decreased"
                self.emit(
                    kind, ptr + "/price", subject=scope, before=a["price"], after=b["price"],
                    facts={**common, "percent": percent_change(float(a["price"]), float(b["price"])),
                           "delta": money(float(b["price"]) - float(a["price"]))},
                    base_location=base_ptr + "/price",
                )


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


@dataclass(frozen=True)
class MandatoryCharge:
    amount: float | None
    price_text: str | None
    unit: str | None
    plans: tuple[str, ...]
    reason: str


def _name_tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t}


def mandatory_charges(pricing: Pricing) -> dict[tuple[str, str], MandatoryCharge]:
    """(source, name) -> the charge, for every charge each paid plan must take."""
    public = [p for p in pricing.plans.values() if not p.private]
    paid = [p.name for p in public if not p.is_free] or [p.name for p in public]
    if not paid:
        return {}
    out: dict[tuple[str, str], MandatoryCharge] = {}
    for addon in pricing.addons.values():
        if addon.private or addon.price == 0 or not all(addon.available_to(p) for p in paid):
            continue
        if _name_tokens(addon.name) & _FEE_TOKENS:
            reason = "named as a fee"
        elif _REQUIRED_TEXT.search(addon.description):
            reason = "described as mandatory"
        else:
            continue
        out[("addon", addon.name)] = MandatoryCharge(addon.price, addon.price_text, addon.unit, tuple(sorted(paid)), reason)
    for name in pricing.features:
        if not _name_tokens(name) & _FEE_TOKENS:
            continue
        values = [pricing.plans[p].features.get(name) for p in paid]
        if not all(feature_enabled(v) for v in values):
            continue
        numbers = {float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)}
        amount = numbers.pop() if len(numbers) == 1 and len(values) == len(paid) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) else None
        out[("feature", name)] = MandatoryCharge(amount, None, None, tuple(sorted(paid)), "named as a fee")
    return out


def _addon_facts(name: str, addon: Any) -> dict[str, Any]:
    return {
        "addon": name, "price": addon.price, "price_text": addon.price_text,
        "plans": sorted(addon.available_for) if addon.available_for is not None else "all",
    }
