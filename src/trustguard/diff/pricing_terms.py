"""Commercial terms (trustguard's ``commercialTerms`` extension to Pricing2Yaml): trial,
renewal, cancellation, commitment, price-change notice and mandatory fees, for the whole
document or one plan."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..load.parse import join_pointer
from ..load.pricing import CANCELLATION_EFFORT, Plan
from .pricing_context import PricingContext
from .pricing_money import money, percent_change

_TERM_NUMBERS = {
    # key: (kind when the number goes up, kind when it goes down)
    "trialDays": ("pricing.terms.trial.lengthened", "pricing.terms.trial.shortened"),
    "renewalReminderDays": ("pricing.terms.renewal_reminder.extended", "pricing.terms.renewal_reminder.reduced"),
    "cancellationNoticeDays": ("pricing.terms.cancellation_notice.lengthened", "pricing.terms.cancellation_notice.shortened"),
    "minimumCommitmentMonths": ("pricing.terms.commitment.increased", "pricing.terms.commitment.decreased"),
    "priceChangeNoticeDays": ("pricing.terms.price_notice.lengthened", "pricing.terms.price_notice.shortened"),
}


class TermsChanges(PricingContext):
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
            elif a is not None and b is not None:
                old, new = float(a["price"]), float(b["price"])
                converted = self.in_revision_currency(old)
                if converted is None:  # two currencies, no rate: both amounts, no percentage
                    self.price_in_new_currency(
                        "pricing.terms.fee.currency_changed", ptr + "/price", base_ptr + "/price",
                        f"{scope}: fee {name}", old, new, common)
                elif abs(new - converted) > 1e-9:
                    kind = "pricing.terms.fee.increased" if new > converted else "pricing.terms.fee.decreased"
                    self.emit(
                        kind, ptr + "/price", subject=scope, before=money(converted), after=b["price"],
                        facts={**common, "percent": percent_change(converted, new), "delta": money(new - converted),
                               **self.currency_facts(old)},
                        base_location=base_ptr + "/price",
                    )

