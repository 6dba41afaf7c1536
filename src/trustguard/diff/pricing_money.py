"""Money in a pricing diff: amounts as reports show them, percentages, and how base prices
are brought into the revision's currency (only with a rate the user gave)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..load.pricing import Pricing, exchange_rates

# A new price this close to the old price times a billing discount is probably the same
# price quoted per month on a yearly bill (the dataset's Zoom 2025 file), not a cut.
DISCOUNT_ECHO_TOLERANCE = 0.01
NO_PRICE = "no published price"  # what a report says when a price is null or missing


def money(value: float) -> float:
    return round(value + 0.0, 2)


def unit_amount(value: float) -> float:
    """A price per single unit (10 per 1,000 contacts is 0.01 a contact): more than cents."""
    return round(value + 0.0, 6)


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


def conversion(b: Pricing, r: Pricing, fx: Any) -> Conversion | None:
    """None when both prices are in one currency (or a file does not say which)."""
    if not b.currency or not r.currency or b.currency == r.currency:
        return None
    rates = exchange_rates(fx) if fx else {}
    return Conversion(b.currency, r.currency, rates.get((b.currency, r.currency)))

