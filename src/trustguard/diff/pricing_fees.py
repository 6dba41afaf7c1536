"""Drip fees in plain Pricing2Yaml: the charges every paid plan must take that are not in
the headline price (a fee-named or "mandatory" add-on offered to every paid plan, or a
fee-named feature every paid plan has)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..load.pricing import Pricing, feature_enabled

# Words that make a catalogue entry a charge rather than an option: a "platformFee" add-on
# every plan can take, or a "serviceFee" feature every plan has, is a fee in plain Pricing2Yaml.
_FEE_TOKENS = frozenset({"fee", "fees", "surcharge", "surcharges", "levy", "levies"})
_REQUIRED_TEXT = re.compile(
    r"\b(?:mandatory|compulsory|obligatory)\b|\brequired (?:for|on|with|by) (?:all|every|each)\b", re.IGNORECASE
)



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

