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
from dataclasses import dataclass, field
from typing import Any

from ..config import ImpactPolicy
from ..model import AffectedEntity, Finding, Impact, ImpactEvidence, ImpactTotals, Severity
from .graph import Call, ImpactGraph, Use
from .replay import CallProblem, Replay, ReplayedCall
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
# Changes of the values a field or parameter allows: a caller using it is hit only if it
# uses (or is sent) the values concerned, which no contract's field list says.
_VALUE_KINDS = tuple(f"api.schema.{k}." for k in (
    "enum", "x-extensible-enum", "const", "pattern", "format", "max", "min", "exclusive-max", "exclusive-min",
    "max-length", "min-length", "max-items", "min-items", "unique-items", "multiple-of", "nullable",
    "max-properties", "min-properties", "max-contains", "min-contains", "default",
))
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
    # whether using the thing proves being hit: not for a change of the values allowed
    # (an enum value removed, a bound tightened), which hits only who uses those values
    exact: bool = True

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
    exact = hit_when == "absent" or not kind.startswith(_VALUE_KINDS)
    if param and param_in in ("query", "header", "cookie"):
        return Selector("parameter", op, "request", param=str(param).lower(), hit_when=hit_when, exact=exact)
    if param:
        return Selector("operation", op)  # every caller fills a path parameter
    path = finding.path_at(operation)
    if direction in ("request", "response") and isinstance(path, str) and (
        path or str(facts.get("target", "")).endswith("-body") or kind == "api.request-body.became-required"
    ):
        status = facts.get("status") if direction == "response" else None
        return Selector("field", op, str(direction), str(status) if status is not None else None, path, None, hit_when,
                        exact)
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


def decide(sel: Selector, use: Use | None) -> tuple[bool | None, list[Call]]:
    """Whether ``sel`` hits an integration that ``use`` describes (None: not known), and
    the statements (Pact interactions, declared operations) that prove a hit -- or, with
    None, that make it probable.

    A statement that does not say (a declared operation without field lists) leaves the
    decision to those that do; a statement whose body paths the spec does not document
    cannot prove the integration spared, only hit."""
    calls = use.calls if use is not None else []
    if sel.level in ("operation", "api"):
        return True, list(calls)
    if not calls:
        return None, []
    proof: list[Call]
    doubtful: list[Call]
    if sel.level == "parameter":
        known = [c for c in calls if c.parameters is not None]
        if sel.hit_when == "present":
            proof = [c for c in known if sel.param in (c.parameters or ())]
        else:
            proof = [c for c in known if sel.param not in (c.parameters or ())]
        doubtful = []
    elif sel.direction == "response":
        known = [c for c in calls if c.response_fields is not None]
        relevant = [c for c in known if status_matches(sel.status, c.status)]
        proof = [c for c in relevant if any(overlaps(sel.path, p) for p in c.response_fields or ())]
        doubtful = [c for c in relevant if c.response_undocumented]
    else:
        known = [c for c in calls if c.request_fields is not None]
        if sel.hit_when == "present":
            proof = [c for c in known if any(overlaps(sel.path, p) for p in c.request_fields or ())]
            doubtful = [c for c in known if c.request_undocumented]
        else:
            # what a statement leaves out it does not send, whatever else it misspells
            proof = [c for c in known if not _sends(sel.path, c.request_fields or frozenset())]
            doubtful = []
    if not known:
        return None, []
    if proof:
        return (True, proof) if sel.exact else (None, proof)
    if not doubtful:
        return False, []
    # not known; but a statement whose misspelt or unenveloped path most likely means the
    # changed one probably is hit (returned with None: probable, not proven)
    likely = [c for c in doubtful if any(
        overlaps(sel.path, p) for p in (c.response_likely if sel.direction == "response" else c.request_likely))]
    return None, likely


def _sends(path: str, fields: frozenset[str]) -> bool:
    """Whether a request that sends ``fields`` fills ``path`` -- or leaves out the
    object that holds it, which then is not required of it either (a field newly
    required inside an optional object a caller never sends does not break it)."""
    tokens = _tokens(path)
    if any(overlaps(path, f) for f in fields):
        return True
    parent = tokens[:-1]
    if not parent:
        return False
    return not any(overlaps("/".join(parent), f) for f in fields)


@dataclass
class Reach:
    customers: dict[str, bool]  # id -> estimated
    integrations: dict[str, bool]
    traffic: dict[str, int]  # customer id -> requests on the operation(s)
    proofs: dict[str, list[Call]] = field(default_factory=dict)  # integration -> what proves it hit
    probable: dict[str, list[Call]] = field(default_factory=dict)  # integration -> what makes it likely


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
        decided, proof = decide(sel, g.uses.get((iid, op)))
        if decided is False:
            target = spared
        else:
            out.integrations[iid] = decided is None
            target = maybe_hit if decided is None else exact_hit
            if proof:
                (out.proofs if decided else out.probable)[iid] = proof
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
            # It calls the operation itself; unless an integration says what it uses (and
            # the log does not show calls of its own besides), it is hit.
            if cid not in out.customers and (cid not in spared or g.calls_itself(cid, op)):
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
        for iid, proof in r.proofs.items():
            out.proofs.setdefault(iid, []).extend(proof)
        for iid, proof in r.probable.items():
            out.probable.setdefault(iid, []).extend(proof)
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


def apply(g: ImpactGraph, findings: list[Finding], policy: ImpactPolicy, replayed: Replay | None = None,
          refused: list[ReplayedCall] | None = None) -> ImpactTotals:
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
    broken = 0
    failing_by_op: dict[str, list[ReplayedCall]] = {}
    for failed in replayed.failing if replayed is not None else ():
        failing_by_op.setdefault(failed.operation, []).append(failed)
    refused_by_op: dict[str, list[ReplayedCall]] = {}
    for failed in refused or ():
        refused_by_op.setdefault(failed.operation, []).append(failed)
    for finding in findings:
        sels = [selector_for(finding, op) for op in finding.operations] or [selector_for(finding)]
        reaches = []
        for sel in sels:
            r = cache.get(sel)
            if r is None:
                r = cache[sel] = reach(g, sel)
            reaches.append(r)
        r = merge(reaches)
        verified = contract_refusals(g, finding, sels, r, refused_by_op) if refused_by_op else {}
        if verified:
            r = _with_refused(g, r, verified)
        seen = observe(finding, sels, r, failing_by_op) if failing_by_op else None
        if seen is not None:
            r = seen.reach
        finding.impact = impact_of(g, sels[0], r, policy, revenue_total, [s.op or "" for s in sels])
        if contract_broken(finding, list(zip(sels, reaches, strict=True)), policy, verified):
            broken += 1
        if seen is not None:
            mark_observed(finding, seen, policy)
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
            "contract_broken_findings": broken,
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


# What a consumer that reads the element no longer gets (or gets in another shape).
# (A field that became optional may still be sent: a risk its readers carry, not a break.)
_GONE_FOR_READERS = frozenset({
    "api.schema.property.removed", "api.schema.write-only.added", "api.schema.type.changed",
    "api.response.media-type.removed", "api.response.media-type.schema-removed",
})
# What a consumer that sends the element is now refused for (or answered otherwise).
_REFUSED_FOR_SENDERS = frozenset({"api.schema.type.changed", "api.parameter.removed"})
_MAX_EVIDENCE_PER_INTEGRATION = 3


def breaks(finding: Finding, sel: Selector) -> bool:
    """Whether a consumer ``sel`` proves hit is broken by the finding, not just touched:
    it reads what is removed or retyped, sends what is retyped or dropped, does not send
    what is now required, or calls a removed operation."""
    kind = finding.kind
    if sel.level == "operation":
        # a success status no longer given fails the Pact expecting it; an error status no
        # longer documented may well still be returned
        return kind == "api.operation.removed" or (
            kind == "api.response.status.removed" and finding.facts.get("success") is not False)
    if sel.level == "parameter":
        return sel.hit_when == "absent" or kind in _REFUSED_FOR_SENDERS
    if sel.level != "field":
        return False
    if sel.hit_when == "absent":
        return True
    return kind in (_GONE_FOR_READERS if sel.direction == "response" else _REFUSED_FOR_SENDERS)


def _detail(sel: Selector, finding: Finding, call: Call, likely: bool = False) -> str:
    if sel.level == "operation":
        status = finding.facts.get("status")
        return f"expects status {status}" if finding.kind == "api.response.status.removed" else "calls the operation"
    if sel.level == "parameter":
        verb = "does not send" if sel.hit_when == "absent" else "sends"
        return f"{verb} parameter '{sel.param}'"
    if sel.hit_when == "absent":
        return f"does not send '{sel.path or '(body)'}'"
    if likely:
        fields: frozenset[str] | None = call.response_likely if sel.direction == "response" else call.request_likely
        bad = call.response_undocumented if sel.direction == "response" else call.request_undocumented
        written = f" (its contract writes {', '.join(bad[:3])}, which the spec does not document)"
    else:
        fields = call.response_fields if sel.direction == "response" else call.request_fields
        written = ""
    used = sorted(p for p in fields or () if overlaps(sel.path, p))
    shown = ", ".join(used[:5]) + (", ..." if len(used) > 5 else "")
    return f"{'reads' if sel.direction == 'response' else 'sends'} {shown}{written}"


def contract_broken(finding: Finding, decided: list[tuple[Selector, Reach]], policy: ImpactPolicy,
                    verified: dict[str, list[tuple[ReplayedCall, CallProblem]]] | None = None) -> bool:
    """Mark ``finding`` ``contract-broken`` when a consumer contract proves that it breaks
    a consumer (``contract-likely-broken`` when a contract whose paths the spec does not
    document most likely reads or sends what it changes), with the evidence, and raise it
    to the policy's floor. True when marked."""
    impact = finding.impact
    if impact is None:
        return False
    proven: list[ImpactEvidence] = []
    likely: list[ImpactEvidence] = []
    for sel, r in decided:
        if not breaks(finding, sel):
            continue
        for target, found, prefix in ((proven, r.proofs, ""), (likely, r.probable, "probably ")):
            for iid in sorted(found):
                proof = found[iid]
                if sel.level == "operation" and finding.kind == "api.response.status.removed":
                    status = str(finding.facts.get("status", ""))
                    proof = [c for c in proof if c.kind == "pact" and c.status is not None and status_matches(status, c.status)]
                seen = sum(1 for e in target if e.integration == iid)
                for call in proof[: max(0, _MAX_EVIDENCE_PER_INTEGRATION - seen)]:
                    target.append(ImpactEvidence(
                        kind="contract" if call.kind == "pact" else "declared", integration=iid,
                        source=call.source, detail=prefix + _detail(sel, finding, call, bool(prefix)),
                    ))
    for iid in sorted(verified or {}):
        for one, problem in (verified or {})[iid][:_MAX_EVIDENCE_PER_INTEGRATION]:
            proven.append(ImpactEvidence(kind="contract", integration=iid, source=one.call.place,
                                         detail=f"the revision refuses its request: {problem.message}"))
    if not proven and not likely:
        return False
    impact.evidence.extend(proven + likely)
    info: dict[str, object] = {}
    if proven:
        impact.flags.append("contract-broken")
        info["integrations"] = sorted({e.integration for e in proven if e.integration})
    if likely:
        impact.flags.append("contract-likely-broken")
        info["likely_integrations"] = sorted({e.integration for e in likely if e.integration})
    floor = policy.contract_broken_min_severity
    if floor != "off":
        target_severity = Severity(floor)
        if not finding.severity.at_least(target_severity):
            info["raised_from"] = finding.severity.value
            finding.severity = target_severity
    impact.details["contract_broken"] = info
    return True


_MAX_OBSERVED_EVIDENCE = 10


@dataclass
class Observed:
    """The replayed calls that confirm a finding, and who the finding reaches with them."""

    reach: Reach
    calls: list[tuple[ReplayedCall, CallProblem]]
    broken: bool  # a confirmed call is one the revision refuses, and the finding breaks it


def confirms(finding: Finding, sel: Selector, replayed: ReplayedCall, problem: CallProblem) -> bool:
    """Whether what a replayed call met in the revision is what ``finding`` changed."""
    if sel.level == "operation":
        if finding.kind == "api.operation.removed":
            return problem.kind == "operation-removed"
        if finding.kind == "api.response.status.removed":
            return problem.kind == "status-undocumented" and problem.where == str(finding.facts.get("status"))
        return False
    if problem.direction != (sel.direction or "request"):
        return False
    if sel.level == "parameter":
        if problem.where.lower() != sel.param:
            return False
        if sel.hit_when == "absent":
            return problem.kind == "missing-parameter"
        return problem.kind in ("wrong-type", "invalid-value", "parameter-undocumented")
    if sel.level != "field":
        return False
    if sel.direction == "response" and not status_matches(sel.status, str(replayed.call.status)):
        return False
    if sel.hit_when == "absent":
        if problem.kind == "missing-body":
            return not sel.path
        return problem.kind == "missing-field" and overlaps(sel.path, problem.where) and bool(problem.where)
    if problem.kind not in ("wrong-type", "invalid-value", "field-removed", "unknown-field"):
        return False
    return overlaps(sel.path, problem.where) if problem.where else not sel.path


def observe(finding: Finding, sels: list[Selector], r: Reach,
            failing_by_op: dict[str, list[ReplayedCall]]) -> Observed | None:
    """The replayed calls that confirm ``finding``; a customer whose call the revision
    refuses is hit for certain, one whose answer changes is reached (as it was known to)."""
    found: list[tuple[ReplayedCall, CallProblem]] = []
    broken = False
    certain: set[str] = set()
    reached: set[str] = set()
    integrations: set[str] = set()
    for sel in sels:
        for one in failing_by_op.get(sel.op or "", ()):
            for problem in one.problems:
                if confirms(finding, sel, one, problem):
                    found.append((one, problem))
                    who = one.call.customer
                    if problem.rejects and breaks(finding, sel):
                        broken = True
                        if who:
                            certain.add(who)
                        if one.call.integration:
                            integrations.add(one.call.integration)
                    elif who:
                        reached.add(who)
                    break
    if not found:
        return None
    out = Reach(dict(r.customers), dict(r.integrations), dict(r.traffic), dict(r.proofs), dict(r.probable))
    for cid in certain:
        out.customers[cid] = False
    for cid in reached:
        out.customers.setdefault(cid, True)
    for iid in integrations:
        out.integrations[iid] = False
    for cid in certain | reached:
        out.traffic.setdefault(cid, 0)
    return Observed(out, found, broken)


def mark_observed(finding: Finding, seen: Observed, policy: ImpactPolicy) -> None:
    """The replayed calls as ``observed`` evidence; a refused one is a proven break."""
    impact = finding.impact
    if impact is None:
        return
    for one, problem in seen.calls[:_MAX_OBSERVED_EVIDENCE]:
        call = one.call
        impact.evidence.append(ImpactEvidence(
            kind="observed", customer=call.customer, integration=call.integration, source=call.place,
            detail=f"{call.method} {call.path}: {problem.message}",
        ))
    customers = sorted({one.call.customer for one, _ in seen.calls if one.call.customer})
    info: dict[str, object] = {"calls": len(seen.calls), "customers": customers[:100],
                               "customers_total": len(customers), "refused": seen.broken}
    impact.flags.append("observed-broken" if seen.broken else "observed")
    if seen.broken and policy.contract_broken_min_severity != "off":
        target = Severity(policy.contract_broken_min_severity)
        if not finding.severity.at_least(target):
            info["raised_from"] = finding.severity.value
            finding.severity = target
    impact.details["observed"] = info


def contract_refusals(g: ImpactGraph, finding: Finding, sels: list[Selector], r: Reach,
                      refused_by_op: dict[str, list[ReplayedCall]]) -> dict[str, list[tuple[ReplayedCall, CallProblem]]]:
    """The integrations whose Pact requests the revision refuses for what ``finding``
    changes (a value an enum no longer has, a bound it now breaks): provider verification
    sends exactly those requests, so the contract breaks -- what its field list cannot say.
    Integrations already proven hit by their fields are left to that proof."""
    out: dict[str, list[tuple[ReplayedCall, CallProblem]]] = {}
    for sel in sels:
        if sel.level == "operation":
            continue  # a removed operation is proven by the contract calling it
        for one in refused_by_op.get(sel.op or "", ()):
            iid = one.call.integration
            if not iid or iid in r.proofs:
                continue
            for problem in one.problems:
                if problem.rejects and confirms(finding, sel, one, problem):
                    out.setdefault(iid, []).append((one, problem))
                    break
    return out


def _with_refused(g: ImpactGraph, r: Reach, verified: dict[str, list[tuple[ReplayedCall, CallProblem]]]) -> Reach:
    out = Reach(dict(r.customers), dict(r.integrations), dict(r.traffic), dict(r.proofs), dict(r.probable))
    for iid in verified:
        out.integrations[iid] = False
        for cid in g.members(iid):
            out.customers[cid] = False
            out.traffic.setdefault(cid, 0)
    return out
