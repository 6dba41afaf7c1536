"""What ``trustguard impact`` prints: affected customers and integrations, per finding
and for the whole change, as text, and as CSV rows (one per finding and entity).

The customers and integrations come by id from the impact stage (impact/entities.py):
this module renders what it is given and reads no file."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model import Finding, Report, reach_label
from . import words
from .escape import csv_cell, guard_lines, terminal

if TYPE_CHECKING:  # the rows the impact stage read from the customer list
    from ..impact.customers import Customer

# every value from the inputs (names, paths, messages) is shown on one line with its
# control characters visible, and no line can start a CI workflow command
_t = terminal


def render_impact_text(report: Report, customers: Mapping[str, Customer], *, top: int = 5) -> str:
    """``customers``: every customer a finding reaches, by id (impact.entities)."""
    lines = [f"impact of {_t(report.base)} -> {_t(report.revision)}"]
    t = report.impact
    if t is None:
        return guard_lines("\n".join([*lines, "no impact data given"]) + "\n")
    currency = words.currency_of(t)
    lines.append(
        f"customers affected: {t.customers_affected:,} of {t.customers_total:,} ({t.customer_share:.1%}); "
        f"monthly revenue {words.money(t.revenue_affected, currency, None)} of "
        f"{words.money(t.revenue_total, currency, None)} ({t.revenue_share:.1%}); "
        f"traffic {t.traffic_affected:,} of {t.traffic_total:,} requests ({t.traffic_share:.1%}); "
        f"integrations affected: {t.integrations_affected:,}"
    )
    if t.details.get("estimated"):
        why = "no contract or declared fields say what those callers use"
        if words.lifecycle_estimate(report.findings):
            why += f", or {words.LIFECYCLE_ESTIMATE}"
        lines.append(f"some of it is estimated: {why}")
    flags = words.FlagWords()
    for flag in t.flags:
        lines.append(f"flag: {_t(flags(flag, t.details))}")
    for warning in t.warnings:
        lines.append(f"warning: {_t(warning)}")
    findings = [f for f in report.findings if f.impact is not None]
    lines.append("")
    lines.append(f"findings ({len(findings)}):")
    for finding in findings:
        lines.extend(_finding_lines(finding, top, flags, currency))
    counts: Counter[str] = Counter()
    for finding in findings:
        assert finding.impact is not None
        counts.update(finding.impact.customer_ids)
    if counts:
        people = sorted((customers[cid] for cid in counts), key=lambda c: (-c.revenue, c.id))
        lines.append("")
        lines.append(f"affected customers ({len(people):,}), by revenue:")
        for c in people:
            lines.append(
                f"  {_t(c.id)}  {_t(c.name or '-')}  plan {_t(c.plan or '-')}  {words.money(c.revenue, currency)}  "
                f"{counts[c.id]} finding(s)"
            )
    return guard_lines("\n".join(lines) + "\n")


def _finding_lines(finding: Finding, top: int, flags: words.FlagWords, currency: str | None) -> list[str]:
    impact = finding.impact
    assert impact is not None
    head = f"{finding.severity.value.upper():7} {_t(reach_label(finding.operations) or '-')}: {_t(finding.message)}"
    if impact.level == "none" or (impact.customers == 0 and impact.integrations == 0):
        why = "a change no existing caller can feel" if impact.level == "none" else "nobody calls it"
        return [head, f"  reaches no one ({why})"]
    est = ", estimated" if impact.estimated else ""
    out = [
        head,
        f"  reaches {impact.customers:,} customer(s) ({impact.customer_share:.1%}), "
        f"{words.money(impact.revenue, currency)} ({impact.revenue_share:.1%} of revenue), "
        f"{impact.traffic:,} request(s) ({impact.traffic_share:.1%}); "
        f"{impact.integrations:,} integration(s); by {_t(impact.details.get('reaches', impact.level))}{est}",
    ]
    for flag in impact.flags:
        out.append(f"  flag: {_t(flags(flag, impact.details))}")
    for ev in impact.evidence[:top]:
        who = ev.integration or ev.customer or "-"
        out.append(f"  evidence ({_t(ev.kind)}) {_t(who)}: {_t(ev.detail)} [{_t(ev.source)}]")
    if len(impact.evidence) > top:
        out.append(f"  ... and {len(impact.evidence) - top:,} more evidence")
    for e in impact.top_customers[:top]:
        out.append(
            f"  customer {_t(e.id)}  {_t(e.name or '-')}  plan {_t(e.plan or '-')}  {words.money(e.revenue, currency)}  "
            f"{e.traffic:,} request(s)"
        )
    if impact.customers > len(impact.top_customers[:top]):
        out.append(f"  ... and {impact.customers - len(impact.top_customers[:top]):,} more customer(s)")
    for e in impact.top_integrations[:top]:
        out.append(f"  integration {_t(e.id)}  {_t(e.name or '-')}  ({_t(e.segment or 'app')})")
    return out


CSV_COLUMNS = (
    "finding", "rule", "severity", "operation", "level", "entity", "id", "name", "plan", "segment",
    "monthly_revenue", "estimated",
)


def impact_csv(
    report: Report, customers: Mapping[str, Customer], names: Mapping[str, tuple[str | None, str]]
) -> str:
    """Every affected customer and integration of every finding, one row each: ``customers``
    and the integrations' (name, kind) ``names`` by id (impact.entities)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in report.findings:
        impact = finding.impact
        if impact is None:
            continue
        estimated = set(impact.details.get("estimated_ids") or ())
        # a change in a shared schema: the customer calls at least one of these
        # text cells from the inputs cannot be formulas in a spreadsheet (csv_cell)
        head = [finding.fingerprint, csv_cell(finding.rule), finding.severity.value,
                csv_cell("; ".join(finding.operations)), impact.level]
        for cid in impact.customer_ids:
            c = customers[cid]
            writer.writerow([*head, "customer", csv_cell(cid), csv_cell(c.name or ""), csv_cell(c.plan or ""),
                             csv_cell(c.segment or ""), f"{c.revenue:.2f}", "yes" if cid in estimated else "no"])
        for iid in impact.integration_ids:
            name, kind = names.get(iid, (None, "app"))
            writer.writerow([*head, "integration", csv_cell(iid), csv_cell(name or ""), "", csv_cell(kind), "",
                             "yes" if f"integration:{iid}" in estimated else "no"])
    return buffer.getvalue()


def render_replay_text(totals: Any) -> str:
    """The replay section of ``trustguard impact``'s text: per customer and integration,
    the recorded calls that now fail and why ("" without a replay)."""
    summary = totals.details.get("replay") if totals is not None else None
    if not isinstance(summary, dict):
        return ""
    lines = [
        "",
        f"replayed {summary['checked']:,} of {summary['calls']:,} recorded call(s) from {terminal(summary['file'])}: "
        f"{summary['failing']:,} now fail ({summary['refused']:,} refused by the revision, the rest answered otherwise)",
    ]
    for customer in summary["customers"]:
        who = terminal(customer["customer"]) if customer["customer"] else "(no known customer)"
        lines.append(f"  customer {who}: {customer['failing']:,} call(s)")
        for integration in customer["integrations"]:
            through = f"through {terminal(integration['integration'])}" if integration["integration"] else "directly"
            lines.append(f"    {through}: {integration['failing']:,} call(s), {integration['refused']:,} refused")
            for call in integration["calls"]:
                verdict = "refused" if call["refused"] else "answered otherwise"
                lines.append(f"      {terminal(call['method'])} {terminal(call['path'])} ({terminal(call['operation'])}, "
                             f"{terminal(call['place'])}): {verdict}")
                for problem in call["problems"]:
                    lines.append(f"        - {terminal(problem['message'])}")
            if integration["failing"] > len(integration["calls"]):
                lines.append(f"      ... and {integration['failing'] - len(integration['calls']):,} more")
    return guard_lines("\n".join(lines) + "\n")
