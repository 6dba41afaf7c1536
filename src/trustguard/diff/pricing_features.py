"""Which feature and usage limit of the revision is which of the base, renames included,
and limit values on one scale."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any


def norm_text(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def match_catalogue(
    base: dict[str, Any],
    revision: dict[str, Any],
    key: Any,
    values: tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]] | None = None,
) -> dict[str, str]:
    """Base name -> revision name for catalogue entries (features or limits), renames included.

    A renamed entry is recognised by a case-insensitive name or an identical description,
    then by similarity (:func:`similar_entries`): a close name (or description) *and* the
    same values in the matched plans. ``values`` gives, per entry name, its value in each
    matched plan (the same plan order on both sides).
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
    if values is not None:
        left = [n for n in gone if n not in out]
        right = [n for n in new if n not in taken]
        out.update(similar_entries(left, right, base, revision, values))
    return out


# Words that say what kind of entry a name is, not which: "maxProjects" and "projectsLimit"
# name the same limit. "min" is not one of them: a minimum is the opposite of a cap.
_FILLER = frozenset({
    "a", "an", "and", "by", "for", "in", "of", "on", "the", "to", "with", "your",
    "max", "maximum", "limit", "limits", "number", "num", "total", "amount", "count",
})
RENAME_MIN_NAME = 0.6  # name similarity a rename needs (description similarity: RENAME_MIN_DESCRIPTION)
RENAME_MIN_DESCRIPTION = 0.8
RENAME_MIN_VALUES = 0.5  # share of the matched plans where both entries have the same value
RENAME_MIN_SCORE = 0.65
RENAME_SURE_NAME = 0.9  # "maxProjects" -> "projectsLimit": renamed even if its values moved too


def name_words(name: str) -> frozenset[str]:
    """The words of an entry name (camelCase, snake_case and kebab-case split), singular."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Za-z])([0-9])", r"\1 \2", spaced)
    words = (w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w)
    return frozenset(_singular(w) for w in words if w not in _FILLER)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def name_similarity(a: str, b: str) -> float:
    """0..1: shared words, or one spelling of nearly the same letters ("syncAccross" and
    "syncAcross" are one name misspelt)."""
    wa, wb = name_words(a), name_words(b)
    words = _jaccard(wa, wb)
    letters = difflib.SequenceMatcher(None, "".join(sorted(wa)), "".join(sorted(wb))).ratio()
    return max(words, letters if letters >= 0.9 else 0.0)


# Words that make the new name a lesser offer than the old one: "apiAccess" ->
# "apiAccessLimited" or "advancedReports" -> "reports" is a cut to judge, never a rename.
_LESSER = frozenset({"limited", "basic", "lite", "light", "partial", "read", "readonly", "restricted", "trial",
                     "starter", "essential", "capped", "view", "viewonly"})
_GREATER = frozenset({"advanced", "premium", "pro", "unlimited", "full", "enterprise", "plus", "priority",
                      "custom", "dedicated", "ultimate"})


def lesser_name(old: str, new: str) -> bool:
    """Whether ``new`` names less than ``old``: a limiting word added or a grading word gone."""
    wo, wn = name_words(old), name_words(new)
    return bool((wn - wo) & _LESSER or (wo - wn) & _GREATER)


def _text_similarity(a: str, b: str) -> float | None:
    wa, wb = frozenset(norm_text(a).split()), frozenset(norm_text(b).split())
    if len(wa) < 3 or len(wb) < 3:
        return None  # too short to say anything
    return _jaccard(wa, wb)


def similar_entries(
    gone: list[str],
    new: list[str],
    base: dict[str, Any],
    revision: dict[str, Any],
    values: tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]],
) -> dict[str, str]:
    """Renames among entries left unmatched by name and description, by similarity.

    A pair needs a close name or description *and* the same value in at least half the
    matched plans: a genuinely removed feature and an unrelated new one share neither, and
    stay a removal and an addition."""
    scored: list[tuple[float, str, str]] = []
    systematic = _systematic_affixes(gone, new)
    for b in gone:
        for r in new:
            sb, sr = base[b], revision[r]
            if sb.value_type != sr.value_type or lesser_name(b, r):
                continue
            name = name_similarity(b, r)
            if _affix(b, r) in systematic:
                name = 1.0  # "sso" -> "featureSso" when every entry gained "feature"
            text = _text_similarity(sb.description, sr.description)
            vb, vr = values[0].get(b, ()), values[1].get(r, ())
            same = sum(1 for x, y in zip(vb, vr, strict=False) if x == y) / len(vb) if vb and len(vb) == len(vr) else 0.0
            if same < RENAME_MIN_VALUES and name < RENAME_SURE_NAME:
                continue  # only a name that says the same may come with other values
            if name < RENAME_MIN_NAME and (text is None or text < RENAME_MIN_DESCRIPTION):
                continue
            score = 0.55 * name + 0.2 * (name if text is None else text) + 0.25 * same
            if score >= RENAME_MIN_SCORE or (text is not None and text >= RENAME_MIN_DESCRIPTION):
                scored.append((round(score, 4), b, r))
    out: dict[str, str] = {}
    used: set[str] = set()
    for _score, b, r in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if b not in out and r not in used:
            out[b] = r
            used.add(r)
    return out


SYSTEMATIC_MIN = 3  # pairs sharing one added or dropped word that make a catalogue-wide rename


def _affix(old: str, new: str) -> tuple[str, frozenset[str]] | None:
    """The words one name adds to (or drops from) the other, when it keeps all the rest."""
    wo, wn = name_words(old), name_words(new)
    if wo and wn and wo < wn:
        return ("added", wn - wo)
    if wo and wn and wn < wo:
        return ("dropped", wo - wn)
    return None


def _systematic_affixes(gone: list[str], new: list[str]) -> set[tuple[str, frozenset[str]]]:
    """Words added to (or dropped from) many names at once: a catalogue renamed by rule
    ("sso" -> "featureSso", "api" -> "featureApi"...), where each name alone looks half alike."""
    seen: dict[tuple[str, frozenset[str]], set[str]] = {}
    for b in gone:
        for r in new:
            affix = _affix(b, r)
            if affix is not None:
                seen.setdefault(affix, set()).add(b)
    return {affix for affix, olds in seen.items() if len(olds) >= SYSTEMATIC_MIN}


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


_MINIMUM_TEXT = re.compile(r"^\s*(?:the\s+)?(?:minimum|at least)\b", re.IGNORECASE)


def is_minimum(name: str, description: str = "") -> bool:
    """Whether a usage limit is a minimum purchase ("minLicenses", "Minimum number of
    seats") rather than a cap."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = {w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w}
    return bool(words & {"min", "minimum"}) or bool(_MINIMUM_TEXT.search(description or ""))


def minimum_level(value: Any) -> float:
    """A minimum on one scale: none declared (or unlimited, or false) is no minimum, 0."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, (int, float)) and not math.isinf(value):
        return float(value)
    return 0.0

