"""Who a lower rate limit throttles: each customer's peak traffic, in the limit's own window.

A usage log (JSON lines or CSV, as for API impact: ``customer`` or ``api_key``, a
``timestamp``, a ``count`` or one line per request) is read once per window a finding needs:
its requests are summed per customer and per window (the second, minute, hour or day the
timestamp falls in, a calendar month for a monthly limit, an ISO week for a weekly one), and
a customer's peak is its busiest window. A rate-limit cut (``sla.rate_limit.decreased``, or
a limit stated where there was none) then reaches the customers whose peak exceeds the new
limit, busiest first. A limit of some plans only (a pricing's) reaches the customers on them
when the customer list says who is on which plan.

Lines without a usable timestamp are not counted (they are summarised as a warning); the
path and method are not needed, so any access log fits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from ..config import Config
from ..errors import InputError
from ..model import AffectedEntity, Finding, Impact, ImpactTotals, Severity
from ..parsing.regular import open_regular
from ..parsing.sla_quantities import limit_quantity
from .customers import CustomerTable, load_customers
from .files import RowProblems, normalise_key
from .usage import API_KEY_KEYS, COUNT_KEYS, CUSTOMER_KEYS, UNKNOWN_KEY_PREFIX, first_value

RATE_KINDS = frozenset(("sla.rate_limit.decreased", "sla.promise.added"))
TIMESTAMP_KEYS = ("timestamp", "time", "ts", "date", "datetime", "@timestamp")
#: distinct (customer, window) counters kept at most: a log of per-second buckets is bounded
MAX_BUCKETS = 5_000_000
MAX_LINE_BYTES = 1 << 20
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def is_rate_limit_cut(finding: Finding) -> bool:
    return new_limit(finding) is not None


def new_limit(finding: Finding) -> tuple[float, str] | None:
    """(the new limit, its window) of a rate-limit cut: an ``sla.rate_limit`` cut or a
    limit newly stated, or a pricing plan's usage limit cut whose unit is a rate
    (``requests/day``); None for any other finding."""
    facts = finding.facts
    if finding.kind in RATE_KINDS and facts.get("metric") == "rate_limit":
        limit, window = facts.get("limit"), facts.get("window")
        if isinstance(limit, (int, float)) and isinstance(window, str):
            return float(limit), window
        return None
    if finding.kind == "pricing.plan.limit.decreased" and isinstance(finding.after, (int, float)) \
            and not isinstance(finding.after, bool):
        quantity = limit_quantity(str(facts.get("limit") or ""), "", finding.after, facts.get("unit"))
        if quantity is not None and quantity.window is not None:
            return quantity.amount, quantity.window
    return None


def _bucket(moment: datetime, window: str) -> Any:
    if window in _SECONDS:
        return int(moment.timestamp()) // _SECONDS[window]
    if window == "week":
        year, week, _ = moment.isocalendar()
        return (year, week)
    return (moment.year, moment.month)  # month: a calendar month


def _moment(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            try:
                return _moment(float(text))
            except ValueError:
                return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def peaks(path: str | os.PathLike[str], windows: set[str], customers: CustomerTable | None,
          problems: RowProblems) -> dict[str, dict[str, int]]:
    """window -> customer -> its busiest window's requests, read from one usage log."""
    name = os.fspath(path)
    handle, _ = open_regular(path, name)
    counts: dict[str, dict[tuple[str, Any], int]] = {w: defaultdict(int) for w in windows}
    by_key = customers.by_key if customers is not None else {}
    lines = 0
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="strict", newline="")
        is_csv = name.lower().endswith(".csv")
        rows = _csv_rows(text, name) if is_csv else _json_rows(text, problems)
        try:
            for number, row in rows:
                who = first_value(row, CUSTOMER_KEYS)
                if who is None:
                    key = first_value(row, API_KEY_KEYS)
                    if key is None:
                        problems.add(number, "no customer id or API key")
                        continue
                    # API keys are secrets: an unlisted one is named by a digest, as in API impact
                    who = by_key.get(str(key).strip()) or UNKNOWN_KEY_PREFIX + hashlib.sha256(
                        str(key).strip().encode("utf-8")).hexdigest()[:12]
                moment = _moment(first_value(row, TIMESTAMP_KEYS))
                if moment is None:
                    problems.add(number, "no timestamp (not counted for rate limits)")
                    continue
                raw = first_value(row, COUNT_KEYS)
                try:
                    count = 1 if raw is None else int(raw)
                except (TypeError, ValueError):
                    count = -1
                if count < 0 or isinstance(raw, (bool, float)):
                    problems.add(number, "count is not a non-negative whole number")
                    continue
                lines += 1
                for window, table in counts.items():
                    table[(str(who).strip(), _bucket(moment, window))] += count
                    if len(table) > MAX_BUCKETS:
                        raise InputError(f"the usage log holds more than {MAX_BUCKETS:,} (customer, {window}) "
                                         "counters: split it by period", file=name, place=str(number))
        except UnicodeDecodeError:
            raise InputError("the usage log is not UTF-8 text", file=name) from None
    if lines == 0:
        raise InputError("no usage line with a customer and a timestamp: a rate limit cannot be checked "
                         "against it" + (f" ({problems.summary('line')})" if problems.total else ""), file=name)
    out: dict[str, dict[str, int]] = {}
    for window, table in counts.items():
        best: dict[str, int] = {}
        for (who, _), requests in table.items():
            if requests > best.get(who, -1):
                best[who] = requests
        out[window] = best
    return out


def _json_rows(text: Any, problems: RowProblems) -> Any:
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            problems.add(number, "line too long")
            continue
        try:
            row = json.loads(line.lstrip("\ufeff"))
        except (ValueError, RecursionError):
            problems.add(number, "not a JSON object")
            continue
        if not isinstance(row, dict):
            problems.add(number, "not a JSON object")
            continue
        yield number, {normalise_key(str(k)): v for k, v in row.items()}


def _csv_rows(text: Any, name: str) -> Any:
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise InputError("the usage CSV is empty", file=name)
    keys = [normalise_key(h.lstrip("\ufeff")) for h in header]
    for number, cells in enumerate(reader, start=2):
        if cells:
            yield number, dict(zip(keys, cells, strict=False))


def apply_rate_limits(findings: list[Finding], inputs: dict[str, Any], totals: ImpactTotals,
                      cfg: Config) -> None:
    """Set the impact of every rate-limit cut among ``findings`` from the usage log(s):
    the customers whose peak exceeds the new limit. Other findings are left as they are."""
    cuts = [f for f in findings if is_rate_limit_cut(f)]
    usage = inputs.get("usage")
    if not cuts or usage is None:
        return
    table = load_customers(inputs["customers"]) if inputs.get("customers") is not None else None
    paths = list(usage) if isinstance(usage, (list, tuple)) else [usage]
    limits = {id(f): new_limit(f) for f in cuts}
    windows = {limit[1] for limit in limits.values() if limit is not None}
    merged: dict[str, dict[str, int]] = {w: {} for w in windows}
    for path in paths:
        problems = RowProblems(os.fspath(path))
        for window, best in peaks(path, windows, table, problems).items():
            for who, requests in best.items():
                merged[window][who] = max(requests, merged[window].get(who, 0))
        summary = problems.summary("line")
        if summary:
            totals.warnings.append(summary)
    over_any: set[str] = set()
    for finding in cuts:
        limit, window = limits[id(finding)] or (0.0, "")
        plans = finding.facts.get("plans") or ([finding.facts["plan"]] if finding.facts.get("plan") else None)
        reached = merged[window]
        if plans and table is not None:
            on = {p.lower() for p in plans}
            reached = {c: n for c, n in reached.items() if c in table.customers
                       and (table.customers[c].plan or "").lower() in on}
        over = sorted((c for c, n in reached.items() if n > limit), key=lambda c: (-reached[c], c))
        finding.impact = _impact(over, reached, limit, window, table, cfg, plans)
        if finding.severity is not Severity.INFO:
            over_any.update(over)
    totals.details["rate_limits"] = {"customers_over_new_limits": sorted(over_any),
                                     "usage": [os.fspath(p) for p in paths]}
    totals.customers_affected = max(totals.customers_affected, len(over_any))
    if not totals.customers_total:  # no customer list: the customers the log shows
        totals.customers_total = len({who for best in merged.values() for who in best})
    if totals.customers_total:
        totals.customer_share = round(totals.customers_affected / totals.customers_total, 6)


def _impact(over: list[str], peaks_of: dict[str, int], limit: float, window: str, table: CustomerTable | None,
            cfg: Config, plans: Any) -> Impact:
    def entity(cid: str) -> AffectedEntity:
        known = table.customers.get(cid) if table is not None else None
        return AffectedEntity(id=cid, name=known.name if known else None, traffic=peaks_of[cid],
                              plan=known.plan if known else None, revenue=known.revenue if known else 0.0)

    # the share of every listed customer (or, without a list, of those the log shows)
    population = len(table.customers) if table is not None and table.customers else len(peaks_of)
    revenue = sum(table.customers[c].revenue for c in over if table is not None and c in table.customers)
    total_revenue = table.revenue_total if table is not None else 0.0
    return Impact(
        customers=len(over),
        revenue=round(revenue, 2),
        revenue_share=round(revenue / total_revenue, 6) if total_revenue else 0.0,
        customer_share=round(len(over) / population, 6) if population else 0.0,
        level="usage",
        top_customers=[entity(c) for c in over[: cfg.impact.top]],
        customer_ids=over,
        details={"with_data": True, "new_limit": limit, "window": window, "plans": plans,
                 "customers_measured": len(peaks_of),
                 "peaks": {c: peaks_of[c] for c in over[: cfg.impact.top]},
                 "measure": f"peak requests per {window} above the new limit of {limit:,.0f}"},
    )


def apply_sla_impact(base_doc: Any, rev_doc: Any, findings: list[Finding], inputs: dict[str, Any],
                     cfg: Config) -> ImpactTotals:
    """The impact of an SLA's changes: rate-limit cuts reach the customers over the new
    limit (with ``--usage``); the other findings reach every listed customer."""
    del base_doc, rev_doc
    totals = ImpactTotals()
    table = load_customers(inputs["customers"]) if inputs.get("customers") is not None else None
    if table is not None:
        totals.warnings.extend(table.warnings)
        everyone = sorted(table.customers)
        totals.customers_total = len(everyone)
        totals.revenue_total = round(table.revenue_total, 2)
        for finding in findings:
            if not is_rate_limit_cut(finding):
                finding.impact = Impact(customers=len(everyone), customer_ids=everyone, level="all",
                                        revenue=round(table.revenue_total, 2), customer_share=1.0 if everyone else 0.0,
                                        revenue_share=1.0 if table.revenue_total else 0.0)
    if any(inputs.get(k) is not None for k in ("integrations", "contracts")):
        totals.warnings.append("integrations and contracts are not used for an SLA change")
    if inputs.get("usage") is None and any(is_rate_limit_cut(f) for f in findings):
        totals.warnings.append("no usage log given (--usage): the customers over a new rate limit cannot be listed")
    apply_rate_limits(findings, inputs, totals, cfg)
    if table is not None:
        hit = {c for f in findings if f.impact is not None and f.severity is not Severity.INFO
               for c in f.impact.customer_ids}
        totals.customers_affected = len(hit)
        totals.customer_share = round(len(hit) / totals.customers_total, 6) if totals.customers_total else 0.0
        revenue = sum(table.customers[c].revenue for c in hit if c in table.customers)
        totals.revenue_affected = round(revenue, 2)
        totals.revenue_share = round(revenue / table.revenue_total, 6) if table.revenue_total else 0.0
    totals.details.setdefault("with_data", True)
    return totals
