"""Diff: two Documents of one kind in, typed Changes out. Diff reports facts; it never judges."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import InputError
from ..load.document import Document
from ..model import Change, DocumentKind

_DIFFERS = {
    DocumentKind.OPENAPI: "trustguard.diff.openapi:diff_openapi",
    DocumentKind.PRICING: "trustguard.diff.pricing:diff_pricing",
    DocumentKind.TERMS: "trustguard.diff.terms:diff_terms",
    DocumentKind.SLA: "trustguard.diff.sla_hooks:diff_sla",
}


def diff_documents(base: Document, revision: Document, **options: Any) -> list[Change]:
    if base.kind is not revision.kind:
        raise InputError(
            f"cannot compare a {base.kind.value} document with a {revision.kind.value} document",
            file=revision.name,
        )
    module, _, name = _DIFFERS[base.kind].partition(":")
    differ = getattr(importlib.import_module(module), name)
    changes: list[Change] = differ(base, revision, **options)
    return sorted(changes, key=Change.sort_key)
