"""The sla kind: service-level agreements, as a text (Markdown, plain text, HTML) or as
OpenSLO YAML objectives (``apiVersion: openslo/v1``). Its changes (``sla.*``) are judged by
``rules/sla``, which also judge the service levels a pricing or a terms text states."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kinds import DocumentKindSpec

if TYPE_CHECKING:
    from ..config import Config
    from ..load.document import Document
    from ..model import Change, Finding, ImpactTotals


def load(source: Any, **options: Any) -> Document:
    from ..load.sla import load_sla

    return load_sla(source, **options)


def detect(source: Any) -> bool:
    from ..load.sla import looks_like_sla

    return looks_like_sla(source)


def diff(base: Document, revision: Document, **options: Any) -> list[Change]:
    from ..diff.sla_hooks import diff_sla

    return diff_sla(base, revision, **options)


def impact(base: Document, revision: Document, findings: list[Finding], inputs: dict[str, Any],
           cfg: Config) -> ImpactTotals:
    from ..impact.rate_limits import apply_sla_impact

    return apply_sla_impact(base, revision, findings, inputs, cfg)


KIND = DocumentKindSpec(name="sla", title="a service-level agreement (an SLA text or OpenSLO)", load=load,
                        diff=diff, detect=detect, impact=impact, builtin=True)
