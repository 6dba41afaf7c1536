"""Does the announcement disclose a finding? Word matching, deterministic and explained.

Each finding is named by a few *slots* -- the things a sentence must mention to disclose
it -- built from what the finding is about, never from the product's name:

- an API field or parameter change: the field (``created_after``, or its words
  ``created after``); an operation-level change (a path removed, a new endpoint): every
  word of the path (``reports daily``), and for a one-word path the method as a verb too;
- a pricing change: the feature, limit, add-on or fee it is about; a change to a plan
  itself (a price rise, a plan retired): the plan and the topic (price, retired...);
  a commercial term: the term (trial, cancellation, renewal...);
- a terms change: the clause topic (the signal's own words, such as ``arbitration``,
  or the measure, such as ``notice``), or the section's heading.

A sentence discloses the finding when it mentions every slot of one of its alternatives
(each slot being satisfied by any of its spellings, and a spelling of several words by
all of them). The first such sentence wins; the report says which words matched. Words
are compared lower-cased, split at ``_ - / . { }`` and case changes, with plural and verb
endings dropped (orders -> order; cancelled, cancelling, cancellation -> cancel). A sentence that only names the product or says "improvements" names no slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import DocumentKind, Finding, Severity
from ..model_release import AnnouncementCheck

Option = tuple[str, ...]  # words that must all appear
Slot = tuple[Option, ...]  # any one option satisfies the slot
Alternative = tuple[Slot, ...]  # every slot must be satisfied

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:[.,]\d+)*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'(*_\[])")
_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+|>\s?)")

# words that name nothing by themselves: a sentence holding only these discloses nothing
_GENERIC = frozenset("""
a an the of to in on at by for from with and or but not no now new old our we you your us it its is are be
been will can may this that these those all any some more less than as into over per each every api apis
v1 v2 v3 version endpoint endpoints field fields property properties parameter parameters request response
plan plans feature features limit limits add addon addons tier tiers term terms service services clause
clauses section change changes changed update updated updates improve improved improvement improvements
added removed large small steep customer customers user users product products day days use used using
content data account accounts agreement our about also has have had does do get gets binding right rights
individual exclusive exclusively
""".split())

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "price": ("price", "pricing", "cost", "costs", "priced", "fee", "fees", "charge", "charges", "charged",
              "pay", "bill", "billed", "increase", "rise", "raise", "up"),
    "retired": ("retire", "retired", "retiring", "remove", "removed", "removing", "discontinue", "discontinued",
                "end", "ending", "ends", "sunset", "gone", "drop", "dropped", "dropping", "longer", "replace",
                "replaced", "replacing", "migrate", "moved", "move"),
    "renamed": ("rename", "renamed", "renaming", "called", "name", "becomes", "become"),
    "cut": ("cut", "cuts", "reduce", "reduced", "reducing", "lower", "lowered", "less", "fewer", "drop",
            "dropped", "down", "shrink", "limit", "limited", "cap", "capped", "now", "only"),
    "cancel": ("cancel", "cancellation", "cancelling", "canceling", "cancelled", "canceled"),
    "delete": ("delete", "deleting", "deleted", "remove", "removing", "removed"),
    "get": ("get", "list", "listing", "read", "reading", "fetch", "fetching", "retrieve", "retrieving", "export",
            "download", "view", "viewing"),
    "post": ("post", "create", "creating", "created", "submit", "submitting", "place", "placing", "add", "adding"),
    "put": ("put", "update", "updating", "replace", "replacing", "edit", "editing", "change", "changing"),
    "patch": ("patch", "update", "updating", "edit", "editing", "change", "changing"),
}
_TERM_WORDS: dict[str, tuple[str, ...]] = {  # pricing.terms.<term>.*: how an announcement says it
    "trial": ("trial",), "cancellation": _SYNONYMS["cancel"], "cancellation_method": _SYNONYMS["cancel"],
    "cancellation_notice": _SYNONYMS["cancel"], "renewal_reminder": ("renewal", "reminder", "renew"),
    "auto_renewal": ("renewal", "renew", "renews"), "price_notice": ("notice",), "commitment": ("commitment",),
}


def stem(word: str) -> str:
    """A word lower-cased with its plural ending dropped (orders -> order, policies -> policy)."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


_VERB_ENDINGS = ("ations", "ation", "ings", "ing", "ed")


def root(word: str) -> str:
    """What a word and its verb forms share, for comparing (cancel, cancelled, cancelling,
    cancellation -> cancel; create, created, creating -> creat; price, pricing -> pric)."""
    w = word
    if len(w) > 5:
        for ending in _VERB_ENDINGS:
            if w.endswith(ending) and len(w) - len(ending) >= 3:
                w = w[: -len(ending)]
                break
    if len(w) >= 5 and w[-1] == w[-2] and w[-1] not in "aeious":
        w = w[:-1]  # cancell -> cancel, shipp -> ship (and install -> instal, the same both ways)
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words_of(text: str) -> list[str]:
    """The stemmed words of a text: identifiers split at case changes and punctuation;
    numbers without trailing zero cents (12.00 -> 12)."""
    out: list[str] = []
    for token in _WORD.findall(text):
        if token[0].isdigit():
            number = token.replace(",", "")
            if "." in number:
                number = number.rstrip("0").rstrip(".")
            out.append(number)
            continue
        for part in _CAMEL.sub(" ", token).split():
            out.append(stem(part))
    return out


def _option(name: str) -> Slot:
    """The spellings of a name: as one word (``created_after``) or its words (``created after``)."""
    joined = re.sub(r"[^a-z0-9]", "", name.lower())
    parts = tuple(w for w in words_of(name) if w not in _GENERIC) or tuple(words_of(name))
    options: list[Option] = []
    if parts:
        options.append(parts)
    if joined and (joined,) not in options and len(parts) > 1:
        options.append((stem(joined),))
    return tuple(options)


def _synonyms(key: str) -> Slot:
    return tuple((w,) for w in dict.fromkeys(stem(w) for w in _SYNONYMS[key]))


def _amounts(*values: Any) -> Slot:
    out: list[Option] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        if (text,) not in out:
            out.append((text,))
    return tuple(out)


@dataclass(frozen=True)
class Wanted:
    """What names a finding: alternatives of slots, and the words shown for them."""

    alternatives: tuple[Alternative, ...]
    shown: tuple[str, ...] = field(default=())


def _wanted(*alternatives: Alternative) -> Wanted:
    kept = tuple(a for a in alternatives if a and all(a))
    shown: list[str] = []
    for alt in kept:
        shown.append(" + ".join("/".join(" ".join(o) for o in slot[:4]) for slot in alt))
    return Wanted(kept, tuple(shown))


def _api(finding: Finding) -> Wanted:
    facts = finding.facts
    name = facts.get("param_name")
    path = facts.get("property_path")
    if not name and isinstance(path, str) and path:
        name = path.rstrip("/").rsplit("/", 1)[-1]
    if not name and finding.subject and "'" in finding.subject:
        name = finding.subject.split("'")[1]
    if name and name not in ("[]", "items"):
        return _wanted((_option(str(name)),))
    operation = finding.operation or ""
    method, _, route = operation.partition(" ")
    segments = [s for s in route.strip("/").split("/") if s and not s.startswith("{")]
    segments = [s for s in segments if not re.fullmatch(r"v\d+(\.\d+)?|api", s, re.IGNORECASE)]
    slots: list[Slot] = [_option(s) for s in segments]
    if len(segments) <= 1 and method.lower() in _SYNONYMS:
        slots.append(_synonyms(method.lower()))
    return _wanted(tuple(slots))


def _pricing(finding: Finding) -> Wanted:
    facts = finding.facts
    plans = [str(p) for p in (facts.get("base_plan"), facts.get("plan")) if isinstance(p, str) and p]
    plan_slot = tuple(o for p in dict.fromkeys(plans) for o in _option(p))
    limit = facts.get("limit")
    if isinstance(limit, str) and limit:
        # a limit's name is often the product's own noun (orders): with the plan, or the new amount
        return _wanted((plan_slot, _option(limit)), (_option(limit), _amounts(finding.after)))
    for key in ("feature", "addon", "fee"):
        value = facts.get(key)
        if isinstance(value, str) and value:
            return _wanted((_option(value),))
    parts = finding.kind.split(".")
    if len(parts) > 2 and parts[1] == "terms":
        spelled = _TERM_WORDS.get(parts[2], tuple(words_of(parts[2])))
        return _wanted((tuple((stem(w),) for w in spelled),))
    if parts[1:2] == ["billing"]:
        period = facts.get("period") or finding.subject or ""
        return _wanted((_option(str(period)),))
    if not plan_slot:
        plan_slot = _option(str(finding.subject or ""))
    kind = finding.kind
    if ".price." in kind or kind.endswith(".price") or "price" in finding.rule:
        topic = _synonyms("price") + _amounts(finding.after)
    elif "renamed" in kind:
        topic = _synonyms("renamed") + _option(str(finding.after or ""))
    elif kind.endswith((".removed", ".retired")) or "retired" in finding.rule or "removed" in finding.rule:
        topic = _synonyms("retired")
    else:
        topic = tuple((w,) for w in words_of(finding.title) if w not in _GENERIC)
    return _wanted((plan_slot, topic))


def _terms(finding: Finding) -> Wanted:
    facts = finding.facts
    topic: list[Option] = []
    for text in (facts.get("signal_title"), facts.get("measure")):
        if isinstance(text, str):
            for w in words_of(text.replace("_days", "").replace("notice_", "notice ")):
                if w not in _GENERIC and len(w) > 2 and (w,) not in topic:
                    topic.append((w,))
    section = facts.get("section")
    if isinstance(section, str):
        for w in words_of(section):
            if w not in _GENERIC and not w.isdigit() and len(w) > 2 and (w,) not in topic:
                topic.append((w,))
    if not topic:
        topic = [(w,) for w in words_of(finding.title) if w not in _GENERIC and len(w) > 2]
    return _wanted((tuple(topic),))


def wanted(finding: Finding, kind: DocumentKind) -> Wanted:
    """The words that name a finding, by the kind of its document."""
    if kind is DocumentKind.OPENAPI:
        return _api(finding)
    if kind is DocumentKind.PRICING:
        return _pricing(finding)
    return _terms(finding)


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    words: frozenset[str]  # the roots of its words
    forms: dict[str, str] = field(default_factory=dict, compare=False)  # root -> the word as written


def _sentence(text: str, line: int) -> Sentence:
    forms: dict[str, str] = {}
    for word in words_of(text):
        forms.setdefault(root(word), word)
    return Sentence(text, line, frozenset(forms), forms)


def sentences(text: str) -> list[Sentence]:
    """The announcement's sentences (a heading, a list item, or a sentence of a paragraph),
    with their line and words. Markdown markup is dropped; code spans keep their text."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.strip().startswith("```"):
            if current:
                blocks.append(current)
            current = []
            continue
        starts_block = bool(_MARKUP.match(line))
        if starts_block and current:
            blocks.append(current)
            current = []
        current.append((number, _MARKUP.sub("", line).strip()))
        if line.lstrip().startswith("#"):
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    out: list[Sentence] = []
    for block in blocks:
        joined = ""
        starts: list[tuple[int, int]] = []
        for number, part in block:
            starts.append((len(joined), number))
            joined += part + " "
        position = 0
        for piece in _SENTENCE_END.split(joined.strip()):
            begin = joined.find(piece, position)
            position = begin + len(piece)
            at = next((n for offset, n in reversed(starts) if offset <= begin), block[0][0])
            clean = piece.replace("**", "").replace("`", "").strip()
            if clean:
                out.append(_sentence(clean, at))
    return out


def _covers(sentence: Sentence, alternative: Alternative) -> list[str] | None:
    matched: list[str] = []
    for slot in alternative:
        option = next((o for o in slot if all(root(w) in sentence.words for w in o)), None)
        if option is None:
            return None
        matched.extend(sentence.forms[root(w)] for w in option if sentence.forms[root(w)] not in matched)
    return matched


def match(finding: Finding, document: str, kind: DocumentKind, found: list[Sentence]) -> AnnouncementCheck:
    """The announcement sentence that discloses a finding, or not announced."""
    want = wanted(finding, kind)
    for sentence in found:
        for alternative in want.alternatives:
            matched = _covers(sentence, alternative)
            if matched is not None:
                return AnnouncementCheck(document=document, fingerprint=finding.fingerprint, rule=finding.rule,
                                         severity=finding.severity.value, announced=True, sentence=sentence.text,
                                         line=sentence.line, matched=matched, wanted=list(want.shown))
    return AnnouncementCheck(document=document, fingerprint=finding.fingerprint, rule=finding.rule,
                             severity=finding.severity.value, announced=False, wanted=list(want.shown))


def material(finding: Finding) -> bool:
    """Findings the announcement must disclose: minor or above."""
    return finding.severity.at_least(Severity.MINOR)
