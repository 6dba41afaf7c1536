"""The notice each finding of a release is owed, where that number comes from, and
whether the release gives it.

Three sources, each named in the result:

1. What the base documents promise. A promise made to customers binds whatever the
   policy says: the terms' change-notice clause ("at least 30 days' notice of changes to
   these Terms") for the terms' own changes; a price-change notice (the terms' clause or
   the pricing's ``priceChangeNoticeDays``) for price changes; the API's deprecation
   policy (``deprecation_days_stable`` / ``_beta``, the days ``--deprecation-days-*``
   sets) for breaking API changes.
2. The policy (``release.notice`` in the config: days per rule, severity or principle).
3. The defaults of :data:`DEFAULTS`, each with the law or norm it follows
   (docs/release.md lists them).

The notice owed is the largest of the promises and policy settings that apply (ties go to
a document's promise: it is the one a customer can point at); the default only when none
applies. Notice given is the announcement date to the effective date;
when either is missing, notice is unknown: never assumed to be enough.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..load.document import Document
from ..model import DocumentKind, Finding, Principle, Severity
from ..model_release import NoticeCheck, NoticeSource

SCHEDULE_P2B = ("EU P2B Regulation 2019/1150, Art. 3(2): at least 15 days' notice of changes to business users' "
                "terms (https://eur-lex.europa.eu/eli/reg/2019/1150/oj)")
SAAS_PRICE_NORM = ("the SaaS norm for price changes: at least 30 days' notice (GitHub Terms of Service, Cloudflare, "
                   "Google Cloud, AWS Service Terms; Slack 2022 gave 45 days)")
FREE_TIER_NORM = ("free-tier removal norm: at least 90 days (Heroku 2022 gave ~95 days; X/Twitter 2023 gave 8 and "
                  "Docker Free Team 2023 ~30, both reversed or postponed after the backlash)")
GA_API_NORM = ("GA API discontinuation norm: at least 12 months (Google Cloud Terms 1.4(e), AWS Customer Agreement, "
               "Kubernetes deprecation policy for GA APIs)")
BETA_API_NORM = ("beta API norm: at least 90 days (Google AIP-181/185; Kubernetes gives beta APIs 9 months or "
                 "3 releases)")


@dataclass(frozen=True)
class Default:
    """A documented default: the days a kind of finding is owed, and the norm it follows."""

    key: str
    days: int
    what: str
    citation: str


DEFAULTS: tuple[Default, ...] = (
    Default("free-tier", 90, "removing or cutting a free tier", FREE_TIER_NORM),
    Default("price", 30, "a pricing change that costs customers more or gives them less", SAAS_PRICE_NORM),
    Default("terms", 15, "a change to the terms", SCHEDULE_P2B),
    Default("api-stable", 365, "a breaking change to a stable API operation", GA_API_NORM),
    Default("api-beta", 90, "a breaking change to a beta API operation", BETA_API_NORM),
    Default("surprise", 30, "any other change at major or above", SAAS_PRICE_NORM.replace("for price changes",
                                                                                       "for material changes")),
)
_BY_KEY = {d.key: d for d in DEFAULTS}
_FREE_TIER_RULES = ("pricing-free-tier-removed", "pricing-free-tier-cut", "pricing-free-plan-now-paid",
                    "pricing-free-tier-trimmed")


@dataclass(frozen=True)
class Promise:
    """Days of notice a base document promises, and for which findings."""

    days: int
    scope: str  # "terms" (the terms' own changes) or "price" (price changes)
    source: NoticeSource
    plan: str | None = None  # a plan's own promise: for findings about that plan, instead of the pricing's


def _days(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return round(value) if value >= 0 else None


def terms_promises(key: str, base: Document, cfg: Config) -> list[Promise]:
    """The notice periods the base terms promise: of changes to the terms, of price changes.
    Read by the same pattern library that measures them in the terms diff."""
    from ..diff.terms_classify import load_library

    extra = cfg.terms.get("patterns")
    folders = () if extra is None else (extra,) if isinstance(extra, str) else tuple(str(e) for e in extra)
    library = load_library(folders)
    tree = base.data
    found: dict[str, Promise] = {}
    scopes = {"change_notice_days": "terms", "price_notice_days": "price"}
    for _, _, _, paragraph in tree.paragraphs():
        for sentence in paragraph.sentences:
            for hit in library.classify(sentence.plain):
                measure = library.signals[hit.signal].measure
                scope = scopes.get(measure or "")
                days = _days(hit.value)
                if scope is None or days is None or scope in found:
                    continue  # the first statement of a promise is the one quoted
                what = "change-notice clause" if scope == "terms" else "price-change notice clause"
                found[scope] = Promise(days, scope, NoticeSource(
                    kind="document", document=key, file=base.name, line=sentence.line, text=sentence.text.strip(),
                    description=f"the terms' {what} ({base.name}:{sentence.line}): {days} days"))
    return [found[s] for s in sorted(found)]


def pricing_promises(key: str, base: Document) -> list[Promise]:
    """The pricing's promised notice before a price change (``priceChangeNoticeDays``): the
    pricing's, and each plan's own where a plan sets it."""
    from ..load.pricing import pricing_of

    pricing = pricing_of(base)
    out = []
    places: list[tuple[str | None, str, Any]] = [
        (None, "/commercialTerms/priceChangeNoticeDays", pricing.terms.get("priceChangeNoticeDays"))]
    for name in sorted(pricing.plans):
        plan = pricing.plans[name]
        if "priceChangeNoticeDays" in plan.terms_overrides:
            places.append((name, f"/plans/{name}/commercialTerms/priceChangeNoticeDays",
                           plan.terms.get("priceChangeNoticeDays")))
    for plan_name, pointer, value in places:
        days = _days(value)
        if days is None:
            continue
        position = base.position(pointer)
        line = position.line if position is not None else None
        where = f"{base.name}:{line}" if line else base.name
        whose = f"the {plan_name} plan's" if plan_name else "the pricing's"
        out.append(Promise(days, "price", NoticeSource(
            kind="document", document=key, file=base.name, line=line, pointer=pointer,
            text=f"priceChangeNoticeDays: {days}",
            description=f"{whose} promised notice before a price change ({where}): {days} days"), plan_name))
    return out


def _applicable(promises: list[Promise], finding: Finding) -> list[Promise]:
    """A plan's own promise replaces its pricing's for a finding about that plan."""
    facts = finding.facts  # a finding of one issue in several plans lists them (classify.pricing_issues)
    listed = [p for key in ("base_plans", "plans") if isinstance(facts.get(key), list) for p in facts[key]]
    plans = {str(p) for p in (facts.get("plan"), facts.get("base_plan"), *listed) if p}
    own = [p for p in promises if p.plan is not None and p.plan in plans]
    replaced = {p.source.document for p in own}
    return own + [p for p in promises if p.plan is None and not (p.scope == "price" and p.source.document
                                                                   in replaced)]


def _is_price(finding: Finding, kind: DocumentKind) -> bool:
    """A finding a price-change notice covers: a pricing change, or a fee stated in the terms."""
    if kind is DocumentKind.PRICING:
        return True
    return kind is DocumentKind.TERMS and finding.facts.get("category") == "fees"


def _stability(finding: Finding) -> str:
    value = finding.facts.get("stability")
    return value if isinstance(value, str) and value else "stable"  # unmarked operations are stable


def default_for(finding: Finding, kind: DocumentKind) -> Default | None:
    """The documented default a finding is owed (None: no notice is owed by default)."""
    if finding.severity is Severity.INFO:
        return None  # an improvement or a neutral change owes no notice
    if kind is DocumentKind.PRICING:
        return _BY_KEY["free-tier" if finding.rule in _FREE_TIER_RULES else "price"]
    if kind is DocumentKind.TERMS:
        return _BY_KEY["price" if _is_price(finding, kind) else "terms"]
    if finding.principle is Principle.BACKWARD_COMPATIBILITY:
        if not finding.severity.at_least(Severity.MAJOR):
            return None
        stability = _stability(finding)
        if stability == "stable":
            return _BY_KEY["api-stable"]
        return _BY_KEY["api-beta"] if stability == "beta" else None
    return _BY_KEY["surprise"] if finding.severity.at_least(Severity.MAJOR) else None


def _configured(finding: Finding, cfg: Config) -> tuple[int, str] | None:
    notice = cfg.release.notice
    for table, key, name in ((notice.rules, finding.rule, "rules"),
                             (notice.severity, finding.severity.value, "severity"),
                             (notice.principle, finding.principle.value, "principle")):
        if key in table:
            return table[key], f"release.notice.{name}.{key}"
    return None


def _deprecation(finding: Finding, cfg: Config) -> tuple[int, str] | None:
    """The API's deprecation policy, for a change that breaks clients."""
    if finding.principle is not Principle.BACKWARD_COMPATIBILITY or finding.severity is Severity.INFO:
        return None
    stability = _stability(finding)
    if stability == "stable" and cfg.deprecation_days_stable > 0:
        return cfg.deprecation_days_stable, "deprecation_days_stable"
    if stability == "beta" and cfg.deprecation_days_beta > 0:
        return cfg.deprecation_days_beta, "deprecation_days_beta"
    return None


def owed(finding: Finding, kind: DocumentKind, promises: list[Promise],
         cfg: Config) -> tuple[int, NoticeSource] | None:
    """The days of notice a finding is owed and where that comes from, or None."""
    candidates: list[tuple[int, int, NoticeSource]] = []  # (days, preference, source)
    for promise in _applicable(promises, finding):
        applies = (promise.scope == "price" and _is_price(finding, kind)) or (
            promise.scope == "terms" and kind is DocumentKind.TERMS and finding.severity is not Severity.INFO)
        if applies and finding.severity is not Severity.INFO:
            candidates.append((promise.days, 2, promise.source))
    if kind is DocumentKind.OPENAPI:
        policy = _deprecation(finding, cfg)
        if policy is not None:
            days, key = policy
            candidates.append((days, 2, NoticeSource(
                kind="config", config_key=key,
                description=f"the API's deprecation policy ({key}): {days} days")))
    configured = _configured(finding, cfg)
    if configured is not None:
        days, key = configured
        where = f" in {cfg.file}" if cfg.file else ""
        candidates.append((days, 1, NoticeSource(kind="config", config_key=key,
                                                 description=f"the policy's {key}{where}: {days} days")))
    if not candidates:  # nobody said anything: what customers reasonably expect
        default = default_for(finding, kind)
        if default is None:
            return None
        return default.days, NoticeSource(kind="default", citation=default.citation,
                                          description=f"trustguard's default for {default.what}: {default.days} days")
    days, _, source = max(candidates, key=lambda c: (c[0], c[1]))
    return days, source


def check(finding: Finding, document: str, kind: DocumentKind, promises: list[Promise], cfg: Config,
          announced: dt.date | None, effective: dt.date | None) -> NoticeCheck:
    """The notice one finding is owed and given."""
    found = owed(finding, kind, promises, cfg)
    days_owed, source = found if found is not None else (None, None)
    given = (effective - announced).days if announced is not None and effective is not None else None
    if days_owed is None or days_owed == 0:
        status = "ok"
    elif given is None:
        status = "unknown"
    else:
        status = "ok" if given >= days_owed else "short"
    return NoticeCheck(document=document, fingerprint=finding.fingerprint, rule=finding.rule,
                       severity=finding.severity.value, days_owed=days_owed, days_given=given,
                       announced=announced, effective=effective, source=source, status=status)
