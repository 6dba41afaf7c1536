"""Which feature and usage limit of the revision is which of the base, renames included,
and limit values on one scale."""

from __future__ import annotations

import math
from typing import Any


def norm_text(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def match_catalogue(
    base: dict[str, Any], revision: dict[str, Any], key: Any
) -> dict[str, str]:
    """Base name -> revision name for catalogue entries (features or limits), renames included.

    A renamed entry is recognised by a case-insensitive name or an identical description.
    """
    out = {n: n for n in base if n in revision}
    gone = sorted(n for n in base if n not in revision)
    new = sorted(n for n in revision if n not in base)
    by_sig: dict[tuple[Any, ...], list[str]] = {}
    for n in new:
        by_sig.setdefault(("name", n.lower()), []).append(n)
        sig = key(revision[n])
        if sig is not None:
            by_sig.setdefault(sig, []).append(n)
    taken: set[str] = set()
    for n in gone:
        for sig in (("name", n.lower()), key(base[n])):
            if sig is None:
                continue
            candidates = [c for c in by_sig.get(sig, []) if c not in taken]
            if len(candidates) == 1:
                out[n] = candidates[0]
                taken.add(candidates[0])
                break
    return out


def feature_sig(spec: Any) -> tuple[Any, ...] | None:
    text = norm_text(spec.description)
    return ("desc", spec.value_type, text) if len(text) >= 12 else None


def limit_sig(spec: Any) -> tuple[Any, ...] | None:
    text = norm_text(spec.description)
    return ("desc", spec.value_type, norm_text(spec.unit), text) if len(text) >= 12 else None


def as_level(value: Any) -> float:
    """A limit value on one scale, so a cut is a decrease whatever its type."""
    if value is None:
        return math.inf  # no limit declared: not limited
    if isinstance(value, bool):
        return math.inf if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return math.inf

