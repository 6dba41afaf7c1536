"""``trustguard impact -f json``: who a change hurts, as data, with its JSON Schema
(``trustguard schema impact``).

Findings carry their impact (customers, integrations, evidence); then each affected
customer and integration is listed once with the worst severity among the findings
that reach it, and whether any of them reaches it for certain (``estimated`` is true
when every finding that reaches it is an estimate). Keys are sorted, nothing depends on
the clock: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..model import Finding, Impact, ImpactTotals, Report, Severity
from .customers import Customer, load_customers
from .integrations import load_integrations

SCHEMA_VERSION = 1


class ImpactFinding(BaseModel):
    rule: str
    kind: str
    severity: Severity = Field(description="After impact: raised when a contract or a replayed call proves a break.")
    title: str
    message: str
    operation: str | None = None
    operations: list[str] = Field(default_factory=list)
    location: str = ""
    fingerprint: str = ""
    impact: Impact


Evidence = Literal["contract-broken", "contract-likely-broken", "observed-broken", "observed", "calls", "may-break"]


class CustomerReason(BaseModel):
    """Why one finding reaches the customer, and how certainly."""

    finding: int = Field(description="Index into 'findings'.")
    severity: Severity
    certainty: Literal["certain", "estimated"]
    evidence: list[Evidence] = Field(description="contract-broken / contract-likely-broken: a contract of one of its "
                                                 "integrations proves / makes likely the break; observed-broken / "
                                                 "observed: a recorded call of it is refused / answered otherwise; "
                                                 "calls: it calls what the finding touches (usage or a declared "
                                                 "operation); may-break: an estimate the finding was raised for.")
    detail: str = Field(description="What the finding does to this customer's calls, in words.")


class AffectedCustomer(BaseModel):
    id: str
    name: str | None = None
    plan: str | None = None
    segment: str | None = None
    revenue: float = 0.0
    severity: Severity = Field(description="The worst severity among the findings that reach the customer.")
    certain_severity: Severity | None = Field(None, description="The worst among those that reach it for certain (None: only estimates).")
    estimated: bool = Field(description="True when no finding reaches the customer for certain.")
    certainty: Literal["certain", "estimated"] = Field(description="'certain' when some finding is proven to reach "
                                                                   "it, 'estimated' (may be affected) otherwise.")
    evidence: list[Evidence] = Field(default_factory=list, description="Every kind of evidence among its reasons.")
    findings: list[int] = Field(description="Indexes into 'findings' of every finding that reaches it.")
    certain_findings: list[int] = Field(description="... and of those that reach it for certain.")
    reasons: list[CustomerReason] = Field(default_factory=list, description="Per finding, why and how certainly.")


class AffectedIntegration(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None
    severity: Severity
    estimated: bool
    contract_broken: bool = Field(description="A finding's evidence names this integration's contract as broken.")
    findings: list[int]


class ReplayProblem(BaseModel):
    kind: str = Field(description="operation-removed, missing-parameter, missing-body, missing-field, wrong-type, "
                                  "invalid-value, unknown-field, parameter-undocumented, status-undocumented, field-removed")
    direction: Literal["request", "response"]
    where: str
    message: str


class ReplayCall(BaseModel):
    place: str
    method: str
    path: str
    status: int | None = None
    operation: str
    refused: bool = Field(description="The revision refuses the request (a proven break).")
    problems: list[ReplayProblem]


class ReplayIntegration(BaseModel):
    integration: str | None = None
    failing: int
    refused: int
    calls: list[ReplayCall] = Field(description="The first calls that now fail (the counts are whole).")


class ReplayCustomer(BaseModel):
    customer: str | None = Field(None, description="None: the calls name no known customer.")
    failing: int
    integrations: list[ReplayIntegration]


class ReplaySummary(BaseModel):
    file: str
    calls: int
    checked: int
    unmatched: int
    unknown_customer: int
    malformed: int
    failing: int
    refused: int
    customers: list[ReplayCustomer]


class ImpactDocument(BaseModel):
    """The JSON of ``trustguard impact -f json``."""

    format: Literal["trustguard-impact"] = "trustguard-impact"
    schema_version: int = SCHEMA_VERSION
    version: str
    kind: str
    base: str
    revision: str
    totals: ImpactTotals | None = None
    warnings: list[str] = Field(default_factory=list)
    findings: list[ImpactFinding] = Field(default_factory=list)
    customers: list[AffectedCustomer] = Field(default_factory=list)
    integrations: list[AffectedIntegration] = Field(default_factory=list)
    replay: ReplaySummary | None = None


def impact_schema() -> dict[str, Any]:
    return ImpactDocument.model_json_schema()


def impact_document(report: Report, inputs: dict[str, Any] | None = None) -> ImpactDocument:
    """``inputs``: the impact inputs (paths), for the names of customers and integrations."""
    inputs = inputs or {}
    table = load_customers(os.fspath(inputs["customers"])).customers if inputs.get("customers") is not None else {}
    integrations = {i.id: (i.name, i.kind) for i in load_integrations(os.fspath(inputs["integrations"]))} if inputs.get(
        "integrations") is not None else {}
    findings = [f for f in report.findings if f.impact is not None]
    customers: dict[str, dict[str, Any]] = {}
    linked: dict[str, dict[str, Any]] = {}
    members = _integrations_of(report, inputs)
    for index, finding in enumerate(findings):
        impact = finding.impact
        assert impact is not None
        if finding.severity is Severity.INFO:
            continue  # it breaks nobody: the affected are those the totals count
        estimated = set(impact.details.get("estimated_ids", ()))
        broken = {e.integration for e in impact.evidence if e.kind in ("contract", "declared") and e.integration}
        for cid in impact.customer_ids:
            entry = customers.setdefault(cid, {"all": [], "certain": [], "reasons": []})
            entry["all"].append(index)
            if cid not in estimated:
                entry["certain"].append(index)
            entry["reasons"].append(_reason(index, finding, impact, cid, cid not in estimated, members.get(cid, set())))
        for iid in impact.integration_ids:
            entry = linked.setdefault(iid, {"all": [], "certain": [], "broken": False})
            entry["all"].append(index)
            if f"integration:{iid}" not in estimated:
                entry["certain"].append(index)
            entry["broken"] = entry["broken"] or iid in broken
    out_customers = []
    for cid in sorted(customers):
        entry = customers[cid]
        info = table.get(cid) or Customer(cid)
        certain = entry["certain"]
        out_customers.append(AffectedCustomer(
            id=cid, name=info.name, plan=info.plan, segment=info.segment,
            revenue=info.revenue, severity=_worst(findings, entry["all"]),
            certain_severity=_worst(findings, certain) if certain else None, estimated=not certain,
            certainty="certain" if certain else "estimated",
            evidence=sorted({e for r in entry["reasons"] for e in r.evidence}),
            findings=entry["all"], certain_findings=certain, reasons=entry["reasons"],
        ))
    out_integrations = []
    for iid in sorted(linked):
        entry = linked[iid]
        name, kind = integrations.get(iid, (None, None))
        out_integrations.append(AffectedIntegration(
            id=iid, name=name, kind=kind, severity=_worst(findings, entry["all"]), estimated=not entry["certain"],
            contract_broken=entry["broken"], findings=entry["all"],
        ))
    totals = report.impact
    replay = totals.details.get("replay") if totals is not None else None
    return ImpactDocument(
        version=report.version, kind=report.kind.value, base=report.base, revision=report.revision, totals=totals,
        warnings=list(report.warnings),
        findings=[ImpactFinding(
            rule=f.rule, kind=f.kind, severity=f.severity, title=f.title, message=f.message, operation=f.operation,
            operations=list(f.operations), location=f.location, fingerprint=f.fingerprint, impact=f.impact,
        ) for f in findings if f.impact is not None],
        customers=out_customers, integrations=out_integrations,
        replay=ReplaySummary.model_validate(replay) if isinstance(replay, dict) else None,
    )


def render_impact_json(report: Report, inputs: dict[str, Any] | None = None) -> str:
    data = impact_document(report, inputs).model_dump(mode="json")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _worst(findings: list[Finding], indexes: list[int]) -> Severity:
    return max((findings[i].severity for i in indexes), key=lambda s: s.rank)


def _integrations_of(report: Report, inputs: dict[str, Any]) -> dict[str, set[str]]:
    """Each affected customer's integrations: as the impact stage linked them (Pact
    consumers named after a customer too), else from the integrations file."""
    totals = report.impact
    found = totals.affected_customers() if totals is not None else {}
    if found:
        return {cid: set(info.get("integrations", ())) for cid, info in found.items()}
    out: dict[str, set[str]] = {}
    if inputs.get("integrations") is not None:
        for integration in load_integrations(os.fspath(inputs["integrations"])):
            for cid in integration.customers or ():
                out.setdefault(cid, set()).add(integration.id)
    return out


def _reason(index: int, finding: Finding, impact: Impact, cid: str, certain: bool, integrations: set[str]) -> CustomerReason:
    """Why ``finding`` reaches customer ``cid``: the evidence that names it or one of its
    integrations, in the words of that evidence."""
    evidence: list[Evidence] = []
    words: list[str] = []
    broken = impact.details.get("contract_broken") or {}
    kinds: tuple[tuple[str, Evidence], ...] = (("integrations", "contract-broken"),
                                               ("likely_integrations", "contract-likely-broken"))
    for key, name in kinds:
        if integrations & set(broken.get(key, ())):
            evidence.append(name)
    observed = impact.details.get("observed") or {}
    seen = [e for e in impact.evidence if e.kind == "observed" and e.customer == cid]
    if seen or cid in observed.get("customers", ()):
        # a refused call makes its customer certain; one only answered otherwise, an estimate
        evidence.append("observed-broken" if observed.get("refused") and certain else "observed")
    for e in impact.evidence:
        if (e.kind in ("contract", "declared") and e.integration in integrations) or (
                e.kind == "observed" and e.customer == cid):
            words.append(f"{e.integration or cid}: {e.detail}")
    if not evidence:
        evidence.append("calls")
    if impact.details.get("may_break") and not {"contract-broken", "observed-broken"} & set(evidence):
        evidence.append("may-break")  # raised for who may break: it is one of them
    where = ", ".join(finding.operations) or finding.operation or "the API"
    if not words:
        words.append(f"calls {where}" + ("" if certain else "; nothing on record proves or rules out that the change breaks those calls"))
    shown = "; ".join(dict.fromkeys(words[:3]))
    detail = f"{finding.title} ({where}): {shown}" + ("" if certain else " -- may be affected (estimated)")
    return CustomerReason(finding=index, severity=finding.severity, certainty="certain" if certain else "estimated",
                          evidence=sorted(set(evidence)), detail=detail)
