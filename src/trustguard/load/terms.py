"""Load a terms-of-service text (Markdown, plain text or HTML) into a tree of clauses.

The tree is sections (headings, numbered headings) holding paragraphs ("clauses"),
holding sentences. Every node keeps its 1-based line in the source so a finding can
point at it. Markdown syntax is stripped from the text the differ compares, so
formatting-only edits do not look like changes.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..errors import InputError
from ..model import DocumentKind
from .detect import looks_like_html
from .document import Document
from .parse import Locator, decode_text, unescape_pointer
from .sources import Source, read_source
from .terms_normalize import keep_hiding_entities, normalize_text

__all__ = [
    "Paragraph",
    "Section",
    "Sentence",
    "TermsText",
    "clean_inline",
    "comparison_key",
    "load_terms",
    "parse_terms_text",
    "split_sentences",
]


@dataclass
class Sentence:
    """One sentence: ``text`` as written (what excerpts and redlines show), ``plain`` as
    the reader sees it (entities decoded, invisible characters out, look-alike letters
    folded: what the classifier reads), ``key`` from ``plain``."""

    text: str
    line: int
    key: str
    plain: str = ""

    def __post_init__(self) -> None:
        if not self.plain:
            self.plain = self.text


@dataclass
class Paragraph:
    """One clause: a block of text between blank lines, or one list item."""

    text: str
    line: int
    key: str
    title: str = ""
    number: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    # characters written to hide text from readers: kind -> count (see terms_normalize)
    obfuscation: dict[str, int] = field(default_factory=dict)
    obfuscated_words: list[str] = field(default_factory=list)
    obfuscation_line: int | None = None


@dataclass
class Section:
    title: str
    line: int
    number: str = ""
    level: int = 0
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class TermsText:
    sections: list[Section]
    effective_date: str | None = None
    effective_line: int | None = None

    def paragraphs(self) -> list[tuple[int, int, Section, Paragraph]]:
        return [(i, j, s, p) for i, s in enumerate(self.sections) for j, p in enumerate(s.paragraphs)]

    def word_count(self) -> int:
        return sum(len(p.text.split()) for s in self.sections for p in s.paragraphs)


# -- inline Markdown -----------------------------------------------------------------

# Each bracket scan stops at the next opening bracket too: a line of 20,000 "[" would
# otherwise be scanned to its end from every one of them (quadratic). Link text with
# nested brackets is not a link in CommonMark either.
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_ANCHOR_ATTR = re.compile(r"\{#[^{}]*\}")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
_SPACES = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Markdown inline syntax off: links keep their words, emphasis marks go."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _ANCHOR_ATTR.sub("", text)
    text = _HTML_TAG.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("*", "").replace("`", "")
    text = _ESCAPE.sub(r"\1", text)
    text = _UNDERSCORE.sub("", text)
    return _SPACES.sub(" ", text).strip()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_SECTION_REF = re.compile(
    r"\b(sections?|clauses?|paragraphs?|articles?|§§?)\s*\d+(?:\.\d+)*(?:\([a-z0-9]+\))*"
    r"(?:\s*(?:,|and|or|-|to)\s*\d+(?:\.\d+)*(?:\([a-z0-9]+\))*)*"
)
# words of any script (a clause in Russian or Greek has a key too), and money signs
_WORD = re.compile(r"(?:[^\W_]|[$€£%])+(?:['.,][^\W_]+)*")
# matched at a position (no ^): the numbering is peeled off without copying the text
_LEADING_NUMBER = re.compile(
    r"\s*(?:\(?(?:\d+(?:\.\d+)*|[ivxlc]{1,6}|[a-z])\)|\d+(?:\.\d+)*\.?|[ivxlc]{1,6}\.|[a-z]\.)\s+"
)


def comparison_key(text: str) -> str:
    """What two clauses must share to count as the same text: case, quotes, punctuation,
    leading numbering and cross-reference numbers do not matter."""
    text = text.translate(_QUOTES).lower()
    position = 0
    while match := _LEADING_NUMBER.match(text, position):
        position = match.end()
    text = _SECTION_REF.sub(r"\1 #", text[position:])
    return " ".join(_WORD.findall(text))


# -- sentences -----------------------------------------------------------------------

_ABBREVIATIONS = (
    "e.g.", "i.e.", "etc.", "inc.", "ltd.", "llc.", "co.", "corp.", "no.", "nos.", "sec.", "art.",
    "u.s.", "u.k.", "e.u.", "st.", "mr.", "ms.", "dr.", "vs.", "v.", "cf.", "para.", "approx.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]”’]*\s+(?=[\"'(\[“‘]?[A-Z0-9])")


_LONGEST_ABBREVIATION = max(len(a) for a in _ABBREVIATIONS)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding whitespace excluded."""
    out: list[tuple[int, int]] = []
    start = 0

    def add(begin: int, end: int) -> None:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            out.append((begin, end))

    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        # the last word before the break, read in place: after a run of abbreviations the
        # sentence so far is not copied again for each of them
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        space = text.rfind(" ", max(start, stop - _LONGEST_ABBREVIATION - 1), stop)
        first = space + 1 if space >= 0 else max(start, stop - _LONGEST_ABBREVIATION - 1)
        last = text[first:stop].lower() if (space >= 0 or first == start) else ""
        if last in _ABBREVIATIONS or (len(last) == 2 and last[1] == "." and last[0].isalpha()):
            continue
        add(start, end)
        start = match.end()
    add(start, len(text))
    return out


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs. Semicolons split too: legal sentences chain clauses with them."""
    return [(begin, text[begin:end]) for begin, end in sentence_spans(text)]


# -- HTML to lines --------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "blockquote",
    "dt", "dd", "dl", "header", "footer", "main", "hr", "pre", "td", "th",
}
_SKIP_TAGS = {"script", "style", "head", "noscript", "template", "svg", "nav"}


class _HtmlText(HTMLParser):
    """Reduces HTML to Markdown-ish lines, remembering the source line of each piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, int]] = []
        self.current: list[str] = []
        self.has_text = False  # the current line has non-space text (kept, not recomputed)
        self.current_line = 1
        self.skip = 0
        self.prefix = ""

    def _flush(self, blank: bool = True) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append((self.prefix + text, self.current_line))
        if blank and (not self.lines or self.lines[-1][0] != ""):
            self.lines.append(("", self.getpos()[0]))
        self.current = []
        self.has_text = False
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.prefix = "#" * int(tag[1]) + " "
            self.current_line = self.getpos()[0]
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "li":
                self.prefix = "- "
                self.current_line = self.getpos()[0]
        elif tag in ("strong", "b"):
            self.current.append("**")
            self.has_text = True

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if re.fullmatch(r"h[1-6]", tag) or tag in _BLOCK_TAGS:
            self._flush()
        elif tag in ("strong", "b"):
            self.current.append("**")
            self.has_text = True

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        line = self.getpos()[0]
        # one output line per source line, so sentences keep their own line numbers
        for index, part in enumerate(data.split("\n")):
            if index:
                self._flush(blank=False)
                line += 1
            if part.strip() and not self.has_text:
                self.current_line = line
                self.has_text = True
            self.current.append(part)


def html_lines(text: str) -> list[tuple[str, int]]:
    parser = _HtmlText()
    parser.feed(keep_hiding_entities(text))
    parser.close()
    parser._flush()
    return parser.lines


def _looks_like_html(text: str, name: str, fmt: str | None) -> bool:
    if fmt:
        return fmt.lower() in ("html", "htm")
    return looks_like_html(text, name)


# -- blocks ---------------------------------------------------------------------------

# only the opening: "(.*?)\s*#*\s*$" for the closing hashes was cubic on a heading line of
# spaces; _atx_title strips them with string methods
_ATX = re.compile(r"\s{0,3}(#{1,6})\s+(?=\S)")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_ITEM = re.compile(
    r"^(\s*)(?:[-*+•]|\(?\d+(?:\.\d+)*[.)]|\(?[a-zA-Z]{1,2}[.)]|\([ivxlcIVXLC]{1,6}\)|[ivxlcIVXLC]{1,6}[.)]"
    r"|\d+(?:\.\d+)*\\\.|\*\*\d+(?:\.\d+)*\\?\.?\*\*)\s+"
)
_NUMBER_PREFIX = re.compile(
    r"^\s*(?:[-*+•]\s+)?\(?((?:\d+(?:\.\d+)*|[A-Z]|[IVXLC]{1,6}|[a-z]|[ivxlc]{1,6}))[.)]?\s+"
)
_LEAD_TITLE = re.compile(r"^(?:[-*+•]\s+)?(?:\(?[0-9A-Za-z.]{1,8}[.)]\s+)?(\*\*|__)(.+?)\1(?:\s*[.:])?\s+(?=\S)")
_TERMINAL = (".", ",", ";", ":", "!", "?")
_DATE = (
    r"((?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december),?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
)
_EFFECTIVE = re.compile(
    r"(?:effective|last\s+(?:updated|modified|revised)|updated)(?:\s+date)?\s*(?:(?:on|as of|:|-)\s*)?" + _DATE,
    re.IGNORECASE,
)


def _atx_title(rest: str) -> str:
    """A heading's text without its closing hashes: ``Title ##`` -> ``Title``."""
    return rest.rstrip().rstrip("#").rstrip()


@dataclass
class _Block:
    lines: list[tuple[str, int]]
    heading_level: int = 0
    item: bool = False


def _blocks(lines: list[tuple[str, int]]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[str, int]] = []
    item = False

    def close() -> None:
        nonlocal current, item
        if current:
            blocks.append(_Block(current, item=item))
        current, item = [], False

    for index, (raw, number) in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            close()
            continue
        atx = _ATX.match(line)
        if atx:
            close()
            blocks.append(_Block([(_atx_title(line[atx.end():]), number)], heading_level=len(atx.group(1))))
            continue
        if _SETEXT.match(line) and len(current) == 1:
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(_Block(current, heading_level=level))
            current = []
            continue
        if _RULE.match(line):
            close()
            continue
        if _ITEM.match(line):
            close()
            item = True
        current.append((line.strip(), number))
        del index
    close()
    return blocks


def _heading_from_block(block: _Block, next_block: _Block | None) -> int:
    """The heading level a block plays (0 = a paragraph), from Markdown or from layout."""
    if block.heading_level:
        return block.heading_level
    if len(block.lines) != 1:
        return 0
    raw = block.lines[0][0]
    body = _ITEM.sub("", raw, count=1).strip() if block.item else raw
    text = clean_inline(body)
    words = text.split()
    if not words or len(words) > 14:
        return 0
    stripped = body.strip()
    bold_only = (stripped.startswith(("**", "__")) and stripped.rstrip(".:").endswith(("**", "__"))
                 and clean_inline(stripped.strip("*_ .:")) == text.rstrip(".:").strip())
    letters = [c for c in text if c.isalpha()]
    upper = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(words) <= 10
    numbered = bool(_NUMBER_PREFIX.match(raw)) and not raw.lstrip().startswith(("-", "*", "+", "•"))
    if bold_only and len(words) <= 14:
        return 3 if not numbered else 2
    if upper and not text.endswith(_TERMINAL):
        return 2
    if next_block is None:
        return 0
    if numbered and len(words) <= 10 and not text.endswith(_TERMINAL) and text[:1].isupper():
        return 2
    if not block.item and len(words) <= 8 and not text.endswith(_TERMINAL) and text[:1].isupper():
        return 4
    return 0


def _split_number(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*\(?((?:\d+(?:\.\d+)*|[A-Za-z]|[IVXLCivxlc]{1,6}))[.)]?\s+(?=\S)", text)
    if match and (match.group(1)[0].isdigit() or len(text) > len(match.group(0)) + 1):
        number = match.group(1)
        if number[0].isdigit() or re.match(r"^\s*\(?[A-Za-z]{1,6}[.)]", text):
            return number, text[match.end():]
    return "", text


def _paragraph(block: _Block) -> Paragraph:
    first_raw = block.lines[0][0]
    body_first = _ITEM.sub("", first_raw, count=1) if block.item else first_raw
    title = ""
    lead = _LEAD_TITLE.match(body_first)
    if lead:
        candidate = clean_inline(lead.group(2)).rstrip(".:").strip()
        if 0 < len(candidate.split()) <= 12:
            title = candidate
    pieces: list[str] = []
    starts: list[int] = []
    offset = 0
    lines: list[int] = []
    for index, (raw, line_number) in enumerate(block.lines):
        body = body_first if index == 0 else raw
        cleaned = clean_inline(body)
        if not cleaned:
            continue
        starts.append(offset)
        lines.append(line_number)
        pieces.append(cleaned)
        offset += len(cleaned) + 1
    text = " ".join(pieces)
    number, _ = _split_number(text)
    if title:
        num_in_title, rest = _split_number(title)
        if num_in_title:
            number, title = number or num_in_title, rest.strip()
    # sentences are split and keyed on the text as a reader sees it, and cut from the
    # text as written for display (see terms_normalize)
    plain = normalize_text(text)

    def line_at(offset: int) -> int:
        return lines[max(0, bisect_right(starts, offset) - 1)] if lines else block.lines[0][1]

    sentences = []
    for begin, end in sentence_spans(plain.text):
        raw_begin = plain.source_offset(begin, len(text))
        written = text[raw_begin:plain.source_offset(end, len(text))].strip()
        sentence = plain.text[begin:end]
        sentences.append(Sentence(written or sentence, line_at(raw_begin), comparison_key(sentence), sentence))
    return Paragraph(
        text=text,
        line=block.lines[0][1],
        key=comparison_key(plain.text),
        title=title,
        number=number,
        sentences=[s for s in sentences if s.key],
        obfuscation=plain.counts,
        obfuscated_words=plain.words,
        obfuscation_line=line_at(plain.offsets[0]) if plain.offsets else None,
    )


def parse_terms_text(lines: list[tuple[str, int]]) -> TermsText:
    """Lines (text, source line) to the section / paragraph / sentence tree."""
    blocks = _blocks(lines)
    sections: list[Section] = [Section(title="", line=blocks[0].lines[0][1] if blocks else 1)]
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        level = _heading_from_block(block, following)
        if level:
            raw = " ".join(text for text, _ in block.lines)
            body = _ITEM.sub("", raw, count=1) if block.item else raw
            title = clean_inline(body).rstrip(".:").strip()
            number, rest = _split_number(title)
            if not number and block.item:
                marker = _NUMBER_PREFIX.match(raw)
                number = marker.group(1) if marker else ""
            sections.append(Section(title=(rest if number else title).strip(), line=block.lines[0][1],
                                    number=number, level=level))
            continue
        paragraph = _paragraph(block)
        if paragraph.key:
            sections[-1].paragraphs.append(paragraph)
    if not sections[0].paragraphs and len(sections) > 1:
        sections.pop(0)
    effective: str | None = None
    effective_line: int | None = None
    for text, line_number in lines[:80]:
        match = _EFFECTIVE.search(clean_inline(text))
        if match:
            effective, effective_line = match.group(1), line_number
            break
    return TermsText(sections=sections, effective_date=effective, effective_line=effective_line)


class TermsLocator(Locator):
    """JSON pointer (``/sections/3/paragraphs/2``) to a line of the terms source."""

    def __init__(self, tree: TermsText) -> None:
        super().__init__("", "terms")
        self.tree = tree

    def position(self, pointer: str) -> tuple[int, int] | None:
        tokens = unescape_pointer(pointer)
        if len(tokens) < 2 or tokens[0] != "sections" or not tokens[1].isdigit():
            return None
        index = int(tokens[1])
        if index >= len(self.tree.sections):
            return None
        section = self.tree.sections[index]
        if len(tokens) >= 4 and tokens[2] == "paragraphs" and tokens[3].isdigit():
            j = int(tokens[3])
            if j < len(section.paragraphs):
                paragraph = section.paragraphs[j]
                if len(tokens) >= 6 and tokens[4] == "sentences" and tokens[5].isdigit():
                    k = int(tokens[5])
                    if k < len(paragraph.sentences):
                        return paragraph.sentences[k].line, 1
                return paragraph.line, 1
        return section.line, 1


def load_terms(source: str | os.PathLike[str] | Source | dict[str, Any], **options: Any) -> Document:
    """Load a terms text. ``source`` is a path, ``-``, ``REV:path``, a Source, or a dict
    ``{"text": ..., "name": ...}``. Option ``format``: ``markdown``, ``text`` or ``html``
    (default: recognised from the name and content)."""
    fmt = options.get("format")
    if isinstance(source, dict):
        name = str(source.get("name") or options.get("name") or "<terms>")
        text_value = source.get("text")
        if not isinstance(text_value, str):
            raise InputError("a terms document given as a dict needs a 'text' string", file=name, place="/text")
        text = decode_text(text_value.encode("utf-8"), name)
    else:
        if not isinstance(source, Source):
            source = read_source(source)
        name = source.name
        if not source.raw.strip():
            raise InputError("the file is empty (expected a terms text: Markdown, plain text or HTML)", file=name)
        text = decode_text(source.raw, name)
    if _looks_like_html(text, name, fmt):
        lines = html_lines(text)
    else:
        lines = [(line, number) for number, line in enumerate(text.splitlines(), start=1)]
    tree = parse_terms_text(lines)
    if not any(section.paragraphs for section in tree.sections):
        raise InputError("no terms text found: expected paragraphs of text (Markdown, plain text or HTML)",
                         file=name, place="1")
    return Document(
        kind=DocumentKind.TERMS,
        data=tree,
        name=name,
        key=name,
        locator=TermsLocator(tree),
        meta={"effective_date": tree.effective_date, "words": tree.word_count()},
    )
