"""The impact figures in words a person reads: labels instead of keys, money with its
currency and period, and what a flag means with the figures behind it.

The impact stage keeps machine keys in ``details`` (the JSON report shows them as they
are); every human format reads them through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..change_kinds import is_lifecycle
from ..model import Finding, ImpactTotals, Report

PERIOD = "month"  # customer revenue and bills are monthly (impact/customers.py, impact/billing.py)
SEVERITY_ORDER = ("blocker", "major", "minor", "info")


def money(value: float, currency: str | None = None, period: str | None = PERIOD) -> str:
    """``EUR 1,234.50 a month``; without a currency ``1,234.50 a month``."""
    amount = f"{value:,.2f}"
    if value < 0:
        amount = f"-{-value:,.2f}"
    text = f"{currency} {amount}" if currency else amount
    return f"{text} a {period}" if period else text


def signed_money(value: float, currency: str | None = None, period: str | None = PERIOD) -> str:
    return ("+" if value > 0 else "") + money(value, currency, period)


def currency_of(totals: ImpactTotals | None) -> str | None:
    """The currency of the amounts, when the data says (a pricing's bills do)."""
    if totals is None:
        return None
    bills = totals.details.get("bills")
    currency = bills.get("currency") if isinstance(bills, dict) else None
    return str(currency) if currency else None


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _percent(value: Any) -> str:
    return f"{value:+.1f}%" if isinstance(value, (int, float)) and not isinstance(value, bool) else "-"


class DetailRow(NamedTuple):
    label: str
    value: str
    verbose_only: bool = False  # bookkeeping a reader wants only when asking for it


# Counts that are news only when they are not zero.
_COUNTS = {
    "unmatched_requests": "Requests in the usage logs that match no operation of the spec",
    "malformed_lines": "Usage log lines that could not be read (skipped)",
}
_BILL_COUNTS = (
    ("customers", "Customers in the list", True),
    ("priced", "Customers with a published price for their plan", False),
    ("unpriced", "Customers on a plan without a published price (no bill)", False),
    ("pay_more", "Customers who pay more", True),
    ("pay_less", "Customers who pay less", False),
    ("pay_same", "Customers who pay the same", False),
    ("forced_moves", "Customers moved to another plan (theirs is gone)", False),
    ("over_limit_after", "Customers over a plan limit after the change", False),
)
# keys that explain a flag (shown with it) or are lists for scripts, not for a reader
_NOT_ROWS = frozenset({"with_data", "whale_concentration", "community_shock", "customer_ids", "estimated_ids"})


#: why a deprecation's or a sunset's callers are only estimated (impact/selector.py)
LIFECYCLE_ESTIMATE = "the change breaks none of their calls today (a deprecation, a sunset)"


def lifecycle_estimate(findings: Iterable[Finding]) -> bool:
    """Whether some finding's reach is an estimate because it is a lifecycle change (a
    deprecation, a sunset, a stability level): its callers are told, none is broken."""
    return any(f.impact is not None and f.impact.estimated and is_lifecycle(f.kind) for f in findings)


def detail_rows(totals: ImpactTotals, findings: Iterable[Finding] = ()) -> list[DetailRow]:
    """The impact details of a whole change as labelled rows, in a reading order
    (``findings``: the report's, which say why a reach is estimated)."""
    details = totals.details
    currency = currency_of(totals)
    rows: list[DetailRow] = []
    if details.get("estimated"):
        rows.append(DetailRow(
            "Estimated reach", "some callers count as reached because only the operations they call are "
            "known (no contract or declared fields say which fields they read)"
            + (f", or because {LIFECYCLE_ESTIMATE}" if lifecycle_estimate(findings) else ""),
        ))
    by_severity = details.get("customers_by_severity")
    if isinstance(by_severity, dict):
        for sev in SEVERITY_ORDER:
            if by_severity.get(sev):
                rows.append(DetailRow(f"Customers whose worst finding is {sev}", _count(by_severity[sev])))
    for key, label in _COUNTS.items():
        if details.get(key):
            rows.append(DetailRow(label, _count(details[key])))
    bills = details.get("bills")
    if isinstance(bills, dict):
        rows.extend(_bill_rows(bills, currency))
    inputs = details.get("inputs")
    if isinstance(inputs, dict):
        for name, path in sorted(inputs.items()):
            rows.append(DetailRow(f"Input: {name}", str(path), verbose_only=True))
    known = {"estimated", "customers_by_severity", "bills", "inputs", *_COUNTS, *_NOT_ROWS}
    for key in sorted(k for k in details if k not in known):
        rows.extend(_other_rows(str(key), details[key]))
    return rows


def _bill_rows(bills: dict[str, Any], currency: str | None) -> list[DetailRow]:
    period = str(bills.get("period") or PERIOD)
    rows = [DetailRow(label, _count(bills[key])) for key, label, always in _BILL_COUNTS
            if key in bills and (always or bills[key])]
    # bills across a currency change: the rate they were converted at, or why they are not compared
    rows.extend(DetailRow(label, str(bills[key])) for key, label in
                (("exchange_rate", "Exchange rate"), ("currency_changed", "Currency changed")) if bills.get(key))
    increase = bills.get("increase")
    if isinstance(increase, dict) and bills.get("pay_more"):
        for name, key in (("Median", "median"), ("90th percentile", "p90"), ("Largest", "max")):
            if key in increase:
                value = money(float(increase[key]), currency, period)
                pct = increase.get(f"{key}_percent")
                rows.append(DetailRow(f"{name} bill increase", value + (f" ({_percent(pct)})" if pct else "")))
    for key, label in (("revenue_before", "Revenue before"), ("revenue_after", "Revenue after")):
        if key in bills:
            rows.append(DetailRow(label, money(float(bills[key]), currency, period)))
    if "revenue_change" in bills:
        pct = bills.get("revenue_change_percent")
        text = signed_money(float(bills["revenue_change"]), currency, period)
        rows.append(DetailRow("Revenue change", text + (f" ({_percent(pct)})" if pct is not None else "")))
    return rows


def _other_rows(key: str, value: Any, prefix: str = "") -> list[DetailRow]:
    """A detail this module has no words for yet: its key made readable."""
    label = (prefix + key.replace("_", " ")).strip()
    label = label[:1].upper() + label[1:]
    if isinstance(value, dict):
        return [row for k in sorted(value, key=str) for row in _other_rows(str(k), value[k], label + ", ")]
    if isinstance(value, (list, tuple)):
        if len(value) <= 10 and all(isinstance(v, (str, int, float)) for v in value):
            return [DetailRow(label, ", ".join(str(v) for v in value))]
        return [DetailRow(label, f"{len(value):,} items (in the JSON report)")]
    if isinstance(value, bool):
        return [DetailRow(label, "yes" if value else "no")]
    if value is None:
        return []
    if isinstance(value, float):
        return [DetailRow(label, f"{value:,.2f}")]
    return [DetailRow(label, _count(value))]


# ------------------------------------------------------------------ flags

FLAG_MEANING = {
    "whale-concentration": (
        "a few of the affected customers carry a large share of all revenue: losing or upsetting "
        "them alone is a real revenue risk, so talk to them before the release"
    ),
    "community-shock": (
        "many small customers are affected at once: each is small, but together they are the "
        "people who complain in public, so announce the change early and widely"
    ),
    "contract-broken": (
        "a consumer's contract reads what this change removes or changes, or does not send what it "
        "now requires: that consumer will break, so the finding is at least the policy's "
        "impact.contract_broken_min_severity"
    ),
    "contract-likely-broken": (
        "a consumer's contract names body paths the spec does not document, and what they most "
        "likely mean is what this change removes or changes: an estimate, raised like a proven break"
    ),
    "may-break": (
        "customers call what this change touches, and nothing proves that what it removes or changes "
        "leaves them working: they may break, so the finding is at least the policy's "
        "impact.may_break_min_severity (an estimated customer stays an estimate)"
    ),
    "observed-broken": "a recorded call that the base accepts is refused by the revision",
    "observed": "a recorded call would be answered otherwise by the revision",
}
FLAG_NAME = {"whale-concentration": "Whale concentration", "community-shock": "Community shock",
             "contract-broken": "Contract broken", "contract-likely-broken": "Contract likely broken",
             "observed-broken": "Observed broken", "may-break": "May break",
             "observed": "Observed"}


def flag_figures(flag: str, details: dict[str, Any]) -> str | None:
    """The figures behind a flag, from the details its stage recorded."""
    if flag == "whale-concentration":
        w = details.get("whale_concentration")
        if isinstance(w, dict) and "customers" in w and "revenue_share" in w:
            n = w["customers"]
            text = (f"the {n} largest affected customer{'s' if n != 1 else ''} hold "
                    f"{float(w['revenue_share']):.1%} of all revenue")
            if "threshold_share" in w:
                text += f" (flagged at {float(w['threshold_share']):.0%} or more)"
            return text
    if flag == "community-shock":
        c = details.get("community_shock")
        if isinstance(c, dict) and "small_customers" in c:
            text = f"{int(c['small_customers']):,} affected customers"
            if "max_share" in c:
                text += f" each paying at most {float(c['max_share']):.0%} of revenue"
            else:
                text += " each paying a small share of revenue"
            if "threshold" in c:
                text += f" (flagged at {int(c['threshold']):,} or more)"
            return text
    if flag in ("contract-broken", "contract-likely-broken"):
        b = details.get("contract_broken")
        key = "integrations" if flag == "contract-broken" else "likely_integrations"
        if isinstance(b, dict) and isinstance(b.get(key), list):
            text = "the contract of " + ", ".join(str(i) for i in b[key])
            if b.get("raised_from"):
                text += f" (raised from {b['raised_from']})"
            return text
    if flag == "may-break":
        m = details.get("may_break")
        if isinstance(m, dict) and "customers_reached" in m:
            n, est = int(m["customers_reached"]), int(m.get("estimated_customers", 0))
            text = f"{n:,} customer{'s' if n != 1 else ''} call{'' if n != 1 else 's'} what it changes"
            if est:
                text += f", {est:,} of them estimates"
            if m.get("raised_from"):
                text += f" (raised from {m['raised_from']})"
            return text
    if flag in ("observed", "observed-broken"):
        o = details.get("observed")
        if isinstance(o, dict) and "calls" in o:
            text = f"{int(o['calls']):,} recorded call(s) of {int(o.get('customers_total', 0)):,} customer(s)"
            if o.get("raised_from"):
                text += f" (raised from {o['raised_from']})"
            return text
    return None


def flag_text(flag: str, details: dict[str, Any], *, explain: bool) -> str:
    """``Whale concentration: the 3 largest ... hold 66.7% of all revenue`` and, the first
    time a flag appears (``explain``), what it means. A flag no stage knows is shown as given."""
    name = FLAG_NAME.get(flag)
    if name is None:
        return flag
    figures = flag_figures(flag, details)
    text = f"{name}: {figures}" if figures else name
    if explain:
        text += f". It means {FLAG_MEANING[flag]}."
    return text


class FlagWords:
    """Explains each flag the first time a report shows it, then names it shortly."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, flag: str, details: dict[str, Any]) -> str:
        explain = flag not in self.seen
        self.seen.add(flag)
        return flag_text(flag, details, explain=explain)


@dataclass
class RenderContext:
    """What a readable renderer (HTML, Markdown) carries through one report: the report,
    whether to be verbose, its currency, and which flags it has explained already."""

    report: Report
    verbose: bool
    currency: str | None
    flags: FlagWords = field(default_factory=FlagWords)

    @classmethod
    def of(cls, report: Report, verbose: bool) -> RenderContext:
        return cls(report, verbose, currency_of(report.impact))
