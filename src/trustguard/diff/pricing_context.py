"""What a pricing diff works from, and how it records a fact.

:class:`PricingComparison` is the typed result of matching two pricings: the resolved
models, which plan, feature and usage limit of the revision is which of the base, and how
base money is brought into the revision's currency. The differ builds it once and leaves it
on the revision document (``Document.compared``); the bill impact reads that one, so a
customer's plan is followed by the very matching the findings were made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..load.document import Document
from ..load.pricing import Pricing, feature_enabled, pricing_of
from ..model import Change
from .pricing_features import as_level, feature_sig, limit_sig, match_catalogue
from .pricing_money import Conversion, conversion, money, shown
from .pricing_plans import PlanMatch, match_plans


@dataclass(frozen=True)
class PricingComparison:
    base: Pricing
    revision: Pricing
    conversion: Conversion | None
    plans: tuple[PlanMatch, ...]
    features: dict[str, str]  # base name -> revision name
    limits: dict[str, str]

    def plan_map(self) -> dict[str, str]:
        """Base plan -> the revision plan it became (renames included)."""
        return {m.base: m.revision for m in self.plans}


def compare(base: Document, revision: Document, fx: Any = None) -> PricingComparison:
    """Match two loaded pricings, and keep the result on the revision document so that a
    later stage (the bill impact) reads this matching instead of redoing it."""
    b, r = pricing_of(base), pricing_of(revision)
    plans = tuple(match_plans(b, r))
    pairs = [(b.plans[m.base], r.plans[m.revision]) for m in plans]
    # each entry's value in every matched plan: the evidence a renamed entry keeps
    features = (
        {n: tuple(feature_enabled(bp.features.get(n)) for bp, _ in pairs) for n in b.features},
        {n: tuple(feature_enabled(rp.features.get(n)) for _, rp in pairs) for n in r.features},
    )
    limits = (
        {n: tuple(as_level(bp.limits.get(n)) for bp, _ in pairs) for n in b.limits},
        {n: tuple(as_level(rp.limits.get(n)) for _, rp in pairs) for n in r.limits},
    )
    result = PricingComparison(
        base=b,
        revision=r,
        conversion=conversion(b, r, fx),
        plans=plans,
        features=match_catalogue(b.features, r.features, feature_sig, features),
        limits=match_catalogue(b.limits, r.limits, limit_sig, limits),
    )
    revision.compared = (base, result)
    return result


def comparison_of(base: Document, revision: Document, fx: Any = None) -> PricingComparison:
    """The comparison the differ made of these two documents, or made now if it has not run
    on them (for a caller above the stages, such as a release)."""
    kept = revision.compared
    if kept is not None and kept[0] is base and isinstance(kept[1], PricingComparison):
        return kept[1]
    return compare(base, revision, fx)


class PricingContext:
    """The state every part of the pricing diff shares, and :meth:`emit`."""

    def __init__(self, base: Document, revision: Document, fx: Any = None) -> None:
        self.base_doc, self.rev_doc = base, revision
        self.comparison = compare(base, revision, fx)
        self.b, self.r = self.comparison.base, self.comparison.revision
        self.fx = self.comparison.conversion
        self.changes: list[Change] = []
        self.feature_map = self.comparison.features
        self.limit_map = self.comparison.limits
        self.matches = list(self.comparison.plans)

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

    def in_revision_currency(self, price: float | None) -> float | None:
        """A base price in the revision's currency; None when it cannot be (no rate)."""
        if price is None or self.fx is None or price == 0:
            return price  # nothing is free in one currency and paid in another
        return None if self.fx.rate is None else price * self.fx.rate

    def currency_facts(self, original: float) -> dict[str, Any]:
        """The facts that say whether (and at which rate) a base price was converted."""
        if self.fx is None or self.fx.rate is None:
            return {"fx_note": ""}
        return {"currency_before": self.fx.currency_before, "fx_note": self.fx.note(original),
                "fx_rate": round(self.fx.rate, 6), "before_original": money(original)}

    def price_in_new_currency(
        self, kind: str, ptr: str, base_ptr: str, subject: str, before: float, after: float, facts: dict[str, Any]
    ) -> None:
        """Amounts in two currencies with no rate: a fact with both amounts and no percentage."""
        assert self.fx is not None
        self.emit(
            kind, ptr, subject=subject, before=before, after=after, base_location=base_ptr,
            facts={**facts, "before": money(before), "after": money(after),
                   "currency_before": self.fx.currency_before, "currency_after": self.fx.currency_after},
        )

    def plans_with(self, pricing: Pricing, test: Any) -> list[str]:
        return sorted(p.name for p in pricing.plans.values() if test(p))
