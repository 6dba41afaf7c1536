"""A release, run: every document through the usual pipeline, merged into one Report.

Each document is loaded, diffed, classified and weighed exactly as `trustguard check`
does for one pair; then the release adds what only a release can know -- the notice
each finding gets against the notice it is owed, and whether the announcement discloses
it -- as findings of its own (rules/release/), and gives one verdict under one policy.
The blast radius counts a customer once, however many documents reach it, with every
reason (``Report.release.customers``).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..config import Config
from ..errors import InputError, TrustguardError
from ..load.document import Document
from ..model import (
    Change,
    DocumentKind,
    Finding,
    ImpactTotals,
    Report,
    Severity,
    SourcePosition,
    Summary,
    new_change,
)
from ..model_release import (
    RELEASE_DOCUMENT_FACT,
    AnnouncementCheck,
    CustomerReason,
    NoticeCheck,
    ReleaseCustomer,
    ReleaseDocument,
    ReleaseSummary,
)
from . import announce, notice
from .file import ReleaseDocumentSpec, ReleaseFile, load_release

RELEASE_DOCUMENT = "release"  # the rules about a release as a whole (rules/release/)
_NO_DATES = "no announcement or effective date: the notice each change gets is unknown (never assumed enough)"


@dataclass
class _Part:
    """One document of the release, run."""

    spec: ReleaseDocumentSpec
    base: Document
    revision: Document
    report: Report
    promises: list[notice.Promise] = field(default_factory=list)
    calls: dict[str, dict[str, int]] = field(default_factory=dict)  # customer -> operation key -> requests (API)


def run_release(path: str | os.PathLike[str], config: Any, options: dict[str, Any],
                validate: bool = False, strict: bool = False) -> Report:
    """The release file at ``path`` as one Report (``config``: a Config, a file or None)."""
    from ..api import (
        _config_and_rules,  # the API's own policy reading: one policy for every document
    )

    release = load_release(path)
    cfg, rules = _config_and_rules(config, options)
    parts = [_run_part(release, spec, cfg, validate, strict) for spec in release.documents]
    merged = _merge(release, cfg, [r for r in rules if r.document == RELEASE_DOCUMENT], parts)
    merged.warnings = _waiver_warnings(merged, cfg, {r.id for r in rules})
    from .notices import (
        draft_release,  # one letter per customer, over every document that reaches it
    )

    draft_release(merged, [(p.spec.kind.value, p.report, p.spec.effective) for p in parts], cfg.customer_notices)
    return merged


def _waiver_warnings(report: Report, cfg: Config, rule_ids: set[str]) -> list[str]:
    """A waiver is unused when no document of the release used it (each document's own run
    only knows whether it used it): those warnings are worked out again for the release."""
    from ..classify.policy import UNUSED_WAIVER, unused_waivers

    kept = [w for w in report.warnings if not w.startswith(UNUSED_WAIVER)]
    if not cfg.waivers:
        return kept
    used = {i for i, w in enumerate(cfg.waivers) for f in [*report.findings, *report.waived]
            if w is f.waived or w is f.waiver_expired}
    return list(dict.fromkeys(kept)) + unused_waivers(cfg, used, rule_ids)


def _run_part(release: ReleaseFile, spec: ReleaseDocumentSpec, cfg: Config, validate: bool,
              strict: bool) -> _Part:
    from ..api import _check, _load_pair
    from ..kinds import kind_spec

    key = f"documents.{spec.key}"
    try:
        base, revision = _load_pair(spec.base, spec.revision, None, cfg, validate, strict)
    except TrustguardError as exc:
        raise release.error(key, f"{key}: {exc}") from None
    if base.kind is not spec.kind:
        raise release.error(key, f"{key}: {base.name} is {kind_spec(base.kind).title}, but {key} names "
                                 f"{kind_spec(spec.kind).title} (rename the key or set kind:)")
    impact = release.impact
    inputs: dict[str, Any] = {"customers": impact.get("customers"), "usage": None, "integrations": None,
                              "contracts": None}
    if spec.kind is DocumentKind.OPENAPI:
        inputs.update({k: impact.get(k) for k in ("usage", "integrations", "contracts")})
    try:
        # no drafts per document: the release writes one per customer over them all
        report = _check(base, revision, spec.kind, cfg, validate, strict, False, inputs, {}, None, False)
        part = _Part(spec, base, revision, report)
        if spec.kind is DocumentKind.TERMS:
            part.promises = notice.terms_promises(spec.key, base, cfg)
        elif spec.kind is DocumentKind.PRICING:
            part.promises = notice.pricing_promises(spec.key, base)
        elif any(v is not None for v in inputs.values()):
            part.calls = _calls(base, revision, inputs)
    except TrustguardError as exc:
        raise release.error(key, f"{key}: {exc}") from None
    for finding in [*report.findings, *report.waived]:
        # a Finding reads its facts and source through its Change (model.Finding)
        source = _relative(finding.source, release.folder) if finding.source is not None else None
        finding.change = finding.change.model_copy(
            update={"facts": {**finding.facts, RELEASE_DOCUMENT_FACT: spec.key}, "source": source})
    return part


def _calls(base: Document, revision: Document, inputs: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The requests each customer makes to each operation (canonical keys), from the usage data."""
    from ..impact import build_api_graph

    graph = build_api_graph(base, revision, inputs)
    out: dict[str, dict[str, int]] = {}
    for (who, op), count in graph.calls.items():
        out.setdefault(who, {})[op] = count
    return out


def _relative(source: SourcePosition, folder: str) -> SourcePosition:
    """A document's place named from the release file's folder, as reports name files
    beside the report's own file (the release file)."""
    if not folder or (":" in source.file and not os.path.exists(source.file)):
        return source
    return source.model_copy(update={"file": os.path.relpath(source.file, folder).replace(os.sep, "/")})


def _merge(release: ReleaseFile, cfg: Config, rules: list[Any], parts: list[_Part]) -> Report:
    from ..api import effective_rules, engine_options
    from ..classify.engine import Engine
    from ..classify.policy import apply_waivers, verdict

    found = announce.sentences(release.announcement)
    notices: list[NoticeCheck] = []
    announced: list[AnnouncementCheck] = []
    # a promise binds every document it speaks of: the terms' price-change clause covers the pricing's rises
    promises = [p for part in parts for p in part.promises]
    for part in parts:
        kind = part.spec.kind
        for finding in part.report.findings:
            notices.append(notice.check(finding, part.spec.key, kind, promises, cfg, release.announced,
                                        part.spec.effective))
            if announce.material(finding):
                announced.append(announce.match(finding, part.spec.key, kind, found))
    notes = _notes(release, notices)
    changes = (_notice_changes(release, parts, notices) + _unknown_change(release, notices, notes)
               + _announce_changes(release, parts, announced))
    engine = Engine(rules, cfg.severity, engine_options(cfg))
    own = engine.classify(changes)
    active_own, waived_own, waiver_notes = apply_waivers(own, cfg, {r.id for r in rules})
    active = [f for p in parts for f in p.report.findings] + active_own
    waived = [f for p in parts for f in p.report.waived] + waived_own
    active.sort(key=_order)
    waived.sort(key=_order)
    totals, customers = _blast(release, cfg, parts)
    result, failing = verdict(active, cfg)
    # the missing dates are said once, by their finding (release-notice-unknown)
    warnings = [w for p in parts for w in p.report.warnings] + waiver_notes
    summary = _summary(parts, active, waived, changes, failing)
    short = sum(1 for n in notices if n.status == "short")
    status = "short" if short else "unknown" if any(n.status == "unknown" for n in notices) else "ok"
    release_summary = ReleaseSummary(
        name=release.name, file=release.file, announced=release.announced, effective=release.effective,
        announcement=release.announcement_file,
        documents=[ReleaseDocument(key=p.spec.key, kind=p.spec.kind.value, base=p.base.name,
                                   revision=p.revision.name, effective=p.spec.effective,
                                   findings=p.report.summary.findings) for p in parts],
        notice=notices, announcements=announced, customers=customers, notice_status=status, notice_short=short,
        unannounced=sum(1 for a in announced if not a.announced), notes=notes,
    )
    report_rules = []
    seen: set[str] = set()
    for p in parts:
        for rule in p.report.rules:
            if rule.id not in seen:
                seen.add(rule.id)
                report_rules.append(rule)
    report_rules += effective_rules(rules, cfg, [*active_own, *waived_own], DocumentKind.OPENAPI)
    return Report.model_construct(
        version=__version__, kind=parts[0].spec.kind, base=release.file, revision=release.file, verdict=result,
        fail_on=cfg.fail_on, summary=summary, findings=active, waived=waived, changes=None, warnings=warnings,
        impact=totals, rules=sorted(report_rules, key=lambda r: r.id), release=release_summary,
    )


def _order(finding: Finding) -> tuple[int, str, str, str, str, str]:
    key = finding.sort_key()
    return (key[0], str(finding.facts.get(RELEASE_DOCUMENT_FACT, "")), *key[1:])


def _notes(release: ReleaseFile, notices: list[NoticeCheck]) -> list[str]:
    """What the release could not judge, said once."""
    if not any(n.status == "unknown" for n in notices):
        return []
    if release.announced is None and all(v is None for v in release.effective.values()):
        return [_NO_DATES]
    if release.announced is None:
        return ["no announcement date: the notice each change gets is unknown (never assumed enough)"]
    missing = sorted(k for k, v in release.effective.items() if v is None)
    return [f"no effective date for {', '.join(missing)}: the notice those changes get is unknown "
            "(never assumed enough)"]


def _notice_changes(release: ReleaseFile, parts: list[_Part], notices: list[NoticeCheck]) -> list[Change]:
    """One change per document and promise broken: the findings given too little notice."""
    groups: dict[tuple[str, str], list[NoticeCheck]] = {}
    for check in notices:
        if check.status == "short" and check.source is not None:
            groups.setdefault((check.document, check.source.description), []).append(check)
    line = release.line_of("effective") or release.line_of("announced")
    out = []
    for (document, promise), checks in sorted(groups.items()):
        first = checks[0]
        source = first.source
        assert source is not None
        where = f"{source.file}:{source.line}" if source.file and source.line else (source.config_key or "")
        rules = sorted({c.rule for c in checks})
        out.append(new_change(
            kind="release.notice.short", location=f"/documents/{document}/notice",
            subject=f"{document}: {first.days_given} of {first.days_owed} days",
            before=first.days_owed, after=first.days_given,
            facts={"document": document, "findings": rules, "count": len(checks), "days_owed": first.days_owed,
                   "days_given": first.days_given, "promise": promise, "source_kind": source.kind,
                   "promise_place": where, "citation": source.citation, "promise_text": source.text,
                   RELEASE_DOCUMENT_FACT: document},
            source=SourcePosition(file=os.path.basename(release.file), line=line),
        ))
    del parts
    return out


def _unknown_change(release: ReleaseFile, notices: list[NoticeCheck], notes: list[str]) -> list[Change]:
    """One change for the whole release when dates are missing: notice cannot be judged."""
    unknown = [n for n in notices if n.status == "unknown"]
    if not unknown or not notes:
        return []
    documents = sorted({n.document for n in unknown})
    return [new_change(
        kind="release.notice.unknown", location="/notice", subject="notice unknown",
        facts={"count": len(unknown), "documents": documents, "note": notes[0],
               "missing": "announced" if release.announced is None else "effective"},
        source=SourcePosition(file=os.path.basename(release.file), line=release.line_of("name")),
    )]


def _announce_changes(release: ReleaseFile, parts: list[_Part], checks: list[AnnouncementCheck]) -> list[Change]:
    by_key = {(p.spec.key, f.fingerprint): f for p in parts for f in p.report.findings}
    out = []
    name = os.path.relpath(release.announcement_file, release.folder or ".").replace(os.sep, "/")
    for check in checks:
        if check.announced:
            continue
        finding = by_key[(check.document, check.fingerprint)]
        out.append(new_change(
            kind="release.change.unannounced", location=f"/documents/{check.document}{finding.location}",
            operation=finding.operation, subject=finding.subject, before=finding.fingerprint, after=None,
            facts={"document": check.document, "finding_rule": finding.rule,
                   "finding_severity": finding.severity.value, "finding_title": finding.title,
                   "finding_message": finding.message, "finding_fingerprint": finding.fingerprint,
                   "wanted": "; ".join(check.wanted) or "(nothing to name it by)", RELEASE_DOCUMENT_FACT: check.document},
            source=SourcePosition(file=name),
        ))
    return out


def _summary(parts: list[_Part], active: list[Finding], waived: list[Finding], changes: list[Change],
             failing: int) -> Summary:
    by_severity: Counter[str] = Counter()
    by_principle: Counter[str] = Counter()
    for f in active:
        by_severity[f.severity.value] += f.weight
        by_principle[f.principle.value] += f.weight
    return Summary(
        changes=sum(p.report.summary.changes for p in parts) + len(changes),
        findings=sum(f.weight for f in active),
        by_severity=dict(sorted(by_severity.items())),
        by_principle=dict(sorted(by_principle.items())),
        waived=sum(f.weight for f in waived),
        failing=failing,
    )


def _blast(release: ReleaseFile, cfg: Config, parts: list[_Part]) -> tuple[ImpactTotals | None,
                                                                           list[ReleaseCustomer]]:
    """One blast radius for the release: each customer once, with every finding that reaches it."""
    from ..impact.blast import flags_for, worst_severity_counts

    totals = [p.report.impact for p in parts if p.report.impact is not None]
    if not totals:
        return None, []
    table = _customer_table(release)
    bills = _bills(release, parts)
    reasons: dict[str, list[CustomerReason]] = {}
    worst: dict[str, Severity] = {}
    entities: dict[str, Any] = {}
    integrations: set[str] = set()
    by_severity: dict[str, set[str]] = {}
    broken: dict[str, dict[tuple[str, str], int]] = {}  # customer -> (document, operation) -> requests
    for part in parts:
        for finding in part.report.findings:
            impact = finding.impact
            if impact is None or finding.severity is Severity.INFO:
                continue
            integrations.update(impact.integration_ids)
            for top_entity in impact.top_customers:
                entities.setdefault(top_entity.id, top_entity)
            for cid in impact.customer_ids:
                ops: list[str] = []
                if part.spec.kind is DocumentKind.OPENAPI:
                    from ..impact.routes import operation_key

                    called = part.calls.get(cid, {})
                    ops = [op for op in finding.operations if operation_key(op) in called]
                    for op in ops:
                        broken.setdefault(cid, {})[(part.spec.key, operation_key(op))] = called[operation_key(op)]
                    # reached through an integration (or a contract) that uses them, not by its own calls
                    ops = ops or list(finding.operations)
                reasons.setdefault(cid, []).append(CustomerReason(
                    document=part.spec.key, fingerprint=finding.fingerprint, rule=finding.rule,
                    severity=finding.severity.value, title=finding.title, operations=ops))
                if cid not in worst or finding.severity.rank > worst[cid].rank:
                    worst[cid] = finding.severity
                by_severity.setdefault(finding.severity.value, set()).add(cid)
    revenue_of = {c.id: c.revenue for c in table.customers.values()} if table is not None else {}
    for cid, top in entities.items():
        revenue_of.setdefault(cid, top.revenue)
    revenue_total = math.fsum(revenue_of.values()) if table is not None else max(t.revenue_total for t in totals)
    customers_total = len(table.customers) if table is not None else max(t.customers_total for t in totals)
    affected = sorted(reasons)
    revenues = [revenue_of.get(c, 0.0) for c in affected]
    revenue = math.fsum(revenues)
    flags, flag_details = flags_for(revenues, revenue_total, cfg.impact)
    traffic_total = sum(t.traffic_total for t in totals)
    traffic = sum(t.traffic_affected for t in totals)
    merged = ImpactTotals(
        customers_total=customers_total, customers_affected=len(affected),
        customer_share=round(len(affected) / customers_total, 6) if customers_total else 0.0,
        revenue_total=round(revenue_total, 2), revenue_affected=round(revenue, 2),
        revenue_share=round(revenue / revenue_total, 6) if revenue_total else 0.0,
        traffic_total=traffic_total, traffic_affected=traffic,
        traffic_share=round(traffic / traffic_total, 6) if traffic_total else 0.0,
        integrations_affected=len(integrations), flags=flags,
        details={"with_data": True, "customers_by_severity": worst_severity_counts(by_severity),
                 "customer_ids": affected,
                 "by_document": {p.spec.key: {"customers_affected": p.report.impact.customers_affected,
                                              "revenue_affected": p.report.impact.revenue_affected}
                                 for p in parts if p.report.impact is not None},
                 **{k: v for t in totals for k, v in t.details.items() if k == "bills"},
                 **flag_details},
    )
    customers = []
    for cid in affected:
        known = table.customers.get(cid) if table is not None else None
        entity = entities.get(cid)
        before, after = bills.get(cid, (None, None))
        customers.append(ReleaseCustomer(
            id=cid, name=known.name if known else entity.name if entity else None,
            plan=known.plan if known else entity.plan if entity else None,
            segment=known.segment if known else entity.segment if entity else None,
            revenue=round(revenue_of.get(cid, 0.0), 2), traffic=sum(broken.get(cid, {}).values()),
            bill_before=before, bill_after=after, severity=worst[cid].value, reasons=reasons[cid]))
    customers.sort(key=lambda c: (-Severity(c.severity).rank, -c.revenue, c.id))
    return merged, customers


def _customer_table(release: ReleaseFile) -> Any:
    path = release.impact.get("customers")
    if path is None:
        return None
    from ..impact.customers import load_customers

    return load_customers(path)


def _bills(release: ReleaseFile, parts: list[_Part]) -> dict[str, tuple[float | None, float | None]]:
    """Each customer's monthly bill before and after the release's pricing change."""
    path = release.impact.get("customers")
    pricing = next((p for p in parts if p.spec.kind is DocumentKind.PRICING), None)
    if path is None or pricing is None:
        return {}
    from ..diff.pricing_context import comparison_of
    from ..impact.bill_customers import load_bill_customers
    from ..impact.bills import compute_bills

    comparison = comparison_of(pricing.base, pricing.revision)  # the diff's plan matching
    try:
        customers, _ = load_bill_customers(path, comparison.base, comparison.revision)
    except InputError:
        return {}  # the pricing part already said what the file lacks
    return {row.customer.id: (row.before.amount, row.after.amount if row.after is not None else None)
            for row in compute_bills(comparison, customers)}
