"""Impact: who a change hurts, from the data the user has.

``apply_api_impact`` and ``apply_terms_impact`` are called by :func:`trustguard.check`
with ``inputs = {"customers", "usage", "integrations", "contracts", "replay"}`` (paths or None).
They set ``finding.impact`` on every finding and return the totals of the change.
"""

from __future__ import annotations

import os
from typing import Any

from ..config import Config
from ..model import Finding, Impact, ImpactTotals
from .blast import apply, flags_for
from .contracts import ContractSet, load_contracts
from .customers import Customer, CustomerTable, PendingCustomers, customer_table, load_customers
from .graph import ImpactGraph, add_replayed, build_graph, start_graph, write_graph
from .integrations import Integration, load_integrations
from .reach import reach
from .routes import PathRouter, operation_key
from .selector import Selector, selector_for
from .usage import UsageData, load_usage

__all__ = [
    "ContractSet", "Customer", "CustomerTable", "ImpactGraph", "Integration", "PathRouter", "Selector",
    "UsageData", "apply_api_impact", "apply_terms_impact", "build_api_graph", "load_contracts",
    "load_customers", "load_integrations", "load_usage", "operation_key", "reach", "selector_for",
]

PathLike = str | os.PathLike[str]


def _spec_data(doc: Any) -> Any:
    return getattr(doc, "data", doc)


def build_api_graph(base_doc: Any, rev_doc: Any, inputs: dict[str, Any]) -> ImpactGraph:
    """Load every given input and build the graph; paths are routed through the
    revision's templates first (its spelling labels operations), then the base's."""
    router = PathRouter.from_specs([_spec_data(rev_doc), _spec_data(base_doc)])
    # the list is read when first needed: by the first log's reader, while DuckDB reads the
    # log; the graph's customer layer is made right after, while DuckDB still reads
    started: list[ImpactGraph] = []
    pending = PendingCustomers(inputs["customers"], lambda table: started.append(start_graph(router, table))) \
        if inputs.get("customers") is not None else None
    usage = inputs.get("usage")
    usage_paths = [] if usage is None else list(usage) if isinstance(usage, (list, tuple)) else [usage]
    read = inputs.get("usage_read") or {}
    logs = [load_usage(p, router, pending, fmt=read.get("format"), customer_from=read.get("customer_from"))
            for p in usage_paths]
    customers = customer_table(pending)
    if inputs.get("usage_summary") is not None:
        from .summary import load_usage_summary

        logs.append(load_usage_summary(inputs["usage_summary"], router, customers, read.get("customer_from")))
    integrations = load_integrations(inputs["integrations"]) if inputs.get("integrations") is not None else None
    contracts = load_contracts(inputs["contracts"]) if inputs.get("contracts") is not None else None
    return build_graph(router, customers, logs, integrations, contracts,
                       specs=[_spec_data(rev_doc), _spec_data(base_doc)], start=started[0] if started else None)


def apply_api_impact(
    base_doc: Any, rev_doc: Any, findings: list[Finding], inputs: dict[str, Any], cfg: Config
) -> ImpactTotals:
    """Weigh every OpenAPI finding by the customers, integrations, revenue and traffic it reaches."""
    graph = build_api_graph(base_doc, rev_doc, inputs)
    replayed = None
    if inputs.get("replay") is not None:
        from .replay import replay  # imported here: it loads the OpenAPI schema validators

        keys = {key: c.id for c in graph.customers.values() for key in c.api_keys}
        ids = set(graph.customers) if graph.customer_list else None
        replayed = replay(inputs["replay"], _spec_data(base_doc), _spec_data(rev_doc), keys,
                          (inputs.get("usage_read") or {}).get("customer_from"), ids)
        add_replayed(graph, replayed)
    refused = None
    if graph.contract_interactions:
        from .replay import Replay, check_calls, contract_requests

        # what each contract's provider verification will send the revision, checked like a recording
        refused = check_calls(contract_requests(graph.contract_interactions), _spec_data(base_doc),
                              _spec_data(rev_doc), Replay("contracts")).failing
    totals = apply(graph, findings, cfg.impact, replayed, refused)
    if replayed is not None:
        totals.warnings.extend(replayed.warnings)
        totals.details["replay"] = replayed.summary()
    if inputs.get("graph_out") is not None:
        write_graph(graph, inputs["graph_out"])
    totals.details["inputs"] = {k: os.fspath(v) for k, v in sorted(inputs.items())
                                if isinstance(v, (str, os.PathLike)) and k != "graph_out"}
    return totals


def apply_terms_impact(
    base_doc: Any, rev_doc: Any, findings: list[Finding], inputs: dict[str, Any], cfg: Config
) -> ImpactTotals:
    """Terms reach customers by plan: a finding naming plans (``facts["plan"]`` or
    ``facts["plans"]``) reaches the customers on them, any other finding everyone."""
    del base_doc, rev_doc
    totals = ImpactTotals()
    from .rate_limits import is_rate_limit_cut  # a usage log weighs a terms text's rate-limit cuts

    rates = any(is_rate_limit_cut(f) for f in findings)
    ignored = sorted(k for k in ("usage", "integrations", "contracts", "usage_summary", "replay", "graph_out")
                     if inputs.get(k) is not None and not (k == "usage" and rates))
    if ignored:
        totals.warnings.append(f"{', '.join(ignored)} not used for a terms change: terms reach customers by plan")
    if inputs.get("customers") is None:
        if not rates:
            totals.warnings.append("no customer list given: the impact of a terms change cannot be weighed")
        return totals
    table = load_customers(inputs["customers"])
    totals.warnings.extend(table.warnings)
    policy = cfg.impact
    customers = sorted(table.customers.values(), key=lambda c: c.id)
    by_plan: dict[str, list[Customer]] = {}
    for c in customers:
        by_plan.setdefault((c.plan or "").lower(), []).append(c)
    revenue_total = table.revenue_total
    affected: set[str] = set()
    unknown_plans: set[str] = set()
    from ..model import AffectedEntity, Severity

    for finding in findings:
        plans = _plans_of(finding)
        if plans is None:
            reached, level = customers, "all"
        else:
            reached = [c for p in plans for c in by_plan.get(p.lower(), [])]
            unknown_plans.update(p for p in plans if p.lower() not in by_plan)
            level = "plan"
        ids = sorted({c.id for c in reached})
        chosen = [table.customers[i] for i in ids]
        revenue = sum(c.revenue for c in chosen)
        flags, flag_details = flags_for([c.revenue for c in chosen], revenue_total, policy)
        finding.impact = Impact(
            customers=len(chosen),
            revenue=round(revenue, 2),
            revenue_share=round(revenue / revenue_total, 6) if revenue_total else 0.0,
            customer_share=round(len(chosen) / len(customers), 6) if customers else 0.0,
            level=level,
            top_customers=[
                AffectedEntity(id=c.id, name=c.name, revenue=c.revenue, plan=c.plan, segment=c.segment)
                for c in sorted(chosen, key=lambda c: (-c.revenue, c.id))[: policy.top]
            ],
            customer_ids=ids,
            flags=flags,
            details={"with_data": True, "plans": plans, "unused": not chosen, **flag_details},
        )
        if finding.severity is not Severity.INFO:
            affected.update(ids)
    if unknown_plans:
        totals.warnings.append(
            "terms findings name plan(s) no listed customer is on: " + ", ".join(sorted(unknown_plans))
        )
    revenue = sum(table.customers[c].revenue for c in affected)
    flags, flag_details = flags_for([table.customers[c].revenue for c in affected], revenue_total, policy)
    totals.customers_total = len(customers)
    totals.customers_affected = len(affected)
    totals.customer_share = round(len(affected) / len(customers), 6) if customers else 0.0
    totals.revenue_total = round(revenue_total, 2)
    totals.revenue_affected = round(revenue, 2)
    totals.revenue_share = round(revenue / revenue_total, 6) if revenue_total else 0.0
    totals.flags = flags
    totals.details = {"with_data": True, **flag_details}
    totals._customers = {cid: {"id": cid, "name": c.name, "plan": c.plan, "segment": c.segment,
                               "revenue": c.revenue} for cid in sorted(affected) for c in [table.customers[cid]]}
    return totals


def _plans_of(finding: Finding) -> list[str] | None:
    for key in ("plans", "plan", "affected_plans"):
        value = finding.facts.get(key)
        if isinstance(value, str) and value.strip():
            return [value.strip()]
        if isinstance(value, list) and value:
            return [str(v) for v in value]
    return None
