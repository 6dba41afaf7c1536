"""The distribution of the bill changes over the customers: who pays more, less, the
same, the median and p90 rises, the revenue before and after (``details["bills"]`` of
the totals). Across a currency change without a rate, nothing is compared."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .bills import BillRow

if TYPE_CHECKING:
    from ..diff.pricing_money import Conversion


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
