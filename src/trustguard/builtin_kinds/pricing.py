"""The pricing kind: SaaS pricings in Pricing2Yaml (their typed model: ``load.pricing.Pricing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kinds import DocumentKindSpec

if TYPE_CHECKING:
    from ..config import Config
    from ..load.document import Document
    from ..model import Change, Finding, ImpactTotals


def load(source: Any, **options: Any) -> Document:
    from ..load.pricing import load_pricing

    return load_pricing(source, **options)


def diff(base: Document, revision: Document, **options: Any) -> list[Change]:
    from ..diff.pricing import diff_pricing

    return diff_pricing(base, revision, **options)


def impact(base: Document, revision: Document, findings: list[Finding], inputs: dict[str, Any],
           cfg: Config) -> ImpactTotals:
    from ..impact.billing import apply_bill_impact
    from ..impact.rate_limits import apply_rate_limits
    from ..model import ImpactTotals

    if inputs.get("customers") is None and inputs.get("usage") is not None:
        totals = ImpactTotals()  # a usage log alone: only the rate limits can be weighed
    else:
        totals = apply_bill_impact(base, revision, findings, inputs, cfg)
    apply_rate_limits(findings, inputs, totals, cfg)  # the customers over a new rate limit
    return totals


def select(findings: list[Finding], base: Document, revision: Document, cfg: Config) -> list[Finding]:
    """One finding per issue: the same judged change in many plans is one finding listing
    its plans (see classify.pricing_issues)."""
    from ..classify.pricing_issues import group_issues

    return group_issues(findings)


KIND = DocumentKindSpec(name="pricing", title="a pricing (Pricing2Yaml)", load=load, diff=diff, impact=impact,
                        select=select, builtin=True)
