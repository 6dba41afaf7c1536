"""Load: one loader per document kind, each returning a normalised Document."""

from __future__ import annotations

import importlib
import os
from typing import Any, Protocol

from ..errors import InputError
from ..model import DocumentKind
from .document import Document, parse_structured
from .sources import Source, read_source

__all__ = ["Document", "Source", "detect_kind", "load_document", "read_source"]


class _Loader(Protocol):
    def __call__(self, source: Any, **options: Any) -> Document: ...


_LOADERS = {
    DocumentKind.OPENAPI: "trustguard.load.openapi:load_openapi",
    DocumentKind.PRICING: "trustguard.load.pricing:load_pricing",
    DocumentKind.TERMS: "trustguard.load.terms:load_terms",
}

_TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".text")


def _loader(kind: DocumentKind) -> _Loader:
    module, _, name = _LOADERS[kind].partition(":")
    fn: _Loader = getattr(importlib.import_module(module), name)
    return fn


def detect_kind(source: Source) -> DocumentKind:
    """Recognise the document kind by content (the file name only breaks ties)."""
    lower = source.name.lower()
    if lower.endswith(_TEXT_SUFFIXES):
        return DocumentKind.TERMS
    head = source.raw[:4096].lstrip()
    if head[:1] in (b"{", b"[") or lower.endswith((".yaml", ".yml", ".json")):
        try:
            data, _ = parse_structured(source)
        except InputError:
            if lower.endswith((".yaml", ".yml", ".json")):
                raise
            return DocumentKind.TERMS
        return _kind_of_data(data, source.name)
    text = head.decode("utf-8", "replace")
    if any(line.startswith(("openapi:", "swagger:", '"openapi"', "syntaxVersion:", "saasName:")) for line in text.splitlines()):
        data, _ = parse_structured(source)
        return _kind_of_data(data, source.name)
    return DocumentKind.TERMS


def _kind_of_data(data: Any, name: str) -> DocumentKind:
    if isinstance(data, dict):
        if "openapi" in data or "swagger" in data:
            return DocumentKind.OPENAPI
        if "syntaxVersion" in data or "plans" in data or "saasName" in data:
            return DocumentKind.PRICING
    raise InputError(
        "cannot tell what this document is: expected an OpenAPI spec ('openapi' or 'swagger' key), "
        "a Pricing2Yaml pricing ('syntaxVersion' / 'plans') or a terms text (.md, .txt, .html); "
        "pass --kind to say",
        file=name,
        place="/",
    )


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
            raise InputError(f"unknown document kind {kind!r} (expected openapi, pricing or terms)") from None
    if isinstance(source, dict):
        kind = kind or _kind_of_data(source, options.get("name") or "<dict>")
        return _loader(kind)(source, **options)
    if not isinstance(source, Source):
        source = read_source(source, allow_outside=bool(options.get("allow_external_refs")))
    if kind is None:
        kind = detect_kind(source)
    return _loader(kind)(source, **options)
