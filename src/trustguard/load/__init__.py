"""Load: one loader per document kind, each returning a normalised Document."""

from __future__ import annotations

import importlib
import os
from typing import Any, Protocol

from ..errors import InputError
from ..model import DocumentKind
from .detect import detect_kind, kind_of_data
from .document import Document
from .sources import Source, read_source

__all__ = ["Document", "Source", "detect_kind", "load_document", "read_source"]


class _Loader(Protocol):
    def __call__(self, source: Any, **options: Any) -> Document: ...


_LOADERS = {
    DocumentKind.OPENAPI: "trustguard.load.openapi:load_openapi",
    DocumentKind.PRICING: "trustguard.load.pricing:load_pricing",
    DocumentKind.TERMS: "trustguard.load.terms:load_terms",
    DocumentKind.SLA: "trustguard.load.sla:load_sla",
}


def _loader(kind: DocumentKind) -> _Loader:
    module, _, name = _LOADERS[kind].partition(":")
    fn: _Loader = getattr(importlib.import_module(module), name)
    return fn


def load_document(
    source: str | os.PathLike[str] | Source | dict[str, Any] | Document,
    kind: DocumentKind | str | None = None,
    **options: Any,
) -> Document:
    """Load any supported document. ``source`` is a path, ``-``, ``REV:path`` or a dict."""
    if isinstance(source, Document):
        return source
    if kind is not None and not isinstance(kind, DocumentKind):
        try:
            kind = DocumentKind(str(kind).lower())
        except ValueError:
            raise InputError(f"unknown document kind {kind!r} (expected openapi, pricing, terms or sla)") from None
    if isinstance(source, dict):
        kind = kind or kind_of_data(source, options.get("name") or "<dict>")
        return _loader(kind)(source, **options)
    if not isinstance(source, Source):
        source = read_source(source, allow_outside=bool(options.get("allow_external_refs")))
    if kind is None:
        kind = detect_kind(source)
    return _loader(kind)(source, **options)
