"""The blast radius of each finding: which customers and integrations it reaches, its
figures (revenue, traffic, shares, flags), and the totals of the change.

The parts: what a finding touches (selector.py), who that reaches in the graph (reach.py),
the contracts that prove a break (contract_evidence.py), what replayed calls show
(observed.py), the estimates a finding may break (estimates.py). Where the data does not
say what a caller uses, the caller counts as affected and the impact is marked ``estimated``.

A finding reaches up to 100k customers: each figure is one pass at C speed over its
customers, and what is the same for every finding is made once (the revenue by customer,
in the window where the main thread waits for DuckDB: graph.start_graph). The top
customers are ranked from the few at or above the n-th revenue, looked up in that dict,
not in one made per finding. With the community-shock count taking the revenues as they
are (floats), apply() at bench_impact's end-to-end run (2 findings, 67k customers each)
went from 316-325 ms of CPU to 297-301 (best of 12, three rounds).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from itertools import compress, repeat
from typing import Any

from ..config import ImpactPolicy
from ..model import AffectedEntity, Finding, Impact, ImpactTotals, Severity
from .contract_evidence import contract_broken
from .estimates import may_break
from .graph import ImpactGraph
from .observed import Observed, contract_refusals, mark_observed, observe, with_refused
from .reach import Reach, merge, reach
from .replay import Replay, ReplayedCall
from .selector import Selector, selector_for


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
        ceiling = float(policy.community_shock_max_share * revenue_total * (1 + 1e-9))
        small = sum(map(ceiling.__ge__, revenues))  # r <= ceiling, at C speed (a float takes an int too)
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


def impact_of(
    g: ImpactGraph, sel: Selector, r: Reach, policy: ImpactPolicy, revenue_total: float,
    ops: list[str] | None = None,
) -> Impact:
    """``sel`` is the finding's selector at its first operation; ``ops`` all the
    operations (canonical keys) whose callers ``r`` gathers."""
    ops = ops if ops is not None else [sel.op or ""]
    rev = g.revenue
    # a finding may reach 100,000 customers: sorted once (the reach lists them in the
    # order of the usage, usually sorted already), each figure a pass at C speed
    ids = r.ids()
    revenues = list(map(rev.get, ids, repeat(0.0)))
    revenue = math.fsum(revenues)
    traffic = sum(r.traffic.values())
    top_ids = _top(r, ids, revenues, policy.top)
    integrations = []
    for iid in r.integrations:
        info = g.integrations[iid]
        members = _members(g, iid, r)
        uses = [u for u in (g.uses.get((iid, op)) for op in ops) if u is not None and u.traffic]
        used_traffic = sum(u.traffic or 0 for u in uses) if uses else sum(map(r.traffic.get, members, repeat(0)))
        integrations.append(AffectedEntity(
            id=iid, name=info.name, kind="integration", segment=info.kind,
            revenue=round(math.fsum(map(rev.get, members, repeat(0.0))), 2), traffic=used_traffic,
        ))
    flags, flag_details = flags_for(revenues, revenue_total, policy)
    estimated_customers = list(compress(ids, map(r.customers.__getitem__, ids)))
    estimated_ids = sorted(estimated_customers + [f"integration:{i}" for i, est in r.integrations.items() if est])
    unused = sel.level != "none" and not r.customers and not r.integrations
    details: dict[str, object] = {
        "with_data": True,
        "reaches": sel.describe(),
        "exact_customers": len(ids) - len(estimated_customers),
        "estimated_customers": len(estimated_customers),
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
        customer_ids=ids,
        integration_ids=sorted(r.integrations),
        flags=flags,
        details=details,
    )


def _top(r: Reach, ids: list[str], revenues: list[float], n: int) -> list[str]:
    """The ``n`` customers with most revenue (then traffic, then id), of ``ids`` whose
    revenues are ``revenues``. Only those at or above the n-th revenue are ranked in full:
    a finding can reach 100,000 customers."""
    if not ids or n <= 0:
        return []
    floor = heapq.nlargest(n, revenues)[-1]
    kept = list(map(floor.__le__, revenues))
    at = dict(zip(compress(ids, kept), compress(revenues, kept), strict=True))
    return sorted(at, key=lambda c: (-at[c], -r.traffic.get(c, 0), c))[:n]


def _members(g: ImpactGraph, iid: str, r: Reach) -> list[str]:
    members = g.members(iid)
    return list(compress(members, map(r.customers.__contains__, members)))


def apply(g: ImpactGraph, findings: list[Finding], policy: ImpactPolicy, replayed: Replay | None = None,
          refused: list[ReplayedCall] | None = None) -> ImpactTotals:
    """Set ``finding.impact`` on every finding and return the totals of the change.

    The totals count each customer once, over the findings above ``info``."""
    # who each finding reaches, kept as its reach's own dicts and united once at the end:
    # two findings reaching 100k customers each would otherwise copy them into three sets
    by_op: dict[str, list[Iterable[str]]] = {}
    api_wide: set[str] = set()
    integrations: set[str] = set()
    estimated = False
    by_severity: dict[str, list[Iterable[str]]] = {}
    cache: dict[Selector, Reach] = {}
    revenue_total = math.fsum(g.revenue.values())
    broken = 0
    raised = 0  # findings raised for the estimates they may break
    failing_by_op: dict[str, list[ReplayedCall]] = {}
    for failed in replayed.failing if replayed is not None else ():
        failing_by_op.setdefault(failed.operation, []).append(failed)
    refused_by_op: dict[str, list[ReplayedCall]] = {}
    for failed in refused or ():
        refused_by_op.setdefault(failed.operation, []).append(failed)
    selectors = [[selector_for(finding, op) for op in finding.operations] or [selector_for(finding)]
                 for finding in findings]
    # the usage of the operations the findings reach, indexed in one pass
    g.prepare({s.op for sels in selectors for s in sels if s.op and s.level not in ("none", "api")})
    for finding, sels in zip(findings, selectors, strict=True):
        reaches = []
        for sel in sels:
            r = cache.get(sel)
            if r is None:
                r = cache[sel] = reach(g, sel)
            reaches.append(r)
        r = merge(reaches)
        verified = contract_refusals(g, finding, sels, r, refused_by_op) if refused_by_op else {}
        if verified:
            r = with_refused(g, r, verified)
        seen = observe(finding, sels, r, failing_by_op) if failing_by_op else None
        if seen is not None:
            r = seen.reach
        finding.impact = impact_of(g, sels[0], r, policy, revenue_total, [s.op or "" for s in sels])
        if contract_broken(finding, list(zip(sels, reaches, strict=True)), policy, verified):
            broken += 1
        if seen is not None:
            mark_observed(finding, seen, policy)
        if may_break(finding, sels, r, policy, _proven(g, finding, seen)):
            raised += 1
        if finding.severity is Severity.INFO:
            continue
        integrations.update(r.integrations)
        estimated = estimated or finding.impact.estimated
        by_severity.setdefault(finding.severity.value, []).append(r.customers)
        for sel, one in zip(sels, reaches, strict=True):
            if sel.level == "api":
                api_wide.update(one.customers)
            elif sel.op:
                by_op.setdefault(sel.op, []).append(one.customers)
    reached = {sev: _union(parts) for sev, parts in by_severity.items()}
    affected = next(iter(reached.values())) if len(reached) == 1 else set().union(*reached.values())
    rev = g.revenue
    revenues = list(map(rev.get, affected, repeat(0.0)))
    revenue = math.fsum(revenues)
    traffic = sum(g.customer_traffic(c) for c in api_wide)
    for op, parts in by_op.items():
        cids = parts[0] if len(parts) == 1 and not api_wide else _union(parts) - api_wide
        traffic += sum(map(g.op_calls(op).get, cids, repeat(0)))
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
            "customers_by_severity": worst_severity_counts(reached),
            "unmatched_requests": g.unmatched_requests,
            "malformed_lines": g.malformed_lines,
            "contract_broken_findings": broken,
            "may_break_findings": raised,
            **flag_details,
        },
    )
    totals._customers = lambda: directory(g, affected)  # made only if notice drafts are asked for
    return totals


def _union(parts: list[Iterable[str]]) -> set[str]:
    return set(parts[0]) if len(parts) == 1 else set().union(*parts)


def _proven(g: ImpactGraph, finding: Finding, seen: Observed | None) -> set[str]:
    """The customers a contract or a refused replayed call proves the finding breaks:
    raised (or not) by ``contract_broken_min_severity``, not as estimates."""
    info = finding.impact.details.get("contract_broken") if finding.impact is not None else None
    out = {cid for iid in (info or {}).get("integrations", ()) for cid in g.members(iid)}
    if seen is not None:
        out.update(one.call.customer for one, problem in seen.calls if problem.rejects and one.call.customer)
    return out


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
