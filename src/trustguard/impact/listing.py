"""What ``trustguard impact`` prints: affected customers and integrations, per finding
and for the whole change, as text, and as CSV rows (one per finding and entity)."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from typing import Any

from ..model import Finding, Report, reach_label
from .customers import Customer, load_customers
from .integrations import load_integrations


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _customer_table(inputs: dict[str, Any]) -> dict[str, Customer]:
    if inputs.get("customers") is None:
        return {}
    return load_customers(os.fspath(inputs["customers"])).customers


def render_impact_text(report: Report, inputs: dict[str, Any], *, top: int = 5) -> str:
    lines = [f"impact of {report.base} -> {report.revision}"]
    t = report.impact
    if t is None:
        return "\n".join([*lines, "no impact data given"]) + "\n"
    lines.append(
        f"customers affected: {t.customers_affected:,} of {t.customers_total:,} ({t.customer_share:.1%}); "
        f"revenue {_money(t.revenue_affected)} of {_money(t.revenue_total)} ({t.revenue_share:.1%}); "
        f"traffic {t.traffic_affected:,} of {t.traffic_total:,} requests ({t.traffic_share:.1%}); "
        f"integrations affected: {t.integrations_affected:,}"
    )
    if t.details.get("estimated"):
        lines.append("some of it is estimated: no contract or declared fields say what those callers use")
    for flag in t.flags:
        lines.append(f"flag: {_flag_text(flag, t.details)}")
    for warning in t.warnings:
        lines.append(f"warning: {warning}")
    findings = [f for f in report.findings if f.impact is not None]
    lines.append("")
    lines.append(f"findings ({len(findings)}):")
    for finding in findings:
        lines.extend(_finding_lines(finding, top))
    counts: Counter[str] = Counter()
    for finding in findings:
        assert finding.impact is not None
        counts.update(finding.impact.customer_ids)
    if counts:
        table = _customer_table(inputs)
        people = sorted(
            (table.get(cid, Customer(cid)) for cid in counts), key=lambda c: (-c.revenue, c.id)
        )
        lines.append("")
        lines.append(f"affected customers ({len(people):,}), by revenue:")
        for c in people:
            lines.append(
                f"  {c.id}  {c.name or '-'}  plan {c.plan or '-'}  {_money(c.revenue)}/month  "
                f"{counts[c.id]} finding(s)"
            )
    return "\n".join(lines) + "\n"


def _flag_text(flag: str, details: dict[str, Any]) -> str:
    if flag == "whale-concentration" and isinstance(details.get("whale_concentration"), dict):
        w = details["whale_concentration"]
        return f"whale-concentration: {w['customers']} affected customer(s) hold {w['revenue_share']:.1%} of revenue"
    if flag == "community-shock" and isinstance(details.get("community_shock"), dict):
        c = details["community_shock"]
        return f"community-shock: {c['small_customers']:,} small customers affected"
    return flag


def _finding_lines(finding: Finding, top: int) -> list[str]:
    impact = finding.impact
    assert impact is not None
    head = f"{finding.severity.value.upper():7} {reach_label(finding.operations) or '-'}: {finding.message}"
    if impact.level == "none" or (impact.customers == 0 and impact.integrations == 0):
        why = "a change no existing caller can feel" if impact.level == "none" else "nobody calls it"
        return [head, f"  reaches no one ({why})"]
    est = ", estimated" if impact.estimated else ""
    out = [
        head,
        f"  reaches {impact.customers:,} customer(s) ({impact.customer_share:.1%}), "
        f"{_money(impact.revenue)}/month ({impact.revenue_share:.1%} of revenue), "
        f"{impact.traffic:,} request(s) ({impact.traffic_share:.1%}); "
        f"{impact.integrations:,} integration(s); by {impact.details.get('reaches', impact.level)}{est}",
    ]
    if impact.flags:
        out.append(f"  flags: {', '.join(impact.flags)}")
    for e in impact.top_customers[:top]:
        out.append(
            f"  customer {e.id}  {e.name or '-'}  plan {e.plan or '-'}  {_money(e.revenue)}/month  "
            f"{e.traffic:,} request(s)"
        )
    if impact.customers > len(impact.top_customers[:top]):
        out.append(f"  ... and {impact.customers - len(impact.top_customers[:top]):,} more customer(s)")
    for e in impact.top_integrations[:top]:
        out.append(f"  integration {e.id}  {e.name or '-'}  ({e.segment or 'app'})")
    return out


CSV_COLUMNS = (
    "finding", "rule", "severity", "operation", "level", "entity", "id", "name", "plan", "segment",
    "monthly_revenue", "estimated",
)


def impact_csv(report: Report, inputs: dict[str, Any]) -> str:
    """Every affected customer and integration of every finding, one row each."""
    customers = _customer_table(inputs)
    names: dict[str, tuple[str | None, str]] = {}
    if inputs.get("integrations") is not None:
        for integration in load_integrations(os.fspath(inputs["integrations"])):
            names[integration.id] = (integration.name, integration.kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in report.findings:
        impact = finding.impact
        if impact is None:
            continue
        estimated = set(impact.details.get("estimated_ids") or ())
        # a change in a shared schema: the customer calls at least one of these
        head = [finding.fingerprint, finding.rule, finding.severity.value, "; ".join(finding.operations), impact.level]
        for cid in impact.customer_ids:
            c = customers.get(cid, Customer(cid))
            writer.writerow([*head, "customer", cid, c.name or "", c.plan or "", c.segment or "",
                             f"{c.revenue:.2f}", "yes" if cid in estimated else "no"])
        for iid in impact.integration_ids:
            name, kind = names.get(iid, (None, "app"))
            writer.writerow([*head, "integration", iid, name or "", "", kind, "",
                             "yes" if f"integration:{iid}" in estimated else "no"])
    return buffer.getvalue()
