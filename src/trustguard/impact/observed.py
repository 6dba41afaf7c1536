"""What replayed calls show of a finding: the calls that confirm it (``observed``
evidence, a refused call a proven break), and the Pact requests the revision refuses."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ImpactPolicy
from ..model import Finding, ImpactEvidence, Severity
from .contract_evidence import breaks
from .graph import ImpactGraph
from .reach import Reach
from .replay import CallProblem, ReplayedCall
from .selector import Selector, overlaps, status_matches

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


def with_refused(g: ImpactGraph, r: Reach, verified: dict[str, list[tuple[ReplayedCall, CallProblem]]]) -> Reach:
    """``r`` with the integrations whose refused requests ``contract_refusals`` found, and
    their customers, hit for certain."""
    out = Reach(dict(r.customers), dict(r.integrations), dict(r.traffic), dict(r.proofs), dict(r.probable))
    for iid in verified:
        out.integrations[iid] = False
        for cid in g.members(iid):
            out.customers[cid] = False
            out.traffic.setdefault(cid, 0)
    return out
