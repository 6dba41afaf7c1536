"""The OpenAPI kind: specs (3.0, 3.1, and Swagger 2.0 converted on load)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kinds import LOAD_OPTIONS, DocumentKindSpec

if TYPE_CHECKING:
    from ..config import Config
    from ..load.document import Document
    from ..model import Change, Finding, ImpactTotals


def load(source: Any, **options: Any) -> Document:
    from ..load.openapi import load_openapi

    return load_openapi(source, **options)


def diff(base: Document, revision: Document, **options: Any) -> list[Change]:
    from ..diff.openapi import diff_openapi

    return diff_openapi(base, revision, **options)


def impact(base: Document, revision: Document, findings: list[Finding], inputs: dict[str, Any],
           cfg: Config) -> ImpactTotals:
    from ..impact import apply_api_impact

    return apply_api_impact(base, revision, findings, inputs, cfg)


def select(findings: list[Finding], base: Document, revision: Document, cfg: Config) -> list[Finding]:
    """Like oasdiff: operations below the checked stability level (draft and alpha by
    default) may change freely, only the stability rules themselves still speak; and the
    operations an excluded ``x-`` extension marks (in either version) are not checked."""
    from ..config import STABILITY_RANK

    lowest = STABILITY_RANK[cfg.stability_level]
    kept = []
    for finding in findings:
        rank = finding.facts.get("stability_rank")
        if isinstance(rank, int) and rank < lowest and not finding.rule.startswith(("api-stability", "api-invalid-stability")):
            continue
        kept.append(finding)
    if not cfg.exclude_extensions:
        return kept
    from ..classify.policy import drop_operations
    from ..diff.openapi import marked_operations
    from ..impact.routes import operation_key

    marked = marked_operations(base, cfg.exclude_extensions) | marked_operations(revision, cfg.exclude_extensions)
    # an operation is the same whatever its path parameters are called
    return drop_operations(kept, {operation_key(op) for op in marked}, operation_key)


KIND = DocumentKindSpec(
    name="openapi", title="an OpenAPI spec", load=load, diff=diff, load_options=LOAD_OPTIONS,
    impact=impact, select=select, builtin=True,
)
