"""Load: one loader per document kind (its declaration, trustguard.kinds), each returning a
normalised Document."""

from __future__ import annotations

import os
from typing import Any

from ..kinds import kind_spec
from ..model import DocumentKind
from .detect import detect_kind, kind_of_data
from .document import Document
from .sources import Source, read_source

__all__ = ["Document", "Source", "detect_kind", "load_document", "read_source"]


def load_document(
    source: str | os.PathLike[str] | Source | dict[str, Any] | Document,
    kind: DocumentKind | str | None = None,
    **options: Any,
) -> Document:
    """Load any supported document. ``source`` is a path, ``-``, ``REV:path`` or a dict."""
    if isinstance(source, Document):
        return source
    if kind is not None and not isinstance(kind, DocumentKind):
        kind = kind_spec(kind).kind
    if isinstance(source, dict):
        kind = kind or kind_of_data(source, options.get("name") or "<dict>")
        return kind_spec(kind).load(source, **options)
    if not isinstance(source, Source):
        source = read_source(source, allow_outside=bool(options.get("allow_external_refs")))
    if kind is None:
        kind = detect_kind(source)
    return kind_spec(kind).load(source, **options)
