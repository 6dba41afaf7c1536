"""Diff: two Documents of one kind in, typed Changes out. Diff reports facts; it never judges.

Each kind's differ is named by its declaration (trustguard.kinds)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..kinds import kind_spec
from ..load.document import Document
from ..model import Change


def diff_documents(base: Document, revision: Document, **options: Any) -> list[Change]:
    if base.kind is not revision.kind:
        raise InputError(
            f"cannot compare a {base.kind.value} document with a {revision.kind.value} document",
            file=revision.name,
        )
    changes = kind_spec(base.kind).diff(base, revision, **options)
    return sorted(changes, key=Change.sort_key)
