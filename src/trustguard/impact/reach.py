"""Who a selector reaches in the impact graph: each integration decided once
(:func:`trustguard.impact.selector.decide`), the decision pushed to its customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat

from .graph import Call, ImpactGraph
from .selector import Selector, decide


@dataclass
class Reach:
    customers: dict[str, bool]  # id -> estimated
    integrations: dict[str, bool]
    traffic: dict[str, int]  # customer id -> requests on the operation(s)
    proofs: dict[str, list[Call]] = field(default_factory=dict)  # integration -> what proves it hit
    probable: dict[str, list[Call]] = field(default_factory=dict)  # integration -> what makes it likely
    _ids: list[str] | None = field(default=None, repr=False, compare=False)

    def ids(self) -> list[str]:
        """The customers' ids, sorted (once: impact and may-break both list them; a reach
        is complete when it is read -- what changes one makes a new one)."""
        if self._ids is None or len(self._ids) != len(self.customers):
            self._ids = sorted(self.customers)
        return self._ids


def reach(g: ImpactGraph, sel: Selector) -> Reach:
    out = Reach({}, {}, {})
    if sel.level == "none":
        return out
    if sel.level == "api":
        with_integrations = g.customer_integrations
        for cid in g.customers:
            traffic = g.customer_traffic(cid)
            if traffic or with_integrations.get(cid):
                out.customers[cid] = True
                out.traffic[cid] = traffic
        relying = {iid for iid, _ in g.uses}
        out.integrations = {iid: True for iid in sorted(relying)}
        return out
    op = sel.op or ""
    callers, integrations = g.callers_of(op)
    # Decide each integration once; then push the decision to its customers. A customer
    # is hit exactly if any of its integrations is, estimated if one might be, and spared
    # when every integration that says what it uses is spared.
    exact_hit: set[str] = set()
    maybe_hit: set[str] = set()
    spared: set[str] = set()
    for iid in integrations:
        decided, proof = decide(sel, g.uses.get((iid, op)))
        if decided is False:
            target = spared
        else:
            out.integrations[iid] = decided is None
            target = maybe_hit if decided is None else exact_hit
            if proof:
                (out.proofs if decided else out.probable)[iid] = proof
        target.update(g.members(iid))
    # a caller of the operation is hit for certain by an operation-level change that
    # breaks every caller (a removed operation), not by one that hits only some of them
    # (a status no longer given, a deprecation, a path parameter's type)
    direct_estimated = sel.level != "operation" or not sel.exact or sel.status is not None
    # It calls the operation itself; unless an integration says what it uses (and the log
    # does not show calls of its own besides), it is hit. Built whole, by the operation's
    # callers (100k of them): what an integration decides comes over what a direct call says.
    if spared:
        callers = [cid for cid in callers if cid not in spared or g.calls_itself(cid, op)]
    customers = dict.fromkeys(callers, direct_estimated)
    if maybe_hit:
        customers.update(dict.fromkeys(maybe_hit - exact_hit, True))
    if exact_hit:
        customers.update(dict.fromkeys(exact_hit, False))
    out.customers = customers
    counts = g.op_calls(op)
    # the usual case, every caller reached and no one else: its traffic is the operation's
    # usage as it is (a Reach's dicts are only read; what changes one makes a new one)
    same = len(counts) == len(customers) and counts.keys() == customers.keys()
    out.traffic = counts if same else dict(zip(customers, map(counts.get, customers, repeat(0)), strict=True))
    return out


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
