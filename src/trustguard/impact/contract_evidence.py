"""A consumer contract that proves a finding breaks its consumer: the
``contract-broken`` (and ``contract-likely-broken``) flag, its evidence, and the
severity floor the policy sets for it."""

from __future__ import annotations

from ..config import ImpactPolicy
from ..model import Finding, ImpactEvidence, Severity
from .graph import Call
from .reach import Reach
from .replay import CallProblem, ReplayedCall
from .selector import Selector, overlaps, status_matches

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
    it reads what is removed or retyped, sends what is retyped or dropped (a parameter, a
    field of an object that now rejects it), does not send what is now required, or calls
    a removed operation."""
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
    if sel.direction == "request" and kind == "api.schema.property.removed" and finding.facts.get("closed_object"):
        # the revision's object rejects what it does not list: the request that still sends
        # the field is refused (a field dropped from an open object is ignored instead)
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
