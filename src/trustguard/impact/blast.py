"""The blast radius of each finding: which customers and integrations it reaches.

A finding touches an operation, and sometimes one field or parameter of it. Walking
the graph backwards from the operation gives every caller; where the data says which
fields a caller reads or sends (a Pact contract, declared fields), a field change only
reaches the callers it concerns. Where it does not, the caller counts as affected and
the impact is marked ``estimated``.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

from ..config import ImpactPolicy
from ..model import AffectedEntity, Finding, Impact, ImpactTotals, Severity
from .graph import ImpactGraph, Use
from .routes import operation_key

# Changes that take nothing away from an existing caller.
_HARMLESS = frozenset({
    "api.operation.added", "api.webhook.added", "api.component.schema.added",
    "api.component.schema.removed", "api.security-scheme.added", "api.tag.added", "api.tag.removed",
    "api.operation.reactivated", "api.parameter.reactivated",
})
_HARMLESS_RESPONSE = frozenset({
    "api.schema.property.added", "api.response.status.added", "api.response.header.added",
    "api.response.media-type.added", "api.schema.property.became-required",
})
_OPTIONAL_REQUEST_ADDITIONS = frozenset({
    "api.parameter.added", "api.schema.property.added", "api.request-body.added",
})
_NOT_CALLED = ("api.component.", "api.tag.", "api.webhook.", "api.operation-id.")
_REQUIRED_NOW = frozenset({
    "api.parameter.became-required", "api.schema.property.became-required",
    "api.request-body.became-required",
})


@dataclass(frozen=True)
class Selector:
    """What part of an operation a finding touches, and who it hurts.

    ``hit_when`` is ``present`` when callers using the thing are hurt (a removed
    response field hurts its readers) and ``absent`` when callers *not* using it are
    (a new required request field hurts those who do not send it).
    """

    level: str  # none | api | operation | field | parameter
    op: str | None = None
    direction: str | None = None
    status: str | None = None
    path: str = ""
    param: str | None = None
    hit_when: str = "present"

    def describe(self) -> str:
        if self.level == "field":
            where = f"{self.direction} {self.status + ' ' if self.status else ''}body"
            return f"{where} field '{self.path or '(root)'}' ({'callers not sending it' if self.hit_when == 'absent' else 'callers using it'})"
        if self.level == "parameter":
            return f"parameter '{self.param}' ({'callers not sending it' if self.hit_when == 'absent' else 'callers sending it'})"
        return self.level


def selector_for(finding: Finding, operation: str | None = None) -> Selector:
    """What ``finding`` touches at ``operation`` (one of its operations; the first if None)."""
    kind, facts = finding.kind, finding.facts
    direction = facts.get("direction")
    if kind in _HARMLESS or (direction == "response" and kind in _HARMLESS_RESPONSE):
        return Selector("none")
    if direction == "request" and kind.endswith("became-optional"):
        return Selector("none")
    if direction == "request" and kind in _OPTIONAL_REQUEST_ADDITIONS and not facts.get("required"):
        return Selector("none")
    operation = operation or finding.operation
    if not operation:
        return Selector("none" if kind.startswith(_NOT_CALLED) else "api")
    op = operation_key(operation)
    required_now = kind in _REQUIRED_NOW or (kind in _OPTIONAL_REQUEST_ADDITIONS and bool(facts.get("required")))
    hit_when = "absent" if direction == "request" and required_now else "present"
    param = facts.get("param_name")
    param_in = facts.get("param_in")
    if param and param_in in ("query", "header", "cookie"):
        return Selector("parameter", op, "request", param=str(param).lower(), hit_when=hit_when)
    if param:
        return Selector("operation", op)  # every caller fills a path parameter
    path = finding.path_at(operation)
    if direction in ("request", "response") and isinstance(path, str) and (
        path or str(facts.get("target", "")).endswith("-body") or kind == "api.request-body.became-required"
    ):
        status = facts.get("status") if direction == "response" else None
        return Selector("field", op, str(direction), str(status) if status is not None else None, path, None, hit_when)
    return Selector("operation", op)


def _tokens(path: str) -> list[str]:
    return [t for t in path.split("/") if t] if path else []


def overlaps(changed: str, used: str) -> bool:
    """One path is a prefix of the other: a change under or above what is used.

    ``*`` in the changed path (a map's values) matches any key."""
    a, b = _tokens(changed), _tokens(used)
    return all(x == y or x == "*" for x, y in zip(a, b, strict=False))


def status_matches(changed: str | None, used: str | None) -> bool:
    if changed is None or used is None or changed == used or changed == "default":
        return True
    return len(changed) == 3 and changed.upper().endswith("XX") and used[:1] == changed[:1]


def use_hit(sel: Selector, use: Use | None) -> bool | None:
    """True/False when the data decides, None when it is not known (estimated)."""
    if sel.level in ("operation", "api"):
        return True
    if use is None:
        return None
    present: bool
    if sel.level == "parameter":
        if use.parameters is None:
            return None
        present = sel.param in use.parameters
    elif sel.direction == "response":
        if use.response_fields is None:
            return None
        present = any(status_matches(sel.status, st) and overlaps(sel.path, p) for st, p in use.response_fields)
    else:
        if use.request_fields is None:
            return None
        present = any(overlaps(sel.path, p) for p in use.request_fields)
    return present if sel.hit_when == "present" else not present


@dataclass
class Reach:
    customers: dict[str, bool]  # id -> estimated
    integrations: dict[str, bool]
    traffic: dict[str, int]  # customer id -> requests on the operation(s)


def reach(g: ImpactGraph, sel: Selector) -> Reach:
    out = Reach({}, {}, {})
    if sel.level == "none":
        return out
    if sel.level == "api":
        for cid in g.customers:
            traffic = g.customer_traffic(cid)
            if traffic or g.customer_integrations.get(cid):
                out.customers[cid] = True
                out.traffic[cid] = traffic
        relying = {iid for iid, _ in g.uses}
        out.integrations = {iid: True for iid in sorted(relying)}
        return out
    op = sel.op or ""
    callers = g.callers(op)
    # Decide each integration once; then push the decision to its customers. A customer
    # is hit exactly if any of its integrations is, estimated if one might be, and spared
    # when every integration that says what it uses is spared.
    exact_hit: set[str] = set()
    maybe_hit: set[str] = set()
    spared: set[str] = set()
    for node in callers:
        if not node.startswith("i:"):
            continue
        iid = node[2:]
        decided = use_hit(sel, g.uses.get((iid, op)))
        if decided is False:
            target = spared
        else:
            out.integrations[iid] = decided is None
            target = maybe_hit if decided is None else exact_hit
        target.update(g.members(iid))
    direct_estimated = sel.level not in ("operation", "api")
    calls = g.calls
    for cid in exact_hit:
        out.customers[cid] = False
    for cid in maybe_hit:
        out.customers.setdefault(cid, True)
    for node in callers:
        if node.startswith("c:"):
            cid = node[2:]
            # It calls the operation itself; unless an integration says what it uses, it is hit.
            if cid not in out.customers and cid not in spared:
                out.customers[cid] = direct_estimated
    for cid in out.customers:
        out.traffic[cid] = calls.get((cid, op), 0)
    return out


def _entity(g: ImpactGraph, cid: str, traffic: int) -> AffectedEntity:
    c = g.customer(cid)
    return AffectedEntity(
        id=cid, name=c.name, kind="customer", revenue=c.revenue, traffic=traffic, plan=c.plan, segment=c.segment
    )


def _share(part: float, whole: float) -> float:
    return round(part / whole, 6) if whole else 0.0


def flags_for(revenues: list[float], revenue_total: float, policy: ImpactPolicy) -> tuple[list[str], dict[str, object]]:
    """Community shock (many small customers) and whale concentration (few big ones)
    are judged separately, so neither hides behind the other."""
    flags: list[str] = []
    details: dict[str, object] = {}
    if revenue_total:
        ceiling = policy.community_shock_max_share * revenue_total * (1 + 1e-9)
        small = sum(1 for r in revenues if r <= ceiling)
    else:
        small = len(revenues)
    if small >= policy.community_shock_customers:
        flags.append("community-shock")
        # the thresholds too: a reader is told what the flag means with its figures
        details["community_shock"] = {"small_customers": small, "max_share": policy.community_shock_max_share,
                                      "threshold": policy.community_shock_customers}
    top = heapq.nlargest(policy.whale_max_customers, revenues)
    top_share = _share(math.fsum(top), revenue_total)
    if top and revenue_total and top_share >= policy.whale_revenue_share:
        flags.append("whale-concentration")
        details["whale_concentration"] = {"customers": len(top), "revenue_share": top_share,
                                          "threshold_share": policy.whale_revenue_share}
    return flags, details


def worst_severity_counts(reached: dict[str, set[Any]]) -> dict[str, int]:
    """``customers_by_severity``: every affected customer counted once, at the worst
    severity among the findings that reach it (``reached``: severity -> customers)."""
    counts: dict[str, int] = {}
    seen: set[Any] = set()
    for sev in sorted(Severity, key=lambda s: -s.rank):
        ids = reached.get(sev.value, set()) - seen
        if ids:
            counts[sev.value] = len(ids)
            seen |= ids
    return dict(sorted(counts.items()))


def merge(reaches: list[Reach]) -> Reach:
    """Who a finding reaches through any of its operations: known beats estimated, and
    traffic adds up over the operations."""
    if len(reaches) == 1:
        return reaches[0]
    out = Reach({}, {}, {})
    for r in reaches:
        for cid, est in r.customers.items():
            out.customers[cid] = out.customers.get(cid, True) and est
        for iid, est in r.integrations.items():
            out.integrations[iid] = out.integrations.get(iid, True) and est
        for cid, n in r.traffic.items():
            out.traffic[cid] = out.traffic.get(cid, 0) + n
    return out


def impact_of(
    g: ImpactGraph, sel: Selector, r: Reach, policy: ImpactPolicy, revenue_total: float,
    ops: list[str] | None = None,
) -> Impact:
    """``sel`` is the finding's selector at its first operation; ``ops`` all the
    operations (canonical keys) whose callers ``r`` gathers."""
    ops = ops if ops is not None else [sel.op or ""]
    rev = g.revenue
    revenues = [rev.get(cid, 0.0) for cid in r.customers]
    revenue = math.fsum(revenues)
    traffic = sum(r.traffic.values())
    top_ids = _top(r, rev, policy.top)
    integrations = []
    for iid in r.integrations:
        info = g.integrations[iid]
        members = _members(g, iid, r)
        uses = [u for u in (g.uses.get((iid, op)) for op in ops) if u is not None and u.traffic]
        used_traffic = sum(u.traffic or 0 for u in uses) if uses else sum(r.traffic.get(c, 0) for c in members)
        integrations.append(AffectedEntity(
            id=iid, name=info.name, kind="integration", segment=info.kind,
            revenue=round(math.fsum(rev.get(c, 0.0) for c in members), 2), traffic=used_traffic,
        ))
    flags, flag_details = flags_for(revenues, revenue_total, policy)
    estimated_ids = sorted(
        [c for c, est in r.customers.items() if est] + [f"integration:{i}" for i, est in r.integrations.items() if est]
    )
    unused = sel.level != "none" and not r.customers and not r.integrations
    details: dict[str, object] = {
        "with_data": True,
        "reaches": sel.describe(),
        "exact_customers": sum(1 for est in r.customers.values() if not est),
        "estimated_customers": sum(1 for est in r.customers.values() if est),
        "unused": unused,
        "estimated_ids": estimated_ids,
        **flag_details,
    }
    return Impact(
        customers=len(r.customers),
        integrations=len(integrations),
        revenue=round(revenue, 2),
        revenue_share=_share(revenue, revenue_total),
        traffic=traffic,
        traffic_share=_share(traffic, g.traffic_total),
        customer_share=_share(len(r.customers), g.customers_total),
        estimated=bool(estimated_ids),
        level=sel.level,
        top_customers=[_entity(g, cid, r.traffic.get(cid, 0)) for cid in top_ids],
        top_integrations=sorted(integrations, key=lambda e: (-e.revenue, -e.traffic, e.id))[: policy.top],
        customer_ids=sorted(r.customers),
        integration_ids=sorted(r.integrations),
        flags=flags,
        details=details,
    )


def _top(r: Reach, rev: dict[str, float], n: int) -> list[str]:
    """The ``n`` customers with most revenue (then traffic, then id). Only those at or
    above the n-th revenue are ranked in full: a finding can reach 100,000 customers."""
    if not r.customers:
        return []
    floor = heapq.nlargest(n, (rev.get(c, 0.0) for c in r.customers))[-1]
    contenders = [c for c in r.customers if rev.get(c, 0.0) >= floor]
    contenders.sort(key=lambda c: (-rev.get(c, 0.0), -r.traffic.get(c, 0), c))
    return contenders[:n]


def _members(g: ImpactGraph, iid: str, r: Reach) -> list[str]:
    reached = r.customers
    return [c for c in g.members(iid) if c in reached]


def apply(g: ImpactGraph, findings: list[Finding], policy: ImpactPolicy) -> ImpactTotals:
    """Set ``finding.impact`` on every finding and return the totals of the change.

    The totals count each customer once, over the findings above ``info``."""
    affected: set[str] = set()
    by_op: dict[str, set[str]] = {}
    api_wide: set[str] = set()
    integrations: set[str] = set()
    estimated = False
    by_severity: dict[str, set[str]] = {}
    cache: dict[Selector, Reach] = {}
    revenue_total = math.fsum(g.revenue.values())
    for finding in findings:
        sels = [selector_for(finding, op) for op in finding.operations] or [selector_for(finding)]
        reaches = []
        for sel in sels:
            r = cache.get(sel)
            if r is None:
                r = cache[sel] = reach(g, sel)
            reaches.append(r)
        r = merge(reaches)
        finding.impact = impact_of(g, sels[0], r, policy, revenue_total, [s.op or "" for s in sels])
        if finding.severity is Severity.INFO:
            continue
        affected.update(r.customers)
        integrations.update(r.integrations)
        estimated = estimated or finding.impact.estimated
        by_severity.setdefault(finding.severity.value, set()).update(r.customers)
        for sel, one in zip(sels, reaches, strict=True):
            if sel.level == "api":
                api_wide.update(one.customers)
            elif sel.op:
                by_op.setdefault(sel.op, set()).update(one.customers)
    rev = g.revenue
    revenues = [rev.get(c, 0.0) for c in affected]
    revenue = math.fsum(revenues)
    traffic = sum(g.customer_traffic(c) for c in api_wide)
    calls = g.calls
    traffic += sum(calls.get((c, op), 0) for op, cids in by_op.items() for c in cids - api_wide)
    flags, flag_details = flags_for(revenues, revenue_total, policy)
    totals = ImpactTotals(
        customers_total=g.customers_total,
        customers_affected=len(affected),
        customer_share=_share(len(affected), g.customers_total),
        revenue_total=round(revenue_total, 2),
        revenue_affected=round(revenue, 2),
        revenue_share=_share(revenue, revenue_total),
        traffic_total=g.traffic_total,
        traffic_affected=traffic,
        traffic_share=_share(traffic, g.traffic_total),
        integrations_affected=len(integrations),
        flags=flags,
        warnings=list(g.warnings),
        details={
            "with_data": True,
            "estimated": estimated,
            "customers_by_severity": worst_severity_counts(by_severity),
            "unmatched_requests": g.unmatched_requests,
            "malformed_lines": g.malformed_lines,
            **flag_details,
        },
    )
    totals._customers = lambda: directory(g, affected)  # made only if notice drafts are asked for
    return totals


def directory(g: ImpactGraph, affected: set[str]) -> dict[str, dict[str, Any]]:
    """Each affected customer's figures, the operations it calls (canonical keys, itself
    or through an integration) and its integrations: what its notice draft is written from."""
    ops: dict[str, set[str]] = {cid: set() for cid in affected}
    for (who, op) in g.calls:
        if who in ops:
            ops[who].add(op)
    by_integration: dict[str, set[str]] = {}
    for (iid, op) in g.uses:
        by_integration.setdefault(iid, set()).add(op)
    out: dict[str, dict[str, Any]] = {}
    for cid in sorted(affected):
        c = g.customer(cid)
        integrations = sorted(g.customer_integrations.get(cid, ()))
        for iid in integrations:
            ops[cid].update(by_integration.get(iid, ()))
        out[cid] = {"id": cid, "name": c.name, "plan": c.plan, "segment": c.segment, "revenue": c.revenue,
                    "traffic": g.customer_traffic(cid), "operations": sorted(ops[cid]),
                    "integrations": integrations}
    return out
