"""OpenAPI diff (placeholder until the full differ lands)."""

from __future__ import annotations

from typing import Any

from ..load.document import Document
from ..model import Change


def diff_openapi(base: Document, revision: Document, **options: Any) -> list[Change]:
    return []
