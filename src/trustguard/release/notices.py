"""What each affected customer is told, and what making them whole costs.

Drafts are written from what a run already holds: the findings (with their impact: the
customers each reaches) and the impact stage's directory of affected customers (their
plan, bill before and after, traffic, operations, integrations). Nothing is diffed or
judged again here.

One draft per customer, up to ``customer_notices.max_drafts`` affected customers (see
:data:`trustguard.model_notices.MAX_DRAFTS`); above it one draft per segment (else per
plan), whose letter uses merge fields (``{{name}}``, ``{{bill_before}}``...) that the CSV
and JSONL fill for each recipient.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import CustomerNoticePolicy  # the plain policy (the public model is one too)
from ..model import Finding, Report, Severity
from ..model_notices import (
    BillBucket,
    ContactFirst,
    CustomerNotice,
    GrandfatherCost,
    MakeWhole,
    NoticeChange,
    Recipient,
)

#: the months a grandfathering cost is shown for when the config offers none
DEFAULT_GRANDFATHER_MONTHS = 12
#: how many operations a change lists before it says "and N more"
_OPS_SHOWN = 5
_STOPS = (".", "!", "?", '"')


@dataclass
class Part:
    """One document's share of a run: its kind, its findings, its affected customers."""

    document: str
    findings: Sequence[Finding]
    customers: dict[str, dict[str, Any]]
    effective: str | None = None  # ISO date the document's changes take effect


@dataclass
class _Customer:
    """One customer's figures merged over the documents that reach it."""

    id: str
    data: dict[str, Any] = field(default_factory=dict)
    operations: set[str] = field(default_factory=set)
    integrations: set[str] = field(default_factory=set)
    hits: list[tuple[int, int]] = field(default_factory=list)  # (part, finding)
    shock: bool = False
    _recipient: Recipient | None = None

    def recipient(self) -> Recipient:
        if self._recipient is None:
            d = self.data
            # typed by the impact stage already: a release can reach 100,000 customers,
            # and validating each again would cost more than drafting their letters
            self._recipient = Recipient.model_construct(
                id=self.id, name=d.get("name"), plan=d.get("plan"), plan_after=d.get("plan_after"),
                segment=d.get("segment"), revenue=float(d.get("revenue") or 0.0),
                traffic=int(d.get("traffic") or 0), bill_before=d.get("bill_before"),
                bill_after=d.get("bill_after"), operations=sorted(self.operations),
                integrations=sorted(self.integrations), community_shock=self.shock,
            )
        return self._recipient


def parts_of(report: Report) -> list[Part]:
    """The one part of a single-pair report."""
    customers = report.impact.affected_customers() if report.impact is not None else {}
    return [Part(report.kind.value, report.findings, customers)]


def draft_report(report: Report, policy: CustomerNoticePolicy, *, short: set[str] | None = None) -> Report:
    """``report`` with its notices and make-whole figures filled in (in place, returned)."""
    notices, whole = draft(parts_of(report), policy, short=short, rules=_remediations(report))
    report.__dict__["notices"] = notices
    report.__dict__["make_whole"] = whole
    return report


def draft_release(
    report: Report, parts: Sequence[tuple[str, Report, _dt.date | None]], policy: CustomerNoticePolicy,
) -> Report:
    """A release's report with one draft per customer over all its documents (a customer
    hit by the API and the price rise gets one letter naming both), each change with its
    document's effective date; the contact-first list holds those reached by a change
    whose notice is short. ``parts``: (kind, that document's own report, its effective date)."""
    drafted = [Part(kind, one.findings, one.impact.affected_customers() if one.impact is not None else {},
                    iso(effective)) for kind, one, effective in parts]
    release = report.release
    short = {n.fingerprint for n in release.notice if n.status == "short"} if release is not None else None
    rules: dict[str, str] = {}
    for _, one, _ in parts:
        rules.update(_remediations(one))
    rules.update(_remediations(report))
    notices, whole = draft(drafted, policy, short=short, rules=rules)
    report.__dict__["notices"] = notices
    report.__dict__["make_whole"] = whole
    return report


def _remediations(report: Report) -> dict[str, str]:
    return {r.id: r.remediation for r in report.rules if r.remediation}


def draft(
    parts: Sequence[Part], policy: CustomerNoticePolicy, *, short: set[str] | None = None,
    rules: dict[str, str] | None = None,
) -> tuple[list[CustomerNotice], MakeWhole | None]:
    """The drafts and the make-whole figures for the customers the findings reach.

    ``short``: fingerprints of the findings whose notice is too short (None: notice not
    judged, so there is no contact-first list). ``rules``: rule id -> remediation."""
    people = _gather(parts)
    if not people:
        return [], None
    remediation = rules or {}
    per_segment = len(people) > policy.max_drafts
    groups: list[tuple[str, str | None, list[_Customer]]]
    if per_segment:
        by_segment: dict[str, list[_Customer]] = {}
        for c in people.values():
            key = c.data.get("segment") or c.data.get("plan") or "all customers"
            by_segment.setdefault(str(key), []).append(c)
        groups = [(key, f"{len(members):,} customers: {key}", members) for key, members in sorted(by_segment.items())]
    else:
        groups = [(c.id, c.data.get("name"), [c]) for c in people.values()]
    currency = next((str(c.data["currency"]) for c in people.values() if c.data.get("currency")), None)
    notices = [
        _notice(parts, key, name, members, per_segment, policy, remediation, currency)
        for key, name, members in groups
    ]
    return notices, _make_whole(parts, people, policy, short, per_segment, currency)


def _gather(parts: Sequence[Part]) -> dict[str, _Customer]:
    """Every affected customer once, however many documents reach it."""
    people: dict[str, _Customer] = {}
    for p, part in enumerate(parts):
        for cid, data in part.customers.items():
            c = people.get(cid)
            if c is None:
                c = people[cid] = _Customer(cid, dict(data))
            else:  # another document reaches it too: fill in what that one knows
                for key, value in data.items():
                    if value is not None and c.data.get(key) is None:
                        c.data[key] = value
            ops, integrations = data.get("operations"), data.get("integrations")
            if ops:
                c.operations.update(ops)
            if integrations:
                c.integrations.update(integrations)
        for i, finding in enumerate(part.findings):
            if finding.severity is Severity.INFO or finding.impact is None:
                continue
            shock = "community-shock" in finding.impact.flags
            for cid in finding.impact.customer_ids:
                c = people.get(cid)
                if c is not None:
                    c.hits.append((p, i))
                    c.shock = c.shock or shock
    return {cid: people[cid] for cid in sorted(people) if people[cid].hits}


def _op_key(operation: str) -> str:
    from ..impact.routes import operation_key  # the impact package is heavy: only when drafting

    return operation_key(operation)


def _notice(
    parts: Sequence[Part], key: str, name: str | None, members: list[_Customer], per_segment: bool,
    policy: CustomerNoticePolicy, remediation: dict[str, str], currency: str | None,
) -> CustomerNotice:
    hits = sorted({h for c in members for h in c.hits})
    ops = {o for c in members for o in c.operations}
    integrations = {i for c in members for i in c.integrations}
    one = None if per_segment else members[0]
    changes: list[NoticeChange] = []
    for p, i in hits:
        part, finding = parts[p], parts[p].findings[i]
        changes.append(_change(part, finding, ops, integrations, one, remediation))
    changes.sort(key=lambda ch: (-Severity(ch.severity).rank, ch.document, ch.rule, ch.operations, ch.fingerprint))
    actions = list(dict.fromkeys(a for ch in changes for a in ch.actions))
    recipients = [c.recipient() for c in members]
    offer = _offer(policy, recipients, per_segment, currency)
    dates = sorted(ch.effective for ch in changes if ch.effective)
    effective = dates[0] if dates else None
    worst = changes[0].severity if changes else Severity.INFO.value
    notice = CustomerNotice(
        audience="segment" if per_segment else "customer", id=key, name=name,
        subject=_subject(effective, changes), body="", effective=effective, currency=currency,
        changes=changes, actions=actions, offer=offer, recipients=recipients, worst=worst,
    )
    notice.body = _letter(notice, policy, per_segment)
    return notice


def _change(
    part: Part, finding: Finding, ops: set[str], integrations: set[str], one: _Customer | None,
    remediation: dict[str, str],
) -> NoticeChange:
    mine = [op for op in finding.operations if _op_key(op) in ops] if ops else []
    reached = mine or list(finding.operations)
    impact = finding.impact
    theirs = sorted(set(impact.integration_ids) & integrations) if impact is not None else []
    return NoticeChange(
        rule=finding.rule, severity=finding.severity.value, document=part.document, title=finding.title,
        message=finding.message, fingerprint=finding.fingerprint, operations=reached, integrations=theirs,
        actions=actions_for(finding, reached, one.data if one is not None else None),
        guidance=remediation.get(finding.rule, finding.remediation), effective=part.effective,
    )


def _where(operations: list[str]) -> str:
    if not operations:
        return ""
    shown = ", ".join(operations[:_OPS_SHOWN])
    more = len(operations) - _OPS_SHOWN
    return f" ({shown}{f' and {more} more' if more > 0 else ''})"


def _path(finding: Finding) -> str:
    path = finding.facts.get("property_path")
    return str(path) if path else str(finding.subject or "")


def actions_for(finding: Finding, operations: list[str], customer: dict[str, Any] | None) -> list[str]:
    """What a customer must do about one change, from the change itself: the field to
    stop reading, the parameter to send, the name to use instead, the plan to move to."""
    kind, facts = finding.kind, finding.facts
    where = _where(operations)
    direction = facts.get("direction")
    param, param_in = facts.get("param_name"), facts.get("param_in")
    required = kind.endswith("became-required") or bool(facts.get("required"))
    if kind.endswith(".renamed") and isinstance(finding.before, str) and isinstance(finding.after, str):
        return [f"Use `{finding.after}` instead of `{finding.before}`{where}."]
    if kind in ("api.operation.removed", "api.webhook.removed"):
        return [f"Stop calling {', '.join(operations) or finding.subject or 'the removed operation'} before it is removed."]
    if kind in ("api.operation.deprecated", "api.parameter.deprecated", "api.schema.deprecated"):
        return [f"Plan your move away from {finding.subject or 'what is deprecated'}{where} before its sunset."]
    if param and required and direction != "response":
        return [f"Send the {param_in + ' ' if param_in else ''}parameter `{param}` on every call{where}."]
    if param and kind == "api.parameter.removed":
        return [f"Stop sending the parameter `{param}`{where}."]
    if direction == "request" and required:
        return [f"Send `{_path(finding)}` in the request body{where}."]
    if direction == "response" and kind.endswith(".removed"):
        return [f"Stop reading `{_path(finding)}` from the response{where}."]
    if kind.startswith("api.schema.type.") or kind.startswith("api.schema.enum.value-"):
        return [f"Update your code for `{_path(finding)}`: {finding.message.rstrip('.')}{where}."]
    if kind.startswith(("api.security", "api.global-security", "api.security-scheme")):
        return [f"Update how you authenticate{where}: {finding.message.rstrip('.')}."]
    if kind.startswith("api.server"):
        return [f"Point your client at the new server address: {finding.message.rstrip('.')}."]
    if kind.startswith("pricing."):
        return _pricing_actions(finding, customer)
    if kind.startswith("terms."):
        # one line for every clause: the letter lists the clauses under what changes
        return ["Read the changed terms, and tell us before they take effect if you do not accept them."]
    return [f"Check how you use {finding.subject or 'the API'}{where}: {finding.message.rstrip('.')}."]


def _pricing_actions(finding: Finding, customer: dict[str, Any] | None) -> list[str]:
    kind, facts = finding.kind, finding.facts
    moved = customer is not None and customer.get("moved")
    plan_after = customer.get("plan_after") if customer is not None else None
    if kind in ("pricing.plan.removed", "pricing.free_tier.removed") or moved:
        if plan_after:
            return [f"Choose a new plan: the closest to your usage is {plan_after}."]
        return ["Choose a new plan before the change: yours is no longer offered."]
    if kind == "pricing.plan.limit.decreased":
        return [f"Check your use of {facts.get('limit') or finding.subject}: the new limit is {finding.after}."]
    if kind.startswith(("pricing.plan.feature.", "pricing.feature.")) and kind.endswith(("removed", "moved_to_addon")):
        return [f"Plan for {facts.get('feature') or finding.subject}: {finding.message.rstrip('.')}."]
    if kind.startswith("pricing.billing."):
        return [f"Review your billing period: {finding.message.rstrip('.')}."]
    if kind.startswith("pricing.terms."):
        return [f"Note the new terms of your subscription: {finding.message.rstrip('.')}."]
    if ".price." in kind or kind.startswith("pricing.fee."):
        return ["Nothing to do to keep your plan; plan your budget for the new price."]
    return [f"Review your plan: {finding.message.rstrip('.')}."]


def _money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "not priced"
    return f"{currency + ' ' if currency else ''}{amount:,.2f}"


def _offer(policy: CustomerNoticePolicy, recipients: list[Recipient], per_segment: bool, currency: str | None) -> list[str]:
    out: list[str] = []
    rises = any((r.bill_change or 0) > 0 for r in recipients)
    if policy.grandfather_months and rises:
        out.append(f"You keep your current price for {policy.grandfather_months} month(s) after the change.")
    if policy.credit_percent:
        months = f" for {policy.credit_months} month(s)" if policy.credit_months > 1 else ""
        if per_segment:
            out.append(f"A credit of {policy.credit_percent:g}% of your monthly bill ({{{{credit}}}}){months}.")
        else:
            r = recipients[0]
            base = r.bill_before if r.bill_before is not None else r.revenue
            out.append(f"A credit of {policy.credit_percent:g}% of your monthly bill "
                       f"({_money(round(base * policy.credit_percent / 100, 2), currency)}){months}.")
    if policy.offer.strip():
        out.append(policy.offer.strip())
    return out


def _subject(effective: str | None, changes: list[NoticeChange]) -> str:
    docs = sorted({ch.document for ch in changes})
    what = {"openapi": "our API", "pricing": "your plan and price", "terms": "our terms"}
    names = [what.get(d, d) for d in docs] or ["our service"]
    named = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    when = f" from {effective}" if effective else ""
    return f"Changes to {named} that affect your account{when}"


def _letter(notice: CustomerNotice, policy: CustomerNoticePolicy, per_segment: bool) -> str:
    """The letter a person reviews before sending (Markdown)."""
    r = notice.recipients[0]
    name = "{{name}}" if per_segment else (r.name or r.id)
    lines = [f"Hello {name},", ""]
    account = "{{customer_id}}" if per_segment else r.id
    plan = "{{plan}}" if per_segment else r.plan
    lines.append(f"We are making changes that affect your account ({account}{', plan ' + plan if plan else ''}).")
    lines += ["", "**What changes for you**", ""]
    for ch in notice.changes:
        reach = ""
        if ch.operations:
            reach += f" It affects {_where(ch.operations)[2:-1]}."
        if ch.integrations:
            reach += f" Your integration(s): {', '.join(ch.integrations)}."
        message = ch.message.rstrip()
        stop = "" if message.endswith(_STOPS) else "."
        lines.append(f"- {ch.title}: {message}{stop}{reach}")
    bill = _bill_line(notice, per_segment)
    if bill:
        lines += ["", bill]
    lines += ["", "**From when**: " + (notice.effective or "the date is not fixed yet; we will tell you before anything changes.")]
    if notice.actions:
        lines += ["", "**What you need to do**", ""]
        lines += [f"- {a}" for a in notice.actions]
    if notice.offer:
        lines += ["", "**What we offer**", ""]
        lines += [f"- {o}" for o in notice.offer]
    contact = policy.contact.strip()
    lines += ["", f"Questions? Reply to {contact}." if contact else "Questions? Reply to this message."]
    return "\n".join(lines) + "\n"


def _bill_line(notice: CustomerNotice, per_segment: bool) -> str:
    priced = [r for r in notice.recipients if r.bill_before is not None or r.bill_after is not None]
    if not priced:
        return ""
    if per_segment:
        return "**Your bill**: {{bill_before}} → {{bill_after}} a month (a change of {{bill_change}})."
    r = priced[0]
    change = r.bill_change
    pct = ""
    if change is not None and r.bill_before:
        pct = f", {change / r.bill_before * 100:+.1f}%"
    if change is None:
        delta = ""
    elif change == 0:
        delta = " (no change)"
    else:
        delta = f" ({'+' if change > 0 else '-'}{_money(abs(change), notice.currency)}{pct})"
    moved = f" on {r.plan_after}" if r.plan_after and r.plan_after != r.plan else ""
    return (f"**Your bill**: {_money(r.bill_before, notice.currency)} → {_money(r.bill_after, notice.currency)}"
            f" a month{moved}{delta}.")


# ---------------------------------------------------------------- making them whole


def _make_whole(
    parts: Sequence[Part], people: dict[str, _Customer], policy: CustomerNoticePolicy, short: set[str] | None,
    per_segment: bool, currency: str | None,
) -> MakeWhole:
    recipients = [c.recipient() for c in people.values()]
    return MakeWhole(
        drafts="segment" if per_segment else "customer", max_drafts=policy.max_drafts, customers=len(people),
        grandfathering=grandfathering(recipients, policy, currency),
        credits=_credits(recipients, policy),
        contact_first=contact_first(parts, people, short, policy.contact_first) if short is not None else [],
        short_notice=None if short is None else bool(short),
        bill_changes=bill_buckets(recipients),
    )


def grandfathering(recipients: Iterable[Recipient], policy: CustomerNoticePolicy, currency: str | None) -> GrandfatherCost | None:
    """Revenue forgone if every customer whose bill rises keeps its old price for the
    config's months (12 when it offers none: the figure a team asks for first)."""
    rises = [r for r in recipients if (r.bill_change or 0) > 0]
    if not rises:
        return None
    months = policy.grandfather_months or DEFAULT_GRANDFATHER_MONTHS
    monthly = math.fsum(r.bill_change or 0.0 for r in rises)
    by_plan: dict[str, float] = {}
    for r in rises:
        by_plan[r.plan or "-"] = by_plan.get(r.plan or "-", 0.0) + (r.bill_change or 0.0)
    return GrandfatherCost(
        months=months, customers=len(rises), monthly=round(monthly, 2), total=round(monthly * months, 2),
        currency=currency, by_plan={k: round(v, 2) for k, v in sorted(by_plan.items())},
        offered=bool(policy.grandfather_months),
    )


def _credits(recipients: Iterable[Recipient], policy: CustomerNoticePolicy) -> float:
    if not policy.credit_percent:
        return 0.0
    base = math.fsum((r.bill_before if r.bill_before is not None else r.revenue) for r in recipients)
    return round(base * policy.credit_percent / 100 * policy.credit_months, 2)


def contact_first(
    parts: Sequence[Part], people: dict[str, _Customer], short: set[str], top: int,
) -> list[ContactFirst]:
    """The customers reached by a change with too little notice, biggest first: revenue,
    then traffic, then those in a community-shock crowd (the ones who make it public)."""
    out: list[ContactFirst] = []
    for c in people.values():
        rules = sorted({parts[p].findings[i].rule for p, i in c.hits if parts[p].findings[i].fingerprint in short})
        if rules:
            r = c.recipient()
            out.append(ContactFirst(id=c.id, name=r.name, revenue=r.revenue, traffic=r.traffic,
                                    community_shock=c.shock, rules=rules))
    out.sort(key=lambda x: (-x.revenue, -x.traffic, not x.community_shock, x.id))
    return out[:top]


#: the bill-change bars (percent of the current bill), low inclusive, high exclusive
_BUCKETS: tuple[tuple[str, float | None, float | None], ...] = (
    ("pay less", None, 0.0), ("no change", 0.0, 0.0), ("+0–10%", 0.0, 10.0), ("+10–25%", 10.0, 25.0),
    ("+25–50%", 25.0, 50.0), ("+50–100%", 50.0, 100.0), ("+100% or more", 100.0, None),
)


def bill_buckets(recipients: Iterable[Recipient]) -> list[BillBucket]:
    """How many customers' bills change by how much (none when no bill is known)."""
    counts = [0] * len(_BUCKETS)
    seen = False
    for r in recipients:
        change = r.bill_change
        if change is None:
            continue
        seen = True
        if change < 0:
            counts[0] += 1
        elif change == 0:
            counts[1] += 1
        else:
            pct = change / r.bill_before * 100 if r.bill_before else math.inf
            # the rises' bars are in ascending order: the first whose top is above it
            n = next(n for n, (_, _, high) in enumerate(_BUCKETS) if n >= 2 and (high is None or pct < high))
            counts[n] += 1
    if not seen:
        return []
    return [BillBucket(label=label, low=low, high=high, customers=n)
            for (label, low, high), n in zip(_BUCKETS, counts, strict=True)]


def iso(day: _dt.date | str | None) -> str | None:
    """A date as the drafts write it."""
    if day is None:
        return None
    return day.isoformat() if isinstance(day, _dt.date) else str(day)
