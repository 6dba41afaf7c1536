"""The public Python API. It never prints and never exits; bad input raises InputError."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from . import __version__
from ._record import handed_out
from ._runtime import leave_to_exit, no_gc_pauses
from .classify.engine import Engine
from .classify.policy import apply_waivers, check_rule_ids, filter_paths, verdict
from .classify.rulepack import Rule, load_rules, rule_documents
from .config import (
    STABILITY_RANK,
    Config,
    default_config,
    load_config,
    load_config_at,
    merge_options,
)
from .diff import diff_documents
from .errors import InputError, TrustguardError, guarded
from .kinds import kind_spec
from .load import Document, load_document
from .load.detect import UnknownKindError, detect_kind, kind_of_data, sniff_kind
from .load.sources import Source as RawSource
from .load.sources import read_source
from .model import (
    Change,
    DocumentKind,
    Finding,
    ImpactTotals,
    Report,
    ReportRule,
    SourcePosition,
    Summary,
)

Source = str | os.PathLike[str] | dict[str, Any] | Document


ConfigSource = Config | str | os.PathLike[str]
POLICY_DOCUMENT = "policy"  # the rules about the config itself (rules/policy/)


def _config(config: ConfigSource | None, options: dict[str, Any]) -> Config:
    return _config_and_rules(config, options)[0]


def _config_and_rules(config: ConfigSource | None, options: dict[str, Any]) -> tuple[Config, list[Rule]]:
    """The policy, checked against the rules it brings (a rule id it names must exist)."""
    cfg = merge_options(_loaded(config), **options)
    rules = load_rules(cfg.rule_packs)
    check_rule_ids(cfg, {r.id for r in rules})
    return cfg, rules


def _loaded(config: ConfigSource | None) -> Config:
    if isinstance(config, Config):
        return config
    return default_config() if config is None else load_config(Path(config))


@dataclass
class _Policy:
    config: Config
    rules: list[Rule]  # every rule in force, of every document kind
    weakened: list[Change]  # policy.weakened changes (with a trusted config)
    notes: list[str]  # warnings about the policy


def _policy(config: ConfigSource | None, trusted: ConfigSource | None, options: dict[str, Any]) -> _Policy:
    """The policy in force, the changes that weaken it, and warnings about it.

    With ``trusted`` (a Config, a file or ``REV:path``) the policy is the trusted one plus
    ``options``; ``config`` (the pull request's; None: nothing to compare) is only compared
    with it, and none of its settings apply. Without it, ``config`` is the policy, and its
    settings that turn the gate off wholesale are warned about."""
    from .classify.weakening import visible_weakenings, weakening_changes, weakenings

    if trusted is None:
        cfg, rules = _config_and_rules(config, options)
        return _Policy(cfg, rules, [], visible_weakenings(cfg, rules))
    base = trusted if isinstance(trusted, Config) else load_config_at(
        trusted if isinstance(trusted, str) else Path(trusted))
    cfg, rules = _config_and_rules(base, options)
    if config is None:
        return _Policy(cfg, rules, [], [])
    candidate, candidate_rules = _config_and_rules(config, {})  # its mistakes are errors too
    found = weakenings(cfg, candidate, rules, candidate_rules)
    return _Policy(cfg, rules, weakening_changes(found, candidate), [])


def _policy_findings(policy: _Policy, revision: str) -> list[Finding]:
    if not policy.weakened:
        return []
    cfg = policy.config
    rules = [r for r in policy.rules if r.document == POLICY_DOCUMENT]
    findings = Engine(rules, cfg.severity, engine_options(cfg)).classify(policy.weakened)
    for finding in findings:
        place = _config_place(finding.facts.get("config"), finding.facts.get("line"), revision)
        finding.change = finding.change.model_copy(update={"source": place})
    return findings


def _config_place(config: Any, line: Any, revision: str) -> SourcePosition | None:
    """Where a policy finding sits: the config file, named as the reports name a file
    beside the revision (relative to its folder), so that SARIF and annotations point at
    the config's line rather than at the spec."""
    from .config_files import split_git_spec

    if not isinstance(config, str) or not isinstance(line, int) or split_git_spec(config) or revision == "<stdin>":
        return None
    git = split_git_spec(revision)
    # a REV:path revision is read from the repository at the working directory
    folder = Path.cwd() / git[1] if git else Path(revision).resolve()
    return SourcePosition(file=os.path.relpath(Path(config).resolve(), folder.parent).replace(os.sep, "/"), line=line)


@guarded
def load(
    source: Source,
    *,
    kind: DocumentKind | str | None = None,
    validate: bool = False,
    strict: bool = False,
    allow_external_refs: bool = False,
) -> Document:
    """Load one document (an OpenAPI spec, a pricing or a terms text)."""
    return _load(source, kind, validate, strict, allow_external_refs)


def _load(
    source: Source | RawSource, kind: DocumentKind | str | None, validate: bool, strict: bool, allow_external_refs: bool,
    like: Document | None = None,
) -> Document:
    resolved = _kind(kind)
    given: dict[str, Any] = {"validate": validate, "strict": strict, "allow_external_refs": allow_external_refs}
    if like is not None and resolved is not None and not isinstance(source, (dict, Document)):
        given["like"] = like  # the base of a pair: what is unchanged is not checked twice

    def options(of: DocumentKind | None) -> dict[str, Any]:
        # what the kind's loader takes (its declaration's load_options); a dict refers to
        # no other file; a dict of no named kind goes to the loader its content names
        if of is None:
            return {"validate": validate, "strict": strict}
        taken = kind_spec(of).load_options - ({"allow_external_refs"} if isinstance(source, dict) else set())
        return {k: v for k, v in given.items() if k in taken}

    if isinstance(source, (dict, Document)):
        return load_document(source, resolved, **options(resolved))
    if resolved is None:
        src = source if isinstance(source, RawSource) else read_source(source, allow_outside=allow_external_refs)
        detected = detect_kind(src)
        return load_document(src, detected, **options(detected))
    return load_document(source, resolved, **options(resolved))


def _kind(kind: DocumentKind | str | None) -> DocumentKind | None:
    if kind is None or isinstance(kind, DocumentKind):
        return kind
    return kind_spec(kind).kind


def _load_pair(
    base: Source, revision: Source, kind: DocumentKind | str | None, cfg: Config, validate: bool, strict: bool
) -> tuple[Document, Document]:
    if _is_stdin(base) and _is_stdin(revision):
        raise InputError("the base and the revision cannot both be '-': standard input can be read only once",
                         file="<stdin>")
    refs = cfg.allow_external_refs
    forced = _kind(kind)
    if forced is not None:  # --kind: both sides are read as that kind, whatever they look like
        base_doc = _load(base, forced, validate, strict, refs)
        return base_doc, _load(revision, forced, validate, strict, refs, like=base_doc)
    base_in = _read(base, refs)
    try:
        base_kind = _kind_of(base_in)
    except UnknownKindError as exc:
        raise _with_other_side(exc, revision, refs) from None
    rev_in = _read(revision, refs)
    try:
        # a spec or pricing that says so at its top is not parsed here: its loader parses it
        # once, against the base
        rev_kind = _sniffed(rev_in) if base_kind is not DocumentKind.TERMS else None
        rev_kind = rev_kind if rev_kind is base_kind else _kind_of(rev_in)
    except UnknownKindError as exc:
        if not exc.parsed or base_kind is DocumentKind.TERMS:
            raise
        # JSON or YAML that is neither kind: the base's loader says what it lacks
        rev_kind = base_kind
    if rev_kind is not base_kind:
        raise InputError(
            f"the base and the revision are different kinds of document: the base {_name(base_in)} is "
            f"{kind_spec(base_kind).title}, the revision {_name(rev_in)} is {kind_spec(rev_kind).title}; compare two "
            f"versions of one document (or pass --kind to read both as one kind)"
        )
    base_doc = _load(base_in, base_kind, validate, strict, refs)
    return base_doc, _load(rev_in, base_kind, validate, strict, refs, like=base_doc)


def _read(source: Source, allow_external_refs: bool) -> Source | RawSource:
    """The bytes of a path, ``-`` or ``REV:path`` (dicts and Documents are already read)."""
    if isinstance(source, (dict, Document)):
        return source
    return read_source(source, allow_outside=allow_external_refs)


def _kind_of(source: Source | RawSource) -> DocumentKind:
    if isinstance(source, Document):
        return source.kind
    if isinstance(source, dict):
        return kind_of_data(source, str(source.get("name") or "<dict>"))
    if isinstance(source, RawSource):
        return detect_kind(source)
    raise InputError(f"cannot read {source!r}")  # _read gave every other source its bytes


def _sniffed(source: Source | RawSource) -> DocumentKind | None:
    return sniff_kind(source) if isinstance(source, RawSource) else None


def _name(source: Source | RawSource) -> str:
    if isinstance(source, (Document, RawSource)):
        return source.name
    if isinstance(source, dict):
        return str(source.get("name") or "<dict>")
    return os.fspath(source)


def _with_other_side(exc: UnknownKindError, revision: Source, refs: bool) -> UnknownKindError:
    """The base's error, saying what the revision is when that is known (a pair of a
    CSV and a spec is most likely two arguments given in the wrong place)."""
    try:
        other = _read(revision, refs)
        kind = _kind_of(other)
    except TrustguardError:
        return exc
    return UnknownKindError(f"{exc.message} (the revision {_name(other)} is {kind_spec(kind).title})",
                            file=exc.file, place=exc.place, parsed=exc.parsed)


def _is_stdin(source: Source) -> bool:
    return isinstance(source, (str, os.PathLike)) and os.fspath(source) == "-"


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _handed_out(records: Callable[_P, _T], name: str) -> Callable[_P, _T]:
    """The API's function ``name`` for ``records`` (what the CLI calls: it builds plain
    records, and never imports pydantic): the same, with the records in its result made
    their public models (``_record`` says why), and guarded as every public function."""
    return guarded(handed_out(records, name))


def diff_records(
    base: Source,
    revision: Source,
    *,
    kind: DocumentKind | str | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    validate: bool = False,
    strict: bool = False,
    **options: Any,
) -> list[Change]:
    """Every change between two versions, unjudged."""
    cfg = _config(config, options)
    with no_gc_pauses():
        return _diff(base, revision, kind, cfg, validate, strict)


diff = _handed_out(diff_records, "diff")


def _diff(base: Source, revision: Source, kind: DocumentKind | str | None, cfg: Config,
          validate: bool, strict: bool) -> list[Change]:
    # Its own frame, so that both documents are freed before the collector is back.
    base_doc, rev_doc = _load_pair(base, revision, kind, cfg, validate, strict)
    return diff_documents(base_doc, rev_doc, today=cfg.effective_today(), config=cfg)


@guarded
def rules_for(kind: DocumentKind | str | None = None, rule_packs: list[str] | None = None) -> list[Rule]:
    """The rules in force (the shipped packs and ``rule_packs``), of one kind or all;
    ``kind`` is ``"openapi"``, ``"pricing"``, ``"terms"`` or a DocumentKind."""
    resolved = _kind(kind)
    rules = load_rules(rule_packs)
    if resolved is not None:
        rules = [r for r in rules if r.document == resolved.value]
    return sorted(rules, key=lambda r: (r.document, r.pack.rsplit("/", 1)[-1], r.id))


def engine_options(cfg: Config) -> dict[str, Any]:
    options: dict[str, Any] = {
        "deprecation_days_stable": cfg.deprecation_days_stable,
        "deprecation_days_beta": cfg.deprecation_days_beta,
        "stability_level": cfg.stability_level,
        "stability_rank": STABILITY_RANK[cfg.stability_level],
        "today": cfg.effective_today().isoformat(),
    }
    for kind, values in cfg.kind_options().items():  # rules read them as $<kind>_<option>
        for key, value in values.items():
            options[f"{kind}_{key}"] = value
    return options


def classify(changes: list[Change], kind: DocumentKind | str, cfg: Config) -> list[Finding]:
    """Judge changes with the rules of ``kind`` and the policy's overrides."""
    kind = _kind(kind) or DocumentKind.OPENAPI
    # with the rules of the documents that judge its changes too (service levels: rules/sla)
    judging = [rule for document in rule_documents(kind.value) for rule in rules_for(document, cfg.rule_packs)]
    engine = Engine(judging, cfg.severity, engine_options(cfg))
    return engine.classify(changes)


def check_records(
    base: Source,
    revision: Source,
    *,
    kind: DocumentKind | str | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    validate: bool = False,
    strict: bool = False,
    include_changes: bool = False,
    customers: str | os.PathLike[str] | None = None,
    usage: str | os.PathLike[str] | None = None,
    integrations: str | os.PathLike[str] | None = None,
    contracts: str | os.PathLike[str] | None = None,
    trusted_config: Config | str | os.PathLike[str] | None = None,
    notices: bool | None = None,
    usage_format: str | None = None,
    customer_from: str | None = None,
    usage_summary: str | os.PathLike[str] | None = None,
    replay: str | os.PathLike[str] | None = None,
    graph_out: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Report:
    """Diff, classify, weigh the impact and give a verdict against the policy.

    With impact data, ``Report.notices`` holds a notice draft per affected customer:
    ``notices=None`` drafts them when at most ``customer_notices.max_drafts`` customers
    are affected (one letter each), ``True`` always (one per segment above it), ``False``
    never.

    ``base`` and ``revision`` are paths, ``REV:path`` strings, ``-`` or loaded dicts.
    ``options`` mirror the CLI flags in snake_case (``fail_on="minor"``,
    ``severity={"rule-id": "off"}``, ``deprecation_days_stable=180``, ``waivers=[...]``).
    ``trusted_config`` (a Config, a file or ``REV:path``, e.g. ``"origin/main:trustguard.yaml"``)
    is the policy in force; ``config`` is then only compared with it, and each way it
    weakens the trusted policy is a ``policy-weakened`` finding. ``replay`` (a HAR file or
    JSON lines of request/response pairs) checks recorded calls against the revision;
    ``graph_out`` (``.graphml`` or ``.json``) writes the impact graph (see docs/impact.md).
    """
    inputs: dict[str, Any] = {"customers": customers, "usage": usage, "integrations": integrations,
                              "contracts": contracts}
    if usage_summary is not None:
        inputs["usage_summary"] = usage_summary
    if usage_format is not None or customer_from is not None:  # how to read --usage, not an input
        inputs["usage_read"] = {"format": usage_format, "customer_from": customer_from}
    if replay is not None:
        inputs["replay"] = replay
    if graph_out is not None:
        inputs["graph_out"] = graph_out
    with no_gc_pauses():
        return _check(base, revision, kind, config, validate, strict, include_changes,
                      inputs, options, trusted_config, notices)


check = _handed_out(check_records, "check")


def route_table_of(base: Source, revision: Source, *, kind: DocumentKind | str | None = None) -> Any:
    """The router impact matches request paths with (the revision's templates, then the
    base's): what ``trustguard impact --emit-sql`` writes out as route patterns."""
    from .impact.routes import PathRouter

    cfg = Config()
    base_doc, rev_doc = _load_pair(base, revision, kind, cfg, False, False)
    if base_doc.kind is not DocumentKind.OPENAPI:
        raise InputError("--emit-sql needs two OpenAPI specs (usage is matched to their operations)",
                         file=str(base) if isinstance(base, (str, os.PathLike)) else None)
    return PathRouter.from_specs([rev_doc.data, base_doc.data])


def _check(
    base: Source, revision: Source, kind: DocumentKind | str | None,
    config: ConfigSource | None, validate: bool, strict: bool,
    include_changes: bool, inputs: dict[str, Any], options: dict[str, Any],
    trusted_config: ConfigSource | None = None, notices: bool | None = None,
) -> Report:
    policy = _policy(config, trusted_config, options)
    cfg = policy.config
    base_doc, rev_doc = _load_pair(base, revision, kind, cfg, validate, strict)
    changes = diff_documents(base_doc, rev_doc, today=cfg.effective_today(), config=cfg)
    findings = classify(changes, base_doc.kind, cfg)
    findings = filter_paths(findings, cfg)
    select = kind_spec(base_doc.kind).select  # the kind's own policy (OpenAPI: stability, x- marks)
    if select is not None:
        findings = select(findings, base_doc, rev_doc, cfg)
    warnings = [*base_doc.warnings, *rev_doc.warnings, *policy.notes]
    findings.extend(_policy_findings(policy, rev_doc.name))
    # waivers first: a waiver may hold for some operations of a shared-schema finding,
    # and each part then gets the impact of its own operations
    kind_rules = {r.id for r in policy.rules if r.document in (*rule_documents(base_doc.kind.value), POLICY_DOCUMENT)}
    active, waived, notes = apply_waivers(findings, cfg, kind_rules)
    active.sort(key=Finding.sort_key)
    waived.sort(key=Finding.sort_key)
    if base_doc.kind is DocumentKind.TERMS:
        from .report.terms_redlines import show_redlines_once

        show_redlines_once(active)  # a clause's redline once per report, worst finding first
    totals: ImpactTotals | None = None
    if any(v is not None for v in inputs.values()):
        totals = _impact(base_doc, rev_doc, [*active, *waived], inputs, cfg)
        warnings.extend(totals.warnings)
    warnings.extend(notes)
    result, failing = verdict(active, cfg)
    by_severity: Counter[str] = Counter()
    by_principle: Counter[str] = Counter()
    for f in active:
        by_severity[f.severity.value] += f.weight
        by_principle[f.principle.value] += f.weight
    # Summary, ReportRule and Report from typed values: validating them would build their
    # pydantic schemas, which a run that renders text never needs (model.py)
    summary = Summary.model_construct(
        changes=sum(c.weight for c in changes),
        findings=sum(f.weight for f in active),
        by_severity=dict(sorted(by_severity.items())),
        by_principle=dict(sorted(by_principle.items())),
        waived=sum(f.weight for f in waived),
        failing=failing,
    )
    # validating the Report would also run every finding's validator again
    report = Report.model_construct(
        version=__version__,
        kind=base_doc.kind,
        base=base_doc.name,
        revision=rev_doc.name,
        verdict=result,
        fail_on=cfg.fail_on,
        summary=summary,
        findings=active,
        waived=waived,
        changes=changes if include_changes else None,
        warnings=warnings,
        impact=totals,
        rules=effective_rules([r for r in policy.rules if r.document in (*rule_documents(base_doc.kind.value), POLICY_DOCUMENT)],
                              cfg, [*active, *waived], base_doc.kind),
    )
    affected = totals.customers_affected if totals is not None else 0
    if affected and (notices or (notices is None and affected <= cfg.customer_notices.max_drafts)):
        from .release.notices import draft_report  # a notice per affected customer

        draft_report(report, cfg.customer_notices)
    # A process about to end (the CLI's) does not free, as this returns, the objects that
    # are slow to free: both specs' parsed data and their refs, and the changes (_runtime).
    # Their texts (two blocks of ~8 MB for Stripe's) go at once: rendering reuses that memory.
    leave_to_exit(base_doc.data, rev_doc.data, base_doc.checked, rev_doc.checked, changes)
    return report


def effective_rules(rules: list[Rule], cfg: Config, findings: list[Finding], kind: DocumentKind) -> list[ReportRule]:
    """The rules behind these findings as the run applied them (``rules``: those in force,
    user packs included; ``cfg``: its severity overrides): what every renderer describes
    a rule with."""
    used = {f.rule: f for f in findings}
    engine = Engine(rules, cfg.severity)
    out: dict[str, ReportRule] = {}
    for rule in engine.rules:
        severity = engine.severity_of(rule) if rule.id in used else None
        if severity is None:
            continue
        out[rule.id] = ReportRule.model_construct(
            id=rule.id, title=rule.title.strip(), severity=severity, pack_severity=rule.severity,
            principle=rule.principle, document=rule.document, rationale=rule.rationale.strip(),
            remediation=rule.remediation.strip(), references=list(rule.references),
        )
    for rule_id, f in used.items():  # a finding made outside the engine describes its own rule
        if rule_id not in out:
            out[rule_id] = ReportRule.model_construct(
                id=rule_id, title=f.title, severity=f.severity, pack_severity=f.severity, principle=f.principle,
                document=kind.value, remediation=f.remediation,
                references=list(f.references),
            )
    return [out[rule_id] for rule_id in sorted(out)]


def _impact(
    base: Document, revision: Document, findings: list[Finding], inputs: dict[str, Any], cfg: Config
) -> ImpactTotals:
    hook = kind_spec(base.kind).impact
    if hook is None:
        given = ", ".join(f"--{k}" for k, v in inputs.items() if v is not None)
        raise InputError(f"{kind_spec(base.kind).title} has no impact analysis: drop {given}")
    return hook(base, revision, findings, inputs, cfg)


def release_records(
    file: str | os.PathLike[str],
    *,
    config: Config | str | os.PathLike[str] | None = None,
    validate: bool = False,
    strict: bool = False,
    **options: Any,
) -> Report:
    """Review a release (a release file: its documents, dates, announcement and impact
    data) as one Report: every document's findings, the notice each is owed and given,
    what the announcement leaves out, one verdict and one blast radius
    (``Report.release`` carries the release's summary). ``options`` are ``check``'s."""
    from .release.run import run_release

    with no_gc_pauses():
        return run_release(file, config, options, validate, strict)


release = _handed_out(release_records, "release")
