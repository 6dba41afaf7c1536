"""The terms kind: terms of service in Markdown, plain text or HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kinds import DocumentKindSpec

if TYPE_CHECKING:
    from ..config import Config
    from ..load.document import Document
    from ..model import Change, Finding, ImpactTotals


def load(source: Any, **options: Any) -> Document:
    from ..load.terms import load_terms

    return load_terms(source, **options)


def diff(base: Document, revision: Document, **options: Any) -> list[Change]:
    from ..diff.terms import diff_terms

    return diff_terms(base, revision, **options)


def impact(base: Document, revision: Document, findings: list[Finding], inputs: dict[str, Any],
           cfg: Config) -> ImpactTotals:
    from ..impact import apply_terms_impact
    from ..impact.rate_limits import apply_rate_limits

    totals = apply_terms_impact(base, revision, findings, inputs, cfg)
    apply_rate_limits(findings, inputs, totals, cfg)  # the customers over a new rate limit
    return totals


KIND = DocumentKindSpec(name="terms", title="a terms text", load=load, diff=diff, impact=impact, builtin=True)
