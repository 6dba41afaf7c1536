"""Recognising what a document is -- an OpenAPI spec, a pricing or a terms text -- by content.

Structured input (JSON/YAML) is a spec when it has an ``openapi``/``swagger`` key and a
pricing when it has ``syntaxVersion``/``plans``/``saasName``; any other JSON or YAML is
none of the kinds. Text is a terms text only when it reads like one, because the terms
loader takes any text and a README, a CSV or JSON lines would otherwise "pass" as terms
with nothing in them to judge. How text is judged (:func:`text_profile`):

* The text (HTML with its tags removed) is cut into blocks: paragraphs between blank
  lines, fenced code blocks, table rows (``|``), record lines (a line that is a JSON value),
  headings and rules. Headings and rules count for nothing either way.
* A paragraph is **prose** when at least two of its tokens are words and words are at
  least 60 % of its tokens (inline code spans do not count as words): ``c001,Globex,pro,18000``
  or ``trustguard check a.yaml b.yaml`` are not prose.
* **Prose share** = characters of prose / characters of every counted block. Every real
  terms text of the corpus (21 versions of six services) and every terms fixture is 96-100 %
  prose; this project's README is 45 % and its docs 18-91 %.
* **Legal vocabulary** = words such as *agree, terms, liability, warranty, terminate,
  govern, arbitration, rights, notice, fees, you, we, our* per prose word: 13-34 % in the
  terms texts and fixtures, at most 3 % in this project's README and docs.

An SLA is OpenSLO YAML (``apiVersion: openslo/...``) or a text whose first line, its title,
names a service level agreement ("Acme API Service Level Agreement", "# SLA").

A text is terms when its prose share is at least 60 % and its legal vocabulary at least
5 %. A short text (under 1,500 counted characters, some 200 words) need not use those
words, nor write sentences (``1. Price: $10/month``): it is terms unless code blocks,
tables and JSON lines make half of it. A file of comma-, tab- or semicolon-separated rows (three in four of the
same width, few ending like a sentence) is a CSV, and one made mostly of JSON lines is
JSON lines, whatever their prose. ``--kind`` overrides all of this.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..kinds import kind_spec, kind_specs
from ..model import DocumentKind
from ..parsing.text import decode_text
from .document import parse_structured
from .sla import is_openslo_source, opens_as_sla
from .sources import Source

__all__ = ["KIND_NAMES", "UnknownKindError", "detect_kind", "kind_of_data", "sniff_kind", "text_profile"]


class _KindNames(Mapping[DocumentKind, str]):
    """How an error names a document of each kind ("an OpenAPI spec"): its declaration's
    title (trustguard.kinds), plug-in kinds included."""

    def __getitem__(self, kind: DocumentKind) -> str:
        return kind_spec(kind).title

    def __iter__(self) -> Iterator[DocumentKind]:
        return (spec.kind for spec in kind_specs())

    def __len__(self) -> int:
        return len(kind_specs())


KIND_NAMES: Mapping[DocumentKind, str] = _KindNames()

_STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")
_TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm")
_HEAD_KEYS = ("openapi:", "swagger:", '"openapi"', '"swagger"', "syntaxVersion:", "saasName:")
_EXPECTED = (
    "expected an OpenAPI spec ('openapi' or 'swagger' key), a Pricing2Yaml pricing ('syntaxVersion' "
    "or 'plans') or a terms text (prose in Markdown, plain text or HTML); pass --kind to say which it is"
)

#: thresholds of the text heuristic (see the module docstring for the measurements)
MIN_PROSE_SHARE = 0.6
MIN_LEGAL_SHARE = 0.05
SHORT_TEXT_CHARS = 1500
#: how much of a text is read to judge it (the largest real terms text is 120,000 characters)
PROFILE_CHARS = 1 << 20


class UnknownKindError(InputError):
    """The document is none of the kinds trustguard compares. ``parsed``: it is JSON or
    YAML (so a loader can say what it lacks), not text."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None,
                 parsed: bool = False) -> None:
        super().__init__(message, file=file, place=place)
        self.parsed = parsed


def detect_kind(source: Source) -> DocumentKind:
    """Recognise the document kind by content (the file name only says JSON/YAML is meant);
    raise :class:`UnknownKindError` for anything that is none of the kinds. A document no
    built-in kind claims is offered to the plug-in kinds' ``detect`` (trustguard.kinds)."""
    try:
        return _builtin_kind(source)
    except UnknownKindError:
        for spec in kind_specs():
            if spec.detect is not None and spec.detect(source):
                return spec.kind
        raise


def _builtin_kind(source: Source) -> DocumentKind:
    name = source.name
    structured = name.lower().endswith(_STRUCTURED_SUFFIXES)
    head = source.raw[:4096].lstrip()
    if is_openslo_source(source):  # often several YAML documents: the SLA loader reads them
        return kind_spec("sla").kind
    if head[:1] in (b"{", b"[") or structured:
        try:
            data, _ = parse_structured(source)
        except InputError:
            if structured:
                raise
            # JSON lines, or a text that starts with a bracket: judged as text below
        else:
            return kind_of_data(data, name)
    if not source.raw or source.raw.isspace():
        raise InputError("the file is empty (expected an OpenAPI spec, a pricing or a terms text)",
                         file=name, place="1")
    text = decode_text(source.raw, name)  # binary or not UTF-8: said here, with the place
    html = looks_like_html(text, name)
    # YAML without a .yaml name; a Markdown page may quote a spec in a code block
    if not html and not name.lower().endswith(_TEXT_SUFFIXES) and any(
        line.startswith(_HEAD_KEYS) for line in text[:4096].splitlines()
    ):
        data, _ = parse_structured(source)
        return kind_of_data(data, name)
    if opens_as_sla(text, html):  # titled "Service Level Agreement": promises, not terms
        return kind_spec("sla").kind
    profile = text_profile(text[:PROFILE_CHARS], html)
    if profile.is_terms:
        return DocumentKind.TERMS
    raise UnknownKindError(f"cannot tell what this document is: it looks like {profile.looks_like}; {_EXPECTED}",
                           file=name)


_SNIFFED = {"openapi": DocumentKind.OPENAPI, "swagger": DocumentKind.OPENAPI,
            "syntaxVersion": DocumentKind.PRICING, "saasName": DocumentKind.PRICING}


def sniff_kind(source: Source) -> DocumentKind | None:
    """The kind a spec or pricing names by its key, found without parsing it; None when no
    such key is found (then :func:`detect_kind` decides). A revision recognised this way
    is parsed once, by its loader, next to the base (which keeps what is unchanged shared).

    Byte searches over the whole file: a JSON spec with sorted keys names ``openapi``
    after megabytes of ``components``. A YAML key counts at the start of a line (the top
    level of a block mapping); the loader then checks what was found."""
    raw = source.raw
    start = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"[" or start == b"<":
        return None
    for key, kind in _SNIFFED.items():
        name = key.encode()
        if start == b"{":
            at = raw.find(b'"' + name + b'"')
            while at != -1:
                if raw[at + len(name) + 2:at + len(name) + 66].lstrip()[:1] == b":":
                    return kind
                at = raw.find(b'"' + name + b'"', at + 1)
        else:
            for spelled in (name, b'"' + name + b'"', b"'" + name + b"'"):
                if raw.startswith(spelled + b":") or raw.find(b"\n" + spelled + b":") != -1:
                    return kind
    return None


def kind_of_data(data: Any, name: str) -> DocumentKind:
    """The kind of parsed JSON/YAML (or of a dict given to the API)."""
    if isinstance(data, dict):
        if "openapi" in data or "swagger" in data:
            return DocumentKind.OPENAPI
        if "syntaxVersion" in data or "plans" in data or "saasName" in data:
            return DocumentKind.PRICING
        if str(data.get("apiVersion", "")).startswith("openslo/"):
            return kind_spec("sla").kind
        if isinstance(data.get("text"), str):  # the API's {"text": ..., "name": ...} form of terms
            return DocumentKind.TERMS
        keys = ", ".join(repr(str(k))[:40] for k in list(data)[:5]) + (", ..." if len(data) > 5 else "")
        what = f"a mapping with the keys {keys}" if data else "an empty mapping"
    elif isinstance(data, list):
        what = f"a list of {len(data)} item{'s' if len(data) != 1 else ''}"
    else:
        what = f"a single {type(data).__name__ if data is not None else 'null'} value"
    raise UnknownKindError(f"cannot tell what this document is: it is {what}, not a spec or a pricing; {_EXPECTED}",
                           file=name, place="/", parsed=True)


def looks_like_html(text: str, name: str) -> bool:
    """An HTML page, by its name or its head (the terms loader reads it as HTML too)."""
    if name.lower().endswith((".html", ".htm")):
        return True
    head = text.lstrip()[:1024].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


# --- text -----------------------------------------------------------------------------

_FENCE = re.compile(r"\s{0,3}(?:```|~~~)")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_RULE = re.compile(r"(?:[-=*_]\s*){3,}")
_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*")
_PUNCT = ".,;:!?()[]{}\"'“”‘’*_«»"
_LEGAL = frozenset("""
agree agrees agreed agreement agreements accept acceptance term terms condition conditions
liable liability liabilities warranty warranties warrant warrants disclaim disclaimer
terminate terminates termination suspend suspension govern governs governed governing law laws
lawful unlawful jurisdiction court courts arbitration arbitrator dispute disputes claim claims
indemnify indemnification damages breach obligation obligations shall must may prohibited
license licence licensed licenses licences right rights consent privacy personal notice
subscription subscriptions fee fees refund refunds cancel cancellation renewal party parties
service services account accounts content user users you your yours we us our ours
""".split())
_CSV_DELIMITERS = (",", "\t", ";")
#: soft hyphen, zero-width and bidirectional marks, word joiners, BOM: invisible in a word
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class TextProfile:
    """What a text is made of, in characters (see the module docstring)."""

    prose: int
    code: int
    table: int
    records: int
    other: int
    words: int
    legal: int
    csv: bool

    @property
    def counted(self) -> int:
        return self.prose + self.code + self.table + self.records + self.other

    @property
    def prose_share(self) -> float:
        return self.prose / self.counted if self.counted else 0.0

    @property
    def legal_share(self) -> float:
        return self.legal / self.words if self.words else 0.0

    @property
    def is_terms(self) -> bool:
        if self.counted == 0:
            return True  # nothing to judge (headings only): the terms loader says what is missing
        if self.records * 2 >= self.counted or self.csv:
            return False
        if self.counted < SHORT_TEXT_CHARS:
            return (self.code + self.table + self.records) * 2 < self.counted
        return self.prose_share >= MIN_PROSE_SHARE and self.legal_share >= MIN_LEGAL_SHARE

    @property
    def looks_like(self) -> str:
        if self.records * 2 >= self.counted:
            return "JSON lines (one JSON value per line)"
        if self.csv:
            return "a table of delimiter-separated values (CSV)"
        if self.prose_share < MIN_PROSE_SHARE:
            parts = [f"{name} {share:.0%}" for name, share in (
                ("code blocks", self.code / self.counted), ("tables", self.table / self.counted),
                ("JSON lines", self.records / self.counted), ("lines that are not sentences", self.other / self.counted),
            ) if share >= 0.005]
            return f"technical text rather than terms: {self.prose_share:.0%} of it is prose ({', '.join(parts)})"
        return (f"prose without the vocabulary of terms of service ({self.legal_share:.1%} of its "
                f"{self.words:,} words are words like 'agree', 'liability', 'terminate', 'you' or 'we')")


def text_profile(text: str, html: bool = False) -> TextProfile:
    """Measure a text's prose, code, tables and records (linear in its size)."""
    if html:
        from .terms import html_lines  # the terms loader's own reading of HTML

        lines = [_INVISIBLE.sub("", line) for line, _ in html_lines(text)]
    else:
        # a word written with soft hyphens, zero-width characters or entities is still a
        # word: text written to hide from readers is the terms differ's to report, not a
        # reason to refuse the file
        from html import unescape as unescape_entities  # here: only a text is read as words

        lines = unescape_entities(_INVISIBLE.sub("", text)).splitlines()
    counts = {"prose": 0, "code": 0, "table": 0, "records": 0, "other": 0, "words": 0, "legal": 0}
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        joined = " ".join(block)
        # inline code spans are not words: the odd pieces between backticks
        plain = " ".join(joined.split("`")[::2])
        tokens = plain.split()
        words = [w.lower() for w in (t.strip(_PUNCT) for t in tokens) if _WORD.fullmatch(w)]
        if len(words) >= 2 and len(words) >= 0.6 * len(joined.split()):
            counts["prose"] += len(joined)
            counts["words"] += len(words)
            counts["legal"] += sum(1 for w in words if w in _LEGAL)
        else:
            counts["other"] += len(joined)
        block.clear()

    fence = False
    for line in lines:
        stripped = line.strip()
        if _FENCE.match(line):
            flush()
            fence = not fence
            counts["code"] += len(stripped)
        elif fence:
            counts["code"] += len(stripped)
        elif not stripped:
            flush()
        elif stripped[0] == "|" or stripped.count("|") >= 2:
            flush()
            counts["table"] += len(stripped)
        elif stripped[0] in "{[" and stripped[-1] in "}]":
            flush()
            counts["records"] += len(stripped)
        elif _HEADING.match(stripped) or _RULE.fullmatch(stripped):
            flush()
        else:
            block.append(stripped)
    flush()
    return TextProfile(csv=not html and _is_csv(lines), **counts)


def _is_csv(lines: list[str]) -> bool:
    """Rows with the same number of fields (at least two; quoted fields as CSV reads
    them), few of them ending like a sentence."""
    rows = [line for line in lines if line.strip()]
    if len(rows) < 2:
        return False
    sentences = sum(1 for row in rows if row.rstrip().endswith((".", "!", "?", ":")))
    if sentences * 4 > len(rows):
        return False
    for delimiter in _CSV_DELIMITERS:
        widths = [len(fields) for fields in csv.reader(rows, delimiter=delimiter)]
        if widths[0] >= 2 and sum(1 for width in widths if width == widths[0]) >= 0.75 * len(widths):
            return True
    return False
